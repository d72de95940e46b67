// The timeline above the flame graph: drawn on the demo, the time-range brush re-aggregates
// the graph and table to what the CLI's `fold --from --to` gives, the range lives in the
// hash, Escape clears it, and split-by tracks add rows. Expected totals come from the CLI
// (run here on the same file), not from the app.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  REPO_ROOT,
  afterNextFrame,
  canvasStats,
  dropFiles,
  mirrorFrames,
  openApp,
  runCli,
  waitForFrame,
  waitForPaintedCanvas,
} from './harness.mjs';

const DEMO = path.join(REPO_ROOT, 'public/demo/profile.binpb');
const DEMO_TOTAL = 187;

const plain = (text) => text.replace(/[\u202f\u00a0 ]/g, '');

async function openDemo(t, url) {
  const session = await openApp(t, { viewport: { width: 1400, height: 900 } });
  await session.page.goto(url ?? session.url);
  await waitForPaintedCanvas(session.page);
  await waitForFrame(session.page, 'busy_sleep');
  await waitForPaintedCanvas(session.page, { selector: 'canvas#timeline', minShare: 0.01 });
  return session;
}

/** Total weight of the demo's samples in [from, to), by the CLI. */
function cliTotal(from, to) {
  return cliFold(['--from', String(from), '--to', String(to)]);
}

async function waitForTotal(page, want) {
  await page.waitForFunction((want) => document.querySelector('#total')?.textContent.replace(/[\u202f\u00a0 ]/g, '') === want, String(want), {
    timeout: 5000,
  });
}

/** The timeline strip draws what the graph shows: the weight it bins equals `want`. */
async function waitForTimelineWeight(page, want) {
  try {
    await page.waitForFunction((want) => document.querySelector('canvas#timeline')?.dataset.weight === want, String(want), { timeout: 5000 });
  } catch (e) {
    const got = await page.$eval('canvas#timeline', (c) => c.dataset.weight);
    throw new Error(`timeline weight ${got}, want ${want}: ${e.message}`);
  }
}

function hashRange(url) {
  const m = /[#&]range=(\d+)-(\d+)/.exec(url);
  return m && [BigInt(m[1]), BigInt(m[2])];
}

/** Drags across the timeline from `a` to `b` (shares of its width). */
async function brush(page, a, b) {
  const box = await page.$eval('canvas#timeline', (c) => {
    const r = c.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  });
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * a, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((a + b) / 2), y, { steps: 3 });
  await page.mouse.move(box.x + box.width * b, y, { steps: 3 });
  await page.mouse.up();
}

test('the timeline is drawn on the demo', async (t) => {
  const { page, ...session } = await openDemo(t);
  const stats = await canvasStats(page, 'canvas#timeline');
  assert.ok(stats.painted > 0.02 * stats.total, `timeline painted: ${JSON.stringify(stats)}`);
  const box = await page.$eval('canvas#timeline', (c) => c.getBoundingClientRect().height);
  assert.ok(box >= 50 && box <= 90, `strip height ${box}`);
  await session.screenshot('timeline-demo');
  session.assertClean();
});

test('brushing a range re-aggregates to the CLI numbers, and the hash keeps it', async (t) => {
  const { page, url, ...session } = await openDemo(t);
  await afterNextFrame(page);
  assert.equal(plain(await page.innerText('#total')), String(DEMO_TOTAL));
  await brush(page, 0.3, 0.7);
  await page.waitForSelector('#time-range');
  await page.waitForFunction(() => /range=\d+-\d+/.test(location.hash));
  const [from, to] = hashRange(await page.url());
  assert.ok(from < to);
  const want = cliTotal(from, to);
  assert.ok(want > 0 && want < DEMO_TOTAL, `the CLI keeps part of the samples: ${want}`);
  await waitForTotal(page, want);
  // The table follows: its self weights add up to the total.
  await page.waitForFunction(
    (want) => [...document.querySelectorAll('#top-functions tbody tr')].reduce((s, r) => s + Number(r.dataset.self), 0) === want,
    want,
    { timeout: 5000 },
  );
  const chip = plain(await page.innerText('#time-range'));
  const share = `${((want * 100) / DEMO_TOTAL).toFixed(1).replace(/\.0$/, '')}%`;
  assert.ok(chip.includes(share), `chip ${chip} shows the share ${share}`);
  await session.screenshot('timeline-brushed');

  // Zooming the strip to the range bins just its samples; "Whole time range" goes back.
  await page.click('#timeline-zoom');
  await waitForTimelineWeight(page, want);
  await page.click('#timeline-zoom-out');
  await waitForTimelineWeight(page, DEMO_TOTAL);
  assert.equal(await page.$('#timeline-zoom-out'), null);

  // A reload with the hash shows the same range.
  const hashed = await page.url();
  await page.goto('about:blank');
  await page.goto(hashed);
  await waitForPaintedCanvas(page);
  await page.waitForSelector('#time-range');
  await waitForTotal(page, want);

  // Escape clears it.
  await page.keyboard.press('Escape');
  await waitForTotal(page, DEMO_TOTAL);
  assert.equal(await page.$('#time-range'), null);
  await page.waitForFunction(() => !location.hash.includes('range='));
  session.assertClean();
});

test('split by thread adds one track per thread', async (t) => {
  const { page, ...session } = await openDemo(t);
  const before = await page.$eval('canvas#timeline', (c) => c.getBoundingClientRect().height);
  const options = await page.$$eval('#timeline-split option', (o) => o.map((x) => x.value));
  assert.ok(options.includes('thread.name'), `split options: ${options}`);
  await page.selectOption('#timeline-split', 'thread.name');
  await page.waitForFunction(
    (before) => document.querySelector('canvas#timeline').getBoundingClientRect().height > before,
    before,
  );
  const after = await page.$eval('canvas#timeline', (c) => c.getBoundingClientRect().height);
  // The demo's samples run on two threads.
  assert.equal(after - before, 2 * 14);
  await waitForPaintedCanvas(page, { selector: 'canvas#timeline', minShare: 0.01 });
  await session.screenshot('timeline-split');
  session.assertClean();
});

/** Total weight of the demo's samples under CLI filter arguments. */
function cliFold(args) {
  const out = runCli(['fold', DEMO, ...args]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

test('picking a thread in the filter bar keeps its samples, and the hash keeps it', async (t) => {
  const { page, ...session } = await openDemo(t);
  await page.click('#filter-button');
  await page.waitForSelector('#filter-list .facet[data-key="thread.name"]');
  const values = await page.$$eval('#filter-list .facet[data-key="thread.name"] .include', (b) => b.map((x) => x.dataset.value));
  assert.ok(values.includes('MainThread'), `thread names: ${values}`);
  const want = cliFold(['--attr', 'thread.name=MainThread']);
  assert.ok(want > 0 && want < DEMO_TOTAL, `MainThread has part of the samples: ${want}`);
  await page.click('#filter-list .facet[data-key="thread.name"] .include[data-value="MainThread"]');
  await waitForTotal(page, want);
  assert.match(await page.innerText('#attr-chips'), /thread\.name = MainThread/);
  await page.waitForFunction(() => location.hash.includes('attr=thread.name%3DMainThread'));
  await session.screenshot('timeline-attr');

  // A reload with the hash keeps the condition.
  const hashed = await page.url();
  await page.goto('about:blank');
  await page.goto(hashed);
  await waitForPaintedCanvas(page);
  await waitForTotal(page, want);

  // Excluding instead keeps the rest; × removes the condition.
  await page.click('#filter-button');
  await page.click('#filter-list .facet[data-key="thread.name"] .facet-value:has(.include[data-value="MainThread"]) .exclude');
  await waitForTotal(page, cliFold(['--exclude-attr', 'thread.name=MainThread']));
  await page.click('#attr-chips .dismiss');
  await waitForTotal(page, DEMO_TOTAL);
  session.assertClean();
});

test('dropping a function with `d` and removing the transform restores the graph', async (t) => {
  const { page, ...session } = await openDemo(t);
  await page.click('#top-functions tbody tr[data-name="hash_loop"] button');
  await page.waitForFunction(() => !document.querySelector('#transform-button').disabled);
  await page.locator('#top-functions').blur();
  await page.keyboard.press('d');
  await page.waitForFunction(() => /transforms=df:hash_loop@[^&]*app\.py/.test(location.hash));
  const text = /transforms=([^&]*)/.exec(await page.url())[1];
  const want = cliFold(['--transform', text]);
  assert.equal(want, DEMO_TOTAL - 44, 'the CLI drops the 44 hash_loop samples');
  await waitForTotal(page, want);
  await waitForTimelineWeight(page, want);
  assert.match(await page.innerText('#transform-chips'), /Drop hash_loop/);
  assert.ok(!(await mirrorFrames(page)).some((f) => f.name === 'hash_loop'), 'hash_loop is gone from the graph');

  // A reload keeps it; × undoes it.
  const hashed = await page.url();
  await page.goto('about:blank');
  await page.goto(hashed);
  await waitForPaintedCanvas(page);
  await waitForTotal(page, want);
  await page.click('#transform-chips .dismiss');
  await waitForTotal(page, DEMO_TOTAL);
  await waitForTimelineWeight(page, DEMO_TOTAL);
  await waitForFrame(page, 'hash_loop');

  // The menu applies the same to the selected function.
  await page.click('#top-functions tbody tr[data-name="hash_loop"] button');
  await page.click('#transform-button');
  await page.click('#transform-menu button[data-code="df"]');
  await waitForTotal(page, want);
  await session.screenshot('timeline-transform');
  session.assertClean();
});

test('at 1400×900 the timeline, ten rows of the graph and the span list show together; the waterfall collapses', async (t) => {
  const { page, ...session } = await openDemo(t);
  const boxes = await page.evaluate(() => {
    const box = (sel) => document.querySelector(sel).getBoundingClientRect().toJSON();
    return { wf: box('#waterfall-scroll'), timeline: box('canvas#timeline'), flame: box('#flame-scroll') };
  });
  assert.ok(boxes.wf.height >= 100, `the span list shows rows: ${JSON.stringify(boxes.wf)}`);
  assert.ok(boxes.timeline.bottom <= 900, `timeline in view: ${JSON.stringify(boxes.timeline)}`);
  assert.ok(boxes.flame.top + 10 * 18 <= 900, `ten graph rows in view: ${JSON.stringify(boxes.flame)}`);
  await session.screenshot('timeline-layout');

  // Hiding the waterfall keeps only its heading; the choice survives a reload.
  await page.click('#waterfall-toggle');
  await page.waitForFunction(() => !document.querySelector('#waterfall-scroll')?.checkVisibility());
  await page.reload();
  await waitForPaintedCanvas(page);
  await page.waitForSelector('#waterfall-toggle');
  assert.equal(await page.getAttribute('#waterfall-toggle', 'aria-pressed'), 'true');
  assert.ok(!(await page.$eval('#waterfall-scroll', (el) => el.checkVisibility())));
  await page.click('#waterfall-toggle');
  await page.waitForFunction(() => document.querySelector('#waterfall-scroll')?.checkVisibility());
  session.assertClean();
});

test('a file without timestamps says so instead of drawing a timeline', async (t) => {
  const { page, ...session } = await openDemo(t);
  await dropFiles(page, [{ name: 'stacks.folded', bytes: 'main;work;leaf 3\nmain;idle 2\n' }]);
  await waitForFrame(page, 'leaf');
  await waitForTotal(page, 5);
  assert.equal(await page.innerText('#timeline-none'), 'This file has no timestamps');
  assert.ok(!(await page.$eval('canvas#timeline', (c) => c.checkVisibility())));
  session.assertClean();
});
