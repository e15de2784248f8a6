//! The HTML report: one self-contained file (`templates/report/report.html.j2`
//! with `report.css` and `report.js` inline), HTML-escaped throughout.
//!
//! It fetches nothing: a Content-Security-Policy allows only our own inline
//! style and script, by their SHA-256, so even a string that slipped past the
//! escaping could neither run script nor load anything.

use base64::Engine;
use sha2::{Digest, Sha256};

use super::data::ReportData;
use super::template::{render_builtin, TemplateError};

const STYLE: &str = include_str!("../templates/report.css");
const SCRIPT: &str = include_str!("../templates/report.js");

pub struct Assets {
    pub style: String,
    pub script: String,
    /// The policy for a `<meta http-equiv="Content-Security-Policy">`.
    pub csp: String,
}

fn sha256(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
}

/// The inline style and script, and the policy that allows exactly them. A
/// template must put them between their tags byte for byte, or the browser
/// refuses them.
pub fn assets() -> Assets {
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; \
         img-src data:; base-uri 'none'; form-action 'none'",
        sha256(STYLE),
        sha256(SCRIPT)
    );
    Assets {
        style: STYLE.to_string(),
        script: SCRIPT.to_string(),
        csp,
    }
}

pub fn render(data: &ReportData) -> Result<String, TemplateError> {
    render_builtin("report.html.j2", data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_inline_assets() {
        let a = assets();
        assert!(a.csp.contains(&format!("'sha256-{}'", sha256(SCRIPT))));
        assert!(a.csp.contains(&format!("'sha256-{}'", sha256(STYLE))));
        // The script must not close its own element early.
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        // SHA-256 of the empty string, to pin the encoding.
        assert_eq!(sha256(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }
}
