//! The one table of report formats (`tms report --format`): JSON is streamed
//! from the analysis; the others render the report data through a built-in
//! template, whose escaping also serves a user's `--template` of that kind.
//! Adding a report format is its module and one row here.

use std::io::Write;

use crate::data::ReportData;
use crate::template::TemplateError;
use tms_model::Model;
use tms_rules::engine::Analysis;
use tms_rules::library::Library;

/// How a format is written.
pub enum Render {
    /// Streamed straight from the analysis (a large report never sits in memory).
    Stream(fn(&mut dyn Write, &Model, &Library, &Analysis) -> std::io::Result<()>),
    /// Rendered from the report data by a built-in template.
    Template(fn(&ReportData) -> Result<String, TemplateError>),
}

pub struct ReportFormat {
    pub name: &'static str,
    pub about: &'static str,
    pub render: Render,
}

/// In the order `--help` lists them; the first is the default.
pub const FORMATS: &[ReportFormat] = &[
    ReportFormat {
        name: "json",
        about: "report format 2: a rules table, findings and questions (`tms schema --report`)",
        render: Render::Stream(crate::json::write),
    },
    ReportFormat {
        name: "md",
        about: "Markdown for GitHub, with the data-flow diagram in Mermaid",
        render: Render::Template(crate::md::render),
    },
    ReportFormat {
        name: "html",
        about: "one self-contained HTML page with filters",
        render: Render::Template(crate::html::render),
    },
    ReportFormat {
        name: "csv",
        about: "one record a finding, then one a question, for trackers and spreadsheets",
        render: Render::Template(crate::csv::render),
    },
];

pub fn by_name(name: &str) -> Option<&'static ReportFormat> {
    FORMATS.iter().find(|f| f.name == name)
}

/// One format `tms export` writes.
pub struct ExportFormat {
    pub name: &'static str,
    pub about: &'static str,
    pub write: tms_formats::registry::WriteFn,
    /// For issue trackers: the writer that takes `--min-severity` and `--questions`.
    pub write_selected: Option<SelectedWriteFn>,
}

/// A tracker export's writer, with what to file.
pub type SelectedWriteFn = fn(
    &mut dyn Write,
    &Model,
    &Library,
    &Analysis,
    crate::trackers::Selection,
) -> std::io::Result<()>;

/// The exports this crate writes itself; [`exports`] adds every format of
/// the format registry that has a writer.
const OWN_EXPORTS: &[ExportFormat] = &[
    ExportFormat {
        name: "sarif",
        about: "SARIF 2.1.0, for GitHub code scanning and other SARIF viewers",
        write: crate::sarif::write,
        write_selected: None,
    },
    ExportFormat {
        name: "stix",
        about: "A STIX 2.1 bundle, for threat-intelligence platforms",
        write: crate::stix::write,
        write_selected: None,
    },
    ExportFormat {
        name: "jira-csv",
        about: "Jira's CSV import: one issue per open finding not yet ticketed (`--min-severity`, `--questions`)",
        write: crate::trackers::jira_csv,
        write_selected: Some(crate::trackers::write_jira_csv),
    },
    ExportFormat {
        name: "github-issues",
        about: "GitHub issues as JSON Lines, one per open finding not yet ticketed (`--min-severity`, `--questions`)",
        write: crate::trackers::github_issues,
        write_selected: Some(crate::trackers::write_github_issues),
    },
];

/// Every format `tms export` writes, ours first.
pub fn exports() -> impl Iterator<Item = ExportFormat> {
    OWN_EXPORTS
        .iter()
        .map(|e| ExportFormat {
            name: e.name,
            about: e.about,
            write: e.write,
            write_selected: e.write_selected,
        })
        .chain(
            tms_formats::registry::writers().map(|(f, write)| ExportFormat {
                name: f.name,
                about: f.about,
                write,
                write_selected: None,
            }),
        )
}
