//! `tms import --from FORMAT FILE [-o model.yaml]`: another tool's file in our format.

use std::path::PathBuf;

use super::{print_diagnostics, EXIT_INVALID};

/// The formats `tms import` reads: every row of the format registry.
fn import_formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        tms_formats::registry::FORMATS
            .iter()
            .map(|f| clap::builder::PossibleValue::new(f.name).help(f.about)),
    )
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The format of FILE
    #[arg(long, value_parser = import_formats())]
    from: String,
    /// The file to convert (`-`: stdin)
    file: PathBuf,
    /// Write the model (YAML) to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    if let Err(code) = super::refuse_overwrite(args.output.as_ref(), [args.file.as_path()]) {
        return code;
    }
    let src = match tms_syntax::source::read(&args.file) {
        Ok(s) => s,
        Err(d) => {
            errln!("{d}");
            return EXIT_INVALID;
        }
    };
    let (model, mut diags) = match tms_formats::importer::read_as(&args.from, &src) {
        Ok(read) => read,
        Err(d) => {
            errln!("{d}");
            return EXIT_INVALID;
        }
    };
    diags.sort();
    print_diagnostics(&diags);
    let Some(model) = model else {
        return EXIT_INVALID;
    };
    let yaml = tms_formats::native::write::to_yaml(&model);
    if let Some(im) = &model.imported {
        for r in &im.id_rewrites {
            errln!(
                "{}: note: {} id `{}` is `{}` in the imported model",
                src.name,
                r.kind,
                r.from,
                r.to
            );
        }
        if !im.not_carried.is_empty() {
            errln!(
                "{}: note: {} item(s) not carried over (our format has no place for them; see the `# not carried over` comments):",
                src.name,
                im.not_carried.len()
            );
            for n in &im.not_carried {
                let at = match &n.anchor {
                    tms_model::imported::Anchor::Model => String::new(),
                    tms_model::imported::Anchor::Boundary(id)
                    | tms_model::imported::Anchor::Data(id)
                    | tms_model::imported::Anchor::Element(id)
                    | tms_model::imported::Anchor::Flow(id) => format!("`{id}`: "),
                };
                errln!("  - {at}{}", n.what);
            }
        }
    }
    super::write_output(args.output.as_ref(), yaml.as_bytes())
}
