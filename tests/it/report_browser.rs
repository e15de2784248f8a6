//! The HTML report of a model whose labels are hostile, opened in a real
//! browser (headless Chromium): no injected script runs and no label becomes
//! an element, while the report's own script does run and filters; and a
//! click on an element of the report's diagram filters the findings to it.
//!
//! Chromium is found through `TMS_CHROMIUM` (scripts/test.sh installs Debian's
//! `chromium` and sets it), else as `chromium` on the PATH. Without it this
//! test fails: a skipped browser test would hide a broken report.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HOSTILE: &str = "tests/fixtures/report/hostile.yaml";
const HOSTILE_RULES: &str = "tests/fixtures/report/hostile-rules.yaml";

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("TMS_CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "TMS_CHROMIUM={} is not a file; install Debian's chromium \
             (apt-get install -y chromium) or point TMS_CHROMIUM at a Chromium binary",
            p.display()
        );
        return p;
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("chromium"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "no Chromium for the browser test: set TMS_CHROMIUM to a Chromium binary, \
             or install Debian's chromium (apt-get install -y chromium); \
             scripts/test.sh does both"
        )
    })
}

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn write_report(path: &Path) {
    write_html(
        &[HOSTILE, "--no-default-rules", "--rules", HOSTILE_RULES],
        path,
    );
}

/// `tms report ARGS --format html -o PATH`, which must succeed.
fn write_html(args: &[&str], path: &Path) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("tms")
        .env("TMS_TODAY", "2026-01-01")
        .arg("report")
        .args(args)
        .args(["--format", "html", "-o"])
        .arg(path)
        .output()
        .expect("run tms");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The DOM after the page loaded and ran its scripts.
fn dump_dom(url: &str, profile: &Path) -> String {
    dump_dom_with(url, profile, &[])
}

/// `dump_dom`, with more Chromium flags.
fn dump_dom_with(url: &str, profile: &Path, flags: &[&str]) -> String {
    let mut child = Command::new(chromium())
        .args(flags)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let stdout = child.stdout.take().expect("chromium stdout");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for chromium") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let dom = reader
        .join()
        .expect("read chromium output")
        .expect("chromium output");
    assert!(
        status.success() && dom.contains("</html>"),
        "chromium failed ({status}) on {url}; output:\n{dom}"
    );
    dom
}

/// Elements (real tags: text never holds a raw `<`) with an id the hostile
/// labels would have given them.
fn injected_elements(dom: &str) -> Vec<&str> {
    dom.match_indices('<')
        .map(|(i, _)| {
            let rest = &dom[i..];
            let end = rest[1..].find(['<', '>']).map_or(rest.len(), |e| e + 2);
            &rest[..end.min(rest.len())]
        })
        .filter(|tag| tag[1..].starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter(|tag| {
            tag.contains(" id=\"inj") || tag.contains(" onerror") || tag.contains(" onload")
        })
        .collect()
}

#[test]
fn hostile_labels_run_no_script_in_chromium() {
    let dir = scratch();
    let page = dir.join("hostile.html");
    write_report(&page);
    let url = format!("file://{}", page.display());

    let dom = dump_dom(&url, &dir.join("profile-all"));
    // Our own script ran (so the policy lets it), and nothing else did.
    assert!(
        dom.contains("<html lang=\"en\" class=\"js\">"),
        "the report's script did not run"
    );
    let title = dom
        .split_once("<title>")
        .and_then(|(_, t)| t.split_once("</title>"))
        .map(|(t, _)| t)
        .expect("a title");
    assert!(
        title.starts_with("Threat model: &lt;script&gt;"),
        "the title changed: {title}"
    );
    assert_eq!(injected_elements(&dom), Vec::<&str>::new());
    assert_eq!(dom.to_ascii_lowercase().matches("<script").count(), 1);
    assert!(dom.contains("6 of 6 findings shown"));

    // Filters read from the fragment: only the critical findings stay visible.
    let dom = dump_dom(
        &format!("{url}#severity=critical&stride=I"),
        &dir.join("profile-filtered"),
    );
    assert!(
        dom.contains("3 of 6 findings shown"),
        "filters did not apply"
    );
    let articles: Vec<&str> = dom
        .match_indices("<article ")
        .map(|(i, _)| &dom[i..i + dom[i..].find('>').map_or(0, |e| e + 1)])
        .collect();
    assert_eq!(articles.len(), 6);
    for a in articles {
        let critical = a.contains("data-severity=\"critical\"");
        assert_eq!(a.contains(" hidden"), !critical, "{a}");
    }
}

/// A page that opens the report in a frame, clicks an element of its diagram
/// (a shape inside the element's link, as a pointer would) and writes what
/// the report then shows into its own `<pre>`, for `--dump-dom` to read.
const CLICKER: &str = r##"<!doctype html><html><body><pre id="out">not clicked</pre>
<iframe id="report" src="REPORT" width="1400" height="900"></iframe>
<script>
document.getElementById("report").addEventListener("load", function () {
  var win = this.contentWindow, doc = this.contentDocument;
  var link = doc.querySelector('figure.diagram a.target[href="#target=TARGET"]');
  var shape = link && link.querySelector("rect, ellipse, polygon, path");
  if (!shape) { document.getElementById("out").textContent = "no shape to click"; return; }
  shape.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: win}));
  setTimeout(function () {
    var visible = Array.prototype.filter.call(doc.querySelectorAll("article.finding"),
      function (a) { return !a.hidden; }).map(function (a) { return a.getAttribute("data-target"); });
    document.getElementById("out").textContent = JSON.stringify({
      hash: win.location.hash,
      shown: doc.getElementById("shown").textContent,
      select: doc.querySelector('select[data-filter="target"]').value,
      visible: visible
    });
  }, 500);
});
</script></body></html>"##;

#[test]
fn clicking_a_diagram_element_filters_the_findings_to_it() {
    let dir = scratch();
    let page = dir.join("web-shop.html");
    write_html(&["examples/web-shop.yaml"], &page);
    let html = std::fs::read_to_string(&page).expect("the report");
    let target = "log-store";
    let total = html.matches("<article class=\"finding\"").count();
    let own = html.matches(&format!("data-target=\"{target}\">")).count();
    assert!(
        own > 0 && own < total,
        "{own} of {total} findings are on {target}"
    );
    let clicker = dir.join("click.html");
    std::fs::write(
        &clicker,
        CLICKER
            .replace("REPORT", "web-shop.html")
            .replace("TARGET", target),
    )
    .expect("write the clicking page");
    let dom = dump_dom_with(
        &format!("file://{}", clicker.display()),
        &dir.join("profile-click"),
        // The frame's document is the page's to read only with this flag; the
        // virtual time lets the click's timer run before the DOM is dumped.
        &[
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
        ],
    );
    let result = dom
        .split_once("<pre id=\"out\">")
        .and_then(|(_, r)| r.split_once("</pre>"))
        .map(|(r, _)| r.replace("&quot;", "\""))
        .expect("the clicking page's output");
    let v: serde_json::Value = serde_json::from_str(&result)
        .unwrap_or_else(|e| panic!("the click left no result ({e}): {result}"));
    assert_eq!(v["hash"], format!("#target={target}"), "{v}");
    assert_eq!(v["select"], target, "{v}");
    assert_eq!(
        v["shown"],
        format!("{own} of {total} findings shown"),
        "{v}"
    );
    let visible = v["visible"].as_array().expect("the visible findings");
    assert_eq!(visible.len(), own, "{v}");
    assert!(visible.iter().all(|t| t == target), "{v}");
}

#[test]
fn injected_element_detector_sees_markup() {
    assert_eq!(
        injected_elements(
            "<p>&lt;b id=\"inj-x\"&gt;</p><b id=\"inj-y\">x</b><img src=x onerror=\"a\">"
        ),
        vec!["<b id=\"inj-y\">", "<img src=x onerror=\"a\">"]
    );
}
