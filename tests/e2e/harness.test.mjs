// The harness itself: the static server's MIME types and sub-path handling, and that
// assertClean() really catches console errors, page errors and requests leaving 127.0.0.1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DIST, openApp } from './harness.mjs';
import { startStaticServer } from '../static-server.mjs';

test('static server: MIME types, sub-path prefix, no escaping the root', async (t) => {
  const server = await startStaticServer({ root: DIST, prefix: '/a/b' });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/a\/b\/$/);

  const index = await fetch(server.url);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  const html = await index.text();
  const wasm = html.match(/href="\.\/([^"]+_bg\.wasm)"/);
  assert.ok(wasm, 'index.html preloads the wasm with a relative URL');
  const wasmResponse = await fetch(new URL(wasm[1], server.url));
  assert.equal(wasmResponse.status, 200);
  assert.equal(wasmResponse.headers.get('content-type'), 'application/wasm');

  const demo = await fetch(new URL('demo/profile.binpb', server.url));
  assert.equal(demo.status, 200);
  assert.equal(demo.headers.get('content-type'), 'application/octet-stream');

  const origin = new URL(server.url).origin;
  assert.equal((await fetch(`${origin}/index.html`)).status, 404, 'outside the prefix');
  assert.equal((await fetch(`${origin}/a/b/../../../etc/passwd`)).status, 404, 'normalised outside the prefix');
  assert.equal((await fetch(`${server.url}..%2F..%2F..%2Fpackage.json`)).status, 403, 'encoded slashes');
  const redirect = await fetch(`${origin}/a/b`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/a/b/');
});

test('assertClean() fails on console errors, page errors and foreign requests', async (t) => {
  const session = await openApp(t);
  await session.page.goto(session.url);
  await session.page.waitForSelector('#top-functions');
  session.assertClean();

  await session.page.evaluate(async () => {
    console.error('boom');
    setTimeout(() => {
      throw new Error('uncaught');
    });
    // https: the page's CSP lets fetches to https origins through (for #profileURL=), so this
    // one reaches the harness's guard; http://<elsewhere> the CSP would refuse first.
    await fetch('https://192.0.2.1/leak').catch(() => {});
  });
  await session.page.waitForTimeout(100);
  assert.throws(() => session.assertClean(), /leak/);
  const problems = session.problems.join('\n');
  assert.match(problems, /console error: boom/);
  assert.match(problems, /page error: uncaught/);
  assert.match(problems, /blocked request to https:\/\/192\.0\.2\.1\/leak/);
});
