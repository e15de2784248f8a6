//! Detours for flows that no single curve carries past the elements between
//! their ends: the shortest path on a grid laid over the picture, around the
//! element boxes (grown by a clearance), pulled straight wherever nothing is in
//! the way, with its corners rounded.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::layout::{EdgePath, Rect, P};
use super::quality::polyline_enters;

/// A grid cell no element covers.
const FREE: u32 = 0;
/// A cell two or more elements cover: never passable.
const SHARED: u32 = u32::MAX;
/// The most cells a grid has; larger pictures get coarser cells.
const MAX_CELLS: f32 = 150_000.0;
/// How far a corner is rounded, at most.
const RADIUS: f32 = 14.0;
/// The most cells all the searches of one picture settle together: detours
/// are for the few flows no curve carries, and a crowded picture must not
/// turn them into minutes of searching.
const BUDGET: usize = 200_000;

pub(crate) struct Grid {
    x0: f32,
    y0: f32,
    cell: f32,
    w: usize,
    h: usize,
    /// Per cell: `FREE`, `SHARED`, or 1 + the index of the one element covering it.
    owner: Vec<u32>,
    /// The element boxes, grown by the clearance.
    boxes: Vec<Rect>,
    /// Cells the searches may still settle.
    budget: usize,
    /// Per cell, the search that last wrote `cost` and `came` (so that no
    /// search clears the whole grid), its cost, and where it was reached from.
    stamp: Vec<u32>,
    cost: Vec<u32>,
    came: Vec<usize>,
    search_id: u32,
}

impl Grid {
    pub(crate) fn new(nodes: &[Rect], clearance: f32) -> Grid {
        let boxes: Vec<Rect> = nodes.iter().map(|r| grow(r, clearance)).collect();
        let margin = 80.0;
        let (mut x0, mut y0, mut x1, mut y1) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for r in &boxes {
            x0 = x0.min(r.x);
            y0 = y0.min(r.y);
            x1 = x1.max(r.right());
            y1 = y1.max(r.bottom());
        }
        let (x0, y0) = (x0 - margin, y0 - margin);
        let (span_x, span_y) = (x1 + margin - x0, y1 + margin - y0);
        let cell = 8.0f32.max((span_x * span_y / MAX_CELLS).sqrt());
        let w = (span_x / cell).ceil() as usize + 1;
        let h = (span_y / cell).ceil() as usize + 1;
        let mut grid = Grid {
            x0,
            y0,
            cell,
            w,
            h,
            owner: vec![FREE; w * h],
            boxes,
            budget: BUDGET,
            stamp: vec![0; w * h],
            cost: vec![0; w * h],
            came: vec![0; w * h],
            search_id: 0,
        };
        for i in 0..grid.boxes.len() {
            grid.mark(i);
        }
        grid
    }

    fn mark(&mut self, i: usize) {
        let r = self.boxes[i];
        let (cx0, cy0) = self.cell_of(P { x: r.x, y: r.y });
        let (cx1, cy1) = self.cell_of(P {
            x: r.right(),
            y: r.bottom(),
        });
        let tag = i as u32 + 1;
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                let slot = &mut self.owner[cy * self.w + cx];
                *slot = if *slot == FREE || *slot == tag {
                    tag
                } else {
                    SHARED
                };
            }
        }
    }

    fn cell_of(&self, q: P) -> (usize, usize) {
        let cx = ((q.x - self.x0) / self.cell).floor().max(0.0) as usize;
        let cy = ((q.y - self.y0) / self.cell).floor().max(0.0) as usize;
        (cx.min(self.w - 1), cy.min(self.h - 1))
    }

    fn centre(&self, c: usize) -> P {
        P {
            x: self.x0 + ((c % self.w) as f32 + 0.5) * self.cell,
            y: self.y0 + ((c / self.w) as f32 + 0.5) * self.cell,
        }
    }

    /// A path from `start` to `end`, each a point on an element's outline and
    /// the direction leaving it, around every element but `ends`.
    pub(crate) fn route(
        &mut self,
        start: (P, P),
        end: (P, P),
        ends: (usize, usize),
    ) -> Option<EdgePath> {
        let step = self.cell * 1.5 + RADIUS;
        let out = |(q, n): (P, P)| P {
            x: q.x + n.x * step,
            y: q.y + n.y * step,
        };
        let (a, b) = (out(start), out(end));
        let (ca, cb) = (self.cell_of(a), self.cell_of(b));
        let cells = self.search(ca.1 * self.w + ca.0, cb.1 * self.w + cb.0)?;
        let mut line = vec![start.0, a];
        // Cell centres strictly between the two cells the ends stand out to.
        line.extend(
            cells
                .iter()
                .skip(1)
                .take(cells.len().saturating_sub(2))
                .map(|c| self.centre(*c)),
        );
        line.push(b);
        line.push(end.0);
        let line = self.pull(&line, ends);
        Some(rounded(&line))
    }

    /// A* over the cells from `from` to `to`, moving in eight directions
    /// without cutting a blocked cell's corner. Each cell is settled once, so
    /// the search ends within the grid's size.
    fn search(&mut self, from: usize, to: usize) -> Option<Vec<usize>> {
        // Stamps start at 0, so the first search is 1; a wrapped counter would
        // take four billion searches, far past the budget.
        self.search_id = self.search_id.checked_add(1)?;
        let id = self.search_id;
        let w = self.w;
        let mut open = BinaryHeap::new();
        let guess = |c: usize| -> u32 {
            let (dx, dy) = (
                (c % w).abs_diff(to % w) as u32,
                (c / w).abs_diff(to / w) as u32,
            );
            10 * dx.max(dy) + 4 * dx.min(dy)
        };
        self.stamp[from] = id;
        self.cost[from] = 0;
        self.came[from] = from;
        open.push(Reverse((guess(from), 0u32, from)));
        while let Some(Reverse((_, g, c))) = open.pop() {
            if g > self.cost[c] {
                continue; // settled already, more cheaply
            }
            if self.budget == 0 {
                return None;
            }
            self.budget -= 1;
            if c == to {
                return Some(self.walk_back(from, to));
            }
            let (x, y) = ((c % w) as i64, (c / w) as i64);
            for (dx, dy) in [
                (1, 0),
                (-1, 0),
                (0, 1),
                (0, -1),
                (1, 1),
                (1, -1),
                (-1, 1),
                (-1, -1),
            ] {
                let Some(next) = self.index(x + dx, y + dy) else {
                    continue;
                };
                if !self.open(next, from, to) {
                    continue;
                }
                let diagonal = dx != 0 && dy != 0;
                if diagonal {
                    let side_a = self.index(x + dx, y);
                    let side_b = self.index(x, y + dy);
                    let clear = |s: Option<usize>| s.is_some_and(|s| self.open(s, from, to));
                    if !clear(side_a) || !clear(side_b) {
                        continue;
                    }
                }
                let ng = g + if diagonal { 14 } else { 10 };
                if self.stamp[next] != id || ng < self.cost[next] {
                    self.stamp[next] = id;
                    self.cost[next] = ng;
                    self.came[next] = c;
                    open.push(Reverse((ng + guess(next), ng, next)));
                }
            }
        }
        None
    }

    /// The cells from `from` to `to` of the last search, which reached `to`.
    fn walk_back(&self, from: usize, to: usize) -> Vec<usize> {
        let mut path = vec![to];
        let mut cur = to;
        // Each step goes to a cell settled earlier, so at most every cell once.
        while cur != from && path.len() <= self.w * self.h {
            cur = self.came[cur];
            path.push(cur);
        }
        path.reverse();
        path
    }

    fn index(&self, x: i64, y: i64) -> Option<usize> {
        (x >= 0 && y >= 0 && (x as usize) < self.w && (y as usize) < self.h)
            .then(|| y as usize * self.w + x as usize)
    }

    /// Whether a path may pass the cell; its own two end cells always may.
    fn open(&self, c: usize, from: usize, to: usize) -> bool {
        c == from || c == to || self.owner[c] == FREE
    }

    /// Drops every corner that a straight line can skip without entering an
    /// element other than `ends` (the elements' boxes, grown by the clearance).
    fn pull(&self, line: &[P], ends: (usize, usize)) -> Vec<P> {
        let clear = |a: P, b: P| {
            self.boxes
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != ends.0 && *i != ends.1)
                .all(|(_, r)| !polyline_enters(&[a, b], r))
        };
        let mut out = vec![line[0]];
        let mut i = 0;
        while i + 1 < line.len() {
            // The first two and last two points stay: the flow leaves and enters
            // its elements square to their sides.
            let mut j = i + 1;
            if i >= 1 {
                while j + 1 < line.len() - 1 && clear(line[i], line[j + 1]) {
                    j += 1;
                }
            }
            out.push(line[j]);
            i = j;
        }
        out
    }
}

fn grow(r: &Rect, by: f32) -> Rect {
    Rect {
        x: r.x - by,
        y: r.y - by,
        w: r.w + 2.0 * by,
        h: r.h + 2.0 * by,
    }
}

fn lerp(a: P, b: P, t: f32) -> P {
    P {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
    }
}

fn dist(a: P, b: P) -> f32 {
    ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt()
}

/// A polyline as cubic pieces: straight runs, and each corner cut by an arc
/// of up to `RADIUS` inside the corner.
fn rounded(line: &[P]) -> EdgePath {
    let mut points = Vec::with_capacity(line.len() * 6);
    let Some(&first) = line.first() else {
        return EdgePath {
            points,
            label: None,
        };
    };
    points.push(first);
    let mut at = first;
    let straight = |points: &mut Vec<P>, a: P, b: P| {
        points.extend([lerp(a, b, 1.0 / 3.0), lerp(a, b, 2.0 / 3.0), b]);
    };
    for k in 1..line.len().saturating_sub(1) {
        let (prev, v, next) = (line[k - 1], line[k], line[k + 1]);
        let r = RADIUS.min(dist(prev, v) / 2.0).min(dist(v, next) / 2.0);
        let (d_in, d_out) = (dist(prev, v), dist(v, next));
        if d_in < 1e-3 || d_out < 1e-3 {
            continue;
        }
        let enter = lerp(v, prev, r / d_in);
        let leave = lerp(v, next, r / d_out);
        straight(&mut points, at, enter);
        points.extend([lerp(enter, v, 0.55), lerp(leave, v, 0.55), leave]);
        at = leave;
    }
    if let Some(&last) = line.last() {
        if line.len() > 1 {
            straight(&mut points, at, last);
        }
    }
    EdgePath {
        points,
        label: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::flatten_spline;

    #[test]
    fn a_detour_goes_around_the_element_in_the_way() {
        let nodes = [
            Rect {
                x: 0.0,
                y: 0.0,
                w: 40.0,
                h: 40.0,
            },
            Rect {
                x: 100.0,
                y: -20.0,
                w: 40.0,
                h: 80.0,
            },
            Rect {
                x: 200.0,
                y: 0.0,
                w: 40.0,
                h: 40.0,
            },
        ];
        let mut grid = Grid::new(&nodes, 6.0);
        let right = P { x: 1.0, y: 0.0 };
        let left = P { x: -1.0, y: 0.0 };
        let path = grid
            .route(
                (P { x: 40.0, y: 20.0 }, right),
                (P { x: 200.0, y: 20.0 }, left),
                (0, 2),
            )
            .expect("a way round");
        let line = flatten_spline(&path.points);
        assert!(!polyline_enters(&line, &nodes[1]), "{line:?}");
        assert_eq!(line.first(), Some(&P { x: 40.0, y: 20.0 }));
        assert_eq!(line.last(), Some(&P { x: 200.0, y: 20.0 }));
    }
}
