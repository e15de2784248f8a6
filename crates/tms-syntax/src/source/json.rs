//! A small JSON reader that keeps positions (serde_json does not expose them).
//!
//! Strict RFC 8259: no comments, no trailing commas. Nesting is bounded so that a
//! hostile file cannot exhaust the stack.

use std::borrow::Cow;

use super::node::{Key, Node, NodeKind, Pos};
use super::{SyntaxError, MAX_DEPTH};

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        line_start: 0,
        col_cache: std::cell::Cell::new((0, 1)),
    };
    p.skip_ws();
    if p.i >= p.bytes.len() {
        return Err(p.error("the file holds no JSON value"));
    }
    let node = p.value(0)?;
    p.skip_ws();
    if p.i < p.bytes.len() {
        return Err(p.error("unexpected content after the JSON value"));
    }
    Ok(node)
}

/// A place in the file whose column is worked out only if it is needed.
#[derive(Clone, Copy)]
struct Mark {
    i: usize,
    line: u32,
    line_start: usize,
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
    /// The last position computed, so columns on long lines cost O(distance moved).
    col_cache: std::cell::Cell<(usize, usize)>,
}

impl<'a> Parser<'a> {
    fn pos(&self) -> Pos {
        // Columns count characters, not bytes, so editors land on the right spot.
        let (at, col) = self.col_cache.get();
        let (from, base) = if at >= self.line_start && at <= self.i {
            (at, col)
        } else {
            (self.line_start, 1)
        };
        let col = base + self.text[from..self.i].chars().count();
        self.col_cache.set((self.i, col));
        Pos::new(self.line, col as u32)
    }

    /// Where the parser is, without working out the column: a comma's place
    /// is only needed when it turns out to be a trailing one, and commas are
    /// a third of a large file's tokens.
    fn mark(&self) -> Mark {
        Mark {
            i: self.i,
            line: self.line,
            line_start: self.line_start,
        }
    }

    fn pos_of(&self, m: Mark) -> Pos {
        let col = 1 + self.text[m.line_start..m.i].chars().count();
        Pos::new(m.line, col as u32)
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError::new(self.pos(), message)
    }

    /// "expected X, found Y", recognising the usual non-JSON found where a value
    /// or key belongs (comments, single quotes, bare words) to say how to fix it.
    fn unexpected(&self, expected: &str) -> SyntaxError {
        let rest = &self.bytes[self.i..];
        if rest.starts_with(b"//") || rest.starts_with(b"/*") || rest.starts_with(b"#") {
            return self.error("comments are not allowed in JSON").with_hint(
                "remove the comment, or write the model in YAML, where `#` starts a comment",
            );
        }
        let e = self.error(format!(
            "expected {expected}, found {}",
            self.describe_here()
        ));
        match rest.first() {
            Some(b'{' | b'[' | b'"' | b'0'..=b'9' | b'-' | b't' | b'f' | b'n')
                if expected.starts_with("`,`") =>
            {
                e.with_hint("a `,` is missing after the previous entry")
            }
            Some(b'\'') => e.with_hint("JSON strings and keys use double quotes: \"...\""),
            Some(c) if expected.contains("key") && (c.is_ascii_alphanumeric() || *c == b'_') => {
                e.with_hint("JSON keys are written in double quotes: \"title\": ...")
            }
            _ => e,
        }
    }

    /// A `,` directly followed by the closing bracket: JSON has no trailing commas.
    fn trailing_comma(&mut self, comma: Mark, close: u8) -> Result<(), SyntaxError> {
        self.skip_ws();
        if self.peek() == Some(close) {
            return Err(SyntaxError::new(
                self.pos_of(comma),
                format!("trailing comma before `{}`", close as char),
            )
            .with_hint("JSON allows no comma after the last entry; remove it"));
        }
        Ok(())
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.i) {
            match b {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn describe_here(&self) -> String {
        match self.text[self.i..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) => format!("`{}`", shown(c)),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!(
                "nesting deeper than {MAX_DEPTH} levels; a threat model never needs this"
            )));
        }
        let pos = self.pos();
        let kind = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => NodeKind::Str(self.string()?.into_owned()),
            Some(b't') => self.literal("true", NodeKind::Bool(true))?,
            Some(b'f') => self.literal("false", NodeKind::Bool(false))?,
            Some(b'n') => self.literal("null", NodeKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(Node::new(kind, pos))
    }

    fn literal(&mut self, word: &str, kind: NodeKind) -> Result<NodeKind, SyntaxError> {
        if self.bytes[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(kind)
        } else {
            Err(self.error(format!("expected `{word}`")))
        }
    }

    fn object(&mut self, depth: usize) -> Result<NodeKind, SyntaxError> {
        self.i += 1;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut seen: Option<std::collections::HashSet<std::sync::Arc<str>>> = None;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(NodeKind::Map(entries));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a quoted key"));
            }
            let key_pos = self.pos();
            let name = self.string()?;
            // A set past a few keys: a linear scan per key is quadratic on a
            // hostile object with a million keys.
            let duplicate = if entries.len() < 16 {
                entries.iter().any(|(k, _)| *k.name == *name)
            } else {
                let seen = seen
                    .get_or_insert_with(|| entries.iter().map(|(k, _)| k.name.clone()).collect());
                !seen.insert(std::sync::Arc::from(&*name))
            };
            if duplicate {
                return Err(SyntaxError::new(
                    key_pos,
                    format!("duplicate key `{name}` in the same object"),
                ));
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error(format!(
                    "expected `:` after the key, found {}",
                    self.describe_here()
                )));
            }
            self.i += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            entries.push((Key::new(&name, key_pos), value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.mark();
                    self.i += 1;
                    self.trailing_comma(comma, b'}')?;
                }
                Some(b'}') => {
                    self.i += 1;
                    return Ok(NodeKind::Map(entries));
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<NodeKind, SyntaxError> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(NodeKind::Seq(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.mark();
                    self.i += 1;
                    self.trailing_comma(comma, b']')?;
                }
                Some(b']') => {
                    self.i += 1;
                    return Ok(NodeKind::Seq(items));
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    /// A string's text: borrowed from the file when it holds no escape (keys
    /// then cost no allocation: `Key::new` interns them), owned otherwise.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let open = self.pos();
        self.i += 1; // opening quote
        let start = self.i;
        self.skip_unescaped();
        if self.peek() == Some(b'"') {
            self.i += 1;
            return Ok(Cow::Borrowed(&self.text[start..self.i - 1]));
        }
        let mut out = String::from(&self.text[start..self.i]);
        let unterminated = |why: &str| {
            SyntaxError::new(open, format!("unterminated string: {why}"))
                .with_hint("close it with `\"`; a line break inside a JSON string is written \\n")
        };
        loop {
            match self.peek() {
                None => return Err(unterminated("the file ends before its closing `\"`")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let at = self.pos();
                    self.i += 1;
                    self.escape(at, &mut out)?;
                    let from = self.i;
                    self.skip_unescaped();
                    out.push_str(&self.text[from..self.i]);
                }
                Some(b'\n' | b'\r') => {
                    return Err(unterminated("the line ends before its closing `\"`"))
                }
                Some(_) => {
                    return Err(self.error(
                        "control character inside a string (write it as an escape such as \\n)",
                    ))
                }
            }
        }
    }

    /// Moves past the characters a string holds as they are: up to a quote, a
    /// backslash or a control character.
    fn skip_unescaped(&mut self) {
        while let Some(&b) = self.bytes.get(self.i) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            self.i += 1;
        }
    }

    /// One escape; `at` is its backslash, where every error about it points (the
    /// character after the backslash may be several bytes long).
    fn escape(&mut self, at: Pos, out: &mut String) -> Result<(), SyntaxError> {
        let err = |m: &str| SyntaxError::new(at, m);
        let c = self
            .text
            .get(self.i..)
            .and_then(|rest| rest.chars().next())
            .ok_or_else(|| err("unterminated escape"))?;
        self.i += c.len_utf8();
        match c {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let first = self
                    .hex4()
                    .ok_or_else(|| err("invalid \\u escape: it takes four hex digits"))?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    if !self.bytes[self.i..].starts_with(b"\\u") {
                        return Err(err("lone UTF-16 surrogate in \\u escape"));
                    }
                    self.i += 2;
                    let second = self
                        .hex4()
                        .ok_or_else(|| err("invalid \\u escape: it takes four hex digits"))?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(err("invalid UTF-16 surrogate pair in \\u escape"));
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                let ch = char::from_u32(code)
                    .ok_or_else(|| err("lone UTF-16 surrogate in \\u escape"))?;
                out.push(ch);
            }
            _ => {
                return Err(err(&format!("unknown escape `\\{}` in a string", shown(c))).with_hint(
                    "write a backslash as `\\\\` (C:\\\\data); JSON's escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                ));
            }
        }
        Ok(())
    }

    /// Four hex digits (no sign, unlike `from_str_radix`), consumed only when valid.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.i..self.i + 4)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let v = digits.iter().fold(0u32, |acc, d| {
            acc * 16 + (*d as char).to_digit(16).unwrap_or(0)
        });
        self.i += 4;
        Some(v)
    }

    fn number(&mut self) -> Result<NodeKind, SyntaxError> {
        let start = self.i;
        let mut is_float = false;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i - s
        };
        if digits(self) == 0 {
            return Err(self.error("expected digits"));
        }
        if self.peek() == Some(b'.') {
            is_float = true;
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.error("expected digits after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            is_float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("expected digits in the exponent"));
            }
        }
        let lexeme = &self.text[start..self.i];
        if !is_float {
            if let Ok(i) = lexeme.parse::<i64>() {
                return Ok(NodeKind::Int(i));
            }
        }
        lexeme
            .parse::<f64>()
            .map(NodeKind::Float)
            .map_err(|_| self.error("invalid number"))
    }
}

/// A character as a message shows it: itself, or an escape when it is invisible.
fn shown(c: char) -> String {
    if c.is_control() || c.is_whitespace() || c == '\u{feff}' {
        c.escape_default().to_string()
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_at_values_and_keys() {
        let n = parse("{\n  \"a\": [1, \"x\"],\n  \"b\": true\n}").unwrap();
        let m = n.as_map().unwrap();
        assert_eq!(m[0].0.pos, Pos::new(2, 3));
        assert_eq!(m[0].1.pos, Pos::new(2, 8));
        assert_eq!(m[0].1.as_seq().unwrap()[1].pos, Pos::new(2, 12));
        assert_eq!(m[1].1.kind, NodeKind::Bool(true));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.pos, Pos::new(2, 9), "at the trailing comma");
        assert!(e.message.contains("trailing comma"), "{}", e.message);
        let e = parse("{\n  \"a\": 1,\n  b: 2}").unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 3));
        assert!(e.message.contains("quoted key"), "{}", e.message);
    }

    #[test]
    fn escapes_and_unicode() {
        let n = parse(r#""\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(n.as_str(), Some("é😀\n"));
    }

    #[test]
    fn multibyte_character_after_a_backslash_is_an_error_not_a_panic() {
        let e = parse("\"a\\\u{10854}b\"").unwrap_err();
        assert_eq!(e.pos, Pos::new(1, 3));
        assert!(e.message.contains("unknown escape"), "{}", e.message);
        let e = parse("\"\\u+041\"").unwrap_err();
        assert!(e.message.contains("four hex digits"), "{}", e.message);
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
    }
}
