//! OTLP/JSON and JSON Lines, decoded into the same prost messages the protobuf path produces.
//!
//! Producers disagree on the details of OTLP/JSON (reference §1.5 and §2.1): keys in
//! lowerCamelCase or snake_case, 64-bit integers as strings or numbers, ids in hex or base64,
//! and keys renamed between proto releases. This reader walks a `serde_json::Value` with a
//! cursor that remembers its JSON path, accepts every variant we know of, and names the exact
//! path when something cannot be read. The `with-serde` feature of `opentelemetry-proto` is not
//! used because its JSON is not OTLP/JSON (reference §3.4).
//!
//! Long (~1000 lines) on purpose: one path-tracking cursor and the per-message readers that
//! use it belong together; its tests are in `json/tests.rs`.

use std::cell::RefCell;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList, any_value,
};
use opentelemetry_proto::tonic::profiles::v1development::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde_json::{Map, Value};

use super::trace_proto::{ResourceSpans, ScopeSpans, Span, Status, TracesData};
use crate::error::{At, Diagnostics, Error, ErrorKind, Format, Result};
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
/// value is parsed, converted and dropped before the next, so only one tree is in memory.
fn decode<T: FromJson>(
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
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
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
        let value = match stream.next() {
            Some(Ok(value)) => value,
            Some(Err(e)) => return Err(syntax_error(format, &e)),
            None => break,
        };
        if decoded.messages.is_empty() {
            decoded.lines = is_json_lines(text.as_bytes(), start, stream.byte_offset());
            if decoded.lines {
                format = lines_format;
            }
        }
        let ctx = Ctx {
            format,
            line: decoded.lines.then_some(line),
            max_len: limits.max_table_len,
            notes: RefCell::default(),
        };
        let message = T::read(&Cur::root(&value, &ctx))?;
        for note in ctx.notes.into_inner() {
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

/// Whether the first value, at `start..end`, begins JSON Lines: more values follow it, or it
/// is one line ended by a newline, as the collector's file exporter writes a single export.
fn is_json_lines(text: &[u8], start: usize, end: usize) -> bool {
    let next = skip_ws(text, end);
    let one_line = text.get(start..end).is_some_and(|v| !v.contains(&b'\n'));
    let newline_after = text.get(end..next).is_some_and(|ws| ws.contains(&b'\n'));
    next < text.len() || (one_line && newline_after)
}

/// A serde_json syntax error, with the line in `At` and the column in the message.
fn syntax_error(format: Format, e: &serde_json::Error) -> Error {
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let what = full.strip_suffix(&position).unwrap_or(&full);
    Error::malformed(
        format,
        At::Line(e.line()),
        format!("invalid JSON: {what} (column {})", e.column()),
    )
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
// The cursor

/// What every cursor into one message shares.
struct Ctx {
    format: Format,
    /// The JSON Lines line of the message; `None` for a single object.
    line: Option<usize>,
    max_len: u64,
    /// Recoverable oddities, moved into the caller's `Diagnostics` after the message.
    notes: RefCell<Vec<String>>,
}

/// One step of a JSON path.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// A JSON value and the path that reached it. The path is the chain of parent cursors on the
/// stack; it is turned into text only when an error needs it.
#[derive(Clone, Copy)]
struct Cur<'a> {
    value: &'a Value,
    step: Step<'a>,
    parent: Option<&'a Cur<'a>>,
    ctx: &'a Ctx,
}

impl<'a> Cur<'a> {
    fn root(value: &'a Value, ctx: &'a Ctx) -> Self {
        Cur {
            value,
            step: Step::Root,
            parent: None,
            ctx,
        }
    }

    fn child<'b>(&'b self, step: Step<'b>, value: &'b Value) -> Cur<'b> {
        Cur {
            value,
            step,
            parent: Some(self),
            ctx: self.ctx,
        }
    }

    /// `$.resourceProfiles[0].dictionary`, spelled with the keys the input used.
    fn path(&self) -> String {
        let mut steps = Vec::new();
        let mut cur = Some(self);
        while let Some(c) = cur {
            steps.push(c.step);
            cur = c.parent;
        }
        let mut path = String::from("$");
        for step in steps.iter().rev() {
            match step {
                Step::Root => {}
                Step::Key(key) => {
                    path.push('.');
                    path.push_str(key);
                }
                Step::Index(i) => {
                    let _ = write!(path, "[{i}]");
                }
            }
        }
        path
    }

    fn error(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            format: self.ctx.format,
            at: At::Json {
                line: self.ctx.line,
                path: self.path(),
            },
            kind,
            message: message.into(),
        }
    }

    /// "expected an array, found a number (3)".
    fn expected(&self, what: &str) -> Error {
        self.error(
            ErrorKind::Malformed,
            format!("expected {what}, found {}", describe(self.value)),
        )
    }

    /// Rejects the pre-v1.8 layout, whose samples point into a flat location list.
    fn v1_7(&self) -> Error {
        self.error(
            ErrorKind::Unsupported,
            "this is the OTLP/JSON layout of profiles v1.7 or older, which is not supported; \
             export with a producer that writes v1.8 or newer",
        )
    }

    fn note(&self, message: String) {
        self.ctx.notes.borrow_mut().push(message);
    }

    /// The first of `names` that is present and not null; each name is also tried in
    /// snake_case. `None` when absent or when this is not an object.
    fn field(&self, names: &[&'static str]) -> Option<Cur<'_>> {
        let obj = self.value.as_object()?;
        let (key, value) = names.iter().find_map(|name| lookup(obj, name))?;
        Some(self.child(Step::Key(key), value))
    }

    /// A field read with `T`'s rules, or `T::default()` when absent (proto3 defaults).
    fn get<T: FromJson + Default>(&self, names: &[&'static str]) -> Result<T> {
        self.get_with(names, T::read)
    }

    /// A field read with `read`, or `T::default()` when absent.
    fn get_with<T: Default>(
        &self,
        names: &[&'static str],
        read: impl FnOnce(&Cur<'_>) -> Result<T>,
    ) -> Result<T> {
        self.field(names)
            .map_or_else(|| Ok(T::default()), |c| read(&c))
    }

    fn object(&self) -> Result<&'a Map<String, Value>> {
        self.value
            .as_object()
            .ok_or_else(|| self.expected("an object"))
    }

    /// An array, checked against `Limits::max_table_len` before anything is allocated for it
    /// (every array: tables, samples, and the lists inside them).
    fn array(&self) -> Result<&'a [Value]> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.expected("an array"))?;
        if items.len() as u64 > self.ctx.max_len {
            return Err(self.error(
                ErrorKind::LimitExceeded,
                format!(
                    "{} entries, more than the limit of {} (Limits::max_table_len)",
                    items.len(),
                    self.ctx.max_len
                ),
            ));
        }
        Ok(items)
    }

    fn str(&self) -> Result<&'a str> {
        self.value.as_str().ok_or_else(|| self.expected("a string"))
    }

    /// An integer from a JSON number or a decimal string (OTLP/JSON writes 64-bit integers as
    /// strings; int32 in a string is tolerated), range-checked into `T`.
    fn int<T: TryFrom<i128>>(&self, what: &str) -> Result<T> {
        // Integral floats such as `1e3` are tolerated while they are exact.
        const MAX_EXACT: f64 = 9_007_199_254_740_992.0;
        let wide: Option<i128> = match self.value {
            Value::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() <= MAX_EXACT)
                        .map(|f| f as i128)
                }),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        let wide = wide.ok_or_else(|| self.expected(what))?;
        T::try_from(wide).map_err(|_| {
            self.error(
                ErrorKind::Malformed,
                format!("expected {what}, found {wide}, which is out of range"),
            )
        })
    }

    /// A proto3 JSON enum: the number the spec requires or, leniently, the value's name with
    /// or without its prefix ("SPAN_KIND_SERVER", "SERVER"), in any case.
    fn enum_value(&self, prefix: &str, names: &[&str]) -> Result<i32> {
        if let Value::String(s) = self.value {
            let short = match s.get(..prefix.len()) {
                Some(p) if p.eq_ignore_ascii_case(prefix) => &s[prefix.len()..],
                _ => s.as_str(),
            };
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(short)) {
                return Ok(i as i32);
            }
        }
        self.int("an enum number or name")
    }

    /// A proto3 JSON `bytes` field: base64.
    fn base64(&self) -> Result<Vec<u8>> {
        decode_base64(self.str()?).ok_or_else(|| self.expected("base64"))
    }

    /// A trace, span or profile id of `len` bytes. The spec says hex (either case); Go
    /// protojson and pbjson write base64. An empty string means unset.
    fn id(&self, len: usize, what: &str) -> Result<Vec<u8>> {
        let s = self.str()?;
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
            .ok_or_else(|| self.expected(&format!("a {what} in hex or base64")))?;
        self.note(format!(
            "a {what} of {} bytes (expected {len}) was kept as is",
            bytes.len()
        ));
        Ok(bytes)
    }
}

/// `obj[name]`, or the snake_case spelling of `name`; null counts as absent.
fn lookup<'v>(obj: &'v Map<String, Value>, camel: &str) -> Option<(&'v str, &'v Value)> {
    let found = obj.get_key_value(camel).or_else(|| {
        if camel.bytes().any(|b| b.is_ascii_uppercase()) {
            obj.iter().find(|(key, _)| is_snake_case_of(key, camel))
        } else {
            None
        }
    });
    found
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| (key.as_str(), value))
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

/// A short description of a value for error messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => match s.char_indices().nth(40) {
            Some((cut, _)) => format!("a string ({:?}…)", &s[..cut]),
            None => format!("a string ({s:?})"),
        },
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
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

// ------------------------------------------------------------------------------------------
// Reading values and messages

/// Reads one scalar, list or message from the value under a cursor.
trait FromJson: Sized {
    fn read(c: &Cur<'_>) -> Result<Self>;
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read(c: &Cur<'_>) -> Result<Self> {
        let items = c.array()?;
        (items.iter().enumerate())
            .map(|(i, value)| T::read(&c.child(Step::Index(i), value)))
            .collect()
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn read(c: &Cur<'_>) -> Result<Self> {
        T::read(c).map(Some)
    }
}

macro_rules! int_from_json {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl FromJson for $ty {
            fn read(c: &Cur<'_>) -> Result<Self> {
                c.int($what)
            }
        }
    )*};
}

int_from_json!(i32 => "an int32", u32 => "a uint32", i64 => "an int64", u64 => "a uint64");

impl FromJson for String {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.str().map(str::to_owned)
    }
}

impl FromJson for bool {
    fn read(c: &Cur<'_>) -> Result<Self> {
        match c.value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" => Ok(true),
            Value::String(s) if s == "false" => Ok(false),
            _ => Err(c.expected("a boolean")),
        }
    }
}

impl FromJson for f64 {
    fn read(c: &Cur<'_>) -> Result<Self> {
        match c.value {
            Value::Number(n) => n.as_f64(),
            // Proto3 JSON writes non-finite doubles as "NaN", "Infinity" and "-Infinity",
            // which `f64::from_str` accepts, as it does numbers in strings.
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| c.expected("a double"))
    }
}

// --- common.v1 and resource.v1

impl FromJson for AnyValue {
    fn read(c: &Cur<'_>) -> Result<Self> {
        use any_value::Value as V;
        c.object()?;
        const KINDS: [&str; 8] = [
            "stringValue",
            "boolValue",
            "intValue",
            "doubleValue",
            "arrayValue",
            "kvlistValue",
            "bytesValue",
            "stringValueStrindex",
        ];
        // `{}` is an empty value; if several kinds are set, the first in field order wins.
        let Some((kind, f)) = KINDS
            .iter()
            .find_map(|&kind| c.field(&[kind]).map(|f| (kind, f)))
        else {
            return Ok(AnyValue { value: None });
        };
        let value = match kind {
            "stringValue" => V::StringValue(String::read(&f)?),
            "boolValue" => V::BoolValue(bool::read(&f)?),
            "intValue" => V::IntValue(i64::read(&f)?),
            "doubleValue" => V::DoubleValue(f64::read(&f)?),
            "arrayValue" => V::ArrayValue(ArrayValue::read(&f)?),
            "kvlistValue" => V::KvlistValue(KeyValueList::read(&f)?),
            "bytesValue" => V::BytesValue(f.base64()?),
            _ => V::StringValueStrindex(i32::read(&f)?),
        };
        Ok(AnyValue { value: Some(value) })
    }
}

impl FromJson for ArrayValue {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ArrayValue {
            values: c.get(&["values"])?,
        })
    }
}

impl FromJson for KeyValueList {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(KeyValueList {
            values: c.get(&["values"])?,
        })
    }
}

impl FromJson for KeyValue {
    /// `key` or `keyStrindex`; a later stage resolves the index against the string table.
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(KeyValue {
            key: c.get(&["key"])?,
            value: c.get(&["value"])?,
            key_strindex: c.get(&["keyStrindex"])?,
        })
    }
}

impl FromJson for InstrumentationScope {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(InstrumentationScope {
            name: c.get(&["name"])?,
            version: c.get(&["version"])?,
            attributes: c.get(&["attributes"])?,
            dropped_attributes_count: c.get(&["droppedAttributesCount"])?,
        })
    }
}

impl FromJson for EntityRef {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(EntityRef {
            schema_url: c.get(&["schemaUrl"])?,
            r#type: c.get(&["type"])?,
            id_keys: c.get(&["idKeys"])?,
            description_keys: c.get(&["descriptionKeys"])?,
        })
    }
}

impl FromJson for Resource {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Resource {
            attributes: c.get(&["attributes"])?,
            dropped_attributes_count: c.get(&["droppedAttributesCount"])?,
            entity_refs: c.get(&["entityRefs"])?,
        })
    }
}

// --- profiles.v1development

impl FromJson for ProfilesData {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ProfilesData {
            resource_profiles: c.get(&["resourceProfiles"])?,
            dictionary: c.get(&["dictionary"])?,
        })
    }
}

impl FromJson for ProfilesDictionary {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ProfilesDictionary {
            mapping_table: c.get(&["mappingTable"])?,
            location_table: c.get(&["locationTable"])?,
            function_table: c.get(&["functionTable"])?,
            link_table: c.get(&["linkTable"])?,
            string_table: c.get(&["stringTable"])?,
            attribute_table: c.get(&["attributeTable"])?,
            stack_table: c.get(&["stackTable"])?,
        })
    }
}

impl FromJson for ResourceProfiles {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ResourceProfiles {
            resource: c.get(&["resource"])?,
            scope_profiles: c.get(&["scopeProfiles"])?,
            schema_url: c.get(&["schemaUrl"])?,
        })
    }
}

impl FromJson for ScopeProfiles {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ScopeProfiles {
            scope: c.get(&["scope"])?,
            profiles: c.get(&["profiles"])?,
            schema_url: c.get(&["schemaUrl"])?,
        })
    }
}

impl FromJson for Profile {
    /// Keys of v1.8 (`sample`, `timeNanos`…) are read too; `commentStrindices`,
    /// `aggregationTemporality` and `attributeUnits` are ignored like any unknown key.
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        if let Some(f) = c.field(&["locationIndices"]) {
            return Err(f.v1_7());
        }
        let sample_type = match c.field(&["sampleType"]) {
            Some(f) if f.value.is_array() => return Err(f.v1_7()),
            Some(f) => Some(ValueType::read(&f)?),
            None => None,
        };
        Ok(Profile {
            sample_type,
            samples: c.get(&["samples", "sample"])?,
            time_unix_nano: c.get(&["timeUnixNano", "timeNanos"])?,
            duration_nano: c.get(&["durationNano", "durationNanos"])?,
            period_type: c.get(&["periodType"])?,
            period: c.get(&["period"])?,
            profile_id: c.get_with(&["profileId"], |f| f.id(16, "profile id"))?,
            dropped_attributes_count: c.get(&["droppedAttributesCount"])?,
            original_payload_format: c.get(&["originalPayloadFormat"])?,
            original_payload: c.get_with(&["originalPayload"], |f| f.base64())?,
            attribute_indices: c.get(&["attributeIndices"])?,
        })
    }
}

impl FromJson for ValueType {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ValueType {
            type_strindex: c.get(&["typeStrindex"])?,
            unit_strindex: c.get(&["unitStrindex"])?,
        })
    }
}

impl FromJson for Sample {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        if let Some(f) = c.field(&["locationsStartIndex", "locationsLength"]) {
            return Err(f.v1_7());
        }
        Ok(Sample {
            stack_index: c.get(&["stackIndex"])?,
            attribute_indices: c.get(&["attributeIndices"])?,
            link_index: c.get(&["linkIndex"])?,
            values: c.get(&["values"])?,
            timestamps_unix_nano: c.get(&["timestampsUnixNano"])?,
        })
    }
}

impl FromJson for Link {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Link {
            trace_id: c.get_with(&["traceId"], |f| f.id(16, "trace id"))?,
            span_id: c.get_with(&["spanId"], |f| f.id(8, "span id"))?,
        })
    }
}

impl FromJson for Mapping {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Mapping {
            memory_start: c.get(&["memoryStart"])?,
            memory_limit: c.get(&["memoryLimit"])?,
            file_offset: c.get(&["fileOffset"])?,
            filename_strindex: c.get(&["filenameStrindex"])?,
            attribute_indices: c.get(&["attributeIndices"])?,
        })
    }
}

impl FromJson for Stack {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Stack {
            location_indices: c.get(&["locationIndices"])?,
        })
    }
}

impl FromJson for Location {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Location {
            mapping_index: c.get(&["mappingIndex"])?,
            address: c.get(&["address"])?,
            lines: c.get(&["lines", "line"])?,
            attribute_indices: c.get(&["attributeIndices"])?,
        })
    }
}

impl FromJson for Line {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Line {
            function_index: c.get(&["functionIndex"])?,
            line: c.get(&["line"])?,
            column: c.get(&["column"])?,
        })
    }
}

impl FromJson for Function {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Function {
            name_strindex: c.get(&["nameStrindex"])?,
            system_name_strindex: c.get(&["systemNameStrindex"])?,
            filename_strindex: c.get(&["filenameStrindex"])?,
            start_line: c.get(&["startLine"])?,
        })
    }
}

impl FromJson for KeyValueAndUnit {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(KeyValueAndUnit {
            key_strindex: c.get(&["keyStrindex"])?,
            value: c.get(&["value"])?,
            unit_strindex: c.get(&["unitStrindex"])?,
        })
    }
}

// --- trace.v1

impl FromJson for TracesData {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(TracesData {
            resource_spans: c.get(&["resourceSpans"])?,
        })
    }
}

impl FromJson for ResourceSpans {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ResourceSpans {
            resource: c.get(&["resource"])?,
            // `instrumentationLibrarySpans` is the pre-1.0 name, still written by old SDKs.
            scope_spans: c.get(&["scopeSpans", "instrumentationLibrarySpans"])?,
            schema_url: c.get(&["schemaUrl"])?,
        })
    }
}

impl FromJson for ScopeSpans {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(ScopeSpans {
            scope: c.get(&["scope", "instrumentationLibrary"])?,
            spans: c.get(&["spans"])?,
            schema_url: c.get(&["schemaUrl"])?,
        })
    }
}

impl FromJson for Span {
    fn read(c: &Cur<'_>) -> Result<Self> {
        const KINDS: [&str; 6] = [
            "UNSPECIFIED",
            "INTERNAL",
            "SERVER",
            "CLIENT",
            "PRODUCER",
            "CONSUMER",
        ];
        c.object()?;
        Ok(Span {
            trace_id: c.get_with(&["traceId"], |f| f.id(16, "trace id"))?,
            span_id: c.get_with(&["spanId"], |f| f.id(8, "span id"))?,
            trace_state: c.get(&["traceState"])?,
            parent_span_id: c.get_with(&["parentSpanId"], |f| f.id(8, "span id"))?,
            name: c.get(&["name"])?,
            kind: c.get_with(&["kind"], |f| f.enum_value("SPAN_KIND_", &KINDS))?,
            start_time_unix_nano: c.get(&["startTimeUnixNano"])?,
            end_time_unix_nano: c.get(&["endTimeUnixNano"])?,
            attributes: c.get(&["attributes"])?,
            status: c.get(&["status"])?,
            flags: c.get(&["flags"])?,
        })
    }
}

impl FromJson for Status {
    fn read(c: &Cur<'_>) -> Result<Self> {
        c.object()?;
        Ok(Status {
            message: c.get(&["message"])?,
            code: c.get_with(&["code"], |f| {
                f.enum_value("STATUS_CODE_", &["UNSET", "OK", "ERROR"])
            })?,
        })
    }
}

#[cfg(test)]
mod tests;
