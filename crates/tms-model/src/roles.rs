//! Roles: what an element is (a browser, a CDN, a managed queue). A role
//! implies facts, which count as stated unless the model states otherwise, and
//! has traits that scope the rules (`appliesTo` / `except`). The vocabulary is
//! data, `roles/roles.yaml`, embedded in the binary (contract section 1, "Roles").

use std::sync::LazyLock;

use crate::attrs::{lookup, read_value, AttrId};
use crate::{ElementKind, Targets, Value};
use tms_syntax::diag::Diagnostics;
use tms_syntax::reader::Reader;
use tms_syntax::source::{Node, SourceFile};

/// One role of the vocabulary.
#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Element types the role fits.
    pub types: Targets,
    pub traits: Vec<String>,
    /// Tags that meant this role before roles existed.
    pub legacy_tags: Vec<String>,
    /// Attributes of the element itself.
    pub implies: Vec<(AttrId, Value)>,
    /// Attributes of the flows the element sends.
    pub outgoing: Vec<(AttrId, Value)>,
}

#[derive(Debug, Clone, Default)]
pub struct Roles {
    pub traits: Vec<String>,
    pub roles: Vec<Role>,
}

const ROLES_FILE: &str = "roles/roles.yaml";

/// The vocabulary shipped in the binary.
pub static ROLES: LazyLock<Roles> = LazyLock::new(|| {
    let src = SourceFile::from_text(ROLES_FILE, include_str!("../roles/roles.yaml"));
    // The file is part of the build and a unit test loads it; a broken one
    // cannot ship, so an empty vocabulary here is only a defensive fallback.
    src.parse()
        .ok()
        .and_then(|root| parse(&root, ROLES_FILE).ok())
        .unwrap_or_default()
});

impl Roles {
    pub fn get(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// The role a tag used to stand for, if any.
    pub fn by_legacy_tag(&self, tag: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.legacy_tags.iter().any(|t| t == tag))
    }

    /// Whether `name` is a role id or a trait (what `appliesTo` may name).
    pub fn is_name(&self, name: &str) -> bool {
        self.get(name).is_some() || self.traits.iter().any(|t| t == name)
    }

    /// Whether the role `role` is, or has the trait, one of `names`.
    pub fn matches(&self, role: &str, names: &[String]) -> bool {
        names.iter().any(|n| self.is(role, n))
    }

    /// Whether the role `role` is `name` or has the trait `name`.
    pub fn is(&self, role: &str, name: &str) -> bool {
        name == role
            || self
                .get(role)
                .is_some_and(|r| r.traits.iter().any(|t| t == name))
    }

    /// Every role id and trait, for hints.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.roles
            .iter()
            .map(|r| r.id.as_str())
            .chain(self.traits.iter().map(String::as_str))
    }
}

/// Gives an element with no role the role its first legacy tag stands for,
/// and returns (element, tag, role) for each, so the loader can warn.
pub fn apply_legacy_tags(model: &mut crate::Model) -> Vec<(usize, String, String)> {
    let mut mapped = Vec::new();
    for (i, e) in model.elements.iter_mut().enumerate() {
        if e.role.is_some() {
            continue;
        }
        let found = e.tags.iter().find_map(|t| {
            ROLES
                .by_legacy_tag(t)
                .filter(|r| r.types.contains_kind(e.kind))
                .map(|r| (t.clone(), r.id.clone()))
        });
        if let Some((tag, role)) = found {
            e.role = Some(role.clone());
            mapped.push((i, tag, role));
        }
    }
    mapped
}

/// What an element's role implies for an attribute the model leaves unset.
/// Implied facts count as stated for our rules (three-valued), while pytm's
/// library keeps seeing pytm's model, so they are looked up, never stored.
pub fn implied_for_element(model: &crate::Model, e: usize, id: AttrId) -> Option<&'static Value> {
    let role = ROLES.get(model.elements[e].role.as_deref()?)?;
    role.implies.iter().find(|(a, _)| *a == id).map(|(_, v)| v)
}

/// Protocols that are encrypted or plain by definition (contract section 1:
/// a stated fact implies what any engineer reads from it).
const PLAIN: &[&str] = &[
    "HTTP", "FTP", "TELNET", "LDAP", "SMTP", "WS", "MQTT", "AMQP", "SNMP", "TFTP",
];
const ENCRYPTED: &[&str] = &[
    "HTTPS", "TLS", "SSH", "SFTP", "FTPS", "LDAPS", "WSS", "SMTPS", "MQTTS", "AMQPS", "GRPCS",
    "DTLS", "IPSEC",
];
/// Facts of a connection that a response shares with its request.
const CONNECTION_FACTS: &[AttrId] = &[
    crate::attr_id::IS_ENCRYPTED,
    crate::attr_id::TLS_VERSION,
    crate::attr_id::PROTOCOL,
    crate::attr_id::USES_VPN,
];
/// Other protocols a model names, neither encrypted nor plain by definition.
const OTHER: &[&str] = &[
    "TCP",
    "UDP",
    "IP",
    "QUIC",
    "GRPC",
    "REST",
    "SOAP",
    "GRAPHQL",
    "SQL",
    "JDBC",
    "ODBC",
    "POSTGRESQL",
    "MYSQL",
    "REDIS",
    "RESP",
    "KAFKA",
    "NATS",
    "DNS",
    "NTP",
    "NFS",
    "SMB",
    "SMB3",
    "RDP",
    "VNC",
    "KERBEROS",
    "SAML",
    "OIDC",
    "OAUTH2",
    "IPC",
    "STDIO",
    "LOCAL",
    "SYSLOG",
    "BLE",
    "UART",
    "MODBUS",
    "COAP",
    "XMPP",
    "SIP",
    "RTSP",
    "IMAP",
    "IMAPS",
    "POP3",
    "POP3S",
    "RPC",
];

/// Other spellings of a protocol, and the one they stand for: versions of
/// HTTP say nothing of TLS, except HTTP/3 (QUIC), which always runs over it.
const PROTOCOL_ALIASES: &[(&str, &str)] = &[
    ("HTTP/1.0", "HTTP"),
    ("HTTP/1.1", "HTTP"),
    ("HTTP/2", "HTTP"),
    ("HTTP2", "HTTP"),
    ("H2C", "HTTP"),
    ("HTTP/3", "HTTPS"),
    ("HTTP3", "HTTPS"),
    ("H3", "HTTPS"),
    ("H2", "HTTPS"),
    ("HTTP-TLS", "HTTPS"),
    ("HTTP+TLS", "HTTPS"),
    ("HTTP/TLS", "HTTPS"),
    ("SECURE-WEBSOCKET", "WSS"),
    ("WEBSOCKET", "WS"),
];

/// What tms makes of a flow's or element's `protocol`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolSpelling {
    /// A protocol tms knows (in any case), or text it leaves alone (`PostgreSQL+TLS`).
    Known,
    /// Another spelling of a protocol tms knows: the model reads it as this.
    Alias(&'static str),
    /// Unknown and close to one tms knows: a typo, probably.
    Unknown { did_you_mean: &'static str },
}

/// Classifies a `protocol` value (see `ProtocolSpelling`).
pub fn protocol_spelling(p: &str) -> ProtocolSpelling {
    let upper = p.trim().to_ascii_uppercase();
    if let Some((_, to)) = PROTOCOL_ALIASES.iter().find(|(a, _)| *a == upper) {
        return ProtocolSpelling::Alias(to);
    }
    let known = || PLAIN.iter().chain(ENCRYPTED).chain(OTHER);
    if upper.is_empty() || known().any(|k| *k == upper) {
        return ProtocolSpelling::Known;
    }
    // A composite (`PostgreSQL+TLS`, `syslog over TLS`, `APNs/FCM`) is the
    // model's own description.
    if upper.contains(['+', '/', ' ', '-', '_']) {
        return ProtocolSpelling::Known;
    }
    // The common ones first: `HTPS` is HTTPS before it is FTPS.
    let common = ["HTTPS", "HTTP", "TLS", "SSH"];
    match tms_syntax::diag::did_you_mean(&upper, common)
        .or_else(|| tms_syntax::diag::did_you_mean(&upper, known().copied()))
    {
        Some(c) => ProtocolSpelling::Unknown { did_you_mean: c },
        None => ProtocolSpelling::Known,
    }
}

static FALSE: Value = Value::Bool(false);
static TRUE: Value = Value::Bool(true);

/// What a flow's stated facts imply for an attribute it leaves unset: its
/// source's role (a browser verifies the server's certificate), and its
/// protocol (plain HTTP is not encrypted).
pub fn implied_for_flow(model: &crate::Model, f: usize, id: AttrId) -> Option<&Value> {
    let fl = &model.flows[f];
    // A response travels on its request's connection: what the request states
    // (or implies) about the transport holds for the answer too. One level
    // only, so a response to a response cannot loop.
    if let Some(req) = fl.response_to {
        if CONNECTION_FACTS.contains(&id) && model.flows[req].response_to.is_none() {
            let stated = model.flows[req].attrs.value(id);
            if let Some(v) = stated.or_else(|| implied_for_flow(model, req, id)) {
                return Some(v);
            }
        }
    }
    if fl.response_to.is_none() {
        if let Some(role) = model.elements[fl.source]
            .role
            .as_deref()
            .and_then(|r| ROLES.get(r))
        {
            if let Some((_, v)) = role.outgoing.iter().find(|(a, _)| *a == id) {
                return Some(v);
            }
        }
    }
    if id == crate::attr_id::IS_ENCRYPTED {
        if let crate::ValueRef::Str(p) = fl.attrs.get(crate::attr_id::PROTOCOL) {
            // Compared without case and without building a string: rules ask
            // this of every flow, millions of times on a large model.
            let p = p.trim();
            if PLAIN.iter().any(|x| x.eq_ignore_ascii_case(p)) {
                return Some(&FALSE);
            }
            if ENCRYPTED.iter().any(|x| x.eq_ignore_ascii_case(p)) {
                return Some(&TRUE);
            }
        }
    }
    None
}

/// Reads a roles file, with every problem found.
pub fn parse(root: &Node, file: &str) -> Result<Roles, Diagnostics> {
    let mut r = Reader::new(file);
    let mut out = Roles::default();
    if let Some(top) = r.map(root, "the roles file") {
        r.check_keys(top, "the roles file", &["traits", "roles"], |_| None);
    }
    if let Some(n) = root.get("traits") {
        out.traits = r.strings(n, "`traits`");
    }
    let list = root.get("roles").and_then(|n| r.seq(n, "`roles`"));
    for node in list.unwrap_or(&[]) {
        if let Some(role) = read_role(&mut r, node, &out.traits) {
            out.roles.push(role);
        }
    }
    if r.diags.has_errors() {
        Err(r.diags)
    } else {
        Ok(out)
    }
}

const ROLE_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "types",
    "traits",
    "legacyTags",
    "implies",
    "outgoing",
];

fn read_role(r: &mut Reader, node: &Node, traits: &[String]) -> Option<Role> {
    let entries = r.map(node, "a role")?;
    r.check_keys(entries, "a role", ROLE_KEYS, |_| None);
    let id = node.get("id").and_then(|n| r.text(n, "`id`"))?;
    let mut types = Targets::default();
    for t in node
        .get("types")
        .map_or(&[][..], |n| r.seq(n, "`types`").unwrap_or(&[]))
    {
        if let Some(k) = r.choice(
            t,
            "element type",
            ElementKind::parse,
            &ElementKind::spellings().collect::<Vec<_>>(),
        ) {
            types = types.union(k.bit());
        }
    }
    let role_traits = node
        .get("traits")
        .map(|n| r.strings(n, "`traits`"))
        .unwrap_or_default();
    for (i, t) in role_traits.iter().enumerate() {
        if !traits.contains(t) {
            let pos = node
                .get("traits")
                .and_then(|n| n.as_seq())
                .and_then(|s| s.get(i))
                .map_or(node.pos, |n| n.pos);
            r.error(pos, format!("role `{id}`: `{t}` is not a trait"));
        }
    }
    let implies = read_facts(r, node.get("implies"), types, &id);
    let outgoing = read_facts(r, node.get("outgoing"), Targets::FLOW, &id);
    Some(Role {
        name: node
            .get("name")
            .and_then(|n| r.text(n, "`name`"))
            .unwrap_or_else(|| id.clone()),
        description: node
            .get("description")
            .and_then(|n| r.text(n, "`description`"))
            .unwrap_or_default(),
        types,
        traits: role_traits,
        legacy_tags: node
            .get("legacyTags")
            .map(|n| r.strings(n, "`legacyTags`"))
            .unwrap_or_default(),
        implies,
        outgoing,
        id,
    })
}

/// Attribute facts, each checked to exist on every type in `on`.
fn read_facts(
    r: &mut Reader,
    node: Option<&Node>,
    on: Targets,
    role: &str,
) -> Vec<(AttrId, Value)> {
    let Some(entries) = node.and_then(|n| r.map(n, "implied facts")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let Some(id) = lookup(&key.name) else {
            r.error(
                key.pos,
                format!("role `{role}`: `{}` is not an attribute", key.name),
            );
            continue;
        };
        if on.0 != 0 && (id.def().applies.0 & on.0) != on.0 {
            r.error(
                key.pos,
                format!(
                    "role `{role}`: `{}` does not apply to every type of the role",
                    key.name
                ),
            );
            continue;
        }
        if let Some(v) = read_value(r, value, id.def()) {
            out.push((id, v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_vocabulary_loads_whole() {
        let src = SourceFile::from_text(ROLES_FILE, include_str!("../roles/roles.yaml"));
        let root = src.parse().expect("roles.yaml parses");
        let roles = parse(&root, ROLES_FILE).unwrap_or_else(|d| panic!("{d:?}"));
        // The contract's vocabulary, at least.
        for id in [
            "browser",
            "mobile-app",
            "cdn",
            "waf",
            "load-balancer",
            "api-gateway",
            "web-app",
            "service",
            "queue",
            "object-storage",
            "identity-provider",
            "third-party-saas",
            "llm",
            "agent",
            "tool",
            "human",
        ] {
            assert!(roles.get(id).is_some(), "role `{id}` is missing");
        }
        assert!(ROLES.roles.len() == roles.roles.len());
        // A legacy tag names one role only.
        let mut tags: Vec<&str> = roles
            .roles
            .iter()
            .flat_map(|r| r.legacy_tags.iter().map(String::as_str))
            .collect();
        let n = tags.len();
        tags.sort_unstable();
        tags.dedup();
        assert_eq!(tags.len(), n, "a legacy tag maps to two roles");
    }
}
