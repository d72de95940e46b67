//! Joining samples and spans: per-span sample counts and sample times for a waterfall, and
//! the reverse question, which spans' samples run a given function.
//!
//! Results are keyed by the profile's links ([`SpanKey`]). A link with an all-zero trace id
//! (pprof labels that give only a span id) belongs to every span with that span id, as in
//! [`ProfileSet::links_of`]: [`linked`] looks both up for a span.

use std::collections::HashMap;

use crate::filter::Filter;
use crate::model::{NONE, ProfileSet, SpanKey};
use crate::trace::TraceSet;

/// Samples linked to one span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpanSamples {
    /// Sample rows (observations).
    pub samples: u64,
    /// Their summed weight in the filter's sample type.
    pub weight: i64,
}

impl SpanSamples {
    fn add(&mut self, other: SpanSamples) {
        self.samples += other.samples;
        self.weight = self.weight.saturating_add(other.weight);
    }
}

impl ProfileSet {
    /// Samples per linked span among the rows `filter` keeps (its span selection is ignored:
    /// this answers "which spans have data" for the other conditions).
    pub fn samples_by_span(&self, filter: &Filter) -> HashMap<SpanKey, SpanSamples> {
        self.per_span(filter, |_| true)
    }

    /// For each span whose kept samples have function `name` anywhere on the stack: how
    /// many samples and how much weight.
    pub fn spans_running_function(
        &self,
        filter: &Filter,
        name: &str,
    ) -> HashMap<SpanKey, SpanSamples> {
        let contains = self.stacks_containing(name);
        self.per_span(filter, |stack| stack != NONE && contains[stack as usize])
    }

    /// Per stack: whether function `name` is anywhere on it. Parents come before children,
    /// so one pass marks them all and rows then need one lookup.
    fn stacks_containing(&self, name: &str) -> Vec<bool> {
        let mut contains = vec![false; self.stacks.len()];
        for st in 0..self.stacks.len() {
            let frame = &self.frames[self.stacks.frame[st] as usize];
            let here = self.function_name(frame.function) == name;
            let parent = self.stacks.parent[st];
            contains[st] = here || (parent != NONE && contains[parent as usize]);
        }
        contains
    }

    /// [`ProfileSet::sample_times_by_span`] with the samples' weights in the filter's sample
    /// type, as running sums: a time range's samples and weight per span are then two binary
    /// searches per span ([`span_samples_in_range`]) rather than a pass over every row.
    pub fn sample_times_and_weights_by_span(&self, filter: &Filter) -> HashMap<SpanKey, SpanTimes> {
        let mut out = HashMap::new();
        let filter = Filter {
            spans: None,
            ..filter.clone()
        };
        let Some(keep) = self.row_test(&filter) else {
            return out;
        };
        let index = self.sample_index();
        let Some(time) = self.samples.times() else {
            return out;
        };
        let value = self.samples.values();
        let mut pairs: Vec<(u64, i64)> = Vec::new();
        for (link, key) in self.links.iter().enumerate() {
            pairs.clear();
            pairs.extend(
                (index.rows_of_link(link as u32).iter())
                    .map(|&r| r as usize)
                    .filter(|&r| time.get(r) != 0 && keep.keeps(r))
                    .map(|r| (time.get(r), value.get(r))),
            );
            if pairs.is_empty() {
                continue;
            }
            pairs.sort_unstable();
            let mut sum = 0i64;
            let weight_before = std::iter::once(0)
                .chain(pairs.iter().map(|&(_, v)| {
                    sum = sum.wrapping_add(v);
                    sum
                }))
                .collect();
            let times = pairs.iter().map(|&(t, _)| t).collect();
            out.insert(
                *key,
                SpanTimes {
                    times,
                    weight_before,
                },
            );
        }
        out
    }

    /// The timestamps (UTC ns, ascending) of the samples linked to each span among the rows
    /// `filter` keeps (its span selection is ignored), for drawing where in a span its samples
    /// fell. With `function`, only samples with that function on the stack. Samples without a
    /// timestamp are left out; spans with none are absent.
    pub fn sample_times_by_span(
        &self,
        filter: &Filter,
        function: Option<&str>,
    ) -> HashMap<SpanKey, Vec<u64>> {
        let mut out = HashMap::new();
        let filter = Filter {
            spans: None,
            ..filter.clone()
        };
        let Some(keep) = self.row_test(&filter) else {
            return out;
        };
        let contains = function.map(|name| self.stacks_containing(name));
        let stack_ok = |row: usize| {
            contains.as_ref().is_none_or(|c| {
                let st = self.samples.stack(row);
                st != NONE && c[st as usize]
            })
        };
        let index = self.sample_index();
        for (link, key) in self.links.iter().enumerate() {
            let mut times: Vec<u64> = index
                .rows_of_link(link as u32)
                .iter()
                .map(|&r| r as usize)
                .filter(|&r| self.samples.time(r) != 0 && keep.keeps(r) && stack_ok(r))
                .map(|r| self.samples.time(r))
                .collect();
            if !times.is_empty() {
                times.sort_unstable();
                out.insert(*key, times);
            }
        }
        out
    }

    /// Kept, linked rows whose stack passes `stack_ok`, summed per span.
    fn per_span(
        &self,
        filter: &Filter,
        stack_ok: impl Fn(u32) -> bool,
    ) -> HashMap<SpanKey, SpanSamples> {
        let filter = Filter {
            spans: None,
            ..filter.clone()
        };
        let mut per_link = vec![SpanSamples::default(); self.links.len()];
        let s = &self.samples;
        self.for_each_sample(&filter, |row| {
            let l = s.link(row);
            if l != NONE && stack_ok(s.stack(row)) {
                per_link[l as usize].add(SpanSamples {
                    samples: 1,
                    weight: s.value(row),
                });
            }
        });
        self.links
            .iter()
            .zip(per_link)
            .filter(|(_, n)| n.samples > 0)
            .map(|(k, n)| (*k, n))
            .collect()
    }
}

/// Span sample times (as [`ProfileSet::sample_times_by_span`] gives them) cut to the time
/// range `[from, to)`: what asking again with that range gives, without another pass over
/// the rows. A timeline brush changes only the range, so the app asks once per filter and
/// cuts per brush. Spans left with no time are absent.
pub fn times_in_range(
    times: &HashMap<SpanKey, Vec<u64>>,
    range: Option<(u64, u64)>,
) -> HashMap<SpanKey, Vec<u64>> {
    let Some((from, to)) = range else {
        return times.clone();
    };
    times
        .iter()
        .filter_map(|(key, t)| {
            let (lo, hi) = (
                t.partition_point(|&x| x < from),
                t.partition_point(|&x| x < to),
            );
            (lo < hi).then(|| (*key, t[lo..hi].to_vec()))
        })
        .collect()
}

/// The sample times of one span with running weights, from
/// [`ProfileSet::sample_times_and_weights_by_span`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanTimes {
    /// Timestamps (UTC ns), ascending.
    pub times: Vec<u64>,
    /// `weight_before[i]`: the summed weight of the samples before `times[i]` (wrapping, so
    /// that a difference is exact); one longer than `times`.
    pub weight_before: Vec<i64>,
}

impl SpanTimes {
    /// Index range of the times in `[from, to)`.
    fn range(&self, from: u64, to: u64) -> std::ops::Range<usize> {
        let t = &self.times[..];
        t.partition_point(|&x| x < from)..t.partition_point(|&x| x < to)
    }
}

/// Per span: the samples and weight, and the sample times, in `[from, to)` (UTC ns), cut
/// from `times` (the spans' sample times without a time range). For `from > 0` these are
/// [`ProfileSet::samples_by_span`] and [`times_in_range`] of the filter with that range,
/// without a pass over the rows. Spans with no sample in the range are absent.
pub fn span_samples_in_range(
    times: &HashMap<SpanKey, SpanTimes>,
    from: u64,
    to: u64,
) -> (HashMap<SpanKey, SpanSamples>, HashMap<SpanKey, Vec<u64>>) {
    let mut counts = HashMap::new();
    let mut cut = HashMap::new();
    for (key, t) in times {
        let r = t.range(from, to);
        if r.is_empty() {
            continue;
        }
        let w = &t.weight_before;
        let samples = SpanSamples {
            samples: r.len() as u64,
            weight: w[r.end].wrapping_sub(w[r.start]),
        };
        counts.insert(*key, samples);
        cut.insert(*key, t.times[r].to_vec());
    }
    (counts, cut)
}

/// The entries of `by_span` that belong to the span with key `span`: its exact key, and the
/// key with an all-zero trace id and the same span id (pprof links that know only the span
/// id). At most two.
pub fn linked<'a, T>(
    by_span: &'a HashMap<SpanKey, T>,
    span: &SpanKey,
) -> impl Iterator<Item = &'a T> + use<'a, T> {
    let exact = by_span.get(span);
    let by_id = (span.trace_id != [0; 16])
        .then(|| {
            by_span.get(&SpanKey {
                trace_id: [0; 16],
                span_id: span.span_id,
            })
        })
        .flatten();
    exact.into_iter().chain(by_id)
}

impl TraceSet {
    /// Per span (by index): its own samples, and its own plus its descendants'. Links with
    /// an all-zero trace id count for every span with their span id (see [`linked`]).
    pub fn span_counts(
        &self,
        by_span: &HashMap<SpanKey, SpanSamples>,
    ) -> Vec<(SpanSamples, SpanSamples)> {
        let own: Vec<SpanSamples> = self
            .spans
            .iter()
            .map(|s| {
                let mut n = SpanSamples::default();
                for m in linked(by_span, &s.key) {
                    n.add(*m);
                }
                n
            })
            .collect();
        let mut subtree = own.clone();
        // Children before parents: deepest first.
        let mut order: Vec<usize> = (0..self.spans.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.spans[i].depth));
        for i in order {
            let p = self.spans[i].parent;
            if p != NONE {
                let child = subtree[i];
                subtree[p as usize].add(child);
            }
        }
        own.into_iter().zip(subtree).collect()
    }

    /// Linked spans with samples that are not in this trace set (a profile's links to spans
    /// whose trace was not loaded), sorted by sample count, largest first. A link with an
    /// all-zero trace id is known when any span has its span id.
    pub fn unknown_spans(
        &self,
        by_span: &HashMap<SpanKey, SpanSamples>,
    ) -> Vec<(SpanKey, SpanSamples)> {
        let mut out: Vec<(SpanKey, SpanSamples)> = by_span
            .iter()
            .filter(|(k, _)| self.resolve_link(k).is_none())
            .map(|(k, n)| (*k, *n))
            .collect();
        out.sort_by(|a, b| b.1.samples.cmp(&a.1.samples).then(a.0.cmp(&b.0)));
        out
    }
}
