//! `tms watch MODEL`: re-validates and rewrites the outputs whenever the
//! model or a rule file changes (the `notify` crate; saves are debounced),
//! printing the change in findings and questions since the last good run
//! (`tms_report::diff`). Quiet when nothing changed; a save that leaves the
//! model invalid prints its problems and leaves the outputs as they were.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use notify::{Event, EventKind, RecursiveMode, Watcher};

use super::common::RuleArgs;
use super::{print_diagnostics, EXIT_INVALID};
use tms_diagram::{Format, Kind, Options, Style, Worst};
use tms_formats::load::Loaded;
use tms_model::Status;
use tms_report::diff::{diff, Diff, Side};
use tms_report::formats::Render;
use tms_rules::engine::{analyze, Analysis};
use tms_rules::library::Library;
use tms_syntax::diag::Diagnostics;

/// How long the files must be quiet before a run: an editor's save is often
/// several events (truncate, write, rename).
const DEBOUNCE: Duration = Duration::from_millis(250);

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file
    model: PathBuf,
    /// Keep this report up to date; its format from --format, else its
    /// extension (.json, .md, .html, .csv)
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// The report's format
    #[arg(long, value_parser = ["json", "md", "html", "csv"])]
    format: Option<String>,
    /// Keep this data-flow diagram up to date (coloured by worst open
    /// finding); its format from its extension (.svg, .png, .dot, .mmd, ...)
    #[arg(long, value_name = "FILE")]
    diagram: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

/// One good run: what the next is compared with.
struct Run {
    loaded: Loaded,
    library: Library,
    analysis: Analysis,
}

struct Watch {
    args: Args,
    report: Option<(PathBuf, &'static str)>,
    diagram: Option<(PathBuf, Format)>,
    last: Option<Run>,
    /// The inputs' contents at the last run: a save that changes nothing is no run.
    stamp: Option<u64>,
    /// The warnings last printed, so that unchanged ones are not printed again.
    warnings: Vec<String>,
    invalid: bool,
}

pub fn run(args: Args) -> i32 {
    let outputs = [args.report.as_ref(), args.diagram.as_ref()];
    for out in outputs.into_iter().flatten() {
        let inputs = std::iter::once(args.model.as_path()).chain(args.rules.inputs());
        if let Err(code) = super::refuse_overwrite(Some(out), inputs) {
            return code;
        }
    }
    let mut w = match Watch::new(args) {
        Ok(w) => w,
        Err(code) => return code,
    };
    w.tick();
    let (tx, rx) = channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(x) => x,
        Err(e) => {
            errln!("error: cannot watch files: {e}");
            return EXIT_INVALID;
        }
    };
    let files = w.inputs();
    for dir in dirs(&files) {
        if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
            errln!("{}: error: cannot watch: {e}", dir.display());
            return EXIT_INVALID;
        }
    }
    outln!(
        "watching {} (Ctrl-C to stop)",
        files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let watched: Vec<PathBuf> = files.iter().filter_map(|f| absolute(f)).collect();
    while wait(&rx, &watched) {
        w.tick();
    }
    super::EXIT_OK
}

/// A path with its folder made canonical (the file itself may be replaced by a save).
fn absolute(p: &Path) -> Option<PathBuf> {
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
}

/// The folders to watch: editors save by writing a new file and renaming it
/// over the old one, which a watch on the file itself would lose.
fn dirs(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for f in files.iter().filter_map(|f| absolute(f)) {
        if let Some(d) = f.parent().map(Path::to_path_buf) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// Waits for a change to one of the files, then for the files to be quiet;
/// false when the watcher is gone.
fn wait(rx: &Receiver<notify::Result<Event>>, files: &[PathBuf]) -> bool {
    let relevant = |e: &notify::Result<Event>| match e {
        Ok(e) => {
            !matches!(e.kind, EventKind::Access(_)) && e.paths.iter().any(|p| files.contains(p))
        }
        Err(_) => false,
    };
    loop {
        match rx.recv() {
            Ok(e) if relevant(&e) => break,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    loop {
        match rx.recv_timeout(DEBOUNCE) {
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

impl Watch {
    fn new(args: Args) -> Result<Watch, i32> {
        let report = match &args.report {
            Some(p) => {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                let ext = ext.to_ascii_lowercase();
                let name = args.format.as_deref().unwrap_or(match ext.as_str() {
                    "htm" => "html",
                    "markdown" => "md",
                    e => e,
                });
                let Some(f) = tms_report::formats::by_name(name) else {
                    errln!(
                        "{}: error: cannot tell the report's format from its name; add --format json|md|html|csv",
                        p.display()
                    );
                    return Err(EXIT_INVALID);
                };
                Some((p.clone(), f.name))
            }
            None => None,
        };
        let diagram = match &args.diagram {
            Some(p) => {
                let f = p
                    .extension()
                    .and_then(|e| e.to_str())
                    .and_then(Format::by_extension);
                let Some(f) = f else {
                    errln!(
                        "{}: error: cannot tell the diagram's format from its extension (.svg, .png, .dot, .mmd, .d2, .puml)",
                        p.display()
                    );
                    return Err(EXIT_INVALID);
                };
                Some((p.clone(), f))
            }
            None => None,
        };
        Ok(Watch {
            args,
            report,
            diagram,
            last: None,
            stamp: None,
            warnings: Vec::new(),
            invalid: false,
        })
    }

    fn inputs(&self) -> Vec<PathBuf> {
        std::iter::once(self.args.model.clone())
            .chain(self.args.rules.rules.iter().cloned())
            .collect()
    }

    /// A hash of the inputs' contents (a missing file hashes as such).
    fn stamp(&self) -> u64 {
        let mut h = DefaultHasher::new();
        for p in self.inputs() {
            std::fs::read(&p).ok().hash(&mut h);
        }
        h.finish()
    }

    /// One run: analyse, print what changed, rewrite the outputs.
    fn tick(&mut self) {
        let stamp = self.stamp();
        if self.stamp == Some(stamp) {
            return;
        }
        self.stamp = Some(stamp);
        let Some(run) = self.analyse() else {
            self.invalid = true;
            errln!(
                "{}: invalid; the outputs are left as they were, watching for the next save",
                self.args.model.display()
            );
            return;
        };
        let recovered = std::mem::take(&mut self.invalid);
        match &self.last {
            None => summary(&run, None),
            Some(old) => {
                let d = diff(side(old), side(&run));
                let any = !d.added.is_empty()
                    || !d.removed.is_empty()
                    || !d.changed.is_empty()
                    || !d.questions_added.is_empty()
                    || !d.questions_answered.is_empty();
                if any || recovered {
                    summary(&run, Some(old));
                    changes(&d);
                }
            }
        }
        self.write(&run);
        self.last = Some(run);
    }

    /// Loads the rules and the model and analyses it; prints the problems and
    /// gives `None` when either is invalid. Warnings are printed when they change.
    fn analyse(&mut self) -> Option<Run> {
        let mut library = self
            .args
            .rules
            .library()
            .map_err(|d| print_diagnostics(&d))
            .ok()?;
        let loaded = tms_formats::load::load_path(&self.args.model)
            .map_err(|d| print_diagnostics(&d))
            .ok()?;
        let clashes = library.set_model_threats(&loaded.model);
        if clashes.has_errors() {
            print_diagnostics(&clashes);
            return None;
        }
        let analysis = analyze(&loaded.model, &library);
        if analysis.warnings.has_errors() {
            print_diagnostics(&analysis.warnings);
            return None;
        }
        let mut all = Diagnostics(library.warnings.0.clone());
        all.extend(loaded.warnings.clone());
        all.extend(analysis.warnings.clone());
        let shown: Vec<String> = all.0.iter().map(ToString::to_string).collect();
        if shown != self.warnings {
            print_diagnostics(&all);
            self.warnings = shown;
        }
        Some(Run {
            loaded,
            library,
            analysis,
        })
    }

    /// Rewrites the outputs (after every save that changed an input and loads).
    fn write(&self, run: &Run) {
        let (model, lib, an) = (&run.loaded.model, &run.library, &run.analysis);
        if let Some((path, name)) = &self.report {
            match report_bytes(name, model, lib, an) {
                Ok(bytes) => {
                    super::write_output(Some(path), &bytes);
                }
                Err(e) => errln!("{}: error: {e}", path.display()),
            }
        }
        if let Some((path, format)) = &self.diagram {
            let opts = Options {
                levels: None,
                worst: Some(Worst::from_analysis(model, lib, an)),
            };
            match tms_diagram::render(model, Kind::Dfd, *format, &opts, &Style::default()) {
                Ok(bytes) => {
                    super::write_output(Some(path), &bytes);
                }
                Err(e) => errln!("{}: error: {e}", path.display()),
            }
        }
    }
}

fn side(r: &Run) -> Side<'_> {
    Side {
        model: &r.loaded.model,
        lib: &r.library,
        analysis: &r.analysis,
    }
}

fn report_bytes(
    name: &str,
    model: &tms_model::Model,
    lib: &Library,
    an: &Analysis,
) -> Result<Vec<u8>, String> {
    let Some(format) = tms_report::formats::by_name(name) else {
        return Err(format!("no report format `{name}`"));
    };
    match format.render {
        Render::Stream(write) => {
            let mut out = Vec::new();
            write(&mut out, model, lib, an).map_err(|e| e.to_string())?;
            Ok(out)
        }
        Render::Template(render) => render(&tms_report::data::build(model, lib, an))
            .map(String::into_bytes)
            .map_err(|e| e.to_string()),
    }
}

fn open_count(a: &Analysis) -> usize {
    a.findings
        .iter()
        .filter(|f| f.status == Status::Open)
        .count()
}

/// `model.yaml: 3 findings open (was 2), 27 questions (was 28)`.
fn summary(run: &Run, old: Option<&Run>) {
    let was = |now: usize, then: Option<usize>| match then {
        Some(t) if t != now => format!(" (was {t})"),
        _ => String::new(),
    };
    let open = open_count(&run.analysis);
    let questions = run.analysis.questions.len();
    outln!(
        "{}: {open} finding{} open{}, {questions} question{}{}",
        run.loaded.model.file,
        if open == 1 { "" } else { "s" },
        was(open, old.map(|o| open_count(&o.analysis))),
        if questions == 1 { "" } else { "s" },
        was(questions, old.map(|o| o.analysis.questions.len())),
    );
}

/// One line per change: `+` new finding, `-` gone, `~` changed, `?` new question, `=` answered.
fn changes(d: &Diff) {
    for e in &d.added {
        outln!(
            "  + {} ({}, {}) {}",
            e.id,
            e.severity,
            e.status.as_str(),
            e.title
        );
    }
    for e in &d.removed {
        outln!("  - {} ({}) {}", e.id, e.severity, e.title);
    }
    for c in &d.changed {
        outln!(
            "  ~ {} {} {} -> {} {}",
            c.id,
            c.from.status.as_str(),
            c.from.severity,
            c.to.status.as_str(),
            c.to.severity
        );
    }
    for q in d.questions_added.iter().take(MAX_QUESTIONS) {
        outln!("  ? {} ({} at stake)", q.id, q.severity);
    }
    more(d.questions_added.len(), "new questions");
    for q in d.questions_answered.iter().take(MAX_QUESTIONS) {
        outln!("  = {} answered", q.id);
    }
    more(d.questions_answered.len(), "questions answered");
}

/// Questions listed per kind of change; a new element asks dozens.
const MAX_QUESTIONS: usize = 10;

fn more(n: usize, what: &str) {
    if n > MAX_QUESTIONS {
        outln!("  ... and {} more {what}", n - MAX_QUESTIONS);
    }
}
