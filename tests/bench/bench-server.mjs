// A static file server with several mounts on one 127.0.0.1 origin, for the browser benchmark.
//
//   const server = await startMountServer({ '/app/': 'target/bench-dist', '/data/': 'target/bench-data' });
//   server.url  -> 'http://127.0.0.1:<free port>/'
//
// Each viewer gets its own server (its own port, so its own origin, storage and renderer
// process) that also mounts the profiles under /data/, so that `#profileURL=data/...` is a
// same-origin fetch (speedscope fetches it without CORS headers). Files are streamed, so the
// ~1 GB "L" profile is never held in node's memory. `Cache-Control: no-store` keeps every run cold.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { mimeType } from '../static-server.mjs';

/** mounts: { '/prefix/': '/abs/or/relative/root', ... }. Resolves to { url, port, close() }. */
export async function startMountServer(mounts, { host = '127.0.0.1', port = 0 } = {}) {
  // Longest prefix first, so that '/app/data/' would win over '/app/'.
  const table = Object.entries(mounts)
    .map(([prefix, root]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, path.resolve(root)])
    .sort((a, b) => b[0].length - a[0].length);

  const server = createServer(async (req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`${text}\n`);
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
      res.writeHead(200, {
        'Content-Type': mimeType(file),
        'Content-Length': info.size,
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD') return res.end();
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
    url: `http://${host}:${actualPort}/`,
    port: actualPort,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
