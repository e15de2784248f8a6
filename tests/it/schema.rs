//! The JSON Schema `tms schema` prints agrees with the loader: every shipped
//! example and template validates against it, corrupt models are rejected by
//! both, and every shipped model passes `tms validate --strict`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tms() -> Command {
    let mut cmd = Command::cargo_bin("tms").expect("the tms binary is built");
    cmd.current_dir(root()).env("TMS_TODAY", "2026-11-22");
    cmd
}

/// The schema as users get it: the output of `tms schema`.
fn schema() -> Value {
    let out = tms().arg("schema").output().expect("tms schema runs");
    assert!(out.status.success(), "tms schema failed");
    let printed: Value = serde_json::from_slice(&out.stdout).expect("tms schema prints JSON");
    assert_eq!(printed, tms_model::schema::model_schema());
    printed
}

fn validator() -> jsonschema::Validator {
    let schema = schema();
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("the schema is not a valid JSON Schema: {e}");
    }
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// Every model file in `examples/` and `templates/` (not their subdirectories).
fn shipped_models() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples", "templates"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap_or_else(|e| panic!("{dir}/: {e}"))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
            })
            .collect();
        assert!(!found.is_empty(), "no model in {dir}/");
        found.sort();
        out.extend(found);
    }
    out
}

/// A model file as plain JSON, read by the project's own loader.
fn as_json(path: &Path) -> Value {
    let src = tms_syntax::source::read(path).unwrap_or_else(|d| panic!("{d}"));
    src.parse().unwrap_or_else(|d| panic!("{d}")).to_json()
}

fn schema_errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("at `{}`: {e}", e.instance_path))
        .collect()
}

#[test]
fn every_example_and_template_validates_against_the_schema() {
    let v = validator();
    let mut failures = Vec::new();
    for path in shipped_models() {
        let errors = schema_errors(&v, &as_json(&path));
        if !errors.is_empty() {
            failures.push(format!("{}:\n  {}", path.display(), errors.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_example_and_template_passes_strict_validation() {
    let mut failures = Vec::new();
    for path in shipped_models() {
        let out = tms()
            .args(["validate", "--strict"])
            .arg(&path)
            .output()
            .expect("tms validate runs");
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{} (exit {:?}):\n{}",
                path.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn base_model() -> Value {
    json!({
        "title": "Shop",
        "boundaries": [{"id": "dmz", "name": "DMZ"}],
        "data": [{"id": "card", "classification": "sensitive", "isPII": true}],
        "elements": [
            {"id": "user", "type": "actor"},
            {"id": "web", "type": "server", "boundary": "dmz", "isHardened": true, "port": 443},
            {"id": "db", "type": "datastore", "boundary": "dmz", "storesPII": true}
        ],
        "flows": [
            {"id": "pay", "from": "user", "to": "web", "data": ["card"], "protocol": "HTTPS"},
            {"id": "store", "from": "web", "to": "db", "data": ["card"]}
        ],
        "triage": [
            {"finding": "INP01@web", "status": "mitigated", "justification": "WAF", "expires": "2027-06-30"}
        ]
    })
}

/// Whether the loader accepts a JSON model (errors only; warnings are fine).
fn loader_accepts(model: &Value) -> Result<(), String> {
    let src = tms_syntax::source::SourceFile::from_text("m.json", model.to_string());
    match tms_formats::load::load_source(&src) {
        Ok(_) => Ok(()),
        Err(d) => Err(d
            .0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

#[test]
fn the_base_model_is_valid_for_both() {
    let v = validator();
    let m = base_model();
    assert_eq!(schema_errors(&v, &m), Vec::<String>::new());
    loader_accepts(&m).unwrap();
}

#[test]
fn corrupt_models_are_rejected_by_the_schema_and_the_loader() {
    let v = validator();
    type Corrupt = fn(&mut Value);
    let cases: &[(&str, Corrupt)] = &[
        ("unknown top-level key", |m| {
            m["descripton"] = json!("x");
        }),
        ("unknown element key", |m| {
            m["elements"][1]["isHardend"] = json!(true);
        }),
        ("unknown flow key", |m| {
            m["flows"][0]["protocl"] = json!("HTTPS");
        }),
        ("unknown data key", |m| {
            m["data"][0]["clasification"] = json!("secret");
        }),
        ("unknown boundary key", |m| {
            m["boundaries"][0]["inscope"] = json!(true);
        }),
        ("unknown triage key", |m| {
            m["triage"][0]["justifcation"] = json!("x");
        }),
        ("bad classification", |m| {
            m["data"][0]["classification"] = json!("secrett");
        }),
        ("bad element type", |m| {
            m["elements"][1]["type"] = json!("sever");
        }),
        ("bad triage status", |m| {
            m["triage"][0]["status"] = json!("done");
        }),
        ("bad TLS version", |m| {
            m["flows"][0]["tlsVersion"] = json!("TLS2");
        }),
        ("string for a boolean", |m| {
            m["elements"][1]["isHardened"] = json!("true");
        }),
        ("list for a string", |m| {
            m["flows"][0]["protocol"] = json!(["HTTPS"]);
        }),
        ("number for an enum", |m| {
            m["data"][0]["classification"] = json!(3);
        }),
        ("attribute of another element type", |m| {
            m["elements"][1]["isSQL"] = json!(true);
        }),
        ("pytm's nested controls", |m| {
            m["elements"][1]["controls"] = json!({"isHardened": true});
        }),
        ("missing title", |m| {
            m.as_object_mut().unwrap().remove("title");
        }),
        ("empty title", |m| {
            m["title"] = json!("");
        }),
        ("element without a type", |m| {
            m["elements"][0].as_object_mut().unwrap().remove("type");
        }),
        ("flow without `to`", |m| {
            m["flows"][0].as_object_mut().unwrap().remove("to");
        }),
        ("id with whitespace", |m| {
            m["elements"][0]["id"] = json!("the user");
            m["flows"][0]["from"] = json!("the user");
        }),
        ("bad finding id", |m| {
            m["triage"][0]["finding"] = json!("INP01");
        }),
        ("DREAD factor out of range", |m| {
            m["triage"][0]["dread"] = json!({"damage": 11, "reproducibility": 1,
                "exploitability": 1, "affectedUsers": 1, "discoverability": 1});
        }),
    ];
    let mut failures = Vec::new();
    for (what, corrupt) in cases {
        let mut m = base_model();
        corrupt(&mut m);
        if v.is_valid(&m) {
            failures.push(format!("{what}: the schema accepts it"));
        }
        if loader_accepts(&m).is_ok() {
            failures.push(format!("{what}: the loader accepts it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
