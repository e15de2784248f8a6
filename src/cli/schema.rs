use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The JSON Schema of the JSON report (format 2) instead of the model file's
    #[arg(long)]
    report: bool,
}

pub fn run(args: Args) -> i32 {
    if args.report {
        return super::write_output(args.output.as_ref(), tms_report::json::SCHEMA.as_bytes());
    }
    let mut text =
        serde_json::to_string_pretty(&tms_model::schema::model_schema()).unwrap_or_default();
    text.push('\n');
    super::write_output(args.output.as_ref(), text.as_bytes())
}
