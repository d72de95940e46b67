// What brush-profile.mjs and zoom-profile.mjs share: their command line, a Chromium page with
// the bench probes open on a generated profile, the CDP sampling profiler, and reading a
// profile back as self times and as busy stretches (the main thread's work between idle gaps:
// one per frame or input).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { startMountServer } from './bench-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../..');

/** `DIST [--data DIR] [--size S|M|L] [--name VALUE]...`: `opt(name, fallback)`, `flag(name)`. */
export function commandLine(argv = process.argv.slice(2)) {
  const opt = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  return {
    dist: path.resolve(REPO_ROOT, argv[0] ?? 'dist'),
    data: path.resolve(REPO_ROOT, opt('--data', 'target/bench-data')),
    size: opt('--size', 'M'),
    opt,
    flag: (name) => argv.includes(name),
  };
}

/** Serve `dist` under /app/ and `data` under /data/ on 127.0.0.1. */
export const serveBench = ({ dist, data }) => startMountServer({ '/app/': dist, '/data/': data });

export const launch = () => chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

/**
 * A new page of `browser` with the bench probes, on `size`'s OTLP protobuf served by `server`
 * (and its traces, with `traces`), once its flame graph is first painted. Resolves to { context, page }.
 */
export async function openProfile(browser, server, size, { traces = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await context.addInitScript((config) => {
    window.__benchConfig = config;
  }, { canvasSelector: 'canvas#flame' });
  await context.addInitScript({ path: path.join(HERE, 'page-probes.js') });
  const page = await context.newPage();
  const profile = encodeURIComponent(`${server.url}data/${size}/profile.binpb`);
  const trace = traces ? `&traceURL=${encodeURIComponent(`${server.url}data/${size}/traces.binpb`)}` : '';
  await page.goto(`${server.url}app/#profileURL=${profile}${trace}`);
  await page.waitForFunction(() => window.__bench?.firstPaint != null, null, { polling: 250, timeout: 180_000 });
  return { context, page };
}

/** A CDP session on `page` with the sampling profiler ready (100 µs interval); start and stop it. */
export async function profiler(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  return cdp;
}

/** A profile node's function name, or where an anonymous one is. */
export const nameOf = (node) =>
  node.callFrame.functionName || `(anonymous ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber})`;

/** A wasm function's name without its hash, cut to `width`. */
export const short = (name, width = 70) => name.replace(/::h[0-9a-f]{16}$/, '').slice(-width);

/** Add `profile`'s self time per function (idle left out) to `selfUs`; returns the busy µs added. */
export function addSelfTimes(profile, selfUs) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  profile.samples.forEach((id, k) => {
    const name = nameOf(byId.get(id));
    if (name === '(idle)') return;
    const us = profile.timeDeltas[k] ?? 0;
    selfUs.set(name, (selfUs.get(name) ?? 0) + us);
    total += us;
  });
  return total;
}

/**
 * The busy stretches of `profile`, split where the main thread was idle for over `gapUs`:
 * [{ start, end, busy, self: Map(name → µs), incl: Map(name → µs) }], times in µs.
 */
export function busyStretches(profile, gapUs) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let t = 0;
  let seg = null;
  const segs = [];
  profile.samples.forEach((id, k) => {
    t += profile.timeDeltas[k] ?? 0;
    const name = nameOf(byId.get(id));
    if (name === '(idle)') {
      if (seg && t - seg.end > gapUs) seg = null;
      return;
    }
    const us = profile.timeDeltas[k + 1] ?? 100;
    if (!seg) segs.push((seg = { start: t, end: t, busy: 0, self: new Map(), incl: new Map() }));
    seg.end = t;
    seg.busy += us;
    seg.self.set(name, (seg.self.get(name) ?? 0) + us);
    const seen = new Set();
    for (let n = id; n != null; n = parent.get(n)) {
      const fn = nameOf(byId.get(n));
      if (seen.has(fn)) continue;
      seen.add(fn);
      seg.incl.set(fn, (seg.incl.get(fn) ?? 0) + us);
    }
  });
  return segs;
}

/** The `top` heaviest entries of a name → µs map, heaviest first. */
export const heaviest = (map, top) => [...map.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
