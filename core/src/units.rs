//! Human-readable values: weights in their sample type's unit, and shares of a total.
//!
//! Times scale from nanoseconds up to hours, bytes use binary prefixes (KiB, MiB, ...), and
//! counts are written in full with a narrow no-break space between thousands (compact with
//! "M" or "G" from a million up). Scaled values keep three significant digits and drop
//! trailing zeros: 5 500 000 ns is "5.5 ms", 1 048 576 bytes "1 MiB".

/// The narrow no-break space used between a number and its unit and between thousands
/// (SI style, not tied to a locale's comma or dot).
pub const THIN: char = '\u{202f}';

/// What a unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// Time; the factor converts one unit to nanoseconds.
    Time(i64),
    /// Memory; the factor converts one unit to bytes.
    Bytes(i64),
    /// A count of things (samples, objects, events).
    Count,
    /// Anything else: the value is written with the unit name after it.
    Other,
}

impl UnitKind {
    /// Classify a sample type unit as OTLP and pprof write them (`nanoseconds`, `bytes`,
    /// `count`, ...). Unknown units are [`UnitKind::Other`].
    pub fn of(unit: &str) -> UnitKind {
        match unit.trim().to_ascii_lowercase().as_str() {
            "nanoseconds" | "nanosecond" | "ns" => UnitKind::Time(1),
            "microseconds" | "microsecond" | "us" | "µs" => UnitKind::Time(1_000),
            "milliseconds" | "millisecond" | "ms" => UnitKind::Time(1_000_000),
            "seconds" | "second" | "s" => UnitKind::Time(1_000_000_000),
            "bytes" | "byte" | "b" => UnitKind::Bytes(1),
            "kilobytes" | "kilobyte" | "kb" | "kib" => UnitKind::Bytes(1 << 10),
            "megabytes" | "megabyte" | "mb" | "mib" => UnitKind::Bytes(1 << 20),
            "" | "count" | "counts" | "samples" | "sample" | "objects" | "events" | "calls" => {
                UnitKind::Count
            }
            _ => UnitKind::Other,
        }
    }
}

/// `value` in `unit`, scaled for reading: `format_value(5_500_000, "nanoseconds")` is
/// "5.5 ms", `format_value(1_048_576, "bytes")` "1 MiB", `format_value(187, "count")` "187".
pub fn format_value(value: i64, unit: &str) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    let text = match UnitKind::of(unit) {
        UnitKind::Time(factor) => format_time(magnitude as f64 * factor as f64),
        UnitKind::Bytes(factor) => format_bytes(magnitude as f64 * factor as f64),
        UnitKind::Count => format_count(magnitude),
        UnitKind::Other => format!("{}{THIN}{}", format_count(magnitude), unit.trim()),
    };
    format!("{sign}{text}")
}

/// `part` as a percentage of `whole`, with one decimal ("68.4%"), "<0.1%" for a sliver,
/// and "0%" when either is zero.
pub fn format_share(part: i64, whole: i64) -> String {
    if whole == 0 || part == 0 {
        return "0%".into();
    }
    let pct = part as f64 * 100.0 / whole as f64;
    if pct.abs() < 0.05 {
        return if pct < 0.0 { ">-0.1%" } else { "<0.1%" }.into();
    }
    format!("{}%", trim_zeros(format!("{pct:.1}")))
}

/// A time in nanoseconds: "812 ns", "12.3 µs", "5.5 ms", "1.23 s", "28.2 min", "1.5 h".
fn format_time(ns: f64) -> String {
    const STEPS: [(f64, &str); 6] = [
        (3_600e9, "h"),
        (60e9, "min"),
        (1e9, "s"),
        (1e6, "ms"),
        (1e3, "µs"),
        (1.0, "ns"),
    ];
    scaled(ns, &STEPS)
}

/// A size in bytes with binary prefixes: "512 B", "1.5 KiB", "1 MiB".
fn format_bytes(bytes: f64) -> String {
    const STEPS: [(f64, &str); 6] = [
        (1_125_899_906_842_624.0, "PiB"),
        (1_099_511_627_776.0, "TiB"),
        (1_073_741_824.0, "GiB"),
        (1_048_576.0, "MiB"),
        (1024.0, "KiB"),
        (1.0, "B"),
    ];
    scaled(bytes, &STEPS)
}

/// A count: in full with thin spaces between thousands below a million ("388 708"), then
/// compact ("1.35 M", "2.1 G").
fn format_count(n: u64) -> String {
    if n >= 1_000_000_000 {
        return format!("{}{THIN}G", three_digits(n as f64 / 1e9));
    }
    if n >= 1_000_000 {
        return format!("{}{THIN}M", three_digits(n as f64 / 1e6));
    }
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THIN);
        }
        out.push(c);
    }
    out
}

fn scaled(value: f64, steps: &[(f64, &str)]) -> String {
    if value == 0.0 {
        return format!("0{THIN}{}", steps[steps.len() - 1].1);
    }
    for (i, &(factor, name)) in steps.iter().enumerate() {
        if value >= factor || i == steps.len() - 1 {
            let v = value / factor;
            // Rounding can carry into the next unit up ("999.9 ms" would read "1000 ms": "1 s").
            if i > 0 && v.round() >= steps[i - 1].0 / factor {
                return format!(
                    "{}{THIN}{}",
                    three_digits(value / steps[i - 1].0),
                    steps[i - 1].1
                );
            }
            return format!("{}{THIN}{name}", three_digits(v));
        }
    }
    unreachable!("the last step always matches")
}

/// Three significant digits, trailing zeros dropped: 5.50 → "5.5", 123.4 → "123".
fn three_digits(v: f64) -> String {
    let text = if v >= 99.95 {
        format!("{v:.0}")
    } else if v >= 9.995 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    trim_zeros(text)
}

fn trim_zeros(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(value: i64, unit: &str) -> String {
        format_value(value, unit).replace(THIN, " ")
    }

    #[test]
    fn times_scale_from_nanoseconds_to_hours() {
        assert_eq!(f(0, "nanoseconds"), "0 ns");
        assert_eq!(f(812, "nanoseconds"), "812 ns");
        assert_eq!(f(12_345, "nanoseconds"), "12.3 µs");
        assert_eq!(f(5_500_000, "nanoseconds"), "5.5 ms");
        assert_eq!(f(10_000_000, "nanoseconds"), "10 ms");
        assert_eq!(f(999_999_999, "nanoseconds"), "1 s");
        assert_eq!(f(1_234_000_000, "nanoseconds"), "1.23 s");
        assert_eq!(f(1_694_760_000_000, "nanoseconds"), "28.2 min");
        assert_eq!(f(5_400_000_000_000, "nanoseconds"), "1.5 h");
        assert_eq!(f(1500, "microseconds"), "1.5 ms");
        assert_eq!(f(2, "seconds"), "2 s");
        assert_eq!(f(-5_500_000, "ns"), "-5.5 ms");
    }

    #[test]
    fn bytes_use_binary_prefixes() {
        assert_eq!(f(512, "bytes"), "512 B");
        assert_eq!(f(1536, "bytes"), "1.5 KiB");
        assert_eq!(f(1_048_576, "bytes"), "1 MiB");
        assert_eq!(f(5_044_642_272, "bytes"), "4.7 GiB");
        assert_eq!(f(1_048_575, "bytes"), "1 MiB");
        assert_eq!(f(3, "kilobytes"), "3 KiB");
    }

    #[test]
    fn counts_are_exact_below_a_million() {
        assert_eq!(f(6, "count"), "6");
        assert_eq!(f(187, "count"), "187");
        assert_eq!(f(1000, "count"), "1 000");
        assert_eq!(f(388_708, "count"), "388 708");
        assert_eq!(f(1_350_000, "count"), "1.35 M");
        assert_eq!(f(2_100_000_000, ""), "2.1 G");
        assert_eq!(f(42, "widgets"), "42 widgets");
    }

    #[test]
    fn shares() {
        assert_eq!(format_share(128, 187), "68.4%");
        assert_eq!(format_share(187, 187), "100%");
        assert_eq!(format_share(1, 100_000), "<0.1%");
        assert_eq!(format_share(0, 10), "0%");
        assert_eq!(format_share(5, 0), "0%");
        assert_eq!(format_share(5, 6), "83.3%");
    }
}
