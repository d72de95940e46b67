// Shared harness for the browser end-to-end tests (node:test + playwright-core).
//
// `openApp(t, options)` serves dist/ on 127.0.0.1 (a free port, optionally under a sub-path),
// launches the Debian Chromium with a fresh profile, and records every request, console error,
// page error, failed request and HTTP error. `session.assertClean()` fails the test on any of
// them, and on any request that was not for 127.0.0.1 (such requests are also aborted, so that
// nothing leaves the machine). Everything is closed when the test ends.
//
// It FAILS, never skips, when Chromium or dist/ is missing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../static-server.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// SPANFLAME_DIST lets parallel work test its own build (trunk build --dist DIR).
export const DIST = process.env.SPANFLAME_DIST
  ? path.resolve(process.env.SPANFLAME_DIST)
  : path.join(REPO_ROOT, 'dist');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'target', 'e2e-screenshots');
export const CHROMIUM = process.env.SPANFLAME_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True for URLs that stay on this machine: http(s) to 127.0.0.1, and data:/blob: URLs. */
export function isLocal(url) {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:') return true;
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname === '127.0.0.1';
}

/**
 * Starts a server and a browser page for one test.
 * options: { prefix = '/', viewport = {width: 1280, height: 800}, deviceScaleFactor = 1,
 *            colorScheme = 'light' }
 * Returns { page, context, server, url, requests, problems, screenshot(name), assertClean() }.
 */
export async function openApp(t, options = {}) {
  const {
    prefix = '/',
    viewport = { width: 1280, height: 800 },
    deviceScaleFactor = 1,
    colorScheme = 'light',
  } = options;
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: run scripts/setup.sh (apt-get install chromium)`);
  assert.ok(
    existsSync(path.join(DIST, 'index.html')),
    `${DIST}/index.html not found: run \`trunk build --release --offline\` first`,
  );

  const server = await startStaticServer({ root: DIST, prefix });
  t.after(() => server.close());
  // launch() gives a fresh temporary user-data-dir; newContext() a fresh context.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport, deviceScaleFactor, colorScheme });

  const requests = [];
  const problems = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    problems.push(`blocked request to ${url}`);
    return route.abort('blockedbyclient');
  });
  context.on('request', (request) => requests.push(request.url()));
  context.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  );
  context.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  return {
    page,
    context,
    server,
    url: server.url,
    requests,
    problems,
    /** Saves target/e2e-screenshots/<name>.png and returns its path. */
    async screenshot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    /** Fails on any console/page error, failed or non-local request, or HTTP error. */
    assertClean() {
      assert.ok(requests.length > 0, 'no request was recorded');
      const foreign = requests.filter((url) => !isLocal(url));
      assert.deepEqual(foreign, [], 'requests that left 127.0.0.1');
      assert.deepEqual(problems, [], 'console errors, page errors or failed requests');
    },
  };
}

/**
 * Open the app on its demo (at 1400×900 unless `options` say otherwise) and wait until the
 * flame graph is painted and shows `frame`, and its traces are loaded.
 */
export async function openDemo(t, { frame = 'busy_sleep', ...options } = {}) {
  const session = await openApp(t, { viewport: { width: 1400, height: 900 }, ...options });
  await session.page.goto(session.url);
  await waitForPaintedCanvas(session.page);
  await waitForFrame(session.page, frame);
  // The demo's traces load after its profile is drawn: wait, so that what a test reads
  // (the summary, the waterfall) is the whole demo.
  await session.page.waitForFunction(() => /Traces/.test(document.querySelector('#summary')?.textContent ?? ''));
  return session;
}

/**
 * Counts the canvas pixels that differ from its background (the canvas is transparent where
 * nothing is drawn, so: pixels with alpha > 0). Returns { painted, total, colours }.
 */
export async function canvasStats(page, selector = 'canvas#flame') {
  return page.$eval(selector, (canvas) => {
    const { width, height } = canvas;
    if (width === 0 || height === 0) return { painted: 0, total: 0, colours: 0 };
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let painted = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      painted += 1;
      if (colours.size < 1000) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return { painted, total: width * height, colours: colours.size };
  });
}

/** Waits until the canvas has at least `minShare` of its pixels painted; fails with the stats otherwise. */
export async function waitForPaintedCanvas(page, { selector = 'canvas#flame', minShare = 0.05, timeout = 15000 } = {}) {
  try {
    await page.waitForFunction(
      ({ selector, minShare }) => {
        const canvas = document.querySelector(selector);
        if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted += 1;
        return painted >= minShare * canvas.width * canvas.height;
      },
      { selector, minShare },
      { timeout },
    );
  } catch (error) {
    const stats = await canvasStats(page, selector).catch(() => 'no canvas');
    assert.fail(`${selector} was not drawn within ${timeout} ms: ${JSON.stringify(stats)} (${error.message.split('\n')[0]})`);
  }
  return canvasStats(page, selector);
}

/**
 * Drops files on the page as a real drag and drop does: dragenter, dragover and drop events
 * carrying a DataTransfer that holds File objects built from bytes read here in node.
 * files: [{ path, name? , type? }] or [{ name, bytes: Buffer|string }]. target: a selector.
 */
export async function dropFiles(page, files, target = 'main') {
  const { readFile } = await import('node:fs/promises');
  const payload = [];
  for (const f of files) {
    const bytes = f.bytes !== undefined ? Buffer.from(f.bytes) : await readFile(f.path);
    payload.push({ name: f.name ?? path.basename(f.path), type: f.type ?? '', base64: bytes.toString('base64') });
  }
  await page.evaluate(
    ({ payload, target }) => {
      const dt = new DataTransfer();
      for (const f of payload) {
        const binary = atob(f.base64);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const el = document.querySelector(target) ?? document.body;
      const rect = el.getBoundingClientRect();
      const at = { clientX: rect.left + rect.width / 2, clientY: rect.top + Math.min(rect.height / 2, 100) };
      for (const type of ['dragenter', 'dragover', 'drop']) {
        el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true, ...at }));
      }
    },
    { payload, target },
  );
}

/** The frames listed in #flame-mirror (what the canvas drew at least 3 px wide). */
export async function mirrorFrames(page) {
  return page.$$eval('#flame-mirror li', (items) =>
    items.map((li) => ({
      name: li.dataset.name,
      node: Number(li.dataset.node),
      depth: Number(li.dataset.depth),
      x: Number(li.dataset.x),
      y: Number(li.dataset.y),
      w: Number(li.dataset.w),
      match: li.dataset.match === 'true',
      text: li.textContent,
    })),
  );
}

/** Waits until #flame-mirror lists a frame named `name` (optionally matching `where`). */
export async function waitForFrame(page, name, where = () => true, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const frames = await mirrorFrames(page);
    const found = frames.find((f) => f.name === name && where(f));
    if (found) return found;
    if (Date.now() > deadline) {
      assert.fail(`no frame ${name} in #flame-mirror: ${frames.map((f) => `${f.name}@${f.depth}`).join(', ')}`);
    }
    await page.waitForTimeout(50);
  }
}

/**
 * The CLI's standard output for `args` (`cargo run -p spanflame-cli -- …args`): the
 * independent reference the app's numbers are checked against.
 */
export function runCli(args) {
  return execFileSync('cargo', ['run', '--quiet', '--offline', '-p', 'spanflame-cli', '--', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** Picks `code` in the Export menu and saves the download in `dir`: { name, path }. */
export async function exportDownload(page, code, dir) {
  await page.click('#export-button');
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`#export-menu [data-code="${code}"]`)]);
  const to = path.join(dir, file.suggestedFilename());
  await file.saveAs(to);
  return { name: file.suggestedFilename(), path: to };
}

/**
 * Resolves once what the app had queued to follow the graph's next frame has run (a timeout
 * queued from an animation frame callback, as the app's `after_next_frame` does): read the
 * header's total, the table, the chip or the hash after this.
 */
export async function afterNextFrame(page) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
}

/**
 * Asserts that `selector`'s text comes to match `re` within `timeout` ms. For what the app
 * updates a task after the graph's repaint (the span filter's chip, the span detail panel, the
 * functions table, the address): reading it at once could see the view before the input.
 */
export async function expectText(page, selector, re, timeout = 5000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await page.innerText(selector);
    if (re.test(text)) return text;
    if (Date.now() > deadline) assert.match(text, re, `${selector} did not come to match ${re}`);
    await page.waitForTimeout(25);
  }
}

/** Clicks the middle of a mirrored frame on the canvas (page coordinates from the canvas box). */
export async function clickFrame(page, frame) {
  const box = await page.$eval('canvas#flame', (c) => {
    const r = c.getBoundingClientRect();
    return { left: r.left, top: r.top };
  });
  await page.mouse.click(box.left + frame.x + Math.min(frame.w / 2, 40), box.top + frame.y + 9);
}

/** The canvas pixel (device pixels scaled from CSS) at CSS point (x, y) of the canvas: [r, g, b, a]. */
export async function canvasPixel(page, x, y, selector = 'canvas#flame') {
  return page.$eval(
    selector,
    (canvas, { x, y }) => {
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      return Array.from(canvas.getContext('2d').getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data);
    },
    { x, y },
  );
}

/**
 * The colour a user sees at viewport point (x, y), in CSS pixels: a 1x1 screenshot, so it counts
 * whatever is composited there (page background, canvases, overlays). Returns [r, g, b].
 */
export async function screenPixel(page, x, y) {
  const png = await page.screenshot({ clip: { x, y, width: 1, height: 1 }, scale: 'css' });
  return decodeOnePixelPng(png);
}

/** [r, g, b] of a 1x1, 8-bit RGB or RGBA, non-interlaced PNG. */
export function decodeOnePixelPng(png) {
  const chunks = {};
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    chunks[type] = chunks[type] ? Buffer.concat([chunks[type], data]) : data;
    at += 12 + length;
  }
  const { IHDR, IDAT } = chunks;
  assert.deepEqual([IHDR.readUInt32BE(0), IHDR.readUInt32BE(4), IHDR[8], IHDR[12]], [1, 1, 8, 0], 'a 1x1 8-bit PNG');
  assert.ok(IHDR[9] === 2 || IHDR[9] === 6, `colour type ${IHDR[9]}`);
  // One row of one pixel: every PNG filter leaves it as stored (its neighbours are all 0).
  const row = inflateSync(IDAT);
  return [row[1], row[2], row[3]];
}

/**
 * A CSS point of canvas `selector` (and of any canvas stacked on it) where nothing is drawn
 * in a 7x7 square around it, inside the viewport: there the page background shows through.
 * Returns viewport coordinates { x, y }, or fails.
 */
export async function emptyCanvasPoint(page, selector = 'canvas#flame') {
  const find = () => page.$eval(selector, (canvas) => {
    const box = canvas.getBoundingClientRect();
    const stacked = [...document.querySelectorAll('canvas')].filter((c) => {
      const b = c.getBoundingClientRect();
      return b.left < box.right && b.right > box.left && b.top < box.bottom && b.bottom > box.top;
    });
    const images = stacked.map((c) => {
      const b = c.getBoundingClientRect();
      return { b, scale: c.width / b.width, data: c.getContext('2d').getImageData(0, 0, c.width, c.height), w: c.width };
    });
    const emptyAt = (x, y) =>
      images.every(({ b, scale, data, w }) => {
        const px = Math.round((x - b.left) * scale);
        const py = Math.round((y - b.top) * scale);
        if (px < 0 || py < 0 || px >= w || py >= data.height) return true;
        return data.data[(py * w + px) * 4 + 3] === 0;
      });
    // Only what is in the viewport can be seen (and screenshotted).
    const bottom = Math.min(box.bottom, innerHeight);
    const right = Math.min(box.right, innerWidth);
    for (let y = bottom - 5; y > box.top + 5; y -= 3) {
      for (let x = right - 5; x > box.left + 5; x -= 3) {
        let empty = true;
        for (let dy = -3; dy <= 3 && empty; dy += 1) for (let dx = -3; dx <= 3 && empty; dx += 1) empty = emptyAt(x + dx, y + dy);
        if (empty) return { x: Math.round(x), y: Math.round(y) };
      }
    }
    return null;
  });
  let point = await find();
  if (!point) {
    // A narrow window may show the canvas only below the fold.
    await page.$eval(selector, (canvas) => canvas.scrollIntoView({ block: 'end' }));
    point = await find();
  }
  assert.ok(point, `no empty area on ${selector}`);
  return point;
}

/** [r, g, b, a] of a CSS colour as getComputedStyle gives it (`rgb(...)` or `rgba(...)`). */
export function parseRgb(css) {
  const m = css.match(/^rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)$/);
  assert.ok(m, `not an rgb() colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
}

/** WCAG contrast ratio of two [r, g, b] colours. */
export function contrast(a, b) {
  const lum = ([r, g, bl]) => {
    const c = [r, g, bl].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The colours of a theme, as app/style.css sets them (--bg and --fg). */
export const THEME = {
  light: { bg: [255, 255, 255], fg: [21, 24, 28] },
  dark: { bg: [15, 18, 22], fg: [230, 232, 235] },
};

/**
 * Asserts the page shows `theme`: <html data-theme>, the computed background and text colour
 * of the page, and the colour a user sees at a blank spot of the flame graph's canvas.
 */
export async function assertTheme(page, theme) {
  const want = THEME[theme];
  const seen = await page.evaluate(() => ({
    theme: document.documentElement.dataset.theme,
    background: getComputedStyle(document.documentElement).backgroundColor,
    color: getComputedStyle(document.body).color,
    scheme: getComputedStyle(document.documentElement).colorScheme,
  }));
  assert.equal(seen.theme, theme, 'data-theme');
  assert.deepEqual(parseRgb(seen.background).slice(0, 3), want.bg, `page background in the ${theme} theme`);
  assert.deepEqual(parseRgb(seen.color).slice(0, 3), want.fg, `text colour in the ${theme} theme`);
  assert.equal(seen.scheme, theme, 'color-scheme (form controls and scrollbars follow it)');
  const spot = await emptyCanvasPoint(page);
  const pixel = await screenPixel(page, spot.x, spot.y);
  assert.ok(
    pixel.every((v, i) => Math.abs(v - want.bg[i]) <= 3),
    `the flame graph's background at (${spot.x}, ${spot.y}) is ${pixel}, not the ${theme} ${want.bg}`,
  );
}
