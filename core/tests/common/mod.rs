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

/// Compare `actual` with the golden file `rel` (under fixtures). `BLESS=1` rewrites it;
/// a missing file is created so a new case starts from reviewed output.
pub fn assert_golden(rel: &str, actual: &str) {
    let path = fixture_path(rel);
    if std::env::var_os("BLESS").is_some() || !path.exists() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    if expected != actual {
        let out = std::env::temp_dir().join(path.file_name().unwrap());
        std::fs::write(&out, actual).unwrap();
        panic!(
            "{rel} differs from the actual output, written to {}; diff them, and run with BLESS=1 if the change is right",
            out.display()
        );
    }
}
