//! OTLP profiles as the collector file exporter's `proto` format: a 4-byte big-endian
//! length, then a binary profiles message of that many bytes, repeated.

use super::otlp::{self, BinaryKind};
use super::{Detect, Loaded, Options};
use crate::builder::Builder;
use crate::error::{At, Error, Format, Result};
use crate::model::Layout;

/// Yes when the records tile the input exactly and every one is a profiles message. The
/// first byte must be 0 (a record under 16 MiB), which no plain protobuf starts with.
/// NeedMore when only the last record runs past the end and every whole one is profiles.
pub fn sniff(bytes: &[u8]) -> Detect {
    match bytes.first() {
        None => return Detect::NeedMore,
        Some(0) => {}
        Some(_) => return Detect::No,
    }
    let (mut pos, mut cut) = (0usize, false);
    while pos < bytes.len() {
        let Some(header) = bytes.get(pos..pos + 4) else {
            cut = true;
            break;
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let start = pos + 4;
        let Some(record) = bytes.get(start..start.saturating_add(len)) else {
            cut = true;
            break;
        };
        if otlp::sniff_binary(record) != Some(BinaryKind::Profiles) {
            return Detect::No;
        }
        pos = start + len;
    }
    if cut { Detect::NeedMore } else { Detect::Yes }
}

/// Read every record into one set.
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    let format = Format::OtlpProfilesLengthPrefixed;
    let records = otlp::split_length_prefixed(bytes).ok_or_else(|| {
        Error::malformed(
            format,
            At::Input,
            "the length-prefixed records do not tile the file",
        )
    })?;
    let mut b = Builder::new(format, &options.limits);
    let mut layout = Layout::OtlpV1_10;
    for (offset, record) in records {
        layout = otlp::add_binary(&mut b, record).map_err(|e| at_record(e, offset))?;
    }
    Ok(Loaded::Profiles(b.finish(layout)))
}

/// Place an error from inside a record in the whole file.
fn at_record(mut e: Error, offset: usize) -> Error {
    e.at = match e.at {
        At::Byte(inner) => At::Byte(inner + offset as u64),
        At::Input => At::Byte(offset as u64),
        other => other,
    };
    e.message = format!("in the record at byte {offset}: {}", e.message);
    e
}
