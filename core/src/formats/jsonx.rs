//! Shared pieces of the serde-based JSON importers (speedscope, Chrome/V8, OTLP/JSON): a
//! top-level key sniffer, a JSON path kept while streaming, and arrays read element by element
//! under a [`Limits`](crate::Limits) bound, so no `serde_json::Value` tree is ever built for a
//! whole file.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::error::{At, Error, ErrorKind, Format};
use crate::formats::Detect;

/// What a JSON text that is not OTLP holds, judged by its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// `$schema` naming speedscope's file format.
    Speedscope,
    /// `nodes` and `samples`: a V8 `.cpuprofile`.
    CpuProfile,
    /// `traceEvents`, or a top-level array whose first object has `ph`: Trace Event Format.
    TraceEvents,
}

/// Whether `bytes` are `shape`, for an importer's `sniff`: [`Detect::NeedMore`] when the
/// top-level object was cut before it said.
pub fn detect(bytes: &[u8], shape: JsonShape) -> Detect {
    match sniff(bytes) {
        (Some(s), _) if s == shape => Detect::Yes,
        (None, true) => Detect::NeedMore,
        _ => Detect::No,
    }
}

/// Tell the JSON shapes above apart by a byte scan of the top level (no parse), stopping at
/// the first telling key. `None` for anything else (OTLP JSON among it); the flag says
/// whether the bytes ended before the first object did (more bytes could decide).
pub fn sniff(bytes: &[u8]) -> (Option<JsonShape>, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = skip_ws(bytes, 0);
    let Some(first) = bytes.get(start) else {
        return (None, true);
    };
    match first {
        b'{' => {
            let mut nodes = false;
            let mut samples = false;
            let mut found = None;
            let cut = scan_keys(bytes, start, |key, value_at| {
                match key {
                    b"$schema" => {
                        let value = string_at(bytes, value_at).unwrap_or_default();
                        if contains(value, b"speedscope") {
                            found = Some(JsonShape::Speedscope);
                        }
                    }
                    b"traceEvents" => found = Some(JsonShape::TraceEvents),
                    b"nodes" => nodes = true,
                    b"samples" => samples = true,
                    // OTLP: not ours, stop looking.
                    b"resourceProfiles" | b"resource_profiles" | b"resourceSpans"
                    | b"resource_spans" => return false,
                    _ => {}
                }
                if nodes && samples {
                    found = Some(JsonShape::CpuProfile);
                }
                found.is_none()
            });
            (found, cut && found.is_none())
        }
        b'[' => {
            let first = skip_ws(bytes, start + 1);
            match bytes.get(first) {
                None => return (None, true),
                Some(b'{') => {}
                Some(_) => return (None, false),
            }
            let mut found = None;
            let cut = scan_keys(bytes, first, |key, _| {
                if key == b"ph" {
                    found = Some(JsonShape::TraceEvents);
                }
                found.is_none()
            });
            (found, cut && found.is_none())
        }
        _ => (None, false),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Call `f(key, offset of its value)` for each key of the object opening at `open`, until `f`
/// returns false or the object ends. True if the bytes ended first.
fn scan_keys(bytes: &[u8], open: usize, mut f: impl FnMut(&[u8], usize) -> bool) -> bool {
    let mut depth = 0usize;
    let mut i = open;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return false;
                }
            }
            b'"' => {
                let start = i + 1;
                let Some(len) = bytes.get(start..).and_then(string_len) else {
                    return true;
                };
                let end = start + len;
                i = end;
                let colon = skip_ws(bytes, end + 1);
                if depth == 1
                    && bytes.get(colon) == Some(&b':')
                    && !f(&bytes[start..end], skip_ws(bytes, colon + 1))
                {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// The raw body of the JSON string starting at `at`.
fn string_at(bytes: &[u8], at: usize) -> Option<&[u8]> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let body = bytes.get(at + 1..)?;
    Some(&body[..string_len(body)?])
}

fn skip_ws(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    from + rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

fn string_len(body: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        match b {
            b'"' => return Some(i),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// One step of a JSON path.
#[derive(Debug, Clone)]
pub enum Seg {
    /// `.key`
    Key(&'static str),
    /// `.snake_key`: a key the input wrote in snake_case, kept as the camelCase name it
    /// matched (`stackIndex` for `stack_index`) so that pushing it allocates nothing.
    SnakeKey(&'static str),
    /// `[index]`
    Index(usize),
}

/// Reading state shared by nested visitors: the path to the value being read, and an error
/// of our own (a limit, a bad reference) that serde's error type cannot carry.
///
/// Visitors push a segment when they enter a value and pop it when the value was read; on
/// an error nothing is popped, so the path left behind is where reading stopped.
pub struct Ctx {
    /// The format being read.
    pub format: Format,
    /// The line of the value being read, for JSON Lines (one value per line).
    line: Option<usize>,
    path: RefCell<Vec<Seg>>,
    error: RefCell<Option<Error>>,
}

impl Ctx {
    /// A context for reading `format`.
    pub fn new(format: Format) -> Self {
        Ctx {
            format,
            line: None,
            path: RefCell::new(Vec::new()),
            error: RefCell::new(None),
        }
    }

    /// The same, for the value on `line` of JSON Lines (`None`: a single document): its
    /// errors name the line as well as the path.
    pub fn on_line(self, line: Option<usize>) -> Self {
        Ctx { line, ..self }
    }

    /// Enter a value.
    pub fn push(&self, seg: Seg) {
        self.path.borrow_mut().push(seg);
    }

    /// Leave the value entered last.
    pub fn pop(&self) {
        self.path.borrow_mut().pop();
    }

    /// The current path, `$.a[3].b`.
    pub fn path(&self) -> String {
        path_text(&self.path.borrow())
    }

    /// Record a fatal error of ours at the current path and give serde an error to unwind with.
    pub fn fail<E: de::Error>(&self, kind: ErrorKind, message: impl Into<String>) -> E {
        let message = message.into();
        let e = Error {
            format: self.format,
            at: At::Json {
                line: self.line,
                path: self.path(),
            },
            kind,
            message: message.clone(),
        };
        self.error.borrow_mut().get_or_insert(e);
        E::custom(message)
    }

    /// Turn the result of a serde read into ours: our own error if one was recorded, else
    /// serde's as malformed input at the path where reading stopped.
    pub fn finish<T>(&self, result: Result<T, serde_json::Error>) -> crate::Result<T> {
        result.map_err(|e| match self.error.borrow_mut().take() {
            Some(ours) => ours,
            None => Error::malformed(
                self.format,
                At::Json {
                    line: self.line,
                    path: self.path(),
                },
                format!("not valid JSON here: {e}"),
            ),
        })
    }
}

/// A path as text.
pub fn path_text(segs: &[Seg]) -> String {
    let mut s = String::from("$");
    for seg in segs {
        let _ = match seg {
            Seg::Key(k) => write!(s, ".{k}"),
            Seg::SnakeKey(k) => {
                s.push('.');
                for c in k.chars() {
                    if c.is_ascii_uppercase() {
                        s.push('_');
                    }
                    s.push(c.to_ascii_lowercase());
                }
                Ok(())
            }
            Seg::Index(i) => write!(s, "[{i}]"),
        };
    }
    s
}

/// A located error at an explicit path.
pub fn error_at(
    format: Format,
    kind: ErrorKind,
    path: String,
    message: impl Into<String>,
) -> Error {
    Error {
        format,
        at: At::Json { line: None, path },
        kind,
        message: message.into(),
    }
}

/// Why an element handed to [`Each`] was refused.
#[derive(Debug)]
pub struct Fail(pub ErrorKind, pub String);

impl From<String> for Fail {
    fn from(message: String) -> Self {
        Fail(ErrorKind::Malformed, message)
    }
}

/// A JSON array read element by element: each element goes to `each(index, element)` as it
/// is parsed, and more than `max` elements is a limit error, raised once the first extra
/// element is parsed and before it is kept (one element past the limit is all it costs).
pub struct Each<'c, T, F> {
    /// Context, for the path and our errors.
    pub ctx: &'c Ctx,
    /// What the array is, for the limit message.
    pub what: &'static str,
    /// Most elements allowed.
    pub max: u64,
    /// Called with each element.
    pub each: F,
    /// The element type.
    pub marker: PhantomData<T>,
}

impl<'c, T, F> Each<'c, T, F> {
    /// An array reader.
    pub fn new(ctx: &'c Ctx, what: &'static str, max: u64, each: F) -> Self {
        Each {
            ctx,
            what,
            max,
            each,
            marker: PhantomData,
        }
    }
}

impl<'de, T, F> DeserializeSeed<'de> for Each<'_, T, F>
where
    T: de::Deserialize<'de>,
    F: FnMut(usize, T) -> Result<(), Fail>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T, F> Visitor<'de> for Each<'_, T, F>
where
    T: de::Deserialize<'de>,
    F: FnMut(usize, T) -> Result<(), Fail>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an array ({})", self.what)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        each_seed(
            self.ctx,
            self.what,
            self.max,
            seq,
            PhantomData::<T>::default,
            self.each,
        )
    }
}

/// The loop behind [`Each`], for elements that need state to be read: element `i` is read by
/// the seed `seed()` makes, with `[i]` on the path, and handed to `each(i, value)`. More than
/// `max` elements is a limit error at the first element over it.
pub fn each_seed<'de, A, S>(
    ctx: &Ctx,
    what: &str,
    max: u64,
    mut seq: A,
    mut seed: impl FnMut() -> S,
    mut each: impl FnMut(usize, S::Value) -> Result<(), Fail>,
) -> Result<(), A::Error>
where
    A: SeqAccess<'de>,
    S: DeserializeSeed<'de>,
{
    let mut n = 0usize;
    loop {
        ctx.push(Seg::Index(n));
        let Some(item) = seq.next_element_seed(seed())? else {
            ctx.pop();
            return Ok(());
        };
        if n as u64 >= max {
            return Err(ctx.fail(
                ErrorKind::LimitExceeded,
                format!("{what} has more than {max} entries, the limit"),
            ));
        }
        each(n, item).map_err(|Fail(kind, m)| ctx.fail(kind, m))?;
        ctx.pop();
        n += 1;
    }
}

/// A string that borrows from the input when it has no escapes.
#[derive(Debug, Clone, Default, serde::Deserialize, PartialEq, Eq, Hash)]
#[serde(transparent)]
pub struct Str<'a>(#[serde(borrow)] pub Cow<'a, str>);

/// A JSON number or string, as ids (`pid`, `tid`, node ids) are written by different producers.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    /// An integer.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Text(Cow<'a, str>),
}

impl Scalar<'_> {
    /// As an integer, if it is one (strings of digits too).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Some(*f as i64),
            Scalar::Float(_) => None,
            Scalar::Text(t) => t.trim().parse().ok(),
        }
    }

    /// As text, for an attribute value.
    pub fn text(&self) -> String {
        match self {
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Text(t) => t.to_string(),
        }
    }
}

impl<'de: 'a, 'a> de::Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Text(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A seconds-like float converted to integer nanoseconds, saturating; `None` if not finite.
pub fn to_nanos(value: f64, ns_per_unit: f64) -> Option<i64> {
    let v = value * ns_per_unit;
    v.is_finite().then(|| v.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_spell_snake_case_keys_as_written() {
        let path = [
            Seg::Key("dictionary"),
            Seg::SnakeKey("stringTable"),
            Seg::Index(1),
            Seg::SnakeKey("name"),
        ];
        assert_eq!(path_text(&path), "$.dictionary.string_table[1].name");
    }

    #[test]
    fn sniffs_by_top_level_keys() {
        let s = br#"{"exporter": "x", "$schema": "https://www.speedscope.app/file-format-schema.json"}"#;
        let sniff = |b: &[u8]| super::sniff(b).0;
        assert_eq!(sniff(s), Some(JsonShape::Speedscope));
        assert_eq!(sniff(br#"{"$schema": "other"}"#), None);
        assert_eq!(
            sniff(br#"{"nodes": [{"samples": 1}], "startTime": 0, "samples": []}"#),
            Some(JsonShape::CpuProfile)
        );
        // `samples` below the top level does not count.
        assert_eq!(sniff(br#"{"nodes": [{"samples": 1}]}"#), None);
        assert_eq!(
            sniff(br#"{"otherData": {}, "traceEvents": []}"#),
            Some(JsonShape::TraceEvents)
        );
        assert_eq!(
            sniff(br#" [ {"name": "a", "ph": "X"}"#),
            Some(JsonShape::TraceEvents)
        );
        assert_eq!(sniff(br#"[{"name": "a"}, {"ph": "X"}]"#), None);
        assert_eq!(
            sniff(br#"{"resourceProfiles": [], "traceEvents": []}"#),
            None
        );
        assert_eq!(sniff(b"[1, 2]"), None);
        assert_eq!(sniff(b"main;a 1"), None);
        assert_eq!(sniff(b"[unknown];main 3"), None);
        assert_eq!(
            detect(br#"{"nodes": [{"id""#, JsonShape::CpuProfile),
            Detect::NeedMore
        );
        assert_eq!(
            detect(br#"{"nodes": [], "samples": []"#, JsonShape::CpuProfile),
            Detect::Yes
        );
        assert_eq!(
            detect(br#"{"nodes": []}"#, JsonShape::CpuProfile),
            Detect::No
        );
        assert_eq!(
            detect(br#"{"resourceProfiles": ["#, JsonShape::CpuProfile),
            Detect::No
        );
    }
}
