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

test('the pixel and colour helpers read what they are given', async () => {
  const { deflateSync } = await import('node:zlib');
  const { contrast, decodeOnePixelPng, parseRgb } = await import('./harness.mjs');
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, data, Buffer.alloc(4)]);
  };
  const png = (colourType, pixel, filter) => {
    const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, colourType, 0, 0, 0]);
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from([filter, ...pixel]))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  };
  assert.deepEqual(decodeOnePixelPng(png(6, [15, 18, 22, 255], 0)), [15, 18, 22]);
  assert.deepEqual(decodeOnePixelPng(png(2, [255, 1, 2], 4)), [255, 1, 2]);
  assert.throws(() => decodeOnePixelPng(png(3, [0], 0)), /colour type 3/);
  assert.deepEqual(parseRgb('rgb(15, 18, 22)'), [15, 18, 22, 1]);
  assert.deepEqual(parseRgb('rgba(1, 2, 3, 0.5)'), [1, 2, 3, 0.5]);
  assert.equal(Math.round(contrast([0, 0, 0], [255, 255, 255])), 21);
  assert.equal(contrast([15, 18, 22], [15, 18, 22]), 1);
});
