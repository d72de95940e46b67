//! The selected span's details: ids, times, status, sample counts, what the sampling period
//! says about them, and its attributes.

use leptos::prelude::*;
use spanflame_core::SpanStatus;
use spanflame_core::units::format_value;
use spanflame_core::waterfall::service_colour;

use super::Wf;
use super::data::{Row, linked_name, row_extent};

fn ns(v: u64) -> String {
    format_value(v as i64, "nanoseconds")
}

/// UTC date and time of `t` (ns), to the millisecond.
fn utc(t: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64((t / 1_000_000) as f64));
    String::from(date.to_iso_string())
}

/// What the sampling period says about a span's samples.
pub fn sampling_note(duration: u64, period: Option<u64>, own: u64, total: u64) -> String {
    let Some(period) = period else {
        return if total == 0 {
            "No samples are linked to this span.".to_owned()
        } else {
            String::new()
        };
    };
    let p = ns(period);
    if duration < period {
        return format!(
            "This span lasted {}, less than the {p} sampling period: the profiler may take no sample while it runs, so it can have none even though it did work.",
            ns(duration)
        );
    }
    let periods = duration as f64 / period as f64;
    let lasted = format!(
        "It lasted {}, {} sampling periods of {p}",
        ns(duration),
        if periods >= 10.0 {
            format!("{periods:.0}")
        } else {
            format!("{periods:.1}")
        }
    );
    if total == 0 {
        format!(
            "{lasted}, yet no sample is linked to it: its work may have run on another thread or off the CPU, or its samples were not linked. The scope \"its time window, all threads\" shows what ran meanwhile."
        )
    } else if own == 0 {
        format!("{lasted}; its own code has no samples, its descendants {total}.")
    } else {
        format!("{lasted}; {own} samples are linked to it.")
    }
}

/// The detail panel of the selected span.
#[component]
pub fn Detail(wf: Wf) -> impl IntoView {
    // A task after the frame that repaints the graph for the click.
    let selected = crate::state::after_next_frame(move || wf.selected.get());
    let content = move || {
        let Some(row) = selected.get() else {
            return view! {
                <p class="muted">
                    "Click a span to see only its samples in the flame graph, and its attributes here. Select a frame in the flame graph to highlight the spans that run it."
                </p>
            }
            .into_any();
        };
        let t = wf.traces.get();
        let join = wf.join.get();
        let (own, total) = join.counts(row);
        let hits = wf
            .hits
            .get()
            .map(|h| (h.name.clone(), h.counts(row)))
            .filter(|(_, c)| c.1 > 0);
        let hits_view = hits.map(|(name, (own, sub))| {
            view! {
                <dt>{name}</dt>
                <dd class="wf-hit-text">{format!("{own} of its samples run it ({sub} with children)")}</dd>
            }
        });
        match row {
            Row::Span(i) => {
                let Some(span) = t.set.span(i) else {
                    return ().into_any();
                };
                let services = wf.services.get();
                let colour = services
                    .of_span
                    .get(i.index())
                    .map(|&s| service_colour(s).css())
                    .unwrap_or_default();
                let trace_start = wf.summaries.with(|sums| {
                    sums.iter()
                        .find(|s| s.trace_id == span.key.trace_id)
                        .map_or(span.start, |s| s.start)
                });
                let trace_index = wf
                    .summaries
                    .with(|sums| sums.iter().position(|s| s.trace_id == span.key.trace_id));
                let parent = match span.parent_span().and_then(|p| t.set.span(p)) {
                    None => "none (a root)".to_owned(),
                    Some(p) => format!("{} ({})", p.key.span_hex(), p.name),
                };
                let status = match span.status {
                    SpanStatus::Error if span.status_message.is_empty() => "error".to_owned(),
                    SpanStatus::Error => format!("error: {}", span.status_message),
                    SpanStatus::Ok => "ok".to_owned(),
                    SpanStatus::Unset => "unset".to_owned(),
                };
                let duration = span.end - span.start;
                let note = sampling_note(duration, join.period, own, total);
                let attributes = span
                    .attributes
                    .iter()
                    .map(|a| {
                        view! {
                            <tr>
                                <th scope="row">{a.key.clone()}</th>
                                <td>{a.value.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let no_attributes = span.attributes.is_empty();
                let (start, end) = (span.start, span.end);
                let several = wf.summaries.with(|s| s.len() > 1);
                view! {
                    <h3 id="span-detail-name">
                        <span class="wf-swatch" style:background=colour aria-hidden="true"></span>
                        {span.name.clone()}
                    </h3>
                    <dl class="wf-facts">
                        <dt>"Service"</dt>
                        <dd>{span.service.clone()}</dd>
                        <dt>"Kind"</dt>
                        <dd>{span.kind.name()}</dd>
                        <dt>"Status"</dt>
                        <dd class:wf-error-text=span.status == SpanStatus::Error>{status}</dd>
                        <dt>"Start"</dt>
                        <dd title=utc(span.start)>{format!("+{} in its trace", ns(span.start - trace_start))}</dd>
                        <dt>"Duration"</dt>
                        <dd>{ns(duration)}</dd>
                        <dt>"Samples"</dt>
                        <dd id="span-detail-samples" data-samples=own.to_string() data-samples-with-children=total.to_string()>
                            {if join.has_profile {
                                format!("{own} own, {total} with children")
                            } else {
                                "no profile loaded".to_owned()
                            }}
                        </dd>
                        {hits_view}
                        <dt>"Trace id"</dt>
                        <dd class="mono">{span.key.trace_hex()}</dd>
                        <dt>"Span id"</dt>
                        <dd class="mono">{span.key.span_hex()}</dd>
                        <dt>"Parent"</dt>
                        <dd class="mono">{parent}</dd>
                    </dl>
                    {(join.has_profile && !note.is_empty()).then(|| view! { <p id="span-sampling-note" class="note">{note}</p> })}
                    <div class="wf-actions">
                        <button type="button" on:click=move |_| wf.zoom_to(start, end)>"Zoom time axis to span"</button>
                        {(several && wf.trace_choice.get_untracked().is_none()).then(|| view! {
                            <button type="button" on:click=move |_| wf.trace_choice.set(trace_index)>"Show its trace only"</button>
                        })}
                    </div>
                    <h4>"Attributes"</h4>
                    {if no_attributes {
                        view! { <p class="muted">"None."</p> }.into_any()
                    } else {
                        view! {
                            <table class="wf-attributes">
                                <tbody>{attributes}</tbody>
                            </table>
                        }
                        .into_any()
                    }}
                }
                .into_any()
            }
            Row::Linked(key) => {
                let extent = row_extent(&t.set, &join, row);
                view! {
                    <h3 id="span-detail-name">{linked_name(&key)}</h3>
                    <dl class="wf-facts">
                        <dt>"Samples"</dt>
                        <dd id="span-detail-samples" data-samples=own.to_string() data-samples-with-children=total.to_string()>
                            {format!("{own}")}
                        </dd>
                        {hits_view}
                        {extent.map(|(a, b)| view! {
                            <dt>"Sampled"</dt>
                            <dd title=utc(a)>{format!("over {}", ns(b - a))}</dd>
                        })}
                        <dt>"Trace id"</dt>
                        <dd class="mono">
                            {if key.trace_id == [0; 16] { "not given".to_owned() } else { key.trace_hex() }}
                        </dd>
                        <dt>"Span id"</dt>
                        <dd class="mono">{key.span_hex()}</dd>
                    </dl>
                    <p class="note">
                        "The profile links samples to this span, but no loaded trace has it: drop its trace file (OTLP traces) to see it in its trace with its name, times and children."
                    </p>
                }
                .into_any()
            }
        }
    };
    view! {
        <aside id="span-detail" class="wf-detail" aria-label="Selected span" aria-live="polite">
            {content}
        </aside>
    }
}
