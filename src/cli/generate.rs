//! `tms generate SPEC.json [-o OUT] [--svg] [--stix]`: Threat Model Spec's own
//! command, with its meaning: D2 for the diagrams (one document per diagram),
//! rendered to SVG by the `d2` CLI on request, or a STIX 2.1 bundle instead.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::{analyse, load_model, RuleArgs};
use super::{write_output, EXIT_INVALID, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A Threat Model Spec file: a threat model (`diagrams`) or a single diagram
    spec: PathBuf,
    /// Output file (default: stdout). A model with several diagrams gives one
    /// file per diagram, numbered: OUT-1.d2, OUT-2.d2, ...
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also render each D2 file to SVG with the d2 CLI (`d2` on PATH, or the program in TMS_D2)
    #[arg(long, conflicts_with = "stix")]
    svg: bool,
    /// Write a STIX 2.1 bundle of the whole model (every diagram, and the findings) instead of D2
    #[arg(long)]
    stix: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

fn not_spec(path: &Path) -> i32 {
    errln!(
        "{}: error: `tms generate` reads Threat Model Spec files; this is not one",
        tms_syntax::source::display_name(path)
    );
    errln!("  help: `tms diagram` draws models in our format, and `tms export --format stix` exports them");
    EXIT_INVALID
}

pub fn run(args: Args) -> i32 {
    let inputs = std::iter::once(args.spec.as_path()).chain(args.rules.inputs());
    if let Err(code) = super::refuse_overwrite(args.output.as_ref(), inputs) {
        return code;
    }
    if args.stix {
        let a = match analyse(&args.spec, &args.rules) {
            Ok(a) => a,
            Err(code) => return code,
        };
        let model = &a.loaded.model;
        if tms_formats::threat_model_spec::extras(model).is_none() {
            return not_spec(&args.spec);
        }
        let code = super::stream_output(args.output.as_ref(), |w| {
            tms_report::stix::write(w, model, &a.library, &a.analysis)
        });
        if code == EXIT_OK {
            if let Some(p) = &args.output {
                outln!("Generated STIX: {}", p.display());
            }
        }
        return code;
    }

    let loaded = match load_model(&args.spec) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let model = &loaded.model;
    if tms_formats::threat_model_spec::extras(model).is_none() {
        return not_spec(&args.spec);
    }
    let diagrams = tms_formats::threat_model_spec::d2::diagrams(model);
    if diagrams.is_empty() {
        errln!(
            "{}: warning: the file has no diagrams; nothing to generate",
            tms_syntax::source::display_name(&args.spec)
        );
        return EXIT_OK;
    }
    let Some(out) = &args.output else {
        if args.svg {
            errln!("error: --svg renders the D2 files it writes; give them a name with -o FILE.d2");
            return EXIT_INVALID;
        }
        let text = match diagrams.as_slice() {
            [(_, one)] => one.clone(),
            _ => tms_formats::threat_model_spec::d2::layered(model),
        };
        return write_output(None, text.as_bytes());
    };
    let files = output_names(out, diagrams.len());
    for (path, (_, d2)) in files.iter().zip(&diagrams) {
        let code = write_output(Some(path), d2.as_bytes());
        if code != EXIT_OK {
            return code;
        }
        outln!("Generated D2: {}", path.display());
    }
    if args.svg {
        for path in &files {
            let svg = path.with_extension("svg");
            if let Err(e) = render_svg(path, &svg) {
                errln!("{}: error: {e}", path.display());
                return EXIT_INVALID;
            }
            outln!("Generated SVG: {}", svg.display());
        }
    }
    EXIT_OK
}

/// `OUT` for one diagram; `OUT-1.ext`, `OUT-2.ext`, ... for several.
fn output_names(out: &Path, n: usize) -> Vec<PathBuf> {
    if n == 1 {
        return vec![out.to_path_buf()];
    }
    let stem = out
        .file_stem()
        .map_or_else(|| "diagram".into(), |s| s.to_string_lossy().into_owned());
    let ext = out
        .extension()
        .map_or_else(|| "d2".into(), |e| e.to_string_lossy().into_owned());
    (1..=n)
        .map(|i| out.with_file_name(format!("{stem}-{i}.{ext}")))
        .collect()
}

/// Renders with the d2 CLI, as Threat Model Spec's `--svg` does.
fn render_svg(d2: &Path, svg: &Path) -> Result<(), String> {
    let program = std::env::var_os("TMS_D2").unwrap_or_else(|| "d2".into());
    let result = Command::new(&program).arg(d2).arg(svg).output();
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "--svg needs the d2 CLI, and `{}` was not found (install it from https://d2lang.com, or name it in TMS_D2)",
            program.to_string_lossy()
        )),
        Err(e) => Err(format!("cannot run `{}`: {e}", program.to_string_lossy())),
        Ok(o) if !o.status.success() => Err(format!(
            "`{}` failed to render it: {}",
            program.to_string_lossy(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(_) => Ok(()),
    }
}
