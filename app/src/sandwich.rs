//! The sandwich view of one function ([`AppState::sandwich`]), shown instead of the flame
//! graph: its callers above, bottom-up with the function in the bottom row, and its callees
//! below, top-down from the function, so the function's two rows meet in the middle. Both
//! are [`crate::flame::Graph`]s over [`AppState::sandwich_trees`], which follows the filter,
//! transforms, time range and span like the main graph; each has its own zoom.
//!
//! Opened from the frame menu, the functions table (double click a function, or click one
//! while a sandwich is open), and the toolbar's "Callers / callees" (`c`) for the selected
//! function. "← Flame graph" closes it; so does Esc, once a zoomed half is whole again.
//! Screen readers get the direct callers and callees as tables.

use leptos::ev;
use leptos::prelude::*;
use spanflame_core::CallTree;
use spanflame_core::units::{format_share, format_value};
use spanflame_core::viewport::Orientation;
use wasm_bindgen::JsCast;

use crate::flame::{Graph, Legend, Source};
use crate::state::{AppState, SandwichTrees, Shared, Zoomed, search_in};

/// Focus the element `id` at the next frame (once it is mounted); with `only_if_lost`, only
/// when nothing has the focus (it was on something the switch removed).
pub fn focus_later(id: &'static str, only_if_lost: bool) {
    request_animation_frame(move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let lost = doc
            .active_element()
            .is_none_or(|a| doc.body().is_some_and(|b| *b == a));
        let el = doc
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = el.filter(|_| lost || !only_if_lost) {
            let _ = el.focus();
        }
    });
}

/// Back to the flame graph, with the focus on it.
fn close(state: AppState) {
    state.sandwich.set(None);
    focus_later("flame-scroll", false);
}

/// One of the two graphs: its tree out of the sandwich, its own zoom, fixed orientation.
fn source(
    state: AppState,
    id: &'static str,
    pick: fn(&SandwichTrees) -> &Shared<CallTree>,
    zoom: RwSignal<Vec<spanflame_core::navigate::FunctionKey>>,
    orientation: Orientation,
) -> Source {
    let tree = Memo::new(move |_| {
        state
            .sandwich_trees
            .with(|s| s.as_ref().map(|s| pick(s).clone()))
    });
    // Another function: its whole trees.
    Effect::new(move |_| {
        state.sandwich.track();
        zoom.set(Vec::new());
    });
    let zoomed = Memo::new(move |_| {
        let tree = tree.get()?;
        Some(zoom.with(|path| Zoomed::new(tree, path)))
    });
    let search = Memo::new(move |_| state.search.with(|q| tree.with(|t| search_in(t, q))));
    Source {
        id,
        tree,
        zoom,
        zoomed,
        search,
        all: Signal::derive(move || {
            state
                .sandwich_trees
                .with(|s| s.as_ref().map_or(0, |s| s.view_total))
        }),
        orientation: Signal::stored(orientation),
        root_paths: Signal::stored(false),
        // The diff pairs the main graph's nodes, not these trees'.
        diff: None,
    }
}

/// The direct callers or callees of the function (the children of its node in `tree`),
/// heaviest first, as a table for screen readers and tests.
fn neighbours(tree: &CallTree, id: &'static str, caption: String) -> impl IntoView + use<> {
    let unit = tree.sample_type().unit.clone();
    let rows = spanflame_core::Sandwich::function_node(tree).map_or_else(Vec::new, |f| {
        let mut kids = tree.children(f).to_vec();
        kids.sort_by_key(|&k| std::cmp::Reverse(tree.total_weight(k)));
        kids.into_iter()
            .map(|k| {
                let (total, own) = (tree.total_weight(k), tree.self_weight(k));
                view! {
                    <tr
                        data-name=tree.name(k).to_owned()
                        data-file=tree.file(k).to_owned()
                        data-total=total.to_string()
                        data-self=own.to_string()
                    >
                        <th scope="row">{tree.name(k).to_owned()}</th>
                        <td>{format_value(total, &unit)}</td>
                        <td>{format_value(own, &unit)}</td>
                    </tr>
                }
            })
            .collect_view()
    });
    view! {
        <table id=id class="visually-hidden">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Function"</th>
                    <th scope="col">"Total"</th>
                    <th scope="col">"Self"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The view.
#[component]
pub fn SandwichView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let callers = source(
        state,
        "sandwich-callers",
        |s| &s.callers,
        state.sandwich_zoom.callers,
        Orientation::Flame,
    );
    let callees = source(
        state,
        "sandwich-callees",
        |s| &s.callees,
        state.sandwich_zoom.callees,
        Orientation::Icicle,
    );
    let escape = window_event_listener(ev::keydown, move |e| {
        if e.key() != "Escape" || crate::toolbar::typing(&e) {
            return;
        }
        // Zoomed below the function (a path of one is the function itself): zoom out first.
        let zoomed = [callers.zoom, callees.zoom];
        if zoomed.iter().any(|z| z.with_untracked(|p| p.len() > 1)) {
            zoomed.iter().for_each(|z| z.set(Vec::new()));
        } else {
            close(state);
        }
    });
    on_cleanup(move || escape.remove());

    let name = move || state.sandwich.with(|s| s.as_ref().map(|k| k.0.clone()));
    let summary = move || {
        state.sandwich_trees.with(|s| {
            let s = s.as_ref()?;
            let unit = s.callees.sample_type().unit.clone();
            let text = format!(
                "Total {} ({} of all) · Self {} ({})",
                format_value(s.total_weight, &unit),
                format_share(s.total_weight, s.view_total),
                format_value(s.self_weight, &unit),
                format_share(s.self_weight, s.view_total),
            );
            Some(view! {
                <span
                    id="sandwich-summary"
                    data-name=s.function.0.clone()
                    data-file=s.function.1.clone()
                    data-total=s.total_weight.to_string()
                    data-self=s.self_weight.to_string()
                    data-view-total=s.view_total.to_string()
                >
                    {text}
                </span>
            })
        })
    };
    let empty = move || {
        state
            .sandwich_trees
            .with(|s| s.as_ref().is_some_and(|s| s.total_weight == 0))
            .then(|| {
                view! {
                    <p class="status" id="no-samples">
                        "No samples of this function match: it is not in the stacks the filter and transforms keep."
                    </p>
                }
            })
    };
    let tables = move || {
        state.sandwich_trees.with(|s| {
            let s = s.as_ref()?;
            let f = &s.function.0;
            Some(view! {
                {neighbours(&s.callers, "sandwich-callers-table", format!("Direct callers of {f}"))}
                {neighbours(&s.callees, "sandwich-callees-table", format!("Direct callees of {f}"))}
            })
        })
    };
    view! {
        <section class="flame sandwich" id="sandwich" aria-labelledby="sandwich-title">
            <div class="flame-head">
                <h2 id="sandwich-title">
                    "Callers and callees of " <code class="fn-name">{name}</code>
                </h2>
                {summary}
                <button
                    type="button"
                    id="sandwich-close"
                    title="Back to the flame graph (Esc)"
                    on:click=move |_| close(state)
                >
                    "← Flame graph"
                </button>
            </div>
            <Legend diff=None />
            {empty}
            // Labels beside the panes, so the function's two rows touch.
            <div class="sandwich-grid">
                <h3 class="pane-label" id="sandwich-callers-title">"Callers"</h3>
                <div class="sandwich-pane">
                    <Graph
                        source=callers
                        label="Callers of the function, bottom-up: the function in the bottom row, who calls it above. Arrow keys move between frames, Enter zooms; Escape zooms out, then goes back to the flame graph."
                        help="sandwich-help"
                    />
                </div>
                <h3 class="pane-label" id="sandwich-callees-title">"Callees"</h3>
                <div class="sandwich-pane">
                    <Graph
                        source=callees
                        label="Callees of the function, top-down: the function in the top row, what it calls below. Arrow keys move between frames, Enter zooms; Escape zooms out, then goes back to the flame graph."
                        help="sandwich-help"
                    />
                </div>
            </div>
            <p id="sandwich-help" class="hint">
                "Callers and callees of one function over the samples the filters and transforms keep, each merged into one tree rooted at it. Click a frame to zoom in; right-click (or Shift+F10) for its menu, which can show that function's callers and callees. Esc zooms out, then goes back to the flame graph."
            </p>
            {tables}
        </section>
    }
}
