//! pytm's JSON: the round trip through pytm 1.4.0 itself, and what tms says
//! about pytm files that do not mean what they seem to.
//!
//! Each `tests/import/pytm/NAME.tm.py` is a pytm script; `NAME.json` is what
//! `python NAME.tm.py --json NAME.json` writes (regenerated and compared by
//! scripts/test.sh), and `NAME.expected.yaml` is the same model in our format.
//! Importing pytm's output must give the model the script describes.

use std::path::{Path, PathBuf};

use tms_model::attrs::{for_targets, Derivation};
use tms_model::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &Path) -> tms_formats::load::Loaded {
    match tms_formats::load::load_path(path) {
        Ok(l) => l,
        Err(d) => panic!(
            "{} does not load:\n{}",
            path.display(),
            d.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn scripts() -> Vec<PathBuf> {
    let dir = root().join("tests/import/pytm");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/import/pytm")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".tm.py"))
        .collect();
    v.sort();
    assert!(v.len() >= 2, "the round trip needs its pytm scripts");
    v
}

/// Every attribute of an element or flow, set or defaulted, by name.
fn attr_values(attrs: &Attrs, target: Targets) -> Vec<(&'static str, Value)> {
    for_targets(target)
        .map(|(id, def)| (def.name, attrs.get(id).to_owned_value()))
        .collect()
}

fn boundary_id(m: &Model, b: Option<BoundaryIdx>) -> Option<&str> {
    b.map(|i| m.boundaries[i].id.as_str())
}

fn data_ids(m: &Model, d: &[DataIdx]) -> Vec<String> {
    let mut v: Vec<String> = d.iter().map(|i| m.data[*i].id.clone()).collect();
    v.sort();
    v
}

/// pytm 1.4's resolve sets these flow values from the endpoints even where
/// the script set them (the `_safeset` bug tms does not copy), so its output
/// holds the endpoints' values: the script's meaning under pytm.
fn pytm_resolved(m: &Model, f: &Flow) -> Vec<(&'static str, Value)> {
    let (src, sink) = (&m.elements[f.source].attrs, &m.elements[f.sink].attrs);
    let get = |a: &Attrs, name: &str| {
        let id = attrs::lookup(name).expect("an attribute");
        a.get(id).to_owned_value()
    };
    if m.is_response(f) {
        vec![
            ("protocol", get(src, "protocol")),
            ("srcPort", get(src, "port")),
            ("isEncrypted", get(src, "isEncrypted")),
        ]
    } else {
        vec![
            ("protocol", get(sink, "protocol")),
            ("dstPort", get(sink, "port")),
            ("isEncrypted", get(sink, "isEncrypted")),
            (
                "authenticatesDestination",
                get(src, "authenticatesDestination"),
            ),
            (
                "checksDestinationRevocation",
                get(src, "checksDestinationRevocation"),
            ),
        ]
    }
}

fn assert_same(script: &Path, got: &Model, want: &Model) {
    let name = script.display();
    assert_eq!(got.title, want.title, "{name}: title");
    assert_eq!(got.description, want.description, "{name}: description");
    let assumptions = |m: &Model| -> Vec<(String, Vec<String>)> {
        m.assumptions
            .iter()
            .map(|a| (a.name.clone(), a.excludes.clone()))
            .collect()
    };
    assert_eq!(assumptions(got), assumptions(want), "{name}: assumptions");

    let boundaries = |m: &Model| -> Vec<(String, String, Option<String>, bool)> {
        m.boundaries
            .iter()
            .map(|b| {
                let parent = boundary_id(m, b.parent).map(str::to_string);
                (b.id.clone(), b.name.clone(), parent, b.in_scope)
            })
            .collect()
    };
    assert_eq!(boundaries(got), boundaries(want), "{name}: boundaries");

    assert_eq!(got.data.len(), want.data.len(), "{name}: data count");
    for (g, w) in got.data.iter().zip(&want.data) {
        let fields = |d: &DataAsset| {
            (
                d.id.clone(),
                d.name.clone(),
                d.description.clone(),
                d.format.clone(),
                d.classification,
                d.is_pii,
                d.is_credentials,
                d.credentials_life,
                d.is_stored,
                d.is_source_encrypted_at_rest.unwrap_or(false),
                d.is_dest_encrypted_at_rest.unwrap_or(false),
            )
        };
        assert_eq!(fields(g), fields(w), "{name}: data `{}`", w.id);
    }

    assert_eq!(
        got.elements.len(),
        want.elements.len(),
        "{name}: element count"
    );
    for (g, w) in got.elements.iter().zip(&want.elements) {
        let what = format!("{name}: element `{}`", w.id);
        assert_eq!((&g.id, g.kind, &g.name), (&w.id, w.kind, &w.name), "{what}");
        assert_eq!(
            boundary_id(got, g.boundary),
            boundary_id(want, w.boundary),
            "{what}: boundary"
        );
        assert_eq!(
            data_ids(got, &g.data),
            data_ids(want, &w.data),
            "{what}: data"
        );
        assert_eq!(
            attr_values(&g.attrs, g.kind.bit()),
            attr_values(&w.attrs, w.kind.bit()),
            "{what}: attributes"
        );
    }

    assert_eq!(got.flows.len(), want.flows.len(), "{name}: flow count");
    for (g, w) in got.flows.iter().zip(&want.flows) {
        let what = format!("{name}: flow `{}`", w.id);
        let ends = |m: &Model, f: &Flow| {
            (
                f.id.clone(),
                f.name.clone(),
                m.elements[f.source].id.clone(),
                m.elements[f.sink].id.clone(),
                f.response_to.map(|i| m.flows[i].id.clone()),
            )
        };
        assert_eq!(ends(got, g), ends(want, w), "{what}");
        assert_eq!(
            data_ids(got, &g.data),
            data_ids(want, &w.data),
            "{what}: data"
        );
        let mut expected = attr_values(&w.attrs, Targets::FLOW);
        for (attr, v) in pytm_resolved(want, w) {
            let slot = expected
                .iter_mut()
                .find(|(n, _)| *n == attr)
                .expect("a flow attribute");
            slot.1 = v;
        }
        assert_eq!(
            attr_values(&g.attrs, Targets::FLOW),
            expected,
            "{what}: attributes"
        );
    }

    let triage = |m: &Model| -> Vec<(String, Status, Option<String>)> {
        let mut v: Vec<_> = m
            .triage
            .iter()
            .map(|t| (t.finding.clone(), t.status, t.justification.clone()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(triage(got), triage(want), "{name}: triage");
}

#[test]
fn pytm_json_output_imports_as_the_script_means() {
    for script in scripts() {
        let stem = script
            .to_string_lossy()
            .trim_end_matches(".tm.py")
            .to_string();
        let json = PathBuf::from(format!("{stem}.json"));
        let expected = PathBuf::from(format!("{stem}.expected.yaml"));
        let got = load(&json);
        let want = load(&expected);
        assert_eq!(
            got.model.imported.as_ref().map(|i| i.format.as_str()),
            Some("pytm"),
            "{} is read as pytm's JSON",
            json.display()
        );
        let warnings: Vec<String> = got.warnings.0.iter().map(|d| d.to_string()).collect();
        assert!(
            warnings.is_empty(),
            "{}: pytm's own output should import without warnings:\n{}",
            json.display(),
            warnings.join("\n")
        );
        assert_same(&script, &got.model, &want.model);
    }
}

/// The derived attributes the round trip leaves to derivation are exactly
/// the ones pytm resolves on flows; a new derived attribute needs a look here.
#[test]
fn flow_derivations_are_the_ones_pytm_resolves() {
    let derived: Vec<&str> = for_targets(Targets::FLOW)
        .filter(|(_, d)| d.derived != Derivation::None)
        .map(|(_, d)| d.name)
        .collect();
    let mut names: Vec<&str> = derived.clone();
    names.sort();
    assert_eq!(
        names,
        [
            "authenticatesDestination",
            "checksDestinationRevocation",
            "dstPort",
            "isEncrypted",
            "protocol"
        ]
    );
}

fn import(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("tms")
        .expect("the tms binary")
        .current_dir(root())
        .args(args)
        .output()
        .expect("run tms")
}

#[test]
fn a_flat_control_is_applied_and_warned_about_with_its_position() {
    let dir = root().join("target/test-tmp/import-pytm");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let path = dir.join("flat.json");
    std::fs::write(
        &path,
        r#"{
  "name": "Flat controls",
  "elements": [
    {"__class__": "Actor", "name": "User"},
    {"__class__": "Server", "name": "Web", "isHardened": true,
     "controls": {"sanitizesInput": true}, "usesVPN": true}
  ],
  "flows": [{"name": "Browse", "source": "User", "sink": "Web"}]
}
"#,
    )
    .expect("write the model");
    let loaded = load(&path);
    let web = loaded.model.element("web").expect("the server");
    let flag = |n: &str| web.attrs.flag(attrs::lookup(n).expect("an attribute"));
    assert!(flag("isHardened"), "the flat control is applied");
    assert!(flag("sanitizesInput"), "the nested control is applied");
    assert!(flag("usesVPN"), "a Server's own usesVPN field is applied");
    let warnings: Vec<String> = loaded.warnings.0.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning, for isHardened: {warnings:?}"
    );
    let w = &loaded.warnings.0[0];
    assert_eq!((w.line, w.column), (5, 44), "{}", warnings[0]);
    assert!(w.message.contains("`isHardened`"), "{}", w.message);
    assert_eq!(
        w.hint.as_deref(),
        Some(r#"write it nested, as pytm reads it: "controls": {"isHardened": true}"#)
    );

    // `tms import` keeps the value, written the way our format writes controls.
    let out = import(&[
        "import",
        "--from",
        "pytm",
        path.to_str().expect("UTF-8 path"),
    ]);
    assert!(out.status.success());
    let yaml = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(yaml.contains("    isHardened: true\n"), "{yaml}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("flat.json:5:44: warning:"), "{stderr}");
}

#[test]
fn the_shared_pytm_fixtures_import() {
    // pytm's own model file: its loader passes `lifetime`, which pytm 1.4 ignores.
    let input = load(&root().join("tests/third-party/fixtures/pytm/input.json"));
    let m = &input.model;
    assert_eq!(m.title, "my test tm");
    assert_eq!(m.elements.len(), 3);
    assert_eq!(m.flows.len(), 4);
    assert_eq!(m.data[0].credentials_life, Lifetime::Long);
    assert!(
        m.data[0].is_credentials,
        "credentials derive from their lifetime"
    );
    assert_eq!(
        m.elements[2].boundary.map(|b| m.boundaries[b].id.as_str()),
        Some("server-db"),
        "boundary names become safe ids"
    );
    let lifetime: Vec<&tms_syntax::diag::Diagnostic> = input.warnings.0.iter().collect();
    assert_eq!(lifetime.len(), 1, "{lifetime:?}");
    assert_eq!((lifetime[0].line, lifetime[0].column), (18, 7));
    assert!(lifetime[0].message.contains("`lifetime`"));

    // pytm's --json output, as pytm's own repository keeps it.
    let output = load(&root().join("tests/third-party/fixtures/pytm/output.json"));
    let m = &output.model;
    let kinds: Vec<(&str, ElementKind)> =
        m.elements.iter().map(|e| (e.id.as_str(), e.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("user", ElementKind::Actor),
            ("web-server", ElementKind::Server),
            ("lambda-func", ElementKind::Lambda),
            ("task-queue-worker", ElementKind::Process),
            ("sql-database", ElementKind::Datastore),
        ]
    );
    assert_eq!(m.flows.len(), 6);
    assert!(output.warnings.0.is_empty(), "{:?}", output.warnings.0);
}

#[test]
fn broken_pytm_files_are_rejected_with_every_problem() {
    let dir = root().join("target/test-tmp/import-pytm");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let path = dir.join("broken.json");
    std::fs::write(
        &path,
        r#"{
  "name": "Broken",
  "boundaries": [{"name": "Net"}],
  "elements": [
    {"__class__": "Sever", "name": "Web"},
    {"__class__": "Actor", "name": "User", "inBoundary": "Nett"}
  ],
  "flows": [{"name": "Browse", "source": "User", "sink": "Wbe"}]
}
"#,
    )
    .expect("write the model");
    let Err(d) = tms_formats::load::load_path(&path) else {
        panic!("a broken pytm file loads");
    };
    let got: Vec<(u32, u32)> = d.errors().map(|e| (e.line, e.column)).collect();
    assert_eq!(got, [(5, 19), (6, 58), (8, 58)], "{:?}", d.0);
    let text: Vec<String> = d.errors().map(|e| e.to_string()).collect();
    assert!(text[0].contains("did you mean `Server`?"), "{}", text[0]);
    assert!(text[1].contains("did you mean \"Net\"?"), "{}", text[1]);
}

#[test]
fn model_file_assumptions_and_overrides_become_triage() {
    let dir = root().join("target/test-tmp/import-pytm");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let path = dir.join("overrides.json");
    std::fs::write(
        &path,
        r#"{"name": "O", "elements": [{"__class__": "Actor", "name": "U"},
 {"__class__": "Server", "name": "W", "overrides": [
    {"threat_id": "X1", "response": "accepted by the CISO", "cvss": "9.1"},
    {"threat_id": "X2", "response": "we will look at it"}],
  "assumptions": [{"name": "Behind VPN", "exclude": ["X3", "X4"]}]}],
 "flows": [{"name": "f", "source": "U", "sink": "W"}]}
"#,
    )
    .expect("write the model");
    let m = load(&path).model;
    let triage: Vec<(&str, Status, Option<&str>)> = m
        .triage
        .iter()
        .map(|t| (t.finding.as_str(), t.status, t.justification.as_deref()))
        .collect();
    assert_eq!(
        triage,
        [
            ("X1@w", Status::Accepted, Some("accepted by the CISO")),
            (
                "X3@w",
                Status::NotApplicable,
                Some("pytm assumption: Behind VPN")
            ),
            (
                "X4@w",
                Status::NotApplicable,
                Some("pytm assumption: Behind VPN")
            ),
        ]
    );
    let notes: Vec<&str> = m
        .imported
        .as_ref()
        .expect("imported")
        .not_carried
        .iter()
        .map(|n| n.what.as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "override of X1: cvss: 9.1",
            "response to X2: \"we will look at it\" (not one of mitigated, transferred, avoided, accepted)"
        ]
    );
}
