//! PlantUML: a deployment diagram for DFDs, a sequence diagram for sequences.
//!
//! PlantUML text is full of markup: Creole (`**bold**`, `--strike--`, `~`
//! escapes, `[[links]]`), HTML-like tags, `\n` line breaks, preprocessor
//! `$variables` and `%functions`, and a quoted name cannot hold a quote at all.
//! It does decode `&#NNN;` character references everywhere, so every ASCII
//! character other than letters, digits, space and `.,:?@()` is written as one.
//! Non-ASCII text is left as UTF-8. A line break is written `\n`.

use std::fmt::Write;

use super::seq::Seq;
use super::style::{Direction, Style};
use super::{Dfd, Heat, Item};
use tms_model::ElementKind;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            c if c.is_ascii_alphanumeric()
                || matches!(c, ' ' | '.' | ',' | ':' | '?' | '@' | '(' | ')') =>
            {
                out.push(c)
            }
            c if c.is_ascii() => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn keyword(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::Actor => "actor",
        ElementKind::ExternalEntity => "rectangle",
        ElementKind::Process => "usecase",
        ElementKind::SetOfProcesses => "collections",
        ElementKind::Server => "node",
        ElementKind::Lambda => "component",
        ElementKind::Datastore => "database",
        ElementKind::Agent => "hexagon",
        ElementKind::Llm => "cloud",
    }
}

fn header(s: &mut String, style: &Style) {
    s.push_str("@startuml\n");
    let _ = writeln!(
        s,
        "skinparam defaultFontName \"{}\"",
        style.primary_family()
    );
    let _ = writeln!(s, "skinparam defaultFontSize {}", style.font_size);
}

pub fn component(d: &Dfd, style: &Style) -> String {
    let mut s = String::with_capacity(128 + d.nodes.len() * 96 + d.edges.len() * 64);
    header(&mut s, style);
    s.push_str(match style.direction {
        Direction::LeftRight | Direction::RightLeft => "left to right direction\n",
        Direction::TopBottom | Direction::BottomTop => "top to bottom direction\n",
    });
    for item in &d.roots {
        write_item(&mut s, d, style, *item, 0);
    }
    for e in &d.edges {
        let color = match e.heat {
            Heat::Worst(sev) => style.severity(sev),
            _ => style.flow_stroke,
        };
        let dash = if e.response { ",dashed" } else { "" };
        let _ = write!(
            s,
            "{} -[{color}{dash}]-> {}",
            d.nodes[e.from].key, d.nodes[e.to].key
        );
        if !e.label.is_empty() {
            let _ = write!(s, " : {}", escape(&e.label));
        }
        s.push('\n');
    }
    s.push_str("@enduml\n");
    s
}

fn write_item(s: &mut String, d: &Dfd, style: &Style, item: Item, depth: usize) {
    let pad = "  ".repeat(depth);
    match item {
        Item::Node(n) => {
            let node = &d.nodes[n];
            let p = style.kind(node.kind);
            let fill = style.fill(node.kind, node.heat);
            let _ = writeln!(
                s,
                "{pad}{} \"{}\" as {} #{};line:{};text:{}",
                keyword(node.kind),
                escape(&node.label),
                node.key,
                fill.bare_hex(),
                p.stroke.bare_hex(),
                p.text.bare_hex()
            );
        }
        Item::Cluster(c) => {
            let cl = &d.clusters[c];
            let b = style.boundary;
            let _ = writeln!(
                s,
                "{pad}rectangle \"{}\" as {} #{};line:{};line.dashed;text:{} {{",
                escape(&cl.label),
                cl.key,
                b.fill.bare_hex(),
                b.stroke.bare_hex(),
                b.text.bare_hex()
            );
            for it in &cl.items {
                write_item(s, d, style, *it, depth + 1);
            }
            let _ = writeln!(s, "{pad}}}");
        }
    }
}

fn participant_keyword(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::Actor => "actor",
        ElementKind::ExternalEntity => "boundary",
        ElementKind::Process | ElementKind::Server | ElementKind::Lambda => "participant",
        ElementKind::SetOfProcesses => "collections",
        ElementKind::Datastore => "database",
        ElementKind::Agent => "control",
        ElementKind::Llm => "entity",
    }
}

pub fn sequence(q: &Seq, style: &Style) -> String {
    let mut s = String::with_capacity(128 + q.messages.len() * 48);
    header(&mut s, style);
    let mut p = 0;
    while p < q.participants.len() {
        match q.participants[p].group {
            Some(g) => {
                let _ = writeln!(
                    s,
                    "box \"{}\" {}",
                    escape(&q.groups[g].label),
                    style.boundary.fill
                );
                for &m in &q.groups[g].participants {
                    participant(&mut s, q, m, "  ");
                }
                s.push_str("end box\n");
                p += q.groups[g].participants.len().max(1);
            }
            None => {
                participant(&mut s, q, p, "");
                p += 1;
            }
        }
    }
    for m in &q.messages {
        let arrow = if m.response { "-->" } else { "->" };
        let _ = write!(
            s,
            "{} {arrow} {}",
            q.participants[m.from].key, q.participants[m.to].key
        );
        if !m.label.is_empty() {
            let _ = write!(s, " : {}", escape(&m.label));
        }
        s.push('\n');
    }
    s.push_str("@enduml\n");
    s
}

fn participant(s: &mut String, q: &Seq, i: usize, pad: &str) {
    let p = &q.participants[i];
    let _ = writeln!(
        s,
        "{pad}{} \"{}\" as {}",
        participant_keyword(p.kind),
        escape(&p.label),
        p.key
    );
}
