//! Load throughput of the JSON importers on the real fixtures: py-spy speedscope, node
//! `.cpuprofile`, py-spy chrometrace and node trace events.
//!
//! `cargo bench -p spanflame-core --bench json_formats`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use spanflame_core::{Limits, load};

const FILES: [(&str, &str); 4] = [
    ("speedscope", "speedscope/profile.speedscope.json"),
    ("cpuprofile", "chrome/main.cpuprofile"),
    ("chrometrace", "chrome/pyspy.chrometrace.json"),
    ("node_trace_events", "chrome/node-trace-events.json"),
];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("json_formats");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for (name, rel) in FILES {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| load(black_box(&bytes), &Limits::default()).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
