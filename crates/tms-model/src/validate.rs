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
        if t.status != Status::Open
            && t.justification
                .as_deref()
                .is_none_or(|j| j.trim().is_empty())
        {
            d.push(
                Diagnostic::warning(
                    file,
                    t.pos,
                    format!(
                        "`{}` is marked {} without a justification",
                        t.finding, t.status
                    ),
                )
                .with_hint("say why in `justification`: the model is the record of the decision"),
            );
        }
        if let Some(exp) = t.expires.as_deref().and_then(tms_syntax::dates::parse_date) {
            if exp < today {
                d.push(
                    Diagnostic::warning(
                        file,
                        t.pos,
                        format!(
                            "the decision on `{}` expired on {exp}; the finding counts as open again",
                            t.finding
                        ),
                    )
                    .with_hint("review the decision, then move `expires` to a later date"),
                );
            }
        }
    }
    d
}
