//! The cProfile / profile importer: both real fixtures against pstats' own numbers
//! (expected*.tsv, counts.txt), and hand-built marshal data for recursion, cycles, dangling
//! callers and every kind of damage.
//!
//! How recursive functions compare: pstats' cumtime of a recursive function counts the
//! outermost calls only, and for mutual recursion each function's cumtime covers the whole
//! recursion (so `is_even` and `is_odd` both have ≈ the time of both). The rebuilt graph
//! folds a recursion into its outermost call, so the function entered first (`is_even`) has
//! the whole recursion as its total and the inner one (`is_odd`) only its own time. Both are
//! still checked against expected.tsv, within 0.5 points (the recursion is small); self
//! weights are checked tightly everywhere.

mod common;

use std::collections::BTreeMap;

use common::{fixture, fixture_path, profiles};
use spanflame_core::formats::{Detect, pstats};
use spanflame_core::model::{Calls, Origin};
use spanflame_core::transfer::{pack, unpack};
use spanflame_core::{At, ErrorKind, Filter, Format, Limits, Loaded, ProfileSet, load};

const CPROFILE: &str = "cprofile/cprofile.pstats";
const PROFILE: &str = "cprofile/profile.pstats";

/// `function -> (self %, total %)` from an expected*.tsv, with Python's `at 0x…` address
/// of a code object taken out (it changes every run, and Spanflame leaves it out).
fn expected(rel: &str) -> BTreeMap<String, (f64, f64)> {
    let text = String::from_utf8(fixture(rel)).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            let mut name = cells[0].to_owned();
            if let Some(at) = name.find(" at 0x") {
                let end = name[at..].find(',').unwrap() + at;
                name.replace_range(at..end, "");
            }
            (name, (cells[1].parse().unwrap(), cells[2].parse().unwrap()))
        })
        .collect()
}

/// `function -> (self %, total %, calls)` as Spanflame computes them.
fn actual(set: &ProfileSet) -> BTreeMap<String, (f64, f64, Option<Calls>)> {
    let tree = set.call_tree(&Filter::default());
    let total = tree.total() as f64;
    tree.function_stats()
        .into_iter()
        .map(|f| {
            (
                f.name,
                (
                    100.0 * f.self_weight as f64 / total,
                    100.0 * f.total_weight as f64 / total,
                    f.calls,
                ),
            )
        })
        .collect()
}

/// Every function's self and total within `tolerance` points of the tsv, and the same
/// function names on both sides. `zero_cumtime` names a function whose cumtime the file
/// gives as 0 although it calls the rest: its total is the sum of what it calls.
fn check_against(
    rel: &str,
    set: &ProfileSet,
    self_tolerance: f64,
    total_tolerance: f64,
    zero_cumtime: Option<(&str, f64)>,
) {
    let mut want = expected(rel);
    if let Some((name, total)) = zero_cumtime {
        want.get_mut(name).unwrap().1 = total;
    }
    let got = actual(set);
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "function names"
    );
    for (name, &(self_pct, total_pct)) in &want {
        let (s, t, _) = got[name];
        assert!(
            (s - self_pct).abs() <= self_tolerance,
            "{name}: self {s:.4} %, pstats {self_pct:.4} %"
        );
        assert!(
            (t - total_pct).abs() <= total_tolerance,
            "{name}: total {t:.4} %, pstats {total_pct:.4} %"
        );
    }
}

fn calls_sum(set: &ProfileSet) -> (u64, u64) {
    set.function_calls
        .iter()
        .flatten()
        .fold((0, 0), |(t, p), c| (t + c.total, p + c.primitive))
}

#[test]
fn cprofile_matches_pstats() {
    let set = profiles(CPROFILE);
    assert_eq!(set.format, Format::Pstats);
    assert_eq!(set.sample_types[0].to_string(), "wall/nanoseconds");
    assert_eq!(set.profiles[0].origin, Origin::CallGraph);
    assert_eq!(set.profiles[0].scope, "cProfile");
    assert!(set.from_call_graph());
    // counts.txt: 15 functions, 86313 calls (60036 primitive), total_tt=1.414158s.
    assert_eq!(set.call_tree(&Filter::default()).function_stats().len(), 15);
    assert_eq!(calls_sum(&set), (86313, 60036));
    let total = set.call_tree(&Filter::default()).total();
    assert!((total - 1_414_158_000).abs() < 1_000, "{total}");
    // Self is tottime exactly; totals follow cumtime (recursion: see the file's doc).
    check_against("cprofile/expected.tsv", &set, 0.0001, 0.5, None);
    let got = actual(&set);
    for name in [
        "main",
        "hot",
        "helper_sort",
        "<built-in method builtins.sorted>",
        "fib",
    ] {
        let want = expected("cprofile/expected.tsv")[name].1;
        assert!(
            (got[name].1 - want).abs() < 0.01,
            "{name}: {} vs {want}",
            got[name].1
        );
    }
    assert!((got["is_even"].1 - 0.0766).abs() < 0.001);
    assert_eq!(got["fib"].2.unwrap().to_string(), "25083/3");
    assert_eq!(got["hot"].2.unwrap().to_string(), "3");
    assert_eq!(
        got["<genexpr>"].2,
        Some(Calls {
            total: 60003,
            primitive: 60003
        })
    );
}

#[test]
fn profile_module_matches_pstats() {
    let set = profiles(PROFILE);
    assert_eq!(set.format, Format::Pstats);
    assert_eq!(set.sample_types[0].to_string(), "cpu/nanoseconds");
    assert_eq!(set.profiles[0].scope, "profile");
    // counts.txt: 17 functions, 86314 calls (60037 primitive), total_tt=0.666447s.
    assert_eq!(set.call_tree(&Filter::default()).function_stats().len(), 17);
    assert_eq!(calls_sum(&set), (86314, 60037));
    let total = set.call_tree(&Filter::default()).total();
    assert!((total - 666_447_000).abs() < 1_000, "{total}");
    // The profile module's own `profiler` pseudo-frame is the caller of the script's code
    // object but is stored with cumtime 0; drawn as what it calls, it holds everything.
    check_against(
        "cprofile/expected-profile.tsv",
        &set,
        0.0001,
        0.5,
        Some(("profiler", 100.0)),
    );
    let got = actual(&set);
    // Its callers carry counts only: `len` is split 1:3 between `<module>` and `main`.
    assert!(got.contains_key("<code object <module>, file \"workload.py\", line 1>"));
    for name in ["main", "sorted", "helper_sort", "fib", "exec"] {
        let want = expected("cprofile/expected-profile.tsv")[name].1;
        assert!(
            (got[name].1 - want).abs() < 0.01,
            "{name}: {} vs {want}",
            got[name].1
        );
    }
}

#[test]
fn builtins_are_native_and_lines_kept() {
    let set = profiles(CPROFILE);
    let tree = set.call_tree(&Filter::default());
    let node = |name: &str| {
        tree.nodes()
            .skip(1)
            .find(|&n| tree.name(n) == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let sorted = node("<built-in method builtins.sorted>");
    assert_eq!(tree.kind(sorted).label(), "native");
    assert_eq!(tree.file(sorted), "");
    let hot = node("hot");
    assert_eq!(tree.kind(hot).label(), "interpreted/JIT");
    assert_eq!((tree.file(hot), tree.line(hot)), ("workload.py", Some(7)));
    assert_eq!(tree.calls(hot).unwrap().total, 3);
    // The path the edges give: exec > <module> > main > helper_sort > sorted > <genexpr>.
    let genexpr = node("<genexpr>");
    let path: Vec<&str> = tree.path(genexpr).iter().map(|&n| tree.name(n)).collect();
    assert_eq!(
        path,
        [
            "<built-in method builtins.exec>",
            "<module>",
            "main",
            "helper_sort",
            "<built-in method builtins.sorted>",
            "<genexpr>"
        ]
    );
}

#[test]
fn origin_and_calls_survive_the_worker_hand_off() {
    let set = profiles(CPROFILE);
    let Loaded::Profiles(back) = unpack(pack(Loaded::Profiles(set.clone()))).unwrap() else {
        panic!()
    };
    assert_eq!(back.profiles, set.profiles);
    assert_eq!(back.function_calls, set.function_calls);
    assert!(back.from_call_graph());
    assert_eq!(actual(&back), actual(&set));
}

#[test]
fn no_other_fixture_is_taken_for_pstats() {
    let mut seen = 0;
    let mut dirs = vec![fixture_path("")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let ours = path.extension().is_some_and(|e| e == "pstats");
            let want = if ours { Detect::Yes } else { Detect::No };
            assert_eq!(pstats::sniff(&bytes), want, "{}", path.display());
            if !ours && let Ok(Loaded::Profiles(set)) = load(&bytes, &Limits::default()) {
                assert_ne!(set.format, Format::Pstats, "{}", path.display());
                assert!(!set.from_call_graph());
            }
            seen += 1;
        }
    }
    assert!(seen > 20, "{seen} files");
}

// --- Hand-built marshal data -----------------------------------------------------------

fn s(text: &str) -> Vec<u8> {
    [vec![b'z', text.len() as u8], text.as_bytes().to_vec()].concat()
}

fn int(v: i32) -> Vec<u8> {
    [vec![b'i'], v.to_le_bytes().to_vec()].concat()
}

fn float(v: f64) -> Vec<u8> {
    [vec![b'g'], v.to_le_bytes().to_vec()].concat()
}

fn tuple(items: &[Vec<u8>]) -> Vec<u8> {
    [vec![b')', items.len() as u8], items.concat()].concat()
}

fn dict(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![0xfb];
    for (k, v) in entries {
        out.extend(k);
        out.extend(v);
    }
    out.push(b'0');
    out
}

fn key(name: &str) -> Vec<u8> {
    tuple(&[s("app.py"), int(1), s(name)])
}

/// A stats entry: `(cc, nc, tt, ct, {caller: (nc, cc, tt, ct)})`.
fn stats(calls: i32, tt: f64, ct: f64, callers: &[(&str, f64)]) -> Vec<u8> {
    let callers: Vec<_> = callers
        .iter()
        .map(|&(c, t)| (key(c), tuple(&[int(calls), int(calls), float(t), float(t)])))
        .collect();
    tuple(&[int(calls), int(calls), float(tt), float(ct), dict(&callers)])
}

fn load_set(bytes: &[u8]) -> ProfileSet {
    match load(bytes, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        other => panic!("{other:?}"),
    }
}

fn selfs(set: &ProfileSet) -> BTreeMap<String, (i64, i64)> {
    set.call_tree(&Filter::default())
        .function_stats()
        .into_iter()
        .map(|f| (f.name, (f.self_weight, f.total_weight)))
        .collect()
}

/// main calls a and b; both call c (c's time splits 3:1 by the edges' cumtime).
fn diamond() -> Vec<u8> {
    dict(&[
        (key("main"), stats(1, 1.0, 10.0, &[])),
        (key("a"), stats(1, 1.0, 4.0, &[("main", 4.0)])),
        (key("b"), stats(1, 1.0, 5.0, &[("main", 5.0)])),
        (key("c"), stats(2, 7.0, 7.0, &[("a", 3.0), ("b", 4.0)])),
    ])
}

#[test]
fn a_shared_callee_splits_by_edge_time() {
    let set = load_set(&diamond());
    let folded = set.folded(&Filter::default());
    assert_eq!(
        folded,
        [
            ("main".to_owned(), 1_000_000_000),
            ("main;a".to_owned(), 1_000_000_000),
            ("main;a;c".to_owned(), 3_000_000_000),
            ("main;b".to_owned(), 1_000_000_000),
            ("main;b;c".to_owned(), 4_000_000_000),
        ]
    );
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
}

#[test]
fn a_cycle_of_callers_without_a_root_still_draws() {
    // a -> b -> a, nobody else: the larger (a) is drawn as the root, b under it.
    let bytes = dict(&[
        (key("a"), stats(1, 2.0, 3.0, &[("b", 3.0)])),
        (key("b"), stats(1, 1.0, 3.0, &[("a", 3.0)])),
    ]);
    let set = load_set(&bytes);
    assert_eq!(
        set.folded(&Filter::default()),
        [
            ("a".to_owned(), 2_000_000_000),
            ("a;b".to_owned(), 1_000_000_000)
        ]
    );
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("cycle of callers")),
        "{:?}",
        set.diagnostics
    );
}

#[test]
fn recursion_folds_into_the_outer_call() {
    // main -> f, f -> f (direct), f -> g -> f (mutual).
    let bytes = dict(&[
        (key("main"), stats(1, 1.0, 10.0, &[])),
        (
            key("f"),
            stats(5, 6.0, 9.0, &[("main", 9.0), ("f", 5.0), ("g", 2.0)]),
        ),
        (key("g"), stats(2, 3.0, 3.0, &[("f", 3.0)])),
    ]);
    let got = selfs(&load_set(&bytes));
    assert_eq!(got["f"], (6_000_000_000, 9_000_000_000));
    assert_eq!(got["g"], (3_000_000_000, 3_000_000_000));
    assert_eq!(got["main"], (1_000_000_000, 10_000_000_000));
}

#[test]
fn a_caller_not_in_the_file_is_dropped_with_a_diagnostic() {
    let bytes = dict(&[
        (key("main"), stats(1, 1.0, 2.0, &[("ghost", 2.0)])),
        (key("leaf"), stats(1, 1.0, 1.0, &[("main", 1.0)])),
    ]);
    let set = load_set(&bytes);
    assert_eq!(
        set.folded(&Filter::default()),
        [
            ("main".to_owned(), 1_000_000_000),
            ("main;leaf".to_owned(), 1_000_000_000)
        ]
    );
    let d = &set.diagnostics[0];
    assert!(d.message.contains("not in the file"), "{d}");
    assert_eq!(d.count, 1);
}

#[test]
fn tiny_paths_are_pruned_but_every_function_keeps_its_self_time() {
    // `leaf` is called from `main` (a big share) and from `tiny` (far under the floor).
    let bytes = dict(&[
        (key("main"), stats(1, 1.0, 2.0, &[])),
        (key("tiny"), stats(1, 1e-9, 2e-9, &[("main", 2e-9)])),
        (
            key("leaf"),
            stats(2, 1.0, 1.0, &[("main", 1.0), ("tiny", 1e-9)]),
        ),
    ]);
    let set = load_set(&bytes);
    let got = selfs(&set);
    assert_eq!(got["leaf"].0, 1_000_000_000);
    assert_eq!(got["tiny"].0, 1);
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("not drawn") && d.count == 1),
        "{:?}",
        set.diagnostics
    );
}

#[test]
fn deep_chains_are_cut_at_the_depth_limit() {
    let mut entries = vec![(key("f0"), stats(1, 1.0, 100.0, &[]))];
    for i in 1..50 {
        let caller = format!("f{}", i - 1);
        entries.push((
            key(&format!("f{i}")),
            stats(1, 1.0, 100.0 - i as f64, &[(&caller, 100.0 - i as f64)]),
        ));
    }
    let limits = Limits {
        max_stack_depth: 10,
        ..Limits::default()
    };
    let Loaded::Profiles(set) = load(&dict(&entries), &limits).unwrap() else {
        panic!()
    };
    assert_eq!(set.call_tree(&Filter::default()).max_depth(), 10);
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("deeper than 10"))
    );
}

#[test]
fn many_paths_stop_at_the_path_budget() {
    // A ladder: every level's two functions call both of the next level's: 2^20 paths.
    let mut entries = vec![(key("root"), stats(1, 1.0, 1.0, &[]))];
    for level in 0..20 {
        let callers: Vec<String> = if level == 0 {
            vec!["root".into()]
        } else {
            vec![format!("a{}", level - 1), format!("b{}", level - 1)]
        };
        for side in ["a", "b"] {
            let c: Vec<(&str, f64)> = callers.iter().map(|c| (c.as_str(), 0.5)).collect();
            entries.push((key(&format!("{side}{level}")), stats(1, 0.5, 1.0, &c)));
        }
    }
    let limits = Limits {
        max_table_len: 5_000,
        ..Limits::default()
    };
    let Loaded::Profiles(set) = load(&dict(&entries), &limits).unwrap() else {
        panic!()
    };
    assert!(set.stacks.len() <= 5_000);
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("more than 5000 paths")),
        "{:?}",
        set.diagnostics
    );
}

fn error(bytes: &[u8]) -> spanflame_core::Error {
    match load(bytes, &Limits::default()) {
        Err(e) => e,
        Ok(_) => panic!("loaded"),
    }
}

#[test]
fn truncated_at_every_byte_is_an_error_not_a_panic() {
    for rel in [CPROFILE, PROFILE] {
        let bytes = fixture(rel);
        for cut in 3..bytes.len() {
            let e = error(&bytes[..cut]);
            assert_eq!(e.format, Format::Pstats, "{rel} cut at {cut}: {e}");
            assert_eq!(e.kind, ErrorKind::Malformed, "{rel} cut at {cut}: {e}");
            let At::Byte(at) = e.at else {
                panic!("{rel} cut at {cut}: {e}")
            };
            assert!(at <= cut as u64, "{rel} cut at {cut}: {e}");
        }
    }
}

#[test]
fn bit_flips_never_panic() {
    for rel in [CPROFILE, PROFILE] {
        let bytes = fixture(rel);
        let mut failed = 0;
        for i in 0..bytes.len() {
            for bit in [0, 3, 7] {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                match load(&b, &Limits::default()) {
                    Err(e) => {
                        failed += 1;
                        if e.format == Format::Pstats {
                            assert!(matches!(e.at, At::Byte(_)), "{e}");
                        }
                    }
                    Ok(Loaded::Profiles(set)) => {
                        let _ = set.call_tree(&Filter::default()).function_stats();
                    }
                    Ok(Loaded::Traces(_)) => {}
                }
            }
        }
        assert!(failed > 0);
    }
}

#[test]
fn absurd_lengths_are_refused_before_allocating() {
    // A tuple, a list and a string declaring 2^31 - 1 items in a 20-byte file.
    for body in [
        &b"(\xff\xff\xff\x7f"[..],
        b"[\xff\xff\xff\x7f",
        b"a\xff\xff\xff\x7f",
    ] {
        let bytes = [&b"\xfb)\x03"[..], body, b"NN0"].concat();
        let e = error(&bytes);
        assert_eq!(
            (e.format, e.kind, e.at.clone()),
            (Format::Pstats, ErrorKind::Malformed, At::Byte(4)),
            "{e}"
        );
        assert!(e.message.contains("2147483647"), "{e}");
    }
    // A long integer of 2^31 digits.
    let e = error(b"\xfb)\x03l\xff\xff\xff\x7fNN0");
    assert_eq!(e.at, At::Byte(4));
    // A dict has no count: one that never ends runs out of bytes.
    let e = error(&[&b"\xfb)\x03"[..], &s("f"), &int(1), &s("g"), b"{"].concat());
    assert_eq!((e.kind, e.at), (ErrorKind::Malformed, At::Byte(15)));
}

#[test]
fn deep_nesting_is_a_limit_error() {
    let bytes = [b"\xfb)\x03".to_vec(), b")\x01".repeat(500), b"N".to_vec()].concat();
    let e = error(&bytes);
    assert_eq!(
        (e.format, e.kind),
        (Format::Pstats, ErrorKind::LimitExceeded)
    );
    assert!(matches!(e.at, At::Byte(_)));
}

#[test]
fn refs_forward_or_out_of_range_are_malformed() {
    // The second key element refers to slot 5 (only 0 and 1 exist: the dict and "f").
    let bytes = [&b"\xfb)\x03\xfa\x01f"[..], b"r\x05\0\0\0", &s("g"), b"NN0"].concat();
    let e = error(&bytes);
    assert_eq!(
        (e.format, e.kind, e.at.clone()),
        (Format::Pstats, ErrorKind::Malformed, At::Byte(6))
    );
    assert!(e.message.contains("past the 2 objects"), "{e}");
    // A ref to the dict being read (slot 0) is a cycle.
    let e = error(&[&b"\xfb)\x03"[..], b"r\0\0\0\0", &int(1), &s("g"), b"NN0"].concat());
    assert!(e.message.contains("contains it"), "{e}");
    let e = error(&[&b"\xfb)\x03"[..], b"r\xff\xff\xff\xff"].concat());
    assert_eq!(e.at, At::Byte(3));
}

#[test]
fn wrong_shapes_name_where() {
    // A value with 4 items instead of 5.
    let bytes = dict(&[(key("f"), tuple(&[int(1), int(1), float(1.0), float(1.0)]))]);
    let e = error(&bytes);
    assert_eq!((e.kind, e.format), (ErrorKind::Malformed, Format::Pstats));
    assert!(e.message.contains("4 items"), "{e}");
    assert_eq!(e.at, At::Byte(key("f").len() as u64 + 1));
    // A key that is not a 3-tuple.
    let e = error(&dict(&[(
        tuple(&[s("f"), int(1), int(2)]),
        stats(1, 1.0, 1.0, &[]),
    )]));
    assert!(e.message.contains("(filename, line, name)"), "{e}");
    // A NaN time.
    let e = error(&dict(&[(key("f"), stats(1, f64::NAN, 1.0, &[]))]));
    assert!(e.message.contains("finite"), "{e}");
}

#[test]
fn empty_stats_load_as_an_empty_profile() {
    let set = load_set(b"\xfb0");
    assert_eq!(set.format, Format::Pstats);
    assert_eq!(set.call_tree(&Filter::default()).total(), 0);
    assert_eq!(set.sample_types[0].to_string(), "time/nanoseconds");
}
