//! Graphviz DOT.
//!
//! Labels are DOT quoted strings. Inside one, Graphviz reads `\"` as a quote,
//! then gives label backslashes their own meaning (`\n`, `\l`, `\N` = the node's
//! name, ...) and decodes HTML entities (`&lt;`); so a label escapes `\`, `"`
//! and `&`, and a line break is written `\n`.

use std::fmt::Write;

use super::style::Style;
use super::{Dfd, Heat, Item};
use tms_model::ElementKind;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Graphviz shape attributes per element kind.
fn shape(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::Actor => "shape=box, penwidth=2",
        ElementKind::ExternalEntity => "shape=box, peripheries=2",
        ElementKind::Process => "shape=ellipse",
        ElementKind::SetOfProcesses => "shape=ellipse, peripheries=2",
        ElementKind::Server => "shape=box, style=\"rounded,filled\"",
        ElementKind::Lambda => "shape=parallelogram",
        ElementKind::Datastore => "shape=cylinder",
        ElementKind::Agent => "shape=hexagon",
        ElementKind::Llm => "shape=octagon",
    }
}

pub fn write(d: &Dfd, style: &Style) -> String {
    let mut s = String::with_capacity(128 + d.nodes.len() * 96 + d.edges.len() * 64);
    let font = escape(style.primary_family());
    let size = style.font_size;
    let _ = writeln!(s, "digraph tms {{");
    let _ = writeln!(
        s,
        "  graph [rankdir={}, fontname=\"{font}\", fontsize={size}, newrank=true, nodesep=0.4, ranksep=0.7];",
        style.direction.short()
    );
    let _ = writeln!(
        s,
        "  node [fontname=\"{font}\", fontsize={size}, style=filled, margin=\"0.15,0.08\"];"
    );
    let _ = writeln!(
        s,
        "  edge [fontname=\"{font}\", fontsize={}, color=\"{}\", fontcolor=\"{}\"];",
        size - 1.0,
        style.flow_stroke,
        style.flow_text
    );
    for item in &d.roots {
        write_item(&mut s, d, style, *item, 1);
    }
    for e in &d.edges {
        let from = &d.nodes[e.from].key;
        let to = &d.nodes[e.to].key;
        let _ = write!(s, "  {from} -> {to} [label=\"{}\"", escape(&e.label));
        if e.response {
            // Responses must not pull their request's target back in the ranking.
            s.push_str(", style=dashed, constraint=false");
        }
        if let Heat::Worst(sev) = e.heat {
            let _ = write!(s, ", color=\"{}\", penwidth=2", style.severity(sev));
        }
        s.push_str("];\n");
    }
    s.push_str("}\n");
    s
}

fn write_item(s: &mut String, d: &Dfd, style: &Style, item: Item, depth: usize) {
    let pad = "  ".repeat(depth);
    match item {
        Item::Node(n) => {
            let node = &d.nodes[n];
            let paint = style.kind(node.kind);
            let fill = style.fill(node.kind, node.heat);
            let _ = writeln!(
                s,
                "{pad}{} [label=\"{}\", {}, fillcolor=\"{fill}\", color=\"{}\", fontcolor=\"{}\"];",
                node.key,
                escape(&node.label),
                shape(node.kind),
                paint.stroke,
                paint.text
            );
        }
        Item::Cluster(c) => {
            let cl = &d.clusters[c];
            let b = style.boundary;
            let _ = writeln!(s, "{pad}subgraph cluster_{} {{", cl.key);
            let _ = writeln!(
                s,
                "{pad}  label=\"{}\"; labeljust=l; style=\"dashed,filled\"; penwidth=1.5; color=\"{}\"; fillcolor=\"{}\"; fontcolor=\"{}\";",
                escape(&cl.label),
                b.stroke,
                b.fill,
                b.text
            );
            for it in &cl.items {
                write_item(s, d, style, *it, depth + 1);
            }
            let _ = writeln!(s, "{pad}}}");
        }
    }
}

/// Lays out DOT with Graphviz's `dot`, if it is on the PATH.
pub fn run_graphviz(text: &str, format_flag: &str) -> Result<Vec<u8>, super::Error> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("dot")
        .arg(format_flag)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            super::Error::Graphviz(format!(
                "--engine graphviz needs Graphviz's `dot` on the PATH ({e}); the builtin engine needs nothing"
            ))
        })?;
    // Feed stdin from a thread: dot may fill its stdout pipe before reading all input.
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| super::Error::Graphviz("cannot write to dot".into()))?;
    let input = text.to_string();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| super::Error::Graphviz(format!("dot failed: {e}")))?;
    let fed = feeder.join();
    if !out.status.success() {
        return Err(super::Error::Graphviz(format!(
            "dot failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    if !matches!(fed, Ok(Ok(()))) {
        return Err(super::Error::Graphviz(
            "dot stopped reading its input".into(),
        ));
    }
    Ok(out.stdout)
}
