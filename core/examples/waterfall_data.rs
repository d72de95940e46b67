//! Writes a synthetic profile and its traces with many spans, for trying the waterfall at
//! scale (the e2e test `tests/e2e/waterfall.test.mjs` runs it for 40 000 spans).
//!
//! ```text
//! cargo run --release -p spanflame-core --example waterfall_data -- [--spans N] [--samples N] OUTDIR
//! ```
//!
//! OUTDIR gets `profiles.binpb` (CPU samples with timestamps, most linked to a running span)
//! and `traces.binpb`.

use spanflame_synth::{SynthOptions, generate};

fn main() -> Result<(), String> {
    let mut spans = 40_000u32;
    let mut samples = 400_000u64;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = || -> Result<u64, String> {
            let v = args.next().ok_or(format!("{arg} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{arg} wants a number, got {v:?}"))
        };
        match arg.as_str() {
            "--spans" => spans = number()? as u32,
            "--samples" => samples = number()?,
            _ if out.is_none() => out = Some(std::path::PathBuf::from(arg)),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let dir = out.ok_or("usage: waterfall_data [--spans N] [--samples N] OUTDIR")?;
    let opts = SynthOptions {
        spans,
        samples,
        wall_samples: 0,
        alloc_samples: 0,
        distinct_stacks: 5_000,
        duration_nano: 120_000_000_000,
        ..SynthOptions::default()
    };
    let synth = generate(&opts);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, bytes) in [
        ("profiles.binpb", synth.profiles_binary()),
        ("traces.binpb", synth.traces_binary()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
