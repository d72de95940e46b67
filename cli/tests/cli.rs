//! The `spanflame` binary as a user runs it, on the real fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(rel: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "../core/tests/fixtures", rel]
        .iter()
        .collect();
    path.to_string_lossy().into_owned()
}

fn spanflame(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spanflame"))
        .args(args)
        .output()
        .expect("run spanflame")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn total(folded: &str) -> i64 {
    folded
        .lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<i64>().unwrap())
        .sum()
}

const PY: &str = "otlp/python-ext-0.63b4-file";

#[test]
fn info_reports_format_layout_and_counts() {
    let out = stdout(&spanflame(&[
        "info",
        &fixture(&format!("{PY}/profiles.v1_9.binpb")),
    ]));
    for line in [
        "format: OTLP profiles (protobuf)",
        "layout: v1.9",
        "sample types: samples/count",
        "samples: 187",
        "linked samples: 174",
        "links: 13",
        "diagnostics: none",
        "service.name=otlp-profile-sample-app",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    let gz = stdout(&spanflame(&[
        "info",
        &fixture(&format!("{PY}/profiles.v1_10.binpb.gz")),
    ]));
    assert!(
        gz.contains("gzip-compressed") && gz.contains("layout: v1.10/v1.11"),
        "{gz}"
    );
    let traces = stdout(&spanflame(&[
        "info",
        &fixture(&format!("{PY}/traces.binpb")),
    ]));
    assert!(traces.contains("spans: 18 in 5 traces"), "{traces}");
}

#[test]
fn fold_matches_the_golden_file_in_every_encoding() {
    let golden = std::fs::read_to_string(fixture(&format!("{PY}/profiles.folded"))).unwrap();
    for file in [
        "profiles.v1_9.binpb",
        "profiles.json",
        "profiles.otlp.jsonl",
        "profiles.v1_10.fileexporter-proto.bin",
    ] {
        let out = spanflame(&["fold", &fixture(&format!("{PY}/{file}"))]);
        assert_eq!(stdout(&out), golden, "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("sample type samples/count"), "{err}");
    }
}

#[test]
fn fold_by_span_scope_and_attribute() {
    let profile = fixture(&format!("{PY}/profiles.json"));
    let trace = fixture(&format!("{PY}/traces.json"));
    let only = stdout(&spanflame(&[
        "fold",
        &profile,
        "--span",
        "d28fece0d5b12a5c",
    ]));
    assert_eq!(only.trim(), "<module>;handle_request;hash_loop 13");
    let children = stdout(&spanflame(&[
        "fold",
        &profile,
        "--trace",
        &trace,
        "--span",
        "adec6d49f47ac7bb",
        "--span-scope",
        "children",
    ]));
    assert_eq!(total(&children), 43);
    let whole = stdout(&spanflame(&[
        "fold",
        &profile,
        "--trace",
        &trace,
        "--span",
        "adec6d49f47ac7bb",
        "--span-scope",
        "trace",
    ]));
    assert_eq!(total(&whole), 43);
    let worker = stdout(&spanflame(&[
        "fold",
        &profile,
        "--attr",
        "thread.name=worker-1",
    ]));
    assert_eq!(total(&worker), 8);
    let none = stdout(&spanflame(&["fold", &profile, "--from", "0", "--to", "1"]));
    assert_eq!(none, "");
}

#[test]
fn fold_picks_a_sample_type() {
    let file = fixture("otlp/synthetic-v1_10/profiles.json");
    let off = stdout(&spanflame(&["fold", &file, "--sample-type", "off_cpu"]));
    assert_eq!(total(&off), 5_500_000);
    let out = spanflame(&["fold", &file, "--sample-type", "nope"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("samples/count, off_cpu/nanoseconds, alloc_space/bytes"),
        "{err}"
    );
}

#[test]
fn bad_input_exits_non_zero_with_the_error() {
    let dir = std::env::temp_dir().join(format!("spanflame-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.binpb");
    let mut bytes = std::fs::read(fixture(&format!("{PY}/profiles.v1_10.binpb"))).unwrap();
    bytes.truncate(1000);
    std::fs::write(&bad, &bytes).unwrap();
    let out = spanflame(&["info", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("OTLP profiles (protobuf)") && err.contains("byte"),
        "{err}"
    );
    let out = spanflame(&["info", "/no/such/file"]);
    assert!(!out.status.success());
    assert!(!spanflame(&["frobnicate"]).status.success());
}

#[test]
fn a_span_the_traces_lack_keeps_its_own_samples_with_a_warning() {
    let profile = fixture(&format!("{PY}/profiles.json"));
    let stderr = |out: &Output| String::from_utf8_lossy(&out.stderr).into_owned();
    // Without the trace file the children are unknown: the span alone (none of its own).
    let out = spanflame(&[
        "fold",
        &profile,
        "--span",
        "adec6d49f47ac7bb",
        "--span-scope",
        "children",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("needs --trace TRACEFILE"),
        "{}",
        stderr(&out)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    // A time window without times: the span's own samples.
    let out = spanflame(&[
        "fold",
        &profile,
        "--span",
        "d28fece0d5b12a5c",
        "--span-scope",
        "time",
    ]);
    assert!(stderr(&out).contains("using only"), "{}", stderr(&out));
    assert_eq!(total(&stdout(&out)), 13);
    // A span nobody knows has no samples, and the user is told.
    let out = spanflame(&["fold", &profile, "--span", "0123456789abcdef"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(stderr(&out).contains("no sample links to span 0123456789abcdef"));
}

#[test]
fn fold_by_the_time_window_of_a_span() {
    let out = stdout(&spanflame(&[
        "fold",
        &fixture(&format!("{PY}/profiles.json")),
        "--trace",
        &fixture(&format!("{PY}/traces.json")),
        "--span",
        "adec6d49f47ac7bb",
        "--span-scope",
        "time",
    ]));
    // At least the span's subtree (43), less than the whole profile (187).
    assert!((43..187).contains(&total(&out)), "{out}");
}

#[test]
fn fold_excludes_attributes_and_takes_times_after_the_start() {
    let file = fixture(&format!("{PY}/profiles.v1_9.binpb"));
    let fold = |extra: &[&str]| total(&stdout(&spanflame(&[&["fold", &file], extra].concat())));
    let main = fold(&["--attr", "thread.name=MainThread"]);
    let not_main = fold(&["--exclude-attr", "thread.name=MainThread"]);
    assert!(main > 0 && not_main > 0);
    assert_eq!(main + not_main, 187);
    // Relative times split the run in two; absolute nanoseconds still work.
    let early = fold(&["--to", "0.5s"]);
    let late = fold(&["--from", "500ms"]);
    assert!(early > 0 && late > 0);
    assert_eq!(early + late, 187);
    assert_eq!(fold(&["--from", "0s", "--to", "1000s"]), 187);
    assert_eq!(fold(&["--from", "0", "--to", "18446744073709551615"]), 187);
    let info = stdout(&spanflame(&[
        "info",
        &file,
        "--exclude-attr",
        "thread.name=MainThread",
    ]));
    assert!(
        info.contains(&format!(
            "filter keeps: {not_main} samples of samples/count"
        )),
        "{info}"
    );
    // No timestamps, no relative times.
    let folded = fixture("speedscope/profile.folded.txt");
    let out = spanflame(&["fold", &folded, "--from", "1s"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("timestamps"));
}

#[test]
fn fold_applies_a_transform_stack() {
    let folded = fixture("speedscope/profile.folded.txt");
    let plain = stdout(&spanflame(&["fold", &folded]));
    let warm = "warm (workload.py:18)";
    assert!(plain.contains(warm));
    // Merging keeps the total and removes the frame.
    let merged = stdout(&spanflame(&[
        "fold",
        &folded,
        "--transform",
        "mf:warm%20(workload.py%3A18)",
    ]));
    assert_eq!(total(&merged), total(&plain));
    assert!(!merged.contains(warm));
    // Two --transform flags stack: focus on walk, then drop warm.
    let focused = stdout(&spanflame(&[
        "fold",
        &folded,
        "--transform",
        "ff:walk%20(workload.py%3A35)",
        "--transform",
        "df:warm%20(workload.py%3A18)",
    ]));
    assert!(!focused.is_empty());
    assert!(
        focused
            .lines()
            .all(|l| l.starts_with("walk (workload.py:35)"))
    );
    assert!(!focused.contains(warm));
    let bad = spanflame(&["fold", &folded, "--transform", "zz:x"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown transform"));
}

/// `fold` output as stack → value.
fn folded_map(folded: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for line in folded.lines() {
        let (stack, value) = line.rsplit_once(' ').unwrap();
        assert!(
            out.insert(stack.to_owned(), value.parse::<i64>().unwrap())
                .is_none(),
            "{stack} twice"
        );
    }
    out
}

/// `diff` output as (stack, before, after) lines, in order.
fn diff_lines(diff: &str) -> Vec<(String, i64, i64)> {
    diff.lines()
        .map(|line| {
            let (rest, after) = line.rsplit_once(' ').unwrap();
            let (stack, before) = rest.rsplit_once(' ').unwrap();
            (
                stack.to_owned(),
                before.parse().unwrap(),
                after.parse().unwrap(),
            )
        })
        .collect()
}

/// The `--transform` text of `make` applied to function `name` of profile `file` (whose
/// source file the text must name).
fn transform_of(
    file: &str,
    name: &str,
    make: fn(spanflame_core::navigate::FunctionKey) -> spanflame_core::Transform,
) -> String {
    let bytes = std::fs::read(file).unwrap();
    let Ok(spanflame_core::Loaded::Profiles(set)) =
        spanflame_core::load(&bytes, &spanflame_core::Limits::default())
    else {
        panic!("{file} is not a profile")
    };
    let stats = set
        .call_tree(&spanflame_core::Filter::default())
        .function_stats();
    let f = stats.into_iter().find(|f| f.name == name).unwrap();
    spanflame_core::Transforms(vec![make((f.name, f.file))]).to_hash_string()
}

const BASE: &str = "diff/base.cpuprofile";
const SLOWER: &str = "diff/slower.cpuprofile";

/// `spanflame diff A B extra` against `spanflame fold` of each with the same `extra`: every
/// stack of either fold once, in order, with A's value before and B's after (0 if absent).
fn check_diff_against_folds(a: &str, b: &str, extra: &[&str]) -> Vec<(String, i64, i64)> {
    let fold = |file: &str| folded_map(&stdout(&spanflame(&[&["fold", file], extra].concat())));
    let (before, after) = (fold(a), fold(b));
    let lines = diff_lines(&stdout(&spanflame(&[&["diff", a, b], extra].concat())));
    let stacks: Vec<&str> = lines.iter().map(|l| l.0.as_str()).collect();
    assert!(
        stacks.windows(2).all(|w| w[0] < w[1]),
        "not sorted or repeated: {extra:?}"
    );
    let union: BTreeSet<&str> = before
        .keys()
        .chain(after.keys())
        .map(String::as_str)
        .collect();
    assert_eq!(stacks.iter().copied().collect::<BTreeSet<_>>(), union);
    for (stack, x, y) in &lines {
        assert_eq!(
            *x,
            before.get(stack).copied().unwrap_or(0),
            "before of {stack}"
        );
        assert_eq!(
            *y,
            after.get(stack).copied().unwrap_or(0),
            "after of {stack}"
        );
    }
    let sum = |m: &BTreeMap<String, i64>| m.values().sum::<i64>();
    assert_eq!(lines.iter().map(|l| l.1).sum::<i64>(), sum(&before));
    assert_eq!(lines.iter().map(|l| l.2).sum::<i64>(), sum(&after));
    lines
}

#[test]
fn diff_puts_each_stack_of_before_and_after_side_by_side() {
    let (a, b) = (fixture(BASE), fixture(SLOWER));
    let lines = check_diff_against_folds(&a, &b, &[]);
    // The fixture's regression: stacks through `warm` take a larger share after.
    let share = |value: fn(&(String, i64, i64)) -> i64| {
        let warm: i64 = lines
            .iter()
            .filter(|l| l.0.split(';').any(|f| f == "warm"))
            .map(value)
            .sum();
        warm as f64 / lines.iter().map(value).sum::<i64>() as f64
    };
    let (before, after) = (share(|l| l.1), share(|l| l.2));
    assert!(before > 0.0 && after > before, "warm {before} -> {after}");
    // The options apply to both files: another sample type, a time window relative to each
    // file's start, and a transform.
    let samples = check_diff_against_folds(&a, &b, &["--sample-type", "samples"]);
    assert_ne!(samples, lines);
    let early = check_diff_against_folds(&a, &b, &["--to", "0.5s"]);
    let sum = |l: &[(String, i64, i64)]| {
        l.iter()
            .map(|l| (l.1, l.2))
            .fold((0, 0), |s, v| (s.0 + v.0, s.1 + v.1))
    };
    let (whole, part) = (sum(&lines), sum(&early));
    assert!(
        part.0 > 0 && part.1 > 0 && part.0 < whole.0 && part.1 < whole.1,
        "{part:?} of {whole:?}"
    );
    let merge_warm = transform_of(&a, "warm", spanflame_core::Transform::MergeFunction);
    let merged = check_diff_against_folds(&a, &b, &["--transform", &merge_warm]);
    assert!(merged.iter().all(|l| !l.0.split(';').any(|f| f == "warm")));
    assert_eq!(sum(&merged), whole);
}

#[test]
fn diff_normalize_scales_the_baseline_to_the_comparison_total() {
    let (a, b) = (fixture(BASE), fixture(SLOWER));
    let plain = diff_lines(&stdout(&spanflame(&["diff", &a, &b])));
    let norm = diff_lines(&stdout(&spanflame(&["diff", "--normalize", &a, &b])));
    let before: i64 = plain.iter().map(|l| l.1).sum();
    let after: i64 = plain.iter().map(|l| l.2).sum();
    assert_ne!(
        before, after,
        "the fixture's totals differ, or this tests nothing"
    );
    assert_eq!(norm.len(), plain.len());
    for (p, n) in plain.iter().zip(&norm) {
        assert_eq!((&p.0, p.2), (&n.0, n.2), "the comparison is as it was");
        let scaled = (p.1 as f64 * after as f64 / before as f64).round() as i64;
        assert_eq!(n.1, scaled, "{}", p.0);
    }
    // Each line rounds by at most half a unit.
    let total: i64 = norm.iter().map(|l| l.1).sum();
    assert!(
        (total - after).abs() as f64 <= norm.len() as f64 / 2.0,
        "{total} vs {after}"
    );
}

#[test]
fn diff_of_a_file_with_itself_changes_nothing() {
    let a = fixture(BASE);
    let lines = check_diff_against_folds(&a, &a, &[]);
    assert!(!lines.is_empty());
    for (stack, before, after) in &lines {
        assert_eq!(before, after, "{stack}");
    }
    let norm = diff_lines(&stdout(&spanflame(&["diff", &a, &a, "--normalize"])));
    assert_eq!(norm, lines);
}

#[test]
fn diff_of_a_bad_file_names_it() {
    let dir = std::env::temp_dir().join(format!("spanflame-cli-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.binpb");
    let mut bytes = std::fs::read(fixture(&format!("{PY}/profiles.v1_10.binpb"))).unwrap();
    bytes.truncate(1000);
    std::fs::write(&bad, &bytes).unwrap();
    let good = fixture(BASE);
    let bad = bad.to_str().unwrap();
    for args in [
        ["diff", &good, bad],
        ["diff", bad, &good],
        ["diff", &good, "/no/such/file"],
    ] {
        let out = spanflame(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let named = if args.contains(&bad) {
            bad
        } else {
            "/no/such/file"
        };
        assert!(err.contains(&format!("spanflame: {named}: ")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = spanflame(&["diff", &good]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("diff needs A and B"));
    let out = spanflame(&["diff", &good, &good, "--sample-type", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sample type \"nope\""));
    let _ = std::fs::remove_dir_all(&dir);
}

/// One frame group of `spanflame svg` output.
#[derive(Debug)]
struct SvgFrame {
    /// The frame's name, from its `<title>` (`name (value, share)`).
    name: String,
    title: String,
    y: f64,
    width: f64,
}

/// `spanflame svg` output: it must parse as XML.
struct Svg {
    width: f64,
    background: String,
    heading: String,
    frames: Vec<SvgFrame>,
}

fn parse_svg(text: &str) -> Svg {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not XML: {e}"));
    let root = doc.root_element();
    assert!(root.has_tag_name("svg"));
    let class = |c: &str| {
        doc.descendants()
            .find(|n| n.attribute("class") == Some(c))
            .unwrap_or_else(|| panic!("no class {c}"))
    };
    let number =
        |n: roxmltree::Node<'_, '_>, a: &str| -> f64 { n.attribute(a).unwrap().parse().unwrap() };
    let frames = class("frames")
        .children()
        .filter(|n| n.is_element())
        .map(|g| {
            assert!(g.has_tag_name("g"));
            let title = g
                .children()
                .find(|n| n.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap()
                .to_owned();
            let rect = g.children().find(|n| n.has_tag_name("rect")).unwrap();
            SvgFrame {
                name: title.rsplit_once(" (").unwrap().0.to_owned(),
                y: number(rect, "y"),
                width: number(rect, "width"),
                title,
            }
        })
        .collect();
    Svg {
        width: number(root, "width"),
        background: class("background").attribute("fill").unwrap().to_owned(),
        heading: class("heading").text().unwrap().to_owned(),
        frames,
    }
}

/// The frames a flame graph of `folded` draws `width` pixels wide, as (depth, name, pixels),
/// sorted: one per distinct prefix of the stacks (reversed ones when `inverted`), as wide as
/// the samples through it, left out under `SvgOptions`' minimum width.
fn frames_of_fold(
    folded: &BTreeMap<String, i64>,
    inverted: bool,
    width: f64,
) -> Vec<(usize, String, f64)> {
    let total: i64 = folded.values().sum();
    let mut prefixes: BTreeMap<Vec<&str>, i64> = BTreeMap::new();
    for (stack, value) in folded {
        let mut frames: Vec<&str> = stack.split(';').collect();
        if inverted {
            frames.reverse();
        }
        for depth in 1..=frames.len() {
            *prefixes.entry(frames[..depth].to_vec()).or_default() += value;
        }
    }
    let min = spanflame_core::export::svg::SvgOptions::default().min_width;
    let mut out: Vec<(usize, String, f64)> = prefixes
        .into_iter()
        .map(|(path, w)| {
            let px = w as f64 / total as f64 * width;
            (path.len() - 1, path[path.len() - 1].to_owned(), px)
        })
        .filter(|f| f.2 >= min)
        .collect();
    out.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

/// `spanflame svg FILE select draw` against `spanflame fold FILE select`: the frames drawn
/// are those of the fold's stacks, at their depth and width.
fn check_svg_against_fold(file: &str, select: &[&str], draw: &[&str]) -> Svg {
    let folded = folded_map(&stdout(&spanflame(&[&["fold", file], select].concat())));
    let svg = parse_svg(&stdout(&spanflame(
        &[&["svg", file], select, draw].concat(),
    )));
    let extra = [select, draw].concat();
    let inverted = draw.contains(&"--inverted");
    let defaults = spanflame_core::export::svg::SvgOptions::default();
    let width = draw
        .iter()
        .position(|a| *a == "--width")
        .map_or(defaults.width, |i| draw[i + 1].parse().unwrap());
    assert_eq!(svg.width, width);
    // Two functions of one name (`start` of two files) are two frames in the graph but one
    // in the fold's text, so both sides are compared as the width per (depth, name).
    let want = by_depth_and_name(frames_of_fold(&folded, inverted, width));
    // Rows from the top (the root row is on top), as the fold's depths.
    let top = svg.frames.iter().map(|f| f.y).fold(f64::INFINITY, f64::min);
    let got = by_depth_and_name(
        svg.frames
            .iter()
            .map(|f| {
                let row = (f.y - top) / defaults.row_height;
                assert!((row - row.round()).abs() < 1e-6, "{f:?}");
                (row.round() as usize, f.name.clone(), f.width)
            })
            .collect(),
    );
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "frames of {file} {extra:?}"
    );
    for (key, (g, frames)) in &got {
        let (w, _) = want[key];
        assert!(
            (g - w).abs() < 0.011 * *frames as f64,
            "{key:?}: {g} px vs {w} px, {file} {extra:?}"
        );
    }
    svg
}

/// Frames as (depth, name) → (summed pixels, frame count).
fn by_depth_and_name(frames: Vec<(usize, String, f64)>) -> BTreeMap<(usize, String), (f64, usize)> {
    let mut out: BTreeMap<(usize, String), (f64, usize)> = BTreeMap::new();
    for (depth, name, px) in frames {
        let entry = out.entry((depth, name)).or_default();
        entry.0 += px;
        entry.1 += 1;
    }
    out
}

/// The function with the most self weight in `folded`: the leaf of the most samples.
fn hottest(folded: &BTreeMap<String, i64>) -> String {
    let mut by_leaf: BTreeMap<&str, i64> = BTreeMap::new();
    for (stack, value) in folded {
        *by_leaf
            .entry(stack.rsplit(';').next().unwrap())
            .or_default() += value;
    }
    let (name, _) = by_leaf.into_iter().max_by_key(|(_, v)| *v).unwrap();
    name.to_owned()
}

#[test]
fn svg_is_xml_with_one_frame_per_visible_frame_of_the_fold() {
    for rel in [
        "speedscope/profile.folded.txt",
        "perf/fp.perf-script.txt",
        &format!("{PY}/profiles.json"),
    ] {
        let file = fixture(rel);
        let folded = folded_map(&stdout(&spanflame(&["fold", &file])));
        let hot = hottest(&folded);
        let svg = check_svg_against_fold(&file, &[], &[]);
        assert!(
            svg.frames
                .iter()
                .any(|f| f.title.starts_with(&format!("{hot} ("))),
            "{hot} in no <title> of {rel}"
        );
        let name = rel.rsplit('/').next().unwrap();
        assert!(svg.heading.starts_with(name), "{}", svg.heading);
        // Narrow, fewer frames are wide enough to draw. Not for the Python file: its two
        // `start` functions are one name in the fold, so which of them is too thin to draw
        // cannot be told from the fold's text.
        if !rel.starts_with(PY) {
            let narrow = check_svg_against_fold(&file, &[], &["--width", "10"]);
            assert!(narrow.frames.len() < svg.frames.len(), "{rel}");
        }
        // Bottom-up, the hottest function is the widest frame of the top row.
        let inverted = check_svg_against_fold(&file, &[], &["--inverted"]);
        let top = inverted
            .frames
            .iter()
            .map(|f| f.y)
            .fold(f64::INFINITY, f64::min);
        let widest = inverted
            .frames
            .iter()
            .filter(|f| f.y == top)
            .max_by(|a, b| a.width.total_cmp(&b.width))
            .unwrap();
        assert_eq!(widest.name, hot, "{rel}");
        let dark = check_svg_against_fold(&file, &[], &["--dark"]);
        assert_ne!(dark.background, svg.background);
    }
}

#[test]
fn svg_draws_what_fold_selects() {
    let profile = fixture(&format!("{PY}/profiles.json"));
    let trace = fixture(&format!("{PY}/traces.json"));
    let only = check_svg_against_fold(&profile, &["--span", "d28fece0d5b12a5c"], &[]);
    let names: Vec<&str> = only.frames.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["<module>", "handle_request", "hash_loop"]);
    check_svg_against_fold(
        &profile,
        &[
            "--trace",
            &trace,
            "--span",
            "adec6d49f47ac7bb",
            "--span-scope",
            "children",
        ],
        &["--inverted"],
    );
    check_svg_against_fold(&profile, &["--exclude-attr", "thread.name=MainThread"], &[]);
    let folded = fixture("speedscope/profile.folded.txt");
    check_svg_against_fold(
        &folded,
        &["--transform", "mf:warm%20(workload.py%3A18)"],
        &["--width", "600"],
    );
    let synthetic = fixture("otlp/synthetic-v1_10/profiles.json");
    let off = check_svg_against_fold(&synthetic, &["--sample-type", "off_cpu"], &[]);
    assert!(
        off.heading.contains("off_cpu/nanoseconds"),
        "{}",
        off.heading
    );
}

#[test]
fn svg_of_a_bad_file_names_it() {
    let dir = std::env::temp_dir().join(format!("spanflame-cli-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.binpb");
    let mut bytes = std::fs::read(fixture(&format!("{PY}/profiles.v1_10.binpb"))).unwrap();
    bytes.truncate(1000);
    std::fs::write(&bad, &bytes).unwrap();
    let bad = bad.to_str().unwrap();
    let traces = fixture(&format!("{PY}/traces.json"));
    for named in [bad, "/no/such/file", &traces] {
        let out = spanflame(&["svg", named]);
        assert!(!out.status.success(), "{named}");
        assert!(out.stdout.is_empty(), "{named}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("spanflame: {named}: ")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let good = fixture("speedscope/profile.folded.txt");
    for width in ["0", "-3", "NaN", "inf", "wide"] {
        let out = spanflame(&["svg", &good, "--width", width]);
        assert!(!out.status.success(), "{width}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--width wants"));
    }
    assert!(!spanflame(&["svg"]).status.success());
    assert!(!spanflame(&["svg", &good, "--bogus"]).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fold_same_name_is_the_other_spans_of_that_name() {
    let profile = fixture(&format!("{PY}/profiles.json"));
    let trace = fixture(&format!("{PY}/traces.json"));
    let fold = |span: &str, more: &[&str]| {
        let mut args = vec!["fold", &profile, "--trace", &trace, "--span", span];
        args.extend_from_slice(more);
        stdout(&spanflame(&args))
    };
    // The four compute_hash spans are leaves in four traces: the baseline of one of them is
    // the other three, sample for sample.
    let others: i64 = ["cc06b8c3fe51c244", "5de7d5ba1738d347", "5be5ff9307d8715f"]
        .iter()
        .map(|s| total(&fold(s, &[])))
        .sum();
    let baseline = fold("d28fece0d5b12a5c", &["--same-name"]);
    assert!(others > 0);
    assert_eq!(total(&baseline), others);
    assert_eq!(
        total(&fold(
            "d28fece0d5b12a5c",
            &["--same-name", "--span-scope", "children"]
        )),
        others
    );
    // Without traces there is no telling which spans share the name.
    let out = spanflame(&[
        "fold",
        &profile,
        "--span",
        "d28fece0d5b12a5c",
        "--same-name",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--same-name needs --trace"));
}

#[test]
fn svg_against_a_baseline_draws_the_comparison_in_diff_colours() {
    // The same node workload before and after `warm` got 3x the work
    // (core/tests/fixtures/diff/README.md).
    let base = fixture("diff/base.cpuprofile");
    let slower = fixture("diff/slower.cpuprofile");
    // Width is the comparison: the frames are those of the comparison's own fold.
    let svg = check_svg_against_fold(&slower, &[], &["--baseline", &base]);
    assert!(
        svg.heading.ends_with("compared with base.cpuprofile"),
        "{}",
        svg.heading
    );
    assert!(svg.frames.iter().all(|f| f.title.contains("; baseline ")));
    let warm = svg.frames.iter().find(|f| f.name == "warm").unwrap();
    assert!(warm.title.contains("; +"), "warm grew: {}", warm.title);
    // A baseline that cannot be read is an error naming it, and nothing is drawn.
    let out = spanflame(&["svg", &slower, "--baseline", "no-such-file.pb"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.pb"));
}
