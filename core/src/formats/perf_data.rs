//! Linux perf's binary `perf.data`: recognised by its magic and refused.
//!
//! A `perf.data` file holds addresses and memory maps, not symbol names: naming the frames
//! needs the recorded binaries, their debug info and the kernel's symbol table, which a
//! browser does not have. `perf script` on the recording machine has them all, and its
//! text output is read by [`super::perf_script`].

use super::{Detect, Loaded, Options};
use crate::error::{At, Error, ErrorKind, Format, Result};

/// The file magic, little- and big-endian (`perf record` writes the machine's order).
const MAGICS: [&[u8; 8]; 2] = [b"PERFILE2", b"2ELIFREP"];

/// Whether `bytes` start like a `perf.data` file (file or pipe mode).
pub fn sniff(bytes: &[u8]) -> Detect {
    if MAGICS.iter().any(|m| bytes.starts_with(*m)) {
        Detect::Yes
    } else if MAGICS.iter().any(|m| m.starts_with(bytes)) {
        Detect::NeedMore
    } else {
        Detect::No
    }
}

/// Refuse a `perf.data` file with what to do instead.
pub fn parse(_bytes: &[u8], _options: &Options) -> Result<Loaded> {
    Err(Error {
        format: Format::PerfData,
        at: At::Input,
        kind: ErrorKind::Unsupported,
        message: "a binary perf.data file has no symbol names; run `perf script` on the machine that recorded it and open its output".into(),
    })
}
