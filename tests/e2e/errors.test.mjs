// When the demo cannot be loaded, the app says why (role="alert") instead of crashing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openApp } from './harness.mjs';

test('a file that is not a profile gives a readable error, no panic', async (t) => {
  const session = await openApp(t);
  await session.page.route('**/demo/profile.binpb', (route) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: 'this is not a profile\n' }),
  );
  await session.page.goto(session.url);
  const alert = await session.page.waitForSelector('[role="alert"]');
  const text = await alert.innerText();
  assert.match(text, /Could not read demo\/profile\.binpb: \S/);
  assert.equal(await session.page.$('canvas#flame'), null, 'no flame graph');
  await session.screenshot('error-not-a-profile');
  session.assertClean();
});

test('a missing demo gives a readable error', async (t) => {
  const session = await openApp(t);
  await session.page.route('**/demo/profile.binpb', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await session.page.goto(session.url);
  const alert = await session.page.waitForSelector('[role="alert"]');
  assert.match(await alert.innerText(), /Could not fetch demo\/profile\.binpb: HTTP 404/);
  // The 404 itself is the only problem: Chromium logs it as a console error.
  assert.ok(session.problems.length > 0 && session.problems.every((p) => /404/.test(p)), session.problems.join('\n'));
});
