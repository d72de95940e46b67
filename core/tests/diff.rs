//! Differential profiles on real fixtures, checked against plain arithmetic over each
//! side's folded stacks (what `spanflame fold` prints), not through `diff.rs`.

mod common;

use common::{profiles, traces};
use spanflame_core::diff::{DiffColumn, NEUTRAL_BAND, diff_folded, sort_functions};
use spanflame_core::palette::{diff_colour, diff_neutral};
use spanflame_core::scope::{Scope, SpanRef, select};
use spanflame_core::selection::{Selection, SpanNotFound as SelectionSpanNotFound};
use spanflame_core::{CallTree, Diff, Filter, ProfileSet, Side, Transforms};

/// Weight of the stacks starting with `prefix` (whole frames), and of those equal to it.
fn prefix_weights(folded: &[(String, i64)], prefix: &[&str]) -> (i64, i64) {
    let mut total = 0;
    let mut own = 0;
    for (stack, w) in folded {
        let frames: Vec<&str> = stack.split(';').collect();
        if frames.len() >= prefix.len() && frames[..prefix.len()] == *prefix {
            total += w;
            if frames.len() == prefix.len() {
                own += w;
            }
        }
    }
    (total, own)
}

/// Weight of the stacks containing `name` (once each), and of those ending in it.
fn function_weights(folded: &[(String, i64)], name: &str) -> (i64, i64) {
    let mut total = 0;
    let mut own = 0;
    for (stack, w) in folded {
        let frames: Vec<&str> = stack.split(';').collect();
        if frames.contains(&name) {
            total += w;
        }
        if frames.last() == Some(&name) {
            own += w;
        }
    }
    (total, own)
}

fn sum(folded: &[(String, i64)]) -> i64 {
    folded.iter().map(|l| l.1).sum()
}

fn names(tree: &CallTree, node: spanflame_core::NodeId) -> Vec<&str> {
    tree.path(node).into_iter().map(|n| tree.name(n)).collect()
}

/// Every node and function of the diff against the folded arithmetic of both sides.
fn check_against_folded(diff: &Diff, before: &[(String, i64)], after: &[(String, i64)]) {
    let (tb, ta) = (sum(before), sum(after));
    assert_eq!(diff.totals(), (tb, ta));
    let tree = diff.comparison();
    // Folded text has names only; the trees merge by name and file. Check the paths whose
    // names are unique in both trees (one name path, one node).
    let count = |t: &CallTree| {
        let mut m = std::collections::HashMap::<Vec<String>, usize>::new();
        for n in t.nodes().skip(1) {
            let p = names(t, n).into_iter().map(str::to_owned).collect();
            *m.entry(p).or_default() += 1;
        }
        m
    };
    let (in_base, in_comp) = (count(diff.baseline()), count(tree));
    let mut checked = 0;
    for n in tree.nodes().skip(1) {
        let path = names(tree, n);
        let owned: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        if in_comp.get(&owned) != Some(&1) || in_base.get(&owned).is_some_and(|&c| c > 1) {
            continue;
        }
        let d = diff.node(n);
        assert_eq!(
            (d.before_total, d.before_self),
            prefix_weights(before, &path),
            "{path:?}"
        );
        assert_eq!(
            (d.after_total, d.after_self),
            prefix_weights(after, &path),
            "{path:?}"
        );
        let want = prefix_weights(after, &path).0 as f64 / ta as f64
            - prefix_weights(before, &path).0 as f64 / tb as f64;
        assert!((d.delta() - want).abs() < 1e-12, "{path:?}");
        checked += 1;
    }
    assert!(checked > 5);
    let rows = diff.functions();
    let same_name = |name: &str| rows.iter().filter(|r| r.name == name).count();
    for r in rows.iter().filter(|r| same_name(&r.name) == 1) {
        assert_eq!(
            (r.diff.before_total, r.diff.before_self),
            function_weights(before, &r.name),
            "{}",
            r.name
        );
        assert_eq!(
            (r.diff.after_total, r.diff.after_self),
            function_weights(after, &r.name),
            "{}",
            r.name
        );
    }
    // Every function of either side has a row, those of one side only included.
    let mut all: Vec<&str> = before
        .iter()
        .chain(after)
        .flat_map(|(s, _)| s.split(';'))
        .collect();
    all.sort_unstable();
    all.dedup();
    let mut listed: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    listed.sort_unstable();
    listed.dedup();
    assert_eq!(listed, all);
}

fn side<'a>(
    set: &'a ProfileSet,
    filter: &'a Filter,
    t: &'a spanflame_core::Transformed,
) -> Side<'a> {
    Side {
        set,
        filter,
        transformed: t,
    }
}

#[test]
fn two_files_of_one_program_diff_by_path_and_share() {
    // The same node workload before and after `warm` got 3x the work
    // (core/tests/fixtures/diff/README.md).
    let base = profiles("diff/base.cpuprofile");
    let slower = profiles("diff/slower.cpuprofile");
    let filter = Filter::default();
    let none = Transforms::default();
    let (tb, ts) = (base.transform(&none), slower.transform(&none));
    let diff = Diff::of(&side(&base, &filter, &tb), &side(&slower, &filter, &ts));
    let (before, after) = (base.folded(&filter), slower.folded(&filter));
    check_against_folded(&diff, &before, &after);
    // The paths pair: most of the comparison's weight has a baseline counterpart.
    let tree = diff.comparison();
    let paired: i64 = tree
        .children(CallTree::ROOT)
        .iter()
        .filter(|&&n| diff.baseline_node(n).is_some())
        .map(|&n| tree.total_weight(n))
        .sum();
    assert!(
        paired * 10 > tree.total() * 9,
        "{paired} of {}",
        tree.total()
    );
    // What the user sees: warm grew, hot shrank, beyond the neutral band.
    let row = |name: &str| {
        diff.functions()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap()
    };
    assert!(row("warm").diff.delta() > 0.1, "{:?}", row("warm"));
    assert!(row("hot").diff.delta() < -0.1, "{:?}", row("hot"));
    // Shares, not raw weights: the two recordings have different totals.
    assert_ne!(diff.totals().0, diff.totals().1);
}

#[test]
fn paths_of_one_side_only_are_listed() {
    // perf with frame pointers and with DWARF unwinding: the roots differ
    // (core/tests/fixtures/perf/README.md), so every baseline path is gone.
    let fp = profiles("perf/fp.perf-script.txt");
    let dwarf = profiles("perf/dwarf.perf-script.txt.gz");
    let diff = Diff::new(
        fp.call_tree(&Filter::default()),
        dwarf.call_tree(&Filter::default()),
    );
    let (before, after) = (
        fp.folded(&Filter::default()),
        dwarf.folded(&Filter::default()),
    );
    check_against_folded(&diff, &before, &after);
    let gone = diff.baseline_only();
    assert!(!gone.is_empty());
    for n in gone {
        let path = names(diff.baseline(), n);
        assert_eq!(prefix_weights(&after, &path).0, 0, "{path:?}");
        assert!(prefix_weights(&before, &path).0 > 0, "{path:?}");
    }
}

#[test]
fn a_span_against_the_other_spans_of_its_name() {
    const PY: &str = "otlp/python-ext-0.63b4-file";
    let set = profiles(&format!("{PY}/profiles.json"));
    let tr = traces(&format!("{PY}/traces.json"));
    let fib = tr
        .spans
        .iter()
        .position(|s| s.key.span_hex() == "5103c037448af62a")
        .map(spanflame_core::SpanIdx::from_index)
        .unwrap();
    // The baseline's spans, found here by plain comparison of names.
    let want: Vec<String> = tr
        .spans
        .iter()
        .filter(|s| s.name == "compute_fib" && s.key.span_hex() != "5103c037448af62a")
        .map(|s| s.key.span_hex())
        .collect();
    assert_eq!(want.len(), 3);
    assert_eq!(tr.same_name_count(fib), 3);
    let baseline_sel = tr.select_same_name(fib, Scope::Only);
    let Some(spanflame_core::SpanSelection::Spans(keys)) = &baseline_sel.spans else {
        panic!("{baseline_sel:?}")
    };
    let mut got: Vec<String> = keys.iter().map(|k| k.span_hex()).collect();
    got.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(got, want_sorted);

    let mut base_filter = Filter::default();
    baseline_sel.apply(&mut base_filter);
    let mut comp_filter = Filter::default();
    select(Some(&tr), SpanRef::Index(fib), Scope::Only).apply(&mut comp_filter);
    let t = set.transform(&Transforms::default());
    let diff = Diff::of(&side(&set, &base_filter, &t), &side(&set, &comp_filter, &t));
    let (before, after) = (set.folded(&base_filter), set.folded(&comp_filter));
    assert!(sum(&before) > 0 && sum(&after) > 0);
    check_against_folded(&diff, &before, &after);

    // The baseline's samples are exactly those linked to the three other spans: count them
    // from the links, row by row.
    let mut linked = 0i64;
    for row in 0..set.samples.len() {
        if let Some(l) = set.samples.link_of(row) {
            let key = &set.links[l.index()];
            if want.contains(&key.span_hex()) {
                linked += set.samples.value(row);
            }
        }
    }
    assert_eq!(sum(&before), linked);
}

#[test]
fn colours_follow_the_share_change_with_a_neutral_band() {
    for dark in [false, true] {
        let grew = diff_colour(0.03, dark);
        let shrank = diff_colour(-0.03, dark);
        assert!(grew.r > grew.b + 60, "{grew:?}");
        assert!(shrank.b > shrank.r + 60, "{shrank:?}");
        assert_eq!(diff_colour(NEUTRAL_BAND * 0.9, dark), diff_neutral(dark));
        assert_eq!(diff_colour(-NEUTRAL_BAND * 0.9, dark), diff_neutral(dark));
        assert_ne!(diff_colour(NEUTRAL_BAND * 1.5, dark), diff_neutral(dark));
        // Deeper with a bigger change.
        let more = diff_colour(0.05, dark);
        assert!(more.luminance() < grew.luminance());
    }
}

#[test]
fn difffolded_lines_and_normalising() {
    let fp = profiles("perf/fp.perf-script.txt");
    let dwarf = profiles("perf/dwarf.perf-script.txt.gz");
    let (a, b) = (
        fp.folded(&Filter::default()),
        dwarf.folded(&Filter::default()),
    );
    let raw = diff_folded(&a, &b, false);
    assert_eq!(raw.iter().map(|l| l.1).sum::<i64>(), sum(&a));
    assert_eq!(raw.iter().map(|l| l.2).sum::<i64>(), sum(&b));
    for (stack, x, y) in &raw {
        let find = |f: &[(String, i64)]| f.iter().find(|l| &l.0 == stack).map_or(0, |l| l.1);
        assert_eq!((*x, *y), (find(&a), find(&b)), "{stack}");
    }
    let scaled = diff_folded(&a, &b, true);
    let total: i64 = scaled.iter().map(|l| l.1).sum();
    // Rounded per line: within one count per line of the comparison's total.
    assert!(
        (total - sum(&b)).abs() <= scaled.len() as i64,
        "{total} vs {}",
        sum(&b)
    );
}

#[test]
fn the_table_sorts_by_any_column() {
    let fp = profiles("perf/fp.perf-script.txt");
    let dwarf = profiles("perf/dwarf.perf-script.txt.gz");
    let diff = Diff::new(
        fp.call_tree(&Filter::default()),
        dwarf.call_tree(&Filter::default()),
    );
    let mut rows = diff.functions();
    assert!(
        rows.windows(2)
            .all(|w| w[0].diff.delta() >= w[1].diff.delta())
    );
    sort_functions(&mut rows, DiffColumn::BeforeSelf, true);
    assert!(
        rows.windows(2)
            .all(|w| w[0].diff.before_self >= w[1].diff.before_self)
    );
    sort_functions(&mut rows, DiffColumn::Name, false);
    assert!(rows.windows(2).all(|w| w[0].name <= w[1].name));
    // Some change is outside the neutral band, some inside it.
    assert!(rows.iter().any(|r| r.diff.changed()));
}

#[test]
fn deltas_print_in_signed_percentage_points() {
    use spanflame_core::diff::format_delta;
    assert_eq!(format_delta(0.025), "+2.5 pp");
    assert_eq!(format_delta(-0.003), "-0.3 pp");
    assert_eq!(format_delta(0.0004), "0 pp");
    assert_eq!(format_delta(-0.0004), "0 pp");
    assert_eq!(format_delta(f64::NAN), "0 pp");
    assert_eq!(format_delta(1.0), "+100.0 pp");
}

/// A selection pinned as the baseline and another as the comparison, as the app's "Set as
/// baseline" makes them: each side's filter is [`Selection::filter`] over the same base.
fn pinned_side_filters(
    set: &ProfileSet,
    tr: &spanflame_core::TraceSet,
    baseline: &Selection,
    comparison: &Selection,
) -> (Filter, Filter) {
    let base = Filter::default();
    (
        baseline.filter(&base, Some(tr), &set.links).unwrap(),
        comparison.filter(&base, Some(tr), &set.links).unwrap(),
    )
}

#[test]
fn one_time_range_against_another() {
    const PY: &str = "otlp/python-ext-0.63b4-file";
    let set = profiles(&format!("{PY}/profiles.json"));
    let tr = traces(&format!("{PY}/traces.json"));
    let (start, end) = set.time_range().unwrap();
    let third = (end - start) / 3;
    let (first, last) = ((start, start + third), (start + 2 * third, end + 1));
    let pin = |range| Selection {
        range: Some(range),
        ..Selection::default()
    };
    let (bf, cf) = pinned_side_filters(&set, &tr, &pin(first), &pin(last));
    // A pinned range is the plain time filter, nothing more.
    let plain = |range| Filter {
        time: Some(range),
        ..Filter::default()
    };
    assert_eq!(bf, plain(first));
    assert_eq!(cf, plain(last));
    let t = set.transform(&Transforms::default());
    let diff = Diff::of(&side(&set, &bf, &t), &side(&set, &cf, &t));
    let (before, after) = (set.folded(&plain(first)), set.folded(&plain(last)));
    assert!(sum(&before) > 0 && sum(&after) > 0);
    check_against_folded(&diff, &before, &after);
    // The ranges split the file: with the middle third they add up to the whole, stack by
    // stack (so no sample is counted in two ranges or lost between them).
    let middle = set.folded(&plain((first.1, last.0)));
    let whole = set.folded(&Filter::default());
    let mut added: std::collections::BTreeMap<&str, i64> = Default::default();
    for (stack, w) in before.iter().chain(&middle).chain(&after) {
        *added.entry(stack).or_default() += w;
    }
    let whole: std::collections::BTreeMap<&str, i64> =
        whole.iter().map(|(s, w)| (s.as_str(), *w)).collect();
    assert_eq!(added, whole);
}

#[test]
fn one_span_against_another_and_a_span_the_data_lacks() {
    const PY: &str = "otlp/python-ext-0.63b4-file";
    let set = profiles(&format!("{PY}/profiles.json"));
    let tr = traces(&format!("{PY}/traces.json"));
    // Two busy_sleep spans of the fixture README's link report, each with its whole trace
    // (a span alone has too few call paths to check).
    let pin = |hex: &str| Selection {
        span: spanflame_core::model::parse_hex::<8>(hex),
        scope: Some(Scope::Trace),
        ..Selection::default()
    };
    let (a, b) = (pin("44887551e1bf7ccb"), pin("d3955bf747172213"));
    let (bf, cf) = pinned_side_filters(&set, &tr, &a, &b);
    // The same filters as the view's span filter makes (scope::select).
    let by_select = |hex: &str| {
        let i = tr
            .spans
            .iter()
            .position(|s| s.key.span_hex() == hex)
            .unwrap();
        let mut f = Filter::default();
        select(
            Some(&tr),
            SpanRef::Index(spanflame_core::SpanIdx::from_index(i)),
            Scope::Trace,
        )
        .apply(&mut f);
        f
    };
    assert_eq!(bf, by_select("44887551e1bf7ccb"));
    assert_eq!(cf, by_select("d3955bf747172213"));
    let t = set.transform(&Transforms::default());
    let diff = Diff::of(&side(&set, &bf, &t), &side(&set, &cf, &t));
    let (before, after) = (set.folded(&bf), set.folded(&cf));
    assert!(sum(&before) > 0 && sum(&after) > 0);
    check_against_folded(&diff, &before, &after);
    // A span neither the traces nor the links know is an error, not an empty side.
    let missing = pin("0123456789abcdef");
    assert_eq!(
        missing.filter(&Filter::default(), Some(&tr), &set.links),
        Err(SelectionSpanNotFound(
            spanflame_core::model::parse_hex::<8>("0123456789abcdef").unwrap()
        ))
    );
    // An attribute pick against another keeps each side's own samples.
    let attr = |v: &str| Selection {
        attrs: vec![("thread.name".into(), v.into(), false)],
        ..Selection::default()
    };
    let (x, y) = pinned_side_filters(&set, &tr, &attr("MainThread"), &attr("no-such-thread"));
    assert_eq!(x.conditions.len(), 1);
    assert!(set.folded(&y).is_empty(), "no sample has that thread");
    let t = set.transform(&Transforms::default());
    let diff = Diff::of(&side(&set, &x, &t), &side(&set, &y, &t));
    assert_eq!(diff.totals(), (sum(&set.folded(&x)), 0));
}
