//! OWASP Threat Dragon v2 models: diagrams of cells (actors, processes,
//! stores, flows, trust boundaries) with threats on them.
//!
//! | Threat Dragon | tms |
//! |---|---|
//! | `actor` | actor |
//! | `process` | process |
//! | `store` | datastore (`isEncrypted`: `isEncryptedAtRest`, `isSigned`: `providesIntegrity`, `isALog`: `storesLogData`, `storesCredentials`: `storesSensitiveData`) |
//! | `flow` | flow (`isEncrypted`, `protocol`; `isBidirectional`: a response flow back) |
//! | `trust-boundary-box` | boundary holding the elements drawn inside it |
//! | `trust-boundary-curve` | boundaries of the zones the lines cut the diagram into |
//! | `outOfScope` | `inScope: false` |
//! | process `isWebApplication` | `allowsClientSideScripting` |
//! | threat with a tms `ruleId` and a decided status | triage |
//! | any other threat | a model threat affecting the cell: `type` as STRIDE, `severity`, `status`, `mitigation` (a closed one's justification) |
//!
//! Threat Dragon ties nothing to a boundary but the drawing, so membership is
//! geometry: an element belongs to the smallest box its centre lies in. Where
//! a diagram draws boundaries only as lines, elements whose centres a line
//! does not separate share a zone. Other flags (card payment, privilege
//! level, public network, ...) become properties; threats on cells left out,
//! text blocks and what tms has no place for are listed as not carried over.

pub mod write;

use super::importer::{self, Builder};
use crate::geometry::Rect;
use tms_model::attrs;
use tms_model::imported::Anchor;
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::source::{Node, NodeKind, Pos};

/// The name `tms import --from` uses.
/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "threat-dragon",
    about: "OWASP Threat Dragon v2 JSON; written with the findings as threats",
    title: "a Threat Dragon",
    signature: "a Threat Dragon model has `summary` and `detail.diagrams` at the top",
    input: crate::registry::Input::Tree { detect, read },
    write: Some(write::write),
};

/// A Threat Dragon model: `summary` and `detail.diagrams` at the top.
pub fn detect(root: &Node) -> bool {
    root.get("summary").is_some()
        && root
            .get("detail")
            .is_some_and(|d| d.get("diagrams").is_some())
}

/// How far from an element a loose flow end may lie and still be read as
/// attached to it: about the size of a connection port.
const ATTACH_TOLERANCE: f64 = 24.0;

struct Dragon<'a> {
    b: Builder<'a>,
    threat_number: usize,
}

/// An element of one diagram with where it is drawn.
struct Placed {
    idx: ElementIdx,
    rect: Option<Rect>,
}

/// Reads a Threat Dragon v2 model; `None` when any error was found.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    let mut d = Dragon {
        b: Builder::new(file, FORMAT.name),
        threat_number: 0,
    };
    d.read(root);
    d.b.finish()
}

fn num(n: Option<&Node>) -> Option<f64> {
    match n?.kind {
        NodeKind::Int(i) => Some(i as f64),
        NodeKind::Float(f) => Some(f),
        _ => None,
    }
}

fn rect(cell: &Node) -> Option<Rect> {
    let p = cell.get("position")?;
    let s = cell.get("size")?;
    Some(Rect {
        x: num(p.get("x"))?,
        y: num(p.get("y"))?,
        w: num(s.get("width"))?,
        h: num(s.get("height"))?,
    })
}

fn point(n: &Node) -> Option<(f64, f64)> {
    Some((num(n.get("x"))?, num(n.get("y"))?))
}

/// A line's points: source, bends, target.
fn polyline(cell: &Node) -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    if let Some(p) = cell.get("source").and_then(point) {
        pts.push(p);
    }
    for v in cell.get("vertices").and_then(Node::as_seq).unwrap_or(&[]) {
        if let Some(p) = point(v) {
            pts.push(p);
        }
    }
    if let Some(p) = cell.get("target").and_then(point) {
        pts.push(p);
    }
    pts
}

/// Text as Threat Dragon shows it on one line (names hold `\n` for layout).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Dragon<'_> {
    fn read(&mut self, root: &Node) {
        if self.b.r.map(root, "a Threat Dragon model").is_none() {
            return;
        }
        if let Some(v) = root.str_at("version") {
            if v.starts_with("1.") || v.starts_with("0.") {
                self.b
                    .r
                    .error(
                        root.get("version").map_or(root.pos, |n| n.pos),
                        format!("this is a Threat Dragon {v} model; tms reads version 2"),
                    )
                    .hint = Some("open it in Threat Dragon 2 and save it again".into());
                return;
            }
        }
        let summary = root.get("summary");
        match summary.and_then(|s| s.get("title")) {
            Some(t) => {
                self.b.model.title = importer::text(&mut self.b.r, t, "`title`").unwrap_or_default()
            }
            None => {
                let pos = summary.map_or(root.pos, |s| s.pos);
                self.b.r.error(pos, "the model's `summary` has no `title`");
            }
        }
        if let Some(s) = summary {
            if let Some(d) = s.get("description") {
                self.b.model.description =
                    importer::text(&mut self.b.r, d, "`description`").unwrap_or_default();
            }
            if let Some(o) = s.str_at("owner").filter(|o| !o.trim().is_empty()) {
                self.b.model.authors.push(Author {
                    name: o.to_string(),
                    email: None,
                });
            }
        }
        let Some(detail) = root.get("detail") else {
            return;
        };
        for c in detail
            .get("contributors")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            if let Some(name) = c.str_at("name").filter(|n| !n.trim().is_empty()) {
                if !self.b.model.authors.iter().any(|a| a.name == name) {
                    self.b.model.authors.push(Author {
                        name: name.to_string(),
                        email: None,
                    });
                }
            }
        }
        if let Some(r) = detail.str_at("reviewer").filter(|r| !r.trim().is_empty()) {
            self.b.note(Anchor::Model, format!("reviewer: {r}"));
        }
        let diagrams = detail
            .get("diagrams")
            .and_then(|d| self.b.r.seq(d, "`diagrams`"))
            .unwrap_or(&[]);
        let many = diagrams.len() > 1;
        for d in diagrams {
            self.diagram(d, many);
        }
    }

    fn diagram(&mut self, d: &Node, many: bool) {
        if self.b.r.map(d, "a diagram").is_none() {
            return;
        }
        let title = d.str_at("title").unwrap_or("").to_string();
        if many {
            let kind = d.str_at("diagramType").unwrap_or("");
            self.b.note(
                Anchor::Model,
                format!("diagram \"{title}\" ({kind}): its elements are all in this one model"),
            );
        }
        let cells = d
            .get("cells")
            .and_then(|c| self.b.r.seq(c, "`cells`"))
            .unwrap_or(&[]);
        // Cell ids are Threat Dragon's, unique in a diagram: ours per cell.
        let mut by_cell: tms_syntax::fxhash::FxHashMap<&str, usize> = Default::default();
        let mut placed: Vec<Placed> = Vec::new();
        let mut boxes: Vec<(BoundaryIdx, Rect)> = Vec::new();
        let mut lines: Vec<(Vec<(f64, f64)>, &Node)> = Vec::new();
        let mut flows: Vec<&Node> = Vec::new();
        let mut seen: tms_syntax::fxhash::FxHashMap<&str, tms_syntax::source::Pos> =
            Default::default();
        for c in cells {
            if self.b.r.map(c, "a cell").is_none() {
                continue;
            }
            // A copied cell keeps its id; flows name their ends by id, so a
            // second cell with it would silently take the first one's flows.
            if let Some(id) = c.str_at("id") {
                if let Some(first) = seen.insert(id, c.pos) {
                    self.b
                        .r
                        .error(
                            c.pos,
                            format!(
                                "the cell id \"{id}\" is used twice (first at line {}, column {})",
                                first.line, first.col
                            ),
                        )
                        .hint = Some("give each cell its own id, or remove the copy".into());
                    continue;
                }
            }
            let shape = c.str_at("shape").unwrap_or("");
            let data_type = c
                .get("data")
                .and_then(|x| x.get("type"))
                .and_then(Node::as_str)
                .unwrap_or("");
            let kind = match (shape, data_type) {
                ("actor", _) | (_, "tm.Actor") => Some(ElementKind::Actor),
                ("process", _) | (_, "tm.Process") => Some(ElementKind::Process),
                ("store", _) | (_, "tm.Store") => Some(ElementKind::Datastore),
                _ => None,
            };
            if let Some(kind) = kind {
                if let Some(i) = self.element(c, kind) {
                    if let Some(id) = c.str_at("id") {
                        by_cell.insert(id, placed.len());
                    }
                    placed.push(Placed {
                        idx: i,
                        rect: rect(c),
                    });
                }
                continue;
            }
            match (shape, data_type) {
                ("flow", _) | (_, "tm.Flow") => flows.push(c),
                ("trust-boundary-box", _) | (_, "tm.BoundaryBox") => {
                    if let Some(b) = self.boundary_box(c) {
                        boxes.push(b);
                    }
                }
                ("trust-boundary-curve", _) | (_, "tm.Boundary") => {
                    lines.push((polyline(c), c));
                }
                ("td-text-block", _) | (_, "tm.Text") => {
                    let text = c
                        .get("data")
                        .and_then(|x| x.get("name"))
                        .and_then(Node::as_str)
                        .unwrap_or("");
                    if !text.trim().is_empty() {
                        self.b.note(
                            Anchor::Model,
                            format!("text on the diagram: \"{}\"", importer::clip(text)),
                        );
                    }
                }
                _ => {
                    self.b.r.warning(
                        c.get("shape").map_or(c.pos, |s| s.pos),
                        format!("a cell of shape `{shape}` is not one tms knows; it is left out"),
                    )
                    .hint = Some("Threat Dragon's shapes are actor, process, store, flow, trust-boundary-box, trust-boundary-curve and td-text-block".into());
                    self.b.note(Anchor::Model, format!("a `{shape}` cell"));
                }
            }
        }
        self.place_in_boxes(&placed, &boxes);
        if boxes.is_empty() {
            let lines: Vec<Vec<(f64, f64)>> = lines.into_iter().map(|(l, _)| l).collect();
            self.zones(&placed, &lines, &title, d.pos);
        } else if !lines.is_empty() {
            let (_, c) = &lines[0];
            self.b.r.warning(
                c.pos,
                "this diagram draws trust boundaries as boxes and as lines; tms places elements by the boxes and leaves the lines out",
            );
            self.b.note(
                Anchor::Model,
                format!(
                    "{} trust boundary line(s) in diagram \"{title}\"",
                    lines.len()
                ),
            );
        }
        for c in flows {
            self.flow(c, &by_cell, &placed);
        }
    }

    /// Our id for a cell: Threat Dragon's own when it is a readable id (tms's
    /// export writes ours), else the name's; generated UUIDs say nothing.
    fn cell_id(&mut self, c: &Node, kind: &'static str, name: &str) -> String {
        match c.str_at("id") {
            Some(id) if importer::is_valid_id(id) && !importer::is_uuid(id) => {
                let pos = c.get("id").map_or(c.pos, |n| n.pos);
                self.b.claim_id(kind, id, pos)
            }
            _ => self.b.id_from_name(kind, name),
        }
    }

    fn name(&mut self, c: &Node, fallback: &str) -> String {
        let data_name = c
            .get("data")
            .and_then(|d| d.get("name"))
            .and_then(Node::as_str);
        let label = c
            .get("attrs")
            .and_then(|a| a.get("text").or_else(|| a.get("label")))
            .and_then(|t| t.get("text"))
            .and_then(Node::as_str);
        let name = one_line(data_name.or(label).unwrap_or(""));
        if name.is_empty() {
            fallback.to_string()
        } else {
            name
        }
    }

    fn element(&mut self, c: &Node, kind: ElementKind) -> Option<ElementIdx> {
        let fallback = format!("Unnamed {}", kind.as_str());
        let name = self.name(c, &fallback);
        let id = self.cell_id(c, "element", &name);
        let mut e = importer::element(id.clone(), kind, name, c.pos);
        let anchor = Anchor::Element(id);
        let data = c.get("data");
        // tms's own export keeps the element type Threat Dragon cannot draw.
        if let Some(t) = data.and_then(|d| d.get("tmsType")).and_then(Node::as_str) {
            if let Some(k) = ElementKind::parse(t).filter(|k| shape_of(*k) == shape_of(kind)) {
                e.kind = k;
            }
        }
        let mut props = serde_json::Map::new();
        if let Some(entries) = data.and_then(Node::as_map) {
            for (k, v) in entries {
                self.element_flag(&mut e, &mut props, &k.name, v, &anchor);
            }
        }
        if !props.is_empty() {
            e.properties = serde_json::Value::Object(props);
        }
        let id = e.id.clone();
        let i = self.b.add_element(e);
        self.threats(c, &anchor, &id, Some(Item::Element(i)));
        Some(i)
    }

    /// One entry of an element's `data`.
    fn element_flag(
        &mut self,
        e: &mut Element,
        props: &mut serde_json::Map<String, serde_json::Value>,
        key: &str,
        v: &Node,
        anchor: &Anchor,
    ) {
        let on = matches!(v.kind, NodeKind::Bool(true));
        let set = |e: &mut Element, name: &str, value: Value| {
            if let Some(id) = attrs::lookup(name) {
                e.attrs.set(id, value);
            }
        };
        match (key, e.kind) {
            (
                "type" | "name" | "threats" | "hasOpenThreats" | "isTrustBoundary"
                | "threatFrequency" | "tmsType" | "tmsAttributes",
                _,
            ) => {}
            ("tmsProperties", _) => merge_properties(props, v),
            ("description", _) => {
                e.description = v.as_str().unwrap_or("").to_string();
            }
            ("outOfScope", _) => {
                if on {
                    set(e, "inScope", Value::Bool(false));
                }
            }
            ("reasonOutOfScope", _) => {
                if let Some(r) = v.as_str().filter(|r| !r.trim().is_empty()) {
                    self.b.note(
                        anchor.clone(),
                        format!("out of scope because: {}", importer::clip(r)),
                    );
                }
            }
            ("isEncrypted", ElementKind::Datastore) if on => {
                set(e, "isEncryptedAtRest", Value::Bool(true))
            }
            ("isSigned", ElementKind::Datastore) if on => {
                set(e, "providesIntegrity", Value::Bool(true))
            }
            ("isALog", ElementKind::Datastore) if on => set(e, "storesLogData", Value::Bool(true)),
            ("storesCredentials", ElementKind::Datastore) if on => {
                set(e, "storesSensitiveData", Value::Bool(true))
            }
            ("isWebApplication", _)
                if on
                    && attrs::lookup("allowsClientSideScripting")
                        .is_some_and(|id| id.def().applies.contains_kind(e.kind)) =>
            {
                set(e, "allowsClientSideScripting", Value::Bool(true))
            }
            _ => {
                // Flags left false and empty text say nothing; the rest is kept.
                let keep = match &v.kind {
                    NodeKind::Bool(b) => *b,
                    NodeKind::Str(s) => !s.trim().is_empty(),
                    NodeKind::Null => false,
                    _ => true,
                };
                if keep {
                    props.insert(key.to_string(), v.to_json());
                }
            }
        }
        // tms's own export keeps our attributes beside Threat Dragon's flags.
        if key == "tmsAttributes" {
            if let Some(entries) = v.as_map() {
                for (k, x) in entries {
                    let Some(id) =
                        attrs::lookup(&k.name).filter(|id| id.def().applies.contains_kind(e.kind))
                    else {
                        continue;
                    };
                    if let Some(val) = tms_model::attrs::read_value(&mut self.b.r, x, id.def()) {
                        e.attrs.set(id, val);
                    }
                }
            }
        }
    }

    fn boundary_box(&mut self, c: &Node) -> Option<(BoundaryIdx, Rect)> {
        let name = self.name(c, "Trust boundary");
        let id = self.cell_id(c, "boundary", &name);
        let Some(r) = rect(c) else {
            self.b.r.warning(
                c.pos,
                format!("the trust boundary \"{name}\" has no position and size; it holds nothing"),
            );
            return None;
        };
        let mut b = importer::boundary(id, name, c.pos);
        b.description = c
            .get("data")
            .and_then(|d| d.get("description"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        Some((self.b.add_boundary(b), r))
    }

    fn place_in_boxes(&mut self, placed: &[Placed], boxes: &[(BoundaryIdx, Rect)]) {
        let drawn = placed.iter().filter_map(|p| p.rect.map(|r| (p.idx, r)));
        crate::geometry::place_in_boxes(&mut self.b.model, drawn, boxes);
    }

    /// Boundaries drawn as lines: elements whose centres no line separates
    /// (directly or through others) form one zone.
    fn zones(&mut self, placed: &[Placed], lines: &[Vec<(f64, f64)>], title: &str, pos: Pos) {
        if lines.is_empty() {
            return;
        }
        let pts: Vec<Option<(f64, f64)>> =
            placed.iter().map(|p| p.rect.map(Rect::center)).collect();
        let groups = crate::geometry::zones(&pts, lines);
        if groups.len() < 2 {
            return;
        }
        self.b.r.warning(
            pos,
            format!("the diagram \"{title}\" draws its trust boundaries as lines; tms groups its elements into {} zones by the side of the lines they are on", groups.len()),
        )
        .hint = Some("check the `boundaries` tms made, or draw trust boundary boxes in Threat Dragon".into());
        for (k, members) in groups.into_iter().enumerate() {
            let names: Vec<String> = members
                .iter()
                .map(|i| self.b.model.elements[placed[*i].idx].name.clone())
                .collect();
            let name = format!("Trust zone {}", k + 1);
            let id = self.b.id_from_name("boundary", &name);
            let mut b = importer::boundary(id, name, pos);
            b.description = format!(
                "Elements on the same side of the trust boundary lines of \"{title}\": {}",
                names.join(", ")
            );
            let bi = self.b.add_boundary(b);
            for i in members {
                self.b.model.elements[placed[i].idx].boundary = Some(bi);
            }
        }
    }

    /// The element a flow end is attached to, or the one a loose end touches.
    fn end(
        &mut self,
        c: &Node,
        key: &str,
        by_cell: &tms_syntax::fxhash::FxHashMap<&str, usize>,
        placed: &[Placed],
        name: &str,
    ) -> Option<ElementIdx> {
        let n = c.get(key)?;
        if let Some(cell) = n.str_at("cell") {
            return match by_cell.get(cell) {
                Some(i) => Some(placed[*i].idx),
                None => {
                    self.b.r.warning(
                        n.pos,
                        format!("the flow \"{name}\" is attached to the cell `{cell}`, which is not an actor, process or store; it is left out"),
                    );
                    self.b.note(
                        Anchor::Model,
                        format!("flow \"{name}\" ({key} is not an element)"),
                    );
                    None
                }
            };
        }
        let p = point(n)?;
        let nearest = placed
            .iter()
            .filter_map(|x| x.rect.map(|r| (x.idx, r.distance(p))))
            .filter(|(_, d)| *d <= ATTACH_TOLERANCE)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match nearest {
            Some((i, _)) => {
                let el = self.b.model.elements[i].name.clone();
                self.b.r.warning(
                    n.pos,
                    format!("the {key} of the flow \"{name}\" is not attached to an element; it ends at \"{el}\", so tms attaches it there"),
                )
                .hint = Some("connect the flow to the element in Threat Dragon".into());
                Some(i)
            }
            None => {
                self.b.r.warning(
                    n.pos,
                    format!("the {key} of the flow \"{name}\" is attached to nothing; the flow is left out"),
                );
                self.b.note(
                    Anchor::Model,
                    format!("flow \"{name}\" (its {key} is attached to nothing)"),
                );
                None
            }
        }
    }

    fn flow(
        &mut self,
        c: &Node,
        by_cell: &tms_syntax::fxhash::FxHashMap<&str, usize>,
        placed: &[Placed],
    ) {
        let label = c
            .get("labels")
            .and_then(Node::as_seq)
            .and_then(|l| l.first())
            .and_then(|l| l.get("attrs"))
            .and_then(|a| a.get("labelText"))
            .and_then(|t| t.get("text"))
            .and_then(Node::as_str);
        let data_name = c
            .get("data")
            .and_then(|d| d.get("name"))
            .and_then(Node::as_str);
        let mut name = one_line(
            data_name
                .filter(|s| !s.trim().is_empty())
                .or(label)
                .unwrap_or(""),
        );
        let source = self.end(c, "source", by_cell, placed, &name);
        let sink = self.end(c, "target", by_cell, placed, &name);
        let (Some(source), Some(sink)) = (source, sink) else {
            if c.get("source").is_none() || c.get("target").is_none() {
                self.b.r.warning(
                    c.pos,
                    format!("the flow \"{name}\" lacks a source or target; it is left out"),
                );
            }
            return;
        };
        if name.is_empty() {
            name = format!(
                "{} to {}",
                self.b.model.elements[source].name, self.b.model.elements[sink].name
            );
        }
        let id = self.cell_id(c, "flow", &name);
        let mut f = importer::flow(id.clone(), name.clone(), source, sink, c.pos);
        let anchor = Anchor::Flow(id.clone());
        let mut props = serde_json::Map::new();
        let mut bidirectional = false;
        if let Some(entries) = c.get("data").and_then(Node::as_map) {
            for (k, v) in entries {
                let on = matches!(v.kind, NodeKind::Bool(true));
                match &*k.name {
                    "type" | "name" | "threats" | "hasOpenThreats" | "isTrustBoundary"
                    | "threatFrequency" => {}
                    "description" => f.description = v.as_str().unwrap_or("").to_string(),
                    "outOfScope" if on => {
                        if let Some(id) = attrs::lookup("inScope") {
                            f.attrs.set(id, Value::Bool(false));
                        }
                    }
                    "outOfScope" => {}
                    "reasonOutOfScope" => {
                        if let Some(r) = v.as_str().filter(|r| !r.trim().is_empty()) {
                            self.b.note(
                                anchor.clone(),
                                format!("out of scope because: {}", importer::clip(r)),
                            );
                        }
                    }
                    // Threat Dragon writes every flag; false is its default, not a statement.
                    "isEncrypted" => {
                        if let (Some(id), true) = (attrs::lookup("isEncrypted"), on) {
                            f.attrs.set(id, Value::Bool(true));
                        }
                    }
                    "protocol" => {
                        if let Some(p) = v.as_str().filter(|p| !p.trim().is_empty()) {
                            if let Some(id) = attrs::lookup("protocol") {
                                f.attrs.set(id, Value::Str(p.to_string()));
                            }
                        }
                    }
                    "isBidirectional" => bidirectional = on,
                    "tmsProperties" => merge_properties(&mut props, v),
                    "tmsAttributes" => {
                        if let Some(entries) = v.as_map() {
                            for (k, x) in entries {
                                let Some(id) = attrs::lookup(&k.name)
                                    .filter(|id| id.def().applies.contains_flow())
                                else {
                                    continue;
                                };
                                if let Some(val) =
                                    tms_model::attrs::read_value(&mut self.b.r, x, id.def())
                                {
                                    f.attrs.set(id, val);
                                }
                            }
                        }
                    }
                    key => {
                        let keep = match &v.kind {
                            NodeKind::Bool(b) => *b,
                            NodeKind::Str(s) => !s.trim().is_empty(),
                            NodeKind::Null => false,
                            _ => true,
                        };
                        if keep {
                            props.insert(key.to_string(), v.to_json());
                        }
                    }
                }
            }
        }
        if !props.is_empty() {
            f.properties = serde_json::Value::Object(props);
        }
        let back = bidirectional.then(|| {
            let mut r = f.clone();
            r.id = self.b.id_from_name("flow", &format!("{id}-response"));
            r.name = format!("{name} (response)");
            r.source = sink;
            r.sink = source;
            r
        });
        let added = self.b.add_flow(f);
        self.threats(c, &anchor, &id, added.map(Item::Flow));
        let Some(fi) = added else { return };
        if let Some(mut r) = back {
            // A bidirectional flow: ours have a direction, so the way back answers it.
            r.response_to = Some(fi);
            self.b.add_flow(r);
        }
    }

    /// Threats on a cell: triage where tms's own export named one of its
    /// rules; every other threat is the team's own and becomes a model threat
    /// affecting the cell (`item`), or a note when the cell was left out.
    fn threats(&mut self, c: &Node, anchor: &Anchor, target: &str, item: Option<Item>) {
        let list = c
            .get("data")
            .and_then(|d| d.get("threats"))
            .or_else(|| c.get("threats"))
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        for t in list {
            self.threat_number += 1;
            if self.rule_decision(t, target) {
                continue;
            }
            match item {
                Some(item) => self.model_threat(t, anchor, item),
                None => self.threat_note(t, anchor),
            }
        }
    }

    /// A threat tms's own export wrote for one of its rules (`ruleId`): its
    /// decision becomes triage, as tms finds the rule again. False when the
    /// threat is not one of those.
    fn rule_decision(&mut self, t: &Node, target: &str) -> bool {
        let text = |k: &str| t.str_at(k).unwrap_or("").trim().to_string();
        let rule = t.str_at("ruleId").unwrap_or("");
        if !importer::is_valid_id(rule) || importer::is_uuid(rule) {
            return false;
        }
        let status_s = text("status");
        match status(&status_s) {
            Some(Status::Open) => {
                // An open finding of tms's own export: tms finds it again, and
                // keeps what the team wrote about it.
                if let Some(j) = t.str_at("justification") {
                    self.b.model.triage.push(TriageEntry::decision(
                        rule,
                        target,
                        Status::Open,
                        Some(j.to_string()),
                        t.pos,
                    ));
                }
                true
            }
            Some(s) => {
                let mitigation = text("mitigation");
                let mut why = if mitigation.is_empty() {
                    format!("Threat Dragon: {status_s}")
                } else {
                    mitigation
                };
                if matches!(
                    status_s.to_ascii_lowercase().as_str(),
                    "avoided" | "eliminated"
                ) {
                    why = format!("{status_s} in Threat Dragon: {why}");
                }
                self.b.model.triage.push(TriageEntry {
                    severity: Severity::parse(&text("severity")),
                    ..TriageEntry::decision(rule, target, s, Some(why), t.pos)
                });
                true
            }
            None => false,
        }
    }

    /// A threat the team wrote in Threat Dragon, as a threat of the model:
    /// title, description, STRIDE category (its `type`), severity, status
    /// and mitigation; a closed one is justified by its mitigation.
    fn model_threat(&mut self, t: &Node, anchor: &Anchor, item: Item) {
        let text = |k: &str| t.str_at(k).unwrap_or("").trim().to_string();
        let title = {
            let s = one_line(t.str_at("title").unwrap_or(""));
            if s.is_empty() {
                format!("Threat {}", self.threat_number)
            } else {
                s
            }
        };
        // tms's own export names a stated threat by its id.
        let id = self.b.threat_id(t.str_at("tmsThreatId"), &title);
        let mut m = Threat::new(id, title.clone(), t.pos);
        m.description = text("description");
        let kind = one_line(t.str_at("type").unwrap_or(""));
        match importer::stride(&kind) {
            Some(s) => m.stride = vec![s],
            None if kind.is_empty() => {}
            None => {
                // LINDDUN and CIA categories have no STRIDE letter.
                let model = t.str_at("modelType").unwrap_or("");
                self.b.note(
                    anchor.clone(),
                    format!(
                        "threat \"{}\" is of {model} type \"{kind}\"",
                        importer::clip(&title)
                    ),
                );
            }
        }
        m.severity = Severity::parse(t.str_at("severity").unwrap_or(""));
        let status_s = one_line(t.str_at("status").unwrap_or(""));
        m.status = status(&status_s).unwrap_or(Status::Open);
        let mitigation = text("mitigation");
        if !mitigation.is_empty() {
            m.mitigations.push(mitigation.clone());
        }
        if m.status != Status::Open {
            m.justification = Some(if mitigation.is_empty() {
                format!("{status_s} in Threat Dragon")
            } else {
                format!("{status_s} in Threat Dragon: {mitigation}")
            });
        }
        m.affects = vec![item];
        self.b.add_threat(m);
    }

    /// A threat on a cell tms left out: listed as not carried over, with
    /// everything Threat Dragon says about it.
    fn threat_note(&mut self, t: &Node, anchor: &Anchor) {
        let text = |k: &str| t.str_at(k).unwrap_or("").trim().to_string();
        let (title, status_s, severity, kind) = (
            text("title"),
            text("status"),
            text("severity"),
            text("type"),
        );
        let mut what = format!("threat \"{}\"", importer::clip(&title));
        let facts: Vec<&str> = [kind.as_str(), severity.as_str(), status_s.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !facts.is_empty() {
            what.push_str(&format!(" ({})", facts.join(", ")));
        }
        let description = text("description");
        if !description.is_empty() {
            what.push_str(&format!(": {}", importer::clip(&description)));
        }
        let mitigation = text("mitigation");
        if !mitigation.is_empty() {
            what.push_str(&format!(" Mitigation: {}", importer::clip(&mitigation)));
        }
        self.b.note(anchor.clone(), what);
    }
}

/// tms's own export keeps an element's or flow's properties in `tmsProperties`.
fn merge_properties(props: &mut serde_json::Map<String, serde_json::Value>, v: &Node) {
    if let serde_json::Value::Object(m) = v.to_json() {
        for (k, x) in m {
            props.entry(k).or_insert(x);
        }
    }
}

/// The Threat Dragon shape an element type is drawn as.
pub fn shape_of(k: ElementKind) -> &'static str {
    match k {
        ElementKind::Actor | ElementKind::ExternalEntity => "actor",
        ElementKind::Datastore => "store",
        _ => "process",
    }
}

/// Threat Dragon's threat statuses (`NotApplicable`, `Open`, `Mitigated`, and
/// since 2.4 the treatments `Accepted`, `Transferred`, `Avoided`, `Eliminated`).
fn status(s: &str) -> Option<Status> {
    Some(match s.to_ascii_lowercase().as_str() {
        "open" => Status::Open,
        "mitigated" | "eliminated" => Status::Mitigated,
        "notapplicable" | "na" | "n/a" | "avoided" => Status::NotApplicable,
        "accepted" => Status::Accepted,
        "transferred" => Status::Transferred,
        _ => return None,
    })
}

/// Our status as Threat Dragon writes it.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Open => "Open",
        Status::Mitigated => "Mitigated",
        Status::NotApplicable | Status::FalsePositive => "NotApplicable",
        Status::Accepted => "Accepted",
        Status::Transferred => "Transferred",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::separated;

    #[test]
    fn lines_separate_points() {
        let line = vec![vec![(0.0, 10.0), (100.0, 10.0)]];
        assert!(separated((50.0, 0.0), (50.0, 20.0), &line));
        assert!(!separated((50.0, 0.0), (60.0, 5.0), &line));
        assert!(
            !separated((150.0, 0.0), (150.0, 20.0), &line),
            "past the line's end"
        );
    }

    #[test]
    fn statuses_read_back() {
        for s in Status::ALL {
            let back = status(status_name(*s));
            let want = if *s == Status::FalsePositive {
                Status::NotApplicable
            } else {
                *s
            };
            assert_eq!(back, Some(want));
        }
        assert_eq!(status("Avoided"), Some(Status::NotApplicable));
        assert_eq!(status("whatever"), None);
    }

    #[test]
    fn rectangles_measure_distance() {
        let r = Rect {
            x: 10.0,
            y: 30.0,
            w: 160.0,
            h: 80.0,
        };
        assert_eq!(r.distance((180.0, 70.0)), 10.0);
        assert_eq!(r.distance((50.0, 50.0)), 0.0);
        assert_eq!(r.center(), (90.0, 70.0));
    }
}
