//! A layered layout for DFDs with nested trust boundaries, written for this
//! one job rather than borrowed: general graph-layout crates either ignore
//! clusters or measure text with whatever fonts the machine has, and we want
//! boundaries drawn as boxes and the same picture on every machine.
//!
//! Each boundary is laid out on its own, innermost first, as a block: its
//! elements and nested boundaries are put in columns (rows when drawing top to
//! bottom) by how data flows between them, so flows mostly run one way. The
//! column of an item starts from its place in the whole model's flow order
//! (its longest path from a source), then moves right of every item that sends
//! it data; within a column, items are ordered by the mean position of their
//! neighbours (the barycentre heuristic) to reduce crossings. A boundary's box
//! is its columns plus padding and a title, and it is then placed as one item
//! in its parent. Flows are drawn as curves between the sides of the boxes that
//! face each other, parallel flows (a request and its response) side by side;
//! flow labels go at the first free place along their curve.

use super::detour;
use super::font;
use super::quality::Line;
use super::style::{Direction, Style};
use super::Dfd;
use tms_model::ElementKind;
use tms_syntax::fxhash::FxHashMap;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct P {
    pub x: f32,
    pub y: f32,
}

const fn p(x: f32, y: f32) -> P {
    P { x, y }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn cx(&self) -> f32 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f32 {
        self.y + self.h / 2.0
    }
    pub fn right(&self) -> f32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    fn centered(c: P, w: f32, h: f32) -> Rect {
        Rect {
            x: c.x - w / 2.0,
            y: c.y - h / 2.0,
            w,
            h,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    pub rect: Rect,
    pub lines: Vec<String>,
}

/// A flow drawn as a chain of cubic Bézier pieces.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgePath {
    /// The start, then each piece's two control points and its end.
    pub points: Vec<P>,
    pub label: Option<TextBox>,
}

impl EdgePath {
    fn cubic(from: P, c1: P, c2: P, to: P) -> EdgePath {
        EdgePath {
            points: vec![from, c1, c2, to],
            label: None,
        }
    }

    /// The point at `t` (0..1) along the chain, each piece an equal share.
    fn at(&self, t: f32) -> P {
        let pieces = (self.points.len().saturating_sub(1) / 3).max(1);
        let scaled = t.clamp(0.0, 1.0) * pieces as f32;
        let k = (scaled.floor() as usize).min(pieces - 1);
        let q = &self.points[(3 * k).min(self.points.len().saturating_sub(4))..];
        if q.len() < 4 {
            return self.points.first().copied().unwrap_or_default();
        }
        bezier(q[0], q[1], q[2], q[3], scaled - k as f32)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Everything drawn lies inside this box.
    pub bounds: Rect,
    pub title: Option<TextBox>,
    pub nodes: Vec<TextBox>,
    /// A cluster's title sits in its box's top-left corner.
    pub clusters: Vec<TextBox>,
    pub edges: Vec<EdgePath>,
    pub font_size: f32,
}

/// Sizes, all scaled by the font size so a larger font spreads the drawing.
struct Metrics {
    size: f32,
    label_size: f32,
    node_text_max: f32,
    label_text_max: f32,
    pad: f32,
    item_gap: f32,
    col_gap: f32,
    title_h: f32,
}

impl Metrics {
    fn new(style: &Style) -> Metrics {
        let s = style.font_size / 12.0;
        Metrics {
            size: style.font_size,
            label_size: style.font_size - 1.0,
            node_text_max: 150.0 * s,
            label_text_max: 140.0 * s,
            pad: 18.0 * s,
            item_gap: 30.0 * s,
            col_gap: 60.0 * s,
            title_h: font::line_height(style.font_size) + 10.0 * s,
        }
    }
}

fn text_size(lines: &[String], size: f32, bold: bool) -> (f32, f32) {
    let w = lines
        .iter()
        .map(|l| font::width(l, size, bold))
        .fold(0.0, f32::max);
    (w, lines.len() as f32 * font::line_height(size))
}

/// The box around a label of `(w, h)` for each kind's outline.
fn node_size_of(kind: ElementKind, tw: f32, th: f32, m: &Metrics) -> (f32, f32) {
    let s = m.size / 12.0;
    let (w, h) = match kind {
        ElementKind::Process | ElementKind::SetOfProcesses => {
            // An ellipse through the corners of the text box, a little flattened.
            (tw * 1.3 + 24.0 * s, th * 1.4 + 18.0 * s)
        }
        ElementKind::Datastore => (tw + 28.0 * s, th + 34.0 * s),
        ElementKind::Lambda | ElementKind::Agent | ElementKind::Llm => {
            (tw + 48.0 * s, th + 22.0 * s)
        }
        _ => (tw + 28.0 * s, th + 22.0 * s),
    };
    (w.max(90.0 * s), h.max(42.0 * s))
}

/// The edges of `out` without those that close a cycle; iterative, because a
/// model may chain thousands of elements.
fn acyclic(n: usize, out: &[Vec<usize>]) -> Vec<Vec<usize>> {
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut kept: Vec<Vec<usize>> = vec![Vec::new(); n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if *i < out[v].len() {
                let w = out[v][*i];
                *i += 1;
                match state[w] {
                    0 => {
                        kept[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    2 => kept[v].push(w),
                    _ => {} // back edge: it would close a cycle
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    kept
}

/// Longest-path ranks over an acyclic graph, each at least its lower bound.
fn longest_path(n: usize, out: &[Vec<usize>], lower: &[usize]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    for list in out {
        for &w in list {
            indeg[w] += 1;
        }
    }
    let mut rank = lower.to_vec();
    let mut queue: Vec<usize> = (0..n).filter(|v| indeg[*v] == 0).collect();
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &w in &out[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    rank
}

/// Replaces values by their position among the distinct values.
fn dense(ranks: &[usize]) -> Vec<usize> {
    let mut distinct: Vec<usize> = ranks.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    ranks
        .iter()
        .map(|r| distinct.binary_search(r).unwrap_or(0))
        .collect()
}

/// Moves elements that send more flows than they receive right, next to the
/// nearest element they send to, as a network-simplex ranking would: an
/// administrator who only talks to a back office should stand beside it, not
/// at the far left with the customers. Successors are settled first (reverse
/// topological order), and no flow ever points backwards afterwards.
fn balance(n: usize, out: &[Vec<usize>], rank: &mut [usize]) {
    let mut indeg = vec![0usize; n];
    for list in out {
        for &w in list {
            indeg[w] += 1;
        }
    }
    let mut left = indeg.clone();
    let mut topo: Vec<usize> = (0..n).filter(|v| indeg[*v] == 0).collect();
    let mut head = 0;
    while head < topo.len() {
        let v = topo[head];
        head += 1;
        for &w in &out[v] {
            left[w] -= 1;
            if left[w] == 0 {
                topo.push(w);
            }
        }
    }
    for &v in topo.iter().rev() {
        if out[v].is_empty() || indeg[v] >= out[v].len() {
            continue;
        }
        if let Some(m) = out[v].iter().map(|&w| rank[w]).min() {
            rank[v] = rank[v].max(m.saturating_sub(1));
        }
    }
}

/// How much room the boundaries around a node need on each side of it along
/// the main axis: one padding per boundary that starts (or ends) at its rank.
fn border_room(
    chains: &[Vec<usize>],
    rank: &[usize],
    span: &[(usize, usize)],
    node: usize,
) -> (usize, usize) {
    let r = rank[node];
    let before = chains[node].iter().filter(|c| span[**c].0 == r).count();
    let after = chains[node].iter().filter(|c| span[**c].1 == r).count();
    (before, after)
}

pub fn layout(d: &Dfd, style: &Style) -> Layout {
    let m = Metrics::new(style);
    let horizontal = style.direction.horizontal();
    let nn = d.nodes.len();
    let nc = d.clusters.len();
    let main = |s: (f32, f32)| if horizontal { s.0 } else { s.1 };
    let cross = |s: (f32, f32)| if horizontal { s.1 } else { s.0 };

    // Node boxes, sized by their wrapped labels.
    let mut node_lines = Vec::with_capacity(nn);
    let mut node_size: Vec<(f32, f32)> = Vec::with_capacity(nn);
    for n in &d.nodes {
        let lines = font::wrap(&n.label, m.size, false, m.node_text_max);
        let (tw, th) = text_size(&lines, m.size, false);
        node_size.push(node_size_of(n.kind, tw, th, &m));
        node_lines.push(lines);
    }
    let cluster_lines: Vec<Vec<String>> = d
        .clusters
        .iter()
        .map(|c| {
            let mut l = font::wrap(&c.label, m.size, true, 4.0 * m.node_text_max);
            l.truncate(1);
            l
        })
        .collect();
    let cluster_title_w: Vec<f32> = cluster_lines
        .iter()
        .map(|l| text_size(l, m.size, true).0)
        .collect();
    let edge_lines: Vec<Vec<String>> = d
        .edges
        .iter()
        .map(|e| {
            if e.label.is_empty() {
                Vec::new()
            } else {
                font::wrap(&e.label, m.label_size, false, m.label_text_max)
            }
        })
        .collect();
    let edge_label_size: Vec<(f32, f32)> = edge_lines
        .iter()
        .map(|l| {
            let (w, h) = text_size(l, m.label_size, false);
            (w + 8.0, h + 4.0)
        })
        .collect();

    // Ranks along the main axis, for the whole model at once, so that elements
    // in different boundaries line up by where they sit in the flow.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); nn];
    for e in &d.edges {
        if !e.response && e.from != e.to {
            out[e.from].push(e.to);
        }
    }
    let kept = acyclic(nn, &out);
    let mut rank = longest_path(nn, &kept, &vec![0; nn]);
    balance(nn, &kept, &mut rank);
    // An element with no flows at all joins its boundary's first column.
    let mut connected = vec![false; nn];
    for e in &d.edges {
        connected[e.from] = true;
        connected[e.to] = true;
    }
    for c in &d.clusters {
        let first = c
            .items
            .iter()
            .filter_map(|it| match it {
                super::Item::Node(n) if connected[*n] => Some(rank[*n]),
                _ => None,
            })
            .min();
        if let Some(r) = first {
            for it in &c.items {
                if let super::Item::Node(n) = it {
                    if !connected[*n] {
                        rank[*n] = r;
                    }
                }
            }
        }
    }
    let rank = dense(&rank);
    let nranks = rank.iter().max().map_or(0, |r| r + 1);

    let chains: Vec<Vec<usize>> = (0..nn).map(|n| d.chain(n)).collect();
    // The ranks each boundary spans.
    let mut span: Vec<(usize, usize)> = vec![(usize::MAX, 0); nc];
    for n in 0..nn {
        for &c in &chains[n] {
            span[c].0 = span[c].0.min(rank[n]);
            span[c].1 = span[c].1.max(rank[n]);
        }
    }

    // Main-axis position of each rank: room for its widest element, for the
    // boundary borders that open or close around it, and for flow labels.
    let mut half = vec![0.0f32; nranks];
    let mut room_before = vec![0usize; nranks];
    let mut room_after = vec![0usize; nranks];
    for n in 0..nn {
        let r = rank[n];
        half[r] = half[r].max(main(node_size[n]) / 2.0);
        let (b, a) = border_room(&chains, &rank, &span, n);
        room_before[r] = room_before[r].max(b);
        room_after[r] = room_after[r].max(a);
    }
    let border = |k: usize, opening: bool| -> f32 {
        let title = if !horizontal && opening {
            m.title_h
        } else {
            0.0
        };
        k as f32 * (m.pad + title)
    };
    let mut label_gap = vec![0.0f32; nranks];
    for (i, e) in d.edges.iter().enumerate() {
        let (a, b) = (rank[e.from].min(rank[e.to]), rank[e.from].max(rank[e.to]));
        if b == a + 1 {
            let (lw, lh) = edge_label_size[i];
            let need = if horizontal { lw + 24.0 } else { lh + 24.0 };
            label_gap[a] = label_gap[a].max(need.min(if horizontal { 220.0 } else { 90.0 }));
        }
    }
    let mut at = vec![0.0f32; nranks];
    let mut x = 0.0;
    for r in 0..nranks {
        x += border(room_before[r], true) + half[r];
        at[r] = x;
        x += half[r] + border(room_after[r], false);
        x += m.col_gap.max(label_gap[r]);
    }

    // Main-axis extent of every item, innermost boundaries first.
    let post = post_order(d);
    let mut lo = vec![0.0f32; nn + nc];
    let mut hi = vec![0.0f32; nn + nc];
    for n in 0..nn {
        let h = main(node_size[n]) / 2.0;
        lo[n] = at[rank[n]] - h;
        hi[n] = at[rank[n]] + h;
    }
    let item_id = |it: &super::Item| match it {
        super::Item::Node(n) => *n,
        super::Item::Cluster(k) => nn + k,
    };
    for &c in &post {
        let items = &d.clusters[c].items;
        let l = items
            .iter()
            .map(|it| lo[item_id(it)])
            .fold(f32::MAX, f32::min);
        let h = items
            .iter()
            .map(|it| hi[item_id(it)])
            .fold(f32::MIN, f32::max);
        let title = if horizontal { 0.0 } else { m.title_h };
        lo[nn + c] = l - m.pad - title;
        hi[nn + c] = (h + m.pad).max(if horizontal {
            lo[nn + c] + cluster_title_w[c] + 2.0 * m.pad
        } else {
            f32::MIN
        });
    }

    // The picture's title, above everything.
    let title_lines = if d.title.is_empty() {
        Vec::new()
    } else {
        font::wrap(&d.title, m.size * 1.3, true, 900.0)
    };
    let margin = 20.0 * m.size / 12.0;
    let (title_w, title_h) = text_size(&title_lines, m.size * 1.3, true);
    let top = if title_lines.is_empty() {
        margin
    } else {
        margin + title_h + 12.0
    };
    let min_main = lo.iter().copied().fold(f32::MAX, f32::min);
    let min_main = if min_main == f32::MAX { 0.0 } else { min_main };

    // Cross axis: lanes in each container, ordered first by model order, then
    // by the barycentre of each item's neighbours outside it, a few sweeps,
    // keeping the order whose straight flows cross least.
    let frame = Frame {
        d,
        nn,
        lo: &lo,
        hi: &hi,
        node_depth: (0..nn).map(|n| cross(node_size[n])).collect(),
        post: &post,
        m: &m,
        horizontal,
        cluster_title_w: &cluster_title_w,
        main0: (if horizontal { margin } else { top }) - min_main,
        cross0: if horizontal { top } else { margin },
    };
    let mut placed = frame.place(&lo);
    let sweeps = if d.edges.len() <= MAX_SWEPT_FLOWS {
        SWEEPS
    } else {
        0
    };
    let start = placed.clone();
    let mut tried = vec![(straight_crossings(d, &placed.0), placed.clone())];
    // Three chains of sweeps: by all neighbours, by those before, by those after.
    for side in [Before::Any, Before::Yes, Before::No] {
        placed = start.clone();
        for _ in 0..sweeps {
            // A sweep that crosses more may still lead to one that crosses less.
            let keys = frame.barycentres(&placed.0, side);
            placed = frame.place(&keys);
            if tried.iter().all(|(_, t)| t.0 != placed.0) {
                tried.push((straight_crossings(d, &placed.0), placed.clone()));
            }
        }
    }
    // Small pictures are routed in full for each order tried, and the one
    // whose drawn flows cross least is kept; larger ones go by straight lines.
    let routed = |abs: &[Rect]| -> usize {
        let boxes = |lines: &[Vec<String>], at: usize| -> Vec<TextBox> {
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| TextBox {
                    rect: abs[at + i],
                    lines: l.clone(),
                })
                .collect()
        };
        let (nodes, clusters) = (boxes(&node_lines, 0), boxes(&cluster_lines, nn));
        let paths = route_edges(d, &nodes, &clusters, &edge_lines, &edge_label_size, &m);
        drawn_crossings(d, &abs[..nn], &paths)
    };
    let full = d.edges.len() <= MAX_ROUTED_CHOICE_FLOWS && tried.len() > 1;
    // Only the orders whose straight flows cross least are worth routing.
    tried.sort_by_key(|(straight, _)| *straight);
    tried.truncate(if full { ROUTED_ORDERS } else { 1 });
    let (mut abs, root_depth) = tried
        .into_iter()
        .enumerate()
        .map(|(k, (straight, placed))| {
            let score = if full { routed(&placed.0) } else { straight };
            ((score, straight, k), placed)
        })
        .min_by(|a, b| a.0.cmp(&b.0))
        .map_or_else(|| frame.place(&lo), |(_, placed)| placed);
    // Node boxes are their own size, centred on their rank within the extent.
    for n in 0..nn {
        let (w, h) = node_size[n];
        let r = &mut abs[n];
        r.w = w;
        r.h = h;
    }
    let max_main = (0..nn + nc).map(|i| hi[i]).fold(0.0f32, f32::max) - min_main;
    let (root_w, root_h) = if horizontal {
        (max_main, root_depth)
    } else {
        (root_depth, max_main)
    };
    let total_w = root_w.max(title_w) + 2.0 * margin;
    let total_h = top + root_h + margin;
    // Right-to-left and bottom-to-top are left-to-right and top-to-bottom mirrored.
    if style.direction == Direction::RightLeft {
        for r in abs.iter_mut() {
            r.x = 2.0 * margin + root_w - r.x - r.w;
        }
    }
    if style.direction == Direction::BottomTop {
        for r in abs.iter_mut() {
            r.y = 2.0 * top + root_h - r.y - r.h;
        }
    }

    let nodes: Vec<TextBox> = node_lines
        .into_iter()
        .enumerate()
        .map(|(i, lines)| TextBox {
            rect: abs[i],
            lines,
        })
        .collect();
    let clusters: Vec<TextBox> = cluster_lines
        .into_iter()
        .enumerate()
        .map(|(c, lines)| TextBox {
            rect: abs[nn + c],
            lines,
        })
        .collect();

    let edges = route_edges(d, &nodes, &clusters, &edge_lines, &edge_label_size, &m);

    let mut bounds = Rect {
        x: 0.0,
        y: 0.0,
        w: total_w,
        h: total_h,
    };
    // Loops and labels may reach past the boxes.
    let (mut x1, mut y1) = (bounds.right(), bounds.bottom());
    for e in &edges {
        for q in &e.points {
            bounds.x = bounds.x.min(q.x - margin);
            bounds.y = bounds.y.min(q.y - margin);
            x1 = x1.max(q.x + margin);
            y1 = y1.max(q.y + margin);
        }
        if let Some(l) = &e.label {
            bounds.x = bounds.x.min(l.rect.x - margin);
            bounds.y = bounds.y.min(l.rect.y - margin);
            x1 = x1.max(l.rect.right() + margin);
            y1 = y1.max(l.rect.bottom() + margin);
        }
    }
    bounds.w = x1 - bounds.x;
    bounds.h = y1 - bounds.y;
    let title = (!title_lines.is_empty()).then_some(TextBox {
        rect: Rect {
            x: margin,
            y: margin,
            w: title_w,
            h: title_h,
        },
        lines: title_lines,
    });
    Layout {
        bounds,
        title,
        nodes,
        clusters,
        edges,
        font_size: m.size,
    }
}

/// Barycentre sweeps; the order that crosses least is kept.
const SWEEPS: usize = 6;
/// How many of the orders tried are routed in full, those crossing least first.
const ROUTED_ORDERS: usize = 8;
/// Up to this many flows, orders tried are routed in full to compare them.
const MAX_ROUTED_CHOICE_FLOWS: usize = 120;
/// Above this many flows the sweeps, quadratic in flows, are skipped.
const MAX_SWEPT_FLOWS: usize = 300;

/// Which neighbours a barycentre sweep looks at: all, or those before (or
/// after) an element along the main axis, as layered layouts sweep one way
/// and then the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    Any,
    Yes,
    No,
}

/// What placing items across the main axis needs, fixed before it starts.
struct Frame<'a> {
    d: &'a Dfd,
    nn: usize,
    /// Main-axis extent of every item (nodes, then clusters).
    lo: &'a [f32],
    hi: &'a [f32],
    node_depth: Vec<f32>,
    post: &'a [usize],
    m: &'a Metrics,
    horizontal: bool,
    cluster_title_w: &'a [f32],
    /// Where main-axis position 0 and the root's cross axis start.
    main0: f32,
    cross0: f32,
}

impl Frame<'_> {
    fn item_id(&self, it: &super::Item) -> usize {
        match it {
            super::Item::Node(n) => *n,
            super::Item::Cluster(k) => self.nn + k,
        }
    }

    /// Each item's box (nodes as their extent, sized later) and the root's
    /// depth, with lanes filled in the order of `keys` (least first).
    fn place(&self, keys: &[f32]) -> (Vec<Rect>, f32) {
        let (nn, nc) = (self.nn, self.d.clusters.len());
        let m = self.m;
        let mut depth = self.node_depth.clone();
        depth.resize(nn + nc, 0.0);
        let mut offset_of = vec![0.0f32; nn + nc];
        let mut root_depth = 0.0;
        let order: Vec<Option<usize>> = self.post.iter().map(|c| Some(*c)).chain([None]).collect();
        for c in order {
            let mut items: Vec<usize> = self.d.items(c).iter().map(|it| self.item_id(it)).collect();
            items.sort_by(|a, b| keys[*a].total_cmp(&keys[*b]).then(a.cmp(b)));
            let (lane, lane_depth) = self.lanes(&items, &depth);
            let mut starts = Vec::with_capacity(lane_depth.len());
            let mut offset = 0.0;
            for dpt in &lane_depth {
                starts.push(offset);
                offset += dpt + m.item_gap;
            }
            let content = (offset - m.item_gap).max(0.0);
            for (k, &i) in items.iter().enumerate() {
                let l = lane[k];
                offset_of[i] = starts[l] + (lane_depth[l] - depth[i]) / 2.0;
            }
            match c {
                Some(c) => {
                    let title = if self.horizontal { m.title_h } else { 0.0 };
                    let mut dpt = content + 2.0 * m.pad + title;
                    if !self.horizontal {
                        dpt = dpt.max(self.cluster_title_w[c] + 2.0 * m.pad);
                    }
                    depth[nn + c] = dpt;
                }
                None => root_depth = content,
            }
        }
        // Absolute boxes, outermost first: a container's content starts below
        // its padding (and its title, when titles sit across the main axis).
        let mut abs: Vec<Rect> = vec![Rect::default(); nn + nc];
        let mut stack: Vec<(Option<usize>, f32)> = vec![(None, self.cross0)];
        while let Some((c, cross_at)) = stack.pop() {
            for it in self.d.items(c) {
                let i = self.item_id(it);
                let ms = self.main0 + self.lo[i];
                let cs = cross_at + offset_of[i];
                let (ml, cl) = (self.hi[i] - self.lo[i], depth[i]);
                abs[i] = if self.horizontal {
                    Rect {
                        x: ms,
                        y: cs,
                        w: ml,
                        h: cl,
                    }
                } else {
                    Rect {
                        x: cs,
                        y: ms,
                        w: cl,
                        h: ml,
                    }
                };
                if let super::Item::Cluster(k) = it {
                    let title = if self.horizontal { m.title_h } else { 0.0 };
                    stack.push((Some(*k), cs + m.pad + title));
                }
            }
        }
        (abs, root_depth)
    }

    /// The lane of each item (in the order given) and each lane's depth: an
    /// item goes to the first lane where it overlaps nothing along the main axis.
    fn lanes(&self, items: &[usize], depth: &[f32]) -> (Vec<usize>, Vec<f32>) {
        let gap = self.m.item_gap;
        let mut taken: Vec<Vec<(f32, f32)>> = Vec::new();
        let mut lane_depth: Vec<f32> = Vec::new();
        let mut lane = Vec::with_capacity(items.len());
        for &i in items {
            let (lo, hi) = (self.lo[i], self.hi[i]);
            let fits = |spans: &Vec<(f32, f32)>| {
                spans.iter().all(|&(a, b)| b + gap <= lo || hi + gap <= a)
            };
            let l = match taken.iter().position(fits) {
                Some(l) => l,
                None => {
                    taken.push(Vec::new());
                    lane_depth.push(0.0);
                    taken.len() - 1
                }
            };
            taken[l].push((lo, hi));
            lane_depth[l] = lane_depth[l].max(depth[i]);
            lane.push(l);
        }
        (lane, lane_depth)
    }

    fn cross_centre(&self, r: &Rect) -> f32 {
        if self.horizontal {
            r.cy()
        } else {
            r.cx()
        }
    }

    fn main_centre(&self, r: &Rect) -> f32 {
        if self.horizontal {
            r.cx()
        } else {
            r.cy()
        }
    }

    /// Each item's order key: the mean cross position of the other ends of
    /// its flows that leave it (those on the `side` given), or its own
    /// position when none do.
    fn barycentres(&self, abs: &[Rect], side: Before) -> Vec<f32> {
        let nn = self.nn;
        let chains: Vec<Vec<usize>> = (0..nn).map(|n| self.d.chain(n)).collect();
        let mut sum: Vec<f32> = abs.iter().map(|r| self.cross_centre(r)).collect();
        let mut count = vec![1.0f32; abs.len()];
        let mut add = |item: usize, other: usize, sum: &mut Vec<f32>| {
            sum[item] += self.cross_centre(&abs[other]);
            count[item] += 1.0;
        };
        for e in &self.d.edges {
            if e.from == e.to {
                continue;
            }
            for (a, b) in [(e.from, e.to), (e.to, e.from)] {
                let before = self.main_centre(&abs[b]) < self.main_centre(&abs[a]);
                let wanted = match side {
                    Before::Any => true,
                    Before::Yes => before,
                    Before::No => !before,
                };
                if !wanted {
                    continue;
                }
                add(a, b, &mut sum);
                // Every boundary around `a` that does not hold `b` is pulled too.
                for &c in chains[a].iter().filter(|c| !chains[b].contains(c)) {
                    add(nn + c, b, &mut sum);
                }
            }
        }
        sum.iter().zip(&count).map(|(s, c)| s / c).collect()
    }
}

/// Crossings of the flows as routed.
fn drawn_crossings(d: &Dfd, nodes: &[Rect], paths: &[EdgePath]) -> usize {
    let drawing = crate::quality::Drawing {
        nodes: nodes.to_vec(),
        lines: d
            .edges
            .iter()
            .zip(paths)
            .map(|(e, path)| Line {
                from: e.from,
                to: e.to,
                points: crate::quality::flatten_spline(&path.points),
            })
            .collect(),
        labels: Vec::new(),
    };
    drawing.crossings()
}

/// Crossings of the flows drawn straight between element centres: the
/// yardstick for comparing orders, cheaper than routing each.
fn straight_crossings(d: &Dfd, abs: &[Rect]) -> usize {
    let drawing = crate::quality::Drawing {
        nodes: abs[..d.nodes.len()].to_vec(),
        lines: d
            .edges
            .iter()
            .map(|e| crate::quality::Line {
                from: e.from,
                to: e.to,
                points: vec![
                    p(abs[e.from].cx(), abs[e.from].cy()),
                    p(abs[e.to].cx(), abs[e.to].cy()),
                ],
            })
            .collect(),
        labels: Vec::new(),
    };
    drawing.crossings()
}

/// Boundaries innermost first: a post-order of the boundary tree.
fn post_order(d: &Dfd) -> Vec<usize> {
    let mut post = Vec::with_capacity(d.clusters.len());
    let mut stack: Vec<(usize, bool)> = d
        .roots
        .iter()
        .rev()
        .filter_map(|it| match it {
            super::Item::Cluster(c) => Some((*c, false)),
            super::Item::Node(_) => None,
        })
        .collect();
    while let Some((c, expanded)) = stack.pop() {
        if expanded {
            post.push(c);
            continue;
        }
        stack.push((c, true));
        for it in d.clusters[c].items.iter().rev() {
            if let super::Item::Cluster(k) = it {
                stack.push((*k, false));
            }
        }
    }
    post
}

/// A spatial hash of the boxes already drawn, so label placement stays fast
/// on models with thousands of flows.
struct Occupied {
    cell: f32,
    rects: Vec<Rect>,
    grid: FxHashMap<(i32, i32), Vec<usize>>,
    /// The first `elements` boxes are the elements, by node index.
    elements: usize,
}

impl Occupied {
    fn new(cell: f32) -> Self {
        Occupied {
            cell,
            rects: Vec::new(),
            grid: FxHashMap::default(),
            elements: 0,
        }
    }

    fn cells(&self, r: &Rect) -> impl Iterator<Item = (i32, i32)> {
        let (x0, x1) = (
            (r.x / self.cell).floor() as i32,
            (r.right() / self.cell).floor() as i32,
        );
        let (y0, y1) = (
            (r.y / self.cell).floor() as i32,
            (r.bottom() / self.cell).floor() as i32,
        );
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }

    fn insert(&mut self, r: Rect) {
        let i = self.rects.len();
        self.rects.push(r);
        let cells: Vec<(i32, i32)> = self.cells(&r).collect();
        for c in cells {
            self.grid.entry(c).or_default().push(i);
        }
    }

    /// How many elements other than `skip` the polyline runs through, each
    /// box grown by `clearance`.
    fn nodes_entered(&self, line: &[P], skip: (usize, usize), clearance: f32) -> usize {
        let mut near: Vec<usize> = Vec::new();
        for s in line.windows(2) {
            let r = Rect {
                x: s[0].x.min(s[1].x) - clearance,
                y: s[0].y.min(s[1].y) - clearance,
                w: (s[0].x - s[1].x).abs() + 2.0 * clearance,
                h: (s[0].y - s[1].y).abs() + 2.0 * clearance,
            };
            for c in self.cells(&r) {
                if let Some(v) = self.grid.get(&c) {
                    near.extend(
                        v.iter()
                            .filter(|&&i| i < self.elements && i != skip.0 && i != skip.1),
                    );
                }
            }
        }
        near.sort_unstable();
        near.dedup();
        near.iter()
            .filter(|&&i| {
                let r = &self.rects[i];
                let grown = Rect {
                    x: r.x - clearance,
                    y: r.y - clearance,
                    w: r.w + 2.0 * clearance,
                    h: r.h + 2.0 * clearance,
                };
                crate::quality::polyline_enters(line, &grown)
            })
            .count()
    }

    fn hits(&self, r: &Rect) -> bool {
        self.cells(r).any(|c| {
            self.grid
                .get(&c)
                .is_some_and(|v| v.iter().any(|&i| self.rects[i].overlaps(r)))
        })
    }
}

fn bezier(a: P, b: P, c: P, d: P, t: f32) -> P {
    let u = 1.0 - t;
    let (wa, wb, wc, wd) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    p(
        wa * a.x + wb * b.x + wc * c.x + wd * d.x,
        wa * a.y + wb * b.y + wc * c.y + wd * d.y,
    )
}

/// Where the line from a box's centre towards `toward` leaves the kind's outline.
fn outline_point(kind: ElementKind, r: &Rect, toward: P) -> P {
    let c = p(r.cx(), r.cy());
    let (dx, dy) = (toward.x - c.x, toward.y - c.y);
    if dx.abs() < 1e-3 && dy.abs() < 1e-3 {
        return c;
    }
    let (hw, hh) = (r.w / 2.0, r.h / 2.0);
    let t = match kind {
        ElementKind::Process | ElementKind::SetOfProcesses => {
            1.0 / ((dx / hw).powi(2) + (dy / hh).powi(2)).sqrt()
        }
        _ => {
            let tx = if dx.abs() > 1e-6 {
                hw / dx.abs()
            } else {
                f32::MAX
            };
            let ty = if dy.abs() > 1e-6 {
                hh / dy.abs()
            } else {
                f32::MAX
            };
            let mut t = tx.min(ty);
            // Slanted sides: the hexagon and octagon tips and the parallelogram's
            // lean sit up to `inset` inside the bounding box.
            let inset = match kind {
                ElementKind::Lambda | ElementKind::Agent | ElementKind::Llm => 12.0,
                _ => 0.0,
            };
            if inset > 0.0 && tx <= ty {
                let frac = (dy * t).abs() / hh;
                let shrink = match kind {
                    ElementKind::Agent => inset * frac,
                    ElementKind::Llm => inset * (frac - 0.4).max(0.0) / 0.6,
                    _ => inset / 2.0,
                };
                t *= (hw - shrink) / hw;
            }
            t
        }
    };
    p(c.x + dx * t, c.y + dy * t)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
    Top,
    Bottom,
}

impl Side {
    fn normal(self) -> P {
        match self {
            Side::Left => p(-1.0, 0.0),
            Side::Right => p(1.0, 0.0),
            Side::Top => p(0.0, -1.0),
            Side::Bottom => p(0.0, 1.0),
        }
    }

    /// The point at `frac` (0..1) along the side, and whether it runs horizontally.
    fn at(self, r: &Rect, frac: f32) -> P {
        match self {
            Side::Left => p(r.x, r.y + r.h * frac),
            Side::Right => p(r.right(), r.y + r.h * frac),
            Side::Top => p(r.x + r.w * frac, r.y),
            Side::Bottom => p(r.x + r.w * frac, r.bottom()),
        }
    }

    fn horizontal(self) -> bool {
        matches!(self, Side::Top | Side::Bottom)
    }
}

/// A candidate route: the sides it leaves and enters by, and how far its
/// middle is pushed sideways to bend around what lies between.
#[derive(Debug, Clone, Copy)]
struct Route {
    from: Side,
    to: Side,
    bow: f32,
}

fn curve(a: P, sa: Side, b: P, sb: Side, bow: f32) -> EdgePath {
    let dist = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
    let pull = (dist / 2.5).clamp(24.0, 160.0);
    let (na, nb) = (sa.normal(), sb.normal());
    // The bow pushes both control points the same way, across the chord.
    let (cx, cy) = if dist > 1e-3 {
        (-(b.y - a.y) / dist, (b.x - a.x) / dist)
    } else {
        (0.0, 0.0)
    };
    EdgePath::cubic(
        a,
        p(a.x + na.x * pull + cx * bow, a.y + na.y * pull + cy * bow),
        p(b.x + nb.x * pull + cx * bow, b.y + nb.y * pull + cy * bow),
        b,
    )
}

fn mid(r: &Rect, s: Side) -> P {
    s.at(r, 0.5)
}

/// How many elements other than its ends the path runs through, with
/// `clearance` around each.
fn collisions(path: &EdgePath, occupied: &Occupied, ends: (usize, usize), clearance: f32) -> usize {
    let line = crate::quality::flatten_spline(&path.points);
    occupied.nodes_entered(&line, ends, clearance)
}

fn candidate_routes(a: &Rect, b: &Rect) -> Vec<Route> {
    let dx = b.cx() - a.cx();
    let dy = b.cy() - a.cy();
    let gap_x = dx.abs() - (a.w + b.w) / 2.0;
    let gap_y = dy.abs() - (a.h + b.h) / 2.0;
    let (h_out, h_in) = if dx >= 0.0 {
        (Side::Right, Side::Left)
    } else {
        (Side::Left, Side::Right)
    };
    let (v_out, v_in) = if dy >= 0.0 {
        (Side::Bottom, Side::Top)
    } else {
        (Side::Top, Side::Bottom)
    };
    let facing = [(h_out, h_in), (v_out, v_in)];
    let primary = if gap_x >= gap_y { 0 } else { 1 };
    let mut pairs = vec![
        facing[primary],
        facing[1 - primary],
        (h_out, v_in),
        (v_out, h_in),
    ];
    pairs.extend([
        (Side::Top, Side::Top),
        (Side::Bottom, Side::Bottom),
        (Side::Right, Side::Right),
        (Side::Left, Side::Left),
    ]);
    let mut routes = Vec::new();
    for bow in [0.0, 50.0, -50.0, 110.0, -110.0, 200.0, -200.0] {
        for (i, &(from, to)) in pairs.iter().enumerate() {
            // Detours only from the two facing pairs; the others are tried straight.
            if bow != 0.0 && i >= 2 {
                continue;
            }
            routes.push(Route { from, to, bow });
        }
    }
    routes
}

/// The flows at each side of each element: (position of the other end, the
/// order among flows to the same element, flow, outgoing).
type Ports = FxHashMap<(usize, u8), Vec<(f32, isize, usize, bool)>>;

/// Room kept between a flow and the elements it passes, when there is room.
const CLEARANCE: f32 = 6.0;

impl Route {
    /// The same route travelled the other way.
    fn reversed(self) -> Route {
        Route {
            from: self.to,
            to: self.from,
            bow: -self.bow,
        }
    }
}

/// Above this many flows, routes are not compared by the crossings they add
/// (quadratic in flows); the first that runs through no element is taken.
const MAX_CROSSING_AWARE_FLOWS: usize = 300;

/// The candidate route between two elements that runs through fewest other
/// elements and, among those, crosses the flows routed so far (`drawn`) least;
/// the earliest candidate on a tie.
fn best_route(
    nodes: &[TextBox],
    occupied: &Occupied,
    (from, to): (usize, usize),
    drawn: Option<(&[Line], &[Rect])>,
) -> (Route, Line) {
    let (a, b) = (&nodes[from].rect, &nodes[to].rect);
    let mut best: Option<((usize, usize), Route, Line)> = None;
    for r in candidate_routes(a, b) {
        let path = curve(mid(a, r.from), r.from, mid(b, r.to), r.to, r.bow);
        let hits = collisions(&path, occupied, (from, to), CLEARANCE);
        let line = Line {
            from,
            to,
            points: crate::quality::flatten_spline(&path.points),
        };
        let crossings = match drawn {
            Some((lines, rects)) if hits == 0 => lines
                .iter()
                .map(|l| crate::quality::line_crossings(l, &line, rects))
                .sum(),
            _ => 0,
        };
        let score = (hits, crossings);
        if best.as_ref().is_none_or(|(s, _, _)| score < *s) {
            best = Some((score, r, line));
        }
        if score == (0, 0) || (hits == 0 && drawn.is_none()) {
            break;
        }
    }
    match best {
        Some((_, r, line)) => (r, line),
        None => (
            Route {
                from: Side::Right,
                to: Side::Left,
                bow: 0.0,
            },
            Line {
                from,
                to,
                points: Vec::new(),
            },
        ),
    }
}

/// Passes over the pairs of elements after the first, each re-routing every
/// pair against all the others' routes.
const REROUTE_PASSES: usize = 2;

/// A route per flow (`None` for a flow to itself), chosen once per pair of
/// elements: a request and its response travel side by side, as a bundle.
fn choose_routes(d: &Dfd, nodes: &[TextBox], occupied: &Occupied) -> Vec<Option<Route>> {
    let aware = d.edges.len() <= MAX_CROSSING_AWARE_FLOWS;
    let rects: Vec<Rect> = nodes.iter().map(|n| n.rect).collect();
    // Each pair once, in the order its first flow comes: (from, to, route).
    let mut pairs: Vec<(usize, usize, Route)> = Vec::new();
    let mut drawn: Vec<Line> = Vec::new();
    let mut pair_of: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    for e in &d.edges {
        let key = (e.from.min(e.to), e.from.max(e.to));
        if e.from == e.to || pair_of.contains_key(&key) {
            continue;
        }
        let so_far = aware.then_some((drawn.as_slice(), rects.as_slice()));
        let (r, line) = best_route(nodes, occupied, (e.from, e.to), so_far);
        pair_of.insert(key, pairs.len());
        pairs.push((e.from, e.to, r));
        drawn.push(line);
    }
    // The first pass saw only the pairs before each; later passes see all.
    let passes = if aware { REROUTE_PASSES } else { 0 };
    for _ in 0..passes {
        for (k, pair) in pairs.iter_mut().enumerate() {
            // Its own old route out of the way: an empty line crosses nothing.
            drawn[k].points.clear();
            let others = Some((drawn.as_slice(), rects.as_slice()));
            let (r, line) = best_route(nodes, occupied, (pair.0, pair.1), others);
            pair.2 = r;
            drawn[k] = line;
        }
    }
    d.edges
        .iter()
        .map(|e| {
            let k = *pair_of.get(&(e.from.min(e.to), e.from.max(e.to)))?;
            let (from, _, r) = pairs[k];
            (e.from != e.to).then_some(if from == e.from { r } else { r.reversed() })
        })
        .collect()
}

/// Where along its sides each flow leaves and enters (0..1): flows that share
/// a side of an element are spread along it in the order of their other ends,
/// so they neither start from one point nor cross there.
fn spread_ports(d: &Dfd, nodes: &[TextBox], chosen: &[Option<Route>]) -> (Vec<f32>, Vec<f32>) {
    let mut ports: Ports = FxHashMap::default();
    for (i, e) in d.edges.iter().enumerate() {
        let Some(r) = chosen[i] else { continue };
        let (a, b) = (&nodes[e.from].rect, &nodes[e.to].rect);
        let key_a = if r.from.horizontal() { b.cx() } else { b.cy() };
        let key_b = if r.to.horizontal() { a.cx() } else { a.cy() };
        // Flows of one bundle that leave and enter by the same side (arcs
        // over the top, say) nest only if one end lists them the other way
        // round: the element with the larger index reverses them.
        let order = |node: usize| {
            let reversed = r.from == r.to && node == e.from.max(e.to);
            if reversed {
                -(i as isize)
            } else {
                i as isize
            }
        };
        ports
            .entry((e.from, r.from as u8))
            .or_default()
            .push((key_a, order(e.from), i, true));
        ports
            .entry((e.to, r.to as u8))
            .or_default()
            .push((key_b, order(e.to), i, false));
    }
    let mut frac_from = vec![0.5f32; d.edges.len()];
    let mut frac_to = vec![0.5f32; d.edges.len()];
    let mut keys: Vec<(usize, u8)> = ports.keys().copied().collect();
    keys.sort_unstable();
    for key in keys {
        let Some(list) = ports.get_mut(&key) else {
            continue;
        };
        list.sort_by(|x, y| {
            x.0.total_cmp(&y.0)
                .then(x.1.cmp(&y.1))
                .then(x.2.cmp(&y.2))
                .then(x.3.cmp(&y.3))
        });
        let n = list.len() as f32;
        for (k, &(_, _, i, outgoing)) in list.iter().enumerate() {
            // Spread over the middle of the side, away from rounded corners.
            let f = if n <= 1.0 {
                0.5
            } else {
                0.2 + 0.6 * k as f32 / (n - 1.0)
            };
            if outgoing {
                frac_from[i] = f;
            } else {
                frac_to[i] = f;
            }
        }
    }
    (frac_from, frac_to)
}

/// A flow from an element to itself: a loop over its top-right corner, each
/// further loop a little wider.
fn self_loop(a: &Rect, k: usize) -> EdgePath {
    let lift = 18.0 + 10.0 * k as f32;
    let s = p(a.right() - a.w * 0.2, a.y);
    let t = p(a.right(), a.y + a.h * 0.3);
    EdgePath::cubic(
        s,
        p(s.x + 10.0, s.y - 2.0 * lift),
        p(t.x + 2.0 * lift, t.y - 10.0),
        t,
    )
}

/// The first free place for a label of `(w, h)` along its flow, or else the
/// nearest free place around the flow's middle, ring by ring.
fn place_label(path: &EdgePath, w: f32, h: f32, occupied: &Occupied) -> Rect {
    let candidates = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9];
    for s in [0.0, -1.0, 1.0] {
        for t in candidates {
            let at = path.at(t);
            let r = Rect::centered(p(at.x, at.y + s * (h * 0.6)), w, h);
            if !occupied.hits(&r) {
                return r;
            }
        }
    }
    let centre = path.at(0.5);
    // Ring k has 8k places; 40 rings reach well past any crowd of labels.
    for ring in 1..=40i32 {
        for j in -ring..=ring {
            for i in -ring..=ring {
                if i.abs() != ring && j.abs() != ring {
                    continue;
                }
                let c = p(
                    centre.x + i as f32 * w * 0.55,
                    centre.y + j as f32 * (h + 2.0),
                );
                let r = Rect::centered(c, w, h);
                if !occupied.hits(&r) {
                    return r;
                }
            }
        }
    }
    Rect::centered(centre, w, h)
}

fn route_edges(
    d: &Dfd,
    nodes: &[TextBox],
    clusters: &[TextBox],
    lines: &[Vec<String>],
    label_size: &[(f32, f32)],
    m: &Metrics,
) -> Vec<EdgePath> {
    let mut occupied = Occupied::new(96.0);
    // Inserted first, so an element's index in `occupied` is its node index.
    for n in nodes {
        occupied.insert(n.rect);
    }
    occupied.elements = nodes.len();

    let chosen = choose_routes(d, nodes, &occupied);
    let (frac_from, frac_to) = spread_ports(d, nodes, &chosen);

    for c in clusters {
        let (tw, _) = text_size(&c.lines, m.size, true);
        occupied.insert(Rect {
            x: c.rect.x,
            y: c.rect.y,
            w: tw + 2.0 * m.pad,
            h: m.title_h + 4.0,
        });
    }

    // The curves, a detour for each that still runs through an element, then
    // their labels at the first free place along them.
    let rects: Vec<Rect> = nodes.iter().map(|n| n.rect).collect();
    let mut detours: Option<detour::Grid> = None;
    let mut out = Vec::with_capacity(d.edges.len());
    let mut loops = vec![0usize; nodes.len()];
    for (i, e) in d.edges.iter().enumerate() {
        let a = &nodes[e.from].rect;
        let mut path = match chosen[i] {
            None => {
                loops[e.from] += 1;
                self_loop(a, loops[e.from] - 1)
            }
            Some(r) => {
                let b = &nodes[e.to].rect;
                let from = outline_point(d.nodes[e.from].kind, a, r.from.at(a, frac_from[i]));
                let to = outline_point(d.nodes[e.to].kind, b, r.to.at(b, frac_to[i]));
                let path = curve(from, r.from, to, r.to, r.bow);
                let ends = (e.from, e.to);
                if collisions(&path, &occupied, ends, 0.0) == 0 {
                    path
                } else {
                    let grid = detours.get_or_insert_with(|| detour::Grid::new(&rects, CLEARANCE));
                    let start = (from, r.from.normal());
                    let end = (to, r.to.normal());
                    grid.route(start, end, ends)
                        .filter(|p| collisions(p, &occupied, ends, 0.0) == 0)
                        .unwrap_or(path)
                }
            }
        };
        if !lines[i].is_empty() {
            let (w, h) = label_size[i];
            let rect = place_label(&path, w, h, &occupied);
            occupied.insert(rect);
            path.label = Some(TextBox {
                rect,
                lines: lines[i].clone(),
            });
        }
        out.push(path);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_broken_and_ranks_follow_flows() {
        // 0 -> 1 -> 2 -> 0, and 2 -> 3; 4 -> 3 is a source that moves next to 3.
        let out = vec![vec![1], vec![2], vec![0, 3], vec![], vec![3]];
        let kept = acyclic(5, &out);
        assert_eq!(kept[2], [3], "the flow closing the cycle is left out");
        let mut r = longest_path(5, &kept, &[0; 5]);
        assert_eq!(r, [0, 1, 2, 3, 0]);
        balance(5, &kept, &mut r);
        assert_eq!(r, [0, 1, 2, 3, 2]);
        // Lower bounds hold, and receivers sit right of senders.
        let out = vec![vec![1], vec![], vec![1]];
        assert_eq!(longest_path(3, &out, &[0, 0, 3]), [0, 4, 3]);
        assert_eq!(dense(&[5, 2, 9, 2]), [1, 0, 2, 0]);
    }

    #[test]
    fn outlines_are_met_on_their_edge() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 50.0,
        };
        let q = outline_point(ElementKind::Server, &r, p(300.0, 25.0));
        assert_eq!(q, p(100.0, 25.0));
        let q = outline_point(ElementKind::Process, &r, p(50.0, -100.0));
        assert!(
            (q.y - 0.0).abs() < 1e-3 && (q.x - 50.0).abs() < 1e-3,
            "{q:?}"
        );
        let q = outline_point(ElementKind::Process, &r, p(300.0, 125.0));
        let on = ((q.x - 50.0) / 50.0).powi(2) + ((q.y - 25.0) / 25.0).powi(2);
        assert!((on - 1.0).abs() < 1e-3, "{on}");
    }

    fn tiny(edges: &[(usize, usize, bool)]) -> Dfd {
        let node = |i: usize| crate::Node {
            key: format!("n{i}"),
            label: format!("Element {i}"),
            kind: ElementKind::Server,
            cluster: None,
            heat: crate::Heat::Off,
            element: i,
        };
        Dfd {
            title: String::new(),
            clusters: Vec::new(),
            nodes: (0..3).map(node).collect(),
            edges: edges
                .iter()
                .enumerate()
                .map(|(k, &(from, to, response))| crate::Edge {
                    from,
                    to,
                    label: format!("flow {k}"),
                    response,
                    heat: crate::Heat::Off,
                    flow: k,
                })
                .collect(),
            roots: (0..3).map(crate::Item::Node).collect(),
        }
    }

    #[test]
    fn a_request_and_its_response_travel_together_around_what_is_between() {
        // 0 -> 1 -> 2 puts 1 between 0 and 2; 0 -> 2 and its response 2 -> 0
        // must pass 1 on the same side and never cross each other.
        let d = tiny(&[(0, 1, false), (1, 2, false), (0, 2, false), (2, 0, true)]);
        let lay = layout(&d, &Style::default());
        let drawing = crate::quality::Drawing::from_layout(&d, &lay);
        assert_eq!(drawing.counts(), crate::quality::Counts::default());
        let middle = lay.nodes[1].rect;
        let side = |k: usize| {
            let at = lay.edges[k].at(0.5);
            at.y < middle.cy()
        };
        assert_eq!(side(2), side(3), "{:?}", lay.edges);
    }

    #[test]
    fn the_spatial_hash_finds_overlaps_only() {
        let mut o = Occupied::new(10.0);
        o.insert(Rect {
            x: 5.0,
            y: 5.0,
            w: 30.0,
            h: 4.0,
        });
        let probe = |x, y| Rect {
            x,
            y,
            w: 3.0,
            h: 3.0,
        };
        assert!(o.hits(&probe(20.0, 6.0)));
        assert!(!o.hits(&probe(20.0, 10.0)));
        assert!(!o.hits(&probe(-20.0, -20.0)));
    }
}
