//! The real fixtures: every encoding of the same run gives the same answers, and those
//! answers agree with the numbers the fixture README reports from independent tools.

mod common;

use std::collections::BTreeMap;

use common::{SPAN_ONLY, assert_golden, folded_text, profiles, traces};
use spanflame_core::model::{SampleTypeId, parse_hex};
use spanflame_core::{Filter, Format, Layout, Scope, SpanKey, SpanSelection};

const PY: &str = "otlp/python-ext-0.63b4-file";
const SYN: &str = "otlp/synthetic-v1_10";

/// (file, format, layout) for every encoding of the Python run.
const PY_ENCODINGS: &[(&str, Format, Layout)] = &[
    (
        "profiles.v1_9.binpb",
        Format::OtlpProfilesBinary,
        Layout::OtlpV1_9,
    ),
    (
        "profiles.v1_10.binpb",
        Format::OtlpProfilesBinary,
        Layout::OtlpV1_10,
    ),
    (
        "profiles.v1_10.binpb.gz",
        Format::OtlpProfilesBinary,
        Layout::OtlpV1_10,
    ),
    (
        "profiles.v1_10.fileexporter-proto.bin",
        Format::OtlpProfilesLengthPrefixed,
        Layout::OtlpV1_10,
    ),
    ("profiles.json", Format::OtlpProfilesJson, Layout::OtlpJson),
    (
        "profiles.otlp.jsonl",
        Format::OtlpProfilesJsonLines,
        Layout::OtlpJson,
    ),
];

fn leaf_totals(folded: &[(String, i64)]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (stack, v) in folded {
        let leaf = stack.rsplit(';').next().unwrap().to_owned();
        *out.entry(leaf).or_default() += v;
    }
    out
}

fn span(trace_hex: &str, span_hex: &str) -> SpanKey {
    SpanKey {
        trace_id: parse_hex(trace_hex).unwrap(),
        span_id: parse_hex(span_hex).unwrap(),
    }
}

#[test]
fn every_encoding_of_the_python_run_reads_alike() {
    let reference = profiles(&format!("{PY}/profiles.v1_9.binpb"));
    let expected = reference.folded(&Filter::default());
    assert_golden(&format!("{PY}/profiles.folded"), &folded_text(&expected));
    for &(file, format, layout) in PY_ENCODINGS {
        let set = profiles(&format!("{PY}/{file}"));
        assert_eq!(set.format, format, "{file}");
        assert_eq!(set.layout, layout, "{file}");
        assert!(set.diagnostics.is_empty(), "{file}: {:?}", set.diagnostics);
        assert_eq!(set.folded(&Filter::default()), expected, "{file}");
        assert_eq!(set.samples.len(), 187, "{file}");
        assert_eq!(set.linked_sample_count(), 174, "{file}");
        assert_eq!(set.links.len(), 13, "{file}");
    }
}

#[test]
fn python_run_totals_match_the_producer() {
    let set = profiles(&format!("{PY}/profiles.v1_9.binpb"));
    assert_eq!(set.sample_types.len(), 1);
    assert_eq!(set.sample_types[0].to_string(), "samples/count");
    let p = &set.profiles[0];
    assert_eq!(p.period, 5_000_000);
    assert_eq!(
        p.period_type.as_ref().unwrap().to_string(),
        "wall/nanoseconds"
    );
    let tree = set.call_tree(&Filter::default());
    assert_eq!(tree.total(), 187);
    let leaves = leaf_totals(&set.folded(&Filter::default()));
    let want: BTreeMap<String, i64> = [
        ("busy_sleep", 128),
        ("hash_loop", 44),
        ("fib", 12),
        ("wait", 3),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(leaves, want);
    // The tree's self weights agree with the folded leaves.
    let stats = tree.function_stats();
    assert_eq!(stats[0].name, "busy_sleep");
    assert_eq!(stats[0].self_weight, 128);
    let fib = stats.iter().find(|s| s.name == "fib").unwrap();
    // fib recurses: its total counts each sample once.
    assert_eq!((fib.self_weight, fib.total_weight), (12, 12));
}

#[test]
fn per_span_samples_match_the_link_report() {
    let trace = traces(&format!("{PY}/traces.json"));
    assert_eq!(trace.spans.len(), 18);
    for &(file, ..) in PY_ENCODINGS {
        let set = profiles(&format!("{PY}/{file}"));
        for &(trace_prefix, span_hex, leaf, count) in SPAN_ONLY {
            let idx = trace
                .find_span_id(&parse_hex(span_hex).unwrap())
                .unwrap_or_else(|| panic!("span {span_hex} not in the trace"));
            assert!(
                trace.spans[idx.index()]
                    .key
                    .trace_hex()
                    .starts_with(trace_prefix)
            );
            let filter = Filter {
                spans: trace.select(idx, Scope::Only).spans,
                ..Filter::default()
            };
            let leaves = leaf_totals(&set.folded(&filter));
            assert_eq!(leaves.len(), 1, "{file} {span_hex}: {leaves:?}");
            assert_eq!(leaves.get(leaf), Some(&(count as i64)), "{file} {span_hex}");
        }
    }
}

#[test]
fn span_and_children_match_the_link_report() {
    let set = profiles(&format!("{PY}/profiles.v1_10.binpb"));
    let trace = traces(&format!("{PY}/traces.binpb"));
    let cases = [
        ("d38ade02aac48049dd108a17888e8416", "adec6d49f47ac7bb", 43),
        ("", "161746962db17094", 41),
        ("", "f145d034e4272a92", 41),
        ("", "2f1156380c704316", 41),
        ("", "5c73934edbeaabd9", 8),
    ];
    for (trace_hex, span_hex, want) in cases {
        let idx = if trace_hex.is_empty() {
            trace.find_span_id(&parse_hex(span_hex).unwrap()).unwrap()
        } else {
            trace.find(&span(trace_hex, span_hex)).unwrap()
        };
        let total = |scope| {
            let filter = Filter {
                spans: trace.select(idx, scope).spans,
                ..Filter::default()
            };
            set.call_tree(&filter).total()
        };
        assert_eq!(
            total(Scope::Only),
            0,
            "{span_hex} has no samples of its own"
        );
        assert_eq!(total(Scope::WithChildren), want, "{span_hex}");
        // The whole trace holds at least the span's subtree.
        assert!(total(Scope::Trace) >= want);
    }
    // No known span: 187 - 174 unlinked.
    let unlinked = set
        .samples
        .links()
        .unwrap()
        .iter()
        .filter(|&&l| l == spanflame_core::model::NONE)
        .count();
    assert_eq!(unlinked, 13);
}

#[test]
fn attribute_and_time_filters() {
    let set = profiles(&format!("{PY}/profiles.json"));
    let by_thread = |name: &str| {
        set.call_tree(&Filter {
            attributes: vec![("thread.name".into(), name.into())],
            ..Filter::default()
        })
        .total()
    };
    assert_eq!(by_thread("worker-1"), 8);
    assert_eq!(by_thread("MainThread") + by_thread("worker-1"), 187);
    assert_eq!(by_thread("no-such-thread"), 0);
    let service = set.call_tree(&Filter {
        attributes: vec![("service.name".into(), "otlp-profile-sample-app".into())],
        ..Filter::default()
    });
    assert_eq!(service.total(), 187);
    let (lo, hi) = set.time_range().unwrap();
    let all = set.call_tree(&Filter {
        time: Some((lo, hi + 1)),
        ..Filter::default()
    });
    assert_eq!(all.total(), 187);
    let mid = lo + (hi - lo) / 2;
    let first = set
        .call_tree(&Filter {
            time: Some((lo, mid)),
            ..Filter::default()
        })
        .total();
    let second = set
        .call_tree(&Filter {
            time: Some((mid, hi + 1)),
            ..Filter::default()
        })
        .total();
    assert_eq!(first + second, 187);
    assert!(first > 0 && second > 0);
}

#[test]
fn synthetic_v1_10_every_encoding() {
    let files = [
        "profiles.binpb",
        "profiles.fileexporter-proto.bin",
        "profiles.json",
        "profiles.otlp.jsonl",
    ];
    let reference = profiles(&format!("{SYN}/profiles.binpb"));
    let names: Vec<String> = reference
        .sample_types
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        names,
        ["samples/count", "off_cpu/nanoseconds", "alloc_space/bytes"]
    );
    let mut golden = String::new();
    for (i, st) in names.iter().enumerate() {
        let f = Filter {
            sample_type: SampleTypeId::from_index(i),
            ..Filter::default()
        };
        golden += &format!("# {st}\n{}", folded_text(&reference.folded(&f)));
    }
    assert_golden(&format!("{SYN}/profiles.folded"), &golden);
    for file in files {
        let set = profiles(&format!("{SYN}/{file}"));
        assert!(set.diagnostics.is_empty(), "{file}: {:?}", set.diagnostics);
        for i in 0..3 {
            let f = Filter {
                sample_type: SampleTypeId::from_index(i),
                ..Filter::default()
            };
            assert_eq!(set.folded(&f), reference.folded(&f), "{file} type {i}");
        }
        let totals: Vec<i64> = (0..3)
            .map(|i| {
                set.call_tree(&Filter {
                    sample_type: SampleTypeId::from_index(i),
                    ..Filter::default()
                })
                .total()
            })
            .collect();
        assert_eq!(totals, [6, 5_500_000, 1_048_576], "{file}");
        let leaves = leaf_totals(&set.folded(&Filter::default()));
        assert_eq!(leaves.get("fib"), Some(&5));
        assert_eq!(leaves.get("memcpy"), Some(&1));
        // Resource attributes given by string-table reference are resolved.
        assert!(!set.resources[0].attributes.is_empty(), "{file}");
        assert!(
            set.resources[0].attribute("service.name").is_some(),
            "{file}"
        );
    }
}

#[test]
fn synthetic_v1_10_spans_inlining_and_frame_kinds() {
    let set = profiles(&format!("{SYN}/profiles.binpb"));
    let trace = traces(&format!("{SYN}/traces.json"));
    assert_eq!(trace.spans.len(), 2);
    let by = |span_hex: &str, sample_type: u32| {
        let idx = trace.find_span_id(&parse_hex(span_hex).unwrap()).unwrap();
        let f = Filter {
            sample_type: SampleTypeId::new(sample_type),
            spans: trace.select(idx, Scope::Only).spans,
            ..Filter::default()
        };
        leaf_totals(&set.folded(&f))
    };
    assert_eq!(by("0102030405060708", 0).get("fib"), Some(&3));
    assert_eq!(
        by("eee19b7ec3c1b174", 1).get("do_syscall_64"),
        Some(&5_500_000)
    );
    assert_eq!(by("eee19b7ec3c1b174", 0).get("memcpy"), Some(&1));
    // Link[0] is the zero link: it must not count as a span.
    assert!(set.links.iter().all(|l| l.span_id != [0; 8]));
    // Frame kinds come from profile.frame.type.
    let tree = set.call_tree(&Filter {
        sample_type: SampleTypeId::new(1),
        ..Filter::default()
    });
    let kinds: Vec<_> = tree
        .nodes()
        .skip(1)
        .map(|n| (tree.name(n).to_owned(), tree.kind(n)))
        .collect();
    assert!(
        kinds
            .iter()
            .any(|(n, k)| n == "do_syscall_64" && *k == spanflame_core::model::FrameKind::Kernel),
        "{kinds:?}"
    );
    // A trace-level selection by trace id works without the trace file.
    let link = set.links[0];
    let whole = set.call_tree(&Filter {
        spans: Some(SpanSelection::Trace(link.trace_id)),
        ..Filter::default()
    });
    assert!(whole.total() > 0);
}

#[test]
fn bottom_up_tree_has_leaves_at_the_top() {
    let set = profiles(&format!("{PY}/profiles.v1_10.binpb"));
    let tree = set.inverted_call_tree(&Filter::default());
    assert_eq!(tree.total(), 187);
    let top: BTreeMap<&str, i64> = tree
        .children(spanflame_core::CallTree::ROOT)
        .iter()
        .map(|&n| (tree.name(n), tree.total_weight(n)))
        .collect();
    assert_eq!(top.get("busy_sleep"), Some(&128));
    assert_eq!(top.get("hash_loop"), Some(&44));
    let hash = tree
        .children(spanflame_core::CallTree::ROOT)
        .iter()
        .copied()
        .find(|&n| tree.name(n) == "hash_loop")
        .unwrap();
    let callers: Vec<&str> = tree.children(hash).iter().map(|&n| tree.name(n)).collect();
    assert_eq!(callers, ["handle_request"]);
}

#[test]
fn flame_layout_is_a_partition_of_the_total() {
    let set = profiles(&format!("{PY}/profiles.v1_9.binpb"));
    let tree = set.call_tree(&Filter::default());
    let layout = spanflame_core::FlameLayout::new(&tree);
    // Row 0 covers everything that has a stack.
    let row0: f64 = layout.row(0).iter().map(|r| r.x1 - r.x0).sum();
    assert!((row0 - 1.0).abs() < 1e-9, "{row0}");
    for d in 0..layout.depth_count() {
        let row = layout.row(d);
        for w in row.windows(2) {
            assert!(w[0].x1 <= w[1].x0 + 1e-12, "row {d} overlaps");
        }
        for r in row {
            let expect = tree.total_weight(r.node) as f64 / tree.total() as f64;
            assert!(((r.x1 - r.x0) - expect).abs() < 1e-9);
            assert_eq!(tree.depth(r.node), d + 1);
        }
    }
    let hash = layout
        .rects()
        .iter()
        .find(|r| tree.name(r.node) == "hash_loop")
        .unwrap();
    assert_eq!(
        layout
            .hit(hash.depth, (hash.x0 + hash.x1) / 2.0)
            .map(|r| r.node),
        Some(hash.node)
    );
    // Zooming puts the focus at full width with its path above it.
    let zoomed = spanflame_core::FlameLayout::focused(&tree, hash.node);
    let focus = zoomed.rects().iter().find(|r| r.node == hash.node).unwrap();
    assert_eq!((focus.x0, focus.x1, focus.depth), (0.0, 1.0, hash.depth));
    assert_eq!(zoomed.row(0).len(), 1);
}

#[test]
fn per_span_counts_for_the_waterfall() {
    let set = profiles(&format!("{PY}/profiles.v1_10.binpb"));
    let trace = traces(&format!("{PY}/traces.json"));
    let by_span = set.samples_by_span(&Filter::default());
    assert_eq!(by_span.values().map(|n| n.samples).sum::<u64>(), 174);
    let counts = trace.span_counts(&by_span);
    for &(_, span_hex, _, count) in SPAN_ONLY {
        let i = trace
            .find_span_id(&parse_hex(span_hex).unwrap())
            .unwrap()
            .index();
        assert_eq!(counts[i].0.samples, count, "{span_hex}");
    }
    let get0 = trace
        .find_span_id(&parse_hex("adec6d49f47ac7bb").unwrap())
        .unwrap()
        .index();
    assert_eq!((counts[get0].0.samples, counts[get0].1.samples), (0, 43));
    assert!(trace.unknown_spans(&by_span).is_empty());
    // Reverse: which spans ran hash_loop? The four compute_hash spans, 44 samples in all.
    let hash = set.spans_running_function(&Filter::default(), "hash_loop");
    assert_eq!(hash.len(), 4);
    assert_eq!(hash.values().map(|n| n.samples).sum::<u64>(), 44);
    for key in hash.keys() {
        let i = trace.find(key).unwrap().index();
        assert_eq!(trace.spans[i].name, "compute_hash");
    }
}

#[test]
fn json_lines_batches_of_one_process_share_a_resource() {
    let line = String::from_utf8(common::fixture(&format!("{PY}/profiles.otlp.jsonl"))).unwrap();
    let two = format!("{}\n{}\n", line.trim_end(), line.trim_end());
    let Ok(spanflame_core::Loaded::Profiles(set)) =
        spanflame_core::load(two.as_bytes(), &spanflame_core::Limits::default())
    else {
        panic!()
    };
    assert_eq!(set.format, Format::OtlpProfilesJsonLines);
    assert_eq!(set.resources.len(), 1);
    assert_eq!(set.profiles.len(), 2);
    assert_eq!(set.call_tree(&Filter::default()).total(), 2 * 187);
}

#[test]
fn a_trace_file_without_spans_is_an_empty_trace() {
    use prost::Message;
    use spanflame_core::formats::otlp::trace_proto::{ResourceSpans, TracesData};
    let data = TracesData {
        resource_spans: vec![ResourceSpans::default()],
    };
    let loaded = spanflame_core::load(&data.encode_to_vec(), &spanflame_core::Limits::default());
    match loaded {
        Ok(spanflame_core::Loaded::Traces(t)) => assert!(t.spans.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn v1_9_samples_with_only_values_are_read_as_v1_9() {
    use opentelemetry_proto::tonic::profiles::v1development as v10;
    use prost::Message;
    use spanflame_core::formats::otlp::legacy::{
        ProfileV19, ProfilesDataV19, ResourceProfilesV19, SampleV19, ScopeProfilesV19,
    };
    // Take the real dictionary, and write samples that carry only a stack and values.
    let real = v10::ProfilesData::decode(
        common::fixture(&format!("{PY}/profiles.v1_10.binpb")).as_slice(),
    )
    .unwrap();
    let samples = (0..3)
        .map(|i| SampleV19 {
            stack_index: i,
            values: vec![1000 + i as i64],
            ..SampleV19::default()
        })
        .collect();
    let data = ProfilesDataV19 {
        dictionary: real.dictionary,
        resource_profiles: vec![ResourceProfilesV19 {
            scope_profiles: vec![ScopeProfilesV19 {
                profiles: vec![ProfileV19 {
                    samples,
                    ..ProfileV19::default()
                }],
                ..ScopeProfilesV19::default()
            }],
            ..ResourceProfilesV19::default()
        }],
    };
    let Ok(spanflame_core::Loaded::Profiles(set)) =
        spanflame_core::load(&data.encode_to_vec(), &spanflame_core::Limits::default())
    else {
        panic!()
    };
    assert_eq!(set.layout, Layout::OtlpV1_9);
    assert_eq!(
        set.call_tree(&Filter::default()).total(),
        1000 + 1001 + 1002
    );
}
