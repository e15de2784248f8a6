//! The one table of other tools' formats. Each row says how a format is
//! recognised, read and (where tms writes it) written; detection, `tms import
//! --from`, `tms export --format` and the command line's value lists are all
//! driven from here. Adding a format is one module and one row.

use std::io::Write;

use tms_model::Model;
use tms_rules::engine::Analysis;
use tms_rules::library::Library;
use tms_syntax::diag::Diagnostics;
use tms_syntax::source::Node;

/// Reads a parsed document of the format into a model, with every problem found.
pub type ReadFn = fn(&Node, &str) -> (Option<Model>, Diagnostics);
/// Reads an XML document's text into a model: tms-syntax parses only YAML
/// and JSON into trees, so an XML format parses its text itself.
pub type ReadXmlFn = fn(&str, &str) -> (Option<Model>, Diagnostics);
/// Writes an analysed model in the format.
pub type WriteFn = fn(&mut dyn Write, &Model, &Library, &Analysis) -> std::io::Result<()>;

/// One format of another tool.
pub struct Format {
    /// The name `--from` and `--format` spell it with.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// The format's name with an article, for "this is not ... file".
    pub title: &'static str,
    /// What detection looks for, as the hint when a file is not this format.
    pub signature: &'static str,
    pub input: Input,
    pub write: Option<WriteFn>,
}

/// What a format is read from, and how it is recognised there.
pub enum Input {
    /// YAML or JSON, parsed by tms-syntax into a positioned tree first.
    Tree {
        detect: fn(&Node) -> bool,
        read: ReadFn,
    },
    /// XML (`Syntax::Xml`), handed over as text with the file's name.
    Xml {
        detect: fn(&str) -> bool,
        read: ReadXmlFn,
    },
}

/// In detection order: formats with a key of their own first (the Threat
/// Model Library before Threat Model Spec, whose `diagrams` it also has); pytm, whose
/// signature is the weakest (no `title`, pytm's own keys or `__class__`), last.
/// A document none of them claims is read as our own format.
pub const FORMATS: &[Format] = &[
    crate::owasp_tml::FORMAT,
    crate::tmt::FORMAT,
    crate::threat_model_spec::FORMAT,
    crate::threat_composer::FORMAT,
    crate::otm::FORMAT,
    crate::threat_dragon::FORMAT,
    crate::threagile::FORMAT,
    crate::pytm::FORMAT,
];

/// The format `name` names, if tms reads it.
pub fn by_name(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name == name)
}

/// The format that claims `root`, if any (else it is ours).
pub fn detect(root: &Node) -> Option<(&'static Format, ReadFn)> {
    FORMATS.iter().find_map(|f| match f.input {
        Input::Tree { detect, read } if detect(root) => Some((f, read)),
        _ => None,
    })
}

/// The XML format that claims `text`, if any (XML is never ours).
pub fn detect_xml(text: &str) -> Option<(&'static Format, ReadXmlFn)> {
    FORMATS.iter().find_map(|f| match f.input {
        Input::Xml { detect, read } if detect(text) => Some((f, read)),
        _ => None,
    })
}

/// The formats tms writes.
pub fn writers() -> impl Iterator<Item = (&'static Format, WriteFn)> {
    FORMATS.iter().filter_map(|f| f.write.map(|w| (f, w)))
}
