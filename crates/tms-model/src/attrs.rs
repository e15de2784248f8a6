//! The attribute table: every pytm 1.4 attribute an element or flow accepts,
//! with its type, pytm's default, where it applies and what it means.
//!
//! This table is the single source for loading, `tms describe`, the JSON Schema
//! and the condition language's type checker.

use super::enums::{Classification, DatastoreType, ElementKind, Targets, TlsVersion};
use crate::Value;
use tms_syntax::reader::Reader;
use tms_syntax::source::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    Bool,
    Int,
    Str,
    Classification,
    TlsVersion,
    DatastoreType,
    IntList,
    StrList,
}

impl AttrType {
    pub fn name(self) -> &'static str {
        match self {
            AttrType::Bool => "boolean",
            AttrType::Int => "integer",
            AttrType::Str => "string",
            AttrType::Classification => "classification",
            AttrType::TlsVersion => "tls-version",
            AttrType::DatastoreType => "datastore-type",
            AttrType::IntList => "list of integers",
            AttrType::StrList => "list of strings",
        }
    }
}

/// A default that can live in a `static`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Bool(bool),
    Int(i64),
    Str(&'static str),
    Classification(Classification),
    TlsVersion(TlsVersion),
    DatastoreType(DatastoreType),
    EmptyList,
}

/// How the loader fills an attribute the model leaves unset, beyond its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivation {
    None,
    /// A flow takes it from its sink (a response flow: from its source).
    FromSink,
    /// A flow takes it from its source.
    FromSource,
}

#[derive(Debug)]
pub struct AttrDef {
    pub name: &'static str,
    pub ty: AttrType,
    pub default: Default,
    pub applies: Targets,
    /// One of pytm's `Controls`: nested under `controls` in pytm, flat here.
    pub control: bool,
    pub derived: Derivation,
    pub doc: &'static str,
}

/// Index into [`ATTRS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttrId(pub u16);

impl AttrId {
    pub fn def(self) -> &'static AttrDef {
        &ATTRS[self.0 as usize]
    }
}

const fn k(kind: ElementKind) -> Targets {
    Targets(1 << (kind as u16))
}

const ALL: Targets = Targets::ALL;
const ELEMENTS: Targets = Targets::ELEMENTS;
const ASSETS: Targets = Targets::ASSETS;
const FLOW: Targets = Targets::FLOW;
const PROCESS: Targets = Targets::PROCESSES;
const SERVER: Targets = k(ElementKind::Server);
const LAMBDA: Targets = k(ElementKind::Lambda);
const DATASTORE: Targets = k(ElementKind::Datastore);
const LLM: Targets = k(ElementKind::Llm);
const AGENT: Targets = k(ElementKind::Agent);
const ACTOR: Targets = k(ElementKind::Actor);
const EXTERNAL: Targets = k(ElementKind::ExternalEntity);

macro_rules! attrs {
    ($( $name:literal : $ty:ident = $def:expr, $applies:expr, $control:literal, $derived:ident, $doc:literal; )*) => {
        pub const ATTRS: &[AttrDef] = &[
            $( AttrDef {
                name: $name,
                ty: AttrType::$ty,
                default: $def,
                applies: $applies,
                control: $control,
                derived: Derivation::$derived,
                doc: $doc,
            }, )*
        ];
    };
}

use self::Default as D;

attrs! {
    // pytm Element
    "inScope": Bool = D::Bool(true), ALL, false, None, "Part of what this model assesses; out-of-scope elements are drawn but rules skip what depends on them.";
    "maxClassification": Classification = D::Classification(Classification::Unknown), ALL, false, None, "Most sensitive data class this element or flow may handle; data above it is a leak.";
    "minTLSVersion": TlsVersion = D::TlsVersion(TlsVersion::None), ALL, false, None, "Oldest TLS version this element accepts on incoming connections.";
    "levels": IntList = D::EmptyList, ALL, false, None, "Diagram levels (0, 1, 2, ...) this item is drawn on; empty means every level.";
    "sourceFiles": StrList = D::EmptyList, ALL, false, None, "Paths of the code or configuration that implements this item, relative to the model.";
    // pytm Asset / Actor
    "port": Int = D::Int(-1), ELEMENTS, false, None, "Port this element listens on; incoming flows without `dstPort` use it (-1: none).";
    "protocol": Str = D::Str(""), ALL, false, FromSink, "Network protocol (HTTPS, gRPC, SQL, ...); a flow without one takes its sink's.";
    "onAWS": Bool = D::Bool(false), ASSETS, false, None, "Runs on Amazon Web Services.";
    "handlesResources": Bool = D::Bool(false), ASSETS, false, None, "Manages resources such as files, memory or connections on behalf of callers.";
    "usesEnvironmentVariables": Bool = D::Bool(false), ASSETS, false, None, "Reads configuration or secrets from environment variables.";
    "OS": Str = D::Str(""), ASSETS, false, None, "Operating system it runs on.";
    "isAdmin": Bool = D::Bool(false), ACTOR, false, None, "The actor holds administrative privileges.";
    "hasPhysicalAccess": Bool = D::Bool(false), EXTERNAL, false, None, "The entity can touch the hardware.";
    // pytm Process / SetOfProcesses / Lambda
    "codeType": Str = D::Str("Unmanaged"), PROCESS, false, None, "`Unmanaged` (C, C++: memory-unsafe) or `Managed` (Java, .NET, Go, Rust...).";
    "implementsCommunicationProtocol": Bool = D::Bool(false), PROCESS.union(FLOW), false, None, "Implements its own wire protocol rather than using a standard library for it.";
    "implementsAPI": Bool = D::Bool(false), PROCESS.union(LAMBDA), false, None, "Exposes an API to other programs.";
    "environment": Str = D::Str(""), PROCESS.union(LAMBDA), false, None, "Deployment environment, such as `Production`.";
    "allowsClientSideScripting": Bool = D::Bool(false), PROCESS, false, None, "Serves content that runs scripts in the client, such as a web page.";
    // pytm Server
    "usesSessionTokens": Bool = D::Bool(false), SERVER.union(FLOW), false, None, "Keeps sessions with tokens (cookies, bearer tokens).";
    "usesCache": Bool = D::Bool(false), SERVER, false, None, "Caches responses or data.";
    "usesXMLParser": Bool = D::Bool(false), SERVER, false, None, "Parses XML input.";
    // pytm Datastore
    "onRDS": Bool = D::Bool(false), DATASTORE, false, None, "Hosted on Amazon RDS or a similar managed database service.";
    "storesLogData": Bool = D::Bool(false), DATASTORE, false, None, "Holds logs or audit trails.";
    "storesPII": Bool = D::Bool(false), DATASTORE, false, None, "Holds personally identifiable information.";
    "storesSensitiveData": Bool = D::Bool(false), DATASTORE, false, None, "Holds data whose disclosure would hurt the organisation or its users.";
    "isSQL": Bool = D::Bool(true), DATASTORE, false, None, "Queried with SQL (pytm's default is true).";
    "isShared": Bool = D::Bool(false), DATASTORE, false, None, "Shared with other systems or tenants.";
    // tms: backups are a control of their own, apart from redundancy (`isResilient`), because a
    // replica follows a deletion or a ransomware encryption while a separate copy survives it.
    "hasBackups": Bool = D::Bool(false), DATASTORE, true, None, "Copies are kept out of reach of the store's own credentials (another account, immutable or offline), so its data can be restored after deletion, corruption or ransomware.";
    "hasWriteAccess": Bool = D::Bool(false), DATASTORE, false, None, "Clients can write to it, not only read.";
    "datastoreType": DatastoreType = D::DatastoreType(DatastoreType::Unknown), DATASTORE, false, None, "Kind of store: unknown, file-system, sql, ldap, aws-s3 (pytm's `type`).";
    // pytm LLM
    "isThirdParty": Bool = D::Bool(true), LLM, false, None, "The model is a service run by someone else.";
    "isSelfHosted": Bool = D::Bool(false), LLM, false, None, "The model runs on infrastructure the team controls.";
    "processesPersonalData": Bool = D::Bool(false), LLM, false, None, "Prompts or context hold personal data.";
    "retainsUserData": Bool = D::Bool(false), LLM, false, None, "The provider keeps prompts or outputs after answering.";
    "hasAgentCapabilities": Bool = D::Bool(false), LLM, false, None, "The model can call tools or act, not only answer.";
    "hasAccessToSensitiveSystems": Bool = D::Bool(false), LLM, false, None, "Its tools reach systems that hold sensitive data or can change state.";
    "executesCode": Bool = D::Bool(false), LLM, false, None, "Code the model writes is executed.";
    "hasContentFiltering": Bool = D::Bool(false), LLM, false, None, "Inputs and outputs pass a content filter or guardrail.";
    "hasSystemPrompt": Bool = D::Bool(true), LLM, false, None, "A system prompt steers the model.";
    "processesUntrustedInput": Bool = D::Bool(true), LLM, false, None, "Prompts or retrieved documents can come from untrusted parties.";
    "hasRAG": Bool = D::Bool(false), LLM, false, None, "Answers draw on retrieved documents (retrieval-augmented generation).";
    "hasFineTuning": Bool = D::Bool(false), LLM, false, None, "The model was fine-tuned on the team's data.";
    // pytm Agent
    "usesExternalTools": Bool = D::Bool(false), AGENT, false, None, "The agent calls external tools or servers (MCP and the like).";
    "validatesToolLaunchConfig": Bool = D::Bool(false), AGENT, false, None, "Tool and server launch configurations are checked before they run.";
    // pytm Dataflow
    "isResponse": Bool = D::Bool(false), FLOW, false, None, "This flow answers another one (set by `responseTo`).";
    "srcPort": Int = D::Int(-1), FLOW, false, None, "Source port (-1: unspecified).";
    "dstPort": Int = D::Int(-1), FLOW, false, FromSink, "Destination port; taken from the sink's `port` when unset.";
    "tlsVersion": TlsVersion = D::TlsVersion(TlsVersion::None), FLOW, false, None, "TLS version the flow uses.";
    "order": Int = D::Int(-1), FLOW, false, None, "Position in the sequence of flows (-1: unordered); drives sequence diagrams.";
    "note": Str = D::Str(""), FLOW, false, None, "A note drawn with the flow.";
    // pytm Controls: flat on every element and flow
    "authenticatesDestination": Bool = D::Bool(false), ALL, true, FromSource, "Verifies who it talks to, for example by checking the server certificate.";
    "authenticatesSource": Bool = D::Bool(false), ALL, true, None, "Verifies who is calling it.";
    "authenticationScheme": Str = D::Str(""), ALL, true, None, "How callers authenticate (OAuth2, mTLS, API key, ...).";
    "authorizesSource": Bool = D::Bool(false), ALL, true, None, "Checks that an authenticated caller may do what it asks.";
    "checksDestinationRevocation": Bool = D::Bool(false), ALL, true, FromSource, "Checks whether the destination's certificate or credentials were revoked.";
    "checksInputBounds": Bool = D::Bool(false), ALL, true, None, "Checks the size and range of input before using it.";
    "definesConnectionTimeout": Bool = D::Bool(false), ALL, true, None, "Closes idle or slow connections after a set time.";
    "disablesDTD": Bool = D::Bool(false), ALL, true, None, "XML parsing has document type definitions (and external entities) turned off.";
    "disablesiFrames": Bool = D::Bool(false), ALL, true, None, "Forbids being framed by other sites (X-Frame-Options, frame-ancestors).";
    "encodesHeaders": Bool = D::Bool(false), ALL, true, None, "Encodes values placed in protocol headers.";
    "encodesOutput": Bool = D::Bool(false), ALL, true, None, "Encodes output for the context it lands in (HTML, SQL, shell, ...).";
    "encryptsCookies": Bool = D::Bool(false), ALL, true, None, "Cookies are encrypted and flagged Secure and HttpOnly.";
    "encryptsSessionData": Bool = D::Bool(false), ALL, true, None, "Session data is encrypted wherever it is kept.";
    "handlesCrashes": Bool = D::Bool(false), ALL, true, None, "Recovers from crashes without losing or exposing data.";
    "handlesInterruptions": Bool = D::Bool(false), ALL, true, None, "Copes with interrupted operations and partial input.";
    "handlesResourceConsumption": Bool = D::Bool(false), ALL, true, None, "Limits the memory, CPU, requests or money one caller can consume.";
    "hasAccessControl": Bool = D::Bool(false), ALL, true, None, "Enforces access control on what it holds or does.";
    "implementsAuthenticationScheme": Bool = D::Bool(false), ALL, true, None, "Requires authentication before serving requests.";
    "implementsCSRFToken": Bool = D::Bool(false), ALL, true, None, "Protects state-changing requests with anti-CSRF tokens.";
    "implementsNonce": Bool = D::Bool(false), ALL, true, None, "Uses one-time numbers so captured messages cannot be replayed.";
    "implementsPOLP": Bool = D::Bool(false), ALL, true, None, "Runs with the least privilege it needs.";
    "implementsServerSideValidation": Bool = D::Bool(false), ALL, true, None, "Validates on the server what the client already checked.";
    "implementsStrictHTTPValidation": Bool = D::Bool(false), ALL, true, None, "Rejects ambiguous or malformed HTTP (smuggling, splitting).";
    "invokesScriptFilters": Bool = D::Bool(false), ALL, true, None, "Filters script content out of input.";
    "isEncrypted": Bool = D::Bool(false), ALL, true, FromSink, "On a flow: traffic is encrypted. On an element: it requires encrypted incoming flows.";
    "isEncryptedAtRest": Bool = D::Bool(false), ALL, true, None, "Stored data is encrypted at rest.";
    "isHardened": Bool = D::Bool(false), ALL, true, None, "Configuration is hardened (minimal services, secure defaults, benchmarks applied).";
    "isResilient": Bool = D::Bool(false), ALL, true, None, "Survives failures and load (redundancy, backups, failover).";
    "providesConfidentiality": Bool = D::Bool(false), ALL, true, None, "Keeps what it handles confidential.";
    "providesIntegrity": Bool = D::Bool(false), ALL, true, None, "Protects what it handles against undetected change (signatures, MACs, checksums).";
    "sanitizesInput": Bool = D::Bool(false), ALL, true, None, "Removes or neutralises dangerous content in input.";
    "tracksExecutionFlow": Bool = D::Bool(false), ALL, true, None, "Logs what it does, so actions can be traced and audited.";
    "usesCodeSigning": Bool = D::Bool(false), ALL, true, None, "Runs or ships only signed code.";
    "usesEncryptionAlgorithm": Str = D::Str(""), ALL, true, None, "Encryption algorithm used (AES, RSA, ...).";
    "usesMFA": Bool = D::Bool(false), ALL, true, None, "Requires multi-factor authentication.";
    "usesParameterizedInput": Bool = D::Bool(false), ALL, true, None, "Builds queries and commands with parameters, never by string concatenation.";
    "usesSecureFunctions": Bool = D::Bool(false), ALL, true, None, "Avoids unsafe library functions (strcpy, eval, ...).";
    "usesStrongSessionIdentifiers": Bool = D::Bool(false), ALL, true, None, "Session identifiers are long, random and renewed at login.";
    "usesVPN": Bool = D::Bool(false), ALL, true, None, "Traffic runs inside a VPN or private network link.";
    "validatesContentType": Bool = D::Bool(false), ALL, true, None, "Checks the declared and actual content type of input.";
    "validatesHeaders": Bool = D::Bool(false), ALL, true, None, "Validates protocol headers.";
    "validatesInput": Bool = D::Bool(false), ALL, true, None, "Validates input against what is expected (type, length, format, range).";
    "verifySessionIdentifiers": Bool = D::Bool(false), ALL, true, None, "Checks session identifiers on every request.";
}

/// Defaults pytm gives one class differently from the rest (its `Lambda` runs on AWS).
pub const KIND_DEFAULTS: &[(&str, ElementKind, Default)] =
    &[("onAWS", ElementKind::Lambda, Default::Bool(true))];

/// The default of an attribute on an element of `kind`.
pub fn default_for(def: &AttrDef, kind: Option<ElementKind>) -> Default {
    KIND_DEFAULTS
        .iter()
        .find(|(n, k, _)| *n == def.name && Some(*k) == kind)
        .map_or(def.default, |(_, _, d)| *d)
}

/// An attribute's id, resolved at compile time; a typo fails the build.
pub const fn id_of(name: &str) -> AttrId {
    let mut i = 0;
    while i < ATTRS.len() {
        if const_str_eq(ATTRS[i].name, name) {
            return AttrId(i as u16);
        }
        i += 1;
    }
    panic!("unknown attribute name")
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Looks an attribute up by its exact name.
pub fn lookup(name: &str) -> Option<AttrId> {
    // Fx, not SipHash: called for every attribute of every item a model holds.
    static BY_NAME: std::sync::LazyLock<tms_syntax::fxhash::FxHashMap<&'static str, AttrId>> =
        std::sync::LazyLock::new(|| {
            ATTRS
                .iter()
                .enumerate()
                .map(|(i, a)| (a.name, AttrId(i as u16)))
                .collect()
        });
    BY_NAME.get(name).copied()
}

/// The attributes a target kind accepts, in table order.
pub fn for_targets(t: Targets) -> impl Iterator<Item = (AttrId, &'static AttrDef)> {
    ATTRS
        .iter()
        .enumerate()
        .filter(move |(_, a)| a.applies.intersects(t))
        .map(|(i, a)| (AttrId(i as u16), a))
}

/// The values a port may take: -1 (none) and 0 to 65535.
pub const PORTS: std::ops::RangeInclusive<i64> = -1..=65535;

/// Whether an attribute is a port (`port`, `srcPort`, `dstPort`).
pub fn is_port(def: &AttrDef) -> bool {
    matches!(def.name, "port" | "srcPort" | "dstPort")
}

/// Reads a value of the attribute's type, or records why it is not one.
pub fn read_value(r: &mut Reader, node: &Node, def: &AttrDef) -> Option<Value> {
    // The common cases first, before the message text below is built: a
    // large model holds hundreds of thousands of plain booleans and strings.
    use tms_syntax::source::NodeKind;
    match (def.ty, &node.kind) {
        (AttrType::Bool, NodeKind::Bool(b)) => return Some(Value::Bool(*b)),
        (AttrType::Str, NodeKind::Str(s)) => return Some(Value::Str(s.clone())),
        _ => {}
    }
    let what = format!("`{}`", def.name);
    Some(match def.ty {
        AttrType::Bool => Value::Bool(r.bool(node, &what)?),
        AttrType::Int => {
            let v = r.int(node, &what)?;
            if is_port(def) && !PORTS.contains(&v) {
                r.error(node.pos, format!("{what} is {v}, which is no port"))
                    .hint = Some("a port is 0 to 65535, or -1 for none".into());
                return None;
            }
            Value::Int(v)
        }
        AttrType::Str => Value::Str(r.text(node, &what)?),
        AttrType::Classification => Value::Classification(r.choice(
            node,
            "classification",
            Classification::parse,
            &Classification::spellings().collect::<Vec<_>>(),
        )?),
        AttrType::TlsVersion => Value::TlsVersion(r.choice(
            node,
            "TLS version",
            TlsVersion::parse,
            &TlsVersion::spellings().collect::<Vec<_>>(),
        )?),
        AttrType::DatastoreType => Value::DatastoreType(r.choice(
            node,
            "datastore type",
            DatastoreType::parse,
            &DatastoreType::spellings().collect::<Vec<_>>(),
        )?),
        AttrType::IntList => {
            let items = r.seq(node, &what)?;
            Value::IntList(
                items
                    .iter()
                    .filter_map(|n| r.int(n, &format!("each entry of {what}")))
                    .collect(),
            )
        }
        AttrType::StrList => Value::StrList(r.strings(node, &what)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine orders questions (`ATTRIBUTE@ITEM`) by name, then item,
    /// which equals the order of the id strings only while names are letters.
    #[test]
    fn names_are_letters_only() {
        for a in ATTRS {
            assert!(
                a.name.chars().all(|c| c.is_ascii_alphabetic()),
                "{}",
                a.name
            );
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in ATTRS.iter().enumerate() {
            assert_eq!(lookup(a.name), Some(AttrId(i as u16)), "{}", a.name);
        }
    }

    #[test]
    fn pytm_attributes_are_all_present() {
        // Every attribute pytm 1.4 declares (dumped by scripts/dump-pytm-fields.py),
        // except the internal ones and those the model spells differently.
        let text = include_str!("../pytm-1.4-fields.json");
        let dump: serde_json::Value = serde_json::from_str(text).unwrap();
        let internal = [
            "name",
            "description",
            "inBoundary",
            "findings",
            "overrides",
            "assumptions",
            "controls",
            "severity",
            "uuid",
            "is_drawn",
            "data",
            "inputs",
            "outputs",
            "source",
            "sink",
            "response",
            "responseTo",
            "type",
            "format",
            "classification",
            "isPII",
            "isCredentials",
            "credentialsLife",
            "isStored",
            "isDestEncryptedAtRest",
            "isSourceEncryptedAtRest",
            "carriedBy",
            "processedBy",
        ];
        for (class, fields) in dump.as_object().unwrap() {
            for field in fields.as_object().unwrap().keys() {
                if internal.contains(&field.as_str()) {
                    continue;
                }
                assert!(
                    lookup(field).is_some(),
                    "{class}.{field} missing from the attribute table"
                );
            }
        }
    }
}
