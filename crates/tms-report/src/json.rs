//! The JSON report, format 2 (contract section 2): every text of a rule once,
//! in `rules`; findings that name their rules; the questions the model leaves
//! open; the summary. Findings are streamed: a large model's report never sits
//! in memory whole.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::{finding_view, summary, Location, Summary};
use tms_model::risk::{CvssScore, Risk};
use tms_model::{Model, Severity, Status};
use tms_rules::engine::target_id;
use tms_rules::engine::Analysis;
use tms_rules::engine::Question;
use tms_rules::explain::{Evidence, Explainer};
use tms_rules::library::Library;
use tms_rules::view::{finding_rules, target_pos, target_type, Ask};
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

/// One finding's entry: the finding as every format sees it, with the
/// rules and STRIDE letters of every rule that stands behind it.
fn finding_entry<'a>(
    model: &'a Model,
    lib: &'a Library,
    explainer: &Explainer<'a>,
    f: &'a tms_rules::engine::Finding,
) -> FindingEntry<'a> {
    let v = finding_view(model, lib, f);
    let mut stride: Vec<Stride> = finding_rules(f)
        .flat_map(|r| lib.rules[r].stride.iter().copied())
        .collect();
    stride.sort_unstable();
    stride.dedup();
    // The rule that stands for the finding, then the others in id order.
    let rules: Vec<&str> = finding_rules(f).map(|r| lib.rules[r].id.as_str()).collect();
    FindingEntry {
        id: v.id,
        source: v.source,
        rules,
        title: v.title,
        target: v.target,
        target_type: v.target_type,
        stride,
        severity: v.severity,
        risk: RiskInputs::new(lib.rules[f.rule].severity, f, v.risk),
        evidence: explainer.evidence(f),
        cvss: v.cvss,
        dread: v.dread,
        status: v.status,
        justification: v.justification,
        expired: f.expired.as_deref(),
        owner: v.owner,
        ticket: v.ticket,
        location: v.location,
    }
}

/// One question's entry, byte for byte what serde_json writes for its
/// `QuestionView`, written by hand: a large model has millions of questions,
/// and they are most of its report (see `json_text`).
fn push_question(buf: &mut Vec<u8>, model: &Model, lib: &Library, q: &Question) {
    use crate::json_text::{push_escaped, push_key, push_str, push_str_list, push_u32};
    let pos = target_pos(model, q.item);
    buf.push(b'{');
    push_key(buf, "id");
    push_str(buf, &q.id);
    buf.push(b',');
    push_key(buf, "target");
    push_str(buf, target_id(model, q.item));
    buf.push(b',');
    push_key(buf, "targetType");
    push_str(buf, target_type(model, q.item));
    buf.push(b',');
    push_key(buf, "attributes");
    push_str_list(buf, std::iter::once(q.attr.def().name));
    buf.push(b',');
    push_key(buf, "ask");
    buf.push(b'"');
    for piece in Ask::of(model, q).pieces() {
        push_escaped(buf, piece);
    }
    buf.extend_from_slice(b"\",");
    push_key(buf, "wouldRaise");
    push_str_list(buf, q.rules.iter().map(|r| lib.rules[*r].id.as_str()));
    buf.push(b',');
    push_key(buf, "severity");
    push_str(buf, q.severity.as_str());
    buf.push(b',');
    push_key(buf, "affects");
    push_str_list(buf, q.targets.iter().map(|t| target_id(model, *t)));
    buf.push(b',');
    push_key(buf, "location");
    buf.push(b'{');
    push_key(buf, "file");
    push_str(buf, &model.file);
    buf.push(b',');
    push_key(buf, "line");
    push_u32(buf, pos.line);
    buf.push(b',');
    push_key(buf, "column");
    push_u32(buf, pos.col);
    buf.extend_from_slice(b"}}");
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

/// Entries written per batch: each batch is serialised on every core into
/// buffers and then written in order, so the output is the same however many
/// cores there are, and memory holds one batch, never the whole report.
const BATCH: usize = 4096;

/// Entries one core serialises at a time.
const PER_TASK: usize = 256;

/// The report. The top level is indented; each rule, finding and question is
/// one line of compact JSON, so that a committed report's `git diff` shows one
/// changed line per changed finding, and a large report is a third smaller.
pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    a: &Analysis,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    write!(
        w,
        "{{\n  \"formatVersion\": {FORMAT_VERSION},\n  \"tool\": "
    )?;
    serde_json::to_writer(&mut w, &Tool::TMS)?;
    w.write_all(b",\n  \"model\": ")?;
    let model_ref = ModelRef {
        title: &model.title,
        file: &model.file,
    };
    serde_json::to_writer(&mut w, &model_ref)?;
    w.write_all(b",\n  \"rules\": ")?;
    let rules: Vec<(&str, RuleEntry)> = used_rules(lib, a).into_iter().collect();
    write_lines(&mut w, ('{', '}'), &rules, |buf, (id, rule)| {
        serde_json::to_writer(&mut *buf, id)?;
        buf.extend_from_slice(b": ");
        serde_json::to_writer(buf, rule)
    })?;
    w.write_all(b",\n  \"findings\": ")?;
    let explainer = Explainer::new(model, lib);
    write_lines(&mut w, ('[', ']'), &a.findings, |buf, f| {
        serde_json::to_writer(buf, &finding_entry(model, lib, &explainer, f))
    })?;
    w.write_all(b",\n  \"questions\": ")?;
    write_lines(&mut w, ('[', ']'), &a.questions, |buf, q| {
        push_question(buf, model, lib, q);
        Ok(())
    })?;
    w.write_all(b",\n  \"summary\": ")?;
    let summary = Summary2::new(summary(model, lib, a), a.questions.len());
    serde_json::to_writer(&mut w, &summary)?;
    w.write_all(b"\n}\n")?;
    w.flush()
}

/// A JSON array or object (`brackets`) with one entry per line, each
/// written by `entry` into a buffer; a batch's entries are written on every
/// core at once and joined in order.
fn write_lines<T: Sync>(
    w: &mut impl Write,
    brackets: (char, char),
    items: &[T],
    entry: impl Fn(&mut Vec<u8>, &T) -> serde_json::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let (open, close) = brackets;
    if items.is_empty() {
        return write!(w, "{open}{close}");
    }
    write!(w, "{open}")?;
    let task = |first: bool, part: &[T]| -> serde_json::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(part.len() * 256);
        for (i, item) in part.iter().enumerate() {
            let sep: &[u8] = if first && i == 0 {
                b"\n    "
            } else {
                b",\n    "
            };
            buf.extend_from_slice(sep);
            entry(&mut buf, item)?;
        }
        Ok(buf)
    };
    for (b, batch) in items.chunks(BATCH).enumerate() {
        let parts: Vec<serde_json::Result<Vec<u8>>> = if batch.len() <= PER_TASK {
            vec![task(b == 0, batch)]
        } else {
            batch
                .par_chunks(PER_TASK)
                .enumerate()
                .map(|(i, part)| task(b == 0 && i == 0, part))
                .collect()
        };
        for part in parts {
            w.write_all(&part?)?;
        }
    }
    write!(w, "\n  {close}")
}

pub fn render(model: &Model, lib: &Library, a: &Analysis) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(&mut buf, model, lib, a);
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tms_rules::view::question_view;
    use tms_syntax::source::SourceFile;

    /// A model whose names need every kind of escape, with questions.
    const HOSTILE: &str = r#"
title: "Quotes \" and \\ backslashes"
elements:
  - id: web
    type: server
    name: "Web \"front\"\n\t<script>alert(1)</script> é ✓ \u0001"
  - id: "db-\u00e9"
    type: datastore
    name: "Store\r\n\\ end"
flows:
  - id: q
    from: web
    to: "db-\u00e9"
    name: "query \"x\""
"#;

    #[test]
    fn hand_written_questions_are_what_serde_json_writes_for_their_view() {
        let src = SourceFile::from_text("hostile \"model\".yaml", HOSTILE.to_string());
        let loaded = match tms_formats::load::load_source(&src) {
            Ok(l) => l,
            Err(d) => panic!("model invalid: {:?}", d.0),
        };
        let lib = Library::builtin().unwrap_or_default();
        let a = tms_rules::engine::analyze(&loaded.model, &lib);
        assert!(
            a.questions.len() > 3,
            "the model should leave questions open"
        );
        for q in &a.questions {
            let mut ours = Vec::new();
            push_question(&mut ours, &loaded.model, &lib, q);
            let view = question_view(&loaded.model, &lib, q);
            let theirs = serde_json::to_string(&view).unwrap_or_default();
            assert_eq!(String::from_utf8_lossy(&ours), theirs);
        }
    }

    #[test]
    fn each_entry_is_one_line_and_the_whole_is_the_same_json() {
        let src = SourceFile::from_text("m.yaml", HOSTILE.to_string());
        let Ok(loaded) = tms_formats::load::load_source(&src) else {
            panic!("model invalid");
        };
        let lib = Library::builtin().unwrap_or_default();
        let a = tms_rules::engine::analyze(&loaded.model, &lib);
        let text = render(&loaded.model, &lib, &a);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let entries = a.findings.len() + a.questions.len();
        let lines = text.lines().filter(|l| l.starts_with("    {")).count();
        assert_eq!(lines, entries);
        assert_eq!(
            v["questions"].as_array().map(Vec::len),
            Some(a.questions.len())
        );
        assert_eq!(v["summary"]["questions"], a.questions.len());
    }

    #[test]
    fn batches_join_in_order_with_one_separator_between_entries() {
        // More entries than one batch and one task, so the joins are exercised.
        let items: Vec<u32> = (0..(BATCH as u32 * 2 + PER_TASK as u32 + 3)).collect();
        let mut out = Vec::new();
        let written = write_lines(&mut out, ('[', ']'), &items, |buf, n| {
            serde_json::to_writer(buf, n)
        });
        assert!(written.is_ok());
        let back: Vec<u32> = serde_json::from_slice(&out).unwrap_or_default();
        assert_eq!(back, items);
        let mut empty = Vec::new();
        assert!(write_lines(&mut empty, ('{', '}'), &[] as &[u32], |_, _| Ok(())).is_ok());
        assert_eq!(empty, b"{}");
    }
}
