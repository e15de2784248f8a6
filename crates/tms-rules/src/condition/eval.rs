//! Evaluates a compiled condition against one target, with Python's meaning.
//!
//! Where Python would raise (an attribute of `None`, ordering unlike values), the
//! evaluation fails and the rule does not match: pytm catches every exception
//! from a condition and treats it as `False`, and so do we.

use super::compile::*;
use super::syntax::CmpOp;
use tms_model::graph::Graph;
use tms_model::*;

/// What a condition is evaluated against.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub graph: &'a Graph,
    /// Kleene's three-valued logic: an attribute the model leaves unset is
    /// unknown, not its default (our rules; pytm's keep pytm's meaning).
    pub three_valued: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetRef {
    Element(ElementIdx),
    Flow(FlowIdx),
    /// The system as a whole: where a model threat that names no element or
    /// flow sits. No rule is ever evaluated on it.
    Model,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Flows,
    Data,
}

#[derive(Debug, Clone, PartialEq)]
pub enum V<'a> {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Enum(EnumTy, u8),
    Elem(ElementIdx),
    Flow(FlowIdx),
    Data(DataIdx),
    Boundary(BoundaryIdx),
    /// `target.controls`: the same item, seen through its controls.
    Controls(TargetRef),
    Idx(ListKind, &'a [usize]),
    Strs(&'a [String]),
    Ints(&'a [i64]),
    Vals(Vec<V<'a>>),
    Consts(&'a [Const]),
    Json(&'a serde_json::Value),
    /// An attribute the model leaves unset, read in three-valued logic.
    Unknown,
}

/// What a condition says of a target in three-valued logic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    True,
    False,
    /// The verdict hinges on unset attributes (of the target or of an item it
    /// reaches); this is the first one read, the one a question asks.
    Unknown(TargetRef, AttrId),
}

/// Evaluation state reused between calls: generator variables and the
/// first unknown attribute read.
#[derive(Default)]
pub struct State<'a> {
    vars: Vec<V<'a>>,
    unknown: Option<(TargetRef, AttrId)>,
    /// When set, every known attribute read is recorded (for evidence);
    /// the engine leaves it off, so matching pays nothing for it.
    pub record: bool,
    pub reads: Vec<Read>,
    pub data_reads: Vec<DataRead>,
    /// Steps left in this evaluation; nested generators multiply, and a rule
    /// file must not be able to stall a CI job.
    steps: u64,
    /// Set when an evaluation ran out of steps.
    pub exhausted: bool,
}

/// Steps one condition may take on one target: generous for any sensible
/// rule (the built-in library's largest needs a few thousand on a large
/// model), small enough that a runaway nesting fails in well under a second.
pub const STEP_BUDGET: u64 = 2_000_000;

/// Steps one rule may take over a whole run (per chunk of targets the engine
/// evaluates together): what bounds a rule that stays under the budget on
/// each target but is slow on every one of a large model.
pub const RULE_BUDGET: u64 = 400_000_000;

impl State<'_> {
    /// Steps the last evaluation took.
    pub fn steps_used(&self) -> u64 {
        STEP_BUDGET - self.steps
    }
}

/// One field of a data asset a rule read (data fields are always stated or
/// derived: a datum's classification or credentials lifetime is a fact).
#[derive(Debug, Clone, PartialEq)]
pub struct DataRead {
    pub data: DataIdx,
    pub field: &'static str,
    pub value: serde_json::Value,
}

/// The model's name of a data field, for evidence; `None` for fields that
/// identify rather than describe (id, name, description, tags).
fn data_field_name(f: DataField) -> Option<&'static str> {
    Some(match f {
        DataField::Format => "format",
        DataField::Classification => "classification",
        DataField::IsPii => "isPII",
        DataField::IsCredentials => "isCredentials",
        DataField::CredentialsLife => "credentialsLife",
        DataField::IsStored => "isStored",
        DataField::IsDestEncryptedAtRest => "isDestEncryptedAtRest",
        DataField::IsSourceEncryptedAtRest => "isSourceEncryptedAtRest",
        DataField::Id | DataField::Name | DataField::Description | DataField::Tags => return None,
    })
}

fn data_value_json(d: &DataAsset, f: DataField) -> serde_json::Value {
    match f {
        DataField::Format => serde_json::Value::String(d.format.clone()),
        DataField::Classification => serde_json::Value::String(d.classification.as_str().into()),
        DataField::IsPii => d.is_pii.into(),
        DataField::IsCredentials => d.is_credentials.into(),
        DataField::CredentialsLife => serde_json::Value::String(d.credentials_life.as_str().into()),
        DataField::IsStored => d.is_stored.into(),
        DataField::IsDestEncryptedAtRest => d.is_dest_encrypted_at_rest.unwrap_or(false).into(),
        DataField::IsSourceEncryptedAtRest => d.is_source_encrypted_at_rest.unwrap_or(false).into(),
        DataField::Id | DataField::Name | DataField::Description | DataField::Tags => {
            serde_json::Value::Null
        }
    }
}

impl State<'_> {
    /// A state that records every known attribute read (for evidence).
    pub fn recording() -> Self {
        State {
            record: true,
            ..State::default()
        }
    }
}

/// Where a value a rule read came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Written in the model.
    Stated,
    /// Derived by tms from what the model states (an endpoint, a kind's default).
    Derived,
    /// Implied by the element's role or the flow's protocol.
    Implied,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Stated => "stated",
            Source::Derived => "derived",
            Source::Implied => "implied",
        }
    }
}

/// One attribute a rule read, with what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub item: TargetRef,
    pub attr: AttrId,
    pub value: Value,
    pub source: Source,
}

/// A failure Python would raise; the condition is then false.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalError;

type R<'a> = Result<V<'a>, EvalError>;

pub fn matches(c: &Compiled, ctx: Ctx<'_>, target: TargetRef) -> bool {
    let mut st = State::default();
    verdict_with(c, ctx, target, &mut st) == Verdict::True
}

/// The verdict on `target`, reusing `st` between calls: the engine evaluates
/// millions of conditions and a fresh allocation each time would dominate.
pub fn verdict_with<'a>(
    c: &'a Compiled,
    ctx: Ctx<'a>,
    target: TargetRef,
    st: &mut State<'a>,
) -> Verdict {
    st.vars.clear();
    st.vars.resize(c.slots, V::None);
    st.unknown = None;
    st.reads.clear();
    st.data_reads.clear();
    st.steps = STEP_BUDGET;
    st.exhausted = false;
    match eval(&c.root, ctx, target, st) {
        Ok(v) => match truth(&v) {
            Some(true) => Verdict::True,
            Some(false) => Verdict::False,
            // Unknown values only come from unset reads, so one was recorded.
            None => match st.unknown {
                Some((item, attr)) => Verdict::Unknown(item, attr),
                None => Verdict::False,
            },
        },
        Err(EvalError) => Verdict::False,
    }
}

/// Truth in three-valued logic: `None` is unknown.
fn truth(v: &V<'_>) -> Option<bool> {
    match v {
        V::Unknown => None,
        other => Some(truthy(other)),
    }
}

fn item(t: TargetRef) -> V<'static> {
    match t {
        TargetRef::Element(e) => V::Elem(e),
        TargetRef::Flow(f) => V::Flow(f),
        TargetRef::Model => V::None,
    }
}

fn truthy(v: &V<'_>) -> bool {
    match v {
        V::None => false,
        V::Bool(b) => *b,
        V::Int(i) => *i != 0,
        V::Float(f) => *f != 0.0,
        V::Str(s) => !s.is_empty(),
        V::Idx(_, l) => !l.is_empty(),
        V::Strs(l) => !l.is_empty(),
        V::Ints(l) => !l.is_empty(),
        V::Vals(l) => !l.is_empty(),
        V::Consts(l) => !l.is_empty(),
        V::Json(j) => match j {
            serde_json::Value::Null => false,
            serde_json::Value::Bool(b) => *b,
            serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            serde_json::Value::String(s) => !s.is_empty(),
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Object(o) => !o.is_empty(),
        },
        V::Enum(..) | V::Elem(_) | V::Flow(_) | V::Data(_) | V::Boundary(_) | V::Controls(_) => {
            true
        }
        // Callers that can meet an unknown ask `truth` first.
        V::Unknown => false,
    }
}

fn constant(c: &Const) -> V<'_> {
    match c {
        Const::None => V::None,
        Const::Bool(b) => V::Bool(*b),
        Const::Int(i) => V::Int(*i),
        Const::Float(f) => V::Float(*f),
        Const::Str(s) => V::Str(s),
        Const::Enum(e, r) => V::Enum(*e, *r),
    }
}

fn json(j: &serde_json::Value) -> V<'_> {
    match j {
        serde_json::Value::Null => V::None,
        serde_json::Value::Bool(b) => V::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| V::Float(n.as_f64().unwrap_or(0.0)), V::Int),
        serde_json::Value::String(s) => V::Str(s),
        other => V::Json(other),
    }
}

fn value_ref(v: ValueRef<'_>) -> V<'_> {
    match v {
        ValueRef::Bool(b) => V::Bool(b),
        ValueRef::Int(i) => V::Int(i),
        ValueRef::Str(s) => V::Str(s),
        ValueRef::Classification(c) => V::Enum(EnumTy::Classification, rank_classification(c)),
        ValueRef::TlsVersion(t) => V::Enum(EnumTy::TlsVersion, rank_tls(t)),
        ValueRef::DatastoreType(d) => V::Enum(EnumTy::DatastoreType, rank_dstype(d)),
        ValueRef::IntList(l) => V::Ints(l),
        ValueRef::StrList(l) => V::Strs(l),
    }
}

fn eval<'a>(n: &'a Node, ctx: Ctx<'a>, target: TargetRef, st: &mut State<'a>) -> R<'a> {
    if st.steps == 0 {
        st.exhausted = true;
        return Err(EvalError);
    }
    st.steps -= 1;
    match n {
        Node::Const(c) => Ok(constant(c)),
        Node::ConstList(items) => Ok(V::Consts(items)),
        Node::Target => Ok(item(target)),
        Node::Var(slot) => Ok(st.vars[*slot].clone()),
        Node::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                out.push(eval(it, ctx, target, st)?);
            }
            Ok(V::Vals(out))
        }
        Node::Get(recv, access) => {
            let r = match leaf(recv, target, st) {
                Some(v) => v,
                None => eval(recv, ctx, target, st)?,
            };
            if matches!(r, V::Unknown) {
                return Ok(V::Unknown);
            }
            let owner = match (&r, access) {
                (V::Elem(e), Access::Attr(id))
                | (V::Controls(TargetRef::Element(e)), Access::Attr(id)) => {
                    Some((TargetRef::Element(*e), *id))
                }
                (V::Flow(f), Access::Attr(id))
                | (V::Controls(TargetRef::Flow(f)), Access::Attr(id)) => {
                    Some((TargetRef::Flow(*f), *id))
                }
                _ => None,
            };
            if let (true, Some((item, id))) = (ctx.three_valued, owner) {
                let attrs = attrs_of(ctx.model, item);
                if !attrs.is_set(id)
                    && !ALWAYS_KNOWN.contains(&id)
                    && id.def().applies.intersects(applies_of(ctx, item))
                {
                    let implied = match item {
                        TargetRef::Element(e) => {
                            tms_model::roles::implied_for_element(ctx.model, e, id)
                        }
                        TargetRef::Flow(f) => tms_model::roles::implied_for_flow(ctx.model, f, id),
                        TargetRef::Model => None,
                    };
                    return Ok(match implied {
                        Some(v) => {
                            if st.record {
                                st.reads.push(Read {
                                    item,
                                    attr: id,
                                    value: v.clone(),
                                    source: Source::Implied,
                                });
                            }
                            value_ref(v.as_ref())
                        }
                        // An unset `maxClassification` declares no limit: in
                        // pytm it defaults to the lowest class, which makes
                        // every datum a leak; here it admits every class.
                        None if id == attr_id::MAX_CLASSIFICATION => V::Enum(
                            EnumTy::Classification,
                            rank_classification(Classification::TopSecret),
                        ),
                        None => {
                            st.unknown.get_or_insert((item, id));
                            V::Unknown
                        }
                    });
                }
            }
            if let (true, V::Data(d), Access::Data(field)) = (st.record, &r, access) {
                if let Some(name) = data_field_name(*field) {
                    let read = DataRead {
                        data: *d,
                        field: name,
                        value: data_value_json(&ctx.model.data[*d], *field),
                    };
                    if !st.data_reads.contains(&read) {
                        st.data_reads.push(read);
                    }
                }
            }
            if let (true, Some((item, id))) = (st.record, owner) {
                let attrs = attrs_of(ctx.model, item);
                if attrs.is_set(id) {
                    st.reads.push(Read {
                        item,
                        attr: id,
                        value: attrs.get(id).to_owned_value(),
                        source: if attrs.is_derived(id) {
                            Source::Derived
                        } else {
                            Source::Stated
                        },
                    });
                }
            }
            get(ctx, r, access)
        }
        Node::Not(inner) => {
            let v = eval(inner, ctx, target, st)?;
            Ok(truth(&v).map_or(V::Unknown, |b| V::Bool(!b)))
        }
        // Kleene: false and x is false; true and x is x; unknown and x is
        // false when x is false, else unknown.
        Node::And(a, b) => {
            let va = eval(a, ctx, target, st)?;
            match truth(&va) {
                Some(false) => Ok(va),
                Some(true) => eval(b, ctx, target, st),
                None => {
                    let vb = eval(b, ctx, target, st)?;
                    Ok(if truth(&vb) == Some(false) {
                        vb
                    } else {
                        V::Unknown
                    })
                }
            }
        }
        Node::Or(a, b) => {
            let va = eval(a, ctx, target, st)?;
            match truth(&va) {
                Some(true) => Ok(va),
                Some(false) => eval(b, ctx, target, st),
                None => {
                    let vb = eval(b, ctx, target, st)?;
                    Ok(if truth(&vb) == Some(true) {
                        vb
                    } else {
                        V::Unknown
                    })
                }
            }
        }
        Node::Compare(first, rest) => {
            let mut left = eval(first, ctx, target, st)?;
            let mut unknown = false;
            for (op, right) in rest {
                let r = match leaf(right, target, st) {
                    Some(v) => v,
                    None => eval(right, ctx, target, st)?,
                };
                if matches!(left, V::Unknown) || matches!(r, V::Unknown) {
                    unknown = true;
                } else if !compare(ctx, *op, &left, &r)? {
                    return Ok(V::Bool(false));
                }
                left = r;
            }
            Ok(if unknown { V::Unknown } else { V::Bool(true) })
        }
        Node::Any { slot, iter, elem } | Node::All { slot, iter, elem } => {
            let want_any = matches!(n, Node::Any { .. });
            let items = eval(iter, ctx, target, st)?;
            if matches!(items, V::Unknown) {
                return Ok(V::Unknown);
            }
            let len = list_len(&items).ok_or(EvalError)?;
            let mut unknown = false;
            for i in 0..len {
                st.vars[*slot] = list_get(&items, i);
                let v = eval(elem, ctx, target, st)?;
                match truth(&v) {
                    Some(hit) if hit == want_any => return Ok(V::Bool(want_any)),
                    Some(_) => {}
                    None => unknown = true,
                }
            }
            Ok(if unknown {
                V::Unknown
            } else {
                V::Bool(!want_any)
            })
        }
        Node::Len(inner) => {
            let v = eval(inner, ctx, target, st)?;
            match v {
                V::Unknown => Ok(V::Unknown),
                V::Str(s) => Ok(V::Int(s.chars().count() as i64)),
                other => list_len(&other).map(|l| V::Int(l as i64)).ok_or(EvalError),
            }
        }
        Node::Call(recv, m, args) => {
            let r = eval(recv, ctx, target, st)?;
            // Every method takes at most one argument (the checker ensures it).
            let arg = match args.first() {
                Some(a) => Some(eval(a, ctx, target, st)?),
                None => None,
            };
            if matches!(r, V::Unknown) || matches!(arg, Some(V::Unknown)) {
                return Ok(V::Unknown);
            }
            call(ctx, r, *m, arg.as_slice())
        }
    }
}

/// The value of a node that needs no evaluation (the target, a variable, a
/// literal), without the call: attribute reads and comparisons with a literal
/// are most of every condition, and the recursive call around each leaf was
/// a fair share of a large model's matching. Leaves are not counted against
/// the step budget; the node that holds them is, which bounds them as well.
#[inline(always)]
fn leaf<'a>(n: &'a Node, target: TargetRef, st: &State<'a>) -> Option<V<'a>> {
    match n {
        Node::Target => Some(item(target)),
        Node::Var(slot) => Some(st.vars[*slot].clone()),
        Node::Const(c) => Some(constant(c)),
        Node::ConstList(items) => Some(V::Consts(items)),
        _ => None,
    }
}

static NO_ATTRS: Attrs = Attrs::EMPTY;

/// The attributes an element or flow holds.
fn attrs_of(model: &Model, item: TargetRef) -> &Attrs {
    match item {
        TargetRef::Element(e) => &model.elements[e].attrs,
        TargetRef::Flow(f) => &model.flows[f].attrs,
        TargetRef::Model => &NO_ATTRS,
    }
}

/// Attributes that describe the model rather than the system: their default
/// is what an unset value means (an element is in scope unless taken out).
/// `minTLSVersion` unset declares no minimum, its default. A VPN is an
/// exception a model states where there is one: a flow without `usesVPN`
/// travels the network as drawn (asking every internet flow about a VPN
/// would bury the question that matters, whether it is encrypted).
const ALWAYS_KNOWN: &[AttrId] = &[
    attr_id::IN_SCOPE,
    attr_id::IS_RESPONSE,
    attr_id::MIN_TLS_VERSION,
    attr_id::USES_VPN,
    // Where an element runs scopes the cloud rules; it is not a control, and a
    // model that does not say it runs on AWS is not asked about it.
    attr_id::ON_AWS,
    // Free text naming the algorithms: the weak-crypto rules read what it names;
    // asking every component which algorithms it uses would be noise.
    attr_id::USES_ENCRYPTION_ALGORITHM,
];

/// The attribute-table targets an item belongs to, so that an attribute its
/// type lacks stays an error (false), as in Python, rather than unknown.
fn applies_of(ctx: Ctx<'_>, item: TargetRef) -> Targets {
    match item {
        TargetRef::Element(e) => ctx.model.elements[e].kind.bit(),
        TargetRef::Flow(_) => Targets::FLOW,
        TargetRef::Model => Targets(0),
    }
}

fn list_len(v: &V<'_>) -> Option<usize> {
    Some(match v {
        V::Idx(_, l) => l.len(),
        V::Strs(l) => l.len(),
        V::Ints(l) => l.len(),
        V::Vals(l) => l.len(),
        V::Consts(l) => l.len(),
        V::Json(serde_json::Value::Array(a)) => a.len(),
        _ => return None,
    })
}

fn list_get<'a>(v: &V<'a>, i: usize) -> V<'a> {
    match v {
        V::Idx(ListKind::Flows, l) => V::Flow(l[i]),
        V::Idx(ListKind::Data, l) => V::Data(l[i]),
        V::Strs(l) => V::Str(&l[i]),
        V::Ints(l) => V::Int(l[i]),
        V::Vals(l) => l[i].clone(),
        V::Consts(l) => constant(&l[i]),
        V::Json(serde_json::Value::Array(a)) => json(&a[i]),
        _ => V::None,
    }
}

fn get<'a>(ctx: Ctx<'a>, recv: V<'a>, access: &'a Access) -> R<'a> {
    let m = ctx.model;
    match (recv, access) {
        (V::Elem(e), Access::Attr(id)) | (V::Controls(TargetRef::Element(e)), Access::Attr(id)) => {
            let el = &m.elements[e];
            if !id.def().applies.contains_kind(el.kind) {
                return Err(EvalError);
            }
            Ok(value_ref(el.attrs.get(*id)))
        }
        (V::Flow(f), Access::Attr(id)) | (V::Controls(TargetRef::Flow(f)), Access::Attr(id)) => {
            if !id.def().applies.contains_flow() {
                return Err(EvalError);
            }
            Ok(value_ref(m.flows[f].attrs.get(*id)))
        }
        (V::Elem(e), Access::Controls) => Ok(V::Controls(TargetRef::Element(e))),
        (V::Flow(f), Access::Controls) => Ok(V::Controls(TargetRef::Flow(f))),
        (V::Elem(e), Access::Item(field)) => element_field(ctx, e, *field),
        (V::Flow(f), Access::Item(field)) => flow_field(ctx, f, *field),
        (V::Data(d), Access::Data(field)) => Ok(data_field(&m.data[d], *field)),
        (V::Boundary(b), Access::Boundary(field)) => {
            let bd = &m.boundaries[b];
            Ok(match field {
                BoundaryField::Id => V::Str(&bd.id),
                BoundaryField::Name => V::Str(&bd.name),
                BoundaryField::Description => V::Str(&bd.description),
                BoundaryField::Parent => bd.parent.map_or(V::None, V::Boundary),
                BoundaryField::InScope => V::Bool(bd.in_scope),
                BoundaryField::Tags => V::Strs(&bd.tags),
            })
        }
        (V::Json(serde_json::Value::Object(o)), Access::Key(k)) => {
            Ok(o.get(k).map_or(V::None, json))
        }
        // `properties.missing.deeper` reads as None rather than failing: user keys are optional.
        (V::None, Access::Key(_)) => Ok(V::None),
        _ => Err(EvalError),
    }
}

fn element_field<'a>(ctx: Ctx<'a>, e: ElementIdx, field: ItemField) -> R<'a> {
    let el = &ctx.model.elements[e];
    Ok(match field {
        ItemField::Id => V::Str(&el.id),
        ItemField::Name => V::Str(&el.name),
        ItemField::Description => V::Str(&el.description),
        ItemField::Type => V::Str(el.kind.as_str()),
        ItemField::Tags => V::Strs(&el.tags),
        ItemField::Properties => json(&el.properties),
        ItemField::InBoundary => el.boundary.map_or(V::None, V::Boundary),
        ItemField::Inputs => V::Idx(ListKind::Flows, &ctx.graph.inputs[e]),
        ItemField::Outputs => V::Idx(ListKind::Flows, &ctx.graph.outputs[e]),
        ItemField::Incoming => V::Idx(ListKind::Flows, &ctx.graph.incoming[e]),
        ItemField::Outgoing => V::Idx(ListKind::Flows, &ctx.graph.outgoing[e]),
        ItemField::Data => V::Idx(ListKind::Data, &el.data),
        ItemField::Source
        | ItemField::Sink
        | ItemField::ResponseTo
        | ItemField::Response
        | ItemField::IsResponse => return Err(EvalError),
    })
}

fn flow_field<'a>(ctx: Ctx<'a>, f: FlowIdx, field: ItemField) -> R<'a> {
    let fl = &ctx.model.flows[f];
    Ok(match field {
        ItemField::Id => V::Str(&fl.id),
        ItemField::Name => V::Str(&fl.name),
        ItemField::Description => V::Str(&fl.description),
        ItemField::Type => V::Str("flow"),
        ItemField::Tags => V::Strs(&fl.tags),
        ItemField::Properties => json(&fl.properties),
        ItemField::Data => V::Idx(ListKind::Data, &fl.data),
        ItemField::Source => V::Elem(fl.source),
        ItemField::Sink => V::Elem(fl.sink),
        ItemField::ResponseTo => fl.response_to.map_or(V::None, V::Flow),
        ItemField::Response => ctx.graph.response[f].map_or(V::None, V::Flow),
        ItemField::IsResponse => V::Bool(ctx.model.is_response(fl)),
        // pytm's Dataflow has an `inBoundary` that is always None.
        ItemField::InBoundary => V::None,
        ItemField::Inputs | ItemField::Outputs | ItemField::Incoming | ItemField::Outgoing => {
            return Err(EvalError)
        }
    })
}

fn data_field(d: &DataAsset, field: DataField) -> V<'_> {
    match field {
        DataField::Id => V::Str(&d.id),
        DataField::Name => V::Str(&d.name),
        DataField::Description => V::Str(&d.description),
        DataField::Format => V::Str(&d.format),
        DataField::Classification => V::Enum(
            EnumTy::Classification,
            rank_classification(d.classification),
        ),
        DataField::IsPii => V::Bool(d.is_pii),
        DataField::IsCredentials => V::Bool(d.is_credentials),
        DataField::CredentialsLife => V::Enum(EnumTy::Lifetime, rank_lifetime(d.credentials_life)),
        DataField::IsStored => V::Bool(d.is_stored),
        DataField::IsDestEncryptedAtRest => V::Bool(d.is_dest_encrypted_at_rest.unwrap_or(false)),
        DataField::IsSourceEncryptedAtRest => {
            V::Bool(d.is_source_encrypted_at_rest.unwrap_or(false))
        }
        DataField::Tags => V::Strs(&d.tags),
    }
}

fn call<'a>(ctx: Ctx<'a>, recv: V<'a>, m: Method, args: &[V<'a>]) -> R<'a> {
    let model = ctx.model;
    match (m, recv) {
        (Method::HasDataLeaks, V::Flow(f)) => {
            let fl = &model.flows[f];
            let limit = |a: &Attrs| match a.get(attr_id::MAX_CLASSIFICATION) {
                // Our rules read an unset limit as none declared (see `eval`).
                _ if ctx.three_valued && !a.is_set(attr_id::MAX_CLASSIFICATION) => {
                    Classification::TopSecret
                }
                ValueRef::Classification(c) => c,
                _ => Classification::Unknown,
            };
            let (src, sink, own) = (
                limit(&model.elements[fl.source].attrs),
                limit(&model.elements[fl.sink].attrs),
                limit(&fl.attrs),
            );
            Ok(V::Bool(fl.data.iter().any(|d| {
                let c = model.data[*d].classification;
                c > src || c > sink || c > own
            })))
        }
        (Method::CrossesBoundary, V::Flow(f)) => {
            Ok(V::Bool(model.crosses_boundary(&model.flows[f])))
        }
        (Method::IsReplyToCall, V::Flow(f)) => {
            let fl = &model.flows[f];
            let src = &model.elements[fl.source];
            // People and clients start their exchanges; for two systems, a forward
            // flow back to an element that calls the source is that call's answer.
            let starts_exchanges = src.kind == tms_model::ElementKind::Actor
                || src
                    .role
                    .as_deref()
                    .is_some_and(|r| tms_model::roles::ROLES.is(r, "client"));
            Ok(V::Bool(
                !starts_exchanges
                    && ctx.graph.outputs[fl.sink]
                        .iter()
                        .any(|&g| model.flows[g].sink == fl.source),
            ))
        }
        (Method::CheckTlsVersion, V::Elem(e)) => {
            let min = model.elements[e].attrs.get(attr_id::MIN_TLS_VERSION);
            let flows = args.first().ok_or(EvalError)?;
            let n = list_len(flows).ok_or(EvalError)?;
            for i in 0..n {
                let V::Flow(f) = list_get(flows, i) else {
                    return Err(EvalError);
                };
                let tls = model.flows[f].attrs.get(attr_id::TLS_VERSION);
                if let (ValueRef::TlsVersion(a), ValueRef::TlsVersion(b)) = (tls, min) {
                    if a < b {
                        return Ok(V::Bool(true));
                    }
                }
            }
            Ok(V::Bool(false))
        }
        (Method::HasTag, V::Elem(e)) => {
            let el = &model.elements[e];
            let by_role = match (args.first(), el.role.as_deref()) {
                (Some(V::Str(t)), Some(role)) => tms_model::roles::ROLES
                    .get(role)
                    .is_some_and(|r| r.legacy_tags.iter().any(|x| x == t)),
                _ => false,
            };
            if by_role {
                Ok(V::Bool(true))
            } else {
                tag_in(&el.tags, args)
            }
        }
        (Method::HasTag, V::Flow(f)) => tag_in(&model.flows[f].tags, args),
        // Roles are stated or mapped from legacy tags when the model loads; an
        // element with no role has none, so this test is two-valued.
        (Method::HasRole, V::Elem(e)) => match (args.first(), model.elements[e].role.as_deref()) {
            (Some(V::Str(n)), Some(role)) => Ok(V::Bool(tms_model::roles::ROLES.is(role, n))),
            (Some(V::Str(_)), None) => Ok(V::Bool(false)),
            _ => Err(EvalError),
        },
        _ => Err(EvalError),
    }
}

fn tag_in<'a>(tags: &[String], args: &[V<'a>]) -> R<'a> {
    match args.first() {
        Some(V::Str(t)) => Ok(V::Bool(tags.iter().any(|x| x == t))),
        _ => Err(EvalError),
    }
}

fn num(v: &V<'_>) -> Option<f64> {
    match v {
        V::Int(i) => Some(*i as f64),
        V::Float(f) => Some(*f),
        V::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn equal(a: &V<'_>, b: &V<'_>) -> bool {
    match (a, b) {
        (V::None, V::None) => true,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Enum(e1, r1), V::Enum(e2, r2)) => e1 == e2 && r1 == r2,
        (V::Elem(x), V::Elem(y))
        | (V::Flow(x), V::Flow(y))
        | (V::Data(x), V::Data(y))
        | (V::Boundary(x), V::Boundary(y)) => x == y,
        (V::Json(x), V::Json(y)) => x == y,
        _ if num(a).is_some() && num(b).is_some() => num(a) == num(b),
        _ => match (list_len(a), list_len(b)) {
            (Some(la), Some(lb)) if la == lb => {
                (0..la).all(|i| equal(&list_get(a, i), &list_get(b, i)))
            }
            _ => false,
        },
    }
}

fn identical(a: &V<'_>, b: &V<'_>) -> bool {
    match (a, b) {
        (V::None, V::None) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Int(x), V::Int(y)) => x == y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Enum(e1, r1), V::Enum(e2, r2)) => e1 == e2 && r1 == r2,
        (V::Elem(x), V::Elem(y))
        | (V::Flow(x), V::Flow(y))
        | (V::Data(x), V::Data(y))
        | (V::Boundary(x), V::Boundary(y)) => x == y,
        _ => false,
    }
}

fn compare(ctx: Ctx<'_>, op: CmpOp, l: &V<'_>, r: &V<'_>) -> Result<bool, EvalError> {
    use std::cmp::Ordering;
    let order = || -> Result<Ordering, EvalError> {
        match (l, r) {
            (V::Enum(a, x), V::Enum(b, y)) if a == b && a.ordered() => Ok(x.cmp(y)),
            (V::Str(x), V::Str(y)) => Ok(x.cmp(y)),
            _ => match (num(l), num(r)) {
                (Some(x), Some(y)) => x.partial_cmp(&y).ok_or(EvalError),
                _ => Err(EvalError),
            },
        }
    };
    Ok(match op {
        CmpOp::Eq => equal(l, r),
        CmpOp::Ne => !equal(l, r),
        CmpOp::Lt => order()? == Ordering::Less,
        CmpOp::Le => order()? != Ordering::Greater,
        CmpOp::Gt => order()? == Ordering::Greater,
        CmpOp::Ge => order()? != Ordering::Less,
        CmpOp::Is => identical(l, r),
        CmpOp::IsNot => !identical(l, r),
        CmpOp::In => contains(ctx, r, l)?,
        CmpOp::NotIn => !contains(ctx, r, l)?,
    })
}

fn contains(ctx: Ctx<'_>, haystack: &V<'_>, needle: &V<'_>) -> Result<bool, EvalError> {
    match (haystack, needle) {
        (V::Str(h), V::Str(n)) => Ok(h.contains(n)),
        (V::Str(_), _) => Err(EvalError),
        // pytm's DataSet: a string is "in" target.data when a datum has that name.
        (V::Idx(ListKind::Data, l), V::Str(n)) => Ok(l
            .iter()
            .any(|d| ctx.model.data[*d].name == *n || ctx.model.data[*d].id == *n)),
        (V::Json(serde_json::Value::Object(o)), V::Str(n)) => Ok(o.contains_key(*n)),
        _ => {
            let len = list_len(haystack).ok_or(EvalError)?;
            Ok((0..len).any(|i| equal(&list_get(haystack, i), needle)))
        }
    }
}
