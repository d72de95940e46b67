//! The sample rows, stored lean: they are most of a loaded file's memory (65 M rows on the
//! 1 GB benchmark file), and the browser holds them in a worker, in transit and in the page.
//!
//! * No profile column: a profile's rows are contiguous ([`super::ProfileInfo::samples`]), so
//!   a row's profile is found from the ranges ([`super::ProfileSet::profile_of_row`]).
//! * Values are 32-bit while every value fits (counts, nanoseconds of a sample period,
//!   allocation sizes), and widen to 64-bit at the first one that does not.
//! * The time, link and attribute-set columns are kept only once a row has something in them:
//!   aggregated formats carry no timestamps, most files no links, many no sample attributes.
//!   An absent column reads as 0, [`NONE`] and the empty set (id 0) for every row.
//! * Timestamps are 48-bit offsets (6 bytes) while every one is within 2^47 ns (39 hours)
//!   of the first one seen, and widen to 64 bits at the first that is not. (40 bits would
//!   reach only 9 minutes either side: too short for the 10-minute benchmark file, whose
//!   first row need not be its earliest.)

use super::{AttrSetId, LinkId, NONE, StackId, vec_bytes};

/// The weights column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    /// Every value fits 32 bits.
    Narrow(Vec<i32>),
    /// Some value does not.
    Wide(Vec<i64>),
}

impl Default for Values {
    fn default() -> Self {
        Values::Narrow(Vec::new())
    }
}

impl Values {
    /// Value of row `row`.
    #[inline(always)]
    pub fn get(&self, row: usize) -> i64 {
        match self {
            Values::Narrow(v) => i64::from(v[row]),
            Values::Wide(v) => v[row],
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Narrow(v) => v.len(),
            Values::Wide(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sum of rows `rows`, saturating.
    pub fn sum(&self, rows: std::ops::Range<usize>) -> i64 {
        match self {
            Values::Narrow(v) => v[rows]
                .iter()
                .fold(0i64, |a, &b| a.saturating_add(i64::from(b))),
            Values::Wide(v) => v[rows].iter().fold(0i64, |a, &b| a.saturating_add(b)),
        }
    }

    /// Add a value (once per row of a file: the widening is out of line).
    #[inline(always)]
    fn push(&mut self, value: i64) {
        match self {
            Values::Narrow(v) => match i32::try_from(value) {
                Ok(narrow) => v.push(narrow),
                Err(_) => self.widen_with(value),
            },
            Values::Wide(v) => v.push(value),
        }
    }

    #[cold]
    fn widen_with(&mut self, value: i64) {
        if let Values::Narrow(v) = self {
            let mut wide = Vec::with_capacity(v.capacity().max(v.len() + 1));
            wide.extend(v.iter().map(|&x| i64::from(x)));
            wide.push(value);
            *self = Values::Wide(wide);
        }
    }

    fn reserve_exact(&mut self, n: usize) {
        match self {
            Values::Narrow(v) => v.reserve_exact(n),
            Values::Wide(v) => v.reserve_exact(n),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Values::Narrow(v) => vec_bytes(v),
            Values::Wide(v) => vec_bytes(v),
        }
    }
}

/// Offsets of [`Times::Packed`] reach this far either side of the first timestamp seen.
const HALF_SPAN: u64 = 1 << 47;
/// The packed offset of a row without a timestamp (all 48 bits set).
const NO_TIME: u64 = (1 << 48) - 1;

/// The timestamps column (UTC nanoseconds; 0 for a row without one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Times {
    /// No row has a timestamp.
    #[default]
    Absent,
    /// Every timestamp is `base` plus a 48-bit offset: its low 32 bits in `low`, its high 16
    /// in `high` (all 48 bits set for a row without one).
    Packed {
        /// What the offsets are from.
        base: u64,
        /// Low 32 bits of each row's offset.
        low: Vec<u32>,
        /// High 16 bits of each row's offset.
        high: Vec<u16>,
    },
    /// Some timestamp is too far from the others for 48 bits.
    Wide(Vec<u64>),
}

impl Times {
    /// The timestamp of row `row` (0 when it has none).
    #[inline(always)]
    pub fn get(&self, row: usize) -> u64 {
        match self {
            Times::Absent => 0,
            Times::Packed { base, low, high } => {
                let offset = (u64::from(high[row]) << 32) | u64::from(low[row]);
                // Wrapping: a damaged message from another thread must not panic here.
                if offset == NO_TIME {
                    0
                } else {
                    base.wrapping_add(offset)
                }
            }
            Times::Wide(v) => v[row],
        }
    }

    /// Call `visit(row)` for each row of `rows` whose timestamp is in `[from, to)`. It runs
    /// over every row on a timeline brush, so packed offsets are compared as they are, against
    /// the window moved to offsets.
    #[inline(always)]
    pub fn for_each_within(
        &self,
        rows: std::ops::Range<usize>,
        (from, to): (u64, u64),
        mut visit: impl FnMut(usize),
    ) {
        match self {
            Times::Absent if from == 0 && to > 0 => rows.for_each(visit),
            Times::Absent => {}
            Times::Wide(v) => {
                for (i, &t) in v[rows.clone()].iter().enumerate() {
                    if from <= t && t < to {
                        visit(rows.start + i);
                    }
                }
            }
            // With `from` past 0, a row without a timestamp (NO_TIME) is past `hi`.
            Times::Packed { base, low, high } if from > 0 => {
                let lo = from.saturating_sub(*base);
                let hi = to.saturating_sub(*base).min(NO_TIME);
                let (low, high) = (&low[rows.clone()], &high[rows.clone()]);
                for (i, (&l, &h)) in low.iter().zip(high).enumerate() {
                    let offset = (u64::from(h) << 32) | u64::from(l);
                    if lo <= offset && offset < hi {
                        visit(rows.start + i);
                    }
                }
            }
            Times::Packed { .. } => {
                for row in rows {
                    let t = self.get(row);
                    if from <= t && t < to {
                        visit(row);
                    }
                }
            }
        }
    }

    /// Number of rows held (0 when absent).
    pub fn len(&self) -> usize {
        match self {
            Times::Absent => 0,
            Times::Packed { low, .. } => low.len(),
            Times::Wide(v) => v.len(),
        }
    }

    /// Whether no row is held (absent, or no rows).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add a row, given the stack column (already with the row): the first timestamp makes
    /// the column, filling in the rows before it. Once per row of a file: making and widening
    /// the column are out of line.
    #[inline(always)]
    fn push(&mut self, t: u64, stack: &Stacks) {
        match self {
            Times::Packed { base, low, high } => {
                let offset = if t == 0 {
                    NO_TIME
                } else {
                    match t.checked_sub(*base) {
                        Some(o) if o < NO_TIME => o,
                        _ => return self.widen_with(t),
                    }
                };
                low.push(offset as u32);
                high.push((offset >> 32) as u16);
            }
            Times::Wide(v) => v.push(t),
            Times::Absent if t == 0 => {}
            Times::Absent => self.start_with(t, stack),
        }
    }

    #[cold]
    fn start_with(&mut self, t: u64, stack: &Stacks) {
        let (rows, room) = (stack.len(), stack.capacity());
        let (mut low, mut high) = (Vec::with_capacity(room), Vec::with_capacity(room));
        low.resize(rows - 1, NO_TIME as u32);
        high.resize(rows - 1, (NO_TIME >> 32) as u16);
        let base = t.saturating_sub(HALF_SPAN);
        let offset = t - base;
        low.push(offset as u32);
        high.push((offset >> 32) as u16);
        *self = Times::Packed { base, low, high };
    }

    #[cold]
    fn widen_with(&mut self, t: u64) {
        let mut wide = Vec::with_capacity(match self {
            Times::Packed { low, .. } => low.capacity().max(low.len() + 1),
            _ => 0,
        });
        wide.extend((0..self.len()).map(|r| self.get(r)));
        wide.push(t);
        *self = Times::Wide(wide);
    }

    /// The smallest and largest timestamp, if any row has one.
    pub fn min_max(&self) -> Option<(u64, u64)> {
        let fold = |acc: Option<(u64, u64)>, t: u64| match acc {
            _ if t == 0 => acc,
            None => Some((t, t)),
            Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
        };
        match self {
            Times::Absent => None,
            Times::Wide(v) => v.iter().fold(None, |acc, &t| fold(acc, t)),
            Times::Packed { base, low, high } => {
                // Over the offsets, then moved by the base: one pass with no per-row branch
                // on the storage.
                let (lo, hi) = low
                    .iter()
                    .zip(high)
                    .fold((NO_TIME, 0), |(lo, hi), (&l, &h)| {
                        let offset = (u64::from(h) << 32) | u64::from(l);
                        let hi_candidate = if offset == NO_TIME { 0 } else { offset };
                        (lo.min(offset), hi.max(hi_candidate))
                    });
                (lo != NO_TIME).then(|| (base.wrapping_add(lo), base.wrapping_add(hi)))
            }
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Times::Absent => 0,
            Times::Packed { low, high, .. } => vec_bytes(low) + vec_bytes(high),
            Times::Wide(v) => vec_bytes(v),
        }
    }
}

/// The sample rows: one row per observation (a timestamp, or one aggregated value).
///
/// The columns are crate-visible for the checks and the transfer between threads, which
/// see them raw; everything else reads rows through the methods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleTable {
    /// Stack id per row ([`NONE`] for an empty stack).
    pub(crate) stack: Vec<u32>,
    /// Weight per row, in the profile's sample type.
    pub(crate) value: Values,
    /// Timestamp per row.
    pub(crate) time: Times,
    /// Link id per row ([`NONE`] when unlinked); empty when no row is linked.
    pub(crate) link: Vec<u32>,
    /// Attribute-set id per row; empty when every row has the empty set (id 0).
    pub(crate) attrs: Vec<u32>,
}

/// The stack column, which the other columns follow in length and capacity.
type Stacks = Vec<u32>;

/// Push `v` onto a column kept only once a row differs from `absent`: the first such row
/// fills in the rows before it, and reserves as much room as the stack column has.
#[inline(always)]
fn push_sparse<T: Copy + PartialEq>(column: &mut Vec<T>, stack: &Stacks, v: T, absent: T) {
    if !column.is_empty() {
        column.push(v);
    } else if v != absent {
        start_sparse(column, stack, v, absent);
    }
}

#[cold]
fn start_sparse<T: Copy>(column: &mut Vec<T>, stack: &Stacks, v: T, absent: T) {
    column.reserve_exact(stack.capacity());
    column.resize(stack.len() - 1, absent);
    column.push(v);
}

impl SampleTable {
    /// A table from its columns, as [`SampleTable::into_parts`] gave them; `None` if a column
    /// that is kept has another length than the stack column.
    pub fn from_parts(
        stack: Vec<u32>,
        value: Values,
        time: Times,
        link: Vec<u32>,
        attrs: Vec<u32>,
    ) -> Option<SampleTable> {
        let rows = stack.len();
        let fits = |len: usize| len == 0 || len == rows;
        let times_fit = match &time {
            Times::Absent => true,
            Times::Packed { low, high, .. } => low.len() == rows && high.len() == rows,
            Times::Wide(v) => v.len() == rows,
        };
        (value.len() == rows && times_fit && fits(link.len()) && fits(attrs.len())).then_some(
            SampleTable {
                stack,
                value,
                time,
                link,
                attrs,
            },
        )
    }

    /// The columns: stack, value, time, link, attribute set (the last three empty when absent).
    pub fn into_parts(self) -> (Vec<u32>, Values, Times, Vec<u32>, Vec<u32>) {
        (self.stack, self.value, self.time, self.link, self.attrs)
    }

    /// Add a row.
    #[inline(always)]
    pub(crate) fn push(&mut self, stack: u32, value: i64, time: u64, link: u32, attrs: u32) {
        self.stack.push(stack);
        self.value.push(value);
        self.time.push(time, &self.stack);
        push_sparse(&mut self.link, &self.stack, link, NONE);
        push_sparse(&mut self.attrs, &self.stack, attrs, 0);
    }

    /// Make room for `n` more rows in the columns that are always kept.
    pub(crate) fn reserve_exact(&mut self, n: usize) {
        self.stack.reserve_exact(n);
        self.value.reserve_exact(n);
    }

    /// The raw stack id of row `row` ([`NONE`] for an empty stack).
    #[inline(always)]
    pub fn stack(&self, row: usize) -> u32 {
        self.stack[row]
    }

    /// The stack of row `row` (`None` for an empty stack).
    pub fn stack_of(&self, row: usize) -> Option<StackId> {
        StackId::from_raw(self.stack[row])
    }

    /// The weight of row `row`.
    #[inline(always)]
    pub fn value(&self, row: usize) -> i64 {
        self.value.get(row)
    }

    /// The weights column.
    pub fn values(&self) -> &Values {
        &self.value
    }

    /// The timestamp of row `row` (UTC ns; 0 when it has none).
    #[inline(always)]
    pub fn time(&self, row: usize) -> u64 {
        self.time.get(row)
    }

    /// The timestamps column, `None` when no row has a timestamp.
    pub fn times(&self) -> Option<&Times> {
        (!matches!(self.time, Times::Absent)).then_some(&self.time)
    }

    /// The raw link id of row `row` ([`NONE`] when unlinked).
    #[inline(always)]
    pub fn link(&self, row: usize) -> u32 {
        if self.link.is_empty() {
            NONE
        } else {
            self.link[row]
        }
    }

    /// The link of row `row` (`None` when unlinked).
    pub fn link_of(&self, row: usize) -> Option<LinkId> {
        LinkId::from_raw(self.link(row))
    }

    /// Every row's raw link id, `None` when no row is linked.
    pub fn links(&self) -> Option<&[u32]> {
        (!self.link.is_empty()).then_some(&self.link[..])
    }

    /// The raw attribute-set id of row `row`.
    #[inline(always)]
    pub fn attrs(&self, row: usize) -> u32 {
        if self.attrs.is_empty() {
            0
        } else {
            self.attrs[row]
        }
    }

    /// The attribute set of row `row`.
    pub fn attrs_of(&self, row: usize) -> AttrSetId {
        AttrSetId::new(self.attrs(row))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// Heap bytes per column, for [`super::ProfileSet::memory_use`].
    pub(crate) fn memory_use(&self) -> [(&'static str, usize); 5] {
        [
            ("sample rows: stack", vec_bytes(&self.stack)),
            ("sample rows: value", self.value.bytes()),
            ("sample rows: time", self.time.bytes()),
            ("sample rows: link", vec_bytes(&self.link)),
            ("sample rows: attribute set", vec_bytes(&self.attrs)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_columns_read_as_nothing_until_a_row_has_something() {
        let mut t = SampleTable::default();
        t.push(0, 1, 0, NONE, 0);
        t.push(1, 2, 0, NONE, 0);
        assert!(t.times().is_none() && t.links().is_none() && t.attrs.is_empty());
        assert_eq!((t.time(1), t.link(1), t.attrs(1)), (0, NONE, 0));
        t.push(2, 3, 77, 5, 4);
        assert_eq!((t.time(0), t.time(1), t.time(2)), (0, 0, 77));
        assert_eq!(t.links(), Some(&[NONE, NONE, 5][..]));
        assert_eq!((t.attrs(0), t.attrs(2)), (0, 4));
        assert_eq!(t.link_of(2), LinkId::from_raw(5));
    }

    #[test]
    fn times_pack_in_48_bits_and_widen_at_the_first_too_far_away() {
        let first = 1_768_471_200_000_009_243u64;
        let mut t = SampleTable::default();
        // 39 hours either side of the first timestamp fit a 48-bit offset.
        let hours_39 = 39 * 3_600_000_000_000;
        let times = [first, 0, first - hours_39, first + hours_39];
        for (i, &time) in times.iter().enumerate() {
            t.push(i as u32, 1, time, NONE, 0);
        }
        assert!(matches!(t.times(), Some(Times::Packed { .. })));
        assert_eq!((0..4).map(|r| t.time(r)).collect::<Vec<_>>(), times);
        assert_eq!(t.time.bytes(), t.time.len() * 6);
        // Two days earlier does not: the column widens and keeps every value.
        let two_days_before = first - 48 * 3_600_000_000_000;
        t.push(4, 1, two_days_before, NONE, 0);
        assert!(matches!(t.times(), Some(Times::Wide(_))));
        let got: Vec<u64> = (0..5).map(|r| t.time(r)).collect();
        assert_eq!(got, [&times[..], &[two_days_before]].concat());
    }

    #[test]
    fn a_time_window_keeps_what_the_timestamps_say_in_every_storage() {
        let first = 1_768_471_200_000_000_000u64;
        let packed_times = [first, 0, first + 5, first - 7, first + 1_000, 0, first + 6];
        let mut absent = SampleTable::default();
        let (mut packed, mut wide) = (SampleTable::default(), SampleTable::default());
        for (i, &t) in packed_times.iter().enumerate() {
            absent.push(i as u32, 1, 0, NONE, 0);
            packed.push(i as u32, 1, t, NONE, 0);
            wide.push(i as u32, 1, t, NONE, 0);
        }
        wide.push(7, 1, 1, NONE, 0); // far from the rest: 64-bit
        assert!(matches!(packed.time, Times::Packed { .. }));
        assert!(matches!(wide.time, Times::Wide(_)));
        let windows = [
            (0, 1),
            (0, 0),
            (1, u64::MAX),
            (first, first + 6),
            (first - 7, first - 6),
            (first + 2, first + 1_001),
            (0, first),
            (first + 1_001, u64::MAX),
        ];
        for table in [&absent, &packed, &wide] {
            for window in windows {
                let mut got = Vec::new();
                table
                    .time
                    .for_each_within(1..table.len(), window, |r| got.push(r));
                let want: Vec<usize> = (1..table.len())
                    .filter(|&r| (window.0..window.1).contains(&table.time(r)))
                    .collect();
                assert_eq!(got, want, "{window:?} over {:?}", table.time);
            }
        }
    }

    #[test]
    fn values_widen_at_the_first_that_does_not_fit_and_keep_the_others() {
        let mut t = SampleTable::default();
        t.push(0, -5, 0, NONE, 0);
        t.push(0, i64::from(i32::MAX), 0, NONE, 0);
        assert!(matches!(t.values(), Values::Narrow(_)));
        t.push(0, 1 << 40, 0, NONE, 0);
        t.push(0, 3, 0, NONE, 0);
        assert!(matches!(t.values(), Values::Wide(_)));
        let got: Vec<i64> = (0..4).map(|r| t.value(r)).collect();
        assert_eq!(got, [-5, i64::from(i32::MAX), 1 << 40, 3]);
        assert_eq!(
            t.values().sum(0..4),
            -5 + i64::from(i32::MAX) + (1 << 40) + 3
        );
    }

    #[test]
    fn parts_round_trip_and_a_column_of_the_wrong_length_is_refused() {
        let mut t = SampleTable::default();
        t.push(3, 1, 10, NONE, 0);
        t.push(4, 2, 20, 0, 0);
        let (stack, value, time, link, attrs) = t.clone().into_parts();
        assert!(attrs.is_empty());
        let back = SampleTable::from_parts(stack.clone(), value.clone(), time, link.clone(), attrs);
        assert_eq!(back, Some(t));
        let short = Times::Wide(vec![1]);
        assert!(SampleTable::from_parts(stack, value, short, link, vec![]).is_none());
    }
}
