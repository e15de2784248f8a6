//! Reading a model file from disk into a positioned document tree.
//!
//! Everything that can go wrong before the model's meaning is looked at lives
//! here: the file is missing, a directory, too large, not UTF-8, empty, or not
//! YAML/JSON at all. XML (the Microsoft Threat Modeling Tool's `.tm7`) is
//! recognised here but not parsed: [`Syntax::Xml`] hands the text to the one
//! format that reads it.

pub mod json;
pub mod node;
pub mod yaml;
mod yaml_events;

use std::path::{Path, PathBuf};

pub use node::{Key, Node, NodeKind, Pos};

use crate::diag::Diagnostic;

/// Deeper than any sane model; bounds stack use on hostile input.
pub const MAX_DEPTH: usize = 64;

/// Files above this size are refused before they are read. A 100,000-element
/// model in JSON is about 45 MB; `TMS_MAX_FILE_BYTES` raises the limit.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
    /// How to fix it, when the parser can tell.
    pub hint: Option<String>,
}

impl SyntaxError {
    pub fn new(pos: Pos, message: impl Into<String>) -> Self {
        SyntaxError {
            pos,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Json,
    /// Not parsed into a [`Node`]: the formats that read XML take the text.
    Xml,
}

/// A model file's text and the name used for it in messages.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// As the user wrote it on the command line: messages and SARIF use this.
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let name = name.into();
        SourceFile {
            path: PathBuf::from(&name),
            name,
            text: text.into(),
        }
    }

    pub fn syntax(&self) -> Syntax {
        let ext = self
            .path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let start = self.text.trim_start();
        match ext.as_deref() {
            Some("json") => Syntax::Json,
            Some("yaml" | "yml") => Syntax::Yaml,
            Some("tm7" | "xml") => Syntax::Xml,
            // Unknown extension: JSON documents start with `{` or `[`; YAML is the superset.
            _ if start.starts_with('{') => Syntax::Json,
            // No model of ours starts with `<`, while every XML document does.
            _ if start.starts_with('<') => Syntax::Xml,
            _ => Syntax::Yaml,
        }
    }

    /// Warnings about what the parse drops in silence: YAML tags.
    pub fn tag_warnings(&self) -> Vec<Diagnostic> {
        if self.syntax() != Syntax::Yaml {
            return Vec::new();
        }
        yaml::tags(&self.text)
            .into_iter()
            .map(|(pos, tag)| {
                Diagnostic::warning(
                    &self.name,
                    pos,
                    format!(
                        "the YAML tag `{}` is ignored",
                        crate::diag::escape_controls(&tag)
                    ),
                )
                .with_hint(
                    "tms reads plain values; remove the tag (the value is read as if it had none)",
                )
            })
            .collect()
    }

    pub fn parse(&self) -> Result<Node, Diagnostic> {
        if self.text.trim().is_empty() {
            return Err(
                Diagnostic::error(&self.name, Pos::new(1, 1), "the file is empty")
                    .with_hint("start from `tms init`, which writes a small commented model"),
            );
        }
        let result = match self.syntax() {
            Syntax::Json => json::parse(&self.text),
            Syntax::Yaml => yaml::parse(&self.text),
            Syntax::Xml => return Err(self.xml_here()),
        };
        result.map_err(|e| {
            let what = match self.syntax() {
                Syntax::Json => "invalid JSON",
                _ => "invalid YAML",
            };
            Diagnostic::error(&self.name, e.pos, format!("{what}: {}", e.message))
                .with_hint_opt(e.hint)
        })
    }
}

impl SourceFile {
    /// The error for XML where only YAML or JSON is read (rule files, styles,
    /// and models of formats other than the XML ones).
    pub fn xml_here(&self) -> Diagnostic {
        Diagnostic::error(&self.name, Pos::new(1, 1), "this is XML, not YAML or JSON").with_hint(
            "tms reads XML only as a Microsoft Threat Modeling Tool model (`.tm7`, `--from tmt`)",
        )
    }
}

pub fn max_file_bytes() -> u64 {
    std::env::var("TMS_MAX_FILE_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MAX_FILE_BYTES)
}

/// Reads a file, refusing what cannot be a model before spending memory on it.
/// Reads at most `limit + 1` bytes: one more than allowed tells "too large"
/// without reading an endless input to its end.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// The path that stands for standard input (`tms check -`).
pub const STDIN_PATH: &str = "-";

/// The name standard input has in messages and reports (`<stdin>:3:7`).
pub const STDIN_NAME: &str = "<stdin>";

/// Whether a path given on the command line means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN_PATH
}

/// How an input is named in messages: as written, or `<stdin>` for `-`.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// Set once standard input has been read: it can be read only once, so a
/// second `-` (`tms diff - -`, `--rules -` beside a model from `-`) is an
/// error rather than an empty file.
static STDIN_TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reads a model file, or standard input for `-`, refusing what cannot be a
/// model before spending memory on it. Standard input is bounded like a file.
pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
    if is_stdin(path) {
        return read_stdin();
    }
    let name = path.display().to_string();
    let at_start = |msg: String| Diagnostic::error(&name, Pos::new(1, 1), msg);
    let meta = std::fs::metadata(path)
        .map_err(|e| at_start(format!("cannot read the file: {}", io_reason(&e))))?;
    if meta.is_dir() {
        return Err(at_start("this is a directory, not a model file".into())
            .with_hint("pass the YAML or JSON file inside it"));
    }
    let limit = max_file_bytes();
    if meta.len() > limit {
        let (size, max) = sizes(meta.len(), limit);
        return Err(
            at_start(format!("the file is {size}, above the {max} limit"))
                .with_hint("split the model, or raise the limit with TMS_MAX_FILE_BYTES"),
        );
    }
    // The stat size is 0 for devices and pipes (`/dev/zero`, `<(yes)`): the
    // limit holds on the bytes actually read, never on what the file claims.
    let bytes = read_bounded(path, limit)
        .map_err(|e| at_start(format!("cannot read the file: {}", io_reason(&e))))?;
    from_bytes(path, name, bytes, limit)
}

fn read_stdin() -> Result<SourceFile, Diagnostic> {
    use std::io::Read;
    let at_start = |msg: String| Diagnostic::error(STDIN_NAME, Pos::new(1, 1), msg);
    if STDIN_TAKEN.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Err(
            at_start("standard input was already read for another `-`".into())
                .with_hint("give `-` once; save the other input to a file"),
        );
    }
    let limit = max_file_bytes();
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| at_start(format!("cannot read standard input: {}", io_reason(&e))))?;
    from_bytes(Path::new(STDIN_PATH), STDIN_NAME.to_string(), bytes, limit)
}

/// The checks every input goes through once read: the size limit, UTF-8, a
/// byte-order mark.
fn from_bytes(
    path: &Path,
    name: String,
    bytes: Vec<u8>,
    limit: u64,
) -> Result<SourceFile, Diagnostic> {
    if bytes.len() as u64 > limit {
        let (_, max) = sizes(limit, limit);
        return Err(Diagnostic::error(
            &name,
            Pos::new(1, 1),
            format!("the input is above the {max} limit (a device or a pipe that does not end?)"),
        )
        .with_hint("split the model, or raise the limit with TMS_MAX_FILE_BYTES"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Everything before the bad byte is valid UTF-8, so the position is exact.
        let prefix = String::from_utf8_lossy(valid);
        let line = prefix.matches('\n').count() + 1;
        let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostic::error(
            &name,
            Pos::new(line as u32, col as u32),
            format!(
                "the file is not UTF-8 (invalid byte 0x{:02x})",
                e.as_bytes()[e.utf8_error().valid_up_to()]
            ),
        )
        .with_hint("save the file as UTF-8")
    })?;
    // A byte-order mark is legal but confuses both parsers.
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(SourceFile {
        path: path.to_path_buf(),
        name,
        text,
    })
}

/// A size and the limit in MiB (the unit the README gives the limit in), or in
/// bytes when MiB would show the same number for both.
fn sizes(len: u64, limit: u64) -> (String, String) {
    let mib = |n: u64| format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0));
    if mib(len) == mib(limit) {
        (format!("{len} bytes"), format!("{limit}-byte"))
    } else {
        (mib(len), mib(limit))
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
