//! tms: threat models as code. This crate is the command line; the work is
//! done by the crates under `crates/` (see ARCHITECTURE.md).

pub mod cli;
pub mod progress;
