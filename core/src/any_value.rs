//! OTLP `AnyValue`s as the text of an [`Attribute`](crate::model::Attribute), for profiles
//! and traces alike.

use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};

use crate::model::hex;

/// Longest attribute value kept, in bytes; longer values are cut with an ellipsis. A short
/// input can refer to one long string from many attributes, or nest arrays deeply.
pub const MAX_VALUE_TEXT: usize = 1024;

/// Looks up a string-table reference: `(index, "attribute value" or "attribute key")`.
pub type StrIndex<'a> = dyn FnMut(i32, &'static str) -> String + 'a;

/// `value` as text, at most [`MAX_VALUE_TEXT`] bytes (plus the ellipsis): arrays as
/// `[a, b]`, key-value lists as `{k: v}`, bytes as hex. `strindex` turns a string-table
/// reference into its text; it is told whether it is an `"attribute value"` or an
/// `"attribute key"` (of a list entry), for its diagnostics.
pub fn any_value_text(value: Option<&AnyValue>, strindex: &mut StrIndex<'_>) -> String {
    let mut text = match value.and_then(|v| v.value.as_ref()) {
        None => String::new(),
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::BoolValue(v)) => v.to_string(),
        Some(Value::IntValue(v)) => v.to_string(),
        Some(Value::DoubleValue(v)) => v.to_string(),
        Some(Value::BytesValue(v)) => hex(v),
        Some(Value::StringValueStrindex(i)) => strindex(*i, "attribute value"),
        Some(Value::ArrayValue(a)) => {
            let items: Vec<String> = a
                .values
                .iter()
                .map(|v| any_value_text(Some(v), strindex))
                .collect();
            format!("[{}]", items.join(", "))
        }
        Some(Value::KvlistValue(kv)) => {
            let items: Vec<String> = kv
                .values
                .iter()
                .filter_map(|kv| {
                    let key = key_text(kv, strindex);
                    let value = any_value_text(kv.value.as_ref(), strindex);
                    (!key.is_empty()).then(|| format!("{key}: {value}"))
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    };
    if text.len() > MAX_VALUE_TEXT {
        let mut cut = MAX_VALUE_TEXT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// The key of `kv`: literal, or (OTLP profiles v1.10+) a string-table reference.
pub fn key_text(kv: &KeyValue, strindex: &mut StrIndex<'_>) -> String {
    if kv.key.is_empty() && kv.key_strindex != 0 {
        strindex(kv.key_strindex, "attribute key")
    } else {
        kv.key.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{ArrayValue, KeyValueList};

    fn v(value: Value) -> AnyValue {
        AnyValue { value: Some(value) }
    }

    #[test]
    fn nested_values_read_as_text_and_long_ones_are_cut() {
        let mut no_table = |i: i32, _: &str| format!("#{i}");
        let list = v(Value::KvlistValue(KeyValueList {
            values: vec![
                KeyValue {
                    key: "a".into(),
                    value: Some(v(Value::ArrayValue(ArrayValue {
                        values: vec![v(Value::IntValue(1)), v(Value::BoolValue(true))],
                    }))),
                    ..KeyValue::default()
                },
                KeyValue {
                    key_strindex: 3,
                    value: Some(v(Value::BytesValue(vec![0xab, 1]))),
                    ..KeyValue::default()
                },
            ],
        }));
        assert_eq!(
            any_value_text(Some(&list), &mut no_table),
            "{a: [1, true], #3: ab01}"
        );
        let long = v(Value::StringValue("é".repeat(MAX_VALUE_TEXT)));
        let text = any_value_text(Some(&long), &mut no_table);
        assert!(text.ends_with('…') && text.len() <= MAX_VALUE_TEXT + '…'.len_utf8());
        assert_eq!(any_value_text(None, &mut no_table), "");
    }
}
