//! `tms lsp`: the language server (see `crate::lsp`).

use super::common::{load_library, RuleArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Talk over stdin and stdout (the only transport; accepted because editors pass it)
    #[arg(long)]
    stdio: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let _ = args.stdio;
    match load_library(&args.rules) {
        Ok(lib) => crate::lsp::run(lib),
        Err(code) => code,
    }
}
