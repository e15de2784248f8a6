//! The JSON report, exactly the contract's shape (section 2), streamed to the
//! writer: a large model's report never sits in memory whole.

use std::io::Write;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use super::{finding_view, summary, Summary};
use crate::model::Model;
use crate::rules::engine::Analysis;
use crate::rules::library::Library;

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

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.a.findings.len()))?;
        for f in &self.a.findings {
            seq.serialize_element(&finding_view(self.model, self.lib, f))?;
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
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}

pub fn render(model: &Model, lib: &Library, a: &Analysis) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(&mut buf, model, lib, a);
    String::from_utf8(buf).unwrap_or_default()
}
