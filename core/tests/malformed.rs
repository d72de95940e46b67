//! Bad input never panics: it gives an error naming the format, where and what, or, when
//! the data can still be read, a diagnostic the user sees.

mod common;

use std::io::Write;

use common::fixture;
use opentelemetry_proto::tonic::profiles::v1development as otlp;
use prost::Message;
use spanflame_core::{At, ErrorKind, Filter, FlameLayout, Format, Limits, Loaded, load};

const PY_V19: &str = "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb";
const PY_V110: &str = "otlp/python-ext-0.63b4-file/profiles.v1_10.binpb";

/// Loading must return, whatever the bytes; and a loaded set must survive a tree build.
fn load_never_panics(bytes: &[u8]) -> Option<spanflame_core::Error> {
    match load(bytes, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => {
            for i in 0..set.sample_types.len() {
                let f = Filter {
                    sample_type: spanflame_core::model::SampleTypeId::from_index(i),
                    ..Filter::default()
                };
                let tree = set.call_tree(&f);
                let _ = spanflame_core::FlameLayout::new(&tree);
                let _ = set.inverted_call_tree(&f);
            }
            None
        }
        Ok(Loaded::Traces(_)) => None,
        Err(e) => {
            assert!(!e.message.is_empty(), "{e:?}");
            // A byte offset a user is pointed to lies inside what they gave.
            if let At::Byte(n) = e.at
                && e.format != Format::Gzip
            {
                assert!(n < bytes.len() as u64, "{e} for {} bytes", bytes.len());
            }
            Some(e)
        }
    }
}

/// `(start, end)` of each top-level field of a protobuf message: a separate, minimal walk
/// (varint keys, LEN or varint values only, which is all the OTLP top level uses).
fn top_level_fields(bytes: &[u8]) -> Vec<(usize, usize)> {
    fn varint(bytes: &[u8], pos: &mut usize) -> u64 {
        let mut value = 0;
        for shift in (0..64).step_by(7) {
            let b = bytes[*pos];
            *pos += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                break;
            }
        }
        value
    }
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let key = varint(bytes, &mut pos);
        match key & 7 {
            0 => {
                varint(bytes, &mut pos);
            }
            2 => pos += varint(bytes, &mut pos) as usize,
            w => panic!("wire type {w} at the top level"),
        }
        out.push((start, pos));
    }
    assert_eq!(pos, bytes.len());
    out
}

/// What a user is told about a profile file cut at `cut`: the truncated top-level field,
/// by its byte offset, as OTLP profiles.
fn assert_truncated_profile(
    file: &str,
    e: &spanflame_core::Error,
    fields: &[(usize, usize)],
    cut: usize,
) {
    let &(start, _) = fields
        .iter()
        .find(|&&(start, end)| start < cut && cut < end)
        .unwrap_or_else(|| panic!("{file}: cut {cut} falls between fields"));
    assert_eq!(
        (e.format, e.kind, &e.at),
        (
            Format::OtlpProfilesBinary,
            ErrorKind::Malformed,
            &At::Byte(start as u64)
        ),
        "{file} cut at {cut}: {e}"
    );
    assert!(e.message.contains("truncated"), "{file} cut at {cut}: {e}");
}

#[test]
fn truncated_at_every_byte() {
    for file in [PY_V19, PY_V110, "otlp/synthetic-v1_10/profiles.binpb"] {
        let bytes = fixture(file);
        let fields = top_level_fields(&bytes);
        let mut precise = 0;
        for cut in 1..bytes.len() {
            if fields.iter().any(|&(_, end)| end == cut) {
                // Whole top-level fields are a shorter valid message.
                continue;
            }
            let e = load_never_panics(&bytes[..cut])
                .unwrap_or_else(|| panic!("{file}: the first {cut} bytes loaded"));
            match (e.format, cut) {
                // Two bytes are a field key and a length, nothing to recognise yet.
                (_, 1 | 2) => assert_eq!(
                    (e.format, e.kind, &e.at),
                    (Format::Unknown, ErrorKind::Unrecognized, &At::Input),
                    "{file} cut at {cut}: {e}"
                ),
                // Cut before the first Profile message begins, the resource alone looks like
                // a traces message (a known limit of sniffing a prefix); it still says where.
                (Format::OtlpTracesBinary, _) => {
                    assert_eq!((e.kind, &e.at), (ErrorKind::Malformed, &At::Input), "{e}");
                    assert!(e.message.contains("not a valid traces message"), "{e}");
                    assert!(cut < bytes.len() / 8, "{file} cut at {cut} read as traces");
                }
                _ => {
                    assert_truncated_profile(file, &e, &fields, cut);
                    precise += 1;
                }
            }
        }
        assert!(
            precise > bytes.len() * 7 / 8,
            "{file}: only {precise} of {} prefixes named the truncated field",
            bytes.len()
        );
    }

    let file = "otlp/python-ext-0.63b4-file/traces.binpb";
    let bytes = fixture(file);
    let fields = top_level_fields(&bytes);
    let mut as_traces = 0;
    for cut in 3..bytes.len() {
        let e = load_never_panics(&bytes[..cut]).expect("a cut trace file is an error");
        if e.format == Format::OtlpProfilesBinary {
            // A span cut inside its 16-byte trace id no longer looks like a span.
            assert_truncated_profile(file, &e, &fields, cut);
        } else {
            assert_eq!(
                (e.format, e.kind, &e.at),
                (Format::OtlpTracesBinary, ErrorKind::Malformed, &At::Input),
                "{file} cut at {cut}: {e}"
            );
            as_traces += 1;
        }
    }
    assert!(
        as_traces > bytes.len() * 9 / 10,
        "{as_traces} of {}",
        bytes.len()
    );

    // A cut collector file is not split into records, so today it is "not a format
    // Spanflame reads" rather than a truncated record: a weaker message, pinned here so that
    // an improvement shows up as a deliberate test change.
    let file = "otlp/synthetic-v1_10/profiles.fileexporter-proto.bin";
    let bytes = fixture(file);
    for cut in 1..bytes.len() {
        let e = load_never_panics(&bytes[..cut]).expect("a cut collector file is an error");
        assert_eq!(
            (e.format, e.kind, &e.at),
            (Format::Unknown, ErrorKind::Unrecognized, &At::Input),
            "{file} cut at {cut}: {e}"
        );
    }
}

#[test]
fn truncated_json_is_an_error_with_a_place() {
    for (file, format) in [
        (
            "otlp/python-ext-0.63b4-file/profiles.json",
            Format::OtlpProfilesJson,
        ),
        // Cut inside its only line, a JSON Lines file is one unfinished JSON object.
        (
            "otlp/python-ext-0.63b4-file/profiles.otlp.jsonl",
            Format::OtlpProfilesJson,
        ),
    ] {
        let text = fixture(file);
        let key = b"\"resourceProfiles\"";
        let key_end = text.windows(key.len()).position(|w| w == key).unwrap() + key.len();
        for cut in (1..text.len()).step_by(37) {
            let e = load_never_panics(&text[..cut]).expect("a truncated JSON object is an error");
            if cut < key_end {
                // Before its first key the text cannot be told apart from any JSON.
                assert_eq!(
                    (e.format, e.kind, &e.at),
                    (Format::Unknown, ErrorKind::Unrecognized, &At::Input),
                    "{file} cut at {cut}: {e}"
                );
                continue;
            }
            // The line and column where the text stops, counted from 1 (the fixture is ASCII).
            let line = 1 + text[..cut].iter().filter(|&&b| b == b'\n').count();
            let line_start = text[..cut]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            assert_eq!(
                (e.format, e.kind, &e.at),
                (format, ErrorKind::Malformed, &At::Line(line)),
                "{file} cut at {cut}: {e}"
            );
            assert!(
                e.message.contains("EOF while parsing")
                    && e.message
                        .contains(&format!("(column {})", cut - line_start)),
                "{file} cut at {cut}: {e}"
            );
        }
    }
}

#[test]
fn bit_flips_never_panic() {
    let bytes = fixture(PY_V110);
    // A fixed pseudo-random walk over positions and bits keeps the test repeatable.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut flipped = bytes.clone();
        let pos = (x as usize) % flipped.len();
        flipped[pos] ^= 1 << ((x >> 32) % 8);
        load_never_panics(&flipped);
    }
}

#[test]
fn absurd_declared_length_is_an_error_not_an_allocation() {
    // Field 1, wire type LEN, length 2^40: far past the end of the input.
    let mut bytes = vec![0x0a];
    let mut len = 1u64 << 40;
    while len >= 0x80 {
        bytes.push((len as u8) | 0x80);
        len >>= 7;
    }
    bytes.push(len as u8);
    bytes.extend_from_slice(&[0; 16]);
    let e = load(&bytes, &Limits::default()).unwrap_err();
    // Without a dictionary it is read as traces, whose decoder stops at the missing bytes.
    assert_eq!(
        (e.format, e.kind, &e.at),
        (Format::OtlpTracesBinary, ErrorKind::Malformed, &At::Input),
        "{e}"
    );
    assert!(e.message.contains("buffer underflow"), "{e}");
    // The same inside a length-prefixed record that claims 4 GiB.
    let e = load(&[0xff, 0xff, 0xff, 0xff, 0x0a, 0x00], &Limits::default()).unwrap_err();
    assert_not_a_format(&e, false, "ffffffff0a00");
}

#[test]
fn gzip_bomb_stops_at_the_limit() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..16 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 100_000);
    let limits = Limits {
        max_decompressed_bytes: 4 << 20,
        ..Limits::default()
    };
    let e = load(&bomb, &limits).unwrap_err();
    assert_eq!(
        (e.format, e.kind, &e.at),
        (Format::Gzip, ErrorKind::LimitExceeded, &At::Input),
        "{e}"
    );
    assert!(
        e.message.contains(&(4u64 << 20).to_string()),
        "names the limit: {e}"
    );
    // Corrupt gzip names the format, and how far decompression got.
    let mut bad = fixture("otlp/python-ext-0.63b4-file/profiles.v1_10.binpb.gz");
    let n = bad.len();
    bad.truncate(n / 2);
    let e = load(&bad, &Limits::default()).unwrap_err();
    let mut got = Vec::new();
    let read = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bad[..]), &mut got);
    assert!(read.is_err(), "flate2 also refuses the cut stream");
    assert_eq!(
        (e.format, e.kind, &e.at),
        (
            Format::Gzip,
            ErrorKind::Malformed,
            &At::Byte(got.len() as u64)
        ),
        "{e}"
    );
    assert!(
        e.message
            .contains(&format!("after {} decompressed bytes", got.len())),
        "{e}"
    );
}

fn python_v110() -> otlp::ProfilesData {
    otlp::ProfilesData::decode(fixture(PY_V110).as_slice()).unwrap()
}

fn load_set(data: &otlp::ProfilesData) -> spanflame_core::ProfileSet {
    match load(&data.encode_to_vec(), &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        other => panic!("{other:?}"),
    }
}

#[test]
fn out_of_range_indices_become_diagnostics() {
    let mut data = python_v110();
    {
        let profile = &mut data.resource_profiles[0].scope_profiles[0].profiles[0];
        profile.samples[1].stack_index = 9999;
        profile.samples[2].link_index = -3;
        profile.samples[3].attribute_indices.push(123_456);
    }
    {
        let dict = data.dictionary.as_mut().unwrap();
        dict.stack_table[3].location_indices.push(77_777);
        dict.location_table[0].lines[0].function_index = 55_555;
        dict.function_table[1].name_strindex = 1 << 30;
    }
    let set = load_set(&data);
    let text: Vec<String> = set.diagnostics.iter().map(ToString::to_string).collect();
    let all = text.join("\n");
    for needle in [
        "stack outside",
        "link outside",
        "attribute index",
        "location outside",
        "function outside",
        "string index",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
    }
    // Nothing was dropped: every observation still counts.
    assert_eq!(set.call_tree(&Filter::default()).total(), 187);
}

#[test]
fn values_and_timestamps_of_different_lengths_are_flagged() {
    let mut data = python_v110();
    let sample = &mut data.resource_profiles[0].scope_profiles[0].profiles[0].samples[2];
    let extra = sample.timestamps_unix_nano.len() + 2;
    sample.values = vec![5; extra];
    let set = load_set(&data);
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("different lengths")),
        "{:?}",
        set.diagnostics
    );
}

#[test]
fn table_length_limit_is_enforced() {
    let limits = Limits {
        max_table_len: 10,
        ..Limits::default()
    };
    let e = load(&fixture(PY_V110), &limits).unwrap_err();
    assert_eq!(
        (e.format, e.kind, &e.at),
        (
            Format::OtlpProfilesBinary,
            ErrorKind::LimitExceeded,
            &At::Input
        ),
        "{e}"
    );
    let strings = python_v110().dictionary.unwrap().string_table.len();
    assert!(strings > 10);
    assert!(
        e.message.contains(&format!(
            "the string table has {strings} entries, over the limit of 10"
        )),
        "{e}"
    );
    let limits = Limits {
        max_samples: 100,
        ..Limits::default()
    };
    let e = load(&fixture(PY_V19), &limits).unwrap_err();
    assert_eq!(
        (e.format, e.kind, &e.at),
        (
            Format::OtlpProfilesBinary,
            ErrorKind::LimitExceeded,
            &At::Input
        ),
        "{e}"
    );
    // 187 observations: the fixture README's count.
    assert!(
        e.to_string()
            .starts_with("OTLP profiles (protobuf): at the input: "),
        "{e}"
    );
    assert!(
        e.message
            .contains("187 sample observations, over the limit of 100"),
        "{e}"
    );
}

#[test]
fn deep_stacks_are_truncated_with_a_diagnostic() {
    let mut data = python_v110();
    let dict = data.dictionary.as_mut().unwrap();
    let deep: Vec<i32> = (0..10_000)
        .map(|i| (i % dict.location_table.len()) as i32)
        .collect();
    dict.stack_table[0].location_indices = deep;
    let limits = Limits {
        max_stack_depth: 64,
        ..Limits::default()
    };
    let Ok(Loaded::Profiles(set)) = load(&data.encode_to_vec(), &limits) else {
        panic!()
    };
    assert!(
        set.diagnostics
            .iter()
            .any(|d| d.message.contains("truncated"))
    );
    let tree = set.call_tree(&Filter::default());
    assert!(tree.max_depth() <= 64);
    assert_eq!(tree.total(), 187);
}

#[test]
fn v1_7_layout_is_refused_by_name() {
    // A v1.7 Profile has packed `location_indices` in field 3.
    let profile = [0x1a, 0x02, 0x01, 0x02];
    let scope = [&[0x12, profile.len() as u8][..], &profile].concat();
    let resource = [&[0x12, scope.len() as u8][..], &scope].concat();
    let data = [&[0x0a, resource.len() as u8][..], &resource, &[0x12, 0x00]].concat();
    let e = load(&data, &Limits::default()).unwrap_err();
    assert_eq!(
        (e.format, e.kind, &e.at),
        (
            Format::OtlpProfilesBinary,
            ErrorKind::Unsupported,
            &At::Input
        ),
        "{e}"
    );
    assert!(e.message.contains("v1.7-or-older profiles layout"), "{e}");
    assert!(
        e.message.contains("v1.8, v1.9 and v1.10/v1.11"),
        "says what is read: {e}"
    );
}

/// What a user is told for a file nothing reads: that, every format that is read (named
/// here by hand, so a format dropped from the dispatcher fails this test), and the first bytes.
fn assert_not_a_format(e: &spanflame_core::Error, json: bool, start: &str) {
    assert_eq!(
        (e.format, e.kind, &e.at),
        (Format::Unknown, ErrorKind::Unrecognized, &At::Input),
        "{e}"
    );
    let lead = if json {
        "JSON, but not a format Spanflame reads ("
    } else {
        "not a format Spanflame reads ("
    };
    assert!(e.message.starts_with(lead), "{e}");
    assert!(
        e.message
            .ends_with(&format!("); it starts with bytes {start}")),
        "{e}"
    );
    let named: &[&str] = if json {
        &[
            "OTLP profiles or traces as JSON",
            "speedscope",
            ".cpuprofile",
            "Chrome trace events",
        ]
    } else {
        &[
            "OTLP profiles as protobuf",
            "OTLP traces as protobuf",
            "length-prefixed",
            "pprof",
            "Java Flight Recorder",
            "cProfile",
            "perf script",
            "perf.data",
            "folded stacks",
            "any of them gzipped",
        ]
    };
    for name in named {
        assert!(e.message.contains(name), "names {name}: {e}");
    }
}

#[test]
fn garbage_and_empty_input() {
    let e = load(b"", &Limits::default()).unwrap_err();
    assert_eq!(
        (e.format, e.kind, &e.at, e.message.as_str()),
        (
            Format::Unknown,
            ErrorKind::Unrecognized,
            &At::Input,
            "the file is empty"
        )
    );
    for (bytes, json, start) in [
        (&b"hello world"[..], false, "68656c6c6f20776f"),
        (b"\xff\xfe\xfd", false, "fffefd"),
        (b"[1,2,3]", false, "5b312c322c335d"),
        (b"{\"foo\": 1}", true, "7b22666f6f223a20"),
        (b"    ", false, "20202020"),
    ] {
        let e = load(bytes, &Limits::default()).unwrap_err();
        assert_not_a_format(&e, json, start);
    }
}

#[test]
fn repeated_inlined_locations_cannot_blow_up() {
    // 20k references to one location with 500 inlined lines: 10M frames if expanded.
    let mut data = python_v110();
    let dict = data.dictionary.as_mut().unwrap();
    let line = dict.location_table[0].lines[0];
    dict.location_table[0].lines = vec![line; 500];
    dict.stack_table[0].location_indices = vec![0; 20_000];
    let Ok(Loaded::Profiles(set)) = load(&data.encode_to_vec(), &Limits::default()) else {
        panic!()
    };
    let tree = set.call_tree(&Filter::default());
    assert!(tree.max_depth() <= Limits::default().max_stack_depth);
    assert_eq!(tree.total(), 187);
}

/// Weights near the top of i64 (a fuzzer's JSON Lines, or a broken producer) saturate in the
/// call tree, its function table and folded output instead of overflowing.
#[test]
fn huge_weights_saturate_instead_of_overflowing() {
    let text = format!(
        "main;a {max}\nmain;b {max}\nmain;a;c {max}\n",
        max = i64::MAX
    );
    let Ok(Loaded::Profiles(set)) = load(text.as_bytes(), &Limits::default()) else {
        panic!("folded text with big values loads");
    };
    for tree in [
        set.call_tree(&Filter::default()),
        set.inverted_call_tree(&Filter::default()),
    ] {
        assert_eq!(tree.total(), i64::MAX);
        let _ = FlameLayout::new(&tree);
        assert!(tree.function_stats().iter().all(|f| f.total_weight >= 0));
    }
    assert!(set.folded(&Filter::default()).iter().all(|(_, v)| *v > 0));
}

/// A file bigger than the decompressed-size limit is refused before anything is read.
#[test]
fn files_over_the_size_limit_are_refused_up_front() {
    let limits = Limits {
        max_decompressed_bytes: 100,
        ..Limits::default()
    };
    let text = "main;a 1\n".repeat(20);
    let err = load(text.as_bytes(), &limits).expect_err("180 bytes is over a 100-byte limit");
    assert_eq!(
        (err.format, err.kind, &err.at),
        (Format::Unknown, ErrorKind::LimitExceeded, &At::Input),
        "{err}"
    );
    assert!(
        err.message
            .contains("the file is 180 bytes, over the limit of 100"),
        "{err}"
    );
    assert!(spanflame_core::formats::check_input_size(100, &limits).is_ok());
    assert!(load(&text.as_bytes()[..99], &limits).is_ok());
}
