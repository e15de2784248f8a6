//! Files in and out: bounded reads into positioned trees (YAML and JSON), the
//! typed reader that records every problem, diagnostics with positions, dates,
//! the hash for id maps, and atomic writes.
//!
//! This crate knows no threat model: it is the ground every other crate stands on.

pub mod dates;
pub mod diag;
pub mod fxhash;
pub mod output;
pub mod reader;
pub mod source;
pub mod timings;
