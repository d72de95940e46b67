//! The embedding protocol, version 1: what a host page and an embedded viewer say to each
//! other with `postMessage` (documented for host authors in `docs/embedding.md`).
//!
//! Every message, both ways, is an object `{ type: "spanflame", version: 1, kind, ... }`.
//! This module is the browser-free part: it validates what a host sent ([`parse`]), builds
//! what the viewer sends ([`ViewerMessage`], [`envelope`]), decides which origins may talk
//! to the viewer ([`OriginPolicy`]) and reads the page's query string ([`EmbedConfig`]).
//! The app's `embed` module does the listening and posting.
//!
//! A host message's file bytes (`data`) are not JSON: the app takes them out of the message
//! and passes only their [`DataKind`] here, with the rest of the message as JSON.
//!
//! The parts: `host.rs` (what a host may send, and [`parse`]), `viewer.rs` (what the viewer
//! sends, and [`envelope`]) and `origin.rs` (who may talk, and the page's configuration).

mod host;
mod origin;
mod viewer;

pub use host::*;
pub use origin::*;
pub use viewer::*;

/// The `type` of every protocol message.
pub const MESSAGE_TYPE: &str = "spanflame";
/// The protocol version this viewer speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The versions this viewer accepts.
pub const SUPPORTED_VERSIONS: &[u32] = &[1];
/// The kinds a host may send.
pub const HOST_KINDS: &[&str] = &[
    "ping",
    "loadProfile",
    "loadTrace",
    "selectSpan",
    "setSampleType",
    "setTheme",
    "clear",
];
/// How many functions `spanSelected` lists by default.
pub const TOP_FRAMES: usize = 10;
/// The most a host may ask for in `topFrames`.
pub const MAX_TOP_FRAMES: usize = 100;

#[cfg(test)]
mod tests;
