//! V8 .cpuprofile and Chrome trace events: sniffing and both importers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::Limits;
use spanflame_core::formats::{chrome, jsonx};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_samples: 100_000,
        max_table_len: 100_000,
        ..Limits::default()
    };
    let _ = jsonx::sniff(data);
    let _ = chrome::sniff_trace(data);
    let _ = chrome::parse_cpuprofile(data, &limits);
    let _ = chrome::trace::parse(data, &limits);
});
