//! The fixed shape of the synthetic system: sample types, services, what a sample is
//! doing, and the kinds of work spans stand for.

/// The three sample types, in the order their profiles appear.
pub(crate) const SAMPLE_TYPES: [SampleTypeDef; 3] = [
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
pub(crate) const CPU: usize = 0;
pub(crate) const WALL: usize = 1;
pub(crate) const ALLOC: usize = 2;

pub(crate) struct SampleTypeDef {
    pub(crate) name: &'static str,
    pub(crate) unit: &'static str,
    pub(crate) period_name: &'static str,
    pub(crate) period_unit: &'static str,
    pub(crate) period: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runtime {
    Jvm,
    Python,
    Go,
}

pub(crate) struct ServiceDef {
    pub(crate) name: &'static str,
    pub(crate) runtime: Runtime,
    pub(crate) version: &'static str,
    pub(crate) pid: i64,
    pub(crate) language: &'static str,
    pub(crate) runtime_name: &'static str,
    pub(crate) trace_scope: &'static str,
    /// Share of unlinked samples and of the stack pool.
    pub(crate) share: f64,
}

pub(crate) const SERVICES: [ServiceDef; 3] = [
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
pub(crate) const CHECKOUT: usize = 0;
pub(crate) const ORDERS: usize = 1;
pub(crate) const GATEWAY: usize = 2;

/// What a sample was doing; each has its own stack pool per service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cat {
    Compute = 0,
    Alloc = 1,
    Db = 2,
    Cache = 3,
    Rpc = 4,
    Background = 5,
}
pub(crate) const CATS: [Cat; 6] = [
    Cat::Compute,
    Cat::Alloc,
    Cat::Db,
    Cat::Cache,
    Cat::Rpc,
    Cat::Background,
];
/// Share of the stack pool per category.
pub(crate) const CAT_SHARE: [f64; 6] = [0.45, 0.15, 0.12, 0.08, 0.05, 0.15];

/// The kind of work a span stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Request,
    Compute,
    Db,
    Cache,
    Rpc,
}

impl Role {
    /// Weight (out of 10) of a span's self time when linking samples of a sample type: CPU
    /// samples rarely land in spans that only wait.
    pub(crate) fn weight(self, sample_type: usize) -> u64 {
        match (self, sample_type) {
            (Role::Request | Role::Compute, _) | (_, WALL) => 10,
            (Role::Db, ALLOC) => 3,
            _ => 1,
        }
    }
}
