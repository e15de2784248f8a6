//! Any bytes that are UTF-8 (what `tms_syntax::source::read` hands on) go through the
//! whole loader, as YAML and as JSON: parsing, model reading, reference
//! resolution, derivation and warnings. A panic, a hang or an out-of-memory is a
//! bug; errors are expected and fine. Whenever YAML's fast path (the tree
//! straight from the parser's events) gives a tree, it must be the exact path's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tms_formats::load::load_source;
use tms_syntax::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    // Bytes that are not UTF-8 never reach the parsers: `source::read` refuses them.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = tms_syntax::source::yaml::parse_fast(text) {
        assert_eq!(Ok(fast), tms_syntax::source::yaml::parse_exact(text));
    }
    for name in ["x.yaml", "x.json"] {
        let src = SourceFile::from_text(name, text);
        match load_source(&src) {
            Ok(loaded) => {
                for d in &loaded.warnings.0 {
                    assert!(d.line >= 1 && d.column >= 1, "{d}");
                }
            }
            Err(diags) => {
                assert!(diags.has_errors());
                for d in &diags.0 {
                    assert!(d.line >= 1 && d.column >= 1, "{d}");
                }
            }
        }
    }
});
