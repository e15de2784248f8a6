use std::path::PathBuf;

use super::{print_diagnostics, EXIT_INVALID, EXIT_OK};
use crate::progress::Progress;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model files (YAML or JSON); `-` reads one from stdin
    #[arg(required = true)]
    models: Vec<PathBuf>,
    /// Treat warnings as errors
    #[arg(long)]
    strict: bool,
    /// Print nothing for valid models
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: Args) -> i32 {
    let mut code = EXIT_OK;
    let mut progress = match args.models.as_slice() {
        [one] => Progress::for_model(one),
        many => Progress::items(many.len(), "validating"),
    };
    for path in &args.models {
        let name = tms_syntax::source::display_name(path);
        progress.set_message(name.clone());
        let result = tms_formats::load::load_path(path);
        progress.suspend(|| match result {
            Ok(loaded) => {
                print_diagnostics(&loaded.warnings);
                let n = loaded.warnings.0.len();
                if args.strict && n > 0 {
                    code = EXIT_INVALID;
                }
                if !args.quiet {
                    let m = &loaded.model;
                    errln!(
                        "{}: {}: {} elements, {} flows, {} boundaries, {} data assets{}",
                        name,
                        if args.strict && n > 0 {
                            "invalid under --strict"
                        } else {
                            "valid"
                        },
                        m.elements.len(),
                        m.flows.len(),
                        m.boundaries.len(),
                        m.data.len(),
                        match n {
                            0 => String::new(),
                            1 => ", 1 warning".into(),
                            n => format!(", {n} warnings"),
                        }
                    );
                }
            }
            Err(diags) => {
                print_diagnostics(&diags);
                let errors = diags.errors().count();
                errln!(
                    "{}: invalid: {errors} error{}",
                    name,
                    if errors == 1 { "" } else { "s" }
                );
                code = EXIT_INVALID;
            }
        });
        progress.inc();
    }
    progress.finish();
    code
}
