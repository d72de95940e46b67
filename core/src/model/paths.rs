//! Call paths: stacks that name the same functions, root to leaf, share one path.
//!
//! A call tree merges frames by function (name and file), so two stacks with different
//! frames, lines or addresses can land on one tree node. Finding that node takes a hash
//! lookup per stack, and ordering siblings by name takes a sort: together most of a tree
//! build. The paths do both once per stack table, and number the paths in the order a flame
//! graph draws them (depth first, siblings by name). Every call tree after that (a span, a
//! time range, a filter) keeps the paths its samples reach, in that order, with no hashing or
//! sorting. It lives under the model so that the set and a transformed table can cache it
//! beside the stacks it describes.

use rustc_hash::FxHashMap;

use super::{Frame, FrameKind, Function, NONE, StackTable, StringId};

/// The call path of every stack, and the paths' shape.
///
/// Paths are numbered depth first, children in name order (ties in order of first stack): a
/// path's parent has a smaller number, and the children of a path, in number order, are in
/// name order. What a tree node shows of its frames is kept per path (from the path's first
/// stack) and per stack (the line), so that a tree build reads these columns in order rather
/// than looking frames up in the frame and function tables.
#[derive(Debug, Clone, Default)]
pub struct StackPaths {
    path_of_stack: Vec<u32>,
    /// Per stack: its frame's source line.
    line_of_stack: Vec<u32>,
    /// Per path: its parent path, [`NONE`] at the top.
    parent: Vec<u32>,
    /// Per path: the name, file and build id of its function, the kind and type of its first
    /// stack's frame.
    pub(crate) name: Vec<StringId>,
    pub(crate) file: Vec<StringId>,
    pub(crate) build_id: Vec<StringId>,
    pub(crate) kind: Vec<FrameKind>,
    pub(crate) frame_type: Vec<StringId>,
    /// Per path: its function, numbered per distinct name and file.
    function: Vec<u32>,
    /// Per path: whether no path above it has its function (where a recursive function's
    /// total is counted).
    outermost: Vec<bool>,
    functions: usize,
}

impl StackPaths {
    /// Paths of `stacks` (whose parents come before their children).
    pub(crate) fn build(
        strings: &[String],
        stacks: &StackTable,
        frames: &[Frame],
        functions: &[Function],
    ) -> Self {
        // 1. Functions merge by name and file: number the pairs once, over the function
        //    table, so that the stack loop below hashes two numbers.
        let mut pair_ids: FxHashMap<(StringId, StringId), u32> = FxHashMap::default();
        let pair_of_function: Vec<u32> = (functions.iter())
            .map(|f| {
                let next = pair_ids.len() as u32;
                *pair_ids.entry((f.name, f.file)).or_insert(next)
            })
            .collect();
        let function_count = pair_ids.len();
        drop(pair_ids);
        // One path per distinct (parent path, function pair), numbered by first stack.
        let mut lookup: FxHashMap<(u32, u32), u32> =
            FxHashMap::with_capacity_and_hasher(stacks.len(), Default::default());
        let mut first_order = Vec::with_capacity(stacks.len());
        let mut key: Vec<(u32, u32)> = Vec::new();
        let mut first_stack: Vec<u32> = Vec::new();
        let (parents, frame_of): (&[u32], &[u32]) = (&stacks.parent, &stacks.frame);
        for s in 0..stacks.len() {
            let parent = match parents[s] {
                NONE => NONE,
                p => first_order[p as usize],
            };
            let pair = pair_of_function[frames[frame_of[s] as usize].function.index()];
            let next = key.len() as u32;
            let path = *lookup.entry((parent, pair)).or_insert_with(|| {
                key.push((parent, pair));
                first_stack.push(s as u32);
                next
            });
            first_order.push(path);
        }
        drop(lookup);
        let n = key.len();
        // Each path's name (from its first stack), for ordering siblings.
        let name_of: Vec<StringId> = (first_stack.iter())
            .map(|&st| functions[frames[frame_of[st as usize] as usize].function.index()].name)
            .collect();

        // 2. Children of each path (the top level under a virtual parent `n`), by name.
        let mut rank = vec![0u32; strings.len()];
        {
            let mut used: Vec<StringId> = name_of.clone();
            used.sort_unstable();
            used.dedup();
            used.sort_unstable_by(|a, b| strings[a.index()].cmp(&strings[b.index()]));
            for (r, id) in used.iter().enumerate() {
                rank[id.index()] = r as u32;
            }
        }
        let group = |p: u32| if p == NONE { n } else { p as usize };
        let mut start = vec![0u32; n + 2];
        for k in &key {
            start[group(k.0) + 1] += 1;
        }
        for i in 0..=n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut children = vec![0u32; n];
        for (p, k) in key.iter().enumerate() {
            let slot = &mut fill[group(k.0)];
            children[*slot as usize] = p as u32;
            *slot += 1;
        }
        for g in 0..=n {
            children[start[g] as usize..start[g + 1] as usize]
                .sort_unstable_by_key(|&c| (rank[name_of[c as usize].index()], c));
        }

        // 3. Number the paths depth first; a stack of child ranges to visit, pushed in reverse
        //    so that they pop in name order.
        let mut number = vec![0u32; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut work: Vec<u32> = children[start[n] as usize..start[n + 1] as usize]
            .iter()
            .rev()
            .copied()
            .collect();
        while let Some(p) = work.pop() {
            number[p as usize] = order.len() as u32;
            order.push(p);
            let (a, b) = (start[p as usize] as usize, start[p as usize + 1] as usize);
            work.extend(children[a..b].iter().rev());
        }

        // 4. The columns in the new order; outermost flags from the functions on the path
        //    above (kept as a stack).
        let mut parent = Vec::with_capacity(n);
        let mut function = Vec::with_capacity(n);
        let mut columns = Columns::with_capacity(n);
        for &old in &order {
            let (p, pair) = key[old as usize];
            parent.push(if p == NONE { NONE } else { number[p as usize] });
            function.push(pair);
            let frame = &frames[frame_of[first_stack[old as usize] as usize] as usize];
            let func = &functions[frame.function.index()];
            columns.name.push(func.name);
            columns.file.push(func.file);
            columns.build_id.push(func.build_id);
            columns.kind.push(frame.kind);
            columns.frame_type.push(frame.frame_type);
        }
        let mut on_path = vec![0u32; function_count];
        let mut ancestors: Vec<u32> = Vec::new();
        let mut outermost = Vec::with_capacity(n);
        for p in 0..n {
            while let Some(&top) = ancestors.last() {
                if top == parent[p] {
                    break;
                }
                on_path[function[top as usize] as usize] -= 1;
                ancestors.pop();
            }
            let f = function[p] as usize;
            outermost.push(on_path[f] == 0);
            on_path[f] += 1;
            ancestors.push(p as u32);
        }
        let Columns {
            name,
            file,
            build_id,
            kind,
            frame_type,
        } = columns;
        StackPaths {
            path_of_stack: first_order.iter().map(|&p| number[p as usize]).collect(),
            line_of_stack: (stacks.frame.iter())
                .map(|&f| frames[f as usize].line)
                .collect(),
            parent,
            name,
            file,
            build_id,
            kind,
            frame_type,
            function,
            outermost,
            functions: function_count,
        }
    }

    /// The path of each stack.
    pub(crate) fn path_of_stack(&self) -> &[u32] {
        &self.path_of_stack
    }

    /// The source line of each stack's frame.
    pub(crate) fn line_of_stack(&self) -> &[u32] {
        &self.line_of_stack
    }

    /// How many distinct paths there are.
    pub(crate) fn len(&self) -> usize {
        self.parent.len()
    }

    /// Each path's parent path, [`NONE`] at the top level.
    pub(crate) fn parents(&self) -> &[u32] {
        &self.parent
    }

    /// Each path's function, numbered per distinct name and file.
    pub(crate) fn functions(&self) -> &[u32] {
        &self.function
    }

    /// Per path: whether no path above it has its function.
    pub(crate) fn outermost_flags(&self) -> &[bool] {
        &self.outermost
    }

    /// How many distinct functions (names and files) the paths have.
    pub(crate) fn function_count(&self) -> usize {
        self.functions
    }

    /// Heap bytes held.
    pub(crate) fn memory_use(&self) -> usize {
        use super::vec_bytes;
        vec_bytes(&self.path_of_stack)
            + vec_bytes(&self.line_of_stack)
            + vec_bytes(&self.parent)
            + vec_bytes(&self.name)
            + vec_bytes(&self.file)
            + vec_bytes(&self.build_id)
            + vec_bytes(&self.kind)
            + vec_bytes(&self.frame_type)
            + vec_bytes(&self.function)
            + vec_bytes(&self.outermost)
    }
}

/// The per-path columns a tree node shows, filled in path order.
struct Columns {
    name: Vec<StringId>,
    file: Vec<StringId>,
    build_id: Vec<StringId>,
    kind: Vec<FrameKind>,
    frame_type: Vec<StringId>,
}

impl Columns {
    fn with_capacity(n: usize) -> Self {
        Columns {
            name: Vec::with_capacity(n),
            file: Vec::with_capacity(n),
            build_id: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            frame_type: Vec::with_capacity(n),
        }
    }
}
