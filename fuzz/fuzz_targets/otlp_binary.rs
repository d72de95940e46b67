//! Binary OTLP profiles: layout sniffing and decoding in each layout.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spanflame_core::error::Diagnostics;
use spanflame_core::formats::otlp::{decode_binary, sniff_layout};
use spanflame_core::{Format, Layout};

fuzz_target!(|data: &[u8]| {
    let mut diags = Diagnostics::default();
    let _ = sniff_layout(data, &mut diags);
    for layout in [Layout::OtlpV1_8, Layout::OtlpV1_9, Layout::OtlpV1_10] {
        let _ = decode_binary(data, layout, Format::OtlpProfilesBinary);
    }
});
