//! Open Threat Model (OTM) 0.2.0: the model and its findings for IriusRisk and
//! the other tools that read OTM.
//!
//! | model | OTM |
//! |---|---|
//! | boundary | trust zone (nested with `parent.trustZone`) |
//! | element | component in its boundary's trust zone (`type`: our element type) |
//! | flow | dataflow |
//! | data | asset (`processed`/`stored` on components, `assets` on dataflows) |
//! | rule with findings | threat (STRIDE `categories`, `cwes`, likelihood and impact 0-100) |
//! | model threat | threat, marked `attributes.tmsSource: model` with its status and decision |
//! | rule mitigation, each model threat mitigation | mitigation |
//! | finding | the threat on its component or dataflow, `state` from its status |
//!
//! OTM requires a trust zone for every component and a trust rating for every
//! zone, which our model does not have: elements outside any boundary go in
//! one more zone, and a zone's rating follows what it holds (see
//! [`trust_rating`]). What tms has beyond OTM's fields (attributes,
//! classification, triage justification) rides in OTM's free `attributes`
//! maps and the threat references, where `tms import --from otm` reads it
//! back. The output is deterministic: model order, then rule order.

use std::io::Write;

use serde_json::{json, Map, Value as J};

use tms_model::*;
use tms_rules::condition::TargetRef;
use tms_rules::engine::{Analysis, Finding};
use tms_rules::library::Library;
use tms_rules::Likelihood;

pub const OTM_VERSION: &str = "0.2.0";

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    analysis: &Analysis,
) -> std::io::Result<()> {
    tms_syntax::output::write_json_pretty(out, &document(model, lib, analysis))
}

/// The OTM document for an analysed model.
pub fn document(model: &Model, lib: &Library, analysis: &Analysis) -> J {
    let mut doc = Map::new();
    doc.insert("otmVersion".into(), json!(OTM_VERSION));
    doc.insert("project".into(), project(model));

    let outside = outside_zone(model);
    doc.insert(
        "assets".into(),
        J::Array(model.data.iter().map(asset).collect()),
    );
    let mut zones: Vec<J> = model
        .boundaries
        .iter()
        .enumerate()
        .map(|(i, b)| trust_zone(model, i, b))
        .collect();
    if let Some(id) = &outside {
        zones.push(json!({
            "id": id,
            "name": "Outside any boundary",
            "description": "Elements the tms model places in no trust boundary",
            "risk": {"trustRating": 50},
        }));
    }
    doc.insert("trustZones".into(), J::Array(zones));

    // Findings per target, in the analysis order (sorted by id).
    let mut on_element: Vec<Vec<&Finding>> = vec![Vec::new(); model.elements.len()];
    let mut on_flow: Vec<Vec<&Finding>> = vec![Vec::new(); model.flows.len()];
    for f in &analysis.findings {
        match f.target {
            TargetRef::Element(e) => on_element[e].push(f),
            TargetRef::Flow(x) => on_flow[x].push(f),
            // A threat to the whole system is listed under `threats`, on no component.
            TargetRef::Model => {}
        }
    }
    let components: Vec<J> = model
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| component(model, lib, e, &on_element[i], outside.as_deref()))
        .collect();
    doc.insert("components".into(), J::Array(components));
    let flows: Vec<J> = model
        .flows
        .iter()
        .enumerate()
        .map(|(i, f)| dataflow(model, lib, f, &on_flow[i]))
        .collect();
    doc.insert("dataflows".into(), J::Array(flows));

    // One threat and one mitigation per rule that produced a finding, by rule id.
    let mut rules: Vec<usize> = analysis.findings.iter().map(|f| f.rule).collect();
    rules.sort_by(|a, b| lib.rules[*a].id.cmp(&lib.rules[*b].id));
    rules.dedup();
    doc.insert(
        "threats".into(),
        J::Array(rules.iter().map(|r| threat(model, lib, *r)).collect()),
    );
    doc.insert(
        "mitigations".into(),
        J::Array(
            rules
                .iter()
                .flat_map(|r| mitigations(model, lib, *r))
                .collect(),
        ),
    );
    J::Object(doc)
}

fn project(model: &Model) -> J {
    let mut p = Map::new();
    p.insert("name".into(), json!(model.title));
    let id = crate::importer::slug(&model.title);
    p.insert(
        "id".into(),
        json!(if id.is_empty() {
            "tms-model".to_string()
        } else {
            id
        }),
    );
    if !model.description.is_empty() {
        p.insert("description".into(), json!(model.description));
    }
    if let Some(a) = model.authors.first() {
        p.insert("owner".into(), json!(a.name));
        if let Some(e) = &a.email {
            p.insert("ownerContact".into(), json!(e));
        }
    }
    let mut attrs = Map::new();
    // `tms import --from otm` reads what it wrote back without calling it lost.
    attrs.insert("generator".into(), json!("tms"));
    if let Some(v) = &model.version {
        attrs.insert("version".into(), json!(v));
    }
    if let Some(d) = &model.date {
        attrs.insert("date".into(), json!(d));
    }
    p.insert("attributes".into(), J::Object(attrs));
    J::Object(p)
}

/// The id of the zone for elements in no boundary, when there are any: a
/// name no id of the model takes.
fn outside_zone(model: &Model) -> Option<String> {
    if model.elements.iter().all(|e| e.boundary.is_some()) {
        return None;
    }
    let mut id = "outside".to_string();
    let mut n = 2;
    while model.ids.contains_key(&id) {
        id = format!("outside-{n}");
        n += 1;
    }
    Some(id)
}

fn asset(d: &DataAsset) -> J {
    let mut attrs = Map::new();
    attrs.insert("classification".into(), json!(d.classification.as_str()));
    if !d.format.is_empty() {
        attrs.insert("format".into(), json!(d.format));
    }
    for (k, v) in [
        ("isPII", d.is_pii),
        ("isCredentials", d.is_credentials),
        ("isStored", d.is_stored),
    ] {
        if v {
            attrs.insert(k.into(), json!(true));
        }
    }
    if d.credentials_life != Lifetime::None {
        attrs.insert("credentialsLife".into(), json!(d.credentials_life.as_str()));
    }
    let mut a = Map::new();
    a.insert("name".into(), json!(d.name));
    a.insert("id".into(), json!(d.id));
    if !d.description.is_empty() {
        a.insert("description".into(), json!(d.description));
    }
    a.insert(
        "risk".into(),
        json!({
            "confidentiality": crate::otm::confidentiality(d.classification),
            "integrity": 50,
            "availability": 50,
            "comment": "tms rates confidentiality from the classification; integrity and availability are not rated",
        }),
    );
    a.insert("attributes".into(), J::Object(attrs));
    J::Object(a)
}

/// OTM rates trust from 0 (none) to 100. Our boundaries carry no rating, so it
/// follows what a zone holds: only actors and external entities (the
/// internet, a partner) rate 10; any other zone 50, and 25 more for each
/// boundary it nests in, up to 100 (the inner tiers of a network).
pub fn trust_rating(model: &Model, b: BoundaryIdx) -> u8 {
    let inside: Vec<&Element> = model
        .elements
        .iter()
        .filter(|e| model.boundary_chain(e.boundary).contains(&b))
        .collect();
    if !inside.is_empty() && inside.iter().all(|e| e.kind.is_external()) {
        return 10;
    }
    let depth = model.boundary_chain(Some(b)).len().saturating_sub(1);
    (50 + 25 * depth.min(2)) as u8
}

fn trust_zone(model: &Model, i: BoundaryIdx, b: &Boundary) -> J {
    let mut z = Map::new();
    z.insert("id".into(), json!(b.id));
    z.insert("name".into(), json!(b.name));
    if !b.description.is_empty() {
        z.insert("description".into(), json!(b.description));
    }
    z.insert(
        "risk".into(),
        json!({"trustRating": trust_rating(model, i)}),
    );
    if let Some(p) = b.parent {
        z.insert(
            "parent".into(),
            json!({"trustZone": model.boundaries[p].id}),
        );
    }
    let mut attrs = Map::new();
    if !b.in_scope {
        attrs.insert("inScope".into(), json!(false));
    }
    if !b.tags.is_empty() {
        attrs.insert("tags".into(), json!(b.tags));
    }
    if !attrs.is_empty() {
        z.insert("attributes".into(), J::Object(attrs));
    }
    J::Object(z)
}

/// An element's or flow's attributes as set (after derivation), then its own
/// properties: OTM's free map, read back by `tms import --from otm`.
fn attributes(attrs: &Attrs, properties: &Properties, skip: &[&str]) -> Option<J> {
    let mut m = Map::new();
    for (id, v) in attrs.iter() {
        m.insert(id.def().name.to_string(), v.as_ref().to_json());
    }
    if let J::Object(p) = properties {
        for (k, v) in p {
            if !skip.contains(&k.as_str()) {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    (!m.is_empty()).then_some(J::Object(m))
}

fn component(
    model: &Model,
    lib: &Library,
    e: &Element,
    findings: &[&Finding],
    outside: Option<&str>,
) -> J {
    let mut c = Map::new();
    c.insert("id".into(), json!(e.id));
    c.insert("name".into(), json!(e.name));
    // A type read from OTM is written back as it was.
    let otm_type = e.properties.get("otmType").and_then(J::as_str);
    c.insert("type".into(), json!(otm_type.unwrap_or(e.kind.as_str())));
    if !e.description.is_empty() {
        c.insert("description".into(), json!(e.description));
    }
    let zone = e
        .boundary
        .map(|b| model.boundaries[b].id.as_str())
        .or(outside)
        .unwrap_or("outside");
    c.insert("parent".into(), json!({"trustZone": zone}));
    if !e.tags.is_empty() {
        c.insert("tags".into(), json!(e.tags));
    }
    if !e.data.is_empty() {
        let processed: Vec<&str> = e.data.iter().map(|d| model.data[*d].id.as_str()).collect();
        let stored: Vec<&str> = if e.kind == ElementKind::Datastore {
            e.data
                .iter()
                .filter(|d| model.data[**d].is_stored)
                .map(|d| model.data[*d].id.as_str())
                .collect()
        } else {
            Vec::new()
        };
        let mut a = Map::new();
        a.insert("processed".into(), json!(processed));
        if !stored.is_empty() {
            a.insert("stored".into(), json!(stored));
        }
        c.insert("assets".into(), J::Object(a));
    }
    if !findings.is_empty() {
        c.insert("threats".into(), instances(model, lib, findings));
    }
    let mut a = attributes(&e.attrs, &e.properties, &["otmType"]);
    if let Some(role) = &e.role {
        let map = a.get_or_insert_with(|| J::Object(Map::new()));
        if let J::Object(m) = map {
            m.insert(crate::otm::ROLE_ATTRIBUTE.into(), json!(role));
        }
    }
    if let Some(a) = a {
        c.insert("attributes".into(), a);
    }
    J::Object(c)
}

fn dataflow(model: &Model, lib: &Library, f: &Flow, findings: &[&Finding]) -> J {
    let mut d = Map::new();
    d.insert("id".into(), json!(f.id));
    d.insert("name".into(), json!(f.name));
    if !f.description.is_empty() {
        d.insert("description".into(), json!(f.description));
    }
    d.insert("bidirectional".into(), json!(false));
    d.insert("source".into(), json!(model.elements[f.source].id));
    d.insert("destination".into(), json!(model.elements[f.sink].id));
    if !f.data.is_empty() {
        let ids: Vec<&str> = f.data.iter().map(|x| model.data[*x].id.as_str()).collect();
        d.insert("assets".into(), json!(ids));
    }
    if !f.tags.is_empty() {
        d.insert("tags".into(), json!(f.tags));
    }
    if !findings.is_empty() {
        d.insert("threats".into(), instances(model, lib, findings));
    }
    let mut attrs = attributes(&f.attrs, &f.properties, &[]);
    if let Some(r) = f.response_to {
        let m = attrs.get_or_insert_with(|| J::Object(Map::new()));
        if let J::Object(m) = m {
            m.insert("responseTo".into(), json!(model.flows[r].id));
        }
    }
    if let Some(a) = attrs {
        d.insert("attributes".into(), a);
    }
    J::Object(d)
}

/// A finding's status as an OTM threat state (IriusRisk's `exposed` for open).
pub fn state(s: Status) -> &'static str {
    match s {
        Status::Open => "exposed",
        other => other.as_str(),
    }
}

fn mitigation_id(lib: &Library, rule: usize) -> String {
    format!("{}-mitigation", lib.rules[rule].id)
}

/// The model threat a rule stands for, if it is one.
fn stated<'m>(model: &'m Model, lib: &Library, rule: usize) -> Option<&'m tms_model::Threat> {
    lib.rules[rule].threat.and_then(|t| model.threats.get(t))
}

/// The ids of the mitigations of a rule's threat: one per rule, or one per
/// mitigation a model threat lists (none when it lists none).
fn mitigation_ids(model: &Model, lib: &Library, rule: usize) -> Vec<String> {
    match stated(model, lib, rule) {
        Some(t) => (0..t.mitigations.len())
            .map(|i| match i {
                0 => mitigation_id(lib, rule),
                _ => format!("{}-{}", mitigation_id(lib, rule), i + 1),
            })
            .collect(),
        None => vec![mitigation_id(lib, rule)],
    }
}

fn instances(model: &Model, lib: &Library, findings: &[&Finding]) -> J {
    J::Array(
        findings
            .iter()
            .map(|f| {
                let mstate = match f.status {
                    Status::Open => "required",
                    Status::Mitigated => "implemented",
                    _ => "not-applicable",
                };
                let mut t = Map::new();
                t.insert("threat".into(), json!(lib.rules[f.rule].id));
                t.insert("state".into(), json!(state(f.status)));
                let refs: Vec<J> = mitigation_ids(model, lib, f.rule)
                    .into_iter()
                    .map(|m| json!({"mitigation": m, "state": mstate}))
                    .collect();
                t.insert("mitigations".into(), J::Array(refs));
                // Not OTM fields; OTM allows more, and tms reads them back.
                if let Some(j) = &f.justification {
                    t.insert("justification".into(), json!(j));
                }
                if let Some(entry) = f.triage.map(|i| &model.triage[i]) {
                    for (key, v) in [
                        ("owner", &entry.owner),
                        ("ticket", &entry.ticket),
                        ("expires", &entry.expires),
                    ] {
                        if let Some(v) = v {
                            t.insert(key.into(), json!(v));
                        }
                    }
                }
                J::Object(t)
            })
            .collect(),
    )
}

/// Our five-step scales on OTM's 0-100.
fn likelihood(l: Likelihood) -> u8 {
    (l.score() - 1) * 25
}

fn impact(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Low => 25,
        Severity::Medium => 50,
        Severity::High => 75,
        Severity::Critical => 100,
    }
}

fn threat(model: &Model, lib: &Library, r: usize) -> J {
    let rule = &lib.rules[r];
    let mut t = Map::new();
    t.insert("id".into(), json!(rule.id));
    t.insert("name".into(), json!(rule.title));
    if !rule.description.is_empty() {
        t.insert("description".into(), json!(rule.description));
    }
    let categories: Vec<&str> = rule.stride.iter().map(|s| s.long_name()).collect();
    t.insert("categories".into(), json!(categories));
    t.insert("cwes".into(), json!(rule.mappings.cwe));
    t.insert(
        "risk".into(),
        json!({
            "likelihood": likelihood(rule.likelihood),
            "likelihoodComment": format!("tms likelihood: {}", rule.likelihood.as_str()),
            "impact": impact(rule.severity),
            "impactComment": format!("tms severity: {}", rule.severity.as_str()),
        }),
    );
    let tags: Vec<&String> = rule
        .mappings
        .capec
        .iter()
        .chain(&rule.mappings.attack)
        .chain(&rule.mappings.atlas)
        .chain(&rule.mappings.owasp)
        .collect();
    if !tags.is_empty() {
        t.insert("tags".into(), json!(tags));
    }
    let mut attributes = Map::new();
    if !rule.references.is_empty() {
        attributes.insert("references".into(), json!(rule.references));
    }
    if let Some(stated) = stated(model, lib, r) {
        // Not a rule of tms's: `tms import --from otm` reads it back as the
        // model's threat, with the decision a threat on no component keeps.
        attributes.insert("tmsSource".into(), json!("model"));
        attributes.insert("status".into(), json!(stated.status.as_str()));
        for (key, v) in [
            ("justification", &stated.justification),
            ("owner", &stated.owner),
            ("ticket", &stated.ticket),
            ("expires", &stated.expires),
        ] {
            if let Some(v) = v {
                attributes.insert(key.into(), json!(v));
            }
        }
    }
    if !attributes.is_empty() {
        t.insert("attributes".into(), J::Object(attributes));
    }
    J::Object(t)
}

/// A rule's mitigation, or each mitigation a model threat lists.
fn mitigations(model: &Model, lib: &Library, r: usize) -> Vec<J> {
    let Some(t) = stated(model, lib, r) else {
        return vec![mitigation(lib, r)];
    };
    t.mitigations
        .iter()
        .zip(mitigation_ids(model, lib, r))
        .map(|(text, id)| {
            json!({
                "id": id,
                "name": crate::importer::clip(first_sentence(text)),
                "description": text,
                "riskReduction": 100,
            })
        })
        .collect()
}

fn mitigation(lib: &Library, r: usize) -> J {
    let rule = &lib.rules[r];
    let text = if rule.mitigation.trim().is_empty() {
        format!("Address: {}", rule.title)
    } else {
        rule.mitigation.clone()
    };
    let name = crate::importer::clip(first_sentence(&text));
    json!({
        "id": mitigation_id(lib, r),
        "name": name,
        "description": text,
        // tms does not rate mitigations: the rule's mitigation is taken to address its threat.
        "riskReduction": 100,
    })
}

fn first_sentence(s: &str) -> &str {
    let s = s.trim();
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}
