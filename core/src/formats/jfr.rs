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

use rustc_hash::FxHashMap;

use super::{Detect, Loaded, Options};
use crate::builder::{Builder, Row};
use crate::error::{At, Error, ErrorKind, Format, Result};
use crate::limits::Limits;
use crate::model::{
    AttrSetId, Attribute, FrameKind, FunctionId, Layout, Origin, ProfileInfo, ProfileSet,
    SampleType, StackId,
};

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
            scope: String::new(),
            sample_type: 0,
            period_type: None,
            period: 0,
            time_unix_nano: start,
            duration_nano: end.saturating_sub(start),
            attributes: vec![Attribute {
                key: "jfr.event".into(),
                value: spec.event.into(),
            }],
            profile_id: String::new(),
            samples: 0..0,
            origin: Origin::Sampled,
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

fn bad(at: usize, message: impl Into<String>) -> Error {
    Error::malformed(Format::Jfr, At::Byte(at as u64), message)
}

// ---------------------------------------------------------------------------------------
// Bytes

/// A bounded cursor over one event (or chunk); positions are absolute in the file.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
    varints: bool,
}

impl<'a> Cursor<'a> {
    fn left(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.left() {
            return Err(bad(
                self.pos,
                format!(
                    "needs {n} bytes but only {} remain in the event or chunk",
                    self.left()
                ),
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn be(&mut self, n: usize) -> Result<i64> {
        let bytes = self.take(n)?;
        let v = bytes.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        // Sign-extend from n bytes.
        let shift = 64 - 8 * n as u32;
        Ok(((v << shift) as i64) >> shift)
    }

    /// Seven bits a byte, low first, high bit = more; the ninth byte gives all eight bits.
    fn varint(&mut self) -> Result<i64> {
        let start = self.pos;
        let mut v = 0u64;
        for i in 0..8 {
            let b = self
                .u8()
                .map_err(|_| bad(start, "a number runs past the end"))?;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v as i64);
            }
        }
        let b = self
            .u8()
            .map_err(|_| bad(start, "a number runs past the end"))?;
        Ok((v | (u64::from(b) << 56)) as i64)
    }

    fn int(&mut self, raw_bytes: usize) -> Result<i64> {
        if self.varints {
            self.varint()
        } else {
            self.be(raw_bytes)
        }
    }

    fn long(&mut self) -> Result<i64> {
        self.int(8)
    }

    /// A count of things that each take at least one byte: checked against what is left.
    fn count(&mut self, what: &str) -> Result<usize> {
        let at = self.pos;
        let n = self.int(4)?;
        match usize::try_from(n) {
            Ok(n) if n <= self.left() => Ok(n),
            _ => Err(bad(
                at,
                format!(
                    "{what} count {n} is negative or more than the {} bytes left",
                    self.left()
                ),
            )),
        }
    }

    /// A string in any of JFR's encodings. `keep` = false skips it without allocating.
    fn string(&mut self, keep: bool) -> Result<Val> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(Val::Skip),
            1 => Ok(if keep {
                Val::Str(String::new())
            } else {
                Val::Skip
            }),
            2 => Ok(Val::StrRef(self.long()?)),
            3 => {
                let n = self.count("string byte")?;
                let bytes = self.take(n)?;
                Ok(if keep {
                    Val::Str(String::from_utf8_lossy(bytes).into_owned())
                } else {
                    Val::Skip
                })
            }
            4 => {
                let n = self.count("string char")?;
                let mut units = Vec::new();
                for _ in 0..n {
                    let c = self.int(2)? as u16;
                    if keep {
                        units.push(c);
                    }
                }
                Ok(if keep {
                    Val::Str(String::from_utf16_lossy(&units))
                } else {
                    Val::Skip
                })
            }
            5 => {
                let n = self.count("string byte")?;
                let bytes = self.take(n)?;
                Ok(if keep {
                    Val::Str(bytes.iter().map(|&b| char::from(b)).collect())
                } else {
                    Val::Skip
                })
            }
            e => Err(bad(at, format!("unknown string encoding {e}"))),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Metadata

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prim {
    Struct,
    Byte,
    Number,
    Float,
    Double,
    Str,
}

#[derive(Debug)]
struct Field {
    name: String,
    /// Index into [`Types::classes`].
    class: usize,
    pool: bool,
    array: bool,
}

#[derive(Debug)]
struct Class {
    name: String,
    prim: Prim,
    /// Raw bytes of an integer of this class when varints are off.
    width: usize,
    fields: Vec<Field>,
}

impl Class {
    fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

#[derive(Debug, Default)]
struct Types {
    classes: Vec<Class>,
    by_id: FxHashMap<i64, usize>,
}

impl Types {
    fn named(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }
}

/// One element of the metadata tree, borrowing the metadata's string table.
struct Element<'s> {
    name: &'s str,
    attrs: Vec<(&'s str, &'s str)>,
    children: Vec<Element<'s>>,
}

impl<'s> Element<'s> {
    fn attr(&self, key: &str) -> Option<&'s str> {
        self.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

fn read_metadata(c: &mut Cursor<'_>) -> Result<Types> {
    let start = c.pos;
    let _size = c.int(4)?;
    let kind = c.long()?;
    if kind != 0 {
        return Err(bad(
            start,
            format!("the header's metadata offset points at an event of type {kind}, not 0"),
        ));
    }
    let _start_time = c.long()?;
    let _duration = c.long()?;
    let _id = c.long()?;
    let n = c.count("metadata string")?;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        let at = c.pos;
        strings.push(match c.string(true)? {
            Val::Str(s) => s,
            Val::Skip => String::new(),
            _ => return Err(bad(at, "a metadata string refers to a constant pool")),
        });
    }
    let root = element(c, &strings, 0)?;
    let mut types = Types::default();
    let classes: Vec<&Element<'_>> = root
        .children
        .iter()
        .filter(|e| e.name == "metadata")
        .flat_map(|m| &m.children)
        .filter(|e| e.name == "class")
        .collect();
    let id_of = |e: &Element<'_>, key: &str| -> Result<i64> {
        e.attr(key)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad(start, format!("a metadata {} has no numeric {key}", e.name)))
    };
    for class in &classes {
        let name = class.attr("name").unwrap_or_default().to_owned();
        let (prim, width) = match name.as_str() {
            "boolean" | "byte" => (Prim::Byte, 1),
            "char" | "short" => (Prim::Number, 2),
            "int" => (Prim::Number, 4),
            "long" => (Prim::Number, 8),
            "float" => (Prim::Float, 4),
            "double" => (Prim::Double, 8),
            "java.lang.String" => (Prim::Str, 0),
            _ => (Prim::Struct, 0),
        };
        types.by_id.insert(id_of(class, "id")?, types.classes.len());
        types.classes.push(Class {
            name,
            prim,
            width,
            fields: Vec::new(),
        });
    }
    for (i, class) in classes.iter().enumerate() {
        for f in class.children.iter().filter(|e| e.name == "field") {
            let id = id_of(f, "class")?;
            let Some(&target) = types.by_id.get(&id) else {
                return Err(bad(
                    start,
                    format!(
                        "field {} of {} has class id {id}, which the metadata does not declare",
                        f.attr("name").unwrap_or_default(),
                        types.classes[i].name
                    ),
                ));
            };
            let field = Field {
                name: f.attr("name").unwrap_or_default().to_owned(),
                class: target,
                pool: f.attr("constantPool") == Some("true"),
                array: f.attr("dimension").is_some_and(|d| d != "0"),
            };
            types.classes[i].fields.push(field);
        }
    }
    Ok(types)
}

fn element<'s>(c: &mut Cursor<'_>, strings: &'s [String], depth: usize) -> Result<Element<'s>> {
    if depth > MAX_DEPTH {
        return Err(bad(
            c.pos,
            format!("metadata elements nest deeper than {MAX_DEPTH}"),
        ));
    }
    let string = |c: &mut Cursor<'_>| -> Result<&'s str> {
        let at = c.pos;
        let i = c.int(4)?;
        usize::try_from(i)
            .ok()
            .and_then(|i| strings.get(i))
            .map(String::as_str)
            .ok_or_else(|| bad(at, format!("metadata string index {i} is out of range")))
    };
    let name = string(c)?;
    let n = c.count("metadata attribute")?;
    let mut attrs = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        attrs.push((string(c)?, string(c)?));
    }
    let n = c.count("metadata element")?;
    let mut children = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        children.push(element(c, strings, depth + 1)?);
    }
    Ok(Element {
        name,
        attrs,
        children,
    })
}

// ---------------------------------------------------------------------------------------
// Values and constant pools

/// A value read from a field; inline structures other than stack frames are skipped.
#[derive(Debug, Clone, Default)]
enum Val {
    #[default]
    Skip,
    Int(i64),
    Str(String),
    /// A key into the `java.lang.String` pool.
    StrRef(i64),
    /// A key into the pool of a class (an index into [`Types::classes`]).
    Ref(usize, i64),
    Frames(Vec<RawFrame>),
}

#[derive(Debug, Clone)]
struct RawFrame {
    method: Option<i64>,
    line: i64,
    kind: Val,
}

impl Val {
    fn int(&self) -> Option<i64> {
        match self {
            Val::Int(v) => Some(*v),
            _ => None,
        }
    }

    fn key(&self) -> Option<i64> {
        match self {
            Val::Ref(_, k) => Some(*k),
            _ => None,
        }
    }
}

/// Reads values by the metadata's types.
struct Reader<'t> {
    types: &'t Types,
    stack_frame: Option<usize>,
}

impl Reader<'_> {
    fn field(&self, c: &mut Cursor<'_>, f: &Field, depth: usize, keep: bool) -> Result<Val> {
        if f.array {
            let n = c.count("array element")?;
            let frames = keep && !f.pool && Some(f.class) == self.stack_frame;
            let mut out = Vec::new();
            for _ in 0..n {
                let at = c.pos;
                if frames {
                    out.push(self.frame(c, f.class, depth + 1)?);
                } else {
                    self.single(c, f, depth, false)?;
                }
                if c.pos == at {
                    return Err(bad(at, "an array of values that take no bytes"));
                }
            }
            return Ok(if frames { Val::Frames(out) } else { Val::Skip });
        }
        self.single(c, f, depth, keep)
    }

    fn single(&self, c: &mut Cursor<'_>, f: &Field, depth: usize, keep: bool) -> Result<Val> {
        if f.pool {
            return Ok(Val::Ref(f.class, c.long()?));
        }
        self.value(c, f.class, depth + 1, keep)
    }

    fn value(&self, c: &mut Cursor<'_>, class: usize, depth: usize, keep: bool) -> Result<Val> {
        if depth > MAX_DEPTH {
            return Err(bad(
                c.pos,
                format!(
                    "values nest deeper than {MAX_DEPTH}: the metadata's types contain themselves"
                ),
            ));
        }
        let t = &self.types.classes[class];
        Ok(match t.prim {
            Prim::Byte => Val::Int(i64::from(c.u8()?)),
            Prim::Number => Val::Int(c.int(t.width)?),
            Prim::Float => {
                c.take(4)?;
                Val::Skip
            }
            Prim::Double => {
                c.take(8)?;
                Val::Skip
            }
            Prim::Str => c.string(keep)?,
            Prim::Struct => {
                for f in &t.fields {
                    self.field(c, f, depth, false)?;
                }
                Val::Skip
            }
        })
    }

    fn frame(&self, c: &mut Cursor<'_>, class: usize, depth: usize) -> Result<RawFrame> {
        let mut frame = RawFrame {
            method: None,
            line: 0,
            kind: Val::Skip,
        };
        for f in &self.types.classes[class].fields {
            let keep = matches!(f.name.as_str(), "method" | "lineNumber" | "type");
            let v = self.field(c, f, depth, keep)?;
            match f.name.as_str() {
                "method" => frame.method = v.key(),
                "lineNumber" => frame.line = v.int().unwrap_or(0),
                "type" => frame.kind = v,
                _ => {}
            }
        }
        Ok(frame)
    }
}

/// The constant pools of one chunk, for the classes a flame graph needs.
#[derive(Default)]
struct Pools {
    entries: FxHashMap<(usize, i64), Vec<Val>>,
    string_class: Option<usize>,
}

/// Classes whose pools are kept.
const POOLED: [&str; 8] = [
    "java.lang.String",
    "jdk.types.Symbol",
    "jdk.types.StackTrace",
    "jdk.types.Method",
    "java.lang.Class",
    "jdk.types.Package",
    "java.lang.Thread",
    "jdk.types.FrameType",
];

impl Pools {
    fn get(&self, class: usize, key: i64) -> Option<&[Val]> {
        self.entries.get(&(class, key)).map(Vec::as_slice)
    }

    /// Field `name` of the constant that `v` refers to.
    fn field<'p>(&'p self, types: &Types, v: &Val, name: &str) -> Option<&'p Val> {
        let Val::Ref(class, key) = v else {
            return None;
        };
        let i = types.classes[*class].field(name)?;
        self.get(*class, *key)?.get(i)
    }

    /// The text a value stands for: a string, a pooled string, or a pooled symbol.
    fn text<'p>(&'p self, types: &Types, v: &'p Val, depth: usize) -> Option<&'p str> {
        if depth > 4 {
            return None;
        }
        match v {
            Val::Str(s) => Some(s),
            Val::StrRef(k) => {
                let entry = self.get(self.string_class?, *k)?;
                self.text(types, entry.first()?, depth + 1)
            }
            Val::Ref(class, key) => {
                let t = &types.classes[*class];
                if t.prim == Prim::Str {
                    return self.text(types, self.get(*class, *key)?.first()?, depth + 1);
                }
                let i = t.field("string").or_else(|| t.field("description"))?;
                self.text(types, self.get(*class, *key)?.get(i)?, depth + 1)
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Chunks

struct Header {
    start: usize,
    end: usize,
    metadata: usize,
    start_nanos: i64,
    duration_nanos: i64,
    start_ticks: i64,
    ticks_per_second: i64,
    varints: bool,
}

fn read_header(data: &[u8], start: usize) -> Result<Header> {
    let left = data.len() - start;
    if left < HEADER_SIZE {
        return Err(bad(
            start,
            format!("a chunk header needs {HEADER_SIZE} bytes, only {left} remain"),
        ));
    }
    let mut c = Cursor {
        data,
        pos: start,
        end: start + HEADER_SIZE,
        varints: false,
    };
    if c.take(4)? != MAGIC {
        return Err(bad(start, "a chunk does not start with FLR\\0"));
    }
    let major = c.be(2)?;
    let minor = c.be(2)?;
    if major != 2 {
        return Err(Error {
            format: Format::Jfr,
            at: At::Byte(start as u64 + 4),
            kind: ErrorKind::Unsupported,
            message: format!(
                "JFR version {major}.{minor}; Spanflame reads version 2 (JDK 11 and later)"
            ),
        });
    }
    let size = c.be(8)?;
    let offset = |c: &mut Cursor<'_>, what: &str, size: i64| -> Result<usize> {
        let at = c.pos;
        let v = c.be(8)?;
        if v < HEADER_SIZE as i64 || v >= size {
            return Err(bad(
                at,
                format!("the {what} offset {v} is outside the chunk of {size} bytes"),
            ));
        }
        Ok(v as usize)
    };
    if size < HEADER_SIZE as i64 || size as u64 > left as u64 {
        return Err(bad(
            start + 8,
            format!("the chunk declares {size} bytes, but {left} remain in the file"),
        ));
    }
    let _pools = offset(&mut c, "constant pool", size)?;
    let metadata = offset(&mut c, "metadata", size)?;
    let start_nanos = c.be(8)?;
    let duration_nanos = c.be(8)?;
    let start_ticks = c.be(8)?;
    let at = c.pos;
    let ticks_per_second = c.be(8)?;
    if ticks_per_second <= 0 {
        return Err(bad(at, format!("{ticks_per_second} ticks per second")));
    }
    let flags = data[start + HEADER_SIZE - 1];
    Ok(Header {
        start,
        end: start + size as usize,
        metadata: start + metadata,
        start_nanos,
        duration_nanos,
        start_ticks,
        ticks_per_second,
        varints: flags & 1 != 0,
    })
}

impl Header {
    fn cursor<'a>(&self, data: &'a [u8], pos: usize) -> Cursor<'a> {
        Cursor {
            data,
            pos,
            end: self.end,
            varints: self.varints,
        }
    }

    /// UTC nanoseconds of a tick count, 0 if before the epoch.
    fn nanos(&self, ticks: i64) -> u64 {
        let ns = i128::from(self.start_nanos)
            + (i128::from(ticks) - i128::from(self.start_ticks)) * 1_000_000_000
                / i128::from(self.ticks_per_second);
        ns.clamp(0, i128::from(u64::MAX)) as u64
    }
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
