//! Spanflame's browser app: loads an OpenTelemetry profile with `spanflame_core` and shows
//! it as an icicle flame graph on a canvas, with an accessible DOM mirror and a table of the
//! top functions.
//!
//! * [`App`] fetches the bundled demo (`demo/profile.binpb`, a relative URL) on start.
//! * [`ProfileView`] shows one loaded profile; [`SummaryView`] is its header line.
//! * [`model`] turns the core's call tree and layout into plain view data; [`flame`] draws it.

pub mod flame;
pub mod model;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::flame::Theme;
use crate::model::{ProfileModel, Summary};

/// The demo the app opens on, relative to the page (so it works under any sub-path).
pub const DEMO_PROFILE_URL: &str = "demo/profile.binpb";

/// Rows shown in the top-functions table.
const TOP_FUNCTIONS: usize = 100;

/// What the app is showing.
#[derive(Debug, Clone)]
enum LoadState {
    Loading,
    Ready(Arc<ProfileModel>),
    Failed(String),
}

/// The whole app: header, then the loaded profile (or the loading/error message).
#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(LoadState::Loading);
    let dark = RwSignal::new(flame::prefers_dark());
    watch_colour_scheme(dark);

    spawn_local(async move {
        let result = fetch_bytes(DEMO_PROFILE_URL)
            .await
            .and_then(|bytes| ProfileModel::from_bytes(&bytes, DEMO_PROFILE_URL));
        state.set(match result {
            Ok(model) => LoadState::Ready(Arc::new(model)),
            Err(message) => LoadState::Failed(message),
        });
    });

    view! {
        <header class="top">
            <h1>"Span" <span>"flame"</span></h1>
            {move || match state.get() {
                LoadState::Ready(model) => Some(view! { <SummaryView summary=model.summary.clone() /> }),
                _ => None,
            }}
        </header>
        <main>
            {move || match state.get() {
                LoadState::Loading => {
                    view! { <p class="status" role="status">"Loading the demo profile…"</p> }.into_any()
                }
                LoadState::Ready(model) => view! { <ProfileView model=model dark=dark /> }.into_any(),
                LoadState::Failed(message) => {
                    view! { <p class="error" role="alert">{message}</p> }.into_any()
                }
            }}
        </main>
    }
}

/// The loaded file: format, sample type and total weight.
#[component]
pub fn SummaryView(summary: Summary) -> impl IntoView {
    let sample_type = if summary.unit.is_empty() {
        summary.sample_type.clone()
    } else {
        format!("{} ({})", summary.sample_type, summary.unit)
    };
    view! {
        <dl id="summary" aria-label="Loaded file">
            <div><dt>"File"</dt><dd>{summary.source}</dd></div>
            <div><dt>"Format"</dt><dd>{summary.format}</dd></div>
            <div><dt>"Sample type"</dt><dd>{sample_type}</dd></div>
            <div><dt>"Total"</dt><dd>{summary.total}</dd></div>
        </dl>
    }
}

/// The flame graph of one profile, its DOM mirror, and the top-functions table.
/// The canvas is redrawn when the window is resized or `dark` changes.
#[component]
pub fn ProfileView(model: Arc<ProfileModel>, #[prop(into)] dark: Signal<bool>) -> impl IntoView {
    let canvas_ref: NodeRef<leptos::html::Canvas> = NodeRef::new();
    let resized = RwSignal::new(0_u32);
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        resized.update(|n| *n = n.wrapping_add(1))
    });
    on_cleanup(move || resize.remove());

    let drawn = model.clone();
    Effect::new(move |_| {
        resized.track();
        let theme = Theme { dark: dark.get() };
        if let Some(canvas) = canvas_ref.get()
            && let Err(error) = flame::draw(&canvas, &drawn.frames, drawn.rows, theme)
        {
            leptos::logging::error!("drawing the flame graph failed: {error:?}");
        }
    });

    let total = model.summary.total;
    let mirror = model
        .frames
        .iter()
        .map(|frame| {
            view! {
                <li data-name=frame.name.to_string() data-depth=frame.depth.to_string()>
                    {frame.name.to_string()}
                </li>
            }
        })
        .collect_view();
    let rows = model
        .functions
        .iter()
        .take(TOP_FUNCTIONS)
        .map(|f| {
            view! {
                <tr
                    data-name=f.name.to_string()
                    data-self=f.self_weight.to_string()
                    data-total=f.total_weight.to_string()
                >
                    <th scope="row">
                        {f.name.to_string()}
                        {(!f.file.is_empty())
                            .then(|| {
                                view! {
                                    <span class="file" title=f.file.to_string()>
                                        {file_name(&f.file).to_owned()}
                                    </span>
                                }
                            })}
                    </th>
                    <td class="num">
                        {f.self_weight}
                        <span class="share">{percent(f.self_weight, total)}</span>
                    </td>
                    <td class="num">
                        {f.total_weight}
                        <span class="share">{percent(f.total_weight, total)}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let shown = model.functions.len().min(TOP_FUNCTIONS);
    let hidden = model.functions.len() - shown;
    let empty = model.frames.is_empty();

    view! {
        <div class="profile">
            <section class="flame" aria-labelledby="flame-title">
                <h2 id="flame-title">"Flame graph"</h2>
                {empty.then(|| view! { <p class="status">"This profile has no samples."</p> })}
                <canvas
                    id="flame"
                    node_ref=canvas_ref
                    role="img"
                    aria-label="Flame graph: callers above callees, width is the share of the total. Its frames are listed next."
                ></canvas>
                <ul id="flame-mirror" class="visually-hidden" aria-label="Frames of the flame graph">
                    {mirror}
                </ul>
            </section>
            <section class="functions" aria-label="Top functions">
                <table id="top-functions">
                    <caption>"Top functions by self weight"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Function"</th>
                            <th scope="col" class="num">"Self"</th>
                            <th scope="col" class="num">"Total"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                {(hidden > 0).then(|| view! { <p class="note">{format!("and {hidden} more functions")}</p> })}
            </section>
        </div>
    }
}

/// `part` as a percentage of `total`, e.g. "68.4%"; empty for 0.
fn percent(part: i64, total: i64) -> String {
    if total == 0 || part == 0 {
        return String::new();
    }
    format!("{:.1}%", part as f64 * 100.0 / total as f64)
}

/// The last component of a path (`/usr/lib/python3.11/threading.py` → `threading.py`).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Fetches `url` (relative to the page) and returns its bytes.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
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
    response
        .binary()
        .await
        .map_err(|e| format!("Could not read {url}: {e}"))
}

/// Keeps `dark` in step with the `prefers-color-scheme` media query. The listener lives as
/// long as the page (the app is mounted once).
fn watch_colour_scheme(dark: RwSignal<bool>) {
    let Some(query) = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
    else {
        return;
    };
    let on_change = Closure::<dyn Fn()>::new(move || dark.set(flame::prefers_dark()));
    if query
        .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())
        .is_ok()
    {
        on_change.forget();
    }
}
