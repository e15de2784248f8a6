//! Bad input, one file per case: `tests/corpus/NAME.{yaml,json}` with the exact
//! stderr of `tms validate NAME.ext` in `tests/corpus/NAME.expected`. Every case
//! exits 2, except `valid-*` files (exit 0). `tests/corpus/warnings/` holds models
//! that are valid with warnings: exit 0, and 2 under `--strict`.
//!
//! Cases that cannot be committed (a 50 MB file, a directory, a missing file) are
//! made in a temporary directory; their path reads `$TMPDIR` in the expected text.
//!
//! `UPDATE_EXPECT=1 cargo test --test corpus` rewrites the `.expected` files;
//! review every change by eye: each message must point at the right line:col
//! and say how to fix the problem.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Triage expiry compares with today; pinned so the expected text never changes.
const TODAY: &str = "2026-11-22";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|v| !v.is_empty() && v != "0")
}

fn tms(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tms").expect("the tms binary is built");
    cmd.current_dir(dir)
        .env("TMS_TODAY", TODAY)
        .env_remove("TMS_MAX_FILE_BYTES");
    cmd
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command) -> Run {
    let out = cmd.output().expect("tms runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Compares `actual` with the expected file (or writes it under UPDATE_EXPECT).
fn compare(expected: &Path, actual: &str, failures: &mut Vec<String>) {
    if updating() {
        fs::write(expected, actual).expect("write the expected file");
        return;
    }
    match fs::read_to_string(expected) {
        Ok(want) if want == actual => {}
        Ok(want) => failures.push(format!(
            "{}: stderr differs\n--- expected\n{want}--- actual\n{actual}---",
            expected.display()
        )),
        Err(e) => failures.push(format!(
            "{}: {e} (run with UPDATE_EXPECT=1 to create it, then review it)\n--- actual\n{actual}---",
            expected.display()
        )),
    }
}

fn check_code(name: &str, run: &Run, want: i32, failures: &mut Vec<String>) {
    if run.code != Some(want) {
        failures.push(format!(
            "{name}: exit code {:?}, expected {want}\n{}",
            run.code, run.stderr
        ));
    }
    if !run.stdout.is_empty() {
        failures.push(format!("{name}: unexpected stdout:\n{}", run.stdout));
    }
}

/// The model files of a directory, sorted, with the stem each `.expected` is named by.
fn cases(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(dir)
        .expect("the corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let ext = p.extension()?.to_str()?;
            if !matches!(ext, "yaml" | "yml" | "json") {
                return None;
            }
            let file = p.file_name()?.to_str()?.to_string();
            let stem = p.file_stem()?.to_str()?.to_string();
            Some((file, stem))
        })
        .collect();
    out.sort();
    out
}

fn finish(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} corpus case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_bad_input_is_rejected_with_the_expected_messages() {
    let dir = corpus_dir();
    let cases = cases(&dir);
    assert!(cases.len() >= 40, "only {} corpus cases", cases.len());
    let mut stems: Vec<&str> = cases.iter().map(|(_, s)| s.as_str()).collect();
    stems.dedup();
    assert_eq!(stems.len(), cases.len(), "two corpus files share a stem");

    let mut failures = Vec::new();
    for (file, stem) in &cases {
        let mut cmd = tms(&dir);
        cmd.args(["validate", file]);
        let r = run(cmd);
        let want = if stem.starts_with("valid-") { 0 } else { 2 };
        check_code(file, &r, want, &mut failures);
        compare(
            &dir.join(format!("{stem}.expected")),
            &r.stderr,
            &mut failures,
        );
    }
    finish(failures);
}

#[test]
fn no_expected_file_is_orphaned() {
    let dir = corpus_dir();
    let generated = [
        "too-large",
        "too-large-default-limit",
        "directory",
        "missing-file",
    ];
    let stems: Vec<String> = cases(&dir).into_iter().map(|(_, s)| s).collect();
    for entry in fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("expected") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert!(
            stems.iter().any(|s| s == stem) || generated.contains(&stem),
            "{} has no case",
            path.display()
        );
    }
}

/// A scratch directory under Cargo's per-target temp dir, fresh for this test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("corpus-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

fn normalise(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "$TMPDIR")
}

#[test]
fn files_that_cannot_be_models() {
    let corpus = corpus_dir();
    let tmp = scratch("files");
    let mut failures = Vec::new();

    // 50 MB of plausible YAML, refused by its size before it is read.
    let big = tmp.join("big.yaml");
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(fs::File::create(&big).unwrap());
        w.write_all(b"title: Big\nelements:\n").unwrap();
        let mut written = 21u64;
        let mut i = 0u64;
        while written < 50_000_000 {
            let line = format!("  - {{id: e{i}, type: process, name: Process number {i}}}\n");
            w.write_all(line.as_bytes()).unwrap();
            written += line.len() as u64;
            i += 1;
        }
        w.flush().unwrap();
    }
    assert!(fs::metadata(&big).unwrap().len() >= 50_000_000);
    let mut cmd = tms(&tmp);
    cmd.env("TMS_MAX_FILE_BYTES", "20000000")
        .arg("validate")
        .arg(&big);
    let r = run(cmd);
    check_code("big.yaml", &r, 2, &mut failures);
    compare(
        &corpus.join("too-large.expected"),
        &normalise(&r.stderr, &tmp),
        &mut failures,
    );
    fs::remove_file(&big).unwrap();

    // One byte above the default limit (sparse: no disk is used).
    let sparse = tmp.join("sparse.json");
    fs::File::create(&sparse)
        .unwrap()
        .set_len(tms_syntax::source::DEFAULT_MAX_FILE_BYTES + 1)
        .unwrap();
    let mut cmd = tms(&tmp);
    cmd.arg("validate").arg(&sparse);
    let r = run(cmd);
    check_code("sparse.json", &r, 2, &mut failures);
    compare(
        &corpus.join("too-large-default-limit.expected"),
        &normalise(&r.stderr, &tmp),
        &mut failures,
    );
    fs::remove_file(&sparse).unwrap();

    // A directory instead of a file.
    let sub = tmp.join("model.yaml");
    fs::create_dir_all(&sub).unwrap();
    let mut cmd = tms(&tmp);
    cmd.arg("validate").arg(&sub);
    let r = run(cmd);
    check_code("directory", &r, 2, &mut failures);
    compare(
        &corpus.join("directory.expected"),
        &normalise(&r.stderr, &tmp),
        &mut failures,
    );

    // A file that does not exist.
    let mut cmd = tms(&tmp);
    cmd.arg("validate").arg(tmp.join("missing.yaml"));
    let r = run(cmd);
    check_code("missing file", &r, 2, &mut failures);
    compare(
        &corpus.join("missing-file.expected"),
        &normalise(&r.stderr, &tmp),
        &mut failures,
    );

    let _ = fs::remove_dir_all(&tmp);
    finish(failures);
}

#[test]
fn warnings_pass_but_fail_under_strict() {
    let dir = corpus_dir().join("warnings");
    let cases = cases(&dir);
    assert!(cases.len() >= 6, "only {} warning cases", cases.len());
    let mut failures = Vec::new();
    for (file, stem) in &cases {
        let mut cmd = tms(&dir);
        cmd.args(["validate", file]);
        let r = run(cmd);
        check_code(file, &r, 0, &mut failures);
        if !r.stderr.contains(": warning: ") {
            failures.push(format!("{file}: no warning\n{}", r.stderr));
        }
        if r.stderr.contains(": error: ") {
            failures.push(format!("{file}: an error in a warnings case\n{}", r.stderr));
        }
        compare(
            &dir.join(format!("{stem}.expected")),
            &r.stderr,
            &mut failures,
        );

        let mut cmd = tms(&dir);
        cmd.args(["validate", "--strict", file]);
        let strict = run(cmd);
        check_code(&format!("{file} --strict"), &strict, 2, &mut failures);
        // The same diagnostics; only the verdict on the last line differs.
        if strict.stderr != r.stderr.replace(": valid: ", ": invalid under --strict: ") {
            failures.push(format!(
                "{file}: --strict prints something else\n--- plain\n{}--- strict\n{}",
                r.stderr, strict.stderr
            ));
        }
    }
    finish(failures);
}
