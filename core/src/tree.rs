//! Call trees: top-down (callees under callers) and bottom-up (callers under callees).
//!
//! Nodes merge by function (name and file), not by line, as every flame graph does. Node 0
//! is a virtual root holding the total; a parent's id is always smaller than its children's.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock};

use crate::filter::Filter;
pub use crate::model::NodeId;
use crate::model::{
    Calls, Frame, FrameKind, Function, FunctionId, NONE, ProfileSet, SampleType, StackPaths,
    StackTable, StringId,
};

/// The tables a call tree is built over: a set's own, or a transformed stack table with its
/// frames, functions and strings ([`crate::transform::Transformed`]).
#[derive(Clone, Copy)]
pub(crate) struct Tables<'a> {
    pub strings: &'a Arc<Vec<String>>,
    pub functions: &'a [Function],
    pub frames: &'a [Frame],
    pub stacks: &'a StackTable,
    /// The stacks' call paths, cached by the tables' owner.
    pub paths: &'a OnceLock<StackPaths>,
}

impl Tables<'_> {
    /// The stacks' call paths, made on first use.
    fn paths(&self) -> &StackPaths {
        self.paths.get_or_init(|| {
            StackPaths::build(self.strings, self.stacks, self.frames, self.functions)
        })
    }

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
    /// Per node of a top-down tree: its function, numbered per distinct name and file
    /// (`function_count` of them), and whether no node above it has that function. They make
    /// [`CallTree::function_stats`] a pass over the nodes; empty in an inverted tree.
    function: Vec<u32>,
    outermost: Vec<bool>,
    function_count: usize,
    sample_type: SampleType,
    inverted: bool,
    /// Whether node ids are numbered depth first with each node's children in child-list
    /// order (trees made from the call paths): a subtree is then a run of ids, and a row of
    /// the flame graph is its depth's nodes in id order ([`CallTree::in_order`]).
    in_order: bool,
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
                function: Vec::new(),
                outermost: Vec::new(),
                function_count: 0,
                sample_type,
                inverted,
                in_order: false,
                calls: Arc::new(calls),
            },
            lookup: Default::default(),
        }
    }

    /// The child of `parent` for `frame`'s function, made on first use.
    fn child(&mut self, tables: Tables<'_>, parent: NodeId, frame: u32) -> NodeId {
        let func = &tables.functions[tables.frames[frame as usize].function.index()];
        let next = NodeId::from_index(self.tree.parent.len());
        let id = *self
            .lookup
            .entry((parent, func.name, func.file))
            .or_insert(next);
        if id == next {
            self.push(tables, parent, frame);
        } else {
            self.merge(id, tables, frame);
        }
        id
    }

    /// A new node under `parent`, described by `frame`.
    fn push(&mut self, tables: Tables<'_>, parent: NodeId, frame: u32) -> NodeId {
        let frame = &tables.frames[frame as usize];
        let func = &tables.functions[frame.function.index()];
        let t = &mut self.tree;
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
    }

    /// Another frame merged into `node`: its line stays only while every frame agrees.
    fn merge(&mut self, node: NodeId, tables: Tables<'_>, frame: u32) {
        let line = tables.frames[frame as usize].line;
        let t = &mut self.tree;
        if t.line[node.index()] != line {
            t.line[node.index()] = NONE;
        }
    }

    /// Finish a tree whose nodes are in any order (parents first): siblings sorted by name.
    fn finish(mut self) -> CallTree {
        let t = &mut self.tree;
        // Rank the names once, so sorting children compares integers, not strings.
        let strings = &t.strings;
        let mut seen = vec![false; strings.len()];
        let mut used: Vec<StringId> = Vec::new();
        for &name in &t.name {
            if !std::mem::replace(&mut seen[name.index()], true) {
                used.push(name);
            }
        }
        used.sort_unstable_by(|&a, &b| strings[a.index()].cmp(&strings[b.index()]));
        let mut rank = vec![0u32; strings.len()];
        for (r, &id) in used.iter().enumerate() {
            rank[id.index()] = r as u32;
        }
        self.group_children();
        let t = &mut self.tree;
        let (start, list, name) = (&t.child_start, &mut t.child_list, &t.name);
        for p in 0..t.parent.len() {
            list[start[p] as usize..start[p + 1] as usize]
                .sort_unstable_by_key(|&c| (rank[name[c.index()].index()], c));
        }
        self.tree
    }

    /// Finish a tree whose nodes are numbered depth first with siblings in name order, as
    /// the paths number them: grouping the children keeps that order.
    fn finish_in_order(mut self) -> CallTree {
        self.group_children();
        self.tree.in_order = true;
        self.tree
    }

    /// Children grouped by parent with a counting sort (ids ascending within a parent).
    fn group_children(&mut self) {
        let t = &mut self.tree;
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
        t.child_start = start;
        t.child_list = list;
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
            paths: &self.paths,
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
    ///
    /// The tables' paths (made once per table) say which node each stack merges into and
    /// already come in the tree's order, so this is a few passes over the stacks and paths:
    /// no hashing, no sorting.
    pub(crate) fn call_tree_over(
        &self,
        tables: Tables<'_>,
        filter: &Filter,
        weights: &[i64],
        stackless: i64,
    ) -> CallTree {
        let stacks = tables.stacks;
        let paths = tables.paths();
        let mut b = TreeBuilder::new(self, tables, filter, false);
        // Only stacks with weight, and their ancestors, become nodes.
        // (The loops below run over slices, whose indexing the size-optimised release build
        // does not turn into calls, and over zipped columns.)
        // One pass from the last stack up: a stack's children come after it, so it is done
        // when reached.
        let mut used = vec![false; weights.len()];
        let (used_s, parent_s): (&mut [bool], &[u32]) = (&mut used, &stacks.parent);
        for s in (0..used_s.len()).rev() {
            let u = used_s[s] | (weights[s] != 0);
            used_s[s] = u;
            let p = parent_s[s];
            if u && p != NONE {
                used_s[p as usize] = true;
            }
        }
        // Per path: whether a used stack is on it, the line while every used frame agrees on
        // it, and the self weight.
        let mut seen = vec![false; paths.len()];
        let mut line = vec![NONE; paths.len()];
        let mut self_weight = vec![0i64; paths.len()];
        let (seen_s, line_s, self_s) = (&mut seen[..], &mut line[..], &mut self_weight[..]);
        let stacks_used = (used.iter().zip(weights))
            .zip(paths.path_of_stack().iter().zip(paths.line_of_stack()))
            .filter(|((u, _), _)| **u);
        for ((_, &w), (&p, &frame_line)) in stacks_used {
            let p = p as usize;
            if !std::mem::replace(&mut seen_s[p], true) {
                line_s[p] = frame_line;
            } else if line_s[p] != frame_line {
                line_s[p] = NONE;
            }
            self_s[p] = self_s[p].saturating_add(w);
        }
        // The used paths, in path order, are the nodes in the tree's order: node `i + 1` is
        // path `kept[i]`, its columns gathered from the paths'.
        let kept: Vec<u32> = (seen.iter().enumerate())
            .filter(|(_, s)| **s)
            .map(|(p, _)| p as u32)
            .collect();
        let mut node_of_path = vec![0u32; paths.len()];
        let node_s = &mut node_of_path[..];
        for (i, &p) in kept.iter().enumerate() {
            node_s[p as usize] = i as u32 + 1;
        }
        let t = &mut b.tree;
        // A used path's parent is used and comes first, so its node exists.
        let path_parent = paths.parents();
        t.parent
            .extend(kept.iter().map(|&p| match path_parent[p as usize] {
                NONE => CallTree::ROOT.get(),
                q => node_s[q as usize],
            }));
        t.depth.resize(t.parent.len(), 0);
        let (depth_s, parent_s) = (&mut t.depth[..], &t.parent[..]);
        for i in 1..parent_s.len() {
            depth_s[i] = depth_s[parent_s[i] as usize] + 1;
        }
        fn gather<T: Copy>(to: &mut Vec<T>, from: &[T], kept: &[u32]) {
            to.extend(kept.iter().map(|&p| from[p as usize]));
        }
        gather(&mut t.name, &paths.name, &kept);
        gather(&mut t.file, &paths.file, &kept);
        gather(&mut t.build_id, &paths.build_id, &kept);
        gather(&mut t.kind, &paths.kind, &kept);
        gather(&mut t.frame_type, &paths.frame_type, &kept);
        gather(&mut t.line, &line, &kept);
        gather(&mut t.function, paths.functions(), &kept);
        gather(&mut t.outermost, paths.outermost_flags(), &kept);
        t.function_count = paths.function_count();
        t.self_weight[0] = stackless;
        gather(&mut t.self_weight, &self_weight, &kept);
        t.total_weight = t.self_weight.clone();
        let (total, parent) = (&mut t.total_weight[..], &t.parent[..]);
        for n in (1..parent.len()).rev() {
            let p = parent[n] as usize;
            total[p] = total[p].saturating_add(total[n]);
        }
        b.finish_in_order()
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

    /// Whether node ids are numbered depth first, each node's children in child-list order.
    pub(crate) fn in_order(&self) -> bool {
        self.in_order
    }

    /// Parent ids ([`NONE`] for the root), depths and total weights, per node id.
    pub(crate) fn shape(&self) -> (&[u32], &[u32], &[i64]) {
        (&self.parent, &self.depth, &self.total_weight)
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
            + vec_bytes(&self.function)
            + vec_bytes(&self.outermost)
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
        if self.function.len() == self.len() - 1 {
            return self.function_stats_by_path();
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

    /// [`CallTree::function_stats`] of a top-down tree from its paths: each node adds its
    /// self weight to its function, and its total where it is the outermost call.
    fn function_stats_by_path(&self) -> Vec<FunctionStats> {
        let mut by_fn = vec![(0i64, 0i64); self.function_count];
        let mut node_of = vec![CallTree::ROOT; self.function_count];
        // Zipped slices: the size-optimised release build calls a function per `Vec` index.
        let (by_fn_s, node_s) = (&mut by_fn[..], &mut node_of[..]);
        let nodes = (self.function.iter().zip(&self.outermost))
            .zip(self.self_weight[1..].iter().zip(&self.total_weight[1..]));
        for (i, ((&f, &outermost), (&own, &total))) in nodes.enumerate() {
            let f = f as usize;
            let e = &mut by_fn_s[f];
            e.0 = e.0.saturating_add(own);
            if outermost {
                e.1 = e.1.saturating_add(total);
                node_s[f] = NodeId::from_index(i + 1);
            }
        }
        let by_fn = (node_of.iter().zip(by_fn))
            .filter(|(n, _)| **n != CallTree::ROOT)
            .map(|(n, w)| ((self.name[n.index()], self.file[n.index()]), w));
        self.stats_from(by_fn)
    }

    fn stats_from(
        &self,
        by_fn: impl IntoIterator<Item = ((StringId, StringId), (i64, i64))>,
    ) -> Vec<FunctionStats> {
        let stats: Vec<FunctionStats> = by_fn
            .into_iter()
            .map(|((name, file), (s, t))| FunctionStats {
                name: self.strings[name.index()].clone(),
                file: self.strings[file.index()].clone(),
                self_weight: s,
                total_weight: t,
                calls: self.calls.get(&(name, file)).copied(),
            })
            .collect();
        // Heaviest self weight first, then total, then name: a stable sort of indices (the
        // stats are 80 bytes each, and a tuple comparison is several calls in the
        // size-optimised build), then the stats taken in that order.
        let mut order: Vec<u32> = (0..stats.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&stats[a as usize], &stats[b as usize]);
            (b.self_weight.cmp(&a.self_weight))
                .then(b.total_weight.cmp(&a.total_weight))
                .then_with(|| a.name.cmp(&b.name))
        });
        let mut stats: Vec<Option<FunctionStats>> = stats.into_iter().map(Some).collect();
        order
            .iter()
            .filter_map(|&i| stats[i as usize].take())
            .collect()
    }
}
