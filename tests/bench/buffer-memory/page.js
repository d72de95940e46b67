// One case of tests/bench/buffer-memory.mjs, named in the address: ?case=read-filereader etc.
// Sets window.phase as it goes ('done' at the end) and window.result.
const kase = new URLSearchParams(location.search).get('case');
const [what, how] = kase.split(/-(.*)/s);
const worker = new Worker('worker.js');
const ask = (message, transfer = []) =>
  new Promise((resolve) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.postMessage(message, transfer);
  });
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
window.phase = 'start';

if (what === 'read') {
  // The worker reads a downloaded Blob, as the decode worker reads a file.
  const blob = await (await fetch(new URLSearchParams(location.search).get('file'))).blob();
  window.phase = 'reading';
  window.result = await ask({ what, how, blob });
} else {
  // The worker hands back 1.4 GB of columns; the page copies them into wasm memory.
  const reply = await ask({ what, how });
  worker.terminate();
  window.phase = 'copying';
  const memory = new WebAssembly.Memory({ initial: 1 });
  let at = 0;
  for (const column of reply.columns) {
    const grow = at + column.byteLength - memory.buffer.byteLength;
    if (grow > 0) memory.grow(Math.ceil(grow / 65536));
    new Uint8Array(memory.buffer, at, column.byteLength).set(new Uint8Array(column));
    at += column.byteLength;
    if (how === 'transfer') column.transfer(0);
    if (how === 'resize') column.resize(0);
  }
  reply.columns = null;
  window.phase = 'copied';
  await pause(3000);
  window.result = { copied: at };
}
window.phase = 'done';
