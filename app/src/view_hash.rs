//! The view in the address's hash (the format is [`spanflame_core::view_hash`], documented
//! in the README): the URLs the files came from, sample type, span filter, search, zoom,
//! time range, attribute conditions, transforms, the open sandwich and the diff's baseline.
//!
//! It is read once the first files have arrived ([`apply`]), and from then on rewritten
//! with `history.replaceState` whenever the view changes ([`watch`]), so a reload or a
//! shared link shows the same view and the back button is not filled with every click.

use std::cell::Cell;

use leptos::prelude::*;
use spanflame_core::SpanKey;
use spanflame_core::model::SampleTypeId;
use spanflame_core::view_hash::{Selection, ViewHash};

use crate::state::{AppState, SearchQuery, SpanFilter, SpanRef};

/// Where the loaded files came from when that was a URL (`None`: a local file, the demo,
/// a host page), and whether the hash may be written yet.
#[derive(Debug, Clone, Copy)]
pub struct Sources {
    /// The profile's URL.
    pub profile_url: RwSignal<Option<String>>,
    /// The traces' URL.
    pub trace_url: RwSignal<Option<String>>,
    /// Set once the hash read at start has been applied.
    pub ready: RwSignal<bool>,
}

thread_local! {
    static SOURCES: Cell<Option<Sources>> = const { Cell::new(None) };
}

/// The page's [`Sources`], once [`watch`] made them.
pub fn sources() -> Option<Sources> {
    SOURCES.with(Cell::get)
}

/// Note the URL the profile came from (`None`: not from a URL).
pub fn set_profile_url(url: Option<String>) {
    if let Some(s) = sources() {
        s.profile_url.set(url);
    }
}

/// Note the URL the traces came from (`None`: not from a URL).
pub fn set_trace_url(url: Option<String>) {
    if let Some(s) = sources() {
        s.trace_url.set(url);
    }
}

/// The page's hash, parsed.
pub fn read() -> ViewHash {
    ViewHash::parse(
        &web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default(),
    )
}

/// The span filter for a selection's span (span id, trace id if known, scope) in the loaded
/// data: a span of the trace file, else a link of the profile
/// ([`Selection::resolve_span`]). `None` without a span, or when neither has it.
pub fn resolve_selection_span(state: AppState, selection: &Selection) -> Option<SpanFilter> {
    let (span, scope) = state
        .traces
        .with_untracked(|t| {
            state.profile.with_untracked(|p| {
                let links = p.as_ref().map_or(&[][..], |p| &p.set.links[..]);
                selection.resolve_span(t.as_ref().map(|t| &t.set), links)
            })
        })
        .ok()??;
    Some(SpanFilter { span, scope })
}

/// The view's selection by ids: the span filter's span (with its full ids), the brushed
/// time range and the attribute picks. Tracks them.
pub fn view_selection(state: AppState) -> Selection {
    let filter = state.span_filter.get();
    state.traces.track();
    let key = filter.as_ref().and_then(|f| span_key(state, f));
    Selection {
        span: key.map(|k| k.span_id),
        trace: key.map(|k| k.trace_id),
        scope: filter.map(|f| f.scope),
        range: state.time_range.get(),
        attrs: state.attrs.get(),
    }
}

/// `selection` as the address writes it: the trace id only when the span id alone would
/// find another span of the loaded traces.
pub fn for_address(state: AppState, mut selection: Selection) -> Selection {
    let ambiguous = selection.span.is_some_and(|span_id| {
        state.traces.with_untracked(|t| {
            t.as_ref().is_some_and(|t| {
                t.set
                    .find_span_id(&span_id)
                    .and_then(|first| t.set.span(first))
                    .is_some_and(|first| Some(first.key.trace_id) != selection.trace)
            })
        })
    });
    if !ambiguous {
        selection.trace = None;
    }
    selection
}

/// The ids of a span filter's span: (span, trace).
pub fn span_key(state: AppState, filter: &SpanFilter) -> Option<SpanKey> {
    match filter.span {
        SpanRef::Key(key) => Some(key),
        SpanRef::Index(i) => state
            .traces
            .with_untracked(|t| t.as_ref()?.set.span(i).map(|s| s.key)),
    }
}

/// Show what `hash` asks for, as far as the loaded data has it: a sample type beyond the
/// profile's, or a span it does not know, is left out. The hash describes the whole view,
/// so what it does not name is reset (no span filter, no search, not zoomed).
pub fn apply(state: AppState, hash: &ViewHash) {
    let types = state
        .profile
        .with_untracked(|p| p.as_ref().map_or(0, |p| p.set.sample_types().len()));
    let sample_type =
        SampleTypeId::from_index(hash.sample_type.filter(|&i| i < types).unwrap_or(0));
    if state.sample_type.get_untracked() != sample_type {
        state.sample_type.set(sample_type);
        state.profile_choice.set(None);
    }
    let filter = resolve_selection_span(state, &hash.selection);
    if state.span_filter.get_untracked() != filter {
        state.span_filter.set(filter);
    }
    let search = SearchQuery {
        text: hash.search.clone().unwrap_or_default(),
        regex: hash.regex,
    };
    if state.search.with_untracked(|s| *s != search) {
        state.search.set(search);
    }
    if state.inverted.get_untracked() != hash.inverted {
        state.inverted.set(hash.inverted);
    }
    if state.zoom.with_untracked(|z| *z != hash.zoom) {
        state.zoom.set(hash.zoom.clone());
    }
    if state.time_range.get_untracked() != hash.selection.range {
        state.time_range.set(hash.selection.range);
    }
    let transforms = crate::transforms_menu::parse(&hash.transforms);
    if state.transforms.with_untracked(|t| *t != transforms) {
        state.transforms.set(transforms);
    }
    if state.attrs.with_untracked(|a| *a != hash.selection.attrs) {
        state.attrs.set(hash.selection.attrs.clone());
    }
    match &hash.sandwich {
        Some(key) => state.open_sandwich(key.clone()),
        None if state.sandwich.with_untracked(Option::is_some) => state.sandwich.set(None),
        None => {}
    }
}

/// The hash for the view shown now.
pub fn current(
    state: AppState,
    sources: Sources,
    diff: Option<crate::diff::DiffState>,
) -> ViewHash {
    let search = state.search.get();
    let sample_type = state.sample_type.get().index();
    ViewHash {
        profile_url: sources.profile_url.get(),
        trace_url: sources.trace_url.get(),
        sample_type: (sample_type != 0).then_some(sample_type),
        selection: for_address(state, view_selection(state)),
        search: (!search.text.is_empty()).then_some(search.text),
        regex: search.regex,
        inverted: state.inverted.get(),
        zoom: state.zoom.get(),
        transforms: state.transforms.with(|t| t.to_hash_string()),
        sandwich: state.sandwich.get(),
        ..crate::diff::hash_part(state, diff)
    }
}

/// Mark the start-up hash as applied: from now on the hash follows the view.
pub fn mark_ready() {
    if let Some(s) = sources() {
        s.ready.set(true);
    }
}

/// Make the [`Sources`] and keep the hash in step with the view (with `replaceState`, which
/// neither adds history entries nor fires `hashchange`).
pub fn watch(state: AppState) {
    let sources = Sources {
        profile_url: RwSignal::new(None),
        trace_url: RwSignal::new(None),
        ready: RwSignal::new(false),
    };
    SOURCES.with(|s| s.set(Some(sources)));
    let diff = use_context::<crate::diff::DiffState>();
    // Written a task after the frame that shows the change (`replaceState` is not free).
    let text = crate::state::after_next_frame(move || {
        sources
            .ready
            .get()
            .then(|| current(state, sources, diff).format())
    });
    Effect::new(move |_| {
        if let Some(text) = text.get() {
            write(&text);
        }
    });
}

fn write(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let now = location.hash().unwrap_or_default();
    if now.trim_start_matches('#') == text {
        return;
    }
    let mut url = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if !text.is_empty() {
        url.push('#');
        url.push_str(text);
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
