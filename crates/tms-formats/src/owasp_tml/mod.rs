//! The OWASP Threat Model Library's format (schema 1.0): a reviewed threat
//! model as one JSON document of trust zones, actors, components, data
//! stores and sets, data flows, threats, controls and risks, all named by
//! symbolic names.
//!
//! | Threat Model Library | tms |
//! |---|---|
//! | `scope` | title and description (criticality, exposure, tier: not carried) |
//! | trust zone | boundary |
//! | trust boundary (between two zones) | not carried: its methods are listed on the first zone |
//! | actor | actor (`administrator`: `isAdmin`; `system`, `third_party`: external entity) |
//! | component | process in its zone |
//! | data store | datastore (`type: sql`: `datastoreType: sql`) |
//! | data set | data asset on the stores it is placed on (`encrypted` placements: `isEncryptedAtRest`; sensitivity: classification, PII, credentials, and the store's `storesPII` / `storesSensitiveData`) |
//! | data flow | flow (`encrypted`: `isEncrypted`; sensitive data: the data sets of a data store end) |
//! | assumption | assumption (rejected ones not carried) |
//! | threat | model threat affecting `components_affected`; CAPEC and CWE as mappings |
//! | control | mitigation text of the threats it addresses |
//! | risk | severity and likelihood of its threats (the worst risk wins) |
//!
//! Threat personas, diagrams and extensions have no place in tms and are
//! listed as not carried over.

pub mod write;

use super::importer::{self, Builder, Index};
use tms_model::attrs;
use tms_model::imported::Anchor;
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::source::{Node, NodeKind, Pos};

/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "owasp-threat-model-library",
    about: "OWASP Threat Model Library JSON (schema 1.0); written with the findings as threats",
    title: "an OWASP Threat Model Library",
    signature:
        "an OWASP Threat Model Library file has `scope`, `trust_zones` and `data_flows` at the top",
    input: crate::registry::Input::Tree { detect, read },
    write: Some(write::write),
};

/// `scope`, `trust_zones` and `data_flows` at the top: the schema's
/// snake_case keys, which no other format tms reads uses together.
pub fn detect(root: &Node) -> bool {
    root.get("scope").is_some_and(|s| s.as_map().is_some())
        && root.get("trust_zones").is_some()
        && root.get("data_flows").is_some()
}

const TOP_KEYS: &[&str] = &[
    "$schema",
    "version",
    "scope",
    "description",
    "frozen",
    "released_at",
    "product_release_date",
    "release_docs_link",
    "reviewed_at",
    "repo_link",
    "diagrams",
    "trust_zones",
    "trust_boundaries",
    "actors",
    "components",
    "data_stores",
    "data_sets",
    "data_flows",
    "assumptions",
    "threat_personas",
    "threats",
    "controls",
    "risks",
    "extensions",
];

struct Library<'a> {
    b: Builder<'a>,
    zones: Index<BoundaryIdx>,
    /// Actors, components and data stores by symbolic name, with their kind
    /// as the library names it (`actor`, `component`, `data_store`).
    elements: Index<(ElementIdx, &'static str)>,
    threats: Index<usize>,
}

/// Reads a Threat Model Library document; `None` when any error was found.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    let mut l = Library {
        b: Builder::new(file, FORMAT.name),
        zones: Index::new("trust zone"),
        elements: Index::new("actor, component or data store"),
        threats: Index::new("threat"),
    };
    l.read(root);
    l.b.finish()
}

/// The entries of an optional list.
fn list<'n>(b: &mut Builder, node: &'n Node, key: &str) -> &'n [Node] {
    match node.get(key) {
        Some(n) if !n.is_null() => b.r.seq(n, &format!("`{key}`")).unwrap_or(&[]),
        _ => &[],
    }
}

/// What a data set placed on a store makes true of the store.
#[derive(Clone, Copy)]
struct Held {
    pii: bool,
    sensitive: bool,
    controlled: bool,
}

fn text(n: &Node, key: &str) -> String {
    n.str_at(key).unwrap_or("").trim().to_string()
}

impl Library<'_> {
    fn read(&mut self, root: &Node) {
        let Some(top) = self.b.r.map(root, "an OWASP Threat Model Library document") else {
            return;
        };
        self.b
            .warn_unknown_keys(top, TOP_KEYS, "the Threat Model Library schema");
        self.header(root);
        for n in list(&mut self.b, root, "trust_zones") {
            self.zone(n);
        }
        for n in list(&mut self.b, root, "trust_boundaries") {
            self.trust_boundary(n);
        }
        for n in list(&mut self.b, root, "actors") {
            self.element(n, "actor");
        }
        for n in list(&mut self.b, root, "components") {
            self.element(n, "component");
        }
        for n in list(&mut self.b, root, "data_stores") {
            self.element(n, "data_store");
        }
        for n in list(&mut self.b, root, "data_sets") {
            self.data_set(n);
        }
        for n in list(&mut self.b, root, "data_flows") {
            self.flow(n);
        }
        for n in list(&mut self.b, root, "assumptions") {
            self.assumption(n);
        }
        let personas = self.personas(root);
        for n in list(&mut self.b, root, "threats") {
            self.threat(n, &personas);
        }
        for n in list(&mut self.b, root, "controls") {
            self.control(n);
        }
        for n in list(&mut self.b, root, "risks") {
            self.risk(n);
        }
    }

    /// Threat personas have no place in tms: each is noted, and their
    /// titles (by symbolic name) go into the descriptions of their threats.
    fn personas(&mut self, root: &Node) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for n in list(&mut self.b, root, "threat_personas") {
            let what = format!(
                "threat persona \"{}\" ({}, skill {}, access {})",
                text(n, "title"),
                importer::clip(&text(n, "description")),
                text(n, "skill_level"),
                text(n, "access_level")
            );
            self.b.note(Anchor::Model, what);
            out.push((text(n, "symbolic_name"), text(n, "title")));
        }
        out
    }

    /// Scope, version and dates; what has no place is noted.
    fn header(&mut self, root: &Node) {
        match root.get("scope") {
            Some(s) => {
                self.b.model.title = text(s, "title");
                if self.b.model.title.is_empty() {
                    self.b.r.error(s.pos, "the `scope` has no `title`");
                }
                self.b.model.description = text(s, "description");
                let facts: Vec<String> = ["business_criticality", "exposure", "tier"]
                    .iter()
                    .filter_map(|k| s.str_at(k).map(|v| format!("{k} {v}")))
                    .chain(s.get("data_sensitivity").and_then(Node::as_seq).map(|d| {
                        let kinds: Vec<&str> = d.iter().filter_map(Node::as_str).collect();
                        format!("data_sensitivity {}", kinds.join(", "))
                    }))
                    .collect();
                if !facts.is_empty() {
                    self.b
                        .note(Anchor::Model, format!("scope: {}", facts.join("; ")));
                }
            }
            None => {
                self.b.r.error(root.pos, "the document has no `scope`").hint =
                    Some("the Threat Model Library requires `scope` with a `title`".into());
            }
        }
        let description = text(root, "description");
        if !description.is_empty() && description != self.b.model.description {
            if self.b.model.description.is_empty() {
                self.b.model.description = description;
            } else {
                self.b.model.description = format!("{description}\n\n{}", self.b.model.description);
            }
        }
        if let Some(v) = root.get("version") {
            self.b.model.version = importer::text(&mut self.b.r, v, "`version`");
        }
        self.b.model.date = ["reviewed_at", "released_at"]
            .iter()
            .find_map(|k| root.str_at(k))
            .filter(|d| tms_syntax::dates::parse_date(d).is_some())
            .map(str::to_string);
        for key in ["repo_link", "release_docs_link", "product_release_date"] {
            if let Some(v) = root.str_at(key) {
                self.b.note(Anchor::Model, format!("{key}: {v}"));
            }
        }
        if matches!(
            root.get("frozen").map(|f| &f.kind),
            Some(NodeKind::Bool(true))
        ) {
            self.b.note(Anchor::Model, "the threat model is frozen");
        }
        for d in list(&mut self.b, root, "diagrams") {
            let what = format!("diagram \"{}\" ({})", text(d, "title"), text(d, "type"));
            self.b.note(Anchor::Model, what);
        }
        if let Some(e) = root.get("extensions").and_then(Node::as_map) {
            for (k, _) in e {
                self.b
                    .note(Anchor::Model, format!("extension `{}`", k.name));
            }
        }
    }

    /// The symbolic name of an object, or an error.
    fn symbolic_name(&mut self, n: &Node, what: &str) -> Option<(String, Pos)> {
        self.b.r.map(n, what)?;
        let Some(s) = n.get("symbolic_name") else {
            self.b
                .r
                .error(n.pos, format!("{what} has no `symbolic_name`"));
            return None;
        };
        Some((importer::text(&mut self.b.r, s, "`symbolic_name`")?, s.pos))
    }

    /// The symbolic name of a zone, element, data set or flow, and our id
    /// for it (kept: symbolic names are valid ids of ours, unless two kinds
    /// share one).
    fn name_of(&mut self, n: &Node, what: &str, kind: &'static str) -> Option<(String, String)> {
        let (name, pos) = self.symbolic_name(n, what)?;
        let id = self.b.claim_id(kind, &name, pos);
        Some((name, id))
    }

    fn zone(&mut self, n: &Node) {
        let Some((name, id)) = self.name_of(n, "a trust zone", "boundary") else {
            return;
        };
        let title = Some(text(n, "title"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.clone());
        let mut b = importer::boundary(id, title, n.pos);
        b.description = text(n, "description");
        let i = self.b.add_boundary(b);
        if !self.zones.insert(&name, i) {
            self.b
                .r
                .error(n.pos, format!("the trust zone `{name}` is defined twice"));
        }
    }

    /// A boundary between two zones: tms's boundaries are the zones, so the
    /// methods used across it are noted on the first zone.
    fn trust_boundary(&mut self, n: &Node) {
        let (a, b) = (text(n, "trust_zone_a"), text(n, "trust_zone_b"));
        for (z, key) in [(&a, "trust_zone_a"), (&b, "trust_zone_b")] {
            let pos = n.get(key).map_or(n.pos, |x| x.pos);
            self.zones
                .resolve(&mut self.b.r, z, pos, "the trust boundary");
        }
        let methods: Vec<String> = ["authentication_methods", "access_control_methods"]
            .iter()
            .filter_map(|k| {
                let v: Vec<&str> = n
                    .get(k)?
                    .as_seq()?
                    .iter()
                    .filter_map(Node::as_str)
                    .collect();
                Some(format!("{k} {}", v.join(", ")))
            })
            .collect();
        let anchor = self.zones.get(&a).map_or(Anchor::Model, |i| {
            Anchor::Boundary(self.b.model.boundaries[i].id.clone())
        });
        self.b.note(
            anchor,
            format!(
                "trust boundary between `{a}` and `{b}`: {}",
                methods.join("; ")
            ),
        );
    }

    fn element(&mut self, n: &Node, kind_name: &'static str) {
        let what = format!("a {}", kind_name.replace('_', " "));
        let Some((name, id)) = self.name_of(n, &what, "element") else {
            return;
        };
        let ty = text(n, "type");
        let kind = match (kind_name, ty.as_str()) {
            ("actor", "system" | "third_party") => ElementKind::ExternalEntity,
            ("actor", _) => ElementKind::Actor,
            ("data_store", _) => ElementKind::Datastore,
            _ => ElementKind::Process,
        };
        let title = Some(text(n, "title"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.clone());
        let mut e = importer::element(id.clone(), kind, title, n.pos);
        e.description = text(n, "description");
        let anchor = Anchor::Element(id);
        if let Some(z) = n.get("trust_zone") {
            if let Some(zone) = z.as_str() {
                e.boundary = self.zones.resolve(&mut self.b.r, zone, z.pos, &what);
            }
        }
        let set = |e: &mut Element, attr: &str, v: Value| {
            if let Some(id) = attrs::lookup(attr) {
                e.attrs.set(id, v);
            }
        };
        if ty == "administrator" {
            set(&mut e, "isAdmin", Value::Bool(true));
        }
        if kind == ElementKind::Datastore && ty == "sql" {
            set(
                &mut e,
                "datastoreType",
                Value::DatastoreType(DatastoreType::Sql),
            );
        }
        let mut notes = Vec::new();
        if kind == ElementKind::Datastore && !ty.is_empty() && ty != "sql" {
            notes.push(format!("data store type {ty}"));
        }
        for key in [
            "permissions",
            "vendor",
            "product",
            "repo_link",
            "parent_component",
        ] {
            let v = text(n, key);
            if !v.is_empty() {
                notes.push(format!("{key}: {}", importer::clip(&v)));
            }
        }
        if !notes.is_empty() {
            self.b.note(anchor, notes.join("; "));
        }
        let i = self.b.add_element(e);
        if !self.elements.insert(&name, (i, kind_name)) {
            self.b.r.error(
                n.pos,
                format!(
                    "the symbolic name `{name}` is used by two actors, components or data stores"
                ),
            );
        }
    }

    fn data_set(&mut self, n: &Node) {
        let Some((name, id)) = self.name_of(n, "a data set", "data") else {
            return;
        };
        let title = Some(text(n, "title"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.clone());
        let mut d = importer::data_asset(id.clone(), title, n.pos);
        d.description = text(n, "description");
        let kinds: Vec<String> = n
            .get("data_sensitivity")
            .map(|v| importer::string_list(&mut self.b.r, v, "`data_sensitivity`"))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        d.is_pii = kinds.iter().any(|k| k == "pii" || k == "phi");
        d.is_credentials = kinds.iter().any(|k| k == "cred");
        d.classification = classification(&kinds);
        let placements = list(&mut self.b, n, "placements");
        d.is_stored = !placements.is_empty();
        let what = Held {
            pii: d.is_pii,
            sensitive: d.classification >= Classification::Sensitive || d.is_pii,
            // Any method but `none` is access control.
            controlled: n
                .get("access_control_methods")
                .and_then(Node::as_seq)
                .is_some_and(|m| m.iter().any(|x| x.as_str().is_some_and(|s| s != "none"))),
        };
        let di = self.b.add_data(d);
        for p in placements {
            self.place(p, di, &name, what);
        }
        if let Some(c) = n.get("record_count").and_then(|c| match c.kind {
            NodeKind::Int(i) => Some(i),
            _ => None,
        }) {
            self.b.note(Anchor::Data(id), format!("record count {c}"));
        }
    }

    /// A data set's placement on a data store: the store holds it, and says
    /// what that makes true of the store.
    fn place(&mut self, p: &Node, di: DataIdx, name: &str, what: Held) {
        let Some(store) = p.get("data_store") else {
            return;
        };
        let Some(sname) = store.as_str() else {
            return;
        };
        let Some((e, kind)) =
            self.elements
                .resolve(&mut self.b.r, sname, store.pos, "the placement")
        else {
            return;
        };
        if kind != "data_store" {
            self.b.r.error(
                store.pos,
                format!("the data set `{name}` is placed on `{sname}`, which is not a data store"),
            );
            return;
        }
        let el = &mut self.b.model.elements[e];
        if !el.data.contains(&di) {
            el.data.push(di);
        }
        let unencrypted = attrs::lookup("isEncryptedAtRest").and_then(|id| el.attrs.value(id))
            == Some(&Value::Bool(false));
        let mut set = |attr: &str, v: bool| {
            if let Some(id) = attrs::lookup(attr) {
                el.attrs.set(id, Value::Bool(v));
            }
        };
        // A store is encrypted at rest only if every data set on it is.
        match p.get("encrypted").map(|x| &x.kind) {
            Some(NodeKind::Bool(false)) => set("isEncryptedAtRest", false),
            Some(NodeKind::Bool(true)) if !unencrypted => set("isEncryptedAtRest", true),
            _ => {}
        }
        if what.pii {
            set("storesPII", true);
        }
        if what.sensitive {
            set("storesSensitiveData", true);
        }
        if what.controlled {
            set("hasAccessControl", true);
        }
    }

    fn flow(&mut self, n: &Node) {
        let Some((name, id)) = self.name_of(n, "a data flow", "flow") else {
            return;
        };
        let title = Some(text(n, "title"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.clone());
        let mut ends = [None, None];
        for (slot, key) in ends.iter_mut().zip(["source", "destination"]) {
            let Some(end) = n.get(key) else {
                self.b
                    .r
                    .error(n.pos, format!("the data flow `{name}` has no `{key}`"));
                continue;
            };
            let Some(object) = end.get("object").and_then(Node::as_str) else {
                self.b
                    .r
                    .error(end.pos, format!("the {key} of `{name}` names no `object`"));
                continue;
            };
            let pos = end.get("object").map_or(end.pos, |o| o.pos);
            *slot = self.elements.resolve(
                &mut self.b.r,
                object,
                pos,
                &format!("the {key} of `{name}`"),
            );
        }
        let [Some((source, skind)), Some((sink, dkind))] = ends else {
            return;
        };
        let mut f = importer::flow(id, title, source, sink, n.pos);
        f.description = text(n, "description");
        if let (Some(NodeKind::Bool(b)), Some(attr)) = (
            n.get("encrypted").map(|x| &x.kind),
            attrs::lookup("isEncrypted"),
        ) {
            f.attrs.set(attr, Value::Bool(*b));
        }
        // What sensitive data a flow carries is the data sets of the store it
        // reads or writes; between components the library does not say.
        if matches!(
            n.get("has_sensitive_data").map(|x| &x.kind),
            Some(NodeKind::Bool(true))
        ) {
            for (e, k) in [(source, skind), (sink, dkind)] {
                if k == "data_store" {
                    for d in self.b.model.elements[e].data.clone() {
                        if !f.data.contains(&d) {
                            f.data.push(d);
                        }
                    }
                }
            }
            if f.data.is_empty() {
                self.b.note(
                    Anchor::Flow(f.id.clone()),
                    "carries sensitive data (the library does not say which)",
                );
            }
        }
        self.b.add_flow(f);
    }

    fn assumption(&mut self, n: &Node) {
        let description = text(n, "description");
        if description.is_empty() {
            return;
        }
        let validity = text(n, "validity");
        if validity == "rejected" {
            self.b.note(
                Anchor::Model,
                format!("rejected assumption: {}", importer::clip(&description)),
            );
            return;
        }
        let topics: Vec<&str> = n
            .get("topics")
            .and_then(Node::as_seq)
            .map(|t| t.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        let mut full = description.clone();
        if !validity.is_empty() && validity != "confirmed" {
            full.push_str(&format!(" ({validity})"));
        }
        if !topics.is_empty() {
            full.push_str(&format!(" Topics: {}.", topics.join(", ")));
        }
        self.b.model.assumptions.push(Assumption {
            name: importer::clip(&description),
            description: full,
            excludes: Vec::new(),
            pos: n.pos,
        });
    }

    fn threat(&mut self, n: &Node, personas: &[(String, String)]) {
        // Threat ids are a namespace of their own (`Builder::threat_id`).
        let Some((name, _)) = self.symbolic_name(n, "a threat") else {
            return;
        };
        let title = Some(text(n, "title"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.clone());
        let id = self.b.threat_id(Some(&name), &title);
        let mut t = Threat::new(id, title, n.pos);
        let mut description = text(n, "description");
        let event = text(n, "event");
        let persona = text(n, "threat_persona");
        let persona_title = personas
            .iter()
            .find(|(s, _)| *s == persona)
            .map_or(persona.clone(), |(_, t)| t.clone());
        let mut about = Vec::new();
        if !event.is_empty() {
            about.push(format!("Event: {event}."));
        }
        if !persona_title.is_empty() {
            about.push(format!("Threat persona: {persona_title}."));
        }
        if !about.is_empty() {
            description = format!("{description}\n\n{}", about.join(" "))
                .trim()
                .to_string();
        }
        t.description = description;
        for c in n
            .get("components_affected")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let Some(s) = c.as_str() else { continue };
            let context = format!("the threat `{name}`");
            if let Some((e, _)) = self.elements.resolve(&mut self.b.r, s, c.pos, &context) {
                if !t.affects.contains(&Item::Element(e)) {
                    t.affects.push(Item::Element(e));
                }
            }
        }
        let capec = refs(n, "attack_mechanisms", "capec_id", "capec_title", "CAPEC");
        let cwe = refs(n, "weaknesses", "cwe_id", "cwe_title", "CWE");
        if !capec.is_empty() || !cwe.is_empty() {
            t.mappings = Some(Mappings {
                capec,
                cwe,
                pos: n.pos,
                ..Mappings::default()
            });
        }
        let i = self.b.model.threats.len();
        self.b.add_threat(t);
        if !self.threats.insert(&name, i) {
            self.b
                .r
                .error(n.pos, format!("the threat `{name}` is defined twice"));
        }
    }

    /// A control: its text is a mitigation of every threat it addresses.
    fn control(&mut self, n: &Node) {
        let title = text(n, "title");
        let status = text(n, "status");
        let priority = text(n, "priority");
        let mut line = format!("{title}: {}", text(n, "description"));
        let facts: Vec<&str> = [status.as_str(), priority.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !facts.is_empty() {
            line = format!("{line} ({})", facts.join(", "));
        }
        for t in n.get("threats").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(s) = t.as_str() else { continue };
            if let Some(i) = self.threats.resolve(&mut self.b.r, s, t.pos, "the control") {
                self.b.model.threats[i].mitigations.push(line.clone());
            }
        }
    }

    /// A risk rates the threats it names; a threat in several risks takes
    /// the worst.
    fn risk(&mut self, n: &Node) {
        let severity = n.str_at("level").and_then(severity_of_level);
        let likelihood = n.str_at("likelihood").and_then(likelihood_of);
        for t in n.get("threats").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(s) = t.as_str() else { continue };
            if let Some(i) = self.threats.resolve(&mut self.b.r, s, t.pos, "the risk") {
                let threat = &mut self.b.model.threats[i];
                if severity > threat.severity {
                    threat.severity = severity;
                    threat.likelihood = likelihood;
                }
            }
        }
        let impact = text(n, "impact_description");
        if !impact.is_empty() {
            self.b.note(
                Anchor::Model,
                format!("risk \"{}\": {}", text(n, "title"), importer::clip(&impact)),
            );
        }
    }
}

/// CAPEC or CWE references (`{capec_id: 148, capec_title: ...}`) as ids of ours.
fn refs(n: &Node, key: &str, id_key: &str, title_key: &str, prefix: &str) -> Vec<IdName> {
    n.get(key)
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|r| {
            let id = match &r.get(id_key)?.kind {
                NodeKind::Int(i) => i.to_string(),
                NodeKind::Str(s) => s.trim_start_matches(&format!("{prefix}-")).to_string(),
                _ => return None,
            };
            Some(IdName {
                id: format!("{prefix}-{id}"),
                name: r.str_at(title_key).map(str::to_string),
                pos: r.pos,
            })
        })
        .collect()
}

/// The library's data sensitivity kinds as one classification: secrets of
/// state and credentials highest, personal, health, financial and card data
/// sensitive, business and operational data restricted.
fn classification(kinds: &[String]) -> Classification {
    kinds
        .iter()
        .map(|k| match k.as_str() {
            "gov" => Classification::Secret,
            "cred" | "pii" | "phi" | "fin" | "pci" => Classification::Sensitive,
            "ip" | "biz" | "op" => Classification::Restricted,
            _ => Classification::Unknown,
        })
        .max()
        .unwrap_or(Classification::Unknown)
}

/// A risk's level band as our severity.
pub fn severity_of_level(s: &str) -> Option<Severity> {
    Some(match s {
        "very_low" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "very_high" | "critical" => Severity::Critical,
        _ => return None,
    })
}

fn likelihood_of(s: &str) -> Option<Likelihood> {
    Some(match s {
        "rare" => Likelihood::VeryLow,
        "unlikely" => Likelihood::Low,
        "possible" => Likelihood::Medium,
        "likely" => Likelihood::High,
        "certain" => Likelihood::VeryHigh,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitivity_kinds_make_one_classification() {
        let kinds = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(classification(&[]), Classification::Unknown);
        assert_eq!(classification(&kinds(&["op"])), Classification::Restricted);
        assert_eq!(
            classification(&kinds(&["biz", "pii"])),
            Classification::Sensitive
        );
        assert_eq!(
            classification(&kinds(&["gov", "pii"])),
            Classification::Secret
        );
    }

    #[test]
    fn risk_bands_and_likelihoods_are_ours() {
        assert_eq!(severity_of_level("very_low"), Some(Severity::Info));
        assert_eq!(severity_of_level("very_high"), Some(Severity::Critical));
        assert_eq!(severity_of_level("unheard-of"), None);
        assert_eq!(likelihood_of("certain"), Some(Likelihood::VeryHigh));
        assert_eq!(likelihood_of("rare"), Some(Likelihood::VeryLow));
    }
}
