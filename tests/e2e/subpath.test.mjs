// Static hosting under a sub-path (/tools/spanflame/): the app, the demo, the service worker's
// scope and the example host page all resolve inside it. And the view in the URL hash: a
// reload or a shared link shows the same span, scope, search, zoom and sample type.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, clickFrame, dropFiles, expectText, openApp, waitForFrame, waitForPaintedCanvas } from './harness.mjs';

const PREFIX = '/tools/spanflame/';
const SYNTHETIC = path.join(REPO_ROOT, 'core/tests/fixtures/otlp/synthetic-v1_10');

const hashParams = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));

test('under a sub-path: the app, its service worker and the example host page', async (t) => {
  const session = await openApp(t, { prefix: PREFIX });
  const { page } = session;
  assert.ok(session.url.endsWith(PREFIX));
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await waitForFrame(page, 'busy_sleep');
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, session.url, 'the worker covers the sub-path only');
  for (const url of session.requests) {
    assert.ok(new URL(url).pathname.startsWith(PREFIX), `${url} stays under ${PREFIX}`);
  }

  // The example host page, same origin: its viewer frame and the demo it sends.
  await page.goto(`${session.url}embed-host.html`);
  await page.evaluate(() => window.spanflameHost.waitFor((m) => m.kind === 'ready'));
  const src = await page.$eval('#viewer', (f) => f.src);
  assert.ok(new URL(src).pathname.startsWith(PREFIX), src);
  await page.click('#load-demo');
  const loaded = await page.evaluate(() =>
    window.spanflameHost.waitFor((m) => m.kind === 'loaded' && m.trace && m.profile),
  );
  assert.equal(loaded.profile.totalWeight, 187);
  assert.equal(loaded.trace.spans, 18);
  for (const url of session.requests) assert.ok(new URL(url).pathname.startsWith(PREFIX), url);
  session.assertClean();
});

test('the view is in the hash: a reload and a shared link restore it, without history entries', async (t) => {
  const session = await openApp(t, { prefix: PREFIX });
  const { page } = session;
  // A link with only view state: the demo opens, then the span filter and search apply.
  await page.goto(`${session.url}#span=adec6d49f47ac7bb&scope=children&search=hash`);
  await page.waitForFunction(() => document.querySelector('#total')?.textContent === '43');
  await expectText(page, '#active-filter', /GET \/home\/0[\s\S]*span and children/);
  assert.equal(await page.inputValue('#search'), 'hash');
  await page.waitForFunction(() => document.querySelector('#search-status')?.textContent.includes('1 match'));
  const historyLength = await page.evaluate(() => history.length);

  // Zoom by clicking a frame: the hash follows, with replaceState.
  await waitForPaintedCanvas(page);
  await clickFrame(page, await waitForFrame(page, 'handle_request'));
  await page.waitForFunction(() => location.hash.includes('zoom='));
  let hash = await hashParams(page);
  assert.equal(hash.span, 'adec6d49f47ac7bb');
  assert.equal(hash.scope, 'children');
  assert.equal(hash.search, 'hash');
  assert.match(hash.zoom, /^<module>(@[^,]*)?,handle_request(@[^,]*)?$/, 'the zoom path: functions from the root');
  await page.fill('#search', 'fib');
  await page.waitForFunction(() => location.hash.includes('search=fib'));
  assert.equal(await page.evaluate(() => history.length), historyLength, 'no history entries');

  // Reload: the same view.
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#total')?.textContent === '43');
  await page.waitForSelector('#breadcrumbs button[aria-current][data-depth="2"]');
  assert.equal(await page.innerText('#breadcrumbs button[aria-current]'), 'handle_request');
  assert.equal(await page.inputValue('#search'), 'fib');
  await session.screenshot('view-hash-reload');

  // A shared link with the files' URLs: another page opens the same view of them.
  const shared = `${session.url}#profileURL=demo%2Fprofile.binpb&traceURL=demo%2Ftraces.json&span=d28fece0d5b12a5c&scope=only`;
  const other = await page.context().newPage();
  await other.goto(shared);
  await other.waitForFunction(() => document.querySelector('#total')?.textContent === '13');
  await expectText(other, '#active-filter', /compute_hash[\s\S]*this span only/);
  hash = await hashParams(other);
  assert.equal(hash.profileURL, 'demo/profile.binpb', 'the URLs stay in the hash');
  assert.equal(hash.traceURL, 'demo/traces.json');
  // Clearing the filter takes it out of the hash.
  await other.click('#active-filter button.dismiss');
  await other.waitForFunction(() => !location.hash.includes('span='));
  await other.close();

  // Local files are not in the hash (a reload cannot fetch them), the sample type is; and a
  // hash typed in by hand applies to what is open.
  await dropFiles(page, [{ path: path.join(SYNTHETIC, 'profiles.binpb') }, { path: path.join(SYNTHETIC, 'traces.json') }]);
  await waitForFrame(page, 'memcpy');
  await page.selectOption('#sample-type', '1');
  await page.waitForFunction(() => location.hash.includes('sampleType=1'));
  hash = await hashParams(page);
  assert.equal(hash.profileURL, undefined);
  await page.evaluate(() => {
    location.hash = 'sampleType=2&search=fib';
  });
  await page.waitForFunction(() => document.querySelector('#total')?.textContent.includes('MiB'));
  assert.equal(await page.inputValue('#sample-type'), '2');
  assert.equal(await page.inputValue('#search'), 'fib');
  session.assertClean();
});
