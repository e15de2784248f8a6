//! The condition language of rules: parse, check, compile, evaluate.

pub mod compile;
pub mod eval;
pub mod syntax;

pub use compile::Compiled;
pub use eval::{matches, Ctx, TargetRef};
pub use syntax::ConditionError;

use tms_model::Targets;

/// Parses and type-checks a condition for rules on `targets`.
pub fn compile(src: &str, targets: Targets) -> Result<Compiled, ConditionError> {
    let expr = syntax::parse(src)?;
    compile::compile(&expr, targets)
}
