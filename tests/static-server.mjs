// A tiny static file server for dist/, used by scripts/serve.sh and by the e2e harness.
//
//   node tests/static-server.mjs [--root dist] [--port 8080] [--host 127.0.0.1] [--prefix /sub/path/]
//
// Serves `.wasm` as application/wasm (needed for WebAssembly.instantiateStreaming), sends
// `Cache-Control: no-store`, and with --prefix serves the app only under that sub-path. The
// app's page (every `index.html`) also gets the Content-Security-Policy of index.html's
// <meta> as a header, as a deployment should send it (the e2e tests check the two agree).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from './serve-static.mjs';

export { MIME_TYPES, mimeType } from './serve-static.mjs';

/** The app's Content-Security-Policy: the same text as the <meta> in index.html. */
export const APP_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*; object-src 'none'; base-uri 'self'; form-action 'none'";

/**
 * Serves `root` on http://host:port/prefix. Port 0 picks a free port. `csp` is the header sent
 * with index.html (default APP_CSP; a falsy value sends none).
 * Resolves to { url, port, close() }; `url` ends with the prefix (and a slash).
 */
export async function startStaticServer({ root = 'dist', host = '127.0.0.1', port = 0, prefix = '/', csp = APP_CSP } = {}) {
  if (!prefix.startsWith('/')) prefix = `/${prefix}`;
  if (!prefix.endsWith('/')) prefix = `${prefix}/`;
  const server = await serveStatic({ [prefix]: root }, { host, port, nosniff: true, csp });
  return { url: `${server.origin}${prefix}`, port: server.port, close: server.close };
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
