//! Threats the team wrote down, or an import carried over from another tool:
//! what people concluded, beside what rules find. Every report, export and
//! gate shows them as findings of source "model".

use crate::{Dread, Item, Likelihood, Mappings, Severity, Status, Stride};
use tms_syntax::source::Pos;

/// One threat in the model's `threats:` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Threat {
    /// Unique among threats; the finding ids are `ID@TARGET` (or `ID` for a
    /// threat to the system as a whole).
    pub id: String,
    pub title: String,
    pub description: String,
    pub stride: Vec<Stride>,
    /// The elements and flows it affects, in the order written; empty for a
    /// threat to the system as a whole.
    pub affects: Vec<Item>,
    /// The impact as written; `effective_severity` fills a gap from CVSS or DREAD.
    pub severity: Option<Severity>,
    pub likelihood: Option<Likelihood>,
    pub cvss: Option<String>,
    pub dread: Option<Dread>,
    pub status: Status,
    pub justification: Option<String>,
    pub mitigations: Vec<String>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// ISO date `YYYY-MM-DD`; after it a closed threat counts as open again.
    pub expires: Option<String>,
    pub mappings: Option<Mappings>,
    pub references: Vec<String>,
    pub pos: Pos,
}

impl Threat {
    /// A threat with only its id, title and place: the shape an importer
    /// starts from before it adds what its source records.
    pub fn new(id: impl Into<String>, title: impl Into<String>, pos: Pos) -> Threat {
        Threat {
            id: id.into(),
            title: title.into(),
            description: String::new(),
            stride: Vec::new(),
            affects: Vec::new(),
            severity: None,
            likelihood: None,
            cvss: None,
            dread: None,
            status: Status::Open,
            justification: None,
            mitigations: Vec::new(),
            owner: None,
            ticket: None,
            expires: None,
            mappings: None,
            references: Vec::new(),
            pos,
        }
    }

    /// The severity reports carry: as written; else the CVSS vector's
    /// (section 2's bands); else the DREAD score's; else medium, the middle
    /// of the scale, which says "not assessed" no louder than it must.
    pub fn effective_severity(&self) -> Severity {
        if let Some(s) = self.severity {
            return s;
        }
        if let Some(score) = self.cvss.as_deref().and_then(|v| crate::risk::cvss(v).ok()) {
            return crate::risk::severity_of_cvss(&score);
        }
        if let Some(d) = &self.dread {
            return crate::risk::severity_of_dread(crate::risk::dread_score(d));
        }
        Severity::Medium
    }
}
