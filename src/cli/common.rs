//! What the commands that read models share: loading, rule options, analysis.

use std::path::{Path, PathBuf};

use super::{print_diagnostics, EXIT_INVALID};
use crate::diag::Diagnostics;
use crate::load::Loaded;
use crate::rules::engine::{analyze, Analysis};
use crate::rules::library::Library;

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
pub fn load_model(path: &Path) -> Result<Loaded, i32> {
    match crate::load::load_path(path) {
        Ok(l) => {
            print_diagnostics(&l.warnings);
            Ok(l)
        }
        Err(d) => {
            print_diagnostics(&d);
            Err(EXIT_INVALID)
        }
    }
}

pub fn load_library(args: &RuleArgs) -> Result<Library, i32> {
    let lib = args.library().map_err(|d| {
        print_diagnostics(&d);
        EXIT_INVALID
    })?;
    print_diagnostics(&lib.warnings);
    Ok(lib)
}

pub struct Analysed {
    pub loaded: Loaded,
    pub library: Library,
    pub analysis: Analysis,
}

pub fn analyse(path: &Path, rules: &RuleArgs) -> Result<Analysed, i32> {
    let library = load_library(rules)?;
    let loaded = load_model(path)?;
    let analysis = analyze(&loaded.model, &library);
    print_diagnostics(&analysis.warnings);
    Ok(Analysed {
        loaded,
        library,
        analysis,
    })
}
