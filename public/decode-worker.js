// Decodes one file off the page's main thread (app/src/decoder.rs has the whole exchange).
// The page sends {js, module}: the URL of the app's wasm-bindgen glue and the app's compiled
// WebAssembly.Module, so nothing is fetched or compiled twice. Then {input}: bytes
// (transferred) or a Blob, which the decoder reads piece by piece through its stream.
// Answers: {ready: true} | {failed} on start; the packed file | {error} | {failed} after.
// Before saying ready it warms the decoder up (app/src/decoder.rs, warm_up_worker).
let glue = null;

// A trap in the decoder (out of memory: wasm32 holds at most 4 GiB) escapes the awaited
// promise below, which then never settles: say so as a failure, as the catch would.
self.addEventListener('error', (event) => {
  event.preventDefault();
  self.postMessage({ failed: String(event.message) });
});

self.onmessage = async ({ data }) => {
  if (!glue) {
    try {
      const imported = await import(data.js);
      await imported.default({ module_or_path: data.module });
      imported.warm_up_worker();
      glue = imported;
      self.postMessage({ ready: true });
    } catch (e) {
      self.postMessage({ failed: String(e) });
    }
    return;
  }
  let result;
  try {
    result = await glue.decode_in_worker(data.input);
  } catch (e) {
    // The decoder itself broke (a bug): say so rather than take the page down with it.
    self.postMessage({ failed: String(e) });
    return;
  }
  const transfer = result.columns ? [result.meta.buffer, ...result.columns.map((c) => c.buffer)] : [];
  self.postMessage(result, transfer);
};
