//! Differential profiles: a **baseline** and a **comparison**, each the call tree of one
//! side (a file, a span in its scope, a time range, an attribute filter: whatever a
//! [`Filter`] and [`Transforms`](crate::Transforms) select), merged by call path.
//!
//! The two trees come from the one pipeline ([`Side::call_tree`] is
//! [`ProfileSet::call_tree_with`]); this module only pairs their nodes. Two sides may be two
//! files with different string tables, so nodes pair by the *text* of their functions' names
//! and files along the path from the root, as the trees themselves merge frames.
//!
//! Weights are compared as **shares** of each side's own total, so a baseline recorded for
//! twice as long does not look twice as hot: [`NodeDiff::delta`] is the comparison's share
//! minus the baseline's, in fractions of one (0.01 is one percentage point). Changes smaller
//! than [`NEUTRAL_BAND`] count as unchanged ([`NodeDiff::changed`]) and are drawn grey
//! ([`crate::palette::diff_colour`]).
//!
//! The graph is the comparison's tree (width = comparison); a path only the baseline has
//! has no width there, but [`Diff::functions`] lists every function of either side.

use rustc_hash::FxHashMap;

use crate::filter::Filter;
use crate::model::ProfileSet;
use crate::transform::Transformed;
use crate::tree::{CallTree, NodeId};

/// Share changes below this (0.1 percentage point of the total) count as no change.
pub const NEUTRAL_BAND: f64 = 0.001;

/// One side of a diff: a set, which of its samples, and its (possibly empty) transforms.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// The profiles.
    pub set: &'a ProfileSet,
    /// Which samples.
    pub filter: &'a Filter,
    /// The set's stack table after the view's transforms (`set.transform(..)`).
    pub transformed: &'a Transformed,
}

impl Side<'_> {
    /// The side's call tree: the same pipeline as the plain view.
    pub fn call_tree(&self) -> CallTree {
        self.set.call_tree_with(self.filter, self.transformed)
    }

    /// The side's folded stacks (`root;...;leaf`, by function name, as `spanflame fold`).
    pub fn folded(&self) -> Vec<(String, i64)> {
        self.set.folded_with(self.filter, self.transformed)
    }
}

/// Before and after of one node or function. "Share" is weight over the side's total.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NodeDiff {
    /// Baseline total weight (0 when the baseline lacks it).
    pub before_total: i64,
    /// Baseline self weight.
    pub before_self: i64,
    /// Comparison total weight (0 when the comparison lacks it).
    pub after_total: i64,
    /// Comparison self weight.
    pub after_self: i64,
    /// Baseline total share, 0..=1.
    pub before_share: f64,
    /// Comparison total share, 0..=1.
    pub after_share: f64,
    /// Comparison self share minus baseline self share.
    pub self_delta: f64,
}

impl NodeDiff {
    fn new(before: (i64, i64), after: (i64, i64), totals: (i64, i64)) -> NodeDiff {
        NodeDiff {
            before_total: before.0,
            before_self: before.1,
            after_total: after.0,
            after_self: after.1,
            before_share: share(before.0, totals.0),
            after_share: share(after.0, totals.1),
            self_delta: share(after.1, totals.1) - share(before.1, totals.0),
        }
    }

    /// Comparison total share minus baseline total share (what the colour shows).
    pub fn delta(&self) -> f64 {
        self.after_share - self.before_share
    }

    /// Whether the total share moved by at least [`NEUTRAL_BAND`].
    pub fn changed(&self) -> bool {
        self.delta().abs() >= NEUTRAL_BAND
    }
}

/// A change of share in percentage points, signed, one decimal: `+2.5 pp`, `-0.3 pp`;
/// `0 pp` when it rounds to nothing (so a sign is never shown on no change).
pub fn format_delta(delta: f64) -> String {
    let pp = delta * 100.0;
    if !pp.is_finite() || pp.abs() < 0.05 {
        return "0 pp".to_owned();
    }
    format!("{pp:+.1} pp")
}

fn share(w: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        w as f64 / total as f64
    }
}

/// One row of the diff table: a function (name and file) over either side.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDiff {
    /// Function name.
    pub name: String,
    /// Source file.
    pub file: String,
    /// Weights and shares; totals count a sample once, however often it recurses.
    pub diff: NodeDiff,
}

/// What the diff table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiffColumn {
    /// Function name.
    Name,
    /// Baseline self weight.
    BeforeSelf,
    /// Comparison self weight.
    AfterSelf,
    /// Change of self share.
    SelfDelta,
    /// Baseline total weight.
    BeforeTotal,
    /// Comparison total weight.
    AfterTotal,
    /// Change of total share (the default: what grew most first).
    #[default]
    TotalDelta,
}

/// Sort diff rows by `column`, largest first when `descending` (names: Z first); ties by
/// name, so the order is stable across renders.
pub fn sort_functions(rows: &mut [FunctionDiff], column: DiffColumn, descending: bool) {
    use std::cmp::Ordering;
    let key = |r: &FunctionDiff| -> f64 {
        let d = &r.diff;
        match column {
            DiffColumn::Name => 0.0,
            DiffColumn::BeforeSelf => d.before_self as f64,
            DiffColumn::AfterSelf => d.after_self as f64,
            DiffColumn::SelfDelta => d.self_delta,
            DiffColumn::BeforeTotal => d.before_total as f64,
            DiffColumn::AfterTotal => d.after_total as f64,
            DiffColumn::TotalDelta => d.delta(),
        }
    };
    rows.sort_by(|a, b| {
        let primary = match column {
            DiffColumn::Name => a.name.cmp(&b.name),
            _ => key(a).partial_cmp(&key(b)).unwrap_or(Ordering::Equal),
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| (&a.name, &a.file).cmp(&(&b.name, &b.file)))
    });
}

/// A baseline tree and a comparison tree, their nodes paired by call path.
#[derive(Debug, Clone)]
pub struct Diff {
    baseline: CallTree,
    comparison: CallTree,
    /// Per comparison node: the baseline node with the same path.
    base_of: Vec<Option<NodeId>>,
    /// Per baseline node: whether the comparison has its path.
    in_comparison: Vec<bool>,
}

impl Diff {
    /// The diff of two sides.
    pub fn of(baseline: &Side<'_>, comparison: &Side<'_>) -> Diff {
        Diff::new(baseline.call_tree(), comparison.call_tree())
    }

    /// Pair two trees (top-down ones; of any sets) by path of function name and file.
    pub fn new(baseline: CallTree, comparison: CallTree) -> Diff {
        let mut base_of = vec![None; comparison.len()];
        let mut in_comparison = vec![false; baseline.len()];
        base_of[0] = Some(CallTree::ROOT);
        in_comparison[0] = true;
        let mut todo = vec![(CallTree::ROOT, CallTree::ROOT)];
        while let Some((c, b)) = todo.pop() {
            let by_name: FxHashMap<(&str, &str), NodeId> = baseline
                .children(b)
                .iter()
                .map(|&n| ((baseline.name(n), baseline.file(n)), n))
                .collect();
            for &cc in comparison.children(c) {
                if let Some(&bc) = by_name.get(&(comparison.name(cc), comparison.file(cc))) {
                    base_of[cc.index()] = Some(bc);
                    in_comparison[bc.index()] = true;
                    todo.push((cc, bc));
                }
            }
        }
        Diff {
            baseline,
            comparison,
            base_of,
            in_comparison,
        }
    }

    /// The baseline's tree.
    pub fn baseline(&self) -> &CallTree {
        &self.baseline
    }

    /// The comparison's tree: the one drawn (width = comparison).
    pub fn comparison(&self) -> &CallTree {
        &self.comparison
    }

    /// Both totals, baseline first.
    pub fn totals(&self) -> (i64, i64) {
        (self.baseline.total(), self.comparison.total())
    }

    /// The baseline node with the same path as comparison node `node`, if any.
    pub fn baseline_node(&self, node: NodeId) -> Option<NodeId> {
        self.base_of.get(node.index()).copied().flatten()
    }

    /// Before and after of comparison node `node`.
    pub fn node(&self, node: NodeId) -> NodeDiff {
        let before = self.baseline_node(node).map_or((0, 0), |b| {
            (self.baseline.total_weight(b), self.baseline.self_weight(b))
        });
        let after = (
            self.comparison.total_weight(node),
            self.comparison.self_weight(node),
        );
        NodeDiff::new(before, after, self.totals())
    }

    /// Baseline nodes whose path the comparison lacks (the topmost of each such subtree):
    /// what disappeared, which the graph cannot show by width.
    pub fn baseline_only(&self) -> Vec<NodeId> {
        self.baseline
            .nodes()
            .skip(1)
            .filter(|&n| {
                !self.in_comparison[n.index()]
                    && self
                        .baseline
                        .parent(n)
                        .is_none_or(|p| self.in_comparison[p.index()])
            })
            .collect()
    }

    /// Every function of either side with its before and after (from each tree's
    /// [`CallTree::function_stats`]), sorted by [`DiffColumn::TotalDelta`], largest first.
    pub fn functions(&self) -> Vec<FunctionDiff> {
        // (name, file) -> ((total, self) before, (total, self) after)
        type Weights = ((i64, i64), (i64, i64));
        let mut by_fn: FxHashMap<(String, String), Weights> = FxHashMap::default();
        for s in self.baseline.function_stats() {
            by_fn.entry((s.name, s.file)).or_default().0 = (s.total_weight, s.self_weight);
        }
        for s in self.comparison.function_stats() {
            by_fn.entry((s.name, s.file)).or_default().1 = (s.total_weight, s.self_weight);
        }
        let totals = self.totals();
        let mut rows: Vec<FunctionDiff> = by_fn
            .into_iter()
            .map(|((name, file), (before, after))| FunctionDiff {
                name,
                file,
                diff: NodeDiff::new(before, after, totals),
            })
            .collect();
        sort_functions(&mut rows, DiffColumn::TotalDelta, true);
        rows
    }
}

/// Folded stacks of two sides merged by stack text, as flamegraph.pl's `difffolded.pl`
/// prints them: `(stack, baseline count, comparison count)`, sorted by stack, a stack
/// missing from one side with 0 there. With `normalize`, the baseline's counts are scaled
/// to the comparison's total (rounded), as `difffolded.pl -n` does.
pub fn diff_folded(
    baseline: &[(String, i64)],
    comparison: &[(String, i64)],
    normalize: bool,
) -> Vec<(String, i64, i64)> {
    let total = |lines: &[(String, i64)]| lines.iter().map(|l| l.1 as f64).sum::<f64>();
    let (tb, tc) = (total(baseline), total(comparison));
    let scale = if normalize && tb > 0.0 { tc / tb } else { 1.0 };
    let mut merged: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for (stack, v) in baseline {
        let e = &mut merged.entry(stack).or_default().0;
        *e = e.saturating_add(*v);
    }
    for (stack, v) in comparison {
        let e = &mut merged.entry(stack).or_default().1;
        *e = e.saturating_add(*v);
    }
    merged
        .into_iter()
        .map(|(stack, (a, b))| {
            let a = if normalize {
                (a as f64 * scale).round() as i64
            } else {
                a
            };
            (stack.to_owned(), a, b)
        })
        .collect()
}
