//! OTLP profiles and traces: binary (three wire layouts), length-prefixed, JSON and JSON Lines.
//!
//! Every encoding is first decoded into the v1.10 message types of the `opentelemetry-proto`
//! crate (v1.8 and v1.9 through [`legacy`]), then [`normalize`] turns those into the columnar
//! [`crate::model::ProfileSet`]. One normaliser means every encoding gives identical trees.
//! Binary samples and stacks are the exception: [`hot`] reads them off the wire straight
//! into the normaliser, since they are most of a large message.

pub mod hot;
pub mod json;
pub mod legacy;
pub mod normalize;
pub mod trace_proto;
pub mod traces;

use opentelemetry_proto::tonic::profiles::v1development::{
    ProfilesData, ProfilesDictionary, ResourceProfiles,
};
use prost::Message;

use super::wire::{Fields, WireType};
use crate::builder::Builder;
use crate::error::{At, Diagnostics, Error, ErrorKind, Format, Result};
use crate::model::Layout;

/// What the wire says about the layout of a binary profiles message, and an upper bound on
/// the sample observations it holds (counted before anything is decoded).
#[derive(Debug, Default, Clone, Copy)]
struct LayoutVotes {
    v1_7_or_older: bool,
    v1_8_profile: bool,
    v1_9_or_newer_profile: bool,
    v1_8_or_9_sample: bool,
    v1_10_sample: bool,
    samples: bool,
    observations: u64,
    /// Largest field-2 element of samples that have only field 2 and timestamps: in v1.10
    /// an attribute index, in v1.9 a value.
    ambiguous_field2_max: Option<u64>,
}

/// Elements of a packed repeated varint field (one per byte without the continuation bit).
fn packed_varints(payload: &[u8]) -> u64 {
    payload.iter().filter(|&&b| b & 0x80 == 0).count() as u64
}

/// Largest element of a packed repeated varint field.
fn packed_max(payload: &[u8]) -> u64 {
    let (mut max, mut value, mut shift) = (0u64, 0u64, 0u32);
    for &byte in payload {
        if shift < 64 {
            value |= u64::from(byte & 0x7f) << shift;
        }
        shift += 7;
        if byte & 0x80 == 0 {
            max = max.max(value);
            (value, shift) = (0, 0);
        }
    }
    max
}

impl LayoutVotes {
    fn profile(&mut self, profile: &[u8]) {
        let mut fields = Fields::new(profile);
        while let Some(f) = fields.read() {
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
        let (mut field2, mut field3, mut field4, mut timestamps) = (0u64, false, 0u64, 0u64);
        let mut field2_max = 0u64;
        let mut fields = Fields::new(sample);
        while let Some(f) = fields.read() {
            match (f.number, f.wire) {
                (3, WireType::Len) | (4, WireType::Varint) => self.v1_8_or_9_sample = true,
                (3, WireType::Varint) | (4, WireType::Len) => self.v1_10_sample = true,
                (6, _) => self.v1_7_or_older = true,
                _ => {}
            }
            match (f.number, f.wire) {
                (2, WireType::Len) => {
                    field2 += packed_varints(f.payload);
                    field2_max = field2_max.max(packed_max(f.payload));
                }
                (2, WireType::Varint) => {
                    field2 += 1;
                    field2_max = field2_max.max(f.varint);
                }
                (3, _) => field3 = true,
                (4, WireType::Len) => field4 += packed_varints(f.payload),
                (4, WireType::Varint) => field4 += 1,
                (5, WireType::Len) => timestamps += f.payload.len() as u64 / 8,
                (5, WireType::I64) => timestamps += 1,
                _ => {}
            }
        }
        // Read as v1.10, a sample with only field 2 would have attributes but neither values
        // nor timestamps: meaningless. As v1.9 it is one aggregated value list.
        if field2 > 0 && !field3 && field4 == 0 {
            if timestamps == 0 {
                self.v1_8_or_9_sample = true;
            } else {
                let max = self.ambiguous_field2_max.unwrap_or(0).max(field2_max);
                self.ambiguous_field2_max = Some(max);
            }
        }
        // Rows this sample can become, whichever field holds the values.
        self.observations += field2.max(field4).max(timestamps).max(1);
    }
}

/// Tell the wire layout of a binary profiles message from its wire types alone
/// (`ExportProfilesServiceRequest` and `ProfilesData` share one shape).
pub fn sniff_layout(buf: &[u8], diags: &mut Diagnostics) -> Result<Layout> {
    sniff(buf, diags).map(|(layout, _)| layout)
}

/// [`sniff_layout`], plus an upper bound on the sample observations in the message.
fn sniff(buf: &[u8], diags: &mut Diagnostics) -> Result<(Layout, u64)> {
    at_once(sniff_from(&mut Whole::new(buf), diags))
}

/// [`sniff`] over a message read a top-level field at a time.
async fn sniff_from(message: &mut impl TopLevel, diags: &mut Diagnostics) -> Result<(Layout, u64)> {
    let mut votes = LayoutVotes::default();
    let mut has_dictionary = false;
    let mut attribute_table_len = 0u64;
    for top in message.fields().to_vec() {
        match (top.number, top.wire) {
            (2, WireType::Len) => {
                has_dictionary = true;
                let payload = message.payload(&top).await?;
                attribute_table_len +=
                    Fields::new(&payload).filter(|f| f.number == 6).count() as u64;
            }
            (1, WireType::Len) => {
                let payload = message.payload(&top).await?;
                for rp in Fields::new(&payload).filter(|f| f.number == 2) {
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
    let layout = if votes.v1_10_sample {
        Layout::OtlpV1_10
    } else if votes.v1_8_profile {
        Layout::OtlpV1_8
    } else if votes.v1_8_or_9_sample {
        Layout::OtlpV1_9
    } else if votes
        .ambiguous_field2_max
        .is_some_and(|max| max >= attribute_table_len)
    {
        // Read as v1.10, field 2 would index past the attribute table; as v1.9 it is values.
        Layout::OtlpV1_9
    } else {
        if votes.samples {
            diags.push(
                Format::OtlpProfilesBinary,
                "no sample told the v1.9 and v1.10 layouts apart; read as v1.10/v1.11",
            );
        }
        Layout::OtlpV1_10
    };
    Ok((layout, votes.observations))
}

/// A top-level field of a binary profiles message, and where its payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopField {
    /// Field number (1: a `ResourceProfiles`, 2: the dictionary).
    pub number: u32,
    /// Wire type.
    pub wire: WireType,
    /// Offset of the field's tag in the message.
    pub offset: usize,
    /// Offset of its payload (for `Len`; what follows the tag otherwise).
    pub start: usize,
    /// Length of its payload (0 unless `Len`).
    pub len: usize,
}

impl TopField {
    /// Longest tag and length of a top-level field, in bytes.
    pub const MAX_HEADER: usize = 20;

    /// The length-delimited field whose tag starts `head`, which holds the message's bytes
    /// from offset `at` on (up to [`TopField::MAX_HEADER`] of them); `None` unless `head`
    /// starts with a whole tag and length of a `Len` field. For reading a message's top level
    /// without holding it: one short read per field.
    pub fn read_header(head: &[u8], at: usize) -> Option<TopField> {
        let mut pos = 0;
        let tag = super::wire::read_varint(head, &mut pos)?;
        if tag & 7 != 2 {
            return None;
        }
        let len = usize::try_from(super::wire::read_varint(head, &mut pos)?).ok()?;
        Some(TopField {
            number: u32::try_from(tag >> 3).ok()?,
            wire: WireType::Len,
            offset: at,
            start: at.checked_add(pos)?,
            len,
        })
    }
}

/// A binary profiles message read one top-level field at a time: the whole message in
/// memory ([`Whole`]), or a file too big to hold whole beside what is decoded from it (the
/// app reads the 1 GB benchmark file from a Blob this way: the dictionary, then each
/// `ResourceProfiles` in turn).
///
/// Reading a payload may wait (the app's worker reads a Blob with a stream, whose reads are
/// asynchronous), so the decoders over a `TopLevel` are `async`. A message in memory never
/// waits, and [`at_once`] runs them to the end.
// No `Send` bound on the futures: a reader lives on the one thread that decodes.
#[allow(async_fn_in_trait)]
pub trait TopLevel {
    /// The top-level fields, in order.
    fn fields(&self) -> &[TopField];
    /// Where the top level stopped making sense, if it did (offset, what was wrong).
    fn error(&self) -> Option<(usize, &'static str)>;
    /// The payload of `field`.
    async fn payload(&mut self, field: &TopField) -> Result<std::borrow::Cow<'_, [u8]>>;
}

/// The output of `future`, which never waits: a decoder over a message in memory
/// ([`Whole`]), whose payloads are at hand.
pub(crate) fn at_once<T>(future: impl std::future::Future<Output = T>) -> T {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!("a decoder over a message in memory waited"),
    }
}

/// A whole message in memory.
pub struct Whole<'a> {
    buf: &'a [u8],
    fields: Vec<TopField>,
    error: Option<(usize, &'static str)>,
}

impl<'a> Whole<'a> {
    /// The top level of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        let mut top = Fields::new(buf);
        let fields = top
            .by_ref()
            .map(|f| {
                // A `Len` field's header read as a Blob's is; other wire types have no payload.
                TopField::read_header(&buf[f.offset..], f.offset).unwrap_or(TopField {
                    number: f.number,
                    wire: f.wire,
                    offset: f.offset,
                    start: f.offset,
                    len: 0,
                })
            })
            .collect();
        Whole {
            buf,
            fields,
            error: top.error,
        }
    }
}

impl TopLevel for Whole<'_> {
    fn fields(&self) -> &[TopField] {
        &self.fields
    }

    fn error(&self) -> Option<(usize, &'static str)> {
        self.error
    }

    async fn payload(&mut self, field: &TopField) -> Result<std::borrow::Cow<'_, [u8]>> {
        Ok(std::borrow::Cow::Borrowed(
            &self.buf[field.start..field.start + field.len],
        ))
    }
}

/// Decode a binary profiles message resource by resource into `b`, so that only the
/// dictionary and one `ResourceProfiles` (without its samples) are ever decoded at once. The
/// observation count is checked against the limits before anything is decoded.
pub fn add_binary(b: &mut Builder<'_>, buf: &[u8]) -> Result<Layout> {
    at_once(add_binary_from(b, &mut Whole::new(buf)))
}

/// [`add_binary`] over a message read a top-level field at a time.
pub async fn add_binary_from(b: &mut Builder<'_>, message: &mut impl TopLevel) -> Result<Layout> {
    let format = b.format;
    let layout = sniff_within_limits_from(b, message).await?;
    let bad = |offset: usize, what: &str, e: prost::DecodeError| {
        Error::malformed(format, At::Byte(offset as u64), format!("{what}: {e}"))
    };
    // Several dictionary fields merge, as protobuf says repeated message fields do.
    let mut dictionary = legacy::ProfilesDictionaryHead::default();
    let mut stacks = normalize::StackTable::default();
    let fields = message.fields().to_vec();
    for f in fields.iter().filter(|f| f.number == 2) {
        let what = "the dictionary is not valid";
        let payload = message.payload(f).await?;
        if dictionary.merge(&*payload).is_ok() && hot::read_stacks(&payload, &mut stacks) {
            continue;
        }
        // Prost decides, and words the error; merging never depends on what came before.
        ProfilesDictionary::decode(&*payload).map_err(|e| bad(f.offset, what, e))?;
        // Prost accepts what the stack reader refused: a bug in the reader.
        debug_assert!(false, "the stack reader refused what prost accepts");
        return Err(Error::malformed(
            format,
            At::Byte(f.offset as u64),
            "the stack table of the dictionary could not be read",
        ));
    }
    if let Some((offset, what)) = message.error() {
        return Err(Error::malformed(format, At::Byte(offset as u64), what));
    }
    let dictionary = ProfilesDictionary::from(dictionary);
    let mut n = normalize::Normalizer::with_stack_table(b, &dictionary, stacks)?;
    let mut scratch = hot::Scratch::default();
    for f in fields.iter().filter(|f| f.number == 1) {
        let payload = message.payload(f).await?;
        // Prost decodes all but the samples, from a copy without them (skipping them with
        // prost would cost more than reading them); the sample reader reads those.
        let head =
            hot::without_samples(&payload).and_then(|bytes| decode_resource(&bytes, layout).ok());
        let (stop, rows_added) = match head {
            Some(head) => {
                match hot::add_resource(&mut n, b, &payload, &head, layout, &mut scratch) {
                    Ok(()) => continue,
                    Err(stop) => (stop, true),
                }
            }
            None => (hot::Stop::Malformed, false),
        };
        // The whole resource, decoded by prost as before the sample reader existed, decides:
        // its error is the one to report, malformed bytes before a limit hit.
        let what = "a ResourceProfiles message is not valid";
        let rp = decode_resource(&payload, layout).map_err(|e| bad(f.offset, what, e))?;
        match stop {
            hot::Stop::Normalize(e) => return Err(e),
            // Prost accepts what the head decode refused (which cannot happen: they differ
            // only in leaving out the samples): nothing of this resource was added, so add it.
            hot::Stop::Malformed if !rows_added => {
                debug_assert!(false, "the head decode refused what prost accepts");
                n.add_resource(b, &rp)?;
            }
            // Prost accepts samples the reader refused: a bug in the reader. Its rows are
            // partly added, so report it rather than show a wrong profile.
            hot::Stop::Malformed => {
                debug_assert!(false, "the sample reader refused what prost accepts");
                return Err(Error::malformed(
                    format,
                    At::Byte(f.offset as u64),
                    "the samples of this ResourceProfiles message could not be read",
                ));
            }
        }
    }
    Ok(layout)
}

/// [`sniff_within_limits_from`] of a whole message (the reader's tests use it).
#[cfg(test)]
pub(crate) fn sniff_within_limits(b: &mut Builder<'_>, buf: &[u8]) -> Result<Layout> {
    at_once(sniff_within_limits_from(b, &mut Whole::new(buf)))
}

/// The layout of `message`, once its observations are known to be within the sample limit;
/// the sample columns are then reserved for them.
async fn sniff_within_limits_from(
    b: &mut Builder<'_>,
    message: &mut impl TopLevel,
) -> Result<Layout> {
    let (layout, observations) = sniff_from(message, &mut b.diags).await?;
    let max = b.limits().max_samples;
    if observations > max {
        return Err(Error::limit(
            b.format,
            At::Input,
            format!("up to {observations} sample observations, over the limit of {max}"),
        ));
    }
    b.reserve_rows(observations);
    Ok(layout)
}

/// One whole `ResourceProfiles` in the given layout, as v1.10 types.
fn decode_resource(
    bytes: &[u8],
    layout: Layout,
) -> std::result::Result<ResourceProfiles, prost::DecodeError> {
    match layout {
        Layout::OtlpV1_8 => legacy::ResourceProfilesV18::decode(bytes).map(Into::into),
        Layout::OtlpV1_9 => legacy::ResourceProfilesV19::decode(bytes).map(Into::into),
        _ => ResourceProfiles::decode(bytes),
    }
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
    // Lenient, so that a truncated file is still recognised and its decoder can say where
    // it ends, instead of "unknown format".
    let mut fields = Fields::lenient(buf);
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
    if first_resource.is_none() && !saw_dictionary {
        return None;
    }
    if saw_dictionary {
        return Some(BinaryKind::Profiles);
    }
    // ResourceSpans.scope_spans(2) -> ScopeSpans.spans(2) -> Span.trace_id(1) of 16 bytes.
    // Without a dictionary a profiles message could not reference a single frame, so
    // anything that is not clearly profiles reads as (possibly empty) traces.
    let Some(resource) = first_resource else {
        return Some(BinaryKind::Traces);
    };
    let item = Fields::lenient(resource)
        .find(|f| f.number == 2 && f.wire == WireType::Len)
        .and_then(|scope| {
            Fields::lenient(scope.payload).find(|f| f.number == 2 && f.wire == WireType::Len)
        });
    let Some(item) = item else {
        return Some(BinaryKind::Traces);
    };
    match Fields::lenient(item.payload).next() {
        Some(first)
            if first.number == 1 && first.wire == WireType::Len && first.payload.len() == 16 =>
        {
            Some(BinaryKind::Traces)
        }
        _ => Some(BinaryKind::Profiles),
    }
}

/// Fail if the messages hold more spans than one table may (checked before the span table
/// is built from them).
pub(crate) fn check_span_count(
    format: Format,
    messages: &[trace_proto::TracesData],
    limits: &crate::limits::Limits,
) -> Result<()> {
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
