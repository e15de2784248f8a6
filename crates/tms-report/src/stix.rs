//! STIX 2.1: the model, its findings and what an imported Threat Model Spec
//! file adds (attack chains, threats, mitigations, threat actors), as one
//! bundle for threat-intelligence platforms.
//!
//! | model | STIX |
//! |---|---|
//! | element | `infrastructure` (a hostile one: `threat-actor`) |
//! | boundary | `infrastructure` that `consists-of` what it holds |
//! | flow | `communicates-with` between the two ends |
//! | rule with findings, threat, attack step | `attack-pattern` (CAPEC, ATT&CK, ATLAS, OWASP references; ATT&CK `kill_chain_phases`) |
//! | CWE | `vulnerability`; a finding is its target `has` the rule's CWEs |
//! | rule mitigation, Threat Model Spec mitigation | `course-of-action` that `mitigates` |
//!
//! Relationships use only the types the STIX 2.1 specification suggests for
//! each pair of object types (`related-to` where it suggests none), so the
//! official validator has nothing to warn about.
//!
//! Everything is deterministic: ids are UUIDv5 of the model's identity and the
//! object's (the specification's choice for producers that do not use random
//! v4 ids), and every timestamp is the model's `date` (or the Unix epoch when
//! it has none), so the same model gives the same bundle byte for byte.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::sync::LazyLock;

use serde_json::{json, Map, Value as J};
use uuid::Uuid;

use tms_formats::threat_model_spec::{DiagramKind, ImportedSpec, SpecThreatActor};
use tms_model::catalogue::{Framework, CATALOGUES};
use tms_model::*;
use tms_rules::condition::TargetRef;
use tms_rules::engine::Analysis;
use tms_rules::library::Library;
use tms_rules::Rule;
use tms_syntax::dates::{parse_timestamp, Timestamp};

/// The namespace every id here is made in.
static NAMESPACE: LazyLock<Uuid> =
    LazyLock::new(|| Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://tms.dev/stix/2.1"));

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    analysis: &Analysis,
) -> std::io::Result<()> {
    tms_syntax::output::write_json_pretty(out, &bundle(model, lib, analysis))
}

/// The bundle as JSON.
pub fn bundle(model: &Model, lib: &Library, analysis: &Analysis) -> J {
    let spec = tms_formats::threat_model_spec::extras(model);
    // What identifies the model across runs: the Threat Model Spec id, else the title.
    let model_key = match spec {
        Some(s) if !s.id.is_empty() => format!("threat-model-spec:{}", s.id),
        _ => format!("title:{}", model.title),
    };
    let time = model
        .date
        .as_deref()
        .and_then(parse_timestamp)
        .filter(|t| *t >= Timestamp::EPOCH)
        .unwrap_or(Timestamp::EPOCH)
        .to_rfc3339_millis();
    let mut b = Bundle {
        model_key,
        time,
        producer: String::new(),
        objects: Vec::new(),
        seen: HashSet::new(),
    };
    b.identity();
    let targets = b.model_objects(model);
    b.findings(model, lib, analysis, &targets);
    if let Some(m) = &model.mappings {
        b.mappings(m);
    }
    if let Some(s) = spec {
        b.spec(s, &targets);
    }
    let id = b.id("bundle", "bundle");
    json!({"type": "bundle", "id": id, "objects": b.objects})
}

struct Bundle {
    model_key: String,
    time: String,
    producer: String,
    objects: Vec<J>,
    seen: HashSet<String>,
}

/// The STIX object each element became, by model index and by id.
struct Targets {
    elements: Vec<String>,
    by_id: std::collections::HashMap<String, String>,
}

impl Bundle {
    fn id(&self, ty: &str, key: &str) -> String {
        let name = format!("{}\n{ty}\n{key}", self.model_key);
        format!("{ty}--{}", Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }

    /// The common properties of a domain object.
    fn sdo(&self, ty: &str, key: &str, name: &str) -> Map<String, J> {
        let mut m = Map::new();
        m.insert("type".into(), J::from(ty));
        m.insert("spec_version".into(), J::from("2.1"));
        m.insert("id".into(), J::from(self.id(ty, key)));
        m.insert("created_by_ref".into(), J::from(self.producer.clone()));
        m.insert("created".into(), J::from(self.time.clone()));
        m.insert("modified".into(), J::from(self.time.clone()));
        let name = if name.trim().is_empty() { key } else { name };
        m.insert("name".into(), J::from(name));
        m
    }

    /// Adds an object unless one with its id is already in; gives its id.
    fn add(&mut self, obj: Map<String, J>) -> String {
        let id = obj
            .get("id")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string();
        if self.seen.insert(id.clone()) {
            self.objects.push(J::Object(obj));
        }
        id
    }

    fn relate(&mut self, kind: &str, source: &str, target: &str, description: &str) {
        let key = format!("{kind}|{source}|{target}");
        let mut m = Map::new();
        m.insert("type".into(), J::from("relationship"));
        m.insert("spec_version".into(), J::from("2.1"));
        m.insert("id".into(), J::from(self.id("relationship", &key)));
        m.insert("created_by_ref".into(), J::from(self.producer.clone()));
        m.insert("created".into(), J::from(self.time.clone()));
        m.insert("modified".into(), J::from(self.time.clone()));
        m.insert("relationship_type".into(), J::from(kind));
        if !description.is_empty() {
            m.insert("description".into(), J::from(description));
        }
        m.insert("source_ref".into(), J::from(source));
        m.insert("target_ref".into(), J::from(target));
        self.add(m);
    }

    /// The producer. It is the same object in every bundle, so its dates never change.
    fn identity(&mut self) {
        let id = format!(
            "identity--{}",
            Uuid::new_v5(&NAMESPACE, b"identity\ntms producer")
        );
        let epoch = Timestamp::EPOCH.to_rfc3339_millis();
        self.producer = id.clone();
        let obj = json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": id,
            "created": epoch,
            "modified": epoch,
            "name": "tms",
            "description": "tms (threat models as code), which produced this bundle from a threat model",
            "identity_class": "system"
        });
        if let J::Object(m) = obj {
            self.add(m);
        }
    }

    fn model_objects(&mut self, model: &Model) -> Targets {
        let mut boundaries = Vec::new();
        for b in &model.boundaries {
            let mut o = self.sdo("infrastructure", &format!("boundary:{}", b.id), &b.name);
            if !b.description.is_empty() {
                o.insert("description".into(), J::from(b.description.clone()));
            }
            let mut labels = vec![J::from("trust-boundary")];
            labels.extend(b.tags.iter().map(|t| J::from(t.as_str())));
            o.insert("labels".into(), J::Array(labels));
            boundaries.push(self.add(o));
        }
        let mut elements = Vec::new();
        for e in &model.elements {
            let hostile = e.is_hostile();
            let ty = if hostile {
                "threat-actor"
            } else {
                "infrastructure"
            };
            let mut o = self.sdo(ty, &format!("element:{}", e.id), &e.name);
            if !e.description.is_empty() {
                o.insert("description".into(), J::from(e.description.clone()));
            }
            if hostile {
                o.insert("threat_actor_types".into(), json!(["unknown"]));
            }
            let mut labels = vec![J::from(e.kind.as_str())];
            labels.extend(e.tags.iter().map(|t| J::from(t.as_str())));
            o.insert("labels".into(), J::Array(labels));
            o.insert(
                "external_references".into(),
                json!([{"source_name": "tms", "external_id": e.id, "description": "element id in the threat model"}]),
            );
            elements.push(self.add(o));
        }
        for (i, b) in model.boundaries.iter().enumerate() {
            if let Some(p) = b.parent {
                let (src, dst) = (boundaries[p].clone(), boundaries[i].clone());
                self.relate("consists-of", &src, &dst, "");
            }
        }
        for (i, e) in model.elements.iter().enumerate() {
            if let (Some(b), false) = (e.boundary, e.is_hostile()) {
                let (src, dst) = (boundaries[b].clone(), elements[i].clone());
                self.relate("consists-of", &src, &dst, "");
            }
        }
        for f in &model.flows {
            let (src, dst) = (&model.elements[f.source], &model.elements[f.sink]);
            let mut text = format!("flow `{}`: {}", f.id, f.name);
            if let ValueRef::Str(p) = f.attrs.get(attr_id::PROTOCOL) {
                if !p.is_empty() {
                    text.push_str(&format!(" ({p})"));
                }
            }
            let kind = if src.is_hostile() || dst.is_hostile() {
                "related-to"
            } else {
                "communicates-with"
            };
            let (s, d) = (elements[f.source].clone(), elements[f.sink].clone());
            self.relate(kind, &s, &d, &text);
        }
        let by_id = model
            .elements
            .iter()
            .zip(&elements)
            .map(|(e, x)| (e.id.clone(), x.clone()))
            .collect();
        Targets { elements, by_id }
    }

    /// An attack pattern for an ATT&CK or ATLAS technique named by a mapping.
    fn technique(&mut self, id: &str) -> String {
        let atlas = id.starts_with("AML.");
        let fw = if atlas {
            Framework::Atlas
        } else {
            Framework::Attack
        };
        let name = CATALOGUES.name(fw, id).unwrap_or(id).to_string();
        let mut o = self.sdo("attack-pattern", &format!("technique:{id}"), &name);
        let refs = vec![technique_ref(id)];
        o.insert("external_references".into(), J::Array(refs));
        let phases = kill_chain(None, &[id.to_string()]);
        if !phases.is_empty() {
            o.insert("kill_chain_phases".into(), J::Array(phases));
        }
        self.add(o)
    }

    fn cwe(&mut self, id: &str, name: Option<&str>) -> String {
        let name = name
            .or_else(|| CATALOGUES.name(Framework::Cwe, id))
            .map_or_else(|| id.to_string(), |n| format!("{id}: {n}"));
        let mut o = self.sdo("vulnerability", &format!("cwe:{id}"), &name);
        let mut r = Map::new();
        r.insert("source_name".into(), J::from("cwe"));
        r.insert("external_id".into(), J::from(id));
        if let Some(n) = id.strip_prefix("CWE-") {
            r.insert(
                "url".into(),
                J::from(format!("https://cwe.mitre.org/data/definitions/{n}.html")),
            );
        }
        o.insert("external_references".into(), json!([r]));
        self.add(o)
    }

    fn rule_pattern(&mut self, rule: &Rule) -> String {
        let mut o = self.sdo("attack-pattern", &format!("rule:{}", rule.id), &rule.title);
        if !rule.description.is_empty() {
            o.insert("description".into(), J::from(rule.description.clone()));
        }
        let mut refs = vec![json!({"source_name": "tms", "external_id": rule.id})];
        for c in &rule.mappings.capec {
            let mut r = Map::new();
            r.insert("source_name".into(), J::from("capec"));
            r.insert("external_id".into(), J::from(c.as_str()));
            if let Some(n) = c.strip_prefix("CAPEC-") {
                r.insert(
                    "url".into(),
                    J::from(format!("https://capec.mitre.org/data/definitions/{n}.html")),
                );
            }
            refs.push(J::Object(r));
        }
        for t in rule.mappings.attack.iter().chain(&rule.mappings.atlas) {
            refs.push(technique_ref(t));
        }
        for w in &rule.mappings.owasp {
            refs.push(json!({"source_name": "owasp", "external_id": w}));
        }
        o.insert("external_references".into(), J::Array(refs));
        let phases = kill_chain(None, &rule.mappings.attack);
        if !phases.is_empty() {
            o.insert("kill_chain_phases".into(), J::Array(phases));
        }
        let mut labels: Vec<J> = rule
            .stride
            .iter()
            .map(|s| J::from(format!("stride:{}", s.as_str())))
            .collect();
        labels.push(J::from(format!("severity:{}", rule.severity.as_str())));
        o.insert("labels".into(), J::Array(labels));
        self.add(o)
    }

    fn findings(&mut self, model: &Model, lib: &Library, a: &Analysis, t: &Targets) {
        // (STIX object of the target, vulnerability) -> the findings that say so.
        let mut has: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
        let mut related: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
        let mut order: Vec<(usize, String)> = Vec::new();
        for f in &a.findings {
            if matches!(f.status, Status::FalsePositive | Status::NotApplicable) {
                continue;
            }
            let rule = &lib.rules[f.rule];
            let pattern = self.rule_pattern(rule);
            if !rule.mitigation.trim().is_empty() {
                let mut o = self.sdo(
                    "course-of-action",
                    &format!("rule-mitigation:{}", rule.id),
                    &format!("Mitigate: {}", rule.title),
                );
                o.insert("description".into(), J::from(rule.mitigation.clone()));
                let coa = self.add(o);
                self.relate("mitigates", &coa, &pattern, "");
            }
            let vulns: Vec<String> = rule
                .mappings
                .cwe
                .iter()
                .map(|c| {
                    let v = self.cwe(c, None);
                    self.relate("targets", &pattern, &v, "");
                    v
                })
                .collect();
            let (ends, on) = match f.target {
                TargetRef::Element(e) => (vec![e], String::new()),
                TargetRef::Flow(x) => {
                    let fl = &model.flows[x];
                    (vec![fl.source, fl.sink], format!(" on flow `{}`", fl.id))
                }
                TargetRef::Model => (Vec::new(), " on the whole system".to_string()),
            };
            let text = format!("finding {} ({}){on}", f.id, f.status.as_str());
            for e in ends {
                let hostile = model.elements[e].is_hostile();
                if vulns.is_empty() || hostile {
                    let key = (e, pattern.clone());
                    if !related.contains_key(&key) && !has.contains_key(&key) {
                        order.push(key.clone());
                    }
                    related.entry(key).or_default().push(text.clone());
                } else {
                    for v in &vulns {
                        let key = (e, v.clone());
                        if !related.contains_key(&key) && !has.contains_key(&key) {
                            order.push(key.clone());
                        }
                        has.entry(key).or_default().push(text.clone());
                    }
                }
            }
        }
        for key in order {
            let target = t.elements[key.0].clone();
            if let Some(texts) = has.get(&key) {
                self.relate("has", &target, &key.1, &texts.join("; "));
            } else if let Some(texts) = related.get(&key) {
                self.relate("related-to", &key.1, &target, &texts.join("; "));
            }
        }
    }

    fn mappings(&mut self, m: &Mappings) {
        for t in m.mitre_attack.iter().chain(&m.mitre_atlas) {
            if let Some(id) = t.sub_technique_id.as_deref().or(t.technique_id.as_deref()) {
                self.technique(id);
            }
        }
        for c in &m.cwe {
            self.cwe(&c.id, c.name.as_deref());
        }
    }

    fn spec(&mut self, s: &ImportedSpec, t: &Targets) {
        let mut actor_ids = Vec::new();
        for a in &s.threat_actors {
            actor_ids.push(self.threat_actor(a));
        }
        for (a, ta) in s.threat_actors.iter().zip(actor_ids) {
            for ttp in &a.ttps {
                let p = self.technique(ttp);
                self.relate("uses", &ta, &p, "");
            }
        }
        // Attack steps by the id mitigations use for them (`attack-N`).
        let mut steps: BTreeMap<String, String> = BTreeMap::new();
        let mut threats: BTreeMap<String, String> = BTreeMap::new();
        for (di, d) in s.diagrams.iter().enumerate() {
            for a in &d.attacks {
                let mut o = self.sdo(
                    "attack-pattern",
                    &format!("diagram:{di}:attack:{}", a.step),
                    &a.label,
                );
                let mut text = a.description.clone();
                for (k, v) in [("Action", &a.action), ("Outcome", &a.outcome)] {
                    if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                        if !text.is_empty() {
                            text.push('\n');
                        }
                        text.push_str(&format!("{k}: {v}"));
                    }
                }
                if !text.is_empty() {
                    o.insert("description".into(), J::from(text));
                }
                let mut refs = Vec::new();
                refs.extend(a.technique.iter().map(|x| technique_ref(x)));
                refs.extend(a.atlas_technique.iter().map(|x| technique_ref(x)));
                refs.extend(
                    a.owasp
                        .iter()
                        .map(|w| json!({"source_name": "owasp", "external_id": w})),
                );
                if !refs.is_empty() {
                    o.insert("external_references".into(), J::Array(refs));
                }
                let phases = kill_chain(
                    a.tactic.as_deref(),
                    &a.technique.iter().cloned().collect::<Vec<_>>(),
                );
                if !phases.is_empty() {
                    o.insert("kill_chain_phases".into(), J::Array(phases));
                }
                let mut labels = vec![J::from(format!("attack-chain-step:{}", a.step))];
                labels.extend(a.stride.iter().map(|x| J::from(format!("stride:{x}"))));
                o.insert("labels".into(), J::Array(labels));
                let p = self.add(o);
                steps
                    .entry(format!("attack-{}", a.step))
                    .or_insert_with(|| p.clone());
                let desc = format!("attack step {}: {} to {}", a.step, a.from, a.to);
                if let Some(src) = self.element_object(&a.from, t) {
                    if src.starts_with("threat-actor--") {
                        self.relate("uses", &src, &p, &desc);
                    } else {
                        self.relate("related-to", &p, &src, &desc);
                    }
                }
                if let Some(dst) = self.element_object(&a.to, t) {
                    self.relate("related-to", &p, &dst, &desc);
                }
            }
            if d.kind == DiagramKind::Sequence {
                for m in d
                    .messages
                    .iter()
                    .filter(|m| matches!(m.kind.as_deref(), Some("attack" | "exfil")))
                {
                    let mut o = self.sdo(
                        "attack-pattern",
                        &format!("diagram:{di}:message:{}", m.seq),
                        &m.label,
                    );
                    if let Some(x) = &m.technique {
                        o.insert("external_references".into(), json!([technique_ref(x)]));
                        let phases = kill_chain(None, std::slice::from_ref(x));
                        if !phases.is_empty() {
                            o.insert("kill_chain_phases".into(), J::Array(phases));
                        }
                    }
                    let p = self.add(o);
                    if let Some(dst) = self.element_object(&m.to, t) {
                        let desc = format!("message {}: {} to {}", m.seq, m.from, m.to);
                        self.relate("related-to", &p, &dst, &desc);
                    }
                }
            }
            if let Some(tree) = &d.attack_tree {
                for n in tree.nodes.iter().filter(|n| n.node_type == "LEAF") {
                    let mut o = self.sdo(
                        "attack-pattern",
                        &format!("diagram:{di}:tree:{}", n.id),
                        &n.label,
                    );
                    if !n.description.is_empty() {
                        o.insert("description".into(), J::from(n.description.clone()));
                    }
                    if let Some(x) = &n.technique {
                        o.insert("external_references".into(), json!([technique_ref(x)]));
                        let phases = kill_chain(None, std::slice::from_ref(x));
                        if !phases.is_empty() {
                            o.insert("kill_chain_phases".into(), J::Array(phases));
                        }
                    }
                    let p = self.add(o);
                    if let Some(c) = n.countermeasure.as_deref().filter(|c| !c.is_empty()) {
                        let coa = self.sdo(
                            "course-of-action",
                            &format!("diagram:{di}:tree:{}:countermeasure", n.id),
                            c,
                        );
                        let coa = self.add(coa);
                        self.relate("mitigates", &coa, &p, "");
                    }
                }
            }
            for th in &d.threats {
                let mut o = self.sdo("attack-pattern", &format!("threat:{}", th.id), &th.title);
                if !th.description.is_empty() {
                    o.insert("description".into(), J::from(th.description.clone()));
                }
                let mut labels = vec![J::from(format!("threat-status:{}", th.status))];
                labels.extend(th.stride.iter().map(|x| J::from(format!("stride:{x}"))));
                if let Some(sev) = &th.severity {
                    labels.push(J::from(format!("severity:{sev}")));
                }
                o.insert("labels".into(), J::Array(labels));
                o.insert(
                    "external_references".into(),
                    json!([{"source_name": "threat-model-spec", "external_id": th.id}]),
                );
                let p = self.add(o);
                threats.insert(th.id.clone(), p.clone());
                for e in &th.affected_elements {
                    if let Some(x) = self.element_object(e, t) {
                        self.relate("related-to", &p, &x, "affected element");
                    }
                }
            }
        }
        for m in s.all_mitigations() {
            let mut o = self.sdo(
                "course-of-action",
                &format!("mitigation:{}", m.id),
                &m.title,
            );
            if !m.description.is_empty() {
                o.insert("description".into(), J::from(m.description.clone()));
            }
            if !m.status.is_empty() {
                o.insert(
                    "labels".into(),
                    json!([format!("mitigation-status:{}", m.status)]),
                );
            }
            let coa = self.add(o);
            for tid in &m.threat_ids {
                if let Some(p) = steps.get(tid).or_else(|| threats.get(tid)).cloned() {
                    self.relate("mitigates", &coa, &p, "");
                }
            }
        }
        for th in s.threats() {
            for mid in &th.mitigation_ids {
                if let (Some(p), true) = (
                    threats.get(&th.id).cloned(),
                    s.all_mitigations().any(|m| &m.id == mid),
                ) {
                    let coa = self.id("course-of-action", &format!("mitigation:{mid}"));
                    self.relate("mitigates", &coa, &p, "");
                }
            }
        }
    }

    /// The STIX object an element id (ours) became, if any.
    fn element_object(&self, id: &str, t: &Targets) -> Option<String> {
        t.by_id.get(id).cloned()
    }

    fn threat_actor(&mut self, a: &SpecThreatActor) -> String {
        let mut o = self.sdo("threat-actor", &format!("actor:{}", a.id), &a.name);
        if !a.description.is_empty() {
            o.insert("description".into(), J::from(a.description.clone()));
        }
        let kind = match a.kind.as_str() {
            "nation-state" => "nation-state",
            "criminal" => "criminal",
            "hacktivist" => "activist",
            "insider" => "insider-disgruntled",
            "competitor" => "competitor",
            "terrorist" => "terrorist",
            "script-kiddie" => "hacker",
            _ => "unknown",
        };
        o.insert("threat_actor_types".into(), json!([kind]));
        if !a.aliases.is_empty() {
            o.insert("aliases".into(), json!(a.aliases));
        }
        if !a.primary_goals.is_empty() {
            o.insert("goals".into(), json!(a.primary_goals));
        }
        let sophistication = match a.sophistication.as_deref() {
            Some("none") => Some("none"),
            Some("low") => Some("minimal"),
            Some("medium") => Some("intermediate"),
            Some("high") => Some("advanced"),
            Some("advanced") => Some("expert"),
            _ => None,
        };
        if let Some(s) = sophistication {
            o.insert("sophistication".into(), J::from(s));
        }
        let resources = match a.resources.as_deref() {
            Some("minimal") => Some("individual"),
            Some("limited") => Some("club"),
            Some("moderate") => Some("team"),
            Some("extensive") => Some("organization"),
            Some("unlimited") => Some("government"),
            _ => None,
        };
        if let Some(r) = resources {
            o.insert("resource_level".into(), J::from(r));
        }
        let motivations: Vec<&str> = a
            .motivations
            .iter()
            .filter_map(|m| {
                Some(match m.as_str() {
                    "financial" => "personal-gain",
                    "espionage" | "competitive" => "organizational-gain",
                    "disruption" | "destruction" => "dominance",
                    "ideological" => "ideology",
                    "revenge" => "revenge",
                    "notoriety" => "notoriety",
                    "curiosity" => "personal-satisfaction",
                    _ => return None,
                })
            })
            .collect();
        if let Some((first, rest)) = motivations.split_first() {
            o.insert("primary_motivation".into(), J::from(*first));
            let mut rest: Vec<&str> = rest.iter().copied().filter(|m| m != first).collect();
            rest.dedup();
            if !rest.is_empty() {
                o.insert("secondary_motivations".into(), json!(rest));
            }
        }
        o.insert(
            "external_references".into(),
            json!([{"source_name": "threat-model-spec", "external_id": a.id}]),
        );
        self.add(o)
    }
}

/// An external reference to an ATT&CK or ATLAS technique, with its page.
fn technique_ref(id: &str) -> J {
    if id.starts_with("AML.") {
        return json!({"source_name": "mitre-atlas", "external_id": id,
            "url": format!("https://atlas.mitre.org/techniques/{id}")});
    }
    let path = id.replace('.', "/");
    json!({"source_name": "mitre-attack", "external_id": id,
        "url": format!("https://attack.mitre.org/techniques/{path}/")})
}

/// ATT&CK kill-chain phases: the stated tactic, else the tactics the
/// catalogue gives the techniques; sorted and without repeats.
fn kill_chain(tactic: Option<&str>, techniques: &[String]) -> Vec<J> {
    let mut phases: Vec<String> = Vec::new();
    if let Some(t) = tactic {
        if let Some((_, _, Some(short))) =
            CATALOGUES.attack_tactic_list().find(|(id, _, _)| *id == t)
        {
            phases.push(short.to_string());
        }
    }
    if phases.is_empty() {
        for t in techniques.iter().filter(|t| !t.starts_with("AML.")) {
            phases.extend(CATALOGUES.attack_tactics(t).iter().cloned());
        }
    }
    phases.sort();
    phases.dedup();
    phases
        .into_iter()
        .map(|p| json!({"kill_chain_name": "mitre-attack", "phase_name": p}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technique_references_point_at_their_pages() {
        assert_eq!(
            technique_ref("T1552.001")["url"],
            "https://attack.mitre.org/techniques/T1552/001/"
        );
        assert_eq!(technique_ref("AML.T0051")["source_name"], "mitre-atlas");
    }

    #[test]
    fn kill_chain_prefers_the_stated_tactic() {
        let phases = |t: Option<&str>, x: &[&str]| -> Vec<String> {
            let x: Vec<String> = x.iter().map(|s| s.to_string()).collect();
            kill_chain(t, &x)
                .iter()
                .map(|p| p["phase_name"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(phases(Some("TA0001"), &["T1078"]), ["initial-access"]);
        // T1078 (Valid Accounts) serves four tactics; the catalogue gives them all.
        assert_eq!(
            phases(None, &["T1078"]),
            [
                "defense-evasion",
                "initial-access",
                "persistence",
                "privilege-escalation"
            ]
        );
        assert!(phases(None, &["AML.T0051"]).is_empty());
    }

    #[test]
    fn hostile_elements_are_marked_by_tag_or_property() {
        let mut e = Element {
            id: "m".into(),
            kind: ElementKind::Actor,
            name: "M".into(),
            description: String::new(),
            boundary: None,
            data: vec![],
            attrs: Attrs::default(),
            tags: vec![],
            role: None,
            properties: J::Null,
            pos: Default::default(),
        };
        assert!(!e.is_hostile());
        e.tags = vec!["Attacker".into()];
        assert!(e.is_hostile());
        e.tags.clear();
        e.properties = json!({"malicious": true});
        assert!(e.is_hostile());
    }
}
