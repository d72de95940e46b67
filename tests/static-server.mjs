// A tiny static file server for dist/, used by scripts/serve.sh and by the e2e harness.
//
//   node tests/static-server.mjs [--root dist] [--port 8080] [--host 127.0.0.1] [--prefix /sub/path/]
//
// Serves `.wasm` as application/wasm (needed for WebAssembly.instantiateStreaming), sends
// `Cache-Control: no-store`, and with --prefix serves the app only under that sub-path. The
// app's page (every `index.html`) also gets the Content-Security-Policy of index.html's
// <meta> as a header, as a deployment should send it (the e2e tests check the two agree).
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The app's Content-Security-Policy: the same text as the <meta> in index.html. */
export const APP_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*; object-src 'none'; base-uri 'self'; form-action 'none'";

/** The MIME type for a file name; unknown extensions (e.g. `.binpb`) are octet streams. */
export function mimeType(file) {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Serves `root` on http://host:port/prefix. Port 0 picks a free port. `csp` is the header sent
 * with index.html (default APP_CSP; a falsy value sends none).
 * Resolves to { url, port, close() }; `url` ends with the prefix (and a slash).
 */
export async function startStaticServer({ root = 'dist', host = '127.0.0.1', port = 0, prefix = '/', csp = APP_CSP } = {}) {
  const rootDir = path.resolve(root);
  if (!prefix.startsWith('/')) prefix = `/${prefix}`;
  if (!prefix.endsWith('/')) prefix = `${prefix}/`;

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
    if (`${pathname}/` === prefix) {
      // `/sub` -> `/sub/`, so that relative URLs resolve inside the sub-path.
      res.writeHead(301, { Location: prefix });
      return res.end();
    }
    if (!pathname.startsWith(prefix)) return send(404, 'not found');
    let file = path.join(rootDir, pathname.slice(prefix.length));
    if (file !== rootDir && !file.startsWith(rootDir + path.sep)) return send(403, 'forbidden');
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
        'X-Content-Type-Options': 'nosniff',
      };
      if (csp && path.basename(file) === 'index.html') headers['Content-Security-Policy'] = csp;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
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
    url: `http://${host}:${actualPort}${prefix}`,
    port: actualPort,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 1) {
    const [key, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--root') options.root = value;
    else if (key === '--host') options.host = value;
    else if (key === '--port') options.port = Number(value);
    else if (key === '--prefix') options.prefix = value;
    else throw new Error(`unknown option ${key}`);
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = { port: 8080, ...parseArgs(process.argv.slice(2)) };
  const { url } = await startStaticServer(options);
  console.log(`serving ${path.resolve(options.root ?? 'dist')} on ${url}`);
}
