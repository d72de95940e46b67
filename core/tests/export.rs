//! Exports on real profiles: pprof read back by Spanflame's own importer, by a protobuf
//! reader written here (field numbers of `profile.proto`, nothing shared with the
//! importer), and by `go tool pprof` when Go is installed; SVG parsed as XML.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use common::profiles;
use spanflame_core::export::pprof::pprof_gz;
use spanflame_core::export::svg::{SvgOptions, flame_svg};
use spanflame_core::{
    Filter, FlameLayout, Limits, Loaded, ProfileSet, Transform, Transforms, load,
};

const FIXTURES: &[&str] = &[
    "otlp/python-ext-0.63b4-file/profiles.v1_10.binpb",
    "speedscope/profile.folded.txt",
    "perf/fp.perf-script.txt",
    "chrome/main.cpuprofile",
    "jfr/workload.jfr",
    "cprofile/cprofile.pstats",
];

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

// ---- a minimal protobuf reader, enough for pprof's messages ----

fn varint(b: &[u8], i: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let byte = b[*i];
        *i += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// (field number, varint value or bytes) of each field of a message.
enum Val<'a> {
    Int(u64),
    Bytes(&'a [u8]),
}

fn fields(b: &[u8]) -> Vec<(u64, Val<'_>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let key = varint(b, &mut i);
        match key & 7 {
            0 => out.push((key >> 3, Val::Int(varint(b, &mut i)))),
            2 => {
                let n = varint(b, &mut i) as usize;
                out.push((key >> 3, Val::Bytes(&b[i..i + n])));
                i += n;
            }
            t => panic!("wire type {t} not used by pprof"),
        }
    }
    out
}

/// Repeated integers, packed or not.
fn ints(v: &Val<'_>) -> Vec<u64> {
    match v {
        Val::Int(x) => vec![*x],
        Val::Bytes(b) => {
            let mut i = 0;
            let mut out = Vec::new();
            while i < b.len() {
                out.push(varint(b, &mut i));
            }
            out
        }
    }
}

/// Folded stacks (function names root first) and sample type of an encoded pprof.
fn independent_folded(pb: &[u8]) -> (BTreeMap<String, i64>, String) {
    let mut strings = Vec::new();
    let mut functions: BTreeMap<u64, u64> = BTreeMap::new(); // id → name index
    let mut locations: BTreeMap<u64, u64> = BTreeMap::new(); // id → function id
    let mut samples = Vec::new();
    let mut sample_type = (0, 0);
    for (f, v) in fields(pb) {
        let Val::Bytes(b) = v else { continue };
        match f {
            1 => {
                for (k, v) in fields(b) {
                    match (k, v) {
                        (1, Val::Int(x)) => sample_type.0 = x,
                        (2, Val::Int(x)) => sample_type.1 = x,
                        _ => {}
                    }
                }
            }
            2 => {
                let (mut locs, mut vals) = (Vec::new(), Vec::new());
                for (k, v) in fields(b) {
                    match k {
                        1 => locs.extend(ints(&v)),
                        2 => vals.extend(ints(&v)),
                        _ => {}
                    }
                }
                samples.push((locs, vals[0] as i64));
            }
            4 => {
                let (mut id, mut func) = (0, 0);
                for (k, v) in fields(b) {
                    match (k, v) {
                        (1, Val::Int(x)) => id = x,
                        (4, Val::Bytes(line)) => {
                            for (k, v) in fields(line) {
                                if let (1, Val::Int(x)) = (k, v) {
                                    func = x;
                                }
                            }
                        }
                        _ => {}
                    }
                }
                locations.insert(id, func);
            }
            5 => {
                let (mut id, mut name) = (0, 0);
                for (k, v) in fields(b) {
                    match (k, v) {
                        (1, Val::Int(x)) => id = x,
                        (2, Val::Int(x)) => name = x,
                        _ => {}
                    }
                }
                functions.insert(id, name);
            }
            6 => strings.push(String::from_utf8(b.to_vec()).unwrap()),
            _ => {}
        }
    }
    assert_eq!(strings[0], "", "string_table[0] must be empty");
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for (locs, w) in samples {
        let names: Vec<&str> = locs
            .iter()
            .rev()
            .map(|l| strings[functions[&locations[l]] as usize].as_str())
            .collect();
        let key = if names.is_empty() {
            "(no stack)".to_owned()
        } else {
            names.join(";")
        };
        *out.entry(key).or_default() += w;
    }
    out.retain(|_, w| *w != 0);
    let st = format!(
        "{}/{}",
        strings[sample_type.0 as usize], strings[sample_type.1 as usize]
    );
    (out, st)
}

fn reload(bytes: &[u8]) -> ProfileSet {
    match load(bytes, &Limits::default()) {
        Ok(Loaded::Profiles(set)) => set,
        other => panic!("the export does not load back: {other:?}"),
    }
}

fn views(set: &ProfileSet) -> Vec<(Filter, Option<Transforms>)> {
    let mut out = vec![(Filter::default(), None)];
    // The last sample type, and the hottest function merged away.
    let hot = set.call_tree(&Filter::default()).function_stats()[0].clone();
    out.push((
        Filter {
            sample_type: spanflame_core::model::SampleTypeId::from_index(
                set.sample_types.len() - 1,
            ),
            ..Filter::default()
        },
        Some(Transforms(vec![Transform::MergeFunction((
            hot.name, hot.file,
        ))])),
    ));
    out
}

#[test]
fn pprof_export_reads_back_to_the_same_folded_stacks() {
    for rel in FIXTURES {
        let set = profiles(rel);
        for (filter, transforms) in views(&set) {
            let transformed = transforms.as_ref().map(|t| set.transform(t));
            let want = match &transformed {
                Some(t) => set.folded_with(&filter, t),
                None => set.folded(&filter),
            };
            assert!(!want.is_empty(), "{rel}");
            let gz = pprof_gz(&set, &filter, transformed.as_ref());
            // Our own importer.
            let back = reload(&gz);
            assert_eq!(back.folded(&Filter::default()), want, "{rel}");
            let st = &set.sample_types[filter.sample_type.index()];
            assert_eq!(back.sample_types[0], *st, "{rel}");
            // The reader written here.
            let (folded, sample_type) = independent_folded(&gunzip(&gz));
            assert_eq!(folded.into_iter().collect::<Vec<_>>(), want, "{rel}");
            assert_eq!(sample_type, format!("{}/{}", st.name, st.unit), "{rel}");
        }
    }
}

/// `go tool pprof -top` on the export: its total is the view's. Skipped (saying why) when
/// Go is not installed (`apt-get install golang-go`).
#[test]
fn go_tool_pprof_reads_the_export() {
    let go = std::process::Command::new("go").arg("version").output();
    if !go.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `go` is not installed (Debian: apt-get install golang-go)");
        return;
    }
    let set = profiles("otlp/python-ext-0.63b4-file/profiles.v1_10.binpb");
    let dir = std::env::temp_dir().join(format!("spanflame-pprof-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("view.pb.gz");
    std::fs::write(&path, pprof_gz(&set, &Filter::default(), None)).unwrap();
    let out = std::process::Command::new("go")
        .args(["tool", "pprof", "-top", "-nodecount=100"])
        .arg(&path)
        .env("HOME", &dir)
        .env("GOCACHE", dir.join("cache"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = set.call_tree(&Filter::default());
    // "Showing nodes accounting for 187, 100% of 187 total"
    assert!(
        text.contains(&format!("of {} total", tree.total())),
        "{text}"
    );
    // Every function with self weight is a row with that flat value.
    for f in tree.function_stats().iter().filter(|f| f.self_weight > 0) {
        let row = text
            .lines()
            .find(|l| l.split_whitespace().last() == Some(f.name.as_str()))
            .unwrap_or_else(|| panic!("{} missing from\n{text}", f.name));
        assert_eq!(
            row.split_whitespace().next(),
            Some(f.self_weight.to_string().as_str()),
            "{row}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn svg_export_is_xml_with_one_group_per_visible_frame() {
    for rel in FIXTURES {
        let set = profiles(rel);
        let tree = set.call_tree(&Filter::default());
        // The whole graph, and zoomed into the root's widest child.
        let widest = *tree
            .children(spanflame_core::CallTree::ROOT)
            .iter()
            .max_by_key(|&&c| tree.total_weight(c))
            .unwrap();
        for (layout, dark) in [
            (FlameLayout::new(&tree), false),
            (FlameLayout::focused(&tree, widest), true),
        ] {
            let opts = SvgOptions {
                dark,
                title: format!("{rel} <&>"),
                ..SvgOptions::default()
            };
            let svg = flame_svg(&tree, &layout, &opts);
            let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let frames = doc
                .descendants()
                .find(|n| n.attribute("class") == Some("frames"))
                .unwrap();
            let groups: Vec<_> = frames.children().filter(|n| n.is_element()).collect();
            let visible: Vec<_> = layout
                .rects()
                .iter()
                .filter(|r| (r.x1 - r.x0) * opts.width >= opts.min_width)
                .collect();
            assert_eq!(groups.len(), visible.len(), "{rel}");
            for (g, r) in groups.iter().zip(&visible) {
                let title = g
                    .children()
                    .find(|n| n.has_tag_name("title"))
                    .and_then(|t| t.text())
                    .unwrap();
                let name = tree.name(r.node);
                assert!(title.starts_with(&format!("{name} (")), "{title} / {name}");
                let rect = g.children().find(|n| n.has_tag_name("rect")).unwrap();
                let w: f64 = rect.attribute("width").unwrap().parse().unwrap();
                assert!((w - (r.x1 - r.x0) * opts.width).abs() < 0.01);
                // A label, when there is one, is the name or its start and an ellipsis,
                // and fits in the frame at the monospace advance.
                if let Some(text) = g
                    .children()
                    .find(|n| n.has_tag_name("text"))
                    .and_then(|t| t.text())
                {
                    let stem = text.strip_suffix('…').unwrap_or(text);
                    assert!(name.starts_with(stem), "{text} / {name}");
                    let px = text.chars().count() as f64 * opts.font_size * 0.6;
                    assert!(px <= w, "{text} is {px}px in {w}px");
                }
            }
        }
    }
}

/// Weight of the folded lines whose stack starts with `path` (frames by name).
fn prefix_weight(folded: &[(String, i64)], path: &[&str]) -> i64 {
    folded
        .iter()
        .filter(|(stack, _)| {
            let frames: Vec<&str> = stack.split(';').collect();
            frames.len() >= path.len() && frames[..path.len()] == *path
        })
        .map(|(_, w)| w)
        .sum()
}

/// How many nodes of `tree` have each name path.
fn name_paths(tree: &spanflame_core::CallTree) -> std::collections::HashMap<Vec<&str>, usize> {
    let mut m = std::collections::HashMap::new();
    for n in tree.nodes().skip(1) {
        *m.entry(path_of(tree, n)).or_default() += 1;
    }
    m
}

/// The frames of a node, from the root.
fn path_of(tree: &spanflame_core::CallTree, mut node: spanflame_core::NodeId) -> Vec<&str> {
    let mut path = Vec::new();
    while node != spanflame_core::CallTree::ROOT {
        path.push(tree.name(node));
        node = tree.parent(node).unwrap();
    }
    path.reverse();
    path
}

#[test]
fn diff_svg_colours_each_frame_by_its_change_and_titles_both_sides() {
    use spanflame_core::diff::{Diff, format_delta};
    use spanflame_core::export::svg::diff_svg;
    use spanflame_core::palette::diff_colour;
    use spanflame_core::units::{format_share, format_value};
    // The same node workload before and after `warm` got 3x the work
    // (core/tests/fixtures/diff/README.md).
    let base = profiles("diff/base.cpuprofile");
    let slower = profiles("diff/slower.cpuprofile");
    let filter = Filter::default();
    let diff = Diff::new(base.call_tree(&filter), slower.call_tree(&filter));
    let (before, after) = (base.folded(&filter), slower.folded(&filter));
    let before_total: i64 = before.iter().map(|(_, w)| w).sum();
    let after_total: i64 = after.iter().map(|(_, w)| w).sum();
    let tree = diff.comparison();
    let unit = tree.sample_type().unit.clone();
    for dark in [false, true] {
        let layout = FlameLayout::new(tree);
        let opts = SvgOptions {
            dark,
            title: "slower vs base".into(),
            ..SvgOptions::default()
        };
        let svg = diff_svg(&diff, &layout, &opts);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        // The colour scale is drawn under the heading: five swatches, shrank to grew.
        let legend = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("legend"))
            .expect("a legend");
        assert_eq!(
            legend.children().filter(|n| n.has_tag_name("rect")).count(),
            5
        );
        let frames = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("frames"))
            .unwrap();
        let groups: Vec<_> = frames.children().filter(|n| n.is_element()).collect();
        let visible: Vec<_> = layout
            .rects()
            .iter()
            .filter(|r| (r.x1 - r.x0) * opts.width >= opts.min_width)
            .collect();
        assert_eq!(groups.len(), visible.len());
        // Folded text has names only; the trees merge by name and file. Check the frames
        // whose name path is one node in each tree (as core/tests/diff.rs does).
        let (in_base, in_comp) = (name_paths(diff.baseline()), name_paths(tree));
        let (mut red, mut blue, mut checked) = (0, 0, 0);
        for (g, r) in groups.iter().zip(&visible) {
            let path = path_of(tree, r.node);
            if in_comp.get(&path) != Some(&1) || in_base.get(&path).is_some_and(|&c| c > 1) {
                continue;
            }
            checked += 1;
            // Both sides' weights of this call path, from the folded lines alone.
            let (b, a) = (prefix_weight(&before, &path), prefix_weight(&after, &path));
            let delta = a as f64 / after_total as f64 - b as f64 / before_total as f64;
            let title = g
                .children()
                .find(|n| n.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap();
            let want = format!(
                "{} ({}, {}; baseline {}, {}; {})",
                path.last().unwrap(),
                format_value(a, &unit),
                format_share(a, after_total),
                format_value(b, &unit),
                format_share(b, before_total),
                format_delta(delta),
            );
            assert_eq!(title, want, "{}", path.join(";"));
            let fill = g
                .children()
                .find(|n| n.has_tag_name("rect"))
                .and_then(|n| n.attribute("fill"))
                .unwrap();
            assert_eq!(fill, diff_colour(delta, dark).css(), "{title}");
            if delta >= 0.01 {
                red += 1;
            } else if delta <= -0.01 {
                blue += 1;
            }
        }
        // What a reader sees at a glance: `warm` grew and `hot` shrank, beyond the band.
        assert!(red > 0 && blue > 0, "{red} red and {blue} blue frames");
        assert!(
            checked * 2 > groups.len(),
            "{checked} of {} frames",
            groups.len()
        );
    }
}

#[test]
fn sandwich_svg_stacks_callers_over_callees_meeting_at_the_function() {
    use spanflame_core::export::svg::{Pane, picture_svg};
    use spanflame_core::viewport::Orientation;
    let set = profiles("speedscope/profile.folded.txt");
    let key = ("walk (workload.py:35)".to_owned(), String::new());
    let s = set.sandwich(&Filter::default(), &Transforms::default(), &key);
    let (lc, le) = (FlameLayout::new(&s.callers), FlameLayout::new(&s.callees));
    let opts = SvgOptions {
        title: "Callers and callees of walk".into(),
        ..SvgOptions::default()
    };
    let panes = [
        Pane {
            tree: &s.callers,
            layout: &lc,
            orientation: Orientation::Flame,
            diff: None,
        },
        Pane {
            tree: &s.callees,
            layout: &le,
            orientation: Orientation::Icicle,
            diff: None,
        },
    ];
    let svg = picture_svg(&panes, &opts);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let groups: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("frames"))
        .collect();
    assert_eq!(groups.len(), 2, "one group of frames per pane");
    let ys = |g: &roxmltree::Node<'_, '_>, name: &str| -> Vec<f64> {
        g.children()
            .filter(|f| {
                f.children()
                    .find(|n| n.has_tag_name("title"))
                    .and_then(|t| t.text())
                    .is_some_and(|t| t.starts_with(&format!("{name} (")))
            })
            .filter_map(|f| f.children().find(|n| n.has_tag_name("rect")))
            .map(|r| r.attribute("y").unwrap().parse().unwrap())
            .collect()
    };
    let head = opts.row_height * 1.6;
    let callers_rows = f64::from(lc.depth_count());
    // The callers' root (the function) is their bottom row; the callees' root is the row
    // right under it, and the picture ends with the callees' deepest row.
    let bottom = head + (callers_rows - 1.0) * opts.row_height;
    let (above, below) = (ys(&groups[0], &key.0), ys(&groups[1], &key.0));
    assert!(above.contains(&bottom), "{above:?}");
    assert!(below.contains(&(bottom + opts.row_height)), "{below:?}");
    let height: f64 = doc
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    let rows = callers_rows + f64::from(le.depth_count());
    assert!((height - (head + rows * opts.row_height)).abs() < 1e-9);
    // Every frame of both trees wide enough to draw is there.
    for (g, layout) in groups.iter().zip([&lc, &le]) {
        let drawn = g.children().filter(|n| n.is_element()).count();
        let visible = layout
            .rects()
            .iter()
            .filter(|r| (r.x1 - r.x0) * opts.width >= opts.min_width)
            .count();
        assert_eq!(drawn, visible);
    }
}
