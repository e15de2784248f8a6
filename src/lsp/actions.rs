//! Code actions: answer a question by setting its attribute, add a triage
//! entry for a finding, apply a did-you-mean. Each is one text edit; the
//! server never writes a file itself.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};

use super::document::Document;
use super::index::Item;
use super::text::Text;
use tms_model::{attrs, AttrType};
use tms_syntax::dates;

pub fn actions(
    doc: &Document,
    uri: &Uri,
    range: Range,
    diagnostics: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in diagnostics {
        let Some(data) = &d.data else { continue };
        if let Some(s) = data.get("replace").and_then(|v| v.as_str()) {
            out.push(action(
                format!("Replace with `{s}`"),
                uri,
                vec![TextEdit::new(d.range, s.to_string())],
                d,
            ));
        }
    }
    let Some((loaded, an)) = doc.analysed() else {
        return out;
    };
    let model = &loaded.model;
    let lines = range.start.line..=range.end.line;
    let on_line = |t| lines.contains(&doc.target_range(model, t).start.line);
    let related = |code: &str| {
        diagnostics
            .iter()
            .find(|d| d.code == Some(lsp_types::NumberOrString::String(code.to_string())))
    };
    for q in an.questions.iter().filter(|q| on_line(q.item)) {
        let target = tms_rules::engine::target_id(model, q.item);
        let name = q.attr.def().name;
        let Some(item) = doc.index.definition(target, None).filter(|_| !doc.stale) else {
            continue;
        };
        for value in answers(name) {
            let edit = insert_attribute(doc, item, name, &value);
            let title = format!("Answer `{}`: set `{name}: {value}` on `{target}`", q.id);
            out.push(with_diagnostic(
                action(title, uri, vec![edit], &Diagnostic::default()),
                related(&q.id),
            ));
        }
    }
    for f in an
        .findings
        .iter()
        .filter(|f| f.status == tms_model::Status::Open && on_line(f.target))
    {
        let edit = add_triage(doc, &f.id);
        let title = format!(
            "Triage `{}`: add an entry (status, justification, owner, expiry)",
            f.id
        );
        out.push(with_diagnostic(
            action(title, uri, vec![edit], &Diagnostic::default()),
            related(&f.id),
        ));
    }
    out
}

// lsp-types keys `WorkspaceEdit::changes` by `Uri`, whose parsed parts clippy
// takes for interior mutability; the URI is never changed while in the map.
#[allow(clippy::mutable_key_type)]
fn action(title: String, uri: &Uri, edits: Vec<TextEdit>, d: &Diagnostic) -> CodeActionOrCommand {
    let changes = HashMap::from([(uri.clone(), edits)]);
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: (!d.message.is_empty()).then(|| vec![d.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    })
}

fn with_diagnostic(mut a: CodeActionOrCommand, d: Option<&Diagnostic>) -> CodeActionOrCommand {
    if let (CodeActionOrCommand::CodeAction(a), Some(d)) = (&mut a, d) {
        a.diagnostics = Some(vec![d.clone()]);
        a.is_preferred = Some(true);
    }
    a
}

/// The values offered as answers: both for a boolean, the default as a placeholder otherwise.
fn answers(name: &str) -> Vec<String> {
    let Some(id) = attrs::lookup(name) else {
        return Vec::new();
    };
    match id.def().ty {
        AttrType::Bool => vec!["true".into(), "false".into()],
        _ => vec![tms_model::Value::to_json_default(id.def(), None)],
    }
}

fn is_json(doc: &Document) -> bool {
    doc.name.to_ascii_lowercase().ends_with(".json") || doc.text.trim_start().starts_with('{')
}

/// Sets `name: value` on an item: a new line after its `id` in a block
/// mapping, otherwise (`{id: x, ...}`, JSON) an entry after its id.
fn insert_attribute(doc: &Document, item: &Item, name: &str, value: &str) -> TextEdit {
    let text = doc.text();
    if item.block && !is_json(doc) {
        let at = Position::new(item.id_range.start.line + 1, 0);
        let indent = " ".repeat(item.key_col.saturating_sub(1) as usize);
        return TextEdit::new(Range::new(at, at), format!("{indent}{name}: {value}\n"));
    }
    let mut end = text.offset(item.id_range.end);
    if matches!(
        text.text.get(end..).and_then(|s| s.chars().next()),
        Some('"' | '\'')
    ) {
        end += 1;
    }
    let at = text.position(end);
    let entry = if is_json(doc) {
        format!(", \"{name}\": {value}")
    } else {
        format!(", {name}: {value}")
    };
    TextEdit::new(Range::new(at, at), entry)
}

/// Today plus 90 days: an expiry to revisit the decision.
fn expiry() -> String {
    dates::from_days(dates::days_from_civil(dates::today()) + 90).to_string()
}

/// A triage entry for `finding`, appended to `triage:` (created when missing).
fn add_triage(doc: &Document, finding: &str) -> TextEdit {
    let text = doc.text();
    let quoted = serde_json::Value::String(finding.to_string()).to_string();
    if is_json(doc) {
        return add_triage_json(&text, &quoted);
    }
    let header = (0..text.line_count()).find(|&n| {
        let l = text.line(n);
        l.starts_with("triage:")
    });
    let entry = |indent: usize| {
        let i = " ".repeat(indent);
        format!(
            "{i}- finding: {quoted}\n{i}  status: accepted\n{i}  justification: \"TODO: why this decision holds\"\n{i}  owner: \"TODO\"\n{i}  expires: {}\n",
            expiry()
        )
    };
    let eof = text.position(text.text.len());
    let newline = if text.text.is_empty() || text.text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    let Some(h) = header else {
        return TextEdit::new(
            Range::new(eof, eof),
            format!("{newline}triage:\n{}", entry(2)),
        );
    };
    let rest = text.line(h).trim_start_matches("triage:").trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        // `triage: []` or a flow list: rewrite the line as a block list with the one entry.
        // Keep what was there when it is not an empty list.
        if rest.trim_end_matches(|c: char| c.is_whitespace()) == "[]" {
            let start = Position::new(h as u32, 0);
            let line_end = text.position(text.offset(Position::new(h as u32, u32::MAX)));
            return TextEdit::new(
                Range::new(start, line_end),
                format!("triage:\n{}", entry(2).trim_end_matches('\n')),
            );
        }
    }
    let next = (h + 1..text.line_count()).find(|&n| {
        let l = text.line(n);
        !l.is_empty() && !l.starts_with([' ', '\t', '#', '-'])
    });
    let indent = (h + 1..text.line_count())
        .map(|n| text.line(n))
        .find(|l| l.trim_start().starts_with('-'))
        .map_or(2, |l| l.len() - l.trim_start().len());
    match next {
        Some(n) => {
            let at = Position::new(n as u32, 0);
            TextEdit::new(Range::new(at, at), entry(indent))
        }
        None => TextEdit::new(Range::new(eof, eof), format!("{newline}{}", entry(indent))),
    }
}

fn add_triage_json(text: &Text, quoted: &str) -> TextEdit {
    let entry = format!(
        "{{\"finding\": {quoted}, \"status\": \"accepted\", \"justification\": \"TODO: why this decision holds\", \"owner\": \"TODO\", \"expires\": \"{}\"}}",
        expiry()
    );
    if let Some(k) = text.text.find("\"triage\"") {
        if let Some(open) = text
            .text
            .get(k..)
            .and_then(|s| s.find('['))
            .map(|i| k + i + 1)
        {
            let empty = text
                .text
                .get(open..)
                .is_some_and(|s| s.trim_start().starts_with(']'));
            let at = text.position(open);
            let sep = if empty { "" } else { ", " };
            return TextEdit::new(Range::new(at, at), format!("{entry}{sep}"));
        }
    }
    let close = text.text.rfind('}').unwrap_or(text.text.len());
    let at = text.position(close);
    TextEdit::new(Range::new(at, at), format!(",\n  \"triage\": [{entry}]\n"))
}
