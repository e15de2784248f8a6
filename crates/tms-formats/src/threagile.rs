//! Threagile models (YAML, `threagile_version` 1.x): technical assets,
//! communication links, data assets and trust boundaries.
//!
//! | Threagile | tms |
//! |---|---|
//! | technical asset `external-entity` | external entity; an actor when `used_as_client_by_human` |
//! | technical asset `process` | server for serving technologies (web server, gateway, ...), lambda for `function` or `serverless`, LLM for `ai`, otherwise process |
//! | technical asset `datastore` | datastore (`datastoreType` and `isSQL` from the technology) |
//! | communication link | flow (`data_assets_sent`); `data_assets_received` is a response flow back |
//! | data asset | data (`confidentiality` public, internal, restricted, confidential, strictly-confidential: public, restricted, sensitive, secret, top-secret) |
//! | trust boundary | boundary (`trust_boundaries_nested` nests) |
//! | `internet: true` outside every boundary | in an `Internet` boundary |
//!
//! Attributes: `out_of_scope` is `inScope: false`, `encryption` other than
//! none `isEncryptedAtRest`, `redundant` `isResilient`, `multi_tenant` on a
//! datastore `isShared`, a stored datum rated restricted or above
//! `storesSensitiveData`; on links the protocol (and whether it encrypts),
//! `vpn`, and `authentication` / `authorization` map to pytm's controls. The
//! rest of an asset's or link's ratings (`technology`, `machine`, CIA, ...)
//! are kept as its `properties`. Individual risk categories (risks people
//! wrote) become model threats on the assets their risks name; risk tracking
//! decides risks of Threagile's own rules, which tms does not run, so each
//! entry is a model threat with its status, justification, ticket and
//! `checked_by` as owner (or decides the individual category it names).
//! Abuse cases, questions, security requirements and shared runtimes are
//! listed as not carried over.

use super::importer::{self, Builder};
use tms_model::attrs;
use tms_model::imported::Anchor;
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::fxhash::FxHashMap as HashMap;
use tms_syntax::source::{Key, Node, NodeKind, Pos};

/// The name `tms import --from` uses.
/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "threagile",
    about: "Threagile YAML",
    title: "a Threagile",
    signature: "a Threagile model has `threagile_version` and `technical_assets` at the top",
    input: crate::registry::Input::Tree { detect, read },
    write: None,
};

/// A Threagile model: `threagile_version`, or `technical_assets` where our
/// format would have `elements`.
pub fn detect(root: &Node) -> bool {
    root.get("threagile_version").is_some()
        || (root.get("technical_assets").is_some() && root.get("elements").is_none())
}

const TOP_KEYS: &[&str] = &[
    "threagile_version",
    "title",
    "date",
    "author",
    "contributors",
    "management_summary_comment",
    "business_criticality",
    "business_overview",
    "technical_overview",
    "questions",
    "abuse_cases",
    "security_requirements",
    "tags_available",
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "shared_runtimes",
    "individual_risk_categories",
    "risk_tracking",
    "includes",
];

const ASSET_KEYS: &[&str] = &[
    "id",
    "description",
    "type",
    "usage",
    "used_as_client_by_human",
    "out_of_scope",
    "justification_out_of_scope",
    "size",
    "technology",
    "technologies",
    "tags",
    "internet",
    "machine",
    "encryption",
    "owner",
    "confidentiality",
    "integrity",
    "availability",
    "justification_cia_rating",
    "multi_tenant",
    "redundant",
    "custom_developed_parts",
    "data_assets_processed",
    "data_assets_stored",
    "data_formats_accepted",
    "communication_links",
    "diagram_tweak_order",
];

const LINK_KEYS: &[&str] = &[
    "target",
    "description",
    "protocol",
    "authentication",
    "authorization",
    "tags",
    "vpn",
    "ip_filtered",
    "readonly",
    "usage",
    "data_assets_sent",
    "data_assets_received",
    "diagram_tweak_weight",
    "diagram_tweak_constraint",
];

const DATA_KEYS: &[&str] = &[
    "id",
    "description",
    "usage",
    "tags",
    "origin",
    "owner",
    "quantity",
    "confidentiality",
    "integrity",
    "availability",
    "justification_cia_rating",
];

const BOUNDARY_KEYS: &[&str] = &[
    "id",
    "description",
    "type",
    "tags",
    "technical_assets_inside",
    "trust_boundaries_nested",
];

/// Process technologies that serve requests as a server does in pytm.
const SERVING: &[&str] = &[
    "web-server",
    "web-application",
    "application-server",
    "web-service-rest",
    "web-service-soap",
    "reverse-proxy",
    "load-balancer",
    "gateway",
    "waf",
    "mail-server",
    "identity-provider",
    "cms",
    "ejb",
    "search-engine",
];

/// Protocols that encrypt what they carry.
const ENCRYPTED: &[&str] = &[
    "https",
    "wss",
    "jdbc-encrypted",
    "odbc-encrypted",
    "sql-access-protocol-encrypted",
    "nosql-access-protocol-encrypted",
    "binary-encrypted",
    "text-encrypted",
    "ssh",
    "ssh-tunnel",
    "smtp-encrypted",
    "pop3-encrypted",
    "imap-encrypted",
    "ftps",
    "sftp",
    "scp",
    "ldaps",
    "jms",
    "nfs-encrypted",
    "smb-encrypted",
    "reverse-proxy-web-protocol-encrypted",
    "iiop-encrypted",
    "jrmp-encrypted",
    "mqtt-encrypted",
    "in-process-library-call",
    "local-file-access",
    "container-spawning",
];

struct Threagile<'a> {
    b: Builder<'a>,
    assets: HashMap<String, (ElementIdx, Pos)>,
    data: HashMap<String, (DataIdx, Pos)>,
    boundaries: HashMap<String, (BoundaryIdx, Pos)>,
}

/// Reads a Threagile model; `None` when any error was found.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    let mut t = Threagile {
        b: Builder::new(file, FORMAT.name),
        assets: HashMap::default(),
        data: HashMap::default(),
        boundaries: HashMap::default(),
    };
    t.read(root);
    t.b.finish()
}

/// The entries of a section that Threagile writes as a mapping by name.
fn named<'n>(b: &mut Builder, root: &'n Node, key: &str) -> &'n [(Key, Node)] {
    match root.get(key) {
        None => &[],
        Some(n) if n.is_null() => &[],
        Some(n) => b.r.map(n, &format!("`{key}`")).unwrap_or(&[]),
    }
}

fn check_keys(b: &mut Builder, node: &Node, allowed: &[&str], what: &str) {
    let Some(entries) = node.as_map() else { return };
    for (k, _) in entries {
        if allowed.contains(&&*k.name) {
            continue;
        }
        let hint = tms_syntax::diag::did_you_mean(&k.name, allowed.iter().copied())
            .map(|c| format!("did you mean `{c}`?"));
        b.r.warning(
            k.pos,
            format!("unknown key `{}` in {what}; it is left out", k.name),
        )
        .hint = hint;
    }
}

/// A scalar as text; null and empty are none.
fn scalar(b: &mut Builder, node: &Node, key: &str) -> Option<String> {
    let v = node.get(key)?;
    match &v.kind {
        NodeKind::Null => None,
        NodeKind::Str(s) if s.trim().is_empty() => None,
        _ => importer::text(&mut b.r, v, &format!("`{key}`")).map(|s| s.trim().to_string()),
    }
}

fn flag(b: &mut Builder, node: &Node, key: &str) -> bool {
    match node.get(key) {
        None => false,
        Some(v) if v.is_null() => false,
        Some(v) => b.r.bool(v, &format!("`{key}`")).unwrap_or(false),
    }
}

fn strings(b: &mut Builder, node: &Node, key: &str) -> Vec<(String, Pos)> {
    node.get(key)
        .map(|v| importer::string_list(&mut b.r, v, &format!("`{key}`")))
        .unwrap_or_default()
}

fn set(attrs: &mut Attrs, name: &str, v: Value) {
    if let Some(id) = attrs::lookup(name) {
        attrs.set(id, v);
    }
}

/// Threagile's risk tracking statuses: the ones still being worked on are open.
fn tracking_status(s: &str) -> Status {
    match s {
        "accepted" => Status::Accepted,
        "mitigated" => Status::Mitigated,
        "false-positive" => Status::FalsePositive,
        _ => Status::Open,
    }
}

/// Threagile's severities (low, medium, elevated, high, critical) on ours;
/// elevated asks for attention as high does.
fn severity_of(s: &str) -> Option<Severity> {
    Some(match s {
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "elevated" | "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

/// `untrusted-deserialization` as `Untrusted deserialization`.
fn humanise(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Risk".to_string(),
    }
}

/// Threagile's confidentiality scale, level for level on ours.
fn classification(c: &str) -> Option<Classification> {
    Some(match c {
        "public" => Classification::Public,
        "internal" => Classification::Restricted,
        "restricted" => Classification::Sensitive,
        "confidential" => Classification::Secret,
        "strictly-confidential" => Classification::TopSecret,
        _ => return None,
    })
}

impl Threagile<'_> {
    fn read(&mut self, root: &Node) {
        let Some(top) = self.b.r.map(root, "a Threagile model") else {
            return;
        };
        for (k, _) in top {
            if !TOP_KEYS.contains(&&*k.name) && !k.name.starts_with("diagram_tweak") {
                self.b
                    .r
                    .warning(
                        k.pos,
                        format!(
                            "unknown key `{}` in a Threagile model; it is left out",
                            k.name
                        ),
                    )
                    .hint = tms_syntax::diag::did_you_mean(&k.name, TOP_KEYS.iter().copied())
                    .map(|c| format!("did you mean `{c}`?"));
            }
        }
        match scalar(&mut self.b, root, "title") {
            Some(t) => self.b.model.title = t,
            None => {
                self.b
                    .r
                    .error(root.pos, "the Threagile model has no `title`")
                    .hint = Some("Threagile requires `title`".into());
            }
        }
        if let Some(d) = scalar(&mut self.b, root, "date") {
            if tms_syntax::dates::parse_timestamp(&d).is_some() {
                self.b.model.date = Some(d);
            } else {
                let pos = root.get("date").map_or(root.pos, |n| n.pos);
                self.b
                    .r
                    .warning(pos, format!("`{d}` is not a date; it is left out"))
                    .hint = Some("write YYYY-MM-DD".into());
            }
        }
        self.people(root);
        if let Some(s) = scalar(&mut self.b, root, "management_summary_comment") {
            self.b.model.description = s;
        }
        self.prose(root);

        for (k, v) in named(&mut self.b, root, "data_assets") {
            self.data_asset(k, v);
        }
        let assets: Vec<(Key, Node)> = named(&mut self.b, root, "technical_assets").to_vec();
        for (k, v) in &assets {
            self.technical_asset(k, v);
        }
        let boundaries: Vec<(Key, Node)> = named(&mut self.b, root, "trust_boundaries").to_vec();
        for (k, v) in &boundaries {
            self.trust_boundary(k, v);
        }
        for (k, v) in &boundaries {
            self.boundary_members(k, v);
        }
        self.internet(&assets);
        for (_, v) in &assets {
            self.asset_data(v);
        }
        for (k, v) in &assets {
            self.links(k, v);
        }
        self.runtimes(root);
        self.risks(root);
        if let Some(inc) = root.get("includes").filter(|n| !n.is_null()) {
            let files: Vec<String> = importer::string_list(&mut self.b.r, inc, "`includes`")
                .into_iter()
                .map(|(f, _)| f)
                .collect();
            if !files.is_empty() {
                self.b
                    .r
                    .warning(
                        inc.pos,
                        format!(
                            "the model includes {}; tms reads this file only",
                            files.join(", ")
                        ),
                    )
                    .hint = Some("merge the included files into one model".into());
                self.b.note(
                    Anchor::Model,
                    format!("included files: {}", files.join(", ")),
                );
            }
        }
    }

    fn people(&mut self, root: &Node) {
        let add = |t: &mut Self, n: &Node| {
            let name = scalar(&mut t.b, n, "name");
            if let Some(name) = name {
                if let Some(h) = scalar(&mut t.b, n, "homepage") {
                    t.b.note(Anchor::Model, format!("homepage of {name}: {h}"));
                }
                t.b.model.authors.push(Author { name, email: None });
            }
        };
        if let Some(a) = root.get("author").filter(|a| !a.is_null()) {
            add(self, a);
        }
        for c in root
            .get("contributors")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            add(self, c);
        }
    }

    /// Sections of prose and lists Threagile puts in its report.
    fn prose(&mut self, root: &Node) {
        if let Some(c) = scalar(&mut self.b, root, "business_criticality") {
            self.b
                .note(Anchor::Model, format!("business criticality: {c}"));
        }
        for key in ["business_overview", "technical_overview"] {
            if let Some(o) = root.get(key).filter(|o| !o.is_null()) {
                if let Some(d) = scalar(&mut self.b, o, "description") {
                    let label = key.replace('_', " ");
                    self.b
                        .note(Anchor::Model, format!("{label}: {}", importer::clip(&d)));
                }
            }
        }
        for (key, label) in [
            ("questions", "question"),
            ("abuse_cases", "abuse case"),
            ("security_requirements", "security requirement"),
        ] {
            for (k, v) in named(&mut self.b, root, key) {
                let text = match &v.kind {
                    NodeKind::Str(s) if !s.trim().is_empty() => importer::clip(s),
                    _ if key == "questions" => "(unanswered)".to_string(),
                    _ => String::new(),
                };
                let what = if text.is_empty() {
                    format!("{label} \"{}\"", k.name)
                } else {
                    format!("{label} \"{}\": {text}", k.name)
                };
                self.b.note(Anchor::Model, what);
            }
        }
    }

    /// The `id` every Threagile item has, checked unique among its kind.
    fn id(
        &mut self,
        k: &Key,
        v: &Node,
        what: &str,
        seen: impl Fn(&Self, &str) -> Option<Pos>,
    ) -> Option<(String, Pos)> {
        self.b.r.map(v, what)?;
        let Some(id) = scalar(&mut self.b, v, "id") else {
            self.b
                .r
                .error(k.pos, format!("the {what} \"{}\" has no `id`", k.name))
                .hint = Some("Threagile refers to everything by `id`".into());
            return None;
        };
        let pos = v.get("id").map_or(k.pos, |n| n.pos);
        if let Some(first) = seen(self, &id) {
            self.b
                .r
                .error(pos, format!("duplicate {what} id `{id}`"))
                .hint = Some(format!(
                "Threagile ids are unique; `{id}` is first defined at line {}, column {}",
                first.line, first.col
            ));
            return None;
        }
        Some((id, pos))
    }

    fn data_asset(&mut self, k: &Key, v: &Node) {
        let Some((tid, pos)) = self.id(k, v, "data asset", |t, id| t.data.get(id).map(|x| x.1))
        else {
            return;
        };
        check_keys(
            &mut self.b,
            v,
            DATA_KEYS,
            &format!("the data asset \"{}\"", k.name),
        );
        let id = self.b.claim_id("data asset", &tid, pos);
        let mut d = importer::data_asset(id.clone(), k.name.to_string(), k.pos);
        d.description = scalar(&mut self.b, v, "description").unwrap_or_default();
        d.tags = strings(&mut self.b, v, "tags")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if let Some(c) = scalar(&mut self.b, v, "confidentiality") {
            match classification(&c) {
                Some(x) => d.classification = x,
                None => {
                    let pos = v.get("confidentiality").map_or(k.pos, |n| n.pos);
                    self.b.r.error(pos, format!("`{c}` is not a Threagile confidentiality")).hint =
                        Some("choices: public, internal, restricted, confidential, strictly-confidential".into());
                }
            }
        }
        let mut rated = Vec::new();
        for key in [
            "integrity",
            "availability",
            "quantity",
            "usage",
            "origin",
            "owner",
        ] {
            if let Some(x) = scalar(&mut self.b, v, key) {
                rated.push(format!("{key} {x}"));
            }
        }
        if let Some(j) = scalar(&mut self.b, v, "justification_cia_rating") {
            rated.push(format!("\"{}\"", importer::clip(&j)));
        }
        if !rated.is_empty() {
            self.b.note(Anchor::Data(id), rated.join(", "));
        }
        let i = self.b.add_data(d);
        self.data.insert(tid, (i, pos));
    }

    fn technical_asset(&mut self, k: &Key, v: &Node) {
        let Some((tid, pos)) = self.id(k, v, "technical asset", |t, id| {
            t.assets.get(id).map(|x| x.1)
        }) else {
            return;
        };
        check_keys(
            &mut self.b,
            v,
            ASSET_KEYS,
            &format!("the technical asset \"{}\"", k.name),
        );
        let ty = scalar(&mut self.b, v, "type").unwrap_or_default();
        let tech = scalar(&mut self.b, v, "technology")
            .or_else(|| {
                strings(&mut self.b, v, "technologies")
                    .into_iter()
                    .next()
                    .map(|(s, _)| s)
            })
            .unwrap_or_default();
        let machine = scalar(&mut self.b, v, "machine").unwrap_or_default();
        let human = flag(&mut self.b, v, "used_as_client_by_human");
        let kind = match ty.as_str() {
            "external-entity" if human => ElementKind::Actor,
            "external-entity" => ElementKind::ExternalEntity,
            "datastore" => ElementKind::Datastore,
            "process" if tech == "function" || machine == "serverless" => ElementKind::Lambda,
            "process" if tech == "ai" => ElementKind::Llm,
            "process" if SERVING.contains(&tech.as_str()) => ElementKind::Server,
            "process" => ElementKind::Process,
            _ => {
                let at = v.get("type").map_or(k.pos, |n| n.pos);
                self.b
                    .r
                    .error(
                        at,
                        format!("the technical asset \"{}\" has type `{ty}`", k.name),
                    )
                    .hint =
                    Some("Threagile's types are external-entity, process and datastore".into());
                return;
            }
        };
        let id = self.b.claim_id("element", &tid, pos);
        let mut e = importer::element(id, kind, k.name.to_string(), k.pos);
        e.description = scalar(&mut self.b, v, "description").unwrap_or_default();
        e.tags = strings(&mut self.b, v, "tags")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if flag(&mut self.b, v, "out_of_scope") {
            set(&mut e.attrs, "inScope", Value::Bool(false));
        }
        let encryption = scalar(&mut self.b, v, "encryption").unwrap_or_default();
        if !encryption.is_empty() && encryption != "none" {
            set(&mut e.attrs, "isEncryptedAtRest", Value::Bool(true));
        }
        if flag(&mut self.b, v, "redundant") {
            set(&mut e.attrs, "isResilient", Value::Bool(true));
        }
        if kind == ElementKind::Datastore {
            if flag(&mut self.b, v, "multi_tenant") {
                set(&mut e.attrs, "isShared", Value::Bool(true));
            }
            let store = match tech.as_str() {
                "database" | "identity-store-database" => Some(DatastoreType::Sql),
                "identity-store-ldap" | "ldap-server" => Some(DatastoreType::Ldap),
                "file-server" | "local-file-system" | "block-storage" => {
                    Some(DatastoreType::FileSystem)
                }
                _ => None,
            };
            if let Some(s) = store {
                set(&mut e.attrs, "datastoreType", Value::DatastoreType(s));
            }
            // pytm assumes a store is queried with SQL; Threagile says which are.
            if store != Some(DatastoreType::Sql) {
                set(&mut e.attrs, "isSQL", Value::Bool(false));
            }
        }
        let formats = strings(&mut self.b, v, "data_formats_accepted");
        if kind == ElementKind::Server && formats.iter().any(|(f, _)| f == "xml") {
            set(&mut e.attrs, "usesXMLParser", Value::Bool(true));
        }
        // The rest of what Threagile rates stays readable by custom rules.
        let mut props = serde_json::Map::new();
        for key in [
            "usage",
            "size",
            "technology",
            "machine",
            "encryption",
            "owner",
            "confidentiality",
            "integrity",
            "availability",
            "justification_cia_rating",
            "justification_out_of_scope",
        ] {
            if let Some(x) = scalar(&mut self.b, v, key) {
                props.insert(key.into(), serde_json::Value::String(x));
            }
        }
        for key in [
            "internet",
            "multi_tenant",
            "custom_developed_parts",
            "used_as_client_by_human",
        ] {
            if flag(&mut self.b, v, key) {
                props.insert(key.into(), serde_json::Value::Bool(true));
            }
        }
        if !formats.is_empty() {
            props.insert(
                "data_formats_accepted".into(),
                serde_json::Value::from(formats.into_iter().map(|(f, _)| f).collect::<Vec<_>>()),
            );
        }
        if !props.is_empty() {
            e.properties = serde_json::Value::Object(props);
        }
        let i = self.b.add_element(e);
        self.assets.insert(tid, (i, pos));
    }

    fn data_ref(&mut self, id: &str, pos: Pos) -> Option<DataIdx> {
        match self.data.get(id) {
            Some((d, _)) => Some(*d),
            None => {
                let hint = tms_syntax::diag::did_you_mean(id, self.data.keys().map(String::as_str))
                    .map(|c| format!("did you mean `{c}`?"));
                self.b
                    .r
                    .error(pos, format!("the data asset `{id}` does not exist"))
                    .hint = hint;
                None
            }
        }
    }

    fn asset_ref(&mut self, id: &str, pos: Pos) -> Option<ElementIdx> {
        match self.assets.get(id) {
            Some((e, _)) => Some(*e),
            None => {
                let hint =
                    tms_syntax::diag::did_you_mean(id, self.assets.keys().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"));
                self.b
                    .r
                    .error(pos, format!("the technical asset `{id}` does not exist"))
                    .hint = hint;
                None
            }
        }
    }

    /// What an asset processes and stores: its data; a stored datum is stored,
    /// and a datastore keeping data rated restricted or above stores sensitive data.
    fn asset_data(&mut self, v: &Node) {
        let Some(tid) = v.str_at("id") else {
            return;
        };
        let Some((e, _)) = self.assets.get(tid).copied() else {
            return;
        };
        let processed = strings(&mut self.b, v, "data_assets_processed");
        let stored = strings(&mut self.b, v, "data_assets_stored");
        for (list, is_stored) in [(processed, false), (stored, true)] {
            for (id, pos) in list {
                let Some(d) = self.data_ref(&id, pos) else {
                    continue;
                };
                if is_stored {
                    self.b.model.data[d].is_stored = true;
                    let sensitive =
                        self.b.model.data[d].classification >= Classification::Sensitive;
                    if sensitive && self.b.model.elements[e].kind == ElementKind::Datastore {
                        set(
                            &mut self.b.model.elements[e].attrs,
                            "storesSensitiveData",
                            Value::Bool(true),
                        );
                    }
                }
                let data = &mut self.b.model.elements[e].data;
                if !data.contains(&d) {
                    data.push(d);
                }
            }
        }
    }

    fn trust_boundary(&mut self, k: &Key, v: &Node) {
        let Some((tid, pos)) = self.id(k, v, "trust boundary", |t, id| {
            t.boundaries.get(id).map(|x| x.1)
        }) else {
            return;
        };
        check_keys(
            &mut self.b,
            v,
            BOUNDARY_KEYS,
            &format!("the trust boundary \"{}\"", k.name),
        );
        let id = self.b.claim_id("boundary", &tid, pos);
        let mut b = importer::boundary(id.clone(), k.name.to_string(), k.pos);
        b.description = scalar(&mut self.b, v, "description").unwrap_or_default();
        b.tags = strings(&mut self.b, v, "tags")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if let Some(t) = scalar(&mut self.b, v, "type") {
            self.b
                .note(Anchor::Boundary(id), format!("Threagile type {t}"));
        }
        let i = self.b.add_boundary(b);
        self.boundaries.insert(tid, (i, pos));
    }

    fn boundary_members(&mut self, k: &Key, v: &Node) {
        let Some(tid) = v.str_at("id") else {
            return;
        };
        let Some((bi, _)) = self.boundaries.get(tid).copied() else {
            return;
        };
        for (id, pos) in strings(&mut self.b, v, "technical_assets_inside") {
            let Some(e) = self.asset_ref(&id, pos) else {
                continue;
            };
            match self.b.model.elements[e].boundary {
                Some(other) if other != bi => {
                    let other = self.b.model.boundaries[other].name.clone();
                    self.b.r.warning(
                        pos,
                        format!("`{id}` is inside \"{other}\" already; tms keeps it there and not in \"{}\"", k.name),
                    )
                    .hint = Some("an asset sits in one trust boundary; nest the boundaries instead".into());
                }
                _ => self.b.model.elements[e].boundary = Some(bi),
            }
        }
        for (id, pos) in strings(&mut self.b, v, "trust_boundaries_nested") {
            let Some((child, _)) = self.boundaries.get(&id).copied() else {
                let hint =
                    tms_syntax::diag::did_you_mean(&id, self.boundaries.keys().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"));
                self.b
                    .r
                    .error(pos, format!("the trust boundary `{id}` does not exist"))
                    .hint = hint;
                continue;
            };
            if child == bi {
                self.b.r.error(
                    pos,
                    format!("the trust boundary `{id}` is nested in itself"),
                );
                continue;
            }
            match self.b.model.boundaries[child].parent {
                Some(p) if p != bi => {
                    let other = self.b.model.boundaries[p].name.clone();
                    self.b.r.warning(
                        pos,
                        format!("`{id}` is nested in \"{other}\" already; tms keeps it there"),
                    );
                }
                _ => self.b.model.boundaries[child].parent = Some(bi),
            }
        }
    }

    /// Assets Threagile marks as on the internet, where no boundary holds
    /// them, are on the internet for tms too: a boundary of their own.
    fn internet(&mut self, assets: &[(Key, Node)]) {
        let mut outside = Vec::new();
        for (_, v) in assets {
            let on = matches!(
                v.get("internet").map(|n| &n.kind),
                Some(NodeKind::Bool(true))
            );
            let Some((e, _)) = v.str_at("id").and_then(|id| self.assets.get(id).copied()) else {
                continue;
            };
            if on && self.b.model.elements[e].boundary.is_none() {
                outside.push(e);
            }
        }
        if outside.is_empty() {
            return;
        }
        let id = self.b.id_from_name("boundary", "internet");
        let pos = self.b.model.elements[outside[0]].pos;
        let mut b = importer::boundary(id, "Internet".into(), pos);
        b.description = "The technical assets Threagile marks `internet: true`".into();
        let bi = self.b.add_boundary(b);
        for e in outside {
            self.b.model.elements[e].boundary = Some(bi);
        }
    }

    fn links(&mut self, k: &Key, v: &Node) {
        let Some(tid) = v.str_at("id") else {
            return;
        };
        let Some((source, _)) = self.assets.get(tid).copied() else {
            return;
        };
        let links: Vec<(Key, Node)> = named(&mut self.b, v, "communication_links").to_vec();
        for (lk, lv) in &links {
            if self.b.r.map(lv, "a communication link").is_none() {
                continue;
            }
            check_keys(
                &mut self.b,
                lv,
                LINK_KEYS,
                &format!("the communication link \"{}\"", lk.name),
            );
            let Some(target) = lv.get("target") else {
                self.b.r.error(
                    lk.pos,
                    format!(
                        "the communication link \"{}\" of \"{}\" has no `target`",
                        lk.name, k.name
                    ),
                );
                continue;
            };
            let Some(tname) = importer::text(&mut self.b.r, target, "`target`") else {
                continue;
            };
            let Some(sink) = self.asset_ref(&tname, target.pos) else {
                continue;
            };
            let source_id = self.b.model.elements[source].id.clone();
            let id = self
                .b
                .id_from_name("flow", &format!("{source_id} {}", lk.name));
            let mut f = importer::flow(id.clone(), lk.name.to_string(), source, sink, lk.pos);
            f.description = scalar(&mut self.b, lv, "description").unwrap_or_default();
            f.tags = strings(&mut self.b, lv, "tags")
                .into_iter()
                .map(|(s, _)| s)
                .collect();
            if let Some(p) = scalar(&mut self.b, lv, "protocol") {
                if ENCRYPTED.contains(&p.as_str()) {
                    set(&mut f.attrs, "isEncrypted", Value::Bool(true));
                }
                set(&mut f.attrs, "protocol", Value::Str(p.to_ascii_uppercase()));
            }
            if flag(&mut self.b, lv, "vpn") {
                set(&mut f.attrs, "usesVPN", Value::Bool(true));
            }
            let mut props = serde_json::Map::new();
            match scalar(&mut self.b, lv, "authentication").as_deref() {
                None | Some("none") => {}
                Some(a) => {
                    set(&mut f.attrs, "authenticatesSource", Value::Bool(true));
                    set(
                        &mut f.attrs,
                        "authenticationScheme",
                        Value::Str(a.to_string()),
                    );
                    match a {
                        "two-factor" => set(&mut f.attrs, "usesMFA", Value::Bool(true)),
                        "session-id" => set(&mut f.attrs, "usesSessionTokens", Value::Bool(true)),
                        _ => {}
                    }
                }
            }
            if let Some(a) = scalar(&mut self.b, lv, "authorization") {
                if a != "none" {
                    set(&mut f.attrs, "authorizesSource", Value::Bool(true));
                }
                props.insert("authorization".into(), serde_json::Value::String(a));
            }
            if let Some(u) = scalar(&mut self.b, lv, "usage") {
                props.insert("usage".into(), serde_json::Value::String(u));
            }
            for key in ["ip_filtered", "readonly"] {
                if flag(&mut self.b, lv, key) {
                    props.insert(key.into(), serde_json::Value::Bool(true));
                }
            }
            if !props.is_empty() {
                f.properties = serde_json::Value::Object(props);
            }
            let sent = strings(&mut self.b, lv, "data_assets_sent");
            let received = strings(&mut self.b, lv, "data_assets_received");
            f.data = sent
                .into_iter()
                .filter_map(|(d, p)| self.data_ref(&d, p))
                .collect();
            let received: Vec<DataIdx> = received
                .into_iter()
                .filter_map(|(d, p)| self.data_ref(&d, p))
                .collect();
            let back = (!received.is_empty()).then(|| {
                let mut r = f.clone();
                r.id = self.b.id_from_name("flow", &format!("{id} response"));
                r.name = format!("{} (response)", lk.name);
                r.description = String::new();
                r.source = sink;
                r.sink = source;
                r.data = received;
                r
            });
            let Some(fi) = self.b.add_flow(f) else {
                continue;
            };
            if let Some(mut r) = back {
                // What the target sends back over the same link answers it.
                r.response_to = Some(fi);
                self.b.add_flow(r);
            }
        }
    }

    fn runtimes(&mut self, root: &Node) {
        for (k, v) in named(&mut self.b, root, "shared_runtimes") {
            let running: Vec<String> = strings(&mut self.b, v, "technical_assets_running")
                .into_iter()
                .map(|(id, pos)| {
                    self.asset_ref(&id, pos);
                    id
                })
                .collect();
            self.b.note(
                Anchor::Model,
                format!("shared runtime \"{}\": {}", k.name, running.join(", ")),
            );
        }
    }

    /// Threagile's individual risk categories are risks people wrote: each is
    /// a model threat on the assets and links its risks name. Risk tracking
    /// records decisions on risks Threagile's own rules find, which tms's
    /// rules do not produce, so triage could never match them: each entry is a
    /// model threat with the decision (status, justification, ticket,
    /// `checked_by` as owner) on the technical assets its risk id names, or
    /// sets the status of the individual category it names.
    fn risks(&mut self, root: &Node) {
        let mut categories: HashMap<String, usize> = HashMap::default();
        for (k, v) in named(&mut self.b, root, "individual_risk_categories") {
            if let Some(i) = self.individual_category(k, v) {
                if let Some(id) = v.str_at("id") {
                    categories.insert(id.to_string(), i);
                }
            }
        }
        for (k, v) in named(&mut self.b, root, "risk_tracking") {
            self.tracked(k, v, &categories);
        }
    }

    fn individual_category(&mut self, k: &Key, v: &Node) -> Option<usize> {
        self.b.r.map(v, "an individual risk category")?;
        let id = self.b.threat_id(v.str_at("id"), &k.name);
        let mut t = Threat::new(id, k.name.to_string(), k.pos);
        t.description = scalar(&mut self.b, v, "description").unwrap_or_default();
        if let Some(impact) = scalar(&mut self.b, v, "impact") {
            t.description = format!("{}\n\nImpact: {impact}", t.description)
                .trim()
                .to_string();
        }
        if let Some(s) = scalar(&mut self.b, v, "stride") {
            t.stride.extend(importer::stride(&s));
        }
        if let Some(m) = scalar(&mut self.b, v, "mitigation") {
            t.mitigations.push(m);
        }
        if let Some(cwe) = scalar(&mut self.b, v, "cwe").filter(|c| c != "0") {
            t.mappings = Some(Mappings {
                cwe: vec![IdName {
                    id: format!("CWE-{}", cwe.trim_start_matches("CWE-")),
                    name: None,
                    pos: k.pos,
                }],
                pos: k.pos,
                ..Mappings::default()
            });
        }
        t.references = scalar(&mut self.b, v, "cheat_sheet").into_iter().collect();
        for (_, r) in named(&mut self.b, v, "risks_identified") {
            if let Some(sev) = r.str_at("severity").and_then(severity_of) {
                t.severity = t.severity.max(Some(sev));
            }
            let key = "most_relevant_technical_asset";
            if let Some(a) = r.str_at(key).filter(|a| !a.trim().is_empty()) {
                let pos = r.get(key).map_or(r.pos, |n| n.pos);
                if let Some(e) = self.asset_ref(a, pos) {
                    if !t.affects.contains(&Item::Element(e)) {
                        t.affects.push(Item::Element(e));
                    }
                }
            }
        }
        let i = self.b.model.threats.len();
        self.b.add_threat(t);
        Some(i)
    }

    /// One `risk_tracking` entry, keyed by a Threagile risk id
    /// (`CATEGORY@ASSET@...`, with `*` wildcards).
    fn tracked(&mut self, k: &Key, v: &Node, categories: &HashMap<String, usize>) {
        if self.b.r.map(v, "a risk tracking entry").is_none() {
            return;
        }
        let mut parts = k.name.split('@');
        let category = parts.next().unwrap_or("").trim().to_string();
        let state = scalar(&mut self.b, v, "status").unwrap_or_default();
        let status = tracking_status(&state);
        let justification = scalar(&mut self.b, v, "justification")
            .or_else(|| (status != Status::Open).then(|| format!("{state} in Threagile")));
        let ticket = scalar(&mut self.b, v, "ticket");
        let owner = scalar(&mut self.b, v, "checked_by");
        if let Some(&i) = categories.get(&category) {
            // A decision on a risk people wrote: it decides that threat.
            let t = &mut self.b.model.threats[i];
            t.status = status;
            t.justification = justification;
            t.ticket = ticket;
            t.owner = owner;
            return;
        }
        let affects: Vec<Item> = parts
            .filter(|p| *p != "*")
            .filter_map(|p| self.assets.get(p).map(|(e, _)| Item::Element(*e)))
            .collect();
        let title = format!("{} (Threagile risk)", humanise(&category));
        // The risk id without its wildcards: `ldap-injection@*@ldap-auth-server@*`
        // is `ldap-injection-ldap-auth-server`.
        let wanted: Vec<&str> = k.name.split('@').filter(|p| *p != "*").collect();
        let id = self.b.threat_id(Some(&wanted.join("-")), &title);
        let mut t = Threat::new(id, title, k.pos);
        t.description = format!(
            "Threagile's risk tracking records a decision on `{}`.",
            k.name
        );
        t.status = status;
        t.justification = justification;
        t.ticket = ticket;
        t.owner = owner;
        t.affects = affects;
        if let Some(d) = scalar(&mut self.b, v, "date") {
            t.description.push_str(&format!(" Checked on {d}."));
        }
        self.b.add_threat(t);
    }
}
