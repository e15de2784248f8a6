//! The bundled examples and `tms init` templates are what users copy: each must
//! load without a warning, produce findings, and keep every triage entry live.

use std::path::PathBuf;

use assert_cmd::Command;
use tms_rules::engine::analyze;
use tms_rules::library::Library;

fn models() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = ["examples", "templates"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(d)
                .expect("dir")
                .filter_map(Result::ok)
                .map(|e| e.path())
        })
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

#[test]
fn examples_and_templates_are_clean_and_find_threats() {
    let lib = Library::builtin().expect("built-in rules");
    let all = models();
    assert!(all.len() >= 9, "{all:?}");
    for path in all {
        let loaded = tms_formats::load::load_path(&path)
            .unwrap_or_else(|d| panic!("{}: {:?}", path.display(), d.0));
        let warnings: Vec<String> = loaded.warnings.0.iter().map(ToString::to_string).collect();
        assert!(warnings.is_empty(), "{}: {warnings:?}", path.display());
        let a = analyze(&loaded.model, &lib);
        let stale: Vec<String> = a.warnings.0.iter().map(ToString::to_string).collect();
        assert!(stale.is_empty(), "{}: {stale:?}", path.display());
        // Unknown is not false: what the model leaves unset is asked, not
        // reported, so a starter shows a few findings and the questions to answer.
        assert!(
            !a.findings.is_empty() && a.findings.len() + a.questions.len() >= 6,
            "{}: only {} findings and {} questions",
            path.display(),
            a.findings.len(),
            a.questions.len()
        );
        let triaged = a.findings.iter().filter(|f| f.triage.is_some()).count();
        // A starter (templates/) may have nothing decided yet; an example shows triage.
        let example = path.components().any(|c| c.as_os_str() == "examples");
        assert!(
            !example || triaged >= 1,
            "{}: no finding is triaged",
            path.display()
        );
    }
}

#[test]
fn init_writes_each_template_and_refuses_to_overwrite() {
    let dir = tempfile_dir();
    for t in [
        "minimal",
        "web-app",
        "microservices",
        "mobile",
        "iot",
        "llm-agent",
    ] {
        let sub = dir.join(t);
        Command::cargo_bin("tms")
            .unwrap()
            .args(["init", "--template", t])
            .arg(&sub)
            .assert()
            .success();
        let written = sub.join("threat-model.yaml");
        Command::cargo_bin("tms")
            .unwrap()
            .args(["validate", "--strict"])
            .arg(&written)
            .assert()
            .success();
        Command::cargo_bin("tms")
            .unwrap()
            .args(["init", "--template", t])
            .arg(&sub)
            .assert()
            .code(2);
    }
    Command::cargo_bin("tms")
        .unwrap()
        .args(["init", "--template", "nope"])
        .arg(dir.join("x"))
        .assert()
        .code(2);
}

fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("tms-init-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
