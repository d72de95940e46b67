//! The page decodes files in a Web Worker and receives them packed (`transfer`): what arrives
//! must be the file as decoded, and a damaged message must be an error, never a panic.

mod common;

use common::{fixture, profiles, traces};
use spanflame_core::transfer::{Column, Packed, pack, unpack};
use spanflame_core::{Filter, Limits, Loaded, ProfileSet, TraceSet, load};

const PROFILE_FIXTURES: &[&str] = &[
    "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb",
    "otlp/python-ext-0.63b4-file/profiles.v1_10.binpb.gz",
    "otlp/python-ext-0.63b4-file/profiles.otlp.jsonl",
    "otlp/synthetic-v1_10/profiles.binpb",
    "otlp/synthetic-v1_10/profiles.json",
    "pprof-span-labels/profile.pprof",
    "pprof-span-labels/profile.folded",
];

fn round_trip(loaded: Loaded) -> Loaded {
    unpack(pack(loaded)).expect("a packed file unpacks")
}

fn assert_same_profiles(a: &ProfileSet, b: &ProfileSet, name: &str) {
    assert_eq!(a.format, b.format, "{name}");
    assert_eq!(a.layout, b.layout, "{name}");
    assert_eq!(a.gzipped, b.gzipped, "{name}");
    assert_eq!(a.strings, b.strings, "{name}");
    assert_eq!(a.functions, b.functions, "{name}");
    assert_eq!(a.frames, b.frames, "{name}");
    assert_eq!(a.stacks, b.stacks, "{name}");
    assert_eq!(a.links, b.links, "{name}");
    assert_eq!(a.attr_sets, b.attr_sets, "{name}");
    assert_eq!(a.resources, b.resources, "{name}");
    assert_eq!(a.sample_types, b.sample_types, "{name}");
    assert_eq!(a.profiles, b.profiles, "{name}");
    assert_eq!(a.samples, b.samples, "{name}");
    assert_eq!(a.diagnostics, b.diagnostics, "{name}");
}

#[test]
fn profiles_arrive_as_decoded() {
    for name in PROFILE_FIXTURES {
        let set = profiles(name);
        let Loaded::Profiles(back) = round_trip(Loaded::Profiles(set.clone())) else {
            panic!("{name}: came back as traces");
        };
        assert_same_profiles(&set, &back, name);
        // What a user sees is the same too: the call tree over every sample type.
        for t in 0..set.sample_types.len() {
            let filter = Filter {
                sample_type: spanflame_core::model::SampleTypeId::from_index(t),
                ..Filter::default()
            };
            assert_eq!(set.folded(&filter), back.folded(&filter), "{name} type {t}");
        }
    }
}

#[test]
fn the_fixture_keeps_its_span_links_and_counts() {
    let set = profiles("otlp/python-ext-0.63b4-file/profiles.v1_10.binpb");
    let Loaded::Profiles(back) = round_trip(Loaded::Profiles(set)) else {
        panic!("came back as traces");
    };
    // The producer's numbers (fixture README): 187 samples, 13 linked spans.
    assert_eq!(back.call_tree(&Filter::default()).total(), 187);
    assert_eq!(back.links.len(), 13);
}

fn assert_same_traces(a: &TraceSet, b: &TraceSet, name: &str) {
    assert_eq!(a.format, b.format, "{name}");
    assert_eq!(a.gzipped, b.gzipped, "{name}");
    assert_eq!(a.spans, b.spans, "{name}");
    assert_eq!(a.children, b.children, "{name}");
    assert_eq!(a.roots, b.roots, "{name}");
    assert_eq!(a.diagnostics.items(), b.diagnostics.items(), "{name}");
    for s in &a.spans {
        assert_eq!(a.find(&s.key), b.find(&s.key), "{name}");
        assert_eq!(
            a.find_span_id(&s.key.span_id),
            b.find_span_id(&s.key.span_id),
            "{name}"
        );
    }
}

#[test]
fn traces_arrive_as_decoded() {
    for name in [
        "otlp/python-ext-0.63b4-file/traces.json",
        "otlp/python-ext-0.63b4-file/traces.binpb",
        "otlp/synthetic-v1_10/traces.json",
        "pprof-span-labels/traces.json",
    ] {
        let set = traces(name);
        let Loaded::Traces(back) = round_trip(Loaded::Traces(set.clone())) else {
            panic!("{name}: came back as profiles");
        };
        assert_same_traces(&set, &back, name);
    }
}

fn packed_fixture() -> Packed {
    let loaded = load(
        &fixture("otlp/synthetic-v1_10/profiles.binpb"),
        &Limits::default(),
    )
    .unwrap();
    pack(loaded)
}

#[test]
fn a_cut_blob_is_an_error() {
    let packed = packed_fixture();
    for cut in 0..packed.meta.len() {
        let damaged = Packed {
            meta: packed.meta[..cut].to_vec(),
            columns: packed.columns.clone(),
        };
        let err = unpack(damaged).expect_err("a cut blob must not unpack");
        assert!(err.to_string().contains("damaged"), "cut at {cut}: {err}");
    }
    let mut longer = packed.clone();
    longer.meta.push(0);
    assert!(unpack(longer).is_err());
}

#[test]
fn flipped_bytes_never_panic() {
    let packed = packed_fixture();
    for at in 0..packed.meta.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut damaged = packed.clone();
            damaged.meta[at] ^= flip;
            // Either an error or a set whose ids all point inside its tables.
            if let Ok(Loaded::Profiles(set)) = unpack(damaged) {
                let _ = set.call_tree(&Filter::default());
            }
        }
    }
}

#[test]
fn ids_past_their_tables_are_errors() {
    let packed = packed_fixture();
    // Column order: function name, file; frame function, line, kind; stack parent, frame;
    // sample stack, value, time (low bits), link, attribute set; function build id, frame
    // type; time (high bits).
    for column in [0, 1, 2, 5, 6, 7, 10, 11, 12, 13] {
        let mut damaged = packed.clone();
        let Column::U32(ids) = &mut damaged.columns[column] else {
            panic!("column {column} is not u32");
        };
        // The fixture has links and sample attributes, so every id column is there to damage.
        assert!(!ids.is_empty(), "column {column} is empty");
        let last = ids.len() - 1;
        ids[last] = u32::MAX - 1;
        let err = unpack(damaged).expect_err("a dangling id must not unpack");
        assert!(
            err.to_string().contains("damaged"),
            "column {column}: {err}"
        );
    }
    // A stack whose parent comes after it breaks the one-pass tree build.
    let mut damaged = packed.clone();
    if let Column::U32(parents) = &mut damaged.columns[5] {
        parents[0] = 1;
    }
    assert!(unpack(damaged).is_err());
    // Columns of one table must agree in length, and come in the right types and number.
    // The fixture's times are packed 48-bit offsets: a low or a high part short of a row.
    let mut damaged = packed.clone();
    let Column::U32(low) = &mut damaged.columns[9] else {
        panic!("the fixture's times are not packed");
    };
    low.pop();
    assert!(unpack(damaged).is_err());
    let mut damaged = packed.clone();
    let Column::U16(high) = &mut damaged.columns[14] else {
        panic!("column 14 is not the times' high bytes");
    };
    high.pop();
    assert!(unpack(damaged).is_err());
    let mut damaged = packed.clone();
    damaged.columns.swap(8, 9);
    assert!(unpack(damaged).is_err());
    let mut damaged = packed;
    damaged.columns.pop();
    assert!(unpack(damaged).is_err());
}

#[test]
fn a_folded_file_travels_without_time_link_or_attribute_columns() {
    // Folded stacks carry no timestamps, links or sample attributes, and counts fit 32 bits:
    // those columns are absent, not a row of zeros each (BENCHMARKS.md, "Leaner sample rows").
    let set = profiles("pprof-span-labels/profile.folded");
    assert!(set.samples.times().is_none() && set.samples.links().is_none());
    let packed = pack(Loaded::Profiles(set.clone()));
    let (value, time, link, attrs) = (
        &packed.columns[8],
        &packed.columns[9],
        &packed.columns[10],
        &packed.columns[11],
    );
    assert!(matches!(value, Column::I32(v) if v.len() == set.samples.len()));
    assert!(time.is_empty() && link.is_empty() && attrs.is_empty());
    let Loaded::Profiles(back) = unpack(packed).unwrap() else {
        panic!("came back as traces");
    };
    assert_eq!(
        back.folded(&Filter::default()),
        set.folded(&Filter::default())
    );
}
