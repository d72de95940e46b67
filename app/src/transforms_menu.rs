//! Stack transforms on the selected function ([`spanflame_core::transform`]): a
//! "Transform ▾" menu and keyboard shortcuts (`f` focus on function, `s` focus on the
//! zoomed subtree, `m` merge, `d` drop, `r` collapse recursion, `p` collapse package), and
//! the applied transforms as chips in order (× removes one). The graph and table are built
//! with [`spanflame_core::ProfileSet::call_tree_with`] while any transform applies
//! ([`AppState::transforms`]).

use leptos::ev;
use leptos::prelude::*;
use spanflame_core::navigate::FunctionKey;
use spanflame_core::palette::package_of;
use spanflame_core::{Transform, Transforms};

use crate::state::AppState;

/// The selected function's key (name, file), from the functions table.
fn selected_key(state: AppState) -> Option<FunctionKey> {
    let name = state.selected_function.get_untracked()?;
    let functions = state.functions.get_untracked()?;
    let f = functions.iter().find(|f| f.name == name)?;
    Some((f.name.clone(), f.file.clone()))
}

/// The package of the selected function, as colours and collapsing see it.
fn selected_package(state: AppState) -> Option<String> {
    let (name, file) = selected_key(state)?;
    let tree = state.tree.get_untracked()?;
    let node = tree
        .nodes()
        .find(|&n| tree.name(n) == name && tree.file(n) == file)?;
    Some(package_of(&name, &file, tree.kind(node)).to_owned())
}

/// The transform `code` names, for the selected function (or the zoom path).
fn make(state: AppState, code: &str) -> Option<Transform> {
    Some(match code {
        "ff" => Transform::FocusFunction(selected_key(state)?),
        "fs" => {
            let path = state.zoom.get_untracked();
            if path.is_empty() {
                return None;
            }
            Transform::FocusSubtree(path)
        }
        "mf" => Transform::MergeFunction(selected_key(state)?),
        "df" => Transform::DropFunction(selected_key(state)?),
        "rec" => Transform::CollapseRecursion(selected_key(state)?),
        "cp" => Transform::CollapsePackage(selected_package(state)?),
        _ => return None,
    })
}

/// Push a transform; the zoom and selection refer to the old stacks, so they are reset.
fn apply(state: AppState, code: &str) {
    let Some(t) = make(state, code) else {
        return;
    };
    state.transforms.update(|ts| ts.0.push(t));
    state.zoom.set(Vec::new());
}

/// A transform in words.
pub fn describe(t: &Transform) -> String {
    match t {
        Transform::FocusFunction(k) => format!("Focus on {}", k.0),
        Transform::FocusSubtree(p) => {
            format!("Focus on subtree {}", p.last().map_or("", |k| k.0.as_str()))
        }
        Transform::MergeFunction(k) => format!("Merge {}", k.0),
        Transform::DropFunction(k) => format!("Drop {}", k.0),
        Transform::CollapseRecursion(k) => format!("Collapse recursion of {}", k.0),
        Transform::CollapseDirectRecursion(k) => format!("Collapse direct recursion of {}", k.0),
        Transform::CollapsePackage(p) => format!("Collapse package {p}"),
        Transform::OnlyMyCode(_) => "Only my code".to_owned(),
    }
}

const ITEMS: &[(&str, &str, &str)] = &[
    ("ff", "f", "Focus on function"),
    ("fs", "s", "Focus on subtree (the zoomed frame)"),
    ("mf", "m", "Merge function (hide)"),
    ("df", "d", "Drop samples with function"),
    ("rec", "r", "Collapse recursion"),
    ("cp", "p", "Collapse package"),
];

/// The menu, the shortcuts and the chips.
#[component]
pub fn TransformsBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let keys = window_event_listener(ev::keydown, move |e| {
        if crate::toolbar::typing(&e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        if let Some((code, _, _)) = ITEMS.iter().find(|(_, key, _)| e.key() == *key) {
            apply(state, code);
        }
    });
    on_cleanup(move || keys.remove());
    let has_selection = move || state.selected_function.with(Option::is_some);
    let menu = move || {
        open.get().then(|| {
            ITEMS
                .iter()
                .map(|(code, key, label)| {
                    let code = *code;
                    view! {
                        <button
                            type="button"
                            role="menuitem"
                            data-code=code
                            on:click=move |_| {
                                apply(state, code);
                                open.set(false);
                            }
                        >
                            {*label}
                            " "
                            <kbd>{*key}</kbd>
                        </button>
                    }
                })
                .collect_view()
        })
    };
    let chips = move || {
        let list = state.transforms.get().0;
        list.into_iter()
            .enumerate()
            .map(|(i, t)| {
                let label = describe(&t);
                view! {
                    <span class="chip transform-chip">
                        {label.clone()}
                        <button
                            type="button"
                            class="dismiss"
                            aria-label=format!("Remove {label}")
                            on:click=move |_| {
                                state.transforms.update(|ts| {
                                    if i < ts.0.len() {
                                        ts.0.remove(i);
                                    }
                                });
                                state.zoom.set(Vec::new());
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
        <span class="transforms-bar">
            <button
                type="button"
                id="transform-button"
                disabled=move || !has_selection()
                title="Rewrite the stacks around the selected function"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Transform ▾"
            </button>
            <span class="transform-menu" id="transform-menu" role="menu">{menu}</span>
            <span id="transform-chips">{chips}</span>
        </span>
    }
}

/// The transforms of the hash's text; what does not parse is left out.
pub fn parse(text: &str) -> Transforms {
    Transforms::parse(text).unwrap_or_default()
}
