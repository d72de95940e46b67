// Spanflame's service worker: after a first visit the app opens without a network.
//
// The build (scripts/trunk-post-build.sh) fills in the two lines below: the files of this
// release and a version, the hash of those files. A new release is a new sw.js, which the
// browser installs; it then deletes the older releases' caches.
//
// - The app shell (the page, boot.js, the hashed .js/.wasm/.css) is cached at install.
// - Navigations: network first, the cached page when the network fails.
// - Hashed files: cache first (a name never changes content).
// - Other same-origin files (the demo, profiles named by #profileURL on this server): network
//   first, and a copy of each (up to 32 MiB) is kept for when the network fails. The page
//   itself also keeps the demo it fetched before this worker was in control.
// Nothing else is fetched: no request leaves for another origin, and files opened from
// disk never reach this worker.
const VERSION = 'unversioned';
const PRECACHE = ['./', './index.html'];

const SHELL = `spanflame-shell-${VERSION}`;
const DATA = 'spanflame-data';
const DATA_MAX_BYTES = 32 * 1024 * 1024;
// Trunk's hashed names: <name>-<16 hex>.js, <name>-<16 hex>_bg.wasm, <name>-<16 hex>.css.
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;
const scope = new URL(self.registration.scope);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('spanflame-shell-') && name !== SHELL) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(event));
  }
});

async function navigation(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(SHELL);
    // `?embed=1&origin=...` is the same page.
    const page = await cache.match(request, { ignoreSearch: true });
    if (page) return page;
    throw error;
  }
}

async function cacheFirst(request) {
  return (await caches.match(request)) ?? fetch(request);
}

async function networkFirst(event) {
  const { request } = event;
  try {
    const response = await fetch(request);
    const length = Number(response.headers.get('Content-Length') ?? NaN);
    if (response.ok && response.type === 'basic' && length <= DATA_MAX_BYTES) {
      const copy = response.clone();
      event.waitUntil(caches.open(DATA).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw error;
  }
}
