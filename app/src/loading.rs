//! Getting files in: drag and drop anywhere on the page, the file picker,
//! `#profileURL=<url>&traceURL=<url>` in the address (as speedscope does), the bundled demo,
//! and the files an exported page holds ([`crate::export_html`]). What a file holds is
//! decided by its content ([`spanflame_core::load`]), not by its name or by which slot it
//! came through. Files are read in the page: nothing is uploaded, and the only requests are
//! the demo and the URLs the user put in the address. The rest of the hash (span, sample
//! type, search, zoom) is applied once the files are in ([`crate::view_hash`]).

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use spanflame_core::Loaded;
use spanflame_core::view_hash::ViewHash;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::decoder::Input;
use crate::state::{AppState, LoadedProfile, LoadedTraces, Timings, now};
use crate::view_hash;

/// The demo profile, relative to the page (so it works under any sub-path).
pub const DEMO_PROFILE_URL: &str = "demo/profile.binpb";
/// The demo's traces.
pub const DEMO_TRACES_URL: &str = "demo/traces.json";

/// URLs named in the page's hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashParams {
    /// `profileURL`.
    pub profile_url: Option<String>,
    /// `traceURL`.
    pub trace_url: Option<String>,
}

impl HashParams {
    /// Parse `#profileURL=...&traceURL=...` (values URI-encoded, as speedscope writes them).
    /// The rest of the hash is the view ([`crate::view_hash`]).
    pub fn parse(hash: &str) -> HashParams {
        let view = ViewHash::parse(hash);
        HashParams {
            profile_url: view.profile_url,
            trace_url: view.trace_url,
        }
    }

    /// The URLs to fetch, profile first.
    pub fn urls(&self) -> Vec<String> {
        self.profile_url
            .iter()
            .chain(self.trace_url.iter())
            .cloned()
            .collect()
    }
}

/// Where files came from; it decides what the address's hash says about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// URLs from the hash: written back as `profileURL`/`traceURL`.
    Url,
    /// Local files, the demo or a host page: a reload cannot fetch them again.
    Local,
}

/// What a file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// A profile, now shown.
    Profile,
    /// Traces, now loaded.
    Traces,
}

/// On start: the URLs in the hash if there are any, else the demo when `demo` says so (the
/// caller says not in embed mode, where the host page sends the files: loading knows nothing
/// of embedding); then the view the hash describes. A later hash change loads the URLs that
/// changed and shows the view it describes.
pub fn start(state: AppState, demo: bool) {
    let hash = view_hash::read();
    let diff = use_context::<crate::diff::DiffState>();
    let page = crate::export_html::embedded();
    spawn_local(async move {
        if let Some(page) = page {
            // An exported page: its own files, its view unless the address names one (after
            // a reload), and no service worker (there is nothing to serve from `file://`).
            ingest(state, page.files, Origin::Local).await;
            let hash = if hash == ViewHash::default() {
                page.view
            } else {
                hash
            };
            view_hash::apply(state, &hash);
            // A comparison within its own data (same-name spans, a pinned selection) comes
            // back too; a baseline URL cannot be fetched from such a page.
            let local = ViewHash {
                baseline_url: None,
                ..hash
            };
            crate::diff::follow_hash(state, diff, &local).await;
            view_hash::mark_ready();
            return;
        }
        let urls = HashParams {
            profile_url: hash.profile_url.clone(),
            trace_url: hash.trace_url.clone(),
        }
        .urls();
        if !urls.is_empty() {
            load_urls(state, urls).await;
        } else if demo {
            load_demo(state).await;
        }
        view_hash::apply(state, &hash);
        crate::diff::follow_hash(state, diff, &hash).await;
        view_hash::mark_ready();
        crate::offline::register();
    });
    let listener = window_event_listener(ev::hashchange, move |_| {
        let hash = view_hash::read();
        // The URLs the open files came from: only new ones are fetched.
        let (profile_now, trace_now) = view_hash::sources()
            .map(|s| (s.profile_url.get_untracked(), s.trace_url.get_untracked()))
            .unwrap_or_default();
        let urls = HashParams {
            profile_url: hash
                .profile_url
                .clone()
                .filter(|u| profile_now.as_ref() != Some(u)),
            trace_url: hash
                .trace_url
                .clone()
                .filter(|u| trace_now.as_ref() != Some(u)),
        }
        .urls();
        spawn_local(async move {
            if !urls.is_empty() {
                load_urls(state, urls).await;
            }
            view_hash::apply(state, &hash);
            crate::diff::follow_hash(state, diff, &hash).await;
        });
    });
    on_cleanup(move || listener.remove());
}

/// Load the bundled demo: a profile and the traces its samples link to. They are kept for
/// offline use ([`crate::offline::remember`]), as the page fetched them anyway.
pub async fn load_demo(state: AppState) {
    let urls = [DEMO_PROFILE_URL, DEMO_TRACES_URL];
    crate::decoder::warm();
    state
        .busy
        .set(Some(format!("Loading {}…", urls.join(" and "))));
    let mut items = Vec::new();
    for url in urls {
        let bytes = fetch_bytes(url).await;
        if let Ok(bytes) = &bytes {
            crate::offline::remember(url, bytes);
        }
        items.push((url.to_owned(), bytes.map(Input::Bytes)));
    }
    ingest(state, items, Origin::Local).await;
}

/// Fetch each URL and open what it holds.
pub async fn load_urls(state: AppState, urls: Vec<String>) {
    crate::decoder::warm();
    state
        .busy
        .set(Some(format!("Loading {}…", urls.join(" and "))));
    let mut items = Vec::new();
    for url in urls {
        let file = fetch_file(&url).await;
        items.push((url, file));
    }
    ingest(state, items, Origin::Url).await;
}

/// Read local files and open what they hold.
pub async fn open_files(state: AppState, files: Vec<web_sys::File>) {
    if files.is_empty() {
        return;
    }
    crate::decoder::warm();
    let names: Vec<String> = files.iter().map(|f| f.name()).collect();
    state
        .busy
        .set(Some(format!("Reading {}…", names.join(", "))));
    // A File is a Blob: the decoder reads it, nothing is copied here.
    let items = files
        .into_iter()
        .map(|file| (file.name(), Ok(Input::Blob(file.into()))))
        .collect();
    ingest(state, items, Origin::Local).await;
}

/// Decode each file with the core ([`crate::decoder`], off the main thread) and show it;
/// collect every problem in one message. A file that fails changes nothing on screen.
/// Returns what each file turned out to be.
pub async fn ingest(
    state: AppState,
    items: Vec<(String, Result<Input, String>)>,
    origin: Origin,
) -> Vec<Result<Opened, String>> {
    let mut errors = Vec::new();
    let mut outcomes = Vec::new();
    let mut profiles = 0;
    let count = items.len();
    for (i, (source, input)) in items.into_iter().enumerate() {
        let input = match input {
            Ok(input) => input,
            Err(message) => {
                errors.push(message.clone());
                outcomes.push(Err(message));
                continue;
            }
        };
        state.busy.set(Some(format!(
            "Reading {source} ({})…",
            spanflame_core::units::format_value(input.len() as i64, "bytes")
        )));
        let started = now();
        let url = (origin == Origin::Url).then(|| source.clone());
        let kept = crate::export_html::copy(&source, &input);
        let decoding = crate::decoder::decode(input);
        if i + 1 < count {
            // The next file's worker starts while this one decodes.
            crate::decoder::warm();
        }
        let decoded = decoding.await;
        let parse = now() - started;
        // Let input and other tasks in between receiving the file and building its graph,
        // so that the two are not one long freeze.
        yield_now().await;
        match decoded.result {
            Ok(Loaded::Profiles(set)) => {
                profiles += 1;
                if profiles > 1
                    && let Some(diff) = crate::diff::DiffState::installed()
                {
                    // Two profiles at once: the one before is this one's baseline.
                    diff.baseline_from_shown(state);
                }
                state.timings.set(Timings {
                    started,
                    parse,
                    parse_main: decoded.main_thread_ms,
                    in_worker: decoded.in_worker,
                    worker_memory: decoded.worker_memory,
                    ..Timings::default()
                });
                if let Some(diff) = crate::diff::DiffState::installed() {
                    diff.profile_replaced();
                }
                state.set_profile(LoadedProfile { set, source });
                view_hash::set_profile_url(url);
                crate::export_html::keep(Opened::Profile, kept);
                outcomes.push(Ok(Opened::Profile));
            }
            Ok(Loaded::Traces(set)) => {
                state.set_traces(LoadedTraces { set, source });
                view_hash::set_trace_url(url);
                crate::export_html::keep(Opened::Traces, kept);
                outcomes.push(Ok(Opened::Traces));
            }
            Err(error) => {
                let message = format!("Could not read {source}: {error}");
                errors.push(message.clone());
                outcomes.push(Err(message));
            }
        }
    }
    state.busy.set(None);
    state
        .error
        .set((!errors.is_empty()).then(|| errors.join("\n")));
    outcomes
}

/// Resolves in a later task (a zero timeout), after what is queued: input, messages.
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(
            move || {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            },
            std::time::Duration::ZERO,
        )
    });
    let _ = JsFuture::from(promise).await;
}

/// Fetches `url` (relative to the page) as a Blob: the browser keeps its bytes, and the
/// decoder's worker reads them ([`Input::Blob`]).
pub async fn fetch_file(url: &str) -> Result<Input, String> {
    fetch_body(url, web_sys::Response::blob)
        .await
        .map(|blob| Input::Blob(blob.unchecked_into()))
}

/// Fetches `url` (relative to the page) and returns its bytes, kept out of wasm memory.
pub async fn fetch_bytes(url: &str) -> Result<js_sys::Uint8Array, String> {
    fetch_body(url, web_sys::Response::array_buffer)
        .await
        .map(|buffer| js_sys::Uint8Array::new(&buffer))
}

/// The body of a GET of `url`, read by `read` (`blob`, `array_buffer`).
async fn fetch_body(
    url: &str,
    read: fn(&web_sys::Response) -> Result<js_sys::Promise, wasm_bindgen::JsValue>,
) -> Result<wasm_bindgen::JsValue, String> {
    let body = read(&fetch(url).await?).map_err(|e| format!("Could not read {url}: {e:?}"))?;
    JsFuture::from(body)
        .await
        .map_err(|e| format!("Could not read {url}: {e:?}"))
}

/// The response to a GET of `url`, if it succeeded.
async fn fetch(url: &str) -> Result<web_sys::Response, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("Could not fetch {url}: {e}"))?;
    if !response.ok() {
        return Err(format!(
            "Could not fetch {url}: HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    Ok(web_sys::Response::from(response))
}

fn dropped_files(event: &web_sys::DragEvent) -> Vec<web_sys::File> {
    let Some(list) = event.data_transfer().and_then(|dt| dt.files()) else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

fn has_files(event: &web_sys::DragEvent) -> bool {
    event
        .data_transfer()
        .is_some_and(|dt| dt.types().includes(&"Files".into(), 0))
}

/// Drop files anywhere on the page: window listeners, and an overlay while dragging.
#[component]
pub fn DropZone() -> impl IntoView {
    let state = expect_context::<AppState>();
    let over = RwSignal::new(false);
    // dragenter/dragleave fire for every child crossed; count to know when the drag left.
    let depth = StoredValue::new(0i32);
    let handles = [
        window_event_listener(ev::dragenter, move |e| {
            if has_files(&e) {
                e.prevent_default();
                depth.update_value(|d| *d += 1);
                over.set(true);
            }
        }),
        window_event_listener(ev::dragover, move |e| {
            if has_files(&e) {
                e.prevent_default();
                if let Some(dt) = e.data_transfer() {
                    dt.set_drop_effect("copy");
                }
            }
        }),
        window_event_listener(ev::dragleave, move |_| {
            depth.update_value(|d| *d -= 1);
            if depth.get_value() <= 0 {
                depth.set_value(0);
                over.set(false);
            }
        }),
        window_event_listener(ev::drop, move |e| {
            e.prevent_default();
            depth.set_value(0);
            over.set(false);
            let files = dropped_files(&e);
            spawn_local(open_files(state, files));
        }),
    ];
    on_cleanup(move || handles.into_iter().for_each(|h| h.remove()));
    view! {
        <Show when=move || over.get()>
            <div id="drop-overlay" aria-hidden="true">
                <p>
                    "Drop profiles and traces to open them"
                    <span>"They are read in this page; nothing is uploaded."</span>
                </p>
            </div>
        </Show>
    }
}

/// "Open files…" (a file picker for profiles and traces, several at once) and "Demo" (not in
/// an exported page).
#[component]
pub fn OpenButtons() -> impl IntoView {
    let state = expect_context::<AppState>();
    let input: NodeRef<html::Input> = NodeRef::new();
    let on_change = move |_| {
        let Some(el) = input.get() else { return };
        let files: Vec<web_sys::File> = el
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        // Clear, so choosing the same file again fires `change` again.
        el.set_value("");
        spawn_local(open_files(state, files));
    };
    view! {
        <div class="open">
            <button
                id="open-file"
                type="button"
                on:click=move |_| {
                    if let Some(el) = input.get() {
                        el.unchecked_ref::<web_sys::HtmlElement>().click();
                    }
                }
            >
                "Open files…"
            </button>
            <input
                id="file-input"
                type="file"
                multiple
                class="visually-hidden"
                tabindex="-1"
                aria-hidden="true"
                node_ref=input
                on:change=on_change
            />
            // An exported page has no demo to fetch (and may fetch nothing).
            {(!crate::export_html::is_exported_page())
                .then(|| {
                    view! {
                        <button
                            id="load-demo"
                            type="button"
                            on:click=move |_| spawn_local(load_demo(state))
                        >
                            "Demo"
                        </button>
                    }
                })}
        </div>
    }
}
