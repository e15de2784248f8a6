//! `tms explain`, `tms check --strict` and roles from the command line: what a
//! user reads when a finding or a question needs explaining.

use std::path::PathBuf;

use assert_cmd::Command;

const SIGNUP: &str = "title: Signup
boundaries: [{id: internet, name: Internet}, {id: app, name: App tier}]
data: [{id: password, name: Password, classification: secret, isCredentials: true}]
elements:
  - {id: user, type: actor, name: New user, boundary: internet, role: browser}
  - {id: web, type: server, name: Signup service, boundary: app, role: web-app}
flows:
  - {id: signup, from: user, to: web, name: Sign up, protocol: HTTP, data: [password]}
";

fn model(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("explain");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write model");
    p
}

fn tms(args: &[&str], path: &PathBuf) -> (i32, String, String) {
    let out = Command::cargo_bin("tms")
        .expect("the tms binary")
        .arg(args[0])
        .arg(path)
        .args(&args[1..])
        .output()
        .expect("run tms");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn explain_shows_rules_severity_inputs_evidence_and_what_closes_it() {
    let p = model("signup.yaml", SIGNUP);
    let (code, out, err) = tms(&["explain", "unencrypted-transport@signup"], &p);
    assert_eq!(code, 0, "{err}");
    for want in [
        "unencrypted-transport@signup: finding, open",
        "AUTH-007 Credentials sent unencrypted across a trust boundary",
        "FLOW-001 ",
        "severity: critical (rule high, exposure external, data secret",
        "isEncrypted = false (implied) on `signup`",
        "isEncrypted: true",
    ] {
        assert!(out.contains(want), "no `{want}` in:\n{out}");
    }
    // The id a single rule had before the merge still finds the finding.
    let (code, again, _) = tms(&["explain", "FLOW-001@signup"], &p);
    assert_eq!(code, 0);
    assert_eq!(again, out);
}

#[test]
fn explain_a_question_and_an_unknown_id() {
    let p = model("signup-q.yaml", SIGNUP);
    let (code, out, err) = tms(&["explain", "validatesInput@web"], &p);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("validatesInput@web: question (critical at stake)"),
        "{out}"
    );
    assert!(
        out.contains("Set `validatesInput` to true or false."),
        "{out}"
    );
    assert!(
        out.contains("WEB-017"),
        "the answer decides code injection:\n{out}"
    );
    let (code, _, err) = tms(&["explain", "validatesInpt@web"], &p);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `validatesInput@web`?"), "{err}");
}

#[test]
fn strict_check_fails_on_questions_that_matter() {
    // Everything encrypted and authenticated: no finding at high, but the
    // service's input handling is unknown.
    let text = SIGNUP
        .replace("protocol: HTTP,", "protocol: HTTPS,")
        .replace("role: web-app}", "role: web-app, isHardened: true}")
        .replace(
            "boundaries: [{id: internet, name: Internet}, {id: app, name: App tier}]",
            "boundaries: [{id: internet, name: Internet}, {id: app, name: App tier}]\nassumptions: [{name: A WAF fronts every service, excludes: [CLOUD-006]}]",
        );
    let p = model("signup-https.yaml", &text);
    let (code, out, err) = tms(&["check"], &p);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("unanswered questions"), "{err}");
    assert!(
        out.contains("question (critical): validatesInput@web"),
        "{out}"
    );
    let (code, _, err) = tms(&["check", "--strict"], &p);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("fail (--strict)"), "{err}");
    let (code, _, _) = tms(
        &[
            "check",
            "--strict",
            "--fail-on",
            "critical",
            "--questions",
            "0",
        ],
        &p,
    );
    assert_eq!(code, 1, "critical questions remain");
}

#[test]
fn roles_are_checked_and_legacy_tags_warn() {
    let p = model(
        "bad-role.yaml",
        &SIGNUP.replace("role: web-app", "role: web-ap"),
    );
    let (code, _, err) = tms(&["validate"], &p);
    assert_eq!(code, 2);
    assert!(err.contains("`web-ap` is not a role"), "{err}");
    assert!(err.contains("did you mean `web-app`?"), "{err}");
    let p = model(
        "misfit.yaml",
        &SIGNUP.replace("role: web-app", "role: relational-db"),
    );
    let (code, _, err) = tms(&["validate"], &p);
    assert_eq!(code, 2);
    assert!(
        err.contains("the role `relational-db` does not fit a server"),
        "{err}"
    );
    let p = model(
        "legacy.yaml",
        &SIGNUP.replace("role: browser}", "tags: [browser]}"),
    );
    let (code, _, err) = tms(&["validate"], &p);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("the tag `browser` on `user` now means the role `browser`"),
        "{err}"
    );
    assert!(err.contains("write `role: browser`"), "{err}");
}

#[test]
fn describe_a_role() {
    let out = Command::cargo_bin("tms")
        .expect("tms")
        .args(["describe", "--role", "browser"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("authenticatesDestination: true"), "{text}");
    let out = Command::cargo_bin("tms")
        .expect("tms")
        .args(["describe", "--role", "cnd"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `cdn`?"));
}

#[test]
fn evidence_says_a_data_fact_was_derived_not_stated() {
    // `isCredentials` follows from `credentialsLife`; the model never writes it.
    let p = model(
        "derived-data.yaml",
        &SIGNUP.replace("isCredentials: true}", "credentialsLife: long-lived}"),
    );
    let (code, out, err) = tms(&["explain", "unencrypted-transport@signup"], &p);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("isCredentials = true (derived) on `password`"),
        "{out}"
    );
    let (_, stated, _) = tms(
        &["explain", "unencrypted-transport@signup"],
        &model("stated-data.yaml", SIGNUP),
    );
    assert!(
        stated.contains("isCredentials = true (stated) on `password`"),
        "{stated}"
    );
}
