use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use super::EXIT_INVALID;
use crate::report::template::TemplateError;

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
                crate::report::json::write(w, model, lib, analysis)
            })
        }
        (Some(path), _) => {
            let data = crate::report::data::build(model, lib, analysis);
            let fallback = match args.format {
                Some(Format::Md) => "md",
                Some(Format::Html) => "html",
                Some(Format::Csv) => "csv",
                Some(Format::Json) | None => "",
            };
            crate::report::template::render_file(path, fallback, &data)
        }
        (None, Format::Md) => {
            crate::report::md::render(&crate::report::data::build(model, lib, analysis))
        }
        (None, Format::Html) => {
            crate::report::html::render(&crate::report::data::build(model, lib, analysis))
        }
        (None, Format::Csv) => {
            crate::report::csv::render(&crate::report::data::build(model, lib, analysis))
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
