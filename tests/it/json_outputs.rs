//! Every JSON output of tms validates against the schema the binary ships for
//! it (`tms schema --report`, `--diff`, `--rules`), and names its format
//! version and the tool that wrote it (issue 14: a stable machine interface).
//! The outputs checked are the real ones: the binary run on the examples and
//! fixtures.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tms(args: &[&str]) -> Value {
    let out = Command::cargo_bin("tms")
        .expect("the tms binary")
        .current_dir(root())
        .env("TMS_TODAY", "2026-11-22")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run tms");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "tms {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("tms {args:?} does not print JSON: {e}"))
}

/// The schema as `tms schema FLAG` prints it: a valid JSON Schema, compiled.
fn shipped_validator(flag: &str) -> jsonschema::Validator {
    let schema = tms(&["schema", flag]);
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("`tms schema {flag}` is not a valid JSON Schema: {e}");
    }
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "tms schema {flag}"
    );
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("at `{}`: {e}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}:\n  {}", errors.join("\n  "));
}

fn assert_tool(doc: &Value, version: u64, what: &str) {
    assert_eq!(doc["formatVersion"], version, "{what}: formatVersion");
    assert_eq!(doc["tool"]["name"], "tms", "{what}: tool.name");
    assert_eq!(
        doc["tool"]["version"],
        env!("CARGO_PKG_VERSION"),
        "{what}: tool.version"
    );
}

#[test]
fn the_json_report_validates_against_tms_schema_report() {
    let v = shipped_validator("--report");
    for model in [
        "examples/web-shop.yaml",
        "examples/cloud-microservices.yaml",
        "examples/llm-support-agent.yaml",
        "tests/ci/shop-v2.yaml",
    ] {
        let doc = tms(&["report", model, "--format", "json"]);
        assert_valid(&v, &doc, model);
        assert_tool(&doc, 2, model);
    }
}

#[test]
fn the_json_diff_validates_against_tms_schema_diff() {
    let v = shipped_validator("--diff");
    let rules = ["--no-default-rules", "--rules", "tests/ci/rules.yaml"];
    let mut cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [
                &["diff", "tests/ci/shop-v1.yaml", "tests/ci/shop-v2.yaml"][..],
                &rules,
            ]
            .concat(),
            "shop v1 → v2, fixture rules",
        ),
        (
            [
                &["diff", "tests/ci/shop-v2.yaml", "tests/ci/shop-v1.yaml"][..],
                &rules,
            ]
            .concat(),
            "shop v2 → v1, fixture rules",
        ),
        (
            vec!["diff", "tests/ci/shop-v1.yaml", "tests/ci/shop-v2.yaml"],
            "shop v1 → v2, built-in rules (questions too)",
        ),
        (
            vec!["diff", "examples/web-shop.yaml", "examples/web-shop.yaml"],
            "no change",
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (args, what) in &mut cases {
        args.extend(["--format", "json"]);
        let doc = tms(args);
        assert_valid(&v, &doc, what);
        assert_tool(&doc, 1, what);
        for key in [
            "added",
            "removed",
            "changed",
            "questionsAdded",
            "questionsAnswered",
        ] {
            if doc[key].as_array().is_some_and(|a| !a.is_empty()) {
                seen.insert(key);
            }
        }
    }
    // Together the cases exercise every list the schema describes.
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            "added",
            "changed",
            "questionsAdded",
            "questionsAnswered",
            "removed"
        ]
    );
}

#[test]
fn the_rule_list_validates_against_tms_schema_rules() {
    let v = shipped_validator("--rules");
    for args in [
        vec!["rules", "list", "--json"],
        vec![
            "rules", "list", "--json", "--stride", "I", "--target", "flow",
        ],
        vec!["rules", "list", "--json", "--framework", "CWE-319"],
        vec![
            "rules",
            "list",
            "--json",
            "--no-default-rules",
            "--rules",
            "tests/third-party/fixtures/pytm/threats.json",
        ],
        vec!["rules", "list", "--json", "--rules", "tests/ci/rules.yaml"],
    ] {
        let what = args.join(" ");
        let doc = tms(&args);
        assert_valid(&v, &doc, &what);
        assert_tool(&doc, 1, &what);
        assert!(
            doc["rules"].as_array().is_some_and(|a| !a.is_empty()),
            "{what}: no rules"
        );
    }
}

#[test]
fn the_shipped_schemas_are_the_ones_in_the_repository() {
    for (flag, file) in [
        ("--report", "crates/tms-report/schemas/report-2.schema.json"),
        ("--diff", "crates/tms-report/schemas/diff-1.schema.json"),
        ("--rules", "crates/tms-report/schemas/rules-1.schema.json"),
    ] {
        let on_disk: Value = serde_json::from_slice(
            &std::fs::read(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}")),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(tms(&["schema", flag]), on_disk, "tms schema {flag}");
    }
}
