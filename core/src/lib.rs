//! # spanflame-core
//!
//! The plain-Rust heart of Spanflame: it reads OpenTelemetry profiles (and traces), builds
//! call trees, filters them by span, time and attribute, and lays out flame graphs. It has no
//! browser dependencies and compiles natively and to `wasm32-unknown-unknown`.
//!
//! ## The pipeline
//!
//! 1. **Detect and decode** ([`load`]): gzip is undone (bounded by [`Limits`]); the content,
//!    never the file name, decides the format: each importer of [`formats::IMPORTERS`] is
//!    asked in turn (`sniff`), and the first to say yes parses the file (`parse`): OTLP
//!    profiles and traces as JSON or JSON Lines ([`formats::otlp_json`]), length-prefixed
//!    ([`formats::otlp_length_prefixed`]) or plain protobuf ([`formats::otlp_profiles_binary`],
//!    [`formats::otlp_traces_binary`]); speedscope JSON ([`formats::speedscope`]); V8
//!    `.cpuprofile` and Chrome trace events ([`formats::chrome`]); Java Flight Recorder
//!    ([`formats::jfr`]); pprof ([`formats::pprof`], span links from sample labels); Python
//!    cProfile stats ([`formats::pstats`], stacks rebuilt from caller edges); `perf script`
//!    text ([`formats::perf_script`]; binary `perf.data` is recognised and refused with the
//!    way forward, [`formats::perf_data`]); folded stacks ([`formats::folded`]). What an
//!    importer returns is checked by [`ProfileSet::validate`] or [`TraceSet::validate`].
//!    Binary OTLP profiles come in three wire layouts under one package name (v1.8, v1.9,
//!    v1.10/v1.11); the layout is told from wire types alone
//!    ([`formats::otlp::sniff_layout`]), the observations are counted against the limits
//!    before anything is decoded, and every layout is decoded, one `ResourceProfiles` at a
//!    time, into the v1.10 types of the `opentelemetry-proto` crate — except the samples and
//!    the stack table, which are most of a big file and are read straight off the wire
//!    ([`formats::otlp::hot`]) without an allocation per sample. The JSON formats are read as
//!    the text streams by, into their messages or rows, never into a `serde_json::Value` tree
//!    of the whole file ([`formats::jsonx`] keeps the path for errors and bounds arrays).
//! 2. **Normalise** ([`formats::otlp::normalize`], and every other importer, through
//!    [`builder::Builder`]) into one
//!    columnar [`ProfileSet`]: interned strings, functions, frames (inlined lines expanded),
//!    a root-first stack prefix tree, links, attribute sets, and one sample row per
//!    observation. Dangling indices and odd shapes become [`Diagnostic`]s, not panics.
//! 3. **Filter** ([`Filter`]): by sample type, profile, resource, span ([`SpanSelection`];
//!    [`scope::select`] turns a span and a [`Scope`] — alone, with children, whole trace,
//!    its time window — into one, resolved against a [`TraceSet`]), time range and attributes.
//!    [`selection::narrow`] is the one rule narrowing a filter to what a view selects (a span
//!    in its scope, a time range, attribute picks); [`selection::Selection`] holds that by
//!    ids, for the address and for a baseline pinned from the view ([`diff`]).
//!    An index built once per set makes a span filter touch only its rows; the other
//!    conditions are one sequential pass over the rows.
//!    Attribute conditions can require any of several values or exclude values
//!    ([`AttrCondition`]); [`facets`] lists every attribute key with its values' shares.
//!    [`timeline`] bins the kept weight over time, per attribute value if asked, marking
//!    the samples of one function.
//!    [`transform`]: a stack of [`Transforms`] (focus, merge, drop, collapse recursion or a
//!    package, only my code) rewrites the stack table once into a [`Transformed`] mapping.
//! 4. **Aggregate** ([`ProfileSet::call_tree`], [`ProfileSet::inverted_call_tree`],
//!    [`ProfileSet::folded`], and their `_with` forms over a [`Transformed`] stack table):
//!    weights per stack, then a call tree merged by function. Which stacks merge into one
//!    node, and the nodes' order, are worked out once per stack table
//!    ([`model::StackPaths`]), so each further tree (a span, a time range) is a few passes
//!    over the stacks with no hashing or sorting.
//! 5. **Lay out** ([`FlameLayout`]): one rectangle per node, x as the share of the total,
//!    y as depth, ready for a canvas; [`FlameLayout::focused`] zooms into one node.
//! 6. **Join with traces** ([`TraceSet`], [`spans`]): spans as per-trace trees (missing
//!    parents make roots, cycles are broken with a diagnostic), per-span sample counts for
//!    the span alone and with its descendants, per-span sample timestamps, and the spans whose
//!    samples run a function. [`waterfall`] has what a trace waterfall needs besides: the
//!    traces, the rows with collapsed subtrees, a time axis with round ticks, service colours
//!    and the sampling period.
//! 7. **Compare and export**: [`sandwich`] gives a function's callers (inverted, rooted at
//!    it) and callees over the filtered, transformed view; [`diff`] pairs two [`Side`]s (two
//!    files, spans, ranges or filters) by call path and gives each node's and function's
//!    share before and after; [`export`] writes the view as SVG or gzip'd pprof.
//!
//! Between steps 2 and 3 the browser app crosses threads: it decodes in a Web Worker and
//! posts the [`ProfileSet`] or [`TraceSet`] to the page, flattened by [`transfer::pack`]
//! into a metadata blob and typed columns, and checked and rebuilt by [`transfer::unpack`].
//!
//! ```
//! use spanflame_core::{Filter, FlameLayout, Limits, Loaded, load};
//! let bytes = include_bytes!("../tests/fixtures/otlp/python-ext-0.63b4-file/profiles.v1_9.binpb");
//! let Loaded::Profiles(set) = load(bytes, &Limits::default()).unwrap() else { panic!() };
//! let tree = set.call_tree(&Filter::default());
//! assert_eq!(tree.total(), 187);
//! let layout = FlameLayout::new(&tree);
//! assert!(layout.rects().iter().any(|r| tree.name(r.node) == "hash_loop"));
//! ```
#![deny(missing_docs)]

pub mod any_value;
pub mod builder;
pub mod diff;
pub mod embed;
pub mod error;
pub mod export;
pub mod facets;
pub mod filter;
pub mod formats;
pub mod layout;
pub mod limits;
pub mod model;
pub mod navigate;
pub mod package;
pub mod palette;
pub mod sandwich;
pub mod scope;
pub mod search;
pub mod selection;
pub mod spans;
pub mod timeline;
pub mod trace;
pub mod transfer;
pub mod transform;
pub mod tree;
pub mod units;
mod validate;
pub mod view_hash;
pub mod viewport;
pub mod waterfall;

pub use diff::{Diff, FunctionDiff, NodeDiff, Side};
pub use error::{At, Diagnostic, Error, ErrorKind, Format, Result};
pub use filter::{AttrCondition, Filter, SpanSelection};
pub use formats::{Loaded, load};
pub use layout::{FlameLayout, FlameRect};
pub use limits::Limits;
pub use model::{
    AttrSetId, FrameId, FunctionId, Layout, LinkId, ProfileId, ProfileSet, ResourceId, SampleType,
    SampleTypeId, SpanIdx, SpanKey, StackId, StringId,
};
pub use sandwich::Sandwich;
pub use scope::{Scope, ScopeSelection, SpanRef};
pub use spans::SpanSamples;
pub use timeline::{NoTimeline, Timeline, TimelineOptions};
pub use trace::{Span, SpanKind, SpanStatus, TraceSet};
pub use transform::{Transform, Transformed, Transforms};
pub use tree::{CallTree, FunctionStats, NodeId};
