//! The one internal model every input format is read into and every output is
//! written from. Nothing here knows which file format a model came from.

pub mod attrs;
pub mod catalogue;
pub mod derive;
pub mod enums;
pub mod graph;
pub mod imported;
pub mod risk;
pub mod roles;
pub mod schema;
pub mod threat;
pub mod validate;

pub use attrs::{AttrDef, AttrId, AttrType, ATTRS};
pub use enums::{
    Classification, DatastoreType, ElementKind, Lifetime, Likelihood, Severity, Status, Stride,
    Targets, TlsVersion,
};
pub use threat::Threat;

use tms_syntax::source::Pos;

/// A value an attribute holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    Classification(Classification),
    TlsVersion(TlsVersion),
    DatastoreType(DatastoreType),
    IntList(Vec<i64>),
    StrList(Vec<String>),
}

/// A borrowed view of an attribute's value, whether set or defaulted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Bool(bool),
    Int(i64),
    Str(&'a str),
    Classification(Classification),
    TlsVersion(TlsVersion),
    DatastoreType(DatastoreType),
    IntList(&'a [i64]),
    StrList(&'a [String]),
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Int(i) => ValueRef::Int(*i),
            Value::Str(s) => ValueRef::Str(s),
            Value::Classification(c) => ValueRef::Classification(*c),
            Value::TlsVersion(t) => ValueRef::TlsVersion(*t),
            Value::DatastoreType(d) => ValueRef::DatastoreType(*d),
            Value::IntList(l) => ValueRef::IntList(l),
            Value::StrList(l) => ValueRef::StrList(l),
        }
    }
}

impl ValueRef<'_> {
    pub fn to_owned_value(self) -> Value {
        match self {
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Str(s) => Value::Str(s.to_string()),
            ValueRef::Classification(c) => Value::Classification(c),
            ValueRef::TlsVersion(t) => Value::TlsVersion(t),
            ValueRef::DatastoreType(d) => Value::DatastoreType(d),
            ValueRef::IntList(l) => Value::IntList(l.to_vec()),
            ValueRef::StrList(l) => Value::StrList(l.to_vec()),
        }
    }

    pub fn to_json(self) -> serde_json::Value {
        use serde_json::json;
        match self {
            ValueRef::Bool(b) => json!(b),
            ValueRef::Int(i) => json!(i),
            ValueRef::Str(s) => json!(s),
            ValueRef::Classification(c) => json!(c.as_str()),
            ValueRef::TlsVersion(t) => json!(t.as_str()),
            ValueRef::DatastoreType(d) => json!(d.as_str()),
            ValueRef::IntList(l) => json!(l),
            ValueRef::StrList(l) => json!(l),
        }
    }
}

impl attrs::Default {
    pub fn as_value_ref(&self) -> ValueRef<'static> {
        match *self {
            attrs::Default::Bool(b) => ValueRef::Bool(b),
            attrs::Default::Int(i) => ValueRef::Int(i),
            attrs::Default::Str(s) => ValueRef::Str(s),
            attrs::Default::Classification(c) => ValueRef::Classification(c),
            attrs::Default::TlsVersion(t) => ValueRef::TlsVersion(t),
            attrs::Default::DatastoreType(d) => ValueRef::DatastoreType(d),
            attrs::Default::EmptyList => ValueRef::StrList(&[]),
        }
    }
}

/// The attributes a model sets on one element or flow; the rest read as defaults.
///
/// Sparse and sorted by id: a typical element sets a handful of the ~90 attributes,
/// and a dense table per element would cost megabytes on large models. A bitmap of
/// which ids are set finds a value's index by counting bits, and answers "not set"
/// (the common case when rules read defaults) without touching the values at all.
#[derive(Debug, Clone, Default)]
pub struct Attrs {
    set: [u64; SET_WORDS],
    /// Which of the set values were derived (pytm's documented defaults, a
    /// kind's own default) rather than written in the model: evidence says so.
    derived: [u64; SET_WORDS],
    values: Vec<(AttrId, Value)>,
}

/// Two attribute sets are equal when they hold the same values, however
/// they came by them (stated or derived).
impl PartialEq for Attrs {
    fn eq(&self, other: &Self) -> bool {
        self.set == other.set && self.values == other.values
    }
}

const SET_WORDS: usize = 2;
const _: () = assert!(attrs::ATTRS.len() <= SET_WORDS * 64, "widen Attrs::set");

impl Attrs {
    /// Nothing set: what the system as a whole holds.
    pub const EMPTY: Attrs = Attrs {
        set: [0; SET_WORDS],
        derived: [0; SET_WORDS],
        values: Vec::new(),
    };

    fn bit(id: AttrId) -> (usize, u64) {
        let i = id.0 as usize;
        (i / 64, 1u64 << (i % 64))
    }

    /// Where `id`'s value is, or would be inserted, in `values`.
    fn index(&self, id: AttrId) -> (bool, usize) {
        let (word, bit) = Self::bit(id);
        let before: u32 = self.set[..word].iter().map(|w| w.count_ones()).sum();
        let here = (self.set[word] & (bit - 1)).count_ones();
        (self.set[word] & bit != 0, (before + here) as usize)
    }

    pub fn get(&self, id: AttrId) -> ValueRef<'_> {
        match self.index(id) {
            (true, i) => self.values[i].1.as_ref(),
            (false, _) => id.def().default.as_value_ref(),
        }
    }

    /// The value set for `id` (stated or derived), or `None` when unset.
    pub fn value(&self, id: AttrId) -> Option<&Value> {
        match self.index(id) {
            (true, i) => Some(&self.values[i].1),
            (false, _) => None,
        }
    }

    pub fn is_set(&self, id: AttrId) -> bool {
        self.index(id).0
    }

    pub fn set(&mut self, id: AttrId, v: Value) {
        match self.index(id) {
            (true, i) => self.values[i].1 = v,
            (false, i) => {
                let (word, bit) = Self::bit(id);
                self.set[word] |= bit;
                self.values.insert(i, (id, v));
            }
        }
    }

    /// Sets a value the model left unset and tms derived.
    pub fn set_derived(&mut self, id: AttrId, v: Value) {
        self.set(id, v);
        let (word, bit) = Self::bit(id);
        self.derived[word] |= bit;
    }

    /// Whether the value was derived rather than written in the model.
    pub fn is_derived(&self, id: AttrId) -> bool {
        let (word, bit) = Self::bit(id);
        self.derived[word] & bit != 0
    }

    /// A boolean attribute; false for attributes of another type.
    pub fn flag(&self, id: AttrId) -> bool {
        matches!(self.get(id), ValueRef::Bool(true))
    }

    pub fn iter(&self) -> impl Iterator<Item = (AttrId, &Value)> {
        self.values.iter().map(|(i, v)| (*i, v))
    }
}

pub type ElementIdx = usize;
pub type FlowIdx = usize;
pub type BoundaryIdx = usize;
pub type DataIdx = usize;

#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub parent: Option<BoundaryIdx>,
    pub in_scope: bool,
    pub tags: Vec<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataAsset {
    pub id: String,
    pub name: String,
    pub description: String,
    pub format: String,
    pub classification: Classification,
    pub is_pii: bool,
    pub is_credentials: bool,
    pub credentials_life: Lifetime,
    pub is_stored: bool,
    /// `None` while unset: the loader derives them from the endpoints of the flows carrying it.
    pub is_source_encrypted_at_rest: Option<bool>,
    pub is_dest_encrypted_at_rest: Option<bool>,
    pub tags: Vec<String>,
    pub pos: Pos,
    /// Fields tms derived rather than read from the model, so evidence can say so.
    pub derived: DerivedFields,
}

/// Model names of a datum's fields that were derived (`isCredentials` from a
/// `credentialsLife`, encryption at rest from the flows' endpoints).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DerivedFields(Vec<&'static str>);

impl DerivedFields {
    pub fn add(&mut self, field: &'static str) {
        if !self.contains(field) {
            self.0.push(field);
        }
    }
    pub fn contains(&self, field: &str) -> bool {
        self.0.contains(&field)
    }
}

/// User-defined attributes, free-form, readable by custom rules: a JSON object, or null when absent.
pub type Properties = serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub id: String,
    pub kind: ElementKind,
    pub name: String,
    pub description: String,
    pub boundary: Option<BoundaryIdx>,
    /// Data the element holds or processes, as the model states it.
    pub data: Vec<DataIdx>,
    pub attrs: Attrs,
    pub tags: Vec<String>,
    /// What the element is (`roles::ROLES`), stated or mapped from a legacy tag.
    pub role: Option<String>,
    pub properties: Properties,
    pub pos: Pos,
}

impl Element {
    /// Whether an element stands for an attacker: tagged `malicious`, `attacker`
    /// or `threat-actor`, or `properties: {malicious: true}`.
    pub fn is_hostile(&self) -> bool {
        self.tags.iter().any(|t| {
            ["malicious", "attacker", "threat-actor"]
                .iter()
                .any(|h| t.eq_ignore_ascii_case(h))
        }) || self.properties.get("malicious") == Some(&serde_json::Value::Bool(true))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub source: ElementIdx,
    pub sink: ElementIdx,
    pub data: Vec<DataIdx>,
    pub response_to: Option<FlowIdx>,
    pub attrs: Attrs,
    pub tags: Vec<String>,
    pub properties: Properties,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assumption {
    pub name: String,
    pub description: String,
    /// Rule ids this assumption rules out.
    pub excludes: Vec<String>,
    pub pos: Pos,
}

/// A team's decision about findings, matched by `RULE@TARGET` with `*` wildcards.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageEntry {
    pub finding: String,
    pub rule: String,
    pub target: String,
    pub status: Status,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// ISO date `YYYY-MM-DD`; after it the finding counts as open again.
    pub expires: Option<String>,
    pub severity: Option<Severity>,
    pub cvss: Option<String>,
    pub dread: Option<Dread>,
    pub mappings: Option<Mappings>,
    pub pos: Pos,
}

impl TriageEntry {
    /// A decision about `RULE@TARGET` with nothing else said: the shape an
    /// importer starts from, before it adds what its source format records.
    pub fn decision(
        rule: &str,
        target: &str,
        status: Status,
        justification: Option<String>,
        pos: Pos,
    ) -> TriageEntry {
        TriageEntry {
            finding: format!("{rule}@{target}"),
            rule: rule.to_string(),
            target: target.to_string(),
            status,
            justification,
            owner: None,
            ticket: None,
            expires: None,
            severity: None,
            cvss: None,
            dread: None,
            mappings: None,
            pos,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dread {
    pub damage: u8,
    pub reproducibility: u8,
    pub exploitability: u8,
    pub affected_users: u8,
    pub discoverability: u8,
}

/// Framework mappings in Threat Model Spec's shape (contract, section 4).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mappings {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mitre_attack: Vec<TechniqueRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mitre_atlas: Vec<TechniqueRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owasp: Vec<OwaspRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<IdName>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<IdName>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stride: Vec<StrideRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<CvssRef>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TechniqueRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tactic_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tactic_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_technique_id: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct OwaspRef {
    pub category: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IdName {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StrideRef {
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CvssRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub vector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

/// What an id in the model names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Boundary(BoundaryIdx),
    Data(DataIdx),
    Element(ElementIdx),
    Flow(FlowIdx),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// The file name as given on the command line; reports and SARIF point into it.
    pub file: String,
    pub title: String,
    pub description: String,
    pub version: Option<String>,
    pub authors: Vec<Author>,
    pub assumptions: Vec<Assumption>,
    pub boundaries: Vec<Boundary>,
    pub data: Vec<DataAsset>,
    pub elements: Vec<Element>,
    pub flows: Vec<Flow>,
    pub triage: Vec<TriageEntry>,
    /// Threats the team wrote down or an import carried over (`threats:`).
    pub threats: Vec<Threat>,
    pub mappings: Option<Mappings>,
    /// When the model was last revised (`YYYY-MM-DD` or an RFC 3339 timestamp); exports date their objects with it.
    pub date: Option<String>,
    /// What a model read from another format carries beyond ours (reports and exports show it).
    pub imported: Option<imported::Imported>,
    pub ids: tms_syntax::fxhash::FxHashMap<String, Item>,
}

impl Model {
    /// Where an item was defined.
    pub fn item_pos(&self, item: Item) -> Pos {
        match item {
            Item::Boundary(i) => self.boundaries[i].pos,
            Item::Data(i) => self.data[i].pos,
            Item::Element(i) => self.elements[i].pos,
            Item::Flow(i) => self.flows[i].pos,
        }
    }

    pub fn element(&self, id: &str) -> Option<&Element> {
        match self.ids.get(id)? {
            Item::Element(i) => self.elements.get(*i),
            _ => None,
        }
    }

    pub fn flow(&self, id: &str) -> Option<&Flow> {
        match self.ids.get(id)? {
            Item::Flow(i) => self.flows.get(*i),
            _ => None,
        }
    }

    /// The chain of boundaries around `b`, innermost first.
    pub fn boundary_chain(&self, b: Option<BoundaryIdx>) -> Vec<BoundaryIdx> {
        let mut chain = Vec::new();
        let mut cur = b;
        // Cycles are rejected at load; the bound keeps a hand-built model from looping.
        while let Some(i) = cur {
            if chain.contains(&i) || chain.len() > self.boundaries.len() {
                break;
            }
            chain.push(i);
            cur = self.boundaries[i].parent;
        }
        chain
    }

    /// A flow crosses a trust boundary when its ends sit in different boundaries.
    pub fn crosses_boundary(&self, f: &Flow) -> bool {
        self.elements[f.source].boundary != self.elements[f.sink].boundary
    }

    pub fn is_response(&self, f: &Flow) -> bool {
        f.response_to.is_some() || f.attrs.flag(attr_id::IS_RESPONSE)
    }
}

/// Ids of attributes the engine itself reads, resolved at compile time.
pub mod attr_id {
    use super::attrs::{id_of, AttrId};

    macro_rules! ids {
        ($($c:ident = $n:literal),* $(,)?) => {
            $(pub const $c: AttrId = id_of($n);)*
        };
    }
    ids!(
        IS_RESPONSE = "isResponse",
        PROTOCOL = "protocol",
        PORT = "port",
        DST_PORT = "dstPort",
        SRC_PORT = "srcPort",
        IS_ENCRYPTED = "isEncrypted",
        IS_ENCRYPTED_AT_REST = "isEncryptedAtRest",
        AUTHENTICATES_DESTINATION = "authenticatesDestination",
        CHECKS_DESTINATION_REVOCATION = "checksDestinationRevocation",
        IN_SCOPE = "inScope",
        ORDER = "order",
        LEVELS = "levels",
        MAX_CLASSIFICATION = "maxClassification",
        MIN_TLS_VERSION = "minTLSVersion",
        TLS_VERSION = "tlsVersion",
        NOTE = "note",
        USES_VPN = "usesVPN",
        ON_AWS = "onAWS",
        USES_ENCRYPTION_ALGORITHM = "usesEncryptionAlgorithm",
    );
}

impl Value {
    /// An attribute's default on an element of `kind` (or a flow), as a model file writes it.
    pub fn to_json_default(def: &AttrDef, kind: Option<ElementKind>) -> String {
        match attrs::default_for(def, kind) {
            attrs::Default::EmptyList => "[]".to_string(),
            d => match d.as_value_ref() {
                ValueRef::Str(s) => format!("{s:?}"),
                other => other.to_json().to_string().trim_matches('"').to_string(),
            },
        }
    }
}

/// What an id may hold, as the loader's error says it.
pub const ID_RULE: &str = "ids are printable text with no whitespace, `@` (finding ids are `RULE@TARGET`) or `*` (triage's wildcard), and no control, bidirectional, zero-width or other invisible character; letters, digits, `-`, `_`, `.` and `:` are safe";

/// The first character (its index in characters, and itself) that an id may
/// not hold (`ID_RULE`), or `None` for a safe id.
pub fn unsafe_id_char(id: &str) -> Option<(usize, char)> {
    id.chars().enumerate().find(|(_, c)| {
        *c == '@' || *c == '*' || c.is_whitespace() || tms_syntax::diag::is_hostile_char(*c)
    })
}
