//! What to generate: the preset sizes and the options behind them.

/// Preset sizes for [`SynthOptions::size`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 10 000 CPU samples, about 1 000 distinct stacks, 200 spans: unit tests and demos.
    S,
    /// 1 000 000 CPU samples, about 50 000 distinct stacks, 2 000 spans: benchmarks.
    M,
    /// About 1 GB of OTLP binary: 65 million observations, 200 000 distinct stacks and
    /// 100 000 spans over 10 minutes, in 60 windows of 10 s. For stress tests: writing it
    /// takes minutes, the JSON is about 4 GB; its 65 million sample rows are within the
    /// default [`spanflame_core::Limits::max_samples`] (the protobuf opens, the JSON is too big).
    L,
}

impl std::str::FromStr for Size {
    type Err = String;

    fn from_str(s: &str) -> Result<Size, String> {
        match s {
            "S" | "s" => Ok(Size::S),
            "M" | "m" => Ok(Size::M),
            "L" | "l" => Ok(Size::L),
            other => Err(format!("unknown size {other:?}; use S, M or L")),
        }
    }
}

/// What to generate. Start from [`SynthOptions::size`] and change fields as needed.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Seed of every random choice; equal options give byte-identical output.
    pub seed: u64,
    /// CPU observations (`samples`/`count`, one per timestamp); 0 leaves the type out.
    pub samples: u64,
    /// Wall-clock observations (`wall`/`nanoseconds`); 0 leaves the type out.
    pub wall_samples: u64,
    /// Allocation observations (`alloc_space`/`bytes`); 0 leaves the type out.
    pub alloc_samples: u64,
    /// Size of the stack pool samples draw from. A few more may be drawn so that every
    /// service has something to sample, and fewer when the call graph runs out of variety.
    pub distinct_stacks: u32,
    /// Number of spans in the generated traces (exact).
    pub spans: u32,
    /// Deepest stack, in locations (inlined frames share a location).
    pub max_depth: u32,
    /// Whether samples carry timestamps (otherwise one aggregated value per Sample).
    pub timestamps: bool,
    /// Share of observations linked to a span, where a span is running at that time.
    pub linked_fraction: f64,
    /// Start of the profiles, UTC nanoseconds.
    pub start_unix_nano: u64,
    /// Length of the profiles, nanoseconds.
    pub duration_nano: u64,
    /// Number of consecutive time windows, each a separate batch of `ResourceProfiles`.
    pub windows: u32,
}

impl SynthOptions {
    /// The options of a preset size, with seed 1.
    pub fn size(size: Size) -> SynthOptions {
        let base = SynthOptions {
            seed: 1,
            samples: 10_000,
            wall_samples: 4_000,
            alloc_samples: 2_000,
            distinct_stacks: 1_000,
            spans: 200,
            max_depth: 120,
            timestamps: true,
            linked_fraction: 0.7,
            // 2026-01-15T10:00:00Z
            start_unix_nano: 1_768_471_200_000_000_000,
            duration_nano: 10_000_000_000,
            windows: 1,
        };
        match size {
            Size::S => base,
            Size::M => SynthOptions {
                samples: 1_000_000,
                wall_samples: 250_000,
                alloc_samples: 100_000,
                distinct_stacks: 50_000,
                spans: 2_000,
                duration_nano: 60_000_000_000,
                ..base
            },
            Size::L => SynthOptions {
                samples: 42_000_000,
                wall_samples: 17_000_000,
                alloc_samples: 6_000_000,
                distinct_stacks: 200_000,
                spans: 100_000,
                duration_nano: 600_000_000_000,
                windows: 60,
                ..base
            },
        }
    }

    pub(crate) fn counts(&self) -> [u64; 3] {
        [self.samples, self.wall_samples, self.alloc_samples]
    }
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions::size(Size::S)
    }
}
