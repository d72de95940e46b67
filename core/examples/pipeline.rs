//! Runs each pipeline stage once on a seeded generated profile, so that a profiler or
//! `valgrind --tool=callgrind` can count each stage's instructions. Instruction counts do not
//! depend on what else the machine is doing, unlike the criterion timings.
//!
//! ```sh
//! cargo build --release -p spanflame-core --example pipeline
//! valgrind --tool=callgrind --toggle-collect='*stage_*' target/release/examples/pipeline M
//! callgrind_annotate callgrind.out.* | grep stage_
//! ```

use std::hint::black_box;

use spanflame_core::{CallTree, Filter, FlameLayout, Limits, Loaded, ProfileSet, load};
use spanflame_synth::{Size, SynthOptions, generate};

#[inline(never)]
fn stage_parse(bytes: &[u8]) -> ProfileSet {
    match load(bytes, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        _ => panic!("not a profile"),
    }
}

#[inline(never)]
fn stage_tree(set: &ProfileSet) -> CallTree {
    set.call_tree(&Filter::default())
}

#[inline(never)]
fn stage_layout(tree: &CallTree) -> FlameLayout {
    FlameLayout::new(tree)
}

fn main() {
    let size = match std::env::args().nth(1).as_deref() {
        Some("S") => Size::S,
        Some("L") => Size::L,
        _ => Size::M,
    };
    let bytes = generate(&SynthOptions::size(size)).profiles_binary();
    let set = stage_parse(&bytes);
    let tree = stage_tree(&set);
    let layout = stage_layout(&tree);
    println!(
        "{} bytes, {} rows, {} nodes, {} rects",
        bytes.len(),
        set.samples.len(),
        tree.len(),
        black_box(layout).rects().len()
    );
}
