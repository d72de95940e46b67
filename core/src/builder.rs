//! Builds a [`ProfileSet`] row by row. Every importer (OTLP, pprof, folded) feeds one of these,
//! so interning, limits and stack truncation are written once.

use std::sync::{Arc, OnceLock};

use crate::error::{At, Diagnostics, Error, Format, Result};
use crate::limits::Limits;
use crate::model::{
    AttrSetId, Attribute, Calls, Frame, FrameId, FrameKind, Function, FunctionId, Interner, Layout,
    LinkId, NONE, ProfileInfo, ProfileSet, Resource, ResourceId, SampleTable, SampleType,
    SampleTypeId, SpanKey, StackId, StackTable, StringId,
};

/// Incremental builder for a [`ProfileSet`].
pub struct Builder<'l> {
    /// The format being read, for errors and diagnostics.
    pub format: Format,
    limits: &'l Limits,
    /// Diagnostics collected so far.
    pub diags: Diagnostics,
    strings: Interner<String>,
    functions: Interner<Function>,
    frames: Interner<Frame>,
    stacks: Interner<(u32, u32)>,
    links: Interner<SpanKey>,
    attr_sets: Interner<Vec<Attribute>>,
    sample_types: Interner<SampleType>,
    resources: Interner<Vec<Attribute>>,
    profiles: Vec<ProfileInfo>,
    samples: SampleTable,
    truncated_frame: Option<FrameId>,
    function_calls: Vec<Option<Calls>>,
    /// The sample type the input asks to be shown first (a name, or `name/unit`).
    preferred_sample_type: Option<String>,
}

/// One sample observation to add.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// Stack id from [`Builder::stack`], `None` for an empty stack.
    pub stack: Option<StackId>,
    /// Weight.
    pub value: i64,
    /// Timestamp in UTC nanoseconds, 0 if none.
    pub time: u64,
    /// Link id from [`Builder::link`], `None` when unlinked.
    pub link: Option<LinkId>,
    /// Attribute-set id from [`Builder::attr_set`].
    pub attrs: AttrSetId,
}

impl<'l> Builder<'l> {
    /// A builder for data read from `format`.
    pub fn new(format: Format, limits: &'l Limits) -> Self {
        let mut b = Builder {
            format,
            limits,
            diags: Diagnostics::default(),
            strings: Interner::default(),
            functions: Interner::default(),
            frames: Interner::default(),
            stacks: Interner::default(),
            links: Interner::default(),
            attr_sets: Interner::default(),
            sample_types: Interner::default(),
            resources: Interner::default(),
            profiles: Vec::new(),
            samples: SampleTable::default(),
            truncated_frame: None,
            function_calls: Vec::new(),
            preferred_sample_type: None,
        };
        b.strings.intern(String::new());
        b.attr_sets.intern(Vec::new());
        b
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        self.limits
    }

    /// Fail if a table the input declares is longer than the limits allow.
    pub fn check_table_len(&self, what: &str, len: usize) -> Result<()> {
        if len as u64 > self.limits.max_table_len {
            return Err(Error::limit(
                self.format,
                At::Input,
                format!(
                    "{what} has {len} entries, over the limit of {}",
                    self.limits.max_table_len
                ),
            ));
        }
        Ok(())
    }

    /// Intern a string.
    pub fn string(&mut self, s: &str) -> StringId {
        StringId::new(match self.strings.get(s) {
            Some(id) => id,
            None => self.strings.intern(s.to_owned()),
        })
    }

    /// Intern a function by name and file.
    pub fn function(&mut self, name: &str, file: &str) -> FunctionId {
        self.function_in(name, file, "")
    }

    /// Intern a function of a binary with a build id (an unsymbolised native frame).
    pub fn function_in(&mut self, name: &str, file: &str, build_id: &str) -> FunctionId {
        let name = self.string(name);
        let file = self.string(file);
        let build_id = self.string(build_id);
        FunctionId::new(self.functions.intern(Function {
            name,
            file,
            build_id,
        }))
    }

    /// Intern a frame whose `profile.frame.type` is not known.
    pub fn frame(&mut self, function: FunctionId, line: u32, kind: FrameKind) -> FrameId {
        self.frame_of_type(function, line, kind, "")
    }

    /// Intern a frame with the `profile.frame.type` its producer gave it.
    pub fn frame_of_type(
        &mut self,
        function: FunctionId,
        line: u32,
        kind: FrameKind,
        frame_type: &str,
    ) -> FrameId {
        let frame_type = self.string(frame_type);
        FrameId::new(self.frames.intern(Frame {
            function,
            line,
            kind,
            frame_type,
        }))
    }

    /// Intern a stack given its frames root first. Stacks deeper than the limit keep their
    /// leaf-most frames under a `(truncated)` frame, with a diagnostic. No frames, no stack.
    pub fn stack(&mut self, frames_root_first: &[FrameId]) -> Option<StackId> {
        let max = self.max_depth();
        let mut parent = NONE;
        let frames = if frames_root_first.len() > max {
            self.diags.push(
                self.format,
                format!("stacks deeper than {max} frames were truncated at the root side"),
            );
            let marker = match self.truncated_frame {
                Some(f) => f,
                None => {
                    let func = self.function("(truncated)", "");
                    let f = self.frame(func, 0, FrameKind::Unknown);
                    self.truncated_frame = Some(f);
                    f
                }
            };
            parent = self.stacks.intern((NONE, marker.get()));
            &frames_root_first[frames_root_first.len() - (max - 1)..]
        } else {
            frames_root_first
        };
        for &frame in frames {
            parent = self.stacks.intern((parent, frame.get()));
        }
        StackId::from_raw(parent)
    }

    /// Frames a stack may have; [`Builder::stack`] cuts deeper ones at the root side.
    pub fn max_depth(&self) -> usize {
        self.limits.max_stack_depth.max(2) as usize
    }

    /// Intern the stack `parent` + `frame` (`parent` `None` for a root frame), for readers
    /// whose input is itself a tree of frames. The caller keeps stacks within
    /// [`Limits::max_stack_depth`]: deeper ones go through [`Builder::stack`], which truncates.
    pub fn child_stack(&mut self, parent: Option<StackId>, frame: FrameId) -> StackId {
        StackId::new(self.stacks.intern((StackId::raw(parent), frame.get())))
    }

    /// Add `calls` to function `function`'s call counts (for formats that count calls).
    pub fn add_calls(&mut self, function: FunctionId, calls: Calls) {
        let i = function.index();
        if self.function_calls.len() <= i {
            self.function_calls.resize(i + 1, None);
        }
        let c = self.function_calls[i].get_or_insert_default();
        c.total = c.total.saturating_add(calls.total);
        c.primitive = c.primitive.saturating_add(calls.primitive);
    }

    /// Intern a link; all-zero ids mean "no link" and give `None`.
    pub fn link(&mut self, key: SpanKey) -> Option<LinkId> {
        if key.span_id == [0; 8] && key.trace_id == [0; 16] {
            return None;
        }
        Some(LinkId::new(self.links.intern(key)))
    }

    /// Intern a set of attributes (sorted, so order does not matter).
    pub fn attr_set(&mut self, mut attrs: Vec<Attribute>) -> AttrSetId {
        attrs.sort();
        AttrSetId::new(self.attr_sets.intern(attrs))
    }

    /// Add a resource and return its index; identical resources (JSON Lines batches of one
    /// process, say) share one index.
    pub fn resource(&mut self, resource: Resource) -> ResourceId {
        ResourceId::new(self.resources.intern(resource.attributes))
    }

    /// Ask for sample type `name` (a type name such as `cpu`, or `type/unit`) to be shown
    /// first: [`Builder::finish`] gives it id 0, which is what [`crate::Filter::default`],
    /// the app and the CLI start on. The first request wins.
    pub fn prefer_sample_type(&mut self, name: &str) {
        if self.preferred_sample_type.is_none() && !name.is_empty() {
            self.preferred_sample_type = Some(name.to_owned());
        }
    }

    /// Start a profile; rows added until the next call belong to it.
    pub fn begin_profile(&mut self, mut info: ProfileInfo, sample_type: SampleType) {
        info.sample_type = SampleTypeId::new(self.sample_types.intern(sample_type));
        let start = self.samples.len() as u32;
        info.samples = start..start;
        self.profiles.push(info);
    }

    /// Make room for `n` more sample rows at once: a reader that knows the count up front
    /// saves the doubling reallocations, which for tens of millions of rows would briefly
    /// need half as much memory again. `n` is capped at the sample limit.
    pub fn reserve_rows(&mut self, n: u64) {
        let room = self
            .limits
            .max_samples
            .saturating_sub(self.samples.len() as u64);
        let n = n.min(room) as usize;
        self.samples.reserve_exact(n);
    }

    /// Add a sample row to the current profile.
    pub fn row(&mut self, row: Row) -> Result<()> {
        if self.samples.len() as u64 >= self.limits.max_samples {
            return Err(Error::limit(
                self.format,
                At::Input,
                format!(
                    "more than {} sample observations, the limit",
                    self.limits.max_samples
                ),
            ));
        }
        let Some(profile) = self.profiles.len().checked_sub(1) else {
            return Err(Error::malformed(
                self.format,
                At::Input,
                "sample outside a profile",
            ));
        };
        let s = &mut self.samples;
        s.push(
            StackId::raw(row.stack),
            row.value,
            row.time,
            LinkId::raw(row.link),
            row.attrs.get(),
        );
        self.profiles[profile].samples.end = s.len() as u32;
        Ok(())
    }

    /// Finish building.
    pub fn finish(mut self, layout: Layout) -> ProfileSet {
        let mut sample_types = self.sample_types.into_items();
        if let Some(name) = self.preferred_sample_type.take() {
            match sample_types
                .iter()
                .position(|t| t.name == name || t.to_string() == name)
            {
                Some(first) => {
                    // Move it to the front; the ones before it shift up by one.
                    let t = sample_types.remove(first);
                    sample_types.insert(0, t);
                    for p in &mut self.profiles {
                        p.sample_type = SampleTypeId::from_index(match p.sample_type.index() {
                            s if s == first => 0,
                            s if s < first => s + 1,
                            s => s,
                        });
                    }
                }
                None => self.diags.push(
                    self.format,
                    format!(
                        "the default sample type {name:?} names no sample type of the file; the first one is shown first"
                    ),
                ),
            }
        }
        let (parent, frame) = self.stacks.into_items().into_iter().unzip();
        let mut function_calls = self.function_calls;
        if !function_calls.is_empty() {
            function_calls.resize(self.functions.len(), None);
        }
        ProfileSet {
            format: self.format,
            layout,
            gzipped: false,
            strings: Arc::new(self.strings.into_items()),
            functions: self.functions.into_items(),
            frames: self.frames.into_items(),
            stacks: StackTable { parent, frame },
            links: self.links.into_items(),
            attr_sets: self.attr_sets.into_items(),
            resources: self
                .resources
                .into_items()
                .into_iter()
                .map(|attributes| Resource { attributes })
                .collect(),
            sample_types,
            profiles: self.profiles,
            samples: self.samples,
            diagnostics: self.diags.items().to_vec(),
            function_calls,
            index: OnceLock::new(),
            paths: OnceLock::new(),
            time_bounds: OnceLock::new(),
        }
    }
}
