//! Properties of the loader on any input: it never panics, and every problem it
//! reports has a real position (line and column from 1, inside the file), in
//! file order. Models built valid by construction load.
//!
//! The seed is fixed so runs are reproducible; set PROPTEST_RNG_SEED (and
//! PROPTEST_CASES) to explore further.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::{json, Map, Value};

use tms_formats::load::load_source;
use tms_syntax::source::SourceFile;

fn config() -> ProptestConfig {
    let default = ProptestConfig::default();
    ProptestConfig {
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
            default.rng_seed
        } else {
            RngSeed::Fixed(0x7e57_10ad)
        },
        failure_persistence: None,
        ..default
    }
}

/// Loads `text` under `name`; checks every diagnostic's position and order.
fn check_positions(name: &str, text: &str) -> Result<bool, TestCaseError> {
    let src = SourceFile::from_text(name, text);
    let (ok, diags) = match load_source(&src) {
        Ok(l) => (true, l.warnings),
        Err(d) => {
            prop_assert!(d.has_errors(), "{name}: rejected without an error");
            (false, d)
        }
    };
    let lines = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
    for d in &diags.0 {
        prop_assert_eq!(&d.file, name);
        prop_assert!(d.line >= 1 && d.column >= 1, "{name}: no position: {d}");
        prop_assert!(
            d.line <= lines + 1,
            "{name}: line {} past the end ({lines} lines): {d}",
            d.line
        );
    }
    let positions: Vec<(u32, u32)> = diags.0.iter().map(|d| (d.line, d.column)).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    prop_assert_eq!(positions, sorted, "{}: not in file order", name);
    Ok(ok)
}

fn check_both(text: &str) -> Result<(), TestCaseError> {
    check_positions("x.yaml", text)?;
    check_positions("x.json", text)?;
    Ok(())
}

/// Text made mostly of the characters YAML and JSON give meaning to, so the
/// parsers' error paths are reached far more often than with any string.
fn syntax_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\n"),
            Just("  "),
            Just("\t"),
            Just("- "),
            Just(": "),
            Just(":"),
            Just(","),
            Just("["),
            Just("]"),
            Just("{"),
            Just("}"),
            Just("\""),
            Just("'"),
            Just("\\"),
            Just("\\u"),
            Just("#"),
            Just("&a "),
            Just("*a"),
            Just("<<: "),
            Just("!!str "),
            Just("|"),
            Just(">-"),
            Just("---\n"),
            Just("? "),
            Just("title"),
            Just("elements"),
            Just("flows"),
            Just("id"),
            Just("type"),
            Just("server"),
            Just("from"),
            Just("to"),
            Just("true"),
            Just("null"),
            Just("-1.5e3"),
            Just("é"),
            Just("\u{feff}"),
            Just("\r\n"),
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

// ---- random models: some valid, most with a few mistakes -------------------

const IDS: &[&str] = &[
    "a", "b", "c", "web", "db", "user", "dmz", "card", "x-1", "", "bad id", "r@t", "*",
];

fn id() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => prop::sample::select(IDS).prop_map(|s| json!(s)),
        1 => Just(json!(7)),
        1 => Just(json!(null)),
        1 => Just(json!(["a"])),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(true)),
        Just(json!("true")),
        Just(json!(443)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!("x")),
        Just(json!("")),
        Just(json!(null)),
        Just(json!([1, "a"])),
        Just(json!({"isHardened": true})),
    ]
}

fn attrs() -> impl Strategy<Value = Vec<(String, Value)>> {
    proptest::collection::vec(
        (
            prop::sample::select(
                &[
                    "isHardened",
                    "port",
                    "isSQL",
                    "protocol",
                    "dstPort",
                    "isEncrypted",
                    "tlsVersion",
                    "minTLSVersion",
                    "maxClassification",
                    "colour",
                    "controls",
                    "inBoundary",
                    "tags",
                    "properties",
                    "name",
                    "description",
                ][..],
            ),
            scalar(),
        )
            .prop_map(|(k, v)| (k.to_string(), v)),
        0..3,
    )
}

fn with_attrs(mut base: Map<String, Value>, extra: Vec<(String, Value)>) -> Value {
    for (k, v) in extra {
        base.insert(k, v);
    }
    Value::Object(base)
}

fn random_model() -> impl Strategy<Value = Value> {
    let title = prop_oneof![
        6 => Just(json!("Shop")),
        1 => Just(json!("")),
        1 => Just(json!(3)),
        1 => Just(json!(null)),
    ];
    let boundary = (id(), proptest::option::of(id())).prop_map(|(id, parent)| {
        let mut m = Map::new();
        m.insert("id".into(), id);
        if let Some(p) = parent {
            m.insert("parent".into(), p);
        }
        Value::Object(m)
    });
    let datum = (
        id(),
        prop::sample::select(&["secret", "public", "secrett", "top-secret"][..]),
    )
        .prop_map(|(id, c)| json!({"id": id, "classification": c}));
    let kind = prop::sample::select(
        &[
            "actor",
            "server",
            "process",
            "datastore",
            "lambda",
            "llm",
            "agent",
            "sever",
            "",
        ][..],
    );
    let element = (id(), kind, proptest::option::of(id()), attrs()).prop_map(
        |(id, kind, boundary, extra)| {
            let mut m = Map::new();
            m.insert("id".into(), id);
            m.insert("type".into(), json!(kind));
            if let Some(b) = boundary {
                m.insert("boundary".into(), b);
            }
            with_attrs(m, extra)
        },
    );
    let flow = (
        id(),
        id(),
        id(),
        proptest::collection::vec(id(), 0..3),
        proptest::option::of(id()),
        attrs(),
    )
        .prop_map(|(id, from, to, data, response_to, extra)| {
            let mut m = Map::new();
            m.insert("id".into(), id);
            m.insert("from".into(), from);
            m.insert("to".into(), to);
            m.insert("data".into(), Value::Array(data));
            if let Some(r) = response_to {
                m.insert("responseTo".into(), r);
            }
            with_attrs(m, extra)
        });
    let triage = (
        prop::sample::select(&["INP01@web", "*@a", "INP01", "X@nothing", "a@b@c"][..]),
        prop::sample::select(&["open", "mitigated", "done", "accepted"][..]),
        prop::sample::select(&["2027-06-30", "2027-02-30", "soon", "2020-01-01"][..]),
    )
        .prop_map(|(f, s, e)| json!({"finding": f, "status": s, "expires": e}));
    (
        title,
        proptest::collection::vec(boundary, 0..4),
        proptest::collection::vec(datum, 0..4),
        proptest::collection::vec(element, 0..6),
        proptest::collection::vec(flow, 0..6),
        proptest::collection::vec(triage, 0..3),
        proptest::option::of(prop::sample::select(&["descripton", "assets", "name"][..])),
    )
        .prop_map(|(title, b, d, e, f, t, stray)| {
            let mut m = Map::new();
            m.insert("title".into(), title);
            m.insert("boundaries".into(), Value::Array(b));
            m.insert("data".into(), Value::Array(d));
            m.insert("elements".into(), Value::Array(e));
            m.insert("flows".into(), Value::Array(f));
            m.insert("triage".into(), Value::Array(t));
            if let Some(k) = stray {
                m.insert(k.into(), json!("x"));
            }
            Value::Object(m)
        })
}

/// A model that is valid by construction: unique ids, every reference to an
/// existing item of the right kind, no cycles, no self-loops.
fn valid_model() -> impl Strategy<Value = Value> {
    let kinds = &[
        "actor",
        "external-entity",
        "process",
        "set-of-processes",
        "server",
        "lambda",
        "datastore",
        "agent",
        "llm",
    ][..];
    (
        proptest::collection::vec(any::<prop::sample::Index>(), 0..4), // boundary parents
        0usize..4,                                                     // data count
        proptest::collection::vec(
            (
                prop::sample::select(kinds),
                any::<Option<prop::sample::Index>>(),
                any::<bool>(),
            ),
            2..7,
        ),
        proptest::collection::vec(
            (
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
                proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
                any::<Option<prop::sample::Index>>(),
            ),
            0..8,
        ),
        proptest::collection::vec(
            (
                any::<prop::sample::Index>(),
                prop::sample::select(&["mitigated", "accepted", "open", "not-applicable"][..]),
            ),
            0..3,
        ),
    )
        .prop_map(|(parents, n_data, elements, flows, triage)| {
            let boundaries: Vec<Value> = parents
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    // Only an earlier boundary may be the parent: no cycles.
                    if i > 0 && p.index(2) == 0 {
                        json!({"id": format!("b{i}"), "parent": format!("b{}", p.index(i))})
                    } else {
                        json!({"id": format!("b{i}")})
                    }
                })
                .collect();
            let data: Vec<Value> = (0..n_data)
                .map(|i| json!({"id": format!("d{i}"), "classification": "sensitive"}))
                .collect();
            let els: Vec<Value> = elements
                .iter()
                .enumerate()
                .map(|(i, (kind, boundary, hardened))| {
                    let mut m = Map::new();
                    m.insert("id".into(), json!(format!("e{i}")));
                    m.insert("type".into(), json!(kind));
                    if let (Some(b), false) = (boundary, boundaries.is_empty()) {
                        m.insert(
                            "boundary".into(),
                            json!(format!("b{}", b.index(boundaries.len()))),
                        );
                    }
                    if *kind != "actor" && *kind != "external-entity" {
                        m.insert("isHardened".into(), json!(hardened));
                    }
                    Value::Object(m)
                })
                .collect();
            let n = els.len();
            let fls: Vec<Value> = flows
                .iter()
                .enumerate()
                .map(|(i, (from, to, data_ix, response))| {
                    let a = from.index(n);
                    let b = (a + 1 + to.index(n - 1)) % n; // never `a`
                    let mut m = Map::new();
                    m.insert("id".into(), json!(format!("f{i}")));
                    m.insert("from".into(), json!(format!("e{a}")));
                    m.insert("to".into(), json!(format!("e{b}")));
                    if n_data > 0 {
                        let mut ds: Vec<usize> = data_ix.iter().map(|d| d.index(n_data)).collect();
                        ds.sort_unstable();
                        ds.dedup();
                        m.insert(
                            "data".into(),
                            json!(ds.iter().map(|d| format!("d{d}")).collect::<Vec<_>>()),
                        );
                    }
                    if let (Some(r), true) = (response, i > 0) {
                        m.insert("responseTo".into(), json!(format!("f{}", r.index(i))));
                    }
                    Value::Object(m)
                })
                .collect();
            let targets: Vec<String> = (0..n)
                .map(|i| format!("e{i}"))
                .chain((0..fls.len()).map(|i| format!("f{i}")))
                .collect();
            let tri: Vec<Value> = triage
                .iter()
                .map(|(t, status)| {
                    json!({"finding": format!("INP01@{}", targets[t.index(targets.len())]),
                        "status": status, "justification": "reviewed", "expires": "2099-12-31"})
                })
                .collect();
            json!({"title": "Generated", "boundaries": boundaries, "data": data,
                "elements": els, "flows": fls, "triage": tri})
        })
}

fn as_yaml(v: &Value) -> String {
    serde_saphyr::to_string(v).expect("a JSON value serialises to YAML")
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_both(&String::from_utf8_lossy(&bytes))?;
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check_both(text)?;
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        check_both(&text)?;
    }

    #[test]
    fn syntax_soup_never_panics(text in syntax_soup()) {
        check_both(&text)?;
    }

    #[test]
    fn random_models_load_or_fail_with_positions(model in random_model()) {
        check_positions("m.json", &serde_json::to_string_pretty(&model).unwrap())?;
        check_positions("m.json", &model.to_string())?;
        check_positions("m.yaml", &as_yaml(&model))?;
    }

    #[test]
    fn valid_models_load(model in valid_model()) {
        for (name, text) in [
            ("m.json", serde_json::to_string_pretty(&model).unwrap()),
            ("m.yaml", as_yaml(&model)),
        ] {
            let src = SourceFile::from_text(name, text.as_str());
            match load_source(&src) {
                Ok(loaded) => {
                    prop_assert!(!loaded.warnings.has_errors());
                    check_positions(name, &text)?;
                }
                Err(d) => {
                    let all: Vec<String> = d.0.iter().map(ToString::to_string).collect();
                    prop_assert!(false, "{name} rejected:\n{}\n{text}", all.join("\n"));
                }
            }
        }
    }
}
