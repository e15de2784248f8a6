//! The Markdown report (GitHub-flavoured): `templates/report/report.md.j2`,
//! with every model string escaped by `escape`.

use super::data::ReportData;
use super::template::{render_builtin, TemplateError};

pub fn render(data: &ReportData) -> Result<String, TemplateError> {
    render_builtin("report.md.j2", data)
}

/// Escapes text for an inline position in GitHub Markdown, table cells
/// included: it renders as the very characters it holds, never as markup,
/// a link, an HTML tag or a table column.
///
/// - `&`, `<`, `>` become entities, so `<script>` shows as text (GitHub would
///   drop the tag silently otherwise) and `&amp;` stays as written;
/// - Markdown's inline punctuation (emphasis, code, links, headings' `#`,
///   strikethrough, math's `$`) and `|` (table columns, which GitHub splits
///   before anything else, even in code spans) get a backslash;
/// - a line break becomes `<br>`, so one value stays on one table row;
/// - a leading list marker (`- `, `+ `, `1. `) and a value of only `-` or `=`
///   are escaped in case a template starts a line with the value, where they
///   would open a list or underline a heading.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let opens_block = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\t']);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let ordered =
        digits > 0 && s[digits..].starts_with(['.', ')']) && opens_block(&s[digits + 1..]);
    // `- x` and `+ x` open lists; a line of `-` or `=` alone underlines a heading.
    let bullet = s.starts_with(['-', '+']) && opens_block(&s[1..])
        || (!s.is_empty() && (s.bytes().all(|b| b == b'-') || s.bytes().all(|b| b == b'=')));
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {
                // CRLF is one line break.
                if chars.peek().is_some_and(|(_, n)| *n == '\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ if i == 0 && bullet => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if ordered && i == digits => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_text() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(
            escape("`x` *y* _z_ [l](u)"),
            "\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u)"
        );
        assert_eq!(escape("# h"), "\\# h");
        assert_eq!(escape("a\r\nb\nc\rd"), "a<br>b<br>c<br>d");
        assert_eq!(escape("&amp; \\"), "&amp;amp; \\\\");
        assert_eq!(escape("$x$"), "\\$x\\$");
    }

    #[test]
    fn block_openers_only_at_the_start() {
        assert_eq!(escape("- item"), "\\- item");
        assert_eq!(escape("+"), "\\+");
        assert_eq!(escape("a - b"), "a - b");
        assert_eq!(escape("--flag"), "--flag");
        assert_eq!(escape("---"), "\\---");
        assert_eq!(escape("=="), "\\==");
        assert_eq!(escape("12. x"), "12\\. x");
        assert_eq!(escape("3)"), "3\\)");
        assert_eq!(escape("1.5"), "1.5");
        assert_eq!(escape("=cmd"), "=cmd");
        assert_eq!(escape("Grüße ✓"), "Grüße ✓");
    }
}
