//! The condition language: what it accepts, what it rejects (with the column),
//! and what it means on a model.

use proptest::prelude::*;
use tms_model::graph::Graph;
use tms_model::{ElementKind, Targets};
use tms_rules::condition::{compile, matches, Ctx, TargetRef};
use tms_syntax::source::SourceFile;

const MODEL: &str = r#"
title: conditions
boundaries: [{id: inside}, {id: outside}]
data:
  - {id: pw, name: Password, classification: secret, credentialsLife: hardcoded}
  - {id: doc, name: Doc, format: XML}
elements:
  - {id: user, type: actor, boundary: outside}
  - {id: web, type: server, boundary: inside, protocol: HTTPS, tags: [waf, pci], properties: {team: shop, tier: 2, nested: {x: true}}, minTLSVersion: TLSv1.2}
  - {id: db, type: datastore, boundary: inside, isEncryptedAtRest: true}
flows:
  - {id: login, from: user, to: web, data: [pw, doc], tlsVersion: TLSv1.1}
  - {id: query, from: web, to: db}
  - {id: reply, from: web, to: user, responseTo: login}
"#;

fn eval(cond: &str, targets: Targets, target: &str) -> bool {
    let loaded =
        tms_formats::load::load_source(&SourceFile::from_text("m.yaml", MODEL)).expect("model");
    let m = &loaded.model;
    let graph = Graph::build(m);
    let compiled = compile(cond, targets).unwrap_or_else(|e| panic!("{cond}: {e}"));
    let t = match m.ids.get(target) {
        Some(tms_model::Item::Element(i)) => TargetRef::Element(*i),
        Some(tms_model::Item::Flow(i)) => TargetRef::Flow(*i),
        _ => panic!("no target {target}"),
    };
    matches(
        &compiled,
        Ctx {
            model: m,
            graph: &graph,
            three_valued: false,
        },
        t,
    )
}

fn server() -> Targets {
    ElementKind::Server.bit()
}

#[test]
fn attribute_chains_and_python_semantics() {
    assert!(eval(
        "target.protocol == 'HTTPS' and target.isHardened is False",
        server(),
        "web"
    ));
    assert!(eval("target.controls.isHardened is False", server(), "web"));
    assert!(eval("not target.isHardened", server(), "web"));
    assert!(eval(
        "'pci' in target.tags and target.hasTag('waf')",
        server(),
        "web"
    ));
    assert!(eval("'TTP' in target.protocol", server(), "web"));
    assert!(eval(
        "target.properties.team == 'shop' and target.properties.tier >= 2",
        server(),
        "web"
    ));
    assert!(eval("target.properties.nested.x is True", server(), "web"));
    assert!(eval("target.properties.missing is None", server(), "web"));
    assert!(eval("target.inBoundary.name == 'inside'", server(), "web"));
    assert!(eval(
        "len(target.inputs) == 1 and len(target.outputs) == 1",
        server(),
        "web"
    ));
    assert!(eval("1 < 2 <= 2 < 3", server(), "web"));
    assert!(!eval("1 < 2 > 3", server(), "web"));
}

#[test]
fn flows_data_and_helpers() {
    let f = Targets::FLOW;
    assert!(eval("target.crossesBoundary()", f, "login"));
    assert!(!eval("target.crossesBoundary()", f, "query"));
    assert!(eval(
        "any(d.credentialsLife == Lifetime.HARDCODED for d in target.data)",
        f,
        "login"
    ));
    assert!(
        eval("any(d.isCredentials for d in target.data)", f, "login"),
        "hardcoded lifetime makes it credentials"
    );
    assert!(eval(
        "all(d.classification >= Classification.UNKNOWN for d in target.data)",
        f,
        "login"
    ));
    assert!(eval("target.hasDataLeaks()", f, "login"));
    assert!(
        eval("'Password' in target.data", f, "login"),
        "pytm's DataSet: names are members"
    );
    assert!(eval(
        "target.tlsVersion < target.sink.minTLSVersion",
        f,
        "login"
    ));
    assert!(eval(
        "target.sink.checkTLSVersion(target.sink.inputs)",
        f,
        "login"
    ));
    assert!(eval(
        "target.isResponse and target.responseTo.id == 'login'",
        f,
        "reply"
    ));
    assert!(eval("target.response.id == 'reply'", f, "login"));
    assert!(
        eval("target.protocol == 'HTTPS'", f, "login"),
        "derived from the sink"
    );
    assert!(eval(
        "any(d.format == 'XML' for d in target.data) and target.sink.type == 'server'",
        f,
        "login"
    ));
}

#[test]
fn python_errors_make_the_condition_false() {
    // `inBoundary` is None for the actor's... the actor has one; a flow's is always None.
    assert!(!eval(
        "target.source.inBoundary.name == 'x' or target.responseTo.id == 'x'",
        Targets::FLOW,
        "login"
    ));
    assert!(
        !eval("not target.responseTo.id", Targets::FLOW, "login"),
        "None.id raises, so the whole condition is false"
    );
    assert!(
        !eval("target.protocol < 3", server(), "web"),
        "ordering str against int raises"
    );
}

fn compile_error(cond: &str, targets: Targets) -> (usize, String) {
    let e = compile(cond, targets).expect_err(cond);
    (e.column, e.message)
}

#[test]
fn mistakes_are_errors_with_columns() {
    let (col, msg) = compile_error("target.controls.isEncryptd is False", server());
    assert_eq!(col, 17);
    assert!(msg.contains("did you mean `isEncrypted`"), "{msg}");
    let (col, msg) = compile_error("target.usesXMLParser and target.storesPII", server());
    assert_eq!(col, 33);
    assert!(msg.contains("datastore"), "{msg}");
    let (_, msg) = compile_error(
        "any(d.classification == 'secret' for d in target.data)",
        Targets::FLOW,
    );
    assert!(msg.contains("always false"), "{msg}");
    let (_, msg) = compile_error("Lifetime.LONGG", server());
    assert!(msg.contains("did you mean `LONG`"), "{msg}");
    let (_, msg) = compile_error("__import__('os').system('x')", server());
    assert!(msg.contains("unknown"), "{msg}");
    let (_, msg) = compile_error("target.source", server());
    assert!(msg.contains("only flows"), "{msg}");
    let (_, msg) = compile_error("eval('1')", server());
    assert!(msg.contains("unknown function"), "{msg}");
    assert!(compile("target.name.__class__", server()).is_err());
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,200}") {
        let _ = compile(&s, Targets::ALL);
    }

    #[test]
    fn token_soup_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("target"), Just("."), Just("controls"), Just("isHardened"), Just("("), Just(")"),
        Just("["), Just("]"), Just(","), Just("and"), Just("or"), Just("not"), Just("is"), Just("in"),
        Just("None"), Just("True"), Just("'x'"), Just("1"), Just("any"), Just("for"), Just("d"),
        Just("data"), Just("=="), Just("<"), Just("Classification"), Just("SECRET"), Just("len"),
    ], 0..40)) {
        let s = parts.join(" ");
        if let Ok(c) = compile(&s, Targets::ALL) {
            let loaded = tms_formats::load::load_source(&SourceFile::from_text("m.yaml", MODEL)).expect("model");
            let g = Graph::build(&loaded.model);
            for i in 0..loaded.model.elements.len() {
                let _ = matches(&c, Ctx { model: &loaded.model, graph: &g, three_valued: false }, TargetRef::Element(i));
            }
        }
    }
}
