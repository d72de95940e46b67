//! "Export ▾": the view on screen (filters, transforms and zoom applied) written out as a
//! file: an SVG picture with a tooltip per frame ([`spanflame_core::export::svg`]; coloured
//! by the diff while comparing, the callers over the callees while the sandwich view is
//! open), a PNG of the graph canvases at the device pixel ratio, folded stacks or a gzip'd
//! pprof profile of the samples the view keeps
//! ([`spanflame_core::export::pprof`]); or the file itself and the view as one HTML page that
//! opens offline in Spanflame ([`crate::export_html`]). Everything is made in this page and
//! saved through a download link to a `blob:` URL: nothing is uploaded.

use leptos::prelude::*;
use spanflame_core::export::pprof::pprof_gz;
use spanflame_core::export::svg::{Pane, SvgOptions, diff_svg, flame_svg, picture_svg};
use spanflame_core::viewport::Orientation;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::menu::MenuButton;
use crate::state::{AppState, Zoomed};

/// (code, label, file name suffix) of each export.
const ITEMS: &[(&str, &str, &str)] = &[
    ("svg", "SVG picture", ".svg"),
    ("png", "PNG picture (as on screen)", ".png"),
    ("folded", "Folded stacks", ".folded.txt"),
    ("pprof", "pprof (gzip'd profile.proto)", ".pb.gz"),
    ("html", "HTML (self-contained)", ".html"),
];

/// The loaded file's name without its directories and known extensions, for the downloads.
fn stem(source: &str) -> String {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let name = name.split(['?', '#']).next().unwrap_or(name);
    let mut stem = name;
    for ext in [
        ".gz",
        ".json",
        ".jsonl",
        ".binpb",
        ".pb",
        ".pprof",
        ".txt",
        ".folded",
        ".cpuprofile",
        ".jfr",
        ".pstats",
        ".prof",
    ] {
        stem = stem.strip_suffix(ext).unwrap_or(stem);
    }
    if stem.is_empty() {
        "profile".to_owned()
    } else {
        stem.to_owned()
    }
}

/// Save `blob` as `name` through a temporary `<a download>`.
pub(crate) fn save(blob: &web_sys::Blob, name: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    document.body().ok_or("no body")?.append_child(&a)?;
    a.click();
    a.remove();
    // The download has its own copy once it started; a moment later the URL can go.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

fn blob_of(bytes: &[u8], mime: &str) -> Result<web_sys::Blob, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
}

/// Save the graphs on screen as the PNG `name` (the browser encodes it asynchronously): the
/// flame graph's canvas, or the sandwich's two stacked in one picture.
fn canvas_png(state: AppState, name: String) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas = |id: &str| -> Result<web_sys::HtmlCanvasElement, JsValue> {
        Ok(document
            .get_element_by_id(id)
            .ok_or_else(|| format!("no {id} canvas"))?
            .dyn_into()?)
    };
    let picture = if state.sandwich.with_untracked(Option::is_some) {
        let parts = [canvas("sandwich-callers")?, canvas("sandwich-callees")?];
        let joined: web_sys::HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
        joined.set_width(parts.iter().map(|c| c.width()).max().unwrap_or(0));
        joined.set_height(parts.iter().map(|c| c.height()).sum());
        let ctx: web_sys::CanvasRenderingContext2d = joined
            .get_context("2d")?
            .ok_or("no 2d context")?
            .dyn_into()?;
        let mut y = 0.0;
        for part in &parts {
            ctx.draw_image_with_html_canvas_element(part, 0.0, y)?;
            y += f64::from(part.height());
        }
        joined
    } else {
        canvas("flame")?
    };
    let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        if let Some(blob) = blob {
            let _ = save(&blob, &name);
        }
    });
    picture.to_blob_with_type(done.unchecked_ref(), "image/png")
}

/// One graph of a sandwich picture (usual colours: the diff pairs the main graph only).
fn pane(z: &Zoomed, orientation: Orientation) -> Pane<'_> {
    Pane {
        tree: &z.tree,
        layout: &z.layout,
        orientation,
        diff: None,
    }
}

/// Width in CSS pixels of the element `id` (a graph's scroll box), at least 200.
fn width_of(id: &str) -> f64 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .map_or(1200.0, |el| f64::from(el.client_width()))
        .max(200.0)
}

/// The SVG of what is on screen: the sandwich's callers over its callees while it is open,
/// else the flame graph at its zoom, coloured by the diff while comparing.
fn svg_text(state: AppState, title: String) -> Result<String, String> {
    let options = |width| SvgOptions {
        width,
        colour_mode: state.colour_mode.get_untracked(),
        palette: state.palette.get_untracked(),
        dark: state.dark.get_untracked(),
        orientation: state.orientation.get_untracked(),
        title: title.clone(),
        ..SvgOptions::default()
    };
    if let Some(s) = state.sandwich_trees.get_untracked() {
        let zoom = state.sandwich_zoom;
        let callers = zoom
            .callers
            .with_untracked(|p| Zoomed::new(s.callers.clone(), p));
        let callees = zoom
            .callees
            .with_untracked(|p| Zoomed::new(s.callees.clone(), p));
        let mut opts = options(width_of("sandwich-callers-scroll"));
        opts.title = format!("{title}, callers and callees of {}", s.function.0);
        let panes = [
            pane(&callers, Orientation::Flame),
            pane(&callees, Orientation::Icicle),
        ];
        return Ok(picture_svg(&panes, &opts));
    }
    let z = state.zoomed.get_untracked().ok_or("no graph to draw")?;
    let opts = options(width_of("flame-scroll"));
    let diff = crate::diff::DiffState::installed().and_then(|d| d.for_tree(&z.tree));
    Ok(match diff {
        Some(d) => {
            let mut opts = opts;
            opts.title = format!("{title}, compared with its baseline");
            diff_svg(&d, &z.layout, &opts)
        }
        None => flame_svg(&z.tree, &z.layout, &opts),
    })
}

/// Make and save the export `code` names.
fn export(state: AppState, code: &str, suffix: &str) -> Result<(), String> {
    let profile = state.profile.get_untracked().ok_or("nothing is open")?;
    let name = format!("{}{suffix}", stem(&profile.source));
    let filter = state.filter.get_untracked();
    let transformed = state.transformed.get_untracked();
    let js = |e: JsValue| format!("{e:?}");
    match code {
        "svg" => {
            let sample_type = &profile.set.sample_types[filter.sample_type.index()];
            let text = svg_text(state, format!("{}: {sample_type}", stem(&profile.source)))?;
            save(
                &blob_of(text.as_bytes(), "image/svg+xml").map_err(js)?,
                &name,
            )
            .map_err(js)
        }
        "png" => canvas_png(state, name).map_err(js),
        "folded" => {
            let lines = match &transformed {
                Some(t) => profile.set.folded_with(&filter, t),
                None => profile.set.folded(&filter),
            };
            let mut text = String::new();
            for (stack, weight) in lines {
                text.push_str(&stack);
                text.push(' ');
                text.push_str(&weight.to_string());
                text.push('\n');
            }
            save(&blob_of(text.as_bytes(), "text/plain").map_err(js)?, &name).map_err(js)
        }
        "pprof" => {
            let bytes = pprof_gz(&profile.set, &filter, transformed.as_deref());
            save(&blob_of(&bytes, "application/gzip").map_err(js)?, &name).map_err(js)
        }
        "html" => {
            state.busy.set(Some("Writing the HTML page…".to_owned()));
            leptos::task::spawn_local(async move {
                let result = crate::export_html::export(state, name).await;
                state.busy.set(None);
                if let Err(e) = result {
                    state.error.set(Some(format!("Could not export HTML: {e}")));
                }
            });
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The "Export ▾" button and its menu.
#[component]
pub fn ExportMenu() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let has_graph = move || state.zoomed.with(Option::is_some);
    let menu = move || {
        open.get().then(|| {
            ITEMS
                .iter()
                .map(|&(code, label, suffix)| {
                    view! {
                        <button
                            type="button"
                            role="menuitem"
                            data-code=code
                            on:click=move |_| {
                                open.set(false);
                                if let Err(e) = export(state, code, suffix) {
                                    state.error.set(Some(format!("Could not export {label}: {e}")));
                                }
                            }
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <span class="export-bar">
            <MenuButton
                id="export-button"
                menu_id="export-menu"
                label="Export ▾"
                title="Save the view as a file (made here, nothing is uploaded)"
                disabled=Signal::derive(move || !has_graph())
                open=open
            >
                {menu}
            </MenuButton>
        </span>
    }
}
