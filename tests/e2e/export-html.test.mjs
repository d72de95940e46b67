// Export ▾ → HTML: one self-contained file that opens the profile, its traces and the view
// offline. The download is opened as a file:// page in a new browser context where every
// request that is not file:, data: or blob: is aborted (and counted as a failure): it must
// show the same graph, table and view as the page it was exported from.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SCREENSHOT_DIR, openApp, waitForFrame, waitForPaintedCanvas } from './harness.mjs';

/** The functions table: name, self and total weight of each row. */
async function functionsTable(page) {
  return page.$$eval('#top-functions tbody tr', (rows) =>
    rows.map((row) => [row.dataset.name, ...[...row.querySelectorAll('td.num')].map((td) => td.textContent)].join(' | ')),
  );
}

/** What the page shows of the loaded files and the view. */
async function viewState(page) {
  return {
    hash: await page.evaluate(() => location.hash),
    total: await page.$eval('#total', (el) => el.dataset.weight),
    spans: /\((\d+) spans\)/.exec(await page.innerText('#summary'))?.[1],
    transforms: await page.$$eval('#transform-chips .chip', (cs) => cs.map((c) => c.textContent)),
    attrs: await page.innerText('#attr-chips').catch(() => ''),
    table: await functionsTable(page),
  };
}

test('Export ▾ → HTML saves one file that opens the same view from file:// with no network', async (t) => {
  const { page, context, ...session } = await openApp(t, { viewport: { width: 1400, height: 900 } });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spanflame-export-html-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await waitForFrame(page, 'hash_loop');
  // Not the default view: a thread condition and a transform (drop hash_loop).
  await page.click('#filter-button');
  await page.click('#filter-list .facet[data-key="thread.name"] .include[data-value="MainThread"]');
  await page.waitForFunction(() => location.hash.includes('attr=thread.name%3DMainThread'));
  await page.click('#top-functions tbody tr[data-name="hash_loop"] button');
  await page.keyboard.press('d');
  await page.waitForFunction(() => /[#&]transforms=/.test(location.hash));
  await page.waitForFunction(() => !document.querySelector('#flame-mirror li[data-name="hash_loop"]'));
  const before = await viewState(page);
  assert.ok(before.spans > 0, 'the demo traces are loaded');
  assert.equal(before.transforms.length, 1);

  await page.click('#export-button');
  await session.screenshot('export-html-menu');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#export-menu [data-code="html"]'),
  ]);
  assert.equal(download.suggestedFilename(), 'profile.html');
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  session.assertClean();

  // One file: it names no other file and no other place.
  const html = await readFile(file, 'utf8');
  assert.ok(html.length < 20 * 1024 * 1024, `${html.length} bytes`);
  assert.doesNotMatch(html, /\s(src|href)="(?!data:)/, 'no src= or href= but data: URLs');
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/, 'no http(s) URL');
  assert.match(html, /connect-src 'none'/);

  // Reopen it as a double-click would, in a new context with no network.
  const offline = await context.browser().newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => offline.close());
  const requests = [];
  const problems = [];
  await offline.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    problems.push(`request to ${url}`);
    return route.abort('blockedbyclient');
  });
  offline.on('request', (request) => requests.push(request.url()));
  offline.on('requestfailed', (request) => problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`));
  const reopened = await offline.newPage();
  reopened.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  reopened.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await reopened.goto(pathToFileURL(file).href);
  await waitForPaintedCanvas(reopened);
  await reopened.waitForFunction(() => document.querySelectorAll('#top-functions tbody tr').length > 0);
  await reopened.waitForFunction(() => /[#&]transforms=/.test(location.hash));
  const after = await viewState(reopened);
  assert.deepEqual(after.table, before.table, 'the functions table: same names and weights');
  assert.deepEqual(after, before, 'the same files and the same view');
  assert.equal(await reopened.$('#flame-mirror li[data-name="hash_loop"]'), null, 'the transform still applies');
  assert.equal(await reopened.evaluate(() => navigator.serviceWorker?.controller ?? null), null);
  assert.equal(await reopened.$('#load-demo'), null, 'no Demo button: there is no demo to fetch');
  await reopened.screenshot({ path: path.join(SCREENSHOT_DIR, 'export-html-reopened.png'), fullPage: true });

  // A filter picked in the reopened page works there too, with no request.
  await reopened.click('#attr-chips .dismiss');
  await reopened.waitForFunction(() => !location.hash.includes('attr='));
  await reopened.waitForFunction((total) => document.querySelector('#total').dataset.weight !== total, before.total);
  await waitForPaintedCanvas(reopened);
  await reopened.screenshot({ path: path.join(SCREENSHOT_DIR, 'export-html-reopened-unfiltered.png'), fullPage: true });

  // Exported again from there: the same app and files, the new view.
  await reopened.click('#export-button');
  const [again] = await Promise.all([
    reopened.waitForEvent('download'),
    reopened.click('#export-menu [data-code="html"]'),
  ]);
  const againFile = path.join(dir, 'again.html');
  await again.saveAs(againFile);
  const againHtml = await readFile(againFile, 'utf8');
  const element = (text, id) => new RegExp(`id="${id}">([^<]*)<`).exec(text)?.[1];
  assert.ok(element(html, 'spanflame-wasm')?.length > 100_000, 'the wasm is in the page');
  assert.equal(element(againHtml, 'spanflame-wasm'), element(html, 'spanflame-wasm'), 'the same wasm');
  assert.equal(element(againHtml, 'spanflame-glue'), element(html, 'spanflame-glue'), 'the same glue');
  const files = (text) => [...text.matchAll(/data-name="([^"]*)">([^<]*)</g)].map((m) => [m[1], m[2].length]);
  assert.deepEqual(files(againHtml), files(html), 'the same files');
  assert.equal(files(html).length, 2, 'the profile and its traces');
  const view = (text) => /name="spanflame-view" content="([^"]*)"/.exec(text)[1];
  assert.match(view(html), /attr=/);
  assert.doesNotMatch(view(againHtml), /attr=/, 'the view as it is now');
  assert.match(view(againHtml), /transforms=/);

  // A browser without Uint8Array.fromBase64 (before 2025) opens it through atob.
  const older = await offline.newPage();
  older.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error (no fromBase64): ${message.text()}`);
  });
  older.on('pageerror', (error) => problems.push(`page error (no fromBase64): ${error.message}`));
  await older.addInitScript(() => delete Uint8Array.fromBase64);
  await older.goto(pathToFileURL(file).href);
  await waitForPaintedCanvas(older);
  await older.waitForFunction(() => document.querySelectorAll('#top-functions tbody tr').length > 0);
  await older.waitForFunction(() => /[#&]transforms=/.test(location.hash));
  assert.equal(await older.evaluate(() => typeof Uint8Array.fromBase64), 'undefined');
  assert.deepEqual(await viewState(older), before, 'the same view without fromBase64');

  assert.deepEqual(
    requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:') && !url.startsWith('blob:')),
    [],
    'no request left the page',
  );
  assert.deepEqual(problems, [], 'no console error or blocked request');
});

test('an exported page reopens a comparison of two pinned spans', async (t) => {
  const { page, context, ...session } = await openApp(t, { viewport: { width: 1400, height: 900 } });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spanflame-export-html-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // GET /home/1 against GET /home/0 pinned ("Set as baseline"), from the address.
  await page.goto(`${session.url}#span=161746962db17094&scope=children&baseSpan=adec6d49f47ac7bb&baseScope=children`);
  await page.waitForSelector('#diff-table tbody tr');
  const totals = async (p) => [
    await p.getAttribute('#diff-before-total', 'data-total'),
    await p.getAttribute('#diff-after-total', 'data-total'),
  ];
  const before = await totals(page);
  assert.deepEqual(before, ['43', '41'], 'the spans with their children: 43 and 41 samples');
  await page.click('#export-button');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-menu [data-code="html"]')]);
  const file = path.join(dir, 'pinned.html');
  await download.saveAs(file);
  session.assertClean();

  const offline = await context.browser().newContext({ viewport: { width: 1400, height: 900 } });
  t.after(() => offline.close());
  const problems = [];
  await offline.route('**/*', (route) => {
    if (/^(file|data|blob):/.test(route.request().url())) return route.continue();
    problems.push(`request to ${route.request().url()}`);
    return route.abort('blockedbyclient');
  });
  const reopened = await offline.newPage();
  reopened.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  reopened.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await reopened.goto(pathToFileURL(file).href);
  await reopened.waitForSelector('#diff-table tbody tr');
  assert.deepEqual(await totals(reopened), before, 'the same comparison');
  assert.match(await reopened.innerText('#diff-bar'), /span GET \/home\/1[\s\S]*vs[\s\S]*span GET \/home\/0/);
  await reopened.waitForFunction(() => location.hash.includes('baseSpan=adec6d49f47ac7bb'));
  assert.deepEqual(problems, [], 'no console error or blocked request');
});
