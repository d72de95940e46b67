//! A seeded generator of realistic, large OTLP profiles and the traces their samples link to,
//! for tests, benchmarks and demos (`spanflame gen`). Enabled by the `synth` cargo feature.
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

use crate::formats::otlp::legacy;
use crate::formats::otlp::trace_proto::{self, TracesData};
use crate::model::{SpanKey, hex};

// ------------------------------------------------------------------------------------------
// Options

/// Preset sizes for [`SynthOptions::size`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 10 000 CPU samples, about 1 000 distinct stacks, 200 spans: unit tests and demos.
    S,
    /// 1 000 000 CPU samples, about 50 000 distinct stacks, 2 000 spans: benchmarks.
    M,
    /// About 1 GB of OTLP binary (some 115 million observations in 60 windows of 10 s): stress
    /// tests. Generating it takes minutes and about 1 GB of memory; it is over the default
    /// [`crate::Limits`].
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
                samples: 75_000_000,
                wall_samples: 30_000_000,
                alloc_samples: 10_000_000,
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

/// Zipf's law over `0..n`: item `k` has weight `1 / (k + 1)^s`.
#[derive(Debug, Clone, Default)]
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut acc = 0.0;
        let cdf = (0..n)
            .map(|k| {
                acc += 1.0 / ((k + 1) as f64).powf(s);
                acc
            })
            .collect();
        Zipf { cdf }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cdf.last().expect("Zipf over an empty range");
        let u = rng.unit() * total;
        self.cdf.partition_point(|&c| c <= u).min(self.cdf.len() - 1)
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
        vec!["j:java.math.BigDecimal.add", "j:java.math.BigDecimal.valueOf"],
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
    let rpc = vec![
        cat(&[
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
        ]),
    ];
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
        vec!["n:python3.12!PyObject_Malloc", "n:python3.12!pymalloc_alloc"],
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
        cat(&[
            &[
                "g:net/http/httputil.(*ReverseProxy).ServeHTTP",
                "g:net/http.(*Transport).RoundTrip",
                "g:net/http.(*Transport).roundTrip",
                "g:net/http.(*persistConn).roundTrip",
                "g:runtime.selectgo",
                "g:runtime.gopark",
            ],
        ]),
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
            suffixes: vec![cat(&[&["g:runtime.usleep"], &K_SLEEP[..2], &[
                "k:__x64_sys_nanosleep",
                "k:hrtimer_nanosleep",
                "k:do_nanosleep",
                "k:schedule",
            ]])],
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
        Runtime::Jvm => (1..=16).map(|i| format!("http-nio-8080-exec-{i}")).collect(),
        Runtime::Python => (0..8).map(|i| format!("ThreadPoolExecutor-0_{i}")).collect(),
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
    "Cart", "Item", "Price", "Discount", "Order", "Line", "Customer", "Address", "Rule", "Tax",
    "Stock", "Payment", "Session", "Token", "Currency", "Promotion", "Coupon", "Shipment",
    "Invoice", "Product",
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
    "add", "get", "find", "load", "compute", "apply", "validate", "build", "resolve", "update",
    "check", "merge", "convert", "fetch", "create", "save", "handle", "normalize", "enrich",
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

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
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
                format!("p:myapp.{}.{module}:{noun}{role}.{f}", rng.pick(PY_PACKAGES))
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
    handlers: usize,
    handler_zipf: Zipf,
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
                    (steps[i].func, self.line_of(steps[i].func, next, steps[i].variant))
                })
                .collect();
            let expected = lines
                .iter()
                .map(|&(f, _)| self.funcs[f as usize].name.clone())
                .collect();
            let (mapping, address) = match (kind, lib) {
                (FrameKind::Native, Some(lib)) => {
                    let (mapping, start, _, _) = self.mapping(service, &lib);
                    let h = lines
                        .iter()
                        .fold(0u64, |h, &(f, l)| mix(h ^ (u64::from(f) << 20) ^ u64::from(l)));
                    (mapping, start + 0x1000 + (h % 0x3f_0000) * 4)
                }
                (FrameKind::Kernel, _) => {
                    let h = name_hash(&[&self.funcs[lines[0].0 as usize].name]);
                    (0, 0xffff_ffff_8100_0000 + (h % 0x0100_0000) + u64::from(lines[0].1))
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
