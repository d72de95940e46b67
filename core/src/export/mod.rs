//! What the user sees, written out as files: an SVG picture of the flame graph
//! ([`svg`]), a gzip'd pprof `profile.proto` ([`pprof`]), and the page of the HTML export
//! ([`html`]), which opens the file itself offline in Spanflame. Folded stacks are
//! [`crate::ProfileSet::folded_with`]'s. Everything works on the view's own tree and
//! layout (filters, transforms and zoom applied), so what is exported is what is shown.

pub mod html;
pub mod pprof;
pub mod svg;
