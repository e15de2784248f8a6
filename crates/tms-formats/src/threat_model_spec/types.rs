//! Threat Model Spec's own parts: what a Threat Model Spec document holds that
//! our model cannot (attack chains and trees, sequences, threats, mitigations,
//! threat actors, assets). The reader keeps them as the model's
//! `imported.extension`; [`super::extras`] reads them back for reports, STIX
//! and `tms generate`.

use serde::Serialize;
use serde_json::{Map, Value};

/// A Threat Model Spec document, as far as our model cannot hold it. Element,
/// boundary and flow ids here are our ids (after any rewrite), so they resolve
/// in the model; ids of threats, mitigations and tree nodes are kept as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedSpec {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    pub diagrams: Vec<SpecDiagram>,
    pub threat_actors: Vec<SpecThreatActor>,
    pub mitigations: Vec<SpecMitigation>,
    pub assets: Vec<SpecAsset>,
    /// Model-level mappings as written, including what ours lacks (CVE, LINDDUN, compliance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Value>,
    /// Every other top-level section (scenarios, redTeam, blueTeam, ...) as written.
    pub other: Map<String, Value>,
}

impl ImportedSpec {
    /// Threat entries of every diagram, in document order.
    pub fn threats(&self) -> impl Iterator<Item = &SpecThreat> {
        self.diagrams.iter().flat_map(|d| d.threats.iter())
    }

    /// Mitigations of the model and of every diagram, in document order.
    pub fn all_mitigations(&self) -> impl Iterator<Item = &SpecMitigation> {
        self.mitigations
            .iter()
            .chain(self.diagrams.iter().flat_map(|d| d.mitigations.iter()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagramKind {
    Dfd,
    AttackChain,
    Sequence,
    AttackTree,
}

impl DiagramKind {
    pub const ALL: [DiagramKind; 4] = [
        DiagramKind::Dfd,
        DiagramKind::AttackChain,
        DiagramKind::Sequence,
        DiagramKind::AttackTree,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiagramKind::Dfd => "dfd",
            DiagramKind::AttackChain => "attack-chain",
            DiagramKind::Sequence => "sequence",
            DiagramKind::AttackTree => "attack-tree",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecDiagram {
    pub kind: DiagramKind,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    pub elements: Vec<SpecNode>,
    pub boundaries: Vec<SpecBoundary>,
    pub flows: Vec<SpecFlow>,
    pub attacks: Vec<SpecAttack>,
    pub targets: Vec<SpecTarget>,
    pub actors: Vec<SpecActor>,
    pub messages: Vec<SpecMessage>,
    pub phases: Vec<SpecPhase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attack_tree: Option<SpecAttackTree>,
    pub threats: Vec<SpecThreat>,
    pub mitigations: Vec<SpecMitigation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Value>,
    /// Sections of the diagram we do not interpret (legend, detections, ...), as written.
    pub other: Map<String, Value>,
}

/// An element (or a boundary) as one diagram draws it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecNode {
    pub id: String,
    pub label: String,
    /// Threat Model Spec's element type (`process`, `gateway`, `browser`, ...).
    pub kind: String,
    /// The boundary (our id) it sits in, in this diagram (for a boundary: in the model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub description: String,
}

/// A boundary as one diagram draws it: the same fields as an element, its
/// `parent` being the enclosing boundary.
pub type SpecBoundary = SpecNode;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecFlow {
    pub from: String,
    pub to: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub bidirectional: bool,
    /// The model flow it became (DFD flows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
}

/// One step of an attack chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecAttack {
    pub step: i64,
    pub from: String,
    pub to: String,
    pub label: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tactic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub atlas_technique: Option<String>,
    pub owasp: Vec<String>,
    pub stride: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecTarget {
    pub element: String,
    pub classification: String,
    pub stride: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
}

/// A participant of a sequence diagram.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecActor {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub malicious: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecMessage {
    pub seq: i64,
    pub from: String,
    pub to: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
    pub note: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecPhase {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tactic: Option<String>,
    pub description: String,
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecAttackTree {
    pub root: String,
    pub nodes: Vec<SpecTreeNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecTreeNode {
    pub id: String,
    pub label: String,
    /// `AND`, `OR` or `LEAF`.
    pub node_type: String,
    pub description: String,
    pub children: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
    pub stride: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countermeasure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigated: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecThreat {
    pub id: String,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stride: Option<String>,
    /// Our element ids.
    pub affected_elements: Vec<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<String>,
    pub mitigation_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecMitigation {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Ids of threats, attack steps (`attack-N`) or scenarios it addresses, as written.
    pub threat_ids: Vec<String>,
    pub stride: Vec<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecThreatActor {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sophistication: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<String>,
    pub motivations: Vec<String>,
    pub primary_goals: Vec<String>,
    /// ATT&CK technique ids.
    pub ttps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecAsset {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub classification: String,
    /// Our element ids.
    pub element_ids: Vec<String>,
    /// The data asset (our id) it became, when it is data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}
