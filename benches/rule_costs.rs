//! The cost of each rule on a model: `cargo run --profile profiling --example rule_costs -- MODEL`.
//! Single-threaded wall time per rule over every in-scope target of its kinds,
//! with its verdict counts, costliest first: where to look when matching is slow.

use std::time::Instant;

use tms_model::graph::Graph;
use tms_model::Targets;
use tms_rules::condition::eval::{verdict_with, State, Verdict};
use tms_rules::condition::{Ctx, TargetRef};
use tms_rules::library::Library;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: rule_costs MODEL");
        std::process::exit(2);
    };
    let loaded = match tms_formats::load::load_path(std::path::Path::new(&path)) {
        Ok(l) => l,
        Err(d) => {
            eprintln!("{} errors", d.0.len());
            std::process::exit(2);
        }
    };
    let model = &loaded.model;
    let lib = Library::builtin().unwrap_or_default();
    let graph = Graph::build(model);
    let targets: Vec<TargetRef> = (0..model.elements.len())
        .map(TargetRef::Element)
        .chain((0..model.flows.len()).map(TargetRef::Flow))
        .collect();
    let mut rows = Vec::new();
    let mut total = 0.0;
    let mut evals = 0usize;
    for rule in &lib.rules {
        let ctx = Ctx {
            model,
            graph: &graph,
            three_valued: rule.three_valued,
        };
        let mut st = State::default();
        let (mut t, mut f, mut u, mut n) = (0usize, 0usize, 0usize, 0usize);
        let start = Instant::now();
        for target in &targets {
            let bit = match target {
                TargetRef::Element(e) => model.elements[*e].kind.bit(),
                TargetRef::Flow(_) => Targets::FLOW,
                TargetRef::Model => continue,
            };
            if !rule.targets.intersects(bit) {
                continue;
            }
            n += 1;
            match verdict_with(&rule.compiled, ctx, *target, &mut st) {
                Verdict::True => t += 1,
                Verdict::False => f += 1,
                Verdict::Unknown(..) => u += 1,
            }
        }
        let secs = start.elapsed().as_secs_f64();
        total += secs;
        evals += n;
        rows.push((secs, rule.id.clone(), n, t, f, u));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "{evals} evaluations, {total:.3} s, {:.0} ns each",
        total * 1e9 / evals.max(1) as f64
    );
    println!(
        "{:<12} {:>8} {:>6} {:>9} {:>8} {:>8} {:>8}",
        "rule", "ms", "ns", "evals", "true", "false", "unknown"
    );
    for (secs, id, n, t, f, u) in rows.iter().take(40) {
        println!(
            "{id:<12} {:>8.1} {:>6.0} {n:>9} {t:>8} {f:>8} {u:>8}",
            secs * 1e3,
            secs * 1e9 / (*n).max(1) as f64
        );
    }
}
