//! The Microsoft Threat Modeling Tool's `.tm7` (XML) and AWS Threat
//! Composer's workspaces: each imports, is detected by every command that
//! reads a model, and its threats are findings of source "model"; a hostile
//! `.tm7` is refused with a position; the Threat Composer export is valid
//! against the tool's own schema and reads back with every threat.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

const TM7: &str = "tests/import/tmt/sample-threat-model.tm7";
const TC: &str = "tests/import/threat-composer/GenAIChatbot.tc.json";
const TC_SCHEMA: &str = "tests/import/threat-composer/threat-composer-v1.schema.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tms() -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(root()).env("TMS_TODAY", "2026-11-22");
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-tmp/import-tmt-composer");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir.join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = tms().args(args).output().expect("run tms");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The findings of source "model" in `tms report --format json`.
fn model_findings(path: &str) -> Vec<Value> {
    let (_, out, err) = run(&["report", path, "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["source"] == "model")
        .cloned()
        .collect()
}

#[test]
fn tm7_imports_validates_and_reports_its_29_threats() {
    let (code, yaml, err) = run(&["import", "--from", "tmt", TM7]);
    assert_eq!(code, 0, "{err}");
    assert!(yaml.contains("threats:"), "{yaml}");
    assert!(err.contains("not carried over"), "{err}");
    let written = scratch("sample.yaml");
    std::fs::write(&written, &yaml).expect("write the import");
    let (code, _, err) = run(&["validate", written.to_str().expect("UTF-8 path")]);
    assert_eq!(code, 0, "the imported model validates: {err}");

    // Detected from content by every command that reads a model.
    let (code, _, err) = run(&["validate", TM7]);
    assert_eq!(code, 0, "{err}");
    let stated = model_findings(TM7);
    assert_eq!(stated.len(), 29, "{stated:#?}");
    assert!(stated.iter().all(|f| f["status"] == "open"));
    assert!(stated.iter().all(|f| f["severity"] == "high"));
    // Each threat is on the connector it was generated for.
    assert!(
        stated.iter().all(|f| f["targetType"] == "flow"),
        "{stated:#?}"
    );
    assert_eq!(
        model_findings(written.to_str().expect("UTF-8 path")).len(),
        29
    );

    let loaded = tms_formats::load::load_path(&root().join(TM7)).expect("loads");
    let m = &loaded.model;
    assert_eq!(
        (m.elements.len(), m.flows.len(), m.boundaries.len()),
        (4, 6, 1)
    );
    let inside = m.elements.iter().filter(|e| e.boundary.is_some()).count();
    assert!(
        inside > 0,
        "the border boundary holds what is drawn inside it"
    );
    let https = m.flows.iter().filter(|f| f.name == "HTTPS").count();
    assert_eq!(https, 2);
}

#[test]
fn hostile_tm7_files_exit_2_with_a_position() {
    let cases: [(&str, String, &str); 5] = [
        (
            "doctype.tm7",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE ThreatModel [<!ENTITY a \"aaaaaaaaaa\">]>\n<ThreatModel>&a;</ThreatModel>\n".into(),
            ":2:1: error: the file declares a DOCTYPE",
        ),
        (
            "deep.tm7",
            format!("<ThreatModel>{}{}</ThreatModel>", "<a>".repeat(50_000), "</a>".repeat(50_000)),
            "nests deeper than",
        ),
        (
            "bad.tm7",
            "<ThreatModel>\n  <Notes></Note>\n</ThreatModel>\n".into(),
            ":2:",
        ),
        (
            "wide.tm7",
            format!("<ThreatModel>{}</ThreatModel>", "<a/>".repeat(4_100_000)),
            "more than 4000000 nodes",
        ),
        (
            "truncated.tm7",
            "<ThreatModel><DrawingSurfaceList><DrawingSurfaceModel>".into(),
            "invalid XML",
        ),
    ];
    for (name, text, want) in cases {
        let path = scratch(name);
        std::fs::write(&path, text).expect("write the case");
        let path = path.to_str().expect("UTF-8 path");
        for args in [
            vec!["import", "--from", "tmt", path],
            vec!["validate", path],
        ] {
            let (code, _, err) = run(&args);
            assert_eq!(code, 2, "{name} {args:?}: {err}");
            assert!(err.contains(want), "{name} {args:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

#[test]
fn xml_that_is_not_a_tm7_is_refused_clearly() {
    let path = scratch("other.xml");
    std::fs::write(&path, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").expect("write");
    let path = path.to_str().expect("UTF-8 path");
    let (code, _, err) = run(&["validate", path]);
    assert_eq!(code, 2);
    assert!(err.contains("this is XML, not YAML or JSON"), "{err}");
    let (code, _, err) = run(&["import", "--from", "tmt", path]);
    assert_eq!(code, 2);
    assert!(
        err.contains("this is not a Microsoft Threat Modeling Tool file"),
        "{err}"
    );
    let (code, _, err) = run(&["import", "--from", "otm", TM7]);
    assert_eq!(code, 2);
    assert!(
        err.contains("this is not an Open Threat Model") || err.contains("this is not"),
        "{err}"
    );
}

fn composer_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(TC_SCHEMA)).expect("the schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("the Threat Composer schema compiles")
}

#[test]
fn threat_composer_imports_its_threats_for_the_whole_system() {
    let (code, yaml, err) = run(&["import", "--from", "threat-composer", TC]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("left for you to model"), "{err}");
    let written = scratch("composer.yaml");
    std::fs::write(&written, &yaml).expect("write the import");
    let (code, _, err) = run(&["validate", written.to_str().expect("UTF-8 path")]);
    assert_eq!(code, 0, "{err}");
    let loaded = tms_formats::load::load_path(&root().join(TC)).expect("loads");
    let m = &loaded.model;
    assert_eq!(m.threats.len(), 37);
    assert_eq!(m.assumptions.len(), 13);
    assert!(m.threats.iter().all(|t| t.affects.is_empty()));
    assert!(m.threats.iter().any(|t| !t.mitigations.is_empty()));
    assert!(m.threats.iter().all(|t| !t.stride.is_empty()));
    assert_eq!(model_findings(TC).len(), 37);
}

#[test]
fn threat_composer_export_is_valid_and_reads_back() {
    let v = composer_validator();
    for model in ["examples/web-shop.yaml", TM7, TC] {
        let (code, out, err) = run(&["export", model, "--format", "threat-composer"]);
        assert_eq!(code, 0, "{model}: {err}");
        let doc: Value = serde_json::from_str(&out).expect("JSON");
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{model}: {errors:#?}");
        let (_, again, _) = run(&["export", model, "--format", "threat-composer"]);
        assert_eq!(out, again, "{model}: the export is deterministic");

        let path = scratch("export.tc.json");
        std::fs::write(&path, &out).expect("write the export");
        let back = tms_formats::load::load_path(&path).expect("the export reads back");
        let threats = doc["threats"].as_array().map_or(0, Vec::len);
        assert_eq!(back.model.threats.len(), threats, "{model}");
        assert!(threats > 0, "{model}");
    }
}
