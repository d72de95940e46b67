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

/** Deterministic pseudo-random numbers in [0, 1). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const nextFrame = (page) => page.evaluate(() => window.__bench.nextFrame());

/** Wheel zoom in then out around points on the canvas, one wheel event per frame. */
export async function zoom(page, box, modifier, steps = 30) {
  const random = rng(2);
  await page.mouse.move(box.x + box.width * (0.2 + 0.6 * random()), box.y + Math.min(box.height - 4, 30));
  await page.evaluate(() => window.__bench.startFrames());
  if (modifier) await page.keyboard.down(modifier);
  for (const direction of [-1, 1]) {
    for (let i = 0; i < steps; i += 1) {
      await page.mouse.wheel(0, direction * 100);
      await nextFrame(page);
    }
  }
  if (modifier) await page.keyboard.up(modifier);
  await nextFrame(page);
  return page.evaluate(() => window.__bench.stopFrames());
}
