//! `tms export MODEL --format FORMAT`: interchange formats other tools read.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use crate::progress::Progress;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
    Sarif,
    /// A STIX 2.1 bundle, for threat-intelligence platforms
    Stix,
    /// Open Threat Model 0.2.0 (OTM), for IriusRisk and other OTM tools
    Otm,
    /// An OWASP Threat Dragon v2 model, findings as threats
    ThreatDragon,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file
    model: PathBuf,
    /// Output format
    #[arg(short, long, value_enum)]
    format: Format,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    match args.format {
        Format::Sarif => sarif(&args),
        Format::Stix => stix(&args),
        Format::Otm => otm(&args),
        Format::ThreatDragon => threat_dragon(&args),
    }
}

fn threat_dragon(args: &Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    super::stream_output(args.output.as_ref(), |w| {
        crate::export::threat_dragon::write(w, model, lib, analysis)
    })
}

fn otm(args: &Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    super::stream_output(args.output.as_ref(), |w| {
        crate::export::otm::write(w, model, lib, analysis)
    })
}

fn stix(args: &Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    super::stream_output(args.output.as_ref(), |w| {
        crate::export::stix::write(w, model, lib, analysis)
    })
}

fn sarif(args: &Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    let n = analysis.findings.len();
    if n > crate::export::sarif::GITHUB_MAX_RESULTS {
        eprintln!(
            "{}: warning: {n} results; GitHub code scanning rejects a SARIF run with more than {} (split the model, or narrow the rules)",
            model.file,
            crate::export::sarif::GITHUB_MAX_RESULTS
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
        crate::export::sarif::write(w, model, lib, analysis)
    });
    progress.finish();
    code
}
