//! Writes any model as a YAML file in our own format (contract, section 1):
//! what `tms import` produces, meant to be read and edited by people.
//!
//! Keys come in a fixed order (the order the contract lists them, attributes
//! in attribute-table order), only what the model sets is written, strings
//! are quoted only where YAML would read them as something else, and what an
//! imported file held that our format cannot is left as `# not carried over:`
//! comments next to the item it belonged to.

use std::fmt::Write as _;

use serde_json::Value as J;

use tms_model::imported::{Anchor, Imported};
use tms_model::*;

/// The model as YAML in our format.
pub fn to_yaml(model: &Model) -> String {
    let mut w = Writer {
        out: String::new(),
        imported: model.imported.as_ref(),
    };
    w.header(model);
    w.model(model);
    w.out
}

struct Writer<'a> {
    out: String,
    imported: Option<&'a Imported>,
}

impl Writer<'_> {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn comment(&mut self, indent: usize, text: &str) {
        // A comment is one line: newlines in the noted text would end it.
        let flat: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.line(indent, &format!("# {flat}"));
    }

    fn header(&mut self, model: &Model) {
        let Some(im) = self.imported else {
            return;
        };
        let name = match im.format.as_str() {
            "threat-model-spec" => "Threat Model Spec",
            other => other,
        };
        self.comment(
            0,
            &format!(
                "Converted from {} ({name}) by `tms import --from {}`.",
                model.file, im.format
            ),
        );
        for n in im.not_carried.iter().filter(|n| n.anchor == Anchor::Model) {
            self.comment(0, &format!("not carried over: {}", n.what));
        }
    }

    /// Notes on one item: ids the source spelled differently, and what could not be kept.
    fn notes(&mut self, indent: usize, anchor: &Anchor, id: &str) {
        let Some(im) = self.imported else {
            return;
        };
        let kind = match anchor {
            Anchor::Boundary(_) => "boundary",
            Anchor::Data(_) => "data asset",
            Anchor::Element(_) => "element",
            Anchor::Flow(_) => "flow",
            Anchor::Model => "",
        };
        let rewrites: Vec<String> = im
            .id_rewrites
            .iter()
            .filter(|r| r.to == id && r.kind == kind)
            .map(|r| format!("id in the source file: {}", double_quoted(&r.from)))
            .collect();
        for r in rewrites {
            self.comment(indent, &r);
        }
        let notes: Vec<String> = im
            .not_carried
            .iter()
            .filter(|n| &n.anchor == anchor)
            .map(|n| format!("not carried over: {}", n.what))
            .collect();
        for n in notes {
            self.comment(indent, &n);
        }
    }

    fn kv(&mut self, indent: usize, key: &str, value: &str) {
        self.line(indent, &format!("{key}: {value}"));
    }

    fn text(&mut self, indent: usize, key: &str, value: &str) {
        if !value.is_empty() {
            self.kv(indent, key, &scalar(value));
        }
    }

    fn list(&mut self, indent: usize, key: &str, items: &[String]) {
        if !items.is_empty() {
            self.kv(indent, key, &flow_list(items));
        }
    }

    fn model(&mut self, m: &Model) {
        self.kv(0, "title", &scalar(&m.title));
        self.text(0, "description", &m.description);
        if let Some(v) = &m.version {
            self.kv(0, "version", &scalar(v));
        }
        if let Some(d) = &m.date {
            self.kv(0, "date", &scalar(d));
        }
        if !m.authors.is_empty() {
            self.line(0, "authors:");
            for a in &m.authors {
                self.kv(1, "- name", &scalar(&a.name));
                if let Some(e) = &a.email {
                    self.kv(2, "email", &scalar(e));
                }
            }
        }
        if !m.assumptions.is_empty() {
            self.line(0, "assumptions:");
            for a in &m.assumptions {
                self.kv(1, "- name", &scalar(&a.name));
                self.text(2, "description", &a.description);
                self.list(2, "excludes", &a.excludes);
            }
        }
        if !m.boundaries.is_empty() {
            self.line(0, "boundaries:");
            for b in &m.boundaries {
                self.notes(1, &Anchor::Boundary(b.id.clone()), &b.id);
                self.kv(1, "- id", &scalar(&b.id));
                self.kv(2, "name", &scalar(&b.name));
                self.text(2, "description", &b.description);
                if let Some(p) = b.parent {
                    self.kv(2, "parent", &scalar(&m.boundaries[p].id));
                }
                if !b.in_scope {
                    self.kv(2, "inScope", "false");
                }
                self.list(2, "tags", &b.tags);
            }
        }
        if !m.data.is_empty() {
            self.line(0, "data:");
            for d in &m.data {
                self.data(d);
            }
        }
        if !m.elements.is_empty() {
            self.line(0, "elements:");
            for e in &m.elements {
                self.notes(1, &Anchor::Element(e.id.clone()), &e.id);
                self.kv(1, "- id", &scalar(&e.id));
                self.kv(2, "type", e.kind.as_str());
                if let Some(role) = &e.role {
                    self.kv(2, "role", role);
                }
                self.kv(2, "name", &scalar(&e.name));
                self.text(2, "description", &e.description);
                if let Some(b) = e.boundary {
                    self.kv(2, "boundary", &scalar(&m.boundaries[b].id));
                }
                let data: Vec<String> = e.data.iter().map(|d| m.data[*d].id.clone()).collect();
                self.list(2, "data", &data);
                self.attrs(&e.attrs);
                self.list(2, "tags", &e.tags);
                self.properties(&e.properties);
            }
        }
        if !m.flows.is_empty() {
            self.line(0, "flows:");
            for f in &m.flows {
                self.notes(1, &Anchor::Flow(f.id.clone()), &f.id);
                self.kv(1, "- id", &scalar(&f.id));
                self.kv(2, "from", &scalar(&m.elements[f.source].id));
                self.kv(2, "to", &scalar(&m.elements[f.sink].id));
                self.kv(2, "name", &scalar(&f.name));
                self.text(2, "description", &f.description);
                let data: Vec<String> = f.data.iter().map(|d| m.data[*d].id.clone()).collect();
                self.list(2, "data", &data);
                if let Some(r) = f.response_to {
                    self.kv(2, "responseTo", &scalar(&m.flows[r].id));
                }
                let mut attrs = f.attrs.clone();
                if f.response_to.is_some() {
                    // `responseTo` says it; writing both would say it twice.
                    attrs = Attrs::default();
                    for (id, v) in f.attrs.iter() {
                        if id != attr_id::IS_RESPONSE {
                            attrs.set(id, v.clone());
                        }
                    }
                }
                self.attrs(&attrs);
                self.list(2, "tags", &f.tags);
                self.properties(&f.properties);
            }
        }
        if !m.triage.is_empty() {
            self.line(0, "triage:");
            for t in &m.triage {
                self.triage(t);
            }
        }
        if !m.threats.is_empty() {
            self.line(0, "threats:");
            for t in &m.threats {
                self.threat(m, t);
            }
        }
        if let Some(mp) = &m.mappings {
            self.mappings(0, mp);
        }
    }

    fn data(&mut self, d: &DataAsset) {
        self.notes(1, &Anchor::Data(d.id.clone()), &d.id);
        self.kv(1, "- id", &scalar(&d.id));
        self.kv(2, "name", &scalar(&d.name));
        self.text(2, "description", &d.description);
        self.text(2, "format", &d.format);
        if d.classification != Classification::Unknown {
            self.kv(2, "classification", d.classification.as_str());
        }
        for (key, on) in [
            ("isPII", d.is_pii),
            ("isCredentials", d.is_credentials),
            ("isStored", d.is_stored),
        ] {
            if on {
                self.kv(2, key, "true");
            }
        }
        if d.credentials_life != Lifetime::None {
            self.kv(2, "credentialsLife", d.credentials_life.as_str());
        }
        for (key, v) in [
            ("isSourceEncryptedAtRest", d.is_source_encrypted_at_rest),
            ("isDestEncryptedAtRest", d.is_dest_encrypted_at_rest),
        ] {
            if let Some(v) = v {
                self.kv(2, key, if v { "true" } else { "false" });
            }
        }
        self.list(2, "tags", &d.tags);
    }

    fn attrs(&mut self, attrs: &Attrs) {
        for (id, v) in attrs.iter() {
            let text = match v {
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Str(s) => scalar(s),
                Value::Classification(c) => c.as_str().to_string(),
                Value::TlsVersion(t) => t.as_str().to_string(),
                Value::DatastoreType(d) => d.as_str().to_string(),
                Value::IntList(l) => format!(
                    "[{}]",
                    l.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                ),
                Value::StrList(l) => flow_list(l),
            };
            self.kv(2, id.def().name, &text);
        }
    }

    fn properties(&mut self, p: &Properties) {
        if let J::Object(map) = p {
            if map.is_empty() {
                return;
            }
            self.line(2, "properties:");
            self.json_map(3, map);
        }
    }

    fn triage(&mut self, t: &TriageEntry) {
        self.kv(1, "- finding", &scalar(&t.finding));
        self.kv(2, "status", t.status.as_str());
        for (key, v) in [
            ("justification", &t.justification),
            ("owner", &t.owner),
            ("ticket", &t.ticket),
            ("expires", &t.expires),
        ] {
            if let Some(v) = v {
                self.kv(2, key, &scalar(v));
            }
        }
        if let Some(s) = t.severity {
            self.kv(2, "severity", s.as_str());
        }
        if let Some(c) = &t.cvss {
            self.kv(2, "cvss", &scalar(c));
        }
        if let Some(d) = &t.dread {
            self.dread(d);
        }
        if let Some(m) = &t.mappings {
            self.mappings(2, m);
        }
    }

    fn dread(&mut self, d: &Dread) {
        self.line(2, "dread:");
        for (key, v) in [
            ("damage", d.damage),
            ("reproducibility", d.reproducibility),
            ("exploitability", d.exploitability),
            ("affectedUsers", d.affected_users),
            ("discoverability", d.discoverability),
        ] {
            self.kv(3, key, &v.to_string());
        }
    }

    fn threat(&mut self, m: &Model, t: &Threat) {
        self.kv(1, "- id", &scalar(&t.id));
        self.kv(2, "title", &scalar(&t.title));
        self.text(2, "description", &t.description);
        if !t.stride.is_empty() {
            let letters: Vec<String> = t.stride.iter().map(|s| s.as_str().to_string()).collect();
            self.list(2, "stride", &letters);
        }
        let affects: Vec<String> = t
            .affects
            .iter()
            .map(|i| match *i {
                Item::Element(e) => m.elements[e].id.clone(),
                Item::Flow(f) => m.flows[f].id.clone(),
                Item::Boundary(b) => m.boundaries[b].id.clone(),
                Item::Data(d) => m.data[d].id.clone(),
            })
            .collect();
        self.list(2, "affects", &affects);
        if let Some(s) = t.severity {
            self.kv(2, "severity", s.as_str());
        }
        if let Some(l) = t.likelihood {
            self.kv(2, "likelihood", l.as_str());
        }
        if let Some(c) = &t.cvss {
            self.kv(2, "cvss", &scalar(c));
        }
        if let Some(d) = &t.dread {
            self.dread(d);
        }
        self.kv(2, "status", t.status.as_str());
        if let Some(j) = &t.justification {
            self.kv(2, "justification", &scalar(j));
        }
        if !t.mitigations.is_empty() {
            self.line(2, "mitigations:");
            for mitigation in &t.mitigations {
                self.line(3, &format!("- {}", scalar(mitigation)));
            }
        }
        for (key, v) in [
            ("owner", &t.owner),
            ("ticket", &t.ticket),
            ("expires", &t.expires),
        ] {
            if let Some(v) = v {
                self.kv(2, key, &scalar(v));
            }
        }
        if let Some(mp) = &t.mappings {
            self.mappings(2, mp);
        }
        if !t.references.is_empty() {
            self.line(2, "references:");
            for reference in &t.references {
                self.line(3, &format!("- {}", scalar(reference)));
            }
        }
    }

    fn mappings(&mut self, indent: usize, m: &Mappings) {
        // Mappings serialise in the contract's shape, skipping what is empty.
        let Ok(J::Object(map)) = serde_json::to_value(m) else {
            return;
        };
        if map.is_empty() {
            return;
        }
        self.line(indent, "mappings:");
        self.json_map(indent + 1, &map);
    }

    /// Free-form JSON as block YAML, in the map's own (insertion) order.
    fn json_map(&mut self, indent: usize, map: &serde_json::Map<String, J>) {
        for (k, v) in map {
            self.json_entry(indent, &format!("{}:", scalar(k)), v, indent + 1);
        }
    }

    /// One value after `lead` (`key:`, `- key:` or `-`) on a line at `indent`,
    /// inline when it is a scalar or empty; what it holds goes at `child`.
    fn json_entry(&mut self, indent: usize, lead: &str, v: &J, child: usize) {
        match v {
            J::Object(m) if !m.is_empty() => {
                if lead == "-" {
                    // The first key goes on the dash's line, the rest under it.
                    for (i, (k, v)) in m.iter().enumerate() {
                        let key = format!("{}:", scalar(k));
                        if i == 0 {
                            self.json_entry(indent, &format!("- {key}"), v, indent + 2);
                        } else {
                            self.json_entry(indent + 1, &key, v, indent + 2);
                        }
                    }
                } else {
                    self.line(indent, lead);
                    self.json_map(child, m);
                }
            }
            J::Array(a) if !a.is_empty() => {
                self.line(indent, lead);
                for item in a {
                    self.json_entry(child, "-", item, child + 1);
                }
            }
            other => {
                let text = json_scalar(other);
                self.line(indent, &format!("{lead} {text}"));
            }
        }
    }
}

/// A JSON scalar (or empty collection) as YAML.
fn json_scalar(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => scalar(s),
        J::Array(_) => "[]".into(),
        J::Object(_) => "{}".into(),
    }
}

/// Words YAML 1.1 or 1.2 reads as something other than a string.
fn is_special(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "null"
            | "~"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
    )
}

/// A string as a YAML scalar: plain when YAML reads it back as the same string, else double-quoted.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !is_special(s)
        && s.trim() == s
        && !s.starts_with(|c: char| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    '-' | '?'
                        | ':'
                        | ','
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '#'
                        | '&'
                        | '*'
                        | '!'
                        | '|'
                        | '>'
                        | '\''
                        | '"'
                        | '%'
                        | '@'
                        | '`'
                        | '+'
                        | '.'
                        | '<'
                        | '='
                )
        })
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(|c| c.is_control() || needs_escape(c));
    if plain {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// A scalar inside a flow list, where `,`, `[`, `]`, `{` and `}` end it.
fn flow_scalar(s: &str) -> String {
    if s.contains([',', '[', ']', '{', '}']) {
        double_quoted(s)
    } else {
        scalar(s)
    }
}

fn flow_list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| flow_scalar(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// Characters YAML does not allow raw in a document, or treats as line breaks.
fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
    )
}

pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_yaml_would_misread() {
        assert_eq!(scalar("Web server"), "Web server");
        assert_eq!(scalar("lodash _.template()"), "lodash _.template()");
        for s in [
            "", "true", "No", "null", "~", "1.0.0", "42", "-x", "a: b", "a #b", "#x", " x", "x ",
            "key:", "*x", "@x", "`x", "'x", "\"x", "{x", "[x", "|x", ">x", "%x", "!x", "&x", "?x",
            ".5", "<<",
        ] {
            assert!(scalar(s).starts_with('"'), "{s:?} must be quoted");
        }
        assert_eq!(scalar("a\"b\\c\nd\u{85}"), "\"a\\\"b\\\\c\\nd\\u0085\"");
        assert_eq!(flow_scalar("a,b"), "\"a,b\"");
        assert_eq!(flow_list(&["x".into(), "y z".into()]), "[x, y z]");
    }
}
