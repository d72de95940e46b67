//! Python `cProfile` / `profile` statistics: the `.pstats` files `python -m cProfile -o`,
//! `python -m profile -o` and `pstats.Stats.dump_stats` write.
//!
//! The file is `marshal` data ([`marshal`]) of one dict, `(filename, lineno, funcname) ->
//! (primitive calls, total calls, tottime, cumtime, callers)`, where `callers` maps each
//! caller's key to `(calls, primitive calls, tottime, cumtime)` of the calls it made
//! (cProfile), or to a plain call count (the `profile` module).
//!
//! A deterministic profiler keeps per-function totals and caller edges, not stacks, so the
//! stacks are rebuilt from the edges, as snakeviz and flameprof do:
//! - the walk starts at the functions nobody calls (then, for functions only reachable
//!   through a cycle of callers, at the largest of them);
//! - a callee reached along a path gets the share of its time that comes through that
//!   edge (edge cumtime / callee cumtime; with counts only, edge calls / calls from outside
//!   the callee's recursion), times the share the path carries of the caller;
//! - a callee already on the path is not entered again: direct and mutual recursion fold
//!   into the outermost call, whose tottime and cumtime already include the inner ones;
//! - each node's self weight is the function's tottime times its share, rescaled so a
//!   function's self weights add up to exactly its tottime (recursion, pruning and the
//!   producer's rounding otherwise make the shares sum to a little more or less than 1);
//! - paths carrying less than [`PRUNE_SHARE`] of the total time (but never a function's
//!   first path, so every function reached keeps its self time), deeper than
//!   [`Limits::max_stack_depth`], or past the path budget (the table and sample limits) are
//!   left out with a diagnostic.
//!
//! So widths are the producer's times, and a function's self time is exact, but how a
//! callee's time splits between the paths that reach it is an estimate; the profile is
//! marked [`Origin::CallGraph`] and the app says so. Weights are nanoseconds: `wall` for
//! cProfile (its default timer is `time.perf_counter`), `cpu` for `profile`
//! (`time.process_time`), told apart by the shape of the caller entries.

pub mod marshal;

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::{Detect, Loaded, Options};
use crate::builder::{Builder, Row};
use crate::error::{At, Error, Format, Result};
use crate::limits::Limits;
use crate::model::{
    Calls, FrameId, FrameKind, Layout, NONE, Origin, ProfileInfo, ProfileSet, Resource, SampleType,
    StackId,
};
use marshal::{Id, Marshal, Value};

/// Paths whose time is below this share of the profile's total are not drawn.
pub const PRUNE_SHARE: f64 = 1e-5;

/// Whether `bytes` look like a pstats file: a marshalled dict (flagged as referenced, as
/// CPython 3 writes it, or not, as Python 2 did) whose first key is a 3-tuple, or an empty
/// dict. (A Python 2 file starts with a plain `{`, which [`crate::formats::load`] offers
/// to the JSON importers only; [`parse`] reads it when called directly.)
pub fn sniff(bytes: &[u8]) -> Detect {
    match bytes {
        [0x7b | 0xfb, b'0'] => Detect::Yes,
        [0x7b | 0xfb, 0x29 | 0xa9, 3, ..] => Detect::Yes,
        [0x7b | 0xfb, 0x28 | 0xa8, 3, 0, 0, 0, ..] => Detect::Yes,
        [] | [0x7b | 0xfb] | [0x7b | 0xfb, 0x29 | 0xa9 | 0x28 | 0xa8] => Detect::NeedMore,
        [0x7b | 0xfb, 0x28 | 0xa8, 3, rest @ ..] if rest.iter().all(|&b| b == 0) => {
            Detect::NeedMore
        }
        _ => Detect::No,
    }
}

/// Read a `.pstats` file (see the module doc).
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    load(bytes, &options.limits).map(Loaded::Profiles)
}

/// One function of the stats dict.
struct Func {
    name: String,
    file: String,
    line: u32,
    kind: FrameKind,
    calls: Calls,
    tt: f64,
    ct: f64,
}

/// A caller edge as the file gives it.
struct Edge {
    caller: u32,
    callee: u32,
    count: u64,
    /// Cumulative time of the callee in calls from this caller (cProfile only).
    time: Option<f64>,
}

fn bad(at: At, message: impl Into<String>) -> Error {
    Error::malformed(Format::Pstats, at, message)
}

/// Read a `.pstats` file into a one-profile set of nanoseconds.
pub fn load(bytes: &[u8], limits: &Limits) -> Result<ProfileSet> {
    let m = marshal::read(bytes, limits.max_table_len)?;
    let mut b = Builder::new(Format::Pstats, limits);
    if m.end < bytes.len() {
        b.diags.push(
            Format::Pstats,
            format!(
                "{} bytes after the stats dict were ignored",
                bytes.len() - m.end
            ),
        );
    }
    let Value::Dict(entries) = m.get(m.root) else {
        return Err(bad(At::Byte(0), "the file is not a marshalled dict"));
    };
    b.check_table_len("the stats dict", entries.len())?;

    let mut funcs = Vec::with_capacity(entries.len());
    let mut index: FxHashMap<Key<'_>, u32> = FxHashMap::default();
    for &(k, _) in entries {
        let key = key(&m, k)?;
        if index.insert(key.clone(), funcs.len() as u32).is_some() {
            return Err(bad(m.at(k), "the same function appears twice"));
        }
        funcs.push(func_of(&m, &key));
    }

    let mut edges = Vec::new();
    let mut unknown_callers = 0u64;
    let mut negative = 0u64;
    let (mut counted, mut timed) = (false, false);
    for (i, &(_, v)) in entries.iter().enumerate() {
        let Value::Tuple(t) = m.get(v) else {
            return Err(bad(m.at(v), "a function's stats are not a tuple"));
        };
        let [cc, nc, tt, ct, callers] = t[..] else {
            return Err(bad(
                m.at(v),
                format!("a function's stats have {} items, expected 5", t.len()),
            ));
        };
        let f = &mut funcs[i];
        f.calls = Calls {
            total: count(&m, nc)?,
            primitive: count(&m, cc)?,
        };
        f.tt = time(&m, tt, &mut negative)?;
        f.ct = time(&m, ct, &mut negative)?;
        let Value::Dict(callers) = m.get(callers) else {
            return Err(bad(m.at(callers), "a function's callers are not a dict"));
        };
        for &(ck, cv) in callers {
            let caller_key = key(&m, ck)?;
            let (edge_count, edge_time) = match m.get(cv) {
                // `profile`: how often this caller called.
                Value::Int(_) => {
                    counted = true;
                    (count(&m, cv)?, None)
                }
                // cProfile: (calls, primitive calls, tottime, cumtime) of those calls.
                Value::Tuple(t) if t.len() >= 4 => {
                    timed = true;
                    (count(&m, t[0])?, Some(time(&m, t[3], &mut negative)?))
                }
                _ => {
                    return Err(bad(
                        m.at(cv),
                        "a caller entry is neither a call count nor a (calls, primitive, tottime, cumtime) tuple",
                    ));
                }
            };
            match index.get(&caller_key) {
                Some(&caller) => edges.push(Edge {
                    caller,
                    callee: i as u32,
                    count: edge_count,
                    time: edge_time,
                }),
                None => unknown_callers += 1,
            }
        }
        b.check_table_len("the caller edges", edges.len())?;
    }
    if unknown_callers > 0 {
        b.diags.push_n(
            Format::Pstats,
            "caller edges naming a function that is not in the file were dropped",
            unknown_callers,
        );
    }
    if negative > 0 {
        b.diags.push_n(
            Format::Pstats,
            "negative times (the profile module's calibration can overshoot) were read as 0",
            negative,
        );
    }

    let (name, scope) = match (timed, counted) {
        (true, _) => ("wall", "cProfile"),
        (false, true) => ("cpu", "profile"),
        (false, false) => ("time", ""),
    };
    b.begin_profile(
        ProfileInfo {
            scope: scope.into(),
            origin: Origin::CallGraph,
            ..Default::default()
        },
        SampleType {
            name: name.into(),
            unit: "nanoseconds".into(),
        },
    );
    b.resource(Resource::default());
    let frames: Vec<FrameId> = funcs
        .iter()
        .map(|f| {
            let id = b.function(&f.name, &f.file);
            b.add_calls(id, f.calls);
            b.frame(id, f.line, f.kind)
        })
        .collect();
    let graph = Graph::new(&funcs, &edges);
    graph.walk(&mut b, &frames)?;
    Ok(b.finish(Layout::NotOtlp))
}

/// A stats key, compared by value (a caller's key is a separate tuple in the stream).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key<'a> {
    file: Cow<'a, str>,
    line: i64,
    name: Cow<'a, str>,
}

fn key<'a>(m: &'a Marshal<'_>, id: Id) -> Result<Key<'a>> {
    let shape = || {
        bad(
            m.at(id),
            "a function key is not a (filename, line, name) tuple",
        )
    };
    let Value::Tuple(t) = m.get(id) else {
        return Err(shape());
    };
    let [file, line, name] = t[..] else {
        return Err(shape());
    };
    let file = m.str(file).ok_or_else(shape)?;
    let Value::Int(line) = *m.get(line) else {
        return Err(shape());
    };
    let name = match m.get(name) {
        // `python -m profile script.py` keys the script by its code object; Python prints
        // it with its address, which changes every run, so that is left out.
        Value::Code {
            name: n,
            filename,
            line: l,
        } => Cow::Owned(format!(
            "<code object {}, file \"{}\", line {l}>",
            m.str(*n).unwrap_or_default(),
            m.str(*filename).unwrap_or_default()
        )),
        _ => m.str(name).ok_or_else(shape)?,
    };
    Ok(Key { file, line, name })
}

fn func_of(_m: &Marshal<'_>, key: &Key<'_>) -> Func {
    // cProfile files builtins under `~`, `profile` under an empty name; both at line 0.
    let builtin = key.line == 0 && (key.file == "~" || key.file.is_empty());
    let kind = if builtin {
        FrameKind::Native
    } else if key.line == 0 && key.file == "profile" {
        // The profile module's own bookkeeping frames.
        FrameKind::Unknown
    } else {
        FrameKind::Interpreted
    };
    Func {
        name: key.name.to_string(),
        file: if key.file == "~" {
            String::new()
        } else {
            key.file.to_string()
        },
        line: u32::try_from(key.line).unwrap_or(0),
        kind,
        calls: Calls::default(),
        tt: 0.0,
        ct: 0.0,
    }
}

fn count(m: &Marshal<'_>, id: Id) -> Result<u64> {
    match m.get(id) {
        Value::Int(n) if *n >= 0 => Ok(*n as u64),
        Value::Bool(b) => Ok(u64::from(*b)),
        _ => Err(bad(m.at(id), "a call count is not a non-negative integer")),
    }
}

/// Seconds, as a float or an integer; negative ones read as 0 (counted in `negative`).
fn time(m: &Marshal<'_>, id: Id, negative: &mut u64) -> Result<f64> {
    let t = match m.get(id) {
        Value::Float(f) if f.is_finite() => *f,
        Value::Int(n) => *n as f64,
        _ => return Err(bad(m.at(id), "a time is not a finite number")),
    };
    if t < 0.0 {
        *negative += 1;
        return Ok(0.0);
    }
    Ok(t)
}

/// The caller graph, with each edge's share of its callee's time.
struct Graph<'f> {
    funcs: &'f [Func],
    /// Callees of `f` are `callees[start[f]..start[f + 1]]`, as (callee, share).
    start: Vec<usize>,
    callees: Vec<(u32, f64)>,
    has_caller: Vec<bool>,
}

/// One step of the depth-first walk.
enum Step {
    Enter {
        func: u32,
        parent: u32,
        share: f64,
        depth: u32,
    },
    Leave(u32),
}

/// What the walk left out, for diagnostics.
#[derive(Default)]
struct Cuts {
    pruned: u64,
    pruned_time: f64,
    too_deep: u64,
    over_budget: bool,
    cycle_roots: u64,
}

impl<'f> Graph<'f> {
    fn new(funcs: &'f [Func], edges: &[Edge]) -> Self {
        let n = funcs.len();
        let scc = components(n, edges);
        // Calls into a function from outside its own recursion (its strongly connected
        // component), for splitting it by counts when edges carry no times.
        let mut outside = vec![0u64; n];
        let mut all = vec![0u64; n];
        let mut has_caller = vec![false; n];
        for e in edges {
            let c = e.callee as usize;
            all[c] = all[c].saturating_add(e.count);
            if scc[e.caller as usize] != scc[c] {
                outside[c] = outside[c].saturating_add(e.count);
            }
            has_caller[c] = true;
        }
        let mut start = vec![0usize; n + 1];
        for e in edges {
            start[e.caller as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut callees = vec![(0u32, 0.0f64); edges.len()];
        for e in edges {
            let c = e.callee as usize;
            let ct = funcs[c].ct;
            let share = match e.time {
                Some(t) if ct > 0.0 => t / ct,
                _ => {
                    let from_outside = scc[e.caller as usize] != scc[c] && outside[c] > 0;
                    let denom = if from_outside || outside[c] == 0 {
                        if outside[c] > 0 { outside[c] } else { all[c] }
                    } else {
                        all[c]
                    };
                    if denom == 0 {
                        0.0
                    } else {
                        e.count as f64 / denom as f64
                    }
                }
            };
            let slot = &mut fill[e.caller as usize];
            callees[*slot] = (e.callee, share.clamp(0.0, 1.0));
            *slot += 1;
        }
        Graph {
            funcs,
            start,
            callees,
            has_caller,
        }
    }

    fn walk(&self, b: &mut Builder<'_>, frames: &[FrameId]) -> Result<()> {
        let n = self.funcs.len();
        let total: f64 = self.funcs.iter().map(|f| f.tt).sum();
        let floor = total * PRUNE_SHARE;
        let budget = b.limits().max_table_len.min(b.limits().max_samples);
        let max_depth = b.limits().max_stack_depth.max(1);
        let mut on_path = vec![0u32; n];
        // Whether a path to the function is drawn: its first path is drawn however small,
        // so every function reached keeps its self time (at most one exception each).
        let mut kept = vec![false; n];
        let mut share_sum = vec![0.0f64; n];
        // (stack, function, share) per node of the rebuilt tree.
        let mut nodes: Vec<(u32, u32, f64)> = Vec::new();
        let mut used = 0u64;
        let mut cuts = Cuts::default();
        let mut steps = Vec::new();

        let mut roots: Vec<u32> = (0..n as u32)
            .filter(|&f| !self.has_caller[f as usize])
            .collect();
        // Then whatever only a cycle of callers reaches, largest first.
        let mut rest: Vec<u32> = (0..n as u32)
            .filter(|&f| self.has_caller[f as usize])
            .collect();
        rest.sort_by(|&a, &b| {
            let (fa, fb) = (&self.funcs[a as usize], &self.funcs[b as usize]);
            fb.ct.total_cmp(&fa.ct).then(a.cmp(&b))
        });
        let natural = roots.len();
        roots.extend(rest);
        // What the edges reach from the roots walked so far (whether or not the walk drew it).
        let mut reachable = vec![false; n];
        let mut queue = Vec::new();
        for (i, &root) in roots.iter().enumerate() {
            if cuts.over_budget || (i >= natural && reachable[root as usize]) {
                continue;
            }
            if i >= natural {
                cuts.cycle_roots += 1;
            }
            reachable[root as usize] = true;
            queue.push(root);
            while let Some(f) = queue.pop() {
                let f = f as usize;
                for &(c, _) in &self.callees[self.start[f]..self.start[f + 1]] {
                    if !std::mem::replace(&mut reachable[c as usize], true) {
                        queue.push(c);
                    }
                }
            }
            kept[root as usize] = true;
            steps.push(Step::Enter {
                func: root,
                parent: NONE,
                share: 1.0,
                depth: 1,
            });
            while let Some(step) = steps.pop() {
                let (func, parent, share, depth) = match step {
                    Step::Leave(f) => {
                        on_path[f as usize] -= 1;
                        continue;
                    }
                    Step::Enter {
                        func,
                        parent,
                        share,
                        depth,
                    } => (func, parent, share, depth),
                };
                let f = func as usize;
                let stack = b.child_stack(StackId::from_raw(parent), frames[f]).get();
                nodes.push((stack, func, share));
                share_sum[f] += share;
                on_path[f] += 1;
                steps.push(Step::Leave(func));
                let callees = &self.callees[self.start[f]..self.start[f + 1]];
                // Reversed, so the first callee in the file is walked first.
                for &(callee, edge_share) in callees.iter().rev() {
                    let c = callee as usize;
                    if on_path[c] > 0 {
                        continue;
                    }
                    used += 1;
                    if used > budget {
                        cuts.over_budget = true;
                        break;
                    }
                    let s = share * edge_share;
                    let time = s * self.funcs[c].ct;
                    if time < floor && kept[c] {
                        cuts.pruned += 1;
                        cuts.pruned_time += time;
                    } else if depth >= max_depth {
                        cuts.too_deep += 1;
                    } else {
                        kept[c] = true;
                        steps.push(Step::Enter {
                            func: callee,
                            parent: stack,
                            share: s,
                            depth: depth + 1,
                        });
                    }
                }
                if cuts.over_budget {
                    steps.clear();
                }
            }
        }
        self.report(b, &cuts, total, budget);

        b.reserve_rows(nodes.len() as u64);
        for (stack, func, share) in nodes {
            let f = &self.funcs[func as usize];
            let sum = share_sum[func as usize];
            if sum <= 0.0 {
                continue;
            }
            // Saturating float-to-int: absurd times cannot wrap.
            let value = (f.tt * 1e9 * share / sum).round() as i64;
            if value == 0 {
                continue;
            }
            let attrs = b.attr_set(Vec::new());
            b.row(Row {
                stack: StackId::from_raw(stack),
                value,
                time: 0,
                link: None,
                attrs,
            })?;
        }
        Ok(())
    }

    fn report(&self, b: &mut Builder<'_>, cuts: &Cuts, total: f64, budget: u64) {
        let f = Format::Pstats;
        if cuts.pruned > 0 {
            let pct = if total > 0.0 {
                100.0 * cuts.pruned_time / total
            } else {
                0.0
            };
            b.diags.push_n(
                f,
                format!(
                    "call paths carrying under {}% of the total time were not drawn ({pct:.3}% of the time; each function's self time moves to its other paths)",
                    PRUNE_SHARE * 100.0
                ),
                cuts.pruned,
            );
        }
        if cuts.too_deep > 0 {
            b.diags.push_n(
                f,
                format!(
                    "call paths deeper than {} functions were cut",
                    b.limits().max_stack_depth
                ),
                cuts.too_deep,
            );
        }
        if cuts.over_budget {
            b.diags.push(
                f,
                format!("the call graph has more than {budget} paths, the limit; the rest were not drawn"),
            );
        }
        if cuts.cycle_roots > 0 {
            b.diags.push_n(
                f,
                "functions reachable only through a cycle of callers are drawn as roots",
                cuts.cycle_roots,
            );
        }
    }
}

/// Strongly connected component of each function in the caller graph (Tarjan's algorithm,
/// iterative so that a long call chain cannot overflow the stack).
fn components(n: usize, edges: &[Edge]) -> Vec<u32> {
    let mut start = vec![0usize; n + 1];
    for e in edges {
        start[e.caller as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut next = vec![0u32; edges.len()];
    for e in edges {
        next[fill[e.caller as usize]] = e.callee;
        fill[e.caller as usize] += 1;
    }
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNSEEN; n];
    let mut stack = Vec::new();
    // (node, next edge to look at)
    let mut call: Vec<(u32, usize)> = Vec::new();
    let (mut counter, mut comps) = (0u32, 0u32);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        call.push((root as u32, start[root]));
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut e)) = call.last_mut() {
            let v = v as usize;
            if *e < start[v + 1] {
                let w = next[*e] as usize;
                *e += 1;
                if index[w] == UNSEEN {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    call.push((w as u32, start[w]));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(p, _)) = call.last() {
                low[p as usize] = low[p as usize].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp[w as usize] = comps;
                    if w as usize == v {
                        break;
                    }
                }
                comps += 1;
            }
        }
    }
    comp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(caller: u32, callee: u32) -> Edge {
        Edge {
            caller,
            callee,
            count: 1,
            time: None,
        }
    }

    #[test]
    fn components_group_recursion() {
        // 0 -> 1 <-> 2, 2 -> 3, 3 -> 3
        let c = components(
            4,
            &[edge(0, 1), edge(1, 2), edge(2, 1), edge(2, 3), edge(3, 3)],
        );
        assert_eq!(c[1], c[2]);
        assert_ne!(c[0], c[1]);
        assert_ne!(c[3], c[1]);
        assert_ne!(c[0], c[3]);
    }

    #[test]
    fn sniffs_dicts_with_tuple_keys_only() {
        assert_eq!(sniff(b"\xfb)\x03\xfa"), Detect::Yes);
        assert_eq!(sniff(b"{(\x03\0\0\0"), Detect::Yes);
        assert_eq!(sniff(b"{0"), Detect::Yes);
        assert_eq!(sniff(b"\xfb("), Detect::NeedMore);
        assert_eq!(sniff(b"\xfb(\x03\0"), Detect::NeedMore);
        assert_eq!(sniff(b""), Detect::NeedMore);
        assert_eq!(sniff(b"{\"resourceProfiles\": []}"), Detect::No);
        assert_eq!(sniff(b"\xfb)\x02"), Detect::No);
        assert_eq!(sniff(b"{0 "), Detect::No);
    }
}
