//! The OTLP goldens and README numbers against a computation that shares no code with
//! Spanflame's readers: the v1.10 binary decoded with the `opentelemetry-proto` types and the
//! OTLP/JSON walked with `serde_json`, each folded here in a few lines. If Spanflame's
//! normaliser, its golden files and the fixture README ever disagree, one of these fails.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{SPAN_ONLY, fixture, profiles};
use opentelemetry_proto::tonic::profiles::v1development as otlp;
use prost::Message;
use serde_json::Value;
use spanflame_core::Filter;

const PY: &str = "otlp/python-ext-0.63b4-file";
const SYN: &str = "otlp/synthetic-v1_10";

/// The dictionary and samples, reduced to what folding needs; both readers below fill it.
#[derive(Default)]
struct Plain {
    strings: Vec<String>,
    /// `(name, file)` string indices per function.
    functions: Vec<(usize, usize)>,
    /// Function indices per location, as stored (innermost inlined function first).
    locations: Vec<Vec<usize>>,
    /// Location indices per stack, leaf first.
    stacks: Vec<Vec<usize>>,
    /// `(trace id, span id)` in hex per link; empty ids for the zero link.
    links: Vec<(String, String)>,
    /// `(sample type, samples)` per profile.
    profiles: Vec<(String, Vec<PlainSample>)>,
}

struct PlainSample {
    stack: usize,
    link: usize,
    /// One weight per observation: the values, or 1 per timestamp when there are none.
    weights: Vec<i64>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn idx(i: i32) -> usize {
    usize::try_from(i).expect("the fixtures have no negative indices")
}

fn weights(values: Vec<i64>, timestamps: usize) -> Vec<i64> {
    if values.is_empty() {
        vec![1; timestamps]
    } else {
        values
    }
}

fn from_proto(bytes: &[u8]) -> Plain {
    let data = otlp::ProfilesData::decode(bytes).unwrap();
    let d = data.dictionary.unwrap();
    let s = |i: i32| d.string_table[idx(i)].clone();
    let mut plain = Plain {
        strings: d.string_table.clone(),
        functions: d
            .function_table
            .iter()
            .map(|f| (idx(f.name_strindex), idx(f.filename_strindex)))
            .collect(),
        locations: d
            .location_table
            .iter()
            .map(|l| {
                l.lines
                    .iter()
                    .map(|line| idx(line.function_index))
                    .collect()
            })
            .collect(),
        stacks: d
            .stack_table
            .iter()
            .map(|st| st.location_indices.iter().map(|&i| idx(i)).collect())
            .collect(),
        links: d
            .link_table
            .iter()
            .map(|l| (hex(&l.trace_id), hex(&l.span_id)))
            .collect(),
        profiles: Vec::new(),
    };
    for rp in data.resource_profiles {
        for sp in rp.scope_profiles {
            for p in sp.profiles {
                let st = p.sample_type.unwrap();
                let name = format!("{}/{}", s(st.type_strindex), s(st.unit_strindex));
                let samples = p
                    .samples
                    .into_iter()
                    .map(|smp| PlainSample {
                        stack: idx(smp.stack_index),
                        link: idx(smp.link_index),
                        weights: weights(smp.values, smp.timestamps_unix_nano.len()),
                    })
                    .collect();
                plain.profiles.push((name, samples));
            }
        }
    }
    plain
}

/// OTLP/JSON: proto3 JSON leaves out zero values and writes 64-bit integers as strings.
fn from_json(text: &[u8]) -> Plain {
    let v: Value = serde_json::from_slice(text).unwrap();
    let list = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let int = |v: &Value, key: &str| match v.get(key) {
        None => 0,
        Some(Value::Number(n)) => n.as_i64().unwrap(),
        Some(Value::String(s)) => s.parse().unwrap(),
        Some(other) => panic!("{key}: {other}"),
    };
    let ints = |v: &Value, key: &str| -> Vec<i64> {
        list(v, key)
            .iter()
            .map(|x| match x {
                Value::Number(n) => n.as_i64().unwrap(),
                Value::String(s) => s.parse().unwrap(),
                other => panic!("{key}: {other}"),
            })
            .collect()
    };
    let text_of =
        |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    let d = &v["dictionary"];
    let strings: Vec<String> = list(d, "stringTable")
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    let to_usize = |i: i64| usize::try_from(i).unwrap();
    let mut plain = Plain {
        functions: list(d, "functionTable")
            .iter()
            .map(|f| {
                (
                    to_usize(int(f, "nameStrindex")),
                    to_usize(int(f, "filenameStrindex")),
                )
            })
            .collect(),
        locations: list(d, "locationTable")
            .iter()
            .map(|l| {
                list(l, "lines")
                    .iter()
                    .map(|line| to_usize(int(line, "functionIndex")))
                    .collect()
            })
            .collect(),
        stacks: list(d, "stackTable")
            .iter()
            .map(|st| {
                ints(st, "locationIndices")
                    .into_iter()
                    .map(to_usize)
                    .collect()
            })
            .collect(),
        links: list(d, "linkTable")
            .iter()
            .map(|l| (text_of(l, "traceId"), text_of(l, "spanId")))
            .collect(),
        strings,
        profiles: Vec::new(),
    };
    for rp in list(&v, "resourceProfiles") {
        for sp in list(&rp, "scopeProfiles") {
            for p in list(&sp, "profiles") {
                let st = &p["sampleType"];
                let s = |key| plain.strings[to_usize(int(st, key))].clone();
                let name = format!("{}/{}", s("typeStrindex"), s("unitStrindex"));
                let samples = list(&p, "samples")
                    .iter()
                    .map(|smp| PlainSample {
                        stack: to_usize(int(smp, "stackIndex")),
                        link: to_usize(int(smp, "linkIndex")),
                        weights: weights(
                            ints(smp, "values"),
                            list(smp, "timestampsUnixNano").len(),
                        ),
                    })
                    .collect();
                plain.profiles.push((name, samples));
            }
        }
    }
    plain
}

/// What the README and the goldens state, computed from a [`Plain`].
#[derive(Debug, PartialEq, Default)]
struct Expected {
    /// Folded lines (root first, `;`-separated) per sample type, in file order.
    folded: Vec<(String, BTreeMap<String, i64>)>,
    /// `(name, file)` -> (self, total) for the first sample type; total counts a sample once.
    functions: BTreeMap<(String, String), (i64, i64)>,
    /// Leaf name -> weight, first sample type.
    leaves: BTreeMap<String, i64>,
    /// `(trace hex, span hex)` -> leaf -> weight, first sample type.
    per_span: BTreeMap<(String, String), BTreeMap<String, i64>>,
    /// Leaf -> weight of samples linked to no span, first sample type.
    unlinked: BTreeMap<String, i64>,
    observations: usize,
    linked_observations: usize,
}

fn expected(p: &Plain) -> Expected {
    let mut out = Expected::default();
    for (t, (sample_type, samples)) in p.profiles.iter().enumerate() {
        let mut folded = BTreeMap::new();
        for smp in samples {
            // Root first: stacks are stored leaf first, and a location's lines innermost first.
            let frames: Vec<usize> = p.stacks[smp.stack]
                .iter()
                .rev()
                .flat_map(|&loc| p.locations[loc].iter().rev().copied())
                .collect();
            let name = |f: usize| p.strings[p.functions[f].0].clone();
            let stack: Vec<String> = frames.iter().map(|&f| name(f)).collect();
            let weight: i64 = smp.weights.iter().sum();
            *folded.entry(stack.join(";")).or_default() += weight;
            if t != 0 {
                continue;
            }
            let leaf = stack.last().cloned().unwrap_or_default();
            *out.leaves.entry(leaf.clone()).or_default() += weight;
            let key = |f: usize| (name(f), p.strings[p.functions[f].1].clone());
            let distinct: BTreeSet<_> = frames.iter().map(|&f| key(f)).collect();
            for k in distinct {
                out.functions.entry(k).or_default().1 += weight;
            }
            if let Some(&f) = frames.last() {
                out.functions.entry(key(f)).or_default().0 += weight;
            }
            out.observations += smp.weights.len();
            match p.links.get(smp.link) {
                Some((trace, span)) if !span.is_empty() && span.bytes().any(|b| b != b'0') => {
                    out.linked_observations += smp.weights.len();
                    let spans = out
                        .per_span
                        .entry((trace.clone(), span.clone()))
                        .or_default();
                    *spans.entry(leaf).or_default() += weight;
                }
                _ => *out.unlinked.entry(leaf).or_default() += weight,
            }
        }
        out.folded.push((sample_type.clone(), folded));
    }
    out
}

/// A golden folded file: `# sample type` headers (optional for one type), then lines.
fn parse_golden(text: &str, first_type: &str) -> Vec<(String, BTreeMap<String, i64>)> {
    let mut out: Vec<(String, BTreeMap<String, i64>)> = Vec::new();
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("# ") {
            out.push((t.to_owned(), BTreeMap::new()));
            continue;
        }
        if out.is_empty() {
            out.push((first_type.to_owned(), BTreeMap::new()));
        }
        let (stack, v) = line.rsplit_once(' ').unwrap();
        out.last_mut()
            .unwrap()
            .1
            .insert(stack.to_owned(), v.parse().unwrap());
    }
    out
}

/// The fixture README with its line wrapping undone.
fn readme() -> String {
    let text = String::from_utf8(fixture("otlp/README.md")).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "`a` 128, `b` 44" or "a = 10, b = 3" after `after` in the README, up to the end of the
/// clause.
fn readme_leaves(after: &str) -> BTreeMap<String, i64> {
    let text = readme();
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("README lacks {after:?}"))
        + after.len();
    let rest = &text[start..];
    let end = rest.find(['.', ';', ')', '|', '\n']).unwrap();
    rest[..end]
        .split(',')
        .map(|part| {
            let mut words = part.split_whitespace();
            let name = words.next().unwrap().trim_matches('`').to_owned();
            let n = words.find_map(|w| w.parse().ok()).unwrap();
            (name, n)
        })
        .collect()
}

#[test]
fn python_run_golden_and_readme_agree_with_an_independent_walk() {
    let from_binary = expected(&from_proto(&fixture(&format!("{PY}/profiles.v1_10.binpb"))));
    let from_text = expected(&from_json(&fixture(&format!("{PY}/profiles.json"))));
    assert_eq!(
        from_binary, from_text,
        "the binary and the JSON fixture fold alike"
    );
    let e = from_binary;

    // The golden file is exactly this folding.
    let golden = String::from_utf8(fixture(&format!("{PY}/profiles.folded"))).unwrap();
    assert_eq!(parse_golden(&golden, "samples/count"), e.folded);

    // The README's numbers.
    assert_eq!(e.leaves, readme_leaves("Leaf (self) totals: "));
    let summary = readme();
    assert!(
        summary.contains(&format!("**{}** observations", e.observations))
            && summary.contains(&format!(
                "**{}** of them linked to {} distinct",
                e.linked_observations,
                e.per_span.len()
            )),
        "README: {} observations, {} linked to {} spans",
        e.observations,
        e.linked_observations,
        e.per_span.len()
    );
    assert_eq!((e.observations, e.linked_observations), (187, 174));
    let table: BTreeMap<(String, String), BTreeMap<String, i64>> = SPAN_ONLY
        .iter()
        .map(|&(trace, span, leaf, n)| {
            (
                (trace.to_owned(), span.to_owned()),
                BTreeMap::from([(leaf.to_owned(), n as i64)]),
            )
        })
        .collect();
    let walked: BTreeMap<(String, String), BTreeMap<String, i64>> = e
        .per_span
        .iter()
        .map(|((trace, span), leaves)| ((trace[..8].to_owned(), span.clone()), leaves.clone()))
        .collect();
    assert_eq!(walked, table);
    assert_eq!(e.unlinked, readme_leaves("| (no known span) | | | "));

    // Spanflame's own answers, from the v1.9 file the producer wrote.
    let set = profiles(&format!("{PY}/profiles.v1_9.binpb"));
    let folded: BTreeMap<String, i64> = set.folded(&Filter::default()).into_iter().collect();
    assert_eq!(folded, e.folded[0].1);
    let stats: BTreeMap<(String, String), (i64, i64)> = set
        .call_tree(&Filter::default())
        .function_stats()
        .into_iter()
        .map(|f| ((f.name, f.file), (f.self_weight, f.total_weight)))
        .collect();
    assert_eq!(stats, e.functions);
    assert_eq!(set.samples.len(), e.observations);
    assert_eq!(set.linked_sample_count(), e.linked_observations);
}

/// "Span and children" of the README: a span's own samples plus those of every span below
/// it, joined through the trace file's parent ids.
#[test]
fn span_and_children_from_the_trace_file() {
    let e = expected(&from_json(&fixture(&format!("{PY}/profiles.json"))));
    let traces: Value = serde_json::from_slice(&fixture(&format!("{PY}/traces.json"))).unwrap();
    let mut parent = BTreeMap::new();
    for rs in traces["resourceSpans"].as_array().unwrap() {
        for ss in rs["scopeSpans"].as_array().unwrap() {
            for sp in ss["spans"].as_array().unwrap() {
                let get = |k: &str| sp.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                parent.insert((get("traceId"), get("spanId")), get("parentSpanId"));
            }
        }
    }
    assert_eq!(parent.len(), 18);
    let own = |key: &(String, String)| e.per_span.get(key).map_or(0, |l| l.values().sum::<i64>());
    let subtree = |root: &(String, String)| -> i64 {
        parent
            .keys()
            .filter(|k| {
                // Walk up from `k`; it counts if it meets `root` in the same trace.
                let mut cur = (*k).clone();
                loop {
                    if &cur == root {
                        return true;
                    }
                    match parent.get(&cur) {
                        Some(p) if !p.is_empty() => cur = (cur.0.clone(), p.clone()),
                        _ => return false,
                    }
                }
            })
            .map(own)
            .sum()
    };
    // "(trace d38ade02, span adec6d49f47ac7bb) = 43" and "(7cd37e81, 1617…) = 41" in the README.
    let text = readme();
    let section = &text[text.find("With \"span and children\"").unwrap()..];
    let section = &section[..section.find("Span durations").unwrap()];
    let mut checked = 0;
    for chunk in section.split('(').skip(1) {
        let (ids, rest) = chunk.split_once(')').unwrap();
        let (trace, span) = ids.trim_start_matches("trace ").split_once(", ").unwrap();
        let span = span.trim_start_matches("span ");
        let want: i64 = rest
            .trim_start_matches(" = ")
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let key = parent
            .keys()
            .find(|(t, s)| t.starts_with(trace) && s == span)
            .unwrap_or_else(|| panic!("span {span} not in traces.json"))
            .clone();
        assert_eq!(own(&key), 0, "{span} has no samples of its own");
        assert_eq!(subtree(&key), want, "span {span} and children");
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn synthetic_golden_and_readme_agree_with_an_independent_walk() {
    let from_binary = expected(&from_proto(&fixture(&format!("{SYN}/profiles.binpb"))));
    let from_text = expected(&from_json(&fixture(&format!("{SYN}/profiles.json"))));
    assert_eq!(from_binary, from_text);
    let e = from_binary;
    let golden = String::from_utf8(fixture(&format!("{SYN}/profiles.folded"))).unwrap();
    assert_eq!(parse_golden(&golden, "samples/count"), e.folded);

    // README: "`samples/count` 6 (`fib` 5, `memcpy` 1 as leaves); `off_cpu/nanoseconds`
    // 5 500 000 (`do_syscall_64`); `alloc_space/bytes` 1 048 576 (`fib`)".
    let totals: Vec<(String, i64)> = e
        .folded
        .iter()
        .map(|(t, lines)| (t.clone(), lines.values().sum()))
        .collect();
    let text = readme();
    for (t, total) in &totals {
        let spaced = total
            .to_string()
            .as_bytes()
            .rchunks(3)
            .rev()
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.contains(&format!("`{t}` {spaced}")),
            "README total of {t}: {spaced}"
        );
    }
    assert_eq!(e.leaves, readme_leaves("`samples/count` 6 ("));

    let set = profiles(&format!("{SYN}/profiles.binpb"));
    for (i, (t, lines)) in e.folded.iter().enumerate() {
        assert_eq!(set.sample_types[i].to_string(), *t);
        let f = Filter {
            sample_type: spanflame_core::model::SampleTypeId::from_index(i),
            ..Filter::default()
        };
        let folded: BTreeMap<String, i64> = set.folded(&f).into_iter().collect();
        assert_eq!(&folded, lines, "{t}");
    }
    let stats: BTreeMap<(String, String), (i64, i64)> = set
        .call_tree(&Filter::default())
        .function_stats()
        .into_iter()
        .map(|f| ((f.name, f.file), (f.self_weight, f.total_weight)))
        .collect();
    assert_eq!(stats, e.functions);
}
