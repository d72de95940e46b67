//! The per-set sample index: each link's rows.
//!
//! It lives under the model, not beside the filters that use it, because [`ProfileSet`]
//! caches it (a `OnceLock` field): were it defined in `filter`, the model would import the
//! layer above it. As a child module it uses only the model, and `filter`, `spans` and the
//! rest reach it through [`ProfileSet::sample_index`], importing downward.

use super::{NONE, ProfileSet, vec_bytes};

/// Per-set lookup structures, built once.
#[derive(Debug, Clone, Default)]
pub struct SampleIndex {
    /// Rows of link `l` are `link_rows[link_start[l]..link_start[l + 1]]`.
    link_start: Vec<u32>,
    link_rows: Vec<u32>,
}

impl SampleIndex {
    pub(super) fn build(set: &ProfileSet) -> SampleIndex {
        let links = set.links.len();
        let mut link_start = vec![0u32; links + 1];
        let rows_link = set.samples.links().unwrap_or_default();
        for &l in rows_link {
            if l != NONE {
                link_start[l as usize + 1] += 1;
            }
        }
        for i in 0..links {
            link_start[i + 1] += link_start[i];
        }
        let mut fill = link_start.clone();
        let mut link_rows = vec![0u32; link_start[links] as usize];
        for (row, &l) in rows_link.iter().enumerate() {
            if l != NONE {
                link_rows[fill[l as usize] as usize] = row as u32;
                fill[l as usize] += 1;
            }
        }
        SampleIndex {
            link_start,
            link_rows,
        }
    }

    /// Heap bytes held.
    pub(crate) fn memory_use(&self) -> usize {
        vec_bytes(&self.link_start) + vec_bytes(&self.link_rows)
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
    /// The sample index, built on first use.
    pub(crate) fn sample_index(&self) -> &SampleIndex {
        self.index.get_or_init(|| SampleIndex::build(self))
    }
}
