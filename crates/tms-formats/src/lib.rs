//! One module per file format, each converting to or from the internal model.

mod geometry;
pub mod importer;
pub mod load;
pub mod native;
pub mod otm;
pub mod owasp_tml;
pub mod pytm;
pub mod registry;
pub mod threagile;
pub mod threat_composer;
pub mod threat_dragon;
pub mod threat_model_spec;
pub mod tmt;

use tms_model::Model;
use tms_syntax::diag::Diagnostics;
use tms_syntax::reader::Reader;
use tms_syntax::source::{Node, SourceFile, Syntax};

/// Reads any supported format, recognised from the document's content
/// (`registry::FORMATS`); a document no other format claims is ours.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    match registry::detect(root) {
        Some((_, read)) => read(root, file),
        None => native::read(root, file),
    }
}

/// Reads a file's text in any supported format: XML goes to the XML format
/// that claims it, everything else is parsed into a tree and read by `read`.
/// The error is a file that cannot be parsed at all.
pub fn read_source(
    src: &SourceFile,
) -> Result<(Option<Model>, Diagnostics), tms_syntax::diag::Diagnostic> {
    if src.syntax() == Syntax::Xml {
        return match registry::detect_xml(&src.text) {
            Some((_, read)) => Ok(read(&src.text, &src.name)),
            None => Err(src.xml_here()),
        };
    }
    let root = tms_syntax::timings::phase("parse", || src.parse())?;
    Ok(tms_syntax::timings::phase("build", || {
        read(&root, &src.name)
    }))
}

/// Reports each cycle in boundary nesting once, naming its members, and
/// breaks it so that every later walk up the parents ends. `parent_links`
/// names what the source format nests with, for the hint.
pub(crate) fn check_boundary_cycles(r: &mut Reader, model: &mut Model, parent_links: &str) {
    let n = model.boundaries.len();
    let mut reported = vec![false; n];
    for start in 0..n {
        let mut seen = vec![start];
        let mut cur = model.boundaries[start].parent;
        while let Some(b) = cur {
            if b == start {
                if !reported[start] {
                    let names: Vec<&str> = seen
                        .iter()
                        .map(|i| model.boundaries[*i].id.as_str())
                        .collect();
                    for i in &seen {
                        reported[*i] = true;
                    }
                    r.error(
                        model.boundaries[start].pos,
                        format!(
                            "boundaries nest in a cycle: {} -> {}",
                            names.join(" -> "),
                            model.boundaries[start].id
                        ),
                    )
                    .hint = Some(format!(
                        "a boundary cannot be inside itself; remove one of these {parent_links}"
                    ));
                }
                break;
            }
            if seen.contains(&b) {
                break;
            }
            seen.push(b);
            cur = model.boundaries[b].parent;
        }
    }
    // Break cycles so later passes that walk parents terminate.
    for (i, rep) in reported.iter().enumerate() {
        if *rep {
            model.boundaries[i].parent = None;
        }
    }
}
