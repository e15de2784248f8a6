//! Where the cursor is, read from the text alone: a document being typed
//! is often not YAML yet (`    isEnc`), so completion cannot wait for a parse.

use super::text::Text;

/// The cursor's place in the model.
#[derive(Debug, Default, PartialEq)]
pub struct Context {
    /// The top-level key the cursor is under (`elements`, `flows`, ...); empty at the top.
    pub section: String,
    /// Typing a key (true) or the value of `key` (false).
    pub at_key: bool,
    pub key: String,
    /// What is typed so far of the key or value.
    pub prefix: String,
    /// The item's `type` (elements), and the keys it already has.
    pub ty: String,
    pub present: Vec<String>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `- key: value` or `key: value` → (key, value).
fn entry(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let (k, v) = t.split_once(':')?;
    let k = k.trim().trim_matches(['"', '\'']);
    (!k.is_empty() && !k.contains(' ')).then_some((k, v.trim()))
}

pub fn at(text: &Text, line: usize, col_byte: usize) -> Context {
    let full = text.line(line);
    let before = full.get(..col_byte.min(full.len())).unwrap_or(full);
    let mut cx = Context {
        section: section(text, line, before),
        ..Context::default()
    };
    let body = before.trim_start().trim_start_matches("- ").trim_start();
    match body.split_once(':') {
        Some((k, v)) if !k.contains([' ', '[', '{']) => {
            cx.key = k.trim_matches(['"', '\'']).to_string();
            // In a flow list (`data: [a, b`), the value being typed is the last one.
            let v = v.rsplit([',', '[']).next().unwrap_or(v);
            cx.prefix = v.trim().trim_matches(['"', '\'']).to_string();
        }
        _ => {
            cx.at_key = true;
            cx.prefix = body.trim_matches(['"', '\'']).to_string();
        }
    }
    if !cx.section.is_empty() {
        item(text, line, &mut cx);
    }
    cx
}

/// The top-level key above the cursor.
fn section(text: &Text, line: usize, before: &str) -> String {
    if indent(before) == 0 && !before.starts_with('-') && !before.contains(':') {
        return String::new();
    }
    (0..line)
        .rev()
        .map(|n| text.line(n))
        .find(|l| !l.is_empty() && indent(l) == 0 && !l.starts_with(['#', '-']))
        .and_then(entry)
        .map(|(k, _)| k.to_string())
        .unwrap_or_default()
}

/// The list item around the cursor: its `type` and the keys it has.
fn item(text: &Text, line: usize, cx: &mut Context) {
    let is_dash = |l: &str| l.trim_start().starts_with("- ") || l.trim() == "-";
    let here = text.line(line);
    let start = (0..=line).rev().find(|&n| {
        let l = text.line(n);
        is_dash(l) && (n == line || indent(l) < indent(here).max(1))
    });
    let Some(start) = start else { return };
    let dash = indent(text.line(start));
    let mut n = start;
    while n < text.line_count() {
        let l = text.line(n);
        if n > start && !l.trim().is_empty() && (indent(l) <= dash) {
            break;
        }
        if n != line {
            if let Some((k, v)) = entry(l).filter(|_| indent(l) <= dash + 2 + 2 || n == start) {
                if k == "type" {
                    cx.ty = v.trim_matches(['"', '\'']).to_string();
                }
                cx.present.push(k.to_string());
            }
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_and_value_places() {
        let src = "title: t\nelements:\n  - id: web\n    type: server\n    isEnc\n  - id: db\nflows:\n  - id: f\n    from: we\n    data: [a, b";
        let t = Text::new(src);
        let cx = at(&t, 4, 9);
        assert_eq!(
            (
                cx.section.as_str(),
                cx.at_key,
                cx.prefix.as_str(),
                cx.ty.as_str()
            ),
            ("elements", true, "isEnc", "server")
        );
        assert!(cx.present.contains(&"id".to_string()));
        let cx = at(&t, 8, 12);
        assert_eq!(
            (
                cx.section.as_str(),
                cx.at_key,
                cx.key.as_str(),
                cx.prefix.as_str()
            ),
            ("flows", false, "from", "we")
        );
        let cx = at(&t, 9, 16);
        assert_eq!((cx.key.as_str(), cx.prefix.as_str()), ("data", "b"));
        let cx = at(&t, 0, 3);
        assert_eq!((cx.section.as_str(), cx.at_key), ("", true));
    }
}
