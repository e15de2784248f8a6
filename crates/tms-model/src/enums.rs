//! The closed vocabularies of the model: element kinds and pytm's enumerations.
//!
//! Each enum knows its spelling in model files (kebab-case, as the contract
//! writes it) and the other spellings we accept from pytm files.

use serde::Serialize;

macro_rules! spelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $spelling:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling a model file uses.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $spelling),+ }
            }

            /// Accepts the canonical spelling and pytm's, case-insensitively.
            pub fn parse(s: &str) -> Option<Self> {
                let lower = s.trim().to_ascii_lowercase();
                $(
                    if lower == $spelling.to_ascii_lowercase() $(|| lower == $alias.to_ascii_lowercase())* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            pub fn spellings() -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().map(|v| v.as_str())
            }

            /// The other spellings `parse` accepts (pytm's, ...).
            pub fn aliases() -> impl Iterator<Item = &'static str> {
                [$($($alias,)*)+].into_iter()
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled_enum!(
    /// What an element is. pytm's class names are accepted as aliases.
    ElementKind {
        Actor = "actor",
        ExternalEntity = "external-entity" | "externalentity" | "external_entity",
        Process = "process",
        SetOfProcesses = "set-of-processes" | "setofprocesses" | "set_of_processes",
        Server = "server",
        Lambda = "lambda",
        Datastore = "datastore" | "data-store",
        Agent = "agent",
        Llm = "llm",
    }
);

impl ElementKind {
    /// The pytm 1.4 class this kind corresponds to.
    pub fn pytm_class(self) -> &'static str {
        match self {
            ElementKind::Actor => "Actor",
            ElementKind::ExternalEntity => "ExternalEntity",
            ElementKind::Process => "Process",
            ElementKind::SetOfProcesses => "SetOfProcesses",
            ElementKind::Server => "Server",
            ElementKind::Lambda => "Lambda",
            ElementKind::Datastore => "Datastore",
            ElementKind::Agent => "Agent",
            ElementKind::Llm => "LLM",
        }
    }

    pub fn from_pytm_class(class: &str) -> Option<Self> {
        ElementKind::ALL
            .iter()
            .copied()
            .find(|k| k.pytm_class() == class)
    }

    pub fn bit(self) -> Targets {
        Targets(1 << (self as u16))
    }

    /// Humans and systems outside our control that the model does not describe inside.
    pub fn is_external(self) -> bool {
        matches!(self, ElementKind::Actor | ElementKind::ExternalEntity)
    }
}

/// A set of target kinds (element kinds and flows), used by attribute and rule tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Targets(pub u16);

impl Targets {
    pub const FLOW: Targets = Targets(1 << 9);
    pub const ELEMENTS: Targets = Targets((1 << 9) - 1);
    pub const ALL: Targets = Targets((1 << 10) - 1);
    /// pytm's `Asset`: every element but `Actor`.
    pub const ASSETS: Targets = Targets(Self::ELEMENTS.0 & !1);
    pub const PROCESSES: Targets =
        Targets((1 << ElementKind::Process as u16) | (1 << ElementKind::SetOfProcesses as u16));

    pub const fn union(self, other: Targets) -> Targets {
        Targets(self.0 | other.0)
    }

    pub fn contains_kind(self, k: ElementKind) -> bool {
        self.0 & k.bit().0 != 0
    }

    pub fn contains_flow(self) -> bool {
        self.0 & Self::FLOW.0 != 0
    }

    pub fn intersects(self, other: Targets) -> bool {
        self.0 & other.0 != 0
    }

    /// The names of the kinds in the set, flows last.
    pub fn names(self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = ElementKind::ALL
            .iter()
            .filter(|k| self.contains_kind(**k))
            .map(|k| k.as_str())
            .collect();
        if self.contains_flow() {
            v.push("flow");
        }
        v
    }
}

spelled_enum!(
    /// How sensitive a datum is; ordered as pytm orders it.
    Classification {
        Unknown = "unknown",
        Public = "public",
        Restricted = "restricted",
        Sensitive = "sensitive",
        Secret = "secret",
        TopSecret = "top-secret" | "top_secret" | "topsecret",
    }
);

spelled_enum!(
    /// How long credentials stay valid, and how they can be revoked.
    Lifetime {
        None = "none",
        Unknown = "unknown",
        Short = "short-lived" | "short" | "short_lived",
        Long = "long-lived" | "long" | "long_lived",
        Auto = "auto-revokable" | "auto" | "auto_revokable",
        Manual = "manually-revokable" | "manual" | "manually_revokable",
        Hardcoded = "hardcoded",
    }
);

spelled_enum!(
    /// Protocol versions, ordered from weakest.
    TlsVersion {
        None = "none",
        SslV1 = "SSLv1",
        SslV2 = "SSLv2",
        SslV3 = "SSLv3",
        TlsV10 = "TLSv1.0" | "TLSv10" | "TLS1.0",
        TlsV11 = "TLSv1.1" | "TLSv11" | "TLS1.1",
        TlsV12 = "TLSv1.2" | "TLSv12" | "TLS1.2",
        TlsV13 = "TLSv1.3" | "TLSv13" | "TLS1.3",
    }
);

spelled_enum!(
    /// pytm's `DatastoreType`.
    DatastoreType {
        Unknown = "unknown",
        FileSystem = "file-system" | "file_system" | "filesystem",
        Sql = "sql",
        Ldap = "ldap",
        AwsS3 = "aws-s3" | "aws_s3" | "s3",
    }
);

spelled_enum!(
    /// What the team decided about a finding.
    Status {
        Open = "open",
        Mitigated = "mitigated",
        Accepted = "accepted",
        NotApplicable = "not-applicable",
        FalsePositive = "false-positive",
        Transferred = "transferred",
    }
);

spelled_enum!(
    Severity {
        Info = "info",
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
);

// Ordered vocabularies of rules and risk: STRIDE categories and likelihood.
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
