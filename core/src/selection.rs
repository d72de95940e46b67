//! What a view selects of the loaded data beside its sample type, profile and resource: a
//! span in its scope, a time range and attribute conditions. [`Selection`] holds them as
//! ids and values that survive a reload (the address's `span=`, `range=`, `attr=`, and the
//! pinned baseline's `baseSpan=`, `baseRange=`, `baseAttr=`: [`crate::view_hash`]).
//!
//! One rule turns them into a [`Filter`]: [`narrow`], used by the app's view and by a
//! baseline pinned from it ([`Selection::filter`]), so that the two sides of such a diff
//! differ only by what the user chose. The span is found by [`find_span`] (the trace file's
//! span, else a profile link with its ids) and scoped by [`crate::scope::select`].

use crate::filter::{AttrCondition, Filter};
use crate::model::{SpanKey, hex};
use crate::scope::{Scope, SpanRef, find_span, select};
use crate::trace::TraceSet;
use crate::units::format_value;

/// One attribute condition as the filter bar picks it: key, value, and whether it
/// excludes (`xattr`) rather than keeps (`attr`).
pub type AttrPick = (String, String, bool);

/// The core conditions for the picks: one per key and kind, values in pick order.
pub fn conditions(picks: &[AttrPick]) -> Vec<AttrCondition> {
    let mut out: Vec<AttrCondition> = Vec::new();
    for (key, value, exclude) in picks {
        match out
            .iter_mut()
            .find(|c| c.key == *key && c.exclude == *exclude)
        {
            Some(c) => {
                if !c.values.contains(value) {
                    c.values.push(value.clone());
                }
            }
            None => out.push(AttrCondition {
                key: key.clone(),
                values: vec![value.clone()],
                exclude: *exclude,
            }),
        }
    }
    out
}

/// Narrow `filter` (its sample type, profiles and resources kept) to a span in its scope, a
/// time range `[from, to)` and attribute picks; what is not given is cleared. A
/// [`Scope::TimeWindow`] span intersects its time with the range.
pub fn narrow(
    filter: &mut Filter,
    span: Option<(SpanRef, Scope)>,
    range: Option<(u64, u64)>,
    attrs: &[AttrPick],
    traces: Option<&TraceSet>,
) {
    filter.spans = None;
    filter.time = range;
    filter.conditions = conditions(attrs);
    if let Some((span, scope)) = span {
        select(traces, span, scope).apply(filter);
    }
}

/// A span, a time range and attribute picks, by ids and values (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The span's id.
    pub span: Option<[u8; 8]>,
    /// Its trace id, when given (needed only when two spans share the span id).
    pub trace: Option<[u8; 16]>,
    /// How much around the span (default: with children); meaningless without a span.
    pub scope: Option<Scope>,
    /// The time range `[from, to)`, UTC ns (`from < to`).
    pub range: Option<(u64, u64)>,
    /// Attribute conditions in order.
    pub attrs: Vec<AttrPick>,
}

/// A [`Selection`]'s span that neither the traces nor the profile's links know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanNotFound(pub [u8; 8]);

impl std::fmt::Display for SpanNotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "span {} is in neither the loaded traces nor the profile",
            hex(&self.0)
        )
    }
}

impl Selection {
    /// Whether it selects nothing in particular (no span, range or attribute).
    pub fn is_empty(&self) -> bool {
        self.span.is_none() && self.range.is_none() && self.attrs.is_empty()
    }

    /// The scope, its default filled in.
    pub fn scope(&self) -> Scope {
        self.scope.unwrap_or(Scope::WithChildren)
    }

    /// The span in the loaded data ([`find_span`]) with its scope; `Ok(None)` without a
    /// span.
    pub fn resolve_span(
        &self,
        traces: Option<&TraceSet>,
        links: &[SpanKey],
    ) -> Result<Option<(SpanRef, Scope)>, SpanNotFound> {
        let Some(span_id) = self.span else {
            return Ok(None);
        };
        find_span(span_id, self.trace, traces, links)
            .map(|span| Some((span, self.scope())))
            .ok_or(SpanNotFound(span_id))
    }

    /// `base` (for its sample type, profiles and resources) narrowed to this selection by
    /// [`narrow`]; an error when the span is nowhere in the loaded data.
    pub fn filter(
        &self,
        base: &Filter,
        traces: Option<&TraceSet>,
        links: &[SpanKey],
    ) -> Result<Filter, SpanNotFound> {
        let span = self.resolve_span(traces, links)?;
        let mut filter = base.clone();
        narrow(&mut filter, span, self.range, &self.attrs, traces);
        Ok(filter)
    }

    /// The selection in words, parts joined by `, `: `span GET /checkout (span and
    /// children)`, `time 1.20 s – 3.00 s (1.80 s)` (from `start`, the first sample's time,
    /// when known; else absolute ns), `thread.name = worker-1`, `thread.name ≠ main`. Empty
    /// for an empty selection.
    pub fn describe(
        &self,
        traces: Option<&TraceSet>,
        links: &[SpanKey],
        start: Option<u64>,
    ) -> String {
        let mut parts = Vec::new();
        if let Some(span_id) = self.span {
            let scope = self.scope().describe();
            parts.push(match self.resolve_span(traces, links) {
                Ok(Some((SpanRef::Index(i), _))) => match traces.and_then(|t| t.span(i)) {
                    Some(s) => format!("span {} ({scope})", s.name),
                    None => format!("span {} ({scope})", hex(&span_id)),
                },
                Ok(_) => format!("span {} ({scope})", hex(&span_id)),
                Err(_) => format!("span {} (not in the loaded data)", hex(&span_id)),
            });
        }
        if let Some((from, to)) = self.range {
            let ns = |v: u64| format_value(i64::try_from(v).unwrap_or(i64::MAX), "nanoseconds");
            let (a, b) = match start {
                Some(s) => (ns(from.saturating_sub(s)), ns(to.saturating_sub(s))),
                None => (format!("{from} ns"), format!("{to} ns")),
            };
            parts.push(format!("time {a} – {b} ({})", ns(to.saturating_sub(from))));
        }
        for (key, value, exclude) in &self.attrs {
            let op = if *exclude { "≠" } else { "=" };
            parts.push(format!("{key} {op} {value}"));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_merge_values_per_key_and_kind() {
        let picks = vec![
            ("thread.name".to_owned(), "a".to_owned(), false),
            ("thread.name".to_owned(), "b".to_owned(), false),
            ("thread.name".to_owned(), "a".to_owned(), false),
            ("thread.name".to_owned(), "c".to_owned(), true),
        ];
        let c = conditions(&picks);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].values, ["a", "b"]);
        assert!(!c[0].exclude);
        assert_eq!(c[1].values, ["c"]);
        assert!(c[1].exclude);
    }

    #[test]
    fn narrow_replaces_what_a_selection_sets_and_keeps_the_rest() {
        let mut f = Filter {
            sample_type: crate::model::SampleTypeId::from_index(2),
            time: Some((1, 2)),
            conditions: conditions(&[("k".into(), "v".into(), false)]),
            ..Filter::default()
        };
        narrow(&mut f, None, Some((10, 20)), &[], None);
        assert_eq!(f.sample_type.index(), 2);
        assert_eq!(f.time, Some((10, 20)));
        assert!(f.conditions.is_empty() && f.spans.is_none());
    }

    #[test]
    fn describe_says_each_part() {
        let s = Selection {
            span: Some([0xab; 8]),
            range: Some((1_000_000_000 + 1_200_000_000, 1_000_000_000 + 3_000_000_000)),
            attrs: vec![
                ("thread.name".into(), "worker-1".into(), false),
                ("process.pid".into(), "7".into(), true),
            ],
            ..Selection::default()
        };
        assert_eq!(
            s.describe(None, &[], Some(1_000_000_000)),
            "span abababababababab (not in the loaded data), time 1.2\u{202f}s – 3\u{202f}s (1.8\u{202f}s), \
             thread.name = worker-1, process.pid ≠ 7"
        );
        let key = SpanKey {
            trace_id: [1; 16],
            span_id: [0xab; 8],
        };
        assert!(
            s.describe(None, &[key], None)
                .starts_with("span abababababababab (span and children), time 2200000000 ns")
        );
        assert!(Selection::default().describe(None, &[], None).is_empty());
        assert!(Selection::default().is_empty() && !s.is_empty());
        assert_eq!(s.resolve_span(None, &[]), Err(SpanNotFound([0xab; 8])));
        assert!(s.filter(&Filter::default(), None, &[]).is_err());
        assert!(s.filter(&Filter::default(), None, &[key]).is_ok());
    }
}
