//! The CSV report, one record a finding, for issue trackers and spreadsheets:
//! `templates/report/report.csv.j2`, each value one field made by `field`.

use super::data::ReportData;
use super::template::{render_builtin, TemplateError};

pub fn render(data: &ReportData) -> Result<String, TemplateError> {
    render_builtin("report.csv.j2", data)
}

/// One CSV field (RFC 4180) that a spreadsheet shows as text.
///
/// A value a spreadsheet would read as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return: OWASP's list) gets a leading `'`,
/// which spreadsheets take as "text" and which keeps the value readable.
/// A field holding a comma, a quote or a line break is quoted, its quotes doubled.
pub fn field(s: &str) -> String {
    let formula = matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let needs_quotes = s.contains([',', '"', '\r', '\n']);
    let mut out = String::with_capacity(s.len() + 3);
    if needs_quotes {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if needs_quotes {
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(""), "");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\r\n=x"), "\"'\r\n=x\"");
        assert_eq!(field("=a,\"b\""), "\"'=a,\"\"b\"\"\"");
        assert_eq!(field("a=b"), "a=b");
    }
}
