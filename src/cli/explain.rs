//! `tms explain MODEL ID`: one finding or question in full — its rules, how
//! its severity was reached, the facts that made it fire (with where they
//! are), and which attribute closes or answers it.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use super::{EXIT_INVALID, EXIT_OK};
use tms_model::Model;
use tms_rules::engine::{target_id, Finding, Question};
use tms_rules::explain::Explainer;
use tms_rules::library::Library;
use tms_rules::view::{closed_by, finding_rules, finding_view, question_view, severity};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file (`-`: read it from stdin)
    model: PathBuf,
    /// A finding id (`CAUSE@TARGET`, `RULE@TARGET`, or an older `RULE@TARGET`
    /// that a merged finding now covers) or a question id (`ATTRIBUTE@ITEM`)
    id: String,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib, an) = (&a.loaded.model, &a.library, &a.analysis);
    let text = if let Some(f) = find_finding(model, lib, &an.findings, &args.id) {
        finding(model, lib, f)
    } else if let Some(q) = an.questions.iter().find(|q| q.id == args.id) {
        question(model, lib, q)
    } else {
        let ids = an
            .findings
            .iter()
            .map(|f| f.id.as_str())
            .chain(an.questions.iter().map(|q| q.id.as_str()));
        let hint = tms_syntax::diag::did_you_mean(&args.id, ids)
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        errln!(
            "{}: no finding or question `{}`{hint} (`tms report --format json` lists them)",
            model.file,
            args.id
        );
        return EXIT_INVALID;
    };
    out!("{text}");
    EXIT_OK
}

/// The finding with this id, or the merged finding an older single-rule id now names.
fn find_finding<'a>(
    model: &Model,
    lib: &Library,
    findings: &'a [Finding],
    id: &str,
) -> Option<&'a Finding> {
    findings.iter().find(|f| f.id == id).or_else(|| {
        let (rule, target) = id.split_once('@')?;
        findings.iter().find(|f| {
            f.matches
                .iter()
                .any(|(r, t)| lib.rules[*r].id == rule && target_id(model, *t) == target)
        })
    })
}

fn finding(model: &Model, lib: &Library, f: &Finding) -> String {
    let v = finding_view(model, lib, f);
    let mut s = String::new();
    let _ = writeln!(s, "{}: finding, {}", f.id, v.status);
    let _ = writeln!(
        s,
        "  on {} `{}` at {}:{}:{}",
        v.target_type, v.target, v.location.file, v.location.line, v.location.column
    );
    let _ = writeln!(s, "  rules:");
    for r in finding_rules(f) {
        let rule = &lib.rules[r];
        let _ = writeln!(s, "    {} {} ({})", rule.id, rule.title, rule.severity);
    }
    let data = f.data.map_or("no modelled data", |c| c.as_str());
    let _ = writeln!(
        s,
        "  severity: {} (rule {}, exposure {}, data {}; README \"Severity\")",
        severity(model, lib, f),
        lib.rules[f.rule].severity,
        f.exposure.as_str(),
        data
    );
    if let Some(t) = f.triage.and_then(|t| model.triage[t].severity) {
        let _ = writeln!(s, "  (the triage entry restates the severity as {t})");
    }
    let evidence = Explainer::new(model, lib).evidence(f);
    if !evidence.is_empty() {
        let _ = writeln!(s, "  because:");
        for e in &evidence {
            let _ = writeln!(
                s,
                "    {} = {} ({}) on `{}` at {}:{}:{}",
                e.attribute,
                e.value,
                e.source,
                e.on,
                e.location.file,
                e.location.line,
                e.location.column
            );
        }
    }
    let closes = closed_by(lib, f);
    if !closes.is_empty() {
        let _ = writeln!(
            s,
            "  closed by setting (each closes the rules that list it):"
        );
        for c in closes {
            let _ = writeln!(s, "    {c}");
        }
    }
    if let Some(j) = v.justification {
        let _ = writeln!(s, "  decision: {} — {j}", v.status);
    }
    if let Some(d) = &f.expired {
        let _ = writeln!(
            s,
            "  the decision expired on {d}; the finding is open again"
        );
    }
    let _ = writeln!(s, "  mitigation: {}", v.mitigation);
    s
}

fn question(model: &Model, lib: &Library, q: &Question) -> String {
    let v = question_view(model, lib, q);
    let mut s = String::new();
    let _ = writeln!(s, "{}: question ({} at stake)", v.id, v.severity);
    let _ = writeln!(
        s,
        "  on {} `{}` at {}:{}:{}",
        v.target_type, v.target, v.location.file, v.location.line, v.location.column
    );
    let _ = writeln!(s, "  {}", v.ask);
    let _ = writeln!(s, "  the answer decides:");
    for r in &q.rules {
        let rule = &lib.rules[*r];
        let _ = writeln!(s, "    {} {} ({})", rule.id, rule.title, rule.severity);
    }
    let _ = writeln!(s, "  evaluated on: {}", v.affects.join(", "));
    s
}
