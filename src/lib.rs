//! tms: threat models as code. This crate is the command line; the work is
//! done by the crates under `crates/` (see ARCHITECTURE.md).

// `println!` and `eprintln!` panic on a closed pipe or a full disk: messages
// go through `cli::io` instead.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
pub mod cli;
pub mod lsp;
pub mod progress;
