//! The attribute filter bar: "Filter ▾" lists the file's attribute keys with their values'
//! shares of the samples ([`spanflame_core::facets`]); a click on a value keeps only the
//! samples having it, the "−" beside it drops them. Active conditions show as chips.
//!
//! Conditions are kept as `(key, value, exclude)` triples ([`AppState::attrs`]); values of one
//! key picked to include are alternatives (a sample has one thread), so they are grouped
//! into one `AttrCondition` per key and kind by [`crate::state::conditions`].

use leptos::prelude::*;

use spanflame_core::units::format_share;

use crate::state::AppState;

/// Values listed per key.
const TOP_K: usize = 12;

fn pick(state: AppState, key: &str, value: &str, exclude: bool) {
    state.attrs.update(|picks| {
        // Picking the other kind for the same pair replaces it.
        picks.retain(|(k, v, _)| !(k == key && v == value));
        picks.push((key.to_owned(), value.to_owned(), exclude));
    });
}

/// The "Filter ▾" button, its list of facets, and the chips of the active conditions.
#[component]
pub fn FilterBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let facets = Memo::new(move |_| {
        if !open.get() {
            return Vec::new();
        }
        let filter = state.filter.get();
        state.profile.with(|p| {
            let Some(p) = p.as_ref() else {
                return Vec::new();
            };
            p.set
                .facets(&filter, TOP_K)
                .into_iter()
                .map(|f| {
                    let whole = f
                        .values
                        .iter()
                        .fold(f.missing.weight.saturating_add(f.other.1.weight), |a, v| {
                            a.saturating_add(v.share.weight)
                        });
                    let values: Vec<(String, String)> = f
                        .values
                        .iter()
                        .map(|v| (v.value.clone(), format_share(v.share.weight, whole)))
                        .collect();
                    (f.key, values)
                })
                .filter(|(_, values)| !values.is_empty())
                .collect::<Vec<_>>()
        })
    });
    let list = move || {
        open.get().then(|| {
            let keys = facets.get();
            let empty = keys.is_empty();
            view! {
                <div class="filter-list" id="filter-list" role="dialog" aria-label="Filter by attribute">
                    {empty.then(|| view! { <p class="muted">"No attributes in this file."</p> })}
                    {keys
                        .into_iter()
                        .map(|(key, values)| {
                            view! {
                                <div class="facet" data-key=key.clone()>
                                    <div class="facet-key">{key.clone()}</div>
                                    {values
                                        .into_iter()
                                        .map(|(value, share)| {
                                            let (k1, v1) = (key.clone(), value.clone());
                                            let (k2, v2) = (key.clone(), value.clone());
                                            view! {
                                                <div class="facet-value">
                                                    <button
                                                        type="button"
                                                        class="include"
                                                        data-value=value.clone()
                                                        title="Keep only these samples"
                                                        on:click=move |_| {
                                                            pick(state, &k1, &v1, false);
                                                            open.set(false);
                                                        }
                                                    >
                                                        {value.clone()}
                                                        " "
                                                        <span class="muted">{share}</span>
                                                    </button>
                                                    <button
                                                        type="button"
                                                        class="exclude"
                                                        title="Drop these samples"
                                                        aria-label=format!("Exclude {value}")
                                                        on:click=move |_| {
                                                            pick(state, &k2, &v2, true);
                                                            open.set(false);
                                                        }
                                                    >
                                                        "−"
                                                    </button>
                                                </div>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            }
        })
    };
    let chips = move || {
        state
            .attrs
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, (key, value, exclude))| {
                let label = format!("{key} {} {value}", if exclude { "≠" } else { "=" });
                view! {
                    <span class="chip attr-chip" class:exclude=exclude>
                        {label.clone()}
                        <button
                            type="button"
                            class="dismiss"
                            aria-label=format!("Remove the condition {label}")
                            on:click=move |_| {
                                state.attrs.update(|p| {
                                    if i < p.len() {
                                        p.remove(i);
                                    }
                                })
                            }
                        >
                            "×"
                        </button>
                    </span>
                }
            })
            .collect_view()
    };
    view! {
        <div class="filter-bar" id="filter-bar">
            <button
                type="button"
                id="filter-button"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Filter ▾"
            </button>
            {list}
            <span id="attr-chips">{chips}</span>
            <crate::transforms_menu::TransformsBar />
            <crate::export_menu::ExportMenu />
            <crate::panes::WaterfallToggle />
        </div>
    }
}
