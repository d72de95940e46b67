//! The JFR importer: recordings built by hand with a tiny writer in this file (every
//! constant pool the importer reads, two chunks, and the hazards of a binary format), and
//! the real JDK 17 fixture against `jfr`'s own decoding of it.
//!
//! Long (~890 lines): most of it is a small JFR writer, so that each hostile case (a 4 GB
//! chunk, a type cycle, 2^31 counts) is built from its description, not from bytes pasted in.

mod common;

use spanflame_core::formats::jfr;
use spanflame_core::model::FrameKind;
use spanflame_core::{At, ErrorKind, Filter, Format, Limits, Loaded, ProfileSet, load};

// ---------------------------------------------------------------------------------------
// A minimal JFR writer: compressed integers, UTF-8 strings, one metadata event, one
// checkpoint and the sample events.

fn varint(out: &mut Vec<u8>, mut v: u64) {
    for _ in 0..8 {
        if v < 0x80 {
            out.push(v as u8);
            return;
        }
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.push(3);
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// An event: its size as a padded four-byte varint (as the JVM writes it), type, body.
fn event(kind: u64, body: &[u8]) -> Vec<u8> {
    let mut rest = Vec::new();
    varint(&mut rest, kind);
    rest.extend_from_slice(body);
    let size = (rest.len() + 4) as u32;
    let mut out = vec![
        (size & 0x7f) as u8 | 0x80,
        ((size >> 7) & 0x7f) as u8 | 0x80,
        ((size >> 14) & 0x7f) as u8 | 0x80,
        ((size >> 21) & 0x7f) as u8,
    ];
    out.extend(rest);
    out
}

struct Field {
    name: &'static str,
    class: u64,
    pool: bool,
    array: bool,
}

fn f(name: &'static str, class: u64) -> Field {
    Field {
        name,
        class,
        pool: false,
        array: false,
    }
}

fn cp(name: &'static str, class: u64) -> Field {
    Field {
        pool: true,
        ..f(name, class)
    }
}

struct Class {
    id: u64,
    name: &'static str,
    fields: Vec<Field>,
}

const LONG: u64 = 20;
const INT: u64 = 21;
const BOOLEAN: u64 = 22;
const STRING: u64 = 23;
const SYMBOL: u64 = 24;
const CLASS: u64 = 25;
const METHOD: u64 = 26;
const FRAME_TYPE: u64 = 27;
const STACK_FRAME: u64 = 28;
const STACK_TRACE: u64 = 29;
const THREAD: u64 = 30;
const EXECUTION_SAMPLE: u64 = 31;
const ALLOCATION_SAMPLE: u64 = 32;
const CYCLE_A: u64 = 40;
const CYCLE_B: u64 = 41;
const CYCLE_EVENT: u64 = 42;

fn classes() -> Vec<Class> {
    let c = |id, name, fields| Class { id, name, fields };
    vec![
        c(LONG, "long", vec![]),
        c(INT, "int", vec![]),
        c(BOOLEAN, "boolean", vec![]),
        c(STRING, "java.lang.String", vec![]),
        c(SYMBOL, "jdk.types.Symbol", vec![f("string", STRING)]),
        c(CLASS, "java.lang.Class", vec![cp("name", SYMBOL)]),
        c(
            METHOD,
            "jdk.types.Method",
            vec![cp("type", CLASS), cp("name", SYMBOL), f("modifiers", INT)],
        ),
        c(
            FRAME_TYPE,
            "jdk.types.FrameType",
            vec![f("description", STRING)],
        ),
        c(
            STACK_FRAME,
            "jdk.types.StackFrame",
            vec![
                cp("method", METHOD),
                f("lineNumber", INT),
                f("bytecodeIndex", INT),
                cp("type", FRAME_TYPE),
            ],
        ),
        c(
            STACK_TRACE,
            "jdk.types.StackTrace",
            vec![
                f("truncated", BOOLEAN),
                Field {
                    array: true,
                    ..f("frames", STACK_FRAME)
                },
            ],
        ),
        c(
            THREAD,
            "java.lang.Thread",
            vec![
                f("osName", STRING),
                f("osThreadId", LONG),
                f("javaName", STRING),
                f("javaThreadId", LONG),
            ],
        ),
        c(
            EXECUTION_SAMPLE,
            "jdk.ExecutionSample",
            vec![
                f("startTime", LONG),
                cp("sampledThread", THREAD),
                cp("stackTrace", STACK_TRACE),
            ],
        ),
        c(
            ALLOCATION_SAMPLE,
            "jdk.ObjectAllocationSample",
            vec![
                f("startTime", LONG),
                cp("eventThread", THREAD),
                cp("stackTrace", STACK_TRACE),
                cp("objectClass", CLASS),
                f("weight", LONG),
            ],
        ),
        // Two types that contain each other inline: no value of them can end.
        c(CYCLE_A, "x.A", vec![f("b", CYCLE_B)]),
        c(CYCLE_B, "x.B", vec![f("a", CYCLE_A)]),
        c(
            CYCLE_EVENT,
            "x.CycleEvent",
            vec![f("a", CYCLE_A), f("startTime", LONG)],
        ),
    ]
}

fn metadata(classes: &[Class]) -> Vec<u8> {
    let mut strings: Vec<String> = Vec::new();
    let mut idx = |s: &str| -> u64 {
        match strings.iter().position(|x| x == s) {
            Some(i) => i as u64,
            None => {
                strings.push(s.to_owned());
                (strings.len() - 1) as u64
            }
        }
    };
    let mut tree = Vec::new();
    let mut element = |tree: &mut Vec<u8>, name: &str, attrs: &[(&str, String)], children| {
        varint(tree, idx(name));
        varint(tree, attrs.len() as u64);
        for (k, v) in attrs {
            varint(tree, idx(k));
            varint(tree, idx(v));
        }
        varint(tree, children);
    };
    element(&mut tree, "root", &[], 2);
    element(&mut tree, "metadata", &[], classes.len() as u64);
    for c in classes {
        element(
            &mut tree,
            "class",
            &[("id", c.id.to_string()), ("name", c.name.to_owned())],
            c.fields.len() as u64,
        );
        for field in &c.fields {
            let mut attrs = vec![
                ("name", field.name.to_owned()),
                ("class", field.class.to_string()),
            ];
            if field.pool {
                attrs.push(("constantPool", "true".to_owned()));
            }
            if field.array {
                attrs.push(("dimension", "1".to_owned()));
            }
            element(&mut tree, "field", &attrs, 0);
        }
    }
    element(&mut tree, "region", &[], 0);
    let mut body = Vec::new();
    for v in [0, 0, 1] {
        varint(&mut body, v); // start, duration, metadata id
    }
    varint(&mut body, strings.len() as u64);
    for s in &strings {
        string(&mut body, s);
    }
    body.extend(tree);
    event(0, &body)
}

/// One constant: key and encoded value.
type Constant = (u64, Vec<u8>);

fn checkpoint(pools: &[(u64, Vec<Constant>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for v in [0, 0, 0] {
        varint(&mut body, v); // start, duration, delta
    }
    body.push(1); // flags
    varint(&mut body, pools.len() as u64);
    for (class, constants) in pools {
        varint(&mut body, *class);
        varint(&mut body, constants.len() as u64);
        for (key, value) in constants {
            varint(&mut body, *key);
            body.extend_from_slice(value);
        }
    }
    event(1, &body)
}

fn enc(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        match p {
            Part::V(v) => varint(&mut out, *v),
            Part::S(s) => string(&mut out, s),
            Part::B(b) => out.push(*b),
        }
    }
    out
}

enum Part {
    V(u64),
    S(&'static str),
    B(u8),
}
use Part::{B, S, V};

/// Tick rate, start ticks and start time of the hand-built chunks.
const TPS: u64 = 1_000_000;
const START_TICKS: u64 = 5_000;
const START_NS: u64 = 1_700_000_000_000_000_000;

fn pools(method_21: bool) -> Vec<(u64, Vec<Constant>)> {
    // Method 20 = Shop.run (class 10, name symbol 4), 21 = HashMap.get (class 11, symbol 2).
    let mut methods = vec![(20, enc(&[V(10), V(4), V(0)]))];
    if method_21 {
        methods.push((21, enc(&[V(11), V(2), V(0)])));
    }
    let frame = |method, line, kind| enc(&[V(method), V(line), V(0), V(kind)]);
    let mut trace = enc(&[B(0), V(2)]);
    trace.extend(frame(21, 42, 3)); // leaf first: HashMap.get, inlined
    trace.extend(frame(20, 7, 2)); // Shop.run, JIT compiled
    let mut deep = enc(&[B(1), V(1)]);
    deep.extend(frame(20, 9, 1));
    vec![
        (
            SYMBOL,
            vec![
                (1, enc(&[S("com/acme/Shop")])),
                (2, enc(&[S("get")])),
                (3, enc(&[S("java/util/HashMap")])),
                (4, enc(&[S("run")])),
            ],
        ),
        (CLASS, vec![(10, enc(&[V(1)])), (11, enc(&[V(3)]))]),
        (METHOD, methods),
        (
            FRAME_TYPE,
            vec![
                (1, enc(&[S("Interpreted")])),
                (2, enc(&[S("JIT compiled")])),
                (3, enc(&[S("Inlined")])),
                (4, enc(&[S("Native")])),
            ],
        ),
        (STACK_TRACE, vec![(100, trace), (101, deep)]),
        (
            THREAD,
            vec![
                (5, enc(&[S("os-main"), V(99), S("main"), V(1)])),
                (6, enc(&[S("GC Thread#0"), V(98), B(0), V(0)])),
            ],
        ),
    ]
}

fn samples() -> Vec<Vec<u8>> {
    vec![
        event(
            EXECUTION_SAMPLE,
            &enc(&[V(START_TICKS + 1_000), V(5), V(100)]),
        ),
        event(
            EXECUTION_SAMPLE,
            &enc(&[V(START_TICKS + 2_000), V(5), V(100)]),
        ),
        event(
            EXECUTION_SAMPLE,
            &enc(&[V(START_TICKS + 3_000), V(6), V(101)]),
        ),
        event(
            ALLOCATION_SAMPLE,
            &enc(&[V(START_TICKS + 1_500), V(5), V(100), V(11), V(4096)]),
        ),
    ]
}

/// A chunk: header, then `events`, then the checkpoint and the metadata (the JVM writes
/// them at the end too).
fn chunk_of(events: &[Vec<u8>], checkpoint: &[u8], metadata: &[u8]) -> Vec<u8> {
    let mut body: Vec<u8> = events.concat();
    let cp_offset = 68 + body.len();
    body.extend_from_slice(checkpoint);
    let md_offset = 68 + body.len();
    body.extend_from_slice(metadata);
    let mut out = b"FLR\0".to_vec();
    out.extend(2u16.to_be_bytes());
    out.extend(1u16.to_be_bytes());
    out.extend(((68 + body.len()) as u64).to_be_bytes());
    out.extend((cp_offset as u64).to_be_bytes());
    out.extend((md_offset as u64).to_be_bytes());
    out.extend(START_NS.to_be_bytes());
    out.extend(1_000_000_000u64.to_be_bytes()); // duration
    out.extend(START_TICKS.to_be_bytes());
    out.extend(TPS.to_be_bytes());
    out.extend([0, 0, 0, 3]); // generation 0, final chunk, compressed integers
    out.extend(body);
    out
}

fn recording() -> Vec<u8> {
    chunk_of(&samples(), &checkpoint(&pools(true)), &metadata(&classes()))
}

fn parse(bytes: &[u8]) -> spanflame_core::Result<ProfileSet> {
    jfr::load(bytes, &Limits::default())
}

fn folded(set: &ProfileSet, sample_type: u32) -> Vec<String> {
    let mut out = Vec::new();
    for p in &set.profiles {
        if p.sample_type.get() != sample_type {
            continue;
        }
        for row in p.samples.start as usize..p.samples.end as usize {
            let names: Vec<&str> = set
                .stack_frames(set.samples.stack_of(row))
                .iter()
                .map(|&fr| set.function_name(set.frames[fr.index()].function))
                .collect();
            out.push(format!("{} {}", names.join(";"), set.samples.value(row)));
        }
    }
    out
}

fn attr<'a>(set: &'a ProfileSet, row: usize, key: &str) -> Option<&'a str> {
    set.attr_sets[set.samples.attrs(row) as usize]
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

fn assert_err(result: spanflame_core::Result<ProfileSet>, kind: ErrorKind, at: u64, text: &str) {
    let e = result.expect_err("an error");
    assert_eq!(e.format, Format::Jfr, "{e}");
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.at, At::Byte(at), "{e}");
    assert!(e.message.contains(text), "{e}");
}

// ---------------------------------------------------------------------------------------
// Hand-built recordings

#[test]
fn a_hand_built_recording_reads_every_pool_and_event() {
    let bytes = recording();
    let set = match load(&bytes, &Limits::default()).unwrap() {
        Loaded::Profiles(set) => set,
        Loaded::Traces(_) => panic!("traces"),
    };
    assert_eq!(set.format, Format::Jfr);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    let types: Vec<String> = set.sample_types.iter().map(|t| t.to_string()).collect();
    assert_eq!(types, ["cpu/count", "alloc/bytes"]);
    assert_eq!(
        folded(&set, 0),
        [
            "com.acme.Shop.run;java.util.HashMap.get 1",
            "com.acme.Shop.run;java.util.HashMap.get 1",
            "(truncated);com.acme.Shop.run 1",
        ]
    );
    assert_eq!(
        folded(&set, 1),
        ["com.acme.Shop.run;java.util.HashMap.get 4096"]
    );
    assert_eq!(set.profiles[0].attributes[0].value, "jdk.ExecutionSample");

    // Lines and frame kinds, leaf (inlined HashMap.get at 42) under JIT-compiled Shop.run.
    let frames = set.stack_frames(set.samples.stack_of(0));
    let kinds: Vec<(u32, FrameKind)> = frames
        .iter()
        .map(|&f| (set.frames[f.index()].line, set.frames[f.index()].kind))
        .collect();
    assert_eq!(kinds, [(7, FrameKind::Jit), (42, FrameKind::Inlined)]);
    let third = set.stack_frames(set.samples.stack_of(2));
    assert_eq!(set.frames[third[1].index()].kind, FrameKind::Interpreted);

    // Threads: the Java name and id; a thread without a Java name keeps its OS name.
    assert_eq!(attr(&set, 0, "thread.name"), Some("main"));
    assert_eq!(attr(&set, 0, "thread.id"), Some("1"));
    assert_eq!(attr(&set, 2, "thread.name"), Some("GC Thread#0"));
    assert_eq!(attr(&set, 2, "thread.id"), None);

    // Ticks → ns: 1 000 ticks at 1 MHz after the chunk's start is 1 ms after its start time.
    assert_eq!(set.samples.time(0), START_NS + 1_000_000);
    assert_eq!(set.samples.time(1), START_NS + 2_000_000);
    assert_eq!(set.samples.time(3), START_NS + 1_500_000);
    assert_eq!(set.profiles[0].time_unix_nano, START_NS);
    assert_eq!(set.profiles[0].duration_nano, 1_000_000_000);

    // Java names group by package for colouring.
    let pkg = |name: &str| spanflame_core::palette::package_of(name, "", FrameKind::Jit).to_owned();
    assert_eq!(pkg("java.util.HashMap.get"), "java.util");
    assert_eq!(pkg("com.acme.Shop.run"), "com.acme");
}

#[test]
fn several_chunks_add_up() {
    let one = recording();
    let mut two = one.clone();
    two.extend_from_slice(&one);
    let set = parse(&two).unwrap();
    assert_eq!(set.profiles.len(), 2, "one profile per sample type");
    assert_eq!(set.call_tree(&Filter::default()).total(), 6);
    assert_eq!(set.samples.len(), 8);
    // The second chunk's pools are its own: the same keys resolve the same way.
    assert_eq!(
        folded(&set, 0)[3],
        "com.acme.Shop.run;java.util.HashMap.get 1"
    );
}

#[test]
fn a_missing_method_becomes_a_placeholder_frame_with_a_diagnostic() {
    let bytes = chunk_of(
        &samples(),
        &checkpoint(&pools(false)),
        &metadata(&classes()),
    );
    let set = parse(&bytes).unwrap();
    assert_eq!(folded(&set, 0)[0], "com.acme.Shop.run;(unknown method) 1");
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("method missing from the constant pool")),
        "{:?}",
        set.diagnostics
    );
}

#[test]
fn a_missing_stack_trace_becomes_a_placeholder_frame() {
    let events = vec![event(
        EXECUTION_SAMPLE,
        &enc(&[V(START_TICKS), V(5), V(777)]),
    )];
    let bytes = chunk_of(&events, &checkpoint(&pools(true)), &metadata(&classes()));
    let set = parse(&bytes).unwrap();
    assert_eq!(folded(&set, 0), ["(unknown stack trace) 1"]);
    assert_eq!(set.diagnostics.len(), 1);
}

#[test]
fn a_declared_chunk_of_4_gb_is_refused_before_any_allocation() {
    let mut bytes = recording();
    bytes[8..16].copy_from_slice(&(4u64 << 30).to_be_bytes());
    assert_err(
        parse(&bytes),
        ErrorKind::Malformed,
        8,
        "declares 4294967296 bytes",
    );
}

#[test]
fn a_constant_pool_count_of_2_pow_31_is_refused() {
    let md = metadata(&classes());
    // A checkpoint claiming 2^31 pools, then 2^31 constants in one pool.
    for pool_count in [true, false] {
        let mut body = Vec::new();
        for v in [0, 0, 0] {
            varint(&mut body, v);
        }
        body.push(1);
        if pool_count {
            varint(&mut body, 1 << 31);
        } else {
            varint(&mut body, 1);
            varint(&mut body, SYMBOL);
            varint(&mut body, 1 << 31);
        }
        body.extend(enc(&[V(1), S("x")]));
        let cp = event(1, &body);
        let bytes = chunk_of(&[], &cp, &md);
        let count_at = 68 + 4 + 1 + 3 + 1 + if pool_count { 0 } else { 2 };
        assert_err(
            parse(&bytes),
            ErrorKind::Malformed,
            count_at,
            "count 2147483648",
        );
    }
}

#[test]
fn a_metadata_type_cycle_is_an_error_not_a_stack_overflow() {
    let md = metadata(&classes());
    // Unused, the cycle is harmless.
    assert!(parse(&recording()).is_ok());
    let events = vec![event(CYCLE_EVENT, &enc(&[V(START_TICKS)]))];
    let bytes = chunk_of(&events, &checkpoint(&pools(true)), &md);
    // The event is not a sample, so its body is never read; make it one by name.
    assert!(parse(&bytes).is_ok());
    let mut classes = classes();
    let cycle = classes.iter_mut().find(|c| c.id == CYCLE_EVENT).unwrap();
    cycle.name = "jdk.ExecutionSample";
    classes.retain(|c| c.id != EXECUTION_SAMPLE);
    let md = metadata(&classes);
    let bytes = chunk_of(&events, &checkpoint(&pools(true)), &md);
    let e = parse(&bytes).unwrap_err();
    assert_eq!((e.format, e.kind), (Format::Jfr, ErrorKind::Malformed));
    assert!(e.message.contains("nest deeper than"), "{e}");
    assert!(matches!(e.at, At::Byte(b) if b as usize > 68 && b as usize <= bytes.len()));
}

#[test]
fn deeply_nested_metadata_elements_are_an_error() {
    // A metadata tree 10 000 elements deep: each element names itself and has one child.
    let mut body = Vec::new();
    for v in [0, 0, 1, 1] {
        varint(&mut body, v); // start, duration, id, one string
    }
    string(&mut body, "x");
    for _ in 0..10_000 {
        body.extend([0, 0, 1]); // name "x", no attributes, one child
    }
    body.extend([0, 0, 0]);
    let bytes = chunk_of(&[], &checkpoint(&[]), &event(0, &body));
    let e = parse(&bytes).unwrap_err();
    assert_eq!((e.format, e.kind), (Format::Jfr, ErrorKind::Malformed));
    assert!(e.message.contains("nest deeper than"), "{e}");
}

#[test]
fn limits_bound_constants_and_samples() {
    let bytes = recording();
    let limits = Limits {
        max_table_len: 5,
        ..Limits::default()
    };
    let e = jfr::load(&bytes, &limits).unwrap_err();
    assert_eq!((e.format, e.kind), (Format::Jfr, ErrorKind::LimitExceeded));
    let limits = Limits {
        max_samples: 2,
        ..Limits::default()
    };
    let e = jfr::load(&bytes, &limits).unwrap_err();
    assert_eq!((e.format, e.kind), (Format::Jfr, ErrorKind::LimitExceeded));
    assert!(e.message.contains("more than 2 sample events"), "{e}");
}

#[test]
fn version_1_is_unsupported() {
    let mut bytes = recording();
    bytes[4..6].copy_from_slice(&1u16.to_be_bytes());
    assert_err(parse(&bytes), ErrorKind::Unsupported, 4, "version 1.1");
}

#[test]
fn a_cleared_compressed_integers_flag_fails_cleanly() {
    // Read as raw big-endian integers, the varints give absurd sizes: an error, not a panic.
    let mut bytes = recording();
    bytes[67] = 2;
    let e = parse(&bytes).unwrap_err();
    assert_eq!((e.format, e.kind), (Format::Jfr, ErrorKind::Malformed));
}

#[test]
fn truncations_at_every_offset_are_errors() {
    let bytes = recording();
    for cut in 0..bytes.len() {
        let e = parse(&bytes[..cut]).err();
        if cut == 0 {
            assert!(e.is_none(), "an empty prefix has no chunk");
            continue;
        }
        let e = e.unwrap_or_else(|| panic!("cut at {cut} was accepted"));
        assert_eq!(
            (e.format, e.kind),
            (Format::Jfr, ErrorKind::Malformed),
            "{e}"
        );
        assert!(
            matches!(e.at, At::Byte(b) if b as usize <= cut),
            "{e} at cut {cut}"
        );
        // With the chunk size patched to the cut, parsing reaches the cut inside the chunk.
        if cut >= 68 {
            let mut short = bytes[..cut].to_vec();
            short[8..16].copy_from_slice(&(cut as u64).to_be_bytes());
            if let Err(e) = parse(&short) {
                assert_eq!(e.format, Format::Jfr, "{e}");
                assert!(matches!(e.at, At::Byte(b) if b as usize <= cut), "{e}");
            }
        }
    }
}

#[test]
fn bit_flips_never_panic() {
    let bytes = recording();
    let mut errors = 0;
    for i in 0..bytes.len() {
        for bit in [0x01, 0x10, 0x80] {
            let mut flipped = bytes.clone();
            flipped[i] ^= bit;
            if let Err(e) = load(&flipped, &Limits::default()) {
                errors += 1;
                if i >= 4 {
                    assert_eq!(e.format, Format::Jfr, "byte {i}: {e}");
                    assert!(
                        matches!(e.at, At::Byte(b) if b as usize <= flipped.len()),
                        "{e}"
                    );
                }
            }
        }
    }
    assert!(errors > bytes.len(), "most flips break something: {errors}");
}

#[test]
fn sniffing_takes_only_jfr() {
    use spanflame_core::formats::Detect;
    assert_eq!(jfr::sniff(&recording()), Detect::Yes);
    assert_eq!(jfr::sniff(b"FLR"), Detect::NeedMore);
    assert_eq!(jfr::sniff(b"main;foo 1\n"), Detect::No);
    let dir = common::fixture_path("");
    let mut seen = 0;
    for entry in walk(&dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let plain = spanflame_core::formats::gunzip_all(&bytes, &Limits::default()).unwrap();
        let is_jfr = entry.extension().is_some_and(|e| e == "jfr");
        let claimed = jfr::sniff(&plain) == spanflame_core::formats::Detect::Yes;
        assert_eq!(claimed, is_jfr, "{}", entry.display());
        seen += 1;
    }
    assert!(seen > 5);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The real JDK 17 recording, against `jfr print --json` (see fixtures/jfr/README.md)

const FIXTURE: &str = "jfr/workload.jfr";

/// `function → (self %, total %, names merged)` of an expected*.tsv, with hidden-class names
/// shortened as the importer shortens them (`X$$Lambda$88+0x…/123.run` → `X$$Lambda$88.run`).
/// Self shares of merged names add up; their total lies between the largest and the sum,
/// since one stack can hold several of them.
fn expected(name: &str) -> std::collections::BTreeMap<String, (f64, f64, f64, usize)> {
    let text = String::from_utf8(common::fixture(&format!("jfr/{name}"))).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        let [function, self_pct, total_pct] = cells[..] else {
            panic!("{line}");
        };
        let function = match function.find("+0x") {
            Some(i) => {
                let rest = &function[i..];
                let method = &rest[rest.rfind('.').unwrap()..];
                format!("{}{method}", &function[..i])
            }
            None => function.to_owned(),
        };
        let (s, t): (f64, f64) = (self_pct.parse().unwrap(), total_pct.parse().unwrap());
        let e = out.entry(function).or_insert((0.0, 0.0, 0.0, 0));
        e.0 += s;
        e.1 = f64::max(e.1, t);
        e.2 += t;
        e.3 += 1;
    }
    out
}

fn assert_shares(set: &ProfileSet, sample_type: &str, tsv: &str) {
    let index = set
        .sample_types
        .iter()
        .position(|t| t.to_string() == sample_type)
        .unwrap();
    let filter = Filter {
        sample_type: spanflame_core::model::SampleTypeId::from_index(index),
        ..Filter::default()
    };
    let tree = set.call_tree(&filter);
    let all = tree.total() as f64;
    let ours: std::collections::BTreeMap<String, (f64, f64)> = tree
        .function_stats()
        .into_iter()
        .map(|s| {
            let pct = |w: i64| 100.0 * w as f64 / all;
            (s.name, (pct(s.self_weight), pct(s.total_weight)))
        })
        .collect();
    let want = expected(tsv);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{sample_type}: the same functions"
    );
    let mut merged = 0;
    for (name, &(s, t_max, t_sum, n)) in &want {
        let (os, ot) = ours[name];
        assert!(
            (os - s).abs() <= 0.5,
            "{sample_type} {name}: self {os} vs {s}"
        );
        if n == 1 {
            assert!(
                (ot - t_max).abs() <= 0.5,
                "{sample_type} {name}: total {ot} vs {t_max}"
            );
        } else {
            merged += 1;
            assert!(
                ot >= t_max - 0.5 && ot <= t_sum + 0.5,
                "{sample_type} {name}: total {ot} outside {t_max}..{t_sum}"
            );
        }
    }
    assert!(merged <= 3, "only a few hidden classes merge: {merged}");
}

#[test]
fn the_fixture_matches_jfrs_own_decoding() {
    let set = common::profiles(FIXTURE);
    assert_eq!(set.format, Format::Jfr);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    let types: Vec<String> = set.sample_types.iter().map(|t| t.to_string()).collect();
    assert_eq!(types, ["cpu/count", "wall/count", "alloc/bytes"]);
    // expected-counts.txt: events and summed weight per type.
    let sums: Vec<(usize, i64)> = set
        .profiles
        .iter()
        .map(|p| {
            let rows = p.samples.start as usize..p.samples.end as usize;
            (rows.len(), set.samples.values().sum(rows))
        })
        .collect();
    assert_eq!(sums, [(354, 354), (32, 32), (333, 291_023_656)]);
    assert_shares(&set, "cpu/count", "expected.tsv");
    assert_shares(&set, "wall/count", "expected-native.tsv");
    assert_shares(&set, "alloc/bytes", "expected-alloc.tsv");
}

#[test]
fn the_fixture_has_threads_times_and_frame_kinds() {
    let set = common::profiles(FIXTURE);
    let cpu = set.profiles[0].samples.clone();
    let mut threads = std::collections::BTreeMap::new();
    for row in cpu.start as usize..cpu.end as usize {
        *threads
            .entry(attr(&set, row, "thread.name").unwrap().to_owned())
            .or_insert(0) += 1;
        assert!(
            attr(&set, row, "thread.id")
                .unwrap()
                .parse::<u64>()
                .unwrap()
                > 0
        );
    }
    // README: 324 samples on main, 30 on allocator.
    assert_eq!(
        threads.into_iter().collect::<Vec<_>>(),
        [("allocator".to_owned(), 30), ("main".to_owned(), 324)]
    );
    assert!(
        (set.profiles[1].samples.start as usize..set.profiles[1].samples.end as usize)
            .all(|row| attr(&set, row, "thread.name") == Some("native-reader"))
    );
    // Every sample has a time inside the recording's 2026-12-02 chunk.
    let (lo, hi) = set.time_range().unwrap();
    let p = &set.profiles[0];
    assert!((0..set.samples.len()).all(|r| set.samples.time(r) != 0));
    assert!(lo >= p.time_unix_nano && hi <= p.time_unix_nano + p.duration_nano);
    assert!((1_796_169_600_000_000_000..1_796_256_000_000_000_000).contains(&lo));
    // Interpreted, JIT-compiled and inlined frames all occur; readBytes is native.
    let kinds: std::collections::BTreeSet<String> =
        set.frames.iter().map(|f| format!("{:?}", f.kind)).collect();
    for k in ["Interpreted", "Jit", "Inlined", "Native"] {
        assert!(kinds.contains(k), "{kinds:?}");
    }
    let read_bytes = set
        .frames
        .iter()
        .find(|f| set.function_name(f.function) == "java.io.FileInputStream.readBytes")
        .unwrap();
    assert_eq!(read_bytes.kind, FrameKind::Native);
}

#[test]
fn the_fixture_survives_truncation_and_bit_flips() {
    let bytes = common::fixture(FIXTURE);
    for cut in (0..bytes.len()).step_by(bytes.len() / 40) {
        let mut short = bytes[..cut].to_vec();
        if cut >= 68 {
            short[8..16].copy_from_slice(&(cut as u64).to_be_bytes());
        }
        if let Err(e) = parse(&short) {
            assert_eq!(e.format, Format::Jfr, "{e}");
        }
    }
    for i in (4..bytes.len()).step_by(bytes.len() / 40) {
        let mut flipped = bytes.clone();
        flipped[i] ^= 0x5a;
        if let Err(e) = parse(&flipped) {
            assert_eq!(e.format, Format::Jfr, "{e}");
            assert!(
                matches!(e.at, At::Byte(b) if (b as usize) < bytes.len()),
                "{e}"
            );
        }
    }
}
