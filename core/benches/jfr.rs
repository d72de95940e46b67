//! The JFR importer on the real JDK 17 fixture (core/tests/fixtures/jfr/workload.jfr):
//! header, metadata, constant pools and the sample events to a `ProfileSet`.
//!
//! `cargo bench -p spanflame-core --bench jfr`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanflame_core::Limits;
use spanflame_core::formats::jfr;

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/jfr/workload.jfr"
    );
    let bytes = std::fs::read(path).expect("the JFR fixture");
    let mut g = c.benchmark_group("jfr");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    g.bench_function("load workload.jfr", |b| {
        b.iter(|| jfr::load(black_box(&bytes), &Limits::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
