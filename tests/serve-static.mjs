// Static file serving shared by tests/static-server.mjs (the app for scripts/serve.sh and the
// e2e tests) and tests/bench/bench-server.mjs (the browser benchmark).
//
// Files are streamed, never read whole (the bench's "L" profile is ~1 GB), with
// `Cache-Control: no-store` so that every load is cold, and `.wasm` as application/wasm
// (WebAssembly.instantiateStreaming refuses anything else). What differs between the two
// servers is an option: the headers a page gets, and where the files are mounted.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.gz': 'application/gzip',
};

/** The MIME type for a file name; unknown extensions (e.g. `.binpb`) are octet streams. */
export function mimeType(file) {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Serves `mounts` ({ '/prefix/': 'root dir', ... }; the longest matching prefix wins, and
 * `/prefix` redirects to `/prefix/`) on http://host:port. Port 0 picks a free port.
 * `nosniff` adds `X-Content-Type-Options: nosniff` to every file; `csp`, if set, is sent as the
 * Content-Security-Policy of every `index.html`.
 * Resolves to { origin, port, close() }; `origin` has no trailing slash.
 */
export async function serveStatic(mounts, { host = '127.0.0.1', port = 0, nosniff = false, csp = null } = {}) {
  const table = Object.entries(mounts)
    .map(([prefix, root]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, path.resolve(root)])
    .sort((a, b) => b[0].length - a[0].length);

  const server = createServer(async (req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    const mount = table.find(([prefix]) => pathname.startsWith(prefix) || `${pathname}/` === prefix);
    if (!mount) return send(404, 'not found');
    const [prefix, root] = mount;
    if (`${pathname}/` === prefix) {
      // `/sub` -> `/sub/`, so that relative URLs resolve inside the sub-path.
      res.writeHead(301, { Location: prefix });
      return res.end();
    }
    let file = path.join(root, pathname.slice(prefix.length));
    if (file !== root && !file.startsWith(root + path.sep)) return send(403, 'forbidden');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      const headers = {
        'Content-Type': mimeType(file),
        'Content-Length': info.size,
        'Cache-Control': 'no-store',
      };
      if (nosniff) headers['X-Content-Type-Options'] = 'nosniff';
      if (csp && path.basename(file) === 'index.html') headers['Content-Security-Policy'] = csp;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      // A file that vanished after the stat, or a client gone mid-way, ends this response
      // only (and lets go of the file), not the server.
      const stream = createReadStream(file);
      stream.on('error', () => res.destroy());
      res.on('close', () => stream.destroy());
      stream.pipe(res);
    } catch {
      send(404, 'not found');
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    origin: `http://${host}:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
