//! Viewer to host: the messages the viewer sends, and their [`envelope`].

use serde::Serialize;
use serde_json::Value;

use super::{
    ErrorCode, FileKind, HOST_KINDS, MESSAGE_TYPE, PROTOCOL_VERSION, ProtocolError,
    SUPPORTED_VERSIONS,
};
use crate::tree::FunctionStats;

/// A sample type: name and unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleTypeInfo {
    /// Index into the profile's sample types.
    pub index: usize,
    /// Name, e.g. `cpu`.
    pub name: String,
    /// Unit, e.g. `nanoseconds`.
    pub unit: String,
}

/// The profile part of `loaded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    /// File name or URL.
    pub name: String,
    /// The format read.
    pub format: String,
    /// The OTLP wire layout (`v1.10/v1.11`, ...) or `-`.
    pub layout: String,
    /// Whether the file was gzipped.
    pub gzipped: bool,
    /// The sample types in the file.
    pub sample_types: Vec<SampleTypeInfo>,
    /// The one shown.
    pub sample_type: usize,
    /// Profiles in the file.
    pub profiles: usize,
    /// Observations (sample rows) of all profiles.
    pub samples: usize,
    /// Observations linked to a span.
    pub linked_samples: usize,
    /// Distinct spans the samples link to.
    pub linked_spans: usize,
    /// The total weight the graph shows (current sample type and filters).
    pub total_weight: i64,
    /// Its unit.
    pub unit: String,
}

/// The trace part of `loaded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceSummary {
    /// File name or URL.
    pub name: String,
    /// The format read.
    pub format: String,
    /// Spans.
    pub spans: usize,
    /// Distinct traces.
    pub traces: usize,
}

/// A span as the viewer reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpanInfo {
    /// Span id, hex.
    pub span_id: String,
    /// Trace id, hex.
    pub trace_id: String,
    /// Span name (`None` when no trace file names it).
    pub name: Option<String>,
    /// `service.name` of its resource.
    pub service: Option<String>,
    /// Start, UTC ns, as a decimal string (beyond JavaScript's exact integers).
    pub start_unix_nano: Option<String>,
    /// End, UTC ns, as a decimal string.
    pub end_unix_nano: Option<String>,
}

/// A function's weight in the filtered graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameWeight {
    /// Function name.
    pub name: String,
    /// Source file.
    pub file: String,
    /// Weight where it is the leaf.
    pub self_weight: i64,
    /// Weight where it is on the stack.
    pub total_weight: i64,
}

/// The `limit` heaviest functions by self weight (ties: by name), leaving out those with no
/// self weight.
pub fn top_frames(stats: &[FunctionStats], limit: usize) -> Vec<FrameWeight> {
    let mut top: Vec<&FunctionStats> = stats.iter().filter(|s| s.self_weight > 0).collect();
    top.sort_by(|a, b| {
        b.self_weight
            .cmp(&a.self_weight)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.file.cmp(&b.file))
    });
    top.into_iter()
        .take(limit)
        .map(|s| FrameWeight {
            name: s.name.clone(),
            file: s.file.clone(),
            self_weight: s.self_weight,
            total_weight: s.total_weight,
        })
        .collect()
}

/// What the viewer sends. Serialised with `kind` beside the envelope's fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ViewerMessage {
    /// The viewer listens. Sent once to the parent frame, and in reply to `ping`.
    #[serde(rename_all = "camelCase")]
    Ready {
        /// The versions accepted.
        supported_versions: Vec<u32>,
        /// The kinds accepted.
        accepts: Vec<&'static str>,
        /// Spanflame's version.
        app_version: String,
    },
    /// A file was opened.
    #[serde(rename_all = "camelCase")]
    Loaded {
        /// Which one was just opened.
        file: FileKind,
        /// The profile shown, if any.
        profile: Option<ProfileSummary>,
        /// The traces loaded, if any.
        trace: Option<TraceSummary>,
    },
    /// The span filter changed (or a `selectSpan` was answered).
    #[serde(rename_all = "camelCase")]
    SpanSelected {
        /// The span; `None` when the filter was cleared.
        span: Option<SpanInfo>,
        /// `only`, `children`, `trace`, `time`; `None` with no span.
        scope: Option<&'static str>,
        /// Whether the span is in the loaded data (a trace file or the profile's links).
        found: bool,
        /// The sample type the totals are in.
        sample_type: Option<SampleTypeInfo>,
        /// The filtered graph's total weight.
        total_weight: i64,
        /// The heaviest functions by self weight in the filtered graph.
        top_frames: Vec<FrameWeight>,
    },
    /// The user selected a function in the graph (`name` is `None` when unselected).
    #[serde(rename_all = "camelCase")]
    FrameSelected {
        /// Function name.
        name: Option<String>,
        /// Its source file.
        file: Option<String>,
        /// Its self weight in the graph shown.
        self_weight: i64,
        /// Its total weight in the graph shown.
        total_weight: i64,
        /// The unit of both.
        unit: Option<String>,
    },
    /// A request was refused or failed.
    #[serde(rename_all = "camelCase")]
    Error {
        /// What went wrong.
        code: ErrorCode,
        /// Details.
        message: String,
        /// The versions accepted (so a host can tell a version mismatch).
        supported_versions: Vec<u32>,
    },
}

impl ViewerMessage {
    /// The `ready` message.
    pub fn ready(app_version: &str) -> Self {
        ViewerMessage::Ready {
            supported_versions: SUPPORTED_VERSIONS.to_vec(),
            accepts: HOST_KINDS.to_vec(),
            app_version: app_version.to_owned(),
        }
    }

    /// An `error` message.
    pub fn error(error: &ProtocolError) -> Self {
        ViewerMessage::Error {
            code: error.code,
            message: error.message.clone(),
            supported_versions: SUPPORTED_VERSIONS.to_vec(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    #[serde(rename = "type")]
    ty: &'static str,
    version: u32,
    #[serde(flatten)]
    message: &'a ViewerMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a Value>,
}

/// The message as JSON text, in its envelope, with the host's `requestId` when it answers one.
pub fn envelope(message: &ViewerMessage, request_id: Option<&Value>) -> String {
    serde_json::to_string(&Envelope {
        ty: MESSAGE_TYPE,
        version: PROTOCOL_VERSION,
        message,
        request_id,
    })
    .unwrap_or_else(|e| {
        format!(r#"{{"type":"spanflame","version":1,"kind":"error","code":"invalidMessage","message":"could not encode a reply: {e}"}}"#)
    })
}
