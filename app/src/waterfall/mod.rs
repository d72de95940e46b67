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

mod data;
mod detail;
mod draw;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use spanflame_core::units::format_value;
use spanflame_core::viewport::Viewport;
use spanflame_core::waterfall::{TimeAxis, TraceSummary, service_colour};
use spanflame_core::{Filter, SpanSelection, SpanStatus, TraceSet};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

pub use data::{Hits, Join, Row};
use data::{axis_of, build_rows, row_info};
use draw::{Painter, Scene};

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
    collapsed: RwSignal<HashSet<u32>>,
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
        // The profile's filter without the span filter: counts are about every span.
        let base_filter = Memo::new(move |_| Filter {
            spans: None,
            time: None,
            ..state.filter.get()
        });
        let join = Memo::new(move |_| {
            // The flame graph is drawn first; until then the spans show without counts.
            if state.profile.with(Option::is_some) && !state.flame_painted.get() {
                return Shared::new(Join::default());
            }
            let filter = base_filter.get();
            let t = traces.get();
            state
                .profile
                .with(|p| Shared::new(Join::new(p.as_ref().map(|p| &p.set), &t.set, &filter)))
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
                            v[i as usize] = true;
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

    /// Filter the flame graph to `row` in the chosen scope; the selected row again clears it.
    fn select(self, row: Row) {
        self.cursor.set(Some(row));
        if self.selected.get_untracked() == Some(row) {
            self.state.span_filter.set(None);
            return;
        }
        let scope = self.scope.get_untracked();
        // A linked row's span is not in the traces: the core narrows what it cannot resolve.
        let span = match row {
            Row::Span(i) => SpanRef::Index(i),
            Row::Linked(key) => SpanRef::Key(key),
        };
        self.state.span_filter.set(Some(SpanFilter { span, scope }));
    }

    /// Apply a new scope, to the current filter too.
    fn set_scope(self, scope: Scope) {
        self.scope.set(scope);
        if let Some(f) = self.state.span_filter.get_untracked()
            && f.scope != scope
        {
            self.state.span_filter.set(Some(SpanFilter { scope, ..f }));
        }
    }

    fn toggle(self, span: u32) {
        self.collapsed.update(|c| {
            if !c.remove(&span) {
                c.insert(span);
            }
        });
    }

    fn is_collapsed(self, span: u32) -> bool {
        self.collapsed.with_untracked(|c| c.contains(&span))
    }

    /// Scroll the rows so that row `pos` is in view.
    fn reveal(self, pos: usize) {
        let Some(el) = self.scroller.get_untracked() else {
            return;
        };
        let body = (self.size.get_untracked().1 - HEAD_HEIGHT).max(ROW_HEIGHT);
        let top = pos as f64 * ROW_HEIGHT;
        let scroll = f64::from(el.scroll_top());
        if top < scroll {
            el.set_scroll_top(top as i32);
        } else if top + ROW_HEIGHT > scroll + body {
            el.set_scroll_top((top + ROW_HEIGHT - body).ceil() as i32);
        }
        self.scroll_top.set(f64::from(el.scroll_top()));
    }

    /// Make a span's row exist (expand its ancestors, show all traces if needed) and show it.
    fn reveal_span(self, span: u32) {
        let ancestors = self.traces.with_untracked(|t| {
            t.set
                .spans
                .get(span as usize)
                .map(|_| t.set.ancestors(span))
        });
        let Some(ancestors) = ancestors else { return };
        if ancestors.iter().any(|a| self.is_collapsed(*a)) {
            self.collapsed.update(|c| {
                for a in &ancestors {
                    c.remove(a);
                }
            });
        }
        if !self.rows.with_untracked(|r| r.contains(&Row::Span(span))) {
            self.trace_choice.set(None);
        }
        if let Some(pos) = self
            .rows
            .with_untracked(|r| r.iter().position(|&x| x == Row::Span(span)))
        {
            self.reveal(pos);
        }
    }

    /// Zoom the time axis to `[start, end]` with a margin.
    fn zoom_to(self, start: u64, end: u64) {
        let Some(axis) = self.axis.get_untracked() else {
            return;
        };
        let (a, b) = (axis.frac(start), axis.frac(end));
        let margin = ((b - a) * 0.08).max(1e-6);
        let (x0, x1) = ((a - margin).max(0.0), (b + margin).min(1.0));
        self.view.set(if x1 - x0 >= 1.0 {
            Viewport::FULL
        } else {
            Viewport { x0, x1 }
        });
    }

    fn on_key(self, e: &web_sys::KeyboardEvent) {
        let rows = self.rows.get_untracked();
        if rows.is_empty() {
            return;
        }
        let current = self
            .cursor
            .get_untracked()
            .or_else(|| self.selected.get_untracked())
            .and_then(|c| rows.iter().position(|&r| r == c));
        let page = (((self.size.get_untracked().1 - HEAD_HEIGHT) / ROW_HEIGHT).floor() as usize)
            .saturating_sub(1)
            .max(1);
        let last = rows.len() - 1;
        let at = current.unwrap_or(0);
        let traces = self.traces.get_untracked();
        let next = match e.key().as_str() {
            "ArrowDown" => current.map_or(0, |p| (p + 1).min(last)),
            "ArrowUp" => current.map_or(0, |p| p.saturating_sub(1)),
            "PageDown" => (at + page).min(last),
            "PageUp" => at.saturating_sub(page),
            "Home" => 0,
            "End" => last,
            "ArrowRight" => match rows[at] {
                Row::Span(s) if !traces.set.children_of(s).is_empty() => {
                    if self.is_collapsed(s) {
                        self.toggle(s);
                        at
                    } else {
                        (at + 1).min(last)
                    }
                }
                _ => at,
            },
            "ArrowLeft" => match rows[at] {
                Row::Span(s) if !traces.set.children_of(s).is_empty() && !self.is_collapsed(s) => {
                    self.toggle(s);
                    at
                }
                Row::Span(s) => match traces.set.span(s) {
                    Some(span) => rows
                        .iter()
                        .position(|&r| r == Row::Span(span.parent))
                        .unwrap_or(at),
                    None => at,
                },
                Row::Linked(_) => at,
            },
            "Enter" | " " => {
                e.prevent_default();
                self.select(rows[at]);
                return;
            }
            "Escape" => {
                if self.view.get_untracked() != Viewport::FULL {
                    self.view.set(Viewport::FULL);
                }
                return;
            }
            "+" | "=" => {
                self.view.update(|v| *v = v.zoom(0.5, 1.5));
                return;
            }
            "-" | "_" => {
                self.view.update(|v| *v = v.zoom(0.5, 1.0 / 1.5));
                return;
            }
            _ => return,
        };
        e.prevent_default();
        // Rows may have changed (a toggle): find the row again.
        let row = self.rows.with_untracked(|r| r.get(next).copied());
        if let Some(row) = row {
            self.cursor.set(Some(row));
            self.reveal(next);
        }
    }

    fn on_wheel(self, e: &web_sys::WheelEvent) {
        let g = self.geometry.get_untracked();
        let Some(el) = self.scroller.get_untracked() else {
            return;
        };
        let unit = match e.delta_mode() {
            web_sys::WheelEvent::DOM_DELTA_LINE => 16.0,
            web_sys::WheelEvent::DOM_DELTA_PAGE => g.timeline,
            _ => 1.0,
        };
        let (dx, dy) = (e.delta_x() * unit, e.delta_y() * unit);
        let rect = el.get_bounding_client_rect();
        let x = f64::from(e.client_x()) - rect.left() - g.canvas_x;
        if e.ctrl_key() || e.meta_key() {
            e.prevent_default();
            let factor = 2f64.powf(-dy / 100.0).clamp(0.25, 4.0);
            let anchor = (x / g.timeline).clamp(0.0, 1.0);
            self.view.update(|v| *v = v.zoom(anchor, factor));
        } else if e.shift_key() || dx.abs() > dy.abs() {
            e.prevent_default();
            let delta = if dx != 0.0 { dx } else { dy };
            self.view.update(|v| *v = v.pan(delta / g.timeline));
        }
    }
}

/// Paint stats, for the page's timing attributes.
#[derive(Default)]
struct Paints {
    count: Cell<u32>,
    total: Cell<f64>,
    max: Cell<f64>,
}

/// The canvas and its paint schedule.
struct Canvas {
    wf: Wf,
    painter: RefCell<Option<Painter>>,
    pending: Cell<bool>,
    paints: Paints,
}

fn dpr() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(0.5))
}

impl Canvas {
    fn schedule(self: &Rc<Self>) {
        if self.pending.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        request_animation_frame(move || me.paint());
    }

    fn paint(&self) {
        self.pending.set(false);
        let wf = self.wf;
        let mut painter = self.painter.borrow_mut();
        if painter.is_none()
            && let Some(canvas) = wf.canvas.get_untracked()
        {
            *painter = Painter::new(canvas).ok();
        }
        let Some(p) = painter.as_mut() else { return };
        let (Some(t), Some(rows), Some(join), Some(services)) = (
            wf.traces.try_get_untracked(),
            wf.rows.try_get_untracked(),
            wf.join.try_get_untracked(),
            wf.services.try_get_untracked(),
        ) else {
            return;
        };
        let (_, height) = wf.size.get_untracked();
        let g = wf.geometry.get_untracked();
        if height <= 0.0 {
            return;
        }
        let hits = wf.hits.get_untracked();
        let in_scope = wf.in_scope.get_untracked();
        let t0 = now();
        let scene = Scene {
            traces: &t.set,
            rows: &rows,
            join: &join,
            hits: hits.as_deref(),
            service_of: &services.of_span,
            axis: wf.axis.get_untracked(),
            view: wf.view.get_untracked(),
            in_scope: in_scope.as_deref().map(Vec::as_slice),
            window: wf.window.get_untracked(),
            scroll_top: wf.scroll_top.get_untracked(),
            timeline: g.timeline,
            width: g.canvas,
            height,
            dpr: dpr(),
            dark: wf.state.dark.get_untracked(),
        };
        if let Err(e) = p.draw(&scene) {
            leptos::logging::error!("drawing the waterfall failed: {e:?}");
        }
        let ms = now() - t0;
        let n = self.paints.count.get() + 1;
        self.paints.count.set(n);
        self.paints.total.set(self.paints.total.get() + ms);
        self.paints.max.set(self.paints.max.get().max(ms));
        let c = p.canvas();
        let _ = c.set_attribute("data-paints", &n.to_string());
        let _ = c.set_attribute("data-paint-ms", &format!("{ms:.2}"));
        let _ = c.set_attribute(
            "data-paint-max-ms",
            &format!("{:.2}", self.paints.max.get()),
        );
    }

    /// Track the scroll box's visible size.
    fn observe_size(self: &Rc<Self>, el: &web_sys::HtmlElement) {
        let wf = self.wf;
        let measure = move || {
            if let Some(el) = wf.scroller.get_untracked() {
                let size = (f64::from(el.client_width()), f64::from(el.client_height()));
                if wf.size.get_untracked() != size {
                    wf.size.set(size);
                }
            }
        };
        // No first measure here: reading the size now would force a layout in the middle of
        // building the page; the observer reports the size once, before the next paint.
        let callback = Closure::<dyn Fn()>::new(measure);
        if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            observer.observe(el);
            let keep = send_wrapper::SendWrapper::new((observer, callback));
            on_cleanup(move || keep.0.disconnect());
        }
    }
}

/// The waterfall panel: nothing until traces, or a profile with span links, are loaded.
#[component]
pub fn WaterfallPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let wf = Wf::new(state);
    let canvas = Rc::new(Canvas {
        wf,
        painter: RefCell::new(None),
        pending: Cell::new(false),
        paints: Paints::default(),
    });

    // Repaint when anything drawn changes.
    {
        let canvas = Rc::clone(&canvas);
        Effect::new(move |_| {
            wf.rows.track();
            wf.join.track();
            wf.hits.track();
            wf.axis.track();
            wf.view.track();
            wf.size.track();
            wf.scroll_top.track();
            wf.in_scope.track();
            wf.window.track();
            wf.geometry.track();
            state.dark.track();
            canvas.schedule();
        });
    }
    // A new axis (traces, trace choice): the whole of it. New traces: nothing collapsed.
    Effect::new(move |_| {
        wf.axis.track();
        wf.view.set(Viewport::FULL);
    });
    Effect::new(move |prev: Option<usize>| {
        let id = wf
            .traces
            .with(|t| std::ptr::from_ref::<LoadedTraces>(&t.0) as usize);
        if prev.is_some_and(|p| p != id) {
            wf.collapsed.set(HashSet::new());
            wf.trace_choice.set(None);
            wf.cursor.set(None);
        }
        id
    });
    // A span filter set elsewhere (the chip, the address) shows in the scope choice, and its
    // span's row is brought into view.
    Effect::new(move |_| {
        if let Some(f) = state.span_filter.get() {
            if wf.scope.get_untracked() != f.scope {
                wf.scope.set(f.scope);
            }
            if let Some(Row::Span(i)) = wf.selected.get_untracked()
                && !wf.rows.with_untracked(|r| r.contains(&Row::Span(i)))
            {
                wf.reveal_span(i);
            }
        }
    });
    {
        let canvas = Rc::clone(&canvas);
        Effect::new(move |_| {
            if let Some(el) = wf.scroller.get() {
                canvas.observe_size(&el);
            }
        });
    }
    {
        let canvas = Rc::clone(&canvas);
        let resize = window_event_listener(ev::resize, move |_| canvas.schedule());
        on_cleanup(move || resize.remove());
    }

    let shown = move || {
        let has_traces = state.traces.with(Option::is_some);
        let waiting = state.profile.with(Option::is_some) && !state.flame_painted.get();
        // While the join waits for the flame graph, a profile with span links keeps its place
        // (the panel would show its linked spans), so that nothing jumps when it comes.
        has_traces
            || if waiting {
                state
                    .profile
                    .with(|p| p.as_ref().is_some_and(|p| !p.set.links.is_empty()))
            } else {
                wf.join.with(|j| !j.unknown.is_empty())
            }
    };
    move || shown().then(|| panel(wf))
}

/// The panel's content.
fn panel(wf: Wf) -> impl IntoView {
    let on_scroll = move |_| {
        if let Some(el) = wf.scroller.get_untracked() {
            let top = f64::from(el.scroll_top());
            if top != wf.scroll_top.get_untracked() {
                wf.scroll_top.set(top);
            }
        }
    };
    let content_height = move || {
        let n = wf.rows.with(|r| r.len());
        format!("{}px", HEAD_HEIGHT + n as f64 * ROW_HEIGHT)
    };
    let translate = move || {
        let (first, _) = wf.visible.get();
        format!(
            "translateY({}px)",
            first as f64 * ROW_HEIGHT - wf.scroll_top.get()
        )
    };
    let body_height = move || format!("{}px", (wf.size.get().1 - HEAD_HEIGHT).max(0.0));
    let columns = move || wf.geometry.get().columns();
    // Sizes through CSSOM (`style:`): the page's CSP allows no `style` attributes.
    let canvas_left = move || format!("{}px", wf.geometry.get().canvas_x);
    let canvas_width = move || format!("{}px", wf.geometry.get().canvas);
    let canvas_height = move || format!("{}px", wf.size.get().1);
    let active = move || {
        wf.cursor.get().map(|row| {
            let t = wf.traces.get();
            row.dom_id(&t.set)
        })
    };
    let rowcount = move || (wf.rows.with(|r| r.len()) + 1).to_string();
    let label = move || {
        let t = wf.traces.get();
        if t.set.spans.is_empty() {
            "Spans the profile links to (their trace is not loaded). Arrow keys move, Enter filters the flame graph to a span.".to_owned()
        } else {
            "Trace waterfall. Arrow keys move between spans, Right and Left expand and collapse, Enter filters the flame graph to the span.".to_owned()
        }
    };
    let each = move || {
        let (first, last) = wf.visible.get();
        let generation = wf
            .traces
            .with(|t| std::ptr::from_ref::<LoadedTraces>(&t.0) as usize);
        // The position is part of the key: rows after a collapsed one are made again with
        // their new aria-rowindex.
        wf.rows.with(|r| {
            r[first..last]
                .iter()
                .enumerate()
                .map(|(k, &row)| (generation, row, first + k))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <section id="waterfall-panel" class="waterfall" aria-labelledby="waterfall-title">
            <Head wf=wf />
            <div class="wf-main">
                <div class="wf-area">
                    <div
                        id="waterfall-scroll"
                        class="wf-scroll"
                        node_ref=wf.scroller
                        tabindex="0"
                        role="treegrid"
                        aria-label=label
                        aria-rowcount=rowcount
                        aria-activedescendant=active
                        aria-describedby="waterfall-help"
                        style:--wf-content=content_height
                        on:scroll=on_scroll
                        on:keydown=move |e| wf.on_key(&e)
                        on:wheel=move |e| wf.on_wheel(&e)
                    >
                        <div class="wf-layer" style:--wf-cols=columns>
                            <div class="wf-body" role="rowgroup" style:height=body_height>
                                <div class="wf-rows" style:transform=translate>
                                    <For each=each key=|item| *item let((_, row, pos))>
                                        <RowView wf=wf row=row pos=pos />
                                    </For>
                                </div>
                            </div>
                            <HeaderRow wf=wf />
                            <canvas
                                id="waterfall-canvas"
                                class="wf-canvas"
                                node_ref=wf.canvas
                                aria-hidden="true"
                                style:left=canvas_left
                                style:width=canvas_width
                                style:height=canvas_height
                            ></canvas>
                        </div>
                        <div class="wf-spacer" style:height=content_height></div>
                    </div>
                    <p id="waterfall-help" class="hint">
                        "Click a span to see its samples in the flame graph (again to clear); double-click zooms the time axis to it. Ctrl + wheel zooms the time axis, Shift + wheel pans, Esc resets. Ticks under a bar are its samples."
                    </p>
                </div>
                <detail::Detail wf=wf />
            </div>
        </section>
    }
}

/// Title, trace choice, scope choice, status and the selected function's spans.
#[component]
fn Head(wf: Wf) -> impl IntoView {
    let state = wf.state;
    let trace_select = move || {
        let sums = wf.summaries.get();
        (sums.len() > 1).then(|| {
            let t = wf.traces.get();
            let join = wf.join.get();
            let total_spans = t.set.spans.len();
            let options = sums
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let samples: u64 = s.roots.iter().map(|&r| join.counts(Row::Span(r)).1).sum();
                    let mut label = format!(
                        "{} · {} spans · {}",
                        s.name(&t.set),
                        s.spans,
                        format_value((s.end - s.start) as i64, "nanoseconds")
                    );
                    if join.has_profile {
                        label.push_str(&format!(" · {samples} samples"));
                    }
                    if s.errors > 0 {
                        label.push_str(&format!(" · {} errors", s.errors));
                    }
                    view! {
                        <option value=i.to_string() prop:selected=move || wf.trace_choice.get() == Some(i)>
                            {label}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <label class="field">
                    "Trace"
                    <select
                        id="trace-choice"
                        on:change=move |e| {
                            wf.trace_choice.set(event_target_value(&e).parse().ok());
                            if let Some(el) = wf.scroller.get_untracked() {
                                el.set_scroll_top(0);
                            }
                            wf.scroll_top.set(0.0);
                        }
                    >
                        <option value="" prop:selected=move || wf.trace_choice.get().is_none()>
                            {format!("All {} traces ({total_spans} spans)", sums.len())}
                        </option>
                        {options}
                    </select>
                </label>
            }
        })
    };
    // The menu's values are the element's own ("window", not the hash's "time"): the e2e
    // tests and host pages pick them by value.
    let scope_value = move || match wf.scope.get() {
        Scope::TimeWindow => "window",
        other => other.name(),
    };
    let on_scope = move |e: ev::Event| {
        let scope = match event_target_value(&e).as_str() {
            "window" => Scope::TimeWindow,
            other => Scope::parse(other).unwrap_or(Scope::WithChildren),
        };
        wf.set_scope(scope);
    };
    let status = move || {
        let t = wf.traces.get();
        let join = wf.join.get();
        let spans = t.set.spans.len();
        let mut parts = Vec::new();
        if spans > 0 {
            let traces = wf.summaries.with(|s| s.len());
            parts.push(format!(
                "{spans} spans in {traces} {}",
                if traces == 1 { "trace" } else { "traces" }
            ));
            let errors = t
                .set
                .spans
                .iter()
                .filter(|s| s.status == SpanStatus::Error)
                .count();
            if errors > 0 {
                parts.push(format!("{errors} with errors"));
            }
        }
        if join.has_profile {
            parts.push(format!("{} with samples", join.with_samples));
            if spans > 0 && !join.unknown.is_empty() {
                parts.push(format!(
                    "{} linked spans not in the trace file (listed last)",
                    join.unknown.len()
                ));
            }
            if let Some(p) = join.period {
                parts.push(format!(
                    "sampled every {}",
                    format_value(p as i64, "nanoseconds")
                ));
            }
            if join.with_samples > 0 && join.times.is_empty() {
                parts.push(
                    "its samples have no timestamps: no ticks, and time windows keep nothing"
                        .to_owned(),
                );
            }
        } else {
            parts.push("no profile loaded: no samples to count".to_owned());
        }
        if spans == 0 {
            parts.push("drop the trace file to see these spans in their traces".to_owned());
        }
        // What the reader repaired (a parent cycle broken, a duplicate span id dropped).
        parts.extend(t.set.diagnostics.items().iter().map(|d| d.message.clone()));
        parts.join(" · ")
    };
    // Always one line while a profile is loaded, so that selecting a frame in the flame graph
    // does not move the flame graph.
    let hits_line = move || {
        let Some(hits) = wf.hits.get() else {
            return wf.join.with(|j| j.has_profile).then(|| {
                view! {
                    <p id="waterfall-hits-hint" class="wf-hits muted">
                        "Select a frame in the flame graph to highlight the spans that run it."
                    </p>
                }
                .into_any()
            });
        };
        let text = match hits.spans {
            0 => format!("{} runs in no linked span", hits.name),
            1 => format!("{} runs in 1 span ({} samples)", hits.name, hits.samples),
            n => format!("{} runs in {n} spans ({} samples)", hits.name, hits.samples),
        };
        let show = move |_| {
            let Some(hits) = wf.hits.get_untracked() else {
                return;
            };
            let spans: Vec<u32> = hits
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| c.0.samples > 0)
                .map(|(i, _)| i as u32)
                .collect();
            let open: HashSet<u32> = wf
                .traces
                .with_untracked(|t| spans.iter().flat_map(|&s| t.set.ancestors(s)).collect());
            if wf
                .collapsed
                .with_untracked(|c| open.iter().any(|a| c.contains(a)))
            {
                wf.collapsed.update(|c| c.retain(|s| !open.contains(s)));
            }
            if let Some(&s) = spans.first() {
                wf.reveal_span(s);
            }
        };
        Some(view! {
            <p id="waterfall-hits" class="wf-hits" data-function=hits.name.clone() data-spans=hits.spans.to_string() data-samples=hits.samples.to_string()>
                <span class="wf-hit-swatch" aria-hidden="true"></span>
                {text}
                {(hits.spans > 0).then(|| view! {
                    <button type="button" id="waterfall-show-hits" class="link" on:click=show>"Show them"</button>
                })}
                <button type="button" class="link" on:click=move |_| state.selected_function.set(None)>"Clear"</button>
            </p>
        }
        .into_any())
    };
    let legend = move || {
        let services = wf.services.get();
        (services.names.len() > 1).then(|| {
            services
                .names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    view! {
                        <li>
                            <span class="wf-swatch" style:background=service_colour(i as u32).css()></span>
                            {name.clone()}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let zoomed = move || wf.view.get() != Viewport::FULL;
    view! {
        <div class="wf-head">
            <h2 id="waterfall-title">
                {move || if state.traces.with(Option::is_some) { "Trace waterfall" } else { "Linked spans" }}
            </h2>
            {trace_select}
            <label class="field" title="What clicking a span shows in the flame graph">
                "Clicking a span shows"
                <select id="span-scope" prop:value=scope_value on:change=on_scope>
                    <option value="children">"span and children"</option>
                    <option value="only">"span only"</option>
                    <option value="trace">"whole trace"</option>
                    <option value="window">"its time window, all threads"</option>
                </select>
            </label>
            <Show when=zoomed>
                <button type="button" id="waterfall-reset-zoom" on:click=move |_| wf.view.set(Viewport::FULL)>
                    "Reset time zoom"
                </button>
            </Show>
            <p id="waterfall-status" class="muted">{status}</p>
        </div>
        {hits_line}
        <ul class="wf-legend" aria-label="Services">{legend}</ul>
    }
}

/// Column headers; the canvas draws the time axis labels over the last one.
#[component]
fn HeaderRow(wf: Wf) -> impl IntoView {
    let hit_name = move || wf.hits.with(|h| h.as_ref().map(|h| h.name.clone()));
    view! {
        <div class="wf-header" role="row" aria-rowindex="1">
            <div role="columnheader" class="wf-name-head">"Span"</div>
            <div role="columnheader" class="wf-n" title="Samples linked to the span itself">"Own"</div>
            <div role="columnheader" class="wf-n" title="Samples of the span and all its descendants">"Total"</div>
            <div role="columnheader" class="wf-n wf-hit-col" title=move || hit_name().map(|n| format!("Samples of the span running {n}"))>
                {move || hit_name().unwrap_or_default()}
            </div>
            <div role="columnheader" class="wf-time-head">
                <span class="visually-hidden">"Timeline"</span>
            </div>
        </div>
    }
}

/// One row's DOM: name, counts, and an empty timeline cell over which the canvas draws.
#[component]
fn RowView(wf: Wf, row: Row, pos: usize) -> impl IntoView {
    let t = wf.traces.get_untracked();
    let traces = &t.set;
    let join = wf.join.get_untracked();
    let services = wf.services.get_untracked();
    let info = row_info(
        traces,
        &join,
        &services.of_span,
        wf.axis.get_untracked(),
        row,
    );
    let key = row.key(traces);
    let dom_id = row.dom_id(traces);
    let span_index = match row {
        Row::Span(i) => Some(i),
        Row::Linked(_) => None,
    };
    let counts = move || wf.join.with(|j| j.counts(row));
    let hit = move || wf.hits.with(|h| h.as_ref().map(|h| h.counts(row)));
    let selected = move || wf.selected.get() == Some(row);
    let is_cursor = move || wf.cursor.get() == Some(row);
    let collapsed = move || span_index.is_some_and(|s| wf.collapsed.with(|c| c.contains(&s)));
    let has_children = info.has_children;
    let period = move || wf.join.with(|j| j.period);
    let short = move || {
        let (own, _) = counts();
        match (period(), info.duration) {
            (Some(p), Some(d)) if own == 0 && d < p && span_index.is_some() => Some(p),
            _ => None,
        }
    };
    let indent = (f64::from(info.depth) * INDENT)
        .min(wf.geometry.get_untracked().label * 0.5)
        .round();
    let colour = info.service_index.map(|i| service_colour(i).css());
    let duration = info
        .duration
        .map(|d| format_value(d as i64, "nanoseconds"))
        .unwrap_or_default();
    let when = match (info.offset, span_index) {
        (Some(o), Some(_)) => format!(
            "starts at +{}, lasts {duration}",
            format_value(o as i64, "nanoseconds")
        ),
        (Some(o), None) => format!(
            "samples from +{} over {duration}",
            format_value(o as i64, "nanoseconds")
        ),
        _ => String::new(),
    };
    let title = {
        let mut t = info.name.clone();
        if !info.service.is_empty() {
            t.push_str(&format!(" · {}", info.service));
        }
        if !duration.is_empty() {
            t.push_str(&format!(" · {duration}"));
        }
        t
    };
    let error = info.error.clone();
    let is_error = error.is_some();
    let name = info.name.clone();
    let data_name = info.name.clone();
    let level = (info.depth + 1).to_string();
    let on_toggle = move |e: ev::MouseEvent| {
        e.stop_propagation();
        if let Some(s) = span_index {
            wf.toggle(s);
        }
    };
    view! {
        <div
            role="row"
            id=dom_id
            class="wf-row"
            class:linked=span_index.is_none()
            class:selected=selected
            class:cursor=is_cursor
            class:hit=move || hit().is_some_and(|h| h.0 > 0)
            class:hit-inside=move || collapsed() && hit().is_some_and(|h| h.1 > h.0)
            class:empty=move || counts().1 == 0
            class:error=is_error
            aria-expanded=move || has_children.then(|| (!collapsed()).to_string())
            aria-selected=move || selected().to_string()
            aria-rowindex=(pos + 2).to_string()
            data-span-id=key.span_hex()
            data-trace-id=key.trace_hex()
            data-span-index=span_index.map(|i| i.to_string())
            data-name=data_name
            data-depth=info.depth.to_string()
            data-samples=move || counts().0.to_string()
            data-samples-with-children=move || counts().1.to_string()
            data-function-samples=move || hit().map(|h| h.0.to_string())
            data-function-samples-with-children=move || hit().map(|h| h.1.to_string())
            title=title
            on:click=move |_| wf.select(row)
            on:dblclick=move |_| {
                let extent = wf
                    .traces
                    .with_untracked(|t| wf.join.with_untracked(|j| data::row_extent(&t.set, j, row)));
                if let Some((a, b)) = extent {
                    wf.zoom_to(a, b);
                }
            }
        >
            <div role="gridcell" class="wf-name" style:padding-left=format!("{}px", indent + 4.0)>
                {if has_children {
                    view! {
                        <button
                            type="button"
                            class="wf-toggle"
                            tabindex="-1"
                            aria-label=move || if collapsed() { "Expand" } else { "Collapse" }
                            on:click=on_toggle
                        >
                            {move || if collapsed() { "▸" } else { "▾" }}
                        </button>
                    }
                        .into_any()
                } else {
                    view! { <span class="wf-toggle" aria-hidden="true"></span> }.into_any()
                }}
                <span class="wf-swatch" class:none=colour.is_none() style:background=colour.clone() aria-hidden="true"></span>
                <span class="wf-text">{name}</span>
                {(!info.service.is_empty()).then(|| view! { <span class="visually-hidden">{format!(", {}", info.service)}</span> })}
                {error.map(|message| {
                    let title = if message.is_empty() { "Error status".to_owned() } else { format!("Error: {message}") };
                    view! { <span class="wf-error" title=title>"!"<span class="visually-hidden">" error"</span></span> }
                })}
                {move || short().map(|p| {
                    let p = format_value(p as i64, "nanoseconds");
                    view! {
                        <span class="wf-short" title=format!("Shorter than the {p} sampling period: it may have no samples even while it runs")>
                            "<" {p.clone()}
                            <span class="visually-hidden">{format!(" (shorter than the {p} sampling period)")}</span>
                        </span>
                    }
                })}
            </div>
            <div role="gridcell" class="wf-n" aria-label=move || format!("{} samples of its own", counts().0)>
                {move || counts().0.to_string()}
            </div>
            <div role="gridcell" class="wf-n" aria-label=move || format!("{} samples with its children", counts().1)>
                {move || counts().1.to_string()}
            </div>
            <div role="gridcell" class="wf-n wf-hit-col">
                {move || hit().map(|(own, sub)| {
                    if sub > own && collapsed() { format!("{own} (+{})", sub - own) } else if own > 0 { own.to_string() } else { String::new() }
                })}
            </div>
            <div role="gridcell" class="wf-time">
                <span class="visually-hidden">{when}</span>
            </div>
        </div>
    }
    .add_any_attr(custom_attribute("aria-level", level))
}
