//! Where things are drawn, for formats that tie elements to boundaries only
//! by the drawing (Threat Dragon, the Threat Modeling Tool).

use tms_model::{BoundaryIdx, ElementIdx, Model};

/// A rectangle in diagram coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    pub fn contains(self, (px, py): (f64, f64)) -> bool {
        px >= self.x && px <= self.x + self.w && py >= self.y && py <= self.y + self.h
    }

    pub fn area(self) -> f64 {
        self.w * self.h
    }

    /// Distance from a point outside to the rectangle (0 inside).
    pub fn distance(self, (px, py): (f64, f64)) -> f64 {
        let dx = (self.x - px).max(0.0).max(px - (self.x + self.w));
        let dy = (self.y - py).max(0.0).max(py - (self.y + self.h));
        (dx * dx + dy * dy).sqrt()
    }
}

/// Each element goes in the smallest box around its centre; each box in the
/// smallest larger box around its own centre.
pub(crate) fn place_in_boxes(
    model: &mut Model,
    placed: impl Iterator<Item = (ElementIdx, Rect)>,
    boxes: &[(BoundaryIdx, Rect)],
) {
    let smallest = |p: (f64, f64), skip: Option<BoundaryIdx>, min_area: f64| {
        boxes
            .iter()
            .filter(|(b, r)| Some(*b) != skip && r.area() > min_area && r.contains(p))
            .min_by(|(_, a), (_, b)| a.area().total_cmp(&b.area()))
            .map(|(b, _)| *b)
    };
    for (e, r) in placed {
        model.elements[e].boundary = smallest(r.center(), None, 0.0);
    }
    for (b, r) in boxes {
        model.boundaries[*b].parent = smallest(r.center(), Some(*b), r.area());
    }
}

pub(crate) fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    };
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0) && d1 != 0.0 && d2 != 0.0
}

pub(crate) fn separated(a: (f64, f64), b: (f64, f64), lines: &[Vec<(f64, f64)>]) -> bool {
    lines
        .iter()
        .any(|l| l.windows(2).any(|s| segments_cross(a, b, s[0], s[1])))
}

/// The groups of points that no line separates, directly or through other
/// points (zones of a diagram whose boundaries are drawn as lines): indices
/// into `pts` in order; a point without a position is in none.
pub(crate) fn zones(pts: &[Option<(f64, f64)>], lines: &[Vec<(f64, f64)>]) -> Vec<Vec<usize>> {
    let n = pts.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for i in 0..n {
        for j in i + 1..n {
            if let (Some(a), Some(b)) = (pts[i], pts[j]) {
                if !separated(a, b, lines) {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    parent[ri.max(rj)] = ri.min(rj);
                }
            }
        }
    }
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, p) in pts.iter().enumerate() {
        if p.is_none() {
            continue;
        }
        let r = find(&mut parent, i);
        match groups.iter_mut().find(|(root, _)| *root == r) {
            Some((_, members)) => members.push(i),
            None => groups.push((r, vec![i])),
        }
    }
    groups.into_iter().map(|(_, m)| m).collect()
}
