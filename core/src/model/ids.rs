//! Typed ids, one per table, so a frame id cannot index the stack table by mistake.
//!
//! Each id is a `#[repr(transparent)]` wrapper over the `u32` the tables already use: it
//! costs nothing at run time (the hot loops compile to the same code) and nothing in memory.
//!
//! Storage choice: the big columns ([`super::SampleTable`], [`super::StackTable`]) keep raw
//! `u32` values with [`super::NONE`] for "no entry", because `Option<StackId>` would take 8
//! bytes a row instead of 4 and the columns hold tens of millions of rows. APIs take and
//! return the typed ids, and `Option<Id>` where "none" is meant; the sentinel is converted at
//! the table boundary by [`StackId::from_raw`] and [`StackId::raw`] (and the same on every id).
//!
//! The point is that a mix-up does not compile. A frame id where a function id is meant:
//!
//! ```compile_fail
//! use spanflame_core::model::{FrameId, FunctionId, ProfileSet};
//! fn name_of(set: &ProfileSet, frame: FrameId) -> &str {
//!     set.function_name(frame) // error: expected `FunctionId`, found `FrameId`
//! }
//! ```
//!
//! The same with the frame's own function compiles:
//!
//! ```
//! use spanflame_core::model::{FrameId, ProfileSet};
//! fn name_of(set: &ProfileSet, frame: FrameId) -> &str {
//!     set.frames.get(frame.index()).map_or("", |f| set.function_name(f.function))
//! }
//! ```

/// Defines id newtypes sharing one set of impls.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(u32);

        impl $name {
            /// The id with raw value `id`.
            #[inline]
            pub const fn new(id: u32) -> Self {
                $name(id)
            }

            /// The raw value.
            #[inline]
            pub const fn get(self) -> u32 {
                self.0
            }

            /// The raw value as an index into the table.
            #[inline]
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of table index `i` (tables are bounded by `Limits`, below `u32::MAX`).
            #[inline]
            pub const fn from_index(i: usize) -> Self {
                $name(i as u32)
            }

            /// Decode a raw column value, [`crate::model::NONE`] meaning none.
            #[inline]
            pub const fn from_raw(raw: u32) -> Option<Self> {
                if raw == crate::model::NONE {
                    None
                } else {
                    Some($name(raw))
                }
            }

            /// Encode for a raw column, none as [`crate::model::NONE`].
            #[inline]
            pub const fn raw(id: Option<Self>) -> u32 {
                match id {
                    Some($name(raw)) => raw,
                    None => crate::model::NONE,
                }
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}

ids! {
    /// Index into [`super::ProfileSet::strings`].
    StringId;
    /// Index into [`super::ProfileSet::functions`].
    FunctionId;
    /// Index into [`super::ProfileSet::frames`].
    FrameId;
    /// Index into [`super::StackTable`].
    StackId;
    /// Index into [`super::ProfileSet::links`].
    LinkId;
    /// Index into [`super::ProfileSet::attr_sets`].
    AttrSetId;
    /// Index into [`super::ProfileSet::resources`].
    ResourceId;
    /// Index into [`super::ProfileSet::sample_types`].
    SampleTypeId;
    /// Index into [`super::ProfileSet::profiles`].
    ProfileId;
    /// A call-tree node; [`crate::CallTree::ROOT`] is the virtual root.
    NodeId;
    /// Index into [`crate::TraceSet::spans`].
    SpanIdx;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_round_trips_through_the_raw_sentinel() {
        assert_eq!(StackId::from_raw(crate::model::NONE), None);
        assert_eq!(StackId::from_raw(7), Some(StackId::new(7)));
        assert_eq!(StackId::raw(None), crate::model::NONE);
        assert_eq!(StackId::raw(Some(StackId::new(7))), 7);
        assert_eq!(FrameId::from_index(3).index(), 3);
        assert_eq!(std::mem::size_of::<[NodeId; 4]>(), 16);
    }
}
