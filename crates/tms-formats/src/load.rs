//! From a path to a checked, derived model: read, parse, detect the format,
//! convert, derive defaults, and collect warnings.

use std::path::Path;

use tms_syntax::diag::Diagnostics;

use tms_model::Model;
use tms_syntax::source::{self, Node, SourceFile};

/// A model that loaded, with the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    pub model: Model,
    pub warnings: Diagnostics,
}

pub fn load_path(path: &Path) -> Result<Loaded, Diagnostics> {
    let src = tms_syntax::timings::phase("file", || source::read(path))
        .map_err(|d| Diagnostics(vec![d]))?;
    load_source(&src)
}

pub fn load_source(src: &SourceFile) -> Result<Loaded, Diagnostics> {
    let (model, diags) = crate::read_source(src).map_err(|d| Diagnostics(vec![d]))?;
    let tags = src.tag_warnings();
    let mut loaded = tms_syntax::timings::phase("check", || checked(model, diags, &src.name))
        .map_err(|mut d| {
            d.0.extend(tags.iter().cloned());
            d.sort();
            d
        })?;
    if !tags.is_empty() {
        loaded.warnings.0.extend(tags);
        loaded.warnings.sort();
    }
    Ok(loaded)
}

/// Loads a model from an already parsed document (rule fixtures embed models this way).
pub fn load_node(root: &Node, file: &str) -> Result<Loaded, Diagnostics> {
    let (model, diags) = crate::read(root, file);
    checked(model, diags, file)
}

/// A model as read, with legacy tags mapped, defaults derived and warnings
/// added; the errors when it was not read.
fn checked(
    model: Option<Model>,
    mut diags: Diagnostics,
    file: &str,
) -> Result<Loaded, Diagnostics> {
    let Some(mut model) = model else {
        diags.sort();
        return Err(diags);
    };
    for (e, tag, role) in tms_model::roles::apply_legacy_tags(&mut model) {
        diags.push(
            tms_syntax::diag::Diagnostic::warning(
                file,
                model.elements[e].pos,
                format!(
                    "the tag `{tag}` on `{}` now means the role `{role}`",
                    model.elements[e].id
                ),
            )
            .with_hint(format!("write `role: {role}` on the element")),
        );
    }
    tms_model::derive::apply(&mut model);
    diags.extend(tms_model::validate::warnings(&model));
    diags.sort();
    Ok(Loaded {
        model,
        warnings: diags,
    })
}
