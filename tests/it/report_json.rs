//! `tms report --format json` writes the contract's shape (section 2): every
//! finding as `FindingView` serialises it, sorted by id, with the summary.

use tms_report::finding_view;

// Format 1 (`--format-version 1`), kept for scripts written against it.
use tms_rules::engine::analyze;
use tms_rules::library::Library;

#[test]
fn json_report_format_1_is_one_object_per_match_for_every_example() {
    let lib = Library::builtin().expect("rules");
    for name in ["web-shop", "cloud-microservices", "llm-support-agent"] {
        let path = format!("examples/{name}.yaml");
        let loaded =
            tms_formats::load::load_path(std::path::Path::new(&path)).expect("example loads");
        let a = analyze(&loaded.model, &lib);
        let text = tms_report::json1::render(&loaded.model, &lib, &a);
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(doc["model"]["file"], path);
        assert_eq!(doc["model"]["title"], loaded.model.title.as_str());
        let findings = doc["findings"].as_array().expect("findings");
        assert_eq!(findings.len(), a.findings.len());
        let ids: Vec<&str> = findings.iter().filter_map(|f| f["id"].as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "findings sorted by id");
        for (f, got) in a.findings.iter().zip(findings) {
            let want = serde_json::to_value(finding_view(&loaded.model, &lib, f)).expect("view");
            assert_eq!(got, &want, "{}", f.id);
            for key in [
                "id",
                "rule",
                "title",
                "target",
                "targetType",
                "stride",
                "severity",
                "status",
                "justification",
                "description",
                "mitigation",
                "mappings",
                "location",
            ] {
                assert!(got.get(key).is_some(), "{}: no `{key}`", f.id);
            }
            for key in ["capec", "cwe", "attack", "owasp"] {
                assert!(got["mappings"][key].is_array(), "{}: mappings.{key}", f.id);
            }
            assert!(got["location"]["line"].as_u64().is_some_and(|l| l >= 1));
        }
        let summary = &doc["summary"];
        assert_eq!(summary["total"], a.findings.len());
        let by_sev: u64 = summary["bySeverity"]
            .as_object()
            .expect("bySeverity")
            .values()
            .filter_map(|v| v.as_u64())
            .sum();
        assert_eq!(by_sev as usize, a.findings.len());
        assert_eq!(
            text,
            tms_report::json1::render(&loaded.model, &lib, &a),
            "deterministic"
        );
    }
}

/// Format 2, the default: it validates against the schema `tms schema --report`
/// prints, every rule a finding or question names is in `rules`, and the
/// counts agree with the analysis.
#[test]
fn json_report_format_2_validates_against_its_schema_for_every_example() {
    let schema: serde_json::Value =
        serde_json::from_str(tms_report::json::SCHEMA).expect("the report schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the report schema compiles");
    let lib = Library::builtin().expect("rules");
    let mut models: Vec<String> = ["examples", "templates", "tests/fixtures/report"]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).expect("dir").filter_map(Result::ok))
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".yaml") && !p.ends_with("rules.yaml"))
        .collect();
    models.sort();
    assert!(models.len() >= 10, "{models:?}");
    for path in models {
        let loaded =
            tms_formats::load::load_path(std::path::Path::new(&path)).expect("model loads");
        let a = analyze(&loaded.model, &lib);
        let text = tms_report::json::render(&loaded.model, &lib, &a);
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
        assert_eq!(
            doc["findings"].as_array().map(Vec::len),
            Some(a.findings.len())
        );
        assert_eq!(
            doc["questions"].as_array().map(Vec::len),
            Some(a.questions.len())
        );
        assert_eq!(doc["summary"]["questions"], a.questions.len());
        let rules = doc["rules"].as_object().expect("rules");
        for f in doc["findings"].as_array().into_iter().flatten() {
            for r in f["rules"].as_array().into_iter().flatten() {
                let id = r.as_str().expect("rule id");
                assert!(rules.contains_key(id), "{path}: {id} not in rules");
            }
        }
        for q in doc["questions"].as_array().into_iter().flatten() {
            for r in q["wouldRaise"].as_array().into_iter().flatten() {
                let id = r.as_str().expect("rule id");
                assert!(rules.contains_key(id), "{path}: {id} not in rules");
            }
        }
        assert_eq!(
            text,
            tms_report::json::render(&loaded.model, &lib, &a),
            "deterministic"
        );
    }
}

/// A model large enough for every parallel path (matching, question building,
/// the report's batches) gives the same bytes on one thread as on several, and
/// the report is one line per rule, finding and question.
#[test]
fn a_large_report_is_the_same_bytes_on_any_number_of_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("synthetic.json");
    let text = tms_synth::generate(tms_synth::Params {
        elements: 2_500,
        seed: 7,
    });
    std::fs::write(&model, text).expect("write the model");
    let run = |threads: &str| -> Vec<u8> {
        let out = assert_cmd::cargo::cargo_bin_cmd!("tms")
            .env("RAYON_NUM_THREADS", threads)
            .args(["report", "--format", "json"])
            .arg(&model)
            .output()
            .expect("tms runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("3"), "the report depends on the number of threads");
    let doc: serde_json::Value = serde_json::from_slice(&one).expect("valid JSON");
    let questions = doc["questions"].as_array().map_or(0, Vec::len);
    let findings = doc["findings"].as_array().map_or(0, Vec::len);
    let rules = doc["rules"].as_object().map_or(0, serde_json::Map::len);
    // More questions than one batch of the writer (4,096), so batches join.
    assert!(questions > 4_096, "{questions} questions");
    let text = String::from_utf8_lossy(&one);
    let entry_lines = text.lines().filter(|l| l.starts_with("    ")).count();
    assert_eq!(entry_lines, questions + findings + rules);
}
