#!/usr/bin/env node
// Where the empty page's start goes (issue 14, item 2): opens the release app with no profile
// in a fresh headless Chromium, records a performance trace until the app has mounted (its
// header is in the page), and prints the main thread's time by kind of work from the
// navigation to that point: network waits, script evaluation, wasm compilation and
// instantiation, the app's own start (the wasm's `main`), style/layout/paint.
//
//   node tests/bench/start-trace.mjs [--dist target/bench-dist] [--runs 3] [--out target/start-trace]
//
// Each run's raw trace is written to <out>-<run>.json (open it in chrome://tracing or
// Perfetto's UI). Medians over the runs go to stdout.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { startMountServer } from './bench-server.mjs';

function parseArgs(argv) {
  const options = { dist: 'target/bench-dist', runs: 3, out: 'target/start-trace' };
  for (let i = 0; i < argv.length; i += 1) {
    const value = () => argv[++i];
    if (argv[i] === '--dist') options.dist = value();
    else if (argv[i] === '--runs') options.runs = Number(value());
    else if (argv[i] === '--out') options.out = value();
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? v[v.length >> 1] : null;
};

/** Main-thread time (ms) by kind, between the navigation start and `endUs`, from trace events. */
function breakdown(events, endUs) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const nav = events.find((e) => e.name === 'navigationStart' || e.name === 'NavigationStart' || e.name === 'markAsMainFrame');
  const start = nav?.ts ?? Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
  const on = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.ts >= start && e.ts <= endUs);
  const kinds = {
    'wasm compile': /wasm.*(Compile|compile)|v8\.wasm\.(compile|Compile)|WasmCompile/,
    'wasm instantiate': /wasm.*[Ii]nstantiate/,
    'script compile/parse': /^(v8\.compile|v8\.parseOnBackground|V8\.CompileCode|v8\.compileModule|v8\.produceModuleCache)/,
    'script evaluation (JS and wasm called from it)': /^(EvaluateScript|v8\.evaluateModule|FunctionCall|TimerFire|FireAnimationFrame|EventDispatch|v8\.callFunction|RunMicrotasks)$/,
    'style, layout, paint': /^(UpdateLayoutTree|Layout|Paint|PrePaint|Layerize|UpdateLayer|Commit|RecalculateStyles|ParseAuthorStyleSheet)$/,
    'HTML parsing': /^ParseHTML$/,
  };
  const out = Object.fromEntries(Object.keys(kinds).map((k) => [k, 0]));
  // Top-level slices only per kind (nested slices of one kind are not counted twice).
  for (const [kind, re] of Object.entries(kinds)) {
    const slices = on.filter((e) => re.test(e.name)).sort((a, b) => a.ts - b.ts);
    let until = 0;
    for (const e of slices) {
      if (e.ts >= until) {
        out[kind] += (e.dur ?? 0) / 1000;
        until = e.ts + (e.dur ?? 0);
      }
    }
  }
  const tasks = on.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  out['main thread busy (all tasks)'] = tasks.reduce((s, e) => s + (e.dur ?? 0) / 1000, 0);
  out['navigation → mounted (wall)'] = (endUs - start) / 1000;
  return out;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const server = await startMountServer({ '/app/': options.dist });
  const rows = [];
  try {
    for (let run = 1; run <= options.runs; run += 1) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        // Mark the moment the app's header is inserted (the trace is cut there), from inside
        // the page, so that the harness's own polling scripts are not in the cut.
        await page.addInitScript(() => {
          const seen = new MutationObserver(() => {
            if (!document.querySelector('header.top')) return;
            performance.mark('spanflame-mounted');
            seen.disconnect();
          });
          seen.observe(document, { childList: true, subtree: true });
        });
        await browser.startTracing(page, {
          categories: ['devtools.timeline', 'v8', 'v8.wasm', 'disabled-by-default-v8.compile', 'blink.user_timing', 'loading', 'toplevel'],
        });
        await page.goto(`${server.url}app/`, { waitUntil: 'commit' });
        await page.waitForFunction(() => performance.getEntriesByName('spanflame-mounted').length > 0, null, { timeout: 30000 });
        const buffer = await browser.stopTracing();
        const file = `${options.out}-${run}.json`;
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, buffer);
        const events = JSON.parse(buffer.toString()).traceEvents;
        const mark = events.find((e) => e.name === 'spanflame-mounted');
        rows.push(breakdown(events, mark?.ts ?? Math.max(...events.map((e) => e.ts))));
        process.stderr.write(`start-trace: run ${run}: ${JSON.stringify(rows.at(-1))}\n`);
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  console.log(`| main thread, navigation → app mounted (median of ${rows.length}) | ms |`);
  console.log('|---|---:|');
  for (const key of Object.keys(rows[0])) console.log(`| ${key} | ${median(rows.map((r) => r[key])).toFixed(1)} |`);
}

main().catch((error) => {
  console.error(`start-trace: ${error.stack ?? error}`);
  process.exit(1);
});
