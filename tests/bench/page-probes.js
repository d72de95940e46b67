// Page-side probes for the browser benchmark. Injected with `context.addInitScript` before any
// script of the page runs; `window.__benchConfig` (set by an init script just before this one)
// says which canvas is the flame graph. Nothing here changes what the app draws.
//
// * window.__bench.firstPaint: performance.now() of the first animation frame in which the
//   flame graph canvas shows something other than its background. performance.now() counts
//   from the navigation start, so this is the time from the hand-over (navigating to
//   `#profileURL=...`) to the first frame with the flame graph in it, measured in the page.
// * window.__bench.ready: performance.now() of the first animation frame in which the viewer's
//   start page is up (`__benchConfig.readySelector` matches, or the page's text holds
//   `readyText`): opened with no profile, this is the empty page's start.
// * window.__bench.wasmBytes(): the byte length of every WebAssembly.Memory the page
//   instantiated (wasm memory only grows, so this is also its peak).
// * window.__bench.startFrames() / stopFrames(): a per-frame main-thread work recorder for
//   the interaction phase (see below).
// * window.__bench.canvasHash(): a cheap checksum of the flame graph canvas, to see a repaint.
(() => {
  if (window.top !== window) return; // only the top document
  const config = window.__benchConfig ?? {};
  const bench = (window.__bench = { firstPaint: null, ready: null, wasmMemories: [], contexts: new WeakMap(), canvases: [] });

  // --- wasm memory: keep a reference to every instance's exported memory -----------------
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result?.instance;
    for (const value of Object.values(instance?.exports ?? {})) {
      if (value instanceof WebAssembly.Memory && !bench.wasmMemories.includes(value)) bench.wasmMemories.push(value);
    }
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (typeof original !== 'function') continue;
    WebAssembly[name] = function (...args) {
      return original.apply(this, args).then(keep);
    };
  }
  bench.wasmBytes = () => bench.wasmMemories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0);

  // --- which context each canvas got (without creating any context ourselves) ------------
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    const context = getContext.call(this, type, ...rest);
    if (context && !bench.contexts.has(this)) {
      bench.contexts.set(this, type);
      bench.canvases.push(new WeakRef(this));
    }
    return context;
  };

  /** The flame graph canvas: a CSS selector, or else the largest canvas the app drew on in 2D. */
  bench.flameCanvas = () => {
    if (config.canvasSelector) return document.querySelector(config.canvasSelector);
    let best = null;
    for (const ref of bench.canvases) {
      const canvas = ref.deref();
      if (!canvas || !canvas.isConnected || bench.contexts.get(canvas) !== '2d') continue;
      if (!best || canvas.width * canvas.height > best.width * best.height) best = canvas;
    }
    return best;
  };

  /** Pixels of a 2D canvas, or null when it has no 2D context (yet) or no size. */
  const pixels = (canvas) => {
    if (!canvas || canvas.width === 0 || canvas.height === 0 || bench.contexts.get(canvas) !== '2d') return null;
    return canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  };

  /**
   * Share of sampled pixels that differ from the most common colour (the background),
   * sampling every 4th pixel of every 4th row.
   */
  bench.paintedShare = (canvas = bench.flameCanvas()) => {
    const data = pixels(canvas);
    if (!data) return 0;
    const words = new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
    const { width, height } = canvas;
    const counts = new Map();
    let total = 0;
    for (let y = 0; y < height; y += 4) {
      for (let x = 0; x < width; x += 4) {
        const word = words[y * width + x];
        counts.set(word, (counts.get(word) ?? 0) + 1);
        total += 1;
      }
    }
    let background = 0;
    for (const count of counts.values()) background = Math.max(background, count);
    return (total - background) / total;
  };

  /** FNV-1a over every 3rd pixel of the flame graph canvas (and its size). */
  bench.canvasHash = (canvas = bench.flameCanvas()) => {
    const data = pixels(canvas);
    if (!data) return 'none';
    const words = new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
    let hash = 0x811c9dc5 ^ canvas.width ^ (canvas.height << 16);
    for (let i = 0; i < words.length; i += 3) hash = Math.imul(hash ^ words[i], 0x01000193);
    return `${canvas.width}x${canvas.height}:${(hash >>> 0).toString(16)}`;
  };

  // --- first paint: check the canvas once per frame, after the frame's animation callbacks --
  // A check in our own requestAnimationFrame callback runs before callbacks the app asks
  // for later in the same frame (they run in the order they were asked for), so a graph
  // drawn in the app's callback was seen one frame late, and that next frame waits for
  // whatever long task the app runs after drawing (~300 ms of tables on M: BENCHMARKS.md,
  // session 12). So the check runs in a ResizeObserver callback instead, which the browser
  // calls after every animation callback and layout of the frame: our callback resizes a
  // hidden element, and the check is stamped with that frame's time.
  const minShare = config.minPaintedShare ?? 0.002;
  const marker = document.createElement('div');
  marker.style.cssText = 'position:fixed;left:0;top:0;height:1px;width:1px;visibility:hidden;pointer-events:none';
  let frameTime = 0;
  const afterFrame = new ResizeObserver(() => {
    if (bench.firstPaint != null) return;
    if (bench.paintedShare() >= minShare) {
      bench.firstPaint = frameTime;
      afterFrame.disconnect();
      marker.remove();
    }
  });
  const poll = (now) => {
    if (bench.firstPaint != null) return;
    if (!marker.isConnected) {
      document.documentElement.append(marker);
      afterFrame.observe(marker);
    }
    frameTime = now;
    marker.style.width = marker.style.width === '1px' ? '2px' : '1px';
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);

  // --- the start page: checked once per animation frame ------------------------------------
  const isReady = () =>
    (config.readySelector && document.querySelector(config.readySelector)) ||
    (config.readyText && document.body?.textContent.includes(config.readyText));
  const pollReady = (now) => {
    if (isReady()) {
      bench.ready = now;
      return;
    }
    requestAnimationFrame(pollReady);
  };
  if (config.readySelector || config.readyText) requestAnimationFrame(pollReady);

  // --- frame work recorder ------------------------------------------------------------------
  // A frame's main-thread work is measured from the first input event dispatched for it (a
  // capturing listener on window, so it runs before the app's own listeners) or from the
  // start of its animation-frame callbacks, to a message posted from inside the frame's
  // requestAnimationFrame callback: that message runs only after the frame's rAF callbacks,
  // style, layout and paint recording are done. So it covers input handlers, rAF drawing and
  // the browser's own rendering work on the main thread. Raster/GPU work on other threads and
  // processes is not included (for speedscope that includes its WebGL draw calls).
  const recorder = { on: false, frames: [], current: null };
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const frame = recorder.current;
    recorder.current = null;
    if (!frame) return;
    frame.end = performance.now();
    recorder.frames.push(frame);
  };
  const onFrame = (now) => {
    if (!recorder.on) return;
    if (!recorder.current) recorder.current = { start: performance.now(), raf: now, inputs: 0, kinds: '' };
    else recorder.current.raf = now;
    channel.port2.postMessage(0);
    requestAnimationFrame(onFrame);
  };
  const onInput = (event) => {
    if (!recorder.on) return;
    if (!recorder.current) recorder.current = { start: performance.now(), raf: null, inputs: 0, kinds: '' };
    recorder.current.inputs += 1;
    if (!recorder.current.kinds.includes(event.type)) recorder.current.kinds += `${event.type} `;
  };
  for (const type of ['mousemove', 'pointermove', 'wheel', 'mousedown', 'mouseup', 'click', 'keydown']) {
    window.addEventListener(type, onInput, { capture: true, passive: true });
  }
  bench.startFrames = () => {
    recorder.frames = [];
    recorder.current = null;
    recorder.on = true;
    requestAnimationFrame(onFrame);
  };
  /** Stops recording; returns [{ ms, inputs, kinds }], one per frame recorded. */
  bench.stopFrames = () => {
    recorder.on = false;
    return recorder.frames
      .filter((frame) => frame.raf !== null)
      .map((frame) => ({ ms: frame.end - frame.start, inputs: frame.inputs, kinds: frame.kinds.trim() }));
  };
  bench.nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
})();
