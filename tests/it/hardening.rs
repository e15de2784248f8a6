//! Hostile inputs and hostile surroundings (issue 13): closed pipes and full
//! disks, outputs that are devices, links or the input itself, templates that
//! would eat the memory, and what the validator must refuse.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hardening");
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir.join(name)
}

fn write(name: &str, text: &str) -> PathBuf {
    let p = scratch(name);
    std::fs::write(&p, text).expect("write a scratch file");
    p
}

fn tms(args: &[&str]) -> Output {
    Command::cargo_bin("tms")
        .expect("tms")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run tms")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

/// Runs tms with stdout a pipe whose reader is gone before anything is written.
fn with_closed_stdout(args: &[&str]) -> Output {
    let mut child = StdCommand::cargo_bin("tms")
        .expect("tms")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tms");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for tms")
}

// ---- panics: failed writes to stdout and stderr -----------------------------

#[test]
fn a_closed_stdout_is_a_quiet_end() {
    for args in [
        &["rules", "list", "--json"][..],
        &["rules", "list"],
        &["rules", "show", "FLOW-001"],
        &["describe", "server"],
        &["describe", "--role", "list"],
        &["report", "examples/web-shop.yaml", "--format", "md"],
        &["report", "examples/web-shop.yaml"],
        &["schema"],
    ] {
        let out = with_closed_stdout(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("error"), "{args:?}: {err}");
    }
}

#[test]
fn a_full_stdout_is_exit_2_with_a_message() {
    for args in [
        &["describe", "server"][..],
        &["rules", "list", "--json"],
        &["report", "examples/web-shop.yaml", "--format", "md"],
    ] {
        let out = StdCommand::cargo_bin("tms")
            .expect("tms")
            .args(args)
            .stdout(dev_full())
            .output()
            .expect("run tms");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
    }
}

#[test]
fn a_failing_stderr_never_panics() {
    let many = write(
        "many-errors.yaml",
        &format!(
            "title: t\nelements:\n{}",
            (0..200)
                .map(|i| format!("  - {{id: e{i}, type: nope}}\n"))
                .collect::<String>()
        ),
    );
    let many = many.to_string_lossy().into_owned();
    // A full stderr: a valid model (exit 2: its verdict could not be said)
    // and an invalid one.
    for (args, code) in [
        (&["validate", "examples/web-shop.yaml"][..], 2),
        (&["validate", many.as_str()], 2),
        (&["rules", "list"], 2),
    ] {
        let out = StdCommand::cargo_bin("tms")
            .expect("tms")
            .args(args)
            .stdout(Stdio::null())
            .stderr(dev_full())
            .output()
            .expect("run tms");
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
    // A closed stderr (`2>&1 | head -1`): the verdict stands.
    let mut child = StdCommand::cargo_bin("tms")
        .expect("tms")
        .args(["validate", many.as_str()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tms");
    drop(child.stderr.take());
    let status = child.wait().expect("wait for tms");
    assert_eq!(status.code(), Some(2));
}

// ---- output files -------------------------------------------------------------

#[test]
fn the_output_may_not_be_the_input() {
    let model = scratch("self.yaml");
    std::fs::copy("examples/web-shop.yaml", &model).expect("copy the example");
    let before = std::fs::read(&model).expect("read");
    let m = model.to_string_lossy().into_owned();
    // The same file, also by another spelling of its path.
    let dotted = model
        .parent()
        .expect("a folder")
        .join(".")
        .join("self.yaml")
        .to_string_lossy()
        .into_owned();
    for args in [
        vec!["report", m.as_str(), "-o", m.as_str()],
        vec![
            "report",
            m.as_str(),
            "--format",
            "md",
            "-o",
            dotted.as_str(),
        ],
        vec!["export", m.as_str(), "--format", "sarif", "-o", m.as_str()],
        vec!["diagram", m.as_str(), "--format", "dot", "-o", m.as_str()],
        vec!["import", "--from", "otm", m.as_str(), "-o", m.as_str()],
        vec!["diff", m.as_str(), m.as_str(), "-o", m.as_str()],
    ] {
        let out = tms(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("the output is the input"), "{args:?}");
        assert_eq!(std::fs::read(&model).expect("read"), before, "{args:?}");
    }
}

#[test]
fn a_missing_output_folder_is_named() {
    let target = scratch("no-such-folder/r.md");
    let out = tms(&[
        "report",
        "examples/web-shop.yaml",
        "--format",
        "md",
        "-o",
        &target.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("no-such-folder"), "{err}");
}

#[cfg(unix)]
#[test]
fn rewriting_an_output_keeps_its_permissions_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("perms");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let target = dir.join("r.md");
    std::fs::write(&target, "old").expect("write");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = tms(&[
        "report",
        "examples/web-shop.yaml",
        "--format",
        "md",
        "-o",
        &target.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::metadata(&target).expect("stat");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&target)
        .expect("read")
        .starts_with("# Threat model"));
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("r.md")]);
}

#[cfg(unix)]
#[test]
fn an_output_that_is_not_a_regular_file_is_written_in_place() {
    // A device stays a device.
    let out = tms(&["report", "examples/web-shop.yaml", "-o", "/dev/null"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::metadata("/dev/null").expect("stat");
    assert!(!meta.is_file());
    // A symbolic link stays a link, and its target gets the output.
    let dir = scratch("link");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let real = dir.join("real.md");
    std::fs::write(&real, "old").expect("write");
    let link = dir.join("link.md");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = tms(&[
        "report",
        "examples/web-shop.yaml",
        "--format",
        "md",
        "-o",
        &link.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&link)
        .expect("lstat")
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .expect("read")
        .starts_with("# Threat model"));
}

// ---- templates ------------------------------------------------------------------

fn render(template: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "report".to_string(),
        "examples/web-shop.yaml".to_string(),
        "--template".to_string(),
        template.to_string_lossy().into_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    tms(&args)
}

#[test]
fn templates_that_would_eat_the_memory_stop_with_exit_2() {
    let cases = [
        (
            "doubling.md.j2",
            "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "ran out of fuel",
        ),
        (
            "doubling-macro.md.j2",
            "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}{{ d('x', 60) }}",
            "error: template:",
        ),
        (
            "format.md.j2",
            "{{ '%2000000000d'|format(1) }}",
            "width or precision of 2000000000 is above the limit",
        ),
        (
            "precision.md.j2",
            "{{ '%.900000000f'|format(1.5) }}",
            "width or precision of 900000000 is above the limit",
        ),
        (
            "named-format.md.j2",
            "{{ '%(a)99999999s'|format(a='x') }}",
            "above the limit",
        ),
        (
            "output.txt",
            "{% set s = 'x' * 1000000 %}{% for i in range(70) %}{{ s }}{% endfor %}",
            "the output is above the 64 MiB limit",
        ),
    ];
    for (name, text, wanted) in cases {
        let t = write(name, text);
        let target = scratch(&format!("{name}.out"));
        let _ = std::fs::remove_file(&target);
        let out = render(&t, &["-o", &target.to_string_lossy()]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(wanted), "{name}: {}", stderr(&out));
        assert!(!target.exists(), "{name}: no output");
    }
    // A reasonable width still works.
    let t = write("width.txt", "[{{ '%5d'|format(42) }}]");
    let out = render(&t, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[   42]");
}

#[test]
fn a_template_that_does_not_say_what_it_writes_is_escaped_for_the_output_or_refused() {
    let body = "{{ '<b>&' ~ model.title }}";
    let t = write("no-extension", body);
    let tpl = write("t.tpl", body);
    // Refused when nothing tells.
    for (template, extra) in [
        (&t, &[][..]),
        (&tpl, &[]),
        (&tpl, &["--format", "json"]),
        (&tpl, &["-o", "/dev/null"]),
    ] {
        let out = render(template, extra);
        assert_eq!(out.status.code(), Some(2), "{template:?} {extra:?}");
        assert!(
            stderr(&out).contains("does not say what it writes"),
            "{}",
            stderr(&out)
        );
    }
    // The output's extension tells.
    let target = scratch("escaped.html");
    let out = render(&tpl, &["-o", &target.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "&lt;b&gt;&amp;Web shop (three-tier)"
    );
    let target = scratch("escaped.md");
    let out = render(&t, &["-o", &target.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&target)
        .expect("read")
        .starts_with("&lt;b&gt;&amp;"));
}
