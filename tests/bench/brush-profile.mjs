#!/usr/bin/env node
// Where one timeline brush's main-thread time goes: opens a Spanflame dist on a profile size,
// then brushes the timeline strip a few times (as browser-bench.mjs's brush step does) under
// the CDP sampling profiler, and prints self time per function (JS and wasm) over the brushes,
// from the pointerup to 1.5 s later. A dist whose wasm keeps its name section names the wasm
// functions (wasm-opt drops it: swap in the wasm-bindgen output, see BENCHMARKS.md).
//
//   node tests/bench/brush-profile.mjs DIST [--data target/bench-data] [--size M] [--brushes 4]
//        [--top 40] [--out FILE.cpuprofile]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { startMountServer } from './bench-server.mjs';
import { dragAcrossStrip } from './gestures.mjs';

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
const count = Number(opt('--brushes', '4'));
const top = Number(opt('--top', '40'));
const out = opt('--out', null);

const server = await startMountServer({ '/app/': dist, '/data/': data });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await context.addInitScript((config) => {
    window.__benchConfig = config;
  }, { canvasSelector: 'canvas#flame' });
  await context.addInitScript({ path: path.join(HERE, 'page-probes.js') });
  const page = await context.newPage();
  const profile = encodeURIComponent(`${server.url}data/${size}/profile.binpb`);
  await page.goto(`${server.url}app/#profileURL=${profile}`);
  await page.waitForFunction(() => window.__bench?.firstPaint != null, null, { polling: 250, timeout: 180_000 });
  await page.waitForTimeout(3000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  const selfUs = new Map();
  let totalUs = 0;
  const strip = page.locator('canvas#timeline');
  for (let i = 0; i < count; i += 1) {
    const box = await strip.boundingBox();
    await dragAcrossStrip(page, box, i, count);
    await page.waitForTimeout(300);
    await cdp.send('Profiler.start');
    await page.mouse.up();
    await page.waitForTimeout(1500);
    const { profile: p } = await cdp.send('Profiler.stop');
    if (out) writeFileSync(out.replace(/(\.cpuprofile)?$/, `-${i}.cpuprofile`), JSON.stringify(p));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    // Busy stretches (split at 3 ms of idle), with their heaviest functions: the first ones,
    // up to the flame graph's repaint, are what the brush → repaint time is made of.
    if (args.includes('--segments')) {
      let t = 0;
      let seg = null;
      const segs = [];
      p.samples.forEach((id, k) => {
        t += p.timeDeltas[k] ?? 0;
        const name = byId.get(id).callFrame.functionName || '(anonymous)';
        if (name === '(idle)') {
          if (seg && t - seg.end > 3000) seg = null;
          return;
        }
        if (!seg) segs.push((seg = { start: t, end: t, fns: new Map() }));
        seg.end = t;
        seg.fns.set(name, (seg.fns.get(name) ?? 0) + (p.timeDeltas[k + 1] ?? 100));
      });
      const t0 = segs[0]?.start ?? 0;
      for (const g of segs.slice(0, 8)) {
        const topFns = [...g.fns.entries()].sort((x, y) => y[1] - x[1]).slice(0, 8);
        console.log(`brush ${i}: +${((g.start - t0) / 1000).toFixed(1)} ms, busy ${((g.end - g.start) / 1000).toFixed(1)} ms: ` +
          topFns.map(([n, us]) => `${n.replace(/::h[0-9a-f]{16}$/, '').slice(-60)} ${(us / 1000).toFixed(1)}`).join(' | '));
      }
    }
    p.samples.forEach((id, k) => {
      const n = byId.get(id);
      const f = n.callFrame;
      const name = f.functionName || `(anonymous ${f.url.split('/').pop()}:${f.lineNumber})`;
      if (['(idle)', '(program)', '(garbage collector)'].includes(name) && name === '(idle)') return;
      const us = p.timeDeltas[k] ?? 0;
      selfUs.set(name, (selfUs.get(name) ?? 0) + us);
      totalUs += us;
    });
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1500);
  }
  const rows = [...selfUs.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
  console.log(`self time over ${count} brushes, busy (not idle) ${(totalUs / 1000).toFixed(1)} ms in all`);
  for (const [name, us] of rows) console.log(`${(us / 1000 / count).toFixed(2).padStart(8)} ms/brush  ${name.slice(0, 150)}`);
} finally {
  await browser.close();
  await server.close();
}
