//! The V8 `.cpuprofile` and Trace Event Format importers: node's and py-spy's real files
//! against the shares their own data gives (the expected.tsv files), DevTools-style
//! `ProfileChunk` traces by hand, and hostile input (parent cycles, missing nodes, absurd
//! lengths, truncation, trailing garbage) located by JSON path.

mod common;
mod shares;

use common::{fixture, profiles};
use spanflame_core::{At, ErrorKind, Filter, Format, Limits, Loaded, ProfileSet, load};

fn read_with(bytes: &[u8], limits: &Limits) -> spanflame_core::Result<ProfileSet> {
    load(bytes, limits).map(|l| match l {
        Loaded::Profiles(p) => p,
        Loaded::Traces(_) => panic!("traces"),
    })
}

fn read(text: &str) -> spanflame_core::Result<ProfileSet> {
    read_with(text.as_bytes(), &Limits::default())
}

fn path(e: &spanflame_core::Error) -> &str {
    match &e.at {
        At::Json { path, .. } => path,
        other => panic!("expected a JSON path, got {other:?} ({e})"),
    }
}

fn attr<'a>(set: &'a ProfileSet, row: usize, key: &str) -> Option<&'a str> {
    set.attr_sets[set.samples.attrs(row) as usize]
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

/// The sample-count view, which the cpuprofile expected.tsv files count in.
fn by_count() -> Filter {
    Filter {
        sample_type: spanflame_core::model::SampleTypeId::new(1),
        ..Filter::default()
    }
}

#[test]
fn node_cpuprofiles_match_their_own_numbers() {
    for (file, samples) in [("main", 1658), ("worker", 402)] {
        let set = profiles(&format!("chrome/{file}.cpuprofile"));
        assert_eq!(set.format, Format::ChromeCpuProfile);
        let types: Vec<String> = set.sample_types.iter().map(|t| t.to_string()).collect();
        assert_eq!(types, ["cpu/nanoseconds", "samples/count"]);
        assert_eq!(set.profiles[1].samples.len(), samples);
        assert_eq!(set.call_tree(&by_count()).total(), samples as i64);
        assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
        let mut expected = shares::expected(&fixture(&format!("chrome/{file}.expected.tsv")));
        // The root node is dropped from stacks, so it has no share of its own.
        assert_eq!(
            expected.remove("(root)").map(|(_, t)| t.round()),
            Some(100.0)
        );
        shares::assert_shares(&shares::shares(&set, &by_count()), &expected);
        // Time-weighted, the samples cover the profile from the first sample to endTime;
        // samples are timestamped.
        let p = &set.profiles[0];
        let cpu = set.call_tree(&Filter::default()).total();
        let span = p.duration_nano as i64;
        assert!(cpu <= span && cpu * 100 >= span * 95, "{cpu} vs {span}");
        assert!((0..set.samples.len()).all(|r| {
            let t = set.samples.time(r);
            t >= p.time_unix_nano && t > 0
        }));
        // The root node is not a frame; V8's names are kept.
        let names: Vec<&str> = set.functions.iter().map(|f| set.string(f.name)).collect();
        assert!(!names.contains(&"(root)"));
        assert!(names.contains(&"(program)"));
    }
}

#[test]
fn py_spy_chrometrace_matches_its_own_numbers() {
    let set = profiles("chrome/pyspy.chrometrace.json");
    assert_eq!(set.format, Format::ChromeTrace);
    assert_eq!(set.sample_types[0].to_string(), "wall/nanoseconds");
    assert_eq!(set.samples.len(), 139);
    assert_eq!(set.call_tree(&Filter::default()).total(), 5_747_799_000);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    let expected = shares::expected(&fixture("chrome/pyspy.expected.tsv"));
    shares::assert_shares(&shares::shares(&set, &Filter::default()), &expected);
    // Two threads, each its own profile, with pid and tid on every row.
    assert_eq!(set.profiles.len(), 2);
    assert!((0..set.samples.len()).all(|r| attr(&set, r, "thread.id").is_some()));
    assert!((0..set.samples.len()).all(|r| attr(&set, r, "process.pid").is_some()));
}

#[test]
fn node_trace_events_name_their_threads() {
    let set = profiles("chrome/node-trace-events.json");
    assert_eq!(set.format, Format::ChromeTrace);
    assert!(!set.samples.is_empty());
    let mut names: Vec<&str> = (0..set.samples.len())
        .filter_map(|r| attr(&set, r, "thread.name"))
        .collect();
    names.sort();
    names.dedup();
    assert!(!names.is_empty(), "thread_name metadata gives names");
}

#[test]
fn slices_nest_by_time_and_weigh_self_time() {
    // X events and B/E pairs on one thread, out of order in the file; a stray E.
    let text = r#"[
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": 7, "args": {"name": "main"}},
        {"name": "child", "ph": "X", "ts": 10, "dur": 30, "pid": 1, "tid": 7},
        {"name": "root", "ph": "B", "ts": 0, "pid": 1, "tid": 7},
        {"name": "root", "ph": "E", "ts": 100, "pid": 1, "tid": 7},
        {"ph": "E", "ts": 200, "pid": 1, "tid": 7},
        {"name": "other", "ph": "X", "ts": 0, "dur": 5, "pid": 1, "tid": 8}
    ]"#;
    let set = read(text).unwrap();
    let stats = set.call_tree(&Filter::default()).function_stats();
    let get = |n: &str| stats.iter().find(|s| s.name == n).unwrap();
    assert_eq!(get("root").self_weight, 70_000);
    assert_eq!(get("root").total_weight, 100_000);
    assert_eq!(get("child").self_weight, 30_000);
    assert_eq!(get("other").self_weight, 5_000);
    assert_eq!(set.diagnostics.len(), 1, "{:?}", set.diagnostics);
    assert!(set.diagnostics[0].message.contains("no open B"));
    let row = (0..set.samples.len())
        .find(|&r| attr(&set, r, "thread.id") == Some("7"))
        .unwrap();
    assert_eq!(attr(&set, row, "thread.name"), Some("main"));
    assert_eq!(attr(&set, row, "process.pid"), Some("1"));
    // The array may end without `]`, as the format allows.
    let cut = text.trim_end().strip_suffix(']').unwrap();
    let set = read(cut).unwrap();
    assert_eq!(get("root").self_weight, 70_000);
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("closing"))
    );
}

#[test]
fn devtools_profile_chunks_are_cpu_samples() {
    let text = r#"{"traceEvents": [
        {"name": "Profile", "ph": "P", "id": "0x1", "pid": 5, "tid": 9, "ts": 1000, "args": {"data": {"startTime": 1000}}},
        {"name": "ProfileChunk", "ph": "P", "id": "0x1", "pid": 5, "tid": 11, "ts": 1100, "args": {"data": {
            "cpuProfile": {"nodes": [
                {"id": 1, "callFrame": {"functionName": "(root)", "url": "", "scriptId": 0, "lineNumber": -1, "columnNumber": -1}},
                {"id": 2, "parent": 1, "callFrame": {"functionName": "", "url": "a.js", "scriptId": 1, "lineNumber": 4, "columnNumber": 0}}],
              "samples": [2, 2]},
            "timeDeltas": [10, 20]}}},
        {"name": "ProfileChunk", "ph": "P", "id": "0x1", "pid": 5, "tid": 11, "ts": 1200, "args": {"data": {
            "cpuProfile": {"nodes": [
                {"id": 3, "parent": 2, "callFrame": {"functionName": "leaf", "url": "a.js", "scriptId": 1, "lineNumber": 9, "columnNumber": 0}}],
              "samples": [3]},
            "timeDeltas": [30]}}},
        {"name": "RunTask", "ph": "X", "ts": 1000, "dur": 100, "pid": 5, "tid": 9}
    ]}"#;
    let set = read(text).unwrap();
    let types: Vec<String> = set.sample_types.iter().map(|t| t.to_string()).collect();
    assert_eq!(
        types,
        ["cpu/nanoseconds", "samples/count", "wall/nanoseconds"]
    );
    let stats = set.call_tree(&by_count()).function_stats();
    let get = |n: &str| stats.iter().find(|s| s.name == n).unwrap();
    assert_eq!(get("(anonymous)").self_weight, 2);
    assert_eq!(get("(anonymous)").total_weight, 3);
    assert_eq!(get("leaf").self_weight, 1);
    assert_eq!(get("leaf").file, "a.js");
    // Sample times: startTime + deltas, µs to ns.
    assert_eq!(
        [0, 1, 2].map(|r| set.samples.time(r)),
        [1_010_000, 1_030_000, 1_060_000]
    );
    let leaf = set
        .frames
        .iter()
        .find(|f| set.function_name(f.function) == "leaf")
        .unwrap();
    assert_eq!(leaf.line, 10);
    assert_eq!(attr(&set, 0, "thread.id"), Some("9"));
}

fn cpuprofile(nodes: &str, samples: &str) -> String {
    format!(
        r#"{{"nodes": [{nodes}], "startTime": 0, "endTime": 100, "samples": [{samples}], "timeDeltas": [1, 1]}}"#
    )
}

fn node(id: i64, name: &str, children: &str) -> String {
    format!(
        r#"{{"id": {id}, "callFrame": {{"functionName": "{name}", "url": "x.js", "scriptId": 1, "lineNumber": 0, "columnNumber": 0}}, "hitCount": 0, "children": [{children}]}}"#
    )
}

#[test]
fn hostile_trees_are_located_errors() {
    // Any integer ids are fine.
    let ok = cpuprofile(
        &[node(-5, "(root)", "99"), node(99, "f", "")].join(","),
        "99, -5",
    );
    let set = read(&ok).unwrap();
    assert_eq!(set.call_tree(&by_count()).total(), 2);

    let cycle = cpuprofile(&[node(1, "a", "2"), node(2, "b", "1")].join(","), "1, 2");
    let e = read(&cycle).unwrap_err();
    assert_eq!(
        (e.kind, e.format),
        (ErrorKind::Malformed, Format::ChromeCpuProfile)
    );
    assert!(e.message.contains("cycle"), "{e}");
    assert!(path(&e).starts_with("$.nodes["), "{e}");

    let missing = cpuprofile(
        &[node(1, "(root)", "2"), node(2, "b", "")].join(","),
        "2, 3",
    );
    let e = read(&missing).unwrap_err();
    assert_eq!((e.kind, path(&e)), (ErrorKind::Malformed, "$.samples[1]"));
    assert!(e.message.contains("node id 3"));

    let dangling = cpuprofile(&[node(1, "(root)", "2, 8")].join(","), "1");
    let e = read(&dangling).unwrap_err();
    assert_eq!(path(&e), "$.nodes[0].children");

    let twice = cpuprofile(&[node(1, "(root)", ""), node(1, "b", "")].join(","), "1");
    let e = read(&twice).unwrap_err();
    assert_eq!(path(&e), "$.nodes[1]");
}

#[test]
fn absurd_lengths_hit_the_limits() {
    let limits = Limits {
        max_samples: 4,
        max_table_len: 3,
        ..Limits::default()
    };
    let many = cpuprofile(&node(1, "(root)", ""), &["1"; 5].join(","));
    let e = read_with(many.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        (e.kind, path(&e)),
        (ErrorKind::LimitExceeded, "$.samples[4]")
    );
    let nodes: Vec<String> = (1..=4).map(|i| node(i, "n", "")).collect();
    let e = read_with(cpuprofile(&nodes.join(","), "1").as_bytes(), &limits).unwrap_err();
    assert_eq!((e.kind, path(&e)), (ErrorKind::LimitExceeded, "$.nodes[3]"));
    let events = [r#"{"ph": "X", "ts": 0, "dur": 1}"#; 4].join(",");
    let e = read_with(format!("[{events}]").as_bytes(), &limits).unwrap_err();
    assert_eq!(
        (e.kind, e.format, path(&e)),
        (
            ErrorKind::LimitExceeded,
            Format::ChromeTrace,
            "$.traceEvents[3]"
        )
    );
}

#[test]
fn garbage_after_valid_json_is_an_error() {
    for (file, format) in [
        ("chrome/main.cpuprofile", Format::ChromeCpuProfile),
        ("chrome/node-trace-events.json", Format::ChromeTrace),
        ("chrome/pyspy.chrometrace.json", Format::ChromeTrace),
    ] {
        let mut bytes = fixture(file);
        bytes.extend_from_slice(b"\n#garbage");
        let e = read_with(&bytes, &Limits::default()).unwrap_err();
        assert_eq!((e.kind, e.format), (ErrorKind::Malformed, format), "{file}");
    }
}

#[test]
fn truncations_and_bit_flips_never_panic() {
    for (file, format) in [
        ("chrome/worker.cpuprofile", Format::ChromeCpuProfile),
        ("chrome/node-trace-events.json", Format::ChromeTrace),
    ] {
        let bytes = fixture(file);
        let step = (bytes.len() / 200).max(1);
        for cut in (100..bytes.len()).step_by(step) {
            let e = read_with(&bytes[..cut], &Limits::default()).unwrap_err();
            // Until `samples` is in view, a cut .cpuprofile is not recognisable as one.
            let seen = String::from_utf8_lossy(&bytes[..cut]).contains("\"samples\"");
            if format == Format::ChromeCpuProfile && !seen {
                assert_eq!(e.kind, ErrorKind::Unrecognized);
                continue;
            }
            assert_eq!(
                (e.kind, e.format),
                (ErrorKind::Malformed, format),
                "{file} cut {cut}"
            );
            assert!(matches!(e.at, At::Json { .. }));
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut b = bytes.clone();
            let i = (seed as usize) % b.len();
            b[i] ^= 1 << (seed >> 60 & 7);
            let _ = read_with(&b, &Limits::default());
        }
    }
    // A py-spy trace cut anywhere never panics (the array form may lose its end).
    let bytes = fixture("chrome/pyspy.chrometrace.json");
    for cut in (1..bytes.len()).step_by((bytes.len() / 200).max(1)) {
        let _ = read_with(&bytes[..cut], &Limits::default());
    }
}
