//! Call trees: top-down (callees under callers) and bottom-up (callers under callees).
//!
//! Nodes merge by function (name and file), not by line, as every flame graph does. Node 0
//! is a virtual root holding the total; a parent's id is always smaller than its children's.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::filter::Filter;
pub use crate::model::NodeId;
use crate::model::{
    Calls, Frame, FrameKind, Function, FunctionId, NONE, ProfileSet, SampleType, StackTable,
    StringId,
};

/// The tables a call tree is built over: a set's own, or a transformed stack table with its
/// frames, functions and strings ([`crate::transform::Transformed`]).
#[derive(Clone, Copy)]
pub(crate) struct Tables<'a> {
    pub strings: &'a Arc<Vec<String>>,
    pub functions: &'a [Function],
    pub frames: &'a [Frame],
    pub stacks: &'a StackTable,
}

impl Tables<'_> {
    /// Frames of stack `s`, root first.
    fn stack_frames(&self, mut s: u32) -> Vec<u32> {
        let mut out = Vec::new();
        while s != NONE {
            out.push(self.stacks.frame[s as usize]);
            s = self.stacks.parent[s as usize];
        }
        out.reverse();
        out
    }

    fn function_name(&self, f: FunctionId) -> &str {
        self.functions
            .get(f.index())
            .and_then(|func| self.strings.get(func.name.index()))
            .map_or("", String::as_str)
    }
}

/// A call tree with self and total weight per node.
#[derive(Debug, Clone)]
pub struct CallTree {
    strings: Arc<Vec<String>>,
    /// Raw parent ids, [`NONE`] for the root.
    parent: Vec<u32>,
    name: Vec<StringId>,
    file: Vec<StringId>,
    kind: Vec<FrameKind>,
    /// String ids of the `profile.frame.type` and the build id of the first frame merged
    /// into the node.
    frame_type: Vec<StringId>,
    build_id: Vec<StringId>,
    /// Source line of the frames merged into the node; [`NONE`] when they differ.
    line: Vec<u32>,
    depth: Vec<u32>,
    self_weight: Vec<i64>,
    total_weight: Vec<i64>,
    /// Children of node `n` are `child_list[child_start[n]..child_start[n + 1]]`: one list
    /// for the whole tree rather than a `Vec` per node (hundreds of thousands of small
    /// allocations on a big profile).
    child_start: Vec<u32>,
    child_list: Vec<NodeId>,
    sample_type: SampleType,
    inverted: bool,
    /// Call counts by (name, file) id, for formats that count calls; empty otherwise.
    calls: Arc<FxHashMap<(StringId, StringId), Calls>>,
}

/// Self and total weight of one function over the whole tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionStats {
    /// Function name.
    pub name: String,
    /// Source file.
    pub file: String,
    /// Weight of samples where the function is the leaf.
    pub self_weight: i64,
    /// Weight of samples where the function is anywhere on the stack (counted once).
    pub total_weight: i64,
    /// How often it was called, when the format counts calls (cProfile).
    pub calls: Option<Calls>,
}

struct TreeBuilder {
    tree: CallTree,
    lookup: rustc_hash::FxHashMap<(NodeId, StringId, StringId), NodeId>,
}

impl TreeBuilder {
    fn new(set: &ProfileSet, tables: Tables<'_>, filter: &Filter, inverted: bool) -> Self {
        let sample_type = set
            .sample_types
            .get(filter.sample_type.index())
            .cloned()
            .unwrap_or(SampleType {
                name: "samples".into(),
                unit: "count".into(),
            });
        let root_name = StringId::from_index(
            tables
                .strings
                .iter()
                .position(String::is_empty)
                .unwrap_or(0),
        );
        // The tree merges functions by name and file, so their counts merge the same way.
        let mut calls: FxHashMap<(StringId, StringId), Calls> = FxHashMap::default();
        for (f, c) in set.function_calls.iter().enumerate() {
            if let (Some(c), Some(func)) = (c, set.functions.get(f)) {
                let e = calls.entry((func.name, func.file)).or_default();
                e.total = e.total.saturating_add(c.total);
                e.primitive = e.primitive.saturating_add(c.primitive);
            }
        }
        TreeBuilder {
            tree: CallTree {
                strings: Arc::clone(tables.strings),
                parent: vec![NONE],
                name: vec![root_name],
                file: vec![root_name],
                kind: vec![FrameKind::Unknown],
                frame_type: vec![root_name],
                build_id: vec![root_name],
                line: vec![0],
                depth: vec![0],
                self_weight: vec![0],
                total_weight: vec![0],
                child_start: Vec::new(),
                child_list: Vec::new(),
                sample_type,
                inverted,
                calls: Arc::new(calls),
            },
            lookup: Default::default(),
        }
    }

    fn reserve(&mut self, nodes: usize) {
        let t = &mut self.tree;
        t.parent.reserve_exact(nodes);
        t.name.reserve_exact(nodes);
        t.file.reserve_exact(nodes);
        t.kind.reserve_exact(nodes);
        t.frame_type.reserve_exact(nodes);
        t.build_id.reserve_exact(nodes);
        t.line.reserve_exact(nodes);
        t.depth.reserve_exact(nodes);
        t.self_weight.reserve_exact(nodes);
        t.total_weight.reserve_exact(nodes);
        self.lookup.reserve(nodes);
    }

    fn child(&mut self, tables: Tables<'_>, parent: NodeId, frame: u32) -> NodeId {
        let frame = &tables.frames[frame as usize];
        let func = &tables.functions[frame.function.index()];
        let t = &mut self.tree;
        let id = *self
            .lookup
            .entry((parent, func.name, func.file))
            .or_insert_with(|| {
                let id = NodeId::from_index(t.parent.len());
                t.parent.push(parent.get());
                t.name.push(func.name);
                t.file.push(func.file);
                t.kind.push(frame.kind);
                t.frame_type.push(frame.frame_type);
                t.build_id.push(func.build_id);
                t.line.push(frame.line);
                t.depth.push(t.depth[parent.index()] + 1);
                t.self_weight.push(0);
                t.total_weight.push(0);
                id
            });
        if t.line[id.index()] != frame.line {
            t.line[id.index()] = NONE;
        }
        id
    }

    fn finish(mut self) -> CallTree {
        let t = &mut self.tree;
        // Rank the names once, so sorting children compares integers, not strings.
        let mut used: Vec<StringId> = t.name.clone();
        used.sort_unstable();
        used.dedup();
        let strings = &t.strings;
        used.sort_unstable_by(|&a, &b| strings[a.index()].cmp(&strings[b.index()]));
        let mut rank = vec![0u32; strings.len()];
        for (r, &id) in used.iter().enumerate() {
            rank[id.index()] = r as u32;
        }
        // Children grouped by parent with a counting sort (ids ascending within a parent),
        // then each group ordered by name.
        let n = t.parent.len();
        let mut start = vec![0u32; n + 1];
        for &p in &t.parent[1..] {
            start[p as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut list = vec![CallTree::ROOT; n.saturating_sub(1)];
        for (c, &p) in t.parent.iter().enumerate().skip(1) {
            list[fill[p as usize] as usize] = NodeId::from_index(c);
            fill[p as usize] += 1;
        }
        let name = &t.name;
        for p in 0..n {
            list[start[p] as usize..start[p + 1] as usize]
                .sort_unstable_by_key(|&c| (rank[name[c.index()].index()], c));
        }
        t.child_start = start;
        t.child_list = list;
        self.tree
    }
}

impl ProfileSet {
    /// The set's own tables, for building trees over.
    pub(crate) fn tables(&self) -> Tables<'_> {
        Tables {
            strings: &self.strings,
            functions: &self.functions,
            frames: &self.frames,
            stacks: &self.stacks,
        }
    }

    /// The top-down call tree of the samples the filter keeps.
    pub fn call_tree(&self, filter: &Filter) -> CallTree {
        let (weights, stackless) = self.stack_weights(filter);
        self.call_tree_over(self.tables(), filter, &weights, stackless)
    }

    /// The bottom-up (inverted) call tree: leaf functions at the top level, their callers below.
    pub fn inverted_call_tree(&self, filter: &Filter) -> CallTree {
        let (weights, stackless) = self.stack_weights(filter);
        self.inverted_call_tree_over(self.tables(), filter, &weights, stackless)
    }

    /// Folded stacks (`root;...;leaf value`), merged by function names and sorted, for the
    /// samples the filter keeps.
    pub fn folded(&self, filter: &Filter) -> Vec<(String, i64)> {
        let (weights, stackless) = self.stack_weights(filter);
        folded_over(self.tables(), &weights, stackless)
    }

    /// The top-down tree of per-stack `weights` over `tables`.
    pub(crate) fn call_tree_over(
        &self,
        tables: Tables<'_>,
        filter: &Filter,
        weights: &[i64],
        stackless: i64,
    ) -> CallTree {
        let stacks = tables.stacks;
        let mut b = TreeBuilder::new(self, tables, filter, false);
        // Only stacks with weight, and their ancestors, become nodes.
        let mut used: Vec<bool> = weights.iter().map(|&w| w != 0).collect();
        for s in (0..used.len()).rev() {
            let p = stacks.parent[s];
            if used[s] && p != NONE {
                used[p as usize] = true;
            }
        }
        // Each used stack makes at most one node: room for all of them at once, rather than
        // columns that double as they grow (up to twice the memory the tree needs).
        b.reserve(used.iter().filter(|&&u| u).count());
        let mut node_of_stack = vec![CallTree::ROOT; stacks.len()];
        for s in 0..stacks.len() {
            if !used[s] {
                continue;
            }
            let parent = match stacks.parent[s] {
                NONE => CallTree::ROOT,
                p => node_of_stack[p as usize],
            };
            let node = b.child(tables, parent, stacks.frame[s]);
            node_of_stack[s] = node;
            let w = &mut b.tree.self_weight[node.index()];
            *w = w.saturating_add(weights[s]);
        }
        let t = &mut b.tree;
        t.self_weight[0] = stackless;
        for n in (0..t.parent.len()).rev() {
            t.total_weight[n] = t.total_weight[n].saturating_add(t.self_weight[n]);
            if n > 0 {
                let p = t.parent[n] as usize;
                t.total_weight[p] = t.total_weight[p].saturating_add(t.total_weight[n]);
            }
        }
        b.finish()
    }

    /// The bottom-up tree of per-stack `weights` over `tables`.
    pub(crate) fn inverted_call_tree_over(
        &self,
        tables: Tables<'_>,
        filter: &Filter,
        weights: &[i64],
        stackless: i64,
    ) -> CallTree {
        let stacks = tables.stacks;
        let mut b = TreeBuilder::new(self, tables, filter, true);
        for (s, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let mut node = CallTree::ROOT;
            let mut st = s as u32;
            while st != NONE {
                node = b.child(tables, node, stacks.frame[st as usize]);
                let total = &mut b.tree.total_weight[node.index()];
                *total = total.saturating_add(w);
                if st == s as u32 {
                    let own = &mut b.tree.self_weight[node.index()];
                    *own = own.saturating_add(w);
                }
                st = stacks.parent[st as usize];
            }
        }
        let t = &mut b.tree;
        t.self_weight[0] = stackless;
        t.total_weight[0] = weights
            .iter()
            .fold(stackless, |sum, &w| sum.saturating_add(w));
        b.finish()
    }
}

/// Folded lines of per-stack `weights` over `tables`.
pub(crate) fn folded_over(
    tables: Tables<'_>,
    weights: &[i64],
    stackless: i64,
) -> Vec<(String, i64)> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for (s, &w) in weights.iter().enumerate() {
        if w == 0 {
            continue;
        }
        let names: Vec<&str> = tables
            .stack_frames(s as u32)
            .into_iter()
            .map(|f| tables.function_name(tables.frames[f as usize].function))
            .collect();
        let v = out.entry(names.join(";")).or_default();
        *v = v.saturating_add(w);
    }
    if stackless != 0 {
        *out.entry("(no stack)".into()).or_default() += stackless;
    }
    out.into_iter().collect()
}

impl CallTree {
    /// The virtual root.
    pub const ROOT: NodeId = NodeId::new(0);

    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Every node id, the root first (parents before children).
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..self.parent.len()).map(NodeId::from_index)
    }

    /// Whether the tree has only its root.
    pub fn is_empty(&self) -> bool {
        self.parent.len() <= 1
    }

    /// Total weight of everything the filter kept.
    pub fn total(&self) -> i64 {
        self.total_weight[0]
    }

    /// What the weights measure.
    pub fn sample_type(&self) -> &SampleType {
        &self.sample_type
    }

    /// Whether this is a bottom-up tree.
    pub fn is_inverted(&self) -> bool {
        self.inverted
    }

    /// Function name of a node (empty for the root).
    pub fn name(&self, node: NodeId) -> &str {
        &self.strings[self.name[node.index()].index()]
    }

    /// Source file of a node's function.
    pub fn file(&self, node: NodeId) -> &str {
        &self.strings[self.file[node.index()].index()]
    }

    /// Frame kind of a node.
    pub fn kind(&self, node: NodeId) -> FrameKind {
        self.kind[node.index()]
    }

    /// The `profile.frame.type` of a node as its producer wrote it (`cpython`, `jvm`,
    /// `abort-marker`, ...), empty when not said.
    pub fn frame_type(&self, node: NodeId) -> &str {
        &self.strings[self.frame_type[node.index()].index()]
    }

    /// Interned id of a node's frame type (equal ids, equal types).
    pub fn frame_type_id(&self, node: NodeId) -> StringId {
        self.frame_type[node.index()]
    }

    /// Build id of the binary an unsymbolised node is in, empty when unknown.
    pub fn build_id(&self, node: NodeId) -> &str {
        &self.strings[self.build_id[node.index()].index()]
    }

    /// Source line of a node, when every frame merged into it has the same known line.
    pub fn line(&self, node: NodeId) -> Option<u32> {
        Some(self.line[node.index()]).filter(|&l| l != 0 && l != NONE)
    }

    /// Interned id of a node's name: equal names have equal ids, so work per distinct
    /// name (search, colours) can be cached by it.
    pub fn name_id(&self, node: NodeId) -> StringId {
        self.name[node.index()]
    }

    /// Interned id of a node's file (equal ids, equal files).
    pub fn file_id(&self, node: NodeId) -> StringId {
        self.file[node.index()]
    }

    /// How often a node's function was called in the whole profile (not just on this
    /// path), when the format counts calls.
    pub fn calls(&self, node: NodeId) -> Option<Calls> {
        let n = node.index();
        self.calls
            .get(&(*self.name.get(n)?, *self.file.get(n)?))
            .copied()
    }

    /// Whether the profile counts calls (so a calls column is worth showing).
    pub fn has_calls(&self) -> bool {
        !self.calls.is_empty()
    }

    /// Parent of a node (`None` for the root).
    pub fn parent(&self, node: NodeId) -> Option<NodeId> {
        NodeId::from_raw(self.parent[node.index()])
    }

    /// Heap bytes held by the tree's columns (the strings are the profile's, shared).
    pub fn memory_use(&self) -> usize {
        use crate::model::vec_bytes;
        vec_bytes(&self.parent)
            + vec_bytes(&self.name)
            + vec_bytes(&self.file)
            + vec_bytes(&self.kind)
            + vec_bytes(&self.frame_type)
            + vec_bytes(&self.build_id)
            + vec_bytes(&self.line)
            + vec_bytes(&self.depth)
            + vec_bytes(&self.self_weight)
            + vec_bytes(&self.total_weight)
            + vec_bytes(&self.child_start)
            + vec_bytes(&self.child_list)
    }

    /// Children of a node, sorted by name.
    pub fn children(&self, node: NodeId) -> &[NodeId] {
        let n = node.index();
        &self.child_list[self.child_start[n] as usize..self.child_start[n + 1] as usize]
    }

    /// Depth of a node: 0 for the root, 1 for its children.
    pub fn depth(&self, node: NodeId) -> u32 {
        self.depth[node.index()]
    }

    /// The deepest node's depth.
    pub fn max_depth(&self) -> u32 {
        self.depth.iter().copied().max().unwrap_or(0)
    }

    /// Weight of samples whose leaf is this node.
    pub fn self_weight(&self, node: NodeId) -> i64 {
        self.self_weight[node.index()]
    }

    /// Weight of samples passing through this node.
    pub fn total_weight(&self, node: NodeId) -> i64 {
        self.total_weight[node.index()]
    }

    /// Set a node's self weight (the sandwich's callers tree gives its top node the
    /// function's own self weight).
    pub(crate) fn set_self_weight(&mut self, node: NodeId, weight: i64) {
        self.self_weight[node.index()] = weight;
    }

    /// Nodes from the root's child down to `node`.
    pub fn path(&self, node: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut node = Some(node);
        while let Some(n) = node.filter(|&n| n != Self::ROOT) {
            out.push(n);
            node = self.parent(n);
        }
        out.reverse();
        out
    }

    /// Per-function self and total weight, sorted by self weight, then total, descending.
    /// A function's total counts each sample once, even when it recurses.
    pub fn function_stats(&self) -> Vec<FunctionStats> {
        if self.inverted {
            // Top-level nodes of an inverted tree are exactly the leaf functions.
            let mut by_fn: FxHashMap<(StringId, StringId), (i64, i64)> = FxHashMap::default();
            for n in 1..self.len() {
                let e = by_fn.entry((self.name[n], self.file[n])).or_default();
                e.0 = e.0.saturating_add(self.self_weight[n]);
            }
            return self.stats_from(by_fn);
        }
        let mut by_fn: FxHashMap<(StringId, StringId), (i64, i64)> = FxHashMap::default();
        // Depth-first, counting how often each function is already on the path.
        let mut on_path: FxHashMap<(StringId, StringId), u32> = FxHashMap::default();
        let mut stack: Vec<(NodeId, bool)> = self
            .children(Self::ROOT)
            .iter()
            .map(|&c| (c, true))
            .collect();
        while let Some((n, enter)) = stack.pop() {
            let key = (self.name[n.index()], self.file[n.index()]);
            if enter {
                let depth = on_path.entry(key).or_default();
                let e = by_fn.entry(key).or_default();
                e.0 = e.0.saturating_add(self.self_weight[n.index()]);
                if *depth == 0 {
                    e.1 = e.1.saturating_add(self.total_weight[n.index()]);
                }
                *depth += 1;
                stack.push((n, false));
                stack.extend(self.children(n).iter().map(|&c| (c, true)));
            } else if let Some(d) = on_path.get_mut(&key) {
                *d -= 1;
            }
        }
        self.stats_from(by_fn)
    }

    fn stats_from(&self, by_fn: FxHashMap<(StringId, StringId), (i64, i64)>) -> Vec<FunctionStats> {
        let mut out: Vec<FunctionStats> = by_fn
            .into_iter()
            .map(|((name, file), (s, t))| FunctionStats {
                name: self.strings[name.index()].clone(),
                file: self.strings[file.index()].clone(),
                self_weight: s,
                total_weight: t,
                calls: self.calls.get(&(name, file)).copied(),
            })
            .collect();
        out.sort_by(|a, b| {
            (b.self_weight, b.total_weight, &a.name).cmp(&(a.self_weight, a.total_weight, &b.name))
        });
        out
    }
}
