//! The waterfall's canvas: painted once per frame, sized to the scroll box.

use super::*;

/// Paint stats, for the page's timing attributes.
#[derive(Default)]
pub(super) struct Paints {
    pub(super) count: Cell<u32>,
    pub(super) total: Cell<f64>,
    pub(super) max: Cell<f64>,
}

/// The canvas and its paint schedule.
pub(super) struct Canvas {
    pub(super) wf: Wf,
    pub(super) painter: RefCell<Option<Painter>>,
    pub(super) pending: Cell<bool>,
    pub(super) paints: Paints,
}

fn dpr() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(0.5))
}

impl Canvas {
    pub(super) fn schedule(self: &Rc<Self>) {
        if self.pending.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        request_animation_frame(move || me.paint());
    }

    pub(super) fn paint(&self) {
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
    pub(super) fn observe_size(self: &Rc<Self>, el: &web_sys::HtmlElement) {
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
