#!/usr/bin/env node
// Where one timeline brush's main-thread time goes: opens a Spanflame dist on a profile size,
// then brushes the timeline strip a few times (as browser-bench.mjs's brush step does) under
// the CDP sampling profiler, and prints self time per function (JS and wasm) over the brushes,
// from the pointerup to 1.5 s later. A dist whose wasm keeps its name section names the wasm
// functions (wasm-opt drops it: swap in the wasm-bindgen output, see BENCHMARKS.md).
//
//   node tests/bench/brush-profile.mjs DIST [--data target/bench-data] [--size M] [--brushes 4]
//        [--top 40] [--out FILE.cpuprofile] [--segments]
import { writeFileSync } from 'node:fs';
import {
  addSelfTimes, busyStretches, commandLine, heaviest, launch, openProfile, profiler, serveBench, short,
} from './cpu-profile.mjs';
import { dragAcrossStrip } from './gestures.mjs';

const cli = commandLine();
const count = Number(cli.opt('--brushes', '4'));
const top = Number(cli.opt('--top', '40'));
const out = cli.opt('--out', null);

const server = await serveBench(cli);
const browser = await launch();
try {
  const { context, page } = await openProfile(browser, server, cli.size);
  await page.waitForTimeout(3000);
  const cdp = await profiler(context, page);
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
    // Busy stretches (split at 3 ms of idle), with their heaviest functions: the first ones,
    // up to the flame graph's repaint, are what the brush → repaint time is made of.
    if (cli.flag('--segments')) {
      const segs = busyStretches(p, 3000);
      const t0 = segs[0]?.start ?? 0;
      for (const g of segs.slice(0, 8)) {
        console.log(`brush ${i}: +${((g.start - t0) / 1000).toFixed(1)} ms, busy ${((g.end - g.start) / 1000).toFixed(1)} ms: ` +
          heaviest(g.self, 8).map(([n, us]) => `${short(n, 60)} ${(us / 1000).toFixed(1)}`).join(' | '));
      }
    }
    totalUs += addSelfTimes(p, selfUs);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1500);
  }
  console.log(`self time over ${count} brushes, busy (not idle) ${(totalUs / 1000).toFixed(1)} ms in all`);
  for (const [name, us] of heaviest(selfUs, top)) console.log(`${(us / 1000 / count).toFixed(2).padStart(8)} ms/brush  ${name.slice(0, 150)}`);
} finally {
  await browser.close();
  await server.close();
}
