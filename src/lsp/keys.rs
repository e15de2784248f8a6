//! The keys each place of a model accepts, with what `tms describe` says of
//! them: completion lists them, hover shows one.

use crate::cli::describe::{BOUNDARY_KEYS, DATA_KEYS, ELEMENT_STRUCTURE, FLOW_STRUCTURE};
use tms_model::{attrs, ElementKind, Targets};
use tms_rules::library::Library;

/// One key: its name, type, default and meaning.
#[derive(Debug, Clone)]
pub struct KeyDoc {
    pub name: &'static str,
    pub ty: &'static str,
    pub default: String,
    pub doc: String,
    /// An attribute of the attribute table (rules may read it), not structure.
    pub attribute: bool,
}

const TOP: &[(&str, &str, &str)] = &[
    ("title", "string", "The model's title (required)."),
    ("description", "string", "Free text."),
    ("version", "string", "The model's version."),
    (
        "date",
        "date",
        "Last revised (YYYY-MM-DD or an RFC 3339 timestamp).",
    ),
    ("authors", "list", "Who wrote it: `{name, email}` each."),
    (
        "assumptions",
        "list",
        "What the model takes for granted; `excludes` rules it rules out.",
    ),
    (
        "boundaries",
        "list",
        "Trust boundaries, nested with `parent`.",
    ),
    (
        "data",
        "list",
        "Classified data the elements and flows carry.",
    ),
    (
        "elements",
        "list",
        "Actors, processes, servers, datastores, ...",
    ),
    ("flows", "list", "Data flows between elements."),
    ("triage", "list", "The team's decisions about findings."),
    (
        "mappings",
        "mapping",
        "Framework mappings of the model as a whole.",
    ),
];

const TRIAGE: &[(&str, &str, &str)] = &[
    (
        "finding",
        "finding id",
        "`RULE@TARGET` or `CAUSE@TARGET`; `*` may stand for either part.",
    ),
    (
        "status",
        "status",
        "open, mitigated, accepted, not-applicable, false-positive, transferred.",
    ),
    ("justification", "string", "Why the decision holds."),
    ("owner", "string", "Who answers for it."),
    ("ticket", "string", "Where it is tracked."),
    (
        "expires",
        "date",
        "YYYY-MM-DD; after it the finding counts as open again.",
    ),
    ("severity", "severity", "Restates the finding's severity."),
    ("cvss", "string", "A CVSS 3.x or 4.0 vector."),
    ("dread", "mapping", "DREAD ratings."),
    ("mappings", "mapping", "Framework mappings of this finding."),
];

const ASSUMPTION: &[(&str, &str, &str)] = &[
    ("name", "string", "The assumption (required)."),
    ("description", "string", "Free text."),
    (
        "excludes",
        "list of rule ids",
        "Rules it rules out (their findings become not applicable); `*` as in triage.",
    ),
];

fn structure(rows: &[(&'static str, &'static str, &'static str)]) -> Vec<KeyDoc> {
    rows.iter()
        .map(|(name, ty, doc)| KeyDoc {
            name,
            ty,
            default: String::new(),
            doc: doc.to_string(),
            attribute: false,
        })
        .collect()
}

fn with_defaults(rows: &[(&'static str, &'static str, &'static str, &'static str)]) -> Vec<KeyDoc> {
    rows.iter()
        .map(|(name, ty, default, doc)| KeyDoc {
            name,
            ty,
            default: default.to_string(),
            doc: doc.to_string(),
            attribute: false,
        })
        .collect()
}

/// The keys of an item of `section` (an element of type `ty`, when known).
pub fn keys(section: &str, ty: &str) -> Vec<KeyDoc> {
    let (targets, kind, mut out) = match section {
        "elements" => {
            let kind = ElementKind::parse(ty);
            let t = kind.map_or(Targets::ELEMENTS, ElementKind::bit);
            (t, kind, structure(ELEMENT_STRUCTURE))
        }
        "flows" => (Targets::FLOW, None, structure(FLOW_STRUCTURE)),
        "data" => return with_defaults(DATA_KEYS),
        "boundaries" => return with_defaults(BOUNDARY_KEYS),
        "triage" => return structure(TRIAGE),
        "assumptions" => return structure(ASSUMPTION),
        "" => return structure(TOP),
        _ => return Vec::new(),
    };
    for (_, a) in attrs::for_targets(targets) {
        let control = if a.control { " [control]" } else { "" };
        out.push(KeyDoc {
            name: a.name,
            ty: a.ty.name(),
            default: tms_model::Value::to_json_default(a, kind),
            doc: format!("{}{control}", a.doc),
            attribute: true,
        });
    }
    out
}

/// The rules whose condition reads the attribute `name`, by id.
pub fn rules_reading<'a>(lib: &'a Library, name: &str) -> Vec<&'a str> {
    lib.rules
        .iter()
        .filter(|r| mentions(&r.condition, name))
        .map(|r| r.id.as_str())
        .collect()
}

/// Whether `name` appears in `text` as a whole identifier.
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Markdown for one key, as hover shows it.
pub fn describe(k: &KeyDoc, lib: &Library) -> String {
    let mut s = format!("**{}** ({})", k.name, k.ty);
    if !k.default.is_empty() {
        s.push_str(&format!(", default `{}`", k.default));
    }
    s.push_str(&format!("\n\n{}", k.doc));
    if k.attribute {
        let rules = rules_reading(lib, k.name);
        if rules.is_empty() {
            s.push_str("\n\nNo loaded rule reads it.");
        } else {
            s.push_str(&format!(
                "\n\nRead by {} rules: {}",
                rules.len(),
                rules.join(", ")
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn whole_identifiers_only() {
        assert!(super::mentions(
            "target.isEncrypted is False",
            "isEncrypted"
        ));
        assert!(!super::mentions("target.isEncryptedAtRest", "isEncrypted"));
    }
}
