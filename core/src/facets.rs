//! Attribute facets: which attribute keys a file has, and how the kept samples share out over
//! each key's values — the lists a user picks include or exclude conditions from
//! ([`crate::filter::AttrCondition`]).
//!
//! [`ProfileSet::facets`] makes one pass over the kept rows, counting per (attribute set,
//! profile) pair, then reads every key's values off those pairs; a key the filter has
//! conditions on is counted once more without them, so picking one value does not hide the
//! others (as faceted search does). Each key lists its `top_k` heaviest values; the rest
//! are summed into [`Facet::other`], so a key like `thread.id` cannot make a huge list.

use rustc_hash::FxHashMap;

use crate::filter::Filter;
use crate::model::ProfileSet;
use crate::timeline::group_ids;

/// Where a key was found first: sample attributes, then profile, then resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttrSource {
    /// Sample attributes (e.g. `thread.name`).
    Sample,
    /// Profile attributes.
    Profile,
    /// Resource attributes (e.g. `service.name`, `process.pid`).
    Resource,
}

/// Samples and weight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    /// Number of sample rows.
    pub samples: u64,
    /// Their weight in the filter's sample type.
    pub weight: i64,
}

impl Share {
    fn add(&mut self, other: Share) {
        self.samples = self.samples.saturating_add(other.samples);
        self.weight = self.weight.saturating_add(other.weight);
    }
}

/// One value of a key and its share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    /// The value as text.
    pub value: String,
    /// The kept samples having it.
    pub share: Share,
}

/// One attribute key with its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    /// The key.
    pub key: String,
    /// Where it was found first.
    pub source: AttrSource,
    /// The heaviest values, heaviest first (ties by value).
    pub values: Vec<FacetValue>,
    /// How many further values there are, and their share together.
    pub other: (usize, Share),
    /// The kept samples without the key.
    pub missing: Share,
}

impl ProfileSet {
    /// Every attribute key (sample keys, then profile, then resource, each sorted) with its
    /// values' shares of the samples `filter` keeps, at most `top_k` values per key. A key
    /// the filter has conditions on is counted without its own conditions.
    pub fn facets(&self, filter: &Filter, top_k: usize) -> Vec<Facet> {
        let mut keys: Vec<(AttrSource, &str)> = Vec::new();
        let sources: [(AttrSource, Vec<&str>); 3] = [
            (
                AttrSource::Sample,
                self.attr_sets
                    .iter()
                    .flatten()
                    .map(|a| a.key.as_str())
                    .collect(),
            ),
            (
                AttrSource::Profile,
                self.profiles
                    .iter()
                    .flat_map(|p| &p.attributes)
                    .map(|a| a.key.as_str())
                    .collect(),
            ),
            (
                AttrSource::Resource,
                self.resources
                    .iter()
                    .flat_map(|r| &r.attributes)
                    .map(|a| a.key.as_str())
                    .collect(),
            ),
        ];
        let mut seen = rustc_hash::FxHashSet::default();
        for (source, mut found) in sources {
            found.sort_unstable();
            found.dedup();
            for k in found {
                if seen.insert(k) {
                    keys.push((source, k));
                }
            }
        }

        let base = self.pair_shares(filter);
        keys.into_iter()
            .map(|(source, key)| {
                let own = filter.attributes.iter().any(|(k, _)| k == key)
                    || filter.conditions.iter().any(|c| c.key == key);
                let unconditioned;
                let shares = if own {
                    let mut f = filter.clone();
                    f.attributes.retain(|(k, _)| k != key);
                    f.conditions.retain(|c| c.key != key);
                    unconditioned = self.pair_shares(&f);
                    &unconditioned
                } else {
                    &base
                };
                self.facet(key, source, shares, top_k)
            })
            .collect()
    }

    /// Share of the kept rows per (attribute set, profile) pair that occurs.
    fn pair_shares(&self, filter: &Filter) -> Vec<((u32, u32), Share)> {
        let s = &self.samples;
        let profiles = self.profiles.len().max(1);
        // A dense table when small (no hashing per row), else a map.
        let dense = self.attr_sets.len().saturating_mul(profiles) <= 1 << 20;
        let mut table = vec![
            Share::default();
            if dense {
                self.attr_sets.len() * profiles
            } else {
                0
            }
        ];
        let mut map: FxHashMap<(u32, u32), Share> = FxHashMap::default();
        self.for_each_sample_of(filter, |row, p| {
            let (a, p) = (s.attrs(row), p as u32);
            let share = if dense {
                &mut table[a as usize * profiles + p as usize]
            } else {
                map.entry((a, p)).or_default()
            };
            share.add(Share {
                samples: 1,
                weight: s.value(row),
            });
        });
        if dense {
            table
                .into_iter()
                .enumerate()
                .filter(|(_, sh)| sh.samples > 0)
                .map(|(i, sh)| (((i / profiles) as u32, (i % profiles) as u32), sh))
                .collect()
        } else {
            map.into_iter().collect()
        }
    }

    fn facet(
        &self,
        key: &str,
        source: AttrSource,
        shares: &[((u32, u32), Share)],
        top_k: usize,
    ) -> Facet {
        let (of_set, of_profile, values) = group_ids(self, key);
        let mut per_value = vec![Share::default(); values.len()];
        let mut missing = Share::default();
        for &((a, p), share) in shares {
            let v = match of_set[a as usize] {
                crate::model::NONE => of_profile[p as usize],
                v => v,
            };
            match v {
                crate::model::NONE => missing.add(share),
                v => per_value[v as usize].add(share),
            }
        }
        let mut order: Vec<usize> = (0..values.len())
            .filter(|&v| per_value[v].samples > 0)
            .collect();
        order.sort_by(|&a, &b| {
            (per_value[b].weight, per_value[b].samples)
                .cmp(&(per_value[a].weight, per_value[a].samples))
                .then_with(|| values[a].cmp(values[b]))
        });
        let mut other = (0, Share::default());
        for &v in order.iter().skip(top_k) {
            other.0 += 1;
            other.1.add(per_value[v]);
        }
        Facet {
            key: key.to_owned(),
            source,
            values: order
                .iter()
                .take(top_k)
                .map(|&v| FacetValue {
                    value: values[v].to_owned(),
                    share: per_value[v],
                })
                .collect(),
            other,
            missing,
        }
    }
}
