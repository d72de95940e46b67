//! OTLP profiles and traces: binary (three wire layouts), length-prefixed, JSON and JSON Lines.
//!
//! Every encoding is first decoded into the v1.10 message types of the `opentelemetry-proto`
//! crate (v1.8 and v1.9 through [`legacy`]), then [`normalize`] turns those into the columnar
//! [`crate::model::ProfileSet`]. One normaliser means every encoding gives identical trees.

pub mod json;
pub mod legacy;
pub mod normalize;
pub mod trace_proto;

use opentelemetry_proto::tonic::profiles::v1development::ProfilesData;
use prost::Message;

use super::wire::{Fields, WireType};
use crate::error::{At, Diagnostics, Error, ErrorKind, Format, Result};
use crate::model::Layout;

/// What the wire says about the layout of a binary OTLP profiles message.
#[derive(Debug, Default, Clone, Copy)]
struct LayoutVotes {
    v1_7_or_older: bool,
    v1_8_profile: bool,
    v1_9_or_newer_profile: bool,
    v1_8_or_9_sample: bool,
    v1_10_sample: bool,
    samples: bool,
}

impl LayoutVotes {
    fn profile(&mut self, profile: &[u8]) {
        for f in Fields::new(profile) {
            match (f.number, f.wire) {
                // v1.7 and older: field 3 is the packed `location_indices`.
                (3, WireType::Len) => self.v1_7_or_older = true,
                (12, _) | (8, WireType::Len) => self.v1_8_profile = true,
                (8, WireType::Varint) => self.v1_9_or_newer_profile = true,
                (2, WireType::Len) => self.sample(f.payload),
                _ => {}
            }
        }
    }

    fn sample(&mut self, sample: &[u8]) {
        self.samples = true;
        for f in Fields::new(sample) {
            match (f.number, f.wire) {
                (3, WireType::Len) | (4, WireType::Varint) => self.v1_8_or_9_sample = true,
                (3, WireType::Varint) | (4, WireType::Len) => self.v1_10_sample = true,
                (6, _) => self.v1_7_or_older = true,
                _ => {}
            }
        }
    }
}

/// Tell the wire layout of a binary profiles message from its wire types alone
/// (`ExportProfilesServiceRequest` and `ProfilesData` share one shape).
pub fn sniff_layout(buf: &[u8], diags: &mut Diagnostics) -> Result<Layout> {
    let mut votes = LayoutVotes::default();
    let mut has_dictionary = false;
    for top in Fields::new(buf) {
        match (top.number, top.wire) {
            (2, WireType::Len) => has_dictionary = true,
            (1, WireType::Len) => {
                for rp in Fields::new(top.payload).filter(|f| f.number == 2) {
                    for sp in Fields::new(rp.payload).filter(|f| f.number == 2) {
                        votes.profile(sp.payload);
                    }
                }
            }
            _ => {}
        }
    }
    let unsupported = |what: &str| Error {
        format: Format::OtlpProfilesBinary,
        at: At::Input,
        kind: ErrorKind::Unsupported,
        message: format!(
            "{what}; Spanflame reads OTLP profiles layouts v1.8, v1.9 and v1.10/v1.11"
        ),
    };
    if votes.v1_7_or_older {
        return Err(unsupported(
            "this payload uses the v1.7-or-older profiles layout (no stack table)",
        ));
    }
    if !has_dictionary && votes.v1_9_or_newer_profile | votes.v1_8_profile {
        return Err(unsupported(
            "this payload has profiles but no dictionary (the v1.6-or-older layout)",
        ));
    }
    if votes.v1_8_or_9_sample && votes.v1_10_sample {
        return Err(Error::malformed(
            Format::OtlpProfilesBinary,
            At::Input,
            "samples mix the v1.9 and v1.10 field numbering",
        ));
    }
    if votes.v1_8_profile && votes.v1_10_sample {
        return Err(Error::malformed(
            Format::OtlpProfilesBinary,
            At::Input,
            "a v1.8 profile holds v1.10 samples",
        ));
    }
    Ok(if votes.v1_10_sample {
        Layout::OtlpV1_10
    } else if votes.v1_8_profile {
        Layout::OtlpV1_8
    } else if votes.v1_8_or_9_sample {
        Layout::OtlpV1_9
    } else {
        if votes.samples {
            diags.push(
                Format::OtlpProfilesBinary,
                "no sample told the v1.9 and v1.10 layouts apart; read as v1.10/v1.11",
            );
        }
        Layout::OtlpV1_10
    })
}

/// Decode one binary profiles message with the given layout into v1.10 types.
pub fn decode_binary(buf: &[u8], layout: Layout, format: Format) -> Result<ProfilesData> {
    let decoded = match layout {
        Layout::OtlpV1_8 => legacy::ProfilesDataV18::decode(buf).map(Into::into),
        Layout::OtlpV1_9 => legacy::ProfilesDataV19::decode(buf).map(Into::into),
        _ => ProfilesData::decode(buf),
    };
    decoded.map_err(|e| {
        Error::malformed(
            format,
            At::Input,
            format!("not a valid {layout} profiles message: {e}"),
        )
    })
}

/// Split the collector file exporter's `proto` format: a 4-byte big-endian length, then that
/// many bytes, repeated. Returns `None` unless the records tile the input exactly.
pub fn split_length_prefixed(buf: &[u8]) -> Option<Vec<(usize, &[u8])>> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < buf.len() {
        let header = buf.get(pos..pos + 4)?;
        let len = u32::from_be_bytes(header.try_into().ok()?) as usize;
        let start = pos + 4;
        let body = buf.get(start..start.checked_add(len)?)?;
        out.push((start, body));
        pos = start + len;
    }
    (!out.is_empty()).then_some(out)
}

/// What a binary OTLP message holds, from its top-level shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryKind {
    /// `ExportProfilesServiceRequest` / `ProfilesData`.
    Profiles,
    /// `ExportTraceServiceRequest` / `TracesData`.
    Traces,
}

/// Guess whether `buf` is an OTLP profiles or traces message. Profiles messages have only
/// fields 1 and 2 at the top; traces only field 1, whose spans start with a 16-byte trace id.
pub fn sniff_binary(buf: &[u8]) -> Option<BinaryKind> {
    let mut fields = Fields::new(buf);
    let mut saw_dictionary = false;
    let mut first_resource = None;
    for f in fields.by_ref() {
        match (f.number, f.wire) {
            (1, WireType::Len) => {
                first_resource.get_or_insert(f.payload);
            }
            (2, WireType::Len) => saw_dictionary = true,
            _ => return None,
        }
    }
    if fields.error.is_some() {
        return None;
    }
    if saw_dictionary {
        return Some(BinaryKind::Profiles);
    }
    // ResourceSpans.scope_spans(2) -> ScopeSpans.spans(2) -> Span.trace_id(1) of 16 bytes.
    let resource = first_resource?;
    let scope = Fields::new(resource).find(|f| f.number == 2 && f.wire == WireType::Len)?;
    let item = Fields::new(scope.payload).find(|f| f.number == 2 && f.wire == WireType::Len)?;
    let first = Fields::new(item.payload).next()?;
    if first.number == 1 && first.wire == WireType::Len && first.payload.len() == 16 {
        Some(BinaryKind::Traces)
    } else {
        Some(BinaryKind::Profiles)
    }
}
