//! Microsoft Threat Modeling Tool models (`.tm7`): XML in .NET DataContract
//! form, with diagrams of stencils and connectors and the threats the tool
//! generated for them.
//!
//! | Threat Modeling Tool | tms |
//! |---|---|
//! | external interactor (`GE.EI`) | actor when its type is `Human`, else external entity |
//! | process (`GE.P`) | process |
//! | data store (`GE.DS`) | datastore |
//! | border boundary (`GE.TB.B`) | boundary holding the elements drawn inside it |
//! | line boundary (`GE.TB.L`) | boundaries of the zones the lines cut the stencils outside borders into (a warning); lines that separate nothing are noted |
//! | connector (`GE.DF`) | flow (an HTTPS stencil: `protocol: HTTPS`, `isEncrypted`) |
//! | `Out Of Scope` | `inScope: false` |
//! | properties of the same meaning (`PROPERTY_ATTRS`) | attributes |
//! | other chosen properties | `properties` |
//! | threat instance | model threat: STRIDE, priority as severity, state as status, justification, the connector it is on as `affects` |
//! | `MetaInformation` | title, description, owner and contributors as authors, assumptions |
//!
//! A threat's short description is its STRIDE category's stock text, which
//! the category carries. The knowledge base (the template's stencils and
//! threat types) is the tool's rule library, not part of the model: tms
//! applies its own. What else has no place is listed as not carried over.
//!
//! XML is parsed with roxmltree without DTDs (a DOCTYPE is refused where it
//! stands), with a bound on nodes and nesting, so a hostile file costs
//! little and never panics.

use tms_syntax::fxhash::FxHashMap as HashMap;

use roxmltree::{Document, Node as XNode};

use super::importer::{self, Builder};
use crate::geometry::Rect;
use tms_model::attrs;
use tms_model::imported::Anchor;
use tms_model::*;
use tms_syntax::diag::Diagnostics;
use tms_syntax::source::Pos;

/// This format's row in the registry (`crate::registry`).
pub const FORMAT: crate::registry::Format = crate::registry::Format {
    name: "tmt",
    about: "Microsoft Threat Modeling Tool .tm7 (XML), with its threats",
    title: "a Microsoft Threat Modeling Tool",
    signature: "a Threat Modeling Tool model (.tm7) is XML whose root element is `ThreatModel`",
    input: crate::registry::Input::Xml { detect, read },
    write: None,
};

/// Far above a real model (a 500-stencil model is about 200,000 nodes with
/// its knowledge base), far below what exhausts memory.
const MAX_NODES: u32 = 4_000_000;

/// A .tm7 nests about a dozen levels; our YAML and JSON readers' bound.
const MAX_DEPTH: usize = tms_syntax::source::MAX_DEPTH;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Whether the document's root element is `ThreatModel`, looking past the
/// XML declaration, comments and a DOCTYPE (which `read` then refuses, so a
/// hostile .tm7 gets that error rather than "not a model").
pub fn detect(text: &str) -> bool {
    let mut rest = text.trim_start();
    // Bounded: each round consumes one prolog item.
    for _ in 0..64 {
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<!") {
            doctype_end(rest)
        } else {
            let name = rest.strip_prefix("<ThreatModel");
            return name.is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == '>'));
        };
        let Some(skip) = skip else {
            return false;
        };
        rest = rest[skip..].trim_start();
    }
    false
}

/// The end of a `<!DOCTYPE ...>` at the start of `s`, past an internal subset.
fn doctype_end(s: &str) -> Option<usize> {
    let close = s.find('>')?;
    match s.find('[') {
        Some(open) if open < close => {
            let end = s[open..].find("]")? + open;
            s[end..].find('>').map(|i| end + i + 1)
        }
        _ => Some(close + 1),
    }
}

/// Reads a .tm7 document's text.
pub fn read(text: &str, file: &str) -> (Option<Model>, Diagnostics) {
    let mut b = Builder::new(file, FORMAT.name);
    let doc = match parse(text) {
        Ok(doc) => doc,
        Err((pos, message, hint)) => {
            b.r.error(pos, message).hint = Some(hint.into());
            return (None, b.r.diags);
        }
    };
    let mut t = Tmt {
        b,
        doc: &doc,
        by_guid: HashMap::default(),
        flow_by_guid: HashMap::default(),
    };
    t.read(doc.root_element());
    t.b.finish()
}

type ParseError = (Pos, String, &'static str);

/// Parses with no DTD and bounded nodes, then checks the nesting.
fn parse(text: &str) -> Result<Document<'_>, ParseError> {
    if let Some(at) = text.find("<!DOCTYPE") {
        return Err((
            pos_at(text, at),
            "the file declares a DOCTYPE, which tms does not process".into(),
            "a Threat Modeling Tool model has none; remove the DOCTYPE (entities and DTDs are refused for safety)",
        ));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..Default::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        if matches!(e, roxmltree::Error::NodesLimitReached) {
            return (
                Pos::new(1, 1),
                format!("the XML has more than {MAX_NODES} nodes"),
                "far more than any Threat Modeling Tool model; split the model",
            );
        }
        let p = e.pos();
        let message = e.to_string();
        // roxmltree ends its messages with the position, which ours leads with.
        let message = message
            .strip_suffix(&format!(" at {p}"))
            .unwrap_or(&message)
            .to_string();
        (
            Pos::new(p.row, p.col),
            format!("invalid XML: {message}"),
            "open the file in the Threat Modeling Tool and save it again",
        )
    })?;
    check_depth(&doc)?;
    Ok(doc)
}

/// Refuses nesting deeper than any model. Without recursion: nodes come in
/// document order, so a node's parent has its depth before the node.
fn check_depth(doc: &Document) -> Result<(), ParseError> {
    let mut depth = vec![0usize; doc.descendants().count()];
    for n in doc.descendants() {
        let d = n
            .parent()
            .and_then(|p| depth.get(p.id().get_usize()))
            .map_or(0, |d| d + 1);
        if d > MAX_DEPTH {
            return Err((
                node_pos(doc, n),
                format!("the XML nests deeper than {MAX_DEPTH} levels"),
                "a Threat Modeling Tool model nests about a dozen levels; this file is not one",
            ));
        }
        if let Some(slot) = depth.get_mut(n.id().get_usize()) {
            *slot = d;
        }
    }
    Ok(())
}

fn pos_at(text: &str, byte: usize) -> Pos {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos::new(line as u32, col as u32)
}

fn node_pos(doc: &Document, n: XNode) -> Pos {
    let p = doc.text_pos_at(n.range().start);
    Pos::new(p.row, p.col)
}

/// The element children of `n` with local name `name`.
fn children<'a, 'i>(n: XNode<'a, 'i>, name: &'a str) -> impl Iterator<Item = XNode<'a, 'i>> + 'a {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i>(n: XNode<'a, 'i>, name: &str) -> Option<XNode<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The trimmed text of the child `name`, if there is some.
fn text_of<'a>(n: XNode<'a, '_>, name: &str) -> Option<&'a str> {
    child(n, name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn number(n: XNode, name: &str) -> Option<f64> {
    text_of(n, name)
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// The DataContract type of a value (`i:type="b:Connector"` is `Connector`).
fn xsi_type<'a>(n: XNode<'a, '_>) -> &'a str {
    let t = n.attribute((XSI, "type")).unwrap_or("");
    t.rsplit(':').next().unwrap_or(t)
}

/// Where a stencil is drawn.
fn rect_of(n: XNode) -> Option<Rect> {
    Some(Rect {
        x: number(n, "Left")?,
        y: number(n, "Top")?,
        w: number(n, "Width")?,
        h: number(n, "Height")?,
    })
}

/// A line boundary's points: source, the handle it bends through, target.
fn line_of(n: XNode) -> Vec<(f64, f64)> {
    [
        ("SourceX", "SourceY"),
        ("HandleX", "HandleY"),
        ("TargetX", "TargetY"),
    ]
    .iter()
    .filter_map(|(x, y)| Some((number(n, x)?, number(n, y)?)))
    .collect()
}

/// A property of a stencil or connector, as the tool shows it.
struct Property<'a> {
    /// The stable key (`codeType`), or the display name where the key is a GUID.
    key: String,
    display: &'a str,
    /// The value chosen; `None` for headers, nil and "Not Selected".
    value: Option<String>,
}

/// A TMT property (by its key) that means what one of our attributes means,
/// and that attribute: the tool's Yes and No are our true and false, a chosen
/// text (`Managed`) is the value.
const PROPERTY_ATTRS: &[(&str, &str)] = &[
    ("codeType", "codeType"),
    (
        "implementsAuthenticationScheme",
        "implementsAuthenticationScheme",
    ),
    ("implementsCustomAuthorizationMechanism", "authorizesSource"),
    (
        "implementsCommunicationProtocol",
        "implementsCommunicationProtocol",
    ),
    ("hasInputSanitizers", "sanitizesInput"),
    ("hasOutputSanitizers", "encodesOutput"),
    ("storesCredentials", "storesSensitiveData"),
    ("storesLogData", "storesLogData"),
    ("Encrypted", "isEncryptedAtRest"),
    ("Signed", "providesIntegrity"),
    ("AccessType", "hasWriteAccess"),
    ("shared", "isShared"),
    ("authenticatesSource", "authenticatesSource"),
    ("authenticatesDestination", "authenticatesDestination"),
    ("providesConfidentiality", "providesConfidentiality"),
    ("providesIntegrity", "providesIntegrity"),
];

struct Tmt<'d, 'i> {
    b: Builder<'d>,
    doc: &'d Document<'i>,
    by_guid: HashMap<String, ElementIdx>,
    flow_by_guid: HashMap<String, FlowIdx>,
}

impl<'d, 'i> Tmt<'d, 'i> {
    fn pos(&self, n: XNode) -> Pos {
        node_pos(self.doc, n)
    }

    fn read(&mut self, root: XNode<'d, 'i>) {
        self.meta(root);
        let surfaces: Vec<XNode> = child(root, "DrawingSurfaceList")
            .map(|l| children(l, "DrawingSurfaceModel").collect())
            .unwrap_or_default();
        if surfaces.len() > 1 {
            let names: Vec<&str> = surfaces
                .iter()
                .filter_map(|s| text_of(*s, "Header"))
                .collect();
            self.b.note(
                Anchor::Model,
                format!(
                    "{} diagrams ({}), merged into one model",
                    surfaces.len(),
                    names.join(", ")
                ),
            );
        }
        for s in &surfaces {
            self.diagram(*s);
        }
        if let Some(list) = child(root, "ThreatInstances") {
            for kv in list.children().filter(XNode::is_element) {
                if let Some(v) = child(kv, "Value") {
                    self.threat(v);
                }
            }
        }
        if let Some(notes) = child(root, "Notes") {
            for n in notes.children().filter(XNode::is_element) {
                let text = text_of(n, "Message").or_else(|| n.text().map(str::trim));
                if let Some(t) = text.filter(|t| !t.is_empty()) {
                    self.b
                        .note(Anchor::Model, format!("note: {}", importer::clip(t)));
                }
            }
        }
        if child(root, "KnowledgeBase").is_some() {
            self.b.note(
                Anchor::Model,
                "the knowledge base (the template's stencils and threat types); tms applies its own rules",
            );
        }
    }

    /// `MetaInformation`: title, description, authors, assumptions.
    fn meta(&mut self, root: XNode) {
        let Some(m) = child(root, "MetaInformation") else {
            return;
        };
        self.b.model.title = text_of(m, "ThreatModelName")
            .unwrap_or("Threat Modeling Tool model")
            .to_string();
        if let Some(d) = text_of(m, "HighLevelSystemDescription") {
            self.b.model.description = d.to_string();
        }
        for who in ["Owner", "Contributors"] {
            for name in text_of(m, who).unwrap_or("").split([',', ';', '\n']) {
                let name = name.trim();
                if !name.is_empty() && !self.b.model.authors.iter().any(|a| a.name == name) {
                    self.b.model.authors.push(Author {
                        name: name.to_string(),
                        email: None,
                    });
                }
            }
        }
        if let Some(a) = child(m, "Assumptions") {
            let pos = self.pos(a);
            for line in a
                .text()
                .unwrap_or("")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                self.b.model.assumptions.push(Assumption {
                    name: line.to_string(),
                    description: String::new(),
                    excludes: Vec::new(),
                    pos,
                });
            }
        }
        for (key, what) in [
            ("Reviewer", "reviewer"),
            ("ExternalDependencies", "external dependencies"),
        ] {
            if let Some(v) = text_of(m, key) {
                self.b
                    .note(Anchor::Model, format!("{what}: {}", importer::clip(v)));
            }
        }
    }

    fn diagram(&mut self, surface: XNode<'d, 'i>) {
        let mut placed: Vec<(ElementIdx, Rect)> = Vec::new();
        let mut boxes: Vec<(BoundaryIdx, Rect)> = Vec::new();
        for v in child(surface, "Borders")
            .into_iter()
            .flat_map(|l| values(l))
        {
            let generic = text_of(v, "GenericTypeId").unwrap_or("");
            match generic {
                "GE.TB.B" => {
                    if let Some(b) = self.border(v) {
                        boxes.push(b);
                    }
                }
                "GE.EI" | "GE.P" | "GE.DS" => {
                    if let Some(e) = self.element(v, generic) {
                        placed.push(e);
                    }
                }
                _ => self.unknown_stencil(v, generic),
            }
        }
        crate::geometry::place_in_boxes(&mut self.b.model, placed.iter().copied(), &boxes);
        let mut lines: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for v in child(surface, "Lines").into_iter().flat_map(|l| values(l)) {
            match text_of(v, "GenericTypeId").unwrap_or("") {
                "GE.DF" => self.flow(v),
                "GE.TB.L" => lines.push((self.name(v, "Line boundary"), line_of(v))),
                other => self.unknown_stencil(v, other),
            }
        }
        self.line_zones(surface, &placed, &lines);
    }

    /// A line boundary holds nothing, so the stencils no border holds are
    /// grouped by the side of the lines they are on, one boundary per group;
    /// lines that separate nothing are noted.
    fn line_zones(
        &mut self,
        surface: XNode,
        placed: &[(ElementIdx, Rect)],
        lines: &[(String, Vec<(f64, f64)>)],
    ) {
        if lines.is_empty() {
            return;
        }
        let names = lines
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join("\", \"");
        let loose: Vec<ElementIdx> = placed
            .iter()
            .map(|(e, _)| *e)
            .filter(|e| self.b.model.elements[*e].boundary.is_none())
            .collect();
        let pts: Vec<Option<(f64, f64)>> = placed
            .iter()
            .filter(|(e, _)| loose.contains(e))
            .map(|(_, r)| Some(r.center()))
            .collect();
        let polylines: Vec<Vec<(f64, f64)>> = lines.iter().map(|(_, l)| l.clone()).collect();
        let groups = crate::geometry::zones(&pts, &polylines);
        if groups.len() < 2 {
            self.b.note(
                Anchor::Model,
                format!(
                    "the line boundary \"{names}\", which separates no stencils outside a border"
                ),
            );
            return;
        }
        let pos = self.pos(surface);
        self.b.r.warning(
            pos,
            format!("the line boundaries \"{names}\" hold no elements; tms groups the stencils outside borders into {} zones by the side of the lines they are on", groups.len()),
        )
        .hint = Some("check the `boundaries` tms made, or draw border boundaries in the Threat Modeling Tool".into());
        for (k, members) in groups.into_iter().enumerate() {
            let name = format!("Trust zone {}", k + 1);
            let id = self.b.id_from_name("boundary", &name);
            let mut b = importer::boundary(id, name, pos);
            b.description = format!("Stencils on the same side of the line boundaries \"{names}\"");
            let bi = self.b.add_boundary(b);
            for i in members {
                self.b.model.elements[loose[i]].boundary = Some(bi);
            }
        }
    }

    fn unknown_stencil(&mut self, v: XNode, generic: &str) {
        let name = self.name(v, "unnamed");
        let kind = if generic.is_empty() {
            xsi_type(v)
        } else {
            generic
        };
        self.b.note(
            Anchor::Model,
            format!("the {kind} \"{name}\" (no tms counterpart)"),
        );
    }

    /// The stencil's `Name` property, or `fallback`.
    fn name(&self, v: XNode, fallback: &str) -> String {
        properties(v)
            .into_iter()
            .find(|p| p.display == "Name")
            .and_then(|p| p.value)
            .unwrap_or_else(|| fallback.to_string())
    }

    fn border(&mut self, v: XNode) -> Option<(BoundaryIdx, Rect)> {
        let name = self.name(v, "Trust boundary");
        let id = self.b.id_from_name("boundary", &name);
        let pos = self.pos(v);
        let idx = self
            .b
            .add_boundary(importer::boundary(id, name.clone(), pos));
        match rect_of(v) {
            Some(r) => Some((idx, r)),
            None => {
                self.b.r.warning(
                    pos,
                    format!(
                        "the border boundary \"{name}\" has no position and size; it holds nothing"
                    ),
                );
                None
            }
        }
    }

    fn element(&mut self, v: XNode, generic: &str) -> Option<(ElementIdx, Rect)> {
        let props = properties(v);
        let kind = match generic {
            "GE.P" => ElementKind::Process,
            "GE.DS" => ElementKind::Datastore,
            _ if props
                .iter()
                .any(|p| p.key == "type" && p.value.as_deref() == Some("Human")) =>
            {
                ElementKind::Actor
            }
            _ => ElementKind::ExternalEntity,
        };
        let name = self.name(v, &format!("Unnamed {}", kind.as_str()));
        let id = self.b.id_from_name("element", &name);
        let mut e = importer::element(id, kind, name, self.pos(v));
        let mut extra = serde_json::Map::new();
        for p in &props {
            if p.key == "type" && kind.is_external() {
                continue;
            }
            apply_property(p, &mut e.attrs, kind.bit(), &mut extra);
        }
        if kind == ElementKind::Datastore {
            store_type(&props, &mut e.attrs);
        }
        if !extra.is_empty() {
            e.properties = serde_json::Value::Object(extra);
        }
        let guid = text_of(v, "Guid").unwrap_or("").to_string();
        let idx = self.b.add_element(e);
        self.by_guid.insert(guid, idx);
        rect_of(v).map(|r| (idx, r))
    }

    fn flow(&mut self, v: XNode) {
        let name = self.name(v, "Data flow");
        let pos = self.pos(v);
        let end = |key: &str| text_of(v, key).and_then(|g| self.by_guid.get(g).copied());
        let (Some(source), Some(sink)) = (end("SourceGuid"), end("TargetGuid")) else {
            self.b.r.warning(
                pos,
                format!("the data flow \"{name}\" does not join two stencils; it is left out"),
            );
            self.b.note(
                Anchor::Model,
                format!("the data flow \"{name}\", which does not join two stencils"),
            );
            return;
        };
        let id = self.b.id_from_name("flow", &name);
        let mut f = importer::flow(id, name, source, sink, pos);
        let mut extra = serde_json::Map::new();
        for p in properties(v) {
            if p.display == "Dataflow Order" {
                if let Some(n) = p
                    .value
                    .as_deref()
                    .and_then(|s| s.parse::<i64>().ok())
                    .filter(|n| *n > 0)
                {
                    f.attrs.set(attrs::id_of("order"), Value::Int(n));
                }
                continue;
            }
            apply_property(&p, &mut f.attrs, Targets::FLOW, &mut extra);
        }
        if text_of(v, "TypeId").is_some_and(|t| t.ends_with(".HTTPS")) {
            f.attrs
                .set(attrs::id_of("protocol"), Value::Str("HTTPS".into()));
            f.attrs.set(attrs::id_of("isEncrypted"), Value::Bool(true));
        }
        if !extra.is_empty() {
            f.properties = serde_json::Value::Object(extra);
        }
        let guid = text_of(v, "Guid").unwrap_or("").to_string();
        if let Some(idx) = self.b.add_flow(f) {
            self.flow_by_guid.insert(guid, idx);
        }
    }

    /// One `ThreatInstances` entry as a model threat.
    fn threat(&mut self, v: XNode) {
        let pos = self.pos(v);
        let props: Vec<(&str, &str)> = child(v, "Properties")
            .into_iter()
            .flat_map(|p| p.children().filter(XNode::is_element))
            .filter_map(|kv| Some((text_of(kv, "Key")?, text_of(kv, "Value").unwrap_or(""))))
            .collect();
        let prop = |k: &str| {
            props
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| *v)
                .filter(|v| !v.is_empty())
        };
        let number = text_of(v, "Id").unwrap_or("");
        let title = prop("Title")
            .or_else(|| text_of(v, "Title"))
            .unwrap_or("Threat")
            .to_string();
        let wanted = (!number.is_empty()).then(|| format!("TMT-{number}"));
        let id = self.b.threat_id(wanted.as_deref(), &title);
        let mut t = Threat::new(id.clone(), title, pos);
        t.description = prop("UserThreatDescription")
            .or_else(|| text_of(v, "UserThreatDescription"))
            .unwrap_or("")
            .to_string();
        let category = prop("UserThreatCategory").or_else(|| text_of(v, "UserThreatCategory"));
        let stride = category.and_then(Stride::parse).or_else(|| {
            text_of(v, "TypeId")
                .and_then(|s| s.get(..1))
                .and_then(Stride::parse)
        });
        t.stride.extend(stride);
        let priority = text_of(v, "Priority").or_else(|| prop("Priority"));
        t.severity = priority.and_then(Severity::parse);
        let state = text_of(v, "State").unwrap_or("NotStarted");
        t.status = match state {
            "Mitigated" => Status::Mitigated,
            "NotApplicable" => Status::NotApplicable,
            "NotStarted" | "NeedsInvestigation" | "AutoGenerated" => Status::Open,
            other => {
                self.b.note(
                    Anchor::Model,
                    format!("threat `{id}`: the state \"{other}\", read as open"),
                );
                Status::Open
            }
        };
        t.justification = text_of(v, "StateInformation")
            .or_else(|| prop("StateInformation"))
            .map(str::to_string);
        if let Some(on) = self.affected(v) {
            t.affects.push(on);
        }
        const KNOWN: &[&str] = &[
            "Title",
            "UserThreatCategory",
            "UserThreatShortDescription",
            "UserThreatDescription",
            "InteractionString",
            "Priority",
            "StateInformation",
        ];
        for (k, val) in &props {
            if KNOWN.contains(k) || val.is_empty() {
                continue;
            }
            if k.to_ascii_lowercase().contains("mitigation") {
                t.mitigations.push(val.to_string());
            } else {
                self.b.note(
                    Anchor::Model,
                    format!("threat `{id}`: {k}: {}", importer::clip(val)),
                );
            }
        }
        self.b.add_threat(t);
    }

    /// The connector a threat is on, or its target where the connector was left out.
    fn affected(&self, v: XNode) -> Option<Item> {
        if let Some(f) = text_of(v, "FlowGuid").and_then(|g| self.flow_by_guid.get(g)) {
            return Some(Item::Flow(*f));
        }
        text_of(v, "TargetGuid")
            .and_then(|g| self.by_guid.get(g))
            .map(|e| Item::Element(*e))
    }
}

/// The `Value`s of a `Borders` or `Lines` dictionary.
fn values<'a, 'i>(list: XNode<'a, 'i>) -> impl Iterator<Item = XNode<'a, 'i>> + 'a {
    list.children()
        .filter(XNode::is_element)
        .filter_map(|kv| child(kv, "Value"))
}

/// A stencil's or connector's properties, in the order the tool lists them.
fn properties<'a>(v: XNode<'a, '_>) -> Vec<Property<'a>> {
    let Some(list) = child(v, "Properties") else {
        return Vec::new();
    };
    list.children()
        .filter(XNode::is_element)
        .filter(|p| xsi_type(*p) != "HeaderDisplayAttribute")
        .filter_map(|p| {
            let display = text_of(p, "DisplayName")?;
            let key = match text_of(p, "Name") {
                Some(k) if !importer::is_uuid(k) => k.to_string(),
                _ => camel(display),
            };
            Some(Property {
                key,
                display,
                value: chosen(p),
            })
        })
        .collect()
}

/// The value a property holds: a list's selected entry, or the text.
fn chosen(p: XNode) -> Option<String> {
    let value = child(p, "Value")?;
    let text = match text_of(p, "SelectedIndex") {
        Some(i) => {
            let i: usize = i.parse().ok()?;
            value
                .children()
                .filter(XNode::is_element)
                .nth(i)?
                .text()?
                .trim()
                .to_string()
        }
        None => value.text().unwrap_or("").trim().to_string(),
    };
    (!text.is_empty() && text != "Not Selected").then_some(text)
}

/// `Running As` as a property key: `runningAs`.
fn camel(display: &str) -> String {
    let mut out = String::new();
    for (i, w) in display
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        let mut cs = w.chars();
        if let Some(first) = cs.next() {
            if i == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(cs.as_str());
        }
    }
    out
}

/// Puts a property where it belongs: an attribute of the same meaning (when
/// it applies to this kind), `inScope`, or `properties`.
fn apply_property(
    p: &Property,
    attrs: &mut Attrs,
    target: Targets,
    extra: &mut serde_json::Map<String, serde_json::Value>,
) {
    let Some(value) = p.value.as_deref() else {
        return;
    };
    if p.display == "Name" || p.display == "Reason For Out Of Scope" && value.is_empty() {
        return;
    }
    if p.display == "Out Of Scope" {
        if value.eq_ignore_ascii_case("true") {
            attrs.set(attrs::id_of("inScope"), Value::Bool(false));
        }
        return;
    }
    let ours = PROPERTY_ATTRS
        .iter()
        .find(|(k, _)| *k == p.key)
        .and_then(|(_, a)| attrs::lookup(a))
        .filter(|a| a.def().applies.0 & target.0 != 0);
    if let Some(a) = ours {
        let v = match (a.def().ty, value) {
            (attrs::AttrType::Bool, "Yes") => Some(Value::Bool(true)),
            (attrs::AttrType::Bool, "No") => Some(Value::Bool(false)),
            (attrs::AttrType::Str, s) if s != "Not Applicable" => Some(Value::Str(s.to_string())),
            _ => None,
        };
        if let Some(v) = v {
            attrs.set(a, v);
            return;
        }
    }
    extra.insert(p.key.clone(), serde_json::Value::String(value.to_string()));
}

/// A data store's `Store Type`: SQL or not, and the kind where ours has it.
fn store_type(props: &[Property], attrs: &mut Attrs) {
    let Some(t) = props
        .iter()
        .find(|p| p.key == "storeType")
        .and_then(|p| p.value.as_deref())
    else {
        return;
    };
    let sql = t == "SQL Relational Database";
    attrs.set(attrs::id_of("isSQL"), Value::Bool(sql));
    let kind = match t {
        "SQL Relational Database" => Some(DatastoreType::Sql),
        "File System" => Some(DatastoreType::FileSystem),
        _ => None,
    };
    if let Some(k) = kind {
        attrs.set(attrs::id_of("datastoreType"), Value::DatastoreType(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_looks_past_the_prolog() {
        assert!(detect("<ThreatModel xmlns=\"x\"></ThreatModel>"));
        assert!(detect("<?xml version=\"1.0\"?>\n<!-- c --><ThreatModel>"));
        assert!(detect("<!DOCTYPE x [<!ENTITY a \"b\">]><ThreatModel>"));
        assert!(!detect("<ThreatModels>"));
        assert!(!detect("<svg>"));
        assert!(!detect("title: x"));
    }

    #[test]
    fn hostile_documents_are_refused_with_a_position() {
        let doctype = "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY a \"aaaa\">]><ThreatModel/>";
        let (m, d) = read(doctype, "t.tm7");
        assert!(m.is_none());
        assert_eq!((d.0[0].line, d.0[0].column), (2, 1), "{:?}", d.0);
        let deep = format!("<ThreatModel>{}", "<a>".repeat(100_000));
        let (m, d) = read(&deep, "t.tm7");
        assert!(m.is_none() && d.has_errors());
        let bad = "<ThreatModel>\n  <a></b>\n</ThreatModel>";
        let (m, d) = read(bad, "t.tm7");
        assert!(m.is_none());
        assert_eq!(d.0[0].line, 2, "{:?}", d.0);
    }

    /// A stencil or line of a drawing surface, as the tool writes it.
    fn stencil(generic: &str, name: &str, guid: &str, geometry: &str) -> String {
        format!(
            "<a:KeyValueOfguidanyType><a:Key>{guid}</a:Key><a:Value><GenericTypeId>{generic}</GenericTypeId>\
             <Guid>{guid}</Guid><Properties><a:anyType><b:DisplayName>Name</b:DisplayName><b:Name/>\
             <b:Value>{name}</b:Value></a:anyType></Properties>{geometry}</a:Value></a:KeyValueOfguidanyType>"
        )
    }

    #[test]
    fn line_boundaries_group_the_stencils_by_side() {
        let at =
            |x: i32| format!("<Left>{x}</Left><Top>0</Top><Width>100</Width><Height>100</Height>");
        let line = "<SourceX>300</SourceX><SourceY>-100</SourceY><HandleX>300</HandleX>\
                    <HandleY>50</HandleY><TargetX>300</TargetX><TargetY>300</TargetY>";
        let doc = format!(
            "<ThreatModel xmlns:a=\"urn:a\" xmlns:b=\"urn:b\"><DrawingSurfaceList><DrawingSurfaceModel>\
             <Borders>{}{}{}</Borders><Lines>{}</Lines></DrawingSurfaceModel></DrawingSurfaceList></ThreatModel>",
            stencil("GE.EI", "User", "g1", &at(0)),
            stencil("GE.P", "Web", "g2", &at(400)),
            stencil("GE.DS", "Db", "g3", &at(600)),
            stencil("GE.TB.L", "Internet", "g4", line),
        );
        let (m, d) = read(&doc, "t.tm7");
        let m = m.unwrap_or_else(|| panic!("{:?}", d.0));
        assert_eq!(m.boundaries.len(), 2, "{:?}", d.0);
        let zone = |i: usize| {
            m.elements[i]
                .boundary
                .map(|b| m.boundaries[b].name.as_str())
        };
        assert_eq!(zone(0), Some("Trust zone 1"));
        assert_eq!(zone(1), Some("Trust zone 2"));
        assert_eq!(zone(2), Some("Trust zone 2"));
        assert!(d
            .0
            .iter()
            .any(|w| w.message.contains("\"Internet\" hold no elements")));
    }

    #[test]
    fn property_keys_are_camel_case() {
        assert_eq!(camel("Running As"), "runningAs");
        assert_eq!(
            camel("Implements or Uses a Communication Protocol"),
            "implementsOrUsesACommunicationProtocol"
        );
    }
}
