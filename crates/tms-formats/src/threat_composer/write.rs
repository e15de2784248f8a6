//! Findings as a Threat Composer workspace: one threat per finding (rule and
//! model ones alike), each rule's mitigation once and linked to its threats,
//! the model's assumptions, and the system listed in the architecture
//! description (Threat Composer draws no diagrams of its own).
//!
//! Ids are UUID v5 of the finding, mitigation or assumption, so exporting the
//! same model twice gives the same workspace; texts are cut to the schema's
//! lengths with an ellipsis.

use std::io::Write;

use serde_json::{json, Map, Value as J};
use uuid::Uuid;

use tms_model::*;
use tms_rules::engine::{Analysis, Finding};
use tms_rules::library::Library;
use tms_rules::view::{finding_view, FindingView};

/// The schema's `maxLength`s.
const NAME_MAX: usize = 200;
const LONG_MAX: usize = 100_000;
const CONTENT_MAX: usize = 1000;
const GRAMMAR_MAX: usize = 200;
const STATEMENT_MAX: usize = 1400;
const TAG_MAX: usize = 30;

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    analysis: &Analysis,
) -> std::io::Result<()> {
    tms_syntax::output::write_json_pretty(out, &document(model, lib, analysis))
}

/// A stable id for `what` (a kind and a key), in UUID form.
fn uuid(kind: &str, key: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("tms:threat-composer:{kind}:{key}").as_bytes(),
    )
    .to_string()
}

/// `s` cut to `max` characters, the last one an ellipsis when cut.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn document(model: &Model, lib: &Library, analysis: &Analysis) -> J {
    let mut threats = Vec::new();
    let mut mitigations: Vec<J> = Vec::new();
    let mut mitigation_ids: Vec<(String, String)> = Vec::new();
    let mut links = Vec::new();
    for (i, f) in analysis.findings.iter().enumerate() {
        let view = finding_view(model, lib, f);
        let threat_id = uuid("finding", view.id);
        threats.push(threat(model, &view, &threat_id, i + 1));
        for text in mitigation_texts(model, lib, f, &view) {
            let mitigation_id = match mitigation_ids.iter().find(|(t, _)| t == text) {
                Some((_, id)) => id.clone(),
                None => {
                    let id = uuid("mitigation", text);
                    mitigation_ids.push((text.to_string(), id.clone()));
                    mitigations.push(mitigation(&id, text, mitigation_ids.len()));
                    id
                }
            };
            links.push(json!({"mitigationId": mitigation_id, "linkedId": threat_id}));
        }
    }
    let assumptions: Vec<J> = model
        .assumptions
        .iter()
        .enumerate()
        .map(|(i, a)| assumption(a, i + 1))
        .collect();
    json!({
        "schema": 1,
        "applicationInfo": {
            "name": cut(&model.title, NAME_MAX),
            "description": cut(&model.description, LONG_MAX),
        },
        "architecture": {"description": cut(&system(model), LONG_MAX)},
        "dataflow": {"description": cut(&dataflows(model), LONG_MAX)},
        "assumptions": assumptions,
        "mitigations": mitigations,
        "assumptionLinks": [],
        "mitigationLinks": links,
        "threats": threats,
    })
}

/// A model threat's mitigations one by one (as Threat Composer keeps them),
/// a rule's mitigation text whole.
fn mitigation_texts<'a>(
    model: &'a Model,
    lib: &'a Library,
    f: &Finding,
    v: &FindingView<'a>,
) -> Vec<&'a str> {
    let stated = lib.rules[f.rule].threat.and_then(|t| model.threats.get(t));
    let texts: Vec<&str> = match stated {
        Some(t) => t.mitigations.iter().map(String::as_str).collect(),
        None => vec![v.mitigation],
    };
    texts
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

fn mitigation(id: &str, text: &str, n: usize) -> J {
    json!({
        "id": id,
        "numericId": n,
        "displayOrder": n,
        "content": cut(text, CONTENT_MAX),
        "status": "mitigationIdentified",
    })
}

fn threat(model: &Model, v: &FindingView, id: &str, n: usize) -> J {
    let asset = target_name(model, v);
    // A threat to the whole system reads as its title alone.
    let statement = if v.target_type == "model" {
        v.title.to_string()
    } else {
        format!("{} ({asset})", v.title)
    };
    let mut metadata = vec![
        json!({"key": "STRIDE", "value": v.stride.iter().map(|s| s.as_str()).collect::<Vec<_>>()}),
        json!({"key": "Priority", "value": priority(v.severity)}),
    ];
    let mut comments = vec![format!(
        "tms finding `{}` ({} {}), status {}",
        v.id,
        v.source,
        v.rule,
        v.status.as_str()
    )];
    if !v.description.trim().is_empty() {
        comments.push(v.description.trim().to_string());
    }
    if let Some(j) = v.justification.filter(|j| !j.trim().is_empty()) {
        comments.push(format!("Justification: {}", j.trim()));
    }
    metadata.push(json!({"key": "Comments", "value": cut(&comments.join("\n\n"), CONTENT_MAX)}));
    let tags: Vec<String> = [v.source, v.rule]
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| cut(t, TAG_MAX))
        .collect();
    let mut t = Map::new();
    t.insert("id".into(), json!(id));
    t.insert("numericId".into(), json!(n));
    t.insert("displayOrder".into(), json!(n));
    t.insert("metadata".into(), J::Array(metadata));
    t.insert("tags".into(), json!(tags));
    t.insert(
        "threatAction".into(),
        json!(cut(&lower_first(v.title), GRAMMAR_MAX)),
    );
    t.insert("impactedAssets".into(), json!([cut(&asset, GRAMMAR_MAX)]));
    t.insert("statement".into(), json!(cut(&statement, STATEMENT_MAX)));
    t.insert("status".into(), json!(status(v.status)));
    J::Object(t)
}

/// The name of what a finding is on, or the model's title for the system.
fn target_name(model: &Model, v: &FindingView) -> String {
    match model.ids.get(v.target) {
        Some(Item::Element(e)) => model.elements[*e].name.clone(),
        Some(Item::Flow(f)) => model.flows[*f].name.clone(),
        _ if v.target.is_empty() || v.target_type == "model" => {
            if model.title.is_empty() {
                "the system".into()
            } else {
                model.title.clone()
            }
        }
        _ => v.target.to_string(),
    }
}

/// Threat Composer's grammar wants the action's first word in lower case.
fn lower_first(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_lowercase().chain(cs).collect(),
        None => String::new(),
    }
}

fn priority(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low | Severity::Info => "Low",
    }
}

/// Threat Composer has three states; an accepted or transferred risk stays
/// identified there (the comments say which).
pub fn status(s: Status) -> &'static str {
    match s {
        Status::Mitigated => "threatResolved",
        Status::NotApplicable | Status::FalsePositive => "threatResolvedNotUseful",
        Status::Open | Status::Accepted | Status::Transferred => "threatIdentified",
    }
}

fn assumption(a: &Assumption, n: usize) -> J {
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid("assumption", &a.name)));
    o.insert("numericId".into(), json!(n));
    o.insert("displayOrder".into(), json!(n));
    o.insert("content".into(), json!(cut(&a.name, CONTENT_MAX)));
    if !a.description.trim().is_empty() {
        o.insert(
            "metadata".into(),
            json!([{"key": "Comments", "value": cut(a.description.trim(), CONTENT_MAX)}]),
        );
    }
    J::Object(o)
}

/// The elements by boundary, as Markdown (headers from H3, as the schema asks).
fn system(model: &Model) -> String {
    let mut s = String::from("### Elements (from tms)\n\n");
    for e in &model.elements {
        let within = e
            .boundary
            .map(|b| format!(", in {}", model.boundaries[b].name))
            .unwrap_or_default();
        s.push_str(&format!("- {} ({}{within})\n", e.name, e.kind.as_str()));
    }
    s
}

fn dataflows(model: &Model) -> String {
    let mut s = String::from("### Data flows (from tms)\n\n");
    for f in &model.flows {
        s.push_str(&format!(
            "- {}: {} → {}\n",
            f.name, model.elements[f.source].name, model.elements[f.sink].name
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        assert_eq!(cut("éééé", 2).chars().count(), 2);
    }
}
