//! The pprof importer: the real fixture (span labels from the Python profiling extension)
//! against the numbers its README reports from an independent reader, and hand-built
//! profiles for every sample type, inline lines, mappings, dangling ids and the span-label
//! styles of Pyroscope and Datadog.
//!
//! Long (~860 lines): it carries its own small pprof message definitions, so that the
//! numbers are checked by a reading independent of the importer.

mod common;

use std::collections::BTreeMap;
use std::io::Write;

use common::{assert_golden, fixture, folded_text, profiles, traces};
use prost::Message;
use spanflame_core::formats::pprof::{self, proto};
use spanflame_core::formats::{Detect, gunzip_all, otlp};
use spanflame_core::model::{NONE, parse_hex};
use spanflame_core::{
    ErrorKind, Filter, Format, Layout, Limits, Loaded, ProfileSet, Scope, SpanKey, SpanSelection,
    TraceSet, load,
};

const DIR: &str = "pprof-span-labels";
const PROFILE: &str = "pprof-span-labels/profile.pprof";
const TRACES: &str = "pprof-span-labels/traces.json";

/// `(span id, span name, samples)` rows of the fixture README's table.
fn readme_table() -> Vec<(String, String, i64)> {
    let readme = String::from_utf8(fixture(&format!("{DIR}/README.md"))).unwrap();
    let mut rows = Vec::new();
    for line in readme.lines() {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [ids, name, count] = cells[..] else {
            continue;
        };
        let Ok(count) = count.trim_end_matches(" each").parse::<i64>() else {
            continue;
        };
        for id in ids.split(", ") {
            assert!(parse_hex::<8>(id).is_some(), "README span id {id:?}");
            rows.push((id.to_owned(), name.to_owned(), count));
        }
    }
    rows
}

fn total(set: &ProfileSet, filter: &Filter) -> i64 {
    let mut sum = 0;
    set.for_each_sample(filter, |row| sum += set.samples.value(row));
    sum
}

fn attr<'a>(set: &'a ProfileSet, row: usize, key: &str) -> Option<&'a str> {
    set.attr_sets[set.samples.attrs(row) as usize]
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

#[test]
fn the_fixture_is_detected_as_gzipped_pprof() {
    let set = profiles(PROFILE);
    assert_eq!(set.format, Format::Pprof);
    assert!(set.gzipped);
    assert_eq!(set.layout, Layout::NotOtlp);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    assert_eq!(set.sample_types.len(), 1);
    assert_eq!(set.sample_types[0].to_string(), "samples/count");
    assert_eq!(set.profiles.len(), 1);
    let p = &set.profiles[0];
    assert_eq!(
        p.period_type.as_ref().unwrap().to_string(),
        "wall/nanoseconds"
    );
    assert_eq!(p.period, 5_000_000);
    assert!(p.time_unix_nano > 1_600_000_000_000_000_000);
    assert_eq!(set.samples.len(), 193);
    assert_eq!(total(&set, &Filter::default()), 193);
    assert_eq!(set.call_tree(&Filter::default()).total(), 193);
    assert_eq!(set.linked_sample_count(), 193 - 16);
}

#[test]
fn detection_keeps_pprof_and_otlp_apart() {
    let plain = gunzip_all(&fixture(PROFILE), &Limits::default())
        .unwrap()
        .into_owned();
    assert_eq!(pprof::sniff(&plain), Detect::Yes);
    assert_eq!(otlp::sniff_binary(&plain), None);
    for file in [
        "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb",
        "otlp/python-ext-0.63b4-file/profiles.v1_10.binpb",
        "otlp/python-ext-0.63b4-file/traces.binpb",
        "otlp/synthetic-v1_10/profiles.binpb",
    ] {
        let bytes = fixture(file);
        assert_eq!(pprof::sniff(&bytes), Detect::No, "{file} taken for pprof");
        assert!(otlp::sniff_binary(&bytes).is_some(), "{file}");
    }
    // Text is not pprof; a protobuf without a string table may be the start of one, which
    // the whole file then is not.
    assert_eq!(pprof::sniff(b"main;work 12\nmain;idle 3\n"), Detect::No);
    assert_eq!(pprof::sniff(&[0x48, 0x01]), Detect::NeedMore);
    assert_eq!(pprof::sniff(&[]), Detect::NeedMore);
    assert_eq!(
        load(&[0x48, 0x01], &Limits::default()).unwrap_err().kind,
        ErrorKind::Unrecognized
    );
}

#[test]
fn per_span_counts_match_the_readme() {
    let set = profiles(PROFILE);
    let trace_set = traces(TRACES);
    let table = readme_table();
    assert_eq!(table.len(), 17);
    let mut linked = 0;
    for (id, name, count) in &table {
        let span_id = parse_hex::<8>(id).unwrap();
        let span = trace_set
            .find_span_id(&span_id)
            .unwrap_or_else(|| panic!("span {id} not in the trace file"));
        assert_eq!(&trace_set.spans[span.index()].name, name, "{id}");
        let filter = Filter {
            spans: trace_set.select(span, Scope::Only).spans,
            ..Filter::default()
        };
        assert_eq!(total(&set, &filter), *count, "span {id} ({name})");
        // The label carried the span name too.
        set.for_each_sample(&filter, |row| {
            assert_eq!(attr(&set, row, "trace endpoint"), Some(name.as_str()));
        });
        linked += count;
    }
    assert_eq!(linked, 193 - 16);
    // Exactly the 16 samples without a `span id` label are unlinked.
    let unlinked: Vec<usize> = (0..set.samples.len())
        .filter(|&r| set.samples.link(r) == NONE)
        .collect();
    assert_eq!(unlinked.len(), 16);
    for row in 0..set.samples.len() {
        assert_eq!(
            attr(&set, row, "span id").is_none(),
            set.samples.link(row) == NONE,
            "row {row}"
        );
    }
    // Every link is exact: the trace file has the same (trace id, span id).
    for link in &set.links {
        assert!(trace_set.find(link).is_some(), "{}", link.span_hex());
    }
}

#[test]
fn labels_become_attributes_and_filter() {
    let set = profiles(PROFILE);
    let mut threads: BTreeMap<String, i64> = BTreeMap::new();
    for row in 0..set.samples.len() {
        let name = attr(&set, row, "thread name").expect("every sample has a thread name");
        *threads.entry(name.to_owned()).or_default() += set.samples.value(row);
        // `thread id` is a numeric label, rendered in decimal.
        let tid = attr(&set, row, "thread id").expect("thread id");
        assert!(tid.parse::<u64>().is_ok(), "{tid}");
    }
    assert!(threads.contains_key("MainThread"), "{threads:?}");
    assert_eq!(threads.values().sum::<i64>(), 193);
    for (thread, count) in &threads {
        let filter = Filter {
            attributes: vec![("thread name".into(), thread.clone())],
            ..Filter::default()
        };
        assert_eq!(total(&set, &filter), *count, "{thread}");
    }
    // Span labels filter like any attribute: the four `spin` spans hold 29+29+29+28.
    let spin = Filter {
        attributes: vec![("trace endpoint".into(), "spin".into())],
        ..Filter::default()
    };
    assert_eq!(total(&set, &spin), 115);
    let none = Filter {
        attributes: vec![("thread name".into(), "no such thread".into())],
        ..Filter::default()
    };
    assert_eq!(total(&set, &none), 0);
}

#[test]
fn folded_golden() {
    let set = profiles(PROFILE);
    let folded = set.folded(&Filter::default());
    assert_eq!(folded.iter().map(|(_, v)| v).sum::<i64>(), 193);
    assert_golden(&format!("{DIR}/profile.folded"), &folded_text(&folded));
}

#[test]
fn truncated_at_every_byte_never_panics() {
    let plain = gunzip_all(&fixture(PROFILE), &Limits::default())
        .unwrap()
        .into_owned();
    let mut errors = 0;
    for cut in 1..plain.len() {
        match load(&plain[..cut], &Limits::default()) {
            Ok(Loaded::Profiles(set)) => {
                let tree = set.call_tree(&Filter::default());
                let _ = spanflame_core::FlameLayout::new(&tree);
            }
            Ok(Loaded::Traces(_)) => {}
            Err(e) => {
                assert!(!e.message.is_empty());
                errors += 1;
            }
        }
    }
    assert!(
        errors > plain.len() / 2,
        "only {errors} of {} prefixes failed",
        plain.len()
    );
}

/// Builds a string table while a test writes a profile.
#[derive(Default)]
struct Strings(Vec<String>);

impl Strings {
    fn new() -> Self {
        Strings(vec![String::new()])
    }

    fn id(&mut self, s: &str) -> i64 {
        match self.0.iter().position(|x| x == s) {
            Some(i) => i as i64,
            None => {
                self.0.push(s.to_owned());
                (self.0.len() - 1) as i64
            }
        }
    }

    fn label(&mut self, key: &str, value: &str) -> proto::Label {
        proto::Label {
            key: self.id(key),
            str: self.id(value),
            ..Default::default()
        }
    }

    fn num_label(&mut self, key: &str, num: i64, unit: &str) -> proto::Label {
        proto::Label {
            key: self.id(key),
            num,
            num_unit: if unit.is_empty() { 0 } else { self.id(unit) },
            ..Default::default()
        }
    }

    fn into_table(self) -> Vec<Vec<u8>> {
        self.0.into_iter().map(String::into_bytes).collect()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn load_profiles(bytes: &[u8]) -> ProfileSet {
    match load(bytes, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        Ok(Loaded::Traces(_)) => panic!("loaded as traces"),
        Err(e) => panic!("{e}"),
    }
}

const PYRO_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const PYRO_SPAN: &str = "b7ad6b7169203331";

/// Two sample types, an inlined line, an unsymbolised location with a mapping, one without,
/// a dangling function id, a dangling location id, a short sample and Pyroscope labels.
fn hand_built() -> proto::Profile {
    let mut s = Strings::new();
    let vt = |s: &mut Strings, t: &str, u: &str| proto::ValueType {
        r#type: s.id(t),
        unit: s.id(u),
    };
    let sample_type = vec![
        vt(&mut s, "samples", "count"),
        vt(&mut s, "cpu", "nanoseconds"),
    ];
    let period_type = Some(vt(&mut s, "cpu", "nanoseconds"));
    let func = |s: &mut Strings, id, name: &str, file: &str| proto::Function {
        id,
        name: s.id(name),
        system_name: 0,
        filename: s.id(file),
        start_line: 1,
    };
    let function = vec![
        func(&mut s, 10, "main", "main.go"),
        func(&mut s, 20, "inlined_helper", "helper.go"),
        func(&mut s, 30, "leaf", "leaf.go"),
    ];
    let mapping = vec![proto::Mapping {
        id: 7,
        memory_start: 0x1000,
        memory_limit: 0x9000,
        file_offset: 0x200,
        filename: s.id("/usr/lib/libc.so.6"),
        ..Default::default()
    }];
    let line = |function_id, line| proto::Line {
        function_id,
        line,
        column: 0,
    };
    let location = vec![
        // Innermost first: inlined_helper is inlined into main.
        proto::Location {
            id: 100,
            line: vec![line(20, 12), line(10, 5)],
            ..Default::default()
        },
        proto::Location {
            id: 200,
            line: vec![line(30, 3)],
            ..Default::default()
        },
        proto::Location {
            id: 300,
            mapping_id: 7,
            address: 0x1234,
            ..Default::default()
        },
        proto::Location {
            id: 400,
            line: vec![line(99, 1)],
            ..Default::default()
        },
        proto::Location {
            id: 500,
            address: 0xdead,
            ..Default::default()
        },
    ];
    let pyroscope = vec![
        s.label("span_id", PYRO_SPAN),
        s.label("trace_id", PYRO_TRACE),
        s.label("span_name", "GET /"),
        s.label("thread name", "worker"),
        s.num_label("bytes", 1024, "bytes"),
    ];
    let sample = |ids: &[u64], values: &[i64], label: Vec<proto::Label>| proto::Sample {
        location_id: ids.to_vec(),
        value: values.to_vec(),
        label,
    };
    let samples = vec![
        sample(&[200, 100], &[1, 10], pyroscope),
        sample(&[300, 100], &[2, 20], vec![]),
        sample(&[400, 555], &[3, 30], vec![]),
        sample(&[500], &[4], vec![]),
        sample(&[], &[5, 50], vec![]),
    ];
    let comment = vec![s.id("built by hand")];
    proto::Profile {
        sample_type,
        sample: samples,
        mapping,
        location,
        function,
        time_nanos: 1_700_000_000_000_000_000,
        duration_nanos: 10_000_000_000,
        period_type,
        period: 10_000_000,
        comment,
        string_table: s.into_table(),
        ..Default::default()
    }
}

#[test]
fn hand_built_profile_reads_every_part() {
    let bytes = hand_built().encode_to_vec();
    assert_eq!(pprof::sniff(&bytes), Detect::Yes);
    for (bytes, gzipped) in [(bytes.clone(), false), (gzip(&bytes), true)] {
        let set = load_profiles(&bytes);
        assert_eq!(set.format, Format::Pprof);
        assert_eq!(set.gzipped, gzipped);
        // default_sample_type is unset, so the last type (cpu) is preferred and comes first.
        let types: Vec<String> = set.sample_types.iter().map(ToString::to_string).collect();
        assert_eq!(types, ["cpu/nanoseconds", "samples/count"]);
        assert_eq!(set.profiles.len(), 2);
        let p = &set.profiles[0];
        assert_eq!(p.period, 10_000_000);
        assert_eq!(p.time_unix_nano, 1_700_000_000_000_000_000);
        assert_eq!(p.duration_nano, 10_000_000_000);
        assert!(
            p.attributes
                .iter()
                .any(|a| a.key == "pprof.profile.comment.0" && a.value == "built by hand")
        );

        let fold = |i: usize| {
            let f = Filter {
                sample_type: spanflame_core::model::SampleTypeId::from_index(i),
                ..Filter::default()
            };
            folded_text(&set.folded(&f))
        };
        assert_eq!(
            fold(0),
            "(no stack) 50\n\
             (unknown location);(unknown function) 30\n\
             main;inlined_helper;leaf 10\n\
             main;inlined_helper;libc.so.6+0x434 20\n"
        );
        assert_eq!(
            fold(1),
            "(no stack) 5\n\
             (unknown location);(unknown function) 3\n\
             0xdead 4\n\
             main;inlined_helper;leaf 1\n\
             main;inlined_helper;libc.so.6+0x434 2\n"
        );
        // The short sample only counts where it has a value.
        assert_eq!(set.profiles[0].samples.len(), 4);
        assert_eq!(set.profiles[1].samples.len(), 5);

        // Line numbers of the inlined location: caller main:5, then inlined_helper:12.
        let row = set.profiles[0].samples.start as usize;
        let lines: Vec<(String, u32)> = set
            .stack_frames(set.samples.stack_of(row))
            .into_iter()
            .map(|f| {
                let frame = &set.frames[f.index()];
                (set.function_name(frame.function).to_owned(), frame.line)
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("main".to_owned(), 5),
                ("inlined_helper".to_owned(), 12),
                ("leaf".to_owned(), 3)
            ]
        );

        // Labels: strings as they are, numbers with their unit.
        assert_eq!(attr(&set, row, "thread name"), Some("worker"));
        assert_eq!(attr(&set, row, "bytes"), Some("1024 bytes"));
        assert_eq!(attr(&set, row, "span_name"), Some("GET /"));

        // The Pyroscope labels give an exact link.
        let key = SpanKey {
            trace_id: parse_hex(PYRO_TRACE).unwrap(),
            span_id: parse_hex(PYRO_SPAN).unwrap(),
        };
        assert_eq!(set.links, [key]);
        let by_span = Filter {
            spans: Some(SpanSelection::Spans(vec![key])),
            ..Filter::default()
        };
        assert_eq!(
            folded_text(&set.folded(&by_span)),
            "main;inlined_helper;leaf 10\n"
        );
        let by_trace = Filter {
            spans: Some(SpanSelection::Trace(key.trace_id)),
            ..Filter::default()
        };
        assert_eq!(total(&set, &by_trace), 10);

        let diags: Vec<String> = set.diagnostics.iter().map(|d| d.message.clone()).collect();
        for wanted in [
            "a location line refers to a function id that no function has",
            "a sample refers to a location id that no location has",
            "a sample's value count differs from the number of sample types",
        ] {
            assert!(
                diags.iter().any(|d| d.starts_with(wanted)),
                "{wanted:?} not in {diags:?}"
            );
        }
    }
}

#[test]
fn default_sample_type_comes_first() {
    let mut p = hand_built();
    let samples = p.string_table.iter().position(|s| s == b"samples").unwrap();
    p.default_sample_type = samples as i64;
    let set = load_profiles(&p.encode_to_vec());
    assert_eq!(set.sample_types[0].to_string(), "samples/count");
    assert_eq!(total(&set, &Filter::default()), 15);
}

/// Datadog-style labels: no trace id, span ids in decimal or as int64 numbers.
#[test]
fn span_ids_without_trace_ids_match_spans_of_any_trace() {
    let trace_set = traces(TRACES);
    let mut s = Strings::new();
    let sample_type = vec![proto::ValueType {
        r#type: s.id("samples"),
        unit: s.id("count"),
    }];
    let function = vec![proto::Function {
        id: 1,
        name: s.id("work"),
        ..Default::default()
    }];
    let location = vec![proto::Location {
        id: 1,
        line: vec![proto::Line {
            function_id: 1,
            line: 1,
            column: 0,
        }],
        ..Default::default()
    }];
    let id = |hex: &str| u64::from_be_bytes(parse_hex(hex).unwrap());
    // Decimal string (Datadog Go); a span id of 2^63 or more (int64 label, two's complement);
    // only `local root span id` as a decimal string; and an all-zero span id (unlinked).
    let labels = [
        vec![s.label("span id", &id("2b18346e9f12775e").to_string())],
        vec![s.num_label("span id", id("9fa2ef5fa5aa2685") as i64, "")],
        vec![s.label("local root span id", &id("08fdbd6d36a4c82f").to_string())],
        vec![s.label("span id", "0")],
    ];
    let sample = labels
        .into_iter()
        .zip([3, 5, 7, 11])
        .map(|(label, v)| proto::Sample {
            location_id: vec![1],
            value: vec![v],
            label,
        })
        .collect();
    let p = proto::Profile {
        sample_type,
        sample,
        location,
        function,
        string_table: s.into_table(),
        ..Default::default()
    };
    let set = load_profiles(&p.encode_to_vec());
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    assert_eq!(set.links.len(), 3);
    assert!(set.links.iter().all(|l| l.trace_id == [0; 16]));
    assert_eq!(set.linked_sample_count(), 3);
    let count = |sel: SpanSelection| {
        total(
            &set,
            &Filter {
                spans: Some(sel),
                ..Filter::default()
            },
        )
    };
    let span_of = |hex: &str, t: &TraceSet| t.find_span_id(&parse_hex(hex).unwrap()).unwrap();
    // Spans from the trace file carry their real trace id, and still match.
    for (hex, want) in [
        ("2b18346e9f12775e", 3),
        ("9fa2ef5fa5aa2685", 5),
        ("08fdbd6d36a4c82f", 7),
    ] {
        let span = span_of(hex, &trace_set);
        assert_eq!(
            count(trace_set.select(span, Scope::Only).spans.unwrap()),
            want,
            "{hex}"
        );
    }
    // "Span and children" of `GET /home/0` covers its `spin` and `compute_hash` children.
    let root = span_of("fd8231d6173870f1", &trace_set);
    assert_eq!(trace_set.spans[root.index()].name, "GET /home/0");
    assert_eq!(
        count(trace_set.select(root, Scope::WithChildren).spans.unwrap()),
        3 + 5
    );
    // A span id of another span matches nothing.
    let other = span_of("3c2b487888cea88f", &trace_set);
    assert_eq!(
        count(trace_set.select(other, Scope::Only).spans.unwrap()),
        0
    );
}

#[test]
fn hex_span_ids_with_only_digits_are_read_as_hex_when_the_file_has_trace_ids() {
    let mut s = Strings::new();
    let label = vec![
        s.label("trace id", PYRO_TRACE),
        s.label("span id", "1234567890123456"),
    ];
    let p = proto::Profile {
        sample_type: vec![proto::ValueType {
            r#type: s.id("samples"),
            unit: s.id("count"),
        }],
        sample: vec![proto::Sample {
            location_id: vec![],
            value: vec![1],
            label,
        }],
        string_table: s.into_table(),
        ..Default::default()
    };
    let set = load_profiles(&p.encode_to_vec());
    assert_eq!(set.links[0].span_hex(), "1234567890123456");
    assert_eq!(set.links[0].trace_hex(), PYRO_TRACE);
}

#[test]
fn bad_input_gives_pprof_errors_and_diagnostics() {
    // A pprof top level whose sample has a truncated packed location list.
    let bytes = [0x32, 0x00, 0x12, 0x03, 0x0a, 0x01, 0xff];
    assert_eq!(pprof::sniff(&bytes), Detect::Yes);
    let e = load(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(e.format, Format::Pprof);
    assert_eq!(e.kind, ErrorKind::Malformed);
    assert!(e.message.contains("Sample"), "{e}");

    // Out-of-range string indices, a malformed span label, non-UTF-8 strings: diagnostics.
    let mut s = Strings::new();
    let label = vec![
        s.label("span_id", "not hex"),
        proto::Label {
            key: 999,
            str: 1,
            ..Default::default()
        },
    ];
    let mut p = proto::Profile {
        sample_type: vec![proto::ValueType {
            r#type: 12345,
            unit: -1,
        }],
        sample: vec![proto::Sample {
            location_id: vec![0],
            value: vec![1],
            label,
        }],
        string_table: s.into_table(),
        ..Default::default()
    };
    p.string_table.push(vec![0xff, 0xfe]);
    let set = load_profiles(&p.encode_to_vec());
    assert_eq!(set.sample_types[0].to_string(), "samples/count");
    assert_eq!(set.linked_sample_count(), 0);
    let diags: Vec<&str> = set.diagnostics.iter().map(|d| d.message.as_str()).collect();
    for wanted in [
        "a `span_id` label is not 16 hex digits",
        "a label key string index is outside the string table",
        "a sample type string index is outside the string table",
        "some strings are not UTF-8",
        "a sample refers to a location id that no location has",
    ] {
        assert!(
            diags.iter().any(|d| d.starts_with(wanted)),
            "{wanted:?} not in {diags:?}"
        );
    }
}

#[test]
fn limits_bound_what_the_input_declares() {
    let bytes = hand_built().encode_to_vec();
    // 5 samples × 2 sample types = 10 observations.
    let few_samples = Limits {
        max_samples: 9,
        ..Limits::default()
    };
    let e = load(&bytes, &few_samples).unwrap_err();
    assert_eq!(
        (e.format, e.kind),
        (Format::Pprof, ErrorKind::LimitExceeded),
        "{e}"
    );
    let small_tables = Limits {
        max_table_len: 4,
        ..Limits::default()
    };
    let e = load(&bytes, &small_tables).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LimitExceeded, "{e}");
    // One long label value referred to by many labels outgrows a small text budget.
    let mut s = Strings::new();
    let long = "x".repeat(10_000);
    let label: Vec<proto::Label> = (0..100).map(|i| s.label(&format!("k{i}"), &long)).collect();
    let p = proto::Profile {
        sample: vec![proto::Sample {
            location_id: vec![],
            value: vec![1],
            label,
        }],
        string_table: s.into_table(),
        ..Default::default()
    };
    let bytes = p.encode_to_vec();
    let tight = Limits {
        max_decompressed_bytes: 100_000,
        ..Limits::default()
    };
    let e = load(&bytes, &tight).unwrap_err();
    assert_eq!(
        (e.format, e.kind),
        (Format::Pprof, ErrorKind::LimitExceeded),
        "{e}"
    );
    // Deep stacks are cut on the root side while they are built.
    let mut p = hand_built();
    p.sample[0].location_id = [200].into_iter().chain([100; 10_000]).collect();
    let shallow = Limits {
        max_stack_depth: 8,
        ..Limits::default()
    };
    let set = match load(&p.encode_to_vec(), &shallow).unwrap() {
        Loaded::Profiles(set) => set,
        Loaded::Traces(_) => unreachable!(),
    };
    let row = set.profiles[0].samples.start as usize;
    let frames = set.stack_frames(set.samples.stack_of(row));
    assert_eq!(frames.len(), 8);
    assert_eq!(
        set.function_name(set.frames[frames[0].index()].function),
        "(truncated)"
    );
    assert_eq!(
        set.function_name(set.frames[frames[7].index()].function),
        "leaf"
    );
}

/// A reading of the fixture that shares nothing with `spanflame_core::formats::pprof`: the
/// few `profile.proto` messages it needs, declared here by field number.
mod plain_pprof {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Profile {
        #[prost(message, repeated, tag = "2")]
        pub sample: Vec<Sample>,
        #[prost(message, repeated, tag = "4")]
        pub location: Vec<Location>,
        #[prost(message, repeated, tag = "5")]
        pub function: Vec<Function>,
        #[prost(string, repeated, tag = "6")]
        pub string_table: Vec<String>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Sample {
        #[prost(uint64, repeated, tag = "1")]
        pub location_id: Vec<u64>,
        #[prost(int64, repeated, tag = "2")]
        pub value: Vec<i64>,
        #[prost(message, repeated, tag = "3")]
        pub label: Vec<Label>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Label {
        #[prost(int64, tag = "1")]
        pub key: i64,
        #[prost(int64, tag = "2")]
        pub str: i64,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Location {
        #[prost(uint64, tag = "1")]
        pub id: u64,
        #[prost(message, repeated, tag = "4")]
        pub line: Vec<Line>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Line {
        #[prost(uint64, tag = "1")]
        pub function_id: u64,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Function {
        #[prost(uint64, tag = "1")]
        pub id: u64,
        #[prost(int64, tag = "2")]
        pub name: i64,
    }
}

/// The golden folded file and the README table, against the separate reading above.
#[test]
fn golden_and_readme_agree_with_an_independent_reading() {
    use std::io::Read;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&fixture(PROFILE)[..])
        .read_to_end(&mut bytes)
        .unwrap();
    let p = plain_pprof::Profile::decode(bytes.as_slice()).unwrap();
    let s = |i: i64| p.string_table[usize::try_from(i).unwrap()].as_str();
    let functions: BTreeMap<u64, &str> = p.function.iter().map(|f| (f.id, s(f.name))).collect();
    let locations: BTreeMap<u64, &[plain_pprof::Line]> = p
        .location
        .iter()
        .map(|l| (l.id, l.line.as_slice()))
        .collect();
    let mut folded: BTreeMap<String, i64> = BTreeMap::new();
    let mut per_span: BTreeMap<String, (String, i64)> = BTreeMap::new();
    let mut without_span = 0;
    for sample in &p.sample {
        assert_eq!(sample.value.len(), 1, "one sample type");
        // Root first: ids are leaf first, and a location's lines innermost first.
        let stack: Vec<&str> = sample
            .location_id
            .iter()
            .rev()
            .flat_map(|id| {
                locations[id]
                    .iter()
                    .rev()
                    .map(|l| functions[&l.function_id])
            })
            .collect();
        *folded.entry(stack.join(";")).or_default() += sample.value[0];
        let label = |key: &str| {
            sample
                .label
                .iter()
                .find(|l| s(l.key) == key)
                .map(|l| s(l.str).to_owned())
        };
        match label("span id") {
            Some(id) => {
                let name = label("trace endpoint").unwrap_or_default();
                let entry = per_span.entry(id).or_insert((name.clone(), 0));
                assert_eq!(entry.0, name);
                entry.1 += sample.value[0];
            }
            None => without_span += 1,
        }
    }
    // README: 193 samples, 16 without a `span id`, and its per-span table.
    assert_eq!(p.sample.len(), 193);
    assert_eq!(without_span, 16);
    let table: BTreeMap<String, (String, i64)> = readme_table()
        .into_iter()
        .map(|(id, name, n)| (id, (name, n)))
        .collect();
    assert_eq!(per_span, table);
    // The golden file is exactly this folding, and so is Spanflame's.
    let golden: BTreeMap<String, i64> =
        String::from_utf8(fixture(&format!("{DIR}/profile.folded")))
            .unwrap()
            .lines()
            .map(|line| {
                let (stack, v) = line.rsplit_once(' ').unwrap();
                (stack.to_owned(), v.parse().unwrap())
            })
            .collect();
    assert_eq!(golden, folded);
    let ours: BTreeMap<String, i64> = profiles(PROFILE)
        .folded(&Filter::default())
        .into_iter()
        .collect();
    assert_eq!(ours, folded);
}
