//! Any bytes through format detection, gzip and every decoder, then a tree and a layout.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::{Filter, FlameLayout, Limits, Loaded, load};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decompressed_bytes: 16 << 20,
        ..Limits::default()
    };
    if let Ok(Loaded::Profiles(set)) = load(data, &limits) {
        for i in 0..set.sample_types.len() {
            let f = Filter {
                sample_type: spanflame_core::model::SampleTypeId::from_index(i),
                ..Filter::default()
            };
            let tree = set.call_tree(&f);
            let _ = FlameLayout::new(&tree);
            let _ = set.folded(&f);
        }
    }
});
