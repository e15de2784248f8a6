//! A format-neutral document tree that remembers where every value came from.
//!
//! Both YAML and JSON are read into this tree first; the model loader then walks it
//! and reports every problem with its position, instead of stopping at the first
//! one as a serde derive would.

use std::fmt;
use std::sync::Arc;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A map key and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Interned: a model repeats the same few dozen keys hundreds of thousands of times.
    pub name: Arc<str>,
    pub pos: Pos,
}

impl Key {
    pub fn new(name: &str, pos: Pos) -> Self {
        Key {
            name: intern(name),
            pos,
        }
    }
}

/// Interns short keys per thread; past a bound (a hostile file with millions of
/// distinct keys) it stops caching and just allocates.
fn intern(name: &str) -> Arc<str> {
    const MAX_INTERNED: usize = 4096;
    thread_local! {
        static KEYS: std::cell::RefCell<crate::fxhash::FxHashMap<Box<str>, Arc<str>>> = Default::default();
    }
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        if let Some(a) = k.get(name) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(name);
        if k.len() < MAX_INTERNED && name.len() <= 64 {
            k.insert(Box::from(name), a.clone());
        }
        a
    })
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries keep their order of appearance.
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub pos: Pos,
}

impl Node {
    pub fn new(kind: NodeKind, pos: Pos) -> Self {
        Node { kind, pos }
    }

    /// What the node is, in the words an error message uses.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| &*k.name == key)
            .map(|(_, v)| v)
    }

    /// The string under `key` when this node is a mapping and that value is a string.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// Plain JSON, for the parts of a model that are free-form (user `properties`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            NodeKind::Null => J::Null,
            NodeKind::Bool(b) => J::Bool(*b),
            NodeKind::Int(i) => J::from(*i),
            NodeKind::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            NodeKind::Str(s) => J::String(s.clone()),
            NodeKind::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}
