//! Host to viewer: the requests a host may send, validated by [`parse`].

use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    HOST_KINDS, MAX_TOP_FRAMES, MESSAGE_TYPE, PROTOCOL_VERSION, SUPPORTED_VERSIONS, TOP_FRAMES,
};
use crate::model::parse_hex;
use crate::scope::Scope;

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
