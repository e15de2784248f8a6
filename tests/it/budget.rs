//! A rule file cannot stall a run: nested generators that would take hours
//! stop at the evaluation budget with an error naming the rule (issue 13).

use std::time::Duration;

use assert_cmd::Command;

#[test]
fn thirty_nested_generators_stop_with_an_error_naming_the_rule() {
    let mut cond = "v30.name == 'nothing'".to_string();
    for i in (1..=30).rev() {
        let src = if i == 1 {
            "target".to_string()
        } else {
            format!("v{}", i - 1)
        };
        cond = format!("any({cond} for v{i} in {src}.source.outgoing)");
    }
    let rules = format!(
        "rules:\n  - id: NEST-001\n    title: Nested generators\n    stride: [T]\n    targets: [flow]\n    condition: \"{cond}\"\n    severity: low\n    likelihood: low\n    cause: test-nesting\n    description: d\n    mitigation: m\n"
    );
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("budget");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("nested.yaml");
    std::fs::write(&file, rules).expect("write rules");
    let out = Command::cargo_bin("tms")
        .expect("tms")
        .args([
            "check",
            "examples/web-shop.yaml",
            "--no-default-rules",
            "--rules",
        ])
        .arg(&file)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rule `NEST-001` took more than its evaluation budget"),
        "{err}"
    );
}

/// A user's template with three nested loops of 10,000 runs out of fuel
/// (exit 2, no output file) instead of running for ever.
#[test]
fn runaway_template_loops_run_out_of_fuel() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("budget");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let template = dir.join("loops.md.j2");
    std::fs::write(
        &template,
        "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}x{% endfor %}{% endfor %}{% endfor %}",
    )
    .expect("write template");
    let out_file = dir.join("loops.md");
    let _ = std::fs::remove_file(&out_file);
    let out = Command::cargo_bin("tms")
        .expect("tms")
        .args(["report", "templates/minimal.yaml", "--template"])
        .arg(&template)
        .arg("-o")
        .arg(&out_file)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("ran out of fuel"));
    assert!(!out_file.exists(), "no partial output");
}
