//! SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).
//!
//! Choices, and why:
//!
//! - **Every finding is a result**, triaged ones included: a decision other
//!   than `open` becomes an `inSource` suppression (the model is the source)
//!   with its justification, so GitHub closes the alert and shows why, instead
//!   of the alert vanishing as if the threat were gone.
//! - **Rules: those that produced a finding**, sorted by id. The log then
//!   describes this model's results, its size grows with the findings and not
//!   with the library (pytm's has 114 threats, custom libraries more), and a
//!   rule that stops firing leaves nothing behind. GitHub needs metadata only
//!   for rules a result names.
//! - `partialFingerprints["tmsFindingId/v1"]` is the finding id
//!   `RULE@TARGET`, which survives edits that move lines, so alerts follow the
//!   finding rather than its position.
//! - `security-severity` (a rule property: GitHub reads it nowhere else) is
//!   the rule's CVSS base score when it has a vector, otherwise the band of its
//!   risk level (likelihood x severity). A result's `level` comes from the
//!   finding's own risk, which a triage entry's severity may change.
//! - Columns count Unicode code points, as our positions do (`columnKind`).
//! - `automationDetails.id` names the model, so logs of several models
//!   uploaded for one commit are separate analyses instead of replacing one
//!   another.
//!
//! The log is written with our own serde types rather than a SARIF crate:
//! the results are streamed (a large model's log never sits in memory whole),
//! fields keep SARIF's reading order, and no build-time schema code generation
//! is needed. The schema test in `tests/sarif.rs` keeps the shape honest.

use std::fmt::Write as _;
use std::io::Write;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use crate::{finding_view, FindingView};
use tms_model::risk::{risk, RiskLevel};
use tms_model::{Model, Status};
use tms_rules::engine::{Analysis, Finding};
use tms_rules::library::Library;
use tms_rules::Rule;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub code scanning rejects a run with more results than this.
pub const GITHUB_MAX_RESULTS: usize = 25_000;

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    a: &Analysis,
) -> std::io::Result<()> {
    let used = used_rules(lib, a);
    let mut index = vec![None; lib.rules.len()];
    for (i, r) in used.iter().enumerate() {
        index[*r] = Some(i);
    }
    let uri = artifact_uri(&model.file);
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "tms",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules: used.iter().map(|r| descriptor(&lib.rules[*r])).collect(),
                },
            },
            automation_details: AutomationDetails {
                id: format!("tms/{uri}/"),
            },
            column_kind: "unicodeCodePoints",
            results: Results {
                model,
                lib,
                a,
                index: &index,
                uri: &uri,
            },
            properties: RunProperties {
                open_questions: a.questions.len(),
            },
        }],
    };
    tms_syntax::output::write_json_pretty(out, &log)
}

pub fn render(model: &Model, lib: &Library, a: &Analysis) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(&mut buf, model, lib, a);
    String::from_utf8(buf).unwrap_or_default()
}

/// The library indexes of the rules that produced a finding, sorted by rule id.
fn used_rules(lib: &Library, a: &Analysis) -> Vec<usize> {
    let mut seen = vec![false; lib.rules.len()];
    let mut used = Vec::new();
    for f in &a.findings {
        if !std::mem::replace(&mut seen[f.rule], true) {
            used.push(f.rule);
        }
    }
    used.sort_by(|x, y| lib.rules[*x].id.cmp(&lib.rules[*y].id));
    used
}

fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| is_web_uri(u))
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    column_kind: &'static str,
    results: Results<'a>,
    properties: RunProperties,
}

/// Questions are not results: a code-scanning alert is a problem to fix or
/// dismiss, while a question asks for a fact, and GitHub would turn every one
/// into an alert. The run says how many are open; `tms check` and the reports
/// list them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    open_questions: usize,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Text<'a>,
    full_description: Text<'a>,
    default_configuration: Configuration,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    /// GitHub's 0-10 score, a string by its convention.
    #[serde(rename = "security-severity")]
    security_severity: String,
}

fn descriptor(rule: &Rule) -> Descriptor<'_> {
    let default_risk = risk(rule.likelihood, rule.severity);
    let score = rule
        .cvss
        .as_deref()
        .and_then(|v| tms_model::risk::cvss(v).ok())
        .map_or_else(|| default_risk.level.security_severity(), |c| c.score);
    let full = if rule.description.trim().is_empty() {
        &rule.title
    } else {
        &rule.description
    };
    Descriptor {
        id: &rule.id,
        name: pascal_name(&rule.title),
        short_description: Text { text: &rule.title },
        full_description: Text { text: full },
        default_configuration: Configuration {
            level: level(default_risk.level),
        },
        help: Help {
            text: help_text(rule),
            markdown: help_markdown(rule),
        },
        help_uri: help_uri(rule),
        properties: RuleProperties {
            tags: tags(rule),
            security_severity: format!("{:.1}", score.clamp(0.0, 10.0)),
        },
    }
}

/// SARIF's `name` is an identifier-like form of the rule (`UnencryptedFlow...`).
fn pascal_name(title: &str) -> String {
    let mut out = String::new();
    for word in title.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// GitHub shows `error` as a failure, `warning` and `note` below it.
fn level(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Critical | RiskLevel::High => "error",
        RiskLevel::Medium => "warning",
        RiskLevel::Low => "note",
    }
}

/// `security`, which files the alerts under security; the STRIDE categories;
/// CWE ids in the `external/cwe/cwe-N` form GitHub recognises.
fn tags(rule: &Rule) -> Vec<String> {
    let mut tags = vec!["security".to_string()];
    for s in &rule.stride {
        tags.push(s.long_name().to_ascii_lowercase().replace(' ', "-"));
    }
    for c in &rule.mappings.cwe {
        if let Some(n) = cwe_number(c) {
            let tag = format!("external/cwe/cwe-{n}");
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    // GitHub rejects a rule with more tags than this.
    tags.truncate(MAX_TAGS);
    tags
}

const MAX_TAGS: usize = 20;

fn cwe_number(id: &str) -> Option<&str> {
    let t = id.trim();
    let n = t
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("CWE-"))
        .map(|_| &t[4..])?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

/// A URL a SARIF `uri` field can hold: absolute http(s), nothing a URI forbids.
fn is_web_uri(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b))
}

fn help_uri(rule: &Rule) -> Option<String> {
    rule.references
        .iter()
        .find(|r| is_web_uri(r.trim()))
        .map(|r| r.trim().to_string())
        .or_else(|| {
            rule.mappings
                .cwe
                .iter()
                .find_map(|c| cwe_number(c))
                .map(|n| format!("https://cwe.mitre.org/data/definitions/{n}.html"))
        })
}

/// Framework ids as one line: `CAPEC-157, CWE-319, ATT&CK T1040, OWASP A02:2021`.
fn mapping_line(rule: &Rule) -> String {
    let m = &rule.mappings;
    let mut ids: Vec<String> = Vec::new();
    ids.extend(m.capec.iter().cloned());
    ids.extend(m.cwe.iter().cloned());
    ids.extend(m.attack.iter().map(|t| format!("ATT&CK {t}")));
    ids.extend(m.atlas.iter().map(|t| format!("ATLAS {t}")));
    ids.extend(m.owasp.iter().map(|t| format!("OWASP {t}")));
    ids.join(", ")
}

fn help_text(rule: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", rule.description.trim());
    if !rule.mitigation.trim().is_empty() {
        let _ = write!(s, "\nMitigation: {}\n", rule.mitigation.trim());
    }
    if !rule.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &rule.references {
            let _ = writeln!(s, "- {}", r.trim());
        }
    }
    let mappings = mapping_line(rule);
    if !mappings.is_empty() {
        let _ = write!(s, "\nMappings: {mappings}\n");
    }
    s.trim().to_string()
}

fn help_markdown(rule: &Rule) -> String {
    use crate::markdown::md_escape as esc;
    let mut s = String::new();
    let _ = writeln!(s, "{}", esc(rule.description.trim()));
    if !rule.mitigation.trim().is_empty() {
        let _ = write!(s, "\n**Mitigation.** {}\n", esc(rule.mitigation.trim()));
    }
    if !rule.references.is_empty() {
        s.push_str("\n**References**\n\n");
        for r in &rule.references {
            let r = r.trim();
            if is_web_uri(r) {
                let _ = writeln!(s, "- <{r}>");
            } else {
                let _ = writeln!(s, "- {}", esc(r));
            }
        }
    }
    let mappings = mapping_line(rule);
    if !mappings.is_empty() {
        let _ = write!(s, "\n**Mappings:** {}\n", esc(&mappings));
    }
    let stride: Vec<&str> = rule.stride.iter().map(|x| x.long_name()).collect();
    if !stride.is_empty() {
        let _ = write!(s, "\n**STRIDE:** {}\n", stride.join(", "));
    }
    s.trim().to_string()
}

/// The model path as a URI reference: as given (relative to where `tms` ran,
/// which in CI is the repository root), with `/` separators and percent
/// escapes. An absolute path becomes a `file:` URI, which GitHub's upload
/// action makes relative to the checkout.
pub fn artifact_uri(file: &str) -> String {
    let native_abs = std::path::Path::new(file).is_absolute();
    let mut p = if cfg!(windows) {
        file.replace('\\', "/")
    } else {
        file.to_string()
    };
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    let mut out = String::with_capacity(p.len() + 8);
    if native_abs {
        out.push_str("file://");
        if !p.starts_with('/') {
            out.push('/');
        }
    }
    for b in p.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            // A drive letter's colon (`file:///C:/...`); in a relative path a
            // colon could read as a scheme, so it is escaped there.
            || (b == b':' && native_abs);
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The results, each built only while it is written.
struct Results<'a> {
    model: &'a Model,
    lib: &'a Library,
    a: &'a Analysis,
    index: &'a [Option<usize>],
    uri: &'a str,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.a.findings.len()))?;
        for f in &self.a.findings {
            seq.serialize_element(&self.result(f))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: OwnedText,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "tmsFindingId/v1")]
    finding_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location<'a>>,
}

/// The finding's scoring, as the JSON report writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    target: &'a str,
    target_type: &'static str,
    status: Status,
    severity: tms_model::Severity,
    likelihood: &'static str,
    risk: tms_model::risk::Risk,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvss: Option<tms_model::risk::CvssScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dread: Option<f64>,
    stride: &'a [tms_rules::Stride],
    /// Every rule of the finding: rules of one cause are one finding.
    rules: Vec<&'a str>,
    exposure: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_classification: Option<&'static str>,
}

fn location(uri: &str, line: u32, column: u32) -> Location<'_> {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri },
            // GitHub rejects a result without a line; a model read from
            // somewhere without positions still points at the file's top.
            region: Region {
                start_line: line.max(1),
                start_column: column.max(1),
            },
        },
    }
}

impl<'a> Results<'a> {
    fn result(&self, f: &'a Finding) -> SarifResult<'a> {
        let v: FindingView<'a> = finding_view(self.model, self.lib, f);
        let name = tms_rules::view::target_name(self.model, f.target);
        let mut text = format!("{}: {} `{}`", v.title, v.target_type, v.target);
        if !name.is_empty() && name != v.target {
            let _ = write!(text, " ({name})");
        }
        if !f.also.is_empty() {
            let also: Vec<&str> = f
                .also
                .iter()
                .map(|r| self.lib.rules[*r].id.as_str())
                .collect();
            let _ = write!(text, ". Same cause: {}", also.join(", "));
        }
        if let Some(d) = &f.expired {
            let _ = write!(
                text,
                ". The triage decision expired on {d}; the finding is open again"
            );
        }
        SarifResult {
            rule_id: v.rule,
            // Every finding's rule is in `used_rules`, so the index is set.
            rule_index: self.index[f.rule].unwrap_or_default(),
            level: level(v.risk.level),
            message: OwnedText { text },
            locations: [location(self.uri, v.location.line, v.location.column)],
            partial_fingerprints: Fingerprints { finding_id: v.id },
            suppressions: self.suppression(f).into_iter().collect(),
            properties: ResultProperties {
                target: v.target,
                target_type: v.target_type,
                status: v.status,
                severity: v.severity,
                likelihood: v.likelihood,
                risk: v.risk,
                cvss: v.cvss,
                dread: v.dread,
                stride: v.stride,
                rules: tms_rules::view::finding_rules(f)
                    .map(|r| self.lib.rules[r].id.as_str())
                    .collect(),
                exposure: f.exposure.as_str(),
                data_classification: f.data.map(|c| c.as_str()),
            },
        }
    }

    /// A decision other than `open` suppresses the result, pointing at the
    /// triage entry (or assumption) that made it.
    fn suppression(&self, f: &Finding) -> Option<Suppression<'a>> {
        if f.status == Status::Open {
            return None;
        }
        let model = self.model;
        let triage = f.triage.map(|t| &model.triage[t]);
        let mut justification = f.status.as_str().to_string();
        if let Some(j) = f.justification.as_deref().filter(|j| !j.trim().is_empty()) {
            let _ = write!(justification, ": {}", j.trim());
        }
        if let Some(t) = triage {
            let who: Vec<String> = [
                t.owner.as_deref().map(|o| format!("owner {o}")),
                t.ticket.as_deref().map(|k| format!("ticket {k}")),
                t.expires.as_deref().map(|e| format!("until {e}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !who.is_empty() {
                let _ = write!(justification, " ({})", who.join(", "));
            }
        }
        let pos = triage
            .map(|t| t.pos)
            .or_else(|| f.assumption.map(|a| model.assumptions[a].pos));
        Some(Suppression {
            kind: "inSource",
            status: "accepted",
            justification,
            location: pos.map(|p| location(self.uri, p.line, p.col)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(artifact_uri("models/shop.yaml"), "models/shop.yaml");
        assert_eq!(artifact_uri("./models/shop.yaml"), "models/shop.yaml");
        assert_eq!(artifact_uri("my model#1.yaml"), "my%20model%231.yaml");
        assert_eq!(artifact_uri("a:b.yaml"), "a%3Ab.yaml");
        assert_eq!(artifact_uri("café.yaml"), "caf%C3%A9.yaml");
        if cfg!(unix) {
            assert_eq!(artifact_uri("/repo/m.yaml"), "file:///repo/m.yaml");
        }
    }

    #[test]
    fn cwe_ids() {
        assert_eq!(cwe_number("CWE-79"), Some("79"));
        assert_eq!(cwe_number("cwe-319"), Some("319"));
        assert_eq!(cwe_number("CWE-"), None);
        assert_eq!(cwe_number("CWE-7x"), None);
        assert_eq!(cwe_number("79"), None);
    }

    #[test]
    fn web_uris() {
        assert!(is_web_uri(
            "https://cwe.mitre.org/data/definitions/319.html"
        ));
        assert!(!is_web_uri("https://"));
        assert!(!is_web_uri("https://a b"));
        assert!(!is_web_uri("OWASP ASVS V9"));
    }

    #[test]
    fn names() {
        assert_eq!(
            pascal_name("Unencrypted flow crosses a trust-boundary"),
            "UnencryptedFlowCrossesATrustBoundary"
        );
    }
}
