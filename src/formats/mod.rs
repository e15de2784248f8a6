//! One module per file format, each converting to or from the internal model.

pub mod importer;
pub mod native;
pub mod native_writer;
pub mod otm;
pub mod pytm;
pub mod reader;
pub mod threagile;
pub mod threat_dragon;
pub mod threat_model_spec;

use crate::diag::Diagnostics;
use crate::model::Model;
use crate::source::Node;

/// Reads any supported format, recognised from the document's content.
pub fn read(root: &Node, file: &str) -> (Option<Model>, Diagnostics) {
    if threat_model_spec::detect(root) {
        return threat_model_spec::read(root, file);
    }
    if otm::detect(root) {
        return otm::read(root, file);
    }
    if threat_dragon::detect(root) {
        return threat_dragon::read(root, file);
    }
    if threagile::detect(root) {
        return threagile::read(root, file);
    }
    // pytm's signature is the weakest (no `title`, pytm's own keys or
    // `__class__`), so the formats with a key of their own are tried first.
    if pytm::detect(root) {
        return pytm::read(root, file);
    }
    native::read(root, file)
}
