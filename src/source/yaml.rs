//! YAML into the positioned tree, through serde-saphyr's `Spanned`.
//!
//! serde-saphyr enforces budgets (aliases, nodes, depth) while it parses, which is
//! what turns an alias bomb into an error instead of an out-of-memory kill.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, Options, Spanned};

use super::node::{Key, Node, NodeKind, Pos};
use super::{SyntaxError, MAX_DEPTH};

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    // Large generated models are legitimate; the alias limits stay at their defaults.
    budget.max_nodes = 50_000_000;
    budget.max_events = 100_000_000;
    budget.max_documents = 1;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    match serde_saphyr::from_str_with_options::<Option<YNode>>(text, options) {
        Ok(Some(YNode(node))) => Ok(node),
        Ok(None) => Err(SyntaxError {
            pos: Pos::new(1, 1),
            message: "the file holds no YAML document".into(),
        }),
        Err(e) => Err(SyntaxError {
            pos: e
                .location()
                .map(|l| pos_of(&l))
                .filter(|p| p.line > 0)
                .unwrap_or(Pos::new(1, 1)),
            message: clean_message(&e.to_string()),
        }),
    }
}

fn pos_of(l: &serde_saphyr::Location) -> Pos {
    Pos::new(
        u32::try_from(l.line()).unwrap_or(u32::MAX),
        u32::try_from(l.column()).unwrap_or(u32::MAX),
    )
}

/// serde-saphyr appends the position to its messages; we print our own.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let cut = first.find(" at line ").map_or(first, |i| &first[..i]);
    let cut = cut.split(", set DuplicateKeyPolicy").next().unwrap_or(cut);
    let msg = cut.trim_end_matches('.');
    if msg.contains("budget breached") {
        if msg.contains("Anchor") || msg.contains("Alias") {
            return format!("aliases expand beyond the safety limit (an alias bomb?) [{msg}]");
        }
        return format!("the document exceeds a safety limit [{msg}]");
    }
    if msg.contains("recursion limit") {
        return format!("nesting deeper than {MAX_DEPTH} levels; a threat model never needs this");
    }
    msg.to_string()
}

struct YNode(Node);

impl<'de> Deserialize<'de> for YNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<YKind>::deserialize(d)?;
        Ok(YNode(Node::new(s.value.0, pos_of(&s.referenced))))
    }
}

struct YKind(NodeKind);

impl<'de> Deserialize<'de> for YKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor).map(YKind)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
        Ok(i64::try_from(v).map_or(NodeKind::Float(v as f64), NodeKind::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<NodeKind, E> {
        Ok(i64::try_from(v).map_or(NodeKind::Float(v as f64), NodeKind::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<NodeKind, E> {
        Ok(i64::try_from(v).map_or(NodeKind::Float(v as f64), NodeKind::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        d.deserialize_any(KindVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(YNode(n)) = seq.next_element()? {
            items.push(n);
        }
        Ok(NodeKind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(YKey(key)) = map.next_key()? {
            let YNode(value) = map.next_value()?;
            entries.push((key, value));
        }
        Ok(NodeKind::Map(entries))
    }
}

/// Keys are read as any scalar and kept as text, so `1: x` reports a clear
/// "unknown key `1`" later instead of a parse failure.
struct YKey(Key);

impl<'de> Deserialize<'de> for YKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<YKind>::deserialize(d)?;
        let name = match s.value.0 {
            NodeKind::Str(s) => s,
            NodeKind::Int(i) => i.to_string(),
            NodeKind::Float(f) => f.to_string(),
            NodeKind::Bool(b) => b.to_string(),
            NodeKind::Null => "null".to_string(),
            NodeKind::Seq(_) | NodeKind::Map(_) => {
                return Err(de::Error::custom(
                    "a mapping key must be a plain value, not a list or mapping",
                ))
            }
        };
        Ok(YKey(Key::new(&name, pos_of(&s.referenced))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions() {
        let n = parse("title: x\nelements:\n  - id: a\n    type: actor\n").unwrap();
        let els = n.get("elements").unwrap().as_seq().unwrap();
        let first = els[0].as_map().unwrap();
        assert_eq!(first[0].0.pos, Pos::new(3, 5));
        assert_eq!(first[1].1.pos, Pos::new(4, 11));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&s).is_err());
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("title: x\nelements: [a, b\n").unwrap_err();
        assert!(e.pos.line >= 2, "{e:?}");
    }
}
