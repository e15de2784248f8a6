//! YAML into the positioned tree straight from granit-parser's events.
//!
//! serde-saphyr's `Spanned` path records every key's events, fingerprints them
//! and replays them through serde: on a 40 MB model that costs more than the
//! parse itself. This reader builds `Node`s as the events arrive, with an
//! explicit stack (no recursion) and its own budgets.
//!
//! It reads what models are made of: block and flow mappings and sequences,
//! scalars resolved exactly as serde-saphyr resolves them for an untyped value
//! (YAML 1.2 core schema, strict booleans), anchors and aliases. Anything else
//! makes it step aside (`None`): a syntax error, a tag, a merge key (`<<`), a
//! duplicate or non-scalar key, a non-finite number, a second document, a root
//! that is neither a mapping nor a list, or a budget reached (each at or below
//! serde-saphyr's limit). The caller then reads the text through serde-saphyr,
//! so every error message, position and limit is the one users had before,
//! and only well-formed, ordinary files take this path.

use std::borrow::Cow;

use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, Span};

use super::node::{Key, Node, NodeKind, Pos};
use super::MAX_DEPTH;

/// The fast path's own limits. Each sits at or below the limit the exact path
/// enforces, counted so that the fast path's count is never below the exact
/// path's (aliases expanded, where serde-saphyr counts raw events), so a file
/// at a limit is always judged by the exact path and gets its message.
mod budget {
    /// Nesting, counting the depth an alias brings with it.
    pub const DEPTH: usize = super::MAX_DEPTH / 2;
    /// Nodes in the tree, aliases expanded (serde-saphyr allows 50 million, as
    /// configured in `yaml::parse`).
    pub const NODES: usize = 25_000_000;
    /// Nodes copied in by aliases (serde-saphyr replays at most a million events).
    pub const EXPANDED: usize = 250_000;
    /// Scalar bytes, aliases expanded (serde-saphyr: 64 MiB of raw scalars).
    /// The full limit, not half: a 100,000-element model holds over 32 MiB.
    pub const SCALAR_BYTES: usize = 64 << 20;
    /// Anchors and aliases (serde-saphyr: 50,000 each).
    pub const ANCHORS: usize = 25_000;
    /// Events and bytes kept inside anchored nodes (serde-saphyr records them
    /// for replay: a million events, 64 MiB).
    pub const RECORDED_EVENTS: usize = 500_000;
    pub const RECORDED_BYTES: usize = 32 << 20;
    /// serde-saphyr refuses more than ten aliases per anchor once there are a
    /// hundred aliases; past that, the exact path decides.
    pub const ALIASES_BEFORE_RATIO: usize = 100;
    pub const ALIASES_PER_ANCHOR: usize = 10;
}

/// The tree of a well-formed, ordinary YAML text; `None` sends the text to the
/// exact path (see the module comment).
pub fn read(text: &str) -> Option<Node> {
    let mut parser = Parser::new_from_str_with_options(text, parser_options());
    let mut b = Builder::default();
    let root = loop {
        let (event, span) = parser.next()?.ok()?;
        if let Some(root) = b.event(event, span)? {
            break root;
        }
    };
    // One document only; whatever follows (a second document, trailing
    // content, an error) is the exact path's to explain.
    for event in parser {
        match event.ok()?.0 {
            Event::DocumentEnd | Event::StreamEnd => {}
            _ => return None,
        }
    }
    Some(root)
}

/// The parser options serde-saphyr derives from the budget `yaml::parse` sets:
/// the same scanner limits, so both paths accept the same texts.
fn parser_options() -> Options {
    let mut o = Options::default();
    o.flow_nesting_limit = MAX_DEPTH;
    o.block_nesting_limit = o.block_nesting_limit.max(MAX_DEPTH + 1);
    o.set_emit_comments(false);
    o
}

/// What a finished node brings to the budgets when an alias copies it.
#[derive(Clone, Copy, Default)]
struct Weight {
    nodes: usize,
    bytes: usize,
    height: usize,
}

impl Weight {
    fn add(&mut self, w: Weight) {
        self.nodes += w.nodes;
        self.bytes += w.bytes;
        self.height = self.height.max(w.height + 1);
    }
}

enum Items {
    Seq(Vec<Node>),
    /// The key read and waiting for its value sits beside the entries.
    Map(Vec<(Key, Node)>, Option<Key>),
}

struct Frame {
    items: Items,
    pos: Pos,
    /// The anchor this collection defines, 0 for none (granit's convention).
    anchor: usize,
    weight: Weight,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Finished anchored nodes by granit's anchor id; an alias copies one.
    anchors: crate::fxhash::FxHashMap<usize, (Node, Weight)>,
    /// Anchored collections still open: their events are what serde-saphyr records.
    open_anchors: usize,
    nodes: usize,
    bytes: usize,
    expanded: usize,
    aliases: usize,
    recorded_events: usize,
    recorded_bytes: usize,
}

impl Builder {
    /// Takes one event; `Some(Some(root))` once the root is complete,
    /// `Some(None)` to go on, `None` to step aside.
    fn event(&mut self, event: Event<'_>, span: Span) -> Option<Option<Node>> {
        let pos = pos_of(&span);
        self.record(&event)?;
        let done = match event {
            Event::StreamStart | Event::DocumentStart(..) => return Some(None),
            Event::Scalar(value, style, anchor, tag) => {
                if tag.is_some() {
                    return None;
                }
                if self.expects_key() {
                    return self.key(&value, style, pos).map(|()| None);
                }
                self.count(1, value.len())?;
                let w = Weight {
                    nodes: 1,
                    bytes: value.len(),
                    height: 0,
                };
                let kind = match resolve(&value, style)? {
                    Some(kind) => kind,
                    None => NodeKind::Str(value.into_owned()),
                };
                let node = Node::new(kind, pos);
                self.anchor(anchor, &node, w)?;
                (node, w)
            }
            Event::SequenceStart(_, anchor, tag) => {
                return self.open(false, anchor, tag.is_some(), pos).map(|()| None);
            }
            Event::MappingStart(_, anchor, tag) => {
                return self.open(true, anchor, tag.is_some(), pos).map(|()| None);
            }
            Event::SequenceEnd | Event::MappingEnd => self.close()?,
            Event::Alias(id) => self.alias(id, pos)?,
            _ => return None,
        };
        self.place(done.0, done.1)
    }

    /// Counts what serde-saphyr's budget counts on raw events, and what it
    /// records for replay inside anchored nodes.
    fn record(&mut self, event: &Event<'_>) -> Option<()> {
        let bytes = match event {
            Event::Scalar(v, ..) => v.len(),
            _ => 0,
        };
        if self.open_anchors > 0 {
            self.recorded_events += self.open_anchors;
            self.recorded_bytes += bytes * self.open_anchors;
            if self.recorded_events > budget::RECORDED_EVENTS
                || self.recorded_bytes > budget::RECORDED_BYTES
            {
                return None;
            }
        }
        Some(())
    }

    /// Counts nodes and scalar bytes once, where they come into being: a
    /// scalar, a collection's start, a key, or all that an alias copies in.
    fn count(&mut self, nodes: usize, bytes: usize) -> Option<()> {
        self.nodes += nodes;
        self.bytes += bytes;
        (self.nodes <= budget::NODES && self.bytes <= budget::SCALAR_BYTES).then_some(())
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                items: Items::Map(_, None),
                ..
            })
        )
    }

    fn open(&mut self, is_map: bool, anchor: usize, tagged: bool, pos: Pos) -> Option<()> {
        // A tag, or a list or mapping used as a key: the exact path explains.
        if tagged || self.expects_key() || self.stack.len() + 1 > budget::DEPTH {
            return None;
        }
        self.count(1, 0)?;
        if anchor != 0 {
            self.open_anchors += 1;
        }
        let items = if is_map {
            Items::Map(Vec::new(), None)
        } else {
            Items::Seq(Vec::new())
        };
        self.stack.push(Frame {
            items,
            pos,
            anchor,
            weight: Weight {
                nodes: 1,
                ..Weight::default()
            },
        });
        Some(())
    }

    fn close(&mut self) -> Option<(Node, Weight)> {
        let frame = self.stack.pop()?;
        let kind = match frame.items {
            Items::Seq(items) => NodeKind::Seq(items),
            Items::Map(entries, None) => NodeKind::Map(entries),
            // A key without its value: not a stream granit produces.
            Items::Map(_, Some(_)) => return None,
        };
        let node = Node::new(kind, frame.pos);
        if frame.anchor != 0 {
            self.open_anchors -= 1;
            self.anchor(frame.anchor, &node, frame.weight)?;
        }
        Some((node, frame.weight))
    }

    fn anchor(&mut self, id: usize, node: &Node, w: Weight) -> Option<()> {
        if id == 0 {
            return Some(());
        }
        if self.anchors.len() >= budget::ANCHORS {
            return None;
        }
        self.anchors.insert(id, (node.clone(), w));
        Some(())
    }

    /// A copy of the anchored node, every part of it placed where the alias
    /// stands, as serde-saphyr places replayed events: a problem inside a
    /// copy is reported where the copy is used.
    fn alias(&mut self, id: usize, pos: Pos) -> Option<(Node, Weight)> {
        self.aliases += 1;
        if self.aliases > budget::ANCHORS
            || (self.aliases >= budget::ALIASES_BEFORE_RATIO
                && self.aliases > budget::ALIASES_PER_ANCHOR * self.anchors.len())
        {
            return None;
        }
        // An alias as a key, or to an anchor still open (a recursive alias).
        if self.expects_key() {
            return None;
        }
        let w = self.anchors.get(&id)?.1;
        self.count(w.nodes, w.bytes)?;
        self.expanded += w.nodes;
        if self.expanded > budget::EXPANDED || self.stack.len() + w.height + 1 > budget::DEPTH {
            return None;
        }
        let mut node = self.anchors.get(&id)?.0.clone();
        relocate(&mut node, pos);
        Some((node, w))
    }

    /// Hands a finished node to its parent (`Some(None)`), or returns the root
    /// (`Some(Some(root))`).
    fn place(&mut self, node: Node, w: Weight) -> Option<Option<Node>> {
        let Some(parent) = self.stack.last_mut() else {
            // The root: only a mapping or a list is a model-shaped document; a
            // scalar root (`null`, a stray word) gets the exact path's wording.
            return match node.kind {
                NodeKind::Map(_) | NodeKind::Seq(_) => Some(Some(node)),
                _ => None,
            };
        };
        parent.weight.add(w);
        match &mut parent.items {
            Items::Seq(items) => items.push(node),
            Items::Map(entries, key) => {
                if let Some(k) = key.take() {
                    entries.push((k, node));
                }
            }
        }
        Some(None)
    }

    /// A mapping key: any scalar, kept as text (`1: x` names the key `1`).
    fn key(&mut self, value: &str, style: ScalarStyle, pos: Pos) -> Option<()> {
        let name = key_name(value, style)?;
        // `<<` merges another mapping in: the exact path does that.
        if name == "<<" {
            return None;
        }
        // A key is a node to serde-saphyr's budget too.
        self.count(1, value.len())?;
        let Some(Frame {
            items: Items::Map(entries, key),
            weight,
            ..
        }) = self.stack.last_mut()
        else {
            return None;
        };
        // A duplicate is an error with serde-saphyr's wording. A linear scan:
        // model mappings hold a few dozen keys; past 4,096 keys in one mapping
        // (never a model's) the exact path reads it, so the scan stays bounded.
        if entries.len() > 4096 || entries.iter().any(|(k, _)| *k.name == *name) {
            return None;
        }
        weight.bytes += value.len();
        *key = Some(Key::new(&name, pos));
        Some(())
    }
}

/// Puts a node, its keys and everything under it at `pos`; an explicit stack,
/// as copies are bounded in size but not in shape.
fn relocate(node: &mut Node, pos: Pos) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        n.pos = pos;
        match &mut n.kind {
            NodeKind::Seq(items) => todo.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    k.pos = pos;
                    todo.push(v);
                }
            }
            _ => {}
        }
    }
}

/// How serde-saphyr names a key it reads as any value (see `YKey` in
/// yaml.rs); text keys, nearly all of them, are borrowed, not copied.
fn key_name(value: &str, style: ScalarStyle) -> Option<Cow<'_, str>> {
    Some(Cow::Owned(match resolve(value, style)? {
        None => return Some(Cow::Borrowed(value)),
        Some(NodeKind::Int(i)) => i.to_string(),
        Some(NodeKind::Float(f)) => f.to_string(),
        Some(NodeKind::Bool(b)) => b.to_string(),
        Some(NodeKind::Null) => "null".to_string(),
        Some(NodeKind::Str(_) | NodeKind::Seq(_) | NodeKind::Map(_)) => return None,
    }))
}

fn pos_of(span: &Span) -> Pos {
    Pos::new(
        u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    )
}

/// An untagged scalar's value, as serde-saphyr's `deserialize_any` resolves it
/// with `strict_booleans`: quoted and block scalars are text; a plain one is
/// null, a boolean, an integer (decimal, `0x`, `0o`, `0b`, underscores between
/// digits), a float, or text. `Some(None)` for text (the caller owns or
/// borrows it), `None` for a non-finite number, which the exact path refuses.
fn resolve(value: &str, style: ScalarStyle) -> Option<Option<NodeKind>> {
    if style != ScalarStyle::Plain {
        return Some(None);
    }
    if matches!(value, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Some(NodeKind::Null));
    }
    let t = value.trim_matches([' ', '\t', '\r', '\n']);
    match t {
        "true" | "True" | "TRUE" => return Some(Some(NodeKind::Bool(true))),
        "false" | "False" | "FALSE" => return Some(Some(NodeKind::Bool(false))),
        _ => {}
    }
    // Most scalars are words: no number starts with a letter (Rust's float
    // parser reads `inf` and `nan`, which stay text below anyway).
    if !t
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
    {
        return Some(None);
    }
    number(t)
}

/// A plain scalar that starts like a number: `Some(Some(n))` a number,
/// `Some(None)` text after all, `None` a non-finite number.
fn number(t: &str) -> Option<Option<NodeKind>> {
    if t.starts_with('-') {
        if !leading_zero_decimal(t) {
            if let Some(v) = int_signed(t).and_then(|v| i64::try_from(v).ok()) {
                return Some(Some(NodeKind::Int(v)));
            }
        }
    } else if let Some(v) = int_unsigned(t).and_then(|v| u64::try_from(v).ok()) {
        // serde-saphyr hands a u64 over; above i64 it becomes a float.
        return Some(Some(
            i64::try_from(v).map_or(NodeKind::Float(v as f64), NodeKind::Int),
        ));
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(Some(NodeKind::Float(v))),
        // `1e999`: a number too large, refused by the exact path.
        Ok(v) if v.is_infinite() && unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
            None
        }
        _ => Some(None),
    }
}

/// `0127`, `-0127`: a decimal with a redundant leading zero.
fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The radix a prefix gives (`0x`, `0o`, `0b`) and the digits after it.
fn radix_and_digits(rest: &str) -> (u32, &str) {
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            return (radix, r);
        }
    }
    (10, rest)
}

fn int_unsigned(t: &str) -> Option<u128> {
    if t.starts_with('-') {
        return None;
    }
    let rest = t.strip_prefix('+').unwrap_or(t);
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    digits_value(digits, radix)
}

fn int_signed(t: &str) -> Option<i128> {
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let mag = digits_value(digits, radix)?;
    if !neg {
        return i128::try_from(mag).ok();
    }
    if mag == i128::MAX as u128 + 1 {
        return Some(i128::MIN);
    }
    i128::try_from(mag).ok()?.checked_neg()
}

/// Digits in `radix`, with single underscores allowed between digits.
fn digits_value(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut val: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let prev_ok = i > 0 && bytes[i - 1] != b'_';
            let next_ok = bytes.get(i + 1).is_some_and(|n| *n != b'_');
            if !prev_ok || !next_ok {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(16).filter(|d| *d < radix)?;
        val = val
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(val)
}

#[cfg(test)]
mod tests {
    use super::super::yaml::parse_exact;
    use super::*;

    /// The fast path either steps aside or gives exactly the exact path's tree.
    fn agrees(text: &str) -> bool {
        match read(text) {
            Some(fast) => {
                assert_eq!(Ok(&fast), parse_exact(text).as_ref(), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn scalars_resolve_as_serde_saphyr_resolves_them() {
        let values = [
            "x",
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "0",
            "-0",
            "+0",
            "7",
            "+7",
            "-7",
            "007",
            "-007",
            "+007",
            "00",
            "0.5",
            ".5",
            "-.5",
            "5.",
            "1e3",
            "1E-3",
            "-1.5e3",
            "1_000",
            "1__0",
            "_1",
            "1_",
            "0x1F",
            "0X1f",
            "-0x10",
            "0o17",
            "0b101",
            "0x_1",
            "0x",
            "0b2",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999999999999999999999",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "infinity",
            ".inf",
            "-.Inf",
            ".nan",
            "1e999",
            "-1e999",
            "+",
            "-",
            ".",
            "+.",
            "1.2.3",
            "1,5",
            "12:30",
            "2024-01-01",
            "\"1\"",
            "'true'",
            "\"\"",
            "''",
            "é",
            "- a",
            "[a, 1]",
            "{a: 1}",
            "|\n  text\n",
            ">-\n  folded\n  text\n",
        ];
        let mut fast = 0;
        for v in values {
            for text in [
                format!("a: {v}\n"),
                format!("{v}: a\n"),
                format!("- {v}\n"),
                format!("[{v}]\n"),
            ] {
                fast += usize::from(agrees(&text));
            }
        }
        assert!(fast > 250, "only {fast} took the fast path");
    }

    #[test]
    fn positions_of_collections_aliases_and_flow_match() {
        for text in [
            "title: x\nelements:\n  - id: a\n    type: actor\n  -\n    id: b\n",
            "---\na:\n  b:\n    c: [1, {d: e}, [f]]\n...\n",
            "a: &x {b: 1, c: [2, 3]}\nd: *x\ne: [*x, *x]\n",
            "a: &s text\nb: *s\nc: &m\n  k: v\nd: *m\n",
            "a: &x [1]\nb: &y [*x, *x]\nc: *y\n",
            "? a\n: b\n? c\n",
            "a:\n- 1\n- 2\nb: {}\nc: []\n",
            "- {a: 1}\n- [b]\n- c\n",
            "a: \"multi\n  line\"\nb: 'it''s'\nc: plain\n  continued\n",
            "\u{feff}a: 1\n",
            "a: 1 # comment\n# only a comment\nb: 2\n",
            "{\"a\": 1, \"b\": [true, null]}",
        ] {
            assert!(agrees(text), "{text:?} stepped aside");
        }
    }

    #[test]
    fn the_unusual_goes_to_the_exact_path() {
        for text in [
            "a: !x b\n",
            "a: !!str 1\n",
            "a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n",
            "a: 1\na: 2\n",
            "[a]: 1\n",
            "a: .inf\n",
            "a: 1\n---\nb: 2\n",
            "just a word\n",
            "null\n",
            "",
            "# nothing\n",
            "a: [1, 2\n",
            "a: *nowhere\n",
            "a: &a [*a]\n",
            &format!("a: {}{}", "[".repeat(40), "]".repeat(40)),
        ] {
            assert!(read(text).is_none(), "{text:?} took the fast path");
        }
    }

    /// Nodes and bytes are counted once each, not again for every collection
    /// that holds them: counted per level, a 40 MB model passed the 64 MiB
    /// budget and fell back after being read.
    #[test]
    fn budgets_count_each_node_once() {
        let text = "a:\n  b: [1, 2]\n  c: x\nd: &k [y]\ne: *k\n";
        let mut b = Builder::default();
        let mut root = None;
        for event in Parser::new_from_str_with_options(text, parser_options()) {
            let (event, span) = event.expect("valid YAML");
            if let Some(r) = b.event(event, span).expect("the fast path reads it") {
                root = Some(r);
                break;
            }
        }
        assert!(root.is_some());
        // Containers 5 (root, a, b, d, e's copy), key and value scalars 10
        // (a, b, 1, 2, c, x, d, y, e, and y again in the copy).
        assert_eq!((b.nodes, b.bytes), (15, 10));
    }

    #[test]
    fn alias_bombs_step_aside_before_expanding() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(read(&s).is_none());
    }

    /// Every YAML file in the repository (models, rules, fixtures, CI files).
    #[test]
    fn every_yaml_file_in_the_repository_agrees() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut dirs = vec![root];
        let (mut files, mut fast) = (0, 0);
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if p.is_dir() {
                    if !matches!(name.as_str(), "target" | "node_modules" | ".git" | "fuzz") {
                        dirs.push(p);
                    }
                } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                    let Ok(text) = std::fs::read_to_string(&p) else {
                        continue;
                    };
                    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                    files += 1;
                    fast += usize::from(agrees(text));
                }
            }
        }
        assert!(
            files > 50 && fast * 10 > files * 8,
            "{fast} of {files} fast"
        );
    }

    /// Texts pieced together from YAML's awkward parts, as the loader's property
    /// test does: whatever the fast path accepts, it reads as the exact path does.
    #[test]
    fn pieced_texts_agree() {
        let parts = [
            "a",
            "b: ",
            "- ",
            "\n",
            "  ",
            ": ",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "\"",
            "'",
            "#",
            "&a ",
            "*a",
            "? ",
            "|\n",
            ">-\n",
            "1",
            "-1.5e3",
            "0x1F",
            "true",
            "null",
            "~",
            "yes",
            "é",
            "\r\n",
            "\t",
            "id: x\n",
            "  - id: y\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = (next() % 24) as usize;
            let text: String = (0..n)
                .map(|_| parts[(next() % parts.len() as u64) as usize])
                .collect();
            agrees(&text);
        }
    }
}
