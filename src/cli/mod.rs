//! The `tms` command line. Each subcommand lives in its own module and returns
//! an exit code: 0 success, 1 a gate failed, 2 invalid input.

#[macro_use]
pub(crate) mod io;

mod check;
mod common;
pub(crate) mod describe;
mod diagram;
mod diff;
mod explain;
mod export;
mod generate;
mod import;
mod init;
mod lsp;
mod report;
mod rules;
mod schema;
mod validate;
mod watch;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use tms_syntax::diag::Diagnostics;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAIL: i32 = 1;
pub const EXIT_INVALID: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "tms",
    version,
    about = "Threat models as code: validate, find threats, report, diagram, export"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check model files; every problem is reported with file:line:col
    Validate(validate::Args),
    /// List the attributes an element type (or `flow`, `data`, `boundary`) accepts
    Describe(describe::Args),
    /// Print the JSON Schema of the model file, for editor completion
    Schema(schema::Args),
    /// Write a starter model
    Init(init::Args),
    /// Find threats and write a report
    Report(report::Args),
    /// CI gate: fail while open findings at or above a severity remain
    Check(check::Args),
    /// One finding or question in full: rules, severity inputs, evidence, what closes it
    Explain(explain::Args),
    /// The rule library: list and show rules
    Rules(rules::Args),
    /// Interchange formats for other tools (SARIF for code scanning, STIX, OTM, Threat Dragon)
    Export(export::Args),
    /// Findings that appeared, disappeared or changed between two versions of a model
    Diff(diff::Args),
    /// Convert another tool's threat model (pytm, OTM, Threat Dragon, Threagile, Threat Model Spec) to our format
    Import(import::Args),
    /// Threat Model Spec's command: D2 per diagram (--svg to render), or a STIX bundle (--stix)
    Generate(generate::Args),
    /// Data flow and sequence diagrams: dot, mermaid, d2, plantuml, svg, png
    Diagram(diagram::Args),
    /// A language server over stdio for editors: diagnostics, completion, hover, ids, code actions
    Lsp(lsp::Args),
    /// Re-validate and rewrite outputs whenever the model (or a rule file) changes
    Watch(watch::Args),
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    EXIT_OK
                }
                _ => EXIT_INVALID,
            };
        }
    };
    let code = match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Describe(a) => describe::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Init(a) => init::run(a),
        Command::Report(a) => report::run(a),
        Command::Check(a) => check::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Rules(a) => rules::run(a),
        Command::Export(a) => export::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Import(a) => import::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Diagram(a) => diagram::run(a),
        Command::Lsp(a) => lsp::run(a),
        Command::Watch(a) => watch::run(a),
    };
    tms_syntax::timings::print();
    io::finish(code)
}

/// Prints diagnostics to stderr, one per line (with a help line when there is a hint).
pub(crate) fn print_diagnostics(d: &Diagnostics) {
    for x in &d.0 {
        errln!("{x}");
    }
}

/// Reports a failure to write an output file.
pub(crate) fn write_output(path: Option<&PathBuf>, bytes: &[u8]) -> i32 {
    stream_output(path, |w| w.write_all(bytes))
}

/// Streams an output, reporting a failure to write it.
pub(crate) fn stream_output(
    path: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> i32 {
    match tms_syntax::output::emit_with(path.map(PathBuf::as_path), write) {
        Ok(()) => EXIT_OK,
        // The reader went away (`| head`): a quiet end, as for other Unix tools.
        Err(e) if path.is_none_or(|p| p.as_os_str() == "-") && io::is_closed_pipe(&e) => {
            io::stdout_failed(e);
            EXIT_OK
        }
        Err(e) => {
            let name = path.map_or("stdout".to_string(), |p| p.display().to_string());
            errln!("{name}: error: cannot write: {e}");
            EXIT_INVALID
        }
    }
}

/// Refuses an output that is one of the command's inputs (the model, a rule
/// file, a template ...), compared as canonical paths: `-o model.yaml` would
/// replace the model with its own report.
pub(crate) fn refuse_overwrite<'a>(
    output: Option<&PathBuf>,
    inputs: impl IntoIterator<Item = &'a std::path::Path>,
) -> Result<(), i32> {
    let Some(out) = output.filter(|p| p.as_os_str() != "-") else {
        return Ok(());
    };
    let Ok(target) = std::fs::canonicalize(out) else {
        return Ok(()); // a new file is no input
    };
    for input in inputs {
        if std::fs::canonicalize(input).is_ok_and(|i| i == target) {
            errln!(
                "{}: error: the output is the input {}; write to another file",
                out.display(),
                input.display()
            );
            return Err(EXIT_INVALID);
        }
    }
    Ok(())
}

impl common::RuleArgs {
    /// The rule files, as inputs an output must not replace.
    pub(crate) fn inputs(&self) -> impl Iterator<Item = &std::path::Path> {
        self.rules.iter().map(PathBuf::as_path)
    }
}
