//! What a model read from another tool's format brings beyond our own model.
//!
//! The analysis never reads this: rules see only the elements, flows, data and
//! boundaries the reader built. Reports, exports and `tms import` use it to show
//! (or to say they could not keep) the parts our format has no place for. A
//! format's own parts (Threat Model Spec's attack chains, attack trees and
//! threat entries) are an [`Extension`] whose type belongs to the format's
//! module in `tms-formats`: the model holds them without knowing their shape.

use std::any::Any;
use std::sync::Arc;

use serde::Serialize;

use tms_syntax::source::Pos;

/// Which item of a written model a note belongs next to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "camelCase")]
pub enum Anchor {
    Model,
    Boundary(String),
    Data(String),
    Element(String),
    Flow(String),
}

/// Something the source file states that our format cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCarried {
    pub anchor: Anchor,
    pub what: String,
}

/// An id the source used that breaks our id rules (or clashes), and what it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdRewrite {
    /// `boundary`, `element`, `data asset` or `flow`.
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    #[serde(skip)]
    pub pos: Pos,
}

/// The part of a model that came from another format.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    /// The format's name as `tms import --from` spells it.
    pub format: String,
    pub id_rewrites: Vec<IdRewrite>,
    pub not_carried: Vec<NotCarried>,
    /// The format's own parts, read back by the format's module.
    #[serde(skip)]
    pub extension: Option<Extension>,
}

/// A value of a type this crate does not know, with the equality and debug
/// output of that type, so a model still compares and prints as a whole.
#[derive(Clone)]
pub struct Extension {
    value: Arc<dyn Any + Send + Sync>,
    eq: fn(&dyn Any, &dyn Any) -> bool,
    debug: fn(&dyn Any, &mut std::fmt::Formatter<'_>) -> std::fmt::Result,
}

impl Extension {
    pub fn new<T: Any + Send + Sync + PartialEq + std::fmt::Debug>(value: T) -> Extension {
        Extension {
            value: Arc::new(value),
            eq: |a, b| match (a.downcast_ref::<T>(), b.downcast_ref::<T>()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
            debug: |v, f| match v.downcast_ref::<T>() {
                Some(v) => v.fmt(f),
                None => f.write_str("Extension"),
            },
        }
    }

    /// The value, when it is a `T`.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }
}

impl PartialEq for Extension {
    fn eq(&self, other: &Self) -> bool {
        (self.eq)(self.value.as_ref(), other.value.as_ref())
    }
}

impl std::fmt::Debug for Extension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (self.debug)(self.value.as_ref(), f)
    }
}
