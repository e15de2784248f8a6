//! Rules: one entry of data each, compiled once, evaluated over every target.

pub mod assess;
pub mod condition;
pub mod engine;
pub mod explain;
pub mod library;
pub mod model_threats;
pub mod pytm;
pub mod view;

pub use tms_model::{Likelihood, Stride};

use serde::Serialize;

use crate::condition::Compiled;
use tms_model::{Severity, Targets};
use tms_syntax::source::{Node, Pos};

/// Framework ids a rule maps to (compact form: lists of ids).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RuleMappings {
    pub capec: Vec<String>,
    pub cwe: Vec<String>,
    pub attack: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub atlas: Vec<String>,
    pub owasp: Vec<String>,
}

/// Where a rule was defined, for messages about it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOrigin {
    pub file: String,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub stride: Vec<Stride>,
    pub targets: Targets,
    pub condition: String,
    pub compiled: Compiled,
    pub severity: Severity,
    pub likelihood: Likelihood,
    pub description: String,
    pub mitigation: String,
    pub references: Vec<String>,
    pub mappings: RuleMappings,
    pub cvss: Option<String>,
    pub origin: RuleOrigin,
    /// Models the rule must and must not match (built-in rules carry them).
    pub fixtures: Option<Fixtures>,
    /// What is missing or wrong when the rule fires (`unencrypted-transport`):
    /// findings of rules with one cause on one target are one finding.
    pub cause: Option<String>,
    /// Roles or traits the rule applies to (an element with no role is included).
    pub applies_to: Vec<String>,
    /// Roles or traits the rule never applies to.
    pub except: Vec<String>,
    /// Attribute paths (`isEncrypted`, `sink.usesMFA`) with the value that closes the finding.
    pub mitigated_by: Vec<(String, Node)>,
    /// Our rules read an unset attribute as unknown (a question); pytm's
    /// library keeps pytm's meaning, where it has its default.
    pub three_valued: bool,
    /// The model threat (index into `Model::threats`) this rule stands for:
    /// its findings are of source "model" (`Library::set_model_threats`).
    pub threat: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Fixtures {
    pub matching: Node,
    pub not_matching: Node,
}
