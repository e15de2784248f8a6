//! `tms diff OLD NEW`: findings that appeared, disappeared or changed between
//! two versions of a model, both analysed with the same rules.

use std::path::PathBuf;

use super::common::{analyse_with, load_library, parse_severity, RuleArgs};
use super::{EXIT_FAIL, EXIT_OK};
use tms_model::Severity;
use tms_report::diff::{diff, Side};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Markdown for a pull-request comment
    Text,
    /// {added, removed, changed, summary}
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model before the change (e.g. from `git show origin/main:model.yaml`; `-`: stdin)
    old: PathBuf,
    /// The model after the change (`-`: stdin; one side at most)
    new: PathBuf,
    /// Output format
    #[arg(short, long, value_enum, default_value = "text")]
    format: Format,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding open at or above this severity is new, or newly
    /// open or raised to it (the diff is informational otherwise)
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on_new: Option<Severity>,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let inputs = [args.old.as_path(), args.new.as_path()];
    if let Err(code) = super::refuse_overwrite(
        args.output.as_ref(),
        inputs.into_iter().chain(args.rules.inputs()),
    ) {
        return code;
    }
    let mut old_library = match load_library(&args.rules) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // Each side holds its own model's threats as rules.
    let mut new_library = old_library.clone();
    // Both models are read before either is reported on, so a broken one
    // shows all its errors even when the other is broken too.
    let old = analyse_with(&args.old, &mut old_library);
    let new = analyse_with(&args.new, &mut new_library);
    let ((old_loaded, old_analysis), (new_loaded, new_analysis)) = match (old, new) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let d = diff(
        Side {
            model: &old_loaded.model,
            lib: &old_library,
            analysis: &old_analysis,
        },
        Side {
            model: &new_loaded.model,
            lib: &new_library,
            analysis: &new_analysis,
        },
    );
    let written = super::stream_output(args.output.as_ref(), |w| match args.format {
        Format::Json => d.write_json(w),
        Format::Text => w.write_all(d.render_text().as_bytes()),
    });
    if written != EXIT_OK {
        return written;
    }
    let Some(threshold) = args.fail_on_new else {
        return EXIT_OK;
    };
    let failing = d.newly_failing(threshold);
    if failing.is_empty() {
        errln!(
            "{}: pass: no new open finding at or above {threshold}",
            d.new.file
        );
        EXIT_OK
    } else {
        errln!(
            "{}: fail: {} new open finding{} at or above {threshold}: {}",
            d.new.file,
            failing.len(),
            if failing.len() == 1 { "" } else { "s" },
            failing.join(", ")
        );
        EXIT_FAIL
    }
}
