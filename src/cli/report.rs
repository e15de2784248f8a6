use std::path::PathBuf;

use super::common::{analyse, RuleArgs};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file
    model: PathBuf,
    /// Output format
    #[arg(short, long, value_enum, default_value = "json")]
    format: Format,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    super::stream_output(args.output.as_ref(), |w| match args.format {
        Format::Json => crate::report::json::write(w, model, lib, analysis),
    })
}
