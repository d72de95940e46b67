// A static file server with several mounts on one 127.0.0.1 origin, for the browser benchmark.
//
//   const server = await startMountServer({ '/app/': 'target/bench-dist', '/data/': 'target/bench-data' });
//   server.url  -> 'http://127.0.0.1:<free port>/'
//
// Each viewer gets its own server (its own port, so its own origin, storage and renderer
// process) that also mounts the profiles under /data/, so that `#profileURL=data/...` is a
// same-origin fetch (speedscope fetches it without CORS headers). Files are streamed, so the
// ~1 GB "L" profile is never held in node's memory. `Cache-Control: no-store` keeps every run cold
// (the serving itself is tests/serve-static.mjs).
import { serveStatic } from '../serve-static.mjs';

/** mounts: { '/prefix/': '/abs/or/relative/root', ... }. Resolves to { url, port, close() }. */
export async function startMountServer(mounts, { host = '127.0.0.1', port = 0 } = {}) {
  const server = await serveStatic(mounts, { host, port });
  return { url: `${server.origin}/`, port: server.port, close: server.close };
}
