//! Ids: go to definition, find references, rename across the file, and the
//! outline (document symbols).

use std::collections::HashMap;

use lsp_types::{
    DocumentSymbol, Location, Position, Range, SymbolKind, TextEdit, Uri, WorkspaceEdit,
};

use super::document::Document;
use super::index::{Item, Kind};

/// The item the id under the cursor names.
fn target(doc: &Document, p: Position) -> Option<&Item> {
    if doc.stale {
        return None;
    }
    let o = doc.index.occurrence_at(p)?;
    doc.index.definition(&o.id, o.kind)
}

pub fn definition(doc: &Document, uri: &Uri, p: Position) -> Option<Location> {
    target(doc, p).map(|i| Location::new(uri.clone(), i.id_range))
}

pub fn references(doc: &Document, uri: &Uri, p: Position, declaration: bool) -> Vec<Location> {
    let Some(item) = target(doc, p) else {
        return Vec::new();
    };
    doc.index
        .uses(&item.id, item.kind)
        .filter(|o| declaration || !o.definition)
        .map(|o| Location::new(uri.clone(), o.range))
        .collect()
}

/// The range of the id under the cursor, when it can be renamed.
pub fn prepare_rename(doc: &Document, p: Position) -> Option<Range> {
    target(doc, p)?;
    doc.index.occurrence_at(p).map(|o| o.range)
}

/// Renames an id everywhere in the file; `Err` says why it cannot be.
#[allow(clippy::mutable_key_type)] // `Uri` as the key of `changes`: see actions.rs
pub fn rename(doc: &Document, uri: &Uri, p: Position, new: &str) -> Result<WorkspaceEdit, String> {
    let item = target(doc, p).ok_or("no element, flow, boundary or data id here")?;
    if new.is_empty() {
        return Err("an id cannot be empty".into());
    }
    if let Some((i, c)) = tms_model::unsafe_id_char(new) {
        return Err(format!(
            "`{}` is not a valid id: character {} is {}; {}",
            tms_syntax::diag::escape_controls(new),
            i + 1,
            tms_syntax::diag::char_name(c),
            tms_model::ID_RULE
        ));
    }
    // Written unquoted in place of the old id, these would change the document's structure.
    if new.contains([',', '[', ']', '{', '}', '"', '\'', '\\', '#'])
        || new.starts_with(['-', '&', '!', '|', '>', '%', '?', ':'])
    {
        return Err(format!(
            "rename to an id without YAML or JSON punctuation (`{new}` would need quoting)"
        ));
    }
    if doc.index.items.iter().any(|i| i.id == new) {
        return Err(format!("`{new}` is already an id in this model"));
    }
    let edits: Vec<TextEdit> = doc
        .index
        .uses(&item.id, item.kind)
        .map(|o| TextEdit::new(o.range, new.to_string()))
        .collect();
    Ok(WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    })
}

/// Elements, flows, boundaries and data, each kind a group of the outline.
#[allow(deprecated)] // `DocumentSymbol::deprecated` has to be written out
pub fn symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let group = |kind: Kind, symbol: SymbolKind| -> Option<DocumentSymbol> {
        let children: Vec<DocumentSymbol> = doc
            .index
            .ids(kind)
            .map(|i| DocumentSymbol {
                name: i.id.clone(),
                detail: Some(if i.ty.is_empty() {
                    i.name.clone()
                } else {
                    format!("{}: {}", i.ty, i.name)
                }),
                kind: symbol,
                tags: None,
                deprecated: None,
                range: i.range,
                selection_range: i.id_range,
                children: None,
            })
            .collect();
        let first = children.first()?;
        let last = children.last()?;
        Some(DocumentSymbol {
            name: kind.section().to_string(),
            detail: Some(format!("{}", children.len())),
            kind: SymbolKind::NAMESPACE,
            tags: None,
            deprecated: None,
            range: Range::new(first.range.start, last.range.end),
            selection_range: first.selection_range,
            children: Some(children),
        })
    };
    [
        group(Kind::Element, SymbolKind::OBJECT),
        group(Kind::Flow, SymbolKind::EVENT),
        group(Kind::Boundary, SymbolKind::PACKAGE),
        group(Kind::Data, SymbolKind::CONSTANT),
    ]
    .into_iter()
    .flatten()
    .collect()
}
