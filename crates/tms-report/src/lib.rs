//! Reports: one serialisable view of an analysed model, written out per format.

pub mod coverage;
pub mod csv;
pub mod data;
pub mod diff;
pub mod formats;
pub mod html;
pub mod json;
pub mod json1;
mod json_text;
pub mod markdown;
pub mod md;
pub mod rule_list;
pub mod sarif;
pub mod stix;
pub mod template;
pub mod trackers;

use serde::Serialize;

use tms_model::*;
use tms_rules::engine::Analysis;
use tms_rules::library::Library;
use tms_rules::Stride;

pub use tms_rules::view::*;

/// Counts for the summary, in a fixed order so output is stable.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub total: usize,
    pub open: usize,
    pub by_severity: serde_json::Map<String, serde_json::Value>,
    pub by_stride: serde_json::Map<String, serde_json::Value>,
    pub by_status: serde_json::Map<String, serde_json::Value>,
}

pub fn summary(model: &Model, lib: &Library, a: &Analysis) -> Summary {
    let mut sev = [0usize; 5];
    let mut stride = [0usize; 6];
    let mut status = [0usize; 6];
    for f in &a.findings {
        sev[severity(model, lib, f) as usize] += 1;
        for s in &lib.rules[f.rule].stride {
            stride[*s as usize] += 1;
        }
        status[f.status as usize] += 1;
    }
    let counts = |names: &mut dyn Iterator<Item = &'static str>, values: &[usize]| {
        names
            .zip(values)
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (k.to_string(), serde_json::Value::from(*n)))
            .collect::<serde_json::Map<_, _>>()
    };
    // Severity from the worst down, as people read it.
    let sev_names = Severity::ALL.iter().rev().map(|s| s.as_str());
    let sev_counts: Vec<usize> = Severity::ALL
        .iter()
        .rev()
        .map(|s| sev[*s as usize])
        .collect();
    Summary {
        total: a.findings.len(),
        open: status[Status::Open as usize],
        by_severity: counts(&mut sev_names.into_iter(), &sev_counts),
        by_stride: counts(&mut Stride::ALL.iter().map(|s| s.as_str()), &stride),
        by_status: counts(&mut Status::ALL.iter().map(|s| s.as_str()), &status),
    }
}
