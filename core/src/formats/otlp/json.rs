//! OTLP/JSON and JSON Lines, decoded into the same prost messages the protobuf path produces.
//!
//! Producers disagree on the details of OTLP/JSON (reference §1.5 and §2.1): keys in
//! lowerCamelCase or snake_case, 64-bit integers as strings or numbers, ids in hex or base64,
//! and keys renamed between proto releases. This reader accepts every variant we know of and
//! names the exact JSON path when something cannot be read. The `with-serde` feature of
//! `opentelemetry-proto` is not used because its JSON is not OTLP/JSON (reference §3.4).
//!
//! The messages are built while the text streams by (serde visitors, one small reader per
//! kind of value, the path kept by [`jsonx`]), so no `serde_json::Value` tree is built: a
//! tree costs several times the input, and the messages already hold the data once.
//!
//! This file holds the decoding loop and the readers of values; `json/messages.rs` says, per
//! message, which keys hold which fields and how each is read; the tests are in
//! `json/tests.rs`.

use std::cell::RefCell;
use std::marker::PhantomData;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use opentelemetry_proto::tonic::profiles::v1development::{ProfilesData, ValueType};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::trace_proto::TracesData;
use crate::error::{At, Diagnostics, Error, ErrorKind, Format, Result};
use crate::formats::jsonx::{self, Seg, Str};
use crate::limits::Limits;

/// What top-level object a JSON text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `resourceProfiles`: OTLP profiles.
    Profiles,
    /// `resourceSpans`: OTLP traces.
    Traces,
}

/// Tells profiles from traces by the top-level keys of the first JSON object, without parsing
/// it: a byte scan that stops at the first telling key. `None` if the text does not start with
/// an object holding `resourceProfiles` / `resource_profiles` or `resourceSpans` /
/// `resource_spans` (or ends before it could tell: see [`sniff_keys`]).
pub fn sniff(bytes: &[u8]) -> Option<JsonKind> {
    match sniff_keys(bytes) {
        Sniffed::Kind(kind) => Some(kind),
        Sniffed::No | Sniffed::NeedMore => None,
    }
}

/// What [`sniff_keys`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A telling top-level key.
    Kind(JsonKind),
    /// Not an object, or the first object ended without a telling key.
    No,
    /// The text ends inside the first object (or before it) without a telling key yet.
    NeedMore,
}

/// [`sniff`], telling "no" from "the text ends before it could tell".
pub fn sniff_keys(bytes: &[u8]) -> Sniffed {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut i = skip_ws(bytes, 0);
    match bytes.get(i) {
        None => return Sniffed::NeedMore,
        Some(b'{') => {}
        Some(_) => return Sniffed::No,
    }
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = match depth.checked_sub(1) {
                    // The first object ended without a telling key.
                    None | Some(0) => return Sniffed::No,
                    Some(d) => d,
                };
            }
            b'"' => {
                let start = i + 1;
                let Some(len) = bytes.get(start..).and_then(string_len) else {
                    return Sniffed::NeedMore;
                };
                let end = start + len;
                i = end;
                // At depth 1 a string followed by ':' is a top-level key.
                if depth == 1 && bytes.get(skip_ws(bytes, end + 1)) == Some(&b':') {
                    match &bytes[start..end] {
                        b"resourceProfiles" | b"resource_profiles" => {
                            return Sniffed::Kind(JsonKind::Profiles);
                        }
                        b"resourceSpans" | b"resource_spans" => {
                            return Sniffed::Kind(JsonKind::Traces);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    Sniffed::NeedMore
}

/// Decoded messages; `lines` is true when the input was JSON Lines (several objects, one per
/// line, each with its own dictionary).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDecoded<T> {
    /// One message per JSON object, in input order.
    pub messages: Vec<T>,
    /// Whether the input was JSON Lines: several objects, or one compact object ended by a
    /// newline (the collector file exporter's `json` format). A pretty-printed object, or a
    /// compact one with no newline after it, is plain JSON.
    pub lines: bool,
}

/// Decodes OTLP/JSON profiles (`ProfilesData` / `ExportProfilesServiceRequest`), one object or
/// JSON Lines.
pub fn decode_profiles(
    bytes: &[u8],
    limits: &Limits,
    diags: &mut Diagnostics,
) -> Result<JsonDecoded<ProfilesData>> {
    decode(
        bytes,
        limits,
        diags,
        Format::OtlpProfilesJson,
        Format::OtlpProfilesJsonLines,
    )
}

/// Decodes OTLP/JSON traces (`TracesData` / `ExportTraceServiceRequest`), one object or JSON
/// Lines.
pub fn decode_traces(
    bytes: &[u8],
    limits: &Limits,
    diags: &mut Diagnostics,
) -> Result<JsonDecoded<TracesData>> {
    decode(
        bytes,
        limits,
        diags,
        Format::OtlpTracesJson,
        Format::OtlpTracesJson,
    )
}

/// One JSON value, or several separated by whitespace (JSON Lines, blank lines allowed). Each
/// value is first delimited (and its syntax checked) without building anything, then read
/// straight into its message.
fn decode<T: Message>(
    bytes: &[u8],
    limits: &Limits,
    diags: &mut Diagnostics,
    single: Format,
    lines_format: Format,
) -> Result<JsonDecoded<T>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::malformed(single, At::Byte(e.valid_up_to() as u64), "invalid UTF-8"))?;
    // JSON forbids a byte-order mark, but Windows editors write one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A `RawValue` is the text of one value, borrowed: the stream finds where each value ends,
    // and reports syntax errors with their line and column, before any message is built.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    let mut lines = LineCounter { offset: 0, line: 1 };
    let mut decoded = JsonDecoded {
        messages: Vec::new(),
        lines: false,
    };
    let mut format = single;
    loop {
        let start = skip_ws(text.as_bytes(), stream.byte_offset());
        if start >= text.len() {
            break;
        }
        let line = lines.line_of(text.as_bytes(), start);
        let raw = match stream.next() {
            Some(Ok(raw)) => raw,
            Some(Err(e)) => return Err(syntax_error(format, &e)),
            None => break,
        };
        if decoded.messages.is_empty() {
            decoded.lines = is_json_lines(text.as_bytes(), start, stream.byte_offset());
            if decoded.lines {
                format = lines_format;
            }
        }
        let cx = Cx {
            json: jsonx::Ctx::new(format).on_line(decoded.lines.then_some(line)),
            max_len: limits.max_table_len,
            notes: RefCell::default(),
        };
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let read = Val(&cx, Msg::<T>::new()).deserialize(&mut de);
        // What serde refuses only now (nesting past its recursion limit, a bad `\u` escape, a
        // number past f64) has a position within the value, not the file: the path says where.
        let read = read.map_err(|e| de::Error::custom(without_position(&e)));
        let message = cx.json.finish(read)?;
        for note in cx.notes.into_inner() {
            diags.push(format, note);
        }
        decoded.messages.push(message);
    }
    if decoded.messages.is_empty() {
        return Err(Error::malformed(
            single,
            At::Input,
            "the input holds no JSON value",
        ));
    }
    Ok(decoded)
}

fn is_json_lines(text: &[u8], start: usize, end: usize) -> bool {
    let next = skip_ws(text, end);
    let one_line = text.get(start..end).is_some_and(|v| !v.contains(&b'\n'));
    let newline_after = text.get(end..next).is_some_and(|ws| ws.contains(&b'\n'));
    next < text.len() || (one_line && newline_after)
}

/// A serde_json syntax error, with the line in `At` and the column in the message.
fn syntax_error(format: Format, e: &serde_json::Error) -> Error {
    Error::malformed(
        format,
        At::Line(e.line()),
        format!(
            "invalid JSON: {} (column {})",
            without_position(e),
            e.column()
        ),
    )
}

/// A serde_json error's message without its " at line … column …".
fn without_position(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&position) {
        Some(what) => what.to_owned(),
        None => full,
    }
}

/// The offset of the first non-whitespace byte at or after `from` (JSON whitespace only).
fn skip_ws(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    from + rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

/// The length of a JSON string's body up to its closing quote; `None` if it never closes.
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

/// 1-based line numbers for offsets visited in increasing order, in one pass over the text.
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    fn line_of(&mut self, text: &[u8], offset: usize) -> usize {
        if let Some(seen) = text.get(self.offset..offset) {
            self.line += seen.iter().filter(|&&b| b == b'\n').count();
            self.offset = offset;
        }
        self.line
    }
}

// ------------------------------------------------------------------------------------------
// Reading values as they stream by

/// What every reader of one message shares: the JSON path and the error slot (jsonx), the
/// bound on arrays, and the recoverable oddities noted on the way.
struct Cx {
    json: jsonx::Ctx,
    /// `Limits::max_table_len`, applied to every array.
    max_len: u64,
    /// Moved into the caller's `Diagnostics` after the message.
    notes: RefCell<Vec<String>>,
}

impl Cx {
    /// "expected an array, found a number (3)", at the current path.
    fn expected<E: de::Error>(&self, what: &str, found: &Found<'_>) -> E {
        self.json.fail(
            ErrorKind::Malformed,
            format!("expected {what}, found {found}"),
        )
    }

    /// Rejects the pre-v1.8 layout, whose samples point into a flat location list.
    fn v1_7<E: de::Error>(&self) -> E {
        self.json.fail(
            ErrorKind::Unsupported,
            "this is the OTLP/JSON layout of profiles v1.7 or older, which is not supported; \
             export with a producer that writes v1.8 or newer",
        )
    }

    fn note(&self, message: String) {
        self.notes.borrow_mut().push(message);
    }
}

/// A JSON value as serde hands it to a visitor: a scalar, which readers take in this form, or
/// (for what an error says was found) the start of an array or object.
enum Found<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(&'a str),
    Array,
    Object,
}

impl std::fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Found::Null => f.write_str("null"),
            Found::Bool(b) => write!(f, "a boolean ({b})"),
            Found::U64(n) => write!(f, "a number ({n})"),
            Found::I64(n) => write!(f, "a number ({n})"),
            // serde_json's spelling of a float (`1e300`), as its `Number` prints it.
            Found::F64(x) => match serde_json::Number::from_f64(*x) {
                Some(n) => write!(f, "a number ({n})"),
                None => write!(f, "a number ({x})"),
            },
            Found::Str(s) => match s.char_indices().nth(40) {
                Some((cut, _)) => write!(f, "a string ({:?}…)", &s[..cut]),
                None => write!(f, "a string ({s:?})"),
            },
            Found::Array => f.write_str("an array"),
            Found::Object => f.write_str("an object"),
        }
    }
}

/// How one kind of value is read from the JSON value in front of it. Each method takes the
/// value in one shape; a shape the kind does not accept is an "expected …, found …" error.
/// Readers are small `Copy` values, so that an array can make one for each element.
trait Read<'de>: Copy {
    type Out;

    /// What the value should have been, for errors: "an int32", "an object".
    fn what(&self) -> &'static str;

    /// `null` (an error but in a field, where [`OrAbsent`] reads it as the field left out).
    fn null<E: de::Error>(self, cx: &Cx) -> Result<Self::Out, E> {
        Err(cx.expected(self.what(), &Found::Null))
    }

    /// A boolean, number or string.
    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<Self::Out, E> {
        Err(cx.expected(self.what(), &found))
    }

    fn array<A: SeqAccess<'de>>(self, cx: &Cx, _seq: A) -> Result<Self::Out, A::Error> {
        Err(cx.expected(self.what(), &Found::Array))
    }

    fn object<A: MapAccess<'de>>(self, cx: &Cx, _map: A) -> Result<Self::Out, A::Error> {
        Err(cx.expected(self.what(), &Found::Object))
    }
}

/// A reader as a serde seed: it takes whatever value comes and hands it to the reader's method
/// for that shape.
struct Val<'c, R>(&'c Cx, R);

impl<'de, R: Read<'de>> DeserializeSeed<'de> for Val<'_, R> {
    type Value = R::Out;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<R::Out, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, R: Read<'de>> Visitor<'de> for Val<'_, R> {
    type Value = R::Out;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.1.what())
    }

    fn visit_unit<E: de::Error>(self) -> Result<R::Out, E> {
        self.1.null(self.0)
    }

    fn visit_none<E: de::Error>(self) -> Result<R::Out, E> {
        self.1.null(self.0)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<R::Out, E> {
        self.1.scalar(self.0, Found::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<R::Out, E> {
        self.1.scalar(self.0, Found::U64(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<R::Out, E> {
        self.1.scalar(self.0, Found::I64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<R::Out, E> {
        self.1.scalar(self.0, Found::F64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<R::Out, E> {
        self.1.scalar(self.0, Found::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<R::Out, A::Error> {
        self.1.array(self.0, seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R::Out, A::Error> {
        self.1.object(self.0, map)
    }
}

/// A field's reader: `null` is the field left out (proto3 JSON), anything else is `R`'s.
#[derive(Clone, Copy)]
struct OrAbsent<R>(R);

impl<'de, R: Read<'de>> Read<'de> for OrAbsent<R> {
    type Out = Option<R::Out>;

    fn what(&self) -> &'static str {
        self.0.what()
    }

    fn null<E: de::Error>(self, _cx: &Cx) -> Result<Self::Out, E> {
        Ok(None)
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<Self::Out, E> {
        self.0.scalar(cx, found).map(Some)
    }

    fn array<A: SeqAccess<'de>>(self, cx: &Cx, seq: A) -> Result<Self::Out, A::Error> {
        self.0.array(cx, seq).map(Some)
    }

    fn object<A: MapAccess<'de>>(self, cx: &Cx, map: A) -> Result<Self::Out, A::Error> {
        self.0.object(cx, map).map(Some)
    }
}

/// An integer from a JSON number or a decimal string (OTLP/JSON writes 64-bit integers as
/// strings; int32 in a string is tolerated), range-checked into `T`.
struct Int<T> {
    what: &'static str,
    into: PhantomData<fn() -> T>,
}

// By hand: a derive would ask `T: Copy`, which the marker does not need.
impl<T> Clone for Int<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Int<T> {}

const INT32: Int<i32> = Int::named("an int32");
const UINT32: Int<u32> = Int::named("a uint32");
const INT64: Int<i64> = Int::named("an int64");
const UINT64: Int<u64> = Int::named("a uint64");

impl<T> Int<T> {
    const fn named(what: &'static str) -> Self {
        Int {
            what,
            into: PhantomData,
        }
    }
}

impl<'de, T: TryFrom<i128>> Read<'de> for Int<T> {
    type Out = T;

    fn what(&self) -> &'static str {
        self.what
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<T, E> {
        // Integral floats such as `1e3` are tolerated while they are exact.
        const MAX_EXACT: f64 = 9_007_199_254_740_992.0;
        let wide: Option<i128> = match found {
            Found::U64(n) => Some(n.into()),
            Found::I64(n) => Some(n.into()),
            Found::F64(f) => (f.fract() == 0.0 && f.abs() <= MAX_EXACT).then_some(f as i128),
            Found::Str(s) => s.parse().ok(),
            _ => None,
        };
        let wide = wide.ok_or_else(|| cx.expected(self.what, &found))?;
        T::try_from(wide).map_err(|_| {
            cx.json.fail(
                ErrorKind::Malformed,
                format!(
                    "expected {}, found {wide}, which is out of range",
                    self.what
                ),
            )
        })
    }
}

/// A string.
#[derive(Clone, Copy)]
struct Text;

impl<'de> Read<'de> for Text {
    type Out = String;

    fn what(&self) -> &'static str {
        "a string"
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<String, E> {
        match found {
            Found::Str(s) => Ok(s.to_owned()),
            _ => Err(cx.expected(self.what(), &found)),
        }
    }
}

/// A boolean, or leniently "true" / "false".
#[derive(Clone, Copy)]
struct Bool;

impl<'de> Read<'de> for Bool {
    type Out = bool;

    fn what(&self) -> &'static str {
        "a boolean"
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<bool, E> {
        match found {
            Found::Bool(b) => Ok(b),
            Found::Str("true") => Ok(true),
            Found::Str("false") => Ok(false),
            _ => Err(cx.expected(self.what(), &found)),
        }
    }
}

/// A double: a number, or a string as proto3 JSON writes "NaN", "Infinity" and "-Infinity"
/// (`f64::from_str` accepts those, and numbers in strings).
#[derive(Clone, Copy)]
struct Double;

impl<'de> Read<'de> for Double {
    type Out = f64;

    fn what(&self) -> &'static str {
        "a double"
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<f64, E> {
        match found {
            Found::U64(n) => Some(n as f64),
            Found::I64(n) => Some(n as f64),
            Found::F64(x) => Some(x),
            Found::Str(s) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| cx.expected(self.what(), &found))
    }
}

/// A proto3 JSON enum: the number the spec requires or, leniently, the value's name with or
/// without its prefix ("SPAN_KIND_SERVER", "SERVER"), in any case.
#[derive(Clone, Copy)]
struct Enum {
    prefix: &'static str,
    names: &'static [&'static str],
}

impl<'de> Read<'de> for Enum {
    type Out = i32;

    fn what(&self) -> &'static str {
        "an enum number or name"
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<i32, E> {
        if let Found::Str(s) = found {
            let short = match s.get(..self.prefix.len()) {
                Some(p) if p.eq_ignore_ascii_case(self.prefix) => &s[self.prefix.len()..],
                _ => s,
            };
            if let Some(i) = self
                .names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(short))
            {
                return Ok(i as i32);
            }
        }
        Int::named(self.what()).scalar(cx, found)
    }
}

/// A proto3 JSON `bytes` field: base64.
#[derive(Clone, Copy)]
struct Base64;

impl<'de> Read<'de> for Base64 {
    type Out = Vec<u8>;

    fn what(&self) -> &'static str {
        "a string"
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<Vec<u8>, E> {
        let Found::Str(s) = found else {
            return Err(cx.expected(self.what(), &found));
        };
        decode_base64(s).ok_or_else(|| cx.expected("base64", &found))
    }
}

/// A trace, span or profile id of `len` bytes. The spec says hex (either case); Go protojson
/// and pbjson write base64. An empty string means unset.
#[derive(Clone, Copy)]
struct Id {
    len: usize,
    /// "trace id".
    name: &'static str,
}

impl<'de> Read<'de> for Id {
    type Out = Vec<u8>;

    fn what(&self) -> &'static str {
        "a string"
    }

    fn scalar<E: de::Error>(self, cx: &Cx, found: Found<'_>) -> Result<Vec<u8>, E> {
        let Found::Str(s) = found else {
            return Err(cx.expected(self.what(), &found));
        };
        let Id { len, name } = self;
        if s.is_empty() {
            return Ok(Vec::new());
        }
        if s.len() == 2 * len
            && let Some(bytes) = decode_hex(s)
        {
            return Ok(bytes);
        }
        if let Some(bytes) = decode_base64(s).filter(|b| b.len() == len) {
            return Ok(bytes);
        }
        // A wrong length: keep the bytes (they can still match the same id elsewhere).
        let bytes = decode_hex(s)
            .or_else(|| decode_base64(s))
            .ok_or_else(|| cx.expected(&format!("a {name} in hex or base64"), &found))?;
        cx.note(format!(
            "a {name} of {} bytes (expected {len}) was kept as is",
            bytes.len()
        ));
        Ok(bytes)
    }
}

const TRACE_ID: Id = Id {
    len: 16,
    name: "trace id",
};
const SPAN_ID: Id = Id {
    len: 8,
    name: "span id",
};
const PROFILE_ID: Id = Id {
    len: 16,
    name: "profile id",
};

/// An array of what `R` reads, element by element, bounded by `Limits::max_table_len` (every
/// array: tables, samples, and the lists inside them).
#[derive(Clone, Copy)]
struct List<R>(R);

impl<'de, R: Read<'de>> Read<'de> for List<R> {
    type Out = Vec<R::Out>;

    fn what(&self) -> &'static str {
        "an array"
    }

    fn array<A: SeqAccess<'de>>(self, cx: &Cx, seq: A) -> Result<Self::Out, A::Error> {
        let mut items = Vec::new();
        let seed = || Val(cx, self.0);
        jsonx::each_seed(&cx.json, "the array", cx.max_len, seq, seed, |_, item| {
            items.push(item);
            Ok(())
        })?;
        Ok(items)
    }
}

/// The JSON names of a message's fields: one list of names per field.
type Fields = &'static [&'static [&'static str]];

/// The most fields a message has (checked when the reader of each is compiled).
const MAX_FIELDS: usize = 16;

/// A message read from a JSON object as its keys stream by. Every field may be left out
/// (proto3 defaults); unknown keys are skipped.
trait Message: Default {
    /// The JSON names of each field, the preferred name first; each is accepted in snake_case
    /// too. When an object holds two names of one field, the preferred one wins, wherever it
    /// is in the object (a later duplicate of the same name replaces an earlier one).
    const FIELDS: Fields;

    /// Reads the value of the key that matched `name` (one of [`Self::FIELDS`], camelCase).
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error>;
}

/// The reader of a message.
struct Msg<T>(PhantomData<fn() -> T>);

impl<T> Clone for Msg<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Msg<T> {}

impl<T> Msg<T> {
    const fn new() -> Self {
        Msg(PhantomData)
    }
}

impl<'de, T: Message> Read<'de> for Msg<T> {
    type Out = T;

    fn what(&self) -> &'static str {
        "an object"
    }

    fn object<A: MapAccess<'de>>(self, cx: &Cx, mut map: A) -> Result<T, A::Error> {
        const { assert!(T::FIELDS.len() <= MAX_FIELDS, "raise MAX_FIELDS") };
        let mut message = T::default();
        // For each field, the rank of the key it was read from (its name's place in the
        // field's names, twice, plus one for snake_case): a key of a worse rank is skipped.
        let mut ranks = [u8::MAX; MAX_FIELDS];
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let Some(key) = find_field(T::FIELDS, &key.0) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let best = ranks.get_mut(key.field);
            if best.as_deref().is_some_and(|&best| key.rank > best) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            cx.json.push(if key.snake {
                Seg::SnakeKey(key.name)
            } else {
                Seg::Key(key.name)
            });
            let mut read = false;
            let v = Field {
                map: &mut map,
                cx,
                read: &mut read,
            };
            message.field(key.name, v)?;
            cx.json.pop();
            if let Some(best) = best.filter(|_| read) {
                *best = key.rank;
            }
        }
        Ok(message)
    }
}

/// Which field an object key names.
struct Key {
    /// The field's place in `FIELDS`.
    field: usize,
    /// The camelCase name the key matched.
    name: &'static str,
    rank: u8,
    snake: bool,
}

fn find_field(fields: Fields, key: &str) -> Option<Key> {
    fields.iter().enumerate().find_map(|(field, names)| {
        names.iter().zip(0u8..).find_map(|(&name, place)| {
            let snake = if key == name {
                false
            } else if is_snake_case_of(key, name) {
                true
            } else {
                return None;
            };
            Some(Key {
                field,
                name,
                rank: 2 * place + u8::from(snake),
                snake,
            })
        })
    })
}

/// The value of one key of an object, for [`Message::field`] to read.
struct Field<'a, A> {
    map: &'a mut A,
    cx: &'a Cx,
    /// Set when a value (not null) was read.
    read: &'a mut bool,
}

impl<'de, A: MapAccess<'de>> Field<'_, A> {
    /// The value as `r` reads it; `None` for null.
    fn read<R: Read<'de>>(self, r: R) -> Result<Option<R::Out>, A::Error> {
        let value = self.map.next_value_seed(Val(self.cx, OrAbsent(r)))?;
        *self.read = value.is_some();
        Ok(value)
    }

    /// Reads the value into `slot`; null leaves the slot as it is.
    fn set<R: Read<'de>>(self, slot: &mut R::Out, r: R) -> Result<(), A::Error> {
        if let Some(value) = self.read(r)? {
            *slot = value;
        }
        Ok(())
    }

    /// Reads the value into an optional `slot`; null leaves the slot as it is.
    fn set_some<R: Read<'de>>(self, slot: &mut Option<R::Out>, r: R) -> Result<(), A::Error> {
        if let Some(value) = self.read(r)? {
            *slot = Some(value);
        }
        Ok(())
    }

    /// A key only the v1.7 layout has: an error unless its value is null.
    fn v1_7(self) -> Result<(), A::Error> {
        self.read(V1_7).map(drop)
    }

    fn skip(self) -> Result<(), A::Error> {
        self.map.next_value::<IgnoredAny>().map(drop)
    }
}

/// Any value is the v1.7 layout's (null aside, read as absent by [`OrAbsent`]).
#[derive(Clone, Copy)]
struct V1_7;

impl<'de> Read<'de> for V1_7 {
    type Out = ();

    fn what(&self) -> &'static str {
        "no value"
    }

    fn scalar<E: de::Error>(self, cx: &Cx, _: Found<'_>) -> Result<(), E> {
        Err(cx.v1_7())
    }

    fn array<A: SeqAccess<'de>>(self, cx: &Cx, _: A) -> Result<(), A::Error> {
        Err(cx.v1_7())
    }

    fn object<A: MapAccess<'de>>(self, cx: &Cx, _: A) -> Result<(), A::Error> {
        Err(cx.v1_7())
    }
}

/// `Profile.sampleType`: an object since v1.8, an array in v1.7.
#[derive(Clone, Copy)]
struct SampleType;

impl<'de> Read<'de> for SampleType {
    type Out = ValueType;

    fn what(&self) -> &'static str {
        "an object"
    }

    fn array<A: SeqAccess<'de>>(self, cx: &Cx, _: A) -> Result<ValueType, A::Error> {
        Err(cx.v1_7())
    }

    fn object<A: MapAccess<'de>>(self, cx: &Cx, map: A) -> Result<ValueType, A::Error> {
        Msg::new().object(cx, map)
    }
}

/// Whether `key` is `camel` in snake_case (`stackIndex` → `stack_index`), without allocating.
fn is_snake_case_of(key: &str, camel: &str) -> bool {
    let mut key = key.bytes();
    camel.bytes().all(|c| {
        if c.is_ascii_uppercase() {
            key.next() == Some(b'_') && key.next() == Some(c.to_ascii_lowercase())
        } else {
            key.next() == Some(c)
        }
    }) && key.next().is_none()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    fn digit(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Standard or URL-safe base64, padded or not.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    const CONFIG: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, CONFIG);
    STANDARD.decode(s).or_else(|_| URL_SAFE.decode(s)).ok()
}

mod messages;
#[cfg(test)]
mod tests;
