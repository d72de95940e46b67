// Embedding end to end: `?embed=1`, the example host page (public/embed-host.html) talking to
// the viewer with the postMessage protocol (docs/embedding.md), origins that are not allowed,
// and names that carry HTML. Expected numbers come from the fixture README
// (core/tests/fixtures/otlp/README.md), not from Spanflame.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startStaticServer } from '../static-server.mjs';
import {
  DIST,
  REPO_ROOT,
  SCREENSHOT_DIR,
  assertTheme,
  dropFiles,
  mirrorFrames,
  openApp,
  waitForFrame,
  waitForPaintedCanvas,
} from './harness.mjs';

const FIXTURE = path.join(REPO_ROOT, 'core/tests/fixtures/otlp/python-ext-0.63b4-file');
const PROFILE = path.join(FIXTURE, 'profiles.v1_10.binpb');
const TRACES = path.join(FIXTURE, 'traces.json');

/** A second server for the same dist: another port, so another origin. */
async function otherOrigin(t, root = DIST) {
  const server = await startStaticServer({ root });
  t.after(() => server.close());
  return server;
}

/** The framed viewer (its URL carries embed=1). */
async function viewerFrame(page) {
  await page.waitForFunction(() => document.querySelector('#viewer')?.src.includes('embed=1'));
  for (;;) {
    const frame = page.frames().find((f) => f.url().includes('embed=1'));
    if (frame) return frame;
    await page.waitForTimeout(50);
  }
}

/**
 * Posts a message from the host page (public/embed-host.js) and resolves with the viewer's
 * reply to it (matched by requestId). `file`: a path whose bytes go as a transferred
 * ArrayBuffer; `text`: a string sent as is.
 */
async function ask(page, message, { file, text } = {}) {
  const { readFile } = await import('node:fs/promises');
  const base64 = file ? (await readFile(file)).toString('base64') : undefined;
  return page.evaluate(
    async ({ message, base64, text }) => {
      const host = window.spanflameHost;
      let data;
      const transfer = [];
      if (base64 !== undefined) {
        const binary = atob(base64);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
        data = bytes.buffer;
        transfer.push(data);
      } else if (text !== undefined) {
        data = text;
      }
      const requestId = host.post(data === undefined ? message : { ...message, data }, transfer);
      const reply = await host.waitFor((m) => m.requestId === requestId);
      if (transfer.length) reply.transferred = data.byteLength === 0;
      return reply;
    },
    { message, base64, text },
  );
}

/** Opens the example host page on one origin framing the viewer on another. */
async function openHost(t, { theme } = {}) {
  const session = await openApp(t, { viewport: { width: 1400, height: 1000 } });
  const hostServer = await otherOrigin(t);
  const viewerUrl = session.url;
  const query = new URLSearchParams({ viewer: viewerUrl });
  if (theme) query.set('theme', theme);
  await session.page.goto(`${hostServer.url}embed-host.html?${query}`);
  const ready = await session.page.evaluate(() => window.spanflameHost.waitFor((m) => m.kind === 'ready'));
  return { ...session, hostServer, viewerUrl, ready, frame: await viewerFrame(session.page) };
}

test('the example host page frames the viewer, loads the fixture and selects spans by message', async (t) => {
  const { page, frame, ready, viewerUrl, hostServer, ...session } = await openHost(t);
  assert.equal(ready.type, 'spanflame');
  assert.equal(ready.version, 1);
  assert.deepEqual(ready.supportedVersions, [1]);
  assert.ok(ready.accepts.includes('selectSpan'));
  assert.notEqual(new URL(viewerUrl).origin, new URL(hostServer.url).origin, 'two origins');
  // Nothing but the graph and the waterfall: no header, toolbar, table or demo.
  assert.equal(await frame.$eval('html', (h) => h.hasAttribute('data-embed')), true);
  for (const selector of ['header.top', '.toolbar', '#top-functions', '#open-file']) {
    assert.equal(await frame.$(selector), null, `${selector} is not in embed mode`);
  }
  assert.ok(!session.requests.some((u) => u.includes('/demo/')), 'embed mode does not load the demo');

  const loaded = await ask(page, { kind: 'loadProfile', name: 'profiles.v1_10.binpb' }, { file: PROFILE });
  assert.equal(loaded.kind, 'loaded', JSON.stringify(loaded));
  assert.equal(loaded.transferred, true, 'the ArrayBuffer was transferred, not copied');
  assert.equal(loaded.file, 'profile');
  assert.equal(loaded.profile.name, 'profiles.v1_10.binpb');
  assert.equal(loaded.profile.layout, 'v1.10/v1.11');
  assert.equal(loaded.profile.samples, 187);
  assert.equal(loaded.profile.linkedSamples, 174);
  assert.equal(loaded.profile.linkedSpans, 13);
  assert.equal(loaded.profile.totalWeight, 187);
  assert.deepEqual(loaded.profile.sampleTypes, [{ index: 0, name: 'samples', unit: 'count' }]);
  assert.equal(loaded.trace, null);

  // Traces as JSON text (a string, not bytes).
  const { readFile } = await import('node:fs/promises');
  const withTraces = await ask(page, { kind: 'loadTrace', name: 'traces.json' }, { text: await readFile(TRACES, 'utf8') });
  assert.equal(withTraces.kind, 'loaded', JSON.stringify(withTraces));
  assert.equal(withTraces.file, 'trace');
  assert.equal(withTraces.trace.spans, 18);
  assert.equal(withTraces.trace.traces, 5);
  assert.equal(withTraces.profile.totalWeight, 187);
  await waitForPaintedCanvas(frame);

  // compute_hash of GET /home/0, that span only: 13 samples, all in hash_loop.
  const only = await ask(page, { kind: 'selectSpan', span: 'd28fece0d5b12a5c', scope: 'only' });
  assert.equal(only.kind, 'spanSelected', JSON.stringify(only));
  assert.equal(only.span.spanId, 'd28fece0d5b12a5c');
  assert.equal(only.span.name, 'compute_hash');
  assert.equal(only.scope, 'only');
  assert.equal(only.totalWeight, 13);
  assert.deepEqual(only.sampleType, { index: 0, name: 'samples', unit: 'count' });
  assert.equal(only.topFrames[0].name, 'hash_loop');
  assert.equal(only.topFrames[0].selfWeight, 13);
  assert.equal(only.topFrames.reduce((sum, f) => sum + f.selfWeight, 0), 13);

  // GET /home/0 with its children: 43 (busy_sleep 29, hash_loop 13, fib 1).
  const children = await ask(page, { kind: 'selectSpan', span: 'adec6d49f47ac7bb', scope: 'children', topFrames: 3 });
  assert.equal(children.span.name, 'GET /home/0');
  assert.equal(children.totalWeight, 43);
  assert.deepEqual(
    children.topFrames.map((f) => [f.name, f.selfWeight]),
    [['busy_sleep', 29], ['hash_loop', 13], ['fib', 1]],
  );
  // The graph shows the same: its widest frame is the filtered total.
  await frame.waitForFunction(() => document.querySelector('#active-filter')?.textContent.includes('GET /home/0'));
  await waitForPaintedCanvas(frame);
  await waitForFrame(frame, 'hash_loop');
  await page.waitForFunction(() => document.querySelector('#span-summary')?.textContent.includes('total 43'));
  await session.screenshot('embed-host-page');

  // A frame clicked in the graph is reported.
  const frameBox = await frame.$eval('#flame-scroll', (el) => el.getBoundingClientRect().toJSON());
  const busy = await waitForFrame(frame, 'busy_sleep');
  await frame.locator('#flame-scroll').click({ position: { x: busy.x + Math.min(busy.w / 2, 40), y: busy.y + 9 } });
  const clicked = await page.evaluate(() => window.spanflameHost.waitFor((m) => m.kind === 'frameSelected'));
  assert.equal(clicked.name, 'busy_sleep');
  assert.equal(clicked.selfWeight, 29);
  assert.equal(clicked.unit, 'count');
  assert.ok(frameBox.height > 200, `the graph fills the frame: ${JSON.stringify(frameBox)}`);

  // All samples again.
  const cleared = await ask(page, { kind: 'selectSpan', span: null });
  assert.equal(cleared.span, null);
  assert.equal(cleared.totalWeight, 187);

  // Sample type by name; theme.
  const bad = await ask(page, { kind: 'setSampleType', sampleType: 'cpu' });
  assert.equal(bad.kind, 'error');
  assert.equal(bad.code, 'notLoaded');
  await page.evaluate(() => window.spanflameHost.post({ kind: 'setTheme', theme: 'dark' }));
  await frame.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.evaluate(() => window.spanflameHost.post({ kind: 'setTheme', theme: 'light' }));
  await frame.waitForFunction(() => document.documentElement.dataset.theme === 'light');

  // Refusals: unknown version, unknown kind, a bad span id, an unknown span.
  const v2 = await ask(page, { kind: 'ping', version: 2 });
  assert.equal(v2.kind, 'error');
  assert.equal(v2.code, 'unsupportedVersion');
  assert.equal(v2.version, 1);
  assert.deepEqual(v2.supportedVersions, [1]);
  const unknown = await ask(page, { kind: 'explode' });
  assert.equal(unknown.code, 'unknownKind');
  assert.equal((await ask(page, { kind: 'selectSpan', span: 'not-hex' })).code, 'invalidMessage');
  assert.equal((await ask(page, { kind: 'selectSpan', span: '0123456789abcdef' })).code, 'notLoaded');
  const broken = await ask(page, { kind: 'loadProfile', name: 'junk.bin' }, { text: 'this is not a profile' });
  assert.equal(broken.code, 'loadFailed');
  assert.match(broken.message, /junk\.bin/);
  // The view stayed; the error banner can be dismissed.
  await frame.click('#error button.dismiss');

  // Ping answers with ready; clear empties the viewer.
  assert.equal((await ask(page, { kind: 'ping' })).kind, 'ready');
  await page.evaluate(() => window.spanflameHost.post({ kind: 'clear' }));
  await frame.waitForSelector('#embed-waiting');
  assert.equal(await frame.$('canvas#flame'), null);

  // Every message had the envelope.
  const messages = await page.evaluate(() => window.spanflameHost.messages);
  assert.ok(messages.every((m) => m.type === 'spanflame' && m.version === 1 && typeof m.kind === 'string'));
  session.assertClean();
});

test('embed mode fills its window, takes ?theme= and loads #profileURL', async (t) => {
  for (const theme of ['light', 'dark']) {
    const session = await openApp(t, { viewport: { width: 900, height: 600 }, colorScheme: theme === 'dark' ? 'light' : 'dark' });
    const { page } = session;
    await page.goto(`${session.url}?embed=1&theme=${theme}#profileURL=demo%2Fprofile.binpb&traceURL=demo%2Ftraces.json`);
    await waitForPaintedCanvas(page);
    await waitForFrame(page, 'busy_sleep');
    // ?theme= wins over the system, on screen as well as in the attribute.
    await assertTheme(page, theme);
    assert.equal(await page.$('.toolbar'), null);
    const box = await page.$eval('#flame-scroll', (el) => el.getBoundingClientRect().toJSON());
    assert.ok(box.bottom > 600 - 30 && box.bottom <= 600, `the graph reaches the bottom: ${JSON.stringify(box)}`);
    assert.ok(box.width > 900 - 40, `and the sides: ${JSON.stringify(box)}`);
    const scroll = await page.evaluate(() => [document.documentElement.scrollHeight, window.innerHeight]);
    assert.ok(scroll[0] <= scroll[1] + 1, `no page scrollbar: ${scroll}`);
    await session.screenshot(`embed-${theme}`);
    session.assertClean();
  }
});

test('messages from an origin that is not allowed are ignored, and nothing is posted to it', async (t) => {
  const { page, frame, viewerUrl, hostServer, ...session } = await openHost(t);
  const loaded = await ask(page, { kind: 'loadProfile', name: 'p.binpb' }, { file: PROFILE });
  assert.equal(loaded.profile.totalWeight, 187);

  // A third origin: an iframe inside the (allowed) host page posts to the viewer.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spanflame-other-'));
  await writeFile(path.join(dir, 'other.html'), '<!doctype html><title>another origin</title><p>other</p>');
  const other = await otherOrigin(t, dir);
  assert.notEqual(new URL(other.url).origin, new URL(hostServer.url).origin);
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.id = 'intruder';
    f.src = src;
    document.body.append(f);
    return new Promise((resolve) => f.addEventListener('load', resolve, { once: true }));
  }, `${other.url}other.html`);
  const intruder = page.frames().find((f) => f.url().startsWith(other.url));
  assert.ok(intruder, 'the other-origin frame loaded');
  const { readFile } = await import('node:fs/promises');
  const junk = await readFile(path.join(REPO_ROOT, 'core/tests/fixtures/otlp/synthetic-v1_10/profiles.binpb'));
  const heard = await intruder.evaluate(
    async ({ origin, bytes }) => {
      const heard = [];
      window.addEventListener('message', (e) => heard.push(e.data));
      const viewer = parent.frames[0];
      const base = { type: 'spanflame', version: 1 };
      // Both a targeted and a '*' post: the viewer must ignore them either way.
      viewer.postMessage({ ...base, kind: 'ping', requestId: 'evil-1' }, origin);
      viewer.postMessage({ ...base, kind: 'clear', requestId: 'evil-2' }, '*');
      viewer.postMessage({ ...base, kind: 'loadProfile', data: new Uint8Array(bytes).buffer, requestId: 'evil-3' }, '*');
      viewer.postMessage({ ...base, kind: 'selectSpan', span: 'd28fece0d5b12a5c', requestId: 'evil-4' }, '*');
      await new Promise((r) => setTimeout(r, 1500));
      return heard;
    },
    { origin: new URL(viewerUrl).origin, bytes: [...junk] },
  );
  assert.deepEqual(heard, [], 'the viewer posted nothing to the other origin');
  const messages = await page.evaluate(() => window.spanflameHost.messages);
  assert.ok(!messages.some((m) => String(m.requestId).startsWith('evil')), 'no reply to the intruder went to the host either');
  // Still the fixture, unfiltered: the intruder's clear/load/select did nothing.
  const check = await ask(page, { kind: 'selectSpan', span: null });
  assert.equal(check.totalWeight, 187);
  assert.equal(await frame.$eval('html', (h) => h.hasAttribute('data-embed')), true);
  await frame.waitForSelector('canvas#flame');

  // A page on the other origin framing the viewer with ?origin= naming someone else gets
  // neither `ready` nor replies; naming itself, it does (the control).
  const heardDirect = await intruder.evaluate(
    async ({ viewer, claimed, self }) => {
      const run = (origin) =>
        new Promise((resolve) => {
          const heard = [];
          const f = document.createElement('iframe');
          f.src = `${viewer}?embed=1&origin=${encodeURIComponent(origin)}`;
          window.addEventListener('message', (e) => {
            if (e.source === f.contentWindow) heard.push(e.data.kind);
          });
          f.addEventListener('load', () => {
            setTimeout(() => f.contentWindow.postMessage({ type: 'spanflame', version: 1, kind: 'ping' }, '*'), 300);
            setTimeout(() => resolve(heard), 2500);
          });
          document.body.append(f);
        });
      return { claimed: await run(claimed), self: await run(self) };
    },
    { viewer: viewerUrl, claimed: new URL(hostServer.url).origin, self: new URL(other.url).origin },
  );
  assert.deepEqual(heardDirect.claimed, [], 'not allowed: silence');
  assert.deepEqual(heardDirect.self, ['ready', 'ready'], 'allowed: ready at start and in reply to ping');
  session.assertClean();
});

test('names that carry HTML or script stay text everywhere', async (t) => {
  const EVIL_FN = '<img src=x onerror=alert(1)>';
  const EVIL_SCRIPT = '<script>alert(document.domain)</script>';
  const EVIL_SPAN = '<img src=y onerror=alert(2)>';
  const EVIL_FILE = '"><svg onload=alert(3)>.py';
  const trace = 'ab'.repeat(16);
  const span = 'cd'.repeat(8);
  const profile = {
    resourceProfiles: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: '<b>svc</b>' } }] },
        scopeProfiles: [
          {
            scope: { name: 'hostile' },
            profiles: [
              {
                sampleType: { typeStrindex: 4, unitStrindex: 5 },
                samples: [
                  { stackIndex: 1, linkIndex: 1, values: ['3'] },
                  { stackIndex: 2, values: ['2'] },
                ],
                timeUnixNano: '1767225600000000000',
                durationNano: '1000000000',
                periodType: { typeStrindex: 4, unitStrindex: 5 },
                period: '1',
              },
            ],
          },
        ],
      },
    ],
    dictionary: {
      stringTable: ['', EVIL_FN, EVIL_SCRIPT, EVIL_FILE, 'samples', 'count', 'main'],
      functionTable: [{}, { nameStrindex: 1, filenameStrindex: 3 }, { nameStrindex: 2, filenameStrindex: 3 }, { nameStrindex: 6, filenameStrindex: 3 }],
      locationTable: [{}, { lines: [{ functionIndex: 1, line: '1' }] }, { lines: [{ functionIndex: 2, line: '2' }] }, { lines: [{ functionIndex: 3, line: '3' }] }],
      // Leaf first: main -> EVIL_FN, and main -> EVIL_FN -> EVIL_SCRIPT.
      stackTable: [{}, { locationIndices: [1, 3] }, { locationIndices: [2, 1, 3] }],
      linkTable: [{ traceId: '0'.repeat(32), spanId: '0'.repeat(16) }, { traceId: trace, spanId: span }],
      attributeTable: [{}],
      mappingTable: [{}],
    },
  };
  const traces = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: '<i>svc</i>' } }] },
        scopeSpans: [
          {
            scope: { name: 'hostile' },
            spans: [
              { traceId: trace, spanId: span, name: EVIL_SPAN, kind: 2, startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225601000000000' },
            ],
          },
        ],
      },
    ],
  };

  const session = await openApp(t);
  const { page } = session;
  const dialogs = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(session.url);
  await waitForFrame(page, 'busy_sleep');
  await dropFiles(page, [
    { name: 'hostile.json', bytes: JSON.stringify(profile) },
    { name: 'hostile-traces.json', bytes: JSON.stringify(traces) },
  ]);
  await waitForFrame(page, EVIL_SCRIPT);
  const frames = await mirrorFrames(page);
  assert.ok(frames.some((f) => f.name === EVIL_FN && f.text === EVIL_FN), 'the mirror shows the name as text');
  const rows = await page.$$eval('#top-functions tbody tr', (r) => r.map((x) => x.dataset.name));
  assert.ok(rows.includes(EVIL_FN) && rows.includes(EVIL_SCRIPT), `table rows: ${rows}`);
  // Hover it: the tooltip prints name and file as text.
  const evil = frames.find((f) => f.name === EVIL_SCRIPT);
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.move(box.left + evil.x + Math.min(evil.w / 2, 30), box.top + evil.y + 9);
  await page.waitForSelector('#flame-tooltip');
  assert.equal(await page.$eval('#flame-tooltip .tip-name', (e) => e.textContent), EVIL_SCRIPT);
  assert.match(await page.$eval('#flame-tooltip .tip-file', (e) => e.textContent), /svg onload/);
  // The span filter chip, through the hash, prints the span's name as text.
  await page.evaluate((span) => {
    location.hash = `span=${span}&scope=only`;
  }, span);
  await page.waitForFunction((name) => document.querySelector('#active-filter')?.textContent.includes(name), EVIL_SPAN);
  assert.equal(await page.$eval('#active-filter .span-name', (e) => e.textContent), EVIL_SPAN);
  await page.fill('#search', 'img src');
  await page.waitForFunction(() => document.querySelector('#search-status')?.textContent.includes('match'));
  await page.waitForTimeout(300);

  const injected = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length,
    svgs: document.querySelectorAll('svg').length,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    bold: document.querySelectorAll('b, i').length,
  }));
  assert.deepEqual(injected, { imgs: 0, svgs: 0, scripts: ['./boot.js'], bold: 0 });
  assert.deepEqual(dialogs, [], 'no script ran');
  assert.ok(!session.requests.some((u) => /\/(x|y)$/.test(new URL(u).pathname)), 'no image was requested');
  await session.screenshot('hostile-names');
  session.assertClean();
});

test('a host can post a File and JSON text, and reports reach it from the waterfall too', async (t) => {
  const { page, frame, ...session } = await openHost(t);
  // A File (a Blob) straight from an <input type=file>, as the example page does.
  await page.setInputFiles('#profile-file', PROFILE);
  const loaded = await page.evaluate(() => window.spanflameHost.waitFor((m) => m.kind === 'loaded'));
  assert.equal(loaded.profile.name, 'profiles.v1_10.binpb');
  assert.equal(loaded.profile.samples, 187);
  await page.setInputFiles('#trace-file', TRACES);
  const traced = await page.evaluate(() => window.spanflameHost.waitFor((m) => m.kind === 'loaded' && m.trace));
  assert.equal(traced.trace.spans, 18);
  // The example page's own controls: span id, scope, "Select span".
  await page.fill('#span-id', 'adec6d49f47ac7bb');
  await page.selectOption('#span-scope', 'only');
  await page.click('#select-span');
  const only = await page.evaluate(() => window.spanflameHost.waitFor((m) => m.kind === 'spanSelected'));
  assert.equal(only.totalWeight, 0, 'GET /home/0 has no samples of its own');
  await page.waitForFunction(() => document.querySelector('#span-summary')?.textContent.includes('GET /home/0 (only): total 0'));
  await frame.waitForSelector('#no-samples');
  // A filter the host did not ask for (set through the viewer's hash) is reported too.
  await frame.evaluate(() => {
    location.hash = 'span=5103c037448af62a&scope=only';
  });
  const report = await page.evaluate(() =>
    window.spanflameHost.waitFor((m) => m.kind === 'spanSelected' && m.span?.spanId === '5103c037448af62a'),
  );
  assert.equal(report.span.name, 'compute_fib');
  assert.equal(report.totalWeight, 1);
  assert.equal(report.requestId, undefined, 'unsolicited');
  session.assertClean();
});

// Keep the screenshot directory in the output for whoever reads the log.
test.after(() => console.log(`# screenshots in ${SCREENSHOT_DIR}`));
