//! The view as a pprof profile (`perftools.profiles.Profile`, gzip'd as `go tool pprof`
//! reads it), with the message types of [`crate::formats::pprof::proto`], the importer's.
//!
//! One sample type (the filter's); one sample per stack the view has weight on (samples
//! with equal stacks merged, as folded stacks merge them), its locations leaf first; one
//! location per frame, with its function and line; one function per function. Sample
//! attributes are not written: merged samples no longer have one set of them. The period,
//! start time and duration are the first profile's of the sample type.

use std::io::Write;

use rustc_hash::FxHashMap;

use crate::filter::Filter;
use crate::formats::pprof::proto::{Function, Line, Location, Profile, Sample, ValueType};
use crate::model::{FunctionId, Interner, NONE, ProfileSet, StringId};
use crate::transform::Transformed;

/// String table under construction (the model's interner); index 0 is `""` as pprof requires.
struct Strings(Interner<String>);

impl Strings {
    fn new() -> Self {
        let mut s = Strings(Interner::default());
        s.get("");
        s
    }

    fn get(&mut self, text: &str) -> i64 {
        let id = match self.0.get(text) {
            Some(id) => id,
            None => self.0.intern(text.to_owned()),
        };
        i64::from(id)
    }
}

/// The pprof message of what `filter` keeps, after `transformed` if given.
pub fn profile(set: &ProfileSet, filter: &Filter, transformed: Option<&Transformed>) -> Profile {
    let (tables, weights, stackless) = match transformed {
        Some(t) => {
            let (w, e) = set.stack_weights_with(filter, t);
            (t.tables(), w, e)
        }
        None => {
            let (w, e) = set.stack_weights(filter);
            (set.tables(), w, e)
        }
    };
    let text = |id: StringId| tables.strings.get(id.index()).map_or("", String::as_str);
    let mut strings = Strings::new();
    let st = set.sample_types.get(filter.sample_type.index());
    let sample_type = ValueType {
        r#type: strings.get(st.map_or("samples", |s| s.name.as_str())),
        unit: strings.get(st.map_or("count", |s| s.unit.as_str())),
    };
    let info = set
        .profiles
        .iter()
        .find(|p| p.sample_type == filter.sample_type);
    let mut out = Profile {
        sample_type: vec![sample_type],
        ..Profile::default()
    };
    if let Some(p) = info {
        out.time_nanos = i64::try_from(p.time_unix_nano).unwrap_or(0);
        out.duration_nanos = i64::try_from(p.duration_nano).unwrap_or(0);
        out.period = p.period;
        out.period_type = p.period_type.as_ref().map(|t| ValueType {
            r#type: strings.get(&t.name),
            unit: strings.get(&t.unit),
        });
    }
    // Ids are 1-based (0 means "none" in pprof); made as first met.
    let mut location_of_frame: FxHashMap<u32, u64> = FxHashMap::default();
    let mut function_of: FxHashMap<FunctionId, u64> = FxHashMap::default();
    let mut location_of_stack = vec![0u64; tables.stacks.len()];
    let mut used = vec![false; tables.stacks.len()];
    for s in (0..weights.len()).rev() {
        let p = tables.stacks.parent[s];
        if (weights[s] != 0 || used[s]) && p != NONE {
            used[p as usize] = true;
        }
    }
    for s in 0..tables.stacks.len() {
        if !(used[s] || weights[s] != 0) {
            continue;
        }
        let frame_id = tables.stacks.frame[s];
        let next = location_of_frame.len() as u64 + 1;
        let loc = *location_of_frame.entry(frame_id).or_insert_with(|| {
            let frame = &tables.frames[frame_id as usize];
            let next_fn = function_of.len() as u64 + 1;
            let func = *function_of.entry(frame.function).or_insert_with(|| {
                let f = &tables.functions[frame.function.index()];
                let name = strings.get(text(f.name));
                out.function.push(Function {
                    id: next_fn,
                    name,
                    system_name: name,
                    filename: strings.get(text(f.file)),
                    start_line: 0,
                });
                next_fn
            });
            out.location.push(Location {
                id: next,
                line: vec![Line {
                    function_id: func,
                    line: i64::from(frame.line),
                    column: 0,
                }],
                ..Location::default()
            });
            next
        });
        location_of_stack[s] = loc;
    }
    for (s, &w) in weights.iter().enumerate() {
        if w == 0 {
            continue;
        }
        let mut ids = Vec::new();
        let mut at = s as u32;
        while at != NONE {
            ids.push(location_of_stack[at as usize]);
            at = tables.stacks.parent[at as usize];
        }
        out.sample.push(Sample {
            location_id: ids,
            value: vec![w],
            label: Vec::new(),
        });
    }
    if stackless != 0 {
        out.sample.push(Sample {
            location_id: Vec::new(),
            value: vec![stackless],
            label: Vec::new(),
        });
    }
    out.string_table = strings
        .0
        .into_items()
        .into_iter()
        .map(String::into_bytes)
        .collect();
    out
}

/// [`profile`] encoded and gzip'd: the bytes of a `.pb.gz` file.
pub fn pprof_gz(set: &ProfileSet, filter: &Filter, transformed: Option<&Transformed>) -> Vec<u8> {
    use prost::Message;
    let bytes = profile(set, filter, transformed).encode_to_vec();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(&bytes);
    gz.finish().unwrap_or_default()
}
