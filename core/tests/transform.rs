//! Transforms on real profiles, each checked against folded stacks rewritten by hand here:
//! the py-spy raw folded file (read as text, independently of Spanflame's reader) and the
//! OTLP Python profile (its frames read straight off the set's tables).

mod common;

use std::collections::BTreeMap;

use common::{fixture, profiles};
use spanflame_core::model::FrameKind;
use spanflame_core::palette::package_of;
use spanflame_core::transform::COLLAPSED_PACKAGE_FILE;
use spanflame_core::{Filter, ProfileSet, Transform, Transforms};

/// A frame as the test sees it: function name, file, kind.
type Fr = (String, String, FrameKind);

/// The py-spy folded file's lines, split by hand.
fn pyspy_lines() -> Vec<(Vec<Fr>, i64)> {
    let text = String::from_utf8(fixture("speedscope/profile.folded.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (stack, n) = l.rsplit_once(' ').unwrap();
            let frames = stack
                .split(';')
                .map(|f| (f.to_owned(), String::new(), FrameKind::Unknown))
                .collect();
            (frames, n.parse().unwrap())
        })
        .collect()
}

/// Every sample of the first sample type, with its frames root first from the raw tables.
fn raw_lines(set: &ProfileSet) -> Vec<(Vec<Fr>, i64)> {
    let s = &set.samples;
    (0..s.len())
        .filter(|&r| set.profiles[set.profile_of_row(r)].sample_type.index() == 0)
        .map(|r| {
            let frames = match s.stack(r) {
                spanflame_core::model::NONE => Vec::new(),
                st => set
                    .stack_frames(spanflame_core::StackId::from_raw(st))
                    .into_iter()
                    .map(|f| {
                        let frame = &set.frames[f.index()];
                        let func = &set.functions[frame.function.index()];
                        (
                            set.string(func.name).to_owned(),
                            set.string(func.file).to_owned(),
                            frame.kind,
                        )
                    })
                    .collect(),
            };
            (frames, s.value(r))
        })
        .collect()
}

/// Folded lines of `lines` after `rewrite` (None drops the line), merged and sorted.
fn expect(
    lines: &[(Vec<Fr>, i64)],
    rewrite: impl Fn(&[Fr]) -> Option<Vec<Fr>>,
) -> Vec<(String, i64)> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for (frames, n) in lines {
        if let Some(new) = rewrite(frames) {
            let names: Vec<&str> = new.iter().map(|f| f.0.as_str()).collect();
            let key = if names.is_empty() {
                "(no stack)".to_owned()
            } else {
                names.join(";")
            };
            *out.entry(key).or_default() += n;
        }
    }
    out.into_iter().filter(|(_, n)| *n != 0).collect()
}

fn folded_with(set: &ProfileSet, transforms: Vec<Transform>) -> Vec<(String, i64)> {
    let t = Transforms(transforms);
    // What the address would carry reads back to the same stack.
    assert_eq!(Transforms::parse(&t.to_hash_string()).as_ref(), Ok(&t));
    set.folded_with(&Filter::default(), &set.transform(&t))
}

fn key(name: &str) -> (String, String) {
    (name.to_owned(), String::new())
}

fn is(f: &Fr, name: &str) -> bool {
    f.0 == name
}

const WALK: &str = "walk (workload.py:35)";
const WARM: &str = "warm (workload.py:18)";
const HOT: &str = "hot (workload.py:10)";
const FIND: &str = "_find_and_load (<frozen importlib._bootstrap>:1176)";

fn pyspy() -> (ProfileSet, Vec<(Vec<Fr>, i64)>) {
    let set = profiles("speedscope/profile.folded.txt");
    let lines = pyspy_lines();
    // The reader and the hand split agree before anything is transformed.
    assert_eq!(
        set.folded(&Filter::default()),
        expect(&lines, |f| Some(f.to_vec()))
    );
    assert_eq!(folded_with(&set, vec![]), set.folded(&Filter::default()));
    (set, lines)
}

#[test]
fn focus_function_roots_every_path_at_the_outermost_call() {
    let (set, lines) = pyspy();
    for name in [WALK, HOT, FIND] {
        let got = folded_with(&set, vec![Transform::FocusFunction(key(name))]);
        let want = expect(&lines, |f| {
            let i = f.iter().position(|x| is(x, name))?;
            Some(f[i..].to_vec())
        });
        assert!(!want.is_empty());
        assert_eq!(got, want, "{name}");
    }
    // walk recurses: focusing keeps the inner calls under the outermost.
    let walk = folded_with(&set, vec![Transform::FocusFunction(key(WALK))]);
    assert!(
        walk.iter()
            .any(|(s, _)| s.starts_with(&format!("{WALK};{WALK}")))
    );
}

#[test]
fn focus_subtree_keeps_the_path_and_roots_it_at_its_end() {
    let (set, lines) = pyspy();
    // The worker thread's first three frames.
    let worker = &lines
        .iter()
        .find(|(f, _)| f[0].0.contains("worker"))
        .unwrap()
        .0;
    let path: Vec<String> = worker[..3].iter().map(|f| f.0.clone()).collect();
    let got = folded_with(
        &set,
        vec![Transform::FocusSubtree(
            path.iter().map(|n| key(n)).collect(),
        )],
    );
    let want = expect(&lines, |f| {
        let names: Vec<&String> = f.iter().map(|x| &x.0).collect();
        (f.len() >= 3 && names[..3] == path.iter().collect::<Vec<_>>()[..]).then(|| f[2..].to_vec())
    });
    assert!(!want.is_empty() && want.len() < lines.len());
    assert_eq!(got, want);
}

#[test]
fn merge_function_gives_its_self_weight_to_its_caller() {
    let (set, lines) = pyspy();
    for name in [WALK, WARM] {
        let got = folded_with(&set, vec![Transform::MergeFunction(key(name))]);
        let want = expect(&lines, |f| {
            Some(f.iter().filter(|x| !is(x, name)).cloned().collect())
        });
        assert_eq!(got, want, "{name}");
        assert!(got.iter().all(|(s, _)| !s.split(';').any(|x| x == name)));
    }
    // Nothing is lost: the total stays.
    let tree = set.call_tree_with(
        &Filter::default(),
        &set.transform(&Transforms(vec![Transform::MergeFunction(key(WARM))])),
    );
    assert_eq!(tree.total(), set.call_tree(&Filter::default()).total());
}

#[test]
fn drop_function_removes_its_samples() {
    let (set, lines) = pyspy();
    let t = set.transform(&Transforms(vec![Transform::DropFunction(key(WARM))]));
    let got = set.folded_with(&Filter::default(), &t);
    let want = expect(&lines, |f| {
        (!f.iter().any(|x| is(x, WARM))).then(|| f.to_vec())
    });
    assert_eq!(got, want);
    let dropped: i64 = lines
        .iter()
        .filter(|(f, _)| f.iter().any(|x| is(x, WARM)))
        .map(|(_, n)| n)
        .sum();
    assert!(dropped > 0);
    assert_eq!(
        set.call_tree_with(&Filter::default(), &t).total(),
        set.call_tree(&Filter::default()).total() - dropped
    );
}

#[test]
fn collapse_recursion_keeps_the_outermost_call_direct_or_not() {
    let (set, lines) = pyspy();
    for name in [WALK, FIND] {
        let got = folded_with(&set, vec![Transform::CollapseRecursion(key(name))]);
        let want = expect(&lines, |f| {
            let Some(first) = f.iter().position(|x| is(x, name)) else {
                return Some(f.to_vec());
            };
            let last = f.iter().rposition(|x| is(x, name)).unwrap();
            Some([&f[..=first], &f[last + 1..]].concat())
        });
        assert_eq!(got, want, "{name}");
        assert!(
            got.iter()
                .all(|(s, _)| s.split(';').filter(|x| *x == name).count() <= 1)
        );
    }
    // Direct recursion only: `_find_and_load` recursing through other frames stays.
    for name in [WALK, FIND] {
        let got = folded_with(&set, vec![Transform::CollapseDirectRecursion(key(name))]);
        let want = expect(&lines, |f| {
            let mut out: Vec<Fr> = Vec::new();
            for x in f {
                if !(is(x, name) && out.last().is_some_and(|l| is(l, name))) {
                    out.push(x.clone());
                }
            }
            Some(out)
        });
        assert_eq!(got, want, "{name}");
    }
    let direct = folded_with(&set, vec![Transform::CollapseDirectRecursion(key(FIND))]);
    assert!(
        direct
            .iter()
            .any(|(s, _)| s.split(';').filter(|x| *x == FIND).count() > 1)
    );
}

const PY: &str = "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb";

fn pkg(f: &Fr) -> &str {
    package_of(&f.0, &f.1, f.2)
}

#[test]
fn collapse_package_makes_one_frame_per_run_named_after_the_package() {
    let set = profiles(PY);
    let lines = raw_lines(&set);
    assert_eq!(
        set.folded(&Filter::default()),
        expect(&lines, |f| Some(f.to_vec()))
    );
    let mut packages: Vec<&str> = lines.iter().flat_map(|(f, _)| f.iter().map(pkg)).collect();
    packages.sort();
    packages.dedup();
    assert!(packages.len() >= 2, "{packages:?}");
    for package in packages {
        let got = folded_with(&set, vec![Transform::CollapsePackage(package.into())]);
        let want = expect(&lines, |f| {
            let mut out: Vec<Fr> = Vec::new();
            for x in f {
                if pkg(x) != package {
                    out.push(x.clone());
                } else if !out.last().is_some_and(|l| l.0 == package && l.1 == "@") {
                    out.push((package.into(), "@".into(), x.2));
                }
            }
            Some(out)
        });
        assert_eq!(got, want, "{package}");
    }
    // Colour-by-package sees the collapsed frame as its package.
    let t = set.transform(&Transforms(vec![Transform::CollapsePackage(
        "threading".into(),
    )]));
    let tree = set.call_tree_with(&Filter::default(), &t);
    let node = tree
        .nodes()
        .skip(1)
        .find(|&n| tree.file(n) == COLLAPSED_PACKAGE_FILE)
        .expect("a collapsed frame");
    assert_eq!(tree.name(node), "threading");
    assert_eq!(
        package_of(tree.name(node), tree.file(node), tree.kind(node)),
        "threading"
    );
}

#[test]
fn only_my_code_hides_library_frames_but_keeps_the_call_into_them() {
    let set = profiles(PY);
    let lines = raw_lines(&set);
    let libs = vec!["threading".to_owned()];
    let got = folded_with(&set, vec![Transform::OnlyMyCode(libs.clone())]);
    let lib = |f: &Fr| libs.iter().any(|l| l == pkg(f));
    let want = expect(&lines, |f| {
        // Library frames go, except the first of a run that reaches the leaf.
        let tail_start = f.iter().rposition(|x| !lib(x)).map_or(0, |i| i + 1);
        let mut out: Vec<Fr> = f[..tail_start]
            .iter()
            .filter(|x| !lib(x))
            .cloned()
            .collect();
        out.extend(f.get(tail_start).cloned());
        Some(out)
    });
    assert_ne!(
        want,
        set.folded(&Filter::default()),
        "threading frames to hide"
    );
    assert_eq!(got, want);
    // Nothing is lost.
    let total: i64 = got.iter().map(|(_, n)| n).sum();
    assert_eq!(total, set.call_tree(&Filter::default()).total());
}

#[test]
fn transforms_compose_in_order_and_respect_the_filter() {
    let (set, lines) = pyspy();
    // Focus on walk, then merge warm: warm's weight stays in walk's subtree.
    let got = folded_with(
        &set,
        vec![
            Transform::FocusFunction(key(WALK)),
            Transform::MergeFunction(key(WARM)),
            Transform::CollapseRecursion(key(WALK)),
        ],
    );
    let want = expect(&lines, |f| {
        let i = f.iter().position(|x| is(x, WALK))?;
        let f: Vec<Fr> = f[i..].iter().filter(|x| !is(x, WARM)).cloned().collect();
        let last = f.iter().rposition(|x| is(x, WALK)).unwrap();
        Some([&f[..1], &f[last + 1..]].concat())
    });
    assert_eq!(got, want);
    // Dropping the function focused on leaves nothing; the tree is empty, not broken.
    let t = set.transform(&Transforms(vec![
        Transform::FocusFunction(key(WALK)),
        Transform::DropFunction(key(WALK)),
    ]));
    let tree = set.call_tree_with(&Filter::default(), &t);
    assert_eq!(tree.total(), 0);
    assert!(
        set.inverted_call_tree_with(&Filter::default(), &t)
            .is_empty()
    );
    // A filter still applies under transforms (here: a time window that keeps nothing,
    // as the folded file has no timestamps).
    let t = set.transform(&Transforms(vec![Transform::MergeFunction(key(WARM))]));
    let none = Filter {
        time: Some((1, 2)),
        ..Filter::default()
    };
    assert_eq!(set.call_tree_with(&none, &t).total(), 0);
    // Unknown functions change nothing.
    assert_eq!(
        folded_with(&set, vec![Transform::MergeFunction(key("no such"))]),
        set.folded(&Filter::default())
    );
}

#[test]
fn inverted_tree_and_function_stats_work_on_top() {
    let set = profiles(PY);
    let whole = set.call_tree(&Filter::default());
    let node = whole
        .nodes()
        .skip(1)
        .find(|&n| whole.name(n) == "busy_sleep")
        .unwrap();
    let busy = ("busy_sleep".to_owned(), whole.file(node).to_owned());
    assert!(!busy.1.is_empty(), "the OTLP profile has files");
    let t = set.transform(&Transforms(vec![Transform::MergeFunction(busy)]));
    let tree = set.inverted_call_tree_with(&Filter::default(), &t);
    let stats = tree.function_stats();
    assert!(stats.iter().all(|s| s.name != "busy_sleep"));
    // busy_sleep's 128 self samples went to its callers.
    let plain = set.inverted_call_tree(&Filter::default()).function_stats();
    let self_of = |stats: &[spanflame_core::FunctionStats], n: &str| {
        stats
            .iter()
            .find(|s| s.name == n)
            .map_or(0, |s| s.self_weight)
    };
    assert_eq!(self_of(&plain, "busy_sleep"), 128);
    assert_eq!(
        self_of(&stats, "handle_request") + self_of(&stats, "<module>"),
        self_of(&plain, "handle_request") + self_of(&plain, "<module>") + 128
    );
    assert_eq!(tree.total(), 187);
}
