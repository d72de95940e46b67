//! The `ProfilesDictionary` under construction: strings, functions, mappings, locations
//! and stacks, each interned once.

use std::collections::HashMap;

use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value::Value};
use opentelemetry_proto::tonic::profiles::v1development::{
    Function, KeyValueAndUnit, Line, Location, Mapping, Stack,
};

use crate::rng::{mix, name_hash};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FrameKind {
    Jvm,
    Python,
    Native,
    Kernel,
    /// An unsymbolised native frame: an address in a library.
    Raw,
}

impl FrameKind {
    pub(crate) fn frame_type(self) -> &'static str {
        match self {
            FrameKind::Jvm => "jvm",
            FrameKind::Python => "cpython",
            FrameKind::Native | FrameKind::Raw => "native",
            FrameKind::Kernel => "kernel",
        }
    }
}

/// A function known to the generator (or, for `Raw`, a library whose frames have no symbol).
pub(crate) struct FuncSpec {
    pub(crate) name: String,
    pub(crate) kind: FrameKind,
    /// Library base name for native frames.
    pub(crate) lib: Option<String>,
    pub(crate) start_line: u32,
}

/// One frame of a walk, root first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Step {
    pub(crate) func: u32,
    /// Shares the location of the step before it.
    pub(crate) inlined: bool,
    /// Leaf line variant for a leaf; address variant for a `Raw` frame.
    pub(crate) variant: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct LocKey {
    pub(crate) mapping: i32,
    pub(crate) address: u64,
    pub(crate) lines: Vec<(u32, u32)>,
}

pub(crate) struct MappingInfo {
    pub(crate) index: i32,
    pub(crate) start: u64,
    pub(crate) file_offset: u64,
    pub(crate) base: String,
}

#[derive(Default)]
pub(crate) struct Dict {
    pub(crate) strings: Vec<String>,
    pub(crate) string_ids: HashMap<String, i32>,
    pub(crate) funcs: Vec<FuncSpec>,
    pub(crate) func_ids: HashMap<String, u32>,
    /// The function table, and each used spec's index in it.
    pub(crate) functions: Vec<Function>,
    pub(crate) function_ids: HashMap<u32, i32>,
    pub(crate) mappings: Vec<Mapping>,
    pub(crate) mapping_ids: HashMap<(usize, String), MappingInfo>,
    pub(crate) locations: Vec<Location>,
    pub(crate) location_ids: HashMap<LocKey, i32>,
    /// Expected function names of each location (index = location index), caller first.
    pub(crate) location_names: Vec<Vec<u32>>,
    /// Expected names, as the generator means them (independent of the string table).
    pub(crate) names: Vec<String>,
    pub(crate) name_ids: HashMap<String, u32>,
    pub(crate) attributes: Vec<KeyValueAndUnit>,
    pub(crate) attribute_ids: HashMap<(String, String), i32>,
    pub(crate) stacks: Vec<Stack>,
}

impl Dict {
    pub(crate) fn new() -> Dict {
        let mut d = Dict::default();
        d.string("");
        d.functions.push(Function::default());
        d.mappings.push(Mapping::default());
        d.locations.push(Location::default());
        d.location_names.push(Vec::new());
        d.attributes.push(KeyValueAndUnit::default());
        d.stacks.push(Stack::default());
        d
    }

    pub(crate) fn string(&mut self, s: &str) -> i32 {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as i32;
        self.strings.push(s.to_owned());
        self.string_ids.insert(s.to_owned(), id);
        id
    }

    pub(crate) fn name(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_owned());
        self.name_ids.insert(s.to_owned(), id);
        id
    }

    pub(crate) fn attribute(&mut self, key: &str, value: &str) -> i32 {
        if let Some(&id) = self.attribute_ids.get(&(key.to_owned(), value.to_owned())) {
            return id;
        }
        let id = self.attributes.len() as i32;
        let key_strindex = self.string(key);
        self.attributes.push(KeyValueAndUnit {
            key_strindex,
            value: Some(AnyValue {
                value: Some(Value::StringValue(value.to_owned())),
            }),
            unit_strindex: 0,
        });
        self.attribute_ids
            .insert((key.to_owned(), value.to_owned()), id);
        id
    }

    /// The function of a frame spec (see the catalog), and whether it is inlined.
    pub(crate) fn func(&mut self, spec: &str) -> (u32, bool) {
        let (inlined, spec) = match spec.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        if let Some(&id) = self.func_ids.get(spec) {
            return (id, inlined);
        }
        let (kind, body) = spec.split_at(2);
        let (kind, lib, name) = match kind {
            "j:" => (FrameKind::Jvm, None, body),
            "p:" => (FrameKind::Python, None, body),
            "k:" => (FrameKind::Kernel, None, body),
            "g:" => (FrameKind::Native, Some("gateway"), body),
            "u:" => (FrameKind::Raw, Some(body), body),
            "n:" => {
                let (lib, sym) = body.split_once('!').expect("native spec lib!symbol");
                (FrameKind::Native, Some(lib), sym)
            }
            _ => panic!("bad frame spec {spec:?}"),
        };
        let id = self.funcs.len() as u32;
        self.funcs.push(FuncSpec {
            name: name.to_owned(),
            kind,
            lib: lib.map(str::to_owned),
            start_line: 1 + (name_hash(&[name]) % 900) as u32,
        });
        self.func_ids.insert(spec.to_owned(), id);
        (id, inlined)
    }

    pub(crate) fn mapping(&mut self, service: usize, lib: &str) -> (i32, u64, u64, String) {
        if let Some(m) = self.mapping_ids.get(&(service, lib.to_owned())) {
            return (m.index, m.start, m.file_offset, m.base.clone());
        }
        let path = library_path(lib);
        let n = self.mapping_ids.len() as u64;
        let start = if lib == "gateway" {
            0x40_0000
        } else {
            0x7f00_0000_0000 + ((service as u64) << 36) + (n << 28)
        };
        let file_offset = 0x1000 * (1 + name_hash(&[lib]) % 0x90);
        let filename_strindex = self.string(&path);
        let index = self.mappings.len() as i32;
        self.mappings.push(Mapping {
            memory_start: start,
            memory_limit: start + 0x0400_0000,
            file_offset,
            filename_strindex,
            attribute_indices: Vec::new(),
        });
        let base = path.rsplit('/').next().unwrap_or(&path).to_owned();
        self.mapping_ids.insert(
            (service, lib.to_owned()),
            MappingInfo {
                index,
                start,
                file_offset,
                base: base.clone(),
            },
        );
        (index, start, file_offset, base)
    }

    /// The line of `func` where it calls `callee` (or, for a leaf, where it was sampled).
    pub(crate) fn line_of(&self, func: u32, next: Option<u32>, variant: u32) -> u32 {
        let f = &self.funcs[func as usize];
        let h = match next {
            Some(callee) => name_hash(&[&f.name, &self.funcs[callee as usize].name]),
            None => name_hash(&[&f.name, "leaf", &variant.to_string()]),
        };
        f.start_line + 1 + (h % 120) as u32
    }

    /// Location indices (leaf first) of a walk, at most `max_depth` of them (root side cut).
    pub(crate) fn stack_of(
        &mut self,
        service: usize,
        steps: &[Step],
        max_depth: usize,
    ) -> Vec<i32> {
        // Group inlined frames with the frame they are inlined into.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if step.inlined => g.1 = i + 1,
                _ => groups.push((i, i + 1)),
            }
        }
        let keep = groups.len().saturating_sub(max_depth.max(1));
        let mut out: Vec<i32> = groups[keep..]
            .iter()
            .map(|&(a, b)| self.location(service, steps, a, b))
            .collect();
        out.reverse();
        out
    }

    pub(crate) fn location(&mut self, service: usize, steps: &[Step], a: usize, b: usize) -> i32 {
        let first = &self.funcs[steps[a].func as usize];
        let kind = first.kind;
        let lib = first.lib.clone();
        let (key, expected) = if kind == FrameKind::Raw {
            let lib = lib.expect("raw frame has a library");
            let (mapping, start, file_offset, base) = self.mapping(service, &lib);
            let address = start + 0x2_0000 + u64::from(steps[a].variant) * 0x1a3 + 0x40;
            let name = format!("{base}+0x{:x}", address - start + file_offset);
            let key = LocKey {
                mapping,
                address,
                lines: Vec::new(),
            };
            (key, vec![name])
        } else {
            let lines: Vec<(u32, u32)> = (a..b)
                .map(|i| {
                    let next = steps.get(i + 1).map(|s| s.func);
                    (
                        steps[i].func,
                        self.line_of(steps[i].func, next, steps[i].variant),
                    )
                })
                .collect();
            let expected = lines
                .iter()
                .map(|&(f, _)| self.funcs[f as usize].name.clone())
                .collect();
            let (mapping, address) = match (kind, lib) {
                (FrameKind::Native, Some(lib)) => {
                    let (mapping, start, _, _) = self.mapping(service, &lib);
                    let h = lines.iter().fold(0u64, |h, &(f, l)| {
                        mix(h ^ (u64::from(f) << 20) ^ u64::from(l))
                    });
                    (mapping, start + 0x1000 + (h % 0x3f_0000) * 4)
                }
                (FrameKind::Kernel, _) => {
                    let h = name_hash(&[&self.funcs[lines[0].0 as usize].name]);
                    (
                        0,
                        0xffff_ffff_8100_0000 + (h % 0x0100_0000) + u64::from(lines[0].1),
                    )
                }
                _ => (0, 0),
            };
            (
                LocKey {
                    mapping,
                    address,
                    lines,
                },
                expected,
            )
        };
        if let Some(&id) = self.location_ids.get(&key) {
            return id;
        }
        let frame_type = self.attribute("profile.frame.type", kind.frame_type());
        let mut proto_lines = Vec::with_capacity(key.lines.len());
        // Location.lines lists the innermost (inlined) function first.
        for &(func, line) in key.lines.iter().rev() {
            let function_index = self.function_index(func);
            proto_lines.push(Line {
                function_index,
                line: i64::from(line),
                column: 0,
            });
        }
        let id = self.locations.len() as i32;
        self.locations.push(Location {
            mapping_index: key.mapping,
            address: key.address,
            lines: proto_lines,
            attribute_indices: vec![frame_type],
        });
        let names = expected.iter().map(|n| self.name(n)).collect();
        self.location_names.push(names);
        self.location_ids.insert(key, id);
        id
    }

    /// Index of a function in the function table (added on first use).
    pub(crate) fn function_index(&mut self, func: u32) -> i32 {
        if let Some(&id) = self.function_ids.get(&func) {
            return id;
        }
        let spec = &self.funcs[func as usize];
        let (name, file, start_line) = (
            spec.name.clone(),
            source_file(spec.kind, &spec.name),
            spec.start_line,
        );
        let function = Function {
            name_strindex: self.string(&name),
            system_name_strindex: 0,
            filename_strindex: self.string(&file),
            start_line: i64::from(start_line),
        };
        let id = self.functions.len() as i32;
        self.functions.push(function);
        self.function_ids.insert(func, id);
        id
    }
}

pub(crate) fn library_path(lib: &str) -> String {
    match lib {
        "gateway" => "/app/gateway".into(),
        "python3.12" => "/usr/bin/python3.12".into(),
        "libjvm.so" => "/usr/lib/jvm/java-21-openjdk-amd64/lib/server/libjvm.so".into(),
        "libnio.so" => "/usr/lib/jvm/java-21-openjdk-amd64/lib/libnio.so".into(),
        l if l.ends_with(".cpython-312-x86_64-linux-gnu.so") => {
            format!("/usr/lib/python3.12/lib-dynload/{l}")
        }
        l => format!("/usr/lib/x86_64-linux-gnu/{l}"),
    }
}

/// The source file a frame of this kind and name would report.
pub(crate) fn source_file(kind: FrameKind, name: &str) -> String {
    match kind {
        FrameKind::Jvm => {
            let class = name.rsplit_once('.').map_or(name, |(c, _)| c);
            let simple = class.rsplit('.').next().unwrap_or(class);
            let outer = simple.split('$').next().unwrap_or(simple);
            format!("{outer}.java")
        }
        FrameKind::Python => {
            let module = name.split(':').next().unwrap_or(name);
            format!("{}.py", module.replace('.', "/"))
        }
        FrameKind::Native if !name.contains("::") && name.contains('.') => {
            // A Go symbol: the package path, then one file named after the package.
            let slash = name.rfind('/').map_or(0, |i| i + 1);
            let dot = name[slash..].find('.').map_or(name.len(), |i| slash + i);
            let pkg = &name[..dot];
            let last = pkg.rsplit('/').next().unwrap_or(pkg);
            format!("{pkg}/{last}.go")
        }
        _ => String::new(),
    }
}
