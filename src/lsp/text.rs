//! Positions: tms counts lines and columns from 1 in characters, the
//! Language Server Protocol from 0 in UTF-16 code units. Every conversion is
//! total: a position past a line's end or the text's end is clamped, never a panic.

use lsp_types::{Position, Range};
use tms_syntax::source::Pos;

/// A document's text with the start of every line, for conversions.
pub struct Text<'a> {
    pub text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Text { text, starts }
    }

    /// The lines, 0-based.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line `n` (0-based) without its line break; empty past the end.
    pub fn line(&self, n: usize) -> &'a str {
        let Some(&start) = self.starts.get(n) else {
            return "";
        };
        let end = self
            .starts
            .get(n + 1)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    /// A tms position (1-based, characters) as an LSP one.
    pub fn lsp(&self, p: Pos) -> Position {
        let line = p.line.saturating_sub(1) as usize;
        let chars = p.col.saturating_sub(1) as usize;
        let units: usize = self
            .line(line)
            .chars()
            .take(chars)
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, units as u32)
    }

    /// The byte offset of an LSP position, clamped to its line and the text.
    pub fn offset(&self, p: Position) -> usize {
        let Some(&start) = self.starts.get(p.line as usize) else {
            return self.text.len();
        };
        let line = self.line(p.line as usize);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= p.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    /// The LSP position of a byte offset (clamped to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let units: usize = self
            .text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, units as u32)
    }

    /// The byte offset of a tms position.
    pub fn offset_of(&self, p: Pos) -> usize {
        self.offset(self.lsp(p))
    }

    /// The range of `len` characters of text starting at `p`, skipping an
    /// opening quote: where a value the tree holds is written.
    pub fn value_range(&self, p: Pos, len: usize) -> Range {
        let mut at = self.offset_of(p);
        if matches!(
            self.text.get(at..).and_then(|s| s.chars().next()),
            Some('"' | '\'')
        ) {
            at += 1;
        }
        let end = self
            .text
            .get(at..)
            .unwrap_or("")
            .char_indices()
            .nth(len)
            .map_or(self.text.len(), |(i, _)| at + i);
        Range::new(self.position(at), self.position(end))
    }

    /// The range of the word written at `p` (a key, an id, a value), up to
    /// the first character YAML or JSON would end it at.
    pub fn word_range_at(&self, p: Pos) -> Range {
        let mut at = self.offset_of(p);
        if matches!(
            self.text.get(at..).and_then(|s| s.chars().next()),
            Some('"' | '\'')
        ) {
            at += 1;
        }
        let rest = self.text.get(at..).unwrap_or("");
        let len = word_end(rest);
        Range::new(self.position(at), self.position(at + len))
    }

    /// The word around an LSP position and its byte range.
    pub fn word_at(&self, p: Position) -> Option<(&'a str, usize, usize)> {
        let at = self.offset(p);
        let line_start = self.starts.get(p.line as usize).copied()?;
        let before = self.text.get(line_start..at)?;
        let start = before
            .char_indices()
            .rev()
            .find(|(i, c)| is_delimiter(*c, before.get(i + c.len_utf8()..).unwrap_or("")))
            .map_or(line_start, |(i, c)| line_start + i + c.len_utf8());
        let end = at + word_end(self.text.get(at..)?);
        let word = self.text.get(start..end)?;
        (!word.is_empty()).then_some((word, start, end))
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }
}

/// Whether `c` ends a plain word in YAML or JSON; a colon only before a
/// space or the line's end (ids may hold colons).
fn is_delimiter(c: char, after: &str) -> bool {
    match c {
        ':' => after.is_empty() || after.starts_with([' ', '\t', '\r', '\n']),
        _ => c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}' | '"' | '\'' | '#'),
    }
}

/// The length in bytes of the word `s` starts with.
fn word_end(s: &str) -> usize {
    s.char_indices()
        .find(|(i, c)| is_delimiter(*c, s.get(i + c.len_utf8()..).unwrap_or("")))
        .map_or(s.len(), |(i, _)| i)
}

/// Whether `p` lies in `r` (ends included: a cursor just after a word is on it).
pub fn contains(r: &Range, p: Position) -> bool {
    r.start <= p && p <= r.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_clamp() {
        let t = Text::new("a: é😀x\nb: [c, d]\n");
        assert_eq!(t.lsp(Pos::new(1, 6)), Position::new(0, 6));
        assert_eq!(t.offset(Position::new(0, 99)), "a: é😀x".len());
        assert_eq!(t.offset(Position::new(9, 0)), t.text.len());
        let (w, _, _) = t.word_at(Position::new(1, 5)).unwrap_or(("", 0, 0));
        assert_eq!(w, "c");
        let s = t.offset(Position::new(1, 0));
        assert_eq!(t.word_range_at(Pos::new(2, 1)), t.range(s, s + 1));
    }
}
