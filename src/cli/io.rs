//! Writing to stdout and stderr without ever panicking (issue 13).
//!
//! `println!` and `eprintln!` panic when the write fails: a closed pipe
//! (`tms rules list | head -1`), a full disk (`> /dev/full`). Every message of
//! the command line goes through `outln!`, `out!` and `errln!` instead, which
//! record the first failure of each stream and go on. `finish` turns what was
//! recorded into the exit code:
//!
//! - a closed pipe is a quiet end: the command's own code stands (0 where the
//!   work was only printing), and nothing is said;
//! - any other failure is exit 2, with a message on stderr for a failure of
//!   stdout (a failure of stderr has nowhere to be told).

use std::fmt::Arguments;
use std::io::{ErrorKind, Write};
use std::sync::Mutex;

use super::EXIT_INVALID;

/// The first failure of each stream: (stdout, stderr).
static FAILED: Mutex<(Option<std::io::Error>, Option<std::io::Error>)> = Mutex::new((None, None));

fn record(stdout: bool, e: std::io::Error) {
    if let Ok(mut f) = FAILED.lock() {
        let slot = if stdout { &mut f.0 } else { &mut f.1 };
        if slot.is_none() {
            *slot = Some(e);
        }
    }
}

fn failed(stdout: bool) -> bool {
    FAILED
        .lock()
        .map(|f| if stdout { f.0.is_some() } else { f.1.is_some() })
        .unwrap_or(true)
}

/// Writes to stdout; a failure is recorded, and later writes are skipped.
pub fn out(args: Arguments) {
    if failed(true) {
        return;
    }
    let mut s = std::io::stdout().lock();
    if let Err(e) = s.write_fmt(args).and_then(|()| s.flush()) {
        record(true, e);
    }
}

/// Writes to stderr; a failure is recorded, and later writes are skipped.
pub fn err(args: Arguments) {
    if failed(false) {
        return;
    }
    let mut s = std::io::stderr().lock();
    if let Err(e) = s.write_fmt(args) {
        record(false, e);
    }
}

/// Records a failure of a write to stdout made by other means (a streamed report).
pub fn stdout_failed(e: std::io::Error) {
    record(true, e);
}

/// Whether `e` is the reader going away (`| head`): not an error of ours.
pub fn is_closed_pipe(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::BrokenPipe
}

/// The exit code, given the command's own and what failed to be written.
pub fn finish(code: i32) -> i32 {
    if !failed(true) {
        if let Err(e) = std::io::stdout().flush() {
            record(true, e);
        }
    }
    let Ok(mut f) = FAILED.lock() else {
        return EXIT_INVALID;
    };
    let (stdout, stderr) = (f.0.take(), f.1.take());
    drop(f);
    let mut code = code;
    if let Some(e) = stdout.filter(|e| !is_closed_pipe(e)) {
        err(format_args!("error: cannot write to stdout: {e}\n"));
        code = EXIT_INVALID;
    }
    if stderr.is_some_and(|e| !is_closed_pipe(&e)) {
        code = EXIT_INVALID;
    }
    code
}

/// `println!` that never panics (see the module doc).
macro_rules! outln {
    () => { $crate::cli::io::out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::io::out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!` that never panics.
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::io::out(format_args!($($t)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($t:tt)*) => { $crate::cli::io::err(format_args!("{}\n", format_args!($($t)*))) };
}
