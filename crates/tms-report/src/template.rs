//! The template engine every human-readable report goes through (minijinja),
//! with escaping chosen by the template's file name, so that no model string
//! reaches an output unescaped unless a template says `|safe`:
//!
//! - `.html`, `.htm`, `.xml`: HTML escaping;
//! - `.md`, `.markdown`: Markdown escaping (`md::escape`);
//! - `.csv`: every printed value is one CSV field (`csv::field`);
//! - anything else: no escaping; the filters `md`, `csv_field` and `e` escape by hand.
//!
//! A trailing `.j2`, `.jinja` or `.jinja2` is ignored (`report.md.j2` is Markdown).

use std::path::Path;

use minijinja::value::{Serde, Value, ValueKind};
use minijinja::{escape_formatter, AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use super::data::ReportData;
use super::{csv, html, md};

/// The built-in templates, by the name a user template can `{% extends %}` or `{% include %}`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "report.md.j2",
        include_str!("../../../templates/report/report.md.j2"),
    ),
    (
        "report.html.j2",
        include_str!("../../../templates/report/report.html.j2"),
    ),
    (
        "report.csv.j2",
        include_str!("../../../templates/report/report.csv.j2"),
    ),
];

const MARKDOWN: &str = "markdown";
const CSV: &str = "csv";

pub fn auto_escape(name: &str) -> AutoEscape {
    let base = [".j2", ".jinja2", ".jinja"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
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

/// Instructions a user's template may run (the built-in ones, whose loops
/// follow the model, run without). A report of a 1,000-element model takes a
/// few million; three nested `range(10000)` loops would take a trillion.
pub const TEMPLATE_FUEL: u64 = 100_000_000;

/// The largest template file read (`--template`): templates are small texts.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

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
    let mut env = environment()?;
    // A user's template must end.
    env.set_fuel(Some(TEMPLATE_FUEL));
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
    t.render(Value::from(Serde(data)))
        .map_err(|e| describe(&shown, &name, &e))
}
