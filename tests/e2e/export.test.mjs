// Export ▾: the view on screen (here with a transform applied) saved as SVG, PNG, folded
// stacks and pprof, made in the page. Each download is checked against the CLI run on the
// same file with the same transform: the folded text equals `spanflame fold`, the pprof file
// read back by `spanflame fold` gives the same stacks, the SVG is XML with a frame per frame
// `spanflame svg` draws, the PNG is the canvas at the device pixel ratio.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  REPO_ROOT,
  exportDownload,
  openApp,
  runCli,
  waitForFrame,
  waitForPaintedCanvas,
} from './harness.mjs';

const DEMO = path.join(REPO_ROOT, 'public/demo/profile.binpb');

/** The <title> texts of an SVG's frame groups, parsed by the browser's XML parser. */
async function svgTitles(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    if (doc.querySelector('parsererror')) return { error: doc.querySelector('parsererror').textContent };
    const frames = doc.querySelector('.frames');
    return {
      titles: [...frames.children].map((g) => g.querySelector('title').textContent).sort(),
      texts: doc.querySelectorAll('.frames text').length,
      width: Number(doc.documentElement.getAttribute('width')),
    };
  }, text);
}

test('Export ▾ saves SVG, PNG, folded and pprof of the transformed view, as the CLI makes them', async (t) => {
  const { page, ...session } = await openApp(t, { viewport: { width: 1400, height: 900 }, deviceScaleFactor: 2 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spanflame-export-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await waitForFrame(page, 'hash_loop');
  // A transform, so that the export must be of the view, not of the file.
  await page.click('#top-functions tbody tr[data-name="hash_loop"] button');
  await page.keyboard.press('d');
  await page.waitForFunction(() => /[#&]transforms=/.test(location.hash));
  await page.waitForFunction(() => !document.querySelector('#flame-mirror li[data-name="hash_loop"]'));
  const transform = /[#&]transforms=([^&]*)/.exec(await page.url())[1];

  const folded = await exportDownload(page, 'folded', dir);
  assert.equal(folded.name, 'profile.folded.txt');
  const want = runCli(['fold', DEMO, '--transform', transform]);
  assert.ok(!want.includes('hash_loop'));
  assert.equal(await readFile(folded.path, 'utf8'), want, 'the folded download is what `spanflame fold` prints');

  const pprof = await exportDownload(page, 'pprof', dir);
  assert.equal(pprof.name, 'profile.pb.gz');
  const bytes = await readFile(pprof.path);
  assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip');
  assert.match(runCli(['info', pprof.path]), /pprof/i);
  assert.equal(runCli(['fold', pprof.path]), want, 'the pprof download reads back to the same stacks');

  const svg = await exportDownload(page, 'svg', dir);
  assert.equal(svg.name, 'profile.svg');
  const got = await svgTitles(page, await readFile(svg.path, 'utf8'));
  assert.equal(got.error, undefined, got.error);
  const reference = await svgTitles(page, runCli(['svg', DEMO, '--transform', transform, '--width', String(got.width)]));
  assert.ok(got.titles.length > 10, `${got.titles.length} frames`);
  assert.deepEqual(got.titles, reference.titles, 'one frame per frame `spanflame svg` draws, with the same tooltips');
  assert.ok(got.texts > 0, 'labels are text, selectable');

  const png = await exportDownload(page, 'png', dir);
  assert.equal(png.name, 'profile.png');
  const image = await readFile(png.path);
  assert.deepEqual([...image.subarray(1, 4)], [...Buffer.from('PNG')]);
  const canvas = await page.$eval('canvas#flame', (c) => ({ width: c.width, height: c.height, css: c.getBoundingClientRect().width }));
  assert.equal(image.readUInt32BE(16), canvas.width, 'PNG width: the canvas in device pixels');
  assert.equal(image.readUInt32BE(20), canvas.height);
  assert.equal(canvas.width, Math.round(canvas.css * 2), 'at the device pixel ratio');
  await session.screenshot('export-menu');
  session.assertClean();
});
