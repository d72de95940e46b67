//! Well-formed protobuf with arbitrary indices: the normaliser must bounds-check everything.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opentelemetry_proto::tonic::profiles::v1development::ProfilesData;
use prost::Message;
use spanflame_core::builder::Builder;
use spanflame_core::formats::otlp::normalize::add_message;
use spanflame_core::{Filter, Format, Layout, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(message) = ProfilesData::decode(data) else {
        return;
    };
    let limits = Limits {
        max_samples: 1 << 20,
        ..Limits::default()
    };
    let mut b = Builder::new(Format::OtlpProfilesBinary, &limits);
    if add_message(&mut b, &message).is_ok() {
        let set = b.finish(Layout::OtlpV1_10);
        let _ = set.call_tree(&Filter::default());
    }
});
