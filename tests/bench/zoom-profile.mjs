#!/usr/bin/env node
// Where a wheel-zoom frame's main-thread time goes: opens a Spanflame dist on a profile size,
// runs browser-bench.mjs's zoom gesture (gestures.mjs `zoom`: 30 Ctrl+wheel steps in, 30 out,
// one per frame) under the CDP sampling profiler, and prints, for the slowest busy stretches
// (one per frame: the driver's round trip between steps leaves the page idle), their length
// and the inclusive time of the functions in them, then self times over the whole gesture.
// A dist whose wasm keeps its name section names the wasm functions (see brush-profile.mjs).
//
//   node tests/bench/zoom-profile.mjs DIST [--data target/bench-data] [--size M] [--runs 1]
//        [--slowest 6] [--top 30] [--out FILE.cpuprofile]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { startMountServer } from './bench-server.mjs';
import { zoom } from './gestures.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const dist = path.resolve(REPO_ROOT, args[0] ?? 'dist');
const data = path.resolve(REPO_ROOT, opt('--data', 'target/bench-data'));
const size = opt('--size', 'M');
const runs = Number(opt('--runs', '1'));
const slowest = Number(opt('--slowest', '6'));
const top = Number(opt('--top', '30'));
const out = opt('--out', null);
const short = (name) => name.replace(/::h[0-9a-f]{16}$/, '').slice(-70);

const server = await startMountServer({ '/app/': dist, '/data/': data });
const selfUs = new Map();
let totalUs = 0;
let frameCount = 0;
const frameMs = [];
try {
  for (let run = 0; run < runs; run += 1) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    await context.addInitScript((config) => {
      window.__benchConfig = config;
    }, { canvasSelector: 'canvas#flame' });
    await context.addInitScript({ path: path.join(HERE, 'page-probes.js') });
    const page = await context.newPage();
    const profile = encodeURIComponent(`${server.url}data/${size}/profile.binpb`);
    await page.goto(`${server.url}app/#profileURL=${profile}`);
    await page.waitForFunction(() => window.__bench?.firstPaint != null, null, { polling: 250, timeout: 180_000 });
    await page.evaluate(() => document.querySelector('canvas#flame').scrollIntoView({ block: 'center' }));
    await page.waitForTimeout(2000);
    const box = await page.evaluate(() => {
      const r = document.querySelector('canvas#flame').getBoundingClientRect();
      const y = Math.max(r.top, 0);
      return { x: r.left, y, width: r.width, height: Math.min(r.bottom, window.innerHeight) - y };
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    const frames = await zoom(page, box, 'Control');
    const { profile: p } = await cdp.send('Profiler.stop');
    await browser.close();
    if (out) writeFileSync(out.replace(/(\.cpuprofile)?$/, `-${run}.cpuprofile`), JSON.stringify(p));
    const ms = frames.filter((f) => f.inputs > 0).map((f) => f.ms);
    frameMs.push(...ms);
    frameCount += ms.length;
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(`run ${run}: ${ms.length} frames, recorder median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, ` +
      `p95 ${sorted[Math.ceil(0.95 * sorted.length) - 1].toFixed(1)} ms; in order: ${ms.map((x) => x.toFixed(1)).join(' ')}`);

    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const nameOf = (n) => n.callFrame.functionName || `(anonymous ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber})`;
    // Busy stretches, split at 2 ms of idle: one per frame of the gesture.
    let t = 0;
    let seg = null;
    const segs = [];
    p.samples.forEach((id, k) => {
      t += p.timeDeltas[k] ?? 0;
      const node = byId.get(id);
      const name = nameOf(node);
      if (name === '(idle)') {
        if (seg && t - seg.end > 2000) seg = null;
        return;
      }
      const us = p.timeDeltas[k + 1] ?? 100;
      if (!seg) segs.push((seg = { start: t, end: t, busy: 0, incl: new Map() }));
      seg.end = t;
      seg.busy += us;
      const seen = new Set();
      for (let n = id; n != null; n = parent.get(n)) {
        const fn = nameOf(byId.get(n));
        if (seen.has(fn)) continue;
        seen.add(fn);
        seg.incl.set(fn, (seg.incl.get(fn) ?? 0) + us);
      }
      selfUs.set(name, (selfUs.get(name) ?? 0) + us);
      totalUs += us;
    });
    const worst = segs.filter((g) => g.busy > 500).sort((a, b) => b.busy - a.busy).slice(0, slowest);
    for (const g of worst) {
      const fns = [...g.incl.entries()]
        .filter(([n]) => !['(root)', '(program)'].includes(n))
        .sort((x, y) => y[1] - x[1])
        .slice(0, 40);
      console.log(`\n  stretch at +${(g.start / 1000).toFixed(0)} ms, busy ${(g.busy / 1000).toFixed(2)} ms; inclusive:`);
      for (const [n, us] of fns) console.log(`    ${(us / 1000).toFixed(2).padStart(6)}  ${short(n)}`);
    }
  }
  const rows = [...selfUs.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
  console.log(`\nself time over ${runs} run(s), ${frameCount} frames with input, busy ${(totalUs / 1000).toFixed(1)} ms in all`);
  for (const [name, us] of rows) console.log(`${(us / 1000 / frameCount).toFixed(3).padStart(8)} ms/frame  ${name.slice(0, 150)}`);
} finally {
  await server.close();
}
