//! Moving around a flame graph without a mouse, and naming a zoom by its call path.
//!
//! Keyboard steps work on the laid-out rectangles (indices into [`FlameLayout::rects`]):
//! a frame's callees sit inside its x-range one row further, so parent, child and
//! neighbours are binary searches. A zoom is kept as the functions (name and file) from the
//! root, so it survives rebuilding the tree for another sample type or filter.

use crate::layout::FlameLayout;
use crate::tree::{CallTree, NodeId};

/// A keyboard move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// To the caller.
    Parent,
    /// To the heaviest callee.
    Child,
    /// To the frame on the left in the same row.
    Previous,
    /// To the frame on the right in the same row.
    Next,
}

/// The rect reached from rect `from` by `step`, if there is one.
pub fn step(layout: &FlameLayout, from: usize, step: Step) -> Option<usize> {
    let rects = layout.rects();
    let r = *rects.get(from)?;
    let row = layout.row_range(r.depth);
    match step {
        Step::Previous => (from > row.start).then(|| from - 1),
        Step::Next => (from + 1 < row.end).then_some(from + 1),
        Step::Parent => {
            let up = layout.row_range(r.depth.checked_sub(1)?);
            let x = (r.x0 + r.x1) / 2.0;
            let i = up.start + rects[up.clone()].partition_point(|p| p.x1 <= x);
            (i < up.end && rects[i].x0 <= x).then_some(i)
        }
        Step::Child => {
            let down = layout.row_range(r.depth + 1);
            let slice = &rects[down.clone()];
            // Children lie within the parent's range; float edges may differ by an ulp.
            let eps = 1e-12;
            let a = slice.partition_point(|c| c.x0 < r.x0 - eps);
            let b = slice.partition_point(|c| c.x0 < r.x1 - eps);
            (a..b)
                .max_by(|&i, &j| {
                    let (wi, wj) = (slice[i].x1 - slice[i].x0, slice[j].x1 - slice[j].x0);
                    // Heaviest; the leftmost among equals.
                    wi.total_cmp(&wj).then(j.cmp(&i))
                })
                .map(|i| down.start + i)
        }
    }
}

/// The rect of `node` in `layout`, if it is laid out.
pub fn rect_of(layout: &FlameLayout, tree: &CallTree, node: NodeId) -> Option<usize> {
    let depth = tree.depth(node).checked_sub(1)?;
    layout
        .row_range(depth)
        .find(|&i| layout.rects()[i].node == node)
}

/// A function as a call tree merges it: name and file.
pub type FunctionKey = (String, String);

/// The functions from the root's child down to `node`.
pub fn path_keys(tree: &CallTree, node: NodeId) -> Vec<FunctionKey> {
    tree.path(node)
        .into_iter()
        .map(|n| (tree.name(n).to_owned(), tree.file(n).to_owned()))
        .collect()
}

/// The node reached by following `path` from the root, or the deepest node reached when
/// the path is not all there (another sample type may lack the last calls).
pub fn find_path(tree: &CallTree, path: &[FunctionKey]) -> NodeId {
    let mut node = CallTree::ROOT;
    for (name, file) in path {
        match tree
            .children(node)
            .iter()
            .copied()
            .find(|&c| tree.name(c) == name && tree.file(c) == file)
        {
            Some(child) => node = child,
            None => break,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Filter, Limits, Loaded, load};

    fn demo() -> (CallTree, FlameLayout) {
        let bytes = include_bytes!("../../public/demo/profile.binpb");
        let Ok(Loaded::Profiles(set)) = load(bytes, &Limits::default()) else {
            panic!()
        };
        let tree = set.call_tree(&Filter::default());
        let layout = FlameLayout::new(&tree);
        (tree, layout)
    }

    fn name(tree: &CallTree, layout: &FlameLayout, i: usize) -> String {
        tree.name(layout.rects()[i].node).to_owned()
    }

    #[test]
    fn steps_follow_the_tree() {
        let (tree, layout) = demo();
        let module = (0..layout.rects().len())
            .find(|&i| name(&tree, &layout, i) == "<module>")
            .unwrap();
        assert_eq!(step(&layout, module, Step::Parent), None);
        let child = step(&layout, module, Step::Child).unwrap();
        // handle_request (165 samples) is <module>'s heaviest callee.
        assert_eq!(name(&tree, &layout, child), "handle_request");
        assert_eq!(step(&layout, child, Step::Parent), Some(module));
        let busy = step(&layout, child, Step::Child).unwrap();
        assert_eq!(name(&tree, &layout, busy), "busy_sleep");
        let next = step(&layout, busy, Step::Next).unwrap();
        assert_eq!(step(&layout, next, Step::Previous), Some(busy));
        // Every rect's parent step lands on its tree parent.
        for i in 0..layout.rects().len() {
            let r = layout.rects()[i];
            match step(&layout, i, Step::Parent) {
                Some(p) => assert_eq!(Some(layout.rects()[p].node), tree.parent(r.node)),
                None => assert_eq!(r.depth, 0),
            }
            if let Some(c) = step(&layout, i, Step::Child) {
                assert_eq!(tree.parent(layout.rects()[c].node), Some(r.node));
            } else {
                assert!(tree.children(r.node).is_empty());
            }
        }
        let row0 = layout.row_range(0);
        assert_eq!(step(&layout, row0.start, Step::Previous), None);
        assert_eq!(step(&layout, row0.end - 1, Step::Next), None);
        assert_eq!(step(&layout, usize::MAX, Step::Next), None);
    }

    #[test]
    fn paths_round_trip_and_degrade() {
        let (tree, layout) = demo();
        for r in layout.rects() {
            let path = path_keys(&tree, r.node);
            assert_eq!(find_path(&tree, &path), r.node);
            assert_eq!(
                rect_of(&layout, &tree, r.node).map(|i| layout.rects()[i].node),
                Some(r.node)
            );
        }
        let mut path = path_keys(&tree, find_path(&tree, &[]));
        assert!(path.is_empty());
        let handle = (tree.nodes().skip(1))
            .find(|&n| tree.name(n) == "handle_request")
            .unwrap();
        path = path_keys(&tree, handle);
        path.push(("nope".into(), String::new()));
        assert_eq!(find_path(&tree, &path), handle);
        assert_eq!(find_path(&tree, &[]), CallTree::ROOT);
        assert_eq!(rect_of(&layout, &tree, CallTree::ROOT), None);
    }
}
