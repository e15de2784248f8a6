//! A finding as every consumer sees it: its rule's texts, its target, its
//! effective severity and risk, and where it is in the model file. Reports,
//! exports, diagrams and `diff` all take this view instead of pairing a
//! finding's indices with the model and the library themselves.

use serde::Serialize;

use crate::condition::TargetRef;
use crate::engine::{target_id, Finding};
use crate::library::Library;
use crate::{RuleMappings, Stride};
use tms_model::risk::{dread_score, risk, CvssScore, Risk};
use tms_model::*;

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
    /// `rules` when a rule of the library found it, `model` when the model's
    /// `threats:` section states it. (Report format 1 predates it: not serialised.)
    #[serde(skip)]
    pub source: &'static str,
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
    /// Who owns the decision, and where the work is tracked: the triage
    /// entry's, else the model threat's. (Not in report format 1.)
    #[serde(skip)]
    pub owner: Option<&'a str>,
    #[serde(skip)]
    pub ticket: Option<&'a str>,
}

pub fn target_type(model: &Model, t: TargetRef) -> &'static str {
    match t {
        TargetRef::Element(e) => model.elements[e].kind.as_str(),
        TargetRef::Flow(_) => "flow",
        TargetRef::Model => "model",
    }
}

/// What the model calls a target (the system's title for the model itself).
pub fn target_name(model: &Model, t: TargetRef) -> &str {
    match t {
        TargetRef::Element(e) => &model.elements[e].name,
        TargetRef::Flow(f) => &model.flows[f].name,
        TargetRef::Model => &model.title,
    }
}

pub fn target_pos(model: &Model, t: TargetRef) -> tms_syntax::source::Pos {
    match t {
        TargetRef::Element(e) => model.elements[e].pos,
        TargetRef::Flow(f) => model.flows[f].pos,
        TargetRef::Model => tms_syntax::source::Pos { line: 1, col: 1 },
    }
}

/// The severity a finding carries: assessed from the evidence, unless a
/// triage entry restates it.
pub fn severity(model: &Model, _lib: &Library, f: &Finding) -> Severity {
    f.triage
        .and_then(|t| model.triage[t].severity)
        .unwrap_or(f.severity)
}

pub fn finding_view<'a>(model: &'a Model, lib: &'a Library, f: &'a Finding) -> FindingView<'a> {
    let rule = &lib.rules[f.rule];
    let threat = rule.threat.and_then(|t| model.threats.get(t));
    // A stated threat is decided where it is written; a rule's finding is
    // where its target is.
    let pos = threat.map_or_else(|| target_pos(model, f.target), |t| t.pos);
    let triage = f.triage.map(|t| &model.triage[t]);
    FindingView {
        id: &f.id,
        source: if threat.is_some() { "model" } else { "rules" },
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
            .and_then(|v| tms_model::risk::cvss(v).ok()),
        dread: triage
            .and_then(|t| t.dread.as_ref())
            .or(threat.and_then(|t| t.dread.as_ref()))
            .map(dread_score),
        owner: triage
            .and_then(|t| t.owner.as_deref())
            .or(threat.and_then(|t| t.owner.as_deref())),
        ticket: triage
            .and_then(|t| t.ticket.as_deref())
            .or(threat.and_then(|t| t.ticket.as_deref())),
    }
}

/// A question as every output format sees it (contract, section 2): what the
/// model leaves unset that rules need, where to set it, and what it decides.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionView<'a> {
    pub id: &'a str,
    /// The element or flow whose attribute is unset.
    pub target: &'a str,
    pub target_type: &'static str,
    pub attributes: [&'static str; 1],
    pub ask: String,
    /// The rules the answer decides, by id.
    pub would_raise: Vec<&'a str>,
    /// The worst severity among them: what is at stake.
    pub severity: Severity,
    /// Where the rules were evaluated (the item itself, or the flows and
    /// elements that reach it), by id.
    pub affects: Vec<&'a str>,
    pub location: Location<'a>,
}

pub fn question_view<'a>(
    model: &'a Model,
    lib: &'a Library,
    q: &'a crate::engine::Question,
) -> QuestionView<'a> {
    let pos = target_pos(model, q.item);
    QuestionView {
        id: &q.id,
        target: target_id(model, q.item),
        target_type: target_type(model, q.item),
        attributes: [q.attr.def().name],
        ask: Ask::of(model, q).to_string(),
        would_raise: q.rules.iter().map(|r| lib.rules[*r].id.as_str()).collect(),
        severity: q.severity,
        affects: q.targets.iter().map(|t| target_id(model, *t)).collect(),
        location: Location {
            file: &model.file,
            line: pos.line,
            column: pos.col,
        },
    }
}

/// A question's `ask` text, written where it is displayed: a report with a
/// million questions writes it straight into the output, never as a string
/// of its own.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    name: &'a str,
    id: &'a str,
    attr: &'static tms_model::AttrDef,
}

impl<'a> Ask<'a> {
    pub fn of(model: &'a Model, q: &crate::engine::Question) -> Ask<'a> {
        Ask {
            name: target_name(model, q.item),
            id: target_id(model, q.item),
            attr: q.attr.def(),
        }
    }

    /// The text in pieces, for writers that escape each piece themselves.
    pub fn pieces(&self) -> [&'a str; 8] {
        let tail = match self.attr.ty {
            tms_model::AttrType::Bool => "` to true or false.",
            _ => "`.",
        };
        let attr = self.attr;
        [
            self.name, " (`", self.id, "`): ", attr.doc, " Set `", attr.name, tail,
        ]
    }
}

impl std::fmt::Display for Ask<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pieces().iter().try_for_each(|p| f.write_str(p))
    }
}

/// Every rule of a finding, the one that stands for it first.
pub fn finding_rules(f: &Finding) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(f.rule).chain(f.also.iter().copied())
}

/// The attribute settings that close a finding (`path: value`), each once,
/// from the `mitigatedBy` of every rule of the finding.
pub fn closed_by(lib: &Library, f: &Finding) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in finding_rules(f) {
        for (path, value) in &lib.rules[r].mitigated_by {
            let c = format!("{path}: {}", value.to_json());
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// The questions, the ones that matter most first: worst stake, then the
/// answers that decide the most rules, then by id.
pub fn questions_by_stake<'a>(
    model: &'a Model,
    lib: &'a Library,
    a: &'a crate::engine::Analysis,
) -> Vec<QuestionView<'a>> {
    by_stake(a)
        .into_iter()
        .map(|q| question_view(model, lib, q))
        .collect()
}

/// The questions in stake order, without building their views: a large model
/// has a million of them and `check` shows ten. The analysis keeps them in id
/// order, so a tie falls back to the position, never to a string comparison.
pub fn by_stake(a: &crate::engine::Analysis) -> Vec<&crate::engine::Question> {
    let mut order: Vec<(usize, &crate::engine::Question)> =
        a.questions.iter().enumerate().collect();
    order.sort_unstable_by(|(i, x), (j, y)| {
        (y.severity, y.rules.len())
            .cmp(&(x.severity, x.rules.len()))
            .then(i.cmp(j))
    });
    order.into_iter().map(|(_, q)| q).collect()
}
