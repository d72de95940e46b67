//! The Trace Event Format reader; see the parent module for what becomes of each event.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::v8::{NodeJson, V8Profile};
use crate::builder::{Builder, Row};
use crate::error::{ErrorKind, Format, Result};
use crate::formats::jsonx::{Ctx, Each, Fail, Scalar, Seg, Str};
use crate::limits::Limits;
use crate::model::{
    Attribute, FrameId, FrameKind, Layout, NONE, ProfileInfo, ProfileSet, SampleType, StackId,
};

/// One event, with only the fields we use; `args` stays unparsed unless the event needs it.
#[derive(Debug, Deserialize)]
struct Event<'a> {
    #[serde(borrow, default)]
    name: Str<'a>,
    #[serde(borrow, default)]
    ph: Str<'a>,
    #[serde(default)]
    ts: Option<f64>,
    #[serde(default)]
    dur: Option<f64>,
    #[serde(borrow, default)]
    pid: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    tid: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    id: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
}

#[derive(Debug, Deserialize)]
struct NameArgs<'a> {
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
}

#[derive(Debug, Deserialize)]
struct ProfileArgs<'a> {
    #[serde(borrow, default)]
    data: Option<ProfileData<'a>>,
}

#[derive(Debug, Deserialize)]
struct ProfileData<'a> {
    #[serde(borrow, rename = "cpuProfile", default)]
    cpu_profile: Option<ChunkProfile<'a>>,
    #[serde(rename = "timeDeltas", default)]
    time_deltas: Option<Vec<f64>>,
    #[serde(rename = "startTime", default)]
    start_time: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct ChunkProfile<'a> {
    #[serde(borrow, default)]
    nodes: Option<Vec<NodeJson<'a>>>,
    #[serde(default)]
    samples: Option<Vec<i64>>,
}

/// A pid or tid, kept as the producer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Int(i64),
    Text(String),
    Missing,
}

impl Key {
    fn of(s: &Option<Scalar<'_>>) -> Key {
        match s {
            None => Key::Missing,
            Some(s) => s.as_i64().map_or_else(|| Key::Text(s.text()), Key::Int),
        }
    }

    fn text(&self) -> String {
        match self {
            Key::Int(i) => i.to_string(),
            Key::Text(t) => t.clone(),
            Key::Missing => String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Slice {
    start: i64,
    end: i64,
    frame: u32,
    seq: u32,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    ts: i64,
    begin: bool,
    frame: u32,
    seq: u32,
}

#[derive(Debug)]
struct Thread {
    pid: Key,
    tid: Key,
    name: Option<String>,
    slices: Vec<Slice>,
    marks: Vec<Mark>,
    last_ts: i64,
}

/// Everything gathered while the events stream by.
struct State<'b, 'l> {
    b: &'b mut Builder<'l>,
    threads: Vec<Thread>,
    thread_index: FxHashMap<(Key, Key), u32>,
    profiles: Vec<(V8Profile, u32)>,
    profile_index: FxHashMap<(Key, String), u32>,
    /// Samples and nodes of all V8 profiles so far, against the limits.
    v8_samples: u64,
    v8_nodes: u64,
    events: u32,
}

fn micros_to_ns(us: f64) -> Option<i64> {
    let ns = us * 1000.0;
    (ns.is_finite() && ns.abs() < 9.2e18).then(|| ns.round() as i64)
}

impl State<'_, '_> {
    fn thread(&mut self, pid: Key, tid: Key) -> u32 {
        let next = self.threads.len() as u32;
        *self
            .thread_index
            .entry((pid.clone(), tid.clone()))
            .or_insert_with(|| {
                self.threads.push(Thread {
                    pid,
                    tid,
                    name: None,
                    slices: Vec::new(),
                    marks: Vec::new(),
                    last_ts: i64::MIN,
                });
                next
            })
    }

    fn event(&mut self, i: usize, e: Event<'_>) -> std::result::Result<(), Fail> {
        let seq = self.events;
        self.events += 1;
        let name = e.name.0.as_ref();
        if matches!(name, "Profile" | "ProfileChunk") {
            return self.profile_event(i, &e);
        }
        let ph = e.ph.0.as_ref();
        if ph == "M" {
            if name == "thread_name"
                && let Some(args) = e.args
            {
                let args: NameArgs<'_> = serde_json::from_str(args.get())
                    .map_err(|err| Fail::from(format!("thread_name arguments: {err}")))?;
                if let Some(n) = args.name {
                    let t = self.thread(Key::of(&e.pid), Key::of(&e.tid));
                    self.threads[t as usize].name = Some(n.0.into_owned());
                }
            }
            return Ok(());
        }
        if !matches!(ph, "B" | "E" | "X") {
            return Ok(());
        }
        let Some(ts) = e.ts.and_then(micros_to_ns) else {
            return Err(format!("a {ph} event needs a numeric ts").into());
        };
        let t = self.thread(Key::of(&e.pid), Key::of(&e.tid));
        let frame = if name.is_empty() && ph == "E" {
            NONE
        } else {
            let f = self.b.function(name, "");
            self.b.frame(f, 0, FrameKind::Unknown).get()
        };
        let th = &mut self.threads[t as usize];
        th.last_ts = th.last_ts.max(ts);
        match ph {
            "X" => {
                let dur = e.dur.and_then(micros_to_ns).unwrap_or(0).max(0);
                let end = ts.saturating_add(dur);
                th.last_ts = th.last_ts.max(end);
                th.slices.push(Slice {
                    start: ts,
                    end,
                    frame,
                    seq,
                });
            }
            _ => th.marks.push(Mark {
                ts,
                begin: ph == "B",
                frame,
                seq,
            }),
        }
        Ok(())
    }

    fn profile_event(&mut self, i: usize, e: &Event<'_>) -> std::result::Result<(), Fail> {
        let Some(args) = e.args else {
            return Ok(());
        };
        let args: ProfileArgs<'_> = serde_json::from_str(args.get())
            .map_err(|err| Fail::from(format!("{} arguments: {err}", e.name.0)))?;
        let Some(data) = args.data else {
            return Ok(());
        };
        let pid = Key::of(&e.pid);
        let id = e.id.as_ref().map(Scalar::text).unwrap_or_default();
        let key = (pid.clone(), id);
        let next = self.profiles.len() as u32;
        let p = match self.profile_index.get(&key) {
            Some(&p) => p,
            None => {
                let t = self.thread(pid, Key::of(&e.tid));
                self.profiles.push((V8Profile::default(), t));
                self.profile_index.insert(key, next);
                next
            }
        };
        let limits = *self.b.limits();
        let (profile, _) = &mut self.profiles[p as usize];
        if let Some(start) = data.start_time {
            profile.start_time = Some(start);
        }
        if let Some(cpu) = data.cpu_profile {
            let nodes = cpu.nodes.unwrap_or_default();
            self.v8_nodes += nodes.len() as u64;
            if self.v8_nodes > limits.max_table_len {
                return Err(limit_message("CPU profile nodes", limits.max_table_len));
            }
            for (k, node) in nodes.into_iter().enumerate() {
                profile.add_node(self.b, node, || {
                    format!("$.traceEvents[{i}].args.data.cpuProfile.nodes[{k}]")
                })?;
            }
            let samples = cpu.samples.unwrap_or_default();
            self.v8_samples += samples.len() as u64;
            if self.v8_samples > limits.max_samples {
                return Err(limit_message("CPU profile samples", limits.max_samples));
            }
            profile.samples_at(format!("$.traceEvents[{i}].args.data.cpuProfile.samples"));
            profile.samples.extend(samples);
        }
        if let Some(deltas) = data.time_deltas {
            // Deltas and samples come in pairs, so the sample bound bounds them too.
            if profile.deltas.len() + deltas.len() > limits.max_samples as usize {
                return Err(limit_message("CPU profile time deltas", limits.max_samples));
            }
            profile.deltas.extend(deltas.iter().map(|d| *d as i64));
        }
        Ok(())
    }
}

fn limit_message(what: &str, max: u64) -> Fail {
    Fail(
        ErrorKind::LimitExceeded,
        format!("{what} are more than {max}, the limit"),
    )
}

/// Read a Trace Event Format file.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<ProfileSet> {
    match parse_once(bytes, limits) {
        Err(e) if e.kind == ErrorKind::Malformed && e.message.contains("EOF") => {
            // The array form may end without its `]` (a tracer that was killed): close it.
            let text = bytes.trim_ascii_end();
            let text = text.strip_suffix(b",").unwrap_or(text);
            if text.trim_ascii_start().first() != Some(&b'[') || text.ends_with(b"]") {
                return Err(e);
            }
            let mut closed = Vec::with_capacity(text.len() + 1);
            closed.extend_from_slice(text);
            closed.push(b']');
            let mut set = parse_once(&closed, limits).map_err(|_| e)?;
            set.diagnostics.push(crate::error::Diagnostic {
                format: Format::ChromeTrace,
                message: "the event array has no closing `]` (allowed by the format); read up to the last complete event".into(),
                count: 1,
            });
            Ok(set)
        }
        other => other,
    }
}

fn parse_once(bytes: &[u8], limits: &Limits) -> Result<ProfileSet> {
    let format = Format::ChromeTrace;
    let mut b = Builder::new(format, limits);
    b.resource(Default::default());
    let ctx = Ctx::new(format);
    let mut state = State {
        b: &mut b,
        threads: Vec::new(),
        thread_index: FxHashMap::default(),
        profiles: Vec::new(),
        profile_index: FxHashMap::default(),
        v8_samples: 0,
        v8_nodes: 0,
        events: 0,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = Root {
        ctx: &ctx,
        state: &mut state,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    ctx.finish(read)?;
    let State {
        threads, profiles, ..
    } = state;
    let attrs: Vec<Vec<Attribute>> = threads.iter().map(thread_attrs).collect();
    for (profile, t) in profiles {
        profile.emit(&mut b, attrs[t as usize].clone())?;
    }
    for (t, thread) in threads.into_iter().enumerate() {
        add_thread(&mut b, thread, attrs[t].clone())?;
    }
    Ok(b.finish(Layout::NotOtlp))
}

fn thread_attrs(t: &Thread) -> Vec<Attribute> {
    let mut a = Vec::new();
    if t.pid != Key::Missing {
        a.push(Attribute {
            key: "process.pid".into(),
            value: t.pid.text(),
        });
    }
    if t.tid != Key::Missing {
        a.push(Attribute {
            key: "thread.id".into(),
            value: t.tid.text(),
        });
    }
    if let Some(n) = &t.name {
        a.push(Attribute {
            key: "thread.name".into(),
            value: n.clone(),
        });
    }
    a
}

/// Pair `B`/`E`, nest all slices of one thread by time and add them as self-time rows.
fn add_thread(b: &mut Builder<'_>, mut t: Thread, attrs: Vec<Attribute>) -> Result<()> {
    let format = b.format;
    t.marks.sort_by_key(|m| (m.ts, m.seq));
    let mut open: Vec<Mark> = Vec::new();
    let (mut unmatched, mut renamed) = (0u64, 0u64);
    for m in &t.marks {
        if m.begin {
            open.push(*m);
        } else if let Some(bm) = open.pop() {
            if m.frame != NONE && m.frame != bm.frame {
                renamed += 1;
            }
            t.slices.push(Slice {
                start: bm.ts,
                end: m.ts,
                frame: bm.frame,
                seq: bm.seq,
            });
        } else {
            unmatched += 1;
        }
    }
    if unmatched > 0 {
        b.diags.push_n(
            format,
            "an E event has no open B event on its thread; ignored",
            unmatched,
        );
    }
    if renamed > 0 {
        b.diags.push_n(
            format,
            "an E event names a different slice than the B it closes; closed the innermost",
            renamed,
        );
    }
    if !open.is_empty() {
        b.diags.push_n(
            format,
            "a B event is never ended; closed at its thread's last timestamp",
            open.len() as u64,
        );
        for bm in open {
            t.slices.push(Slice {
                start: bm.ts,
                end: t.last_ts.max(bm.ts),
                frame: bm.frame,
                seq: bm.seq,
            });
        }
    }
    if t.slices.is_empty() {
        return Ok(());
    }
    t.slices
        .sort_by(|x, y| (x.start, y.end, x.seq).cmp(&(y.start, x.end, y.seq)));
    let info = ProfileInfo {
        attributes: attrs.clone(),
        ..Default::default()
    };
    b.begin_profile(
        info,
        SampleType {
            name: "wall".into(),
            unit: "nanoseconds".into(),
        },
    );
    let attrs = b.attr_set(attrs);
    let max = b.limits().max_stack_depth.max(2) as usize;
    struct Open {
        start: i64,
        end: i64,
        stack: u32,
        children: i64,
    }
    let emit = |b: &mut Builder<'_>, o: Open| -> Result<()> {
        let value = o
            .end
            .saturating_sub(o.start)
            .saturating_sub(o.children)
            .max(0);
        if value == 0 {
            return Ok(());
        }
        b.row(Row {
            stack: StackId::from_raw(o.stack),
            value,
            time: u64::try_from(o.start).unwrap_or(0),
            link: None,
            attrs,
        })
    };
    let (mut overlaps, mut deep) = (0u64, false);
    let mut stack: Vec<Open> = Vec::new();
    for s in &t.slices {
        while stack.last().is_some_and(|top| top.end <= s.start) {
            let o = stack.pop().expect("checked");
            emit(b, o)?;
        }
        let mut end = s.end;
        if let Some(top) = stack.last()
            && end > top.end
        {
            overlaps += 1;
            end = top.end;
        }
        let parent = stack.last().map_or(NONE, |top| top.stack);
        let id = if stack.len() >= max {
            deep = true;
            parent
        } else {
            b.child_stack(StackId::from_raw(parent), FrameId::new(s.frame))
                .get()
        };
        if let Some(top) = stack.last_mut() {
            top.children = top.children.saturating_add(end - s.start);
        }
        stack.push(Open {
            start: s.start,
            end,
            stack: id,
            children: 0,
        });
    }
    while let Some(o) = stack.pop() {
        emit(b, o)?;
    }
    if overlaps > 0 {
        b.diags.push_n(
            format,
            "a slice ends after the slice it starts in; cut at its parent's end",
            overlaps,
        );
    }
    if deep {
        b.diags.push(
            format,
            format!("slices nested deeper than {max} were counted in their ancestor"),
        );
    }
    Ok(())
}

/// The top level: an array of events, or an object with `traceEvents`.
struct Root<'c, 's, 'b, 'l> {
    ctx: &'c Ctx,
    state: &'s mut State<'b, 'l>,
}

impl<'de> DeserializeSeed<'de> for Root<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of trace events or an object with traceEvents")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let state = self.state;
        self.ctx.push(Seg::Key("traceEvents"));
        let max = state.b.limits().max_table_len;
        Each::new(self.ctx, "the event list", max, |i, e: Event<'de>| {
            state.event(i, e)
        })
        .visit_seq(seq)?;
        self.ctx.pop();
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        let max = state.b.limits().max_table_len;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "traceEvents" {
                self.ctx.push(Seg::Key("traceEvents"));
                map.next_value_seed(Each::new(
                    self.ctx,
                    "the event list",
                    max,
                    |i, e: Event<'de>| state.event(i, e),
                ))?;
                self.ctx.pop();
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
