//! One module per file format, each converting to or from the internal model.

pub mod native;
pub mod native_writer;
pub mod reader;
pub mod threat_model_spec;

use crate::diag::Diagnostics;
use crate::model::Model;
use crate::source::Node;

/// Reads any supported format, recognised from the document's content.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    if threat_model_spec::detect(root) {
        return threat_model_spec::read(root, file);
    }
    native::read(root, file)
}
