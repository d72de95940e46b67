//! OTLP trace messages, declared by hand from the field numbers of
//! `opentelemetry/proto/trace/v1/trace.proto` (only the fields a viewer reads).
//!
//! We declare these rather than enable `opentelemetry-proto`'s `trace` feature because that
//! feature pulls `opentelemetry_sdk`'s random-number stack into the wasm build.

use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;

/// `TracesData` and `ExportTraceServiceRequest` share this wire shape.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TracesData {
    /// Field 1.
    #[prost(message, repeated, tag = "1")]
    pub resource_spans: Vec<ResourceSpans>,
}

/// Spans from one resource.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceSpans {
    /// Field 1.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// Field 2.
    #[prost(message, repeated, tag = "2")]
    pub scope_spans: Vec<ScopeSpans>,
    /// Field 3.
    #[prost(string, tag = "3")]
    pub schema_url: String,
}

/// Spans from one instrumentation scope.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ScopeSpans {
    /// Field 1.
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    /// Field 2.
    #[prost(message, repeated, tag = "2")]
    pub spans: Vec<Span>,
    /// Field 3.
    #[prost(string, tag = "3")]
    pub schema_url: String,
}

/// One span.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Span {
    /// 16 bytes.
    #[prost(bytes = "vec", tag = "1")]
    pub trace_id: Vec<u8>,
    /// 8 bytes.
    #[prost(bytes = "vec", tag = "2")]
    pub span_id: Vec<u8>,
    /// W3C trace state.
    #[prost(string, tag = "3")]
    pub trace_state: String,
    /// 8 bytes, or empty for a root span.
    #[prost(bytes = "vec", tag = "4")]
    pub parent_span_id: Vec<u8>,
    /// Span name.
    #[prost(string, tag = "5")]
    pub name: String,
    /// SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
    #[prost(int32, tag = "6")]
    pub kind: i32,
    /// Start, UTC nanoseconds.
    #[prost(fixed64, tag = "7")]
    pub start_time_unix_nano: u64,
    /// End, UTC nanoseconds.
    #[prost(fixed64, tag = "8")]
    pub end_time_unix_nano: u64,
    /// Span attributes.
    #[prost(message, repeated, tag = "9")]
    pub attributes: Vec<KeyValue>,
    /// Status.
    #[prost(message, optional, tag = "15")]
    pub status: Option<Status>,
    /// W3C trace flags.
    #[prost(fixed32, tag = "16")]
    pub flags: u32,
}

/// Span status.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Status {
    /// Developer-facing message.
    #[prost(string, tag = "2")]
    pub message: String,
    /// 0 unset, 1 ok, 2 error.
    #[prost(int32, tag = "3")]
    pub code: i32,
}
