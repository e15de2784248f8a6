//! Completion: keys valid where the cursor is (an element's by its type),
//! enum values, ids where an id is expected, roles after `role:`, finding ids
//! in triage.

use lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind, Position,
};

use super::context::{self, Context};
use super::document::Document;
use super::index::Kind;
use super::keys::keys;
use tms_model::{
    attrs, AttrType, Classification, DatastoreType, ElementKind, Lifetime, Severity, Status,
    TlsVersion,
};

pub fn complete(doc: &Document, p: Position) -> Vec<CompletionItem> {
    let text = doc.text();
    let line_start = text.offset(Position::new(p.line, 0));
    let col = text.offset(p).saturating_sub(line_start);
    let cx = context::at(&text, p.line as usize, col);
    let items = if cx.at_key {
        key_items(&cx)
    } else {
        value_items(doc, &cx)
    };
    items
        .into_iter()
        .filter(|i| {
            i.label
                .to_ascii_lowercase()
                .starts_with(&cx.prefix.to_ascii_lowercase())
        })
        .collect()
}

fn key_items(cx: &Context) -> Vec<CompletionItem> {
    keys(&cx.section, &cx.ty)
        .into_iter()
        .filter(|k| !cx.present.iter().any(|p| p == k.name))
        .map(|k| CompletionItem {
            label: k.name.to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(if k.default.is_empty() {
                k.ty.to_string()
            } else {
                format!("{} = {}", k.ty, k.default)
            }),
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: k.doc,
            })),
            insert_text: Some(format!("{}: ", k.name)),
            ..CompletionItem::default()
        })
        .collect()
}

fn value(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        ..CompletionItem::default()
    }
}

fn words(list: impl IntoIterator<Item = &'static str>) -> Vec<CompletionItem> {
    list.into_iter()
        .map(|w| value(w, CompletionItemKind::ENUM_MEMBER, ""))
        .collect()
}

fn ids(doc: &Document, kind: Kind) -> Vec<CompletionItem> {
    doc.index
        .ids(kind)
        .map(|i| {
            let detail = if i.ty.is_empty() {
                format!("{}: {}", kind.noun(), i.name)
            } else {
                format!("{} {}: {}", i.ty, kind.noun(), i.name)
            };
            value(&i.id, CompletionItemKind::REFERENCE, &detail)
        })
        .collect()
}

fn value_items(doc: &Document, cx: &Context) -> Vec<CompletionItem> {
    match (cx.section.as_str(), cx.key.as_str()) {
        ("elements", "type") => words(ElementKind::ALL.iter().map(|k| k.as_str())),
        ("elements", "role") => roles(&cx.ty),
        ("elements", "boundary") | ("boundaries", "parent") => ids(doc, Kind::Boundary),
        ("elements" | "flows", "data") => ids(doc, Kind::Data),
        ("flows", "from" | "to") => ids(doc, Kind::Element),
        ("flows", "responseTo") => ids(doc, Kind::Flow),
        ("triage", "finding") => findings(doc),
        ("triage", "status") => words(Status::ALL.iter().map(|s| s.as_str())),
        ("triage", "severity") => words(Severity::ALL.iter().map(|s| s.as_str())),
        ("data", "classification") => words(Classification::ALL.iter().map(|s| s.as_str())),
        ("data", "credentialsLife") => words(Lifetime::ALL.iter().map(|s| s.as_str())),
        ("data" | "boundaries", k) if k.starts_with("is") || k == "inScope" => {
            words(["true", "false"])
        }
        ("elements" | "flows", k) => attribute_values(k),
        _ => Vec::new(),
    }
}

fn attribute_values(name: &str) -> Vec<CompletionItem> {
    let Some(id) = attrs::lookup(name) else {
        return Vec::new();
    };
    match id.def().ty {
        AttrType::Bool => words(["true", "false"]),
        AttrType::Classification => words(Classification::ALL.iter().map(|s| s.as_str())),
        AttrType::TlsVersion => words(TlsVersion::ALL.iter().map(|s| s.as_str())),
        AttrType::DatastoreType => words(DatastoreType::ALL.iter().map(|s| s.as_str())),
        _ => Vec::new(),
    }
}

/// The roles that fit the element's type (all of them when it has none yet).
fn roles(ty: &str) -> Vec<CompletionItem> {
    let kind = ElementKind::parse(ty);
    tms_model::roles::ROLES
        .roles
        .iter()
        .filter(|r| kind.is_none_or(|k| r.types.contains_kind(k)))
        .map(|r| {
            let mut item = value(&r.id, CompletionItemKind::ENUM_MEMBER, &r.name);
            item.documentation = Some(Documentation::String(r.description.clone()));
            item
        })
        .collect()
}

/// The open findings first, then the rest, with their titles.
fn findings(doc: &Document) -> Vec<CompletionItem> {
    let Some((_, an)) = &doc.model else {
        return Vec::new();
    };
    let mut out: Vec<(bool, CompletionItem)> = an
        .findings
        .iter()
        .map(|f| {
            let mut item = value(&f.id, CompletionItemKind::VALUE, f.status.as_str());
            item.sort_text = Some(format!("{}{}", u8::from(f.status != Status::Open), f.id));
            (f.status == Status::Open, item)
        })
        .collect();
    out.sort_by_key(|(open, _)| !*open);
    out.into_iter().map(|(_, i)| i).collect()
}
