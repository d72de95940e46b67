//! Breadcrumbs of the zoom: "All", then each caller down to the zoomed frame. Clicking
//! one zooms out to it.

use leptos::prelude::*;
use spanflame_core::CallTree;
use spanflame_core::navigate::path_keys;

use crate::state::AppState;

/// The zoom path.
#[component]
pub fn Breadcrumbs() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let z = state.zoomed.get()?;
        // The focus actually shown (a zoom path may be cut short in another sample type).
        let path = path_keys(&z.tree, z.focus);
        let last = path.len();
        // A deep zoom keeps its first two and last four steps, with "…" between.
        let shown = |i: usize| last <= 7 || i < 2 || i + 4 >= last;
        let crumbs = path
            .iter()
            .enumerate()
            .filter(|&(i, _)| shown(i) || i == 2)
            .map(|(i, (name, _))| {
                if !shown(i) {
                    return view! { <li class="gap" aria-hidden="true">"…"</li> }.into_any();
                }
                let prefix = path[..=i].to_vec();
                let current = i + 1 == last;
                view! {
                    <li>
                        <button
                            type="button"
                            data-depth=(i + 1).to_string()
                            aria-current=current.then_some("location")
                            on:click=move |_| state.zoom.set(prefix.clone())
                        >
                            {name.clone()}
                        </button>
                    </li>
                }
                .into_any()
            })
            .collect_view();
        let zoomed = z.focus != CallTree::ROOT;
        Some(view! {
            <nav id="breadcrumbs" aria-label="Zoom">
                <ol>
                    <li>
                        <button
                            type="button"
                            data-depth="0"
                            aria-current=(!zoomed).then_some("location")
                            title="Whole graph (Esc)"
                            on:click=move |_| state.zoom.set(Vec::new())
                        >
                            "All"
                        </button>
                    </li>
                    {crumbs}
                </ol>
            </nav>
        })
    }
}
