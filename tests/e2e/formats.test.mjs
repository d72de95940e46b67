// Real files from real producers (core/tests/fixtures/<format>/), dropped on the page as a
// user would: each opens, names its format, and shows the producer's own numbers in the
// table: the heaviest functions by self weight with their shares within 0.5 points of the
// fixture's expected.tsv (written from the producer's report, not by Spanflame).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { REPO_ROOT, dropFiles, openApp, waitForPaintedCanvas } from './harness.mjs';

const FIXTURES = path.join(REPO_ROOT, 'core/tests/fixtures');

const CASES = [
  { file: 'jfr/workload.jfr', expected: 'jfr/expected.tsv', format: /Java Flight Recorder/ },
  { file: 'cprofile/cprofile.pstats', expected: 'cprofile/expected.tsv', format: /cProfile/ },
  { file: 'perf/fp.perf-script.txt', expected: 'perf/fp.expected.tsv', format: /perf script/ },
  { file: 'speedscope/profile.speedscope.json', expected: 'speedscope/expected.tsv', format: /speedscope/ },
  // The producer's report counts samples; the default sample type weighs them by time.
  { file: 'chrome/main.cpuprofile', expected: 'chrome/main.expected.tsv', format: /cpuprofile/, sampleType: /samples/ },
  { file: 'chrome/pyspy.chrometrace.json', expected: 'chrome/pyspy.expected.tsv', format: /Chrome trace/ },
];

async function expectedShares(rel) {
  const text = await readFile(path.join(FIXTURES, rel), 'utf8');
  const rows = text.trim().split('\n').slice(1).map((line) => line.split('\t'));
  return new Map(rows.map(([name, self, total]) => [name, { self: Number(self), total: Number(total) }]));
}

async function tableRows(page) {
  return page.$$eval('#top-functions tbody tr', (rows) =>
    rows.map((row) => ({ name: row.dataset.name, self: Number(row.dataset.self), total: Number(row.dataset.total) })),
  );
}

async function openDemo(t) {
  const session = await openApp(t, { viewport: { width: 1400, height: 900 } });
  await session.page.goto(session.url);
  await waitForPaintedCanvas(session.page);
  return session;
}

for (const c of CASES) {
  test(`${c.file} opens with the producer's numbers`, async (t) => {
    const { page, ...session } = await openDemo(t);
    await dropFiles(page, [{ path: path.join(FIXTURES, c.file) }]);
    const name = path.basename(c.file);
    await page.waitForFunction((name) => document.querySelector('#summary')?.textContent.includes(name), name);
    assert.equal(await page.$('#error'), null, 'no error banner');
    assert.match(await page.innerText('#summary'), c.format);
    if (c.sampleType) {
      const options = await page.$$eval('#sample-type option', (o) => o.map((x) => x.textContent));
      const index = options.findIndex((o) => c.sampleType.test(o));
      assert.ok(index >= 0, `a sample type like ${c.sampleType} in ${options}`);
      await page.selectOption('#sample-type', String(index));
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#summary').textContent), c.sampleType.source);
    }
    await waitForPaintedCanvas(page);
    const total = Number(await page.getAttribute('#total', 'data-weight'));
    assert.ok(total > 0, `total weight ${total}`);
    const expected = await expectedShares(c.expected);
    const rows = await tableRows(page);
    // The table is sorted by self weight: its first rows are the producer's hottest functions.
    const hottest = [...expected].sort((a, b) => b[1].self - a[1].self).slice(0, 3);
    for (const [fn, want] of hottest) {
      const row = rows.find((r) => r.name === fn);
      assert.ok(row, `${fn} is in the table: ${rows.slice(0, 8).map((r) => r.name)}`);
      const self = (100 * row.self) / total;
      const tot = (100 * row.total) / total;
      assert.ok(Math.abs(self - want.self) <= 0.5, `${fn} self ${self.toFixed(2)}% vs producer ${want.self}%`);
      assert.ok(Math.abs(tot - want.total) <= 0.5, `${fn} total ${tot.toFixed(2)}% vs producer ${want.total}%`);
    }
    assert.equal(rows[0].name, hottest[0][0], 'the hottest function heads the table');
    await session.screenshot(`format-${name}`);
    session.assertClean();
  });
}

test('a cProfile file says its graph is rebuilt from call counts, and shows calls', async (t) => {
  const { page, ...session } = await openDemo(t);
  await dropFiles(page, [{ path: path.join(FIXTURES, 'cprofile/cprofile.pstats') }]);
  await page.waitForSelector('#graph-note');
  assert.match(await page.innerText('#graph-note'), /not sampled stacks|caller/i);
  const header = await page.innerText('#top-functions thead');
  assert.match(header, /Calls/);
  assert.match(await page.innerText('#top-functions tbody'), /25083\/3/, 'fib is recursive: 25083 calls, 3 primitive');
  session.assertClean();
});

test('a damaged JFR file is refused with a located error and the view stays', async (t) => {
  const { page, ...session } = await openDemo(t);
  const before = await page.innerText('#summary');
  const bytes = await readFile(path.join(FIXTURES, 'jfr/workload.jfr'));
  await dropFiles(page, [{ name: 'cut.jfr', bytes: bytes.subarray(0, 5000) }]);
  await page.waitForSelector('#error');
  const message = await page.innerText('#error');
  assert.match(message, /Java Flight Recorder/);
  assert.match(message, /byte \d+/);
  assert.equal(await page.innerText('#summary'), before, 'the demo is still what is shown');
  await session.screenshot('format-jfr-cut');
});

test('a file nothing reads lists the formats that are read', async (t) => {
  const { page, ...session } = await openDemo(t);
  await dropFiles(page, [{ name: 'notes.bin', bytes: Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]) }]);
  await page.waitForSelector('#error');
  const message = await page.innerText('#error');
  for (const name of ['Java Flight Recorder', 'pprof', 'perf script', 'speedscope', 'cProfile', 'folded']) {
    assert.match(message, new RegExp(name), `the error names ${name}`);
  }
});
