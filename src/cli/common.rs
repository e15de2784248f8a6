//! What the commands that read models share: loading, rule options, analysis.

use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};

use super::{print_diagnostics, EXIT_INVALID};
use crate::progress::Progress;
use tms_formats::load::Loaded;
use tms_model::Severity;
use tms_rules::engine::{analyze, Analysis};
use tms_rules::library::Library;
use tms_syntax::diag::Diagnostics;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct RuleArgs {
    /// Add a rule file: ours (YAML/JSON) or pytm's threats.json; repeatable
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule library
    #[arg(long)]
    pub no_default_rules: bool,
}

impl RuleArgs {
    pub fn library(&self) -> Result<Library, Diagnostics> {
        let mut lib = if self.no_default_rules {
            Library::default()
        } else {
            Library::builtin()?
        };
        for p in &self.rules {
            lib.add_path(p)?;
        }
        Ok(lib)
    }
}

/// Loads a model, printing its warnings; on failure prints the errors and gives the exit code.
// Kept for the commands that read a model without rules (diagrams, imports).
#[allow(dead_code)]
pub fn load_model(path: &Path) -> Result<Loaded, i32> {
    load_model_with(path, &mut Progress::none())
}

/// `load_model`, with `progress` kept clear of the messages.
fn load_model_with(path: &Path, progress: &mut Progress) -> Result<Loaded, i32> {
    match tms_formats::load::load_path(path) {
        Ok(l) => {
            progress.suspend(|| print_diagnostics(&l.warnings));
            Ok(l)
        }
        Err(d) => {
            progress.finish();
            print_diagnostics(&d);
            Err(EXIT_INVALID)
        }
    }
}

pub fn load_library(args: &RuleArgs) -> Result<Library, i32> {
    let lib = tms_syntax::timings::phase("rules", || args.library()).map_err(|d| {
        print_diagnostics(&d);
        EXIT_INVALID
    })?;
    print_diagnostics(&lib.warnings);
    Ok(lib)
}

/// A model, its library and its analysis, for a command that runs once and
/// exits. They are never freed: the process ends right after, and freeing a
/// large model's millions of small allocations one by one cost a noticeable
/// part of a second for memory the system takes back at exit anyway.
pub struct Analysed {
    pub loaded: ManuallyDrop<Loaded>,
    pub library: ManuallyDrop<Library>,
    pub analysis: ManuallyDrop<Analysis>,
}

pub fn analyse(path: &Path, rules: &RuleArgs) -> Result<Analysed, i32> {
    let mut library = load_library(rules)?;
    let (loaded, analysis) = analyse_with(path, &mut library)?;
    Ok(Analysed {
        loaded: ManuallyDrop::new(loaded),
        library: ManuallyDrop::new(library),
        analysis: ManuallyDrop::new(analysis),
    })
}

/// Loads and analyses one model with a loaded library, printing warnings; a
/// large model shows a spinner on a terminal meanwhile. The library takes
/// the model's own threats as rules (replacing any earlier model's), so
/// reports on the result must use this library.
pub fn analyse_with(path: &Path, library: &mut Library) -> Result<(Loaded, Analysis), i32> {
    let mut progress = Progress::for_model(path);
    let name = tms_syntax::source::display_name(path);
    progress.set_message(format!("reading {name}"));
    let loaded = tms_syntax::timings::phase("read", || load_model_with(path, &mut progress))?;
    let m = &loaded.model;
    progress.set_message(format!(
        "{}: matching {} rules on {} elements and {} flows",
        name,
        library.rules.len(),
        m.elements.len(),
        m.flows.len()
    ));
    let clashes = library.set_model_threats(m);
    if clashes.has_errors() {
        progress.finish();
        print_diagnostics(&clashes);
        return Err(super::EXIT_INVALID);
    }
    let analysis = tms_syntax::timings::phase("analyse", || analyze(m, library));
    progress.finish();
    print_diagnostics(&analysis.warnings);
    // A rule stopped for running out of steps leaves the analysis incomplete:
    // no report or gate may pretend otherwise.
    if analysis.warnings.has_errors() {
        return Err(super::EXIT_INVALID);
    }
    Ok((loaded, analysis))
}

pub fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| "expected one of: info, low, medium, high, critical".to_string())
}
