//! OTLP trace messages (protobuf or JSON, already decoded) into a [`TraceSet`]. Here, in
//! the formats layer, so that the trace model does not depend on the OTLP types.

use std::collections::HashMap;

use opentelemetry_proto::tonic::common::v1::KeyValue;

use super::trace_proto::TracesData;
use crate::any_value::any_value_text;
use crate::error::{Diagnostics, Format};
use crate::model::{Attribute, NONE, SpanKey};
use crate::trace::{Span, SpanKind, SpanStatus, TraceSet};

/// Traces have no string table: a string-table reference reads as `#index`.
fn no_table(i: i32, _what: &str) -> String {
    format!("#{i}")
}

fn attributes(kvs: &[KeyValue]) -> Vec<Attribute> {
    kvs.iter()
        .filter(|kv| !kv.key.is_empty())
        .map(|kv| Attribute {
            key: kv.key.clone(),
            value: any_value_text(kv.value.as_ref(), &mut no_table),
        })
        .collect()
}

/// Build a trace set from decoded messages: spans with bad ids are skipped and a repeated
/// (trace, span) pair keeps its first span, each with a diagnostic; a parent outside the
/// file leaves the span a root, as trace viewers do.
pub fn trace_set(format: Format, messages: &[TracesData]) -> TraceSet {
    let mut diagnostics = Diagnostics::default();
    let mut spans: Vec<Span> = Vec::new();
    let mut by_key: HashMap<SpanKey, u32> = HashMap::new();
    let mut parent_ids: Vec<Option<[u8; 8]>> = Vec::new();
    for m in messages {
        for rs in &m.resource_spans {
            let res_attrs = rs
                .resource
                .as_ref()
                .map(|r| attributes(&r.attributes))
                .unwrap_or_default();
            let service = res_attrs
                .iter()
                .find(|a| a.key == "service.name")
                .map(|a| a.value.clone())
                .unwrap_or_default();
            for ss in &rs.scope_spans {
                for s in &ss.spans {
                    let (Ok(trace_id), Ok(span_id)) = (
                        <[u8; 16]>::try_from(s.trace_id.as_slice()),
                        <[u8; 8]>::try_from(s.span_id.as_slice()),
                    ) else {
                        diagnostics.push(
                            format,
                            "a span's trace id is not 16 bytes or its span id not 8 bytes; span skipped",
                        );
                        continue;
                    };
                    let key = SpanKey { trace_id, span_id };
                    if by_key.contains_key(&key) {
                        diagnostics.push(
                            format,
                            "a span id appears twice in one trace; kept the first",
                        );
                        continue;
                    }
                    by_key.insert(key, spans.len() as u32);
                    parent_ids.push(<[u8; 8]>::try_from(s.parent_span_id.as_slice()).ok());
                    let status = s.status.clone().unwrap_or_default();
                    spans.push(Span {
                        key,
                        parent: NONE,
                        name: s.name.clone(),
                        service: service.clone(),
                        kind: SpanKind::from_code(s.kind),
                        start: s.start_time_unix_nano,
                        end: s.end_time_unix_nano.max(s.start_time_unix_nano),
                        status: SpanStatus::from_code(status.code),
                        status_message: status.message,
                        attributes: attributes(&s.attributes),
                        depth: 0,
                    });
                }
            }
        }
    }
    for (i, parent) in parent_ids.iter().enumerate() {
        let Some(parent) = parent.filter(|p| *p != [0; 8]) else {
            continue;
        };
        let key = SpanKey {
            trace_id: spans[i].key.trace_id,
            span_id: parent,
        };
        if let Some(&p) = by_key.get(&key) {
            spans[i].parent = p;
        }
    }
    TraceSet::from_spans(Some(format), false, spans, diagnostics)
}
