//! The embedding protocol, version 1: what a host page and an embedded viewer say to each
//! other with `postMessage` (documented for host authors in `docs/embedding.md`).
//!
//! Every message, both ways, is an object `{ type: "spanflame", version: 1, kind, ... }`.
//! This module is the browser-free part: it validates what a host sent ([`parse`]), builds
//! what the viewer sends ([`ViewerMessage`], [`envelope`]), decides which origins may talk
//! to the viewer ([`OriginPolicy`]) and reads the page's query string ([`EmbedConfig`]).
//! The app's `embed` module does the listening and posting.
//!
//! A host message's file bytes (`data`) are not JSON: the app takes them out of the message
//! and passes only their [`DataKind`] here, with the rest of the message as JSON.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::parse_hex;
use crate::tree::FunctionStats;
use crate::view_hash::{Scope, query_pairs};

/// The `type` of every protocol message.
pub const MESSAGE_TYPE: &str = "spanflame";
/// The protocol version this viewer speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The versions this viewer accepts.
pub const SUPPORTED_VERSIONS: &[u32] = &[1];
/// The kinds a host may send.
pub const HOST_KINDS: &[&str] = &[
    "ping",
    "loadProfile",
    "loadTrace",
    "selectSpan",
    "setSampleType",
    "setTheme",
    "clear",
];
/// How many functions `spanSelected` lists by default.
pub const TOP_FRAMES: usize = 10;
/// The most a host may ask for in `topFrames`.
pub const MAX_TOP_FRAMES: usize = 100;

/// What the `data` field of a host message held (the app reads the bytes itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// No `data` field (or `undefined`/`null`).
    Missing,
    /// An `ArrayBuffer`, a typed array or `DataView`, or a `Blob`/`File`.
    Bytes,
    /// A string (JSON text, folded stacks, ...).
    Text,
    /// Anything else (a number, a plain object, ...).
    Other,
}

/// Which kind of file a load request expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    /// A profile.
    Profile,
    /// Traces.
    Trace,
}

/// A theme a host can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Light colours.
    Light,
    /// Dark colours.
    Dark,
    /// Follow the system (`prefers-color-scheme`).
    System,
}

impl Theme {
    /// Parse `light`, `dark` or `system`.
    pub fn parse(text: &str) -> Option<Theme> {
        match text {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "system" => Some(Theme::System),
            _ => None,
        }
    }

    /// The app's theme override: `Some(dark)` forces one, `None` follows the system.
    pub fn dark_override(self) -> Option<bool> {
        match self {
            Theme::Light => Some(false),
            Theme::Dark => Some(true),
            Theme::System => None,
        }
    }
}

/// A sample type named by index or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleTypeRef {
    /// Index into the profile's sample types.
    Index(usize),
    /// A sample type name such as `cpu` or `alloc_space`.
    Name(String),
}

/// A span a host wants the graph narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanTarget {
    /// The span id.
    pub span_id: [u8; 8],
    /// The trace id, when the host gave one (it disambiguates equal span ids).
    pub trace_id: Option<[u8; 16]>,
    /// How much around the span.
    pub scope: Scope,
}

/// A valid request from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Answer with `ready` (for hosts that missed the first one).
    Ping,
    /// Open the file in `data` (the app reads the bytes).
    Load {
        /// What the host says it is; a file of the other kind is an error.
        kind: FileKind,
        /// A name for messages and the summary.
        name: Option<String>,
    },
    /// Narrow the graph to a span's samples, or show all samples again (`None`).
    SelectSpan {
        /// The span; `None` clears the span filter.
        target: Option<SpanTarget>,
        /// How many functions to list in the reply.
        top: usize,
    },
    /// Switch the sample type.
    SetSampleType(SampleTypeRef),
    /// Switch the theme.
    SetTheme(Theme),
    /// Close the profile and the traces.
    Clear,
}

/// Why a message was refused. Sent back as an `error` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// `version` is missing or not one this viewer speaks.
    UnsupportedVersion,
    /// `kind` is not one of [`HOST_KINDS`].
    UnknownKind,
    /// A field is missing or has the wrong type or value.
    InvalidMessage,
    /// The file could not be read, or was not the kind the host said.
    LoadFailed,
    /// The request needs something not loaded (no profile, no such sample type).
    NotLoaded,
}

/// A refused message: a code for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// What went wrong.
    pub code: ErrorCode,
    /// Details.
    pub message: String,
}

impl ProtocolError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProtocolError {
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidMessage, message)
    }
}

/// What [`parse`] made of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Not a Spanflame message (another script's traffic): ignore it without a reply.
    NotOurs,
    /// A valid request.
    Request {
        /// The host's `requestId`, echoed in the reply.
        request_id: Option<Value>,
        /// What it asks for.
        request: Request,
    },
    /// A Spanflame message that is refused; reply with an `error`.
    Invalid {
        /// The host's `requestId`, if it was usable.
        request_id: Option<Value>,
        /// Why.
        error: ProtocolError,
    },
}

/// Validate a host message: `message` is the object without its `data` field, `data` says
/// what that field held.
pub fn parse(message: &Value, data: DataKind) -> Parsed {
    let Some(object) = message.as_object() else {
        return Parsed::NotOurs;
    };
    if object.get("type").and_then(Value::as_str) != Some(MESSAGE_TYPE) {
        return Parsed::NotOurs;
    }
    let request_id = match object.get("requestId") {
        None | Some(Value::Null) => None,
        Some(id @ Value::String(s)) if s.len() <= 200 => Some(id.clone()),
        Some(id @ Value::Number(_)) => Some(id.clone()),
        Some(_) => {
            return Parsed::Invalid {
                request_id: None,
                error: ProtocolError::invalid(
                    "requestId must be a number or a string of at most 200 characters",
                ),
            };
        }
    };
    match parse_request(object, data) {
        Ok(request) => Parsed::Request {
            request_id,
            request,
        },
        Err(error) => Parsed::Invalid { request_id, error },
    }
}

fn parse_request(object: &Map<String, Value>, data: DataKind) -> Result<Request, ProtocolError> {
    let version = object.get("version").and_then(Value::as_u64);
    if !version.is_some_and(|v| SUPPORTED_VERSIONS.iter().any(|&s| u64::from(s) == v)) {
        return Err(ProtocolError::new(
            ErrorCode::UnsupportedVersion,
            format!(
                "version {} is not supported; this viewer speaks version {PROTOCOL_VERSION}",
                object
                    .get("version")
                    .map_or_else(|| "(missing)".to_owned(), Value::to_string)
            ),
        ));
    }
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| ProtocolError::invalid("kind must be a string"))?;
    let text = |field: &str| -> Result<Option<String>, ProtocolError> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ProtocolError::invalid(format!("{field} must be a string"))),
        }
    };
    match kind {
        "ping" => Ok(Request::Ping),
        "clear" => Ok(Request::Clear),
        "loadProfile" | "loadTrace" => {
            match data {
                DataKind::Bytes | DataKind::Text => {}
                DataKind::Missing => {
                    return Err(ProtocolError::invalid(format!(
                        "{kind} needs data: an ArrayBuffer, a typed array, a Blob or a string"
                    )));
                }
                DataKind::Other => {
                    return Err(ProtocolError::invalid(
                        "data must be an ArrayBuffer, a typed array, a Blob or a string",
                    ));
                }
            }
            Ok(Request::Load {
                kind: if kind == "loadProfile" {
                    FileKind::Profile
                } else {
                    FileKind::Trace
                },
                name: text("name")?,
            })
        }
        "selectSpan" => {
            let top = match object.get("topFrames") {
                None | Some(Value::Null) => TOP_FRAMES,
                Some(v) => v
                    .as_u64()
                    .filter(|&n| n as usize <= MAX_TOP_FRAMES)
                    .map(|n| n as usize)
                    .ok_or_else(|| {
                        ProtocolError::invalid(format!(
                            "topFrames must be a whole number from 0 to {MAX_TOP_FRAMES}"
                        ))
                    })?,
            };
            let Some(span) = text("span")? else {
                return Ok(Request::SelectSpan { target: None, top });
            };
            let span_id = parse_hex::<8>(&span).ok_or_else(|| {
                ProtocolError::invalid("span must be a span id: 16 hexadecimal digits")
            })?;
            let trace_id = match text("trace")? {
                None => None,
                Some(t) => Some(parse_hex::<16>(&t).ok_or_else(|| {
                    ProtocolError::invalid("trace must be a trace id: 32 hexadecimal digits")
                })?),
            };
            let scope = match text("scope")? {
                None => Scope::WithChildren,
                Some(s) => Scope::parse(&s).ok_or_else(|| {
                    ProtocolError::invalid(format!(
                        "scope must be one of only, children, trace, time (not {s:?})"
                    ))
                })?,
            };
            Ok(Request::SelectSpan {
                target: Some(SpanTarget {
                    span_id,
                    trace_id,
                    scope,
                }),
                top,
            })
        }
        "setSampleType" => match object.get("sampleType") {
            Some(Value::Number(n)) => n
                .as_u64()
                .map(|i| Request::SetSampleType(SampleTypeRef::Index(i as usize)))
                .ok_or_else(|| ProtocolError::invalid("sampleType must be an index (0, 1, ...)")),
            Some(Value::String(s)) if !s.is_empty() => {
                Ok(Request::SetSampleType(SampleTypeRef::Name(s.clone())))
            }
            _ => Err(ProtocolError::invalid(
                "sampleType must be an index or a sample type name",
            )),
        },
        "setTheme" => text("theme")?
            .as_deref()
            .and_then(Theme::parse)
            .map(Request::SetTheme)
            .ok_or_else(|| ProtocolError::invalid("theme must be light, dark or system")),
        other => Err(ProtocolError::new(
            ErrorCode::UnknownKind,
            format!(
                "unknown kind {other:?}; version {PROTOCOL_VERSION} knows {}",
                HOST_KINDS.join(", ")
            ),
        )),
    }
}

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

/// An origin as browsers write `MessageEvent.origin`: `scheme://host[:port]`, lower case,
/// without a default port or a trailing slash. `None` for anything else (`*`, `null`,
/// paths, queries).
pub fn normalize_origin(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_suffix('/').unwrap_or(text);
    let (scheme, rest) = text.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.is_empty()
        || rest
            .chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '@' | '*' | ' ' | '\\'))
    {
        return None;
    }
    let rest = rest.to_ascii_lowercase();
    let (host, port) = match rest.rsplit_once(':') {
        // An IPv6 literal's colons are inside brackets.
        Some((host, port)) if !port.contains(']') => (host.to_owned(), Some(port.to_owned())),
        _ => (rest.clone(), None),
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) => {
            let n: u16 = p.parse().ok()?;
            let default = if scheme == "http" { 80 } else { 443 };
            (n != default).then_some(n)
        }
    };
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The origin of a URL (`https://host:port/path?q` → `https://host:port`), as
/// [`normalize_origin`] writes it; `None` for a URL without one (empty, `about:blank`, ...).
pub fn origin_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    normalize_origin(&format!("{scheme}://{}", &rest[..end]))
}

/// Which origins may send messages to the viewer, and to which it posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPolicy {
    allowed: Vec<String>,
}

impl OriginPolicy {
    /// The viewer's own origin, plus the `requested` ones (from `?origin=`) that the
    /// deployment's `configured` list allows (an empty list allows any). Returns the policy
    /// and the requested origins that were refused (malformed or not configured).
    pub fn new(own: &str, requested: &[String], configured: &[String]) -> (Self, Vec<String>) {
        let configured: Vec<String> = configured
            .iter()
            .filter_map(|o| normalize_origin(o))
            .collect();
        let mut allowed: Vec<String> = normalize_origin(own).into_iter().collect();
        let mut refused = Vec::new();
        for origin in requested {
            match normalize_origin(origin) {
                Some(o) if configured.is_empty() || configured.contains(&o) => {
                    if !allowed.contains(&o) {
                        allowed.push(o);
                    }
                }
                _ => refused.push(origin.clone()),
            }
        }
        (OriginPolicy { allowed }, refused)
    }

    /// Whether a message from `origin` (as `MessageEvent.origin` gives it) is accepted.
    pub fn allows(&self, origin: &str) -> bool {
        normalize_origin(origin).is_some_and(|o| self.allowed.contains(&o))
    }

    /// The allowed origins, the viewer's own first.
    pub fn origins(&self) -> &[String] {
        &self.allowed
    }
}

/// What the page's query string says about embedding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedConfig {
    /// `embed=1` (or `true`): only the graph and the waterfall, filling the frame.
    pub embed: bool,
    /// `origin=` values (repeated, or comma-separated).
    pub origins: Vec<String>,
    /// `theme=light|dark|system`.
    pub theme: Option<Theme>,
}

impl EmbedConfig {
    /// Read `?embed=1&origin=...&theme=...` (`location.search`, with or without `?`).
    pub fn from_query(query: &str) -> EmbedConfig {
        let mut config = EmbedConfig::default();
        for (key, value) in query_pairs(query.trim_start_matches('?'), true) {
            match key.as_str() {
                "embed" => config.embed = matches!(value.as_str(), "1" | "true" | "yes" | ""),
                "origin" => config.origins.extend(
                    value
                        .split([',', ' '])
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned),
                ),
                "theme" => config.theme = Theme::parse(&value),
                _ => {}
            }
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(v: Value) -> Request {
        match parse(&v, DataKind::Missing) {
            Parsed::Request { request, .. } => request,
            other => panic!("{v} was refused: {other:?}"),
        }
    }

    fn refused(v: Value, data: DataKind) -> (Option<Value>, ErrorCode, String) {
        match parse(&v, data) {
            Parsed::Invalid { request_id, error } => (request_id, error.code, error.message),
            other => panic!("{v} was accepted: {other:?}"),
        }
    }

    #[test]
    fn other_traffic_is_ignored() {
        for v in [
            json!("hello"),
            json!(42),
            json!(null),
            json!([1, 2]),
            json!({}),
            json!({ "type": "webpackOk" }),
            json!({ "type": "Spanflame", "version": 1, "kind": "ping" }),
            json!({ "perfetto": { "buffer": 1 } }),
        ] {
            assert_eq!(parse(&v, DataKind::Missing), Parsed::NotOurs, "{v}");
        }
    }

    #[test]
    fn unknown_versions_and_kinds_are_refused_with_a_reason() {
        let (id, code, message) = refused(
            json!({ "type": "spanflame", "version": 2, "kind": "ping", "requestId": 7 }),
            DataKind::Missing,
        );
        assert_eq!((id, code), (Some(json!(7)), ErrorCode::UnsupportedVersion));
        assert!(message.contains("version 2"), "{message}");
        let (_, code, _) = refused(
            json!({ "type": "spanflame", "kind": "ping" }),
            DataKind::Missing,
        );
        assert_eq!(code, ErrorCode::UnsupportedVersion);
        let (_, code, _) = refused(
            json!({ "type": "spanflame", "version": "1", "kind": "ping" }),
            DataKind::Missing,
        );
        assert_eq!(code, ErrorCode::UnsupportedVersion);
        let (_, code, message) = refused(
            json!({ "type": "spanflame", "version": 1, "kind": "explode" }),
            DataKind::Missing,
        );
        assert_eq!(code, ErrorCode::UnknownKind);
        assert!(message.contains("loadProfile"));
        let (id, code, _) = refused(
            json!({ "type": "spanflame", "version": 1, "kind": "ping", "requestId": {"a": 1} }),
            DataKind::Missing,
        );
        assert_eq!((id, code), (None, ErrorCode::InvalidMessage));
    }

    #[test]
    fn requests_parse() {
        let m = |kind: &str, extra: Value| {
            let mut v = json!({ "type": "spanflame", "version": 1, "kind": kind });
            v.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            v
        };
        assert_eq!(request(m("ping", json!({}))), Request::Ping);
        assert_eq!(request(m("clear", json!({}))), Request::Clear);
        assert_eq!(
            parse(
                &m(
                    "loadProfile",
                    json!({ "name": "p.binpb", "requestId": "a" })
                ),
                DataKind::Bytes
            ),
            Parsed::Request {
                request_id: Some(json!("a")),
                request: Request::Load {
                    kind: FileKind::Profile,
                    name: Some("p.binpb".into())
                }
            }
        );
        assert!(matches!(
            parse(&m("loadTrace", json!({})), DataKind::Text),
            Parsed::Request {
                request: Request::Load {
                    kind: FileKind::Trace,
                    name: None
                },
                ..
            }
        ));
        assert_eq!(
            refused(m("loadTrace", json!({})), DataKind::Missing).1,
            ErrorCode::InvalidMessage
        );
        assert_eq!(
            refused(m("loadProfile", json!({})), DataKind::Other).1,
            ErrorCode::InvalidMessage
        );
        assert_eq!(
            request(m(
                "selectSpan",
                json!({ "span": "D28FECE0D5B12A5C", "scope": "only" })
            )),
            Request::SelectSpan {
                target: Some(SpanTarget {
                    span_id: [0xd2, 0x8f, 0xec, 0xe0, 0xd5, 0xb1, 0x2a, 0x5c],
                    trace_id: None,
                    scope: Scope::Only
                }),
                top: TOP_FRAMES
            }
        );
        let Request::SelectSpan {
            target: Some(t),
            top,
        } = request(m(
            "selectSpan",
            json!({ "span": "adec6d49f47ac7bb", "trace": "d38ade02000000000000000000000000", "topFrames": 3 }),
        ))
        else {
            panic!()
        };
        assert_eq!((t.scope, top), (Scope::WithChildren, 3));
        assert_eq!(t.trace_id.unwrap()[0], 0xd3);
        assert_eq!(
            request(m("selectSpan", json!({ "span": null }))),
            Request::SelectSpan {
                target: None,
                top: TOP_FRAMES
            }
        );
        for bad in [
            json!({ "span": "xyz" }),
            json!({ "span": "adec6d49f47ac7bb", "scope": "everything" }),
            json!({ "span": "adec6d49f47ac7bb", "trace": "12" }),
            json!({ "span": 12 }),
            json!({ "topFrames": 1000 }),
        ] {
            assert_eq!(
                refused(m("selectSpan", bad), DataKind::Missing).1,
                ErrorCode::InvalidMessage
            );
        }
        assert_eq!(
            request(m("setSampleType", json!({ "sampleType": 2 }))),
            Request::SetSampleType(SampleTypeRef::Index(2))
        );
        assert_eq!(
            request(m("setSampleType", json!({ "sampleType": "cpu" }))),
            Request::SetSampleType(SampleTypeRef::Name("cpu".into()))
        );
        assert_eq!(
            refused(
                m("setSampleType", json!({ "sampleType": -1 })),
                DataKind::Missing
            )
            .1,
            ErrorCode::InvalidMessage
        );
        assert_eq!(
            request(m("setTheme", json!({ "theme": "dark" }))),
            Request::SetTheme(Theme::Dark)
        );
        assert_eq!(
            refused(m("setTheme", json!({ "theme": "pink" })), DataKind::Missing).1,
            ErrorCode::InvalidMessage
        );
    }

    #[test]
    fn replies_carry_the_envelope() {
        let text = envelope(&ViewerMessage::ready("0.1.0"), None);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], "spanflame");
        assert_eq!(v["version"], 1);
        assert_eq!(v["kind"], "ready");
        assert_eq!(v["supportedVersions"], json!([1]));
        assert!(v.get("requestId").is_none());
        let error = ProtocolError::new(ErrorCode::UnsupportedVersion, "no");
        let v: Value =
            serde_json::from_str(&envelope(&ViewerMessage::error(&error), Some(&json!(3))))
                .unwrap();
        assert_eq!(v["kind"], "error");
        assert_eq!(v["code"], "unsupportedVersion");
        assert_eq!(v["requestId"], 3);
        let selected = ViewerMessage::SpanSelected {
            span: None,
            scope: None,
            found: false,
            sample_type: None,
            total_weight: 187,
            top_frames: vec![],
        };
        let v: Value = serde_json::from_str(&envelope(&selected, None)).unwrap();
        assert_eq!(v["kind"], "spanSelected");
        assert_eq!(v["totalWeight"], 187);
        assert_eq!(v["span"], Value::Null);
    }

    #[test]
    fn top_frames_sort_by_self_weight() {
        let f = |name: &str, s: i64, t: i64| FunctionStats {
            name: name.into(),
            file: String::new(),
            self_weight: s,
            total_weight: t,
            calls: None,
        };
        let stats = [f("main", 0, 10), f("b", 3, 3), f("a", 3, 4), f("c", 4, 4)];
        let top = top_frames(&stats, 2);
        assert_eq!(
            top.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["c", "a"]
        );
        assert_eq!(top_frames(&stats, 10).len(), 3);
    }

    #[test]
    fn origins_are_normalised_and_checked() {
        assert_eq!(
            normalize_origin("HTTPS://Example.com:443/").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_origin("http://[::1]:3000").as_deref(),
            Some("http://[::1]:3000")
        );
        assert_eq!(
            origin_of_url("http://127.0.0.1:9000/tools/embed-host.html?x=1#y").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            origin_of_url("https://a.example").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(origin_of_url(""), None);
        assert_eq!(origin_of_url("about:blank"), None);
        for bad in [
            "*",
            "null",
            "",
            "example.com",
            "https://a.com/path",
            "https://a.com?x",
            "ftp://a.com",
            "https://user@a.com",
            "https://a.com:99999",
            "https://",
        ] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }

        let own = "http://127.0.0.1:8080";
        let (policy, refused) = OriginPolicy::new(own, &[], &[]);
        assert!(policy.allows(own));
        assert!(!policy.allows("http://127.0.0.1:9090"));
        assert!(refused.is_empty());

        let requested = vec!["http://127.0.0.1:9090/".to_owned(), "*".to_owned()];
        let (policy, refused) = OriginPolicy::new(own, &requested, &[]);
        assert!(policy.allows("http://127.0.0.1:9090"));
        assert!(!policy.allows("*"));
        assert!(!policy.allows("null"));
        assert_eq!(refused, ["*"]);
        assert_eq!(policy.origins(), [own, "http://127.0.0.1:9090"]);

        let configured = vec!["https://grafana.example".to_owned()];
        let (policy, refused) = OriginPolicy::new(own, &requested, &configured);
        assert!(!policy.allows("http://127.0.0.1:9090"));
        assert_eq!(refused.len(), 2);
        let (policy, _) =
            OriginPolicy::new(own, &["https://grafana.example".to_owned()], &configured);
        assert!(policy.allows("https://grafana.example"));
    }

    #[test]
    fn the_query_configures_embedding() {
        let c = EmbedConfig::from_query(
            "?embed=1&origin=http%3A%2F%2F127.0.0.1%3A9000&origin=https://a.example,https://b.example&theme=dark",
        );
        assert!(c.embed);
        assert_eq!(
            c.origins,
            [
                "http://127.0.0.1:9000",
                "https://a.example",
                "https://b.example"
            ]
        );
        assert_eq!(c.theme, Some(Theme::Dark));
        assert_eq!(EmbedConfig::from_query(""), EmbedConfig::default());
        assert!(!EmbedConfig::from_query("?embed=0").embed);
        assert_eq!(EmbedConfig::from_query("?theme=blue").theme, None);
    }
}
