//! `tms export --format otm` and `--format threat-dragon`: each output is valid
//! for the other tool (OTM's JSON Schema with the `jsonschema` crate; Threat
//! Dragon's schema with Ajv, the validator it is written for), deterministic,
//! and reads back with `tms import` as the model it came from.
//!
//! The Threat Dragon check runs Node with Ajv from `TMS_NODE_MODULES`
//! (scripts/test.sh installs it into target/node).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

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
    let dir = root().join("target/test-tmp/export-interchange");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir.join(name)
}

/// Models to export: the shipped examples, and a file of every format read.
const MODELS: &[&str] = &[
    "examples/web-shop.yaml",
    "examples/cloud-microservices.yaml",
    "examples/llm-support-agent.yaml",
    "tests/third-party/fixtures/pytm/input.json",
    "tests/third-party/fixtures/otm/example.otm.json",
    "tests/third-party/fixtures/otm/td-mobile-cloud.otm.json",
    "tests/third-party/fixtures/threat-dragon/v2-threat-model.json",
    "tests/third-party/fixtures/threagile/example.yaml",
];

fn export(model: &str, format: &str) -> String {
    let out = tms()
        .args(["export", model, "--format", format])
        .output()
        .expect("run tms export");
    assert!(
        out.status.success(),
        "tms export {model} --format {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn otm_validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(root().join("tests/third-party/schemas/otm-0.2.0.schema.json"))
            .expect("the OTM schema in ../shared");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .expect("the OTM schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// What OTM's own validator checks beyond the schema: trust zones, components
/// and dataflows have unique ids, and parents and dataflow ends resolve.
fn otm_id_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    let list = |k: &str| doc[k].as_array().cloned().unwrap_or_default();
    for k in ["trustZones", "components", "dataflows"] {
        for item in list(k) {
            let id = item["id"].as_str().unwrap_or("").to_string();
            if !ids.insert(id.clone()) {
                problems.push(format!("repeated id {id}"));
            }
        }
    }
    let zones: HashSet<String> = list("trustZones")
        .iter()
        .filter_map(|z| z["id"].as_str().map(str::to_string))
        .collect();
    let components: HashSet<String> = list("components")
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect();
    for c in list("components") {
        let p = &c["parent"];
        let ok = p["trustZone"].as_str().is_some_and(|z| zones.contains(z))
            || p["component"]
                .as_str()
                .is_some_and(|x| components.contains(x));
        if !ok {
            problems.push(format!("component {} has no valid parent", c["id"]));
        }
    }
    for f in list("dataflows") {
        for end in ["source", "destination"] {
            if !f[end].as_str().is_some_and(|x| components.contains(x)) {
                problems.push(format!("dataflow {} {end} does not resolve", f["id"]));
            }
        }
    }
    let threats: HashSet<String> = list("threats")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect();
    let mitigations: HashSet<String> = list("mitigations")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect();
    for item in list("components").iter().chain(list("dataflows").iter()) {
        for t in item["threats"].as_array().cloned().unwrap_or_default() {
            if !threats.contains(t["threat"].as_str().unwrap_or("")) {
                problems.push(format!("threat {} does not resolve", t["threat"]));
            }
            for m in t["mitigations"].as_array().cloned().unwrap_or_default() {
                if !mitigations.contains(m["mitigation"].as_str().unwrap_or("")) {
                    problems.push(format!("mitigation {} does not resolve", m["mitigation"]));
                }
            }
        }
    }
    problems
}

#[test]
fn otm_exports_validate_against_the_otm_schema() {
    let v = otm_validator();
    // The validator is not vacuous: the shipped OTM samples pass, a broken one fails.
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/third-party/fixtures/otm/example.otm.json"))
            .expect("the sample"),
    )
    .expect("JSON");
    assert!(schema_errors(&v, &sample).is_empty());
    let mut broken = sample.clone();
    broken["components"][0]
        .as_object_mut()
        .expect("a component")
        .remove("parent");
    broken["trustZones"][0]["risk"] = serde_json::json!({});
    assert_eq!(
        schema_errors(&v, &broken).len(),
        2,
        "{:?}",
        schema_errors(&v, &broken)
    );

    for model in MODELS {
        let text = export(model, "otm");
        let doc: Value = serde_json::from_str(&text).expect("the export is JSON");
        let errors = schema_errors(&v, &doc);
        assert!(errors.is_empty(), "{model}: {errors:#?}");
        let problems = otm_id_problems(&doc);
        assert!(problems.is_empty(), "{model}: {problems:#?}");
        assert_eq!(doc["otmVersion"], "0.2.0");
        assert_eq!(
            text,
            export(model, "otm"),
            "{model}: the export is deterministic"
        );
    }
}

#[test]
fn otm_export_holds_zones_components_flows_threats_and_mitigations() {
    let doc: Value = serde_json::from_str(&export("examples/web-shop.yaml", "otm")).expect("JSON");
    let m = tms_formats::load::load_path(&root().join("examples/web-shop.yaml"))
        .expect("the example loads")
        .model;
    let len = |k: &str| doc[k].as_array().map_or(0, Vec::len);
    assert_eq!(len("components"), m.elements.len());
    assert_eq!(len("dataflows"), m.flows.len());
    assert_eq!(len("assets"), m.data.len());
    let outside = m.elements.iter().any(|e| e.boundary.is_none());
    assert_eq!(len("trustZones"), m.boundaries.len() + usize::from(outside));
    assert!(len("threats") > 0 && len("threats") == len("mitigations"));
    // Findings are threats on their targets, with the triage decision as state.
    let psp = doc["dataflows"]
        .as_array()
        .expect("dataflows")
        .iter()
        .find(|f| f["id"] == "psp-authorize")
        .expect("the payment flow");
    let accepted: Vec<&Value> = psp["threats"]
        .as_array()
        .expect("threats")
        .iter()
        .filter(|t| t["state"] == "accepted")
        .collect();
    assert!(!accepted.is_empty(), "{psp:#}");
    assert!(accepted[0]["justification"]
        .as_str()
        .is_some_and(|j| j.contains("static API keys")));
    let internet = doc["trustZones"]
        .as_array()
        .expect("zones")
        .iter()
        .find(|z| z["id"] == "internet")
        .expect("the internet zone");
    assert_eq!(
        internet["risk"]["trustRating"], 10,
        "a zone of only external parties"
    );
}

/// Finding ids, statuses and justifications of a model, analysed as the CLI does.
fn findings(model: &Path) -> Vec<(String, String, Option<String>)> {
    let out = tms()
        .args(["report"])
        .arg(model)
        .args(["--format", "json"])
        .output()
        .expect("run tms report");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or("").to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
                f["justification"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn otm_export_imports_back_with_the_same_findings_and_triage() {
    for model in &MODELS[..3] {
        let otm = scratch(&format!(
            "{}.otm.json",
            Path::new(model)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("m")
        ));
        std::fs::write(&otm, export(model, "otm")).expect("write the export");
        let out = tms()
            .args(["import", "--from", "otm"])
            .arg(&otm)
            .output()
            .expect("run tms import");
        assert!(out.status.success());
        assert!(
            out.stderr.is_empty(),
            "{model}: nothing of our own export is lost: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let yaml = otm.with_extension("yaml");
        std::fs::write(&yaml, &out.stdout).expect("write the import");
        assert_eq!(findings(&yaml), findings(&root().join(model)), "{model}");
        // Reading the export directly gives the same findings too.
        assert_eq!(findings(&otm), findings(&root().join(model)), "{model}");
    }
}

/// Runs Ajv (Node) on documents; the errors it prints, one per line.
fn ajv(docs: &[PathBuf]) -> (bool, String) {
    let modules = std::env::var("TMS_NODE_MODULES").unwrap_or_else(|_| {
        panic!(
            "TMS_NODE_MODULES is not set: the Threat Dragon schema is checked with Ajv. \
             Run `npm install --prefix target/node ajv@8` and set \
             TMS_NODE_MODULES=$PWD/target/node/node_modules (scripts/test.sh does both)"
        )
    });
    assert!(
        Path::new(&modules).join("ajv").is_dir(),
        "TMS_NODE_MODULES={modules} holds no `ajv`: run `npm install --prefix target/node ajv@8`"
    );
    let out = std::process::Command::new("node")
        .arg(root().join("tests/import/ajv-validate.js"))
        .arg(root().join("tests/third-party/schemas/threat-dragon-v2.schema.json"))
        .args(docs)
        .env("TMS_NODE_MODULES", &modules)
        .output()
        .expect("run node (Node.js is needed for the Threat Dragon schema check)");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "the Ajv script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn threat_dragon_exports_validate_with_ajv() {
    // The check is not vacuous: Threat Dragon's samples pass, broken documents
    // fail, including a wrong type where the schema says `nullable`.
    let samples: Vec<PathBuf> = ["three-tier-web-app.json", "v2-threat-model.json"]
        .iter()
        .map(|f| {
            root()
                .join("tests/third-party/fixtures/threat-dragon")
                .join(f)
        })
        .collect();
    let (ok, errors) = ajv(&samples);
    assert!(ok, "{errors}");
    let mut doc: Value =
        serde_json::from_str(&export("examples/web-shop.yaml", "threat-dragon")).expect("JSON");
    let cells = doc["detail"]["diagrams"][0]["cells"]
        .as_array_mut()
        .expect("cells");
    let process = cells
        .iter_mut()
        .find(|c| c["shape"] == "process")
        .expect("a process");
    process["attrs"]["body"]["strokeDasharray"] = Value::from(5);
    let broken = scratch("broken.td.json");
    std::fs::write(&broken, doc.to_string()).expect("write");
    let (ok, errors) = ajv(&[broken]);
    assert!(!ok);
    assert!(
        errors.contains("strokeDasharray") && errors.contains("must be string"),
        "{errors}"
    );

    let mut files = Vec::new();
    for (i, model) in MODELS.iter().enumerate() {
        let text = export(model, "threat-dragon");
        assert_eq!(
            text,
            export(model, "threat-dragon"),
            "{model}: deterministic"
        );
        let path = scratch(&format!("export-{i}.td.json"));
        std::fs::write(&path, text).expect("write the export");
        files.push(path);
    }
    let (ok, errors) = ajv(&files);
    assert!(ok, "{errors}");
}

#[test]
fn threat_dragon_export_imports_back_with_its_structure() {
    for model in &MODELS[..3] {
        let path = scratch("roundtrip.td.json");
        std::fs::write(&path, export(model, "threat-dragon")).expect("write the export");
        let back = tms_formats::load::load_path(&path)
            .expect("the export loads")
            .model;
        let orig = tms_formats::load::load_path(&root().join(model))
            .expect("the model loads")
            .model;
        assert_eq!(
            back.imported.as_ref().map(|i| i.format.as_str()),
            Some("threat-dragon")
        );
        let elements = |m: &tms_model::Model| -> Vec<String> {
            m.elements
                .iter()
                .map(|e| {
                    format!(
                        "{} {} {:?} in {:?}",
                        e.id,
                        e.kind,
                        e.name,
                        e.boundary.map(|b| &m.boundaries[b].id)
                    )
                })
                .collect()
        };
        let flows = |m: &tms_model::Model| -> Vec<String> {
            m.flows
                .iter()
                .map(|f| {
                    format!(
                        "{} {} -> {}",
                        f.id, m.elements[f.source].id, m.elements[f.sink].id
                    )
                })
                .collect()
        };
        let boundaries = |m: &tms_model::Model| -> Vec<String> {
            m.boundaries
                .iter()
                .map(|b| format!("{} in {:?}", b.id, b.parent.map(|p| &m.boundaries[p].id)))
                .collect()
        };
        assert_eq!(elements(&back), elements(&orig), "{model}");
        assert_eq!(flows(&back), flows(&orig), "{model}");
        let mut got = boundaries(&back);
        let mut want = boundaries(&orig);
        got.sort();
        want.sort();
        assert_eq!(got, want, "{model}");
        // Every attribute an element set comes back (Threat Dragon keeps them
        // beside its own flags).
        for (g, w) in back.elements.iter().zip(&orig.elements) {
            for (id, v) in w.attrs.iter() {
                assert_eq!(
                    g.attrs.get(id),
                    v.as_ref(),
                    "{model}: {} {}",
                    w.id,
                    id.def().name
                );
            }
        }
    }
}
