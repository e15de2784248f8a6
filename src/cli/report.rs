use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use super::EXIT_INVALID;
use tms_report::formats::Render;
use tms_report::template::TemplateError;

/// The formats `tms report` writes: every row of the report-format registry.
fn report_formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        tms_report::formats::FORMATS
            .iter()
            .map(|f| clap::builder::PossibleValue::new(f.name).help(f.about)),
    )
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file (`-`: read it from stdin)
    model: PathBuf,
    /// Output format [default: json]
    #[arg(short, long, value_parser = report_formats())]
    format: Option<String>,
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
    let inputs = [Some(args.model.as_path()), args.template.as_deref()];
    if let Err(code) = super::refuse_overwrite(
        args.output.as_ref(),
        inputs.into_iter().flatten().chain(args.rules.inputs()),
    ) {
        return code;
    }
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, analysis) = (&a.loaded.model, &a.library, &a.analysis);
    let name = args.format.as_deref().unwrap_or("json");
    let rendered: Result<String, TemplateError> = if let Some(path) = &args.template {
        // A user's template: its extension chooses the escaping, else the
        // format named (JSON has no template escaping of its own).
        let data = tms_report::data::build(model, lib, analysis);
        // A template whose name says nothing is escaped for the format named,
        // else for the output's extension (`-o out.html`).
        let from_output = args
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .unwrap_or("");
        let fallback = match args.format.as_deref() {
            Some("json") | None => from_output,
            Some(other) => other,
        };
        tms_report::template::render_file(path, fallback, &data)
    } else {
        // clap accepts only the registry's names.
        let Some(format) = tms_report::formats::by_name(name) else {
            return EXIT_INVALID;
        };
        match format.render {
            Render::Stream(write) => {
                return tms_syntax::timings::phase("write", || {
                    super::stream_output(args.output.as_ref(), |w| {
                        if name == "json" && args.format_version == 1 {
                            tms_report::json1::write(w, model, lib, analysis)
                        } else {
                            write(w, model, lib, analysis)
                        }
                    })
                })
            }
            Render::Template(render) => render(&tms_report::data::build(model, lib, analysis)),
        }
    };
    match rendered {
        Ok(text) => super::write_output(args.output.as_ref(), text.as_bytes()),
        Err(e) => {
            errln!("{e}");
            EXIT_INVALID
        }
    }
}
