//! AWS Threat Composer workspaces (`.tc.json`, schema version 1): threats
//! written in its grammar, mitigations and assumptions linked to them, and
//! the system described in prose and pictures.
//!
//! | Threat Composer | tms |
//! |---|---|
//! | `applicationInfo` | title, description |
//! | threat | model threat to the whole system (no `affects`): its statement as the title; grammar, comments and tags in the description; `STRIDE`; `Priority` as severity; status |
//! | mitigation linked to a threat | the threat's `mitigations` |
//! | assumption | `assumptions` (comments as description); linked to a threat: named in its description |
//! | `architecture`, `dataflow` | not carried over: the system is left for the user to model |
//!
//! `write.rs` exports findings as a workspace Threat Composer opens.

pub mod write;

use tms_syntax::fxhash::FxHashMap as HashMap;

use super::importer::{self, Builder};
use tms_model::imported::Anchor;
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::source::{Node, NodeKind};

/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "threat-composer",
    about: "AWS Threat Composer workspace JSON (.tc.json); written with the findings as threats",
    title: "a Threat Composer",
    signature: "a Threat Composer workspace has a numeric `schema` and `applicationInfo`, `threats` or `mitigationLinks` at the top",
    input: crate::registry::Input::Tree {
        detect,
        read,
    },
    write: Some(write::write),
};

/// A numeric `schema` beside one of the workspace's own sections (our
/// format has `threats` and `assumptions` too, but no `schema`).
pub fn detect(root: &Node) -> bool {
    let numeric = root
        .get("schema")
        .is_some_and(|s| matches!(s.kind, NodeKind::Int(_) | NodeKind::Float(_)));
    numeric
        && [
            "applicationInfo",
            "threats",
            "mitigations",
            "mitigationLinks",
            "assumptionLinks",
        ]
        .iter()
        .any(|k| root.get(k).is_some())
}

pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    let mut b = Builder::new(file, FORMAT.name);
    read_workspace(&mut b, root);
    b.finish()
}

/// The text at `key`, trimmed; empty when absent or not text.
fn text<'a>(n: &'a Node, key: &str) -> &'a str {
    n.str_at(key).unwrap_or("").trim()
}

/// A list at `key` (an error when it is something else).
fn list<'n>(b: &mut Builder, n: &'n Node, key: &str) -> &'n [Node] {
    match n.get(key) {
        Some(v) if !v.is_null() => b.r.seq(v, &format!("`{key}`")).unwrap_or(&[]),
        _ => &[],
    }
}

/// The metadata value under `key`: text, or a list of texts.
fn metadata<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.get("metadata")?
        .as_seq()?
        .iter()
        .find(|m| m.str_at("key") == Some(key))?
        .get("value")
}

fn strings(n: Option<&Node>) -> Vec<&str> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Str(s)) => vec![s.as_str()],
        Some(NodeKind::Seq(items)) => items.iter().filter_map(Node::as_str).collect(),
        _ => Vec::new(),
    }
}

fn read_workspace(b: &mut Builder, root: &Node) {
    if let Some(app) = root.get("applicationInfo") {
        b.model.title = text(app, "name").to_string();
        b.model.description = text(app, "description").to_string();
    }
    if b.model.title.is_empty() {
        b.model.title = "Threat Composer workspace".into();
    }
    system_note(b, root);
    let assumptions = read_assumptions(b, root);
    let mitigations: HashMap<&str, &str> = list(b, root, "mitigations")
        .iter()
        .filter_map(|m| Some((m.str_at("id")?, text(m, "content"))))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let mut mitigations_of: HashMap<&str, Vec<&str>> = HashMap::default();
    for l in list(b, root, "mitigationLinks") {
        if let (Some(m), Some(t)) = (l.str_at("mitigationId"), l.str_at("linkedId")) {
            if let Some(content) = mitigations.get(m) {
                mitigations_of.entry(t).or_default().push(content);
            }
        }
    }
    let mut assumptions_of: HashMap<&str, Vec<&str>> = HashMap::default();
    let mut on_mitigations = 0;
    for l in list(b, root, "assumptionLinks") {
        let (Some(a), Some(t)) = (l.str_at("assumptionId"), l.str_at("linkedId")) else {
            continue;
        };
        match (l.str_at("type"), assumptions.get(a)) {
            (Some("Threat"), Some(content)) => assumptions_of.entry(t).or_default().push(content),
            _ => on_mitigations += 1,
        }
    }
    if on_mitigations > 0 {
        b.note(
            Anchor::Model,
            format!("{on_mitigations} link(s) of an assumption to a mitigation (tms links assumptions to nothing)"),
        );
    }
    for t in list(b, root, "threats") {
        let id = t.str_at("id").unwrap_or("");
        let mits = mitigations_of.get(id).map_or(&[][..], Vec::as_slice);
        let assumed = assumptions_of.get(id).map_or(&[][..], Vec::as_slice);
        read_threat(b, t, mits, assumed);
    }
}

/// Threat Composer describes the system in prose and pictures, which tms
/// cannot turn into elements and flows: the user models them.
fn system_note(b: &mut Builder, root: &Node) {
    let mut parts = Vec::new();
    for key in ["architecture", "dataflow"] {
        let Some(n) = root.get(key) else { continue };
        let mut what = Vec::new();
        if !text(n, "description").is_empty() {
            what.push("description");
        }
        if !text(n, "image").is_empty() {
            what.push("diagram");
        }
        if !what.is_empty() {
            parts.push(format!("the {key} {}", what.join(" and ")));
        }
    }
    let from = if parts.is_empty() {
        String::new()
    } else {
        format!(" ({} are not carried over)", parts.join("; "))
    };
    b.note(
        Anchor::Model,
        format!("the system's elements, flows and boundaries are left for you to model{from}; the threats apply to the system as a whole until you set their `affects`"),
    );
}

/// Our assumptions; the content of each by its Threat Composer id.
fn read_assumptions<'n>(b: &mut Builder, root: &'n Node) -> HashMap<&'n str, &'n str> {
    let mut by_id = HashMap::default();
    for a in list(b, root, "assumptions") {
        let content = text(a, "content");
        if content.is_empty() {
            continue;
        }
        if let Some(id) = a.str_at("id") {
            by_id.insert(id, content);
        }
        b.model.assumptions.push(Assumption {
            name: content.to_string(),
            description: strings(metadata(a, "Comments"))
                .join("\n")
                .trim()
                .to_string(),
            excludes: Vec::new(),
            pos: a.pos,
        });
    }
    by_id
}

fn read_threat(b: &mut Builder, t: &Node, mitigations: &[&str], assumed: &[&str]) {
    let number = match t.get("numericId").map(|n| &n.kind) {
        Some(NodeKind::Int(i)) => Some(format!("TC-{i}")),
        Some(NodeKind::Float(f)) if f.fract() == 0.0 && f.is_finite() => {
            Some(format!("TC-{}", *f as i64))
        }
        _ => None,
    };
    let statement = match text(t, "statement") {
        "" => grammar_statement(t),
        s => s.to_string(),
    };
    let id = b.threat_id(number.as_deref(), &statement);
    let mut threat = Threat::new(id.clone(), statement, t.pos);
    threat.description = description(t, assumed);
    threat.stride = strings(metadata(t, "STRIDE"))
        .into_iter()
        .filter_map(Stride::parse)
        .collect();
    // In STRIDE order, once each, as our format keeps them.
    threat.stride.sort();
    threat.stride.dedup();
    threat.severity = strings(metadata(t, "Priority"))
        .first()
        .and_then(|p| Severity::parse(p));
    threat.status = match text(t, "status") {
        "threatResolved" => Status::Mitigated,
        "threatResolvedNotUseful" => Status::NotApplicable,
        _ => Status::Open,
    };
    // What the team noted on a decided threat is the record of the decision.
    let comments = strings(metadata(t, "Comments")).join("\n");
    if threat.status != Status::Open && !comments.trim().is_empty() {
        threat.justification = Some(comments.trim().to_string());
    }
    threat.mitigations = mitigations.iter().map(|m| m.to_string()).collect();
    for m in t.get("metadata").and_then(Node::as_seq).unwrap_or(&[]) {
        let key = m.str_at("key").unwrap_or("");
        if key.starts_with("custom:") || key.starts_with("threatPack") {
            let value = strings(m.get("value")).join(", ");
            b.note(
                Anchor::Model,
                format!("threat `{id}`: {key}: {}", importer::clip(&value)),
            );
        }
    }
    b.add_threat(threat);
}

/// The statement Threat Composer would write, for a threat saved without one.
fn grammar_statement(t: &Node) -> String {
    let mut s = format!(
        "A {} {} can {}",
        text(t, "threatSource"),
        text(t, "prerequisites"),
        text(t, "threatAction")
    );
    let impact = text(t, "threatImpact");
    if !impact.is_empty() {
        s.push_str(&format!(", which leads to {impact}"));
    }
    let goals = strings(t.get("impactedGoal"));
    if !goals.is_empty() {
        s.push_str(&format!(", resulting in reduced {}", goals.join(" and ")));
    }
    let assets = strings(t.get("impactedAssets"));
    if !assets.is_empty() {
        s.push_str(&format!(" of {}", assets.join(" and ")));
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The grammar's parts, the comments, tags and assumptions, one per line.
fn description(t: &Node, assumed: &[&str]) -> String {
    let mut lines = Vec::new();
    for (key, label) in [
        ("threatSource", "Threat source"),
        ("prerequisites", "Prerequisites"),
        ("threatAction", "Threat action"),
        ("threatImpact", "Threat impact"),
    ] {
        let v = text(t, key);
        if !v.is_empty() {
            lines.push(format!("{label}: {v}"));
        }
    }
    for (key, label) in [
        ("impactedGoal", "Impacted goal"),
        ("impactedAssets", "Impacted assets"),
    ] {
        let v = strings(t.get(key));
        if !v.is_empty() {
            lines.push(format!("{label}: {}", v.join(", ")));
        }
    }
    let tags = strings(t.get("tags"));
    if !tags.is_empty() {
        lines.push(format!("Tags: {}", tags.join(", ")));
    }
    for a in assumed {
        lines.push(format!("Assumes: {a}"));
    }
    let comments = strings(metadata(t, "Comments")).join("\n");
    if !comments.trim().is_empty() {
        lines.push(String::new());
        lines.push(comments.trim().to_string());
    }
    lines.join("\n")
}
