//! The sandwich view of one function: who calls it and what it calls, each merged into one
//! tree rooted at the function, over the samples a [`Filter`] keeps after [`Transforms`].
//!
//! - **Callees** ([`Sandwich::callees`], top-down): every stack through the function, cut
//!   above its *outermost* call — exactly [`Transform::FocusFunction`] added after the
//!   view's transforms, so the two can never disagree.
//! - **Callers** ([`Sandwich::callers`], bottom-up like [`ProfileSet::inverted_call_tree`]):
//!   every stack through the function, cut below its *innermost* call and read leaf to root,
//!   so the function's direct callers are its children.
//!
//! A sample is counted once per tree even when the function recurses (`a;f;b;f;c` is
//! `f;b;f;c` below and `f←b←f←a` above), so both roots weigh the function's total, the
//! same number as its row in [`CallTree::function_stats`]. The callers tree's root has the
//! function's self weight; deeper caller nodes have none (self weight belongs to the leaf).

use crate::filter::Filter;
use crate::model::{NONE, ProfileSet};
use crate::navigate::FunctionKey;
use crate::transform::{Transform, Transformed, Transforms};
use crate::tree::{CallTree, NodeId};

/// Callers and callees of one function, from [`ProfileSet::sandwich`].
#[derive(Debug, Clone)]
pub struct Sandwich {
    /// The function.
    pub function: FunctionKey,
    /// Weight of samples where the function is the leaf.
    pub self_weight: i64,
    /// Weight of samples with the function anywhere on the stack, each counted once.
    pub total_weight: i64,
    /// Weight of every sample the filter keeps (after transforms): what shares are of.
    pub view_total: i64,
    /// Bottom-up tree: the function at depth 1, its callers below it, up to the roots.
    pub callers: CallTree,
    /// Top-down tree: the function at depth 1, its callees below it.
    pub callees: CallTree,
}

impl Sandwich {
    /// The function's node in a tree of this sandwich (`None` when it has no samples).
    pub fn function_node(tree: &CallTree) -> Option<NodeId> {
        tree.children(CallTree::ROOT).first().copied()
    }
}

impl ProfileSet {
    /// The sandwich of the function `key` (name and file) over the samples `filter` keeps,
    /// after `transforms`. A function the view does not have gives empty trees and zeros.
    pub fn sandwich(
        &self,
        filter: &Filter,
        transforms: &Transforms,
        key: &FunctionKey,
    ) -> Sandwich {
        self.sandwich_with(filter, &self.transform(transforms), key)
    }

    /// [`ProfileSet::sandwich`] over stacks already transformed (the app keeps them, so that
    /// opening a sandwich does not transform the profile again).
    pub fn sandwich_with(
        &self,
        filter: &Filter,
        base: &Transformed,
        key: &FunctionKey,
    ) -> Sandwich {
        let tables = base.tables();
        let (weights, empty) = self.stack_weights_with(filter, base);
        let is_f = base.matches(key);
        let stacks = tables.stacks;
        // Innermost stack of the function on each stack's path (a prefix tree: parents
        // come first), NONE when the function is not on it.
        let mut inner = vec![NONE; stacks.len()];
        let mut self_weight = 0i64;
        let mut total_weight = 0i64;
        let mut to_inner = vec![0i64; stacks.len()];
        for s in 0..stacks.len() {
            let frame = stacks.frame[s] as usize;
            let here = tables
                .frames
                .get(frame)
                .is_some_and(|fr| is_f.get(fr.function.index()).copied().unwrap_or(false));
            inner[s] = if here {
                s as u32
            } else {
                match stacks.parent[s] {
                    NONE => NONE,
                    p => inner[p as usize],
                }
            };
            let w = weights[s];
            if w != 0 && inner[s] != NONE {
                total_weight = total_weight.saturating_add(w);
                if here {
                    self_weight = self_weight.saturating_add(w);
                }
                let i = inner[s] as usize;
                to_inner[i] = to_inner[i].saturating_add(w);
            }
        }
        let view_total = weights.iter().fold(empty, |a, &w| a.saturating_add(w));
        let mut callers = self.inverted_call_tree_over(tables, filter, &to_inner, 0);
        if let Some(top) = Sandwich::function_node(&callers) {
            callers.set_self_weight(top, self_weight);
        }
        let mut focused = base.clone();
        focused.apply(&Transform::FocusFunction(key.clone()));
        let callees = self.call_tree_with(filter, &focused);
        Sandwich {
            function: key.clone(),
            self_weight,
            total_weight,
            view_total,
            callers,
            callees,
        }
    }
}
