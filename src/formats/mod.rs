//! One module per file format, each converting to or from the internal model.

pub mod native;
pub mod reader;

use crate::diag::Diagnostics;
use crate::model::Model;
use crate::source::Node;

/// Reads any supported format, recognised from the document's content.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    native::read(root, file)
}
