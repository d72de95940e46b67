//! Placeholder for the trace waterfall (issue 7 replaces this file entirely).
//!
//! It renders nothing until traces are loaded, then a short list of their spans, each with a
//! button that filters the flame graph to that span and its children through
//! [`AppState::span_filter`](crate::state::AppState::span_filter).

use leptos::prelude::*;
use spanflame_core::SpanScope;

use crate::state::{AppState, FilterScope, SpanFilter, SpanRef};

/// Spans listed at most.
const SHOWN: usize = 12;

/// The spans of the loaded trace.
#[component]
pub fn WaterfallPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let traces = state.traces.get()?;
        let spans = &traces.set.spans;
        let items = spans
            .iter()
            .enumerate()
            .take(SHOWN)
            .map(|(i, span)| {
                let filter = SpanFilter {
                    span: SpanRef::Index(i as u32),
                    scope: FilterScope::Spans(SpanScope::WithChildren),
                };
                let ms = (span.end - span.start) as f64 / 1e6;
                view! {
                    <li data-span=i.to_string() style=format!("padding-left: {}rem", span.depth)>
                        <button
                            type="button"
                            class="span"
                            title="Show only the samples of this span and its children"
                            on:click=move |_| state.span_filter.set(Some(filter))
                        >
                            {span.name.clone()}
                        </button>
                        <span class="muted">{format!(" {} · {ms:.1} ms", span.service)}</span>
                    </li>
                }
            })
            .collect_view();
        let more = spans.len().saturating_sub(SHOWN);
        Some(view! {
            <section id="waterfall-panel" aria-label="Trace spans">
                <details>
                    <summary>
                        {format!("Trace: {} spans", spans.len())}
                        <span>" · pick one to see only its samples"</span>
                    </summary>
                    <ul class="spans">{items}</ul>
                    {(more > 0).then(|| view! { <p class="note">{format!("and {more} more spans")}</p> })}
                </details>
            </section>
        })
    }
}
