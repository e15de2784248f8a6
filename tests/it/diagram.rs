//! `tms diagram`: snapshots of every text format on a small model, the command
//! line (formats, levels, colormap, style files, errors), determinism, and the
//! builtin layout's geometry (nothing overlaps, boundaries nest).

use std::path::Path;

use assert_cmd::Command;
use tms_diagram::layout::{layout, Rect};
use tms_diagram::{Dfd, Format, Kind, Options, Style};

const SMALL: &str = "tests/fixtures/diagram/small.yaml";
const HOSTILE: &str = "tests/fixtures/diagram/hostile.yaml";

pub(crate) fn model(path: &str) -> tms_model::Model {
    tms_formats::load::load_path(Path::new(path))
        .unwrap_or_else(|d| panic!("{path} must load: {:?}", d.0))
        .model
}

fn text(path: &str, kind: Kind, format: Format) -> String {
    let bytes = tms_diagram::render(
        &model(path),
        kind,
        format,
        &Options::default(),
        &Style::default(),
    )
    .expect("renders");
    String::from_utf8(bytes).expect("text formats are UTF-8")
}

fn tms() -> Command {
    Command::cargo_bin("tms").expect("the tms binary")
}

#[test]
fn snapshot_dfd_dot() {
    insta::assert_snapshot!(text(SMALL, Kind::Dfd, Format::Dot));
}

#[test]
fn snapshot_dfd_mermaid() {
    insta::assert_snapshot!(text(SMALL, Kind::Dfd, Format::Mermaid));
}

#[test]
fn snapshot_dfd_d2() {
    insta::assert_snapshot!(text(SMALL, Kind::Dfd, Format::D2));
}

#[test]
fn snapshot_dfd_plantuml() {
    insta::assert_snapshot!(text(SMALL, Kind::Dfd, Format::PlantUml));
}

#[test]
fn snapshot_seq_mermaid() {
    insta::assert_snapshot!(text(SMALL, Kind::Seq, Format::Mermaid));
}

#[test]
fn snapshot_seq_plantuml() {
    insta::assert_snapshot!(text(SMALL, Kind::Seq, Format::PlantUml));
}

#[test]
fn the_markdown_report_helper_is_the_mermaid_dfd() {
    let m = model(SMALL);
    assert_eq!(
        tms_diagram::mermaid_dfd(&m),
        text(SMALL, Kind::Dfd, Format::Mermaid)
    );
}

#[test]
fn sequence_follows_flow_order_with_unordered_flows_last() {
    let s = tms_diagram::seq::Seq::build(&model(SMALL), &Options::default());
    let labels: Vec<&str> = s.messages.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "1. Login",
            "2. Session",
            "3. Place order",
            "4. Store order",
            "5. Charge",
            "Prompt",
            "Resize images",
            "Enqueue"
        ]
    );
    assert!(s.messages[1].response && !s.messages[0].response);
    // Participants of one boundary are grouped, groups in order of appearance.
    let groups: Vec<&str> = s.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(groups, ["Internet", "Data centre", "App tier"]);
    for g in &s.groups {
        let idx = &g.participants;
        assert!(
            idx.windows(2).all(|w| w[1] == w[0] + 1),
            "contiguous: {idx:?}"
        );
    }
}

#[test]
fn levels_select_elements_and_their_flows() {
    let m = model(SMALL);
    let all = Dfd::build(&m, &Options::default());
    assert!(all.nodes.iter().any(|n| n.label == "Payment provider"));
    let level0 = Dfd::build(
        &m,
        &Options {
            levels: Some(vec![0]),
            worst: None,
        },
    );
    assert!(!level0.nodes.iter().any(|n| n.label == "Payment provider"));
    assert!(!level0.edges.iter().any(|e| e.label == "5. Charge"));
    assert_eq!(level0.nodes.len(), all.nodes.len() - 1);
    let level1 = Dfd::build(
        &m,
        &Options {
            levels: Some(vec![1]),
            worst: None,
        },
    );
    // Elements without levels are on every level.
    assert_eq!(level1.nodes.len(), all.nodes.len());

    let out = tms()
        .args(["diagram", SMALL, "--format", "mermaid", "--levels", "0"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("utf-8");
    assert!(!out.contains("Payment provider") && out.contains("Order API"));
}

#[test]
fn empty_boundaries_are_not_drawn() {
    let m = model(SMALL);
    let d = Dfd::build(
        &m,
        &Options {
            levels: Some(vec![7]),
            worst: None,
        },
    );
    // Level 7 still has every element without levels, so every boundary stays.
    assert_eq!(d.clusters.len(), 3);
    let mut m2 = m.clone();
    for e in &mut m2.elements {
        if e.boundary.is_some() {
            e.attrs.set(
                tms_model::attr_id::LEVELS,
                tms_model::Value::IntList(vec![2]),
            );
        }
    }
    let d = Dfd::build(
        &m2,
        &Options {
            levels: Some(vec![0]),
            worst: None,
        },
    );
    assert!(d.clusters.is_empty(), "{:?}", d.clusters);
}

#[test]
fn format_follows_the_output_extension() {
    let dir = tempdir();
    for (name, marker) in [
        ("d.dot", "digraph tms {"),
        ("d.mmd", "flowchart LR"),
        ("d.d2", "direction: right"),
        ("d.puml", "@startuml"),
        ("d.svg", "<svg xmlns"),
    ] {
        let path = dir.join(name);
        tms()
            .args(["diagram", SMALL, "-o"])
            .arg(&path)
            .assert()
            .success();
        let body = std::fs::read_to_string(&path).expect("written");
        assert!(
            body.starts_with(marker),
            "{name}: {}",
            &body[..40.min(body.len())]
        );
    }
    let png = dir.join("d.png");
    tms()
        .args(["diagram", SMALL, "-o"])
        .arg(&png)
        .assert()
        .success();
    let bytes = std::fs::read(&png).expect("written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tms-diagram-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn svg_and_png_are_deterministic_and_svg_is_valid() {
    for path in [SMALL, HOSTILE, "examples/web-shop.yaml"] {
        let m = model(path);
        for kind in [Kind::Dfd, Kind::Seq] {
            let a = tms_diagram::render(
                &m,
                kind,
                Format::Svg,
                &Options::default(),
                &Style::default(),
            )
            .expect("svg");
            let b = tms_diagram::render(
                &m,
                kind,
                Format::Svg,
                &Options::default(),
                &Style::default(),
            )
            .expect("svg");
            assert_eq!(a, b, "{path} {kind:?}");
            let svg = String::from_utf8(a).expect("utf-8");
            resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default())
                .unwrap_or_else(|e| panic!("{path} {kind:?}: invalid SVG: {e}"));
        }
        let a = tms_diagram::render(
            &m,
            Kind::Dfd,
            Format::Png,
            &Options::default(),
            &Style::default(),
        )
        .expect("png");
        let b = tms_diagram::render(
            &m,
            Kind::Dfd,
            Format::Png,
            &Options::default(),
            &Style::default(),
        )
        .expect("png");
        assert!(a == b, "{path}: PNG differs between runs");
    }
}

#[test]
fn svg_keeps_hostile_labels_as_text() {
    let m = model(HOSTILE);
    let svg = String::from_utf8(
        tms_diagram::render(
            &m,
            Kind::Dfd,
            Format::Svg,
            &Options::default(),
            &Style::default(),
        )
        .expect("svg"),
    )
    .expect("utf-8");
    let tree =
        resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).expect("valid SVG");
    let _ = tree;
    // Every line of every label is one tspan, XML-escaped.
    let d = Dfd::build(&m, &Options::default());
    let labels = d
        .nodes
        .iter()
        .map(|n| &n.label)
        .chain(d.edges.iter().map(|e| &e.label));
    for l in labels {
        for line in l.split('\n') {
            for word in line.split(' ').filter(|w| !w.is_empty()) {
                let escaped = tms_diagram::svg::xml(word);
                assert!(svg.contains(&escaped), "{word:?} missing from the SVG");
            }
        }
    }
    assert!(!svg.contains("<b>tag"), "raw markup reached the SVG");
}

/// Boxes that must not overlap: elements with each other, and boundaries that
/// are not nested in one another; every element inside all its boundaries.
fn assert_geometry(d: &Dfd, style: &Style, what: &str) {
    let lay = layout(d, style);
    let inside = |inner: &Rect, outer: &Rect| {
        inner.x >= outer.x - 0.01
            && inner.y >= outer.y - 0.01
            && inner.right() <= outer.right() + 0.01
            && inner.bottom() <= outer.bottom() + 0.01
    };
    let overlap = |a: &Rect, b: &Rect| {
        a.x < b.right() - 0.01
            && b.x < a.right() - 0.01
            && a.y < b.bottom() - 0.01
            && b.y < a.bottom() - 0.01
    };
    for (i, a) in lay.nodes.iter().enumerate() {
        for c in d.chain(i) {
            assert!(
                inside(&a.rect, &lay.clusters[c].rect),
                "{what}: {:?} outside {:?}",
                d.nodes[i].label,
                d.clusters[c].label
            );
        }
        for (j, b) in lay.nodes.iter().enumerate().skip(i + 1) {
            assert!(
                !overlap(&a.rect, &b.rect),
                "{what}: {:?} overlaps {:?}",
                d.nodes[i].label,
                d.nodes[j].label
            );
        }
        assert!(
            inside(&a.rect, &lay.bounds),
            "{what}: node outside the picture"
        );
    }
    let ancestors = |mut c: usize| {
        let mut v = vec![c];
        while let Some(p) = d.clusters[c].parent {
            v.push(p);
            c = p;
        }
        v
    };
    for a in 0..d.clusters.len() {
        if let Some(p) = d.clusters[a].parent {
            assert!(
                inside(&lay.clusters[a].rect, &lay.clusters[p].rect),
                "{what}: boundary {a} outside its parent"
            );
        }
        for b in a + 1..d.clusters.len() {
            if ancestors(a).contains(&b) || ancestors(b).contains(&a) {
                continue;
            }
            assert!(
                !overlap(&lay.clusters[a].rect, &lay.clusters[b].rect),
                "{what}: boundaries {:?} and {:?} overlap",
                d.clusters[a].label,
                d.clusters[b].label
            );
        }
    }
    // A node that is not in a boundary never sits on it.
    for (i, n) in lay.nodes.iter().enumerate() {
        let chain = d.chain(i);
        for (c, cl) in lay.clusters.iter().enumerate() {
            if !chain.contains(&c) {
                assert!(
                    !overlap(&n.rect, &cl.rect),
                    "{what}: {:?} lies on boundary {:?}",
                    d.nodes[i].label,
                    d.clusters[c].label
                );
            }
        }
    }
}

#[test]
fn layout_never_overlaps_boxes_in_any_direction() {
    let mut models: Vec<(String, tms_model::Model)> = [SMALL, HOSTILE]
        .iter()
        .map(|p| (p.to_string(), model(p)))
        .collect();
    for entry in std::fs::read_dir("examples").expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let p = path.display().to_string();
            models.push((p.clone(), model(&p)));
        }
    }
    let synth = tms_synth::generate(tms_synth::Params {
        elements: 300,
        seed: 7,
    });
    let src = tms_syntax::source::SourceFile::from_text("synth.json", synth);
    let synth = tms_formats::load::load_source(&src)
        .expect("synthetic model")
        .model;
    models.push(("synthetic 300".into(), synth));
    for (name, m) in &models {
        for dir in ["LR", "TB", "RL", "BT"] {
            let mut style = Style::default();
            style.direction = tms_diagram::style::Direction::parse(dir).expect("direction");
            assert_geometry(
                &Dfd::build(m, &Options::default()),
                &style,
                &format!("{name} {dir}"),
            );
        }
    }
}

#[test]
fn colormap_paints_by_worst_open_finding() {
    let out = tms()
        .args([
            "diagram",
            "examples/web-shop.yaml",
            "--format",
            "dot",
            "--colormap",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let dot = String::from_utf8(out).expect("utf-8");
    let style = Style::default();
    let severe = tms_model::Severity::ALL
        .iter()
        .filter(|s| dot.contains(&format!("fillcolor=\"{}\"", style.severity(**s))))
        .count();
    assert!(severe >= 2, "several severities appear:\n{dot}");
    // Without the colormap, fills are the kinds' colours.
    let plain = text("examples/web-shop.yaml", Kind::Dfd, Format::Dot);
    assert!(!plain.contains(&format!(
        "fillcolor=\"{}\"",
        style.severity(tms_model::Severity::Critical)
    )));
    // The SVG explains the colours.
    let out = tms()
        .args([
            "diagram",
            "examples/web-shop.yaml",
            "--format",
            "svg",
            "--colormap",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out)
        .expect("utf-8")
        .contains("Worst open finding:"));
}

#[test]
fn a_style_file_changes_colours_font_and_direction() {
    let dir = tempdir();
    let style = dir.join("style.yaml");
    std::fs::write(
        &style,
        "direction: TB\nfont: {family: Inter, size: 14}\nelements: {datastore: {fill: '#123456'}}\n",
    )
    .expect("write");
    let out = tms()
        .args(["diagram", SMALL, "--format", "dot", "--style"])
        .arg(&style)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let dot = String::from_utf8(out).expect("utf-8");
    assert!(dot.contains("rankdir=TB"), "{dot}");
    assert!(dot.contains("fontname=\"Inter\""), "{dot}");
    assert!(dot.contains("fillcolor=\"#123456\""), "{dot}");

    std::fs::write(&style, "direction: sideways\nelements: {datastor: {}}\n").expect("write");
    let err = tms()
        .args(["diagram", SMALL, "--style"])
        .arg(&style)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).expect("utf-8");
    assert!(err.contains("style.yaml:1:12"), "{err}");
    assert!(err.contains("did you mean `datastore`"), "{err}");
}

#[test]
fn impossible_requests_exit_2_with_a_reason() {
    let err = tms()
        .args(["diagram", SMALL, "--kind", "seq", "--format", "dot"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("sequence diagrams are written as"));
    let err = tms()
        .args([
            "diagram", SMALL, "--format", "mermaid", "--engine", "graphviz",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("--engine graphviz draws svg or png"));
    tms()
        .args(["diagram", "tests/fixtures/diagram/missing.yaml"])
        .assert()
        .code(2);
}
