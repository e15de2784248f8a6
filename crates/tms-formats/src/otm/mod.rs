//! Open Threat Model (OTM) 0.2.0, IriusRisk's interchange format: trust zones,
//! components, dataflows, assets, threats and mitigations.
//!
//! Trust zones become boundaries, components elements, dataflows flows and
//! assets data. OTM ids are kept (made valid where they hold `@`, `*` or
//! spaces). Like OTM's own validator, the reader checks that ids of trust
//! zones, components and dataflows are unique together, that ids of assets,
//! threats, mitigations and representations are unique in their lists, and
//! that every reference resolves: each is an error at its position.
//!
//! A component's `type` is free text in OTM; tms picks the element type it
//! names (`database` is a datastore, `web-client` an external entity) and
//! keeps the text in the element's `properties` as `otmType`. The document's
//! threats become the model's threats: name, description, STRIDE
//! `categories`, `cwes`, impact as severity and likelihood, affecting the
//! components and dataflows that reference them, with the state of the
//! reference as status and the referenced mitigations' text. References that
//! disagree on the state split a threat in two (`ID-STATUS`). Threats tms's
//! own export wrote for its rules are triage of `RULE@TARGET` instead. What
//! OTM rates that tms does not (trust ratings) is listed as not carried over.

pub mod write;

use super::importer::{self, Builder};
use tms_model::attrs;
use tms_model::imported::Anchor;
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::fxhash::FxHashMap as HashMap;
use tms_syntax::source::{Node, NodeKind, Pos};

/// The name `tms import --from` uses.
/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "otm",
    about: "Open Threat Model (OTM) 0.2.0 JSON or YAML; written for IriusRisk and other OTM tools",
    title: "an Open Threat Model",
    signature: "an Open Threat Model file has `otmVersion` at the top",
    input: crate::registry::Input::Tree { detect, read },
    write: Some(write::write),
};

/// An OTM document has `otmVersion` at the top, which no other format has.
pub fn detect(root: &Node) -> bool {
    root.get("otmVersion").is_some()
}

const TOP_KEYS: &[&str] = &[
    "otmVersion",
    "project",
    "representations",
    "assets",
    "trustZones",
    "components",
    "dataflows",
    "threats",
    "mitigations",
];

/// A threat from the document's `threats` list.
struct OtmThreat {
    name: String,
    description: String,
    categories: Vec<String>,
    cwes: Vec<String>,
    likelihood: Option<f64>,
    impact: Option<f64>,
    /// A rule of tms's, written by tms's own export (its findings are
    /// triage, not threats of the model).
    rule: bool,
    /// What tms's own export says of a model threat on no component.
    decision: Option<Decision>,
}

/// A decision on a threat: a threat reference's state and what comes with it.
#[derive(Clone, PartialEq)]
struct Decision {
    status: Status,
    justification: Option<String>,
    owner: Option<String>,
    ticket: Option<String>,
    expires: Option<String>,
}

/// A threat reference on a component or dataflow that became an element or flow.
struct Instance {
    threat: String,
    item: Item,
    decision: Decision,
    mitigations: Vec<String>,
}

struct Otm<'a> {
    b: Builder<'a>,
    /// OTM id of trust zones, components and dataflows (one namespace in OTM),
    /// with what each became and where it was defined.
    items: HashMap<String, (OtmItem, Pos)>,
    assets: HashMap<String, (DataIdx, Pos)>,
    threats: HashMap<String, (OtmThreat, Pos)>,
    /// Threat ids in the document's order, for a deterministic model.
    threat_order: Vec<String>,
    /// Mitigation id to its name and text.
    mitigations: HashMap<String, ((String, String), Pos)>,
    instances: Vec<Instance>,
    representations: HashMap<String, Pos>,
    /// Written by tms's own export: what it computed (trust ratings, open
    /// findings) is not lost when read back, since tms computes it again.
    ours: bool,
    /// Flows that answer another (`attributes.responseTo`), resolved at the end.
    responses: Vec<(FlowIdx, String, Pos)>,
}

#[derive(Clone, Copy)]
enum OtmItem {
    Zone(BoundaryIdx),
    Component(ElementIdx),
    Dataflow(Option<FlowIdx>),
}

/// Reads an OTM document; `None` when any error was found.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    let mut o = Otm {
        b: Builder::new(file, FORMAT.name),
        items: HashMap::default(),
        assets: HashMap::default(),
        threats: HashMap::default(),
        threat_order: Vec::new(),
        mitigations: HashMap::default(),
        instances: Vec::new(),
        representations: HashMap::default(),
        responses: Vec::new(),
        ours: false,
    };
    o.read(root);
    o.b.finish()
}

/// The entries of an optional list that OTM allows to be null.
fn list<'n>(b: &mut Builder, node: &'n Node, key: &str) -> &'n [Node] {
    match node.get(key) {
        None => &[],
        Some(n) => b.r.seq(n, &format!("`{key}`")).unwrap_or(&[]),
    }
}

impl Otm<'_> {
    fn read(&mut self, root: &Node) {
        let Some(top) = self.b.r.map(root, "an OTM document") else {
            return;
        };
        self.b.warn_unknown_keys(top, TOP_KEYS, "OTM 0.2.0");
        if let Some(v) = root.get("otmVersion") {
            if let Some(s) = importer::text(&mut self.b.r, v, "`otmVersion`") {
                if !s.starts_with("0.") {
                    self.b.r.warning(
                        v.pos,
                        format!("OTM version {s}: tms reads OTM 0.2.0, and newer files may mean more than it reads"),
                    );
                }
            }
        }
        self.project(root);
        for n in list(&mut self.b, root, "representations") {
            if let Some(id) = self.required_text(n, "id", "a representation") {
                if let Some(first) = self.representations.get(&id) {
                    let first = *first;
                    self.duplicate(n, &id, "representations", first);
                } else {
                    self.representations.insert(id, n.pos);
                }
            }
        }
        let reps = self.representations.len();
        if reps > 0 {
            self.b.note(
                Anchor::Model,
                format!("{reps} representation(s) (diagram layout, code locations)"),
            );
        }
        for n in list(&mut self.b, root, "assets") {
            self.asset(n);
        }
        for n in list(&mut self.b, root, "threats") {
            self.threat(n);
        }
        for n in list(&mut self.b, root, "mitigations") {
            if self.b.r.map(n, "a mitigation").is_none() {
                continue;
            }
            let Some(id) = self.required_text(n, "id", "a mitigation") else {
                continue;
            };
            let name = self.opt_text(n, "name").unwrap_or_else(|| id.clone());
            let text = self
                .opt_text(n, "description")
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| name.clone());
            if let Some((_, first)) = self.mitigations.get(&id) {
                let first = *first;
                self.duplicate(n, &id, "mitigations", first);
                continue;
            }
            self.mitigations.insert(id, ((name, text), n.pos));
        }

        let zones: Vec<&Node> = list(&mut self.b, root, "trustZones").iter().collect();
        let mut zone_parents = Vec::new();
        for n in &zones {
            if let Some((i, parent)) = self.trust_zone(n) {
                zone_parents.push((i, parent));
            }
        }
        let components: Vec<&Node> = list(&mut self.b, root, "components").iter().collect();
        let mut component_parents = Vec::new();
        for n in &components {
            if let Some((i, parent)) = self.component(n) {
                component_parents.push((i, parent, *n));
            }
        }
        // Parents resolve once every zone and component is known (OTM lists
        // them in any order).
        let mut nested_in = vec![None; self.b.model.elements.len()];
        for (i, parent, n) in &component_parents {
            match self.parent(parent, "the component") {
                Some(OtmItem::Zone(z)) => self.b.model.elements[*i].boundary = Some(z),
                Some(OtmItem::Component(c)) if c == *i => {
                    self.b.r.error(n.pos, "the component is its own parent");
                }
                Some(OtmItem::Component(c)) => nested_in[*i] = Some(c),
                _ => {}
            }
        }
        // A component inside a component sits in the outer one's trust zone.
        for i in 0..nested_in.len() {
            let mut outer = nested_in[i];
            let mut steps = 0;
            while let Some(c) = outer {
                if steps > nested_in.len() {
                    let pos = self.b.model.elements[i].pos;
                    self.b.r.error(pos, "components nest in a cycle");
                    break;
                }
                if nested_in[c].is_none() {
                    let zone = self.b.model.elements[c].boundary;
                    let (id, outer_id) = (
                        self.b.model.elements[i].id.clone(),
                        self.b.model.elements[c].id.clone(),
                    );
                    self.b.model.elements[i].boundary = zone;
                    self.b.note(
                        Anchor::Element(id),
                        format!("OTM places it inside the component `{outer_id}`; it is in that component's trust zone here"),
                    );
                    break;
                }
                outer = nested_in[c];
                steps += 1;
            }
        }
        for (i, parent) in zone_parents {
            match self.parent(&parent, "the trust zone") {
                Some(OtmItem::Zone(z)) if z == i => {
                    self.b
                        .r
                        .error(parent.pos, "the trust zone is its own parent");
                }
                Some(OtmItem::Zone(z)) => self.b.model.boundaries[i].parent = Some(z),
                Some(OtmItem::Component(c)) => {
                    let zone = self.b.model.elements[c].boundary.filter(|z| *z != i);
                    self.b.model.boundaries[i].parent = zone;
                    let (id, cid) = (
                        self.b.model.boundaries[i].id.clone(),
                        self.b.model.elements[c].id.clone(),
                    );
                    self.b.note(
                        Anchor::Boundary(id),
                        format!("OTM places it inside the component `{cid}`; here it nests in that component's trust zone"),
                    );
                }
                _ => {}
            }
        }
        for (i, _, n) in &component_parents {
            self.component_links(*i, n);
        }
        for n in list(&mut self.b, root, "dataflows") {
            self.dataflow(n);
        }
        for (fi, to, pos) in std::mem::take(&mut self.responses) {
            match self.items.get(&to).map(|(i, _)| *i) {
                Some(OtmItem::Dataflow(Some(x))) if x != fi => {
                    self.b.model.flows[fi].response_to = Some(x);
                    if let serde_json::Value::Object(m) = &mut self.b.model.flows[fi].properties {
                        m.remove("responseTo");
                    }
                    if self.b.model.flows[fi]
                        .properties
                        .as_object()
                        .is_some_and(|m| m.is_empty())
                    {
                        self.b.model.flows[fi].properties = serde_json::Value::Null;
                    }
                }
                _ => {
                    self.b.r.error(
                        pos,
                        format!("`responseTo` names `{to}`, which is not another dataflow"),
                    );
                }
            }
        }
        self.model_threats();
    }

    /// The document's threats, other than tms's rules, as threats of the
    /// model. A threat's references that share a decision become one threat
    /// affecting their elements and flows; a reference with another decision
    /// becomes a threat of its own (`ID-STATUS`), since a threat has one
    /// status. A threat no component references is a threat to the system.
    fn model_threats(&mut self) {
        let order = std::mem::take(&mut self.threat_order);
        let instances = std::mem::take(&mut self.instances);
        for otm_id in &order {
            let Some((t, pos)) = self.threats.get(otm_id) else {
                continue;
            };
            if t.rule {
                continue;
            }
            let mut groups: Vec<(Decision, Vec<Item>, Vec<String>)> = Vec::new();
            for i in instances.iter().filter(|i| &i.threat == otm_id) {
                let k = match groups.iter().position(|g| g.0 == i.decision) {
                    Some(k) => k,
                    None => {
                        groups.push((i.decision.clone(), Vec::new(), Vec::new()));
                        groups.len() - 1
                    }
                };
                let g = &mut groups[k];
                if !g.1.contains(&i.item) {
                    g.1.push(i.item);
                }
                for m in &i.mitigations {
                    if !g.2.contains(m) {
                        g.2.push(m.clone());
                    }
                }
            }
            if groups.is_empty() {
                let d = t.decision.clone().unwrap_or(Decision {
                    status: Status::Open,
                    justification: None,
                    owner: None,
                    ticket: None,
                    expires: None,
                });
                groups.push((d, Vec::new(), Vec::new()));
            }
            let mut made = Vec::with_capacity(groups.len());
            for (k, (d, affects, mitigations)) in groups.into_iter().enumerate() {
                let wanted = match k {
                    0 => otm_id.clone(),
                    _ => format!("{otm_id}-{}", d.status.as_str()),
                };
                let id = self.b.threat_id(Some(&wanted), &t.name);
                let mut m = tms_model::Threat::new(id, t.name.clone(), *pos);
                m.description = t.description.clone();
                m.stride = t
                    .categories
                    .iter()
                    .filter_map(|c| importer::stride(c))
                    .collect();
                m.stride.sort();
                m.stride.dedup();
                m.severity = t.impact.map(severity_of_impact);
                m.likelihood = t.likelihood.map(likelihood_of_score);
                if !t.cwes.is_empty() {
                    m.mappings = Some(Mappings {
                        cwe: t
                            .cwes
                            .iter()
                            .map(|c| IdName {
                                id: c.clone(),
                                name: None,
                                pos: *pos,
                            })
                            .collect(),
                        pos: *pos,
                        ..Mappings::default()
                    });
                }
                m.status = d.status;
                m.justification = d.justification;
                m.owner = d.owner;
                m.ticket = d.ticket;
                m.expires = d.expires;
                m.mitigations = mitigations;
                m.affects = affects;
                made.push(m);
            }
            for m in made {
                self.b.add_threat(m);
            }
        }
    }

    fn project(&mut self, root: &Node) {
        let Some(p) = root.get("project") else {
            self.b
                .r
                .error(root.pos, "the OTM document has no `project`")
                .hint = Some("OTM requires `project` with a `name` and an `id`".into());
            return;
        };
        if self.b.r.map(p, "`project`").is_none() {
            return;
        }
        match self.required_text(p, "name", "the project") {
            Some(name) => self.b.model.title = name,
            None => return,
        }
        let attributes = p.get("attributes").and_then(Node::as_map).unwrap_or(&[]);
        self.ours = p
            .get("attributes")
            .and_then(|a| a.get("generator"))
            .and_then(Node::as_str)
            == Some("tms");
        if let Some(id) = self.required_text(p, "id", "the project") {
            if !self.ours {
                self.b.note(Anchor::Model, format!("OTM project id `{id}`"));
            }
        }
        self.b.model.description = self.opt_text(p, "description").unwrap_or_default();
        if let Some(owner) = self.opt_text(p, "owner") {
            let contact = self.opt_text(p, "ownerContact");
            self.b.model.authors.push(Author {
                name: owner,
                email: contact,
            });
        }
        if let Some(v) = p.get("tags").filter(|v| !is_empty(v)) {
            self.b.note(
                Anchor::Model,
                format!("project `tags`: {}", importer::summary(v)),
            );
        }
        let mut rest = Vec::new();
        for (k, v) in attributes {
            match (&*k.name, v.as_str()) {
                ("generator", Some("tms")) => {}
                ("version", Some(s)) if self.ours => self.b.model.version = Some(s.to_string()),
                ("date", Some(s))
                    if self.ours && tms_syntax::dates::parse_timestamp(s).is_some() =>
                {
                    self.b.model.date = Some(s.to_string())
                }
                _ => rest.push(format!("{}: {}", k.name, importer::summary(v))),
            }
        }
        if !rest.is_empty() {
            self.b.note(
                Anchor::Model,
                format!("project `attributes`: {}", rest.join(", ")),
            );
        }
    }

    fn required_text(&mut self, n: &Node, key: &str, what: &str) -> Option<String> {
        match n.get(key).filter(|v| !v.is_null()) {
            None => {
                self.b.r.error(n.pos, format!("{what} has no `{key}`")).hint =
                    Some(format!("OTM requires `{key}` here"));
                None
            }
            Some(v) => {
                let s = importer::text(&mut self.b.r, v, &format!("`{key}`"))?;
                if s.trim().is_empty() {
                    self.b
                        .r
                        .error(v.pos, format!("{what} has an empty `{key}`"));
                    return None;
                }
                Some(s)
            }
        }
    }

    fn opt_text(&mut self, n: &Node, key: &str) -> Option<String> {
        n.get(key)
            .filter(|v| !v.is_null())
            .and_then(|v| importer::text(&mut self.b.r, v, &format!("`{key}`")))
    }

    fn duplicate(&mut self, n: &Node, id: &str, list: &str, first: Pos) {
        let pos = n.get("id").map_or(n.pos, |i| i.pos);
        self.b
            .r
            .error(pos, format!("duplicate id `{id}` in {list}"))
            .hint = Some(format!(
            "OTM ids are unique; `{id}` is first defined at line {}, column {}",
            first.line, first.col
        ));
    }

    /// Registers an id in OTM's shared namespace of zones, components and dataflows.
    fn register(&mut self, n: &Node, id: &str, item: OtmItem) -> bool {
        if let Some((_, first)) = self.items.get(id) {
            let first = *first;
            self.duplicate(n, id, "trust zones, components and dataflows", first);
            return false;
        }
        self.items
            .insert(id.to_string(), (item, n.get("id").map_or(n.pos, |i| i.pos)));
        true
    }

    fn asset(&mut self, n: &Node) {
        if self.b.r.map(n, "an asset").is_none() {
            return;
        }
        let Some(otm_id) = self.required_text(n, "id", "an asset") else {
            return;
        };
        if let Some((_, first)) = self.assets.get(&otm_id) {
            let first = *first;
            self.duplicate(n, &otm_id, "assets", first);
            return;
        }
        let name = self.opt_text(n, "name").unwrap_or_else(|| otm_id.clone());
        let id_pos = n.get("id").map_or(n.pos, |i| i.pos);
        let id = self.b.claim_id("data asset", &otm_id, id_pos);
        let mut d = importer::data_asset(id.clone(), name, n.pos);
        d.description = self.opt_text(n, "description").unwrap_or_default();
        match n.get("risk") {
            None => {
                self.b.r.warning(n.pos, "the asset has no `risk`").hint =
                    Some("OTM requires `risk` with confidentiality, integrity and availability (0 to 100)".into());
            }
            Some(risk) => {
                if let Some(c) = self.score(risk, "confidentiality") {
                    d.classification = classification(c);
                }
                let mut rated = Vec::new();
                for key in ["confidentiality", "integrity", "availability"] {
                    if let Some(v) = self.score(risk, key) {
                        rated.push(format!("{key} {v}"));
                    }
                }
                if let Some(c) = self.opt_text(risk, "comment") {
                    rated.push(format!("\"{}\"", importer::clip(&c)));
                }
                // tms's own export rates confidentiality from the classification
                // it also writes; then the ratings say nothing more.
                let ours = n
                    .get("attributes")
                    .and_then(|a| a.get("classification"))
                    .and_then(Node::as_str)
                    .is_some_and(|c| Classification::parse(c).is_some());
                if !rated.is_empty() && !ours {
                    self.b.note(
                        Anchor::Data(id.clone()),
                        format!("OTM risk: {}", rated.join(", ")),
                    );
                }
            }
        }
        self.data_attributes(n, &mut d);
        let i = self.b.add_data(d);
        self.assets.insert(otm_id, (i, id_pos));
    }

    /// An asset's `attributes`: what our data assets hold beyond OTM's asset
    /// (tms's own export writes them so); anything else is not carried.
    fn data_attributes(&mut self, n: &Node, d: &mut DataAsset) {
        let Some(entries) = n.get("attributes").and_then(Node::as_map) else {
            return;
        };
        let mut rest = Vec::new();
        for (k, v) in entries {
            let ok = match (&*k.name, &v.kind) {
                ("classification", NodeKind::Str(s)) => Classification::parse(s)
                    .map(|c| d.classification = c)
                    .is_some(),
                ("credentialsLife", NodeKind::Str(s)) => {
                    Lifetime::parse(s).map(|l| d.credentials_life = l).is_some()
                }
                ("format", NodeKind::Str(s)) => {
                    d.format = s.clone();
                    true
                }
                ("isPII", NodeKind::Bool(b)) => {
                    d.is_pii = *b;
                    true
                }
                ("isCredentials", NodeKind::Bool(b)) => {
                    d.is_credentials = *b;
                    true
                }
                ("isStored", NodeKind::Bool(b)) => {
                    d.is_stored = *b;
                    true
                }
                _ => false,
            };
            if !ok {
                rest.push(format!("{}: {}", k.name, importer::summary(v)));
            }
        }
        if !rest.is_empty() {
            self.b.note(
                Anchor::Data(d.id.clone()),
                format!("`attributes`: {}", rest.join(", ")),
            );
        }
    }

    /// A 0-100 rating; out of range is a warning, and the value is clamped.
    fn score(&mut self, risk: &Node, key: &str) -> Option<f64> {
        let v = risk.get(key)?;
        let x = match v.kind {
            NodeKind::Int(i) => i as f64,
            NodeKind::Float(f) => f,
            NodeKind::Null => return None,
            _ => {
                self.b.r.wrong_type(v, &format!("`{key}`"), "a number");
                return None;
            }
        };
        if !(0.0..=100.0).contains(&x) {
            self.b.r.warning(
                v.pos,
                format!(
                    "`{key}` is {}; OTM rates from 0 to 100",
                    tms_syntax::reader::show_float(x)
                ),
            );
        }
        Some(x.clamp(0.0, 100.0))
    }

    fn threat(&mut self, n: &Node) {
        if self.b.r.map(n, "a threat").is_none() {
            return;
        }
        let Some(id) = self.required_text(n, "id", "a threat") else {
            return;
        };
        if let Some((_, first)) = self.threats.get(&id) {
            let first = *first;
            self.duplicate(n, &id, "threats", first);
            return;
        }
        let name = self.opt_text(n, "name").unwrap_or_else(|| id.clone());
        let strings = |o: &mut Self, key: &str| -> Vec<String> {
            n.get(key)
                .map(|v| importer::string_list(&mut o.b.r, v, &format!("`{key}`")))
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect()
        };
        let categories = strings(self, "categories");
        let cwes = strings(self, "cwes");
        let description = self.opt_text(n, "description").unwrap_or_default();
        let attributes = n.get("attributes");
        let stated = attributes
            .and_then(|a| a.str_at("tmsSource"))
            .is_some_and(|s| s == "model");
        let decision = attributes.filter(|_| stated).map(|a| {
            let text = |k: &str| a.str_at(k).map(str::to_string);
            Decision {
                status: a
                    .str_at("status")
                    .and_then(Status::parse)
                    .unwrap_or(Status::Open),
                justification: text("justification"),
                owner: text("owner"),
                ticket: text("ticket"),
                expires: text("expires").filter(|d| tms_syntax::dates::parse_date(d).is_some()),
            }
        });
        let (likelihood, impact) = match n.get("risk") {
            Some(r) => (self.score(r, "likelihood"), self.score(r, "impact")),
            None => (None, None),
        };
        self.threat_order.push(id.clone());
        self.threats.insert(
            id,
            (
                OtmThreat {
                    name,
                    description,
                    categories,
                    cwes,
                    likelihood,
                    impact,
                    // tms's own export lists its rules' threats unmarked.
                    rule: self.ours && !stated,
                    decision,
                },
                n.pos,
            ),
        );
    }

    fn trust_zone(&mut self, n: &Node) -> Option<(BoundaryIdx, Node)> {
        self.b.r.map(n, "a trust zone")?;
        let otm_id = self.required_text(n, "id", "a trust zone")?;
        let name = self.opt_text(n, "name").unwrap_or_else(|| otm_id.clone());
        let id_pos = n.get("id").map_or(n.pos, |i| i.pos);
        let id = self.b.claim_id("boundary", &otm_id, id_pos);
        let mut b = importer::boundary(id.clone(), name, n.pos);
        b.description = self.opt_text(n, "description").unwrap_or_default();
        let anchor = Anchor::Boundary(id);
        let mut lost = Vec::new();
        if let Some(t) = self.opt_text(n, "type") {
            lost.push(format!("type {t}"));
        }
        if let Some(r) = n.get("risk").and_then(|r| r.get("trustRating")) {
            if !self.ours {
                lost.push(format!("trust rating {}", r.to_json()));
            }
        }
        if !lost.is_empty() {
            self.b
                .note(anchor.clone(), format!("OTM {}", lost.join(", ")));
        }
        self.representation_refs(n);
        if let Some(entries) = n.get("attributes").and_then(Node::as_map) {
            let mut rest = Vec::new();
            for (k, v) in entries {
                match (&*k.name, &v.kind) {
                    ("inScope", NodeKind::Bool(x)) => b.in_scope = *x,
                    ("tags", NodeKind::Seq(items))
                        if items.iter().all(|i| i.as_str().is_some()) =>
                    {
                        b.tags = items
                            .iter()
                            .filter_map(Node::as_str)
                            .map(str::to_string)
                            .collect();
                    }
                    _ => rest.push(format!("{}: {}", k.name, importer::summary(v))),
                }
            }
            if !rest.is_empty() {
                self.b
                    .note(anchor, format!("`attributes`: {}", rest.join(", ")));
            }
        }
        let i = self.b.add_boundary(b);
        if !self.register(n, &otm_id, OtmItem::Zone(i)) {
            return None;
        }
        n.get("parent")
            .filter(|p| !p.is_null())
            .map(|p| (i, p.clone()))
    }

    fn representation_refs(&mut self, n: &Node) {
        for r in list(&mut self.b, n, "representations") {
            if let Some(v) = r.get("representation") {
                if let Some(s) = v.as_str() {
                    if !self.representations.contains_key(s) {
                        let known = self.representations.keys().map(String::as_str);
                        let hint = tms_syntax::diag::did_you_mean(s, known)
                            .map(|c| format!("did you mean `{c}`?"));
                        self.b
                            .r
                            .error(v.pos, format!("the representation `{s}` does not exist"))
                            .hint = hint;
                    }
                }
            }
        }
    }

    /// A `parent` object: exactly one of `trustZone` or `component`.
    fn parent(&mut self, p: &Node, what: &str) -> Option<OtmItem> {
        self.b.r.map(p, "`parent`")?;
        let zone = p.get("trustZone");
        let component = p.get("component");
        let (key, v, want) = match (zone, component) {
            (Some(z), None) => ("trustZone", z, "a trust zone"),
            (None, Some(c)) => ("component", c, "a component"),
            _ => {
                self.b.r.error(
                    p.pos,
                    format!(
                        "the `parent` of {what} needs exactly one of `trustZone` and `component`"
                    ),
                );
                return None;
            }
        };
        let id = importer::text(&mut self.b.r, v, &format!("`{key}`"))?;
        match self.items.get(&id).map(|(i, _)| *i) {
            Some(item @ OtmItem::Zone(_)) if key == "trustZone" => Some(item),
            Some(item @ OtmItem::Component(_)) if key == "component" => Some(item),
            Some(_) => {
                self.b.r.error(v.pos, format!("`{id}` is not {want}"));
                None
            }
            None => {
                let known = self
                    .items
                    .iter()
                    .filter(|(_, (i, _))| {
                        matches!(
                            (key, i),
                            ("trustZone", OtmItem::Zone(_)) | ("component", OtmItem::Component(_))
                        )
                    })
                    .map(|(k, _)| k.as_str());
                let hint = tms_syntax::diag::did_you_mean(&id, known)
                    .map(|c| format!("did you mean `{c}`?"));
                self.b
                    .r
                    .error(v.pos, format!("{want} `{id}` does not exist"))
                    .hint = hint;
                None
            }
        }
    }

    fn component(&mut self, n: &Node) -> Option<(ElementIdx, Node)> {
        self.b.r.map(n, "a component")?;
        let otm_id = self.required_text(n, "id", "a component")?;
        let name = self.opt_text(n, "name").unwrap_or_else(|| otm_id.clone());
        let id_pos = n.get("id").map_or(n.pos, |i| i.pos);
        let id = self.b.claim_id("element", &otm_id, id_pos);
        let otm_type = self.opt_text(n, "type");
        let (kind, exact) = match &otm_type {
            Some(t) => element_kind(t),
            None => {
                self.b
                    .r
                    .warning(
                        n.pos,
                        "the component has no `type`; it is read as a process",
                    )
                    .hint = Some("OTM requires a `type`".into());
                (ElementKind::Process, true)
            }
        };
        let mut e = importer::element(id.clone(), kind, name, n.pos);
        e.description = self.opt_text(n, "description").unwrap_or_default();
        e.tags = n
            .get("tags")
            .map(|v| importer::string_list(&mut self.b.r, v, "`tags`"))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let mut props = serde_json::Map::new();
        if let (Some(t), false) = (&otm_type, exact) {
            props.insert("otmType".into(), serde_json::Value::String(t.clone()));
        }
        split_attributes(n, kind.bit(), &mut e.attrs, &mut props);
        // tms's own export keeps the element's role beside its attributes.
        if let Some(serde_json::Value::String(r)) = props.get(ROLE_ATTRIBUTE) {
            let role = tms_model::roles::ROLES
                .get(r)
                .filter(|x| x.types.contains_kind(kind));
            if let Some(role) = role {
                e.role = Some(role.id.clone());
                props.remove(ROLE_ATTRIBUTE);
            }
        }
        if !props.is_empty() {
            e.properties = serde_json::Value::Object(props);
        }
        self.representation_refs(n);
        let i = self.b.add_element(e);
        if !self.register(n, &otm_id, OtmItem::Component(i)) {
            return None;
        }
        match n.get("parent").filter(|p| !p.is_null()) {
            Some(p) => Some((i, p.clone())),
            None => {
                self.b
                    .r
                    .warning(
                        n.pos,
                        "the component has no `parent`; it is in no trust zone",
                    )
                    .hint = Some("OTM requires `parent: {trustZone: ID}`".into());
                None
            }
        }
    }

    /// A component's assets and threats, once every component is known.
    fn component_links(&mut self, i: ElementIdx, n: &Node) {
        if let Some(a) = n.get("assets").filter(|a| !a.is_null()) {
            if self.b.r.map(a, "`assets`").is_some() {
                for key in ["processed", "stored"] {
                    let refs = a
                        .get(key)
                        .map(|v| importer::string_list(&mut self.b.r, v, &format!("`{key}`")))
                        .unwrap_or_default();
                    for (asset, pos) in refs {
                        let Some(d) = self.asset_ref(&asset, pos) else {
                            continue;
                        };
                        if key == "stored" {
                            self.b.model.data[d].is_stored = true;
                        }
                        let data = &mut self.b.model.elements[i].data;
                        if !data.contains(&d) {
                            data.push(d);
                        }
                    }
                }
            }
        }
        let target = self.b.model.elements[i].id.clone();
        self.threat_instances(n, &target, Some(Item::Element(i)));
    }

    fn asset_ref(&mut self, asset: &str, pos: Pos) -> Option<DataIdx> {
        match self.assets.get(asset) {
            Some((d, _)) => Some(*d),
            None => {
                let hint =
                    tms_syntax::diag::did_you_mean(asset, self.assets.keys().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"));
                self.b
                    .r
                    .error(pos, format!("the asset `{asset}` does not exist"))
                    .hint = hint;
                None
            }
        }
    }

    fn dataflow(&mut self, n: &Node) {
        if self.b.r.map(n, "a dataflow").is_none() {
            return;
        }
        let Some(otm_id) = self.required_text(n, "id", "a dataflow") else {
            return;
        };
        if !self.register(n, &otm_id, OtmItem::Dataflow(None)) {
            return;
        }
        let name = self.opt_text(n, "name").unwrap_or_else(|| otm_id.clone());
        let end = |o: &mut Self, key: &str| -> Option<ElementIdx> {
            let v = n.get(key)?;
            let s = importer::text(&mut o.b.r, v, &format!("`{key}`"))?;
            match o.items.get(&s).map(|(i, _)| *i) {
                Some(OtmItem::Component(c)) => Some(c),
                Some(OtmItem::Zone(_)) => {
                    o.b.r.warning(v.pos, format!("the dataflow \"{name}\" has the trust zone `{s}` as its {key}; tms flows connect components, so it is left out"));
                    o.b.note(
                        Anchor::Model,
                        format!("dataflow `{otm_id}` \"{name}\" ({key} is the trust zone `{s}`)"),
                    );
                    None
                }
                Some(OtmItem::Dataflow(_)) => {
                    o.b.r
                        .error(v.pos, format!("`{s}` is a dataflow, not a component"));
                    None
                }
                None => {
                    let known = o
                        .items
                        .iter()
                        .filter(|(_, (i, _))| matches!(i, OtmItem::Component(_)))
                        .map(|(k, _)| k.as_str());
                    let hint = tms_syntax::diag::did_you_mean(&s, known)
                        .map(|c| format!("did you mean `{c}`?"));
                    o.b.r
                        .error(v.pos, format!("the component `{s}` does not exist"))
                        .hint = hint;
                    None
                }
            }
        };
        let missing = |o: &mut Self, key: &str| {
            if n.get(key).is_none() {
                o.b.r
                    .error(n.pos, format!("the dataflow \"{name}\" has no `{key}`"))
                    .hint = Some(format!("OTM requires `{key}`: a component id"));
            }
        };
        missing(self, "source");
        missing(self, "destination");
        let source = end(self, "source");
        let sink = end(self, "destination");
        let data: Vec<DataIdx> = n
            .get("assets")
            .map(|v| importer::string_list(&mut self.b.r, v, "`assets`"))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(a, pos)| self.asset_ref(&a, pos))
            .collect();
        let (Some(source), Some(sink)) = (source, sink) else {
            // Its threats still name threats and mitigations that must exist.
            self.threat_instances(n, &otm_id, None);
            return;
        };
        let id_pos = n.get("id").map_or(n.pos, |i| i.pos);
        let id = self.b.claim_id("flow", &otm_id, id_pos);
        let mut f = importer::flow(id.clone(), name.clone(), source, sink, n.pos);
        f.description = self.opt_text(n, "description").unwrap_or_default();
        f.data = data;
        f.tags = n
            .get("tags")
            .map(|v| importer::string_list(&mut self.b.r, v, "`tags`"))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let mut props = serde_json::Map::new();
        split_attributes(n, Targets::FLOW, &mut f.attrs, &mut props);
        if !props.is_empty() {
            f.properties = serde_json::Value::Object(props);
        }
        let bidirectional = matches!(
            n.get("bidirectional").map(|b| &b.kind),
            Some(NodeKind::Bool(true))
        );
        let back = bidirectional.then(|| {
            let mut r = f.clone();
            r.id = self.b.id_from_name("flow", &format!("{id}-response"));
            r.name = format!("{name} (response)");
            r.source = sink;
            r.sink = source;
            r
        });
        let Some(fi) = self.b.add_flow(f) else { return };
        if let Some((item, _)) = self.items.get_mut(&otm_id) {
            *item = OtmItem::Dataflow(Some(fi));
        }
        // tms's own export says which flow a flow answers.
        if let Some(r) = n.get("attributes").and_then(|a| a.get("responseTo")) {
            if let Some(s) = r.as_str() {
                self.responses.push((fi, s.to_string(), r.pos));
            }
        }
        if let Some(mut r) = back {
            // OTM's bidirectional dataflow: our flows have a direction, so the
            // way back is a response to it.
            r.response_to = Some(fi);
            self.b.add_flow(r);
        }
        self.threat_instances(n, &id, Some(Item::Flow(fi)));
    }

    /// `threats` on a component or dataflow: references to the document's
    /// threats and mitigations, each with a state. A reference to one of
    /// tms's rules (tms's own export) is triage; any other is kept for the
    /// model's threats (`model_threats`), or, on a dataflow tms left out
    /// (`item` is `None`), listed as not carried over.
    fn threat_instances(&mut self, n: &Node, target: &str, item: Option<Item>) {
        for t in list(&mut self.b, n, "threats") {
            if self.b.r.map(t, "a threat reference").is_none() {
                continue;
            }
            let Some(tid) = self.required_text(t, "threat", "a threat reference") else {
                continue;
            };
            let state = self.opt_text(t, "state").unwrap_or_default();
            let mitigations = self.mitigation_refs(t);
            let Some((threat, _)) = self.threats.get(&tid) else {
                let pos = t.get("threat").map_or(t.pos, |x| x.pos);
                let hint =
                    tms_syntax::diag::did_you_mean(&tid, self.threats.keys().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"));
                self.b
                    .r
                    .error(pos, format!("the threat `{tid}` does not exist"))
                    .hint = hint;
                continue;
            };
            let rule = threat.rule;
            let name = threat.name.clone();
            let status = status(&state);
            let justification = t.str_at("justification").map(str::to_string);
            let (owner, ticket) = (self.opt_text(t, "owner"), self.opt_text(t, "ticket"));
            let expires = t
                .str_at("expires")
                .filter(|d| tms_syntax::dates::parse_date(d).is_some())
                .map(str::to_string);
            if rule {
                // An open finding of tms's own export that nobody wrote about:
                // tms finds it again.
                let decided = matches!(status, Some(s) if s != Status::Open)
                    || (status.is_some() && justification.is_some());
                if decided && importer::is_valid_id(&tid) {
                    let why = justification.unwrap_or_else(|| format!("OTM state: {state}"));
                    self.b.model.triage.push(TriageEntry {
                        owner,
                        ticket,
                        expires,
                        ..TriageEntry::decision(
                            &tid,
                            target,
                            status.unwrap_or(Status::Open),
                            Some(why),
                            t.pos,
                        )
                    });
                }
                continue;
            }
            let Some(item) = item else {
                self.b.note(
                    Anchor::Model,
                    format!(
                        "threat `{tid}` \"{}\" on the dataflow `{target}`, which is left out",
                        importer::clip(&name)
                    ),
                );
                continue;
            };
            let status = status.unwrap_or(Status::Open);
            // A closed threat says why; OTM's state and mitigations are the why.
            let justification = justification.or_else(|| {
                (status != Status::Open).then(|| {
                    let names: Vec<String> = mitigations
                        .iter()
                        .map(|(n, _)| format!("\"{n}\""))
                        .collect();
                    if names.is_empty() {
                        format!("OTM state: {state}")
                    } else {
                        format!("OTM state: {state}; mitigations: {}", names.join(", "))
                    }
                })
            });
            self.instances.push(Instance {
                threat: tid,
                item,
                decision: Decision {
                    status,
                    justification,
                    owner,
                    ticket,
                    expires,
                },
                mitigations: mitigations.into_iter().map(|(_, text)| text).collect(),
            });
        }
    }

    /// The mitigations a threat reference names, as (name, text); an unknown
    /// one is an error with the nearest id.
    fn mitigation_refs(&mut self, t: &Node) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for m in list(&mut self.b, t, "mitigations") {
            if m.is_null() {
                continue;
            }
            let Some(mid) = m.str_at("mitigation") else {
                continue;
            };
            match self.mitigations.get(mid) {
                Some((found, _)) => out.push(found.clone()),
                None => {
                    let pos = m.get("mitigation").map_or(m.pos, |x| x.pos);
                    let hint = tms_syntax::diag::did_you_mean(
                        mid,
                        self.mitigations.keys().map(String::as_str),
                    )
                    .map(|c| format!("did you mean `{c}`?"));
                    self.b
                        .r
                        .error(pos, format!("the mitigation `{mid}` does not exist"))
                        .hint = hint;
                }
            }
        }
        out
    }
}

/// OTM's impact, 0 to 100, on our severity scale (tms's export writes
/// 0, 25, 50, 75 and 100 for info to critical).
fn severity_of_impact(x: f64) -> Severity {
    match x {
        x if x < 12.5 => Severity::Info,
        x if x < 37.5 => Severity::Low,
        x if x < 62.5 => Severity::Medium,
        x if x < 87.5 => Severity::High,
        _ => Severity::Critical,
    }
}

/// OTM's likelihood, 0 to 100, on our five steps.
fn likelihood_of_score(x: f64) -> Likelihood {
    let step = ((x / 25.0).round() as usize).min(Likelihood::ALL.len() - 1);
    Likelihood::ALL[step]
}

/// The component attribute that carries a tms element's `role`.
pub const ROLE_ATTRIBUTE: &str = "tmsRole";

/// OTM's free `attributes` map (and the `properties` some converters write):
/// a key that is one of our attributes for the target, with a value of its
/// type, sets it (tms's own export writes them so); the rest is kept as the
/// element's or flow's properties.
fn split_attributes(
    n: &Node,
    target: Targets,
    attrs: &mut Attrs,
    props: &mut serde_json::Map<String, serde_json::Value>,
) {
    for key in ["attributes", "properties"] {
        let Some(entries) = n.get(key).and_then(Node::as_map) else {
            continue;
        };
        for (k, v) in entries {
            let id = attrs::lookup(&k.name).filter(|id| id.def().applies.intersects(target));
            // A value of another type is the user's own attribute that happens to
            // share a name: it stays a property rather than being an error.
            let mut quiet = tms_syntax::reader::Reader::new("");
            match id.and_then(|id| {
                tms_model::attrs::read_value(&mut quiet, v, id.def()).map(|x| (id, x))
            }) {
                Some((id, x)) if !quiet.diags.has_errors() => attrs.set(id, x),
                _ => {
                    props
                        .entry(k.name.to_string())
                        .or_insert_with(|| v.to_json());
                }
            }
        }
    }
}

fn is_empty(v: &Node) -> bool {
    match &v.kind {
        NodeKind::Null => true,
        NodeKind::Seq(s) => s.is_empty(),
        NodeKind::Map(m) => m.is_empty(),
        NodeKind::Str(s) => s.is_empty(),
        _ => false,
    }
}

/// Confidentiality 0-100 on our scale. `top-secret` is never inferred: it is
/// a label people assign, not a point on a rating.
fn classification(c: f64) -> Classification {
    if c <= 0.0 {
        Classification::Public
    } else if c < 34.0 {
        Classification::Restricted
    } else if c < 67.0 {
        Classification::Sensitive
    } else {
        Classification::Secret
    }
}

/// The confidentiality rating an export writes for a classification; it
/// reads back as the same classification.
pub fn confidentiality(c: Classification) -> u8 {
    match c {
        Classification::Unknown => 50,
        Classification::Public => 0,
        Classification::Restricted => 25,
        Classification::Sensitive => 50,
        Classification::Secret => 75,
        Classification::TopSecret => 100,
    }
}

/// A threat state in OTM is free text; these are the spellings IriusRisk,
/// converters and tms's own export use.
fn status(state: &str) -> Option<Status> {
    let s: String = state
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match s.as_str() {
        "open" | "exposed" | "expose" | "autogenerated" | "new" | "identified"
        | "partlymitigated" => Status::Open,
        "mitigated" | "mitigate" | "implemented" | "closed" | "fixed" => Status::Mitigated,
        "accepted" | "accept" => Status::Accepted,
        "notapplicable" | "na" | "nottested" => Status::NotApplicable,
        "falsepositive" => Status::FalsePositive,
        "transferred" | "transfer" => Status::Transferred,
        _ => return None,
    })
}

/// The element type an OTM component type names, and whether it names ours
/// exactly (then there is nothing to keep).
pub fn element_kind(t: &str) -> (ElementKind, bool) {
    if let Some(k) = ElementKind::parse(t) {
        return (k, true);
    }
    let lower = t.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let kind = if has(&[
        "llm",
        "gpt",
        "openai",
        "bedrock",
        "genai",
        "chatgpt",
        "anthropic",
        "claude",
    ]) {
        ElementKind::Llm
    } else if has(&["agent", "agents"]) {
        ElementKind::Agent
    } else if has(&["lambda", "function", "functions", "serverless", "faas"]) {
        ElementKind::Lambda
    } else if has(&[
        "db",
        "database",
        "databases",
        "datastore",
        "store",
        "storage",
        "sql",
        "nosql",
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "oracle",
        "mongodb",
        "mongo",
        "redis",
        "dynamodb",
        "cassandra",
        "elasticsearch",
        "s3",
        "bucket",
        "blob",
        "file",
        "filesystem",
        "cache",
        "queue",
        "kafka",
        "sqs",
        "vault",
        "ldap",
    ]) {
        ElementKind::Datastore
    } else if has(&[
        "user", "users", "actor", "human", "person", "customer", "admin", "operator",
    ]) {
        ElementKind::Actor
    } else if has(&[
        "client",
        "browser",
        "device",
        "mobile",
        "android",
        "ios",
        "desktop",
        "external",
        "third",
        "thirdparty",
        "partner",
        "saas",
    ]) {
        ElementKind::ExternalEntity
    } else if has(&[
        "server",
        "service",
        "web",
        "api",
        "gateway",
        "proxy",
        "balancer",
        "lb",
        "cdn",
        "waf",
        "host",
        "vm",
        "ec2",
        "instance",
        "container",
        "pod",
        "kubernetes",
        "k8s",
        "nginx",
        "apache",
        "tomcat",
    ]) {
        ElementKind::Server
    } else {
        ElementKind::Process
    };
    (kind, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_types_name_element_types() {
        assert_eq!(element_kind("server"), (ElementKind::Server, true));
        assert_eq!(element_kind("web-client").0, ElementKind::ExternalEntity);
        assert_eq!(element_kind("web-service").0, ElementKind::Server);
        assert_eq!(
            element_kind("CD-MICROSOFT-AZURE-DB-POSTGRESQL").0,
            ElementKind::Datastore
        );
        assert_eq!(
            element_kind("android-device-client").0,
            ElementKind::ExternalEntity
        );
        assert_eq!(element_kind("azure-storage").0, ElementKind::Datastore);
        assert_eq!(element_kind("code-class").0, ElementKind::Process);
        assert_eq!(element_kind("aws-lambda-function").0, ElementKind::Lambda);
    }

    #[test]
    fn ratings_round_trip_through_classifications() {
        for c in Classification::ALL {
            if *c == Classification::Unknown || *c == Classification::TopSecret {
                continue;
            }
            assert_eq!(classification(f64::from(confidentiality(*c))), *c);
        }
        assert_eq!(classification(100.0), Classification::Secret);
    }

    #[test]
    fn threat_states_map_to_statuses() {
        assert_eq!(status("exposed"), Some(Status::Open));
        assert_eq!(status("AutoGenerated"), Some(Status::Open));
        assert_eq!(status("MITIGATED"), Some(Status::Mitigated));
        assert_eq!(status("not-applicable"), Some(Status::NotApplicable));
        assert_eq!(status("false_positive"), Some(Status::FalsePositive));
        assert_eq!(status("whatever"), None);
    }
}
