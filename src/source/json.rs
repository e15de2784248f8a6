//! A small JSON reader that keeps positions (serde_json does not expose them).
//!
//! Strict RFC 8259: no comments, no trailing commas. Nesting is bounded so that a
//! hostile file cannot exhaust the stack.

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

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
    /// The last position computed, so columns on long lines cost O(distance moved).
    col_cache: std::cell::Cell<(usize, usize)>,
}

impl Parser<'_> {
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

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos: self.pos(),
            message: message.into(),
        }
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
            Some(c) => format!("`{}`", c.escape_default()),
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
            Some(b'"') => NodeKind::Str(self.string()?),
            Some(b't') => self.literal("true", NodeKind::Bool(true))?,
            Some(b'f') => self.literal("false", NodeKind::Bool(false))?,
            Some(b'n') => self.literal("null", NodeKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => {
                return Err(self.error(format!(
                    "expected a JSON value, found {}",
                    self.describe_here()
                )))
            }
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
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(NodeKind::Map(entries));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error(format!(
                    "expected a quoted key, found {}",
                    self.describe_here()
                )));
            }
            let key_pos = self.pos();
            let name = self.string()?;
            if entries.iter().any(|(k, _)| *k.name == *name) {
                return Err(SyntaxError {
                    pos: key_pos,
                    message: format!("duplicate key `{name}` in the same object"),
                });
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
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(NodeKind::Map(entries));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `}}`, found {}",
                        self.describe_here()
                    )))
                }
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
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(NodeKind::Seq(items));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `]`, found {}",
                        self.describe_here()
                    )))
                }
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.bytes.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(self.error(
                        "control character inside a string (write it as an escape such as \\n)",
                    ))
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let c = self
            .peek()
            .ok_or_else(|| self.error("unterminated escape"))?;
        self.i += 1;
        match c {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    if !self.bytes[self.i..].starts_with(b"\\u") {
                        return Err(self.error("lone UTF-16 surrogate in \\u escape"));
                    }
                    self.i += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error("invalid UTF-16 surrogate pair in \\u escape"));
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                let ch = char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))?;
                out.push(ch);
            }
            _ => return Err(self.error("unknown escape sequence")),
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
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
        assert_eq!(e.pos, Pos::new(3, 1));
        assert!(e.message.contains("quoted key"), "{}", e.message);
    }

    #[test]
    fn escapes_and_unicode() {
        let n = parse(r#""\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(n.as_str(), Some("é😀\n"));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
    }
}
