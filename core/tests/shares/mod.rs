//! Self and total shares per function name, as the fixtures' `expected.tsv` files state them.

use std::collections::{BTreeMap, BTreeSet};

use spanflame_core::{Filter, ProfileSet};

/// `name -> (self %, total %)` over every sample of `filter`: a function is its name
/// (merged across files and lines), total counts it once per sample.
pub fn shares(set: &ProfileSet, filter: &Filter) -> BTreeMap<String, (f64, f64)> {
    let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut all = 0i64;
    set.for_each_sample(filter, |row| {
        let w = set.samples.value(row);
        all += w;
        let frames = set.stack_frames(set.samples.stack_of(row));
        let names: Vec<&str> = frames
            .iter()
            .map(|&f| set.function_name(set.frames[f.index()].function))
            .collect();
        if let Some(leaf) = names.last() {
            sums.entry(leaf.to_string()).or_default().0 += w;
        }
        for name in names.iter().collect::<BTreeSet<_>>() {
            sums.entry(name.to_string()).or_default().1 += w;
        }
    });
    let pct = |w: i64| 100.0 * w as f64 / all as f64;
    sums.into_iter()
        .map(|(k, (s, t))| (k, (pct(s), pct(t))))
        .collect()
}

/// Parse `function<TAB>self_pct<TAB>total_pct` (with a header line).
pub fn expected(tsv: &[u8]) -> BTreeMap<String, (f64, f64)> {
    let text = std::str::from_utf8(tsv).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert_eq!(cells.len(), 3, "tsv line {l:?}");
            (
                cells[0].to_owned(),
                (cells[1].parse().unwrap(), cells[2].parse().unwrap()),
            )
        })
        .collect()
}

/// Every function of `expected` is within 0.5 percentage points of `actual` (self and total),
/// and `actual` has no function with more than 0.5 % that `expected` lacks.
pub fn assert_shares(
    actual: &BTreeMap<String, (f64, f64)>,
    expected: &BTreeMap<String, (f64, f64)>,
) {
    assert!(!expected.is_empty());
    for (name, &(s, t)) in expected {
        let &(a_s, a_t) = actual
            .get(name)
            .unwrap_or_else(|| panic!("function {name:?} missing; have {:?}", actual.keys()));
        assert!((a_s - s).abs() <= 0.5, "{name}: self {a_s:.3} vs {s:.3}");
        assert!((a_t - t).abs() <= 0.5, "{name}: total {a_t:.3} vs {t:.3}");
    }
    for (name, &(_, t)) in actual {
        assert!(
            expected.contains_key(name) || t <= 0.5,
            "unexpected {name:?} ({t:.2} %)"
        );
    }
}
