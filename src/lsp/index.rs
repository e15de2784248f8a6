//! Where ids are defined and used, read from the positioned document tree
//! (so it works on a model that parses but does not load), and where each
//! element, flow, boundary and datum is written.

use lsp_types::Range;
use tms_syntax::source::{Node, NodeKind, Pos};

use super::text::Text;

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Element,
    Flow,
    Boundary,
    Data,
}

impl Kind {
    pub fn section(self) -> &'static str {
        match self {
            Kind::Element => "elements",
            Kind::Flow => "flows",
            Kind::Boundary => "boundaries",
            Kind::Data => "data",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Kind::Element => "element",
            Kind::Flow => "flow",
            Kind::Boundary => "boundary",
            Kind::Data => "data asset",
        }
    }
}

/// One item of a section: an element, flow, boundary or datum.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: Kind,
    pub id: String,
    /// The element type (`server`, ...); empty for other kinds.
    pub ty: String,
    pub name: String,
    /// Where its `id` value is written.
    pub id_range: Range,
    /// From the item's first line to its last entry's line end.
    pub range: Range,
    /// The column (1-based) its keys start at, and whether it is a block mapping.
    pub key_col: u32,
    pub block: bool,
}

/// An id written somewhere: its definition or a reference to it.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub id: String,
    /// What the id must name; `None` for a triage entry's target (any element or flow).
    pub kind: Option<Kind>,
    pub range: Range,
    pub definition: bool,
}

#[derive(Debug, Default)]
pub struct Index {
    pub items: Vec<Item>,
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    pub fn build(root: &Node, text: &Text) -> Index {
        let mut ix = Index::default();
        for (section, kind) in [
            ("boundaries", Kind::Boundary),
            ("data", Kind::Data),
            ("elements", Kind::Element),
            ("flows", Kind::Flow),
        ] {
            for item in root.get(section).and_then(Node::as_seq).unwrap_or(&[]) {
                ix.item(item, kind, text);
            }
        }
        for entry in root.get("triage").and_then(Node::as_seq).unwrap_or(&[]) {
            ix.triage(entry, text);
        }
        ix
    }

    fn item(&mut self, node: &Node, kind: Kind, text: &Text) {
        let Some(entries) = node.as_map() else { return };
        if let Some(id_node) = node.get("id") {
            if let Some(id) = id_node.as_str() {
                let id_range = text.value_range(id_node.pos, id.chars().count());
                let last = entries
                    .iter()
                    .map(|(_, v)| last_line(v))
                    .max()
                    .unwrap_or(node.pos.line);
                let end = text.position(
                    text.offset(lsp_types::Position::new(last.saturating_sub(1), u32::MAX)),
                );
                let key_col = entries.first().map_or(node.pos.col, |(k, _)| k.pos.col);
                let start_char = text
                    .text
                    .get(text.offset_of(node.pos)..)
                    .and_then(|s| s.chars().next());
                self.items.push(Item {
                    kind,
                    id: id.to_string(),
                    ty: node.str_at("type").unwrap_or("").to_string(),
                    name: node.str_at("name").unwrap_or(id).to_string(),
                    id_range,
                    range: Range::new(text.lsp(Pos::new(node.pos.line, 1)), end),
                    key_col,
                    block: start_char != Some('{'),
                });
                self.occurrences.push(Occurrence {
                    id: id.to_string(),
                    kind: Some(kind),
                    range: id_range,
                    definition: true,
                });
            }
        }
        let refs: &[(&str, Kind)] = match kind {
            Kind::Element => &[("boundary", Kind::Boundary), ("data", Kind::Data)],
            Kind::Flow => &[
                ("from", Kind::Element),
                ("to", Kind::Element),
                ("responseTo", Kind::Flow),
                ("data", Kind::Data),
            ],
            Kind::Boundary => &[("parent", Kind::Boundary)],
            Kind::Data => &[],
        };
        for (key, want) in refs {
            let Some(v) = node.get(key) else { continue };
            let values: Vec<&Node> = match &v.kind {
                NodeKind::Seq(s) => s.iter().collect(),
                _ => vec![v],
            };
            for n in values {
                if let Some(id) = n.as_str() {
                    self.occurrences.push(Occurrence {
                        id: id.to_string(),
                        kind: Some(*want),
                        range: text.value_range(n.pos, id.chars().count()),
                        definition: false,
                    });
                }
            }
        }
    }

    /// A triage entry's `finding: RULE@TARGET` names its target.
    fn triage(&mut self, entry: &Node, text: &Text) {
        let Some(f) = entry.get("finding") else {
            return;
        };
        let Some((rule, target)) = f.as_str().and_then(|s| s.split_once('@')) else {
            return;
        };
        if target.is_empty() || target.contains('*') {
            return;
        }
        let whole = text.value_range(f.pos, rule.chars().count() + 1 + target.chars().count());
        let start = text.offset(whole.start) + rule.len() + 1;
        self.occurrences.push(Occurrence {
            id: target.to_string(),
            kind: None,
            range: text.range(start, start + target.len()),
            definition: false,
        });
    }

    /// The occurrence under the cursor.
    pub fn occurrence_at(&self, p: lsp_types::Position) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| super::text::contains(&o.range, p))
    }

    /// The item an id names (an element first: a finding's target may be either).
    pub fn definition(&self, id: &str, kind: Option<Kind>) -> Option<&Item> {
        self.items.iter().filter(|i| i.id == id).find(|i| {
            kind.is_none_or(|k| k == i.kind)
                && (kind.is_some() || matches!(i.kind, Kind::Element | Kind::Flow))
        })
    }

    /// Every occurrence of the id of this kind: its definition and its uses.
    pub fn uses<'a>(
        &'a self,
        id: &'a str,
        kind: Kind,
    ) -> impl Iterator<Item = &'a Occurrence> + 'a {
        let targetable = matches!(kind, Kind::Element | Kind::Flow);
        self.occurrences.iter().filter(move |o| {
            o.id == id && (o.kind == Some(kind) || (o.kind.is_none() && targetable))
        })
    }

    /// The ids of one kind, in file order.
    pub fn ids(&self, kind: Kind) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.kind == kind)
    }
}

/// The last line a value reaches (1-based): for a nested value, its deepest last entry.
fn last_line(n: &Node) -> u32 {
    match &n.kind {
        NodeKind::Seq(s) => s.iter().map(last_line).max().unwrap_or(n.pos.line),
        NodeKind::Map(m) => m
            .iter()
            .map(|(_, v)| last_line(v))
            .max()
            .unwrap_or(n.pos.line),
        NodeKind::Str(s) => n.pos.line + s.matches('\n').count() as u32,
        _ => n.pos.line,
    }
    .max(n.pos.line)
}
