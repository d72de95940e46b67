//! Linux perf: `perf script` text of a real recording (frame pointers and DWARF, default
//! fields and `-F`) against `perf report`'s own numbers, hand-written variants of the
//! header and frame lines, malformed text, and binary `perf.data` (recognised, refused).
//! Also the folded-stack variants other perf tools write (inferno, py-spy), so that the
//! two text formats do not take each other's files.

mod common;

use std::collections::HashMap;

use common::{fixture, fixture_path, profiles};
use spanflame_core::formats::{Detect, Options, folded, gunzip_all, perf_script};
use spanflame_core::model::{FrameKind, NONE};
use spanflame_core::{At, ErrorKind, Filter, Format, Limits, Loaded, ProfileSet, load};

const DIR: &str = "perf";

/// `function -> (self %, total %)` from a fixture's expected.tsv.
fn expected(rel: &str) -> HashMap<String, (f64, f64)> {
    let text = String::from_utf8(fixture(rel)).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (
                c[0].to_owned(),
                (c[1].parse().unwrap(), c[2].parse().unwrap()),
            )
        })
        .collect()
}

fn parse(text: &str) -> spanflame_core::Result<ProfileSet> {
    parse_bytes(text.as_bytes(), &Limits::default())
}

fn parse_bytes(bytes: &[u8], limits: &Limits) -> spanflame_core::Result<ProfileSet> {
    match perf_script::parse(bytes, &Options::new(*limits))? {
        Loaded::Profiles(set) => Ok(set),
        Loaded::Traces(_) => panic!("traces"),
    }
}

fn is_script(bytes: &[u8]) -> bool {
    perf_script::sniff(bytes) == Detect::Yes
}

fn folded_set(bytes: &[u8]) -> ProfileSet {
    match folded::parse(bytes, &Options::default()).unwrap() {
        Loaded::Profiles(set) => set,
        Loaded::Traces(_) => panic!("traces"),
    }
}

fn is_folded(bytes: &[u8]) -> bool {
    folded::sniff(bytes) == Detect::Yes
}

fn attr<'a>(set: &'a ProfileSet, row: usize, key: &str) -> Option<&'a str> {
    set.attr_sets[set.samples.attrs(row) as usize]
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

/// Names of the frames of sample `row`, root first.
fn stack_names(set: &ProfileSet, row: usize) -> Vec<String> {
    set.stack_frames(set.samples.stack_of(row))
        .into_iter()
        .map(|f| set.function_name(set.frames[f.index()].function).to_owned())
        .collect()
}

fn kind_of(set: &ProfileSet, name: &str) -> FrameKind {
    set.frames
        .iter()
        .find(|f| set.function_name(f.function) == name)
        .unwrap_or_else(|| panic!("no frame {name}"))
        .kind
}

/// Self and total shares per function match `perf report`'s within 0.5 points, for every
/// function perf lists and every function Spanflame finds.
fn assert_matches_report(set: &ProfileSet, expected: &HashMap<String, (f64, f64)>) {
    let ours = shares(set);
    let mut wrong = Vec::new();
    for (name, &(self_pct, total_pct)) in expected {
        let (s, t) = ours.get(name).copied().unwrap_or_default();
        if (s - self_pct).abs() >= 0.5 || (t - total_pct).abs() >= 0.5 {
            wrong.push(format!(
                "{name}: self {s:.2} total {t:.2}, perf report {self_pct} {total_pct}"
            ));
        }
    }
    for (name, &(_, t)) in &ours {
        if !expected.contains_key(name) && t >= 0.5 {
            wrong.push(format!("{name} ({t:.2}%) is not in perf report"));
        }
    }
    wrong.sort();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// `function -> (self %, total %)` as Spanflame computes them.
fn shares(set: &ProfileSet) -> HashMap<String, (f64, f64)> {
    let tree = set.call_tree(&Filter::default());
    let total = tree.total() as f64;
    tree.function_stats()
        .into_iter()
        .map(|s| {
            (
                s.name,
                (
                    s.self_weight as f64 * 100.0 / total,
                    s.total_weight as f64 * 100.0 / total,
                ),
            )
        })
        .collect()
}

#[test]
fn frame_pointer_script_matches_perf_report() {
    let expected = expected(&format!("{DIR}/fp.expected.tsv"));
    for file in ["fp.perf-script.txt", "fp.perf-script-fields.txt"] {
        let set = profiles(&format!("{DIR}/{file}"));
        assert_eq!(set.format, Format::PerfScript, "{file}");
        assert!(set.diagnostics.is_empty(), "{file}: {:?}", set.diagnostics);
        assert_eq!(set.samples.len(), 958, "{file}");
        assert_eq!(set.sample_types.len(), 1);
        assert_eq!(set.sample_types[0].name, "cpu-clock");
        assert_matches_report(&set, &expected);
    }
}

#[test]
fn dwarf_script_matches_perf_report() {
    let mut expected = expected(&format!("{DIR}/dwarf.expected.tsv"));
    assert!(expected.contains_key("__libc_start_main_impl (inlined)"));
    // perf report names a sample's own address by its ELF symbol (`read`, 1.64% self), but
    // `perf script` prints only that address's inline chain (`__GI___libc_read (inlined)`):
    // the text never says `read`, so those samples are self time of the inlined name.
    let (read_self, _) = expected.remove("read").unwrap();
    expected.get_mut("__GI___libc_read (inlined)").unwrap().0 += read_self;
    for file in [
        "dwarf.perf-script.txt.gz",
        "dwarf.perf-script-fields.txt.gz",
    ] {
        let set = profiles(&format!("{DIR}/{file}"));
        assert_eq!(set.format, Format::PerfScript, "{file}");
        assert!(set.gzipped);
        assert_eq!(set.samples.len(), 917, "{file}");
        assert_matches_report(&set, &expected);
        assert_eq!(
            kind_of(&set, "__libc_start_main_impl (inlined)"),
            FrameKind::Native
        );
    }
}

#[test]
fn default_fields_weigh_by_period_and_fields_variant_by_count() {
    let set = profiles(&format!("{DIR}/fp.perf-script.txt"));
    assert_eq!(set.sample_types[0].unit, "nanoseconds");
    assert!((0..set.samples.len()).all(|r| set.samples.value(r) == 1_001_001));
    let set = profiles(&format!("{DIR}/fp.perf-script-fields.txt"));
    assert_eq!(set.sample_types[0].unit, "count");
    assert!((0..set.samples.len()).all(|r| set.samples.value(r) == 1));
}

#[test]
fn threads_times_and_kernel_frames_are_kept() {
    let set = profiles(&format!("{DIR}/fp.perf-script-fields.txt"));
    // Two threads of one process, named by their comm.
    let mut tids: Vec<&str> = (0..set.samples.len())
        .map(|r| attr(&set, r, "thread.id").unwrap())
        .collect();
    tids.sort();
    tids.dedup();
    assert_eq!(tids.len(), 2, "{tids:?}");
    for row in 0..set.samples.len() {
        assert_eq!(attr(&set, row, "thread.name"), Some("workload"));
        assert_eq!(attr(&set, row, "process.pid"), Some("14841"));
    }
    // The header `workload 14841/14852   339.698668:` is 339.698668 s after boot.
    assert_eq!(set.samples.time(0), 339_698_668_000);
    assert!((1..set.samples.len()).all(|r| set.samples.time(r - 1) <= set.samples.time(r)));
    assert_eq!(set.profiles[0].time_unix_nano, 0, "not UTC: no start time");
    // The default fields print the tid alone.
    let set = profiles(&format!("{DIR}/fp.perf-script.txt"));
    assert_eq!(attr(&set, 0, "thread.id"), Some("14852"));
    assert_eq!(attr(&set, 0, "process.pid"), None);
    assert_eq!(kind_of(&set, "read_zero"), FrameKind::Kernel);
    assert_eq!(kind_of(&set, "do_syscall_64"), FrameKind::Kernel);
    assert_eq!(kind_of(&set, "hot_loop"), FrameKind::Native);
    assert_eq!(
        stack_names(&set, 0),
        ["start_thread", "warm_loop"],
        "root first, offsets dropped"
    );
}

const HAND: &str = "\
# ========
# captured on    : today
# ========
#
Web Content 100/101 [002] 10.000001:     250000 cycles:u: 
\t    4010 [unknown] (/opt/app/bin/app)
\tffffffff81000130 [unknown] ([unknown])
\t    7f12 (/opt/app/bin/app)
\t    1234

swapper     0/0     [000] 10.000002:     1000 cycles:u:  ffffffff8225bc16 do_idle+0x46 ([kernel.kallsyms])
idle 0/0 [001] 10.000003:     1000 cycles:u: 
sh 7/7 [001] 10.000004: 3 sched:sched_switch: prev_comm=sh prev_pid=7 ==> next_comm=x
";

#[test]
fn hand_written_variants() {
    assert!(is_script(HAND.as_bytes()));
    assert!(!is_folded(HAND.as_bytes()));
    let set = parse(HAND).unwrap();
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    // Events in first-seen order, modifiers dropped, tracepoint group kept.
    let types: Vec<String> = set.sample_types.iter().map(|t| t.to_string()).collect();
    assert_eq!(types, ["cycles/events", "sched:sched_switch/events"]);
    assert_eq!(set.samples.len(), 4);
    assert_eq!(attr(&set, 0, "thread.name"), Some("Web Content"));
    assert_eq!(attr(&set, 0, "process.pid"), Some("100"));
    assert_eq!(attr(&set, 0, "thread.id"), Some("101"));
    assert_eq!(attr(&set, 0, "cpu.logical_number"), Some("2"));
    assert_eq!(set.samples.value(0), 250_000);
    assert_eq!(set.samples.time(0), 10_000_001_000);
    // Unknown symbols: dso+0xaddr, `[unknown]`; a frame with no symbol; one with nothing.
    assert_eq!(
        stack_names(&set, 0),
        ["[unknown]", "app+0x7f12", "[unknown]", "app+0x4010"]
    );
    assert_eq!(kind_of(&set, "app+0x4010"), FrameKind::Native);
    let unknown_kernel = set.stack_frames(set.samples.stack_of(0))[2];
    assert_eq!(set.frames[unknown_kernel.index()].kind, FrameKind::Kernel);
    // No stack lines: the header's own ip; none at all: an empty stack.
    assert_eq!(stack_names(&set, 1), ["do_idle"]);
    assert_eq!(kind_of(&set, "do_idle"), FrameKind::Kernel);
    assert_eq!(set.samples.stack(2), NONE);
    assert_eq!(set.samples.stack(3), NONE);
    assert_eq!(set.call_tree(&Filter::default()).total(), 252_000);
}

#[test]
fn a_truncated_stack_keeps_what_was_written() {
    // The second sample's stack stops after one frame (the next header follows), and the
    // file is cut in the middle of the third sample's first frame.
    let text = "a 1 1.0: cpu-clock:\n\t10 leaf (/bin/a)\n\t20 mid (/bin/a)\n\t30 root (/bin/a)\n\
                a 1 1.1: cpu-clock:\n\t10 leaf (/bin/a)\na 1 1.2: cpu-clock:\n\t10 le";
    let set = parse(text).unwrap();
    assert_eq!(set.samples.len(), 3);
    assert_eq!(stack_names(&set, 0), ["root", "mid", "leaf"]);
    assert_eq!(stack_names(&set, 1), ["leaf"]);
    assert!(stack_names(&set, 2).is_empty(), "the cut frame is dropped");
    assert_eq!(set.diagnostics.len(), 1, "{:?}", set.diagnostics);
    // Cut inside a header: that line is dropped, with a diagnostic.
    let set = parse("a 1 1.0: cpu-clock:\n\t10 leaf (/bin/a)\na 1 1.1: cpu-cl").unwrap();
    assert_eq!(set.samples.len(), 1);
    assert_eq!(set.diagnostics.len(), 1, "{:?}", set.diagnostics);
}

#[test]
fn malformed_text_is_an_error_at_its_line() {
    let e = parse("\t10 leaf (/bin/a)\na 1 1.0: cpu-clock:\n").unwrap_err();
    assert_eq!(
        (e.kind, e.format, e.at),
        (ErrorKind::Malformed, Format::PerfScript, At::Line(1))
    );
    let e = parse("a 1 1.0: cpu-clock:\n\t10 leaf (/bin/a)\n\nnot a header at all\n").unwrap_err();
    assert_eq!(
        (e.kind, e.format, e.at),
        (ErrorKind::Malformed, Format::PerfScript, At::Line(4))
    );
    let e = parse("# only comments\n").unwrap_err();
    assert_eq!((e.kind, e.at), (ErrorKind::Malformed, At::Input));
    let e = parse_bytes(b"a 1 1.0: cpu-clock:\n\t10 \xff\n", &Limits::default()).unwrap_err();
    assert_eq!((e.kind, e.at), (ErrorKind::Malformed, At::Byte(24)));
    // Indented lines that are not frames (`-F +srcline`) are stepped over.
    let set = parse("a 1 1.0: cpu-clock:\n\t10 leaf (/bin/a)\n  a.c:12\n").unwrap();
    assert_eq!(set.samples.len(), 1);
    assert_eq!(set.diagnostics.len(), 1);
}

#[test]
fn the_sample_limit_holds() {
    let text = "a 1 1.0: cpu-clock:\n".repeat(10);
    let limits = Limits {
        max_samples: 5,
        ..Limits::default()
    };
    let e = parse_bytes(text.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        (e.kind, e.format),
        (ErrorKind::LimitExceeded, Format::PerfScript)
    );
}

#[test]
fn truncations_and_bit_flips_never_panic() {
    let full = fixture(&format!("{DIR}/fp.perf-script.txt"));
    let full = &full[..full.len().min(40_000)];
    let whole = parse_bytes(full, &Limits::default()).unwrap();
    for cut in (0..full.len()).step_by(97) {
        match load(&full[..cut], &Limits::default()) {
            Ok(Loaded::Profiles(set)) => {
                assert_eq!(set.format, Format::PerfScript, "cut at {cut}");
                assert!(set.samples.len() <= whole.samples.len());
            }
            Ok(Loaded::Traces(_)) => panic!("cut at {cut}: traces"),
            Err(e) => assert!(
                cut < 60 || e.format == Format::PerfScript,
                "cut at {cut}: {e}"
            ),
        }
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..400 {
        let mut bytes = full.to_vec();
        for _ in 0..3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes[(seed as usize) % full.len()] ^= 1 << (seed >> 61);
        }
        if let Err(e) = parse_bytes(&bytes, &Limits::default()) {
            assert_eq!(e.format, Format::PerfScript);
            assert!(matches!(e.at, At::Line(_) | At::Byte(_) | At::Input), "{e}");
        }
    }
}

#[test]
fn perf_data_is_recognised_and_refused() {
    let assert_refused = |bytes: &[u8]| {
        let e = load(bytes, &Limits::default()).unwrap_err();
        assert_eq!(
            (e.kind, e.format, e.at.clone()),
            (ErrorKind::Unsupported, Format::PerfData, At::Input)
        );
        assert!(e.message.contains("run `perf script`"), "{}", e.message);
    };
    let data = fixture(&format!("{DIR}/perf.data"));
    assert!(data.starts_with(b"PERFILE2"));
    assert_refused(&data);
    // Truncated anywhere past the magic, bit-flipped, or declaring a 1 GB section: the
    // same refusal, and nothing is allocated for what the header declares.
    for cut in [8, 9, 100, 104, data.len() / 2] {
        assert_refused(&data[..cut]);
    }
    let mut huge = data[..200].to_vec();
    huge[48..56].copy_from_slice(&(1u64 << 30).to_le_bytes()); // data section size
    assert_refused(&huge);
    let mut flipped = data.clone();
    flipped[20] ^= 0x40;
    assert_refused(&flipped);
    // Big-endian magic too; shorter than the magic is not perf.data.
    assert_refused(b"2ELIFREP\0\0\0\0");
    let e = load(b"PERFILE", &Limits::default()).unwrap_err();
    assert_ne!(e.format, Format::PerfData);
}

#[test]
fn binary_garbage_is_not_perf_script() {
    let mut seed = 7u64;
    let garbage: Vec<u8> = (0..4096)
        .map(|_| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            (seed >> 56) as u8
        })
        .collect();
    assert!(!is_script(&garbage));
    let e = parse_bytes(&garbage, &Limits::default()).unwrap_err();
    assert_eq!(
        (e.kind, e.format),
        (ErrorKind::Malformed, Format::PerfScript)
    );
    assert!(matches!(e.at, At::Byte(_)));
}

/// Every fixture of another format is left to its own reader, and perf script text is
/// not taken for folded stacks.
#[test]
fn sniffing_takes_nothing_else() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&fixture_path(""), &mut files);
    assert!(files.len() > 10);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let plain = gunzip_all(&bytes, &Limits::default()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let script = name.contains("perf-script");
        assert_eq!(is_script(&plain), script, "{}", path.display());
        if script {
            assert!(!is_folded(&plain), "{}", path.display());
        }
    }
}

#[test]
fn folded_variants_stay_read() {
    let read = |text: &str| {
        assert!(is_folded(text.as_bytes()), "{text}");
        assert!(!is_script(text.as_bytes()), "{text}");
        folded_set(text.as_bytes())
    };
    // inferno-collapse-perf --pid --tid --kernel: `comm-pid/tid` root, `_[k]` kernel frames.
    let set = read(
        "workload-14841/14852;start_thread;warm_loop 146\nworkload-14841/14841;main;read;vfs_read_[k] 3\n",
    );
    assert_eq!(
        set.folded(&Filter::default()),
        [
            ("workload-14841/14841;main;read;vfs_read_[k]".to_owned(), 3),
            (
                "workload-14841/14852;start_thread;warm_loop".to_owned(),
                146
            )
        ]
    );
    // py-spy record --format raw: `function (file:line)` frames, a thread root.
    let set = read("process 42:\"python app.py\";<module> (app.py:10);work (app.py:4) 7\n");
    assert_eq!(stack_names(&set, 0)[2], "work (app.py:4)");
    assert_eq!(set.call_tree(&Filter::default()).total(), 7);
}

#[test]
fn a_folded_line_with_an_empty_stack_counts_toward_the_total() {
    let set = folded_set(b"main;a 3\n 2\n");
    assert_eq!(set.samples.len(), 2);
    assert_eq!(set.samples.stack(1), NONE);
    assert_eq!(set.call_tree(&Filter::default()).total(), 5);
}
