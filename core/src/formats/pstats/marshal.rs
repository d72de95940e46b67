//! A bounded reader of Python's `marshal` serialisation, for the objects a `.pstats` file
//! holds: dicts, tuples, strings, numbers, and the code objects the `profile` module puts in
//! its keys (`python -m profile script.py` names the script's code object).
//!
//! Values go into an arena and refer to each other by index, so a back-reference
//! (`FLAG_REF` / `TYPE_REF`) costs nothing and cannot copy a subtree. Every length is checked
//! against the bytes left before anything is reserved, the ref table only grows by objects
//! actually read, a reference to an object still being read (a cycle) is an error, and
//! nesting is bounded.
//!
//! Code objects have a version-dependent layout with no version number in the stream: the
//! first one met is tried against each known layout (newest first) with the reader rolled back
//! between attempts, and the layout that fits is used for the rest of the file.

use std::borrow::Cow;

use crate::error::{At, Error, Format, Result};

/// Deepest nesting of containers accepted. pstats needs 4 levels (dict, tuple, dict, tuple);
/// code objects in keys add two per nested function.
pub const MAX_NESTING: u32 = 100;

const FLAG_REF: u8 = 0x80;

/// An index into [`Marshal::values`].
pub type Id = u32;

/// One decoded object.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer that fits in an `i64`.
    Int(i64),
    /// An integer that does not.
    BigInt,
    /// A float.
    Float(f64),
    /// Text (`str`, or Python 2 `str` bytes read as UTF-8).
    Str(Cow<'a, str>),
    /// `bytes`.
    Bytes(&'a [u8]),
    /// A tuple.
    Tuple(Vec<Id>),
    /// A list.
    List(Vec<Id>),
    /// A dict, in stream order.
    Dict(Vec<(Id, Id)>),
    /// A code object: what a profile key needs of it.
    Code {
        /// `co_name`.
        name: Id,
        /// `co_filename`.
        filename: Id,
        /// `co_firstlineno`.
        line: i64,
    },
    /// Anything else (sets, complex numbers, `...`, `StopIteration`), read and set aside.
    Other,
}

/// A fully read marshal stream.
#[derive(Debug)]
pub struct Marshal<'a> {
    /// Every object read, by id (a container after its contents).
    pub values: Vec<Value<'a>>,
    /// Byte offset where each object starts, for errors.
    pub starts: Vec<u32>,
    /// The top-level object.
    pub root: Id,
    /// Where the top-level object ended (bytes after it are not marshal data).
    pub end: usize,
}

impl<'a> Marshal<'a> {
    /// The object `id`.
    pub fn get(&self, id: Id) -> &Value<'a> {
        &self.values[id as usize]
    }

    /// Where object `id` starts in the input.
    pub fn at(&self, id: Id) -> At {
        At::Byte(self.starts[id as usize].into())
    }

    /// `id` as text, when it is a string (or bytes).
    pub fn str(&self, id: Id) -> Option<Cow<'_, str>> {
        match self.get(id) {
            Value::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            Value::Bytes(b) => Some(String::from_utf8_lossy(b)),
            _ => None,
        }
    }
}

/// Read one marshal object from the start of `bytes`. `max_values` bounds the objects read.
pub fn read(bytes: &[u8], max_values: u64) -> Result<Marshal<'_>> {
    let mut r = Reader {
        bytes,
        pos: 0,
        values: Vec::new(),
        starts: Vec::new(),
        refs: Vec::new(),
        interned: Vec::new(),
        max_values,
        code: None,
    };
    let root = r.object(0)?;
    Ok(Marshal {
        values: r.values,
        starts: r.starts,
        root,
        end: r.pos,
    })
}

/// The layouts of a marshalled code object, by Python version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeLayout {
    /// 3.11 and later: 5 ints, then code, consts, names, localsplusnames, localspluskinds,
    /// filename, name, qualname, firstlineno, linetable, exceptiontable.
    Py311,
    /// 3.8 to 3.10: 6 ints (with posonlyargcount and nlocals), then code, consts, names,
    /// varnames, freevars, cellvars, filename, name, firstlineno, lnotab/linetable.
    Py38,
    /// 3.0 to 3.7: as 3.8 without posonlyargcount.
    Py30,
    /// 2.x: 4 ints (no kwonlyargcount either).
    Py2,
}

/// What a field of a code object must be, for telling layouts apart.
#[derive(Clone, Copy)]
enum Field {
    Bytes,
    Tuple,
    Text,
}

impl CodeLayout {
    const ALL: [CodeLayout; 4] = [
        CodeLayout::Py311,
        CodeLayout::Py38,
        CodeLayout::Py30,
        CodeLayout::Py2,
    ];

    /// Leading ints, fields before firstlineno (with the indices of filename and name), and
    /// fields after it.
    fn shape(self) -> (usize, &'static [Field], usize, usize, &'static [Field]) {
        use Field::*;
        const OLD: &[Field] = &[Bytes, Tuple, Tuple, Tuple, Tuple, Tuple, Text, Text];
        match self {
            CodeLayout::Py311 => (
                5,
                &[Bytes, Tuple, Tuple, Tuple, Bytes, Text, Text, Text],
                5,
                6,
                &[Bytes, Bytes],
            ),
            CodeLayout::Py38 => (6, OLD, 6, 7, &[Bytes]),
            CodeLayout::Py30 => (5, OLD, 6, 7, &[Bytes]),
            CodeLayout::Py2 => (4, OLD, 6, 7, &[Bytes]),
        }
    }
}

/// A ref-table slot: an object being read, or done.
#[derive(Clone, Copy)]
enum Slot {
    Pending,
    Done(Id),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    values: Vec<Value<'a>>,
    starts: Vec<u32>,
    refs: Vec<Slot>,
    /// Python 2's interned strings, for `R` (string ref).
    interned: Vec<Id>,
    max_values: u64,
    code: Option<CodeLayout>,
}

fn bad(at: usize, message: impl Into<String>) -> Error {
    Error::malformed(Format::Pstats, At::Byte(at as u64), message)
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.left() {
            return Err(bad(
                self.pos,
                format!(
                    "the data ends early: {n} bytes needed, {} left",
                    self.left()
                ),
            ));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn i32(&mut self) -> Result<i32> {
        let b = self.take(4)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length: non-negative and no more than the bytes left, each item taking at least
    /// `min_item` bytes.
    fn len(&mut self, what: &str, min_item: usize) -> Result<usize> {
        let at = self.pos;
        let n = self.i32()?;
        let n = usize::try_from(n).map_err(|_| bad(at, format!("{what} has length {n}")))?;
        if n.saturating_mul(min_item) > self.left() {
            return Err(bad(
                at,
                format!(
                    "{what} declares {n} items but only {} bytes are left",
                    self.left()
                ),
            ));
        }
        Ok(n)
    }

    fn push(&mut self, v: Value<'a>, at: usize) -> Result<Id> {
        if self.values.len() as u64 >= self.max_values {
            return Err(Error::limit(
                Format::Pstats,
                At::Byte(self.pos as u64),
                format!(
                    "more than {} marshal objects, the table limit",
                    self.max_values
                ),
            ));
        }
        self.values.push(v);
        // Inputs over 4 GiB are refused by the size limit long before this.
        self.starts.push(u32::try_from(at).unwrap_or(u32::MAX));
        Ok(self.values.len() as Id - 1)
    }

    fn text(&mut self, n: usize, lossy: bool) -> Result<Value<'a>> {
        let at = self.pos;
        let raw = self.take(n)?;
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(Value::Str(Cow::Borrowed(s))),
            // Python 2 `str` is bytes; `surrogatepass` text can hold lone surrogates.
            Err(_) if lossy => Ok(Value::Str(String::from_utf8_lossy(raw))),
            Err(e) => Err(bad(at + e.valid_up_to(), "a string is not valid UTF-8")),
        }
    }

    fn items(&mut self, n: usize, depth: u32) -> Result<Vec<Id>> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.object(depth + 1)?);
        }
        Ok(out)
    }

    /// Read one object.
    fn object(&mut self, depth: u32) -> Result<Id> {
        if depth > MAX_NESTING {
            return Err(Error::limit(
                Format::Pstats,
                At::Byte(self.pos as u64),
                format!("objects nested deeper than {MAX_NESTING} levels"),
            ));
        }
        let at = self.pos;
        let code = self.u8()?;
        let (flag, kind) = (code & FLAG_REF != 0, code & !FLAG_REF);
        match kind {
            b'r' => {
                let i = self.i32()?;
                return match usize::try_from(i).ok().and_then(|i| self.refs.get(i)) {
                    Some(Slot::Done(id)) => Ok(*id),
                    Some(Slot::Pending) => Err(bad(
                        at,
                        format!("reference {i} points to an object that contains it"),
                    )),
                    None => Err(bad(
                        at,
                        format!(
                            "reference {i} points past the {} objects read so far",
                            self.refs.len()
                        ),
                    )),
                };
            }
            b'R' => {
                let i = self.i32()?;
                return usize::try_from(i)
                    .ok()
                    .and_then(|i| self.interned.get(i).copied())
                    .ok_or_else(|| bad(at, format!("string reference {i} is out of range")));
            }
            b'0' => return Err(bad(at, "a null object where a value was expected")),
            _ => {}
        }
        // The slot is taken before the contents, as CPython numbers them.
        let slot = flag.then(|| {
            self.refs.push(Slot::Pending);
            self.refs.len() - 1
        });
        let value = match kind {
            b'N' => Value::None,
            b'T' => Value::Bool(true),
            b'F' => Value::Bool(false),
            b'S' | b'.' => Value::Other,
            b'i' => Value::Int(self.i32()?.into()),
            b'I' => {
                let b = self.take(8)?;
                Value::Int(i64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            }
            b'l' => self.long()?,
            b'g' => {
                let b = self.take(8)?;
                Value::Float(f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            }
            b'f' => self.text_float()?,
            b'y' => {
                self.take(16)?;
                Value::Other
            }
            b'x' => {
                self.text_float()?;
                self.text_float()?;
                Value::Other
            }
            b's' => {
                let n = self.len("a bytes object", 1)?;
                Value::Bytes(self.take(n)?)
            }
            b't' | b'u' | b'a' | b'A' => {
                let n = self.len("a string", 1)?;
                self.text(n, kind != b'a' && kind != b'A')?
            }
            b'z' | b'Z' => {
                let n = self.u8()? as usize;
                self.text(n, false)?
            }
            b'(' | b'[' | b'<' | b'>' => {
                let n = self.len("a container", 1)?;
                let items = self.items(n, depth)?;
                match kind {
                    b'(' => Value::Tuple(items),
                    b'[' => Value::List(items),
                    _ => Value::Other,
                }
            }
            b')' => {
                let n = self.u8()? as usize;
                Value::Tuple(self.items(n, depth)?)
            }
            b'{' => self.dict(depth)?,
            b'c' => self.code(depth)?,
            _ => {
                return Err(bad(at, format!("unknown marshal type byte 0x{code:02x}")));
            }
        };
        let id = self.push(value, at)?;
        if let Some(slot) = slot {
            self.refs[slot] = Slot::Done(id);
        }
        if kind == b't' {
            self.interned.push(id);
        }
        Ok(id)
    }

    fn dict(&mut self, depth: u32) -> Result<Value<'a>> {
        let mut entries = Vec::new();
        loop {
            // `0` (null) ends a dict.
            match self.bytes.get(self.pos) {
                Some(b'0') => {
                    self.pos += 1;
                    return Ok(Value::Dict(entries));
                }
                Some(_) => {}
                None => return Err(bad(self.pos, "the data ends inside a dict")),
            }
            let key = self.object(depth + 1)?;
            let value = self.object(depth + 1)?;
            entries.push((key, value));
        }
    }

    /// `l`: a signed digit count, then that many 15-bit digits, least significant first.
    fn long(&mut self) -> Result<Value<'a>> {
        let at = self.pos;
        let n = self.i32()?;
        let digits = n.unsigned_abs() as usize;
        if digits.saturating_mul(2) > self.left() {
            return Err(bad(
                at,
                format!("an integer of {digits} digits, more than the bytes left"),
            ));
        }
        let raw = self.take(digits * 2)?;
        let mut value: i128 = 0;
        let mut big = false;
        for (i, d) in raw.chunks_exact(2).enumerate() {
            let d = u16::from_le_bytes([d[0], d[1]]);
            if d >= 1 << 15 {
                return Err(bad(at, "an integer digit is out of range"));
            }
            // 2^(15*8) > i64::MAX: anything with more digits that are not zero is too big.
            if i >= 8 {
                big |= d != 0;
            } else {
                value |= i128::from(d) << (15 * i);
            }
        }
        if n < 0 {
            value = -value;
        }
        Ok(match i64::try_from(value) {
            Ok(v) if !big => Value::Int(v),
            _ => Value::BigInt,
        })
    }

    /// `f`: a one-byte length, then the float's `repr`.
    fn text_float(&mut self) -> Result<Value<'a>> {
        let at = self.pos;
        let n = self.u8()? as usize;
        let raw = self.take(n)?;
        std::str::from_utf8(raw)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .map(Value::Float)
            .ok_or_else(|| bad(at, "a text float does not parse"))
    }

    fn code(&mut self, depth: u32) -> Result<Value<'a>> {
        if let Some(layout) = self.code {
            return self.code_as(layout, depth);
        }
        // The first code object decides the layout; roll back between attempts.
        let (pos, values, refs, interned) = (
            self.pos,
            self.values.len(),
            self.refs.len(),
            self.interned.len(),
        );
        let mut furthest: Option<(usize, Error)> = None;
        for layout in CodeLayout::ALL {
            self.code = Some(layout);
            match self.code_as(layout, depth) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    if furthest.as_ref().is_none_or(|(p, _)| self.pos > *p) {
                        furthest = Some((self.pos, e));
                    }
                    self.pos = pos;
                    self.values.truncate(values);
                    self.starts.truncate(values);
                    self.refs.truncate(refs);
                    self.interned.truncate(interned);
                }
            }
        }
        self.code = None;
        Err(furthest.map_or_else(|| bad(pos, "a code object does not parse"), |(_, e)| e))
    }

    fn code_as(&mut self, layout: CodeLayout, depth: u32) -> Result<Value<'a>> {
        let (ints, before, filename_at, name_at, after) = layout.shape();
        self.take(4 * ints)?;
        let mut filename = 0;
        let mut name = 0;
        for (i, &field) in before.iter().enumerate() {
            let id = self.field(field, depth)?;
            if i == filename_at {
                filename = id;
            }
            if i == name_at {
                name = id;
            }
        }
        let line = self.i32()?.into();
        for &field in after {
            self.field(field, depth)?;
        }
        Ok(Value::Code {
            name,
            filename,
            line,
        })
    }

    fn field(&mut self, field: Field, depth: u32) -> Result<Id> {
        let at = self.pos;
        let id = self.object(depth + 1)?;
        let ok = matches!(
            (field, &self.values[id as usize]),
            (Field::Bytes, Value::Bytes(_))
                | (Field::Tuple, Value::Tuple(_))
                | (Field::Text, Value::Str(_) | Value::Bytes(_))
        );
        if !ok {
            return Err(bad(at, "a code object field has the wrong type"));
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> Result<Value<'_>> {
        let m = read(bytes, 1000)?;
        Ok(m.get(m.root).clone())
    }

    #[test]
    fn scalars() {
        assert_eq!(one(b"N").unwrap(), Value::None);
        assert_eq!(one(b"i\xff\xff\xff\xff").unwrap(), Value::Int(-1));
        assert_eq!(one(b"\xe9\x05\0\0\0").unwrap(), Value::Int(5));
        assert_eq!(
            one(&[b'g', 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]).unwrap(),
            Value::Float(1.5)
        );
        assert_eq!(one(b"f\x041e-5").unwrap(), Value::Float(1e-5));
        // 2^15 + 1 as two 15-bit digits, negated.
        assert_eq!(
            one(b"l\xfe\xff\xff\xff\x01\0\x01\0").unwrap(),
            Value::Int(-32769)
        );
        assert_eq!(
            one(b"l\x0a\0\0\0\x01\0\x01\0\x01\0\x01\0\x01\0\x01\0\x01\0\x01\0\x01\0\x01\0")
                .unwrap(),
            Value::BigInt
        );
        assert_eq!(one(b"z\x03abc").unwrap(), Value::Str(Cow::Borrowed("abc")));
        assert_eq!(
            one(b"u\x02\0\0\0\xc3\xa9").unwrap(),
            Value::Str(Cow::Borrowed("é"))
        );
    }

    #[test]
    fn refs_share_and_cycles_fail() {
        // A tuple of a flagged string and a ref to it.
        let m = read(b")\x02\xfa\x01ar\x00\x00\x00\x00", 100).unwrap();
        let Value::Tuple(items) = m.get(m.root) else {
            panic!()
        };
        assert_eq!(items[0], items[1]);
        // A flagged tuple holding a ref to itself.
        let e = read(b"\xa9\x01r\x00\x00\x00\x00", 100).unwrap_err();
        assert!(e.message.contains("contains it"), "{e}");
        assert_eq!(e.at, At::Byte(2));
        // A ref to a slot not read yet.
        let e = read(b")\x01r\x05\x00\x00\x00", 100).unwrap_err();
        assert!(e.message.contains("past the 0 objects"), "{e}");
        let e = read(b"r\xff\xff\xff\xff", 100).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Malformed);
    }

    #[test]
    fn lengths_and_depth_are_bounded() {
        let e = read(b"(\xff\xff\xff\x7f", 100).unwrap_err();
        assert!(e.message.contains("declares 2147483647 items"), "{e}");
        let e = read(b"s\xff\xff\xff\xff", 100).unwrap_err();
        assert!(e.message.contains("length -1"), "{e}");
        let deep = [b")\x01".repeat(200), b"N".to_vec()].concat();
        let e = read(&deep, 10_000).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::LimitExceeded);
        let e = read(&b")\x03NNN"[..], 2).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::LimitExceeded);
        let e = read(b"{N", 100).unwrap_err();
        assert_eq!(e.at, At::Byte(2));
    }
}
