//! Timeline bins and attribute facets on the OTLP Python profile (timestamps, two threads)
//! and the py-spy folded file (no timestamps).

mod common;

use common::profiles;
use spanflame_core::facets::{AttrSource, Facet};
use spanflame_core::timeline::{GroupLabel, NoTimeline};
use spanflame_core::{AttrCondition, Filter, ProfileSet, TimelineOptions, Transform, Transforms};

const PY: &str = "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb";

fn sum(bins: &[i64]) -> i64 {
    bins.iter().sum()
}

fn total(set: &ProfileSet, filter: &Filter) -> i64 {
    set.call_tree(filter).total()
}

#[test]
fn bins_hold_every_kept_sample_and_groups_add_up_to_the_whole() {
    let set = profiles(PY);
    let (lo, hi) = set.time_range().unwrap();
    let opts = TimelineOptions {
        bins: 50,
        group_by: Some("thread.name".into()),
        ..TimelineOptions::default()
    };
    let tl = set.timeline(&Filter::default(), None, &opts).unwrap();
    assert_eq!(tl.bins.len(), 50);
    assert_eq!(tl.range, (lo, hi + 1));
    assert_eq!(sum(&tl.bins) + tl.untimed, 187);
    assert_eq!(tl.outside, 0);
    // The first and last sample land in the first and last bin.
    assert!(tl.bins[0] > 0 && tl.bins[49] > 0);
    let labels: Vec<&GroupLabel> = tl.groups.iter().map(|g| &g.label).collect();
    assert_eq!(
        labels,
        [
            &GroupLabel::Value("MainThread".into()),
            &GroupLabel::Value("worker-1".into())
        ]
    );
    for b in 0..50 {
        assert_eq!(tl.groups.iter().map(|g| g.bins[b]).sum::<i64>(), tl.bins[b]);
    }
    // Each thread's bins are what filtering on the thread gives.
    for g in &tl.groups {
        let GroupLabel::Value(name) = &g.label else {
            unreachable!()
        };
        let only = Filter {
            attributes: vec![("thread.name".into(), name.clone())],
            ..Filter::default()
        };
        assert_eq!(g.total, total(&set, &only), "{name}");
        let alone = set.timeline(&only, None, &opts).unwrap();
        assert_eq!(alone.bins, g.bins, "{name}");
    }
}

#[test]
fn bins_follow_the_time_filter_and_the_transforms() {
    let set = profiles(PY);
    let (lo, hi) = set.time_range().unwrap();
    let mid = lo + (hi - lo) / 2;
    let window = Filter {
        time: Some((lo, mid)),
        ..Filter::default()
    };
    let opts = TimelineOptions {
        bins: 10,
        ..TimelineOptions::default()
    };
    let tl = set.timeline(&window, None, &opts).unwrap();
    let kept = total(&set, &window);
    assert!(kept > 0 && kept < 187);
    assert_eq!(sum(&tl.bins), kept);
    // The axis stays the file's: the later half is empty.
    assert!(tl.bins[6..].iter().all(|&b| b == 0));
    // A range of its own: samples outside it are counted apart.
    let zoomed = set
        .timeline(
            &Filter::default(),
            None,
            &TimelineOptions {
                range: Some((lo, mid)),
                ..opts.clone()
            },
        )
        .unwrap();
    assert_eq!(sum(&zoomed.bins), kept);
    assert_eq!(zoomed.outside, 187 - kept);
    // Samples a transform drops are in no bin.
    let fib = fib_key(&set);
    let t = set.transform(&Transforms(vec![Transform::DropFunction(fib.clone())]));
    let dropped = set.timeline(&Filter::default(), Some(&t), &opts).unwrap();
    assert_eq!(
        sum(&dropped.bins),
        set.call_tree_with(&Filter::default(), &t).total()
    );
    assert_eq!(sum(&dropped.bins), 187 - fib_total(&set));
    let err = set.timeline(
        &Filter::default(),
        None,
        &TimelineOptions {
            range: Some((5, 5)),
            ..opts
        },
    );
    assert_eq!(err, Err(NoTimeline::EmptyRange));
}

fn fib_key(set: &ProfileSet) -> (String, String) {
    let tree = set.call_tree(&Filter::default());
    let node = tree
        .nodes()
        .skip(1)
        .find(|&n| tree.name(n) == "fib")
        .unwrap();
    ("fib".into(), tree.file(node).into())
}

fn fib_total(set: &ProfileSet) -> i64 {
    let stats = set.call_tree(&Filter::default()).function_stats();
    stats.iter().find(|s| s.name == "fib").unwrap().total_weight
}

#[test]
fn a_selected_function_is_marked_where_it_ran() {
    let set = profiles(PY);
    let opts = TimelineOptions {
        bins: 40,
        highlight: Some(fib_key(&set)),
        ..TimelineOptions::default()
    };
    let tl = set.timeline(&Filter::default(), None, &opts).unwrap();
    let marked = tl.highlight.clone().unwrap();
    assert_eq!(sum(&marked), fib_total(&set));
    assert!(marked.iter().zip(&tl.bins).all(|(m, b)| m <= b));
    assert!(marked.contains(&0), "fib does not run all the time");
    // Marking a collapsed package frame of the transformed tree works too.
    let tree = set.call_tree(&Filter::default());
    let fib = tree
        .nodes()
        .skip(1)
        .find(|&n| tree.name(n) == "fib")
        .unwrap();
    let package = spanflame_core::palette::package_of("fib", tree.file(fib), tree.kind(fib));
    let t = set.transform(&Transforms(vec![Transform::CollapsePackage(
        package.into(),
    )]));
    let collapsed = set
        .timeline(
            &Filter::default(),
            Some(&t),
            &TimelineOptions {
                highlight: Some((
                    package.into(),
                    spanflame_core::transform::COLLAPSED_PACKAGE_FILE.into(),
                )),
                ..opts
            },
        )
        .unwrap();
    let all = sum(collapsed.highlight.as_ref().unwrap());
    assert!(all >= fib_total(&set), "{all}");
}

#[test]
fn too_many_groups_share_an_other_group_and_no_timestamps_is_said() {
    let set = profiles(PY);
    let tl = set
        .timeline(
            &Filter::default(),
            None,
            &TimelineOptions {
                group_by: Some("thread.id".into()),
                max_groups: 1,
                ..TimelineOptions::default()
            },
        )
        .unwrap();
    assert_eq!(tl.groups.len(), 2);
    assert_eq!(tl.groups[1].label, GroupLabel::Other(1));
    assert!(tl.groups[0].total >= tl.groups[1].total);
    // A resource key: every sample has the same service.
    let by_service = set
        .timeline(
            &Filter::default(),
            None,
            &TimelineOptions {
                group_by: Some("service.name".into()),
                ..TimelineOptions::default()
            },
        )
        .unwrap();
    assert_eq!(by_service.groups.len(), 1);
    assert_eq!(
        by_service.groups[0].label,
        GroupLabel::Value("otlp-profile-sample-app".into())
    );
    assert_eq!(by_service.groups[0].total, 187);
    // A key nobody has: one "missing" group.
    let none = set
        .timeline(
            &Filter::default(),
            None,
            &TimelineOptions {
                group_by: Some("no.such.key".into()),
                ..TimelineOptions::default()
            },
        )
        .unwrap();
    assert_eq!(none.groups.len(), 1);
    assert_eq!(none.groups[0].label, GroupLabel::Missing);
    let folded = profiles("speedscope/profile.folded.txt");
    assert_eq!(
        folded.timeline(&Filter::default(), None, &TimelineOptions::default()),
        Err(NoTimeline::NoTimestamps)
    );
}

fn facet<'a>(facets: &'a [Facet], key: &str) -> &'a Facet {
    facets.iter().find(|f| f.key == key).unwrap()
}

#[test]
fn facets_list_keys_by_source_with_capped_values() {
    let set = profiles(PY);
    let facets = set.facets(&Filter::default(), 10);
    let sources: Vec<AttrSource> = facets.iter().map(|f| f.source).collect();
    assert!(
        sources.is_sorted(),
        "sample keys, then profile, then resource"
    );
    let thread = facet(&facets, "thread.name");
    assert_eq!(thread.source, AttrSource::Sample);
    let shares: Vec<(&str, i64)> = thread
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.share.weight))
        .collect();
    let main = Filter {
        attributes: vec![("thread.name".into(), "MainThread".into())],
        ..Filter::default()
    };
    let main_total = total(&set, &main);
    assert_eq!(
        shares,
        [("MainThread", main_total), ("worker-1", 187 - main_total)]
    );
    let service = facet(&facets, "service.name");
    assert_eq!(service.source, AttrSource::Resource);
    assert_eq!(service.values[0].share.samples, 187);
    // Capped: one value shown, the other counted.
    let capped = set.facets(&Filter::default(), 1);
    let thread = facet(&capped, "thread.name");
    assert_eq!(thread.values.len(), 1);
    assert_eq!(thread.other.0, 1);
    assert_eq!(thread.values[0].share.weight + thread.other.1.weight, 187);
    // A key the filter conditions on is counted without its own condition; others with it.
    let facets = set.facets(&main, 10);
    assert_eq!(facet(&facets, "thread.name").values.len(), 2);
    let ids = facet(&facets, "thread.id");
    assert_eq!(ids.values.len(), 1);
    assert_eq!(ids.values[0].share.weight, main_total);
}

#[test]
fn exclude_and_any_of_conditions() {
    let set = profiles(PY);
    let main = total(
        &set,
        &Filter {
            attributes: vec![("thread.name".into(), "MainThread".into())],
            ..Filter::default()
        },
    );
    let cond = |values: &[&str], exclude| Filter {
        conditions: vec![AttrCondition {
            key: "thread.name".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            exclude,
        }],
        ..Filter::default()
    };
    assert_eq!(total(&set, &cond(&["MainThread"], true)), 187 - main);
    assert_eq!(total(&set, &cond(&["MainThread"], false)), main);
    assert_eq!(total(&set, &cond(&["MainThread", "worker-1"], false)), 187);
    assert_eq!(total(&set, &cond(&["MainThread", "worker-1"], true)), 0);
    assert_eq!(total(&set, &cond(&[], false)), 0);
    assert_eq!(total(&set, &cond(&[], true)), 187);
    // Excluding a value nobody has keeps everything, also samples without the key.
    let resource = Filter {
        conditions: vec![AttrCondition {
            key: "service.name".into(),
            values: vec!["other-service".into()],
            exclude: true,
        }],
        ..Filter::default()
    };
    assert_eq!(total(&set, &resource), 187);
}
