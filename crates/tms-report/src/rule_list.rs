//! `tms rules list --json`: the rule library as data, one entry per rule.
//! Its JSON Schema is `schemas/rules-1.schema.json` (`tms schema --rules`).

use std::io::Write;

use serde::Serialize;

use crate::json::Tool;
use tms_model::{Severity, Stride};
use tms_rules::{Rule, RuleMappings};

/// The version of this output's shape; it changes only with the schema.
pub const FORMAT_VERSION: u32 = 1;

/// The JSON Schema of the list, as shipped in the binary.
pub const SCHEMA: &str = include_str!("../schemas/rules-1.schema.json");

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleList<'a> {
    format_version: u32,
    tool: Tool,
    rules: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    title: &'a str,
    stride: &'a [Stride],
    targets: Vec<&'static str>,
    severity: Severity,
    likelihood: &'static str,
    condition: &'a str,
    mappings: &'a RuleMappings,
    cvss: Option<&'a str>,
    references: &'a [String],
}

/// Writes the rules, in the order given, as one JSON document.
pub fn write(out: &mut dyn Write, rules: &[&Rule]) -> std::io::Result<()> {
    let list = RuleList {
        format_version: FORMAT_VERSION,
        tool: Tool::TMS,
        rules: rules
            .iter()
            .map(|r| Entry {
                id: &r.id,
                title: &r.title,
                stride: &r.stride,
                targets: r.targets.names(),
                severity: r.severity,
                likelihood: r.likelihood.as_str(),
                condition: &r.condition,
                mappings: &r.mappings,
                cvss: r.cvss.as_deref(),
                references: &r.references,
            })
            .collect(),
    };
    tms_syntax::output::write_json_pretty(out, &list)
}
