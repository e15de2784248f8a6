//! The HTML report embeds the data-flow diagram as inline SVG: every element
//! drawn, those with findings linked to their filter, model text escaped,
//! and no script beyond the report's own.

use std::process::Command;

fn html(model: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tms"))
        .args(["report", model, "--format", "html"])
        .output()
        .expect("tms runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn html_report_embeds_the_diagram_with_links() {
    let page = html("examples/web-shop.yaml");
    let start = page
        .find("<figure class=\"diagram\"><svg")
        .expect("an inline SVG");
    let end = page[start..]
        .find("</svg>")
        .map(|e| start + e)
        .expect("the SVG ends");
    let svg = &page[start..end];
    // Every element is drawn (its name as text).
    for name in ["Customer (browser)", "Load balancer", "Shop database"] {
        assert!(svg.contains(name), "{name} is drawn");
    }
    // Elements and flows with findings link to the findings filter, with a tooltip.
    assert!(svg.contains("<a href=\"#target=lb-web\" class=\"target\"><title>Forward to web tier (lb-web): 1 finding, 0 open</title>"), "{svg}");
    assert!(svg.matches("<a href=\"#target=").count() >= 5);
    // The filter offers each linked target, so a click has something to select.
    for href in svg
        .match_indices("<a href=\"#target=")
        .map(|(i, _)| &svg[i + 17..])
    {
        let id = &href[..href.find('"').unwrap_or(0)];
        assert!(
            page.contains(&format!("<option value=\"{id}\"")),
            "{id} is a filter value"
        );
    }
    assert_eq!(
        page.matches("<script").count(),
        1,
        "the report's own script only"
    );
}

#[test]
fn diagram_text_and_links_are_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "title: T\nboundaries:\n  - {id: internet, name: Internet}\ndata:\n  - {id: creds, name: C, classification: secret, isCredentials: true}\nelements:\n  - {id: \"a&b\", type: server, name: \"<script>alert(1)</script>\"}\n  - {id: u, type: actor, name: User, boundary: internet}\nflows:\n  - {id: f, from: u, to: \"a&b\", protocol: HTTP, data: [creds], name: \"x\\\"><img src=x onerror=alert(1)>\"}\n",
    )
    .expect("write");
    let page = html(model.to_str().unwrap_or(""));
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(!page.contains("<img"));
    let svg = &page[page.find("<figure class=\"diagram\">").unwrap_or(0)..];
    assert!(
        svg.contains("&lt;script&gt;alert(1)"),
        "the name is drawn, escaped"
    );
    assert!(!page.contains("<script>alert"));
    assert!(
        page.contains("<a href=\"#target=a%26b\" class=\"target\">"),
        "the id is percent-encoded in the link"
    );
}
