//! A small profile in the shape the OpenTelemetry eBPF profiler writes (OTLP v1.10/v1.11),
//! built from its documented output rather than recorded: the agent needs a privileged
//! kernel eBPF, which the test machines do not have. See
//! `core/tests/fixtures/otlp/ebpf-shape/README.md` for what is modelled.
//!
//! The shape:
//!
//! * one `ResourceProfiles` per process, with `process.pid`, `process.executable.name`,
//!   `process.executable.path`, `container.id`, and `service.name` only where an APM agent
//!   would give one;
//! * a CPU profile `samples`/`count` with period type `cpu`/`nanoseconds` at 20 Hz, each
//!   Sample carrying timestamps and no values; an off-CPU profile `off_cpu`/`nanoseconds`
//!   with values paired with timestamps;
//! * `profile.frame.type` on every location; kernel, interpreted and Go frames symbolised
//!   by the agent (a Line), native frames left to the backend (a mapping and an address),
//!   the mappings carrying `process.executable.build_id.gnu`/`.go`/`.htlhash`;
//! * sample attributes `thread.name`, `thread.id`, `cpu.logical_number` and
//!   `process.context.label.<key>`; trace links in the link table.
//!
//! The generator also writes down what it emitted ([`EbpfFixture::expected`]), counted as it
//! goes and never by reading the encoding back.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use opentelemetry_proto::tonic::common::v1::{
    AnyValue, InstrumentationScope, KeyValue, any_value::Value,
};
use opentelemetry_proto::tonic::profiles::v1development::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use opentelemetry_proto::tonic::resource::v1::Resource;

/// The generated profile and what the generator says is in it.
pub struct EbpfFixture {
    /// The profile.
    pub data: ProfilesData,
    /// Tab-separated facts, one a line, keyed by their first field (see the README).
    pub expected: String,
}

/// Collection start of every profile, UTC nanoseconds (2026-01-05T10:00:00Z).
const T0: u64 = 1_767_607_200_000_000_000;
/// 20 Hz, the agent's default sampling frequency.
const PERIOD_NS: i64 = 50_000_000;
const DURATION_NS: u64 = 5_000_000_000;

/// One frame as the agent would report it, root to leaf order in [`Proc::stacks`].
#[derive(Clone, Copy)]
enum F {
    /// Symbolised by the agent: frame type, function, file, line.
    Sym(&'static str, &'static str, &'static str, i64),
    /// Unsymbolised native code: the process's mapping index (into [`Proc::mappings`])
    /// and the offset into that file.
    Raw(usize, u64),
    /// An agent marker without code, such as `abort-marker`.
    Marker(&'static str),
}

/// A mapped binary of one process.
struct Map {
    path: &'static str,
    start: u64,
    size: u64,
    file_offset: u64,
    build_ids: &'static [(&'static str, &'static str)],
}

/// A thread: name, id, and the samples it took, as (stack, cpu, link, count) for CPU and
/// (stack, link, blocked ns per observation) for off-CPU.
struct Thread {
    name: &'static str,
    tid: i64,
    cpu: Vec<(usize, i64, usize, u32)>,
    off_cpu: Vec<(usize, usize, Vec<i64>)>,
    labels: &'static [(&'static str, &'static str)],
}

struct Proc {
    pid: i64,
    exe: &'static str,
    path: &'static str,
    container: &'static str,
    service: Option<&'static str>,
    mappings: Vec<Map>,
    stacks: Vec<Vec<F>>,
    threads: Vec<Thread>,
}

const LIBC: &str = "/usr/lib/x86_64-linux-gnu/libc.so.6";
const LIBC_IDS: &[(&str, &str)] = &[
    ("gnu", "a43bfc8428df6623cd498c9c0caeb91aec9be4f9"),
    ("htlhash", "6c1c3bd04c1ab4b3c2a1b4bbd8a93e77"),
];

/// Links by index into this table (0 = none), as (trace id, span id) hex.
const LINKS: [(&str, &str); 4] = [
    ("", ""),
    ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"),
    ("4bf92f3577b34da6a3ce929d0e0e4736", "53995c3f42cd8ad8"),
    ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"),
];

fn processes() -> Vec<Proc> {
    use F::*;
    // The JVM comes first and its off-CPU profile before its CPU one, so the first sample
    // type seen is off_cpu and only `pprof.scope.default_sample_type` makes CPU the default.
    let jvm = Proc {
        pid: 6001,
        exe: "java",
        path: "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
        container: "9d3c1f6ab2e847d0a5c4f1e2b3a49c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b",
        service: Some("checkout"),
        mappings: vec![
            Map {
                path: "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so",
                start: 0x7f2e_4c60_0000,
                size: 0x0100_0000,
                file_offset: 0x0020_0000,
                build_ids: &[("gnu", "2d8e9b1f0c3a4e5d6f7081928374655647382910")],
            },
            Map {
                path: LIBC,
                start: 0x7f2e_5a02_8000,
                size: 0x0019_5000,
                file_offset: 0x28000,
                build_ids: LIBC_IDS,
            },
        ],
        stacks: vec![
            // 0: on CPU in a request handler.
            vec![
                Raw(1, 0x94ac3),
                Raw(0, 0x00a1_2f40),
                Sym("jvm", "java.lang.Thread.run", "Thread.java", 833),
                Sym(
                    "jvm",
                    "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run",
                    "TaskThread.java",
                    61,
                ),
                Sym(
                    "jvm",
                    "com.acme.checkout.CartService.addItem",
                    "CartService.java",
                    57,
                ),
                Sym("jvm", "java.util.HashMap.get", "HashMap.java", 556),
            ],
            // 1: copying an array, down into libc's memmove (no symbols).
            vec![
                Raw(1, 0x94ac3),
                Raw(0, 0x00a1_2f40),
                Sym("jvm", "java.lang.Thread.run", "Thread.java", 833),
                Sym(
                    "jvm",
                    "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run",
                    "TaskThread.java",
                    61,
                ),
                Sym(
                    "jvm",
                    "com.acme.checkout.CartService.addItem",
                    "CartService.java",
                    60,
                ),
                Sym("jvm", "java.util.Arrays.copyOf", "Arrays.java", 3513),
                Raw(0, 0x0065_3a10),
                Raw(1, 0x1a2b30),
            ],
            // 2: the JIT compiler thread, all native.
            vec![
                Raw(1, 0x94ac3),
                Raw(0, 0x00a1_2f40),
                Raw(0, 0x0031_0c88),
                Raw(0, 0x0044_be12),
            ],
            // 3: off CPU, waiting for PostgreSQL.
            vec![
                Raw(1, 0x94ac3),
                Raw(0, 0x00a1_2f40),
                Sym("jvm", "java.lang.Thread.run", "Thread.java", 833),
                Sym(
                    "jvm",
                    "com.acme.checkout.CartService.addItem",
                    "CartService.java",
                    64,
                ),
                Sym(
                    "jvm",
                    "org.postgresql.core.PGStream.receiveChar",
                    "PGStream.java",
                    467,
                ),
                Raw(1, 0x11e9a0),
                Sym("kernel", "entry_SYSCALL_64_after_hwframe", "", 0),
                Sym("kernel", "__x64_sys_recvfrom", "", 0),
                Sym("kernel", "schedule", "", 0),
            ],
        ],
        threads: vec![
            Thread {
                name: "http-nio-8080-exec-1",
                tid: 6042,
                cpu: vec![(0, 2, 1, 7), (0, 3, 0, 4), (1, 2, 2, 5)],
                off_cpu: vec![
                    (3, 1, vec![12_500_000, 3_100_000, 48_000_000]),
                    (3, 0, vec![900_000, 2_000_000]),
                ],
                labels: &[],
            },
            Thread {
                name: "C2 CompilerThread0",
                tid: 6017,
                cpu: vec![(2, 1, 0, 6)],
                off_cpu: vec![],
                labels: &[],
            },
        ],
    };
    let python = Proc {
        pid: 4211,
        exe: "python3.11",
        path: "/usr/bin/python3.11",
        container: "c0ffee5e1b6d4f7a8b9c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c",
        service: Some("orders"),
        mappings: vec![
            Map {
                path: "/usr/bin/python3.11",
                start: 0x5581_2a40_0000,
                size: 0x0030_0000,
                file_offset: 0x0006_c000,
                build_ids: &[("gnu", "f1e2d3c4b5a697887766554433221100ffeeddcc")],
            },
            Map {
                path: LIBC,
                start: 0x7f91_0c42_8000,
                size: 0x0019_5000,
                file_offset: 0x28000,
                build_ids: LIBC_IDS,
            },
        ],
        stacks: vec![
            // 0: encoding a response.
            vec![
                Raw(1, 0x29d90),
                Raw(0, 0x0025_8f31),
                Sym("cpython", "<module>", "/srv/app/main.py", 12),
                Sym("cpython", "serve", "/srv/app/server.py", 40),
                Sym("cpython", "handle_order", "/srv/app/orders.py", 88),
                Sym(
                    "cpython",
                    "encode",
                    "/usr/lib/python3.11/json/encoder.py",
                    200,
                ),
            ],
            // 1: sending it, through libc into the kernel.
            vec![
                Raw(1, 0x29d90),
                Raw(0, 0x0025_8f31),
                Sym("cpython", "<module>", "/srv/app/main.py", 12),
                Sym("cpython", "serve", "/srv/app/server.py", 40),
                Sym("cpython", "handle_order", "/srv/app/orders.py", 91),
                Raw(1, 0x127b10),
                Sym("kernel", "entry_SYSCALL_64_after_hwframe", "", 0),
                Sym("kernel", "do_syscall_64", "", 0),
                Sym("kernel", "tcp_sendmsg", "", 0),
            ],
            // 2: a worker thread computing.
            vec![
                Raw(1, 0x126a3c),
                Raw(1, 0x94ac3),
                Raw(0, 0x0029_1e07),
                Sym(
                    "cpython",
                    "_bootstrap",
                    "/usr/lib/python3.11/threading.py",
                    995,
                ),
                Sym("cpython", "run", "/srv/app/worker.py", 30),
                Sym("cpython", "compute", "/srv/app/worker.py", 55),
            ],
        ],
        threads: vec![
            Thread {
                name: "MainThread",
                tid: 4211,
                cpu: vec![(0, 0, 3, 9), (1, 0, 3, 3), (0, 1, 0, 2)],
                off_cpu: vec![],
                labels: &[],
            },
            Thread {
                name: "worker-1",
                tid: 4230,
                cpu: vec![(2, 3, 0, 11)],
                off_cpu: vec![],
                labels: &[],
            },
        ],
    };
    let go = Proc {
        pid: 5120,
        exe: "gateway",
        path: "/usr/local/bin/gateway",
        container: "",
        service: None,
        mappings: vec![Map {
            path: "/usr/local/bin/gateway",
            start: 0x40_0000,
            size: 0x0080_0000,
            file_offset: 0,
            build_ids: &[
                ("gnu", "8f7e6d5c4b3a29180716253443526170deadbeef"),
                (
                    "go",
                    "Qx3vK9mTz1pLr8sNw2yE/7hJdF4cGb6aXu0oVi5tRk/aBcD1234eFgH5678iJkL/mNoP9012qRsT3456uVwX",
                ),
            ],
        }],
        stacks: vec![
            // 0: allocating while encoding JSON.
            vec![
                Sym("go", "runtime.goexit", "runtime/asm_amd64.s", 1695),
                Sym("go", "net/http.(*conn).serve", "net/http/server.go", 2092),
                Sym("go", "main.handleCart", "/src/gateway/cart.go", 41),
                Sym(
                    "go",
                    "encoding/json.Marshal",
                    "encoding/json/encode.go",
                    163,
                ),
                Sym("go", "runtime.mallocgc", "runtime/malloc.go", 1171),
            ],
            // 1: writing the response.
            vec![
                Sym("go", "runtime.goexit", "runtime/asm_amd64.s", 1695),
                Sym("go", "net/http.(*conn).serve", "net/http/server.go", 2092),
                Sym("go", "main.handleCart", "/src/gateway/cart.go", 47),
                Sym(
                    "go",
                    "internal/poll.(*FD).Write",
                    "internal/poll/fd_unix.go",
                    380,
                ),
                Sym(
                    "go",
                    "syscall.write",
                    "syscall/zsyscall_linux_amd64.go",
                    964,
                ),
                Sym("kernel", "entry_SYSCALL_64_after_hwframe", "", 0),
                Sym("kernel", "ksys_write", "", 0),
            ],
            // 2: GC work whose unwinding stopped: the agent marks the cut.
            vec![
                Marker("abort-marker"),
                Sym("go", "runtime.gcDrain", "runtime/mgcmark.go", 1181),
                Sym("go", "runtime.scanobject", "runtime/mgcmark.go", 1446),
            ],
            // 3: an address in the binary the agent could not symbolise.
            vec![
                Sym("go", "runtime.goexit", "runtime/asm_amd64.s", 1695),
                Raw(0, 0x0012_3456),
            ],
        ],
        threads: vec![
            Thread {
                name: "gateway",
                tid: 5120,
                cpu: vec![(0, 1, 0, 8), (1, 1, 0, 2), (3, 1, 0, 1)],
                off_cpu: vec![],
                labels: &[("endpoint", "/cart"), ("tenant", "acme")],
            },
            Thread {
                name: "gateway",
                tid: 5133,
                cpu: vec![(0, 2, 0, 3), (2, 0, 0, 4)],
                off_cpu: vec![],
                labels: &[],
            },
        ],
    };
    vec![jvm, python, go]
}

/// The dictionary being filled, each table interned.
#[derive(Default)]
struct Dict {
    d: ProfilesDictionary,
    strings: HashMap<String, i32>,
    attrs: HashMap<(String, String), i32>,
    functions: HashMap<(i32, i32), i32>,
    stacks: HashMap<Vec<i32>, i32>,
}

impl Dict {
    fn new() -> Dict {
        let mut d = Dict::default();
        d.string("");
        d.d.mapping_table.push(Mapping::default());
        d.d.location_table.push(Location::default());
        d.d.function_table.push(Function::default());
        d.d.link_table.push(Link {
            trace_id: vec![0; 16],
            span_id: vec![0; 8],
        });
        d.d.attribute_table.push(KeyValueAndUnit::default());
        d.d.stack_table.push(Stack::default());
        for (trace, span) in &LINKS[1..] {
            d.d.link_table.push(Link {
                trace_id: unhex(trace),
                span_id: unhex(span),
            });
        }
        d
    }

    fn string(&mut self, s: &str) -> i32 {
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = self.d.string_table.len() as i32;
        self.d.string_table.push(s.to_owned());
        self.strings.insert(s.to_owned(), i);
        i
    }

    /// A string attribute; integers are written as int values.
    fn attr(&mut self, key: &str, text: &str, int: bool) -> i32 {
        if let Some(&i) = self.attrs.get(&(key.to_owned(), text.to_owned())) {
            return i;
        }
        let value = if int {
            Value::IntValue(text.parse().expect("an integer attribute"))
        } else {
            Value::StringValue(text.to_owned())
        };
        let kv = KeyValueAndUnit {
            key_strindex: self.string(key),
            value: Some(AnyValue { value: Some(value) }),
            unit_strindex: 0,
        };
        let i = self.d.attribute_table.len() as i32;
        self.d.attribute_table.push(kv);
        self.attrs.insert((key.to_owned(), text.to_owned()), i);
        i
    }

    fn function(&mut self, name: &str, file: &str) -> i32 {
        let key = (self.string(name), self.string(file));
        if let Some(&i) = self.functions.get(&key) {
            return i;
        }
        let i = self.d.function_table.len() as i32;
        self.d.function_table.push(Function {
            name_strindex: key.0,
            system_name_strindex: 0,
            filename_strindex: key.1,
            start_line: 0,
        });
        self.functions.insert(key, i);
        i
    }

    fn location(&mut self, loc: Location) -> i32 {
        if let Some(i) = self.d.location_table.iter().position(|l| *l == loc) {
            return i as i32;
        }
        self.d.location_table.push(loc);
        self.d.location_table.len() as i32 - 1
    }

    fn stack(&mut self, leaf_first: Vec<i32>) -> i32 {
        if let Some(&i) = self.stacks.get(&leaf_first) {
            return i;
        }
        let i = self.d.stack_table.len() as i32;
        self.d.stack_table.push(Stack {
            location_indices: leaf_first.clone(),
        });
        self.stacks.insert(leaf_first, i);
        i
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn kv(key: &str, value: Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        key_strindex: 0,
    }
}

fn value_type(d: &mut Dict, name: &str, unit: &str) -> Option<ValueType> {
    Some(ValueType {
        type_strindex: d.string(name),
        unit_strindex: d.string(unit),
    })
}

/// What the generator emitted, for `expected.txt`.
#[derive(Default)]
struct Tally {
    /// Per process: CPU observations, off-CPU observations and their nanoseconds.
    processes: Vec<(i64, &'static str, u64, u64, i64)>,
    /// Per (pid, thread name, tid, cpu): CPU observations.
    threads: BTreeMap<(i64, &'static str, i64), u64>,
    cpus: BTreeMap<i64, u64>,
    /// CPU observations by the frame type of their leaf frame.
    leaf_types: BTreeMap<&'static str, u64>,
    /// Distinct frames (type, name, file, line) by frame type.
    frames: BTreeMap<&'static str, std::collections::BTreeSet<String>>,
    /// CPU observations by link.
    links: BTreeMap<usize, u64>,
    /// Unsymbolised frames: name, binary path, build id.
    natives: BTreeMap<String, (&'static str, &'static str)>,
    labelled: u64,
}

/// Build the fixture.
pub fn ebpf_fixture() -> EbpfFixture {
    let mut d = Dict::new();
    let mut tally = Tally::default();
    let mut resource_profiles = Vec::new();
    let mut tick = 0u64;
    for p in processes() {
        // Locations of this process, one per distinct frame.
        let mappings: Vec<i32> = p
            .mappings
            .iter()
            .map(|m| {
                let filename_strindex = d.string(m.path);
                let attribute_indices = m
                    .build_ids
                    .iter()
                    .map(|(kind, id)| {
                        d.attr(&format!("process.executable.build_id.{kind}"), id, false)
                    })
                    .collect();
                d.d.mapping_table.push(Mapping {
                    memory_start: m.start,
                    memory_limit: m.start + m.size,
                    file_offset: m.file_offset,
                    filename_strindex,
                    attribute_indices,
                });
                d.d.mapping_table.len() as i32 - 1
            })
            .collect();
        let mut stack_ids = Vec::new();
        let mut leaf_types = Vec::new();
        for frames in &p.stacks {
            let mut leaf_first = Vec::new();
            for f in frames.iter().rev() {
                let (frame_type, loc) = match *f {
                    F::Sym(t, name, file, line) => {
                        tally
                            .frames
                            .entry(t)
                            .or_default()
                            .insert(format!("{name} {file}:{line}"));
                        let function_index = d.function(name, file);
                        (
                            t,
                            Location {
                                mapping_index: 0,
                                address: 0,
                                lines: vec![Line {
                                    function_index,
                                    line,
                                    column: 0,
                                }],
                                attribute_indices: vec![],
                            },
                        )
                    }
                    F::Raw(m, offset) => {
                        let map = &p.mappings[m];
                        let base = map.path.rsplit('/').next().unwrap_or(map.path);
                        let build_id = map.build_ids.first().map_or("", |b| b.1);
                        let name = format!("{base}+0x{offset:x}");
                        tally
                            .frames
                            .entry("native")
                            .or_default()
                            .insert(name.clone());
                        tally.natives.insert(name, (map.path, build_id));
                        (
                            "native",
                            Location {
                                mapping_index: mappings[m],
                                // In the process's address space, as the spec says.
                                address: map.start + offset - map.file_offset,
                                lines: vec![],
                                attribute_indices: vec![],
                            },
                        )
                    }
                    F::Marker(t) => {
                        tally.frames.entry(t).or_default().insert(t.to_owned());
                        (t, Location::default())
                    }
                };
                let mut loc = loc;
                loc.attribute_indices = vec![d.attr("profile.frame.type", frame_type, false)];
                leaf_first.push(d.location(loc));
            }
            leaf_types.push(match frames.last() {
                Some(F::Sym(t, ..)) | Some(F::Marker(t)) => *t,
                _ => "native",
            });
            stack_ids.push(d.stack(leaf_first));
        }

        let mut cpu_samples = Vec::new();
        let mut off_samples = Vec::new();
        let (mut cpu_n, mut off_n, mut off_ns) = (0u64, 0u64, 0i64);
        for t in &p.threads {
            let mut thread_attrs = vec![
                d.attr("thread.name", t.name, false),
                d.attr("thread.id", &t.tid.to_string(), true),
            ];
            for (k, v) in t.labels {
                thread_attrs.push(d.attr(&format!("process.context.label.{k}"), v, false));
            }
            for &(stack, cpu, link, count) in &t.cpu {
                let mut attribute_indices = thread_attrs.clone();
                attribute_indices.push(d.attr("cpu.logical_number", &cpu.to_string(), true));
                // Spread over the profile, one tick of the 20 Hz clock apart.
                let timestamps_unix_nano = (0..count)
                    .map(|_| {
                        tick += 1;
                        T0 + (tick * 37 % 100) * PERIOD_NS as u64 + tick * 1_000
                    })
                    .collect();
                cpu_samples.push(Sample {
                    stack_index: stack_ids[stack],
                    attribute_indices,
                    link_index: link as i32,
                    values: vec![],
                    timestamps_unix_nano,
                });
                let n = u64::from(count);
                cpu_n += n;
                *tally.threads.entry((p.pid, t.name, t.tid)).or_default() += n;
                *tally.cpus.entry(cpu).or_default() += n;
                *tally.leaf_types.entry(leaf_types[stack]).or_default() += n;
                if link != 0 {
                    *tally.links.entry(link).or_default() += n;
                }
                if !t.labels.is_empty() {
                    tally.labelled += n;
                }
            }
            for (stack, link, values) in &t.off_cpu {
                let timestamps_unix_nano = values
                    .iter()
                    .map(|_| {
                        tick += 1;
                        T0 + tick * 41_000_000
                    })
                    .collect();
                off_samples.push(Sample {
                    stack_index: stack_ids[*stack],
                    attribute_indices: thread_attrs.clone(),
                    link_index: *link as i32,
                    values: values.clone(),
                    timestamps_unix_nano,
                });
                off_n += values.len() as u64;
                off_ns += values.iter().sum::<i64>();
            }
        }
        tally.processes.push((p.pid, p.exe, cpu_n, off_n, off_ns));

        let mut profiles = Vec::new();
        if !off_samples.is_empty() {
            profiles.push(Profile {
                sample_type: value_type(&mut d, "off_cpu", "nanoseconds"),
                samples: off_samples,
                time_unix_nano: T0,
                duration_nano: DURATION_NS,
                ..Default::default()
            });
        }
        profiles.push(Profile {
            sample_type: value_type(&mut d, "samples", "count"),
            samples: cpu_samples,
            time_unix_nano: T0,
            duration_nano: DURATION_NS,
            period_type: value_type(&mut d, "cpu", "nanoseconds"),
            period: PERIOD_NS,
            ..Default::default()
        });
        let mut attributes = vec![
            kv("process.pid", Value::IntValue(p.pid)),
            kv("process.executable.name", Value::StringValue(p.exe.into())),
            kv("process.executable.path", Value::StringValue(p.path.into())),
        ];
        if !p.container.is_empty() {
            attributes.push(kv("container.id", Value::StringValue(p.container.into())));
        }
        if let Some(s) = p.service {
            attributes.push(kv("service.name", Value::StringValue(s.into())));
        }
        resource_profiles.push(ResourceProfiles {
            resource: Some(Resource {
                attributes,
                dropped_attributes_count: 0,
                entity_refs: vec![],
            }),
            scope_profiles: vec![ScopeProfiles {
                scope: Some(InstrumentationScope {
                    name: "go.opentelemetry.io/ebpf-profiler".into(),
                    version: String::new(),
                    // Not written by the agent: exercises the pprof convention (README).
                    attributes: vec![kv(
                        "pprof.scope.default_sample_type",
                        Value::StringValue("samples".into()),
                    )],
                    dropped_attributes_count: 0,
                }),
                profiles,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        });
    }
    EbpfFixture {
        data: ProfilesData {
            resource_profiles,
            dictionary: Some(d.d),
        },
        expected: expected_text(&tally),
    }
}

fn expected_text(t: &Tally) -> String {
    let mut out = String::from(
        "# What synth/examples/ebpf_fixture.rs emitted, counted as it wrote each sample.\n\
         # process\tpid\texecutable\tcpu samples\toff-CPU observations\toff-CPU ns\n",
    );
    for (pid, exe, cpu, off, ns) in &t.processes {
        let _ = writeln!(out, "process\t{pid}\t{exe}\t{cpu}\t{off}\t{ns}");
    }
    out.push_str("# thread\tpid\tthread.name\tthread.id\tcpu samples\n");
    for ((pid, name, tid), n) in &t.threads {
        let _ = writeln!(out, "thread\t{pid}\t{name}\t{tid}\t{n}");
    }
    out.push_str("# cpu\tcpu.logical_number\tcpu samples\n");
    for (cpu, n) in &t.cpus {
        let _ = writeln!(out, "cpu\t{cpu}\t{n}");
    }
    let _ = writeln!(
        out,
        "# labelled\tcpu samples with process.context.label.*\nlabelled\t{}",
        t.labelled
    );
    out.push_str("# leaf\tprofile.frame.type of the leaf frame\tcpu samples\n");
    for (ty, n) in &t.leaf_types {
        let _ = writeln!(out, "leaf\t{ty}\t{n}");
    }
    out.push_str("# frames\tprofile.frame.type\tdistinct frames (function, file, line)\n");
    for (ty, set) in &t.frames {
        let _ = writeln!(out, "frames\t{ty}\t{}", set.len());
    }
    out.push_str("# link\ttrace id\tspan id\tcpu samples\n");
    for (link, n) in &t.links {
        let (trace, span) = LINKS[*link];
        let _ = writeln!(out, "link\t{trace}\t{span}\t{n}");
    }
    out.push_str("# native\tname\tbinary\tbuild id (the mapping's GNU one when it has one)\n");
    for (name, (path, id)) in &t.natives {
        let _ = writeln!(out, "native\t{name}\t{path}\t{id}");
    }
    let _ = writeln!(
        out,
        "# default\tsample type shown first\ndefault\tsamples/count"
    );
    out
}
