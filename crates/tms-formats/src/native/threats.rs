//! The model's `threats:` section: threats people wrote, read like every
//! other part (every problem at once, with its position).

use super::{date_hint, opt_text, read_dread, read_id, read_mappings, read_refs, Ref};
use tms_model::*;
use tms_syntax::fxhash::FxHashMap as HashMap;
use tms_syntax::reader::Reader;
use tms_syntax::source::Node;

pub(super) const THREAT_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "stride",
    "affects",
    "severity",
    "likelihood",
    "cvss",
    "dread",
    "status",
    "justification",
    "mitigations",
    "owner",
    "ticket",
    "expires",
    "mappings",
    "references",
];

/// Reads the section; the returned references are resolved by `resolve`
/// once every element and flow is known.
pub(super) fn read(r: &mut Reader, node: &Node) -> (Vec<Threat>, Vec<Vec<Ref>>) {
    let mut threats = Vec::new();
    let mut affects = Vec::new();
    let mut seen: HashMap<String, tms_syntax::source::Pos> = HashMap::default();
    for item in r.seq(node, "`threats`").unwrap_or(&[]) {
        let Some((t, refs)) = read_threat(r, item) else {
            continue;
        };
        if let Some(first) = seen.get(&t.id) {
            r.error(t.pos, format!("duplicate threat id `{}`", t.id))
                .hint = Some(format!(
                "threat ids are unique; `{}` is first defined at line {}, column {}",
                t.id, first.line, first.col
            ));
            continue;
        }
        seen.insert(t.id.clone(), t.pos);
        threats.push(t);
        affects.push(refs);
    }
    (threats, affects)
}

fn read_threat(r: &mut Reader, node: &Node) -> Option<(Threat, Vec<Ref>)> {
    let entries = r.map(node, "a threat")?;
    r.check_keys(entries, "a threat", THREAT_KEYS, |k| match k {
        "name" => Some("a threat's name is its `title`".into()),
        "target" | "targets" | "elements" | "components" => {
            Some("write `affects: [ELEMENT-OR-FLOW-ID, ...]`".into())
        }
        "mitigation" => Some("write `mitigations: [...]`, a list".into()),
        "category" | "type" => Some("write `stride: [S, T, ...]`".into()),
        _ => None,
    });
    let id = read_id(r, node, "a threat");
    let title = opt_text(r, node, "title").filter(|t| !t.trim().is_empty());
    if title.is_none() {
        r.error(node.pos, "a threat has no `title`").hint =
            Some("say in a line what could go wrong, such as `title: Session fixation`".into());
    }
    let stride = node
        .get("stride")
        .map(|n| read_stride(r, n))
        .unwrap_or_default();
    let affects = node
        .get("affects")
        .map(|n| read_refs(r, n, "`affects`"))
        .unwrap_or_default();
    let status = node
        .get("status")
        .and_then(|n| read_status(r, n))
        .unwrap_or(Status::Open);
    let mut t = Threat::new(id?, title?, node.pos);
    t.description = opt_text(r, node, "description").unwrap_or_default();
    t.stride = stride;
    t.severity = read_severity(r, node);
    t.likelihood = node.get("likelihood").and_then(|n| {
        let spellings: Vec<&str> = Likelihood::ALL.iter().map(|l| l.as_str()).collect();
        r.choice(n, "likelihood", Likelihood::parse, &spellings)
    });
    t.cvss = read_cvss(r, node);
    t.dread = node.get("dread").and_then(|n| read_dread(r, n));
    t.status = status;
    t.justification = opt_text(r, node, "justification");
    t.mitigations = node
        .get("mitigations")
        .map(|n| r.strings(n, "`mitigations`"))
        .unwrap_or_default();
    t.owner = opt_text(r, node, "owner");
    t.ticket = opt_text(r, node, "ticket");
    t.expires = read_expires(r, node);
    t.mappings = node.get("mappings").and_then(|n| read_mappings(r, n));
    t.references = node
        .get("references")
        .map(|n| r.strings(n, "`references`"))
        .unwrap_or_default();
    Some((t, affects))
}

/// STRIDE letters or names: `[S, T]`, `[Spoofing]`, or one string `ST`.
fn read_stride(r: &mut Reader, node: &Node) -> Vec<Stride> {
    let hint = "STRIDE categories are S, T, R, I, D, E (or their names, such as `Spoofing`)";
    let mut out: Vec<Stride> = Vec::new();
    let mut add = |r: &mut Reader, s: &str, pos| match Stride::parse(s) {
        Some(x) if !out.contains(&x) => out.push(x),
        Some(_) => {}
        None => r.error(pos, format!("`{s}` is not a STRIDE category")).hint = Some(hint.into()),
    };
    if let Some(s) = node.as_str() {
        // One string of letters, as STRIDE is often written (`ST`, `STRIDE`).
        if s.len() > 1 && s.chars().all(|c| "STRIDEstride".contains(c)) {
            for c in s.chars() {
                add(r, &c.to_string(), node.pos);
            }
        } else {
            add(r, s, node.pos);
        }
    } else {
        for n in r.seq(node, "`stride`").unwrap_or(&[]) {
            if let Some(s) = r.text(n, "a STRIDE category") {
                add(r, &s, n.pos);
            }
        }
    }
    out.sort();
    out
}

pub(super) fn read_status(r: &mut Reader, n: &Node) -> Option<Status> {
    r.choice(
        n,
        "status",
        Status::parse,
        &Status::spellings().collect::<Vec<_>>(),
    )
}

pub(super) fn read_severity(r: &mut Reader, node: &Node) -> Option<Severity> {
    node.get("severity").and_then(|n| {
        r.choice(
            n,
            "severity",
            Severity::parse,
            &Severity::spellings().collect::<Vec<_>>(),
        )
    })
}

/// A CVSS vector, checked by computing its score.
pub(super) fn read_cvss(r: &mut Reader, node: &Node) -> Option<String> {
    node.get("cvss").and_then(|n| {
        let v = r.text(n, "`cvss`")?;
        if let Err(e) = tms_model::risk::cvss(&v) {
            r.error(n.pos, e);
        }
        Some(v)
    })
}

pub(super) fn read_expires(r: &mut Reader, node: &Node) -> Option<String> {
    node.get("expires").and_then(|n| {
        let s = r.text(n, "`expires`")?;
        if tms_syntax::dates::parse_date(&s).is_none() {
            r.error(n.pos, format!("`{s}` is not a date")).hint = Some(date_hint(&s));
            return None;
        }
        Some(s)
    })
}

/// Points each threat at the elements and flows it names; anything else is
/// an error with the nearest id as a hint.
pub(super) fn resolve(r: &mut Reader, model: &mut Model, affects: &[Vec<Ref>]) {
    for (t, refs) in model.threats.iter_mut().zip(affects) {
        for reference in refs {
            match model.ids.get(&reference.id) {
                Some(item @ (Item::Element(_) | Item::Flow(_))) => {
                    if t.affects.contains(item) {
                        r.warning(reference.pos, format!("`{}` is listed twice", reference.id));
                    } else {
                        t.affects.push(*item);
                    }
                }
                Some(other) => {
                    r.error(
                        reference.pos,
                        format!(
                            "the threat `{}` affects `{}`, which is {}",
                            t.id,
                            reference.id,
                            super::article(super::item_kind(other))
                        ),
                    )
                    .hint = Some(
                        "threats affect elements and flows; name the elements inside the boundary, or leave `affects` out for a threat to the whole system"
                            .into(),
                    );
                }
                None => {
                    let candidates = super::target_ids(&model.ids);
                    let mut message = format!(
                        "the threat `{}` affects `{}`, which does not exist",
                        t.id, reference.id
                    );
                    if candidates.is_empty() {
                        message.push_str(" (the model defines no elements or flows)");
                    }
                    r.error(reference.pos, message).hint =
                        tms_syntax::diag::did_you_mean(&reference.id, candidates)
                            .map(|c| format!("did you mean `{c}`?"));
                }
            }
        }
    }
}
