//! Rules: one entry of data each, compiled once, evaluated over every target.

pub mod engine;
pub mod library;
pub mod pytm;

use serde::Serialize;

use crate::condition::Compiled;
use crate::model::{Severity, Targets};
use crate::source::{Node, Pos};

macro_rules! letters {
    ($name:ident { $($v:ident = $s:literal, $long:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            pub fn long_name(self) -> &'static str { match self { $($name::$v => $long),+ } }
            pub fn parse(s: &str) -> Option<Self> {
                let t = s.trim();
                $( if t.eq_ignore_ascii_case($s) || t.eq_ignore_ascii_case($long) { return Some($name::$v); } )+
                None
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
    };
}

letters!(Stride {
    S = "S", "Spoofing",
    T = "T", "Tampering",
    R = "R", "Repudiation",
    I = "I", "Information disclosure",
    D = "D", "Denial of service",
    E = "E", "Elevation of privilege",
});

letters!(Likelihood {
    VeryLow = "very-low", "very low",
    Low = "low", "unlikely",
    Medium = "medium", "possible",
    High = "high", "likely",
    VeryHigh = "very-high", "very high",
});

impl Likelihood {
    /// 1 (very low) to 5 (very high): the likelihood axis of the risk matrix.
    pub fn score(self) -> u8 {
        self as u8 + 1
    }
}

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
