//! D2 (terrastruct).
//!
//! Labels are D2 double-quoted strings, where `\` escapes, `"` ends the string
//! and `${...}` substitutes a variable: so `\`, `"` and `$` are escaped, and a
//! line break is `\n`. Shapes are declared nested inside their boundaries; the
//! connections come after, at the top level, naming each end by its full path
//! (`b0.b2.n5`) as D2 requires for nested shapes.

use std::fmt::Write;

use super::style::{Direction, Style};
use super::{Dfd, Heat, Item};
use tms_model::ElementKind;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn shape(kind: ElementKind) -> (&'static str, &'static str) {
    match kind {
        ElementKind::Actor => ("person", ""),
        ElementKind::ExternalEntity => ("rectangle", "; double-border: true"),
        ElementKind::Process => ("oval", ""),
        ElementKind::SetOfProcesses => ("oval", "; multiple: true"),
        ElementKind::Server => ("rectangle", "; border-radius: 8"),
        ElementKind::Lambda => ("parallelogram", ""),
        ElementKind::Datastore => ("cylinder", ""),
        ElementKind::Agent => ("hexagon", ""),
        ElementKind::Llm => ("cloud", ""),
    }
}

/// The path of a node: its clusters' keys and its own, dot-separated.
pub fn path(d: &Dfd, node: usize) -> String {
    let mut p = String::new();
    for c in d.chain(node) {
        p.push_str(&d.clusters[c].key);
        p.push('.');
    }
    p.push_str(&d.nodes[node].key);
    p
}

pub fn write(d: &Dfd, style: &Style) -> String {
    let mut s = String::with_capacity(64 + d.nodes.len() * 128 + d.edges.len() * 96);
    let dir = match style.direction {
        Direction::LeftRight => "right",
        Direction::TopBottom => "down",
        Direction::RightLeft => "left",
        Direction::BottomTop => "up",
    };
    let _ = writeln!(s, "direction: {dir}");
    for item in &d.roots {
        write_item(&mut s, d, style, *item, 0);
    }
    // Paths are built once per node: chains are shared by every edge of a node.
    let paths: Vec<String> = (0..d.nodes.len()).map(|n| path(d, n)).collect();
    for e in &d.edges {
        let stroke = match e.heat {
            Heat::Worst(sev) => style.severity(sev),
            _ => style.flow_stroke,
        };
        let dash = if e.response { "; stroke-dash: 3" } else { "" };
        let _ = writeln!(
            s,
            "{} -> {}: \"{}\" {{style: {{stroke: \"{stroke}\"; font-color: \"{}\"{dash}}}}}",
            paths[e.from],
            paths[e.to],
            escape(&e.label),
            style.flow_text
        );
    }
    s
}

fn write_item(s: &mut String, d: &Dfd, style: &Style, item: Item, depth: usize) {
    let pad = "  ".repeat(depth);
    match item {
        Item::Node(n) => {
            let node = &d.nodes[n];
            let p = style.kind(node.kind);
            let fill = style.fill(node.kind, node.heat);
            let (shape, extra) = shape(node.kind);
            let _ = writeln!(
                s,
                "{pad}{}: \"{}\" {{shape: {shape}; style: {{fill: \"{fill}\"; stroke: \"{}\"; font-color: \"{}\"{extra}}}}}",
                node.key,
                escape(&node.label),
                p.stroke,
                p.text
            );
        }
        Item::Cluster(c) => {
            let cl = &d.clusters[c];
            let b = style.boundary;
            let _ = writeln!(s, "{pad}{}: \"{}\" {{", cl.key, escape(&cl.label));
            let _ = writeln!(
                s,
                "{pad}  style: {{fill: \"{}\"; stroke: \"{}\"; stroke-dash: 4; font-color: \"{}\"}}",
                b.fill, b.stroke, b.text
            );
            for it in &cl.items {
                write_item(s, d, style, *it, depth + 1);
            }
            let _ = writeln!(s, "{pad}}}");
        }
    }
}
