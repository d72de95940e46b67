//! Tests of the OTLP/JSON reader (in their own file to keep json.rs readable).
use super::*;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, KeyValue, KeyValueList, any_value,
};
use opentelemetry_proto::tonic::profiles::v1development::{Link, Profile, ProfilesDictionary};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message as _;
use serde_json::{Value, json};

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/otlp/",
            $path
        ))
        .as_slice()
    };
}

fn profiles(bytes: &[u8]) -> Result<JsonDecoded<ProfilesData>> {
    decode_profiles(bytes, &Limits::default(), &mut Diagnostics::default())
}

fn traces(bytes: &[u8]) -> Result<JsonDecoded<TracesData>> {
    decode_traces(bytes, &Limits::default(), &mut Diagnostics::default())
}

/// The one message of a single-object JSON payload.
fn one_profile(doc: &Value) -> ProfilesData {
    let decoded = profiles(doc.to_string().as_bytes()).unwrap();
    assert!(!decoded.lines);
    assert_eq!(decoded.messages.len(), 1);
    decoded.messages.into_iter().next().unwrap()
}

/// `doc` wrapped as `resourceProfiles[0].scopeProfiles[0].profiles[0]`.
fn with_profile(profile: Value) -> Value {
    json!({"resourceProfiles": [{"scopeProfiles": [{"profiles": [profile]}]}]})
}

fn first_profile(data: &ProfilesData) -> &Profile {
    &data.resource_profiles[0].scope_profiles[0].profiles[0]
}

fn json_path(err: &Error) -> &str {
    match &err.at {
        At::Json { path, .. } => path,
        other => panic!("expected a JSON path, got {other:?}"),
    }
}

#[test]
fn python_profiles_json_equals_binary() {
    let binary = ProfilesData::decode(fixture!("python-ext-0.63b4-file/profiles.v1_10.binpb"));
    let decoded = profiles(fixture!("python-ext-0.63b4-file/profiles.json")).unwrap();
    assert!(!decoded.lines);
    assert_eq!(decoded.messages, vec![binary.unwrap()]);
}

#[test]
fn python_profiles_jsonl_equals_binary() {
    let binary = ProfilesData::decode(fixture!("python-ext-0.63b4-file/profiles.v1_10.binpb"));
    let decoded = profiles(fixture!("python-ext-0.63b4-file/profiles.otlp.jsonl")).unwrap();
    assert!(decoded.lines);
    assert_eq!(decoded.messages, vec![binary.unwrap()]);
}

#[test]
fn synthetic_profiles_json_equals_binary() {
    let binary = ProfilesData::decode(fixture!("synthetic-v1_10/profiles.binpb")).unwrap();
    for (bytes, lines) in [
        (fixture!("synthetic-v1_10/profiles.json"), false),
        (fixture!("synthetic-v1_10/profiles.otlp.jsonl"), true),
    ] {
        let mut diags = Diagnostics::default();
        let decoded = decode_profiles(bytes, &Limits::default(), &mut diags).unwrap();
        assert_eq!(decoded.lines, lines);
        assert_eq!(decoded.messages, vec![binary.clone()]);
        assert!(diags.is_empty(), "{:?}", diags.items());
    }
    let profile = first_profile(&binary);
    assert_eq!(
        profile.profile_id,
        decode_hex("00112233445566778899aabbccddeeff").unwrap()
    );
}

#[test]
fn traces_json_equals_binary() {
    let binary = TracesData::decode(fixture!("python-ext-0.63b4-file/traces.binpb")).unwrap();
    for bytes in [
        fixture!("python-ext-0.63b4-file/traces.json"),
        fixture!("python-ext-0.63b4-file/traces.otlp.jsonl"),
    ] {
        let decoded = traces(bytes).unwrap();
        assert_eq!(decoded.messages, vec![binary.clone()]);
    }
    let spans: usize = (binary.resource_spans.iter())
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
    assert_eq!(spans, 18);

    let binary = TracesData::decode(fixture!("synthetic-v1_10/traces.binpb")).unwrap();
    let decoded = traces(fixture!("synthetic-v1_10/traces.json")).unwrap();
    assert_eq!(decoded.messages, vec![binary]);
}

#[test]
fn snake_case_keys_equal_camel_case() {
    let camel = json!({
        "resourceProfiles": [{
            "scopeProfiles": [{"profiles": [{
                "sampleType": {"typeStrindex": 1, "unitStrindex": 2},
                "samples": [{"stackIndex": 1, "linkIndex": 1, "attributeIndices": [1],
                             "values": ["3"], "timestampsUnixNano": ["9"]}],
                "timeUnixNano": "10", "durationNano": "20", "period": "5",
                "periodType": {"typeStrindex": 3}, "droppedAttributesCount": 1,
                "originalPayloadFormat": "pprof", "originalPayload": "AQI=",
                "attributeIndices": [2]
            }], "schemaUrl": "s"}],
            "schemaUrl": "r",
            "resource": {"attributes": [{"key": "k", "value": {"intValue": "1"}}],
                         "droppedAttributesCount": 2}
        }],
        "dictionary": {
            "mappingTable": [{"memoryStart": "1", "memoryLimit": "2", "fileOffset": "3",
                              "filenameStrindex": 1, "attributeIndices": [1]}],
            "locationTable": [{"mappingIndex": 1, "address": "4",
                               "lines": [{"functionIndex": 1, "line": "5", "column": "6"}]}],
            "functionTable": [{"nameStrindex": 1, "systemNameStrindex": 2,
                               "filenameStrindex": 3, "startLine": "7"}],
            "linkTable": [{"traceId": "0102030405060708090a0b0c0d0e0f10",
                           "spanId": "0102030405060708"}],
            "stringTable": ["", "a", "b", "c"],
            "attributeTable": [{"keyStrindex": 1, "unitStrindex": 2,
                                "value": {"stringValueStrindex": 3}}],
            "stackTable": [{"locationIndices": [0, 0]}]
        }
    });
    let snake = json!({
        "resource_profiles": [{
            "scope_profiles": [{"profiles": [{
                "sample_type": {"type_strindex": 1, "unit_strindex": 2},
                "samples": [{"stack_index": 1, "link_index": 1, "attribute_indices": [1],
                             "values": ["3"], "timestamps_unix_nano": ["9"]}],
                "time_unix_nano": "10", "duration_nano": "20", "period": "5",
                "period_type": {"type_strindex": 3}, "dropped_attributes_count": 1,
                "original_payload_format": "pprof", "original_payload": "AQI=",
                "attribute_indices": [2]
            }], "schema_url": "s"}],
            "schema_url": "r",
            "resource": {"attributes": [{"key": "k", "value": {"int_value": "1"}}],
                         "dropped_attributes_count": 2}
        }],
        "dictionary": {
            "mapping_table": [{"memory_start": "1", "memory_limit": "2", "file_offset": "3",
                               "filename_strindex": 1, "attribute_indices": [1]}],
            "location_table": [{"mapping_index": 1, "address": "4",
                                "lines": [{"function_index": 1, "line": "5", "column": "6"}]}],
            "function_table": [{"name_strindex": 1, "system_name_strindex": 2,
                                "filename_strindex": 3, "start_line": "7"}],
            "link_table": [{"trace_id": "0102030405060708090a0b0c0d0e0f10",
                            "span_id": "0102030405060708"}],
            "string_table": ["", "a", "b", "c"],
            "attribute_table": [{"key_strindex": 1, "unit_strindex": 2,
                                 "value": {"string_value_strindex": 3}}],
            "stack_table": [{"location_indices": [0, 0]}]
        }
    });
    let decoded = one_profile(&camel);
    assert_eq!(decoded, one_profile(&snake));
    // Spot checks that the fields really were read.
    let profile = first_profile(&decoded);
    assert_eq!(profile.samples[0].values, [3]);
    assert_eq!(profile.original_payload, [1, 2]);
    let dict = decoded.dictionary.as_ref().unwrap();
    assert_eq!(dict.function_table[0].start_line, 7);
    assert_eq!(dict.link_table[0].span_id, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        dict.attribute_table[0].value,
        Some(AnyValue {
            value: Some(any_value::Value::StringValueStrindex(3))
        })
    );
}

#[test]
fn numbers_are_accepted_where_strings_are_usual() {
    let as_strings = with_profile(json!({
        "samples": [{"stackIndex": "2", "values": ["-4", "5"],
                     "timestampsUnixNano": ["18446744073709551615"]}],
        "timeUnixNano": "1795628900696905496", "period": "5000000"
    }));
    let as_numbers = with_profile(json!({
        "samples": [{"stackIndex": 2, "values": [-4, 5.0],
                     "timestampsUnixNano": [18446744073709551615u64]}],
        "timeUnixNano": 1795628900696905496u64, "period": 5e6
    }));
    let decoded = one_profile(&as_strings);
    assert_eq!(decoded, one_profile(&as_numbers));
    let profile = first_profile(&decoded);
    assert_eq!(profile.samples[0].stack_index, 2);
    assert_eq!(profile.samples[0].values, [-4, 5]);
    assert_eq!(profile.samples[0].timestamps_unix_nano, [u64::MAX]);
    assert_eq!(profile.period, 5_000_000);
}

#[test]
fn bad_integers_are_errors_naming_the_path() {
    for (bad, found) in [
        (json!(3_000_000_000u64), "3000000000, which is out of range"),
        (json!(1.5), "a number (1.5)"),
        (json!("1.0"), "a string (\"1.0\")"),
        (json!(true), "a boolean (true)"),
    ] {
        let doc = with_profile(json!({"samples": [{}, {"stackIndex": bad}]}));
        let err = profiles(doc.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Malformed);
        assert_eq!(
            json_path(&err),
            "$.resourceProfiles[0].scopeProfiles[0].profiles[0].samples[1].stackIndex"
        );
        assert_eq!(err.message, format!("expected an int32, found {found}"));
    }
    let doc = with_profile(json!({"timeUnixNano": "-1"}));
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        err.message,
        "expected a uint64, found -1, which is out of range"
    );
}

#[test]
fn base64_ids_are_accepted() {
    let doc = json!({"dictionary": {"linkTable": [
        {"traceId": "", "spanId": ""},
        {"traceId": "AQIDBAUGBwgJCgsMDQ4PEA==", "spanId": "AQIDBAUGBwg="},
        {"traceId": "0102030405060708090A0B0C0D0E0F10", "spanId": "0102030405060708"},
        {"traceId": "AQIDBAUGBwgJCgsMDQ4PEA", "spanId": "AQIDBAUGBwg"}
    ]}, "resourceProfiles": [{"scopeProfiles": [{"profiles": [
        {"profileId": "AAECAwQFBgcICQoLDA0ODw=="},
        {"profileId": "000102030405060708090a0b0c0d0e0f"}
    ]}]}]});
    let decoded = one_profile(&doc);
    let links = &decoded.dictionary.as_ref().unwrap().link_table;
    assert_eq!(links[0], Link::default());
    let expected = Link {
        trace_id: (1..=16).collect(),
        span_id: (1..=8).collect(),
    };
    assert_eq!(links[1..], [expected.clone(), expected.clone(), expected]);
    let profiles = &decoded.resource_profiles[0].scope_profiles[0].profiles;
    let id: Vec<u8> = (0..16).collect();
    assert_eq!(profiles[0].profile_id, id);
    assert_eq!(profiles[1].profile_id, id);
}

#[test]
fn odd_ids_are_kept_with_a_diagnostic_or_rejected() {
    let doc = json!({"dictionary": {"linkTable": [{"spanId": "0102"}]}});
    let mut diags = Diagnostics::default();
    let decoded =
        decode_profiles(doc.to_string().as_bytes(), &Limits::default(), &mut diags).unwrap();
    let link = &decoded.messages[0].dictionary.as_ref().unwrap().link_table[0];
    assert_eq!(link.span_id, [1, 2]);
    assert_eq!(diags.items().len(), 1);
    assert!(diags.items()[0].message.contains("span id of 2 bytes"));

    let doc = json!({"dictionary": {"linkTable": [{"traceId": "not an id!"}]}});
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(json_path(&err), "$.dictionary.linkTable[0].traceId");
    assert!(
        err.message
            .starts_with("expected a trace id in hex or base64")
    );
}

#[test]
fn legacy_sample_and_line_keys_and_nanos() {
    let legacy = json!({
        "resourceProfiles": [{"scopeProfiles": [{"profiles": [{
            "sample": [{"stackIndex": 1, "values": ["2"]}],
            "timeNanos": "5", "durationNanos": "6",
            "commentStrindices": [1], "attributeUnits": [], "aggregationTemporality": 1
        }]}]}],
        "dictionary": {"locationTable": [{"line": [{"functionIndex": 1, "line": "9"}]}]}
    });
    let current = json!({
        "resourceProfiles": [{"scopeProfiles": [{"profiles": [{
            "samples": [{"stackIndex": 1, "values": ["2"]}],
            "timeUnixNano": "5", "durationNano": "6"
        }]}]}],
        "dictionary": {"locationTable": [{"lines": [{"functionIndex": 1, "line": "9"}]}]}
    });
    let decoded = one_profile(&legacy);
    assert_eq!(decoded, one_profile(&current));
    assert_eq!(first_profile(&decoded).samples.len(), 1);
    assert_eq!(first_profile(&decoded).duration_nano, 6);
    let location = &decoded.dictionary.as_ref().unwrap().location_table[0];
    assert_eq!(location.lines[0].line, 9);
}

#[test]
fn v1_7_layout_is_unsupported() {
    let cases = [
        (
            json!({"sampleType": [{"typeStrindex": 1}], "sample": []}),
            "$.resourceProfiles[0].scopeProfiles[0].profiles[0].sampleType",
        ),
        // The first v1.7 key in the text is named (`json!` sorts keys).
        (
            json!({"sample": [{"locationsStartIndex": 0, "locationsLength": 2, "value": ["1"]}]}),
            "$.resourceProfiles[0].scopeProfiles[0].profiles[0].sample[0].locationsLength",
        ),
        (
            json!({"locationIndices": [0, 1]}),
            "$.resourceProfiles[0].scopeProfiles[0].profiles[0].locationIndices",
        ),
    ];
    for (profile, path) in cases {
        let err = profiles(with_profile(profile).to_string().as_bytes()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(json_path(&err), path);
        assert!(err.message.contains("v1.7 or older"), "{}", err.message);
    }
}

#[test]
fn wrong_types_name_the_exact_path() {
    let doc = with_profile(json!({"samples": 3}));
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Malformed);
    assert_eq!(err.format, Format::OtlpProfilesJson);
    assert_eq!(
        err.at,
        At::Json {
            line: None,
            path: "$.resourceProfiles[0].scopeProfiles[0].profiles[0].samples".into()
        }
    );
    assert_eq!(err.message, "expected an array, found a number (3)");

    let samples = json!([{}, {}, {}, {"values": ["1", "x"]}]);
    let doc = with_profile(json!({ "samples": samples }));
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "OTLP profiles (JSON): at $.resourceProfiles[0].scopeProfiles[0].profiles[0]\
         .samples[3].values[1]: expected an int64, found a string (\"x\")"
    );

    // The path uses the key spelling found in the input.
    let doc = json!({"dictionary": {"string_table": ["", 7]}});
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(json_path(&err), "$.dictionary.string_table[1]");
    assert_eq!(err.message, "expected a string, found a number (7)");

    for top in ["[]", "3", "\"resourceProfiles\""] {
        let err = profiles(top.as_bytes()).unwrap_err();
        assert_eq!(json_path(&err), "$");
    }
    let err = profiles(br#"{"dictionary": []}"#).unwrap_err();
    assert_eq!(err.message, "expected an object, found an array");
}

#[test]
fn nulls_and_empty_objects_are_defaults() {
    let doc = json!({
        "resourceProfiles": [{"resource": {}, "scopeProfiles": [{"scope": null,
            "profiles": [{"sampleType": {}, "periodType": null, "samples": null}]}]}],
        "dictionary": {}
    });
    let decoded = one_profile(&doc);
    let rp = &decoded.resource_profiles[0];
    assert_eq!(rp.resource, Some(Resource::default()));
    assert_eq!(rp.scope_profiles[0].scope, None);
    let profile = first_profile(&decoded);
    assert_eq!(profile.sample_type, Some(ValueType::default()));
    assert_eq!(profile.period_type, None);
    assert!(profile.samples.is_empty());
    assert_eq!(decoded.dictionary, Some(ProfilesDictionary::default()));
    assert_eq!(one_profile(&json!({})), ProfilesData::default());
}

#[test]
fn any_value_kinds() {
    let doc = json!({"resourceProfiles": [{"resource": {"attributes": [
        {"key": "s", "value": {"stringValue": "x"}},
        {"key": "b", "value": {"boolValue": true}},
        {"key": "i", "value": {"intValue": 7}},
        {"key": "d", "value": {"doubleValue": 1.5}},
        {"key": "inf", "value": {"doubleValue": "-Infinity"}},
        {"key": "nan", "value": {"doubleValue": "NaN"}},
        {"key": "a", "value": {"arrayValue": {"values": [{"intValue": "1"}, {}]}}},
        {"key": "kv", "value": {"kvlistValue": {"values": [{"keyStrindex": 2}]}}},
        {"key": "y", "value": {"bytesValue": "AAH/"}},
        {"keyStrindex": 3, "value": {"stringValueStrindex": 4}},
        {"key": "empty", "value": {}},
        {"key": "none"}
    ]}}]});
    let decoded = one_profile(&doc);
    let attrs = &decoded.resource_profiles[0]
        .resource
        .as_ref()
        .unwrap()
        .attributes;
    use any_value::Value as V;
    let value = |i: usize| attrs[i].value.as_ref().and_then(|v| v.value.clone());
    assert_eq!(value(0), Some(V::StringValue("x".into())));
    assert_eq!(value(1), Some(V::BoolValue(true)));
    assert_eq!(value(2), Some(V::IntValue(7)));
    assert_eq!(value(3), Some(V::DoubleValue(1.5)));
    assert_eq!(value(4), Some(V::DoubleValue(f64::NEG_INFINITY)));
    assert!(matches!(value(5), Some(V::DoubleValue(d)) if d.is_nan()));
    let array = ArrayValue {
        values: vec![
            AnyValue {
                value: Some(V::IntValue(1)),
            },
            AnyValue { value: None },
        ],
    };
    assert_eq!(value(6), Some(V::ArrayValue(array)));
    let kvlist = KeyValueList {
        values: vec![KeyValue {
            key_strindex: 2,
            ..KeyValue::default()
        }],
    };
    assert_eq!(value(7), Some(V::KvlistValue(kvlist)));
    assert_eq!(value(8), Some(V::BytesValue(vec![0, 1, 255])));
    assert_eq!(attrs[9].key, "");
    assert_eq!(attrs[9].key_strindex, 3);
    assert_eq!(value(9), Some(V::StringValueStrindex(4)));
    assert_eq!(attrs[10].value, Some(AnyValue { value: None }));
    assert_eq!(attrs[11].value, None);
}

#[test]
fn json_lines_give_one_message_per_line() {
    let text =
        "{\"resourceProfiles\":[]}\n\n  \r\n{\"dictionary\":{\"stringTable\":[\"\",\"a\"]}}\n";
    let decoded = profiles(text.as_bytes()).unwrap();
    assert!(decoded.lines);
    assert_eq!(decoded.messages.len(), 2);
    assert_eq!(
        decoded.messages[1]
            .dictionary
            .as_ref()
            .unwrap()
            .string_table,
        ["", "a"]
    );

    // One compact object is JSON Lines only when a newline ends it.
    assert!(profiles(b"{}\n").unwrap().lines);
    assert!(!profiles(b"{}").unwrap().lines);
    assert!(!profiles(b"{\n}\n").unwrap().lines);

    // Errors name the line of the object they are in.
    let text = "{}\n\n{\"dictionary\": {\"stringTable\": [1]}}\n";
    let err = profiles(text.as_bytes()).unwrap_err();
    assert_eq!(err.format, Format::OtlpProfilesJsonLines);
    assert_eq!(
        err.at,
        At::Json {
            line: Some(3),
            path: "$.dictionary.stringTable[0]".into()
        }
    );
    let text = "{}\n{\"dictionary\": {\n";
    let err = profiles(text.as_bytes()).unwrap_err();
    assert_eq!(err.at, At::Line(3));
    assert!(
        err.message.starts_with("invalid JSON: EOF"),
        "{}",
        err.message
    );
}

#[test]
fn truncated_input_is_an_error_not_a_panic() {
    // Every cut before the closing brace (trailing whitespace may go).
    let cuts = |bytes: &[u8], step: usize| {
        let last = bytes
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .unwrap();
        (0..last).step_by(step).chain([last])
    };
    for (bytes, step) in [
        (fixture!("synthetic-v1_10/profiles.json"), 1),
        (fixture!("synthetic-v1_10/profiles.otlp.jsonl"), 1),
        (fixture!("python-ext-0.63b4-file/profiles.json"), 7),
    ] {
        for cut in cuts(bytes, step) {
            assert!(profiles(&bytes[..cut]).is_err(), "cut at {cut} decoded");
        }
    }
    let traces_json = fixture!("python-ext-0.63b4-file/traces.json");
    for cut in cuts(traces_json, 3) {
        assert!(traces(&traces_json[..cut]).is_err(), "cut at {cut} decoded");
    }
}

#[test]
fn mutated_input_never_panics() {
    // Deterministic byte mutations of a real payload: any result is fine, a panic is not.
    let original = fixture!("synthetic-v1_10/profiles.otlp.jsonl");
    let replacements = b"\"0-9{}[],:.eAn\\ \n\xff";
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..3000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut bytes = original.to_vec();
        let pos = (state % bytes.len() as u64) as usize;
        bytes[pos] = replacements[(state >> 32) as usize % replacements.len()];
        let _ = profiles(&bytes);
        let _ = traces(&bytes);
    }
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let err = profiles(b"{\"dictionary\": {\"stringTable\": [\"a\xff\"]}}").unwrap_err();
    assert_eq!(err.at, At::Byte(34));
    assert_eq!(err.kind, ErrorKind::Malformed);
}

#[test]
fn empty_input_is_an_error_and_a_bom_is_skipped() {
    assert!(profiles(b"").is_err());
    assert!(profiles(b" \n\n").is_err());
    let decoded = profiles(b"\xEF\xBB\xBF{\"resourceProfiles\": []}").unwrap();
    assert_eq!(decoded.messages, [ProfilesData::default()]);
}

#[test]
fn table_lengths_are_limited() {
    let limits = Limits {
        max_table_len: 2,
        ..Limits::default()
    };
    let doc = json!({"dictionary": {"stringTable": ["", "a", "b"]}});
    let err = decode_profiles(
        doc.to_string().as_bytes(),
        &limits,
        &mut Diagnostics::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded);
    // The first entry over the limit, as the other JSON importers name it.
    assert_eq!(json_path(&err), "$.dictionary.stringTable[2]");
    assert_eq!(err.message, "the array has more than 2 entries, the limit");
}

#[test]
fn trace_enums_names_and_legacy_keys() {
    let doc = json!({"resourceSpans": [{"instrumentationLibrarySpans": [{
        "instrumentationLibrary": {"name": "old"},
        "spans": [
            {"kind": "SPAN_KIND_SERVER", "status": {"code": "STATUS_CODE_ERROR", "message": "m"}},
            {"kind": "client", "status": {"code": 1}, "flags": "256",
             "parentSpanId": "", "traceState": "a=b", "name": "n",
             "startTimeUnixNano": 1, "endTimeUnixNano": "2",
             "attributes": [{"key": "k", "value": {"boolValue": false}}]},
            {"kind": 4, "status": {"code": "2"}}
        ]
    }]}]});
    let decoded = traces(doc.to_string().as_bytes()).unwrap();
    let scope = &decoded.messages[0].resource_spans[0].scope_spans[0];
    assert_eq!(scope.scope.as_ref().unwrap().name, "old");
    let spans = &scope.spans;
    assert_eq!((spans[0].kind, spans[1].kind, spans[2].kind), (2, 3, 4));
    let codes: Vec<i32> = spans
        .iter()
        .map(|s| s.status.as_ref().unwrap().code)
        .collect();
    assert_eq!(codes, [2, 1, 2]);
    assert_eq!(spans[1].flags, 256);
    assert_eq!(spans[1].end_time_unix_nano, 2);
    assert!(spans[1].parent_span_id.is_empty());

    let doc = json!({"resourceSpans": [{"scopeSpans": [{"spans": [{"kind": "SIDEWAYS"}]}]}]});
    let err = traces(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        json_path(&err),
        "$.resourceSpans[0].scopeSpans[0].spans[0].kind"
    );
    assert_eq!(err.format, Format::OtlpTracesJson);
}

#[test]
fn sniff_tells_profiles_from_traces() {
    assert_eq!(
        sniff(fixture!("python-ext-0.63b4-file/profiles.json")),
        Some(JsonKind::Profiles)
    );
    assert_eq!(
        sniff(fixture!("synthetic-v1_10/profiles.otlp.jsonl")),
        Some(JsonKind::Profiles)
    );
    assert_eq!(
        sniff(fixture!("python-ext-0.63b4-file/traces.json")),
        Some(JsonKind::Traces)
    );
    assert_eq!(
        sniff(br#"{"dictionary": {"stringTable": ["resourceSpans"]}, "resource_profiles": []}"#),
        Some(JsonKind::Profiles)
    );
    assert_eq!(
        sniff(b"\xEF\xBB\xBF {\"a\\\"\": {\"resourceProfiles\": 1}, \"resource_spans\": []}"),
        Some(JsonKind::Traces)
    );
    for other in [
        &b""[..],
        b"[]",
        b"{}",
        b"{\"resourceProfiles\"",
        b"{\"x\": \"resourceSpans\"}",
        b"{\"x\": [\"resourceSpans\", 1]}",
        b"}}}",
        b"{\"unterminated",
        b"\x1f\x8b\x08",
    ] {
        assert_eq!(sniff(other), None, "{:?}", String::from_utf8_lossy(other));
    }
}

/// `key` in snake_case (`stackIndex` → `stack_index`).
fn snake(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Every other object key in `value` turned to snake_case, counting across the whole tree,
/// so that both spellings meet in one file, one array, and often one object.
fn snake_every_other(value: &mut Value, n: &mut usize) {
    match value {
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut v) in entries {
                snake_every_other(&mut v, n);
                *n += 1;
                let key = if n.is_multiple_of(2) {
                    snake(&key)
                } else {
                    key
                };
                map.insert(key, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| snake_every_other(v, n)),
        _ => {}
    }
}

#[test]
fn camel_and_snake_keys_mixed_in_one_real_file() {
    for (json, binary) in [
        (
            fixture!("python-ext-0.63b4-file/profiles.json"),
            fixture!("python-ext-0.63b4-file/profiles.v1_10.binpb"),
        ),
        (
            fixture!("synthetic-v1_10/profiles.json"),
            fixture!("synthetic-v1_10/profiles.binpb"),
        ),
    ] {
        let mut doc: Value = serde_json::from_slice(json).unwrap();
        snake_every_other(&mut doc, &mut 0);
        let text = doc.to_string();
        assert!(text.contains("\"stack_index\"") && text.contains("\"stackIndex\""));
        let decoded = profiles(text.as_bytes()).unwrap();
        assert_eq!(
            decoded.messages,
            vec![ProfilesData::decode(binary).unwrap()]
        );
    }
    let mut doc: Value =
        serde_json::from_slice(fixture!("python-ext-0.63b4-file/traces.json")).unwrap();
    snake_every_other(&mut doc, &mut 1);
    let text = doc.to_string();
    assert!(text.contains("\"parent_span_id\"") && text.contains("\"parentSpanId\""));
    let binary = TracesData::decode(fixture!("python-ext-0.63b4-file/traces.binpb")).unwrap();
    assert_eq!(traces(text.as_bytes()).unwrap().messages, vec![binary]);
}

#[test]
fn a_deep_error_in_a_real_file_names_its_path_as_written() {
    let mut doc: Value =
        serde_json::from_slice(fixture!("python-ext-0.63b4-file/profiles.json")).unwrap();
    let profile = &mut doc["resourceProfiles"][0]["scopeProfiles"][0]["profiles"][0];
    let sample = profile["samples"][3].as_object_mut().unwrap();
    let values = sample.remove("values").unwrap();
    sample.insert("values".into(), json!([values[0].clone(), {"n": 1}]));
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Malformed);
    assert_eq!(
        json_path(&err),
        "$.resourceProfiles[0].scopeProfiles[0].profiles[0].samples[3].values[1]"
    );
    assert_eq!(err.message, "expected an int64, found an object");

    // Deep inside nested attribute values, through snake_case keys.
    let doc = json!({"resource_profiles": [{"resource": {"attributes": [{"key": "k", "value":
        {"array_value": {"values": [{}, {"kvlist_value": {"values": [
            {"key": "x", "value": {"int_value": "12a"}}
        ]}}]}}
    }]}}]});
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        json_path(&err),
        "$.resource_profiles[0].resource.attributes[0].value.array_value.values[1]\
         .kvlist_value.values[0].value.int_value"
    );
    assert_eq!(err.message, "expected an int64, found a string (\"12a\")");
}

#[test]
fn long_arrays_stop_at_the_limit_wherever_they_are() {
    let limits = Limits {
        max_table_len: 1000,
        ..Limits::default()
    };
    // A million values in one sample: refused at the first one over the limit.
    let values = format!("[{}0]", "0,".repeat(999_999));
    let text = format!(
        r#"{{"resourceProfiles": [{{"scopeProfiles": [{{"profiles": [{{"samples": [{{"values": {values}}}]}}]}}]}}]}}"#
    );
    let err = decode_profiles(text.as_bytes(), &limits, &mut Diagnostics::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::LimitExceeded);
    assert_eq!(
        json_path(&err),
        "$.resourceProfiles[0].scopeProfiles[0].profiles[0].samples[0].values[1000]"
    );
    // At the limit is fine.
    let text = format!(
        r#"{{"dictionary": {{"stack_table": [{}{{}}]}}}}"#,
        "{},".repeat(999)
    );
    let decoded = decode_profiles(text.as_bytes(), &limits, &mut Diagnostics::default()).unwrap();
    assert_eq!(
        decoded.messages[0]
            .dictionary
            .as_ref()
            .unwrap()
            .stack_table
            .len(),
        1000
    );
}

#[test]
fn a_preferred_name_wins_wherever_it_is() {
    // `samples` (v1.9+) over `sample` (v1.8), `lines` over `line`, in either order.
    for profile in [
        json!({"sample": [{}, {}], "samples": [{}]}),
        json!({"samples": [{}], "sample": [{}, {}]}),
        json!({"sample": [{}, {}], "samples": [{}], "sample_": 1}),
        json!({"sample": [{}, {}], "samples": null, "samples_x": [{}]}),
    ] {
        let expected = profile["samples"].as_array().map_or(2, Vec::len);
        let decoded = one_profile(&with_profile(profile));
        assert_eq!(first_profile(&decoded).samples.len(), expected);
    }
    for text in [
        r#"{"dictionary": {"locationTable": [{"line": [{}, {}], "lines": [{}]}]}}"#,
        r#"{"dictionary": {"locationTable": [{"lines": [{}], "line": [{}, {}]}]}}"#,
    ] {
        let decoded = profiles(text.as_bytes()).unwrap();
        let location = &decoded.messages[0]
            .dictionary
            .as_ref()
            .unwrap()
            .location_table[0];
        assert_eq!(location.lines.len(), 1, "{text}");
    }
    // camelCase over snake_case, and for AnyValue the first kind in field order.
    let text = r#"{"resourceProfiles": [{"schema_url": "snake", "schemaUrl": "camel",
        "resource": {"attributes": [{"value": {"intValue": 1, "stringValue": "s"}}]}}]}"#;
    let decoded = profiles(text.as_bytes()).unwrap();
    let rp = &decoded.messages[0].resource_profiles[0];
    assert_eq!(rp.schema_url, "camel");
    let value = rp.resource.as_ref().unwrap().attributes[0].value.clone();
    assert_eq!(
        value.and_then(|v| v.value),
        Some(any_value::Value::StringValue("s".into()))
    );
}

#[test]
fn nulls_in_arrays_are_errors() {
    let doc = with_profile(json!({"samples": [{"values": ["1", null]}]}));
    let err = profiles(doc.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        json_path(&err),
        "$.resourceProfiles[0].scopeProfiles[0].profiles[0].samples[0].values[1]"
    );
    assert_eq!(err.message, "expected an int64, found null");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // serde_json refuses more than 128 levels (three a nested value); under it, all is read.
    let nest = |depth: usize| {
        let open = r#"{"arrayValue": {"values": ["#.repeat(depth);
        let close = "]}}".repeat(depth);
        format!(
            r#"{{"resourceProfiles": [{{"resource": {{"attributes": [{{"value": {open}{{}}{close}}}]}}}}]}}"#
        )
    };
    let err = profiles(nest(200).as_bytes()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Malformed);
    assert_eq!(err.message, "not valid JSON here: recursion limit exceeded");
    let decoded = profiles(nest(40).as_bytes()).unwrap();
    let mut value = decoded.messages[0].resource_profiles[0]
        .resource
        .as_ref()
        .unwrap()
        .attributes[0]
        .value
        .clone();
    let mut depth = 0;
    while let Some(AnyValue {
        value: Some(any_value::Value::ArrayValue(array)),
    }) = value
    {
        depth += 1;
        value = array.values.into_iter().next();
    }
    assert_eq!(depth, 40);
}

#[test]
fn a_string_serde_reads_but_cannot_decode_is_located() {
    // A lone surrogate passes the syntax pass and fails only when the string is decoded.
    let err = profiles(br#"{"dictionary": {"stringTable": ["", "\ud800"]}}"#).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Malformed);
    assert_eq!(err.format, Format::OtlpProfilesJson);
    assert_eq!(json_path(&err), "$.dictionary.stringTable[1]");
    assert_eq!(
        err.message,
        "not valid JSON here: unexpected end of hex escape"
    );
}
