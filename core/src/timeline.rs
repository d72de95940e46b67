//! Sample weight over time: the track above a flame graph, for the whole file and per thread,
//! process or service.
//!
//! [`ProfileSet::timeline`] bins the weight of the samples a [`Filter`] keeps (in its sample
//! type) into equal time bins over the file's time range, optionally split by the value of
//! one attribute key (sample, profile or resource attributes, as the filter looks them up)
//! and optionally marking the samples whose stack contains one function. It is two passes
//! over the kept rows with a few table lookups per row and no allocation per sample; the
//! per-group bins are bounded by [`TimelineOptions::max_groups`], the rest summed into one
//! "other" group, so a key such as `thread.id` with thousands of values stays small.

use rustc_hash::FxHashMap;

use crate::filter::Filter;
use crate::model::{Attribute, NONE, ProfileSet};
use crate::navigate::FunctionKey;
use crate::transform::Transformed;

/// Most bins a timeline has (more are cut to this).
pub const MAX_BINS: usize = 10_000;

/// What to bin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineOptions {
    /// Number of bins (at least 1, at most [`MAX_BINS`]).
    pub bins: usize,
    /// Split by the values of this attribute key, e.g. `thread.name`, `process.pid`,
    /// `service.name`.
    pub group_by: Option<String>,
    /// Most groups with their own bins; the lighter values share an "other" group.
    pub max_groups: usize,
    /// Also bin the samples whose stack contains this function (name, file).
    pub highlight: Option<FunctionKey>,
    /// The time range `[from, to)` in UTC ns; `None` for the file's whole range.
    pub range: Option<(u64, u64)>,
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            bins: 200,
            group_by: None,
            max_groups: 16,
            highlight: None,
            range: None,
        }
    }
}

/// Who a group's samples are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupLabel {
    /// Samples with this value of the key.
    Value(String),
    /// Samples without the key.
    Missing,
    /// This many lighter values together.
    Other(usize),
}

/// One group's share of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineGroup {
    /// Who the samples are.
    pub label: GroupLabel,
    /// Weight of the group's timed samples in range (the sum of `bins`).
    pub total: i64,
    /// Weight per bin.
    pub bins: Vec<i64>,
}

/// Binned weight over time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// The binned range `[from, to)`, UTC ns; bin `i` covers
    /// `from + i * (to - from) / bins.len()` onwards.
    pub range: (u64, u64),
    /// Weight per bin of every kept sample.
    pub bins: Vec<i64>,
    /// Per group, heaviest first, then samples without the key, then "other"; empty
    /// without [`TimelineOptions::group_by`]. Their bins add up to [`Timeline::bins`].
    pub groups: Vec<TimelineGroup>,
    /// Weight per bin of the samples whose stack contains [`TimelineOptions::highlight`].
    pub highlight: Option<Vec<i64>>,
    /// Weight of kept samples that have no timestamp (in no bin).
    pub untimed: i64,
    /// Weight of kept samples with a timestamp outside the range (in no bin).
    pub outside: i64,
}

impl Timeline {
    /// Duration of one bin in ns.
    pub fn bin_ns(&self) -> f64 {
        (self.range.1 - self.range.0) as f64 / self.bins.len() as f64
    }
}

/// Why there is no timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoTimeline {
    /// No sample of the file has a timestamp (folded stacks, most pprof files).
    NoTimestamps,
    /// The requested range is empty.
    EmptyRange,
}

impl std::fmt::Display for NoTimeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoTimeline::NoTimestamps => "the samples have no timestamps",
            NoTimeline::EmptyRange => "the time range is empty",
        })
    }
}

fn value_of<'a>(attrs: &'a [Attribute], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

/// Per attribute set and per profile, the value id of `key` ([`NONE`] when absent), looked
/// up in sample attributes, then profile, then resource attributes; and the values.
pub(crate) fn group_ids<'a>(set: &'a ProfileSet, key: &str) -> (Vec<u32>, Vec<u32>, Vec<&'a str>) {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut values = Vec::new();
    let mut id = |v: &'a str| {
        *ids.entry(v).or_insert_with(|| {
            values.push(v);
            (values.len() - 1) as u32
        })
    };
    let of_set = set
        .attr_sets
        .iter()
        .map(|a| value_of(a, key).map_or(NONE, &mut id))
        .collect();
    let of_profile = set
        .profiles
        .iter()
        .map(|p| {
            value_of(&p.attributes, key)
                .or_else(|| {
                    set.resources
                        .get(p.resource.index())
                        .and_then(|r| value_of(&r.attributes, key))
                })
                .map_or(NONE, &mut id)
        })
        .collect();
    (of_set, of_profile, values)
}

impl ProfileSet {
    /// Bin the weight of the samples `filter` keeps over time; with `transformed`, samples
    /// its transforms drop are left out and `highlight` is looked for in the transformed
    /// stacks (so a collapsed or focused frame can be marked too).
    pub fn timeline(
        &self,
        filter: &Filter,
        transformed: Option<&Transformed>,
        options: &TimelineOptions,
    ) -> Result<Timeline, NoTimeline> {
        let (from, to) = match options.range {
            Some(r) => r,
            None => {
                let (lo, hi) = self.time_range().ok_or(NoTimeline::NoTimestamps)?;
                (lo, hi.saturating_add(1))
            }
        };
        if from >= to {
            return Err(NoTimeline::EmptyRange);
        }
        let n = options.bins.clamp(1, MAX_BINS);
        let scale = n as f64 / (to - from) as f64;
        let bin_of = |t: u64| (((t - from) as f64 * scale) as usize).min(n - 1);
        // Per original stack (and stackless samples): kept, and whether highlighted.
        let kept: Option<Vec<bool>> = transformed.map(|t| {
            (0..self.stacks.len() as u32)
                .map(|s| t.map(s).is_some())
                .collect()
        });
        let stackless_kept = transformed.is_none_or(|t| t.map(NONE).is_some());
        let marked: Option<Vec<bool>> = options.highlight.as_ref().map(|key| match transformed {
            Some(t) => t.stacks_containing(key),
            None => self.transform(&Default::default()).stacks_containing(key),
        });
        let keep = |stack: u32| match stack {
            NONE => stackless_kept,
            s => kept.as_ref().is_none_or(|k| k[s as usize]),
        };
        let groups = options.group_by.as_deref().map(|k| group_ids(self, k));
        let group_of = |row: usize, profile: usize| -> u32 {
            let (of_set, of_profile, _) = groups.as_ref().expect("grouped");
            match of_set[self.samples.attrs(row) as usize] {
                NONE => of_profile[profile],
                g => g,
            }
        };
        let value_count = groups.as_ref().map_or(0, |g| g.2.len());
        // Pass 1: whole-file bins, highlight bins, weight per group (missing last).
        let mut bins = vec![0i64; n];
        let mut highlight = marked.as_ref().map(|_| vec![0i64; n]);
        let mut group_weight = vec![0i64; value_count + 1];
        let (mut untimed, mut outside) = (0i64, 0i64);
        let s = &self.samples;
        self.for_each_sample_of(filter, |row, profile| {
            let stack = s.stack(row);
            if !keep(stack) {
                return;
            }
            let (v, t) = (s.value(row), s.time(row));
            if t == 0 {
                untimed = untimed.saturating_add(v);
                return;
            }
            if t < from || t >= to {
                outside = outside.saturating_add(v);
                return;
            }
            let b = bin_of(t);
            bins[b] = bins[b].saturating_add(v);
            if let (Some(h), Some(m)) = (highlight.as_mut(), marked.as_ref())
                && stack != NONE
                && m[stack as usize]
            {
                h[b] = h[b].saturating_add(v);
            }
            if groups.is_some() {
                let g = match group_of(row, profile) {
                    NONE => value_count,
                    g => g as usize,
                };
                group_weight[g] = group_weight[g].saturating_add(v);
            }
        });
        let mut out_groups = Vec::new();
        if let Some((_, _, values)) = &groups {
            let mut labels = Vec::new();
            // The heaviest values get their own bins; the rest share "other".
            let mut order: Vec<usize> =
                (0..value_count).filter(|&g| group_weight[g] != 0).collect();
            order.sort_by(|&a, &b| {
                group_weight[b]
                    .cmp(&group_weight[a])
                    .then_with(|| values[a].cmp(values[b]))
            });
            let own = order.len().min(options.max_groups.max(1));
            let mut slot = vec![NONE; value_count + 1];
            for (i, &g) in order[..own].iter().enumerate() {
                slot[g] = i as u32;
                labels.push(GroupLabel::Value(values[g].to_owned()));
            }
            if group_weight[value_count] != 0 {
                slot[value_count] = labels.len() as u32;
                labels.push(GroupLabel::Missing);
            }
            let other = labels.len() as u32;
            if order.len() > own {
                for &g in &order[own..] {
                    slot[g] = other;
                }
                labels.push(GroupLabel::Other(order.len() - own));
            }
            // Pass 2: bins per group.
            let mut group_bins = vec![0i64; labels.len() * n];
            self.for_each_sample_of(filter, |row, profile| {
                let t = s.time(row);
                if !keep(s.stack(row)) || t == 0 || t < from || t >= to {
                    return;
                }
                let g = match group_of(row, profile) {
                    NONE => value_count,
                    g => g as usize,
                };
                let i = slot[g] as usize * n + bin_of(t);
                group_bins[i] = group_bins[i].saturating_add(s.value(row));
            });
            for (label, bins) in labels.into_iter().zip(group_bins.chunks(n)) {
                out_groups.push(TimelineGroup {
                    label,
                    total: bins.iter().fold(0i64, |a, &b| a.saturating_add(b)),
                    bins: bins.to_vec(),
                });
            }
        }
        Ok(Timeline {
            range: (from, to),
            bins,
            groups: out_groups,
            highlight,
            untimed,
            outside,
        })
    }
}
