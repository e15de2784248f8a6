//! Rules: one entry of data each, compiled once, evaluated over every target.

pub mod condition;
pub mod engine;
pub mod library;
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
}

#[derive(Debug, Clone)]
pub struct Fixtures {
    pub matching: Node,
    pub not_matching: Node,
}
