//! Stack transforms ([`spanflame_core::transform`]) on a function, from three places: the
//! "Transform ▾" menu and keyboard shortcuts on the selected function (`f` focus on
//! function, `s` focus on the zoomed subtree, `m` merge, `d` drop, `r` collapse recursion,
//! `p` collapse package, `l` hide the package as library), and a frame's own menu (right
//! click, or the context-menu key / Shift+F10 on the focused graph), which also copies the
//! function's name and shows its callers and callees ([`crate::sandwich`]; `c` and the
//! "Callers / callees" button do that for the selected function). The applied transforms
//! show as chips in order (× removes one); the graph and table are built with
//! [`spanflame_core::ProfileSet::call_tree_with`] while any applies ([`AppState::transforms`]).

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use spanflame_core::navigate::{FunctionKey, path_keys};
use spanflame_core::palette::package_of;
use spanflame_core::{CallTree, NodeId, Transform, Transforms};
use wasm_bindgen::JsCast;

use crate::menu::MenuButton;
use crate::state::AppState;

/// What a transform is made for: a function, the path to one of its frames (for focus on
/// subtree) and its package.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The function, as (name, file).
    pub key: FunctionKey,
    /// The functions from the root to the frame; empty where no frame is meant.
    pub path: Vec<FunctionKey>,
    /// Its package, as colours and collapsing see it.
    pub package: String,
}

impl Target {
    /// The frame `node` of `tree`; `inverted` trees' paths run leaf to caller, which no
    /// subtree focus can use.
    pub fn of_frame(tree: &CallTree, node: NodeId, inverted: bool) -> Target {
        let (name, file) = (tree.name(node), tree.file(node));
        Target {
            key: (name.to_owned(), file.to_owned()),
            path: if inverted {
                Vec::new()
            } else {
                path_keys(tree, node)
            },
            package: package_of(name, file, tree.kind(node)).to_owned(),
        }
    }

    /// The transform `code` names, for this target.
    fn transform(&self, code: &str) -> Option<Transform> {
        Some(match code {
            "ff" => Transform::FocusFunction(self.key.clone()),
            "fs" if !self.path.is_empty() => Transform::FocusSubtree(self.path.clone()),
            "mf" => Transform::MergeFunction(self.key.clone()),
            "df" => Transform::DropFunction(self.key.clone()),
            "rec" => Transform::CollapseRecursion(self.key.clone()),
            "cp" => Transform::CollapsePackage(self.package.clone()),
            "omc" => Transform::OnlyMyCode(vec![self.package.clone()]),
            _ => return None,
        })
    }
}

/// The toolbar's target: the selected function (from the functions table) and the zoomed
/// frame's path.
fn selected_target(state: AppState) -> Option<Target> {
    let name = state.selected_function.get_untracked()?;
    let functions = state.functions.get_untracked()?;
    let f = functions.iter().find(|f| f.name == name)?;
    let key = (f.name.clone(), f.file.clone());
    let tree = state.tree.get_untracked()?;
    let node = tree
        .nodes()
        .find(|&n| tree.name(n) == key.0 && tree.file(n) == key.1)?;
    // The function's key and package as at any of its frames; the path is the zoom's.
    let mut target = Target::of_frame(&tree, node, true);
    if !state.inverted.get_untracked() {
        target.path = state.zoom.get_untracked();
    }
    Some(target)
}

/// Open the sandwich of the selected function.
fn open_selected_sandwich(state: AppState) {
    let key = state
        .selected_function
        .get_untracked()
        .and_then(|name| state.function_key(&name));
    if let Some(key) = key {
        state.open_sandwich(key);
        // The focus may have been in the graph the sandwich replaces.
        crate::sandwich::focus_later("sandwich-callees-scroll", true);
    }
}

/// Push the transform `code` names for `target`; the zoom refers to the old stacks, so it
/// is reset. Marking one more package as library widens a trailing "only my code" instead of
/// stacking a second one.
fn apply(state: AppState, code: &str, target: &Target) {
    let Some(t) = target.transform(code) else {
        return;
    };
    state.transforms.update(|ts| match (ts.0.last_mut(), t) {
        (Some(Transform::OnlyMyCode(packages)), Transform::OnlyMyCode(more)) => {
            for p in more {
                if !packages.contains(&p) {
                    packages.push(p);
                }
            }
        }
        (_, t) => ts.0.push(t),
    });
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
        Transform::OnlyMyCode(ps) => format!("Only my code (hiding {})", ps.join(", ")),
    }
}

/// (code, shortcut key, label) of each transform the menus offer.
const ITEMS: &[(&str, &str, &str)] = &[
    ("ff", "f", "Focus on function"),
    ("fs", "s", "Focus on subtree"),
    ("mf", "m", "Merge function (hide)"),
    ("df", "d", "Drop samples with function"),
    ("rec", "r", "Collapse recursion"),
    ("cp", "p", "Collapse package"),
    ("omc", "l", "Hide package as library (only my code)"),
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
        if let Some((code, _, _)) = ITEMS.iter().find(|(_, key, _)| e.key() == *key)
            && let Some(target) = selected_target(state)
        {
            apply(state, code, &target);
        } else if e.key() == "c" {
            open_selected_sandwich(state);
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
                                if let Some(target) = selected_target(state) {
                                    apply(state, code, &target);
                                }
                                open.set(false);
                            }
                        >
                            {*label}
                            {(code == "fs").then_some(" (the zoomed frame)")}
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
            <MenuButton
                id="transform-button"
                menu_id="transform-menu"
                label="Transform ▾"
                title="Rewrite the stacks around the selected function"
                disabled=Signal::derive(move || !has_selection())
                open=open
            >
                {menu}
            </MenuButton>
            <button
                type="button"
                id="sandwich-button"
                title="Show the callers and callees of the selected function (c)"
                disabled=move || !has_selection()
                on:click=move |_| open_selected_sandwich(state)
            >
                "Callers / callees"
            </button>
            <span id="transform-chips">{chips}</span>
        </span>
    }
}

/// A frame's menu, open at a point of the page (client CSS pixels).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameMenuAt {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// The frame.
    pub target: Target,
}

/// The menu items' buttons, in order.
fn items_of(menu: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

/// Put `name` on the clipboard; the page is told whether it worked.
fn copy_text(state: AppState, name: String) {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        return;
    };
    let promise = clipboard.write_text(&name);
    wasm_bindgen_futures::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_err() {
            state.error.set(Some(format!(
                "Could not copy {name:?}: the browser refused the clipboard."
            )));
        }
    });
}

/// A frame's menu: the transforms for its function and "Copy function name". Arrow keys move
/// between the items, Enter picks one, Esc (or a click elsewhere) closes it and gives the
/// focus back with `on_close`.
#[component]
pub fn FrameMenu(
    menu: RwSignal<Option<FrameMenuAt>>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let root = NodeRef::<html::Div>::new();
    let close = move || {
        if menu.get_untracked().is_some() {
            menu.set(None);
            on_close.run(());
        }
    };
    // Opened: focus the first item, and keep the menu inside the window.
    Effect::new(move |_| {
        if menu.with(Option::is_some) {
            request_animation_frame(move || {
                let (Some(el), Some(w)) = (root.get_untracked(), web_sys::window()) else {
                    return;
                };
                let el: &web_sys::HtmlElement = &el;
                let r = el.get_bounding_client_rect();
                let inner = |v: Result<wasm_bindgen::JsValue, _>| {
                    v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
                };
                let (ww, wh) = (inner(w.inner_width()), inner(w.inner_height()));
                if r.right() > ww {
                    let _ = el
                        .style()
                        .set_property("left", &format!("{}px", (ww - r.width() - 4.0).max(0.0)));
                }
                if r.bottom() > wh {
                    let _ = el
                        .style()
                        .set_property("top", &format!("{}px", (wh - r.height() - 4.0).max(0.0)));
                }
                if let Some(first) = items_of(el).first() {
                    let _ = first.focus();
                }
            });
        }
    });
    let outside = window_event_listener(ev::pointerdown, move |e| {
        let inside = root.get_untracked().is_some_and(|el| {
            e.target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .is_some_and(|t| el.contains(Some(&t)))
        });
        if !inside && menu.get_untracked().is_some() {
            menu.set(None);
        }
    });
    on_cleanup(move || outside.remove());
    let on_key = move |e: web_sys::KeyboardEvent| {
        let Some(el) = root.get_untracked() else {
            return;
        };
        let items = items_of(&el);
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let at = items.iter().position(|i| {
            active
                .as_ref()
                .is_some_and(|a| a == i.unchecked_ref::<web_sys::Element>())
        });
        let n = items.len();
        let next = match e.key().as_str() {
            "Escape" | "Tab" => {
                e.prevent_default();
                e.stop_propagation();
                close();
                return;
            }
            "ArrowDown" => at.map_or(0, |i| (i + 1) % n),
            "ArrowUp" => at.map_or(n - 1, |i| (i + n - 1) % n),
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        e.prevent_default();
        e.stop_propagation();
        if let Some(item) = items.get(next) {
            let _ = item.focus();
        }
    };
    move || {
        menu.get().map(|at| {
            let target = at.target.clone();
            let name = target.key.0.clone();
            let items = ITEMS
                .iter()
                .map(|(code, key, label)| {
                    let code = *code;
                    let target = target.clone();
                    let label = match code {
                        "cp" => format!("Collapse package {}", target.package),
                        "omc" => format!("Hide package {} (only my code)", target.package),
                        _ => (*label).to_owned(),
                    };
                    view! {
                        <button
                            type="button"
                            role="menuitem"
                            tabindex="-1"
                            data-code=code
                            on:click=move |_| {
                                apply(state, code, &target);
                                close();
                            }
                        >
                            {label}
                            " "
                            <kbd>{*key}</kbd>
                        </button>
                    }
                })
                .collect_view();
            let copy_name = name.clone();
            let key = target.key.clone();
            view! {
                <div
                    class="frame-menu"
                    id="frame-menu"
                    role="menu"
                    aria-label=format!("Frame {name}")
                    node_ref=root
                    style:left=format!("{}px", at.x)
                    style:top=format!("{}px", at.y)
                    on:keydown=on_key
                    on:contextmenu=|e| e.prevent_default()
                >
                    <div class="frame-menu-title" aria-hidden="true">{name.clone()}</div>
                    {items}
                    <hr />
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        data-code="sandwich"
                        on:click=move |_| {
                            close();
                            state.open_sandwich(key.clone());
                            // close() gave the focus back to the graph going away.
                            crate::sandwich::focus_later("sandwich-callees-scroll", true);
                        }
                    >
                        "Show callers and callees "
                        <kbd>"c"</kbd>
                    </button>
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        data-code="copy"
                        on:click=move |_| {
                            copy_text(state, copy_name.clone());
                            close();
                        }
                    >
                        "Copy function name"
                    </button>
                </div>
            }
        })
    }
}

/// The transforms of the hash's text; what does not parse is left out.
pub fn parse(text: &str) -> Transforms {
    Transforms::parse(text).unwrap_or_default()
}
