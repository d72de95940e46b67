//! The canvas flame graph.
//!
//! A scrollable box holds an empty spacer as tall as all the rows; two canvases the size
//! of the box's visible area sit on top of it ([`draw`]). Scrolling, zooming and data
//! changes schedule one paint per animation frame. Pointer, wheel and keyboard handling is
//! in [`interact`], the tooltip in [`tooltip`], breadcrumbs and legend beside them.
//!
//! The view state that only this component cares about (horizontal viewport, size, scroll,
//! hover, keyboard cursor) lives in [`Ctx`]; what others share is in [`AppState`]. What a
//! graph shows is its [`Source`], so the same [`Graph`] draws the main flame graph and the
//! sandwich view's two ([`crate::sandwich`]). Comparing ([`crate::diff`]), only the main
//! graph's source carries the diff: its colours, "only changed" marks and tooltip; the
//! sandwich's trees are not the ones the diff pairs, and keep the usual colours.

mod breadcrumbs;
pub mod draw;
mod interact;
mod legend;
mod tooltip;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use spanflame_core::navigate::{FunctionKey, rect_of};
use spanflame_core::palette::{Rgb, diff_node_colours, node_colours};
use spanflame_core::viewport::{Marks, Orientation, Rows, Viewport};
use spanflame_core::{CallTree, NodeId};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

pub use breadcrumbs::Breadcrumbs;
pub use draw::{MirrorItem, ROW_HEIGHT, Renderer, Scene};
pub use legend::Legend;

use crate::state::{AppState, SearchState, Shared, Timings, Zoomed, now};

/// What one canvas graph shows, and where its zoom lives.
#[derive(Clone, Copy)]
pub struct Source {
    /// Prefix of the graph's element ids: `{id}` is the canvas, `{id}-scroll` the focusable
    /// box, `{id}-tooltip`, `{id}-mirror`, `{id}-status`.
    pub id: &'static str,
    /// The tree (tooltips, selection, colours).
    pub tree: Memo<Option<Shared<CallTree>>>,
    /// The zoomed frame's path.
    pub zoom: RwSignal<Vec<FunctionKey>>,
    /// The tree laid out at that zoom.
    pub zoomed: Memo<Option<Zoomed>>,
    /// The search box's matches in the tree.
    pub search: Memo<SearchState>,
    /// Weight of every sample the view keeps: what "of total" shares are of (a sandwich's
    /// trees weigh only the function's samples).
    pub all: Signal<i64>,
    /// Root at the top or the bottom.
    pub orientation: Signal<Orientation>,
    /// Whether a frame's path from this tree's root is a path of the profile's stacks, which
    /// "focus on subtree" can use (not in bottom-up or sandwich trees).
    pub root_paths: Signal<bool>,
    /// The comparison whose nodes pair with this tree's (colours, "only changed" marks,
    /// the tooltip's before and after): the main graph's only; `None` draws as usual.
    pub diff: Option<crate::diff::DiffState>,
}

impl Source {
    /// The main flame graph: the app's tree, zoom and orientation.
    pub fn main(state: AppState) -> Source {
        Source {
            id: "flame",
            tree: state.tree,
            zoom: state.zoom,
            zoomed: state.zoomed,
            search: state.search_state,
            all: Signal::derive(move || state.tree.with(|t| t.as_ref().map_or(0, |t| t.total()))),
            orientation: state.orientation.into(),
            root_paths: Signal::derive(move || !state.inverted.get()),
            diff: use_context::<crate::diff::DiffState>(),
        }
    }
}

/// What the tooltip is about, and where (CSS pixels in the graph's visible area).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tip {
    /// The frame's node.
    pub node: NodeId,
    /// Anchor x.
    pub x: f64,
    /// Anchor y.
    pub y: f64,
}

/// A drag in progress: where it started.
#[derive(Debug, Clone, Copy)]
struct Drag {
    x: f64,
    y: f64,
    view: Viewport,
    scroll_top: f64,
    moved: bool,
}

/// The flame graph's own state and its paint schedule. Shared by the event handlers.
pub(crate) struct Ctx {
    state: AppState,
    src: Source,
    scroller: NodeRef<html::Div>,
    base: NodeRef<html::Canvas>,
    overlay: NodeRef<html::Canvas>,
    /// The visible part of the unit interval.
    view: RwSignal<Viewport>,
    /// Visible area, CSS pixels.
    size: RwSignal<(f64, f64)>,
    scroll_top: RwSignal<f64>,
    /// Hovered rect (index into the layout's rects).
    hover: RwSignal<Option<usize>>,
    /// Keyboard cursor: a node, so it survives zooming.
    cursor: RwSignal<Option<NodeId>>,
    tip: RwSignal<Option<Tip>>,
    mirror: RwSignal<Vec<MirrorItem>>,
    /// Text for screen readers when the keyboard cursor moves.
    announce: RwSignal<String>,
    /// The open frame menu (right click, context-menu key).
    menu: RwSignal<Option<crate::transforms_menu::FrameMenuAt>>,
    colours: Memo<Option<Shared<Vec<Rgb>>>>,
    search_marks: Memo<Option<Shared<Marks>>>,
    selected_marks: Memo<Option<Shared<Marks>>>,
    rows: Memo<Rows>,
    renderer: RefCell<Option<Renderer>>,
    pending: Cell<bool>,
    base_dirty: Cell<bool>,
    mirror_generation: Cell<u32>,
    drag: Cell<Option<Drag>>,
}

fn dpr() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(0.5))
}

impl Ctx {
    fn new(state: AppState, src: Source) -> Rc<Ctx> {
        let diff = src.diff;
        let colours = Memo::new(move |_| {
            let tree = src.tree.get()?;
            // Comparing: red and blue by the change of share instead of the colour mode.
            if let Some(d) = diff.and_then(|d| d.for_tree(&tree)) {
                return Some(Shared::new(diff_node_colours(&d, state.dark.get())));
            }
            Some(Shared::new(node_colours(
                &tree,
                state.colour_mode.get(),
                state.palette.get(),
                state.dark.get(),
            )))
        });
        let search_marks = Memo::new(move |_| {
            let z = src.zoomed.get()?;
            // "Only changed" marks what changed, as a search would (and within one).
            let changed = diff
                .filter(|d| d.only_changed.get())
                .and_then(|d| d.for_tree(&z.tree));
            let hits = match src.search.get() {
                SearchState::Hits(hits) => Some(hits),
                _ => None,
            };
            if hits.is_none() && changed.is_none() {
                return None;
            }
            Some(Shared::new(Marks::new(&z.layout, |i| {
                let node = z.layout.rects()[i].node;
                hits.as_ref().is_none_or(|h| h.is_match(node))
                    && changed.as_ref().is_none_or(|d| d.node(node).changed())
            })))
        });
        let selected_marks = Memo::new(move |_| {
            let z = src.zoomed.get()?;
            let name = state.selected_function.get()?;
            Some(Shared::new(Marks::new(&z.layout, |i| {
                z.tree.name(z.layout.rects()[i].node) == name
            })))
        });
        let rows = Memo::new(move |_| Rows {
            count: src
                .zoomed
                .with(|z| z.as_ref().map_or(0, |z| z.layout.depth_count())),
            height: ROW_HEIGHT,
            orientation: src.orientation.get(),
        });
        Rc::new(Ctx {
            state,
            src,
            scroller: NodeRef::new(),
            base: NodeRef::new(),
            overlay: NodeRef::new(),
            view: RwSignal::new(Viewport::FULL),
            size: RwSignal::new((0.0, 0.0)),
            scroll_top: RwSignal::new(0.0),
            hover: RwSignal::new(None),
            cursor: RwSignal::new(None),
            tip: RwSignal::new(None),
            mirror: RwSignal::new(Vec::new()),
            announce: RwSignal::new(String::new()),
            menu: RwSignal::new(None),
            colours,
            search_marks,
            selected_marks,
            rows,
            renderer: RefCell::new(None),
            pending: Cell::new(false),
            base_dirty: Cell::new(true),
            mirror_generation: Cell::new(0),
            drag: Cell::new(None),
        })
    }

    /// Paint at the next animation frame (once, however often it is asked); `base` also
    /// repaints the frames, not just the overlay.
    fn schedule(self: &Rc<Self>, base: bool) {
        if base {
            self.base_dirty.set(true);
        }
        if self.pending.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        request_animation_frame(move || me.paint());
    }

    /// Call `f` with the scene as it is now, if there is something to draw.
    fn with_scene<R>(&self, f: impl FnOnce(&Scene, &crate::state::Zoomed) -> R) -> Option<R> {
        let z = self.src.zoomed.try_get_untracked().flatten()?;
        let colours = self.colours.try_get_untracked().flatten()?;
        let search = self.search_marks.try_get_untracked().flatten();
        let (width, height) = self.size.try_get_untracked()?;
        if width <= 0.0 || height <= 0.0 {
            return None;
        }
        let scene = Scene {
            tree: &z.tree,
            layout: &z.layout,
            colours: &colours,
            search: search.as_deref(),
            view: self.view.get_untracked(),
            rows: self.rows.get_untracked(),
            scroll_top: self.scroll_top.get_untracked(),
            width,
            height,
            dpr: dpr(),
            dark: self.state.dark.get_untracked(),
        };
        Some(f(&scene, &z))
    }

    fn paint(self: &Rc<Self>) {
        self.pending.set(false);
        let mut renderer = self.renderer.borrow_mut();
        if renderer.is_none()
            // try_: a paint can be pending when the graph goes away (a host page's `clear`).
            && let (Some(base), Some(overlay)) = (
                self.base.try_get_untracked().flatten(),
                self.overlay.try_get_untracked().flatten(),
            )
        {
            *renderer = Renderer::new(base, overlay).ok();
        }
        let Some(r) = renderer.as_mut() else { return };
        let base_dirty = self.base_dirty.get();
        let painted = self.with_scene(|scene, z| {
            if base_dirty {
                let t0 = now();
                if let Err(e) = r.draw(scene) {
                    leptos::logging::error!("drawing the flame graph failed: {e:?}");
                }
                self.finish_timing(now() - t0);
            }
            let hover = self.hover.get_untracked();
            let cursor = self
                .cursor
                .get_untracked()
                .and_then(|n| rect_of(&z.layout, &z.tree, n));
            let selected = self.selected_marks.get_untracked();
            if let Err(e) = r.draw_overlay(scene, selected.as_deref(), hover, cursor) {
                leptos::logging::error!("drawing the flame graph overlay failed: {e:?}");
            }
        });
        if painted.is_some() && base_dirty {
            self.base_dirty.set(false);
            drop(renderer);
            self.schedule_mirror();
            let flame_painted = self.state.flame_painted;
            if !flame_painted.get_untracked() {
                // In a later task, so that this frame is shown before the work that waited.
                set_timeout(move || flame_painted.set(true), Duration::ZERO);
            }
        }
    }

    /// The first paint after a load completes its timings.
    fn finish_timing(&self, draw_ms: f64) {
        let t = self.state.timings.get_untracked();
        if t.started > 0.0 && t.total == 0.0 {
            self.state.timings.set(Timings {
                draw: draw_ms,
                total: now() - t.started,
                ..t
            });
        }
    }

    /// Publish the DOM mirror once painting settles, not on every frame of a pan. Its items
    /// (names copied into strings) are made then too, from the last base paint, rather than
    /// on every frame of a zoom: the scene is still the one painted unless a base paint is
    /// due, and that paint schedules the mirror again.
    fn schedule_mirror(self: &Rc<Self>) {
        let generation = self.mirror_generation.get().wrapping_add(1);
        self.mirror_generation.set(generation);
        let me = Rc::clone(self);
        set_timeout(
            move || {
                if me.mirror_generation.get() != generation || me.base_dirty.get() {
                    return;
                }
                let Ok(renderer) = me.renderer.try_borrow() else {
                    return;
                };
                let items = renderer
                    .as_ref()
                    .and_then(|r| me.with_scene(|scene, _| r.mirror(scene)));
                drop(renderer);
                if let Some(items) = items {
                    let _ = me.mirror.try_set(items);
                }
            },
            Duration::from_millis(80),
        );
    }

    /// Track the visible area's size.
    fn observe_size(self: &Rc<Self>, el: &web_sys::HtmlElement) {
        let measure = {
            let me = Rc::clone(self);
            move || {
                if let Some(el) = me.scroller.get_untracked() {
                    let size = (f64::from(el.client_width()), f64::from(el.client_height()));
                    if me.size.get_untracked() != size {
                        me.size.set(size);
                    }
                }
            }
        };
        measure();
        let callback = Closure::<dyn Fn()>::new(measure);
        if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            observer.observe(el);
            let keep = send_wrapper::SendWrapper::new((observer, callback));
            on_cleanup(move || keep.0.disconnect());
        }
    }

    /// After the layout changes: scroll so the zoomed frame shows with a few callers.
    fn scroll_to_focus(&self) {
        // try_: this runs at the next frame, when the graph may have gone away.
        let (Some(el), Some(z)) = (
            self.scroller.try_get_untracked().flatten(),
            self.src.zoomed.try_get_untracked().flatten(),
        ) else {
            return;
        };
        let rows = self.rows.get_untracked();
        let depth = z.tree.depth(z.focus).saturating_sub(1);
        let client = f64::from(el.client_height());
        let top = match rows.orientation {
            spanflame_core::viewport::Orientation::Icicle => rows.top(depth) - 2.0 * ROW_HEIGHT,
            spanflame_core::viewport::Orientation::Flame => {
                rows.top(depth) + 3.0 * ROW_HEIGHT - client
            }
        };
        el.set_scroll_top(top.max(0.0) as i32);
        self.scroll_top.set(f64::from(el.scroll_top()));
    }
}

/// The flame graph of the current call tree, with breadcrumbs, legend, tooltip and mirror.
#[component]
pub fn FlameGraph() -> impl IntoView {
    let state = expect_context::<AppState>();
    let source = Source::main(state);
    let diff = source.diff;
    let comparing = move || diff.is_some_and(|d| d.diff.with(Option::is_some));
    let empty = move || {
        state
            .tree
            .with(|t| t.as_ref().is_some_and(|t| t.total() == 0))
    };
    view! {
        <section class="flame" aria-labelledby="flame-title">
            <div class="flame-head">
                <h2 id="flame-title">
                    {move || if comparing() { "Differential flame graph" } else { "Flame graph" }}
                </h2>
                <Breadcrumbs />
            </div>
            <Legend diff=diff />
            {move || {
                empty()
                    .then(|| {
                        view! {
                            <p class="status" id="no-samples">
                                "No samples match: choose another sample type, profile or filter."
                            </p>
                        }
                    })
            }}
            <Graph
                source=source
                label="Flame graph. Arrow keys move between frames, Enter zooms, Escape resets; the top-functions table lists the same data."
                help="flame-help"
                escape_resets=true
            />
            <p id="flame-help" class="hint">
                "Click a frame to zoom in, Esc to reset; right-click (or Shift+F10) for its menu. Ctrl + wheel or pinch zooms, Shift + wheel or drag pans. Arrow keys move between frames, Enter zooms, / searches."
            </p>
        </section>
    }
}

/// One canvas graph of `source`: the scrollable box, the canvases, tooltip, frame menu, the
/// screen-reader status and the DOM mirror of the frames drawn. `label` is its accessible
/// name, `help` the id of what describes it; `escape_resets` makes Esc anywhere on the page
/// undo its zoom.
#[component]
pub fn Graph(
    source: Source,
    label: &'static str,
    help: &'static str,
    #[prop(optional)] escape_resets: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let ctx = Ctx::new(state, source);

    // A new layout (data, filter, zoom or orientation): whole width, fresh hover.
    {
        let ctx = Rc::clone(&ctx);
        Effect::new(move |prev: Option<Option<usize>>| {
            let tree_id = source.zoomed.with(|z| {
                z.as_ref()
                    .map(|z| std::ptr::from_ref::<CallTree>(&z.tree) as usize)
            });
            source.orientation.track();
            ctx.view.set(Viewport::FULL);
            ctx.hover.set(None);
            ctx.tip.set(None);
            if prev.is_some_and(|p| p != tree_id) {
                ctx.cursor.set(None);
            }
            let me = Rc::clone(&ctx);
            request_animation_frame(move || me.scroll_to_focus());
            tree_id
        });
    }
    // Repaint the frames when anything they show changes ...
    {
        let ctx = Rc::clone(&ctx);
        Effect::new(move |_| {
            source.zoomed.track();
            state.dark.track();
            ctx.colours.track();
            ctx.search_marks.track();
            ctx.rows.track();
            ctx.view.track();
            ctx.size.track();
            ctx.scroll_top.track();
            ctx.schedule(true);
        });
    }
    // ... and only the overlay for hover, cursor and selection.
    {
        let ctx = Rc::clone(&ctx);
        Effect::new(move |_| {
            ctx.hover.track();
            ctx.cursor.track();
            ctx.selected_marks.track();
            ctx.schedule(false);
        });
    }
    {
        let ctx = Rc::clone(&ctx);
        Effect::new(move |_| {
            if let Some(el) = ctx.scroller.get() {
                ctx.observe_size(&el);
            }
        });
    }
    {
        // devicePixelRatio changes (browser zoom) arrive as window resizes.
        let ctx2 = Rc::clone(&ctx);
        let resize = window_event_listener(ev::resize, move |_| ctx2.schedule(true));
        let ctx3 = Rc::clone(&ctx);
        let escape = window_event_listener(ev::keydown, move |e| {
            if escape_resets && e.key() == "Escape" && !crate::toolbar::typing(&e) {
                ctx3.reset();
            }
        });
        on_cleanup(move || {
            resize.remove();
            escape.remove();
        });
    }

    let (size, rows, mirror, announce) = (ctx.size, ctx.rows, ctx.mirror, ctx.announce);
    // Sizes through CSSOM (`style:`), not a `style` attribute: the page's CSP has no
    // 'unsafe-inline' for styles.
    let width = move || format!("{}px", size.get().0);
    let height = move || format!("{}px", size.get().1);
    let handlers = interact::Handlers::new(&ctx);
    let (on_scroll, on_wheel) = (handlers.scroll(), handlers.wheel());
    let (on_down, on_move) = (handlers.pointer_down(), handlers.pointer_move());
    let (on_up, on_leave) = (handlers.pointer_up(), handlers.pointer_leave());
    let (on_key, on_blur) = (handlers.key_down(), handlers.blur());
    let on_context = handlers.context_menu();
    let scroller = ctx.scroller;
    let refocus = move |()| {
        if let Some(el) = scroller.get_untracked() {
            let _ = el.focus();
        }
    };
    let id = source.id;
    view! {
        <div class="flame-area">
            <div
                id=format!("{id}-scroll")
                class="flame-scroll"
                node_ref=ctx.scroller
                tabindex="0"
                role="group"
                aria-roledescription="flame graph"
                aria-label=label
                aria-describedby=help
                on:scroll=on_scroll
                on:wheel=on_wheel
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointerleave=on_leave
                on:keydown=on_key
                on:blur=on_blur
                on:contextmenu=on_context
            >
                <div
                    class="flame-spacer"
                    style:height=move || format!("{}px", rows.get().content_height())
                ></div>
            </div>
            <canvas
                id=id
                class="flame-canvas"
                node_ref=ctx.base
                aria-hidden="true"
                style:width=width
                style:height=height
            ></canvas>
            <canvas
                id=format!("{id}-overlay")
                class="flame-canvas"
                node_ref=ctx.overlay
                aria-hidden="true"
                style:width=width
                style:height=height
            ></canvas>
            <tooltip::Tooltip
                id=format!("{id}-tooltip")
                tree=source.tree
                all=source.all
                diff=source.diff
                tip=ctx.tip
                area=ctx.size
            />
        </div>
        <crate::transforms_menu::FrameMenu menu=ctx.menu on_close=refocus />
        <p id=format!("{id}-status") class="visually-hidden" aria-live="polite">
            {move || announce.get()}
        </p>
        <ul id=format!("{id}-mirror") class="visually-hidden" aria-label="Frames drawn in the graph">
            {move || {
                mirror
                    .get()
                    .into_iter()
                    .map(|m| {
                        let name = m.name.clone();
                        view! {
                            <li
                                data-name=name
                                data-node=m.node.to_string()
                                data-depth=m.depth.to_string()
                                data-x=format!("{:.1}", m.x)
                                data-y=format!("{:.1}", m.y)
                                data-w=format!("{:.1}", m.w)
                                data-match=m.matched.to_string()
                            >
                                {m.name}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}
