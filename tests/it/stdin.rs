//! `-` reads the model from stdin, for every command that reads one (issue
//! 14): the output is the one the file gives, with `<stdin>` for its name;
//! errors point at `<stdin>:line:col`; stdin is bounded like a file and read
//! once; a closed stdout is still a quiet end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;

const MODEL: &str = "examples/web-shop.yaml";
const SPEC: &str =
    "tests/third-party/fixtures/threat-model-spec/design-phase-payment-checkout.json";
const PYTM: &str = "tests/import/pytm/web-shop.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn tms(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::cargo_bin("tms").expect("the tms binary");
    cmd.current_dir(root())
        .env("TMS_TODAY", "2026-11-22")
        .args(args)
        .timeout(Duration::from_secs(120));
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes.to_vec());
    }
    cmd.output().expect("run tms")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A finding id of the example, for `tms explain`.
fn some_finding() -> String {
    let out = tms(&["report", MODEL, "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report is JSON");
    v["findings"][0]["id"]
        .as_str()
        .expect("the example has findings")
        .to_string()
}

/// Each command that reads a model, with `{}` where the model goes, and the
/// file that stands in for stdin.
fn commands(finding: &str) -> Vec<(Vec<String>, &'static str)> {
    let c =
        |args: &[&str], file: &'static str| (args.iter().map(|s| s.to_string()).collect(), file);
    vec![
        c(&["validate", "{}"], MODEL),
        c(&["check", "{}"], MODEL),
        c(&["report", "{}", "--format", "json"], MODEL),
        c(&["report", "{}", "--format", "md"], MODEL),
        c(&["explain", "{}", finding], MODEL),
        c(&["export", "{}", "--format", "sarif"], MODEL),
        c(&["export", "{}", "--format", "stix"], MODEL),
        c(&["diagram", "{}", "--format", "mermaid"], MODEL),
        c(
            &["diff", "tests/ci/shop-v1.yaml", "{}", "--format", "json"],
            MODEL,
        ),
        c(&["diff", "{}", "tests/ci/shop-v1.yaml"], MODEL),
        c(&["import", "--from", "pytm", "{}"], PYTM),
        c(&["generate", "{}", "--stix"], SPEC),
    ]
}

fn with(args: &[String], model: &str) -> Vec<String> {
    args.iter()
        .map(|a| {
            if a == "{}" {
                model.to_string()
            } else {
                a.clone()
            }
        })
        .collect()
}

/// The output for a file, with its name as stdin's.
fn as_if_stdin(out: &[u8], file: &str) -> String {
    text(out).replace(file, "<stdin>")
}

/// The output for stdin, with the name as written where a format escapes it
/// (Markdown tables, SARIF URIs).
fn unescaped(out: &[u8]) -> String {
    text(out)
        .replace("&lt;stdin&gt;", "<stdin>")
        .replace("%3Cstdin%3E", "<stdin>")
}

#[test]
fn every_command_reads_the_model_from_stdin_as_from_the_file() {
    let finding = some_finding();
    for (args, file) in commands(&finding) {
        let from_file = with(&args, file);
        let from_stdin = with(&args, "-");
        let refs = |v: &[String]| v.iter().map(String::as_str).collect::<Vec<_>>().join(" ");
        let f = tms(
            &from_file.iter().map(String::as_str).collect::<Vec<_>>(),
            None,
        );
        let s = tms(
            &from_stdin.iter().map(String::as_str).collect::<Vec<_>>(),
            Some(&read(file)),
        );
        assert_eq!(
            s.status.code(),
            f.status.code(),
            "tms {}: exit codes differ\nstderr with stdin: {}",
            refs(&from_stdin),
            text(&s.stderr)
        );
        assert!(
            matches!(f.status.code(), Some(0 | 1)),
            "tms {} failed: {}",
            refs(&from_file),
            text(&f.stderr)
        );
        assert_eq!(
            unescaped(&s.stdout),
            as_if_stdin(&f.stdout, file),
            "tms {}: stdout differs from the file's",
            refs(&from_stdin)
        );
        assert_eq!(
            text(&s.stderr),
            as_if_stdin(&f.stderr, file),
            "tms {}: stderr differs from the file's",
            refs(&from_stdin)
        );
    }
}

#[test]
fn errors_in_stdin_point_at_stdin_line_and_column() {
    let broken =
        b"title: Broken\nelements:\n  - id: web\n    type: server\n    name: Web\n    port: [1\n";
    for args in [
        vec!["validate", "-"],
        vec!["check", "-"],
        vec!["report", "-"],
        vec!["diagram", "-"],
    ] {
        let out = tms(&args, Some(broken));
        assert_eq!(out.status.code(), Some(2), "tms {args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("<stdin>:"), "tms {args:?}: {err}");
        assert!(!err.contains("panicked"), "tms {args:?}: {err}");
    }
    // A model error (not syntax) has the position of the item in stdin.
    let unknown = b"title: T\nelements:\n  - id: web\n    type: servr\n    name: Web\n";
    let out = tms(&["validate", "-"], Some(unknown));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("<stdin>:4:11: error"), "{err}");
    assert!(err.contains("<stdin>: invalid: 1 error"), "{err}");
    // JSON is recognised from the content, since `-` has no extension.
    let json = br#"{"title": "T", "elements": [{"id": "a", "type": "actor", "name": "A"}]}"#;
    let out = tms(&["validate", "-"], Some(json));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("<stdin>: valid: 1 elements"), "{err}");
}

#[test]
fn empty_or_oversized_stdin_is_refused() {
    let out = tms(&["check", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("<stdin>:1:1: error: the file is empty"));

    let mut cmd = Command::cargo_bin("tms").expect("tms");
    let out = cmd
        .current_dir(root())
        .env("TMS_MAX_FILE_BYTES", "1000")
        .args(["validate", "-"])
        .write_stdin(read(MODEL))
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("<stdin>:1:1: error: the input is above the 1000-byte limit"),
        "{err}"
    );

    let out = tms(&["validate", "-"], Some(&[0x74, 0x3a, 0xff, 0x0a]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("<stdin>:1:3: error: the file is not UTF-8"));
}

#[test]
fn stdin_is_read_once() {
    let model = read(MODEL);
    let out = tms(&["diff", "-", "-"], Some(&model));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("<stdin>:1:1: error: standard input was already read for another `-`"),
        "{err}"
    );
    let out = tms(&["validate", "-", MODEL, "-"], Some(&model));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("<stdin>: valid"), "{err}");
    assert!(err.contains("already read"), "{err}");
}

/// Runs tms with the model on stdin and stdout a pipe whose reader is gone.
fn closed_stdout(args: &[String], model: &[u8]) -> Output {
    let mut child = StdCommand::cargo_bin("tms")
        .expect("tms")
        .current_dir(root())
        .env("TMS_TODAY", "2026-11-22")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tms");
    drop(child.stdout.take());
    if let Some(mut input) = child.stdin.take() {
        // tms may stop reading early only by failing; a broken pipe here is its own report.
        let _ = input.write_all(model);
    }
    child.wait_with_output().expect("wait for tms")
}

#[test]
fn every_command_with_stdin_ends_quietly_on_a_closed_stdout() {
    let finding = some_finding();
    for (args, file) in commands(&finding) {
        let from_stdin: Vec<String> = with(&args, "-");
        let normal = tms(
            &from_stdin.iter().map(String::as_str).collect::<Vec<_>>(),
            Some(&read(file)),
        );
        let out = closed_stdout(&from_stdin, &read(file));
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "tms {from_stdin:?}: {err}");
        assert_eq!(
            out.status.code(),
            normal.status.code(),
            "tms {from_stdin:?} with a closed stdout: {err}"
        );
    }
}

#[test]
fn a_file_named_dash_is_still_reachable_as_dot_slash_dash() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stdin-dash");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join("-"), read(MODEL)).expect("write ./-");
    let out = Command::cargo_bin("tms")
        .expect("tms")
        .current_dir(&dir)
        .args(["validate", "./-"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("./-: valid"));
}
