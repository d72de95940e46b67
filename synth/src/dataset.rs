//! The generated data set: [`generate`] and the windows of samples a [`Synth`] emits.

use std::collections::HashMap;

use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::profiles::v1development::{
    Link, Profile, ProfilesData, ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles,
    ValueType,
};
use opentelemetry_proto::tonic::resource::v1::Resource;

use spanflame_core::formats::otlp::trace_proto::TracesData;

use crate::options::SynthOptions;
use crate::program::Program;
use crate::rng::{Discrete, Rng, mix};
use crate::services::{ALLOC, CPU, Cat, Role, SAMPLE_TYPES, SERVICES, WALL};
use crate::traces::{SpanRec, generate_spans, resource_attributes, traces_message};

/// What the generator itself recorded while emitting observations.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expected {
    /// Weight per stack-table index, per sample type.
    pub(crate) weights: Vec<Vec<i64>>,
    /// Weight per span, per sample type.
    pub(crate) link_weights: Vec<Vec<i64>>,
    pub(crate) observations: Vec<u64>,
    pub(crate) sample_messages: u64,
}

/// Sizes of what was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthStats {
    /// Observations per sample type, in [`Synth::sample_types`] order.
    pub observations: Vec<u64>,
    /// `Sample` messages over all profiles and windows.
    pub sample_messages: u64,
    /// Stack-table entries, the zero entry excluded (each is used by some sample).
    pub stacks: usize,
    /// Location-table entries, the zero entry excluded.
    pub locations: usize,
    /// Function-table entries, the zero entry excluded.
    pub functions: usize,
    /// String-table entries.
    pub strings: usize,
    /// Spans (each has a link-table entry).
    pub spans: usize,
    /// The deepest stack, in locations.
    pub max_stack_depth: usize,
}

/// A generated profile data set and its traces; see the [crate docs](crate).
pub struct Synth {
    pub(crate) opts: SynthOptions,
    /// Enabled sample types (indices into `SAMPLE_TYPES`), in profile order.
    pub(crate) types: Vec<usize>,
    pub(crate) program: Program,
    pub(crate) dictionary: ProfilesDictionary,
    pub(crate) spans: Vec<SpanRec>,
    pub(crate) traces: TracesData,
    pub(crate) expected: Expected,
}

/// Generate the data set `opts` describes. Observations are drawn once here to record the
/// expected totals, and drawn again, identically, whenever an encoding is written.
pub fn generate(opts: &SynthOptions) -> Synth {
    let mut rng = Rng::new(opts.seed);
    let mut program = Program::build(opts, &mut rng);
    let spans = generate_spans(opts, &mut rng);
    let types: Vec<usize> = (0..SAMPLE_TYPES.len())
        .filter(|&t| opts.counts()[t] > 0)
        .collect();
    for &t in &types {
        let st = &SAMPLE_TYPES[t];
        for s in [st.name, st.unit, st.period_name, st.period_unit] {
            program.dict.string(s);
        }
    }
    let d = &program.dict;
    let mut link_table = vec![Link {
        trace_id: vec![0; 16],
        span_id: vec![0; 8],
    }];
    link_table.extend(spans.iter().map(|s| Link {
        trace_id: s.key.trace_id.to_vec(),
        span_id: s.key.span_id.to_vec(),
    }));
    let dictionary = ProfilesDictionary {
        mapping_table: d.mappings.clone(),
        location_table: d.locations.clone(),
        function_table: d.functions.clone(),
        link_table,
        string_table: d.strings.clone(),
        attribute_table: d.attributes.clone(),
        stack_table: d.stacks.clone(),
    };
    let traces = traces_message(&spans);
    let mut synth = Synth {
        opts: opts.clone(),
        types,
        program,
        dictionary,
        spans,
        traces,
        expected: Expected::default(),
    };
    let n = synth.types.len();
    let mut expected = Expected {
        weights: vec![vec![0; synth.dictionary.stack_table.len()]; n],
        link_weights: vec![vec![0; synth.spans.len()]; n],
        observations: vec![0; n],
        sample_messages: 0,
    };
    for w in 0..synth.window_count() {
        synth.window(w, Some(&mut expected));
    }
    synth.expected = expected;
    synth
}

/// Samples of one profile being assembled, merged by identity.
#[derive(Default)]
pub(crate) struct ProfileAcc {
    pub(crate) index: HashMap<(i32, i32, i32), usize>,
    pub(crate) samples: Vec<Sample>,
}

/// One window's profiles (per service, per sample type) being assembled, and the totals
/// the generator records as it goes.
pub(crate) struct WindowAcc<'a> {
    pub(crate) types: &'a [usize],
    pub(crate) timestamps: bool,
    pub(crate) profiles: Vec<Vec<ProfileAcc>>,
    pub(crate) expected: Option<&'a mut Expected>,
}

impl WindowAcc<'_> {
    /// Add one observation: a value drawn for the sample type, merged into the Sample with
    /// the same stack, attribute and link.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        rng: &mut Rng,
        service: usize,
        tpos: usize,
        stack: i32,
        attr: i32,
        link: u32,
        time: u64,
    ) {
        let sample_type = self.types[tpos];
        let value = match sample_type {
            CPU => 1,
            WALL if rng.chance(0.2) => 10_000_000 * rng.range(2, 5) as i64,
            WALL => 10_000_000,
            _ => 1i64 << (4 + rng.below(17)),
        };
        let acc = &mut self.profiles[service][tpos];
        let next = acc.samples.len();
        let i = *acc.index.entry((stack, attr, link as i32)).or_insert(next);
        if i == next {
            acc.samples.push(Sample {
                stack_index: stack,
                attribute_indices: if attr > 0 { vec![attr] } else { Vec::new() },
                link_index: link as i32,
                values: Vec::new(),
                timestamps_unix_nano: Vec::new(),
            });
        }
        let sample = &mut acc.samples[i];
        if self.timestamps {
            // CPU samples are timestamps only (each counts 1); the others pair values.
            sample.timestamps_unix_nano.push(time);
            if sample_type != CPU {
                sample.values.push(value);
            }
        } else if let Some(v) = sample.values.first_mut() {
            *v += value;
        } else {
            sample.values.push(value);
        }
        if let Some(e) = self.expected.as_deref_mut() {
            e.weights[tpos][stack as usize] += value;
            if link > 0 {
                e.link_weights[tpos][link as usize - 1] += value;
            }
            e.observations[tpos] += 1;
        }
    }
}

pub(crate) fn resource_profiles(service: usize, profiles: Vec<Profile>) -> ResourceProfiles {
    ResourceProfiles {
        resource: Some(Resource {
            attributes: resource_attributes(service),
            dropped_attributes_count: 0,
            entity_refs: Vec::new(),
        }),
        scope_profiles: vec![ScopeProfiles {
            scope: Some(InstrumentationScope {
                name: "go.opentelemetry.io/ebpf-profiler".into(),
                version: "v0.0.202613".into(),
                attributes: Vec::new(),
                dropped_attributes_count: 0,
            }),
            profiles,
            schema_url: String::new(),
        }],
        schema_url: "https://opentelemetry.io/schemas/1.37.0".into(),
    }
}

impl Synth {
    /// The options this set was generated with.
    pub fn options(&self) -> &SynthOptions {
        &self.opts
    }

    /// The distinct sample types as `(type, unit)`, in the order a parser first meets them
    /// (the order of [`spanflame_core::ProfileSet::sample_types`]).
    pub fn sample_types(&self) -> Vec<(String, String)> {
        self.types
            .iter()
            .map(|&t| (SAMPLE_TYPES[t].name.into(), SAMPLE_TYPES[t].unit.into()))
            .collect()
    }

    /// Number of time windows, each a batch of `ResourceProfiles`.
    pub fn window_count(&self) -> u32 {
        self.opts.windows.max(1)
    }

    /// The shared dictionary.
    pub fn dictionary(&self) -> &ProfilesDictionary {
        &self.dictionary
    }

    /// The traces the samples link to.
    pub fn traces(&self) -> &TracesData {
        &self.traces
    }

    /// The whole profiles message (every window), built in memory.
    pub fn profiles(&self) -> ProfilesData {
        ProfilesData {
            resource_profiles: (0..self.window_count())
                .flat_map(|w| self.window(w, None))
                .collect(),
            dictionary: Some(self.dictionary.clone()),
        }
    }

    /// One window as a message of its own, with a copy of the dictionary: what one export of
    /// a collector would carry. Concatenate them for the file exporter's formats.
    pub fn window_message(&self, w: u32) -> ProfilesData {
        ProfilesData {
            resource_profiles: self.window(w, None),
            dictionary: Some(self.dictionary.clone()),
        }
    }

    /// Sizes of what was generated.
    pub fn stats(&self) -> SynthStats {
        let d = &self.dictionary;
        SynthStats {
            observations: self.expected.observations.clone(),
            sample_messages: self.expected.sample_messages,
            stacks: d.stack_table.len() - 1,
            locations: d.location_table.len() - 1,
            functions: d.function_table.len() - 1,
            strings: d.string_table.len(),
            spans: self.spans.len(),
            max_stack_depth: d
                .stack_table
                .iter()
                .map(|s| s.location_indices.len())
                .max()
                .unwrap_or(0),
        }
    }

    pub(crate) fn window_bounds(&self, w: u32) -> (u64, u64) {
        let n = u128::from(self.window_count());
        let d = u128::from(self.opts.duration_nano.max(1));
        let at = |i: u128| self.opts.start_unix_nano + (d * i / n) as u64;
        (
            at(u128::from(w)),
            at(u128::from(w) + 1).max(at(u128::from(w)) + 1),
        )
    }

    /// Spans running in `[lo, hi)` and, per sample type, the cumulative weights of their
    /// self time in it (scaled by [`Role::weight`]).
    pub(crate) fn span_candidates(&self, lo: u64, hi: u64) -> (Vec<u32>, Vec<Vec<u64>>) {
        let mut spans = Vec::new();
        let mut self_time = Vec::new();
        for (i, s) in self.spans.iter().enumerate() {
            if s.end > lo && s.start < hi {
                let t: u64 = s
                    .gaps
                    .iter()
                    .map(|&(a, b)| b.min(hi).saturating_sub(a.max(lo)))
                    .sum();
                if t > 0 {
                    spans.push(i as u32);
                    self_time.push(t);
                }
            }
        }
        let cdfs = self
            .types
            .iter()
            .map(|&t| {
                let mut acc = 0u64;
                spans
                    .iter()
                    .zip(&self_time)
                    .map(|(&s, &time)| {
                        acc += time * self.spans[s as usize].role.weight(t);
                        acc
                    })
                    .collect()
            })
            .collect();
        (spans, cdfs)
    }

    /// The `thread.name` attribute for a sample of `service` run by thread `group`.
    pub(crate) fn thread_attr(&self, service: usize, group: u16, rng: &mut Rng) -> i32 {
        let code = &self.program.code[service];
        let attrs = match group {
            0 => &code.worker_attrs,
            g => &code.background_attrs[g as usize - 1],
        };
        if attrs.is_empty() {
            0
        } else {
            *rng.pick(attrs)
        }
    }

    /// Draw window `w`'s observations (always the same ones) into `ResourceProfiles`, one
    /// per service, and add them to `expected` if given.
    pub(crate) fn window(&self, w: u32, expected: Option<&mut Expected>) -> Vec<ResourceProfiles> {
        let (lo, hi) = self.window_bounds(w);
        let mut rng = Rng::new(self.opts.seed ^ mix(0xC0FF_EE00_0000_0000 + u64::from(w)));
        let types = &self.types;
        let (cands, cdfs) = self.span_candidates(lo, hi);
        let windows = u64::from(self.window_count());
        let budgets: Vec<u64> = types
            .iter()
            .map(|&t| {
                let total = self.opts.counts()[t];
                total / windows + u64::from(u64::from(w) < total % windows)
            })
            .collect();
        let mut used = vec![0u64; types.len()];
        let mut acc = WindowAcc {
            types,
            timestamps: self.opts.timestamps,
            profiles: (0..SERVICES.len())
                .map(|_| types.iter().map(|_| ProfileAcc::default()).collect())
                .collect(),
            expected,
        };
        // The first window uses every pool stack once, so all of them appear.
        if w == 0 {
            let alloc = types.iter().position(|&t| t == ALLOC);
            for (service, pools) in self.program.pools.iter().enumerate() {
                for (c, pool) in pools.iter().enumerate() {
                    for &pick in pool {
                        let tpos = match alloc {
                            Some(a) if c == Cat::Alloc as usize => a,
                            _ => 0,
                        };
                        if used[tpos] < budgets[tpos] {
                            used[tpos] += 1;
                            let attr = self.thread_attr(service, pick.group, &mut rng);
                            let time = lo + rng.below(hi - lo);
                            acc.add(&mut rng, service, tpos, pick.stack, attr, 0, time);
                        }
                    }
                }
            }
        }
        let shares = Discrete::weighted(SERVICES.iter().map(|s| s.share));
        for (tpos, &t) in types.iter().enumerate() {
            let cdf = &cdfs[tpos];
            let total = cdf.last().copied().unwrap_or(0);
            for _ in used[tpos]..budgets[tpos] {
                if total > 0 && rng.chance(self.opts.linked_fraction) {
                    // A running span, then a stack that fits what the span does.
                    let x = rng.below(total);
                    let span_index = cands[cdf.partition_point(|&c| c <= x)];
                    let span = &self.spans[span_index as usize];
                    let cat = match (span.role, t) {
                        (_, ALLOC) => Cat::Alloc,
                        (Role::Request | Role::Compute, _) if rng.chance(0.12) => Cat::Alloc,
                        (Role::Request | Role::Compute, _) => Cat::Compute,
                        (Role::Db, _) => Cat::Db,
                        (Role::Cache, _) => Cat::Cache,
                        (Role::Rpc, _) => Cat::Rpc,
                    };
                    let time = time_in(&span.gaps, lo, hi, &mut rng);
                    let pick = self.program.pick(span.service, cat, &mut rng);
                    let workers = &self.program.code[span.service].worker_attrs;
                    let attr = workers.get(span.thread as usize).copied().unwrap_or(0);
                    let link = span_index + 1;
                    acc.add(&mut rng, span.service, tpos, pick.stack, attr, link, time);
                } else {
                    // Background work, or work outside any trace.
                    let service = shares.sample(&mut rng);
                    let cat = match t {
                        ALLOC => Cat::Alloc,
                        CPU if rng.chance(0.4) => Cat::Compute,
                        WALL if rng.chance(0.15) => Cat::Compute,
                        _ => Cat::Background,
                    };
                    let pick = self.program.pick(service, cat, &mut rng);
                    let attr = self.thread_attr(service, pick.group, &mut rng);
                    let time = lo + rng.below(hi - lo);
                    acc.add(&mut rng, service, tpos, pick.stack, attr, 0, time);
                }
            }
        }
        let mut messages = 0u64;
        let out = acc
            .profiles
            .into_iter()
            .enumerate()
            .map(|(service, profiles)| {
                let profiles = profiles
                    .into_iter()
                    .enumerate()
                    .map(|(tpos, p)| {
                        messages += p.samples.len() as u64;
                        self.profile(w, service, tpos, p.samples, (lo, hi))
                    })
                    .collect();
                resource_profiles(service, profiles)
            })
            .collect();
        if let Some(e) = acc.expected {
            e.sample_messages += messages;
        }
        out
    }

    pub(crate) fn profile(
        &self,
        w: u32,
        service: usize,
        tpos: usize,
        mut samples: Vec<Sample>,
        (lo, hi): (u64, u64),
    ) -> Profile {
        for s in &mut samples {
            if s.timestamps_unix_nano.len() > 1 {
                if s.values.is_empty() {
                    s.timestamps_unix_nano.sort_unstable();
                } else {
                    let mut pairs: Vec<(u64, i64)> = s
                        .timestamps_unix_nano
                        .iter()
                        .copied()
                        .zip(s.values.iter().copied())
                        .collect();
                    pairs.sort_unstable();
                    (s.timestamps_unix_nano, s.values) = pairs.into_iter().unzip();
                }
            }
        }
        let st = &SAMPLE_TYPES[self.types[tpos]];
        let strings = &self.program.dict.string_ids;
        let vt = |name: &str, unit: &str| ValueType {
            type_strindex: strings[name],
            unit_strindex: strings[unit],
        };
        let id_seed =
            mix(self.opts.seed ^ mix((u64::from(w) << 16) ^ ((service as u64) << 8) ^ tpos as u64));
        let mut profile_id = [0u8; 16];
        profile_id[..8].copy_from_slice(&id_seed.to_be_bytes());
        profile_id[8..].copy_from_slice(&mix(id_seed).max(1).to_be_bytes());
        Profile {
            sample_type: Some(vt(st.name, st.unit)),
            samples,
            time_unix_nano: lo,
            duration_nano: hi - lo,
            period_type: Some(vt(st.period_name, st.period_unit)),
            period: st.period,
            profile_id: profile_id.to_vec(),
            dropped_attributes_count: 0,
            original_payload_format: String::new(),
            original_payload: Vec::new(),
            attribute_indices: Vec::new(),
        }
    }
}

/// A uniform time in the parts of `gaps` inside `[lo, hi)`.
pub(crate) fn time_in(gaps: &[(u64, u64)], lo: u64, hi: u64, rng: &mut Rng) -> u64 {
    let clipped = gaps
        .iter()
        .map(|&(a, b)| (a.max(lo), b.min(hi)))
        .filter(|(a, b)| b > a);
    let total: u64 = clipped.clone().map(|(a, b)| b - a).sum();
    let mut x = rng.below(total.max(1));
    for (a, b) in clipped {
        if x < b - a {
            return a + x;
        }
        x -= b - a;
    }
    lo
}
