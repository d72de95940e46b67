//! The trace waterfall, linked both ways to the flame graph.
//!
//! * One row per span, indented by depth, with collapsible subtrees; a bar from its start
//!   to its end on a shared time axis, coloured by service, with its duration; ticks under
//!   the bar where its samples fell; its sample counts (own, and with its descendants).
//! * Clicking a row (or Enter on it) filters the flame graph to the span's samples through
//!   [`AppState::span_filter`], in the scope chosen above the rows: span and children, span
//!   only, the whole trace, or the span's time window on every thread. The detail panel
//!   shows the span's attributes and why a short span may have no samples.
//! * The other way: the function selected in the flame graph
//!   ([`AppState::selected_function`]) highlights the spans whose samples run it, with counts.
//! * A profile without its trace lists the spans it links to by id; a trace without a
//!   profile shows the waterfall with zero counts.
//!
//! Only the visible rows exist: a scrollable box holds a spacer as tall as all the rows, and
//! a sticky layer the size of the box shows the rows in view (DOM, for the labels, keyboard
//! and screen readers) over one canvas (bars, ticks, axis) repainted once per frame.
//!
//! Here: the state ([`Wf`]: signals and memos) and the geometry. `input.rs` handles clicks,
//! keys and the wheel, `view.rs` is the DOM, `canvas.rs` schedules the paints that `draw.rs`
//! does; `data.rs` computes the rows and counts, `detail.rs` is the span's detail panel.

mod canvas;
mod data;
mod detail;
mod draw;
mod input;
mod view;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use spanflame_core::units::format_value;
use spanflame_core::viewport::Viewport;
use spanflame_core::waterfall::{TimeAxis, TraceSummary, service_colour};
use spanflame_core::{Filter, SpanIdx, SpanSelection, SpanStatus, TraceSet};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use canvas::{Canvas, Paints};
pub use data::{Hits, Join, Row};
use data::{axis_of, build_rows, row_info};
use draw::{Painter, Scene};
pub use view::WaterfallPanel;

use crate::state::{AppState, LoadedTraces, Scope, Shared, SpanFilter, SpanRef, now};

/// Height of a row, CSS pixels (keep in step with app/waterfall.css).
pub const ROW_HEIGHT: f64 = 22.0;
/// Height of the header row with the time axis.
pub const HEAD_HEIGHT: f64 = 24.0;
/// Width of a sample count column.
const COUNT_WIDTH: f64 = 56.0;
/// Width of the selected function's count column.
const HIT_WIDTH: f64 = 72.0;
/// Space between the count columns and the timeline.
const GAP: f64 = 8.0;
/// Space right of the timeline (bars stop short of the scroll bar).
const RIGHT_PAD: f64 = 14.0;
/// Indentation per depth, CSS pixels.
const INDENT: f64 = 14.0;

/// Where the columns are, CSS pixels from the left of the rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Width of the name column.
    pub label: f64,
    /// Width of each sample count column.
    pub count: f64,
    /// Width of the function column (0 when no function is selected).
    pub hit: f64,
    /// Left of the canvas.
    pub canvas_x: f64,
    /// Width of the canvas.
    pub canvas: f64,
    /// Width of the timeline inside it.
    pub timeline: f64,
}

impl Geometry {
    fn new(width: f64, hits: bool) -> Geometry {
        // A phone keeps a third of its width for the timeline.
        let narrow = width < 640.0;
        let label = if narrow {
            (width * 0.3).max(100.0)
        } else {
            (width * 0.3).clamp(150.0, 340.0)
        };
        let count = if narrow {
            COUNT_WIDTH - 16.0
        } else {
            COUNT_WIDTH
        };
        let hit = match (hits, narrow) {
            (false, _) => 0.0,
            (true, false) => HIT_WIDTH,
            (true, true) => count,
        };
        let canvas_x = label + 2.0 * count + hit + GAP;
        let canvas = (width - canvas_x).max(40.0);
        Geometry {
            label,
            count,
            hit,
            canvas_x,
            canvas,
            timeline: (canvas - RIGHT_PAD).max(20.0),
        }
    }

    /// `grid-template-columns` of the header and the rows.
    fn columns(self) -> String {
        format!(
            "{}px {c}px {c}px {}px minmax(0, 1fr)",
            self.label,
            self.hit,
            c = self.count
        )
    }
}

/// The services of the traces.
#[derive(Debug)]
pub struct Services {
    /// Names, sorted.
    pub names: Vec<String>,
    /// Per span: index into `names`.
    pub of_span: Vec<u32>,
}

/// Every signal and memo of the waterfall. `Copy`, so handlers and rows can hold it.
#[derive(Clone, Copy)]
pub(crate) struct Wf {
    state: AppState,
    scroller: NodeRef<html::Div>,
    canvas: NodeRef<html::Canvas>,
    /// The loaded traces, or an empty set.
    traces: Memo<Shared<LoadedTraces>>,
    summaries: Memo<Shared<Vec<TraceSummary>>>,
    /// Service names and each span's index into them.
    services: Memo<Shared<Services>>,
    join: Memo<Shared<Join>>,
    hits: Memo<Option<Shared<Hits>>>,
    /// One trace (index into the summaries) or all.
    trace_choice: RwSignal<Option<usize>>,
    collapsed: RwSignal<HashSet<SpanIdx>>,
    rows: Memo<Shared<Vec<Row>>>,
    axis: Memo<Option<TimeAxis>>,
    /// The visible part of the time axis.
    view: RwSignal<Viewport>,
    /// Visible area of the scroll box, CSS pixels.
    size: RwSignal<(f64, f64)>,
    scroll_top: RwSignal<f64>,
    /// The keyboard cursor.
    cursor: RwSignal<Option<Row>>,
    /// The scope a click applies.
    scope: RwSignal<Scope>,
    /// The selected row (from the span filter).
    selected: Memo<Option<Row>>,
    /// Spans the span filter covers, by index (none: no filter, or a time window).
    in_scope: Memo<Option<Shared<Vec<bool>>>>,
    /// The window of a time-window filter.
    window: Memo<Option<(u64, u64)>>,
    geometry: Memo<Geometry>,
    /// Rows `[first, last)` in view.
    visible: Memo<(usize, usize)>,
}

impl Wf {
    fn new(state: AppState) -> Wf {
        let empty = Shared::new(LoadedTraces {
            set: TraceSet::default(),
            source: String::new(),
        });
        let traces = Memo::new(move |_| state.traces.get().unwrap_or_else(|| empty.clone()));
        let summaries = Memo::new(move |_| Shared::new(traces.with(|t| t.set.trace_summaries())));
        let services = Memo::new(move |_| {
            let (names, of_span) = traces.with(|t| t.set.services());
            Shared::new(Services { names, of_span })
        });
        // The profile's filter without the span filter: counts are about every span (in the
        // timeline's brushed range, if any). The settled view's: the graph repaints first.
        let base_filter = Memo::new(move |_| {
            state.settled.with(|s| {
                s.as_ref().map_or_else(Filter::default, |s| Filter {
                    spans: None,
                    time: s.range,
                    ..s.filter.clone()
                })
            })
        });
        // The flame graph is drawn first; until then the spans show without counts.
        let waiting = move || state.profile.with(Option::is_some) && !state.flame_painted.get();
        // Sample times per span without the brushed range: a brush only cuts them (sorting
        // every linked sample's time again costs more than the new flame graph).
        let untimed_filter = Memo::new(move |_| Filter {
            time: None,
            ..base_filter.get()
        });
        let all_times = Memo::new(move |_| {
            if waiting() {
                return Shared::new(HashMap::new());
            }
            let filter = untimed_filter.get();
            state.profile.with(|p| {
                Shared::new(p.as_ref().map_or_else(HashMap::new, |p| {
                    p.set.sample_times_and_weights_by_span(&filter)
                }))
            })
        });
        let join = Memo::new(move |_| {
            if waiting() {
                return Shared::new(Join::default());
            }
            let filter = base_filter.get();
            let t = traces.get();
            let times = all_times.get();
            state.profile.with(|p| {
                Shared::new(Join::new(
                    p.as_ref().map(|p| &p.set),
                    &t.set,
                    &filter,
                    &times,
                ))
            })
        });
        let hits = Memo::new(move |_| {
            let name = state.selected_function.get()?;
            let filter = base_filter.get();
            let t = traces.get();
            state.profile.with(|p| {
                p.as_ref()
                    .map(|p| Shared::new(Hits::new(&p.set, &t.set, &filter, &name)))
            })
        });
        let trace_choice = RwSignal::new(None::<usize>);
        let collapsed = RwSignal::new(HashSet::new());
        let rows = Memo::new(move |_| {
            let t = traces.get();
            let sums = summaries.get();
            let join = join.get();
            let choice = trace_choice.get().and_then(|c| sums.get(c));
            collapsed.with(|collapsed| {
                Shared::new(match choice {
                    Some(s) => build_rows(&t.set, &s.roots, collapsed, None),
                    None => build_rows(&t.set, &t.set.roots, collapsed, Some(&join.unknown)),
                })
            })
        });
        let axis = Memo::new(move |_| {
            let t = traces.get();
            let sums = summaries.get();
            let join = join.get();
            match trace_choice.get().and_then(|c| sums.get(c)) {
                Some(s) => axis_of(&t.set, &join, Some(&s.roots), false),
                None => axis_of(&t.set, &join, None, true),
            }
        });
        let selected = Memo::new(move |_| {
            let f = state.span_filter.get()?;
            Some(match f.span {
                SpanRef::Index(i) => Row::Span(i),
                SpanRef::Key(k) => traces
                    .with(|t| t.set.resolve_link(&k))
                    .map_or(Row::Linked(k), Row::Span),
            })
        });
        // What the span filter keeps, by the core's rule: the rows it covers, or its window.
        let selection = Memo::new(move |_| {
            let f = state.span_filter.get()?;
            Some(traces.with(|t| f.selection(Some(&t.set))))
        });
        let in_scope = Memo::new(move |_| {
            let spans = selection.with(|s| s.as_ref().and_then(|s| s.spans.clone()))?;
            traces.with(|t| {
                let set = &t.set;
                let v = match spans {
                    SpanSelection::Spans(keys) => {
                        let mut v = vec![false; set.spans.len()];
                        for i in keys.iter().filter_map(|k| set.find(k)) {
                            v[i.index()] = true;
                        }
                        v
                    }
                    SpanSelection::Trace(trace) => {
                        set.spans.iter().map(|s| s.key.trace_id == trace).collect()
                    }
                };
                Some(Shared::new(v))
            })
        });
        let window = Memo::new(move |_| selection.with(|s| s.as_ref()?.time));
        let size = RwSignal::new((0.0, 0.0));
        let scroll_top = RwSignal::new(0.0);
        let geometry = Memo::new(move |_| Geometry::new(size.get().0, hits.with(Option::is_some)));
        let visible = Memo::new(move |_| {
            let n = rows.with(|r| r.len());
            let top = scroll_top.get();
            let body = (size.get().1 - HEAD_HEIGHT).max(ROW_HEIGHT);
            let first = ((top / ROW_HEIGHT).floor().max(0.0) as usize).min(n);
            let last = (((top + body) / ROW_HEIGHT).ceil() as usize).min(n);
            (first, last.max(first))
        });
        Wf {
            state,
            scroller: NodeRef::new(),
            canvas: NodeRef::new(),
            traces,
            summaries,
            services,
            join,
            hits,
            trace_choice,
            collapsed,
            rows,
            axis,
            view: RwSignal::new(Viewport::FULL),
            size,
            scroll_top,
            cursor: RwSignal::new(None),
            scope: RwSignal::new(Scope::WithChildren),
            selected,
            in_scope,
            window,
            geometry,
            visible,
        }
    }
}
