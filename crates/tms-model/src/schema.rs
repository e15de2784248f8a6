//! The JSON Schema of the model file, generated from the attribute table and
//! the enums, so it can never drift from what the loader accepts.

use serde_json::{json, Map, Value as J};

use crate::attrs::{self, AttrDef, AttrType};
use crate::*;

fn enum_of<'a>(values: impl Iterator<Item = &'a str>) -> J {
    json!({"type": "string", "enum": values.collect::<Vec<_>>()})
}

fn attr_schema(a: &AttrDef, kind: Option<ElementKind>) -> J {
    let mut s = match a.ty {
        AttrType::Bool => json!({"type": "boolean"}),
        AttrType::Int if attrs::is_port(a) => json!({
            "type": "integer",
            "minimum": attrs::PORTS.start(),
            "maximum": attrs::PORTS.end()
        }),
        AttrType::Int => json!({"type": "integer"}),
        AttrType::Str => json!({"type": "string"}),
        AttrType::Classification => enum_of(Classification::spellings()),
        AttrType::TlsVersion => enum_of(TlsVersion::spellings()),
        AttrType::DatastoreType => enum_of(DatastoreType::spellings()),
        AttrType::IntList => json!({"type": "array", "items": {"type": "integer"}}),
        AttrType::StrList => json!({"type": "array", "items": {"type": "string"}}),
    };
    s["description"] = J::String(a.doc.to_string());
    if let Ok(d) = serde_json::from_str::<J>(&Value::to_json_default(a, kind)) {
        s["default"] = d;
    } else if let attrs::Default::Str(d) = attrs::default_for(a, kind) {
        s["default"] = J::String(d.to_string());
    }
    s
}

fn id() -> J {
    json!({"type": "string", "pattern": "^[^@*\\s]+$", "description": "Unique across boundaries, data, elements and flows."})
}

fn strings() -> J {
    json!({"type": "array", "items": {"type": "string"}})
}

fn object(props: Map<String, J>, required: &[&str]) -> J {
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

fn element_schema(kind: ElementKind) -> J {
    let mut p = Map::new();
    p.insert("id".into(), id());
    p.insert("type".into(), json!({"const": kind.as_str()}));
    p.insert("name".into(), json!({"type": "string"}));
    p.insert("description".into(), json!({"type": "string"}));
    p.insert("boundary".into(), json!({"type": ["string", "null"], "description": "Id of the trust boundary the element sits in."}));
    p.insert("data".into(), strings());
    p.insert("tags".into(), strings());
    let roles: Vec<&str> = crate::roles::ROLES
        .roles
        .iter()
        .filter(|r| r.types.contains_kind(kind))
        .map(|r| r.id.as_str())
        .collect();
    p.insert("role".into(), json!({"enum": roles, "description": "What the element is; implies facts and scopes the rules (`tms describe --role`)."}));
    p.insert("properties".into(), json!({"type": "object"}));
    for (_, a) in attrs::for_targets(kind.bit()) {
        p.insert(a.name.into(), attr_schema(a, Some(kind)));
    }
    let mut s = object(p, &["id", "type"]);
    s["title"] = J::String(format!("{} (pytm {})", kind.as_str(), kind.pytm_class()));
    s
}

fn flow_schema() -> J {
    let mut p = Map::new();
    p.insert("id".into(), id());
    p.insert(
        "from".into(),
        json!({"type": "string", "description": "Source element id."}),
    );
    p.insert(
        "to".into(),
        json!({"type": "string", "description": "Sink element id."}),
    );
    p.insert("name".into(), json!({"type": "string"}));
    p.insert("description".into(), json!({"type": "string"}));
    p.insert("data".into(), strings());
    p.insert(
        "responseTo".into(),
        json!({"type": ["string", "null"], "description": "Id of the request this flow answers."}),
    );
    p.insert("tags".into(), strings());
    p.insert("properties".into(), json!({"type": "object"}));
    for (_, a) in attrs::for_targets(Targets::FLOW) {
        p.insert(a.name.into(), attr_schema(a, None));
    }
    object(p, &["id", "from", "to"])
}

fn mappings_schema() -> J {
    let technique = json!({"type": "object", "additionalProperties": false, "properties": {
        "tacticId": {"type": "string"}, "tacticName": {"type": "string"},
        "techniqueId": {"type": "string"}, "techniqueName": {"type": "string"},
        "subTechniqueId": {"type": "string"}}});
    let id_name = json!({"type": "object", "additionalProperties": false, "required": ["id"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}}});
    json!({"type": "object", "additionalProperties": false, "properties": {
        "mitreAttack": {"type": "array", "items": technique},
        "mitreAtlas": {"type": "array", "items": technique},
        "owasp": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["category", "id"],
            "properties": {"category": {"enum": ["web", "api", "llm", "agentic"]}, "id": {"type": "string"}, "name": {"type": "string"}}}},
        "cwe": {"type": "array", "items": id_name},
        "capec": {"type": "array", "items": id_name},
        "stride": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["category"],
            "properties": {"category": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}}}},
        "cvss": {"type": "object", "additionalProperties": false, "required": ["vector"],
            "properties": {"version": {"type": "string"}, "vector": {"type": "string"}, "baseScore": {"type": "number"}, "severity": {"type": "string"}}}
    }})
}

fn dread_schema() -> J {
    let factor = json!({"type": "integer", "minimum": 0, "maximum": 10});
    json!({"type": "object", "additionalProperties": false,
        "required": ["damage", "reproducibility", "exploitability", "affectedUsers", "discoverability"],
        "properties": {
            "damage": factor, "reproducibility": factor, "exploitability": factor,
            "affectedUsers": factor, "discoverability": factor}})
}

pub fn model_schema() -> J {
    let elements: Vec<J> = ElementKind::ALL
        .iter()
        .map(|k| element_schema(*k))
        .collect();
    let boundary = json!({"type": "object", "additionalProperties": false, "required": ["id"], "properties": {
        "id": id(), "name": {"type": "string"}, "description": {"type": "string"},
        "parent": {"type": ["string", "null"]}, "inScope": {"type": "boolean"}, "tags": strings()}});
    let data = json!({"type": "object", "additionalProperties": false, "required": ["id"], "properties": {
        "id": id(), "name": {"type": "string"}, "description": {"type": "string"}, "format": {"type": "string"},
        "classification": enum_of(Classification::spellings()),
        "isPII": {"type": "boolean"}, "isCredentials": {"type": "boolean"},
        // The loader's aliases too (it warns with the value to write), so
        // an editor and `tms validate` agree.
        "credentialsLife": enum_of(Lifetime::spellings().chain(Lifetime::aliases())),
        "isStored": {"type": "boolean"}, "isSourceEncryptedAtRest": {"type": "boolean"},
        "isDestEncryptedAtRest": {"type": "boolean"}, "tags": strings()}});
    let triage = json!({"type": "object", "additionalProperties": false, "required": ["finding", "status"], "properties": {
        "finding": {"type": "string", "pattern": "^[^@]+@[^@]+$", "description": "RULE-ID@TARGET-ID; `*` may stand for either part."},
        "status": enum_of(Status::spellings()),
        "justification": {"type": "string"}, "owner": {"type": "string"}, "ticket": {"type": "string"},
        "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "severity": enum_of(Severity::spellings()),
        "cvss": {"type": "string"},
        "dread": {"$ref": "#/$defs/dread"},
        "mappings": {"$ref": "#/$defs/mappings"}}});
    let threat = json!({"type": "object", "additionalProperties": false, "required": ["id", "title"], "properties": {
        "id": id(), "title": {"type": "string", "minLength": 1}, "description": {"type": "string"},
        "stride": {"anyOf": [
            {"type": "string", "pattern": "^[STRIDEstride]+$"},
            {"type": "array", "items": enum_of(Stride::ALL.iter().flat_map(|s| [s.as_str(), s.long_name()]))}]},
        "affects": {"type": "array", "items": {"type": "string"}, "description": "Ids of the elements and flows the threat affects; none for a threat to the whole system."},
        "severity": enum_of(Severity::spellings()),
        "likelihood": enum_of(Likelihood::ALL.iter().map(|l| l.as_str())),
        "cvss": {"type": "string"},
        "dread": {"$ref": "#/$defs/dread"},
        "status": enum_of(Status::spellings()),
        "justification": {"type": "string"},
        "mitigations": strings(),
        "owner": {"type": "string"}, "ticket": {"type": "string"},
        "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "mappings": {"$ref": "#/$defs/mappings"},
        "references": strings()}});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tms.dev/schema/model.json",
        "title": "tms threat model",
        "type": "object",
        "required": ["title"],
        "additionalProperties": false,
        "properties": {
            "$schema": {"type": "string"},
            "title": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "version": {"type": ["string", "number"]},
            "date": {"type": "string", "description": "When the model was last revised: YYYY-MM-DD or an RFC 3339 timestamp. Exports (STIX) date their objects with it."},
            "authors": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": false,
                "properties": {"name": {"type": "string"}, "email": {"type": "string"}}}]}},
            "assumptions": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": false,
                "required": ["name"], "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "excludes": strings()}}]}},
            "boundaries": {"type": "array", "items": boundary},
            "data": {"type": "array", "items": data},
            "elements": {"type": "array", "items": {"oneOf": elements}},
            "flows": {"type": "array", "items": {"$ref": "#/$defs/flow"}},
            "triage": {"type": "array", "items": triage},
            "threats": {"type": "array", "items": threat},
            "mappings": {"$ref": "#/$defs/mappings"}
        },
        "$defs": {"flow": flow_schema(), "mappings": mappings_schema(), "dread": dread_schema()}
    })
}
