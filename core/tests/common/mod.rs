//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use spanflame_core::{Limits, Loaded, ProfileSet, TraceSet, load};

/// Path of a fixture under `core/tests/fixtures`.
pub fn fixture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Bytes of a fixture.
pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Load a fixture that must be a profile.
pub fn profiles(rel: &str) -> ProfileSet {
    match load(&fixture(rel), &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        Ok(Loaded::Traces(_)) => panic!("{rel}: loaded as traces"),
        Err(e) => panic!("{rel}: {e}"),
    }
}

/// Load a fixture that must be a trace.
pub fn traces(rel: &str) -> TraceSet {
    match load(&fixture(rel), &Limits::default()) {
        Ok(Loaded::Traces(set)) => set,
        Ok(Loaded::Profiles(_)) => panic!("{rel}: loaded as profiles"),
        Err(e) => panic!("{rel}: {e}"),
    }
}

/// Folded lines as one text.
pub fn folded_text(lines: &[(String, i64)]) -> String {
    lines.iter().map(|(s, v)| format!("{s} {v}\n")).collect()
}

/// Compare `actual` with the golden file `rel` (under fixtures). Only `BLESS=1` writes it:
/// a missing golden fails, so a lost or renamed file cannot turn the check into a no-op.
pub fn assert_golden(rel: &str, actual: &str) {
    let path = fixture_path(rel);
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{rel}: {e}"));
        return;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!(
            "golden file {rel} cannot be read ({e}); review the output and run with BLESS=1 to write it"
        ),
    };
    if expected != actual {
        let out = std::env::temp_dir().join(path.file_name().unwrap());
        std::fs::write(&out, actual).unwrap();
        panic!(
            "{rel} differs from the actual output, written to {}; diff them, and run with BLESS=1 if the change is right",
            out.display()
        );
    }
}

/// The fixture README's link report for the Python run, "span only" scope:
/// (trace id prefix, span id, leaf function, samples).
pub const SPAN_ONLY: &[(&str, &str, &str, u64)] = &[
    ("e62ae068", "7e1af78dc57de38c", "fib", 8),
    ("d38ade02", "5103c037448af62a", "fib", 1),
    ("d38ade02", "d28fece0d5b12a5c", "hash_loop", 13),
    ("d38ade02", "44887551e1bf7ccb", "busy_sleep", 29),
    ("7cd37e81", "d5834ce84d19302d", "fib", 1),
    ("7cd37e81", "cc06b8c3fe51c244", "hash_loop", 11),
    ("7cd37e81", "d3955bf747172213", "busy_sleep", 29),
    ("84d52055", "009d14bf990152f8", "fib", 1),
    ("84d52055", "5de7d5ba1738d347", "hash_loop", 10),
    ("84d52055", "7dce1fbfeacbeff3", "busy_sleep", 30),
    ("e8dfa5f7", "1c61a5b3e0f63892", "fib", 1),
    ("e8dfa5f7", "5be5ff9307d8715f", "hash_loop", 10),
    ("e8dfa5f7", "45dd420fcdb9a795", "busy_sleep", 30),
];
