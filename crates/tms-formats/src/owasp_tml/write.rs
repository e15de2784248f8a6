//! The model and its findings as an OWASP Threat Model Library document
//! (schema 1.0).
//!
//! | model | Threat Model Library |
//! |---|---|
//! | title, description, version, date | `scope`, `description`, `version`, `reviewed_at` |
//! | boundary (and one zone for elements in none) | trust zone |
//! | nested boundaries, zones a flow crosses | trust boundary |
//! | actor, external entity | actor (`administrator` when `isAdmin`, `third_party` for an external entity) |
//! | datastore | data store |
//! | other elements | component |
//! | data asset | data set, placed on the datastores holding it |
//! | flow | data flow (`encrypted`, `has_sensitive_data` from its data) |
//! | assumption | assumption (confirmed) |
//! | rule or model threat with findings | threat affecting the elements of its findings (a flow's two ends) |
//! | its mitigation | control: `active` when every finding is mitigated, `wont_do` when all are otherwise closed, else `suggested` |
//! | its open findings | risk: the worst one's likelihood, impact, score and band |
//!
//! The library requires what tms does not record: the scope's criticality,
//! exposure and tier, and a threat persona for every threat. tms writes a
//! scope from the model (criticality from its most sensitive data, exposure
//! external when an actor or external entity sends a flow, tier `important`)
//! and one persona, "Attacker", for all threats. Symbolic names are our ids
//! in lower case with other characters as `-`, unique per document. The output
//! is deterministic: model order, then rule order.

use std::io::Write;

use serde_json::{json, Map, Value as J};
use tms_syntax::fxhash::{FxHashMap as HashMap, FxHashSet as HashSet};

use tms_model::*;
use tms_rules::condition::TargetRef;
use tms_rules::engine::{Analysis, Finding};
use tms_rules::library::Library;

/// The schema version the output follows.
pub const SCHEMA: &str =
    "https://github.com/OWASP/www-project-threat-model-library/blob/v1.0.2/threat-model.schema.json";

/// The one threat persona every threat names.
const PERSONA: &str = "attacker";

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    analysis: &Analysis,
) -> std::io::Result<()> {
    tms_syntax::output::write_json_pretty(out, &document(model, lib, analysis))
}

/// Symbolic names (`^[0-9a-z-]+$`) for our ids, unique in the document.
#[derive(Default)]
struct Names {
    taken: HashSet<String>,
    of: HashMap<String, String>,
}

impl Names {
    /// The symbolic name for `id` in the namespace `kind`.
    fn name(&mut self, kind: &str, id: &str) -> String {
        let key = format!("{kind}\u{0}{id}");
        if let Some(n) = self.of.get(&key) {
            return n.clone();
        }
        let mut base = String::with_capacity(id.len());
        for c in id.chars() {
            match c.to_ascii_lowercase() {
                c @ ('0'..='9' | 'a'..='z') => base.push(c),
                _ if !base.ends_with('-') => base.push('-'),
                _ => {}
            }
        }
        let base = base.trim_matches('-').to_string();
        let base = if base.is_empty() {
            kind.to_string()
        } else {
            base
        };
        let name = crate::importer::first_free(&base, &self.taken);
        self.taken.insert(name.clone());
        self.of.insert(key, name.clone());
        name
    }
}

/// The Threat Model Library document for an analysed model.
pub fn document(model: &Model, lib: &Library, analysis: &Analysis) -> J {
    let mut names = Names::default();
    let mut doc = Map::new();
    doc.insert("$schema".into(), json!(SCHEMA));
    let version = model
        .version
        .as_deref()
        .filter(|v| {
            !v.is_empty()
                && v.split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .unwrap_or("1.0");
    doc.insert("version".into(), json!(version));
    doc.insert("scope".into(), scope(model));
    if !model.description.is_empty() {
        doc.insert("description".into(), json!(model.description));
    }
    if let Some(d) = model.date.as_deref().and_then(|d| d.get(..10)) {
        if tms_syntax::dates::parse_date(d).is_some() {
            doc.insert("reviewed_at".into(), json!(d));
        }
    }

    let zone_of = zones(model, &mut names);
    let mut trust_zones: Vec<J> = model
        .boundaries
        .iter()
        .map(|b| {
            json!({
                "symbolic_name": names.name("zone", &b.id),
                "title": b.name,
                "description": b.description,
            })
        })
        .collect();
    if model.elements.iter().any(|e| e.boundary.is_none()) {
        trust_zones.push(json!({
            "symbolic_name": names.name("outside", OUTSIDE),
            "title": "Outside any boundary",
            "description": "Elements the tms model places in no trust boundary",
        }));
    }
    doc.insert("trust_zones".into(), J::Array(trust_zones));
    doc.insert(
        "trust_boundaries".into(),
        J::Array(trust_boundaries(model, &mut names, &zone_of)),
    );

    let mut actors = Vec::new();
    let mut components = Vec::new();
    let mut stores = Vec::new();
    for (i, e) in model.elements.iter().enumerate() {
        let name = names.name("element", &e.id);
        let zone = zone_of[i].clone();
        let description = if e.description.is_empty() {
            format!("A {} of the model", e.kind.as_str())
        } else {
            e.description.clone()
        };
        match e.kind {
            ElementKind::Actor | ElementKind::ExternalEntity => actors.push(json!({
                "symbolic_name": name,
                "title": e.name,
                "description": description,
                "type": actor_type(e),
                "trust_zone": zone,
            })),
            ElementKind::Datastore => stores.push(json!({
                "symbolic_name": name,
                "title": e.name,
                "description": description,
                "type": store_type(e),
                "trust_zone": zone,
            })),
            _ => components.push(json!({
                "symbolic_name": name,
                "title": e.name,
                "description": description,
                "trust_zone": zone,
            })),
        }
    }
    doc.insert("actors".into(), J::Array(actors));
    doc.insert("components".into(), J::Array(components));
    doc.insert("data_stores".into(), J::Array(stores));
    doc.insert("data_sets".into(), J::Array(data_sets(model, &mut names)));
    doc.insert(
        "data_flows".into(),
        J::Array(
            model
                .flows
                .iter()
                .map(|f| data_flow(model, &mut names, f))
                .collect(),
        ),
    );
    doc.insert(
        "assumptions".into(),
        J::Array(
            model
                .assumptions
                .iter()
                .map(|a| {
                    let text = if a.description.is_empty() {
                        a.name.clone()
                    } else {
                        format!("{}: {}", a.name, a.description)
                    };
                    json!({"description": text, "validity": "confirmed"})
                })
                .collect(),
        ),
    );
    let (threats, controls, risks) = threats(model, lib, analysis, &mut names);
    if !threats.is_empty() {
        doc.insert(
            "threat_personas".into(),
            json!([{
                "symbolic_name": PERSONA,
                "title": "Attacker",
                "description": "Any adversary the rules and the model's threats consider; tms does not model threat personas",
                "is_person": true,
                "skill_level": "engineer",
                "access_level": "anonymous",
                "malicious_intent": true,
                "applicability_to_org": "moderate",
            }]),
        );
    }
    doc.insert("threats".into(), J::Array(threats));
    doc.insert("controls".into(), J::Array(controls));
    doc.insert("risks".into(), J::Array(risks));
    J::Object(doc)
}

/// The zone for elements in no boundary, in a namespace of its own so a
/// boundary with the id `outside` keeps its name and this one is made unique.
const OUTSIDE: &str = "outside";

/// Each element's trust zone name; boundary names are claimed first, so the
/// zone for elements in none gets a name of its own.
fn zones(model: &Model, names: &mut Names) -> Vec<String> {
    for b in &model.boundaries {
        names.name("zone", &b.id);
    }
    let outside = model
        .elements
        .iter()
        .any(|e| e.boundary.is_none())
        .then(|| names.name("outside", OUTSIDE));
    model
        .elements
        .iter()
        .map(|e| match e.boundary {
            Some(b) => names.name("zone", &model.boundaries[b].id),
            None => outside.clone().unwrap_or_default(),
        })
        .collect()
}

/// A boundary inside another, and two zones a flow crosses, each once.
fn trust_boundaries(model: &Model, names: &mut Names, zone_of: &[String]) -> Vec<J> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut add = |a: String, b: String| {
        if a != b
            && !pairs.contains(&(a.clone(), b.clone()))
            && !pairs.contains(&(b.clone(), a.clone()))
        {
            pairs.push((a, b));
        }
    };
    for b in &model.boundaries {
        if let Some(p) = b.parent {
            add(
                names.name("zone", &model.boundaries[p].id),
                names.name("zone", &b.id),
            );
        }
    }
    for f in &model.flows {
        add(zone_of[f.source].clone(), zone_of[f.sink].clone());
    }
    pairs
        .into_iter()
        .map(|(a, b)| json!({"trust_zone_a": a, "trust_zone_b": b}))
        .collect()
}

fn bool_attr(attrs: &Attrs, name: &str) -> bool {
    attrs::lookup(name).is_some_and(|id| attrs.get(id) == ValueRef::Bool(true))
}

fn actor_type(e: &Element) -> &'static str {
    match e.kind {
        ElementKind::ExternalEntity => "third_party",
        _ if bool_attr(&e.attrs, "isAdmin") => "administrator",
        _ => "user",
    }
}

/// The library's store types; an LDAP directory is a key-value store to it,
/// and a store of unknown type is SQL when it says so (pytm's default).
fn store_type(e: &Element) -> &'static str {
    let ty = attrs::lookup("datastoreType").map(|id| e.attrs.get(id));
    match ty {
        Some(ValueRef::DatastoreType(DatastoreType::Sql)) => "sql",
        Some(ValueRef::DatastoreType(DatastoreType::Ldap)) => "key_value",
        Some(ValueRef::DatastoreType(DatastoreType::AwsS3 | DatastoreType::FileSystem)) => "object",
        _ if bool_attr(&e.attrs, "isSQL") => "sql",
        _ => "object",
    }
}

fn sensitivity(d: &DataAsset) -> Vec<&'static str> {
    let mut out = Vec::new();
    if d.is_pii {
        out.push("pii");
    }
    if d.is_credentials {
        out.push("cred");
    }
    if out.is_empty() && d.classification >= Classification::Restricted {
        out.push("biz");
    }
    out
}

fn is_sensitive(d: &DataAsset) -> bool {
    d.is_pii || d.is_credentials || d.classification >= Classification::Sensitive
}

fn data_sets(model: &Model, names: &mut Names) -> Vec<J> {
    model
        .data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let placements: Vec<J> = model
                .elements
                .iter()
                .filter(|e| e.kind == ElementKind::Datastore && e.data.contains(&i))
                .map(|e| {
                    json!({
                        "data_store": names.name("element", &e.id),
                        "encrypted": bool_attr(&e.attrs, "isEncryptedAtRest"),
                    })
                })
                .collect();
            json!({
                "symbolic_name": names.name("data", &d.id),
                "title": d.name,
                "description": d.description,
                "placements": placements,
                "data_sensitivity": sensitivity(d),
            })
        })
        .collect()
}

/// An element as a typed reference of a data flow end.
fn end(model: &Model, names: &mut Names, e: ElementIdx) -> J {
    let el = &model.elements[e];
    let ty = match el.kind {
        ElementKind::Actor | ElementKind::ExternalEntity => "actor",
        ElementKind::Datastore => "data_store",
        _ => "component",
    };
    json!({"type": ty, "object": names.name("element", &el.id)})
}

fn data_flow(model: &Model, names: &mut Names, f: &Flow) -> J {
    json!({
        "symbolic_name": names.name("flow", &f.id),
        "title": f.name,
        "description": f.description,
        "source": end(model, names, f.source),
        "destination": end(model, names, f.sink),
        "has_sensitive_data": f.data.iter().any(|d| is_sensitive(&model.data[*d])),
        "encrypted": bool_attr(&f.attrs, "isEncrypted"),
    })
}

/// Our severity as the library's impact.
fn impact(s: Severity) -> &'static str {
    match s {
        Severity::Info => "negligible",
        Severity::Low => "minor",
        Severity::Medium => "moderate",
        Severity::High => "major",
        Severity::Critical => "severe",
    }
}

fn likelihood(l: &str) -> &'static str {
    match l {
        "very-low" => "rare",
        "low" => "unlikely",
        "high" => "likely",
        "very-high" => "certain",
        _ => "possible",
    }
}

fn priority(s: Severity) -> &'static str {
    match s {
        Severity::Info => "none",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// `CAPEC-148` or `CWE-79` as the number the library wants.
fn number(id: &str) -> Option<u64> {
    id.rsplit('-').next()?.parse().ok()
}

/// One threat, control and (while a finding is open) risk per rule or model
/// threat with findings, in rule id order.
fn threats(
    model: &Model,
    lib: &Library,
    analysis: &Analysis,
    names: &mut Names,
) -> (Vec<J>, Vec<J>, Vec<J>) {
    let (mut threats, mut controls, mut risks) = (Vec::new(), Vec::new(), Vec::new());
    for (r, findings) in by_rule(lib, analysis) {
        let rule = &lib.rules[r];
        let name = names.name("threat", &rule.id);
        threats.push(threat(model, rule, &findings, &name, names));
        let views: Vec<_> = findings
            .iter()
            .map(|f| tms_rules::view::finding_view(model, lib, f))
            .collect();
        if let Some(c) = control(rule, &views, &name, names) {
            controls.push(c);
        }
        if let Some(r) = risk(rule, &views, &name, names) {
            risks.push(r);
        }
    }
    (threats, controls, risks)
}

/// The findings of each rule that has some, in rule id order.
fn by_rule<'a>(lib: &Library, analysis: &'a Analysis) -> Vec<(usize, Vec<&'a Finding>)> {
    let mut groups: HashMap<usize, Vec<&Finding>> = HashMap::default();
    for f in &analysis.findings {
        groups.entry(f.rule).or_default().push(f);
    }
    let mut out: Vec<(usize, Vec<&Finding>)> = groups.into_iter().collect();
    out.sort_by(|a, b| lib.rules[a.0].id.cmp(&lib.rules[b.0].id));
    out
}

/// The threat a rule stands for, on the elements its findings are on (a
/// flow's two ends: the library's threats affect components).
fn threat(
    model: &Model,
    rule: &tms_rules::Rule,
    findings: &[&Finding],
    name: &str,
    names: &mut Names,
) -> J {
    let mut affected: Vec<String> = Vec::new();
    for f in findings {
        let ends = match f.target {
            TargetRef::Element(e) => vec![e],
            TargetRef::Flow(x) => vec![model.flows[x].source, model.flows[x].sink],
            TargetRef::Model => Vec::new(),
        };
        for e in ends {
            let n = names.name("element", &model.elements[e].id);
            if !affected.contains(&n) {
                affected.push(n);
            }
        }
    }
    let stride: Vec<&str> = rule.stride.iter().map(|s| s.long_name()).collect();
    let mut t = Map::new();
    t.insert("symbolic_name".into(), json!(name));
    t.insert("title".into(), json!(rule.title));
    t.insert("description".into(), json!(rule.description));
    t.insert("components_affected".into(), json!(affected));
    t.insert("threat_persona".into(), json!(PERSONA));
    // What sets the threat off: its STRIDE categories say it best.
    let event = if stride.is_empty() {
        rule.title.clone()
    } else {
        stride.join(", ")
    };
    t.insert("event".into(), json!(event));
    t.insert("sources".into(), json!(["adversary"]));
    let refs = |ids: &[String], key: &str| -> Vec<J> {
        ids.iter()
            .filter_map(|c| number(c))
            .map(|n| json!({ key: n }))
            .collect()
    };
    let capec = refs(&rule.mappings.capec, "capec_id");
    if !capec.is_empty() {
        t.insert("attack_mechanisms".into(), J::Array(capec));
    }
    let cwe = refs(&rule.mappings.cwe, "cwe_id");
    if !cwe.is_empty() {
        t.insert("weaknesses".into(), J::Array(cwe));
    }
    J::Object(t)
}

/// The rule's mitigation as a control, its status from the findings'.
fn control(
    rule: &tms_rules::Rule,
    views: &[tms_rules::view::FindingView],
    threat: &str,
    names: &mut Names,
) -> Option<J> {
    if rule.mitigation.trim().is_empty() {
        return None;
    }
    let status = if views.iter().all(|v| v.status == Status::Mitigated) {
        "active"
    } else if views.iter().all(|v| v.status != Status::Open) {
        "wont_do"
    } else {
        "suggested"
    };
    let worst = views
        .iter()
        .map(|v| v.severity)
        .max()
        .unwrap_or(rule.severity);
    Some(json!({
        "symbolic_name": names.name("control", &format!("{}-control", rule.id)),
        "title": crate::importer::clip(&format!("Mitigate: {}", rule.title)),
        "description": rule.mitigation,
        "threats": [threat],
        "status": status,
        "priority": priority(worst),
    }))
}

/// The risk of a rule's open findings, rated by the worst; none when all are closed.
fn risk(
    rule: &tms_rules::Rule,
    views: &[tms_rules::view::FindingView],
    threat: &str,
    names: &mut Names,
) -> Option<J> {
    let open: Vec<_> = views.iter().filter(|v| v.status == Status::Open).collect();
    let worst = open.iter().max_by_key(|v| (v.risk.score, v.severity))?;
    Some(json!({
        "symbolic_name": names.name("risk", &format!("{}-risk", rule.id)),
        "title": rule.title,
        "description": format!("{} open finding(s) of `{}`", open.len(), rule.id),
        "threats": [threat],
        "likelihood": likelihood(worst.likelihood),
        "impact": impact(worst.severity),
        "impact_description": rule.description,
        "score": worst.risk.score,
        "level": worst.risk.level.as_str(),
    }))
}

fn scope(model: &Model) -> J {
    let worst = model
        .data
        .iter()
        .map(|d| d.classification)
        .max()
        .unwrap_or(Classification::Unknown);
    let criticality = match worst {
        Classification::TopSecret => "maximal",
        Classification::Secret | Classification::Sensitive => "high",
        Classification::Restricted => "moderate",
        _ => "low",
    };
    let mut kinds: Vec<&str> = model.data.iter().flat_map(sensitivity).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let external = model.flows.iter().any(|f| {
        matches!(
            model.elements[f.source].kind,
            ElementKind::Actor | ElementKind::ExternalEntity
        )
    });
    let title = if model.title.is_empty() {
        "Threat model"
    } else {
        &model.title
    };
    json!({
        "title": title,
        "description": if model.description.is_empty() { title } else { &model.description },
        "business_criticality": criticality,
        "data_sensitivity": kinds,
        "exposure": if external { "external" } else { "internal" },
        "tier": "important",
    })
}
