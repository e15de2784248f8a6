//! Any text as a rule condition: parsed, type-checked for every kind of target,
//! and, when it compiles, evaluated on every element and flow of the web-shop
//! example in both logics. Errors are expected; a panic, a hang (the step
//! budget must stop it) or an out-of-memory is a bug.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tms_model::{Model, Targets};
use tms_rules::condition::eval::{verdict_with, State};
use tms_rules::condition::{self, Ctx, TargetRef};

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let src = tms_syntax::source::SourceFile::from_text(
            "web-shop.yaml",
            include_str!("../../examples/web-shop.yaml"),
        );
        match tms_formats::load::load_source(&src) {
            Ok(l) => l.model,
            Err(d) => panic!("the example does not load: {d:?}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let model = model();
    let graph = tms_model::graph::Graph::build(model);
    for (targets, items) in [
        (
            Targets::ELEMENTS,
            (0..model.elements.len())
                .map(TargetRef::Element)
                .collect::<Vec<_>>(),
        ),
        (
            Targets::FLOW,
            (0..model.flows.len()).map(TargetRef::Flow).collect(),
        ),
    ] {
        let Ok(compiled) = condition::compile(text, targets) else {
            continue;
        };
        for three_valued in [false, true] {
            let ctx = Ctx {
                model,
                graph: &graph,
                three_valued,
            };
            let mut st = State::default();
            for t in &items {
                let _ = verdict_with(&compiled, ctx, *t, &mut st);
            }
        }
    }
});
