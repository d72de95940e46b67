//! Any bytes through the `perf script` sniffer and reader, then a tree per event.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::formats::{Options, perf_script};
use spanflame_core::{Filter, Loaded};

fuzz_target!(|data: &[u8]| {
    let _ = perf_script::sniff(data);
    if let Ok(Loaded::Profiles(set)) = perf_script::parse(data, &Options::default()) {
        set.validate().expect("perf script sets are valid");
        for i in 0..set.sample_types.len() {
            let f = Filter {
                sample_type: spanflame_core::model::SampleTypeId::from_index(i),
                ..Filter::default()
            };
            let _ = set.call_tree(&f).function_stats();
        }
    }
});
