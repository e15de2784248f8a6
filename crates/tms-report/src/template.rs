//! The template engine every human-readable report goes through (minijinja),
//! with escaping chosen by the template's file name, so that no model string
//! reaches an output unescaped unless a template says `|safe`:
//!
//! - `.html`, `.htm`, `.xml`: HTML escaping;
//! - `.md`, `.markdown`: Markdown escaping (`md::escape`);
//! - `.csv`: every printed value is one CSV field (`csv::field`);
//! - `.txt`, `.text`: no escaping; the filters `md`, `csv_field` and `e` escape by hand;
//! - anything else: what `--format` or the output's extension says, else refused.
//!
//! A trailing `.j2`, `.jinja` or `.jinja2` is ignored (`report.md.j2` is Markdown).

use std::path::Path;

use minijinja::value::{Rest, Serde, Value, ValueKind, ValueOrKwargs};
use minijinja::{escape_formatter, AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use super::data::ReportData;
use super::{csv, html, md};

/// The built-in templates, by the name a user template can `{% extends %}` or `{% include %}`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("report.md.j2", include_str!("../templates/report.md.j2")),
    (
        "report.html.j2",
        include_str!("../templates/report.html.j2"),
    ),
    ("report.csv.j2", include_str!("../templates/report.csv.j2")),
];

const MARKDOWN: &str = "markdown";
const CSV: &str = "csv";

/// The extension that says what a template writes (`report.md.j2`: `md`).
fn output_extension(name: &str) -> String {
    let base = [".j2", ".jinja2", ".jinja"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    // Only the file name counts: `dir.html/template` has no extension.
    let base = base.rsplit(['/', '\\']).next().unwrap_or(base);
    base.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether a template's name says how to escape: a format of ours, or
/// `.txt` / `.text` for plain text (no escaping, on purpose).
pub fn escaping_known(name: &str) -> bool {
    let ext = output_extension(name);
    !matches!(auto_escape(name), AutoEscape::None) || matches!(ext.as_str(), "txt" | "text")
}

pub fn auto_escape(name: &str) -> AutoEscape {
    let ext = output_extension(name);
    match ext.as_str() {
        "html" | "htm" | "xml" => AutoEscape::Html,
        "md" | "markdown" => AutoEscape::Custom(MARKDOWN.into()),
        "csv" => AutoEscape::Custom(CSV.into()),
        _ => AutoEscape::None,
    }
}

fn md_filter(v: &Value) -> Value {
    Value::from_safe_string(md::escape(&plain(v)))
}

fn csv_field_filter(v: &Value) -> Value {
    Value::from_safe_string(csv::field(&plain(v)))
}

/// One CSV record from its values, with the record's CRLF.
fn csv_row_filter(v: &Value) -> Result<Value, Error> {
    let mut cells = Vec::new();
    for x in v.try_iter()? {
        cells.push(csv::field(&plain(&x)));
    }
    Ok(Value::from_safe_string(cells.join(",") + "\r\n"))
}

/// `none` and undefined print as nothing, a list as its items joined by `; `.
fn plain(v: &Value) -> String {
    if v.is_none() || v.is_undefined() {
        return String::new();
    }
    if matches!(v.kind(), ValueKind::Seq) {
        if let Ok(items) = v.try_iter() {
            return items.map(|x| plain(&x)).collect::<Vec<_>>().join("; ");
        }
    }
    v.to_string()
}

/// `findings|pick(group.findings)`: the items of a list at the given indexes,
/// for the groups in the report data, which hold indexes into `findings`.
fn pick(list: &Value, indexes: &Value) -> Result<Value, Error> {
    let mut out = Vec::new();
    for i in indexes.try_iter()? {
        out.push(list.get_item(&i)?);
    }
    Ok(Value::from(out))
}

/// The fuel of a user's template (the built-in ones, whose loops follow the
/// model, run without). minijinja charges one fuel per instruction and one per
/// 64 bytes of data a template creates (a string `~` another, a filter's
/// result, the output), so fuel bounds both time and memory: three nested
/// `range(10000)` loops, or a string doubled in a `namespace` loop, run out
/// of it. A user's copy of the HTML report takes about 0.11 fuel per byte of
/// report data (16,000 for a bundled example, 1.6 million for a model of 1,000
/// elements); a template gets `TEMPLATE_FUEL` plus one per `DATA_BYTES_PER_FUEL`
/// bytes of its data (JSON), four times that.
pub const TEMPLATE_FUEL: u64 = 2_000_000;

/// Bytes of report data (JSON) that add one fuel to `TEMPLATE_FUEL`.
const DATA_BYTES_PER_FUEL: u64 = 2;

/// The largest output a user's template may render.
pub const MAX_TEMPLATE_OUTPUT: usize = 64 << 20;

/// The widest a `format` specifier may pad or cut (`"%2000000000d"|format(1)`
/// would ask for 2 GB).
pub const MAX_FORMAT_WIDTH: u64 = 10_000;

/// The largest template file read (`--template`): templates are small texts.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// The `format` filter, refusing a width or precision above `MAX_FORMAT_WIDTH`.
fn capped_format(
    state: &mut minijinja::State,
    format: &Value,
    args: Rest<ValueOrKwargs>,
) -> Result<Value, Error> {
    if let Some(s) = format.as_str() {
        check_format_widths(s)?;
    }
    minijinja::filters::format(state, format, args)
}

/// Refuses a printf-style specifier (`%[(name)][flags][width][.precision]conv`)
/// whose width or precision is above `MAX_FORMAT_WIDTH`.
fn check_format_widths(s: &str) -> Result<(), Error> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'%') {
            i += 1;
            continue;
        }
        if b.get(i) == Some(&b'(') {
            while i < b.len() && b[i] != b')' {
                i += 1;
            }
            i += 1;
        }
        while matches!(b.get(i), Some(b'-' | b'+' | b' ' | b'#' | b'0')) {
            i += 1;
        }
        loop {
            let mut n: u64 = 0;
            while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
                i += 1;
            }
            if n > MAX_FORMAT_WIDTH {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "format: a width or precision of {n} is above the limit of {MAX_FORMAT_WIDTH}"
                    ),
                ));
            }
            if b.get(i) == Some(&b'.') {
                i += 1;
            } else {
                break;
            }
        }
    }
    Ok(())
}

/// The output of a user's template, refused past `MAX_TEMPLATE_OUTPUT`.
struct CappedOutput {
    bytes: Vec<u8>,
    over: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_TEMPLATE_OUTPUT {
            self.over = true;
            return Err(std::io::Error::other("the output is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn environment() -> Result<Environment<'static>, TemplateError> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(auto_escape);
    // A misspelled variable is an error with its line, not an empty string;
    // `{% if x %}` on a missing value still works.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_recursion_limit(64);
    // Jinja's usual set-up for text output: a line holding only a block tag
    // leaves nothing behind, and a file's last newline is kept.
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| describe("syntax", "syntax", &e))?;
    env.set_syntax(syntax);
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            return Ok(());
        }
        if value.is_safe() {
            return escape_formatter(out, state, value);
        }
        // A list prints as its items, in every format, not as a Python-like repr.
        let joined;
        let value = if matches!(value.kind(), ValueKind::Seq) {
            joined = Value::from(plain(value));
            &joined
        } else {
            value
        };
        match state.auto_escape() {
            AutoEscape::Custom(c) if c == MARKDOWN => out.write_str(&md::escape(&plain(value))),
            AutoEscape::Custom(c) if c == CSV => out.write_str(&csv::field(&plain(value))),
            _ => return escape_formatter(out, state, value),
        }
        .map_err(Error::from)
    });
    env.add_filter("md", md_filter);
    env.add_filter("csv_field", csv_field_filter);
    env.add_filter("csv_row", csv_row_filter);
    env.add_filter("pick", pick);
    let assets = html::assets();
    env.add_global("html_style", Value::from_safe_string(assets.style));
    env.add_global("html_script", Value::from_safe_string(assets.script));
    env.add_global("html_csp", Value::from_safe_string(assets.csp));
    for (name, src) in BUILTIN {
        env.add_template(name, src)
            .map_err(|e| describe(name, name, &e))?;
    }
    Ok(env)
}

/// A template failure, with the line it happened on where minijinja knows it.
#[derive(Debug)]
pub struct TemplateError {
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `shown` is how the user named the template that failed; `name`, the
/// name it was registered under.
fn describe(shown: &str, name: &str, e: &Error) -> TemplateError {
    // Errors inside an included or extended template name that template.
    let place = match e.name() {
        Some(n) if n != name => n,
        _ => shown,
    };
    let place = match e.line() {
        Some(l) => format!("{place}:{l}"),
        None => place.to_string(),
    };
    let what = match (e.kind(), e.detail()) {
        (ErrorKind::SyntaxError, Some(d)) => format!("syntax error: {d}"),
        (ErrorKind::UndefinedError, Some(d)) => format!("undefined value: {d}"),
        (ErrorKind::UndefinedError, None) => {
            "undefined value (a misspelled variable or attribute? see docs/templates.md)"
                .to_string()
        }
        (k, Some(d)) => format!("{k}: {d}"),
        (k, None) => k.to_string(),
    };
    let mut message = format!("{place}: error: template: {what}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    TemplateError { message }
}

/// Renders a built-in template with the report data.
pub fn render_builtin(name: &str, data: &ReportData) -> Result<String, TemplateError> {
    let env = environment()?;
    let t = env
        .get_template(name)
        .map_err(|e| describe(name, name, &e))?;
    t.render(Value::from(Serde(data)))
        .map_err(|e| describe(name, name, &e))
}

/// Renders a user's template file with the report data. The template is
/// registered under the path as given, whose extension chooses the escaping
/// (see the module doc); where it names none, `fallback` does, an extension
/// such as `html` (from `--format`), or `""` for none.
pub fn render_file(
    path: &Path,
    fallback: &str,
    data: &ReportData,
) -> Result<String, TemplateError> {
    let shown = path.display().to_string();
    let bytes =
        tms_syntax::source::read_bounded(path, MAX_TEMPLATE_BYTES).map_err(|e| TemplateError {
            message: format!("{shown}: error: cannot read template: {e}"),
        })?;
    if bytes.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(TemplateError {
            message: format!(
                "{shown}: error: the template is above the {} KiB limit (a device or a pipe that does not end?)",
                MAX_TEMPLATE_BYTES / 1024
            ),
        });
    }
    let source = String::from_utf8(bytes).map_err(|_| TemplateError {
        message: format!("{shown}: error: the template is not UTF-8"),
    })?;
    // A copy of a built-in template that `extends` the original must not replace it.
    let name = if BUILTIN.iter().any(|(n, _)| *n == shown) {
        format!("./{shown}")
    } else {
        shown.clone()
    };
    // A template that does not say what it writes is escaped for the format
    // asked for; with none, it is refused rather than guessed.
    if !escaping_known(&shown) && !escaping_known(&format!("x.{fallback}")) {
        return Err(TemplateError {
            message: format!(
                "{shown}: error: template: its name does not say what it writes, so how to escape \
                 the model's text is unknown; name it .md, .html, .csv or .txt (optionally \
                 followed by .j2), or pass --format md|html|csv, or -o a file with such an extension"
            ),
        });
    }
    let mut env = environment()?;
    // A user's template must end, and within bounds of memory: fuel grows
    // with the data it is given (see `TEMPLATE_FUEL`).
    let data_bytes = serde_json::to_vec(data).map_or(0, |v| v.len() as u64);
    env.set_fuel(Some(
        TEMPLATE_FUEL.saturating_add(data_bytes / DATA_BYTES_PER_FUEL),
    ));
    env.add_filter("format", capped_format);
    let fallback = auto_escape(&format!("x.{fallback}"));
    let own = name.clone();
    env.set_auto_escape_callback(move |n| match auto_escape(n) {
        AutoEscape::None if n == own => fallback.clone(),
        other => other,
    });
    env.add_template_owned(name.clone(), source)
        .map_err(|e| describe(&shown, &name, &e))?;
    let t = env
        .get_template(&name)
        .map_err(|e| describe(&shown, &name, &e))?;
    let mut out = CappedOutput {
        bytes: Vec::new(),
        over: false,
    };
    let rendered = t
        .render_captured_to(Value::from(Serde(data)), &mut out)
        .map(drop);
    match rendered {
        Ok(()) => String::from_utf8(out.bytes).map_err(|_| TemplateError {
            message: format!("{shown}: error: template: the output is not UTF-8"),
        }),
        Err(_) if out.over => Err(TemplateError {
            message: format!(
                "{shown}: error: template: the output is above the {} MiB limit",
                MAX_TEMPLATE_OUTPUT >> 20
            ),
        }),
        Err(e) => Err(describe(&shown, &name, &e)),
    }
}
