//! The protocol's tests: parsing, messages and origins.

use super::*;
use serde_json::{Value, json};

use crate::scope::Scope;
use crate::tree::FunctionStats;

fn request(v: Value) -> Request {
    match parse(&v, DataKind::Missing) {
        Parsed::Request { request, .. } => request,
        other => panic!("{v} was refused: {other:?}"),
    }
}

fn refused(v: Value, data: DataKind) -> (Option<Value>, ErrorCode, String) {
    match parse(&v, data) {
        Parsed::Invalid { request_id, error } => (request_id, error.code, error.message),
        other => panic!("{v} was accepted: {other:?}"),
    }
}

#[test]
fn other_traffic_is_ignored() {
    for v in [
        json!("hello"),
        json!(42),
        json!(null),
        json!([1, 2]),
        json!({}),
        json!({ "type": "webpackOk" }),
        json!({ "type": "Spanflame", "version": 1, "kind": "ping" }),
        json!({ "perfetto": { "buffer": 1 } }),
    ] {
        assert_eq!(parse(&v, DataKind::Missing), Parsed::NotOurs, "{v}");
    }
}

#[test]
fn unknown_versions_and_kinds_are_refused_with_a_reason() {
    let (id, code, message) = refused(
        json!({ "type": "spanflame", "version": 2, "kind": "ping", "requestId": 7 }),
        DataKind::Missing,
    );
    assert_eq!((id, code), (Some(json!(7)), ErrorCode::UnsupportedVersion));
    assert!(message.contains("version 2"), "{message}");
    let (_, code, _) = refused(
        json!({ "type": "spanflame", "kind": "ping" }),
        DataKind::Missing,
    );
    assert_eq!(code, ErrorCode::UnsupportedVersion);
    let (_, code, _) = refused(
        json!({ "type": "spanflame", "version": "1", "kind": "ping" }),
        DataKind::Missing,
    );
    assert_eq!(code, ErrorCode::UnsupportedVersion);
    let (_, code, message) = refused(
        json!({ "type": "spanflame", "version": 1, "kind": "explode" }),
        DataKind::Missing,
    );
    assert_eq!(code, ErrorCode::UnknownKind);
    assert!(message.contains("loadProfile"));
    let (id, code, _) = refused(
        json!({ "type": "spanflame", "version": 1, "kind": "ping", "requestId": {"a": 1} }),
        DataKind::Missing,
    );
    assert_eq!((id, code), (None, ErrorCode::InvalidMessage));
}

#[test]
fn requests_parse() {
    let m = |kind: &str, extra: Value| {
        let mut v = json!({ "type": "spanflame", "version": 1, "kind": kind });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    assert_eq!(request(m("ping", json!({}))), Request::Ping);
    assert_eq!(request(m("clear", json!({}))), Request::Clear);
    assert_eq!(
        parse(
            &m(
                "loadProfile",
                json!({ "name": "p.binpb", "requestId": "a" })
            ),
            DataKind::Bytes
        ),
        Parsed::Request {
            request_id: Some(json!("a")),
            request: Request::Load {
                kind: FileKind::Profile,
                name: Some("p.binpb".into())
            }
        }
    );
    assert!(matches!(
        parse(&m("loadTrace", json!({})), DataKind::Text),
        Parsed::Request {
            request: Request::Load {
                kind: FileKind::Trace,
                name: None
            },
            ..
        }
    ));
    assert_eq!(
        refused(m("loadTrace", json!({})), DataKind::Missing).1,
        ErrorCode::InvalidMessage
    );
    assert_eq!(
        refused(m("loadProfile", json!({})), DataKind::Other).1,
        ErrorCode::InvalidMessage
    );
    assert_eq!(
        request(m(
            "selectSpan",
            json!({ "span": "D28FECE0D5B12A5C", "scope": "only" })
        )),
        Request::SelectSpan {
            target: Some(SpanTarget {
                span_id: [0xd2, 0x8f, 0xec, 0xe0, 0xd5, 0xb1, 0x2a, 0x5c],
                trace_id: None,
                scope: Scope::Only
            }),
            top: TOP_FRAMES
        }
    );
    let Request::SelectSpan {
        target: Some(t),
        top,
    } = request(m(
        "selectSpan",
        json!({ "span": "adec6d49f47ac7bb", "trace": "d38ade02000000000000000000000000", "topFrames": 3 }),
    ))
    else {
        panic!()
    };
    assert_eq!((t.scope, top), (Scope::WithChildren, 3));
    assert_eq!(t.trace_id.unwrap()[0], 0xd3);
    assert_eq!(
        request(m("selectSpan", json!({ "span": null }))),
        Request::SelectSpan {
            target: None,
            top: TOP_FRAMES
        }
    );
    for bad in [
        json!({ "span": "xyz" }),
        json!({ "span": "adec6d49f47ac7bb", "scope": "everything" }),
        json!({ "span": "adec6d49f47ac7bb", "trace": "12" }),
        json!({ "span": 12 }),
        json!({ "topFrames": 1000 }),
    ] {
        assert_eq!(
            refused(m("selectSpan", bad), DataKind::Missing).1,
            ErrorCode::InvalidMessage
        );
    }
    assert_eq!(
        request(m("setSampleType", json!({ "sampleType": 2 }))),
        Request::SetSampleType(SampleTypeRef::Index(2))
    );
    assert_eq!(
        request(m("setSampleType", json!({ "sampleType": "cpu" }))),
        Request::SetSampleType(SampleTypeRef::Name("cpu".into()))
    );
    assert_eq!(
        refused(
            m("setSampleType", json!({ "sampleType": -1 })),
            DataKind::Missing
        )
        .1,
        ErrorCode::InvalidMessage
    );
    assert_eq!(
        request(m("setTheme", json!({ "theme": "dark" }))),
        Request::SetTheme(Theme::Dark)
    );
    assert_eq!(
        refused(m("setTheme", json!({ "theme": "pink" })), DataKind::Missing).1,
        ErrorCode::InvalidMessage
    );
}

#[test]
fn replies_carry_the_envelope() {
    let text = envelope(&ViewerMessage::ready("0.1.0"), None);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["type"], "spanflame");
    assert_eq!(v["version"], 1);
    assert_eq!(v["kind"], "ready");
    assert_eq!(v["supportedVersions"], json!([1]));
    assert!(v.get("requestId").is_none());
    let error = ProtocolError::new(ErrorCode::UnsupportedVersion, "no");
    let v: Value =
        serde_json::from_str(&envelope(&ViewerMessage::error(&error), Some(&json!(3)))).unwrap();
    assert_eq!(v["kind"], "error");
    assert_eq!(v["code"], "unsupportedVersion");
    assert_eq!(v["requestId"], 3);
    let selected = ViewerMessage::SpanSelected {
        span: None,
        scope: None,
        found: false,
        sample_type: None,
        total_weight: 187,
        top_frames: vec![],
    };
    let v: Value = serde_json::from_str(&envelope(&selected, None)).unwrap();
    assert_eq!(v["kind"], "spanSelected");
    assert_eq!(v["totalWeight"], 187);
    assert_eq!(v["span"], Value::Null);
}

#[test]
fn top_frames_sort_by_self_weight() {
    let f = |name: &str, s: i64, t: i64| FunctionStats {
        name: name.into(),
        file: String::new(),
        self_weight: s,
        total_weight: t,
        calls: None,
    };
    let stats = [f("main", 0, 10), f("b", 3, 3), f("a", 3, 4), f("c", 4, 4)];
    let top = top_frames(&stats, 2);
    assert_eq!(
        top.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["c", "a"]
    );
    assert_eq!(top_frames(&stats, 10).len(), 3);
}

#[test]
fn origins_are_normalised_and_checked() {
    assert_eq!(
        normalize_origin("HTTPS://Example.com:443/").as_deref(),
        Some("https://example.com")
    );
    assert_eq!(
        normalize_origin("http://127.0.0.1:8080").as_deref(),
        Some("http://127.0.0.1:8080")
    );
    assert_eq!(
        normalize_origin("http://[::1]:3000").as_deref(),
        Some("http://[::1]:3000")
    );
    assert_eq!(
        origin_of_url("http://127.0.0.1:9000/tools/embed-host.html?x=1#y").as_deref(),
        Some("http://127.0.0.1:9000")
    );
    assert_eq!(
        origin_of_url("https://a.example").as_deref(),
        Some("https://a.example")
    );
    assert_eq!(origin_of_url(""), None);
    assert_eq!(origin_of_url("about:blank"), None);
    for bad in [
        "*",
        "null",
        "",
        "example.com",
        "https://a.com/path",
        "https://a.com?x",
        "ftp://a.com",
        "https://user@a.com",
        "https://a.com:99999",
        "https://",
    ] {
        assert_eq!(normalize_origin(bad), None, "{bad}");
    }

    let own = "http://127.0.0.1:8080";
    let (policy, refused) = OriginPolicy::new(own, &[], &[]);
    assert!(policy.allows(own));
    assert!(!policy.allows("http://127.0.0.1:9090"));
    assert!(refused.is_empty());

    let requested = vec!["http://127.0.0.1:9090/".to_owned(), "*".to_owned()];
    let (policy, refused) = OriginPolicy::new(own, &requested, &[]);
    assert!(policy.allows("http://127.0.0.1:9090"));
    assert!(!policy.allows("*"));
    assert!(!policy.allows("null"));
    assert_eq!(refused, ["*"]);
    assert_eq!(policy.origins(), [own, "http://127.0.0.1:9090"]);

    let configured = vec!["https://grafana.example".to_owned()];
    let (policy, refused) = OriginPolicy::new(own, &requested, &configured);
    assert!(!policy.allows("http://127.0.0.1:9090"));
    assert_eq!(refused.len(), 2);
    let (policy, _) = OriginPolicy::new(own, &["https://grafana.example".to_owned()], &configured);
    assert!(policy.allows("https://grafana.example"));
}

#[test]
fn the_query_configures_embedding() {
    let c = EmbedConfig::from_query(
        "?embed=1&origin=http%3A%2F%2F127.0.0.1%3A9000&origin=https://a.example,https://b.example&theme=dark",
    );
    assert!(c.embed);
    assert_eq!(
        c.origins,
        [
            "http://127.0.0.1:9000",
            "https://a.example",
            "https://b.example"
        ]
    );
    assert_eq!(c.theme, Some(Theme::Dark));
    assert_eq!(EmbedConfig::from_query(""), EmbedConfig::default());
    assert!(!EmbedConfig::from_query("?embed=0").embed);
    assert_eq!(EmbedConfig::from_query("?theme=blue").theme, None);
}
