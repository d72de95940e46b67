//! Seeded randomness: a hand-written SplitMix64 and discrete distributions, so output is
//! the same on every platform.

/// SplitMix64's output function: a bijection on `u64` that scrambles well.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, for choices that must depend only on names (call-site lines, addresses).
pub(crate) fn name_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain([0xffu8].iter()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    mix(h)
}

/// SplitMix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(mix(seed ^ 0x5EED_5EED_5EED_5EED))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// An index in `0..n` skewed toward 0 (a cheap power law for short lists).
    pub(crate) fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * u * n as f64) as usize).min(n - 1)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }
}

/// A distribution over `0..n` given by cumulative weights.
#[derive(Debug, Clone, Default)]
pub(crate) struct Discrete {
    pub(crate) cdf: Vec<f64>,
}

impl Discrete {
    /// Zipf's law with exponent 1: item `k` has weight `1 / (k + 1)`. Only `+` and `/`, so the
    /// table is bit-identical everywhere (a `powf` could differ between libms).
    pub(crate) fn zipf(n: usize) -> Discrete {
        Discrete::weighted((0..n).map(|k| 1.0 / (k + 1) as f64))
    }

    pub(crate) fn weighted(weights: impl IntoIterator<Item = f64>) -> Discrete {
        let mut acc = 0.0;
        let cdf = weights
            .into_iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Discrete { cdf }
    }

    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cdf.last().expect("a distribution over an empty range");
        let u = rng.unit() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}
