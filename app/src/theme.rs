//! Light and dark themes: follow `prefers-color-scheme` unless the user (or an embedding
//! page, later) forces one through [`AppState::theme_override`]. The effective theme is
//! written to `<html data-theme>`, which style.css keys its colours on.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::state::AppState;

const QUERY: &str = "(prefers-color-scheme: dark)";

/// Whether the system prefers a dark colour scheme.
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(QUERY).ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Keep [`AppState::system_dark`] in step with the system and `<html data-theme>` with
/// the theme in effect. The media listener lives as long as the page.
pub fn watch(state: AppState) {
    state.system_dark.set(prefers_dark());
    if let Some(query) = web_sys::window().and_then(|w| w.match_media(QUERY).ok().flatten()) {
        let on_change = Closure::<dyn Fn()>::new(move || state.system_dark.set(prefers_dark()));
        if query
            .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())
            .is_ok()
        {
            on_change.forget();
        }
    }
    Effect::new(move |_| {
        let theme = if state.dark.get() { "dark" } else { "light" };
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", theme);
        }
    });
}
