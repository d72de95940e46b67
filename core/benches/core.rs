//! Benchmarks of the pipeline on a seeded synthetic "M" profile: 1 000 000 CPU samples (plus
//! 250 000 wall and 100 000 allocation samples), about 50 000 distinct stacks and 2 000
//! spans, all three services in one `ProfilesData` (see `spanflame_synth`).
//!
//! `cargo bench -p spanflame-core --bench core`. Samples and measurement time are kept small
//! so that the whole run takes a few minutes on two cores.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanflame_core::SpanIdx;
use spanflame_core::model::NONE;
use spanflame_core::{
    Filter, FlameLayout, Limits, Loaded, ProfileSet, Scope, SpanKey, TraceSet, load,
};
use spanflame_synth::{Size, SynthOptions, generate};

fn profiles(bytes: &[u8]) -> ProfileSet {
    match load(bytes, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        other => panic!("not profiles: {other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let synth = generate(&SynthOptions::size(Size::M));
    let binary = synth.profiles_binary();
    let json = synth.profiles_json().into_bytes();
    let set = profiles(&binary);
    let traces = match load(&synth.traces_binary(), &Limits::default()) {
        Ok(Loaded::Traces(t)) => t,
        other => panic!("not traces: {other:?}"),
    };
    // The span with the most samples under it among those with children: a checkout or
    // orders request, typically.
    let span = busiest_parent_span(&set, &traces);
    let span_filter = Filter {
        spans: traces.select(span, Scope::WithChildren).spans,
        ..Filter::default()
    };
    let tree = set.call_tree(&Filter::default());
    let span_tree = set.call_tree(&span_filter);
    eprintln!(
        "M profile: {} bytes binary, {} bytes JSON, {} sample rows, {} stacks, {} links; \
         call tree {} nodes (depth {}); span {:?} with {} descendants: {} nodes, total {}",
        binary.len(),
        json.len(),
        set.samples.len(),
        set.stacks.len(),
        set.links.len(),
        tree.len(),
        tree.max_depth(),
        traces.spans[span.index()].name,
        traces.descendants(span).len() - 1,
        span_tree.len(),
        span_tree.total(),
    );

    let mut g = c.benchmark_group("parse");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(binary.len() as u64));
    g.bench_function("binary_v1_10", |b| b.iter(|| profiles(black_box(&binary))));
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("json", |b| b.iter(|| profiles(black_box(&json))));
    g.finish();

    let mut g = c.benchmark_group("tree");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("build", |b| {
        b.iter(|| set.call_tree(black_box(&Filter::default())))
    });
    g.finish();

    let mut g = c.benchmark_group("filter");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("span", |b| {
        b.iter(|| set.call_tree(black_box(&span_filter)))
    });
    // A timeline brush: the middle tenth of the file's time, a test per row of every row.
    let (first, last) = set.time_range().expect("the bench file has timestamps");
    let tenth = (last - first) / 10;
    let window = Filter {
        time: Some((first + 4 * tenth, first + 5 * tenth)),
        ..Filter::default()
    };
    g.bench_function("time_window", |b| {
        b.iter(|| set.call_tree(black_box(&window)))
    });
    g.finish();

    let mut g = c.benchmark_group("layout");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("flame", |b| b.iter(|| FlameLayout::new(black_box(&tree))));
    g.finish();
}

/// Among spans with children, the one whose subtree has the most linked sample rows.
fn busiest_parent_span(set: &ProfileSet, traces: &TraceSet) -> SpanIdx {
    let mut rows: HashMap<SpanKey, u64> = HashMap::new();
    for &l in set.samples.links().unwrap_or_default() {
        if l != NONE {
            *rows.entry(set.links[l as usize]).or_default() += 1;
        }
    }
    (0..traces.spans.len())
        .map(SpanIdx::from_index)
        .filter(|&s| !traces.children[s.index()].is_empty())
        .max_by_key(|&s| {
            let subtree = traces.descendants(s).into_iter();
            subtree
                .map(|d| rows.get(&traces.spans[d.index()].key).copied().unwrap_or(0))
                .sum::<u64>()
        })
        .expect("the M traces have spans with children")
}

criterion_group!(benches, bench);
criterion_main!(benches);
