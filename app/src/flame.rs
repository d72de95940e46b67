//! Draws the icicle flame graph on a `<canvas>` with the 2D context.
//!
//! Root frames are on the top row; x is the share of the total weight. Everything is drawn in
//! device pixels, with edges rounded to whole pixels, so it stays sharp at any
//! `devicePixelRatio`.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::model::Frame;

/// Height of one row, in CSS pixels.
pub const ROW_HEIGHT: f64 = 20.0;
/// Label font size, in CSS pixels.
const FONT_SIZE: f64 = 12.0;
/// Horizontal padding inside a frame before its label, in CSS pixels.
const LABEL_PADDING: f64 = 4.0;
/// Frames narrower than this (CSS pixels) get no label.
const MIN_LABEL_WIDTH: f64 = 24.0;

/// Colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Dark background: darker frames, light labels.
    pub dark: bool,
}

impl Theme {
    /// Label colour.
    pub fn text(self) -> &'static str {
        if self.dark { "#f3f4f6" } else { "#1b1f24" }
    }
}

/// Whether the user prefers a dark colour scheme.
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The package/module part of a function name, which picks its colour:
/// `a::b::f` → `a::b`, `java.util.Map.get` → `java.util.Map`,
/// `github.com/x/y.(*T).F` → `github.com/x/y`, `dir/file` → `dir`; a bare name is its own prefix.
pub fn module_prefix(name: &str) -> &str {
    if let Some(i) = name.rfind("::") {
        return &name[..i];
    }
    match name.rfind('/') {
        // Go: the package path ends at the first '.' after the last '/'.
        Some(slash) => match name[slash..].find('.') {
            Some(dot) => &name[..slash + dot],
            None if slash > 0 => &name[..slash],
            None => name,
        },
        None => match name.rfind('.') {
            Some(dot) if dot > 0 => &name[..dot],
            _ => name,
        },
    }
}

/// 32-bit FNV-1a: small, stable across runs and platforms.
pub fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// The fill colour of a frame: warm hues, chosen by a stable hash of the module prefix.
pub fn frame_colour(name: &str, theme: Theme) -> String {
    let hash = fnv1a(module_prefix(name));
    let hue = 6 + hash % 46; // red … amber
    let saturation = 62 + (hash >> 8) % 24;
    let lightness = if theme.dark {
        30 + (hash >> 16) % 12
    } else {
        60 + (hash >> 16) % 14
    };
    format!("hsl({hue} {saturation}% {lightness}%)")
}

/// Sizes the canvas for `rows` rows at the current width and devicePixelRatio, then draws
/// one rectangle per frame with its clipped label. Does nothing while the canvas has no width
/// (not laid out yet).
pub fn draw(
    canvas: &HtmlCanvasElement,
    frames: &[Frame],
    rows: u32,
    theme: Theme,
) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let dpr = window.device_pixel_ratio().max(1.0);
    let css_height = f64::from(rows) * ROW_HEIGHT;
    canvas
        .style()
        .set_property("height", &format!("{css_height}px"))?;
    let css_width = canvas.get_bounding_client_rect().width();
    if css_width <= 0.0 {
        return Ok(());
    }
    let width = (css_width * dpr).round();
    let height = (css_height * dpr).round();
    // Setting the size also clears the canvas and resets the context state.
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);

    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .dyn_into()?;
    ctx.set_font(&format!(
        "{}px system-ui, -apple-system, \"Segoe UI\", \"DejaVu Sans\", sans-serif",
        (FONT_SIZE * dpr).round()
    ));
    ctx.set_text_baseline("middle");

    let row_height = (ROW_HEIGHT * dpr).round();
    let gap = dpr.round().max(1.0);
    let padding = (LABEL_PADDING * dpr).round();
    let min_label = MIN_LABEL_WIDTH * dpr;
    for frame in frames {
        let x0 = (frame.x0 * width).round();
        let x1 = (frame.x1 * width).round();
        let w = (x1 - x0 - gap).max(1.0);
        let y = f64::from(frame.depth) * row_height;
        let h = row_height - gap;
        ctx.set_fill_style_str(&frame_colour(&frame.name, theme));
        ctx.fill_rect(x0, y, w, h);

        if w >= min_label
            && let Some(label) = fit_label(&ctx, &frame.name, w - 2.0 * padding)?
        {
            ctx.set_fill_style_str(theme.text());
            ctx.fill_text(&label, x0 + padding, y + h / 2.0)?;
        }
    }
    Ok(())
}

/// The longest label that fits in `max_width`: the whole name, or a prefix with "…".
fn fit_label(
    ctx: &CanvasRenderingContext2d,
    name: &str,
    max_width: f64,
) -> Result<Option<String>, JsValue> {
    if max_width <= 0.0 {
        return Ok(None);
    }
    let width = |text: &str| ctx.measure_text(text).map(|m| m.width());
    if width(name)? <= max_width {
        return Ok(Some(name.to_owned()));
    }
    // Binary search the number of characters kept before the ellipsis.
    let chars: Vec<char> = name.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().chain(['…'].iter()).collect();
        if width(&candidate)? <= max_width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok((lo > 0).then(|| chars[..lo].iter().chain(['…'].iter()).collect()))
}
