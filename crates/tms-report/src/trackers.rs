//! Findings to where work is tracked: Jira's CSV import (`jira-csv`) and
//! GitHub issues as JSON Lines (`github-issues`), one issue per open finding
//! (and, when asked, per question). Each issue names the finding id, and a
//! finding whose decision already records a `ticket:` is skipped, so running
//! the export again files only what is new.

use std::io::Write;

use tms_model::{Model, Severity, Status};
use tms_rules::engine::{Analysis, Finding};
use tms_rules::library::Library;
use tms_rules::view::{finding_view, question_view, FindingView};

/// Which findings and questions become issues.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// Only what is at or above this severity.
    pub min_severity: Severity,
    /// Questions too (a question is work: someone must find out).
    pub questions: bool,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            min_severity: Severity::Info,
            questions: false,
        }
    }
}

/// One issue, whatever the tracker.
struct Issue {
    id: String,
    title: String,
    severity: Severity,
    labels: Vec<String>,
    /// The body's parts, each already plain text; each tracker marks them up.
    sections: Vec<(&'static str, String)>,
    location: String,
}

fn wanted<'a>(
    model: &'a Model,
    lib: &'a Library,
    f: &'a Finding,
    sel: Selection,
) -> Option<FindingView<'a>> {
    let v = finding_view(model, lib, f);
    (v.status == Status::Open && v.severity >= sel.min_severity && v.ticket.is_none()).then_some(v)
}

fn issues(model: &Model, lib: &Library, a: &Analysis, sel: Selection) -> Vec<Issue> {
    let mut out = Vec::new();
    for f in &a.findings {
        let Some(v) = wanted(model, lib, f, sel) else {
            continue;
        };
        let mut labels = vec![
            "threat-model".to_string(),
            format!("severity:{}", v.severity.as_str()),
        ];
        labels.extend(v.stride.iter().map(|s| format!("stride:{}", s.as_str())));
        labels.extend(v.mappings.cwe.iter().cloned());
        labels.extend(v.mappings.capec.iter().cloned());
        labels.push(format!("source:{}", v.source));
        let target = if v.target.is_empty() {
            "the whole system".to_string()
        } else {
            format!("{} {}", v.target_type, v.target)
        };
        let mut sections = vec![
            ("Finding", format!("{} on {target}", v.id)),
            (
                "Severity",
                format!(
                    "{} (risk {} of 25, {})",
                    v.severity.as_str(),
                    v.risk.score,
                    v.risk.level.as_str()
                ),
            ),
        ];
        if !v.description.is_empty() {
            sections.push(("What could go wrong", v.description.to_string()));
        }
        if !v.mitigation.is_empty() {
            sections.push(("Mitigation", v.mitigation.to_string()));
        }
        if let Some(owner) = v.owner {
            sections.push(("Owner", owner.to_string()));
        }
        out.push(Issue {
            id: v.id.to_string(),
            title: format!("[{}] {}", v.id, v.title),
            severity: v.severity,
            labels,
            sections,
            location: format!(
                "{}:{}:{}",
                v.location.file, v.location.line, v.location.column
            ),
        });
    }
    if sel.questions {
        for q in &a.questions {
            let v = question_view(model, lib, q);
            if v.severity < sel.min_severity {
                continue;
            }
            out.push(Issue {
                id: v.id.to_string(),
                title: format!("[{}] Find out: {}", v.id, v.attributes[0]),
                severity: v.severity,
                labels: vec![
                    "threat-model".to_string(),
                    "question".to_string(),
                    format!("severity:{}", v.severity.as_str()),
                ],
                sections: vec![
                    ("Question", v.ask.clone()),
                    ("Would raise", v.would_raise.join(", ")),
                ],
                location: format!(
                    "{}:{}:{}",
                    v.location.file, v.location.line, v.location.column
                ),
            });
        }
    }
    out
}

/// Jira's priority names, from our severity.
fn priority(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Highest",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Lowest",
    }
}

/// Text for Jira's wiki markup that renders as written: every character the
/// markup gives a meaning to gets a backslash, and a line break stays one.
pub fn jira_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*'
                | '_'
                | '?'
                | '+'
                | '^'
                | '~'
                | '|'
                | '{'
                | '}'
                | '['
                | ']'
                | '!'
                | '#'
                | '-'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A label: Jira and GitHub both split labels on spaces and commas.
fn label(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_whitespace() || c == ',' {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// `write_jira_csv` with every open finding: the export registry's row.
pub fn jira_csv(out: &mut dyn Write, m: &Model, l: &Library, a: &Analysis) -> std::io::Result<()> {
    write_jira_csv(out, m, l, a, Selection::default())
}

/// `write_github_issues` with every open finding: the export registry's row.
pub fn github_issues(
    out: &mut dyn Write,
    m: &Model,
    l: &Library,
    a: &Analysis,
) -> std::io::Result<()> {
    write_github_issues(out, m, l, a, Selection::default())
}

/// Jira's CSV import: Summary, Issue Type, Priority, Description (wiki
/// markup), then as many `Labels` columns as the widest row needs (Jira
/// reads repeated columns as one multi-valued field).
pub fn write_jira_csv(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    a: &Analysis,
    sel: Selection,
) -> std::io::Result<()> {
    use crate::csv::field;
    let issues = issues(model, lib, a, sel);
    let width = issues.iter().map(|i| i.labels.len()).max().unwrap_or(1);
    let mut header = vec!["Summary", "Issue Type", "Priority", "Description"];
    header.extend(std::iter::repeat_n("Labels", width));
    writeln!(out, "{}\r", header.join(","))?;
    for i in &issues {
        let mut body = String::new();
        for (head, text) in &i.sections {
            body.push_str(&format!("*{head}*: {}\n", jira_text(text)));
        }
        body.push_str(&format!("*Model*: {{{{{}}}}}", jira_text(&i.location)));
        let mut row = vec![
            field(&i.title),
            "Task".to_string(),
            priority(i.severity).to_string(),
            field(&body),
        ];
        for n in 0..width {
            row.push(
                i.labels
                    .get(n)
                    .map(|l| field(&label(l)))
                    .unwrap_or_default(),
            );
        }
        writeln!(out, "{}\r", row.join(","))?;
    }
    Ok(())
}

/// GitHub issues as JSON Lines, one `{title, body, labels}` object a line:
/// each line is the body of a `POST /repos/OWNER/REPO/issues` request.
pub fn write_github_issues(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    a: &Analysis,
    sel: Selection,
) -> std::io::Result<()> {
    use crate::markdown::md_code;
    for i in issues(model, lib, a, sel) {
        let mut body = String::new();
        for (head, text) in &i.sections {
            body.push_str(&format!("**{head}**: {}\n\n", crate::md::escape(text)));
        }
        body.push_str(&format!(
            "**Model**: {}\n\n<!-- tms-finding: {} -->\n",
            md_code(&i.location),
            // A comment's text cannot end it early: `--` is the one sequence to keep out.
            i.id.replace("--", "- -")
        ));
        let issue = serde_json::json!({
            "title": i.title,
            "body": body,
            "labels": i.labels.iter().map(|l| label(l)).collect::<Vec<_>>(),
        });
        serde_json::to_writer(&mut *out, &issue)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
