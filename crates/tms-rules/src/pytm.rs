//! pytm's threat library (`threats.json`) read as rules, unchanged: the same
//! conditions, targets, severities and texts. Threats marked `DEPRECATED` are
//! skipped, as pytm skips them.

use super::{Likelihood, Rule, RuleMappings, RuleOrigin, Stride};
use crate::condition;
use tms_model::{Severity, Targets};
use tms_syntax::diag::Diagnostics;
use tms_syntax::reader::Reader;
use tms_syntax::source::{Node, NodeKind};

/// A pytm threat library is a list of objects with `SID` and `condition`.
pub fn is_pytm_threats(root: &Node) -> bool {
    root.as_seq()
        .and_then(|s| s.first())
        .is_some_and(|first| first.get("SID").is_some() && first.get("condition").is_some())
}

fn severity(s: &str) -> Severity {
    match s.trim().to_ascii_lowercase().as_str() {
        "very high" | "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        _ => Severity::Info,
    }
}

/// pytm threats carry no STRIDE category; their SID families map to one.
fn stride_of(sid: &str) -> Vec<Stride> {
    let family: String = sid
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    vec![match family.as_str() {
        "AA" => Stride::S,
        "AC" | "API" => Stride::E,
        "CR" | "DE" | "DS" | "DR" => Stride::I,
        "DO" | "LB" => Stride::D,
        _ => Stride::T,
    }]
}

/// CAPEC and CWE ids from pytm's free-text references.
fn ids_in(refs: &str, marker: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = refs;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            let id = format!("{prefix}-{digits}");
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

pub fn read(root: &Node, file: &str) -> Result<Vec<Rule>, Diagnostics> {
    let mut r = Reader::new(file);
    let mut out = Vec::new();
    for node in root.as_seq().unwrap_or(&[]) {
        if node.get("DEPRECATED").is_some() {
            continue;
        }
        let text = |key: &str| node.str_at(key).unwrap_or("").to_string();
        let id = text("SID");
        if id.is_empty() {
            r.error(node.pos, "a pytm threat has no `SID`");
            continue;
        }
        let mut targets = Targets::default();
        let target_nodes: Vec<&Node> = match node.get("target").map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items.iter().collect(),
            Some(NodeKind::Str(_)) => node.get("target").into_iter().collect(),
            _ => Vec::new(),
        };
        for t in target_nodes {
            match t.as_str().and_then(super::library::parse_target) {
                Some(x) => targets = targets.union(x),
                None => {
                    r.error(t.pos, format!("threat `{id}`: unknown target class"));
                }
            }
        }
        let condition_node = node.get("condition");
        let condition = text("condition");
        let compiled = match condition::compile(&condition, targets) {
            Ok(c) => c,
            Err(e) => {
                r.error(
                    condition_node.map_or(node.pos, |n| n.pos),
                    format!(
                        "threat `{id}`: condition, column {}: {}",
                        e.column, e.message
                    ),
                );
                continue;
            }
        };
        let refs = text("references");
        let mitigation = text("mitigations");
        out.push(Rule {
            title: text("description"),
            stride: stride_of(&id),
            targets,
            condition,
            compiled,
            severity: severity(&text("severity")),
            likelihood: Likelihood::parse(&text("Likelihood Of Attack"))
                .unwrap_or(Likelihood::Medium),
            description: text("details"),
            mitigation,
            references: refs
                .split(", ")
                .filter(|s| s.starts_with("http"))
                .map(str::to_string)
                .collect(),
            mappings: RuleMappings {
                capec: ids_in(&refs, "capec.mitre.org/data/definitions/", "CAPEC"),
                cwe: ids_in(&refs, "cwe.mitre.org/data/definitions/", "CWE"),
                ..RuleMappings::default()
            },
            cvss: None,
            origin: RuleOrigin {
                file: file.to_string(),
                pos: node.pos,
            },
            fixtures: None,
            cause: None,
            applies_to: Vec::new(),
            except: Vec::new(),
            mitigated_by: Vec::new(),
            three_valued: false,
            threat: None,
            id,
        });
    }
    if r.diags.has_errors() {
        Err(r.diags)
    } else {
        Ok(out)
    }
}
