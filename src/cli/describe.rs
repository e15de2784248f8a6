use tms_model::attrs::{self, Derivation};
use tms_model::{ElementKind, Targets};

use super::{EXIT_INVALID, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An element type (actor, external-entity, process, set-of-processes, server,
    /// lambda, datastore, agent, llm), or flow, data, boundary
    #[arg(value_name = "TYPE")]
    kind: String,
}

/// Keys that are not attributes: the structure of the model.
const ELEMENT_STRUCTURE: &[(&str, &str, &str)] = &[
    (
        "id",
        "string",
        "Unique id, used by flows, triage and finding ids (required).",
    ),
    ("type", "string", "The element type (required)."),
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

const FLOW_STRUCTURE: &[(&str, &str, &str)] = &[
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

const DATA_KEYS: &[(&str, &str, &str, &str)] = &[
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

const BOUNDARY_KEYS: &[(&str, &str, &str, &str)] = &[
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
    let kind = args.kind.trim().to_ascii_lowercase();
    let text = match kind.as_str() {
        "flow" | "dataflow" => {
            describe_target(Targets::FLOW, "flow (pytm Dataflow)", FLOW_STRUCTURE)
        }
        "data" => table("data (pytm Data)", DATA_KEYS),
        "boundary" => table("boundary (pytm Boundary)", BOUNDARY_KEYS),
        _ => match ElementKind::parse(&kind).or_else(|| ElementKind::from_pytm_class(&args.kind)) {
            Some(k) => describe_target(
                k.bit(),
                &format!("{} (pytm {})", k.as_str(), k.pytm_class()),
                ELEMENT_STRUCTURE,
            ),
            None => {
                let mut choices: Vec<&str> = ElementKind::spellings().collect();
                choices.extend(["flow", "data", "boundary"]);
                eprintln!("error: `{}` is not a type", args.kind);
                if let Some(c) = tms_syntax::diag::did_you_mean(&kind, choices.iter().copied()) {
                    eprintln!("  help: did you mean `{c}`?");
                }
                eprintln!("  help: choices: {}", choices.join(", "));
                return EXIT_INVALID;
            }
        },
    };
    print!("{text}");
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
