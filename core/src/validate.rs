//! The invariants of the decoded model, checked in one pass.
//!
//! Filters, trees and layouts index tables by the ids they find in other tables without
//! checking, which is what makes them fast; so every set they see must hold these. The
//! importers build sets that do (through [`crate::builder::Builder`]), and
//! [`crate::formats::load`] checks anyway, so an importer's bug is an error naming the
//! broken entry rather than a panic far away; [`crate::transfer::unpack`] checks what
//! another thread sent. Both checks are linear in the size of the set and allocate only a
//! bitmap of the spans.

use crate::error::{At, Error, ErrorKind, Format, Result};
use crate::model::{NONE, ProfileSet, Times};
use crate::trace::{Span, TraceSet};

fn broken(format: Format, column: &'static str, index: usize, message: String) -> Error {
    Error {
        format,
        at: At::Model {
            column,
            index: index as u64,
        },
        kind: ErrorKind::Malformed,
        message: format!("the decoded data breaks an invariant: {message}"),
    }
}

/// `id` indexes a table of `len` entries (or is [`NONE`] where `none_ok`).
fn check_id(
    format: Format,
    column: &'static str,
    index: usize,
    id: u32,
    len: usize,
    none_ok: bool,
) -> Result<()> {
    if (id as usize) < len || (none_ok && id == NONE) {
        return Ok(());
    }
    Err(broken(
        format,
        column,
        index,
        format!("{column}[{index}] is {id}, past the end of its table ({len} entries)"),
    ))
}

impl ProfileSet {
    /// Check the invariants every reader of the set relies on:
    ///
    /// * every id column is in range of the table it points into (function names, files and
    ///   build ids and frames' frame types in `strings`, frame functions in `functions`,
    ///   stack frames in `frames`, a sample's stack and link in theirs or [`NONE`], its
    ///   attribute set in `attr_sets`, a profile's resource and sample type in theirs);
    /// * the stack tree is a prefix tree in order: a stack's parent comes before it;
    /// * the columns of one table have one length, and `function_calls` is empty or has
    ///   one entry per function;
    /// * the profiles' sample ranges tile the rows in order, from row 0 to the last row, so
    ///   a row's profile is the one whose range holds it;
    /// * the value column has a row per stack row, and the time, link and attribute-set
    ///   columns one per row or none (absent).
    ///
    /// The error is located at the first broken entry ([`At::Model`]).
    pub fn validate(&self) -> Result<()> {
        let f = self.format;
        let strings = self.strings.len();
        for (i, func) in self.functions.iter().enumerate() {
            check_id(f, "functions.name", i, func.name.get(), strings, false)?;
            check_id(f, "functions.file", i, func.file.get(), strings, false)?;
            check_id(
                f,
                "functions.build_id",
                i,
                func.build_id.get(),
                strings,
                false,
            )?;
        }
        for (i, frame) in self.frames.iter().enumerate() {
            check_id(
                f,
                "frames.frame_type",
                i,
                frame.frame_type.get(),
                strings,
                false,
            )?;
            check_id(
                f,
                "frames.function",
                i,
                frame.function.get(),
                self.functions.len(),
                false,
            )?;
        }
        let calls = self.function_calls.len();
        if calls != 0 && calls != self.functions.len() {
            return Err(broken(
                f,
                "function_calls",
                calls.min(self.functions.len()),
                format!("{calls} call counts for {} functions", self.functions.len()),
            ));
        }
        let stacks = &self.stacks;
        if stacks.parent.len() != stacks.frame.len() {
            return Err(broken(
                f,
                "stacks.parent",
                stacks.parent.len().min(stacks.frame.len()),
                format!(
                    "{} stack parents for {} stack frames",
                    stacks.parent.len(),
                    stacks.frame.len()
                ),
            ));
        }
        for (s, (&parent, &frame)) in stacks.parent.iter().zip(&stacks.frame).enumerate() {
            check_id(f, "stacks.frame", s, frame, self.frames.len(), false)?;
            // A call tree is built in one forward pass over the stacks.
            if parent != NONE && parent as usize >= s {
                return Err(broken(
                    f,
                    "stacks.parent",
                    s,
                    format!("stack {s}'s parent {parent} does not come before it"),
                ));
            }
        }

        let samples = &self.samples;
        let rows = samples.len();
        // The value column has every row; the others have every row or none (absent). Packed
        // times have two columns, which both must have every row.
        let (time_high, packed) = match &samples.time {
            Times::Packed { high, .. } => (high.len(), true),
            _ => (rows, false),
        };
        for (column, len, may_be_absent) in [
            ("samples.value", samples.value.len(), false),
            ("samples.time", samples.time.len(), !packed),
            ("samples.time", time_high, false),
            ("samples.link", samples.link.len(), true),
            ("samples.attrs", samples.attrs.len(), true),
        ] {
            if len != rows && !(may_be_absent && len == 0) {
                return Err(broken(
                    f,
                    column,
                    len.min(rows),
                    format!("{column} has {len} rows, samples.stack {rows}"),
                ));
            }
        }
        let mut next = 0u32;
        for (i, p) in self.profiles.iter().enumerate() {
            check_id(
                f,
                "profiles.resource",
                i,
                p.resource.get(),
                self.resources.len(),
                false,
            )?;
            let types = self.sample_types.len();
            check_id(
                f,
                "profiles.sample_type",
                i,
                p.sample_type.get(),
                types,
                false,
            )?;
            let range = &p.samples;
            if range.start != next || range.end < range.start || range.end as usize > rows {
                return Err(broken(
                    f,
                    "profiles.samples",
                    i,
                    format!(
                        "profile {i} holds rows {range:?}; it should start at row {next}, where the one before it ends, and end by row {rows}"
                    ),
                ));
            }
            next = range.end;
        }
        if next as usize != rows {
            return Err(broken(
                f,
                "profiles.samples",
                self.profiles.len().saturating_sub(1),
                format!("rows {next}..{rows} belong to no profile"),
            ));
        }
        let (n_stacks, n_links, n_sets) = (stacks.len(), self.links.len(), self.attr_sets.len());
        // The common case, every row fine, is a branch-free pass per column (the largest id);
        // only a broken column is searched for its first bad row.
        let first_bad = |column: &[u32], n: usize, none_ok: bool| {
            let skip = if none_ok { NONE } else { 0 };
            let max = column
                .iter()
                .fold(0u32, |m, &id| m.max(if id == skip { 0 } else { id }));
            if (max as usize) < n || column.is_empty() {
                return None;
            }
            column
                .iter()
                .position(|&id| !(none_ok && id == NONE) && id as usize >= n)
        };
        let bad_row = [
            first_bad(&samples.stack, n_stacks, true),
            first_bad(&samples.link, n_links, true),
            first_bad(&samples.attrs, n_sets, false),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(row) = bad_row {
            check_id(f, "samples.stack", row, samples.stack(row), n_stacks, true)?;
            check_id(f, "samples.link", row, samples.link(row), n_links, true)?;
            check_id(f, "samples.attrs", row, samples.attrs(row), n_sets, false)?;
        }
        Ok(())
    }
}

/// Every span's parent is [`NONE`] or a span of the set: what
/// [`TraceSet::from_spans`] needs before it can link children.
pub(crate) fn span_parents(format: Format, spans: &[Span]) -> Result<()> {
    for (i, s) in spans.iter().enumerate() {
        check_id(format, "spans.parent", i, s.parent, spans.len(), true)?;
    }
    Ok(())
}

impl TraceSet {
    /// Check the invariants the span views rely on: every parent is [`NONE`] or a span of
    /// the set; `children` has one list per span and, with `roots`, lists every span exactly
    /// once, under its parent (roots: no parent); and depths count from 0 at the roots, one
    /// more per level, which also rules out a cycle of parents.
    ///
    /// The error is located at the first broken entry ([`At::Model`]).
    pub fn validate(&self) -> Result<()> {
        let f = self.format.unwrap_or(Format::Unknown);
        let spans = &self.spans;
        let n = spans.len();
        span_parents(f, spans)?;
        for (i, s) in spans.iter().enumerate() {
            let want = match s.parent {
                NONE => 0,
                p => spans[p as usize].depth.saturating_add(1),
            };
            if s.depth != want {
                return Err(broken(
                    f,
                    "spans.depth",
                    i,
                    format!("span {i} has depth {}, not {want}", s.depth),
                ));
            }
        }
        if self.children.len() != n {
            return Err(broken(
                f,
                "children",
                self.children.len().min(n),
                format!("{} child lists for {n} spans", self.children.len()),
            ));
        }
        let mut listed = vec![false; n];
        // Span `c`, found at `column[index]`, should have `parent` and not be listed yet.
        let mut list = |column: &'static str, index: usize, parent: u32, c: u32| {
            let ok = spans.get(c as usize).is_some_and(|s| s.parent == parent);
            if ok && !std::mem::replace(&mut listed[c as usize], true) {
                return Ok(());
            }
            let under = match parent {
                NONE => "a root".to_owned(),
                p => format!("a child of span {p}"),
            };
            Err(broken(
                f,
                column,
                index,
                format!("span {c} is listed as {under}, which it is not, or twice"),
            ))
        };
        for (p, kids) in self.children.iter().enumerate() {
            for &c in kids {
                list("children", p, p as u32, c.get())?;
            }
        }
        for (k, &r) in self.roots.iter().enumerate() {
            list("roots", k, NONE, r.get())?;
        }
        if let Some(i) = listed.iter().position(|&l| !l) {
            return Err(broken(
                f,
                "spans.parent",
                i,
                format!("span {i} is in no child list and not a root"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{Loaded, load};
    use crate::limits::Limits;
    use crate::model::{FunctionId, SampleTypeId, StringId};

    fn fixture(rel: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn profiles() -> ProfileSet {
        let bytes = fixture("otlp/python-ext-0.63b4-file/profiles.v1_10.binpb");
        match load(&bytes, &Limits::default()).unwrap() {
            Loaded::Profiles(set) => set,
            Loaded::Traces(_) => panic!("read as traces"),
        }
    }

    fn traces() -> TraceSet {
        let bytes = fixture("otlp/python-ext-0.63b4-file/traces.json");
        match load(&bytes, &Limits::default()).unwrap() {
            Loaded::Traces(set) => set,
            Loaded::Profiles(_) => panic!("read as profiles"),
        }
    }

    /// The located error for a corrupted copy of the fixture.
    fn broken_at(corrupt: impl FnOnce(&mut ProfileSet)) -> (At, String) {
        let mut set = profiles();
        corrupt(&mut set);
        let e = set
            .validate()
            .expect_err("a corrupted set must not validate");
        assert_eq!(e.format, Format::OtlpProfilesBinary);
        assert_eq!(e.kind, ErrorKind::Malformed);
        (e.at, e.message)
    }

    fn model(column: &'static str, index: usize) -> At {
        At::Model {
            column,
            index: index as u64,
        }
    }

    #[test]
    fn what_load_returns_validates() {
        profiles().validate().unwrap();
        traces().validate().unwrap();
    }

    #[test]
    fn corrupted_profiles_are_located() {
        let (at, message) = broken_at(|s| {
            let last = s.stacks.parent.len() - 1;
            s.stacks.parent[3] = last as u32;
        });
        assert_eq!(at, model("stacks.parent", 3));
        assert!(message.contains("does not come before it"), "{message}");

        let (at, _) = broken_at(|s| s.functions[2].name = StringId::from_index(s.strings.len()));
        assert_eq!(at, model("functions.name", 2));
        let (at, _) = broken_at(|s| s.frames[1].function = FunctionId::new(NONE));
        assert_eq!(at, model("frames.function", 1));
        let (at, _) = broken_at(|s| s.samples.stack[7] = s.stacks.len() as u32);
        assert_eq!(at, model("samples.stack", 7));
        let (at, _) = broken_at(|s| s.samples.link[5] = s.links.len() as u32);
        assert_eq!(at, model("samples.link", 5));
        let (at, _) = broken_at(|s| s.samples.attrs[4] = NONE);
        assert_eq!(at, model("samples.attrs", 4));
        let (at, _) = broken_at(|s| s.profiles[0].sample_type = SampleTypeId::new(9));
        assert_eq!(at, model("profiles.sample_type", 0));
        let (at, _) = broken_at(|s| s.profiles[0].resource = crate::model::ResourceId::new(9));
        assert_eq!(at, model("profiles.resource", 0));
        let (at, _) = broken_at(|s| {
            let Times::Packed { high, .. } = &mut s.samples.time else {
                panic!("the fixture's times are packed");
            };
            high.pop();
        });
        assert_eq!(at.to_string(), format!("samples.time[{}]", s_rows() - 1));
        // Ranges must tile the rows: a profile that stops short leaves rows to no one.
        let (at, message) = broken_at(|s| s.profiles.last_mut().unwrap().samples.end -= 1);
        assert_eq!(at, model("profiles.samples", profiles().profiles.len() - 1));
        assert!(message.contains("belong to no profile"), "{message}");
        // An absent column is fine; one of another length is not.
        let (at, _) = broken_at(|s| s.samples.attrs = vec![0; 3]);
        assert_eq!(at, model("samples.attrs", 3));
        let mut absent = profiles();
        absent.samples.link.clear();
        absent.validate().unwrap();
    }

    fn s_rows() -> usize {
        profiles().samples.len()
    }

    #[test]
    fn corrupted_traces_are_located() {
        let mut set = traces();
        let n = set.spans.len() as u32;
        set.spans[2].parent = n;
        let e = set.validate().unwrap_err();
        assert_eq!(e.at, model("spans.parent", 2));

        // A child moved among the roots.
        let mut set = traces();
        let parent = set.children.iter().position(|c| !c.is_empty()).unwrap();
        let moved = set.children[parent].pop().unwrap();
        set.roots.push(moved);
        let e = set.validate().unwrap_err();
        assert_eq!(e.at, model("roots", set.roots.len() - 1), "{e}");

        // A leaf one level deeper than its parent says.
        let mut set = traces();
        let leaf = (0..set.spans.len())
            .find(|&i| set.children[i].is_empty() && set.spans[i].parent != NONE)
            .unwrap();
        set.spans[leaf].depth += 1;
        let e = set.validate().unwrap_err();
        assert_eq!(e.at, model("spans.depth", leaf), "{e}");
    }
}
