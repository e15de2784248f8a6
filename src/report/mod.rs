//! Reports: one serialisable view of an analysed model, written out per format.

pub mod coverage;
pub mod csv;
pub mod data;
pub mod html;
pub mod json;
pub mod md;
pub mod template;

use serde::Serialize;

use crate::condition::TargetRef;
use crate::model::*;
use crate::risk::{dread_score, risk, CvssScore, Risk};
use crate::rules::engine::{target_id, Analysis, Finding};
use crate::rules::library::Library;
use crate::rules::{RuleMappings, Stride};

#[derive(Debug, Clone, Serialize)]
pub struct Location<'a> {
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
}

/// A finding as every output format sees it (contract, section 2).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingView<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub title: &'a str,
    pub target: &'a str,
    pub target_type: &'static str,
    pub stride: &'a [Stride],
    pub severity: Severity,
    pub status: Status,
    pub justification: Option<&'a str>,
    pub description: &'a str,
    pub mitigation: &'a str,
    pub mappings: &'a RuleMappings,
    pub location: Location<'a>,
    pub likelihood: &'static str,
    pub risk: Risk,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<CvssScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dread: Option<f64>,
}

pub fn target_type(model: &Model, t: TargetRef) -> &'static str {
    match t {
        TargetRef::Element(e) => model.elements[e].kind.as_str(),
        TargetRef::Flow(_) => "flow",
    }
}

pub fn target_pos(model: &Model, t: TargetRef) -> crate::source::Pos {
    match t {
        TargetRef::Element(e) => model.elements[e].pos,
        TargetRef::Flow(f) => model.flows[f].pos,
    }
}

/// The severity a finding carries: a triage entry may restate it.
pub fn severity(model: &Model, lib: &Library, f: &Finding) -> Severity {
    f.triage
        .and_then(|t| model.triage[t].severity)
        .unwrap_or(lib.rules[f.rule].severity)
}

pub fn finding_view<'a>(model: &'a Model, lib: &'a Library, f: &'a Finding) -> FindingView<'a> {
    let rule = &lib.rules[f.rule];
    let pos = target_pos(model, f.target);
    let triage = f.triage.map(|t| &model.triage[t]);
    FindingView {
        id: &f.id,
        rule: &rule.id,
        title: &rule.title,
        target: target_id(model, f.target),
        target_type: target_type(model, f.target),
        stride: &rule.stride,
        severity: severity(model, lib, f),
        status: f.status,
        justification: f.justification.as_deref(),
        description: &rule.description,
        mitigation: &rule.mitigation,
        mappings: &rule.mappings,
        location: Location {
            file: &model.file,
            line: pos.line,
            column: pos.col,
        },
        likelihood: rule.likelihood.as_str(),
        risk: risk(rule.likelihood, severity(model, lib, f)),
        cvss: triage
            .and_then(|t| t.cvss.as_deref())
            .or(rule.cvss.as_deref())
            .and_then(|v| crate::risk::cvss(v).ok()),
        dread: triage.and_then(|t| t.dread.as_ref()).map(dread_score),
    }
}

/// Counts for the summary, in a fixed order so output is stable.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub total: usize,
    pub open: usize,
    pub by_severity: serde_json::Map<String, serde_json::Value>,
    pub by_stride: serde_json::Map<String, serde_json::Value>,
    pub by_status: serde_json::Map<String, serde_json::Value>,
}

pub fn summary(model: &Model, lib: &Library, a: &Analysis) -> Summary {
    let mut sev = [0usize; 5];
    let mut stride = [0usize; 6];
    let mut status = [0usize; 6];
    for f in &a.findings {
        sev[severity(model, lib, f) as usize] += 1;
        for s in &lib.rules[f.rule].stride {
            stride[*s as usize] += 1;
        }
        status[f.status as usize] += 1;
    }
    let counts = |names: &mut dyn Iterator<Item = &'static str>, values: &[usize]| {
        names
            .zip(values)
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (k.to_string(), serde_json::Value::from(*n)))
            .collect::<serde_json::Map<_, _>>()
    };
    // Severity from the worst down, as people read it.
    let sev_names = Severity::ALL.iter().rev().map(|s| s.as_str());
    let sev_counts: Vec<usize> = Severity::ALL
        .iter()
        .rev()
        .map(|s| sev[*s as usize])
        .collect();
    Summary {
        total: a.findings.len(),
        open: status[Status::Open as usize],
        by_severity: counts(&mut sev_names.into_iter(), &sev_counts),
        by_stride: counts(&mut Stride::ALL.iter().map(|s| s.as_str()), &stride),
        by_status: counts(&mut Status::ALL.iter().map(|s| s.as_str()), &status),
    }
}
