//! With pytm's own threat library, tms reports exactly the (rule, target) pairs
//! pytm 1.4 reports. The expected lists were produced by pytm itself
//! (scripts/pytm_oracle.py); `.ci/run` regenerates them with pytm==1.4.0 and fails on any change.

use std::path::Path;

use tms_rules::engine::analyze;
use tms_rules::library::Library;

fn pytm_library() -> Library {
    let mut lib = Library::default();
    lib.add_path(Path::new("tests/third-party/fixtures/pytm/threats.json"))
        .expect("pytm threats.json loads");
    lib
}

#[test]
fn every_pytm_condition_compiles() {
    let lib = pytm_library();
    // 114 threats, one of them DEPRECATED and skipped as pytm skips it.
    assert_eq!(lib.rules.len(), 113);
    assert!(lib.get("AC22").is_none());
}

#[test]
fn findings_equal_pytm_on_every_parity_model() {
    let lib = pytm_library();
    let mut checked = 0;
    let mut dir: Vec<_> = std::fs::read_dir("tests/pytm")
        .expect("tests/pytm")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    dir.sort();
    for path in dir {
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if ext != "yaml" && ext != "json" {
            continue;
        }
        let expected_path = path.with_extension("pytm-findings.txt");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let expected: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
        let loaded = tms_formats::load::load_path(&path)
            .unwrap_or_else(|d| panic!("{}: {:?}", path.display(), d));
        let analysis = analyze(&loaded.model, &lib);
        let got: Vec<&str> = analysis.findings.iter().map(|f| f.id.as_str()).collect();
        let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
        let extra: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{}: pytm reports but tms does not: {missing:?}; tms reports but pytm does not: {extra:?}", path.display());
        assert!(!expected.is_empty());
        checked += expected.len();
    }
    assert!(checked > 4000, "only {checked} findings compared");
}
