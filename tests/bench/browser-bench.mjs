#!/usr/bin/env node
// Browser benchmark: Spanflame's release build against speedscope 1.25.0, in headless Debian
// Chromium, everything served on 127.0.0.1. Run it through `scripts/bench.sh`, which builds
// the release dist and generates the profiles first; or directly:
//
//   node tests/bench/browser-bench.mjs [--sizes S,M] [--runs 5] [--dist target/bench-dist]
//        [--data target/bench-data] [--out target/bench-results] [--first-paint-only]
//        [--viewers spanflame,spanflame-folded,spanflame-pprof,spanflame-json,speedscope,speedscope-pprof]
//        [--label TEXT]
//   node tests/bench/browser-bench.mjs --compare-dists 3=DIR,s=DIR,z=DIR [--sizes M]
//        [--compare-file profile.binpb] ...
//        (Spanflame builds against each other on one of the size's files, e.g. opt-levels;
//        their runs interleaved)
//
// What one run of one viewer on one size does (a fresh browser each time, so that process
// memory peaks belong to that run alone):
//  1. Navigates to `<viewer>/#profileURL=<profile>`: the hand-over. Page-side probes
//     (page-probes.js) record the first animation frame in which the flame graph canvas shows
//     something other than its background; performance.now() there is the time since the
//     navigation started. No sleeping: the page checks the canvas once per frame.
//  2. Memory once the graph is up: the wasm memory (every WebAssembly.Memory the page made),
//     the JS heap (CDP Performance.getMetrics JSHeapUsedSize, sampled every 100 ms from the
//     navigation on; the peak of the samples), and the renderer process's peak resident set
//     (VmHWM in /proc/<pid>/status; pids from CDP SystemInfo.getProcessInfo).
//  3. Interactions (skipped with --first-paint-only): mouse moves over the flame graph, then
//     wheel zooming in and out, one input per animation frame, while a recorder measures each
//     frame's main-thread work (see page-probes.js).
//  4. Spanflame only: span click to repaint (see spanClicks below), and a brush on the
//     timeline to repaint (see brushes below).
// Runs of the viewers are interleaved (run 1: Spanflame then speedscope, run 2 the other way
// round, ...), so that load from other work on the machine hits both alike.
// Results: a markdown table on stdout and in <out>.md, every number in <out>.json.
// Long (~890 lines): one script runs and reports every measurement of BENCHMARKS.md, so
// that the two apps are measured by the same code in the same run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, isLocal } from '../e2e/harness.mjs';
import { startMountServer } from './bench-server.mjs';
import { dragAcrossStrip, nextFrame, rng, zoom } from './gestures.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../..');
const PROBES = path.join(HERE, 'page-probes.js');
const SPEEDSCOPE_DIR = path.join(REPO_ROOT, 'node_modules/speedscope/dist/release');
const VIEWPORT = { width: 1280, height: 800 };

// ------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const options = {
    sizes: ['S', 'M'],
    runs: 5,
    dist: 'target/bench-dist',
    data: 'target/bench-data',
    out: 'target/bench-results',
    viewers: ['spanflame', 'spanflame-folded', 'spanflame-pprof', 'spanflame-json', 'speedscope', 'speedscope-pprof'],
    firstPaintOnly: false,
    label: '',
    compareDists: null,
    compareFile: 'profile.binpb',
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${arg}`);
      return v;
    };
    if (arg === '--sizes') options.sizes = value().split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--dist') options.dist = value();
    else if (arg === '--data') options.data = value();
    else if (arg === '--out') options.out = value();
    else if (arg === '--viewers') options.viewers = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--first-paint-only') options.firstPaintOnly = true;
    else if (arg === '--label') options.label = value();
    else if (arg === '--compare-dists') {
      options.compareDists = value()
        .split(',')
        .map((pair) => pair.split('='))
        .map(([label, dir]) => ({ label, dir: path.resolve(REPO_ROOT, dir) }));
    }
    else if (arg === '--compare-file') options.compareFile = value();
    else throw new Error(`unknown option ${arg}`);
  }
  if (!(options.runs >= 1)) throw new Error('--runs must be at least 1');
  for (const size of options.sizes) if (!['S', 'M', 'L'].includes(size)) throw new Error(`unknown size ${size}`);
  options.dist = path.resolve(REPO_ROOT, options.dist);
  options.data = path.resolve(REPO_ROOT, options.data);
  options.out = path.resolve(REPO_ROOT, options.out);
  return options;
}

// ------------------------------------------------------------------------------------------
// Small statistics

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
/** Nearest-rank percentile. */
const percentile = (xs, p) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
};
const max = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? Math.max(...v) : null;
};
const MB = 1024 * 1024;
const fmtMs = (x) => (x == null ? '–' : x >= 100 ? `${Math.round(x)}` : x.toFixed(1));
const fmtMB = (x) => (x == null ? '–' : `${(x / MB).toFixed(x >= 100 * MB ? 0 : 1)}`);

// ------------------------------------------------------------------------------------------
// The viewers

/** The viewers by key: { name, root, file, url(base, size), canvasSelector, zoomModifier, error, spanClicks }. */
function viewers(options) {
  const spanflame = (file, root = options.dist) => ({
    root,
    isSpanflame: true,
    url: (base, size, { traces = false } = {}) => {
      const profile = encodeURIComponent(`${base}data/${size}/${file}`);
      const trace = traces ? `&traceURL=${encodeURIComponent(`${base}data/${size}/traces.binpb`)}` : '';
      return `${base}app/#profileURL=${profile}${trace}`;
    },
    file,
    canvasSelector: 'canvas#flame',
    // The empty page's start: the wasm has run and mounted the app (its header). With no
    // profile in the address the app then fetches its bundled demo; that is not waited for.
    readySelector: 'header.top',
    // Zoom: the wheel over the graph (ctrl+wheel is what a trackpad pinch sends).
    zoomModifier: 'Control',
    // The app's error message, if it shows one (data, not a function: the app's CSP forbids
    // evaluating strings in the page).
    error: { selector: '[role=alert]' },
    spanClicks: true,
    brushes: true,
  });
  if (options.compareDists) {
    return Object.fromEntries(
      options.compareDists.map(({ label, dir }) => [
        `spanflame-${label}`,
        {
          name: `Spanflame ${label}`,
          ...spanflame(options.compareFile, dir),
          // Only the OTLP file links samples to spans (see the viewers below).
          spanClicks: options.compareFile === 'profile.binpb',
          brushes: options.compareFile === 'profile.binpb',
        },
      ]),
    );
  }
  const speedscope = (file) => ({
    root: SPEEDSCOPE_DIR,
    url: (base, size) => `${base}app/#profileURL=${encodeURIComponent(`${base}data/${size}/${file}`)}`,
    file,
    // The flame chart's label overlay: the largest canvas it draws on in 2D. Its frames are
    // drawn with WebGL on another canvas in the same animation frame.
    canvasSelector: null,
    // Its start page says how to open a profile.
    readyText: 'Drag and drop a profile file',
    zoomModifier: 'Control', // speedscope zooms on ctrl/cmd + wheel; a plain wheel pans
    error: { text: 'Something went wrong' },
    spanClicks: false,
  });
  return {
    spanflame: { name: 'Spanflame', ...spanflame('profile.binpb') },
    // Folded stacks and pprof carry no span links: no span clicks or brushes on these.
    'spanflame-folded': { name: 'Spanflame (folded file)', ...spanflame('profile.folded'), spanClicks: false, brushes: false },
    'spanflame-pprof': { name: 'Spanflame (pprof file)', ...spanflame('profile.pb.gz'), spanClicks: false, brushes: false },
    // The same profile as OTLP/JSON (issue 14's memory target names both encodings); its
    // interactions are the protobuf run's, so they are not measured twice.
    'spanflame-json': { name: 'Spanflame (OTLP/JSON file)', ...spanflame('profile.json'), spanClicks: false, brushes: false },
    speedscope: { name: 'speedscope 1.25.0', ...speedscope('profile.folded') },
    'speedscope-pprof': { name: 'speedscope 1.25.0 (pprof file)', ...speedscope('profile.pb.gz') },
  };
}

// ------------------------------------------------------------------------------------------
// One measurement

/**
 * Peak resident set (VmHWM) of the renderer and GPU processes of `browser`, in bytes, and the
 * renderer's CPU time so far, in ms.
 */
async function processPeaks(browser) {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await session.send('SystemInfo.getProcessInfo');
    const peak = (pid) => {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return kb ? Number(kb[1]) * 1024 : null;
      } catch {
        return null;
      }
    };
    const of = (type) => max(processInfo.filter((p) => p.type === type).map((p) => peak(p.id)));
    // The page's renderer is the largest and busiest one; the others are spare renderers.
    const cpu = max(processInfo.filter((p) => p.type === 'renderer').map((p) => p.cpuTime * 1000));
    return { renderer: of('renderer'), gpu: of('GPU'), rendererCpuMs: cpu };
  } finally {
    await session.detach().catch(() => {});
  }
}

/** Polls CDP Performance.getMetrics every `everyMs`; keeps the peak JS heap. */
function heapSampler(cdp, everyMs = 100) {
  const state = { running: true, peakUsed: 0, peakTotal: 0, samples: 0 };
  const loop = (async () => {
    await cdp.send('Performance.enable');
    while (state.running) {
      try {
        const { metrics } = await cdp.send('Performance.getMetrics');
        const get = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
        state.peakUsed = Math.max(state.peakUsed, get('JSHeapUsedSize'));
        state.peakTotal = Math.max(state.peakTotal, get('JSHeapTotalSize'));
        state.samples += 1;
      } catch {
        break; // page closed or crashed
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    state,
    async stop() {
      state.running = false;
      await loop;
      return { jsHeapPeak: state.peakUsed, jsHeapTotalPeak: state.peakTotal, heapSamples: state.samples };
    },
  };
}

async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A context with the probes and a guard that aborts (and reports) any non-local request. */
async function newContext(browser, viewer, blocked) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'light' });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  await context.addInitScript(
    (config) => {
      window.__benchConfig = config;
    },
    { canvasSelector: viewer.canvasSelector, readySelector: viewer.readySelector, readyText: viewer.readyText },
  );
  await context.addInitScript({ path: PROBES });
  return context;
}

/**
 * Scrolls the flame graph canvas into view when it is not wholly in it (Spanflame may show
 * other panels above it), then returns its visible part, in CSS pixels.
 */
async function canvasBox(page, viewer) {
  const box = () =>
    page.evaluate((selector) => {
      const canvas = selector ? document.querySelector(selector) : window.__bench.flameCanvas();
      const r = canvas.getBoundingClientRect();
      const top = Math.max(r.top, 0);
      const bottom = Math.min(r.bottom, window.innerHeight);
      return { x: r.left, y: top, width: r.width, height: Math.max(0, bottom - top), full: r.height };
    }, viewer.canvasSelector);
  let b = await box();
  if (b.height < Math.min(b.full, 300)) {
    await page.evaluate((selector) => {
      const canvas = selector ? document.querySelector(selector) : window.__bench.flameCanvas();
      canvas.scrollIntoView({ block: 'center' });
    }, viewer.canvasSelector);
    await settle(page, 300);
    b = await box();
  }
  return b;
}

/** Waits until the page has been idle for a while: two frames, a pause, two frames. */
async function settle(page, ms = 500) {
  await nextFrame(page);
  await page.waitForTimeout(ms);
  await nextFrame(page);
  await nextFrame(page);
}

/** Mouse moves over the canvas, one per frame; returns the recorded frames. */
async function hover(page, box, steps = 120) {
  const random = rng(1);
  await page.evaluate(() => window.__bench.startFrames());
  for (let i = 0; i < steps; i += 1) {
    await page.mouse.move(box.x + 4 + random() * (box.width - 8), box.y + 4 + random() * (box.height - 8));
    await nextFrame(page);
  }
  await nextFrame(page);
  return page.evaluate(() => window.__bench.stopFrames());
}

// Where to click a span, newest app first: a waterfall row that has samples (its name, not
// its fold toggle), else the span buttons of the placeholder list the app had before.
const SPAN_TARGETS = [
  '#waterfall-panel .wf-row[data-span-index]:not(.empty) .wf-text',
  '#waterfall-panel button.span',
];

/**
 * Arms a watch of the flame graph canvas before an input: after every animation frame from
 * now on (a timeout queued from the frame's rAF callback runs once the frame's callbacks,
 * style, layout and paint recording are done), the canvas is compared with how it is now;
 * the first frame that changed it stamps `window.__bench.changedAt`. Armed before the input,
 * so that the driver's round trip after a click (the next `evaluate`) is not in the time.
 */
function armCanvasWatch(page) {
  return page.evaluate(() => {
    const bench = window.__bench;
    const before = bench.canvasHash();
    const t0 = performance.now();
    bench.changedAt = null;
    const frame = () =>
      setTimeout(() => {
        // Stamped before hashing: the probe's own readback is not the app's time.
        const at = performance.now();
        if (bench.canvasHash() !== before) bench.changedAt = at;
        else if (at - t0 < 8000) requestAnimationFrame(frame);
      }, 0);
    requestAnimationFrame(frame);
  });
}

/**
 * Milliseconds from the input stamped in `window.__bench[stamp]` to the change a watch stamped
 * in `window.__bench[changed]` (`changedAt`: the armed canvas watch; `tableAt`: the table
 * watch); null if none within 5 s.
 */
function untilStamped(page, stamp, changed) {
  return page.evaluate(
    ([stamp, changed]) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        const check = () => {
          const at = window.__bench[changed];
          if (at != null) return resolve(at - window.__bench[stamp]);
          if (performance.now() - t0 > 5000) return resolve(null);
          setTimeout(check, 20);
        };
        check();
      }),
    [stamp, changed],
  );
}

/**
 * Watches the functions table beside the graph from now on: the first change to it is
 * stamped in `window.__bench.tableAt` (the app updates the table a task after the graph's
 * repaint, so this is when the whole view has caught up with an input).
 */
function watchTable(page) {
  return page.evaluate(() => {
    window.__bench.tableAt = null;
    const table = document.querySelector('#functions-panel');
    if (!table) return false;
    const observer = new MutationObserver(() => {
      window.__bench.tableAt ??= performance.now();
      observer.disconnect();
    });
    observer.observe(table, { subtree: true, childList: true, characterData: true, attributes: true });
    return true;
  });
}

/**
 * Span click to repaint: with the profile and its traces loaded, clicks spans in the app's
 * waterfall one after the other. Each click narrows the flame graph to that span (the app's
 * span filter); the time is from the click event's dispatch in the page to the end of the
 * first animation frame in which the flame graph canvas differs from before the click (see
 * armCanvasWatch). A click whose graph looks exactly like the one before (no change within
 * 5 s) is counted apart.
 */
async function spanClicks(page, viewer, { count = 8 } = {}) {
  // The span list may be folded away in a <details>: open it the way a user would.
  const folded = page.locator('#waterfall-panel details:not([open]) > summary');
  if ((await folded.count()) > 0) {
    await folded.first().click();
    await settle(page, 150);
  }
  let selector = null;
  for (const candidate of SPAN_TARGETS) {
    if ((await page.locator(candidate).count()) > 0) {
      selector = candidate;
      break;
    }
  }
  if (!selector) return { measurable: false, why: 'the app shows no clickable spans', times: [] };
  const buttons = page.locator(selector);
  const n = await buttons.count();
  const times = [];
  const tableTimes = [];
  let unchanged = 0;
  for (let i = 0; i < Math.min(count, n); i += 1) {
    const button = buttons.nth(i);
    await button.scrollIntoViewIfNeeded();
    await settle(page, 150);
    await page.evaluate(() => {
      window.__bench.lastClick = null;
      window.addEventListener('click', () => (window.__bench.lastClick ??= performance.now()), {
        capture: true,
        once: true,
      });
    });
    const watching = await watchTable(page);
    await armCanvasWatch(page);
    await button.click();
    const ms = await untilStamped(page, 'lastClick', 'changedAt');
    if (ms == null) unchanged += 1;
    else times.push(ms);
    const table = watching ? await untilStamped(page, 'lastClick', 'tableAt') : null;
    if (table != null) tableTimes.push(table);
  }
  return { measurable: true, selector, clicked: Math.min(count, n), unchanged, times, tableTimes };
}

/**
 * Brush to repaint: drags across the timeline strip above the flame graph (ranges at
 * different places, Esc between them to clear); each drag narrows the graph to the samples
 * in that time range. The time is from the pointerup's dispatch in the page (where the app
 * sets the range) to the end of the first animation frame in which the flame graph canvas
 * differs from before (see armCanvasWatch).
 */
async function brushes(page, { count = 8 } = {}) {
  const strip = page.locator('canvas#timeline');
  if ((await strip.count()) === 0) return { measurable: false, why: 'no timeline (no timestamps?)', times: [] };
  const times = [];
  const tableTimes = [];
  let unchanged = 0;
  for (let i = 0; i < count; i += 1) {
    await strip.scrollIntoViewIfNeeded();
    const box = await strip.boundingBox();
    if (!box) return { measurable: false, why: 'the timeline is not shown', times: [] };
    await dragAcrossStrip(page, box, i, count);
    await settle(page, 100);
    await page.evaluate(() => {
      window.__bench.lastUp = null;
      window.addEventListener('pointerup', () => (window.__bench.lastUp ??= performance.now()), { capture: true, once: true });
    });
    const watching = await watchTable(page);
    await armCanvasWatch(page);
    await page.mouse.up();
    const ms = await untilStamped(page, 'lastUp', 'changedAt');
    if (ms == null) unchanged += 1;
    else times.push(ms);
    const table = watching ? await untilStamped(page, 'lastUp', 'tableAt') : null;
    if (table != null) tableTimes.push(table);
    await page.keyboard.press('Escape');
    await settle(page, 300);
  }
  return { measurable: true, brushed: count, unchanged, times, tableTimes };
}

/** One run of one viewer on one profile size. */
async function measure(viewer, size, options, servers) {
  const server = servers[viewer.key];
  const url = viewer.url(server.url, size);
  const timeout = size === 'L' ? 600_000 : 120_000;
  const result = { viewer: viewer.key, size, url, opened: false };
  const blocked = [];
  const browser = await launch();
  try {
    const context = await newContext(browser, viewer, blocked);
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('crash', () => pageErrors.push('renderer crashed'));
    const requested = [];
    context.on('request', (request) => requested.push(request.url()));
    const heap = heapSampler(await context.newCDPSession(page));

    await page.goto(url, { waitUntil: 'commit' });
    // Wait for the first paint, an error message from the app, or a crash.
    const outcome = await page
      .waitForFunction(
        ({ selector, text }) => {
          if (window.__bench?.firstPaint != null) return { paint: window.__bench.firstPaint };
          let error = null;
          const alert = selector && document.querySelector(selector)?.cloneNode(true);
          if (alert) {
            alert.querySelectorAll('button').forEach((b) => b.remove()); // e.g. a dismiss "×"
            error = alert.textContent.trim() || null;
          }
          if (text && document.body?.innerText.includes(text)) error = text;
          return error ? { error, at: performance.now() } : null;
        },
        viewer.error,
        { polling: 50, timeout },
      )
      .then((handle) => handle.jsonValue())
      .catch((e) => ({ error: pageErrors.at(-1) ?? `no first paint within ${timeout / 1000} s (${e.message.split('\n')[0]})` }));

    const profilePath = `/data/${size}/${viewer.file}`;
    if (!requested.some((u) => new URL(u).pathname === profilePath)) {
      // It painted something else (a demo?) or nothing: the hand-over did not happen.
      outcome.paint = null;
      outcome.error ??= `the app never requested ${profilePath} (does this build read #profileURL=?)`;
    }
    if (outcome.paint != null) {
      result.opened = true;
      result.firstPaintMs = outcome.paint;
      // CPU time of the renderer up to (within one 50 ms poll after) the first paint: less
      // sensitive than wall time to other work competing for the two cores.
      result.firstPaintCpuMs = (await processPeaks(browser)).rendererCpuMs;
      await settle(page);
    } else {
      result.error = outcome.error;
      result.errorAtMs = outcome.at ?? null;
    }
    // Spanflame reports its own load breakdown (performance.now() around each step).
    result.appTimings = await page
      .evaluate(() => {
        const d = document.querySelector('#load-timing')?.dataset;
        return d
          ? { read: +d.parse, readMain: +d.parseMain, tree: +d.tree, layout: +d.layout, draw: +d.draw, total: +d.total, workerMemory: +d.workerMemory || 0 }
          : null;
      })
      .catch(() => null);
    const heapResult = await heap.stop();
    Object.assign(result, heapResult);
    result.wasmBytes = await page.evaluate(() => window.__bench.wasmBytes()).catch(() => null);
    const peaks = await processPeaks(browser);
    result.rendererPeakRss = peaks.renderer;
    result.gpuPeakRss = peaks.gpu;

    if (result.opened && !options.firstPaintOnly) {
      const box = await canvasBox(page, viewer);
      result.hoverFrames = await hover(page, box);
      await settle(page, 200);
      result.zoomFrames = await zoom(page, box, viewer.zoomModifier);
      if (viewer.spanClicks) {
        // A fresh document with the traces as well, so that the app lists spans.
        await page.goto('about:blank');
        await page.goto(viewer.url(server.url, size, { traces: true }), { waitUntil: 'commit' });
        await page.waitForFunction(() => window.__bench?.firstPaint != null, null, { polling: 250, timeout });
        await settle(page);
        result.spanClick = await spanClicks(page, viewer);
      }
      if (viewer.brushes) {
        // A fresh document again: no span filter left from the clicks.
        await page.goto('about:blank');
        await page.goto(viewer.url(server.url, size), { waitUntil: 'commit' });
        await page.waitForFunction(() => window.__bench?.firstPaint != null, null, { polling: 250, timeout });
        await settle(page);
        result.brush = await brushes(page);
      }
    }
    result.pageErrors = pageErrors;
  } catch (error) {
    result.error = result.error ?? `benchmark error: ${error.message.split('\n')[0]}`;
  } finally {
    result.blocked = blocked;
    await browser.close().catch(() => {});
  }
  return result;
}

/** The app with no profile handed over (Spanflame: its small demo; speedscope: its start page). */
/**
 * The viewer opened with no profile, in a fresh browser: the empty page's start (navigation
 * to the start page drawn, `__bench.ready`, ms) and the idle renderer's peak RSS.
 */
async function idleBaseline(viewer, servers) {
  const browser = await launch();
  try {
    const context = await newContext(browser, viewer, []);
    const page = await context.newPage();
    await page.goto(`${servers[viewer.key].url}app/`, { waitUntil: 'load' });
    const startMs = await page
      .waitForFunction(() => window.__bench?.ready, null, { polling: 50, timeout: 20000 })
      .then((handle) => handle.jsonValue())
      .catch(() => null);
    await page.waitForTimeout(1500);
    const { renderer } = await processPeaks(browser);
    return { renderer, startMs };
  } finally {
    await browser.close().catch(() => {});
  }
}

// ------------------------------------------------------------------------------------------
// Summaries and the report

function frameStats(runs, key) {
  const per = runs
    .map((r) => r[key])
    .filter(Boolean)
    .map((frames) => {
      const input = frames.filter((f) => f.inputs > 0).map((f) => f.ms);
      return { median: median(input), p95: percentile(input, 95), max: max(frames.map((f) => f.ms)), n: input.length };
    });
  if (per.length === 0) return null;
  return {
    median: median(per.map((p) => p.median)),
    p95: median(per.map((p) => p.p95)),
    max: max(per.map((p) => p.max)),
    framesPerRun: median(per.map((p) => p.n)),
  };
}

function summarize(viewer, size, runs, inputBytes, idle) {
  const opened = runs.filter((r) => r.opened);
  const clicks = runs.map((r) => r.spanClick).filter(Boolean);
  const clickTimes = clicks.flatMap((c) => c.times);
  const brushRuns = runs.map((r) => r.brush).filter(Boolean);
  const brushTimes = brushRuns.flatMap((c) => c.times);
  return {
    viewer: viewer.key,
    name: viewer.name,
    size,
    file: viewer.file,
    inputBytes,
    runs: runs.length,
    opened: opened.length,
    errors: [...new Set(runs.map((r) => r.error).filter(Boolean))],
    errorAtMs: median(runs.map((r) => r.errorAtMs)),
    firstPaintMs: median(opened.map((r) => r.firstPaintMs)),
    firstPaintMinMs: opened.length ? Math.min(...opened.map((r) => r.firstPaintMs)) : null,
    firstPaintMaxMs: max(opened.map((r) => r.firstPaintMs)),
    firstPaintCpuMs: median(opened.map((r) => r.firstPaintCpuMs)),
    appTimings: (() => {
      const t = opened.map((r) => r.appTimings).filter(Boolean);
      if (t.length === 0) return null;
      return Object.fromEntries(
        ['read', 'readMain', 'tree', 'layout', 'draw', 'total', 'workerMemory'].map((k) => [k, median(t.map((x) => x[k]))]),
      );
    })(),
    wasmBytes: median(runs.map((r) => r.wasmBytes)),
    jsHeapPeak: median(runs.map((r) => r.jsHeapPeak)),
    rendererPeakRss: median(runs.map((r) => r.rendererPeakRss)),
    gpuPeakRss: median(runs.map((r) => r.gpuPeakRss)),
    idleRendererRss: idle?.rss ?? null,
    emptyStartMs: idle?.startMs ?? null,
    hover: frameStats(opened, 'hoverFrames'),
    zoom: frameStats(opened, 'zoomFrames'),
    spanClick: clicks.length
      ? {
          measurable: clicks.some((c) => c.measurable),
          why: clicks.find((c) => !c.measurable)?.why ?? null,
          median: median(clickTimes),
          p95: percentile(clickTimes, 95),
          clicks: clickTimes.length,
          unchanged: clicks.reduce((s, c) => s + (c.unchanged ?? 0), 0),
          tableMedian: median(clicks.flatMap((c) => c.tableTimes ?? [])),
          tableP95: percentile(clicks.flatMap((c) => c.tableTimes ?? []), 95),
        }
      : null,
    brush: brushRuns.length
      ? {
          measurable: brushRuns.some((c) => c.measurable),
          why: brushRuns.find((c) => !c.measurable)?.why ?? null,
          median: median(brushTimes),
          p95: percentile(brushTimes, 95),
          brushes: brushTimes.length,
          unchanged: brushRuns.reduce((s, c) => s + (c.unchanged ?? 0), 0),
          tableMedian: median(brushRuns.flatMap((c) => c.tableTimes ?? [])),
          tableP95: percentile(brushRuns.flatMap((c) => c.tableTimes ?? []), 95),
        }
      : null,
    blocked: [...new Set(runs.flatMap((r) => r.blocked ?? []))],
  };
}

/**
 * Release wasm + js + css that the page loads, raw and gzip -9: the files index.html names
 * (href, src, and the data-spanflame-js / data-spanflame-wasm of its loader tag) and the decode
 * worker's script. The other
 * .js/.css files of the dist (e.g. the service worker, an embedding example) are listed apart.
 */
export function bundleSize(dist) {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const named = new Set();
  for (const m of html.matchAll(/\s(?:href|src|data-spanflame-js|data-spanflame-wasm)="([^"]+)"/g)) {
    const ref = m[1];
    if (/^[a-z]+:/i.test(ref) || !/\.(wasm|js|css)$/.test(ref)) continue;
    named.add(path.normalize(ref).replace(/^\/+/, ''));
  }
  // The decode worker's script is loaded for every file opened (the wasm it runs is the
  // page's own module), so it counts as part of what the page loads.
  if (existsSync(path.join(dist, 'decode-worker.js'))) named.add('decode-worker.js');
  const size = (f) => {
    const bytes = readFileSync(path.join(dist, f));
    return { file: f, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const rows = [...named].filter((f) => existsSync(path.join(dist, f))).sort().map(size);
  const others = readdirSync(dist)
    .filter((f) => /\.(wasm|js|css)$/.test(f) && !named.has(f))
    .sort()
    .map(size);
  return { files: rows, others, raw: rows.reduce((s, r) => s + r.raw, 0), gzip: rows.reduce((s, r) => s + r.gzip, 0) };
}

/** `git rev-parse --short HEAD`, plus " dirty" when the tree has changes. */
function commit() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

function machine() {
  const cpu = (() => {
    try {
      return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
    } catch {
      return os.cpus()[0]?.model;
    }
  })();
  return {
    cpus: os.cpus().length,
    cpu,
    ramGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    load: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
  };
}

/** The issue's targets, checked on what this run measured. Rows: [target, measured, verdict]. */
function targets(summaries, bundles) {
  const rows = [];
  const find = (size, viewer) => summaries.find((s) => s.size === size && s.viewer === viewer);
  const verdict = (ok) => (ok == null ? 'not measured' : ok ? 'met' : '**not met**');
  const sf = find('M', 'spanflame');
  const ss = find('M', 'speedscope');
  if (sf && ss) {
    const ratio = sf.firstPaintMs && ss.firstPaintMs ? ss.firstPaintMs / sf.firstPaintMs : null;
    rows.push([
      'first paint on M ≤ 1/5 of speedscope\'s',
      ratio ? `${fmtMs(sf.firstPaintMs)} ms vs ${fmtMs(ss.firstPaintMs)} ms: speedscope takes ${ratio.toFixed(2)}× as long` : '–',
      verdict(ratio && ratio >= 5),
    ]);
  }
  if (sf) {
    const c = sf.spanClick;
    rows.push([
      'span click → repaint on M ≤ 50 ms (median)',
      c?.measurable ? `${fmtMs(c.median)} ms median, ${fmtMs(c.p95)} ms p95` : c ? `not measurable: ${c.why}` : '–',
      verdict(c?.measurable ? c.median <= 50 : null),
    ]);
    const b = sf.brush;
    rows.push([
      'timeline brush → repaint on M ≤ 50 ms (median)',
      b?.measurable ? `${fmtMs(b.median)} ms median, ${fmtMs(b.p95)} ms p95` : b ? `not measurable: ${b.why}` : '–',
      verdict(b?.measurable ? b.median <= 50 : null),
    ]);
    const worst = Math.max(sf.hover?.p95 ?? NaN, sf.zoom?.p95 ?? NaN);
    const worstMedian = Math.max(sf.hover?.median ?? NaN, sf.zoom?.median ?? NaN);
    rows.push([
      'frame time on M ≤ 8 ms (zooming and hovering)',
      sf.hover
        ? `hover ${fmtMs(sf.hover.median)} / ${fmtMs(sf.hover.p95)} ms, zoom ${fmtMs(sf.zoom?.median)} / ${fmtMs(sf.zoom?.p95)} ms (median / p95)`
        : '–',
      Number.isFinite(worst)
        ? worst <= 8
          ? 'met (p95)'
          : worstMedian <= 8
            ? 'met at the median, **not at p95**'
            : '**not met**'
        : 'not measured',
    ]);
    const over = sf.rendererPeakRss && sf.idleRendererRss ? sf.rendererPeakRss - sf.idleRendererRss : null;
    rows.push([
      'peak memory on M ≤ 2× the input size',
      `input ${fmtMB(sf.inputBytes)} MB; renderer peak RSS ${fmtMB(sf.rendererPeakRss)} MB, ${fmtMB(over)} MB over the idle app ` +
        `(${over ? (over / sf.inputBytes).toFixed(1) : '–'}×); wasm memory ${fmtMB(sf.wasmBytes)} MB ` +
        `(${sf.wasmBytes ? (sf.wasmBytes / sf.inputBytes).toFixed(1) : '–'}×), JS heap ${fmtMB(sf.jsHeapPeak)} MB`,
      verdict(over == null ? null : over <= 2 * sf.inputBytes),
    ]);
  }
  const large = find('L', 'spanflame');
  if (large) {
    rows.push([
      'L opens',
      large.opened ? `opened, first paint ${fmtMs(large.firstPaintMs)} ms` : `did not open: ${large.errors[0] ?? 'unknown'}`,
      verdict(large.opened > 0),
    ]);
  }
  for (const [dist, bundle] of Object.entries(bundles)) {
    rows.push([
      'release wasm + js + css ≤ 500 KB gzip',
      `${bundle.gzip.toLocaleString('en')} B (\`${path.relative(REPO_ROOT, dist)}\`)`,
      verdict(bundle.gzip <= 500 * 1000),
    ]);
  }
  return rows;
}

function report(options, summaries, bundles, meta) {
  const lines = [];
  const push = (s = '') => lines.push(s);
  push(`### Browser benchmark${options.label ? ` (${options.label})` : ''}`);
  push();
  push(
    `${meta.date}, commit ${meta.commit}, ${meta.chromium}, ${meta.machine.cpus} × ${meta.machine.cpu}, ${meta.machine.ramGiB} GiB RAM, ` +
      `load average at start ${meta.machine.load.join(' ')}. Medians of ${options.runs} runs per cell; each run is a ` +
      `fresh browser; the viewers' runs are interleaved. Viewport ${VIEWPORT.width}×${VIEWPORT.height}, DPR 1.`,
  );
  push();
  const bySize = new Map();
  for (const s of summaries) {
    if (!bySize.has(s.size)) bySize.set(s.size, []);
    bySize.get(s.size).push(s);
  }
  for (const [size, rows] of bySize) {
    const sf = rows.find((r) => r.viewer === 'spanflame');
    const ss = rows.find((r) => r.viewer === 'speedscope');
    push(`#### ${size}`);
    push();
    push(`| measurement | ${rows.map((r) => `${r.name}<br>\`${r.file}\` (${fmtMB(r.inputBytes)} MB)`).join(' | ')} |`);
    push(`|---|${rows.map(() => '---:').join('|')}|`);
    // A viewer that never opened the file gets its error under the table, '–' elsewhere.
    const failed = rows.filter((r) => r.opened === 0);
    const cell = (r, f) => (r.opened === 0 ? '–' : f(r));
    push(
      `| hand-over → first flame graph paint, ms (min–max) | ${rows
        .map((r) =>
          r.opened === 0
            ? `did not open (${failed.indexOf(r) + 1})${r.errorAtMs ? `: error shown after ${fmtMs(r.errorAtMs)} ms` : ''}`
            : `**${fmtMs(r.firstPaintMs)}** (${fmtMs(r.firstPaintMinMs)}–${fmtMs(r.firstPaintMaxMs)})` +
              (r.opened < r.runs ? `, opened in ${r.opened} of ${r.runs} runs` : ''),
        )
        .join(' | ')} |`,
    );
    push(`| renderer CPU time until first paint, ms | ${rows.map((r) => cell(r, (x) => fmtMs(x.firstPaintCpuMs))).join(' | ')} |`);
    push(`| empty page (no profile) → start page drawn, ms | ${rows.map((r) => fmtMs(r.emptyStartMs)).join(' | ')} |`);
    if (rows.some((r) => r.appTimings)) {
      push(
        `| app-reported read + tree + layout + draw = total, ms | ${rows
          .map((r) =>
            cell(r, (x) => {
              const t = x.appTimings;
              return t ? `${fmtMs(t.read)} + ${fmtMs(t.tree)} + ${fmtMs(t.layout)} + ${fmtMs(t.draw)} = ${fmtMs(t.total)}` : '–';
            }),
          )
          .join(' | ')} |`,
      );
      // Spanflame decodes in a Web Worker: the page is busy only for the hand-back.
      push(
        `| of the read, main thread busy (hand-back from the decode worker), ms | ${rows
          .map((r) => cell(r, (x) => (x.appTimings?.readMain ? fmtMs(x.appTimings.readMain) : '–')))
          .join(' | ')} |`,
      );
    }
    if (!options.firstPaintOnly) {
      push(
        `| frame time hovering, ms median / p95 | ${rows
          .map((r) => cell(r, (x) => (x.hover ? `${fmtMs(x.hover.median)} / ${fmtMs(x.hover.p95)}` : 'not measured')))
          .join(' | ')} |`,
      );
      push(
        `| frame time wheel-zooming, ms median / p95 | ${rows
          .map((r) => cell(r, (x) => (x.zoom ? `${fmtMs(x.zoom.median)} / ${fmtMs(x.zoom.p95)}` : 'not measured')))
          .join(' | ')} |`,
      );
      push(
        `| span click → repaint, ms median / p95 | ${rows
          .map((r) =>
            cell(r, (x) => {
              if (!x.spanClick) return 'n/a';
              if (!x.spanClick.measurable) return `not measurable: ${x.spanClick.why}`;
              return `${fmtMs(x.spanClick.median)} / ${fmtMs(x.spanClick.p95)} (${x.spanClick.clicks} clicks)`;
            }),
          )
          .join(' | ')} |`,
      );
      push(
        `| timeline brush → repaint, ms median / p95 | ${rows
          .map((r) =>
            cell(r, (x) => {
              if (!x.brush) return 'n/a';
              if (!x.brush.measurable) return `not measurable: ${x.brush.why}`;
              return `${fmtMs(x.brush.median)} / ${fmtMs(x.brush.p95)} (${x.brush.brushes} brushes)`;
            }),
          )
          .join(' | ')} |`,
      );
      push(
        `| … and the functions table updated, ms median / p95 (span click; brush) | ${rows
          .map((r) =>
            cell(r, (x) => {
              const part = (m) => (m?.tableMedian != null ? `${fmtMs(m.tableMedian)} / ${fmtMs(m.tableP95)}` : 'n/a');
              return `${part(x.spanClick)}; ${part(x.brush)}`;
            }),
          )
          .join(' | ')} |`,
      );
    }
    push(`| wasm memory of the page, MB | ${rows.map((r) => fmtMB(r.wasmBytes)).join(' | ')} |`);
    push(
      `| wasm memory of the decode worker (freed after the load), MB | ${rows
        .map((r) => cell(r, (x) => (x.appTimings?.workerMemory ? fmtMB(x.appTimings.workerMemory) : '–')))
        .join(' | ')} |`,
    );
    push(`| JS heap peak (sampled), MB | ${rows.map((r) => fmtMB(r.jsHeapPeak)).join(' | ')} |`);
    push(
      `| renderer peak RSS, MB (idle app) | ${rows
        .map((r) => `${fmtMB(r.rendererPeakRss)} (${fmtMB(r.idleRendererRss)})`)
        .join(' | ')} |`,
    );
    push(`| GPU process peak RSS, MB | ${rows.map((r) => fmtMB(r.gpuPeakRss)).join(' | ')} |`);
    // First paint of speedscope over Spanflame's, per input speedscope also reads; and the
    // same over the work after the empty page's start (first paint minus that start).
    const pairs = [
      ['spanflame', 'speedscope', 'OTLP protobuf vs the folded file'],
      ['spanflame-folded', 'speedscope', 'the folded file'],
      ['spanflame-pprof', 'speedscope-pprof', 'the pprof file'],
    ];
    const ratios = pairs.flatMap(([a, b, what]) => {
      const x = rows.find((r) => r.viewer === a);
      const y = rows.find((r) => r.viewer === b);
      if (!x?.firstPaintMs || !y?.firstPaintMs) return [];
      const after = x.emptyStartMs != null && y.emptyStartMs != null
        ? `, **${((y.firstPaintMs - y.emptyStartMs) / (x.firstPaintMs - x.emptyStartMs)).toFixed(2)}×** after the empty page`
        : '';
      return [`${what}: **${(y.firstPaintMs / x.firstPaintMs).toFixed(2)}×**${after}`];
    });
    if (ratios.length) {
      push();
      push(`First paint, speedscope ÷ Spanflame: ${ratios.join('; ')}.`);
    }
    if (failed.length) {
      push();
      failed.forEach((r, i) => push(`(${i + 1}) ${r.name}: ${r.errors.join('; ')}`.replace(/\n/g, ' ') + (i + 1 < failed.length ? '<br>' : '')));
    }
    const blocked = rows.flatMap((r) => r.blocked);
    if (blocked.length) {
      push();
      push(`Blocked non-local requests: ${blocked.join(', ')}`);
    }
    push();
  }
  for (const [dist, bundle] of Object.entries(bundles)) {
    push(
      `Release bundle (\`${path.relative(REPO_ROOT, dist)}\`): wasm + js + css ${bundle.raw.toLocaleString('en')} B raw, ` +
        `**${bundle.gzip.toLocaleString('en')} B gzip -9** (${bundle.files
          .map((f) => `${f.file.replace(/-[0-9a-f]{16}/, '')} ${f.gzip.toLocaleString('en')}`)
          .join(', ')})` +
        (bundle.others.length
          ? `; not loaded by the page: ${bundle.others.map((f) => `${f.file} ${f.gzip.toLocaleString('en')}`).join(', ')}.`
          : '.'),
    );
    push();
  }
  const checks = targets(summaries, bundles);
  if (checks.length) {
    push('#### Targets');
    push();
    push('| target | measured | |');
    push('|---|---|---|');
    for (const row of checks) push(`| ${row.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  const all = viewers(options);
  const keys = options.compareDists ? Object.keys(all) : options.viewers;
  const chosen = keys.map((key) => {
    if (!all[key]) throw new Error(`unknown viewer ${key}`);
    return { key, ...all[key] };
  });
  for (const v of chosen) {
    if (!existsSync(path.join(v.root, 'index.html'))) throw new Error(`no ${v.root}/index.html: build it first`);
  }
  if (chosen.some((v) => v.key.startsWith('speedscope')) && !existsSync(path.join(SPEEDSCOPE_DIR, 'index.html'))) {
    throw new Error('speedscope is not installed: npm ci (it is a devDependency)');
  }
  // `spanflame gen` writes no pprof file for L: a viewer without its file for a size skips it.
  // L's 4 GB of OTLP/JSON is past what a browser tab takes as one string: not attempted.
  const present = (size) =>
    chosen.filter((v) => {
      if (size === 'L' && v.file === 'profile.json') return false;
      const file = path.join(options.data, size, v.file);
      if (existsSync(file)) return true;
      process.stderr.write(`bench: ${file} is missing: ${v.key} is not measured on ${size}\n`);
      return false;
    });
  for (const size of options.sizes) {
    if (!chosen.some((v) => v.key === 'spanflame') || present(size).some((v) => v.key === 'spanflame')) continue;
    throw new Error(`no ${size} data in ${options.data}: spanflame gen --size ${size} --out ${options.data}/${size}`);
  }

  const browser = await launch();
  const chromiumVersion = `Chromium ${browser.version()}`;
  await browser.close();
  const meta = { date: new Date().toISOString(), commit: commit(), chromium: chromiumVersion, machine: machine(), options };

  // One server (so one origin) per viewer; each also serves the profiles under /data/.
  const servers = {};
  for (const v of chosen) servers[v.key] = await startMountServer({ '/app/': v.root, '/data/': options.data });
  const summaries = [];
  const rawRuns = [];
  // The empty page, once per app build (viewers of one root are one app), runs interleaved.
  const roots = [...new Map(chosen.map((v) => [v.root, v])).values()];
  const empties = new Map(roots.map((v) => [v.root, []]));
  for (let run = 0; run < options.runs; run += 1) {
    for (const v of run % 2 === 0 ? roots : [...roots].reverse()) {
      const r = await idleBaseline(v, servers).catch(() => null);
      if (r) empties.get(v.root).push(r);
      process.stderr.write(`bench: empty page run ${run + 1}/${options.runs} ${v.key}: start ${fmtMs(r?.startMs)} ms\n`);
    }
  }
  const idle = Object.fromEntries(
    chosen.map((v) => {
      const e = empties.get(v.root);
      return [v.key, { rss: median(e.map((x) => x.renderer)), startMs: median(e.map((x) => x.startMs)) }];
    }),
  );
  for (const size of options.sizes) {
    const here = present(size);
    const runs = Object.fromEntries(here.map((v) => [v.key, []]));
    for (let run = 0; run < options.runs; run += 1) {
      const order = run % 2 === 0 ? here : [...here].reverse();
      for (const v of order) {
        const r = await measure(v, size, options, servers);
        r.run = run + 1;
        runs[v.key].push(r);
        rawRuns.push(r);
        const hov = r.hoverFrames ? ` hover p50 ${fmtMs(median(r.hoverFrames.filter((f) => f.inputs).map((f) => f.ms)))} ms` : '';
        const clk =
          (r.spanClick?.times?.length ? ` click p50 ${fmtMs(median(r.spanClick.times))} ms` : '') +
          (r.brush?.times?.length ? ` brush p50 ${fmtMs(median(r.brush.times))} ms` : '') +
          (r.brush?.tableTimes?.length ? ` (table ${fmtMs(median(r.brush.tableTimes))} ms)` : '');
        process.stderr.write(
          `bench: ${size} run ${run + 1}/${options.runs} ${v.key}: ` +
            (r.opened ? `first paint ${fmtMs(r.firstPaintMs)} ms` : `did not open (${r.error})`) +
            `, wasm ${fmtMB(r.wasmBytes)} MB, heap ${fmtMB(r.jsHeapPeak)} MB, renderer ${fmtMB(r.rendererPeakRss)} MB${hov}${clk}\n`,
        );
      }
    }
    for (const v of here) {
      const inputBytes = statSync(path.join(options.data, size, v.file)).size;
      summaries.push(summarize(v, size, runs[v.key], inputBytes, idle[v.key]));
    }
  }
  for (const v of chosen) await servers[v.key].close();

  const bundles = Object.fromEntries(
    [...new Set(chosen.filter((v) => v.isSpanflame).map((v) => v.root))].map((dist) => [dist, bundleSize(dist)]),
  );
  const markdown = report(options, summaries, bundles, meta);
  await mkdir(path.dirname(options.out), { recursive: true });
  await writeFile(`${options.out}.md`, `${markdown}\n`);
  await writeFile(`${options.out}.json`, `${JSON.stringify({ meta, bundles, summaries, runs: rawRuns }, null, 1)}\n`);
  console.log(markdown);
  process.stderr.write(`bench: wrote ${path.relative(REPO_ROOT, options.out)}.md and .json\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`bench: ${error.stack ?? error}`);
    process.exit(1);
  });
}
