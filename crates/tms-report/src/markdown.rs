//! Markdown for GitHub (SARIF help, pull-request comments): inline text that renders as written.

/// Escapes text for an inline position in GitHub Markdown: it renders as the
/// characters it holds, never as markup, a link or an HTML tag. Rule texts and
/// model names are plain text written by users, and GitHub renders what we
/// hand it (SARIF help, pull-request comments).
pub fn md_escape(s: &str) -> String {
    // One line: in a SARIF message or a list item a line break would end the item.
    crate::md::escape(&s.replace("\r\n", " ").replace(['\r', '\n'], " "))
}

/// A Markdown code span holding `s` verbatim, whatever backticks it contains.
pub fn md_code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space to keep the fence apart.
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            md_escape("<script>*a*_b_ [x](y) | #1"),
            "&lt;script&gt;\\*a\\*\\_b\\_ \\[x\\](y) \\| \\#1"
        );
        assert_eq!(md_escape("- item\nnext"), "\\- item next");
        assert_eq!(md_escape("a-b"), "a-b");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(md_code("FLOW-001@login"), "`FLOW-001@login`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
    }
}
