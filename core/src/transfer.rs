//! Moving a decoded file from one thread to another.
//!
//! The browser app decodes files in a Web Worker so that the page never freezes, then posts
//! the result to the page. Structured cloning of Rust data is not possible, so [`pack`]
//! flattens a [`Loaded`] into a small metadata blob (strings, profiles, links, spans) and its
//! big id and value columns, which are moved, not copied; the app hands each column over as
//! one typed array. [`unpack`] rebuilds the [`Loaded`] and checks it with
//! [`ProfileSet::validate`] or [`TraceSet::validate`] (every id against the table it points
//! into, and more), so a damaged message is an error and never a panic later.
//!
//! The blob is private to one build of Spanflame (page and worker run the same wasm), so it
//! has no compatibility promises beyond a leading version byte.

use std::sync::{Arc, OnceLock};

use crate::error::{At, Diagnostic, Diagnostics, Error, Format, Result};
use crate::formats::Loaded;
use crate::model::{
    Attribute, Calls, Frame, FrameKind, Function, FunctionId, Layout, Origin, ProfileInfo,
    ProfileSet, Resource, ResourceId, SampleTable, SampleType, SampleTypeId, SpanKey, StackTable,
    StringId, Times, Values,
};
use crate::trace::{Span, SpanKind, SpanStatus, TraceSet};

/// Bumped whenever the blob's layout changes.
const VERSION: u8 = 4;
const KIND_PROFILES: u8 = 0;
const KIND_TRACES: u8 = 1;

/// One column of a packed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// Ids and small numbers.
    U32(Vec<u32>),
    /// Timestamps.
    U64(Vec<u64>),
    /// Sample values, when one does not fit 32 bits.
    I64(Vec<i64>),
    /// Sample values, when all fit 32 bits.
    I32(Vec<i32>),
    /// The high bits of packed timestamps.
    U16(Vec<u16>),
}

impl Column {
    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            Column::U32(v) => v.len(),
            Column::U64(v) => v.len(),
            Column::I64(v) => v.len(),
            Column::I32(v) => v.len(),
            Column::U16(v) => v.len(),
        }
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A decoded file, flattened for posting between threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// Everything but the big columns.
    pub meta: Vec<u8>,
    /// The big columns, in a fixed order (see [`pack`]).
    pub columns: Vec<Column>,
}

/// Flatten `loaded`, moving its columns.
///
/// Profiles give 15 columns: function name and file; frame function, line and kind; stack
/// parent and frame; sample stack, value, time (64-bit, or the low 32 bits of packed
/// offsets), link and attribute set (the last three empty where the set has none, see
/// [`SampleTable`]); function build id and frame type (string ids); then the high 16 bits of
/// packed time offsets (empty unless packed; their base is in the metadata). Traces have no
/// columns (a few thousand spans are small next to samples).
pub fn pack(loaded: Loaded) -> Packed {
    let mut w = Writer::default();
    w.u8(VERSION);
    match loaded {
        Loaded::Profiles(set) => {
            w.u8(KIND_PROFILES);
            let columns = pack_profiles(&mut w, set);
            Packed {
                meta: w.out,
                columns,
            }
        }
        Loaded::Traces(set) => {
            w.u8(KIND_TRACES);
            pack_traces(&mut w, set);
            Packed {
                meta: w.out,
                columns: Vec::new(),
            }
        }
    }
}

/// Rebuild what [`pack`] flattened, checking every id.
pub fn unpack(packed: Packed) -> Result<Loaded> {
    let mut r = Reader::new(&packed.meta);
    let version = r.u8()?;
    if version != VERSION {
        return Err(bad(format!(
            "version {version}, expected {VERSION} (page and worker from different builds?)"
        )));
    }
    match r.u8()? {
        KIND_PROFILES => unpack_profiles(&mut r, packed.columns).map(Loaded::Profiles),
        KIND_TRACES => unpack_traces(&mut r).map(Loaded::Traces),
        other => Err(bad(format!("unknown kind {other}"))),
    }
}

/// A broken invariant, found by `validate`, as damage in transit (still located).
fn damaged(e: Error) -> Error {
    Error {
        format: Format::Unknown,
        message: format!("the decoded file from the worker is damaged: {}", e.message),
        ..e
    }
}

fn bad(message: String) -> Error {
    Error::malformed(
        Format::Unknown,
        At::Input,
        format!("the decoded file from the worker is damaged: {message}"),
    )
}

fn pack_profiles(w: &mut Writer, set: ProfileSet) -> Vec<Column> {
    w.u8(format_code(set.format));
    w.u8(layout_code(set.layout));
    w.bool(set.gzipped);
    w.len(set.strings.len());
    for s in set.strings.iter() {
        w.str(s);
    }
    w.len(set.links.len());
    for link in &set.links {
        w.span_key(link);
    }
    w.len(set.attr_sets.len());
    for attrs in &set.attr_sets {
        w.attributes(attrs);
    }
    w.len(set.resources.len());
    for resource in &set.resources {
        w.attributes(&resource.attributes);
    }
    w.len(set.sample_types.len());
    for t in &set.sample_types {
        w.sample_type(t);
    }
    w.len(set.profiles.len());
    for p in &set.profiles {
        w.u32(p.resource.get());
        w.str(&p.scope);
        w.u32(p.sample_type.get());
        w.bool(p.period_type.is_some());
        if let Some(t) = &p.period_type {
            w.sample_type(t);
        }
        w.u64(p.period as u64);
        w.u64(p.time_unix_nano);
        w.u64(p.duration_nano);
        w.attributes(&p.attributes);
        w.str(&p.profile_id);
        w.u32(p.samples.start);
        w.u32(p.samples.end);
        w.u8(code_in(&ORIGINS, &p.origin));
    }
    w.diagnostics(&set.diagnostics);
    // One entry per function at most (Limits bound those), so the metadata carries them.
    w.len(set.function_calls.len());
    for c in &set.function_calls {
        w.bool(c.is_some());
        let c = c.unwrap_or_default();
        w.u64(c.total);
        w.u64(c.primitive);
    }

    let mut function_name = Vec::with_capacity(set.functions.len());
    let mut function_file = Vec::with_capacity(set.functions.len());
    let mut function_build_id = Vec::with_capacity(set.functions.len());
    for f in &set.functions {
        function_name.push(f.name.get());
        function_file.push(f.file.get());
        function_build_id.push(f.build_id.get());
    }
    let mut frame_function = Vec::with_capacity(set.frames.len());
    let mut frame_line = Vec::with_capacity(set.frames.len());
    let mut frame_kind = Vec::with_capacity(set.frames.len());
    let mut frame_type = Vec::with_capacity(set.frames.len());
    for f in &set.frames {
        frame_function.push(f.function.get());
        frame_line.push(f.line);
        frame_kind.push(kind_code(f.kind));
        frame_type.push(f.frame_type.get());
    }
    let StackTable { parent, frame } = set.stacks;
    let (stack, value, time, link, attrs) = set.samples.into_parts();
    let value = match value {
        Values::Narrow(v) => Column::I32(v),
        Values::Wide(v) => Column::I64(v),
    };
    let (time, time_high, time_base) = match time {
        Times::Absent => (Column::U64(Vec::new()), Vec::new(), 0),
        Times::Packed { base, low, high } => (Column::U32(low), high, base),
        Times::Wide(v) => (Column::U64(v), Vec::new(), 0),
    };
    w.u64(time_base);
    vec![
        Column::U32(function_name),
        Column::U32(function_file),
        Column::U32(frame_function),
        Column::U32(frame_line),
        Column::U32(frame_kind),
        Column::U32(parent),
        Column::U32(frame),
        Column::U32(stack),
        value,
        time,
        Column::U32(link),
        Column::U32(attrs),
        // Added after the others, so the earlier columns kept their places.
        Column::U32(function_build_id),
        Column::U32(frame_type),
        Column::U16(time_high),
    ]
}

fn unpack_profiles(r: &mut Reader, columns: Vec<Column>) -> Result<ProfileSet> {
    let format = format_from(r.u8()?)?;
    let layout = layout_from(r.u8()?)?;
    let gzipped = r.bool()?;
    let strings = r.list(|r| r.string())?;
    let links = r.list(|r| r.span_key())?;
    let attr_sets = r.list(|r| r.attributes())?;
    let resources = r.list(|r| {
        Ok(Resource {
            attributes: r.attributes()?,
        })
    })?;
    let sample_types = r.list(|r| r.sample_type())?;
    let profiles = r.list(|r| {
        Ok(ProfileInfo {
            resource: ResourceId::new(r.u32()?),
            scope: r.string()?,
            sample_type: SampleTypeId::new(r.u32()?),
            period_type: if r.bool()? {
                Some(r.sample_type()?)
            } else {
                None
            },
            period: r.u64()? as i64,
            time_unix_nano: r.u64()?,
            duration_nano: r.u64()?,
            attributes: r.attributes()?,
            profile_id: r.string()?,
            samples: r.u32()?..r.u32()?,
            origin: from_code(&ORIGINS, r.u8()?, "origin")?,
        })
    })?;
    let diagnostics = r.diagnostics()?;
    let function_calls = r.list(|r| {
        let (some, total, primitive) = (r.bool()?, r.u64()?, r.u64()?);
        Ok(some.then_some(Calls { total, primitive }))
    })?;
    let time_base = r.u64()?;
    r.end()?;

    let [
        function_name,
        function_file,
        frame_function,
        frame_line,
        frame_kind,
        stack_parent,
        stack_frame,
        stack,
        value,
        time,
        link,
        attrs,
        function_build_id,
        frame_type,
        time_high,
    ] = <[Column; 15]>::try_from(columns)
        .map_err(|c| bad(format!("{} columns, expected 15", c.len())))?;
    let (function_name, function_file, function_build_id) = (
        u32s(function_name)?,
        u32s(function_file)?,
        u32s(function_build_id)?,
    );
    let (frame_function, frame_line, frame_kind, frame_type) = (
        u32s(frame_function)?,
        u32s(frame_line)?,
        u32s(frame_kind)?,
        u32s(frame_type)?,
    );
    let (stack_parent, stack_frame) = (u32s(stack_parent)?, u32s(stack_frame)?);
    let (stack, link, attrs) = (u32s(stack)?, u32s(link)?, u32s(attrs)?);
    let value = match value {
        Column::I32(v) => Values::Narrow(v),
        Column::I64(v) => Values::Wide(v),
        _ => return Err(bad("the value column is not i32 or i64".into())),
    };
    let time = match (time, time_high) {
        (Column::U64(v), Column::U16(high)) if high.is_empty() => match v.is_empty() {
            true => Times::Absent,
            false => Times::Wide(v),
        },
        (Column::U32(low), Column::U16(high)) => Times::Packed {
            base: time_base,
            low,
            high,
        },
        _ => return Err(bad("the time columns are not u64, or u32 and u16".into())),
    };

    same_len(
        "function",
        &[
            function_name.len(),
            function_file.len(),
            function_build_id.len(),
        ],
    )?;
    same_len(
        "frame",
        &[
            frame_function.len(),
            frame_line.len(),
            frame_kind.len(),
            frame_type.len(),
        ],
    )?;
    same_len("stack", &[stack_parent.len(), stack_frame.len()])?;
    let samples = SampleTable::from_parts(stack, value, time, link, attrs)
        .ok_or_else(|| bad("the sample columns differ in length".into()))?;

    let functions = function_name
        .into_iter()
        .zip(function_file)
        .zip(function_build_id)
        .map(|((name, file), build_id)| Function {
            name: StringId::new(name),
            file: StringId::new(file),
            build_id: StringId::new(build_id),
        })
        .collect();
    let frames = frame_function
        .into_iter()
        .zip(frame_line)
        .zip(frame_kind)
        .zip(frame_type)
        .map(|(((function, line), kind), frame_type)| Frame {
            function: FunctionId::new(function),
            line,
            kind: kind_from(kind),
            frame_type: StringId::new(frame_type),
        })
        .collect();
    let set = ProfileSet {
        format,
        layout,
        gzipped,
        strings: Arc::new(strings),
        functions,
        frames,
        stacks: StackTable {
            parent: stack_parent,
            frame: stack_frame,
        },
        links,
        attr_sets,
        resources,
        sample_types,
        profiles,
        samples,
        diagnostics: diagnostics.items().to_vec(),
        function_calls,
        index: OnceLock::new(),
        paths: OnceLock::new(),
        time_bounds: OnceLock::new(),
    };
    // Every id in range of its table, stacks in order, profile ranges tiling the rows.
    set.validate().map_err(damaged)?;
    Ok(set)
}

fn pack_traces(w: &mut Writer, set: TraceSet) {
    w.u8(set.format.map_or(u8::MAX, format_code));
    w.bool(set.gzipped);
    w.len(set.spans.len());
    for s in &set.spans {
        w.span_key(&s.key);
        w.u32(s.parent);
        w.str(&s.name);
        w.str(&s.service);
        w.u32(s.kind.code() as u32);
        w.u64(s.start);
        w.u64(s.end);
        w.u32(s.status.code() as u32);
        w.str(&s.status_message);
        w.attributes(&s.attributes);
    }
    w.diagnostics(set.diagnostics.items());
}

fn unpack_traces(r: &mut Reader) -> Result<TraceSet> {
    let format = match r.u8()? {
        u8::MAX => None,
        code => Some(format_from(code)?),
    };
    let gzipped = r.bool()?;
    let spans = r.list(|r| {
        Ok(Span {
            key: r.span_key()?,
            parent: r.u32()?,
            name: r.string()?,
            service: r.string()?,
            kind: SpanKind::from_code(r.u32()? as i32),
            start: r.u64()?,
            end: r.u64()?,
            status: SpanStatus::from_code(r.u32()? as i32),
            status_message: r.string()?,
            attributes: r.attributes()?,
            depth: 0,
        })
    })?;
    let diagnostics = r.diagnostics()?;
    r.end()?;
    // `from_spans` follows the parents, so they are checked first; the rest after.
    crate::validate::span_parents(format.unwrap_or(Format::Unknown), &spans).map_err(damaged)?;
    let set = TraceSet::from_spans(format, gzipped, spans, diagnostics);
    set.validate().map_err(damaged)?;
    Ok(set)
}

fn u32s(column: Column) -> Result<Vec<u32>> {
    match column {
        Column::U32(v) => Ok(v),
        _ => Err(bad("an id column is not u32".into())),
    }
}

fn same_len(table: &str, lens: &[usize]) -> Result<()> {
    if lens.windows(2).any(|w| w[0] != w[1]) {
        return Err(bad(format!(
            "the {table} columns differ in length: {lens:?}"
        )));
    }
    Ok(())
}

/// Enums travel as their index in one of these tables.
const FORMATS: [Format; 17] = [
    Format::OtlpProfilesBinary,
    Format::OtlpProfilesLengthPrefixed,
    Format::OtlpProfilesJson,
    Format::OtlpProfilesJsonLines,
    Format::OtlpTracesBinary,
    Format::OtlpTracesJson,
    Format::Pprof,
    Format::Folded,
    Format::PerfScript,
    Format::PerfData,
    Format::Gzip,
    Format::Unknown,
    Format::Jfr,
    Format::Speedscope,
    Format::ChromeCpuProfile,
    Format::ChromeTrace,
    Format::Pstats,
];
const LAYOUTS: [Layout; 5] = [
    Layout::OtlpV1_8,
    Layout::OtlpV1_9,
    Layout::OtlpV1_10,
    Layout::OtlpJson,
    Layout::NotOtlp,
];
const ORIGINS: [Origin; 2] = [Origin::Sampled, Origin::CallGraph];
const KINDS: [FrameKind; 6] = [
    FrameKind::Unknown,
    FrameKind::Kernel,
    FrameKind::Native,
    FrameKind::Interpreted,
    FrameKind::Jit,
    FrameKind::Inlined,
];

fn code_in<T: PartialEq>(table: &[T], value: &T) -> u8 {
    table.iter().position(|v| v == value).unwrap_or(0) as u8
}

fn from_code<T: Copy>(table: &[T], code: u8, what: &str) -> Result<T> {
    table
        .get(code as usize)
        .copied()
        .ok_or_else(|| bad(format!("unknown {what} {code}")))
}

fn format_code(format: Format) -> u8 {
    code_in(&FORMATS, &format)
}

fn format_from(code: u8) -> Result<Format> {
    from_code(&FORMATS, code, "format")
}

fn layout_code(layout: Layout) -> u8 {
    code_in(&LAYOUTS, &layout)
}

fn layout_from(code: u8) -> Result<Layout> {
    from_code(&LAYOUTS, code, "layout")
}

fn kind_code(kind: FrameKind) -> u32 {
    code_in(&KINDS, &kind).into()
}

/// An unknown code reads as [`FrameKind::Unknown`]: it only picks a colour.
fn kind_from(code: u32) -> FrameKind {
    u8::try_from(code)
        .ok()
        .and_then(|c| from_code(&KINDS, c, "frame kind").ok())
        .unwrap_or(FrameKind::Unknown)
}

/// Little-endian, length-prefixed writing.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    fn bool(&mut self, v: bool) {
        self.u8(v as u8);
    }

    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        // Tables are bounded by `Limits` far below 4 G entries.
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }

    fn span_key(&mut self, key: &SpanKey) {
        self.out.extend_from_slice(&key.trace_id);
        self.out.extend_from_slice(&key.span_id);
    }

    fn attributes(&mut self, attrs: &[Attribute]) {
        self.len(attrs.len());
        for a in attrs {
            self.str(&a.key);
            self.str(&a.value);
        }
    }

    fn sample_type(&mut self, t: &SampleType) {
        self.str(&t.name);
        self.str(&t.unit);
    }

    fn diagnostics(&mut self, items: &[Diagnostic]) {
        self.len(items.len());
        for d in items {
            self.u8(format_code(d.format));
            self.str(&d.message);
            self.u64(d.count);
        }
    }
}

/// The reading side of [`Writer`]: every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| bad(format!("it ends early, at byte {}", self.bytes.len())))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn bool(&mut self) -> Result<bool> {
        Ok(self.u8()? != 0)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn string(&mut self) -> Result<String> {
        let n = self.u32()? as usize;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| bad("a string is not UTF-8".into()))
    }

    fn span_key(&mut self) -> Result<SpanKey> {
        Ok(SpanKey {
            trace_id: self.array()?,
            span_id: self.array()?,
        })
    }

    /// A count, then that many items. The count is bounded by the bytes left (every item
    /// takes at least one), so a damaged count cannot reserve gigabytes.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let n = self.u32()? as usize;
        let mut out = Vec::with_capacity(n.min(self.bytes.len() - self.at));
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }

    fn attributes(&mut self) -> Result<Vec<Attribute>> {
        self.list(|r| {
            Ok(Attribute {
                key: r.string()?,
                value: r.string()?,
            })
        })
    }

    fn sample_type(&mut self) -> Result<SampleType> {
        Ok(SampleType {
            name: self.string()?,
            unit: self.string()?,
        })
    }

    fn diagnostics(&mut self) -> Result<Diagnostics> {
        let items = self.list(|r| Ok((format_from(r.u8()?)?, r.string()?, r.u64()?)))?;
        let mut out = Diagnostics::default();
        for (format, message, count) in items {
            out.push_n(format, message, count);
        }
        Ok(out)
    }

    fn end(&self) -> Result<()> {
        if self.at != self.bytes.len() {
            return Err(bad(format!(
                "{} bytes left over",
                self.bytes.len() - self.at
            )));
        }
        Ok(())
    }
}
