//! Flame graph view maths, free of any browser: which part of a [`FlameLayout`] is on
//! screen, what to draw there, and which frame is under a point.
//!
//! Coordinates: the layout's x is the unit interval and its y a row (depth). The view shows
//! `[x0, x1)` of the unit interval across `width` CSS pixels, and rows of a fixed height,
//! root row at the top (icicle) or at the bottom (flame). Content y is measured from the top
//! of the scrollable content, so a tall graph scrolls while the canvas stays window-sized.

use std::ops::Range;

use crate::layout::{FlameLayout, FlameRect};

/// The visible part of the unit interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Left edge, in `[0, 1)`.
    pub x0: f64,
    /// Right edge, in `(x0, 1]`.
    pub x1: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport::FULL
    }
}

impl Viewport {
    /// The whole graph.
    pub const FULL: Viewport = Viewport { x0: 0.0, x1: 1.0 };
    /// The narrowest view: a billionth of the total, past where f64 edges stay distinct.
    pub const MIN_WIDTH: f64 = 1e-9;

    /// Width as a share of the total.
    pub fn width(self) -> f64 {
        self.x1 - self.x0
    }

    /// Unit-interval x of a point `frac` (0..=1) of the way across the screen.
    pub fn to_unit(self, frac: f64) -> f64 {
        self.x0 + frac * self.width()
    }

    /// Screen fraction of a unit-interval x.
    pub fn to_frac(self, x: f64) -> f64 {
        (x - self.x0) / self.width()
    }

    /// A view of `width` starting near `x0`, kept inside `[0, 1]`.
    fn clamped(x0: f64, width: f64) -> Viewport {
        let width = width.clamp(Self::MIN_WIDTH, 1.0);
        let x0 = x0.clamp(0.0, 1.0 - width);
        Viewport { x0, x1: x0 + width }
    }

    /// Zoom by `factor` (> 1 zooms in) keeping the point at screen fraction `anchor` still.
    pub fn zoom(self, anchor: f64, factor: f64) -> Viewport {
        if !(factor.is_finite() && factor > 0.0) {
            return self;
        }
        let anchor = anchor.clamp(0.0, 1.0);
        let at = self.to_unit(anchor);
        let width = (self.width() / factor).clamp(Self::MIN_WIDTH, 1.0);
        Self::clamped(at - anchor * width, width)
    }

    /// Pan by `delta` screen widths (positive moves the view right).
    pub fn pan(self, delta: f64) -> Viewport {
        Self::clamped(self.x0 + delta * self.width(), self.width())
    }

    /// The smallest move that shows `[a, b)`: unchanged if it is visible, zoomed out to it
    /// if it is wider than the view.
    pub fn reveal(self, a: f64, b: f64) -> Viewport {
        if b - a >= self.width() {
            return Self::clamped(a, b - a);
        }
        if a < self.x0 {
            Self::clamped(a, self.width())
        } else if b > self.x1 {
            Self::clamped(b - self.width(), self.width())
        } else {
            self
        }
    }
}

/// Where the root row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// Root at the top, callees below (an icicle graph).
    #[default]
    Icicle,
    /// Root at the bottom, callees above (the classic flame graph).
    Flame,
}

/// The rows of a flame graph on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rows {
    /// Number of rows (depths).
    pub count: u32,
    /// Height of one row, CSS pixels.
    pub height: f64,
    /// Where the root row is.
    pub orientation: Orientation,
}

impl Rows {
    /// Height of all rows.
    pub fn content_height(self) -> f64 {
        f64::from(self.count) * self.height
    }

    /// Content y of the top of row `depth`.
    pub fn top(self, depth: u32) -> f64 {
        match self.orientation {
            Orientation::Icicle => f64::from(depth) * self.height,
            Orientation::Flame => self.content_height() - f64::from(depth + 1) * self.height,
        }
    }

    /// The row at content y, if any.
    pub fn depth_at(self, y: f64) -> Option<u32> {
        if !(0.0..self.content_height()).contains(&y) {
            return None;
        }
        let from_top = (y / self.height).floor() as u32;
        Some(match self.orientation {
            Orientation::Icicle => from_top,
            Orientation::Flame => self.count - 1 - from_top,
        })
    }

    /// Rows that intersect the content band `[top, top + height)`.
    pub fn visible(self, top: f64, height: f64) -> Range<u32> {
        let first = (top / self.height).floor().max(0.0) as u32;
        let last = ((top + height) / self.height).ceil().max(0.0) as u32;
        let (first, last) = (first.min(self.count), last.min(self.count));
        match self.orientation {
            Orientation::Icicle => first..last,
            Orientation::Flame => self.count - last..self.count - first,
        }
    }
}

/// What one draw item stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// One frame: an index into [`FlameLayout::rects`].
    Frame(usize),
    /// Neighbouring frames, each too narrow to see, drawn as one block: indices
    /// `start..end` of [`FlameLayout::rects`]. They still count in totals and search.
    Merged(usize, usize),
}

/// One rectangle to draw, in CSS pixels from the left of the view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawItem {
    /// Row.
    pub depth: u32,
    /// Left edge; negative when the frame starts left of the view.
    pub x: f64,
    /// Width.
    pub w: f64,
    /// The frame or frames drawn.
    pub what: Drawn,
}

/// The rectangles to draw for rows `depths` of `layout` seen through `view` across `width`
/// CSS pixels. Frames narrower than `merge_below` pixels are merged with their narrow
/// neighbours. The cost is about (visible wide frames + width / merge_below) × log n per row,
/// however many frames the row has.
pub fn plan(
    layout: &FlameLayout,
    view: Viewport,
    width: f64,
    depths: Range<u32>,
    merge_below: f64,
    out: &mut Vec<DrawItem>,
) {
    out.clear();
    if width <= 0.0 {
        return;
    }
    let rects = layout.rects();
    let scale = width / view.width();
    // merge_below in unit-interval terms.
    let small = merge_below / scale;
    for depth in depths {
        let row = layout.row_range(depth);
        let (start, end) = (row.start, row.end);
        let mut i = start + rects[start..end].partition_point(|r| r.x1 <= view.x0);
        while i < end && rects[i].x0 < view.x1 {
            let r = rects[i];
            if r.x1 - r.x0 >= small {
                out.push(DrawItem {
                    depth,
                    x: (r.x0 - view.x0) * scale,
                    w: (r.x1 - r.x0) * scale,
                    what: Drawn::Frame(i),
                });
                i += 1;
                continue;
            }
            let first = i;
            let (run_x0, mut run_x1) = (r.x0, r.x1);
            i += 1;
            loop {
                // Take every frame ending within `small` of the run in one binary search.
                let limit = run_x1 + small;
                let k = gallop(rects, i, end, |q| q.x1 <= limit);
                if k > i {
                    run_x1 = rects[k - 1].x1;
                    i = k;
                } else if i < end
                    && rects[i].x1 - rects[i].x0 < small
                    && rects[i].x0 - run_x1 < small
                {
                    run_x1 = rects[i].x1;
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(DrawItem {
                depth,
                x: (run_x0 - view.x0) * scale,
                w: (run_x1 - run_x0) * scale,
                what: Drawn::Merged(first, i),
            });
        }
    }
}

/// `start + rects[start..end].partition_point(pred)`, found by searching outwards from
/// `start`. In [`plan`] the answer is a few frames on, while a binary search over the rest
/// of a row (thousands of frames on a big profile) probes memory far apart on every step.
fn gallop(
    rects: &[FlameRect],
    start: usize,
    end: usize,
    pred: impl Fn(&FlameRect) -> bool,
) -> usize {
    // Every rect in start..lo satisfies `pred`.
    let mut lo = start;
    let mut step = 1;
    while lo + step <= end {
        let probe = lo + step;
        if !pred(&rects[probe - 1]) {
            return lo + rects[lo..probe - 1].partition_point(&pred);
        }
        lo = probe;
        step *= 2;
    }
    lo + rects[lo..end].partition_point(&pred)
}

/// The frame (index into [`FlameLayout::rects`]) at `depth` and screen fraction `frac`.
pub fn hit(layout: &FlameLayout, view: Viewport, depth: u32, frac: f64) -> Option<usize> {
    let x = view.to_unit(frac);
    let row = layout.row_range(depth);
    let rects = &layout.rects()[row.clone()];
    let i = rects.partition_point(|r| r.x1 <= x);
    rects.get(i).filter(|r| r.x0 <= x).map(|_| row.start + i)
}

/// Per-frame marks (search matches, say) with constant-time "any marked in this range?", so
/// a merged block can show whether it hides a match.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    prefix: Vec<u32>,
}

impl Marks {
    /// Marks of every rect of `layout`.
    pub fn new(layout: &FlameLayout, mut marked: impl FnMut(usize) -> bool) -> Marks {
        let mut prefix = Vec::with_capacity(layout.rects().len() + 1);
        prefix.push(0u32);
        let mut n = 0u32;
        for i in 0..layout.rects().len() {
            n += u32::from(marked(i));
            prefix.push(n);
        }
        Marks { prefix }
    }

    /// Whether rect `i` is marked.
    pub fn get(&self, i: usize) -> bool {
        self.any(i, i + 1)
    }

    /// Whether any rect in `start..end` is marked.
    pub fn any(&self, start: usize, end: usize) -> bool {
        match (self.prefix.get(start), self.prefix.get(end)) {
            (Some(a), Some(b)) => b > a,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallTree, Filter, Limits, Loaded, load};

    fn demo() -> (CallTree, FlameLayout) {
        let bytes = include_bytes!("../../public/demo/profile.binpb");
        let Ok(Loaded::Profiles(set)) = load(bytes, &Limits::default()) else {
            panic!()
        };
        let tree = set.call_tree(&Filter::default());
        let layout = FlameLayout::new(&tree);
        (tree, layout)
    }

    #[test]
    fn zoom_keeps_the_anchor_and_stays_inside() {
        let v = Viewport::FULL.zoom(0.25, 4.0);
        assert!((v.width() - 0.25).abs() < 1e-12);
        assert!((v.to_unit(0.25) - 0.25).abs() < 1e-12);
        let out = v.zoom(0.5, 0.01);
        assert_eq!(out, Viewport::FULL);
        let deep = (0..100).fold(Viewport::FULL, |v, _| v.zoom(0.9, 10.0));
        assert!((deep.width() - Viewport::MIN_WIDTH).abs() < 1e-15);
        assert!(deep.x1 <= 1.0 && deep.x0 >= 0.0);
        assert_eq!(Viewport::FULL.zoom(0.5, f64::NAN), Viewport::FULL);
    }

    #[test]
    fn pan_and_reveal_clamp() {
        let v = Viewport { x0: 0.4, x1: 0.6 };
        let p = v.pan(0.5);
        assert!((p.x0 - 0.5).abs() < 1e-12 && (p.x1 - 0.7).abs() < 1e-12);
        let far = v.pan(100.0);
        assert!((far.x1 - 1.0).abs() < 1e-12 && (far.width() - 0.2).abs() < 1e-12);
        assert_eq!(v.reveal(0.45, 0.5), v);
        let r = v.reveal(0.1, 0.2);
        assert!((r.x0 - 0.1).abs() < 1e-12 && (r.width() - 0.2).abs() < 1e-12);
        let r = v.reveal(0.65, 0.7);
        assert!((r.x1 - 0.7).abs() < 1e-12);
        assert_eq!(v.reveal(0.0, 1.0), Viewport::FULL);
    }

    #[test]
    fn rows_in_both_orientations() {
        let icicle = Rows {
            count: 10,
            height: 20.0,
            orientation: Orientation::Icicle,
        };
        let flame = Rows {
            orientation: Orientation::Flame,
            ..icicle
        };
        assert_eq!(icicle.top(0), 0.0);
        assert_eq!(flame.top(0), 180.0);
        assert_eq!(icicle.depth_at(25.0), Some(1));
        assert_eq!(flame.depth_at(25.0), Some(8));
        assert_eq!(flame.depth_at(199.0), Some(0));
        assert_eq!(icicle.depth_at(200.0), None);
        assert_eq!(icicle.depth_at(-1.0), None);
        assert_eq!(icicle.visible(30.0, 50.0), 1..4);
        assert_eq!(flame.visible(30.0, 50.0), 6..9);
        assert_eq!(icicle.visible(0.0, 1000.0), 0..10);
        for depth in 0..10 {
            assert_eq!(flame.depth_at(flame.top(depth) + 1.0), Some(depth));
        }
    }

    #[test]
    fn plan_draws_wide_frames_and_merges_narrow_ones() {
        let (tree, layout) = demo();
        let mut items = Vec::new();
        plan(
            &layout,
            Viewport::FULL,
            1000.0,
            0..layout.depth_count(),
            1.0,
            &mut items,
        );
        // Every frame is at least 1/187 of 1000 px wide: nothing merged.
        assert_eq!(items.len(), layout.rects().len());
        // At 50 px, the 1-sample frames (5.3 px at 1000) are merged.
        plan(
            &layout,
            Viewport::FULL,
            50.0,
            0..layout.depth_count(),
            1.0,
            &mut items,
        );
        assert!(items.iter().any(|i| matches!(i.what, Drawn::Merged(..))));
        // Nothing is lost: each row's items cover exactly that row's frames, in order.
        for depth in 0..layout.depth_count() {
            let mut next = layout.row_range(depth).start;
            for item in items.iter().filter(|i| i.depth == depth) {
                let (a, b) = match item.what {
                    Drawn::Frame(i) => (i, i + 1),
                    Drawn::Merged(a, b) => (a, b),
                };
                assert_eq!(a, next, "row {depth}");
                next = b;
            }
            assert_eq!(next, layout.row_range(depth).end);
        }
        let busy = items
            .iter()
            .find(|i| matches!(i.what, Drawn::Frame(r) if tree.name(layout.rects()[r].node) == "busy_sleep" && i.w > 20.0))
            .expect("busy_sleep is wide");
        assert!(busy.x >= 0.0 && busy.x + busy.w <= 50.0 + 1e-9);
    }

    #[test]
    fn plan_clips_to_the_view_and_scales_with_it() {
        let (_, layout) = demo();
        let view = Viewport { x0: 0.5, x1: 0.75 };
        let mut items = Vec::new();
        plan(&layout, view, 400.0, 0..2, 1.0, &mut items);
        assert!(!items.is_empty());
        for item in &items {
            assert!(item.x < 400.0 && item.x + item.w > 0.0, "{item:?}");
        }
        // The root-level frames together span the view.
        let row0: f64 = items.iter().filter(|i| i.depth == 0).map(|i| i.w).sum();
        assert!(row0 >= 400.0 - 1e-6);
    }

    #[test]
    fn plan_is_bounded_by_pixels_on_a_huge_row() {
        // 200 000 equal frames on one row: at 1000 px, a handful of merged blocks.
        let mut set_text = String::new();
        for i in 0..200_000 {
            set_text.push_str(&format!("root;f{i} 1\n"));
        }
        let Ok(Loaded::Profiles(set)) = load(set_text.as_bytes(), &Limits::default()) else {
            panic!()
        };
        let tree = set.call_tree(&Filter::default());
        let layout = FlameLayout::new(&tree);
        let mut items = Vec::new();
        plan(
            &layout,
            Viewport::FULL,
            1000.0,
            0..layout.depth_count(),
            1.0,
            &mut items,
        );
        let row1: Vec<_> = items.iter().filter(|i| i.depth == 1).collect();
        assert!(row1.len() <= 2, "{} items", row1.len());
        let covered: f64 = row1.iter().map(|i| i.w).sum();
        assert!((covered - 1000.0).abs() < 1e-6);
    }

    #[test]
    fn gallop_is_partition_point() {
        let (_, layout) = demo();
        let rects = layout.rects();
        let row = layout.row_range(3);
        for start in row.clone() {
            for &cut in &[
                0.0,
                0.1,
                0.5,
                0.9,
                1.0,
                rects[start].x1,
                rects[row.end - 1].x0,
            ] {
                let pred = |r: &FlameRect| r.x1 <= cut;
                assert_eq!(
                    gallop(rects, start, row.end, pred),
                    start + rects[start..row.end].partition_point(pred),
                    "start {start} cut {cut}"
                );
            }
        }
        assert_eq!(gallop(rects, row.end, row.end, |_| true), row.end);
    }

    #[test]
    fn hit_finds_the_frame_under_the_point() {
        let (tree, layout) = demo();
        for (i, r) in layout.rects().iter().enumerate() {
            let mid = (r.x0 + r.x1) / 2.0;
            assert_eq!(hit(&layout, Viewport::FULL, r.depth, mid), Some(i));
            let view = Viewport { x0: r.x0, x1: r.x1 };
            assert_eq!(
                hit(&layout, view, r.depth, 0.5),
                Some(i),
                "{}",
                tree.name(r.node)
            );
        }
        assert_eq!(hit(&layout, Viewport::FULL, 999, 0.5), None);
    }

    #[test]
    fn marks_answer_range_queries() {
        let (_, layout) = demo();
        let marks = Marks::new(&layout, |i| i % 5 == 3);
        assert!(!marks.get(0) && marks.get(3) && marks.any(0, 4) && !marks.any(4, 8));
        assert!(!marks.any(0, usize::MAX));
    }
}
