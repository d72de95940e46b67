//! Any bytes straight into the pstats importer (marshal reader and call-graph walk), then
//! a tree and its function stats. Small limits keep the path walk quick per input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::formats::{Loaded, Options, pstats};
use spanflame_core::{Filter, Limits};

fuzz_target!(|data: &[u8]| {
    let options = Options::new(Limits {
        max_table_len: 100_000,
        max_stack_depth: 256,
        ..Limits::default()
    });
    if let Ok(Loaded::Profiles(set)) = pstats::parse(data, &options) {
        set.validate().expect("the importer's set holds the model's invariants");
        let tree = set.call_tree(&Filter::default());
        let _ = tree.function_stats();
    }
});
