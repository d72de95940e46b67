//! The frame tooltip: function, file:line, total and self weight in the sample type's
//! unit with their share of the total and of the caller, the frame kind with the runtime
//! the producer named (`profile.frame.type`), an unsymbolised frame's build id, and the call
//! count when the profiler counted calls (cProfile). Comparing, it leads with the frame's
//! weight before and after and the change of its share.

use leptos::prelude::*;
use spanflame_core::CallTree;
use spanflame_core::diff::format_delta;
use spanflame_core::units::{format_share, format_value};

use super::Tip;
use crate::state::Shared;

/// Offset from the pointer, CSS pixels.
const OFFSET: f64 = 14.0;

/// Shows `tip`, a frame of `tree`, when set; `id` is the element's id, `all` what shares
/// of the total are of; `diff`, when it pairs `tree`'s nodes, adds the before and after.
#[component]
pub fn Tooltip(
    id: String,
    tree: Memo<Option<Shared<CallTree>>>,
    all: Signal<i64>,
    diff: Option<crate::diff::DiffState>,
    tip: RwSignal<Option<Tip>>,
    area: RwSignal<(f64, f64)>,
) -> impl IntoView {
    move || {
        let tip = tip.get()?;
        let tree = tree.get()?;
        let all = all.get();
        let node = tip.node;
        if node.index() >= tree.len() {
            return None;
        }
        let unit = tree.sample_type().unit.clone();
        let total = tree.total_weight(node);
        let parent = tree.parent(node);
        let parent_total = tree.total_weight(parent.unwrap_or(CallTree::ROOT));
        let kind = match tree.frame_type(node) {
            "" => tree.kind(node).label().to_owned(),
            t => format!("{t} ({})", tree.kind(node).label()),
        };
        let build_id = Some(tree.build_id(node))
            .filter(|b| !b.is_empty())
            .map(|b| format!("build id {b}"));
        let file = tree.file(node);
        let location = match (file.is_empty(), tree.line(node)) {
            (true, _) => None,
            (false, Some(line)) => Some(format!("{file}:{line}")),
            (false, None) => Some(file.to_owned()),
        };
        // Counted over the whole profile, not this path: say so.
        let calls = tree.calls(node).map(|c| {
            view! {
                <dt>"Calls"</dt>
                <dd title="calls in the whole profile; total/primitive (non-recursive) when they differ">
                    {c.to_string()}
                </dd>
            }
        });
        let before_after = diff.and_then(|d| d.for_tree(&tree)).map(|d| {
            let n = d.node(node);
            let (before_total, after_total) = d.totals();
            let change = match (n.changed(), n.delta() > 0.0) {
                (false, _) => "tip-delta",
                (true, true) => "tip-delta grew",
                (true, false) => "tip-delta shrank",
            };
            view! {
                <dt>"Before"</dt>
                <dd class="tip-before">
                    <strong>{format_value(n.before_total, &unit)}</strong>
                    {format!(" · {} of baseline", format_share(n.before_total, before_total))}
                </dd>
                <dt>"After"</dt>
                <dd class="tip-after">
                    <strong>{format_value(n.after_total, &unit)}</strong>
                    {format!(" · {} of comparison", format_share(n.after_total, after_total))}
                </dd>
                <dt>"Change"</dt>
                <dd class=change data-delta=n.delta().to_string()>
                    <strong>{format_delta(n.delta())}</strong>
                    {format!(" of total · self {}", format_delta(n.self_delta))}
                </dd>
            }
        });
        // Keep it on screen: towards the middle of the graph from the pointer.
        let (width, height) = area.get();
        // Set through CSSOM (`style:`): the page's CSP allows no `style` attributes.
        let px = |v: f64| format!("{v}px");
        let auto = || "auto".to_owned();
        let (left, right) = if tip.x > width * 0.6 {
            (auto(), px(width - tip.x + OFFSET))
        } else {
            (px(tip.x + OFFSET), auto())
        };
        let (top, bottom) = if tip.y > height * 0.6 && height > 160.0 {
            (auto(), px(height - tip.y + OFFSET))
        } else {
            (px(tip.y + OFFSET), auto())
        };
        Some(view! {
            <div
                id=id.clone()
                class="tooltip"
                role="tooltip"
                style:left=left
                style:right=right
                style:top=top
                style:bottom=bottom
            >
                <div class="tip-name">{tree.name(node).to_owned()}</div>
                {location.map(|l| view! { <div class="tip-file">{l}</div> })}
                <dl>
                    {before_after}
                    <dt>"Total"</dt>
                    <dd>
                        <strong>{format_value(total, &unit)}</strong>
                        {format!(
                            " · {} of total · {} of caller",
                            format_share(total, all),
                            format_share(total, parent_total),
                        )}
                    </dd>
                    <dt>"Self"</dt>
                    <dd>
                        <strong>{format_value(tree.self_weight(node), &unit)}</strong>
                        {format!(" · {} of total", format_share(tree.self_weight(node), all))}
                    </dd>
                    <dt>"Kind"</dt>
                    <dd>{kind}</dd>
                    {calls}
                </dl>
                {build_id.map(|b| view! { <div class="tip-file">{b}</div> })}
            </div>
        })
    }
}
