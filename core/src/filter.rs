//! Selecting samples: by sample type, profile, resource, span, time and attribute.
//!
//! Filters compose (every condition must hold) and never re-parse. A [`SampleIndex`], built
//! once per [`ProfileSet`] on first use, maps each link to its sample rows and orders rows by
//! time, so a span or time filter touches only the rows it keeps.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::model::{NONE, ProfileSet, SpanKey};

/// Which spans' samples to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanSelection {
    /// Samples linked to any of these spans.
    Spans(Vec<SpanKey>),
    /// Samples linked to any span of this trace.
    Trace([u8; 16]),
}

/// A sample filter. The default keeps every sample of the first sample type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Index into [`ProfileSet::sample_types`].
    pub sample_type: usize,
    /// Keep only these profiles (indices into [`ProfileSet::profiles`]).
    pub profiles: Option<Vec<u32>>,
    /// Keep only profiles of these resources.
    pub resources: Option<Vec<u32>>,
    /// Keep only samples linked to these spans.
    pub spans: Option<SpanSelection>,
    /// Keep only samples with a timestamp in `[from, to)` (UTC ns).
    pub time: Option<(u64, u64)>,
    /// Keep only samples having every one of these `key = value` pairs, looked up in the
    /// sample's attributes, then its profile's, then its resource's.
    pub attributes: Vec<(String, String)>,
    /// Keep only samples meeting every one of these conditions too (see [`AttrCondition`]).
    pub conditions: Vec<AttrCondition>,
}

/// One attribute condition of a [`Filter`]. A sample has `key = v` when its own attributes,
/// its profile's or its resource's say so (as for [`Filter::attributes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttrCondition {
    /// The attribute key, e.g. `thread.name`.
    pub key: String,
    /// The values: with `exclude` false a sample must have one of them (an empty list keeps
    /// nothing); with `exclude` true it must have none of them (samples without the key pass).
    pub values: Vec<String>,
    /// Whether the values are excluded rather than required.
    pub exclude: bool,
}

/// Per-set lookup structures, built once.
#[derive(Debug, Clone, Default)]
pub struct SampleIndex {
    /// Rows of link `l` are `link_rows[link_start[l]..link_start[l + 1]]`.
    link_start: Vec<u32>,
    link_rows: Vec<u32>,
    /// Rows that have a timestamp, ordered by it; sorted on first use, as only time-window
    /// filters need it (sorting a million rows costs more than the rest of the index).
    by_time: OnceLock<Vec<u32>>,
}

impl SampleIndex {
    fn build(set: &ProfileSet) -> SampleIndex {
        let links = set.links.len();
        let mut link_start = vec![0u32; links + 1];
        for &l in &set.samples.link {
            if l != NONE {
                link_start[l as usize + 1] += 1;
            }
        }
        for i in 0..links {
            link_start[i + 1] += link_start[i];
        }
        let mut fill = link_start.clone();
        let mut link_rows = vec![0u32; link_start[links] as usize];
        for (row, &l) in set.samples.link.iter().enumerate() {
            if l != NONE {
                link_rows[fill[l as usize] as usize] = row as u32;
                fill[l as usize] += 1;
            }
        }
        SampleIndex {
            link_start,
            link_rows,
            by_time: OnceLock::new(),
        }
    }

    /// Heap bytes held.
    pub(crate) fn memory_use(&self) -> usize {
        use crate::model::vec_bytes;
        vec_bytes(&self.link_start)
            + vec_bytes(&self.link_rows)
            + self.by_time.get().map_or(0, vec_bytes)
    }

    /// Rows with a timestamp, by time (ties in row order).
    fn by_time(&self, set: &ProfileSet) -> &[u32] {
        self.by_time.get_or_init(|| {
            let times = &set.samples.time;
            // (time, row) pairs sort without a lookup per comparison.
            let mut pairs: Vec<(u64, u32)> = (0..times.len() as u32)
                .filter(|&r| times[r as usize] != 0)
                .map(|r| (times[r as usize], r))
                .collect();
            pairs.sort_unstable();
            pairs.into_iter().map(|(_, r)| r).collect()
        })
    }

    /// The sample rows linked to link `link`, in row order.
    pub(crate) fn rows_of_link(&self, link: u32) -> &[u32] {
        let (a, b) = (
            self.link_start[link as usize],
            self.link_start[link as usize + 1],
        );
        &self.link_rows[a as usize..b as usize]
    }
}

impl ProfileSet {
    pub(crate) fn sample_index(&self) -> &SampleIndex {
        self.index.get_or_init(|| SampleIndex::build(self))
    }

    /// Which profiles the filter's sample type, profile and resource conditions keep.
    fn profiles_kept(&self, filter: &Filter) -> Vec<bool> {
        self.profiles
            .iter()
            .enumerate()
            .map(|(i, p)| {
                p.sample_type as usize == filter.sample_type
                    && filter
                        .profiles
                        .as_ref()
                        .is_none_or(|ps| ps.contains(&(i as u32)))
                    && filter
                        .resources
                        .as_ref()
                        .is_none_or(|rs| rs.contains(&p.resource))
            })
            .collect()
    }

    /// The conditions of `filter` other than its span selection, as a per-row test; `None`
    /// when no profile qualifies (then no row does).
    pub(crate) fn row_test(&self, filter: &Filter) -> Option<impl Fn(usize) -> bool + '_> {
        let profile_ok = self.profiles_kept(filter);
        if !profile_ok.iter().any(|&ok| ok) {
            return None;
        }
        let attrs_ok = self.attribute_matcher(filter);
        let time = filter.time;
        let s = &self.samples;
        Some(move |row: usize| {
            profile_ok[s.profile[row] as usize]
                && time.is_none_or(|(from, to)| (from..to).contains(&s.time[row]))
                && attrs_ok(row)
        })
    }

    /// Call `visit(row)` for every sample row the filter keeps.
    pub fn for_each_sample(&self, filter: &Filter, mut visit: impl FnMut(usize)) {
        let Some(keep) = self.row_test(filter) else {
            return;
        };
        let s = &self.samples;
        match &filter.spans {
            Some(selection) => {
                let index = self.sample_index();
                for link in self.links_of(selection) {
                    for &row in index.rows_of_link(link) {
                        if keep(row as usize) {
                            visit(row as usize);
                        }
                    }
                }
            }
            None => match filter.time {
                Some((from, to)) => {
                    let by_time = self.sample_index().by_time(self);
                    let t = &s.time;
                    let lo = by_time.partition_point(|&r| t[r as usize] < from);
                    let hi = by_time.partition_point(|&r| t[r as usize] < to);
                    for &row in &by_time[lo..hi] {
                        if keep(row as usize) {
                            visit(row as usize);
                        }
                    }
                }
                None => {
                    let profile_ok = self.profiles_kept(filter);
                    for (i, p) in self.profiles.iter().enumerate() {
                        if profile_ok[i] {
                            for row in p.samples.clone() {
                                if keep(row as usize) {
                                    visit(row as usize);
                                }
                            }
                        }
                    }
                }
            },
        }
    }

    /// Link ids a span selection covers. A link with an all-zero trace id (pprof labels that
    /// give only a span id) matches a selected span of any trace with the same span id.
    pub fn links_of(&self, selection: &SpanSelection) -> Vec<u32> {
        match selection {
            SpanSelection::Spans(keys) => {
                let span_ids: HashSet<&[u8; 8]> = keys.iter().map(|k| &k.span_id).collect();
                let keys: HashSet<&SpanKey> = keys.iter().collect();
                (0..self.links.len() as u32)
                    .filter(|&l| {
                        let link = &self.links[l as usize];
                        keys.contains(link)
                            || (link.trace_id == [0; 16] && span_ids.contains(&link.span_id))
                    })
                    .collect()
            }
            SpanSelection::Trace(trace) => (0..self.links.len() as u32)
                .filter(|&l| &self.links[l as usize].trace_id == trace)
                .collect(),
        }
    }

    /// A per-row predicate for the attribute conditions, precomputed per attribute set,
    /// profile and resource so the per-row cost is a few lookups.
    fn attribute_matcher(&self, filter: &Filter) -> impl Fn(usize) -> bool + '_ {
        let has = |attrs: &[crate::model::Attribute], k: &str, values: &[&str]| {
            attrs
                .iter()
                .any(|a| a.key == k && values.contains(&a.value.as_str()))
        };
        // Every condition as (key, any of these values, negated).
        let wanted = filter
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), vec![v.as_str()], false))
            .chain(filter.conditions.iter().map(|c| {
                let values = c.values.iter().map(String::as_str).collect();
                (c.key.as_str(), values, c.exclude)
            }));
        // For each condition: which attribute sets have one of its values, which profiles
        // have one through profile or resource attributes, and whether that is excluded.
        let per_condition: Vec<(Vec<bool>, Vec<bool>, bool)> = wanted
            .map(|(k, v, exclude)| {
                let sets = self.attr_sets.iter().map(|a| has(a, k, &v)).collect();
                let profiles = self
                    .profiles
                    .iter()
                    .map(|p| {
                        has(&p.attributes, k, &v)
                            || self
                                .resources
                                .get(p.resource as usize)
                                .is_some_and(|r| has(&r.attributes, k, &v))
                    })
                    .collect();
                (sets, profiles, exclude)
            })
            .collect();
        move |row| {
            let s = &self.samples;
            per_condition.iter().all(|(sets, profiles, exclude)| {
                (sets[s.attrs[row] as usize] || profiles[s.profile[row] as usize]) != *exclude
            })
        }
    }

    /// Total weight per stack id for the filter, plus the weight of samples with no stack.
    pub fn stack_weights(&self, filter: &Filter) -> (Vec<i64>, i64) {
        let mut weights = vec![0i64; self.stacks.len()];
        let mut stackless = 0i64;
        let s = &self.samples;
        self.for_each_sample(filter, |row| {
            let v = s.value[row];
            match s.stack[row] {
                NONE => stackless = stackless.saturating_add(v),
                st => weights[st as usize] = weights[st as usize].saturating_add(v),
            }
        });
        (weights, stackless)
    }
}
