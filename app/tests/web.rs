//! Smoke tests of the app in headless Chromium (wasm-bindgen-test; see scripts/test.sh).
//! They load the bundled demo with the core, draw it on a real canvas, and mount the
//! profile view. The release build is tested end to end by tests/e2e/.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use leptos::prelude::*;
use spanflame_app::flame::{self, Theme};
use spanflame_app::model::ProfileModel;
use spanflame_app::{ProfileView, SummaryView};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const DEMO: &[u8] = include_bytes!("../../public/demo/profile.binpb");

fn demo() -> ProfileModel {
    ProfileModel::from_bytes(DEMO, "demo/profile.binpb").expect("the demo loads")
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A container in the page with a fixed width, so that layout gives the canvas a size.
fn container(width_px: u32) -> HtmlElement {
    let div: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    div.style()
        .set_property("width", &format!("{width_px}px"))
        .unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

fn painted_pixels(canvas: &HtmlCanvasElement) -> usize {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = ctx
        .get_image_data(0.0, 0.0, canvas.width().into(), canvas.height().into())
        .unwrap()
        .data();
    data.chunks_exact(4).filter(|px| px[3] != 0).count()
}

#[wasm_bindgen_test]
fn demo_model_has_the_producers_leaf_totals() {
    let model = demo();
    assert_eq!(model.summary.total, 187);
    assert_eq!(model.summary.sample_type, "samples");
    assert!(model.rows >= 2, "rows = {}", model.rows);
    let self_of = |name: &str| {
        model
            .functions
            .iter()
            .find(|f| &*f.name == name)
            .map(|f| f.self_weight)
    };
    assert_eq!(self_of("busy_sleep"), Some(128));
    assert_eq!(self_of("hash_loop"), Some(44));
    assert_eq!(self_of("fib"), Some(12));
    assert_eq!(self_of("wait"), Some(3));
    assert_eq!(&*model.functions[0].name, "busy_sleep");
    for frame in &model.frames {
        assert!(
            0.0 <= frame.x0 && frame.x0 < frame.x1 && frame.x1 <= 1.0 + 1e-9,
            "{frame:?}"
        );
    }
}

#[wasm_bindgen_test]
fn draw_paints_the_canvas() {
    let model = demo();
    let parent = container(800);
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    canvas
        .set_attribute("style", "width: 100%; display: block")
        .unwrap();
    parent.append_child(&canvas).unwrap();

    flame::draw(&canvas, &model.frames, model.rows, Theme { dark: false }).unwrap();
    let dpr = web_sys::window().unwrap().device_pixel_ratio();
    assert_eq!(canvas.width(), (800.0 * dpr).round() as u32);
    assert_eq!(
        canvas.height(),
        (f64::from(model.rows) * flame::ROW_HEIGHT * dpr).round() as u32
    );
    let painted = painted_pixels(&canvas);
    let total = (canvas.width() * canvas.height()) as usize;
    assert!(
        painted * 10 > total,
        "only {painted} of {total} pixels painted"
    );
    parent.remove();
}

#[wasm_bindgen_test]
fn colours_are_stable_per_module() {
    let light = Theme { dark: false };
    assert_eq!(flame::module_prefix("std::io::read"), "std::io");
    assert_eq!(
        flame::module_prefix("java.util.HashMap.get"),
        "java.util.HashMap"
    );
    assert_eq!(
        flame::module_prefix("github.com/org/pkg.(*T).Method"),
        "github.com/org/pkg"
    );
    assert_eq!(flame::module_prefix("busy_sleep"), "busy_sleep");
    assert_eq!(
        flame::frame_colour("std::io::read", light),
        flame::frame_colour("std::io::write", light)
    );
    assert_eq!(flame::fnv1a(""), 0x811c_9dc5);
    assert_eq!(flame::fnv1a("a"), 0xe40c_292c);
}

#[wasm_bindgen_test]
async fn profile_view_mounts_canvas_mirror_and_table() {
    let model = Arc::new(demo());
    let parent = container(1000);
    let summary = model.summary.clone();
    let shown = model.clone();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <SummaryView summary=summary.clone() />
            <ProfileView model=shown.clone() dark=false />
        }
    });
    // Effects (the canvas draw) run after mounting, on the next tick.
    next_tick().await;

    let doc = document();
    let summary_text = doc
        .get_element_by_id("summary")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(summary_text.contains("187"), "{summary_text}");
    assert!(summary_text.contains("OTLP"), "{summary_text}");

    let items = doc.query_selector_all("#flame-mirror li").unwrap();
    assert_eq!(items.length() as usize, model.frames.len());

    let busy = doc
        .query_selector("#top-functions tbody tr[data-name=\"busy_sleep\"]")
        .unwrap()
        .expect("busy_sleep row");
    assert_eq!(busy.get_attribute("data-self").as_deref(), Some("128"));

    let canvas: HtmlCanvasElement = doc.get_element_by_id("flame").unwrap().unchecked_into();
    assert!(painted_pixels(&canvas) > 0, "the mounted view drew nothing");

    drop(handle);
    parent.remove();
}

/// Waits one macrotask, so that Leptos effects have run.
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}
