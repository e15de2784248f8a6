//! JSON text written by hand, for the entries a large report has millions of
//! (questions): serde_json checks every byte of every string for escapes one
//! at a time, and at a million entries that was a second of a report's run.
//! The escapes are serde_json's own, so an entry written here is byte for
//! byte the one serde_json would write (a test holds the two together).

/// Whether a byte needs an escape in a JSON string.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any byte of `s` needs an escape. Sixteen bytes at a time with
/// no early exit, which the compiler turns into vector compares; almost every
/// string a report writes (ids, names, rule texts) needs none.
fn any_escape(s: &[u8]) -> bool {
    let mut chunks = s.chunks_exact(16);
    let mut found = false;
    for c in &mut chunks {
        found |= c.iter().fold(false, |acc, &b| acc | needs_escape(b));
    }
    found || chunks.remainder().iter().any(|&b| needs_escape(b))
}

/// Appends `s` escaped as the inside of a JSON string (no quotes).
pub fn push_escaped(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !any_escape(bytes) {
        buf.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        buf.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(b >> 4)]);
                buf.push(HEX[usize::from(b & 0xf)]);
            }
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// Appends `s` as a JSON string.
pub fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    push_escaped(buf, s);
    buf.push(b'"');
}

/// Appends `"key":` (keys are ours: plain ASCII, never escaped).
pub fn push_key(buf: &mut Vec<u8>, key: &str) {
    buf.push(b'"');
    buf.extend_from_slice(key.as_bytes());
    buf.extend_from_slice(b"\":");
}

/// Appends an unsigned number.
pub fn push_u32(buf: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

/// Appends a JSON array of strings.
pub fn push_str_list<'a>(buf: &mut Vec<u8>, items: impl Iterator<Item = &'a str>) {
    buf.push(b'[');
    for (i, s) in items.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_str(buf, s);
    }
    buf.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0u8..0x80).map(|b| format!("a{}z", b as char)).collect();
        samples.extend(
            [
                "",
                "plain-id_1",
                "quote \" backslash \\ newline \n tab \t",
                "unicode é ✓ \u{2028} \u{7f}",
                "a long string of more than sixteen bytes with a \" late",
                "\u{1}\u{1f}",
            ]
            .map(String::from),
        );
        for s in samples {
            let mut ours = Vec::new();
            push_str(&mut ours, &s);
            let theirs = serde_json::to_vec(&s).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "{s:?}"
            );
        }
    }

    #[test]
    fn numbers_are_decimal() {
        for n in [0, 7, 10, 99, 100, 4_294_967_295] {
            let mut buf = Vec::new();
            push_u32(&mut buf, n);
            assert_eq!(String::from_utf8_lossy(&buf), n.to_string());
        }
    }
}
