// Inputs the benchmark scripts share, so that what one measures is what another profiles.

/**
 * The `i`-th of `count` timeline brushes, up to the pointerup (which the caller sends, so
 * that it can time from it): the pointer goes down on the strip `box` and drags across it,
 * the ranges spread over the strip and a little wider each time.
 */
export async function dragAcrossStrip(page, box, i, count) {
  const a = 0.05 + (0.6 * i) / count;
  const b = a + 0.2 + 0.02 * i;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * a, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((a + b) / 2), y, { steps: 2 });
  await page.mouse.move(box.x + box.width * b, y, { steps: 2 });
}
