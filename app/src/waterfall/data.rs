//! What the waterfall shows, computed from the loaded profile and traces: the rows, the
//! profile joined to the spans (sample counts and times per span), and the spans running the
//! selected function. No drawing and no DOM here.

use std::collections::HashMap;

use spanflame_core::spans::{SpanTimes, linked, span_samples_in_range, times_in_range};
use spanflame_core::waterfall::{TimeAxis, sampling_period_ns};
use spanflame_core::{Filter, ProfileSet, SpanIdx, SpanKey, SpanSamples, SpanStatus, TraceSet};

/// One waterfall row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    /// A span of the loaded traces, by index.
    Span(SpanIdx),
    /// A span the profile links to that no loaded trace has: known by its ids only.
    Linked(SpanKey),
}

impl Row {
    /// The span's ids (all zero for an index the traces do not have: a stale row).
    pub fn key(self, traces: &TraceSet) -> SpanKey {
        const STALE: SpanKey = SpanKey {
            trace_id: [0; 16],
            span_id: [0; 8],
        };
        match self {
            Row::Span(i) => traces.span(i).map_or(STALE, |s| s.key),
            Row::Linked(key) => key,
        }
    }

    /// A DOM id for the row (unique in the page).
    pub fn dom_id(self, traces: &TraceSet) -> String {
        let key = self.key(traces);
        format!("wf-{}-{}", key.trace_hex(), key.span_hex())
    }
}

/// The profile joined to the spans under one filter.
#[derive(Debug, Default)]
pub struct Join {
    /// Linked samples per link.
    pub by_span: HashMap<SpanKey, SpanSamples>,
    /// Per span index: own samples, and with its descendants'.
    pub counts: Vec<(SpanSamples, SpanSamples)>,
    /// Links to spans that are not in the traces, by their first sample.
    pub unknown: Vec<(SpanKey, SpanSamples)>,
    /// Sample timestamps per link, ascending.
    pub times: HashMap<SpanKey, Vec<u64>>,
    /// The sampling period of the sample type, ns, when it is a time.
    pub period: Option<u64>,
    /// Spans with samples of their own.
    pub with_samples: usize,
    /// Whether a profile was joined at all.
    pub has_profile: bool,
}

impl Join {
    /// Join `profile` (if any) with `traces` for the rows `filter` keeps (its span
    /// selection is ignored by the caller's choice of filter). `all_times` are the sample
    /// times and running weights per span for `filter` without its time range
    /// ([`ProfileSet::sample_times_and_weights_by_span`]), which is cut from them here.
    pub fn new(
        profile: Option<&ProfileSet>,
        traces: &TraceSet,
        filter: &Filter,
        all_times: &HashMap<SpanKey, SpanTimes>,
    ) -> Join {
        let Some(profile) = profile else {
            return Join {
                counts: vec![Default::default(); traces.spans.len()],
                ..Join::default()
            };
        };
        // A brush cuts the counts and times from the unbrushed times (binary searches per
        // span) rather than passing over every sample row again.
        let (by_span, times) = match filter.time {
            Some((from, to)) if from > 0 => span_samples_in_range(all_times, from, to),
            range => {
                let plain: HashMap<SpanKey, Vec<u64>> = (all_times.iter())
                    .map(|(k, t)| (*k, t.times.clone()))
                    .collect();
                let times = match range {
                    None => plain,
                    range => times_in_range(&plain, range),
                };
                (profile.samples_by_span(filter), times)
            }
        };
        let counts = traces.span_counts(&by_span);
        let mut join = Join {
            period: sampling_period_ns(profile, filter.sample_type),
            unknown: traces.unknown_spans(&by_span),
            by_span,
            counts,
            times,
            with_samples: 0,
            has_profile: true,
        };
        join.with_samples =
            join.counts.iter().filter(|c| c.0.samples > 0).count() + join.unknown.len();
        join.unknown = by_first_sample(&join);
        join
    }

    /// Own and with-descendants sample counts of a row.
    pub fn counts(&self, row: Row) -> (u64, u64) {
        match row {
            Row::Span(i) => self
                .counts
                .get(i.index())
                .map_or((0, 0), |c| (c.0.samples, c.1.samples)),
            Row::Linked(key) => {
                let n = self.by_span.get(&key).map_or(0, |n| n.samples);
                (n, n)
            }
        }
    }
}

/// The spans whose samples run the selected function.
#[derive(Debug)]
pub struct Hits {
    /// The function.
    pub name: String,
    /// Per link: samples with the function on the stack.
    pub by_span: HashMap<SpanKey, SpanSamples>,
    /// Per span index: own and with descendants.
    pub counts: Vec<(SpanSamples, SpanSamples)>,
    /// Their timestamps per link.
    pub times: HashMap<SpanKey, Vec<u64>>,
    /// How many loaded or linked spans run it.
    pub spans: usize,
    /// In how many linked samples.
    pub samples: u64,
}

impl Hits {
    /// Where `name` runs among the samples `filter` keeps.
    pub fn new(profile: &ProfileSet, traces: &TraceSet, filter: &Filter, name: &str) -> Hits {
        let by_span = profile.spans_running_function(filter, name);
        let counts = traces.span_counts(&by_span);
        let times = profile.sample_times_by_span(filter, Some(name));
        let unknown = traces.unknown_spans(&by_span).len();
        Hits {
            name: name.to_owned(),
            spans: counts.iter().filter(|c| c.0.samples > 0).count() + unknown,
            samples: by_span.values().map(|n| n.samples).sum(),
            by_span,
            counts,
            times,
        }
    }

    /// Own and with-descendants samples of a row that run the function.
    pub fn counts(&self, row: Row) -> (u64, u64) {
        match row {
            Row::Span(i) => self
                .counts
                .get(i.index())
                .map_or((0, 0), |c| (c.0.samples, c.1.samples)),
            Row::Linked(key) => {
                let n = self.by_span.get(&key).map_or(0, |n| n.samples);
                (n, n)
            }
        }
    }
}

/// The sample times of a row in `times` (one or two ascending runs).
pub fn row_times<'a>(
    times: &'a HashMap<SpanKey, Vec<u64>>,
    traces: &TraceSet,
    row: Row,
) -> impl Iterator<Item = &'a [u64]> + use<'a> {
    let key = row.key(traces);
    let (a, b) = match row {
        Row::Span(_) => {
            let mut it = linked(times, &key);
            (it.next(), it.next())
        }
        Row::Linked(key) => (times.get(&key), None),
    };
    a.into_iter().chain(b).map(Vec::as_slice)
}

/// Where a row's bar goes: the span's start and end, or for a span known only by id, its
/// first and last sample (when they have times).
pub fn row_extent(traces: &TraceSet, join: &Join, row: Row) -> Option<(u64, u64)> {
    match row {
        Row::Span(i) => traces.span(i).map(|s| (s.start, s.end)),
        Row::Linked(key) => {
            let t = join.times.get(&key)?;
            Some((*t.first()?, *t.last()? + join.period.unwrap_or(0)))
        }
    }
}

/// The rows for the chosen trace (`roots`), then, when showing everything, the spans the
/// profile links to that no trace has.
pub fn build_rows(
    traces: &TraceSet,
    roots: &[SpanIdx],
    collapsed: &std::collections::HashSet<SpanIdx>,
    unknown: Option<&[(SpanKey, SpanSamples)]>,
) -> Vec<Row> {
    let mut rows: Vec<Row> = traces
        .waterfall_rows(roots, |s| collapsed.contains(&s))
        .into_iter()
        .map(Row::Span)
        .collect();
    if let Some(unknown) = unknown {
        rows.extend(unknown.iter().map(|(k, _)| Row::Linked(*k)));
    }
    rows
}

/// The linked spans no trace has, in the order a waterfall wants: by their first sample,
/// those without timestamps last (most samples first, as [`TraceSet::unknown_spans`] gives).
pub fn by_first_sample(join: &Join) -> Vec<(SpanKey, SpanSamples)> {
    let mut out = join.unknown.clone();
    let first = |k: &SpanKey| join.times.get(k).and_then(|t| t.first().copied());
    // Stable: ties keep the count order.
    out.sort_by_key(|(k, _)| first(k).unwrap_or(u64::MAX));
    out
}

/// The time axis over the rows: the spans' extents and the linked spans' samples.
pub fn axis_of(
    traces: &TraceSet,
    join: &Join,
    roots: Option<&[SpanIdx]>,
    unknown: bool,
) -> Option<TimeAxis> {
    let spans: Vec<(u64, u64)> = match roots {
        Some(roots) => roots
            .iter()
            .flat_map(|&r| traces.descendants(r))
            .filter_map(|s| traces.span(s).map(|s| (s.start, s.end)))
            .collect(),
        None => traces.spans.iter().map(|s| (s.start, s.end)).collect(),
    };
    let linked: Vec<(u64, u64)> = if unknown {
        join.unknown
            .iter()
            .filter_map(|(k, _)| row_extent(traces, join, Row::Linked(*k)))
            .collect()
    } else {
        Vec::new()
    };
    TimeAxis::covering(spans.into_iter().chain(linked))
}

/// Facts about a row for its label.
#[derive(Debug, Clone, PartialEq)]
pub struct RowInfo {
    /// What to call it.
    pub name: String,
    /// Its service ("" for a linked span).
    pub service: String,
    /// Index into the services, for its colour.
    pub service_index: Option<u32>,
    /// Depth in its trace.
    pub depth: u32,
    /// Whether it has children (so it can collapse).
    pub has_children: bool,
    /// Error status, with its message.
    pub error: Option<String>,
    /// Duration, ns (for linked spans: the spread of their samples).
    pub duration: Option<u64>,
    /// Start, ns after the time axis start.
    pub offset: Option<u64>,
}

/// The label facts of `row`.
pub fn row_info(
    traces: &TraceSet,
    join: &Join,
    service_of: &[u32],
    axis: Option<TimeAxis>,
    row: Row,
) -> RowInfo {
    let extent = row_extent(traces, join, row);
    let offset = extent
        .zip(axis)
        .map(|((start, _), axis)| start.saturating_sub(axis.start));
    let span = match row {
        Row::Span(i) => traces.span(i).map(|s| (i, s)),
        Row::Linked(_) => None,
    };
    match span {
        Some((i, s)) => RowInfo {
            name: s.name.clone(),
            service: s.service.clone(),
            service_index: service_of.get(i.index()).copied(),
            depth: s.depth,
            has_children: !traces.children_of(i).is_empty(),
            error: (s.status == SpanStatus::Error).then(|| s.status_message.clone()),
            duration: Some(s.end - s.start),
            offset,
        },
        // A linked span, or a stale index (shown by its ids, all zero).
        None => RowInfo {
            name: linked_name(&row.key(traces)),
            service: String::new(),
            service_index: None,
            depth: 0,
            has_children: false,
            error: None,
            duration: extent.map(|(a, b)| b - a),
            offset,
        },
    }
}

/// "span 7e1af78dc57de38c (trace e62ae068…)".
pub fn linked_name(key: &SpanKey) -> String {
    if key.trace_id == [0; 16] {
        format!("span {} (no trace id)", key.span_hex())
    } else {
        format!("span {} (trace {}…)", key.span_hex(), &key.trace_hex()[..8])
    }
}
