//! Tests of the app in headless Chromium (wasm-bindgen-test; see scripts/test.sh): the
//! browser-bound helpers (hash parameters, JavaScript regular expressions, span filters,
//! canvas drawing) and the mounted page. The release build is tested end to end by
//! tests/e2e/.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use spanflame_app::Shell;
use spanflame_app::flame::{ROW_HEIGHT, Renderer, Scene};
use spanflame_app::loading::HashParams;
use spanflame_app::matcher;
use spanflame_app::state::{
    AppState, LoadedProfile, LoadedTraces, Scope, SearchQuery, SpanFilter, SpanRef,
};
use spanflame_app::status::describe_filter;
use spanflame_core::palette::{ColourMode, Palette, node_colours};
use spanflame_core::viewport::{Orientation, Rows, Viewport};
use spanflame_core::{Filter, FlameLayout, Limits, Loaded, ProfileSet, SpanKey, TraceSet, load};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const DEMO: &[u8] = include_bytes!("../../public/demo/profile.binpb");
const DEMO_TRACES: &[u8] = include_bytes!("../../public/demo/traces.json");

fn demo() -> ProfileSet {
    match load(DEMO, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        other => panic!("the demo is a profile: {other:?}"),
    }
}

fn demo_traces() -> TraceSet {
    match load(DEMO_TRACES, &Limits::default()) {
        Ok(Loaded::Traces(set)) => set,
        other => panic!("the demo traces are traces: {other:?}"),
    }
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

fn canvas() -> HtmlCanvasElement {
    document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into()
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
fn hash_parameters_are_decoded() {
    let p =
        HashParams::parse("#profileURL=https%3A%2F%2Fexample.com%2Fa.binpb&traceURL=t.json&x=1");
    assert_eq!(
        p.profile_url.as_deref(),
        Some("https://example.com/a.binpb")
    );
    assert_eq!(p.trace_url.as_deref(), Some("t.json"));
    assert_eq!(p.urls(), vec!["https://example.com/a.binpb", "t.json"]);
    assert_eq!(HashParams::parse("").urls(), Vec::<String>::new());
    assert_eq!(HashParams::parse("#profileURL=").profile_url, None);
    // A stray % is kept as typed rather than failing.
    assert_eq!(
        HashParams::parse("#traceURL=50%").trace_url.as_deref(),
        Some("50%")
    );
}

#[wasm_bindgen_test]
fn search_matchers() {
    let query = |text: &str, regex: bool| SearchQuery {
        text: text.into(),
        regex,
    };
    assert!(matcher::build(&query("  ", false)).unwrap().is_none());
    let m = matcher::build(&query("Loop", false)).unwrap().unwrap();
    assert!(m.is_match("hash_loop") && !m.is_match("fib"));
    let m = matcher::build(&query("^(fib|WAIT)$", true))
        .unwrap()
        .unwrap();
    assert!(m.is_match("fib") && m.is_match("wait") && !m.is_match("fibonacci"));
    let err = matcher::build(&query("(", true))
        .err()
        .expect("an invalid regex is an error");
    assert!(!err.is_empty(), "{err}");
}

#[wasm_bindgen_test]
fn span_filters_narrow_the_samples() {
    let set = demo();
    let traces = demo_traces();
    let total = |f: &SpanFilter, t: Option<&TraceSet>| {
        let mut filter = Filter::default();
        f.apply(&mut filter, t);
        set.call_tree(&filter).total()
    };
    let home0 = traces
        .spans
        .iter()
        .position(|s| s.name == "GET /home/0")
        .map(spanflame_core::SpanIdx::from_index)
        .unwrap();
    let with_children = SpanFilter {
        span: SpanRef::Index(home0),
        scope: Scope::WithChildren,
    };
    // Fixture README: GET /home/0 with its children = 43 samples; alone = 0.
    assert_eq!(total(&with_children, Some(&traces)), 43);
    let only = SpanFilter {
        scope: Scope::Only,
        ..with_children
    };
    assert_eq!(total(&only, Some(&traces)), 0);
    let window = SpanFilter {
        scope: Scope::TimeWindow,
        ..with_children
    };
    let in_window = total(&window, Some(&traces));
    assert!(
        (43..187).contains(&in_window),
        "{in_window} samples while GET /home/0 ran"
    );
    // Known only by ids: the span itself.
    let spin = traces.spans.iter().find(|s| s.name == "spin").unwrap();
    let by_key = SpanFilter {
        span: SpanRef::Key(spin.key),
        scope: Scope::Only,
    };
    assert!((29..=30).contains(&total(&by_key, None)));
    let whole_trace = SpanFilter {
        scope: Scope::Trace,
        ..by_key
    };
    assert!(total(&whole_trace, None) >= 40);
    // A span index with no traces loaded keeps nothing.
    assert_eq!(total(&with_children, None), 0);
    let (name, scope) = describe_filter(&with_children, Some(&traces));
    assert_eq!((name.as_str(), scope), ("GET /home/0", "span and children"));
    let key = SpanKey {
        trace_id: [1; 16],
        span_id: [0xab; 8],
    };
    let (name, scope) = describe_filter(
        &SpanFilter {
            span: SpanRef::Key(key),
            scope: Scope::TimeWindow,
        },
        None,
    );
    // Without the span's times the window narrows to the span, and the chip says so.
    assert_eq!(
        (name.as_str(), scope),
        ("abababababababab", "this span only")
    );
}

#[wasm_bindgen_test]
fn renderer_paints_sharp_rows_of_the_visible_area() {
    let set = demo();
    let tree = set.call_tree(&Filter::default());
    let layout = FlameLayout::new(&tree);
    let colours = node_colours(&tree, ColourMode::Package, Palette::Warm, false);
    let parent = container(800);
    let (base, overlay) = (canvas(), canvas());
    parent.append_child(&base).unwrap();
    parent.append_child(&overlay).unwrap();
    let mut renderer = Renderer::new(base.clone(), overlay.clone()).unwrap();
    let rows = Rows {
        count: layout.depth_count(),
        height: ROW_HEIGHT,
        orientation: Orientation::Icicle,
    };
    for dpr in [1.0, 2.0] {
        let scene = Scene {
            tree: &tree,
            layout: &layout,
            colours: &colours,
            search: None,
            view: Viewport::FULL,
            rows,
            scroll_top: 0.0,
            width: 800.0,
            height: 120.0,
            dpr,
            dark: false,
        };
        renderer.draw(&scene).unwrap();
        // The canvas is the visible area at the device pixel ratio, however many rows.
        assert_eq!(base.width(), (800.0 * dpr) as u32);
        assert_eq!(base.height(), (120.0 * dpr) as u32);
        let painted = painted_pixels(&base);
        let total = (base.width() * base.height()) as usize;
        assert!(
            painted * 4 > total,
            "only {painted} of {total} pixels painted"
        );
        let mirror = renderer.mirror(&scene);
        assert!(mirror.iter().any(|m| m.name == "busy_sleep"));
        // Only rows that are on screen: 120 px hold 7 rows.
        assert!(mirror.iter().all(|m| m.depth < 7));
        renderer.draw_overlay(&scene, None, Some(0), None).unwrap();
        assert!(painted_pixels(&overlay) > 0, "the hover outline");
    }
    parent.remove();
}

#[wasm_bindgen_test]
async fn the_page_mounts_with_a_loaded_profile() {
    let parent = container(1000);
    let slot: Rc<Cell<Option<AppState>>> = Rc::new(Cell::new(None));
    let out = Rc::clone(&slot);
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        let state = AppState::new();
        provide_context(state);
        state.set_traces(LoadedTraces {
            set: demo_traces(),
            source: "traces.json".into(),
        });
        state.set_profile(LoadedProfile {
            set: demo(),
            source: "demo.binpb".into(),
        });
        out.set(Some(state));
        view! { <Shell /> }
    });
    let state = slot.get().unwrap();
    // Effects, the paint (next animation frame) and the mirror (debounced) run later.
    sleep(300).await;

    let doc = document();
    let text = |id: &str| doc.get_element_by_id(id).unwrap().text_content().unwrap();
    assert!(text("summary").contains("187"), "{}", text("summary"));
    assert!(text("summary").contains("traces.json (18 spans)"));
    let busy = doc
        .query_selector("#top-functions tbody tr[data-name=\"busy_sleep\"]")
        .unwrap()
        .expect("busy_sleep row");
    assert_eq!(busy.get_attribute("data-self").as_deref(), Some("128"));
    let canvas: HtmlCanvasElement = doc.get_element_by_id("flame").unwrap().unchecked_into();
    assert!(painted_pixels(&canvas) > 0, "the mounted view drew nothing");
    // The mirror is debounced: on a loaded machine it can come well after the paint.
    let mut mirrored = 0;
    for _ in 0..50 {
        mirrored = doc.query_selector_all("#flame-mirror li").unwrap().length();
        if mirrored > 4 {
            break;
        }
        sleep(100).await;
    }
    assert!(mirrored > 4, "{mirrored} mirrored frames");

    // Search through the state: the status gives the share, 12 of 187.
    state.search.set(SearchQuery {
        text: "fib".into(),
        regex: false,
    });
    sleep(50).await;
    let status = doc.get_element_by_id("search-status").unwrap();
    assert_eq!(status.get_attribute("data-weight").as_deref(), Some("12"));
    assert!(
        text("search-status").contains("6.4% of total"),
        "{}",
        text("search-status")
    );

    // The other sample types of a file show in the selector; the demo has one.
    assert_eq!(
        doc.query_selector_all("#sample-type option")
            .unwrap()
            .length(),
        1
    );
    drop(handle);
    parent.remove();
}

/// Waits `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// What the decode worker does with a Blob, run here on the page: a binary OTLP file read a
/// top-level field at a time and a text file read whole, both through the Blob's stream in
/// pieces, give what decoding their bytes gives; the page then gives the columns' memory back.
#[wasm_bindgen_test]
async fn the_worker_reads_blobs_through_their_streams() {
    use spanflame_app::decoder::{decode_in_worker, unpack_reply};
    // Over the reader's 4 MB piece, so that its buffer is reused.
    let folded = "main;serve;parse 3\nmain;serve;render 2\n".repeat(150_000);
    assert!(folded.len() > 5 << 20);
    for (name, bytes) in [("demo", DEMO.to_vec()), ("folded", folded.into_bytes())] {
        let array = js_sys::Uint8Array::from(bytes.as_slice());
        let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&array)).unwrap();
        let reply = decode_in_worker(blob.into()).await;
        let columns = js_sys::Reflect::get(&reply, &"columns".into())
            .unwrap()
            .dyn_into::<js_sys::Array>()
            .unwrap();
        let Ok(Loaded::Profiles(from_blob)) = unpack_reply(&reply) else {
            panic!("{name}: the Blob decodes");
        };
        let Ok(Loaded::Profiles(from_bytes)) =
            spanflame_core::load(&bytes, &spanflame_core::Limits::default())
        else {
            panic!("{name}: the bytes decode");
        };
        let filter = Filter::default();
        assert_eq!(
            from_blob.folded(&filter),
            from_bytes.folded(&filter),
            "{name}"
        );
        let expected_total = if name == "folded" { 5 * 150_000 } else { 187 };
        assert_eq!(
            from_blob.call_tree(&filter).total(),
            expected_total,
            "{name}"
        );
        assert!(columns.length() > 0, "{name}");
        for column in columns.iter() {
            let buffer = js_sys::Reflect::get(&column, &"buffer".into())
                .unwrap()
                .dyn_into::<js_sys::ArrayBuffer>()
                .unwrap();
            assert_eq!(
                buffer.byte_length(),
                0,
                "{name}: a column's memory is given back"
            );
        }
    }
}

/// Without the tag that names the app's glue (as here, under the test runner) no worker can
/// load the module: the decoder says so and decodes on the page, with the same result and
/// the same errors.
#[wasm_bindgen_test]
async fn without_a_worker_the_page_decodes_itself() {
    use spanflame_app::decoder::{Input, decode};
    let bytes = js_sys::Uint8Array::from(DEMO);
    // The same file as bytes and as a Blob (a dropped file, a download).
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&bytes)).unwrap();
    for input in [Input::Bytes(bytes), Input::Blob(blob)] {
        let decoded = decode(input).await;
        assert!(!decoded.in_worker);
        let Ok(Loaded::Profiles(set)) = decoded.result else {
            panic!("the demo is a profile");
        };
        assert_eq!(set.call_tree(&Filter::default()).total(), 187);
    }

    let decoded = decode(Input::Bytes(js_sys::Uint8Array::from(
        &b"not a profile"[..],
    )))
    .await;
    let error = decoded.result.expect_err("text is not a profile");
    assert!(error.contains("not"), "{error}");
}
