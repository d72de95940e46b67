// The bundled demo (public/demo/profile.binpb, a real opentelemetry-sdk-extension-profiling run)
// opens and draws. Expected numbers: core/tests/fixtures/otlp/README.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertTheme, openApp, waitForFrame, waitForPaintedCanvas } from './harness.mjs';

const EXPECTED_SELF = { busy_sleep: 128, hash_loop: 44, fib: 12, wait: 3 };
const TOTAL_SAMPLES = 187;

async function topFunctions(page) {
  return page.$$eval('#top-functions tbody tr', (rows) =>
    rows.map((row) => ({
      name: row.dataset.name,
      self: Number(row.dataset.self),
      total: Number(row.dataset.total),
      text: row.textContent,
    })),
  );
}

async function mirror(page) {
  return page.$$eval('#flame-mirror li', (items) =>
    items.map((li) => ({ name: li.dataset.name, depth: Number(li.dataset.depth), text: li.textContent })),
  );
}

async function checkDemo(t, session, screenshotName, theme = 'light') {
  const { page } = session;
  await page.goto(session.url);
  const stats = await waitForPaintedCanvas(page);
  t.diagnostic(`canvas painted ${stats.painted}/${stats.total} px in ${stats.colours} colours`);
  assert.ok(stats.colours >= 3, `expected several frame colours, got ${stats.colours}`);
  // The DOM mirror is published once painting settles.
  for (const name of Object.keys(EXPECTED_SELF)) await waitForFrame(page, name);

  // Header summary.
  const summary = await page.innerText('#summary');
  assert.match(summary, /OTLP/i);
  assert.match(summary, /samples/);
  assert.match(summary, new RegExp(`\\b${TOTAL_SAMPLES}\\b`));

  // Table: sorted by self weight, descending, with the producer's own leaf totals.
  const rows = await topFunctions(page);
  assert.ok(rows.length >= 4, `expected at least 4 functions, got ${rows.length}`);
  const selfWeights = rows.map((row) => row.self);
  assert.deepEqual(selfWeights, [...selfWeights].sort((a, b) => b - a), 'table sorted by self weight');
  for (const [name, self] of Object.entries(EXPECTED_SELF)) {
    const row = rows.find((r) => r.name === name);
    assert.ok(row, `${name} missing from #top-functions`);
    assert.equal(row.self, self, `self weight of ${name}`);
    assert.ok(row.total >= row.self, `total >= self for ${name}`);
    assert.ok(row.text.includes(name) && row.text.includes(String(self)), `row text of ${name}: ${row.text}`);
  }
  assert.equal(rows[0].name, 'busy_sleep');
  assert.equal(rows.reduce((sum, r) => sum + r.self, 0), TOTAL_SAMPLES, 'self weights add up to the total');

  // Mirror of the frames drawn at least 3 px wide.
  const frames = await mirror(page);
  assert.ok(frames.length >= 4, `expected frames in #flame-mirror, got ${frames.length}`);
  for (const name of Object.keys(EXPECTED_SELF)) {
    const frame = frames.find((f) => f.name === name);
    assert.ok(frame, `${name} missing from #flame-mirror`);
    assert.equal(frame.text.trim(), name);
    assert.ok(frame.depth >= 1, `${name} is a leaf below some caller (depth ${frame.depth})`);
  }
  assert.ok(frames.some((f) => f.depth === 0), 'a root frame at depth 0');
  // The theme the system asks for is the one on screen, around the frames too.
  await assertTheme(page, theme);

  const file = await session.screenshot(screenshotName);
  t.diagnostic(`screenshot: ${file}`);
  session.assertClean();
  t.diagnostic(`requests: ${session.requests.length}, all to 127.0.0.1`);
}

test('the demo opens and draws the flame graph (light)', async (t) => {
  const session = await openApp(t, { colorScheme: 'light' });
  await checkDemo(t, session, 'demo-light');
});

test('the demo in dark mode at devicePixelRatio 2', async (t) => {
  const session = await openApp(t, { colorScheme: 'dark', deviceScaleFactor: 2 });
  await checkDemo(t, session, 'demo-dark-dpr2', 'dark');
  const size = await session.page.$eval('canvas#flame', (c) => ({
    width: c.width,
    cssWidth: c.getBoundingClientRect().width,
  }));
  assert.ok(Math.abs(size.width - 2 * size.cssWidth) <= 2, `canvas backing store at 2x: ${JSON.stringify(size)}`);
});

test('the app works under a sub-path (relative URLs only)', async (t) => {
  const session = await openApp(t, { prefix: '/some/sub/path/' });
  await checkDemo(t, session, 'demo-subpath');
  assert.ok(
    session.requests.every((url) => url.startsWith(session.url) || url.startsWith('data:')),
    `every request stays under ${session.url}: ${session.requests.join(', ')}`,
  );
});

test('a narrow phone-sized window', async (t) => {
  const session = await openApp(t, { viewport: { width: 390, height: 800 }, deviceScaleFactor: 3 });
  await checkDemo(t, session, 'demo-narrow');
});
