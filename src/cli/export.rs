//! `tms export MODEL --format FORMAT`: interchange formats other tools read.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use crate::progress::Progress;

/// What `tms export` writes: the export registry (SARIF, STIX, and every
/// format of the format registry that has a writer).
fn export_formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        tms_report::formats::exports()
            .map(|f| clap::builder::PossibleValue::new(f.name).help(f.about)),
    )
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file (`-`: read it from stdin)
    model: PathBuf,
    /// Output format
    #[arg(short, long, value_parser = export_formats())]
    format: String,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// jira-csv, github-issues: file only what is at or above this severity
    #[arg(long, value_name = "SEVERITY", value_parser = super::common::parse_severity)]
    min_severity: Option<tms_model::Severity>,
    /// jira-csv, github-issues: file the questions too (someone must find out)
    #[arg(long)]
    questions: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let inputs = std::iter::once(args.model.as_path()).chain(args.rules.inputs());
    if let Err(code) = super::refuse_overwrite(args.output.as_ref(), inputs) {
        return code;
    }
    // clap accepts only the registry's names.
    let Some(format) = tms_report::formats::exports().find(|f| f.name == args.format) else {
        return super::EXIT_INVALID;
    };
    if format.write_selected.is_none() && (args.min_severity.is_some() || args.questions) {
        errln!(
            "error: `--min-severity` and `--questions` choose what jira-csv and github-issues file; {} writes every finding",
            format.name
        );
        return super::EXIT_INVALID;
    }
    if format.name == "sarif" {
        return sarif(&args);
    }
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    let selection = tms_report::trackers::Selection {
        min_severity: args.min_severity.unwrap_or(tms_model::Severity::Info),
        questions: args.questions,
    };
    match format.write_selected {
        Some(write) => super::stream_output(args.output.as_ref(), |w| {
            write(w, model, lib, analysis, selection)
        }),
        None => super::stream_output(args.output.as_ref(), |w| {
            (format.write)(w, model, lib, analysis)
        }),
    }
}

/// SARIF, with what GitHub's limits and a long write need: a warning above
/// the result limit, and a spinner while a large log is written.
fn sarif(args: &Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    let n = analysis.findings.len();
    if n > tms_report::sarif::GITHUB_MAX_RESULTS {
        errln!(
            "{}: warning: {n} results; GitHub code scanning rejects a SARIF run with more than {} (split the model, or narrow the rules)",
            model.file,
            tms_report::sarif::GITHUB_MAX_RESULTS
        );
    }
    // Writing a large model's log takes longer than its analysis. The spinner
    // stays off when the log itself goes to the terminal, where it would mix in.
    let to_terminal = match &args.output {
        Some(p) => p.as_os_str() == "-" && std::io::stdout().is_terminal(),
        None => std::io::stdout().is_terminal(),
    };
    let mut progress = if to_terminal {
        Progress::none()
    } else {
        Progress::for_model(&args.model)
    };
    progress.set_message(format!("{}: writing {n} SARIF results", model.file));
    let code = super::stream_output(args.output.as_ref(), |w| {
        tms_report::sarif::write(w, model, lib, analysis)
    });
    progress.finish();
    code
}
