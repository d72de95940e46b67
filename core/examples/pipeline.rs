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

use std::collections::HashMap;

use spanflame_core::spans::{SpanTimes, span_samples_in_range};
use spanflame_core::{CallTree, Filter, FlameLayout, Limits, Loaded, ProfileSet, SpanKey, load};
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

/// The layout of the brushed tree (counted apart from the whole tree's).
#[inline(never)]
fn stage_brush_layout(tree: &CallTree) -> FlameLayout {
    FlameLayout::new(tree)
}

/// The middle third of the time range, as a timeline brush selects it.
fn brush(set: &ProfileSet) -> Filter {
    let (lo, hi) = set
        .time_range()
        .expect("the generated profile has timestamps");
    let third = (hi - lo) / 3;
    Filter {
        time: Some((lo + third, lo + 2 * third)),
        ..Filter::default()
    }
}

/// What a timeline brush asks for: the tree of a time range. Counted on a second brush, as
/// the first one may build indexes that later ones reuse.
#[inline(never)]
fn stage_brush_tree(set: &ProfileSet, brush: &Filter) -> CallTree {
    set.call_tree(brush)
}

/// The rest of a brush's core work in the app: the waterfall's per-span samples and sample
/// times in the range, cut from the unbrushed times and running weights (made once per
/// filter). The range chip's share is the brushed tree's total.
#[inline(never)]
fn stage_brush_spans(brush: &Filter, unbrushed: &HashMap<SpanKey, SpanTimes>) -> usize {
    let (from, to) = brush.time.expect("a brush");
    let (by_span, times) = span_samples_in_range(unbrushed, from, to);
    by_span.len() + times.len()
}

/// The flame graph legend of a tree (package mode, the default): what the app recomputes
/// per brush besides the tree, layout and table.
#[inline(never)]
fn stage_legend(tree: &CallTree) -> usize {
    spanflame_core::palette::top_packages(tree, 8).len()
}

/// The legend as it was computed before `top_packages` cached packages per function: a
/// package worked out and hashed per node. Kept to compare with [`stage_legend`] in one run.
#[inline(never)]
fn stage_legend_per_node(tree: &CallTree) -> usize {
    let mut by_pkg: HashMap<&str, i64> = HashMap::new();
    for node in tree.nodes().skip(1) {
        let weight = tree.self_weight(node);
        if weight != 0 {
            let pkg = spanflame_core::palette::package_of(
                tree.name(node),
                tree.file(node),
                tree.kind(node),
            );
            *by_pkg.entry(pkg).or_default() += weight;
        }
    }
    by_pkg.len().min(8)
}

/// The functions table of a tree.
#[inline(never)]
fn stage_function_stats(tree: &CallTree) -> usize {
    tree.function_stats().len()
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
    let brush = brush(&set);
    black_box(set.call_tree(&brush));
    let brushed = stage_brush_tree(&set, &brush);
    let brushed_layout = stage_brush_layout(&brushed);
    let functions = stage_function_stats(&brushed);
    black_box(stage_legend(&brushed) + stage_legend_per_node(&brushed));
    let unbrushed = set.sample_times_and_weights_by_span(&Filter::default());
    let spans = stage_brush_spans(&brush, &unbrushed);
    println!(
        "{} bytes, {} rows, {} nodes, {} rects; brushed: {} nodes, {} rects, {} functions, {} spans",
        bytes.len(),
        set.samples.len(),
        tree.len(),
        black_box(layout).rects().len(),
        brushed.len(),
        black_box(brushed_layout).rects().len(),
        functions,
        spans
    );
}
