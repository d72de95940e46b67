//! A "Label ▾" toolbar button and the menu it opens under it (Transform ▾, Export ▾): one
//! markup, so the menus look and behave alike (`aria-expanded`, `role=menu`).

use leptos::prelude::*;

/// The button `id` toggling `open`, and the menu `menu_id` holding `children` (which render
/// their items only while `open`).
#[component]
pub fn MenuButton(
    id: &'static str,
    menu_id: &'static str,
    label: &'static str,
    title: &'static str,
    #[prop(into)] disabled: Signal<bool>,
    open: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type="button"
            id=id
            disabled=move || disabled.get()
            title=title
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {label}
        </button>
        <span class="transform-menu" id=menu_id role="menu">
            {children()}
        </span>
    }
}
