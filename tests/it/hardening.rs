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

// ---- validation ------------------------------------------------------------------

/// Validates `text` as a model file and gives (exit code, stderr).
fn validate(name: &str, text: &str) -> (Option<i32>, String) {
    let p = write(name, text);
    let out = tms(&["validate", &p.to_string_lossy()]);
    (out.status.code(), stderr(&out))
}

const BASE: &str = "title: t\nelements:\n  - {id: u, type: actor}\n  - {id: web, type: server}\n";

#[test]
fn ports_out_of_range_are_errors_with_their_position() {
    for (name, extra, wanted) in [
        (
            "port-high.yaml",
            "  - {id: s, type: server, port: 65536}\n",
            "5:33: error: `port` is 65536",
        ),
        (
            "port-neg.yaml",
            "  - {id: s, type: server, port: -7}\n",
            "5:33: error: `port` is -7",
        ),
        (
            "dstport.yaml",
            "flows:\n  - {id: f, from: u, to: web, dstPort: 70000}\n",
            "6:40: error: `dstPort` is 70000",
        ),
        (
            "srcport.yaml",
            "flows:\n  - {id: f, from: u, to: web, srcPort: -2}\n",
            "6:40: error: `srcPort` is -2",
        ),
    ] {
        let (code, err) = validate(name, &format!("{BASE}{extra}"));
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(wanted), "{name}: {err}");
    }
    // -1 (none), 0 and 65535 are ports.
    let (code, err) = validate(
        "ports-ok.yaml",
        &format!("{BASE}  - {{id: a, type: server, port: -1}}\n  - {{id: b, type: server, port: 0}}\n  - {{id: c, type: server, port: 65535}}\n"),
    );
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn ids_with_hostile_characters_are_refused_and_messages_show_them_escaped() {
    for (name, id, wanted) in [
        (
            "bidi.yaml",
            "us\\u202eer",
            "holds U+202E (bidirectional control) at character 3",
        ),
        ("nul.yaml", "a\\0b", "holds U+0000 (NUL) at character 2"),
        (
            "zwsp.yaml",
            "web\\u200b",
            "holds U+200B (zero-width space) at character 4",
        ),
        (
            "esc.yaml",
            "x\\e[2Jy",
            "holds U+001B (escape) at character 2",
        ),
        ("bom.yaml", "\\ufeffweb", "holds U+FEFF"),
        ("nonchar.yaml", "a\\uffffb", "holds U+FFFF (noncharacter)"),
    ] {
        let (code, err) = validate(
            name,
            &format!("{BASE}  - {{id: \"{id}\", type: process}}\n"),
        );
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(wanted), "{name}: {err}");
        // Nothing raw reaches the terminal.
        assert!(
            !err.chars().any(|c| c.is_control() && c != '\n'),
            "{name}: {err:?}"
        );
        assert!(
            !err.contains('\u{202e}') && !err.contains('\u{200b}'),
            "{name}"
        );
    }
    // A control character in any echoed text (here an unknown key) is escaped too.
    let (code, err) = validate(
        "esc-key.yaml",
        &format!("{BASE}  - {{id: p, type: process, \"is\\e[2JHardened\": true}}\n"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("\\u{1b}[2J"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn response_cycles_are_errors_and_responses_to_responses_warnings() {
    let (code, err) = validate(
        "cycle.yaml",
        &format!("{BASE}flows:\n  - {{id: a, from: u, to: web, responseTo: b}}\n  - {{id: b, from: web, to: u, responseTo: a}}\n"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("the flows `a` and `b` answer each other"),
        "{err}"
    );
    let (code, err) = validate(
        "chain.yaml",
        &format!("{BASE}flows:\n  - {{id: a, from: u, to: web}}\n  - {{id: b, from: web, to: u, responseTo: a}}\n  - {{id: c, from: u, to: web, responseTo: b}}\n"),
    );
    // A chain is pytm's to allow: a warning.
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: the flow `c` answers `b`, which is itself a response (to `a`)"),
        "{err}"
    );
    let (code, err) = validate(
        "cycle3.yaml",
        &format!("{BASE}flows:\n  - {{id: a, from: u, to: web, responseTo: c}}\n  - {{id: b, from: web, to: u, responseTo: a}}\n  - {{id: c, from: u, to: web, responseTo: b}}\n"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("their responses lead back to it"), "{err}");
}

#[test]
fn protocols_are_normalised_or_questioned() {
    let (code, err) = validate(
        "protocols.yaml",
        &format!("{BASE}flows:\n  - {{id: a, from: u, to: web, protocol: HTPS}}\n  - {{id: b, from: u, to: web, protocol: HTTP/2}}\n  - {{id: c, from: u, to: web, protocol: https}}\n  - {{id: d, from: u, to: web, protocol: PostgreSQL+TLS}}\n"),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("6:41: warning: unknown protocol `HTPS`"),
        "{err}"
    );
    assert!(err.contains("did you mean `HTTPS`?"), "{err}");
    assert!(
        err.contains("7:41: warning: the protocol `HTTP/2` is read as `HTTP`"),
        "{err}"
    );
    assert!(!err.contains("`https`"), "{err}");
    assert!(!err.contains("PostgreSQL"), "{err}");
}

#[test]
fn unknown_yaml_tags_are_warned() {
    let (code, err) = validate(
        "tags.yaml",
        "title: !secret t\nelements:\n  - {id: a, type: actor, description: !!binary aGVsbG8=}\n  - {id: b, type: actor, name: !!python/name:os.system x}\n",
    );
    assert_eq!(code, Some(0), "{err}");
    for tag in ["`!secret`", "`!!binary`", "`!!python/name:os.system`"] {
        assert!(
            err.contains(&format!("the YAML tag {tag} is ignored")),
            "{err}"
        );
    }
}

#[test]
fn credentials_life_aliases_agree_with_the_schema() {
    let (code, err) = validate(
        "alias.yaml",
        "title: t\ndata:\n  - {id: pw, name: P, isCredentials: true, credentialsLife: long}\nelements:\n  - {id: a, type: actor, data: [pw]}\n  - {id: b, type: server}\nflows:\n  - {id: f, from: a, to: b, data: [pw]}\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("3:61: warning: `long` stands for `long-lived`"),
        "{err}"
    );
    let out = tms(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema JSON");
    let text = schema.to_string();
    // The alias is in the schema's list of credentialsLife values.
    assert!(text.contains("\"long\""), "the schema lacks the alias");
    assert!(text.contains("\"manually-revokable\""));
}

#[test]
fn excludes_and_blanket_triage_entries_are_checked() {
    let model = write(
        "triage.yaml",
        "title: Triage\nassumptions:\n  - {name: A, excludes: [NOPE-001, repud-005, \"REPUD-*\"]}\nboundaries: [{id: i, name: Internet}, {id: d, name: DC}]\ndata: [{id: pw, name: Password, classification: secret, isCredentials: true}]\nelements:\n  - {id: user, type: actor, name: User, boundary: i}\n  - {id: web, type: server, name: Web, boundary: d}\nflows:\n  - {id: login, from: user, to: web, protocol: HTTP, data: [pw]}\ntriage:\n  - {finding: \"*@*\", status: accepted, justification: all}\n",
    );
    let out = tms(&["check", &model.to_string_lossy(), "--questions", "0"]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "3:5: warning: the assumption `A` excludes `NOPE-001`, which matches no loaded rule"
        ),
        "{err}"
    );
    assert!(err.contains("excludes `repud-005`"), "{err}");
    assert!(err.contains("did you mean `REPUD-005`?"), "{err}");
    assert!(
        !err.contains("excludes `REPUD-*`"),
        "a pattern matching rules: {err}"
    );
    assert!(
        err.contains("12:5: warning: the triage entry `*@*` decides every finding"),
        "{err}"
    );
    assert!(err.contains("closed by a wildcard triage entry"), "{err}");
}

// ---- diagrams --------------------------------------------------------------------

#[test]
fn labels_that_are_not_xml_characters_keep_svg_valid_and_long_labels_are_clipped() {
    let long = "x".repeat(1_000_000);
    let model = write(
        "xml-hostile.json",
        &format!(
            "{{\"title\": \"t\\ufffe\", \"elements\": [{{\"id\": \"a\", \"type\": \"actor\", \"name\": \"A\\ufffeB\\uffff\"}}, {{\"id\": \"b\", \"type\": \"server\", \"name\": \"{long}\"}}], \"flows\": [{{\"id\": \"f\", \"from\": \"a\", \"to\": \"b\", \"name\": \"n\\uffff\", \"order\": 1}}]}}"
        ),
    );
    let m = model.to_string_lossy().into_owned();
    for extra in [
        &["--format", "svg"][..],
        &["--format", "svg", "--kind", "seq"],
        &["--format", "svg", "--colormap"],
    ] {
        let mut args = vec!["diagram", m.as_str()];
        args.extend_from_slice(extra);
        let out = tms(&args);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        let svg = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(
            !svg.contains('\u{fffe}') && !svg.contains('\u{ffff}'),
            "{extra:?}"
        );
        assert!(svg.contains("A\u{fffd}B\u{fffd}"), "{extra:?}");
        assert!(!svg.contains(&"x".repeat(1000)), "{extra:?}: not clipped");
        // resvg parses it as XML.
        resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default())
            .unwrap_or_else(|e| panic!("{extra:?}: invalid SVG: {e}"));
    }
    let png = scratch("xml-hostile.png");
    let started = std::time::Instant::now();
    let out = tms(&["diagram", &m, "-o", &png.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a clipped label draws fast"
    );
}

#[test]
fn yaml_1_1_booleans_are_text_so_ids_survive_and_fields_say_what_to_write() {
    // Threagile keys and ids `no` / `yes` stay ids (YAML 1.1 made them
    // "false" / "true", which hid a cycle through them).
    let tg = write(
        "yes-no.threagile.yaml",
        "threagile_version: 1.0.0\ntitle: t\ntechnical_assets:\n  no:\n    id: no\n    type: process\n    technology: web-server\n    communication_links:\n      l1:\n        target: yes\n        protocol: https\n  yes:\n    id: yes\n    type: datastore\n    technology: database\n",
    );
    let out = tms(&["import", path(&tg), "--from", "threagile"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(yaml.contains("id: \"no\""), "{yaml}");
    assert!(yaml.contains("id: \"yes\""), "{yaml}");
    assert!(!yaml.contains("\"false\""), "{yaml}");
    // In our own format a boolean written `yes` is an error with the fix.
    let model = write(
        "yes.yaml",
        "title: t\nelements:\n  - {id: a, type: process, name: A, isHardened: yes}\n",
    );
    let out = tms(&["validate", path(&model)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(":3:49: error: `isHardened` must be a boolean, found the text \"yes\""),
        "{err}"
    );
    assert!(err.contains("help: write true"), "{err}");
}

#[test]
fn threat_dragon_cells_with_one_id_twice_are_an_error() {
    let cell = r#"{"id": "c1", "shape": "process", "position": {"x": 0, "y": 0}, "size": {"width": 10, "height": 10}, "data": {"type": "tm.Process", "name": "P"}}"#;
    let td = write(
        "dup-cells.json",
        &format!(
            r#"{{"version": "2.2.0", "summary": {{"title": "t"}}, "detail": {{"diagrams": [{{"title": "d", "diagramType": "STRIDE", "cells": [{cell}, {cell}]}}]}}}}"#
        ),
    );
    let out = tms(&["import", path(&td), "--from", "threat-dragon"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the cell id \"c1\" is used twice (first at line 1"),
        "{err}"
    );
}

#[test]
fn otm_warnings_show_huge_numbers_compactly() {
    let otm = write(
        "huge.otm.json",
        r#"{"otmVersion": "0.2.0", "project": {"name": "p", "id": "p"}, "trustZones": [{"id": "z", "name": "Z", "risk": {"trustRating": 50}}], "components": [], "dataflows": [], "threats": [{"id": "t1", "name": "T", "categories": ["S"], "risk": {"likelihood": -1e308, "impact": 50}}]}"#,
    );
    let out = tms(&["import", path(&otm), "--from", "otm"]);
    let err = stderr(&out);
    assert!(
        err.contains("`likelihood` is -1e308; OTM rates from 0 to 100"),
        "{err}"
    );
    assert!(!err.contains("0000000000"), "{err}");
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 scratch path")
}
