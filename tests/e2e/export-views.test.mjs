// Export ▾ of the views that are not the plain flame graph: a differential graph (a real
// before/after pair, core/tests/fixtures/diff/) exports as the CLI's `svg --baseline` draws
// it, frame for frame and colour for colour, and as a PNG with its red and blue; the
// sandwich view, opened while comparing, shows the plain sandwich numbers (the diff pairs
// the main graph only) and exports its two graphs, callers over callees.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  REPO_ROOT,
  SCREENSHOT_DIR,
  dropFiles,
  exportDownload,
  openApp,
  runCli,
  waitForPaintedCanvas,
} from './harness.mjs';

const FIXTURES = path.join(REPO_ROOT, 'core/tests/fixtures/diff');
const BASE = path.join(FIXTURES, 'base.cpuprofile');
const SLOWER = path.join(FIXTURES, 'slower.cpuprofile');

/** An SVG's frames (title and fill, per group of frames) and legend, by the browser's parser. */
async function svgFrames(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    if (doc.querySelector('parsererror')) return { error: doc.querySelector('parsererror').textContent };
    return {
      width: Number(doc.documentElement.getAttribute('width')),
      heading: doc.querySelector('.heading')?.textContent,
      legend: [...doc.querySelectorAll('.legend text')].map((t) => t.textContent),
      panes: [...doc.querySelectorAll('.frames')].map((g) =>
        [...g.children].map((f) => ({
          title: f.querySelector('title').textContent,
          fill: f.querySelector('rect').getAttribute('fill'),
          y: Number(f.querySelector('rect').getAttribute('y')),
        })),
      ),
    };
  }, text);
}

/** A picture of an exported SVG as a browser draws it, for people to look at. */
async function snapshotSvg(page, file, name) {
  const view = await page.context().newPage();
  await view.setContent(await readFile(file, 'utf8'));
  await view.locator('svg').screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
  await view.close();
}

/** Counts of strongly red and strongly blue pixels of a PNG file, decoded by the browser. */
async function redAndBlue(page, file) {
  const b64 = (await readFile(file)).toString('base64');
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let red = 0;
    let blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r > g + 60 && r > b + 60) red++;
      if (b > r + 60 && b > g + 20) blue++;
    }
    return { width: bitmap.width, height: bitmap.height, red, blue };
  }, b64);
}

/** The slower run, compared with the base run through Compare with…. */
async function openComparison(t, options = {}) {
  const { page, ...session } = await openApp(t, { viewport: { width: 1400, height: 900 }, ...options });
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await dropFiles(page, [{ path: SLOWER }]);
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('slower.cpuprofile'));
  await page.setInputFiles('#compare-input', BASE);
  await page.waitForSelector('#diff-table tbody tr');
  await waitForPaintedCanvas(page);
  return { page, session };
}

test('a differential graph exports as a differential SVG and PNG, as the CLI draws it', async (t) => {
  const { page, session } = await openComparison(t, { deviceScaleFactor: 2 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spanflame-export-diff-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  const svg = await exportDownload(page, 'svg', dir);
  assert.equal(svg.name, 'slower.svg');
  const got = await svgFrames(page, await readFile(svg.path, 'utf8'));
  assert.equal(got.error, undefined, got.error);
  await snapshotSvg(page, svg.path, 'export-diff-svg');
  assert.match(got.heading, /compared with/);
  assert.equal(got.legend.length, 5, `the colour scale: ${got.legend}`);
  assert.equal(got.panes.length, 1);
  const want = await svgFrames(page, runCli(['svg', SLOWER, '--baseline', BASE, '--width', String(got.width)]));
  const key = (f) => `${f.title} ${f.fill}`;
  assert.ok(got.panes[0].length > 10, `${got.panes[0].length} frames`);
  assert.deepEqual(got.panes[0].map(key).sort(), want.panes[0].map(key).sort(), 'the frames, titles and colours of `spanflame svg --baseline`');
  // What a reader of the file sees: warm grew (red), hot shrank (blue), with both sides.
  const warm = got.panes[0].find((f) => f.title.startsWith('warm ('));
  const hot = got.panes[0].find((f) => f.title.startsWith('hot ('));
  assert.match(warm.title, /; baseline .*; \+\d+\.\d pp\)$/);
  assert.match(hot.title, /; baseline .*; -\d+\.\d pp\)$/);
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const [wr, , wb] = rgb(warm.fill);
  const [hr, , hb] = rgb(hot.fill);
  assert.ok(wr > wb + 60, `warm is red: ${warm.fill}`);
  assert.ok(hb > hr + 60, `hot is blue: ${hot.fill}`);

  const png = await exportDownload(page, 'png', dir);
  assert.equal(png.name, 'slower.png');
  const pixels = await redAndBlue(page, png.path);
  const canvas = await page.$eval('canvas#flame', (c) => ({ width: c.width, height: c.height }));
  assert.deepEqual([pixels.width, pixels.height], [canvas.width, canvas.height], 'the canvas at the device pixel ratio');
  assert.ok(pixels.red > 1000 && pixels.blue > 1000, `red and blue frames in the PNG: ${JSON.stringify(pixels)}`);
  session.assertClean();
});

test('the sandwich while comparing: the plain numbers, exported as callers over callees; Esc goes back to the comparison', async (t) => {
  const { page, session } = await openComparison(t, { colorScheme: 'dark' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spanflame-export-sandwich-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  // Select warm in the diff table, then `c`: its callers and callees.
  await page.click('#diff-table tbody tr[data-name="warm"] button.fn');
  await page.keyboard.press('c');
  await page.waitForFunction(() => document.querySelector('#sandwich-summary')?.dataset.name === 'warm');
  await waitForPaintedCanvas(page, { selector: 'canvas#sandwich-callees', minShare: 0.01 });
  assert.ok(await page.$('#diff-bar'), 'still comparing');

  // The sandwich is of the comparison's samples, from its folded lines alone.
  let total = 0;
  let self = 0;
  for (const line of runCli(['fold', SLOWER]).trim().split('\n')) {
    const at = line.lastIndexOf(' ');
    const frames = line.slice(0, at).split(';');
    const w = Number(line.slice(at + 1));
    if (frames.includes('warm')) total += w;
    if (frames[frames.length - 1] === 'warm') self += w;
  }
  const summary = await page.$eval('#sandwich-summary', (s) => ({ total: Number(s.dataset.total), self: Number(s.dataset.self) }));
  assert.deepEqual(summary, { total, self });
  assert.ok(total > 0);

  const svg = await exportDownload(page, 'svg', dir);
  const got = await svgFrames(page, await readFile(svg.path, 'utf8'));
  assert.equal(got.error, undefined, got.error);
  await snapshotSvg(page, svg.path, 'export-sandwich-svg-dark');
  assert.match(got.heading, /callers and callees of warm/);
  assert.equal(got.legend.length, 0, 'no diff scale: the sandwich is drawn in the usual colours');
  assert.equal(got.panes.length, 2, 'the callers and the callees');
  const [callers, callees] = got.panes;
  const mirror = (id) => page.$$eval(`#${id}-mirror li`, (items) => items.map((li) => li.dataset.name));
  for (const [pane, id] of [
    [callers, 'sandwich-callers'],
    [callees, 'sandwich-callees'],
  ]) {
    const names = new Set(pane.map((f) => f.title.slice(0, f.title.lastIndexOf(' ('))));
    for (const name of await mirror(id)) assert.ok(names.has(name), `${name} of ${id} is in the SVG`);
  }
  // The function's two rows meet: the callers' lowest row is right above the callees' top.
  const warmY = (pane) => pane.filter((f) => f.title.startsWith('warm (')).map((f) => f.y);
  assert.equal(Math.min(...warmY(callees)) - Math.max(...warmY(callers)), 18);

  const png = await exportDownload(page, 'png', dir);
  const pixels = await redAndBlue(page, png.path);
  const sizes = await page.$$eval('canvas#sandwich-callers, canvas#sandwich-callees', (cs) => cs.map((c) => [c.width, c.height]));
  assert.equal(pixels.width, Math.max(...sizes.map((s) => s[0])));
  assert.equal(pixels.height, sizes[0][1] + sizes[1][1], 'both graphs, one above the other');
  await page.locator('#sandwich').screenshot({ path: path.join(SCREENSHOT_DIR, 'sandwich-while-comparing-dark.png') });

  await page.keyboard.press('Escape');
  await page.waitForSelector('#sandwich', { state: 'detached' });
  await waitForPaintedCanvas(page);
  assert.ok(await page.$('#diff-table tbody tr'), 'back to the comparison');
  session.assertClean();
});
