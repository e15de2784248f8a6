//! SVG, drawn from our own layout (`layout.rs` for DFDs, a lifeline layout
//! here for sequences). User text only appears as XML character data, escaped;
//! characters XML cannot hold were already replaced when labels were cleaned.

use std::fmt::Write;

use super::font;
use super::layout::{layout, EdgePath, Layout, Rect, TextBox};
use super::seq::Seq;
use super::style::{Color, Style};
use super::{Dfd, Heat, Link, Links};
use tms_model::{ElementKind, Severity};

pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Not characters XML allows: whatever reaches here unclean is shown as U+FFFD.
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The family list for SVG: the style's, then the font the layout measured.
fn families(style: &Style) -> String {
    if style.font_family.contains(font::FAMILY) {
        style.font_family.clone()
    } else {
        format!("{}, {}", style.font_family, font::FAMILY)
    }
}

fn open(s: &mut String, bounds: Rect, style: &Style) {
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" viewBox=\"{:.1} {:.1} {:.1} {:.1}\" font-family=\"{}\" font-size=\"{}\">",
        bounds.w.ceil(),
        bounds.h.ceil(),
        bounds.x,
        bounds.y,
        bounds.w.ceil(),
        bounds.h.ceil(),
        xml(&families(style)),
        style.font_size
    );
    let _ = writeln!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffffff\"/>",
        bounds.x,
        bounds.y,
        bounds.w.ceil(),
        bounds.h.ceil()
    );
}

/// How a block of text is set.
#[derive(Clone, Copy)]
struct Ink {
    size: f32,
    color: Color,
    /// SVG `text-anchor`: `start` or `middle`.
    anchor: &'static str,
    bold: bool,
}

impl Ink {
    fn new(size: f32, color: Color, anchor: &'static str, bold: bool) -> Ink {
        Ink {
            size,
            color,
            anchor,
            bold,
        }
    }
}

/// Lines of text aligned on `x` (by the anchor), the block's top at `top`.
fn text_lines(s: &mut String, lines: &[String], x: f32, top: f32, ink: Ink) {
    let lh = font::line_height(ink.size);
    let weight = if ink.bold {
        " font-weight=\"bold\""
    } else {
        ""
    };
    let _ = write!(
        s,
        "<text font-size=\"{}\" fill=\"{}\" text-anchor=\"{}\"{weight}>",
        ink.size, ink.color, ink.anchor
    );
    for (i, line) in lines.iter().enumerate() {
        // The baseline sits about 80% down a line box.
        let y = top + lh * i as f32 + lh * 0.78;
        let _ = write!(s, "<tspan x=\"{x:.1}\" y=\"{y:.1}\">{}</tspan>", xml(line));
    }
    s.push_str("</text>\n");
}

/// Black or white, whichever reads better on `bg`.
fn ink_on(bg: Color, default: Color) -> Color {
    let lum = 0.2126 * f32::from(bg.r) + 0.7152 * f32::from(bg.g) + 0.0722 * f32::from(bg.b);
    if lum < 110.0 {
        Color::rgb(0xffffff)
    } else {
        default
    }
}

fn pts(points: &[(f32, f32)]) -> String {
    let mut s = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{x:.1},{y:.1}");
    }
    s
}

fn shape(s: &mut String, kind: ElementKind, r: &Rect, fill: Color, stroke: Color) {
    let paint = format!("fill=\"{fill}\" stroke=\"{stroke}\"");
    let (x, y, w, h, right, bottom) = (r.x, r.y, r.w, r.h, r.right(), r.bottom());
    match kind {
        ElementKind::Actor => {
            let _ = writeln!(s, "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" {paint} stroke-width=\"2.2\"/>");
        }
        ElementKind::ExternalEntity => {
            let _ = writeln!(s, "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" {paint} stroke-width=\"1.2\"/>");
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"/>",
                x + 4.0,
                y + 4.0,
                w - 8.0,
                h - 8.0
            );
        }
        ElementKind::Process | ElementKind::SetOfProcesses => {
            let _ = writeln!(
                s,
                "<ellipse cx=\"{:.1}\" cy=\"{:.1}\" rx=\"{:.1}\" ry=\"{:.1}\" {paint} stroke-width=\"1.4\"/>",
                r.cx(),
                r.cy(),
                w / 2.0,
                h / 2.0
            );
            if kind == ElementKind::SetOfProcesses {
                let _ = writeln!(
                    s,
                    "<ellipse cx=\"{:.1}\" cy=\"{:.1}\" rx=\"{:.1}\" ry=\"{:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"/>",
                    r.cx(),
                    r.cy(),
                    w / 2.0 - 5.0,
                    h / 2.0 - 5.0
                );
            }
        }
        ElementKind::Server => {
            let _ = writeln!(s, "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"10\" {paint} stroke-width=\"1.4\"/>");
        }
        ElementKind::Lambda => {
            let p = pts(&[
                (x + 12.0, y),
                (right, y),
                (right - 12.0, bottom),
                (x, bottom),
            ]);
            let _ = writeln!(s, "<polygon points=\"{p}\" {paint} stroke-width=\"1.4\"/>");
        }
        ElementKind::Datastore => {
            let ry = 7.0;
            let _ = writeln!(
                s,
                "<path d=\"M{x:.1},{:.1} A{:.1},{ry} 0 0 1 {right:.1},{:.1} V{:.1} A{:.1},{ry} 0 0 1 {x:.1},{:.1} Z\" {paint} stroke-width=\"1.4\"/>",
                y + ry,
                w / 2.0,
                y + ry,
                bottom - ry,
                w / 2.0,
                bottom - ry
            );
            let _ = writeln!(
                s,
                "<ellipse cx=\"{:.1}\" cy=\"{:.1}\" rx=\"{:.1}\" ry=\"{ry}\" {paint} stroke-width=\"1.4\"/>",
                r.cx(),
                y + ry,
                w / 2.0
            );
        }
        ElementKind::Agent => {
            let c = 12.0;
            let p = pts(&[
                (x + c, y),
                (right - c, y),
                (right, r.cy()),
                (right - c, bottom),
                (x + c, bottom),
                (x, r.cy()),
            ]);
            let _ = writeln!(s, "<polygon points=\"{p}\" {paint} stroke-width=\"1.4\"/>");
        }
        ElementKind::Llm => {
            let c = 12.0;
            let p = pts(&[
                (x + c, y),
                (right - c, y),
                (right, y + c),
                (right, bottom - c),
                (right - c, bottom),
                (x + c, bottom),
                (x, bottom - c),
                (x, y + c),
            ]);
            let _ = writeln!(s, "<polygon points=\"{p}\" {paint} stroke-width=\"1.4\"/>");
        }
    }
}

/// Arrowhead markers, one per stroke colour in use.
struct Markers(Vec<Color>);

impl Markers {
    fn id(&mut self, c: Color) -> usize {
        match self.0.iter().position(|x| *x == c) {
            Some(i) => i,
            None => {
                self.0.push(c);
                self.0.len() - 1
            }
        }
    }

    fn defs(&self) -> String {
        let mut s = String::from("<defs>\n");
        for (i, c) in self.0.iter().enumerate() {
            let _ = writeln!(
                s,
                "<marker id=\"arrow{i}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{c}\"/></marker>"
            );
        }
        s.push_str("</defs>\n");
        s
    }
}

fn edge_path(s: &mut String, e: &EdgePath, color: Color, width: f32, dashed: bool, marker: usize) {
    let dash = if dashed {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let mut d = String::with_capacity(16 * e.points.len());
    for (k, q) in e.points.iter().enumerate() {
        let lead = match k {
            0 => "M",
            k if k % 3 == 1 => " C",
            _ => " ",
        };
        let _ = write!(d, "{lead}{:.1},{:.1}", q.x, q.y);
    }
    let _ = writeln!(
        s,
        "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\"{dash} marker-end=\"url(#arrow{marker})\"/>"
    );
}

fn label_box(s: &mut String, l: &TextBox, size: f32, color: Color) {
    let r = l.rect;
    let _ = writeln!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.88\"/>",
        r.x, r.y, r.w, r.h
    );
    text_lines(
        s,
        &l.lines,
        r.cx(),
        r.y + 2.0,
        Ink::new(size, color, "middle", false),
    );
}

pub fn dfd(d: &Dfd, style: &Style) -> String {
    dfd_with(d, style, None)
}

/// `dfd`, with elements and flows wrapped in the links given.
pub fn dfd_linked(d: &Dfd, style: &Style, links: &Links) -> String {
    dfd_with(d, style, Some(links))
}

fn dfd_with(d: &Dfd, style: &Style, links: Option<&Links>) -> String {
    let mut lay = layout(d, style);
    let heat_on = d.nodes.iter().any(|n| n.heat != Heat::Off);
    let legend_h = if heat_on { 40.0 } else { 0.0 };
    lay.bounds.h += legend_h;
    render_dfd(d, &lay, style, heat_on, links)
}

/// Opens `<a href><title>` for an item with a link; gives whether it did.
fn open_link(s: &mut String, link: Option<&Link>) -> bool {
    let Some(l) = link else { return false };
    let _ = write!(
        s,
        "<a href=\"{}\" class=\"target\"><title>{}</title>",
        xml(&l.href),
        xml(&l.title)
    );
    true
}

fn close_link(s: &mut String, opened: bool) {
    if opened {
        s.push_str("</a>\n");
    }
}

fn render_dfd(
    d: &Dfd,
    lay: &Layout,
    style: &Style,
    heat_on: bool,
    links: Option<&Links>,
) -> String {
    let node_link = |i: usize| links.and_then(|l| l.elements.get(d.nodes[i].element)?.as_ref());
    let edge_link = |i: usize| links.and_then(|l| l.flows.get(d.edges[i].flow)?.as_ref());
    let size = lay.font_size;
    let mut body = String::with_capacity(1024 + d.nodes.len() * 400 + d.edges.len() * 400);
    let mut markers = Markers(Vec::new());

    if let Some(t) = &lay.title {
        text_lines(
            &mut body,
            &t.lines,
            t.rect.x,
            t.rect.y,
            Ink::new(size * 1.3, Color::rgb(0x111827), "start", true),
        );
    }
    // Outer boundaries first, so nested ones are drawn on top of them.
    let mut depth: Vec<(usize, usize)> = (0..d.clusters.len())
        .map(|c| {
            let mut k = 0;
            let mut cur = d.clusters[c].parent;
            while let Some(p) = cur {
                k += 1;
                cur = d.clusters[p].parent;
            }
            (k, c)
        })
        .collect();
    depth.sort_unstable();
    let b = style.boundary;
    for (_, c) in depth {
        let cl = &lay.clusters[c];
        let r = cl.rect;
        let _ = writeln!(
            body,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{}\" fill-opacity=\"0.6\" stroke=\"{}\" stroke-width=\"1.6\" stroke-dasharray=\"8 5\"/>",
            r.x, r.y, r.w, r.h, b.fill, b.stroke
        );
        text_lines(
            &mut body,
            &cl.lines,
            r.x + 10.0,
            r.y + 6.0,
            Ink::new(size, b.text, "start", true),
        );
    }
    for (i, e) in d.edges.iter().enumerate() {
        let (color, width) = match e.heat {
            Heat::Worst(sev) => (style.severity(sev), 2.4),
            _ => (style.flow_stroke, 1.4),
        };
        let m = markers.id(color);
        let a = open_link(&mut body, edge_link(i));
        edge_path(&mut body, &lay.edges[i], color, width, e.response, m);
        close_link(&mut body, a);
    }
    for (i, n) in d.nodes.iter().enumerate() {
        let nb = &lay.nodes[i];
        let paint = style.kind(n.kind);
        let fill = style.fill(n.kind, n.heat);
        let ink = match n.heat {
            Heat::Off => paint.text,
            _ => ink_on(fill, paint.text),
        };
        let a = open_link(&mut body, node_link(i));
        shape(&mut body, n.kind, &nb.rect, fill, paint.stroke);
        let lh = font::line_height(size);
        let text_h = lh * nb.lines.len() as f32;
        let shift = if n.kind == ElementKind::Datastore {
            5.0
        } else {
            0.0
        };
        text_lines(
            &mut body,
            &nb.lines,
            nb.rect.cx(),
            nb.rect.cy() - text_h / 2.0 + shift,
            Ink::new(size, ink, "middle", false),
        );
        close_link(&mut body, a);
    }
    // Labels last, over the lines they name.
    for (i, e) in lay.edges.iter().enumerate() {
        if let Some(l) = &e.label {
            let a = open_link(&mut body, edge_link(i));
            label_box(&mut body, l, size - 1.0, style.flow_text);
            close_link(&mut body, a);
        }
    }
    if heat_on {
        legend(&mut body, lay, style);
    }

    let mut s = String::with_capacity(body.len() + 2048);
    open(&mut s, lay.bounds, style);
    s.push_str(&markers.defs());
    s.push_str(&body);
    s.push_str("</svg>\n");
    s
}

fn legend(s: &mut String, lay: &Layout, style: &Style) {
    let size = lay.font_size - 1.0;
    let y = lay.bounds.bottom() - 32.0;
    let mut x = lay.bounds.x + 20.0;
    let caption = "Worst open finding:".to_string();
    text_lines(
        s,
        std::slice::from_ref(&caption),
        x,
        y,
        Ink::new(size, Color::rgb(0x111827), "start", false),
    );
    x += font::width(&caption, size, false) + 12.0;
    let mut entries: Vec<(String, Color)> = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s.as_str().to_string(), style.severity(*s)))
        .collect();
    entries.push(("none".to_string(), style.clean));
    for (name, color) in entries {
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"{color}\" stroke=\"#374151\"/>",
            y + 1.0
        );
        x += 19.0;
        text_lines(
            s,
            std::slice::from_ref(&name),
            x,
            y,
            Ink::new(size, Color::rgb(0x111827), "start", false),
        );
        x += font::width(&name, size, false) + 16.0;
    }
}

/// A group's title on the one line its header has.
fn group_title(label: &str) -> String {
    label.replace('\n', " ")
}

/// Extra room left of each participant and right of it, so that every trust
/// boundary is at least as wide as its title: a group narrower than its title
/// at its narrowest (lifelines as close as they ever are) is widened evenly at
/// both ends, never cutting the title.
fn group_room(q: &Seq, head_w: &[f32], size: f32) -> (Vec<f32>, Vec<f32>) {
    let mut left = vec![0.0f32; head_w.len()];
    let mut right = vec![0.0f32; head_w.len()];
    for g in &q.groups {
        let (Some(&first), Some(&last)) = (g.participants.first(), g.participants.last()) else {
            continue;
        };
        let Some(members) = head_w.get(first..=last) else {
            continue;
        };
        // The narrowest the group is drawn: boxes, the 24-pixel gaps, 8-pixel borders.
        let narrowest = members.iter().sum::<f32>() + 24.0 * (last - first) as f32 + 16.0;
        let title = font::width(&group_title(&g.label), size, true) + 16.0;
        if title > narrowest {
            let extra = (title - narrowest) / 2.0;
            left[first] = left[first].max(extra);
            right[last] = right[last].max(extra);
        }
    }
    (left, right)
}

/// A sequence diagram: participants across the top, a lifeline under each,
/// messages as horizontal arrows from top to bottom in flow order.
pub fn sequence(q: &Seq, style: &Style) -> String {
    let size = style.font_size;
    let lsize = size - 1.0;
    let lh = font::line_height(size);
    let llh = font::line_height(lsize);
    let margin = 20.0;
    let n = q.participants.len();

    let heads: Vec<Vec<String>> = q
        .participants
        .iter()
        .map(|p| font::wrap(&p.label, size, false, 150.0))
        .collect();
    let head_w: Vec<f32> = heads
        .iter()
        .map(|l| {
            l.iter()
                .map(|x| font::width(x, size, false))
                .fold(0.0, f32::max)
                + 24.0
        })
        .map(|w: f32| w.max(90.0))
        .collect();
    let head_h = heads.iter().map(|l| l.len()).max().unwrap_or(1) as f32 * lh + 18.0;
    let msgs: Vec<Vec<String>> = q
        .messages
        .iter()
        .map(|m| font::wrap(&m.label, lsize, false, 220.0))
        .collect();
    let msg_w: Vec<f32> = msgs
        .iter()
        .map(|l| {
            l.iter()
                .map(|x| font::width(x, lsize, false))
                .fold(0.0, f32::max)
        })
        .collect();

    let (pad_l, pad_r) = group_room(q, &head_w, size);
    // Gaps between neighbouring lifelines, widened until every label fits its span.
    let mut gap: Vec<f32> = (0..n.saturating_sub(1))
        .map(|i| (head_w[i] + head_w[i + 1]) / 2.0 + 24.0 + pad_r[i] + pad_l[i + 1])
        .collect();
    let mut tail = head_w.last().map_or(0.0, |w| w / 2.0) + pad_r.last().copied().unwrap_or(0.0);
    let mut spans: Vec<(usize, usize, f32)> = q
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.from.min(m.to), m.from.max(m.to), msg_w[i]))
        .collect();
    spans.sort_by_key(|a| a.1 - a.0);
    for (a, b, w) in spans {
        if a == b {
            // A message to itself loops out to the right, its label beside the loop.
            let need = w + 50.0;
            if a + 1 < n {
                gap[a] = gap[a].max(need + head_w[a + 1] / 2.0);
            } else {
                tail = tail.max(need);
            }
            continue;
        }
        let have: f32 = gap[a..b].iter().sum();
        let need = w + 24.0;
        if have < need {
            let extra = (need - have) / (b - a) as f32;
            for g in &mut gap[a..b] {
                *g += extra;
            }
        }
    }
    let group_top = if q.groups.is_empty() { 0.0 } else { lh + 10.0 };
    let title_h = if q.title.is_empty() {
        0.0
    } else {
        lh * 1.3 + 14.0
    };
    let head_y = margin + title_h + group_top;
    let mut cx = Vec::with_capacity(n);
    let mut x = margin
        + head_w.first().map_or(0.0, |w| w / 2.0)
        + 8.0
        + pad_l.first().copied().unwrap_or(0.0);
    if n > 0 {
        cx.push(x);
    }
    for g in &gap {
        x += g;
        cx.push(x);
    }
    let mut y = head_y + head_h + 24.0;
    let mut rows = Vec::with_capacity(q.messages.len());
    for (i, m) in q.messages.iter().enumerate() {
        let text_h = msgs[i].len() as f32 * llh;
        let arrow_y = y + text_h + 4.0;
        rows.push((y, arrow_y));
        y = arrow_y + if m.from == m.to { 34.0 } else { 18.0 };
    }
    let bottom = y + 10.0;
    let width = x + tail + margin + 8.0;
    let height = bottom + margin;
    let bounds = Rect {
        x: 0.0,
        y: 0.0,
        w: width,
        h: height,
    };

    let mut s = String::with_capacity(2048 + q.messages.len() * 300);
    open(&mut s, bounds, style);
    let mut markers = Markers(Vec::new());
    let stroke = style.flow_stroke;
    let m0 = markers.id(stroke);
    s.push_str(&markers.defs());
    if !q.title.is_empty() {
        text_lines(
            &mut s,
            std::slice::from_ref(&q.title),
            margin,
            margin,
            Ink::new(size * 1.3, Color::rgb(0x111827), "start", true),
        );
    }
    let b = style.boundary;
    for g in &q.groups {
        let (Some(&first), Some(&last)) = (g.participants.first(), g.participants.last()) else {
            continue;
        };
        let x0 = cx[first] - head_w[first] / 2.0 - 8.0 - pad_l[first];
        let x1 = cx[last] + head_w[last] / 2.0 + 8.0 + pad_r[last];
        let _ = writeln!(
            s,
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{}\" fill-opacity=\"0.6\" stroke=\"{}\" stroke-width=\"1.6\" stroke-dasharray=\"8 5\"/>",
            head_y - group_top,
            x1 - x0,
            bottom - (head_y - group_top),
            b.fill,
            b.stroke
        );
        // One line: `group_room` made the group as wide as its title.
        let label = [group_title(&g.label)];
        text_lines(
            &mut s,
            &label,
            x0 + 8.0,
            head_y - group_top + 4.0,
            Ink::new(size, b.text, "start", true),
        );
    }
    for (i, p) in q.participants.iter().enumerate() {
        let _ = writeln!(
            s,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{bottom:.1}\" stroke=\"#9ca3af\" stroke-width=\"1\" stroke-dasharray=\"4 4\"/>",
            cx[i],
            head_y + head_h,
            cx[i]
        );
        let paint = style.kind(p.kind);
        let r = Rect {
            x: cx[i] - head_w[i] / 2.0,
            y: head_y,
            w: head_w[i],
            h: head_h,
        };
        shape(&mut s, p.kind, &r, paint.fill, paint.stroke);
        let text_h = heads[i].len() as f32 * lh;
        let shift = if p.kind == ElementKind::Datastore {
            5.0
        } else {
            0.0
        };
        text_lines(
            &mut s,
            &heads[i],
            r.cx(),
            r.cy() - text_h / 2.0 + shift,
            Ink::new(size, paint.text, "middle", false),
        );
    }
    for (i, m) in q.messages.iter().enumerate() {
        let (top, ay) = rows[i];
        let dash = if m.response {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        if m.from == m.to {
            let x0 = cx[m.from];
            let _ = writeln!(
                s,
                "<path d=\"M{x0:.1},{ay:.1} H{:.1} V{:.1} H{:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.4\"{dash} marker-end=\"url(#arrow{m0})\"/>",
                x0 + 30.0,
                ay + 16.0,
                x0 + 2.0
            );
            text_lines(
                &mut s,
                &msgs[i],
                x0 + 38.0,
                top + 2.0 + 8.0,
                Ink::new(lsize, style.flow_text, "start", false),
            );
            continue;
        }
        let (x0, x1) = (cx[m.from], cx[m.to]);
        let end = if x1 > x0 { x1 - 2.0 } else { x1 + 2.0 };
        let _ = writeln!(
            s,
            "<line x1=\"{x0:.1}\" y1=\"{ay:.1}\" x2=\"{end:.1}\" y2=\"{ay:.1}\" stroke=\"{stroke}\" stroke-width=\"1.4\"{dash} marker-end=\"url(#arrow{m0})\"/>"
        );
        // A white plate under the label keeps lifelines from striking through it.
        let plate = TextBox {
            rect: Rect {
                x: (x0 + x1) / 2.0 - msg_w[i] / 2.0 - 4.0,
                y: top - 2.0,
                w: msg_w[i] + 8.0,
                h: msgs[i].len() as f32 * llh + 2.0,
            },
            lines: msgs[i].clone(),
        };
        label_box(&mut s, &plate, lsize, style.flow_text);
    }
    s.push_str("</svg>\n");
    s
}
