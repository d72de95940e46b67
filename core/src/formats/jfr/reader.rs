//! The JFR chunk format, read with a bound on everything the input declares: the chunk
//! header, LEB128-style integers and strings ([`Cursor`]), the metadata's classes and fields
//! ([`Types`]), event values ([`Reader`]) and the constant pools ([`Pools`]). What these
//! values mean for a flame graph is the parent module's business.

use rustc_hash::FxHashMap;

use super::*;
pub(super) fn bad(at: usize, message: impl Into<String>) -> Error {
    Error::malformed(Format::Jfr, At::Byte(at as u64), message)
}

// ---------------------------------------------------------------------------------------
// Bytes

/// A bounded cursor over one event (or chunk); positions are absolute in the file.
pub(super) struct Cursor<'a> {
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
    pub(super) end: usize,
    pub(super) varints: bool,
}

impl<'a> Cursor<'a> {
    pub(super) fn left(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.left() {
            return Err(bad(
                self.pos,
                format!(
                    "needs {n} bytes but only {} remain in the event or chunk",
                    self.left()
                ),
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(super) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn be(&mut self, n: usize) -> Result<i64> {
        let bytes = self.take(n)?;
        let v = bytes.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        // Sign-extend from n bytes.
        let shift = 64 - 8 * n as u32;
        Ok(((v << shift) as i64) >> shift)
    }

    /// Seven bits a byte, low first, high bit = more; the ninth byte gives all eight bits.
    pub(super) fn varint(&mut self) -> Result<i64> {
        let start = self.pos;
        let mut v = 0u64;
        for i in 0..8 {
            let b = self
                .u8()
                .map_err(|_| bad(start, "a number runs past the end"))?;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v as i64);
            }
        }
        let b = self
            .u8()
            .map_err(|_| bad(start, "a number runs past the end"))?;
        Ok((v | (u64::from(b) << 56)) as i64)
    }

    pub(super) fn int(&mut self, raw_bytes: usize) -> Result<i64> {
        if self.varints {
            self.varint()
        } else {
            self.be(raw_bytes)
        }
    }

    pub(super) fn long(&mut self) -> Result<i64> {
        self.int(8)
    }

    /// A count of things that each take at least one byte: checked against what is left.
    pub(super) fn count(&mut self, what: &str) -> Result<usize> {
        let at = self.pos;
        let n = self.int(4)?;
        match usize::try_from(n) {
            Ok(n) if n <= self.left() => Ok(n),
            _ => Err(bad(
                at,
                format!(
                    "{what} count {n} is negative or more than the {} bytes left",
                    self.left()
                ),
            )),
        }
    }

    /// A string in any of JFR's encodings. `keep` = false skips it without allocating.
    pub(super) fn string(&mut self, keep: bool) -> Result<Val> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(Val::Skip),
            1 => Ok(if keep {
                Val::Str(String::new())
            } else {
                Val::Skip
            }),
            2 => Ok(Val::StrRef(self.long()?)),
            3 => {
                let n = self.count("string byte")?;
                let bytes = self.take(n)?;
                Ok(if keep {
                    Val::Str(String::from_utf8_lossy(bytes).into_owned())
                } else {
                    Val::Skip
                })
            }
            4 => {
                let n = self.count("string char")?;
                let mut units = Vec::new();
                for _ in 0..n {
                    let c = self.int(2)? as u16;
                    if keep {
                        units.push(c);
                    }
                }
                Ok(if keep {
                    Val::Str(String::from_utf16_lossy(&units))
                } else {
                    Val::Skip
                })
            }
            5 => {
                let n = self.count("string byte")?;
                let bytes = self.take(n)?;
                Ok(if keep {
                    Val::Str(bytes.iter().map(|&b| char::from(b)).collect())
                } else {
                    Val::Skip
                })
            }
            e => Err(bad(at, format!("unknown string encoding {e}"))),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Metadata

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Prim {
    Struct,
    Byte,
    Number,
    Float,
    Double,
    Str,
}

#[derive(Debug)]
pub(super) struct Field {
    pub(super) name: String,
    /// Index into [`Types::classes`].
    pub(super) class: usize,
    pub(super) pool: bool,
    pub(super) array: bool,
}

#[derive(Debug)]
pub(super) struct Class {
    pub(super) name: String,
    pub(super) prim: Prim,
    /// Raw bytes of an integer of this class when varints are off.
    pub(super) width: usize,
    pub(super) fields: Vec<Field>,
}

impl Class {
    pub(super) fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

#[derive(Debug, Default)]
pub(super) struct Types {
    pub(super) classes: Vec<Class>,
    pub(super) by_id: FxHashMap<i64, usize>,
}

impl Types {
    pub(super) fn named(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }
}

/// One element of the metadata tree, borrowing the metadata's string table.
pub(super) struct Element<'s> {
    pub(super) name: &'s str,
    pub(super) attrs: Vec<(&'s str, &'s str)>,
    pub(super) children: Vec<Element<'s>>,
}

impl<'s> Element<'s> {
    pub(super) fn attr(&self, key: &str) -> Option<&'s str> {
        self.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

pub(super) fn read_metadata(c: &mut Cursor<'_>) -> Result<Types> {
    let start = c.pos;
    let _size = c.int(4)?;
    let kind = c.long()?;
    if kind != 0 {
        return Err(bad(
            start,
            format!("the header's metadata offset points at an event of type {kind}, not 0"),
        ));
    }
    let _start_time = c.long()?;
    let _duration = c.long()?;
    let _id = c.long()?;
    let n = c.count("metadata string")?;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        let at = c.pos;
        strings.push(match c.string(true)? {
            Val::Str(s) => s,
            Val::Skip => String::new(),
            _ => return Err(bad(at, "a metadata string refers to a constant pool")),
        });
    }
    let root = element(c, &strings, 0)?;
    let mut types = Types::default();
    let classes: Vec<&Element<'_>> = root
        .children
        .iter()
        .filter(|e| e.name == "metadata")
        .flat_map(|m| &m.children)
        .filter(|e| e.name == "class")
        .collect();
    let id_of = |e: &Element<'_>, key: &str| -> Result<i64> {
        e.attr(key)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad(start, format!("a metadata {} has no numeric {key}", e.name)))
    };
    for class in &classes {
        let name = class.attr("name").unwrap_or_default().to_owned();
        let (prim, width) = match name.as_str() {
            "boolean" | "byte" => (Prim::Byte, 1),
            "char" | "short" => (Prim::Number, 2),
            "int" => (Prim::Number, 4),
            "long" => (Prim::Number, 8),
            "float" => (Prim::Float, 4),
            "double" => (Prim::Double, 8),
            "java.lang.String" => (Prim::Str, 0),
            _ => (Prim::Struct, 0),
        };
        types.by_id.insert(id_of(class, "id")?, types.classes.len());
        types.classes.push(Class {
            name,
            prim,
            width,
            fields: Vec::new(),
        });
    }
    for (i, class) in classes.iter().enumerate() {
        for f in class.children.iter().filter(|e| e.name == "field") {
            let id = id_of(f, "class")?;
            let Some(&target) = types.by_id.get(&id) else {
                return Err(bad(
                    start,
                    format!(
                        "field {} of {} has class id {id}, which the metadata does not declare",
                        f.attr("name").unwrap_or_default(),
                        types.classes[i].name
                    ),
                ));
            };
            let field = Field {
                name: f.attr("name").unwrap_or_default().to_owned(),
                class: target,
                pool: f.attr("constantPool") == Some("true"),
                array: f.attr("dimension").is_some_and(|d| d != "0"),
            };
            types.classes[i].fields.push(field);
        }
    }
    Ok(types)
}

pub(super) fn element<'s>(
    c: &mut Cursor<'_>,
    strings: &'s [String],
    depth: usize,
) -> Result<Element<'s>> {
    if depth > MAX_DEPTH {
        return Err(bad(
            c.pos,
            format!("metadata elements nest deeper than {MAX_DEPTH}"),
        ));
    }
    let string = |c: &mut Cursor<'_>| -> Result<&'s str> {
        let at = c.pos;
        let i = c.int(4)?;
        usize::try_from(i)
            .ok()
            .and_then(|i| strings.get(i))
            .map(String::as_str)
            .ok_or_else(|| bad(at, format!("metadata string index {i} is out of range")))
    };
    let name = string(c)?;
    let n = c.count("metadata attribute")?;
    let mut attrs = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        attrs.push((string(c)?, string(c)?));
    }
    let n = c.count("metadata element")?;
    let mut children = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        children.push(element(c, strings, depth + 1)?);
    }
    Ok(Element {
        name,
        attrs,
        children,
    })
}

// ---------------------------------------------------------------------------------------
// Values and constant pools

/// A value read from a field; inline structures other than stack frames are skipped.
#[derive(Debug, Clone, Default)]
pub(super) enum Val {
    #[default]
    Skip,
    Int(i64),
    Str(String),
    /// A key into the `java.lang.String` pool.
    StrRef(i64),
    /// A key into the pool of a class (an index into [`Types::classes`]).
    Ref(usize, i64),
    Frames(Vec<RawFrame>),
}

#[derive(Debug, Clone)]
pub(super) struct RawFrame {
    pub(super) method: Option<i64>,
    pub(super) line: i64,
    pub(super) kind: Val,
}

impl Val {
    pub(super) fn int(&self) -> Option<i64> {
        match self {
            Val::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub(super) fn key(&self) -> Option<i64> {
        match self {
            Val::Ref(_, k) => Some(*k),
            _ => None,
        }
    }
}

/// Reads values by the metadata's types.
pub(super) struct Reader<'t> {
    pub(super) types: &'t Types,
    pub(super) stack_frame: Option<usize>,
}

impl Reader<'_> {
    pub(super) fn field(
        &self,
        c: &mut Cursor<'_>,
        f: &Field,
        depth: usize,
        keep: bool,
    ) -> Result<Val> {
        if f.array {
            let n = c.count("array element")?;
            let frames = keep && !f.pool && Some(f.class) == self.stack_frame;
            let mut out = Vec::new();
            for _ in 0..n {
                let at = c.pos;
                if frames {
                    out.push(self.frame(c, f.class, depth + 1)?);
                } else {
                    self.single(c, f, depth, false)?;
                }
                if c.pos == at {
                    return Err(bad(at, "an array of values that take no bytes"));
                }
            }
            return Ok(if frames { Val::Frames(out) } else { Val::Skip });
        }
        self.single(c, f, depth, keep)
    }

    pub(super) fn single(
        &self,
        c: &mut Cursor<'_>,
        f: &Field,
        depth: usize,
        keep: bool,
    ) -> Result<Val> {
        if f.pool {
            return Ok(Val::Ref(f.class, c.long()?));
        }
        self.value(c, f.class, depth + 1, keep)
    }

    pub(super) fn value(
        &self,
        c: &mut Cursor<'_>,
        class: usize,
        depth: usize,
        keep: bool,
    ) -> Result<Val> {
        if depth > MAX_DEPTH {
            return Err(bad(
                c.pos,
                format!(
                    "values nest deeper than {MAX_DEPTH}: the metadata's types contain themselves"
                ),
            ));
        }
        let t = &self.types.classes[class];
        Ok(match t.prim {
            Prim::Byte => Val::Int(i64::from(c.u8()?)),
            Prim::Number => Val::Int(c.int(t.width)?),
            Prim::Float => {
                c.take(4)?;
                Val::Skip
            }
            Prim::Double => {
                c.take(8)?;
                Val::Skip
            }
            Prim::Str => c.string(keep)?,
            Prim::Struct => {
                for f in &t.fields {
                    self.field(c, f, depth, false)?;
                }
                Val::Skip
            }
        })
    }

    pub(super) fn frame(&self, c: &mut Cursor<'_>, class: usize, depth: usize) -> Result<RawFrame> {
        let mut frame = RawFrame {
            method: None,
            line: 0,
            kind: Val::Skip,
        };
        for f in &self.types.classes[class].fields {
            let keep = matches!(f.name.as_str(), "method" | "lineNumber" | "type");
            let v = self.field(c, f, depth, keep)?;
            match f.name.as_str() {
                "method" => frame.method = v.key(),
                "lineNumber" => frame.line = v.int().unwrap_or(0),
                "type" => frame.kind = v,
                _ => {}
            }
        }
        Ok(frame)
    }
}

/// The constant pools of one chunk, for the classes a flame graph needs.
#[derive(Default)]
pub(super) struct Pools {
    pub(super) entries: FxHashMap<(usize, i64), Vec<Val>>,
    pub(super) string_class: Option<usize>,
}

/// Classes whose pools are kept.
pub(super) const POOLED: [&str; 8] = [
    "java.lang.String",
    "jdk.types.Symbol",
    "jdk.types.StackTrace",
    "jdk.types.Method",
    "java.lang.Class",
    "jdk.types.Package",
    "java.lang.Thread",
    "jdk.types.FrameType",
];

impl Pools {
    pub(super) fn get(&self, class: usize, key: i64) -> Option<&[Val]> {
        self.entries.get(&(class, key)).map(Vec::as_slice)
    }

    /// Field `name` of the constant that `v` refers to.
    pub(super) fn field<'p>(&'p self, types: &Types, v: &Val, name: &str) -> Option<&'p Val> {
        let Val::Ref(class, key) = v else {
            return None;
        };
        let i = types.classes[*class].field(name)?;
        self.get(*class, *key)?.get(i)
    }

    /// The text a value stands for: a string, a pooled string, or a pooled symbol.
    pub(super) fn text<'p>(&'p self, types: &Types, v: &'p Val, depth: usize) -> Option<&'p str> {
        if depth > 4 {
            return None;
        }
        match v {
            Val::Str(s) => Some(s),
            Val::StrRef(k) => {
                let entry = self.get(self.string_class?, *k)?;
                self.text(types, entry.first()?, depth + 1)
            }
            Val::Ref(class, key) => {
                let t = &types.classes[*class];
                if t.prim == Prim::Str {
                    return self.text(types, self.get(*class, *key)?.first()?, depth + 1);
                }
                let i = t.field("string").or_else(|| t.field("description"))?;
                self.text(types, self.get(*class, *key)?.get(i)?, depth + 1)
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Chunks

pub(super) struct Header {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) metadata: usize,
    pub(super) start_nanos: i64,
    pub(super) duration_nanos: i64,
    pub(super) start_ticks: i64,
    pub(super) ticks_per_second: i64,
    pub(super) varints: bool,
}

pub(super) fn read_header(data: &[u8], start: usize) -> Result<Header> {
    let left = data.len() - start;
    if left < HEADER_SIZE {
        return Err(bad(
            start,
            format!("a chunk header needs {HEADER_SIZE} bytes, only {left} remain"),
        ));
    }
    let mut c = Cursor {
        data,
        pos: start,
        end: start + HEADER_SIZE,
        varints: false,
    };
    if c.take(4)? != MAGIC {
        return Err(bad(start, "a chunk does not start with FLR\\0"));
    }
    let major = c.be(2)?;
    let minor = c.be(2)?;
    if major != 2 {
        return Err(Error {
            format: Format::Jfr,
            at: At::Byte(start as u64 + 4),
            kind: ErrorKind::Unsupported,
            message: format!(
                "JFR version {major}.{minor}; Spanflame reads version 2 (JDK 11 and later)"
            ),
        });
    }
    let size = c.be(8)?;
    let offset = |c: &mut Cursor<'_>, what: &str, size: i64| -> Result<usize> {
        let at = c.pos;
        let v = c.be(8)?;
        if v < HEADER_SIZE as i64 || v >= size {
            return Err(bad(
                at,
                format!("the {what} offset {v} is outside the chunk of {size} bytes"),
            ));
        }
        Ok(v as usize)
    };
    if size < HEADER_SIZE as i64 || size as u64 > left as u64 {
        return Err(bad(
            start + 8,
            format!("the chunk declares {size} bytes, but {left} remain in the file"),
        ));
    }
    let _pools = offset(&mut c, "constant pool", size)?;
    let metadata = offset(&mut c, "metadata", size)?;
    let start_nanos = c.be(8)?;
    let duration_nanos = c.be(8)?;
    let start_ticks = c.be(8)?;
    let at = c.pos;
    let ticks_per_second = c.be(8)?;
    if ticks_per_second <= 0 {
        return Err(bad(at, format!("{ticks_per_second} ticks per second")));
    }
    let flags = data[start + HEADER_SIZE - 1];
    Ok(Header {
        start,
        end: start + size as usize,
        metadata: start + metadata,
        start_nanos,
        duration_nanos,
        start_ticks,
        ticks_per_second,
        varints: flags & 1 != 0,
    })
}

impl Header {
    pub(super) fn cursor<'a>(&self, data: &'a [u8], pos: usize) -> Cursor<'a> {
        Cursor {
            data,
            pos,
            end: self.end,
            varints: self.varints,
        }
    }

    /// UTC nanoseconds of a tick count, 0 if before the epoch.
    pub(super) fn nanos(&self, ticks: i64) -> u64 {
        let ns = i128::from(self.start_nanos)
            + (i128::from(ticks) - i128::from(self.start_ticks)) * 1_000_000_000
                / i128::from(self.ticks_per_second);
        ns.clamp(0, i128::from(u64::MAX)) as u64
    }
}
