use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The JSON Schema of the JSON report (format 2) instead of the model file's
    #[arg(long, group = "which")]
    report: bool,
    /// The JSON Schema of `tms diff --format json`
    #[arg(long, group = "which")]
    diff: bool,
    /// The JSON Schema of `tms rules list --json`
    #[arg(long, group = "which")]
    rules: bool,
}

pub fn run(args: Args) -> i32 {
    let shipped = if args.report {
        Some(tms_report::json::SCHEMA)
    } else if args.diff {
        Some(tms_report::diff::SCHEMA)
    } else if args.rules {
        Some(tms_report::rule_list::SCHEMA)
    } else {
        None
    };
    if let Some(schema) = shipped {
        return super::write_output(args.output.as_ref(), schema.as_bytes());
    }
    let mut text =
        serde_json::to_string_pretty(&tms_model::schema::model_schema()).unwrap_or_default();
    text.push('\n');
    super::write_output(args.output.as_ref(), text.as_bytes())
}
