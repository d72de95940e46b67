//! # spanflame-synth
//!
//! A seeded generator of realistic, large OTLP profiles and the traces their samples link to,
//! for tests, benchmarks and demos (`spanflame gen`). It builds on `spanflame-core`'s wire
//! types (legacy layouts, traces) and is a dev-dependency of `spanflame-core`.
//!
//! Everything is derived from one seed by a hand-written SplitMix64 generator, so the output
//! is byte-for-byte the same on every platform (wasm32 included) and needs no OS randomness.
//!
//! ## The synthetic program
//!
//! Three services, each a resource with its own `service.name`:
//!
//! * `checkout`: Spring on Tomcat in a JVM (`com.acme.checkout.CartService.addItem`,
//!   `java.util.HashMap.get`, JDBC to PostgreSQL, Jedis, G1 and C2 threads). Frame type `jvm`.
//! * `orders`: Flask under gunicorn in CPython (`myapp.handlers.orders:create_order`,
//!   SQLAlchemy over libpq, redis over TLS through a stripped `libcrypto.so.3` whose frames
//!   stay unsymbolised). Frame type `cpython`.
//! * `gateway`: a Go service (`runtime.mallocgc` with an inlined `runtime.nextFreeFast`,
//!   go-redis, the scheduler and GC workers). Frame type `native`, like libc and libjvm.
//!
//! Blocking ends in kernel frames (`do_syscall_64`, frame type `kernel`).
//!
//! A stack is a random walk: a runtime prefix (thread start, framework dispatch), a handler,
//! a walk over a generated call graph of application functions (Zipf-weighted callees, and
//! now and then a deep recursion), then a tail that says what the sample was doing:
//! computing, allocating, waiting on the database, the cache or another service, or
//! background work (GC, JIT, pollers, idle workers). A pool of about `distinct_stacks` such
//! stacks is drawn first, and every one of them is used at least once when the sample budget
//! allows. Samples then pick stacks from the pool with Zipf-distributed popularity, so a few
//! stacks are hot and most are rare. Stacks are at most `max_depth` locations deep; deep
//! recursion is cut at the root side, as profilers do.
//!
//! ## Profiles
//!
//! For each service there is one Profile per sample type: `samples`/`count` (CPU, period
//! `cpu`/`nanoseconds` of 10 ms; timestamps only), `wall`/`nanoseconds` and
//! `alloc_space`/`bytes` (values paired with timestamps). Without timestamps every Sample
//! carries one aggregated value. Samples with the same stack, attributes and link are merged,
//! as the spec recommends. The profile duration can be cut into `windows`: each window is a
//! separate set of `ResourceProfiles` (one export each, as a collector would batch them),
//! which keeps memory bounded when the output is large.
//!
//! ## Traces and links
//!
//! Requests enter the `gateway` (a SERVER span) and call `checkout` or `orders` through
//! CLIENT spans; servers have database, cache and compute children, some of them nested.
//! Spans are laid out in time without overlap between siblings. A linked sample picks a span
//! in proportion to its self time (CPU samples mostly avoid spans that only wait), gets a
//! timestamp inside that self time and a stack that fits the span (a database span samples
//! JDBC or libpq frames). Unlinked samples are background work or untraced jobs.
//!
//! ## Expected output
//!
//! As it emits observations the generator adds their values to its own per-stack and
//! per-span totals. [`Synth::folded`] renders those from the generator's own function names,
//! never by reading the encoded profile back, so tests can hold the parser against it.
//!
//! ## Where things are
//!
//! `options` (what to generate), `rng` (the seeded randomness), `services` (sample types,
//! services, categories), `catalog` (each runtime's fixed frames), `app_code` (generated
//! application functions), `dict` (the dictionary being interned), `program` (call graphs and
//! stack pools), `traces` (the spans), `dataset` ([`generate`] and the sample windows),
//! `expected` (what the generator recorded) and `encode` (protobuf in three layouts, JSON).
//!
//! Apart from that program, `ebpf` ([`ebpf_fixture`]) builds a small profile in the shape
//! the OpenTelemetry eBPF profiler writes (one resource per process, frame types, native
//! frames without symbols, thread and CPU attributes), with what it emitted.
#![deny(missing_docs)]

mod app_code;
mod catalog;
mod dataset;
mod dict;
mod ebpf;
mod encode;
mod expected;
mod options;
mod program;
mod rng;
mod services;
mod traces;

pub use dataset::{Synth, SynthStats, generate};
pub use ebpf::{EbpfFixture, ebpf_fixture};
pub use encode::profiles_data_json;
pub use options::{Size, SynthOptions};
