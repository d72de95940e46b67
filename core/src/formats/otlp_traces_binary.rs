//! OTLP traces as one protobuf message (`ExportTraceServiceRequest` or `TracesData`).

use prost::Message;

use super::otlp::{self, BinaryKind, trace_proto::TracesData};
use super::{Detect, Loaded, Options};
use crate::error::{At, Error, Format, Result};

/// Yes when the top level has only field 1 (and no dictionary), and its first span, if
/// any, starts with a 16-byte trace id ([`otlp::sniff_binary`]).
pub fn sniff(bytes: &[u8]) -> Detect {
    match otlp::sniff_binary(bytes) {
        _ if bytes.is_empty() => Detect::NeedMore,
        Some(BinaryKind::Traces) => Detect::Yes,
        _ => Detect::No,
    }
}

/// Read one binary traces message.
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    let format = Format::OtlpTracesBinary;
    let data = TracesData::decode(bytes).map_err(|e| {
        Error::malformed(
            format,
            At::Input,
            format!("not a valid traces message: {e}"),
        )
    })?;
    otlp::check_span_count(format, std::slice::from_ref(&data), &options.limits)?;
    Ok(Loaded::Traces(super::otlp::traces::trace_set(
        format,
        &[data],
    )))
}
