//! `perf script` text throughput on the frame-pointer fixture (958 samples, 389 KB).
//!
//! `cargo bench -p spanflame-core --bench perf`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanflame_core::formats::{Options, perf_script};

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/perf/fp.perf-script.txt"
    );
    let bytes = std::fs::read(path).expect("the perf fixture");
    let mut g = c.benchmark_group("perf");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("perf_script parse", |b| {
        b.iter(|| perf_script::parse(black_box(&bytes), &Options::default()).unwrap())
    });
    g.bench_function("perf_script sniff", |b| {
        b.iter(|| perf_script::sniff(black_box(&bytes)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
