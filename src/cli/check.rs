use std::io::Write;
use std::path::PathBuf;

use super::common::{analyse, RuleArgs};
use super::{EXIT_FAIL, EXIT_OK};
use tms_model::{Severity, Status};
use tms_report::{finding_view, severity};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file
    model: PathBuf,
    /// Fail while open findings at or above this severity remain
    #[arg(long, default_value = "high", value_parser = super::common::parse_severity)]
    fail_on: Severity,
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
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for f in &failing {
        let v = finding_view(model, lib, f);
        let expired = f
            .expired
            .as_deref()
            .map(|d| format!(" (decision expired {d})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {} {}{expired}",
            v.location.file, v.location.line, v.location.column, v.severity, v.id, v.title
        );
    }
    let _ = out.flush();
    drop(out);
    let open = a
        .analysis
        .findings
        .iter()
        .filter(|f| f.status == Status::Open)
        .count();
    if failing.is_empty() {
        eprintln!(
            "{}: pass: no open findings at or above {} ({} findings, {open} open)",
            model.file,
            args.fail_on,
            a.analysis.findings.len()
        );
        EXIT_OK
    } else {
        eprintln!(
            "{}: fail: {} open finding{} at or above {} ({} findings, {open} open); triage them in the model or fix the design",
            model.file,
            failing.len(),
            if failing.len() == 1 { "" } else { "s" },
            args.fail_on,
            a.analysis.findings.len()
        );
        EXIT_FAIL
    }
}
