//! `tms import --from FORMAT FILE [-o model.yaml]`: another tool's file in our format.

use std::path::PathBuf;

use super::{print_diagnostics, EXIT_INVALID};
use crate::diag::Diagnostic;
use crate::source::Pos;

/// The formats `tms import` reads.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFormat {
    /// Threat Model Spec JSON (grokify/threat-model-spec): a threat model or a single diagram
    ThreatModelSpec,
    /// OWASP pytm's JSON: a model file (`__class__`) or the output of `tm.py --json`
    Pytm,
    /// Open Threat Model (OTM) 0.2.0 JSON or YAML
    Otm,
    /// OWASP Threat Dragon v2 JSON
    ThreatDragon,
    /// Threagile YAML
    Threagile,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The format of FILE
    #[arg(long, value_enum)]
    from: ImportFormat,
    /// The file to convert
    file: PathBuf,
    /// Write the model (YAML) to this file instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let src = match crate::source::read(&args.file) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("{d}");
            return EXIT_INVALID;
        }
    };
    let root = match src.parse() {
        Ok(r) => r,
        Err(d) => {
            eprintln!("{d}");
            return EXIT_INVALID;
        }
    };
    let (model, mut diags) = match args.from {
        ImportFormat::ThreatModelSpec => {
            if !crate::formats::threat_model_spec::detect(&root) {
                let d = Diagnostic::error(
                    &src.name,
                    Pos::new(1, 1),
                    "this is not a Threat Model Spec file",
                )
                .with_hint("a Threat Model Spec file has `diagrams` (a threat model) or a diagram `type` (dfd, attack-chain, sequence, attack-tree) at the top");
                eprintln!("{d}");
                return EXIT_INVALID;
            }
            crate::formats::threat_model_spec::read(&root, &src.name)
        }
        other => {
            let name = clap::ValueEnum::to_possible_value(&other)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default();
            match crate::formats::importer::read_as(&name, &root, &src.name) {
                Ok(read) => read,
                Err(d) => {
                    eprintln!("{d}");
                    return EXIT_INVALID;
                }
            }
        }
    };
    diags.sort();
    print_diagnostics(&diags);
    let Some(model) = model else {
        return EXIT_INVALID;
    };
    let yaml = crate::formats::native_writer::to_yaml(&model);
    if let Some(im) = &model.imported {
        for r in &im.id_rewrites {
            eprintln!(
                "{}: note: {} id `{}` is `{}` in the imported model",
                src.name, r.kind, r.from, r.to
            );
        }
        if !im.not_carried.is_empty() {
            eprintln!(
                "{}: note: {} item(s) not carried over (our format has no place for them; see the `# not carried over` comments):",
                src.name,
                im.not_carried.len()
            );
            for n in &im.not_carried {
                let at = match &n.anchor {
                    crate::model::imported::Anchor::Model => String::new(),
                    crate::model::imported::Anchor::Boundary(id)
                    | crate::model::imported::Anchor::Data(id)
                    | crate::model::imported::Anchor::Element(id)
                    | crate::model::imported::Anchor::Flow(id) => format!("`{id}`: "),
                };
                eprintln!("  - {at}{}", n.what);
            }
        }
    }
    super::write_output(args.output.as_ref(), yaml.as_bytes())
}
