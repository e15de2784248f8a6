//! The JSON report, exactly the contract's shape (section 2).

use serde::Serialize;

use super::{finding_view, summary, FindingView, Summary};
use crate::model::Model;
use crate::rules::engine::Analysis;
use crate::rules::library::Library;

#[derive(Serialize)]
struct ModelRef<'a> {
    title: &'a str,
    file: &'a str,
}

#[derive(Serialize)]
struct Report<'a> {
    model: ModelRef<'a>,
    findings: Vec<FindingView<'a>>,
    summary: Summary,
}

pub fn render(model: &Model, lib: &Library, a: &Analysis) -> String {
    let report = Report {
        model: ModelRef {
            title: &model.title,
            file: &model.file,
        },
        findings: a
            .findings
            .iter()
            .map(|f| finding_view(model, lib, f))
            .collect(),
        summary: summary(model, lib, a),
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}
