#!/usr/bin/env node
// Where one timeline brush's main-thread time goes: opens a Spanflame dist on a profile size,
// then brushes the timeline strip a few times (as browser-bench.mjs's brush step does) under
// the CDP sampling profiler, and prints self time per function (JS and wasm) over the brushes,
// from the pointerup to 1.5 s later. With --spans it clicks spans in the waterfall instead
// (as the bench's span-click step does), timed from the click. A dist whose wasm keeps its
// name section names the wasm functions (wasm-opt drops it: swap in the wasm-bindgen output,
// see BENCHMARKS.md).
//
//   node tests/bench/brush-profile.mjs DIST [--data target/bench-data] [--size M] [--brushes 4]
//        [--spans] [--top 40] [--out FILE.cpuprofile] [--segments]
import { writeFileSync } from 'node:fs';
import {
  addSelfTimes, busyStretches, commandLine, heaviest, launch, openProfile, profiler, serveBench, short,
} from './cpu-profile.mjs';
import { dragAcrossStrip } from './gestures.mjs';

const cli = commandLine();
const count = Number(cli.opt('--brushes', '4'));
const top = Number(cli.opt('--top', '40'));
const out = cli.opt('--out', null);
const spans = cli.flag('--spans');
const what = spans ? 'span click' : 'brush';
// A waterfall row with samples, by its name (browser-bench.mjs's SPAN_TARGETS).
const SPAN_ROW = '#waterfall-panel .wf-row[data-span-index]:not(.empty) .wf-text';

const server = await serveBench(cli);
const browser = await launch();
try {
  const { context, page } = await openProfile(browser, server, cli.size, { traces: spans });
  await page.waitForTimeout(3000);
  const cdp = await profiler(context, page);
  const selfUs = new Map();
  let totalUs = 0;
  const strip = page.locator('canvas#timeline');
  // The span list may be folded away in a <details>: open it as the bench does.
  const folded = page.locator('#waterfall-panel details:not([open]) > summary');
  if (spans && (await folded.count()) > 0) await folded.first().click();
  for (let i = 0; i < count; i += 1) {
    // The gesture up to its last event, which is sent under the profiler.
    let finish;
    if (spans) {
      const row = page.locator(SPAN_ROW).nth(i);
      await row.scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      const box = await row.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      finish = () => page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    } else {
      const box = await strip.boundingBox();
      await dragAcrossStrip(page, box, i, count);
      await page.waitForTimeout(300);
      finish = () => page.mouse.up();
    }
    await cdp.send('Profiler.start');
    await finish();
    await page.waitForTimeout(1500);
    const { profile: p } = await cdp.send('Profiler.stop');
    if (out) writeFileSync(out.replace(/(\.cpuprofile)?$/, `-${i}.cpuprofile`), JSON.stringify(p));
    // Busy stretches (split at 3 ms of idle), with their heaviest functions: the first ones,
    // up to the flame graph's repaint, are what the gesture → repaint time is made of.
    if (cli.flag('--segments')) {
      const segs = busyStretches(p, 3000);
      const t0 = segs[0]?.start ?? 0;
      for (const g of segs.slice(0, 8)) {
        console.log(`${what} ${i}: +${((g.start - t0) / 1000).toFixed(1)} ms, busy ${((g.end - g.start) / 1000).toFixed(1)} ms: ` +
          heaviest(g.self, 8).map(([n, us]) => `${short(n, 60)} ${(us / 1000).toFixed(1)}`).join(' | '));
      }
    }
    totalUs += addSelfTimes(p, selfUs);
    if (!spans) await page.keyboard.press('Escape');
    await page.waitForTimeout(1500);
  }
  console.log(`self time over ${count} ${what}s, busy (not idle) ${(totalUs / 1000).toFixed(1)} ms in all`);
  for (const [name, us] of heaviest(selfUs, top)) console.log(`${(us / 1000 / count).toFixed(2).padStart(8)} ms/${what}  ${name.slice(0, 150)}`);
} finally {
  await browser.close();
  await server.close();
}
