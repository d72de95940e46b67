//! speedscope JSON: sniffing and the importer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::Limits;
use spanflame_core::formats::speedscope;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_samples: 100_000,
        max_table_len: 100_000,
        ..Limits::default()
    };
    let _ = speedscope::sniff(data);
    let _ = speedscope::parse(data, &limits);
});
