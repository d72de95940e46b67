//! pprof (`perftools.profiles.Profile`) → the columnar [`ProfileSet`](crate::ProfileSet).
//!
//! ## Detection
//!
//! [`sniff`] accepts a well-formed protobuf whose top level holds only pprof's field numbers
//! (1 to 15) with the wire types pprof gives them, including a string table (field 6, which
//! every encoder writes since `string_table[0]` must be `""`). OTLP messages have only
//! fields 1 and 2 at the top, so the two never overlap. gzip is undone by
//! [`crate::formats::load`] before this module sees the bytes.
//!
//! ## Conversion
//!
//! As collector-contrib's pprof → OTLP translator does, every pprof sample type becomes one
//! [`ProfileInfo`], and every pprof sample one row in each of them, weighted by the value at
//! that sample type's index. The preferred sample type (`default_sample_type`, or the last one
//! when unset, as `profile.proto` says) comes first, so it is what [`crate::Filter::default`]
//! shows.
//!
//! * Ids (`Location.id`, `Function.id`, `Mapping.id`) are looked up by value, never by
//!   position. A dangling id becomes a placeholder frame and a [`crate::Diagnostic`].
//! * `Sample.location_id` is leaf first, and so is `Location.line` within one location
//!   (`line[0]` is the innermost inlined function); our stacks are root first.
//! * A location without lines is named `binary+0xoffset` from its mapping, or `0xaddress`.
//! * Labels become sample attributes: string labels as they are, numeric labels in decimal
//!   followed by their unit, if any (`1024 bytes`).
//! * Labels also give the sample's span link:
//!   - `trace_id` or `trace id`: 32 hex digits;
//!   - `span_id` (Pyroscope, 16 hex digits), else `span id` (16 hex digits, or decimal as
//!     Datadog's Go profiler writes it, or a numeric label), else `local root span id`
//!     (numeric or decimal). Numeric labels are int64: their two's complement bits are the
//!     unsigned span id, written big-endian.
//!
//!   When no trace id is known, the link's trace id is all zeros. Such a link matches a
//!   [`crate::SpanSelection::Spans`] key of any trace with the same span id (see
//!   [`crate::ProfileSet::links_of`]), but no [`crate::SpanSelection::Trace`].
//!
//!   A string `span id` is read as hex when every `span id` of the file is 16 hex digits and
//!   either one of them has a letter or the file has trace ids; otherwise as decimal.
//!
//!   | labels | producers |
//!   |---|---|
//!   | `span_id`, `trace_id` (hex) | Grafana Pyroscope (`span_id` is the local root span) |
//!   | `span id`, `trace id` (hex), `local root span id` (int64) | OpenTelemetry Python profiling extension, pprof mode |
//!   | `span id`, `local root span id` (decimal strings) | Datadog's Go profiler |
//!   | `span id`, `local root span id` (int64) | libdatadog-based profilers (PHP, Ruby, ...) |
//!
//! ## Limits
//!
//! Table lengths and the sample count are checked against [`Limits`](crate::Limits) before anything is
//! built for them, and so is `samples × sample types`. Text built from string-table
//! references (label attributes, profile attributes, names of unsymbolised frames) is counted
//! against [`Limits::max_decompressed_bytes`](crate::Limits::max_decompressed_bytes), since a short input can refer to one long
//! string many times. Stacks are cut at [`Limits::max_stack_depth`](crate::Limits::max_stack_depth) while they are built.
//!
//! Long (~960 lines): the wire reader and the span-label rules are one importer; split it
//! when a second pprof consumer (the planned pprof export) needs part of it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use prost::Message;

use super::wire::{Fields, WireType};
use super::{Detect, Loaded, Options};
use crate::builder::{Builder, Row};
use crate::error::{At, Error, Format, Result};
use crate::model::{
    AttrSetId, Attribute, FrameId, FrameKind, Layout, LinkId, ProfileInfo, Resource, SampleType,
    SpanKey, StackId, parse_hex,
};

/// The pprof messages, declared from the well-known field numbers of `profile.proto`.
pub mod proto {
    /// A whole profile.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Profile {
        /// What each sample value measures, one entry per value index.
        #[prost(message, repeated, tag = "1")]
        pub sample_type: Vec<ValueType>,
        /// The samples.
        #[prost(message, repeated, tag = "2")]
        pub sample: Vec<Sample>,
        /// Binary mappings, referred to by `Location.mapping_id`.
        #[prost(message, repeated, tag = "3")]
        pub mapping: Vec<Mapping>,
        /// Locations, referred to by `Sample.location_id`.
        #[prost(message, repeated, tag = "4")]
        pub location: Vec<Location>,
        /// Functions, referred to by `Line.function_id`.
        #[prost(message, repeated, tag = "5")]
        pub function: Vec<Function>,
        /// Every string of the profile; entry 0 is `""`. Read as bytes so that a string that
        /// is not UTF-8 (pprof does not require it) is repaired rather than fatal.
        #[prost(bytes = "vec", repeated, tag = "6")]
        pub string_table: Vec<Vec<u8>>,
        /// String index of a regex of frames to drop.
        #[prost(int64, tag = "7")]
        pub drop_frames: i64,
        /// String index of a regex of frames to keep.
        #[prost(int64, tag = "8")]
        pub keep_frames: i64,
        /// Collection start, UTC nanoseconds.
        #[prost(int64, tag = "9")]
        pub time_nanos: i64,
        /// Collection duration, nanoseconds.
        #[prost(int64, tag = "10")]
        pub duration_nanos: i64,
        /// What `period` measures.
        #[prost(message, optional, tag = "11")]
        pub period_type: Option<ValueType>,
        /// The sampling period.
        #[prost(int64, tag = "12")]
        pub period: i64,
        /// String indices of free-form comments.
        #[prost(int64, repeated, tag = "13")]
        pub comment: Vec<i64>,
        /// String index of the preferred sample type's `type`; 0 means the last sample type.
        #[prost(int64, tag = "14")]
        pub default_sample_type: i64,
        /// String index of a documentation link.
        #[prost(int64, tag = "15")]
        pub doc_url: i64,
    }

    /// A type and unit, both string indices.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ValueType {
        /// String index of the type, e.g. `cpu`.
        #[prost(int64, tag = "1")]
        pub r#type: i64,
        /// String index of the unit, e.g. `nanoseconds`.
        #[prost(int64, tag = "2")]
        pub unit: i64,
    }

    /// One sample: a stack, one value per sample type, and labels.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Sample {
        /// Location ids, leaf first.
        #[prost(uint64, repeated, tag = "1")]
        pub location_id: Vec<u64>,
        /// One value per sample type.
        #[prost(int64, repeated, tag = "2")]
        pub value: Vec<i64>,
        /// Labels.
        #[prost(message, repeated, tag = "3")]
        pub label: Vec<Label>,
    }

    /// A sample label: a string value, or a number with an optional unit.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Label {
        /// String index of the key.
        #[prost(int64, tag = "1")]
        pub key: i64,
        /// String index of a string value (0 for a numeric label).
        #[prost(int64, tag = "2")]
        pub str: i64,
        /// A numeric value.
        #[prost(int64, tag = "3")]
        pub num: i64,
        /// String index of the numeric value's unit.
        #[prost(int64, tag = "4")]
        pub num_unit: i64,
    }

    /// A mapped binary.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Mapping {
        /// Id, referred to by `Location.mapping_id`.
        #[prost(uint64, tag = "1")]
        pub id: u64,
        /// Start of the mapped address range.
        #[prost(uint64, tag = "2")]
        pub memory_start: u64,
        /// End of the mapped address range.
        #[prost(uint64, tag = "3")]
        pub memory_limit: u64,
        /// Offset in the file of `memory_start`.
        #[prost(uint64, tag = "4")]
        pub file_offset: u64,
        /// String index of the binary's path.
        #[prost(int64, tag = "5")]
        pub filename: i64,
        /// String index of the build id.
        #[prost(int64, tag = "6")]
        pub build_id: i64,
        /// Whether locations in it have function names.
        #[prost(bool, tag = "7")]
        pub has_functions: bool,
        /// Whether they have file names.
        #[prost(bool, tag = "8")]
        pub has_filenames: bool,
        /// Whether they have line numbers.
        #[prost(bool, tag = "9")]
        pub has_line_numbers: bool,
        /// Whether they have inlined frames.
        #[prost(bool, tag = "10")]
        pub has_inline_frames: bool,
    }

    /// A code address, with the source lines it stands for.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Location {
        /// Id, referred to by `Sample.location_id`.
        #[prost(uint64, tag = "1")]
        pub id: u64,
        /// Id of the mapping holding `address`; 0 for none.
        #[prost(uint64, tag = "2")]
        pub mapping_id: u64,
        /// The instruction address.
        #[prost(uint64, tag = "3")]
        pub address: u64,
        /// Source lines, innermost (inlined) first.
        #[prost(message, repeated, tag = "4")]
        pub line: Vec<Line>,
        /// Whether several addresses were folded into this location.
        #[prost(bool, tag = "5")]
        pub is_folded: bool,
    }

    /// One source line of a location.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Line {
        /// Id of the function.
        #[prost(uint64, tag = "1")]
        pub function_id: u64,
        /// Line number.
        #[prost(int64, tag = "2")]
        pub line: i64,
        /// Column number.
        #[prost(int64, tag = "3")]
        pub column: i64,
    }

    /// A function.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Function {
        /// Id, referred to by `Line.function_id`.
        #[prost(uint64, tag = "1")]
        pub id: u64,
        /// String index of the human-readable name.
        #[prost(int64, tag = "2")]
        pub name: i64,
        /// String index of the system (mangled) name.
        #[prost(int64, tag = "3")]
        pub system_name: i64,
        /// String index of the source file.
        #[prost(int64, tag = "4")]
        pub filename: i64,
        /// The function's first line.
        #[prost(int64, tag = "5")]
        pub start_line: i64,
    }
}

use proto::{Label, Profile};

/// Whether `bytes` look like a pprof `Profile`: a well-formed protobuf with a string table
/// (field 6) whose top-level fields are all pprof's, with pprof's wire types, and not OTLP.
/// NeedMore when every field so far is pprof's but the string table has not come yet (it
/// usually follows the samples), or the bytes end inside a field. A top level of OTLP's
/// shape ([`super::otlp::sniff_binary`]) is No.
pub fn sniff(bytes: &[u8]) -> Detect {
    if bytes.is_empty() {
        return Detect::NeedMore;
    }
    let mut fields = Fields::new(bytes);
    let mut string_table = false;
    for f in fields.by_ref() {
        let ok = match f.number {
            6 => {
                string_table = true;
                f.wire == WireType::Len
            }
            1..=5 | 11 => f.wire == WireType::Len,
            7..=10 | 12 | 14 | 15 => f.wire == WireType::Varint,
            // `comment` is a repeated int64: packed or not.
            13 => matches!(f.wire, WireType::Varint | WireType::Len),
            _ => false,
        };
        if !ok {
            return Detect::No;
        }
    }
    match fields.error {
        Some(_) if fields.cut => Detect::NeedMore,
        Some(_) => Detect::No,
        // Only fields 1 and 2, shaped as OTLP has them: the OTLP importers' file.
        None if super::otlp::sniff_binary(bytes).is_some() => Detect::No,
        None if string_table => Detect::Yes,
        None => Detect::NeedMore,
    }
}

/// Decode a pprof `Profile` (not gzipped).
pub fn decode(bytes: &[u8]) -> Result<Profile> {
    Profile::decode(bytes).map_err(|e| {
        Error::malformed(
            Format::Pprof,
            At::Input,
            format!("not a valid pprof Profile message: {e}"),
        )
    })
}

/// Read a pprof `Profile` (already gunzipped) into a [`crate::ProfileSet`].
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    let profile = decode(bytes)?;
    let mut b = Builder::new(Format::Pprof, &options.limits);
    add_profile(&mut b, &profile)?;
    Ok(Loaded::Profiles(b.finish(Layout::NotOtlp)))
}

/// Add every sample type of `p` to `b`, as one profile each.
pub fn add_profile(b: &mut Builder<'_>, p: &Profile) -> Result<()> {
    b.check_table_len("the string table", p.string_table.len())?;
    b.check_table_len("the sample type list", p.sample_type.len())?;
    b.check_table_len("the sample list", p.sample.len())?;
    b.check_table_len("the mapping table", p.mapping.len())?;
    b.check_table_len("the location table", p.location.len())?;
    b.check_table_len("the function table", p.function.len())?;
    b.check_table_len("the comment list", p.comment.len())?;
    let types = p.sample_type.len().max(1);
    let rows = (p.sample.len() as u64).saturating_mul(types as u64);
    if rows > b.limits().max_samples {
        return Err(Error::limit(
            Format::Pprof,
            At::Input,
            format!(
                "{} samples × {types} sample types make {rows} observations, over the limit of {}",
                p.sample.len(),
                b.limits().max_samples
            ),
        ));
    }
    let mut c = Converter::new(b, p);
    let order = c.sample_type_order(b);
    let resource = b.resource(Resource::default());
    let attributes = c.profile_attributes(b)?;
    let period_type = p
        .period_type
        .as_ref()
        .map(|vt| c.value_type(b, vt))
        .filter(|t| !t.name.is_empty());

    // Stack, link and attributes of each sample, shared by every sample type.
    let mut resolved = Vec::with_capacity(p.sample.len());
    for s in &p.sample {
        if s.value.len() != p.sample_type.len() && !p.sample_type.is_empty() {
            b.diags.push(
                Format::Pprof,
                "a sample's value count differs from the number of sample types; missing values are skipped, extra ones ignored",
            );
        }
        let stack = c.stack(b, &s.location_id);
        let (attrs, link) = c.labels(b, &s.label)?;
        // Raw ids keep the per-sample buffer at 12 bytes a sample.
        resolved.push((StackId::raw(stack), attrs, LinkId::raw(link)));
    }

    for (type_index, sample_type) in order {
        let info = ProfileInfo {
            resource,
            period_type: period_type.clone(),
            period: p.period,
            time_unix_nano: u64::try_from(p.time_nanos).unwrap_or(0),
            duration_nano: u64::try_from(p.duration_nanos).unwrap_or(0),
            attributes: attributes.clone(),
            ..Default::default()
        };
        b.begin_profile(info, sample_type);
        for (s, &(stack, attrs, link)) in p.sample.iter().zip(&resolved) {
            let Some(&value) = s.value.get(type_index) else {
                continue;
            };
            b.row(Row {
                stack: StackId::from_raw(stack),
                value,
                time: 0,
                link: LinkId::from_raw(link),
                attrs,
            })?;
        }
    }
    Ok(())
}

/// Which label a key names, for span links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpanLabel {
    /// `trace_id` or `trace id`.
    TraceId,
    /// `span_id` (Pyroscope; always hex).
    SpanIdPyroscope,
    /// `span id` (hex or decimal or numeric).
    SpanId,
    /// `local root span id` (numeric or decimal).
    LocalRootSpanId,
}

impl SpanLabel {
    fn of(key: &str) -> Option<SpanLabel> {
        match key {
            "trace_id" | "trace id" => Some(SpanLabel::TraceId),
            "span_id" => Some(SpanLabel::SpanIdPyroscope),
            "span id" => Some(SpanLabel::SpanId),
            "local root span id" => Some(SpanLabel::LocalRootSpanId),
            _ => None,
        }
    }
}

/// A label as a hashable tuple: key, str, num, num_unit.
type RawLabel = [i64; 4];

/// The string table, UTF-8 repaired.
struct Strings(Vec<String>);

impl Strings {
    /// The string at `index`, or `None` when out of range.
    fn get(&self, index: i64) -> Option<&str> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(String::as_str)
    }

    /// The string at `index`; out of range gives `""` and a diagnostic.
    fn or_empty(&self, b: &mut Builder<'_>, index: i64, what: &str) -> &str {
        self.get(index).unwrap_or_else(|| {
            b.diags.push(
                Format::Pprof,
                format!("a {what} string index is outside the string table; left empty"),
            );
            ""
        })
    }
}

/// One profile's tables, indexed by id, with caches of what they resolved to in the builder.
struct Converter<'p> {
    p: &'p Profile,
    strings: Strings,
    mappings: IdIndex,
    locations: IdIndex,
    functions: IdIndex,
    /// Location position → its frames, caller first, as a range of `frame_pool`.
    location_frames: Vec<Option<(u32, u32)>>,
    frame_pool: Vec<FrameId>,
    /// The `(unknown location)` frame's range, once made.
    unknown_location: Option<(u32, u32)>,
    /// Raw label list → (attribute set id, link id).
    label_sets: HashMap<Vec<RawLabel>, (AttrSetId, Option<LinkId>)>,
    /// A sample's raw labels, reused from sample to sample.
    raw_labels: Vec<RawLabel>,
    /// Whether string `span id` labels are hex (else decimal).
    span_id_hex: bool,
    /// Bytes of text still allowed to be built from string references.
    text_budget: u64,
    scratch: Vec<FrameId>,
}

impl<'p> Converter<'p> {
    fn new(b: &mut Builder<'_>, p: &'p Profile) -> Self {
        let mut lossy = false;
        let strings: Vec<String> = p
            .string_table
            .iter()
            .map(|s| match std::str::from_utf8(s) {
                Ok(s) => s.to_owned(),
                Err(_) => {
                    lossy = true;
                    String::from_utf8_lossy(s).into_owned()
                }
            })
            .collect();
        if lossy {
            b.diags.push(
                Format::Pprof,
                "some strings are not UTF-8; invalid bytes were replaced with U+FFFD",
            );
        }
        if strings.first().is_some_and(|s| !s.is_empty()) {
            b.diags.push(
                Format::Pprof,
                "string_table[0] is not the empty string; read as it is",
            );
        }
        let strings = Strings(strings);
        let span_id_hex = span_id_strings_are_hex(p, &strings);
        Converter {
            p,
            mappings: index_by_id(b, "mappings", p.mapping.iter().map(|m| m.id)),
            locations: index_by_id(b, "locations", p.location.iter().map(|l| l.id)),
            functions: index_by_id(b, "functions", p.function.iter().map(|f| f.id)),
            strings,
            location_frames: vec![None; p.location.len()],
            frame_pool: Vec::new(),
            unknown_location: None,
            label_sets: HashMap::new(),
            raw_labels: Vec::new(),
            span_id_hex,
            text_budget: b.limits().max_decompressed_bytes,
            scratch: Vec::new(),
        }
    }

    /// Count `len` bytes of built text against the budget.
    fn charge(&mut self, len: usize) -> Result<()> {
        match self.text_budget.checked_sub(len as u64) {
            Some(rest) => {
                self.text_budget = rest;
                Ok(())
            }
            None => Err(Error::limit(
                Format::Pprof,
                At::Input,
                "labels, comments and frame names refer to more text than the decompressed-size limit allows",
            )),
        }
    }

    fn value_type(&self, b: &mut Builder<'_>, vt: &proto::ValueType) -> SampleType {
        SampleType {
            name: self
                .strings
                .or_empty(b, vt.r#type, "sample type")
                .to_owned(),
            unit: self.strings.or_empty(b, vt.unit, "sample unit").to_owned(),
        }
    }

    /// The sample types as (value index, type), the preferred one first.
    fn sample_type_order(&self, b: &mut Builder<'_>) -> Vec<(usize, SampleType)> {
        let p = self.p;
        let mut types: Vec<(usize, SampleType)> = p
            .sample_type
            .iter()
            .enumerate()
            .map(|(i, vt)| {
                let mut t = self.value_type(b, vt);
                if t.name.is_empty() {
                    t.name = "samples".into();
                }
                if t.unit.is_empty() {
                    t.unit = "count".into();
                }
                (i, t)
            })
            .collect();
        if types.is_empty() {
            if p.sample.iter().any(|s| !s.value.is_empty()) {
                b.diags.push(
                    Format::Pprof,
                    "the profile declares no sample type; the first value of each sample is read as samples/count",
                );
            }
            types.push((
                0,
                SampleType {
                    name: "samples".into(),
                    unit: "count".into(),
                },
            ));
        }
        for (i, (_, t)) in types.iter().enumerate() {
            if types[..i].iter().any(|(_, u)| u == t) {
                b.diags.push(
                    Format::Pprof,
                    format!("sample type {t} appears twice; both are shown together"),
                );
            }
        }
        let preferred = if p.default_sample_type == 0 {
            types.len() - 1
        } else {
            let name = self.strings.get(p.default_sample_type);
            let found = types.iter().position(|(i, _)| {
                name.is_some()
                    && p.sample_type.get(*i).map(|vt| self.strings.get(vt.r#type)) == Some(name)
            });
            found.unwrap_or_else(|| {
                b.diags.push(
                    Format::Pprof,
                    "default_sample_type names no sample type; the last one is shown first",
                );
                types.len() - 1
            })
        };
        let first = types.remove(preferred);
        types.insert(0, first);
        types
    }

    /// `drop_frames`, `keep_frames`, `doc_url` and comments, named as collector-contrib's
    /// pprof translator names them.
    fn profile_attributes(&mut self, b: &mut Builder<'_>) -> Result<Vec<Attribute>> {
        let p = self.p;
        let named = [
            ("pprof.profile.drop_frames".to_owned(), p.drop_frames),
            ("pprof.profile.keep_frames".to_owned(), p.keep_frames),
            ("pprof.profile.doc_url".to_owned(), p.doc_url),
        ];
        let comments = p
            .comment
            .iter()
            .enumerate()
            .map(|(i, &c)| (format!("pprof.profile.comment.{i}"), c));
        let mut out = Vec::new();
        for (key, index) in named.into_iter().chain(comments) {
            if index == 0 {
                continue;
            }
            let value = self
                .strings
                .or_empty(b, index, "profile attribute")
                .to_owned();
            // Every profile (one per sample type) holds a copy.
            let copies = p.sample_type.len().max(1);
            self.charge((key.len() + value.len()).saturating_mul(copies))?;
            out.push(Attribute { key, value });
        }
        Ok(out)
    }

    /// Frames of the location with id `id`, caller first, as a range of the frame pool.
    fn location(&mut self, b: &mut Builder<'_>, id: u64) -> (u32, u32) {
        let p = self.p;
        let start = self.frame_pool.len() as u32;
        let Some(i) = self.locations.get(id) else {
            b.diags.push(
                Format::Pprof,
                "a sample refers to a location id that no location has; shown as (unknown location)",
            );
            return *self.unknown_location.get_or_insert_with(|| {
                let f = b.function("(unknown location)", "");
                self.frame_pool.push(b.frame(f, 0, FrameKind::Unknown));
                (start, start + 1)
            });
        };
        if let Some(range) = self.location_frames[i] {
            return range;
        }
        let loc = &p.location[i];
        // line[0] is the innermost (inlined) function; the last line is its caller.
        for line in loc.line.iter().rev() {
            // A line without a function names nothing (Go's reader leaves it nil).
            if line.function_id == 0 {
                continue;
            }
            let function = match self.functions.get(line.function_id) {
                Some(f) => {
                    let func = &p.function[f];
                    let mut name = self.strings.or_empty(b, func.name, "function name");
                    if name.is_empty() {
                        name = self
                            .strings
                            .or_empty(b, func.system_name, "function system name");
                    }
                    if name.is_empty() {
                        name = "(unnamed function)";
                    }
                    let file = self.strings.or_empty(b, func.filename, "file name");
                    b.function(name, file)
                }
                None => {
                    b.diags.push(
                        Format::Pprof,
                        "a location line refers to a function id that no function has; shown as (unknown function)",
                    );
                    b.function("(unknown function)", "")
                }
            };
            let line_no = u32::try_from(line.line).unwrap_or(0);
            self.frame_pool
                .push(b.frame(function, line_no, FrameKind::Unknown));
        }
        if self.frame_pool.len() as u32 == start {
            let name = self.unsymbolized_name(b, loc.mapping_id, loc.address);
            let function = b.function(&name, "");
            self.frame_pool
                .push(b.frame(function, 0, FrameKind::Native));
        }
        let range = (start, self.frame_pool.len() as u32);
        self.location_frames[i] = Some(range);
        range
    }

    /// `binary+0xoffset` for a location without lines (or `0xaddress` without a mapping).
    fn unsymbolized_name(&mut self, b: &mut Builder<'_>, mapping_id: u64, address: u64) -> String {
        let p = self.p;
        let mapping = match self.mappings.get(mapping_id) {
            Some(m) => Some(&p.mapping[m]),
            None => {
                if mapping_id != 0 {
                    b.diags.push(
                        Format::Pprof,
                        "a location refers to a mapping id that no mapping has; named by its address",
                    );
                }
                None
            }
        };
        let name = match mapping.filter(|m| m.filename != 0 || m.memory_limit != 0) {
            Some(m) => {
                let file = self.strings.or_empty(b, m.filename, "mapping file name");
                let base = file.rsplit('/').next().unwrap_or(file);
                let base = if base.is_empty() { "[unknown]" } else { base };
                let offset = address
                    .wrapping_sub(m.memory_start)
                    .wrapping_add(m.file_offset);
                format!("{base}+0x{offset:x}")
            }
            None => format!("0x{address:x}"),
        };
        // A short location can name a long mapping file; count what it builds.
        if self.charge(name.len()).is_err() {
            b.diags.push(
                Format::Pprof,
                "names built from mapping file names went over the text limit; the rest are named by address",
            );
            return format!("0x{address:x}");
        }
        name
    }

    /// The stack of a sample (location ids leaf first), built root first and cut at the
    /// depth limit on the root side.
    fn stack(&mut self, b: &mut Builder<'_>, location_ids: &[u64]) -> Option<StackId> {
        // One frame over the limit lets the builder see the cut and say so.
        let cap = b.limits().max_stack_depth.max(2) as usize + 1;
        let mut frames = std::mem::take(&mut self.scratch);
        frames.clear();
        'locations: for &id in location_ids {
            let (start, end) = self.location(b, id);
            for &f in self.frame_pool[start as usize..end as usize].iter().rev() {
                frames.push(f);
                if frames.len() >= cap {
                    break 'locations;
                }
            }
        }
        frames.reverse();
        let id = if frames.is_empty() {
            None
        } else {
            b.stack(&frames)
        };
        self.scratch = frames;
        id
    }

    /// The attribute set and link of a sample's labels, cached by the raw label list.
    fn labels(
        &mut self,
        b: &mut Builder<'_>,
        labels: &[Label],
    ) -> Result<(AttrSetId, Option<LinkId>)> {
        self.raw_labels.clear();
        self.raw_labels
            .extend(labels.iter().map(|l| [l.key, l.str, l.num, l.num_unit]));
        if let Some(&ids) = self.label_sets.get(self.raw_labels.as_slice()) {
            return Ok(ids);
        }
        let mut attrs = Vec::with_capacity(labels.len());
        let mut text = 0usize;
        let mut link = LinkLabels::default();
        let strings = &self.strings;
        for l in labels {
            let Some(key) = strings.get(l.key) else {
                b.diags.push(
                    Format::Pprof,
                    "a label key string index is outside the string table; label skipped",
                );
                continue;
            };
            if key.is_empty() {
                b.diags
                    .push(Format::Pprof, "a label has an empty key; skipped");
                continue;
            }
            let value = if l.str != 0 {
                let Some(value) = strings.get(l.str) else {
                    b.diags.push(
                        Format::Pprof,
                        "a label value string index is outside the string table; label skipped",
                    );
                    continue;
                };
                LabelValue::Str(value)
            } else if l.num != 0 || l.num_unit != 0 {
                LabelValue::Num(l.num)
            } else {
                // As Go's pprof reader does: no string, no number and no unit is no label.
                continue;
            };
            if let Some(role) = SpanLabel::of(key) {
                link.note(b, role, key, value, self.span_id_hex);
            }
            let value = match value {
                LabelValue::Str(s) => s.to_owned(),
                LabelValue::Num(n) => match strings.or_empty(b, l.num_unit, "label unit") {
                    "" => n.to_string(),
                    unit => format!("{n} {unit}"),
                },
            };
            text = text.saturating_add(key.len() + value.len());
            attrs.push(Attribute {
                key: key.to_owned(),
                value,
            });
        }
        self.charge(text)?;
        let link = link.key().and_then(|k| b.link(k));
        let ids = (b.attr_set(attrs), link);
        self.label_sets.insert(self.raw_labels.clone(), ids);
        Ok(ids)
    }
}

/// Whether string `span id` labels are hex: every one is 16 hex digits, and either one has a
/// letter or the file carries trace ids. Otherwise they are read as decimal.
fn span_id_strings_are_hex(p: &Profile, strings: &Strings) -> bool {
    let mut letters = false;
    let mut trace_ids = false;
    for l in p.sample.iter().flat_map(|s| &s.label) {
        match strings.get(l.key).and_then(SpanLabel::of) {
            Some(SpanLabel::TraceId) => trace_ids = true,
            Some(SpanLabel::SpanId) if l.str != 0 => {
                let value = strings.get(l.str).unwrap_or("");
                if parse_hex::<8>(value).is_none() {
                    return false;
                }
                letters |= value.bytes().any(|c| c.is_ascii_alphabetic());
            }
            _ => {}
        }
    }
    letters || trace_ids
}

/// A label's value.
#[derive(Debug, Clone, Copy)]
enum LabelValue<'a> {
    Str(&'a str),
    Num(i64),
}

/// The span-link labels of one sample.
#[derive(Debug, Default)]
struct LinkLabels {
    trace_id: Option<[u8; 16]>,
    pyroscope_span_id: Option<[u8; 8]>,
    span_id: Option<[u8; 8]>,
    local_root_span_id: Option<[u8; 8]>,
}

impl LinkLabels {
    fn note(
        &mut self,
        b: &mut Builder<'_>,
        role: SpanLabel,
        key: &str,
        value: LabelValue<'_>,
        span_id_hex: bool,
    ) {
        let parsed = match (role, value) {
            (SpanLabel::TraceId, LabelValue::Str(s)) => {
                let id = parse_hex::<16>(s);
                if id.is_some() {
                    self.trace_id = id;
                }
                id.is_some()
            }
            (SpanLabel::SpanIdPyroscope, LabelValue::Str(s)) => {
                self.pyroscope_span_id = parse_hex::<8>(s);
                self.pyroscope_span_id.is_some()
            }
            (SpanLabel::SpanId, LabelValue::Str(s)) => {
                self.span_id = if span_id_hex {
                    parse_hex::<8>(s)
                } else {
                    decimal_span_id(s)
                };
                self.span_id.is_some()
            }
            (SpanLabel::LocalRootSpanId, LabelValue::Str(s)) => {
                self.local_root_span_id = decimal_span_id(s);
                self.local_root_span_id.is_some()
            }
            (SpanLabel::SpanId, LabelValue::Num(n)) => {
                self.span_id = Some((n as u64).to_be_bytes());
                true
            }
            (SpanLabel::LocalRootSpanId, LabelValue::Num(n)) => {
                self.local_root_span_id = Some((n as u64).to_be_bytes());
                true
            }
            (SpanLabel::TraceId | SpanLabel::SpanIdPyroscope, LabelValue::Num(_)) => false,
        };
        if !parsed {
            let want = match role {
                SpanLabel::TraceId => "32 hex digits",
                SpanLabel::SpanIdPyroscope => "16 hex digits",
                SpanLabel::SpanId if span_id_hex => "16 hex digits",
                SpanLabel::SpanId | SpanLabel::LocalRootSpanId => "a decimal or numeric span id",
            };
            b.diags.push(
                Format::Pprof,
                format!("a `{key}` label is not {want}; it does not link the sample"),
            );
        }
    }

    /// The link: the first span id found of `span_id`, `span id`, `local root span id`,
    /// with the trace id or zeros. An all-zero span id links nothing.
    fn key(&self) -> Option<SpanKey> {
        let span_id = self
            .pyroscope_span_id
            .or(self.span_id)
            .or(self.local_root_span_id)
            .filter(|id| *id != [0; 8])?;
        Some(SpanKey {
            trace_id: self.trace_id.unwrap_or([0; 16]),
            span_id,
        })
    }
}

/// A decimal unsigned 64-bit span id, as 8 big-endian bytes.
fn decimal_span_id(text: &str) -> Option<[u8; 8]> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>().ok().map(u64::to_be_bytes)
}

/// Position of each id in a table (mappings, locations, functions), looked up once per
/// frame of every sample.
enum IdIndex {
    /// Ids are 1, 2, 3, … in table order, as Go's pprof and most producers write them: the
    /// position is the id less one, with no hashing. Hashing the location ids of the M
    /// benchmark's pprof file (2 million lookups) was a third of its parse.
    Dense(usize),
    /// Any other numbering. std's hasher (keyed at random), as the ids come from the file.
    Hashed(HashMap<u64, usize>),
}

impl IdIndex {
    fn get(&self, id: u64) -> Option<usize> {
        match self {
            IdIndex::Dense(len) => {
                let i = usize::try_from(id).ok()?.checked_sub(1)?;
                (i < *len).then_some(i)
            }
            IdIndex::Hashed(map) => map.get(&id).copied(),
        }
    }
}

/// Position of each id in a table; a repeated id keeps its first entry, with a diagnostic.
fn index_by_id(
    b: &mut Builder<'_>,
    what: &str,
    ids: impl ExactSizeIterator<Item = u64> + Clone,
) -> IdIndex {
    let len = ids.len();
    if ids.clone().zip(1..).all(|(id, n)| id == n) {
        return IdIndex::Dense(len);
    }
    let mut out = HashMap::with_capacity(len);
    for (i, id) in ids.enumerate() {
        if id == 0 {
            b.diags.push(
                Format::Pprof,
                format!("some {what} have id 0, which nothing can refer to"),
            );
            continue;
        }
        if let Entry::Vacant(e) = out.entry(id) {
            e.insert(i);
        } else {
            b.diags.push(
                Format::Pprof,
                format!("two {what} share an id; references go to the first"),
            );
        }
    }
    IdIndex::Hashed(out)
}

#[cfg(test)]
mod tests {
    use super::IdIndex;

    #[test]
    fn dense_ids_map_to_positions_and_nothing_else() {
        let index = IdIndex::Dense(3);
        let found: Vec<_> = [0, 1, 2, 3, 4, u64::MAX]
            .into_iter()
            .map(|id| index.get(id))
            .collect();
        assert_eq!(found, [None, Some(0), Some(1), Some(2), None, None]);
    }
}
