//! Every encoding of a generated profile reads back to what the generator put in.
//!
//! The generator (`spanflame_synth`) records the weight it gives each stack and span
//! while it draws samples, and renders folded stacks from its own function names. Here each
//! generated data set is written as v1.10, v1.9 and v1.8 protobuf, gzip, the collector's
//! length-prefixed records, OTLP/JSON and JSON Lines; each is read with
//! [`spanflame_core::load`], and its folded stacks and per-span weights must equal the
//! generator's, while all encodings must agree on how many sample rows each span has.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use prost::Message;
use spanflame_core::error::Diagnostics;
use spanflame_core::formats::otlp::json;
use spanflame_core::model::NONE;
use spanflame_core::{Filter, Limits, Loaded, ProfileSet, SpanKey, TraceSet, load};
use spanflame_synth::{Size, Synth, SynthOptions, generate};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Each window as one record of the collector file exporter's `proto` format.
fn length_prefixed(s: &Synth) -> Vec<u8> {
    let mut out = Vec::new();
    for w in 0..s.window_count() {
        let record = s.window_message(w).encode_to_vec();
        out.extend_from_slice(&(record.len() as u32).to_be_bytes());
        out.extend_from_slice(&record);
    }
    out
}

fn encodings(s: &Synth) -> Vec<(&'static str, Vec<u8>)> {
    let v1_10 = s.profiles_binary();
    let json = s.profiles_json().into_bytes();
    vec![
        ("v1.10", v1_10.clone()),
        ("v1.10 gzip", gzip(&v1_10)),
        ("v1.9", s.profiles_binary_v1_9()),
        ("v1.8", s.profiles_binary_v1_8()),
        ("length-prefixed", length_prefixed(s)),
        ("JSON", json.clone()),
        ("JSON gzip", gzip(&json)),
        ("JSON Lines", s.profiles_json_lines().into_bytes()),
    ]
}

/// Total weight and number of sample rows per linked span.
type PerLink = BTreeMap<SpanKey, (i64, u64)>;

/// [`PerLink`] for one sample type.
fn per_link(set: &ProfileSet, sample_type: usize) -> PerLink {
    let mut out = PerLink::new();
    let s = &set.samples;
    for row in 0..s.len() {
        let profile = &set.profiles[set.profile_of_row(row)];
        if profile.sample_type.index() == sample_type && s.link(row) != NONE {
            let e = out.entry(set.links[s.link(row) as usize]).or_default();
            e.0 += s.value(row);
            e.1 += 1;
        }
    }
    out
}

/// Checks every encoding of `s`; returns a description of the first mismatch.
fn check(s: &Synth) -> Result<(), String> {
    let opts = s.options();
    // The JSON writer is exact: the decoder gives back the very messages.
    let mut diags = Diagnostics::default();
    let decoded =
        json::decode_profiles(s.profiles_json().as_bytes(), &Limits::default(), &mut diags)
            .map_err(|e| format!("JSON: {e}"))?;
    if decoded.messages != [s.profiles()] {
        return Err("JSON decodes to other messages than were written".into());
    }
    let lines = json::decode_profiles(
        s.profiles_json_lines().as_bytes(),
        &Limits::default(),
        &mut diags,
    )
    .map_err(|e| format!("JSON Lines: {e}"))?;
    let windows: Vec<_> = (0..s.window_count()).map(|w| s.window_message(w)).collect();
    if lines.messages != windows {
        return Err("JSON Lines decode to other messages than were written".into());
    }

    let types = s.sample_types();
    let mut reference: Option<(&str, Vec<PerLink>)> = None;
    for (name, bytes) in encodings(s) {
        let set = match load(&bytes, &Limits::default()) {
            Ok(Loaded::Profiles(set)) => set,
            Ok(Loaded::Traces(_)) => return Err(format!("{name}: read as traces")),
            Err(e) => return Err(format!("{name}: {e}")),
        };
        // A message in which no sample has attributes or a link may not tell v1.9 from
        // v1.10 on the wire; the reader notes it and must still read it right.
        let others: Vec<String> = set
            .diagnostics
            .iter()
            .filter(|d| !d.message.contains("told the v1.9 and v1.10 layouts apart"))
            .map(ToString::to_string)
            .collect();
        if !others.is_empty() {
            return Err(format!("{name}: diagnostics {others:?}"));
        }
        let got_types: Vec<(String, String)> = set
            .sample_types
            .iter()
            .map(|t| (t.name.clone(), t.unit.clone()))
            .collect();
        if got_types != types {
            return Err(format!(
                "{name}: sample types {got_types:?}, expected {types:?}"
            ));
        }
        let mut links = Vec::new();
        for t in 0..types.len() {
            let filter = Filter {
                sample_type: spanflame_core::model::SampleTypeId::from_index(t),
                ..Filter::default()
            };
            let folded = set.folded(&filter);
            let expected = s.folded_pairs(t);
            if folded != expected {
                let first = folded
                    .iter()
                    .zip(&expected)
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| format!("got {a:?}, expected {b:?}"))
                    .unwrap_or_else(|| format!("{} vs {} stacks", folded.len(), expected.len()));
                return Err(format!("{name}: folded stacks of type {t} differ: {first}"));
            }
            let total: i64 = expected.iter().map(|(_, w)| w).sum();
            if set.call_tree(&filter).total() != total {
                return Err(format!("{name}: call tree total differs for type {t}"));
            }
            let by_link = per_link(&set, t);
            let weights: BTreeMap<SpanKey, i64> =
                by_link.iter().map(|(k, &(w, _))| (*k, w)).collect();
            if weights != s.link_weights(t) {
                return Err(format!("{name}: per-span weights of type {t} differ"));
            }
            links.push(by_link);
        }
        match &reference {
            None => reference = Some((name, links)),
            Some((first, expected)) if *expected != links => {
                return Err(format!("{name}: per-span sample rows differ from {first}"));
            }
            Some(_) => {}
        }
    }

    // Traces: binary and JSON read back to the same spans, all of them.
    if opts.spans == 0 {
        return Ok(());
    }
    let read = |bytes: &[u8]| match load(bytes, &Limits::default()) {
        Ok(Loaded::Traces(t)) => Ok(t),
        other => Err(format!("traces: {other:?}")),
    };
    let binary: TraceSet = read(&s.traces_binary())?;
    let json: TraceSet = read(s.traces_json().as_bytes())?;
    if binary.spans.len() != opts.spans as usize || binary.spans != json.spans {
        return Err(format!(
            "traces: {} spans from binary, {} from JSON, {} generated",
            binary.spans.len(),
            json.spans.len(),
            opts.spans
        ));
    }
    if !binary.diagnostics.is_empty() {
        return Err(format!(
            "traces: diagnostics {:?}",
            binary.diagnostics.items()
        ));
    }
    Ok(())
}

fn options() -> impl Strategy<Value = SynthOptions> {
    (
        (any::<u64>(), 0u64..2_500, 0u64..500, 0u64..300),
        (1u32..250, 0u32..80, 1u32..130),
        (
            any::<bool>(),
            prop_oneof![Just(0.0), Just(1.0), 0.0..1.0f64],
            1u32..4,
        ),
    )
        .prop_map(
            |(
                (seed, samples, wall_samples, alloc_samples),
                (distinct_stacks, spans, max_depth),
                (timestamps, linked_fraction, windows),
            )| SynthOptions {
                seed,
                // At least one sample type.
                samples: if samples + wall_samples + alloc_samples == 0 {
                    1
                } else {
                    samples
                },
                wall_samples,
                alloc_samples,
                distinct_stacks,
                spans,
                max_depth,
                timestamps,
                linked_fraction,
                windows,
                ..SynthOptions::size(Size::S)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_encoding_reads_back_to_the_generated_profile(opts in options()) {
        let s = generate(&opts);
        if let Err(e) = check(&s) {
            prop_assert!(false, "{e}");
        }
    }
}

#[test]
fn size_s_reads_back_in_every_encoding() {
    let s = generate(&SynthOptions::size(Size::S));
    check(&s).unwrap();
    // Deep stacks, every frame type and links are present.
    let stats = s.stats();
    assert_eq!(stats.max_stack_depth, 120);
    assert!(!s.link_weights(0).is_empty());
}

#[test]
fn windows_and_no_timestamps_read_back() {
    let s = generate(&SynthOptions {
        windows: 4,
        timestamps: false,
        seed: 99,
        ..SynthOptions::size(Size::S)
    });
    check(&s).unwrap();
}
