//! Flame graph layout: one rectangle per call-tree node, x as a share of the total, y as depth.

use crate::tree::{CallTree, NodeId};

/// One frame of a flame graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlameRect {
    /// The call-tree node drawn.
    pub node: NodeId,
    /// Row: 0 for the outermost frames.
    pub depth: u32,
    /// Left edge as a share of the total, in `[0, 1]`.
    pub x0: f64,
    /// Right edge as a share of the total, in `[0, 1]`.
    pub x1: f64,
}

/// The rectangles of a flame graph, ordered by depth, then left to right.
#[derive(Debug, Clone, Default)]
pub struct FlameLayout {
    rects: Vec<FlameRect>,
    row_start: Vec<usize>,
}

impl FlameLayout {
    /// Lay out the whole tree; children are placed left to right in name order.
    pub fn new(tree: &CallTree) -> FlameLayout {
        Self::focused(tree, CallTree::ROOT)
    }

    /// Lay out the subtree under `focus` so that `focus` spans the full width. Its ancestors
    /// are placed above it at full width too, so the path to the focus stays visible.
    pub fn focused(tree: &CallTree, focus: NodeId) -> FlameLayout {
        let mut rects = Vec::new();
        let scale = tree.total_weight(focus);
        if scale <= 0 {
            return FlameLayout::default();
        }
        let path = tree.path(focus);
        for (depth, &node) in path.iter().enumerate() {
            if node != focus {
                rects.push(FlameRect {
                    node,
                    depth: depth as u32,
                    x0: 0.0,
                    x1: 1.0,
                });
            }
        }
        let base_depth = path.len().saturating_sub(1) as u32;
        let scale = scale as f64;
        // Depth-first with an explicit stack of (node, x0, depth); children are pushed right
        // to left so they pop left to right.
        let mut work: Vec<(NodeId, f64, u32)> = Vec::new();
        if focus == CallTree::ROOT {
            Self::push_children(&mut work, tree, focus, 0.0, 0, scale);
        } else {
            work.push((focus, 0.0, base_depth));
        }
        while let Some((node, x0, depth)) = work.pop() {
            let w = tree.total_weight(node) as f64 / scale;
            rects.push(FlameRect {
                node,
                depth,
                x0,
                x1: (x0 + w).min(1.0),
            });
            Self::push_children(&mut work, tree, node, x0, depth + 1, scale);
        }
        // Depth-first order visits each row left to right; a counting sort by depth keeps
        // that order and costs O(n).
        let rows = rects.iter().map(|r| r.depth + 1).max().unwrap_or(0) as usize;
        let mut row_start = vec![0usize; rows + 1];
        for r in &rects {
            row_start[r.depth as usize + 1] += 1;
        }
        for d in 0..rows {
            row_start[d + 1] += row_start[d];
        }
        let mut fill = row_start.clone();
        let mut sorted = vec![
            FlameRect {
                node: CallTree::ROOT,
                depth: 0,
                x0: 0.0,
                x1: 0.0
            };
            rects.len()
        ];
        for r in rects {
            let slot = &mut fill[r.depth as usize];
            sorted[*slot] = r;
            *slot += 1;
        }
        FlameLayout {
            rects: sorted,
            row_start,
        }
    }

    fn push_children(
        work: &mut Vec<(NodeId, f64, u32)>,
        tree: &CallTree,
        node: NodeId,
        x0: f64,
        depth: u32,
        scale: f64,
    ) {
        let children = tree.children(node);
        let total: f64 = children
            .iter()
            .map(|&c| tree.total_weight(c).max(0) as f64)
            .sum();
        // Walk right to left, so the leftmost child ends on top of the stack.
        let mut right = x0 + total / scale;
        for &c in children.iter().rev() {
            let w = tree.total_weight(c);
            if w > 0 {
                right -= w as f64 / scale;
                work.push((c, right, depth));
            }
        }
    }

    /// Heap bytes held.
    pub fn memory_use(&self) -> usize {
        crate::model::vec_bytes(&self.rects) + crate::model::vec_bytes(&self.row_start)
    }

    /// All rectangles, by depth then x.
    pub fn rects(&self) -> &[FlameRect] {
        &self.rects
    }

    /// Number of rows.
    pub fn depth_count(&self) -> u32 {
        self.row_start.len().saturating_sub(1) as u32
    }

    /// The rectangles of one row.
    pub fn row(&self, depth: u32) -> &[FlameRect] {
        let d = depth as usize;
        match (self.row_start.get(d), self.row_start.get(d + 1)) {
            (Some(&a), Some(&b)) => &self.rects[a..b],
            _ => &[],
        }
    }

    /// Indices into [`FlameLayout::rects`] of one row (empty past the last row).
    pub fn row_range(&self, depth: u32) -> std::ops::Range<usize> {
        let d = depth as usize;
        match (self.row_start.get(d), self.row_start.get(d + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    /// The rectangle at `x` (share of width) in row `depth`, if any.
    pub fn hit(&self, depth: u32, x: f64) -> Option<&FlameRect> {
        let row = self.row(depth);
        let i = row.partition_point(|r| r.x1 <= x);
        row.get(i).filter(|r| r.x0 <= x)
    }
}
