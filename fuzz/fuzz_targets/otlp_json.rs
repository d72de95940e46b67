//! OTLP/JSON and JSON Lines, profiles and traces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::Limits;
use spanflame_core::error::Diagnostics;
use spanflame_core::formats::otlp::json;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut diags = Diagnostics::default();
    let _ = json::sniff(data);
    let _ = json::decode_profiles(data, &limits, &mut diags);
    let _ = json::decode_traces(data, &limits, &mut diags);
});
