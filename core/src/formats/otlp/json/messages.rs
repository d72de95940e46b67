//! The OTLP messages as JSON objects, field by field: for each, its keys (preferred names
//! first) and the reader of each value. What the readers accept is in the parent module.

use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList, any_value,
};
use opentelemetry_proto::tonic::profiles::v1development::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde::de::MapAccess;

use super::{
    Base64, Bool, Double, Enum, Field, Fields, INT32, INT64, List, Message, Msg, PROFILE_ID,
    SPAN_ID, SampleType, TRACE_ID, Text, UINT32, UINT64,
};
use crate::formats::otlp::trace_proto::{ResourceSpans, ScopeSpans, Span, Status, TracesData};

// --- common.v1 and resource.v1

impl Message for AnyValue {
    // One field, `value`, under eight names: `{}` is an empty value, and if several kinds are
    // set, the first in field order wins.
    const FIELDS: Fields = &[&[
        "stringValue",
        "boolValue",
        "intValue",
        "doubleValue",
        "arrayValue",
        "kvlistValue",
        "bytesValue",
        "stringValueStrindex",
    ]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        use any_value::Value as V;
        let value = match name {
            "stringValue" => v.read(Text)?.map(V::StringValue),
            "boolValue" => v.read(Bool)?.map(V::BoolValue),
            "intValue" => v.read(INT64)?.map(V::IntValue),
            "doubleValue" => v.read(Double)?.map(V::DoubleValue),
            "arrayValue" => v.read(Msg::new())?.map(V::ArrayValue),
            "kvlistValue" => v.read(Msg::new())?.map(V::KvlistValue),
            "bytesValue" => v.read(Base64)?.map(V::BytesValue),
            "stringValueStrindex" => v.read(INT32)?.map(V::StringValueStrindex),
            _ => return v.skip(),
        };
        if value.is_some() {
            self.value = value;
        }
        Ok(())
    }
}

impl Message for ArrayValue {
    const FIELDS: Fields = &[&["values"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        _: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        v.set(&mut self.values, List(Msg::new()))
    }
}

impl Message for KeyValueList {
    const FIELDS: Fields = &[&["values"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        _: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        v.set(&mut self.values, List(Msg::new()))
    }
}

impl Message for KeyValue {
    /// `key` or `keyStrindex`; a later stage resolves the index against the string table.
    const FIELDS: Fields = &[&["key"], &["value"], &["keyStrindex"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "key" => v.set(&mut self.key, Text),
            "value" => v.set_some(&mut self.value, Msg::new()),
            "keyStrindex" => v.set(&mut self.key_strindex, INT32),
            _ => v.skip(),
        }
    }
}

impl Message for InstrumentationScope {
    const FIELDS: Fields = &[
        &["name"],
        &["version"],
        &["attributes"],
        &["droppedAttributesCount"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "name" => v.set(&mut self.name, Text),
            "version" => v.set(&mut self.version, Text),
            "attributes" => v.set(&mut self.attributes, List(Msg::new())),
            "droppedAttributesCount" => v.set(&mut self.dropped_attributes_count, UINT32),
            _ => v.skip(),
        }
    }
}

impl Message for EntityRef {
    const FIELDS: Fields = &[&["schemaUrl"], &["type"], &["idKeys"], &["descriptionKeys"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "schemaUrl" => v.set(&mut self.schema_url, Text),
            "type" => v.set(&mut self.r#type, Text),
            "idKeys" => v.set(&mut self.id_keys, List(Text)),
            "descriptionKeys" => v.set(&mut self.description_keys, List(Text)),
            _ => v.skip(),
        }
    }
}

impl Message for Resource {
    const FIELDS: Fields = &[
        &["attributes"],
        &["droppedAttributesCount"],
        &["entityRefs"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "attributes" => v.set(&mut self.attributes, List(Msg::new())),
            "droppedAttributesCount" => v.set(&mut self.dropped_attributes_count, UINT32),
            "entityRefs" => v.set(&mut self.entity_refs, List(Msg::new())),
            _ => v.skip(),
        }
    }
}

// --- profiles.v1development

impl Message for ProfilesData {
    const FIELDS: Fields = &[&["resourceProfiles"], &["dictionary"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "resourceProfiles" => v.set(&mut self.resource_profiles, List(Msg::new())),
            "dictionary" => v.set_some(&mut self.dictionary, Msg::new()),
            _ => v.skip(),
        }
    }
}

impl Message for ProfilesDictionary {
    const FIELDS: Fields = &[
        &["mappingTable"],
        &["locationTable"],
        &["functionTable"],
        &["linkTable"],
        &["stringTable"],
        &["attributeTable"],
        &["stackTable"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "mappingTable" => v.set(&mut self.mapping_table, List(Msg::new())),
            "locationTable" => v.set(&mut self.location_table, List(Msg::new())),
            "functionTable" => v.set(&mut self.function_table, List(Msg::new())),
            "linkTable" => v.set(&mut self.link_table, List(Msg::new())),
            "stringTable" => v.set(&mut self.string_table, List(Text)),
            "attributeTable" => v.set(&mut self.attribute_table, List(Msg::new())),
            "stackTable" => v.set(&mut self.stack_table, List(Msg::new())),
            _ => v.skip(),
        }
    }
}

impl Message for ResourceProfiles {
    const FIELDS: Fields = &[&["resource"], &["scopeProfiles"], &["schemaUrl"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "resource" => v.set_some(&mut self.resource, Msg::new()),
            "scopeProfiles" => v.set(&mut self.scope_profiles, List(Msg::new())),
            "schemaUrl" => v.set(&mut self.schema_url, Text),
            _ => v.skip(),
        }
    }
}

impl Message for ScopeProfiles {
    const FIELDS: Fields = &[&["scope"], &["profiles"], &["schemaUrl"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "scope" => v.set_some(&mut self.scope, Msg::new()),
            "profiles" => v.set(&mut self.profiles, List(Msg::new())),
            "schemaUrl" => v.set(&mut self.schema_url, Text),
            _ => v.skip(),
        }
    }
}

impl Message for Profile {
    /// The names of v1.8 (`sample`, `timeNanos`…) are read too; `commentStrindices`,
    /// `aggregationTemporality` and `attributeUnits` are skipped like any unknown key, and
    /// `locationIndices` (v1.7) is refused.
    const FIELDS: Fields = &[
        &["sampleType"],
        &["samples", "sample"],
        &["timeUnixNano", "timeNanos"],
        &["durationNano", "durationNanos"],
        &["periodType"],
        &["period"],
        &["profileId"],
        &["droppedAttributesCount"],
        &["originalPayloadFormat"],
        &["originalPayload"],
        &["attributeIndices"],
        &["locationIndices"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "sampleType" => v.set_some(&mut self.sample_type, SampleType),
            "samples" | "sample" => v.set(&mut self.samples, List(Msg::new())),
            "timeUnixNano" | "timeNanos" => v.set(&mut self.time_unix_nano, UINT64),
            "durationNano" | "durationNanos" => v.set(&mut self.duration_nano, UINT64),
            "periodType" => v.set_some(&mut self.period_type, Msg::new()),
            "period" => v.set(&mut self.period, INT64),
            "profileId" => v.set(&mut self.profile_id, PROFILE_ID),
            "droppedAttributesCount" => v.set(&mut self.dropped_attributes_count, UINT32),
            "originalPayloadFormat" => v.set(&mut self.original_payload_format, Text),
            "originalPayload" => v.set(&mut self.original_payload, Base64),
            "attributeIndices" => v.set(&mut self.attribute_indices, List(INT32)),
            "locationIndices" => v.v1_7(),
            _ => v.skip(),
        }
    }
}

impl Message for ValueType {
    const FIELDS: Fields = &[&["typeStrindex"], &["unitStrindex"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "typeStrindex" => v.set(&mut self.type_strindex, INT32),
            "unitStrindex" => v.set(&mut self.unit_strindex, INT32),
            _ => v.skip(),
        }
    }
}

impl Message for Sample {
    /// `locationsStartIndex` and `locationsLength` (v1.7) are refused.
    const FIELDS: Fields = &[
        &["stackIndex"],
        &["attributeIndices"],
        &["linkIndex"],
        &["values"],
        &["timestampsUnixNano"],
        &["locationsStartIndex", "locationsLength"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "stackIndex" => v.set(&mut self.stack_index, INT32),
            "attributeIndices" => v.set(&mut self.attribute_indices, List(INT32)),
            "linkIndex" => v.set(&mut self.link_index, INT32),
            "values" => v.set(&mut self.values, List(INT64)),
            "timestampsUnixNano" => v.set(&mut self.timestamps_unix_nano, List(UINT64)),
            "locationsStartIndex" | "locationsLength" => v.v1_7(),
            _ => v.skip(),
        }
    }
}

impl Message for Link {
    const FIELDS: Fields = &[&["traceId"], &["spanId"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "traceId" => v.set(&mut self.trace_id, TRACE_ID),
            "spanId" => v.set(&mut self.span_id, SPAN_ID),
            _ => v.skip(),
        }
    }
}

impl Message for Mapping {
    const FIELDS: Fields = &[
        &["memoryStart"],
        &["memoryLimit"],
        &["fileOffset"],
        &["filenameStrindex"],
        &["attributeIndices"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "memoryStart" => v.set(&mut self.memory_start, UINT64),
            "memoryLimit" => v.set(&mut self.memory_limit, UINT64),
            "fileOffset" => v.set(&mut self.file_offset, UINT64),
            "filenameStrindex" => v.set(&mut self.filename_strindex, INT32),
            "attributeIndices" => v.set(&mut self.attribute_indices, List(INT32)),
            _ => v.skip(),
        }
    }
}

impl Message for Stack {
    const FIELDS: Fields = &[&["locationIndices"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        _: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        v.set(&mut self.location_indices, List(INT32))
    }
}

impl Message for Location {
    const FIELDS: Fields = &[
        &["mappingIndex"],
        &["address"],
        &["lines", "line"],
        &["attributeIndices"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "mappingIndex" => v.set(&mut self.mapping_index, INT32),
            "address" => v.set(&mut self.address, UINT64),
            "lines" | "line" => v.set(&mut self.lines, List(Msg::new())),
            "attributeIndices" => v.set(&mut self.attribute_indices, List(INT32)),
            _ => v.skip(),
        }
    }
}

impl Message for Line {
    const FIELDS: Fields = &[&["functionIndex"], &["line"], &["column"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "functionIndex" => v.set(&mut self.function_index, INT32),
            "line" => v.set(&mut self.line, INT64),
            "column" => v.set(&mut self.column, INT64),
            _ => v.skip(),
        }
    }
}

impl Message for Function {
    const FIELDS: Fields = &[
        &["nameStrindex"],
        &["systemNameStrindex"],
        &["filenameStrindex"],
        &["startLine"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "nameStrindex" => v.set(&mut self.name_strindex, INT32),
            "systemNameStrindex" => v.set(&mut self.system_name_strindex, INT32),
            "filenameStrindex" => v.set(&mut self.filename_strindex, INT32),
            "startLine" => v.set(&mut self.start_line, INT64),
            _ => v.skip(),
        }
    }
}

impl Message for KeyValueAndUnit {
    const FIELDS: Fields = &[&["keyStrindex"], &["value"], &["unitStrindex"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "keyStrindex" => v.set(&mut self.key_strindex, INT32),
            "value" => v.set_some(&mut self.value, Msg::new()),
            "unitStrindex" => v.set(&mut self.unit_strindex, INT32),
            _ => v.skip(),
        }
    }
}

// --- trace.v1

impl Message for TracesData {
    const FIELDS: Fields = &[&["resourceSpans"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        _: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        v.set(&mut self.resource_spans, List(Msg::new()))
    }
}

impl Message for ResourceSpans {
    // `instrumentationLibrarySpans` is the pre-1.0 name, still written by old SDKs.
    const FIELDS: Fields = &[
        &["resource"],
        &["scopeSpans", "instrumentationLibrarySpans"],
        &["schemaUrl"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "resource" => v.set_some(&mut self.resource, Msg::new()),
            "scopeSpans" | "instrumentationLibrarySpans" => {
                v.set(&mut self.scope_spans, List(Msg::new()))
            }
            "schemaUrl" => v.set(&mut self.schema_url, Text),
            _ => v.skip(),
        }
    }
}

impl Message for ScopeSpans {
    const FIELDS: Fields = &[
        &["scope", "instrumentationLibrary"],
        &["spans"],
        &["schemaUrl"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "scope" | "instrumentationLibrary" => v.set_some(&mut self.scope, Msg::new()),
            "spans" => v.set(&mut self.spans, List(Msg::new())),
            "schemaUrl" => v.set(&mut self.schema_url, Text),
            _ => v.skip(),
        }
    }
}

const SPAN_KIND: Enum = Enum {
    prefix: "SPAN_KIND_",
    names: &[
        "UNSPECIFIED",
        "INTERNAL",
        "SERVER",
        "CLIENT",
        "PRODUCER",
        "CONSUMER",
    ],
};

const STATUS_CODE: Enum = Enum {
    prefix: "STATUS_CODE_",
    names: &["UNSET", "OK", "ERROR"],
};

impl Message for Span {
    const FIELDS: Fields = &[
        &["traceId"],
        &["spanId"],
        &["traceState"],
        &["parentSpanId"],
        &["name"],
        &["kind"],
        &["startTimeUnixNano"],
        &["endTimeUnixNano"],
        &["attributes"],
        &["status"],
        &["flags"],
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "traceId" => v.set(&mut self.trace_id, TRACE_ID),
            "spanId" => v.set(&mut self.span_id, SPAN_ID),
            "traceState" => v.set(&mut self.trace_state, Text),
            "parentSpanId" => v.set(&mut self.parent_span_id, SPAN_ID),
            "name" => v.set(&mut self.name, Text),
            "kind" => v.set(&mut self.kind, SPAN_KIND),
            "startTimeUnixNano" => v.set(&mut self.start_time_unix_nano, UINT64),
            "endTimeUnixNano" => v.set(&mut self.end_time_unix_nano, UINT64),
            "attributes" => v.set(&mut self.attributes, List(Msg::new())),
            "status" => v.set_some(&mut self.status, Msg::new()),
            "flags" => v.set(&mut self.flags, UINT32),
            _ => v.skip(),
        }
    }
}

impl Message for Status {
    const FIELDS: Fields = &[&["message"], &["code"]];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        name: &'static str,
        v: Field<'_, A>,
    ) -> Result<(), A::Error> {
        match name {
            "message" => v.set(&mut self.message, Text),
            "code" => v.set(&mut self.code, STATUS_CODE),
            _ => v.skip(),
        }
    }
}
