//! Report format 1 (`--format-version 1`): one object per finding with its rule's
//! texts repeated, streamed to the writer. Format 2 (`json.rs`) is the default.

use std::io::Write;

use serde::ser::{SerializeSeq, SerializeStruct, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{finding_view, summary, FindingView, Summary};
use tms_model::Model;
use tms_rules::engine::Analysis;
use tms_rules::library::Library;

#[derive(Serialize)]
struct ModelRef<'a> {
    title: &'a str,
    file: &'a str,
}

/// The findings, each turned into its view only while it is written.
struct Findings<'a> {
    model: &'a Model,
    lib: &'a Library,
    a: &'a Analysis,
}

/// A rule's long texts as JSON string literals, escaped once: a large model
/// repeats them in hundreds of thousands of findings, and escaping dominated
/// the time to write the report.
struct RuleTexts {
    rule: Box<RawValue>,
    title: Box<RawValue>,
    stride: Box<RawValue>,
    description: Box<RawValue>,
    mitigation: Box<RawValue>,
    mappings: Box<RawValue>,
    likelihood: Box<RawValue>,
}

/// How deep a finding's fields sit in the pretty report: inside the report
/// object, its `findings` array and the finding object.
const FIELD_INDENT: &str = "\n      ";

impl RuleTexts {
    fn new(r: &tms_rules::Rule) -> RuleTexts {
        RuleTexts {
            rule: raw(&r.id),
            title: raw(&r.title),
            stride: nested(&r.stride),
            description: raw(&r.description),
            mitigation: raw(&r.mitigation),
            mappings: nested(&r.mappings),
            likelihood: raw(r.likelihood.as_str()),
        }
    }
}

fn raw(s: &str) -> Box<RawValue> {
    // A JSON string literal is always a valid raw value.
    serde_json::to_string(s)
        .ok()
        .and_then(|j| RawValue::from_string(j).ok())
        .unwrap_or_else(|| RawValue::from_string("\"\"".to_string()).expect("literal"))
}

/// A value as the pretty printer would write it as a finding's field: a raw
/// value is copied verbatim, so its inner lines carry the field's indent.
/// (A JSON string holds no raw newline, so only structure lines move.)
fn nested<T: Serialize + ?Sized>(v: &T) -> Box<RawValue> {
    serde_json::to_string_pretty(v)
        .ok()
        .and_then(|j| RawValue::from_string(j.replace('\n', FIELD_INDENT)).ok())
        .unwrap_or_else(|| RawValue::from_string("null".to_string()).expect("literal"))
}

/// A finding as `FindingView` serialises it, with the rule's texts pre-escaped.
struct JsonFinding<'a> {
    v: FindingView<'a>,
    texts: &'a RuleTexts,
}

impl Serialize for JsonFinding<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = &self.v;
        let n = 15 + usize::from(v.cvss.is_some()) + usize::from(v.dread.is_some());
        let mut st = s.serialize_struct("Finding", n)?;
        st.serialize_field("id", v.id)?;
        st.serialize_field("rule", &self.texts.rule)?;
        st.serialize_field("title", &self.texts.title)?;
        st.serialize_field("target", v.target)?;
        st.serialize_field("targetType", v.target_type)?;
        st.serialize_field("stride", &self.texts.stride)?;
        st.serialize_field("severity", &v.severity)?;
        st.serialize_field("status", &v.status)?;
        st.serialize_field("justification", &v.justification)?;
        st.serialize_field("description", &self.texts.description)?;
        st.serialize_field("mitigation", &self.texts.mitigation)?;
        st.serialize_field("mappings", &self.texts.mappings)?;
        st.serialize_field("location", &v.location)?;
        st.serialize_field("likelihood", &self.texts.likelihood)?;
        st.serialize_field("risk", &v.risk)?;
        if let Some(c) = &v.cvss {
            st.serialize_field("cvss", c)?;
        }
        if let Some(d) = &v.dread {
            st.serialize_field("dread", d)?;
        }
        st.end()
    }
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let texts: Vec<RuleTexts> = self.lib.rules.iter().map(RuleTexts::new).collect();
        let mut seq = s.serialize_seq(Some(self.a.findings.len()))?;
        for f in &self.a.findings {
            seq.serialize_element(&JsonFinding {
                v: finding_view(self.model, self.lib, f),
                texts: &texts[f.rule],
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Report<'a> {
    model: ModelRef<'a>,
    findings: Findings<'a>,
    summary: Summary,
}

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    a: &Analysis,
) -> std::io::Result<()> {
    let report = Report {
        model: ModelRef {
            title: &model.title,
            file: &model.file,
        },
        findings: Findings { model, lib, a },
        summary: summary(model, lib, a),
    };
    tms_syntax::output::write_json_pretty(out, &report)
}

pub fn render(model: &Model, lib: &Library, a: &Analysis) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(&mut buf, model, lib, a);
    String::from_utf8(buf).unwrap_or_default()
}
