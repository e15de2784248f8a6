use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use super::EXIT_INVALID;
use tms_report::template::TemplateError;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Md,
    Html,
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file
    model: PathBuf,
    /// Output format [default: json]
    #[arg(short, long, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Render this minijinja template with the report data (see docs/templates.md);
    /// its extension (.md, .html, .csv, optionally followed by .j2) chooses the
    /// escaping, else --format md|html|csv does
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// JSON report format: 2 (rules table, findings per cause, questions) or 1 (one object per rule match)
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=2))]
    format_version: u32,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    let format = args.format.unwrap_or(Format::Json);
    let rendered: Result<String, TemplateError> = match (&args.template, format) {
        (None, Format::Json) => {
            return super::stream_output(args.output.as_ref(), |w| {
                if args.format_version == 1 {
                    tms_report::json1::write(w, model, lib, analysis)
                } else {
                    tms_report::json::write(w, model, lib, analysis)
                }
            })
        }
        (Some(path), _) => {
            let data = tms_report::data::build(model, lib, analysis);
            let fallback = match args.format {
                Some(Format::Md) => "md",
                Some(Format::Html) => "html",
                Some(Format::Csv) => "csv",
                Some(Format::Json) | None => "",
            };
            tms_report::template::render_file(path, fallback, &data)
        }
        (None, Format::Md) => {
            tms_report::md::render(&tms_report::data::build(model, lib, analysis))
        }
        (None, Format::Html) => {
            tms_report::html::render(&tms_report::data::build(model, lib, analysis))
        }
        (None, Format::Csv) => {
            tms_report::csv::render(&tms_report::data::build(model, lib, analysis))
        }
    };
    match rendered {
        Ok(text) => super::write_output(args.output.as_ref(), text.as_bytes()),
        Err(e) => {
            eprintln!("{e}");
            EXIT_INVALID
        }
    }
}
