//! The top-functions table: self and total weight per function, sortable, filtered by
//! the search. It is also the graph's accessible mirror: a real table a screen reader can
//! walk, with a button per function that selects it (the graph then outlines its frames).
//! A double click shows the function's callers and callees ([`crate::sandwich`]); while they
//! are shown, a click switches them to the function clicked.
//! Profiles that count calls (cProfile) get a calls column.

use leptos::prelude::*;
use spanflame_core::FunctionStats;
use spanflame_core::units::{format_share, format_value};

use crate::state::{AppState, SearchQuery, Shared};

/// Rows shown; the rest are counted below the table.
pub const TABLE_ROWS: usize = 100;

/// Sort order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Self weight, descending.
    SelfWeight,
    /// Total weight, descending.
    TotalWeight,
}

/// The rows to show: matching the search, sorted, at most [`TABLE_ROWS`]; and how many
/// matching rows were left out.
fn rows(
    functions: &[FunctionStats],
    query: &SearchQuery,
    sort: SortBy,
) -> (Vec<FunctionStats>, usize) {
    let matcher = crate::matcher::build(query).ok().flatten();
    let mut kept: Vec<&FunctionStats> = functions
        .iter()
        .filter(|f| matcher.as_ref().is_none_or(|m| m.is_match(&f.name)))
        .collect();
    // function_stats() comes sorted by self weight.
    if sort == SortBy::TotalWeight {
        kept.sort_by(|a, b| {
            (b.total_weight, b.self_weight, &a.name).cmp(&(a.total_weight, a.self_weight, &b.name))
        });
    }
    let hidden = kept.len().saturating_sub(TABLE_ROWS);
    (kept.into_iter().take(TABLE_ROWS).cloned().collect(), hidden)
}

/// The last component of a path (`/usr/lib/python3.11/threading.py` → `threading.py`).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The table.
#[component]
pub fn FunctionsTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sort = RwSignal::new(SortBy::SelfWeight);
    let shown = Memo::new(move |_| {
        let functions = state.functions.get()?;
        let query = state.search.get();
        Some(Shared::new(rows(&functions, &query, sort.get())))
    });
    let unit = move || {
        state
            .tree
            .with(|t| t.as_ref().map(|t| t.sample_type().unit.clone()))
            .unwrap_or_default()
    };
    // The rows' tree's (the settled view's), so that shares and weights agree while the
    // graph is a frame ahead.
    let total = move || state.settled_tree().map_or(0, |t| t.total());
    let has_calls = move || {
        state
            .tree
            .with(|t| t.as_ref().is_some_and(|t| t.has_calls()))
    };
    let header = move |label: &'static str, by: SortBy| {
        view! {
            <th
                scope="col"
                class="num"
                aria-sort=move || if sort.get() == by { "descending" } else { "none" }
            >
                <button
                    type="button"
                    class="sort"
                    data-sort=label
                    on:click=move |_| sort.set(by)
                    title=format!("Sort by {} weight", label.to_lowercase())
                >
                    {label}
                    <span aria-hidden="true">{move || if sort.get() == by { " ▼" } else { "" }}</span>
                </button>
            </th>
        }
    };
    let body = move || {
        let Some(shown) = shown.get() else {
            return ().into_any();
        };
        let (unit, total, with_calls) = (unit(), total(), has_calls());
        let (list, _) = &*shown;
        list.iter()
            .map(|f| {
                let name = f.name.clone();
                let selected = state.is_selected(name.clone());
                let key = (f.name.clone(), f.file.clone());
                let sandwich = {
                    let key = key.clone();
                    move |_| state.open_sandwich(key.clone())
                };
                let select = {
                    let name = name.clone();
                    move |_| {
                        if state.sandwich.with_untracked(Option::is_some) {
                            state.open_sandwich(key.clone());
                            return;
                        }
                        state.toggle_selected(&name);
                    }
                };
                let file = (!f.file.is_empty()).then(|| {
                    view! {
                        <span class="file" title=f.file.clone()>
                            {file_name(&f.file).to_owned()}
                        </span>
                    }
                });
                let (row_class, row_aria, button_aria) =
                    (selected.clone(), selected.clone(), selected);
                view! {
                    <tr
                        data-name=name.clone()
                        data-self=f.self_weight.to_string()
                        data-total=f.total_weight.to_string()
                        class:selected=row_class
                        aria-selected=move || row_aria().to_string()
                    >
                        <th scope="row">
                            <button
                                type="button"
                                class="fn"
                                title="Highlight this function in the flame graph; double click for its callers and callees"
                                aria-pressed=move || button_aria().to_string()
                                on:click=select
                                on:dblclick=sandwich
                            >
                                {name.clone()}
                            </button>
                            {file}
                        </th>
                        <td class="num">
                            {format_value(f.self_weight, &unit)}
                            <span class="share">{format_share(f.self_weight, total)}</span>
                        </td>
                        <td class="num">
                            {format_value(f.total_weight, &unit)}
                            <span class="share">{format_share(f.total_weight, total)}</span>
                        </td>
                        {with_calls.then(|| {
                            view! {
                                <td class="num calls">
                                    {f.calls.map(|c| c.to_string()).unwrap_or_default()}
                                </td>
                            }
                        })}
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    let note = move || {
        let shown = shown.get()?;
        let searching = state.search.with(|q| !q.text.trim().is_empty());
        let (list, hidden) = &*shown;
        let text = match (*hidden, searching, list.is_empty()) {
            (0, true, true) => "No function matches the search.".to_owned(),
            (0, _, _) => return None,
            (n, _, _) => format!("and {n} more functions"),
        };
        Some(view! { <p class="note">{text}</p> })
    };
    let caption = move || match sort.get() {
        SortBy::SelfWeight => "Top functions by self weight",
        SortBy::TotalWeight => "Top functions by total weight",
    };
    view! {
        <section class="functions" id="functions-panel" aria-labelledby="functions-caption">
            <table id="top-functions">
                <caption id="functions-caption">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Function"</th>
                        {header("Self", SortBy::SelfWeight)}
                        {header("Total", SortBy::TotalWeight)}
                        {move || {
                            has_calls()
                                .then(|| {
                                    view! {
                                        <th
                                            scope="col"
                                            class="num"
                                            title="calls; total/primitive (non-recursive) when they differ"
                                        >
                                            "Calls"
                                        </th>
                                    }
                                })
                        }}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            {note}
        </section>
    }
}
