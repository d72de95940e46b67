// Offline use and the Content-Security-Policy: after a first visit the app opens with the
// network cut (a service worker keeps the app shell and the demo), a dropped file needs no
// network at all, a new release replaces the old cache, and everything runs under the strict
// CSP of index.html (no inline script or style).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { APP_CSP, startStaticServer } from '../static-server.mjs';
import { DIST, REPO_ROOT, dropFiles, expectText, openApp, waitForFrame, waitForPaintedCanvas } from './harness.mjs';

const SYNTHETIC = path.join(REPO_ROOT, 'core/tests/fixtures/otlp/synthetic-v1_10');

/** Waits until a service worker controls the page; returns what it cached. */
async function serviceWorkerState(page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    const keys = await caches.keys();
    const paths = async (name) =>
      keys.includes(name) ? (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname) : [];
    const shell = keys.find((k) => k.startsWith('spanflame-shell-'));
    return {
      scope: registration.scope,
      keys,
      shell,
      shellPaths: await paths(shell),
      dataPaths: await paths('spanflame-data'),
    };
  });
}

/**
 * Records the requests the service worker itself makes, so that its expected failures while
 * offline (it tries the network first, then answers from its cache) can be told apart from
 * the page's. Returns a function that drops those from `session.problems`.
 */
function expectWorkerFailures(session) {
  const failed = [];
  session.context.on('requestfailed', (request) => {
    if (request.serviceWorker()) failed.push(request.url());
  });
  return () => {
    const before = session.problems.length;
    for (let i = session.problems.length - 1; i >= 0; i -= 1) {
      if (failed.some((url) => session.problems[i] === `request failed: ${url} (net::ERR_INTERNET_DISCONNECTED)`)) {
        session.problems.splice(i, 1);
      }
    }
    return before - session.problems.length;
  };
}

test('after a first visit the app opens with the network cut, and a dropped file needs no network', async (t) => {
  const session = await openApp(t);
  const { page, context } = session;
  await page.goto(session.url);
  await waitForPaintedCanvas(page);
  await waitForFrame(page, 'busy_sleep');

  const sw = await serviceWorkerState(page);
  assert.equal(sw.scope, session.url);
  const version = (await readFile(path.join(DIST, 'sw.js'), 'utf8')).match(/^const VERSION = '([0-9a-f]{16})';$/m)?.[1];
  assert.ok(version, 'the build wrote a version into sw.js');
  assert.equal(sw.shell, `spanflame-shell-${version}`);
  const wasm = (await readFile(path.join(DIST, 'index.html'), 'utf8')).match(/data-spanflame-wasm="\.\/([^"]+)"/)[1];
  for (const p of ['/', '/index.html', '/boot.js', `/${wasm}`]) assert.ok(sw.shellPaths.includes(p), `${p} precached: ${sw.shellPaths}`);
  assert.ok(!sw.shellPaths.some((p) => p.includes('demo') || p.includes('embed-host')), 'only the app shell is precached');
  // The demo the page fetched itself is kept for offline use.
  assert.deepEqual(sw.dataPaths.sort(), ['/demo/profile.binpb', '/demo/traces.json']);

  // Cut the network: the browser is offline and the server is gone.
  const dropWorkerFailures = expectWorkerFailures(session);
  await context.setOffline(true);
  await session.server.close();
  const response = await page.reload();
  assert.ok(response.fromServiceWorker(), 'the page came from the service worker');
  await waitForPaintedCanvas(page);
  await waitForFrame(page, 'busy_sleep');
  await expectText(page, '#total', /^187$/);
  assert.equal(await page.$('#error'), null, 'no error banner offline');
  await session.screenshot('offline-reload');

  // Dropping files makes no request but for the app's own code: the decode worker's script
  // and the wasm glue it imports, which the service worker answers from its cache.
  const requests = session.requests.length;
  await dropFiles(page, [{ path: path.join(SYNTHETIC, 'profiles.binpb') }, { path: path.join(SYNTHETIC, 'traces.json') }]);
  await page.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('profiles.binpb'));
  await waitForFrame(page, 'memcpy');
  await expectText(page, '#total', /^6$/);
  const shell = new Set((await readFile(path.join(DIST, 'sw.js'), 'utf8')).match(/^const PRECACHE = \[(.*)\];$/m)[1].split(', ').map((f) => new URL(f.slice(1, -1), session.url).href));
  const after = session.requests.slice(requests);
  assert.ok(after.some((url) => url.endsWith('/decode-worker.js')), `the drop was decoded in a worker: ${after}`);
  assert.deepEqual(after.filter((url) => !shell.has(url)), [], 'no request after the drop but for the app shell');
  await session.screenshot('offline-drop');

  dropWorkerFailures();
  session.assertClean();
});

test('a new release replaces the old cache', async (t) => {
  const session = await openApp(t);
  const { page } = session;
  // A copy of the build, served on its own, that this test turns into a "next release".
  const root = await mkdtemp(path.join(os.tmpdir(), 'spanflame-release-'));
  await cp(DIST, root, { recursive: true });
  const server = await startStaticServer({ root });
  t.after(() => server.close());

  await page.goto(server.url);
  await waitForFrame(page, 'busy_sleep');
  const first = await serviceWorkerState(page);

  // The next release: a changed page, then the build hook as Trunk runs it.
  const index = path.join(root, 'index.html');
  await writeFile(index, (await readFile(index, 'utf8')).replace('<title>Spanflame</title>', '<title>Spanflame next</title>'));
  execFileSync('sh', [path.join(REPO_ROOT, 'scripts/trunk-post-build.sh')], {
    env: { ...process.env, TRUNK_STAGING_DIR: root },
    stdio: 'pipe',
  });
  const next = (await readFile(path.join(root, 'sw.js'), 'utf8')).match(/^const VERSION = '([0-9a-f]{16})';$/m)[1];
  assert.notEqual(`spanflame-shell-${next}`, first.shell, 'a new version');

  // The browser finds the new worker, which takes over and deletes the old shell cache.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    const changed = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    await registration.update();
    await changed;
  });
  // Activation (and its clean-up) may finish a little after the new worker took control.
  let keys = [];
  for (let i = 0; i < 100; i += 1) {
    keys = await page.evaluate(() => caches.keys());
    if (keys.filter((k) => k.startsWith('spanflame-shell-')).length === 1) break;
    await page.waitForTimeout(50);
  }
  assert.ok(keys.includes(`spanflame-shell-${next}`), `the new cache: ${keys}`);
  assert.ok(!keys.includes(first.shell), `the old cache is gone: ${keys}`);
  assert.ok(keys.includes('spanflame-data'), 'the data cache stays');

  // Offline, the new release opens.
  const dropWorkerFailures = expectWorkerFailures(session);
  await session.context.setOffline(true);
  await server.close();
  await page.reload();
  await waitForFrame(page, 'busy_sleep');
  assert.equal(await page.title(), 'Spanflame next');
  dropWorkerFailures();
  session.assertClean();
});

test('the strict Content-Security-Policy: no inline script or style, none needed', async (t) => {
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
  assert.equal(meta, APP_CSP, 'index.html and the server send the same policy');
  assert.match(meta, /default-src 'self'/);
  assert.match(meta, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(meta, /style-src 'self'(;|$)/);
  assert.doesNotMatch(meta, /'unsafe-inline'|'unsafe-eval'|'nonce-|'sha256-/);
  // Every script is a file; no inline style.
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(scripts.length > 0 && scripts.every((s) => /\ssrc="/.test(s)), `only external scripts: ${scripts}`);
  assert.doesNotMatch(html, /<style|\sstyle="/);

  const session = await openApp(t);
  const { page } = session;
  // Report every violation (the listener is installed by the test driver, outside the CSP).
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`),
    );
  });
  const response = await page.goto(session.url);
  assert.equal(response.headers()['content-security-policy'], APP_CSP, 'the server sends the policy too');
  await waitForPaintedCanvas(page);
  // Exercise what draws styles: tooltip, legends of every colour mode, theme, waterfall.
  const frame = await waitForFrame(page, 'busy_sleep');
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.move(box.left + frame.x + 10, box.top + frame.y + 9);
  await page.waitForSelector('#flame-tooltip');
  const tip = await page.$eval('#flame-tooltip', (e) => ({ attr: e.getAttribute('style'), left: e.style.left }));
  assert.match(tip.left, /px$/, 'positioned through CSSOM');
  for (const mode of ['kind', 'self', 'package']) await page.selectOption('#colour-mode', mode);
  await page.selectOption('#theme', 'dark');
  await page.click('#waterfall-panel summary', { timeout: 1000 }).catch(() => {});
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);

  // The listener works: a style attribute set from script is refused.
  await page.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
  await page.waitForFunction(() => window.__violations.length > 0);
  assert.match((await page.evaluate(() => window.__violations))[0], /style-src/);
  // Chromium reports it as a console error, once per policy (the <meta> and the header).
  const reported = session.problems.filter((p) => /Applying inline style violates/.test(p));
  assert.ok(reported.length >= 1, 'reported on the console');
  session.problems.splice(0, session.problems.length, ...session.problems.filter((p) => !reported.includes(p)));
  session.assertClean();
});
