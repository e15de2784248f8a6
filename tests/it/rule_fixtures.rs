//! Every built-in rule carries fixture models: one it must fire on (on the
//! target with id `t`), one it must not fire on at all. The findings of every
//! fixture are also snapshotted, so a change to any rule shows in review.

use std::fmt::Write;

use tms_model::Targets;
use tms_rules::engine::analyze;
use tms_rules::library::Library;
use tms_rules::{Rule, Stride};

fn builtin() -> Library {
    match Library::builtin_with_fixtures() {
        Ok(l) => l,
        Err(d) => panic!(
            "the built-in library does not load:\n{}",
            d.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn findings_of(rule: &Rule, which: &str, node: &tms_syntax::source::Node) -> Vec<String> {
    let name = format!("{}:{}:{which}", rule.origin.file, rule.id);
    let loaded = tms_formats::load::load_node(node, &name).unwrap_or_else(|d| {
        panic!(
            "{name}: fixture model is invalid:\n{}",
            d.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let lib = Library {
        rules: vec![rule.clone()],
        ..Library::default()
    };
    // Each single match, where it fired: a finding on a response is reported
    // on its request, but the rule fired on the response.
    analyze(&loaded.model, &lib)
        .findings
        .iter()
        .flat_map(|f| f.matches.clone())
        .map(|(r, t)| {
            format!(
                "{}@{}",
                lib.rules[r].id,
                tms_rules::engine::target_id(&loaded.model, t)
            )
        })
        .collect()
}

#[test]
fn library_loads_cleanly() {
    let lib = builtin();
    let warnings: Vec<String> = lib.warnings.0.iter().map(|d| d.to_string()).collect();
    assert!(warnings.is_empty(), "{}", warnings.join("\n"));
    assert!(lib.rules.len() >= 120, "only {} rules", lib.rules.len());
}

#[test]
fn every_rule_fires_on_its_match_fixture_and_not_on_its_no_match_fixture() {
    let lib = builtin();
    let mut failures = Vec::new();
    let mut snapshot = String::new();
    for rule in &lib.rules {
        let Some(fx) = &rule.fixtures else {
            failures.push(format!("{}: no fixtures", rule.id));
            continue;
        };
        let hits = findings_of(rule, "match", &fx.matching);
        let expected = format!("{}@t", rule.id);
        if !hits.contains(&expected) {
            failures.push(format!(
                "{}: does not fire on `t` in its match fixture (fired: {hits:?})",
                rule.id
            ));
        }
        let misses = findings_of(rule, "noMatch", &fx.not_matching);
        if !misses.is_empty() {
            failures.push(format!(
                "{}: fires on its noMatch fixture: {misses:?}",
                rule.id
            ));
        }
        let _ = writeln!(
            snapshot,
            "{}: match {:?}; noMatch {:?}",
            rule.id, hits, misses
        );
    }
    assert!(
        failures.is_empty(),
        "{} rule fixture failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    insta::assert_snapshot!("rule_fixture_findings", snapshot);
}

#[test]
fn every_stride_category_covers_processes_datastores_and_boundary_flows() {
    let lib = builtin();
    let process = tms_model::ElementKind::Process.bit();
    let datastore = tms_model::ElementKind::Datastore.bit();
    let mut missing = Vec::new();
    for s in Stride::ALL {
        for (what, t) in [
            ("process", process),
            ("datastore", datastore),
            ("flow", Targets::FLOW),
        ] {
            let mut rules = lib
                .rules
                .iter()
                .filter(|r| r.stride.contains(s) && r.targets.intersects(t));
            let ok = if what == "flow" {
                rules.any(|r| r.condition.contains("crossesBoundary()"))
            } else {
                rules.next().is_some()
            };
            if !ok {
                missing.push(format!("{} on {what}", s.long_name()));
            }
        }
    }
    assert!(missing.is_empty(), "no rule for: {}", missing.join(", "));
}

#[test]
fn every_rule_has_the_metadata_a_report_needs() {
    let lib = builtin();
    for r in &lib.rules {
        assert!(!r.stride.is_empty(), "{}: no STRIDE", r.id);
        assert!(
            r.description.trim().len() > 40,
            "{}: description too short",
            r.id
        );
        assert!(
            r.mitigation.trim().len() > 20,
            "{}: mitigation too short",
            r.id
        );
        assert!(!r.references.is_empty(), "{}: no references", r.id);
        let m = &r.mappings;
        assert!(
            !(m.cwe.is_empty()
                && m.capec.is_empty()
                && m.attack.is_empty()
                && m.owasp.is_empty()
                && m.atlas.is_empty()),
            "{}: no mappings",
            r.id
        );
    }
}
