//! Distribution (issue 14): the installer (`scripts/install.sh`) against a
//! fake release, the GitHub Action's metadata (`action.yml`) and its shell
//! steps (`scripts/action.sh`) run against a fixture repository with a fake
//! `gh`, and the pre-commit hooks' entries.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tms_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("tms")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("distribution")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// The target triple install.sh picks on this machine.
fn this_target() -> String {
    let os = match std::env::consts::OS {
        "linux" => "unknown-linux-musl",
        "macos" => "apple-darwin",
        other => panic!("no release target for {other}"),
    };
    format!("{}-{os}", std::env::consts::ARCH)
}

/// A release folder as the release workflow publishes it, holding the tms
/// binary of this build: `tms-<target>.tar.gz` and its `.sha256`.
fn fake_release(name: &str, target: &str) -> PathBuf {
    let dir = scratch(name);
    let stage = dir.join(format!("tms-{target}"));
    std::fs::create_dir_all(&stage).expect("stage");
    std::fs::copy(tms_bin(), stage.join("tms")).expect("copy tms");
    std::fs::copy(root().join("LICENSE"), stage.join("LICENSE")).expect("copy LICENSE");
    let archive = format!("tms-{target}.tar.gz");
    ok(Command::new("tar")
        .current_dir(&dir)
        .args(["-czf", &archive, &format!("tms-{target}")]));
    std::fs::remove_dir_all(&stage).expect("clean stage");
    let sum = ok(Command::new("sha256sum").current_dir(&dir).arg(&archive));
    std::fs::write(dir.join(format!("{archive}.sha256")), &sum.stdout).expect("write sha256");
    dir
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn install_sh_installs_the_release_for_this_machine() {
    let release = fake_release("release-ok", &this_target());
    let to = scratch("install-ok").join("bin");
    let out = ok(Command::new("sh")
        .arg(root().join("scripts/install.sh"))
        .args(["--version", "v9.9.9", "--to"])
        .arg(&to)
        .env("TMS_DOWNLOAD_BASE", file_url(&release))
        .env("PATH", std::env::var("PATH").unwrap_or_default()));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("tms-{}.tar.gz", this_target())),
        "{err}"
    );
    assert!(err.contains("is not on PATH"), "{err}");
    let v = ok(Command::new(to.join("tms")).arg("--version"));
    assert!(text(&v.stdout).starts_with("tms "), "{}", text(&v.stdout));
}

#[test]
fn install_sh_refuses_a_download_whose_checksum_differs() {
    let target = "x86_64-unknown-linux-musl";
    let release = fake_release("release-bad", target);
    let sum = release.join(format!("tms-{target}.tar.gz.sha256"));
    std::fs::write(&sum, format!("{}  tms-{target}.tar.gz\n", "0".repeat(64)))
        .expect("corrupt the checksum");
    let to = scratch("install-bad").join("bin");
    let out = run(Command::new("sh")
        .arg(root().join("scripts/install.sh"))
        .args(["--target", target, "--to"])
        .arg(&to)
        .env("TMS_DOWNLOAD_BASE", file_url(&release)));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("checksum mismatch"),
        "{}",
        text(&out.stderr)
    );
    assert!(!to.join("tms").exists(), "installed despite the mismatch");

    // A missing archive is a clear error too.
    let out = run(Command::new("sh")
        .arg(root().join("scripts/install.sh"))
        .args(["--target", "aarch64-apple-darwin", "--to"])
        .arg(&to)
        .env("TMS_DOWNLOAD_BASE", file_url(&release)));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot download"));
}

// ---- action.yml ---------------------------------------------------------------

fn action() -> (String, Value) {
    let text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    let v: Value = serde_saphyr::from_str(&text).expect("action.yml is YAML");
    (text, v)
}

/// What `${{ ... }}` expressions in the file name: `inputs.X`, `steps.X.outputs.Y`.
fn referenced(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(prefix) {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
            continue;
        }
        let name: String = text[i + prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        out.push(name);
    }
    out
}

#[test]
fn action_yml_is_a_composite_action_whose_references_resolve() {
    let (text, a) = action();
    // The metadata GitHub requires (the Action metadata schema's required keys).
    for key in ["name", "description", "runs"] {
        assert!(a.get(key).is_some(), "action.yml has no `{key}`");
    }
    assert_eq!(a["runs"]["using"], "composite");
    let inputs = a["inputs"].as_object().expect("inputs");
    for (name, input) in inputs {
        assert!(
            input["description"].is_string(),
            "input {name} has no description"
        );
        assert!(
            input.get("default").is_some() || input["required"] == true,
            "input {name}: neither required nor defaulted"
        );
    }
    for name in referenced(&text, "inputs.") {
        assert!(
            inputs.contains_key(&name),
            "`inputs.{name}` is not an input"
        );
    }
    let steps = a["runs"]["steps"].as_array().expect("steps");
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for name in referenced(&text, "steps.") {
        assert!(ids.contains(&name.as_str()), "`steps.{name}` is no step id");
    }
    let script = std::fs::read_to_string(root().join("scripts/action.sh")).expect("action.sh");
    let mut uses = Vec::new();
    for s in steps {
        let name = s["name"].as_str().expect("every step is named");
        match (s.get("run"), s.get("uses")) {
            (Some(run), None) => {
                assert!(s["shell"].is_string(), "{name}: a run step needs `shell`");
                let run = run.as_str().expect("run is text");
                let sub = run
                    .strip_prefix("bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" ")
                    .unwrap_or_else(|| panic!("{name}: runs {run}, not scripts/action.sh"));
                assert!(
                    script.contains(&format!("\n{sub}() {{")),
                    "{name}: action.sh has no `{sub}`"
                );
            }
            (None, Some(u)) => uses.push(u.as_str().expect("uses is text").to_string()),
            _ => panic!("{name}: a step has `run` or `uses`, not both or neither"),
        }
    }
    assert_eq!(uses, ["github/codeql-action/upload-sarif@v4"]);
    for (name, o) in a["outputs"].as_object().expect("outputs") {
        assert!(
            o["value"].as_str().is_some_and(|v| v.contains("steps.")),
            "output {name} has no value from a step"
        );
    }
    // The permissions it needs are documented where users read them.
    for p in ["security-events: write", "actions: read", "contents: read"] {
        assert!(text.contains(p), "action.yml does not mention {p}");
        let example =
            std::fs::read_to_string(root().join("docs/github-actions.yml")).expect("example");
        assert!(example.contains(p), "docs/github-actions.yml lacks {p}");
    }
}

#[test]
fn the_example_workflow_uses_the_action_and_current_majors() {
    let text = std::fs::read_to_string(root().join("docs/github-actions.yml")).expect("example");
    let w: Value = serde_saphyr::from_str(&text).expect("the example is YAML");
    let steps = w["jobs"]["threat-model"]["steps"]
        .as_array()
        .expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert_eq!(uses, ["actions/checkout@v6", "your-org/tms@v0.1.0"]);
    assert!(!text.contains("TMS_GIT"));
    assert!(!text.contains("cargo install"));
}

// ---- scripts/action.sh against a fixture repository ---------------------------

struct Repo {
    dir: PathBuf,
    bin: PathBuf,
    github: PathBuf,
}

fn git(dir: &Path, args: &[&str]) {
    ok(Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args));
}

/// A clone whose `origin` has the model (shop v1) on `main`, checked out on a
/// branch that changes it to shop v2; a `bin/` with tms and a fake `gh`.
fn fixture_repo(name: &str) -> Repo {
    let base = scratch(name);
    let origin = base.join("origin");
    std::fs::create_dir_all(&origin).expect("origin");
    git(&origin, &["init", "-q"]);
    std::fs::copy(
        root().join("tests/ci/shop-v1.yaml"),
        origin.join("model.yaml"),
    )
    .expect("v1");
    std::fs::copy(
        root().join("tests/ci/rules.yaml"),
        origin.join("rules.yaml"),
    )
    .expect("rules");
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-q", "-m", "v1"]);
    let dir = base.join("work");
    let url = format!("file://{}", origin.display());
    git(&base, &["clone", "-q", "--depth=1", &url, "work"]);
    git(&dir, &["checkout", "-q", "-b", "change"]);
    std::fs::copy(root().join("tests/ci/shop-v2.yaml"), dir.join("model.yaml")).expect("v2");
    git(&dir, &["commit", "-q", "-am", "v2"]);
    let bin = base.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    std::os::unix::fs::symlink(tms_bin(), bin.join("tms")).expect("link tms");
    // A fake gh: logs its arguments and the body it is given; lists a comment
    // with the marker when FAKE_GH_COMMENT_ID is set.
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        "#!/bin/sh\n\
         echo \"gh $*\" >> \"$FAKE_GH_LOG\"\n\
         for a in \"$@\"; do case \"$a\" in body=@*) cat \"${a#body=@}\" >> \"$FAKE_GH_LOG\";; esac; done\n\
         case \"$*\" in *--jq*) [ -z \"$FAKE_GH_COMMENT_ID\" ] || echo \"$FAKE_GH_COMMENT_ID\";; esac\n",
    )
    .expect("fake gh");
    ok(Command::new("chmod").arg("755").arg(&gh));
    let github = base.join("github");
    std::fs::create_dir_all(&github).expect("github files");
    Repo { dir, bin, github }
}

impl Repo {
    fn step(&self, sub: &str, env: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.current_dir(&self.dir)
            .arg(root().join("scripts/action.sh"))
            .arg(sub)
            .env("PATH", path)
            .env("TMS_TODAY", "2026-11-22")
            .env("GITHUB_OUTPUT", self.github.join("output"))
            .env("GITHUB_STEP_SUMMARY", self.github.join("summary"))
            .env("GITHUB_PATH", self.github.join("path"))
            .env("RUNNER_TEMP", self.github.join("temp"))
            .env("GITHUB_REPOSITORY", "octo/shop")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_BASE_REF", "main")
            .env("TMS_MODEL", "model.yaml")
            .env("TMS_ARGS", "--no-default-rules --rules rules.yaml")
            .env("FAKE_GH_LOG", self.github.join("gh.log"))
            .env("FAKE_GH_COMMENT_ID", "");
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd)
    }

    fn github_file(&self, name: &str) -> String {
        std::fs::read_to_string(self.github.join(name)).unwrap_or_default()
    }

    fn output(&self, key: &str) -> Option<String> {
        self.github_file("output")
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .map(str::to_string)
    }
}

#[test]
fn the_action_checks_exports_sarif_diffs_comments_and_gives_a_verdict() {
    let r = fixture_repo("action");

    let out = r.step(
        "check",
        &[("TMS_SARIF", "tms.sarif"), ("TMS_FAIL_ON", "high")],
    );
    assert!(out.status.success(), "check step: {}", text(&out.stderr));
    assert_eq!(r.output("check-exit-code").as_deref(), Some("1"));
    assert_eq!(r.output("sarif-file").as_deref(), Some("tms.sarif"));
    let sarif: Value = serde_json::from_slice(
        &std::fs::read(r.dir.join("tms.sarif")).expect("the SARIF log is written"),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");

    let out = r.step("diff", &[("TMS_FAIL_ON_NEW", "high")]);
    assert!(out.status.success(), "diff step: {}", text(&out.stderr));
    assert_eq!(r.output("diff-file").as_deref(), Some("tms-diff.md"));
    assert_eq!(r.output("diff-exit-code").as_deref(), Some("1"));
    let summary = r.github_file("summary");
    assert!(
        summary.contains("## Threat model findings: `.tms-base/model.yaml` → `model.yaml`"),
        "{summary}"
    );
    assert!(summary.contains("TST-001@admin-console"), "{summary}");
    assert!(
        !r.dir.join(".tms-base").exists(),
        "the base copy is left behind"
    );

    // First comment: created; the next run replaces it.
    let out = r.step("comment", &[("TMS_PR_NUMBER", "7")]);
    assert!(out.status.success(), "comment step: {}", text(&out.stderr));
    let log = r.github_file("gh.log");
    assert!(
        log.contains("gh api --silent repos/octo/shop/issues/7/comments -F body=@"),
        "{log}"
    );
    assert!(
        log.contains("<!-- tms-diff: model.yaml -->\n## Threat model findings"),
        "{log}"
    );
    let out = r.step(
        "comment",
        &[("TMS_PR_NUMBER", "7"), ("FAKE_GH_COMMENT_ID", "42")],
    );
    assert!(out.status.success(), "comment step: {}", text(&out.stderr));
    let log = r.github_file("gh.log");
    assert!(
        log.contains("gh api --silent -X PATCH repos/octo/shop/issues/comments/42"),
        "{log}"
    );

    let out = r.step(
        "verdict",
        &[
            ("TMS_CHECK_EXIT", "1"),
            ("TMS_DIFF_EXIT", "1"),
            ("TMS_FAIL_ON_NEW", "high"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let so = text(&out.stdout);
    assert!(
        so.contains("::error file=model.yaml::open findings at or above high remain"),
        "{so}"
    );
    assert!(so.contains("new open finding at or above high"), "{so}");
    let out = r.step("verdict", &[("TMS_CHECK_EXIT", "0"), ("TMS_DIFF_EXIT", "")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn the_action_handles_a_new_model_a_push_and_an_invalid_model() {
    let r = fixture_repo("action-edge");
    // A model the base branch does not have.
    std::fs::copy(root().join("tests/ci/shop-v2.yaml"), r.dir.join("new.yaml")).expect("new");
    let out = r.step("diff", &[("TMS_MODEL", "new.yaml")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(r
        .github_file("summary")
        .contains("`new.yaml` is new in this pull request"));
    assert_eq!(r.output("diff-exit-code").as_deref(), Some("0"));

    // Not a pull request: nothing to compare.
    let out = r.step("diff", &[("GITHUB_EVENT_NAME", "push")]);
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("not a pull request"));

    // An invalid model fails the check step itself (exit 2), with tms's message.
    std::fs::write(
        r.dir.join("bad.yaml"),
        "title: x\nelements: [{id: a, type: nope}]\n",
    )
    .expect("bad model");
    let out = r.step("check", &[("TMS_MODEL", "bad.yaml")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.yaml:2:"),
        "{}",
        text(&out.stderr)
    );

    // A model that does not exist.
    let out = r.step("check", &[("TMS_MODEL", "missing.yaml")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).contains("::error::tms-action: the model `missing.yaml` does not exist")
    );
}

#[test]
fn the_action_installs_the_release_binary_onto_the_path() {
    let r = fixture_repo("action-install");
    let release = fake_release("action-release", &this_target());
    let out = r.step(
        "install",
        &[
            ("TMS_REPO", "octo/tms"),
            ("TMS_VERSION", "v9.9.9"),
            ("TMS_INSTALL", "binary"),
            ("TMS_DOWNLOAD_BASE", &file_url(&release)),
        ],
    );
    assert!(out.status.success(), "install step: {}", text(&out.stderr));
    let dir = r.github.join("temp/tms/bin");
    assert_eq!(r.github_file("path").trim(), dir.display().to_string());
    assert!(dir.join("tms").is_file());

    let out = r.step(
        "install",
        &[("TMS_REPO", "octo/tms"), ("TMS_INSTALL", "pip")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("install must be `binary` or `cargo`"));
}

// ---- pre-commit ---------------------------------------------------------------

#[test]
fn pre_commit_binary_hooks_use_the_downloaded_release() {
    let hooks: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("hooks"),
    )
    .expect("hooks are YAML");
    let ids: Vec<&str> = hooks
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "tms-validate",
            "tms-check",
            "tms-validate-binary",
            "tms-check-binary"
        ]
    );
    let release = fake_release("pre-commit-release", &this_target());
    let cache = scratch("pre-commit-cache");
    let hook = |args: &[&str]| {
        run(Command::new("sh")
            .current_dir(root())
            .arg(root().join("scripts/pre-commit.sh"))
            .args(args)
            .env("TMS_DOWNLOAD_BASE", file_url(&release))
            .env("TMS_CACHE_DIR", &cache)
            .env("TMS_TODAY", "2026-11-22"))
    };
    let out = hook(&["validate", "examples/web-shop.yaml"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(cache.join("tms").is_file());
    let out = hook(&[
        "check",
        "--fail-on",
        "critical",
        "--no-default-rules",
        "--rules",
        "tests/ci/rules.yaml",
        "tests/ci/shop-v1.yaml",
        "tests/ci/shop-v2.yaml",
    ]);
    let err = text(&out.stderr);
    assert!(!err.contains("downloading"), "downloaded twice: {err}");
    assert!(err.matches("tests/ci/shop-v").count() >= 2, "{err}");
}

// ---- the release workflow and the container image -----------------------------

#[test]
fn the_release_builds_what_the_installer_and_the_action_download() {
    let text =
        std::fs::read_to_string(root().join(".github/workflows/release.yml")).expect("release");
    let w: Value = serde_saphyr::from_str(&text).expect("release.yml is YAML");
    let targets: Vec<&str> = w["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("a matrix")
        .iter()
        .filter_map(|t| t["target"].as_str())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "aarch64-apple-darwin",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
        ]
    );
    // Every target the installer can pick is built.
    let installer = std::fs::read_to_string(root().join("scripts/install.sh")).expect("install");
    for t in [
        "$arch-unknown-linux-musl",
        "$arch-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(installer.contains(t), "install.sh does not pick {t}");
    }
    // The names install.sh fetches are the ones the workflow writes.
    for name in [
        "tms-$target.zip",
        "tms-$target.tar.gz",
        "$base/$archive.sha256",
    ] {
        assert!(installer.contains(name), "install.sh lacks {name}");
    }
    for name in [
        "\"dist/$name.tar.gz\"",
        "\"$name.zip\"",
        "> \"$archive.sha256\"",
        "SHA256SUMS",
        "install.sh",
    ] {
        assert!(text.contains(name), "release.yml lacks {name}");
    }
    let docker = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    let last_from = docker
        .lines()
        .rev()
        .find(|l| l.starts_with("FROM "))
        .expect("a FROM");
    assert_eq!(last_from, "FROM scratch");
    assert!(docker.contains("ENTRYPOINT [\"/usr/local/bin/tms\"]"));
}
