//! Errors and diagnostics.
//!
//! A fatal problem is an [`Error`]: it names the [`Format`] being read, where in the input
//! ([`At`]) and what is wrong. Problems the reader can step over are [`Diagnostic`]s, returned
//! beside the data so that a user sees them instead of losing samples silently.

use std::fmt;

/// Input formats the core can read (or was trying to read when it failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// OTLP profiles, protobuf (`ExportProfilesServiceRequest` or `ProfilesData`).
    OtlpProfilesBinary,
    /// OTLP profiles, the collector file exporter's `proto` format: 4-byte big-endian length + message, repeated.
    OtlpProfilesLengthPrefixed,
    /// OTLP profiles, OTLP/JSON: one object.
    OtlpProfilesJson,
    /// OTLP profiles, JSON Lines: one object per line, each with its own dictionary.
    OtlpProfilesJsonLines,
    /// OTLP traces, protobuf (`ExportTraceServiceRequest` or `TracesData`).
    OtlpTracesBinary,
    /// OTLP traces, OTLP/JSON or JSON Lines.
    OtlpTracesJson,
    /// pprof `Profile` protobuf.
    Pprof,
    /// Folded (collapsed) stacks, as flamegraph.pl and inferno read them.
    Folded,
    /// Java Flight Recorder (`.jfr`), version 2 (JDK 11 and later).
    Jfr,
    /// speedscope's JSON file format (py-spy `--format speedscope`, speedscope's export).
    Speedscope,
    /// A V8 CPU profile, `.cpuprofile` (`node --cpu-prof`, DevTools).
    ChromeCpuProfile,
    /// Chrome's Trace Event Format (JSON array or `traceEvents` object).
    ChromeTrace,
    /// `perf script` text output.
    PerfScript,
    /// Linux perf's binary `perf.data`.
    PerfData,
    /// Python `cProfile` / `profile` statistics (`.pstats`, `marshal` data).
    Pstats,
    /// A gzip wrapper around one of the above.
    Gzip,
    /// Nothing recognisable.
    Unknown,
}

impl Format {
    /// A short human name, used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::OtlpProfilesBinary => "OTLP profiles (protobuf)",
            Format::OtlpProfilesLengthPrefixed => "OTLP profiles (length-prefixed protobuf)",
            Format::OtlpProfilesJson => "OTLP profiles (JSON)",
            Format::OtlpProfilesJsonLines => "OTLP profiles (JSON Lines)",
            Format::OtlpTracesBinary => "OTLP traces (protobuf)",
            Format::OtlpTracesJson => "OTLP traces (JSON)",
            Format::Pprof => "pprof",
            Format::Folded => "folded stacks",
            Format::Jfr => "Java Flight Recorder (JFR)",
            Format::Speedscope => "speedscope JSON",
            Format::ChromeCpuProfile => "V8 CPU profile (.cpuprofile)",
            Format::ChromeTrace => "Chrome trace events (JSON)",
            Format::PerfScript => "perf script text",
            Format::PerfData => "perf.data",
            Format::Pstats => "Python cProfile/profile stats",
            Format::Gzip => "gzip",
            Format::Unknown => "unknown format",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in the input a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// Nowhere in particular (the whole input).
    Input,
    /// A byte offset into the (decompressed) input.
    Byte(u64),
    /// A JSON path such as `$.resourceProfiles[0].dictionary.stringTable[3]`, on a line of a JSON Lines file.
    Json {
        /// 1-based line for JSON Lines; `None` for a single object.
        line: Option<usize>,
        /// The path inside the object.
        path: String,
    },
    /// A 1-based line of a text format.
    Line(usize),
    /// An entry of the decoded model ([`crate::ProfileSet`] or [`crate::TraceSet`]), for a
    /// broken invariant: `column` such as `stacks.parent`, and the entry's index.
    Model {
        /// The table and column, as `table.column`.
        column: &'static str,
        /// The entry (row) index.
        index: u64,
    },
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Input => f.write_str("the input"),
            At::Byte(b) => write!(f, "byte {b}"),
            At::Json {
                line: Some(l),
                path,
            } => write!(f, "line {l}, {path}"),
            At::Json { line: None, path } => f.write_str(path),
            At::Line(l) => write!(f, "line {l}"),
            At::Model { column, index } => write!(f, "{column}[{index}]"),
        }
    }
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is not in any format we read.
    Unrecognized,
    /// The input claims to be a format but breaks its rules.
    Malformed,
    /// The input is well-formed but asks for more than a [`crate::Limits`] allows.
    LimitExceeded,
    /// A real format or version we do not read (for example OTLP profiles v1.6).
    Unsupported,
    /// The caller asked for something the data cannot give (an unknown sample type, say).
    InvalidRequest,
}

/// A fatal problem reading input: the format, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format}: at {at}: {message}")]
pub struct Error {
    /// The format being read.
    pub format: Format,
    /// Where the problem is.
    pub at: At,
    /// What class of problem it is.
    pub kind: ErrorKind,
    /// What is wrong, for a person.
    pub message: String,
}

impl Error {
    /// A malformed-input error.
    pub fn malformed(format: Format, at: At, message: impl Into<String>) -> Self {
        Error {
            format,
            at,
            kind: ErrorKind::Malformed,
            message: message.into(),
        }
    }

    /// An error for input that goes over a limit.
    pub fn limit(format: Format, at: At, message: impl Into<String>) -> Self {
        Error {
            format,
            at,
            kind: ErrorKind::LimitExceeded,
            message: message.into(),
        }
    }

    /// An error for input we do not recognise at all.
    pub fn unrecognized(message: impl Into<String>) -> Self {
        Error {
            format: Format::Unknown,
            at: At::Input,
            kind: ErrorKind::Unrecognized,
            message: message.into(),
        }
    }

    /// An error for a request the data cannot satisfy.
    pub fn invalid_request(format: Format, message: impl Into<String>) -> Self {
        Error {
            format,
            at: At::Input,
            kind: ErrorKind::InvalidRequest,
            message: message.into(),
        }
    }
}

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A recoverable oddity found while reading: the data was kept or repaired as the message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The format being read.
    pub format: Format,
    /// What was odd and what the reader did about it.
    pub message: String,
    /// How many times it happened (messages are merged by text).
    pub count: u64,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.count > 1 {
            write!(f, "{}: {} (x{})", self.format, self.message, self.count)
        } else {
            write!(f, "{}: {}", self.format, self.message)
        }
    }
}

/// Collects diagnostics, merging repeats so a million dangling indices make one line.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Record one occurrence of `message`.
    pub fn push(&mut self, format: Format, message: impl Into<String>) {
        self.push_n(format, message, 1);
    }

    /// Record `count` occurrences of `message`.
    pub fn push_n(&mut self, format: Format, message: impl Into<String>, count: u64) {
        let message = message.into();
        match self
            .items
            .iter_mut()
            .find(|d| d.format == format && d.message == message)
        {
            Some(d) => d.count += count,
            None => self.items.push(Diagnostic {
                format,
                message,
                count,
            }),
        }
    }

    /// Move all of `other` into `self`.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push_n(d.format, d.message, d.count);
        }
    }

    /// The collected diagnostics, in first-seen order.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
