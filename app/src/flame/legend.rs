//! The colour legend: the heaviest packages, the frame kinds (each runtime the file names,
//! such as `cpython` or `jvm`, when frames carry a `profile.frame.type`), or the self-weight
//! scale; when comparing, the diff's red-grey-blue scale.

use leptos::prelude::*;
use spanflame_core::model::FrameKind;
use spanflame_core::palette::{
    ColourMode, diff_legend, heat_colour, kind_colour, merged_colour, package_colour,
    runtime_colour, runtimes, top_packages,
};
use spanflame_core::units::format_share;

use crate::state::{AppState, Shared};

/// Packages listed in the legend.
const PACKAGES: usize = 8;

/// The legend for the current colour mode, or the diff's scale while `diff` compares (the
/// main graph passes its source's diff; the sandwich, drawn in the usual colours, `None`).
#[component]
pub fn Legend(diff: Option<crate::diff::DiffState>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let packages = Memo::new(move |_| {
        state
            .tree
            .get()
            .map(|t| Shared::new(top_packages(&t, PACKAGES)))
    });
    let kinds = Memo::new(move |_| state.tree.get().map(|t| Shared::new(runtimes(&t))));
    let swatch = |colour: String, label: String, title: String| {
        view! {
            <li title=title>
                <span class="swatch" style:background=colour></span>
                <span class="label">{label}</span>
            </li>
        }
    };
    let comparing = move || diff.is_some_and(|d| d.diff.with(Option::is_some));
    let items = move || {
        let dark = state.dark.get();
        if comparing() {
            return diff_legend(dark)
                .into_iter()
                .map(|(colour, label)| swatch(colour.css(), label.clone(), label))
                .collect_view()
                .into_any();
        }
        match state.colour_mode.get() {
            ColourMode::Package => {
                let palette = state.palette.get();
                let total = state.tree.with(|t| t.as_ref().map_or(0, |t| t.total()));
                packages
                    .get()
                    .map(|p| {
                        p.iter()
                            .map(|(name, weight)| {
                                swatch(
                                    package_colour(name, palette, dark).css(),
                                    name.clone(),
                                    format!(
                                        "{name}: {} of self weight",
                                        format_share(*weight, total)
                                    ),
                                )
                            })
                            .collect_view()
                    })
                    .into_any()
            }
            ColourMode::Kind => {
                let runtimes = kinds.get().filter(|r| !r.is_empty());
                match runtimes {
                    Some(r) => {
                        let total = state.tree.with(|t| t.as_ref().map_or(0, |t| t.total()));
                        r.iter()
                            .map(|(kind, frame_type, weight)| {
                                let label = if frame_type.is_empty() {
                                    kind.label().to_owned()
                                } else {
                                    frame_type.clone()
                                };
                                swatch(
                                    runtime_colour(*kind, frame_type, dark).css(),
                                    label.clone(),
                                    format!(
                                        "{label} ({}): {} of self weight",
                                        kind.label(),
                                        format_share(*weight, total)
                                    ),
                                )
                            })
                            .collect_view()
                            .into_any()
                    }
                    None => FrameKind::ALL
                        .into_iter()
                        .map(|k| {
                            swatch(
                                kind_colour(k, dark).css(),
                                k.label().to_owned(),
                                String::new(),
                            )
                        })
                        .collect_view()
                        .into_any(),
                }
            }
            ColourMode::SelfWeight => {
                let stops: Vec<String> = (0..=4)
                    .map(|i| heat_colour(f64::from(i) / 4.0, dark).css())
                    .collect();
                view! {
                    <li>
                        "less self weight"
                        <span
                            class="ramp"
                            style:background=format!("linear-gradient(to right, {})", stops.join(", "))
                        ></span>
                        "more"
                    </li>
                }
                .into_any()
            }
        }
    };
    let title = move || match state.colour_mode.get() {
        _ if comparing() => "Colours: change of share, baseline to comparison",
        ColourMode::Package => "Colours: heaviest packages",
        ColourMode::Kind => "Colours: frame kinds",
        ColourMode::SelfWeight => "Colours: self weight",
    };
    let merged = move || {
        swatch(
            merged_colour(state.dark.get()).css(),
            "narrower than a pixel".to_owned(),
            "Frames too narrow to see, drawn together; zoom in to tell them apart".to_owned(),
        )
    };
    view! {
        <ul id="legend" class="legend" aria-label=title>
            {items}
            {merged}
        </ul>
    }
}
