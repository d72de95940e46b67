//! Working offline: the service worker (`public/sw.js`, copied to `dist/sw.js` and
//! versioned by `scripts/trunk-post-build.sh`) keeps the app shell, and the files the page
//! fetched by itself (the demo) are kept in [`DATA_CACHE`] so a reload without a network
//! shows them again. Dropped and picked files never touch the network.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The cache of files the page fetched by itself. The service worker answers from it when
/// the network fails and keeps it across releases (it is only a fallback); see `public/sw.js`.
pub const DATA_CACHE: &str = "spanflame-data";

/// The service worker script, relative to the page so that any sub-path works (its scope
/// is then the page's directory).
pub const SERVICE_WORKER_URL: &str = "sw.js";

fn has(target: &wasm_bindgen::JsValue, name: &str) -> bool {
    js_sys::Reflect::has(target, &name.into()).unwrap_or(false)
}

/// Register the service worker, where the browser has them (secure contexts: https and
/// localhost). A failure is a warning, not an error: the app works without it.
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !has(&navigator, "serviceWorker") {
        return;
    }
    let promise = navigator.service_worker().register(SERVICE_WORKER_URL);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = JsFuture::from(promise).await {
            leptos::logging::warn!("Spanflame works without offline support here: {e:?}");
        }
    });
}

/// Keep `body` as the response for `url` (relative to the page), so that the service worker
/// can answer for it offline. Best effort: failures are ignored. The response copies the
/// bytes now, so the caller may hand them on (to the decoder, which takes them).
pub fn remember(url: &str, body: &js_sys::Uint8Array) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if !has(&window, "caches") {
        return;
    }
    let Ok(response) = web_sys::Response::new_with_opt_buffer_source(Some(body)) else {
        return;
    };
    let url = url.to_owned();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(caches) = window.caches() else { return };
        let Ok(cache) = JsFuture::from(caches.open(DATA_CACHE)).await else {
            return;
        };
        let cache: web_sys::Cache = cache.unchecked_into();
        let _ = JsFuture::from(cache.put_with_str(&url, &response)).await;
    });
}
