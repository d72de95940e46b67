//! Traces: requests through the three services as spans laid out in time, and their
//! `TracesData`.

use opentelemetry_proto::tonic::common::v1::{
    AnyValue, InstrumentationScope, KeyValue, any_value::Value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;

use spanflame_core::formats::otlp::trace_proto::{self, TracesData};
use spanflame_core::model::SpanKey;

use crate::catalog::worker_names;
use crate::options::SynthOptions;
use crate::rng::{Discrete, Rng, mix};
use crate::services::{CHECKOUT, GATEWAY, ORDERS, Role, SERVICES};

pub(crate) const SPAN_INTERNAL: i32 = 1;
pub(crate) const SPAN_SERVER: i32 = 2;
pub(crate) const SPAN_CLIENT: i32 = 3;

/// A generated span with what the sampler needs to know about it.
#[derive(Debug, Clone)]
pub(crate) struct SpanRec {
    pub(crate) key: SpanKey,
    pub(crate) parent: Option<u32>,
    pub(crate) service: usize,
    pub(crate) name: String,
    pub(crate) kind: i32,
    pub(crate) role: Role,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) attributes: Vec<KeyValue>,
    pub(crate) error: bool,
    /// Self time: the parts of the span not covered by its children.
    pub(crate) gaps: Vec<(u64, u64)>,
    /// Worker thread of the span's service that ran it.
    pub(crate) thread: u32,
}

/// What a server span does, child by child.
pub(crate) enum Plan {
    Leaf(Role, String, Vec<KeyValue>),
    Compute(String, Vec<Plan>),
    Call(usize, &'static str, &'static str),
}

pub(crate) fn kv(key: &str, value: impl Into<String>) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::StringValue(value.into())),
        }),
        key_strindex: 0,
    }
}

pub(crate) fn kv_int(key: &str, value: i64) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(Value::IntValue(value)),
        }),
        key_strindex: 0,
    }
}

pub(crate) const TABLES: &[&str] = &[
    "cart_items",
    "carts",
    "products",
    "prices",
    "customers",
    "orders",
    "order_lines",
    "inventory",
];

pub(crate) fn db_plan(op: &str, table: &str) -> Plan {
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

pub(crate) fn cache_plan(op: &str) -> Plan {
    Plan::Leaf(
        Role::Cache,
        op.to_owned(),
        vec![kv("db.system.name", "redis"), kv("db.operation.name", op)],
    )
}

pub(crate) struct TraceBuilder<'r> {
    pub(crate) rng: &'r mut Rng,
    pub(crate) spans: Vec<SpanRec>,
    pub(crate) trace_id: [u8; 16],
    pub(crate) threads: [Option<u32>; 3],
    pub(crate) id_seed: u64,
    pub(crate) next_id: &'r mut u64,
}

impl TraceBuilder<'_> {
    pub(crate) fn span_id(&mut self) -> [u8; 8] {
        *self.next_id += 1;
        let id = mix(self.id_seed ^ *self.next_id).max(1);
        id.to_be_bytes()
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
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

    pub(crate) fn server(
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
    pub(crate) fn fill(&mut self, me: u32, plan: Vec<Plan>) {
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

pub(crate) const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/cart"),
    ("POST", "/api/cart/items"),
    ("GET", "/api/orders/{id}"),
    ("POST", "/api/orders"),
    ("POST", "/api/checkout"),
];

/// Exactly `opts.spans` spans in traces that start at random times in the profile.
pub(crate) fn generate_spans(opts: &SynthOptions, rng: &mut Rng) -> Vec<SpanRec> {
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

pub(crate) fn resource_attributes(service: usize) -> Vec<KeyValue> {
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

pub(crate) fn traces_message(spans: &[SpanRec]) -> TracesData {
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
