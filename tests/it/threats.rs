//! The model's `threats:` section (issue 16): the team's own threats are
//! findings of source "model" in every report, export and gate, validated
//! like everything else; and findings go to issue trackers (`jira-csv`,
//! `github-issues`) without filing twice what a ticket already records.

use std::path::PathBuf;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn tms(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(dir)
        .env("TMS_TODAY", "2026-11-22")
        .timeout(Duration::from_secs(60));
    c
}

const MODEL: &str = r#"title: Threats
elements:
  - {id: user, type: actor, name: User}
  - {id: web, type: server, name: Web, isHardened: true}
flows:
  - {id: req, from: user, to: web, name: Request, protocol: HTTPS, isEncrypted: true}
threats:
  - id: TM-1
    title: Session fixation
    stride: [S]
    affects: [web, req]
    severity: high
    status: mitigated
    justification: the session id is rotated at login
    mitigations: [Rotate the session id at login]
    owner: appsec
    ticket: SEC-1
    mappings: {cwe: [{id: CWE-384}]}
  - id: TM-2
    title: Insider exports the customer list
    stride: ID
    dread: {damage: 9, reproducibility: 9, exploitability: 8, affectedUsers: 10, discoverability: 9}
  - id: TM-3
    title: "<script>alert(1)</script> | *bold* [x](http://e) {code}"
    description: "a -strike- line\nand =HYPERLINK(\"x\")"
    affects: [web]
    severity: low
"#;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).expect("write the model");
    p
}

fn json_report(dir: &std::path::Path, model: &str) -> Value {
    let out = tms(dir)
        .args(["report", model, "--format", "json"])
        .output()
        .expect("run tms");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn threats_are_findings_of_source_model_with_their_decisions() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir, "m.yaml", MODEL);
    let r = json_report(dir.path(), "m.yaml");
    let model: Vec<(&str, &str, &str, &str)> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["source"] == "model")
        .map(|f| {
            (
                f["id"].as_str().unwrap_or(""),
                f["status"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or(""),
                f["target"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        model,
        [
            ("TM-1@req", "mitigated", "high", "req"),
            ("TM-1@web", "mitigated", "high", "web"),
            // No `affects`: the whole system; the DREAD mean 9.0 is critical.
            ("TM-2", "open", "critical", ""),
            ("TM-3@web", "open", "low", "web"),
        ]
    );
    let tm1 = r["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == "TM-1@web"))
        .expect("TM-1@web");
    assert_eq!(tm1["owner"], "appsec");
    assert_eq!(tm1["ticket"], "SEC-1");
    assert_eq!(tm1["justification"], "the session id is rotated at login");
    // Located where the threat is written, where the decision is changed.
    assert_eq!(tm1["location"]["line"], 8);
    assert_eq!(
        r["rules"]["TM-1"]["mitigation"],
        "Rotate the session id at login"
    );
    assert_eq!(r["rules"]["TM-1"]["mappings"]["cwe"][0], "CWE-384");
    assert!(r["rules"]["TM-2"]["stride"]
        .as_array()
        .is_some_and(|s| s.len() == 2));
}

#[test]
fn an_open_stated_threat_fails_the_gate_and_a_closed_one_past_its_date_reopens() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir, "m.yaml", MODEL);
    let out = tms(dir.path())
        .args(["check", "m.yaml"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "TM-2 is open and critical");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("m.yaml:19:5: critical: TM-2 Insider exports"),
        "{stdout}"
    );

    let expired = MODEL.replace(
        "    ticket: SEC-1\n",
        "    ticket: SEC-1\n    expires: 2026-01-31\n",
    );
    write(&dir, "e.yaml", &expired);
    let r = json_report(dir.path(), "e.yaml");
    let f = r["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == "TM-1@web"))
        .expect("TM-1@web");
    assert_eq!(f["status"], "open");
    assert_eq!(f["expired"], "2026-01-31");
    let out = tms(dir.path())
        .args(["validate", "e.yaml"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the decision on `TM-1` expired on 2026-01-31"),
        "{stderr}"
    );
}

#[test]
fn bad_threats_are_errors_with_positions_and_hints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = r#"title: Bad
elements:
  - {id: web, type: server, name: Web}
boundaries:
  - {id: dmz, name: DMZ}
threats:
  - id: T1
    title: One
    affects: [wbe, dmz]
    stride: [X]
    status: done
  - id: T1
    title: Again
  - id: DS-001
    title: Clashes with a rule
  - title: No id
"#;
    write(&dir, "bad.yaml", bad);
    let out = tms(dir.path())
        .args(["validate", "bad.yaml"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "bad.yaml:9:15: error: the threat `T1` affects `wbe`, which does not exist",
        "did you mean `web`?",
        "bad.yaml:9:20: error: the threat `T1` affects `dmz`, which is a boundary",
        "bad.yaml:10:14: error: `X` is not a STRIDE category",
        "bad.yaml:11:13: error:",
        "bad.yaml:12:5: error: duplicate threat id `T1`",
        "bad.yaml:16:5: error: a threat has no `id`",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    // A threat named like a rule would give two findings one id: refused
    // when the library is known, before any report is written.
    let clash = "title: Clash\nelements:\n  - {id: web, type: server, name: Web}\nthreats:\n  - {id: DS-001, title: Clashes}\n";
    write(&dir, "clash.yaml", clash);
    let out = tms(dir.path())
        .args(["report", "clash.yaml", "-o", "r.json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("clash.yaml:5:5: error: the threat `DS-001` has the id of the rule `DS-001`"),
        "{stderr}"
    );
    assert!(!dir.path().join("r.json").exists(), "no partial output");
}

#[test]
fn the_section_round_trips_through_our_writer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(&dir, "m.yaml", MODEL);
    let first = tms_formats::load::load_path(&p).expect("loads").model;
    let text = tms_formats::native::write::to_yaml(&first);
    let q = write(&dir, "again.yaml", &text);
    let second = tms_formats::load::load_path(&q)
        .expect("the written model loads")
        .model;
    assert_eq!(first.threats.len(), 3);
    for (a, b) in first.threats.iter().zip(&second.threats) {
        assert_eq!(
            (
                &a.id,
                &a.title,
                &a.description,
                &a.stride,
                &a.affects,
                a.severity,
                a.status
            ),
            (
                &b.id,
                &b.title,
                &b.description,
                &b.stride,
                &b.affects,
                b.severity,
                b.status
            )
        );
        assert_eq!(
            (
                &a.mitigations,
                &a.owner,
                &a.ticket,
                &a.dread,
                &a.mappings.is_some()
            ),
            (
                &b.mitigations,
                &b.owner,
                &b.ticket,
                &b.dread,
                &b.mappings.is_some()
            )
        );
    }
}

#[test]
fn a_threat_that_appears_is_a_new_finding_in_diff() {
    let dir = tempfile::tempdir().expect("temp dir");
    let without = MODEL
        .split("threats:")
        .next()
        .unwrap_or_default()
        .to_string();
    write(&dir, "old.yaml", &without);
    write(&dir, "new.yaml", MODEL);
    let out = tms(dir.path())
        .args([
            "diff",
            "old.yaml",
            "new.yaml",
            "--format",
            "json",
            "--fail-on-new",
            "high",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "TM-2 is new, open and critical");
    let d: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let added: Vec<&str> = d["added"]
        .as_array()
        .expect("added")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    for id in ["TM-1@req", "TM-1@web", "TM-2", "TM-3@web"] {
        assert!(added.contains(&id), "{id} not in {added:?}");
    }
}

#[test]
fn jira_csv_files_open_findings_once_with_markup_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir, "m.yaml", MODEL);
    let out = tms(dir.path())
        .args([
            "export",
            "m.yaml",
            "--format",
            "jira-csv",
            "--no-default-rules",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let rows = parse_csv(&text);
    let header = &rows[0];
    assert_eq!(
        &header[..4],
        ["Summary", "Issue Type", "Priority", "Description"]
    );
    assert!(header[4..].iter().all(|h| h == "Labels"));
    // TM-1 is mitigated (and ticketed): not filed. TM-2 and TM-3 are.
    let summaries: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(summaries.len(), 2, "{summaries:?}");
    assert!(summaries[0].starts_with("[TM-2] "));
    assert!(summaries[1].starts_with("[TM-3@web] <script>"));
    assert_eq!(rows[1][2], "Highest");
    assert_eq!(rows[2][2], "Low");
    let description = &rows[2][3];
    // Jira wiki markup is escaped: no bold, link, code or strike-through.
    assert!(description.contains("\\-strike\\-"), "{description}");
    assert!(!description.contains("*bold*"));
    // A spreadsheet-formula value is a field that does not start with `=`.
    assert!(rows.iter().flatten().all(|f| !f.starts_with('=')));
    let labels: Vec<&str> = rows[1][4..].iter().map(String::as_str).collect();
    assert!(
        labels.contains(&"stride:I") && labels.contains(&"source:model"),
        "{labels:?}"
    );
}

#[test]
fn github_issues_are_json_lines_that_skip_ticketed_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir, "m.yaml", MODEL);
    let run = |extra: &[&str]| {
        let out = tms(dir.path())
            .args(["export", "m.yaml", "--format", "github-issues"])
            .args(extra)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("UTF-8")
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("one JSON object a line"))
            .collect::<Vec<_>>()
    };
    let all = run(&[]);
    let titles: Vec<&str> = all.iter().filter_map(|i| i["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.starts_with("[TM-2] ")));
    assert!(
        !titles.iter().any(|t| t.contains("TM-1")),
        "TM-1 is ticketed"
    );
    let hostile = all
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("[TM-3@web]"))
        })
        .expect("TM-3");
    let body = hostile["body"].as_str().expect("body");
    assert!(body.contains("<!-- tms-finding: TM-3@web -->"), "{body}");
    assert!(
        !body.contains("<script>") && !body.contains("](http"),
        "{body}"
    );
    // A threshold and questions narrow and widen what is filed.
    let critical = run(&["--min-severity", "critical"]);
    assert!(critical.iter().all(|i| i["labels"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x == "severity:critical"))));
    let with_questions = run(&["--questions"]);
    assert!(with_questions.len() > all.len());
    // The one-line loop in the README reads exactly these three keys.
    for i in &with_questions {
        let mut keys: Vec<&String> = i.as_object().expect("object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["body", "labels", "title"]);
    }
}

/// RFC 4180 records (quoted fields, doubled quotes, CRLF line ends).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}
