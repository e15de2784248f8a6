//! Typed access to the positioned tree, recording every problem instead of
//! stopping at the first. Format readers build on it.

use crate::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::source::{Key, Node, NodeKind, Pos};

pub struct Reader<'a> {
    pub file: &'a str,
    pub diags: Diagnostics,
}

impl<'a> Reader<'a> {
    pub fn new(file: &'a str) -> Self {
        Reader {
            file,
            diags: Diagnostics::default(),
        }
    }

    pub fn error(&mut self, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(self.file, pos, message));
        self.diags.0.last_mut().expect("just pushed")
    }

    pub fn warning(&mut self, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::warning(self.file, pos, message));
        self.diags.0.last_mut().expect("just pushed")
    }

    pub fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.error(
            node.pos,
            format!("{what} must be {expected}, found {}", node.type_name()),
        );
    }

    /// The entries of a mapping, or an error naming what was expected.
    pub fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(Key, Node)]> {
        match &node.kind {
            NodeKind::Map(m) => Some(m),
            _ => {
                self.wrong_type(node, what, "a mapping");
                None
            }
        }
    }

    pub fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.kind {
            NodeKind::Seq(s) => Some(s),
            NodeKind::Null => Some(&[]),
            _ => {
                self.wrong_type(node, what, "a list");
                None
            }
        }
    }

    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    /// A string where a plain number or boolean is obviously meant as text (`version: 1.4`).
    pub fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Float(f) => Some(show_float(*f)),
            NodeKind::Null => None,
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.kind {
            NodeKind::Bool(b) => Some(*b),
            NodeKind::Str(s) if matches!(s.as_str(), "true" | "false" | "True" | "False") => {
                self.error(
                    node.pos,
                    format!("{what} must be a boolean, found the string \"{s}\""),
                )
                .hint = Some(format!("write {} without quotes", s.to_ascii_lowercase()));
                None
            }
            NodeKind::Str(s)
                if matches!(
                    s.to_ascii_lowercase().as_str(),
                    "yes" | "no" | "on" | "off" | "y" | "n"
                ) =>
            {
                let yes = matches!(s.to_ascii_lowercase().as_str(), "yes" | "on" | "y");
                self.error(
                    node.pos,
                    format!("{what} must be a boolean, found the text \"{s}\""),
                )
                .hint = Some(format!(
                    "write {yes}: YAML 1.2 and JSON read `{s}` as text, not as a boolean"
                ));
                None
            }
            _ => {
                self.wrong_type(node, what, "a boolean (true or false)");
                None
            }
        }
    }

    pub fn int(&mut self, node: &Node, what: &str) -> Option<i64> {
        match &node.kind {
            NodeKind::Int(i) => Some(*i),
            _ => {
                self.wrong_type(node, what, "an integer");
                None
            }
        }
    }

    pub fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        let Some(items) = self.seq(node, what) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|n| self.text(n, &format!("each entry of {what}")))
            .collect()
    }

    /// A closed-vocabulary value; the error lists the choices and the closest one.
    pub fn choice<T>(
        &mut self,
        node: &Node,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
        choices: &[&str],
    ) -> Option<T> {
        // A number or boolean (`classification: 3`, `minTLSVersion: 1.2`) is a wrong
        // value rather than a wrong type: the error lists the choices either way.
        let s = match &node.kind {
            NodeKind::Int(i) => i.to_string(),
            NodeKind::Float(f) => show_float(*f),
            NodeKind::Bool(b) => b.to_string(),
            _ => self.string(node, what)?,
        };
        if let Some(v) = parse(&s) {
            return Some(v);
        }
        let hint = match did_you_mean(&s, choices.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? choices: {}", choices.join(", ")),
            None => format!("choices: {}", choices.join(", ")),
        };
        self.error(node.pos, format!("`{s}` is not a valid {what}"))
            .hint = Some(hint);
        None
    }

    /// Reports keys outside `allowed`; `explain` may give a specific hint for a key.
    pub fn check_keys(
        &mut self,
        entries: &[(Key, Node)],
        context: &str,
        allowed: &[&str],
        explain: impl Fn(&str) -> Option<String>,
    ) {
        for (key, _) in entries {
            if allowed.contains(&&*key.name) {
                continue;
            }
            let hint = explain(&key.name).or_else(|| {
                did_you_mean(&key.name, allowed.iter().copied())
                    .map(|c| format!("did you mean `{c}`?"))
            });
            self.error(key.pos, format!("unknown key `{}` in {context}", key.name))
                .hint = hint;
        }
    }
}

/// A number as a message shows it: Rust writes `-1e308` out as 309 digits, so
/// very large and very small magnitudes use an exponent.
pub fn show_float(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-6..1e16).contains(&a) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod float_tests {
    use super::show_float;

    #[test]
    fn huge_and_tiny_numbers_are_shown_with_an_exponent() {
        assert_eq!(show_float(-1e308), "-1e308");
        assert_eq!(show_float(2.5e-9), "2.5e-9");
        assert_eq!(show_float(1.5), "1.5");
        assert_eq!(show_float(0.0), "0");
        assert_eq!(show_float(101.0), "101");
    }
}
