//! tms: threat models as code.
//!
//! See ARCHITECTURE.md for the map of this crate.

pub mod catalogue;
pub mod cli;
pub mod condition;
pub mod dates;
pub mod derive;
pub mod diag;
pub mod diagram;
pub mod diff;
pub mod export;
pub mod formats;
pub mod fxhash;
pub mod load;
pub mod model;
pub mod output;
pub mod progress;
pub mod report;
pub mod risk;
pub mod rules;
pub mod schema;
pub mod source;
pub mod synth;
pub mod validate;
