//! Timeline binning on the seeded synthetic "M" profile (1 000 000 CPU samples with
//! timestamps, see `spanflame_synth`): the whole file, and split by thread.
//!
//! `cargo bench -p spanflame-core --bench timeline`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanflame_core::{Filter, Limits, Loaded, TimelineOptions, load};
use spanflame_synth::{Size, SynthOptions, generate};

fn bench(c: &mut Criterion) {
    let synth = generate(&SynthOptions::size(Size::M));
    let Ok(Loaded::Profiles(set)) = load(&synth.profiles_binary(), &Limits::default()) else {
        panic!("not profiles");
    };
    let filter = Filter::default();
    let rows = set
        .profiles
        .iter()
        .filter(|p| p.sample_type.index() == 0)
        .map(|p| p.samples.len() as u64)
        .sum();
    let mut g = c.benchmark_group("timeline");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(rows));
    let whole = TimelineOptions {
        bins: 500,
        ..TimelineOptions::default()
    };
    g.bench_function("bins", |b| {
        b.iter(|| black_box(set.timeline(&filter, None, &whole).ok()))
    });
    let by_thread = TimelineOptions {
        group_by: Some("thread.name".into()),
        ..whole.clone()
    };
    g.bench_function("bins_by_thread", |b| {
        b.iter(|| black_box(set.timeline(&filter, None, &by_thread).ok()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
