//! The frame tooltip: function, file:line, total and self weight in the sample type's
//! unit with their share of the total and of the caller, and the frame kind.

use leptos::prelude::*;
use spanflame_core::units::{format_share, format_value};

use super::Tip;
use crate::state::AppState;

/// Offset from the pointer, CSS pixels.
const OFFSET: f64 = 14.0;

/// Shows `tip` when set.
#[component]
pub fn Tooltip(tip: RwSignal<Option<Tip>>, area: RwSignal<(f64, f64)>) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let tip = tip.get()?;
        let tree = state.tree.get()?;
        let node = tip.node;
        if node as usize >= tree.len() {
            return None;
        }
        let unit = tree.sample_type().unit.clone();
        let total = tree.total_weight(node);
        let parent = tree.parent(node);
        let parent_total = tree.total_weight(if parent == u32::MAX { 0 } else { parent });
        let file = tree.file(node);
        let location = match (file.is_empty(), tree.line(node)) {
            (true, _) => None,
            (false, Some(line)) => Some(format!("{file}:{line}")),
            (false, None) => Some(file.to_owned()),
        };
        // Keep it on screen: towards the middle of the graph from the pointer.
        let (width, height) = area.get();
        let horizontal = if tip.x > width * 0.6 {
            format!("right: {}px", width - tip.x + OFFSET)
        } else {
            format!("left: {}px", tip.x + OFFSET)
        };
        let vertical = if tip.y > height * 0.6 && height > 160.0 {
            format!("bottom: {}px", height - tip.y + OFFSET)
        } else {
            format!("top: {}px", tip.y + OFFSET)
        };
        let style = format!("{horizontal}; {vertical}");
        Some(view! {
            <div id="flame-tooltip" class="tooltip" role="tooltip" style=style>
                <div class="tip-name">{tree.name(node).to_owned()}</div>
                {location.map(|l| view! { <div class="tip-file">{l}</div> })}
                <dl>
                    <dt>"Total"</dt>
                    <dd>
                        <strong>{format_value(total, &unit)}</strong>
                        {format!(
                            " · {} of total · {} of caller",
                            format_share(total, tree.total()),
                            format_share(total, parent_total),
                        )}
                    </dd>
                    <dt>"Self"</dt>
                    <dd>
                        <strong>{format_value(tree.self_weight(node), &unit)}</strong>
                        {format!(" · {} of total", format_share(tree.self_weight(node), tree.total()))}
                    </dd>
                    <dt>"Kind"</dt>
                    <dd>{tree.kind(node).label()}</dd>
                </dl>
            </div>
        })
    }
}
