//! A trace waterfall's model, free of any browser: the traces of a [`TraceSet`], the rows a
//! waterfall shows when some subtrees are collapsed, a shared time axis with round ticks,
//! colours per service, and the profile's sampling period (a span shorter than it may have no
//! samples at all).
//!
//! Per-span sample counts and times come from [`crate::spans`].

use std::collections::HashMap;

use crate::model::{ProfileSet, SampleTypeId, SpanIdx};
use crate::palette::Rgb;
use crate::trace::{SpanStatus, TraceSet};
use crate::units::{THIN, UnitKind};
use crate::viewport::Viewport;

/// One trace of a [`TraceSet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceSummary {
    /// The trace id.
    pub trace_id: [u8; 16],
    /// Its root spans (spans whose parent is not in the file), by start time.
    pub roots: Vec<SpanIdx>,
    /// Number of spans.
    pub spans: u32,
    /// Earliest span start, UTC ns.
    pub start: u64,
    /// Latest span end, UTC ns.
    pub end: u64,
    /// Spans with an error status.
    pub errors: u32,
}

impl TraceSummary {
    /// The trace's name: its first root span's.
    pub fn name<'a>(&self, traces: &'a TraceSet) -> &'a str {
        self.roots
            .first()
            .map_or("", |&r| traces.spans[r.index()].name.as_str())
    }
}

impl TraceSet {
    /// The traces, by start time (ties by trace id).
    pub fn trace_summaries(&self) -> Vec<TraceSummary> {
        let mut by_trace: HashMap<[u8; 16], usize> = HashMap::new();
        let mut out: Vec<TraceSummary> = Vec::new();
        for s in &self.spans {
            let i = *by_trace.entry(s.key.trace_id).or_insert_with(|| {
                out.push(TraceSummary {
                    trace_id: s.key.trace_id,
                    roots: Vec::new(),
                    spans: 0,
                    start: u64::MAX,
                    end: 0,
                    errors: 0,
                });
                out.len() - 1
            });
            let t = &mut out[i];
            t.spans += 1;
            t.start = t.start.min(s.start);
            t.end = t.end.max(s.end);
            t.errors += u32::from(s.status == SpanStatus::Error);
        }
        // Roots are already by start time.
        for &r in &self.roots {
            let trace = self.spans[r.index()].key.trace_id;
            out[by_trace[&trace]].roots.push(r);
        }
        out.sort_by(|a, b| a.start.cmp(&b.start).then(a.trace_id.cmp(&b.trace_id)));
        out
    }

    /// The rows of a waterfall over the trees under `roots`, in display order (depth first,
    /// children by start time), leaving out the descendants of spans `collapsed` says yes to.
    pub fn waterfall_rows(
        &self,
        roots: &[SpanIdx],
        collapsed: impl Fn(SpanIdx) -> bool,
    ) -> Vec<SpanIdx> {
        let mut out = Vec::new();
        let mut work: Vec<SpanIdx> = roots.iter().rev().copied().collect();
        while let Some(s) = work.pop() {
            out.push(s);
            if !collapsed(s) {
                work.extend(self.children[s.index()].iter().rev());
            }
        }
        out
    }

    /// The ancestors of `span`, nearest first.
    pub fn ancestors(&self, span: SpanIdx) -> Vec<SpanIdx> {
        let mut out = Vec::new();
        let mut s = self.spans[span.index()].parent_span();
        while let Some(p) = s {
            out.push(p);
            s = self.spans[p.index()].parent_span();
        }
        out
    }

    /// The services of the spans, sorted, and each span's index into them.
    pub fn services(&self) -> (Vec<String>, Vec<u32>) {
        let mut names: Vec<String> = self.spans.iter().map(|s| s.service.clone()).collect();
        names.sort_unstable();
        names.dedup();
        let index: HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();
        let of_span = self
            .spans
            .iter()
            .map(|s| index[s.service.as_str()])
            .collect();
        (names, of_span)
    }
}

/// Colours told apart under the common colour-vision deficiencies (Paul Tol's "bright"
/// scheme, then his "vibrant" one), mid-light, so bars read on light and dark backgrounds.
const SERVICE_COLOURS: [Rgb; 11] = [
    Rgb::hex(0x4477aa),
    Rgb::hex(0x66ccee),
    Rgb::hex(0x228833),
    Rgb::hex(0xccbb44),
    Rgb::hex(0xee6677),
    Rgb::hex(0xaa3377),
    Rgb::hex(0xee7733),
    Rgb::hex(0x009988),
    Rgb::hex(0x33bbee),
    Rgb::hex(0xcc3311),
    Rgb::hex(0xee3377),
];

/// The bar colour of service number `i` (an index into [`TraceSet::services`]).
pub fn service_colour(i: u32) -> Rgb {
    SERVICE_COLOURS[i as usize % SERVICE_COLOURS.len()]
}

/// A time range the waterfall's bars are placed on, UTC ns; never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeAxis {
    /// Left edge.
    pub start: u64,
    /// Right edge, after `start`.
    pub end: u64,
}

/// A tick of the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Time since the axis start, ns.
    pub offset: u64,
    /// Position, CSS pixels from the left of the timeline.
    pub x: f64,
    /// The label, e.g. "250 ms".
    pub label: String,
}

impl TimeAxis {
    /// The axis from `start` to `end` (at least 1 ns long).
    pub fn new(start: u64, end: u64) -> TimeAxis {
        TimeAxis {
            start,
            end: end.max(start + 1),
        }
    }

    /// The smallest axis covering every `(start, end)`, if there is any.
    pub fn covering(ranges: impl IntoIterator<Item = (u64, u64)>) -> Option<TimeAxis> {
        let (lo, hi) = ranges
            .into_iter()
            .fold((u64::MAX, 0u64), |(lo, hi), (a, b)| (lo.min(a), hi.max(b)));
        (lo <= hi).then(|| TimeAxis::new(lo, hi))
    }

    /// Length, ns.
    pub fn duration(self) -> u64 {
        self.end - self.start
    }

    /// Where `t` is on the axis: 0 at the start, 1 at the end (outside for times outside).
    pub fn frac(self, t: u64) -> f64 {
        (t as f64 - self.start as f64) / self.duration() as f64
    }

    /// The time at axis fraction `frac`.
    pub fn at(self, frac: f64) -> u64 {
        let t = self.start as f64 + frac * self.duration() as f64;
        t.max(0.0).round() as u64
    }

    /// CSS x of time `t` when `view` of the axis spans `width` pixels.
    pub fn x(self, view: Viewport, width: f64, t: u64) -> f64 {
        view.to_frac(self.frac(t)) * width
    }

    /// Round ticks for `view` of the axis across `width` CSS pixels, at least `min_gap`
    /// pixels apart: steps of 1, 2 or 5 times a power of ten nanoseconds, labelled as the
    /// time since the axis start.
    pub fn ticks(self, view: Viewport, width: f64, min_gap: f64) -> Vec<Tick> {
        if !(width > 0.0 && min_gap > 0.0) {
            return Vec::new();
        }
        let visible = view.width() * self.duration() as f64;
        let step = tick_step(visible * min_gap / width);
        let from = (view.x0 * self.duration() as f64).max(0.0);
        let to = view.x1 * self.duration() as f64;
        let first = (from / step as f64).ceil() as u64;
        let last = (to / step as f64).floor() as u64;
        let unit = tick_unit(to.max(step as f64));
        (first..=last)
            .map(|k| {
                let offset = k * step;
                Tick {
                    offset,
                    x: view.to_frac(offset as f64 / self.duration() as f64) * width,
                    label: format_tick(offset, step, unit),
                }
            })
            .collect()
    }
}

/// The smallest of 1, 2 and 5 times a power of ten (ns, at least 1) that is at least `min`.
pub fn tick_step(min: f64) -> u64 {
    let mut base = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            if step as f64 >= min || step == u64::MAX {
                return step;
            }
        }
        base = base.saturating_mul(10);
    }
}

/// The unit (ns per unit, and its symbol) for labels up to `max` ns.
fn tick_unit(max: f64) -> (u64, &'static str) {
    if max >= 1e9 {
        (1_000_000_000, "s")
    } else if max >= 1e6 {
        (1_000_000, "ms")
    } else if max >= 1e3 {
        (1_000, "µs")
    } else {
        (1, "ns")
    }
}

/// `offset` in `unit`, with as many decimals as `step` needs: "1.25 s", "250 ms"; "0" at
/// the start.
fn format_tick(offset: u64, step: u64, (per, symbol): (u64, &str)) -> String {
    if offset == 0 {
        return "0".into();
    }
    let mut decimals = 0usize;
    let mut scale = per;
    while scale > 1 && !step.is_multiple_of(scale) {
        scale /= 10;
        decimals += 1;
    }
    let value = offset as f64 / per as f64;
    format!("{value:.decimals$}{THIN}{symbol}")
}

/// The sampling period of the profiles of `sample_type`, in ns, when their period is a time
/// (for example `cpu`/`nanoseconds` every 10 ms). `None` when no profile says, or when the
/// period counts something else (bytes, events).
pub fn sampling_period_ns(set: &ProfileSet, sample_type: SampleTypeId) -> Option<u64> {
    set.profiles
        .iter()
        .filter(|p| p.sample_type == sample_type && p.period > 0)
        .find_map(|p| match UnitKind::of(&p.period_type.as_ref()?.unit) {
            UnitKind::Time(factor) => Some((p.period as u64).saturating_mul(factor as u64)),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(tick_step(0.0), 1);
        assert_eq!(tick_step(1.5), 2);
        assert_eq!(tick_step(3.0), 5);
        assert_eq!(tick_step(7.0), 10);
        assert_eq!(tick_step(120_000_000.0), 200_000_000);
        assert_eq!(tick_step(f64::MAX), u64::MAX);
    }

    #[test]
    fn ticks_cover_the_view_with_readable_labels() {
        let axis = TimeAxis::new(1_000, 1_000 + 1_000_000_000);
        let ticks = axis.ticks(Viewport::FULL, 1000.0, 80.0);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "0",
                "0.1\u{202f}s",
                "0.2\u{202f}s",
                "0.3\u{202f}s",
                "0.4\u{202f}s",
                "0.5\u{202f}s",
                "0.6\u{202f}s",
                "0.7\u{202f}s",
                "0.8\u{202f}s",
                "0.9\u{202f}s",
                "1.0\u{202f}s"
            ]
        );
        assert!((ticks[1].x - 100.0).abs() < 1e-9);
        // Under a second: milliseconds.
        let short = TimeAxis::new(0, 400_000_000);
        let labels: Vec<String> = short
            .ticks(Viewport::FULL, 400.0, 90.0)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(
            labels,
            [
                "0",
                "100\u{202f}ms",
                "200\u{202f}ms",
                "300\u{202f}ms",
                "400\u{202f}ms"
            ]
        );
        // Zoomed into 12.340..12.360 s of a long axis: the labels keep the step's digits.
        let long = TimeAxis::new(0, 20_000_000_000);
        let view = Viewport {
            x0: 12.34 / 20.0,
            x1: 12.36 / 20.0,
        };
        let ticks = long.ticks(view, 400.0, 90.0);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "12.340\u{202f}s",
                "12.345\u{202f}s",
                "12.350\u{202f}s",
                "12.355\u{202f}s",
                "12.360\u{202f}s"
            ]
        );
        assert!(ticks.iter().all(|t| (-1e-6..=400.0 + 1e-6).contains(&t.x)));
        assert!(axis.ticks(Viewport::FULL, 0.0, 80.0).is_empty());
    }

    #[test]
    fn axis_maps_times_to_pixels() {
        let axis = TimeAxis::covering([(100, 200), (150, 300)]).unwrap();
        assert_eq!((axis.start, axis.end, axis.duration()), (100, 300, 200));
        assert_eq!(axis.frac(200), 0.5);
        assert_eq!(axis.at(0.25), 150);
        assert_eq!(axis.x(Viewport::FULL, 400.0, 300), 400.0);
        let half = Viewport { x0: 0.5, x1: 1.0 };
        assert_eq!(axis.x(half, 400.0, 200), 0.0);
        assert_eq!(TimeAxis::covering(std::iter::empty()), None);
        assert_eq!(TimeAxis::new(5, 5).duration(), 1);
    }
}
