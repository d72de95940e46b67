//! The diff table: per function, total and self weight before and after with their shares,
//! and the change of share; sortable by any column (again: the other direction), filtered
//! by the search and "Only changed". In diff mode it takes the functions table's place.

use leptos::prelude::*;
use spanflame_core::diff::{DiffColumn, FunctionDiff, format_delta, sort_functions};
use spanflame_core::units::{format_share, format_value};

use super::DiffState;
use crate::state::{AppState, Shared};

/// Rows shown; the rest are counted below the table.
const TABLE_ROWS: usize = 100;

/// The last component of a path, as the functions table shows it.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The table.
#[component]
pub fn DiffTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let Some(diff) = use_context::<DiffState>() else {
        return ().into_any();
    };
    // What grew most first.
    let sort = RwSignal::new((DiffColumn::TotalDelta, true));
    let shown = Memo::new(move |_| {
        let functions = diff.functions.get()?;
        let matcher = state
            .search
            .with(|q| crate::matcher::build(q).ok().flatten());
        let only_changed = diff.only_changed.get();
        let mut kept: Vec<FunctionDiff> = functions
            .iter()
            .filter(|f| matcher.as_ref().is_none_or(|m| m.is_match(&f.name)))
            .filter(|f| !only_changed || f.diff.changed())
            .cloned()
            .collect();
        let (column, descending) = sort.get();
        sort_functions(&mut kept, column, descending);
        let hidden = kept.len().saturating_sub(TABLE_ROWS);
        kept.truncate(TABLE_ROWS);
        Some(Shared::new((kept, hidden)))
    });
    let unit = move || {
        state
            .tree
            .with(|t| t.as_ref().map(|t| t.sample_type().unit.clone()))
            .unwrap_or_default()
    };
    let totals = move || {
        diff.diff
            .with(|d| d.as_ref().map_or((0, 0), |d| d.totals()))
    };
    let header = move |label: &'static str, title: &'static str, column: DiffColumn| {
        let sorted = move || sort.get().0 == column;
        view! {
            <th
                scope="col"
                class=if column == DiffColumn::Name { "" } else { "num" }
                aria-sort=move || match sort.get() {
                    (c, true) if c == column => "descending",
                    (c, false) if c == column => "ascending",
                    _ => "none",
                }
            >
                <button
                    type="button"
                    class="sort"
                    data-sort=label
                    title=title
                    on:click=move |_| {
                        sort.update(|(c, descending)| {
                            if *c == column {
                                *descending = !*descending;
                            } else {
                                *c = column;
                                *descending = column != DiffColumn::Name;
                            }
                        })
                    }
                >
                    {label}
                    <span aria-hidden="true">
                        {move || match (sorted(), sort.get().1) {
                            (false, _) => "",
                            (true, true) => " ▼",
                            (true, false) => " ▲",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    let body = move || {
        let Some(shown) = shown.get() else {
            return ().into_any();
        };
        let unit = unit();
        let (before_total, after_total) = totals();
        let cell = move |weight: i64, total: i64, unit: &str| {
            view! {
                <td class="num">
                    {format_value(weight, unit)}
                    <span class="share">{format_share(weight, total)}</span>
                </td>
            }
        };
        let delta = |d: f64| {
            let class = if d.abs() < spanflame_core::diff::NEUTRAL_BAND {
                "num delta"
            } else if d > 0.0 {
                "num delta grew"
            } else {
                "num delta shrank"
            };
            view! { <td class=class>{format_delta(d)}</td> }
        };
        let (list, _) = &*shown;
        list.iter()
            .map(|f| {
                let d = f.diff;
                let name = f.name.clone();
                let selected = state.is_selected(name.clone());
                let select = {
                    let name = name.clone();
                    move |_| {
                        state.toggle_selected(&name);
                    }
                };
                let (row_class, button_aria) = (selected.clone(), selected);
                view! {
                    <tr
                        data-name=name.clone()
                        data-file=f.file.clone()
                        data-before-self=d.before_self.to_string()
                        data-after-self=d.after_self.to_string()
                        data-before-total=d.before_total.to_string()
                        data-after-total=d.after_total.to_string()
                        data-delta=d.delta().to_string()
                        data-self-delta=d.self_delta.to_string()
                        data-changed=d.changed().to_string()
                        class:selected=row_class
                    >
                        <th scope="row">
                            <button
                                type="button"
                                class="fn"
                                title="Highlight this function in the flame graph"
                                aria-pressed=move || button_aria().to_string()
                                on:click=select
                            >
                                {name.clone()}
                            </button>
                            {(!f.file.is_empty()).then(|| {
                                view! {
                                    <span class="file" title=f.file.clone()>
                                        {file_name(&f.file).to_owned()}
                                    </span>
                                }
                            })}
                        </th>
                        {cell(d.before_total, before_total, &unit)}
                        {cell(d.after_total, after_total, &unit)}
                        {delta(d.delta())}
                        {cell(d.before_self, before_total, &unit)}
                        {cell(d.after_self, after_total, &unit)}
                        {delta(d.self_delta)}
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    let note = move || {
        let shown = shown.get()?;
        let (list, hidden) = &*shown;
        let text = match (*hidden, list.is_empty()) {
            (0, true) => "No function matches.".to_owned(),
            (0, false) => return None,
            (n, _) => format!("and {n} more functions"),
        };
        Some(view! { <p class="note">{text}</p> })
    };
    view! {
        <section class="functions" id="functions-panel" aria-labelledby="diff-caption">
            <table id="diff-table">
                <caption id="diff-caption">
                    "Functions before and after"
                    <span class="muted">" (shares are of each side's total; Δ in percentage points)"</span>
                </caption>
                <thead>
                    <tr>
                        {header("Function", "Sort by name", DiffColumn::Name)}
                        {header("Total before", "Sort by total weight in the baseline", DiffColumn::BeforeTotal)}
                        {header("Total after", "Sort by total weight in the comparison", DiffColumn::AfterTotal)}
                        {header("Δ total", "Sort by the change of total share", DiffColumn::TotalDelta)}
                        {header("Self before", "Sort by self weight in the baseline", DiffColumn::BeforeSelf)}
                        {header("Self after", "Sort by self weight in the comparison", DiffColumn::AfterSelf)}
                        {header("Δ self", "Sort by the change of self share", DiffColumn::SelfDelta)}
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            {note}
        </section>
    }
    .into_any()
}
