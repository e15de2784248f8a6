//! Threats and decisions other tools record, carried into the model's
//! `threats:` section by `tms import` (issue 16): each appears in `tms report
//! --format json` as a finding of source "model" with its status; OTM's
//! export reads back with the same threats; the OWASP Threat Model Library is
//! read and written, its output valid against the library's schema.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tms() -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(root()).env("TMS_TODAY", "2026-11-22");
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-tmp/import-threats");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir.join(name)
}

fn run(args: &[&str]) -> String {
    let out = tms().args(args).output().expect("run tms");
    assert!(
        out.status.success(),
        "tms {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The model findings of a report: (id, title, status), in report order.
fn model_findings(model: &str) -> Vec<(String, String, String)> {
    let doc: Value =
        serde_json::from_str(&run(&["report", model, "--format", "json"])).expect("JSON");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["source"] == "model")
        .map(|f| {
            (
                f["id"].as_str().unwrap_or("").to_string(),
                f["title"].as_str().unwrap_or("").to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Each threat of a model file as (id, title, status).
fn stated(path: &std::path::Path) -> Vec<(String, String, tms_model::Status)> {
    let l = tms_formats::load::load_path(path).expect("the model loads");
    l.model
        .threats
        .iter()
        .map(|t| (t.id.clone(), t.title.clone(), t.status))
        .collect()
}

fn owned(v: &[(&str, &str, tms_model::Status)]) -> Vec<(String, String, tms_model::Status)> {
    v.iter()
        .map(|(i, t, s)| (i.to_string(), t.to_string(), *s))
        .collect()
}

fn count(findings: &[(String, String, String)], status: &str) -> usize {
    findings.iter().filter(|f| f.2 == status).count()
}

#[test]
fn threat_dragon_threats_are_model_threats_with_their_status() {
    let f = model_findings("tests/third-party/fixtures/threat-dragon/v2-threat-model.json");
    // The demo's 14 hand-written threats, one finding each (each on one cell).
    assert_eq!(f.len(), 14, "{f:#?}");
    assert_eq!(count(&f, "mitigated"), 4, "{f:#?}");
    assert_eq!(count(&f, "open"), 10, "{f:#?}");
    assert!(
        f.iter()
            .any(|(id, title, _)| id.starts_with("accessing-db-credentials@")
                && title == "Accessing DB credentials"),
        "{f:#?}"
    );
    let f = model_findings("tests/third-party/fixtures/threat-dragon/three-tier-web-app.json");
    assert_eq!(f.len(), 2, "{f:#?}");
}

#[test]
fn threat_dragon_threats_keep_stride_severity_and_mitigation() {
    let l = tms_formats::load::load_path(
        &root().join("tests/third-party/fixtures/threat-dragon/v2-threat-model.json"),
    )
    .expect("loads");
    let t = l
        .model
        .threats
        .iter()
        .find(|t| t.title == "Unauthorised access")
        .expect("the threat");
    assert_eq!(t.stride, [tms_model::Stride::I]);
    assert_eq!(t.severity, Some(tms_model::Severity::High));
    assert_eq!(t.status, tms_model::Status::Mitigated);
    assert_eq!(t.mitigations, ["Require all queries to be authenticated."]);
    assert_eq!(t.affects.len(), 1);
}

/// A model of ours with threats on an element, on a flow, and on the whole
/// system, open and decided.
const WITH_THREATS: &str = r#"title: Threats round trip
elements:
  - id: user
    type: actor
    name: User
  - id: web
    type: server
    name: Web
flows:
  - id: login
    name: Login
    from: user
    to: web
threats:
  - id: TM-1
    title: Session fixation
    stride: [S]
    affects: [web]
    severity: high
    status: mitigated
    justification: Sessions are renewed at login
    mitigations: [Renew the session id at login, Bind sessions to the client]
  - id: TM-2
    title: Credentials sniffed on the way in
    stride: [I]
    affects: [login]
  - id: TM-3
    title: The provider goes away
    status: accepted
    justification: Contract with an exit clause
    owner: ops
"#;

#[test]
fn otm_export_and_import_keep_the_model_threats() {
    let model = scratch("with-threats.yaml");
    std::fs::write(&model, WITH_THREATS).expect("write the model");
    let model = model.to_string_lossy().to_string();
    let otm = scratch("with-threats.otm.json");
    std::fs::write(&otm, run(&["export", &model, "--format", "otm"])).expect("write OTM");
    let otm = otm.to_string_lossy().to_string();
    let yaml = scratch("with-threats.back.yaml");
    std::fs::write(&yaml, run(&["import", "--from", "otm", &otm])).expect("write the import");
    let yaml = yaml.to_string_lossy().to_string();

    let want = model_findings(&model);
    assert_eq!(want.len(), 3, "{want:#?}");
    assert_eq!(model_findings(&otm), want);
    assert_eq!(model_findings(&yaml), want);

    let back = tms_formats::load::load_path(std::path::Path::new(&otm)).expect("loads");
    assert_eq!(
        stated(std::path::Path::new(&otm)),
        owned(&[
            ("TM-1", "Session fixation", tms_model::Status::Mitigated),
            (
                "TM-2",
                "Credentials sniffed on the way in",
                tms_model::Status::Open
            ),
            (
                "TM-3",
                "The provider goes away",
                tms_model::Status::Accepted
            ),
        ])
    );
    let tm1 = &back.model.threats[0];
    assert_eq!(
        tm1.mitigations,
        [
            "Renew the session id at login",
            "Bind sessions to the client"
        ]
    );
    assert_eq!(
        tm1.justification.as_deref(),
        Some("Sessions are renewed at login")
    );
    assert_eq!(back.model.threats[2].owner.as_deref(), Some("ops"));
}

#[test]
fn otm_threats_of_other_tools_are_model_threats() {
    let f = model_findings("tests/third-party/fixtures/otm/example.otm.json");
    assert!(!f.is_empty(), "the OTM example's threats are findings");
}

#[test]
fn threagile_risk_tracking_and_individual_risks_are_model_threats() {
    let l = tms_formats::load::load_path(
        &root().join("tests/third-party/fixtures/threagile/example.yaml"),
    )
    .expect("loads");
    let t = &l.model.threats;
    let accepted = t
        .iter()
        .find(|t| t.id == "untrusted-deserialization-erp-system")
        .expect("the tracked risk");
    assert_eq!(accepted.status, tms_model::Status::Accepted);
    assert_eq!(accepted.ticket.as_deref(), Some("XYZ-1234"));
    assert_eq!(accepted.owner.as_deref(), Some("John Doe"));
    assert_eq!(accepted.affects.len(), 1);
    let individual = t
        .iter()
        .find(|t| t.id == "something-strange")
        .expect("the individual risk category");
    assert_eq!(individual.severity, Some(tms_model::Severity::Critical));
    assert_eq!(individual.stride, [tms_model::Stride::R]);
    let f = model_findings("tests/third-party/fixtures/threagile/example.yaml");
    assert!(count(&f, "accepted") >= 1, "{f:#?}");
}

#[test]
fn threat_model_spec_stride_entries_are_model_threats() {
    let f = model_findings(
        "tests/third-party/fixtures/threat-model-spec/design-phase-payment-checkout.json",
    );
    assert!(
        f.iter().any(|(id, _, _)| id == "stride-s@checkout-api"),
        "{f:#?}"
    );
}

const TML: &str = "tests/import/owasp-tml/ephemeral-browser-isolation.json";

#[test]
fn owasp_tml_imports_elements_flows_and_threats() {
    let l = tms_formats::load::load_path(&root().join(TML)).expect("loads");
    let m = &l.model;
    assert_eq!(
        m.imported.as_ref().map(|i| i.format.as_str()),
        Some("owasp-threat-model-library"),
        "detected from its content"
    );
    assert_eq!(m.boundaries.len(), 5);
    assert_eq!(m.elements.len(), 3 + 9 + 3);
    assert_eq!(m.data.len(), 3);
    assert_eq!(m.flows.len(), 16);
    assert_eq!(m.threats.len(), 11);
    let t = m
        .threats
        .iter()
        .find(|t| t.id == "persistent-tracking-fingerprinting")
        .expect("the threat");
    assert_eq!(t.affects.len(), 1);
    assert!(!t.mitigations.is_empty(), "controls are its mitigations");
    assert_eq!(
        t.severity,
        Some(tms_model::Severity::High),
        "its risk's band"
    );
    let mappings = t.mappings.as_ref().expect("CAPEC and CWE");
    assert_eq!(mappings.capec[0].id, "CAPEC-148");
    assert_eq!(mappings.cwe[0].id, "CWE-359");
    let f = model_findings(TML);
    assert!(f.len() >= 11, "{f:#?}");
}

fn tml_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        root().join("tests/third-party/schemas/owasp-threat-model-library-1.0.schema.json"),
    )
    .expect("the schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

#[test]
fn owasp_tml_exports_validate_against_the_schema() {
    let v = tml_validator();
    let model = scratch("with-threats-tml.yaml");
    std::fs::write(&model, WITH_THREATS).expect("write the model");
    let model = model.to_string_lossy().to_string();
    for m in [
        "examples/web-shop.yaml",
        "examples/cloud-microservices.yaml",
        "tests/third-party/fixtures/threat-dragon/v2-threat-model.json",
        TML,
        model.as_str(),
    ] {
        let out = run(&["export", m, "--format", "owasp-threat-model-library"]);
        let doc: Value = serde_json::from_str(&out).expect("JSON");
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{m}: {errors:#?}");
        assert!(
            !doc["threats"].as_array().expect("threats").is_empty(),
            "{m}: findings are threats"
        );
        // Deterministic.
        assert_eq!(
            out,
            run(&["export", m, "--format", "owasp-threat-model-library"])
        );
    }
    // The source file itself is valid, so the test checks what it should.
    let text = std::fs::read_to_string(root().join(TML)).expect("the fixture");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert!(v.is_valid(&doc));
}

#[test]
fn owasp_tml_export_reads_back() {
    let out = scratch("web-shop.tml.json");
    std::fs::write(
        &out,
        run(&[
            "export",
            "examples/web-shop.yaml",
            "--format",
            "owasp-threat-model-library",
        ]),
    )
    .expect("write the export");
    let back = tms_formats::load::load_path(&out).expect("the export reads back");
    let src = tms_formats::load::load_path(&root().join("examples/web-shop.yaml")).expect("loads");
    assert_eq!(back.model.elements.len(), src.model.elements.len());
    assert_eq!(back.model.flows.len(), src.model.flows.len());
    assert!(!back.model.threats.is_empty());
}

#[test]
fn threat_dragon_export_and_import_keep_the_model_threats() {
    let model = scratch("with-threats-td.yaml");
    std::fs::write(&model, WITH_THREATS).expect("write the model");
    let model = model.to_string_lossy().to_string();
    let td = scratch("with-threats.td.json");
    std::fs::write(&td, run(&["export", &model, "--format", "threat-dragon"])).expect("write");
    // Threat Dragon draws threats on cells: one to the whole system has no place.
    assert_eq!(
        stated(&td),
        owned(&[
            ("TM-1", "Session fixation", tms_model::Status::Mitigated),
            (
                "TM-2",
                "Credentials sniffed on the way in",
                tms_model::Status::Open
            ),
        ])
    );
    let back = tms_formats::load::load_path(&td).expect("the export reads back");
    assert!(
        back.model.triage.is_empty(),
        "no triage of rules that do not exist"
    );
}

#[test]
fn owasp_tml_references_are_checked_with_positions() {
    let path = scratch("broken.tml.json");
    std::fs::write(
        &path,
        r#"{
  "version": "1.0",
  "scope": {"title": "Broken", "description": "d", "business_criticality": "low",
            "data_sensitivity": [], "exposure": "internal", "tier": "important"},
  "trust_zones": [{"symbolic_name": "inside", "title": "Inside", "description": "d"}],
  "trust_boundaries": [],
  "actors": [],
  "components": [{"symbolic_name": "api", "title": "API", "description": "d", "trust_zone": "insde"}],
  "data_stores": [],
  "data_sets": [],
  "data_flows": [{"symbolic_name": "call", "title": "Call", "description": "d",
                  "source": {"type": "component", "object": "api"},
                  "destination": {"type": "component", "object": "db"},
                  "has_sensitive_data": false, "encrypted": true}],
  "threats": [{"symbolic_name": "t", "title": "T", "description": "d", "threat_persona": "p",
               "event": "e", "sources": ["adversary"], "components_affected": ["apii"]}]
}"#,
    )
    .expect("write the document");
    let out = tms()
        .args(["import", "--from", "owasp-threat-model-library"])
        .arg(&path)
        .output()
        .expect("run tms import");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for want in [
        ":8:93: error: a component names the trust zone \"insde\", which does not exist",
        "did you mean \"inside\"?",
        ":13:66: error: the destination of `call` names the actor, component or data store \"db\"",
        ":16:80: error: the threat `t` names the actor, component or data store \"apii\"",
    ] {
        assert!(stderr.contains(want), "{want}\n{stderr}");
    }
}
