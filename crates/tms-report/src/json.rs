//! The JSON report, format 2 (contract section 2): every text of a rule once,
//! in `rules`; findings that name their rules; the questions the model leaves
//! open; the summary. Findings are streamed: a large model's report never sits
//! in memory whole.

use std::collections::BTreeMap;
use std::io::Write;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use super::{finding_view, summary, Location, Summary};
use tms_model::risk::{CvssScore, Risk};
use tms_model::{Model, Severity, Status};
use tms_rules::engine::Analysis;
use tms_rules::explain::{Evidence, Explainer};
use tms_rules::library::Library;
use tms_rules::view::{finding_rules, question_view};
use tms_rules::{RuleMappings, Stride};

pub const FORMAT_VERSION: u32 = 2;

/// The JSON Schema of this report (`tms schema --report`).
pub const SCHEMA: &str = include_str!("../schemas/report-2.schema.json");

/// The producer every JSON output of tms names (`tool: {name, version}`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub const TMS: Tool = Tool {
        name: "tms",
        version: env!("CARGO_PKG_VERSION"),
    };
}

#[derive(Serialize)]
struct ModelRef<'a> {
    title: &'a str,
    file: &'a str,
}

/// A rule's texts, once per report.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleEntry<'a> {
    title: &'a str,
    stride: &'a [Stride],
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<&'a str>,
    severity: Severity,
    likelihood: &'static str,
    description: &'a str,
    mitigation: &'a str,
    references: &'a [String],
    mappings: &'a RuleMappings,
}

/// A finding: what it is, where, how bad, and what the team decided.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingEntry<'a> {
    id: &'a str,
    source: &'static str,
    rules: Vec<&'a str>,
    title: &'a str,
    target: &'a str,
    target_type: &'static str,
    stride: Vec<Stride>,
    severity: Severity,
    risk: RiskInputs,
    evidence: Vec<Evidence<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvss: Option<CvssScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dread: Option<f64>,
    status: Status,
    justification: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    location: Location<'a>,
}

/// The inputs of a finding's severity and risk (README, "Severity").
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RiskInputs {
    /// The rule's own severity, before exposure and data move it.
    rule_severity: Severity,
    exposure: &'static str,
    data_classification: Option<&'static str>,
    likelihood: u8,
    impact: u8,
    score: u8,
    level: &'static str,
}

impl RiskInputs {
    fn new(rule_severity: Severity, f: &tms_rules::engine::Finding, r: Risk) -> RiskInputs {
        RiskInputs {
            rule_severity,
            exposure: f.exposure.as_str(),
            data_classification: f.data.map(|c| c.as_str()),
            likelihood: r.likelihood,
            impact: r.impact,
            score: r.score,
            level: r.level.as_str(),
        }
    }
}

struct Findings<'a> {
    model: &'a Model,
    lib: &'a Library,
    a: &'a Analysis,
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.a.findings.len()))?;
        let explainer = Explainer::new(self.model, self.lib);
        for f in &self.a.findings {
            let v = finding_view(self.model, self.lib, f);
            let mut stride: Vec<Stride> = finding_rules(f)
                .flat_map(|r| self.lib.rules[r].stride.iter().copied())
                .collect();
            stride.sort_unstable();
            stride.dedup();
            // The rule that stands for the finding, then the others in id order.
            let rules: Vec<&str> = finding_rules(f)
                .map(|r| self.lib.rules[r].id.as_str())
                .collect();
            seq.serialize_element(&FindingEntry {
                id: v.id,
                source: v.source,
                rules,
                title: v.title,
                target: v.target,
                target_type: v.target_type,
                stride,
                severity: v.severity,
                risk: RiskInputs::new(self.lib.rules[f.rule].severity, f, v.risk),
                evidence: explainer.evidence(f),
                cvss: v.cvss,
                dread: v.dread,
                status: v.status,
                justification: v.justification,
                expired: f.expired.as_deref(),
                owner: v.owner,
                ticket: v.ticket,
                location: v.location,
            })?;
        }
        seq.end()
    }
}

struct Questions<'a> {
    model: &'a Model,
    lib: &'a Library,
    a: &'a Analysis,
}

impl Serialize for Questions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.a.questions.len()))?;
        for q in &self.a.questions {
            seq.serialize_element(&question_view(self.model, self.lib, q))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    format_version: u32,
    tool: Tool,
    model: ModelRef<'a>,
    rules: BTreeMap<&'a str, RuleEntry<'a>>,
    findings: Findings<'a>,
    questions: Questions<'a>,
    summary: Summary2,
}

/// The summary as format 2 names it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary2 {
    findings: usize,
    open: usize,
    questions: usize,
    by_severity: serde_json::Map<String, serde_json::Value>,
    by_stride: serde_json::Map<String, serde_json::Value>,
    by_status: serde_json::Map<String, serde_json::Value>,
}

impl Summary2 {
    fn new(s: Summary, questions: usize) -> Summary2 {
        Summary2 {
            findings: s.total,
            open: s.open,
            questions,
            by_severity: s.by_severity,
            by_stride: s.by_stride,
            by_status: s.by_status,
        }
    }
}

/// The rules a finding or a question names, each once, by id.
fn used_rules<'a>(lib: &'a Library, a: &Analysis) -> BTreeMap<&'a str, RuleEntry<'a>> {
    let mut used = vec![false; lib.rules.len()];
    for f in &a.findings {
        for r in finding_rules(f) {
            used[r] = true;
        }
    }
    for q in &a.questions {
        for r in &q.rules {
            used[*r] = true;
        }
    }
    lib.rules
        .iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(r, _)| {
            (
                r.id.as_str(),
                RuleEntry {
                    title: &r.title,
                    stride: &r.stride,
                    cause: r.cause.as_deref(),
                    severity: r.severity,
                    likelihood: r.likelihood.as_str(),
                    description: &r.description,
                    mitigation: &r.mitigation,
                    references: &r.references,
                    mappings: &r.mappings,
                },
            )
        })
        .collect()
}

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    a: &Analysis,
) -> std::io::Result<()> {
    let report = Report {
        format_version: FORMAT_VERSION,
        tool: Tool::TMS,
        model: ModelRef {
            title: &model.title,
            file: &model.file,
        },
        rules: used_rules(lib, a),
        findings: Findings { model, lib, a },
        questions: Questions { model, lib, a },
        summary: Summary2::new(summary(model, lib, a), a.questions.len()),
    };
    tms_syntax::output::write_json_pretty(out, &report)
}

pub fn render(model: &Model, lib: &Library, a: &Analysis) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(&mut buf, model, lib, a);
    String::from_utf8(buf).unwrap_or_default()
}
