//! Spanflame's browser app: open OpenTelemetry profiles (and traces) and explore them as a
//! canvas flame graph with a table of the top functions. Everything runs in the page.
//!
//! * [`state`]: the one [`state::AppState`] of signals and memos every component reads.
//! * [`loading`]: drag and drop, file picker, `#profileURL=`/`#traceURL=`, the demo;
//!   [`decoder`]: decoding them in a Web Worker.
//! * [`status`]: summary, busy line, error banner, active span filter chip.
//! * [`toolbar`]: sample type / profile / resource choices, search, view options;
//!   [`filterbar`]: attribute conditions from the file's facets; [`transforms_menu`]: stack
//!   transforms on the selected function.
//! * [`timeline`]: sample weight over time above the graph, and the time-range brush.
//! * [`flame`]: the canvas flame graph; [`functions_table`]: its accessible mirror;
//!   [`sandwich`]: one function's callers and callees, in place of the graph.
//! * [`diff`]: a baseline beside the loaded profile: the differential graph and table.
//! * [`waterfall`]: the trace waterfall's mount point; [`panes`]: its remembered size.
//! * [`embed`]: `?embed=1` and the `postMessage` protocol for host pages; [`view_hash`]: the
//!   view in the address's hash; [`offline`]: the service worker and the offline cache;
//!   [`export_html`]: the self-contained HTML export, and opening one.
//!
//! The data work (parsing, call trees, layout, search, colours, units, view maths) is in
//! `spanflame_core`, tested natively.

pub mod decoder;
pub mod diff;
pub mod embed;
pub mod export_html;
pub mod export_menu;
pub mod filterbar;
pub mod flame;
pub mod functions_table;
pub mod loading;
pub mod matcher;
pub mod menu;
pub mod offline;
pub mod panes;
pub mod sandwich;
pub mod state;
pub mod status;
pub mod theme;
pub mod timeline;
pub mod toolbar;
pub mod transforms_menu;
pub mod view_hash;
pub mod waterfall;

use leptos::prelude::*;

use crate::filterbar::FilterBar;
use crate::flame::FlameGraph;
use crate::functions_table::FunctionsTable;
use crate::loading::{DropZone, OpenButtons};
use crate::state::AppState;
use crate::status::{ActiveFilter, BusyStatus, ErrorBanner, GraphNote, Summary};
use crate::timeline::TimelineStrip;
use crate::toolbar::Toolbar;
use crate::waterfall::WaterfallPanel;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    provide_context(diff::DiffState::new(state));
    theme::watch(state);
    embed::start(state);
    view_hash::watch(state);
    let embedded = embed::config().embed;
    loading::start(state, !embedded);
    if embedded {
        view! { <embed::EmbedShell /> }.into_any()
    } else {
        view! { <Shell /> }.into_any()
    }
}

/// The page layout, under an [`AppState`] already provided (tests mount it directly).
#[component]
pub fn Shell() -> impl IntoView {
    let state = expect_context::<AppState>();
    let has_profile = move || state.profile.with(Option::is_some);
    let diff = use_context::<diff::DiffState>();
    let comparing = move || diff.is_some_and(|d| d.active());
    view! {
        <DropZone />
        <header class="top">
            <h1>"Span" <span>"flame"</span></h1>
            <Summary />
            <OpenButtons />
            <Show when=has_profile>
                <diff::CompareButton />
            </Show>
        </header>
        <ErrorBanner />
        <BusyStatus />
        <Show when=has_profile>
            <Toolbar />
            <FilterBar />
        </Show>
        <ActiveFilter />
        <Show when=has_profile>
            <diff::DiffBar />
        </Show>
        <main>
            <WaterfallPanel />
            <Show when=has_profile fallback=move || view! { <Landing /> }>
                <div class="profile" id="profile">
                    <GraphNote />
                    <TimelineStrip />
                    <Show
                        when=move || state.sandwich.with(Option::is_some)
                        fallback=|| view! { <FlameGraph /> }
                    >
                        <crate::sandwich::SandwichView />
                    </Show>
                    <crate::panes::Splitter
                        target="profile"
                        property="--table-width"
                        measure="functions-panel"
                        axis=crate::panes::Axis::WidthOfRight
                        key="spanflame.tableWidth"
                        label="Resize the functions table"
                        min=240.0
                        max=1200.0
                    />
                    <Show when=comparing fallback=|| view! { <FunctionsTable /> }>
                        <diff::DiffTable />
                    </Show>
                </div>
            </Show>
        </main>
    }
}

/// What to do when nothing is open.
#[component]
fn Landing() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.busy.with(Option::is_none).then(|| {
            view! {
                <div class="landing">
                    <p>
                        "Drop an OpenTelemetry profile, and its traces, anywhere on this page, or use "
                        <strong>"Open files…"</strong>
                        ". OTLP protobuf, JSON and JSON Lines, the collector's file exporter format, pprof, folded stacks and Python cProfile stats are read, gzipped or not."
                    </p>
                    <p class="muted">"Files are read in this page: nothing is uploaded."</p>
                </div>
            }
        })
    }
}
