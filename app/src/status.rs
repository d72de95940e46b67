//! What is loaded and what is going on: the summary in the header, the busy line, the
//! error banner, the active span filter chip and the note on graphs rebuilt from call counts.

use leptos::prelude::*;
use spanflame_core::TraceSet;
use spanflame_core::units::format_value;

use crate::state::{AppState, SpanFilter, SpanRef};

/// What is loaded: file, format, sample type, total, and how long opening took.
#[component]
pub fn Summary() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sample_type = move || {
        let index = state.sample_type.get().index();
        state.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.set.sample_types().get(index))
                .map(|t| format!("{} ({})", t.name, t.unit))
                .unwrap_or_default()
        })
    };
    // The settled view's, as the functions table's: the header's total changes with the table
    // (and the span list's counts), a task after the graph.
    let total =
        move || (state.settled_tree()).map(|t| format_value(t.total(), &t.sample_type().unit));
    // The raw weight, for tests and scripts that compute shares from the table's rows.
    let total_weight = move || state.settled_tree().map(|t| t.total().to_string());
    let timing = move || {
        let t = state.timings.get();
        (t.total > 0.0).then(|| {
            view! {
                <div
                    id="load-timing"
                    title=format!(
                        "read {:.0} ms ({}), call tree {:.0} ms, layout {:.0} ms, first draw {:.0} ms",
                        t.parse,
                        if t.in_worker {
                            format!("in a worker; {:.0} ms on the page", t.parse_main)
                        } else {
                            "on the page".to_owned()
                        },
                        t.tree,
                        t.layout,
                        t.draw,
                    )
                    data-parse=format!("{:.1}", t.parse)
                    data-parse-main=format!("{:.1}", t.parse_main)
                    data-decoder=if t.in_worker { "worker" } else { "page" }
                    data-worker-memory=format!("{:.0}", t.worker_memory)
                    data-started=format!("{:.1}", t.started)
                    data-tree=format!("{:.1}", t.tree)
                    data-layout=format!("{:.1}", t.layout)
                    data-draw=format!("{:.1}", t.draw)
                    data-total=format!("{:.1}", t.total)
                >
                    <dt>"Opened in"</dt>
                    <dd>{format_value((t.total * 1e6) as i64, "nanoseconds")}</dd>
                </div>
            }
        })
    };
    let traces = move || {
        state.traces.get().map(|t| {
            view! {
                <div>
                    <dt>"Traces"</dt>
                    <dd>{format!("{} ({} spans)", t.source, t.set.spans.len())}</dd>
                </div>
            }
        })
    };
    move || {
        state.profile.get().map(|p| {
            view! {
                <dl id="summary" aria-label="Loaded file">
                    <div>
                        <dt>"File"</dt>
                        <dd>{p.source.clone()}</dd>
                    </div>
                    <div>
                        <dt>"Format"</dt>
                        <dd>{p.set.format().to_string()}</dd>
                    </div>
                    <div>
                        <dt>"Sample type"</dt>
                        <dd>{sample_type}</dd>
                    </div>
                    <div>
                        <dt>"Total"</dt>
                        <dd id="total" data-weight=total_weight>{total}</dd>
                    </div>
                    {traces}
                    {timing}
                </dl>
            }
        })
    }
}

/// Above the flame graph when its stacks were rebuilt from a call graph (cProfile): the
/// widths are the profiler's times, but the paths are an estimate, and a user should know.
#[component]
pub fn GraphNote() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state
            .profile
            .with(|p| p.as_ref().is_some_and(|p| p.set.from_call_graph()))
            .then(|| {
                view! {
                    <p id="graph-note" class="note" role="note">
                        "Built from cProfile's caller/callee totals, not sampled stacks: widths are time, paths are estimated."
                    </p>
                }
            })
    }
}

/// A dismissable alert with the core's detail. The view behind it stays as it was.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.error.get().map(|message| {
            view! {
                <div id="error" class="error-banner" role="alert">
                    <p>{message}</p>
                    <button
                        type="button"
                        class="dismiss"
                        aria-label="Dismiss"
                        on:click=move |_| state.error.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}

/// While a file is read: what, so a big file does not look like a hang.
#[component]
pub fn BusyStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state
            .busy
            .get()
            .map(|text| view! { <p id="busy" class="status" role="status">{text}</p> })
    }
}

/// The span filter in effect, with a one-click clear. Always present as a mount point.
#[component]
pub fn ActiveFilter() -> impl IntoView {
    let state = expect_context::<AppState>();
    // A task after the frame that repaints the graph for the click: the chip's arrival moves
    // the page below it, a layout that frame can do without.
    let span_filter = crate::state::after_next_frame(move || state.span_filter.get());
    let chip = move || {
        let filter = span_filter.get()?;
        let (name, scope) = state
            .traces
            .with(|t| describe_filter(&filter, t.as_ref().map(|t| &t.set)));
        Some(view! {
            <span class="chip">
                "Samples of span "
                <strong class="span-name">{name}</strong>
                <span class="scope">{scope}</span>
                <button
                    type="button"
                    class="dismiss"
                    aria-label="Clear the span filter"
                    on:click=move |_| state.span_filter.set(None)
                >
                    "×"
                </button>
            </span>
        })
    };
    view! {
        <div id="active-filter" aria-live="polite">
            {chip}
            <crate::diff::SameNameButton />
        </div>
    }
}

/// The span's name and the scope applied, in words (a span the traces lack has no known
/// children or times: see [`spanflame_core::scope`]).
pub fn describe_filter(filter: &SpanFilter, traces: Option<&TraceSet>) -> (String, &'static str) {
    let name = match filter.span {
        SpanRef::Index(i) => traces
            .and_then(|t| t.span(i))
            .map_or_else(|| format!("#{i}"), |s| s.name.clone()),
        SpanRef::Key(key) => key.span_hex(),
    };
    (name, filter.selection(traces).applied.describe())
}
