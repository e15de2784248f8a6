//! Hover: what `tms describe` says of a key, what an id is (with the findings
//! and questions on it), and what a finding or question means and what closes it.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::context;
use super::document::Document;
use super::index::Kind;
use super::keys::{describe, keys};
use tms_model::Model;
use tms_rules::engine::{target_id, Analysis, Finding, Question};
use tms_rules::library::Library;
use tms_rules::view::{closed_by, finding_view, question_view};

pub fn hover(doc: &Document, lib: &Library, p: Position) -> Option<Hover> {
    let lib = doc.library(lib);
    let text = doc.text();
    let (word, start, end) = text.word_at(p)?;
    let markdown = if let Some(o) = doc.index.occurrence_at(p).filter(|_| !doc.stale) {
        id_hover(doc, lib, &o.id, o.kind)?
    } else if word.contains('@') {
        finding_or_question(doc, lib, word.trim_matches(['"', '\'']))?
    } else if text.text.get(end..).is_some_and(|r| r.starts_with(':')) {
        let line_start = text.offset(Position::new(p.line, 0));
        let cx = context::at(&text, p.line as usize, start.saturating_sub(line_start));
        let key = word.trim_matches(['"', '\'']);
        let k = keys(&cx.section, &cx.ty)
            .into_iter()
            .find(|k| k.name == key)?;
        describe(&k, lib)
    } else {
        return None;
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(text.range(start, end)),
    })
}

/// What an id names, and the open findings and questions on it.
fn id_hover(doc: &Document, lib: &Library, id: &str, kind: Option<Kind>) -> Option<String> {
    let item = doc.index.definition(id, kind)?;
    let mut s = format!("**{}** `{}`", item.kind.noun(), item.id);
    if !item.ty.is_empty() {
        let _ = write!(s, " ({})", item.ty);
    }
    if item.name != item.id {
        let _ = write!(s, ": {}", item.name);
    }
    let Some((loaded, an)) = doc.analysed() else {
        return Some(s);
    };
    let model = &loaded.model;
    let on = |t| target_id(model, t) == id;
    let open: Vec<&Finding> = an
        .findings
        .iter()
        .filter(|f| f.status == tms_model::Status::Open && on(f.target))
        .collect();
    for f in &open {
        let _ = write!(s, "\n\n---\n{}", finding_text(model, lib, f));
    }
    for q in an.questions.iter().filter(|q| on(q.item)) {
        let _ = write!(s, "\n\n---\n{}", question_text(model, lib, q));
    }
    Some(s)
}

fn finding_or_question(doc: &Document, lib: &Library, id: &str) -> Option<String> {
    let (loaded, an): &(_, Analysis) = doc.model.as_ref()?;
    let model = &loaded.model;
    if let Some(f) = an.findings.iter().find(|f| f.id == id) {
        return Some(finding_text(model, lib, f));
    }
    an.questions
        .iter()
        .find(|q| q.id == id)
        .map(|q| question_text(model, lib, q))
}

/// A finding as `tms explain` summarises it: title, status, severity, what closes it.
pub fn finding_text(model: &Model, lib: &Library, f: &Finding) -> String {
    let v = finding_view(model, lib, f);
    let mut s = format!(
        "**{}** `{}`: {} ({} severity, {} risk)",
        v.title,
        f.id,
        v.status.as_str(),
        v.severity.as_str(),
        v.risk.level.as_str()
    );
    let _ = write!(s, "\n\n{}", v.description);
    let closes = closed_by(lib, f);
    if !closes.is_empty() {
        let _ = write!(s, "\n\nClosed by setting: `{}`", closes.join("`, `"));
    }
    let _ = write!(s, "\n\nMitigation: {}", v.mitigation);
    if let Some(j) = v.justification {
        let _ = write!(s, "\n\nDecision: {j}");
    }
    s
}

pub fn question_text(model: &Model, lib: &Library, q: &Question) -> String {
    let v = question_view(model, lib, q);
    format!(
        "**Question** `{}` ({} at stake)\n\n{}\n\nThe answer decides: {}",
        v.id,
        v.severity.as_str(),
        v.ask,
        v.would_raise.join(", ")
    )
}
