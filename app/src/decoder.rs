//! Decoding files off the page's main thread, so that the page stays responsive while a big
//! profile is read (a million samples take about half a second to decode).
//!
//! Each file gets a fresh Web Worker running `public/decode-worker.js` (started by [`warm`]
//! while the file is still downloading or being read, where the caller can), which loads this very
//! wasm module (posted to it compiled, so nothing is downloaded or compiled twice) and calls
//! [`decode_in_worker`]. The exchange:
//!
//! 1. page → worker `{js, module}`: the URL of the app's wasm-bindgen glue and the module;
//!    worker → page `{ready: true}`, or `{failed}` if it could not start.
//! 2. page → worker `{input}`: bytes (transferred, not copied) or a Blob (a dropped file or a
//!    download, whose bytes stay with the browser until the worker reads them, piece by
//!    piece, through one reused buffer into its wasm memory; a binary OTLP profiles message
//!    one top-level field at a time, never whole); worker → page the packed result
//!    ([`spanflame_core::transfer`]) with its buffers transferred, or `{error}` for a file the
//!    core refused, or `{failed}` if the decoder itself broke.
//!
//! The worker is then terminated, which frees all of its memory: the input bytes and the
//! decoder's working tables never enter the page's wasm memory, which cannot shrink.
//! Where a worker cannot start (no tag naming the glue, as in unit tests, or a browser
//! without module workers), the file is decoded on the main thread instead.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use js_sys::{
    Array, BigInt64Array, BigUint64Array, Int32Array, Object, Reflect, Uint8Array, Uint16Array,
    Uint32Array,
};
use spanflame_core::formats::otlp::{TopField, TopLevel};
use spanflame_core::transfer::{Column, Packed, pack, unpack};
use spanflame_core::{Limits, Loaded};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::state::now;

/// The worker script, relative to the page (so any sub-path works).
const WORKER_URL: &str = "decode-worker.js";

/// A decoded file, and how it was decoded.
pub struct Decoded {
    /// The file, or the message for the user.
    pub result: Result<Loaded, String>,
    /// Whether a worker decoded it.
    pub in_worker: bool,
    /// How long this thread was busy with it, in ms (unpacking, or all of the decoding).
    pub main_thread_ms: f64,
    /// The worker's wasm memory at the end of the decode (its peak), in bytes; 0 without one.
    pub worker_memory: f64,
}

/// A file on its way to the decoder.
#[derive(Clone)]
pub enum Input {
    /// Bytes already in this thread's memory (a host page's message, an exported page's file).
    Bytes(Uint8Array),
    /// A dropped or picked file, or a download: the browser holds its bytes (on disk when they
    /// are many) and the worker reads them into its own memory. The page never holds a copy:
    /// on the 1 GB benchmark file that is a gigabyte less at the page's peak.
    Blob(web_sys::Blob),
}

impl Input {
    /// Size in bytes.
    pub fn len(&self) -> f64 {
        match self {
            Input::Bytes(b) => f64::from(b.length()),
            Input::Blob(b) => b.size(),
        }
    }
}

/// Decode `input` (a profile or traces), in a worker where one can start. The worker (the
/// spare from [`warm`], or a new one) is taken at the call, not when the future is awaited.
pub fn decode(input: Input) -> impl std::future::Future<Output = Decoded> {
    let starting = SPARE
        .with(|spare| spare.borrow_mut().take())
        .ok_or(())
        .or_else(|()| spawn());
    async move {
        if let Ok(worker) = start_worker(starting).await {
            return worker.decode(input).await;
        }
        let started = now();
        let result = decode_input(&input.into()).await;
        Decoded {
            result,
            in_worker: false,
            main_thread_ms: now() - started,
            worker_memory: 0.0,
        }
    }
}

thread_local! {
    /// A worker started ahead of a file, while the file downloads or is read from disk.
    static SPARE: RefCell<Option<Starting>> = const { RefCell::new(None) };
}

/// Start a worker now for a file on its way, so that it is up when the bytes arrive.
pub fn warm() {
    SPARE.with(|spare| {
        if spare.borrow().is_none() {
            *spare.borrow_mut() = spawn().ok();
        }
    });
}

impl From<Input> for JsValue {
    fn from(input: Input) -> JsValue {
        match input {
            Input::Bytes(bytes) => bytes.into(),
            Input::Blob(blob) => blob.into(),
        }
    }
}

/// Decode `input` (a `Uint8Array` or a `Blob`) on this thread, the worker's or, where no
/// worker starts, the page's: a binary OTLP profiles Blob a top-level field at a time, any
/// other input read whole.
async fn decode_input(input: &JsValue) -> Result<Loaded, String> {
    if let Some(blob) = input.dyn_ref::<web_sys::Blob>()
        && let Some(result) = decode_by_field(blob).await
    {
        return result;
    }
    let bytes = read_input(input).await?;
    spanflame_core::load(&bytes, &Limits::default()).map_err(|e| e.to_string())
}

/// Called in the worker by `decode-worker.js` before it says it is ready: runs the decoder,
/// the call tree and the layout over the bundled demo a number of times. V8 runs a wasm
/// function's first calls in baseline code and optimises it once it has run enough; a load
/// is a few long calls, so without this the real file would be read by baseline code. The
/// compiled module is shared with the page, so the page's call tree benefits too. On M this
/// took the page's call tree from ~154 to ~118 ms and the read from ~435 to ~392 ms
/// (BENCHMARKS.md); it runs while the file downloads.
#[wasm_bindgen]
pub fn warm_up_worker() {
    const DEMO: &[u8] = include_bytes!("../../public/demo/profile.binpb");
    for _ in 0..WARM_UP_ROUNDS {
        if let Ok(Loaded::Profiles(set)) = spanflame_core::load(DEMO, &Limits::default()) {
            let tree = set.call_tree(&spanflame_core::Filter::default());
            let _ = spanflame_core::FlameLayout::new(&tree);
            let _ = pack(Loaded::Profiles(set));
        }
    }
}

/// Rounds of [`warm_up_worker`]: 60 and 200 measured the same, so the cheaper.
const WARM_UP_ROUNDS: usize = 60;

/// Called in the worker by `decode-worker.js` with the input (a `Uint8Array` or a `Blob`):
/// decode, then pack the result for posting.
/// Resolves to `{meta: Uint8Array, columns: [typed arrays]}` or `{error: string}`.
#[wasm_bindgen]
pub async fn decode_in_worker(input: JsValue) -> JsValue {
    let result = decode_input(&input).await;
    let out = Object::new();
    match result {
        Err(message) => set(&out, "error", &message.into()),
        Ok(loaded) => {
            let Packed { meta, columns } = pack(loaded);
            set(&out, "meta", &Uint8Array::from(meta.as_slice()));
            let list = Array::new();
            for column in columns {
                list.push(&column_out(&column));
            }
            set(&out, "columns", &list);
        }
    }
    // The worker's memory at its peak (wasm memory never shrinks), for the load report.
    let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
    let bytes = memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length();
    set(&out, "memory", &f64::from(bytes).into());
    out.into()
}

/// One copy of `column` out of wasm memory, in a resizable buffer: the page shrinks it to
/// nothing once it has copied it in ([`receive`]), which gives its memory back at once. A
/// plain buffer's memory waits for the garbage collector, which on the 1 GB file kept all
/// 1.3 GB of columns beside the page's copy for seconds (BENCHMARKS.md).
fn column_out(column: &Column) -> JsValue {
    macro_rules! out {
        ($array:ty, $values:expr) => {{
            let bytes = std::mem::size_of_val($values.as_slice());
            let options = js_sys::ArrayBufferOptions::new(bytes);
            let array = <$array>::new(&js_sys::ArrayBuffer::new_with_options(bytes, &options));
            array.copy_from($values);
            array.into()
        }};
    }
    match column {
        Column::U32(v) => out!(Uint32Array, v),
        Column::U64(v) => out!(BigUint64Array, v),
        Column::I64(v) => out!(BigInt64Array, v),
        Column::I32(v) => out!(Int32Array, v),
        Column::U16(v) => out!(Uint16Array, v),
    }
}

/// The input's bytes in this thread's wasm memory. A file over the size limit is refused
/// before anything is copied.
async fn read_input(input: &JsValue) -> Result<Vec<u8>, String> {
    let limits = Limits::default();
    let check = |len: f64| {
        spanflame_core::formats::check_input_size(len as u64, &limits).map_err(|e| e.to_string())
    };
    if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        check(bytes.length().into())?;
        return Ok(bytes.to_vec());
    }
    let blob = input
        .dyn_ref::<web_sys::Blob>()
        .ok_or("the decoder was sent neither bytes nor a file")?;
    check(blob.size())?;
    let size = blob.size() as usize;
    BlobReader::new(blob)
        .read(0, size)
        .await
        .map_err(|e| format!("could not read the file: {e}"))
}

/// A binary OTLP profiles message decoded from its Blob a top-level field at a time (the
/// dictionary, then each `ResourceProfiles`), so that the worker never holds the whole file
/// beside the profile it is building: on the 1 GB benchmark file that is a gigabyte less at
/// the worker's peak. `None` when the Blob is not such a message (gzip, another format, a
/// truncated file, no dictionary): it is then read whole, as any other file.
async fn decode_by_field(blob: &web_sys::Blob) -> Option<Result<Loaded, String>> {
    let limits = Limits::default();
    if let Err(e) = spanflame_core::formats::check_input_size(blob.size() as u64, &limits) {
        return Some(Err(e.to_string()));
    }
    match BlobMessage::open(blob).await {
        Ok(Some(mut message)) => Some(
            spanflame_core::formats::load_otlp_profiles_from(&mut message, &limits)
                .await
                .map_err(|e| e.to_string()),
        ),
        Ok(None) => None,
        Err(e) => Some(Err(format!("could not read the file: {e}"))),
    }
}

/// A Blob holding a binary OTLP profiles message: its top-level fields, found by reading
/// only their headers, and a reader for their payloads.
struct BlobMessage {
    reader: BlobReader,
    fields: Vec<TopField>,
    /// Payloads read so far, by offset, for a file small enough to hold: each field is asked
    /// for twice (to tell the layout, then to decode), and reading it once is quicker.
    held: Option<HashMap<usize, Vec<u8>>>,
}

/// Files up to this size keep their fields once read ([`BlobMessage::held`]).
const HOLD_UP_TO: usize = 64 << 20;

/// More top-level fields than this and the file is read whole: a header read each would be
/// slow, and no producer writes so many.
const MAX_TOP_FIELDS: usize = 100_000;

impl BlobMessage {
    /// The top level of `blob`, if it is fields 1 and 2 only, tiling the file, with a
    /// dictionary (what [`spanflame_core::formats::otlp::sniff_binary`] calls profiles).
    async fn open(blob: &web_sys::Blob) -> Result<Option<BlobMessage>, String> {
        let mut reader = BlobReader::new(blob);
        let size = blob.size() as usize;
        let mut fields = Vec::new();
        let mut at = 0;
        while at < size {
            let head = reader.read(at, size.min(at + TopField::MAX_HEADER)).await?;
            let Some(field) = TopField::read_header(&head, at) else {
                return Ok(None);
            };
            match field.start.checked_add(field.len) {
                Some(end) if end <= size && matches!(field.number, 1 | 2) => at = end,
                _ => return Ok(None),
            }
            fields.push(field);
            if fields.len() > MAX_TOP_FIELDS {
                return Ok(None);
            }
        }
        Ok(fields.iter().any(|f| f.number == 2).then(|| BlobMessage {
            reader,
            fields,
            held: (size <= HOLD_UP_TO).then(HashMap::new),
        }))
    }
}

/// Bytes of field `f`, read off the Blob.
async fn read_field(reader: &mut BlobReader, f: &TopField) -> spanflame_core::Result<Vec<u8>> {
    reader.read(f.start, f.start + f.len).await.map_err(|e| {
        spanflame_core::Error::malformed(
            spanflame_core::Format::OtlpProfilesBinary,
            spanflame_core::At::Byte(f.start as u64),
            format!("could not read the file here: {e}"),
        )
    })
}

impl TopLevel for BlobMessage {
    fn fields(&self) -> &[TopField] {
        &self.fields
    }

    fn error(&self) -> Option<(usize, &'static str)> {
        None
    }

    async fn payload(&mut self, f: &TopField) -> spanflame_core::Result<Cow<'_, [u8]>> {
        let BlobMessage { reader, held, .. } = self;
        let Some(held) = held else {
            return read_field(reader, f).await.map(Cow::Owned);
        };
        let bytes = match held.entry(f.start) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(read_field(reader, f).await?),
        };
        Ok(Cow::Borrowed(bytes))
    }
}

/// Bytes read off a Blob per step, into one buffer that every read reuses.
const BLOB_PIECE: u32 = 4 << 20;

/// Reads byte ranges of a Blob into wasm memory through the Blob's byte stream, into one
/// reused buffer, so that reading leaves no garbage behind. `FileReaderSync`, used before,
/// made a new buffer per read, and the garbage collector seldom ran: reading the 1 GB file
/// field by field (each field twice) left about 1 GB of them in the worker at its peak
/// (BENCHMARKS.md). Where a browser cannot read a Blob's stream so, each range is read with
/// `Blob.arrayBuffer()`.
struct BlobReader {
    blob: web_sys::Blob,
    /// The reused buffer, between reads.
    spare: Option<js_sys::ArrayBuffer>,
}

impl BlobReader {
    fn new(blob: &web_sys::Blob) -> BlobReader {
        BlobReader {
            blob: blob.clone(),
            spare: None,
        }
    }

    /// Bytes `from..to` of the Blob, or what went wrong, for the user.
    async fn read(&mut self, from: usize, to: usize) -> Result<Vec<u8>, String> {
        let len = to.saturating_sub(from);
        let mut out = Vec::with_capacity(len);
        let slice = (self.blob)
            .slice_with_f64_and_f64(from as f64, to as f64)
            .map_err(js_text)?;
        match web_sys::ReadableStreamByobReader::new(&slice.stream()) {
            Ok(reader) => {
                let filled = self.fill(&reader, &mut out, len).await;
                reader.release_lock();
                filled?;
            }
            // No byte stream here: a piece at a time with `Blob.arrayBuffer()`.
            Err(_) => {
                while out.len() < len {
                    let at = from + out.len();
                    let end = to.min(at + BLOB_PIECE as usize);
                    let piece = (self.blob)
                        .slice_with_f64_and_f64(at as f64, end as f64)
                        .map_err(js_text)?;
                    let buffer = JsFuture::from(piece.array_buffer())
                        .await
                        .map_err(js_text)?;
                    let bytes = Uint8Array::new(&buffer);
                    if bytes.length() == 0 {
                        break;
                    }
                    append(&mut out, &bytes, len)?;
                }
            }
        }
        if out.len() != len {
            return Err(CHANGED.to_owned());
        }
        Ok(out)
    }

    /// Read from `reader` into `out` until it holds `len` bytes or the stream ends.
    async fn fill(
        &mut self,
        reader: &web_sys::ReadableStreamByobReader,
        out: &mut Vec<u8>,
        len: usize,
    ) -> Result<(), String> {
        while out.len() < len {
            let buffer =
                (self.spare.take()).unwrap_or_else(|| js_sys::ArrayBuffer::new(BLOB_PIECE));
            // The read takes the buffer and hands it back, filled, in its result's view.
            let result =
                JsFuture::from(reader.read_with_array_buffer_view(&Uint8Array::new(&buffer)))
                    .await
                    .map_err(js_text)?;
            let Ok(view) = get(&result, "value").dyn_into::<Uint8Array>() else {
                break;
            };
            self.spare = Some(view.buffer());
            append(out, &view, len)?;
            if get(&result, "done").is_truthy() {
                break;
            }
        }
        Ok(())
    }
}

/// What a read says when the file is not what it was when opened.
const CHANGED: &str = "the file changed while it was read";

/// Append `bytes` to `out`, which is to hold `len` bytes at most.
fn append(out: &mut Vec<u8>, bytes: &Uint8Array, len: usize) -> Result<(), String> {
    let at = out.len();
    let end = at + bytes.length() as usize;
    if end > len {
        return Err(CHANGED.to_owned());
    }
    out.resize(end, 0);
    bytes.copy_to(&mut out[at..]);
    Ok(())
}

/// A JS exception as text.
fn js_text(error: JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A started worker, terminated when dropped.
struct DecodeWorker(web_sys::Worker);

impl Drop for DecodeWorker {
    fn drop(&mut self) {
        self.0.terminate();
    }
}

/// A worker on its way up: `ready` settles with its first answer.
struct Starting {
    worker: DecodeWorker,
    ready: js_sys::Promise,
}

/// Create a worker and send it the module; it answers `{ready}` once the module runs.
fn spawn() -> Result<Starting, ()> {
    let glue = glue_url().ok_or(())?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(WORKER_URL, &options)
        .map(DecodeWorker)
        .map_err(|_| ())?;
    let hello = Object::new();
    set(&hello, "js", &glue.into());
    set(&hello, "module", &wasm_bindgen::module());
    let ready = worker.post(&hello, None).map_err(|_| ())?;
    Ok(Starting { worker, ready })
}

/// The worker, once its module runs.
async fn start_worker(starting: Result<Starting, ()>) -> Result<DecodeWorker, ()> {
    let starting = starting?;
    let reply = starting
        .worker
        .reply(starting.ready)
        .await
        .map_err(|_| ())?;
    if get(&reply, "ready").is_truthy() {
        Ok(starting.worker)
    } else {
        Err(())
    }
}

impl DecodeWorker {
    async fn decode(self, input: Input) -> Decoded {
        let done = |result, main_thread_ms, worker_memory| Decoded {
            result,
            in_worker: true,
            main_thread_ms,
            worker_memory,
        };
        let message = Object::new();
        let transfer = match &input {
            Input::Bytes(bytes) => {
                set(&message, "input", bytes);
                Some(bytes.buffer())
            }
            // A Blob is posted by reference: nothing is copied.
            Input::Blob(blob) => {
                set(&message, "input", blob);
                None
            }
        };
        let reply = match self.post(&message, transfer.as_ref()) {
            Ok(promise) => self.reply(promise).await,
            Err(error) => Err(error),
        };
        // The reply's buffers are this thread's now: free the worker's memory before the
        // columns are copied into ours, so that the two never add up.
        drop(self);
        let reply = match reply {
            Ok(reply) => reply,
            Err(event) => return done(Err(broke(&event)), 0.0, 0.0),
        };
        if let Some(error) = get(&reply, "error").as_string() {
            return done(Err(error), 0.0, 0.0);
        }
        if let Some(failed) = get(&reply, "failed").as_string() {
            // A trap: out of memory (wasm32 holds at most 4 GiB), or a bug.
            return done(
                Err(format!(
                    "the decoder stopped (out of memory, or a bug): {failed}"
                )),
                0.0,
                0.0,
            );
        }
        let memory = get(&reply, "memory").as_f64().unwrap_or(0.0);
        let started = now();
        let result = unpack_reply(&reply);
        done(result, now() - started, memory)
    }

    /// Post `message` (moving `transfer`); the promise settles with the worker's answer, or
    /// rejects with its error event.
    fn post(
        &self,
        message: &JsValue,
        transfer: Option<&js_sys::ArrayBuffer>,
    ) -> Result<js_sys::Promise, JsValue> {
        let worker = &self.0;
        let reply = js_sys::Promise::new(&mut |resolve, reject| {
            let on_message = Closure::once_into_js(move |event: web_sys::MessageEvent| {
                let _ = resolve.call1(&JsValue::NULL, &event.data());
            });
            let on_error = Closure::once_into_js(move |event: JsValue| {
                let _ = reject.call1(&JsValue::NULL, &event);
            });
            worker.set_onmessage(Some(on_message.unchecked_ref()));
            worker.set_onerror(Some(on_error.unchecked_ref()));
        });
        match transfer {
            Some(buffer) => worker.post_message_with_transfer(message, &Array::of1(buffer))?,
            None => worker.post_message(message)?,
        }
        Ok(reply)
    }

    /// Wait for the answer `post` promised.
    async fn reply(&self, promise: js_sys::Promise) -> Result<JsValue, JsValue> {
        let result = JsFuture::from(promise).await;
        self.0.set_onmessage(None);
        self.0.set_onerror(None);
        result
    }
}

/// The message for a worker that died while decoding.
fn broke(event: &JsValue) -> String {
    let detail = event
        .dyn_ref::<web_sys::ErrorEvent>()
        .map(|e| e.message())
        .unwrap_or_else(|| "it stopped".to_owned());
    format!("the decoder failed: {detail}")
}

/// The file in a worker's reply (what [`decode_in_worker`] resolves to, without an error).
pub fn unpack_reply(reply: &JsValue) -> Result<Loaded, String> {
    receive(reply).and_then(|packed| unpack(packed).map_err(|e| e.to_string()))
}

/// The packed file out of the worker's reply: one copy of each column into wasm memory.
fn receive(reply: &JsValue) -> Result<Packed, String> {
    let damaged = || "the decoder's answer is damaged".to_owned();
    let meta = get(reply, "meta")
        .dyn_into::<Uint8Array>()
        .map_err(|_| damaged())?
        .to_vec();
    let list = get(reply, "columns")
        .dyn_into::<Array>()
        .map_err(|_| damaged())?;
    let mut columns = Vec::with_capacity(list.length() as usize);
    for value in list.iter() {
        let column = if let Some(a) = value.dyn_ref::<Uint32Array>() {
            let mut v = vec![0; a.length() as usize];
            a.copy_to(&mut v);
            Column::U32(v)
        } else if let Some(a) = value.dyn_ref::<BigUint64Array>() {
            let mut v = vec![0; a.length() as usize];
            a.copy_to(&mut v);
            Column::U64(v)
        } else if let Some(a) = value.dyn_ref::<BigInt64Array>() {
            let mut v = vec![0; a.length() as usize];
            a.copy_to(&mut v);
            Column::I64(v)
        } else if let Some(a) = value.dyn_ref::<Int32Array>() {
            let mut v = vec![0; a.length() as usize];
            a.copy_to(&mut v);
            Column::I32(v)
        } else if let Some(a) = value.dyn_ref::<Uint16Array>() {
            Column::U16(a.to_vec())
        } else {
            return Err(damaged());
        };
        columns.push(column);
        // Give the column's memory back now (see `column_out`); a plain buffer (a browser
        // without resizable ones) is left to the collector.
        if let Ok(buffer) = get(&value, "buffer").dyn_into::<js_sys::ArrayBuffer>()
            && buffer.resizable()
        {
            let _ = buffer.resize(0);
        }
    }
    Ok(Packed { meta, columns })
}

/// The glue's URL, from the tag `public/boot.js` started the app with.
fn glue_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let tag = document
        .query_selector("script[data-spanflame-js]")
        .ok()??;
    let src = tag.get_attribute("data-spanflame-js")?;
    let base = document.base_uri().ok()??;
    web_sys::Url::new_with_base(&src, &base)
        .ok()
        .map(|u| u.href())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::{BLOB_PIECE, BlobReader};

    wasm_bindgen_test_configure!(run_in_browser);

    /// Ranges of a Blob over several pieces read whole and exactly, through the stream and
    /// its one reused buffer; an empty range reads nothing.
    #[wasm_bindgen_test]
    async fn blob_ranges_read_through_one_reused_buffer() {
        let bytes: Vec<u8> = (0..(BLOB_PIECE as usize * 2 + 12_345))
            .map(|i| (i % 251) as u8)
            .collect();
        let array = js_sys::Uint8Array::from(bytes.as_slice());
        let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&array)).unwrap();
        let mut reader = BlobReader::new(&blob);
        assert_eq!(reader.read(0, bytes.len()).await.unwrap(), bytes);
        let spare = reader.spare.clone().expect("the stream's buffer is kept");
        assert_eq!(reader.read(7, 7 + 1000).await.unwrap(), bytes[7..1007]);
        assert_eq!(reader.read(5, 5).await.unwrap(), Vec::<u8>::new());
        // One buffer's memory throughout: each read hands it on (the object before is then
        // detached) and gets it back whole.
        let now = reader.spare.as_ref().expect("the buffer is kept");
        assert_eq!(now.byte_length(), BLOB_PIECE);
        assert!(
            spare.detached(),
            "the first buffer was handed to the next read"
        );
        let error = reader
            .read(bytes.len() - 10, bytes.len() + 10)
            .await
            .unwrap_err();
        assert!(error.contains("changed"), "{error}");
    }
}
