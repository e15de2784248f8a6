//! How readable a drawn DFD is, measured on its geometry: flows through
//! elements, labels over labels or elements, and flows crossing each other.
//!
//! The counters take plain boxes and polylines, so a layout of ours
//! ([`Drawing::from_layout`]) and one from another engine (Graphviz's, read by
//! the tests) are measured the same way.

use super::font;
use super::layout::{Layout, Rect, P};
use super::Dfd;

/// Points per curve segment when curves are flattened to polylines.
const STEPS: usize = 24;
/// Boxes are shrunk by this much before a flow is tested against them, so a
/// flow that only grazes an outline's antialiased edge is not counted.
const GRAZE: f32 = 2.0;
/// A crossing this close to an end element of either flow is where flows
/// meet at their element, not a crossing.
const NEAR_END: f32 = 6.0;

/// A flow drawn as a polyline between two elements (indices into `nodes`).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub from: usize,
    pub to: usize,
    pub points: Vec<P>,
}

/// What a picture shows, reduced to what the counters need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drawing {
    pub nodes: Vec<Rect>,
    pub lines: Vec<Line>,
    /// Flow labels and boundary titles.
    pub labels: Vec<Rect>,
}

/// The counts for one picture; zero everywhere is the goal, except crossings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// (flow, element) pairs where the flow runs through an element other than its ends.
    pub edge_node: usize,
    pub label_label: usize,
    pub label_node: usize,
    /// Points where two flows cross, away from their end elements.
    pub crossings: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "flow through element {}, label over label {}, label over element {}, crossings {}",
            self.edge_node, self.label_label, self.label_node, self.crossings
        )
    }
}

/// Points along a cubic Bézier curve, both ends included.
pub fn flatten_cubic(a: P, b: P, c: P, d: P, out: &mut Vec<P>) {
    for k in 0..=STEPS {
        let t = k as f32 / STEPS as f32;
        let u = 1.0 - t;
        let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        let q = P {
            x: w0 * a.x + w1 * b.x + w2 * c.x + w3 * d.x,
            y: w0 * a.y + w1 * b.y + w2 * c.y + w3 * d.y,
        };
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
}

/// A piecewise cubic Bézier (start, then three points per piece) as a polyline.
pub fn flatten_spline(points: &[P]) -> Vec<P> {
    let mut out = Vec::new();
    let Some(&first) = points.first() else {
        return out;
    };
    out.push(first);
    let mut start = first;
    for piece in points[1..].chunks_exact(3) {
        flatten_cubic(start, piece[0], piece[1], piece[2], &mut out);
        start = piece[2];
    }
    out
}

impl Drawing {
    /// The drawing of our own layout of `d`.
    pub fn from_layout(d: &Dfd, lay: &Layout) -> Drawing {
        let nodes = lay.nodes.iter().map(|n| n.rect).collect();
        let lines = d
            .edges
            .iter()
            .zip(&lay.edges)
            .map(|(e, path)| Line {
                from: e.from,
                to: e.to,
                points: flatten_spline(&path.points),
            })
            .collect();
        let mut labels: Vec<Rect> = lay
            .edges
            .iter()
            .filter_map(|e| e.label.as_ref().map(|l| l.rect))
            .collect();
        labels.extend(lay.clusters.iter().map(|c| cluster_title(c, lay.font_size)));
        Drawing {
            nodes,
            lines,
            labels,
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            edge_node: self.edge_node(),
            label_label: self.label_label(),
            label_node: self.label_node(),
            crossings: self.crossings(),
        }
    }

    fn edge_node(&self) -> usize {
        let mut n = 0;
        for l in &self.lines {
            for (i, r) in self.nodes.iter().enumerate() {
                if i != l.from && i != l.to && polyline_enters(&l.points, &shrink(r, GRAZE)) {
                    n += 1;
                }
            }
        }
        n
    }

    fn label_label(&self) -> usize {
        let mut n = 0;
        for (i, a) in self.labels.iter().enumerate() {
            n += self.labels[i + 1..]
                .iter()
                .filter(|b| overlap(a, b, 1.0))
                .count();
        }
        n
    }

    fn label_node(&self) -> usize {
        self.labels
            .iter()
            .map(|l| self.nodes.iter().filter(|r| overlap(l, r, 1.0)).count())
            .sum()
    }

    /// Only the crossings, for comparing layouts of one picture.
    pub fn crossings(&self) -> usize {
        let mut n = 0;
        for (i, a) in self.lines.iter().enumerate() {
            for b in &self.lines[i + 1..] {
                n += line_crossings(a, b, &self.nodes);
            }
        }
        n
    }
}

/// Points where two flows cross, away from the end elements of either.
pub fn line_crossings(a: &Line, b: &Line, nodes: &[Rect]) -> usize {
    let points = crossing_points(&a.points, &b.points);
    if points.is_empty() {
        return 0;
    }
    let ends: Vec<Rect> = [a.from, a.to, b.from, b.to]
        .iter()
        .filter_map(|k| nodes.get(*k))
        .map(|r| grow(r, NEAR_END))
        .collect();
    points
        .iter()
        .filter(|q| !ends.iter().any(|r| contains(r, **q)))
        .count()
}

/// Where a boundary's title text is drawn (see `svg::render_dfd`).
fn cluster_title(c: &super::layout::TextBox, size: f32) -> Rect {
    let w = c
        .lines
        .iter()
        .map(|l| font::width(l, size, true))
        .fold(0.0, f32::max);
    Rect {
        x: c.rect.x + 10.0,
        y: c.rect.y + 6.0,
        w,
        h: c.lines.len() as f32 * font::line_height(size),
    }
}

fn shrink(r: &Rect, by: f32) -> Rect {
    grow(r, -by)
}

fn grow(r: &Rect, by: f32) -> Rect {
    Rect {
        x: r.x - by,
        y: r.y - by,
        w: (r.w + 2.0 * by).max(0.0),
        h: (r.h + 2.0 * by).max(0.0),
    }
}

fn contains(r: &Rect, q: P) -> bool {
    q.x > r.x && q.x < r.right() && q.y > r.y && q.y < r.bottom()
}

/// Whether two boxes share more than `slack` in both directions.
fn overlap(a: &Rect, b: &Rect, slack: f32) -> bool {
    a.x + slack < b.right()
        && b.x + slack < a.right()
        && a.y + slack < b.bottom()
        && b.y + slack < a.bottom()
}

/// Whether any segment of the polyline has a point inside the box.
pub fn polyline_enters(points: &[P], r: &Rect) -> bool {
    if r.w <= 0.0 || r.h <= 0.0 {
        return false;
    }
    points.iter().any(|q| contains(r, *q))
        || points.windows(2).any(|s| segment_enters(s[0], s[1], r))
}

/// Liang–Barsky clipping: whether the segment passes through the box's inside.
fn segment_enters(a: P, b: P, r: &Rect) -> bool {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let mut t0 = 0.0f32;
    let mut t1 = 1.0f32;
    for (p, q) in [
        (-dx, a.x - r.x),
        (dx, r.right() - a.x),
        (-dy, a.y - r.y),
        (dy, r.bottom() - a.y),
    ] {
        if p.abs() < 1e-9 {
            if q <= 0.0 {
                return false;
            }
            continue;
        }
        let t = q / p;
        if p < 0.0 {
            t0 = t0.max(t);
        } else {
            t1 = t1.min(t);
        }
        if t0 >= t1 {
            return false;
        }
    }
    true
}

/// The points where two polylines properly cross.
pub fn crossing_points(a: &[P], b: &[P]) -> Vec<P> {
    let mut out: Vec<P> = Vec::new();
    let (Some(ba), Some(bb)) = (bbox(a), bbox(b)) else {
        return out;
    };
    if !overlap(&ba, &bb, -0.5) {
        return out;
    }
    for s in a.windows(2) {
        for t in b.windows(2) {
            if let Some(q) = segment_cross(s[0], s[1], t[0], t[1]) {
                // A crossing exactly on a shared vertex is found by both segments meeting there.
                if !out
                    .iter()
                    .any(|o| (o.x - q.x).abs() < 0.5 && (o.y - q.y).abs() < 0.5)
                {
                    out.push(q);
                }
            }
        }
    }
    out
}

fn bbox(points: &[P]) -> Option<Rect> {
    let first = points.first()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.x, first.y);
    for q in points {
        x0 = x0.min(q.x);
        y0 = y0.min(q.y);
        x1 = x1.max(q.x);
        y1 = y1.max(q.y);
    }
    Some(Rect {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    })
}

/// Where segments `ab` and `cd` cross, if they do away from their ends.
fn segment_cross(a: P, b: P, c: P, d: P) -> Option<P> {
    let r = (b.x - a.x, b.y - a.y);
    let s = (d.x - c.x, d.y - c.y);
    let den = r.0 * s.1 - r.1 * s.0;
    if den.abs() < 1e-9 {
        return None; // parallel or collinear: running alongside is not crossing
    }
    let (qx, qy) = (c.x - a.x, c.y - a.y);
    let t = (qx * s.1 - qy * s.0) / den;
    let u = (qx * r.1 - qy * r.0) / den;
    let inside = |v: f32| (0.0..1.0).contains(&v);
    (inside(t) && inside(u)).then_some(P {
        x: a.x + t * r.0,
        y: a.y + t * r.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }

    fn pt(x: f32, y: f32) -> P {
        P { x, y }
    }

    fn line(from: usize, to: usize, points: &[(f32, f32)]) -> Line {
        Line {
            from,
            to,
            points: points.iter().map(|(x, y)| pt(*x, *y)).collect(),
        }
    }

    #[test]
    fn a_flow_through_a_third_element_is_counted_once() {
        // A -> C straight through B; a second flow passes under B.
        let d = Drawing {
            nodes: vec![
                rect(0.0, 0.0, 20.0, 20.0),
                rect(50.0, 0.0, 20.0, 20.0),
                rect(100.0, 0.0, 20.0, 20.0),
            ],
            lines: vec![
                line(0, 2, &[(20.0, 10.0), (100.0, 10.0)]),
                line(0, 2, &[(10.0, 20.0), (60.0, 40.0), (110.0, 20.0)]),
            ],
            labels: vec![],
        };
        assert_eq!(d.counts().edge_node, 1);
        // Its own ends never count, nor does grazing an outline.
        let d = Drawing {
            lines: vec![line(0, 1, &[(10.0, 10.0), (60.0, 10.0)])],
            nodes: vec![rect(0.0, 0.0, 20.0, 20.0), rect(50.0, 0.0, 20.0, 20.0)],
            labels: vec![],
        };
        assert_eq!(d.counts().edge_node, 0);
        assert!(!polyline_enters(
            &[pt(0.0, 0.0), pt(100.0, 0.0)],
            &shrink(&rect(40.0, 0.0, 10.0, 10.0), GRAZE)
        ));
    }

    #[test]
    fn a_segment_crossing_a_box_corner_enters_it_without_a_vertex_inside() {
        let r = rect(10.0, 10.0, 10.0, 10.0);
        assert!(!polyline_enters(&[pt(5.0, 12.0), pt(13.0, 4.0)], &r));
        assert!(polyline_enters(&[pt(5.0, 20.0), pt(20.0, 5.0)], &r));
        assert!(polyline_enters(&[pt(15.0, 0.0), pt(15.0, 30.0)], &r));
    }

    #[test]
    fn labels_over_labels_and_elements_are_counted() {
        let d = Drawing {
            nodes: vec![rect(0.0, 0.0, 50.0, 30.0)],
            lines: vec![],
            labels: vec![
                rect(40.0, 20.0, 30.0, 10.0), // on the element
                rect(60.0, 25.0, 30.0, 10.0), // on the first label
                rect(200.0, 0.0, 30.0, 10.0), // alone
                rect(230.5, 0.0, 30.0, 10.0), // touching is not overlapping
            ],
        };
        let c = d.counts();
        assert_eq!((c.label_node, c.label_label), (1, 1));
    }

    #[test]
    fn crossings_are_counted_away_from_shared_ends() {
        let nodes = vec![
            rect(0.0, 0.0, 10.0, 10.0),
            rect(100.0, 100.0, 10.0, 10.0),
            rect(0.0, 100.0, 10.0, 10.0),
            rect(100.0, 0.0, 10.0, 10.0),
        ];
        // The two diagonals of a square cross once in the middle.
        let x = Drawing {
            nodes: nodes.clone(),
            lines: vec![
                line(0, 1, &[(10.0, 10.0), (100.0, 100.0)]),
                line(2, 3, &[(10.0, 100.0), (100.0, 10.0)]),
            ],
            labels: vec![],
        };
        assert_eq!(x.counts().crossings, 1);
        // Two flows fanning out of one element meet only at it.
        let fan = Drawing {
            nodes,
            lines: vec![
                line(0, 1, &[(5.0, 5.0), (100.0, 100.0)]),
                line(0, 3, &[(5.0, 5.0), (100.0, 5.0)]),
            ],
            labels: vec![],
        };
        assert_eq!(fan.counts().crossings, 0);
        // Parallel flows never cross; a curve crossing a line twice counts twice.
        assert!(
            crossing_points(&[pt(0.0, 0.0), pt(9.0, 0.0)], &[pt(0.0, 1.0), pt(9.0, 1.0)])
                .is_empty()
        );
        let mut wave = Vec::new();
        flatten_cubic(
            pt(0.0, 0.0),
            pt(30.0, 60.0),
            pt(60.0, -60.0),
            pt(90.0, 0.0),
            &mut wave,
        );
        // The wave rises through y = 5 and falls back through it.
        assert_eq!(
            crossing_points(&wave, &[pt(-1.0, 5.0), pt(91.0, 5.0)]).len(),
            2
        );
        assert_eq!(
            crossing_points(&wave, &[pt(10.0, -30.0), pt(10.0, 30.0)]).len(),
            1
        );
    }

    #[test]
    fn splines_flatten_through_their_pieces() {
        let s = flatten_spline(&[
            pt(0.0, 0.0),
            pt(0.0, 0.0),
            pt(10.0, 0.0),
            pt(10.0, 0.0),
            pt(10.0, 0.0),
            pt(20.0, 0.0),
            pt(20.0, 0.0),
        ]);
        assert_eq!(s.first(), Some(&pt(0.0, 0.0)));
        assert_eq!(s.last(), Some(&pt(20.0, 0.0)));
        assert!(s.windows(2).all(|w| w[0].x <= w[1].x));
    }
}
