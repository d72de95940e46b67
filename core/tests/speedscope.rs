//! The speedscope importer: py-spy's real file against the shares its own data gives
//! (expected.tsv), evented profiles by hand, and malformed input located by JSON path.

mod common;
mod shares;

use common::{fixture, profiles};
use spanflame_core::{At, ErrorKind, Filter, Format, Limits, Loaded, ProfileSet, load};

const FILE: &str = "speedscope/profile.speedscope.json";

fn read(text: &str) -> spanflame_core::Result<ProfileSet> {
    read_with(text.as_bytes(), &Limits::default())
}

fn read_with(bytes: &[u8], limits: &Limits) -> spanflame_core::Result<ProfileSet> {
    load(bytes, limits).map(|l| match l {
        Loaded::Profiles(p) => p,
        Loaded::Traces(_) => panic!("traces"),
    })
}

fn path(e: &spanflame_core::Error) -> &str {
    match &e.at {
        At::Json { path, .. } => path,
        other => panic!("expected a JSON path, got {other:?} ({e})"),
    }
}

const SCHEMA: &str = r#""$schema": "https://www.speedscope.app/file-format-schema.json""#;

fn evented(events: &str) -> String {
    format!(
        r#"{{{SCHEMA}, "shared": {{"frames": [{{"name": "main", "file": "m.py", "line": 3}}, {{"name": "work"}}]}},
        "profiles": [{{"type": "evented", "name": "t1", "unit": "milliseconds", "startValue": 0, "endValue": 10,
        "events": [{events}]}}]}}"#
    )
}

#[test]
fn py_spy_file_matches_its_own_numbers() {
    let set = profiles(FILE);
    assert_eq!(set.format, Format::Speedscope);
    assert_eq!(set.sample_types[0].to_string(), "wall/nanoseconds");
    assert_eq!(set.profiles.len(), 2);
    let counts: Vec<usize> = set.profiles.iter().map(|p| p.samples.len()).collect();
    assert_eq!(counts, [347, 177]);
    // Every weight is 0.005 s.
    assert!((0..set.samples.len()).all(|r| set.samples.value(r) == 5_000_000));
    let names: Vec<&str> = set
        .profiles
        .iter()
        .map(|p| p.attributes[0].value.as_str())
        .collect();
    assert_eq!(names, [r#"Thread 30201 """#, r#"Thread 30205 """#]);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    let expected = shares::expected(&fixture("speedscope/expected.tsv"));
    shares::assert_shares(&shares::shares(&set, &Filter::default()), &expected);
    // One thread picked by its name.
    let worker = Filter {
        attributes: vec![("thread.name".into(), r#"Thread 30205 """#.into())],
        ..Filter::default()
    };
    assert_eq!(set.call_tree(&worker).total(), 177 * 5_000_000);
}

#[test]
fn py_spy_frames_keep_file_and_line() {
    let set = profiles(FILE);
    let warm = set
        .frames
        .iter()
        .find(|f| set.function_name(f.function) == "warm")
        .expect("warm");
    let file = set.string(set.functions[warm.function.index()].file);
    assert!(file.ends_with("/workload.py"), "{file}");
    assert!(warm.line > 0);
}

#[test]
fn evented_profile_weighs_time_between_events() {
    let text = evented(
        r#"{"type": "O", "frame": 0, "at": 0}, {"type": "O", "frame": 1, "at": 2},
           {"type": "C", "frame": 1, "at": 7}, {"type": "C", "frame": 0, "at": 10}"#,
    );
    let set = read(&text).unwrap();
    let stats = set.call_tree(&Filter::default()).function_stats();
    let get = |n: &str| stats.iter().find(|s| s.name == n).unwrap();
    assert_eq!(get("main").self_weight, 5_000_000);
    assert_eq!(get("main").total_weight, 10_000_000);
    assert_eq!(get("work").self_weight, 5_000_000);
    assert_eq!(get("main").file, "m.py");
    assert_eq!(set.profiles[0].duration_nano, 10_000_000);
    // Left open: closed at endValue, with a diagnostic.
    let set = read(&evented(r#"{"type": "O", "frame": 0, "at": 4}"#)).unwrap();
    assert_eq!(set.call_tree(&Filter::default()).total(), 6_000_000);
    assert_eq!(set.diagnostics.len(), 1);
}

#[test]
fn evented_mismatch_is_located() {
    let e = read(&evented(
        r#"{"type": "O", "frame": 0, "at": 0}, {"type": "O", "frame": 1, "at": 1}, {"type": "C", "frame": 0, "at": 2}"#,
    ))
    .unwrap_err();
    assert_eq!(
        (e.kind, e.format),
        (ErrorKind::Malformed, Format::Speedscope)
    );
    assert_eq!(path(&e), "$.profiles[0].events[2]");
    let e = read(&evented(r#"{"type": "C", "frame": 0, "at": 0}"#)).unwrap_err();
    assert_eq!(path(&e), "$.profiles[0].events[0]");
    let e = read(&evented(
        r#"{"type": "O", "frame": 0, "at": 5}, {"type": "C", "frame": 0, "at": 1}"#,
    ))
    .unwrap_err();
    assert_eq!(path(&e), "$.profiles[0].events[1]");
    let e = read(&evented(r#"{"type": "X", "frame": 0, "at": 5}"#)).unwrap_err();
    assert_eq!(path(&e), "$.profiles[0].events[0]");
}

#[test]
fn bad_references_and_shapes_are_located() {
    let sampled = |samples: &str, weights: &str| {
        format!(
            r#"{{{SCHEMA}, "profiles": [{{"type": "sampled", "name": "a", "unit": "none", "startValue": 0, "endValue": 2,
            "samples": {samples}, "weights": {weights}}}], "shared": {{"frames": [{{"name": "f"}}]}}}}"#
        )
    };
    let ok = read(&sampled("[[0], [0, 0]]", "[1, 2]")).unwrap();
    assert_eq!(ok.sample_types[0].to_string(), "samples/count");
    assert_eq!(ok.call_tree(&Filter::default()).total(), 3);
    let e = read(&sampled("[[0], [0, 7]]", "[1, 2]")).unwrap_err();
    assert_eq!(
        (e.kind, path(&e)),
        (ErrorKind::Malformed, "$.profiles[0].samples[1]")
    );
    let e = read(&sampled("[[0]]", "[1, 2]")).unwrap_err();
    assert_eq!(path(&e), "$.profiles[0].weights");
    let e = read(&sampled("[[0], \"x\"]", "[1, 2]")).unwrap_err();
    assert_eq!(path(&e), "$.profiles[0].samples[1]");
    let e = read(&sampled("[[0]]", "[1]").replace("sampled", "other")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
}

#[test]
fn absurd_lengths_hit_the_limits() {
    let limits = Limits {
        max_samples: 10,
        max_table_len: 5,
        ..Limits::default()
    };
    let many = ["[0]"; 11].join(",");
    let text = format!(
        r#"{{{SCHEMA}, "shared": {{"frames": [{{"name": "f"}}]}}, "profiles": [{{"type": "sampled", "unit": "none", "samples": [{many}], "weights": []}}]}}"#
    );
    let e = read_with(text.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        (e.kind, path(&e)),
        (ErrorKind::LimitExceeded, "$.profiles[0].samples[10]")
    );
    let frames = [r#"{"name": "f"}"#; 6].join(",");
    let text = format!(r#"{{{SCHEMA}, "shared": {{"frames": [{frames}]}}, "profiles": []}}"#);
    let e = read_with(text.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        (e.kind, path(&e)),
        (ErrorKind::LimitExceeded, "$.shared.frames[5]")
    );
}

#[test]
fn garbage_after_a_valid_file_is_an_error() {
    let mut bytes = fixture(FILE);
    bytes.extend_from_slice(b" {\"x\": 1}");
    let e = read_with(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(
        (e.kind, e.format),
        (ErrorKind::Malformed, Format::Speedscope)
    );
    assert!(e.message.contains("trailing"), "{e}");
}

#[test]
fn truncations_and_bit_flips_never_panic() {
    let bytes = fixture(FILE);
    let step = (bytes.len() / 300).max(1);
    for cut in (1..bytes.len()).step_by(step) {
        let e = read_with(&bytes[..cut], &Limits::default()).unwrap_err();
        if cut > 80 {
            assert_eq!(
                (e.kind, e.format),
                (ErrorKind::Malformed, Format::Speedscope),
                "cut {cut}"
            );
            assert!(matches!(e.at, At::Json { .. }));
        }
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut b = bytes.clone();
        let i = (seed as usize) % b.len();
        b[i] ^= 1 << (seed >> 60 & 7);
        let _ = read_with(&b, &Limits::default());
    }
}
