//! `tms export MODEL --format FORMAT`: interchange formats other tools read.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use crate::progress::Progress;

/// What `tms export` writes: SARIF and STIX, and every format of the
/// registry that has a writer.
fn export_formats() -> clap::builder::PossibleValuesParser {
    let own = [
        (
            "sarif",
            "SARIF 2.1.0, for GitHub code scanning and other SARIF viewers",
        ),
        (
            "stix",
            "A STIX 2.1 bundle, for threat-intelligence platforms",
        ),
    ];
    clap::builder::PossibleValuesParser::new(
        own.into_iter()
            .chain(tms_formats::registry::writers().map(|(f, _)| (f.name, f.about)))
            .map(|(name, about)| clap::builder::PossibleValue::new(name).help(about)),
    )
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file
    model: PathBuf,
    /// Output format
    #[arg(short, long, value_parser = export_formats())]
    format: String,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    match args.format.as_str() {
        "sarif" => sarif(&args),
        "stix" => stix(&args),
        name => match tms_formats::registry::by_name(name).and_then(|f| f.write) {
            Some(write) => interchange(&args, write),
            // clap accepts only the names above.
            None => super::EXIT_INVALID,
        },
    }
}

/// A registry format: the analysed model written by the format's own writer.
fn interchange(args: &Args, write: tms_formats::registry::WriteFn) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    super::stream_output(args.output.as_ref(), |w| write(w, model, lib, analysis))
}

fn stix(args: &Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    super::stream_output(args.output.as_ref(), |w| {
        tms_report::stix::write(w, model, lib, analysis)
    })
}

fn sarif(args: &Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    let n = analysis.findings.len();
    if n > tms_report::sarif::GITHUB_MAX_RESULTS {
        eprintln!(
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
