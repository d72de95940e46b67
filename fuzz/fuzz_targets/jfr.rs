//! Any bytes behind a JFR magic straight into the JFR reader, then a tree per sample type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::formats::jfr;
use spanflame_core::{Filter, Limits};

fuzz_target!(|data: &[u8]| {
    // Most inputs would fail the magic check; give every one a chunk to get into.
    let mut bytes = b"FLR\0".to_vec();
    bytes.extend_from_slice(data);
    let limits = Limits {
        max_decompressed_bytes: 16 << 20,
        ..Limits::default()
    };
    if let Ok(set) = jfr::load(&bytes, &limits) {
        for i in 0..set.sample_types.len() {
            let f = Filter {
                sample_type: spanflame_core::model::SampleTypeId::from_index(i),
                ..Filter::default()
            };
            let _ = set.call_tree(&f).function_stats();
        }
    }
});
