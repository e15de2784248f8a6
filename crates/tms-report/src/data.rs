//! The report data: everything the human-readable reports show, built once
//! from the model and the analysis. The Markdown, HTML and CSV templates and a
//! user's own template (`--template`) all render this one structure, so what a
//! report can show is decided here and documented in docs/templates.md.
//!
//! Strings are borrowed from the model and the library as they are: escaping
//! belongs to the output format (see `template.rs`), never to the data.

use serde::Serialize;

use super::{finding_view, summary, FindingView, Summary};
use tms_model::attrs::{id_of, AttrId};
use tms_model::risk::{dread_score, level_of, CvssScore, RiskLevel};
use tms_model::*;
use tms_rules::condition::TargetRef;
use tms_rules::engine::Analysis;
use tms_rules::library::Library;
use tms_rules::{Likelihood, Stride};
use tms_syntax::dates::{parse_date, today};

const PROTOCOL: AttrId = id_of("protocol");
const DST_PORT: AttrId = id_of("dstPort");
const IS_ENCRYPTED: AttrId = id_of("isEncrypted");
const ORDER: AttrId = id_of("order");
const AUTHENTICATES_SOURCE: AttrId = id_of("authenticatesSource");
const AUTHENTICATES_DESTINATION: AttrId = id_of("authenticatesDestination");
const AUTHENTICATION_SCHEME: AttrId = id_of("authenticationScheme");
const IMPLEMENTS_AUTHENTICATION_SCHEME: AttrId = id_of("implementsAuthenticationScheme");
const IN_SCOPE: AttrId = id_of("inScope");

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportData<'a> {
    pub tool: Tool,
    pub model: Overview<'a>,
    /// Every boundary, parents before their children (depth-first, in model
    /// order): a tree read top to bottom, with `depth` and `parent`.
    pub boundaries: Vec<BoundaryView<'a>>,
    /// Elements that sit in no boundary.
    pub outside_boundaries: Vec<ElementRef<'a>>,
    pub elements: Vec<ElementView<'a>>,
    pub flows: Vec<FlowView<'a>>,
    /// The flows whose ends sit in different boundaries, in model order.
    pub crossing_flows: Vec<FlowView<'a>>,
    pub data: Vec<DataView<'a>>,
    /// Sorted by id, as in every output.
    pub findings: Vec<ReportFinding<'a>>,
    /// What the model leaves unset that rules need, worst stake first.
    pub questions: Vec<tms_rules::view::QuestionView<'a>>,
    /// All six STRIDE categories in S T R I D E order; `findings` are indexes into `findings`.
    pub by_stride: Vec<Group<'a>>,
    /// Every element or flow with findings, elements first, in model order.
    pub by_target: Vec<Group<'a>>,
    pub risk_matrix: RiskMatrix,
    pub summary: Summary,
    pub triage: Vec<TriageView<'a>>,
    pub assumptions: Vec<AssumptionView<'a>>,
    /// STRIDE letter to its name, in S T R I D E order.
    pub stride_names: serde_json::Map<String, serde_json::Value>,
    /// STRIDE categories, ATT&CK tactics and OWASP Top 10 items the findings touch, and those they do not.
    pub coverage: super::coverage::Coverage,
    /// What a model imported from another format holds beyond ours (Threat
    /// Model Spec attack chains, threats, mitigations, ...); null for our own format.
    pub imported: Option<ImportedView<'a>>,
    /// The data-flow diagram as Mermaid text, and a code fence longer than any
    /// run of backticks in it, so a label cannot close the block.
    pub mermaid: String,
    pub mermaid_fence: String,
    /// The data-flow diagram as SVG (our own layout), elements and flows
    /// coloured by their worst open finding, each with findings a link
    /// `#target=ID` (the HTML report's filter) with a tooltip; already
    /// escaped, for `|safe`. Null for a model with no elements or more than
    /// `MAX_DIAGRAM_ELEMENTS`.
    pub diagram_svg: Option<String>,
}

/// Above this many elements the report has no diagram: it would be
/// unreadable, and laying it out would cost more than the rest of the report.
pub const MAX_DIAGRAM_ELEMENTS: usize = 300;

/// `text` with every byte but unreserved URL characters as `%XX`: a model id
/// in a URL fragment that `URLSearchParams` reads back as written.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The link of an element or flow with findings: its filter, and a tooltip
/// with how many findings it has and how many are open.
fn target_link(id: &str, name: &str, counts: (usize, usize)) -> tms_diagram::Link {
    let (total, open) = counts;
    let who = if name.is_empty() || name == id {
        id.to_string()
    } else {
        format!("{name} ({id})")
    };
    tms_diagram::Link {
        href: format!("#target={}", percent_encode(id)),
        title: format!(
            "{who}: {total} finding{}, {open} open",
            if total == 1 { "" } else { "s" }
        ),
    }
}

fn diagram_svg(model: &Model, lib: &Library, a: &Analysis) -> Option<String> {
    if model.elements.is_empty() || model.elements.len() > MAX_DIAGRAM_ELEMENTS {
        return None;
    }
    let mut elements = vec![(0usize, 0usize); model.elements.len()];
    let mut flows = vec![(0usize, 0usize); model.flows.len()];
    for f in &a.findings {
        let slot = match f.target {
            TargetRef::Element(e) => elements.get_mut(e),
            TargetRef::Flow(x) => flows.get_mut(x),
            TargetRef::Model => None,
        };
        if let Some((total, open)) = slot {
            *total += 1;
            *open += usize::from(f.status == Status::Open);
        }
    }
    let links = tms_diagram::Links {
        elements: model
            .elements
            .iter()
            .zip(&elements)
            .map(|(e, c)| (c.0 > 0).then(|| target_link(&e.id, &e.name, *c)))
            .collect(),
        flows: model
            .flows
            .iter()
            .zip(&flows)
            .map(|(f, c)| (c.0 > 0).then(|| target_link(&f.id, &f.name, *c)))
            .collect(),
    };
    let opts = tms_diagram::Options {
        levels: None,
        worst: Some(tms_diagram::Worst::from_analysis(model, lib, a)),
    };
    let svg = tms_diagram::svg_linked(model, &opts, &tms_diagram::Style::default(), &links);
    // Inline in HTML, the SVG namespace is implied: the page names no URL.
    Some(svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1))
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overview<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub version: Option<&'a str>,
    pub file: &'a str,
    pub authors: Vec<AuthorView<'a>>,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorView<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub boundaries: usize,
    pub elements: usize,
    pub flows: usize,
    pub crossing_flows: usize,
    pub data: usize,
    pub findings: usize,
    pub open: usize,
    pub questions: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BoundaryRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BoundaryView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub in_scope: bool,
    /// 0 for a top-level boundary.
    pub depth: usize,
    pub parent: Option<&'a str>,
    /// Names (or ids, where a boundary has no name) from the outermost boundary down to this one.
    pub path: Vec<&'a str>,
    /// The elements directly inside, in model order.
    pub elements: Vec<ElementRef<'a>>,
    /// Ids of the flows that cross this boundary's edge.
    pub crossing_flows: Vec<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ElementRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ElementView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: &'a str,
    pub boundary: Option<BoundaryRef<'a>>,
    pub in_scope: bool,
    pub tags: &'a [String],
    pub data: Vec<DataRef<'a>>,
    pub findings: usize,
    pub open: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub classification: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub boundary: Option<BoundaryRef<'a>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub from: EndView<'a>,
    pub to: EndView<'a>,
    pub protocol: &'a str,
    pub port: Option<i64>,
    pub order: Option<i64>,
    pub encrypted: bool,
    /// See `authenticated` below for what counts.
    pub authenticated: bool,
    pub authentication_scheme: &'a str,
    pub is_response: bool,
    pub response_to: Option<&'a str>,
    pub data: Vec<DataRef<'a>>,
    pub crosses_boundary: bool,
    /// The boundaries whose edge the flow crosses: those around its source
    /// but not its sink (innermost first), then those around its sink but not
    /// its source (outermost first), the order a packet meets them.
    pub crosses: Vec<BoundaryRef<'a>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub format: &'a str,
    pub classification: &'static str,
    #[serde(rename = "isPII")]
    pub is_pii: bool,
    pub is_credentials: bool,
    pub credentials_life: &'static str,
    pub is_stored: bool,
    /// Ids of the flows that carry it.
    pub flows: Vec<&'a str>,
}

/// A finding as the contract shows it, and what a reader of a report also wants beside it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportFinding<'a> {
    #[serde(flatten)]
    pub view: FindingView<'a>,
    pub target_name: &'a str,
    pub stride_names: Vec<&'static str>,
    pub owner: Option<&'a str>,
    pub ticket: Option<&'a str>,
    pub expires: Option<&'a str>,
    /// The date a triage decision expired on, when it did: the finding is open again.
    pub expired: Option<&'a str>,
    /// The name of the assumption that rules the finding out.
    pub assumption: Option<&'a str>,
    /// The triage entry (its `finding` pattern) that decided the status.
    pub triaged_by: Option<&'a str>,
    pub references: &'a [String],
    /// Every rule of the finding (its cause merged them), the one that
    /// stands for it first.
    pub rules: Vec<RuleRef<'a>>,
    /// The rule's own severity before exposure and data moved it.
    pub rule_severity: Severity,
    pub exposure: &'static str,
    pub data_classification: Option<&'static str>,
    /// The facts that made it fire.
    pub evidence: Vec<tms_rules::explain::Evidence<'a>>,
    /// Attribute settings that close it (`path: value`).
    pub closed_by: Vec<String>,
}

/// What an imported file carried beyond our model, for templates: the
/// generic part, and a Threat Model Spec document's own parts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedView<'a> {
    pub format: &'a str,
    pub id_rewrites: &'a [tms_model::imported::IdRewrite],
    pub not_carried: &'a [tms_model::imported::NotCarried],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_model_spec: Option<&'a tms_formats::threat_model_spec::ImportedSpec>,
}

/// A rule, named.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group<'a> {
    /// A STRIDE letter, or an element or flow id.
    pub id: &'a str,
    pub name: &'a str,
    /// `stride` for STRIDE groups, the element type or `flow` for target groups.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Indexes into the report's `findings`.
    pub findings: Vec<usize>,
    pub total: usize,
    pub open: usize,
}

/// Likelihood x impact counts, laid out as the matrix in `tms_model::risk` is:
/// rows from impact 5 (critical) down, columns from likelihood 1 up.
#[derive(Debug, Clone, Serialize)]
pub struct RiskMatrix {
    pub likelihoods: Vec<Axis>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Axis {
    pub score: u8,
    pub name: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub impact: u8,
    pub severity: &'static str,
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixCell {
    pub likelihood: u8,
    pub impact: u8,
    pub score: u8,
    pub level: RiskLevel,
    pub total: usize,
    pub open: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriageView<'a> {
    pub finding: &'a str,
    pub status: Status,
    pub justification: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub ticket: Option<&'a str>,
    pub expires: Option<&'a str>,
    pub expired: bool,
    pub severity: Option<Severity>,
    pub cvss: Option<CvssScore>,
    pub dread: Option<f64>,
    /// Ids of the findings this entry decided; empty for a stale entry.
    pub findings: Vec<&'a str>,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssumptionView<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub excludes: &'a [String],
    /// Ids of the findings it rules out.
    pub findings: Vec<&'a str>,
}

fn text(attrs: &Attrs, id: AttrId) -> &str {
    match attrs.get(id) {
        ValueRef::Str(s) => s,
        _ => "",
    }
}

fn int(attrs: &Attrs, id: AttrId) -> Option<i64> {
    match attrs.get(id) {
        ValueRef::Int(i) if i >= 0 => Some(i),
        _ => None,
    }
}

/// A boundary's name, or its id where the model gives none.
fn label(b: &Boundary) -> &str {
    if b.name.is_empty() {
        &b.id
    } else {
        &b.name
    }
}

fn boundary_ref(model: &Model, b: Option<BoundaryIdx>) -> Option<BoundaryRef<'_>> {
    b.map(|i| BoundaryRef {
        id: &model.boundaries[i].id,
        name: &model.boundaries[i].name,
    })
}

fn element_ref(e: &Element) -> ElementRef<'_> {
    ElementRef {
        id: &e.id,
        name: &e.name,
        kind: e.kind.as_str(),
    }
}

fn data_refs<'a>(model: &'a Model, data: &[DataIdx]) -> Vec<DataRef<'a>> {
    data.iter()
        .map(|d| DataRef {
            id: &model.data[*d].id,
            name: &model.data[*d].name,
            classification: model.data[*d].classification.as_str(),
        })
        .collect()
}

/// Whether someone checks who is on the other end of a flow. A request is
/// authenticated when the flow or its sink authenticates the source (or
/// names or requires an authentication scheme); a response, when its request
/// authenticated the destination, since the response comes back on it.
fn authenticated(model: &Model, f: &Flow) -> bool {
    let own = |a: &Attrs| {
        a.flag(AUTHENTICATES_SOURCE)
            || a.flag(IMPLEMENTS_AUTHENTICATION_SCHEME)
            || !text(a, AUTHENTICATION_SCHEME).is_empty()
    };
    if model.is_response(f) {
        let request = f.response_to.map(|r| &model.flows[r]);
        return f.attrs.flag(AUTHENTICATES_DESTINATION)
            || request.is_some_and(|r| r.attrs.flag(AUTHENTICATES_DESTINATION));
    }
    own(&f.attrs) || own(&model.elements[f.sink].attrs)
}

fn crossed(model: &Model, f: &Flow) -> Vec<BoundaryIdx> {
    let src = model.boundary_chain(model.elements[f.source].boundary);
    let dst = model.boundary_chain(model.elements[f.sink].boundary);
    let mut out: Vec<BoundaryIdx> = src.iter().filter(|b| !dst.contains(b)).copied().collect();
    out.extend(dst.iter().rev().filter(|b| !src.contains(b)));
    out
}

fn end_view(model: &Model, e: ElementIdx) -> EndView<'_> {
    let e = &model.elements[e];
    EndView {
        id: &e.id,
        name: &e.name,
        kind: e.kind.as_str(),
        boundary: boundary_ref(model, e.boundary),
    }
}

fn flow_view<'a>(model: &'a Model, f: &'a Flow, crosses: &[BoundaryIdx]) -> FlowView<'a> {
    FlowView {
        id: &f.id,
        name: &f.name,
        description: &f.description,
        from: end_view(model, f.source),
        to: end_view(model, f.sink),
        protocol: text(&f.attrs, PROTOCOL),
        port: int(&f.attrs, DST_PORT),
        order: int(&f.attrs, ORDER),
        encrypted: f.attrs.flag(IS_ENCRYPTED),
        authenticated: authenticated(model, f),
        authentication_scheme: text(&f.attrs, AUTHENTICATION_SCHEME),
        is_response: model.is_response(f),
        response_to: f.response_to.map(|r| model.flows[r].id.as_str()),
        data: data_refs(model, &f.data),
        crosses_boundary: model.crosses_boundary(f),
        crosses: crosses
            .iter()
            .filter_map(|b| boundary_ref(model, Some(*b)))
            .collect(),
    }
}

/// Boundaries depth-first, each parent before its children, siblings in model order.
fn tree_order(model: &Model) -> Vec<(BoundaryIdx, usize)> {
    let n = model.boundaries.len();
    let mut children: Vec<Vec<BoundaryIdx>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, b) in model.boundaries.iter().enumerate() {
        match b.parent {
            Some(p) if p < n && p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut out = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    // An explicit stack: a long parent chain must not exhaust the call stack.
    let mut stack: Vec<(BoundaryIdx, usize)> = roots.iter().rev().map(|r| (*r, 0)).collect();
    while let Some((b, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[b], true) {
            continue;
        }
        out.push((b, depth));
        stack.extend(children[b].iter().rev().map(|c| (*c, depth + 1)));
    }
    out
}

/// Three backticks, or one more than the longest run of them in `text`.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

pub fn build<'a>(model: &'a Model, lib: &'a Library, a: &'a Analysis) -> ReportData<'a> {
    let mermaid = tms_diagram::mermaid_dfd(model);
    let crosses: Vec<Vec<BoundaryIdx>> = model.flows.iter().map(|f| crossed(model, f)).collect();
    let mut crossing_by_boundary: Vec<Vec<&str>> = vec![Vec::new(); model.boundaries.len()];
    for (f, bs) in model.flows.iter().zip(&crosses) {
        for b in bs {
            crossing_by_boundary[*b].push(&f.id);
        }
    }
    let mut inside: Vec<Vec<ElementRef>> = vec![Vec::new(); model.boundaries.len()];
    let mut outside_boundaries = Vec::new();
    for e in &model.elements {
        match e.boundary {
            Some(b) => inside[b].push(element_ref(e)),
            None => outside_boundaries.push(element_ref(e)),
        }
    }
    let boundaries: Vec<BoundaryView> = tree_order(model)
        .into_iter()
        .map(|(i, depth)| {
            let b = &model.boundaries[i];
            let mut path: Vec<&str> = model
                .boundary_chain(Some(i))
                .into_iter()
                .map(|c| label(&model.boundaries[c]))
                .collect();
            path.reverse();
            BoundaryView {
                id: &b.id,
                name: &b.name,
                description: &b.description,
                in_scope: b.in_scope,
                depth,
                parent: b.parent.map(|p| model.boundaries[p].id.as_str()),
                path,
                elements: std::mem::take(&mut inside[i]),
                crossing_flows: std::mem::take(&mut crossing_by_boundary[i]),
            }
        })
        .collect();

    let flows: Vec<FlowView> = model
        .flows
        .iter()
        .zip(&crosses)
        .map(|(f, c)| flow_view(model, f, c))
        .collect();
    let crossing_flows: Vec<FlowView> = flows
        .iter()
        .filter(|f| f.crosses_boundary)
        .cloned()
        .collect();

    // Findings per target slot: elements, then flows.
    let ne = model.elements.len();
    let slot = |t: TargetRef| match t {
        TargetRef::Element(e) => e,
        TargetRef::Flow(f) => ne + f,
        // The last slot: threats to the system as a whole.
        TargetRef::Model => ne + model.flows.len(),
    };
    let mut per_target: Vec<Vec<usize>> = vec![Vec::new(); ne + model.flows.len() + 1];
    let mut per_stride: Vec<Vec<usize>> = vec![Vec::new(); Stride::ALL.len()];
    let mut matrix = [[(0usize, 0usize); 5]; 5];
    let mut findings = Vec::with_capacity(a.findings.len());
    let explainer = tms_rules::explain::Explainer::new(model, lib);
    for (i, f) in a.findings.iter().enumerate() {
        let view = finding_view(model, lib, f);
        let rule = &lib.rules[f.rule];
        let open = f.status == Status::Open;
        per_target[slot(f.target)].push(i);
        for s in &rule.stride {
            per_stride[*s as usize].push(i);
        }
        let cell =
            &mut matrix[usize::from(view.risk.impact - 1)][usize::from(view.risk.likelihood - 1)];
        cell.0 += 1;
        cell.1 += usize::from(open);
        let triage = f.triage.map(|t| &model.triage[t]);
        findings.push(ReportFinding {
            target_name: tms_rules::view::target_name(model, f.target),
            stride_names: rule.stride.iter().map(|s| s.long_name()).collect(),
            owner: view.owner,
            ticket: view.ticket,
            expires: triage.and_then(|t| t.expires.as_deref()),
            expired: f.expired.as_deref(),
            assumption: f.assumption.map(|x| model.assumptions[x].name.as_str()),
            triaged_by: triage.map(|t| t.finding.as_str()),
            references: &rule.references,
            rules: tms_rules::view::finding_rules(f)
                .map(|r| RuleRef {
                    id: &lib.rules[r].id,
                    title: &lib.rules[r].title,
                })
                .collect(),
            rule_severity: rule.severity,
            exposure: f.exposure.as_str(),
            data_classification: f.data.map(|c| c.as_str()),
            evidence: explainer.evidence(f),
            closed_by: tms_rules::view::closed_by(lib, f),
            view,
        });
    }
    let open_of = |ix: &[usize]| {
        ix.iter()
            .filter(|i| a.findings[**i].status == Status::Open)
            .count()
    };
    let by_stride = Stride::ALL
        .iter()
        .zip(per_stride)
        .map(|(s, ix)| Group {
            id: s.as_str(),
            name: s.long_name(),
            kind: "stride",
            total: ix.len(),
            open: open_of(&ix),
            findings: ix,
        })
        .collect();
    let by_target = per_target
        .into_iter()
        .enumerate()
        .filter(|(_, ix)| !ix.is_empty())
        .map(|(s, ix)| {
            let (id, name, kind) = if s < ne {
                let e = &model.elements[s];
                (e.id.as_str(), e.name.as_str(), e.kind.as_str())
            } else if let Some(f) = model.flows.get(s - ne) {
                (f.id.as_str(), f.name.as_str(), "flow")
            } else {
                ("", model.title.as_str(), "model")
            };
            Group {
                id,
                name,
                kind,
                total: ix.len(),
                open: open_of(&ix),
                findings: ix,
            }
        })
        .collect();

    let risk_matrix = RiskMatrix {
        likelihoods: Likelihood::ALL
            .iter()
            .map(|l| Axis {
                score: l.score(),
                name: l.as_str(),
            })
            .collect(),
        rows: (1..=5u8)
            .rev()
            .map(|impact| MatrixRow {
                impact,
                severity: Severity::ALL[usize::from(impact - 1)].as_str(),
                cells: (1..=5u8)
                    .map(|likelihood| {
                        let (total, open) =
                            matrix[usize::from(impact - 1)][usize::from(likelihood - 1)];
                        MatrixCell {
                            likelihood,
                            impact,
                            score: likelihood * impact,
                            level: level_of(likelihood * impact),
                            total,
                            open,
                        }
                    })
                    .collect(),
            })
            .collect(),
    };

    let mut element_counts = vec![(0usize, 0usize); ne];
    for f in &a.findings {
        if let TargetRef::Element(e) = f.target {
            element_counts[e].0 += 1;
            element_counts[e].1 += usize::from(f.status == Status::Open);
        }
    }
    let elements = model
        .elements
        .iter()
        .zip(element_counts)
        .map(|(e, (total, open))| ElementView {
            id: &e.id,
            name: &e.name,
            kind: e.kind.as_str(),
            description: &e.description,
            boundary: boundary_ref(model, e.boundary),
            in_scope: e.attrs.flag(IN_SCOPE),
            tags: &e.tags,
            data: data_refs(model, &e.data),
            findings: total,
            open,
        })
        .collect();

    let mut carried_by: Vec<Vec<&str>> = vec![Vec::new(); model.data.len()];
    for f in &model.flows {
        for d in &f.data {
            carried_by[*d].push(&f.id);
        }
    }
    let data = model
        .data
        .iter()
        .zip(carried_by)
        .map(|(d, flows)| DataView {
            id: &d.id,
            name: &d.name,
            description: &d.description,
            format: &d.format,
            classification: d.classification.as_str(),
            is_pii: d.is_pii,
            is_credentials: d.is_credentials,
            credentials_life: d.credentials_life.as_str(),
            is_stored: d.is_stored,
            flows,
        })
        .collect();

    let now = today();
    let mut decided: Vec<Vec<&str>> = vec![Vec::new(); model.triage.len()];
    let mut ruled_out: Vec<Vec<&str>> = vec![Vec::new(); model.assumptions.len()];
    for f in &a.findings {
        if let Some(t) = f.triage {
            decided[t].push(&f.id);
        }
        if let Some(x) = f.assumption {
            ruled_out[x].push(&f.id);
        }
    }
    let triage = model
        .triage
        .iter()
        .zip(decided)
        .map(|(t, findings)| TriageView {
            finding: &t.finding,
            status: t.status,
            justification: t.justification.as_deref(),
            owner: t.owner.as_deref(),
            ticket: t.ticket.as_deref(),
            expires: t.expires.as_deref(),
            expired: t
                .expires
                .as_deref()
                .and_then(parse_date)
                .is_some_and(|d| d < now),
            severity: t.severity,
            cvss: t
                .cvss
                .as_deref()
                .and_then(|v| tms_model::risk::cvss(v).ok()),
            dread: t.dread.as_ref().map(dread_score),
            findings,
            line: t.pos.line,
        })
        .collect();
    let assumptions = model
        .assumptions
        .iter()
        .zip(ruled_out)
        .map(|(x, findings)| AssumptionView {
            name: &x.name,
            description: &x.description,
            excludes: &x.excludes,
            findings,
        })
        .collect();

    let summary = summary(model, lib, a);
    let questions = tms_rules::view::questions_by_stake(model, lib, a);
    ReportData {
        questions,
        tool: Tool {
            name: "tms",
            version: env!("CARGO_PKG_VERSION"),
        },
        model: Overview {
            title: &model.title,
            description: &model.description,
            version: model.version.as_deref(),
            file: &model.file,
            authors: model
                .authors
                .iter()
                .map(|x| AuthorView {
                    name: &x.name,
                    email: x.email.as_deref(),
                })
                .collect(),
            counts: Counts {
                boundaries: model.boundaries.len(),
                elements: model.elements.len(),
                flows: model.flows.len(),
                crossing_flows: crossing_flows.len(),
                data: model.data.len(),
                findings: summary.total,
                open: summary.open,
                questions: a.questions.len(),
            },
        },
        boundaries,
        outside_boundaries,
        elements,
        flows,
        crossing_flows,
        data,
        findings,
        by_stride,
        by_target,
        risk_matrix,
        summary,
        triage,
        assumptions,
        stride_names: Stride::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.long_name().into()))
            .collect(),
        coverage: super::coverage::compute(model, lib, a),
        imported: model.imported.as_ref().map(|im| ImportedView {
            format: &im.format,
            id_rewrites: &im.id_rewrites,
            not_carried: &im.not_carried,
            threat_model_spec: tms_formats::threat_model_spec::extras(model),
        }),
        mermaid_fence: fence_for(&mermaid),
        mermaid,
        diagram_svg: diagram_svg(model, lib, a),
    }
}
