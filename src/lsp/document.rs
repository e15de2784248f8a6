//! One open document: its text, and what tms makes of it (the tree, the
//! index of ids, the model, the analysis), recomputed on every change with
//! the loader, validator and engine the command line uses.

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Range};
use serde_json::json;

use super::index::{Index, Kind};
use super::text::Text;
use tms_formats::load::{load_source, Loaded};
use tms_rules::condition::TargetRef;
use tms_rules::engine::{analyze, Analysis};
use tms_rules::library::Library;
use tms_syntax::diag::{Diagnostic as Problem, Severity as Level};
use tms_syntax::source::{Node, SourceFile};

pub struct Document {
    /// The file name messages use (the URI's last segment: its extension tells YAML from JSON).
    pub name: String,
    pub text: String,
    /// The ids of the last text that parsed; `stale` when the current one does not.
    pub index: Index,
    pub stale: bool,
    /// The last model that loaded, with its analysis; `current` when it is this text's.
    pub model: Option<(Loaded, Analysis)>,
    /// The server's library with that model's threats as rules, when it has any:
    /// its findings index into it.
    pub threats_lib: Option<Library>,
    pub current: bool,
    /// Problems of this text: errors when it does not load, warnings when it does.
    pub problems: Vec<Problem>,
}

impl Document {
    pub fn new(name: String) -> Self {
        Document {
            name,
            text: String::new(),
            index: Index::default(),
            stale: true,
            model: None,
            threats_lib: None,
            current: false,
            problems: Vec::new(),
        }
    }

    /// Takes a new text and analyses it.
    pub fn update(&mut self, text: String, lib: &Library) {
        self.text = text;
        let src = SourceFile::from_text(self.name.clone(), self.text.clone());
        let tree: Result<Node, Problem> = src.parse();
        match &tree {
            Ok(root) => {
                self.index = Index::build(root, &Text::new(&self.text));
                self.stale = false;
            }
            Err(_) => self.stale = true,
        }
        match load_source(&src) {
            Ok(loaded) => {
                let own = (!loaded.model.threats.is_empty()).then(|| {
                    let mut own = lib.clone();
                    let clashes = own.set_model_threats(&loaded.model);
                    (own, clashes)
                });
                let (lib, clashes) = match &own {
                    Some((own, clashes)) => (own, clashes.0.clone()),
                    None => (lib, Vec::new()),
                };
                let analysis = analyze(&loaded.model, lib);
                self.problems = loaded.warnings.0.clone();
                self.problems.extend(clashes);
                self.problems.extend(analysis.warnings.0.iter().cloned());
                self.model = Some((loaded, analysis));
                self.threats_lib = own.map(|(own, _)| own);
                self.current = true;
            }
            Err(d) => {
                self.problems = d.0;
                self.current = false;
            }
        }
    }

    pub fn text(&self) -> Text<'_> {
        Text::new(&self.text)
    }

    /// The current model and analysis, when this text loads.
    pub fn analysed(&self) -> Option<&(Loaded, Analysis)> {
        self.model.as_ref().filter(|_| self.current)
    }

    /// Where an element's or a flow's id is written (its mapping's start otherwise).
    pub fn target_range(&self, model: &tms_model::Model, t: TargetRef) -> Range {
        let (id, kind, pos) = match t {
            TargetRef::Element(e) => (&model.elements[e].id, Kind::Element, model.elements[e].pos),
            TargetRef::Flow(f) => (&model.flows[f].id, Kind::Flow, model.flows[f].pos),
            // A threat to the whole system: the top of the file.
            TargetRef::Model => {
                return self
                    .text()
                    .word_range_at(tms_syntax::source::Pos { line: 1, col: 1 })
            }
        };
        match self
            .index
            .definition(id, Some(kind))
            .filter(|_| !self.stale)
        {
            Some(item) => item.id_range,
            None => self.text().word_range_at(pos),
        }
    }

    /// The library the current analysis indexes into.
    pub fn library<'a>(&'a self, server: &'a Library) -> &'a Library {
        self.threats_lib.as_ref().unwrap_or(server)
    }

    /// Everything the editor should show: the problems, then the open
    /// findings (information) and the questions (hints) on their items.
    pub fn diagnostics(&self, lib: &Library) -> Vec<Diagnostic> {
        let lib = self.library(lib);
        let text = self.text();
        let mut out: Vec<Diagnostic> = self.problems.iter().map(|p| problem(&text, p)).collect();
        let Some((loaded, an)) = self.analysed() else {
            return out;
        };
        let model = &loaded.model;
        for f in an
            .findings
            .iter()
            .filter(|f| f.status == tms_model::Status::Open)
        {
            let v = tms_rules::view::finding_view(model, lib, f);
            let closes = tms_rules::view::closed_by(lib, f);
            let mut message = format!(
                "{} ({} risk, {} severity)",
                v.title,
                v.risk.level.as_str(),
                v.severity.as_str()
            );
            if !closes.is_empty() {
                message.push_str(&format!("\nclosed by: {}", closes.join(", ")));
            }
            out.push(Diagnostic {
                range: self.target_range(model, f.target),
                severity: Some(DiagnosticSeverity::INFORMATION),
                code: Some(NumberOrString::String(f.id.clone())),
                source: Some("tms".into()),
                message,
                data: Some(json!({"finding": f.id})),
                ..Diagnostic::default()
            });
        }
        for q in &an.questions {
            let v = tms_rules::view::question_view(model, lib, q);
            out.push(Diagnostic {
                range: self.target_range(model, q.item),
                severity: Some(DiagnosticSeverity::HINT),
                code: Some(NumberOrString::String(q.id.clone())),
                source: Some("tms".into()),
                message: format!("question ({} at stake): {}", v.severity.as_str(), v.ask),
                data: Some(
                    json!({"question": q.id, "attribute": v.attributes[0], "target": v.target}),
                ),
                ..Diagnostic::default()
            });
        }
        out
    }
}

/// A loader or validator problem at its word, with its hint; a did-you-mean
/// carries the replacement for the code action.
fn problem(text: &Text, p: &Problem) -> Diagnostic {
    let mut message = tms_syntax::diag::escape_controls(&p.message).into_owned();
    if let Some(h) = &p.hint {
        message.push_str("\nhelp: ");
        message.push_str(&tms_syntax::diag::escape_controls(h));
    }
    let data = p
        .hint
        .as_deref()
        .and_then(suggestion)
        .map(|s| json!({"replace": s}));
    Diagnostic {
        range: text.word_range_at(p.pos()),
        severity: Some(match p.severity {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
        }),
        source: Some("tms".into()),
        message,
        data,
        ..Diagnostic::default()
    }
}

/// The `X` of a hint "did you mean `X`?".
pub fn suggestion(hint: &str) -> Option<&str> {
    let rest = hint.split_once("did you mean `")?.1;
    let (s, _) = rest.split_once('`')?;
    (!s.is_empty()).then_some(s)
}
