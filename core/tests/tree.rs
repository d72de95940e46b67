//! Call trees under every kind of filter, checked against folded stacks of the same filter.
//!
//! A tree is built from the stack table's cached call paths (made once, then reused by
//! every filter); the folded lines are built stack by stack from frame names. So each
//! filtered tree is checked against arithmetic over its folded lines: a node's total is the
//! weight of the lines through its path, its self weight the lines ending there, a function's
//! total counts a line once however often the function recurses in it. Several filters are
//! asked of one set in a row, so a cache that kept the wrong state would show.

mod common;

use std::collections::BTreeMap;

use common::profiles;
use spanflame_core::{
    AttrCondition, CallTree, Filter, FlameLayout, ProfileSet, SpanSelection, Transform, Transforms,
};

const PY: &str = "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb";

/// Name paths (`a;b;c`) of a tree's nodes with their summed total and self weights (nodes
/// of one name path but different files are summed, as folded text merges them).
fn tree_by_name_path(tree: &CallTree) -> BTreeMap<String, (i64, i64)> {
    let mut path_of = vec![String::new(); tree.len()];
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for n in tree.nodes().skip(1) {
        let parent = tree.parent(n).unwrap();
        let path = if parent == CallTree::ROOT {
            tree.name(n).to_string()
        } else {
            format!("{};{}", path_of[parent.index()], tree.name(n))
        };
        assert!(
            parent.index() < n.index(),
            "a parent comes before its child"
        );
        let e = out.entry(path.clone()).or_default();
        e.0 += tree.total_weight(n);
        e.1 += tree.self_weight(n);
        path_of[n.index()] = path;
    }
    out
}

/// The same from folded lines: every prefix of a line gets its weight as total, the line
/// itself as self.
fn folded_by_name_path(lines: &[(String, i64)]) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (stack, w) in lines.iter().filter(|(s, _)| s != "(no stack)") {
        let frames: Vec<&str> = stack.split(';').collect();
        for depth in 1..=frames.len() {
            let e = out.entry(frames[..depth].join(";")).or_default();
            e.0 += w;
            if depth == frames.len() {
                e.1 += w;
            }
        }
    }
    out
}

/// Per function name: self and total weight from folded lines (total once per line).
fn folded_functions(lines: &[(String, i64)]) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (stack, w) in lines.iter().filter(|(s, _)| s != "(no stack)") {
        let frames: Vec<&str> = stack.split(';').collect();
        let mut seen: Vec<&str> = Vec::new();
        for f in &frames {
            if !seen.contains(f) {
                seen.push(f);
                out.entry(f.to_string()).or_default().1 += w;
            }
        }
        out.entry(frames.last().unwrap().to_string()).or_default().0 += w;
    }
    out
}

/// Check one filtered tree (and its function table) against the folded lines.
fn check(what: &str, tree: &CallTree, lines: &[(String, i64)]) {
    let total: i64 = lines.iter().map(|(_, w)| w).sum();
    assert_eq!(tree.total(), total, "{what}: total");
    assert_eq!(
        tree_by_name_path(tree),
        folded_by_name_path(lines),
        "{what}"
    );
    // Siblings in name order, as the graph draws them.
    for n in tree.nodes() {
        let names: Vec<&str> = tree.children(n).iter().map(|&c| tree.name(c)).collect();
        assert!(
            names.is_sorted(),
            "{what}: children of {} {names:?}",
            tree.name(n)
        );
    }
    // Function stats, where names are unique per file (else the fold's text merges them).
    let stats = tree.function_stats();
    // Heaviest self weight first, then total, then name.
    for w in stats.windows(2) {
        let key = |s: &spanflame_core::FunctionStats| {
            (
                std::cmp::Reverse(s.self_weight),
                std::cmp::Reverse(s.total_weight),
                s.name.clone(),
            )
        };
        assert!(key(&w[0]) <= key(&w[1]), "{what}: functions in order");
    }
    let mut names: Vec<&str> = stats.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    let unique = names.windows(2).all(|w| w[0] != w[1]);
    if unique {
        let got: BTreeMap<String, (i64, i64)> = stats
            .iter()
            .filter(|s| s.self_weight != 0 || s.total_weight != 0)
            .map(|s| (s.name.clone(), (s.self_weight, s.total_weight)))
            .collect();
        assert_eq!(got, folded_functions(lines), "{what}: function stats");
    }
}

/// The flame graph of `tree`: one rectangle per node with weight, as wide as its share,
/// inside its parent's, rows in x order without overlap.
fn check_layout(what: &str, tree: &CallTree) {
    let layout = FlameLayout::new(tree);
    // The same rectangles as the plain row-by-row layout, whole and zoomed into nodes at
    // several depths (a tree from the call paths is laid out in one pass over its ids).
    same_layout(
        what,
        &layout,
        &FlameLayout::focused_by_rows(tree, CallTree::ROOT),
    );
    let mut focuses: Vec<_> = tree.nodes().skip(1).step_by(97).collect();
    focuses.extend(tree.nodes().skip(tree.len().saturating_sub(3)));
    for focus in focuses {
        same_layout(
            &format!("{what}, zoomed into {}", focus.index()),
            &FlameLayout::focused(tree, focus),
            &FlameLayout::focused_by_rows(tree, focus),
        );
    }
    let weighty = tree.nodes().skip(1).filter(|&n| tree.total_weight(n) > 0);
    assert_eq!(layout.rects().len(), weighty.count(), "{what}: rects");
    let mut rect_of = vec![None; tree.len()];
    for r in layout.rects() {
        assert!(
            rect_of[r.node.index()].replace(*r).is_none(),
            "{what}: twice"
        );
    }
    let total = tree.total() as f64;
    for d in 0..layout.depth_count() {
        let row = layout.row(d);
        for w in row.windows(2) {
            assert!(w[0].x1 <= w[1].x0 + 1e-12, "{what}: row {d} overlaps");
        }
        for r in row {
            assert_eq!(r.depth + 1, tree.depth(r.node), "{what}");
            let share = tree.total_weight(r.node) as f64 / total;
            assert!(((r.x1 - r.x0) - share).abs() < 1e-9, "{what}: width");
            let parent = tree.parent(r.node).unwrap();
            if let Some(p) = rect_of[parent.index()] {
                assert!(
                    p.x0 <= r.x0 + 1e-12 && r.x1 <= p.x1 + 1e-12,
                    "{what}: outside"
                );
            }
        }
    }
}

fn same_layout(what: &str, got: &FlameLayout, want: &FlameLayout) {
    assert_eq!(got.rects(), want.rects(), "{what}: rectangles");
    assert_eq!(got.depth_count(), want.depth_count(), "{what}: rows");
    for d in 0..=want.depth_count() {
        assert_eq!(got.row_range(d), want.row_range(d), "{what}: row {d}");
    }
}

/// Filters of every kind on `set`: the whole, time thirds, each attribute value of each key
/// and its exclusion, each linked span.
fn filters(set: &ProfileSet) -> Vec<(String, Filter)> {
    let mut out = vec![("all".to_string(), Filter::default())];
    if let Some((lo, hi)) = set.time_range() {
        let third = (hi - lo) / 3;
        for k in 0..3 {
            let from = lo + k * third;
            let to = if k == 2 { hi + 1 } else { from + third };
            out.push((
                format!("time third {k}"),
                Filter {
                    time: Some((from, to)),
                    ..Filter::default()
                },
            ));
        }
    }
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for attrs in &set.attr_sets {
        for a in attrs {
            let v = values.entry(a.key.clone()).or_default();
            let text = a.value.clone();
            if !v.contains(&text) && v.len() < 3 {
                v.push(text);
            }
        }
    }
    for (key, vs) in values {
        for v in vs {
            for exclude in [false, true] {
                out.push((
                    format!("{key} {} {v}", if exclude { "!=" } else { "=" }),
                    Filter {
                        conditions: vec![AttrCondition {
                            key: key.clone(),
                            values: vec![v.clone()],
                            exclude,
                        }],
                        ..Filter::default()
                    },
                ));
            }
        }
    }
    for link in set.links.iter().filter(|l| l.span_id != [0; 8]).take(8) {
        out.push((
            format!("span {}", link.span_hex()),
            Filter {
                spans: Some(SpanSelection::Spans(vec![*link])),
                ..Filter::default()
            },
        ));
    }
    out
}

fn check_set(rel: &str, set: &ProfileSet) -> usize {
    let filters = filters(set);
    for (what, filter) in &filters {
        let what = format!("{rel}: {what}");
        let tree = set.call_tree(filter);
        check(&what, &tree, &set.folded(filter));
        check_layout(&what, &tree);
        check_legends(&what, &tree);
        let inverted = set.inverted_call_tree(filter);
        check_layout(&format!("{what} inverted"), &inverted);
        check_legends(&format!("{what} inverted"), &inverted);
    }
    filters.len()
}

/// The legends' package and runtime weights equal a plain sum per node of the package (or
/// kind and frame type) worked out for each node.
fn check_legends(what: &str, tree: &CallTree) {
    use spanflame_core::palette::{package_of, runtimes, top_packages};
    let mut packages: BTreeMap<String, i64> = BTreeMap::new();
    let mut kinds: BTreeMap<(String, String), i64> = BTreeMap::new();
    for n in tree.nodes().skip(1) {
        let w = tree.self_weight(n);
        if w != 0 {
            *packages
                .entry(package_of(tree.name(n), tree.file(n), tree.kind(n)).to_owned())
                .or_default() += w;
        }
        let key = (format!("{:?}", tree.kind(n)), tree.frame_type(n).to_owned());
        *kinds.entry(key).or_default() += w;
    }
    let got: BTreeMap<String, i64> = top_packages(tree, usize::MAX).into_iter().collect();
    assert_eq!(got, packages, "{what}: packages");
    let got: BTreeMap<(String, String), i64> = (runtimes(tree).into_iter())
        .map(|(k, t, w)| ((format!("{k:?}"), t), w))
        .collect();
    if kinds.keys().all(|(_, t)| t.is_empty()) {
        assert!(got.is_empty(), "{what}: runtimes");
    } else {
        assert_eq!(got, kinds, "{what}: runtimes");
    }
}

#[test]
fn filtered_trees_equal_their_folded_stacks() {
    for rel in [
        PY,
        "perf/fp.perf-script.txt",
        "perf/dwarf.perf-script.txt.gz",
        "jfr/workload.jfr",
        "cprofile/cprofile.pstats",
        "chrome/main.cpuprofile",
        "speedscope/profile.speedscope.json",
    ] {
        let set = profiles(rel);
        let asked = check_set(rel, &set);
        assert!(asked >= 1, "{rel}");
    }
    // The OTLP file has every kind: time, threads, spans.
    let set = profiles(PY);
    assert!(filters(&set).len() > 10);
}

#[test]
fn transformed_trees_equal_their_folded_stacks() {
    let set = profiles(PY);
    let tree = set.call_tree(&Filter::default());
    let key = |name: &str| {
        let n = (tree.nodes().skip(1))
            .find(|&n| tree.name(n) == name)
            .unwrap_or_else(|| panic!("{name} in the demo"));
        (tree.name(n).to_string(), tree.file(n).to_string())
    };
    for transforms in [
        vec![Transform::MergeFunction(key("handle_request"))],
        vec![Transform::FocusFunction(key("fib"))],
        vec![Transform::CollapseRecursion(key("fib"))],
        vec![
            Transform::DropFunction(key("hash_loop")),
            Transform::CollapseDirectRecursion(key("fib")),
        ],
    ] {
        let t = set.transform(&Transforms(transforms.clone()));
        for (what, filter) in filters(&set) {
            check(
                &format!("{transforms:?}: {what}"),
                &set.call_tree_with(&filter, &t),
                &set.folded_with(&filter, &t),
            );
        }
    }
}
