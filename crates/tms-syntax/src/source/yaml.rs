//! YAML into the positioned tree.
//!
//! Two paths give the same tree. `yaml_events` builds it straight from
//! granit-parser's events, for well-formed, ordinary files (every model a
//! tool writes); it steps aside for anything unusual. The exact path below
//! reads through serde-saphyr's `Spanned`, which enforces its budgets
//! (aliases, nodes, depth) while it parses, turning an alias bomb into an
//! error instead of an out-of-memory kill, and words every error.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, Options, Spanned};

use super::node::{Key, Node, NodeKind, Pos};
use super::{SyntaxError, MAX_DEPTH};

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    match super::yaml_events::read(text) {
        Some(node) => Ok(node),
        None => parse_exact(text),
    }
}

/// The fast path alone: `None` where `parse` would fall back. For the fuzz
/// target, which checks that every tree it gives is the exact path's.
#[doc(hidden)]
pub fn parse_fast(text: &str) -> Option<Node> {
    super::yaml_events::read(text)
}

/// The tree through serde-saphyr: what `parse` falls back to, and what the
/// fast path is tested against (the fuzz target compares both).
#[doc(hidden)]
pub fn parse_exact(text: &str) -> Result<Node, SyntaxError> {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    // The scanner's own limit on `[`/`{` nesting, checked before the depth budget sees them.
    budget.flow_nesting_limit = MAX_DEPTH;
    // Large generated models are legitimate; the alias limits stay at their defaults.
    budget.max_nodes = 50_000_000;
    budget.max_events = 100_000_000;
    budget.max_documents = 1;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    // YAML 1.2: `yes`, `no`, `on` and `off` are text. YAML 1.1 read them as
    // booleans, which turned a Threagile asset `id: no` into "false" (and a
    // country code `NO` into a boolean); where a boolean is expected, the
    // reader says to write true or false.
    options.strict_booleans = true;
    match serde_saphyr::from_str_with_options::<Option<YNode>>(text, options) {
        Ok(Some(YNode(node))) => Ok(node),
        Ok(None) => match first_content_line(text) {
            // `null` or `~`: a document, just not a mapping; the model reader says so.
            Some(line) => Ok(Node::new(NodeKind::Null, Pos::new(line, 1))),
            None => Err(
                SyntaxError::new(Pos::new(1, 1), "the file holds only comments, no model")
                    .with_hint("start from `tms init`, which writes a small commented model"),
            ),
        },
        Err(e) => {
            let pos = e
                .location()
                .map(|l| pos_of(&l))
                .filter(|p| p.line > 0)
                .unwrap_or(Pos::new(1, 1));
            Err(explain(text, pos, &e))
        }
    }
}

/// The tags a YAML text puts on its nodes (`!secret`, `!!binary`,
/// `!!python/name:...`), with their positions, at most 100: tms gives none of
/// them a meaning, so the reader warns rather than ignore them in silence.
pub fn tags(text: &str) -> Vec<(Pos, String)> {
    use serde_saphyr::granit_parser::{Event, Parser};
    let mut out = Vec::new();
    if !may_hold_a_tag(text) {
        return out;
    }
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        let tag = match &event {
            Event::Scalar(_, _, _, t)
            | Event::SequenceStart(_, _, t)
            | Event::MappingStart(_, _, t) => t.as_ref(),
            _ => None,
        };
        if let Some(t) = tag {
            let pos = Pos::new(
                u32::try_from(span.start.line()).unwrap_or(u32::MAX),
                u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
            );
            let t = t.to_string();
            let shown = match t.strip_prefix("tag:yaml.org,2002:") {
                Some(core) => format!("!!{core}"),
                None => t,
            };
            out.push((pos, shown));
            if out.len() >= 100 {
                break;
            }
        }
    }
    out
}

/// Whether some `!` stands where a tag can start: at the start of the text,
/// after white space, or after a flow indicator (`[`, `{`, `,`, `:`). The
/// event pass above parses the whole text again, so prose such as "Don't!"
/// must not trigger it; any `!` that might be a tag still does.
fn may_hold_a_tag(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, c)| {
        *c == b'!'
            && (i == 0
                || matches!(
                    b[i - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':'
                ))
    })
}

/// The first line that is not blank, a comment or a document marker.
fn first_content_line(text: &str) -> Option<u32> {
    text.lines()
        .position(|l| {
            let t = l.trim();
            !(t.is_empty() || t.starts_with('#') || t == "---" || t == "...")
        })
        .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// Turns serde-saphyr's error into ours: its message without the position it
/// appends, budget breaches in plain words, and a hint where the real cause is
/// elsewhere (a tab in the indentation, a bracket opened lines before).
fn explain(text: &str, pos: Pos, e: &serde_saphyr::Error) -> SyntaxError {
    use serde_saphyr::Error as E;
    let mut inner = e;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = inner {
        inner = error;
    }
    match inner {
        E::Budget { breach, .. } => return budget_error(pos, breach),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => return alias_bomb(pos),
        _ => {}
    }
    let message = clean_message(&e.to_string());
    let mentions_tab = message
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w == "tab" || w == "tabs");
    if mentions_tab {
        if let Some(tab) = indentation_tab(text, pos) {
            return SyntaxError::new(
                tab,
                "a tab in the indentation; YAML indents with spaces only",
            )
            .with_hint("replace the tab with spaces");
        }
        return SyntaxError::new(pos, message)
            .with_hint("YAML does not allow tabs here; use spaces");
    }
    let err = SyntaxError::new(pos, message);
    if ["unclosed", "bracket", "nesting deeper"]
        .iter()
        .any(|w| err.message.contains(w))
    {
        return err;
    }
    if let Some((open, at)) = unclosed_flow(text, pos) {
        let close = if open == '[' { ']' } else { '}' };
        return err.with_hint(format!(
            "the `{open}` at line {}, column {} is never closed; close it with `{close}`",
            at.line, at.col
        ));
    }
    if err.message.contains("mapping values are not allowed") {
        return err.with_hint(
            "a value that holds `: ` must be quoted (`name: \"a: b\"`); otherwise check the indentation of this line",
        );
    }
    if err.message.contains("block") {
        return err.with_hint(
            "check the indentation of this line: the entries of one list or mapping start in the same column",
        );
    }
    err
}

fn budget_error(pos: Pos, breach: &BudgetBreach) -> SyntaxError {
    match breach {
        BudgetBreach::Depth { .. } => SyntaxError::new(pos, nesting_message()),
        BudgetBreach::Documents { .. } => SyntaxError::new(
            pos,
            "a second YAML document starts here; a model file holds one document",
        )
        .with_hint("remove the `---` line, or put each model in its own file"),
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. }
        | BudgetBreach::MergeKeys { .. } => alias_bomb(pos),
        other => SyntaxError::new(
            pos,
            format!(
                "the document exceeds a safety limit ({})",
                breach_name(other)
            ),
        )
        .with_hint("split the model into smaller files"),
    }
}

/// The breach's variant name (`Nodes`, `Events`, ...) in lower case words.
fn breach_name(b: &BudgetBreach) -> String {
    let debug = format!("{b:?}");
    let name = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    format!("too many {out}")
}

fn alias_bomb(pos: Pos) -> SyntaxError {
    SyntaxError::new(
        pos,
        "aliases expand beyond the safety limit (an alias bomb?)",
    )
    .with_hint(
        "a threat model needs no nested anchors and aliases (`&a`, `*a`); write the values out",
    )
}

fn nesting_message() -> String {
    format!("nesting deeper than {MAX_DEPTH} levels; a threat model never needs this")
}

/// The first tab in the leading whitespace of the error's line or the next one
/// (the parser often stops at the end of the line before the offending tab).
fn indentation_tab(text: &str, pos: Pos) -> Option<Pos> {
    let first = pos.line.max(1) as usize;
    for (i, line) in text.lines().enumerate().skip(first - 1).take(2) {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(col) = line[..indent].find('\t') {
            return Some(Pos::new(
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                u32::try_from(col + 1).unwrap_or(u32::MAX),
            ));
        }
    }
    None
}

/// The innermost flow collection (`[` or `{`) opened on a line before the error
/// at `upto`, still open there, and never closed in the rest of the file: what a
/// parse error deep inside one is really about.
///
/// A light scan, not a parser: brackets and quotes count only where a value can
/// start (after `:`, `-`, `?`, `,`, `[`, `{` or at the start of a line), a closer
/// closes the nearest opener of its kind, comments and block scalars (`|`, `>`)
/// are skipped. It only ever adds a hint.
fn unclosed_flow(text: &str, upto: Pos) -> Option<(char, Pos)> {
    let mut stack: Vec<(char, Pos)> = Vec::new();
    let mut open_at_error: Option<Vec<(char, Pos)>> = None;
    let mut quote: Option<char> = None;
    let mut block_indent: Option<usize> = None;
    for (li, line) in text.lines().enumerate() {
        let lineno = u32::try_from(li + 1).unwrap_or(u32::MAX);
        if lineno > upto.line && open_at_error.is_none() {
            open_at_error = Some(stack.clone());
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(b) = block_indent {
            if line.trim().is_empty() || indent > b {
                continue;
            }
            block_indent = None;
        }
        let mut last: Option<char> = None; // last non-blank character outside quotes
        let mut prev: Option<char> = None;
        let mut chars = line.chars().enumerate().peekable();
        while let Some((ci, c)) = chars.next() {
            let before = prev.replace(c);
            let col = u32::try_from(ci + 1).unwrap_or(u32::MAX);
            if lineno == upto.line && col == upto.col && open_at_error.is_none() {
                open_at_error = Some(stack.clone());
            }
            if let Some(q) = quote {
                if q == '"' && c == '\\' {
                    chars.next();
                } else if c == q {
                    if q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        quote = None;
                        last = Some(c);
                    }
                }
                continue;
            }
            let at_value = last.is_none_or(|l| matches!(l, ':' | '-' | '?' | ',' | '[' | '{'));
            match c {
                ' ' | '\t' => continue,
                '#' if before.is_none_or(char::is_whitespace) => break,
                '"' | '\'' if at_value => quote = Some(c),
                '[' | '{' if at_value => stack.push((c, Pos::new(lineno, col))),
                ']' | '}' => {
                    let opener = if c == ']' { '[' } else { '{' };
                    // Closes the nearest matching opener, and whatever was left open inside it.
                    if let Some(i) = stack.iter().rposition(|(o, _)| *o == opener) {
                        stack.truncate(i);
                    }
                }
                _ => {}
            }
            last = Some(c);
        }
        if quote.is_none() && stack.is_empty() {
            let body = line.split(" #").next().unwrap_or(line).trim_end();
            let head =
                body.trim_end_matches(['+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
            if (head.ends_with('|') || head.ends_with('>'))
                && (head.len() == 1 || head[..head.len() - 1].ends_with([' ', ':', '-']))
            {
                block_indent = Some(indent);
            }
        }
    }
    let open_at_error = open_at_error.unwrap_or_else(|| stack.clone());
    open_at_error
        .into_iter()
        .rev()
        .find(|b| stack.contains(b))
        .filter(|(_, at)| at.line < upto.line)
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
    if msg.contains("recursion limit") || msg.contains("nesting limit") {
        return nesting_message();
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
    fn tags_are_found_wherever_they_can_start_and_prose_skips_the_scan() {
        for text in [
            "!secret x",
            "a: !secret x",
            "a:\n  - !!binary aGk=",
            "a: [!x b]",
            "{a: {b: !x c}}",
            "{\"a\":!x b}",
            "a: [b,!x c]",
        ] {
            assert!(may_hold_a_tag(text), "{text}");
            assert_eq!(tags(text).len(), 1, "{text}");
        }
        for text in ["a: Don't!", "a: \"x!y\"", "a: b"] {
            assert!(!may_hold_a_tag(text), "{text}");
            assert!(tags(text).is_empty(), "{text}");
        }
    }

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
    fn unclosed_flow_finds_the_bracket_that_is_never_closed() {
        let text = "title: x\nelements:\n  - id: a\n    tags: [pci, public\n  - id: b\n";
        assert_eq!(
            unclosed_flow(text, Pos::new(5, 7)),
            Some(('[', Pos::new(4, 11)))
        );
        // Closed later, past an inner `{` left open: not "never closed".
        let text = "title: x\nelements: [\n  {id: a},\n  {id: b\n]\n";
        assert_eq!(unclosed_flow(text, Pos::new(4, 3)), None);
        // Brackets in block scalars, quotes, comments and plain text do not count.
        let text = "a: |\n  [x\nb: \"[y\"\nc: it's [z # {w\nd:\n - e\n  f: g\n";
        assert_eq!(unclosed_flow(text, Pos::new(7, 4)), None);
    }

    #[test]
    fn tabs_and_budgets_are_explained() {
        let e = parse("title: x\nelements:\n  - id: a\n\ttype: server\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(4, 1));
        assert!(e.message.contains("tab"), "{}", e.message);
        let e = parse("title: a\n---\ntitle: b\n").unwrap_err();
        assert!(e.message.contains("second YAML document"), "{}", e.message);
        let deep = format!("a: {}{}", "[".repeat(100), "]".repeat(100));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{}", e.message);
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("title: x\nelements: [a, b\n").unwrap_err();
        assert!(e.pos.line >= 2, "{e:?}");
    }
}
