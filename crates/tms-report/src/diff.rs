//! What changed in the findings between two versions of a model (`tms diff`):
//! findings that appeared, disappeared, or changed status or severity.
//!
//! Findings are matched by id (`RULE@TARGET`), so renaming an element shows
//! as one finding removed and one added: that is what happened to the ids
//! triage entries and code-scanning alerts follow.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

use serde::Serialize;

use crate::markdown::{md_code, md_escape};
use crate::{finding_view, Location};
use tms_model::risk::RiskLevel;
use tms_model::{Model, Severity, Status};
use tms_rules::engine::{Analysis, Finding};
use tms_rules::library::Library;

/// The version of the JSON diff's shape; it changes only with the schema.
pub const FORMAT_VERSION: u32 = 1;

/// The JSON Schema of `tms diff --format json`, as shipped in the binary
/// (`tms schema --diff`).
pub const SCHEMA: &str = include_str!("../schemas/diff-1.schema.json");

/// One analysed version of the model.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub model: &'a Model,
    pub lib: &'a Library,
    pub analysis: &'a Analysis,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub title: &'a str,
    pub target: &'a str,
    pub target_type: &'static str,
    pub severity: Severity,
    pub risk: RiskLevel,
    pub status: Status,
    pub justification: Option<&'a str>,
    /// In the new model for added and changed findings, in the old one for removed ones.
    pub location: Location<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct State {
    pub status: Status,
    pub severity: Severity,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub title: &'a str,
    pub target: &'a str,
    pub from: State,
    pub to: State,
    pub justification: Option<&'a str>,
    pub location: Location<'a>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Counts {
    pub total: usize,
    pub open: usize,
    pub questions: usize,
}

/// A question that appeared (the new model asks it) or was answered (the old
/// one asked it and the new one does not).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionEntry<'a> {
    pub id: &'a str,
    pub ask: String,
    pub severity: Severity,
    pub would_raise: Vec<&'a str>,
    pub location: Location<'a>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub questions_added: usize,
    pub questions_answered: usize,
    pub old: Counts,
    pub new: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelRef<'a> {
    pub title: &'a str,
    pub file: &'a str,
}

/// The difference, each list sorted by finding id.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff<'a> {
    pub format_version: u32,
    pub tool: crate::json::Tool,
    pub old: ModelRef<'a>,
    pub new: ModelRef<'a>,
    pub added: Vec<Entry<'a>>,
    pub removed: Vec<Entry<'a>>,
    pub changed: Vec<Change<'a>>,
    pub questions_added: Vec<QuestionEntry<'a>>,
    pub questions_answered: Vec<QuestionEntry<'a>>,
    pub summary: Summary,
}

/// Questions one side asks and the other does not, by id.
fn questions_only_in<'a>(side: Side<'a>, other: Side<'_>) -> Vec<QuestionEntry<'a>> {
    let asked: std::collections::HashSet<&str> = other
        .analysis
        .questions
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    side.analysis
        .questions
        .iter()
        .filter(|q| !asked.contains(q.id.as_str()))
        .map(|q| {
            let v = tms_rules::view::question_view(side.model, side.lib, q);
            QuestionEntry {
                id: v.id,
                ask: v.ask,
                severity: v.severity,
                would_raise: v.would_raise,
                location: v.location,
            }
        })
        .collect()
}

fn entry<'a>(side: Side<'a>, f: &'a Finding) -> Entry<'a> {
    let v = finding_view(side.model, side.lib, f);
    Entry {
        id: v.id,
        rule: v.rule,
        title: v.title,
        target: v.target,
        target_type: v.target_type,
        severity: v.severity,
        risk: v.risk.level,
        status: v.status,
        justification: v.justification,
        location: v.location,
    }
}

fn counts(a: &Analysis) -> Counts {
    Counts {
        total: a.findings.len(),
        open: a
            .findings
            .iter()
            .filter(|f| f.status == Status::Open)
            .count(),
        questions: a.questions.len(),
    }
}

pub fn diff<'a>(old: Side<'a>, new: Side<'a>) -> Diff<'a> {
    let before: HashMap<&str, &Finding> = old
        .analysis
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f))
        .collect();
    let after: HashMap<&str, &Finding> = new
        .analysis
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f))
        .collect();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for f in &new.analysis.findings {
        let Some(was) = before.get(f.id.as_str()) else {
            added.push(entry(new, f));
            continue;
        };
        let from = State {
            status: was.status,
            severity: crate::severity(old.model, old.lib, was),
        };
        let to = State {
            status: f.status,
            severity: crate::severity(new.model, new.lib, f),
        };
        if from == to {
            unchanged += 1;
        } else {
            let e = entry(new, f);
            changed.push(Change {
                id: e.id,
                rule: e.rule,
                title: e.title,
                target: e.target,
                from,
                to,
                justification: e.justification,
                location: e.location,
            });
        }
    }
    let removed: Vec<Entry> = old
        .analysis
        .findings
        .iter()
        .filter(|f| !after.contains_key(f.id.as_str()))
        .map(|f| entry(old, f))
        .collect();
    // The engine sorts findings by id already; sorting again keeps this true
    // whatever order a future engine hands them over in.
    added.sort_by(|x, y| x.id.cmp(y.id));
    changed.sort_by(|x, y| x.id.cmp(y.id));
    let mut removed = removed;
    removed.sort_by(|x, y| x.id.cmp(y.id));
    let questions_added = questions_only_in(new, old);
    let questions_answered = questions_only_in(old, new);
    Diff {
        format_version: FORMAT_VERSION,
        tool: crate::json::Tool::TMS,
        old: ModelRef {
            title: &old.model.title,
            file: &old.model.file,
        },
        new: ModelRef {
            title: &new.model.title,
            file: &new.model.file,
        },
        summary: Summary {
            added: added.len(),
            removed: removed.len(),
            changed: changed.len(),
            unchanged,
            questions_added: questions_added.len(),
            questions_answered: questions_answered.len(),
            old: counts(old.analysis),
            new: counts(new.analysis),
        },
        added,
        removed,
        changed,
        questions_added,
        questions_answered,
    }
}

impl Diff<'_> {
    /// Findings open at or above `threshold` in the new version that were not
    /// (absent, triaged, or below it) in the old one: what a pull request adds
    /// to the gate `tms check --fail-on` would apply.
    pub fn newly_failing(&self, threshold: Severity) -> Vec<&str> {
        let fails = |s: State| s.status == Status::Open && s.severity >= threshold;
        let mut ids: Vec<&str> = self
            .added
            .iter()
            .filter(|e| {
                fails(State {
                    status: e.status,
                    severity: e.severity,
                })
            })
            .map(|e| e.id)
            .chain(
                self.changed
                    .iter()
                    .filter(|c| fails(c.to) && !fails(c.from))
                    .map(|c| c.id),
            )
            .collect();
        ids.sort_unstable();
        ids
    }

    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        tms_syntax::output::write_json_pretty(out, self)
    }

    /// GitHub-flavoured Markdown for a pull-request comment: a headline with
    /// the counts, then one section per kind of change, worst first.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let sum = &self.summary;
        let _ = writeln!(
            s,
            "## Threat model findings: {} → {}\n",
            md_code(self.old.file),
            md_code(self.new.file)
        );
        let _ = writeln!(
            s,
            "{} added, {} removed, {} changed, {} unchanged; open findings {} → {}.",
            sum.added, sum.removed, sum.changed, sum.unchanged, sum.old.open, sum.new.open
        );
        if sum.questions_added + sum.questions_answered > 0 {
            let _ = writeln!(
                s,
                "{} new question{}, {} answered; open questions {} → {}.",
                sum.questions_added,
                if sum.questions_added == 1 { "" } else { "s" },
                sum.questions_answered,
                sum.old.questions,
                sum.new.questions
            );
        }
        if sum.added + sum.removed + sum.changed + sum.questions_added + sum.questions_answered == 0
        {
            s.push_str("\nNo finding or question appeared, disappeared or changed.\n");
            return s;
        }
        let worst_first = |a: &Entry, b: &Entry| b.severity.cmp(&a.severity).then(a.id.cmp(b.id));
        let section = |s: &mut String, heading: &str, entries: &[Entry], old: bool| {
            if entries.is_empty() {
                return;
            }
            let _ = writeln!(s, "\n### {heading} ({})\n", entries.len());
            let mut sorted: Vec<&Entry> = entries.iter().collect();
            sorted.sort_by(|a, b| worst_first(a, b));
            for e in sorted {
                let _ = write!(
                    s,
                    "- **{}** {}: {} ({}{}",
                    e.severity,
                    md_code(e.id),
                    md_escape(e.title),
                    if old { "was " } else { "" },
                    e.status
                );
                if let Some(j) = e.justification {
                    let _ = write!(s, ": {}", md_escape(j));
                }
                let _ = writeln!(
                    s,
                    "), {}",
                    md_code(&format!(
                        "{}:{}:{}",
                        e.location.file, e.location.line, e.location.column
                    ))
                );
            }
        };
        section(&mut s, "Added", &self.added, false);
        section(&mut s, "Removed", &self.removed, true);
        if !self.changed.is_empty() {
            let _ = writeln!(s, "\n### Changed ({})\n", self.changed.len());
            let mut sorted: Vec<&Change> = self.changed.iter().collect();
            sorted.sort_by(|a, b| {
                b.to.severity
                    .max(b.from.severity)
                    .cmp(&a.to.severity.max(a.from.severity))
                    .then(a.id.cmp(b.id))
            });
            for c in sorted {
                let _ = write!(
                    s,
                    "- **{}** {}: {}: ",
                    c.to.severity,
                    md_code(c.id),
                    md_escape(c.title)
                );
                let mut parts = Vec::new();
                if c.from.status != c.to.status {
                    parts.push(format!("{} → {}", c.from.status, c.to.status));
                }
                if c.from.severity != c.to.severity {
                    parts.push(format!("severity {} → {}", c.from.severity, c.to.severity));
                }
                s.push_str(&parts.join(", "));
                if let Some(j) = c.justification {
                    let _ = write!(s, " ({})", md_escape(j));
                }
                s.push('\n');
            }
        }
        let questions = |s: &mut String, heading: &str, qs: &[QuestionEntry]| {
            if qs.is_empty() {
                return;
            }
            let _ = writeln!(s, "\n### {heading} ({})\n", qs.len());
            let mut sorted: Vec<&QuestionEntry> = qs.iter().collect();
            sorted.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(b.id)));
            for q in sorted {
                let _ = writeln!(
                    s,
                    "- **{}** {}: {}",
                    q.severity,
                    md_code(q.id),
                    md_escape(&q.ask)
                );
            }
        };
        questions(&mut s, "New questions", &self.questions_added);
        questions(&mut s, "Answered questions", &self.questions_answered);
        s
    }
}
