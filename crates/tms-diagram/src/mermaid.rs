//! Mermaid: flowcharts for DFDs, `sequenceDiagram` for sequences.
//!
//! Mermaid has no backslash escapes; it decodes `#name;` and `#123;` entity
//! codes in text, and its renderer reads labels as HTML. So the characters that
//! are syntax somewhere (quote, `#` itself, `;` which ends a statement, `|`
//! around edge labels, `%%` comments, a backtick that starts a Markdown string)
//! or HTML (`<`, `>`, `&`) are written as entity codes, and a line break as
//! `<br>`. Everything else, brackets and non-ASCII text included, is safe
//! inside the quoted labels and after `as` / `:`; the tests check this with
//! Mermaid's own parser.

use std::fmt::Write;

use super::seq::Seq;
use super::style::Style;
use super::{Dfd, Heat, Item};
use tms_model::ElementKind;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' => out.push_str("<br>"),
            // U+FB02 and U+00B6 start and end Mermaid's own placeholders for
            // entity codes (`ﬂ°°35¶ß`), which its renderer would decode.
            '#' | ';' | '|' | '%' | '`' | '\u{fb02}' | '\u{b6}' => {
                let _ = write!(out, "#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Node text wrapped in the kind's shape.
fn shaped(kind: ElementKind, label: &str) -> String {
    let (open, close) = match kind {
        ElementKind::Actor => ("[", "]"),
        ElementKind::ExternalEntity => ("[[", "]]"),
        ElementKind::Process => ("([", "])"),
        ElementKind::SetOfProcesses => ("(((", ")))"),
        ElementKind::Server => ("(", ")"),
        ElementKind::Lambda => ("[/", "/]"),
        ElementKind::Datastore => ("[(", ")]"),
        ElementKind::Agent => ("{{", "}}"),
        ElementKind::Llm => ("[/", "\\]"),
    };
    format!("{open}\"{}\"{close}", escape(label))
}

fn kind_class(kind: ElementKind) -> String {
    format!("k_{}", kind.as_str().replace('-', "_"))
}

/// `class a,b,c name` lines, split so no line grows without bound.
fn class_lines(s: &mut String, keys: &[&str], class: &str) {
    for chunk in keys.chunks(64) {
        let _ = writeln!(s, "  class {} {class}", chunk.join(","));
    }
}

pub fn flowchart(d: &Dfd, style: &Style) -> String {
    let mut s = String::with_capacity(64 + d.nodes.len() * 64 + d.edges.len() * 48);
    let _ = writeln!(s, "flowchart {}", style.direction.short());
    for item in &d.roots {
        write_item(&mut s, d, *item, 1);
    }
    for e in &d.edges {
        let arrow = if e.response { "-.->" } else { "-->" };
        let from = &d.nodes[e.from].key;
        let to = &d.nodes[e.to].key;
        if e.label.is_empty() {
            let _ = writeln!(s, "  {from} {arrow} {to}");
        } else {
            let _ = writeln!(s, "  {from} {arrow}|\"{}\"| {to}", escape(&e.label));
        }
    }

    // Styles: one class per kind (or per severity under the colormap).
    let mut by_class: Vec<(String, String, Vec<&str>)> = Vec::new();
    for n in &d.nodes {
        let p = style.kind(n.kind);
        let fill = style.fill(n.kind, n.heat);
        let name = match n.heat {
            Heat::Off => kind_class(n.kind),
            Heat::Clean => "h_none".to_string(),
            Heat::Worst(sev) => format!("h_{}", sev.as_str()),
        };
        let def = match n.heat {
            Heat::Off => format!("fill:{fill},stroke:{},color:{}", p.stroke, p.text),
            _ => format!("fill:{fill},stroke:#374151,color:#111827"),
        };
        match by_class.iter_mut().find(|(c, _, _)| *c == name) {
            Some(entry) => entry.2.push(&n.key),
            None => by_class.push((name, def, vec![&n.key])),
        }
    }
    by_class.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, def, keys) in &by_class {
        let _ = writeln!(s, "  classDef {name} {def}");
        class_lines(&mut s, keys, name);
    }
    if !d.clusters.is_empty() {
        let b = style.boundary;
        let _ = writeln!(
            s,
            "  classDef boundary fill:{},stroke:{},stroke-width:1.5px,stroke-dasharray:6 4,color:{}",
            b.fill, b.stroke, b.text
        );
        let keys: Vec<&str> = d.clusters.iter().map(|c| c.key.as_str()).collect();
        class_lines(&mut s, &keys, "boundary");
    }
    if !d.edges.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle default stroke:{},color:{}",
            style.flow_stroke, style.flow_text
        );
    }
    let mut hot: Vec<(tms_model::Severity, Vec<String>)> = Vec::new();
    for (i, e) in d.edges.iter().enumerate() {
        if let Heat::Worst(sev) = e.heat {
            match hot.iter_mut().find(|(s, _)| *s == sev) {
                Some(entry) => entry.1.push(i.to_string()),
                None => hot.push((sev, vec![i.to_string()])),
            }
        }
    }
    hot.sort_by_key(|(s, _)| *s);
    for (sev, idx) in hot {
        for chunk in idx.chunks(64) {
            let _ = writeln!(
                s,
                "  linkStyle {} stroke:{},stroke-width:2px",
                chunk.join(","),
                style.severity(sev)
            );
        }
    }
    s
}

fn write_item(s: &mut String, d: &Dfd, item: Item, depth: usize) {
    let pad = "  ".repeat(depth);
    match item {
        Item::Node(n) => {
            let node = &d.nodes[n];
            let _ = writeln!(s, "{pad}{}{}", node.key, shaped(node.kind, &node.label));
        }
        Item::Cluster(c) => {
            let cl = &d.clusters[c];
            let _ = writeln!(s, "{pad}subgraph {}[\"{}\"]", cl.key, escape(&cl.label));
            for it in &cl.items {
                write_item(s, d, *it, depth + 1);
            }
            let _ = writeln!(s, "{pad}end");
        }
    }
}

pub fn sequence(q: &Seq, _style: &Style) -> String {
    let mut s = String::with_capacity(64 + q.messages.len() * 48);
    s.push_str("sequenceDiagram\n");
    let mut p = 0;
    while p < q.participants.len() {
        match q.participants[p].group {
            Some(g) => {
                // Mermaid reads the first word of a box line as its colour when it is
                // one; naming a colour keeps a boundary called "Red zone" intact. A
                // name rather than rgb(): Mermaid's rgb() pattern would swallow text.
                let _ = writeln!(s, "  box whitesmoke {}", escape(&q.groups[g].label));
                for &m in &q.groups[g].participants {
                    participant(&mut s, q, m, "    ");
                }
                s.push_str("  end\n");
                p += q.groups[g].participants.len().max(1);
            }
            None => {
                participant(&mut s, q, p, "  ");
                p += 1;
            }
        }
    }
    for m in &q.messages {
        let arrow = if m.response { "-->>" } else { "->>" };
        let _ = writeln!(
            s,
            "  {}{arrow}{}: {}",
            q.participants[m.from].key,
            q.participants[m.to].key,
            escape(&m.label)
        );
    }
    s
}

fn participant(s: &mut String, q: &Seq, i: usize, pad: &str) {
    let p = &q.participants[i];
    let word = if p.kind == ElementKind::Actor {
        "actor"
    } else {
        "participant"
    };
    let _ = writeln!(s, "{pad}{word} {} as {}", p.key, escape(&p.label));
}
