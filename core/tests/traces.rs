//! Traces for the waterfall: every encoding of the real run's spans (protobuf, OTLP/JSON,
//! JSON Lines, each gzipped too) reads alike; span trees (missing parents make roots, cycles
//! are broken with a diagnostic); the join with the profile (counts and sample times per span,
//! pprof-style links that know only the span id); the waterfall rows and traces. Expected
//! numbers are the fixture README's link report.

mod common;

use std::collections::HashMap;
use std::io::Write;

use common::{SPAN_ONLY, fixture, profiles, traces};
use spanflame_core::model::{NONE, SampleTypeId, parse_hex};
use spanflame_core::waterfall::{TimeAxis, sampling_period_ns};
use spanflame_core::{Filter, Format, Limits, Loaded, Scope, SpanIdx, SpanKey, TraceSet, load};

const PY: &str = "otlp/python-ext-0.63b4-file";

/// "Span and children" of the spans with no samples of their own.
const WITH_CHILDREN: &[(&str, &str, u64)] = &[
    ("GET /home/0", "adec6d49f47ac7bb", 43),
    ("GET /home/1", "161746962db17094", 41),
    ("GET /home/2", "f145d034e4272a92", 41),
    ("GET /home/3", "2f1156380c704316", 41),
    ("background-job", "5c73934edbeaabd9", 8),
];

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn load_traces(bytes: &[u8]) -> TraceSet {
    match load(bytes, &Limits::default()) {
        Ok(Loaded::Traces(t)) => t,
        Ok(Loaded::Profiles(_)) => panic!("read as profiles"),
        Err(e) => panic!("{e}"),
    }
}

fn span_of(t: &TraceSet, hex: &str) -> SpanIdx {
    t.find_span_id(&parse_hex(hex).unwrap())
        .unwrap_or_else(|| panic!("span {hex} not in the trace"))
}

/// A span's fields that must not depend on the encoding.
fn shape(t: &TraceSet) -> Vec<(String, String, String, u32, u64, u64, String)> {
    let mut out: Vec<_> = t
        .spans
        .iter()
        .map(|s| {
            let parent = match s.parent {
                NONE => String::new(),
                p => t.spans[p as usize].key.span_hex(),
            };
            (
                s.key.trace_hex(),
                s.key.span_hex(),
                s.name.clone(),
                s.depth,
                s.start,
                s.end,
                parent,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_encoding_of_the_runs_traces_reads_alike() {
    let reference = traces(&format!("{PY}/traces.binpb"));
    assert_eq!(reference.spans.len(), 18);
    assert!(reference.diagnostics.is_empty());
    let want = shape(&reference);
    for (file, format) in [
        ("traces.binpb", Format::OtlpTracesBinary),
        ("traces.json", Format::OtlpTracesJson),
        ("traces.otlp.jsonl", Format::OtlpTracesJson),
    ] {
        let bytes = fixture(&format!("{PY}/{file}"));
        for gzipped in [false, true] {
            let t = if gzipped {
                load_traces(&gzip(&bytes))
            } else {
                load_traces(&bytes)
            };
            assert_eq!(t.format, Some(format), "{file}");
            assert_eq!(t.gzipped, gzipped, "{file}");
            assert!(t.diagnostics.is_empty(), "{file}: {:?}", t.diagnostics);
            assert_eq!(shape(&t), want, "{file} gzipped={gzipped}");
            // Hex ids in JSON read as the bytes the protobuf carries.
            let i = span_of(&t, "d28fece0d5b12a5c");
            assert!(t.spans[i.index()].key.trace_hex().starts_with("d38ade02"));
            assert_eq!(t.spans[i.index()].name, "compute_hash");
            assert_eq!(t.spans[i.index()].service, "otlp-profile-sample-app");
        }
    }
    // Two JSON lines (the collector's file exporter appends one per batch) add up.
    let line = String::from_utf8(fixture(&format!("{PY}/traces.otlp.jsonl"))).unwrap();
    let other = line.replace(
        "d38ade02aac48049dd108a17888e8416",
        "0123456789abcdef0123456789abcdef",
    );
    let two = load_traces(format!("{}\n{}\n", line.trim_end(), other.trim_end()).as_bytes());
    assert_eq!(two.spans.len(), 18 + 4);
    assert_eq!(two.trace_summaries().len(), 6);
}

#[test]
fn the_runs_spans_form_five_traces() {
    let t = traces(&format!("{PY}/traces.json"));
    let summaries = t.trace_summaries();
    let names: Vec<(&str, u32, usize)> = summaries
        .iter()
        .map(|s| (s.name(&t), s.spans, s.roots.len()))
        .collect();
    // By start time: the background job starts first, on its own thread.
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("GET /home/0", 4, 1),
            ("GET /home/1", 4, 1),
            ("GET /home/2", 4, 1),
            ("GET /home/3", 4, 1),
            ("background-job", 2, 1),
        ]
    );
    assert!(summaries.windows(2).all(|w| w[0].start <= w[1].start));
    for s in &summaries {
        let root = &t.spans[s.roots[0].index()];
        assert_eq!((root.start, root.depth, root.parent), (s.start, 0, NONE));
        assert!(s.end >= s.start);
        assert_eq!(s.errors, 0);
    }
    // Each GET has compute_fib, compute_hash and spin under it, by start time.
    let get0 = span_of(&t, "adec6d49f47ac7bb");
    let children: Vec<&str> = t.children[get0.index()]
        .iter()
        .map(|&c| t.spans[c.index()].name.as_str())
        .collect();
    assert_eq!(children, ["compute_fib", "compute_hash", "spin"]);
    let (services, of_span) = t.services();
    assert_eq!(services, ["otlp-profile-sample-app"]);
    assert!(of_span.iter().all(|&s| s == 0));
}

#[test]
fn waterfall_rows_follow_the_tree_and_skip_collapsed_subtrees() {
    let t = traces(&format!("{PY}/traces.json"));
    let roots: Vec<SpanIdx> = t.roots.clone();
    let all = t.waterfall_rows(&roots, |_| false);
    assert_eq!(all.len(), 18);
    // Depth first: each row's parent comes before it, and a parent's subtree is contiguous.
    for (pos, &s) in all.iter().enumerate() {
        if let Some(p) = t.spans[s.index()].parent_span() {
            let ppos = all.iter().position(|&x| x == p).unwrap();
            assert!(ppos < pos);
            assert!(
                all[ppos..pos]
                    .iter()
                    .all(|&x| t.ancestors(x).contains(&p) || x == p)
            );
        }
    }
    let get0 = span_of(&t, "adec6d49f47ac7bb");
    let collapsed = t.waterfall_rows(&roots, |s| s == get0);
    assert_eq!(collapsed.len(), 18 - 3);
    assert!(collapsed.contains(&get0));
    let hash = span_of(&t, "d28fece0d5b12a5c");
    assert!(!collapsed.contains(&hash));
    assert_eq!(t.ancestors(hash), [get0]);
    assert!(t.ancestors(get0).is_empty());
    // One trace's rows.
    let one = t.waterfall_rows(&[get0], |_| false);
    let names: Vec<&str> = one
        .iter()
        .map(|&s| t.spans[s.index()].name.as_str())
        .collect();
    assert_eq!(
        names,
        ["GET /home/0", "compute_fib", "compute_hash", "spin"]
    );
}

/// OTLP/JSON traces with spans `(span id, parent id)` in one trace.
fn json_trace(spans: &[(&str, &str)]) -> String {
    let spans: Vec<String> = spans
        .iter()
        .enumerate()
        .map(|(i, (id, parent))| {
            format!(
                r#"{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id}","parentSpanId":"{parent}","name":"s{i}","startTimeUnixNano":"{}","endTimeUnixNano":"{}"}}"#,
                1000 + i,
                2000 + i
            )
        })
        .collect();
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    )
}

#[test]
fn parent_cycles_are_broken_with_a_diagnostic() {
    // a -> b -> c -> a is a cycle; d is its own parent; e hangs under c; f's parent is not
    // in the file.
    let t = load_traces(
        json_trace(&[
            ("000000000000000a", "000000000000000c"),
            ("000000000000000b", "000000000000000a"),
            ("000000000000000c", "000000000000000b"),
            ("000000000000000d", "000000000000000d"),
            ("000000000000000e", "000000000000000c"),
            ("000000000000000f", "00000000000000ff"),
        ])
        .as_bytes(),
    );
    assert_eq!(t.spans.len(), 6);
    let cycles: u64 = t
        .diagnostics
        .items()
        .iter()
        .filter(|d| d.message.contains("cycle"))
        .map(|d| d.count)
        .sum();
    assert_eq!(cycles, 2, "{:?}", t.diagnostics);
    // Every span reaches a root; depths agree with parents.
    for (i, s) in t.spans.iter().enumerate() {
        assert!(t.ancestors(SpanIdx::from_index(i)).len() < t.spans.len());
        match s.parent {
            NONE => assert_eq!(s.depth, 0),
            p => assert_eq!(s.depth, t.spans[p as usize].depth + 1),
        }
    }
    let root_names: Vec<&str> = t
        .roots
        .iter()
        .map(|&r| t.spans[r.index()].name.as_str())
        .collect();
    // The cycle was cut at one of its spans, d lost its self-link, f is a root.
    assert_eq!(root_names.len(), 3, "{root_names:?}");
    assert!(root_names.contains(&"s3") && root_names.contains(&"s5"));
    // The cut cycle is one tree of four spans (a, b, c and e).
    let cycle_root = *t
        .roots
        .iter()
        .find(|&&r| !["s3", "s5"].contains(&t.spans[r.index()].name.as_str()))
        .unwrap();
    assert_eq!(t.descendants(cycle_root).len(), 4);
    assert_eq!(t.waterfall_rows(&t.roots, |_| false).len(), 6);
    assert_eq!(t.trace_summaries().len(), 1);
    assert_eq!(t.trace_summaries()[0].roots.len(), 3);
}

#[test]
fn sample_times_per_span_fall_in_the_span() {
    let set = profiles(&format!("{PY}/profiles.v1_10.binpb"));
    let t = traces(&format!("{PY}/traces.json"));
    let times = set.sample_times_by_span(&Filter::default(), None);
    assert_eq!(times.len(), 13);
    let period = sampling_period_ns(&set, SampleTypeId::new(0)).unwrap();
    assert_eq!(period, 5_000_000);
    for &(_, hex, _, count) in SPAN_ONLY {
        let i = span_of(&t, hex);
        let span = &t.spans[i.index()];
        let mine: Vec<u64> = spanflame_core::spans::linked(&times, &span.key)
            .flatten()
            .copied()
            .collect();
        assert_eq!(mine.len() as u64, count, "{hex}");
        assert!(mine.windows(2).all(|w| w[0] <= w[1]), "{hex} sorted");
        // A sample is taken while its span runs (give the sampler one period of slack).
        for &ts in &mine {
            assert!(
                ts + period >= span.start && ts <= span.end + period,
                "{hex}: sample at {ts} outside {}..{}",
                span.start,
                span.end
            );
        }
    }
    // Only the samples running hash_loop: the four compute_hash spans.
    let hash = set.sample_times_by_span(&Filter::default(), Some("hash_loop"));
    let mut got: Vec<(String, usize)> = hash.iter().map(|(k, v)| (k.span_hex(), v.len())).collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("5be5ff9307d8715f".to_owned(), 10),
            ("5de7d5ba1738d347".to_owned(), 10),
            ("cc06b8c3fe51c244".to_owned(), 11),
            ("d28fece0d5b12a5c".to_owned(), 13),
        ]
    );
    // Another sample type keeps nothing; a time filter keeps the samples inside it.
    let none = set.sample_times_by_span(
        &Filter {
            sample_type: SampleTypeId::new(7),
            ..Filter::default()
        },
        None,
    );
    assert!(none.is_empty());
    let spin = &t.spans[span_of(&t, "44887551e1bf7ccb").index()];
    let window = set.sample_times_by_span(
        &Filter {
            time: Some((spin.start, spin.end)),
            ..Filter::default()
        },
        None,
    );
    assert!(
        window
            .values()
            .flatten()
            .all(|&ts| (spin.start..spin.end).contains(&ts))
    );
    assert!(window.contains_key(&spin.key));
    // Cutting the whole file's times to a range gives what asking with the range gives,
    // for ranges inside, across and outside the samples.
    let (lo, hi) = set.time_range().unwrap();
    let third = (hi - lo) / 3;
    for range in [
        (spin.start, spin.end),
        (lo, lo + third),
        (lo + third, hi),
        (lo, hi + 1),
        (hi + 1, hi + 2),
    ] {
        let asked = set.sample_times_by_span(
            &Filter {
                time: Some(range),
                ..Filter::default()
            },
            None,
        );
        assert_eq!(
            spanflame_core::spans::times_in_range(&times, Some(range)),
            asked,
            "{range:?}"
        );
    }
    assert_eq!(spanflame_core::spans::times_in_range(&times, None), times);
    // The time axis of the run covers every span.
    let axis = TimeAxis::covering(t.spans.iter().map(|s| (s.start, s.end))).unwrap();
    assert!(
        t.spans
            .iter()
            .all(|s| (0.0..=1.0).contains(&axis.frac(s.start)))
    );
}

/// The profile's links with their trace ids zeroed, as pprof labels that give only a span id.
fn profile_with_span_ids_only() -> spanflame_core::ProfileSet {
    let json = String::from_utf8(fixture(&format!("{PY}/profiles.json"))).unwrap();
    let t = traces(&format!("{PY}/traces.json"));
    let mut zeroed = json.clone();
    for s in &t.spans {
        zeroed = zeroed.replace(
            &format!("\"traceId\": \"{}\"", s.key.trace_hex()),
            "\"traceId\": \"00000000000000000000000000000000\"",
        );
    }
    assert_ne!(zeroed, json);
    match load(zeroed.as_bytes(), &Limits::default()) {
        Ok(Loaded::Profiles(p)) => p,
        other => panic!("{other:?}"),
    }
}

#[test]
fn links_with_only_a_span_id_join_their_spans() {
    let set = profile_with_span_ids_only();
    assert_eq!(set.links.len(), 13);
    assert!(set.links.iter().all(|l| l.trace_id == [0; 16]));
    let t = traces(&format!("{PY}/traces.json"));
    let by_span = set.samples_by_span(&Filter::default());
    let counts = t.span_counts(&by_span);
    for &(_, hex, _, count) in SPAN_ONLY {
        let i = span_of(&t, hex).index();
        assert_eq!(counts[i].0.samples, count, "{hex}");
        // The waterfall's count is what the filter keeps.
        let filter = Filter {
            spans: t.select(SpanIdx::from_index(i), Scope::Only).spans,
            ..Filter::default()
        };
        assert_eq!(set.call_tree(&filter).total() as u64, count, "{hex}");
    }
    for &(name, hex, count) in WITH_CHILDREN {
        let i = span_of(&t, hex).index();
        assert_eq!(t.spans[i].name, name);
        assert_eq!(
            (counts[i].0.samples, counts[i].1.samples),
            (0, count),
            "{name}"
        );
    }
    assert!(t.unknown_spans(&by_span).is_empty());
    // resolve_link finds the span of a zero-trace link.
    for link in &set.links {
        let s = t.resolve_link(link).unwrap();
        assert_eq!(t.spans[s.index()].key.span_id, link.span_id);
    }
    // The reverse question, and the ticks, join the same way.
    let hash = set.spans_running_function(&Filter::default(), "hash_loop");
    let hash_counts = t.span_counts(&hash);
    let highlighted: Vec<(String, u64)> = t
        .spans
        .iter()
        .zip(&hash_counts)
        .filter(|(_, c)| c.0.samples > 0)
        .map(|(s, c)| (s.key.span_hex(), c.0.samples))
        .collect();
    assert_eq!(highlighted.len(), 4);
    assert_eq!(highlighted.iter().map(|h| h.1).sum::<u64>(), 44);
    let times = set.sample_times_by_span(&Filter::default(), None);
    let spin = &t.spans[span_of(&t, "45dd420fcdb9a795").index()];
    assert_eq!(
        spanflame_core::spans::linked(&times, &spin.key)
            .flatten()
            .count(),
        30
    );
}

#[test]
fn a_profile_without_its_trace_lists_its_linked_spans() {
    let set = profiles(&format!("{PY}/profiles.json"));
    let by_span = set.samples_by_span(&Filter::default());
    let unknown = TraceSet::default().unknown_spans(&by_span);
    assert_eq!(unknown.len(), 13);
    assert_eq!(unknown.iter().map(|u| u.1.samples).sum::<u64>(), 174);
    // Largest first.
    assert_eq!(unknown[0].1.samples, 30);
    let worker = unknown
        .iter()
        .find(|u| u.0.span_hex() == "7e1af78dc57de38c")
        .unwrap();
    assert!(worker.0.trace_hex().starts_with("e62ae068"));
    assert_eq!(worker.1.samples, 8);
    // A trace of other spans leaves them all unknown; the real one knows them all.
    let t = traces(&format!("{PY}/traces.json"));
    assert!(t.unknown_spans(&by_span).is_empty());
    let mut keys: HashMap<SpanKey, u64> = HashMap::new();
    for (k, n) in &by_span {
        keys.insert(*k, n.samples);
    }
    assert_eq!(keys.len(), 13);
}

#[test]
fn a_trace_without_a_profile_counts_nothing() {
    let t = traces(&format!("{PY}/traces.json"));
    let counts = t.span_counts(&HashMap::new());
    assert_eq!(counts.len(), 18);
    assert!(counts.iter().all(|c| c.0.samples == 0 && c.1.samples == 0));
}

/// Per-span samples, weights and times of a time range cut from the unranged times with
/// running weights are exactly those of the filter with the range: on the real profile and
/// on a generated one, for every sample type, across many ranges.
#[test]
fn span_samples_in_range_match_the_filtered_pass() {
    use spanflame_core::spans::{span_samples_in_range, times_in_range};
    use spanflame_synth::{Size, SynthOptions, generate};
    let generated = generate(&SynthOptions::size(Size::S)).profiles_binary();
    let generated = match load(&generated, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        _ => panic!("not a profile"),
    };
    for set in [profiles(&format!("{PY}/profiles.v1_10.binpb")), generated] {
        let mut non_empty = 0;
        let (lo, hi) = set.time_range().expect("timestamps");
        for st in 0..set.sample_types.len() {
            let unranged = Filter {
                sample_type: SampleTypeId::new(st as u32),
                ..Filter::default()
            };
            let with_weights = set.sample_times_and_weights_by_span(&unranged);
            let plain_times = set.sample_times_by_span(&unranged, None);
            assert_eq!(with_weights.len(), plain_times.len());
            for (k, t) in &with_weights {
                assert_eq!(&t.times, &plain_times[k]);
                assert_eq!(t.weight_before.len(), t.times.len() + 1);
            }
            let step = ((hi - lo) / 23).max(1);
            let mut ranges = vec![(lo, hi + 1), (lo + 1, hi), (hi + 1, hi + 10)];
            for k in 0..23 {
                for len in [step, 5 * step, 11 * step] {
                    let from = lo + k * step;
                    ranges.push((from, from + len));
                }
            }
            for (from, to) in ranges {
                let ranged = Filter {
                    time: Some((from, to)),
                    ..unranged.clone()
                };
                let (counts, times) = span_samples_in_range(&with_weights, from, to);
                non_empty += usize::from(counts.len() > 1);
                assert_eq!(counts, set.samples_by_span(&ranged), "{st} {from}..{to}");
                assert_eq!(
                    times,
                    times_in_range(&plain_times, ranged.time),
                    "{st} {from}..{to}"
                );
            }
        }
        assert!(
            non_empty > 20,
            "{non_empty} ranges with samples of several spans"
        );
    }
}
