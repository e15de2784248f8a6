//! Coverage: which STRIDE categories, ATT&CK tactics and OWASP Top 10 items
//! the model's findings touch, and which they leave untouched.
//!
//! A finding touches what its rule maps to: its STRIDE letters, the tactics of
//! its ATT&CK techniques (from the catalogue; a technique can serve several)
//! and its OWASP ids. Findings the team marked false-positive or not-applicable
//! touch nothing: the threat is not there. Every category is listed, touched or
//! not, in the framework's own order, so a report can show the gaps.

use serde::Serialize;

use tms_model::catalogue::CATALOGUES;
use tms_model::{Model, Status};
use tms_rules::engine::Analysis;
use tms_rules::library::Library;
use tms_rules::Stride;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// S T R I D E, in that order.
    pub stride: Vec<Category>,
    /// Every ATT&CK Enterprise tactic, in the catalogue's order.
    pub attack_tactics: Vec<Category>,
    /// One list per OWASP Top 10 the catalogue holds (web, api, llm, agentic).
    pub owasp: Vec<OwaspList>,
}

/// One category of a framework and the findings that touch it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    pub id: String,
    pub name: String,
    pub touched: bool,
    /// Findings that touch it (open or triaged, not ruled out).
    pub findings: usize,
    /// Of those, the open ones.
    pub open: usize,
    /// Rules behind those findings, sorted.
    pub rules: Vec<String>,
    /// For tactics: the ATT&CK techniques that brought the findings here, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwaspList {
    /// `web`, `api`, `llm` or `agentic`.
    pub category: String,
    pub title: String,
    pub items: Vec<Category>,
    pub touched: usize,
    pub total: usize,
}

fn category(id: &str, name: &str) -> Category {
    Category {
        id: id.to_string(),
        name: name.to_string(),
        touched: false,
        findings: 0,
        open: 0,
        rules: Vec::new(),
        techniques: Vec::new(),
    }
}

fn count(c: &mut Category, rule: &str, open: bool, technique: Option<&str>) {
    c.touched = true;
    c.findings += 1;
    c.open += usize::from(open);
    if !c.rules.iter().any(|r| r == rule) {
        c.rules.push(rule.to_string());
    }
    if let Some(t) = technique {
        if !c.techniques.iter().any(|x| x == t) {
            c.techniques.push(t.to_string());
        }
    }
}

pub fn compute(_model: &Model, lib: &Library, a: &Analysis) -> Coverage {
    let mut stride: Vec<Category> = Stride::ALL
        .iter()
        .map(|s| category(s.as_str(), s.long_name()))
        .collect();
    let mut tactics: Vec<(String, Category)> = CATALOGUES
        .attack_tactic_list()
        .map(|(id, name, short)| (short.unwrap_or("").to_string(), category(id, name)))
        .collect();
    let mut owasp: Vec<OwaspList> = Vec::new();
    for (id, name, cat) in CATALOGUES.owasp_entries() {
        let list = match owasp.iter_mut().position(|l| l.category == cat) {
            Some(i) => &mut owasp[i],
            None => {
                owasp.push(OwaspList {
                    category: cat.to_string(),
                    title: owasp_title(cat),
                    items: Vec::new(),
                    touched: 0,
                    total: 0,
                });
                let last = owasp.len() - 1;
                &mut owasp[last]
            }
        };
        list.items.push(category(id, name));
    }

    for f in &a.findings {
        if matches!(f.status, Status::FalsePositive | Status::NotApplicable) {
            continue;
        }
        let rule = &lib.rules[f.rule];
        let open = f.status == Status::Open;
        for s in &rule.stride {
            count(&mut stride[*s as usize], &rule.id, open, None);
        }
        // A finding counts once per tactic, even when two of its techniques share it.
        let mut seen: Vec<&str> = Vec::new();
        for t in &rule.mappings.attack {
            for phase in CATALOGUES.attack_tactics(t) {
                if let Some((_, c)) = tactics.iter_mut().find(|(s, _)| s == phase) {
                    if seen.contains(&phase.as_str()) {
                        if !c.techniques.iter().any(|x| x == t) {
                            c.techniques.push(t.clone());
                        }
                    } else {
                        seen.push(phase);
                        count(c, &rule.id, open, Some(t));
                    }
                }
            }
        }
        for id in &rule.mappings.owasp {
            for list in &mut owasp {
                if let Some(c) = list.items.iter_mut().find(|c| &c.id == id) {
                    count(c, &rule.id, open, None);
                }
            }
        }
    }

    let mut attack_tactics: Vec<Category> = tactics.into_iter().map(|(_, c)| c).collect();
    for c in stride
        .iter_mut()
        .chain(attack_tactics.iter_mut())
        .chain(owasp.iter_mut().flat_map(|l| l.items.iter_mut()))
    {
        c.rules.sort();
        c.techniques.sort();
    }
    for l in &mut owasp {
        l.total = l.items.len();
        l.touched = l.items.iter().filter(|c| c.touched).count();
    }
    Coverage {
        stride,
        attack_tactics,
        owasp,
    }
}

fn owasp_title(category: &str) -> String {
    match category {
        "web" => "OWASP Top 10 (2021)",
        "api" => "OWASP API Security Top 10 (2023)",
        "llm" => "OWASP Top 10 for LLM Applications (2025)",
        "agentic" => "OWASP Top 10 for Agentic Applications (2026)",
        other => other,
    }
    .to_string()
}
