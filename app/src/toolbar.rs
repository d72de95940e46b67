//! The toolbar: sample type, profile and resource choices, search, and view options
//! (layout, colours, theme).

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use spanflame_core::model::{ProfileId, ResourceId, SampleTypeId};
use spanflame_core::palette::{ColourMode, Palette};
use spanflame_core::units::format_share;
use spanflame_core::viewport::Orientation;
use wasm_bindgen::JsCast;

use crate::state::{AppState, SearchState};

/// Sample type, profile and resource choices, search, and view options.
#[component]
pub fn Toolbar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let search_input: NodeRef<html::Input> = NodeRef::new();
    // `/` focuses the search box from anywhere but a text field.
    let slash = window_event_listener(ev::keydown, move |e| {
        if e.key() == "/" && !e.ctrl_key() && !e.meta_key() && !e.alt_key() && !typing(&e) {
            e.prevent_default();
            if let Some(input) = search_input.get() {
                let _ = input.focus();
                input.select();
            }
        }
    });
    on_cleanup(move || slash.remove());

    view! {
        <div class="toolbar" aria-label="Profile options">
            <SourceChoices />
            <div class="search" role="search">
                <label for="search" class="visually-hidden">
                    "Search functions"
                </label>
                <input
                    id="search"
                    type="search"
                    node_ref=search_input
                    placeholder="Search functions  ( / )"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || state.search.with(|q| q.text.clone())
                    on:input=move |e| state.search.update(|q| q.text = event_target_value(&e))
                    on:keydown=move |e| {
                        if e.key() == "Escape" {
                            state.search.update(|q| q.text.clear());
                            if let Some(input) = search_input.get() {
                                let _ = input.blur();
                            }
                        }
                    }
                />
                <label class="toggle" title="Regular expression (JavaScript syntax, any case)">
                    <input
                        id="search-regex"
                        type="checkbox"
                        prop:checked=move || state.search.with(|q| q.regex)
                        on:change=move |e| state.search.update(|q| q.regex = event_target_checked(&e))
                    />
                    <span aria-label="Regular expression">".*"</span>
                </label>
                <SearchStatus />
            </div>
            <ViewOptions />
        </div>
    }
}

/// Whether a key event comes from a text field (where `/` and Esc are typing).
pub fn typing(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        })
}

/// "N matches, X% of total": X is the weight under matching frames, nested ones once.
#[component]
fn SearchStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    let total = move || state.tree.with(|t| t.as_ref().map_or(0, |t| t.total()));
    move || match state.search_state.get() {
        SearchState::Off => {
            view! { <output id="search-status" aria-live="polite"></output> }.into_any()
        }
        SearchState::Invalid(why) => view! {
            <output id="search-status" class="invalid" aria-live="polite">
                {format!("Invalid regular expression: {why}")}
            </output>
        }
        .into_any(),
        SearchState::Hits(hits) => {
            let total = total();
            let text = if hits.is_empty() {
                "No matches".to_owned()
            } else {
                format!(
                    "{} {}, {} of total",
                    hits.frames,
                    if hits.frames == 1 { "match" } else { "matches" },
                    format_share(hits.weight, total)
                )
            };
            view! {
                <output
                    id="search-status"
                    aria-live="polite"
                    title=format!("{} distinct functions", hits.functions)
                    data-frames=hits.frames.to_string()
                    data-weight=hits.weight.to_string()
                    data-total=total.to_string()
                >
                    {text}
                </output>
            }
            .into_any()
        }
    }
}

/// Sample type, then profile and resource when the file has several.
#[component]
fn SourceChoices() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let profile = state.profile.get()?;
        let set = &profile.set;
        let types: Vec<(SampleTypeId, String)> = set
            .sample_types()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    SampleTypeId::from_index(i),
                    format!("{} ({})", t.name, t.unit),
                )
            })
            .collect();
        let resources: Vec<(ResourceId, String)> = set
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let name = r.attribute("service.name").unwrap_or("resource");
                let pid = r
                    .attribute("process.pid")
                    .map(|p| format!(" (pid {p})"))
                    .unwrap_or_default();
                (ResourceId::from_index(i), format!("{name}{pid}"))
            })
            .collect();
        let profiles: Vec<(ProfileId, SampleTypeId, ResourceId, String)> = set
            .profiles
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let resource = resources
                    .get(p.resource.index())
                    .map_or("", |r| r.1.as_str());
                let label = format!(
                    "#{i} {resource} · {} samples",
                    p.samples.end - p.samples.start
                );
                (ProfileId::from_index(i), p.sample_type, p.resource, label)
            })
            .collect();
        let on_type = move |e: ev::Event| {
            let index = SampleTypeId::new(event_target_value(&e).parse().unwrap_or(0));
            state.sample_type.set(index);
            // A profile of another sample type would show nothing.
            let keep = state.profile_choice.get_untracked().is_none_or(|p| {
                state.profile.with_untracked(|set| {
                    set.as_ref().is_some_and(|s| {
                        s.set
                            .profiles
                            .get(p.index())
                            .is_some_and(|p| p.sample_type == index)
                    })
                })
            });
            if !keep {
                state.profile_choice.set(None);
            }
        };
        let type_options = types
            .into_iter()
            .map(|(i, label)| {
                view! {
                    <option value=i.to_string() prop:selected=move || state.sample_type.get() == i>
                        {label}
                    </option>
                }
            })
            .collect_view();
        let resource_select = (resources.len() > 1).then(|| {
            let options = resources
                .into_iter()
                .map(|(i, label)| {
                    view! {
                        <option
                            value=i.to_string()
                            prop:selected=move || state.resource_choice.get() == Some(i)
                        >
                            {label}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <label class="field">
                    "Resource"
                    <select
                        id="resource-choice"
                        on:change=move |e| {
                            state.resource_choice.set(event_target_value(&e).parse().ok().map(ResourceId::new));
                            state.profile_choice.set(None);
                        }
                    >
                        <option value="" prop:selected=move || state.resource_choice.get().is_none()>
                            "All resources"
                        </option>
                        {options}
                    </select>
                </label>
            }
        });
        let profile_select = move || {
            let sample_type = state.sample_type.get();
            let resource = state.resource_choice.get();
            let candidates: Vec<(ProfileId, String)> = profiles
                .iter()
                .filter(|p| p.1 == sample_type && resource.is_none_or(|r| r == p.2))
                .map(|p| (p.0, p.3.clone()))
                .collect();
            (candidates.len() > 1).then(|| {
                let options = candidates
                    .into_iter()
                    .map(|(i, label)| {
                        view! {
                            <option
                                value=i.to_string()
                                prop:selected=move || state.profile_choice.get() == Some(i)
                            >
                                {label}
                            </option>
                        }
                    })
                    .collect_view();
                view! {
                    <label class="field">
                        "Profile"
                        <select
                            id="profile-choice"
                            on:change=move |e| state.profile_choice.set(event_target_value(&e).parse().ok().map(ProfileId::new))
                        >
                            <option value="" prop:selected=move || state.profile_choice.get().is_none()>
                                "All profiles"
                            </option>
                            {options}
                        </select>
                    </label>
                }
            })
        };
        Some(view! {
            <label class="field">
                "Sample type" <select id="sample-type" on:change=on_type>
                    {type_options}
                </select>
            </label>
            {resource_select}
            {profile_select}
        })
    }
}

/// Orientation, colours and theme.
#[component]
fn ViewOptions() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="view-options">
            <label class="field">
                "Layout"
                <select
                    id="orientation"
                    on:change=move |e| {
                        state
                            .orientation
                            .set(
                                if event_target_value(&e) == "flame" {
                                    Orientation::Flame
                                } else {
                                    Orientation::Icicle
                                },
                            )
                    }
                >
                    <option value="icicle" prop:selected=move || state.orientation.get() == Orientation::Icicle>
                        "Icicle (root on top)"
                    </option>
                    <option value="flame" prop:selected=move || state.orientation.get() == Orientation::Flame>
                        "Flame (root at bottom)"
                    </option>
                </select>
            </label>
            <label class="field" title="Bottom-up: the functions samples end in form the top row, their callers below">
                <input
                    type="checkbox"
                    id="inverted"
                    prop:checked=move || state.inverted.get()
                    on:change=move |e| {
                        // Zoom paths are paths of one tree: the other one has none of them.
                        state.zoom.set(Vec::new());
                        state.inverted.set(event_target_checked(&e));
                    }
                />
                "Inverted (bottom-up)"
            </label>
            <label class="field">
                "Colour by"
                <select
                    id="colour-mode"
                    on:change=move |e| {
                        state
                            .colour_mode
                            .set(
                                match event_target_value(&e).as_str() {
                                    "kind" => ColourMode::Kind,
                                    "self" => ColourMode::SelfWeight,
                                    _ => ColourMode::Package,
                                },
                            )
                    }
                >
                    <option value="package" prop:selected=move || state.colour_mode.get() == ColourMode::Package>
                        "Package"
                    </option>
                    <option value="kind" prop:selected=move || state.colour_mode.get() == ColourMode::Kind>
                        "Frame kind"
                    </option>
                    <option value="self" prop:selected=move || state.colour_mode.get() == ColourMode::SelfWeight>
                        "Self weight"
                    </option>
                </select>
            </label>
            <label class="toggle" title="Package colours from a palette safe for colour-blind readers">
                <input
                    id="colour-blind"
                    type="checkbox"
                    prop:checked=move || state.palette.get() == Palette::ColourBlind
                    on:change=move |e| {
                        state
                            .palette
                            .set(
                                if event_target_checked(&e) {
                                    Palette::ColourBlind
                                } else {
                                    Palette::Warm
                                },
                            )
                    }
                />
                "Colour-blind safe"
            </label>
            <label class="field">
                "Theme"
                <select
                    id="theme"
                    on:change=move |e| {
                        state
                            .theme_override
                            .set(
                                match event_target_value(&e).as_str() {
                                    "dark" => Some(true),
                                    "light" => Some(false),
                                    _ => None,
                                },
                            )
                    }
                >
                    <option value="system" prop:selected=move || state.theme_override.get().is_none()>
                        "System"
                    </option>
                    <option value="light" prop:selected=move || state.theme_override.get() == Some(false)>
                        "Light"
                    </option>
                    <option value="dark" prop:selected=move || state.theme_override.get() == Some(true)>
                        "Dark"
                    </option>
                </select>
            </label>
        </div>
    }
}
