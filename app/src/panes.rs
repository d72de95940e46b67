//! Pane sizes: the trace waterfall's box is short by default (so that at 1400×900 the
//! timeline and the top of the flame graph show with it), can be resized by its corner and
//! collapsed; both are remembered in `localStorage`.

use leptos::ev;
use leptos::prelude::*;

use crate::state::AppState;

const HEIGHT_KEY: &str = "spanflame.waterfallHeight";
const COLLAPSED_KEY: &str = "spanflame.waterfallCollapsed";
/// The class on `<html>` that hides the waterfall's body.
const COLLAPSED_CLASS: &str = "waterfall-collapsed";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn scroller() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?
        .document()?
        .get_element_by_id("waterfall-scroll")?
        .dyn_into()
        .ok()
}

fn set_collapsed_class(collapsed: bool) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let list = root.class_list();
        let _ = if collapsed {
            list.add_1(COLLAPSED_CLASS)
        } else {
            list.remove_1(COLLAPSED_CLASS)
        };
    }
}

/// A "Hide waterfall" / "Show waterfall" button (with traces loaded), and the remembered
/// waterfall height applied whenever its box appears.
#[component]
pub fn WaterfallToggle() -> impl IntoView {
    let state = expect_context::<AppState>();
    let collapsed = RwSignal::new(
        storage()
            .and_then(|s| s.get_item(COLLAPSED_KEY).ok().flatten())
            .is_some_and(|v| v == "1"),
    );
    Effect::new(move |_| {
        let c = collapsed.get();
        set_collapsed_class(c);
        if let Some(s) = storage() {
            let _ = s.set_item(COLLAPSED_KEY, if c { "1" } else { "0" });
        }
    });
    // The box is made when traces arrive: give it the remembered height then.
    Effect::new(move |_| {
        state.traces.track();
        request_animation_frame(|| {
            let height = storage().and_then(|s| s.get_item(HEIGHT_KEY).ok().flatten());
            if let (Some(el), Some(h)) = (scroller(), height)
                && h.ends_with("px")
                && h.trim_end_matches("px")
                    .parse::<f64>()
                    .is_ok_and(|v| v > 0.0)
            {
                let _ = el.style().set_property("height", &h);
            }
        });
    });
    // A corner drag sets the box's inline height: remember it when the pointer is let go.
    let up = window_event_listener(ev::pointerup, move |_| {
        if let (Some(el), Some(s)) = (scroller(), storage()) {
            let h = el.style().get_property_value("height").unwrap_or_default();
            if h.ends_with("px") {
                let _ = s.set_item(HEIGHT_KEY, &h);
            }
        }
    });
    on_cleanup(move || up.remove());
    let has_traces = move || state.traces.with(Option::is_some);
    view! {
        <Show when=has_traces>
            <button
                type="button"
                id="waterfall-toggle"
                aria-pressed=move || collapsed.get().to_string()
                on:click=move |_| collapsed.update(|c| *c = !*c)
            >
                {move || if collapsed.get() { "Show waterfall" } else { "Hide waterfall" }}
            </button>
        </Show>
    }
}
