//! tms: threat models as code.
//!
//! See ARCHITECTURE.md for the map of this crate.

pub mod dates;
pub mod derive;
pub mod diag;
pub mod formats;
pub mod load;
pub mod model;
pub mod source;
pub mod validate;
pub mod cli;
pub mod output;
pub mod schema;
