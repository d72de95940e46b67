//! The program: each service's call graph and the stack pools samples draw from.

use std::collections::{HashMap, HashSet};

use opentelemetry_proto::tonic::profiles::v1development::Stack;

use crate::app_code::{AppGraph, anchors, app_name};
use crate::catalog::{Catalog, catalog, worker_prefix};
use crate::dict::{Dict, FrameKind, Step};
use crate::options::SynthOptions;
use crate::rng::{Discrete, Rng};
use crate::services::{CAT_SHARE, CATS, Cat, Runtime, SERVICES};

/// One service's code and threads.
pub(crate) struct ServiceCode {
    pub(crate) catalog: Catalog,
    pub(crate) app: AppGraph,
    /// `thread.name` attribute of each request worker (empty for Go).
    pub(crate) worker_attrs: Vec<i32>,
    /// `thread.name` attributes of each background kind's threads.
    pub(crate) background_attrs: Vec<Vec<i32>>,
}

/// A pool stack: its index in the stack table and the thread group that runs it
/// (0 = request workers, `1 + b` = background kind `b`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolEntry {
    pub(crate) stack: i32,
    pub(crate) group: u16,
}

pub(crate) fn build_app(dict: &mut Dict, runtime: Runtime, n: usize, rng: &mut Rng) -> AppGraph {
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
pub(crate) fn recursion_depth(rng: &mut Rng) -> u64 {
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
pub(crate) fn chain_prefix<'c>(
    chain: &'c [&'static str],
    partial: bool,
    rng: &mut Rng,
) -> &'c [&'static str] {
    if !partial || chain.len() <= 2 || rng.chance(0.5) {
        return chain;
    }
    let min = 2.min(chain.len()) as u64;
    &chain[..rng.range(min, chain.len() as u64) as usize]
}

pub(crate) struct Program {
    pub(crate) dict: Dict,
    pub(crate) code: Vec<ServiceCode>,
    /// Pool per service and category.
    pub(crate) pools: Vec<Vec<Vec<PoolEntry>>>,
    pub(crate) zipfs: Vec<Vec<Discrete>>,
}

impl Program {
    pub(crate) fn build(opts: &SynthOptions, rng: &mut Rng) -> Program {
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

    pub(crate) fn available(&self, service: usize, cat: Cat) -> bool {
        let c = &self.code[service].catalog;
        match cat {
            Cat::Compute => true,
            Cat::Background => !c.background.is_empty(),
            other => !c.tails[other as usize].is_empty(),
        }
    }

    pub(crate) fn fill_pools(&mut self, opts: &SynthOptions, rng: &mut Rng) {
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
    pub(crate) fn walk(&mut self, service: usize, cat: Cat, rng: &mut Rng) -> (Vec<Step>, u16) {
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
    pub(crate) fn pick(&self, service: usize, cat: Cat, rng: &mut Rng) -> PoolEntry {
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
