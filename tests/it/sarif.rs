//! `tms export --format sarif`: valid SARIF 2.1.0 (the OASIS schema), and the
//! extra rules GitHub code scanning applies when it ingests a log.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CI_RULES: &str = "tests/ci/rules.yaml";
const PYTM_THREATS: &str = "tests/third-party/fixtures/pytm/threats.json";

fn tms() -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(root());
    c
}

/// Exports `model` with only the given rule file, and parses the log.
fn export(model: &str, rules: &str) -> (String, Value) {
    let out = tms()
        .args(["export", model, "--format", "sarif", "--no-default-rules"])
        .args(["--rules", rules])
        .output()
        .expect("run tms");
    assert!(
        out.status.success(),
        "tms export {model} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let log = serde_json::from_str(&text).expect("the export is JSON");
    (text, log)
}

fn validator() -> jsonschema::Validator {
    let path = root().join("tests/third-party/schemas/sarif-2.1.0.schema.json");
    let text = std::fs::read_to_string(&path).expect("the SARIF schema in ../shared");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    // The OASIS schema declares draft-07; formats (uri, uri-reference) are
    // checked too, since GitHub rejects a malformed URI.
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, log: &Value) -> Vec<String> {
    v.iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// What GitHub code scanning requires beyond the schema; returns the problems.
fn github_problems(log: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut p = |s: String| problems.push(s);
    let Some(runs) = log["runs"].as_array() else {
        return vec!["no runs".into()];
    };
    for run in runs {
        let driver = &run["tool"]["driver"];
        if driver["name"] != "tms" {
            p(format!("driver name {}", driver["name"]));
        }
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        if ids.iter().collect::<HashSet<_>>().len() != rules.len() {
            p("rule ids are missing or repeated".into());
        }
        for r in &rules {
            let sev = &r["properties"]["security-severity"];
            match sev.as_str().map(str::parse::<f64>) {
                Some(Ok(x)) if (0.0..=10.0).contains(&x) => {}
                _ => p(format!(
                    "{}: security-severity {sev} is not a 0-10 string",
                    r["id"]
                )),
            }
            let tags = r["properties"]["tags"].as_array().map_or(0, Vec::len);
            if tags == 0 || tags > 20 {
                p(format!("{}: {tags} tags", r["id"]));
            }
            for key in ["shortDescription", "fullDescription"] {
                if r[key]["text"].as_str().is_none_or(str::is_empty) {
                    p(format!("{}: empty {key}", r["id"]));
                }
            }
            if r["help"]["text"].as_str().is_none_or(str::is_empty) {
                p(format!("{}: no help text", r["id"]));
            }
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        if results.len() > 25_000 {
            p("more results than GitHub accepts".into());
        }
        let mut fingerprints = HashSet::new();
        for (i, res) in results.iter().enumerate() {
            let rule_id = res["ruleId"].as_str().unwrap_or_default();
            let index = res["ruleIndex"].as_u64().map(|x| x as usize);
            match index.and_then(|x| ids.get(x)) {
                Some(id) if *id == rule_id => {}
                _ => p(format!(
                    "result {i}: ruleIndex {index:?} does not name rule {rule_id}"
                )),
            }
            if !matches!(res["level"].as_str(), Some("error" | "warning" | "note")) {
                p(format!("result {i}: level {}", res["level"]));
            }
            let locs = res["locations"].as_array().cloned().unwrap_or_default();
            if locs.is_empty() {
                p(format!("result {i}: no location"));
            }
            for l in &locs {
                let phys = &l["physicalLocation"];
                if phys["artifactLocation"]["uri"]
                    .as_str()
                    .is_none_or(str::is_empty)
                {
                    p(format!("result {i}: no artifact uri"));
                }
                if phys["region"]["startLine"].as_u64().unwrap_or(0) < 1 {
                    p(format!("result {i}: startLine below 1"));
                }
                if phys["region"]["startColumn"].as_u64().unwrap_or(0) < 1 {
                    p(format!("result {i}: startColumn below 1"));
                }
            }
            match res["partialFingerprints"]["tmsFindingId/v1"].as_str() {
                Some(f) if !f.is_empty() => {
                    if !fingerprints.insert(f.to_string()) {
                        p(format!("result {i}: fingerprint {f} repeated"));
                    }
                }
                _ => p(format!("result {i}: no partial fingerprint")),
            }
            if res["message"]["text"].as_str().is_none_or(str::is_empty) {
                p(format!("result {i}: no message"));
            }
        }
    }
    problems
}

#[test]
fn exports_are_valid_sarif_that_github_accepts() {
    let v = validator();
    let cases = [
        ("tests/ci/shop-v1.yaml", CI_RULES),
        ("tests/ci/shop-v2.yaml", CI_RULES),
        ("tests/pytm/hand-written.yaml", PYTM_THREATS),
        ("tests/pytm/random-1.json", PYTM_THREATS),
        ("tests/pytm/random-2.json", PYTM_THREATS),
    ];
    for (model, rules) in cases {
        let (_, log) = export(model, rules);
        let results = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
        assert!(results > 0, "{model}: expected findings to check");
        let errors = schema_errors(&v, &log);
        assert!(errors.is_empty(), "{model}: schema errors: {errors:#?}");
        let problems = github_problems(&log);
        assert!(problems.is_empty(), "{model}: {problems:#?}");
    }
}

#[test]
fn a_model_without_findings_is_an_empty_valid_run() {
    let (_, log) = export("tests/ci/shop-v1.yaml", "tests/ci/no-rules.yaml");
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"],
        serde_json::json!([])
    );
    assert!(schema_errors(&validator(), &log).is_empty());
    assert!(github_problems(&log).is_empty());
}

#[test]
fn the_checks_catch_a_broken_log() {
    let (_, mut log) = export("tests/ci/shop-v1.yaml", CI_RULES);
    let result = &mut log["runs"][0]["results"][0];
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    result["ruleIndex"] = 3.into();
    log["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"] = 8.0.into();
    log["runs"][0]["results"][1]["partialFingerprints"]["tmsFindingId/v1"] = "TST-001@login".into();
    let problems = github_problems(&log).join("\n");
    for expected in [
        "startLine below 1",
        "ruleIndex Some(3) does not name rule TST-001",
        "security-severity 8.0 is not a 0-10 string",
        "fingerprint TST-001@login repeated",
    ] {
        assert!(problems.contains(expected), "missed {expected}: {problems}");
    }
    // startLine 0 breaks the schema's minimum too.
    assert!(!schema_errors(&validator(), &log).is_empty());
    let mut no_message = export("tests/ci/shop-v1.yaml", CI_RULES).1;
    no_message["runs"][0]["results"][0]
        .as_object_mut()
        .map(|r| r.remove("message"));
    assert!(!schema_errors(&validator(), &no_message).is_empty());
    // URI formats are checked: GitHub refuses a helpUri that is not absolute.
    let mut relative = export("tests/ci/shop-v1.yaml", CI_RULES).1;
    relative["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/rules.md".into();
    assert!(!schema_errors(&validator(), &relative).is_empty());
}

#[test]
fn rules_carry_help_tags_and_security_severity() {
    let (_, log) = export("tests/ci/shop-v1.yaml", CI_RULES);
    let rules = &log["runs"][0]["tool"]["driver"]["rules"];
    let ids: Vec<&str> = rules
        .as_array()
        .map(|r| r.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    // Only the rules that produced a finding, sorted by id.
    assert_eq!(ids, ["TST-001", "TST-002", "TST-003", "TST-004"]);
    let tst1 = &rules[0];
    assert_eq!(
        tst1["properties"]["tags"],
        serde_json::json!([
            "security",
            "tampering",
            "information-disclosure",
            "external/cwe/cwe-319"
        ])
    );
    // The rule's CVSS vector scores 7.4; without one, the risk level's band.
    assert_eq!(tst1["properties"]["security-severity"], "7.4");
    assert_eq!(rules[3]["properties"]["security-severity"], "9.5");
    assert_eq!(rules[2]["properties"]["security-severity"], "3.0");
    assert_eq!(
        tst1["helpUri"],
        "https://cwe.mitre.org/data/definitions/319.html"
    );
    let md = tst1["help"]["markdown"].as_str().unwrap_or_default();
    assert!(md.contains("**Mitigation.** Encrypt the flow"), "{md}");
    assert!(md.contains("- <https://cwe.mitre.org/data/definitions/319.html>"));
    assert!(md.contains("- OWASP ASVS 4.0, V9.1"));
    // Rule text is plain: markup in it is escaped, not rendered.
    let md2 = rules[1]["help"]["markdown"].as_str().unwrap_or_default();
    assert!(md2.contains("&lt;services&gt; and \\*accounts\\*"), "{md2}");
    // No URL among the references: the first CWE's page.
    assert_eq!(
        rules[1]["helpUri"],
        "https://cwe.mitre.org/data/definitions/1188.html"
    );
    assert!(rules[2].get("helpUri").is_none());
}

#[test]
fn results_point_into_the_model_with_levels_from_risk() {
    let (_, log) = export("tests/ci/shop-v1.yaml", CI_RULES);
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let by_id = |id: &str| {
        results
            .iter()
            .find(|r| r["partialFingerprints"]["tmsFindingId/v1"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let login = by_id("TST-001@login");
    assert_eq!(login["level"], "error");
    assert_eq!(
        login["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "tests/ci/shop-v1.yaml"},
            "region": {"startLine": 19, "startColumn": 5}
        })
    );
    assert_eq!(
        login["message"]["text"],
        "Unencrypted flow crosses a trust boundary: flow `login` (Login)"
    );
    assert_eq!(by_id("TST-002@web")["level"], "warning");
    assert_eq!(by_id("TST-003@user")["level"], "note");
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "tms/tests/ci/shop-v1.yaml/"
    );
}

#[test]
fn triaged_findings_are_suppressed_with_their_justification() {
    let (_, log) = export("tests/ci/shop-v1.yaml", CI_RULES);
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let suppressed: Vec<(&str, &Value)> = results
        .iter()
        .filter_map(|r| {
            r.get("suppressions").map(|s| {
                (
                    r["partialFingerprints"]["tmsFindingId/v1"]
                        .as_str()
                        .unwrap_or(""),
                    s,
                )
            })
        })
        .collect();
    let ids: Vec<&str> = suppressed.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, ["TST-002@web", "TST-003@user"]);
    assert_eq!(
        suppressed[0].1,
        &serde_json::json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": "accepted: The image is a distroless base; the baseline is tracked elsewhere. (owner platform, ticket SEC-7)",
            "location": {"physicalLocation": {
                "artifactLocation": {"uri": "tests/ci/shop-v1.yaml"},
                "region": {"startLine": 22, "startColumn": 5}
            }}
        }])
    );
    // Open findings carry no suppression.
    for r in &results {
        if r["properties"]["status"] == "open" {
            assert!(r.get("suppressions").is_none(), "{r}");
        }
    }
}

#[test]
fn fingerprints_survive_edits_that_move_lines() {
    let dir = tempdir();
    let moved = dir.join("shop.yaml");
    let original = std::fs::read_to_string(root().join("tests/ci/shop-v1.yaml")).expect("fixture");
    std::fs::write(&moved, format!("# a comment\n# and another\n{original}")).expect("write");
    let fingerprints = |log: &Value| -> Vec<(String, u64)> {
        log["runs"][0]["results"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| {
                        (
                            r["partialFingerprints"]["tmsFindingId/v1"]
                                .as_str()
                                .unwrap_or("")
                                .to_string(),
                            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                                .as_u64()
                                .unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = fingerprints(&export("tests/ci/shop-v1.yaml", CI_RULES).1);
    let after = fingerprints(&export(path_str(&moved), CI_RULES).1);
    assert_eq!(before.len(), after.len());
    for ((id1, line1), (id2, line2)) in before.iter().zip(&after) {
        assert_eq!(id1, id2);
        assert_eq!(line1 + 2, *line2, "{id1} moved by the two comment lines");
    }
}

#[test]
fn output_is_deterministic_and_the_same_on_stdout_and_in_a_file() {
    let (first, _) = export("tests/ci/shop-v2.yaml", CI_RULES);
    let (second, _) = export("tests/ci/shop-v2.yaml", CI_RULES);
    assert_eq!(first, second);
    let dir = tempdir();
    let file = dir.join("out.sarif");
    tms()
        .args(["export", "tests/ci/shop-v2.yaml", "-f", "sarif", "-o"])
        .arg(&file)
        .args(["--no-default-rules", "--rules", CI_RULES])
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read_to_string(&file).expect("written"), first);
}

#[test]
fn invalid_input_exits_2() {
    tms()
        .args(["export", "tests/ci/invalid.yaml", "--format", "sarif"])
        .assert()
        .code(2)
        .stdout("");
    tms()
        .args(["export", "tests/ci/shop-v1.yaml", "--format", "nope"])
        .assert()
        .code(2);
    // The format is required: there is no default interchange format.
    tms()
        .args(["export", "tests/ci/shop-v1.yaml"])
        .assert()
        .code(2);
}

#[test]
fn snapshot_of_a_small_export() {
    let (text, _) = export("tests/ci/shop-v1.yaml", CI_RULES);
    // The version moves with every release; the rest must not.
    let text = text.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[version]\"",
    );
    insta::assert_snapshot!("shop_v1_sarif", text);
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A fresh directory under the target directory, removed by nobody: tests
/// leave their files for inspection, and `cargo clean` removes them.
fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = root().join("target/test-tmp").join(format!(
        "sarif-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
