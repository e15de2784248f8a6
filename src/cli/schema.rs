use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let mut text =
        serde_json::to_string_pretty(&tms_model::schema::model_schema()).unwrap_or_default();
    text.push('\n');
    super::write_output(args.output.as_ref(), text.as_bytes())
}
