//! The timeline above the flame graph: sample weight over time for the current sample type
//! and choices, binned by the core ([`spanflame_core::timeline`]) at about one bin per two
//! CSS pixels. The selected function's samples are drawn in the accent colour, the span
//! filter's time range is shaded, and dragging selects a time range (the brush) that the
//! graph, table and waterfall counts re-aggregate to ([`AppState::time_range`]). Optional
//! thin tracks split the weight by one attribute (thread, process, service, ...).
//!
//! The strip itself is drawn over the whole file, whatever range is brushed, so that the
//! brush can be moved; it leaves out the span filter too, whose range it shades instead.

use std::cell::Cell;
use std::rc::Rc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use spanflame_core::timeline::{GroupLabel, NoTimeline, Timeline, TimelineOptions};
use spanflame_core::units::{format_share, format_value};
use spanflame_core::{Filter, ProfileSet};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::CanvasRenderingContext2d;

use crate::flame::draw::accent;
use crate::state::{AppState, Shared};

/// Height of the main strip, CSS pixels.
const STRIP_HEIGHT: f64 = 64.0;
/// Height of one split-by track.
const TRACK_HEIGHT: f64 = 14.0;
/// CSS pixels per bin (at most: see [`MIN_ROWS_PER_BIN`]).
const PX_PER_BIN: f64 = 2.0;
/// Sample rows per bin at least, on average: a sampled profile has one sample per interval,
/// and bins narrower than that draw a comb of equal spikes rather than the load's shape.
const MIN_ROWS_PER_BIN: usize = 4;
/// Split-by tracks drawn at most (the core sums the rest into "other").
const MAX_TRACKS: usize = 8;
/// Keys offered in "split by" when the file has them.
const SPLIT_KEYS: &[&str] = &[
    "thread.name",
    "thread.id",
    "process.pid",
    "process.executable.name",
    "service.name",
    "host.name",
];

/// The filter the strip shows: the app's, without its time range and span selection.
fn strip_filter(state: AppState) -> Filter {
    let mut filter = state.filter.get();
    filter.time = None;
    filter.spans = None;
    filter
}

/// Weight `filter` keeps.
fn weight(set: &ProfileSet, filter: &Filter) -> i64 {
    let mut total = 0i64;
    set.for_each_sample(filter, |row| {
        total = total.saturating_add(set.samples.value(row));
    });
    total
}

/// The timeline strip, its split-by choice and the brushed range's chip.
#[component]
pub fn TimelineStrip() -> impl IntoView {
    let state = expect_context::<AppState>();
    let wrap = NodeRef::<html::Div>::new();
    let canvas = NodeRef::<html::Canvas>::new();
    let width = RwSignal::new(0.0f64);
    let group_by = RwSignal::new(None::<String>);
    // The time the strip spans when zoomed to a brushed range; `None`: the whole file.
    let view_range = RwSignal::new(None::<(u64, u64)>);
    Effect::new(move |_| {
        state.profile.track();
        view_range.set(None);
    });
    // A drag in progress: (start x, current x), CSS pixels.
    let drag = RwSignal::new(None::<(f64, f64)>);

    // A memo, so that a new brush (or span) does not re-bin the strip or recount its keys:
    // neither depends on them.
    let strip = Memo::new(move |_| strip_filter(state));
    let strip_weight = Memo::new(move |_| {
        let filter = strip.get();
        state
            .profile
            .with(|p| p.as_ref().map_or(0, |p| weight(&p.set, &filter)))
    });
    let highlight = Memo::new(move |_| {
        let name = state.selected_function.get()?;
        let functions = state.functions.get()?;
        let f = functions.iter().find(|f| f.name == name)?;
        Some((f.name.clone(), f.file.clone()))
    });
    let data = Memo::new(move |_| -> Option<Result<Shared<Timeline>, NoTimeline>> {
        let filter = strip.get();
        let w = width.get();
        if w <= 0.0 {
            return None;
        }
        let rows = state
            .profile
            .with(|p| p.as_ref().map_or(0, |p| p.set.samples.len()));
        let options = TimelineOptions {
            bins: ((w / PX_PER_BIN) as usize)
                .min(rows / MIN_ROWS_PER_BIN)
                .max(16),
            group_by: group_by.get(),
            max_groups: MAX_TRACKS - 1,
            highlight: highlight.get(),
            range: view_range.get(),
        };
        // The transforms drop samples too: the strip shows what the graph shows.
        let transformed = state.transformed.get();
        state.profile.with(|p| {
            let p = p.as_ref()?;
            Some(
                p.set
                    .timeline(&filter, transformed.as_deref(), &options)
                    .map(Shared::new),
            )
        })
    });
    let keys = Memo::new(move |_| {
        state.profile.with(|p| {
            let Some(p) = p.as_ref() else {
                return Vec::new();
            };
            let facets = p.set.facets(&strip.get(), 1);
            SPLIT_KEYS
                .iter()
                .filter(|k| facets.iter().any(|f| f.key == **k && !f.values.is_empty()))
                .map(|k| (*k).to_owned())
                .collect::<Vec<_>>()
        })
    });
    // The span filter's time range, when the traces know it.
    let span_range = Memo::new(move |_| {
        let filter = state.span_filter.get()?;
        match filter.span {
            crate::state::SpanRef::Index(i) => state
                .traces
                .with(|t| t.as_ref()?.set.span(i).map(|s| (s.start, s.end))),
            crate::state::SpanRef::Key(_) => None,
        }
    });

    // The time a baseline pinned from the view covers ("Set as baseline"), marked.
    let diff = use_context::<crate::diff::DiffState>();
    let baseline_range = Memo::new(move |_| diff.and_then(|d| crate::diff::pinned_time(state, d)));

    // Paint whenever anything drawn changes.
    let pending = Rc::new(Cell::new(false));
    Effect::new(move |_| {
        data.track();
        state.time_range.track();
        span_range.track();
        baseline_range.track();
        drag.track();
        state.dark.track();
        if pending.replace(true) {
            return;
        }
        let pending = Rc::clone(&pending);
        request_animation_frame(move || {
            pending.set(false);
            paint(state, canvas, data, span_range, baseline_range, drag);
        });
    });

    // Track the strip's width.
    Effect::new(move |_| {
        let Some(el) = wrap.get() else {
            return;
        };
        let measure = move || {
            if let Some(el) = wrap.get_untracked() {
                let w = f64::from(el.client_width());
                if width.get_untracked() != w {
                    width.set(w);
                }
            }
        };
        measure();
        let callback = Closure::<dyn Fn()>::new(measure);
        if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            observer.observe(&el);
            let keep = send_wrapper::SendWrapper::new((observer, callback));
            on_cleanup(move || keep.0.disconnect());
        }
    });

    let escape = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape"
            && !crate::toolbar::typing(&e)
            && state.time_range.get_untracked().is_some()
            // In the sandwich view Esc goes back to the flame graph, and only that.
            && state.sandwich.with_untracked(Option::is_none)
        {
            state.time_range.set(None);
        }
    });
    on_cleanup(move || escape.remove());

    let x_of = move |e: &web_sys::PointerEvent| -> f64 {
        let Some(c) = canvas.get_untracked() else {
            return 0.0;
        };
        let r = c.get_bounding_client_rect();
        (f64::from(e.client_x()) - r.left()).clamp(0.0, r.width())
    };
    let on_down = move |e: web_sys::PointerEvent| {
        if e.button() != 0 {
            return;
        }
        if let Some(c) = canvas.get_untracked() {
            let _ = c.set_pointer_capture(e.pointer_id());
        }
        let x = x_of(&e);
        drag.set(Some((x, x)));
    };
    let on_move = move |e: web_sys::PointerEvent| {
        if let Some((x0, _)) = drag.get_untracked() {
            drag.set(Some((x0, x_of(&e))));
        }
    };
    let on_up = move |e: web_sys::PointerEvent| {
        let Some((x0, _)) = drag.get_untracked() else {
            return;
        };
        let x1 = x_of(&e);
        drag.set(None);
        let w = width.get_untracked();
        // A click (no drag) leaves the range as it is.
        if (x1 - x0).abs() < 3.0 || w <= 0.0 {
            return;
        }
        let Some(Ok(t)) = data.get_untracked() else {
            return;
        };
        let (lo, hi) = (x0.min(x1), x0.max(x1));
        let span = (t.range.1 - t.range.0) as f64;
        let at = |x: f64| t.range.0 + ((x / w).clamp(0.0, 1.0) * span) as u64;
        let range = (at(lo), at(hi).max(at(lo) + 1));
        state.time_range.set(Some(range));
    };
    let on_cancel = move |_: web_sys::PointerEvent| drag.set(None);

    let height = move || {
        let tracks = data.with(|d| match d {
            Some(Ok(t)) => t.groups.len(),
            _ => 0,
        });
        STRIP_HEIGHT + tracks as f64 * TRACK_HEIGHT
    };
    let no_timestamps = move || matches!(data.get(), Some(Err(NoTimeline::NoTimestamps)));

    let chip = move || {
        let (from, to) = state.time_range.get()?;
        let start = state
            .profile
            .with(|p| p.as_ref().and_then(|p| p.set.time_range()))
            .map_or(from, |r| r.0);
        let rel = |t: u64| format_value(t.saturating_sub(start) as i64, "nanoseconds");
        let mut ranged = strip.get();
        ranged.time = Some((from, to));
        // Without a span filter or transforms the graph's tree is of exactly these samples:
        // its total is the range's weight, with no pass over the rows.
        let tree_total = (state.filter.get() == ranged && state.transformed.with(Option::is_none))
            .then(|| state.tree.get().map(|t| t.total()))
            .flatten();
        let share = state.profile.with(|p| {
            let p = p.as_ref()?;
            let w = tree_total.unwrap_or_else(|| weight(&p.set, &ranged));
            Some(format_share(w, strip_weight.get()))
        });
        Some(view! {
            <span class="chip" id="time-range">
                "Time " <strong>{rel(from)} " – " {rel(to)}</strong>
                <span class="muted">
                    " (" {format_value((to - from) as i64, "nanoseconds")} ", "
                    {share.unwrap_or_default()} " of samples)"
                </span>
                <button
                    type="button"
                    id="timeline-zoom"
                    title="Zoom the timeline to this range"
                    on:click=move |_| view_range.set(Some((from, to)))
                >
                    "Zoom"
                </button>
                <button
                    type="button"
                    class="dismiss"
                    aria-label="Clear the time range"
                    on:click=move |_| state.time_range.set(None)
                >
                    "×"
                </button>
            </span>
        })
    };

    view! {
        <section class="timeline" aria-label="Timeline">
            <div class="timeline-bar">
                <span class="timeline-title">"Timeline"</span>
                {move || {
                    view_range
                        .get()
                        .is_some()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    id="timeline-zoom-out"
                                    title="Show the whole file's time again"
                                    on:click=move |_| view_range.set(None)
                                >
                                    "Whole time range"
                                </button>
                            }
                        })
                }}
                <label class="timeline-split">
                    "Split by "
                    <select
                        id="timeline-split"
                        on:change=move |e| {
                            let v = event_target_value(&e);
                            group_by.set((!v.is_empty()).then_some(v));
                        }
                    >
                        <option value="">"none"</option>
                        {move || {
                            keys.get()
                                .into_iter()
                                .map(|k| {
                                    let selected = group_by.with(|g| g.as_deref() == Some(&k));
                                    view! { <option value=k.clone() selected=selected>{k.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <span aria-live="polite">{chip}</span>
            </div>
            <div class="timeline-strip" node_ref=wrap>
                <Show when=no_timestamps>
                    <p class="muted timeline-none" id="timeline-none">"This file has no timestamps"</p>
                </Show>
                <canvas
                    id="timeline"
                    node_ref=canvas
                    class:hidden=no_timestamps
                    // The weight drawn, for tests to compare with the CLI's.
                    data-weight=move || {
                        data.get()
                            .and_then(Result::ok)
                            .map(|t| t.bins.iter().sum::<i64>().to_string())
                    }
                    // The pinned baseline's time marked, `<from>-<to>` (for tests).
                    data-baseline=move || baseline_range.get().map(|(a, b)| format!("{a}-{b}"))
                    style:height=move || format!("{}px", height())
                    title="Drag to select a time range; Escape clears it"
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=on_cancel
                ></canvas>
            </div>
        </section>
    }
}

fn paint(
    state: AppState,
    canvas: NodeRef<html::Canvas>,
    data: Memo<Option<Result<Shared<Timeline>, NoTimeline>>>,
    span_range: Memo<Option<(u64, u64)>>,
    baseline_range: Memo<Option<(u64, u64)>>,
    drag: RwSignal<Option<(f64, f64)>>,
) {
    // try_: a paint can be pending when the strip goes away.
    let (Some(Some(canvas)), Some(Some(Ok(t)))) =
        (canvas.try_get_untracked(), data.try_get_untracked())
    else {
        return;
    };
    let w = f64::from(canvas.client_width());
    let h = STRIP_HEIGHT + t.groups.len() as f64 * TRACK_HEIGHT;
    if w <= 0.0 {
        return;
    }
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(0.5));
    canvas.set_width((w * dpr).round() as u32);
    canvas.set_height((h * dpr).round() as u32);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, w, h);
    let dark = state.dark.get_untracked();
    let (from, to) = t.range;
    let x_of = |time: u64| (time.clamp(from, to) - from) as f64 / (to - from) as f64 * w;

    if let Some((a, b)) = span_range.get_untracked() {
        ctx.set_fill_style_str(if dark {
            "rgba(240,200,80,0.18)"
        } else {
            "rgba(230,180,40,0.22)"
        });
        let (xa, xb) = (x_of(a), x_of(b));
        ctx.fill_rect(xa, 0.0, (xb - xa).max(1.0), h);
    }

    let n = t.bins.len();
    let bw = w / n as f64;
    let bars = |ctx: &CanvasRenderingContext2d, bins: &[i64], max: i64, top: f64, height: f64| {
        if max <= 0 {
            return;
        }
        for (i, &v) in bins.iter().enumerate() {
            if v <= 0 {
                continue;
            }
            let bh = (v as f64 / max as f64 * height).max(1.0);
            ctx.fill_rect(i as f64 * bw, top + height - bh, bw.max(1.0), bh);
        }
    };
    let max = t.bins.iter().copied().max().unwrap_or(0);
    let strip = STRIP_HEIGHT - 4.0;
    ctx.set_fill_style_str(if dark { "#5b7fa8" } else { "#7d9cc4" });
    bars(&ctx, &t.bins, max, 2.0, strip);
    if let Some(hl) = &t.highlight {
        ctx.set_fill_style_str(&accent(dark).css());
        bars(&ctx, hl, max, 2.0, strip);
    }
    ctx.set_font("10px system-ui, sans-serif");
    for (g, group) in t.groups.iter().enumerate() {
        let top = STRIP_HEIGHT + g as f64 * TRACK_HEIGHT;
        let gmax = group.bins.iter().copied().max().unwrap_or(0);
        ctx.set_fill_style_str(if dark { "#4a6a8c" } else { "#9fb6d4" });
        bars(&ctx, &group.bins, gmax, top + 1.0, TRACK_HEIGHT - 2.0);
        let label = match &group.label {
            GroupLabel::Value(v) => v.clone(),
            GroupLabel::Missing => "(none)".to_owned(),
            GroupLabel::Other(k) => format!("{k} others"),
        };
        // The label on a backing so that the bars do not hide it.
        let text_w = ctx.measure_text(&label).map_or(40.0, |m| m.width());
        ctx.set_fill_style_str(if dark {
            "rgba(15,18,22,0.8)"
        } else {
            "rgba(255,255,255,0.85)"
        });
        ctx.fill_rect(0.0, top + 1.0, text_w + 6.0, TRACK_HEIGHT - 2.0);
        ctx.set_fill_style_str(if dark { "#e5e7eb" } else { "#15181c" });
        let _ = ctx.fill_text(&label, 3.0, top + TRACK_HEIGHT - 3.0);
        // A hairline between tracks.
        ctx.set_fill_style_str(if dark { "#30363d" } else { "#d0d7de" });
        ctx.fill_rect(0.0, top, w, 0.5);
    }

    // The brush: dim what is outside it.
    let brushed = match drag.get_untracked() {
        Some((a, b)) if (a - b).abs() >= 3.0 => Some((a.min(b), a.max(b))),
        _ => state
            .time_range
            .get_untracked()
            .map(|(a, b)| (x_of(a), x_of(b))),
    };
    if let Some((xa, xb)) = brushed {
        ctx.set_fill_style_str(if dark {
            "rgba(15,18,22,0.6)"
        } else {
            "rgba(255,255,255,0.65)"
        });
        ctx.fill_rect(0.0, 0.0, xa, h);
        ctx.fill_rect(xb, 0.0, w - xb, h);
        ctx.set_fill_style_str(&accent(dark).css());
        ctx.fill_rect(xa, 0.0, 1.0, h);
        ctx.fill_rect((xb - 1.0).max(xa), 0.0, 1.0, h);
    }

    // The pinned baseline's time, over the rest: a bar along the top between two edges, in
    // the diff bar's "baseline" grey, labelled.
    if let Some((a, b)) = baseline_range.get_untracked() {
        let (xa, xb) = (x_of(a), x_of(b).max(x_of(a) + 1.0));
        let grey = if dark { "#9aa4ae" } else { "#57606a" };
        ctx.set_fill_style_str(grey);
        ctx.fill_rect(xa, 0.0, xb - xa, 3.0);
        ctx.fill_rect(xa, 0.0, 1.0, h);
        ctx.fill_rect((xb - 1.0).max(xa), 0.0, 1.0, h);
        let label = "baseline";
        ctx.set_font("600 10px system-ui, sans-serif");
        let text_w = ctx.measure_text(label).map_or(40.0, |m| m.width());
        // Inside the band when it fits, else just right of it (left of it at the far end).
        let x = if xb - xa >= text_w + 8.0 {
            xa + 4.0
        } else if xb + text_w + 8.0 <= w {
            xb + 3.0
        } else {
            (xa - text_w - 7.0).max(0.0)
        };
        ctx.set_fill_style_str(grey);
        ctx.fill_rect(x - 2.0, 3.0, text_w + 6.0, 13.0);
        ctx.set_fill_style_str(if dark { "#0f1216" } else { "#ffffff" });
        let _ = ctx.fill_text(label, x + 1.0, 13.0);
    }
}
