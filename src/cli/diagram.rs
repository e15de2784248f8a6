//! `tms diagram`: data flow and sequence diagrams.

use std::path::{Path, PathBuf};

use super::common::{analyse, load_model, RuleArgs};
use super::{print_diagnostics, EXIT_INVALID};
use tms_diagram::{Format, Kind, Options, Style, Worst};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindArg {
    Dfd,
    Seq,
}

/// The formats `tms diagram` writes: every row of the diagram registry.
fn diagram_formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        tms_diagram::FORMATS
            .iter()
            .map(|f| clap::builder::PossibleValue::new(f.name).help(f.about)),
    )
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EngineArg {
    /// Our own layout and renderer: no other program needed
    #[default]
    Builtin,
    /// Graphviz's `dot`, when it is on the PATH (svg and png DFDs)
    Graphviz,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file (`-`: read it from stdin)
    model: PathBuf,
    /// Data flow diagram or sequence diagram
    #[arg(long, value_enum, default_value = "dfd")]
    kind: KindArg,
    /// Output format [default: from the -o extension, else dot (dfd) or plantuml (seq)]
    #[arg(short, long, value_parser = diagram_formats())]
    format: Option<String>,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Draw only elements and flows on these levels (pytm's `levels`); items with
    /// no `levels` are on every level
    #[arg(long, value_name = "N,..", value_delimiter = ',', num_args = 1..)]
    levels: Vec<i64>,
    /// Colour elements and flows by their worst open finding
    #[arg(long)]
    colormap: bool,
    /// A style file: colours per element kind, font, direction (docs/diagrams.md)
    #[arg(long, value_name = "FILE")]
    style: Option<PathBuf>,
    /// Layout engine for svg and png
    #[arg(long, value_enum, default_value = "builtin")]
    engine: EngineArg,
    #[command(flatten)]
    rules: RuleArgs,
}

/// The format a file name asks for, by its extension.
fn format_from_path(p: &Path) -> Option<Format> {
    Format::by_extension(p.extension()?.to_str()?)
}

pub fn run(args: Args) -> i32 {
    let inputs = [Some(args.model.as_path()), args.style.as_deref()];
    if let Err(code) = super::refuse_overwrite(
        args.output.as_ref(),
        inputs.into_iter().flatten().chain(args.rules.inputs()),
    ) {
        return code;
    }
    let kind = match args.kind {
        KindArg::Dfd => Kind::Dfd,
        KindArg::Seq => Kind::Seq,
    };
    let format = args
        .format
        .as_deref()
        .and_then(Format::by_name)
        .or_else(|| args.output.as_deref().and_then(format_from_path))
        .unwrap_or(match kind {
            Kind::Dfd => Format::Dot,
            Kind::Seq => Format::PlantUml,
        });
    if args.engine == EngineArg::Graphviz && kind == Kind::Seq {
        errln!("error: --engine graphviz draws data flow diagrams only; sequence diagrams use the builtin engine");
        return EXIT_INVALID;
    }
    let style = match &args.style {
        Some(p) => match Style::load(p) {
            Ok(s) => s,
            Err(d) => {
                print_diagnostics(&d);
                return EXIT_INVALID;
            }
        },
        None => Style::default(),
    };
    let (model, worst) = if args.colormap {
        match analyse(&args.model, &args.rules) {
            Ok(a) => {
                let w = Worst::from_analysis(&a.loaded.model, &a.library, &a.analysis);
                (std::mem::ManuallyDrop::into_inner(a.loaded).model, Some(w))
            }
            Err(code) => return code,
        }
    } else {
        match load_model(&args.model) {
            Ok(l) => (l.model, None),
            Err(code) => return code,
        }
    };
    let opts = Options {
        levels: (!args.levels.is_empty()).then_some(args.levels),
        worst,
    };
    let drawn = match args.engine {
        EngineArg::Builtin => tms_diagram::render(&model, kind, format, &opts, &style),
        EngineArg::Graphviz => tms_diagram::render_graphviz(&model, format, &opts, &style),
    };
    match drawn {
        Ok(bytes) => super::write_output(args.output.as_ref(), &bytes),
        Err(e) => {
            errln!("error: {e}");
            EXIT_INVALID
        }
    }
}
