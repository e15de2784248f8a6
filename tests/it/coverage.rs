//! Coverage data for the reports: which STRIDE categories, ATT&CK tactics and
//! OWASP items the findings touch, and which they leave untouched.

use std::path::PathBuf;

use tms_report::coverage::compute;
use tms_rules::engine::analyze;
use tms_rules::library::Library;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn coverage_lists_every_category_and_counts_what_findings_touch() {
    let lib = Library::builtin().expect("the built-in rules");
    let model = tms_formats::load::load_path(&root().join("examples/web-shop.yaml"))
        .expect("the example loads")
        .model;
    let a = analyze(&model, &lib);
    let c = compute(&model, &lib, &a);

    let letters: Vec<&str> = c.stride.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(letters, ["S", "T", "R", "I", "D", "E"]);
    assert_eq!(c.attack_tactics.len(), 14);
    let lists: Vec<&str> = c.owasp.iter().map(|l| l.category.as_str()).collect();
    assert_eq!(lists, ["web", "api", "llm", "agentic"]);
    assert!(c.owasp.iter().all(|l| l.total == 10));

    // Recount from the findings and compare.
    let counted = |pred: &dyn Fn(&tms_rules::Rule) -> bool| {
        a.findings
            .iter()
            .filter(|f| {
                !matches!(
                    f.status,
                    tms_model::Status::FalsePositive | tms_model::Status::NotApplicable
                )
            })
            .filter(|f| pred(&lib.rules[f.rule]))
            .count()
    };
    for s in &c.stride {
        let n = counted(&|r| r.stride.iter().any(|x| x.as_str() == s.id));
        assert_eq!(s.findings, n, "STRIDE {}", s.id);
        assert_eq!(s.touched, n > 0);
    }
    for t in &c.attack_tactics {
        let short = tms_model::catalogue::CATALOGUES
            .attack_tactic_list()
            .find(|(id, _, _)| *id == t.id)
            .and_then(|(_, _, s)| s)
            .expect("a shortname");
        let n = counted(&|r| {
            r.mappings.attack.iter().any(|x| {
                tms_model::catalogue::CATALOGUES
                    .attack_tactics(x)
                    .iter()
                    .any(|p| p == short)
            })
        });
        assert_eq!(t.findings, n, "tactic {}", t.id);
    }
    for l in &c.owasp {
        for item in &l.items {
            let n = counted(&|r| r.mappings.owasp.contains(&item.id));
            assert_eq!(item.findings, n, "OWASP {}", item.id);
        }
        assert_eq!(l.touched, l.items.iter().filter(|i| i.touched).count());
    }
    // The example is a web shop: some categories are touched, some are not.
    assert!(c.stride.iter().any(|s| s.touched));
    assert!(c.owasp[0].touched > 0);
    assert!(
        c.owasp[2].touched < c.owasp[2].total,
        "an LLM list untouched by a web shop"
    );
}

#[test]
fn ruled_out_findings_touch_nothing() {
    let lib = Library::builtin().expect("the built-in rules");
    let text = "title: t\nboundaries:\n  - {id: i, name: Internet}\n  - {id: d, name: DMZ}\nelements:\n  - {id: a, type: actor, name: A, boundary: i}\n  - {id: w, type: server, name: W, boundary: d}\nflows:\n  - {id: f, from: a, to: w, protocol: HTTP}\ntriage:\n  - {finding: \"*@*\", status: false-positive, justification: test}\n";
    let src = tms_syntax::source::SourceFile::from_text("t.yaml", text);
    let model = tms_formats::load::load_source(&src).expect("loads").model;
    let a = analyze(&model, &lib);
    assert!(
        !a.findings.is_empty(),
        "the rules find something on a plain HTTP flow"
    );
    let c = compute(&model, &lib, &a);
    assert!(c.stride.iter().all(|s| !s.touched && s.findings == 0));
    assert!(c.attack_tactics.iter().all(|t| !t.touched));
}
