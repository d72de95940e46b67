//! Pointer, wheel and keyboard handling of the flame graph.
//!
//! * Click a frame: zoom into it (its callers stay above, full width) and select its
//!   function. Drag: pan. Esc: back to the whole graph.
//! * Wheel: vertical scrolls the rows natively; Ctrl/⌘ + wheel or a pinch zooms around the
//!   pointer; Shift + wheel or a sideways swipe pans.
//! * Keys on the focused graph: arrows move to the caller, the heaviest callee and the
//!   neighbours in the row; Enter zooms; `+`, `-` and `0` zoom the view.
//! * Right click on a frame, or the context-menu key / Shift+F10 on the cursor's frame: the
//!   frame's menu ([`crate::transforms_menu::FrameMenu`]).

use std::rc::Rc;

use leptos::prelude::*;
use spanflame_core::navigate::{Step, path_keys, rect_of, step};
use spanflame_core::units::{format_share, format_value};
use spanflame_core::viewport::{Orientation, Viewport, hit};
use spanflame_core::{CallTree, NodeId};
use web_sys::{KeyboardEvent, MouseEvent, PointerEvent, WheelEvent};

use crate::transforms_menu::{FrameMenuAt, Target};

use super::{Ctx, Drag, ROW_HEIGHT, Tip};

/// Movement (CSS pixels) below which a press and release is a click, not a drag.
const CLICK_SLOP: f64 = 4.0;

impl Ctx {
    /// Pointer position in the visible area, CSS pixels.
    fn local(&self, client_x: i32, client_y: i32) -> Option<(f64, f64)> {
        let el = self.scroller.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        Some((
            f64::from(client_x) - rect.left() - f64::from(el.client_left()),
            f64::from(client_y) - rect.top() - f64::from(el.client_top()),
        ))
    }

    /// The rect under a point of the visible area.
    fn rect_at(&self, x: f64, y: f64) -> Option<usize> {
        let (width, height) = self.size.get_untracked();
        if !(0.0..width).contains(&x) || !(0.0..height).contains(&y) {
            return None;
        }
        let z = self.src.zoomed.get_untracked()?;
        let depth = self
            .rows
            .get_untracked()
            .depth_at(y + self.scroll_top.get_untracked())?;
        hit(&z.layout, self.view.get_untracked(), depth, x / width)
    }

    fn node_of(&self, rect: usize) -> Option<NodeId> {
        self.src
            .zoomed
            .with_untracked(|z| z.as_ref().map(|z| z.layout.rects()[rect].node))
    }

    /// Zoom into `node`: its subtree fills the width.
    pub(super) fn zoom_to(&self, node: NodeId) {
        let Some(tree) = self.src.tree.get_untracked() else {
            return;
        };
        let path = path_keys(&tree, node);
        if self.src.zoom.with_untracked(|z| *z != path) {
            self.src.zoom.set(path);
        } else {
            // Already the focus: just undo any wheel zoom.
            self.view.set(Viewport::FULL);
        }
        self.select(node, false);
    }

    /// Back to the whole graph.
    pub(super) fn reset(&self) {
        if !self.src.zoom.with_untracked(Vec::is_empty) {
            self.src.zoom.set(Vec::new());
        }
        self.view.set(Viewport::FULL);
        self.tip.set(None);
    }

    /// Make `node` the keyboard cursor and the selected function; `announce` also tells
    /// screen readers and shows the tooltip at the frame.
    fn select(&self, node: NodeId, announce: bool) {
        let Some(tree) = self.src.tree.get_untracked() else {
            return;
        };
        self.cursor.set(Some(node));
        let name = tree.name(node).to_owned();
        if self.state.selected_function.get_untracked().as_deref() != Some(name.as_str()) {
            self.state.selected_function.set(Some(name));
        }
        if announce {
            self.announce
                .set(describe(&tree, node, self.src.all.get_untracked()));
        }
    }

    /// Keep the cursor's frame on screen and show its tooltip; returns the tooltip's anchor
    /// (CSS pixels in the visible area, under the frame's left end).
    fn reveal(&self, rect: usize) -> Option<(f64, f64)> {
        let z = self.src.zoomed.get_untracked()?;
        let r = z.layout.rects()[rect];
        let view = self.view.get_untracked().reveal(r.x0, r.x1);
        if view != self.view.get_untracked() {
            self.view.set(view);
        }
        let rows = self.rows.get_untracked();
        if let Some(el) = self.scroller.get_untracked() {
            let top = rows.top(r.depth);
            let (scroll, height) = (self.scroll_top.get_untracked(), self.size.get_untracked().1);
            if top < scroll {
                el.set_scroll_top(top as i32);
            } else if top + ROW_HEIGHT > scroll + height {
                el.set_scroll_top((top + ROW_HEIGHT - height).ceil() as i32);
            }
            self.scroll_top.set(f64::from(el.scroll_top()));
        }
        let width = self.size.get_untracked().0;
        let x = (view.to_frac(r.x0).max(0.0) * width).min(width - 1.0);
        let y = rows.top(r.depth) - self.scroll_top.get_untracked() + ROW_HEIGHT;
        self.tip.set(Some(Tip { node: r.node, x, y }));
        Some((x, y))
    }

    /// Open the frame menu for `node` at a point of the page.
    fn open_menu(&self, node: NodeId, client_x: f64, client_y: f64) {
        let Some(tree) = self.src.tree.get_untracked() else {
            return;
        };
        self.select(node, false);
        self.tip.set(None);
        self.menu.set(Some(FrameMenuAt {
            x: client_x,
            y: client_y,
            target: Target::of_frame(&tree, node, !self.src.root_paths.get_untracked()),
        }));
    }

    /// Right click: the menu of the frame under the pointer (elsewhere, the browser's).
    fn on_context_menu(&self, e: &MouseEvent) {
        let Some((x, y)) = self.local(e.client_x(), e.client_y()) else {
            return;
        };
        if let Some(node) = self.rect_at(x, y).and_then(|r| self.node_of(r)) {
            e.prevent_default();
            self.open_menu(node, f64::from(e.client_x()), f64::from(e.client_y()));
        }
    }

    /// The context-menu key or Shift+F10: the menu of the cursor's frame, below it.
    fn open_menu_at_cursor(&self) {
        let Some(z) = self.src.zoomed.get_untracked() else {
            return;
        };
        let Some(node) = self.cursor.get_untracked() else {
            return;
        };
        let (Some(rect), Some(el)) = (
            rect_of(&z.layout, &z.tree, node),
            self.scroller.get_untracked(),
        ) else {
            return;
        };
        let Some((x, y)) = self.reveal(rect) else {
            return;
        };
        let b = el.get_bounding_client_rect();
        self.open_menu(node, b.left() + x, b.top() + y);
    }

    fn on_key(&self, e: &KeyboardEvent) {
        let Some(z) = self.src.zoomed.get_untracked() else {
            return;
        };
        if z.layout.rects().is_empty() {
            return;
        }
        if e.key() == "ContextMenu" || (e.key() == "F10" && e.shift_key()) {
            e.prevent_default();
            if self.cursor.get_untracked().is_none() {
                // Start where the arrow keys would.
                if let Some(i) = rect_of(&z.layout, &z.tree, z.focus) {
                    self.select(z.layout.rects()[i].node, true);
                }
            }
            self.open_menu_at_cursor();
            return;
        }
        let flame = self.rows.get_untracked().orientation == Orientation::Flame;
        let (up, down) = if flame {
            (Step::Child, Step::Parent)
        } else {
            (Step::Parent, Step::Child)
        };
        let step_to = match e.key().as_str() {
            "ArrowUp" => Some(up),
            "ArrowDown" => Some(down),
            "ArrowLeft" => Some(Step::Previous),
            "ArrowRight" => Some(Step::Next),
            "Enter" => {
                if let Some(node) = self.cursor.get_untracked() {
                    e.prevent_default();
                    self.zoom_to(node);
                }
                return;
            }
            "+" | "=" => {
                e.prevent_default();
                self.view.update(|v| *v = v.zoom(0.5, 1.5));
                return;
            }
            "-" | "_" => {
                e.prevent_default();
                self.view.update(|v| *v = v.zoom(0.5, 1.0 / 1.5));
                return;
            }
            "0" => {
                self.view.set(Viewport::FULL);
                return;
            }
            _ => None,
        };
        let Some(direction) = step_to else { return };
        e.prevent_default();
        let current = self
            .cursor
            .get_untracked()
            .and_then(|n| rect_of(&z.layout, &z.tree, n));
        let next = match current {
            Some(i) => step(&z.layout, i, direction),
            // Start at the zoomed frame, or the heaviest outermost one.
            None => rect_of(&z.layout, &z.tree, z.focus).or_else(|| {
                z.layout.row_range(0).max_by(|&a, &b| {
                    let w = |i: usize| z.layout.rects()[i].x1 - z.layout.rects()[i].x0;
                    w(a).total_cmp(&w(b))
                })
            }),
        };
        if let Some(i) = next {
            self.select(z.layout.rects()[i].node, true);
            let _ = self.reveal(i);
        }
    }

    fn on_wheel(&self, e: &WheelEvent) {
        let (width, height) = self.size.get_untracked();
        if width <= 0.0 {
            return;
        }
        let unit = match e.delta_mode() {
            WheelEvent::DOM_DELTA_LINE => 16.0,
            WheelEvent::DOM_DELTA_PAGE => height,
            _ => 1.0,
        };
        let (dx, dy) = (e.delta_x() * unit, e.delta_y() * unit);
        if e.ctrl_key() || e.meta_key() {
            e.prevent_default();
            let x = self
                .local(e.client_x(), e.client_y())
                .map_or(width / 2.0, |p| p.0);
            // One mouse notch (100 px) zooms 2x; pinches send small steps.
            let factor = 2f64.powf(-dy / 100.0).clamp(0.25, 4.0);
            self.view.update(|v| *v = v.zoom(x / width, factor));
            self.hide_tip();
        } else if e.shift_key() || dx.abs() > dy.abs() {
            e.prevent_default();
            let delta = if dx != 0.0 { dx } else { dy };
            self.view.update(|v| *v = v.pan(delta / width));
            self.hide_tip();
        }
    }

    /// Hide the tooltip; setting a signal notifies even when its value stays, so a wheel
    /// gesture would rebuild the hidden tooltip on every event.
    fn hide_tip(&self) {
        if self.tip.with_untracked(Option::is_some) {
            self.tip.set(None);
        }
    }

    fn on_pointer_down(&self, e: &PointerEvent) {
        if e.button() != 0 {
            return;
        }
        let Some((x, y)) = self.local(e.client_x(), e.client_y()) else {
            return;
        };
        let (width, height) = self.size.get_untracked();
        if x >= width || y >= height {
            // On the scrollbar: the browser's.
            return;
        }
        if let Some(el) = self.scroller.get_untracked() {
            let _ = el.set_pointer_capture(e.pointer_id());
        }
        self.drag.set(Some(Drag {
            x,
            y,
            view: self.view.get_untracked(),
            scroll_top: self.scroll_top.get_untracked(),
            moved: false,
        }));
    }

    fn on_pointer_move(&self, e: &PointerEvent) {
        let Some((x, y)) = self.local(e.client_x(), e.client_y()) else {
            return;
        };
        if let Some(mut drag) = self.drag.get() {
            let (dx, dy) = (x - drag.x, y - drag.y);
            if drag.moved || dx.abs() + dy.abs() > CLICK_SLOP {
                drag.moved = true;
                self.drag.set(Some(drag));
                let width = self.size.get_untracked().0.max(1.0);
                self.view.set(drag.view.pan(-dx / width));
                if let Some(el) = self.scroller.get_untracked() {
                    el.set_scroll_top((drag.scroll_top - dy).round() as i32);
                }
                self.hover.set(None);
                self.tip.set(None);
                return;
            }
        }
        let rect = self.rect_at(x, y);
        if self.hover.get_untracked() != rect {
            self.hover.set(rect);
        }
        let tip = rect
            .and_then(|r| self.node_of(r))
            .map(|node| Tip { node, x, y });
        if self.tip.get_untracked() != tip {
            self.tip.set(tip);
        }
    }

    fn on_pointer_up(&self, e: &PointerEvent) {
        let Some(drag) = self.drag.take() else { return };
        if let Some(el) = self.scroller.get_untracked() {
            let _ = el.release_pointer_capture(e.pointer_id());
        }
        if drag.moved {
            return;
        }
        if let Some((x, y)) = self.local(e.client_x(), e.client_y())
            && let Some(node) = self.rect_at(x, y).and_then(|r| self.node_of(r))
        {
            self.zoom_to(node);
        }
    }

    fn on_pointer_leave(&self) {
        if self.drag.get().is_none() {
            self.hover.set(None);
            self.tip.set(None);
        }
    }

    fn on_scroll(&self) {
        if let Some(el) = self.scroller.get_untracked() {
            let top = f64::from(el.scroll_top());
            if top != self.scroll_top.get_untracked() {
                self.scroll_top.set(top);
                if self.drag.get().is_none() {
                    self.hover.set(None);
                    self.tip.set(None);
                }
            }
        }
    }
}

/// A sentence about a frame for screen readers; `all` is the weight shares are of.
pub fn describe(tree: &CallTree, node: NodeId, all: i64) -> String {
    let unit = &tree.sample_type().unit;
    format!(
        "{}: total {} ({} of all), self {}",
        tree.name(node),
        format_value(tree.total_weight(node), unit),
        format_share(tree.total_weight(node), all),
        format_value(tree.self_weight(node), unit),
    )
}

/// Event handlers for the graph's DOM, each holding the shared [`Ctx`].
pub(crate) struct Handlers(Rc<Ctx>);

impl Handlers {
    /// Handlers over `ctx`.
    pub fn new(ctx: &Rc<Ctx>) -> Self {
        Handlers(Rc::clone(ctx))
    }

    pub fn scroll(&self) -> impl FnMut(web_sys::Event) + use<> {
        let ctx = Rc::clone(&self.0);
        move |_| ctx.on_scroll()
    }

    pub fn wheel(&self) -> impl FnMut(WheelEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |e| ctx.on_wheel(&e)
    }

    pub fn pointer_down(&self) -> impl FnMut(PointerEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |e| ctx.on_pointer_down(&e)
    }

    pub fn pointer_move(&self) -> impl FnMut(PointerEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |e| ctx.on_pointer_move(&e)
    }

    pub fn pointer_up(&self) -> impl FnMut(PointerEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |e| ctx.on_pointer_up(&e)
    }

    pub fn pointer_leave(&self) -> impl FnMut(PointerEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |_| ctx.on_pointer_leave()
    }

    pub fn key_down(&self) -> impl FnMut(KeyboardEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |e| ctx.on_key(&e)
    }

    pub fn context_menu(&self) -> impl FnMut(MouseEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |e| ctx.on_context_menu(&e)
    }

    pub fn blur(&self) -> impl FnMut(web_sys::FocusEvent) + use<> {
        let ctx = Rc::clone(&self.0);
        move |_| ctx.tip.set(None)
    }
}
