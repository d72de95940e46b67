// The differential flame graph: a real before/after pair (node --cpu-prof of one workload,
// then with its `warm` phase made 3x longer: core/tests/fixtures/diff/) compared with
// "Compare with…", and a demo span compared with the other spans of its name. The page's
// numbers (the diff table's data attributes, both totals) are checked against plain
// arithmetic over the CLI's folded stacks (`spanflame diff`, `spanflame fold --same-name`),
// the graph's colours coarsely (what grew is red, what shrank blue), and screenshots are
// taken in both themes.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  REPO_ROOT,
  SCREENSHOT_DIR,
  canvasPixel,
  dropFiles,
  expectText,
  openApp,
  runCli,
  waitForFrame,
  waitForPaintedCanvas,
} from './harness.mjs';

const FIXTURES = path.join(REPO_ROOT, 'core/tests/fixtures/diff');
const BASE = path.join(FIXTURES, 'base.cpuprofile');
const SLOWER = path.join(FIXTURES, 'slower.cpuprofile');
const DEMO = path.join(REPO_ROOT, 'public/demo/profile.binpb');
const DEMO_TRACES = path.join(REPO_ROOT, 'public/demo/traces.json');

/** `stack n...` lines (names may hold spaces) as [frames, [n...]]. */
function parseCounts(text, columns) {
  const re = new RegExp(`^(.*)${' (-?\\d+)'.repeat(columns)}$`);
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = line.match(re);
      assert.ok(m, `a folded line: ${line}`);
      return [m[1].split(';'), m.slice(2).map(Number)];
    });
}

/** Per function name: total (stacks holding it, once each) and self (stacks ending in it). */
function functionWeights(lines, column) {
  const out = new Map();
  for (const [frames, counts] of lines) {
    const w = counts[column];
    for (const name of new Set(frames)) {
      const f = out.get(name) ?? { total: 0, self: 0 };
      f.total += w;
      out.set(name, f);
    }
    out.get(frames.at(-1)).self += w;
  }
  return out;
}

const sum = (lines, column) => lines.reduce((s, [, counts]) => s + counts[column], 0);

async function diffRows(page) {
  return page.$$eval('#diff-table tbody tr', (rows) =>
    rows.map((r) => ({
      name: r.dataset.name,
      beforeSelf: Number(r.dataset.beforeSelf),
      afterSelf: Number(r.dataset.afterSelf),
      beforeTotal: Number(r.dataset.beforeTotal),
      afterTotal: Number(r.dataset.afterTotal),
      delta: Number(r.dataset.delta),
      changed: r.dataset.changed === 'true',
    })),
  );
}

/** Checks each table row whose name is unique against the CLI's per-function weights. */
function checkAgainst(rows, before, after, totals) {
  const counts = new Map();
  for (const r of rows) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  let checked = 0;
  for (const r of rows) {
    if (counts.get(r.name) > 1) continue;
    const b = before.get(r.name) ?? { total: 0, self: 0 };
    const a = after.get(r.name) ?? { total: 0, self: 0 };
    assert.deepEqual(
      [r.beforeTotal, r.beforeSelf, r.afterTotal, r.afterSelf],
      [b.total, b.self, a.total, a.self],
      `${r.name}: before total/self, after total/self`,
    );
    const delta = a.total / totals.after - b.total / totals.before;
    assert.ok(Math.abs(r.delta - delta) < 1e-9, `${r.name}: delta ${r.delta} vs ${delta}`);
    checked += 1;
  }
  return checked;
}

// The workload's own functions and a few of node's: few enough that the table lists every
// function of these names (of any file), so a name found once is one function.
const CHECKED = '^(warm|hot|cold|phase|fib|\\(program\\)|\\(garbage collector\\)|Module\\._load|executeUserEntryPoint)$';

/** Searches the table for CHECKED and checks what it lists against the CLI. */
async function checkSearched(page, before, after, totals) {
  await page.check('#search-regex');
  await page.fill('#search', CHECKED);
  const re = new RegExp(CHECKED, 'i');
  await page.waitForFunction(
    (source) => [...document.querySelectorAll('#diff-table tbody tr')].every((r) => new RegExp(source, 'i').test(r.dataset.name)),
    CHECKED,
  );
  const rows = await diffRows(page);
  assert.ok(rows.every((r) => re.test(r.name)));
  assert.doesNotMatch(await page.innerText('#functions-panel'), /more functions/, 'the table lists them all');
  const checked = checkAgainst(rows, before, after, totals);
  await page.fill('#search', '');
  await page.uncheck('#search-regex');
  return checked;
}

/** Whether an [r, g, b] is clearly blue. */
const bluish = ([r, g, b]) => b > r + 30 && b >= g;

/** The fill of a frame: near its right end, clear of its left-aligned label. */
async function frameColour(page, frame) {
  return (await canvasPixel(page, frame.x + frame.w - 4, frame.y + 9)).slice(0, 3);
}

// The ends of the diff ramps (spanflame_core::palette::diff_colour at ±5 points and beyond,
// the same in both themes): warm grew and hot shrank by far more than that.
const DEEP_RED = [0xb2, 0x18, 0x2b];
const DEEP_BLUE = [0x21, 0x66, 0xac];

/**
 * Saves the window (not the whole page: the diff table is long) scrolled so that the diff bar
 * is at the top, as target/e2e-screenshots/<name>.png.
 */
async function shot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.$eval('#diff-bar', (el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

async function setTheme(page, theme) {
  await page.emulateMedia({ colorScheme: theme });
  await page.waitForFunction((theme) => document.documentElement.dataset.theme === theme, theme);
  // The canvas repaints at the next frame.
  await page.waitForTimeout(200);
}

test('Compare with… a baseline file: the differential graph and table show what grew', async (t) => {
  const { page, ...session } = await openApp(t, { viewport: { width: 1500, height: 950 } });
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  // The comparison: the slower run, opened as any file.
  await dropFiles(page, [{ path: SLOWER }]);
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('slower.cpuprofile'));
  await waitForPaintedCanvas(page);
  assert.equal(await page.$('#diff-bar'), null, 'no comparison before one is asked for');
  // The baseline, through the Compare with… picker.
  await page.setInputFiles('#compare-input', BASE);
  await page.waitForSelector('#diff-table tbody tr');
  assert.equal(await page.$('#error'), null, 'no error banner');
  assert.equal(await page.$('#top-functions'), null, 'the diff table replaces the functions table');

  const lines = parseCounts(runCli(['diff', BASE, SLOWER]), 2);
  const totals = { before: sum(lines, 0), after: sum(lines, 1) };
  assert.ok(totals.before > 0 && totals.after > totals.before, `totals ${JSON.stringify(totals)}`);
  assert.equal(Number(await page.getAttribute('#diff-before-total', 'data-total')), totals.before);
  assert.equal(Number(await page.getAttribute('#diff-after-total', 'data-total')), totals.after);
  assert.match(await page.innerText('#diff-bar'), /slower\.cpuprofile[\s\S]*vs[\s\S]*base\.cpuprofile/);

  const before = functionWeights(lines, 0);
  const after = functionWeights(lines, 1);
  const checked = await checkSearched(page, before, after, totals);
  assert.ok(checked >= 5, `checked ${checked} rows`);
  await page.waitForFunction(() => document.querySelectorAll('#diff-table tbody tr').length === 100);
  const rows = await diffRows(page);
  // What the fixture changed: warm grew, hot shrank, and the table leads with what grew most.
  assert.equal(rows[0].name, 'warm', 'what grew most heads the table');
  const warm = rows[0];
  assert.ok(warm.delta > 0.05, `warm grew: ${warm.delta}`);
  assert.match(await page.innerText(`#diff-table tr[data-name="warm"] td.delta`), /^\+\d+\.\d pp$/);
  assert.ok(rows.every((r, i) => i === 0 || r.delta <= rows[i - 1].delta), 'sorted by the change of total share');
  // Sorted the other way, what shrank most comes first.
  await page.click('#diff-table [data-sort="Δ total"]');
  await page.waitForFunction(() => document.querySelector('#diff-table tbody tr')?.dataset.name !== 'warm');
  const shrank = await diffRows(page);
  assert.equal(shrank[0].name, 'hot', 'what shrank most heads the table');
  const hot = shrank[0];
  assert.ok(hot.delta < -0.05, `hot shrank: ${hot.delta}`);

  // The graph: width is the comparison, colour the change.
  const warmFrame = await waitForFrame(page, 'warm');
  const hotFrame = await waitForFrame(page, 'hot');
  assert.deepEqual(await frameColour(page, warmFrame), DEEP_RED, 'warm grew: deep red');
  assert.deepEqual(await frameColour(page, hotFrame), DEEP_BLUE, 'hot shrank: deep blue');
  assert.match(await page.innerText('#legend'), /shrank[\s\S]*unchanged[\s\S]*grew/);

  // The tooltip says before, after and the change.
  // The graph is below the waterfall: bring it into the window to point at it.
  await page.$eval('#flame-scroll', (el) => el.scrollIntoView({ block: 'center' }));
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.move(box.left + warmFrame.x + Math.min(warmFrame.w / 2, 30), box.top + warmFrame.y + 9);
  await page.waitForSelector('#flame-tooltip .tip-delta');
  const tip = await page.innerText('#flame-tooltip');
  assert.match(tip, /Before[\s\S]*of baseline[\s\S]*After[\s\S]*of comparison[\s\S]*Change\s*\+\d+\.\d pp/);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'diff-files-tooltip.png') });
  await page.mouse.move(box.left + 2, box.top - 30);

  await shot(page, 'diff-files-light');
  await setTheme(page, 'dark');
  assert.deepEqual(await frameColour(page, warmFrame), DEEP_RED, 'warm is deep red in the dark theme');
  assert.deepEqual(await frameColour(page, hotFrame), DEEP_BLUE, 'hot is deep blue in the dark theme');
  await shot(page, 'diff-files-dark');
  await setTheme(page, 'light');

  // Another sample type: the baseline follows it (matched by name and unit).
  await page.selectOption('#sample-type', '1');
  const counted = parseCounts(runCli(['diff', BASE, SLOWER, '--sample-type', 'samples']), 2);
  const countTotals = { before: sum(counted, 0), after: sum(counted, 1) };
  await page.waitForFunction(
    (want) => Number(document.querySelector('#diff-before-total')?.dataset.total) === want,
    countTotals.before,
  );
  assert.equal(Number(await page.getAttribute('#diff-after-total', 'data-total')), countTotals.after);
  assert.ok((await checkSearched(page, functionWeights(counted, 0), functionWeights(counted, 1), countTotals)) >= 5);
  await page.selectOption('#sample-type', '0');
  await page.waitForFunction(
    (want) => Number(document.querySelector('#diff-before-total')?.dataset.total) === want,
    totals.before,
  );

  // Sorting: by the comparison's total weight, largest first, then the other way.
  await page.click('#diff-table [data-sort="Total after"]');
  let sorted = await diffRows(page);
  assert.deepEqual(sorted.map((r) => r.afterTotal), [...sorted.map((r) => r.afterTotal)].sort((a, b) => b - a));
  await page.click('#diff-table [data-sort="Total after"]');
  sorted = await diffRows(page);
  assert.deepEqual(sorted.map((r) => r.afterTotal), [...sorted.map((r) => r.afterTotal)].sort((a, b) => a - b));

  // Only changed: unchanged rows go, changed frames stay bright.
  const unchanged = rows.filter((r) => !r.changed).length;
  assert.ok(unchanged > 0, 'some functions did not change');
  await page.check('#diff-only-changed');
  await page.waitForFunction(() => [...document.querySelectorAll('#diff-table tbody tr')].every((r) => r.dataset.changed === 'true'));
  assert.ok((await diffRows(page)).length < rows.length);
  await page.waitForFunction(() => document.querySelector('#flame-mirror li[data-name="warm"]')?.dataset.match === 'true');
  await shot(page, 'diff-files-only-changed');
  await page.uncheck('#diff-only-changed');

  // Swap: the baseline becomes the comparison, so warm shrank.
  await page.click('#diff-swap');
  await page.waitForFunction(
    (want) => Number(document.querySelector('#diff-after-total')?.dataset.total) === want,
    totals.before,
  );
  assert.match(await page.innerText('#summary'), /base\.cpuprofile/);
  const swappedTotals = { before: totals.after, after: totals.before };
  assert.ok((await checkSearched(page, after, before, swappedTotals)) >= 5);
  // Inverted: the functions samples end in form the top row, still coloured by their change
  // (warm shrank now); the table stays the top-down one.
  await page.check('#inverted');
  const warmLeaf = await waitForFrame(page, 'warm', (f) => f.depth === 0);
  await page.waitForTimeout(100);
  assert.ok(bluish(await frameColour(page, warmLeaf)), `inverted warm is blue: ${await frameColour(page, warmLeaf)}`);
  assert.ok((await checkSearched(page, after, before, swappedTotals)) >= 5);
  await page.uncheck('#inverted');
  // The search narrows the table as it does the functions table.
  await page.fill('#search', 'warm');
  await page.waitForFunction(() => [...document.querySelectorAll('#diff-table tbody tr')].every((r) => r.dataset.name.includes('warm')));
  const warmNow = (await diffRows(page)).find((r) => r.name === 'warm');
  assert.ok(warmNow && warmNow.delta < -0.05, `warm shrank once swapped: ${JSON.stringify(warmNow)}`);
  await page.fill('#search', '');

  // Leaving: the plain graph and the functions table again.
  await page.click('#diff-exit');
  await page.waitForSelector('#top-functions');
  assert.equal(await page.$('#diff-bar'), null);
  assert.equal(await page.$('#diff-table'), null);
  session.assertClean();
});

test('two profiles dropped at once are compared, the first as the baseline', async (t) => {
  const { page, ...session } = await openApp(t);
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await dropFiles(page, [{ path: BASE }, { path: SLOWER }]);
  await page.waitForSelector('#diff-table tbody tr');
  assert.match(await page.innerText('#diff-bar'), /slower\.cpuprofile[\s\S]*vs[\s\S]*base\.cpuprofile/);
  const lines = parseCounts(runCli(['diff', BASE, SLOWER]), 2);
  assert.equal(Number(await page.getAttribute('#diff-before-total', 'data-total')), sum(lines, 0));
  assert.equal(Number(await page.getAttribute('#diff-after-total', 'data-total')), sum(lines, 1));
  assert.equal((await diffRows(page))[0].name, 'warm');
  session.assertClean();
});

test('a baseline without the sample type shown says what it is compared in', async (t) => {
  const { page, ...session } = await openApp(t);
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await dropFiles(page, [{ path: SLOWER }]);
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('slower.cpuprofile'));
  await page.setInputFiles('#compare-input', DEMO);
  await page.waitForSelector('#diff-table tbody tr');
  assert.match(await page.innerText('#diff-note'), /The baseline has no cpu\/nanoseconds samples: it is compared in samples\/count\./);
  session.assertClean();
});

test('a baseline that is not a profile is refused and the view stays', async (t) => {
  const { page, ...session } = await openApp(t);
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await page.setInputFiles('#compare-input', { name: 'junk.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('not a profile at all') });
  await page.waitForSelector('#error');
  assert.match(await page.innerText('#error'), /junk\.bin/);
  assert.equal(await page.$('#diff-bar'), null, 'still not comparing');
  assert.ok(await page.$('#top-functions tbody tr'), 'the functions table stays');
  await page.setInputFiles('#compare-input', DEMO_TRACES);
  await page.waitForFunction(() => /traces, not a profile/.test(document.querySelector('#error')?.textContent ?? ''));
  assert.equal(await page.$('#diff-bar'), null, 'still not comparing');
  // The page logs nothing for a bad file: the banner is the report.
  session.assertClean();
});

test('a span compared with the other spans of its name', async (t) => {
  const span = 'd28fece0d5b12a5c';
  const { page, ...session } = await openApp(t, { viewport: { width: 1500, height: 950 } });
  await page.goto(`${session.url}#span=${span}&scope=children`);
  await waitForPaintedCanvas(page);
  await page.waitForSelector('#compare-same-name');
  assert.match(await page.innerText('#compare-same-name'), /Compare with other compute_hash spans/);
  await page.click('#compare-same-name');
  await page.waitForSelector('#diff-table tbody tr');

  const fold = (more) => parseCounts(runCli(['fold', DEMO, '--trace', DEMO_TRACES, '--span', span, '--span-scope', 'children', ...more]), 1);
  const own = fold([]);
  const others = fold(['--same-name']);
  const totals = { before: sum(others, 0), after: sum(own, 0) };
  assert.ok(totals.before > 0 && totals.after > 0, JSON.stringify(totals));
  assert.equal(Number(await page.getAttribute('#diff-before-total', 'data-total')), totals.before);
  assert.equal(Number(await page.getAttribute('#diff-after-total', 'data-total')), totals.after);
  assert.match(await page.innerText('#diff-bar'), /span compute_hash[\s\S]*vs[\s\S]*3 other compute_hash spans/);
  assert.doesNotMatch(await page.innerText('#functions-panel'), /more functions/, 'the table lists every function');
  const rows = await diffRows(page);
  const checked = checkAgainst(rows, functionWeights(others, 0), functionWeights(own, 0), totals);
  assert.ok(checked >= 3, `checked ${checked} rows`);
  // The same-name button is gone while comparing with them; the address says what is compared.
  assert.equal(await page.$('#compare-same-name'), null);
  await page.waitForFunction(() => location.hash.includes('compare=same-name'));
  const hash = await page.evaluate(() => location.hash);

  // Each compute_hash span runs the same one stack: nothing changed, all in the neutral grey.
  assert.ok(rows.every((r) => !r.changed));
  const leaf = await waitForFrame(page, 'hash_loop');
  assert.deepEqual(await frameColour(page, leaf), [0xd9, 0xd9, 0xd9], 'neutral grey (light)');
  await shot(page, 'diff-span-light');
  await setTheme(page, 'dark');
  assert.deepEqual(await frameColour(page, leaf), [0x5b, 0x60, 0x68], 'neutral grey (dark)');
  await shot(page, 'diff-span-dark');

  // Clearing the span filter leaves nothing to compare: the bar says so.
  await page.click('#active-filter button.dismiss');
  await page.waitForFunction(() => /Filter the view to a span/.test(document.querySelector('#diff-note')?.textContent ?? ''));
  await page.click('#diff-exit');
  await page.waitForSelector('#top-functions');
  await page.waitForFunction(() => !location.hash.includes('compare='));

  // The address brings the comparison back.
  await page.goto(`${session.url}${hash}`);
  await page.reload();
  await page.waitForSelector('#diff-table tbody tr');
  assert.equal(Number(await page.getAttribute('#diff-before-total', 'data-total')), totals.before);
  assert.equal(Number(await page.getAttribute('#diff-after-total', 'data-total')), totals.after);
  session.assertClean();
});

test('baselineURL in the address: a profile compared with itself has changed nothing', async (t) => {
  const { page, ...session } = await openApp(t);
  const hash = '#profileURL=demo%2Fprofile.binpb&baselineURL=demo%2Fprofile.binpb';
  await page.goto(`${session.url}${hash}`);
  await page.waitForSelector('#diff-table tbody tr');
  await waitForPaintedCanvas(page);
  const before = Number(await page.getAttribute('#diff-before-total', 'data-total'));
  assert.ok(before > 0);
  assert.equal(Number(await page.getAttribute('#diff-after-total', 'data-total')), before);
  const rows = await diffRows(page);
  assert.ok(rows.length > 3);
  for (const r of rows) {
    assert.deepEqual([r.beforeTotal, r.beforeSelf], [r.afterTotal, r.afterSelf], r.name);
    assert.equal(r.delta, 0, r.name);
    assert.equal(r.changed, false, r.name);
  }
  // Every frame is in the neutral grey.
  const frame = await waitForFrame(page, 'hash_loop');
  const [r, g, b] = await frameColour(page, frame);
  assert.ok(Math.max(r, g, b) - Math.min(r, g, b) < 8, `grey: ${[r, g, b]}`);
  assert.ok((await page.evaluate(() => location.hash)).includes('baselineURL=demo%2Fprofile.binpb'));
  session.assertClean();
});

// "Set as baseline": a selection of the loaded data (a span, a time range, attribute picks)
// pinned, then another selection of the same data compared with it. The numbers are checked
// against the CLI's `fold` of each selection (`--span`, `--from/--to`, `--attr`).

/** `spanflame fold` of the demo with `args`, as [frames, [count]] lines. */
const foldDemo = (args) => parseCounts(runCli(['fold', DEMO, '--trace', DEMO_TRACES, ...args]), 1);

/** Waits until the diff bar's totals are `totals` (before, after). */
async function waitForTotals(page, totals) {
  await page.waitForFunction(
    ({ before, after }) =>
      Number(document.querySelector('#diff-before-total')?.dataset.total) === before &&
      Number(document.querySelector('#diff-after-total')?.dataset.total) === after,
    totals,
    { timeout: 10000 },
  );
}

/** The diff table against the CLI's two folds: every row of a unique name, and the totals. */
async function checkPinned(page, baseline, comparison) {
  const totals = { before: sum(baseline, 0), after: sum(comparison, 0) };
  assert.ok(totals.before > 0 && totals.after > 0, JSON.stringify(totals));
  await waitForTotals(page, totals);
  await page.waitForSelector('#diff-table tbody tr');
  assert.doesNotMatch(await page.innerText('#functions-panel'), /more functions/, 'the table lists every function');
  const rows = await diffRows(page);
  const checked = checkAgainst(rows, functionWeights(baseline, 0), functionWeights(comparison, 0), totals);
  assert.ok(checked >= 3, `checked ${checked} rows`);
  return { totals, rows, checked };
}

/** Scrolls the waterfall until the row of `spanId` is in view; returns its selector. */
async function revealSpan(page, spanId) {
  const sel = `#waterfall-panel .wf-row[data-span-id="${spanId}"]`;
  const height = await page.$eval('#waterfall-scroll', (el) => el.scrollHeight);
  for (let top = 0; top <= height && !(await page.$(sel)); top += 100) {
    await page.$eval('#waterfall-scroll', (el, top) => {
      el.scrollTop = top;
      el.dispatchEvent(new Event('scroll'));
    }, top);
    await page.waitForTimeout(30);
  }
  await page.$eval(sel, (el) => el.scrollIntoView({ block: 'center' }));
  await page.waitForTimeout(30);
  return sel;
}

/** Clicks the name of span `spanId` in the waterfall. */
async function clickSpan(page, spanId) {
  await page.click(`${await revealSpan(page, spanId)} .wf-name`);
}

/** Drags across the timeline from `a` to `b` (shares of its width); returns the hash's range. */
async function brush(page, a, b) {
  await page.$eval('canvas#timeline', (el) => el.scrollIntoView({ block: 'center' }));
  const box = await page.$eval('canvas#timeline', (c) => c.getBoundingClientRect().toJSON());
  const y = box.top + box.height / 2;
  const before = await page.evaluate(() => location.hash);
  await page.mouse.move(box.left + box.width * a, y);
  await page.mouse.down();
  await page.mouse.move(box.left + box.width * ((a + b) / 2), y, { steps: 3 });
  await page.mouse.move(box.left + box.width * b, y, { steps: 3 });
  await page.mouse.up();
  await page.waitForFunction((before) => location.hash !== before && /(^#|&)range=\d+-\d+/.test(location.hash), before);
  const m = /(?:^#|&)range=(\d+)-(\d+)/.exec(await page.evaluate(() => location.hash));
  return [m[1], m[2]];
}

test('Set as baseline: one span against another, swapped, and from the address', async (t) => {
  const [a, b] = ['adec6d49f47ac7bb', '161746962db17094']; // GET /home/0 and GET /home/1
  const { page, ...session } = await openApp(t, { viewport: { width: 1500, height: 950 } });
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  assert.ok(await page.$eval('#pin-baseline', (el) => el.disabled), 'nothing selected: nothing to pin');
  await page.waitForSelector('#waterfall-panel .wf-row');
  await clickSpan(page, a);
  await page.waitForFunction(() => !document.querySelector('#pin-baseline')?.disabled);
  await page.click('#pin-baseline');
  await page.waitForSelector('#diff-bar');
  // Just pinned: the view is the baseline, and the bar says what to do next.
  assert.match(await page.innerText('#diff-note'), /The view is the baseline/);
  await page.waitForFunction((a) => location.hash.includes(`baseSpan=${a}`), a);

  await clickSpan(page, b);
  const spanA = foldDemo(['--span', a, '--span-scope', 'children']);
  const spanB = foldDemo(['--span', b, '--span-scope', 'children']);
  const { totals } = await checkPinned(page, spanA, spanB);
  const bar = await page.innerText('#diff-bar');
  assert.match(bar, /span GET \/home\/1 \(span and children\)[\s\S]*vs[\s\S]*span GET \/home\/0 \(span and children\)/, bar);
  assert.equal(await page.$('#diff-note'), null, `no note: ${bar}`);
  // The waterfall tags the pinned span, the timeline marks its time.
  assert.match(await page.innerText(`${await revealSpan(page, a)} .wf-baseline`), /baseline/i);
  assert.equal(await page.$$eval('#waterfall-panel .wf-baseline', (tags) => tags.length), 1);
  assert.match(await page.getAttribute('canvas#timeline', 'data-baseline'), /^\d+-\d+$/);
  await page.waitForFunction(({ a, b }) => location.hash.includes(`span=${b}`) && location.hash.includes(`baseSpan=${a}&baseScope=children`), { a, b });
  const hash = await page.evaluate(() => location.hash);

  // The tooltip says before and after as for any baseline.
  const frame = await waitForFrame(page, 'busy_sleep');
  await page.$eval('#flame-scroll', (el) => el.scrollIntoView({ block: 'center' }));
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.move(box.left + frame.x + Math.min(frame.w / 2, 30), box.top + frame.y + 9);
  await page.waitForSelector('#flame-tooltip .tip-delta');
  assert.match(await page.innerText('#flame-tooltip'), /Before[\s\S]*of baseline[\s\S]*After[\s\S]*of comparison[\s\S]*Change/);
  await page.mouse.move(box.left + 2, box.top - 30);
  // The header: Set as baseline beside Compare with….
  await page.evaluate(() => window.scrollTo(0, 0));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'diff-pinned-header.png'), clip: { x: 0, y: 0, width: 1500, height: 260 } });

  await shot(page, 'diff-pinned-spans-light');
  await setTheme(page, 'dark');
  await shot(page, 'diff-pinned-spans-dark');
  await setTheme(page, 'light');

  // Swap: the baseline's span is the view's again, and B is pinned.
  await page.click('#diff-swap');
  await waitForTotals(page, { before: totals.after, after: totals.before });
  await page.waitForFunction(({ a, b }) => location.hash.includes(`span=${a}`) && location.hash.includes(`baseSpan=${b}`), { a, b });
  await expectText(page, '#active-filter', /GET \/home\/0/);
  await checkPinned(page, spanB, spanA);

  // The address brings the comparison back after a reload.
  await page.goto(`${session.url}${hash}`);
  await page.reload();
  await checkPinned(page, spanA, spanB);

  // Leave comparison: the plain view of span B stays.
  await page.click('#diff-exit');
  await page.waitForSelector('#top-functions');
  await page.waitForFunction(() => !location.hash.includes('base'));
  await expectText(page, '#active-filter', /GET \/home\/1/);
  session.assertClean();
});

test('Set as baseline: one time range against another, and from the address', async (t) => {
  const { page, ...session } = await openApp(t, { viewport: { width: 1500, height: 950 } });
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  assert.ok(await page.$eval('#pin-baseline', (el) => el.disabled), 'nothing selected: nothing to pin');
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'diff-pin-disabled.png'), clip: { x: 900, y: 0, width: 600, height: 70 } });
  const [from1, to1] = await brush(page, 0.05, 0.35);
  await page.click('#pin-baseline');
  await page.waitForSelector('#diff-bar');
  const [from2, to2] = await brush(page, 0.55, 0.95);
  const range1 = foldDemo(['--from', from1, '--to', to1]);
  const range2 = foldDemo(['--from', from2, '--to', to2]);
  const { totals } = await checkPinned(page, range1, range2);
  const bar = await page.innerText('#diff-bar');
  assert.match(bar, /after\s+time \S+\s?m?s – \S+\s?m?s \(\S+\s?m?s\)[\s\S]*vs[\s\S]*baseline\s+time \S+\s?m?s – \S+\s?m?s \(\S+\s?m?s\)/i, bar);
  await page.waitForFunction(({ from1, to1 }) => location.hash.includes(`baseRange=${from1}-${to1}`), { from1, to1 });
  assert.equal(await page.getAttribute('canvas#timeline', 'data-baseline'), `${from1}-${to1}`, 'the timeline marks the baseline range');
  const hash = await page.evaluate(() => location.hash);
  await shot(page, 'diff-pinned-ranges-light');
  await setTheme(page, 'dark');
  await shot(page, 'diff-pinned-ranges-dark');
  await setTheme(page, 'light');

  // Swap exchanges the ranges.
  await page.click('#diff-swap');
  await waitForTotals(page, { before: totals.after, after: totals.before });
  await page.waitForFunction(({ from1, to1 }) => location.hash.includes(`range=${from1}-${to1}`), { from1, to1 });

  await page.goto(`${session.url}${hash}`);
  await page.reload();
  await checkPinned(page, range1, range2);
  session.assertClean();
});

test('Set as baseline: one attribute filter against another', async (t) => {
  const { page, ...session } = await openApp(t, { viewport: { width: 1500, height: 950 } });
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  const value = '#filter-list .facet[data-key="thread.name"] .facet-value:has(.include[data-value="MainThread"])';
  await page.click('#filter-button');
  await page.click(`${value} .include`);
  await page.waitForFunction(() => location.hash.includes('attr=thread.name%3DMainThread'));
  await page.click('#pin-baseline');
  await page.waitForSelector('#diff-bar');
  if (!(await page.$('#filter-list'))) await page.click('#filter-button');
  await page.click(`${value} .exclude`);
  const main = foldDemo(['--attr', 'thread.name=MainThread']);
  const others = foldDemo(['--exclude-attr', 'thread.name=MainThread']);
  await checkPinned(page, main, others);
  const bar = await page.innerText('#diff-bar');
  assert.match(bar, /thread\.name ≠ MainThread[\s\S]*vs[\s\S]*thread\.name = MainThread/, bar);
  await page.waitForFunction(() => location.hash.includes('xattr=thread.name%3DMainThread') && location.hash.includes('baseAttr=thread.name%3DMainThread'));
  const hash = await page.evaluate(() => location.hash);
  await page.goto(`${session.url}${hash}`);
  await page.reload();
  await checkPinned(page, main, others);
  session.assertClean();
});

test('a pinned span the loaded data lacks, or a pinned selection without samples, is said in the bar', async (t) => {
  const { page, ...session } = await openApp(t);
  await page.goto(`${session.url}#baseSpan=0123456789abcdef`);
  await page.waitForSelector('#diff-note');
  await waitForPaintedCanvas(page);
  assert.match(await page.innerText('#diff-note'), /span 0123456789abcdef is in neither the loaded traces nor the profile/);
  assert.match(await page.innerText('#diff-bar'), /span 0123456789abcdef \(not in the loaded data\)/);
  assert.equal(await page.$('#diff-swap'), null, 'a span that is not loaded cannot be swapped into the view');
  await shot(page, 'diff-pinned-missing-span');
  // The view stays: the plain graph is drawn, and leaving works.
  await page.click('#diff-exit');
  await page.waitForSelector('#top-functions tbody tr');
  // A pinned attribute value no sample has: the baseline keeps nothing.
  await page.goto(`${session.url}#baseAttr=thread.name%3Dnobody`);
  await page.reload();
  await page.waitForFunction(() => /keeps no samples/.test(document.querySelector('#diff-note')?.textContent ?? ''));
  assert.equal(Number(await page.getAttribute('#diff-before-total', 'data-total')), 0);
  session.assertClean();
});
