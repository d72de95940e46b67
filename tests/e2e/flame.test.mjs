// The flame graph end to end: dropping files, sample types, zoom, search, themes, colours,
// keyboard, the span filter and errors. Expected numbers come from the fixtures' READMEs
// (core/tests/fixtures/otlp/README.md, public/demo/README.md), not from Spanflame.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  REPO_ROOT,
  afterNextFrame,
  assertTheme,
  canvasPixel,
  clickFrame,
  dropFiles,
  expectText,
  mirrorFrames,
  openApp,
  waitForFrame,
  waitForPaintedCanvas,
} from './harness.mjs';

const SYNTHETIC = path.join(REPO_ROOT, 'core/tests/fixtures/otlp/synthetic-v1_10');
const DEMO_TOTAL = 187;

/** Text with the narrow no-break spaces of numbers made plain. */
const plain = (text) => text.replace(/[\u202f\u00a0]/g, ' ');

async function openDemo(t, options) {
  const session = await openApp(t, options);
  await session.page.goto(session.url);
  await waitForPaintedCanvas(session.page);
  await waitForFrame(session.page, 'busy_sleep');
  return session;
}

async function tableRows(page) {
  return page.$$eval('#top-functions tbody tr', (rows) =>
    rows.map((row) => ({ name: row.dataset.name, self: Number(row.dataset.self), total: Number(row.dataset.total) })),
  );
}

async function total(page) {
  await afterNextFrame(page);
  return plain(await page.innerText('#total'));
}

async function dropSynthetic(page) {
  await dropFiles(page, [{ path: path.join(SYNTHETIC, 'profiles.binpb') }, { path: path.join(SYNTHETIC, 'traces.json') }]);
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('profiles.binpb'));
  // A frame only the synthetic profile has: the mirror has caught up.
  await waitForFrame(page, 'memcpy');
}

test('dropping a profile and its traces at once shows both', async (t) => {
  const { page, ...session } = await openDemo(t);
  await dropSynthetic(page);
  assert.equal(await total(page), '6');
  const summary = await page.innerText('#summary');
  assert.match(summary, /traces\.json \(2 spans\)/, 'the trace file was recognised as traces');
  const rows = await tableRows(page);
  assert.deepEqual(rows.slice(0, 2).map((r) => [r.name, r.self]), [['fib', 5], ['memcpy', 1]]);
  const frames = await mirrorFrames(page);
  for (const name of ['<module>', 'handle_request', 'fib', '_PyEval_EvalFrameDefault', 'memcpy']) {
    assert.ok(frames.some((f) => f.name === name), `${name} drawn: ${frames.map((f) => f.name)}`);
  }
  assert.ok(frames.find((f) => f.name === '<module>').depth === 0);
  assert.match(await page.innerText('#waterfall-panel'), /2 spans/);
  await waitForPaintedCanvas(page);
  await session.screenshot('drop-synthetic');
  session.assertClean();
});

test('the sample type selector switches weights and units', async (t) => {
  const { page, ...session } = await openDemo(t);
  await dropSynthetic(page);
  const options = await page.$$eval('#sample-type option', (o) => o.map((x) => x.textContent));
  assert.deepEqual(options, ['samples (count)', 'off_cpu (nanoseconds)', 'alloc_space (bytes)']);

  await page.selectOption('#sample-type', '1');
  await page.waitForFunction(() => document.querySelector('#total')?.textContent.includes('ms'));
  assert.equal(await total(page), '5.5 ms');
  assert.equal((await tableRows(page))[0].name, 'do_syscall_64');
  await waitForFrame(page, 'do_syscall_64');
  const cell = plain(await page.innerText('#top-functions tbody tr:first-child td'));
  assert.match(cell, /5\.5 ms/);
  assert.match(cell, /100%/);
  await session.screenshot('sample-type-off-cpu');

  await page.selectOption('#sample-type', '2');
  await page.waitForFunction(() => document.querySelector('#total')?.textContent.includes('MiB'));
  assert.equal(await total(page), '1 MiB');
  assert.equal((await tableRows(page))[0].name, 'fib');
  await waitForFrame(page, 'fib');
  await session.screenshot('sample-type-alloc');

  await page.selectOption('#sample-type', '0');
  await page.waitForFunction(() => document.querySelector('#total')?.textContent.trim() === '6');
  session.assertClean();
});

test('a click zooms into a frame, breadcrumbs lead back, Esc resets', async (t) => {
  const { page, ...session } = await openDemo(t);
  const width = await page.$eval('#flame-scroll', (el) => el.clientWidth);
  const handle = await waitForFrame(page, 'handle_request');
  assert.ok(handle.w < width * 0.95, 'handle_request is not full width before zooming');
  await clickFrame(page, handle);
  await page.waitForFunction(() =>
    document.querySelector('#breadcrumbs [aria-current]')?.textContent.includes('handle_request'),
  );
  const zoomed = await waitForFrame(page, 'handle_request', (f) => f.w >= width - 2);
  assert.equal(zoomed.depth, 1);
  // Its callee busy_sleep now takes 118/166 of the width.
  const busy = await waitForFrame(page, 'busy_sleep', (f) => f.depth === 2);
  assert.ok(Math.abs(busy.w / width - 118 / 166) < 0.02, `busy_sleep width ${busy.w} of ${width}`);
  assert.ok(!(await mirrorFrames(page)).some((f) => f.name === 'worker'), 'frames outside the zoom are gone');
  // The clicked function is selected in the table too.
  await page.waitForSelector('#top-functions tr.selected[data-name="handle_request"]');
  await session.screenshot('zoomed-handle-request');

  const crumbs = await page.$$eval('#breadcrumbs button', (b) => b.map((x) => x.textContent));
  assert.deepEqual(crumbs, ['All', '<module>', 'handle_request']);
  await page.click('#breadcrumbs button[data-depth="1"]');
  await page.waitForFunction(() => document.querySelector('#breadcrumbs [aria-current]')?.textContent === '<module>');
  // Back at <module>: it fills the width, and handle_request is narrower again.
  await waitForFrame(page, '<module>', (f) => f.depth === 0 && f.w >= width - 2);
  await waitForFrame(page, 'handle_request', (f) => f.w < width * 0.95);

  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('#breadcrumbs [aria-current]')?.textContent === 'All');
  await waitForFrame(page, 'worker');
  session.assertClean();
});

test('search highlights matching frames and gives their share of the total', async (t) => {
  const { page, ...session } = await openDemo(t);
  const busyBefore = await waitForFrame(page, 'busy_sleep', (f) => f.depth === 2);
  const before = await canvasPixel(page, busyBefore.x + 2, busyBefore.y + 3);

  await page.fill('#search', 'fib');
  await page.waitForFunction(() => document.querySelector('#search-status')?.dataset.weight === '12');
  // fib: 12 of 187 samples, its recursion counted once.
  assert.match(plain(await page.innerText('#search-status')), /^\d+ matches, 6\.4% of total$/);
  const frames = await mirrorFrames(page);
  const deadline = Date.now() + 5000;
  while (!(await mirrorFrames(page)).some((f) => f.match) && Date.now() < deadline) await page.waitForTimeout(50);
  for (const f of await mirrorFrames(page)) assert.equal(f.match, f.name === 'fib', `${f.name} match flag`);
  assert.ok(frames.length > 0);
  // Non-matching frames fade towards the white background.
  const after = await canvasPixel(page, busyBefore.x + 2, busyBefore.y + 3);
  const lightness = (p) => p[0] + p[1] + p[2];
  assert.ok(lightness(after) > lightness(before) + 60, `busy_sleep dimmed: ${before} -> ${after}`);
  // The table keeps only matching functions.
  assert.deepEqual((await tableRows(page)).map((r) => r.name), ['fib']);
  await session.screenshot('search-fib');

  // Regular expressions, nested matches counted once: fib (12) + wait (3) = 15 of 187.
  await page.check('#search-regex');
  await page.fill('#search', '^(fib|wait)$');
  await page.waitForFunction(() => document.querySelector('#search-status')?.dataset.weight === '15');
  assert.match(plain(await page.innerText('#search-status')), /8% of total/);
  // handle_request contains fib: matching both still counts each sample once.
  await page.fill('#search', 'handle_request|^fib$');
  await page.waitForFunction(() => document.querySelector('#search-status')?.dataset.weight);
  const weight = Number(await page.$eval('#search-status', (s) => s.dataset.weight));
  assert.equal(weight, 166 + 8, 'handle_request (166) + fib under the worker thread (8)');
  await page.fill('#search', '(');
  await page.waitForSelector('#search-status.invalid');
  assert.match(await page.innerText('#search-status'), /Invalid regular expression/);
  // Esc in the box clears the search.
  await page.focus('#search');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('#search-status')?.textContent === '');
  session.assertClean();
});

test('"/" focuses the search box; keyboard moves between frames and Enter zooms', async (t) => {
  const { page, ...session } = await openDemo(t);
  await page.click('h1');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search');

  await page.focus('#flame-scroll');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('#flame-status')?.textContent.startsWith('<module>'));
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('#flame-status')?.textContent.startsWith('handle_request'));
  await page.waitForSelector('#flame-tooltip');
  assert.match(plain(await page.innerText('#flame-tooltip')), /handle_request[\s\S]*166[\s\S]*88\.8% of total/);
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('#flame-status')?.textContent.startsWith('busy_sleep'));
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => !document.querySelector('#flame-status')?.textContent.startsWith('busy_sleep'));
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => document.querySelector('#flame-status')?.textContent.startsWith('busy_sleep'));
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => document.querySelector('#flame-status')?.textContent.startsWith('handle_request'));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() =>
    document.querySelector('#breadcrumbs [aria-current]')?.textContent.includes('handle_request'),
  );
  await session.screenshot('keyboard-zoom');
  session.assertClean();
});

test('hovering a frame shows its tooltip with units and shares', async (t) => {
  const { page, ...session } = await openDemo(t);
  const busy = await waitForFrame(page, 'busy_sleep', (f) => f.depth === 2);
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.move(box.left + busy.x + busy.w / 2, box.top + busy.y + 9);
  await page.waitForSelector('#flame-tooltip');
  const text = plain(await page.innerText('#flame-tooltip'));
  assert.match(text, /busy_sleep/);
  assert.match(text, /app\.py:\d+/, 'file:line');
  assert.match(text, /Total\s+118 · 63\.1% of total · 71\.1% of caller/);
  assert.match(text, /Self\s+118/);
  assert.match(text, /Kind\s+\S+/);
  await session.screenshot('tooltip');
  session.assertClean();
});

test('theme follows the system and can be forced', async (t) => {
  const { page, ...session } = await openDemo(t, { colorScheme: 'dark' });
  await assertTheme(page, 'dark');
  const frame = await waitForFrame(page, 'handle_request');
  const darkPixel = await canvasPixel(page, frame.x + 2, frame.y + 3);
  await page.selectOption('#theme', 'light');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await page.waitForTimeout(100);
  await assertTheme(page, 'light');
  const lightPixel = await canvasPixel(page, frame.x + 2, frame.y + 3);
  const sum = (p) => p[0] + p[1] + p[2];
  assert.ok(sum(lightPixel) > sum(darkPixel) + 100, `frames lighter in the light theme: ${darkPixel} -> ${lightPixel}`);
  await session.screenshot('theme-light-forced');
  await page.selectOption('#theme', 'dark');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.waitForTimeout(100);
  await assertTheme(page, 'dark');
  assert.deepEqual(await canvasPixel(page, frame.x + 2, frame.y + 3), darkPixel, 'the frames are drawn dark again');
  await session.screenshot('theme-dark');
  session.assertClean();
});

test('colour modes, legend, colour-blind palette and flame orientation', async (t) => {
  const { page, ...session } = await openDemo(t);
  assert.match(await page.innerText('#legend'), /app/);
  const frame = await waitForFrame(page, 'handle_request');
  const pixel = () => canvasPixel(page, frame.x + 2, frame.y + 3);
  const warm = await pixel();
  await page.check('#colour-blind');
  await page.waitForTimeout(100);
  assert.notDeepEqual(await pixel(), warm, 'the colour-blind palette changes the fill');
  await page.selectOption('#colour-mode', 'kind');
  await page.waitForFunction(() => document.querySelector('#legend')?.textContent.includes('kernel'));
  assert.match(await page.innerText('#legend'), /native[\s\S]*interpreted\/JIT[\s\S]*unknown/);
  await session.screenshot('colour-by-kind');
  await page.selectOption('#colour-mode', 'self');
  await page.waitForFunction(() => document.querySelector('#legend')?.textContent.includes('self weight'));
  await session.screenshot('colour-by-self');

  await page.selectOption('#orientation', 'flame');
  const module = await waitForFrame(page, '<module>', (f) => f.depth === 0 && f.y > 100);
  const frames = await mirrorFrames(page);
  assert.equal(Math.max(...frames.map((f) => f.y)), module.y, 'the root row is at the bottom');
  await session.screenshot('flame-orientation');
  session.assertClean();
});

test('table: sortable, and a row highlights its function in the graph', async (t) => {
  const { page, ...session } = await openDemo(t);
  await page.click('#top-functions button[data-sort="Total"]');
  await page.waitForFunction(() => document.querySelector('#top-functions tbody tr')?.dataset.name === '<module>');
  assert.equal(await page.$eval('#top-functions th[aria-sort="descending"] button', (b) => b.dataset.sort), 'Total');
  const totals = (await tableRows(page)).map((r) => r.total);
  assert.deepEqual(totals, [...totals].sort((a, b) => b - a));

  const overlayPainted = () =>
    page.$eval('#flame-overlay', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]) n += 1;
      return n;
    });
  assert.equal(await overlayPainted(), 0);
  await page.click('#top-functions tr[data-name="hash_loop"] button.fn');
  await page.waitForSelector('#top-functions tr.selected[data-name="hash_loop"]');
  await page.waitForTimeout(100);
  assert.ok((await overlayPainted()) > 50, 'hash_loop is outlined on the overlay');
  // ...and only hash_loop: every outlined pixel lies on or just around one of its frames.
  const boxes = (await mirrorFrames(page)).filter((f) => f.name === 'hash_loop');
  assert.ok(boxes.length > 0);
  const stray = await page.$eval(
    '#flame-overlay',
    (c, boxes) => {
      const scale = c.width / c.getBoundingClientRect().width;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) {
        if (!d[i]) continue;
        const x = ((i >> 2) % c.width) / scale;
        const y = Math.floor((i >> 2) / c.width) / scale;
        if (!boxes.some((b) => x >= b.x - 4 && x <= b.x + b.w + 4 && y >= b.y - 4 && y <= b.y + 22)) n += 1;
      }
      return n;
    },
    boxes,
  );
  assert.equal(stray, 0, 'no outline away from hash_loop');
  await session.screenshot('table-selects-function');
  session.assertClean();
});

test('a bad file shows the core error and keeps the view; the error can be dismissed', async (t) => {
  const { page, ...session } = await openDemo(t);
  const rowsBefore = await tableRows(page);
  await dropFiles(page, [{ name: 'notes.txt', bytes: 'this is not a profile\n' }]);
  const alert = await page.waitForSelector('#error[role="alert"]');
  const text = await alert.innerText();
  assert.match(text, /Could not read notes\.txt: .*not a format Spanflame reads/);
  assert.deepEqual(await tableRows(page), rowsBefore, 'the table is unchanged');
  assert.match(await page.innerText('#summary'), /demo\/profile\.binpb/);
  await waitForPaintedCanvas(page);
  await session.screenshot('error-bad-file');

  // A good file and a bad one together: the good one opens, the bad one is reported.
  await dropFiles(page, [{ name: 'truncated.binpb', bytes: Buffer.from([0x0a, 0xff, 0x01]) }, { path: path.join(SYNTHETIC, 'profiles.binpb') }]);
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('profiles.binpb'));
  assert.match(await page.innerText('#error'), /Could not read truncated\.binpb/);
  await page.click('#error button.dismiss');
  await page.waitForSelector('#error', { state: 'detached' });
  session.assertClean();
});

test('the file picker opens several files', async (t) => {
  const { page, ...session } = await openDemo(t);
  await page.setInputFiles('#file-input', [path.join(SYNTHETIC, 'profiles.binpb'), path.join(SYNTHETIC, 'traces.binpb')]);
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('traces.binpb'));
  assert.equal(await total(page), '6');
  session.assertClean();
});

test('#profileURL and #traceURL load what they name, and nothing else', async (t) => {
  const session = await openApp(t);
  const { page } = session;
  await page.goto(`${session.url}#profileURL=${encodeURIComponent('demo/profile.binpb')}`);
  await waitForPaintedCanvas(page);
  assert.equal(await total(page), String(DEMO_TOTAL));
  assert.ok(!session.requests.some((u) => u.includes('traces.json')), 'the demo traces were not fetched');
  await page.evaluate(() => {
    location.hash = 'traceURL=demo/traces.json';
  });
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('traces.json'));
  session.assertClean();
});

test('a span filter narrows the graph, shows a chip, and clears in one click', async (t) => {
  const { page, ...session } = await openDemo(t);
  // GET /home/0 with its children: 43 samples (fixture README). Its row is the waterfall's
  // third (tests/e2e/waterfall.test.mjs covers the waterfall itself).
  await page.click('#waterfall-panel .wf-row[data-span-id="adec6d49f47ac7bb"] .wf-name');
  await page.waitForFunction(() => document.querySelector('#total')?.textContent === '43');
  await expectText(page, '#active-filter', /GET \/home\/0[\s\S]*span and children/);
  await waitForPaintedCanvas(page);
  await session.screenshot('span-filter');
  await page.click('#active-filter button.dismiss');
  await page.waitForFunction(() => document.querySelector('#total')?.textContent === '187');
  await expectText(page, '#active-filter', /^$/);
  session.assertClean();
});

test('wheel: ctrl zooms around the pointer, shift pans', async (t) => {
  const { page, ...session } = await openDemo(t);
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  const module = await waitForFrame(page, '<module>');
  const pointer = box.width * 0.25;
  await page.mouse.move(box.left + pointer, box.top + 5);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page.keyboard.up('Control');
  // 4x around the pointer: <module> now runs off the right edge.
  const zoomed = await waitForFrame(page, '<module>', (f) => f.w > module.w * 3);
  // Around the pointer: the point of <module> under it stays under it.
  // Frame x is not clipped at the edges (it may be negative), so this holds either way.
  const under = (f) => (pointer - f.x) / f.w;
  assert.ok(Math.abs(under(zoomed) - under(module)) < 0.01, `${JSON.stringify(module)} -> ${JSON.stringify(zoomed)}`);
  const before = (await waitForFrame(page, 'handle_request')).x;
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 100);
  await page.keyboard.up('Shift');
  await waitForFrame(page, 'handle_request', (f) => f.x < before - 50);
  await page.keyboard.press('Escape');
  await waitForFrame(page, '<module>', (f) => Math.abs(f.w - module.w) < 1);
  session.assertClean();
});

test('Inverted (bottom-up) puts the functions samples end in on the top row; the hash keeps it', async (t) => {
  const { page, ...session } = await openDemo(t, { viewport: { width: 1400, height: 900 } });
  const tableBefore = await page.innerText('#top-functions tbody');
  await page.check('#inverted');
  await page.waitForFunction(() => /[#&]inverted=1/.test(location.hash));
  // The top row is the leaves: the demo's self weights (public/demo/README.md).
  const top = async () => (await mirrorFrames(page)).filter((f) => f.depth === 0).sort((a, b) => b.w - a.w);
  await page.waitForFunction(() => document.querySelector('#flame-mirror li[data-depth="0"]')?.dataset.name !== '<module>');
  let row = await top();
  assert.deepEqual(
    row.slice(0, 3).map((f) => f.name),
    ['busy_sleep', 'hash_loop', 'fib'],
    row.map((f) => `${f.name} ${f.w}`).join(', '),
  );
  // Widths are shares of the 187 samples: busy_sleep's 128 self samples.
  const full = (await mirrorFrames(page)).filter((f) => f.depth === 0).reduce((s, f) => s + f.w, 0);
  assert.ok(Math.abs(row[0].w / full - 128 / DEMO_TOTAL) < 0.01, `${row[0].w} of ${full}`);
  // Under busy_sleep, its callers.
  const under = (await mirrorFrames(page)).filter((f) => f.depth === 1 && f.x >= row[0].x && f.x < row[0].x + row[0].w).map((f) => f.name);
  assert.ok(under.includes('handle_request'), under.join(', '));
  // The table is about the same samples either way.
  assert.equal(await page.innerText('#top-functions tbody'), tableBefore);
  await session.screenshot('flame-inverted');

  await page.reload();
  await waitForPaintedCanvas(page);
  await page.waitForFunction(() => document.querySelector('#inverted')?.checked);
  await waitForFrame(page, 'busy_sleep', (f) => f.depth === 0);
  row = await top();
  assert.equal(row[0].name, 'busy_sleep');
  await page.uncheck('#inverted');
  await page.waitForFunction(() => !/inverted=/.test(location.hash));
  await waitForFrame(page, '<module>', (f) => f.depth === 0);
  session.assertClean();
});
