//! v1.10 OTLP profile messages → the columnar [`crate::model::ProfileSet`].
//!
//! Index 0 of a dictionary table is looked up literally: the spec reserves it for a zero
//! value, but real producers (the Python extension) put data there. Every index is bounds
//! checked; a dangling one becomes a diagnostic and a placeholder, never a panic.

use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::profiles::v1development::{
    KeyValueAndUnit, Profile, ProfilesData, ProfilesDictionary, ResourceProfiles, ScopeProfiles,
    Stack,
};

use crate::builder::{Builder, Row};
use crate::error::Result;
use crate::model::{
    AttrSetId, Attribute, FrameId, FrameKind, FunctionId, LinkId, ProfileInfo, Resource,
    ResourceId, SampleType, SpanKey, StackId, hex,
};

pub use crate::any_value::MAX_VALUE_TEXT;

/// Add every profile of `data` to `b`. Each message resolves against its own dictionary.
pub fn add_message(b: &mut Builder<'_>, data: &ProfilesData) -> Result<()> {
    let empty = ProfilesDictionary::default();
    let mut n = Normalizer::new(b, data.dictionary.as_ref().unwrap_or(&empty))?;
    for rp in &data.resource_profiles {
        n.add_resource(b, rp)?;
    }
    Ok(())
}

/// One sample's fields, borrowed from a decoded `Sample` or from the binary reader's reused
/// buffers ([`super::hot`]).
#[derive(Debug, Clone, Copy)]
pub struct SampleRef<'s> {
    /// Index into the stack table.
    pub stack_index: i32,
    /// Index into the link table.
    pub link_index: i32,
    /// Indices into the attribute table.
    pub attribute_indices: &'s [i32],
    /// Values.
    pub values: &'s [i64],
    /// Timestamps.
    pub timestamps_unix_nano: &'s [u64],
}

/// The dictionary's stack table in two flat arrays rather than a `Vec` per stack: the binary
/// reader fills it straight from the wire ([`super::hot`]).
#[derive(Debug, Clone, Default)]
pub struct StackTable {
    /// End of each stack's run in `locations`; a stack starts where the one before ends.
    ends: Vec<usize>,
    /// Every stack's location indices; the reader appends the next stack's, then ends it.
    pub(super) locations: Vec<i32>,
}

impl StackTable {
    /// The stack table of a decoded dictionary.
    pub fn of(stacks: &[Stack]) -> Self {
        let mut table = StackTable::default();
        for stack in stacks {
            table.locations.extend_from_slice(&stack.location_indices);
            table.end_stack();
        }
        table
    }

    /// Number of stacks.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no stacks.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// End the stack being read: the locations pushed since the last call are its own.
    pub fn end_stack(&mut self) {
        self.ends.push(self.locations.len());
    }

    /// Where stack `i`'s location indices are in `locations`.
    fn range(&self, i: usize) -> std::ops::Range<usize> {
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j]);
        start..self.ends[i]
    }
}

/// Resolves the profiles of one message against its dictionary, caching what each table
/// entry became in the builder. Resources can be fed one at a time, so a large binary
/// message never has to be decoded whole; the binary reader feeds samples one at a time too.
pub struct Normalizer<'d> {
    dict: &'d ProfilesDictionary,
    /// The dictionary's stack table (its `stack_table` is not read).
    stack_table: StackTable,
    /// Location index → its frames in `location_frames` (`start`, `len`), caller first.
    locations: Vec<Option<(u32, u32)>>,
    location_frames: Vec<FrameId>,
    /// Sample `attribute_indices` list → our attribute-set id; most samples share a few.
    attr_sets: rustc_hash::FxHashMap<Vec<i32>, AttrSetId>,
    /// The same for the empty list and single indices, looked up without hashing (see
    /// `attr_set`); empty until first used.
    small_attr_sets: Vec<Option<AttrSetId>>,
    /// Stack index → our stack id (itself `None` for an empty stack), once resolved.
    stacks: Vec<Option<Option<StackId>>>,
    /// Link index → our link id (itself `None` when unlinked), once resolved.
    links: Vec<Option<Option<LinkId>>>,
    scratch: Vec<FrameId>,
    scratch_location: [FrameId; 1],
}

impl<'d> Normalizer<'d> {
    /// Check the dictionary's table sizes against the limits and prepare its caches.
    pub fn new(b: &Builder<'_>, dict: &'d ProfilesDictionary) -> Result<Self> {
        Self::with_stack_table(b, dict, StackTable::of(&dict.stack_table))
    }

    /// [`Normalizer::new`] for a dictionary whose stack table was read separately.
    pub fn with_stack_table(
        b: &Builder<'_>,
        dict: &'d ProfilesDictionary,
        stack_table: StackTable,
    ) -> Result<Self> {
        b.check_table_len("the string table", dict.string_table.len())?;
        b.check_table_len("the function table", dict.function_table.len())?;
        b.check_table_len("the location table", dict.location_table.len())?;
        b.check_table_len("the stack table", stack_table.len())?;
        b.check_table_len("the attribute table", dict.attribute_table.len())?;
        b.check_table_len("the link table", dict.link_table.len())?;
        Ok(Normalizer {
            dict,
            stacks: vec![None; stack_table.len()],
            stack_table,
            locations: vec![None; dict.location_table.len()],
            location_frames: Vec::new(),
            attr_sets: Default::default(),
            small_attr_sets: Vec::new(),
            links: vec![None; dict.link_table.len()],
            scratch: Vec::new(),
            scratch_location: [FrameId::new(0)],
        })
    }

    /// Add one resource's profiles.
    pub fn add_resource(&mut self, b: &mut Builder<'_>, rp: &ResourceProfiles) -> Result<()> {
        let resource = self.resource(b, rp);
        for sp in &rp.scope_profiles {
            let scope = self.begin_scope(b, sp);
            for profile in &sp.profiles {
                self.begin_profile(b, resource, &scope, profile);
                for s in &profile.samples {
                    self.add_sample(
                        b,
                        SampleRef {
                            stack_index: s.stack_index,
                            link_index: s.link_index,
                            attribute_indices: &s.attribute_indices,
                            values: &s.values,
                            timestamps_unix_nano: &s.timestamps_unix_nano,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }

    /// The builder's id for the resource of `rp` (its scopes and profiles are not read).
    pub fn resource(&mut self, b: &mut Builder<'_>, rp: &ResourceProfiles) -> ResourceId {
        let attributes = rp
            .resource
            .as_ref()
            .map(|r| self.key_values(b, &r.attributes))
            .unwrap_or_default();
        b.resource(Resource { attributes })
    }
}

impl Normalizer<'_> {
    /// Read what a scope says for all its profiles and return its name (empty if unset).
    /// A `pprof.scope.default_sample_type` attribute (a pprof file's `default_sample_type`,
    /// kept by the pprof to OTLP translators) picks the sample type shown first.
    pub fn begin_scope(&mut self, b: &mut Builder<'_>, sp: &ScopeProfiles) -> String {
        let Some(scope) = sp.scope.as_ref() else {
            return String::new();
        };
        if let Some(a) = self
            .key_values(b, &scope.attributes)
            .into_iter()
            .find(|a| a.key == "pprof.scope.default_sample_type")
        {
            b.prefer_sample_type(&a.value);
        }
        scope.name.clone()
    }

    fn string(&self, b: &mut Builder<'_>, index: i32, what: &str) -> String {
        match usize::try_from(index)
            .ok()
            .and_then(|i| self.dict.string_table.get(i))
        {
            Some(s) => s.clone(),
            None => {
                b.diags.push(
                    b.format,
                    format!("a {what} string index is outside the string table; left empty"),
                );
                String::new()
            }
        }
    }

    /// Attribute values as text, at most [`MAX_VALUE_TEXT`] bytes.
    fn value_text(&self, b: &mut Builder<'_>, value: Option<&AnyValue>) -> String {
        crate::any_value::any_value_text(value, &mut |i, what| self.string(b, i, what))
    }

    /// Resource and scope attributes; keys may be literal or (v1.10+) string-table references.
    fn key_values(&self, b: &mut Builder<'_>, kvs: &[KeyValue]) -> Vec<Attribute> {
        kvs.iter()
            .filter_map(|kv| {
                let key = if kv.key.is_empty() && kv.key_strindex != 0 {
                    self.string(b, kv.key_strindex, "attribute key")
                } else {
                    kv.key.clone()
                };
                let value = self.value_text(b, kv.value.as_ref());
                (!key.is_empty()).then_some(Attribute { key, value })
            })
            .collect()
    }

    fn attribute(&self, b: &mut Builder<'_>, index: i32) -> Option<Attribute> {
        let Some(kvu): Option<&KeyValueAndUnit> = usize::try_from(index)
            .ok()
            .and_then(|i| self.dict.attribute_table.get(i))
        else {
            b.diags.push(
                b.format,
                "an attribute index is outside the attribute table; attribute skipped",
            );
            return None;
        };
        let key = self.string(b, kvu.key_strindex, "attribute key");
        let value = self.value_text(b, kvu.value.as_ref());
        (!key.is_empty()).then_some(Attribute { key, value })
    }

    fn attributes(&self, b: &mut Builder<'_>, indices: &[i32]) -> Vec<Attribute> {
        indices
            .iter()
            .filter_map(|&i| self.attribute(b, i))
            .collect()
    }

    /// Frames of one location, caller first.
    fn location(&mut self, b: &mut Builder<'_>, index: i32) -> &[FrameId] {
        let slot = usize::try_from(index)
            .ok()
            .filter(|&i| i < self.dict.location_table.len());
        if let Some(Some((start, len))) = slot.map(|i| self.locations[i]) {
            return &self.location_frames[start as usize..(start + len) as usize];
        }
        let Some(i) = slot else {
            b.diags.push(
                b.format,
                "a stack refers to a location outside the location table; shown as (unknown location)",
            );
            let f = b.function("(unknown location)", "");
            let frame = b.frame(f, 0, FrameKind::Unknown);
            self.scratch_location = [frame];
            return &self.scratch_location;
        };
        let loc = &self.dict.location_table[i];
        let frame_type = self
            .attributes(b, &loc.attribute_indices)
            .into_iter()
            .find(|a| a.key == "profile.frame.type")
            .map(|a| a.value)
            .unwrap_or_default();
        let kind = FrameKind::from_frame_type(&frame_type);
        let mut frames = Vec::with_capacity(loc.lines.len().max(1));
        // lines[0] is the innermost (inlined) function; the last line is its caller.
        for line in loc.lines.iter().rev() {
            let func = usize::try_from(line.function_index)
                .ok()
                .and_then(|f| self.dict.function_table.get(f));
            let function = match func {
                Some(func) => {
                    let mut name = self.string(b, func.name_strindex, "function name");
                    if name.is_empty() {
                        name = self.string(b, func.system_name_strindex, "function system name");
                    }
                    if name.is_empty() {
                        name = "(unnamed function)".into();
                    }
                    let file = self.string(b, func.filename_strindex, "file name");
                    b.function(&name, &file)
                }
                None => {
                    b.diags.push(
                        b.format,
                        "a location line refers to a function outside the function table; shown as (unknown function)",
                    );
                    b.function("(unknown function)", "")
                }
            };
            let line_no = u32::try_from(line.line).unwrap_or(0);
            frames.push(b.frame_of_type(function, line_no, kind, &frame_type));
        }
        if frames.is_empty() {
            let function =
                self.unsymbolized_function(b, loc.mapping_index, loc.address, &frame_type);
            // An address without a frame type is most likely native code; a frame type the
            // producer gave (an eBPF `abort-marker`, say) is kept.
            let kind = if frame_type.is_empty() {
                FrameKind::Native
            } else {
                kind
            };
            frames.push(b.frame_of_type(function, 0, kind, &frame_type));
        }
        let start = self.location_frames.len() as u32;
        self.location_frames.extend_from_slice(&frames);
        self.locations[i] = Some((start, frames.len() as u32));
        &self.location_frames[start as usize..]
    }

    /// The function of a location without lines: `binary+0xoffset` in the mapped binary's
    /// file, with its build id, for a native frame without symbols; `0xaddress` without a
    /// mapping; `(abort-marker)` (the frame type) for a marker with neither.
    ///
    /// The offset is into the file: `address - memory_start + file_offset`, the address
    /// being in the process's address space as the spec says (the eBPF profiler's are). It
    /// is what `addr2line` takes for a shared library, whose code is mapped at its offset.
    fn unsymbolized_function(
        &self,
        b: &mut Builder<'_>,
        mapping_index: i32,
        address: u64,
        frame_type: &str,
    ) -> FunctionId {
        let mapping = usize::try_from(mapping_index)
            .ok()
            .and_then(|m| self.dict.mapping_table.get(m))
            .filter(|m| m.filename_strindex != 0 || m.memory_limit != 0);
        let Some(m) = mapping else {
            let name = if address == 0 && !frame_type.is_empty() {
                format!("({frame_type})")
            } else {
                format!("0x{address:x}")
            };
            return b.function(&name, "");
        };
        let file = self.string(b, m.filename_strindex, "mapping file name");
        let base = match file.rsplit('/').next() {
            Some(base) if !base.is_empty() => base,
            _ => "[unknown]",
        };
        // An address below the mapping is the producer's mistake: shown as it is.
        let offset = address
            .checked_sub(m.memory_start)
            .map_or(address, |o| o.wrapping_add(m.file_offset));
        let name = format!("{base}+0x{offset:x}");
        let build_id = self.build_id(b, &m.attribute_indices);
        b.function_in(&name, &file, &build_id)
    }

    /// The build id among a mapping's attributes: the GNU one, else Go's, else the eBPF
    /// profiler's file hash (`process.executable.build_id.htlhash`).
    fn build_id(&self, b: &mut Builder<'_>, indices: &[i32]) -> String {
        let attrs = self.attributes(b, indices);
        ["gnu", "go", "htlhash"]
            .iter()
            .find_map(|kind| {
                let key = format!("process.executable.build_id.{kind}");
                attrs.iter().find(|a| a.key == key).map(|a| a.value.clone())
            })
            .unwrap_or_default()
    }

    /// The attribute-set id of a sample's `attribute_indices`, resolved (with its
    /// diagnostics) the first time each list is seen.
    fn attr_set(&mut self, b: &mut Builder<'_>, indices: &[i32]) -> AttrSetId {
        let table_len = self.dict.attribute_table.len();
        // The commonest lists skip the hashing: slot 0 is the empty list, 1 + i is `[i]`.
        let small = match *indices {
            [] => Some(0),
            [i] => usize::try_from(i)
                .ok()
                .filter(|&i| i < table_len)
                .map(|i| i + 1),
            _ => None,
        };
        let known = match small {
            Some(k) => self.small_attr_sets.get(k).copied().flatten(),
            None => self.attr_sets.get(indices).copied(),
        };
        if let Some(id) = known {
            return id;
        }
        let attrs = self.attributes(b, indices);
        let id = b.attr_set(attrs);
        match small {
            Some(k) => {
                if self.small_attr_sets.is_empty() {
                    self.small_attr_sets = vec![None; table_len + 1];
                }
                self.small_attr_sets[k] = Some(id);
            }
            None => {
                self.attr_sets.insert(indices.to_vec(), id);
            }
        }
        id
    }

    fn stack(&mut self, b: &mut Builder<'_>, index: i32) -> Option<StackId> {
        let Some(i) = usize::try_from(index)
            .ok()
            .filter(|&i| i < self.stack_table.len())
        else {
            if index != 0 || !self.stack_table.is_empty() {
                b.diags.push(
                    b.format,
                    "a sample refers to a stack outside the stack table; counted with an empty stack",
                );
            }
            return None;
        };
        if let Some(id) = self.stacks[i] {
            return id;
        }
        let mut frames = std::mem::take(&mut self.scratch);
        frames.clear();
        // Stacks are leaf first on the wire; ours are root first. Collect leaf first and stop
        // one past the depth limit, so a few bytes repeating an inlined location cannot
        // expand into millions of frames; the builder then marks the cut.
        let cap = b.limits().max_stack_depth as usize + 1;
        for k in self.stack_table.range(i) {
            let loc_frames = self.location(b, self.stack_table.locations[k]);
            frames.extend(loc_frames.iter().rev());
            if frames.len() >= cap {
                frames.truncate(cap);
                break;
            }
        }
        frames.reverse();
        let id = if frames.is_empty() {
            None
        } else {
            b.stack(&frames)
        };
        self.scratch = frames;
        self.stacks[i] = Some(id);
        id
    }

    fn link(&mut self, b: &mut Builder<'_>, index: i32) -> Option<LinkId> {
        let Some(i) = usize::try_from(index)
            .ok()
            .filter(|&i| i < self.dict.link_table.len())
        else {
            if index != 0 {
                b.diags.push(
                    b.format,
                    "a sample refers to a link outside the link table; treated as unlinked",
                );
            }
            return None;
        };
        if let Some(id) = self.links[i] {
            return id;
        }
        let link = &self.dict.link_table[i];
        let id = if link.trace_id.is_empty() && link.span_id.is_empty() {
            None
        } else {
            match (
                <[u8; 16]>::try_from(link.trace_id.as_slice()),
                <[u8; 8]>::try_from(link.span_id.as_slice()),
            ) {
                (Ok(trace_id), Ok(span_id)) => b.link(SpanKey { trace_id, span_id }),
                _ => {
                    b.diags.push(
                        b.format,
                        "a link's trace id is not 16 bytes or its span id not 8 bytes; treated as unlinked",
                    );
                    None
                }
            }
        };
        self.links[i] = Some(id);
        id
    }

    /// Start a profile of resource `resource`; its samples (of `p` or read elsewhere) follow
    /// through [`Normalizer::add_sample`].
    pub fn begin_profile(
        &mut self,
        b: &mut Builder<'_>,
        resource: ResourceId,
        scope: &str,
        p: &Profile,
    ) {
        let value_type = |b: &mut Builder<'_>, vt: Option<&_>| {
            vt.map(
                |vt: &opentelemetry_proto::tonic::profiles::v1development::ValueType| SampleType {
                    name: self.string(b, vt.type_strindex, "sample type"),
                    unit: self.string(b, vt.unit_strindex, "sample unit"),
                },
            )
        };
        let mut sample_type = value_type(b, p.sample_type.as_ref()).unwrap_or(SampleType {
            name: String::new(),
            unit: String::new(),
        });
        if sample_type.name.is_empty() {
            sample_type.name = "samples".into();
        }
        if sample_type.unit.is_empty() {
            sample_type.unit = "count".into();
        }
        let period_type = value_type(b, p.period_type.as_ref()).filter(|t| !t.name.is_empty());
        let attributes = self.attributes(b, &p.attribute_indices);
        let info = ProfileInfo {
            resource,
            scope: scope.to_owned(),
            period_type,
            period: p.period,
            time_unix_nano: p.time_unix_nano,
            duration_nano: p.duration_nano,
            attributes,
            profile_id: hex(&p.profile_id),
            ..Default::default()
        };
        b.begin_profile(info, sample_type);
    }

    /// Add one sample's observations to the profile begun last.
    pub fn add_sample(&mut self, b: &mut Builder<'_>, s: SampleRef<'_>) -> Result<()> {
        let stack = self.stack(b, s.stack_index);
        let link = self.link(b, s.link_index);
        let attrs = self.attr_set(b, s.attribute_indices);
        let row = |value, time| Row {
            stack,
            value,
            time,
            link,
            attrs,
        };
        let (values, times) = (s.values, s.timestamps_unix_nano);
        match (values.len(), times.len()) {
            (0, 0) => {
                b.diags.push(
                    b.format,
                    "a sample has neither values nor timestamps; skipped",
                );
            }
            // Shape (a): each timestamp is one observation.
            (0, _) => {
                for &t in times {
                    b.row(row(1, t))?;
                }
            }
            // Shape (b): one aggregated value (several values without time are summed).
            (_, 0) => {
                let total = values.iter().fold(0i64, |acc, v| acc.saturating_add(*v));
                b.row(row(total, 0))?;
            }
            // Shape (c): values paired with timestamps.
            (nv, nt) => {
                if nv != nt {
                    b.diags.push(
                        b.format,
                        "a sample has values and timestamps of different lengths; unpaired values kept without a timestamp, unpaired timestamps counted as 1",
                    );
                }
                for i in 0..nv.max(nt) {
                    let value = values.get(i).copied().unwrap_or(1);
                    b.row(row(value, times.get(i).copied().unwrap_or(0)))?;
                }
            }
        }
        Ok(())
    }
}
