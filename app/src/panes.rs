//! Pane sizes: the trace waterfall's box is short by default (so that at 1400×900 the
//! timeline and the top of the flame graph show with it); a [`Splitter`] under it sets its
//! height and one between the flame graph and the functions table the table's width; the
//! waterfall also collapses. Sizes and the collapsed state are remembered in `localStorage`.

use leptos::prelude::*;

use crate::state::AppState;

const COLLAPSED_KEY: &str = "spanflame.waterfallCollapsed";
/// The class on `<html>` that hides the waterfall's body.
const COLLAPSED_CLASS: &str = "waterfall-collapsed";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn element(id: &str) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
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

/// A "Hide waterfall" / "Show waterfall" button (with traces loaded).
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

/// The direction a [`Splitter`] resizes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// The pane above grows as the splitter moves down.
    Height,
    /// The pane to the right grows as the splitter moves left.
    WidthOfRight,
}

/// Keyboard step, CSS pixels (Shift: five of them).
const STEP: f64 = 16.0;

/// A drag in progress: where the pointer and the size started.
#[derive(Debug, Clone, Copy)]
struct Grab {
    at: f64,
    size: f64,
}

/// A bar that resizes a pane: drag it (pointer capture), or focus it and use the arrow keys
/// (Shift: bigger steps), Home / End for the smallest and largest size; a double click or
/// Enter goes back to the stylesheet's size. The size is written as the CSS property
/// `property` of the element `target` (inline, through CSSOM: the CSP forbids inline style
/// attributes), measured on the element `measure`, kept between `min` and `max` pixels, and
/// remembered in `localStorage` under `key`.
#[component]
pub fn Splitter(
    target: &'static str,
    property: &'static str,
    measure: &'static str,
    axis: Axis,
    key: &'static str,
    label: &'static str,
    min: f64,
    max: f64,
) -> impl IntoView {
    let size = RwSignal::new(None::<f64>);
    let grab = RwSignal::new(None::<Grab>);
    let measured = move || {
        element(measure).map_or(min, |el| {
            let r = el.get_bounding_client_rect();
            match axis {
                Axis::Height => r.height(),
                Axis::WidthOfRight => r.width(),
            }
        })
    };
    let set_size = move |px: Option<f64>, remember: bool| {
        let px = px.map(|p| p.clamp(min, max).round());
        size.set(px);
        if let Some(el) = element(target) {
            let style = el.style();
            let _ = match px {
                Some(p) => style.set_property(property, &format!("{p}px")),
                None => style.remove_property(property).map(drop),
            };
        }
        if remember && let Some(s) = storage() {
            let _ = match px {
                Some(p) => s.set_item(key, &p.to_string()),
                None => s.remove_item(key),
            };
        }
    };
    // The remembered size, once the panes are in the page.
    request_animation_frame(move || {
        let stored = storage()
            .and_then(|s| s.get_item(key).ok().flatten())
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0);
        if stored.is_some() {
            set_size(stored, false);
        }
    });
    let coordinate = move |e: &web_sys::PointerEvent| match axis {
        Axis::Height => f64::from(e.client_y()),
        Axis::WidthOfRight => -f64::from(e.client_x()),
    };
    let on_down = move |e: web_sys::PointerEvent| {
        if e.button() != 0 {
            return;
        }
        e.prevent_default();
        if let Some(el) = e
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        {
            let _ = el.set_pointer_capture(e.pointer_id());
        }
        grab.set(Some(Grab {
            at: coordinate(&e),
            size: size.get_untracked().unwrap_or_else(measured),
        }));
    };
    let on_move = move |e: web_sys::PointerEvent| {
        if let Some(g) = grab.get_untracked() {
            set_size(Some(g.size + coordinate(&e) - g.at), false);
        }
    };
    let on_up = move |_: web_sys::PointerEvent| {
        if grab.get_untracked().is_some() {
            grab.set(None);
            set_size(size.get_untracked(), true);
        }
    };
    let on_key = move |e: web_sys::KeyboardEvent| {
        let step = if e.shift_key() { 5.0 * STEP } else { STEP };
        let (grow, shrink) = match axis {
            Axis::Height => ("ArrowDown", "ArrowUp"),
            Axis::WidthOfRight => ("ArrowLeft", "ArrowRight"),
        };
        let now = size.get_untracked().unwrap_or_else(measured);
        let next = match e.key().as_str() {
            k if k == grow => Some(now + step),
            k if k == shrink => Some(now - step),
            "Home" => Some(min),
            "End" => Some(max),
            "Enter" => None,
            _ => return,
        };
        e.prevent_default();
        set_size(next, true);
    };
    let orientation = match axis {
        Axis::Height => "horizontal",
        Axis::WidthOfRight => "vertical",
    };
    view! {
        <div
            class="splitter"
            class:vertical=axis == Axis::WidthOfRight
            class:dragging=move || grab.with(Option::is_some)
            role="separator"
            tabindex="0"
            aria-label=label
            aria-controls=target
            aria-orientation=orientation
            aria-valuemin=min
            aria-valuemax=max
            aria-valuenow=move || size.get().unwrap_or_else(measured).round()
            title="Drag to resize; double-click to reset"
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=on_up
            on:keydown=on_key
            on:dblclick=move |_| set_size(None, true)
        ></div>
    }
}
