// The sandwich view: one function's callers (bottom-up, the function in the bottom row) above
// its callees (top-down, the function in the top row). Its numbers are checked against
// arithmetic done here on `spanflame fold`'s lines (with the same transform): the function's
// total is the weight of the lines it is on, once per line; its self weight that of the lines
// it ends; a direct caller weighs the lines where it comes right before the innermost call,
// a direct callee those where it comes right after the outermost call.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  REPO_ROOT,
  SCREENSHOT_DIR,
  openDemo,
  runCli,
  waitForFrame,
  waitForPaintedCanvas,
} from './harness.mjs';

const DEMO = path.join(REPO_ROOT, 'public/demo/profile.binpb');

/** The demo's folded lines by the CLI, after `--transform text` when given. */
function cliLines(transform) {
  const out = runCli(['fold', DEMO, ...(transform ? ['--transform', transform] : [])]);
  return out
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('(no stack)'))
    .map((l) => {
      const at = l.lastIndexOf(' ');
      return { frames: l.slice(0, at).split(';'), weight: Number(l.slice(at + 1)) };
    });
}

/** What the sandwich of `f` must show, from folded lines alone. */
function expected(lines, f) {
  const want = { self: 0, total: 0, callers: {}, callees: {} };
  for (const { frames, weight } of lines) {
    const first = frames.indexOf(f);
    const last = frames.lastIndexOf(f);
    if (first < 0) continue;
    want.total += weight;
    if (last === frames.length - 1) want.self += weight;
    if (last > 0) {
      const caller = frames[last - 1];
      want.callers[caller] = (want.callers[caller] ?? 0) + weight;
    }
    if (first < frames.length - 1) {
      const callee = frames[first + 1];
      const row = (want.callees[callee] ??= { total: 0, self: 0 });
      row.total += weight;
      if (first + 1 === frames.length - 1) row.self += weight;
    }
  }
  return want;
}

/** What the page shows for the open sandwich (rows summed by name). */
async function shown(page) {
  return page.evaluate(() => {
    const summary = document.querySelector('#sandwich-summary');
    const rows = (id) => {
      const out = {};
      for (const tr of document.querySelectorAll(`#${id} tbody tr`)) {
        const row = (out[tr.dataset.name] ??= { total: 0, self: 0 });
        row.total += Number(tr.dataset.total);
        row.self += Number(tr.dataset.self);
      }
      return out;
    };
    return {
      name: summary?.dataset.name,
      self: Number(summary?.dataset.self),
      total: Number(summary?.dataset.total),
      callers: Object.fromEntries(Object.entries(rows('sandwich-callers-table')).map(([k, v]) => [k, v.total])),
      callees: rows('sandwich-callees-table'),
    };
  });
}

/** Waits for the sandwich of `f` to be drawn, then checks its numbers against `lines`. */
async function checkSandwich(page, f, lines) {
  await page.waitForFunction((f) => document.querySelector('#sandwich-summary')?.dataset.name === f, f);
  await waitForPaintedCanvas(page, { selector: 'canvas#sandwich-callees', minShare: 0.01 });
  const want = expected(lines, f);
  assert.ok(want.total > 0, `${f} is in the demo's stacks`);
  const got = await shown(page);
  assert.equal(got.total, want.total, `total of ${f}`);
  assert.equal(got.self, want.self, `self of ${f}`);
  assert.deepEqual(got.callers, want.callers, `direct callers of ${f}`);
  assert.deepEqual(got.callees, want.callees, `direct callees of ${f}`);

  // Both graphs are rooted at the function, full width, and its two rows touch: the
  // callers' in the bottom row of the upper pane, the callees' in the top row of the lower.
  const rows = (id) =>
    page.$$eval(`#${id}-mirror li`, (items) =>
      items.map((li) => ({ name: li.dataset.name, depth: Number(li.dataset.depth), y: Number(li.dataset.y), w: Number(li.dataset.w) })),
    );
  await page.waitForFunction((f) => document.querySelector('#sandwich-callers-mirror li[data-depth="0"]')?.dataset.name === f, f);
  await page.waitForFunction((f) => document.querySelector('#sandwich-callees-mirror li[data-depth="0"]')?.dataset.name === f, f);
  const callers = await rows('sandwich-callers');
  const callees = await rows('sandwich-callees');
  const top = (list) => list.filter((r) => r.depth === 0);
  assert.equal(top(callers).length, 1);
  assert.equal(top(callees).length, 1);
  const box = (id) => page.$eval(`canvas#${id}`, (c) => c.getBoundingClientRect().toJSON());
  const [above, below] = [await box('sandwich-callers'), await box('sandwich-callees')];
  assert.ok(Math.abs(top(callers)[0].w - above.width) < 2, 'the function spans the callers pane');
  assert.ok(Math.abs(top(callees)[0].w - below.width) < 2, 'the function spans the callees pane');
  for (const r of callers.filter((r) => r.depth > 0)) assert.ok(r.y < top(callers)[0].y, `caller ${r.name} is drawn above the function`);
  const bottomOfCallers = above.top + top(callers)[0].y + 18;
  const topOfCallees = below.top + top(callees)[0].y;
  assert.ok(Math.abs(topOfCallees - bottomOfCallers) <= 4, `the function's rows meet: ${bottomOfCallers} vs ${topOfCallees}`);
  return want;
}


test('the sandwich from the table: callers and callees as the CLI counts them; Esc goes back', async (t) => {
  const { page, ...session } = await openDemo(t);
  const lines = cliLines();
  await page.waitForSelector('#top-functions tbody tr[data-name="handle_request"]');
  await page.dblclick('#top-functions tbody tr[data-name="handle_request"] button.fn');
  const want = await checkSandwich(page, 'handle_request', lines);
  assert.ok(Object.keys(want.callees).length >= 2, 'handle_request calls several functions');
  await page.waitForFunction(() => /[#&]sandwich=handle_request(@|&|$)/.test(location.hash));
  assert.equal(await page.$('#flame-scroll'), null, 'the sandwich replaces the flame graph');
  // A tooltip over the callees' root: the function, with its total.
  const callees = await page.$eval('canvas#sandwich-callees', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.move(callees.left + 60, callees.top + 9);
  await page.waitForSelector('#sandwich-callees-tooltip');
  assert.match(await page.innerText('#sandwich-callees-tooltip .tip-name'), /^handle_request$/);
  // Shares are of every sample the view keeps, as in the flame graph (not of the function).
  const all = lines.reduce((sum, l) => sum + l.weight, 0);
  const share = `${((100 * want.total) / all).toFixed(1)}%`;
  assert.ok((await page.innerText('#sandwich-callees-tooltip')).includes(`${share} of total`), share);
  assert.ok((await page.innerText('#sandwich-summary')).includes(`${share} of all`), share);
  await session.screenshot('sandwich-light');
  await page.mouse.move(5, 5);

  // A click zooms one half; the first Esc zooms out and keeps the sandwich.
  const calleeRow = (name) =>
    page.$eval(`#sandwich-callees-mirror li[data-name="${name}"]`, (li) => ({ x: Number(li.dataset.x), y: Number(li.dataset.y), w: Number(li.dataset.w) }));
  const hashLoop = await calleeRow('hash_loop');
  assert.ok(hashLoop.w < callees.width - 10, 'hash_loop is a part of handle_request');
  await page.mouse.click(callees.left + hashLoop.x + 10, callees.top + hashLoop.y + 9);
  await page.waitForFunction((w) => Number(document.querySelector('#sandwich-callees-mirror li[data-name="hash_loop"]')?.dataset.w) > w - 2, callees.width);
  await page.keyboard.press('Escape');
  await page.waitForFunction((w) => Number(document.querySelector('#sandwich-callees-mirror li[data-name="hash_loop"]')?.dataset.w) < w - 10, callees.width);
  assert.ok(await page.$('#sandwich'), 'the first Esc only zoomed out');

  // While it is open, a click in the table switches it: fib, which recurses, is counted
  // once per sample above and below.
  await page.click('#top-functions tbody tr[data-name="fib"] button.fn');
  const fib = await checkSandwich(page, 'fib', lines);
  assert.ok(fib.callers.fib > 0, 'fib calls itself: its innermost call has fib as caller');
  await session.screenshot('sandwich-fib-light');
  await page.locator('#sandwich').screenshot({ path: path.join(SCREENSHOT_DIR, 'sandwich-fib-light-view.png') });

  // Esc: back to the flame graph, and out of the address.
  await page.keyboard.press('Escape');
  await page.waitForSelector('#sandwich', { state: 'detached' });
  await waitForPaintedCanvas(page);
  await page.waitForFunction(() => !/sandwich=/.test(location.hash));

  // `c` and the toolbar's button open it for the selected function (fib, selected above).
  await page.keyboard.press('c');
  await checkSandwich(page, 'fib', lines);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#sandwich', { state: 'detached' });
  await page.click('#sandwich-button');
  await checkSandwich(page, 'fib', lines);
  await page.click('#sandwich-close');
  await page.waitForSelector('#sandwich', { state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.id === 'flame-scroll');
  session.assertClean();
});

test('the sandwich from the frame menu, with a transform, in the dark theme, survives a reload', async (t) => {
  const { page, ...session } = await openDemo(t, { colorScheme: 'dark' });
  // Drop busy_sleep's samples first: the sandwich is of what the view keeps.
  await page.click('#top-functions tbody tr[data-name="busy_sleep"] button.fn');
  await page.keyboard.press('d');
  await page.waitForFunction(() => /[#&]transforms=/.test(location.hash));
  await page.waitForFunction(() => !document.querySelector('#flame-mirror li[data-name="busy_sleep"]'));
  const transform = /[#&]transforms=([^&]*)/.exec(await page.url())[1];
  const lines = cliLines(transform);
  assert.ok(!lines.some((l) => l.frames.includes('busy_sleep')), 'the CLI dropped busy_sleep too');

  const frame = await waitForFrame(page, 'handle_request');
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.click(box.left + frame.x + Math.min(frame.w / 2, 40), box.top + frame.y + 9, { button: 'right' });
  await page.waitForSelector('#frame-menu');
  await page.click('#frame-menu [data-code="sandwich"]');
  const want = await checkSandwich(page, 'handle_request', lines);
  assert.ok(!('busy_sleep' in want.callees));
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.waitForFunction(() => document.activeElement?.id === 'sandwich-callees-scroll');
  await session.screenshot('sandwich-dark');
  await page.locator('#sandwich').screenshot({ path: path.join(SCREENSHOT_DIR, 'sandwich-dark-view.png') });

  // From a caller's frame menu, that caller's sandwich.
  const caller = Object.keys(want.callers)[0];
  assert.ok(caller, 'handle_request has a caller');
  const callerRow = await page.$eval(`#sandwich-callers-mirror li[data-name="${caller}"]`, (li) => ({ x: Number(li.dataset.x), y: Number(li.dataset.y), w: Number(li.dataset.w) }));
  const callersBox = await page.$eval('canvas#sandwich-callers', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.click(callersBox.left + callerRow.x + Math.min(callerRow.w / 2, 40), callersBox.top + callerRow.y + 9, { button: 'right' });
  await page.waitForSelector('#frame-menu');
  await page.click('#frame-menu [data-code="sandwich"]');
  await checkSandwich(page, caller, lines);
  await page.waitForFunction((c) => location.hash.includes(`sandwich=${encodeURIComponent(c)}`), caller);

  // A reload reopens the same sandwich over the same transformed samples.
  await page.reload();
  await checkSandwich(page, caller, lines);
  assert.match(await page.innerText('#transform-chips'), /Drop busy_sleep/);
  await session.screenshot('sandwich-dark-reloaded');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#sandwich', { state: 'detached' });
  await waitForPaintedCanvas(page);
  await page.waitForFunction(() => !/sandwich=/.test(location.hash) && /transforms=/.test(location.hash));
  session.assertClean();
});
