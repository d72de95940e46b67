// The worker side of tests/bench/buffer-memory/page.js.
const PIECE = 16 << 20;
const COLUMNS = 6;
const COLUMN = 240 << 20;

self.onmessage = async ({ data: { what, how, blob } }) => {
  if (what === 'read') {
    const started = performance.now();
    const into = new Uint8Array(PIECE); // where the decoder's copy would go
    if (how === 'stream') {
      // One buffer, handed to each read and back.
      const reader = blob.stream().getReader({ mode: 'byob' });
      let buffer = new ArrayBuffer(PIECE);
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(buffer));
        if (done) break;
        into.set(value);
        buffer = value.buffer;
      }
    } else {
      const reader = new FileReaderSync();
      for (let at = 0; at < blob.size; at += PIECE) {
        const piece = reader.readAsArrayBuffer(blob.slice(at, at + PIECE));
        into.set(new Uint8Array(piece));
        if (how === 'filereader-transfer') piece.transfer(0);
      }
    }
    const ms = performance.now() - started;
    // Stay a while, so that the sampler sees what is left once the reading is done.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    self.postMessage({ read: blob.size, ms });
  } else {
    const columns = [];
    for (let i = 0; i < COLUMNS; i += 1) {
      const buffer = how === 'resize' ? new ArrayBuffer(COLUMN, { maxByteLength: COLUMN }) : new ArrayBuffer(COLUMN);
      new Uint8Array(buffer).fill(i + 1);
      columns.push(buffer);
    }
    self.postMessage({ columns }, columns);
  }
};
