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
