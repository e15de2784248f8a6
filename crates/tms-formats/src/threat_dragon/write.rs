//! OWASP Threat Dragon v2: the model as one diagram Threat Dragon opens, with
//! the findings as threats on their elements and flows.
//!
//! | model | Threat Dragon |
//! |---|---|
//! | actor, external entity | `actor` |
//! | process, set of processes, server, lambda, agent, LLM | `process` |
//! | datastore | `store` (`isEncrypted`, `isSigned`, `isALog`, `storesCredentials` from its attributes) |
//! | flow | `flow` (`isEncrypted`, `protocol`) |
//! | boundary | `trust-boundary-box` around what it holds |
//! | finding | threat: rule title, STRIDE type, severity, status; `mitigation` is the triage justification or the rule's mitigation |
//!
//! Threat Dragon has no data assets; they are not exported. Each element
//! keeps its tms type and attributes in `tmsType` / `tmsAttributes` and each
//! threat its rule in `ruleId` (a stated threat its id in `tmsThreatId`),
//! which Threat Dragon leaves alone and
//! `tms import --from threat-dragon` reads back. Cells are laid out on a grid,
//! boundaries as nested boxes; ids are ours (a UUID made from it where ours is
//! too short for Threat Dragon), threat ids are UUIDs made from the finding
//! id, so the output is deterministic.

use std::io::Write;

use serde_json::{json, Map, Value as J};
use uuid::Uuid;

use crate::threat_dragon::{shape_of, status_name};
use tms_model::attr_id;
use tms_model::*;
use tms_rules::condition::TargetRef;
use tms_rules::engine::{Analysis, Finding};
use tms_rules::library::Library;

/// The Threat Dragon version whose files this writes.
pub const VERSION: &str = "2.4.0";

/// Grid slot of one element, and the space around and above a box's content.
const SLOT_W: f64 = 220.0;
const SLOT_H: f64 = 160.0;
const PAD: f64 = 30.0;
const HEADER: f64 = 40.0;

pub fn write(
    out: &mut dyn Write,
    model: &Model,
    lib: &Library,
    analysis: &Analysis,
) -> std::io::Result<()> {
    tms_syntax::output::write_json_pretty(out, &document(model, lib, analysis))
}

/// A node's size as Threat Dragon draws that shape.
fn node_size(k: ElementKind) -> (f64, f64) {
    match shape_of(k) {
        "process" => (100.0, 100.0),
        _ => (160.0, 80.0),
    }
}

/// Where everything goes: positions of elements and boxes of boundaries.
struct Layout {
    elements: Vec<(f64, f64)>,
    boxes: Vec<(f64, f64, f64, f64)>,
}

/// Lays out a container (a boundary, or the whole diagram for `None`): its
/// own elements on a grid, then its child boundaries side by side below.
/// Returns the size; positions are relative to the container's corner.
struct Placer<'a> {
    model: &'a Model,
    children: Vec<Vec<BoundaryIdx>>,
    roots: Vec<BoundaryIdx>,
    members: Vec<Vec<ElementIdx>>,
    loose: Vec<ElementIdx>,
    rel_el: Vec<(f64, f64)>,
    rel_box: Vec<(f64, f64, f64, f64)>,
}

impl Placer<'_> {
    fn size(&mut self, b: Option<BoundaryIdx>) -> (f64, f64) {
        let (els, kids) = match b {
            Some(b) => (self.members[b].clone(), self.children[b].clone()),
            None => (self.loose.clone(), self.roots.clone()),
        };
        let (inset, top) = if b.is_some() {
            (PAD, HEADER)
        } else {
            (0.0, 0.0)
        };
        let cols = (els.len() as f64).sqrt().ceil().max(1.0) as usize;
        let rows = els.len().div_ceil(cols);
        for (k, e) in els.iter().enumerate() {
            let (w, h) = node_size(self.model.elements[*e].kind);
            let (c, r) = ((k % cols) as f64, (k / cols) as f64);
            self.rel_el[*e] = (
                inset + c * SLOT_W + (SLOT_W - w) / 2.0,
                top + r * SLOT_H + (SLOT_H - h) / 2.0,
            );
        }
        let grid_w = if els.is_empty() {
            0.0
        } else {
            cols as f64 * SLOT_W
        };
        let grid_h = rows as f64 * SLOT_H;
        let mut x = inset;
        let y = top + grid_h + if els.is_empty() { 0.0 } else { PAD };
        let mut row_h: f64 = 0.0;
        for k in kids {
            let (w, h) = self.size(Some(k));
            self.rel_box[k] = (x, y, w, h);
            x += w + PAD;
            row_h = row_h.max(h);
        }
        let kids_w = x - inset - if x > inset { PAD } else { 0.0 };
        let w = grid_w
            .max(kids_w)
            .max(if b.is_some() { 120.0 } else { 0.0 })
            + 2.0 * inset;
        let h = y + row_h + inset;
        (w, h.max(top + 60.0))
    }

    /// Turns relative positions into diagram positions.
    fn place(&self, b: Option<BoundaryIdx>, ox: f64, oy: f64, out: &mut Layout) {
        let (els, kids) = match b {
            Some(b) => (&self.members[b], &self.children[b]),
            None => (&self.loose, &self.roots),
        };
        for e in els {
            let (x, y) = self.rel_el[*e];
            out.elements[*e] = (ox + x, oy + y);
        }
        for k in kids {
            let (x, y, w, h) = self.rel_box[*k];
            out.boxes[*k] = (ox + x, oy + y, w, h);
            self.place(Some(*k), ox + x, oy + y, out);
        }
    }
}

fn layout(model: &Model) -> Layout {
    let nb = model.boundaries.len();
    let mut children = vec![Vec::new(); nb];
    let mut roots = Vec::new();
    for (i, b) in model.boundaries.iter().enumerate() {
        match b.parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    let mut members = vec![Vec::new(); nb];
    let mut loose = Vec::new();
    for (i, e) in model.elements.iter().enumerate() {
        match e.boundary {
            Some(b) => members[b].push(i),
            None => loose.push(i),
        }
    }
    let mut p = Placer {
        model,
        children,
        roots,
        members,
        loose,
        rel_el: vec![(0.0, 0.0); model.elements.len()],
        rel_box: vec![(0.0, 0.0, 0.0, 0.0); nb],
    };
    p.size(None);
    let mut out = Layout {
        elements: vec![(0.0, 0.0); model.elements.len()],
        boxes: vec![(0.0, 0.0, 0.0, 0.0); nb],
    };
    p.place(None, 40.0, 40.0, &mut out);
    out
}

/// Threat Dragon wants ids of two characters or more.
fn cell_id(id: &str) -> String {
    if id.chars().count() >= 2 {
        id.to_string()
    } else {
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("tms:threat-dragon:cell:{id}").as_bytes(),
        )
        .to_string()
    }
}

/// Threat Dragon's threat types for STRIDE.
fn stride_type(s: tms_rules::Stride) -> &'static str {
    use tms_rules::Stride::*;
    match s {
        S => "Spoofing",
        T => "Tampering",
        R => "Repudiation",
        I => "Information disclosure",
        D => "Denial of service",
        E => "Elevation of privilege",
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info | Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

fn threats(model: &Model, lib: &Library, findings: &[&Finding], number: &mut usize) -> Vec<J> {
    findings
        .iter()
        .map(|f| {
            *number += 1;
            let rule = &lib.rules[f.rule];
            let severity = tms_rules::view::severity(model, lib, f);
            let view = tms_rules::view::finding_view(model, lib, f);
            let mitigation = f
                .justification
                .clone()
                .unwrap_or_else(|| rule.mitigation.clone());
            let mut t = Map::new();
            t.insert(
                "id".into(),
                json!(Uuid::new_v5(
                    &Uuid::NAMESPACE_URL,
                    format!("tms:threat-dragon:finding:{}", f.id).as_bytes()
                )
                .to_string()),
            );
            t.insert("title".into(), json!(rule.title));
            t.insert("status".into(), json!(status_name(f.status)));
            t.insert("severity".into(), json!(severity_name(severity)));
            t.insert(
                "type".into(),
                json!(rule.stride.first().map_or("Spoofing", |s| stride_type(*s))),
            );
            t.insert("description".into(), json!(rule.description));
            t.insert("mitigation".into(), json!(mitigation));
            t.insert("modelType".into(), json!("STRIDE"));
            t.insert("new".into(), json!(false));
            t.insert("number".into(), json!(*number));
            t.insert("score".into(), json!(view.risk.level.as_str()));
            // A stated threat is no rule of tms's: its id reads back as the
            // threat's, not as triage of a rule.
            if rule.threat.is_some() {
                t.insert("tmsThreatId".into(), json!(rule.id));
            } else {
                t.insert("ruleId".into(), json!(rule.id));
            }
            if f.status == Status::Open {
                if let Some(j) = &f.justification {
                    t.insert("justification".into(), json!(j));
                }
            }
            J::Object(t)
        })
        .collect()
}

fn attrs_json(attrs: &Attrs) -> J {
    J::Object(
        attrs
            .iter()
            .map(|(id, v)| (id.def().name.to_string(), v.as_ref().to_json()))
            .collect(),
    )
}

fn prop_bool(p: &Properties, key: &str) -> bool {
    p.get(key) == Some(&J::Bool(true))
}

fn prop_str(p: &Properties, key: &str) -> String {
    p.get(key).and_then(J::as_str).unwrap_or("").to_string()
}

fn element_cell(model: &Model, e: &Element, pos: (f64, f64), threats: Vec<J>, z: usize) -> J {
    let shape = shape_of(e.kind);
    let (w, h) = node_size(e.kind);
    let open = threats
        .iter()
        .any(|t| t.get("status").and_then(J::as_str) == Some("Open"));
    let in_scope = e.attrs.flag(attr_id::IN_SCOPE);
    let flag = |name: &str| attrs::lookup(name).is_some_and(|id| e.attrs.flag(id));
    let mut data = Map::new();
    let (type_name, attrs) = match shape {
        "actor" => ("tm.Actor", {
            let stroke = line_style(open, in_scope);
            json!({"text": {"text": e.name}, "body": stroke})
        }),
        "store" => ("tm.Store", {
            let stroke = line_style(open, in_scope);
            json!({"text": {"text": e.name}, "topLine": stroke, "bottomLine": stroke})
        }),
        _ => ("tm.Process", {
            let stroke = line_style(open, in_scope);
            json!({"text": {"text": e.name}, "body": stroke})
        }),
    };
    data.insert("type".into(), json!(type_name));
    data.insert("name".into(), json!(e.name));
    data.insert("description".into(), json!(e.description));
    data.insert("outOfScope".into(), json!(!in_scope));
    data.insert("reasonOutOfScope".into(), json!(""));
    match shape {
        "actor" => {
            data.insert(
                "providesAuthentication".into(),
                json!(prop_bool(&e.properties, "providesAuthentication")),
            );
        }
        "store" => {
            let credentials = e.data.iter().any(|d| model.data[*d].is_credentials);
            data.insert("isALog".into(), json!(flag("storesLogData")));
            data.insert("isEncrypted".into(), json!(flag("isEncryptedAtRest")));
            data.insert("isSigned".into(), json!(flag("providesIntegrity")));
            data.insert(
                "storesCredentials".into(),
                json!(credentials || flag("storesSensitiveData") || flag("storesPII")),
            );
            data.insert(
                "storesInventory".into(),
                json!(prop_bool(&e.properties, "storesInventory")),
            );
        }
        _ => {
            data.insert(
                "handlesCardPayment".into(),
                json!(prop_bool(&e.properties, "handlesCardPayment")),
            );
            data.insert(
                "handlesGoodsOrServices".into(),
                json!(prop_bool(&e.properties, "handlesGoodsOrServices")),
            );
            data.insert(
                "isWebApplication".into(),
                json!(
                    flag("allowsClientSideScripting")
                        || prop_bool(&e.properties, "isWebApplication")
                ),
            );
            data.insert(
                "privilegeLevel".into(),
                json!(prop_str(&e.properties, "privilegeLevel")),
            );
        }
    }
    data.insert("isTrustBoundary".into(), json!(false));
    data.insert("hasOpenThreats".into(), json!(open));
    data.insert("threats".into(), J::Array(threats));
    data.insert("tmsType".into(), json!(e.kind.as_str()));
    data.insert("tmsAttributes".into(), attrs_json(&e.attrs));
    if e.properties.as_object().is_some_and(|m| !m.is_empty()) {
        data.insert("tmsProperties".into(), e.properties.clone());
    }
    json!({
        "position": {"x": pos.0, "y": pos.1},
        "size": {"width": w, "height": h},
        "attrs": attrs,
        "visible": true,
        "shape": shape,
        "zIndex": z,
        "ports": ports(&e.id),
        "id": cell_id(&e.id),
        "data": J::Object(data),
    })
}

/// The four connection ports Threat Dragon gives every node, so flows can be
/// drawn from an exported element as from one made in Threat Dragon.
fn ports(id: &str) -> J {
    let group = |side: &str| {
        json!({
            "position": side,
            "attrs": {"circle": {
                "r": 4, "magnet": true, "stroke": "#5F95FF", "strokeWidth": 1, "fill": "#fff",
                "style": {"visibility": "hidden"},
            }},
        })
    };
    let sides = ["top", "right", "bottom", "left"];
    let items: Vec<J> = sides
        .iter()
        .map(|side| {
            let port = Uuid::new_v5(
                &Uuid::NAMESPACE_URL,
                format!("tms:threat-dragon:port:{id}:{side}").as_bytes(),
            );
            json!({"group": side, "id": port.to_string()})
        })
        .collect();
    let groups: Map<String, J> = sides.iter().map(|s| (s.to_string(), group(s))).collect();
    json!({"groups": groups, "items": items})
}

/// Threat Dragon draws an element with open threats in red, one out of scope dashed.
fn line_style(open: bool, in_scope: bool) -> J {
    let (stroke, width) = if open { ("red", 2.5) } else { ("#333333", 1.0) };
    json!({
        "stroke": stroke,
        "strokeWidth": width,
        "strokeDasharray": if in_scope { J::Null } else { json!("4 3") },
    })
}

fn flow_cell(model: &Model, f: &Flow, threats: Vec<J>, z: usize) -> J {
    let open = threats
        .iter()
        .any(|t| t.get("status").and_then(J::as_str) == Some("Open"));
    let in_scope = f.attrs.flag(attr_id::IN_SCOPE);
    let protocol = match f.attrs.get(attr_id::PROTOCOL) {
        ValueRef::Str(s) => s.to_string(),
        _ => String::new(),
    };
    let (stroke, width) = if open { ("red", 2.5) } else { ("#333333", 1.0) };
    json!({
        "shape": "flow",
        "attrs": {
            "line": {
                "stroke": stroke,
                "strokeWidth": width,
                "targetMarker": {"name": "block"},
                "sourceMarker": {"name": ""},
                "strokeDasharray": if in_scope { J::Null } else { json!("4 3") },
            }
        },
        "width": 200,
        "height": 100,
        "zIndex": z,
        "connector": "smooth",
        "labels": [{
            "markup": [
                {"tagName": "ellipse", "selector": "labelBody"},
                {"tagName": "text", "selector": "labelText"},
            ],
            "attrs": {
                "labelText": {"text": f.name, "textAnchor": "middle", "textVerticalAnchor": "middle"},
                "labelBody": {"ref": "labelText", "refRx": "50%", "refRy": "60%", "fill": "#fff", "strokeWidth": 0},
            },
            "position": 0.5,
        }],
        "data": {
            "type": "tm.Flow",
            "name": f.name,
            "description": f.description,
            "outOfScope": !in_scope,
            "reasonOutOfScope": "",
            "isBidirectional": false,
            "isEncrypted": f.attrs.flag(attr_id::IS_ENCRYPTED),
            "isPublicNetwork": prop_bool(&f.properties, "isPublicNetwork"),
            "protocol": protocol,
            "isTrustBoundary": false,
            "hasOpenThreats": open,
            "threats": threats,
            "tmsAttributes": attrs_json(&f.attrs),
            "tmsProperties": f.properties,
        },
        "id": cell_id(&f.id),
        "source": {"cell": cell_id(&model.elements[f.source].id)},
        "target": {"cell": cell_id(&model.elements[f.sink].id)},
        "vertices": [],
    })
}

/// The Threat Dragon model for an analysed model.
pub fn document(model: &Model, lib: &Library, analysis: &Analysis) -> J {
    let lay = layout(model);
    let mut on_element: Vec<Vec<&Finding>> = vec![Vec::new(); model.elements.len()];
    let mut on_flow: Vec<Vec<&Finding>> = vec![Vec::new(); model.flows.len()];
    for f in &analysis.findings {
        match f.target {
            TargetRef::Element(e) => on_element[e].push(f),
            TargetRef::Flow(x) => on_flow[x].push(f),
            // Threat Dragon keeps threats on cells; the whole system has none.
            TargetRef::Model => {}
        }
    }
    let mut number = 0;
    let mut cells = Vec::new();
    // Boxes first and lowest, outer before inner, so elements draw on top.
    let mut order: Vec<BoundaryIdx> = (0..model.boundaries.len()).collect();
    order.sort_by_key(|b| model.boundary_chain(Some(*b)).len());
    for b in order {
        let (x, y, w, h) = lay.boxes[b];
        let bd = &model.boundaries[b];
        let depth = model.boundary_chain(Some(b)).len() as i64;
        cells.push(json!({
            "position": {"x": x, "y": y},
            "size": {"width": w, "height": h},
            "attrs": {"label": {"text": bd.name}},
            "visible": true,
            "shape": "trust-boundary-box",
            "id": cell_id(&bd.id),
            "zIndex": -10 + depth,
            "data": {
                "type": "tm.BoundaryBox",
                "name": bd.name,
                "description": bd.description,
                "isTrustBoundary": true,
                "hasOpenThreats": false,
            },
        }));
    }
    for (i, e) in model.elements.iter().enumerate() {
        let t = threats(model, lib, &on_element[i], &mut number);
        cells.push(element_cell(model, e, lay.elements[i], t, 1 + i));
    }
    let base = 1 + model.elements.len();
    for (i, f) in model.flows.iter().enumerate() {
        let t = threats(model, lib, &on_flow[i], &mut number);
        cells.push(flow_cell(model, f, t, base + i));
    }
    let contributors: Vec<J> = model
        .authors
        .iter()
        .skip(1)
        .map(|a| json!({"name": a.name}))
        .collect();
    json!({
        "version": VERSION,
        "summary": {
            "title": model.title,
            "owner": model.authors.first().map_or("", |a| a.name.as_str()),
            "description": model.description,
            "id": 0,
        },
        "detail": {
            "contributors": contributors,
            "diagrams": [{
                "id": 0,
                "title": model.title,
                "diagramType": "STRIDE",
                "placeholder": "New STRIDE diagram description",
                "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                "version": VERSION,
                "description": "Exported by tms",
                "cells": cells,
            }],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": number,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_become_uuids() {
        assert_eq!(cell_id("web"), "web");
        assert_eq!(cell_id("a").len(), 36);
        assert_eq!(cell_id("a"), cell_id("a"));
    }
}
