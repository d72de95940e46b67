//! The sandwich (callers and callees of one function) on real profiles, checked against
//! arithmetic over folded lines done here by hand: the py-spy raw folded file read as text,
//! and Spanflame's own folded output of other fixtures (with filters and transforms, so what
//! is checked is that the sandwich honours them exactly as the flame graph does).

mod common;

use std::collections::BTreeMap;

use common::{fixture, profiles};
use spanflame_core::{CallTree, Filter, ProfileSet, Sandwich, Transform, Transforms};

/// Folded lines as frame names, root first.
type Lines = Vec<(Vec<String>, i64)>;

fn split(folded: &[(String, i64)]) -> Lines {
    folded
        .iter()
        .filter(|(s, _)| s != "(no stack)")
        .map(|(s, w)| (s.split(';').map(str::to_owned).collect(), *w))
        .collect()
}

/// The py-spy folded file, split by hand (not through Spanflame's reader).
fn pyspy_text_lines() -> Lines {
    let text = String::from_utf8(fixture("speedscope/profile.folded.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (stack, n) = l.rsplit_once(' ').unwrap();
            (
                stack.split(';').map(str::to_owned).collect(),
                n.parse().unwrap(),
            )
        })
        .collect()
}

/// What the sandwich of `f` must be, from folded lines alone: (self, total, callers paths,
/// callees paths), each path (names joined by `;`, the function first) with (self, total).
struct Expected {
    self_weight: i64,
    total: i64,
    callers: BTreeMap<String, (i64, i64)>,
    callees: BTreeMap<String, (i64, i64)>,
}

fn expected(lines: &Lines, f: &str) -> Expected {
    let mut e = Expected {
        self_weight: 0,
        total: 0,
        callers: BTreeMap::new(),
        callees: BTreeMap::new(),
    };
    for (frames, w) in lines {
        let (Some(first), Some(last)) = (
            frames.iter().position(|x| x == f),
            frames.iter().rposition(|x| x == f),
        ) else {
            continue;
        };
        e.total += w;
        if last == frames.len() - 1 {
            e.self_weight += w;
        }
        // Callees: from the outermost call down; self at the full suffix.
        let below = &frames[first..];
        for k in 1..=below.len() {
            let entry = e.callees.entry(below[..k].join(";")).or_default();
            entry.1 += w;
            if k == below.len() {
                entry.0 += w;
            }
        }
        // Callers: from the innermost call up to the root.
        let above: Vec<&str> = frames[..=last].iter().rev().map(String::as_str).collect();
        for k in 1..=above.len() {
            e.callers.entry(above[..k].join(";")).or_default().1 += w;
        }
    }
    if let Some(top) = e.callers.get_mut(f) {
        top.0 = e.self_weight;
    }
    e.callers.retain(|_, v| v.1 != 0);
    e.callees.retain(|_, v| v.1 != 0);
    e
}

/// Self and total per path of names from depth 1, summed over nodes with the same names
/// (the tree merges by name and file, folded lines by name).
fn paths(tree: &CallTree) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for n in tree.nodes().skip(1) {
        let names: Vec<&str> = tree.path(n).into_iter().map(|p| tree.name(p)).collect();
        let e = out.entry(names.join(";")).or_default();
        e.0 += tree.self_weight(n);
        e.1 += tree.total_weight(n);
    }
    out
}

fn check(set: &ProfileSet, filter: &Filter, transforms: &Transforms, lines: &Lines, f: &str) {
    let file = unique_file(set, filter, transforms, f);
    let key = (f.to_owned(), file);
    let s = set.sandwich(filter, transforms, &key);
    // The app's form, over stacks it transformed once and already drew the flame graph from
    // (so their call paths are cached), is the same sandwich.
    let base = set.transform(transforms);
    let _ = set.call_tree_with(filter, &base);
    let again = set.sandwich_with(filter, &base, &key);
    assert_eq!(
        (
            paths(&again.callers),
            paths(&again.callees),
            again.view_total
        ),
        (paths(&s.callers), paths(&s.callees), s.view_total)
    );
    let e = expected(lines, f);
    assert!(e.total > 0, "{f} has no samples in the view");
    assert_eq!(
        (s.self_weight, s.total_weight),
        (e.self_weight, e.total),
        "{f}"
    );
    assert_eq!(paths(&s.callees), e.callees, "callees of {f}");
    assert_eq!(paths(&s.callers), e.callers, "callers of {f}");
    assert!(s.callers.is_inverted() && !s.callees.is_inverted());
    // Both trees hang from the function alone, weighing its total.
    for tree in [&s.callers, &s.callees] {
        assert_eq!(tree.children(CallTree::ROOT).len(), 1);
        let top = Sandwich::function_node(tree).unwrap();
        assert_eq!((tree.name(top), tree.total_weight(top)), (f, e.total));
        assert_eq!(tree.total(), e.total);
    }
    let view: i64 = lines.iter().map(|(_, w)| w).sum();
    assert!(s.view_total >= view);
    // The same numbers as the function's row in the view's table.
    let tree = match transforms.0.is_empty() {
        true => set.call_tree(filter),
        false => set.call_tree_with(filter, &set.transform(transforms)),
    };
    let row = tree
        .function_stats()
        .into_iter()
        .find(|r| r.name == f)
        .unwrap();
    assert_eq!(
        (row.self_weight, row.total_weight),
        (e.self_weight, e.total)
    );
}

/// The file of the only function named `name` in the view (so name-keyed folded arithmetic
/// and the name-and-file-keyed sandwich are about the same function).
fn unique_file(set: &ProfileSet, filter: &Filter, transforms: &Transforms, name: &str) -> String {
    let tree = set.call_tree_with(filter, &set.transform(transforms));
    let files: Vec<String> = tree
        .function_stats()
        .into_iter()
        .filter(|r| r.name == name)
        .map(|r| r.file)
        .collect();
    assert_eq!(files.len(), 1, "{name}: {files:?}");
    files[0].clone()
}

/// The function with the most self weight in folded lines (ties: the first name).
fn hottest(lines: &Lines) -> String {
    let mut by: BTreeMap<&str, i64> = BTreeMap::new();
    for (frames, w) in lines {
        *by.entry(frames.last().unwrap().as_str()).or_default() += w;
    }
    let max = *by.values().max().unwrap();
    by.into_iter()
        .find(|(_, w)| *w == max)
        .unwrap()
        .0
        .to_owned()
}

const WALK: &str = "walk (workload.py:35)";
const HOT: &str = "hot (workload.py:10)";

#[test]
fn pyspy_sandwich_matches_the_folded_text() {
    let set = profiles("speedscope/profile.folded.txt");
    let lines = pyspy_text_lines();
    let none = Transforms::default();
    let hot = hottest(&lines);
    for f in [hot.as_str(), WALK, HOT, "Thread.run (threading.py:982)"] {
        check(&set, &Filter::default(), &none, &lines, f);
    }
    // walk recurses: each tree counts a sample once, yet shows the inner calls.
    let s = set.sandwich(&Filter::default(), &none, &(WALK.into(), String::new()));
    let callees = paths(&s.callees);
    assert!(callees.contains_key(&format!("{WALK};{WALK}")));
    assert!(paths(&s.callers).contains_key(&format!("{WALK};{WALK}")));
}

#[test]
fn pyspy_sandwich_honours_transforms() {
    let set = profiles("speedscope/profile.folded.txt");
    let run = "Thread.run (threading.py:982)";
    let transforms = Transforms(vec![
        Transform::MergeFunction((run.into(), String::new())),
        Transform::DropFunction((HOT.into(), String::new())),
    ]);
    // The same rewrite by hand: drop lines with `hot`, remove `Thread.run` frames.
    let lines: Lines = pyspy_text_lines()
        .into_iter()
        .filter(|(f, _)| !f.iter().any(|x| x == HOT))
        .map(|(f, w)| (f.into_iter().filter(|x| x != run).collect(), w))
        .collect();
    check(&set, &Filter::default(), &transforms, &lines, WALK);
    check(
        &set,
        &Filter::default(),
        &transforms,
        &lines,
        &hottest(&lines),
    );
    let s = set.sandwich(
        &Filter::default(),
        &transforms,
        &(run.into(), String::new()),
    );
    assert_eq!((s.total_weight, s.callers.total()), (0, 0));
    assert!(s.callees.is_empty() && s.callers.is_empty());
}

#[test]
fn otlp_sandwich_honours_filters() {
    let set = profiles("otlp/python-ext-0.63b4-file/profiles.v1_10.binpb");
    let (from, to) = set.time_range().unwrap();
    let filters = [
        Filter::default(),
        Filter {
            time: Some((from, from + (to - from) / 2)),
            ..Filter::default()
        },
    ];
    let none = Transforms::default();
    for filter in &filters {
        let lines = split(&set.folded(filter));
        assert!(!lines.is_empty());
        // fib recurses; handle_request calls every workload.
        for f in ["fib", "handle_request", hottest(&lines).as_str()] {
            check(&set, filter, &none, &lines, f);
        }
    }
    // The half-time filter really changes the numbers.
    let key = (
        "fib".to_owned(),
        unique_file(&set, &filters[0], &none, "fib"),
    );
    let all = set.sandwich(&filters[0], &none, &key);
    let half = set.sandwich(&filters[1], &none, &key);
    assert!(half.total_weight < all.total_weight);
}

#[test]
fn perf_and_cpuprofile_sandwiches() {
    for rel in ["perf/fp.perf-script.txt", "chrome/main.cpuprofile"] {
        let set = profiles(rel);
        let lines = split(&set.folded(&Filter::default()));
        // The hottest name that is one function (V8 has many `(anonymous)`).
        let stats = set.call_tree(&Filter::default()).function_stats();
        let one = |n: &str| stats.iter().filter(|r| r.name == n).count() == 1;
        let hot = stats.iter().find(|r| one(&r.name)).unwrap().name.clone();
        check(
            &set,
            &Filter::default(),
            &Transforms::default(),
            &lines,
            &hot,
        );
        // A caller of the hottest function, when it has one.
        let caller = lines
            .iter()
            .filter(|(f, _)| f.last() == Some(&hot) && f.len() > 1)
            .map(|(f, _)| f[f.len() - 2].clone())
            .find(|c| c != &hot && one(c));
        if let Some(c) = caller {
            check(&set, &Filter::default(), &Transforms::default(), &lines, &c);
        }
    }
}
