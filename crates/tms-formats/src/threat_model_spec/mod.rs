//! Threat Model Spec files (grokify/threat-model-spec, schema v0.8): a
//! `ThreatModel` with `diagrams[]`, or a single diagram file.
//!
//! Elements and boundaries of every diagram, the flows of DFD diagrams and the
//! data assets become our model, and the model's `mappings.stride` entries
//! that name `affectedComponents` its threats; the rest (attack chains, attack trees,
//! sequence diagrams, threats, mitigations, threat actors, mappings our shape
//! lacks) is kept in `Model::imported` for reports, diagrams and exports, and
//! listed there as not carried over for `tms import`.
//!
//! Threat Model Spec's schema is strict, but real files stray from it (one of
//! the shipped examples puts an asset classification on an element): keys and
//! vocabulary we do not know are warnings, so such files still load. What we
//! cannot build a model from (a missing id, an unknown element type, a flow to
//! nowhere) is an error.

pub mod d2;
pub mod types;

use std::collections::HashSet;

use tms_syntax::fxhash::FxHashMap as HashMap;

use serde_json::{Map, Value as J};

use tms_model::attr_id;
use tms_model::attrs;
use tms_model::catalogue::{Framework, CATALOGUES};
use tms_model::imported::{Anchor, Extension, IdRewrite, Imported, NotCarried};
use tms_model::*;
use tms_syntax::diag::{did_you_mean, Diagnostics};
use tms_syntax::reader::Reader;
use tms_syntax::source::{Key, Node, NodeKind, Pos};
pub use types::*;

/// The name `tms import --from` uses.
/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "threat-model-spec",
    about: "Threat Model Spec JSON (grokify/threat-model-spec): a threat model or a single diagram",
    title: "a Threat Model Spec",
    signature: "a Threat Model Spec file has `diagrams` (a threat model) or a diagram `type` (dfd, attack-chain, sequence, attack-tree) at the top",
    input: crate::registry::Input::Tree { detect, read },
    write: None,
};

/// The Threat Model Spec parts a model read from such a file carries.
pub fn extras(model: &Model) -> Option<&ImportedSpec> {
    model
        .imported
        .as_ref()?
        .extension
        .as_ref()?
        .get::<ImportedSpec>()
}

/// A Threat Model Spec document: a `diagrams` list holding a typed diagram (or
/// beside the spec's required `id`), or a single diagram with a diagram `type`
/// at the top. Our own format has neither key, so the two never overlap.
pub fn detect(root: &Node) -> bool {
    if let Some(d) = root.get("diagrams") {
        return match d.as_seq() {
            Some(items) => {
                items.iter().any(|n| n.get("type").is_some()) || root.get("id").is_some()
            }
            None => root.get("id").is_some(),
        };
    }
    root.str_at("type")
        .is_some_and(|t| DiagramKind::parse(t).is_some())
}

const MODEL_KEYS: &[&str] = &[
    "$schema",
    "id",
    "title",
    "description",
    "version",
    "phase",
    "authors",
    "references",
    "mappings",
    "diagrams",
    "threatActors",
    "assumptions",
    "prerequisites",
    "mitigations",
    "assets",
    "scenarios",
    "redTeam",
    "blueTeam",
    "remediation",
    "playbooks",
    "testSuites",
    "riskAssessment",
    "businessImpact",
    "epssData",
    "atomicTests",
    "detectionCoverage",
    "metrics",
    "sbom",
    "vexStatements",
    "dependencyRisks",
    "credentialFlows",
    "attackPatterns",
    "lifecycle",
    "artifacts",
    "analysisRuns",
    "evidence",
    "securityRequirements",
    "architectureAssertions",
    "findings",
    "gates",
    "frameworkReports",
];
/// Top-level keys read into the model or into typed parts of `ImportedSpec`.
const MODEL_KEYS_READ: &[&str] = &[
    "$schema",
    "id",
    "title",
    "description",
    "version",
    "phase",
    "authors",
    "mappings",
    "diagrams",
    "threatActors",
    "assumptions",
    "mitigations",
    "assets",
];
const DIAGRAM_KEYS: &[&str] = &[
    "$schema",
    "type",
    "title",
    "description",
    "direction",
    "legend",
    "mappings",
    "elements",
    "boundaries",
    "flows",
    "attacks",
    "targets",
    "actors",
    "phases",
    "messages",
    "attackTree",
    "threats",
    "mitigations",
    "detections",
    "responseActions",
];
const ELEMENT_KEYS: &[&str] = &[
    "id",
    "label",
    "type",
    "parentId",
    "classification",
    "strideThreats",
    "description",
    "network",
    "assetIds",
    "agentCapabilities",
    "executionContext",
];
const BOUNDARY_KEYS: &[&str] = &[
    "id",
    "label",
    "type",
    "parentId",
    "description",
    "implicitlyTrusted",
    "trustAssumption",
    "trustViolationRisk",
    "breachVector",
    "authenticationRequired",
    "authorizationEnforced",
];
const FLOW_KEYS: &[&str] = &[
    "from",
    "to",
    "label",
    "type",
    "bidirectional",
    "protocol",
    "encrypted",
    "authenticated",
    "crossOrigin",
    "credentialFlowId",
    "dataClassification",
    "cweIds",
];
const ATTACK_KEYS: &[&str] = &[
    "step",
    "from",
    "to",
    "label",
    "action",
    "outcome",
    "mitreTactic",
    "mitreTechnique",
    "atlasTechnique",
    "owaspIds",
    "asiIds",
    "strideThreats",
    "linddunThreats",
    "description",
    "redTeamNotes",
    "blueTeamNotes",
    "remediationNote",
    "testRef",
    "componentRefs",
];
const TARGET_KEYS: &[&str] = &["elementId", "classification", "strideThreats", "impact"];
const ACTOR_KEYS: &[&str] = &["id", "label", "type", "malicious"];
const MESSAGE_KEYS: &[&str] = &[
    "seq",
    "from",
    "to",
    "label",
    "type",
    "mitreTechnique",
    "note",
];
const PHASE_KEYS: &[&str] = &[
    "name",
    "mitreTactic",
    "description",
    "startMessage",
    "endMessage",
];
const TREE_KEYS: &[&str] = &["rootId", "nodes"];
const TREE_NODE_KEYS: &[&str] = &[
    "id",
    "label",
    "nodeType",
    "description",
    "children",
    "mitreTechnique",
    "strideThreats",
    "probability",
    "cost",
    "difficulty",
    "countermeasure",
    "mitigated",
];
const THREAT_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "strideCategory",
    "linddunCategory",
    "affectedElements",
    "affectedAssets",
    "status",
    "risk",
    "severity",
    "likelihood",
    "mitigationIds",
    "attackVector",
    "preconditions",
    "ssvcAssessment",
];
const MITIGATION_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "threatIds",
    "strideCategories",
    "controlId",
    "status",
    "owner",
    "verifiedDate",
    "effectiveness",
    "notes",
    "producerRunId",
];
const THREAT_ACTOR_KEYS: &[&str] = &[
    "id",
    "name",
    "type",
    "aliases",
    "description",
    "sophistication",
    "motivations",
    "resources",
    "primaryGoals",
    "ttps",
    "targetedIndustries",
    "targetedRegions",
    "knownCampaigns",
    "references",
    "producerRunId",
];
const ASSET_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "type",
    "classification",
    "owner",
    "elementIds",
    "dataTypes",
    "complianceFrameworks",
    "value",
    "retentionPeriod",
    "producerRunId",
];
const AUTHOR_KEYS: &[&str] = &["name", "email", "url"];
const ASSUMPTION_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "type",
    "rationale",
    "impact",
    "impactSeverity",
    "validationStatus",
    "validationMethod",
    "validatedDate",
    "owner",
    "relatedComponentIds",
    "notes",
];
const MAPPING_KEYS: &[&str] = &[
    "mitreAttack",
    "mitreAtlas",
    "owasp",
    "cwe",
    "cve",
    "cvss",
    "stride",
    "linddun",
    "controls",
    "compliance",
];

const ELEMENT_TYPES: &[&str] = &[
    "process",
    "datastore",
    "external-entity",
    "gateway",
    "browser",
    "agent",
    "api",
];
const BOUNDARY_TYPES: &[&str] = &[
    "browser",
    "localhost",
    "network",
    "cloud",
    "breached",
    "container",
    "sandbox",
    "agent",
    "origin",
];
const FLOW_TYPES: &[&str] = &[
    "normal",
    "attack",
    "exfil",
    "credential",
    "websocket",
    "cswsh",
    "lateral",
];
const ASSET_CLASSIFICATIONS: &[&str] = &["crown-jewel", "high", "medium", "low"];
const SENSITIVITY_LEVELS: &[&str] = &["public", "internal", "confidential", "restricted", "secret"];
const STRIDE_LETTERS: &[&str] = &["S", "T", "R", "I", "D", "E"];
/// Asset types that are information, and so become our data assets.
const DATA_ASSET_TYPES: &[&str] = &["data", "credential", "identity", "intellectual-property"];

/// Our element kind for a Threat Model Spec element type, and what that
/// mapping adds: a tag naming the original type where ours is coarser, and
/// the attribute that says what the coarser kind loses.
fn element_kind(t: &str) -> Option<(ElementKind, Option<&'static str>)> {
    Some(match t {
        "process" => (ElementKind::Process, None),
        "datastore" => (ElementKind::Datastore, None),
        "external-entity" => (ElementKind::ExternalEntity, None),
        "agent" => (ElementKind::Agent, None),
        // A gateway is a network server (reverse proxy, API or WebSocket gateway).
        "gateway" => (ElementKind::Server, Some("gateway")),
        // A browser runs the pages it loads: a process, on the user's machine.
        "browser" => (ElementKind::Process, Some("browser")),
        // An API endpoint is a process that exposes an API (`implementsAPI`).
        "api" => (ElementKind::Process, Some("api")),
        _ => return None,
    })
}

/// Threat Model Spec's sensitivity levels, five from public to secret, onto
/// pytm's, keeping the order: public, restricted, sensitive, secret, top-secret.
fn classification(level: &str) -> Option<Classification> {
    Some(match level {
        "public" => Classification::Public,
        "internal" => Classification::Restricted,
        "confidential" => Classification::Sensitive,
        "restricted" => Classification::Secret,
        "secret" => Classification::TopSecret,
        _ => return None,
    })
}

/// Reads a Threat Model Spec document; `None` when any error was found.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    let mut im = Importer {
        r: Reader::new(file),
        model: Model {
            file: file.to_string(),
            ..Model::default()
        },
        spec: ImportedSpec::default(),
        notes: Vec::new(),
        rewrites: Vec::new(),
        element_ids: HashMap::default(),
        boundary_ids: HashMap::default(),
        data_ids: HashMap::default(),
        element_kinds: HashMap::default(),
        flow_keys: HashMap::default(),
        single: false,
        credential_assets: HashMap::default(),
    };
    im.read_document(root);
    let Importer {
        r,
        mut model,
        spec,
        notes,
        rewrites,
        ..
    } = im;
    let diags = r.diags;
    if diags.has_errors() {
        return (None, diags);
    }
    model.imported = Some(Imported {
        format: FORMAT.name.to_string(),
        id_rewrites: rewrites,
        not_carried: notes,
        extension: Some(Extension::new(spec)),
    });
    (Some(model), diags)
}

struct Importer<'a> {
    r: Reader<'a>,
    model: Model,
    spec: ImportedSpec,
    notes: Vec<NotCarried>,
    rewrites: Vec<IdRewrite>,
    /// The file's ids, per kind, to ours.
    element_ids: HashMap<String, String>,
    boundary_ids: HashMap<String, String>,
    data_ids: HashMap<String, String>,
    /// The element type each element id was first given, for the consistency check.
    element_kinds: HashMap<String, (String, Pos)>,
    /// A DFD flow drawn in several diagrams is one flow: (from, to, label) to our id.
    flow_keys: HashMap<(String, String, String), String>,
    /// The document is one diagram, whose mappings are the model's.
    single: bool,
    /// `credentialFlows[].id` to the asset (`assetId`) the credential is.
    credential_assets: HashMap<String, String>,
}

/// A diagram and its kind, once its `type` is known.
struct DiagramNode<'n> {
    node: &'n Node,
    kind: DiagramKind,
}

impl Importer<'_> {
    fn note(&mut self, anchor: Anchor, what: impl Into<String>) {
        self.notes.push(NotCarried {
            anchor,
            what: what.into(),
        });
    }

    fn read_document(&mut self, root: &Node) {
        let Some(entries) = self.r.map(root, "a Threat Model Spec document") else {
            return;
        };
        let single = root.get("diagrams").is_none();
        let diagrams: Vec<&Node> = if single {
            vec![root]
        } else {
            self.warn_keys(entries, "the threat model", MODEL_KEYS);
            root.get("diagrams")
                .and_then(|n| self.r.seq(n, "`diagrams`"))
                .map(|s| s.iter().collect())
                .unwrap_or_default()
        };

        match root.get("title") {
            Some(n) => self.model.title = self.r.text(n, "`title`").unwrap_or_default(),
            None => {
                self.r
                    .error(root.pos, "the Threat Model Spec document has no `title`")
                    .hint = Some("add `\"title\": \"...\"`; the spec requires it".into())
            }
        }
        if self.model.title.trim().is_empty() && root.get("title").is_some() {
            self.r.error(root.pos, "the model's `title` is empty");
        }
        self.model.description = self.text(root, "description").unwrap_or_default();
        self.single = single;
        if !single {
            self.model.version = self.text(root, "version");
            self.spec.id = match root.get("id") {
                Some(n) => self.r.text(n, "`id`").unwrap_or_default(),
                None => {
                    self.r.warning(
                        root.pos,
                        "the threat model has no `id` (Threat Model Spec requires one)",
                    );
                    String::new()
                }
            };
            self.spec.phase = self.text(root, "phase");
            self.read_authors(root);
            self.model.date = latest_run(root);
        }

        let diagrams: Vec<DiagramNode> = diagrams
            .into_iter()
            .filter_map(|n| self.diagram_kind(n, single))
            .collect();
        // DFDs first: they define the system; other views reuse their elements.
        let mut order: Vec<&DiagramNode> = diagrams.iter().collect();
        order.sort_by_key(|d| d.kind != DiagramKind::Dfd);

        for d in &order {
            self.register_boundaries(d.node);
        }
        self.resolve_boundary_parents(&order);
        for d in &order {
            self.register_elements(d.node);
        }
        for d in &order {
            self.register_actors(d.node);
        }
        if !single {
            self.read_assets(root);
            for c in root
                .get("credentialFlows")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
            {
                if let (Some(id), Some(asset)) = (c.str_at("id"), c.str_at("assetId")) {
                    self.credential_assets
                        .insert(id.to_string(), asset.to_string());
                }
            }
        }
        for d in &diagrams {
            let diagram = self.read_diagram(d);
            self.spec.diagrams.push(diagram);
        }
        self.mark_attackers();

        if !single {
            if let Some(n) = root.get("mappings") {
                self.model.mappings = self.read_mappings(n, Anchor::Model);
                self.spec.mappings = Some(n.to_json());
                self.stride_threats(n);
            }
            self.read_assumptions(root);
            self.spec.threat_actors = self.list(root, "threatActors", Self::read_threat_actor);
            self.spec.mitigations = self.list(root, "mitigations", Self::read_mitigation);
            if !self.spec.threat_actors.is_empty() {
                let n = self.spec.threat_actors.len();
                self.note(Anchor::Model, format!("threatActors ({n})"));
            }
            if !self.spec.mitigations.is_empty() {
                let n = self.spec.mitigations.len();
                self.note(Anchor::Model, format!("mitigations ({n})"));
            }
            for (key, value) in entries {
                if MODEL_KEYS_READ.contains(&&*key.name) || !MODEL_KEYS.contains(&&*key.name) {
                    continue;
                }
                let what = match &value.kind {
                    NodeKind::Seq(s) => format!("{} ({})", key.name, s.len()),
                    _ => key.name.to_string(),
                };
                self.note(Anchor::Model, what);
                self.spec
                    .other
                    .insert(key.name.to_string(), value.to_json());
            }
        }
    }

    /// The kind of a diagram; an unknown kind is an error and the diagram is skipped.
    fn diagram_kind<'n>(&mut self, node: &'n Node, single: bool) -> Option<DiagramNode<'n>> {
        let what = if single { "the diagram" } else { "a diagram" };
        self.r.map(node, what)?;
        let Some(t) = node.get("type") else {
            self.r.error(node.pos, format!("{what} has no `type`")).hint =
                Some("choices: dfd, attack-chain, sequence, attack-tree".into());
            return None;
        };
        let s = self.r.string(t, "the diagram `type`")?;
        match DiagramKind::parse(&s) {
            Some(kind) => Some(DiagramNode { node, kind }),
            None => {
                let choices = DiagramKind::ALL.map(DiagramKind::as_str);
                let hint = match did_you_mean(&s, choices) {
                    Some(c) => format!("did you mean `{c}`? choices: {}", choices.join(", ")),
                    None => format!("choices: {}", choices.join(", ")),
                };
                self.r
                    .error(
                        t.pos,
                        format!("`{s}` is not a Threat Model Spec diagram type"),
                    )
                    .hint = Some(hint);
                None
            }
        }
    }

    // ---- small typed accessors -------------------------------------------------

    fn text(&mut self, node: &Node, key: &str) -> Option<String> {
        node.get(key)
            .and_then(|n| self.r.text(n, &format!("`{key}`")))
    }

    fn flag(&mut self, node: &Node, key: &str) -> Option<bool> {
        node.get(key)
            .and_then(|n| self.r.bool(n, &format!("`{key}`")))
    }

    fn int(&mut self, node: &Node, key: &str) -> Option<i64> {
        node.get(key)
            .and_then(|n| self.r.int(n, &format!("`{key}`")))
    }

    fn strings(&mut self, node: &Node, key: &str) -> Vec<String> {
        node.get(key)
            .map(|n| self.r.strings(n, &format!("`{key}`")))
            .unwrap_or_default()
    }

    /// A closed-vocabulary value outside the spec's list is a warning: real files stray.
    fn vocab(&mut self, node: &Node, key: &str, choices: &[&str], what: &str) -> Option<String> {
        let n = node.get(key)?;
        let v = self.r.text(n, &format!("`{key}`"))?;
        if !choices.contains(&v.as_str()) {
            let hint = match did_you_mean(&v, choices.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? choices: {}", choices.join(", ")),
                None => format!("choices: {}", choices.join(", ")),
            };
            self.r
                .warning(n.pos, format!("`{v}` is not a Threat Model Spec {what}"))
                .hint = Some(hint);
        }
        Some(v)
    }

    fn stride_list(&mut self, node: &Node, key: &str) -> Vec<String> {
        let Some(n) = node.get(key) else {
            return Vec::new();
        };
        let items = self.r.seq(n, &format!("`{key}`")).unwrap_or(&[]);
        let mut out = Vec::new();
        for item in items {
            if let Some(s) = self.r.text(item, &format!("each entry of `{key}`")) {
                if !STRIDE_LETTERS.contains(&s.as_str()) {
                    self.r
                        .warning(item.pos, format!("`{s}` is not a STRIDE letter"))
                        .hint = Some("choices: S, T, R, I, D, E".into());
                }
                out.push(s);
            }
        }
        out
    }

    fn warn_keys(&mut self, entries: &[(Key, Node)], context: &str, allowed: &[&str]) {
        for (key, _) in entries {
            if allowed.contains(&&*key.name) {
                continue;
            }
            let hint = did_you_mean(&key.name, allowed.iter().copied())
                .map(|c| format!("did you mean `{c}`?"));
            self.r
                .warning(
                    key.pos,
                    format!(
                        "unknown key `{}` in {context} (not in Threat Model Spec v0.8); ignored",
                        key.name
                    ),
                )
                .hint = hint;
        }
    }

    fn list<T>(&mut self, node: &Node, key: &str, f: fn(&mut Self, &Node) -> Option<T>) -> Vec<T> {
        let Some(n) = node.get(key) else {
            return Vec::new();
        };
        let items = self.r.seq(n, &format!("`{key}`")).unwrap_or(&[]);
        items.iter().filter_map(|item| f(self, item)).collect()
    }

    /// The keys of `node` outside `read`, summarised for a not-carried note.
    fn unread(node: &Node, read: &[&str]) -> Vec<String> {
        node.as_map()
            .unwrap_or(&[])
            .iter()
            .filter(|(k, _)| !read.contains(&&*k.name))
            .map(|(k, v)| format!("{}: {}", k.name, summary(v)))
            .collect()
    }

    // ---- ids ---------------------------------------------------------------------

    /// Gives an item an id that follows our rules and is free, reporting any change.
    fn claim_id(&mut self, wanted: &str, kind: &'static str, pos: Pos, item: Item) -> String {
        let clean = crate::importer::sanitise(wanted);
        let mut id = if clean.is_empty() {
            format!("{}-{}", kind.replace(' ', "-"), self.model.ids.len() + 1)
        } else {
            clean.clone()
        };
        let base = id.clone();
        let mut n = 2;
        while self.model.ids.contains_key(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        if id != wanted {
            let why = if clean != wanted {
                "holds `@`, `*` or whitespace, which our ids cannot"
            } else {
                "is already taken by another item (our ids are unique across boundaries, data, elements and flows)"
            };
            self.r
                .warning(
                    pos,
                    format!("the {kind} id `{wanted}` {why}; it is `{id}` in this model"),
                )
                .hint = Some("rename it in the source file to keep the ids the same".into());
            self.rewrites.push(IdRewrite {
                kind,
                from: wanted.to_string(),
                to: id.clone(),
                pos,
            });
        }
        self.model.ids.insert(id.clone(), item);
        id
    }

    /// The mandatory `id` of an item.
    fn source_id(&mut self, node: &Node, what: &str) -> Option<String> {
        let Some(n) = node.get("id") else {
            self.r.error(node.pos, format!("{what} has no `id`"));
            return None;
        };
        let id = self.r.text(n, "`id`")?;
        if id.trim().is_empty() {
            self.r.error(n.pos, format!("{what} has an empty `id`"));
            return None;
        }
        Some(id)
    }

    /// Our id for an element the file names; an unknown name is an error.
    fn element_ref(&mut self, node: &Node, key: &str, what: &str) -> Option<String> {
        let Some(n) = node.get(key) else {
            self.r.error(node.pos, format!("{what} has no `{key}`"));
            return None;
        };
        let id = self.r.text(n, &format!("`{key}`"))?;
        if let Some(ours) = self.element_ids.get(&id) {
            return Some(ours.clone());
        }
        let hint = did_you_mean(&id, self.element_ids.keys().map(String::as_str))
            .map(|c| format!("did you mean `{c}`?"));
        let is_boundary = self.boundary_ids.contains_key(&id);
        let d = self.r.error(
            n.pos,
            if is_boundary {
                format!("`{key}` of {what} names `{id}`, which is a boundary, not an element")
            } else {
                format!("`{key}` of {what} names `{id}`, which no diagram defines as an element")
            },
        );
        d.hint = hint;
        None
    }

    // ---- boundaries --------------------------------------------------------------

    fn register_boundaries(&mut self, diagram: &Node) {
        let Some(list) = diagram.get("boundaries") else {
            return;
        };
        for node in self.r.seq(list, "`boundaries`").unwrap_or(&[]) {
            let Some(entries) = self.r.map(node, "a boundary") else {
                continue;
            };
            self.warn_keys(entries, "a boundary", BOUNDARY_KEYS);
            let Some(src) = self.source_id(node, "a boundary") else {
                continue;
            };
            if self.boundary_ids.contains_key(&src) {
                continue;
            }
            let idx = self.model.boundaries.len();
            let id = self.claim_id(&src, "boundary", node.pos, Item::Boundary(idx));
            self.boundary_ids.insert(src.clone(), id.clone());
            let kind = self.vocab(node, "type", BOUNDARY_TYPES, "boundary type");
            if node.get("type").is_none() {
                self.r.warning(
                    node.pos,
                    format!("the boundary `{src}` has no `type` (Threat Model Spec requires one)"),
                );
            }
            let name = self.label(node, "label", &src);
            let description = self.text(node, "description").unwrap_or_default();
            let lost = Self::unread(node, &["id", "label", "type", "parentId", "description"]);
            if !lost.is_empty() {
                self.note(Anchor::Boundary(id.clone()), lost.join(", "));
            }
            self.model.boundaries.push(Boundary {
                id,
                name,
                description,
                parent: None,
                in_scope: true,
                tags: kind.into_iter().collect(),
                pos: node.pos,
            });
        }
    }

    /// A label the spec requires; without one, the id stands in (with a warning).
    fn label(&mut self, node: &Node, key: &str, id: &str) -> String {
        match self.text(node, key) {
            Some(l) if !l.trim().is_empty() => l,
            _ => {
                if node.get(key).is_none() {
                    self.r.warning(
                        node.pos,
                        format!("`{id}` has no `{key}`; its id stands in for it"),
                    );
                }
                id.to_string()
            }
        }
    }

    /// Nests boundaries by `parentId`, taking the first diagram that defines each.
    fn resolve_boundary_parents(&mut self, order: &[&DiagramNode]) {
        let mut done: HashSet<String> = HashSet::new();
        for d in order {
            let Some(list) = d.node.get("boundaries").and_then(Node::as_seq) else {
                continue;
            };
            for node in list {
                let Some(src) = node.str_at("id") else {
                    continue;
                };
                if !done.insert(src.to_string()) {
                    continue;
                }
                let Some(Item::Boundary(idx)) = self
                    .boundary_ids
                    .get(src)
                    .and_then(|id| self.model.ids.get(id))
                    .copied()
                else {
                    continue;
                };
                let Some(p) = node.get("parentId").filter(|n| !n.is_null()) else {
                    continue;
                };
                let Some(parent) = self.r.text(p, "`parentId`") else {
                    continue;
                };
                match self
                    .boundary_ids
                    .get(&parent)
                    .and_then(|id| self.model.ids.get(id))
                {
                    Some(Item::Boundary(b)) if *b == idx => {
                        self.r
                            .error(p.pos, format!("the boundary `{src}` is its own parent"));
                    }
                    Some(Item::Boundary(b)) => self.model.boundaries[idx].parent = Some(*b),
                    _ => {
                        let hint =
                            did_you_mean(&parent, self.boundary_ids.keys().map(String::as_str))
                                .map(|c| format!("did you mean `{c}`?"));
                        self.r
                            .error(
                                p.pos,
                                format!("the parent boundary `{parent}` of `{src}` does not exist"),
                            )
                            .hint = hint;
                    }
                }
            }
        }
        super::check_boundary_cycles(&mut self.r, &mut self.model, "`parentId` links");
    }

    /// Our id of the boundary an element's `parentId` names, if it names one.
    fn parent_boundary(&mut self, node: &Node, src: &str) -> Option<String> {
        let p = node.get("parentId").filter(|n| !n.is_null())?;
        let parent = self.r.text(p, "`parentId`")?;
        if let Some(id) = self.boundary_ids.get(&parent) {
            return Some(id.clone());
        }
        let hint = did_you_mean(&parent, self.boundary_ids.keys().map(String::as_str))
            .map(|c| format!("did you mean `{c}`?"));
        let msg = if self.element_ids.contains_key(&parent) {
            format!("the parent `{parent}` of `{src}` is an element; elements sit in boundaries")
        } else {
            format!("the parent boundary `{parent}` of `{src}` does not exist")
        };
        self.r.error(p.pos, msg).hint = hint;
        None
    }

    // ---- elements ----------------------------------------------------------------

    fn register_elements(&mut self, diagram: &Node) {
        let Some(list) = diagram.get("elements") else {
            return;
        };
        for node in self.r.seq(list, "`elements`").unwrap_or(&[]) {
            let Some(entries) = self.r.map(node, "an element") else {
                continue;
            };
            self.warn_keys(entries, "an element", ELEMENT_KEYS);
            let Some(src) = self.source_id(node, "an element") else {
                continue;
            };
            let Some(tnode) = node.get("type") else {
                self.r
                    .error(node.pos, format!("the element `{src}` has no `type`"))
                    .hint = Some(format!("choices: {}", ELEMENT_TYPES.join(", ")));
                continue;
            };
            let Some(t) = self.r.string(tnode, "the element `type`") else {
                continue;
            };
            let Some((kind, tag)) = element_kind(&t) else {
                let hint = match did_you_mean(&t, ELEMENT_TYPES.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`? choices: {}", ELEMENT_TYPES.join(", ")),
                    None => format!("choices: {}", ELEMENT_TYPES.join(", ")),
                };
                self.r
                    .error(
                        tnode.pos,
                        format!("`{t}` is not a Threat Model Spec element type"),
                    )
                    .hint = Some(hint);
                continue;
            };
            if let Some((first, first_pos)) = self.element_kinds.get(&src) {
                if *first != t {
                    let msg = format!(
                        "the element `{src}` is a `{t}` here but a `{first}` at line {}, column {}; the first is kept",
                        first_pos.line, first_pos.col
                    );
                    self.r.warning(tnode.pos, msg);
                }
                continue;
            }
            self.element_kinds
                .insert(src.clone(), (t.clone(), tnode.pos));
            let idx = self.model.elements.len();
            let id = self.claim_id(&src, "element", node.pos, Item::Element(idx));
            self.element_ids.insert(src.clone(), id.clone());
            let element = self.build_element(node, &src, id, kind, tag);
            self.model.elements.push(element);
        }
    }

    fn build_element(
        &mut self,
        node: &Node,
        src: &str,
        id: String,
        kind: ElementKind,
        tag: Option<&'static str>,
    ) -> Element {
        let mut attrs = Attrs::default();
        let mut props = Map::new();
        if tag == Some("api") {
            attrs.set(attrs::id_of("implementsAPI"), Value::Bool(true));
        }
        if let Some(c) = self.vocab(
            node,
            "classification",
            ASSET_CLASSIFICATIONS,
            "element classification",
        ) {
            props.insert("classification".into(), J::String(c));
        }
        let stride = self.stride_list(node, "strideThreats");
        if !stride.is_empty() {
            props.insert("strideThreats".into(), J::from(stride));
        }
        if let Some(net) = node.get("network") {
            if self.r.map(net, "`network`").is_some() {
                let ports: Vec<i64> = net
                    .get("ports")
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|p| match p.kind {
                        NodeKind::Int(i) => Some(i),
                        _ => None,
                    })
                    .collect();
                // pytm has one listening port; the first stands for the element.
                if let Some(p) = ports.first() {
                    attrs.set(attr_id::PORT, Value::Int(*p));
                }
                if let Some(proto) = net
                    .get("protocols")
                    .and_then(Node::as_seq)
                    .and_then(|s| s.first())
                    .and_then(Node::as_str)
                {
                    attrs.set(attr_id::PROTOCOL, Value::Str(proto.to_string()));
                }
                props.insert("network".into(), net.to_json());
            }
        }
        for key in ["agentCapabilities", "executionContext"] {
            if let Some(n) = node.get(key) {
                props.insert(key.into(), n.to_json());
            }
        }
        let boundary = self
            .parent_boundary(node, src)
            .and_then(|b| match self.model.ids.get(&b) {
                Some(Item::Boundary(i)) => Some(*i),
                _ => None,
            });
        let name = self.label(node, "label", src);
        Element {
            name,
            description: self.text(node, "description").unwrap_or_default(),
            kind,
            boundary,
            data: Vec::new(),
            attrs,
            tags: tag.map(str::to_string).into_iter().collect(),
            role: None,
            properties: if props.is_empty() {
                Properties::Null
            } else {
                J::Object(props)
            },
            id,
            pos: node.pos,
        }
    }

    /// Sequence participants that no diagram draws as an element become elements.
    fn register_actors(&mut self, diagram: &Node) {
        let Some(list) = diagram.get("actors") else {
            return;
        };
        for node in self.r.seq(list, "`actors`").unwrap_or(&[]) {
            let Some(entries) = self.r.map(node, "an actor") else {
                continue;
            };
            self.warn_keys(entries, "an actor", ACTOR_KEYS);
            let Some(src) = self.source_id(node, "an actor") else {
                continue;
            };
            let malicious = self.flag(node, "malicious").unwrap_or(false);
            if let Some(id) = self.element_ids.get(&src).cloned() {
                if malicious {
                    self.tag_element(&id, "malicious");
                }
                continue;
            }
            let t = self.vocab(node, "type", ELEMENT_TYPES, "element type");
            let (kind, tag) = t
                .as_deref()
                .and_then(element_kind)
                .unwrap_or((ElementKind::ExternalEntity, None));
            self.element_kinds.insert(
                src.clone(),
                (t.unwrap_or_else(|| "external-entity".into()), node.pos),
            );
            let idx = self.model.elements.len();
            let id = self.claim_id(&src, "element", node.pos, Item::Element(idx));
            self.element_ids.insert(src.clone(), id.clone());
            let mut tags: Vec<String> = tag.map(str::to_string).into_iter().collect();
            if malicious {
                tags.push("malicious".into());
            }
            let name = self.label(node, "label", &src);
            self.model.elements.push(Element {
                id,
                kind,
                name,
                description: String::new(),
                boundary: None,
                data: Vec::new(),
                attrs: Attrs::default(),
                tags,
                role: None,
                properties: Properties::Null,
                pos: node.pos,
            });
        }
    }

    fn tag_element(&mut self, id: &str, tag: &str) {
        if let Some(Item::Element(i)) = self.model.ids.get(id) {
            let e = &mut self.model.elements[*i];
            if !e.tags.iter().any(|t| t == tag) {
                e.tags.push(tag.to_string());
            }
        }
    }

    /// An external entity that performs attack steps is hostile; reports and
    /// STIX (as a threat actor) need to know.
    fn mark_attackers(&mut self) {
        let sources: Vec<String> = self
            .spec
            .diagrams
            .iter()
            .flat_map(|d| d.attacks.iter().map(|a| a.from.clone()))
            .collect();
        for id in sources {
            if let Some(Item::Element(i)) = self.model.ids.get(&id) {
                if self.model.elements[*i].kind == ElementKind::ExternalEntity {
                    self.tag_element(&id, "malicious");
                }
            }
        }
    }

    // ---- assets ------------------------------------------------------------------

    fn read_assets(&mut self, root: &Node) {
        let Some(list) = root.get("assets") else {
            return;
        };
        let mut non_data = Vec::new();
        for node in self.r.seq(list, "`assets`").unwrap_or(&[]) {
            let Some(entries) = self.r.map(node, "an asset") else {
                continue;
            };
            self.warn_keys(entries, "an asset", ASSET_KEYS);
            let Some(src) = self.source_id(node, "an asset") else {
                continue;
            };
            let kind = self.vocab(
                node,
                "type",
                &[
                    "data",
                    "service",
                    "infrastructure",
                    "credential",
                    "identity",
                    "intellectual-property",
                ],
                "asset type",
            );
            let level = self.vocab(
                node,
                "classification",
                SENSITIVITY_LEVELS,
                "sensitivity level",
            );
            let name = self.text(node, "name").unwrap_or_else(|| src.clone());
            let description = self.text(node, "description").unwrap_or_default();
            let element_ids: Vec<String> = self
                .strings(node, "elementIds")
                .into_iter()
                .map(|e| self.element_ids.get(&e).cloned().unwrap_or(e))
                .collect();
            let is_data = kind
                .as_deref()
                .is_none_or(|k| DATA_ASSET_TYPES.contains(&k));
            let mut data = None;
            if is_data {
                let idx = self.model.data.len();
                let id = self.claim_id(&src, "data asset", node.pos, Item::Data(idx));
                self.data_ids.insert(src.clone(), id.clone());
                let lost = Self::unread(
                    node,
                    &[
                        "id",
                        "name",
                        "description",
                        "type",
                        "classification",
                        "elementIds",
                    ],
                );
                if !lost.is_empty() {
                    self.note(Anchor::Data(id.clone()), lost.join(", "));
                }
                self.model.data.push(DataAsset {
                    id: id.clone(),
                    name: name.clone(),
                    description: description.clone(),
                    format: String::new(),
                    classification: level
                        .as_deref()
                        .and_then(classification)
                        .unwrap_or(Classification::Unknown),
                    is_pii: false,
                    is_credentials: kind.as_deref() == Some("credential"),
                    credentials_life: Lifetime::None,
                    is_stored: false,
                    is_source_encrypted_at_rest: None,
                    is_dest_encrypted_at_rest: None,
                    tags: kind.iter().cloned().collect(),
                    derived: Default::default(),
                    pos: node.pos,
                });
                for e in &element_ids {
                    self.add_element_data(e, idx);
                }
                data = Some(id);
            } else {
                non_data.push(format!("`{src}` ({})", kind.as_deref().unwrap_or("")));
            }
            self.spec.assets.push(SpecAsset {
                id: src,
                name,
                description,
                kind,
                classification: level.unwrap_or_default(),
                element_ids,
                data,
            });
        }
        if !non_data.is_empty() {
            self.note(
                Anchor::Model,
                format!(
                    "assets that are not data: {} (our data assets hold information only)",
                    non_data.join(", ")
                ),
            );
        }
        // Elements name the data they hold with `assetIds`.
        let mut links = Vec::new();
        for d in root.get("diagrams").and_then(Node::as_seq).unwrap_or(&[]) {
            for e in d.get("elements").and_then(Node::as_seq).unwrap_or(&[]) {
                let Some(eid) = e.str_at("id") else {
                    continue;
                };
                for a in e.get("assetIds").and_then(Node::as_seq).unwrap_or(&[]) {
                    if let Some(aid) = a.as_str() {
                        links.push((eid.to_string(), aid.to_string(), a.pos));
                    }
                }
            }
        }
        for (eid, aid, pos) in links {
            let Some(element) = self.element_ids.get(&eid).cloned() else {
                continue;
            };
            match self.data_ids.get(&aid).and_then(|d| self.model.ids.get(d)) {
                Some(Item::Data(idx)) => {
                    let idx = *idx;
                    self.add_element_data(&element, idx);
                }
                _ if self.spec.assets.iter().any(|a| a.id == aid) => {}
                _ => {
                    self.r.warning(
                        pos,
                        format!("`assetIds` of `{eid}` names `{aid}`, which no asset defines"),
                    );
                }
            }
        }
    }

    fn add_element_data(&mut self, element: &str, data: DataIdx) {
        if let Some(Item::Element(i)) = self.model.ids.get(element) {
            let e = &mut self.model.elements[*i];
            if !e.data.contains(&data) {
                e.data.push(data);
            }
        }
    }

    // ---- diagrams ----------------------------------------------------------------

    fn read_diagram(&mut self, d: &DiagramNode) -> SpecDiagram {
        let node = d.node;
        if let Some(entries) = node.as_map() {
            self.warn_keys(entries, "a diagram", DIAGRAM_KEYS);
        }
        let title = self.text(node, "title").unwrap_or_default();
        let mut diagram = SpecDiagram {
            kind: d.kind,
            title: title.clone(),
            description: self.text(node, "description").unwrap_or_default(),
            direction: self.vocab(
                node,
                "direction",
                &["right", "down", "left", "up"],
                "direction",
            ),
            elements: Vec::new(),
            boundaries: Vec::new(),
            flows: Vec::new(),
            attacks: Vec::new(),
            targets: Vec::new(),
            actors: Vec::new(),
            messages: Vec::new(),
            phases: Vec::new(),
            attack_tree: None,
            threats: Vec::new(),
            mitigations: Vec::new(),
            mappings: None,
            other: Map::new(),
        };
        let label = format!("{} diagram `{title}`", d.kind.as_str());
        for b in node.get("boundaries").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(src) = b.str_at("id") else {
                continue;
            };
            let Some(id) = self.boundary_ids.get(src).cloned() else {
                continue;
            };
            // Nesting belongs to the boundary, not to one view: the model's (checked for loops).
            let parent = match self.model.ids.get(&id) {
                Some(Item::Boundary(i)) => self.model.boundaries[*i]
                    .parent
                    .map(|p| self.model.boundaries[p].id.clone()),
                _ => None,
            };
            diagram.boundaries.push(spec_node(b, src, id, parent));
        }
        for e in node.get("elements").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(src) = e.str_at("id") else {
                continue;
            };
            let Some(id) = self.element_ids.get(src).cloned() else {
                continue;
            };
            let parent = e
                .str_at("parentId")
                .and_then(|p| self.boundary_ids.get(p).cloned());
            diagram.elements.push(spec_node(e, src, id, parent));
        }
        for a in node.get("actors").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(src) = a.str_at("id") else {
                continue;
            };
            let Some(id) = self.element_ids.get(src).cloned() else {
                continue;
            };
            diagram.actors.push(SpecActor {
                label: a.str_at("label").unwrap_or(src).to_string(),
                kind: a.str_at("type").map(str::to_string),
                malicious: matches!(
                    a.get("malicious").map(|n| &n.kind),
                    Some(NodeKind::Bool(true))
                ),
                id,
            });
        }
        if let Some(list) = node.get("flows") {
            let flows = self.r.seq(list, "`flows`").unwrap_or(&[]);
            let mut model_flows = 0;
            for f in flows {
                if let Some(flow) = self.read_flow(f, d.kind == DiagramKind::Dfd) {
                    model_flows += usize::from(flow.flow.is_some());
                    diagram.flows.push(flow);
                }
            }
            if d.kind != DiagramKind::Dfd && !flows.is_empty() {
                self.note(
                    Anchor::Model,
                    format!(
                        "flows of the {label} ({}; only DFD flows become model flows)",
                        flows.len() - model_flows
                    ),
                );
            }
        }
        diagram.attacks = self.list(node, "attacks", Self::read_attack);
        diagram.targets = self.list(node, "targets", Self::read_target);
        diagram.messages = self.list(node, "messages", Self::read_message);
        diagram.phases = self.list(node, "phases", Self::read_phase);
        diagram.attack_tree = node.get("attackTree").and_then(|n| self.read_tree(n));
        diagram.threats = self.list(node, "threats", Self::read_threat);
        diagram.mitigations = self.list(node, "mitigations", Self::read_mitigation);
        if let Some(m) = node.get("mappings") {
            let mappings = self.read_mappings(m, Anchor::Model);
            if self.single {
                self.model.mappings = mappings;
            }
            diagram.mappings = Some(m.to_json());
        }
        for key in ["legend", "detections", "responseActions"] {
            if let Some(v) = node.get(key) {
                diagram.other.insert(key.to_string(), v.to_json());
            }
        }

        let mut kept = Vec::new();
        let single = self.single;
        let mut count = |n: usize, one: &str, many: &str| match n {
            0 => {}
            1 => kept.push(format!("1 {one}")),
            n => kept.push(format!("{n} {many}")),
        };
        count(diagram.attacks.len(), "attack step", "attack steps");
        count(diagram.targets.len(), "target", "targets");
        count(diagram.messages.len(), "message", "messages");
        count(diagram.phases.len(), "phase", "phases");
        count(
            diagram.attack_tree.as_ref().map_or(0, |t| t.nodes.len()),
            "attack tree node",
            "attack tree nodes",
        );
        count(diagram.threats.len(), "threat", "threats");
        count(diagram.mitigations.len(), "mitigation", "mitigations");
        // A single-diagram file's mappings are the model's, and carried over.
        count(
            usize::from(diagram.mappings.is_some() && !single),
            "set of mappings",
            "sets of mappings",
        );
        count(diagram.other.len(), "other section", "other sections");
        if !kept.is_empty() {
            self.note(Anchor::Model, format!("the {label}: {}", kept.join(", ")));
        }
        diagram
    }

    fn read_flow(&mut self, node: &Node, dfd: bool) -> Option<SpecFlow> {
        let entries = self.r.map(node, "a flow")?;
        self.warn_keys(entries, "a flow", FLOW_KEYS);
        let from = self.element_ref(node, "from", "a flow");
        let to = self.element_ref(node, "to", "a flow");
        let (from, to) = (from?, to?);
        let label = self.text(node, "label").unwrap_or_default();
        let kind = self.vocab(node, "type", FLOW_TYPES, "flow type");
        let bidirectional = self.flag(node, "bidirectional").unwrap_or(false);
        let mut spec = SpecFlow {
            from: from.clone(),
            to: to.clone(),
            label: label.clone(),
            kind: kind.clone(),
            bidirectional,
            flow: None,
        };
        if !dfd {
            return Some(spec);
        }
        if from == to {
            self.r.warning(
                node.pos,
                format!("the flow from `{from}` to itself is drawn but not a model flow (a flow joins two elements)"),
            );
            return Some(spec);
        }
        let key = (from.clone(), to.clone(), label.clone());
        if let Some(id) = self.flow_keys.get(&key) {
            spec.flow = Some(id.clone());
            return Some(spec);
        }
        let mut attrs = Attrs::default();
        if let Some(p) = self.text(node, "protocol") {
            attrs.set(attr_id::PROTOCOL, Value::Str(p));
        }
        if let Some(e) = self.flag(node, "encrypted") {
            attrs.set(attr_id::IS_ENCRYPTED, Value::Bool(e));
        }
        // `authenticated`: the receiving end authenticates who sends.
        if let Some(a) = self.flag(node, "authenticated") {
            attrs.set(attrs::id_of("authenticatesSource"), Value::Bool(a));
        }
        let mut props = Map::new();
        for key in [
            "crossOrigin",
            "credentialFlowId",
            "dataClassification",
            "cweIds",
        ] {
            if let Some(v) = node.get(key) {
                props.insert(key.to_string(), v.to_json());
            }
        }
        if let Some(ids) = node.get("cweIds").and_then(Node::as_seq) {
            for n in ids {
                if let Some(problem) = n.as_str().and_then(|c| CATALOGUES.check(Framework::Cwe, c))
                {
                    self.problem(n.pos, problem);
                }
            }
        }
        let tags: Vec<String> = kind.iter().filter(|k| *k != "normal").cloned().collect();
        let idx = self.model.flows.len();
        let id = self.claim_id(
            &format!("{from}-to-{to}"),
            "flow",
            node.pos,
            Item::Flow(idx),
        );
        let name = if label.trim().is_empty() {
            format!("{from} to {to}")
        } else {
            label.clone()
        };
        let properties = if props.is_empty() {
            Properties::Null
        } else {
            J::Object(props)
        };
        let (source, sink) = (self.element_index(&from), self.element_index(&to));
        // A flow that carries a credential (`credentialFlowId`) carries its asset.
        let data: Vec<DataIdx> = node
            .str_at("credentialFlowId")
            .and_then(|c| self.credential_assets.get(c))
            .and_then(|a| self.data_ids.get(a))
            .and_then(|d| match self.model.ids.get(d) {
                Some(Item::Data(i)) => Some(*i),
                _ => None,
            })
            .into_iter()
            .collect();
        self.model.flows.push(Flow {
            id: id.clone(),
            name: name.clone(),
            description: String::new(),
            source,
            sink,
            data: data.clone(),
            response_to: None,
            attrs: attrs.clone(),
            tags: tags.clone(),
            properties: properties.clone(),
            pos: node.pos,
        });
        if bidirectional {
            // Both directions of a two-way arrow: the reverse is a response.
            let ridx = self.model.flows.len();
            let rid = self.claim_id(&format!("{id}-reply"), "flow", node.pos, Item::Flow(ridx));
            let mut rattrs = attrs;
            rattrs.set(attr_id::IS_RESPONSE, Value::Bool(true));
            self.model.flows.push(Flow {
                id: rid,
                name: format!("{name} (reply)"),
                description: String::new(),
                source: sink,
                sink: source,
                data,
                response_to: Some(idx),
                attrs: rattrs,
                tags,
                properties,
                pos: node.pos,
            });
        }
        self.flow_keys.insert(key, id.clone());
        spec.flow = Some(id);
        Some(spec)
    }

    fn element_index(&self, id: &str) -> ElementIdx {
        match self.model.ids.get(id) {
            Some(Item::Element(i)) => *i,
            // Callers resolved `id` through `element_ids`, which only holds elements.
            _ => usize::MAX,
        }
    }

    fn problem(&mut self, pos: Pos, p: tms_model::catalogue::Problem) {
        let d = if p.error {
            self.r.error(pos, p.message)
        } else {
            self.r.warning(pos, p.message)
        };
        d.hint = p.hint;
    }

    /// ATT&CK technique (with its tactic, if given) and OWASP ids checked against the catalogues.
    fn check_technique(
        &mut self,
        node: &Node,
        key: &str,
        fw: Framework,
        tactic: Option<&str>,
    ) -> Option<String> {
        let n = node.get(key)?;
        let id = self.r.text(n, &format!("`{key}`"))?;
        if let Some(p) = CATALOGUES.check(fw, &id) {
            self.problem(n.pos, p);
        } else if let (Framework::Attack, Some(t)) = (fw, tactic) {
            if let Some(p) = CATALOGUES.check_tactic(&id, t) {
                self.problem(n.pos, p);
            }
        }
        Some(id)
    }

    fn check_owasp(&mut self, node: &Node, key: &str) -> Vec<String> {
        let Some(list) = node.get(key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for n in self.r.seq(list, &format!("`{key}`")).unwrap_or(&[]) {
            if let Some(id) = self.r.text(n, "an OWASP id") {
                if let Some(p) = CATALOGUES.check(Framework::Owasp, &id) {
                    self.problem(n.pos, p);
                }
                out.push(id);
            }
        }
        out
    }

    fn tactic(&mut self, node: &Node, key: &str) -> Option<String> {
        let n = node.get(key)?;
        let t = self.r.text(n, &format!("`{key}`"))?;
        if !CATALOGUES.attack_tactic_list().any(|(id, _, _)| id == t) {
            self.r
                .error(n.pos, format!("unknown ATT&CK tactic `{t}`"))
                .hint = Some("tactic ids look like TA0001".into());
        }
        Some(t)
    }

    fn read_attack(&mut self, node: &Node) -> Option<SpecAttack> {
        let entries = self.r.map(node, "an attack step")?;
        self.warn_keys(entries, "an attack step", ATTACK_KEYS);
        let step = self.int(node, "step");
        if step.is_none() && node.get("step").is_none() {
            self.r.error(node.pos, "an attack step has no `step`");
        }
        let from = self.element_ref(node, "from", "an attack step");
        let to = self.element_ref(node, "to", "an attack step");
        let tactic = self.tactic(node, "mitreTactic");
        let technique =
            self.check_technique(node, "mitreTechnique", Framework::Attack, tactic.as_deref());
        let atlas = self.check_technique(node, "atlasTechnique", Framework::Atlas, None);
        let owasp = self.check_owasp(node, "owaspIds");
        let label = self.text(node, "label").unwrap_or_default();
        Some(SpecAttack {
            step: step?,
            from: from?,
            to: to?,
            label,
            description: self.text(node, "description").unwrap_or_default(),
            action: self.text(node, "action"),
            outcome: self.text(node, "outcome"),
            tactic,
            technique,
            atlas_technique: atlas,
            owasp,
            stride: self.stride_list(node, "strideThreats"),
            remediation: self.text(node, "remediationNote"),
        })
    }

    fn read_target(&mut self, node: &Node) -> Option<SpecTarget> {
        let entries = self.r.map(node, "a target")?;
        self.warn_keys(entries, "a target", TARGET_KEYS);
        let element = self.element_ref(node, "elementId", "a target")?;
        Some(SpecTarget {
            element,
            classification: self
                .vocab(
                    node,
                    "classification",
                    ASSET_CLASSIFICATIONS,
                    "asset classification",
                )
                .unwrap_or_default(),
            stride: self.stride_list(node, "strideThreats"),
            impact: self.text(node, "impact"),
        })
    }

    fn read_message(&mut self, node: &Node) -> Option<SpecMessage> {
        let entries = self.r.map(node, "a message")?;
        self.warn_keys(entries, "a message", MESSAGE_KEYS);
        let seq = self.int(node, "seq");
        if node.get("seq").is_none() {
            self.r.error(node.pos, "a message has no `seq`");
        }
        let from = self.element_ref(node, "from", "a message");
        let to = self.element_ref(node, "to", "a message");
        let technique = self.check_technique(node, "mitreTechnique", Framework::Attack, None);
        Some(SpecMessage {
            seq: seq?,
            from: from?,
            to: to?,
            label: self.text(node, "label").unwrap_or_default(),
            kind: self.vocab(node, "type", FLOW_TYPES, "flow type"),
            technique,
            note: self.flag(node, "note").unwrap_or(false),
        })
    }

    fn read_phase(&mut self, node: &Node) -> Option<SpecPhase> {
        let entries = self.r.map(node, "a phase")?;
        self.warn_keys(entries, "a phase", PHASE_KEYS);
        let tactic = self.tactic(node, "mitreTactic");
        Some(SpecPhase {
            name: self.text(node, "name").unwrap_or_default(),
            tactic,
            description: self.text(node, "description").unwrap_or_default(),
            start: self.int(node, "startMessage").unwrap_or(0),
            end: self.int(node, "endMessage").unwrap_or(0),
        })
    }

    fn read_tree(&mut self, node: &Node) -> Option<SpecAttackTree> {
        let entries = self.r.map(node, "`attackTree`")?;
        self.warn_keys(entries, "`attackTree`", TREE_KEYS);
        let root = self.text(node, "rootId");
        let mut nodes = Vec::new();
        if let Some(list) = node.get("nodes") {
            for n in self.r.seq(list, "`nodes`").unwrap_or(&[]) {
                let Some(e) = self.r.map(n, "an attack tree node") else {
                    continue;
                };
                self.warn_keys(e, "an attack tree node", TREE_NODE_KEYS);
                let Some(id) = self.source_id(n, "an attack tree node") else {
                    continue;
                };
                let node_type = self
                    .vocab(
                        n,
                        "nodeType",
                        &["AND", "OR", "LEAF"],
                        "attack tree node type",
                    )
                    .unwrap_or_else(|| "LEAF".into());
                let technique = self.check_technique(n, "mitreTechnique", Framework::Attack, None);
                nodes.push(SpecTreeNode {
                    label: self.label(n, "label", &id),
                    node_type,
                    description: self.text(n, "description").unwrap_or_default(),
                    children: self.strings(n, "children"),
                    technique,
                    stride: self.stride_list(n, "strideThreats"),
                    countermeasure: self.text(n, "countermeasure"),
                    mitigated: self.flag(n, "mitigated"),
                    id,
                });
            }
        }
        let known: HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
        let mut bad = Vec::new();
        for n in &nodes {
            for c in &n.children {
                if !known.contains(c.as_str()) {
                    bad.push(format!(
                        "the attack tree node `{}` has a child `{c}` that is not a node",
                        n.id
                    ));
                }
            }
        }
        if let Some(r) = root.as_deref().filter(|r| !known.contains(r)) {
            bad.push(format!("the attack tree's `rootId` `{r}` is not a node"));
        }
        for b in bad {
            self.r.error(node.pos, b);
        }
        let Some(root) = root else {
            self.r.error(node.pos, "the attack tree has no `rootId`");
            return None;
        };
        Some(SpecAttackTree { root, nodes })
    }

    fn read_threat(&mut self, node: &Node) -> Option<SpecThreat> {
        let entries = self.r.map(node, "a threat")?;
        self.warn_keys(entries, "a threat", THREAT_KEYS);
        let id = self.source_id(node, "a threat")?;
        let stride = self.vocab(node, "strideCategory", STRIDE_LETTERS, "STRIDE letter");
        let affected = self
            .strings(node, "affectedElements")
            .into_iter()
            .map(|e| self.element_ids.get(&e).cloned().unwrap_or(e))
            .collect();
        Some(SpecThreat {
            title: self.label(node, "title", &id),
            description: self.text(node, "description").unwrap_or_default(),
            stride,
            affected_elements: affected,
            status: self.text(node, "status").unwrap_or_default(),
            severity: self.text(node, "severity"),
            likelihood: self.text(node, "likelihood"),
            mitigation_ids: self.strings(node, "mitigationIds"),
            id,
        })
    }

    fn read_mitigation(&mut self, node: &Node) -> Option<SpecMitigation> {
        let entries = self.r.map(node, "a mitigation")?;
        self.warn_keys(entries, "a mitigation", MITIGATION_KEYS);
        let id = self.source_id(node, "a mitigation")?;
        Some(SpecMitigation {
            title: self.label(node, "title", &id),
            description: self.text(node, "description").unwrap_or_default(),
            threat_ids: self.strings(node, "threatIds"),
            stride: self.stride_list(node, "strideCategories"),
            status: self.text(node, "status").unwrap_or_default(),
            owner: self.text(node, "owner"),
            id,
        })
    }

    fn read_threat_actor(&mut self, node: &Node) -> Option<SpecThreatActor> {
        let entries = self.r.map(node, "a threat actor")?;
        self.warn_keys(entries, "a threat actor", THREAT_ACTOR_KEYS);
        let id = self.source_id(node, "a threat actor")?;
        let mut ttps = Vec::new();
        if let Some(list) = node.get("ttps") {
            for n in self.r.seq(list, "`ttps`").unwrap_or(&[]) {
                if let Some(t) = self.r.text(n, "a TTP") {
                    let fw = if t.starts_with("AML.") {
                        Framework::Atlas
                    } else {
                        Framework::Attack
                    };
                    if let Some(p) = CATALOGUES.check(fw, &t) {
                        self.problem(n.pos, p);
                    }
                    ttps.push(t);
                }
            }
        }
        Some(SpecThreatActor {
            name: self.label(node, "name", &id),
            kind: self.text(node, "type").unwrap_or_default(),
            description: self.text(node, "description").unwrap_or_default(),
            aliases: self.strings(node, "aliases"),
            sophistication: self.text(node, "sophistication"),
            resources: self.text(node, "resources"),
            motivations: self.strings(node, "motivations"),
            primary_goals: self.strings(node, "primaryGoals"),
            ttps,
            id,
        })
    }

    fn read_authors(&mut self, root: &Node) {
        let Some(list) = root.get("authors") else {
            return;
        };
        let mut urls = 0;
        for n in self.r.seq(list, "`authors`").unwrap_or(&[]) {
            let Some(e) = self.r.map(n, "an author") else {
                continue;
            };
            self.warn_keys(e, "an author", AUTHOR_KEYS);
            urls += usize::from(n.get("url").is_some());
            let name = self.text(n, "name").unwrap_or_default();
            let email = self.text(n, "email");
            self.model.authors.push(Author { name, email });
        }
        if urls > 0 {
            self.note(Anchor::Model, format!("authors' `url` ({urls})"));
        }
    }

    fn read_assumptions(&mut self, root: &Node) {
        let Some(list) = root.get("assumptions") else {
            return;
        };
        let mut lost: Vec<String> = Vec::new();
        for n in self.r.seq(list, "`assumptions`").unwrap_or(&[]) {
            let Some(e) = self.r.map(n, "an assumption") else {
                continue;
            };
            self.warn_keys(e, "an assumption", ASSUMPTION_KEYS);
            let id = self.text(n, "id").unwrap_or_default();
            let name = self.label(n, "title", &id);
            let description = self.text(n, "description").unwrap_or_default();
            for k in Self::unread(n, &["id", "title", "description"]) {
                let key = k.split(':').next().unwrap_or("").to_string();
                if !lost.contains(&key) {
                    lost.push(key);
                }
            }
            self.model.assumptions.push(Assumption {
                name,
                description,
                excludes: Vec::new(),
                pos: n.pos,
            });
        }
        if !lost.is_empty() {
            self.note(
                Anchor::Model,
                format!("assumptions' ids and {}", lost.join(", ")),
            );
        }
    }

    /// Threat Model Spec mappings in our shape; what ours has no place for is noted.
    /// The model's `mappings.stride` entries that name `affectedComponents`
    /// are threats the team identified: each becomes a model threat of its
    /// STRIDE category, affecting those elements (or flows), open.
    fn stride_threats(&mut self, mappings: &Node) {
        let entries = mappings.get("stride").and_then(Node::as_seq).unwrap_or(&[]);
        let mut taken = tms_syntax::fxhash::FxHashSet::default();
        for n in entries {
            let Some(affected) = n.get("affectedComponents").and_then(Node::as_seq) else {
                continue;
            };
            let category = n.str_at("category").and_then(Stride::parse);
            let name = n
                .str_at("name")
                .map(str::to_string)
                .or_else(|| category.map(|c| c.long_name().to_string()))
                .unwrap_or_else(|| "Threat".to_string());
            let description = n.str_at("description").unwrap_or("").trim().to_string();
            // A title says what could go wrong: the description's first
            // sentence where there is one, else the category's name.
            let title = match description.split(". ").next().map(str::trim) {
                Some(s) if !s.is_empty() => crate::importer::clip(s.trim_end_matches('.')),
                _ => name.clone(),
            };
            let letter = category.map_or("threat", |c| c.as_str());
            let base = format!("stride-{}", letter.to_ascii_lowercase());
            let id = crate::importer::first_free(&base, &taken);
            taken.insert(id.clone());
            let mut t = Threat::new(id.clone(), title, n.pos);
            t.description = description;
            t.stride = category.into_iter().collect();
            for c in affected {
                let Some(wanted) = c.as_str() else { continue };
                let ours = self
                    .element_ids
                    .get(wanted)
                    .cloned()
                    .unwrap_or_else(|| wanted.to_string());
                match self.model.ids.get(&ours) {
                    Some(item @ (Item::Element(_) | Item::Flow(_))) => {
                        if !t.affects.contains(item) {
                            t.affects.push(*item);
                        }
                    }
                    _ => {
                        // Assets and boundaries are no elements; the threat
                        // still stands, for what it names that tms holds.
                        self.r.warning(
                            c.pos,
                            format!("the STRIDE threat `{id}` affects `{wanted}`, which is not an element or flow; it is left out of `affects`"),
                        );
                        self.note(
                            Anchor::Model,
                            format!("threat `{id}` also affects `{wanted}`"),
                        );
                    }
                }
            }
            self.model.threats.push(t);
        }
    }

    fn read_mappings(&mut self, node: &Node, anchor: Anchor) -> Option<Mappings> {
        let entries = self.r.map(node, "`mappings`")?;
        self.warn_keys(entries, "`mappings`", MAPPING_KEYS);
        let mut m = Mappings {
            pos: node.pos,
            ..Mappings::default()
        };
        let mut dropped: Vec<String> = Vec::new();
        let mut lose = |what: String| {
            if !dropped.contains(&what) {
                dropped.push(what);
            }
        };
        let items = |r: &mut Reader, key: &str| -> Vec<Node> {
            node.get(key)
                .and_then(|n| r.seq(n, &format!("`mappings.{key}`")).map(<[Node]>::to_vec))
                .unwrap_or_default()
        };
        for key in ["mitreAttack", "mitreAtlas"] {
            for n in items(&mut self.r, key) {
                if self.r.map(&n, &format!("an entry of `{key}`")).is_none() {
                    continue;
                }
                for extra in Self::unread(
                    &n,
                    &[
                        "tacticId",
                        "tacticName",
                        "techniqueId",
                        "techniqueName",
                        "subTechniqueId",
                    ],
                ) {
                    lose(format!("{key}.{}", extra.split(':').next().unwrap_or("")));
                }
                let t = TechniqueRef {
                    tactic_id: self.text(&n, "tacticId"),
                    tactic_name: self.text(&n, "tacticName"),
                    technique_id: self.text(&n, "techniqueId"),
                    technique_name: self.text(&n, "techniqueName"),
                    sub_technique_id: self.text(&n, "subTechniqueId"),
                    pos: n.pos,
                };
                if key == "mitreAttack" {
                    m.mitre_attack.push(t);
                } else {
                    m.mitre_atlas.push(t);
                }
            }
        }
        for n in items(&mut self.r, "owasp") {
            if self.r.map(&n, "an entry of `owasp`").is_none() {
                continue;
            }
            for extra in Self::unread(&n, &["category", "id", "name"]) {
                lose(format!("owasp.{}", extra.split(':').next().unwrap_or("")));
            }
            let category = self.text(&n, "category").unwrap_or_default();
            if !["web", "api", "llm", "agentic"].contains(&category.as_str()) {
                self.r
                    .error(n.pos, format!("`{category}` is not an OWASP category"))
                    .hint = Some("choices: web, api, llm, agentic".into());
            }
            m.owasp.push(OwaspRef {
                category,
                id: self.text(&n, "id").unwrap_or_default(),
                name: self.text(&n, "name"),
                pos: n.pos,
            });
        }
        for n in items(&mut self.r, "cwe") {
            if self.r.map(&n, "an entry of `cwe`").is_none() {
                continue;
            }
            for extra in Self::unread(&n, &["id", "name"]) {
                lose(format!("cwe.{}", extra.split(':').next().unwrap_or("")));
            }
            m.cwe.push(IdName {
                id: self.text(&n, "id").unwrap_or_default(),
                name: self.text(&n, "name"),
                pos: n.pos,
            });
        }
        for n in items(&mut self.r, "stride") {
            if self.r.map(&n, "an entry of `stride`").is_none() {
                continue;
            }
            // The model's STRIDE entries name what they affect, and become its threats.
            let read: &[&str] = if matches!(anchor, Anchor::Model) {
                &["category", "name", "description", "affectedComponents"]
            } else {
                &["category", "name", "description"]
            };
            for extra in Self::unread(&n, read) {
                lose(format!("stride.{}", extra.split(':').next().unwrap_or("")));
            }
            let category = self
                .vocab(&n, "category", STRIDE_LETTERS, "STRIDE letter")
                .unwrap_or_default();
            m.stride.push(StrideRef {
                category,
                name: self.text(&n, "name"),
                description: self.text(&n, "description"),
            });
        }
        if let Some(n) = node.get("cvss") {
            if self.r.map(n, "`cvss`").is_some() {
                if n.get("description").is_some() {
                    lose("cvss.description".into());
                }
                let base_score = n.get("baseScore").and_then(|s| match s.kind {
                    NodeKind::Int(i) => Some(i as f64),
                    NodeKind::Float(f) => Some(f),
                    _ => {
                        self.r.wrong_type(s, "`baseScore`", "a number");
                        None
                    }
                });
                let vector = self.text(n, "vector").unwrap_or_default();
                if let Err(e) = tms_model::risk::check_stated(&vector, base_score) {
                    self.r.error(n.pos, e);
                }
                m.cvss = Some(CvssRef {
                    version: self.text(n, "version"),
                    vector,
                    base_score,
                    severity: self.text(n, "severity"),
                    pos: n.pos,
                });
            }
        }
        for key in ["cve", "linddun", "controls", "compliance"] {
            if let Some(v) = node.get(key) {
                lose(format!("{key} ({})", summary(v)));
            }
        }
        super::native::check_mappings(&mut self.r, &m);
        if !dropped.is_empty() {
            self.note(anchor, format!("mappings: {}", dropped.join(", ")));
        }
        Some(m)
    }
}

/// A short rendering of a value for a not-carried note.
fn summary(v: &Node) -> String {
    const MAX: usize = 80;
    match &v.kind {
        NodeKind::Seq(s) => format!("{} entries", s.len()),
        NodeKind::Map(m) => format!("{} keys", m.len()),
        _ => {
            let s = v.to_json().to_string();
            if s.chars().count() > MAX {
                let cut: String = s.chars().take(MAX).collect();
                format!("{cut}...")
            } else {
                s
            }
        }
    }
}

/// The latest `completedAt` (or `startedAt`) of the analysis runs: the last
/// time the model's content was produced, the closest the spec has to a date.
fn latest_run(root: &Node) -> Option<String> {
    root.get("analysisRuns")?
        .as_seq()?
        .iter()
        .flat_map(|run| ["completedAt", "startedAt"].map(|k| run.str_at(k)))
        .flatten()
        .filter_map(|s| tms_syntax::dates::parse_timestamp(s).map(|t| (t, s)))
        .max_by_key(|(t, _)| *t)
        .map(|(_, s)| s.to_string())
}

/// An element or boundary of one diagram: its label (the source id when it
/// has none), its Threat Model Spec type and description.
fn spec_node(n: &Node, src: &str, id: String, parent: Option<String>) -> SpecNode {
    SpecNode {
        label: n.str_at("label").unwrap_or(src).to_string(),
        kind: n.str_at("type").unwrap_or("").to_string(),
        description: n.str_at("description").unwrap_or("").to_string(),
        id,
        parent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        tms_syntax::source::json::parse(text).expect("test JSON parses")
    }

    #[test]
    fn detects_threat_model_spec_and_not_ours() {
        assert!(detect(&parse(
            r#"{"id":"x","title":"t","diagrams":[{"type":"dfd"}]}"#
        )));
        assert!(detect(&parse(r#"{"id":"x","title":"t","diagrams":[]}"#)));
        assert!(detect(&parse(r#"{"type":"attack-chain","title":"t"}"#)));
        assert!(!detect(&parse(r#"{"title":"t","elements":[]}"#)));
        assert!(!detect(&parse(r#"{"title":"t","type":"server"}"#)));
        assert!(!detect(&parse(r#"{"title":"t","diagrams":[]}"#)));
    }

    #[test]
    fn sanitises_ids() {
        assert_eq!(crate::importer::sanitise("a b"), "a-b");
        assert_eq!(crate::importer::sanitise(" a@@b* "), "a-b");
        assert_eq!(crate::importer::sanitise("@*"), "");
        assert_eq!(crate::importer::sanitise("ok.id_1"), "ok.id_1");
    }
}
