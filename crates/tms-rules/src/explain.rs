//! Why a finding fired: the attributes its rules read on the way to `true`,
//! with what they held and where that came from (stated in the model, derived
//! by tms, implied by a role or a protocol). Computed on demand, for the
//! findings a report writes or `tms explain` shows, so matching pays nothing.

use serde::Serialize;

use crate::condition::eval::{verdict_with, State, Verdict};
use crate::condition::{Ctx, TargetRef};
use crate::engine::{target_id, Finding};
use crate::library::Library;
use crate::view::{target_pos, Location};
use tms_model::graph::Graph;
use tms_model::Model;

/// One fact a rule relied on.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence<'a> {
    pub attribute: &'static str,
    pub value: serde_json::Value,
    pub source: &'static str,
    /// The element or flow that holds it.
    pub on: &'a str,
    pub location: Location<'a>,
}

/// The evaluation context for one model, built once and reused for many findings.
pub struct Explainer<'a> {
    model: &'a Model,
    lib: &'a Library,
    graph: Graph,
}

impl<'a> Explainer<'a> {
    pub fn new(model: &'a Model, lib: &'a Library) -> Explainer<'a> {
        Explainer {
            model,
            lib,
            graph: Graph::build(model),
        }
    }

    /// The facts behind a finding, each once, in the order its rules read them.
    pub fn evidence(&self, f: &Finding) -> Vec<Evidence<'a>> {
        let ctx = Ctx {
            model: self.model,
            graph: &self.graph,
            three_valued: true,
        };
        let mut st = State::recording();
        let mut seen: Vec<(TargetRef, tms_model::AttrId)> = Vec::new();
        let mut out = Vec::new();
        for (rule, at) in &f.matches {
            let r = &self.lib.rules[*rule];
            if !r.three_valued {
                continue;
            }
            if verdict_with(&r.compiled, ctx, *at, &mut st) != Verdict::True {
                continue;
            }
            for read in &st.reads {
                if seen.contains(&(read.item, read.attr)) {
                    continue;
                }
                seen.push((read.item, read.attr));
                let pos = target_pos(self.model, read.item);
                out.push(Evidence {
                    attribute: read.attr.def().name,
                    value: read.value.as_ref().to_json(),
                    source: read.source.as_str(),
                    on: target_id(self.model, read.item),
                    location: Location {
                        file: &self.model.file,
                        line: pos.line,
                        column: pos.col,
                    },
                });
            }
            for read in &st.data_reads {
                let d = &self.model.data[read.data];
                if out
                    .iter()
                    .any(|e| e.on == d.id && e.attribute == read.field)
                {
                    continue;
                }
                out.push(Evidence {
                    attribute: read.field,
                    value: read.value.clone(),
                    source: if d.derived.contains(read.field) {
                        "derived"
                    } else {
                        "stated"
                    },
                    on: &d.id,
                    location: Location {
                        file: &self.model.file,
                        line: d.pos.line,
                        column: d.pos.col,
                    },
                });
            }
        }
        out
    }
}
