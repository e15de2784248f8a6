//! Whether the builtin layout draws pictures people can read (issue 15): on
//! every example and `tms init` template, measured on the layout's geometry
//! with `tms_diagram::quality`, no flow runs through an element, no label lies
//! over another label or an element, and flows cross no more often than in
//! Graphviz's `dot` layout of the same DOT text (measured the same way, from
//! `dot -Tplain`).
//!
//! `dot` is found as TMS_DOT, else on the PATH. Without it the comparison is
//! skipped with a reason, except under CI (CI set), where it fails.
//! `cargo test --test it diagram_quality -- --nocapture` prints the counts.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tms_diagram::layout::{layout, Rect, P};
use tms_diagram::quality::{flatten_spline, Counts, Drawing, Line};
use tms_diagram::{Dfd, Options, Style};

fn models() -> Vec<(String, tms_model::Model)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in ["examples", "templates"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}/: {e}"))
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        found.sort();
        paths.extend(found);
    }
    assert!(paths.len() >= 8, "examples and templates: {paths:?}");
    paths
        .into_iter()
        .map(|p| {
            let name = p.display().to_string();
            let m = crate::diagram::model(&name);
            (name, m)
        })
        .collect()
}

/// Graphviz's `dot`, or why there is none to compare with.
fn dot() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("TMS_DOT") {
        return Ok(PathBuf::from(p));
    }
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join("dot"))
                .find(|p| p.is_file())
        })
        .ok_or_else(|| "TMS_DOT is unset and no `dot` is on the PATH".to_string())
}

fn run_dot(dot: &Path, text: &str) -> String {
    let mut child = Command::new(dot)
        .arg("-Tplain")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", dot.display()));
    let mut stdin = child.stdin.take().expect("dot stdin");
    let input = text.to_string();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("dot output");
    feeder.join().expect("feeder").expect("write to dot");
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn num(tok: Option<&str>, line: &str) -> f32 {
    tok.and_then(|t| t.parse::<f32>().ok())
        .unwrap_or_else(|| panic!("a number in dot's line {line:?}"))
}

/// Graphviz's drawing from `-Tplain` (inches, scaled to points): node boxes by
/// our node keys, and each edge's B-spline, flattened.
fn dot_drawing(d: &Dfd, plain: &str) -> Drawing {
    let index = |key: &str| {
        d.nodes
            .iter()
            .position(|n| n.key == key)
            .unwrap_or_else(|| panic!("dot names an unknown node {key:?}"))
    };
    let mut drawing = Drawing {
        nodes: vec![Rect::default(); d.nodes.len()],
        ..Drawing::default()
    };
    for line in plain.lines() {
        let mut t = line.split_whitespace();
        match t.next() {
            Some("node") => {
                let i = index(t.next().expect("node name"));
                let (x, y) = (num(t.next(), line), num(t.next(), line));
                let (w, h) = (num(t.next(), line), num(t.next(), line));
                drawing.nodes[i] = Rect {
                    x: (x - w / 2.0) * 72.0,
                    y: (y - h / 2.0) * 72.0,
                    w: w * 72.0,
                    h: h * 72.0,
                };
            }
            Some("edge") => {
                let from = index(t.next().expect("tail"));
                let to = index(t.next().expect("head"));
                let n = num(t.next(), line) as usize;
                let points: Vec<P> = (0..n)
                    .map(|_| P {
                        x: num(t.next(), line) * 72.0,
                        y: num(t.next(), line) * 72.0,
                    })
                    .collect();
                drawing.lines.push(Line {
                    from,
                    to,
                    points: flatten_spline(&points),
                });
            }
            _ => {}
        }
    }
    assert_eq!(drawing.lines.len(), d.edges.len(), "dot drew every flow");
    drawing
}

#[test]
fn the_builtin_layout_draws_readable_pictures() {
    let style = Style::default();
    let dot = dot();
    match (&dot, std::env::var_os("CI")) {
        (Err(why), Some(_)) => panic!("CI is set, so the comparison with dot must run: {why}"),
        (Err(why), None) => println!("not comparing crossings with Graphviz: {why}"),
        (Ok(_), _) => {}
    }
    let mut failures = Vec::new();
    println!(
        "{:<36} {:>5} {:>5} | {:>9} {:>11} {:>11} {:>9} | {:>9} {:>9}",
        "model",
        "nodes",
        "flows",
        "flow/elem",
        "label/label",
        "label/elem",
        "crossings",
        "dot f/e",
        "dot cross"
    );
    for (name, m) in models() {
        let d = Dfd::build(&m, &Options::default());
        let ours: Counts = Drawing::from_layout(&d, &layout(&d, &style)).counts();
        let theirs: Option<Counts> = dot.as_ref().ok().map(|dot| {
            let plain = run_dot(dot, &tms_diagram::dot::write(&d, &style));
            dot_drawing(&d, &plain).counts()
        });
        let (dot_fe, dot_x) = theirs.map_or(("-".into(), "-".into()), |t| {
            (t.edge_node.to_string(), t.crossings.to_string())
        });
        println!(
            "{name:<36} {:>5} {:>5} | {:>9} {:>11} {:>11} {:>9} | {dot_fe:>9} {dot_x:>9}",
            d.nodes.len(),
            d.edges.len(),
            ours.edge_node,
            ours.label_label,
            ours.label_node,
            ours.crossings
        );
        if ours.edge_node + ours.label_label + ours.label_node > 0 {
            failures.push(format!("{name}: {ours}"));
        }
        if let Some(t) = theirs {
            if ours.crossings > t.crossings {
                failures.push(format!(
                    "{name}: {} crossings, dot has {}",
                    ours.crossings, t.crossings
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
