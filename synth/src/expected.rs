//! What the generator recorded while emitting observations: expected folded stacks and
//! weights per span, to hold the parser against.

use std::collections::BTreeMap;

use spanflame_core::model::SpanKey;

use crate::dataset::Synth;

impl Synth {
    /// Expected folded stacks of sample type `sample_type` (an index into
    /// [`Synth::sample_types`]): `(root;...;leaf, weight)`, merged by name and sorted, as
    /// [`spanflame_core::ProfileSet::folded`] gives them. Computed from the generator's own records.
    pub fn folded_pairs(&self, sample_type: usize) -> Vec<(String, i64)> {
        let mut out: BTreeMap<String, i64> = BTreeMap::new();
        let Some(weights) = self.expected.weights.get(sample_type) else {
            return Vec::new();
        };
        let d = &self.program.dict;
        for (stack, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let mut names: Vec<&str> = Vec::new();
            for &loc in d.stacks[stack].location_indices.iter().rev() {
                for &n in &d.location_names[loc as usize] {
                    names.push(&d.names[n as usize]);
                }
            }
            *out.entry(names.join(";")).or_default() += w;
        }
        out.into_iter().collect()
    }

    /// [`Synth::folded_pairs`] as text, one `stack weight` line each: the format flamegraph.pl,
    /// inferno and speedscope read.
    pub fn folded(&self, sample_type: usize) -> String {
        let mut out = String::new();
        for (stack, w) in self.folded_pairs(sample_type) {
            out.push_str(&stack);
            out.push(' ');
            out.push_str(&w.to_string());
            out.push('\n');
        }
        out
    }

    /// Expected total weight per linked span for a sample type (spans without samples left
    /// out).
    pub fn link_weights(&self, sample_type: usize) -> BTreeMap<SpanKey, i64> {
        let Some(weights) = self.expected.link_weights.get(sample_type) else {
            return BTreeMap::new();
        };
        weights
            .iter()
            .enumerate()
            .filter(|&(_, &w)| w != 0)
            .map(|(s, &w)| (self.spans[s].key, w))
            .collect()
    }
}
