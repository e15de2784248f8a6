//! Severity from evidence (contract section 2): a finding's severity is its
//! rule's impact, raised or lowered by how exposed the target is and by the
//! most sensitive data that reaches it. The formula is documented in the
//! README ("Severity") and every report shows its inputs.

use serde::Serialize;

use crate::condition::TargetRef;
use tms_model::{Classification, ElementKind, Model, Severity};

/// How directly a less trusted party reaches a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Deep inside: two or more hops from any outside party, or unreachable.
    Internal,
    /// One hop behind an element an outside party talks to.
    Adjacent,
    /// An outside party (actor, external entity) is, or talks to, the target.
    External,
}

impl Exposure {
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Internal => "internal",
            Exposure::Adjacent => "adjacent",
            Exposure::External => "external",
        }
    }
}

/// What severity is assessed from, computed once per model: every element's
/// hop distance from the outside parties (over forward flows) and the most
/// sensitive data that reaches it (its own, and what its incoming flows carry).
pub struct Reach {
    hops: Vec<u32>,
    data: Vec<Option<Classification>>,
}

const FAR: u32 = u32::MAX;

fn is_outside(kind: ElementKind) -> bool {
    matches!(kind, ElementKind::Actor | ElementKind::ExternalEntity)
}

impl Reach {
    pub fn of(model: &Model) -> Reach {
        let n = model.elements.len();
        let mut hops = vec![FAR; n];
        let mut queue = std::collections::VecDeque::new();
        for (i, e) in model.elements.iter().enumerate() {
            if is_outside(e.kind) {
                hops[i] = 0;
                queue.push_back(i);
            }
        }
        let class = |d: &usize| model.data[*d].classification;
        let mut data: Vec<Option<Classification>> = model
            .elements
            .iter()
            .map(|e| e.data.iter().map(class).max())
            .collect();
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
        for f in &model.flows {
            if f.response_to.is_none() {
                out[f.source].push(f.sink);
            }
            data[f.sink] = data[f.sink].max(f.data.iter().map(class).max());
        }
        // Breadth first: every element is queued once, so this ends.
        while let Some(e) = queue.pop_front() {
            for &s in &out[e] {
                if hops[s] == FAR {
                    hops[s] = hops[e] + 1;
                    queue.push_back(s);
                }
            }
        }
        Reach { hops, data }
    }

    fn element(&self, e: usize) -> Exposure {
        match self.hops[e] {
            0 | 1 => Exposure::External,
            2 => Exposure::Adjacent,
            _ => Exposure::Internal,
        }
    }

    /// The most sensitive class of data that reaches the target: a flow's
    /// data; an element's own data and what its incoming flows carry. `None`
    /// when no data is modelled there.
    pub fn data_class(&self, model: &Model, t: TargetRef) -> Option<Classification> {
        match t {
            TargetRef::Flow(f) => model.flows[f]
                .data
                .iter()
                .map(|d| model.data[*d].classification)
                .max(),
            TargetRef::Element(e) => self.data[e],
            // The system holds all its data.
            TargetRef::Model => model.data.iter().map(|d| d.classification).max(),
        }
    }

    pub fn exposure(&self, model: &Model, t: TargetRef) -> Exposure {
        match t {
            TargetRef::Element(e) => self.element(e),
            TargetRef::Flow(f) => {
                let fl = &model.flows[f];
                // A flow is as exposed as the more exposed of its ends.
                self.element(fl.source).max(self.element(fl.sink))
            }
            // The system is as exposed as its most exposed part.
            TargetRef::Model => Exposure::External,
        }
    }
}

/// The documented adjustment: one level up for secret or top-secret data on
/// an externally exposed target; one down for an internal target; one down
/// when only public data reaches it. Never below `info`, never above `critical`.
pub fn assessed(rule: Severity, exposure: Exposure, data: Option<Classification>) -> Severity {
    let mut level = rule as i8;
    let secret = data.is_some_and(|c| c >= Classification::Secret);
    if exposure == Exposure::External && secret {
        level += 1;
    }
    if exposure == Exposure::Internal {
        level -= 1;
    }
    if data == Some(Classification::Public) {
        level -= 1;
    }
    let max = Severity::ALL.len() as i8 - 1;
    Severity::ALL[level.clamp(0, max) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_moves_one_step_at_most_each_way() {
        use Classification::*;
        use Exposure::*;
        assert_eq!(
            assessed(Severity::High, External, Some(Secret)),
            Severity::Critical
        );
        assert_eq!(
            assessed(Severity::High, External, Some(Sensitive)),
            Severity::High
        );
        assert_eq!(
            assessed(Severity::High, Adjacent, Some(TopSecret)),
            Severity::High
        );
        assert_eq!(assessed(Severity::High, Internal, None), Severity::Medium);
        assert_eq!(
            assessed(Severity::Low, Internal, Some(Public)),
            Severity::Info
        );
        assert_eq!(
            assessed(Severity::Info, Internal, Some(Public)),
            Severity::Info
        );
        assert_eq!(
            assessed(Severity::Critical, External, Some(TopSecret)),
            Severity::Critical
        );
    }
}
