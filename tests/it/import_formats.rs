//! `tms import` and the readers of other tools' formats: every shared fixture
//! imports, the YAML written is our format and loads back as the same model,
//! the same files read directly (by detection) give that model too, and what
//! each format checks (OTM's ids and references, Threat Dragon's geometry)
//! is checked with positions.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tms_model::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tms() -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(root());
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-tmp/import-formats");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir.join(name)
}

/// Every fixture of every format `tms import` reads (Threat Model Spec's are
/// another reader's), with a snapshot name.
const FIXTURES: &[(&str, &str, &str)] = &[
    (
        "pytm",
        "tests/third-party/fixtures/pytm/input.json",
        "pytm_input",
    ),
    (
        "pytm",
        "tests/third-party/fixtures/pytm/output.json",
        "pytm_output",
    ),
    ("pytm", "tests/import/pytm/web-shop.json", "pytm_web_shop"),
    (
        "pytm",
        "tests/import/pytm/support-agent.json",
        "pytm_support_agent",
    ),
    (
        "otm",
        "tests/third-party/fixtures/otm/example.otm.json",
        "otm_example",
    ),
    (
        "otm",
        "tests/third-party/fixtures/otm/td-mobile-cloud.otm.json",
        "otm_td_mobile_cloud",
    ),
    (
        "threat-dragon",
        "tests/third-party/fixtures/threat-dragon/three-tier-web-app.json",
        "threat_dragon_three_tier",
    ),
    (
        "threat-dragon",
        "tests/third-party/fixtures/threat-dragon/v2-threat-model.json",
        "threat_dragon_v2_demo",
    ),
    (
        "threagile",
        "tests/third-party/fixtures/threagile/example.yaml",
        "threagile_example",
    ),
    (
        "owasp-threat-model-library",
        "tests/import/owasp-tml/ephemeral-browser-isolation.json",
        "owasp_tml_ephemeral_browser_isolation",
    ),
    (
        "tmt",
        "tests/import/tmt/sample-threat-model.tm7",
        "tmt_sample",
    ),
    (
        "threat-composer",
        "tests/import/threat-composer/GenAIChatbot.tc.json",
        "threat_composer_genai_chatbot",
    ),
];

fn load(path: &Path) -> tms_formats::load::Loaded {
    match tms_formats::load::load_path(path) {
        Ok(l) => l,
        Err(d) => panic!(
            "{} does not load:\n{}",
            path.display(),
            d.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// Everything a model says, in a form two models can be compared by.
fn describe(m: &Model) -> Vec<String> {
    let mut out = vec![
        format!("title {:?}", m.title),
        format!("description {:?}", m.description),
        format!("version {:?} date {:?}", m.version, m.date),
        format!("authors {:?}", m.authors),
    ];
    for a in &m.assumptions {
        out.push(format!(
            "assumption {:?} {:?} {:?}",
            a.name, a.description, a.excludes
        ));
    }
    for b in &m.boundaries {
        out.push(format!(
            "boundary {} {:?} {:?} parent {:?} inScope {} tags {:?}",
            b.id,
            b.name,
            b.description,
            b.parent.map(|p| &m.boundaries[p].id),
            b.in_scope,
            b.tags
        ));
    }
    for d in &m.data {
        out.push(format!(
            "data {} {:?} {:?} {:?} {} pii {} cred {} {} stored {} at rest {:?} {:?} tags {:?}",
            d.id,
            d.name,
            d.description,
            d.format,
            d.classification,
            d.is_pii,
            d.is_credentials,
            d.credentials_life,
            d.is_stored,
            d.is_source_encrypted_at_rest,
            d.is_dest_encrypted_at_rest,
            d.tags
        ));
    }
    let attrs = |a: &Attrs| -> Vec<String> {
        a.iter()
            .map(|(id, v)| format!("{}={}", id.def().name, v.as_ref().to_json()))
            .collect()
    };
    let data = |d: &[DataIdx]| -> Vec<&str> { d.iter().map(|i| m.data[*i].id.as_str()).collect() };
    for e in &m.elements {
        out.push(format!(
            "element {} {} {:?} {:?} in {:?} data {:?} attrs {:?} tags {:?} props {}",
            e.id,
            e.kind,
            e.name,
            e.description,
            e.boundary.map(|b| &m.boundaries[b].id),
            data(&e.data),
            attrs(&e.attrs),
            e.tags,
            e.properties
        ));
    }
    for f in &m.flows {
        out.push(format!(
            "flow {} {:?} {:?} {} -> {} data {:?} answers {:?} attrs {:?} tags {:?} props {}",
            f.id,
            f.name,
            f.description,
            m.elements[f.source].id,
            m.elements[f.sink].id,
            data(&f.data),
            f.response_to.map(|r| &m.flows[r].id),
            attrs(&f.attrs),
            f.tags,
            f.properties
        ));
    }
    for t in &m.triage {
        out.push(format!(
            "triage {} {} {:?} {:?} {:?} {:?} {:?}",
            t.finding, t.status, t.justification, t.owner, t.ticket, t.expires, t.severity
        ));
    }
    let item = |i: &Item| match *i {
        Item::Element(e) => m.elements[e].id.clone(),
        Item::Flow(f) => m.flows[f].id.clone(),
        Item::Boundary(b) => m.boundaries[b].id.clone(),
        Item::Data(d) => m.data[d].id.clone(),
    };
    for t in &m.threats {
        out.push(format!(
            "threat {} {:?} {:?} {:?} affects {:?} {:?} {:?} {} {:?} {:?} {:?} {:?} {:?}",
            t.id,
            t.title,
            t.description,
            t.stride,
            t.affects.iter().map(item).collect::<Vec<_>>(),
            t.severity,
            t.likelihood,
            t.status,
            t.justification,
            t.mitigations,
            t.owner,
            t.ticket,
            t.mappings.as_ref().map(|m| (
                m.capec.iter().map(|x| &x.id).collect::<Vec<_>>(),
                m.cwe.iter().map(|x| &x.id).collect::<Vec<_>>()
            ))
        ));
    }
    out
}

fn assert_same_model(what: &str, got: &Model, want: &Model) {
    let (g, w) = (describe(got), describe(want));
    for (a, b) in g.iter().zip(&w) {
        assert_eq!(a, b, "{what}");
    }
    assert_eq!(g.len(), w.len(), "{what}: {g:#?}\n{w:#?}");
}

#[test]
fn every_fixture_imports_writes_yaml_and_reads_back_the_same() {
    for (format, path, name) in FIXTURES {
        let out = tms()
            .args(["import", "--from", format, path])
            .output()
            .expect("run tms import");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "tms import --from {format} {path}:\n{stderr}"
        );
        let yaml = String::from_utf8(out.stdout).expect("UTF-8 YAML");
        insta::assert_snapshot!(*name, yaml);

        // The file read directly, through detection, is the same model.
        let direct = load(&root().join(path));
        assert_eq!(
            direct.model.imported.as_ref().map(|i| i.format.as_str()),
            Some(*format),
            "{path} is detected as {format}"
        );
        let written = scratch(&format!("{name}.yaml"));
        std::fs::write(&written, &yaml).expect("write the imported model");
        let back = load(&written);
        assert!(
            back.model.imported.is_none(),
            "{name}: the YAML is our format"
        );
        assert_same_model(
            &format!("{path} imported and read back"),
            &back.model,
            &direct.model,
        );
        // Reading the written file finds nothing the source did not already
        // have: its warnings are the model's own (unused elements and the like).
        let own: Vec<&str> = back.warnings.0.iter().map(|d| d.message.as_str()).collect();
        let source: Vec<&str> = direct
            .warnings
            .0
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        for w in &own {
            assert!(
                source.contains(w),
                "{name}: a new warning after import: {w}"
            );
        }
    }
}

#[test]
fn import_says_on_stderr_what_was_not_carried_over() {
    let out = tms()
        .args([
            "import",
            "--from",
            "otm",
            "tests/third-party/fixtures/otm/example.otm.json",
        ])
        .output()
        .expect("run tms import");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("item(s) not carried over"),
        "a summary on stderr: {stderr}"
    );
    assert!(
        stderr.contains("OTM type internet, trust rating 20"),
        "{stderr}"
    );
    assert!(
        yaml.contains("# not carried over: OTM type internet, trust rating 20\n"),
        "{yaml}"
    );
    // Its threat is the model's now, not a note.
    assert!(!stderr.contains("\"Threat 1\""), "{stderr}");
    assert!(yaml.contains("threats:\n"), "{yaml}");

    // -o writes the file instead of stdout.
    let file = scratch("otm-example-o.yaml");
    let out = tms()
        .args([
            "import",
            "--from",
            "otm",
            "tests/third-party/fixtures/otm/example.otm.json",
            "-o",
        ])
        .arg(&file)
        .output()
        .expect("run tms import -o");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&file).expect("the output file"),
        yaml
    );
}

#[test]
fn import_refuses_a_file_of_another_format() {
    let cases = [
        (
            "otm",
            "tests/third-party/fixtures/pytm/input.json",
            "this is not an Open Threat Model file",
        ),
        (
            "pytm",
            "tests/third-party/fixtures/otm/example.otm.json",
            "this is not a pytm JSON file",
        ),
        (
            "threagile",
            "examples/web-shop.yaml",
            "this is not a Threagile file",
        ),
        (
            "threat-dragon",
            "tests/third-party/fixtures/threagile/example.yaml",
            "this is not a Threat Dragon file",
        ),
    ];
    for (format, path, message) in cases {
        let out = tms()
            .args(["import", "--from", format, path])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{format} {path}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{format} {path}: {stderr}");
        assert!(stderr.contains(":1:1: error:"), "{stderr}");
    }
}

#[test]
fn threagile_example_validates_clean() {
    let out = tms()
        .args([
            "validate",
            "tests/third-party/fixtures/threagile/example.yaml",
        ])
        .output()
        .expect("run tms validate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "no warnings: {stderr}");
    let m = load(&root().join("tests/third-party/fixtures/threagile/example.yaml")).model;
    let el = |id: &str| m.element(id).unwrap_or_else(|| panic!("element {id}"));
    assert_eq!(
        el("customer-client").kind,
        ElementKind::Actor,
        "a client used by humans"
    );
    assert_eq!(el("external-dev-client").kind, ElementKind::Actor);
    assert_eq!(el("apache-webserver").kind, ElementKind::Server);
    assert_eq!(el("erp-system").kind, ElementKind::Process);
    assert_eq!(el("sql-database").kind, ElementKind::Datastore);
    let boundary = |id: &str| el(id).boundary.map(|b| m.boundaries[b].id.as_str());
    assert_eq!(boundary("apache-webserver"), Some("web-dmz"));
    assert_eq!(
        boundary("customer-client"),
        Some("internet"),
        "internet: true"
    );
    let dmz = &m.boundaries[el("apache-webserver").boundary.expect("a boundary")];
    assert_eq!(
        dmz.parent.map(|p| m.boundaries[p].id.as_str()),
        Some("application-network")
    );
    // A link's received data travels back as a response.
    let traffic = m
        .flow("customer-client-customer-traffic")
        .expect("the link");
    let back = m
        .flows
        .iter()
        .find(|f| f.response_to.map(|r| m.flows[r].id.as_str()) == Some(traffic.id.as_str()))
        .expect("the response");
    let received = [
        "customer-accounts",
        "customer-operational-data",
        "customer-contracts",
        "client-application-code",
        "marketing-material",
    ];
    for d in received {
        assert!(
            back.data.iter().any(|i| m.data[*i].id == d),
            "{d} comes back"
        );
    }
    let attr = |f: &Flow, n: &str| {
        f.attrs
            .get(attrs::lookup(n).expect("attr"))
            .to_owned_value()
    };
    assert_eq!(attr(traffic, "protocol"), Value::Str("HTTPS".into()));
    assert_eq!(attr(traffic, "isEncrypted"), Value::Bool(true));
    assert_eq!(
        attr(traffic, "authenticationScheme"),
        Value::Str("session-id".into())
    );
    // Merge keys (`<<: *customer-contracts`) are followed.
    let summaries = m
        .data
        .iter()
        .find(|d| d.id == "contract-summaries")
        .expect("datum");
    assert_eq!(summaries.classification, Classification::Sensitive);
}

#[test]
fn otm_ids_and_references_are_checked_with_positions() {
    let path = scratch("broken.otm.json");
    std::fs::write(
        &path,
        r#"{
  "otmVersion": "0.2.0",
  "project": {"name": "Broken", "id": "broken"},
  "assets": [{"id": "a1", "name": "A", "risk": {"confidentiality": 50, "integrity": 0, "availability": 0}},
             {"id": "a1", "name": "A again", "risk": {"confidentiality": 0, "integrity": 0, "availability": 0}}],
  "trustZones": [{"id": "tz", "name": "Zone", "risk": {"trustRating": 50}}],
  "components": [
    {"id": "web", "name": "Web", "type": "web-service", "parent": {"trustZone": "tz"},
     "assets": {"processed": ["a2"]}, "threats": [{"threat": "t9", "state": "exposed"}]},
    {"id": "tz", "name": "Clash", "type": "database", "parent": {"trustZone": "tz"}},
    {"id": "db", "name": "DB", "type": "database", "parent": {"trustZone": "nowhere"}}
  ],
  "dataflows": [
    {"id": "f1", "name": "Query", "source": "web", "destination": "dbb",
     "threats": [{"threat": "t1", "state": "mitigated", "mitigations": [{"mitigation": "m9", "state": "implemented"}]}]}
  ],
  "threats": [{"id": "t1", "name": "T", "risk": {"likelihood": 1, "impact": 1}},
              {"id": "t1", "name": "T again", "risk": {"likelihood": 1, "impact": 1}}],
  "mitigations": [{"id": "m1", "name": "M", "riskReduction": 1}]
}
"#,
    )
    .expect("write the document");
    let Err(d) = tms_formats::load::load_path(&path) else {
        panic!("a broken OTM document loads");
    };
    let got: Vec<(u32, u32, String)> = d
        .errors()
        .map(|e| (e.line, e.column, e.message.clone()))
        .collect();
    let want = [
        (5, 21, "duplicate id `a1` in assets"),
        (9, 31, "the asset `a2` does not exist"),
        (9, 62, "the threat `t9` does not exist"),
        (
            10,
            12,
            "duplicate id `tz` in trust zones, components and dataflows",
        ),
        (11, 76, "a trust zone `nowhere` does not exist"),
        (14, 67, "the component `dbb` does not exist"),
        (15, 88, "the mitigation `m9` does not exist"),
        (18, 22, "duplicate id `t1` in threats"),
    ];
    let got_ref: Vec<(u32, u32, &str)> = got.iter().map(|(l, c, m)| (*l, *c, m.as_str())).collect();
    assert_eq!(got_ref, want, "{:#?}", d.0);
    let text =
        d.0.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n");
    assert!(
        text.contains("first defined at line 4, column 21"),
        "{text}"
    );
    assert!(text.contains("did you mean `db`?"), "{text}");
}

#[test]
fn threat_dragon_boundaries_come_from_the_drawing() {
    // Boxes: each element in the box around its centre.
    let m = load(&root().join("tests/third-party/fixtures/threat-dragon/three-tier-web-app.json"))
        .model;
    let zone = |m: &Model, id: &str| {
        let e = m.element(id).unwrap_or_else(|| panic!("element {id}"));
        e.boundary.map(|b| m.boundaries[b].name.clone())
    };
    assert_eq!(zone(&m, "web-ui").as_deref(), Some("Internet"));
    assert_eq!(zone(&m, "web-service").as_deref(), Some("Public Cloud"));
    assert_eq!(zone(&m, "postgressql").as_deref(), Some("Public Cloud"));
    // A bidirectional flow is a flow and its response.
    let back = m
        .flow("web-service-to-postgressql-response")
        .expect("the way back");
    assert_eq!(
        back.response_to.map(|r| m.flows[r].id.as_str()),
        Some("web-service-to-postgressql")
    );

    // Lines: elements on one side share a zone; a loose flow end is attached
    // to the element it touches.
    let loaded =
        load(&root().join("tests/third-party/fixtures/threat-dragon/v2-threat-model.json"));
    let m = &loaded.model;
    let browser = zone(m, "browser");
    let web = zone(m, "web-application");
    assert!(browser.is_some() && web.is_some());
    assert_ne!(browser, web, "a trust boundary line runs between them");
    assert_eq!(
        zone(m, "web-application"),
        zone(m, "web-application-config")
    );
    assert_ne!(zone(m, "database"), web);
    assert_ne!(zone(m, "message-queue"), web);
    let request = m.flow("web-request").expect("the request");
    assert_eq!(m.elements[request.source].id, "browser");
    let warnings: Vec<String> = loaded.warnings.0.iter().map(|d| d.to_string()).collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[0].contains(":18:7: warning: the diagram \"Main Request Data Flow\" draws its trust boundaries as lines"), "{}", warnings[0]);
    assert!(
        warnings[1]
            .contains(":1972:23: warning: the source of the flow \"Web Request\" is not attached"),
        "{}",
        warnings[1]
    );
    // Store flags are pytm attributes.
    let db = m.element("database").expect("the database");
    assert!(db.attrs.flag(attrs::lookup("storesLogData").expect("attr")));
    let config = m
        .element("web-application-config")
        .expect("the config store");
    assert!(config
        .attrs
        .flag(attrs::lookup("storesSensitiveData").expect("attr")));
    assert!(
        !config.attrs.flag(attrs::lookup("inScope").expect("attr")),
        "out of scope"
    );
}

#[test]
fn threat_dragon_threats_with_a_rule_become_triage_the_others_model_threats() {
    let path = scratch("ruled.td.json");
    std::fs::write(
        &path,
        r#"{
  "version": "2.4.0",
  "summary": {"title": "Ruled"},
  "detail": {"contributors": [], "diagramTop": 1, "reviewer": "", "threatTop": 2, "diagrams": [{
    "id": 0, "title": "D", "diagramType": "STRIDE", "thumbnail": "x", "version": "2.4.0",
    "cells": [
      {"id": "user", "shape": "actor", "zIndex": 1, "position": {"x": 0, "y": 0}, "size": {"width": 160, "height": 80},
       "data": {"type": "tm.Actor", "name": "User", "hasOpenThreats": false}},
      {"id": "api", "shape": "process", "zIndex": 2, "position": {"x": 400, "y": 0}, "size": {"width": 100, "height": 100},
       "data": {"type": "tm.Process", "name": "API", "hasOpenThreats": false, "threats": [
         {"title": "CSRF", "status": "Mitigated", "severity": "High", "type": "Spoofing", "description": "d",
          "mitigation": "Tokens on every form", "ruleId": "WEB-005"},
         {"title": "Own threat", "status": "Open", "severity": "Low", "type": "Tampering", "description": "d2",
          "mitigation": "m2"}]}},
      {"id": "call", "shape": "flow", "zIndex": 3, "source": {"cell": "user"}, "target": {"cell": "api"},
       "data": {"type": "tm.Flow", "name": "Call", "hasOpenThreats": false, "isEncrypted": true}}
    ]}]}
}
"#,
    )
    .expect("write the model");
    let loaded = load(&path);
    let m = &loaded.model;
    assert_eq!(m.triage.len(), 1);
    let t = &m.triage[0];
    assert_eq!(t.finding, "WEB-005@api");
    assert_eq!(t.status, Status::Mitigated);
    assert_eq!(t.justification.as_deref(), Some("Tokens on every form"));
    assert_eq!(t.severity, Some(Severity::High));
    // A threat the team wrote is a threat of the model, on its cell.
    let notes = &m.imported.as_ref().expect("imported").not_carried;
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(m.threats.len(), 1);
    let own = &m.threats[0];
    assert_eq!(own.id, "own-threat");
    assert_eq!(own.title, "Own threat");
    assert_eq!(own.description, "d2");
    assert_eq!(own.stride, [Stride::T]);
    assert_eq!(own.severity, Some(Severity::Low));
    assert_eq!(own.status, Status::Open);
    assert_eq!(own.mitigations, ["m2"]);
    assert_eq!(own.affects, [m.ids["api"]]);
    let call = m.flow("call").expect("the flow");
    assert!(call.attrs.flag(attrs::lookup("isEncrypted").expect("attr")));
}

#[test]
fn our_own_models_are_not_taken_for_another_format() {
    for entry in std::fs::read_dir(root().join("examples")).expect("examples") {
        let path = entry.expect("an entry").path();
        let m = load(&path).model;
        assert!(
            m.imported.is_none(),
            "{} read as {:?}",
            path.display(),
            m.imported.map(|i| i.format)
        );
    }
    // Our format with pytm's words is still ours, and the error says what to write.
    let path = scratch("almost-pytm.yaml");
    std::fs::write(
        &path,
        "title: Shop\nelements:\n  - {id: web, type: server, inBoundary: dmz}\n",
    )
    .expect("write");
    let Err(d) = tms_formats::load::load_path(&path) else {
        panic!("an unknown key loads");
    };
    assert!(
        d.0[0].message.contains("unknown key `inBoundary`"),
        "{:?}",
        d.0
    );
}

/// Every path to a value in a JSON document, shallow ones first.
fn paths(v: &serde_json::Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let mut p = at.clone();
                p.push(k.clone());
                paths(x, p, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut p = at.clone();
                p.push(i.to_string());
                paths(x, p, out);
            }
        }
        _ => {}
    }
}

fn replace(v: &mut serde_json::Value, path: &[String], with: serde_json::Value) {
    let mut cur = v;
    for k in path {
        cur = match cur {
            serde_json::Value::Object(m) => m.get_mut(k).expect("a path from the document"),
            serde_json::Value::Array(a) => &mut a[k.parse::<usize>().expect("an index")],
            _ => unreachable!("paths only go through objects and arrays"),
        };
    }
    *cur = with;
}

#[test]
fn mangled_files_give_diagnostics_not_panics() {
    use serde_json::json;
    // Every tree-shaped fixture (the .tm7 is XML; its own tests mangle it).
    let trees = FIXTURES.iter().filter(|f| !f.1.ends_with(".tm7"));
    let mut mangled = 0;
    for (format, path, _) in trees {
        let src = tms_syntax::source::read(&root().join(path)).expect("the fixture reads");
        let doc = src.parse().expect("the fixture parses").to_json();
        let mut all = Vec::new();
        paths(&doc, Vec::new(), &mut all);
        all.sort_by_key(Vec::len);
        // Shallow values steer the reader most; a stride covers the rest.
        let stride = (all.len() / 60).max(1);
        let picked = all
            .iter()
            .enumerate()
            .filter(|(i, p)| p.len() <= 2 || i % stride == 0)
            .map(|(_, p)| p);
        for p in picked {
            for with in [json!(null), json!(7), json!("x y@*"), json!([])] {
                let mut d = doc.clone();
                replace(&mut d, p, with);
                let text = serde_json::to_string(&d).expect("JSON");
                let file =
                    tms_syntax::source::SourceFile::from_text(format!("{format}.json"), text);
                // Either outcome is fine; what matters is that it returns.
                match tms_formats::load::load_source(&file) {
                    Ok(l) => assert!(l.warnings.0.iter().all(|w| w.line >= 1)),
                    Err(d) => assert!(!d.0.is_empty() && d.has_errors(), "{format} {p:?}"),
                }
                mangled += 1;
            }
        }
    }
    // The filter once matched nothing and the test checked nothing.
    assert!(mangled > 1_000, "only {mangled} mangled documents");
}
