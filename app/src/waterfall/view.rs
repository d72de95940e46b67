//! The waterfall's DOM: the panel, its head (trace and scope choice), the header row and
//! the rows in view.

use super::*;

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
                    <crate::panes::Splitter
                        target="waterfall-scroll"
                        property="height"
                        measure="waterfall-scroll"
                        axis=crate::panes::Axis::Height
                        key="spanflame.waterfallHeight"
                        label="Resize the span list"
                        min=72.0
                        max=2000.0
                    />
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
            let spans: Vec<SpanIdx> = hits
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| c.0.samples > 0)
                .map(|(i, _)| SpanIdx::from_index(i))
                .collect();
            let open: HashSet<SpanIdx> = wf
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
    // The span pinned as the diff's baseline ("Set as baseline"): a tag in its name cell (the
    // row element is at Leptos' limit of 26 attributes).
    let diff = use_context::<crate::diff::DiffState>();
    let is_baseline = move || diff.is_some_and(|d| d.is_pinned_span(key));
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
                {move || is_baseline().then(|| view! {
                    <span class="wf-baseline" title="Pinned as the comparison's baseline">"baseline"</span>
                })}
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
