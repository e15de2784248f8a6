//! What the readers of other tools' formats (pytm, Open Threat Model, Threat
//! Dragon, Threagile) share: building a model item by item with ids that
//! follow our rules, and recording what the source says that our model cannot
//! hold, so `tms import` can write it as comments and list it on stderr.
//!
//! These readers build the model directly rather than translating into our
//! file format and reading that: every message then speaks the source
//! format's words and points into the source file.

use tms_syntax::fxhash::{FxHashMap as HashMap, FxHashSet as HashSet};

use tms_model::imported::{Anchor, IdRewrite, Imported, NotCarried};
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::reader::Reader;
use tms_syntax::source::{Key, Node, NodeKind, Pos};

/// A model under construction from a foreign file.
pub struct Builder<'a> {
    pub r: Reader<'a>,
    pub model: Model,
    format: &'static str,
    notes: Vec<NotCarried>,
    rewrites: Vec<IdRewrite>,
    taken: HashSet<String>,
    /// Threat ids are a namespace of their own (finding ids are `THREAT@TARGET`).
    threat_ids: HashSet<String>,
}

impl<'a> Builder<'a> {
    pub fn new(file: &'a str, format: &'static str) -> Self {
        Builder {
            r: Reader::new(file),
            model: Model {
                file: file.to_string(),
                ..Model::default()
            },
            format,
            notes: Vec::new(),
            rewrites: Vec::new(),
            taken: HashSet::default(),
            threat_ids: HashSet::default(),
        }
    }

    /// Something the source states that our model has no place for.
    pub fn note(&mut self, anchor: Anchor, what: impl Into<String>) {
        self.notes.push(NotCarried {
            anchor,
            what: what.into(),
        });
    }

    /// Our id for an item the source identifies by `wanted`: kept as written
    /// when it is a valid id of ours and still free, otherwise made valid and
    /// unique, and the change recorded.
    pub fn claim_id(&mut self, kind: &'static str, wanted: &str, pos: Pos) -> String {
        let base = sanitise(wanted);
        let base = if base.is_empty() {
            kind.replace(' ', "-")
        } else {
            base
        };
        let id = self.unique(&base);
        if id != wanted {
            self.rewrites.push(IdRewrite {
                kind,
                from: wanted.to_string(),
                to: id.clone(),
                pos,
            });
        }
        id
    }

    /// Our id for an item the source names but does not identify (pytm's names,
    /// Threat Dragon's generated UUIDs): a readable slug of `name`, unique.
    pub fn id_from_name(&mut self, kind: &'static str, name: &str) -> String {
        let base = slug(name);
        let base = if base.is_empty() {
            kind.replace(' ', "-")
        } else {
            base
        };
        self.unique(&base)
    }

    /// Our id for a threat of the source: its own id when it is a readable id
    /// of ours (not a generated UUID), else a slug of its title; unique among
    /// threats, with `-2`, `-3`, ... for repeated titles.
    pub fn threat_id(&mut self, wanted: Option<&str>, title: &str) -> String {
        let base = match wanted.map(str::trim) {
            Some(w) if is_valid_id(w) && !is_uuid(w) => w.to_string(),
            _ => slug(title),
        };
        let base = if base.is_empty() {
            "threat".to_string()
        } else {
            base
        };
        let id = first_free(&base, &self.threat_ids);
        self.threat_ids.insert(id.clone());
        id
    }

    /// Warns of each key of a document's top that is not in `allowed` (the
    /// nearest one as a hint); `schema` names what it is not part of.
    pub fn warn_unknown_keys(&mut self, entries: &[(Key, Node)], allowed: &[&str], schema: &str) {
        for (key, _) in entries {
            if !allowed.contains(&&*key.name) {
                self.r
                    .warning(
                        key.pos,
                        format!("`{}` is not part of {schema}; it is left out", key.name),
                    )
                    .hint = tms_syntax::diag::did_you_mean(&key.name, allowed.iter().copied())
                    .map(|c| format!("did you mean `{c}`?"));
            }
        }
    }

    /// Adds a threat the source states; its finding ids are `ID@TARGET`.
    pub fn add_threat(&mut self, t: Threat) {
        self.model.threats.push(t);
    }

    fn unique(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let mut n = 2;
        while self.taken.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        id
    }

    pub fn add_boundary(&mut self, b: Boundary) -> BoundaryIdx {
        let i = self.model.boundaries.len();
        self.model.ids.insert(b.id.clone(), Item::Boundary(i));
        self.model.boundaries.push(b);
        i
    }

    pub fn add_data(&mut self, d: DataAsset) -> DataIdx {
        let i = self.model.data.len();
        self.model.ids.insert(d.id.clone(), Item::Data(i));
        self.model.data.push(d);
        i
    }

    pub fn add_element(&mut self, e: Element) -> ElementIdx {
        let i = self.model.elements.len();
        self.model.ids.insert(e.id.clone(), Item::Element(i));
        self.model.elements.push(e);
        i
    }

    /// Adds a flow unless it would go from an element to itself, which our
    /// model cannot hold; that one is reported and listed as not carried.
    pub fn add_flow(&mut self, f: Flow) -> Option<FlowIdx> {
        if f.source == f.sink {
            let element = self.model.elements[f.source].id.clone();
            self.r
                .warning(
                    f.pos,
                    format!(
                        "the flow \"{}\" goes from `{element}` to itself; it is left out",
                        f.name
                    ),
                )
                .hint = Some("tms models what happens inside an element as its attributes".into());
            self.note(
                Anchor::Element(element),
                format!("a flow \"{}\" to itself", f.name),
            );
            self.taken.remove(&f.id);
            return None;
        }
        let i = self.model.flows.len();
        self.model.ids.insert(f.id.clone(), Item::Flow(i));
        self.model.flows.push(f);
        Some(i)
    }

    /// Breaks boundary nesting cycles (an error each), records what was not
    /// carried, and hands the model over unless an error was found.
    pub fn finish(mut self) -> (Option<Model>, Diagnostics) {
        super::check_boundary_cycles(&mut self.r, &mut self.model, "parent links");
        let Builder {
            r,
            mut model,
            format,
            notes,
            rewrites,
            ..
        } = self;
        if r.diags.has_errors() {
            return (None, r.diags);
        }
        model.imported = Some(Imported {
            format: format.to_string(),
            id_rewrites: rewrites,
            not_carried: notes,
            extension: None,
        });
        (Some(model), r.diags)
    }

    /// Sets an attribute of ours from a source value, checking its type; a
    /// value of the wrong type is an error at its position.
    pub fn set_attr(&mut self, attrs: &mut Attrs, name: &str, node: &Node) {
        let Some(id) = attrs::lookup(name) else {
            return;
        };
        if let Some(v) = tms_model::attrs::read_value(&mut self.r, node, id.def()) {
            attrs.set(id, v);
        }
    }
}

/// A new element with nothing set yet.
pub fn element(id: String, kind: ElementKind, name: String, pos: Pos) -> Element {
    Element {
        id,
        kind,
        name,
        description: String::new(),
        boundary: None,
        data: Vec::new(),
        attrs: Attrs::default(),
        tags: Vec::new(),
        role: None,
        properties: Properties::Null,
        pos,
    }
}

/// A new flow with nothing set yet.
pub fn flow(id: String, name: String, source: ElementIdx, sink: ElementIdx, pos: Pos) -> Flow {
    Flow {
        id,
        name,
        description: String::new(),
        source,
        sink,
        data: Vec::new(),
        response_to: None,
        attrs: Attrs::default(),
        tags: Vec::new(),
        properties: Properties::Null,
        pos,
    }
}

pub fn boundary(id: String, name: String, pos: Pos) -> Boundary {
    Boundary {
        id,
        name,
        description: String::new(),
        parent: None,
        in_scope: true,
        tags: Vec::new(),
        pos,
    }
}

pub fn data_asset(id: String, name: String, pos: Pos) -> DataAsset {
    DataAsset {
        id,
        name,
        description: String::new(),
        format: String::new(),
        classification: Classification::Unknown,
        is_pii: false,
        is_credentials: false,
        credentials_life: Lifetime::None,
        is_stored: false,
        is_source_encrypted_at_rest: None,
        is_dest_encrypted_at_rest: None,
        tags: Vec::new(),
        derived: Default::default(),
        pos,
    }
}

/// A STRIDE category as other tools spell it: a letter or the name, in any
/// case, with `-` or `_` for spaces, or a plural (Threat Dragon's OTM export
/// writes "Elevation of Privileges").
pub fn stride(s: &str) -> Option<Stride> {
    let spaced = s.trim().replace(['-', '_'], " ");
    Stride::parse(&spaced).or_else(|| Stride::parse(spaced.strip_suffix('s')?))
}

/// `base`, or `base-2`, `base-3`, ... whichever `taken` does not hold first.
pub fn first_free(base: &str, taken: &HashSet<String>) -> String {
    let mut id = base.to_string();
    // Bounded: among taken.len() + 1 candidates one is free.
    for n in 2..taken.len() + 3 {
        if !taken.contains(&id) {
            break;
        }
        id = format!("{base}-{n}");
    }
    id
}

/// Replaces what our ids cannot hold (`@`, `*`, whitespace) by `-`.
pub fn sanitise(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut dash = false;
    for c in id.trim().chars() {
        if c == '@' || c == '*' || c.is_whitespace() {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        }
    }
    out
}

/// A readable id from a name: lower case letters and digits, other runs as `-`
/// (`Web Server (v2)` becomes `web-server-v2`).
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    // Bounded so a paragraph used as a name does not become a paragraph-long id.
    const MAX: usize = 48;
    if out.chars().count() > MAX {
        out = out.chars().take(MAX).collect();
        while out.ends_with(['-', '.']) {
            out.pop();
        }
    }
    out.trim_matches('.').to_string()
}

/// Whether an id is a generated UUID, which says nothing to a reader.
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether a string can be an id of ours as it stands.
pub fn is_valid_id(s: &str) -> bool {
    !s.trim().is_empty() && !s.contains(['@', '*']) && !s.chars().any(char::is_whitespace)
}

/// A short rendering of a value for a not-carried note.
pub fn summary(v: &Node) -> String {
    match &v.kind {
        NodeKind::Seq(s) => format!("{} entries", s.len()),
        NodeKind::Map(m) if m.len() <= 3 => clip(&v.to_json().to_string()),
        NodeKind::Map(m) => format!("{} keys", m.len()),
        NodeKind::Str(s) => clip(s),
        _ => v.to_json().to_string(),
    }
}

/// Text cut to one line of reasonable length for a note.
pub fn clip(s: &str) -> String {
    const MAX: usize = 100;
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{}...", cut.trim_end())
    } else {
        one_line
    }
}

/// The text of a node that should be text but may be written as a number
/// (`version: 1.4`), or `None` for null; a mapping or list is an error.
pub fn text(r: &mut Reader, node: &Node, what: &str) -> Option<String> {
    match &node.kind {
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => r.text(node, what),
    }
}

/// The string values of a list that may also be null or a single string.
pub fn string_list(r: &mut Reader, node: &Node, what: &str) -> Vec<(String, Pos)> {
    match &node.kind {
        NodeKind::Null => Vec::new(),
        NodeKind::Str(s) => vec![(s.clone(), node.pos)],
        NodeKind::Seq(items) => items
            .iter()
            .filter(|n| !n.is_null())
            .filter_map(|n| text(r, n, &format!("each entry of {what}")).map(|s| (s, n.pos)))
            .collect(),
        _ => {
            r.wrong_type(node, what, "a list");
            Vec::new()
        }
    }
}

/// Resolves names or ids of the source to our indices, reporting the unknown.
pub struct Index<T: Copy> {
    map: HashMap<String, T>,
    what: &'static str,
}

impl<T: Copy> Index<T> {
    pub fn new(what: &'static str) -> Self {
        Index {
            map: HashMap::default(),
            what,
        }
    }

    /// Registers `key`; false when it was already there (the first one stays).
    pub fn insert(&mut self, key: &str, value: T) -> bool {
        if self.map.contains_key(key) {
            return false;
        }
        self.map.insert(key.to_string(), value);
        true
    }

    pub fn get(&self, key: &str) -> Option<T> {
        self.map.get(key).copied()
    }

    /// The item `key` names, or an error at `pos` with the closest known key.
    pub fn resolve(&self, r: &mut Reader, key: &str, pos: Pos, context: &str) -> Option<T> {
        if let Some(v) = self.get(key) {
            return Some(v);
        }
        let hint = tms_syntax::diag::did_you_mean(key, self.map.keys().map(String::as_str))
            .map(|c| format!("did you mean \"{c}\"?"));
        r.error(
            pos,
            format!(
                "{context} names the {} \"{key}\", which does not exist",
                self.what
            ),
        )
        .hint = hint;
        None
    }
}

/// Reads `src` as the format `tms import --from NAME` names, or says why the
/// file is not that format (an error at its start) or cannot be parsed.
pub fn read_as(
    name: &str,
    src: &tms_syntax::source::SourceFile,
) -> Result<(Option<Model>, Diagnostics), tms_syntax::diag::Diagnostic> {
    use crate::registry::Input;
    let file = src.name.as_str();
    let Some(f) = crate::registry::by_name(name) else {
        return Err(tms_syntax::diag::Diagnostic::error(
            file,
            Pos::new(1, 1),
            format!("tms cannot import `{name}` files here"),
        ));
    };
    let not_this = |pos: Pos| {
        tms_syntax::diag::Diagnostic::error(file, pos, format!("this is not {} file", f.title))
            .with_hint(f.signature)
    };
    let xml = src.syntax() == tms_syntax::source::Syntax::Xml;
    match f.input {
        Input::Xml { detect, read } if xml && detect(&src.text) => Ok(read(&src.text, file)),
        Input::Xml { .. } => Err(not_this(Pos::new(1, 1))),
        Input::Tree { .. } if xml => Err(not_this(Pos::new(1, 1))),
        Input::Tree { detect, read } => {
            let root = src.parse()?;
            if !detect(&root) {
                return Err(not_this(root.pos));
            }
            Ok(read(&root, file))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_ids() {
        assert_eq!(slug("Web Server"), "web-server");
        assert_eq!(slug("User enters comments (*)"), "user-enters-comments");
        assert_eq!(slug("Server/DB"), "server-db");
        assert_eq!(slug("  --  "), "");
        assert_eq!(slug("Café Ünïcode"), "café-ünïcode");
        assert!(slug(&"x ".repeat(100)).chars().count() <= 48);
    }

    #[test]
    fn ids_stay_unique_and_rewrites_are_recorded() {
        let mut b = Builder::new("f", "test");
        assert_eq!(b.claim_id("element", "web", Pos::new(1, 1)), "web");
        assert_eq!(b.claim_id("element", "web", Pos::new(2, 1)), "web-2");
        assert_eq!(b.claim_id("element", "a b@c", Pos::new(3, 1)), "a-b-c");
        assert_eq!(b.id_from_name("element", "Web"), "web-3");
        let froms: Vec<&str> = b.rewrites.iter().map(|r| r.from.as_str()).collect();
        assert_eq!(froms, ["web", "a b@c"]);
    }

    #[test]
    fn stride_categories_are_read_as_tools_spell_them() {
        assert_eq!(stride("Elevation of Privileges"), Some(Stride::E));
        assert_eq!(stride("information-disclosure"), Some(Stride::I));
        assert_eq!(stride("T"), Some(Stride::T));
        assert_eq!(stride("Denial of service"), Some(Stride::D));
        assert_eq!(stride("Linkability"), None);
    }

    #[test]
    fn uuids_are_recognised() {
        assert!(is_uuid("5170eb10-abe9-48ec-8c74-b5ad508c28ef"));
        assert!(!is_uuid("web-server"));
        assert!(!is_uuid("5170eb10-abe9-48ec-8c74-b5ad508c28eg"));
    }
}
