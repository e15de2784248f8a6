//! Threat Model Spec files: read as models (detected from content), converted
//! by `tms import`, and drawn by `tms generate` as D2 that the real D2
//! compiler accepts.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tms_formats::threat_model_spec::DiagramKind;
use tms_model::imported::Anchor;
use tms_model::{ElementKind, Item, Model, ValueRef};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const SHIPPED: [&str; 3] = [
    "tests/third-party/fixtures/threat-model-spec/design-phase-payment-checkout.json",
    "tests/third-party/fixtures/threat-model-spec/lodash-template-open-source-assessment.json",
    "tests/third-party/fixtures/threat-model-spec/openclaw-websocket-takeover.json",
];
const HOSTILE: &str = "tests/fixtures/threat-model-spec/hostile-labels.json";

fn all_fixtures() -> Vec<&'static str> {
    SHIPPED.iter().copied().chain([HOSTILE]).collect()
}

fn tms() -> Command {
    let mut c = Command::cargo_bin("tms").expect("the tms binary");
    c.current_dir(root());
    c
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("threat_model_spec")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

fn load(path: &str) -> Model {
    match tms_formats::load::load_path(&root().join(path)) {
        Ok(l) => l.model,
        Err(d) => panic!("{path} does not load: {d:?}"),
    }
}

fn element<'m>(m: &'m Model, id: &str) -> &'m tms_model::Element {
    m.element(id).unwrap_or_else(|| panic!("no element `{id}`"))
}

#[test]
fn shipped_fixtures_load_as_models() {
    let m = load(SHIPPED[2]);
    assert_eq!(m.title, "OpenClaw WebSocket Localhost Takeover");
    assert_eq!(
        (
            m.elements.len(),
            m.flows.len(),
            m.boundaries.len(),
            m.data.len()
        ),
        (4, 4, 2, 5)
    );
    let gw = element(&m, "ws-gateway");
    assert_eq!(gw.kind, ElementKind::Server);
    assert!(gw.tags.contains(&"gateway".to_string()));
    assert_eq!(gw.attrs.get(tms_model::attr_id::PORT), ValueRef::Int(9999));
    let b = gw.boundary.map(|b| m.boundaries[b].id.as_str());
    assert_eq!(b, Some("localhost-boundary"));
    // An external entity that performs attack steps is hostile.
    assert!(element(&m, "attacker")
        .tags
        .contains(&"malicious".to_string()));
    // The WebSocket flow carries the session token through `credentialFlowId`.
    let ws = m.flow("browser-to-ws-gateway").expect("the WebSocket flow");
    let carried: Vec<&str> = ws.data.iter().map(|d| m.data[*d].id.as_str()).collect();
    assert!(carried.contains(&"asset-session-token"), "{carried:?}");
    let spec = tms_formats::threat_model_spec::extras(&m).expect("the spec part is kept");
    assert_eq!(
        spec.diagrams.iter().map(|d| d.kind).collect::<Vec<_>>(),
        [DiagramKind::Dfd, DiagramKind::AttackChain]
    );
    assert_eq!(spec.diagrams[1].attacks.len(), 5);
    assert_eq!(
        spec.diagrams[1].attacks[0].technique.as_deref(),
        Some("T1189")
    );
    assert_eq!(spec.mitigations.len(), 3);
    assert_eq!(spec.threat_actors[0].ttps, ["T1189"]);
    assert!(spec.other.contains_key("redTeam"));
    let mappings = m.mappings.as_ref().expect("model mappings");
    assert_eq!(mappings.cwe[0].id, "CWE-346");

    let m = load(SHIPPED[0]);
    assert_eq!(m.boundaries.len(), 1);
    let api = element(&m, "checkout-api");
    assert_eq!(api.kind, ElementKind::Process);
    assert_eq!(
        api.attrs.get(tms_model::attrs::id_of("implementsAPI")),
        ValueRef::Bool(true)
    );
    assert_eq!(m.assumptions.len(), 2);

    // The latest analysis run dates the model.
    let m = load(SHIPPED[1]);
    assert_eq!(m.date.as_deref(), Some("2026-08-15T21:32:56Z"));
}

#[test]
fn nesting_ids_and_case_are_kept_or_rewritten_with_a_report() {
    let m = load(HOSTILE);
    let inner = match m.ids.get("inner") {
        Some(Item::Boundary(i)) => *i,
        other => panic!("`inner` is {other:?}"),
    };
    let chain: Vec<&str> = m
        .boundary_chain(Some(inner))
        .into_iter()
        .map(|b| m.boundaries[b].id.as_str())
        .collect();
    assert_eq!(chain, ["inner", "middle", "outer"]);
    // `user one` breaks our id rules; `Api` is a boundary's id already.
    assert!(m.element("user-one").is_some());
    assert_eq!(element(&m, "Api-2").kind, ElementKind::Server);
    assert_eq!(element(&m, "api").kind, ElementKind::Process);
    let rewrites: Vec<(&str, &str)> = m
        .imported
        .as_ref()
        .expect("imported")
        .id_rewrites
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(rewrites, [("user one", "user-one"), ("Api", "Api-2")]);
    // A bidirectional flow is a flow and its response.
    let reply = m
        .flow("web.front-to-api-reply")
        .expect("the reverse of a bidirectional flow");
    assert!(m.is_response(reply));
    // Sequence participants not drawn elsewhere become elements; malicious ones say so.
    assert!(element(&m, "mallory")
        .tags
        .contains(&"malicious".to_string()));

    let out = tms().args(["validate", HOSTILE]).output().expect("run tms");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{HOSTILE}:25:9: warning: the element id `user one`"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{HOSTILE}:27:9: warning: the element id `Api` is already taken"
        )),
        "{err}"
    );
}

#[test]
fn broken_files_give_every_error_with_its_position() {
    let dir = scratch("broken");
    let file = dir.join("broken.json");
    std::fs::write(
        &file,
        r#"{
  "id": "broken",
  "title": "Broken",
  "diagrams": [
    {
      "type": "dfd",
      "boundaries": [{"id": "zone", "label": "Zone", "type": "network", "parentId": "nowhere"}],
      "elements": [
        {"id": "a", "label": "A", "type": "database"},
        {"label": "no id", "type": "process"},
        {"id": "b", "label": "B", "type": "process", "colour": "red"}
      ],
      "flows": [{"from": "b", "to": "ghost", "label": "to nowhere"}]
    },
    {"type": "attack-chian", "title": "typo"}
  ]
}
"#,
    )
    .expect("write the file");
    let out = tms().arg("validate").arg(&file).output().expect("run tms");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let name = file.display().to_string();
    for expected in [
        ":7:85: error: the parent boundary `nowhere` of `zone` does not exist",
        ":9:43: error: `database` is not a Threat Model Spec element type",
        ":10:9: error: an element has no `id`",
        ":11:54: warning: unknown key `colour` in an element",
        ":13:37: error: `to` of a flow names `ghost`, which no diagram defines as an element",
        ":15:14: error: `attack-chian` is not a Threat Model Spec diagram type",
    ] {
        assert!(
            err.contains(&format!("{name}{expected}")),
            "missing {expected} in:\n{err}"
        );
    }
    assert!(err.contains("did you mean `attack-chain`?"), "{err}");
}

#[test]
fn detection_keeps_our_format_the_default() {
    // Our own format, even with an `id`-looking field somewhere, stays ours.
    let ours = load("examples/web-shop.yaml");
    assert!(ours.imported.is_none());
    // A Threat Model Spec document written in YAML is still detected.
    let dir = scratch("yaml");
    let file = dir.join("spec.yaml");
    std::fs::write(
        &file,
        "id: spec-in-yaml\ntitle: In YAML\ndiagrams:\n  - type: dfd\n    elements:\n      - {id: a, label: A, type: process}\n      - {id: b, label: B, type: datastore}\n    flows:\n      - {from: a, to: b, label: write}\n",
    )
    .expect("write");
    let m = tms_formats::load::load_path(&file).expect("loads").model;
    assert_eq!(m.flows[0].id, "a-to-b");
    assert!(m.imported.is_some());
}

/// Imports every fixture, loads the YAML back with our loader, and compares.
#[test]
fn import_round_trip_validates_and_keeps_the_model() {
    let dir = scratch("import");
    for fixture in all_fixtures() {
        let name = Path::new(fixture)
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file name");
        let out_file = dir.join(format!("{name}.yaml"));
        let out = tms()
            .args(["import", "--from", "threat-model-spec", fixture, "-o"])
            .arg(&out_file)
            .output()
            .expect("run tms import");
        assert!(
            out.status.success(),
            "import {fixture}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let yaml = std::fs::read_to_string(&out_file).expect("the written model");
        let reread = match tms_formats::load::load_path(&out_file) {
            Ok(l) => l.model,
            Err(d) => panic!("{fixture} imported to YAML that does not load: {d:?}\n{yaml}"),
        };
        let original = load(fixture);
        assert_eq!(reread.title, original.title);
        assert_eq!(reread.date, original.date);
        assert_eq!(
            reread.boundaries.len(),
            original.boundaries.len(),
            "{fixture}"
        );
        for (a, b) in reread.boundaries.iter().zip(&original.boundaries) {
            assert_eq!(
                (&a.id, &a.name, a.parent, &a.tags),
                (&b.id, &b.name, b.parent, &b.tags)
            );
        }
        assert_eq!(reread.data.len(), original.data.len(), "{fixture}");
        for (a, b) in reread.data.iter().zip(&original.data) {
            assert_eq!(
                (&a.id, a.classification, a.is_credentials),
                (&b.id, b.classification, b.is_credentials)
            );
        }
        assert_eq!(reread.elements.len(), original.elements.len(), "{fixture}");
        for (a, b) in reread.elements.iter().zip(&original.elements) {
            assert_eq!(
                (&a.id, a.kind, &a.name, a.boundary, &a.data, &a.tags),
                (&b.id, b.kind, &b.name, b.boundary, &b.data, &b.tags),
                "{fixture}"
            );
            assert_eq!(a.attrs, b.attrs, "{fixture}: attributes of {}", a.id);
            assert_eq!(
                a.properties, b.properties,
                "{fixture}: properties of {}",
                a.id
            );
        }
        assert_eq!(reread.flows.len(), original.flows.len(), "{fixture}");
        for (a, b) in reread.flows.iter().zip(&original.flows) {
            assert_eq!(
                (&a.id, a.source, a.sink, &a.name, &a.data, a.response_to),
                (&b.id, b.source, b.sink, &b.name, &b.data, b.response_to),
                "{fixture}"
            );
            assert_eq!(a.attrs, b.attrs, "{fixture}: attributes of {}", a.id);
            assert_eq!(
                a.properties, b.properties,
                "{fixture}: properties of {}",
                a.id
            );
        }
        assert_eq!(
            reread.mappings.clone().map(strip_positions),
            original.mappings.clone().map(strip_positions),
            "{fixture}"
        );
        // What could not be carried over is said, in the file and on stderr.
        let notes = original
            .imported
            .as_ref()
            .map_or(0, |i| i.not_carried.len());
        if notes > 0 {
            assert!(yaml.contains("# not carried over: "), "{fixture}");
            assert!(err.contains("not carried over"), "{fixture}: {err}");
        }
    }
    let hostile = std::fs::read_to_string(dir.join("hostile-labels.yaml")).expect("written");
    assert!(
        hostile.contains("  # id in the source file: \"user one\"\n  - id: user-one\n"),
        "{hostile}"
    );
    assert!(
        hostile.contains("name: \"User #1; {admin}\"")
            || hostile.contains("name: User #1; {admin}"),
        "{hostile}"
    );
    assert!(
        hostile.contains("# not carried over: implicitlyTrusted: true"),
        "{hostile}"
    );
}

fn strip_positions(mut m: tms_model::Mappings) -> tms_model::Mappings {
    m.pos = Default::default();
    for t in m.mitre_attack.iter_mut().chain(m.mitre_atlas.iter_mut()) {
        t.pos = Default::default();
    }
    for o in &mut m.owasp {
        o.pos = Default::default();
    }
    for c in m.cwe.iter_mut().chain(m.capec.iter_mut()) {
        c.pos = Default::default();
    }
    if let Some(c) = &mut m.cvss {
        c.pos = Default::default();
    }
    m
}

#[test]
fn import_refuses_what_is_not_threat_model_spec() {
    let out = tms()
        .args([
            "import",
            "--from",
            "threat-model-spec",
            "examples/web-shop.yaml",
        ])
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("examples/web-shop.yaml:1:1: error: this is not a Threat Model Spec file"),
        "{err}"
    );
    let out = tms()
        .args(["import", "--from", "pytm-typo", HOSTILE])
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn import_notes_anchor_to_their_items() {
    let m = load(SHIPPED[2]);
    let im = m.imported.as_ref().expect("imported");
    assert!(im.not_carried.iter().any(|n| n.anchor
        == Anchor::Boundary("localhost-boundary".into())
        && n.what.starts_with("implicitlyTrusted: true")));
    assert!(im
        .not_carried
        .iter()
        .any(|n| n.anchor == Anchor::Model && n.what.contains("attack-chain diagram")));
}

/// Runs D2's own compiler on files through the diagram tests' checker
/// (tests/js/d2-check.mjs beside the npm packages scripts/test.sh installs in
/// target/diagram-tools); one JSON value per file.
fn d2_compile(files: &[PathBuf]) -> Vec<serde_json::Value> {
    let tools = std::env::var_os("TMS_DIAGRAM_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/diagram-tools"));
    assert!(
        tools.join("node_modules/@terrastruct/d2").is_dir(),
        "@terrastruct/d2 is missing from {}: run scripts/test.sh (it installs tests/js/package.json there) or set TMS_DIAGRAM_TOOLS",
        tools.display()
    );
    let node = std::env::var_os("TMS_NODE").unwrap_or_else(|| "node".into());
    // ES modules resolve packages from the script's own directory.
    let script = tools.join("d2-check.mjs");
    std::fs::copy(root().join("tests/js/d2-check.mjs"), &script)
        .expect("copy the checker next to its packages");
    let out = std::process::Command::new(&node)
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run Node.js ({e}): set TMS_NODE or run scripts/test.sh")
        });
    assert!(
        out.status.success(),
        "d2-check.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("the checker prints JSON lines"))
        .collect()
}

/// The last segment of a D2 id path (`a."b.c"` -> `b.c`).
fn last_segment(id: &str) -> String {
    let mut segments = vec![String::new()];
    let mut quote: Option<char> = None;
    for c in id.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '.') => segments.push(String::new()),
            (_, c) => segments.last_mut().expect("one segment").push(c),
        }
    }
    segments.pop().unwrap_or_default()
}

#[test]
fn generated_d2_compiles_and_draws_no_phantom_shapes() {
    let dir = scratch("d2");
    let mut files = Vec::new();
    let mut expected_labels = Vec::new();
    for fixture in all_fixtures() {
        let name = Path::new(fixture)
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file name");
        let out = tms()
            .args(["generate", fixture, "-o"])
            .arg(dir.join(format!("{name}.d2")))
            .output()
            .expect("run tms generate");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let m = load(fixture);
        let spec = tms_formats::threat_model_spec::extras(&m).expect("spec");
        let n = spec.diagrams.len();
        let stdout = String::from_utf8_lossy(&out.stdout);
        for (i, d) in spec.diagrams.iter().enumerate() {
            let file = if n == 1 {
                dir.join(format!("{name}.d2"))
            } else {
                dir.join(format!("{name}-{}.d2", i + 1))
            };
            assert!(
                stdout.contains(&format!("Generated D2: {}", file.display())),
                "{stdout}"
            );
            let mut labels: Vec<String> = d.flows.iter().map(|f| f.label.clone()).collect();
            labels.extend(d.attacks.iter().map(|a| {
                let t = a
                    .technique
                    .as_ref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                format!("{}. {}{t}", a.step, a.label)
            }));
            expected_labels.push((file.clone(), d.kind, labels));
            files.push(file);
        }
        // Several diagrams on stdout are one document of D2 boards.
        let out = tms()
            .args(["generate", fixture])
            .output()
            .expect("run tms generate");
        assert!(out.status.success());
        let stdout_file = dir.join(format!("{name}.stdout.d2"));
        std::fs::write(&stdout_file, &out.stdout).expect("write");
        files.push(stdout_file);
    }
    let results = d2_compile(&files);
    assert_eq!(results.len(), files.len());
    for r in &results {
        assert_eq!(r["ok"], true, "D2 rejected {}: {}", r["file"], r["error"]);
    }
    for (file, kind, labels) in expected_labels {
        let r = results
            .iter()
            .find(|r| r["file"] == file.display().to_string())
            .expect("a result per file");
        let shapes = r["shapes"].as_array().expect("shapes");
        let mut seen = std::collections::HashSet::new();
        for s in shapes {
            let last = last_segment(s["id"].as_str().expect("id")).to_lowercase();
            assert!(
                seen.insert(last.clone()),
                "{}: the shape `{last}` is drawn twice (a connection named a shape by the wrong path)",
                file.display()
            );
        }
        if matches!(kind, DiagramKind::Dfd | DiagramKind::AttackChain) {
            let drawn: Vec<String> = r["connections"]
                .as_array()
                .expect("connections")
                .iter()
                .map(|c| c["label"].as_str().unwrap_or_default().to_string())
                .collect();
            assert_eq!(
                drawn,
                labels,
                "{}: labels survive D2 quoting",
                file.display()
            );
        }
    }
}

#[test]
fn generate_refuses_our_format_and_svg_without_a_file() {
    let out = tms()
        .args(["generate", "examples/web-shop.yaml"])
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this is not one"));
    let out = tms()
        .args(["generate", SHIPPED[0], "--svg"])
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2));
    let out = tms()
        .args(["generate", SHIPPED[0], "--svg", "--stix"])
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn generate_svg_runs_the_d2_cli_on_each_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("svg");
    // A stand-in for the d2 CLI: records its arguments and writes the SVG.
    let fake = dir.join("fake-d2");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho \"$1 $2\" >> \"$(dirname \"$0\")/calls\"\necho '<svg/>' > \"$2\"\n",
    )
    .expect("write the stand-in");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out_file = dir.join("openclaw.d2");
    let out = tms()
        .env("TMS_D2", &fake)
        .args(["generate", SHIPPED[2], "--svg", "-o"])
        .arg(&out_file)
        .output()
        .expect("run tms");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = std::fs::read_to_string(dir.join("calls")).expect("d2 was called");
    let d1 = dir.join("openclaw-1.d2");
    let d2 = dir.join("openclaw-2.d2");
    assert_eq!(
        calls,
        format!(
            "{} {}\n{} {}\n",
            d1.display(),
            d1.with_extension("svg").display(),
            d2.display(),
            d2.with_extension("svg").display()
        )
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Generated SVG: "));

    let out = tms()
        .env("TMS_D2", dir.join("no-such-d2"))
        .args(["generate", SHIPPED[0], "--svg", "-o"])
        .arg(dir.join("x.d2"))
        .output()
        .expect("run tms");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--svg needs the d2 CLI"));
}

#[test]
fn generate_stix_is_the_export_bundle() {
    let generated = tms()
        .args(["generate", SHIPPED[2], "--stix"])
        .output()
        .expect("run tms");
    assert!(generated.status.success());
    let exported = tms()
        .args(["export", SHIPPED[2], "--format", "stix"])
        .output()
        .expect("run tms");
    assert!(exported.status.success());
    assert_eq!(generated.stdout, exported.stdout);
}
