//! "The samples of this span": a span and a [`Scope`] turned into the [`Filter`] conditions
//! that keep them. The CLI, the app's span filter, its waterfall, the address hash and the
//! embedding protocol all go through [`select`], so a span means the same samples
//! everywhere.
//!
//! ## A span that is not in the loaded traces
//!
//! A span can be known only by its ids: from the profile's span links, a hash or a host page,
//! with no trace file loaded or one that lacks it. Its children and its times are then
//! unknown, so the one rule is: **what the ids alone can say is kept, and the rest narrows to
//! the samples linked to the span itself.** [`Scope::Only`] is the span's samples;
//! [`Scope::Trace`] is every sample of its trace when the ids carry a trace id (pprof labels
//! may give only a span id: then the span alone); [`Scope::WithChildren`] and
//! [`Scope::TimeWindow`] narrow to the span alone. [`ScopeSelection::missing`] says the span
//! was not found and [`ScopeSelection::applied`] which scope was used, so that a caller can
//! tell the user (the CLI warns on stderr, the app's chip names the scope applied).

use crate::filter::{Filter, SpanSelection};
use crate::model::{SpanIdx, SpanKey};
use crate::trace::TraceSet;

/// Which samples around a span to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Samples linked to the span itself.
    Only,
    /// Samples linked to the span or any of its descendants.
    WithChildren,
    /// Samples linked to any span of its trace.
    Trace,
    /// Samples taken while it ran, on any thread.
    TimeWindow,
}

impl Scope {
    /// Every scope, in the order a menu lists them.
    pub const ALL: [Scope; 4] = [
        Scope::WithChildren,
        Scope::Only,
        Scope::Trace,
        Scope::TimeWindow,
    ];

    /// `only`, `children`, `trace` or `time`.
    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == text)
    }

    /// The name [`Scope::parse`] reads (the hash, the protocol and the CLI use it).
    pub fn name(self) -> &'static str {
        match self {
            Scope::Only => "only",
            Scope::WithChildren => "children",
            Scope::Trace => "trace",
            Scope::TimeWindow => "time",
        }
    }

    /// The scope in words, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Only => "this span only",
            Scope::WithChildren => "span and children",
            Scope::Trace => "whole trace",
            Scope::TimeWindow => "while it ran, any thread",
        }
    }
}

/// A span: an index into a loaded [`TraceSet`], or ids alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanRef {
    /// An index into [`TraceSet::spans`].
    Index(SpanIdx),
    /// A span known by its ids (from a profile's links, a hash, a host page).
    Key(SpanKey),
}

/// The [`Filter`] conditions of a span in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSelection {
    /// Which spans' samples to keep (`None` for a time window).
    pub spans: Option<SpanSelection>,
    /// The time window `[from, to)`, UTC ns, for [`Scope::TimeWindow`].
    pub time: Option<(u64, u64)>,
    /// The scope used: the one asked for, or [`Scope::Only`] when the span is
    /// [`missing`](Self::missing) and the one asked for needs what the traces would say.
    pub applied: Scope,
    /// The span is not in the loaded traces (or none are loaded); see the module docs.
    pub missing: bool,
}

impl ScopeSelection {
    /// Whether a scope asked for could not be applied as it is.
    pub fn narrowed(&self, asked: Scope) -> bool {
        self.applied != asked
    }

    /// Narrow `filter` to this selection. A time window meets any time range it has.
    pub fn apply(&self, filter: &mut Filter) {
        if let Some(spans) = &self.spans {
            filter.spans = Some(spans.clone());
        }
        if let Some((from, to)) = self.time {
            filter.time = Some(match filter.time {
                Some((a, b)) => (a.max(from), b.min(to).max(a.max(from))),
                None => (from, to),
            });
        }
    }

    /// Keeps no sample: a span index with nothing to index into.
    fn nothing(asked: Scope) -> ScopeSelection {
        ScopeSelection {
            spans: Some(SpanSelection::Spans(Vec::new())),
            time: None,
            applied: asked,
            missing: true,
        }
    }
}

/// The selection for `span` in `scope`, looked up in `traces`. A [`SpanRef::Key`] is looked
/// up as sample links are ([`TraceSet::resolve_link`]); one not found follows the rule in
/// the module docs. A [`SpanRef::Index`] outside the traces keeps nothing.
pub fn select(traces: Option<&TraceSet>, span: SpanRef, scope: Scope) -> ScopeSelection {
    let found = match span {
        SpanRef::Index(i) => traces.filter(|t| t.span(i).is_some()).map(|t| (t, i)),
        SpanRef::Key(key) => traces.and_then(|t| t.resolve_link(&key).map(|i| (t, i))),
    };
    match (found, span) {
        (Some((traces, i)), _) => traces.select(i, scope),
        (None, SpanRef::Key(key)) => select_missing(key, scope),
        (None, SpanRef::Index(_)) => ScopeSelection::nothing(scope),
    }
}

/// The rule for a span not in the traces.
fn select_missing(key: SpanKey, scope: Scope) -> ScopeSelection {
    let (spans, applied) = match scope {
        Scope::Trace if key.trace_id != [0; 16] => (SpanSelection::Trace(key.trace_id), scope),
        _ => (SpanSelection::Spans(vec![key]), Scope::Only),
    };
    ScopeSelection {
        spans: Some(spans),
        time: None,
        applied,
        missing: true,
    }
}

/// Find a span by its span id (and trace id, when given): in the traces first (by both ids,
/// else by the span id alone), then among a profile's span `links`. `None` when neither has
/// it.
pub fn find_span(
    span_id: [u8; 8],
    trace_id: Option<[u8; 16]>,
    traces: Option<&TraceSet>,
    links: &[SpanKey],
) -> Option<SpanRef> {
    let in_traces = traces.and_then(|t| {
        trace_id
            .and_then(|trace_id| t.find(&SpanKey { trace_id, span_id }))
            .or_else(|| t.find_span_id(&span_id))
    });
    in_traces.map(SpanRef::Index).or_else(|| {
        links
            .iter()
            .find(|k| k.span_id == span_id && trace_id.is_none_or(|t| t == k.trace_id))
            .map(|&k| SpanRef::Key(k))
    })
}

impl TraceSet {
    /// The selection for span `span` of this set in `scope`; an index outside the set keeps
    /// nothing.
    pub fn select(&self, span: SpanIdx, scope: Scope) -> ScopeSelection {
        let Some(s) = self.span(span) else {
            return ScopeSelection::nothing(scope);
        };
        let (spans, time) = match scope {
            Scope::Only => (Some(SpanSelection::Spans(vec![s.key])), None),
            Scope::WithChildren => (
                Some(SpanSelection::Spans(
                    self.descendants(span)
                        .into_iter()
                        .filter_map(|d| self.span(d).map(|d| d.key))
                        .collect(),
                )),
                None,
            ),
            Scope::Trace => (Some(SpanSelection::Trace(s.key.trace_id)), None),
            // A zero-length span still gets a window one nanosecond wide.
            Scope::TimeWindow => (None, Some((s.start, s.end.max(s.start.saturating_add(1))))),
        };
        ScopeSelection {
            spans,
            time,
            applied: scope,
            missing: false,
        }
    }
}

impl TraceSet {
    /// The baseline for "this span against the other spans with its name": every *other*
    /// span with the same name and service (the selected span and its subtree left out, so
    /// a nested span of the same name does not count on both sides), in `scope`.
    /// [`Scope::Only`] keeps their own samples; any other scope keeps their subtrees'
    /// ([`Scope::WithChildren`]): a trace or a time window is one per span and would not
    /// add up, so `applied` says `WithChildren` then. No other span keeps nothing.
    pub fn select_same_name(&self, span: SpanIdx, scope: Scope) -> ScopeSelection {
        let Some((own, others)) = self.same_name_others(span) else {
            return ScopeSelection::nothing(scope);
        };
        let applied = if scope == Scope::Only {
            Scope::Only
        } else {
            Scope::WithChildren
        };
        let mut keys = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for i in others {
            let members = match applied {
                Scope::Only => vec![i],
                _ => self.descendants(i),
            };
            for d in members {
                if !own.contains(&d) && seen.insert(d) {
                    keys.extend(self.span(d).map(|d| d.key));
                }
            }
        }
        ScopeSelection {
            spans: Some(SpanSelection::Spans(keys)),
            time: None,
            applied,
            missing: false,
        }
    }

    /// How many other spans share `span`'s name and service (what
    /// [`TraceSet::select_same_name`] compares against).
    pub fn same_name_count(&self, span: SpanIdx) -> usize {
        self.same_name_others(span)
            .map_or(0, |(_, others)| others.len())
    }

    /// The one rule of "the other spans with this name": `span`'s own subtree, and every
    /// span outside it with the same name and service. None for an unknown span.
    fn same_name_others(
        &self,
        span: SpanIdx,
    ) -> Option<(std::collections::HashSet<SpanIdx>, Vec<SpanIdx>)> {
        let s = self.span(span)?;
        let own: std::collections::HashSet<SpanIdx> = self.descendants(span).into_iter().collect();
        let others = (0..self.spans.len())
            .map(SpanIdx::from_index)
            .filter(|i| !own.contains(i))
            .filter(|&i| {
                self.span(i)
                    .is_some_and(|o| o.name == s.name && o.service == s.service)
            })
            .collect();
        Some((own, others))
    }
}
