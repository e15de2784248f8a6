use tms_model::attrs::{self, Derivation};
use tms_model::{ElementKind, Targets};

use super::{EXIT_INVALID, EXIT_OK};

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["kind", "role"])))]
pub struct Args {
    /// An element type (actor, external-entity, process, set-of-processes, server,
    /// lambda, datastore, agent, llm), or flow, data, boundary
    #[arg(value_name = "TYPE")]
    kind: Option<String>,
    /// Describe a role instead: what it implies and which rules it scopes
    /// (`--role list` lists the roles)
    #[arg(long, value_name = "ROLE")]
    role: Option<String>,
}

/// Keys that are not attributes: the structure of the model.
pub(crate) const ELEMENT_STRUCTURE: &[(&str, &str, &str)] = &[
    (
        "id",
        "string",
        "Unique id, used by flows, triage and finding ids (required).",
    ),
    ("type", "string", "The element type (required)."),
    (
        "role",
        "role",
        "What the element is (browser, cdn, queue, ...): implies facts and scopes the rules (`tms describe --role list`).",
    ),
    (
        "name",
        "string",
        "Label in reports and diagrams (default: the id).",
    ),
    ("description", "string", "Free text."),
    (
        "boundary",
        "boundary id",
        "The trust boundary the element sits in.",
    ),
    (
        "data",
        "list of data ids",
        "Data the element holds; flows leaving it carry it too (as pytm does).",
    ),
    (
        "tags",
        "list of strings",
        "Labels rules and filters read (see docs/rules.md for well-known tags).",
    ),
    (
        "properties",
        "mapping",
        "Your own attributes; custom rules read them as `target.properties.KEY`.",
    ),
];

pub(crate) const FLOW_STRUCTURE: &[(&str, &str, &str)] = &[
    ("id", "string", "Unique id (required)."),
    (
        "from",
        "element id",
        "Where the data comes from (required; pytm's `source`).",
    ),
    (
        "to",
        "element id",
        "Where the data goes (required; pytm's `sink`).",
    ),
    (
        "name",
        "string",
        "Label in reports and diagrams (default: the id).",
    ),
    ("description", "string", "Free text."),
    ("data", "list of data ids", "Data the flow carries."),
    (
        "responseTo",
        "flow id",
        "The request this flow answers; makes it a response.",
    ),
    ("tags", "list of strings", "Labels rules and filters read."),
    ("properties", "mapping", "Your own attributes."),
];

pub(crate) const DATA_KEYS: &[(&str, &str, &str, &str)] = &[
    ("id", "string", "", "Unique id (required)."),
    ("name", "string", "the id", "Label in reports."),
    ("description", "string", "\"\"", "Free text."),
    ("format", "string", "\"\"", "Encoding, such as JSON or XML; some rules read it."),
    ("classification", "classification", "unknown", "unknown, public, restricted, sensitive, secret, top-secret."),
    ("isPII", "boolean", "false", "Personally identifiable information."),
    ("isCredentials", "boolean", "false (derived)", "Passwords, keys, tokens; true whenever credentialsLife is not none."),
    ("credentialsLife", "lifetime", "none (derived)", "none, unknown, short-lived, long-lived, auto-revokable, manually-revokable, hardcoded; credentials without one have unknown."),
    ("isStored", "boolean", "false", "Kept by the receiver, not only processed."),
    ("isSourceEncryptedAtRest", "boolean", "derived", "Encrypted where it comes from; a stored datum takes the source's isEncryptedAtRest."),
    ("isDestEncryptedAtRest", "boolean", "derived", "Encrypted where it is stored; a stored datum takes the sink's isEncryptedAtRest."),
    ("tags", "list of strings", "[]", "Labels."),
];

pub(crate) const BOUNDARY_KEYS: &[(&str, &str, &str, &str)] = &[
    ("id", "string", "", "Unique id (required)."),
    ("name", "string", "the id", "Label in reports and diagrams."),
    ("description", "string", "\"\"", "Free text."),
    (
        "parent",
        "boundary id",
        "none",
        "The boundary this one sits inside.",
    ),
    (
        "inScope",
        "boolean",
        "true",
        "Part of what the model assesses.",
    ),
    ("tags", "list of strings", "[]", "Labels."),
];

pub fn run(args: Args) -> i32 {
    if let Some(role) = &args.role {
        return describe_role(role);
    }
    let Some(kind_arg) = args.kind.as_deref() else {
        return EXIT_INVALID;
    };
    let kind = kind_arg.trim().to_ascii_lowercase();
    let text = match kind.as_str() {
        "flow" | "dataflow" => {
            describe_target(Targets::FLOW, "flow (pytm Dataflow)", FLOW_STRUCTURE)
        }
        "data" => table("data (pytm Data)", DATA_KEYS),
        "boundary" => table("boundary (pytm Boundary)", BOUNDARY_KEYS),
        _ => match ElementKind::parse(&kind).or_else(|| ElementKind::from_pytm_class(kind_arg)) {
            Some(k) => describe_target(
                k.bit(),
                &format!("{} (pytm {})", k.as_str(), k.pytm_class()),
                ELEMENT_STRUCTURE,
            ),
            None => {
                let mut choices: Vec<&str> = ElementKind::spellings().collect();
                choices.extend(["flow", "data", "boundary"]);
                errln!("error: `{kind_arg}` is not a type");
                if let Some(c) = tms_syntax::diag::did_you_mean(&kind, choices.iter().copied()) {
                    errln!("  help: did you mean `{c}`?");
                }
                errln!("  help: choices: {}", choices.join(", "));
                return EXIT_INVALID;
            }
        },
    };
    out!("{text}");
    EXIT_OK
}

fn describe_target(t: Targets, title: &str, structure: &[(&str, &str, &str)]) -> String {
    let kind = ElementKind::ALL.iter().copied().find(|k| t == k.bit());
    let mut rows: Vec<(String, String, String, String)> = structure
        .iter()
        .map(|(n, ty, doc)| {
            (
                n.to_string(),
                ty.to_string(),
                String::new(),
                doc.to_string(),
            )
        })
        .collect();
    for (_, a) in attrs::for_targets(t) {
        let default = tms_model::Value::to_json_default(a, kind);
        let derived = match (a.derived, t.contains_flow()) {
            (Derivation::FromSink, true) => {
                " Derived: from the sink when unset (a response: from its source)."
            }
            (Derivation::FromSource, true) => " Derived: from the source when unset.",
            _ => "",
        };
        let control = if a.control { " [control]" } else { "" };
        rows.push((
            a.name.to_string(),
            a.ty.name().to_string(),
            default,
            format!("{}{derived}{control}", a.doc),
        ));
    }
    render(title, &rows)
}

fn table(title: &str, keys: &[(&str, &str, &str, &str)]) -> String {
    let rows: Vec<_> = keys
        .iter()
        .map(|(n, ty, d, doc)| {
            (
                n.to_string(),
                ty.to_string(),
                d.to_string(),
                doc.to_string(),
            )
        })
        .collect();
    render(title, &rows)
}

fn render(title: &str, rows: &[(String, String, String, String)]) -> String {
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(9);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(4);
    let w2 = rows.iter().map(|r| r.2.len()).max().unwrap_or(0).max(7);
    let mut out = format!(
        "{title}\n\n{:w0$}  {:w1$}  {:w2$}  MEANING\n",
        "ATTRIBUTE", "TYPE", "DEFAULT"
    );
    for (n, ty, d, doc) in rows {
        out.push_str(&format!("{n:w0$}  {ty:w1$}  {d:w2$}  {doc}\n"));
    }
    out
}

/// `tms describe --role NAME`: what a role is, what it implies, and which
/// built-in rules it takes out or keeps in; `--role list` lists them all.
fn describe_role(name: &str) -> i32 {
    use std::fmt::Write as _;
    let roles = &tms_model::roles::ROLES;
    let mut s = String::new();
    if name == "list" {
        let _ = writeln!(s, "{:<20} {:<40} TRAITS", "ROLE", "TYPES");
        for r in &roles.roles {
            let _ = writeln!(
                s,
                "{:<20} {:<40} {}",
                r.id,
                r.types.names().join(", "),
                r.traits.join(", ")
            );
        }
        let _ = writeln!(s, "\ntraits: {}", roles.traits.join(", "));
        out!("{s}");
        return EXIT_OK;
    }
    let Some(r) = roles.get(name) else {
        errln!("error: `{name}` is not a role");
        if let Some(c) =
            tms_syntax::diag::did_you_mean(name, roles.roles.iter().map(|r| r.id.as_str()))
        {
            errln!("  help: did you mean `{c}`?");
        }
        errln!("  help: `tms describe --role list` lists the roles");
        return EXIT_INVALID;
    };
    let _ = writeln!(s, "{} ({})\n", r.id, r.name);
    let _ = writeln!(s, "{}\n", r.description);
    let _ = writeln!(s, "fits:    {}", r.types.names().join(", "));
    let _ = writeln!(s, "traits:  {}", r.traits.join(", "));
    if !r.legacy_tags.is_empty() {
        let _ = writeln!(s, "was the tag: {}", r.legacy_tags.join(", "));
    }
    let facts = |v: &[(tms_model::AttrId, tms_model::Value)]| -> String {
        v.iter()
            .map(|(a, x)| format!("{}: {}", a.def().name, x.as_ref().to_json()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(s, "implies (unless the model says otherwise):");
    let _ = writeln!(
        s,
        "  on the element:     {}",
        if r.implies.is_empty() {
            "nothing".to_string()
        } else {
            facts(&r.implies)
        }
    );
    let _ = writeln!(
        s,
        "  on flows it sends:  {}",
        if r.outgoing.is_empty() {
            "nothing".to_string()
        } else {
            facts(&r.outgoing)
        }
    );
    if let Ok(lib) = tms_rules::library::Library::builtin() {
        let names = |v: &[String]| roles.matches(&r.id, v);
        let out: Vec<&str> = lib
            .rules
            .iter()
            .filter(|x| names(&x.except) || (!x.applies_to.is_empty() && !names(&x.applies_to)))
            .map(|x| x.id.as_str())
            .collect();
        let _ = writeln!(
            s,
            "built-in rules that never apply to it ({}): {}",
            out.len(),
            if out.is_empty() {
                "none".to_string()
            } else {
                out.join(", ")
            }
        );
    }
    out!("{s}");
    EXIT_OK
}
