//! Every built-in rule says which attributes close it (`mitigatedBy`). Each of
//! them must, on its own: set on the match fixture's target `t` (or, for a
//! `source.` / `sink.` path, on flow `t`'s source or sink), the rule no longer
//! fires on `t`. A rule no attribute can close is listed below with the reason,
//! so a new rule cannot leave `mitigatedBy` empty by accident.

use tms_rules::engine::analyze;
use tms_rules::library::Library;
use tms_rules::Rule;
use tms_syntax::source::{Key, Node, NodeKind, Pos};

/// Rules with an empty `mitigatedBy`, and why no attribute of the target (or
/// of a flow's ends) can close them.
const NO_MITIGATING_ATTRIBUTE: &[(&str, &str)] = &[
    ("AUTH-004", "closed by the `credentialsLife` of the data the flow carries: a data asset's property, which no path reaches"),
    ("AUTH-005", "closed by the `credentialsLife` of the credentials on the flow (short-lived, auto-revokable): data, not an attribute of the flow or its ends"),
    ("AUTH-017", "closed by the session token datum's `credentialsLife` on the incoming flows: data, not an attribute of the server"),
    ("CLOUD-006", "closed by a WAF in front of the component (an element with the `waf` role or tag), not by an attribute"),
    ("CLOUD-010", "closed by `implementsPOLP` on every client of the secrets store: attributes of other elements than the target"),
    ("CLOUD-012", "closed by the `credentialsLife` of the credentials on the pipeline's outgoing flows: data, not an attribute"),
    ("CLOUD-016", "closed by `providesIntegrity` on each incoming flow from outside: attributes of other items than the pipeline"),
    ("DS-007", "closed by keeping credentials and personal data out of the logged data (redaction): a change to the data, not a control"),
    ("DS-011", "closed by a retention period in `properties.retention`, a free-form property, not an attribute"),
    ("LLM-017", "closed by taking the credentials out of the model's context (its data), not by a control attribute"),
];

fn builtin() -> Library {
    Library::builtin_with_fixtures().unwrap_or_else(|d| {
        panic!(
            "the built-in library does not load:\n{}",
            d.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// The items of a model section (`elements`, `flows`).
fn section_mut<'a>(root: &'a mut Node, name: &str) -> Option<&'a mut Vec<Node>> {
    let NodeKind::Map(entries) = &mut root.kind else {
        return None;
    };
    let (_, v) = entries.iter_mut().find(|(k, _)| &*k.name == name)?;
    match &mut v.kind {
        NodeKind::Seq(items) => Some(items),
        _ => None,
    }
}

fn item_mut<'a>(root: &'a mut Node, section: &str, id: &str) -> Option<&'a mut Node> {
    section_mut(root, section)?
        .iter_mut()
        .find(|n| n.str_at("id") == Some(id))
}

/// Sets `name: value` on a mapping, replacing the key if it is there.
fn set(map: &mut Node, name: &str, value: &Node) -> Result<(), String> {
    let NodeKind::Map(entries) = &mut map.kind else {
        return Err("the item is not a mapping".into());
    };
    match entries.iter_mut().find(|(k, _)| &*k.name == name) {
        Some((_, v)) => *v = value.clone(),
        None => entries.push((Key::new(name, Pos::default()), value.clone())),
    }
    Ok(())
}

/// The item with id `id` in a model section, read-only.
fn item<'a>(root: &'a Node, section: &str, id: &str) -> Option<&'a Node> {
    root.get(section)?
        .as_seq()?
        .iter()
        .find(|n| n.str_at("id") == Some(id))
}

/// The fixture with the attribute path set: on `t`, or on flow `t`'s source or sink.
fn with_attribute(fixture: &Node, path: &str, value: &Node) -> Result<Node, String> {
    let end = [("source.", "from"), ("sink.", "to")]
        .into_iter()
        .find_map(|(prefix, key)| path.strip_prefix(prefix).map(|attr| (key, attr)));
    let (section, id, attr) = match end {
        Some((key, attr)) => {
            let flow = item(fixture, "flows", "t")
                .ok_or_else(|| format!("`{path}` names a flow's end, and `t` is not a flow"))?;
            let id = flow
                .str_at(key)
                .ok_or_else(|| format!("flow `t` has no `{key}`"))?;
            ("elements", id, attr)
        }
        None if item(fixture, "flows", "t").is_some() => ("flows", "t", path),
        None => ("elements", "t", path),
    };
    let mut model = fixture.clone();
    let target = item_mut(&mut model, section, id)
        .ok_or_else(|| format!("the match fixture has no {section} item `{id}`"))?;
    set(target, attr, value)?;
    Ok(model)
}

/// Whether `rule`, alone in a library, fires on `t` in `fixture`.
fn fires_on_t(rule: &Rule, fixture: &Node, name: &str) -> Result<bool, String> {
    let loaded = tms_formats::load::load_node(fixture, name).map_err(|d| {
        format!(
            "the model does not load: {}",
            d.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let lib = Library {
        rules: vec![rule.clone()],
        ..Library::default()
    };
    Ok(analyze(&loaded.model, &lib).findings.iter().any(|f| {
        f.matches
            .iter()
            .any(|(_, at)| tms_rules::engine::target_id(&loaded.model, *at) == "t")
    }))
}

#[test]
fn every_mitigation_closes_its_rule() {
    let lib = builtin();
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in &lib.rules {
        let Some(fx) = &rule.fixtures else { continue };
        if rule.mitigated_by.is_empty() {
            continue;
        }
        let name = format!("{}:{}:match", rule.origin.file, rule.id);
        match fires_on_t(rule, &fx.matching, &name) {
            Ok(true) => {}
            Ok(false) => {
                failures.push(format!(
                    "{}: does not fire on `t` in its match fixture",
                    rule.id
                ));
                continue;
            }
            Err(e) => {
                failures.push(format!("{}: match fixture: {e}", rule.id));
                continue;
            }
        }
        for (path, value) in &rule.mitigated_by {
            checked += 1;
            let result = with_attribute(&fx.matching, path, value)
                .and_then(|m| fires_on_t(rule, &m, &format!("{name}+{path}")));
            match result {
                Ok(false) => {}
                Ok(true) => failures.push(format!(
                    "{} ({path}: {}): still fires on `t`",
                    rule.id,
                    value.to_json()
                )),
                Err(e) => failures.push(format!("{} ({path}: {}): {e}", rule.id, value.to_json())),
            }
        }
    }
    eprintln!("{checked} mitigations checked");
    assert!(checked > 0, "no rule has a mitigatedBy to check");
    assert!(
        failures.is_empty(),
        "{} mitigation failures (rule, attribute):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_without_mitigations_is_explained() {
    let lib = builtin();
    let mut problems = Vec::new();
    for rule in &lib.rules {
        let listed = NO_MITIGATING_ATTRIBUTE.iter().any(|(id, _)| *id == rule.id);
        if rule.mitigated_by.is_empty() && !listed {
            problems.push(format!(
                "{}: `mitigatedBy` is empty; name the attributes that close it, or add it to NO_MITIGATING_ATTRIBUTE with the reason",
                rule.id
            ));
        }
        if !rule.mitigated_by.is_empty() && listed {
            problems.push(format!(
                "{}: has a `mitigatedBy` now; remove it from NO_MITIGATING_ATTRIBUTE",
                rule.id
            ));
        }
    }
    for (id, reason) in NO_MITIGATING_ATTRIBUTE {
        if lib.get(id).is_none() {
            problems.push(format!(
                "{id}: listed in NO_MITIGATING_ATTRIBUTE, but there is no such rule"
            ));
        }
        if reason.trim().is_empty() {
            problems.push(format!("{id}: listed without a reason"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
