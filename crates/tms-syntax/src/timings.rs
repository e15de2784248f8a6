//! `TMS_TIMINGS=1`: the wall time of each phase of a command on stderr, for
//! scripts/bench.sh and for users who want to know where a large model's
//! seconds go. Off by default; the phases are coarse (a dozen per run: read,
//! match, questions, write ...), so looking at the clock costs nothing next to them.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

static PHASES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

fn enabled() -> bool {
    std::env::var_os("TMS_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Runs `f` as the phase `name`, recording its wall time when timings are on.
pub fn phase<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    if enabled() {
        if let Ok(mut p) = PHASES.lock() {
            p.push((name, start.elapsed()));
        }
    }
    out
}

/// Prints the recorded phases (`tms: timings: read 1.203 s, ...`), if any.
pub fn print() {
    let Ok(p) = PHASES.lock() else { return };
    if p.is_empty() {
        return;
    }
    let parts: Vec<String> = p
        .iter()
        .map(|(name, d)| format!("{name} {:.3} s", d.as_secs_f64()))
        .collect();
    let _ = writeln!(std::io::stderr(), "tms: timings: {}", parts.join(", "));
}
