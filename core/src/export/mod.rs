//! What the user sees, written out as files: an SVG picture of the flame graph
//! ([`svg`]) and a gzip'd pprof `profile.proto` ([`pprof`]). Folded stacks are
//! [`crate::ProfileSet::folded_with`]'s. Everything works on the view's own tree and
//! layout (filters, transforms and zoom applied), so what is exported is what is shown.

pub mod pprof;
pub mod svg;
