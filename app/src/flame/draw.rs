//! Painting the flame graph on two stacked canvases, each exactly the size of the visible
//! area (never taller than the window, however deep the stacks).
//!
//! * The base canvas holds the frames. It is redrawn when the data, zoom, scroll, size,
//!   colours or search change. Only visible rows are planned ([`plan`]), frames narrower
//!   than a pixel are merged, fills are batched per colour, and edges are rounded to device
//!   pixels so it is sharp at any `devicePixelRatio`.
//! * The overlay holds the hover outline, the keyboard cursor and the outlines of the
//!   selected function, so moving the mouse repaints only a few strokes.

use std::collections::HashMap;

use spanflame_core::model::StringId;
use spanflame_core::palette::{Rgb, merged_colour};
use spanflame_core::viewport::{DrawItem, Drawn, Marks, Rows, Viewport, plan};
use spanflame_core::{CallTree, FlameLayout, NodeId};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

#[wasm_bindgen]
extern "C" {
    /// A 2D context, for a setter that takes a JS string kept between paints (web-sys's
    /// `set_fill_style_str` copies and decodes the Rust string on every call, a few hundred
    /// times per frame zoomed out).
    type FillStyle;
    #[wasm_bindgen(method, setter = fillStyle)]
    fn set_fill_style(this: &FillStyle, value: &JsValue);
}

/// Height of one row, CSS pixels.
pub const ROW_HEIGHT: f64 = 18.0;
/// Frames narrower than this (CSS pixels) are merged with their narrow neighbours.
pub const MERGE_BELOW: f64 = 1.0;
/// Label font size, CSS pixels.
const FONT_SIZE: f64 = 12.0;
/// Space left of a label, CSS pixels.
const LABEL_PADDING: f64 = 4.0;
/// Narrower frames (CSS pixels) get no label.
const MIN_LABEL_WIDTH: f64 = 22.0;
/// Frames listed in the DOM mirror are at least this wide (CSS pixels) ...
const MIRROR_MIN_WIDTH: f64 = 3.0;
/// ... and at most this many.
pub const MIRROR_CAP: usize = 500;
/// Font stack: what the page uses, no web fonts.
const FONT_FAMILY: &str =
    "system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", sans-serif";

/// The page background of a theme (must match `--bg` in style.css): dimmed frames fade
/// towards it.
pub fn background(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0x0f1216)
    } else {
        Rgb::hex(0xffffff)
    }
}

/// Outline colour of the selected function (must match `--accent` in style.css).
pub fn accent(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0xf0883e)
    } else {
        Rgb::hex(0xb3400f)
    }
}

fn foreground(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0xf3f4f6)
    } else {
        Rgb::hex(0x15181c)
    }
}

/// Everything one paint needs.
pub struct Scene<'a> {
    /// The tree laid out.
    pub tree: &'a CallTree,
    /// Its rectangles at the current zoom.
    pub layout: &'a FlameLayout,
    /// Fill per tree node.
    pub colours: &'a [Rgb],
    /// Search matches per rect; the others are dimmed. `None`: no search.
    pub search: Option<&'a Marks>,
    /// The visible part of the unit interval.
    pub view: Viewport,
    /// Rows on screen.
    pub rows: Rows,
    /// Content y at the top of the visible area.
    pub scroll_top: f64,
    /// Visible area, CSS pixels.
    pub width: f64,
    /// Visible area, CSS pixels.
    pub height: f64,
    /// `devicePixelRatio`.
    pub dpr: f64,
    /// Dark theme.
    pub dark: bool,
}

impl Scene<'_> {
    /// Device-pixel box of a rect spanning CSS `x..x + w` in row `depth`, edges rounded.
    fn device_box(&self, depth: u32, x: f64, w: f64) -> (f64, f64, f64, f64) {
        let dpr = self.dpr;
        let x0 = (x.max(-2.0) * dpr).round();
        let x1 = ((x + w).min(self.width + 2.0) * dpr).round().max(x0 + 1.0);
        let top = self.rows.top(depth) - self.scroll_top;
        let y0 = (top * dpr).round();
        let y1 = ((top + ROW_HEIGHT) * dpr).round();
        (x0, y0, x1 - x0, y1 - y0)
    }

    /// CSS-pixel position of rect `i`: (x, y, w) relative to the visible area.
    pub fn rect_css(&self, i: usize) -> (f64, f64, f64) {
        let r = self.layout.rects()[i];
        let scale = self.width / self.view.width();
        (
            (r.x0 - self.view.x0) * scale,
            self.rows.top(r.depth) - self.scroll_top,
            (r.x1 - r.x0) * scale,
        )
    }
}

/// One frame of the DOM mirror.
#[derive(Debug, Clone, PartialEq)]
pub struct MirrorItem {
    /// Call-tree node.
    pub node: NodeId,
    /// Function name.
    pub name: String,
    /// Row.
    pub depth: u32,
    /// CSS pixels from the left of the visible area.
    pub x: f64,
    /// CSS pixels from the top of the visible area.
    pub y: f64,
    /// CSS pixels.
    pub w: f64,
    /// Matches the search.
    pub matched: bool,
}

/// The two canvases and what is cached between paints.
pub struct Renderer {
    base: HtmlCanvasElement,
    base_ctx: CanvasRenderingContext2d,
    overlay: HtmlCanvasElement,
    overlay_ctx: CanvasRenderingContext2d,
    /// What the last base paint drew.
    pub items: Vec<DrawItem>,
    /// Label widths in device pixels, valid for `widths_key`: by name id and the number of
    /// characters kept before "…" ([`FULL`] for the whole name). Zooming changes every
    /// label's room on every frame; without the cut labels here, each frame measured them
    /// all again (150 `measureText` calls per frame zoomed out on M).
    widths: HashMap<(StringId, u32), f64>,
    widths_key: (u64, usize),
    /// The CSS strings of the colours used so far, as JS strings.
    styles: HashMap<Rgb, JsValue>,
    /// A cut label being built.
    label: String,
    batch: Vec<(Rgb, f64, f64, f64, f64)>,
}

/// The key of a whole name's width in [`Renderer::widths`].
const FULL: u32 = u32::MAX;
/// More cached widths than this (long sessions over many trees' worth of names) start over.
const WIDTHS_CAP: usize = 200_000;

/// Set `fill` as the fill style through the JS string cache.
fn set_fill(ctx: &CanvasRenderingContext2d, styles: &mut HashMap<Rgb, JsValue>, fill: Rgb) {
    if styles.len() > 4096 {
        styles.clear();
    }
    let style = styles
        .entry(fill)
        .or_insert_with(|| JsValue::from_str(&fill.css()));
    ctx.unchecked_ref::<FillStyle>().set_fill_style(style);
}

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()
        .map_err(|_| JsValue::from_str("not a 2d context"))
}

impl Renderer {
    /// Take over two canvases.
    pub fn new(base: HtmlCanvasElement, overlay: HtmlCanvasElement) -> Result<Self, JsValue> {
        Ok(Renderer {
            base_ctx: context(&base)?,
            overlay_ctx: context(&overlay)?,
            base,
            overlay,
            items: Vec::new(),
            widths: HashMap::new(),
            widths_key: (0, 0),
            styles: HashMap::new(),
            label: String::new(),
            batch: Vec::new(),
        })
    }

    /// Size both canvases to the visible area at the device pixel ratio.
    fn fit(&mut self, s: &Scene) {
        let (w, h) = (
            (s.width * s.dpr).round() as u32,
            (s.height * s.dpr).round() as u32,
        );
        for canvas in [&self.base, &self.overlay] {
            // Assigning the size clears the canvas and resets its state: only when it changes.
            if canvas.width() != w || canvas.height() != h {
                canvas.set_width(w);
                canvas.set_height(h);
            }
        }
    }

    /// Paint the frames.
    pub fn draw(&mut self, s: &Scene) -> Result<(), JsValue> {
        self.fit(s);
        let ctx = &self.base_ctx;
        ctx.clear_rect(
            0.0,
            0.0,
            f64::from(self.base.width()),
            f64::from(self.base.height()),
        );
        let depths = s.rows.visible(s.scroll_top, s.height);
        plan(
            s.layout,
            s.view,
            s.width,
            depths,
            MERGE_BELOW,
            &mut self.items,
        );

        let bg = background(s.dark);
        // Non-matches lose their hue and fade towards the background, so matches stand out
        // in any palette (pale ones included).
        let dim = |c: Rgb| {
            let l = (0.3 * f64::from(c.r) + 0.59 * f64::from(c.g) + 0.11 * f64::from(c.b)).round()
                as u8;
            Rgb { r: l, g: l, b: l }.mix(bg, 0.7)
        };
        let gap = s.dpr.round().max(1.0);
        let rects = s.layout.rects();
        // Fills, batched per colour.
        self.batch.clear();
        for item in &self.items {
            let (x, y, w, h) = s.device_box(item.depth, item.x, item.w);
            let h = h - gap;
            match item.what {
                Drawn::Frame(i) => {
                    let mut fill = s.colours[rects[i].node.index()];
                    if s.search.is_some_and(|m| !m.get(i)) {
                        fill = dim(fill);
                    }
                    let w = if w >= 3.0 * gap { w - gap } else { w };
                    self.batch.push((fill, x, y, w, h));
                }
                Drawn::Merged(a, b) => {
                    // A sliver hiding a search match must not look like the faded rest.
                    let fill = match s.search {
                        Some(m) if m.any(a, b) => accent(s.dark),
                        Some(_) => dim(merged_colour(s.dark)),
                        None => merged_colour(s.dark),
                    };
                    // Not rounded: a sliver stays a faint sliver.
                    self.batch
                        .push((fill, item.x * s.dpr, y, item.w * s.dpr, h));
                }
            }
        }
        self.batch.sort_unstable_by_key(|b| b.0);
        let mut current = None;
        for &(fill, x, y, w, h) in &self.batch {
            if current != Some(fill) {
                set_fill(ctx, &mut self.styles, fill);
                current = Some(fill);
            }
            ctx.fill_rect(x, y, w, h);
        }
        self.labels(s)
    }

    /// Labels of the frames wide enough, clipped with an ellipsis. A label stays in view
    /// when its frame starts left of the screen.
    fn labels(&mut self, s: &Scene) -> Result<(), JsValue> {
        let ctx = &self.base_ctx;
        let key = (s.dpr.to_bits(), std::ptr::from_ref(s.tree) as usize);
        if self.widths_key != key || self.widths.len() > WIDTHS_CAP {
            self.widths.clear();
            self.widths_key = key;
        }
        ctx.set_font(&format!("{}px {FONT_FAMILY}", (FONT_SIZE * s.dpr).round()));
        ctx.set_text_baseline("middle");
        let gap = s.dpr.round().max(1.0);
        let padding = (LABEL_PADDING * s.dpr).round();
        let right_edge = s.width * s.dpr;
        let bg = background(s.dark);
        let mut current = None;
        for item in &self.items {
            let Drawn::Frame(i) = item.what else { continue };
            if item.w < MIN_LABEL_WIDTH {
                continue;
            }
            let (x, y, w, h) = s.device_box(item.depth, item.x, item.w);
            let left = x.max(0.0);
            let right = (x + w - gap).min(right_edge);
            let room = right - left - 2.0 * padding;
            if room < 6.0 * s.dpr {
                continue;
            }
            let node = s.layout.rects()[i].node;
            let name = s.tree.name(node);
            let label = match fit(
                ctx,
                &mut self.widths,
                &mut self.label,
                s.tree.name_id(node),
                name,
                room,
            )? {
                Fit::Whole => name,
                Fit::Cut => self.label.as_str(),
                Fit::Nothing => continue,
            };
            let fill = s.colours[node.index()];
            let mut colour = fill.text();
            if s.search.is_some_and(|m| !m.get(i)) {
                colour = colour.mix(bg, 0.6);
            }
            if current != Some(colour) {
                set_fill(ctx, &mut self.styles, colour);
                current = Some(colour);
            }
            ctx.fill_text(label, left + padding, y + (h - gap) / 2.0)?;
        }
        Ok(())
    }

    /// Paint the overlay: outlines of `selected` frames, the hovered rect and the cursor.
    pub fn draw_overlay(
        &mut self,
        s: &Scene,
        selected: Option<&Marks>,
        hover: Option<usize>,
        cursor: Option<usize>,
    ) -> Result<(), JsValue> {
        self.fit(s);
        let ctx = &self.overlay_ctx;
        ctx.clear_rect(
            0.0,
            0.0,
            f64::from(self.overlay.width()),
            f64::from(self.overlay.height()),
        );
        let gap = s.dpr.round().max(1.0);
        let stroke = |x: f64, y: f64, w: f64, h: f64, colour: Rgb, width: f64| {
            ctx.set_stroke_style_str(&colour.css());
            ctx.set_line_width(width);
            // Inside the box, so neighbours do not cover it.
            ctx.stroke_rect(
                x + width / 2.0,
                y + width / 2.0,
                (w - gap - width).max(1.0),
                (h - gap - width).max(1.0),
            );
        };
        if let Some(marks) = selected {
            let colour = accent(s.dark);
            for item in &self.items {
                let hit = match item.what {
                    Drawn::Frame(i) => marks.get(i),
                    Drawn::Merged(a, b) => marks.any(a, b),
                };
                if hit {
                    let (x, y, w, h) = s.device_box(item.depth, item.x, item.w);
                    stroke(x, y, w, h, colour, 2.0 * gap);
                }
            }
        }
        let visible = s.rows.visible(s.scroll_top, s.height);
        let outline = |i: usize, colour: Rgb, dashed: bool| {
            if !visible.contains(&s.layout.rects()[i].depth) {
                return;
            }
            let (x, _, w) = s.rect_css(i);
            let (x, y, w, h) = s.device_box(s.layout.rects()[i].depth, x, w);
            if dashed {
                let dash = js_sys::Array::of2(&(4.0 * gap).into(), &(3.0 * gap).into());
                let _ = ctx.set_line_dash(&dash);
            }
            stroke(x, y, w, h, colour, 2.0 * gap);
            let _ = ctx.set_line_dash(&js_sys::Array::new());
        };
        if let Some(i) = hover {
            outline(i, foreground(s.dark), false);
        }
        if let Some(i) = cursor {
            outline(i, foreground(s.dark), true);
        }
        Ok(())
    }

    /// The frames drawn at least a few pixels wide, for the DOM mirror.
    pub fn mirror(&self, s: &Scene) -> Vec<MirrorItem> {
        self.items
            .iter()
            .filter_map(|item| match item.what {
                Drawn::Frame(i) if item.w >= MIRROR_MIN_WIDTH => Some((i, item)),
                _ => None,
            })
            .take(MIRROR_CAP)
            .map(|(i, item)| {
                let node = s.layout.rects()[i].node;
                MirrorItem {
                    node,
                    name: s.tree.name(node).to_owned(),
                    depth: item.depth,
                    x: item.x,
                    y: s.rows.top(item.depth) - s.scroll_top,
                    w: item.w,
                    matched: s.search.is_some_and(|m| m.get(i)),
                }
            })
            .collect()
    }
}

/// What [`fit`] found room for.
enum Fit {
    /// The whole name.
    Whole,
    /// A prefix and "…", in the label buffer.
    Cut,
    /// Nothing.
    Nothing,
}

/// The longest label that fits in `room` device pixels: the name, or a prefix with "…"
/// (built in `label`). Widths are measured once per string and font (`widths`).
fn fit(
    ctx: &CanvasRenderingContext2d,
    widths: &mut HashMap<(StringId, u32), f64>,
    label: &mut String,
    name_id: StringId,
    name: &str,
    room: f64,
) -> Result<Fit, JsValue> {
    let full = match widths.get(&(name_id, FULL)) {
        Some(&w) => w,
        None => {
            let w = ctx.measure_text(name)?.width();
            widths.insert((name_id, FULL), w);
            w
        }
    };
    if full <= room {
        return Ok(Fit::Whole);
    }
    let count = name.chars().count();
    // Guess from the average character width, then step down until it fits.
    let mut keep = ((room / full) * count as f64).floor() as usize;
    keep = keep.min(count.saturating_sub(1));
    let cut = |label: &mut String, keep: usize| {
        let end = name.char_indices().nth(keep).map_or(name.len(), |(i, _)| i);
        label.clear();
        label.push_str(&name[..end]);
        label.push('…');
    };
    while keep > 0 {
        let key = (name_id, u32::try_from(keep).unwrap_or(FULL - 1));
        let width = match widths.get(&key) {
            Some(&w) => w,
            None => {
                cut(label, keep);
                let w = ctx.measure_text(label)?.width();
                widths.insert(key, w);
                w
            }
        };
        if width <= room {
            cut(label, keep);
            return Ok(Fit::Cut);
        }
        keep = keep.saturating_sub(1.max(keep / 8));
    }
    Ok(Fit::Nothing)
}
