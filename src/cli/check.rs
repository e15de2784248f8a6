use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use super::{EXIT_FAIL, EXIT_OK};
use tms_model::{Severity, Status};
use tms_report::{finding_view, severity};
// The model's text reaches a CI log: control characters in it are shown, not run.
use tms_syntax::diag::escape_controls as esc;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file (`-`: read it from stdin)
    model: PathBuf,
    /// Fail while open findings at or above this severity remain
    #[arg(long, default_value = "high", value_parser = super::common::parse_severity)]
    fail_on: Severity,
    /// Fail on unanswered questions at or above the same severity too
    #[arg(long)]
    strict: bool,
    /// How many of the most important questions to print
    #[arg(long, default_value_t = 10, value_name = "N")]
    questions: usize,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let a = match analyse(&args.model, &args.rules) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (model, lib) = (&a.loaded.model, &a.library);
    let mut failing: Vec<_> = a
        .analysis
        .findings
        .iter()
        .filter(|f| f.status == Status::Open && severity(model, lib, f) >= args.fail_on)
        .collect();
    // Worst first, then by id, so the top of the list is what to fix first.
    failing.sort_by(|x, y| {
        severity(model, lib, y)
            .cmp(&severity(model, lib, x))
            .then(x.id.cmp(&y.id))
    });
    for f in &failing {
        let v = finding_view(model, lib, f);
        let expired = f
            .expired
            .as_deref()
            .map(|d| format!(" (decision expired {d})"))
            .unwrap_or_default();
        outln!(
            "{}:{}:{}: {}: {} {}{expired}",
            esc(v.location.file),
            v.location.line,
            v.location.column,
            v.severity,
            esc(v.id),
            esc(v.title)
        );
    }
    let questions = tms_rules::view::by_stake(&a.analysis);
    let asked_at_threshold = questions
        .iter()
        .filter(|q| q.severity >= args.fail_on)
        .count();
    for q in questions.iter().take(args.questions) {
        let q = tms_rules::view::question_view(model, lib, q);
        outln!(
            "{}:{}:{}: question ({}): {} {}",
            esc(q.location.file),
            q.location.line,
            q.location.column,
            q.severity,
            esc(q.id),
            esc(&q.ask)
        );
    }
    if questions.len() > args.questions {
        outln!(
            "{}: {} more question(s); `tms report --format json` lists them all",
            model.file,
            questions.len() - args.questions
        );
    }
    let strict_fail = args.strict && asked_at_threshold > 0;
    let open = a
        .analysis
        .findings
        .iter()
        .filter(|f| f.status == Status::Open)
        .count();
    let asked = questions.len();
    // Findings a wildcard entry closed: a blanket `*@*` passes any gate.
    let by_wildcard = a
        .analysis
        .findings
        .iter()
        .filter(|f| {
            f.status != Status::Open
                && f.triage
                    .is_some_and(|i| tms_rules::engine::is_wildcard(&model.triage[i]))
        })
        .count();
    let wildcard_note = match by_wildcard {
        0 => String::new(),
        n => format!(
            "; {n} finding{} closed by a wildcard triage entry",
            if n == 1 { "" } else { "s" }
        ),
    };
    if failing.is_empty() && !strict_fail {
        errln!(
            "{}: pass: no open findings at or above {} ({} findings, {open} open; {asked} unanswered question{}{wildcard_note})",
            model.file,
            args.fail_on,
            a.analysis.findings.len(),
            if asked == 1 { "" } else { "s" }
        );
        EXIT_OK
    } else if failing.is_empty() {
        errln!(
            "{}: fail (--strict): {asked_at_threshold} unanswered question{} at or above {}; answer them by setting the attributes they name",
            model.file,
            if asked_at_threshold == 1 { "" } else { "s" },
            args.fail_on
        );
        EXIT_FAIL
    } else {
        errln!(
            "{}: fail: {} open finding{} at or above {} ({} findings, {open} open; {asked} unanswered question{}{wildcard_note}); triage them in the model or fix the design",
            model.file,
            failing.len(),
            if failing.len() == 1 { "" } else { "s" },
            args.fail_on,
            a.analysis.findings.len(),
            if asked == 1 { "" } else { "s" }
        );
        EXIT_FAIL
    }
}
