//! Java Flight Recorder (`.jfr`) → the columnar [`ProfileSet`].
//!
//! ## Why our own reader
//!
//! The `jfrs` crate (0.2.5) was evaluated first and not used: it sizes buffers from counts
//! the input declares before checking them (`Vec::with_capacity(chunk_size)`, the same for
//! every string and array length, so a chunk declaring 4 GB or a count of 2^31 allocates or
//! aborts), it recurses through nested types without a depth bound (a metadata type cycle
//! overflows the stack, which no caller can catch), it follows constant-pool offsets without
//! a loop check, and it builds a tree of values for every event. Checks done before calling
//! it would need a parse of the whole file, so this module is a small bounded reader of just
//! what a flame graph needs: the metadata, the constant pools named below, and the sample
//! events. The layout was learnt from the OpenJDK consumer sources (`ChunkHeader`,
//! `ChunkParser`, `MetadataReader`, `StringParser`, `RecordingInput`).
//!
//! ## Layout
//!
//! A file is one or more chunks, each self-contained: a 68-byte big-endian header (`FLR\0`,
//! major and minor version, chunk size, offsets of the last constant-pool event and of the
//! metadata event, start time in ns, duration, start ticks, ticks per second, and a flag byte
//! whose bit 0 says integers are LEB128-style varints), then events. Every event starts with
//! its size and type id; type 0 is the metadata (a string table and an element tree of
//! `class` and `field` elements), type 1 a checkpoint holding constant pools (per class id:
//! key → value), and other types are events laid out as their class's fields in order.
//!
//! ## Conversion
//!
//! * Each sample event type present becomes one profile, in this order: `jdk.ExecutionSample`
//!   (`cpu`/`count`), `jdk.NativeMethodSample` (`wall`/`count`), `jdk.ObjectAllocationSample`
//!   (`alloc`/`bytes`, weight = `weight`), `jdk.ObjectAllocationInNewTLAB` (`alloc_tlab`/`bytes`,
//!   weight = `tlabSize`) and `jdk.ObjectAllocationOutsideTLAB` (`alloc_outside_tlab`/`bytes`,
//!   weight = `allocationSize`). Each profile has a `jfr.event` attribute naming the event.
//! * Functions are `package.Class.method` (the class's binary name with `/` as `.`), without
//!   the signature, so overloads merge; frames keep the line number, and the frame type
//!   (Interpreted, JIT compiled, Inlined, Native) becomes the [`FrameKind`].
//! * A stack trace the JVM cut short (`truncated`) gets a `(truncated)` root frame, as the
//!   builder does for stacks deeper than [`Limits::max_stack_depth`].
//! * Samples carry `thread.name` (the Java name, else the OS name) and `thread.id` (the Java
//!   thread id, when there is one) attributes, and their start time converted from ticks
//!   with the chunk's start ticks, start time and ticks per second.
//! * References to a missing constant (a stack trace, method or thread not in the pools)
//!   become placeholder frames or no attribute, with a [`crate::Diagnostic`].
//!
//! ## Limits
//!
//! A declared chunk size is checked against the bytes present, every count against the
//! bytes left (each element takes at least one byte), stored constants against
//! [`Limits::max_table_len`], rows against [`Limits::max_samples`], and nested values and
//! metadata elements against a depth of [`MAX_DEPTH`], so a type cycle is an error.

mod reader;

use rustc_hash::FxHashMap;

use super::{Detect, Loaded, Options};
use crate::builder::{Builder, Row};
use crate::error::{At, Error, ErrorKind, Format, Result};
use crate::limits::Limits;
use crate::model::{
    AttrSetId, Attribute, FrameKind, FunctionId, Layout, ProfileInfo, ProfileSet, SampleType,
    StackId,
};
use reader::*;

const MAGIC: &[u8; 4] = b"FLR\0";
const HEADER_SIZE: usize = 68;
/// Deepest nesting of metadata elements or inline values. Real recordings nest about five
/// deep; a type that contains itself inline would recurse forever.
pub const MAX_DEPTH: usize = 32;

/// Whether `bytes` start like a JFR chunk.
pub fn sniff(bytes: &[u8]) -> Detect {
    if bytes.starts_with(MAGIC) {
        Detect::Yes
    } else if MAGIC.starts_with(bytes) {
        Detect::NeedMore
    } else {
        Detect::No
    }
}

/// Read a whole recording (every chunk).
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    load(bytes, &options.limits).map(Loaded::Profiles)
}

/// Read a whole recording into a [`ProfileSet`].
pub fn load(bytes: &[u8], limits: &Limits) -> Result<ProfileSet> {
    let mut b = Builder::new(Format::Jfr, limits);
    let mut out = Output::default();
    let mut pos = 0;
    while pos < bytes.len() {
        pos = read_chunk(bytes, pos, &mut b, &mut out)?;
    }
    let resource = b.resource(Default::default());
    let (start, end) = out.span.unwrap_or((0, 0));
    for (spec, rows) in EVENTS.iter().zip(out.rows) {
        if rows.is_empty() {
            continue;
        }
        let info = ProfileInfo {
            resource,
            time_unix_nano: start,
            duration_nano: end.saturating_sub(start),
            attributes: vec![Attribute {
                key: "jfr.event".into(),
                value: spec.event.into(),
            }],
            ..Default::default()
        };
        b.begin_profile(
            info,
            SampleType {
                name: spec.sample_type.into(),
                unit: spec.unit.into(),
            },
        );
        b.reserve_rows(rows.len() as u64);
        for row in rows {
            b.row(row)?;
        }
    }
    Ok(b.finish(Layout::NotOtlp))
}

/// A sample event we read, and what it becomes.
struct EventSpec {
    event: &'static str,
    sample_type: &'static str,
    unit: &'static str,
    /// The field holding the weight; `None` weighs each event 1.
    weight: Option<&'static str>,
}

const EVENTS: [EventSpec; 5] = [
    EventSpec {
        event: "jdk.ExecutionSample",
        sample_type: "cpu",
        unit: "count",
        weight: None,
    },
    EventSpec {
        event: "jdk.NativeMethodSample",
        sample_type: "wall",
        unit: "count",
        weight: None,
    },
    EventSpec {
        event: "jdk.ObjectAllocationSample",
        sample_type: "alloc",
        unit: "bytes",
        weight: Some("weight"),
    },
    EventSpec {
        event: "jdk.ObjectAllocationInNewTLAB",
        sample_type: "alloc_tlab",
        unit: "bytes",
        weight: Some("tlabSize"),
    },
    EventSpec {
        event: "jdk.ObjectAllocationOutsideTLAB",
        sample_type: "alloc_outside_tlab",
        unit: "bytes",
        weight: Some("allocationSize"),
    },
];

/// Rows collected per event kind across chunks: a profile's rows must be contiguous.
#[derive(Default)]
struct Output {
    rows: [Vec<Row>; 5],
    count: u64,
    /// Earliest chunk start and latest chunk end, ns.
    span: Option<(u64, u64)>,
}

/// Where an event is and what it is.
struct EventAt {
    body: usize,
    end: usize,
    kind: usize,
}

/// Per-event-class field positions, found once per chunk.
struct EventFields {
    kind: usize,
    start_time: Option<usize>,
    thread: Option<usize>,
    stack: Option<usize>,
    weight: Option<usize>,
    /// Fields after this one are not needed.
    last: usize,
}

fn read_chunk(data: &[u8], start: usize, b: &mut Builder<'_>, out: &mut Output) -> Result<usize> {
    let h = read_header(data, start)?;
    let types = read_metadata(&mut h.cursor(data, h.metadata))?;
    let reader = Reader {
        types: &types,
        stack_frame: types.named("jdk.types.StackFrame"),
    };
    let pooled: Vec<bool> = types
        .classes
        .iter()
        .map(|c| POOLED.contains(&c.name.as_str()))
        .collect();
    let mut pools = Pools {
        string_class: types.named("java.lang.String"),
        ..Default::default()
    };
    let mut wanted: FxHashMap<i64, EventFields> = FxHashMap::default();
    for (&id, &ci) in &types.by_id {
        let class = &types.classes[ci];
        let Some(kind) = EVENTS.iter().position(|e| e.event == class.name) else {
            continue;
        };
        let thread = class
            .field("sampledThread")
            .or_else(|| class.field("eventThread"));
        let weight = EVENTS[kind].weight.and_then(|w| class.field(w));
        let start_time = class.field("startTime");
        let stack = class.field("stackTrace");
        let last = [start_time, thread, stack, weight]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
        wanted.insert(
            id,
            EventFields {
                kind,
                start_time,
                thread,
                stack,
                weight,
                last,
            },
        );
    }

    // Pass 1: walk the events, reading checkpoints and noting sample events.
    let mut events: Vec<(EventAt, i64)> = Vec::new();
    let mut pos = h.start + HEADER_SIZE;
    while pos < h.end {
        let mut c = h.cursor(data, pos);
        let size = c.int(4)?;
        let kind = c.long()?;
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| pos.checked_add(s))
            .filter(|&e| e >= c.pos && e <= h.end)
            .ok_or_else(|| {
                bad(
                    pos,
                    format!(
                        "an event declares {size} bytes, which does not fit the {} left in its chunk",
                        h.end - pos
                    ),
                )
            })?;
        if kind == 1 {
            c.end = end;
            read_checkpoint(&mut c, &reader, &pooled, &mut pools, b)?;
        } else if wanted.contains_key(&kind) {
            events.push((
                EventAt {
                    body: c.pos,
                    end,
                    kind: 0,
                },
                kind,
            ));
        }
        pos = end;
    }

    // Pass 2: the samples, now that every constant is known.
    let mut conv = Converter {
        types: &types,
        stack_trace_class: types.named("jdk.types.StackTrace"),
        method_class: types.named("jdk.types.Method"),
        pools: &pools,
        stacks: FxHashMap::default(),
        methods: FxHashMap::default(),
        kinds: FxHashMap::default(),
        threads: FxHashMap::default(),
    };
    for (mut at, id) in events {
        let fields = &wanted[&id];
        at.kind = fields.kind;
        let class = &types.classes[types.by_id[&id]];
        let mut c = Cursor {
            end: at.end,
            ..h.cursor(data, at.body)
        };
        let mut vals: [Val; 4] = Default::default();
        for (i, f) in class.fields.iter().enumerate().take(fields.last + 1) {
            let slot = [
                fields.start_time,
                fields.thread,
                fields.stack,
                fields.weight,
            ]
            .iter()
            .position(|&s| s == Some(i));
            let v = reader.field(&mut c, f, 0, slot.is_some())?;
            if let Some(slot) = slot {
                vals[slot] = v;
            }
        }
        let [time, thread, stack, weight] = vals;
        let value = match EVENTS[at.kind].weight {
            None => 1,
            Some(_) => weight.int().unwrap_or(0),
        };
        let row = Row {
            stack: conv.stack(b, stack.key())?,
            value,
            time: time.int().map_or(0, |t| h.nanos(t)),
            link: None,
            attrs: conv.thread(b, &thread),
        };
        if out.count >= b.limits().max_samples {
            return Err(Error::limit(
                Format::Jfr,
                At::Byte(at.body as u64),
                format!(
                    "more than {} sample events, the limit",
                    b.limits().max_samples
                ),
            ));
        }
        out.count += 1;
        out.rows[at.kind].push(row);
    }

    let chunk_start = h.nanos(h.start_ticks);
    let chunk_end = chunk_start.saturating_add(h.duration_nanos.max(0) as u64);
    out.span = Some(match out.span {
        Some((s, e)) => (s.min(chunk_start), e.max(chunk_end)),
        None => (chunk_start, chunk_end),
    });
    Ok(h.end)
}

fn read_checkpoint(
    c: &mut Cursor<'_>,
    reader: &Reader<'_>,
    pooled: &[bool],
    pools: &mut Pools,
    b: &Builder<'_>,
) -> Result<()> {
    let _start_time = c.long()?;
    let _duration = c.long()?;
    let _delta = c.long()?;
    let _flags = c.u8()?;
    let n = c.count("constant pool")?;
    for _ in 0..n {
        let at = c.pos;
        let id = c.long()?;
        let Some(&class) = reader.types.by_id.get(&id) else {
            return Err(bad(
                at,
                format!("a constant pool of class id {id}, which the metadata does not declare"),
            ));
        };
        let count = c.count("constant")?;
        let keep = pooled[class];
        for _ in 0..count {
            let key = c.long()?;
            let t = &reader.types.classes[class];
            if !keep {
                reader.value(c, class, 0, false)?;
                continue;
            }
            let vals = if t.prim == Prim::Struct {
                let mut vals = Vec::with_capacity(t.fields.len());
                for f in &t.fields {
                    vals.push(reader.field(c, f, 0, true)?);
                }
                vals
            } else {
                vec![reader.value(c, class, 0, true)?]
            };
            if pools.entries.len() as u64 >= b.limits().max_table_len {
                return Err(Error::limit(
                    Format::Jfr,
                    At::Byte(at as u64),
                    format!(
                        "more than {} constants, the limit",
                        b.limits().max_table_len
                    ),
                ));
            }
            pools.entries.insert((class, key), vals);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Constants → builder ids

/// A class's binary name (`java/util/HashMap$Node`) with dots. A hidden class
/// (`Foo$$Lambda$14+0x0000000800c0b000/123456`, a lambda or method-handle form) drops its
/// address and hash, which change from run to run, so that its frames merge and its
/// package is the class's.
fn class_name(name: &str) -> String {
    let name = name.find("+0x").map_or(name, |i| &name[..i]);
    name.replace('/', ".")
}

struct Converter<'a> {
    types: &'a Types,
    stack_trace_class: Option<usize>,
    method_class: Option<usize>,
    pools: &'a Pools,
    stacks: FxHashMap<i64, Option<StackId>>,
    methods: FxHashMap<i64, FunctionId>,
    kinds: FxHashMap<i64, FrameKind>,
    threads: FxHashMap<i64, AttrSetId>,
}

impl Converter<'_> {
    fn stack(&mut self, b: &mut Builder<'_>, key: Option<i64>) -> Result<Option<StackId>> {
        let Some(key) = key else {
            return Ok(None);
        };
        if let Some(&s) = self.stacks.get(&key) {
            return Ok(s);
        }
        let class = self.stack_trace_class;
        let entry = class.and_then(|c| self.pools.get(c, key));
        let Some(entry) = entry else {
            b.diags.push(
                Format::Jfr,
                "samples refer to a stack trace missing from the constant pool; shown as (unknown stack trace)",
            );
            let f = b.function("(unknown stack trace)", "");
            let frame = b.frame(f, 0, FrameKind::Unknown);
            let s = b.stack(&[frame]);
            self.stacks.insert(key, s);
            return Ok(s);
        };
        let t = &self.types.classes[class.unwrap_or_default()];
        let truncated = t
            .field("truncated")
            .and_then(|i| entry.get(i))
            .and_then(Val::int)
            .is_some_and(|v| v != 0);
        let frames: &[RawFrame] = match t.field("frames").and_then(|i| entry.get(i)) {
            Some(Val::Frames(f)) => f,
            _ => &[],
        };
        let mut ids = Vec::with_capacity(frames.len() + 1);
        if truncated {
            let f = b.function("(truncated)", "");
            ids.push(b.frame(f, 0, FrameKind::Unknown));
        }
        for raw in frames.iter().rev() {
            let function = self.method(b, raw.method);
            let kind = self.kind(&raw.kind);
            let line = u32::try_from(raw.line).unwrap_or(0);
            ids.push(b.frame(function, line, kind));
        }
        let s = b.stack(&ids);
        self.stacks.insert(key, s);
        Ok(s)
    }

    fn method(&mut self, b: &mut Builder<'_>, key: Option<i64>) -> FunctionId {
        let Some(key) = key else {
            return b.function("(unknown method)", "");
        };
        if let Some(&f) = self.methods.get(&key) {
            return f;
        }
        let (types, pools) = (self.types, self.pools);
        let method = self
            .method_class
            .map(|c| Val::Ref(c, key))
            .filter(|v| matches!(v, Val::Ref(c, k) if pools.get(*c, *k).is_some()));
        let f = match method {
            None => {
                b.diags.push(
                    Format::Jfr,
                    "stack frames refer to a method missing from the constant pool; shown as (unknown method)",
                );
                b.function("(unknown method)", "")
            }
            Some(m) => {
                let name = pools
                    .field(types, &m, "name")
                    .and_then(|v| pools.text(types, v, 0))
                    .unwrap_or("(unknown)");
                let class = pools
                    .field(types, &m, "type")
                    .and_then(|c| pools.field(types, c, "name"))
                    .and_then(|v| pools.text(types, v, 0));
                match class {
                    Some(class) => {
                        let full = format!("{}.{name}", class_name(class));
                        b.function(&full, "")
                    }
                    None => b.function(name, ""),
                }
            }
        };
        self.methods.insert(key, f);
        f
    }

    fn kind(&mut self, v: &Val) -> FrameKind {
        let key = match v {
            Val::Ref(_, k) => Some(*k),
            _ => None,
        };
        if let Some(k) = key
            && let Some(&kind) = self.kinds.get(&k)
        {
            return kind;
        }
        let kind = match self.pools.text(self.types, v, 0) {
            Some("Interpreted") => FrameKind::Interpreted,
            Some("JIT compiled") => FrameKind::Jit,
            Some("Inlined") => FrameKind::Inlined,
            Some("Native") => FrameKind::Native,
            _ => FrameKind::Unknown,
        };
        if let Some(k) = key {
            self.kinds.insert(k, kind);
        }
        kind
    }

    fn thread(&mut self, b: &mut Builder<'_>, v: &Val) -> AttrSetId {
        let Val::Ref(class, key) = v else {
            return AttrSetId::new(0);
        };
        if let Some(&a) = self.threads.get(key) {
            return a;
        }
        let (types, pools) = (self.types, self.pools);
        let mut attrs = Vec::new();
        if pools.get(*class, *key).is_none() {
            b.diags.push(
                Format::Jfr,
                "samples refer to a thread missing from the constant pool",
            );
        }
        let text = |name: &str| {
            pools
                .field(types, v, name)
                .and_then(|t| pools.text(types, t, 0))
                .filter(|s| !s.is_empty())
        };
        if let Some(name) = text("javaName").or_else(|| text("osName")) {
            attrs.push(Attribute {
                key: "thread.name".into(),
                value: name.to_owned(),
            });
        }
        if let Some(id) = pools
            .field(types, v, "javaThreadId")
            .and_then(Val::int)
            .filter(|&id| id > 0)
        {
            attrs.push(Attribute {
                key: "thread.id".into(),
                value: id.to_string(),
            });
        }
        let a = b.attr_set(attrs);
        self.threads.insert(*key, a);
        a
    }
}
