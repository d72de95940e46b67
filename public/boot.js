// Starts Spanflame without an inline script, so that the page's Content-Security-Policy
// can say `script-src 'self' 'wasm-unsafe-eval'` with no 'unsafe-inline' and no hashes.
//
// Trunk.toml's `pattern_script` makes Trunk emit, in place of its inline loader:
//   <script type="module" src="./boot.js" data-spanflame-js="./<app>-<hash>.js"
//           data-spanflame-wasm="./<app>-<hash>_bg.wasm"></script>
// The hashed names come from the tag; URLs resolve against the page, so any sub-path works.
const tag = document.querySelector('script[data-spanflame-js][data-spanflame-wasm]');
if (!tag) throw new Error('Spanflame: boot.js needs its <script data-spanflame-js data-spanflame-wasm> tag');
const js = new URL(tag.dataset.spanflameJs, document.baseURI).href;
const wasmUrl = new URL(tag.dataset.spanflameWasm, document.baseURI).href;
const { default: init } = await import(js);
const wasm = await init({ module_or_path: wasmUrl });
// What Trunk's own loader announces, for anything that waits for it.
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
