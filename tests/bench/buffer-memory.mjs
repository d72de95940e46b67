#!/usr/bin/env node
// What becomes of the memory of buffers a worker reads or hands back, in Chromium: the cases
// behind app/src/decoder.rs's choices (BENCHMARKS.md, session 12). Each case runs in a fresh
// browser; the renderer's resident memory (VmRSS) is sampled every 250 ms.
//
//   read-filereader           a worker reads a fetched Blob in 16 MB pieces with FileReaderSync
//   read-filereader-transfer  the same, detaching each piece with ArrayBuffer.transfer(0)
//   read-stream               the same bytes through the Blob's stream, one reused buffer
//   columns-plain             a worker hands back 6 × 240 MB of buffers, the page copies them
//                             into wasm memory and drops them
//   columns-transfer          the same, detaching each with transfer(0) once copied
//   columns-resize            the same with resizable buffers, each resized to 0 once copied
//
//   node tests/bench/buffer-memory.mjs [--file target/bench-data/L/profile.binpb] [CASE...]
import { execSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { startMountServer } from './bench-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const fileAt = args.indexOf('--file');
const file = path.resolve(fileAt >= 0 ? args.splice(fileAt, 2)[1] : 'target/bench-data/L/profile.binpb');
const cases = args.length
  ? args
  : ['read-filereader', 'read-filereader-transfer', 'read-stream', 'columns-plain', 'columns-transfer', 'columns-resize'];

const rendererRss = () => {
  const pids = execSync("pgrep -f -- '--type=renderer' || true").toString().split('\n').filter(Boolean);
  let most = 0;
  for (const pid of pids) {
    try {
      const status = execSync(`cat /proc/${pid}/status 2>/dev/null`).toString();
      most = Math.max(most, Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) * 1024);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return most;
};

const MB = 1024 * 1024;
const server = await startMountServer({ '/': path.join(HERE, 'buffer-memory'), '/file/': path.dirname(file) });
try {
  console.log('| case | renderer peak RSS, MB | at the end, MB | result |');
  console.log('|---|---:|---:|---|');
  for (const kase of cases) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const url = `${server.url}page.html?case=${kase}&file=${encodeURIComponent(`/file/${path.basename(file)}`)}`;
      await page.goto(url);
      let peak = 0;
      let last = 0;
      for (;;) {
        last = rendererRss();
        peak = Math.max(peak, last);
        if ((await page.evaluate(() => window.phase)) === 'done') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const result = await page.evaluate(() => window.result);
      console.log(`| ${kase} | ${Math.round(peak / MB)} | ${Math.round(last / MB)} | ${JSON.stringify(result)} |`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
