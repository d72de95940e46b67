//! The diff's controls: "Compare with…" (a baseline file), "Compare with other <name>
//! spans" (beside the span filter chip) and the bar that says what is compared, with both
//! totals, "Only changed", "Swap" and the way out.

use leptos::html;
use leptos::prelude::*;
use spanflame_core::units::format_value;
use wasm_bindgen::JsCast;

use super::{Baseline, DiffState, open_baseline_file, same_name_info, sample_type_mismatch};
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
        </div>
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
        let text = match (baseline, totals()) {
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
                    format!(
                        "{gone} call paths are only in the baseline: the graph cannot show them, the table lists their functions."
                    )
                }
            }
        };
        let text = [mismatch.unwrap_or_default(), text].join(" ");
        let text = text.trim();
        (!text.is_empty()).then(|| view! { <p class="note" id="diff-note">{text.to_owned()}</p> })
    };
    let is_file = move || diff.baseline.with(|b| matches!(b, Some(Baseline::File(_))));
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
                    <Show when=is_file>
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
