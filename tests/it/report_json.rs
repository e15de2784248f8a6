//! `tms report --format json` writes the contract's shape (section 2): every
//! finding as `FindingView` serialises it, sorted by id, with the summary.

use tms_report::finding_view;
use tms_rules::engine::analyze;
use tms_rules::library::Library;

#[test]
fn json_report_is_the_contract_shape_for_every_example() {
    let lib = Library::builtin().expect("rules");
    for name in ["web-shop", "cloud-microservices", "llm-support-agent"] {
        let path = format!("examples/{name}.yaml");
        let loaded =
            tms_formats::load::load_path(std::path::Path::new(&path)).expect("example loads");
        let a = analyze(&loaded.model, &lib);
        let text = tms_report::json::render(&loaded.model, &lib, &a);
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
            tms_report::json::render(&loaded.model, &lib, &a),
            "deterministic"
        );
    }
}
