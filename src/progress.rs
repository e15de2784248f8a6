//! Progress on a terminal for long work: many models, or one large model.
//!
//! Nothing is drawn unless stderr is a terminal, and nothing is drawn before
//! the work has run for `REVEAL_AFTER`: a run that ends sooner shows nothing
//! at all, so quick runs and scripted output look as they did. A model file
//! below `LARGE_MODEL_BYTES` gets no spinner, and so no thread.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before its progress appears.
const REVEAL_AFTER: Duration = Duration::from_millis(400);
/// Smaller model files load and analyse in well under `REVEAL_AFTER`.
const LARGE_MODEL_BYTES: u64 = 512 * 1024;

/// A progress bar or spinner on stderr, or nothing. Dropping it clears it.
pub struct Progress {
    inner: Option<Inner>,
}

struct Inner {
    bar: ProgressBar,
    done: Arc<AtomicBool>,
    revealer: Option<JoinHandle<()>>,
}

fn terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

impl Progress {
    /// No progress: every call on it does nothing.
    pub fn none() -> Progress {
        Progress { inner: None }
    }

    /// A bar over `total` items (model files), for runs with more than one.
    pub fn items(total: usize, what: &str) -> Progress {
        if total < 2 || !terminal() {
            return Progress::none();
        }
        let style = ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {pos}/{len} ({elapsed}) {wide_msg}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden())
            .with_style(style)
            .with_prefix(what.to_string());
        Progress::start(bar, REVEAL_AFTER, ProgressDrawTarget::stderr)
    }

    /// A spinner for the loading and analysis of one model, when its file is large.
    pub fn for_model(path: &Path) -> Progress {
        let large = std::fs::metadata(path).is_ok_and(|m| m.len() >= LARGE_MODEL_BYTES);
        if !large || !terminal() {
            return Progress::none();
        }
        let style = ProgressStyle::with_template("{spinner} {wide_msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar =
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(style);
        Progress::start(bar, REVEAL_AFTER, ProgressDrawTarget::stderr)
    }

    /// Draws nothing until `reveal_after` has passed; a thread waits for that
    /// moment, since the work itself may block for long without a call here.
    fn start(
        bar: ProgressBar,
        reveal_after: Duration,
        target: impl FnOnce() -> ProgressDrawTarget + Send + 'static,
    ) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let (b, d) = (bar.clone(), Arc::clone(&done));
        let revealer = std::thread::Builder::new()
            .name("tms-progress".into())
            .spawn(move || {
                let deadline = Instant::now() + reveal_after;
                // `park_timeout` may return early, spuriously or for `finish`.
                loop {
                    if d.load(Ordering::Acquire) {
                        return;
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    std::thread::park_timeout(deadline - now);
                }
                b.set_draw_target(target());
                b.enable_steady_tick(Duration::from_millis(120));
            })
            .ok();
        Progress {
            inner: Some(Inner {
                bar,
                done,
                revealer,
            }),
        }
    }

    pub fn set_message(&self, msg: impl Into<std::borrow::Cow<'static, str>>) {
        if let Some(i) = &self.inner {
            i.bar.set_message(msg);
        }
    }

    pub fn inc(&self) {
        if let Some(i) = &self.inner {
            i.bar.inc(1);
        }
    }

    /// Runs `f` (which prints to stderr) with the progress line out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.inner {
            Some(i) => i.bar.suspend(f),
            None => f(),
        }
    }

    /// Clears the line; the work is over.
    pub fn finish(&mut self) {
        if let Some(mut i) = self.inner.take() {
            i.done.store(true, Ordering::Release);
            if let Some(h) = i.revealer.take() {
                // Wakes the revealer at once, so a quick run never waits for it.
                h.thread().unpark();
                let _ = h.join();
            }
            i.bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use indicatif::TermLike;

    use super::*;

    /// A terminal that records what is drawn on it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn text(&self) -> String {
            self.0.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if let Ok(mut t) = self.0.lock() {
                t.push_str(s);
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.write_str("<clear>")
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn bar_on(screen: &Screen, reveal_after: Duration) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(3), ProgressDrawTarget::hidden())
            .with_style(ProgressStyle::with_template("{pos}/{len} {msg}").unwrap());
        let s = screen.clone();
        Progress::start(bar, reveal_after, move || {
            ProgressDrawTarget::term_like(Box::new(s))
        })
    }

    #[test]
    fn quiet_without_a_terminal_or_for_one_item() {
        assert!(Progress::items(1, "x").inner.is_none());
        // Tests run with stderr captured or piped, which is the CI case.
        if !std::io::stderr().is_terminal() {
            assert!(Progress::items(100, "x").inner.is_none());
        }
        // Below the size that takes long, no spinner (nor thread) even on a terminal.
        assert!(Progress::for_model(Path::new("Cargo.toml")).inner.is_none());
    }

    #[test]
    fn a_quick_run_draws_nothing_and_does_not_wait() {
        let screen = Screen::default();
        // Were `finish` to wait the reveal out, this test would hang for a day.
        let mut p = bar_on(&screen, Duration::from_secs(86_400));
        p.set_message("a.yaml");
        p.inc();
        p.finish();
        assert_eq!(screen.text(), "");
    }

    #[test]
    fn a_long_run_shows_progress_then_clears_it() {
        let screen = Screen::default();
        let mut p = bar_on(&screen, Duration::ZERO);
        p.set_message("big.yaml");
        p.inc();
        // The revealer draws on its own thread; wait for it however long it takes.
        let shown = loop {
            let text = screen.text();
            if text.contains("1/3 big.yaml") {
                break text;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        p.finish();
        assert!(screen.text()[shown.len()..].contains("<clear>"));
    }
}
