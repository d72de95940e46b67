//! A profile in the shape the OpenTelemetry eBPF profiler writes
//! (`fixtures/otlp/ebpf-shape/`), held against the numbers its generator wrote down as it
//! emitted each sample (`expected.txt`).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{fixture, profiles};
use spanflame_core::model::{FrameKind, NONE};
use spanflame_core::transfer::{pack, unpack};
use spanflame_core::{Filter, Loaded, ProfileSet};

const DIR: &str = "otlp/ebpf-shape";
const FILES: [&str; 2] = ["profiles.binpb", "profiles.json"];

/// The `expected.txt` lines starting with `key`, split at tabs, without the key.
fn expected(key: &str) -> Vec<Vec<String>> {
    let text = String::from_utf8(fixture(&format!("{DIR}/expected.txt"))).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut fields = l.split('\t');
            (fields.next() == Some(key)).then(|| fields.map(str::to_owned).collect())
        })
        .collect();
    assert!(!rows.is_empty(), "expected.txt has no {key} lines");
    rows
}

fn num(s: &str) -> i64 {
    s.parse().unwrap()
}

/// Rows of the profiles whose sample type is named `name`.
fn rows_of<'a>(set: &'a ProfileSet, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    set.profiles
        .iter()
        .filter(move |p| set.sample_types[p.sample_type.index()].name == name)
        .flat_map(|p| p.samples.start as usize..p.samples.end as usize)
}

fn attr<'a>(set: &'a ProfileSet, row: usize, key: &str) -> Option<&'a str> {
    set.attr_sets[set.samples.attrs(row) as usize]
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

fn pid_of(set: &ProfileSet, row: usize) -> i64 {
    let p = &set.profiles[set.profile_of_row(row)];
    num(set.resources[p.resource.index()]
        .attribute("process.pid")
        .unwrap())
}

fn each_set(check: impl Fn(&ProfileSet, &str)) {
    for file in FILES {
        let name = format!("{DIR}/{file}");
        let set = profiles(&name);
        check(&set, &name);
        // What the page gets from the decode worker holds the same.
        let Ok(Loaded::Profiles(back)) = unpack(pack(Loaded::Profiles(set))) else {
            panic!("{name}: did not come back from the worker hand-off");
        };
        check(&back, &format!("{name} after the worker hand-off"));
    }
}

#[test]
fn the_fixture_is_what_the_generator_writes() {
    let f = spanflame_synth::ebpf_fixture();
    let bytes = prost::Message::encode_to_vec(&f.data);
    assert!(
        fixture(&format!("{DIR}/profiles.binpb")) == bytes,
        "profiles.binpb is stale: cargo run -p spanflame-synth --example ebpf_fixture"
    );
    assert_eq!(
        String::from_utf8(fixture(&format!("{DIR}/profiles.json"))).unwrap(),
        spanflame_synth::profiles_data_json(&f.data)
    );
    assert_eq!(
        String::from_utf8(fixture(&format!("{DIR}/expected.txt"))).unwrap(),
        f.expected
    );
}

#[test]
fn one_resource_per_process_with_its_sample_counts() {
    each_set(|set, name| {
        assert_eq!(set.resources.len(), 3, "{name}");
        for row in expected("process") {
            let (pid, exe) = (num(&row[0]), &row[1]);
            let r = set
                .resources
                .iter()
                .find(|r| r.attribute("process.pid") == Some(&row[0]))
                .unwrap_or_else(|| panic!("{name}: no process {pid}"));
            assert_eq!(r.attribute("process.executable.name"), Some(exe.as_str()));
            assert!(r.attribute("process.executable.path").is_some());
            let cpu = rows_of(set, "samples")
                .filter(|&i| pid_of(set, i) == pid)
                .count();
            assert_eq!(cpu as i64, num(&row[2]), "{name}: CPU samples of {exe}");
            let off: Vec<usize> = rows_of(set, "off_cpu")
                .filter(|&i| pid_of(set, i) == pid)
                .collect();
            assert_eq!(off.len() as i64, num(&row[3]), "{name}: off-CPU of {exe}");
            let ns: i64 = off.iter().map(|&i| set.samples.value(i)).sum();
            assert_eq!(ns, num(&row[4]), "{name}: off-CPU ns of {exe}");
        }
        // service.name only where an APM agent gives one; no container for the Go binary.
        let services: BTreeSet<&str> = set
            .resources
            .iter()
            .filter_map(|r| r.attribute("service.name"))
            .collect();
        assert_eq!(services, BTreeSet::from(["checkout", "orders"]), "{name}");
        let gateway = set
            .resources
            .iter()
            .find(|r| r.attribute("process.executable.name") == Some("gateway"))
            .unwrap();
        assert_eq!(gateway.attribute("container.id"), None, "{name}");
    });
}

#[test]
fn cpu_samples_are_timestamps_of_weight_one_at_20_hz() {
    each_set(|set, name| {
        let cpu: Vec<usize> = rows_of(set, "samples").collect();
        assert!(!cpu.is_empty());
        for &i in &cpu {
            assert_eq!(set.samples.value(i), 1, "{name}: row {i}");
            assert_ne!(set.samples.time(i), 0, "{name}: row {i} lost its timestamp");
        }
        for p in &set.profiles {
            let t = &set.sample_types[p.sample_type.index()];
            if t.name == "samples" {
                let period = p.period_type.as_ref().unwrap();
                assert_eq!(
                    (period.name.as_str(), period.unit.as_str()),
                    ("cpu", "nanoseconds")
                );
                assert_eq!(p.period, 50_000_000, "{name}");
            } else {
                assert_eq!(t.to_string(), "off_cpu/nanoseconds", "{name}");
            }
        }
    });
}

#[test]
fn the_scope_default_sample_type_is_shown_first() {
    each_set(|set, name| {
        let want = &expected("default")[0][0];
        // The file's first profile is off-CPU: only the scope attribute makes CPU first.
        let first = &set.sample_types[set.profiles[0].sample_type.index()];
        assert_eq!(first.to_string(), "off_cpu/nanoseconds", "{name}");
        assert_eq!(&set.sample_types[0].to_string(), want, "{name}");
        assert_eq!(Filter::default().sample_type.index(), 0);
        let tree = set.call_tree(&Filter::default());
        let cpu_total: i64 = expected("process").iter().map(|r| num(&r[2])).sum();
        assert_eq!(tree.total(), cpu_total, "{name}: the default view is CPU");
    });
}

#[test]
fn threads_cpus_and_labels_are_sample_attributes() {
    each_set(|set, name| {
        let mut threads: BTreeMap<(i64, String, i64), i64> = BTreeMap::new();
        let mut cpus: BTreeMap<i64, i64> = BTreeMap::new();
        let mut labelled = 0;
        for i in rows_of(set, "samples") {
            let thread = attr(set, i, "thread.name").unwrap().to_owned();
            let tid = num(attr(set, i, "thread.id").unwrap());
            *threads.entry((pid_of(set, i), thread, tid)).or_default() += 1;
            *cpus
                .entry(num(attr(set, i, "cpu.logical_number").unwrap()))
                .or_default() += 1;
            if attr(set, i, "process.context.label.endpoint").is_some() {
                assert_eq!(attr(set, i, "process.context.label.tenant"), Some("acme"));
                labelled += 1;
            }
        }
        let want: BTreeMap<(i64, String, i64), i64> = expected("thread")
            .into_iter()
            .map(|r| ((num(&r[0]), r[1].clone(), num(&r[2])), num(&r[3])))
            .collect();
        assert_eq!(threads, want, "{name}");
        let want: BTreeMap<i64, i64> = expected("cpu")
            .into_iter()
            .map(|r| (num(&r[0]), num(&r[1])))
            .collect();
        assert_eq!(cpus, want, "{name}");
        assert_eq!(labelled, num(&expected("labelled")[0][0]), "{name}");
    });
}

#[test]
fn every_frame_keeps_its_frame_type_and_a_kind_for_its_colour() {
    each_set(|set, name| {
        let mut frames: BTreeMap<&str, i64> = BTreeMap::new();
        for f in &set.frames {
            let ty = set.string(f.frame_type);
            let kind = match ty {
                "kernel" => FrameKind::Kernel,
                "native" | "go" => FrameKind::Native,
                "cpython" | "jvm" => FrameKind::Interpreted,
                "abort-marker" => FrameKind::Unknown,
                other => panic!("{name}: unexpected frame type {other:?}"),
            };
            assert_eq!(f.kind, kind, "{name}: a {ty} frame");
            *frames.entry(ty).or_default() += 1;
        }
        let rows = expected("frames");
        let want: BTreeMap<&str, i64> = rows.iter().map(|r| (r[0].as_str(), num(&r[1]))).collect();
        assert_eq!(frames, want, "{name}: distinct frames per type");

        let mut leaves: BTreeMap<String, i64> = BTreeMap::new();
        for i in rows_of(set, "samples") {
            let frame = &set.frames[set.stacks.frame[set.samples.stack(i) as usize] as usize];
            *leaves
                .entry(set.string(frame.frame_type).to_owned())
                .or_default() += 1;
        }
        let want: BTreeMap<String, i64> = expected("leaf")
            .into_iter()
            .map(|r| (r[0].clone(), num(&r[1])))
            .collect();
        assert_eq!(leaves, want, "{name}: CPU samples by leaf frame type");

        // Colour by kind has one legend entry per runtime, each its own colour.
        let tree = set.call_tree(&Filter::default());
        let legend = spanflame_core::palette::runtimes(&tree);
        let types: BTreeSet<&str> = legend.iter().map(|(_, t, _)| t.as_str()).collect();
        let want: BTreeSet<&str> =
            BTreeSet::from(["abort-marker", "cpython", "go", "jvm", "kernel", "native"]);
        assert_eq!(types, want, "{name}");
        let colours: BTreeSet<_> = legend
            .iter()
            .map(|(k, t, _)| spanflame_core::palette::runtime_colour(*k, t, false))
            .collect();
        assert_eq!(colours.len(), legend.len(), "{name}: {legend:?}");

        // The agent's marker where unwinding stopped is named by its type.
        let marker = set
            .frames
            .iter()
            .find(|f| set.string(f.frame_type) == "abort-marker")
            .unwrap();
        assert_eq!(set.function_name(marker.function), "(abort-marker)");
    });
}

#[test]
fn unsymbolised_frames_are_binary_plus_file_offset_with_their_build_id() {
    each_set(|set, name| {
        for row in expected("native") {
            let (want, binary, build_id) = (&row[0], &row[1], &row[2]);
            let f = set
                .functions
                .iter()
                .find(|f| set.string(f.name) == want)
                .unwrap_or_else(|| panic!("{name}: no frame named {want}"));
            assert_eq!(set.string(f.file), binary, "{name}: {want}");
            assert_eq!(set.string(f.build_id), build_id, "{name}: {want}");
        }
        // Symbolised frames have no build id.
        let f = set
            .functions
            .iter()
            .find(|f| set.string(f.name) == "java.util.HashMap.get")
            .unwrap();
        assert_eq!(set.string(f.build_id), "", "{name}");
        // The call tree carries what the tooltip shows.
        let tree = set.call_tree(&Filter::default());
        let node = tree
            .nodes()
            .skip(1)
            .find(|&n| tree.name(n) == "libc.so.6+0x1a2b30")
            .expect("libc's memmove is in the CPU tree");
        assert_eq!(tree.frame_type(node), "native");
        assert_eq!(tree.kind(node), FrameKind::Native);
        assert_eq!(
            tree.build_id(node),
            "a43bfc8428df6623cd498c9c0caeb91aec9be4f9"
        );
        assert_eq!(tree.file(node), "/usr/lib/x86_64-linux-gnu/libc.so.6");
        let node = tree
            .nodes()
            .skip(1)
            .find(|&n| tree.name(n) == "encode")
            .unwrap();
        assert_eq!(tree.frame_type(node), "cpython");
        assert_eq!(tree.build_id(node), "");
    });
}

#[test]
fn trace_links_resolve() {
    each_set(|set, name| {
        let mut links: BTreeMap<(String, String), i64> = BTreeMap::new();
        for i in rows_of(set, "samples") {
            let l = set.samples.link(i);
            if l != NONE {
                let key = set.links[l as usize];
                *links.entry((key.trace_hex(), key.span_hex())).or_default() += 1;
            }
        }
        let want: BTreeMap<(String, String), i64> = expected("link")
            .into_iter()
            .map(|r| ((r[0].clone(), r[1].clone()), num(&r[2])))
            .collect();
        assert_eq!(links, want, "{name}");
        assert!(set.diagnostics.is_empty(), "{name}: {:?}", set.diagnostics);
    });
}
