//! Call-tree transforms: a stack of rewrites applied to the stacks before aggregation, as the
//! Firefox Profiler has them (focus on a function or subtree, merge or drop a function,
//! collapse recursion or a package, hide library code).
//!
//! A [`Transforms`] stack is applied once with [`ProfileSet::transform`], which rewrites the
//! stack table transform by transform (each step O(stacks), a hash lookup per stack) into
//! a [`Transformed`]: a new stack table, with the frames and functions it needs, and a
//! mapping from every original stack to its new stack, to the empty stack, or to "drop the
//! sample". Sample rows are never touched: [`ProfileSet::call_tree_with`],
//! [`ProfileSet::inverted_call_tree_with`] and [`ProfileSet::folded_with`] sum the filter's
//! weights per original stack and move them through the mapping, so a filter change costs
//! no more than without transforms, and the transformed tree is a plain [`CallTree`].
//!
//! Functions are named by [`FunctionKey`] (name and file), which survives a reload, so a
//! stack can live in the address: [`Transforms::to_hash_string`] and [`Transforms::parse`].
//!
//! What each transform does, on a stack written root first:
//!
//! | transform | effect |
//! |---|---|
//! | [`Transform::FocusFunction`] | keep samples whose stack has `f`; cut everything above the outermost `f`, so `f` is the root and every path through it is merged |
//! | [`Transform::FocusSubtree`] | keep samples whose stack starts with the path; the path's last function becomes the root (samples on the path's strict prefixes are dropped) |
//! | [`Transform::MergeFunction`] | remove every `f` frame: its callees hang from its caller, its self weight goes to its caller |
//! | [`Transform::DropFunction`] | drop samples whose stack has `f` |
//! | [`Transform::CollapseRecursion`] | between the outermost `f` and the innermost, drop every frame (other functions too): `a;f;g;f;h` becomes `a;f;h` |
//! | [`Transform::CollapseDirectRecursion`] | `f` calling `f` directly becomes one `f`: `f;f;g;f` becomes `f;g;f` |
//! | [`Transform::CollapsePackage`] | each run of consecutive frames of the package becomes one frame named after the package, with file [`COLLAPSED_PACKAGE_FILE`] |
//! | [`Transform::OnlyMyCode`] | remove frames of the listed packages, except that a run of them at the leaf end keeps its outermost frame: the library call your code made, which gets the run's self weight |
//!
//! Packages are [`crate::package::package_of`]'s, the rule colour-by-package uses, so the two agree;
//! a collapsed frame's package is its own name.

use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::filter::Filter;
use crate::model::{
    Frame, FrameKind, Function, FunctionId, NONE, ProfileSet, StackPaths, StackTable, StringId,
};
use crate::navigate::FunctionKey;
use crate::package::package_of;
use crate::tree::{CallTree, Tables, folded_over};
use crate::view_hash::{percent_decode, percent_encode};

pub use crate::package::COLLAPSED_PACKAGE_FILE;

/// Most transforms [`Transforms::parse`] reads, and most functions in a subtree path: an
/// address is short, and each transform costs a pass over the stacks.
pub const MAX_TRANSFORMS: usize = 256;

/// One stack rewrite. See the [module docs](self) for what each does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Transform {
    /// Every stack through the function, rooted at its outermost call, merged.
    FocusFunction(FunctionKey),
    /// The subtree at this path of functions from the root.
    FocusSubtree(Vec<FunctionKey>),
    /// Hide the function: its self weight goes to its caller.
    MergeFunction(FunctionKey),
    /// Drop the samples whose stack contains the function.
    DropFunction(FunctionKey),
    /// Keep only the outermost call of the function, with whatever it calls last.
    CollapseRecursion(FunctionKey),
    /// Merge the function's direct calls to itself.
    CollapseDirectRecursion(FunctionKey),
    /// Consecutive frames of this package become one frame.
    CollapsePackage(String),
    /// Hide the frames of these (library) packages.
    OnlyMyCode(Vec<String>),
}

/// A stack of transforms, applied first to last.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Transforms(pub Vec<Transform>);

/// Stack-map entry of a sample to drop (next to [`NONE`], the empty stack).
const DROPPED: u32 = u32::MAX - 1;

/// A transformed stack table and the mapping into it, from [`ProfileSet::transform`].
#[derive(Debug, Clone)]
pub struct Transformed {
    strings: Arc<Vec<String>>,
    functions: Vec<Function>,
    frames: Vec<Frame>,
    stacks: StackTable,
    /// Per original stack: new stack id, [`NONE`] (empty stack) or [`DROPPED`].
    map: Vec<u32>,
    /// Where samples with no stack go: [`NONE`] or [`DROPPED`].
    stackless: u32,
    /// The new stacks' call paths, made on the first call tree.
    paths: OnceLock<StackPaths>,
}

impl Transformed {
    /// The new stack of original stack `stack` ([`NONE`] for a sample with no stack):
    /// `Some(NONE)` for the empty stack, `None` when the sample is dropped.
    pub fn map(&self, stack: u32) -> Option<u32> {
        let m = if stack == NONE {
            self.stackless
        } else {
            self.map.get(stack as usize).copied().unwrap_or(DROPPED)
        };
        (m != DROPPED).then_some(m)
    }

    /// The new stack table (a root-first prefix tree, as [`ProfileSet::stacks`]).
    pub fn stacks(&self) -> &StackTable {
        &self.stacks
    }

    /// Frames the new stacks refer to: the set's, then any the transforms made.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// Functions the frames refer to: the set's, then any the transforms made.
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// Strings the functions refer to.
    pub fn strings(&self) -> &Arc<Vec<String>> {
        &self.strings
    }

    /// Whether original stack `stack` maps to a stack containing a function with `key`,
    /// for every original stack (`false` for dropped ones): one pass over the new stacks.
    pub fn stacks_containing(&self, key: &FunctionKey) -> Vec<bool> {
        let is_f = self.matches(key);
        let st = &self.stacks;
        let mut has = vec![false; st.len()];
        for s in 0..st.len() {
            let p = st.parent[s];
            has[s] = (p != NONE && has[p as usize])
                || is_f[self.frames[st.frame[s] as usize].function.index()];
        }
        self.map
            .iter()
            .map(|&m| m != NONE && m != DROPPED && has[m as usize])
            .collect()
    }

    pub(crate) fn tables(&self) -> Tables<'_> {
        Tables {
            strings: &self.strings,
            functions: &self.functions,
            frames: &self.frames,
            stacks: &self.stacks,
            paths: &self.paths,
        }
    }

    /// Per function id: whether it has `key`.
    pub(crate) fn matches(&self, key: &FunctionKey) -> Vec<bool> {
        let s = &self.strings;
        self.functions
            .iter()
            .map(|f| {
                s.get(f.name.index()).is_some_and(|n| *n == key.0)
                    && s.get(f.file.index()).is_some_and(|n| *n == key.1)
            })
            .collect()
    }

    /// Per frame: whether its function's package is one of `packages`.
    fn in_packages(&self, packages: &[String]) -> Vec<bool> {
        let s = &self.strings;
        let text = |id: StringId| s.get(id.index()).map_or("", String::as_str);
        self.frames
            .iter()
            .map(|fr| {
                let f = &self.functions[fr.function.index()];
                let pkg = package_of(text(f.name), text(f.file), fr.kind);
                packages.iter().any(|p| p == pkg)
            })
            .collect()
    }

    fn string(&mut self, text: &str) -> StringId {
        if let Some(i) = self.strings.iter().position(|s| s == text) {
            return StringId::from_index(i);
        }
        let strings = Arc::make_mut(&mut self.strings);
        strings.push(text.to_owned());
        StringId::from_index(strings.len() - 1)
    }

    /// Apply one transform: rewrite the stack table and compose the mapping.
    pub(crate) fn apply(&mut self, t: &Transform) {
        let old = std::mem::take(&mut self.stacks);
        let n = old.len();
        let mut out = NewStacks::with_capacity(n);
        let mut new = vec![DROPPED; n];
        let parent_new = |new: &[u32], p: u32| if p == NONE { NONE } else { new[p as usize] };
        let func_of = |frames: &[Frame], s: usize| frames[old.frame[s] as usize].function.index();
        // Where the empty stack goes.
        let mut empty = NONE;
        match t {
            Transform::DropFunction(key) | Transform::MergeFunction(key) => {
                let is_f = self.matches(key);
                let merge = matches!(t, Transform::MergeFunction(_));
                for s in 0..n {
                    let pn = parent_new(&new, old.parent[s]);
                    let f = is_f[func_of(&self.frames, s)];
                    new[s] = match (pn, f, merge) {
                        (DROPPED, _, _) | (_, true, false) => DROPPED,
                        (_, true, true) => pn,
                        _ => out.intern(pn, old.frame[s]),
                    };
                }
            }
            Transform::FocusFunction(key) => {
                empty = DROPPED;
                let is_f = self.matches(key);
                for s in 0..n {
                    let p = old.parent[s];
                    new[s] = if p != NONE && new[p as usize] != DROPPED {
                        out.intern(new[p as usize], old.frame[s])
                    } else if is_f[func_of(&self.frames, s)] {
                        out.intern(NONE, old.frame[s])
                    } else {
                        DROPPED
                    };
                }
            }
            Transform::FocusSubtree(path) => {
                let path = &path[..path.len().min(MAX_TRANSFORMS)];
                let k = path.len() as u32;
                if k > 0 {
                    empty = DROPPED;
                }
                // Per function, which distinct path key it has; the path as key numbers.
                let mut key_no: FxHashMap<(&str, &str), u32> = FxHashMap::default();
                let path_no: Vec<u32> = path
                    .iter()
                    .map(|(name, file)| {
                        let next = key_no.len() as u32;
                        *key_no.entry((name.as_str(), file.as_str())).or_insert(next)
                    })
                    .collect();
                let text = |id: StringId| self.strings.get(id.index()).map_or("", String::as_str);
                let fn_key: Vec<u32> = self
                    .functions
                    .iter()
                    .map(|f| {
                        key_no
                            .get(&(text(f.name), text(f.file)))
                            .copied()
                            .unwrap_or(NONE)
                    })
                    .collect();
                // How much of the path the stack has matched; NONE when it left it.
                let mut matched = vec![NONE; n];
                for s in 0..n {
                    let p = old.parent[s];
                    let pm = if p == NONE { 0 } else { matched[p as usize] };
                    if pm == NONE {
                        continue;
                    }
                    if pm == k {
                        matched[s] = k;
                        new[s] = out.intern(parent_new(&new, p), old.frame[s]);
                    } else if fn_key[func_of(&self.frames, s)] == path_no[pm as usize] {
                        matched[s] = pm + 1;
                        if pm + 1 == k {
                            new[s] = out.intern(NONE, old.frame[s]);
                        }
                    }
                }
            }
            Transform::CollapseRecursion(key) => {
                let is_f = self.matches(key);
                // The new stack of the outermost `f` on the path, NONE if none.
                let mut outer = vec![NONE; n];
                for s in 0..n {
                    let p = old.parent[s];
                    let pn = parent_new(&new, p);
                    let po = if p == NONE { NONE } else { outer[p as usize] };
                    if is_f[func_of(&self.frames, s)] {
                        new[s] = if po != NONE {
                            po
                        } else {
                            out.intern(pn, old.frame[s])
                        };
                        outer[s] = new[s];
                    } else {
                        new[s] = out.intern(pn, old.frame[s]);
                        outer[s] = po;
                    }
                }
            }
            Transform::CollapseDirectRecursion(key) => {
                let is_f = self.matches(key);
                for s in 0..n {
                    let p = old.parent[s];
                    let f = is_f[func_of(&self.frames, s)];
                    new[s] = if f && p != NONE && is_f[func_of(&self.frames, p as usize)] {
                        new[p as usize]
                    } else {
                        out.intern(parent_new(&new, p), old.frame[s])
                    };
                }
            }
            Transform::CollapsePackage(pkg) => {
                let in_pkg = self.in_packages(std::slice::from_ref(pkg));
                let function = Function {
                    name: self.string(pkg),
                    file: self.string(COLLAPSED_PACKAGE_FILE),
                    build_id: self.string(""),
                };
                let empty = self.string("");
                let function_id = FunctionId::from_index(self.functions.len());
                self.functions.push(function);
                // One frame per kind met, made when first needed.
                let mut frame_of_kind: Vec<(FrameKind, u32)> = Vec::new();
                for s in 0..n {
                    let pn = parent_new(&new, old.parent[s]);
                    let kind = self.frames[old.frame[s] as usize].kind;
                    new[s] = if !in_pkg[old.frame[s] as usize] {
                        out.intern(pn, old.frame[s])
                    } else if pn != NONE
                        && self.frames[out.table.frame[pn as usize] as usize].function
                            == function_id
                    {
                        pn
                    } else {
                        let f = match frame_of_kind.iter().find(|(k, _)| *k == kind) {
                            Some(&(_, f)) => f,
                            None => {
                                let f = self.frames.len() as u32;
                                self.frames.push(Frame {
                                    function: function_id,
                                    line: 0,
                                    kind,
                                    frame_type: empty,
                                });
                                frame_of_kind.push((kind, f));
                                f
                            }
                        };
                        out.intern(pn, f)
                    };
                }
            }
            Transform::OnlyMyCode(packages) => {
                let in_lib = self.in_packages(packages);
                // The new stack of the user-code prefix, which callees hang from.
                let mut base = vec![NONE; n];
                for s in 0..n {
                    let p = old.parent[s];
                    let pb = if p == NONE { NONE } else { base[p as usize] };
                    if in_lib[old.frame[s] as usize] {
                        new[s] = if p != NONE && in_lib[old.frame[p as usize] as usize] {
                            new[p as usize]
                        } else {
                            out.intern(pb, old.frame[s])
                        };
                        base[s] = pb;
                    } else {
                        new[s] = out.intern(pb, old.frame[s]);
                        base[s] = new[s];
                    }
                }
            }
        }
        for m in &mut self.map {
            *m = match *m {
                DROPPED => DROPPED,
                NONE => empty,
                s => new[s as usize],
            };
        }
        if self.stackless == NONE {
            self.stackless = empty;
        }
        self.stacks = out.table;
        // Paths made for the old stacks (a clone of a table already drawn) are not these'.
        self.paths = OnceLock::new();
    }
}

/// A stack table being built, with equal (parent, frame) pairs interned to one id.
struct NewStacks {
    table: StackTable,
    ids: FxHashMap<(u32, u32), u32>,
}

impl NewStacks {
    fn with_capacity(n: usize) -> Self {
        let mut ids = FxHashMap::default();
        ids.reserve(n);
        NewStacks {
            table: StackTable {
                parent: Vec::with_capacity(n),
                frame: Vec::with_capacity(n),
            },
            ids,
        }
    }

    /// The stack `parent` + `frame` ([`DROPPED`] stays dropped).
    fn intern(&mut self, parent: u32, frame: u32) -> u32 {
        if parent == DROPPED {
            return DROPPED;
        }
        let t = &mut self.table;
        *self.ids.entry((parent, frame)).or_insert_with(|| {
            t.parent.push(parent);
            t.frame.push(frame);
            (t.frame.len() - 1) as u32
        })
    }
}

impl ProfileSet {
    /// Apply a transform stack to the stack table, once; reuse the result for every filter.
    pub fn transform(&self, transforms: &Transforms) -> Transformed {
        let mut t = Transformed {
            strings: Arc::clone(&self.strings),
            functions: self.functions.clone(),
            frames: self.frames.clone(),
            stacks: self.stacks.clone(),
            map: (0..self.stacks.len() as u32).collect(),
            stackless: NONE,
            paths: OnceLock::new(),
        };
        for transform in transforms.0.iter().take(MAX_TRANSFORMS) {
            t.apply(transform);
        }
        t
    }

    /// Total weight per *transformed* stack for the filter, plus the weight that ends on
    /// the empty stack (dropped samples count nowhere).
    pub fn stack_weights_with(
        &self,
        filter: &Filter,
        transformed: &Transformed,
    ) -> (Vec<i64>, i64) {
        let (weights, stackless) = self.stack_weights(filter);
        let mut out = vec![0i64; transformed.stacks.len()];
        let mut empty = 0i64;
        let mut add = |to: Option<u32>, w: i64| match to {
            None => {}
            Some(NONE) => empty = empty.saturating_add(w),
            Some(s) => out[s as usize] = out[s as usize].saturating_add(w),
        };
        for (s, &w) in weights.iter().enumerate() {
            if w != 0 {
                add(transformed.map(s as u32), w);
            }
        }
        if stackless != 0 {
            add(transformed.map(NONE), stackless);
        }
        (out, empty)
    }

    /// [`ProfileSet::call_tree`] of the transformed stacks.
    pub fn call_tree_with(&self, filter: &Filter, transformed: &Transformed) -> CallTree {
        let (weights, empty) = self.stack_weights_with(filter, transformed);
        self.call_tree_over(transformed.tables(), filter, &weights, empty)
    }

    /// [`ProfileSet::inverted_call_tree`] of the transformed stacks.
    pub fn inverted_call_tree_with(&self, filter: &Filter, transformed: &Transformed) -> CallTree {
        let (weights, empty) = self.stack_weights_with(filter, transformed);
        self.inverted_call_tree_over(transformed.tables(), filter, &weights, empty)
    }

    /// [`ProfileSet::folded`] of the transformed stacks.
    pub fn folded_with(&self, filter: &Filter, transformed: &Transformed) -> Vec<(String, i64)> {
        let (weights, empty) = self.stack_weights_with(filter, transformed);
        folded_over(transformed.tables(), &weights, empty)
    }
}

// ------------------------------------------------------------------------------------------
// The text form.

impl Transform {
    /// The short code of the text form.
    fn code(&self) -> &'static str {
        match self {
            Transform::FocusFunction(_) => "ff",
            Transform::FocusSubtree(_) => "fs",
            Transform::MergeFunction(_) => "mf",
            Transform::DropFunction(_) => "df",
            Transform::CollapseRecursion(_) => "rec",
            Transform::CollapseDirectRecursion(_) => "drec",
            Transform::CollapsePackage(_) => "cp",
            Transform::OnlyMyCode(_) => "omc",
        }
    }
}

fn key_text((name, file): &FunctionKey) -> String {
    if file.is_empty() {
        percent_encode(name)
    } else {
        format!("{}@{}", percent_encode(name), percent_encode(file))
    }
}

fn parse_key(text: &str) -> FunctionKey {
    let (name, file) = text.split_once('@').unwrap_or((text, ""));
    (percent_decode(name, false), percent_decode(file, false))
}

impl Transforms {
    /// The compact text form, safe in an address's hash as it is (no `&`, `=` or `#`):
    /// transforms joined by `;`, each `code:arguments` with arguments joined by `,` and a
    /// function written `name@file` (`name` alone when the file is empty), names and files
    /// URI-encoded. Codes: `ff` focus function, `fs` focus subtree, `mf` merge, `df` drop,
    /// `rec` collapse recursion, `drec` collapse direct recursion, `cp` collapse package,
    /// `omc` only my code. For example `mf:wait@threading.py;ff:fib@app.py`.
    pub fn to_hash_string(&self) -> String {
        self.0
            .iter()
            .map(|t| {
                let args = match t {
                    Transform::FocusFunction(k)
                    | Transform::MergeFunction(k)
                    | Transform::DropFunction(k)
                    | Transform::CollapseRecursion(k)
                    | Transform::CollapseDirectRecursion(k) => key_text(k),
                    Transform::FocusSubtree(path) => {
                        path.iter().map(key_text).collect::<Vec<_>>().join(",")
                    }
                    Transform::CollapsePackage(p) => percent_encode(p),
                    Transform::OnlyMyCode(ps) => ps
                        .iter()
                        .map(|p| percent_encode(p))
                        .collect::<Vec<_>>()
                        .join(","),
                };
                format!("{}:{args}", t.code())
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Read [`Transforms::to_hash_string`]'s form. An unknown code or a missing argument is
    /// an error naming it; at most [`MAX_TRANSFORMS`] transforms are read.
    pub fn parse(text: &str) -> Result<Transforms, String> {
        let mut out = Vec::new();
        for part in text.split(';').filter(|p| !p.is_empty()) {
            if out.len() == MAX_TRANSFORMS {
                return Err(format!("more than {MAX_TRANSFORMS} transforms"));
            }
            let (code, args) = part
                .split_once(':')
                .ok_or_else(|| format!("transform {part:?} has no `code:` prefix"))?;
            let one = || -> Result<FunctionKey, String> {
                if args.is_empty() {
                    return Err(format!("transform {code:?} needs a function"));
                }
                Ok(parse_key(args))
            };
            let list = || -> Vec<&str> { args.split(',').filter(|a| !a.is_empty()).collect() };
            out.push(match code {
                "ff" => Transform::FocusFunction(one()?),
                "mf" => Transform::MergeFunction(one()?),
                "df" => Transform::DropFunction(one()?),
                "rec" => Transform::CollapseRecursion(one()?),
                "drec" => Transform::CollapseDirectRecursion(one()?),
                "fs" => {
                    let path: Vec<FunctionKey> = list().into_iter().map(parse_key).collect();
                    if path.len() > MAX_TRANSFORMS {
                        return Err(format!("a subtree path of more than {MAX_TRANSFORMS}"));
                    }
                    Transform::FocusSubtree(path)
                }
                "cp" if !args.is_empty() => Transform::CollapsePackage(percent_decode(args, false)),
                "omc" => Transform::OnlyMyCode(
                    list()
                        .into_iter()
                        .map(|p| percent_decode(p, false))
                        .collect(),
                ),
                "cp" => return Err("transform \"cp\" needs a package".into()),
                other => return Err(format!("unknown transform {other:?}")),
            });
        }
        Ok(Transforms(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, file: &str) -> FunctionKey {
        (name.to_owned(), file.to_owned())
    }

    #[test]
    fn text_form_round_trips_awkward_names() {
        let t = Transforms(vec![
            Transform::FocusFunction(key("a;b,c@d:e%f", "/x y/z.py")),
            Transform::FocusSubtree(vec![key("<module>", ""), key("std::vec::Vec<T>::push", "")]),
            Transform::FocusSubtree(vec![]),
            Transform::MergeFunction(key("é", "")),
            Transform::DropFunction(key("wait", "threading.py")),
            Transform::CollapseRecursion(key("fib", "app.py")),
            Transform::CollapseDirectRecursion(key("walk (w.py:35)", "")),
            Transform::CollapsePackage("java.util".into()),
            Transform::OnlyMyCode(vec!["requests".into(), "a,b".into()]),
            Transform::OnlyMyCode(vec![]),
        ]);
        let text = t.to_hash_string();
        assert!(!text.contains(['&', '=', '#', ' ']), "{text}");
        assert_eq!(Transforms::parse(&text), Ok(t));
        assert_eq!(
            Transforms::parse("mf:wait@threading.py;ff:fib").unwrap().0,
            vec![
                Transform::MergeFunction(key("wait", "threading.py")),
                Transform::FocusFunction(key("fib", "")),
            ]
        );
        assert_eq!(Transforms::parse(""), Ok(Transforms::default()));
    }

    #[test]
    fn bad_text_is_an_error() {
        for bad in ["zz:f", "ff", "ff:", "cp:", ";;mf"] {
            assert!(Transforms::parse(bad).is_err(), "{bad}");
        }
        let many = vec!["df:x"; MAX_TRANSFORMS + 1].join(";");
        assert!(Transforms::parse(&many).is_err());
    }
}
