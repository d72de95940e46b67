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
import {
  addSelfTimes, busyStretches, commandLine, heaviest, launch, openProfile, profiler, serveBench, short,
} from './cpu-profile.mjs';
import { zoom } from './gestures.mjs';

const cli = commandLine();
const runs = Number(cli.opt('--runs', '1'));
const slowest = Number(cli.opt('--slowest', '6'));
const top = Number(cli.opt('--top', '30'));
const out = cli.opt('--out', null);

const server = await serveBench(cli);
const selfUs = new Map();
let totalUs = 0;
let frameCount = 0;
try {
  for (let run = 0; run < runs; run += 1) {
    const browser = await launch();
    const { context, page } = await openProfile(browser, server, cli.size);
    await page.evaluate(() => document.querySelector('canvas#flame').scrollIntoView({ block: 'center' }));
    await page.waitForTimeout(2000);
    const box = await page.evaluate(() => {
      const r = document.querySelector('canvas#flame').getBoundingClientRect();
      const y = Math.max(r.top, 0);
      return { x: r.left, y, width: r.width, height: Math.min(r.bottom, window.innerHeight) - y };
    });
    const cdp = await profiler(context, page);
    await cdp.send('Profiler.start');
    const frames = await zoom(page, box, 'Control');
    const { profile: p } = await cdp.send('Profiler.stop');
    await browser.close();
    if (out) writeFileSync(out.replace(/(\.cpuprofile)?$/, `-${run}.cpuprofile`), JSON.stringify(p));
    const ms = frames.filter((f) => f.inputs > 0).map((f) => f.ms);
    frameCount += ms.length;
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(`run ${run}: ${ms.length} frames, recorder median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, ` +
      `p95 ${sorted[Math.ceil(0.95 * sorted.length) - 1].toFixed(1)} ms; in order: ${ms.map((x) => x.toFixed(1)).join(' ')}`);
    totalUs += addSelfTimes(p, selfUs);
    // Busy stretches, split at 2 ms of idle: one per frame of the gesture.
    const worst = busyStretches(p, 2000).filter((g) => g.busy > 500).sort((a, b) => b.busy - a.busy).slice(0, slowest);
    for (const g of worst) {
      const fns = heaviest(g.incl, 42).filter(([n]) => !['(root)', '(program)'].includes(n)).slice(0, 40);
      console.log(`\n  stretch at +${(g.start / 1000).toFixed(0)} ms, busy ${(g.busy / 1000).toFixed(2)} ms; inclusive:`);
      for (const [n, us] of fns) console.log(`    ${(us / 1000).toFixed(2).padStart(6)}  ${short(n)}`);
    }
  }
  console.log(`\nself time over ${runs} run(s), ${frameCount} frames with input, busy ${(totalUs / 1000).toFixed(1)} ms in all`);
  for (const [name, us] of heaviest(selfUs, top)) console.log(`${(us / 1000 / frameCount).toFixed(3).padStart(8)} ms/frame  ${name.slice(0, 150)}`);
} finally {
  await server.close();
}
