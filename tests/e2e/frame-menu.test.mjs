// A frame's own menu: right click (or the context-menu key / Shift+F10 on the focused graph)
// opens the transforms for that frame's function and "Copy function name". Each transform
// picked there gives what `spanflame fold --transform` gives on the same file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  REPO_ROOT,
  afterNextFrame,
  clickFrame,
  mirrorFrames,
  openDemo,
  runCli,
  waitForFrame,
} from './harness.mjs';

const DEMO = path.join(REPO_ROOT, 'public/demo/profile.binpb');
const DEMO_TOTAL = 187;

/** The demo's folded stacks after `--transform text`, by the CLI: { stack: weight }. */
function cliStacks(text) {
  const out = runCli(['fold', DEMO, '--transform', text]);
  const stacks = {};
  for (const line of out.split('\n').filter((l) => l.trim())) {
    const at = line.lastIndexOf(' ');
    stacks[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return stacks;
}

const functionsOf = (stacks) => new Set(Object.keys(stacks).flatMap((s) => s.split(';')));
const totalOf = (stacks) => Object.values(stacks).reduce((a, b) => a + b, 0);


async function rightClickFrame(page, frame) {
  const box = await page.$eval('canvas#flame', (c) => c.getBoundingClientRect().toJSON());
  await page.mouse.click(box.left + frame.x + Math.min(frame.w / 2, 40), box.top + frame.y + 9, { button: 'right' });
  await page.waitForSelector('#frame-menu');
}

async function total(page) {
  await afterNextFrame(page);
  return Number((await page.innerText('#total')).replace(/[\u202f\u00a0 ]/g, ''));
}

/** The `transforms=` text of the page's hash, decoded as the CLI takes it. */
async function hashTransforms(page) {
  await page.waitForFunction(() => /[#&]transforms=/.test(location.hash));
  return /[#&]transforms=([^&]*)/.exec(await page.url())[1];
}

test('right-click a frame: its menu merges, drops and hides, as the CLI does', async (t) => {
  const { page, ...session } = await openDemo(t);
  // Merge: the function's frames go, its weight stays with its callers.
  await rightClickFrame(page, await waitForFrame(page, 'hash_loop'));
  assert.match(await page.innerText('#frame-menu .frame-menu-title'), /^hash_loop$/);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'menuitem', 'the first item has the focus');
  await session.screenshot('frame-menu');
  await page.click('#frame-menu [data-code="mf"]');
  await page.waitForSelector('#frame-menu', { state: 'detached' });
  let want = cliStacks(await hashTransforms(page));
  assert.ok(!functionsOf(want).has('hash_loop'), 'the CLI merged hash_loop away too');
  assert.equal(totalOf(want), DEMO_TOTAL);
  await page.waitForFunction(() => !document.querySelector('#flame-mirror li[data-name="hash_loop"]'));
  assert.equal(await total(page), DEMO_TOTAL);
  assert.match(await page.innerText('#transform-chips'), /Merge hash_loop/);

  // Drop, picked on another frame, stacks on top.
  await rightClickFrame(page, await waitForFrame(page, 'busy_sleep'));
  await page.click('#frame-menu [data-code="df"]');
  want = cliStacks(await page.waitForFunction(() => /transforms=[^&]*df:/.exec(location.hash)).then(() => hashTransforms(page)));
  assert.ok(totalOf(want) < DEMO_TOTAL, 'busy_sleep samples dropped');
  await page.waitForFunction((w) => document.querySelector('#total')?.textContent.replace(/[\u202f\u00a0 ]/g, '') === String(w), totalOf(want));
  assert.equal((await page.$$('#transform-chips .chip')).length, 2);

  // Only my code: hiding the threading package, twice over, is one chip.
  const threading = (await mirrorFrames(page)).find((f) => f.name === '_bootstrap_inner');
  assert.ok(threading, 'the demo has threading frames');
  await rightClickFrame(page, threading);
  const label = await page.innerText('#frame-menu [data-code="omc"]');
  const pkg = /Hide package (\S+)/.exec(label)?.[1];
  assert.ok(pkg, label);
  await page.click('#frame-menu [data-code="omc"]');
  await page.waitForFunction(() => /transforms=[^&]*omc:/.test(location.hash));
  want = cliStacks(await hashTransforms(page));
  assert.ok(!functionsOf(want).has('_bootstrap_inner'), `the CLI hides ${pkg} too`);
  await page.waitForFunction(() => !document.querySelector('#flame-mirror li[data-name="_bootstrap_inner"]'));
  const chips = await page.$$eval('#transform-chips .chip', (cs) => cs.map((c) => c.textContent));
  assert.equal(chips.length, 3, chips.join(' | '));
  assert.match(chips[2], new RegExp(`Only my code \\(hiding ${pkg}\\)`));
  await session.screenshot('frame-menu-applied');

  // A click elsewhere closes the menu without doing anything.
  await rightClickFrame(page, await waitForFrame(page, 'handle_request'));
  await page.mouse.click(5, 5);
  await page.waitForSelector('#frame-menu', { state: 'detached' });
  assert.equal((await page.$$('#transform-chips .chip')).length, 3);
  session.assertClean();
});

test('the frame menu from the keyboard: Shift+F10 and the context-menu key, arrows, Esc', async (t) => {
  const { page, ...session } = await openDemo(t, { colorScheme: 'dark' });
  await page.focus('#flame-scroll');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+F10');
  await page.waitForSelector('#frame-menu');
  const first = await page.innerText('#frame-menu .frame-menu-title');
  assert.ok(first.length > 0);
  const focused = () => page.evaluate(() => document.activeElement?.dataset.code ?? document.activeElement?.id);
  // The menu takes the focus in the animation frame after it opens.
  await page.waitForFunction(() => document.querySelector('#frame-menu')?.contains(document.activeElement));
  assert.equal(await focused(), 'ff');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'fs');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'copy', 'ArrowUp wraps to the last item');
  await session.screenshot('frame-menu-dark');
  // Esc closes the menu only: the focus is back on the graph and the view is kept.
  await page.keyboard.press('Escape');
  await page.waitForSelector('#frame-menu', { state: 'detached' });
  assert.equal(await focused(), 'flame-scroll');
  assert.equal((await page.$$('#transform-chips .chip')).length, 0);

  // A click puts the cursor on hash_loop (and zooms to it); its menu drops it with Enter.
  await clickFrame(page, await waitForFrame(page, 'hash_loop'));
  await page.waitForFunction(() => document.querySelector('#flame-status')?.textContent.startsWith('hash_loop') || document.activeElement?.id === 'flame-scroll');
  await page.focus('#flame-scroll');
  await page.keyboard.press('ContextMenu');
  await page.waitForSelector('#frame-menu');
  await page.waitForFunction(() => document.querySelector('#frame-menu')?.contains(document.activeElement));
  const target = await page.innerText('#frame-menu .frame-menu-title');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'df');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#frame-menu', { state: 'detached' });
  const want = cliStacks(await hashTransforms(page));
  assert.ok(!functionsOf(want).has(target), `the CLI dropped ${target}`);
  await page.waitForFunction((w) => document.querySelector('#total')?.textContent.replace(/[\u202f\u00a0 ]/g, '') === String(w), totalOf(want));
  assert.match(await page.innerText('#transform-chips'), new RegExp(`Drop ${target}`));
  session.assertClean();
});

test('"Copy function name" puts the frame\'s function on the clipboard', async (t) => {
  const { page, context, url, ...session } = await openDemo(t);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  await rightClickFrame(page, await waitForFrame(page, 'handle_request'));
  await page.click('#frame-menu [data-code="copy"]');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) === 'handle_request');
  session.assertClean();
});
