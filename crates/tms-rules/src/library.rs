//! Loading rule files: the built-in library embedded in the binary, files of
//! our own format, and pytm's `threats.json`.

use std::collections::HashMap;
use std::path::Path;

use super::{Fixtures, Likelihood, Rule, RuleMappings, RuleOrigin, Stride};
use crate::condition;
use tms_model::{ElementKind, Severity, Targets};
use tms_syntax::diag::{Diagnostic, Diagnostics};
use tms_syntax::reader::Reader;
use tms_syntax::source::{Node, SourceFile};

/// The built-in rule files, by name (every `rules/*.yaml`, embedded by build.rs).
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The same files with their fixtures blanked out (line numbers kept): what a
/// run of `tms` loads, since no command reads fixtures and they are 40% of the text.
const BUILTIN_LEAN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules_lean.rs"));

#[derive(Debug, Clone, Default)]
pub struct Library {
    pub rules: Vec<Rule>,
    /// Problems worth knowing that do not stop the library loading (retired ids, ...).
    pub warnings: Diagnostics,
}

impl Library {
    /// The built-in library, without the rules' fixtures.
    pub fn builtin() -> Result<Library, Diagnostics> {
        Self::from_texts(BUILTIN_LEAN)
    }

    /// The built-in library with every rule's fixtures, for the test suite.
    pub fn builtin_with_fixtures() -> Result<Library, Diagnostics> {
        Self::from_texts(BUILTIN)
    }

    /// Parses the files on every core (YAML parsing is most of a small run's
    /// time), then adds them in order, so ids and diagnostics come out the same.
    fn from_texts(files: &[(&str, &str)]) -> Result<Library, Diagnostics> {
        use rayon::prelude::*;
        let parsed: Vec<_> = files
            .par_iter()
            .map(|(name, text)| {
                let src = SourceFile::from_text(*name, *text);
                let root = src.parse().map_err(|d| Diagnostics(vec![d]));
                (src, root)
            })
            .collect();
        let mut lib = Library::default();
        for (src, root) in parsed {
            lib.add_root(&root?, &src.name)?;
        }
        Ok(lib)
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Adds a rule file from disk: ours (YAML/JSON) or pytm's `threats.json`.
    pub fn add_path(&mut self, path: &Path) -> Result<(), Diagnostics> {
        let src = tms_syntax::source::read(path).map_err(|d| Diagnostics(vec![d]))?;
        self.add_source(&src)
    }

    pub fn add_source(&mut self, src: &SourceFile) -> Result<(), Diagnostics> {
        let root = src.parse().map_err(|d| Diagnostics(vec![d]))?;
        self.add_root(&root, &src.name)
    }

    fn add_root(&mut self, root: &Node, file: &str) -> Result<(), Diagnostics> {
        let (rules, warnings) = if super::pytm::is_pytm_threats(root) {
            (super::pytm::read(root, file)?, Diagnostics::default())
        } else {
            read_rules(root, file)?
        };
        self.warnings.extend(warnings);
        self.extend(rules)
    }

    fn extend(&mut self, rules: Vec<Rule>) -> Result<(), Diagnostics> {
        let mut seen: HashMap<&str, &RuleOrigin> = self
            .rules
            .iter()
            .map(|r| (r.id.as_str(), &r.origin))
            .collect();
        let mut diags = Diagnostics::default();
        for r in &rules {
            if let Some(first) = seen.get(r.id.as_str()) {
                diags.push(
                    Diagnostic::error(
                        &r.origin.file,
                        r.origin.pos,
                        format!("rule `{}` is defined twice", r.id),
                    )
                    .with_hint(format!("first defined at {}:{}", first.file, first.pos)),
                );
            }
            seen.insert(&r.id, &r.origin);
        }
        if diags.has_errors() {
            return Err(diags);
        }
        self.rules.extend(rules);
        Ok(())
    }
}

const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "stride",
    "targets",
    "condition",
    "severity",
    "likelihood",
    "description",
    "mitigation",
    "references",
    "mappings",
    "cvss",
    "fixtures",
    "cause",
    "appliesTo",
    "except",
    "mitigatedBy",
];
const MAPPING_KEYS: &[&str] = &["capec", "cwe", "attack", "atlas", "owasp"];

/// Parses a target type name: ours (`process`, `flow`) or pytm's (`Process`, `Dataflow`).
/// A type includes its subtypes, as pytm's `isinstance` test does: a set of
/// processes is a process, and pytm's `Element` includes flows.
pub fn parse_target(s: &str) -> Option<Targets> {
    match s {
        "flow" | "Dataflow" => Some(Targets::FLOW),
        "element" => Some(Targets::ELEMENTS),
        "Element" => Some(Targets::ALL),
        "Asset" => Some(Targets::ASSETS),
        "process" | "Process" => Some(Targets::PROCESSES),
        _ => ElementKind::parse(s)
            .or_else(|| ElementKind::from_pytm_class(s))
            .map(ElementKind::bit),
    }
}

fn read_rules(root: &Node, file: &str) -> Result<(Vec<Rule>, Diagnostics), Diagnostics> {
    let mut r = Reader::new(file);
    let list = match root.get("rules") {
        Some(n) => n,
        None => {
            r.error(root.pos, "a rule file holds `rules: [...]`").hint =
                Some("see docs/rules.md for the shape of a rule".into());
            return Err(r.diags);
        }
    };
    if let Some(top) = r.map(root, "the rule file") {
        r.check_keys(top, "the rule file", &["rules"], |_| None);
    }
    let mut out = Vec::new();
    for node in r.seq(list, "`rules`").unwrap_or(&[]) {
        if let Some(rule) = read_rule(&mut r, node) {
            out.push(rule);
        }
    }
    if r.diags.has_errors() {
        Err(r.diags)
    } else {
        Ok((out, r.diags))
    }
}

fn read_rule(r: &mut Reader, node: &Node) -> Option<Rule> {
    let entries = r.map(node, "a rule")?;
    r.check_keys(entries, "a rule", RULE_KEYS, |_| None);
    let text = |r: &mut Reader, key: &str| -> Option<String> {
        match node.get(key) {
            Some(n) => r.text(n, &format!("`{key}`")),
            None => {
                r.error(node.pos, format!("a rule has no `{key}`"));
                None
            }
        }
    };
    let id = text(r, "id")?;
    let title = text(r, "title");
    let condition_node = node.get("condition");
    let condition = text(r, "condition");
    let mut targets = Targets::default();
    match node.get("targets") {
        None => {
            r.error(node.pos, format!("rule `{id}` has no `targets`"));
        }
        Some(n) => {
            for t in r.seq(n, "`targets`").unwrap_or(&[]) {
                let Some(s) = r.text(t, "a target") else {
                    continue;
                };
                match parse_target(&s) {
                    Some(x) => targets = targets.union(x),
                    None => {
                        let mut choices: Vec<&str> = ElementKind::spellings().collect();
                        choices.push("flow");
                        let hint = tms_syntax::diag::did_you_mean(&s, choices.iter().copied())
                            .map(|c| format!("did you mean `{c}`?"));
                        r.error(t.pos, format!("`{s}` is not a target type")).hint = hint;
                    }
                }
            }
        }
    }
    let mut stride = Vec::new();
    if let Some(n) = node.get("stride") {
        for s in r.seq(n, "`stride`").unwrap_or(&[]) {
            if let Some(x) = r.choice(
                s,
                "STRIDE category",
                Stride::parse,
                &["S", "T", "R", "I", "D", "E"],
            ) {
                if !stride.contains(&x) {
                    stride.push(x);
                }
            }
        }
        stride.sort();
    }
    let severity = node.get("severity").and_then(|n| {
        r.choice(
            n,
            "severity",
            Severity::parse,
            &Severity::spellings().collect::<Vec<_>>(),
        )
    });
    if node.get("severity").is_none() {
        r.error(node.pos, format!("rule `{id}` has no `severity`"));
    }
    let likelihood = node
        .get("likelihood")
        .and_then(|n| {
            r.choice(
                n,
                "likelihood",
                Likelihood::parse,
                &["very-low", "low", "medium", "high", "very-high"],
            )
        })
        .unwrap_or(Likelihood::Medium);
    let mut mappings = RuleMappings::default();
    if let Some(m) = node.get("mappings") {
        if let Some(entries) = r.map(m, "`mappings`") {
            r.check_keys(entries, "a rule's `mappings`", MAPPING_KEYS, |_| None);
            for (key, list) in [
                ("capec", &mut mappings.capec),
                ("cwe", &mut mappings.cwe),
                ("attack", &mut mappings.attack),
                ("atlas", &mut mappings.atlas),
                ("owasp", &mut mappings.owasp),
            ] {
                if let Some(n) = m.get(key) {
                    *list = r.strings(n, &format!("`{key}`"));
                    check_ids(r, n, key);
                }
            }
        }
    }
    let fixtures = node.get("fixtures").and_then(|f| {
        let entries = r.map(f, "`fixtures`")?;
        r.check_keys(entries, "`fixtures`", &["match", "noMatch"], |_| None);
        Some(Fixtures {
            matching: f.get("match")?.clone(),
            not_matching: f.get("noMatch")?.clone(),
        })
    });
    let compiled = condition
        .as_ref()
        .and_then(|c| match condition::compile(c, targets) {
            Ok(x) => Some(x),
            Err(e) => {
                let pos = condition_node.map_or(node.pos, |n| n.pos);
                r.error(
                    pos,
                    format!("rule `{id}`: condition, column {}: {}", e.column, e.message),
                );
                None
            }
        });
    Some(Rule {
        title: title?,
        stride,
        targets,
        condition: condition?,
        compiled: compiled?,
        severity: severity?,
        likelihood,
        description: node
            .get("description")
            .and_then(|n| r.text(n, "`description`"))
            .unwrap_or_default(),
        mitigation: node
            .get("mitigation")
            .and_then(|n| r.text(n, "`mitigation`"))
            .unwrap_or_default(),
        references: node
            .get("references")
            .map(|n| r.strings(n, "`references`"))
            .unwrap_or_default(),
        mappings,
        cvss: node.get("cvss").and_then(|n| {
            let v = r.text(n, "`cvss`")?;
            if let Err(e) = tms_model::risk::cvss(&v) {
                r.error(n.pos, format!("rule `{id}`: {e}"));
            }
            Some(v)
        }),
        origin: RuleOrigin {
            file: r.file.to_string(),
            pos: node.pos,
        },
        fixtures,
        cause: node.get("cause").and_then(|n| {
            let c = r.text(n, "`cause`")?;
            let kebab = !c.is_empty()
                && c.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            if !kebab {
                r.error(
                    n.pos,
                    format!("rule `{id}`: cause `{c}` is not kebab-case (`unencrypted-transport`)"),
                );
            }
            Some(c)
        }),
        applies_to: role_names(r, node.get("appliesTo"), "appliesTo"),
        except: role_names(r, node.get("except"), "except"),
        mitigated_by: mitigations(r, node.get("mitigatedBy"), &id),
        three_valued: true,
        threat: None,
        id,
    })
}

/// Role ids or traits, each checked against the vocabulary.
fn role_names(r: &mut Reader, node: Option<&Node>, key: &str) -> Vec<String> {
    let Some(n) = node else { return Vec::new() };
    let roles = &tms_model::roles::ROLES;
    let names = r.strings(n, &format!("`{key}`"));
    for (i, name) in names.iter().enumerate() {
        if !roles.is_name(name) {
            let pos = n.as_seq().and_then(|s| s.get(i)).map_or(n.pos, |x| x.pos);
            let hint = tms_syntax::diag::did_you_mean(name, roles.names())
                .map(|c| format!("did you mean `{c}`?"));
            r.error(pos, format!("`{name}` is neither a role nor a trait"))
                .hint = hint;
        }
    }
    names
}

/// `mitigatedBy`: attribute paths (optionally `source.` / `sink.`) and the closing value.
fn mitigations(r: &mut Reader, node: Option<&Node>, id: &str) -> Vec<(String, Node)> {
    let Some(entries) = node.and_then(|n| r.map(n, "`mitigatedBy`")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let attr = key
            .name
            .strip_prefix("source.")
            .or_else(|| key.name.strip_prefix("sink."))
            .unwrap_or(&key.name);
        match tms_model::attrs::lookup(attr) {
            Some(a) => {
                let mut quiet = Reader::new(r.file);
                if tms_model::attrs::read_value(&mut quiet, value, a.def()).is_none() {
                    r.error(value.pos, format!("rule `{id}`: not a value of `{attr}`"));
                }
                out.push((key.name.to_string(), value.clone()));
            }
            None => {
                r.error(
                    key.pos,
                    format!("rule `{id}`: `{attr}` is not an attribute"),
                );
            }
        }
    }
    out
}

/// Checks each id of a rule's compact mapping list against the catalogues.
fn check_ids(r: &mut Reader, list: &Node, key: &str) {
    use tms_model::catalogue::{Framework, CATALOGUES};
    let fw = match key {
        "capec" => Framework::Capec,
        "cwe" => Framework::Cwe,
        "attack" => Framework::Attack,
        "atlas" => Framework::Atlas,
        _ => Framework::Owasp,
    };
    for n in list.as_seq().unwrap_or(&[]) {
        let Some(id) = n.as_str() else { continue };
        if let Some(p) = CATALOGUES.check(fw, id) {
            let d = if p.error {
                r.error(n.pos, p.message)
            } else {
                r.warning(n.pos, p.message)
            };
            d.hint = p.hint;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Library;

    /// What a run loads is the library the tests check, minus the fixtures:
    /// the same rules, conditions and origins (blanked lines keep positions).
    #[test]
    fn the_lean_builtin_library_is_the_whole_one_without_fixtures() {
        let (lean, whole) = match (Library::builtin(), Library::builtin_with_fixtures()) {
            (Ok(l), Ok(w)) => (l, w),
            (l, w) => panic!("{:?} {:?}", l.err(), w.err()),
        };
        assert_eq!(lean.rules.len(), whole.rules.len());
        assert!(lean.rules.len() >= 120);
        for (a, b) in lean.rules.iter().zip(&whole.rules) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.condition, b.condition, "{}", a.id);
            assert_eq!(a.origin.pos, b.origin.pos, "{}", a.id);
            assert!(a.fixtures.is_none(), "{} kept its fixtures", a.id);
            assert!(b.fixtures.is_some(), "{} has no fixtures", b.id);
        }
    }
}
