//! Selecting samples: by sample type, profile, resource, span, time and attribute.
//!
//! Filters compose (every condition must hold) and never re-parse. A sample index, built
//! once per [`ProfileSet`] on first use, maps each link to its sample rows, so a span filter
//! touches only the rows it keeps; every other condition is a test in one sequential pass.
//! The index lives with the model (`model::index`), which caches it, so that the model never
//! imports this layer.

use std::collections::HashSet;

use crate::model::{NONE, ProfileId, ProfileSet, ResourceId, SampleTypeId, SpanKey};

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
    /// The sample type whose values are summed.
    pub sample_type: SampleTypeId,
    /// Keep only these profiles.
    pub profiles: Option<Vec<ProfileId>>,
    /// Keep only profiles of these resources.
    pub resources: Option<Vec<ResourceId>>,
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

impl ProfileSet {
    /// Which profiles the filter's sample type, profile and resource conditions keep.
    fn profiles_kept(&self, filter: &Filter) -> Vec<bool> {
        self.profiles
            .iter()
            .enumerate()
            .map(|(i, p)| {
                p.sample_type == filter.sample_type
                    && filter
                        .profiles
                        .as_ref()
                        .is_none_or(|ps| ps.contains(&ProfileId::from_index(i)))
                    && filter
                        .resources
                        .as_ref()
                        .is_none_or(|rs| rs.contains(&p.resource))
            })
            .collect()
    }

    /// The conditions of `filter` other than its span selection, as a per-row test; `None`
    /// when no profile qualifies (then no row does).
    pub(crate) fn row_test(&self, filter: &Filter) -> Option<RowTest<'_>> {
        let profile_ok = self.profiles_kept(filter);
        if !profile_ok.iter().any(|&ok| ok) {
            return None;
        }
        Some(RowTest {
            set: self,
            profile_ok,
            time: filter.time,
            conditions: self.attribute_conditions(filter),
        })
    }

    /// Call `visit(row)` for every sample row the filter keeps.
    #[inline(always)]
    pub fn for_each_sample(&self, filter: &Filter, mut visit: impl FnMut(usize)) {
        self.for_each_sample_of(filter, |row, _| visit(row));
    }

    /// Call `visit(row, profile)` for every sample row the filter keeps, with the index of
    /// the row's profile.
    #[inline(always)]
    pub fn for_each_sample_of(&self, filter: &Filter, mut visit: impl FnMut(usize, usize)) {
        let Some(test) = self.row_test(filter) else {
            return;
        };
        match &filter.spans {
            Some(selection) => {
                let index = self.sample_index();
                for link in self.links_of(selection) {
                    for &row in index.rows_of_link(link) {
                        let row = row as usize;
                        let profile = self.profile_of_row(row);
                        if test.keeps_in(row, profile) {
                            visit(row, profile);
                        }
                    }
                }
            }
            // A time window is a test per row like the others: rows are seldom in time order
            // (threads interleave), and a sequential pass over every row is cheaper than
            // gathering the window's rows through a time-sorted index. A profile's rows are
            // contiguous, so its test is made once, not per row.
            None => {
                for (p, _) in test.profile_ok.iter().enumerate().filter(|(_, ok)| **ok) {
                    let rows = self.profiles[p].samples.clone();
                    let (a, b) = (rows.start as usize, rows.end as usize);
                    match test.time {
                        Some(window) => self.samples.time.for_each_within(a..b, window, |row| {
                            if test.attributes_keep(row, p) {
                                visit(row, p);
                            }
                        }),
                        None => {
                            for row in a..b {
                                if test.attributes_keep(row, p) {
                                    visit(row, p);
                                }
                            }
                        }
                    }
                }
            }
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

    /// The attribute conditions, precomputed per attribute set, profile and resource so the
    /// per-row cost is a few lookups.
    fn attribute_conditions(&self, filter: &Filter) -> Vec<RowCondition> {
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
        wanted
            .map(|(k, v, exclude)| RowCondition {
                sets: self.attr_sets.iter().map(|a| has(a, k, &v)).collect(),
                profiles: self
                    .profiles
                    .iter()
                    .map(|p| {
                        has(&p.attributes, k, &v)
                            || self
                                .resources
                                .get(p.resource.index())
                                .is_some_and(|r| has(&r.attributes, k, &v))
                    })
                    .collect(),
                exclude,
            })
            .collect()
    }

    /// Total weight per stack id for the filter, plus the weight of samples with no stack.
    pub fn stack_weights(&self, filter: &Filter) -> (Vec<i64>, i64) {
        let mut weights = vec![0i64; self.stacks.len()];
        let mut stackless = 0i64;
        let s = &self.samples;
        // It runs once per kept row (a million on a big profile): the release build
        // optimises for size and would otherwise call the closure per row.
        let add = {
            #[inline(always)]
            |row: usize| {
                let v = s.value(row);
                match s.stack(row) {
                    NONE => stackless = stackless.saturating_add(v),
                    st => weights[st as usize] = weights[st as usize].saturating_add(v),
                }
            }
        };
        self.for_each_sample(filter, add);
        (weights, stackless)
    }
}

/// A filter's per-row conditions other than its span selection, from
/// [`ProfileSet::row_test`].
pub(crate) struct RowTest<'a> {
    set: &'a ProfileSet,
    /// Per profile: whether its sample type, id and resource are kept.
    profile_ok: Vec<bool>,
    time: Option<(u64, u64)>,
    conditions: Vec<RowCondition>,
}

/// One attribute condition, answered per attribute set and per profile.
struct RowCondition {
    sets: Vec<bool>,
    profiles: Vec<bool>,
    exclude: bool,
}

impl RowTest<'_> {
    /// Whether the filter keeps sample row `row`.
    #[inline(always)]
    pub(crate) fn keeps(&self, row: usize) -> bool {
        self.keeps_in(row, self.set.profile_of_row(row))
    }

    /// Whether the filter keeps sample row `row` of profile `profile`. Inlined: it runs once
    /// per row of a million.
    #[inline(always)]
    fn keeps_in(&self, row: usize, profile: usize) -> bool {
        self.profile_ok[profile]
            && self
                .time
                .is_none_or(|(from, to)| (from..to).contains(&self.set.samples.time(row)))
            && self.attributes_keep(row, profile)
    }

    /// Whether row `row` of profile `profile` meets the attribute conditions.
    #[inline(always)]
    fn attributes_keep(&self, row: usize, profile: usize) -> bool {
        if self.conditions.is_empty() {
            return true;
        }
        let set = self.set.samples.attrs(row) as usize;
        self.conditions
            .iter()
            .all(|c| (c.sets[set] || c.profiles[profile]) != c.exclude)
    }
}
