use clap::Subcommand;

use super::common::{load_library, RuleArgs};
use super::{EXIT_INVALID, EXIT_OK};
use tms_rules::library::parse_target;
use tms_rules::{Rule, Stride};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// List rules, optionally filtered
    List {
        /// Only rules in this STRIDE category (S, T, R, I, D, E)
        #[arg(long)]
        stride: Option<String>,
        /// Only rules on this target type (process, datastore, flow, ...)
        #[arg(long)]
        target: Option<String>,
        /// Only rules mapped to this framework id (CWE-79, CAPEC-66, T1190, A03:2021, LLM01:2025, ...)
        #[arg(long)]
        framework: Option<String>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Show one rule in full
    Show {
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
}

fn mapped_to(r: &Rule, id: &str) -> bool {
    let m = &r.mappings;
    [&m.capec, &m.cwe, &m.attack, &m.atlas, &m.owasp]
        .iter()
        .any(|l| l.iter().any(|x| x.eq_ignore_ascii_case(id)))
}

pub fn run(args: Args) -> i32 {
    match args.command {
        Cmd::List {
            stride,
            target,
            framework,
            json,
            rules,
        } => {
            let lib = match load_library(&rules) {
                Ok(l) => l,
                Err(c) => return c,
            };
            let stride = match stride.as_deref().map(|s| Stride::parse(s).ok_or(s)) {
                Some(Err(s)) => {
                    errln!("error: `{s}` is not a STRIDE category (S, T, R, I, D, E)");
                    return EXIT_INVALID;
                }
                Some(Ok(s)) => Some(s),
                None => None,
            };
            let target = match target.as_deref().map(|t| parse_target(t).ok_or(t)) {
                Some(Err(t)) => {
                    errln!("error: `{t}` is not a target type");
                    return EXIT_INVALID;
                }
                Some(Ok(t)) => Some(t),
                None => None,
            };
            let selected: Vec<&Rule> = lib
                .rules
                .iter()
                .filter(|r| stride.is_none_or(|s| r.stride.contains(&s)))
                .filter(|r| target.is_none_or(|t| r.targets.intersects(t)))
                .filter(|r| framework.as_deref().is_none_or(|f| mapped_to(r, f)))
                .collect();
            if json {
                return super::stream_output(None, |w| tms_report::rule_list::write(w, &selected));
            } else {
                for r in &selected {
                    let stride: String = r.stride.iter().map(|s| s.as_str()).collect();
                    outln!(
                        "{:12} {:8} {:6} {:28} {}",
                        r.id,
                        r.severity.as_str(),
                        stride,
                        r.targets.names().join(","),
                        r.title
                    );
                }
                errln!("{} of {} rules", selected.len(), lib.rules.len());
            }
            EXIT_OK
        }
        Cmd::Show { id, rules } => {
            let lib = match load_library(&rules) {
                Ok(l) => l,
                Err(c) => return c,
            };
            let Some(r) = lib.get(&id) else {
                errln!("error: no rule `{id}`");
                if let Some(c) =
                    tms_syntax::diag::did_you_mean(&id, lib.rules.iter().map(|r| r.id.as_str()))
                {
                    errln!("  help: did you mean `{c}`?");
                }
                return EXIT_INVALID;
            };
            let stride: Vec<&str> = r.stride.iter().map(|s| s.long_name()).collect();
            outln!("{} {}\n", r.id, r.title);
            outln!("STRIDE:      {}", stride.join(", "));
            outln!("Targets:     {}", r.targets.names().join(", "));
            outln!("Severity:    {}", r.severity);
            outln!("Likelihood:  {}", r.likelihood.as_str());
            outln!("Condition:   {}", r.condition);
            if let Some(c) = &r.cvss {
                outln!("CVSS:        {c}");
            }
            let m = &r.mappings;
            for (name, l) in [
                ("CAPEC", &m.capec),
                ("CWE", &m.cwe),
                ("ATT&CK", &m.attack),
                ("ATLAS", &m.atlas),
                ("OWASP", &m.owasp),
            ] {
                if !l.is_empty() {
                    outln!("{:12} {}", format!("{name}:"), l.join(", "));
                }
            }
            outln!("Defined in:  {}:{}", r.origin.file, r.origin.pos);
            outln!(
                "\n{}\n\nMitigation: {}",
                r.description.trim(),
                r.mitigation.trim()
            );
            for u in &r.references {
                outln!("  - {u}");
            }
            EXIT_OK
        }
    }
}
