//! Values the model leaves unset and pytm derives from the flows' endpoints
//! (contract, section 1, "Derived values"). A value the model sets is never replaced.

use crate::attr_id::*;
use crate::*;

pub fn apply(model: &mut Model) {
    kind_defaults(model);
    derive_flow_data(model);
    derive_flow_attrs(model);
    derive_data(model);
}

/// Attributes whose pytm default differs for one class are stored explicitly,
/// so every reader (rules, exports) sees the class's default.
fn kind_defaults(model: &mut Model) {
    for (name, kind, default) in crate::attrs::KIND_DEFAULTS {
        let Some(id) = crate::attrs::lookup(name) else {
            continue;
        };
        for e in model
            .elements
            .iter_mut()
            .filter(|e| e.kind == *kind && !e.attrs.is_set(id))
        {
            e.attrs
                .set_derived(id, default.as_value_ref().to_owned_value());
        }
    }
}

/// A flow carries the data its source element declares (pytm does the same).
fn derive_flow_data(model: &mut Model) {
    let Model {
        elements, flows, ..
    } = model;
    for f in flows.iter_mut() {
        for d in &elements[f.source].data {
            if !f.data.contains(d) {
                f.data.push(*d);
            }
        }
    }
}

fn derive_flow_attrs(model: &mut Model) {
    let Model {
        elements, flows, ..
    } = model;
    for f in flows.iter_mut() {
        let is_response = f.response_to.is_some() || f.attrs.flag(IS_RESPONSE);
        let (src, sink) = (&elements[f.source].attrs, &elements[f.sink].attrs);
        let mut inherit = |attr: AttrId, from: &Attrs, from_attr: AttrId| {
            if !f.attrs.is_set(attr) && from.is_set(from_attr) {
                f.attrs
                    .set_derived(attr, from.get(from_attr).to_owned_value());
            }
        };
        if is_response {
            inherit(PROTOCOL, src, PROTOCOL);
            inherit(SRC_PORT, src, PORT);
            inherit(IS_ENCRYPTED, src, IS_ENCRYPTED);
        } else {
            inherit(PROTOCOL, sink, PROTOCOL);
            inherit(DST_PORT, sink, PORT);
            inherit(IS_ENCRYPTED, sink, IS_ENCRYPTED);
            inherit(AUTHENTICATES_DESTINATION, src, AUTHENTICATES_DESTINATION);
            inherit(
                CHECKS_DESTINATION_REVOCATION,
                src,
                CHECKS_DESTINATION_REVOCATION,
            );
        }
        if is_response && !f.attrs.is_set(IS_RESPONSE) {
            f.attrs.set_derived(IS_RESPONSE, Value::Bool(true));
        }
    }
}

fn derive_data(model: &mut Model) {
    for d in &mut model.data {
        if d.credentials_life != Lifetime::None {
            if !d.is_credentials {
                d.derived.add("isCredentials");
            }
            d.is_credentials = true;
        } else if d.is_credentials {
            d.credentials_life = Lifetime::Unknown;
            d.derived.add("credentialsLife");
        }
    }
    // The first forward flow carrying a stored datum decides (pytm < 1.4 semantics:
    // later flows do not overwrite an earlier derivation).
    for f in &model.flows {
        if f.response_to.is_some() || f.attrs.flag(IS_RESPONSE) {
            continue;
        }
        let src = model.elements[f.source].attrs.flag(IS_ENCRYPTED_AT_REST);
        let dst = model.elements[f.sink].attrs.flag(IS_ENCRYPTED_AT_REST);
        for &di in &f.data {
            let d = &mut model.data[di];
            if d.is_stored {
                if d.is_source_encrypted_at_rest.is_none() {
                    d.is_source_encrypted_at_rest = Some(src);
                    d.derived.add("isSourceEncryptedAtRest");
                }
                if d.is_dest_encrypted_at_rest.is_none() {
                    d.is_dest_encrypted_at_rest = Some(dst);
                    d.derived.add("isDestEncryptedAtRest");
                }
            }
        }
    }
}
