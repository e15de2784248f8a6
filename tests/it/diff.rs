//! `tms diff OLD NEW` on two versions of a fixture model (tests/ci/shop-v*.yaml):
//! v2 encrypts `login`, adds an admin actor with an unencrypted flow, reopens
//! the web server's finding at a higher severity, and mitigates the database's.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::{json, Value};

const V1: &str = "tests/ci/shop-v1.yaml";
const V2: &str = "tests/ci/shop-v2.yaml";

fn tms() -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    c
}

fn diff(old: &str, new: &str, extra: &[&str]) -> std::process::Output {
    tms()
        .args([
            "diff",
            old,
            new,
            "--no-default-rules",
            "--rules",
            "tests/ci/rules.yaml",
        ])
        .args(extra)
        .output()
        .expect("run tms")
}

fn json_diff(old: &str, new: &str) -> Value {
    let out = diff(old, new, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn json_lists_added_removed_and_changed_findings() {
    let d = json_diff(V1, V2);
    assert_eq!(ids(&d["added"]), ["TST-001@admin-console", "TST-003@admin"]);
    assert_eq!(ids(&d["removed"]), ["TST-001@login"]);
    assert_eq!(ids(&d["changed"]), ["TST-002@web", "TST-004@db"]);
    assert_eq!(
        d["changed"][0]["from"],
        json!({"status": "accepted", "severity": "medium"})
    );
    assert_eq!(
        d["changed"][0]["to"],
        json!({"status": "open", "severity": "high"})
    );
    assert_eq!(
        d["changed"][1]["from"],
        json!({"status": "open", "severity": "critical"})
    );
    assert_eq!(
        d["changed"][1]["to"],
        json!({"status": "mitigated", "severity": "critical"})
    );
    assert_eq!(
        d["summary"],
        json!({
            "added": 2, "removed": 1, "changed": 2, "unchanged": 1,
            "questionsAdded": 0, "questionsAnswered": 0,
            "old": {"total": 4, "open": 2, "questions": 0},
            "new": {"total": 5, "open": 2, "questions": 0}
        })
    );
    // Added findings point into the new file, removed ones into the old.
    assert_eq!(
        d["added"][0]["location"],
        json!({"file": V2, "line": 24, "column": 5})
    );
    assert_eq!(d["removed"][0]["location"]["file"], V1);
    assert_eq!(d["added"][0]["severity"], "high");
    assert_eq!(d["added"][0]["status"], "open");
    assert_eq!(d["added"][1]["status"], "false-positive");
}

#[test]
fn the_reverse_diff_swaps_added_and_removed() {
    let d = json_diff(V2, V1);
    assert_eq!(ids(&d["added"]), ["TST-001@login"]);
    assert_eq!(
        ids(&d["removed"]),
        ["TST-001@admin-console", "TST-003@admin"]
    );
    assert_eq!(
        d["changed"][0]["from"],
        json!({"status": "open", "severity": "high"})
    );
}

#[test]
fn identical_models_differ_in_nothing() {
    let d = json_diff(V1, V1);
    for k in ["added", "removed", "changed"] {
        assert_eq!(d[k], json!([]), "{k}");
    }
    assert_eq!(d["summary"]["unchanged"], 4);
    let out = diff(V1, V1, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("No finding or question appeared, disappeared or changed."),
        "{text}"
    );
}

#[test]
fn text_is_markdown_for_a_pull_request_comment() {
    let out = diff(V1, V2, &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    insta::assert_snapshot!("shop_v1_v2_text", text);
}

#[test]
fn fail_on_new_fails_only_for_new_or_newly_open_findings_at_the_threshold() {
    // high: the new admin flow (added, open, high) and the web server
    // (accepted medium -> open high) are new failures.
    let out = diff(V1, V2, &["--fail-on-new", "high"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 new open findings at or above high: TST-001@admin-console, TST-002@web"),
        "{err}"
    );
    // The diff is still written in full.
    assert!(String::from_utf8_lossy(&out.stdout).contains("### Added (2)"));
    // critical: the only critical finding went from open to mitigated.
    let out = diff(V1, V2, &["--fail-on-new", "critical"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Findings already open at the threshold before the change are not new.
    let out = diff(V1, V1, &["--fail-on-new", "info"]);
    assert_eq!(out.status.code(), Some(0));
    // Reversed, login's flow is new and open at high.
    let out = diff(V2, V1, &["--fail-on-new", "high", "-f", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TST-001@login"));
}

#[test]
fn invalid_models_and_arguments_exit_2() {
    let out = diff(V1, "tests/ci/invalid.yaml", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tests/ci/invalid.yaml:4:5: error"));
    assert_eq!(
        diff(V1, V2, &["--fail-on-new", "severe"]).status.code(),
        Some(2)
    );
    assert_eq!(diff(V1, V2, &["--format", "xml"]).status.code(), Some(2));
}

#[test]
fn output_is_deterministic() {
    let a = diff(V1, V2, &["-f", "json"]).stdout;
    let b = diff(V1, V2, &["-f", "json"]).stdout;
    assert_eq!(a, b);
    let a = diff(V1, V2, &[]).stdout;
    let b = diff(V1, V2, &[]).stdout;
    assert_eq!(a, b);
}

/// A control the new version no longer states is a new question; one it now
/// states is an answered question. Both count as changes.
#[test]
fn questions_that_appear_or_are_answered_are_changes() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("diff-questions");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let base = std::fs::read_to_string("templates/minimal.yaml").expect("template");
    assert!(base.contains("    validatesInput: true\n"));
    let old = dir.join("old.yaml");
    let new = dir.join("new.yaml");
    std::fs::write(&old, &base).expect("write");
    std::fs::write(&new, base.replace("    validatesInput: true\n", "")).expect("write");
    let run = |a: &PathBuf, b: &PathBuf, format: &str| {
        tms()
            .args(["diff"])
            .arg(a)
            .arg(b)
            .args(["--format", format])
            .output()
            .expect("run tms")
    };
    let out = run(&old, &new, "json");
    let d: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // Input validation unknown, the rules that hinged on it ask the rest of
    // what they need too: every new question is on `web`.
    let added = ids(&d["questionsAdded"]);
    assert!(added.contains(&"validatesInput@web"), "{added:?}");
    assert!(added.iter().all(|q| q.ends_with("@web")), "{added:?}");
    assert_eq!(d["summary"]["questionsAdded"], added.len());
    assert_eq!(d["summary"]["questionsAnswered"], 0);
    let back: Value = serde_json::from_slice(&run(&new, &old, "json").stdout).expect("JSON");
    assert_eq!(ids(&back["questionsAnswered"]), added);
    let text = String::from_utf8_lossy(&run(&old, &new, "text").stdout).to_string();
    assert!(
        text.contains(&format!("### New questions ({})", added.len())),
        "{text}"
    );
    assert!(text.contains("`validatesInput@web`"), "{text}");
}
