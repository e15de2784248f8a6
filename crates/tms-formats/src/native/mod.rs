//! Our own model format (contract, section 1), from YAML or JSON.

mod threats;
pub mod write;

use tms_syntax::fxhash::FxHashMap as HashMap;

use tms_model::attrs;
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::reader::Reader;
use tms_syntax::source::{Key, Node, NodeKind, Pos};

const TOP_KEYS: &[&str] = &[
    "$schema",
    "title",
    "description",
    "version",
    "date",
    "authors",
    "assumptions",
    "boundaries",
    "data",
    "elements",
    "flows",
    "triage",
    "threats",
    "mappings",
];
const ELEMENT_KEYS: &[&str] = &[
    "id",
    "type",
    "role",
    "name",
    "description",
    "boundary",
    "tags",
    "properties",
    "data",
];
const FLOW_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "from",
    "to",
    "data",
    "responseTo",
    "tags",
    "properties",
];
const BOUNDARY_KEYS: &[&str] = &["id", "name", "description", "parent", "inScope", "tags"];
const DATA_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "format",
    "classification",
    "isPII",
    "isCredentials",
    "credentialsLife",
    "isStored",
    "isSourceEncryptedAtRest",
    "isDestEncryptedAtRest",
    "tags",
];
const TRIAGE_KEYS: &[&str] = &[
    "finding",
    "status",
    "justification",
    "owner",
    "ticket",
    "expires",
    "severity",
    "cvss",
    "dread",
    "mappings",
];
const ASSUMPTION_KEYS: &[&str] = &["name", "description", "excludes"];
const AUTHOR_KEYS: &[&str] = &["name", "email"];
const DREAD_KEYS: &[&str] = &[
    "damage",
    "reproducibility",
    "exploitability",
    "affectedUsers",
    "discoverability",
];
const MAPPING_KEYS: &[&str] = &[
    "mitreAttack",
    "mitreAtlas",
    "owasp",
    "cwe",
    "capec",
    "stride",
    "cvss",
];
const TECHNIQUE_KEYS: &[&str] = &[
    "tacticId",
    "tacticName",
    "techniqueId",
    "techniqueName",
    "subTechniqueId",
];

/// Hints for keys people bring from pytm or other tools.
fn explain_foreign_key(key: &str) -> Option<String> {
    Some(match key {
        "inBoundary" => "write `boundary: ID`".into(),
        "controls" => {
            "controls are flat here: write `isHardened: true` directly on the element or flow"
                .into()
        }
        "source" => "write `from: ELEMENT-ID`".into(),
        "sink" | "destination" | "target" => "write `to: ELEMENT-ID`".into(),
        "exclude" => "write `excludes: [RULE-ID]`".into(),
        "lifetime" => "write `credentialsLife`".into(),
        _ => return None,
    })
}

/// A reference by id, remembered with its position until everything is read.
#[derive(Debug, Clone)]
struct Ref {
    id: String,
    pos: Pos,
}

#[derive(Default)]
struct Pending {
    element_boundary: Vec<Option<Ref>>,
    element_data: Vec<Vec<Ref>>,
    boundary_parent: Vec<Option<Ref>>,
    flow_ends: Vec<(Option<Ref>, Option<Ref>)>,
    flow_data: Vec<Vec<Ref>>,
    flow_response_to: Vec<Option<Ref>>,
    /// Ids defined more than once (already reported), with every kind they were given.
    duplicates: HashMap<String, Vec<&'static str>>,
}

/// Reads a model; `None` when any error was found (all of them are in the diagnostics).
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    let mut r = Reader::new(file);
    let mut model = Model {
        file: file.to_string(),
        ..Model::default()
    };
    let mut pending = Pending::default();
    let Some(top) = r.map(root, "the model") else {
        if let Some(d) = r.diags.0.last_mut() {
            d.hint = Some(
                "a model is a mapping of keys, starting with `title: ...`; `tms init` writes one"
                    .into(),
            );
        }
        return (None, r.diags);
    };
    r.check_keys(top, "the model", TOP_KEYS, explain_top_key);
    presize(root, &mut model, &mut pending);

    match root.get("title") {
        None => {
            r.error(root.pos, "the model has no `title`").hint =
                Some("add `title: My system` at the top".into());
        }
        Some(n) => {
            if let Some(t) = r.text(n, "`title`") {
                if t.trim().is_empty() {
                    r.error(n.pos, "the model's `title` is empty").hint =
                        Some("name the system, such as `title: Online shop`".into());
                }
                model.title = t;
            } else if n.is_null() {
                r.error(n.pos, "the model's `title` is empty").hint =
                    Some("name the system, such as `title: Online shop`".into());
            }
        }
    }
    if let Some(n) = root.get("description") {
        model.description = r.text(n, "`description`").unwrap_or_default();
    }
    if let Some(n) = root.get("version") {
        model.version = r.text(n, "`version`");
    }
    if let Some(n) = root.get("date") {
        model.date = r.text(n, "`date`").filter(|d| {
            let ok = tms_syntax::dates::parse_timestamp(d).is_some();
            if !ok {
                r.error(n.pos, format!("`{d}` is not a date")).hint = Some(
                    "write YYYY-MM-DD, or an RFC 3339 timestamp such as 2026-01-31T09:30:00Z"
                        .into(),
                );
            }
            ok
        });
    }
    if let Some(n) = root.get("authors") {
        model.authors = read_authors(&mut r, n);
    }
    if let Some(n) = root.get("assumptions") {
        model.assumptions = read_list(&mut r, n, "`assumptions`", read_assumption);
    }
    if let Some(n) = root.get("boundaries") {
        for item in r.seq(n, "`boundaries`").unwrap_or(&[]) {
            if let Some(b) = read_boundary(&mut r, item, &mut pending) {
                let item = Item::Boundary(model.boundaries.len());
                register(&mut r, &mut model, &mut pending, &b.id, b.pos, item);
                model.boundaries.push(b);
            }
        }
    }
    if let Some(n) = root.get("data") {
        for item in r.seq(n, "`data`").unwrap_or(&[]) {
            if let Some(d) = read_data(&mut r, item) {
                let item = Item::Data(model.data.len());
                register(&mut r, &mut model, &mut pending, &d.id, d.pos, item);
                model.data.push(d);
            }
        }
    }
    if let Some(n) = root.get("elements") {
        for item in r.seq(n, "`elements`").unwrap_or(&[]) {
            if let Some(e) = read_element(&mut r, item, &mut pending) {
                let item = Item::Element(model.elements.len());
                register(&mut r, &mut model, &mut pending, &e.id, e.pos, item);
                model.elements.push(e);
            }
        }
    }
    if let Some(n) = root.get("flows") {
        for item in r.seq(n, "`flows`").unwrap_or(&[]) {
            if let Some(f) = read_flow(&mut r, item, &mut pending) {
                let item = Item::Flow(model.flows.len());
                register(&mut r, &mut model, &mut pending, &f.id, f.pos, item);
                model.flows.push(f);
            }
        }
    }
    if let Some(n) = root.get("triage") {
        model.triage = read_list(&mut r, n, "`triage`", read_triage);
    }
    let mut threat_affects = Vec::new();
    if let Some(n) = root.get("threats") {
        (model.threats, threat_affects) = threats::read(&mut r, n);
    }
    if let Some(n) = root.get("mappings") {
        model.mappings = read_mappings(&mut r, n);
    }

    resolve(&mut r, &mut model, &pending);
    threats::resolve(&mut r, &mut model, &threat_affects);
    let diags = r.diags;
    if diags.has_errors() {
        (None, diags)
    } else {
        (Some(model), diags)
    }
}

/// Sizes the id map and the item lists from the lists' lengths, so a large
/// model is not rehashed and copied as it grows.
fn presize(root: &Node, model: &mut Model, pending: &mut Pending) {
    let len = |key: &str| {
        root.get(key)
            .and_then(Node::as_seq)
            .map_or(0, <[Node]>::len)
    };
    let (boundaries, data) = (len("boundaries"), len("data"));
    let (elements, flows) = (len("elements"), len("flows"));
    model.ids.reserve(boundaries + data + elements + flows);
    model.boundaries.reserve(boundaries);
    model.data.reserve(data);
    model.elements.reserve(elements);
    model.flows.reserve(flows);
    pending.boundary_parent.reserve(boundaries);
    pending.element_boundary.reserve(elements);
    pending.element_data.reserve(elements);
    pending.flow_ends.reserve(flows);
    pending.flow_data.reserve(flows);
    pending.flow_response_to.reserve(flows);
}

fn explain_top_key(key: &str) -> Option<String> {
    match key {
        "name" => Some("the model's name is its `title`".into()),
        "dataflows" | "links" => Some("flows go under `flows`".into()),
        "assets" | "components" => Some("elements go under `elements`".into()),
        _ => explain_foreign_key(key),
    }
}

fn read_list<T>(
    r: &mut Reader,
    node: &Node,
    what: &str,
    f: impl Fn(&mut Reader, &Node) -> Option<T>,
) -> Vec<T> {
    let items = r.seq(node, what).unwrap_or(&[]);
    items.iter().filter_map(|n| f(r, n)).collect()
}

fn register(
    r: &mut Reader,
    model: &mut Model,
    pending: &mut Pending,
    id: &str,
    pos: Pos,
    item: Item,
) {
    if let Some(first_item) = model.ids.get(id).copied() {
        let first = model.item_pos(first_item);
        pending
            .duplicates
            .entry(id.to_string())
            .or_insert_with(|| vec![item_kind(&first_item)])
            .push(item_kind(&item));
        r.error(pos, format!("duplicate id `{id}`")).hint = Some(format!(
            "ids are unique across boundaries, data, elements and flows; `{id}` is first defined at line {}, column {}",
            first.line, first.col
        ));
        return;
    }
    model.ids.insert(id.to_string(), item);
}

/// The mandatory `id` of an item; `pos` is where the item starts.
fn read_id(r: &mut Reader, node: &Node, what: &str) -> Option<String> {
    let Some(n) = node.get("id") else {
        r.error(node.pos, format!("{what} has no `id`")).hint =
            Some("give it a short unique id, such as `web-server`".into());
        return None;
    };
    let id = r.text(n, "`id`")?;
    if id.trim().is_empty() {
        r.error(n.pos, format!("{what} has an empty `id`"));
        return None;
    }
    if let Some((at, c)) = tms_model::unsafe_id_char(&id) {
        let what = match c {
            '@' | '*' => format!("`{c}`"),
            c if c.is_whitespace() => format!("whitespace ({})", tms_syntax::diag::char_name(c)),
            c => tms_syntax::diag::char_name(c),
        };
        r.error(
            n.pos,
            format!(
                "the id `{}` holds {what} at character {}",
                tms_syntax::diag::escape_controls(&id),
                at + 1
            ),
        )
        .hint = Some(tms_model::ID_RULE.into());
        return None;
    }
    Some(id)
}

fn read_ref(r: &mut Reader, node: &Node, what: &str) -> Option<Ref> {
    r.text(node, what).map(|id| Ref { id, pos: node.pos })
}

fn read_refs(r: &mut Reader, node: &Node, what: &str) -> Vec<Ref> {
    let items = r.seq(node, what).unwrap_or(&[]);
    items.iter().filter_map(|n| read_ref(r, n, what)).collect()
}

fn opt_text(r: &mut Reader, node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(|n| r.text(n, &format!("`{key}`")))
}

fn opt_bool(r: &mut Reader, node: &Node, key: &str) -> Option<bool> {
    node.get(key).and_then(|n| r.bool(n, &format!("`{key}`")))
}

fn read_tags(r: &mut Reader, node: &Node) -> Vec<String> {
    node.get("tags")
        .map(|n| r.strings(n, "`tags`"))
        .unwrap_or_default()
}

fn read_properties(r: &mut Reader, node: &Node) -> Properties {
    let Some(n) = node.get("properties") else {
        return Properties::Null;
    };
    match r.map(n, "`properties`") {
        Some(_) => n.to_json(),
        None => Properties::Null,
    }
}

fn read_authors(r: &mut Reader, node: &Node) -> Vec<Author> {
    let items = r.seq(node, "`authors`").unwrap_or(&[]);
    let mut out = Vec::new();
    for n in items {
        match &n.kind {
            NodeKind::Str(s) => out.push(Author {
                name: s.clone(),
                email: None,
            }),
            NodeKind::Map(entries) => {
                r.check_keys(entries, "an author", AUTHOR_KEYS, |_| None);
                let name = opt_text(r, n, "name").unwrap_or_default();
                let email = opt_text(r, n, "email");
                out.push(Author { name, email });
            }
            _ => r.wrong_type(
                n,
                "an author",
                "a name or a mapping with `name` and `email`",
            ),
        }
    }
    out
}

fn read_assumption(r: &mut Reader, node: &Node) -> Option<Assumption> {
    if let Some(s) = node.as_str() {
        return Some(Assumption {
            name: s.to_string(),
            description: String::new(),
            excludes: vec![],
            pos: node.pos,
        });
    }
    let entries = r.map(node, "an assumption")?;
    r.check_keys(
        entries,
        "an assumption",
        ASSUMPTION_KEYS,
        explain_foreign_key,
    );
    let name = opt_text(r, node, "name");
    if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        r.error(node.pos, "an assumption has no `name`");
    }
    Some(Assumption {
        name: name.unwrap_or_default(),
        description: opt_text(r, node, "description").unwrap_or_default(),
        excludes: node
            .get("excludes")
            .map(|n| r.strings(n, "`excludes`"))
            .unwrap_or_default(),
        pos: node.pos,
    })
}

fn read_boundary(r: &mut Reader, node: &Node, pending: &mut Pending) -> Option<Boundary> {
    let entries = r.map(node, "a boundary")?;
    r.check_keys(entries, "a boundary", BOUNDARY_KEYS, |k| match k {
        "inBoundary" => Some("a boundary nests with `parent: ID`".into()),
        _ => explain_foreign_key(k),
    });
    let id = read_id(r, node, "a boundary")?;
    let parent = node
        .get("parent")
        .filter(|n| !n.is_null())
        .and_then(|n| read_ref(r, n, "`parent`"));
    pending.boundary_parent.push(parent);
    Some(Boundary {
        name: opt_text(r, node, "name").unwrap_or_else(|| id.clone()),
        description: opt_text(r, node, "description").unwrap_or_default(),
        in_scope: opt_bool(r, node, "inScope").unwrap_or(true),
        tags: read_tags(r, node),
        parent: None,
        id,
        pos: node.pos,
    })
}

fn read_data(r: &mut Reader, node: &Node) -> Option<DataAsset> {
    let entries = r.map(node, "a data asset")?;
    r.check_keys(entries, "a data asset", DATA_KEYS, explain_foreign_key);
    let id = read_id(r, node, "a data asset")?;
    let classification = node
        .get("classification")
        .and_then(|n| {
            r.choice(
                n,
                "classification",
                Classification::parse,
                &Classification::spellings().collect::<Vec<_>>(),
            )
        })
        .unwrap_or(Classification::Unknown);
    let credentials_life = node
        .get("credentialsLife")
        .and_then(|n| {
            r.choice(
                n,
                "credentials lifetime",
                Lifetime::parse,
                &Lifetime::spellings().collect::<Vec<_>>(),
            )
        })
        .unwrap_or(Lifetime::None);
    // pytm-style aliases (`long`, `short_lived`) are accepted, by the loader
    // and the JSON Schema alike, with a warning naming the value to write.
    if let Some((n, s)) = node
        .get("credentialsLife")
        .and_then(|n| Some((n, n.as_str()?)))
    {
        if Lifetime::parse(s) == Some(credentials_life) && s != credentials_life.as_str() {
            r.warning(
                n.pos,
                format!(
                    "`{}` stands for `{}`",
                    tms_syntax::diag::escape_controls(s),
                    credentials_life.as_str()
                ),
            )
            .hint = Some(format!(
                "write `credentialsLife: {}`",
                credentials_life.as_str()
            ));
        }
    }
    Some(DataAsset {
        name: opt_text(r, node, "name").unwrap_or_else(|| id.clone()),
        description: opt_text(r, node, "description").unwrap_or_default(),
        format: opt_text(r, node, "format").unwrap_or_default(),
        classification,
        is_pii: opt_bool(r, node, "isPII").unwrap_or(false),
        is_credentials: opt_bool(r, node, "isCredentials").unwrap_or(false),
        credentials_life,
        is_stored: opt_bool(r, node, "isStored").unwrap_or(false),
        is_source_encrypted_at_rest: opt_bool(r, node, "isSourceEncryptedAtRest"),
        is_dest_encrypted_at_rest: opt_bool(r, node, "isDestEncryptedAtRest"),
        tags: read_tags(r, node),
        derived: Default::default(),
        id,
        pos: node.pos,
    })
}

/// Reads the flat attributes of an element or flow; other keys were checked by the caller.
fn read_attrs(
    r: &mut Reader,
    entries: &[(Key, Node)],
    target: Targets,
    structural: &[&str],
    // Built only for a message: most items have none, and a large model has many items.
    what: &dyn Fn() -> String,
) -> Attrs {
    let mut out = Attrs::default();
    for (key, value) in entries {
        if structural.contains(&&*key.name) {
            continue;
        }
        let Some(id) = attrs::lookup(&key.name) else {
            let allowed: Vec<&str> = structural
                .iter()
                .copied()
                .chain(attrs::for_targets(target).map(|(_, a)| a.name))
                .collect();
            let hint = explain_foreign_key(&key.name)
                .or_else(|| tms_syntax::diag::did_you_mean(&key.name, allowed.iter().copied()).map(|c| format!("did you mean `{c}`?")))
                .or_else(|| Some(format!("`tms describe {}` lists what it accepts; own attributes go under `properties`", describe_name(target))));
            r.error(key.pos, format!("unknown key `{}` in {}", key.name, what()))
                .hint = hint;
            continue;
        };
        let def = id.def();
        if !def.applies.intersects(target) {
            let owners = if Targets::ELEMENTS.0 & !def.applies.0 == 0 {
                "every element type, not of flows".to_string()
            } else {
                def.applies.names().join(", ")
            };
            r.error(
                key.pos,
                format!("`{}` does not apply to {}", key.name, what()),
            )
            .hint = Some(format!("it is an attribute of {owners}"));
            continue;
        }
        if let Some(v) = tms_model::attrs::read_value(r, value, def) {
            out.set(id, protocol_checked(r, id, value, v));
        }
    }
    out
}

/// A `protocol` in another spelling of one tms knows (`HTTP/2`) is read as
/// that one, with a warning; one close to a known one (`HTPS`) is kept, with a
/// warning and a did-you-mean (README "Protocols").
fn protocol_checked(r: &mut Reader, id: attrs::AttrId, node: &Node, v: Value) -> Value {
    use tms_model::roles::{protocol_spelling, ProtocolSpelling};
    let Value::Str(p) = &v else { return v };
    if id != tms_model::attr_id::PROTOCOL {
        return v;
    }
    let shown = tms_syntax::diag::escape_controls(p).into_owned();
    match protocol_spelling(p) {
        ProtocolSpelling::Known => v,
        ProtocolSpelling::Alias(to) => {
            r.warning(
                node.pos,
                format!("the protocol `{shown}` is read as `{to}`"),
            )
            .hint = Some(format!(
                "write `protocol: {to}`; encryption follows from it (`HTTPS` is HTTP over TLS)"
            ));
            Value::Str(to.to_string())
        }
        ProtocolSpelling::Unknown { did_you_mean } => {
            r.warning(node.pos, format!("unknown protocol `{shown}`"))
                .hint = Some(format!(
                "did you mean `{did_you_mean}`? rules read the protocol to tell what is encrypted"
            ));
            v
        }
    }
}

fn describe_name(t: Targets) -> &'static str {
    ElementKind::ALL
        .iter()
        .find(|k| t.contains_kind(**k))
        .map_or("flow", |k| k.as_str())
}

fn read_element(r: &mut Reader, node: &Node, pending: &mut Pending) -> Option<Element> {
    let entries = r.map(node, "an element")?;
    let id = read_id(r, node, "an element");
    // Built once: every element needs the list, only a wrong one reads it.
    static KINDS: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| ElementKind::spellings().collect());
    let kinds: &[&str] = &KINDS;
    let kind = match node.get("type") {
        None => {
            r.error(node.pos, "an element has no `type`").hint =
                Some(format!("choices: {}", kinds.join(", ")));
            None
        }
        Some(n) => r.choice(n, "element type", ElementKind::parse, kinds),
    };
    let id = id?;
    // With a wrong or missing type the element still takes its id, so flows that
    // name it do not add "does not exist" errors; its attributes, which depend on
    // the type, are checked once the type is fixed.
    let (kind, attrs) = match kind {
        Some(kind) => {
            let what = || format!("{} `{id}`", article(kind.as_str()));
            (
                kind,
                read_attrs(r, entries, kind.bit(), ELEMENT_KEYS, &what),
            )
        }
        None => (ElementKind::Process, Attrs::default()),
    };
    let boundary = node
        .get("boundary")
        .filter(|n| !n.is_null())
        .and_then(|n| read_ref(r, n, "`boundary`"));
    pending.element_boundary.push(boundary);
    pending.element_data.push(
        node.get("data")
            .map(|n| read_refs(r, n, "`data`"))
            .unwrap_or_default(),
    );
    Some(Element {
        name: opt_text(r, node, "name").unwrap_or_else(|| id.clone()),
        description: opt_text(r, node, "description").unwrap_or_default(),
        tags: read_tags(r, node),
        role: read_role(r, node, kind),
        properties: read_properties(r, node),
        boundary: None,
        data: Vec::new(),
        attrs,
        kind,
        id,
        pos: node.pos,
    })
}

/// The element's `role`, from the vocabulary (`tms describe --role`).
fn read_role(r: &mut Reader, node: &Node, kind: ElementKind) -> Option<String> {
    let n = node.get("role").filter(|n| !n.is_null())?;
    let name = r.text(n, "`role`")?;
    let roles = &tms_model::roles::ROLES;
    let Some(role) = roles.get(&name) else {
        let hint = tms_syntax::diag::did_you_mean(&name, roles.roles.iter().map(|r| r.id.as_str()))
            .map(|c| format!("did you mean `{c}`?"))
            .unwrap_or_else(|| "`tms describe --role` lists the roles".to_string());
        r.error(n.pos, format!("`{name}` is not a role")).hint = Some(hint);
        return None;
    };
    if !role.types.contains_kind(kind) {
        let fits: Vec<&str> = role.types.names();
        r.error(
            n.pos,
            format!("the role `{name}` does not fit {}", article(kind.as_str())),
        )
        .hint = Some(format!("a {name} is one of: {}", fits.join(", ")));
        return None;
    }
    Some(name)
}

fn article(word: &str) -> String {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

fn read_flow(r: &mut Reader, node: &Node, pending: &mut Pending) -> Option<Flow> {
    let entries = r.map(node, "a flow")?;
    let id = read_id(r, node, "a flow")?;
    let what = || format!("the flow `{id}`");
    let attrs = read_attrs(r, entries, Targets::FLOW, FLOW_KEYS, &what);
    let mut end = |key: &str, quoted: &str| match node.get(key) {
        None => {
            r.error(node.pos, format!("{} has no `{key}`", what())).hint =
                Some(format!("add `{key}: ELEMENT-ID`"));
            None
        }
        Some(n) => read_ref(r, n, quoted),
    };
    let ends = (end("from", "`from`"), end("to", "`to`"));
    pending.flow_ends.push(ends);
    pending.flow_data.push(
        node.get("data")
            .map(|n| read_refs(r, n, "`data`"))
            .unwrap_or_default(),
    );
    pending.flow_response_to.push(
        node.get("responseTo")
            .filter(|n| !n.is_null())
            .and_then(|n| read_ref(r, n, "`responseTo`")),
    );
    Some(Flow {
        name: opt_text(r, node, "name").unwrap_or_else(|| id.clone()),
        description: opt_text(r, node, "description").unwrap_or_default(),
        tags: read_tags(r, node),
        properties: read_properties(r, node),
        source: usize::MAX,
        sink: usize::MAX,
        data: Vec::new(),
        response_to: None,
        attrs,
        id,
        pos: node.pos,
    })
}

fn read_triage(r: &mut Reader, node: &Node) -> Option<TriageEntry> {
    let entries = r.map(node, "a triage entry")?;
    r.check_keys(entries, "a triage entry", TRIAGE_KEYS, |k| match k {
        "id" | "rule" | "target" => Some("name the finding as `finding: RULE-ID@TARGET-ID`".into()),
        "reason" | "comment" => Some("write `justification`".into()),
        _ => None,
    });
    let Some(fnode) = node.get("finding") else {
        r.error(node.pos, "a triage entry has no `finding`").hint =
            Some("write `finding: RULE-ID@TARGET-ID` (`*` may stand for either part)".into());
        return None;
    };
    let finding = r.text(fnode, "`finding`")?;
    let Some((rule, target)) = finding
        .split_once('@')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('@'))
    else {
        r.error(fnode.pos, format!("`{finding}` is not a finding id")).hint = Some("finding ids are `RULE-ID@TARGET-ID`, such as `FLOW-001@login`; `*` may stand for either part".into());
        return None;
    };
    let status = match node.get("status") {
        None => {
            r.error(node.pos, "a triage entry has no `status`").hint = Some(format!(
                "choices: {}",
                Status::spellings().collect::<Vec<_>>().join(", ")
            ));
            None
        }
        Some(n) => threats::read_status(r, n),
    };
    let expires = threats::read_expires(r, node);
    let severity = threats::read_severity(r, node);
    let dread = node.get("dread").and_then(|n| read_dread(r, n));
    let mappings = node.get("mappings").and_then(|n| read_mappings(r, n));
    Some(TriageEntry {
        rule: rule.to_string(),
        target: target.to_string(),
        finding,
        status: status?,
        justification: opt_text(r, node, "justification"),
        owner: opt_text(r, node, "owner"),
        ticket: opt_text(r, node, "ticket"),
        expires,
        severity,
        cvss: threats::read_cvss(r, node),
        dread,
        mappings,
        pos: node.pos,
    })
}

/// Why a `YYYY-MM-DD`-shaped string is still not a date, or the expected form.
fn date_hint(s: &str) -> String {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return "write the date as YYYY-MM-DD, such as 2027-06-30".into();
    }
    let month: u8 = s[5..7].parse().unwrap_or(0);
    if !(1..=12).contains(&month) {
        return format!("there is no month {}; months run from 01 to 12", &s[5..7]);
    }
    let last = (28..=31)
        .rev()
        .find(|d| tms_syntax::dates::parse_date(&format!("{}-{d}", &s[..7])).is_some())
        .unwrap_or(28);
    format!("{} has {last} days", &s[..7])
}

fn read_dread(r: &mut Reader, node: &Node) -> Option<Dread> {
    let entries = r.map(node, "`dread`")?;
    r.check_keys(entries, "`dread`", DREAD_KEYS, |_| None);
    let mut factor = |key: &str| -> Option<u8> {
        let Some(n) = node.get(key) else {
            r.error(node.pos, format!("`dread` has no `{key}`")).hint =
                Some("give all five DREAD factors, each 0 to 10".into());
            return None;
        };
        let v = r.int(n, &format!("`{key}`"))?;
        if !(0..=10).contains(&v) {
            r.error(
                n.pos,
                format!("`{key}` is {v}; DREAD factors run from 0 to 10"),
            );
            return None;
        }
        Some(v as u8)
    };
    // Every factor is checked before any is missing, so all problems are reported.
    let factors = [
        factor("damage"),
        factor("reproducibility"),
        factor("exploitability"),
        factor("affectedUsers"),
        factor("discoverability"),
    ];
    let [Some(damage), Some(reproducibility), Some(exploitability), Some(affected_users), Some(discoverability)] =
        factors
    else {
        return None;
    };
    Some(Dread {
        damage,
        reproducibility,
        exploitability,
        affected_users,
        discoverability,
    })
}

pub(crate) fn read_mappings(r: &mut Reader, node: &Node) -> Option<Mappings> {
    let entries = r.map(node, "`mappings`")?;
    r.check_keys(entries, "`mappings`", MAPPING_KEYS, |k| match k {
        "attack" | "mitre" => Some("write `mitreAttack: [{techniqueId: T1190}]`".into()),
        _ => None,
    });
    let mut m = Mappings {
        pos: node.pos,
        ..Mappings::default()
    };
    let items = |r: &mut Reader, key: &str| -> Vec<Node> {
        node.get(key)
            .and_then(|n| r.seq(n, &format!("`{key}`")).map(<[Node]>::to_vec))
            .unwrap_or_default()
    };
    for key in ["mitreAttack", "mitreAtlas"] {
        let mut list = Vec::new();
        for n in items(r, key) {
            let Some(e) = r.map(&n, &format!("an entry of `{key}`")) else {
                continue;
            };
            r.check_keys(e, &format!("an entry of `{key}`"), TECHNIQUE_KEYS, |_| None);
            list.push(TechniqueRef {
                tactic_id: opt_text(r, &n, "tacticId"),
                tactic_name: opt_text(r, &n, "tacticName"),
                technique_id: opt_text(r, &n, "techniqueId"),
                technique_name: opt_text(r, &n, "techniqueName"),
                sub_technique_id: opt_text(r, &n, "subTechniqueId"),
                pos: n.pos,
            });
        }
        if key == "mitreAttack" {
            m.mitre_attack = list
        } else {
            m.mitre_atlas = list
        }
    }
    for n in items(r, "owasp") {
        let Some(e) = r.map(&n, "an entry of `owasp`") else {
            continue;
        };
        r.check_keys(
            e,
            "an entry of `owasp`",
            &["category", "id", "name"],
            |_| None,
        );
        let category = opt_text(r, &n, "category").unwrap_or_default();
        if !["web", "api", "llm", "agentic"].contains(&category.as_str()) {
            r.error(n.pos, format!("`{category}` is not an OWASP category"))
                .hint = Some("choices: web, api, llm, agentic".into());
        }
        m.owasp.push(OwaspRef {
            category,
            id: opt_text(r, &n, "id").unwrap_or_default(),
            name: opt_text(r, &n, "name"),
            pos: n.pos,
        });
    }
    for key in ["cwe", "capec"] {
        let mut list = Vec::new();
        for n in items(r, key) {
            let Some(e) = r.map(&n, &format!("an entry of `{key}`")) else {
                continue;
            };
            r.check_keys(e, &format!("an entry of `{key}`"), &["id", "name"], |_| {
                None
            });
            list.push(IdName {
                id: opt_text(r, &n, "id").unwrap_or_default(),
                name: opt_text(r, &n, "name"),
                pos: n.pos,
            });
        }
        if key == "cwe" {
            m.cwe = list
        } else {
            m.capec = list
        }
    }
    for n in items(r, "stride") {
        let Some(e) = r.map(&n, "an entry of `stride`") else {
            continue;
        };
        r.check_keys(
            e,
            "an entry of `stride`",
            &["category", "name", "description"],
            |_| None,
        );
        m.stride.push(StrideRef {
            category: opt_text(r, &n, "category").unwrap_or_default(),
            name: opt_text(r, &n, "name"),
            description: opt_text(r, &n, "description"),
        });
    }
    if let Some(n) = node.get("cvss") {
        if let Some(e) = r.map(n, "`cvss`") {
            r.check_keys(
                e,
                "`cvss`",
                &["version", "vector", "baseScore", "severity"],
                |_| None,
            );
            let base_score = n.get("baseScore").and_then(|s| match s.kind {
                NodeKind::Int(i) => Some(i as f64),
                NodeKind::Float(f) => Some(f),
                _ => {
                    r.wrong_type(s, "`baseScore`", "a number");
                    None
                }
            });
            let vector = opt_text(r, n, "vector").unwrap_or_default();
            if let Err(e) = tms_model::risk::check_stated(&vector, base_score) {
                r.error(n.pos, e);
            }
            m.cvss = Some(CvssRef {
                version: opt_text(r, n, "version"),
                vector,
                base_score,
                severity: opt_text(r, n, "severity"),
                pos: n.pos,
            });
        }
    }
    check_mappings(r, &m);
    Some(m)
}

/// Every framework id in a mapping is checked against the shipped catalogues.
pub(crate) fn check_mappings(r: &mut Reader, m: &Mappings) {
    use tms_model::catalogue::{Framework, CATALOGUES};
    let report = |r: &mut Reader, pos: Pos, p: Option<tms_model::catalogue::Problem>| {
        if let Some(p) = p {
            let d = if p.error {
                r.error(pos, p.message)
            } else {
                r.warning(pos, p.message)
            };
            d.hint = p.hint;
        }
    };
    for (list, fw) in [
        (&m.mitre_attack, Framework::Attack),
        (&m.mitre_atlas, Framework::Atlas),
    ] {
        for t in list {
            let technique = t.sub_technique_id.as_deref().or(t.technique_id.as_deref());
            if let Some(id) = t.technique_id.as_deref() {
                report(r, t.pos, CATALOGUES.check(fw, id));
            }
            if let Some(id) = t.sub_technique_id.as_deref() {
                report(r, t.pos, CATALOGUES.check(fw, id));
            }
            if let (Framework::Attack, Some(tech), Some(tactic)) =
                (fw, technique, t.tactic_id.as_deref())
            {
                report(r, t.pos, CATALOGUES.check_tactic(tech, tactic));
            }
        }
    }
    for c in &m.cwe {
        report(r, c.pos, CATALOGUES.check(Framework::Cwe, &c.id));
    }
    for c in &m.capec {
        report(r, c.pos, CATALOGUES.check(Framework::Capec, &c.id));
    }
    for o in &m.owasp {
        let problem = CATALOGUES.check(Framework::Owasp, &o.id);
        let known = problem.is_none();
        report(r, o.pos, problem);
        if let Some(cat) = CATALOGUES
            .owasp_category(&o.id)
            .filter(|c| known && *c != o.category)
        {
            r.error(
                o.pos,
                format!(
                    "OWASP `{}` is in the `{cat}` list, not `{}`",
                    o.id, o.category
                ),
            );
        }
    }
}

/// Turns ids into indices, checking each reference names the right kind of thing.
fn resolve(r: &mut Reader, model: &mut Model, p: &Pending) {
    let lookup = |r: &mut Reader,
                  ids: &HashMap<String, Item>,
                  reference: &Ref,
                  want: &str,
                  what: &str|
     -> Option<Item> {
        match ids.get(&reference.id) {
            Some(item) => Some(*item),
            None => {
                let candidates: Vec<&str> = ids
                    .iter()
                    .filter(|(_, i)| item_kind(i).starts_with(want))
                    .map(|(k, _)| k.as_str())
                    .collect();
                let mut d = format!("{what} `{}` does not exist", reference.id);
                if candidates.is_empty() {
                    d.push_str(&format!(" (the model defines no {want})"));
                }
                let hint = tms_syntax::diag::did_you_mean(&reference.id, candidates)
                    .map(|c| format!("did you mean `{c}`?"));
                r.error(reference.pos, d).hint = hint;
                None
            }
        }
    };
    let wrong_kind = |r: &mut Reader, reference: &Ref, item: &Item, want: &str| {
        // `id` is defined twice, once as what is wanted: the duplicate is the error.
        if p.duplicates
            .get(&reference.id)
            .is_some_and(|kinds| kinds.contains(&want))
        {
            return;
        }
        r.error(
            reference.pos,
            format!(
                "`{}` is {}, not {}",
                reference.id,
                article(item_kind(item)),
                article(want)
            ),
        );
    };

    for (i, parent) in p.boundary_parent.iter().enumerate() {
        let Some(reference) = parent else { continue };
        match lookup(r, &model.ids, reference, "boundary", "parent boundary") {
            Some(Item::Boundary(b)) if b == i => {
                r.error(
                    reference.pos,
                    format!("the boundary `{}` is its own parent", reference.id),
                );
            }
            Some(Item::Boundary(b)) => model.boundaries[i].parent = Some(b),
            Some(other) => wrong_kind(r, reference, &other, "boundary"),
            None => {}
        }
    }
    super::check_boundary_cycles(r, model, "`parent` keys");

    let resolve_data =
        |r: &mut Reader, ids: &HashMap<String, Item>, refs: &[Ref]| -> Vec<DataIdx> {
            let mut out = Vec::new();
            for reference in refs {
                match lookup(r, ids, reference, "data", "data asset") {
                    Some(Item::Data(d)) => {
                        if out.contains(&d) {
                            r.warning(
                                reference.pos,
                                format!("data asset `{}` is listed twice", reference.id),
                            );
                        } else {
                            out.push(d);
                        }
                    }
                    Some(other) => wrong_kind(r, reference, &other, "data asset"),
                    None => {}
                }
            }
            out
        };

    for (i, e) in model.elements.iter_mut().enumerate() {
        if let Some(reference) = &p.element_boundary[i] {
            match lookup(r, &model.ids, reference, "boundary", "boundary") {
                Some(Item::Boundary(b)) => e.boundary = Some(b),
                Some(other) => wrong_kind(r, reference, &other, "boundary"),
                None => {}
            }
        }
        e.data = resolve_data(r, &model.ids, &p.element_data[i]);
    }

    for (i, f) in model.flows.iter_mut().enumerate() {
        let (from, to) = &p.flow_ends[i];
        for (reference, slot) in [(from, &mut f.source), (to, &mut f.sink)] {
            let Some(reference) = reference else { continue };
            match lookup(r, &model.ids, reference, "element", "element") {
                Some(Item::Element(e)) => *slot = e,
                Some(other) => wrong_kind(r, reference, &other, "element"),
                None => {}
            }
        }
        if f.source != usize::MAX && f.source == f.sink {
            r.error(f.pos, format!("the flow `{}` goes from `{}` to itself", f.id, model.elements[f.source].id))
                .hint = Some("model what happens inside an element as its attributes, or split it into two elements".into());
        }
        f.data = resolve_data(r, &model.ids, &p.flow_data[i]);
        if let Some(reference) = &p.flow_response_to[i] {
            match lookup(r, &model.ids, reference, "flow", "flow") {
                Some(Item::Flow(x)) if x == i => {
                    r.error(reference.pos, format!("the flow `{}` answers itself", f.id));
                }
                Some(Item::Flow(x)) => f.response_to = Some(x),
                Some(other) => wrong_kind(r, reference, &other, "flow"),
                None => {}
            }
        }
    }
    // A response answers a request. Responses that answer each other (a
    // cycle) are an error: the rules that fold a response into its request
    // would drop findings without a word. One that answers a response (a
    // chain) is what pytm allows: a warning.
    for (i, f) in model.flows.iter().enumerate() {
        let (Some(x), Some(reference)) = (f.response_to, &p.flow_response_to[i]) else {
            continue;
        };
        let Some(y) = model.flows[x].response_to else {
            continue;
        };
        let request = &model.flows[x];
        let mut at = Some(x);
        let mut cycle = false;
        for _ in 0..model.flows.len() {
            match at {
                Some(j) if j == i => {
                    cycle = true;
                    break;
                }
                Some(j) => at = model.flows[j].response_to,
                None => break,
            }
        }
        if cycle {
            let what = if y == i {
                format!(
                    "the flows `{}` and `{}` answer each other",
                    f.id, request.id
                )
            } else {
                format!(
                    "the flow `{}` answers `{}`, and their responses lead back to it",
                    f.id, request.id
                )
            };
            r.error(reference.pos, what).hint = Some(
                "a response answers the request it belongs to; remove `responseTo` from the request"
                    .into(),
            );
        } else {
            r.warning(
                reference.pos,
                format!(
                    "the flow `{}` answers `{}`, which is itself a response (to `{}`)",
                    f.id, request.id, model.flows[y].id
                ),
            )
            .hint = Some(format!(
                "rules fold a response into the flow it answers: write `responseTo: {}` if `{}` answers that request",
                model.flows[y].id, f.id
            ));
        }
    }
    for t in &model.triage {
        if t.target.contains('*') {
            continue;
        }
        match model.ids.get(&t.target) {
            Some(Item::Element(_) | Item::Flow(_)) => {}
            Some(other) => {
                r.error(
                    t.pos,
                    format!(
                        "the triage entry `{}` targets `{}`, which is {}",
                        t.finding,
                        t.target,
                        article(item_kind(other))
                    ),
                )
                .hint = Some("findings are on elements and flows".into());
            }
            None => {
                let hint = tms_syntax::diag::did_you_mean(&t.target, target_ids(&model.ids))
                    .map(|c| format!("did you mean `{c}`?"));
                r.error(
                    t.pos,
                    format!(
                        "the triage entry `{}` targets `{}`, which does not exist",
                        t.finding, t.target
                    ),
                )
                .hint = hint;
            }
        }
    }
}

/// The ids findings can be on (elements and flows): did-you-mean candidates
/// for triage entries and threats that name a target.
fn target_ids(ids: &HashMap<String, Item>) -> Vec<&str> {
    ids.iter()
        .filter(|(_, i)| matches!(i, Item::Element(_) | Item::Flow(_)))
        .map(|(k, _)| k.as_str())
        .collect()
}

fn item_kind(i: &Item) -> &'static str {
    match i {
        Item::Boundary(_) => "boundary",
        Item::Data(_) => "data asset",
        Item::Element(_) => "element",
        Item::Flow(_) => "flow",
    }
}
