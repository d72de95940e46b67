//! The span scope rule ([`spanflame_core::scope`]) on the real fixtures: each scope, and a
//! span that is not in the loaded traces.

use spanflame_core::model::parse_hex;
use spanflame_core::scope::{Scope, ScopeSelection, SpanRef, find_span, select};
use spanflame_core::{Filter, Limits, Loaded, ProfileSet, SpanKey, SpanSelection, TraceSet, load};

const PY: &str = "tests/fixtures/otlp/python-ext-0.63b4-file";
const PPROF: &str = "tests/fixtures/pprof-span-labels";

fn read(path: &str) -> Loaded {
    let bytes = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    load(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn profiles(path: &str) -> ProfileSet {
    match read(path) {
        Loaded::Profiles(set) => set,
        _ => panic!("{path} is not a profile"),
    }
}

fn traces(path: &str) -> TraceSet {
    match read(path) {
        Loaded::Traces(set) => set,
        _ => panic!("{path} is not traces"),
    }
}

fn samples(set: &ProfileSet, selection: &ScopeSelection) -> i64 {
    let mut filter = Filter::default();
    selection.apply(&mut filter);
    set.call_tree(&filter).total()
}

fn span_id(hex: &str) -> [u8; 8] {
    parse_hex(hex).unwrap()
}

/// The span in the traces, as the CLI, the hash and the host page find it.
fn index(traces: &TraceSet, hex: &str) -> SpanRef {
    let found = find_span(span_id(hex), None, Some(traces), &[]);
    assert!(matches!(found, Some(SpanRef::Index(_))), "{hex}: {found:?}");
    found.unwrap()
}

#[test]
fn each_scope_of_a_span_in_the_traces() {
    let set = profiles(&format!("{PY}/profiles.json"));
    let t = traces(&format!("{PY}/traces.json"));
    // Fixture README: `GET /home/0` has no samples of its own, 43 with its children, and
    // its trace holds nothing else; `compute_hash` under it has 13 (hash_loop).
    let home0 = index(&t, "adec6d49f47ac7bb");
    let at = |span: SpanRef, scope| {
        let s = select(Some(&t), span, scope);
        assert_eq!((s.applied, s.missing), (scope, false), "{span:?} {scope:?}");
        samples(&set, &s)
    };
    assert_eq!(at(home0, Scope::Only), 0);
    assert_eq!(at(home0, Scope::WithChildren), 43);
    assert_eq!(at(home0, Scope::Trace), 43);
    assert_eq!(at(index(&t, "d28fece0d5b12a5c"), Scope::Only), 13);
    assert_eq!(at(index(&t, "d28fece0d5b12a5c"), Scope::WithChildren), 13);
    // `background-job` is a trace of its own: its worker_fib child's 8.
    assert_eq!(at(index(&t, "5c73934edbeaabd9"), Scope::Trace), 8);

    // The time window is the span's own times, and holds at least its subtree's samples
    // (other threads ran meanwhile) but not the whole profile.
    let window = select(Some(&t), home0, Scope::TimeWindow);
    let SpanRef::Index(i) = home0 else {
        unreachable!()
    };
    let span = t.span(i).unwrap();
    assert_eq!(
        (window.spans.clone(), window.time),
        (None, Some((span.start, span.end)))
    );
    let in_window = at(home0, Scope::TimeWindow);
    assert!((43..187).contains(&in_window), "{in_window}");

    // A key the traces have is the same span as its index.
    let by_key = select(Some(&t), SpanRef::Key(span.key), Scope::WithChildren);
    assert_eq!(by_key, select(Some(&t), home0, Scope::WithChildren));
}

#[test]
fn a_span_missing_from_the_traces_keeps_what_its_ids_can_say() {
    let set = profiles(&format!("{PY}/profiles.json"));
    // `spin` of trace d38ade02: 29 samples of its own (README), known from the links only.
    let spin = match find_span(span_id("44887551e1bf7ccb"), None, None, &set.links) {
        Some(SpanRef::Key(key)) => key,
        other => panic!("{other:?}"),
    };
    assert!(spin.trace_hex().starts_with("d38ade02"));
    // Traces that lack it (another run's) say no more than none at all.
    let other_run = traces(&format!("{PPROF}/traces.json"));
    for loaded in [None, Some(&other_run)] {
        let at = |scope| select(loaded, SpanRef::Key(spin), scope);
        for scope in [Scope::Only, Scope::WithChildren, Scope::TimeWindow] {
            let s = at(scope);
            // Children and times are unknown: the span alone, and the caller is told so.
            assert!(s.missing, "{scope:?}");
            assert_eq!(s.applied, Scope::Only, "{scope:?}");
            assert_eq!(s.narrowed(scope), scope != Scope::Only);
            assert_eq!(s.time, None);
            assert_eq!(samples(&set, &s), 29, "{scope:?}");
        }
        // The ids carry the trace: the whole trace is known from the links (43, README).
        let whole = at(Scope::Trace);
        assert!(whole.missing && !whole.narrowed(Scope::Trace));
        assert_eq!(samples(&set, &whole), 43);
    }
}

#[test]
fn pprof_spans_with_and_without_a_trace_id() {
    let set = profiles(&format!("{PPROF}/profile.pprof"));
    let t = traces(&format!("{PPROF}/traces.json"));
    // README: GET /home/0 has 5 of its own; its children compute_fib 1, compute_hash 10 and
    // spin 29.
    let home0 = index(&t, "fd8231d6173870f1");
    let at = |scope| samples(&set, &select(Some(&t), home0, scope));
    assert_eq!(at(Scope::Only), 5);
    assert_eq!(at(Scope::WithChildren), 5 + 1 + 10 + 29);
    assert_eq!(at(Scope::Trace), 5 + 1 + 10 + 29);
    // Without the traces, the labels' trace id still widens to the whole trace.
    let spin = find_span(span_id("2b18346e9f12775e"), None, None, &set.links).unwrap();
    let whole = select(None, spin, Scope::Trace);
    assert_eq!((whole.applied, whole.missing), (Scope::Trace, true));
    assert_eq!(samples(&set, &whole), 5 + 1 + 10 + 29);
    // A bare span id (no trace id known) has no trace to widen to: the span alone.
    let bare = SpanRef::Key(SpanKey {
        trace_id: [0; 16],
        span_id: span_id("2b18346e9f12775e"),
    });
    let s = select(None, bare, Scope::Trace);
    assert_eq!((s.applied, s.missing), (Scope::Only, true));
    assert_eq!(
        s.spans,
        Some(SpanSelection::Spans(vec![match bare {
            SpanRef::Key(k) => k,
            SpanRef::Index(_) => unreachable!(),
        }]))
    );
}

#[test]
fn what_cannot_be_found_keeps_nothing() {
    let set = profiles(&format!("{PY}/profiles.json"));
    let t = traces(&format!("{PY}/traces.json"));
    // A span id neither the traces nor the links know.
    assert_eq!(
        find_span(span_id("0123456789abcdef"), None, Some(&t), &set.links),
        None
    );
    // An index past the traces (a stale row) keeps nothing rather than panicking.
    for traces in [None, Some(&t)] {
        let s = select(
            traces,
            SpanRef::Index(spanflame_core::SpanIdx::new(10_000)),
            Scope::WithChildren,
        );
        assert_eq!(s.spans, Some(SpanSelection::Spans(Vec::new())));
        assert_eq!(samples(&set, &s), 0);
    }
}

#[test]
fn a_time_window_meets_the_time_range_already_asked_for() {
    let t = traces(&format!("{PY}/traces.json"));
    let s = select(Some(&t), index(&t, "adec6d49f47ac7bb"), Scope::TimeWindow);
    let (from, to) = s.time.unwrap();
    let mut filter = Filter {
        time: Some((from + 10, u64::MAX)),
        ..Filter::default()
    };
    s.apply(&mut filter);
    assert_eq!(filter.time, Some((from + 10, to)));
    // Disjoint ranges keep an empty window, not an inverted one.
    let mut filter = Filter {
        time: Some((0, from / 2)),
        ..Filter::default()
    };
    s.apply(&mut filter);
    let (a, b) = filter.time.unwrap();
    assert_eq!((a, b), (from, from), "an empty window at the later start");
}

#[test]
fn scope_names_read_back() {
    for scope in Scope::ALL {
        assert_eq!(Scope::parse(scope.name()), Some(scope));
    }
    assert_eq!(Scope::parse("everything"), None);
}
