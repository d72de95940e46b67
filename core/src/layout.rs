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
        Self::lay_out(tree, focus, tree.in_order())
    }

    /// [`FlameLayout::focused`] row by row, whatever the tree's numbering: the plain
    /// computation that the one pass over a depth-first tree is tested against.
    #[doc(hidden)]
    pub fn focused_by_rows(tree: &CallTree, focus: NodeId) -> FlameLayout {
        Self::lay_out(tree, focus, false)
    }

    fn lay_out(tree: &CallTree, focus: NodeId, in_order: bool) -> FlameLayout {
        let scale = tree.total_weight(focus);
        if scale <= 0 {
            return FlameLayout::default();
        }
        let scale = scale as f64;
        let mut rects = Vec::new();
        let mut row_start = vec![0];
        let path = tree.path(focus);
        for (depth, &node) in path.iter().enumerate() {
            if node != focus {
                rects.push(FlameRect {
                    node,
                    depth: depth as u32,
                    x0: 0.0,
                    x1: 1.0,
                });
                row_start.push(rects.len());
            }
        }
        let base_depth = path.len().saturating_sub(1) as u32;
        let mut row = rects.len();
        let first_depth = if focus == CallTree::ROOT {
            0
        } else {
            rects.push(FlameRect {
                node: focus,
                depth: base_depth,
                x0: 0.0,
                x1: 1.0,
            });
            base_depth + 1
        };
        if in_order {
            if focus != CallTree::ROOT {
                row_start.push(rects.len());
            }
            Self::place_in_order(&mut rects, &mut row_start, tree, focus, first_depth, scale);
            return FlameLayout { rects, row_start };
        }
        // Row by row: each row is the children of the row above, taken left to right, so
        // every row comes out in x order with no sorting.
        if focus == CallTree::ROOT {
            Self::place_children(&mut rects, tree, focus, 0.0, 0, scale);
        }
        while row < rects.len() {
            let end = rects.len();
            row_start.push(end);
            for i in row..end {
                let r = rects[i];
                Self::place_children(&mut rects, tree, r.node, r.x0, r.depth + 1, scale);
            }
            row = end;
        }
        FlameLayout { rects, row_start }
    }

    /// The rows under `focus` of a tree numbered depth first ([`CallTree::in_order`]): its
    /// subtree is the run of ids after it, and each row is its depth's nodes in id order. One
    /// pass over the run places every node (x from its parent's cursor, as
    /// [`FlameLayout::place_children`] does), a second files them into rows by depth. The
    /// rows start at `first_depth`.
    fn place_in_order(
        rects: &mut Vec<FlameRect>,
        row_start: &mut Vec<usize>,
        tree: &CallTree,
        focus: NodeId,
        first_depth: u32,
        scale: f64,
    ) {
        let (parent, depth, total) = tree.shape();
        let lo = focus.index();
        let d0 = depth[lo];
        let hi = lo + 1 + depth[lo + 1..].iter().take_while(|&&d| d > d0).count();
        let m = hi - lo;
        // Per node of the run (index `n - lo`): whether it is drawn, its left edge, its right
        // edge (unclamped), and where its next child starts.
        let mut drawn = vec![false; m];
        let mut x0 = vec![0f64; m];
        let mut x1 = vec![0f64; m];
        let mut cursor = vec![0f64; m];
        let mut per_row: Vec<usize> = Vec::new();
        drawn[0] = true;
        {
            let (drawn, x0, x1, cursor) =
                (&mut drawn[..], &mut x0[..], &mut x1[..], &mut cursor[..]);
            let run = (parent[lo + 1..hi].iter())
                .zip(&depth[lo + 1..hi])
                .zip(&total[lo + 1..hi]);
            for (i, ((&p, &d), &w)) in run.enumerate() {
                let (i, p) = (i + 1, p as usize - lo);
                if !drawn[p] || w <= 0 {
                    continue;
                }
                let left = cursor[p];
                let right = left + w as f64 / scale;
                cursor[p] = right;
                (drawn[i], x0[i], x1[i], cursor[i]) = (true, left, right, left);
                let row = (d - d0 - 1) as usize;
                if row == per_row.len() {
                    per_row.push(0);
                }
                per_row[row] += 1;
            }
        }
        // Rows by depth: each row's first slot, then the nodes filed in id order.
        let base = rects.len();
        let mut slot = Vec::with_capacity(per_row.len());
        let mut end = base;
        for &count in &per_row {
            slot.push(end);
            end += count;
            row_start.push(end);
        }
        rects.resize(
            end,
            FlameRect {
                node: CallTree::ROOT,
                depth: 0,
                x0: 0.0,
                x1: 0.0,
            },
        );
        let (out, slot) = (&mut rects[..], &mut slot[..]);
        let run = (drawn[1..].iter().zip(&depth[lo + 1..hi]))
            .zip(x0[1..].iter().zip(&x1[1..]))
            .enumerate();
        for (i, ((&drawn, &d), (&left, &right))) in run {
            if drawn {
                let row = (d - d0 - 1) as usize;
                out[slot[row]] = FlameRect {
                    node: NodeId::from_index(lo + 1 + i),
                    depth: first_depth + row as u32,
                    x0: left,
                    x1: right.min(1.0),
                };
                slot[row] += 1;
            }
        }
    }

    /// The children of `node` with weight, left to right from `x0`, in the children's order.
    fn place_children(
        rects: &mut Vec<FlameRect>,
        tree: &CallTree,
        node: NodeId,
        mut x0: f64,
        depth: u32,
        scale: f64,
    ) {
        for &c in tree.children(node) {
            let w = tree.total_weight(c);
            if w > 0 {
                let x1 = x0 + w as f64 / scale;
                rects.push(FlameRect {
                    node: c,
                    depth,
                    x0,
                    x1: x1.min(1.0),
                });
                x0 = x1;
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
