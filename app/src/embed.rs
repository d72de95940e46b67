//! Embedding: `?embed=1` shows only the graph and the waterfall, filling the frame, and
//! the page talks to its host with `postMessage` (protocol version 1, documented in
//! `docs/embedding.md`; validation and message shapes are [`spanflame_core::embed`]).
//!
//! Messages are accepted only from the viewer's own origin and those named by `?origin=`
//! (limited by `<meta name="spanflame-allowed-origins">` when a deployment sets it). The
//! viewer never posts to `*`: it answers the window that asked, at that window's origin,
//! and sends `ready` to its parent frame only when the parent's origin is allowed.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashSet;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use spanflame_core::embed::{
    DataKind, EmbedConfig, ErrorCode, FileKind, OriginPolicy, Parsed, ProfileSummary,
    ProtocolError, Request, SampleTypeInfo, SampleTypeRef, SpanInfo, TOP_FRAMES, Theme,
    TraceSummary, ViewerMessage, envelope, normalize_origin, origin_of_url, top_frames,
};
use spanflame_core::model::{NONE, SampleTypeId};
use wasm_bindgen::{JsCast, JsValue};

use crate::decoder::Input;
use crate::flame::FlameGraph;
use crate::loading::{Opened, Origin, ingest};
use crate::state::{AppState, SpanFilter, SpanRef, function_stats_of};
use crate::status::{ActiveFilter, ErrorBanner};
use crate::view_hash;
use crate::waterfall::WaterfallPanel;

/// The meta tag through which a deployment limits the origins `?origin=` may name.
pub const ALLOWED_ORIGINS_META: &str = "spanflame-allowed-origins";

/// How the page was opened.
#[derive(Debug, Clone)]
pub struct Config {
    /// `?embed=1`.
    pub embed: bool,
    /// `?theme=`.
    pub theme: Option<Theme>,
    /// Who may talk to the viewer.
    pub policy: OriginPolicy,
}

thread_local! {
    static CONFIG: OnceCell<Config> = const { OnceCell::new() };
    /// The window the viewer talks to, and its origin: the last one that sent an accepted
    /// message, or at first the parent frame when its origin is allowed.
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
    /// The `topFrames` the host asked for last.
    static TOP: Cell<usize> = const { Cell::new(TOP_FRAMES) };
}

/// The page's [`Config`], read from the address once.
pub fn config() -> Config {
    CONFIG.with(|c| c.get_or_init(read_config).clone())
}

fn read_config() -> Config {
    let window = web_sys::window();
    let location = window.as_ref().map(web_sys::Window::location);
    let query = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let own = location
        .as_ref()
        .and_then(|l| l.origin().ok())
        .unwrap_or_default();
    let configured: Vec<String> = window
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("meta[name=\"{ALLOWED_ORIGINS_META}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .map(|c| {
            c.split([' ', ','])
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let query = EmbedConfig::from_query(&query);
    let (policy, refused) = OriginPolicy::new(&own, &query.origins, &configured);
    for origin in refused {
        leptos::logging::warn!(
            "Spanflame: ?origin={origin} is ignored: not an origin (scheme://host[:port]) or not in <meta name=\"{ALLOWED_ORIGINS_META}\">"
        );
    }
    Config {
        embed: query.embed,
        theme: query.theme,
        policy,
    }
}

#[derive(Clone)]
struct Host {
    window: web_sys::Window,
    origin: String,
}

impl Host {
    fn post(&self, message: &ViewerMessage, request_id: Option<&Value>) {
        let text = envelope(message, request_id);
        if let Ok(value) = js_sys::JSON::parse(&text) {
            let _ = self.window.post_message(&value, &self.origin);
        }
    }
}

fn host() -> Option<Host> {
    HOST.with(|h| h.borrow().clone())
}

/// Post to the current host, if there is one.
fn post(message: &ViewerMessage) {
    if let Some(host) = host() {
        host.post(message, None);
    }
}

/// The parent frame and its origin, when the page is framed and the parent's origin is
/// allowed (from `location.ancestorOrigins`, else the referrer).
fn parent_host(policy: &OriginPolicy) -> Option<Host> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    if js_sys::Object::is(&parent, &window) {
        return None;
    }
    let ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into()).ok();
    let from_ancestors = ancestors
        .filter(|a| !a.is_undefined())
        .and_then(|a| js_sys::Reflect::get(&a, &0.into()).ok())
        .and_then(|o| o.as_string())
        .and_then(|o| normalize_origin(&o));
    let origin = from_ancestors.or_else(|| {
        window
            .document()
            .map(|d| d.referrer())
            .and_then(|r| origin_of_url(&r))
    })?;
    policy.allows(&origin).then_some(Host {
        window: parent,
        origin,
    })
}

/// Set the theme from `?theme=`, listen for host messages, tell the parent frame the
/// viewer is ready, and report loads, span and frame selections to the host.
pub fn start(state: AppState) {
    let config = config();
    if let Some(theme) = config.theme {
        state.theme_override.set(theme.dark_override());
    }
    if config.embed
        && let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-embed", "");
    }
    let policy = config.policy.clone();
    // The listener lives as long as the page.
    let _ = window_event_listener(ev::message, move |event| {
        on_message(state, &policy, &event);
    });
    if let Some(parent) = parent_host(&config.policy) {
        HOST.with(|h| *h.borrow_mut() = Some(parent.clone()));
        parent.post(&ViewerMessage::ready(env!("CARGO_PKG_VERSION")), None);
    }
    report_changes(state);
}

/// What the `data` field holds.
enum Payload {
    None,
    Bytes(js_sys::Uint8Array),
    Blob(web_sys::Blob),
}

/// Whether a message is meant for Spanflame: an object whose `type` is `"spanflame"`. Cheap,
/// so that other scripts' traffic costs nothing.
fn is_ours(data: &JsValue) -> bool {
    data.is_object()
        && !js_sys::Array::is_array(data)
        && js_sys::Reflect::get(data, &"type".into())
            .ok()
            .and_then(|t| t.as_string())
            .as_deref()
            == Some(spanflame_core::embed::MESSAGE_TYPE)
}

/// The message without its `data` field, as JSON (`None` when it is not JSON-like: a
/// BigInt, a function...), what `data` held, and its bytes.
fn split(object: &js_sys::Object) -> (Option<Value>, DataKind, Payload) {
    let field = js_sys::Reflect::get(object, &"data".into()).unwrap_or(JsValue::UNDEFINED);
    let (kind, payload) = if field.is_undefined() || field.is_null() {
        (DataKind::Missing, Payload::None)
    } else if let Some(buffer) = field.dyn_ref::<js_sys::ArrayBuffer>() {
        (
            DataKind::Bytes,
            Payload::Bytes(js_sys::Uint8Array::new(buffer)),
        )
    } else if js_sys::ArrayBuffer::is_view(&field) {
        // The view's bytes (not its elements, for a Uint16Array and the like).
        let number = |name: &str| {
            js_sys::Reflect::get(&field, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as u32
        };
        let buffer = js_sys::Reflect::get(&field, &"buffer".into()).unwrap_or(JsValue::UNDEFINED);
        match buffer.dyn_ref::<js_sys::ArrayBuffer>() {
            Some(buffer) => (
                DataKind::Bytes,
                Payload::Bytes(js_sys::Uint8Array::new_with_byte_offset_and_length(
                    buffer,
                    number("byteOffset"),
                    number("byteLength"),
                )),
            ),
            // A view on a SharedArrayBuffer.
            None => (DataKind::Other, Payload::None),
        }
    } else if let Some(blob) = field.dyn_ref::<web_sys::Blob>() {
        (DataKind::Bytes, Payload::Blob(blob.clone()))
    } else if let Some(text) = field.as_string() {
        (
            DataKind::Text,
            Payload::Bytes(js_sys::Uint8Array::from(text.as_bytes())),
        )
    } else {
        (DataKind::Other, Payload::None)
    };
    let copy = js_sys::Object::assign(&js_sys::Object::new(), object);
    let _ = js_sys::Reflect::delete_property(&copy, &"data".into());
    let json = js_sys::JSON::stringify(&copy)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str(&s).ok());
    (json, kind, payload)
}

fn on_message(state: AppState, policy: &OriginPolicy, event: &web_sys::MessageEvent) {
    let data = event.data();
    if !is_ours(&data) {
        return;
    }
    let origin = event.origin();
    if !policy.allows(&origin) {
        // Not a host this viewer may listen to: no reply, and its data is not even read.
        return;
    }
    // Only windows (frames, openers) can be answered; `window.window === window`.
    let Some(source) = event.source() else {
        return;
    };
    let is_window = js_sys::Reflect::get(&source, &"window".into())
        .is_ok_and(|w| js_sys::Object::is(&w, &source));
    if !is_window {
        return;
    }
    let host = Host {
        window: source.unchecked_into(),
        origin,
    };
    let (json, kind, payload) = split(data.unchecked_ref());
    let parsed = match json {
        Some(json) => spanflame_core::embed::parse(&json, kind),
        None => Parsed::Invalid {
            request_id: None,
            error: ProtocolError::new(
                ErrorCode::InvalidMessage,
                "the message must be a plain object of JSON values (and data)",
            ),
        },
    };
    match parsed {
        Parsed::NotOurs => {}
        Parsed::Invalid { request_id, error } => {
            host.post(&ViewerMessage::error(&error), request_id.as_ref());
        }
        Parsed::Request {
            request_id,
            request,
        } => {
            HOST.with(|h| *h.borrow_mut() = Some(host.clone()));
            handle(state, host, request_id, request, payload);
        }
    }
}

fn handle(
    state: AppState,
    host: Host,
    request_id: Option<Value>,
    request: Request,
    payload: Payload,
) {
    let fail = |code: ErrorCode, message: String| {
        host.post(
            &ViewerMessage::error(&ProtocolError::new(code, message)),
            request_id.as_ref(),
        );
    };
    match request {
        Request::Ping => host.post(
            &ViewerMessage::ready(env!("CARGO_PKG_VERSION")),
            request_id.as_ref(),
        ),
        Request::Load { kind, name } => {
            crate::decoder::warm();
            spawn_local(async move {
                let (bytes, file_name) = match payload {
                    Payload::None => (Err("no data".to_owned()), None),
                    Payload::Bytes(bytes) => (Ok(Input::Bytes(bytes)), None),
                    Payload::Blob(blob) => {
                        let file_name = blob
                            .dyn_ref::<web_sys::File>()
                            .map(web_sys::File::name)
                            .filter(|n| !n.is_empty());
                        (Ok(Input::Blob(blob)), file_name)
                    }
                };
                let name = name.or(file_name).unwrap_or_else(|| {
                    match kind {
                        FileKind::Profile => "profile from the host page",
                        FileKind::Trace => "traces from the host page",
                    }
                    .to_owned()
                });
                let outcome = ingest(state, vec![(name, bytes)], Origin::Local)
                    .await
                    .pop()
                    .unwrap_or_else(|| Err("nothing was read".to_owned()));
                match outcome {
                    Ok(opened) => {
                        let file = match opened {
                            Opened::Profile => FileKind::Profile,
                            Opened::Traces => FileKind::Trace,
                        };
                        LAST_LOADED.with(|l| l.set(loaded_key(state)));
                        host.post(&loaded(state, file), request_id.as_ref());
                    }
                    Err(message) => host.post(
                        &ViewerMessage::error(&ProtocolError::new(ErrorCode::LoadFailed, message)),
                        request_id.as_ref(),
                    ),
                }
            });
        }
        Request::SelectSpan { target, top } => {
            TOP.with(|t| t.set(top));
            let filter = match target {
                None => None,
                Some(t) => match view_hash::resolve_selection_span(
                    state,
                    &spanflame_core::view_hash::Selection {
                        span: Some(t.span_id),
                        trace: t.trace_id,
                        scope: Some(t.scope),
                        ..Default::default()
                    },
                ) {
                    Some(filter) => Some(filter),
                    None => {
                        return fail(
                            ErrorCode::NotLoaded,
                            format!(
                                "span {} is neither in the loaded traces nor in the profile's links",
                                spanflame_core::model::hex(&t.span_id)
                            ),
                        );
                    }
                },
            };
            if state.span_filter.get_untracked() != filter {
                state.span_filter.set(filter);
            }
            LAST_SPAN.with(|l| l.set(span_report_key(state)));
            host.post(&span_selected(state, top), request_id.as_ref());
        }
        Request::SetSampleType(which) => {
            let index = state.profile.with_untracked(|p| {
                let types = p.as_ref()?.set.sample_types();
                match &which {
                    SampleTypeRef::Index(i) => (*i < types.len()).then_some(*i),
                    SampleTypeRef::Name(name) => types.iter().position(|t| &t.name == name),
                }
            });
            match index {
                Some(i) => {
                    let i = SampleTypeId::from_index(i);
                    if state.sample_type.get_untracked() != i {
                        state.sample_type.set(i);
                        state.profile_choice.set(None);
                    }
                }
                None => fail(
                    ErrorCode::NotLoaded,
                    format!("no sample type {which:?} in the profile shown"),
                ),
            }
        }
        Request::SetTheme(theme) => state.theme_override.set(theme.dark_override()),
        Request::Clear => {
            state.span_filter.set(None);
            state.selected_function.set(None);
            state.zoom.set(Vec::new());
            state.error.set(None);
            state.profile.set(None);
            state.traces.set(None);
            view_hash::set_profile_url(None);
            view_hash::set_trace_url(None);
        }
    }
}

/// Identity of what is loaded: the two `Arc`s' addresses.
type LoadedKey = (usize, usize);
/// Identity of a span report: the filter and the tree it produced.
type SpanReportKey = (Option<SpanFilter>, usize);

thread_local! {
    static LAST_LOADED: Cell<LoadedKey> = const { Cell::new((0, 0)) };
    static LAST_SPAN: Cell<SpanReportKey> = const { Cell::new((None, 0)) };
}

fn loaded_key(state: AppState) -> LoadedKey {
    let profile = state.profile.with_untracked(|p| {
        p.as_ref()
            .map_or(0, |p| std::sync::Arc::as_ptr(&p.0) as usize)
    });
    let traces = state.traces.with_untracked(|t| {
        t.as_ref()
            .map_or(0, |t| std::sync::Arc::as_ptr(&t.0) as usize)
    });
    (profile, traces)
}

fn span_report_key(state: AppState) -> SpanReportKey {
    let tree =
        untrack(|| state.settled_tree()).map_or(0, |t| std::sync::Arc::as_ptr(&t.0) as usize);
    (state.span_filter.get_untracked(), tree)
}

/// Tell the host about changes it did not ask for: files opened from the hash, a span
/// picked in the waterfall, new totals for another sample type, a frame clicked.
fn report_changes(state: AppState) {
    Effect::new(move |_| {
        state.profile.track();
        state.traces.track();
        let key = loaded_key(state);
        let last = LAST_LOADED.with(|l| l.replace(key));
        if host().is_none() || key == last || key == (0, 0) {
            return;
        }
        let file = if key.0 != last.0 && key.0 != 0 {
            FileKind::Profile
        } else {
            FileKind::Trace
        };
        post(&loaded(state, file));
    });
    // The settled view, which the function stats are of: a span click repaints the graph
    // first and settles a task later, with a new tree.
    Effect::new(move |_| {
        state.settled.track();
        let key = span_report_key(state);
        let last = LAST_SPAN.with(|l| l.replace(key));
        // A new tree without a span filter (another file, another sample type) is no news.
        if host().is_none() || key == last || (key.0.is_none() && last.0.is_none()) {
            return;
        }
        post(&span_selected(state, TOP.with(Cell::get)));
    });
    Effect::new(move |previous: Option<Option<String>>| {
        let name = state.selected_function.get();
        if previous.is_some_and(|p| p != name) {
            post(&frame_selected(state, name.as_deref()));
        }
        name
    });
}

fn sample_type_info(state: AppState) -> Option<SampleTypeInfo> {
    let index = state.sample_type.get_untracked().index();
    state.profile.with_untracked(|p| {
        let t = p.as_ref()?.set.sample_types().get(index)?;
        Some(SampleTypeInfo {
            index,
            name: t.name.clone(),
            unit: t.unit.clone(),
        })
    })
}

/// The `loaded` message for what is open now.
fn loaded(state: AppState, file: FileKind) -> ViewerMessage {
    let (total_weight, unit) = state.tree.with_untracked(|t| {
        t.as_ref().map_or((0, String::new()), |t| {
            (t.total(), t.sample_type().unit.clone())
        })
    });
    let profile = state.profile.with_untracked(|p| {
        let p = p.as_ref()?;
        let set = &p.set;
        let linked: HashSet<u32> = set
            .samples
            .links()
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&l| l != NONE)
            .collect();
        Some(ProfileSummary {
            name: p.source.clone(),
            format: set.format().to_string(),
            layout: set.layout.to_string(),
            gzipped: set.gzipped,
            sample_types: set
                .sample_types()
                .iter()
                .enumerate()
                .map(|(index, t)| SampleTypeInfo {
                    index,
                    name: t.name.clone(),
                    unit: t.unit.clone(),
                })
                .collect(),
            sample_type: state.sample_type.get_untracked().index(),
            profiles: set.profiles.len(),
            samples: set.samples.len(),
            linked_samples: set.linked_sample_count(),
            linked_spans: linked.len(),
            total_weight,
            unit: unit.clone(),
        })
    });
    let trace = state.traces.with_untracked(|t| {
        let t = t.as_ref()?;
        let traces: HashSet<[u8; 16]> = t.set.spans.iter().map(|s| s.key.trace_id).collect();
        Some(TraceSummary {
            name: t.source.clone(),
            format: t.set.format.map(|f| f.to_string()).unwrap_or_default(),
            spans: t.set.spans.len(),
            traces: traces.len(),
        })
    });
    ViewerMessage::Loaded {
        file,
        profile,
        trace,
    }
}

/// The `spanSelected` message: the span filter in effect and the totals of the graph it
/// gives, read from the same memos the graph draws (tree and function stats).
fn span_selected(state: AppState, top: usize) -> ViewerMessage {
    let filter = state.span_filter.get_untracked();
    let span = filter.as_ref().and_then(|f| {
        let key = view_hash::span_key(state, f)?;
        let detail = match f.span {
            SpanRef::Index(i) => state.traces.with_untracked(|t| {
                t.as_ref()?
                    .set
                    .span(i)
                    .map(|s| (s.name.clone(), s.service.clone(), s.start, s.end))
            }),
            SpanRef::Key(_) => None,
        };
        Some(SpanInfo {
            span_id: key.span_hex(),
            trace_id: key.trace_hex(),
            name: detail.as_ref().map(|d| d.0.clone()),
            service: detail.as_ref().map(|d| d.1.clone()),
            start_unix_nano: detail.as_ref().map(|d| d.2.to_string()),
            end_unix_nano: detail.as_ref().map(|d| d.3.to_string()),
        })
    });
    let found = filter.is_none() || span.is_some();
    // The live tree: a host's selectSpan is answered at once, before the view settles.
    let tree = state.tree.get_untracked();
    let total_weight = tree.as_ref().map_or(0, |t| t.total());
    let settled = untrack(|| state.settled_tree());
    let frames = match tree {
        Some(t) if settled.as_ref() != Some(&t) => state
            .profile
            .with_untracked(|p| {
                let filter = state.filter.get_untracked();
                let transformed = state.transformed.get_untracked();
                let stats =
                    function_stats_of(&p.as_ref()?.set, &t, &filter, transformed.as_deref());
                Some(top_frames(&stats, top))
            })
            .unwrap_or_default(),
        _ => state
            .functions
            .with_untracked(|f| f.as_ref().map(|f| top_frames(f, top)))
            .unwrap_or_default(),
    };
    ViewerMessage::SpanSelected {
        span,
        scope: filter.map(|f| f.scope.name()),
        found,
        sample_type: sample_type_info(state),
        total_weight,
        top_frames: frames,
    }
}

fn frame_selected(state: AppState, name: Option<&str>) -> ViewerMessage {
    let stats = name.and_then(|name| {
        state.functions.with_untracked(|f| {
            f.as_ref()?
                .iter()
                .find(|s| s.name == name)
                .map(|s| (s.file.clone(), s.self_weight, s.total_weight))
        })
    });
    let unit = state
        .tree
        .with_untracked(|t| t.as_ref().map(|t| t.sample_type().unit.clone()));
    ViewerMessage::FrameSelected {
        name: name.map(str::to_owned),
        file: stats.as_ref().map(|s| s.0.clone()),
        self_weight: stats.as_ref().map_or(0, |s| s.1),
        total_weight: stats.as_ref().map_or(0, |s| s.2),
        unit,
    }
}

/// The embedded page: the waterfall and the graph (with the span filter chip, which says
/// what the graph shows and clears it), filling the frame. No header, toolbar, table or file
/// drop: the host page provides the files and the controls.
#[component]
pub fn EmbedShell() -> impl IntoView {
    let state = expect_context::<AppState>();
    let has_profile = move || state.profile.with(Option::is_some);
    view! {
        <ErrorBanner />
        <main class="embed">
            <div class="embed-waterfall">
                <WaterfallPanel />
            </div>
            <ActiveFilter />
            <Show when=has_profile fallback=move || view! { <Waiting /> }>
                <div class="embed-flame">
                    <FlameGraph />
                </div>
            </Show>
        </main>
    }
}

/// Before the host has sent a profile.
#[component]
fn Waiting() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let text = state
            .busy
            .get()
            .unwrap_or_else(|| "Waiting for a profile from the host page.".to_owned());
        view! {
            <p id="embed-waiting" class="status" role="status">
                {text}
            </p>
        }
    }
}
