//! The flame graph as a standalone SVG: one `<g>` per visible frame, holding a `<title>`
//! (name, total and share, shown as a tooltip by browsers), a `<rect>` and, when it fits, a
//! `<text>` label (selectable, elided with `…` to the frame's width). Colours are
//! [`crate::palette::node_colours`]', the canvas's, in the light or the dark theme; a
//! differential graph ([`diff_svg`]) has the canvas's red and blue
//! ([`crate::palette::diff_colour`]), the baseline and the change in each title, and the
//! colour scale under the heading. [`picture_svg`] stacks several graphs (the sandwich
//! view's callers over its callees).
//!
//! Label widths are estimated, not measured (an SVG file has no font metrics): the label
//! font is monospace, whose advance is close to [`CHAR_WIDTH`] of the font size.

use std::fmt::Write;

use super::escape;
use crate::diff::{Diff, format_delta};
use crate::layout::FlameLayout;
use crate::palette::{
    ColourMode, Palette, diff_legend, diff_node_colours, merged_colour, node_colours,
};
use crate::tree::CallTree;
use crate::units::{format_share, format_value};
use crate::viewport::Orientation;

/// Advance of one monospace character, as a share of the font size.
pub const CHAR_WIDTH: f64 = 0.6;

/// How to draw the picture.
#[derive(Debug, Clone)]
pub struct SvgOptions {
    /// Width of the picture, pixels.
    pub width: f64,
    /// Height of one row, pixels.
    pub row_height: f64,
    /// Label font size, pixels.
    pub font_size: f64,
    /// Frames narrower than this (pixels) are left out.
    pub min_width: f64,
    /// What picks frame colours.
    pub colour_mode: ColourMode,
    /// Package hues.
    pub palette: Palette,
    /// Dark theme.
    pub dark: bool,
    /// Root row at the top or at the bottom.
    pub orientation: Orientation,
    /// A heading line above the graph (empty for none).
    pub title: String,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            width: 1200.0,
            row_height: 18.0,
            font_size: 12.0,
            min_width: 0.1,
            colour_mode: ColourMode::default(),
            palette: Palette::default(),
            dark: false,
            orientation: Orientation::default(),
            title: String::new(),
        }
    }
}

/// `label` cut to at most `chars` characters, ending in `…` when cut; `None` when not even
/// two characters and the ellipsis fit.
pub fn elide(label: &str, chars: usize) -> Option<String> {
    let n = label.chars().count();
    if n <= chars {
        return Some(label.to_owned());
    }
    if chars < 3 {
        return None;
    }
    let mut out: String = label.chars().take(chars - 1).collect();
    out.push('…');
    Some(out)
}

/// One graph of a picture: a tree laid out, drawn with its root at the top or the bottom,
/// in the usual colours or, with `diff`, by the change against a baseline.
#[derive(Clone, Copy)]
pub struct Pane<'a> {
    /// The tree (names, weights; shares in the titles are of its total).
    pub tree: &'a CallTree,
    /// `tree` laid out (zoomed if [`FlameLayout::focused`] made it).
    pub layout: &'a FlameLayout,
    /// Root row at the top or at the bottom.
    pub orientation: Orientation,
    /// A comparison whose [`Diff::comparison`] is `tree` (the same nodes): frames are
    /// coloured red and blue by the change of their share, and titles say before and after.
    /// A diff of another tree is ignored.
    pub diff: Option<&'a Diff>,
}

/// The SVG of `layout` (laid out from `tree`; zoomed if [`FlameLayout::focused`] made it).
/// Shares in the titles are of `tree`'s total.
pub fn flame_svg(tree: &CallTree, layout: &FlameLayout, opts: &SvgOptions) -> String {
    let pane = Pane {
        tree,
        layout,
        orientation: opts.orientation,
        diff: None,
    };
    picture_svg(&[pane], opts)
}

/// The differential flame graph of `diff`: `layout` is of [`Diff::comparison`] (width =
/// comparison), each frame coloured by [`crate::palette::diff_colour`] of its change of share, with the
/// before and after in its title and the colour scale under the heading.
pub fn diff_svg(diff: &Diff, layout: &FlameLayout, opts: &SvgOptions) -> String {
    let pane = Pane {
        tree: diff.comparison(),
        layout,
        orientation: opts.orientation,
        diff: Some(diff),
    };
    picture_svg(&[pane], opts)
}

/// `panes` stacked from the top, with no gap between them (a sandwich view's callers, root
/// at the bottom, over its callees, root at the top, meet at the function's two rows).
/// `opts.orientation` is not used: each pane has its own.
pub fn picture_svg(panes: &[Pane<'_>], opts: &SvgOptions) -> String {
    let diff = panes
        .iter()
        .find_map(|p| p.diff.filter(|d| pairs(d, p.tree)));
    let mut head = 0.0;
    if !opts.title.is_empty() {
        head += opts.row_height * 1.6;
    }
    if diff.is_some() {
        head += opts.row_height * 1.4;
    }
    let rows: u32 = panes.iter().map(|p| p.layout.depth_count()).sum();
    let height = head + f64::from(rows) * opts.row_height;
    let (bg, fg) = if opts.dark {
        ("#16181c", "#e8eaed")
    } else {
        ("#ffffff", "#15181c")
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" \
         viewBox=\"0 0 {w} {height}\" font-family=\"ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace\" \
         font-size=\"{fs}\">\n<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"{bg}\"/>\n",
        w = opts.width,
        fs = opts.font_size,
    );
    if !opts.title.is_empty() {
        let _ = writeln!(
            out,
            "<text class=\"heading\" x=\"{}\" y=\"{}\" fill=\"{fg}\" text-anchor=\"middle\" font-size=\"{}\">{}</text>",
            opts.width / 2.0,
            opts.row_height * 1.1,
            opts.font_size * 1.2,
            escape(&opts.title)
        );
    }
    if diff.is_some() {
        let top = if opts.title.is_empty() {
            0.0
        } else {
            opts.row_height * 1.6
        };
        legend(&mut out, top, fg, opts);
    }
    let mut y0 = head;
    for pane in panes {
        frames(&mut out, pane, y0, opts);
        y0 += f64::from(pane.layout.depth_count()) * opts.row_height;
    }
    out.push_str("</svg>\n");
    out
}

/// Whether `diff`'s comparison is `tree` (a memo can pair another tree of the same view).
fn pairs(diff: &Diff, tree: &CallTree) -> bool {
    diff.comparison().len() == tree.len() && diff.comparison().total() == tree.total()
}

/// The diff colour scale, one line at `top`: swatches and what they mean, shrank to grew.
fn legend(out: &mut String, top: f64, fg: &str, opts: &SvgOptions) {
    let y = top + opts.row_height * 0.2;
    let h = opts.row_height * 0.8;
    let mut x = 6.0;
    out.push_str("<g class=\"legend\">\n");
    for (colour, text) in diff_legend(opts.dark) {
        let _ = writeln!(
            out,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{h:.2}\" height=\"{h:.2}\" fill=\"{}\"/>\
             <text x=\"{:.2}\" y=\"{:.2}\" fill=\"{fg}\">{}</text>",
            colour.css(),
            x + h + 4.0,
            y + h * 0.5 + opts.font_size * 0.35,
            escape(&text)
        );
        x += h + 4.0 + (text.chars().count() as f64 + 2.0) * opts.font_size * CHAR_WIDTH;
    }
    out.push_str("</g>\n");
}

/// One `<g>` per frame of `pane` wide enough to draw, its rows from `y0` down.
fn frames(out: &mut String, pane: &Pane<'_>, y0: f64, opts: &SvgOptions) {
    let tree = pane.tree;
    let diff = pane.diff.filter(|d| pairs(d, tree));
    let colours = match diff {
        Some(d) => diff_node_colours(d, opts.dark),
        None => node_colours(tree, opts.colour_mode, opts.palette, opts.dark),
    };
    let rows = pane.layout.depth_count();
    let unit = tree.sample_type().unit.clone();
    let total = tree.total();
    let char_px = opts.font_size * CHAR_WIDTH;
    out.push_str("<g class=\"frames\">\n");
    for r in pane.layout.rects() {
        let x = r.x0 * opts.width;
        let w = (r.x1 - r.x0) * opts.width;
        if w < opts.min_width {
            continue;
        }
        let row = match pane.orientation {
            Orientation::Icicle => f64::from(r.depth),
            Orientation::Flame => f64::from(rows - 1 - r.depth),
        };
        let y = y0 + row * opts.row_height;
        let name = tree.name(r.node);
        let fill = if w < 1.0 && diff.is_none() {
            merged_colour(opts.dark)
        } else {
            colours[r.node.index()]
        };
        let weight = tree.total_weight(r.node);
        let _ = write!(
            out,
            "<g><title>{} ({}, {}",
            escape(name),
            escape(&format_value(weight, &unit)),
            escape(&format_share(weight, total)),
        );
        if let Some(d) = diff {
            let n = d.node(r.node);
            let _ = write!(
                out,
                "; baseline {}, {}; {}",
                escape(&format_value(n.before_total, &unit)),
                escape(&format_share(n.before_total, d.totals().0)),
                escape(&format_delta(n.delta())),
            );
        }
        let _ = write!(
            out,
            ")</title><rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{}\" rx=\"1\"/>",
            fill.css(),
            h = opts.row_height - 1.0,
        );
        let room = ((w - 6.0) / char_px).floor();
        if room >= 1.0
            && let Some(label) = elide(name, room as usize)
        {
            let _ = write!(
                out,
                "<text x=\"{:.2}\" y=\"{:.2}\" fill=\"{}\">{}</text>",
                x + 3.0,
                y + opts.row_height * 0.5 + opts.font_size * 0.35,
                fill.text().css(),
                escape(&label)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elide_cuts_to_width_with_an_ellipsis() {
        assert_eq!(
            elide("handle_request", 20).as_deref(),
            Some("handle_request")
        );
        assert_eq!(elide("handle_request", 6).as_deref(), Some("handl…"));
        assert_eq!(elide("handle_request", 2), None);
        assert_eq!(elide("éééé", 3).as_deref(), Some("éé…"));
    }

    #[test]
    fn escape_makes_text_safe_in_xml() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{fffd}"
        );
    }
}
