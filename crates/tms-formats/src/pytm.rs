//! OWASP pytm's JSON: the model format pytm reads (`pytm.json.load`, elements
//! tagged with `__class__`) and the file `tm.py --json FILE` writes.
//!
//! pytm names things and refers to them by name, so our ids are the names made
//! safe (`Web Server` becomes `web-server`). pytm's controls sit in a nested
//! `controls` object; a control written flat on an element is, in pytm 1.4, an
//! unused extra that no rule sees: tms applies it as the user meant and warns.
//!
//! The `--json` output also holds what pytm computed (every attribute with its
//! default, inputs, outputs, findings). Defaults are dropped, and so are flow
//! values our derivation gives back, so the model reads as what was set. pytm's
//! resolve overwrites a flow's protocol, ports and encryption with its
//! endpoints' even where the script set them (a pytm bug tms does not copy);
//! the output keeps only the overwritten values. What the output still says
//! about assumptions and overrides (`excluded_findings`, a finding's
//! `response`) becomes assumptions and triage.

use super::importer::{self, Builder, Index};
use tms_model::attrs::{self, AttrType, Derivation};
use tms_model::imported::Anchor;
use tms_model::*;
use tms_syntax::source::{Node, NodeKind, Pos};

/// The name `tms import --from` uses.
/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "pytm",
    about: "OWASP pytm's JSON: a model file (`__class__`) or the output of `tm.py --json`",
    title: "a pytm JSON",
    signature: "pytm's JSON has a `name` (no `title`) and elements tagged with `__class__`, or pytm's own keys such as `isOrdered` and `assets`",
    input: crate::registry::Input::Tree { detect, read },
    write: None,
};

/// Keys only pytm's TM has at the top (`assets` alone is also OTM's; pytm's
/// output has it with `actors`).
const PYTM_TOP_KEYS: &[&str] = &[
    "isOrdered",
    "mergeResponses",
    "onDuplicates",
    "ignoreUnused",
    "threatsFile",
    "threatsExcluded",
    "excluded_findings",
];

/// A pytm document: a `name` instead of our `title`, with pytm's own top-level
/// settings or elements tagged with `__class__`.
pub fn detect(root: &Node) -> bool {
    let Some(top) = root.as_map() else {
        return false;
    };
    if root.get("title").is_some() {
        return false;
    }
    if top.iter().any(|(k, _)| PYTM_TOP_KEYS.contains(&&*k.name))
        || (root.get("actors").is_some() && root.get("assets").is_some())
    {
        return true;
    }
    root.get("elements")
        .and_then(Node::as_seq)
        .is_some_and(|els| els.iter().any(|e| e.get("__class__").is_some()))
}

/// Keys of the top level: read, or what pytm computes and tms recomputes.
const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "boundaries",
    "data",
    "elements",
    "flows",
    "assumptions",
    "isOrdered",
    "mergeResponses",
    "onDuplicates",
    "ignoreUnused",
    "colormap",
    "threatsFile",
    "threatsExcluded",
    "excluded_findings",
    "findings",
    "actors",
    "assets",
];

/// pytm's bookkeeping on every element, flow and boundary: computed by pytm
/// (inputs, outputs, severity, findings) or internal (uuid); tms recomputes.
const COMPUTED: &[&str] = &[
    "findings",
    "inputs",
    "outputs",
    "severity",
    "uuid",
    "is_drawn",
    "_is_drawn",
    "response",
    "carriedBy",
    "processedBy",
];

/// Controls that pytm 1.4 also declares flat on some classes: there the flat
/// key is a real field, not an unused extra.
fn flat_field_too(control: &str, class: &str) -> bool {
    matches!(
        (control, class),
        ("usesVPN", "Server" | "Dataflow") | ("tracksExecutionFlow", "Process" | "SetOfProcesses")
    )
}

struct Pytm<'a> {
    b: Builder<'a>,
    /// `--json` output rather than a hand-written model file.
    output: bool,
    boundaries: Index<BoundaryIdx>,
    data: Index<DataIdx>,
    elements: Index<ElementIdx>,
    flows: Index<FlowIdx>,
    /// Model-level assumption names, to attribute pytm's excluded findings.
    tm_assumptions: Vec<String>,
    /// The type of the element being read (none for flows and boundaries),
    /// whose defaults decide what is left unset.
    kind: Option<ElementKind>,
}

/// Reads a pytm JSON document; `None` when any error was found.
pub fn read(root: &Node, file: &str) -> (Option<Model>, tms_syntax::diag::Diagnostics) {
    let output = root.get("assets").is_some() || root.get("actors").is_some();
    let mut p = Pytm {
        b: Builder::new(file, FORMAT.name),
        output,
        boundaries: Index::new("boundary"),
        data: Index::new("data"),
        elements: Index::new("element"),
        flows: Index::new("dataflow"),
        tm_assumptions: Vec::new(),
        kind: None,
    };
    p.read(root);
    p.b.finish()
}

impl Pytm<'_> {
    fn read(&mut self, root: &Node) {
        let Some(top) = self.b.r.map(root, "a pytm model") else {
            return;
        };
        for (key, value) in top {
            if !TOP_KEYS.contains(&&*key.name) {
                self.b
                    .r
                    .warning(
                        key.pos,
                        format!("unknown key `{}` in a pytm model; it is left out", key.name),
                    )
                    .hint = tms_syntax::diag::did_you_mean(&key.name, TOP_KEYS.iter().copied())
                    .map(|c| format!("did you mean `{c}`?"));
                self.b.note(
                    Anchor::Model,
                    format!("`{}`: {}", key.name, importer::summary(value)),
                );
            }
        }
        match root.get("name") {
            Some(n) => {
                self.b.model.title = importer::text(&mut self.b.r, n, "`name`").unwrap_or_default()
            }
            None => {
                self.b
                    .r
                    .error(root.pos, "the pytm model has no `name`")
                    .hint = Some("pytm requires a name for the threat model".into());
            }
        }
        if let Some(n) = root.get("description") {
            self.b.model.description =
                importer::text(&mut self.b.r, n, "`description`").unwrap_or_default();
        }
        for (key, what) in [
            (
                "isOrdered",
                "flows are ordered (`isOrdered`); in tms a flow's `order` says it",
            ),
            (
                "mergeResponses",
                "responses are merged in diagrams (`mergeResponses`)",
            ),
            (
                "ignoreUnused",
                "unused elements are ignored (`ignoreUnused`)",
            ),
            ("colormap", "diagrams are coloured by severity (`colormap`)"),
        ] {
            if root
                .get(key)
                .is_some_and(|n| matches!(n.kind, NodeKind::Bool(true)))
            {
                self.b.note(Anchor::Model, what);
            }
        }
        if let Some(n) = root.get("assumptions") {
            self.model_assumptions(n);
        }
        if let Some(n) = root.get("boundaries") {
            self.read_boundaries(n);
        }
        if let Some(n) = root.get("data") {
            for d in self.b.r.seq(n, "`data`").unwrap_or(&[]) {
                self.read_data(d);
            }
        }
        if let Some(n) = root.get("elements") {
            for e in self.b.r.seq(n, "`elements`").unwrap_or(&[]) {
                self.read_element(e);
            }
        }
        let mut responses = Vec::new();
        if let Some(n) = root.get("flows") {
            for f in self.b.r.seq(n, "`flows`").unwrap_or(&[]) {
                if let Some(r) = self.read_flow(f) {
                    responses.push(r);
                }
            }
        }
        for (flow, name, pos) in responses {
            if let Some(to) = self
                .flows
                .resolve(&mut self.b.r, &name, pos, "`responseTo`")
            {
                if to == flow {
                    self.b
                        .r
                        .error(pos, format!("the dataflow \"{name}\" answers itself"));
                } else {
                    self.b.model.flows[flow].response_to = Some(to);
                }
            }
        }
        if self.output {
            self.drop_derivable();
        }
        if let Some(n) = root.get("excluded_findings") {
            self.excluded_findings(n);
        }
        if let Some(n) = root.get("findings") {
            self.findings(n);
        }
    }

    fn model_assumptions(&mut self, node: &Node) {
        for n in self.b.r.seq(node, "`assumptions`").unwrap_or(&[]) {
            let Some(a) = self.assumption(n) else {
                continue;
            };
            self.tm_assumptions.push(a.name.clone());
            self.b.model.assumptions.push(a);
        }
    }

    /// pytm's `Assumption`: a mapping in a model file, only its name in `--json` output.
    fn assumption(&mut self, n: &Node) -> Option<Assumption> {
        if let Some(s) = n.as_str() {
            return Some(Assumption {
                name: s.to_string(),
                description: String::new(),
                excludes: Vec::new(),
                pos: n.pos,
            });
        }
        self.b.r.map(n, "an assumption")?;
        let name = n
            .get("name")
            .and_then(|x| importer::text(&mut self.b.r, x, "`name`"));
        let Some(name) = name else {
            self.b.r.error(n.pos, "an assumption has no `name`");
            return None;
        };
        let excludes = n
            .get("exclude")
            .map(|x| importer::string_list(&mut self.b.r, x, "`exclude`"))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        Some(Assumption {
            name,
            description: n
                .get("description")
                .and_then(|x| importer::text(&mut self.b.r, x, "`description`"))
                .unwrap_or_default(),
            excludes,
            pos: n.pos,
        })
    }

    /// A name, required on everything pytm models.
    fn name(&mut self, node: &Node, what: &str) -> Option<String> {
        let Some(n) = node.get("name") else {
            self.b
                .r
                .error(node.pos, format!("{what} has no `name`"))
                .hint = Some("pytm refers to everything by its name".into());
            return None;
        };
        let name = importer::text(&mut self.b.r, n, "`name`")?;
        if name.trim().is_empty() {
            self.b.r.error(n.pos, format!("{what} has an empty `name`"));
            return None;
        }
        Some(name)
    }

    fn read_boundaries(&mut self, node: &Node) {
        let mut parents = Vec::new();
        for n in self.b.r.seq(node, "`boundaries`").unwrap_or(&[]) {
            if self.b.r.map(n, "a boundary").is_none() {
                continue;
            }
            let Some(name) = self.name(n, "a boundary") else {
                continue;
            };
            let id = self.b.id_from_name("boundary", &name);
            let mut b = importer::boundary(id.clone(), name.clone(), n.pos);
            if !self.boundaries.insert(&name, self.b.model.boundaries.len()) {
                self.duplicate_name(n, "boundary", &name);
            }
            for (key, value) in n.as_map().unwrap_or(&[]) {
                match &*key.name {
                    "name" | "__class__" => {}
                    "description" => {
                        b.description = importer::text(&mut self.b.r, value, "`description`")
                            .unwrap_or_default()
                    }
                    "inScope" => {
                        b.in_scope = self.b.r.bool(value, "`inScope`").unwrap_or(true);
                    }
                    "inBoundary" => {
                        if let Some(p) = value.as_str() {
                            parents.push((self.b.model.boundaries.len(), p.to_string(), value.pos));
                        } else if !value.is_null() {
                            self.b
                                .r
                                .wrong_type(value, "`inBoundary`", "a boundary name");
                        }
                    }
                    k if COMPUTED.contains(&k) => {}
                    k if attrs::lookup(k).is_some() => {
                        // pytm gives boundaries the attributes of every element; tms's
                        // boundaries have none, so only a value other than the default is lost.
                        let mut probe = Attrs::default();
                        self.attr(&mut probe, k, value);
                        if probe.iter().next().is_some() {
                            self.not_carried(
                                &Anchor::Boundary(id.clone()),
                                key,
                                value,
                                "a boundary",
                            );
                        }
                    }
                    _ => self.not_carried(&Anchor::Boundary(id.clone()), key, value, "a boundary"),
                }
            }
            self.b.add_boundary(b);
        }
        for (i, parent, pos) in parents {
            if let Some(p) = self
                .boundaries
                .resolve(&mut self.b.r, &parent, pos, "`inBoundary`")
            {
                if p == i {
                    self.b
                        .r
                        .error(pos, format!("the boundary \"{parent}\" is inside itself"));
                } else {
                    self.b.model.boundaries[i].parent = Some(p);
                }
            }
        }
    }

    /// A key our model has no place for: a note, and a warning unless it only
    /// repeats pytm's default (which `--json` output writes for everything).
    fn not_carried(
        &mut self,
        anchor: &Anchor,
        key: &tms_syntax::source::Key,
        value: &Node,
        what: &str,
    ) {
        if is_empty_value(value) || (key.name.as_ref() == "controls" && all_default(value)) {
            return;
        }
        self.b.r.warning(
            key.pos,
            format!(
                "`{}` on {what} has no place in tms; it is left out",
                key.name
            ),
        );
        self.b.note(
            anchor.clone(),
            format!("`{}`: {}", key.name, importer::summary(value)),
        );
    }

    fn duplicate_name(&mut self, n: &Node, what: &str, name: &str) {
        self.b
            .r
            .warning(
                n.pos,
                format!("a second {what} is named \"{name}\"; references by name reach the first"),
            )
            .hint = Some("give each a unique name".into());
    }

    fn read_data(&mut self, n: &Node) {
        if self.b.r.map(n, "a data item").is_none() {
            return;
        }
        let Some(name) = self.name(n, "a data item") else {
            return;
        };
        let id = self.b.id_from_name("data", &name);
        let mut d = importer::data_asset(id.clone(), name.clone(), n.pos);
        let mut credentials_life_pos = None;
        for (key, value) in n.as_map().unwrap_or(&[]) {
            let r = &mut self.b.r;
            match &*key.name {
                "name" => {}
                "description" => {
                    d.description = importer::text(r, value, "`description`").unwrap_or_default()
                }
                "format" => d.format = importer::text(r, value, "`format`").unwrap_or_default(),
                "classification" => {
                    if let Some(c) = pytm_enum(
                        r,
                        value,
                        "classification",
                        Classification::parse,
                        Classification::spellings(),
                    ) {
                        d.classification = c;
                    }
                }
                "credentialsLife" | "lifetime" => {
                    if key.name.as_ref() == "lifetime" {
                        // pytm's own loader passes `lifetime` on, and pytm 1.4 keeps it
                        // as an unused extra: the credentials' lifetime stays NONE there.
                        r.warning(
                            key.pos,
                            "pytm 1.4 keeps `lifetime` as an unused extra, so its rules never see it; tms reads it as `credentialsLife`",
                        )
                        .hint = Some("write `credentialsLife`".into());
                        if credentials_life_pos.is_some() {
                            continue;
                        }
                    }
                    credentials_life_pos = Some(key.pos);
                    if let Some(l) = pytm_enum(
                        r,
                        value,
                        "credentials lifetime",
                        Lifetime::parse,
                        Lifetime::spellings(),
                    ) {
                        d.credentials_life = l;
                    }
                }
                "isPII" => d.is_pii = r.bool(value, "`isPII`").unwrap_or(false),
                "isCredentials" => {
                    d.is_credentials = r.bool(value, "`isCredentials`").unwrap_or(false)
                }
                "isStored" => d.is_stored = r.bool(value, "`isStored`").unwrap_or(false),
                "isSourceEncryptedAtRest" => {
                    d.is_source_encrypted_at_rest = r.bool(value, "`isSourceEncryptedAtRest`")
                }
                "isDestEncryptedAtRest" => {
                    d.is_dest_encrypted_at_rest = r.bool(value, "`isDestEncryptedAtRest`")
                }
                k if COMPUTED.contains(&k) => {}
                _ => {
                    let hint = tms_syntax::diag::did_you_mean(
                        &key.name,
                        [
                            "description",
                            "format",
                            "classification",
                            "isPII",
                            "isCredentials",
                            "credentialsLife",
                            "isStored",
                            "isSourceEncryptedAtRest",
                            "isDestEncryptedAtRest",
                        ],
                    )
                    .map(|c| format!("did you mean `{c}`?"));
                    self.b
                        .r
                        .warning(
                            key.pos,
                            format!(
                                "unknown key `{}` in the data \"{name}\"; it is left out",
                                key.name
                            ),
                        )
                        .hint = hint;
                    self.b.note(
                        Anchor::Data(id.clone()),
                        format!("`{}`: {}", key.name, importer::summary(value)),
                    );
                }
            }
        }
        if !self.data.insert(&name, self.b.model.data.len()) {
            self.duplicate_name(n, "data item", &name);
        }
        self.b.add_data(d);
    }

    fn read_element(&mut self, n: &Node) {
        if self.b.r.map(n, "an element").is_none() {
            return;
        }
        let Some(name) = self.name(n, "an element") else {
            return;
        };
        let (class, kind) = match n.get("__class__") {
            None => ("Asset".to_string(), None),
            Some(c) => match importer::text(&mut self.b.r, c, "`__class__`") {
                Some(class) => {
                    let kind = ElementKind::from_pytm_class(&class);
                    if kind.is_none() && class != "Asset" {
                        let classes: Vec<&str> =
                            ElementKind::ALL.iter().map(|k| k.pytm_class()).collect();
                        self.b
                            .r
                            .error(c.pos, format!("`{class}` is not a pytm element class"))
                            .hint = Some(
                            match tms_syntax::diag::did_you_mean(&class, classes.iter().copied()) {
                                Some(s) => {
                                    format!("did you mean `{s}`? classes: {}", classes.join(", "))
                                }
                                None => format!("classes: {}", classes.join(", ")),
                            },
                        );
                        return;
                    }
                    (class, kind)
                }
                None => return,
            },
        };
        let id = self.b.id_from_name("element", &name);
        let kind = kind.unwrap_or_else(|| {
            self.b.r.warning(
                n.get("__class__").map_or(n.pos, |c| c.pos),
                format!("\"{name}\" is pytm's generic `Asset`, which tms has no type for; it is read as a process"),
            )
            .hint = Some("give it a concrete class: Server, Process, Datastore, Lambda, ...".into());
            self.b.note(Anchor::Element(id.clone()), "pytm class `Asset` (read as a process)");
            ElementKind::Process
        });
        let mut e = importer::element(id.clone(), kind, name.clone(), n.pos);
        self.kind = Some(kind);
        let what = format!("the {class} \"{name}\"");
        let anchor = Anchor::Element(id.clone());
        for (key, value) in n.as_map().unwrap_or(&[]) {
            match &*key.name {
                "name" | "__class__" => {}
                "description" => {
                    e.description =
                        importer::text(&mut self.b.r, value, "`description`").unwrap_or_default()
                }
                "inBoundary" => {
                    if let Some(bname) = value.as_str() {
                        e.boundary =
                            self.boundaries
                                .resolve(&mut self.b.r, bname, value.pos, &what);
                    } else if !value.is_null() {
                        self.b
                            .r
                            .wrong_type(value, "`inBoundary`", "a boundary name");
                    }
                }
                "data" => {
                    for (d, pos) in importer::string_list(&mut self.b.r, value, "`data`") {
                        if let Some(i) = self.data.resolve(&mut self.b.r, &d, pos, &what) {
                            if !e.data.contains(&i) {
                                e.data.push(i);
                            }
                        }
                    }
                }
                "type" if kind == ElementKind::Datastore => {
                    self.attr(&mut e.attrs, "datastoreType", value);
                }
                "controls" => self.controls(&mut e.attrs, n, value, &class, &anchor),
                "assumptions" => self.element_assumptions(value, &anchor),
                "overrides" => self.overrides(value, &anchor),
                k if COMPUTED.contains(&k) => {}
                _ => self.flat(&mut e.attrs, key, value, kind.bit(), &class, &what, &anchor),
            }
        }
        self.kind = None;
        if !self.elements.insert(&name, self.b.model.elements.len()) {
            self.duplicate_name(n, "element", &name);
        }
        self.b.add_element(e);
    }

    /// A key written flat on an element or flow: one of the class's own fields,
    /// a control written outside `controls`, or something pytm does not know.
    #[allow(clippy::too_many_arguments)]
    fn flat(
        &mut self,
        attrs: &mut Attrs,
        key: &tms_syntax::source::Key,
        value: &Node,
        target: Targets,
        class: &str,
        what: &str,
        anchor: &Anchor,
    ) {
        let name = key.name.as_ref();
        let def = attrs::lookup(name).map(|id| id.def());
        match def {
            Some(def) if def.control && !flat_field_too(name, class) => {
                self.b.r.warning(
                    key.pos,
                    format!("`{name}` is one of pytm's controls: written flat on {what}, pytm 1.4 keeps it as an unused extra and its rules never see it; tms applies it"),
                )
                .hint = Some(format!(
                    "write it nested, as pytm reads it: \"controls\": {{\"{name}\": {}}}",
                    value.to_json()
                ));
                self.attr(attrs, name, value);
            }
            Some(def) if def.applies.intersects(target) => self.attr(attrs, name, value),
            Some(_) => {
                if is_empty_value(value) {
                    return;
                }
                self.b.r.warning(
                    key.pos,
                    format!("`{name}` is not an attribute of pytm's {class}; pytm keeps it as an unused extra and tms leaves it out"),
                );
                self.b.note(
                    anchor.clone(),
                    format!("`{name}`: {}", importer::summary(value)),
                );
            }
            None => {
                if is_empty_value(value) {
                    return;
                }
                let candidates = attrs::for_targets(target).map(|(_, a)| a.name);
                let hint = tms_syntax::diag::did_you_mean(name, candidates)
                    .map(|c| format!("did you mean `{c}`?"));
                self.b.r.warning(
                    key.pos,
                    format!("unknown key `{name}` on {what}; pytm keeps it as an unused extra and tms leaves it out"),
                )
                .hint = hint;
                self.b.note(
                    anchor.clone(),
                    format!("`{name}`: {}", importer::summary(value)),
                );
            }
        }
    }

    fn controls(
        &mut self,
        attrs: &mut Attrs,
        owner: &Node,
        node: &Node,
        class: &str,
        anchor: &Anchor,
    ) {
        let Some(entries) = self.b.r.map(node, "`controls`") else {
            return;
        };
        for (key, value) in entries {
            let name = key.name.as_ref();
            match attrs::lookup(name).map(|id| id.def()) {
                Some(def) if def.control => {
                    // A control pytm also declares as a field of this class (usesVPN
                    // on a Server): its rules read the field, so the field wins.
                    if flat_field_too(name, class) && owner.get(name).is_some() {
                        continue;
                    }
                    self.attr(attrs, name, value);
                }
                _ => {
                    let controls = attrs::ATTRS.iter().filter(|a| a.control).map(|a| a.name);
                    let hint = tms_syntax::diag::did_you_mean(name, controls)
                        .map(|c| format!("did you mean `{c}`?"));
                    self.b.r.warning(
                        key.pos,
                        format!("`{name}` is not one of pytm's controls; pytm keeps it as an unused extra and tms leaves it out"),
                    )
                    .hint = hint;
                    self.b.note(
                        anchor.clone(),
                        format!("`controls.{name}`: {}", importer::summary(value)),
                    );
                }
            }
        }
    }

    /// Sets one attribute; pytm's defaults are dropped (an unset attribute reads as it).
    fn attr(&mut self, attrs: &mut Attrs, name: &str, value: &Node) {
        let Some(id) = attrs::lookup(name) else {
            return;
        };
        let def = id.def();
        let v = match def.ty {
            AttrType::Classification => pytm_enum(
                &mut self.b.r,
                value,
                "classification",
                Classification::parse,
                Classification::spellings(),
            )
            .map(Value::Classification),
            AttrType::TlsVersion => pytm_enum(
                &mut self.b.r,
                value,
                "TLS version",
                TlsVersion::parse,
                TlsVersion::spellings(),
            )
            .map(Value::TlsVersion),
            AttrType::DatastoreType => pytm_enum(
                &mut self.b.r,
                value,
                "datastore type",
                DatastoreType::parse,
                DatastoreType::spellings(),
            )
            .map(Value::DatastoreType),
            // pytm's levels default to {0}: drawn on the first level, as an empty list is here.
            AttrType::IntList
                if name == "levels"
                    && matches!(&value.kind, NodeKind::Seq(s) if s.len() == 1 && matches!(s[0].kind, NodeKind::Int(0))) =>
            {
                None
            }
            _ => tms_model::attrs::read_value(&mut self.b.r, value, def),
        };
        let Some(v) = v else { return };
        // pytm's default for this class (its Lambda runs on AWS).
        let default = attrs::default_for(def, self.kind);
        let is_default = v.as_ref() == default.as_value_ref()
            || matches!((&v, default), (Value::IntList(l), attrs::Default::EmptyList) if l.is_empty())
            || matches!((&v, default), (Value::StrList(l), attrs::Default::EmptyList) if l.is_empty());
        // A derived attribute's default still differs from leaving it unset.
        if is_default && (def.derived == Derivation::None || self.output) {
            return;
        }
        attrs.set(id, v);
    }

    /// pytm's per-element assumptions. A model file gives the threats each
    /// excludes (triage: not applicable there); `--json` output keeps only the
    /// name, and its excluded findings say what it excluded.
    fn element_assumptions(&mut self, node: &Node, anchor: &Anchor) {
        let (Anchor::Element(target) | Anchor::Flow(target)) = anchor else {
            return;
        };
        let target = target.clone();
        for n in self.b.r.seq(node, "`assumptions`").unwrap_or(&[]) {
            let Some(a) = self.assumption(n) else {
                continue;
            };
            if n.as_str().is_some() {
                // `--json` output: the threats it excluded come from `excluded_findings`.
                self.b.note(
                    anchor.clone(),
                    format!("pytm assumption \"{}\" (pytm's output keeps only its name; triage holds the threats it excluded here)", a.name),
                );
                continue;
            }
            if a.excludes.is_empty() {
                self.b.note(
                    anchor.clone(),
                    format!("assumption \"{}\" (excludes no threat)", a.name),
                );
            }
            for sid in &a.excludes {
                self.push_triage(
                    sid,
                    &target,
                    Status::NotApplicable,
                    assumption_text(&a.name, &a.description),
                    a.pos,
                );
            }
        }
    }

    /// pytm's overrides in a model file: a finding's `response` on this target.
    fn overrides(&mut self, node: &Node, anchor: &Anchor) {
        let (Anchor::Element(target) | Anchor::Flow(target)) = anchor else {
            return;
        };
        let target = target.clone();
        for n in self.b.r.seq(node, "`overrides`").unwrap_or(&[]) {
            // `--json` output writes each override as an empty string.
            if n.as_str().is_some_and(str::is_empty) || n.as_map().is_none() {
                continue;
            }
            let sid = n
                .get("threat_id")
                .or_else(|| n.get("id"))
                .and_then(Node::as_str);
            let response = n.str_at("response").unwrap_or("");
            match sid {
                Some(sid) => {
                    let sid = sid.to_string();
                    if !response.trim().is_empty() {
                        self.response_triage(&sid, &target, response, n.pos, anchor);
                    }
                    // What else an override restates (CVSS, severity, ...) has no place here.
                    let rest: Vec<String> = n
                        .as_map()
                        .unwrap_or(&[])
                        .iter()
                        .filter(|(k, v)| {
                            !matches!(&*k.name, "threat_id" | "id" | "response")
                                && !is_empty_value(v)
                        })
                        .map(|(k, v)| format!("{}: {}", k.name, importer::summary(v)))
                        .collect();
                    if !rest.is_empty() {
                        self.b.note(
                            anchor.clone(),
                            format!("override of {sid}: {}", rest.join(", ")),
                        );
                    }
                }
                None => self.b.note(
                    anchor.clone(),
                    format!("an override without `threat_id`: {}", importer::summary(n)),
                ),
            }
        }
    }

    fn read_flow(&mut self, n: &Node) -> Option<(FlowIdx, String, Pos)> {
        self.b.r.map(n, "a dataflow")?;
        let name = self.name(n, "a dataflow")?;
        let what = format!("the dataflow \"{name}\"");
        let end = |p: &mut Self, key: &str| -> Option<ElementIdx> {
            let Some(v) = n.get(key) else {
                p.b.r.error(n.pos, format!("{what} has no `{key}`"));
                return None;
            };
            let s = importer::text(&mut p.b.r, v, &format!("`{key}`"))?;
            p.elements
                .resolve(&mut p.b.r, &s, v.pos, &format!("`{key}` of {what}"))
        };
        let source = end(self, "source");
        let sink = end(self, "sink");
        let (source, sink) = (source?, sink?);
        let id = self.b.id_from_name("flow", &name);
        let anchor = Anchor::Flow(id.clone());
        let mut f = importer::flow(id, name.clone(), source, sink, n.pos);
        let mut response_to = None;
        for (key, value) in n.as_map().unwrap_or(&[]) {
            match &*key.name {
                "name" | "source" | "sink" | "__class__" | "inBoundary" => {}
                "description" => {
                    f.description =
                        importer::text(&mut self.b.r, value, "`description`").unwrap_or_default()
                }
                "data" => {
                    for (d, pos) in importer::string_list(&mut self.b.r, value, "`data`") {
                        if let Some(i) = self.data.resolve(&mut self.b.r, &d, pos, &what) {
                            if !f.data.contains(&i) {
                                f.data.push(i);
                            }
                        }
                    }
                }
                "responseTo" => {
                    if let Some(s) = value.as_str() {
                        response_to = Some((s.to_string(), value.pos));
                    } else if !value.is_null() {
                        self.b
                            .r
                            .wrong_type(value, "`responseTo`", "a dataflow name");
                    }
                }
                "controls" => self.controls(&mut f.attrs, n, value, "Dataflow", &anchor),
                "assumptions" => self.element_assumptions(value, &anchor),
                "overrides" => self.overrides(value, &anchor),
                k if COMPUTED.contains(&k) => {}
                _ => self.flat(
                    &mut f.attrs,
                    key,
                    value,
                    Targets::FLOW,
                    "Dataflow",
                    &what,
                    &anchor,
                ),
            }
        }
        let added = self.b.add_flow(f)?;
        if !self.flows.insert(&name, added) {
            self.duplicate_name(n, "dataflow", &name);
        }
        response_to.map(|(s, pos)| (added, s, pos))
    }

    /// In `--json` output every flow carries the values pytm's resolve gave it
    /// from its endpoints; where ours gives the same, leaving them unset keeps
    /// the model as it was written.
    fn drop_derivable(&mut self) {
        use tms_model::attr_id::*;
        let Model {
            elements,
            flows,
            data,
            ..
        } = &mut self.b.model;
        for f in flows.iter_mut() {
            let response = f.response_to.is_some();
            if f.attrs.get(IS_RESPONSE) == ValueRef::Bool(response) {
                unset(&mut f.attrs, IS_RESPONSE);
            }
            let (src, sink) = (&elements[f.source].attrs, &elements[f.sink].attrs);
            let pairs: &[(AttrId, &Attrs, AttrId)] = if response {
                &[
                    (PROTOCOL, src, PROTOCOL),
                    (SRC_PORT, src, PORT),
                    (IS_ENCRYPTED, src, IS_ENCRYPTED),
                ]
            } else {
                &[
                    (PROTOCOL, sink, PROTOCOL),
                    (DST_PORT, sink, PORT),
                    (IS_ENCRYPTED, sink, IS_ENCRYPTED),
                    (AUTHENTICATES_DESTINATION, src, AUTHENTICATES_DESTINATION),
                    (
                        CHECKS_DESTINATION_REVOCATION,
                        src,
                        CHECKS_DESTINATION_REVOCATION,
                    ),
                ]
            };
            for (attr, from, from_attr) in pairs {
                if f.attrs.get(*attr) == from.get(*from_attr) {
                    unset(&mut f.attrs, *attr);
                }
            }
        }
        for d in data.iter_mut() {
            if d.is_credentials && d.credentials_life == Lifetime::Unknown {
                d.credentials_life = Lifetime::None;
            } else if d.credentials_life != Lifetime::None && d.is_credentials {
                d.is_credentials = false;
            }
        }
        // A flow carries its source's data; pytm's output lists it on the flow too.
        for f in flows.iter_mut() {
            let inherited = &elements[f.source].data;
            f.data.retain(|d| !inherited.contains(d));
        }
        // pytm's resolve overwrites a stored datum's at-rest flags from every
        // forward flow that carries it, so for those the output holds pytm's
        // values, not the script's: ours derives them again.
        let mut carried = vec![false; data.len()];
        for f in flows.iter().filter(|f| f.response_to.is_none()) {
            for &i in f.data.iter().chain(&elements[f.source].data) {
                carried[i] = true;
            }
        }
        for (d, carried) in data.iter_mut().zip(carried) {
            if carried && d.is_stored {
                d.is_source_encrypted_at_rest = None;
                d.is_dest_encrypted_at_rest = None;
            } else {
                // Not carried: pytm left the script's values, `false` unless set.
                if d.is_source_encrypted_at_rest == Some(false) {
                    d.is_source_encrypted_at_rest = None;
                }
                if d.is_dest_encrypted_at_rest == Some(false) {
                    d.is_dest_encrypted_at_rest = None;
                }
            }
        }
    }

    /// `--json` output: findings pytm left out because of an assumption. One on
    /// a model-level assumption names a threat that assumption excludes; one on
    /// an element's own assumption becomes triage, not applicable there.
    fn excluded_findings(&mut self, node: &Node) {
        for n in self.b.r.seq(node, "`excluded_findings`").unwrap_or(&[]) {
            let (Some(sid), Some(target)) = (n.str_at("threat_id"), n.str_at("target")) else {
                continue;
            };
            let a = n.get("assumption");
            let name = a
                .and_then(|a| a.get("name"))
                .and_then(Node::as_str)
                .unwrap_or("");
            let description = a
                .and_then(|a| a.get("description"))
                .and_then(Node::as_str)
                .unwrap_or("");
            if let Some(i) = self.tm_assumptions.iter().position(|x| x == name) {
                let excludes = &mut self.b.model.assumptions[i].excludes;
                if !excludes.iter().any(|x| x == sid) {
                    excludes.push(sid.to_string());
                    excludes.sort();
                }
                continue;
            }
            let Some(target) = self.target_id(target) else {
                continue;
            };
            self.push_triage(
                sid,
                &target,
                Status::NotApplicable,
                assumption_text(name, description),
                n.pos,
            );
        }
    }

    /// `--json` output: a finding whose `response` says how it is handled.
    fn findings(&mut self, node: &Node) {
        for n in self.b.r.seq(node, "`findings`").unwrap_or(&[]) {
            let response = n.str_at("response").unwrap_or("");
            if response.trim().is_empty() {
                continue;
            }
            let (Some(sid), Some(target)) = (n.str_at("threat_id"), n.str_at("target")) else {
                continue;
            };
            let Some(id) = self.target_id(target) else {
                continue;
            };
            let anchor = match self.b.model.ids.get(&id) {
                Some(Item::Flow(_)) => Anchor::Flow(id.clone()),
                _ => Anchor::Element(id.clone()),
            };
            self.response_triage(sid, &id, response, n.pos, &anchor);
        }
    }

    /// Our id of the element or flow pytm names.
    fn target_id(&self, name: &str) -> Option<String> {
        self.elements
            .get(name)
            .map(|i| self.b.model.elements[i].id.clone())
            .or_else(|| {
                self.flows
                    .get(name)
                    .map(|i| self.b.model.flows[i].id.clone())
            })
    }

    /// pytm documents a response as mitigated, transferred, avoided or accepted.
    fn response_triage(
        &mut self,
        sid: &str,
        target: &str,
        response: &str,
        pos: Pos,
        anchor: &Anchor,
    ) {
        let first = response
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| !w.is_empty())
            .unwrap_or("")
            .to_ascii_lowercase();
        let status = match first.as_str() {
            "mitigated" => Status::Mitigated,
            "transferred" => Status::Transferred,
            "accepted" => Status::Accepted,
            "avoided" => Status::NotApplicable,
            _ => {
                self.b.note(
                    anchor.clone(),
                    format!("response to {sid}: \"{}\" (not one of mitigated, transferred, avoided, accepted)", importer::clip(response)),
                );
                return;
            }
        };
        self.push_triage(sid, target, status, response.trim().to_string(), pos);
    }

    fn push_triage(
        &mut self,
        sid: &str,
        target: &str,
        status: Status,
        justification: String,
        pos: Pos,
    ) {
        if !importer::is_valid_id(sid) {
            return;
        }
        let finding = format!("{sid}@{target}");
        if self.b.model.triage.iter().any(|t| t.finding == finding) {
            return;
        }
        self.b.model.triage.push(TriageEntry::decision(
            sid,
            target,
            status,
            Some(justification).filter(|j| !j.is_empty()),
            pos,
        ));
    }
}

fn assumption_text(name: &str, description: &str) -> String {
    if description.trim().is_empty() {
        format!("pytm assumption: {name}")
    } else {
        format!("pytm assumption: {name} ({})", description.trim())
    }
}

fn unset(attrs: &mut Attrs, id: AttrId) {
    let kept: Vec<(AttrId, Value)> = attrs
        .iter()
        .filter(|(i, _)| *i != id)
        .map(|(i, v)| (i, v.clone()))
        .collect();
    let mut out = Attrs::default();
    for (i, v) in kept {
        out.set(i, v);
    }
    *attrs = out;
}

/// pytm writes its enums as `Classification.SECRET` in `--json` output and
/// as `SECRET` in model files; both are read.
fn pytm_enum<T>(
    r: &mut tms_syntax::reader::Reader,
    node: &Node,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    spellings: impl Iterator<Item = &'static str>,
) -> Option<T> {
    let s = r.string(node, &format!("the {what}"))?;
    // Strip an enum class prefix (`TLSVersion.`), never a version's dot (`TLSv1.2`).
    let bare = match s.split_once('.') {
        Some((class, member))
            if class.len() > 5 && class.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            member
        }
        _ => s.as_str(),
    };
    if let Some(v) = parse(bare) {
        return Some(v);
    }
    let choices: Vec<&str> = spellings.collect();
    r.error(node.pos, format!("`{s}` is not a valid {what}"))
        .hint = Some(format!("choices: {}", choices.join(", ")));
    None
}

/// Null, an empty string or list, or `false`/`-1`/`0`: what `--json` output
/// writes for everything left unset, so leaving it out loses nothing.
fn is_empty_value(v: &Node) -> bool {
    match &v.kind {
        NodeKind::Null => true,
        NodeKind::Str(s) => s.is_empty(),
        NodeKind::Seq(s) => s.is_empty() || s.iter().all(is_empty_value),
        NodeKind::Map(m) => m.is_empty(),
        NodeKind::Bool(b) => !b,
        NodeKind::Int(i) => *i == -1 || *i == 0,
        NodeKind::Float(_) => false,
    }
}

fn all_default(v: &Node) -> bool {
    v.as_map()
        .is_some_and(|m| m.iter().all(|(_, x)| is_empty_value(x)))
}
