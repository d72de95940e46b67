//! Painting the waterfall's timeline: one canvas the size of the visible timeline column,
//! redrawn for the visible rows only (so 40 000 spans cost what 30 do). Per row: a bar from
//! the span's start to its end in its service's colour, its duration beside it, and below it
//! a strip of ticks where its samples fell (the selected function's in the accent colour).
//! The header row holds the time axis labels; faint lines continue them down the rows.

use spanflame_core::TraceSet;
use spanflame_core::palette::Rgb;
use spanflame_core::units::format_value;
use spanflame_core::viewport::Viewport;
use spanflame_core::waterfall::{TimeAxis, service_colour};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::data::{Hits, Join, Row, row_extent, row_times};
use super::{HEAD_HEIGHT, ROW_HEIGHT};
use crate::flame::draw::{accent, background};

/// Font stack of the page.
const FONT_FAMILY: &str =
    "system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", sans-serif";
/// Ticks at least this far apart, CSS pixels.
pub const TICK_GAP: f64 = 90.0;
/// Bar top and height within a row.
const BAR_TOP: f64 = 3.0;
const BAR_HEIGHT: f64 = 11.0;
/// The sample strip under the bar.
const STRIP_TOP: f64 = 15.0;
const STRIP_HEIGHT: f64 = 5.0;

fn foreground(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0xe6e8eb)
    } else {
        Rgb::hex(0x15181c)
    }
}

fn muted(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0x9aa4ae)
    } else {
        Rgb::hex(0x57606a)
    }
}

fn grid(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0x262c33)
    } else {
        Rgb::hex(0xe6e9ed)
    }
}

fn error_colour(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0xff7b72)
    } else {
        Rgb::hex(0xb42318)
    }
}

/// Everything one paint needs.
pub struct Scene<'a> {
    /// The spans.
    pub traces: &'a TraceSet,
    /// All rows, in order.
    pub rows: &'a [Row],
    /// Counts and sample times.
    pub join: &'a Join,
    /// The selected function's spans.
    pub hits: Option<&'a Hits>,
    /// Service index per span.
    pub service_of: &'a [u32],
    /// The time axis (none: nothing has times).
    pub axis: Option<TimeAxis>,
    /// The visible part of the axis.
    pub view: Viewport,
    /// Spans the current span filter covers (others are dimmed).
    pub in_scope: Option<&'a [bool]>,
    /// The time window of a "while it ran" filter, UTC ns.
    pub window: Option<(u64, u64)>,
    /// Content y at the top of the rows area.
    pub scroll_top: f64,
    /// Timeline width (bars go across it), CSS pixels.
    pub timeline: f64,
    /// Canvas size, CSS pixels (a little wider than the timeline, for labels).
    pub width: f64,
    /// Canvas height, CSS pixels.
    pub height: f64,
    /// `devicePixelRatio`.
    pub dpr: f64,
    /// Dark theme.
    pub dark: bool,
}

/// The canvas and its context.
pub struct Painter {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

impl Painter {
    /// Take over a canvas.
    pub fn new(canvas: HtmlCanvasElement) -> Result<Painter, JsValue> {
        let ctx = canvas
            .get_context("2d")?
            .ok_or_else(|| JsValue::from_str("no 2d context"))?
            .dyn_into::<CanvasRenderingContext2d>()
            .map_err(|_| JsValue::from_str("not a 2d context"))?;
        Ok(Painter { canvas, ctx })
    }

    /// The canvas.
    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// Paint the visible rows.
    pub fn draw(&mut self, s: &Scene) -> Result<(), JsValue> {
        let (w, h) = (
            (s.width * s.dpr).round() as u32,
            (s.height * s.dpr).round() as u32,
        );
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        let ctx = &self.ctx;
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
        // From here on, CSS pixels.
        ctx.scale(s.dpr, s.dpr)?;
        let Some(axis) = s.axis else {
            return Ok(());
        };
        let px = 1.0 / s.dpr;
        let x_of = |t: u64| axis.x(s.view, s.timeline, t);

        // The axis: labels in the header, faint lines down the rows.
        let ticks = axis.ticks(s.view, s.timeline, TICK_GAP);
        ctx.set_font(&format!("11px {FONT_FAMILY}"));
        ctx.set_text_baseline("middle");
        ctx.set_fill_style_str(&grid(s.dark).css());
        for t in &ticks {
            let x = snap(t.x, s.dpr);
            ctx.fill_rect(x, HEAD_HEIGHT, px, s.height - HEAD_HEIGHT);
        }
        ctx.set_fill_style_str(&muted(s.dark).css());
        for (i, t) in ticks.iter().enumerate() {
            let label_w = ctx.measure_text(&t.label)?.width();
            // The last label ends at its tick when it would run off the canvas.
            let x = if t.x + 3.0 + label_w > s.width && i > 0 {
                t.x - 3.0 - label_w
            } else {
                t.x + 3.0
            };
            ctx.fill_text(&t.label, x, HEAD_HEIGHT / 2.0)?;
        }

        // The rows, clipped under the header.
        ctx.save();
        ctx.begin_path();
        ctx.rect(0.0, HEAD_HEIGHT, s.width, s.height - HEAD_HEIGHT);
        ctx.clip();
        if let Some((from, to)) = s.window {
            let (x0, x1) = (x_of(from), x_of(to));
            let band = accent(s.dark);
            ctx.set_global_alpha(0.12);
            ctx.set_fill_style_str(&band.css());
            ctx.fill_rect(x0, HEAD_HEIGHT, (x1 - x0).max(px), s.height - HEAD_HEIGHT);
            ctx.set_global_alpha(1.0);
            ctx.fill_rect(snap(x0, s.dpr), HEAD_HEIGHT, px, s.height - HEAD_HEIGHT);
            ctx.fill_rect(snap(x1, s.dpr), HEAD_HEIGHT, px, s.height - HEAD_HEIGHT);
        }
        let body = s.height - HEAD_HEIGHT;
        let first = (s.scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
        let last =
            (((s.scroll_top + body) / ROW_HEIGHT).ceil().max(0.0) as usize).min(s.rows.len());
        let bg = background(s.dark);
        let fg = foreground(s.dark);
        for pos in first..last.max(first) {
            let row = s.rows[pos];
            let y = HEAD_HEIGHT + pos as f64 * ROW_HEIGHT - s.scroll_top;
            let Some((start, end)) = row_extent(s.traces, s.join, row) else {
                continue;
            };
            let x0 = x_of(start);
            let x1 = x_of(end).max(x0 + px);
            let visible = x1 >= -1.0 && x0 <= s.timeline + 1.0;
            let (bx0, bx1) = (x0.max(-2.0), x1.min(s.timeline + 2.0));
            let bar_y = y + BAR_TOP;
            match row {
                Row::Span(i) => {
                    let mut fill =
                        service_colour(s.service_of.get(i.index()).copied().unwrap_or(0));
                    if s.in_scope
                        .is_some_and(|scope| scope.get(i.index()) == Some(&false))
                    {
                        fill = fill.mix(bg, 0.55);
                    }
                    if visible {
                        ctx.set_fill_style_str(&fill.css());
                        let (l, r) = (
                            snap(bx0, s.dpr),
                            snap(bx1, s.dpr).max(snap(bx0, s.dpr) + px),
                        );
                        ctx.fill_rect(l, bar_y, r - l, BAR_HEIGHT);
                        if s.traces
                            .span(i)
                            .is_some_and(|span| span.status == spanflame_core::SpanStatus::Error)
                        {
                            ctx.set_stroke_style_str(&error_colour(s.dark).css());
                            ctx.set_line_width(2.0);
                            ctx.stroke_rect(
                                l + 1.0,
                                bar_y + 1.0,
                                (r - l - 2.0).max(1.0),
                                BAR_HEIGHT - 2.0,
                            );
                        }
                    }
                }
                Row::Linked(_) => {
                    // Only the spread of its samples is known: an outline, not a bar.
                    if visible {
                        ctx.set_stroke_style_str(&muted(s.dark).css());
                        ctx.set_line_width(1.0);
                        let dash = js_sys::Array::of2(&3.0.into(), &2.0.into());
                        ctx.set_line_dash(&dash)?;
                        ctx.stroke_rect(
                            bx0 + 0.5,
                            bar_y + 0.5,
                            (bx1 - bx0 - 1.0).max(1.0),
                            BAR_HEIGHT - 1.0,
                        );
                        ctx.set_line_dash(&js_sys::Array::new())?;
                    }
                }
            }
            // Where its samples fell; the selected function's on top, in the accent colour.
            self.ticks(
                s,
                row_times(&s.join.times, s.traces, row),
                y + STRIP_TOP,
                STRIP_HEIGHT,
                fg,
                &x_of,
            );
            if let Some(hits) = s.hits {
                self.ticks(
                    s,
                    row_times(&hits.times, s.traces, row),
                    y + STRIP_TOP - 2.0,
                    STRIP_HEIGHT + 2.0,
                    accent(s.dark),
                    &x_of,
                );
            }
            // The duration beside the bar, or inside it when there is no room on either side.
            if visible {
                let text = format_value((end - start) as i64, "nanoseconds");
                let tw = ctx.measure_text(&text)?.width();
                let mid = bar_y + BAR_HEIGHT / 2.0 + 0.5;
                if x1 + 4.0 + tw <= s.width {
                    ctx.set_fill_style_str(&muted(s.dark).css());
                    ctx.fill_text(&text, x1 + 4.0, mid)?;
                } else if x0 - 4.0 - tw >= 0.0 {
                    ctx.set_fill_style_str(&muted(s.dark).css());
                    ctx.fill_text(&text, x0 - 4.0 - tw, mid)?;
                } else if let Row::Span(i) = row {
                    let fill = service_colour(s.service_of.get(i.index()).copied().unwrap_or(0));
                    ctx.set_fill_style_str(&fill.text().css());
                    ctx.fill_text(&text, bx0.max(0.0) + 4.0, mid)?;
                }
            }
        }
        ctx.restore();
        Ok(())
    }

    /// One tick per device pixel column that holds samples.
    fn ticks<'t>(
        &self,
        s: &Scene,
        runs: impl Iterator<Item = &'t [u64]>,
        y: f64,
        h: f64,
        colour: Rgb,
        x_of: &impl Fn(u64) -> f64,
    ) {
        let Some(axis) = s.axis else { return };
        let ctx = &self.ctx;
        let (from, to) = (
            axis.at(s.view.x0).saturating_sub(1),
            axis.at(s.view.x1).saturating_add(1),
        );
        let px = 1.0 / s.dpr;
        let mut set = false;
        for times in runs {
            let lo = times.partition_point(|&t| t < from);
            let hi = times.partition_point(|&t| t <= to);
            let mut last = i64::MIN;
            for &t in &times[lo..hi] {
                let device = (x_of(t) * s.dpr).round() as i64;
                if device == last {
                    continue;
                }
                last = device;
                if !set {
                    ctx.set_fill_style_str(&colour.css());
                    set = true;
                }
                ctx.fill_rect(device as f64 / s.dpr, y, px.max(1.0 / s.dpr), h);
            }
        }
    }
}

/// `x` rounded to the device pixel grid.
fn snap(x: f64, dpr: f64) -> f64 {
    (x * dpr).round() / dpr
}
