//! speedscope's JSON file format (`https://www.speedscope.app/file-format-schema.json`,
//! versions 0.0.x), as py-spy `--format speedscope` and speedscope's own export write it.
//!
//! * `shared.frames` become frames with their `file` and `line` (`col` is not kept).
//! * Each entry of `profiles` (py-spy: one per thread) becomes its own profile, with its
//!   `name` as the `thread.name` attribute of the profile and of its rows.
//! * `sampled` profiles: each sample (frame indices, root first) is a row weighted by its
//!   entry in `weights`. `evented` profiles: `O`/`C` events must nest (a close must name the
//!   innermost open frame, times must not go backwards: located errors); the time between
//!   events is added to the stack open at the time, one row per distinct stack. Frames left
//!   open are closed at `endValue`, with a diagnostic.
//! * Units: `nanoseconds` to `seconds` become `wall/nanoseconds`, `bytes` `space/bytes`,
//!   `none` (and anything unknown, with a diagnostic) `samples/count`. Weights are rounded
//!   to integers in the new unit.
//!
//! Stacks are interned as they stream by (the frames may come after the profiles in the
//! file), into a prefix tree bounded by [`Limits::max_table_len`]; samples and events are
//! bounded by [`Limits::max_samples`].

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use crate::builder::{Builder, Row};
use crate::error::{ErrorKind, Format, Result};
use crate::formats::jsonx::{self, Ctx, Each, Fail, JsonShape, Seg, Str, error_at, path_text};
use crate::formats::{Detect, Loaded, Options};
use crate::limits::Limits;
use crate::model::{
    Attribute, FrameId, FrameKind, Layout, NONE, ProfileInfo, ProfileSet, SampleType, StackId,
};

/// Whether `bytes` is a speedscope file (a top-level `$schema` naming speedscope).
pub fn sniff(bytes: &[u8]) -> Detect {
    jsonx::detect(bytes, JsonShape::Speedscope)
}

/// [`parse`] for the importer table.
pub fn parse_loaded(bytes: &[u8], options: &Options) -> Result<Loaded> {
    parse(bytes, &options.limits).map(Loaded::Profiles)
}

#[derive(Debug, Deserialize)]
struct FrameJson<'a> {
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(borrow, default)]
    file: Option<Str<'a>>,
    #[serde(default)]
    line: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct EventJson<'a> {
    #[serde(borrow, rename = "type")]
    kind: Str<'a>,
    frame: u64,
    at: f64,
}

/// One profile as read, before frames are known.
#[derive(Debug, Default)]
struct RawProfile {
    evented: bool,
    name: String,
    unit: String,
    start: f64,
    end: f64,
    /// Local stack per sample.
    samples: Vec<u32>,
    weights: Vec<f64>,
    /// (open, frame index, at).
    events: Vec<(bool, u64, f64)>,
}

/// Stacks of frame indices, interned as a prefix tree while reading.
#[derive(Debug, Default)]
struct LocalStacks {
    ids: FxHashMap<(u32, u32), u32>,
    /// (parent, frame index, where first seen).
    items: Vec<(u32, u32, (u32, u32))>,
}

struct File {
    frames: Vec<(String, String, u32)>,
    profiles: Vec<RawProfile>,
    stacks: LocalStacks,
}

/// Read a speedscope file.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<ProfileSet> {
    let format = Format::Speedscope;
    let ctx = Ctx::new(format);
    let mut file = File {
        frames: Vec::new(),
        profiles: Vec::new(),
        stacks: LocalStacks::default(),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = Top {
        ctx: &ctx,
        limits,
        file: &mut file,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    ctx.finish(read)?;
    build(file, limits)
}

struct Top<'c> {
    ctx: &'c Ctx,
    limits: &'c Limits,
    file: &'c mut File,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a speedscope file object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Top { ctx, limits, file } = self;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match key.0.as_ref() {
                "shared" => {
                    ctx.push(Seg::Key("shared"));
                    map.next_value_seed(Shared {
                        ctx,
                        limits,
                        frames: &mut file.frames,
                    })?;
                    ctx.pop();
                }
                "profiles" => {
                    ctx.push(Seg::Key("profiles"));
                    let (profiles, stacks) = (&mut file.profiles, &mut file.stacks);
                    map.next_value_seed(ProfileList {
                        ctx,
                        limits,
                        profiles,
                        stacks,
                    })?;
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

struct Shared<'c> {
    ctx: &'c Ctx,
    limits: &'c Limits,
    frames: &'c mut Vec<(String, String, u32)>,
}

impl<'de> DeserializeSeed<'de> for Shared<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Shared<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object with frames")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let frames = self.frames;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if key.0 == "frames" {
                self.ctx.push(Seg::Key("frames"));
                map.next_value_seed(Each::new(
                    self.ctx,
                    "the frame list",
                    self.limits.max_table_len,
                    |_, f: FrameJson<'de>| {
                        let line = f
                            .line
                            .filter(|l| *l >= 0.0 && *l <= u32::MAX as f64)
                            .map_or(0, |l| l as u32);
                        frames.push((
                            f.name.0.into_owned(),
                            f.file.map(|s| s.0.into_owned()).unwrap_or_default(),
                            line,
                        ));
                        Ok(())
                    },
                ))?;
                self.ctx.pop();
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct ProfileList<'c> {
    ctx: &'c Ctx,
    limits: &'c Limits,
    profiles: &'c mut Vec<RawProfile>,
    stacks: &'c mut LocalStacks,
}

impl<'de> DeserializeSeed<'de> for ProfileList<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ProfileList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of profiles")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ProfileList {
            ctx,
            limits,
            profiles,
            stacks,
        } = self;
        loop {
            let index = profiles.len();
            if index as u64 >= limits.max_table_len {
                return Err(ctx.fail(ErrorKind::LimitExceeded, "too many profiles"));
            }
            ctx.push(Seg::Index(index));
            let mut profile = RawProfile::default();
            let seed = OneProfile {
                ctx,
                limits,
                index: index as u32,
                profile: &mut profile,
                stacks,
            };
            if seq.next_element_seed(seed)?.is_none() {
                ctx.pop();
                return Ok(());
            }
            ctx.pop();
            profiles.push(profile);
        }
    }
}

struct OneProfile<'c> {
    ctx: &'c Ctx,
    limits: &'c Limits,
    index: u32,
    profile: &'c mut RawProfile,
    stacks: &'c mut LocalStacks,
}

impl<'de> DeserializeSeed<'de> for OneProfile<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OneProfile<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sampled or evented profile")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let OneProfile {
            ctx,
            limits,
            index,
            profile,
            stacks,
        } = self;
        let max_samples = limits.max_samples;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match key.0.as_ref() {
                "type" => {
                    ctx.push(Seg::Key("type"));
                    let t = map.next_value::<Str<'de>>()?;
                    profile.evented = match t.0.as_ref() {
                        "evented" => true,
                        "sampled" => false,
                        other => {
                            return Err(ctx.fail(
                                ErrorKind::Unsupported,
                                format!(
                                    "profile type {other:?}; speedscope has sampled and evented"
                                ),
                            ));
                        }
                    };
                    ctx.pop();
                }
                "name" => profile.name = map.next_value::<Str<'de>>()?.0.into_owned(),
                "unit" => profile.unit = map.next_value::<Str<'de>>()?.0.into_owned(),
                "startValue" => profile.start = map.next_value()?,
                "endValue" => profile.end = map.next_value()?,
                "samples" => {
                    ctx.push(Seg::Key("samples"));
                    let samples = &mut profile.samples;
                    let max_table = limits.max_table_len;
                    map.next_value_seed(Each::new(
                        ctx,
                        "the sample list",
                        max_samples,
                        |s, frames: Vec<u64>| {
                            let mut parent = NONE;
                            for f in frames {
                                let f = u32::try_from(f).map_err(|_| {
                                    format!("frame index {f} is past the end of shared.frames")
                                })?;
                                let next = stacks.items.len() as u32;
                                let id = *stacks.ids.entry((parent, f)).or_insert(next);
                                if id == next {
                                    if next as u64 >= max_table {
                                        return Err(Fail(
                                            ErrorKind::LimitExceeded,
                                            format!(
                                                "the samples make more than {max_table} distinct stacks, the limit"
                                            ),
                                        ));
                                    }
                                    stacks.items.push((parent, f, (index, s as u32)));
                                }
                                parent = id;
                            }
                            samples.push(parent);
                            Ok(())
                        },
                    ))?;
                    ctx.pop();
                }
                "weights" => {
                    ctx.push(Seg::Key("weights"));
                    let weights = &mut profile.weights;
                    map.next_value_seed(Each::new(
                        ctx,
                        "the weight list",
                        max_samples,
                        |_, w: f64| {
                            weights.push(w);
                            Ok(())
                        },
                    ))?;
                    ctx.pop();
                }
                "events" => {
                    ctx.push(Seg::Key("events"));
                    let events = &mut profile.events;
                    map.next_value_seed(Each::new(
                        ctx,
                        "the event list",
                        max_samples,
                        |_, e: EventJson<'de>| {
                            let open = match e.kind.0.as_ref() {
                                "O" => true,
                                "C" => false,
                                other => {
                                    return Err(format!(
                                        "event type {other:?}; expected \"O\" or \"C\""
                                    )
                                    .into());
                                }
                            };
                            events.push((open, e.frame, e.at));
                            Ok(())
                        },
                    ))?;
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

/// What a speedscope unit becomes, and the factor to it.
fn sample_type(unit: &str) -> Option<(SampleType, f64)> {
    let (name, unit, factor) = match unit {
        "nanoseconds" => ("wall", "nanoseconds", 1.0),
        "microseconds" => ("wall", "nanoseconds", 1e3),
        "milliseconds" => ("wall", "nanoseconds", 1e6),
        "seconds" => ("wall", "nanoseconds", 1e9),
        "bytes" => ("space", "bytes", 1.0),
        "none" => ("samples", "count", 1.0),
        _ => return None,
    };
    Some((
        SampleType {
            name: name.into(),
            unit: unit.into(),
        },
        factor,
    ))
}

fn build(file: File, limits: &Limits) -> Result<ProfileSet> {
    let format = Format::Speedscope;
    let mut b = Builder::new(format, limits);
    b.resource(Default::default());
    let frames: Vec<FrameId> = file
        .frames
        .iter()
        .map(|(name, path, line)| {
            let f = b.function(name, path);
            b.frame(f, *line, FrameKind::Unknown)
        })
        .collect();
    // Local stacks → builder stacks; a parent always comes before its children.
    let max = limits.max_stack_depth.max(2);
    let mut stacks = Vec::with_capacity(file.stacks.items.len());
    let mut depth = Vec::with_capacity(file.stacks.items.len());
    let mut deep = false;
    for &(parent, f, (p, s)) in &file.stacks.items {
        let Some(&frame) = frames.get(f as usize) else {
            return Err(error_at(
                format,
                ErrorKind::Malformed,
                format!("$.profiles[{p}].samples[{s}]"),
                format!(
                    "frame index {f} is past the end of shared.frames ({} frames)",
                    frames.len()
                ),
            ));
        };
        let (ps, pd) = if parent == NONE {
            (NONE, 0)
        } else {
            (stacks[parent as usize], depth[parent as usize])
        };
        if pd >= max {
            deep = true;
            stacks.push(ps);
            depth.push(pd);
        } else {
            stacks.push(b.child_stack(StackId::from_raw(ps), frame).get());
            depth.push(pd + 1);
        }
    }
    if deep {
        b.diags.push(
            format,
            format!("stacks deeper than {max} frames were cut at that depth"),
        );
    }
    for (index, p) in file.profiles.into_iter().enumerate() {
        let (sample_type, factor) = sample_type(&p.unit).unwrap_or_else(|| {
            b.diags.push(
                format,
                format!(
                    "unit {:?} is not one of speedscope's; read as a count",
                    p.unit
                ),
            );
            sample_type("none").expect("known unit")
        });
        let is_time = sample_type.name == "wall";
        let mut attributes = Vec::new();
        if !p.name.is_empty() {
            attributes.push(Attribute {
                key: "thread.name".into(),
                value: p.name.clone(),
            });
        }
        let span = p.end - p.start;
        let info = ProfileInfo {
            duration_nano: if is_time && span.is_finite() && span > 0.0 {
                (span * factor) as u64
            } else {
                0
            },
            attributes: attributes.clone(),
            ..Default::default()
        };
        b.begin_profile(info, sample_type);
        let attrs = b.attr_set(attributes);
        let path = |key: &'static str, i: usize| {
            path_text(&[
                Seg::Key("profiles"),
                Seg::Index(index),
                Seg::Key(key),
                Seg::Index(i),
            ])
        };
        let mut bad_weight = false;
        let weigh = |w: f64, bad: &mut bool| match jsonx::to_nanos(w, factor) {
            Some(v) if v >= 0 => v,
            _ => {
                *bad = true;
                0
            }
        };
        if p.evented {
            let mut totals: FxHashMap<u32, f64> = FxHashMap::default();
            let mut order = Vec::new();
            let mut open: Vec<(u64, u32, u32)> = Vec::new(); // frame index, stack, depth
            let mut last = p.start;
            let mut add = |stack: u32, from: f64, to: f64| {
                let e = totals.entry(stack).or_insert_with(|| {
                    order.push(stack);
                    0.0
                });
                *e += to - from;
            };
            for (k, &(is_open, f, at)) in p.events.iter().enumerate() {
                if !at.is_finite() || at < last {
                    return Err(error_at(
                        format,
                        ErrorKind::Malformed,
                        path("events", k),
                        format!("event at {at} is before the previous one ({last})"),
                    ));
                }
                if let Some(&(_, stack, _)) = open.last() {
                    add(stack, last, at);
                }
                last = at;
                let Some(&frame) = usize::try_from(f).ok().and_then(|f| frames.get(f)) else {
                    return Err(error_at(
                        format,
                        ErrorKind::Malformed,
                        path("events", k),
                        format!(
                            "frame index {f} is past the end of shared.frames ({} frames)",
                            frames.len()
                        ),
                    ));
                };
                if is_open {
                    let (ps, pd) = open.last().map_or((NONE, 0), |&(_, s, d)| (s, d));
                    let (s, d) = if pd >= max {
                        deep = true;
                        (ps, pd)
                    } else {
                        (b.child_stack(StackId::from_raw(ps), frame).get(), pd + 1)
                    };
                    open.push((f, s, d));
                } else {
                    match open.last() {
                        Some(&(top, _, _)) if top == f => {
                            open.pop();
                        }
                        Some(&(top, _, _)) => {
                            return Err(error_at(
                                format,
                                ErrorKind::Malformed,
                                path("events", k),
                                format!(
                                    "closes frame {f} while frame {top} is the innermost open one"
                                ),
                            ));
                        }
                        None => {
                            return Err(error_at(
                                format,
                                ErrorKind::Malformed,
                                path("events", k),
                                format!("closes frame {f}, but no frame is open"),
                            ));
                        }
                    }
                }
            }
            if let Some(&(_, stack, _)) = open.last() {
                b.diags.push(
                    format,
                    "an evented profile ends with frames still open; they were closed at endValue",
                );
                if p.end > last {
                    add(stack, last, p.end);
                }
            }
            b.reserve_rows(order.len() as u64);
            for stack in order {
                let value = weigh(totals[&stack], &mut bad_weight);
                if value == 0 {
                    continue;
                }
                b.row(Row {
                    stack: StackId::from_raw(stack),
                    value,
                    time: 0,
                    link: None,
                    attrs,
                })?;
            }
        } else {
            if p.weights.len() != p.samples.len() {
                return Err(error_at(
                    format,
                    ErrorKind::Malformed,
                    path_text(&[Seg::Key("profiles"), Seg::Index(index), Seg::Key("weights")]),
                    format!(
                        "{} weights for {} samples; speedscope needs one weight per sample",
                        p.weights.len(),
                        p.samples.len()
                    ),
                ));
            }
            b.reserve_rows(p.samples.len() as u64);
            for (&s, &w) in p.samples.iter().zip(&p.weights) {
                let stack = if s == NONE { NONE } else { stacks[s as usize] };
                b.row(Row {
                    stack: StackId::from_raw(stack),
                    value: weigh(w, &mut bad_weight),
                    time: 0,
                    link: None,
                    attrs,
                })?;
            }
        }
        if bad_weight {
            b.diags.push(
                format,
                "some weights are negative or not finite; they count as 0",
            );
        }
    }
    if deep {
        b.diags.push(
            format,
            format!("stacks deeper than {max} frames were cut at that depth"),
        );
    }
    Ok(b.finish(Layout::NotOtlp))
}
