//! Bounds on everything the input controls.

/// Limits applied while reading input. Every size the input declares is checked against
/// these before memory is allocated for it. Raise them for trusted, very large files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input after decompression, in bytes. Default 2 GiB.
    pub max_decompressed_bytes: u64,
    /// Largest number of sample observations (after expanding timestamps). Default 100 million:
    /// at 32 bytes a row, 3.2 GB, near what a 32-bit wasm memory (4 GiB) can hold.
    pub max_samples: u64,
    /// Largest number of entries in any one table (strings, functions, locations, stacks, spans). Default 20 million.
    pub max_table_len: u64,
    /// Deepest stack kept; deeper stacks are truncated at the root side with a diagnostic. Default 4096 frames.
    pub max_stack_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed_bytes: 2 << 30,
            max_samples: 100_000_000,
            max_table_len: 20_000_000,
            max_stack_depth: 4096,
        }
    }
}
