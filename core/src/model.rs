//! The columnar profile model every input format is normalised into.
//!
//! Tables are struct-of-arrays with `u32` ids, as in pprof and the Firefox Profiler's processed
//! format: compact, cache-friendly and cheap to filter. Every id has its own type
//! ([`StringId`], [`FunctionId`], [`FrameId`], [`StackId`], [`SampleTypeId`], ...; free
//! newtypes, so a frame id cannot index the functions): the small tables' fields and every
//! API use them, and only the big per-row columns ([`SampleTable`], [`StackTable`]) stay raw
//! `u32` with [`NONE`], for the reason given in `model/ids.rs`. Strings,
//! functions, frames, stacks, links and attribute sets are interned across every message of a
//! file (JSON Lines carry one dictionary per line), so equal things get equal ids.
//!
//! Stacks are a prefix tree stored root-first: `stacks.parent[s]` is the stack one frame
//! shorter, and a parent always has a smaller id than its children. Building a call tree is
//! therefore a single forward pass.

use std::hash::Hash;
use std::sync::{Arc, OnceLock};

use crate::error::{Diagnostic, Format};

mod ids;
mod index;
mod paths;
mod samples;
pub use ids::{
    AttrSetId, FrameId, FunctionId, LinkId, NodeId, ProfileId, ResourceId, SampleTypeId, SpanIdx,
    StackId, StringId,
};
pub(crate) use index::SampleIndex;
pub use paths::StackPaths;
pub use samples::{SampleTable, Times, Values};

/// "No entry" in a `u32` id column.
pub const NONE: u32 = u32::MAX;

/// Interns values of type `T`, handing out dense `u32` ids.
#[derive(Debug, Clone)]
pub struct Interner<T: Eq + Hash + Clone> {
    items: Vec<T>,
    ids: rustc_hash::FxHashMap<T, u32>,
}

impl<T: Eq + Hash + Clone> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            items: Vec::new(),
            ids: Default::default(),
        }
    }
}

impl<T: Eq + Hash + Clone> Interner<T> {
    /// The id of `item`, adding it if new.
    pub fn intern(&mut self, item: T) -> u32 {
        if let Some(&id) = self.ids.get(&item) {
            return id;
        }
        let id = self.items.len() as u32;
        self.items.push(item.clone());
        self.ids.insert(item, id);
        id
    }

    /// The id of `item` if it is interned.
    pub fn get<Q>(&self, item: &Q) -> Option<u32>
    where
        T: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ids.get(item).copied()
    }

    /// The interned values, indexed by id.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Number of interned values.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Drop the lookup map once building is done; the items stay.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

/// What kind of code a frame is, from the `profile.frame.type` location attribute: the
/// coarse family that picks a colour. The exact runtime (`cpython`, `jvm`, ...) is kept
/// beside it, in [`Frame::frame_type`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FrameKind {
    /// Not said.
    #[default]
    Unknown,
    /// Operating-system kernel.
    Kernel,
    /// Native code (C, C++, Rust, Go, ...).
    Native,
    /// Interpreted or JIT-compiled code (Python, JVM, V8, Ruby, PHP, .NET, ...).
    Interpreted,
    /// JIT-compiled code, where the format tells it from interpreted code (JFR).
    Jit,
    /// A method the JIT inlined into its caller (JFR).
    Inlined,
}

impl FrameKind {
    /// Map a `profile.frame.type` value to a kind. The eBPF profiler's own markers
    /// (`unknown`, `abort-marker` where unwinding stopped, `<invalid>`) and its
    /// `apm-integration` frames are no code of the program, so they are unknown.
    pub fn from_frame_type(value: &str) -> FrameKind {
        match value {
            "kernel" => FrameKind::Kernel,
            "native" | "go" | "rust" | "c" | "cpp" => FrameKind::Native,
            "" | "unknown" | "abort-marker" | "<invalid>" | "apm-integration" => FrameKind::Unknown,
            _ => FrameKind::Interpreted,
        }
    }

    /// A short label for legends and tooltips.
    pub fn label(self) -> &'static str {
        match self {
            FrameKind::Unknown => "unknown",
            FrameKind::Kernel => "kernel",
            FrameKind::Native => "native",
            FrameKind::Interpreted => "interpreted/JIT",
            FrameKind::Jit => "JIT compiled",
            FrameKind::Inlined => "inlined",
        }
    }

    /// Every kind, in legend order.
    pub const ALL: [FrameKind; 6] = [
        FrameKind::Kernel,
        FrameKind::Native,
        FrameKind::Interpreted,
        FrameKind::Jit,
        FrameKind::Inlined,
        FrameKind::Unknown,
    ];
}

/// A function: name and file, the unit a call tree merges on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Function {
    /// Human-readable name (for an unsymbolised frame, `binary+0xoffset`).
    pub name: StringId,
    /// Source file (for an unsymbolised frame, the mapped binary's path), or the empty
    /// string's id.
    pub file: StringId,
    /// String id of the build id of the binary an unsymbolised frame is in (hex, as the
    /// mapping's `process.executable.build_id.*` attribute gives it), or the empty string's:
    /// what a symbol server needs to name the frame.
    pub build_id: StringId,
}

/// A frame: one function at one line. Inlined lines of a location become several frames.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The function this frame is a line of.
    pub function: FunctionId,
    /// Source line, 0 if unknown.
    pub line: u32,
    /// Kind of code.
    pub kind: FrameKind,
    /// String id of the `profile.frame.type` value as the producer wrote it (`cpython`,
    /// `jvm`, `go`, `abort-marker`, ...), or the empty string's when not said.
    pub frame_type: StringId,
}

/// A trace/span pair a sample is linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanKey {
    /// 16-byte trace id.
    pub trace_id: [u8; 16],
    /// 8-byte span id.
    pub span_id: [u8; 8],
}

impl SpanKey {
    /// Lower-case hex of the span id.
    pub fn span_hex(&self) -> String {
        hex(&self.span_id)
    }

    /// Lower-case hex of the trace id.
    pub fn trace_hex(&self) -> String {
        hex(&self.trace_id)
    }
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Parse hex (either case) into exactly `N` bytes.
pub fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// A key/value attribute, the value rendered as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Attribute {
    /// Key.
    pub key: String,
    /// Value as text (integers in decimal, arrays as JSON-like lists).
    pub value: String,
}

/// What a profile's values measure, e.g. `cpu`/`nanoseconds` or `samples`/`count`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SampleType {
    /// The type, e.g. `cpu`, `wall`, `samples`, `alloc_space`.
    pub name: String,
    /// The unit, e.g. `nanoseconds`, `count`, `bytes`.
    pub unit: String,
}

impl std::fmt::Display for SampleType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.name, self.unit)
    }
}

/// A resource (a process, service or container) with its attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resource {
    /// Resource attributes.
    pub attributes: Vec<Attribute>,
}

impl Resource {
    /// The value of attribute `key`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }
}

/// Where a profile's stacks come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Origin {
    /// Stacks as the producer recorded them (sampled, or traced call by call).
    #[default]
    Sampled,
    /// Stacks rebuilt from per-function totals and caller/callee edges (a deterministic
    /// profiler such as Python's cProfile records no stacks): widths are the producer's
    /// times, but how a function's time splits over its call paths is an estimate.
    CallGraph,
}

/// How often a function was called, as deterministic profilers count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Calls {
    /// Every call, recursive ones included.
    pub total: u64,
    /// Calls that were not recursive (Python's "primitive" calls).
    pub primitive: u64,
}

impl std::fmt::Display for Calls {
    /// `total`, or `total/primitive` when they differ, as Python's pstats prints them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.total == self.primitive {
            write!(f, "{}", self.total)
        } else {
            write!(f, "{}/{}", self.total, self.primitive)
        }
    }
}

/// One profile of the input: a sample type over a time range from one resource and scope.
/// The default is the first resource, no scope, times or attributes; the builder sets
/// `sample_type` and `samples` in [`crate::builder::Builder::begin_profile`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInfo {
    /// Index into [`ProfileSet::resources`].
    pub resource: ResourceId,
    /// Instrumentation scope name.
    pub scope: String,
    /// Index into [`ProfileSet::sample_types`].
    pub sample_type: SampleTypeId,
    /// What `period` measures (for example `cpu`/`nanoseconds`), if given.
    pub period_type: Option<SampleType>,
    /// The sampling period in `period_type` units, 0 if not given.
    pub period: i64,
    /// Collection start, UTC nanoseconds; 0 if not given.
    pub time_unix_nano: u64,
    /// Collection duration in nanoseconds.
    pub duration_nano: u64,
    /// Profile attributes.
    pub attributes: Vec<Attribute>,
    /// Hex profile id, empty if not given.
    pub profile_id: String,
    /// Sample rows `[start, end)` belonging to this profile.
    pub samples: std::ops::Range<u32>,
    /// Whether the stacks were recorded or rebuilt from a call graph.
    pub origin: Origin,
}

/// The stack prefix tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackTable {
    /// The stack one frame shorter ([`NONE`] at the root).
    pub parent: Vec<u32>,
    /// The innermost frame of this stack.
    pub frame: Vec<u32>,
}

impl StackTable {
    /// The stack one frame shorter than `s` (`None` at the root).
    pub fn parent_of(&self, s: StackId) -> Option<StackId> {
        StackId::from_raw(self.parent[s.index()])
    }

    /// The innermost frame of stack `s`.
    pub fn frame_of(&self, s: StackId) -> FrameId {
        FrameId::new(self.frame[s.index()])
    }

    /// Number of stacks.
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// Whether there are no stacks.
    pub fn is_empty(&self) -> bool {
        self.frame.is_empty()
    }
}

/// Format-specific facts about how a file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// OTLP profiles v1.8 (`Sample.values` = 2, `Profile.comment_strindices` = 7).
    OtlpV1_8,
    /// OTLP profiles v1.9 (`Sample.values` = 2, `attribute_indices` = 3, `link_index` = 4).
    OtlpV1_9,
    /// OTLP profiles v1.10 and v1.11 (`Sample.attribute_indices` = 2, `link_index` = 3, `values` = 4).
    OtlpV1_10,
    /// JSON carries field names, not numbers, so the wire layouts read alike.
    OtlpJson,
    /// Not an OTLP file.
    NotOtlp,
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Layout::OtlpV1_8 => "v1.8",
            Layout::OtlpV1_9 => "v1.9",
            Layout::OtlpV1_10 => "v1.10/v1.11",
            Layout::OtlpJson => "JSON (field names; v1.8 to v1.11)",
            Layout::NotOtlp => "-",
        })
    }
}

/// A parsed profile file: every profile in it, over shared interned tables.
#[derive(Debug, Clone)]
pub struct ProfileSet {
    /// The format the data was read from.
    pub format: Format,
    /// The wire layout detected.
    pub layout: Layout,
    /// Whether the file was gzip-compressed.
    pub gzipped: bool,
    /// Interned strings (function names, files).
    pub strings: Arc<Vec<String>>,
    /// Functions, by id.
    pub functions: Vec<Function>,
    /// Frames, by id.
    pub frames: Vec<Frame>,
    /// Stack prefix tree.
    pub stacks: StackTable,
    /// Trace/span links, by id.
    pub links: Vec<SpanKey>,
    /// Attribute sets, by id (sample attributes such as `thread.name`).
    pub attr_sets: Vec<Vec<Attribute>>,
    /// Resources.
    pub resources: Vec<Resource>,
    /// Distinct sample types, by id; id 0 is the one to show first (see
    /// [`ProfileSet::sample_types`]).
    pub sample_types: Vec<SampleType>,
    /// Profiles, in input order.
    pub profiles: Vec<ProfileInfo>,
    /// Sample rows of all profiles, grouped by profile.
    pub samples: SampleTable,
    /// Recoverable oddities met while reading.
    pub diagnostics: Vec<Diagnostic>,
    /// Call counts by function id, for formats that count calls (cProfile); empty otherwise.
    pub function_calls: Vec<Option<Calls>>,
    pub(crate) index: OnceLock<SampleIndex>,
    /// The stacks' call paths, made on the first call tree.
    pub(crate) paths: OnceLock<StackPaths>,
    /// [`ProfileSet::time_range`], worked out on first use: the timeline's chip asks on every
    /// brush, and it is a pass over every row.
    pub(crate) time_bounds: OnceLock<Option<(u64, u64)>>,
}

/// Heap bytes of a `Vec` (its capacity, so what is really held).
pub(crate) fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

impl ProfileSet {
    /// What the set holds in memory, by part, in bytes (tables by capacity; strings and
    /// attributes by their text). For the memory accounting in BENCHMARKS.md.
    pub fn memory_use(&self) -> Vec<(&'static str, usize)> {
        let text = |s: &String| std::mem::size_of::<String>() + s.capacity();
        let attrs = |a: &[Attribute]| {
            a.iter()
                .map(|a| text(&a.key) + text(&a.value))
                .sum::<usize>()
        };
        let mut out = self.samples.memory_use().to_vec();
        out.extend([
            (
                "stacks",
                vec_bytes(&self.stacks.parent) + vec_bytes(&self.stacks.frame),
            ),
            ("strings", self.strings.iter().map(text).sum::<usize>()),
            (
                "functions and frames",
                vec_bytes(&self.functions) + vec_bytes(&self.frames),
            ),
            (
                "links, attribute sets, resources, profiles",
                vec_bytes(&self.links)
                    + self.attr_sets.iter().map(|a| attrs(a)).sum::<usize>()
                    + self
                        .resources
                        .iter()
                        .map(|r| attrs(&r.attributes))
                        .sum::<usize>()
                    + vec_bytes(&self.profiles),
            ),
        ]);
        if let Some(index) = self.index.get() {
            out.push(("span index", index.memory_use()));
        }
        if let Some(paths) = self.paths.get() {
            out.push(("call paths", paths.memory_use()));
        }
        out
    }

    /// The format the data was read from.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether any profile's stacks were rebuilt from a call graph rather than recorded
    /// (see [`Origin::CallGraph`]).
    pub fn from_call_graph(&self) -> bool {
        self.profiles.iter().any(|p| p.origin == Origin::CallGraph)
    }

    /// How often function `f` was called, when the format counts calls.
    pub fn calls(&self, f: FunctionId) -> Option<Calls> {
        self.function_calls.get(f.index()).copied().flatten()
    }

    /// String `s` of the string table ("" for an id outside it).
    pub fn string(&self, s: StringId) -> &str {
        self.strings.get(s.index()).map_or("", String::as_str)
    }

    /// The distinct sample types. The first is the default, the one to show first: the one
    /// the input names (pprof's `default_sample_type`, OTLP's `pprof.scope.default_sample_type`
    /// scope attribute), else the format's own default (for pprof the last type, as
    /// `profile.proto` says; otherwise the first seen). The rest follow in input order.
    pub fn sample_types(&self) -> &[SampleType] {
        &self.sample_types
    }

    /// The name of function `f`.
    pub fn function_name(&self, f: FunctionId) -> &str {
        self.functions
            .get(f.index())
            .map_or("", |func| self.string(func.name))
    }

    /// Frames of stack `s`, root first (none for the empty stack).
    pub fn stack_frames(&self, mut s: Option<StackId>) -> Vec<FrameId> {
        let mut out = Vec::new();
        while let Some(id) = s {
            out.push(self.stacks.frame_of(id));
            s = self.stacks.parent_of(id);
        }
        out.reverse();
        out
    }

    /// Smallest and largest sample timestamp, if any sample has one.
    pub fn time_range(&self) -> Option<(u64, u64)> {
        *self
            .time_bounds
            .get_or_init(|| self.samples.times()?.min_max())
    }

    /// Number of sample rows linked to a span.
    pub fn linked_sample_count(&self) -> usize {
        (self.samples.links()).map_or(0, |l| l.iter().filter(|&&l| l != NONE).count())
    }

    /// The profile that sample row `row` belongs to (its index in [`ProfileSet::profiles`]).
    /// Profiles' rows are contiguous and in order, so this is a binary search over them.
    #[inline]
    pub fn profile_of_row(&self, row: usize) -> usize {
        self.profiles
            .partition_point(|p| p.samples.end as usize <= row)
    }
}
