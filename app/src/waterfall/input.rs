//! What the waterfall does on a click, a key or the wheel: the span filter, collapsing,
//! scrolling and zooming the time axis.

use super::*;

impl Wf {
    /// Filter the flame graph to `row` in the chosen scope; the selected row again clears it.
    pub(super) fn select(self, row: Row) {
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
    pub(super) fn set_scope(self, scope: Scope) {
        self.scope.set(scope);
        if let Some(f) = self.state.span_filter.get_untracked()
            && f.scope != scope
        {
            self.state.span_filter.set(Some(SpanFilter { scope, ..f }));
        }
    }

    pub(super) fn toggle(self, span: SpanIdx) {
        self.collapsed.update(|c| {
            if !c.remove(&span) {
                c.insert(span);
            }
        });
    }

    pub(super) fn is_collapsed(self, span: SpanIdx) -> bool {
        self.collapsed.with_untracked(|c| c.contains(&span))
    }

    /// Scroll the rows so that row `pos` is in view.
    pub(super) fn reveal(self, pos: usize) {
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
    pub(super) fn reveal_span(self, span: SpanIdx) {
        let ancestors = self
            .traces
            .with_untracked(|t| t.set.spans.get(span.index()).map(|_| t.set.ancestors(span)));
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
    pub(super) fn zoom_to(self, start: u64, end: u64) {
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

    pub(super) fn on_key(self, e: &web_sys::KeyboardEvent) {
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
                    Some(span) => span
                        .parent_span()
                        .and_then(|p| rows.iter().position(|&r| r == Row::Span(p)))
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

    pub(super) fn on_wheel(self, e: &web_sys::WheelEvent) {
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
