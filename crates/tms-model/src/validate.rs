//! Checks on a model that read cleanly: what is legal but probably a mistake.
//! Errors about structure and references are found while reading (formats::native).

use crate::*;
use tms_syntax::diag::{Diagnostic, Diagnostics};

pub fn warnings(model: &Model) -> Diagnostics {
    let mut d = Diagnostics::default();
    let file = model.file.as_str();
    let mut has_flow = vec![false; model.elements.len()];
    for f in &model.flows {
        has_flow[f.source] = true;
        has_flow[f.sink] = true;
    }
    for (e, used) in model.elements.iter().zip(&has_flow) {
        if !used {
            d.push(
                Diagnostic::warning(file, e.pos, format!("the element `{}` has no flows", e.id))
                    .with_hint(
                        "connect it with a flow, or remove it; rules on flows cannot see it",
                    ),
            );
        }
    }

    let mut holds = vec![false; model.boundaries.len()];
    for e in &model.elements {
        if let Some(b) = e.boundary {
            holds[b] = true;
        }
    }
    for b in &model.boundaries {
        if let Some(p) = b.parent {
            holds[p] = true;
        }
    }
    for (b, held) in model.boundaries.iter().zip(&holds) {
        if !held {
            d.push(
                Diagnostic::warning(file, b.pos, format!("the boundary `{}` holds nothing", b.id))
                    .with_hint(format!(
                        "place elements in it with `boundary: {}` (or nest a boundary with `parent: {}`), or remove it",
                        b.id, b.id
                    )),
            );
        }
    }

    let mut data_used = vec![false; model.data.len()];
    for i in model
        .flows
        .iter()
        .flat_map(|f| &f.data)
        .chain(model.elements.iter().flat_map(|e| &e.data))
    {
        data_used[*i] = true;
    }
    for (da, used) in model.data.iter().zip(&data_used) {
        if !used {
            d.push(
                Diagnostic::warning(
                    file,
                    da.pos,
                    format!("the data asset `{}` is carried by no flow", da.id),
                )
                .with_hint("list it in a flow's `data` or an element's `data`"),
            );
        }
    }

    for f in &model.flows {
        if let Some(req) = f.response_to {
            let r = &model.flows[req];
            if !(f.source == r.sink && f.sink == r.source) {
                d.push(
                    Diagnostic::warning(
                        file,
                        f.pos,
                        format!(
                            "the flow `{}` answers `{}` but does not run the other way",
                            f.id, r.id
                        ),
                    )
                    .with_hint(format!(
                        "a response goes from `{}` to `{}`",
                        model.elements[r.sink].id, model.elements[r.source].id
                    )),
                );
            }
        }
    }

    let today = tms_syntax::dates::today();
    for t in &model.triage {
        let decision = Decision {
            what: &t.finding,
            status: t.status,
            justification: t.justification.as_deref(),
            expires: t.expires.as_deref(),
            pos: t.pos,
        };
        decision.check(file, today, &mut d);
    }
    for t in &model.threats {
        let decision = Decision {
            what: &t.id,
            status: t.status,
            justification: t.justification.as_deref(),
            expires: t.expires.as_deref(),
            pos: t.pos,
        };
        decision.check(file, today, &mut d);
    }
    d
}

/// A team's decision, in a triage entry or on a stated threat: a closed one
/// says why, and one past its date counts as open again.
struct Decision<'a> {
    what: &'a str,
    status: Status,
    justification: Option<&'a str>,
    expires: Option<&'a str>,
    pos: Pos,
}

impl Decision<'_> {
    fn check(&self, file: &str, today: tms_syntax::dates::Date, d: &mut Diagnostics) {
        if self.status != Status::Open && self.justification.is_none_or(|j| j.trim().is_empty()) {
            d.push(
                Diagnostic::warning(
                    file,
                    self.pos,
                    format!(
                        "`{}` is marked {} without a justification",
                        self.what, self.status
                    ),
                )
                .with_hint("say why in `justification`: the model is the record of the decision"),
            );
        }
        let Some(exp) = self.expires.and_then(tms_syntax::dates::parse_date) else {
            return;
        };
        if exp < today && self.status != Status::Open {
            d.push(
                Diagnostic::warning(
                    file,
                    self.pos,
                    format!(
                        "the decision on `{}` expired on {exp}; the finding counts as open again",
                        self.what
                    ),
                )
                .with_hint("review the decision, then move `expires` to a later date"),
            );
        }
    }
}
