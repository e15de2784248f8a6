//! Embeds every `rules/*.yaml` file in the binary, so adding a rule file needs no code change.
//!
//! Each file is embedded twice: whole (for the test suite, which runs every rule's fixtures) and
//! with its `fixtures:` blocks blanked out, which is what every run of `tms` parses. Fixtures are
//! about 40% of the text and no command reads them; blank lines keep every line number, so a
//! message about a rule still points at its line in `rules/*.yaml`.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut files: Vec<_> = std::fs::read_dir("rules")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    // Without the rule files (a crate packaged without `rules/`) the binary
    // would run with an empty library and report nothing: refuse to build.
    assert!(
        !files.is_empty(),
        "no rules/*.yaml in this crate: the built-in library would be empty"
    );
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut whole = String::from("&[\n");
    let mut lean = String::from("&[\n");
    for (i, p) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", p.display());
        let abs = std::fs::canonicalize(p).expect("rule file path");
        let name = p.display().to_string();
        let _ = writeln!(
            whole,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        );
        let text = std::fs::read_to_string(p).expect("rule file text");
        let stripped = Path::new(&out_dir).join(format!("rules-{i}.yaml"));
        std::fs::write(&stripped, without_fixtures(&text)).expect("write stripped rules");
        let _ = writeln!(
            lean,
            "    ({name:?}, include_str!({:?})),",
            stripped.display().to_string()
        );
    }
    whole.push(']');
    lean.push(']');
    std::fs::write(Path::new(&out_dir).join("builtin_rules.rs"), whole)
        .expect("write builtin_rules.rs");
    std::fs::write(Path::new(&out_dir).join("builtin_rules_lean.rs"), lean)
        .expect("write builtin_rules_lean.rs");
}

/// The text with each rule's `fixtures:` block (the key at a rule's indentation, four
/// spaces, and every deeper or blank line after it) replaced by empty lines.
fn without_fixtures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_fixtures = false;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if line.trim_end() == "    fixtures:" {
            in_fixtures = true;
        } else if in_fixtures && !line.trim().is_empty() && indent <= 4 {
            in_fixtures = false;
        }
        if !in_fixtures {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}
