//! Joining samples and spans: per-span sample counts for a waterfall, and the reverse
//! question, which spans' samples run a given function.

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
        // Mark stacks containing the function once (parents come before children); rows
        // then need one lookup.
        let mut contains = vec![false; self.stacks.len()];
        for st in 0..self.stacks.len() {
            let frame = &self.frames[self.stacks.frame[st] as usize];
            let here = self.function_name(frame.function) == name;
            let parent = self.stacks.parent[st];
            contains[st] = here || (parent != NONE && contains[parent as usize]);
        }
        self.per_span(filter, |stack| stack != NONE && contains[stack as usize])
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
            let l = s.link[row];
            if l != NONE && stack_ok(s.stack[row]) {
                per_link[l as usize].add(SpanSamples {
                    samples: 1,
                    weight: s.value[row],
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

impl TraceSet {
    /// Per span (by index): its own samples, and its own plus its descendants'.
    pub fn span_counts(
        &self,
        by_span: &HashMap<SpanKey, SpanSamples>,
    ) -> Vec<(SpanSamples, SpanSamples)> {
        let own: Vec<SpanSamples> = self
            .spans
            .iter()
            .map(|s| by_span.get(&s.key).copied().unwrap_or_default())
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
    /// whose trace was not loaded), sorted by sample count, largest first.
    pub fn unknown_spans(
        &self,
        by_span: &HashMap<SpanKey, SpanSamples>,
    ) -> Vec<(SpanKey, SpanSamples)> {
        let mut out: Vec<(SpanKey, SpanSamples)> = by_span
            .iter()
            .filter(|(k, _)| self.find(k).is_none())
            .map(|(k, n)| (*k, *n))
            .collect();
        out.sort_by(|a, b| b.1.samples.cmp(&a.1.samples).then(a.0.cmp(&b.0)));
        out
    }
}
