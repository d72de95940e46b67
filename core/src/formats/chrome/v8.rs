//! V8's CPU profile (a tree of call frames plus sampled node ids and time deltas), as a
//! `.cpuprofile` holds it and as DevTools traces carry it in `ProfileChunk` events.

use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::builder::{Builder, Row};
use crate::error::{ErrorKind, Result};
use crate::formats::jsonx::{Str, error_at};
use crate::model::{Attribute, FrameId, FrameKind, NONE, ProfileInfo, SampleType, StackId};

/// One node as V8 writes it.
#[derive(Debug, Deserialize)]
pub struct NodeJson<'a> {
    /// Node id: any integer, referred to by `children`, `parent` and `samples`.
    pub id: i64,
    /// What the node runs.
    #[serde(borrow, rename = "callFrame")]
    pub call_frame: CallFrame<'a>,
    /// Child node ids (`.cpuprofile`).
    #[serde(default)]
    pub children: Option<Vec<i64>>,
    /// Parent node id (trace `ProfileChunk` nodes).
    #[serde(default)]
    pub parent: Option<i64>,
}

/// A node's call frame.
#[derive(Debug, Deserialize)]
pub struct CallFrame<'a> {
    /// Function name; empty for an anonymous function.
    #[serde(borrow, rename = "functionName", default)]
    pub function_name: Str<'a>,
    /// Script URL, empty for native code.
    #[serde(borrow, default)]
    pub url: Str<'a>,
    /// 0-based line; -1 when unknown.
    #[serde(rename = "lineNumber", default)]
    pub line_number: Option<f64>,
}

/// Nodes, samples and deltas of one V8 profile, gathered (from one object or many chunks)
/// before the tree is resolved.
#[derive(Debug, Default)]
pub struct V8Profile {
    /// Node id → position in `frame` / `parent`.
    index: FxHashMap<i64, u32>,
    /// Builder frame per node; [`NONE`] for the `(root)` node, which is dropped from stacks.
    frame: Vec<u32>,
    /// Parent node id per node, if known.
    parent: Vec<Option<i64>>,
    /// JSON path of each node, for errors.
    node_path: Vec<String>,
    /// (parent id, child id) from `children` lists.
    child_links: Vec<(i64, i64)>,
    /// Sampled node ids.
    pub samples: Vec<i64>,
    /// Microseconds since the previous sample (the first: since `start_time`).
    pub deltas: Vec<i64>,
    /// JSON path prefix of sample ranges: (first sample, path of the samples array).
    sample_paths: Vec<(usize, String)>,
    /// Profile start, microseconds.
    pub start_time: Option<f64>,
    /// Profile end, microseconds.
    pub end_time: Option<f64>,
}

impl V8Profile {
    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.frame.len()
    }

    /// Add a node read at `path`.
    pub fn add_node(
        &mut self,
        b: &mut Builder<'_>,
        node: NodeJson<'_>,
        path: impl FnOnce() -> String,
    ) -> std::result::Result<(), String> {
        let pos = self.frame.len() as u32;
        if self.index.insert(node.id, pos).is_some() {
            return Err(format!("node id {} appears twice", node.id));
        }
        let name = node.call_frame.function_name.0.as_ref();
        let url = node.call_frame.url.0.as_ref();
        let frame = if name == "(root)" && url.is_empty() {
            NONE
        } else {
            let name = if name.is_empty() { "(anonymous)" } else { name };
            let line = node
                .call_frame
                .line_number
                .filter(|l| *l >= 0.0 && *l < u32::MAX as f64)
                .map_or(0, |l| l as u32 + 1);
            // V8's own entries, `(program)`, `(idle)`, `(garbage collector)`, have no script.
            let kind = if url.is_empty() && name.starts_with('(') {
                FrameKind::Unknown
            } else {
                FrameKind::Interpreted
            };
            let f = b.function(name, url);
            b.frame(f, line, kind).get()
        };
        self.frame.push(frame);
        self.parent.push(node.parent);
        self.node_path.push(path());
        for child in node.children.into_iter().flatten() {
            self.child_links.push((node.id, child));
        }
        Ok(())
    }

    /// Note that samples from here on were read from the array at `path`.
    pub fn samples_at(&mut self, path: String) {
        self.sample_paths.push((self.samples.len(), path));
    }

    fn sample_path(&self, i: usize) -> String {
        let at = self.sample_paths.partition_point(|(start, _)| *start <= i);
        match at.checked_sub(1).map(|k| &self.sample_paths[k]) {
            Some((start, path)) => format!("{path}[{}]", i - start),
            None => format!("$.samples[{i}]"),
        }
    }

    /// Resolve the tree and add the samples as two profiles: time-weighted
    /// `cpu/nanoseconds` (each sample weighs the time until the next one, as DevTools counts
    /// self time) and `samples/count`.
    pub fn emit(self, b: &mut Builder<'_>, attrs: Vec<Attribute>) -> Result<()> {
        let format = b.format;
        let n = self.frame.len();
        let mut parent = vec![NONE; n];
        for (pos, p) in self.parent.iter().enumerate() {
            if let Some(p) = p {
                let Some(&pp) = self.index.get(p) else {
                    return Err(error_at(
                        format,
                        ErrorKind::Malformed,
                        format!("{}.parent", self.node_path[pos]),
                        format!("parent node id {p} is not in the profile"),
                    ));
                };
                parent[pos] = pp;
            }
        }
        for &(from, to) in &self.child_links {
            let p = self.index[&from];
            let Some(&c) = self.index.get(&to) else {
                return Err(error_at(
                    format,
                    ErrorKind::Malformed,
                    format!("{}.children", self.node_path[p as usize]),
                    format!("child node id {to} is not in the profile"),
                ));
            };
            if parent[c as usize] != NONE && parent[c as usize] != p {
                return Err(error_at(
                    format,
                    ErrorKind::Malformed,
                    format!("{}.children", self.node_path[p as usize]),
                    format!("node id {to} has two parents"),
                ));
            }
            parent[c as usize] = p;
        }
        let stacks = self.node_stacks(b, &parent)?;

        // Sample weights: the delta after each sample; the last one lasts until endTime.
        let times: Vec<i64> = self
            .deltas
            .iter()
            .scan(0i64, |t, d| {
                *t = t.saturating_add(*d);
                Some(*t)
            })
            .collect();
        if self.deltas.len() != self.samples.len() {
            b.diags.push(
                format,
                "the numbers of samples and time deltas differ; samples without a delta weigh nothing",
            );
        }
        let start_ns = self.start_time.filter(|t| t.is_finite() && *t > 0.0);
        let base = start_ns.map_or(0, |t| (t * 1000.0) as u64);
        let end_rel = match (self.start_time, self.end_time) {
            (Some(s), Some(e)) if e.is_finite() && s.is_finite() => Some((e - s) as i64),
            _ => None,
        };
        let mut negative = false;
        let weight = |i: usize, negative: &mut bool| -> i64 {
            let next =
                times
                    .get(i + 1)
                    .copied()
                    .or(if i + 1 == times.len() { end_rel } else { None });
            let w = match (times.get(i), next) {
                (Some(t), Some(n)) => n.saturating_sub(*t),
                _ => 0,
            };
            if w < 0 {
                *negative = true;
            }
            w.max(0).saturating_mul(1000)
        };
        let mut resolved = Vec::with_capacity(self.samples.len());
        for (i, id) in self.samples.iter().enumerate() {
            let Some(&pos) = self.index.get(id) else {
                return Err(error_at(
                    format,
                    ErrorKind::Malformed,
                    self.sample_path(i),
                    format!("sample refers to node id {id}, which is not in the profile"),
                ));
            };
            let time = times
                .get(i)
                .map_or(0, |t| base.saturating_add_signed(t.saturating_mul(1000)));
            resolved.push((stacks[pos as usize], time, weight(i, &mut negative)));
        }
        if negative {
            b.diags.push(
                format,
                "some time deltas go backwards; those samples weigh nothing",
            );
        }
        let attrs = b.attr_set(attrs);
        let duration = match (self.start_time, self.end_time) {
            (Some(s), Some(e)) if e > s => ((e - s) * 1000.0) as u64,
            _ => 0,
        };
        for (name, unit) in [("cpu", "nanoseconds"), ("samples", "count")] {
            let info = ProfileInfo {
                time_unix_nano: base,
                duration_nano: duration,
                ..Default::default()
            };
            b.begin_profile(
                info,
                SampleType {
                    name: name.into(),
                    unit: unit.into(),
                },
            );
            b.reserve_rows(resolved.len() as u64);
            for &(stack, time, w) in &resolved {
                b.row(Row {
                    stack: StackId::from_raw(stack),
                    value: if name == "cpu" { w } else { 1 },
                    time,
                    link: None,
                    attrs,
                })?;
            }
        }
        Ok(())
    }

    /// The stack of every node, walking parents once each; a cycle is an error.
    fn node_stacks(&self, b: &mut Builder<'_>, parent: &[u32]) -> Result<Vec<u32>> {
        const TODO: u32 = u32::MAX;
        const BUSY: u32 = u32::MAX - 1;
        let n = parent.len();
        let max = b.limits().max_stack_depth.max(2) as usize;
        let mut stack = vec![TODO; n];
        let mut depth = vec![0u32; n];
        let mut walk = Vec::new();
        let mut deep = false;
        for start in 0..n {
            let mut at = start as u32;
            // Up to a node already done (or the root), marking the way.
            while at != NONE && stack[at as usize] == TODO {
                stack[at as usize] = BUSY;
                walk.push(at);
                at = parent[at as usize];
            }
            if at != NONE && stack[at as usize] == BUSY {
                return Err(error_at(
                    b.format,
                    ErrorKind::Malformed,
                    format!("{}.parent", self.node_path[at as usize]),
                    "the parent links of the nodes form a cycle",
                ));
            }
            let (mut s, mut d) = if at == NONE {
                (NONE, 0)
            } else {
                (stack[at as usize], depth[at as usize])
            };
            while let Some(node) = walk.pop() {
                let frame = self.frame[node as usize];
                if frame != NONE {
                    d += 1;
                    if d as usize > max {
                        // Cut at the leaf side: a tree deeper than the limit costs no more
                        // than the limit per node.
                        deep = true;
                    } else {
                        s = b
                            .child_stack(StackId::from_raw(s), FrameId::new(frame))
                            .get();
                    }
                }
                stack[node as usize] = s;
                depth[node as usize] = d;
            }
        }
        if deep {
            b.diags.push(
                b.format,
                format!("call trees deeper than {max} frames were cut at that depth"),
            );
        }
        Ok(stack)
    }
}
