//! `tms export --format stix`: STIX 2.1 bundles that the official validator
//! (stix2-validator 3.2.0, run through $TMS_PYTHON) accepts, the same bytes
//! every run, dated by the model.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tms() -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(root());
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("stix")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

const TMS_FIXTURES: [&str; 4] = [
    "tests/third-party/fixtures/threat-model-spec/design-phase-payment-checkout.json",
    "tests/third-party/fixtures/threat-model-spec/lodash-template-open-source-assessment.json",
    "tests/third-party/fixtures/threat-model-spec/openclaw-websocket-takeover.json",
    "tests/fixtures/threat-model-spec/hostile-labels.json",
];
const DATED: &str = "tests/fixtures/stix/dated-with-attacker.yaml";

/// Every model the validator sees: the examples, the Threat Model Spec
/// fixtures and our own STIX fixtures.
fn models() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["examples", "tests/fixtures/stix"] {
        let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
            .expect("list the directory")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
            })
            .map(|p| {
                format!(
                    "{dir}/{}",
                    p.file_name().and_then(|n| n.to_str()).unwrap_or_default()
                )
            })
            .collect();
        files.sort();
        out.extend(files);
    }
    out.extend(TMS_FIXTURES.iter().map(|s| s.to_string()));
    out
}

fn export(model: &str) -> Vec<u8> {
    let out = tms()
        .args(["export", model, "--format", "stix"])
        .output()
        .expect("run tms");
    assert!(
        out.status.success(),
        "tms export {model} --format stix failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("the bundle is JSON")
}

fn objects<'a>(b: &'a Value, ty: &str) -> Vec<&'a Value> {
    b["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter(|o| o["type"] == ty)
        .collect()
}

/// The Python with stix2-validator; its absence fails the test, since the
/// official validator is the point of it.
fn python() -> String {
    std::env::var("TMS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "TMS_PYTHON is not set. The STIX tests run the official validator: \
             `bash scripts/test.sh` creates target/venv with stix2-validator==3.2.0 and sets it, \
             or point TMS_PYTHON at a Python that has `pip install stix2-validator==3.2.0`"
        )
    })
}

/// Runs stix2-validator on `files` as strictly as the specification allows:
/// `--strict` makes every best-practice warning an error, `--enforce-refs`
/// requires every referenced object in the bundle. Two checks are off, each
/// for a rule the specification itself relaxes:
/// - 103 (uuid-check) wants random UUIDv4 ids; STIX 2.1 section 2.9 says a
///   producer that does not use v4 SHOULD use UUIDv5, which is what a
///   deterministic export needs;
/// - 302 (extref-hashes) wants a hash of every referenced web page; the pages
///   (ATT&CK, CWE, CAPEC) change, and MITRE's own ATT&CK bundles carry these
///   URLs without hashes.
fn validate(files: &[PathBuf]) -> (bool, String) {
    let out = std::process::Command::new(python())
        .args([
            "-c",
            "import sys; from stix2validator.scripts.stix2_validator import main; sys.argv[0] = 'stix2_validator'; main()",
            "--strict",
            "--enforce-refs",
            "--disable",
            "103,302",
        ])
        .args(files)
        .output()
        .expect("run the STIX validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn bundles_pass_the_official_validator() {
    let dir = scratch("validator");
    let models = models();
    assert!(models.len() >= 6, "examples and fixtures: {models:?}");
    let mut files = Vec::new();
    for m in &models {
        let name = Path::new(m)
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a file name");
        let file = dir.join(format!("{name}.stix.json"));
        std::fs::write(&file, export(m)).expect("write the bundle");
        files.push(file);
    }
    let (ok, text) = validate(&files);
    let valid = text.matches("[+] STIX JSON: Valid").count();
    let problems: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("[X]") || l.contains("[!]"))
        .collect();
    assert!(
        ok && problems.is_empty() && valid == files.len(),
        "{valid} of {} bundles valid; problems:\n{}\n{text}",
        files.len(),
        problems.join("\n")
    );
}

#[test]
fn validator_catches_a_broken_bundle() {
    // The validator run above must be able to fail: a relationship to an
    // object missing from the bundle is an error with --enforce-refs.
    let dir = scratch("broken");
    let mut b = parse(&export(DATED));
    let objects = b["objects"].as_array_mut().expect("objects");
    let rel = objects
        .iter()
        .position(|o| o["type"] == "relationship")
        .expect("a relationship");
    let target = objects[rel]["target_ref"].clone();
    objects.retain(|o| o["id"] != target);
    let file = dir.join("broken.json");
    std::fs::write(&file, serde_json::to_vec(&b).expect("JSON")).expect("write");
    let (ok, text) = validate(&[file]);
    assert!(!ok, "the validator accepted a dangling reference:\n{text}");
}

#[test]
fn same_model_same_bytes_from_anywhere() {
    let first = export(DATED);
    let second = export(DATED);
    assert_eq!(first, second);
    // Another working directory and an absolute path: the file name is not part of an id.
    let abs = root().join(DATED);
    let out = Command::cargo_bin("tms")
        .expect("the tms binary")
        .current_dir(std::env::temp_dir())
        .arg("export")
        .arg(&abs)
        .args(["--format", "stix"])
        .output()
        .expect("run tms");
    assert!(out.status.success());
    assert_eq!(out.stdout, first);
}

#[test]
fn timestamps_come_from_the_model_with_milliseconds() {
    let b = parse(&export(DATED));
    let stamp = regex_like_timestamp;
    for o in b["objects"].as_array().expect("objects") {
        for key in ["created", "modified"] {
            let t = o[key].as_str().expect("a timestamp");
            assert!(stamp(t), "{t}");
            if o["type"] != "identity" {
                // 2026-03-04T08:15:30.5+01:00 in the model, in UTC.
                assert_eq!(t, "2026-03-04T07:15:30.500Z", "{}", o["id"]);
            }
        }
    }
    let lodash = parse(&export(TMS_FIXTURES[1]));
    let ap = &objects(&lodash, "infrastructure")[0];
    assert_eq!(ap["modified"], "2026-08-15T21:32:56.000Z");
    // A model without a date is dated at the Unix epoch.
    let openclaw = parse(&export(TMS_FIXTURES[2]));
    assert_eq!(
        objects(&openclaw, "infrastructure")[0]["created"],
        "1970-01-01T00:00:00.000Z"
    );
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn regex_like_timestamp(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 24
        && t.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            19 => c == '.',
            23 => c == 'Z',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn our_model_maps_to_the_expected_objects() {
    let b = parse(&export(DATED));
    let ids: HashSet<&str> = b["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    for o in b["objects"].as_array().expect("objects") {
        let id = o["id"].as_str().expect("id");
        let (_, uuid) = id.split_once("--").expect("type--uuid");
        assert_eq!(&uuid[14..15], "5", "{id} is not a UUIDv5");
        if o["type"] == "relationship" {
            for r in ["source_ref", "target_ref"] {
                assert!(
                    ids.contains(o[r].as_str().expect("ref")),
                    "{id}: dangling {r}"
                );
            }
        }
    }
    let identity = &objects(&b, "identity")[0];
    assert_eq!(identity["name"], "tms");
    let actors = objects(&b, "threat-actor");
    assert_eq!(actors.len(), 1);
    assert_eq!(actors[0]["name"], "Mallory; {the attacker} #1");
    let infra: Vec<&str> = objects(&b, "infrastructure")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    for name in ["Partner user", "Partner portal", "Portal database", "DMZ"] {
        assert!(infra.contains(&name), "{infra:?}");
    }
    // Model mappings: an ATT&CK technique with its kill-chain phase, and a CWE.
    let brute = objects(&b, "attack-pattern")
        .into_iter()
        .find(|o| o["external_references"][0]["external_id"] == "T1110")
        .expect("T1110 from the model's mappings");
    assert_eq!(
        brute["external_references"][0]["url"],
        "https://attack.mitre.org/techniques/T1110/"
    );
    assert_eq!(
        brute["kill_chain_phases"],
        serde_json::json!([{"kill_chain_name": "mitre-attack", "phase_name": "credential-access"}])
    );
    assert!(objects(&b, "vulnerability")
        .iter()
        .any(|v| v["external_references"][0]["external_id"] == "CWE-307"));
    // Rules with findings: attack patterns with a `tms` reference; findings as relationships.
    let rules = objects(&b, "attack-pattern")
        .into_iter()
        .filter(|o| o["external_references"][0]["source_name"] == "tms")
        .count();
    assert!(rules > 0);
    let relationships = objects(&b, "relationship");
    let texts: Vec<&str> = relationships
        .iter()
        .filter_map(|r| r["description"].as_str())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("@login (accepted)")),
        "{texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t.contains("@probe (")),
        "a false positive is not a weakness: {texts:?}"
    );
    let kinds: HashSet<&str> = relationships
        .iter()
        .filter_map(|r| r["relationship_type"].as_str())
        .collect();
    for k in [
        "has",
        "targets",
        "mitigates",
        "consists-of",
        "communicates-with",
        "related-to",
    ] {
        assert!(kinds.contains(k), "no `{k}` relationship: {kinds:?}");
    }
}

#[test]
fn threat_model_spec_parts_reach_the_bundle() {
    let b = parse(&export(TMS_FIXTURES[2]));
    let patterns = objects(&b, "attack-pattern");
    let step = |n: u32| {
        patterns
            .iter()
            .find(|p| {
                p["labels"]
                    .as_array()
                    .is_some_and(|l| l.contains(&Value::from(format!("attack-chain-step:{n}"))))
            })
            .unwrap_or_else(|| panic!("attack step {n}"))
    };
    assert_eq!(step(1)["name"], "Deliver malicious webpage");
    assert_eq!(
        step(2)["kill_chain_phases"][0]["phase_name"],
        "credential-access"
    );
    assert_eq!(step(2)["external_references"][0]["external_id"], "T1110");
    let coa = objects(&b, "course-of-action")
        .into_iter()
        .find(|c| c["name"] == "Rate limit authentication attempts")
        .expect("the mitigation");
    let step2 = step(2)["id"].clone();
    assert!(objects(&b, "relationship").iter().any(|r| {
        r["relationship_type"] == "mitigates"
            && r["source_ref"] == coa["id"]
            && r["target_ref"] == step2
    }));
    let actor = objects(&b, "threat-actor")
        .into_iter()
        .find(|a| a["name"] == "Opportunistic Web Attacker")
        .expect("the spec's threat actor");
    assert_eq!(actor["threat_actor_types"], serde_json::json!(["criminal"]));
    assert_eq!(actor["sophistication"], "minimal");
    assert_eq!(actor["primary_motivation"], "personal-gain");
    // The attacker element performs the chain: a threat actor that uses step 1.
    let attacker = objects(&b, "threat-actor")
        .into_iter()
        .find(|a| a["name"] == "Attacker")
        .expect("the hostile element");
    let step1 = step(1)["id"].clone();
    assert!(objects(&b, "relationship").iter().any(|r| {
        r["relationship_type"] == "uses"
            && r["source_ref"] == attacker["id"]
            && r["target_ref"] == step1
    }));
}
