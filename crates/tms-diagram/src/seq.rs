//! The sequence diagram of a model: its flows as messages, in flow order.
//!
//! Flows with an `order` come first, by order (ties in model order); flows
//! without one follow in model order. pytm puts unordered flows first; we put
//! them last so that a model which orders its main path reads that path first.
//! Participants are the elements that send or receive a drawn flow, grouped by
//! their innermost trust boundary, groups in order of first appearance.

use super::{clean_label, flow_label, order_of, visible_elements, visible_flows, Options};
use tms_model::{ElementKind, Model};

#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// A generated identifier, safe in every format.
    pub key: String,
    pub label: String,
    pub kind: ElementKind,
    pub group: Option<usize>,
}

/// A trust boundary around consecutive participants.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    pub participants: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub response: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Seq {
    pub title: String,
    pub participants: Vec<Participant>,
    pub groups: Vec<Group>,
    pub messages: Vec<Message>,
}

impl Seq {
    pub fn build(model: &Model, opts: &Options) -> Seq {
        let shown = visible_elements(model, opts);
        let drawn = visible_flows(model, opts, &shown);
        let mut flows: Vec<usize> = (0..model.flows.len()).filter(|i| drawn[*i]).collect();
        // A stable sort keeps model order among equal orders and among unordered flows.
        flows.sort_by_key(|i| match order_of(&model.flows[*i]) {
            Some(o) => (0, o),
            None => (1, 0),
        });

        // Elements in order of first appearance, then grouped by boundary.
        let mut first_seen: Vec<usize> = Vec::new();
        let mut seen = vec![false; model.elements.len()];
        for &i in &flows {
            let f = &model.flows[i];
            for e in [f.source, f.sink] {
                if !seen[e] {
                    seen[e] = true;
                    first_seen.push(e);
                }
            }
        }
        let mut group_of_boundary: Vec<Option<usize>> = vec![None; model.boundaries.len()];
        let mut groups: Vec<Group> = Vec::new();
        // Each slot is a boundary group or a lone participant, in first-seen order.
        let mut slots: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
        let mut slot_of_group: Vec<usize> = Vec::new();
        for &e in &first_seen {
            match model.elements[e].boundary {
                Some(b) => {
                    let g = *group_of_boundary[b].get_or_insert_with(|| {
                        groups.push(Group {
                            label: clean_label(&model.boundaries[b].name),
                            participants: Vec::new(),
                        });
                        slot_of_group.push(slots.len());
                        slots.push((Some(groups.len() - 1), Vec::new()));
                        groups.len() - 1
                    });
                    slots[slot_of_group[g]].1.push(e);
                }
                None => slots.push((None, vec![e])),
            }
        }
        let mut participants = Vec::new();
        let mut index_of = vec![usize::MAX; model.elements.len()];
        for (group, members) in slots {
            for e in members {
                index_of[e] = participants.len();
                if let Some(g) = group {
                    groups[g].participants.push(participants.len());
                }
                let el = &model.elements[e];
                participants.push(Participant {
                    key: format!("p{e}"),
                    label: clean_label(&el.name),
                    kind: el.kind,
                    group,
                });
            }
        }
        let messages = flows
            .iter()
            .map(|&i| {
                let f = &model.flows[i];
                Message {
                    from: index_of[f.source],
                    to: index_of[f.sink],
                    label: flow_label(f),
                    response: model.is_response(f),
                }
            })
            .collect();
        Seq {
            title: clean_label(&model.title),
            participants,
            groups,
            messages,
        }
    }
}
