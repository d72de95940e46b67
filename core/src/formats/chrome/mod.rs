//! Chrome and V8 JSON: the `.cpuprofile` (`node --cpu-prof`, DevTools "Save profile") and
//! the Trace Event Format (`chrome://tracing`, DevTools Performance traces, `node
//! --trace-events-enabled`, py-spy `--format chrometrace`).
//!
//! ## `.cpuprofile`
//!
//! `{nodes, startTime, endTime, samples, timeDeltas}`. Nodes form a tree by `children` (or
//! `parent`) ids, which may be any integers; the `(root)` node is dropped from stacks, V8's
//! own `(program)`, `(idle)` and `(garbage collector)` are kept as named, an empty function
//! name shows as `(anonymous)` and V8's 0-based lines become 1-based. Each sample is a row at
//! `startTime` + the deltas so far (µs → ns), in two profiles: `cpu/nanoseconds`, weighted by
//! the time until the next sample (the last: until `endTime`), as DevTools counts self time,
//! and `samples/count`. Unknown ids, a node with two parents and parent cycles are located
//! errors.
//!
//! ## Trace events
//!
//! A JSON array of events (its closing `]` may be missing, as the format allows) or an object
//! with `traceEvents`. Per (pid, tid), `B`/`E` pairs and `X` events (with `dur`) nest by time
//! into stacks; each slice is a `wall/nanoseconds` row weighted by its self time (duration
//! minus its children's), at its start. An `E` without a `B`, a `B` never ended (closed at
//! its thread's last timestamp) and a slice overlapping its parent's end (cut there) are
//! diagnostics. `M` `thread_name` events name threads. Rows carry `process.pid`,
//! `thread.id` and `thread.name`; each thread is its own profile. `Profile` and
//! `ProfileChunk` events (DevTools) are V8 CPU profiles, chunks joined by (pid, id), read as
//! a `.cpuprofile` and shown first.
//!
//! ## Limits
//!
//! Arrays are read element by element and their lengths checked against [`Limits`] as they
//! grow (`max_table_len` for nodes and events, `max_samples` for samples and deltas); a
//! chunk's arrays, small by design, are checked right after the chunk is read.

pub mod trace;
pub mod v8;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use crate::builder::Builder;
use crate::error::{Format, Result};
use crate::formats::jsonx::{self, Ctx, Each, JsonShape, Seg};
use crate::formats::{Detect, Loaded, Options};
use crate::limits::Limits;
use crate::model::{Layout, ProfileSet};
use v8::{NodeJson, V8Profile};

/// Whether `bytes` is a `.cpuprofile` (top-level `nodes` and `samples`).
pub fn sniff_cpuprofile(bytes: &[u8]) -> Detect {
    jsonx::detect(bytes, JsonShape::CpuProfile)
}

/// Whether `bytes` is a Trace Event Format file.
pub fn sniff_trace(bytes: &[u8]) -> Detect {
    jsonx::detect(bytes, JsonShape::TraceEvents)
}

/// [`parse_cpuprofile`] for the importer table.
pub fn parse_cpuprofile_loaded(bytes: &[u8], options: &Options) -> Result<Loaded> {
    parse_cpuprofile(bytes, &options.limits).map(Loaded::Profiles)
}

/// [`trace::parse`] for the importer table.
pub fn parse_trace_loaded(bytes: &[u8], options: &Options) -> Result<Loaded> {
    trace::parse(bytes, &options.limits).map(Loaded::Profiles)
}

/// Read a `.cpuprofile`.
pub fn parse_cpuprofile(bytes: &[u8], limits: &Limits) -> Result<ProfileSet> {
    let format = Format::ChromeCpuProfile;
    let mut b = Builder::new(format, limits);
    b.resource(Default::default());
    let ctx = Ctx::new(format);
    let mut profile = V8Profile::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = CpuProfileRoot {
        ctx: &ctx,
        b: &mut b,
        profile: &mut profile,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    ctx.finish(read)?;
    profile.emit(&mut b, Vec::new())?;
    Ok(b.finish(Layout::NotOtlp))
}

/// The top-level object of a `.cpuprofile`.
struct CpuProfileRoot<'c, 'b, 'l> {
    ctx: &'c Ctx,
    b: &'b mut Builder<'l>,
    profile: &'b mut V8Profile,
}

impl<'de> DeserializeSeed<'de> for CpuProfileRoot<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CpuProfileRoot<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a V8 CPU profile object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let CpuProfileRoot { ctx, b, profile } = self;
        let limits = *b.limits();
        while let Some(key) = map.next_key::<jsonx::Str<'de>>()? {
            match key.0.as_ref() {
                "nodes" => {
                    ctx.push(Seg::Key("nodes"));
                    map.next_value_seed(Each::new(
                        ctx,
                        "the node list",
                        limits.max_table_len,
                        |i, node: NodeJson<'de>| {
                            Ok(profile.add_node(b, node, || format!("$.nodes[{i}]"))?)
                        },
                    ))?;
                    ctx.pop();
                }
                "samples" => {
                    ctx.push(Seg::Key("samples"));
                    profile.samples_at("$.samples".into());
                    let samples = &mut profile.samples;
                    map.next_value_seed(Each::new(
                        ctx,
                        "the sample list",
                        limits.max_samples,
                        |_, id: i64| {
                            samples.push(id);
                            Ok(())
                        },
                    ))?;
                    ctx.pop();
                }
                "timeDeltas" => {
                    ctx.push(Seg::Key("timeDeltas"));
                    let deltas = &mut profile.deltas;
                    map.next_value_seed(Each::new(
                        ctx,
                        "the time delta list",
                        limits.max_samples,
                        |_, d: f64| {
                            deltas.push(d as i64);
                            Ok(())
                        },
                    ))?;
                    ctx.pop();
                }
                "startTime" => {
                    ctx.push(Seg::Key("startTime"));
                    profile.start_time = Some(map.next_value::<f64>()?);
                    ctx.pop();
                }
                "endTime" => {
                    ctx.push(Seg::Key("endTime"));
                    profile.end_time = Some(map.next_value::<f64>()?);
                    ctx.pop();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}
