//! Format detection and the single entry point, [`load`].
//!
//! Detection is by content, never by file name: gzip by its magic bytes, JSON by its first
//! character and top-level keys, length-prefixed protobuf by records that tile the input
//! exactly, and binary OTLP by the shape of its top-level fields.

pub mod folded;
pub mod otlp;
pub mod pprof;
pub mod pstats;
pub mod wire;

use std::io::Read;

use prost::Message;

use crate::builder::Builder;
use crate::error::{At, Diagnostics, Error, Format, Result};
use crate::limits::Limits;
use crate::model::{Layout, ProfileSet};
use crate::trace::TraceSet;
use otlp::json::{self, JsonKind};
use otlp::{BinaryKind, trace_proto::TracesData};

/// What a file held.
#[derive(Debug, Clone)]
// Boxing would only move one allocation around: a Loaded is made once per file.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    /// Profiles.
    Profiles(ProfileSet),
    /// Traces.
    Traces(TraceSet),
}

/// Whether a file of `len` bytes may be read at all: no more than
/// [`Limits::max_decompressed_bytes`]. A caller that must copy the bytes before [`load`]
/// (the browser app's decode worker) asks first, so that a huge file is refused without
/// the copy.
pub fn check_input_size(len: u64, limits: &Limits) -> Result<()> {
    let max = limits.max_decompressed_bytes;
    if len > max {
        return Err(Error::limit(
            Format::Unknown,
            At::Input,
            format!("the file is {len} bytes, over the limit of {max}"),
        ));
    }
    Ok(())
}

/// Read a profile or trace file in any supported format and encoding.
pub fn load(bytes: &[u8], limits: &Limits) -> Result<Loaded> {
    check_input_size(bytes.len() as u64, limits)?;
    let plain = gunzip_all(bytes, limits)?;
    let gzipped = matches!(plain, std::borrow::Cow::Owned(_));
    let mut loaded = load_plain(plain.as_ref(), limits)?;
    match &mut loaded {
        Loaded::Profiles(set) => set.gzipped = gzipped,
        Loaded::Traces(set) => set.gzipped = gzipped,
    }
    Ok(loaded)
}

fn load_plain(bytes: &[u8], limits: &Limits) -> Result<Loaded> {
    if bytes.is_empty() {
        return Err(Error::unrecognized("the file is empty"));
    }
    // Before JSON: a marshalled dict starts with `{` too, but never `{` and a tuple.
    if pstats::sniff(bytes) {
        return Ok(Loaded::Profiles(pstats::load(bytes, limits)?));
    }
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first == Some(b'{') {
        return load_json(bytes, limits);
    }
    if bytes[0] == 0
        && let Some(records) = otlp::split_length_prefixed(bytes)
        && records
            .iter()
            .all(|(_, r)| otlp::sniff_binary(r) == Some(BinaryKind::Profiles))
    {
        let mut b = Builder::new(Format::OtlpProfilesLengthPrefixed, limits);
        let mut layout = Layout::OtlpV1_10;
        for (offset, record) in records {
            layout = otlp::add_binary(&mut b, record).map_err(|e| at_record(e, offset))?;
        }
        return Ok(Loaded::Profiles(b.finish(layout)));
    }
    match otlp::sniff_binary(bytes) {
        Some(BinaryKind::Profiles) => {
            let mut b = Builder::new(Format::OtlpProfilesBinary, limits);
            let layout = otlp::add_binary(&mut b, bytes)?;
            Ok(Loaded::Profiles(b.finish(layout)))
        }
        Some(BinaryKind::Traces) => {
            let data = TracesData::decode(bytes).map_err(|e| {
                Error::malformed(
                    Format::OtlpTracesBinary,
                    At::Input,
                    format!("not a valid traces message: {e}"),
                )
            })?;
            check_span_count(
                Format::OtlpTracesBinary,
                std::slice::from_ref(&data),
                limits,
            )?;
            Ok(Loaded::Traces(TraceSet::from_messages(
                Format::OtlpTracesBinary,
                &[data],
            )))
        }
        // pprof always has a string table (field 6), which no OTLP message has at its top.
        None if pprof::sniff(bytes) => Ok(Loaded::Profiles(pprof::load(bytes, limits)?)),
        None if folded::sniff(bytes) => Ok(Loaded::Profiles(folded::load(bytes, limits)?)),
        None => Err(Error::unrecognized(format!(
            "not a format Spanflame reads (OTLP profiles or traces as protobuf, JSON or JSON Lines, pprof, any of them gzipped); it starts with bytes {}",
            crate::model::hex(&bytes[..bytes.len().min(8)])
        ))),
    }
}

/// Place an error from inside a length-prefixed record in the whole file.
fn at_record(mut e: Error, offset: usize) -> Error {
    e.at = match e.at {
        At::Byte(inner) => At::Byte(inner + offset as u64),
        At::Input => At::Byte(offset as u64),
        other => other,
    };
    e.message = format!("in the record at byte {offset}: {}", e.message);
    e
}

fn load_json(bytes: &[u8], limits: &Limits) -> Result<Loaded> {
    match json::sniff(bytes) {
        Some(JsonKind::Profiles) => {
            let mut diags = Diagnostics::default();
            let decoded = json::decode_profiles(bytes, limits, &mut diags)?;
            let format = if decoded.lines {
                Format::OtlpProfilesJsonLines
            } else {
                Format::OtlpProfilesJson
            };
            let mut b = Builder::new(format, limits);
            b.diags.extend(diags);
            for data in &decoded.messages {
                otlp::normalize::add_message(&mut b, data)?;
            }
            Ok(Loaded::Profiles(b.finish(Layout::OtlpJson)))
        }
        Some(JsonKind::Traces) => {
            let mut diags = Diagnostics::default();
            let decoded = json::decode_traces(bytes, limits, &mut diags)?;
            check_span_count(Format::OtlpTracesJson, &decoded.messages, limits)?;
            let mut set = TraceSet::from_messages(Format::OtlpTracesJson, &decoded.messages);
            diags.extend(std::mem::take(&mut set.diagnostics));
            set.diagnostics = diags;
            Ok(Loaded::Traces(set))
        }
        None => Err(Error::unrecognized(
            "JSON, but neither OTLP profiles (resourceProfiles) nor OTLP traces (resourceSpans)",
        )),
    }
}

fn check_span_count(format: Format, messages: &[TracesData], limits: &Limits) -> Result<()> {
    let spans: usize = messages
        .iter()
        .flat_map(|m| &m.resource_spans)
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
    if spans as u64 > limits.max_table_len {
        return Err(Error::limit(
            format,
            At::Input,
            format!("{spans} spans, over the limit of {}", limits.max_table_len),
        ));
    }
    Ok(())
}

/// Undo gzip (possibly nested twice, as some pipelines do), never producing more than
/// `limits.max_decompressed_bytes`.
pub fn gunzip_all<'a>(bytes: &'a [u8], limits: &Limits) -> Result<std::borrow::Cow<'a, [u8]>> {
    let mut data = std::borrow::Cow::Borrowed(bytes);
    for _ in 0..3 {
        if !data.starts_with(&[0x1f, 0x8b]) {
            break;
        }
        data = std::borrow::Cow::Owned(gunzip(&data, limits)?);
    }
    Ok(data)
}

fn gunzip(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let cap = limits.max_decompressed_bytes;
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(cap as usize));
    let mut reader = flate2::read::MultiGzDecoder::new(bytes).take(cap.saturating_add(1));
    reader.read_to_end(&mut out).map_err(|e| {
        Error::malformed(
            Format::Gzip,
            At::Byte(out.len() as u64),
            format!("bad gzip data after {} decompressed bytes: {e}", out.len()),
        )
    })?;
    if out.len() as u64 > cap {
        return Err(Error::limit(
            Format::Gzip,
            At::Input,
            format!("decompresses to more than {cap} bytes, the limit"),
        ));
    }
    Ok(out)
}
