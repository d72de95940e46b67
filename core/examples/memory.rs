//! What a loaded profile holds in memory, part by part, against the size of the file: the
//! accounting behind the memory numbers in BENCHMARKS.md.
//!
//! ```sh
//! cargo run --release -p spanflame-core --example memory -- target/bench-data/M/profile.binpb
//! ```

use spanflame_core::{Filter, FlameLayout, Limits, Loaded, load};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: memory <profile file>");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let set = match load(&bytes, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        Ok(Loaded::Traces(_)) => panic!("{path} holds traces"),
        Err(e) => panic!("{e}"),
    };
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
    let mb = |b: usize| b as f64 / 1e6;
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
