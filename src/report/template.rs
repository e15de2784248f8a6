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

use minijinja::value::{Rest, Serde, Value};
use minijinja::{escape_formatter, AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use super::data::ReportData;
use super::{csv, html, md};

/// The built-in templates, by the name a user template can `{% extends %}` or `{% include %}`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "report.md.j2",
        include_str!("../../templates/report/report.md.j2"),
    ),
    (
        "report.html.j2",
        include_str!("../../templates/report/report.html.j2"),
    ),
    (
        "report.csv.j2",
        include_str!("../../templates/report/report.csv.j2"),
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
        "md" | "markdown" => AutoEscape::Custom(MARKDOWN),
        "csv" => AutoEscape::Custom(CSV),
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
    if matches!(v.kind(), minijinja::value::ValueKind::Seq) {
        if let Ok(items) = v.try_iter() {
            return items.map(|x| plain(&x)).collect::<Vec<_>>().join("; ");
        }
    }
    v.to_string()
}

/// `lookup(findings, indexes)`: the items of a list at the given indexes, for
/// the groups in the report data, which hold indexes into `findings`.
fn pick(list: &Value, indexes: Rest<Value>) -> Result<Value, Error> {
    let mut out = Vec::new();
    for ix in indexes.iter() {
        for i in ix.try_iter()? {
            out.push(list.get_item(&i)?);
        }
    }
    Ok(Value::from(out))
}

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(auto_escape);
    // A misspelled variable is an error with its line, not an empty string;
    // `{% if x %}` on a missing value still works.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            return Ok(());
        }
        if value.is_safe() {
            return escape_formatter(out, state, value);
        }
        match state.auto_escape() {
            AutoEscape::Custom(MARKDOWN) => out.write_str(&md::escape(&plain(value))),
            AutoEscape::Custom(CSV) => out.write_str(&csv::field(&plain(value))),
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
        // The built-in templates are compiled in the test suite: a failure here
        // is a bug in them, surfaced by every test that renders a report.
        if let Err(e) = env.add_template(name, src) {
            eprintln!("tms: internal error in template {name}: {e}");
        }
    }
    env
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
    let env = environment();
    let t = env.get_template(name).map_err(|e| describe(name, name, &e))?;
    t.render(Value::from(Serde(data)))
        .map_err(|e| describe(name, name, &e))
}

/// Renders a user's template file with the report data. The template is
/// registered under the path as given, whose extension chooses the escaping
/// (see the module doc).
pub fn render_file(path: &Path, data: &ReportData) -> Result<String, TemplateError> {
    let shown = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|e| TemplateError {
        message: format!("{shown}: error: cannot read template: {e}"),
    })?;
    // A copy of a built-in template that `extends` the original must not replace it.
    let name = if BUILTIN.iter().any(|(n, _)| *n == shown) {
        format!("./{shown}")
    } else {
        shown.clone()
    };
    let mut env = environment();
    env.add_template_owned(name.clone(), source)
        .map_err(|e| describe(&shown, &name, &e))?;
    let t = env
        .get_template(&name)
        .map_err(|e| describe(&shown, &name, &e))?;
    t.render(Value::from(Serde(data)))
        .map_err(|e| describe(&shown, &name, &e))
}
