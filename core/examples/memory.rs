//! What a loaded profile holds in memory, part by part, against the size of the file: the
//! accounting behind the memory numbers in BENCHMARKS.md.
//!
//! ```sh
//! cargo run --release -p spanflame-core --example memory -- target/bench-data/M/profile.binpb
//! ```
//!
//! It also prints the time of `load` and its peak resident memory above the resident memory
//! before it (Linux: the peak is reset through `/proc/self/clear_refs`, read from `VmHWM`). With
//! `--json-decode` before the path it measures the OTLP/JSON decode alone and stops there.

use std::time::Instant;

use spanflame_core::error::Diagnostics;
use spanflame_core::formats::otlp::json;
use spanflame_core::{Filter, FlameLayout, Limits, Loaded, load};

/// A `kB` line of `/proc/self/status`, in bytes; `None` off Linux.
fn status_bytes(key: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: usize = line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Runs `f`; its result, its seconds, and its peak RSS above the RSS before it, if known.
fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, Option<usize>) {
    // "5" resets the peak RSS (VmHWM) to the current RSS.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_bytes("VmRSS:");
    let started = Instant::now();
    let out = f();
    let seconds = started.elapsed().as_secs_f64();
    let peak = status_bytes("VmHWM:").filter(|_| reset);
    (
        out,
        seconds,
        peak.zip(before).map(|(p, b)| p.saturating_sub(b)),
    )
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let decode_only = args.first().is_some_and(|a| a == "--json-decode");
    if decode_only {
        args.remove(0);
    }
    let Some(path) = args.first().cloned() else {
        eprintln!("usage: memory [--json-decode] <profile file>");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mb = |b: usize| b as f64 / 1e6;
    let peak_text = |peak: Option<usize>| match peak {
        Some(p) => format!(
            "peak RSS +{:.1} MB ({:.2} × input)",
            mb(p),
            p as f64 / bytes.len() as f64
        ),
        None => "peak RSS unknown".to_owned(),
    };
    if decode_only {
        let (decoded, seconds, peak) = measure(|| {
            json::decode_profiles(&bytes, &Limits::default(), &mut Diagnostics::default())
        });
        let decoded = decoded.unwrap_or_else(|e| panic!("{e}"));
        println!(
            "{path}: {:.1} MB; OTLP/JSON decode: {seconds:.2} s, {}, {} messages",
            mb(bytes.len()),
            peak_text(peak),
            decoded.messages.len()
        );
        return;
    }
    let (loaded, seconds, peak) = measure(|| load(&bytes, &Limits::default()));
    let set = match loaded {
        Ok(Loaded::Profiles(set)) => set,
        Ok(Loaded::Traces(_)) => panic!("{path} holds traces"),
        Err(e) => panic!("{e}"),
    };
    println!("load: {seconds:.2} s, {}", peak_text(peak));
    let tree = set.call_tree(&Filter::default());
    let layout = FlameLayout::new(&tree);
    // A span filter builds the span index, as the app's first span click does.
    if let Some(link) = set.links.first() {
        let filter = Filter {
            spans: Some(spanflame_core::SpanSelection::Spans(vec![*link])),
            ..Filter::default()
        };
        let _ = set.call_tree(&filter);
    }
    let input = bytes.len();
    println!(
        "{path}: {:.1} MB, {} sample rows, {} stacks, {} call-tree nodes",
        mb(input),
        set.samples.len(),
        set.stacks.len(),
        tree.len()
    );
    println!("| part | MB | × input |");
    println!("|---|---:|---:|");
    let mut total = 0;
    let parts = set.memory_use().into_iter().chain([
        ("call tree (first sample type)", tree.memory_use()),
        ("flame layout", layout.memory_use()),
    ]);
    for (part, b) in parts {
        total += b;
        println!("| {part} | {:.1} | {:.2} |", mb(b), b as f64 / input as f64);
    }
    println!(
        "| **total** | **{:.1}** | **{:.2}** |",
        mb(total),
        total as f64 / input as f64
    );
}
