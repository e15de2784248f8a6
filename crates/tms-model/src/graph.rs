//! Relations between items that rules read but the model does not store:
//! each element's incoming and outgoing flows and each request's response.

use super::{FlowIdx, Model};

#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Forward (non-response) flows into each element, in model order, as pytm lists them.
    pub inputs: Vec<Vec<FlowIdx>>,
    pub outputs: Vec<Vec<FlowIdx>>,
    /// Every flow into / out of each element, responses included.
    pub incoming: Vec<Vec<FlowIdx>>,
    pub outgoing: Vec<Vec<FlowIdx>>,
    /// The flow answering each flow, if any.
    pub response: Vec<Option<FlowIdx>>,
}

impl Graph {
    pub fn build(model: &Model) -> Self {
        let mut g = Graph {
            inputs: vec![Vec::new(); model.elements.len()],
            outputs: vec![Vec::new(); model.elements.len()],
            incoming: vec![Vec::new(); model.elements.len()],
            outgoing: vec![Vec::new(); model.elements.len()],
            response: vec![None; model.flows.len()],
        };
        for (i, f) in model.flows.iter().enumerate() {
            if let Some(req) = f.response_to {
                g.response[req].get_or_insert(i);
            }
            g.incoming[f.sink].push(i);
            g.outgoing[f.source].push(i);
            if model.is_response(f) {
                continue;
            }
            g.inputs[f.sink].push(i);
            g.outputs[f.source].push(i);
        }
        g
    }
}
