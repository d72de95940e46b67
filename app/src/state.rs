//! The app's state: one [`AppState`] of Leptos signals, provided once by
//! [`crate::App`] and read anywhere with `expect_context::<AppState>()`.
//!
//! Inputs are `RwSignal`s (what is loaded and what the user chose); everything computed
//! from them is a `Memo`, so the call tree is rebuilt only when the data or the filter
//! changes, and the layout only when the tree or the zoom changes. No drawing here.

use std::ops::Deref;
use std::sync::Arc;

use leptos::prelude::*;
use spanflame_core::model::{ProfileId, ResourceId, SampleTypeId};
use spanflame_core::navigate::{FunctionKey, find_path};
use spanflame_core::palette::{ColourMode, Palette};
pub use spanflame_core::scope::{Scope, SpanRef};
use spanflame_core::search::SearchHits;
use spanflame_core::viewport::Orientation;
use spanflame_core::{
    CallTree, Filter, FlameLayout, FunctionStats, NodeId, ProfileSet, Sandwich, TraceSet,
};

/// A function's callers and callees ([`Sandwich`]), each tree shared with its graph.
#[derive(Debug, Clone, PartialEq)]
pub struct SandwichTrees {
    /// The function.
    pub function: FunctionKey,
    /// Weight of its samples where it is the leaf.
    pub self_weight: i64,
    /// Weight of its samples, each counted once.
    pub total_weight: i64,
    /// Weight of every sample the view keeps.
    pub view_total: i64,
    /// Bottom-up: the function, its callers below it.
    pub callers: Shared<CallTree>,
    /// Top-down: the function, its callees below it.
    pub callees: Shared<CallTree>,
}

/// The zoom paths of the sandwich view's two graphs.
#[derive(Clone, Copy)]
pub struct SandwichZoom {
    /// The callers' graph.
    pub callers: RwSignal<Vec<FunctionKey>>,
    /// The callees' graph.
    pub callees: RwSignal<Vec<FunctionKey>>,
}

impl From<Sandwich> for SandwichTrees {
    fn from(s: Sandwich) -> Self {
        SandwichTrees {
            function: s.function,
            self_weight: s.self_weight,
            total_weight: s.total_weight,
            view_total: s.view_total,
            callers: Shared::new(s.callers),
            callees: Shared::new(s.callees),
        }
    }
}

/// An `Arc` compared by identity, so that memos of large values are cheap to compare.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Shared<T> {
    /// Wrap a value.
    pub fn new(value: T) -> Self {
        Shared(Arc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A loaded profile file.
#[derive(Debug)]
pub struct LoadedProfile {
    /// Everything the file holds.
    pub set: ProfileSet,
    /// Where it came from: a file name or URL.
    pub source: String,
}

/// A loaded trace file.
#[derive(Debug)]
pub struct LoadedTraces {
    /// The spans.
    pub set: TraceSet,
    /// Where they came from: a file name or URL.
    pub source: String,
}

/// "Show only the samples of this span": set by the trace waterfall, the address, a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanFilter {
    /// The span.
    pub span: SpanRef,
    /// How much around it.
    pub scope: Scope,
}

impl SpanFilter {
    /// What the filter keeps, by the one rule of [`spanflame_core::scope`] (a span the
    /// traces lack keeps what its ids can say; an index into no traces keeps nothing).
    pub fn selection(&self, traces: Option<&TraceSet>) -> spanflame_core::ScopeSelection {
        spanflame_core::scope::select(traces, self.span, self.scope)
    }

    /// Narrow `filter` to this span.
    pub fn apply(&self, filter: &mut Filter, traces: Option<&TraceSet>) {
        self.selection(traces).apply(filter);
    }
}

// One picked attribute condition, and the core conditions for the picks.
pub use spanflame_core::selection::{AttrPick, conditions};

// The search box's query lives with the matcher, below the state.
pub use crate::matcher::SearchQuery;

/// The outcome of the search over the current tree.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchState {
    /// Nothing typed.
    Off,
    /// The regular expression does not parse; the message says why.
    Invalid(String),
    /// Matching frames.
    Hits(Shared<SearchHits>),
}

/// The search `query` over `tree`.
pub fn search_in(tree: &Option<Shared<CallTree>>, query: &SearchQuery) -> SearchState {
    let Some(tree) = tree else {
        return SearchState::Off;
    };
    match crate::matcher::build(query) {
        Ok(None) => SearchState::Off,
        Ok(Some(matcher)) => {
            SearchState::Hits(Shared::new(spanflame_core::search::search(tree, |name| {
                matcher.is_match(name)
            })))
        }
        Err(message) => SearchState::Invalid(message),
    }
}

/// The laid-out flame graph for the current zoom.
#[derive(Debug, Clone, PartialEq)]
pub struct Zoomed {
    /// The tree laid out.
    pub tree: Shared<CallTree>,
    /// The node spanning the full width ([`CallTree::ROOT`] when not zoomed).
    pub focus: NodeId,
    /// The rectangles.
    pub layout: Shared<FlameLayout>,
}

impl Zoomed {
    /// `tree` laid out with the frame at the end of `path` (found by function) spanning
    /// the width; the whole tree when the path is empty or not in it.
    pub fn new(tree: Shared<CallTree>, path: &[FunctionKey]) -> Zoomed {
        let focus = find_path(&tree, path);
        let layout = Shared::new(FlameLayout::focused(&tree, focus));
        Zoomed {
            tree,
            focus,
            layout,
        }
    }
}

/// How long the last load took, in milliseconds (from `performance.now()`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// When reading the file began.
    pub started: f64,
    /// Decoding the bytes with the core, from hand-over to the decoded set on this thread.
    pub parse: f64,
    /// Of `parse`, the time this thread was busy (all of it when not decoded in a worker).
    pub parse_main: f64,
    /// Whether a worker decoded the file.
    pub in_worker: bool,
    /// The worker's peak wasm memory, in bytes (0 without a worker).
    pub worker_memory: f64,
    /// Building the call tree (the last build).
    pub tree: f64,
    /// Laying out the flame graph (the last layout).
    pub layout: f64,
    /// Drawing the canvas (the first draw after the load).
    pub draw: f64,
    /// From the start of reading to the end of the first draw; 0 while that is pending.
    pub total: f64,
}

/// Milliseconds since page load, for timings.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Every signal of the app. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The loaded profile file.
    pub profile: RwSignal<Option<Shared<LoadedProfile>>>,
    /// The loaded trace file.
    pub traces: RwSignal<Option<Shared<LoadedTraces>>>,
    /// Index into the profile's sample types.
    pub sample_type: RwSignal<SampleTypeId>,
    /// One profile of the file, or all of the chosen sample type.
    pub profile_choice: RwSignal<Option<ProfileId>>,
    /// One resource (process/service) of the file, or all.
    pub resource_choice: RwSignal<Option<ResourceId>>,
    /// Samples of one span only (set by the waterfall).
    pub span_filter: RwSignal<Option<SpanFilter>>,
    /// Samples in this time range `[from, to)` (UTC ns) only: the timeline's brush.
    pub time_range: RwSignal<Option<(u64, u64)>>,
    /// Stack transforms, applied in order (empty: none).
    pub transforms: RwSignal<spanflame_core::Transforms>,
    /// The stack table rewritten by [`AppState::transforms`]; `None` without any.
    pub transformed: Memo<Option<Shared<spanflame_core::Transformed>>>,
    /// Attribute conditions from the filter bar, in order.
    pub attrs: RwSignal<Vec<AttrPick>>,
    /// The function the user picked (frame click, keyboard, table row); the graph outlines
    /// its frames and the waterfall can highlight the spans running it.
    pub selected_function: RwSignal<Option<String>>,
    /// The function whose callers and callees are shown instead of the flame graph.
    pub sandwich: RwSignal<Option<FunctionKey>>,
    /// Its sandwich over the filtered, transformed samples.
    pub sandwich_trees: Memo<Option<SandwichTrees>>,
    /// The zoomed-in frames of its two graphs, as [`AppState::zoom`] (what an export draws).
    pub sandwich_zoom: SandwichZoom,
    /// The search box.
    pub search: RwSignal<SearchQuery>,
    /// The zoomed-in frame, as the functions from the root (empty: not zoomed).
    pub zoom: RwSignal<Vec<FunctionKey>>,
    /// What picks frame colours.
    pub colour_mode: RwSignal<ColourMode>,
    /// Package hues.
    pub palette: RwSignal<Palette>,
    /// Root at the top or at the bottom.
    pub orientation: RwSignal<Orientation>,
    /// The graph is the bottom-up (inverted) tree: the functions samples end in are the
    /// roots, their callers below. The functions table is about the top-down tree either way.
    pub inverted: RwSignal<bool>,
    /// `Some(dark)` forces a theme; `None` follows the system.
    pub theme_override: RwSignal<Option<bool>>,
    /// The system's `prefers-color-scheme: dark`.
    pub system_dark: RwSignal<bool>,
    /// Whether the current profile's flame graph has been drawn. Work the graph does not
    /// need (the functions table, the waterfall's per-span sample counts) waits for it, so
    /// that a big profile shows its graph first.
    pub flame_painted: RwSignal<bool>,
    /// A problem to show (dismissable); the view stays as it was.
    pub error: RwSignal<Option<String>>,
    /// What is being loaded, while it is.
    pub busy: RwSignal<Option<String>>,
    /// Timings of the last load.
    pub timings: RwSignal<Timings>,

    /// Whether the dark theme is in effect.
    pub dark: Memo<bool>,
    /// The core filter from the choices above.
    pub filter: Memo<Filter>,
    /// The call tree of the filtered samples.
    pub tree: Memo<Option<Shared<CallTree>>>,
    /// The flame graph layout at the current zoom.
    pub zoomed: Memo<Option<Zoomed>>,
    /// Search results over the whole tree.
    pub search_state: Memo<SearchState>,
    /// Per-function self and total weight, of the [`AppState::settled`] view.
    pub functions: Memo<Option<Shared<Vec<FunctionStats>>>>,
    /// The view as the flame graph has had a frame to show it. Views beside the graph (the
    /// functions table, the span list's counts) follow this rather than the live memos, so
    /// that a brush or a span click repaints the graph first and them one task later.
    pub settled: ReadSignal<Option<Settled>>,
}

/// `source`'s value as of a task after the next frame: a timeout queued from an animation
/// frame callback runs once that frame is rendered, so an input's repaint of the graph
/// (queued for the same frame) is on screen before whatever follows this. For the views
/// beside the graph. Starts with `source`'s value now.
pub fn after_next_frame<T>(source: impl Fn() -> T + 'static) -> ReadSignal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let (value, set) = signal(untrack(&source));
    Effect::new(move |_| {
        let next = source();
        request_animation_frame(move || {
            set_timeout(
                move || {
                    if value.try_with_untracked(|v| *v != next) == Some(true) {
                        set.try_set(next);
                    }
                },
                std::time::Duration::ZERO,
            );
        });
    });
    value
}

/// The view's filter, brushed range and call tree, one frame after they changed
/// ([`AppState::settled`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    /// The view's filter (span, range and attribute picks narrowed into it).
    pub filter: Filter,
    /// The timeline's brushed range, apart from a span's time window.
    pub range: Option<(u64, u64)>,
    /// The graph's call tree.
    pub tree: Option<Shared<CallTree>>,
}

/// Per-function self and total weight of `tree`, the call tree of `filter`'s samples. Those
/// are the top-down tree's: for an inverted `tree` the top-down one is built.
pub fn function_stats_of(
    set: &ProfileSet,
    tree: &CallTree,
    filter: &Filter,
    transformed: Option<&spanflame_core::Transformed>,
) -> Shared<Vec<FunctionStats>> {
    if !tree.is_inverted() {
        return Shared::new(tree.function_stats());
    }
    let top_down = build_tree(set, filter, transformed, false);
    Shared::new(top_down.function_stats())
}

/// The call tree of `filter`'s samples, after the transforms when any, top-down or inverted.
pub fn build_tree(
    set: &spanflame_core::ProfileSet,
    filter: &Filter,
    transformed: Option<&spanflame_core::Transformed>,
    inverted: bool,
) -> CallTree {
    match (transformed, inverted) {
        (Some(t), false) => set.call_tree_with(filter, t),
        (Some(t), true) => set.inverted_call_tree_with(filter, t),
        (None, false) => set.call_tree(filter),
        (None, true) => set.inverted_call_tree(filter),
    }
}

impl AppState {
    /// Create the signals and memos. Call once, inside the app's owner.
    pub fn new() -> Self {
        let profile = RwSignal::new(None::<Shared<LoadedProfile>>);
        let traces = RwSignal::new(None::<Shared<LoadedTraces>>);
        let sample_type = RwSignal::new(SampleTypeId::default());
        let profile_choice = RwSignal::new(None);
        let resource_choice = RwSignal::new(None);
        let span_filter = RwSignal::new(None::<SpanFilter>);
        let time_range = RwSignal::new(None::<(u64, u64)>);
        let attrs = RwSignal::new(Vec::<AttrPick>::new());
        let transforms = RwSignal::new(spanflame_core::Transforms::default());
        let transformed = Memo::new(move |_| {
            let ts = transforms.get();
            if ts.0.is_empty() {
                return None;
            }
            profile.with(|p| p.as_ref().map(|p| Shared::new(p.set.transform(&ts))))
        });
        let search = RwSignal::new(SearchQuery::default());
        let zoom = RwSignal::new(Vec::new());
        let theme_override = RwSignal::new(None);
        let system_dark = RwSignal::new(false);
        let timings = RwSignal::new(Timings::default());
        let inverted = RwSignal::new(false);

        let dark = Memo::new(move |_| theme_override.get().unwrap_or_else(|| system_dark.get()));
        let filter = Memo::new(move |_| {
            let mut filter = Filter {
                sample_type: sample_type.get(),
                profiles: profile_choice.get().map(|p| vec![p]),
                resources: resource_choice.get().map(|r| vec![r]),
                ..Filter::default()
            };
            let span = span_filter.get().map(|f| (f.span, f.scope));
            traces.with(|t| {
                attrs.with(|a| {
                    spanflame_core::selection::narrow(
                        &mut filter,
                        span,
                        time_range.get(),
                        a,
                        t.as_ref().map(|t| &t.set),
                    );
                });
            });
            filter
        });
        let tree = Memo::new(move |_| {
            let filter = filter.get();
            profile.with(|p| {
                p.as_ref().map(|p| {
                    let t0 = now();
                    let transformed = transformed.get();
                    let tree = build_tree(&p.set, &filter, transformed.as_deref(), inverted.get());
                    let ms = now() - t0;
                    timings.update_untracked(|t| t.tree = ms);
                    Shared::new(tree)
                })
            })
        });
        let zoomed = Memo::new(move |_| {
            let tree = tree.get()?;
            let t0 = now();
            let zoomed = zoom.with(|path| Zoomed::new(tree, path));
            let ms = now() - t0;
            timings.update_untracked(|t| t.layout = ms);
            Some(zoomed)
        });
        let sandwich = RwSignal::new(None::<FunctionKey>);
        let sandwich_trees = Memo::new(move |_| {
            let key = sandwich.get()?;
            let filter = filter.get();
            let transformed = transformed.get();
            profile.with(|p| {
                let set = &p.as_ref()?.set;
                let sandwich = match transformed.as_deref() {
                    Some(t) => set.sandwich_with(&filter, t, &key),
                    None => set.sandwich(&filter, &Default::default(), &key),
                };
                Some(SandwichTrees::from(sandwich))
            })
        });
        let search_state = Memo::new(move |_| search.with(|q| tree.with(|t| search_in(t, q))));
        let flame_painted = RwSignal::new(false);
        let settled = after_next_frame(move || {
            Some(Settled {
                filter: filter.get(),
                range: time_range.get(),
                tree: tree.get(),
            })
        });
        let functions = Memo::new(move |_| {
            if !flame_painted.get() {
                return None;
            }
            let (filter, tree) = settled.with(|s| {
                let s = s.as_ref()?;
                Some((s.filter.clone(), s.tree.clone()?))
            })?;
            let transformed = transformed.get();
            profile.with(|p| {
                Some(function_stats_of(
                    &p.as_ref()?.set,
                    &tree,
                    &filter,
                    transformed.as_deref(),
                ))
            })
        });

        AppState {
            profile,
            traces,
            sample_type,
            profile_choice,
            resource_choice,
            span_filter,
            time_range,
            transforms,
            transformed,
            attrs,
            selected_function: RwSignal::new(None),
            sandwich,
            sandwich_trees,
            sandwich_zoom: SandwichZoom {
                callers: RwSignal::new(Vec::new()),
                callees: RwSignal::new(Vec::new()),
            },
            search,
            zoom,
            colour_mode: RwSignal::new(ColourMode::default()),
            palette: RwSignal::new(Palette::default()),
            orientation: RwSignal::new(Orientation::default()),
            inverted,
            theme_override,
            system_dark,
            flame_painted,
            settled,
            error: RwSignal::new(None),
            busy: RwSignal::new(None),
            timings,
            dark,
            filter,
            tree,
            zoomed,
            search_state,
            functions,
        }
    }

    /// Show a newly loaded profile: the first sample type, all profiles, not zoomed.
    /// The span filter stays (it is about the traces, which stay).
    pub fn set_profile(&self, loaded: LoadedProfile) {
        self.show_profile(Shared::new(loaded));
    }

    /// [`AppState::set_profile`] for a profile already loaded (the diff's swap).
    pub fn show_profile(&self, loaded: Shared<LoadedProfile>) {
        self.sample_type.set(SampleTypeId::default());
        self.profile_choice.set(None);
        self.resource_choice.set(None);
        self.zoom.set(Vec::new());
        self.time_range.set(None);
        self.attrs.set(Vec::new());
        self.transforms.set(Default::default());
        self.selected_function.set(None);
        self.sandwich.set(None);
        self.flame_painted.set(false);
        self.profile.set(Some(loaded));
    }

    /// Show newly loaded traces; a span filter pointing into the old ones is dropped.
    pub fn set_traces(&self, loaded: LoadedTraces) {
        self.span_filter.set(None);
        self.traces.set(Some(Shared::new(loaded)));
    }

    /// The (name, file) of the function named `name` in the current view, if any (the
    /// heaviest by self weight when several files have one).
    pub fn function_key(&self, name: &str) -> Option<FunctionKey> {
        let functions = self.functions.get_untracked()?;
        let f = functions.iter().find(|f| f.name == name)?;
        Some((f.name.clone(), f.file.clone()))
    }

    /// The call tree of the [`AppState::settled`] view (what the functions table and the
    /// header's total are of). Tracks it.
    pub fn settled_tree(&self) -> Option<Shared<CallTree>> {
        self.settled.with(|s| s.as_ref()?.tree.clone())
    }

    /// A reactive "is `name` the selected function", for table rows.
    pub fn is_selected(&self, name: String) -> impl Fn() -> bool + Clone + 'static {
        let selected = self.selected_function;
        move || selected.with(|s| s.as_deref() == Some(name.as_str()))
    }

    /// Select function `name`, or clear the selection when it is the selected one.
    pub fn toggle_selected(&self, name: &str) {
        let picked = self.selected_function.get_untracked().as_deref() != Some(name);
        self.selected_function.set(picked.then(|| name.to_owned()));
    }

    /// Show the callers and callees of `key` instead of the flame graph.
    pub fn open_sandwich(&self, key: FunctionKey) {
        if self.selected_function.get_untracked().as_deref() != Some(key.0.as_str()) {
            self.selected_function.set(Some(key.0.clone()));
        }
        if self.sandwich.with_untracked(|s| s.as_ref() != Some(&key)) {
            self.sandwich.set(Some(key));
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
