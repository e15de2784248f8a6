//! Diagrams of a model: data flow (DFD) and sequence, as text for other tools
//! (Graphviz DOT, Mermaid, D2, PlantUML) and as pictures drawn here (SVG, PNG).
//!
//! Every format is written from one description built from the model: `Dfd`
//! here, `seq::Seq` for sequence diagrams. Identifiers in diagram syntax are
//! generated (`n3` for the element at index 3, `b1` for a boundary), never a
//! user's id, so user text only ever appears inside a label, escaped by the
//! format's module for that format's quoting rules.

pub mod d2;
mod detour;
pub mod dot;
pub mod font;
pub mod layout;
pub mod mermaid;
pub mod plantuml;
pub mod png;
pub mod quality;
pub mod seq;
pub mod style;
pub mod svg;

use tms_model::{attr_id, BoundaryIdx, ElementKind, Model, Severity, ValueRef};

pub use style::Style;

/// How an item is coloured when the colormap is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heat {
    /// The colormap is off: the kind's colours.
    Off,
    /// No open finding.
    Clean,
    Worst(Severity),
}

/// A drawable item inside a boundary, or at the top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Cluster(usize),
    Node(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// A generated identifier, safe in every format.
    pub key: String,
    pub label: String,
    pub parent: Option<usize>,
    /// Nested clusters and nodes, in model order.
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub key: String,
    pub label: String,
    pub kind: ElementKind,
    pub cluster: Option<usize>,
    pub heat: Heat,
    /// The model element it draws (an index into `Model::elements`).
    pub element: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// The flow's name, after its order number when it has one.
    pub label: String,
    /// A response flow: drawn dashed, against the direction of its request.
    pub response: bool,
    pub heat: Heat,
    /// The model flow it draws (an index into `Model::flows`).
    pub flow: usize,
}

/// The data flow diagram of a model, ready for any format.
#[derive(Debug, Clone, PartialEq)]
pub struct Dfd {
    pub title: String,
    pub clusters: Vec<Cluster>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Top-level clusters and nodes, in model order.
    pub roots: Vec<Item>,
}

impl Dfd {
    pub fn items(&self, cluster: Option<usize>) -> &[Item] {
        match cluster {
            Some(c) => &self.clusters[c].items,
            None => &self.roots,
        }
    }

    /// The clusters around a node, outermost first.
    pub fn chain(&self, node: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.nodes[node].cluster;
        while let Some(c) = cur {
            chain.push(c);
            cur = self.clusters[c].parent;
        }
        chain.reverse();
        chain
    }
}

/// The worst open finding on each element and flow, for `--colormap`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Worst {
    pub elements: Vec<Option<Severity>>,
    pub flows: Vec<Option<Severity>>,
}

impl Worst {
    pub fn from_analysis(
        model: &Model,
        lib: &tms_rules::library::Library,
        analysis: &tms_rules::engine::Analysis,
    ) -> Worst {
        use tms_rules::condition::TargetRef;
        let mut w = Worst {
            elements: vec![None; model.elements.len()],
            flows: vec![None; model.flows.len()],
        };
        for f in &analysis.findings {
            if f.status != tms_model::Status::Open {
                continue;
            }
            let sev = tms_rules::view::severity(model, lib, f);
            let slot = match f.target {
                TargetRef::Element(e) => w.elements.get_mut(e),
                TargetRef::Flow(i) => w.flows.get_mut(i),
                // A threat to the whole system colours no one part of it.
                TargetRef::Model => None,
            };
            if let Some(slot) = slot {
                *slot = (*slot).max(Some(sev));
            }
        }
        w
    }
}

/// Where an element or flow of an SVG embedded in a page links to, and its
/// tooltip (the HTML report links each to its findings).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub href: String,
    pub title: String,
}

/// A link per model element and flow (by index), `None` for no link.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Links {
    pub elements: Vec<Option<Link>>,
    pub flows: Vec<Option<Link>>,
}

/// The data-flow diagram as SVG with our own layout, each element and flow
/// that has a link wrapped in `<a href>` with a `<title>` (all escaped).
pub fn svg_linked(model: &Model, opts: &Options, style: &Style, links: &Links) -> String {
    svg::dfd_linked(&Dfd::build(model, opts), style, links)
}

/// What to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Only items on one of these levels (pytm's `levels`); `None` draws everything.
    pub levels: Option<Vec<i64>>,
    pub worst: Option<Worst>,
}

/// The most characters of a label a diagram shows; the rest is cut, with `…`
/// (a label of a million characters would take minutes to lay out and draw).
pub const MAX_LABEL_CHARS: usize = 500;

/// Labels reach line-oriented formats and XML: line breaks are normalised to
/// `\n` and other control characters (which no format can show, and which are
/// not even legal in XML) become spaces, and the noncharacters U+FFFE and
/// U+FFFF (not legal in XML either) become U+FFFD. Each line is trimmed, as
/// most of the target tools would trim it anyway, and a label is cut after
/// `MAX_LABEL_CHARS` characters.
pub fn clean_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4 * MAX_LABEL_CHARS));
    let mut chars = s.chars().peekable();
    let mut kept = 0;
    while let Some(c) = chars.next() {
        kept += 1;
        if kept > MAX_LABEL_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{2028}' | '\u{2029}' | '\u{85}' => out.push('\n'),
            c if c.is_control() => out.push(' '),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    let lines: Vec<&str> = out.split('\n').map(str::trim).collect();
    lines.join("\n").trim_matches('\n').to_string()
}

fn on_levels(levels: ValueRef<'_>, wanted: &Option<Vec<i64>>) -> bool {
    let Some(wanted) = wanted else {
        return true;
    };
    match levels {
        ValueRef::IntList(l) if !l.is_empty() => l.iter().any(|x| wanted.contains(x)),
        _ => true,
    }
}

pub(crate) fn order_of(f: &tms_model::Flow) -> Option<i64> {
    match f.attrs.get(attr_id::ORDER) {
        ValueRef::Int(o) if o >= 0 => Some(o),
        _ => None,
    }
}

/// A flow's label: its order number, when it has one, then its name.
pub fn flow_label(f: &tms_model::Flow) -> String {
    let name = clean_label(&f.name);
    match order_of(f) {
        Some(o) if name.is_empty() => format!("{o}."),
        Some(o) => format!("{o}. {name}"),
        None => name,
    }
}

/// Which elements are drawn under the options.
pub fn visible_elements(model: &Model, opts: &Options) -> Vec<bool> {
    model
        .elements
        .iter()
        .map(|e| on_levels(e.attrs.get(attr_id::LEVELS), &opts.levels))
        .collect()
}

/// Which flows are drawn: both ends drawn, and the flow on a wanted level.
pub fn visible_flows(model: &Model, opts: &Options, elements: &[bool]) -> Vec<bool> {
    model
        .flows
        .iter()
        .map(|f| {
            elements[f.source]
                && elements[f.sink]
                && on_levels(f.attrs.get(attr_id::LEVELS), &opts.levels)
        })
        .collect()
}

fn heat(worst: &Option<Worst>, pick: impl Fn(&Worst) -> Option<Option<Severity>>) -> Heat {
    match worst {
        None => Heat::Off,
        Some(w) => match pick(w).flatten() {
            Some(s) => Heat::Worst(s),
            None => Heat::Clean,
        },
    }
}

impl Dfd {
    pub fn build(model: &Model, opts: &Options) -> Dfd {
        let shown = visible_elements(model, opts);
        // A boundary is drawn when it holds something drawn, directly or nested.
        let mut boundary_used = vec![false; model.boundaries.len()];
        for (e, el) in model.elements.iter().enumerate() {
            if shown[e] {
                for b in model.boundary_chain(el.boundary) {
                    boundary_used[b] = true;
                }
            }
        }
        let mut cluster_of: Vec<Option<usize>> = vec![None; model.boundaries.len()];
        let mut clusters = Vec::new();
        for (b, bd) in model.boundaries.iter().enumerate() {
            if boundary_used[b] {
                cluster_of[b] = Some(clusters.len());
                clusters.push(Cluster {
                    key: format!("b{b}"),
                    label: clean_label(&bd.name),
                    parent: None,
                    items: Vec::new(),
                });
            }
        }
        let mut roots = Vec::new();
        for (b, bd) in model.boundaries.iter().enumerate() {
            let Some(c) = cluster_of[b] else { continue };
            // Every ancestor of a drawn boundary is drawn. The loader rejects cycles;
            // a hand-built model with one gets its boundaries drawn side by side.
            let parent = if creates_cycle(model, b) {
                None
            } else {
                bd.parent.and_then(|p| cluster_of[p])
            };
            clusters[c].parent = parent;
            match parent {
                Some(p) => clusters[p].items.push(Item::Cluster(c)),
                None => roots.push(Item::Cluster(c)),
            }
        }
        let mut node_of: Vec<Option<usize>> = vec![None; model.elements.len()];
        let mut nodes = Vec::new();
        for (e, el) in model.elements.iter().enumerate() {
            if !shown[e] {
                continue;
            }
            let n = nodes.len();
            node_of[e] = Some(n);
            let cluster = el.boundary.and_then(|b| cluster_of[b]);
            nodes.push(Node {
                key: format!("n{e}"),
                label: clean_label(&el.name),
                kind: el.kind,
                cluster,
                heat: heat(&opts.worst, |w| w.elements.get(e).copied()),
                element: e,
            });
            match cluster {
                Some(c) => clusters[c].items.push(Item::Node(n)),
                None => roots.push(Item::Node(n)),
            }
        }
        let flows = visible_flows(model, opts, &shown);
        let mut edges = Vec::new();
        for (i, f) in model.flows.iter().enumerate() {
            if !flows[i] {
                continue;
            }
            let (Some(from), Some(to)) = (node_of[f.source], node_of[f.sink]) else {
                continue;
            };
            edges.push(Edge {
                from,
                to,
                label: flow_label(f),
                response: model.is_response(f),
                heat: heat(&opts.worst, |w| w.flows.get(i).copied()),
                flow: i,
            });
        }
        Dfd {
            title: clean_label(&model.title),
            clusters,
            nodes,
            edges,
            roots,
        }
    }
}

fn creates_cycle(model: &Model, b: BoundaryIdx) -> bool {
    let mut seen = vec![false; model.boundaries.len()];
    let mut cur = Some(b);
    while let Some(i) = cur {
        if seen[i] {
            return true;
        }
        seen[i] = true;
        cur = model.boundaries[i].parent;
    }
    false
}

/// The Mermaid flowchart of a whole model in the default style, for reports
/// that embed the diagram in Markdown.
pub fn mermaid_dfd(model: &Model) -> String {
    mermaid::flowchart(&Dfd::build(model, &Options::default()), &Style::default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dfd,
    Seq,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dot,
    Mermaid,
    D2,
    PlantUml,
    Svg,
    Png,
}

/// Writes a data flow diagram.
pub type DfdWriter = fn(&Dfd, &Style) -> Result<Vec<u8>, Error>;
/// Writes a sequence diagram.
pub type SeqWriter = fn(&seq::Seq, &Style) -> Result<Vec<u8>, Error>;

/// One diagram format: its name on the command line, the file extensions that
/// ask for it, and its writers. `tms diagram`'s value list, the format from
/// `-o`'s extension and `render` are all driven by [`FORMATS`]: adding a
/// format is a module, a `Format` variant and one row here.
pub struct FormatSpec {
    pub format: Format,
    pub name: &'static str,
    pub about: &'static str,
    pub extensions: &'static [&'static str],
    pub dfd: DfdWriter,
    /// `None`: the format has no sequence diagrams.
    pub seq: Option<SeqWriter>,
    /// Graphviz's output flag, for formats `--engine graphviz` draws.
    pub graphviz: Option<&'static str>,
}

fn text(s: String) -> Result<Vec<u8>, Error> {
    Ok(s.into_bytes())
}

pub const FORMATS: &[FormatSpec] = &[
    FormatSpec {
        format: Format::Dot,
        name: "dot",
        about: "Graphviz DOT",
        extensions: &["dot", "gv"],
        dfd: |d, s| text(dot::write(d, s)),
        seq: None,
        graphviz: None,
    },
    FormatSpec {
        format: Format::Mermaid,
        name: "mermaid",
        about: "Mermaid, for Markdown",
        extensions: &["mmd", "mermaid"],
        dfd: |d, s| text(mermaid::flowchart(d, s)),
        seq: Some(|q, s| text(mermaid::sequence(q, s))),
        graphviz: None,
    },
    FormatSpec {
        format: Format::D2,
        name: "d2",
        about: "D2",
        extensions: &["d2"],
        dfd: |d, s| text(d2::write(d, s)),
        seq: None,
        graphviz: None,
    },
    FormatSpec {
        format: Format::PlantUml,
        name: "plantuml",
        about: "PlantUML",
        extensions: &["puml", "plantuml", "pu"],
        dfd: |d, s| text(plantuml::component(d, s)),
        seq: Some(|q, s| text(plantuml::sequence(q, s))),
        graphviz: None,
    },
    FormatSpec {
        format: Format::Svg,
        name: "svg",
        about: "SVG, laid out and drawn by tms",
        extensions: &["svg"],
        dfd: |d, s| text(svg::dfd(d, s)),
        seq: Some(|q, s| text(svg::sequence(q, s))),
        graphviz: Some("-Tsvg"),
    },
    FormatSpec {
        format: Format::Png,
        name: "png",
        about: "PNG, laid out and drawn by tms",
        extensions: &["png"],
        dfd: |d, s| png::from_svg(&svg::dfd(d, s)),
        seq: Some(|q, s| png::from_svg(&svg::sequence(q, s))),
        graphviz: Some("-Tpng"),
    },
];

impl Format {
    /// This format's row in [`FORMATS`].
    pub fn spec(self) -> &'static FormatSpec {
        FORMATS
            .iter()
            .find(|f| f.format == self)
            .unwrap_or(&FORMATS[0])
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The format a name on the command line stands for.
    pub fn by_name(name: &str) -> Option<Format> {
        FORMATS.iter().find(|f| f.name == name).map(|f| f.format)
    }

    /// The format a file name asks for, by its extension.
    pub fn by_extension(ext: &str) -> Option<Format> {
        let ext = ext.to_ascii_lowercase();
        FORMATS
            .iter()
            .find(|f| f.extensions.contains(&ext.as_str()))
            .map(|f| f.format)
    }
}

#[derive(Debug)]
pub enum Error {
    /// The combination of kind and format does not exist.
    Unsupported(String),
    /// Graphviz was asked for and failed or is missing.
    Graphviz(String),
    Render(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unsupported(m) | Error::Graphviz(m) | Error::Render(m) => f.write_str(m),
        }
    }
}

/// Draws a diagram of `model` in `format` with the built-in engine.
pub fn render(
    model: &Model,
    kind: Kind,
    format: Format,
    opts: &Options,
    style: &Style,
) -> Result<Vec<u8>, Error> {
    let spec = format.spec();
    match kind {
        Kind::Dfd => (spec.dfd)(&Dfd::build(model, opts), style),
        Kind::Seq => match spec.seq {
            Some(write) => write(&seq::Seq::build(model, opts), style),
            None => {
                let seq: Vec<&str> = FORMATS
                    .iter()
                    .filter(|f| f.seq.is_some())
                    .map(|f| f.name)
                    .collect();
                Err(Error::Unsupported(format!(
                    "sequence diagrams are written as {}, not {}",
                    seq.join(", "),
                    spec.name
                )))
            }
        },
    }
}

/// Draws the DFD with Graphviz's `dot` (`--engine graphviz`), as SVG or PNG.
pub fn render_graphviz(
    model: &Model,
    format: Format,
    opts: &Options,
    style: &Style,
) -> Result<Vec<u8>, Error> {
    let Some(t) = format.spec().graphviz else {
        return Err(Error::Unsupported(format!(
            "--engine graphviz draws svg or png; {} is text and needs no engine",
            format.name()
        )));
    };
    let text = dot::write(&Dfd::build(model, opts), style);
    dot::run_graphviz(&text, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_control_characters_but_keep_line_breaks() {
        assert_eq!(clean_label("a\r\nb\rc\u{2028}d"), "a\nb\nc\nd");
        assert_eq!(clean_label("  x\u{0}y\u{7f}z\t "), "x y z");
        assert_eq!(
            clean_label("\n\nkeep  inner  spaces\n"),
            "keep  inner  spaces"
        );
        assert_eq!(clean_label("é中文 ✓"), "é中文 ✓");
    }
}
