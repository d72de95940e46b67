//! "Export ▾ → HTML (self-contained)": one `.html` file that opens the loaded profile (and
//! traces) in Spanflame, with the view of the address's hash, offline and from `file://`.
//! The page is [`spanflame_core::export::html`]'s; this module fills it and opens it.
//!
//! - Keeping the files: [`copy`] keeps each file's bytes as a `Blob` before the decoder takes
//!   them (files over [`MAX_EMBEDDED_BYTES`] are only measured), [`keep`] files it as the
//!   profile or the traces once decoded.
//! - Writing the page ([`export`]): the app's own glue, wasm and style sheets (fetched from
//!   this page's origin, or taken from this page when it is itself an export), the kept files
//!   and the view. Base64 is made by the browser (`FileReader`) and the page is assembled as
//!   a `Blob` of JavaScript strings: none of it passes through wasm memory.
//! - Opening it ([`embedded`]): the files and the view the page holds. There is no worker
//!   script to start and no service worker to register, so files are decoded on the main
//!   thread ([`crate::decoder`] falls back to it when the page names no glue).

use std::cell::RefCell;

use js_sys::{JsString, Reflect, Uint8Array};
use leptos::prelude::GetUntracked;
use spanflame_core::export::html::{
    FILE_CLASS, GLUE_ID, MAX_EMBEDDED_BYTES, Page, VIEW_META, WASM_ID, check_size, page,
};
use spanflame_core::view_hash::ViewHash;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::decoder::Input;
use crate::loading::Opened;
use crate::state::AppState;

/// A file as it was read, kept for the export.
#[derive(Clone)]
pub struct Kept {
    /// Where it came from (its name, or URL), as the state's `source`.
    source: String,
    /// Its size in bytes.
    size: u64,
    /// Its bytes; `None` when over [`MAX_EMBEDDED_BYTES`].
    blob: Option<web_sys::Blob>,
}

thread_local! {
    /// The kept (profile, traces).
    static KEPT: RefCell<(Option<Kept>, Option<Kept>)> = const { RefCell::new((None, None)) };
}

/// Keep a copy of `input` (outside wasm memory) before it is handed to the decoder. A Blob
/// is kept as it is: it cannot change, so it needs no copy.
pub fn copy(source: &str, input: &Input) -> Kept {
    let size = input.len() as u64;
    let blob = (size <= MAX_EMBEDDED_BYTES)
        .then(|| match input {
            Input::Bytes(bytes) => {
                web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(bytes)).ok()
            }
            Input::Blob(blob) => Some(blob.clone()),
        })
        .flatten();
    Kept {
        source: source.to_owned(),
        size,
        blob,
    }
}

/// File `kept` as what it turned out to be.
pub fn keep(opened: Opened, kept: Kept) {
    KEPT.with(|k| {
        let mut k = k.borrow_mut();
        match opened {
            Opened::Profile => k.0 = Some(kept),
            Opened::Traces => k.1 = Some(kept),
        }
    });
}

/// Whether this page is an exported page (it holds the app itself).
pub fn is_exported_page() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(GLUE_ID))
        .is_some()
}

/// What an exported page holds: its files and its view.
pub struct Embedded {
    /// (name, bytes) of each file, profile first, as [`crate::loading::ingest`] takes them.
    pub files: Vec<(String, Result<Input, String>)>,
    /// The view it was exported with.
    pub view: ViewHash,
}

/// The files and view this page holds, if it is an exported page. The elements are
/// removed, so that their text can be freed once the files are open.
pub fn embedded() -> Option<Embedded> {
    let document = web_sys::window()?.document()?;
    let list = document
        .query_selector_all(&format!("script.{FILE_CLASS}"))
        .ok()?;
    if list.length() == 0 {
        return None;
    }
    let mut files = Vec::new();
    for node in (0..list.length()).filter_map(|i| list.get(i)) {
        let Ok(element) = node.dyn_into::<web_sys::Element>() else {
            continue;
        };
        let name = element.get_attribute("data-name").unwrap_or_default();
        let bytes = from_base64(&text_of(&element))
            .map_err(|e| format!("Could not read {name} from this page: {e:?}"));
        element.remove();
        files.push((name, bytes.map(Input::Bytes)));
    }
    let view = document
        .query_selector(&format!("meta[name=\"{VIEW_META}\"]"))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default();
    Some(Embedded {
        files,
        view: ViewHash::parse(&view),
    })
}

/// An element's text, left a JavaScript string.
fn text_of(element: &web_sys::Element) -> JsString {
    Reflect::get(element, &"textContent".into())
        .ok()
        .and_then(|t| t.dyn_into().ok())
        .unwrap_or_else(|| JsString::from(""))
}

/// `Uint8Array.fromBase64(text)`, or `atob` where the browser does not have it yet.
fn from_base64(text: &JsString) -> Result<Uint8Array, JsValue> {
    let constructor = Reflect::get(&js_sys::global(), &"Uint8Array".into())?;
    let from = Reflect::get(&constructor, &"fromBase64".into())?;
    if let Some(from) = from.dyn_ref::<js_sys::Function>() {
        return from.call1(&constructor, text)?.dyn_into();
    }
    let window = web_sys::window().ok_or("no window")?;
    let binary = window.atob(&String::from(text))?;
    let bytes: Vec<u8> = binary.chars().map(|c| c as u8).collect();
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// Write the page for what is open and save it as `<name>.html`.
pub async fn export(state: AppState, name: String) -> Result<(), String> {
    let profile = state.profile.get_untracked().ok_or("nothing is open")?;
    let traces = state.traces.get_untracked();
    let (kept_profile, kept_traces) = KEPT.with(|k| k.borrow().clone());
    let mut files = vec![pick(kept_profile, &profile.source)?];
    if let Some(traces) = &traces {
        files.push(pick(kept_traces, &traces.source)?);
    }
    check_size(files.iter().map(|f| f.size).sum())?;
    // Each is under the limit, so each was kept.
    let blobs: Vec<web_sys::Blob> = files.iter().filter_map(|f| f.blob.clone()).collect();
    let app = AppFiles::read().await?;
    let mut view = crate::view_hash::read();
    view.profile_url = None;
    view.trace_url = None;
    let view = view.format();
    let names: Vec<&str> = files.iter().map(|f| file_name(&f.source)).collect();
    let title = format!("{} · Spanflame", names[0]);
    let parts = page(&Page {
        title: &title,
        style: &app.style,
        view: &view,
        files: &names,
    });
    let mut payloads = vec![app.glue, app.wasm];
    for blob in &blobs {
        payloads.push(base64_of(blob).await?);
    }
    let sequence = js_sys::Array::new();
    for (i, part) in parts.iter().enumerate() {
        sequence.push(&JsValue::from_str(part));
        if let Some(payload) = payloads.get(i) {
            sequence.push(payload);
        }
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/html");
    let html = web_sys::Blob::new_with_str_sequence_and_options(&sequence, &options)
        .map_err(|e| format!("{e:?}"))?;
    crate::export_menu::save(&html, &name).map_err(|e| format!("{e:?}"))
}

/// The kept file for `source`, which is what is shown.
fn pick(kept: Option<Kept>, source: &str) -> Result<Kept, String> {
    kept.filter(|k| k.source == source)
        .ok_or_else(|| format!("{source} is no longer at hand; open it again"))
}

/// A source's file name, without its directories and query.
fn file_name(source: &str) -> &str {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    name.split(['?', '#']).next().unwrap_or(name)
}

/// The app itself, as the page needs it: the glue and the wasm in base64, the style sheets.
struct AppFiles {
    glue: JsString,
    wasm: JsString,
    style: String,
}

impl AppFiles {
    /// From the files this page was served with (`public/boot.js`'s tag names the glue and
    /// the wasm), or from this page's own elements when it is itself an export.
    async fn read() -> Result<AppFiles, String> {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let element = |selector: &str| document.query_selector(selector).ok().flatten();
        if let (Some(glue), Some(wasm), Some(style)) = (
            element(&format!("#{GLUE_ID}")),
            element(&format!("#{WASM_ID}")),
            element("style"),
        ) {
            return Ok(AppFiles {
                glue: text_of(&glue),
                wasm: text_of(&wasm),
                style: style.text_content().unwrap_or_default(),
            });
        }
        let boot = element("script[data-spanflame-js][data-spanflame-wasm]")
            .ok_or("this page does not say where the app's files are")?;
        let attribute = |name: &str| boot.get_attribute(name).unwrap_or_default();
        let glue = base64_of(&fetch_blob(&attribute("data-spanflame-js")).await?).await?;
        let wasm = base64_of(&fetch_blob(&attribute("data-spanflame-wasm")).await?).await?;
        let links = document
            .query_selector_all("link[rel=stylesheet]")
            .map_err(|e| format!("{e:?}"))?;
        let mut style = String::new();
        for node in (0..links.length()).filter_map(|i| links.get(i)) {
            let Some(href) = node
                .dyn_ref::<web_sys::Element>()
                .and_then(|e| e.get_attribute("href"))
            else {
                continue;
            };
            let text = JsFuture::from(fetch_blob(&href).await?.text())
                .await
                .map_err(|e| format!("could not read {href}: {e:?}"))?;
            style.push_str(&text.as_string().unwrap_or_default());
            style.push('\n');
        }
        Ok(AppFiles { glue, wasm, style })
    }
}

/// One of the app's own files (same origin, relative to the page).
async fn fetch_blob(url: &str) -> Result<web_sys::Blob, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("could not fetch {url}: {e}"))?;
    if !response.ok() {
        return Err(format!("could not fetch {url}: HTTP {}", response.status()));
    }
    let blob = web_sys::Response::from(response)
        .blob()
        .map_err(|e| format!("could not read {url}: {e:?}"))?;
    JsFuture::from(blob)
        .await
        .map(|b| b.unchecked_into())
        .map_err(|e| format!("could not read {url}: {e:?}"))
}

/// A blob's bytes in base64, made by the browser and left a JavaScript string.
async fn base64_of(blob: &web_sys::Blob) -> Result<JsString, String> {
    let reader = web_sys::FileReader::new().map_err(|e| format!("{e:?}"))?;
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        reader.set_onload(Some(&resolve));
        reader.set_onerror(Some(&reject));
    });
    reader
        .read_as_data_url(blob)
        .map_err(|e| format!("{e:?}"))?;
    JsFuture::from(done)
        .await
        .map_err(|_| "could not read a file back".to_owned())?;
    let url: JsString = reader
        .result()
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "could not read a file back".to_owned())?;
    // `data:<type>;base64,<data>`
    let comma = url.index_of(",", 0);
    Ok(url.slice(comma as u32 + 1, url.length()))
}
