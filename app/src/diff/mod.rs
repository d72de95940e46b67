//! The differential flame graph: a **baseline** beside the loaded profile, which becomes the
//! **comparison**. The graph stays the comparison's tree (width = comparison) with its frames
//! coloured by the change of their share of the total ([`spanflame_core::diff`],
//! [`spanflame_core::palette::diff_colour`]); [`DiffTable`] lists before, after and the
//! change per function; [`DiffBar`] says what is compared and how to leave.
//!
//! The baseline is another file ("Compare with…", [`Baseline::File`]), the other spans
//! with the filtered span's name ([`Baseline::SameName`]), or a selection of the loaded
//! data pinned from the view ("Set as baseline", [`Baseline::Pinned`]: a span in its scope,
//! a time range, attribute conditions, by ids), so that the view can then select another
//! span, range or attribute value and be compared with it. The comparison is whatever the
//! view selects; a file baseline gets the view's sample type (matched by name and unit),
//! attribute conditions and transforms, but not its profile, resource, span or time range,
//! which are the other file's own. A pinned one gets the view's sample type, profile,
//! resource and transforms, and its own span, range and attributes, narrowed by the rule the
//! view's filter uses ([`spanflame_core::selection::narrow`]). Everything is a memo over
//! [`AppState`] and [`DiffState::baseline`]: leaving diff mode is setting that to `None`.
//!
//! Its state is a context of its own ([`DiffState`], provided by [`crate::App`]); views that
//! show diffs ask for it with `use_context` and draw as before without it.

mod controls;
mod table;

use leptos::prelude::*;
use leptos::task::spawn_local;
use spanflame_core::diff::FunctionDiff;
use spanflame_core::model::SampleTypeId;
use spanflame_core::selection::SpanNotFound;
use spanflame_core::view_hash::{Selection, ViewHash};
use spanflame_core::{CallTree, Diff, Filter, Loaded, ProfileSet, SpanIdx, SpanRef, TraceSet};

pub use controls::{CompareButton, DiffBar, PinButton, SameNameButton};
pub use table::DiffTable;

use crate::decoder::Input;
use crate::state::{AppState, LoadedProfile, Shared, build_tree};

/// What the loaded profile is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// Another profile file.
    File(Shared<LoadedProfile>),
    /// The other spans with the name (and service) of the span the view is filtered to.
    SameName,
    /// A selection of the loaded data pinned from the view ("Set as baseline").
    Pinned(Selection),
}

/// The diff's signals and memos. `Copy`, like [`AppState`].
#[derive(Clone, Copy)]
pub struct DiffState {
    /// The baseline; `None`: not comparing.
    pub baseline: RwSignal<Option<Baseline>>,
    /// The URL a file baseline came from, for the address (`None`: a local file).
    pub baseline_url: RwSignal<Option<String>>,
    /// Dim unchanged frames and hide unchanged rows of the table.
    pub only_changed: RwSignal<bool>,
    /// The baseline paired with the graph's tree (same node ids), when both exist.
    pub diff: Memo<Option<Shared<Diff>>>,
    /// Per-function before and after, over the top-down trees (as the plain table).
    pub functions: Memo<Option<Shared<Vec<FunctionDiff>>>>,
}

thread_local! {
    /// The page's [`DiffState`], for loading code that runs outside the component tree.
    static INSTALLED: std::cell::Cell<Option<DiffState>> = const { std::cell::Cell::new(None) };
}

impl DiffState {
    /// The page's diff state, once [`DiffState::new`] made it.
    pub fn installed() -> Option<DiffState> {
        INSTALLED.with(std::cell::Cell::get)
    }

    /// Create the signals and memos over `state`. Call once, inside the app's owner.
    pub fn new(state: AppState) -> Self {
        let baseline = RwSignal::new(None::<Baseline>);
        let input = Memo::new(move |_| base_input(state, &baseline.get()?));
        let tree = Memo::new(move |_| {
            input.with(|i| {
                let i = i.as_ref()?;
                Some(Shared::new(base_tree(state, i, state.inverted.get())?))
            })
        });
        let diff = Memo::new(move |_| {
            let base = tree.get()?;
            let comparison = state.tree.get()?;
            // Both are cloned: the pairing's node ids are the graph's, and the baseline's
            // tree stays for the next view.
            Some(Shared::new(Diff::new(
                CallTree::clone(&base),
                CallTree::clone(&comparison),
            )))
        });
        let functions = Memo::new(move |_| {
            if !state.inverted.get() {
                return diff.get().map(|d| Shared::new(d.functions()));
            }
            // Self and total weights are the top-down trees' (as in the plain table).
            let base = input.with(|i| base_tree(state, i.as_ref()?, false))?;
            let filter = state.filter.get();
            let transformed = state.transformed.get();
            let comparison = state.profile.with(|p| {
                p.as_ref()
                    .map(|p| build_tree(&p.set, &filter, transformed.as_deref(), false))
            })?;
            Some(Shared::new(Diff::new(base, comparison).functions()))
        });
        let made = DiffState {
            baseline,
            baseline_url: RwSignal::new(None),
            only_changed: RwSignal::new(false),
            diff,
            functions,
        };
        INSTALLED.with(|d| d.set(Some(made)));
        made
    }

    /// Make the profile on screen the baseline (before another is shown as the comparison):
    /// two profiles opened at once are compared, the first as the baseline.
    pub fn baseline_from_shown(&self, state: AppState) {
        let Some(shown) = state.profile.get_untracked() else {
            return;
        };
        let url = crate::view_hash::sources().and_then(|s| s.profile_url.get_untracked());
        self.baseline.set(Some(Baseline::File(shown)));
        self.baseline_url.set(url);
    }

    /// Whether a baseline is set (diff mode, even while its tree cannot be built).
    pub fn active(&self) -> bool {
        self.baseline.with(Option::is_some)
    }

    /// The diff if it pairs `tree`'s nodes (a memo can lag a tree by one run).
    pub fn for_tree(&self, tree: &CallTree) -> Option<Shared<Diff>> {
        self.diff
            .get()
            .filter(|d| d.comparison().len() == tree.len() && d.totals().1 == tree.total())
    }

    /// Leave diff mode.
    pub fn exit(&self) {
        self.baseline.set(None);
        self.baseline_url.set(None);
        self.only_changed.set(false);
    }

    /// Compare with the other spans named as the filtered one.
    pub fn compare_same_name(&self) {
        self.baseline_url.set(None);
        self.baseline.set(Some(Baseline::SameName));
    }

    /// Pin what the view selects (span, time range, attribute picks) as the baseline; the
    /// view then changes on its own. Nothing happens when it selects nothing in particular.
    pub fn pin(&self, state: AppState) {
        let selection = untrack(|| crate::view_hash::view_selection(state));
        if selection.is_empty() {
            return;
        }
        self.baseline_url.set(None);
        self.baseline.set(Some(Baseline::Pinned(selection)));
    }

    /// Whether `key` is the span of a pinned baseline (by its span id, and trace id when
    /// the pin has one).
    pub fn is_pinned_span(&self, key: spanflame_core::SpanKey) -> bool {
        self.baseline.with(|b| {
            matches!(b, Some(Baseline::Pinned(p))
                if p.span == Some(key.span_id) && p.trace.is_none_or(|t| t == key.trace_id))
        })
    }

    /// A new profile was loaded: a selection pinned from the previous one's view goes.
    pub fn profile_replaced(&self) {
        if self
            .baseline
            .with_untracked(|b| matches!(b, Some(Baseline::Pinned(_))))
        {
            self.exit();
        }
    }

    /// Swap the two sides: a file baseline becomes the loaded profile (and the other way
    /// round); a pinned selection becomes the view's, and the view's is pinned. A pinned
    /// span the loaded data lacks cannot be shown, nor a view that selects nothing pinned,
    /// so those do nothing.
    pub fn swap(&self, state: AppState) {
        let base = match self.baseline.get_untracked() {
            Some(Baseline::File(base)) => base,
            Some(Baseline::Pinned(pinned)) => {
                let span = crate::view_hash::resolve_selection_span(state, &pinned);
                if pinned.span.is_some() && span.is_none() {
                    return;
                }
                let current = untrack(|| crate::view_hash::view_selection(state));
                if current.is_empty() {
                    return;
                }
                state.span_filter.set(span);
                state.time_range.set(pinned.range);
                state.attrs.set(pinned.attrs);
                self.baseline.set(Some(Baseline::Pinned(current)));
                return;
            }
            _ => return,
        };
        let Some(current) = state.profile.get_untracked() else {
            return;
        };
        let current_url = crate::view_hash::sources().and_then(|s| s.profile_url.get_untracked());
        state.show_profile(base);
        crate::view_hash::set_profile_url(self.baseline_url.get_untracked());
        self.baseline.set(Some(Baseline::File(current)));
        self.baseline_url.set(current_url);
    }
}

/// The sample type of `set` to compare with the one shown: same name and unit, else the
/// same unit, else the first.
fn matching_sample_type(state: AppState, set: &ProfileSet) -> SampleTypeId {
    let index = state.sample_type.get().index();
    let wanted = state.profile.with(|p| {
        p.as_ref()
            .and_then(|p| p.set.sample_types().get(index).cloned())
    });
    let Some(wanted) = wanted else {
        return SampleTypeId::default();
    };
    let types = set.sample_types();
    types
        .iter()
        .position(|t| *t == wanted)
        .or_else(|| types.iter().position(|t| t.unit == wanted.unit))
        .map_or_else(SampleTypeId::default, SampleTypeId::from_index)
}

/// When a file baseline lacks the sample type shown: what it is compared in instead, in
/// words (`None` when the types match or the baseline is not a file).
pub fn sample_type_mismatch(state: AppState, baseline: &Baseline) -> Option<String> {
    let Baseline::File(file) = baseline else {
        return None;
    };
    let index = state.sample_type.get().index();
    let shown = state.profile.with(|p| {
        p.as_ref()
            .and_then(|p| p.set.sample_types().get(index).cloned())
    })?;
    let used = file
        .set
        .sample_types()
        .get(matching_sample_type(state, &file.set).index())?
        .clone();
    (used != shown)
        .then(|| format!("The baseline has no {shown} samples: it is compared in {used}."))
}

/// The span index of `span` in `traces`, if they have it.
fn span_index(span: SpanRef, traces: &TraceSet) -> Option<SpanIdx> {
    match span {
        SpanRef::Index(i) => traces.span(i).map(|_| i),
        SpanRef::Key(key) => traces.resolve_link(&key),
    }
}

/// The filtered span's name and how many other spans share it (and its service); `None`
/// without a span filter on a span of the loaded traces.
pub fn same_name_info(state: AppState) -> Option<(String, usize)> {
    let span = state.span_filter.get()?;
    state.traces.with(|t| {
        let traces = &t.as_ref()?.set;
        let i = span_index(span.span, traces)?;
        Some((traces.span(i)?.name.clone(), traces.same_name_count(i)))
    })
}

/// The view's filter with its span part replaced by the other spans of the same name.
fn same_name_filter(state: AppState) -> Option<Filter> {
    let span = state.span_filter.get()?;
    let mut filter = state.filter.get();
    // Undo what the span filter added; the time brush stays.
    filter.spans = None;
    filter.time = state.time_range.get();
    state.traces.with(|t| {
        let traces = &t.as_ref()?.set;
        let i = span_index(span.span, traces)?;
        traces.select_same_name(i, span.scope).apply(&mut filter);
        Some(filter)
    })
}

/// The filter of a pinned selection: the view's sample type, profile and resource, narrowed
/// to the pinned span, range and attributes by the rule of the view's own filter. An error
/// when the loaded data lacks the pinned span.
pub fn pinned_filter(state: AppState, pinned: &Selection) -> Result<Filter, SpanNotFound> {
    let view = state.filter.get();
    state.traces.with(|t| {
        state.profile.with(|p| {
            let links = p.as_ref().map_or(&[][..], |p| &p.set.links[..]);
            pinned.filter(&view, t.as_ref().map(|t| &t.set), links)
        })
    })
}

/// The time a pinned baseline covers, for the timeline: its range, else its span's time in
/// the loaded traces; `None` for other baselines or a span known by ids only.
pub fn pinned_time(state: AppState, diff: DiffState) -> Option<(u64, u64)> {
    let Some(Baseline::Pinned(pinned)) = diff.baseline.get() else {
        return None;
    };
    if pinned.range.is_some() {
        return pinned.range;
    }
    state.traces.track();
    state.profile.track();
    let span = crate::view_hash::resolve_selection_span(state, &pinned)?;
    match span.span {
        SpanRef::Index(i) => state
            .traces
            .with(|t| t.as_ref()?.set.span(i).map(|s| (s.start, s.end))),
        SpanRef::Key(_) => None,
    }
}

/// A selection in words ([`Selection::describe`]), times from the profile's first sample.
pub fn describe_selection(state: AppState, selection: &Selection) -> String {
    state.traces.with(|t| {
        state.profile.with(|p| {
            let links = p.as_ref().map_or(&[][..], |p| &p.set.links[..]);
            let start = p.as_ref().and_then(|p| p.set.time_range()).map(|r| r.0);
            selection.describe(t.as_ref().map(|t| &t.set), links, start)
        })
    })
}

/// Which samples the baseline's tree is made of: a file's (its own set) or the loaded
/// profile's, and the filter. Compared by value: a view change that leaves it as it was (a
/// click on another span with a pinned range, say) does not rebuild the baseline's tree.
#[derive(Debug, Clone, PartialEq)]
struct BaseInput {
    /// A file baseline's profile; `None`: the loaded profile.
    file: Option<Shared<LoadedProfile>>,
    /// The baseline's filter, under the view's choices that apply to it.
    filter: Filter,
}

/// The baseline's [`BaseInput`]; `None` when it cannot be built (no span to take the name
/// of, a pinned span the data lacks).
fn base_input(state: AppState, baseline: &Baseline) -> Option<BaseInput> {
    match baseline {
        Baseline::File(file) => Some(BaseInput {
            filter: Filter {
                sample_type: matching_sample_type(state, &file.set),
                conditions: state.filter.with(|f| f.conditions.clone()),
                ..Filter::default()
            },
            file: Some(file.clone()),
        }),
        Baseline::Pinned(pinned) => Some(BaseInput {
            file: None,
            filter: pinned_filter(state, pinned).ok()?,
        }),
        Baseline::SameName => Some(BaseInput {
            file: None,
            filter: same_name_filter(state)?,
        }),
    }
}

/// The baseline's call tree, top-down or `inverted`, with the view's transforms.
fn base_tree(state: AppState, input: &BaseInput, inverted: bool) -> Option<CallTree> {
    match &input.file {
        Some(file) => {
            let set = &file.set;
            let transforms = state.transforms.get();
            let transformed = (!transforms.0.is_empty()).then(|| set.transform(&transforms));
            Some(build_tree(
                set,
                &input.filter,
                transformed.as_ref(),
                inverted,
            ))
        }
        None => {
            let transformed = state.transformed.get();
            state.profile.with(|p| {
                p.as_ref()
                    .map(|p| build_tree(&p.set, &input.filter, transformed.as_deref(), inverted))
            })
        }
    }
}

/// Decode `bytes` off the main thread and make them the baseline. A file that is not a
/// profile, or does not decode, leaves the view as it was and says why.
pub async fn open_baseline(
    state: AppState,
    diff: DiffState,
    source: String,
    input: Result<Input, String>,
    url: Option<String>,
) {
    let input = match input {
        Ok(input) => input,
        Err(message) => {
            state.error.set(Some(message));
            return;
        }
    };
    state.busy.set(Some(format!("Reading baseline {source}…")));
    let decoded = crate::decoder::decode(input).await;
    state.busy.set(None);
    match decoded.result {
        Ok(Loaded::Profiles(set)) if set.sample_types().is_empty() => {
            state.error.set(Some(format!(
                "Could not compare with {source}: it holds no profiles."
            )));
        }
        Ok(Loaded::Profiles(set)) => {
            state.error.set(None);
            diff.baseline
                .set(Some(Baseline::File(Shared::new(LoadedProfile {
                    set,
                    source,
                }))));
            diff.baseline_url.set(url);
        }
        Ok(Loaded::Traces(_)) => {
            state.error.set(Some(format!(
                "Could not compare with {source}: it holds traces, not a profile."
            )));
        }
        Err(error) => {
            state
                .error
                .set(Some(format!("Could not read {source}: {error}")));
        }
    }
}

/// Read a local file as the baseline.
pub fn open_baseline_file(state: AppState, diff: DiffState, file: web_sys::File) {
    crate::decoder::warm();
    spawn_local(async move {
        let name = file.name();
        open_baseline(state, diff, name, Ok(Input::Blob(file.into())), None).await;
    });
}

/// Fetch `url` (one the user put in the address) as the baseline.
pub async fn load_baseline_url(state: AppState, diff: DiffState, url: String) {
    crate::decoder::warm();
    state.busy.set(Some(format!("Loading baseline {url}…")));
    let file = crate::loading::fetch_file(&url).await;
    open_baseline(state, diff, url.clone(), file, Some(url)).await;
}

/// The diff's part of the address: a baseline that came from a URL, the same-name spans, or
/// a pinned selection. A local file's baseline cannot be fetched again, so it is not written.
pub fn hash_part(state: AppState, diff: Option<DiffState>) -> ViewHash {
    let Some(diff) = diff else {
        return ViewHash::default();
    };
    let baseline = diff.baseline.get();
    ViewHash {
        baseline_url: match baseline {
            Some(Baseline::File(_)) => diff.baseline_url.get(),
            _ => None,
        },
        same_name: matches!(baseline, Some(Baseline::SameName)),
        baseline: match baseline {
            Some(Baseline::Pinned(pinned)) => crate::view_hash::for_address(state, pinned),
            _ => Selection::default(),
        },
        ..ViewHash::default()
    }
}

/// Whether `pinned` is what the address's `wanted` names (which leaves out a trace id the
/// span id alone finds).
fn same_pin(pinned: &Selection, wanted: &Selection) -> bool {
    let trace = wanted.trace.or(pinned.trace);
    *pinned
        == Selection {
            trace: pinned.span.and(trace),
            scope: wanted.span.and(Some(wanted.scope())),
            ..wanted.clone()
        }
}

/// Show the baseline `hash` names: a pinned selection (`baseSpan=`, `baseRange=`,
/// `baseAttr=`, ...), the same-name spans, or a `baselineURL` (fetched when not loaded yet).
/// A hash naming none ends a comparison it could have named (not one with a local file,
/// which it never names).
pub async fn follow_hash(state: AppState, diff: Option<DiffState>, hash: &ViewHash) {
    let Some(diff) = diff else { return };
    if !hash.baseline.is_empty() {
        let mut wanted = hash.baseline.clone();
        wanted.scope = wanted.span.and(Some(wanted.scope()));
        let known = diff
            .baseline
            .with_untracked(|b| matches!(b, Some(Baseline::Pinned(p)) if same_pin(p, &wanted)));
        if !known {
            diff.baseline_url.set(None);
            diff.baseline.set(Some(Baseline::Pinned(wanted)));
        }
        return;
    }
    if hash.same_name {
        if diff.baseline.get_untracked() != Some(Baseline::SameName) {
            diff.compare_same_name();
        }
        return;
    }
    if let Some(url) = &hash.baseline_url {
        if diff.baseline_url.get_untracked().as_ref() != Some(url) {
            load_baseline_url(state, diff, url.clone()).await;
        }
        return;
    }
    let from_hash = match diff.baseline.get_untracked() {
        Some(Baseline::SameName | Baseline::Pinned(_)) => true,
        Some(Baseline::File(_)) => diff.baseline_url.get_untracked().is_some(),
        None => false,
    };
    if from_hash {
        diff.exit();
    }
}
