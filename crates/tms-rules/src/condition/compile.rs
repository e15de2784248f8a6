//! Type-checks a parsed condition against the attribute table and turns it into
//! a tree of resolved accesses, so evaluation never looks a name up.

use super::syntax::{CmpOp, ConditionError, Expr, Lit};
use tms_model::attrs::{self, AttrId, AttrType};
use tms_model::{Classification, DatastoreType, Lifetime, Targets, TlsVersion};
use tms_syntax::diag::did_you_mean;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnumTy {
    Classification,
    Lifetime,
    TlsVersion,
    DatastoreType,
}

impl EnumTy {
    pub fn name(self) -> &'static str {
        match self {
            EnumTy::Classification => "Classification",
            EnumTy::Lifetime => "Lifetime",
            EnumTy::TlsVersion => "TLSVersion",
            EnumTy::DatastoreType => "DatastoreType",
        }
    }

    pub fn ordered(self) -> bool {
        matches!(self, EnumTy::Classification | EnumTy::TlsVersion)
    }

    /// pytm's member names, in rank order.
    pub fn members(self) -> &'static [&'static str] {
        match self {
            EnumTy::Classification => &[
                "UNKNOWN",
                "PUBLIC",
                "RESTRICTED",
                "SENSITIVE",
                "SECRET",
                "TOP_SECRET",
            ],
            EnumTy::Lifetime => &[
                "NONE",
                "UNKNOWN",
                "SHORT",
                "LONG",
                "AUTO",
                "MANUAL",
                "HARDCODED",
            ],
            EnumTy::TlsVersion => &[
                "NONE", "SSLv1", "SSLv2", "SSLv3", "TLSv10", "TLSv11", "TLSv12", "TLSv13",
            ],
            EnumTy::DatastoreType => &["UNKNOWN", "FILE_SYSTEM", "SQL", "LDAP", "AWS_S3"],
        }
    }

    fn from_name(n: &str) -> Option<Self> {
        Some(match n {
            "Classification" => EnumTy::Classification,
            "Lifetime" => EnumTy::Lifetime,
            "TLSVersion" => EnumTy::TlsVersion,
            "DatastoreType" => EnumTy::DatastoreType,
            _ => return None,
        })
    }
}

// Rank conversions: the enums' declaration order is pytm's order.
pub fn rank_classification(c: Classification) -> u8 {
    c as u8
}
pub fn rank_lifetime(l: Lifetime) -> u8 {
    l as u8
}
pub fn rank_tls(t: TlsVersion) -> u8 {
    t as u8
}
pub fn rank_dstype(d: DatastoreType) -> u8 {
    d as u8
}

/// Static types, as precise as the checker needs to catch misspellings and
/// comparisons that can never be true.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Float,
    Str,
    None,
    Enum(EnumTy),
    EnumNamespace(EnumTy),
    /// An element or flow of one of these kinds.
    Item(Targets),
    Controls(Targets),
    Data,
    Boundary,
    List(Box<Ty>),
    /// User properties and anything else only known at run time.
    Dynamic,
}

impl Ty {
    fn describe(&self) -> String {
        match self {
            Ty::Bool => "a boolean".into(),
            Ty::Int | Ty::Float => "a number".into(),
            Ty::Str => "a string".into(),
            Ty::None => "None".into(),
            Ty::Enum(e) => format!("a {}", e.name()),
            Ty::EnumNamespace(e) => format!("the enum {}", e.name()),
            Ty::Item(t) => t.names().join("/"),
            Ty::Controls(_) => "controls".into(),
            Ty::Data => "a data asset".into(),
            Ty::Boundary => "a boundary".into(),
            Ty::List(t) => format!("a list of {}", t.describe()),
            Ty::Dynamic => "a value".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemField {
    Id,
    Name,
    Description,
    Type,
    Tags,
    Properties,
    InBoundary,
    Inputs,
    Outputs,
    Incoming,
    Outgoing,
    Data,
    Source,
    Sink,
    ResponseTo,
    Response,
    IsResponse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataField {
    Id,
    Name,
    Description,
    Format,
    Classification,
    IsPii,
    IsCredentials,
    CredentialsLife,
    IsStored,
    IsDestEncryptedAtRest,
    IsSourceEncryptedAtRest,
    Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryField {
    Id,
    Name,
    Description,
    Parent,
    InScope,
    Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    Attr(AttrId),
    Item(ItemField),
    Data(DataField),
    Boundary(BoundaryField),
    /// A key of a JSON value (user properties).
    Key(String),
    /// `target.controls`: a view of the same item, restricted to controls.
    Controls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    HasDataLeaks,
    CheckTlsVersion,
    CrossesBoundary,
    HasTag,
    HasRole,
    IsReplyToCall,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Enum(EnumTy, u8),
}

/// A checked condition, ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Const(Const),
    /// A list or tuple of literals, built once here rather than at every evaluation.
    ConstList(Vec<Const>),
    List(Vec<Node>),
    Target,
    Var(usize),
    Get(Box<Node>, Access),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Compare(Box<Node>, Vec<(CmpOp, Node)>),
    Any {
        slot: usize,
        iter: Box<Node>,
        elem: Box<Node>,
    },
    All {
        slot: usize,
        iter: Box<Node>,
        elem: Box<Node>,
    },
    Len(Box<Node>),
    Call(Box<Node>, Method, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub root: Node,
    /// Generator variables in use at once, at most.
    pub slots: usize,
}

struct Checker {
    target: Targets,
    vars: Vec<(String, Ty)>,
    max_slots: usize,
}

pub fn compile(expr: &Expr, target: Targets) -> Result<Compiled, ConditionError> {
    let mut c = Checker {
        target,
        vars: Vec::new(),
        max_slots: 0,
    };
    let (root, _) = c.check(expr)?;
    Ok(Compiled {
        root,
        slots: c.max_slots,
    })
}

fn err(col: usize, message: impl Into<String>) -> ConditionError {
    ConditionError {
        column: col,
        message: message.into(),
    }
}

const ITEM_FIELDS: &[(&str, ItemField)] = &[
    ("id", ItemField::Id),
    ("name", ItemField::Name),
    ("description", ItemField::Description),
    ("type", ItemField::Type),
    ("tags", ItemField::Tags),
    ("properties", ItemField::Properties),
    ("inBoundary", ItemField::InBoundary),
    ("inputs", ItemField::Inputs),
    ("outputs", ItemField::Outputs),
    ("incoming", ItemField::Incoming),
    ("outgoing", ItemField::Outgoing),
    ("data", ItemField::Data),
    ("source", ItemField::Source),
    ("sink", ItemField::Sink),
    ("responseTo", ItemField::ResponseTo),
    ("response", ItemField::Response),
    ("isResponse", ItemField::IsResponse),
];

const DATA_FIELDS: &[(&str, DataField, Ty)] = &[
    ("id", DataField::Id, Ty::Str),
    ("name", DataField::Name, Ty::Str),
    ("description", DataField::Description, Ty::Str),
    ("format", DataField::Format, Ty::Str),
    (
        "classification",
        DataField::Classification,
        Ty::Enum(EnumTy::Classification),
    ),
    ("isPII", DataField::IsPii, Ty::Bool),
    ("isCredentials", DataField::IsCredentials, Ty::Bool),
    (
        "credentialsLife",
        DataField::CredentialsLife,
        Ty::Enum(EnumTy::Lifetime),
    ),
    ("isStored", DataField::IsStored, Ty::Bool),
    (
        "isDestEncryptedAtRest",
        DataField::IsDestEncryptedAtRest,
        Ty::Bool,
    ),
    (
        "isSourceEncryptedAtRest",
        DataField::IsSourceEncryptedAtRest,
        Ty::Bool,
    ),
];

const BOUNDARY_FIELDS: &[(&str, BoundaryField)] = &[
    ("id", BoundaryField::Id),
    ("name", BoundaryField::Name),
    ("description", BoundaryField::Description),
    ("parent", BoundaryField::Parent),
    ("inBoundary", BoundaryField::Parent),
    ("inScope", BoundaryField::InScope),
    ("tags", BoundaryField::Tags),
];

const METHODS: &[(&str, Method)] = &[
    ("hasDataLeaks", Method::HasDataLeaks),
    ("checkTLSVersion", Method::CheckTlsVersion),
    ("crossesBoundary", Method::CrossesBoundary),
    ("hasTag", Method::HasTag),
    ("hasRole", Method::HasRole),
    ("isReplyToCall", Method::IsReplyToCall),
];

fn attr_ty(t: AttrType) -> Ty {
    match t {
        AttrType::Bool => Ty::Bool,
        AttrType::Int => Ty::Int,
        AttrType::Str => Ty::Str,
        AttrType::Classification => Ty::Enum(EnumTy::Classification),
        AttrType::TlsVersion => Ty::Enum(EnumTy::TlsVersion),
        AttrType::DatastoreType => Ty::Enum(EnumTy::DatastoreType),
        AttrType::IntList => Ty::List(Box::new(Ty::Int)),
        AttrType::StrList => Ty::List(Box::new(Ty::Str)),
    }
}

impl Checker {
    fn check(&mut self, e: &Expr) -> Result<(Node, Ty), ConditionError> {
        Ok(match e {
            Expr::Lit(l, _) => match l {
                Lit::None => (Node::Const(Const::None), Ty::None),
                Lit::Bool(b) => (Node::Const(Const::Bool(*b)), Ty::Bool),
                Lit::Int(i) => (Node::Const(Const::Int(*i)), Ty::Int),
                Lit::Float(f) => (Node::Const(Const::Float(*f)), Ty::Float),
                Lit::Str(s) => (Node::Const(Const::Str(s.clone())), Ty::Str),
            },
            Expr::Name(n, col) => {
                if n == "target" {
                    return Ok((Node::Target, Ty::Item(self.target)));
                }
                if let Some(slot) = self.vars.iter().rposition(|(v, _)| v == n) {
                    return Ok((Node::Var(slot), self.vars[slot].1.clone()));
                }
                if let Some(e) = EnumTy::from_name(n) {
                    return Ok((Node::Const(Const::None), Ty::EnumNamespace(e)));
                }
                let mut known: Vec<&str> = vec![
                    "target",
                    "Classification",
                    "Lifetime",
                    "TLSVersion",
                    "DatastoreType",
                ];
                known.extend(self.vars.iter().map(|(v, _)| v.as_str()));
                return Err(err(
                    *col,
                    format!("unknown name `{n}`{}", suggest(n, known)),
                ));
            }
            Expr::Attr(recv, name, col) => {
                let (node, ty) = self.check(recv)?;
                self.access(node, &ty, name, *col)?
            }
            Expr::Call(callee, args, col) => self.call(callee, args, *col)?,
            Expr::Generator { col, .. } => {
                return Err(err(
                    *col,
                    "a generator can only be the argument of any() or all()",
                ))
            }
            Expr::List(items, _) => {
                let mut nodes = Vec::new();
                let mut elem = None;
                for it in items {
                    let (n, t) = self.check(it)?;
                    elem.get_or_insert(t);
                    nodes.push(n);
                }
                (
                    if nodes.iter().all(|n| matches!(n, Node::Const(_))) {
                        Node::ConstList(
                            nodes
                                .into_iter()
                                .filter_map(|n| match n {
                                    Node::Const(c) => Some(c),
                                    _ => None,
                                })
                                .collect(),
                        )
                    } else {
                        Node::List(nodes)
                    },
                    Ty::List(Box::new(elem.unwrap_or(Ty::Dynamic))),
                )
            }
            Expr::Not(inner, _) => {
                let (n, _) = self.check(inner)?;
                (Node::Not(Box::new(n)), Ty::Bool)
            }
            Expr::And(a, b) => {
                let (na, ta) = self.check(a)?;
                let (nb, tb) = self.check(b)?;
                (
                    Node::And(Box::new(na), Box::new(nb)),
                    if ta == tb { ta } else { Ty::Dynamic },
                )
            }
            Expr::Or(a, b) => {
                let (na, ta) = self.check(a)?;
                let (nb, tb) = self.check(b)?;
                (
                    Node::Or(Box::new(na), Box::new(nb)),
                    if ta == tb { ta } else { Ty::Dynamic },
                )
            }
            Expr::Compare(first, rest) => {
                let (mut left_node, mut left_ty) = self.check(first)?;
                let first_node = left_node.clone();
                let mut ops = Vec::new();
                for (op, right, col) in rest {
                    let (rn, rt) = self.check(right)?;
                    check_comparison(*op, &left_ty, &rt, *col)?;
                    ops.push((*op, rn.clone()));
                    left_node = rn;
                    left_ty = rt;
                }
                let _ = left_node;
                (Node::Compare(Box::new(first_node), ops), Ty::Bool)
            }
        })
    }

    fn access(
        &mut self,
        node: Node,
        ty: &Ty,
        name: &str,
        col: usize,
    ) -> Result<(Node, Ty), ConditionError> {
        let get = |a: Access| Node::Get(Box::new(node.clone()), a);
        match ty {
            Ty::EnumNamespace(e) => match e.members().iter().position(|m| *m == name) {
                Some(rank) => Ok((Node::Const(Const::Enum(*e, rank as u8)), Ty::Enum(*e))),
                None => Err(err(
                    col,
                    format!(
                        "{} has no member `{name}`{}",
                        e.name(),
                        suggest(name, e.members().iter().copied())
                    ),
                )),
            },
            Ty::Item(t) => {
                if name == "controls" {
                    return Ok((get(Access::Controls), Ty::Controls(*t)));
                }
                if let Some((_, f)) = ITEM_FIELDS.iter().find(|(n, _)| *n == name) {
                    return self
                        .item_field(*t, *f, col)
                        .map(|ty| (get(Access::Item(*f)), ty));
                }
                if let Some(id) = attrs::lookup(name) {
                    let def = id.def();
                    if def.applies.intersects(*t) {
                        return Ok((get(Access::Attr(id)), attr_ty(def.ty)));
                    }
                    return Err(err(
                        col,
                        format!(
                            "`{name}` is not an attribute of {} (it belongs to {})",
                            t.names().join("/"),
                            def.applies.names().join(", ")
                        ),
                    ));
                }
                if METHODS.iter().any(|(m, _)| *m == name) {
                    return Err(err(
                        col,
                        format!("`{name}` is a method: call it as `{name}(...)`"),
                    ));
                }
                let candidates = ITEM_FIELDS
                    .iter()
                    .map(|(n, _)| *n)
                    .chain(attrs::for_targets(*t).map(|(_, a)| a.name))
                    .chain(["controls"]);
                Err(err(
                    col,
                    format!(
                        "`{name}` is not an attribute of {}{}",
                        t.names().join("/"),
                        suggest(name, candidates)
                    ),
                ))
            }
            Ty::Controls(_) => match attrs::lookup(name) {
                Some(id) if id.def().control => Ok((get(Access::Attr(id)), attr_ty(id.def().ty))),
                _ => {
                    let candidates = attrs::ATTRS.iter().filter(|a| a.control).map(|a| a.name);
                    Err(err(
                        col,
                        format!("`{name}` is not a control{}", suggest(name, candidates)),
                    ))
                }
            },
            Ty::Data => match DATA_FIELDS.iter().find(|(n, _, _)| *n == name) {
                Some((_, f, ty)) => Ok((get(Access::Data(*f)), ty.clone())),
                None if name == "tags" => Ok((
                    get(Access::Data(DataField::Tags)),
                    Ty::List(Box::new(Ty::Str)),
                )),
                None => Err(err(
                    col,
                    format!(
                        "`{name}` is not an attribute of data{}",
                        suggest(name, DATA_FIELDS.iter().map(|(n, _, _)| *n))
                    ),
                )),
            },
            Ty::Boundary => match BOUNDARY_FIELDS.iter().find(|(n, _)| *n == name) {
                Some((_, f)) => Ok((
                    get(Access::Boundary(*f)),
                    match f {
                        BoundaryField::Parent => Ty::Boundary,
                        BoundaryField::InScope => Ty::Bool,
                        BoundaryField::Tags => Ty::List(Box::new(Ty::Str)),
                        _ => Ty::Str,
                    },
                )),
                None => Err(err(
                    col,
                    format!(
                        "`{name}` is not an attribute of a boundary{}",
                        suggest(name, BOUNDARY_FIELDS.iter().map(|(n, _)| *n))
                    ),
                )),
            },
            Ty::Dynamic => Ok((get(Access::Key(name.to_string())), Ty::Dynamic)),
            other => Err(err(
                col,
                format!("{} has no attribute `{name}`", other.describe()),
            )),
        }
    }

    fn item_field(&self, t: Targets, f: ItemField, col: usize) -> Result<Ty, ConditionError> {
        let elements_only = |ty: Ty| {
            if t.intersects(Targets::ELEMENTS) {
                Ok(ty)
            } else {
                Err(err(
                    col,
                    "a flow has no such attribute; it belongs to elements",
                ))
            }
        };
        let flows_only = |ty: Ty| {
            if t.contains_flow() {
                Ok(ty)
            } else {
                Err(err(col, "only flows have this attribute"))
            }
        };
        match f {
            ItemField::Id | ItemField::Name | ItemField::Description | ItemField::Type => {
                Ok(Ty::Str)
            }
            ItemField::Tags => Ok(Ty::List(Box::new(Ty::Str))),
            ItemField::Properties => Ok(Ty::Dynamic),
            ItemField::Data => Ok(Ty::List(Box::new(Ty::Data))),
            ItemField::InBoundary => elements_only(Ty::Boundary),
            ItemField::Inputs | ItemField::Outputs | ItemField::Incoming | ItemField::Outgoing => {
                elements_only(Ty::List(Box::new(Ty::Item(Targets::FLOW))))
            }
            ItemField::Source | ItemField::Sink => flows_only(Ty::Item(Targets::ELEMENTS)),
            ItemField::ResponseTo | ItemField::Response => flows_only(Ty::Item(Targets::FLOW)),
            ItemField::IsResponse => flows_only(Ty::Bool),
        }
    }

    fn call(
        &mut self,
        callee: &Expr,
        args: &[Expr],
        col: usize,
    ) -> Result<(Node, Ty), ConditionError> {
        match callee {
            Expr::Name(f, _) if f == "any" || f == "all" => {
                let [Expr::Generator {
                    elem, var, iter, ..
                }] = args
                else {
                    if let [single] = args {
                        // any(list) without a generator: true when some element is truthy.
                        let (iter_node, _) = self.check(single)?;
                        let slot = self.vars.len();
                        self.max_slots = self.max_slots.max(slot + 1);
                        let (iter, elem) = (Box::new(iter_node), Box::new(Node::Var(slot)));
                        return Ok((
                            if f == "any" {
                                Node::Any { slot, iter, elem }
                            } else {
                                Node::All { slot, iter, elem }
                            },
                            Ty::Bool,
                        ));
                    }
                    return Err(err(col, format!("{f}() takes one argument: a generator such as `d.isPII for d in target.data`")));
                };
                let (iter_node, iter_ty) = self.check(iter)?;
                let elem_ty = match iter_ty {
                    Ty::List(t) => *t,
                    Ty::Dynamic => Ty::Dynamic,
                    other => {
                        return Err(err(
                            iter.col(),
                            format!("cannot iterate over {}", other.describe()),
                        ))
                    }
                };
                let slot = self.vars.len();
                self.vars.push((var.clone(), elem_ty));
                self.max_slots = self.max_slots.max(self.vars.len());
                let elem_node = self.check(elem);
                self.vars.pop();
                let (elem_node, _) = elem_node?;
                let (iter, elem) = (Box::new(iter_node), Box::new(elem_node));
                Ok((
                    if f == "any" {
                        Node::Any { slot, iter, elem }
                    } else {
                        Node::All { slot, iter, elem }
                    },
                    Ty::Bool,
                ))
            }
            Expr::Name(f, _) if f == "len" => {
                let [arg] = args else {
                    return Err(err(col, "len() takes one argument"));
                };
                let (n, t) = self.check(arg)?;
                if !matches!(t, Ty::List(_) | Ty::Str | Ty::Dynamic) {
                    return Err(err(arg.col(), format!("len() of {}", t.describe())));
                }
                Ok((Node::Len(Box::new(n)), Ty::Int))
            }
            Expr::Attr(recv, name, mcol) => {
                // The receiver first: its mistakes come earlier in the text.
                let (rn, rt) = self.check(recv)?;
                let Some((_, m)) = METHODS.iter().find(|(n, _)| n == name) else {
                    return Err(err(
                        *mcol,
                        format!(
                            "`{name}` is not a method{}",
                            suggest(name, METHODS.iter().map(|(n, _)| *n))
                        ),
                    ));
                };
                let Ty::Item(t) = rt else {
                    return Err(err(
                        *mcol,
                        format!(
                            "`{name}()` is a method of elements and flows, not of {}",
                            rt.describe()
                        ),
                    ));
                };
                let mut arg_nodes = Vec::new();
                let mut arg_tys = Vec::new();
                for a in args {
                    let (n, ty) = self.check(a)?;
                    arg_nodes.push(n);
                    arg_tys.push(ty);
                }
                let ok = match m {
                    Method::HasDataLeaks | Method::CrossesBoundary | Method::IsReplyToCall => {
                        t.contains_flow() && args.is_empty()
                    }
                    Method::CheckTlsVersion => {
                        t.intersects(Targets::ELEMENTS)
                            && args.len() == 1
                            && matches!(arg_tys[0], Ty::List(_) | Ty::Dynamic)
                    }
                    Method::HasTag => {
                        args.len() == 1 && matches!(arg_tys[0], Ty::Str | Ty::Dynamic)
                    }
                    Method::HasRole => {
                        t.intersects(Targets::ELEMENTS)
                            && args.len() == 1
                            && matches!(arg_tys[0], Ty::Str)
                    }
                };
                // A misspelt role or trait would make the test silently false.
                if let (Method::HasRole, [Expr::Lit(Lit::Str(name), scol)]) = (m, args) {
                    if !tms_model::roles::ROLES.is_name(name) {
                        return Err(err(
                            *scol,
                            format!(
                                "`{name}` is neither a role nor a trait{}",
                                suggest(name, tms_model::roles::ROLES.names())
                            ),
                        ));
                    }
                }
                if !ok {
                    let usage = match m {
                        Method::HasDataLeaks => "`hasDataLeaks()` on a flow",
                        Method::CrossesBoundary => "`crossesBoundary()` on a flow",
                        Method::IsReplyToCall => "`isReplyToCall()` on a flow",
                        Method::CheckTlsVersion => "`checkTLSVersion(flows)` on an element",
                        Method::HasTag => "`hasTag('name')`",
                        Method::HasRole => "`hasRole('role or trait')` on an element",
                    };
                    return Err(err(*mcol, format!("use {usage}")));
                }
                Ok((Node::Call(Box::new(rn), *m, arg_nodes), Ty::Bool))
            }
            Expr::Name(f, ncol) => Err(err(
                *ncol,
                format!("unknown function `{f}`; available: any, all, len"),
            )),
            other => Err(err(other.col(), "this cannot be called")),
        }
    }
}

fn check_comparison(op: CmpOp, l: &Ty, r: &Ty, col: usize) -> Result<(), ConditionError> {
    let mismatch = |what: &str| Err(err(col, what.to_string()));
    match op {
        CmpOp::Eq | CmpOp::Ne => match (l, r) {
            (Ty::Enum(e), Ty::Str) | (Ty::Str, Ty::Enum(e)) => mismatch(&format!(
                "comparing a {} with a string is always false; write a member such as {}.{}",
                e.name(),
                e.name(),
                e.members()[1]
            )),
            (Ty::Enum(a), Ty::Enum(b)) if a != b => mismatch(&format!(
                "comparing a {} with a {} is always false",
                a.name(),
                b.name()
            )),
            _ => Ok(()),
        },
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => match (l, r) {
            (Ty::Enum(a), Ty::Enum(b)) if a == b && a.ordered() => Ok(()),
            (Ty::Enum(a), _) | (_, Ty::Enum(a)) if !a.ordered() => {
                mismatch(&format!("{} values have no order", a.name()))
            }
            (Ty::Enum(a), Ty::Enum(b)) => mismatch(&format!(
                "cannot order a {} against a {}",
                a.name(),
                b.name()
            )),
            (Ty::Enum(a), other) | (other, Ty::Enum(a)) if !matches!(other, Ty::Dynamic) => {
                mismatch(&format!(
                    "cannot order a {} against {}",
                    a.name(),
                    other.describe()
                ))
            }
            _ => Ok(()),
        },
        CmpOp::In | CmpOp::NotIn => match r {
            Ty::List(_) | Ty::Str | Ty::Dynamic => Ok(()),
            other => mismatch(&format!(
                "`in` needs a list or a string on its right, found {}",
                other.describe()
            )),
        },
        CmpOp::Is | CmpOp::IsNot => Ok(()),
    }
}

fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}
