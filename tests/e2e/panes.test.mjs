// Pane splitters: the bar under the span list sets its height, the bar between the flame
// graph and the functions table the table's width; by pointer and by keyboard, clamped,
// reset by a double click, and remembered across a reload.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDemo, waitForPaintedCanvas } from './harness.mjs';


const box = (page, sel) => page.$eval(sel, (el) => el.getBoundingClientRect().toJSON());

async function drag(page, sel, dx, dy) {
  // The table's bar is as tall as the table: grab it near its top, which is in view.
  const b = await box(page, sel);
  const [x, y] = [b.left + b.width / 2, b.top + Math.min(b.height / 2, 40)];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
}

const near = (got, want, what) => assert.ok(Math.abs(got - want) <= 2, `${what}: ${got}, want ${want}`);

test('the span list splitter: drag, arrow keys, reload, double-click reset', async (t) => {
  const { page, ...session } = await openDemo(t);
  const bar = '#waterfall-panel .splitter';
  assert.equal(await page.getAttribute(bar, 'role'), 'separator');
  const initial = (await box(page, '#waterfall-scroll')).height;
  const flameTop = (await box(page, '#flame-scroll')).top;

  await drag(page, bar, 0, 150);
  near((await box(page, '#waterfall-scroll')).height, initial + 150, 'dragged height');
  near((await box(page, '#flame-scroll')).top, flameTop + 150, 'the graph moves down with it');
  near(Number(await page.getAttribute(bar, 'aria-valuenow')), initial + 150, 'aria-valuenow');

  await page.focus(bar);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  near((await box(page, '#waterfall-scroll')).height, initial + 150 - 32, 'two key steps up');
  await page.keyboard.press('Home');
  near((await box(page, '#waterfall-scroll')).height, 72, 'Home: the smallest');
  await page.keyboard.press('Shift+ArrowDown');
  near((await box(page, '#waterfall-scroll')).height, 72 + 80, 'a Shift step');
  await session.screenshot('panes-waterfall');

  await page.reload();
  await waitForPaintedCanvas(page);
  await page.waitForSelector('#waterfall-scroll');
  await page.waitForFunction(() => Math.abs(document.querySelector('#waterfall-scroll').getBoundingClientRect().height - 152) <= 2);

  await page.dblclick(bar);
  near((await box(page, '#waterfall-scroll')).height, initial, 'double-click: the stylesheet height');
  await page.reload();
  await waitForPaintedCanvas(page);
  await page.waitForSelector('#waterfall-scroll');
  near((await box(page, '#waterfall-scroll')).height, initial, 'the reset is remembered');
  session.assertClean();
});

test('the table splitter widens the table and the graph repaints narrower', async (t) => {
  const { page, ...session } = await openDemo(t);
  const bar = '#profile > .splitter';
  const table = (await box(page, '#functions-panel')).width;
  const graph = (await box(page, '#flame-scroll')).width;

  await drag(page, bar, -200, 0);
  near((await box(page, '#functions-panel')).width, table + 200, 'table width');
  near((await box(page, '#flame-scroll')).width, graph - 200, 'graph width');
  // The canvas follows its box (a resize observer repaints it at the new width).
  await page.waitForFunction(
    () => Math.abs(document.querySelector('canvas#flame').getBoundingClientRect().width - document.querySelector('#flame-scroll').clientWidth) <= 1,
  );
  await waitForPaintedCanvas(page);
  await session.screenshot('panes-table');

  await page.focus(bar);
  await page.keyboard.press('ArrowRight');
  near((await box(page, '#functions-panel')).width, table + 200 - 16, 'a key step narrows the table');
  await page.keyboard.press('End');
  const widest = (await box(page, '#functions-panel')).width;
  assert.ok(widest <= 1200 + 1, `End clamps at the maximum: ${widest}`);

  await page.keyboard.press('Enter');
  near((await box(page, '#functions-panel')).width, table, 'Enter: the stylesheet width');
  await drag(page, bar, -100, 0);
  await page.reload();
  await waitForPaintedCanvas(page);
  await page.waitForFunction((want) => Math.abs(document.querySelector('#functions-panel').getBoundingClientRect().width - want) <= 2, table + 100);
  session.assertClean();
});
