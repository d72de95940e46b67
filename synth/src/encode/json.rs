//! Writes the prost messages as OTLP/JSON. Every message is destructured field by field, so
//! a field added to the proto is a compile error here rather than silently left out.

use std::fmt::Write as _;

use base64::Engine as _;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList, any_value::Value,
};
use opentelemetry_proto::tonic::profiles::v1development::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use opentelemetry_proto::tonic::resource::v1::Resource;

use spanflame_core::formats::otlp::trace_proto::{self, TracesData};
use spanflame_core::model::hex;

/// A JSON string literal.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An object being written; fields at their default value are skipped.
struct Obj<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> Obj<'a> {
    fn new(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj { out, empty: true }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    /// int32 and uint32: JSON numbers.
    fn int(&mut self, key: &str, v: impl Into<i64>) {
        let v = v.into();
        if v != 0 {
            let _ = write!(self.key(key), "{v}");
        }
    }

    /// int64, uint64 and fixed64: decimal strings.
    fn long(&mut self, key: &str, v: impl Into<i128>) {
        let v = v.into();
        if v != 0 {
            let _ = write!(self.key(key), "\"{v}\"");
        }
    }

    fn str(&mut self, key: &str, v: &str) {
        if !v.is_empty() {
            string(self.key(key), v);
        }
    }

    /// Trace, span and profile ids: hex.
    fn id(&mut self, key: &str, v: &[u8]) {
        if !v.is_empty() {
            let _ = write!(self.key(key), "\"{}\"", hex(v));
        }
    }

    fn bytes(&mut self, key: &str, v: &[u8]) {
        if !v.is_empty() {
            let b64 = base64::engine::general_purpose::STANDARD.encode(v);
            let _ = write!(self.key(key), "\"{b64}\"");
        }
    }

    fn ints(&mut self, key: &str, v: &[i32]) {
        if !v.is_empty() {
            list(self.key(key), v, "", |out, i| {
                let _ = write!(out, "{i}");
            });
        }
    }

    fn longs<T: Copy + Into<i128>>(&mut self, key: &str, v: &[T]) {
        if !v.is_empty() {
            list(self.key(key), v, "", |out, &i| {
                let _ = write!(out, "\"{}\"", i.into());
            });
        }
    }

    fn list<T>(&mut self, key: &str, v: &[T], nl: &str, item: impl FnMut(&mut String, &T)) {
        if !v.is_empty() {
            list(self.key(key), v, nl, item);
        }
    }

    fn end(self) {
        self.out.push('}');
    }
}

fn list<T>(out: &mut String, items: &[T], nl: &str, mut item: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(nl);
        item(out, x);
    }
    out.push(']');
}

fn any_value(out: &mut String, v: &AnyValue) {
    let AnyValue { value } = v;
    let mut o = Obj::new(out);
    match value {
        None => {}
        // A oneof member is written even at its default value.
        Some(Value::StringValue(s)) => string(o.key("stringValue"), s),
        Some(Value::BoolValue(b)) => {
            let _ = write!(o.key("boolValue"), "{b}");
        }
        Some(Value::IntValue(i)) => {
            let _ = write!(o.key("intValue"), "\"{i}\"");
        }
        Some(Value::DoubleValue(d)) => {
            let out = o.key("doubleValue");
            if d.is_finite() {
                let _ = write!(out, "{d:?}");
            } else if d.is_nan() {
                out.push_str("\"NaN\"");
            } else if *d > 0.0 {
                out.push_str("\"Infinity\"");
            } else {
                out.push_str("\"-Infinity\"");
            }
        }
        Some(Value::ArrayValue(ArrayValue { values })) => {
            let mut a = Obj::new(o.key("arrayValue"));
            a.list("values", values, "", any_value);
            a.end();
        }
        Some(Value::KvlistValue(KeyValueList { values })) => {
            let mut a = Obj::new(o.key("kvlistValue"));
            a.list("values", values, "", key_value);
            a.end();
        }
        Some(Value::BytesValue(b)) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(b);
            let _ = write!(o.key("bytesValue"), "\"{b64}\"");
        }
        Some(Value::StringValueStrindex(i)) => {
            let _ = write!(o.key("stringValueStrindex"), "{i}");
        }
    }
    o.end();
}

fn key_value(out: &mut String, kv: &KeyValue) {
    let KeyValue {
        key,
        value,
        key_strindex,
    } = kv;
    let mut o = Obj::new(out);
    o.str("key", key);
    if let Some(v) = value {
        any_value(o.key("value"), v);
    }
    o.int("keyStrindex", *key_strindex);
    o.end();
}

fn resource(out: &mut String, r: &Resource) {
    let Resource {
        attributes,
        dropped_attributes_count,
        entity_refs,
    } = r;
    let mut o = Obj::new(out);
    o.list("attributes", attributes, "", key_value);
    o.int("droppedAttributesCount", *dropped_attributes_count);
    o.list("entityRefs", entity_refs, "", |out, e| {
        let EntityRef {
            schema_url,
            r#type,
            id_keys,
            description_keys,
        } = e;
        let mut o = Obj::new(out);
        o.str("schemaUrl", schema_url);
        o.str("type", r#type);
        o.list("idKeys", id_keys, "", |out, k| string(out, k));
        o.list("descriptionKeys", description_keys, "", |out, k| {
            string(out, k)
        });
        o.end();
    });
    o.end();
}

fn scope(out: &mut String, s: &InstrumentationScope) {
    let InstrumentationScope {
        name,
        version,
        attributes,
        dropped_attributes_count,
    } = s;
    let mut o = Obj::new(out);
    o.str("name", name);
    o.str("version", version);
    o.list("attributes", attributes, "", key_value);
    o.int("droppedAttributesCount", *dropped_attributes_count);
    o.end();
}

fn value_type(out: &mut String, v: &ValueType) {
    let ValueType {
        type_strindex,
        unit_strindex,
    } = v;
    let mut o = Obj::new(out);
    o.int("typeStrindex", *type_strindex);
    o.int("unitStrindex", *unit_strindex);
    o.end();
}

fn sample(out: &mut String, s: &Sample) {
    let Sample {
        stack_index,
        attribute_indices,
        link_index,
        values,
        timestamps_unix_nano,
    } = s;
    let mut o = Obj::new(out);
    o.int("stackIndex", *stack_index);
    o.ints("attributeIndices", attribute_indices);
    o.int("linkIndex", *link_index);
    o.longs("values", values);
    o.longs("timestampsUnixNano", timestamps_unix_nano);
    o.end();
}

fn profile(out: &mut String, p: &Profile, nl: &str) {
    let Profile {
        sample_type,
        samples,
        time_unix_nano,
        duration_nano,
        period_type,
        period,
        profile_id,
        dropped_attributes_count,
        original_payload_format,
        original_payload,
        attribute_indices,
    } = p;
    let mut o = Obj::new(out);
    if let Some(v) = sample_type {
        value_type(o.key("sampleType"), v);
    }
    o.list("samples", samples, nl, sample);
    o.long("timeUnixNano", *time_unix_nano);
    o.long("durationNano", *duration_nano);
    if let Some(v) = period_type {
        value_type(o.key("periodType"), v);
    }
    o.long("period", *period);
    o.id("profileId", profile_id);
    o.int("droppedAttributesCount", *dropped_attributes_count);
    o.str("originalPayloadFormat", original_payload_format);
    o.bytes("originalPayload", original_payload);
    o.ints("attributeIndices", attribute_indices);
    o.end();
}

pub(crate) fn resource_profiles(out: &mut String, rp: &ResourceProfiles, nl: &str) {
    let ResourceProfiles {
        resource: res,
        scope_profiles,
        schema_url,
    } = rp;
    let mut o = Obj::new(out);
    if let Some(r) = res {
        resource(o.key("resource"), r);
    }
    o.list("scopeProfiles", scope_profiles, "", |out, sp| {
        let ScopeProfiles {
            scope: sc,
            profiles,
            schema_url,
        } = sp;
        let mut o = Obj::new(out);
        if let Some(s) = sc {
            scope(o.key("scope"), s);
        }
        o.list("profiles", profiles, nl, |out, p| profile(out, p, nl));
        o.str("schemaUrl", schema_url);
        o.end();
    });
    o.str("schemaUrl", schema_url);
    o.end();
}

pub(crate) fn dictionary(out: &mut String, d: &ProfilesDictionary, nl: &str) {
    let ProfilesDictionary {
        mapping_table,
        location_table,
        function_table,
        link_table,
        string_table,
        attribute_table,
        stack_table,
    } = d;
    let mut o = Obj::new(out);
    o.list("mappingTable", mapping_table, nl, |out, m| {
        let Mapping {
            memory_start,
            memory_limit,
            file_offset,
            filename_strindex,
            attribute_indices,
        } = m;
        let mut o = Obj::new(out);
        o.long("memoryStart", *memory_start);
        o.long("memoryLimit", *memory_limit);
        o.long("fileOffset", *file_offset);
        o.int("filenameStrindex", *filename_strindex);
        o.ints("attributeIndices", attribute_indices);
        o.end();
    });
    o.list("locationTable", location_table, nl, |out, l| {
        let Location {
            mapping_index,
            address,
            lines,
            attribute_indices,
        } = l;
        let mut o = Obj::new(out);
        o.int("mappingIndex", *mapping_index);
        o.long("address", *address);
        o.list("lines", lines, "", |out, line| {
            let Line {
                function_index,
                line,
                column,
            } = line;
            let mut o = Obj::new(out);
            o.int("functionIndex", *function_index);
            o.long("line", *line);
            o.long("column", *column);
            o.end();
        });
        o.ints("attributeIndices", attribute_indices);
        o.end();
    });
    o.list("functionTable", function_table, nl, |out, f| {
        let Function {
            name_strindex,
            system_name_strindex,
            filename_strindex,
            start_line,
        } = f;
        let mut o = Obj::new(out);
        o.int("nameStrindex", *name_strindex);
        o.int("systemNameStrindex", *system_name_strindex);
        o.int("filenameStrindex", *filename_strindex);
        o.long("startLine", *start_line);
        o.end();
    });
    o.list("linkTable", link_table, nl, |out, l| {
        let Link { trace_id, span_id } = l;
        let mut o = Obj::new(out);
        o.id("traceId", trace_id);
        o.id("spanId", span_id);
        o.end();
    });
    o.list("stringTable", string_table, nl, |out, s| string(out, s));
    o.list("attributeTable", attribute_table, nl, |out, a| {
        let KeyValueAndUnit {
            key_strindex,
            value,
            unit_strindex,
        } = a;
        let mut o = Obj::new(out);
        o.int("keyStrindex", *key_strindex);
        if let Some(v) = value {
            any_value(o.key("value"), v);
        }
        o.int("unitStrindex", *unit_strindex);
        o.end();
    });
    o.list("stackTable", stack_table, nl, |out, s| {
        let Stack { location_indices } = s;
        let mut o = Obj::new(out);
        o.ints("locationIndices", location_indices);
        o.end();
    });
    o.end();
}

pub(crate) fn profiles_data(out: &mut String, data: &ProfilesData, nl: &str) {
    let ProfilesData {
        resource_profiles: rps,
        dictionary: dict,
    } = data;
    let mut o = Obj::new(out);
    o.list("resourceProfiles", rps, nl, |out, rp| {
        resource_profiles(out, rp, nl)
    });
    if let Some(d) = dict {
        dictionary(o.key("dictionary"), d, nl);
    }
    o.end();
}

fn span(out: &mut String, s: &trace_proto::Span) {
    let trace_proto::Span {
        trace_id,
        span_id,
        trace_state,
        parent_span_id,
        name,
        kind,
        start_time_unix_nano,
        end_time_unix_nano,
        attributes,
        status,
        flags,
    } = s;
    let mut o = Obj::new(out);
    o.id("traceId", trace_id);
    o.id("spanId", span_id);
    o.str("traceState", trace_state);
    o.id("parentSpanId", parent_span_id);
    o.int("flags", *flags);
    o.str("name", name);
    o.int("kind", *kind);
    o.long("startTimeUnixNano", *start_time_unix_nano);
    o.long("endTimeUnixNano", *end_time_unix_nano);
    o.list("attributes", attributes, "", key_value);
    if let Some(trace_proto::Status { message, code }) = status {
        let mut st = Obj::new(o.key("status"));
        st.str("message", message);
        st.int("code", *code);
        st.end();
    }
    o.end();
}

pub(crate) fn traces_data(out: &mut String, data: &TracesData, nl: &str) {
    let TracesData { resource_spans } = data;
    let mut o = Obj::new(out);
    o.list("resourceSpans", resource_spans, nl, |out, rs| {
        let trace_proto::ResourceSpans {
            resource: res,
            scope_spans,
            schema_url,
        } = rs;
        let mut o = Obj::new(out);
        if let Some(r) = res {
            resource(o.key("resource"), r);
        }
        o.list("scopeSpans", scope_spans, "", |out, ss| {
            let trace_proto::ScopeSpans {
                scope: sc,
                spans,
                schema_url,
            } = ss;
            let mut o = Obj::new(out);
            if let Some(s) = sc {
                scope(o.key("scope"), s);
            }
            o.list("spans", spans, nl, span);
            o.str("schemaUrl", schema_url);
            o.end();
        });
        o.str("schemaUrl", schema_url);
        o.end();
    });
    o.end();
}
