//! The pstats importer on the cProfile fixture: marshal reading, the call-graph walk and
//! the builder, per byte of input.
//!
//! `cargo bench -p spanflame-core --bench pstats`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanflame_core::formats::{Options, pstats};
use spanflame_core::{Filter, Limits, Loaded, load};

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cprofile/");
    let mut group = c.benchmark_group("pstats");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for name in ["cprofile.pstats", "profile.pstats"] {
        let bytes = std::fs::read(format!("{dir}{name}")).unwrap();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("parse {name}"), |b| {
            b.iter(|| pstats::parse(black_box(&bytes), &Options::default()).unwrap())
        });
        group.bench_function(format!("load and call tree {name}"), |b| {
            b.iter(
                || match load(black_box(&bytes), &Limits::default()).unwrap() {
                    Loaded::Profiles(set) => set.call_tree(&Filter::default()).total(),
                    Loaded::Traces(_) => unreachable!(),
                },
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
