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
#![deny(missing_docs)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use base64::Engine as _;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, InstrumentationScope, KeyValue, any_value::Value,
};
use opentelemetry_proto::tonic::profiles::v1development::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;

use spanflame_core::formats::otlp::legacy;
use spanflame_core::formats::otlp::trace_proto::{self, TracesData};
use spanflame_core::model::{SpanKey, hex};

// ------------------------------------------------------------------------------------------
// Options

/// Preset sizes for [`SynthOptions::size`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 10 000 CPU samples, about 1 000 distinct stacks, 200 spans: unit tests and demos.
    S,
    /// 1 000 000 CPU samples, about 50 000 distinct stacks, 2 000 spans: benchmarks.
    M,
    /// About 1 GB of OTLP binary: 65 million observations, 200 000 distinct stacks and
    /// 100 000 spans over 10 minutes, in 60 windows of 10 s. For stress tests: writing it
    /// takes minutes, the JSON is about 4 GB; its 65 million sample rows are within the
    /// default [`spanflame_core::Limits::max_samples`] (the protobuf opens, the JSON is too big).
    L,
}

impl std::str::FromStr for Size {
    type Err = String;

    fn from_str(s: &str) -> Result<Size, String> {
        match s {
            "S" | "s" => Ok(Size::S),
            "M" | "m" => Ok(Size::M),
            "L" | "l" => Ok(Size::L),
            other => Err(format!("unknown size {other:?}; use S, M or L")),
        }
    }
}

/// What to generate. Start from [`SynthOptions::size`] and change fields as needed.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Seed of every random choice; equal options give byte-identical output.
    pub seed: u64,
    /// CPU observations (`samples`/`count`, one per timestamp); 0 leaves the type out.
    pub samples: u64,
    /// Wall-clock observations (`wall`/`nanoseconds`); 0 leaves the type out.
    pub wall_samples: u64,
    /// Allocation observations (`alloc_space`/`bytes`); 0 leaves the type out.
    pub alloc_samples: u64,
    /// Size of the stack pool samples draw from. A few more may be drawn so that every
    /// service has something to sample, and fewer when the call graph runs out of variety.
    pub distinct_stacks: u32,
    /// Number of spans in the generated traces (exact).
    pub spans: u32,
    /// Deepest stack, in locations (inlined frames share a location).
    pub max_depth: u32,
    /// Whether samples carry timestamps (otherwise one aggregated value per Sample).
    pub timestamps: bool,
    /// Share of observations linked to a span, where a span is running at that time.
    pub linked_fraction: f64,
    /// Start of the profiles, UTC nanoseconds.
    pub start_unix_nano: u64,
    /// Length of the profiles, nanoseconds.
    pub duration_nano: u64,
    /// Number of consecutive time windows, each a separate batch of `ResourceProfiles`.
    pub windows: u32,
}

impl SynthOptions {
    /// The options of a preset size, with seed 1.
    pub fn size(size: Size) -> SynthOptions {
        let base = SynthOptions {
            seed: 1,
            samples: 10_000,
            wall_samples: 4_000,
            alloc_samples: 2_000,
            distinct_stacks: 1_000,
            spans: 200,
            max_depth: 120,
            timestamps: true,
            linked_fraction: 0.7,
            // 2026-01-15T10:00:00Z
            start_unix_nano: 1_768_471_200_000_000_000,
            duration_nano: 10_000_000_000,
            windows: 1,
        };
        match size {
            Size::S => base,
            Size::M => SynthOptions {
                samples: 1_000_000,
                wall_samples: 250_000,
                alloc_samples: 100_000,
                distinct_stacks: 50_000,
                spans: 2_000,
                duration_nano: 60_000_000_000,
                ..base
            },
            Size::L => SynthOptions {
                samples: 42_000_000,
                wall_samples: 17_000_000,
                alloc_samples: 6_000_000,
                distinct_stacks: 200_000,
                spans: 100_000,
                duration_nano: 600_000_000_000,
                windows: 60,
                ..base
            },
        }
    }

    fn counts(&self) -> [u64; 3] {
        [self.samples, self.wall_samples, self.alloc_samples]
    }
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions::size(Size::S)
    }
}

// ------------------------------------------------------------------------------------------
// Randomness

/// SplitMix64's output function: a bijection on `u64` that scrambles well.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, for choices that must depend only on names (call-site lines, addresses).
fn name_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain([0xffu8].iter()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    mix(h)
}

/// SplitMix64.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(mix(seed ^ 0x5EED_5EED_5EED_5EED))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// An index in `0..n` skewed toward 0 (a cheap power law for short lists).
    fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * u * n as f64) as usize).min(n - 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }
}

/// A distribution over `0..n` given by cumulative weights.
#[derive(Debug, Clone, Default)]
struct Discrete {
    cdf: Vec<f64>,
}

impl Discrete {
    /// Zipf's law with exponent 1: item `k` has weight `1 / (k + 1)`. Only `+` and `/`, so the
    /// table is bit-identical everywhere (a `powf` could differ between libms).
    fn zipf(n: usize) -> Discrete {
        Discrete::weighted((0..n).map(|k| 1.0 / (k + 1) as f64))
    }

    fn weighted(weights: impl IntoIterator<Item = f64>) -> Discrete {
        let mut acc = 0.0;
        let cdf = weights
            .into_iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Discrete { cdf }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cdf.last().expect("a distribution over an empty range");
        let u = rng.unit() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

// ------------------------------------------------------------------------------------------
// Sample types, services, categories

/// The three sample types, in the order their profiles appear.
const SAMPLE_TYPES: [SampleTypeDef; 3] = [
    SampleTypeDef {
        name: "samples",
        unit: "count",
        period_name: "cpu",
        period_unit: "nanoseconds",
        period: 10_000_000,
    },
    SampleTypeDef {
        name: "wall",
        unit: "nanoseconds",
        period_name: "wall",
        period_unit: "nanoseconds",
        period: 10_000_000,
    },
    SampleTypeDef {
        name: "alloc_space",
        unit: "bytes",
        period_name: "space",
        period_unit: "bytes",
        period: 524_288,
    },
];
const CPU: usize = 0;
const WALL: usize = 1;
const ALLOC: usize = 2;

struct SampleTypeDef {
    name: &'static str,
    unit: &'static str,
    period_name: &'static str,
    period_unit: &'static str,
    period: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runtime {
    Jvm,
    Python,
    Go,
}

struct ServiceDef {
    name: &'static str,
    runtime: Runtime,
    version: &'static str,
    pid: i64,
    language: &'static str,
    runtime_name: &'static str,
    trace_scope: &'static str,
    /// Share of unlinked samples and of the stack pool.
    share: f64,
}

const SERVICES: [ServiceDef; 3] = [
    ServiceDef {
        name: "checkout",
        runtime: Runtime::Jvm,
        version: "2.14.0",
        pid: 4242,
        language: "java",
        runtime_name: "OpenJDK Runtime Environment",
        trace_scope: "io.opentelemetry.tomcat-10.0",
        share: 0.5,
    },
    ServiceDef {
        name: "orders",
        runtime: Runtime::Python,
        version: "1.9.3",
        pid: 5151,
        language: "python",
        runtime_name: "cpython",
        trace_scope: "opentelemetry.instrumentation.flask",
        share: 0.3,
    },
    ServiceDef {
        name: "gateway",
        runtime: Runtime::Go,
        version: "0.31.2",
        pid: 777,
        language: "go",
        runtime_name: "go",
        trace_scope: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
        share: 0.2,
    },
];
const CHECKOUT: usize = 0;
const ORDERS: usize = 1;
const GATEWAY: usize = 2;

/// What a sample was doing; each has its own stack pool per service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cat {
    Compute = 0,
    Alloc = 1,
    Db = 2,
    Cache = 3,
    Rpc = 4,
    Background = 5,
}
const CATS: [Cat; 6] = [
    Cat::Compute,
    Cat::Alloc,
    Cat::Db,
    Cat::Cache,
    Cat::Rpc,
    Cat::Background,
];
/// Share of the stack pool per category.
const CAT_SHARE: [f64; 6] = [0.45, 0.15, 0.12, 0.08, 0.05, 0.15];

/// The kind of work a span stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Request,
    Compute,
    Db,
    Cache,
    Rpc,
}

impl Role {
    /// Weight (out of 10) of a span's self time when linking samples of a sample type: CPU
    /// samples rarely land in spans that only wait.
    fn weight(self, sample_type: usize) -> u64 {
        match (self, sample_type) {
            (Role::Request | Role::Compute, _) | (_, WALL) => 10,
            (Role::Db, ALLOC) => 3,
            _ => 1,
        }
    }
}

// ------------------------------------------------------------------------------------------
// Code catalog: frame specs are "<kind>:<name>", kind j (jvm), p (cpython), n (native,
// "lib!symbol"), g (Go, in the service binary), k (kernel), u (an unsymbolised frame in
// "lib"). A leading '+' marks a frame inlined into the one before it.

const K_POLL: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_poll",
    "k:do_sys_poll",
    "k:schedule_hrtimeout_range",
    "k:schedule",
    "k:__schedule",
];
const K_FUTEX: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_futex",
    "k:do_futex",
    "k:futex_wait",
    "k:futex_wait_queue",
    "k:schedule",
    "k:__schedule",
];
const K_EPOLL: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_epoll_wait",
    "k:do_epoll_wait",
    "k:ep_poll",
    "k:schedule_hrtimeout_range",
    "k:schedule",
];
const K_READ: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_read",
    "k:ksys_read",
    "k:vfs_read",
    "k:sock_read_iter",
    "k:sock_recvmsg",
    "k:tcp_recvmsg",
    "k:tcp_recvmsg_locked",
    "k:skb_copy_datagram_iter",
];
const K_SEND: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_sendto",
    "k:__sys_sendto",
    "k:tcp_sendmsg",
    "k:tcp_sendmsg_locked",
    "k:tcp_push",
    "k:__tcp_push_pending_frames",
    "k:tcp_write_xmit",
    "k:__tcp_transmit_skb",
];
const K_SLEEP: &[&str] = &[
    "k:entry_SYSCALL_64_after_hwframe",
    "k:do_syscall_64",
    "k:__x64_sys_clock_nanosleep",
    "k:hrtimer_nanosleep",
    "k:do_nanosleep",
    "k:schedule",
];

const JVM_THREAD: &[&str] = &[
    "n:libc.so.6!clone3",
    "n:libc.so.6!start_thread",
    "n:libjvm.so!thread_native_entry",
    "n:libjvm.so!Thread::call_run",
    "n:libjvm.so!JavaThread::thread_main_inner",
    "n:libjvm.so!JavaCalls::call_virtual",
    "n:libjvm.so!JavaCalls::call_helper",
    "j:java.lang.Thread.run",
    "j:java.lang.Thread.runWith",
    "j:org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run",
    "j:org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run",
    "j:org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker",
];
const JVM_DISPATCH: &[&str] = &[
    "j:org.apache.tomcat.util.net.SocketProcessorBase.run",
    "j:org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun",
    "j:org.apache.coyote.AbstractProtocol$ConnectionHandler.process",
    "j:org.apache.coyote.AbstractProcessorLight.process",
    "j:org.apache.coyote.http11.Http11Processor.service",
    "j:org.apache.catalina.connector.CoyoteAdapter.service",
    "j:org.apache.catalina.core.StandardEngineValve.invoke",
    "j:org.apache.catalina.valves.ErrorReportValve.invoke",
    "j:org.apache.catalina.core.StandardHostValve.invoke",
    "j:org.apache.catalina.authenticator.AuthenticatorBase.invoke",
    "j:org.apache.catalina.core.StandardContextValve.invoke",
    "j:org.apache.catalina.core.StandardWrapperValve.invoke",
];
const JVM_FILTERS: &[&str] = &[
    "j:org.springframework.web.filter.RequestContextFilter.doFilterInternal",
    "j:org.springframework.web.filter.FormContentFilter.doFilterInternal",
    "j:org.springframework.web.filter.CharacterEncodingFilter.doFilterInternal",
    "j:org.springframework.web.filter.ServerHttpObservationFilter.doFilterInternal",
    "j:org.springframework.security.web.FilterChainProxy.doFilterInternal",
    "j:com.acme.web.TenantFilter.doFilter",
    "j:com.acme.web.RequestLoggingFilter.doFilter",
];
const JVM_SPRING: &[&str] = &[
    "j:jakarta.servlet.http.HttpServlet.service",
    "j:org.springframework.web.servlet.FrameworkServlet.service",
    "j:org.springframework.web.servlet.FrameworkServlet.processRequest",
    "j:org.springframework.web.servlet.DispatcherServlet.doService",
    "j:org.springframework.web.servlet.DispatcherServlet.doDispatch",
    "j:org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle",
    "j:org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal",
    "j:org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod",
    "j:org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle",
    "j:org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest",
    "j:org.springframework.web.method.support.InvocableHandlerMethod.doInvoke",
    "j:java.lang.reflect.Method.invoke",
    "j:jdk.internal.reflect.DirectMethodHandleAccessor.invoke",
];
const JVM_PARK: &[&str] = &[
    "j:jdk.internal.misc.Unsafe.park",
    "n:libjvm.so!Unsafe_Park",
    "n:libjvm.so!Parker::park",
    "n:libc.so.6!pthread_cond_timedwait",
];
const JVM_SOCKET_READ: &[&str] = &[
    "j:java.net.Socket$SocketInputStream.read",
    "j:sun.nio.ch.NioSocketImpl.read",
    "j:sun.nio.ch.NioSocketImpl.implRead",
    "j:sun.nio.ch.NioSocketImpl.park",
    "j:sun.nio.ch.Net.poll",
    "n:libnio.so!Java_sun_nio_ch_Net_poll",
    "n:libc.so.6!__poll",
];
const JVM_SOCKET_WRITE: &[&str] = &[
    "j:java.net.Socket$SocketOutputStream.write",
    "j:sun.nio.ch.NioSocketImpl.write",
    "j:sun.nio.ch.NioSocketImpl.implWrite",
    "j:sun.nio.ch.SocketDispatcher.write",
    "n:libnio.so!Java_sun_nio_ch_SocketDispatcher_write0",
    "n:libc.so.6!__send",
];

const PY_THREAD: &[&str] = &[
    "n:libc.so.6!clone3",
    "n:libc.so.6!start_thread",
    "n:python3.12!thread_run",
    "p:threading:Thread._bootstrap",
    "p:threading:Thread._bootstrap_inner",
    "p:threading:Thread.run",
];
const PY_DISPATCH: &[&str] = &[
    "p:concurrent.futures.thread:_worker",
    "p:concurrent.futures.thread:_WorkItem.run",
    "p:gunicorn.workers.gthread:ThreadWorker.handle",
    "p:gunicorn.workers.gthread:ThreadWorker.handle_request",
    "p:flask.app:Flask.__call__",
    "p:opentelemetry.instrumentation.wsgi:OpenTelemetryMiddleware.__call__",
    "p:flask.app:Flask.wsgi_app",
    "p:flask.app:Flask.full_dispatch_request",
    "p:flask.app:Flask.dispatch_request",
];
const PY_DECORATORS: &[&str] = &[
    "p:myapp.auth:login_required.<locals>.wrapper",
    "p:myapp.telemetry.metrics:timed.<locals>.wrapper",
    "p:flask_limiter.extension:Limiter.limit.<locals>.wrapper",
];
const PY_LOCK: &[&str] = &[
    "p:threading:Condition.wait",
    "n:python3.12!lock_PyThread_acquire_lock",
    "n:python3.12!PyThread_acquire_lock_timed",
    "n:libc.so.6!sem_clockwait",
];

const GO_DISPATCH: &[&str] = &[
    "g:runtime.goexit",
    "g:net/http.(*conn).serve",
    "g:net/http.serverHandler.ServeHTTP",
    "g:net/http.(*ServeMux).ServeHTTP",
    "g:go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.(*middleware).serveHTTP",
    "g:net/http.HandlerFunc.ServeHTTP",
    "g:github.com/acme/gateway/internal/middleware.Logging.func1",
    "g:net/http.HandlerFunc.ServeHTTP",
    "g:github.com/acme/gateway/internal/router.(*Router).ServeHTTP",
];
const GO_READ: &[&str] = &[
    "g:net.(*conn).Read",
    "g:net.(*netFD).Read",
    "g:internal/poll.(*FD).Read",
    "g:internal/poll.ignoringEINTRIO",
    "g:syscall.Read",
    "+g:syscall.read",
    "g:syscall.Syscall",
    "g:syscall.RawSyscall6",
];

fn cat(parts: &[&[&'static str]]) -> Vec<&'static str> {
    parts.concat()
}

/// A background thread kind: who runs it, how its stacks start, and how they may end.
struct Background {
    threads: Vec<String>,
    prefix: Vec<&'static str>,
    suffixes: Vec<Vec<&'static str>>,
}

/// The fixed parts of one runtime's stacks.
struct Catalog {
    /// Tail chains per category (Compute, Alloc, Db, Cache, Rpc).
    tails: [Vec<Vec<&'static str>>; 5],
    background: Vec<Background>,
    worker_threads: Vec<String>,
}

fn catalog(runtime: Runtime) -> Catalog {
    match runtime {
        Runtime::Jvm => jvm_catalog(),
        Runtime::Python => python_catalog(),
        Runtime::Go => go_catalog(),
    }
}

fn jvm_catalog() -> Catalog {
    let compute = vec![
        vec![
            "j:java.util.HashMap.get",
            "j:java.util.HashMap.getNode",
            "j:java.lang.String.hashCode",
            "j:java.lang.StringLatin1.hashCode",
        ],
        vec![
            "j:java.util.HashMap.put",
            "j:java.util.HashMap.putVal",
            "j:java.util.HashMap.resize",
        ],
        vec![
            "j:com.fasterxml.jackson.databind.ObjectMapper.writeValueAsString",
            "j:com.fasterxml.jackson.databind.ObjectMapper._writeValueAndClose",
            "j:com.fasterxml.jackson.databind.ser.DefaultSerializerProvider.serializeValue",
            "j:com.fasterxml.jackson.databind.ser.BeanSerializer.serialize",
            "j:com.fasterxml.jackson.databind.ser.std.BeanSerializerBase.serializeFields",
            "j:com.fasterxml.jackson.databind.ser.BeanPropertyWriter.serializeAsField",
            "j:com.fasterxml.jackson.core.json.WriterBasedJsonGenerator.writeString",
        ],
        vec![
            "j:java.math.BigDecimal.multiply",
            "j:java.math.BigDecimal.multiplyAndRound",
            "j:java.math.BigInteger.multiply",
            "j:java.math.BigInteger.multiplyToLen",
        ],
        vec![
            "j:java.util.stream.ReferencePipeline.collect",
            "j:java.util.stream.AbstractPipeline.evaluate",
            "j:java.util.stream.ReduceOps$ReduceOp.evaluateSequential",
            "j:java.util.stream.AbstractPipeline.wrapAndCopyInto",
            "j:java.util.stream.AbstractPipeline.copyInto",
            "j:java.util.ArrayList$ArrayListSpliterator.forEachRemaining",
            "j:java.util.stream.ReferencePipeline$3$1.accept",
        ],
        vec![
            "j:java.lang.String.format",
            "j:java.util.Formatter.format",
            "j:java.util.Formatter$FormatSpecifier.print",
            "j:java.lang.AbstractStringBuilder.append",
        ],
        vec![
            "j:java.util.regex.Matcher.matches",
            "j:java.util.regex.Matcher.match",
            "j:java.util.regex.Pattern$Start.match",
            "j:java.util.regex.Pattern$CharPropertyGreedy.match",
        ],
    ];
    let alloc = vec![
        vec![
            "j:java.util.ArrayList.add",
            "j:java.util.ArrayList.grow",
            "j:java.util.Arrays.copyOf",
        ],
        vec![
            "j:java.lang.StringBuilder.toString",
            "j:java.lang.StringLatin1.newString",
            "j:java.util.Arrays.copyOfRange",
        ],
        vec![
            "j:java.util.HashMap.put",
            "j:java.util.HashMap.putVal",
            "j:java.util.HashMap.newNode",
        ],
        vec![
            "j:java.math.BigDecimal.add",
            "j:java.math.BigDecimal.valueOf",
        ],
        vec![
            "j:com.fasterxml.jackson.databind.ObjectMapper.readValue",
            "j:com.fasterxml.jackson.databind.deser.BeanDeserializer.deserialize",
            "j:com.fasterxml.jackson.databind.deser.BeanDeserializer.vanillaDeserialize",
            "j:com.fasterxml.jackson.core.util.TextBuffer.contentsAsString",
        ],
    ];
    let db = vec![
        cat(&[
            &[
                "j:org.springframework.jdbc.core.JdbcTemplate.query",
                "j:org.springframework.jdbc.core.JdbcTemplate.execute",
                "j:com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeQuery",
                "j:org.postgresql.jdbc.PgPreparedStatement.executeQuery",
                "j:org.postgresql.jdbc.PgPreparedStatement.executeWithFlags",
                "j:org.postgresql.jdbc.PgStatement.executeInternal",
                "j:org.postgresql.core.v3.QueryExecutorImpl.execute",
                "j:org.postgresql.core.v3.QueryExecutorImpl.processResults",
                "j:org.postgresql.core.PGStream.receiveChar",
                "j:org.postgresql.core.VisibleBufferedInputStream.read",
                "j:org.postgresql.core.VisibleBufferedInputStream.readMore",
            ],
            JVM_SOCKET_READ,
            K_POLL,
        ]),
        cat(&[
            &[
                "j:org.springframework.jdbc.core.JdbcTemplate.update",
                "j:org.postgresql.jdbc.PgPreparedStatement.executeUpdate",
                "j:org.postgresql.core.v3.QueryExecutorImpl.sendQuery",
                "j:org.postgresql.core.v3.QueryExecutorImpl.sendOneQuery",
                "j:org.postgresql.core.PGStream.flush",
            ],
            JVM_SOCKET_WRITE,
            K_SEND,
        ]),
        cat(&[
            &[
                "j:com.zaxxer.hikari.pool.HikariPool.getConnection",
                "j:com.zaxxer.hikari.util.ConcurrentBag.borrow",
                "j:java.util.concurrent.SynchronousQueue.poll",
                "j:java.util.concurrent.locks.LockSupport.parkNanos",
            ],
            JVM_PARK,
            K_FUTEX,
        ]),
        vec![
            "j:org.postgresql.jdbc.PgResultSet.getString",
            "j:org.postgresql.core.Encoding.decode",
            "j:java.lang.String.<init>",
            "j:java.lang.String.decodeUTF8_UTF16",
        ],
    ];
    let cache = vec![
        cat(&[
            &[
                "j:redis.clients.jedis.Jedis.get",
                "j:redis.clients.jedis.Connection.executeCommand",
                "j:redis.clients.jedis.Connection.getOne",
                "j:redis.clients.jedis.Protocol.read",
                "j:redis.clients.jedis.util.RedisInputStream.ensureFill",
            ],
            JVM_SOCKET_READ,
            K_POLL,
        ]),
        cat(&[
            &[
                "j:redis.clients.jedis.Jedis.setex",
                "j:redis.clients.jedis.Connection.executeCommand",
                "j:redis.clients.jedis.Connection.sendCommand",
                "j:redis.clients.jedis.util.RedisOutputStream.flush",
            ],
            JVM_SOCKET_WRITE,
            K_SEND,
        ]),
    ];
    let rpc = vec![cat(&[
        &[
            "j:org.springframework.web.client.RestTemplate.postForObject",
            "j:org.springframework.web.client.RestTemplate.execute",
            "j:org.springframework.web.client.RestTemplate.doExecute",
            "j:org.springframework.http.client.AbstractClientHttpRequest.execute",
            "j:org.springframework.http.client.JdkClientHttpRequest.executeInternal",
            "j:jdk.internal.net.http.HttpClientFacade.send",
            "j:jdk.internal.net.http.HttpClientImpl.send",
            "j:java.util.concurrent.CompletableFuture.get",
            "j:java.util.concurrent.CompletableFuture.waitingGet",
            "j:java.util.concurrent.locks.LockSupport.park",
        ],
        JVM_PARK,
        K_FUTEX,
    ])];
    let gc_prefix = vec![
        "n:libc.so.6!clone3",
        "n:libc.so.6!start_thread",
        "n:libjvm.so!thread_native_entry",
        "n:libjvm.so!Thread::call_run",
        "n:libjvm.so!WorkerThread::run",
    ];
    let background = vec![
        Background {
            threads: (0..4).map(|i| format!("GC Thread#{i}")).collect(),
            prefix: gc_prefix,
            suffixes: vec![
                vec![
                    "n:libjvm.so!G1EvacuateRegionsTask::work",
                    "n:libjvm.so!G1ParEvacuateFollowersClosure::do_void",
                    "n:libjvm.so!G1ParScanThreadState::steal_and_trim_queue",
                    "n:libjvm.so!G1ParScanThreadState::do_copy_to_survivor_space",
                ],
                vec![
                    "n:libjvm.so!G1EvacuateRegionsTask::work",
                    "n:libjvm.so!G1RootProcessor::evacuate_roots",
                    "n:libjvm.so!Threads::possibly_parallel_oops_do",
                    "n:libjvm.so!JavaThread::oops_do_frames",
                    "n:libjvm.so!frame::oops_do_internal",
                ],
                cat(&[
                    &[
                        "n:libjvm.so!WorkerThreads::run_task",
                        "n:libjvm.so!Semaphore::wait",
                        "n:libc.so.6!sem_wait",
                    ],
                    K_FUTEX,
                ]),
            ],
        },
        Background {
            threads: vec!["C2 CompilerThread0".into(), "C2 CompilerThread1".into()],
            prefix: vec![
                "n:libc.so.6!clone3",
                "n:libc.so.6!start_thread",
                "n:libjvm.so!thread_native_entry",
                "n:libjvm.so!Thread::call_run",
                "n:libjvm.so!JavaThread::thread_main_inner",
                "n:libjvm.so!CompileBroker::compiler_thread_loop",
                "n:libjvm.so!CompileBroker::invoke_compiler_on_method",
                "n:libjvm.so!C2Compiler::compile_method",
                "n:libjvm.so!Compile::Compile",
            ],
            suffixes: vec![
                vec![
                    "n:libjvm.so!Compile::Optimize",
                    "n:libjvm.so!PhaseIdealLoop::optimize",
                    "n:libjvm.so!PhaseIdealLoop::build_and_optimize",
                    "n:libjvm.so!PhaseIdealLoop::build_loop_late",
                ],
                vec![
                    "n:libjvm.so!Compile::Code_Gen",
                    "n:libjvm.so!PhaseChaitin::Register_Allocate",
                    "n:libjvm.so!PhaseChaitin::build_ifg_physical",
                ],
                vec![
                    "n:libjvm.so!ParseGenerator::generate",
                    "n:libjvm.so!Parse::Parse",
                    "n:libjvm.so!Parse::do_all_blocks",
                    "n:libjvm.so!Parse::do_one_bytecode",
                ],
            ],
        },
        Background {
            threads: worker_names(Runtime::Jvm),
            prefix: JVM_THREAD.to_vec(),
            suffixes: vec![cat(&[
                &[
                    "j:org.apache.tomcat.util.threads.ThreadPoolExecutor.getTask",
                    "j:org.apache.tomcat.util.threads.TaskQueue.take",
                    "j:java.util.concurrent.LinkedBlockingQueue.take",
                    "j:java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await",
                    "j:java.util.concurrent.locks.LockSupport.park",
                ],
                JVM_PARK,
                K_FUTEX,
            ])],
        },
        Background {
            threads: vec!["http-nio-8080-Poller".into()],
            prefix: vec![
                "n:libc.so.6!clone3",
                "n:libc.so.6!start_thread",
                "n:libjvm.so!thread_native_entry",
                "n:libjvm.so!Thread::call_run",
                "n:libjvm.so!JavaThread::thread_main_inner",
                "j:java.lang.Thread.run",
                "j:org.apache.tomcat.util.net.NioEndpoint$Poller.run",
            ],
            suffixes: vec![
                cat(&[
                    &[
                        "j:sun.nio.ch.SelectorImpl.select",
                        "j:sun.nio.ch.SelectorImpl.lockAndDoSelect",
                        "j:sun.nio.ch.EPollSelectorImpl.doSelect",
                        "j:sun.nio.ch.EPoll.wait",
                        "n:libnio.so!Java_sun_nio_ch_EPoll_wait",
                        "n:libc.so.6!epoll_wait",
                    ],
                    K_EPOLL,
                ]),
                vec![
                    "j:org.apache.tomcat.util.net.NioEndpoint$Poller.processKey",
                    "j:org.apache.tomcat.util.net.AbstractEndpoint.processSocket",
                    "j:java.util.concurrent.ThreadPoolExecutor.execute",
                ],
            ],
        },
    ];
    Catalog {
        tails: [compute, alloc, db, cache, rpc],
        background,
        worker_threads: worker_names(Runtime::Jvm),
    }
}

fn python_catalog() -> Catalog {
    let compute = vec![
        vec![
            "p:json:dumps",
            "p:json.encoder:JSONEncoder.encode",
            "p:json.encoder:JSONEncoder.iterencode",
            "n:_json.cpython-312-x86_64-linux-gnu.so!encoder_listencode_obj",
            "n:_json.cpython-312-x86_64-linux-gnu.so!encoder_listencode_dict",
        ],
        vec![
            "p:pydantic.main:BaseModel.model_validate",
            "n:_pydantic_core.cpython-312-x86_64-linux-gnu.so!pydantic_core::validators::model::ModelValidator::validate",
            "n:_pydantic_core.cpython-312-x86_64-linux-gnu.so!pydantic_core::validators::model_fields::ModelFieldsValidator::validate",
        ],
        vec![
            "p:copy:deepcopy",
            "p:copy:_deepcopy_dict",
            "p:copy:deepcopy",
            "p:copy:_deepcopy_list",
            "p:copy:deepcopy",
        ],
        vec![
            "p:sqlalchemy.orm.loading:instances",
            "p:sqlalchemy.orm.loading:_instance",
            "p:sqlalchemy.orm.state:InstanceState._commit_all",
        ],
        vec![
            "p:myapp.pricing.money:Money.__add__",
            "n:python3.12!_PyEval_EvalFrameDefault",
            "n:python3.12!PyNumber_Add",
            "n:python3.12!long_add",
        ],
        vec![
            "p:re:Pattern.match",
            "n:python3.12!_sre_SRE_Pattern_match",
            "n:python3.12!sre_ucs1_match",
        ],
    ];
    let alloc = vec![
        vec![
            "n:python3.12!PyObject_Malloc",
            "n:python3.12!pymalloc_alloc",
        ],
        vec![
            "n:python3.12!PyList_Append",
            "n:python3.12!list_resize",
            "n:python3.12!PyMem_Realloc",
        ],
        vec![
            "n:python3.12!_PyDict_NewPresized",
            "n:python3.12!PyObject_Malloc",
            "n:python3.12!pymalloc_alloc",
        ],
        vec![
            "n:python3.12!PyUnicode_New",
            "n:python3.12!PyObject_Malloc",
            "n:libc.so.6!malloc",
        ],
    ];
    let db = vec![
        cat(&[
            &[
                "p:sqlalchemy.orm.session:Session.execute",
                "p:sqlalchemy.orm.session:Session._execute_internal",
                "p:sqlalchemy.orm.context:ORMSelectCompileState.orm_execute_statement",
                "p:sqlalchemy.engine.base:Connection.execute",
                "p:sqlalchemy.engine.base:Connection._execute_clauseelement",
                "p:sqlalchemy.engine.base:Connection._execute_context",
                "p:sqlalchemy.engine.base:Connection._exec_single_context",
                "p:sqlalchemy.engine.default:DefaultDialect.do_execute",
                "n:_psycopg.cpython-312-x86_64-linux-gnu.so!psyco_curs_execute",
                "n:libpq.so.5!PQexec",
                "n:libpq.so.5!PQexecFinish",
                "n:libpq.so.5!pqWait",
                "n:libpq.so.5!pqSocketCheck",
                "n:libc.so.6!__poll",
            ],
            K_POLL,
        ]),
        vec![
            "p:sqlalchemy.engine.result:Result.all",
            "p:sqlalchemy.engine.result:Result._allrows",
            "p:sqlalchemy.engine.cursor:CursorResult._fetchall_impl",
            "n:_psycopg.cpython-312-x86_64-linux-gnu.so!psyco_curs_fetchall",
            "n:libpq.so.5!PQgetvalue",
        ],
        cat(&[
            &[
                "p:sqlalchemy.pool.base:_ConnectionRecord.checkout",
                "p:sqlalchemy.pool.impl:QueuePool._do_get",
                "p:sqlalchemy.util.queue:Queue.get",
            ],
            PY_LOCK,
            K_FUTEX,
        ]),
    ];
    let cache = vec![
        cat(&[
            &[
                "p:redis.commands.core:BasicKeyCommands.get",
                "p:redis.client:Redis.execute_command",
                "p:redis.client:Redis._execute_command",
                "p:redis.client:Redis.parse_response",
                "p:redis._parsers.resp2:_RESP2Parser.read_response",
                "p:redis._parsers.socket:SocketBuffer.readline",
                "p:redis._parsers.socket:SocketBuffer._read_from_socket",
                "p:ssl:SSLSocket.recv_into",
                "p:ssl:SSLSocket.read",
                "n:_ssl.cpython-312-x86_64-linux-gnu.so!_ssl__SSLSocket_read",
                "n:libssl.so.3!SSL_read",
                "n:libssl.so.3!ssl3_read_bytes",
                "u:libcrypto.so.3",
                "n:libcrypto.so.3!BIO_read",
                "u:libcrypto.so.3",
                "n:libc.so.6!read",
            ],
            K_READ,
        ]),
        vec![
            "p:redis.commands.core:BasicKeyCommands.set",
            "p:redis.client:Redis.execute_command",
            "p:redis.client:Redis._execute_command",
            "p:redis.connection:AbstractConnection.send_command",
            "p:redis.connection:AbstractConnection.send_packed_command",
            "p:ssl:SSLSocket.sendall",
            "p:ssl:SSLSocket.send",
            "n:_ssl.cpython-312-x86_64-linux-gnu.so!_ssl__SSLSocket_write",
            "n:libssl.so.3!SSL_write",
            "u:libcrypto.so.3",
            "u:libcrypto.so.3",
            "u:libcrypto.so.3",
        ],
    ];
    let rpc = vec![cat(&[
        &[
            "p:requests.api:post",
            "p:requests.sessions:Session.request",
            "p:requests.sessions:Session.send",
            "p:requests.adapters:HTTPAdapter.send",
            "p:urllib3.connectionpool:HTTPConnectionPool.urlopen",
            "p:urllib3.connectionpool:HTTPConnectionPool._make_request",
            "p:http.client:HTTPConnection.getresponse",
            "p:http.client:HTTPResponse.begin",
            "p:http.client:HTTPResponse._read_status",
            "p:socket:SocketIO.readinto",
            "n:python3.12!sock_recv_into",
            "n:libc.so.6!recv",
        ],
        K_READ,
    ])];
    let background = vec![
        Background {
            threads: vec!["MainThread".into()],
            prefix: vec![
                "n:python3.12!_start",
                "n:libc.so.6!__libc_start_main",
                "n:python3.12!Py_BytesMain",
                "n:python3.12!Py_RunMain",
                "p:gunicorn.__main__:<module>",
                "p:gunicorn.app.wsgiapp:run",
                "p:gunicorn.app.base:BaseApplication.run",
                "p:gunicorn.arbiter:Arbiter.run",
                "p:gunicorn.arbiter:Arbiter.spawn_worker",
                "p:gunicorn.workers.gthread:ThreadWorker.run",
            ],
            suffixes: vec![
                cat(&[
                    &[
                        "p:gunicorn.workers.gthread:ThreadWorker.wait_for_and_dispatch_events",
                        "p:selectors:EpollSelector.select",
                        "n:python3.12!select_epoll_poll",
                        "n:libc.so.6!epoll_wait",
                    ],
                    K_EPOLL,
                ]),
                vec![
                    "p:gunicorn.workers.gthread:ThreadWorker.murder_keepalived",
                    "n:python3.12!_Py_HandlePending",
                    "n:python3.12!gc_collect_main",
                    "n:python3.12!deduce_unreachable",
                    "n:python3.12!visit_reachable",
                ],
            ],
        },
        Background {
            threads: vec!["metrics-flush".into()],
            prefix: cat(&[PY_THREAD, &["p:myapp.telemetry.metrics:flush_loop"]]),
            suffixes: vec![
                cat(&[
                    &[
                        "n:python3.12!time_sleep",
                        "n:python3.12!pysleep",
                        "n:libc.so.6!clock_nanosleep",
                    ],
                    K_SLEEP,
                ]),
                vec![
                    "p:myapp.telemetry.metrics:collect",
                    "p:myapp.telemetry.metrics:Histogram.snapshot",
                ],
            ],
        },
        Background {
            threads: worker_names(Runtime::Python),
            prefix: cat(&[PY_THREAD, &["p:concurrent.futures.thread:_worker"]]),
            suffixes: vec![cat(&[&["p:queue:SimpleQueue.get"], &PY_LOCK[1..], K_FUTEX])],
        },
    ];
    Catalog {
        tails: [compute, alloc, db, cache, rpc],
        background,
        worker_threads: worker_names(Runtime::Python),
    }
}

fn go_catalog() -> Catalog {
    let compute = vec![
        vec![
            "g:encoding/json.Marshal",
            "g:encoding/json.(*encodeState).marshal",
            "g:encoding/json.(*encodeState).reflectValue",
            "g:encoding/json.structEncoder.encode",
            "g:encoding/json.stringEncoder",
            "g:encoding/json.appendString[...]",
        ],
        vec![
            "g:github.com/golang-jwt/jwt/v5.(*Parser).ParseWithClaims",
            "g:github.com/golang-jwt/jwt/v5.(*SigningMethodECDSA).Verify",
            "g:crypto/ecdsa.VerifyASN1",
            "g:crypto/internal/fips140/ecdsa.Verify[...]",
            "g:crypto/internal/fips140/nistec.(*P256Point).ScalarMult",
            "g:crypto/internal/fips140/nistec.p256Sqr",
        ],
        vec![
            "g:regexp.(*Regexp).MatchString",
            "g:regexp.(*Regexp).doExecute",
            "g:regexp.(*Regexp).backtrack",
            "g:regexp.(*Regexp).tryBacktrack",
        ],
        vec![
            "g:net/http.Header.Get",
            "g:net/textproto.MIMEHeader.Get",
            "+g:net/textproto.CanonicalMIMEHeaderKey",
        ],
        vec!["g:strings.(*Builder).WriteString", "g:runtime.memmove"],
    ];
    let alloc = vec![
        vec![
            "g:runtime.newobject",
            "g:runtime.mallocgc",
            "+g:runtime.nextFreeFast",
        ],
        vec![
            "g:runtime.makeslice",
            "g:runtime.mallocgc",
            "g:runtime.(*mcache).nextFree",
            "g:runtime.(*mcache).refill",
            "g:runtime.(*mcentral).cacheSpan",
        ],
        vec![
            "g:runtime.growslice",
            "g:runtime.mallocgc",
            "g:runtime.memclrNoHeapPointers",
        ],
        vec![
            "g:runtime.concatstrings",
            "+g:runtime.rawstringtmp",
            "g:runtime.rawstring",
            "g:runtime.mallocgc",
            "+g:runtime.nextFreeFast",
        ],
    ];
    let cache = vec![cat(&[
        &[
            "g:github.com/redis/go-redis/v9.(*Client).Process",
            "g:github.com/redis/go-redis/v9.(*baseClient).process",
            "g:github.com/redis/go-redis/v9.(*baseClient)._process",
            "g:github.com/redis/go-redis/v9.(*baseClient).withConn",
            "g:github.com/redis/go-redis/v9/internal/pool.(*Conn).WithReader",
            "g:github.com/redis/go-redis/v9/internal/proto.(*Reader).ReadReply",
            "g:bufio.(*Reader).ReadSlice",
            "g:bufio.(*Reader).fill",
        ],
        GO_READ,
        K_READ,
    ])];
    let rpc = vec![
        cat(&[&[
            "g:net/http/httputil.(*ReverseProxy).ServeHTTP",
            "g:net/http.(*Transport).RoundTrip",
            "g:net/http.(*Transport).roundTrip",
            "g:net/http.(*persistConn).roundTrip",
            "g:runtime.selectgo",
            "g:runtime.gopark",
        ]]),
        cat(&[
            &[
                "g:net/http/httputil.(*ReverseProxy).ServeHTTP",
                "g:io.Copy",
                "g:io.copyBuffer",
                "g:net/http.(*body).Read",
                "g:net/http.(*body).readLocked",
                "g:bufio.(*Reader).Read",
            ],
            GO_READ,
            K_READ,
        ]),
    ];
    let background = vec![
        Background {
            threads: Vec::new(),
            prefix: vec![
                "g:runtime.gcBgMarkWorker",
                "g:runtime.systemstack",
                "g:runtime.gcBgMarkWorker.func2",
                "g:runtime.gcDrain",
            ],
            suffixes: vec![
                vec!["g:runtime.scanobject", "g:runtime.greyobject"],
                vec![
                    "g:runtime.markroot",
                    "g:runtime.markroot.func1",
                    "g:runtime.scanstack",
                    "g:runtime.scanframeworker",
                ],
                vec!["g:runtime.(*gcWork).balance"],
            ],
        },
        Background {
            threads: Vec::new(),
            prefix: vec![
                "g:runtime.mstart",
                "g:runtime.mstart0",
                "g:runtime.mstart1",
                "g:runtime.schedule",
                "g:runtime.findRunnable",
            ],
            suffixes: vec![
                cat(&[
                    &["g:runtime.netpoll", "g:internal/runtime/syscall.EpollWait"],
                    K_EPOLL,
                ]),
                cat(&[
                    &[
                        "g:runtime.stopm",
                        "g:runtime.mPark",
                        "+g:runtime.notesleep",
                        "g:runtime.futexsleep",
                        "g:runtime.futex",
                    ],
                    K_FUTEX,
                ]),
                vec!["g:runtime.runqsteal", "g:runtime.runqgrab"],
            ],
        },
        Background {
            threads: Vec::new(),
            prefix: vec![
                "g:runtime.mstart",
                "g:runtime.mstart0",
                "g:runtime.mstart1",
                "g:runtime.sysmon",
            ],
            suffixes: vec![cat(&[
                &["g:runtime.usleep"],
                &K_SLEEP[..2],
                &[
                    "k:__x64_sys_nanosleep",
                    "k:hrtimer_nanosleep",
                    "k:do_nanosleep",
                    "k:schedule",
                ],
            ])],
        },
    ];
    Catalog {
        tails: [compute, alloc, Vec::new(), cache, rpc],
        background,
        worker_threads: Vec::new(),
    }
}

fn worker_names(runtime: Runtime) -> Vec<String> {
    match runtime {
        Runtime::Jvm => (1..=16)
            .map(|i| format!("http-nio-8080-exec-{i}"))
            .collect(),
        Runtime::Python => (0..8)
            .map(|i| format!("ThreadPoolExecutor-0_{i}"))
            .collect(),
        Runtime::Go => Vec::new(),
    }
}

/// The worker-thread prefix of a request stack, up to (not including) the handler.
fn worker_prefix(runtime: Runtime, rng: &mut Rng) -> Vec<&'static str> {
    match runtime {
        Runtime::Jvm => {
            let mut out = cat(&[JVM_THREAD, JVM_DISPATCH]);
            // Servlet filters: each adds doFilter, internalDoFilter and the filter itself.
            for &filter in &JVM_FILTERS[..rng.range(2, JVM_FILTERS.len() as u64) as usize] {
                out.push("j:org.apache.catalina.core.ApplicationFilterChain.doFilter");
                out.push("j:org.apache.catalina.core.ApplicationFilterChain.internalDoFilter");
                out.push(filter);
            }
            out.extend_from_slice(JVM_SPRING);
            out
        }
        Runtime::Python => {
            let mut out = cat(&[PY_THREAD, PY_DISPATCH]);
            for &d in &PY_DECORATORS[..rng.index(PY_DECORATORS.len() + 1)] {
                out.push(d);
            }
            out
        }
        Runtime::Go => GO_DISPATCH.to_vec(),
    }
}

// ------------------------------------------------------------------------------------------
// Generated application code

const JVM_MODULES: &[&str] = &[
    "checkout",
    "cart",
    "pricing",
    "promotions",
    "inventory",
    "catalog",
    "customer",
    "shipping",
    "tax",
    "payments",
];
const NOUNS: &[&str] = &[
    "Cart",
    "Item",
    "Price",
    "Discount",
    "Order",
    "Line",
    "Customer",
    "Address",
    "Rule",
    "Tax",
    "Stock",
    "Payment",
    "Session",
    "Token",
    "Currency",
    "Promotion",
    "Coupon",
    "Shipment",
    "Invoice",
    "Product",
];
const ROLES: &[&str] = &[
    "Service",
    "Repository",
    "Validator",
    "Mapper",
    "Calculator",
    "Client",
    "Resolver",
    "Factory",
    "Policy",
    "Assembler",
];
const VERBS: &[&str] = &[
    "add",
    "get",
    "find",
    "load",
    "compute",
    "apply",
    "validate",
    "build",
    "resolve",
    "update",
    "check",
    "merge",
    "convert",
    "fetch",
    "create",
    "save",
    "handle",
    "normalize",
    "enrich",
    "score",
];
const PY_PACKAGES: &[&str] = &[
    "services",
    "models",
    "db",
    "pricing",
    "serializers",
    "validators",
    "domain",
    "utils",
];
const GO_PACKAGES: &[&str] = &[
    "proxy",
    "auth",
    "ratelimit",
    "session",
    "routing",
    "cache",
    "upstream",
    "metrics",
    "transform",
    "catalog",
];
const GO_TYPES: &[&str] = &[
    "Proxy", "Limiter", "Resolver", "Client", "Store", "Pool", "Matcher", "Encoder", "Balancer",
    "Session",
];
const GO_METHODS: &[&str] = &[
    "Forward", "Allow", "Resolve", "Do", "Get", "Put", "Match", "Encode", "Pick", "Refresh",
    "Validate", "Lookup", "Apply", "Wrap",
];

/// Hand-picked names that lead each service's generated code: the first handler, the first
/// function it calls, and a mutually recursive pair.
struct Anchors {
    handler: &'static str,
    service: &'static str,
    recursive: &'static str,
    partner: &'static str,
}

fn anchors(runtime: Runtime) -> Anchors {
    match runtime {
        Runtime::Jvm => Anchors {
            handler: "j:com.acme.checkout.CartController.addItem",
            service: "j:com.acme.checkout.CartService.addItem",
            recursive: "j:com.acme.promotions.RuleEngine.evaluate",
            partner: "j:com.acme.promotions.RuleNode.accept",
        },
        Runtime::Python => Anchors {
            handler: "p:myapp.handlers.orders:create_order",
            service: "p:myapp.services.orders:OrderService.create",
            recursive: "p:myapp.pricing.rules:evaluate_rule",
            partner: "p:myapp.pricing.rules:_evaluate_children",
        },
        Runtime::Go => Anchors {
            handler: "g:github.com/acme/gateway/internal/handlers.(*CartHandler).AddItem",
            service: "g:github.com/acme/gateway/internal/proxy.(*Proxy).Forward",
            recursive: "g:github.com/acme/gateway/internal/router.(*node).match",
            partner: "g:github.com/acme/gateway/internal/router.(*node).match",
        },
    }
}

/// A generated function name as a frame spec.
fn app_name(runtime: Runtime, handler: bool, rng: &mut Rng) -> String {
    let noun = rng.pick(NOUNS);
    let noun2 = rng.pick(NOUNS);
    let verb = rng.pick(VERBS);
    match runtime {
        Runtime::Jvm => {
            let module = rng.pick(JVM_MODULES);
            let role = if handler {
                "Controller"
            } else {
                rng.pick(ROLES)
            };
            format!("j:com.acme.{module}.{noun}{role}.{verb}{noun2}")
        }
        Runtime::Python => {
            let module = format!("{}s", noun.to_ascii_lowercase());
            let f = format!("{verb}_{}", noun2.to_ascii_lowercase());
            if handler {
                format!("p:myapp.handlers.{module}:{f}")
            } else if rng.chance(0.5) {
                let role = rng.pick(ROLES);
                format!(
                    "p:myapp.{}.{module}:{noun}{role}.{f}",
                    rng.pick(PY_PACKAGES)
                )
            } else {
                format!("p:myapp.{}.{module}:{f}", rng.pick(PY_PACKAGES))
            }
        }
        Runtime::Go => {
            let method = rng.pick(GO_METHODS);
            if handler {
                format!("g:github.com/acme/gateway/internal/handlers.(*{noun}Handler).{method}")
            } else if rng.chance(0.6) {
                let pkg = rng.pick(GO_PACKAGES);
                format!(
                    "g:github.com/acme/gateway/internal/{pkg}.(*{}).{method}",
                    rng.pick(GO_TYPES)
                )
            } else {
                let pkg = rng.pick(GO_PACKAGES);
                format!(
                    "g:github.com/acme/gateway/internal/{pkg}.{}{noun}",
                    verb.to_ascii_lowercase()
                )
            }
        }
    }
}

/// One service's application call graph over function ids. Handlers come first; edges go
/// from lower to higher index (so walks end), plus designated recursion.
struct AppGraph {
    funcs: Vec<u32>,
    callees: Vec<Vec<u32>>,
    handler_zipf: Discrete,
    /// `(function, partner)`: calls itself through `partner` (which may be itself).
    recursion: HashMap<u32, u32>,
}

// ------------------------------------------------------------------------------------------
// The dictionary under construction

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FrameKind {
    Jvm,
    Python,
    Native,
    Kernel,
    /// An unsymbolised native frame: an address in a library.
    Raw,
}

impl FrameKind {
    fn frame_type(self) -> &'static str {
        match self {
            FrameKind::Jvm => "jvm",
            FrameKind::Python => "cpython",
            FrameKind::Native | FrameKind::Raw => "native",
            FrameKind::Kernel => "kernel",
        }
    }
}

/// A function known to the generator (or, for `Raw`, a library whose frames have no symbol).
struct FuncSpec {
    name: String,
    kind: FrameKind,
    /// Library base name for native frames.
    lib: Option<String>,
    start_line: u32,
}

/// One frame of a walk, root first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Step {
    func: u32,
    /// Shares the location of the step before it.
    inlined: bool,
    /// Leaf line variant for a leaf; address variant for a `Raw` frame.
    variant: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LocKey {
    mapping: i32,
    address: u64,
    lines: Vec<(u32, u32)>,
}

struct MappingInfo {
    index: i32,
    start: u64,
    file_offset: u64,
    base: String,
}

#[derive(Default)]
struct Dict {
    strings: Vec<String>,
    string_ids: HashMap<String, i32>,
    funcs: Vec<FuncSpec>,
    func_ids: HashMap<String, u32>,
    /// The function table, and each used spec's index in it.
    functions: Vec<Function>,
    function_ids: HashMap<u32, i32>,
    mappings: Vec<Mapping>,
    mapping_ids: HashMap<(usize, String), MappingInfo>,
    locations: Vec<Location>,
    location_ids: HashMap<LocKey, i32>,
    /// Expected function names of each location (index = location index), caller first.
    location_names: Vec<Vec<u32>>,
    /// Expected names, as the generator means them (independent of the string table).
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
    attributes: Vec<KeyValueAndUnit>,
    attribute_ids: HashMap<(String, String), i32>,
    stacks: Vec<Stack>,
}

impl Dict {
    fn new() -> Dict {
        let mut d = Dict::default();
        d.string("");
        d.functions.push(Function::default());
        d.mappings.push(Mapping::default());
        d.locations.push(Location::default());
        d.location_names.push(Vec::new());
        d.attributes.push(KeyValueAndUnit::default());
        d.stacks.push(Stack::default());
        d
    }

    fn string(&mut self, s: &str) -> i32 {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as i32;
        self.strings.push(s.to_owned());
        self.string_ids.insert(s.to_owned(), id);
        id
    }

    fn name(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_owned());
        self.name_ids.insert(s.to_owned(), id);
        id
    }

    fn attribute(&mut self, key: &str, value: &str) -> i32 {
        if let Some(&id) = self.attribute_ids.get(&(key.to_owned(), value.to_owned())) {
            return id;
        }
        let id = self.attributes.len() as i32;
        let key_strindex = self.string(key);
        self.attributes.push(KeyValueAndUnit {
            key_strindex,
            value: Some(AnyValue {
                value: Some(Value::StringValue(value.to_owned())),
            }),
            unit_strindex: 0,
        });
        self.attribute_ids
            .insert((key.to_owned(), value.to_owned()), id);
        id
    }

    /// The function of a frame spec (see the catalog), and whether it is inlined.
    fn func(&mut self, spec: &str) -> (u32, bool) {
        let (inlined, spec) = match spec.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        if let Some(&id) = self.func_ids.get(spec) {
            return (id, inlined);
        }
        let (kind, body) = spec.split_at(2);
        let (kind, lib, name) = match kind {
            "j:" => (FrameKind::Jvm, None, body),
            "p:" => (FrameKind::Python, None, body),
            "k:" => (FrameKind::Kernel, None, body),
            "g:" => (FrameKind::Native, Some("gateway"), body),
            "u:" => (FrameKind::Raw, Some(body), body),
            "n:" => {
                let (lib, sym) = body.split_once('!').expect("native spec lib!symbol");
                (FrameKind::Native, Some(lib), sym)
            }
            _ => panic!("bad frame spec {spec:?}"),
        };
        let id = self.funcs.len() as u32;
        self.funcs.push(FuncSpec {
            name: name.to_owned(),
            kind,
            lib: lib.map(str::to_owned),
            start_line: 1 + (name_hash(&[name]) % 900) as u32,
        });
        self.func_ids.insert(spec.to_owned(), id);
        (id, inlined)
    }

    fn mapping(&mut self, service: usize, lib: &str) -> (i32, u64, u64, String) {
        if let Some(m) = self.mapping_ids.get(&(service, lib.to_owned())) {
            return (m.index, m.start, m.file_offset, m.base.clone());
        }
        let path = library_path(lib);
        let n = self.mapping_ids.len() as u64;
        let start = if lib == "gateway" {
            0x40_0000
        } else {
            0x7f00_0000_0000 + ((service as u64) << 36) + (n << 28)
        };
        let file_offset = 0x1000 * (1 + name_hash(&[lib]) % 0x90);
        let filename_strindex = self.string(&path);
        let index = self.mappings.len() as i32;
        self.mappings.push(Mapping {
            memory_start: start,
            memory_limit: start + 0x0400_0000,
            file_offset,
            filename_strindex,
            attribute_indices: Vec::new(),
        });
        let base = path.rsplit('/').next().unwrap_or(&path).to_owned();
        self.mapping_ids.insert(
            (service, lib.to_owned()),
            MappingInfo {
                index,
                start,
                file_offset,
                base: base.clone(),
            },
        );
        (index, start, file_offset, base)
    }

    /// The line of `func` where it calls `callee` (or, for a leaf, where it was sampled).
    fn line_of(&self, func: u32, next: Option<u32>, variant: u32) -> u32 {
        let f = &self.funcs[func as usize];
        let h = match next {
            Some(callee) => name_hash(&[&f.name, &self.funcs[callee as usize].name]),
            None => name_hash(&[&f.name, "leaf", &variant.to_string()]),
        };
        f.start_line + 1 + (h % 120) as u32
    }

    /// Location indices (leaf first) of a walk, at most `max_depth` of them (root side cut).
    fn stack_of(&mut self, service: usize, steps: &[Step], max_depth: usize) -> Vec<i32> {
        // Group inlined frames with the frame they are inlined into.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if step.inlined => g.1 = i + 1,
                _ => groups.push((i, i + 1)),
            }
        }
        let keep = groups.len().saturating_sub(max_depth.max(1));
        let mut out: Vec<i32> = groups[keep..]
            .iter()
            .map(|&(a, b)| self.location(service, steps, a, b))
            .collect();
        out.reverse();
        out
    }

    fn location(&mut self, service: usize, steps: &[Step], a: usize, b: usize) -> i32 {
        let first = &self.funcs[steps[a].func as usize];
        let kind = first.kind;
        let lib = first.lib.clone();
        let (key, expected) = if kind == FrameKind::Raw {
            let lib = lib.expect("raw frame has a library");
            let (mapping, start, file_offset, base) = self.mapping(service, &lib);
            let address = start + 0x2_0000 + u64::from(steps[a].variant) * 0x1a3 + 0x40;
            let name = format!("{base}+0x{:x}", address - start + file_offset);
            let key = LocKey {
                mapping,
                address,
                lines: Vec::new(),
            };
            (key, vec![name])
        } else {
            let lines: Vec<(u32, u32)> = (a..b)
                .map(|i| {
                    let next = steps.get(i + 1).map(|s| s.func);
                    (
                        steps[i].func,
                        self.line_of(steps[i].func, next, steps[i].variant),
                    )
                })
                .collect();
            let expected = lines
                .iter()
                .map(|&(f, _)| self.funcs[f as usize].name.clone())
                .collect();
            let (mapping, address) = match (kind, lib) {
                (FrameKind::Native, Some(lib)) => {
                    let (mapping, start, _, _) = self.mapping(service, &lib);
                    let h = lines.iter().fold(0u64, |h, &(f, l)| {
                        mix(h ^ (u64::from(f) << 20) ^ u64::from(l))
                    });
                    (mapping, start + 0x1000 + (h % 0x3f_0000) * 4)
                }
                (FrameKind::Kernel, _) => {
                    let h = name_hash(&[&self.funcs[lines[0].0 as usize].name]);
                    (
                        0,
                        0xffff_ffff_8100_0000 + (h % 0x0100_0000) + u64::from(lines[0].1),
                    )
                }
                _ => (0, 0),
            };
            (
                LocKey {
                    mapping,
                    address,
                    lines,
                },
                expected,
            )
        };
        if let Some(&id) = self.location_ids.get(&key) {
            return id;
        }
        let frame_type = self.attribute("profile.frame.type", kind.frame_type());
        let mut proto_lines = Vec::with_capacity(key.lines.len());
        // Location.lines lists the innermost (inlined) function first.
        for &(func, line) in key.lines.iter().rev() {
            let function_index = self.function_index(func);
            proto_lines.push(Line {
                function_index,
                line: i64::from(line),
                column: 0,
            });
        }
        let id = self.locations.len() as i32;
        self.locations.push(Location {
            mapping_index: key.mapping,
            address: key.address,
            lines: proto_lines,
            attribute_indices: vec![frame_type],
        });
        let names = expected.iter().map(|n| self.name(n)).collect();
        self.location_names.push(names);
        self.location_ids.insert(key, id);
        id
    }

    /// Index of a function in the function table (added on first use).
    fn function_index(&mut self, func: u32) -> i32 {
        if let Some(&id) = self.function_ids.get(&func) {
            return id;
        }
        let spec = &self.funcs[func as usize];
        let (name, file, start_line) = (
            spec.name.clone(),
            source_file(spec.kind, &spec.name),
            spec.start_line,
        );
        let function = Function {
            name_strindex: self.string(&name),
            system_name_strindex: 0,
            filename_strindex: self.string(&file),
            start_line: i64::from(start_line),
        };
        let id = self.functions.len() as i32;
        self.functions.push(function);
        self.function_ids.insert(func, id);
        id
    }
}

fn library_path(lib: &str) -> String {
    match lib {
        "gateway" => "/app/gateway".into(),
        "python3.12" => "/usr/bin/python3.12".into(),
        "libjvm.so" => "/usr/lib/jvm/java-21-openjdk-amd64/lib/server/libjvm.so".into(),
        "libnio.so" => "/usr/lib/jvm/java-21-openjdk-amd64/lib/libnio.so".into(),
        l if l.ends_with(".cpython-312-x86_64-linux-gnu.so") => {
            format!("/usr/lib/python3.12/lib-dynload/{l}")
        }
        l => format!("/usr/lib/x86_64-linux-gnu/{l}"),
    }
}

/// The source file a frame of this kind and name would report.
fn source_file(kind: FrameKind, name: &str) -> String {
    match kind {
        FrameKind::Jvm => {
            let class = name.rsplit_once('.').map_or(name, |(c, _)| c);
            let simple = class.rsplit('.').next().unwrap_or(class);
            let outer = simple.split('$').next().unwrap_or(simple);
            format!("{outer}.java")
        }
        FrameKind::Python => {
            let module = name.split(':').next().unwrap_or(name);
            format!("{}.py", module.replace('.', "/"))
        }
        FrameKind::Native if !name.contains("::") && name.contains('.') => {
            // A Go symbol: the package path, then one file named after the package.
            let slash = name.rfind('/').map_or(0, |i| i + 1);
            let dot = name[slash..].find('.').map_or(name.len(), |i| slash + i);
            let pkg = &name[..dot];
            let last = pkg.rsplit('/').next().unwrap_or(pkg);
            format!("{pkg}/{last}.go")
        }
        _ => String::new(),
    }
}

// ------------------------------------------------------------------------------------------
// The program: call graphs and the stack pool

/// One service's code and threads.
struct ServiceCode {
    catalog: Catalog,
    app: AppGraph,
    /// `thread.name` attribute of each request worker (empty for Go).
    worker_attrs: Vec<i32>,
    /// `thread.name` attributes of each background kind's threads.
    background_attrs: Vec<Vec<i32>>,
}

/// A pool stack: its index in the stack table and the thread group that runs it
/// (0 = request workers, `1 + b` = background kind `b`).
#[derive(Debug, Clone, Copy)]
struct PoolEntry {
    stack: i32,
    group: u16,
}

fn build_app(dict: &mut Dict, runtime: Runtime, n: usize, rng: &mut Rng) -> AppGraph {
    let a = anchors(runtime);
    let handlers = (n / 12).max(3);
    let n = n.max(handlers + 3);
    let mut seen: HashSet<String> = [a.handler, a.service, a.recursive, a.partner]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut funcs = Vec::with_capacity(n);
    for i in 0..n {
        let spec = if i == 0 {
            a.handler.to_owned()
        } else if i == handlers {
            a.service.to_owned()
        } else if i == handlers + 1 {
            a.recursive.to_owned()
        } else {
            let mut spec = app_name(runtime, i < handlers, rng);
            let mut k = 2;
            while seen.contains(&spec) {
                spec = if k < 20 {
                    app_name(runtime, i < handlers, rng)
                } else {
                    format!("{}{k}", app_name(runtime, i < handlers, rng))
                };
                k += 1;
            }
            seen.insert(spec.clone());
            spec
        };
        funcs.push(dict.func(&spec).0);
    }
    let mut callees: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, out) in callees.iter_mut().enumerate() {
        let (lo, hi) = if i < handlers {
            (handlers, n)
        } else {
            (i + 1, n)
        };
        if lo >= hi {
            continue;
        }
        for _ in 0..rng.range(2, 5) {
            let u = rng.unit();
            let j = (lo + (u * u * (hi - lo) as f64) as usize).min(hi - 1) as u32;
            if !out.contains(&j) {
                out.push(j);
            }
        }
    }
    // The anchors are the hottest path: first handler -> first service -> recursion.
    for (from, to) in [(0, handlers as u32), (handlers, handlers as u32 + 1)] {
        callees[from].retain(|&c| c != to);
        callees[from].insert(0, to);
    }
    let mut recursion = HashMap::new();
    recursion.insert(funcs[handlers + 1], dict.func(a.partner).0);
    for &f in &funcs[handlers + 2..] {
        if rng.chance(0.02) {
            recursion.insert(f, f);
        }
    }
    AppGraph {
        funcs,
        callees,
        handler_zipf: Discrete::zipf(handlers),
        recursion,
    }
}

/// How often a recursive function recurses: usually a little, sometimes very deep.
fn recursion_depth(rng: &mut Rng) -> u64 {
    let u = rng.unit();
    if u < 0.7 {
        rng.range(1, 3)
    } else if u < 0.93 {
        rng.range(4, 15)
    } else {
        rng.range(16, 55)
    }
}

/// A prefix of `chain`: all of it, or (when `partial`) at least `min` frames of it.
fn chain_prefix<'c>(chain: &'c [&'static str], partial: bool, rng: &mut Rng) -> &'c [&'static str] {
    if !partial || chain.len() <= 2 || rng.chance(0.5) {
        return chain;
    }
    let min = 2.min(chain.len()) as u64;
    &chain[..rng.range(min, chain.len() as u64) as usize]
}

struct Program {
    dict: Dict,
    code: Vec<ServiceCode>,
    /// Pool per service and category.
    pools: Vec<Vec<Vec<PoolEntry>>>,
    zipfs: Vec<Vec<Discrete>>,
}

impl Program {
    fn build(opts: &SynthOptions, rng: &mut Rng) -> Program {
        let mut dict = Dict::new();
        let app_size = (opts.distinct_stacks as usize / 25).clamp(24, 4000);
        let code: Vec<ServiceCode> = SERVICES
            .iter()
            .map(|svc| {
                let catalog = catalog(svc.runtime);
                let n = ((app_size as f64) * svc.share * 2.0) as usize;
                let app = build_app(&mut dict, svc.runtime, n.max(12), rng);
                let worker_attrs = catalog
                    .worker_threads
                    .iter()
                    .map(|t| dict.attribute("thread.name", t))
                    .collect();
                let background_attrs = catalog
                    .background
                    .iter()
                    .map(|b| {
                        b.threads
                            .iter()
                            .map(|t| dict.attribute("thread.name", t))
                            .collect()
                    })
                    .collect();
                ServiceCode {
                    catalog,
                    app,
                    worker_attrs,
                    background_attrs,
                }
            })
            .collect();
        let mut program = Program {
            dict,
            code,
            pools: Vec::new(),
            zipfs: Vec::new(),
        };
        program.fill_pools(opts, rng);
        program
    }

    fn available(&self, service: usize, cat: Cat) -> bool {
        let c = &self.code[service].catalog;
        match cat {
            Cat::Compute => true,
            Cat::Background => !c.background.is_empty(),
            other => !c.tails[other as usize].is_empty(),
        }
    }

    fn fill_pools(&mut self, opts: &SynthOptions, rng: &mut Rng) {
        let max_depth = opts.max_depth.max(1) as usize;
        let mut seen: HashSet<Vec<i32>> = HashSet::new();
        for (service, svc) in SERVICES.iter().enumerate() {
            let share_sum: f64 = CATS
                .iter()
                .filter(|&&c| self.available(service, c))
                .map(|&c| CAT_SHARE[c as usize])
                .sum();
            let mut pools: Vec<Vec<PoolEntry>> = vec![Vec::new(); CATS.len()];
            let mut shortfall = 0;
            // Background work has little variety; what it cannot fill goes to compute.
            for &c in CATS.iter().rev() {
                if !self.available(service, c) {
                    continue;
                }
                let want =
                    f64::from(opts.distinct_stacks) * svc.share * CAT_SHARE[c as usize] / share_sum;
                // Every service can always compute, idle and allocate.
                let floor = usize::from(matches!(c, Cat::Compute | Cat::Background | Cat::Alloc));
                let mut target = (want.round() as usize).max(floor);
                if c == Cat::Compute {
                    target += shortfall;
                }
                let pool = &mut pools[c as usize];
                let mut attempts = target * 20 + 50;
                while pool.len() < target && attempts > 0 {
                    attempts -= 1;
                    let (steps, group) = self.walk(service, c, rng);
                    let locs = self.dict.stack_of(service, &steps, max_depth);
                    if seen.insert(locs.clone()) {
                        let stack = self.dict.stacks.len() as i32;
                        self.dict.stacks.push(Stack {
                            location_indices: locs,
                        });
                        pool.push(PoolEntry { stack, group });
                    }
                }
                shortfall += target - pool.len();
            }
            self.pools.push(pools);
        }
        self.zipfs = self
            .pools
            .iter()
            .map(|ps| ps.iter().map(|p| Discrete::zipf(p.len())).collect())
            .collect();
    }

    /// One random stack of `service` doing `cat`, root first, and its thread group.
    fn walk(&mut self, service: usize, cat: Cat, rng: &mut Rng) -> (Vec<Step>, u16) {
        let runtime = SERVICES[service].runtime;
        let code = &self.code[service];
        let mut specs: Vec<&'static str> = Vec::new();
        let mut app: Vec<u32> = Vec::new();
        let mut tail: &[&'static str] = &[];
        let group;
        if cat == Cat::Background {
            let b = rng.skewed(code.catalog.background.len());
            let bg = &code.catalog.background[b];
            specs.extend_from_slice(&bg.prefix);
            let suffix = &bg.suffixes[rng.skewed(bg.suffixes.len())];
            tail = chain_prefix(suffix, true, rng);
            group = 1 + b as u16;
        } else {
            specs = worker_prefix(runtime, rng);
            let g = &code.app;
            let mut cur = g.handler_zipf.sample(rng);
            app.push(g.funcs[cur]);
            for depth in 0.. {
                let f = g.funcs[cur];
                if let Some(&partner) = g.recursion.get(&f) {
                    for _ in 0..recursion_depth(rng) {
                        if partner != f {
                            app.push(partner);
                        }
                        app.push(f);
                    }
                }
                let next = &g.callees[cur];
                if next.is_empty() || depth >= 14 || (depth > 0 && rng.chance(0.3)) {
                    break;
                }
                cur = next[rng.skewed(next.len())] as usize;
                app.push(g.funcs[cur]);
            }
            let tails = &code.catalog.tails[cat as usize];
            let skip = tails.is_empty() || (cat == Cat::Compute && rng.chance(0.45));
            if !skip {
                let chain = &tails[rng.skewed(tails.len())];
                tail = chain_prefix(chain, cat != Cat::Alloc, rng);
            }
            group = 0;
        }
        let mut steps: Vec<Step> = Vec::with_capacity(specs.len() + app.len() + tail.len());
        for spec in &specs {
            let (func, inlined) = self.dict.func(spec);
            steps.push(Step {
                func,
                inlined,
                variant: 0,
            });
        }
        steps.extend(app.iter().map(|&func| Step {
            func,
            inlined: false,
            variant: 0,
        }));
        for spec in tail {
            let (func, inlined) = self.dict.func(spec);
            let raw = self.dict.funcs[func as usize].kind == FrameKind::Raw;
            steps.push(Step {
                func,
                inlined,
                variant: if raw { rng.below(24) as u32 } else { 0 },
            });
        }
        if let Some(leaf) = steps.last_mut()
            && self.dict.funcs[leaf.func as usize].kind != FrameKind::Raw
        {
            leaf.variant = rng.below(4) as u32;
        }
        (steps, group)
    }

    /// A stack from the pool of `service` and `cat`, falling back to another pool of the
    /// service (then of any service) when that one is empty.
    fn pick(&self, service: usize, cat: Cat, rng: &mut Rng) -> PoolEntry {
        let order = [cat as usize, Cat::Compute as usize, 0, 1, 2, 3, 4, 5];
        for s in [service, 0, 1, 2] {
            for &c in &order {
                let pool = &self.pools[s][c];
                if !pool.is_empty() {
                    return pool[self.zipfs[s][c].sample(rng)];
                }
            }
        }
        unreachable!("every service has at least one compute stack")
    }
}

// ------------------------------------------------------------------------------------------
// Traces

const SPAN_INTERNAL: i32 = 1;
const SPAN_SERVER: i32 = 2;
const SPAN_CLIENT: i32 = 3;

/// A generated span with what the sampler needs to know about it.
#[derive(Debug, Clone)]
struct SpanRec {
    key: SpanKey,
    parent: Option<u32>,
    service: usize,
    name: String,
    kind: i32,
    role: Role,
    start: u64,
    end: u64,
    attributes: Vec<KeyValue>,
    error: bool,
    /// Self time: the parts of the span not covered by its children.
    gaps: Vec<(u64, u64)>,
    /// Worker thread of the span's service that ran it.
    thread: u32,
}

/// What a server span does, child by child.
enum Plan {
    Leaf(Role, String, Vec<KeyValue>),
    Compute(String, Vec<Plan>),
    Call(usize, &'static str, &'static str),
}

fn kv(key: &str, value: impl Into<String>) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::StringValue(value.into())),
        }),
        key_strindex: 0,
    }
}

fn kv_int(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::IntValue(value)),
        }),
        key_strindex: 0,
    }
}

const TABLES: &[&str] = &[
    "cart_items",
    "carts",
    "products",
    "prices",
    "customers",
    "orders",
    "order_lines",
    "inventory",
];

fn db_plan(op: &str, table: &str) -> Plan {
    let query = match op {
        "SELECT" => format!("SELECT * FROM {table} WHERE id = $1"),
        "INSERT" => format!("INSERT INTO {table} VALUES ($1, $2, $3)"),
        _ => format!("UPDATE {table} SET updated_at = now() WHERE id = $1"),
    };
    Plan::Leaf(
        Role::Db,
        format!("{op} acme.{table}"),
        vec![
            kv("db.system.name", "postgresql"),
            kv("db.namespace", "acme"),
            kv("db.operation.name", op),
            kv("db.collection.name", table),
            kv("db.query.text", query),
        ],
    )
}

fn cache_plan(op: &str) -> Plan {
    Plan::Leaf(
        Role::Cache,
        op.to_owned(),
        vec![kv("db.system.name", "redis"), kv("db.operation.name", op)],
    )
}

struct TraceBuilder<'r> {
    rng: &'r mut Rng,
    spans: Vec<SpanRec>,
    trace_id: [u8; 16],
    threads: [Option<u32>; 3],
    id_seed: u64,
    next_id: &'r mut u64,
}

impl TraceBuilder<'_> {
    fn span_id(&mut self) -> [u8; 8] {
        *self.next_id += 1;
        let id = mix(self.id_seed ^ *self.next_id).max(1);
        id.to_be_bytes()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        parent: Option<u32>,
        service: usize,
        name: String,
        kind: i32,
        role: Role,
        (start, end): (u64, u64),
        attributes: Vec<KeyValue>,
    ) -> u32 {
        let span_id = self.span_id();
        let workers = worker_names(SERVICES[service].runtime).len() as u64;
        let rng = &mut *self.rng;
        let thread = *self.threads[service].get_or_insert_with(|| {
            if workers == 0 {
                0
            } else {
                rng.below(workers) as u32
            }
        });
        self.spans.push(SpanRec {
            key: SpanKey {
                trace_id: self.trace_id,
                span_id,
            },
            parent,
            service,
            name,
            kind,
            role,
            start,
            end,
            attributes,
            error: false,
            gaps: vec![(start, end)],
            thread,
        });
        (self.spans.len() - 1) as u32
    }

    fn server(
        &mut self,
        parent: Option<u32>,
        service: usize,
        method: &'static str,
        route: &'static str,
        interval: (u64, u64),
    ) -> u32 {
        let attrs = vec![
            kv("http.request.method", method),
            kv("http.route", route),
            kv(
                "url.path",
                route.replace("{id}", &self.rng.range(1000, 99_999).to_string()),
            ),
            kv_int("http.response.status_code", 200),
        ];
        let me = self.push(
            parent,
            service,
            format!("{method} {route}"),
            SPAN_SERVER,
            Role::Request,
            interval,
            attrs,
        );
        let rng = &mut *self.rng;
        let mut plan = Vec::new();
        match service {
            GATEWAY => {
                if rng.chance(0.7) {
                    plan.push(Plan::Compute("authenticate".into(), Vec::new()));
                }
                if rng.chance(0.5) {
                    plan.push(cache_plan("EVALSHA"));
                }
                let (target, t_method, t_route) = match route {
                    "/api/cart" => (CHECKOUT, "GET", "/cart"),
                    "/api/cart/items" => (CHECKOUT, "POST", "/cart/items"),
                    "/api/checkout" => (CHECKOUT, "POST", "/checkout"),
                    "/api/orders" => (ORDERS, "POST", "/orders"),
                    "/api/orders/{id}" => (ORDERS, "GET", "/orders/{id}"),
                    _ => (GATEWAY, "", ""),
                };
                if target != GATEWAY {
                    plan.push(Plan::Call(target, t_method, t_route));
                }
            }
            CHECKOUT => {
                if rng.chance(0.8) {
                    plan.push(cache_plan("GET"));
                }
                for _ in 0..rng.range(1, 3) {
                    let table = *rng.pick(&TABLES[..5]);
                    plan.push(db_plan("SELECT", table));
                }
                let mut pricing = Vec::new();
                if rng.chance(0.6) {
                    pricing.push(Plan::Compute("apply promotions".into(), Vec::new()));
                }
                if rng.chance(0.4) {
                    pricing.push(db_plan("SELECT", "prices"));
                }
                plan.push(Plan::Compute("price cart".into(), pricing));
                if route == "/checkout" {
                    plan.push(Plan::Call(ORDERS, "POST", "/orders"));
                    plan.push(db_plan("UPDATE", "carts"));
                } else if rng.chance(0.3) {
                    plan.push(cache_plan("SET"));
                }
            }
            _ => {
                for _ in 0..rng.range(1, 3) {
                    let (op, table) = *rng.pick(&[
                        ("INSERT", "orders"),
                        ("SELECT", "order_lines"),
                        ("SELECT", "orders"),
                        ("INSERT", "order_lines"),
                    ]);
                    plan.push(db_plan(op, table));
                }
                if rng.chance(0.8) {
                    plan.push(Plan::Compute("serialize order".into(), Vec::new()));
                }
                if rng.chance(0.4) {
                    plan.push(cache_plan("SET"));
                }
            }
        }
        self.fill(me, plan);
        me
    }

    /// Lay the children of span `me` out one after another inside it, with gaps between.
    fn fill(&mut self, me: u32, plan: Vec<Plan>) {
        if plan.is_empty() {
            return;
        }
        let (start, end, service) = {
            let s = &self.spans[me as usize];
            (s.start, s.end, s.service)
        };
        let rng = &mut *self.rng;
        let weights: Vec<f64> = plan
            .iter()
            .map(|p| {
                let base = match p {
                    Plan::Leaf(Role::Db, ..) => 2.0,
                    Plan::Leaf(..) => 0.6,
                    Plan::Compute(..) => 3.0,
                    Plan::Call(..) => 6.0,
                };
                base * (0.5 + rng.unit())
            })
            .collect();
        let gaps: Vec<f64> = (0..=plan.len()).map(|_| 0.2 + rng.unit() * 0.6).collect();
        let total: f64 = weights.iter().sum::<f64>() + gaps.iter().sum::<f64>();
        let scale = (end - start) as f64 / total;
        let mut cursor = start as f64;
        let mut self_gaps = Vec::new();
        let mut last = start;
        for (i, p) in plan.into_iter().enumerate() {
            cursor += gaps[i] * scale;
            let cs = (cursor as u64).clamp(last, end);
            cursor += weights[i] * scale;
            let ce = (cursor as u64).clamp(cs, end);
            if cs > last {
                self_gaps.push((last, cs));
            }
            last = ce;
            if ce <= cs {
                continue;
            }
            match p {
                Plan::Leaf(role, name, attrs) => {
                    self.push(Some(me), service, name, SPAN_CLIENT, role, (cs, ce), attrs);
                }
                Plan::Compute(name, children) => {
                    let c = self.push(
                        Some(me),
                        service,
                        name,
                        SPAN_INTERNAL,
                        Role::Compute,
                        (cs, ce),
                        Vec::new(),
                    );
                    self.fill(c, children);
                }
                Plan::Call(target, method, route) => {
                    let attrs = vec![
                        kv("http.request.method", method),
                        kv("server.address", SERVICES[target].name),
                        kv_int("server.port", 8080),
                        kv(
                            "url.full",
                            format!("http://{}:8080{route}", SERVICES[target].name),
                        ),
                    ];
                    let c = self.push(
                        Some(me),
                        service,
                        method.to_owned(),
                        SPAN_CLIENT,
                        Role::Rpc,
                        (cs, ce),
                        attrs,
                    );
                    let delta = ((ce - cs) / 20).clamp(1, 500_000);
                    if ce - cs > 2 * delta {
                        self.spans[c as usize].gaps = vec![(cs, cs + delta), (ce - delta, ce)];
                        self.server(Some(c), target, method, route, (cs + delta, ce - delta));
                    }
                }
            }
        }
        if end > last {
            self_gaps.push((last, end));
        }
        self.spans[me as usize].gaps = self_gaps;
    }
}

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/cart"),
    ("POST", "/api/cart/items"),
    ("GET", "/api/orders/{id}"),
    ("POST", "/api/orders"),
    ("POST", "/api/checkout"),
];

/// Exactly `opts.spans` spans in traces that start at random times in the profile.
fn generate_spans(opts: &SynthOptions, rng: &mut Rng) -> Vec<SpanRec> {
    let target = opts.spans as usize;
    let mut spans: Vec<SpanRec> = Vec::with_capacity(target);
    let mut next_id = 0u64;
    let id_seed = mix(opts.seed ^ 0x5BA4_1D5E_ED00_0001);
    let route_zipf = Discrete::zipf(ROUTES.len());
    let duration = opts.duration_nano.max(1);
    while spans.len() < target {
        let mut trace = [0u8; 16];
        let hi = mix(id_seed ^ 0xA11C_E000_0000_0000 ^ (spans.len() as u64)).max(1);
        trace[..8].copy_from_slice(&hi.to_be_bytes());
        trace[8..].copy_from_slice(&mix(hi).to_be_bytes());
        let healthz = target - spans.len() < 12 || rng.chance(0.03);
        let dur = if healthz {
            rng.range(300_000, 1_500_000)
        } else {
            {
                let u = rng.unit();
                8_000_000 + (u * u * 300_000_000.0) as u64
            }
        }
        .min(duration);
        let start = opts.start_unix_nano + rng.below(duration - dur + 1);
        let mut b = TraceBuilder {
            rng: &mut *rng,
            spans: Vec::new(),
            trace_id: trace,
            threads: [None; 3],
            id_seed,
            next_id: &mut next_id,
        };
        if healthz {
            b.server(None, GATEWAY, "GET", "/healthz", (start, start + dur));
        } else {
            let (method, route) = ROUTES[route_zipf.sample(b.rng)];
            b.server(None, GATEWAY, method, route, (start, start + dur));
        }
        let mut trace_spans = b.spans;
        if spans.len() + trace_spans.len() > target {
            continue;
        }
        if rng.chance(0.02) {
            let root = &mut trace_spans[0];
            root.error = true;
            root.attributes
                .retain(|a| a.key != "http.response.status_code");
            root.attributes
                .push(kv_int("http.response.status_code", 504));
        }
        let offset = spans.len() as u32;
        for mut s in trace_spans {
            s.parent = s.parent.map(|p| p + offset);
            spans.push(s);
        }
    }
    spans
}

fn resource_attributes(service: usize) -> Vec<KeyValue> {
    let s = &SERVICES[service];
    vec![
        kv("service.name", s.name),
        kv("service.version", s.version),
        kv("service.namespace", "acme-shop"),
        kv("deployment.environment.name", "production"),
        kv("host.name", "node-7.acme.internal"),
        kv_int("process.pid", s.pid),
        kv("process.runtime.name", s.runtime_name),
        kv("telemetry.sdk.language", s.language),
    ]
}

fn traces_message(spans: &[SpanRec]) -> TracesData {
    let resource_spans = (0..SERVICES.len())
        .filter(|&service| spans.iter().any(|s| s.service == service))
        .map(|service| trace_proto::ResourceSpans {
            resource: Some(Resource {
                attributes: resource_attributes(service),
                dropped_attributes_count: 0,
                entity_refs: Vec::new(),
            }),
            scope_spans: vec![trace_proto::ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: SERVICES[service].trace_scope.into(),
                    version: "2.11.0".into(),
                    attributes: Vec::new(),
                    dropped_attributes_count: 0,
                }),
                spans: spans
                    .iter()
                    .filter(|s| s.service == service)
                    .map(|s| trace_proto::Span {
                        trace_id: s.key.trace_id.to_vec(),
                        span_id: s.key.span_id.to_vec(),
                        trace_state: String::new(),
                        parent_span_id: s
                            .parent
                            .map(|p| spans[p as usize].key.span_id.to_vec())
                            .unwrap_or_default(),
                        name: s.name.clone(),
                        kind: s.kind,
                        start_time_unix_nano: s.start,
                        end_time_unix_nano: s.end,
                        attributes: s.attributes.clone(),
                        status: s.error.then(|| trace_proto::Status {
                            message: "upstream request timeout".into(),
                            code: 2,
                        }),
                        flags: 0x101,
                    })
                    .collect(),
                schema_url: "https://opentelemetry.io/schemas/1.37.0".into(),
            }],
            schema_url: String::new(),
        })
        .collect();
    TracesData { resource_spans }
}

// ------------------------------------------------------------------------------------------
// The generated data set

/// What the generator itself recorded while emitting observations.
#[derive(Debug, Clone, Default)]
struct Expected {
    /// Weight per stack-table index, per sample type.
    weights: Vec<Vec<i64>>,
    /// Weight per span, per sample type.
    link_weights: Vec<Vec<i64>>,
    observations: Vec<u64>,
    sample_messages: u64,
}

/// Sizes of what was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthStats {
    /// Observations per sample type, in [`Synth::sample_types`] order.
    pub observations: Vec<u64>,
    /// `Sample` messages over all profiles and windows.
    pub sample_messages: u64,
    /// Stack-table entries, the zero entry excluded (each is used by some sample).
    pub stacks: usize,
    /// Location-table entries, the zero entry excluded.
    pub locations: usize,
    /// Function-table entries, the zero entry excluded.
    pub functions: usize,
    /// String-table entries.
    pub strings: usize,
    /// Spans (each has a link-table entry).
    pub spans: usize,
    /// The deepest stack, in locations.
    pub max_stack_depth: usize,
}

/// A generated profile data set and its traces; see the [module docs](self).
pub struct Synth {
    opts: SynthOptions,
    /// Enabled sample types (indices into `SAMPLE_TYPES`), in profile order.
    types: Vec<usize>,
    program: Program,
    dictionary: ProfilesDictionary,
    spans: Vec<SpanRec>,
    traces: TracesData,
    expected: Expected,
}

/// Generate the data set `opts` describes. Observations are drawn once here to record the
/// expected totals, and drawn again, identically, whenever an encoding is written.
pub fn generate(opts: &SynthOptions) -> Synth {
    let mut rng = Rng::new(opts.seed);
    let mut program = Program::build(opts, &mut rng);
    let spans = generate_spans(opts, &mut rng);
    let types: Vec<usize> = (0..SAMPLE_TYPES.len())
        .filter(|&t| opts.counts()[t] > 0)
        .collect();
    for &t in &types {
        let st = &SAMPLE_TYPES[t];
        for s in [st.name, st.unit, st.period_name, st.period_unit] {
            program.dict.string(s);
        }
    }
    let d = &program.dict;
    let mut link_table = vec![Link {
        trace_id: vec![0; 16],
        span_id: vec![0; 8],
    }];
    link_table.extend(spans.iter().map(|s| Link {
        trace_id: s.key.trace_id.to_vec(),
        span_id: s.key.span_id.to_vec(),
    }));
    let dictionary = ProfilesDictionary {
        mapping_table: d.mappings.clone(),
        location_table: d.locations.clone(),
        function_table: d.functions.clone(),
        link_table,
        string_table: d.strings.clone(),
        attribute_table: d.attributes.clone(),
        stack_table: d.stacks.clone(),
    };
    let traces = traces_message(&spans);
    let mut synth = Synth {
        opts: opts.clone(),
        types,
        program,
        dictionary,
        spans,
        traces,
        expected: Expected::default(),
    };
    let n = synth.types.len();
    let mut expected = Expected {
        weights: vec![vec![0; synth.dictionary.stack_table.len()]; n],
        link_weights: vec![vec![0; synth.spans.len()]; n],
        observations: vec![0; n],
        sample_messages: 0,
    };
    for w in 0..synth.window_count() {
        synth.window(w, Some(&mut expected));
    }
    synth.expected = expected;
    synth
}

/// Samples of one profile being assembled, merged by identity.
#[derive(Default)]
struct ProfileAcc {
    index: HashMap<(i32, i32, i32), usize>,
    samples: Vec<Sample>,
}

/// One window's profiles (per service, per sample type) being assembled, and the totals
/// the generator records as it goes.
struct WindowAcc<'a> {
    types: &'a [usize],
    timestamps: bool,
    profiles: Vec<Vec<ProfileAcc>>,
    expected: Option<&'a mut Expected>,
}

impl WindowAcc<'_> {
    /// Add one observation: a value drawn for the sample type, merged into the Sample with
    /// the same stack, attribute and link.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        rng: &mut Rng,
        service: usize,
        tpos: usize,
        stack: i32,
        attr: i32,
        link: u32,
        time: u64,
    ) {
        let sample_type = self.types[tpos];
        let value = match sample_type {
            CPU => 1,
            WALL if rng.chance(0.2) => 10_000_000 * rng.range(2, 5) as i64,
            WALL => 10_000_000,
            _ => 1i64 << (4 + rng.below(17)),
        };
        let acc = &mut self.profiles[service][tpos];
        let next = acc.samples.len();
        let i = *acc.index.entry((stack, attr, link as i32)).or_insert(next);
        if i == next {
            acc.samples.push(Sample {
                stack_index: stack,
                attribute_indices: if attr > 0 { vec![attr] } else { Vec::new() },
                link_index: link as i32,
                values: Vec::new(),
                timestamps_unix_nano: Vec::new(),
            });
        }
        let sample = &mut acc.samples[i];
        if self.timestamps {
            // CPU samples are timestamps only (each counts 1); the others pair values.
            sample.timestamps_unix_nano.push(time);
            if sample_type != CPU {
                sample.values.push(value);
            }
        } else if let Some(v) = sample.values.first_mut() {
            *v += value;
        } else {
            sample.values.push(value);
        }
        if let Some(e) = self.expected.as_deref_mut() {
            e.weights[tpos][stack as usize] += value;
            if link > 0 {
                e.link_weights[tpos][link as usize - 1] += value;
            }
            e.observations[tpos] += 1;
        }
    }
}

fn resource_profiles(service: usize, profiles: Vec<Profile>) -> ResourceProfiles {
    ResourceProfiles {
        resource: Some(Resource {
            attributes: resource_attributes(service),
            dropped_attributes_count: 0,
            entity_refs: Vec::new(),
        }),
        scope_profiles: vec![ScopeProfiles {
            scope: Some(InstrumentationScope {
                name: "go.opentelemetry.io/ebpf-profiler".into(),
                version: "v0.0.202613".into(),
                attributes: Vec::new(),
                dropped_attributes_count: 0,
            }),
            profiles,
            schema_url: String::new(),
        }],
        schema_url: "https://opentelemetry.io/schemas/1.37.0".into(),
    }
}

impl Synth {
    /// The options this set was generated with.
    pub fn options(&self) -> &SynthOptions {
        &self.opts
    }

    /// The distinct sample types as `(type, unit)`, in the order a parser first meets them
    /// (the order of [`spanflame_core::ProfileSet::sample_types`]).
    pub fn sample_types(&self) -> Vec<(String, String)> {
        self.types
            .iter()
            .map(|&t| (SAMPLE_TYPES[t].name.into(), SAMPLE_TYPES[t].unit.into()))
            .collect()
    }

    /// Number of time windows, each a batch of `ResourceProfiles`.
    pub fn window_count(&self) -> u32 {
        self.opts.windows.max(1)
    }

    /// The shared dictionary.
    pub fn dictionary(&self) -> &ProfilesDictionary {
        &self.dictionary
    }

    /// The traces the samples link to.
    pub fn traces(&self) -> &TracesData {
        &self.traces
    }

    /// The whole profiles message (every window), built in memory.
    pub fn profiles(&self) -> ProfilesData {
        ProfilesData {
            resource_profiles: (0..self.window_count())
                .flat_map(|w| self.window(w, None))
                .collect(),
            dictionary: Some(self.dictionary.clone()),
        }
    }

    /// One window as a message of its own, with a copy of the dictionary: what one export of
    /// a collector would carry. Concatenate them for the file exporter's formats.
    pub fn window_message(&self, w: u32) -> ProfilesData {
        ProfilesData {
            resource_profiles: self.window(w, None),
            dictionary: Some(self.dictionary.clone()),
        }
    }

    /// Sizes of what was generated.
    pub fn stats(&self) -> SynthStats {
        let d = &self.dictionary;
        SynthStats {
            observations: self.expected.observations.clone(),
            sample_messages: self.expected.sample_messages,
            stacks: d.stack_table.len() - 1,
            locations: d.location_table.len() - 1,
            functions: d.function_table.len() - 1,
            strings: d.string_table.len(),
            spans: self.spans.len(),
            max_stack_depth: d
                .stack_table
                .iter()
                .map(|s| s.location_indices.len())
                .max()
                .unwrap_or(0),
        }
    }

    fn window_bounds(&self, w: u32) -> (u64, u64) {
        let n = u128::from(self.window_count());
        let d = u128::from(self.opts.duration_nano.max(1));
        let at = |i: u128| self.opts.start_unix_nano + (d * i / n) as u64;
        (
            at(u128::from(w)),
            at(u128::from(w) + 1).max(at(u128::from(w)) + 1),
        )
    }

    /// Spans running in `[lo, hi)` and, per sample type, the cumulative weights of their
    /// self time in it (scaled by [`Role::weight`]).
    fn span_candidates(&self, lo: u64, hi: u64) -> (Vec<u32>, Vec<Vec<u64>>) {
        let mut spans = Vec::new();
        let mut self_time = Vec::new();
        for (i, s) in self.spans.iter().enumerate() {
            if s.end > lo && s.start < hi {
                let t: u64 = s
                    .gaps
                    .iter()
                    .map(|&(a, b)| b.min(hi).saturating_sub(a.max(lo)))
                    .sum();
                if t > 0 {
                    spans.push(i as u32);
                    self_time.push(t);
                }
            }
        }
        let cdfs = self
            .types
            .iter()
            .map(|&t| {
                let mut acc = 0u64;
                spans
                    .iter()
                    .zip(&self_time)
                    .map(|(&s, &time)| {
                        acc += time * self.spans[s as usize].role.weight(t);
                        acc
                    })
                    .collect()
            })
            .collect();
        (spans, cdfs)
    }

    /// The `thread.name` attribute for a sample of `service` run by thread `group`.
    fn thread_attr(&self, service: usize, group: u16, rng: &mut Rng) -> i32 {
        let code = &self.program.code[service];
        let attrs = match group {
            0 => &code.worker_attrs,
            g => &code.background_attrs[g as usize - 1],
        };
        if attrs.is_empty() {
            0
        } else {
            *rng.pick(attrs)
        }
    }

    /// Draw window `w`'s observations (always the same ones) into `ResourceProfiles`, one
    /// per service, and add them to `expected` if given.
    fn window(&self, w: u32, expected: Option<&mut Expected>) -> Vec<ResourceProfiles> {
        let (lo, hi) = self.window_bounds(w);
        let mut rng = Rng::new(self.opts.seed ^ mix(0xC0FF_EE00_0000_0000 + u64::from(w)));
        let types = &self.types;
        let (cands, cdfs) = self.span_candidates(lo, hi);
        let windows = u64::from(self.window_count());
        let budgets: Vec<u64> = types
            .iter()
            .map(|&t| {
                let total = self.opts.counts()[t];
                total / windows + u64::from(u64::from(w) < total % windows)
            })
            .collect();
        let mut used = vec![0u64; types.len()];
        let mut acc = WindowAcc {
            types,
            timestamps: self.opts.timestamps,
            profiles: (0..SERVICES.len())
                .map(|_| types.iter().map(|_| ProfileAcc::default()).collect())
                .collect(),
            expected,
        };
        // The first window uses every pool stack once, so all of them appear.
        if w == 0 {
            let alloc = types.iter().position(|&t| t == ALLOC);
            for (service, pools) in self.program.pools.iter().enumerate() {
                for (c, pool) in pools.iter().enumerate() {
                    for &pick in pool {
                        let tpos = match alloc {
                            Some(a) if c == Cat::Alloc as usize => a,
                            _ => 0,
                        };
                        if used[tpos] < budgets[tpos] {
                            used[tpos] += 1;
                            let attr = self.thread_attr(service, pick.group, &mut rng);
                            let time = lo + rng.below(hi - lo);
                            acc.add(&mut rng, service, tpos, pick.stack, attr, 0, time);
                        }
                    }
                }
            }
        }
        let shares = Discrete::weighted(SERVICES.iter().map(|s| s.share));
        for (tpos, &t) in types.iter().enumerate() {
            let cdf = &cdfs[tpos];
            let total = cdf.last().copied().unwrap_or(0);
            for _ in used[tpos]..budgets[tpos] {
                if total > 0 && rng.chance(self.opts.linked_fraction) {
                    // A running span, then a stack that fits what the span does.
                    let x = rng.below(total);
                    let span_index = cands[cdf.partition_point(|&c| c <= x)];
                    let span = &self.spans[span_index as usize];
                    let cat = match (span.role, t) {
                        (_, ALLOC) => Cat::Alloc,
                        (Role::Request | Role::Compute, _) if rng.chance(0.12) => Cat::Alloc,
                        (Role::Request | Role::Compute, _) => Cat::Compute,
                        (Role::Db, _) => Cat::Db,
                        (Role::Cache, _) => Cat::Cache,
                        (Role::Rpc, _) => Cat::Rpc,
                    };
                    let time = time_in(&span.gaps, lo, hi, &mut rng);
                    let pick = self.program.pick(span.service, cat, &mut rng);
                    let workers = &self.program.code[span.service].worker_attrs;
                    let attr = workers.get(span.thread as usize).copied().unwrap_or(0);
                    let link = span_index + 1;
                    acc.add(&mut rng, span.service, tpos, pick.stack, attr, link, time);
                } else {
                    // Background work, or work outside any trace.
                    let service = shares.sample(&mut rng);
                    let cat = match t {
                        ALLOC => Cat::Alloc,
                        CPU if rng.chance(0.4) => Cat::Compute,
                        WALL if rng.chance(0.15) => Cat::Compute,
                        _ => Cat::Background,
                    };
                    let pick = self.program.pick(service, cat, &mut rng);
                    let attr = self.thread_attr(service, pick.group, &mut rng);
                    let time = lo + rng.below(hi - lo);
                    acc.add(&mut rng, service, tpos, pick.stack, attr, 0, time);
                }
            }
        }
        let mut messages = 0u64;
        let out = acc
            .profiles
            .into_iter()
            .enumerate()
            .map(|(service, profiles)| {
                let profiles = profiles
                    .into_iter()
                    .enumerate()
                    .map(|(tpos, p)| {
                        messages += p.samples.len() as u64;
                        self.profile(w, service, tpos, p.samples, (lo, hi))
                    })
                    .collect();
                resource_profiles(service, profiles)
            })
            .collect();
        if let Some(e) = acc.expected {
            e.sample_messages += messages;
        }
        out
    }

    fn profile(
        &self,
        w: u32,
        service: usize,
        tpos: usize,
        mut samples: Vec<Sample>,
        (lo, hi): (u64, u64),
    ) -> Profile {
        for s in &mut samples {
            if s.timestamps_unix_nano.len() > 1 {
                if s.values.is_empty() {
                    s.timestamps_unix_nano.sort_unstable();
                } else {
                    let mut pairs: Vec<(u64, i64)> = s
                        .timestamps_unix_nano
                        .iter()
                        .copied()
                        .zip(s.values.iter().copied())
                        .collect();
                    pairs.sort_unstable();
                    (s.timestamps_unix_nano, s.values) = pairs.into_iter().unzip();
                }
            }
        }
        let st = &SAMPLE_TYPES[self.types[tpos]];
        let strings = &self.program.dict.string_ids;
        let vt = |name: &str, unit: &str| ValueType {
            type_strindex: strings[name],
            unit_strindex: strings[unit],
        };
        let id_seed =
            mix(self.opts.seed ^ mix((u64::from(w) << 16) ^ ((service as u64) << 8) ^ tpos as u64));
        let mut profile_id = [0u8; 16];
        profile_id[..8].copy_from_slice(&id_seed.to_be_bytes());
        profile_id[8..].copy_from_slice(&mix(id_seed).max(1).to_be_bytes());
        Profile {
            sample_type: Some(vt(st.name, st.unit)),
            samples,
            time_unix_nano: lo,
            duration_nano: hi - lo,
            period_type: Some(vt(st.period_name, st.period_unit)),
            period: st.period,
            profile_id: profile_id.to_vec(),
            dropped_attributes_count: 0,
            original_payload_format: String::new(),
            original_payload: Vec::new(),
            attribute_indices: Vec::new(),
        }
    }

    // --- expected output

    /// Expected folded stacks of sample type `sample_type` (an index into
    /// [`Synth::sample_types`]): `(root;...;leaf, weight)`, merged by name and sorted, as
    /// [`spanflame_core::ProfileSet::folded`] gives them. Computed from the generator's own records.
    pub fn folded_pairs(&self, sample_type: usize) -> Vec<(String, i64)> {
        let mut out: BTreeMap<String, i64> = BTreeMap::new();
        let Some(weights) = self.expected.weights.get(sample_type) else {
            return Vec::new();
        };
        let d = &self.program.dict;
        for (stack, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let mut names: Vec<&str> = Vec::new();
            for &loc in d.stacks[stack].location_indices.iter().rev() {
                for &n in &d.location_names[loc as usize] {
                    names.push(&d.names[n as usize]);
                }
            }
            *out.entry(names.join(";")).or_default() += w;
        }
        out.into_iter().collect()
    }

    /// [`Synth::folded_pairs`] as text, one `stack weight` line each: the format flamegraph.pl,
    /// inferno and speedscope read.
    pub fn folded(&self, sample_type: usize) -> String {
        let mut out = String::new();
        for (stack, w) in self.folded_pairs(sample_type) {
            out.push_str(&stack);
            out.push(' ');
            out.push_str(&w.to_string());
            out.push('\n');
        }
        out
    }

    /// Expected total weight per linked span for a sample type (spans without samples left
    /// out).
    pub fn link_weights(&self, sample_type: usize) -> BTreeMap<SpanKey, i64> {
        let Some(weights) = self.expected.link_weights.get(sample_type) else {
            return BTreeMap::new();
        };
        weights
            .iter()
            .enumerate()
            .filter(|&(_, &w)| w != 0)
            .map(|(s, &w)| (self.spans[s].key, w))
            .collect()
    }

    // --- encodings

    /// The profiles as v1.10/v1.11 protobuf (`ProfilesData`), streamed window by window;
    /// byte-identical to encoding [`Synth::profiles`]. Returns the bytes written.
    pub fn write_profiles_binary(&self, out: &mut dyn Write) -> io::Result<u64> {
        let mut written = 0u64;
        let mut buf = Vec::new();
        for w in 0..self.window_count() {
            for rp in self.window(w, None) {
                buf.clear();
                prost::encoding::message::encode(1, &rp, &mut buf);
                out.write_all(&buf)?;
                written += buf.len() as u64;
            }
        }
        buf.clear();
        prost::encoding::message::encode(2, &self.dictionary, &mut buf);
        out.write_all(&buf)?;
        Ok(written + buf.len() as u64)
    }

    /// The profiles as v1.10/v1.11 protobuf.
    pub fn profiles_binary(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_profiles_binary(&mut out)
            .expect("writing to a Vec cannot fail");
        out
    }

    /// The profiles in the v1.9 wire layout (`Sample.values` = 2, `attribute_indices` = 3,
    /// `link_index` = 4), as the Python profiling extension still writes them.
    pub fn profiles_binary_v1_9(&self) -> Vec<u8> {
        to_legacy_v1_9(self.profiles()).encode_to_vec()
    }

    /// The profiles in the v1.8 wire layout (v1.9 samples, and `Profile` fields 7..11 one
    /// number higher for `comment_strindices`).
    pub fn profiles_binary_v1_8(&self) -> Vec<u8> {
        to_legacy_v1_8(self.profiles()).encode_to_vec()
    }

    /// The profiles as OTLP/JSON: lowerCamelCase keys, 64-bit integers as strings, trace,
    /// span and profile ids in hex, default values left out. One table entry or sample per
    /// line, so the text is not mistaken for JSON Lines.
    pub fn write_profiles_json(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut buf = String::from("{\"resourceProfiles\":[");
        let mut first = true;
        for w in 0..self.window_count() {
            for rp in self.window(w, None) {
                if !first {
                    buf.push(',');
                }
                first = false;
                buf.push('\n');
                json::resource_profiles(&mut buf, &rp, "\n");
                out.write_all(buf.as_bytes())?;
                buf.clear();
            }
        }
        buf.push_str("],\n\"dictionary\":");
        json::dictionary(&mut buf, &self.dictionary, "\n");
        buf.push_str("}\n");
        out.write_all(buf.as_bytes())
    }

    /// [`Synth::write_profiles_json`] into a string.
    pub fn profiles_json(&self) -> String {
        let mut out = Vec::new();
        self.write_profiles_json(&mut out)
            .expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("the JSON writer writes UTF-8")
    }

    /// The profiles as JSON Lines: one compact [`Synth::window_message`] per line, as the
    /// collector's file exporter writes them.
    pub fn profiles_json_lines(&self) -> String {
        let mut out = String::new();
        for w in 0..self.window_count() {
            json::profiles_data(&mut out, &self.window_message(w), "");
            out.push('\n');
        }
        out
    }

    /// The traces as protobuf (`TracesData`).
    pub fn traces_binary(&self) -> Vec<u8> {
        self.traces.encode_to_vec()
    }

    /// The traces as OTLP/JSON (enums as numbers, ids in hex).
    pub fn traces_json(&self) -> String {
        let mut out = String::new();
        json::traces_data(&mut out, &self.traces, "\n");
        out.push('\n');
        out
    }
}

/// A uniform time in the parts of `gaps` inside `[lo, hi)`.
fn time_in(gaps: &[(u64, u64)], lo: u64, hi: u64, rng: &mut Rng) -> u64 {
    let clipped = gaps
        .iter()
        .map(|&(a, b)| (a.max(lo), b.min(hi)))
        .filter(|(a, b)| b > a);
    let total: u64 = clipped.clone().map(|(a, b)| b - a).sum();
    let mut x = rng.below(total.max(1));
    for (a, b) in clipped {
        if x < b - a {
            return a + x;
        }
        x -= b - a;
    }
    lo
}

fn to_legacy_samples(samples: Vec<Sample>) -> Vec<legacy::SampleV19> {
    samples
        .into_iter()
        .map(|s| legacy::SampleV19 {
            stack_index: s.stack_index,
            values: s.values,
            attribute_indices: s.attribute_indices,
            link_index: s.link_index,
            timestamps_unix_nano: s.timestamps_unix_nano,
        })
        .collect()
}

fn to_legacy_v1_9(data: ProfilesData) -> legacy::ProfilesDataV19 {
    legacy::ProfilesDataV19 {
        dictionary: data.dictionary,
        resource_profiles: data
            .resource_profiles
            .into_iter()
            .map(|rp| legacy::ResourceProfilesV19 {
                resource: rp.resource,
                schema_url: rp.schema_url,
                scope_profiles: rp
                    .scope_profiles
                    .into_iter()
                    .map(|sp| legacy::ScopeProfilesV19 {
                        scope: sp.scope,
                        schema_url: sp.schema_url,
                        profiles: sp
                            .profiles
                            .into_iter()
                            .map(|p| legacy::ProfileV19 {
                                sample_type: p.sample_type,
                                samples: to_legacy_samples(p.samples),
                                time_unix_nano: p.time_unix_nano,
                                duration_nano: p.duration_nano,
                                period_type: p.period_type,
                                period: p.period,
                                profile_id: p.profile_id,
                                dropped_attributes_count: p.dropped_attributes_count,
                                original_payload_format: p.original_payload_format,
                                original_payload: p.original_payload,
                                attribute_indices: p.attribute_indices,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn to_legacy_v1_8(data: ProfilesData) -> legacy::ProfilesDataV18 {
    legacy::ProfilesDataV18 {
        dictionary: data.dictionary,
        resource_profiles: data
            .resource_profiles
            .into_iter()
            .map(|rp| legacy::ResourceProfilesV18 {
                resource: rp.resource,
                schema_url: rp.schema_url,
                scope_profiles: rp
                    .scope_profiles
                    .into_iter()
                    .map(|sp| legacy::ScopeProfilesV18 {
                        scope: sp.scope,
                        schema_url: sp.schema_url,
                        profiles: sp
                            .profiles
                            .into_iter()
                            .map(|p| legacy::ProfileV18 {
                                sample_type: p.sample_type,
                                samples: to_legacy_samples(p.samples),
                                time_unix_nano: p.time_unix_nano,
                                duration_nano: p.duration_nano,
                                period_type: p.period_type,
                                period: p.period,
                                comment_strindices: Vec::new(),
                                profile_id: p.profile_id,
                                dropped_attributes_count: p.dropped_attributes_count,
                                original_payload_format: p.original_payload_format,
                                original_payload: p.original_payload,
                                attribute_indices: p.attribute_indices,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

// ------------------------------------------------------------------------------------------
// OTLP/JSON writer

/// Writes the prost messages as OTLP/JSON. Every message is destructured field by field, so
/// a field added to the proto is a compile error here rather than silently left out.
mod json {
    use std::fmt::Write as _;

    use super::*;
    use opentelemetry_proto::tonic::common::v1::{ArrayValue, EntityRef, KeyValueList};

    /// A JSON string literal.
    pub(super) fn string(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    /// An object being written; fields at their default value are skipped.
    struct Obj<'a> {
        out: &'a mut String,
        empty: bool,
    }

    impl<'a> Obj<'a> {
        fn new(out: &'a mut String) -> Obj<'a> {
            out.push('{');
            Obj { out, empty: true }
        }

        fn key(&mut self, key: &str) -> &mut String {
            if !self.empty {
                self.out.push(',');
            }
            self.empty = false;
            self.out.push('"');
            self.out.push_str(key);
            self.out.push_str("\":");
            self.out
        }

        /// int32 and uint32: JSON numbers.
        fn int(&mut self, key: &str, v: impl Into<i64>) {
            let v = v.into();
            if v != 0 {
                let _ = write!(self.key(key), "{v}");
            }
        }

        /// int64, uint64 and fixed64: decimal strings.
        fn long(&mut self, key: &str, v: impl Into<i128>) {
            let v = v.into();
            if v != 0 {
                let _ = write!(self.key(key), "\"{v}\"");
            }
        }

        fn str(&mut self, key: &str, v: &str) {
            if !v.is_empty() {
                string(self.key(key), v);
            }
        }

        /// Trace, span and profile ids: hex.
        fn id(&mut self, key: &str, v: &[u8]) {
            if !v.is_empty() {
                let _ = write!(self.key(key), "\"{}\"", hex(v));
            }
        }

        fn bytes(&mut self, key: &str, v: &[u8]) {
            if !v.is_empty() {
                let b64 = base64::engine::general_purpose::STANDARD.encode(v);
                let _ = write!(self.key(key), "\"{b64}\"");
            }
        }

        fn ints(&mut self, key: &str, v: &[i32]) {
            if !v.is_empty() {
                list(self.key(key), v, "", |out, i| {
                    let _ = write!(out, "{i}");
                });
            }
        }

        fn longs<T: Copy + Into<i128>>(&mut self, key: &str, v: &[T]) {
            if !v.is_empty() {
                list(self.key(key), v, "", |out, &i| {
                    let _ = write!(out, "\"{}\"", i.into());
                });
            }
        }

        fn list<T>(&mut self, key: &str, v: &[T], nl: &str, item: impl FnMut(&mut String, &T)) {
            if !v.is_empty() {
                list(self.key(key), v, nl, item);
            }
        }

        fn end(self) {
            self.out.push('}');
        }
    }

    fn list<T>(out: &mut String, items: &[T], nl: &str, mut item: impl FnMut(&mut String, &T)) {
        out.push('[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(nl);
            item(out, x);
        }
        out.push(']');
    }

    fn any_value(out: &mut String, v: &AnyValue) {
        let AnyValue { value } = v;
        let mut o = Obj::new(out);
        match value {
            None => {}
            // A oneof member is written even at its default value.
            Some(Value::StringValue(s)) => string(o.key("stringValue"), s),
            Some(Value::BoolValue(b)) => {
                let _ = write!(o.key("boolValue"), "{b}");
            }
            Some(Value::IntValue(i)) => {
                let _ = write!(o.key("intValue"), "\"{i}\"");
            }
            Some(Value::DoubleValue(d)) => {
                let out = o.key("doubleValue");
                if d.is_finite() {
                    let _ = write!(out, "{d:?}");
                } else if d.is_nan() {
                    out.push_str("\"NaN\"");
                } else if *d > 0.0 {
                    out.push_str("\"Infinity\"");
                } else {
                    out.push_str("\"-Infinity\"");
                }
            }
            Some(Value::ArrayValue(ArrayValue { values })) => {
                let mut a = Obj::new(o.key("arrayValue"));
                a.list("values", values, "", any_value);
                a.end();
            }
            Some(Value::KvlistValue(KeyValueList { values })) => {
                let mut a = Obj::new(o.key("kvlistValue"));
                a.list("values", values, "", key_value);
                a.end();
            }
            Some(Value::BytesValue(b)) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(b);
                let _ = write!(o.key("bytesValue"), "\"{b64}\"");
            }
            Some(Value::StringValueStrindex(i)) => {
                let _ = write!(o.key("stringValueStrindex"), "{i}");
            }
        }
        o.end();
    }

    fn key_value(out: &mut String, kv: &KeyValue) {
        let KeyValue {
            key,
            value,
            key_strindex,
        } = kv;
        let mut o = Obj::new(out);
        o.str("key", key);
        if let Some(v) = value {
            any_value(o.key("value"), v);
        }
        o.int("keyStrindex", *key_strindex);
        o.end();
    }

    fn resource(out: &mut String, r: &Resource) {
        let Resource {
            attributes,
            dropped_attributes_count,
            entity_refs,
        } = r;
        let mut o = Obj::new(out);
        o.list("attributes", attributes, "", key_value);
        o.int("droppedAttributesCount", *dropped_attributes_count);
        o.list("entityRefs", entity_refs, "", |out, e| {
            let EntityRef {
                schema_url,
                r#type,
                id_keys,
                description_keys,
            } = e;
            let mut o = Obj::new(out);
            o.str("schemaUrl", schema_url);
            o.str("type", r#type);
            o.list("idKeys", id_keys, "", |out, k| string(out, k));
            o.list("descriptionKeys", description_keys, "", |out, k| {
                string(out, k)
            });
            o.end();
        });
        o.end();
    }

    fn scope(out: &mut String, s: &InstrumentationScope) {
        let InstrumentationScope {
            name,
            version,
            attributes,
            dropped_attributes_count,
        } = s;
        let mut o = Obj::new(out);
        o.str("name", name);
        o.str("version", version);
        o.list("attributes", attributes, "", key_value);
        o.int("droppedAttributesCount", *dropped_attributes_count);
        o.end();
    }

    fn value_type(out: &mut String, v: &ValueType) {
        let ValueType {
            type_strindex,
            unit_strindex,
        } = v;
        let mut o = Obj::new(out);
        o.int("typeStrindex", *type_strindex);
        o.int("unitStrindex", *unit_strindex);
        o.end();
    }

    fn sample(out: &mut String, s: &Sample) {
        let Sample {
            stack_index,
            attribute_indices,
            link_index,
            values,
            timestamps_unix_nano,
        } = s;
        let mut o = Obj::new(out);
        o.int("stackIndex", *stack_index);
        o.ints("attributeIndices", attribute_indices);
        o.int("linkIndex", *link_index);
        o.longs("values", values);
        o.longs("timestampsUnixNano", timestamps_unix_nano);
        o.end();
    }

    fn profile(out: &mut String, p: &Profile, nl: &str) {
        let Profile {
            sample_type,
            samples,
            time_unix_nano,
            duration_nano,
            period_type,
            period,
            profile_id,
            dropped_attributes_count,
            original_payload_format,
            original_payload,
            attribute_indices,
        } = p;
        let mut o = Obj::new(out);
        if let Some(v) = sample_type {
            value_type(o.key("sampleType"), v);
        }
        o.list("samples", samples, nl, sample);
        o.long("timeUnixNano", *time_unix_nano);
        o.long("durationNano", *duration_nano);
        if let Some(v) = period_type {
            value_type(o.key("periodType"), v);
        }
        o.long("period", *period);
        o.id("profileId", profile_id);
        o.int("droppedAttributesCount", *dropped_attributes_count);
        o.str("originalPayloadFormat", original_payload_format);
        o.bytes("originalPayload", original_payload);
        o.ints("attributeIndices", attribute_indices);
        o.end();
    }

    pub(super) fn resource_profiles(out: &mut String, rp: &ResourceProfiles, nl: &str) {
        let ResourceProfiles {
            resource: res,
            scope_profiles,
            schema_url,
        } = rp;
        let mut o = Obj::new(out);
        if let Some(r) = res {
            resource(o.key("resource"), r);
        }
        o.list("scopeProfiles", scope_profiles, "", |out, sp| {
            let ScopeProfiles {
                scope: sc,
                profiles,
                schema_url,
            } = sp;
            let mut o = Obj::new(out);
            if let Some(s) = sc {
                scope(o.key("scope"), s);
            }
            o.list("profiles", profiles, nl, |out, p| profile(out, p, nl));
            o.str("schemaUrl", schema_url);
            o.end();
        });
        o.str("schemaUrl", schema_url);
        o.end();
    }

    pub(super) fn dictionary(out: &mut String, d: &ProfilesDictionary, nl: &str) {
        let ProfilesDictionary {
            mapping_table,
            location_table,
            function_table,
            link_table,
            string_table,
            attribute_table,
            stack_table,
        } = d;
        let mut o = Obj::new(out);
        o.list("mappingTable", mapping_table, nl, |out, m| {
            let Mapping {
                memory_start,
                memory_limit,
                file_offset,
                filename_strindex,
                attribute_indices,
            } = m;
            let mut o = Obj::new(out);
            o.long("memoryStart", *memory_start);
            o.long("memoryLimit", *memory_limit);
            o.long("fileOffset", *file_offset);
            o.int("filenameStrindex", *filename_strindex);
            o.ints("attributeIndices", attribute_indices);
            o.end();
        });
        o.list("locationTable", location_table, nl, |out, l| {
            let Location {
                mapping_index,
                address,
                lines,
                attribute_indices,
            } = l;
            let mut o = Obj::new(out);
            o.int("mappingIndex", *mapping_index);
            o.long("address", *address);
            o.list("lines", lines, "", |out, line| {
                let Line {
                    function_index,
                    line,
                    column,
                } = line;
                let mut o = Obj::new(out);
                o.int("functionIndex", *function_index);
                o.long("line", *line);
                o.long("column", *column);
                o.end();
            });
            o.ints("attributeIndices", attribute_indices);
            o.end();
        });
        o.list("functionTable", function_table, nl, |out, f| {
            let Function {
                name_strindex,
                system_name_strindex,
                filename_strindex,
                start_line,
            } = f;
            let mut o = Obj::new(out);
            o.int("nameStrindex", *name_strindex);
            o.int("systemNameStrindex", *system_name_strindex);
            o.int("filenameStrindex", *filename_strindex);
            o.long("startLine", *start_line);
            o.end();
        });
        o.list("linkTable", link_table, nl, |out, l| {
            let Link { trace_id, span_id } = l;
            let mut o = Obj::new(out);
            o.id("traceId", trace_id);
            o.id("spanId", span_id);
            o.end();
        });
        o.list("stringTable", string_table, nl, |out, s| string(out, s));
        o.list("attributeTable", attribute_table, nl, |out, a| {
            let KeyValueAndUnit {
                key_strindex,
                value,
                unit_strindex,
            } = a;
            let mut o = Obj::new(out);
            o.int("keyStrindex", *key_strindex);
            if let Some(v) = value {
                any_value(o.key("value"), v);
            }
            o.int("unitStrindex", *unit_strindex);
            o.end();
        });
        o.list("stackTable", stack_table, nl, |out, s| {
            let Stack { location_indices } = s;
            let mut o = Obj::new(out);
            o.ints("locationIndices", location_indices);
            o.end();
        });
        o.end();
    }

    pub(super) fn profiles_data(out: &mut String, data: &ProfilesData, nl: &str) {
        let ProfilesData {
            resource_profiles: rps,
            dictionary: dict,
        } = data;
        let mut o = Obj::new(out);
        o.list("resourceProfiles", rps, nl, |out, rp| {
            resource_profiles(out, rp, nl)
        });
        if let Some(d) = dict {
            dictionary(o.key("dictionary"), d, nl);
        }
        o.end();
    }

    fn span(out: &mut String, s: &trace_proto::Span) {
        let trace_proto::Span {
            trace_id,
            span_id,
            trace_state,
            parent_span_id,
            name,
            kind,
            start_time_unix_nano,
            end_time_unix_nano,
            attributes,
            status,
            flags,
        } = s;
        let mut o = Obj::new(out);
        o.id("traceId", trace_id);
        o.id("spanId", span_id);
        o.str("traceState", trace_state);
        o.id("parentSpanId", parent_span_id);
        o.int("flags", *flags);
        o.str("name", name);
        o.int("kind", *kind);
        o.long("startTimeUnixNano", *start_time_unix_nano);
        o.long("endTimeUnixNano", *end_time_unix_nano);
        o.list("attributes", attributes, "", key_value);
        if let Some(trace_proto::Status { message, code }) = status {
            let mut st = Obj::new(o.key("status"));
            st.str("message", message);
            st.int("code", *code);
            st.end();
        }
        o.end();
    }

    pub(super) fn traces_data(out: &mut String, data: &TracesData, nl: &str) {
        let TracesData { resource_spans } = data;
        let mut o = Obj::new(out);
        o.list("resourceSpans", resource_spans, nl, |out, rs| {
            let trace_proto::ResourceSpans {
                resource: res,
                scope_spans,
                schema_url,
            } = rs;
            let mut o = Obj::new(out);
            if let Some(r) = res {
                resource(o.key("resource"), r);
            }
            o.list("scopeSpans", scope_spans, "", |out, ss| {
                let trace_proto::ScopeSpans {
                    scope: sc,
                    spans,
                    schema_url,
                } = ss;
                let mut o = Obj::new(out);
                if let Some(s) = sc {
                    scope(o.key("scope"), s);
                }
                o.list("spans", spans, nl, span);
                o.str("schemaUrl", schema_url);
                o.end();
            });
            o.str("schemaUrl", schema_url);
            o.end();
        });
        o.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(seed: u64) -> SynthOptions {
        SynthOptions {
            seed,
            samples: 3_000,
            wall_samples: 800,
            alloc_samples: 400,
            distinct_stacks: 300,
            spans: 60,
            ..SynthOptions::size(Size::S)
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        let a = generate(&small(7));
        let b = generate(&small(7));
        assert_eq!(a.profiles_binary(), b.profiles_binary());
        assert_eq!(a.traces_binary(), b.traces_binary());
        assert_ne!(a.profiles_binary(), generate(&small(8)).profiles_binary());
    }

    #[test]
    fn streamed_binary_equals_prost_encoding() {
        let s = generate(&SynthOptions {
            windows: 3,
            ..small(3)
        });
        assert_eq!(s.profiles_binary(), s.profiles().encode_to_vec());
    }

    #[test]
    fn counts_and_zero_entries() {
        let s = generate(&small(11));
        let stats = s.stats();
        assert_eq!(stats.observations, vec![3_000, 800, 400]);
        assert_eq!(stats.spans, 60);
        let d = s.dictionary();
        assert_eq!(d.string_table[0], "");
        assert_eq!(d.function_table[0], Function::default());
        assert_eq!(d.location_table[0], Location::default());
        assert_eq!(d.mapping_table[0], Mapping::default());
        assert_eq!(d.stack_table[0], Stack::default());
        assert_eq!(d.attribute_table[0], KeyValueAndUnit::default());
        assert!(d.link_table[0].trace_id.iter().all(|&b| b == 0));
        let weight: i64 = s.folded_pairs(0).iter().map(|(_, w)| w).sum();
        assert_eq!(weight, 3_000);
        assert!(stats.max_stack_depth <= 120);
    }

    #[test]
    fn names_and_kinds_are_realistic() {
        let s = generate(&small(5));
        let folded = s.folded(0);
        for name in [
            "com.acme.checkout.CartService.addItem",
            "myapp.handlers.orders:create_order",
            "do_syscall_64",
            "libcrypto.so.3+0x",
        ] {
            assert!(folded.contains(name), "{name} missing");
        }
        assert!(s.folded(2).contains("runtime.mallocgc"));
        let types: HashSet<String> = s
            .dictionary()
            .attribute_table
            .iter()
            .filter_map(|a| match a.value.as_ref()?.value.as_ref()? {
                Value::StringValue(v)
                    if s.dictionary().string_table[a.key_strindex as usize]
                        == "profile.frame.type" =>
                {
                    Some(v.clone())
                }
                _ => None,
            })
            .collect();
        for t in ["jvm", "cpython", "native", "kernel"] {
            assert!(types.contains(t), "{t}");
        }
    }
}
