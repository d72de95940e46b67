//! The diff's controls: "Compare with…" (a baseline file), "Set as baseline" (pin the
//! view's span, time range and attribute picks), "Compare with other <name> spans" (beside
//! the span filter chip) and the bar that says what is compared, with both totals, "Only
//! changed", "Swap" and the way out.

use leptos::html;
use leptos::prelude::*;
use spanflame_core::units::format_value;
use wasm_bindgen::JsCast;

use super::{
    Baseline, DiffState, describe_selection, open_baseline_file, pinned_filter, same_name_info,
    sample_type_mismatch,
};
use crate::state::AppState;

/// "Compare with…": pick a profile to be the baseline of the loaded one.
#[component]
pub fn CompareButton() -> impl IntoView {
    let state = expect_context::<AppState>();
    let Some(diff) = use_context::<DiffState>() else {
        return ().into_any();
    };
    let input: NodeRef<html::Input> = NodeRef::new();
    let on_change = move |_| {
        let Some(el) = input.get() else { return };
        let file = el.files().and_then(|list| list.get(0));
        // Clear, so choosing the same file again fires `change` again.
        el.set_value("");
        if let Some(file) = file {
            open_baseline_file(state, diff, file);
        }
    };
    view! {
        <div class="compare">
            <button
                id="compare-file"
                type="button"
                title="Open a baseline profile: the loaded one is drawn coloured by what grew (red) and shrank (blue) since"
                on:click=move |_| {
                    if let Some(el) = input.get() {
                        el.unchecked_ref::<web_sys::HtmlElement>().click();
                    }
                }
            >
                "Compare with…"
            </button>
            <input
                id="compare-input"
                type="file"
                class="visually-hidden"
                tabindex="-1"
                aria-hidden="true"
                node_ref=input
                on:change=on_change
            />
            <PinButton />
        </div>
    }
    .into_any()
}

/// "Set as baseline": pin what the view selects (a span in its scope, a brushed time range,
/// attribute picks) as the baseline, to compare another selection of the same data with it.
/// Disabled while the view selects nothing in particular.
#[component]
pub fn PinButton() -> impl IntoView {
    let state = expect_context::<AppState>();
    let Some(diff) = use_context::<DiffState>() else {
        return ().into_any();
    };
    let empty = move || crate::view_hash::view_selection(state).is_empty();
    let title = move || {
        if empty() {
            "Select a span in the waterfall, brush a time range or pick attribute values first: \
             that selection becomes the baseline, and the next one is compared with it"
                .to_owned()
        } else {
            format!(
                "Make {} the baseline, then select another span, time range or attribute values to compare with it",
                describe_selection(state, &crate::view_hash::view_selection(state))
            )
        }
    };
    view! {
        <button
            id="pin-baseline"
            type="button"
            prop:disabled=empty
            title=title
            on:click=move |_| diff.pin(state)
        >
            "Set as baseline"
        </button>
    }
    .into_any()
}

/// "Compare with other <name> spans", while the view is filtered to a span that has some.
#[component]
pub fn SameNameButton() -> impl IntoView {
    let state = expect_context::<AppState>();
    let Some(diff) = use_context::<DiffState>() else {
        return ().into_any();
    };
    let shown = move || {
        let (name, count) = same_name_info(state)?;
        let comparing = diff
            .baseline
            .with(|b| matches!(b, Some(Baseline::SameName)));
        (count > 0 && !comparing).then(|| {
            view! {
                <button
                    id="compare-same-name"
                    type="button"
                    class="compare-same-name"
                    title=format!(
                        "Colour this span's samples by how their shares differ from those of the {count} other {name} spans"
                    )
                    on:click=move |_| diff.compare_same_name()
                >
                    {format!("Compare with other {name} spans")}
                </button>
            }
        })
    };
    shown.into_any()
}

/// What is compared with what, both totals, and the diff's switches.
#[component]
pub fn DiffBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let Some(diff) = use_context::<DiffState>() else {
        return ().into_any();
    };
    let sides = move || {
        let baseline = diff.baseline.get()?;
        let after = state
            .profile
            .with(|p| p.as_ref().map(|p| p.source.clone()))
            .unwrap_or_default();
        Some(match baseline {
            Baseline::File(file) => (after, file.source.clone()),
            Baseline::Pinned(pinned) => {
                let view = crate::view_hash::view_selection(state);
                let after = if view.is_empty() {
                    format!("all of {after}")
                } else {
                    describe_selection(state, &view)
                };
                (after, describe_selection(state, &pinned))
            }
            Baseline::SameName => match same_name_info(state) {
                Some((name, count)) => (
                    format!("span {name}"),
                    format!("the {count} other {name} spans"),
                ),
                None => (
                    after,
                    "other spans with the selected span's name".to_owned(),
                ),
            },
        })
    };
    let unit = move || {
        state
            .tree
            .with(|t| t.as_ref().map(|t| t.sample_type().unit.clone()))
            .unwrap_or_default()
    };
    let totals = move || diff.diff.get().map(|d| d.totals());
    let before = move || {
        let (before, _) = totals()?;
        Some(view! {
            <span class="total" id="diff-before-total" data-total=before.to_string()>
                {format_value(before, &unit())}
            </span>
        })
    };
    let after = move || {
        let (_, after) = totals()?;
        Some(view! {
            <span class="total" id="diff-after-total" data-total=after.to_string()>
                {format_value(after, &unit())}
            </span>
        })
    };
    let note = move || {
        let baseline = diff.baseline.get()?;
        let mismatch = sample_type_mismatch(state, &baseline);
        let pinned_error = match &baseline {
            Baseline::Pinned(pinned) => pinned_filter(state, pinned).err(),
            _ => None,
        };
        let same_as_view = match &baseline {
            Baseline::Pinned(pinned) => {
                let view = crate::view_hash::view_selection(state);
                view.span == pinned.span
                    && (view.span.is_none() || view.scope == pinned.scope)
                    && view.range == pinned.range
                    && view.attrs == pinned.attrs
            }
            _ => false,
        };
        let text = match (baseline, totals()) {
            (Baseline::Pinned(_), _) if pinned_error.is_some() => format!(
                "The baseline's {}: pin another selection, or leave the comparison.",
                pinned_error.map(|e| e.to_string()).unwrap_or_default()
            ),
            (Baseline::Pinned(_), Some((0, _))) => "The baseline keeps no samples of this sample type: everything counts as grown. Pin another selection, or leave the comparison.".to_owned(),
            (Baseline::Pinned(_), Some(_)) if same_as_view => "The view is the baseline: now click another span in the waterfall, brush another time range or pick other attribute values to compare with it.".to_owned(),
            (Baseline::SameName, None) => {
                "Filter the view to a span (click one in the waterfall) to compare it with the others of its name.".to_owned()
            }
            (_, None) => return None,
            (_, Some((0, _))) => "The baseline has no samples of this sample type and filter: everything counts as grown.".to_owned(),
            (_, Some((_, 0))) => "The comparison has no samples: choose another filter.".to_owned(),
            _ => {
                let gone = diff.diff.with(|d| d.as_ref().map_or(0, |d| d.baseline_only().len()));
                if gone == 0 {
                    String::new()
                } else {
                    let (paths, them) = if gone == 1 {
                        ("call path is", "it")
                    } else {
                        ("call paths are", "them")
                    };
                    format!(
                        "{gone} {paths} only in the baseline: the graph cannot show {them}, the table lists their functions."
                    )
                }
            }
        };
        let text = [mismatch.unwrap_or_default(), text].join(" ");
        let text = text.trim();
        (!text.is_empty()).then(|| view! { <p class="note" id="diff-note">{text.to_owned()}</p> })
    };
    // A pinned span the data lacks cannot become the view, and a view that selects nothing
    // cannot be pinned (the address could not say it).
    let can_swap = move || match diff.baseline.get() {
        Some(Baseline::File(_)) => true,
        Some(Baseline::Pinned(pinned)) => {
            pinned_filter(state, &pinned).is_ok()
                && !crate::view_hash::view_selection(state).is_empty()
        }
        _ => false,
    };
    let bar = move || {
        let (after_name, before_name) = sides()?;
        Some(view! {
            <section id="diff-bar" class="diff-bar" aria-label="Comparison">
                <p class="diff-sides">
                    <span class="side after">
                        <span class="tag">"after"</span>
                        <strong title=after_name.clone()>{after_name.clone()}</strong>
                        {after}
                    </span>
                    <span class="vs">"vs"</span>
                    <span class="side before">
                        <span class="tag">"baseline"</span>
                        <strong title=before_name.clone()>{before_name.clone()}</strong>
                        {before}
                    </span>
                </p>
                <div class="diff-actions">
                    <label
                        class="toggle"
                        title="Dim frames and hide table rows whose share changed less than the neutral band"
                    >
                        <input
                            id="diff-only-changed"
                            type="checkbox"
                            prop:checked=move || diff.only_changed.get()
                            on:change=move |e| diff.only_changed.set(event_target_checked(&e))
                        />
                        "Only changed"
                    </label>
                    <Show when=can_swap>
                        <button
                            id="diff-swap"
                            type="button"
                            title="Make the baseline the comparison and the other way round"
                            on:click=move |_| diff.swap(state)
                        >
                            "Swap sides"
                        </button>
                    </Show>
                    <button
                        id="diff-exit"
                        type="button"
                        title="Back to the plain flame graph of the loaded profile"
                        on:click=move |_| diff.exit()
                    >
                        "Leave comparison"
                    </button>
                </div>
                {note}
            </section>
        })
    };
    bar.into_any()
}
