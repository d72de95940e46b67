//! The view in the address's hash, so that a reload or a shared link shows the same thing:
//!
//! ```text
//! #profileURL=<url>&traceURL=<url>&baselineURL=<url>&sampleType=1&span=<16 hex>
//!  &trace=<32 hex>&scope=children&compare=same-name
//!  &search=fib&regex=1&zoom=<function>[@<file>],<function>[@<file>],...
//!  &range=<from ns>-<to ns>&attr=<key>=<value>&xattr=<key>=<value>&transforms=<text>
//!  &sandwich=<function>[@<file>]
//!  &baseSpan=<16 hex>&baseTrace=<32 hex>&baseScope=only&baseRange=<from ns>-<to ns>
//!  &baseAttr=<key>=<value>&baseXattr=<key>=<value>
//! ```
//!
//! `range` is the timeline's brushed time range `[from, to)` in absolute UTC ns. `attr` and
//! `xattr` (repeatable) keep or drop the samples with an attribute value; each is
//! `key=value` URI-encoded as a whole, split at its first `=`. `transforms` is
//! [`crate::Transforms::to_hash_string`]'s text, which is hash-safe as it is (kept raw).
//! `sandwich` is the function whose callers and callees are shown instead of the graph.
//! `baselineURL` is a profile fetched as the diff's baseline; `compare=same-name` compares
//! the span with the other spans of its name (written only with a `span`).
//!
//! `span`, `trace`, `scope`, `range`, `attr` and `xattr` are the view's [`Selection`]; the
//! same keys with `base` before them (`baseSpan`, `baseTrace`, `baseScope`, `baseRange`,
//! `baseAttr`, `baseXattr`, read and written by the same code) are a selection of the same
//! loaded data pinned as the diff's baseline ("Set as baseline"): span against span, range
//! against range, attributes against attributes, or any mix.
//!
//! Values are URI-encoded (`encodeURIComponent`); in `zoom` each function name and file is
//! encoded on its own, so `,` and `@` in them do not split the path (`sandwich` too). Every key is optional.
//! [`ViewHash::parse`] never fails: what it does not understand it leaves out.

use crate::model::{hex, parse_hex};
use crate::navigate::FunctionKey;

pub use crate::scope::Scope;
pub use crate::selection::Selection;

/// Everything the hash can hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewHash {
    /// `profileURL`: the profile to fetch.
    pub profile_url: Option<String>,
    /// `traceURL`: the traces to fetch.
    pub trace_url: Option<String>,
    /// `sampleType`: index into the profile's sample types.
    pub sample_type: Option<usize>,
    /// `span`, `trace`, `scope`, `range`, `attr` and `xattr`: the view's span filter (its
    /// span id, its trace id when given, how much around it), brushed time range and
    /// attribute conditions.
    pub selection: Selection,
    /// `search`: the search box's text.
    pub search: Option<String>,
    /// `regex=1`: the search is a regular expression.
    pub regex: bool,
    /// `inverted=1`: the graph is the bottom-up tree (functions samples end in at the root).
    pub inverted: bool,
    /// `zoom`: the zoomed frame, as the functions from the root.
    pub zoom: Vec<FunctionKey>,
    /// `transforms`: the stack transforms, as [`crate::Transforms::to_hash_string`] writes
    /// them (not decoded here: their names are encoded one by one).
    pub transforms: String,
    /// `baselineURL`: a profile to fetch as the diff's baseline (the loaded one is the
    /// comparison).
    pub baseline_url: Option<String>,
    /// `compare=same-name`: the diff's baseline is the other spans with the span's name.
    pub same_name: bool,
    /// `baseSpan`, `baseTrace`, `baseScope`, `baseRange`, `baseAttr` and `baseXattr`: a
    /// selection of the loaded data pinned as the diff's baseline ("Set as baseline"), the
    /// same keys as the view's with `base` before them; empty: none.
    pub baseline: Selection,
    /// `sandwich`: the function whose callers and callees are shown.
    pub sandwich: Option<FunctionKey>,
}

impl ViewHash {
    /// Read a hash, with or without its `#`.
    pub fn parse(hash: &str) -> ViewHash {
        let mut out = ViewHash::default();
        for pair in hash.trim_start_matches('#').split('&') {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            if key == "zoom" {
                out.zoom = parse_zoom(raw);
                continue;
            }
            if key == "transforms" {
                out.transforms = raw.to_owned();
                continue;
            }
            if key == "sandwich" {
                out.sandwich = parse_zoom(raw).pop().filter(|(name, _)| !name.is_empty());
                continue;
            }
            let value = percent_decode(raw, false);
            let text = || (!value.is_empty()).then(|| value.clone());
            match key {
                "profileURL" => out.profile_url = text(),
                "traceURL" => out.trace_url = text(),
                "baselineURL" => out.baseline_url = text(),
                "compare" => out.same_name = value == "same-name",
                "sampleType" => out.sample_type = value.parse().ok(),
                "search" => out.search = text(),
                "regex" => out.regex = matches!(value.as_str(), "1" | "true"),
                "inverted" => out.inverted = matches!(value.as_str(), "1" | "true"),
                _ => {
                    if !read_selection(&mut out.selection, &VIEW_KEYS, key, &value) {
                        read_selection(&mut out.baseline, &BASELINE_KEYS, key, &value);
                    }
                }
            }
        }
        out
    }

    /// The hash for this view, without `#`; empty when there is nothing to say.
    pub fn format(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        fn push(parts: &mut Vec<String>, key: &str, value: &str) {
            parts.push(format!("{key}={}", percent_encode(value)));
        }
        if let Some(url) = &self.profile_url {
            push(&mut parts, "profileURL", url);
        }
        if let Some(url) = &self.trace_url {
            push(&mut parts, "traceURL", url);
        }
        if let Some(url) = &self.baseline_url {
            push(&mut parts, "baselineURL", url);
        }
        if let Some(index) = self.sample_type {
            push(&mut parts, "sampleType", &index.to_string());
        }
        write_span(&mut parts, &self.selection, &VIEW_KEYS);
        // Only a span has others of its name.
        if self.same_name && self.selection.span.is_some() {
            parts.push("compare=same-name".to_owned());
        }
        if let Some(search) = self.search.as_deref().filter(|s| !s.is_empty()) {
            push(&mut parts, "search", search);
            if self.regex {
                push(&mut parts, "regex", "1");
            }
        }
        if self.inverted {
            push(&mut parts, "inverted", "1");
        }
        if !self.zoom.is_empty() {
            let path: Vec<String> = self.zoom.iter().map(format_key).collect();
            parts.push(format!("zoom={}", path.join(",")));
        }
        write_range_attrs(&mut parts, &self.selection, &VIEW_KEYS);
        if !self.transforms.is_empty() {
            parts.push(format!("transforms={}", self.transforms));
        }
        if let Some(key) = self.sandwich.as_ref().filter(|(name, _)| !name.is_empty()) {
            parts.push(format!("sandwich={}", format_key(key)));
        }
        write_span(&mut parts, &self.baseline, &BASELINE_KEYS);
        write_range_attrs(&mut parts, &self.baseline, &BASELINE_KEYS);
        parts.join("&")
    }
}

/// The names of a [`Selection`]'s keys: the view's, or the pinned baseline's.
struct SelectionKeys {
    span: &'static str,
    trace: &'static str,
    scope: &'static str,
    range: &'static str,
    attr: &'static str,
    xattr: &'static str,
}

const VIEW_KEYS: SelectionKeys = SelectionKeys {
    span: "span",
    trace: "trace",
    scope: "scope",
    range: "range",
    attr: "attr",
    xattr: "xattr",
};

const BASELINE_KEYS: SelectionKeys = SelectionKeys {
    span: "baseSpan",
    trace: "baseTrace",
    scope: "baseScope",
    range: "baseRange",
    attr: "baseAttr",
    xattr: "baseXattr",
};

/// Read `key=value` into `into` if `key` is one of `names`; whether it was.
fn read_selection(into: &mut Selection, names: &SelectionKeys, key: &str, value: &str) -> bool {
    if key == names.span {
        into.span = parse_hex::<8>(value);
    } else if key == names.trace {
        into.trace = parse_hex::<16>(value);
    } else if key == names.scope {
        into.scope = Scope::parse(value);
    } else if key == names.range {
        into.range = parse_range(value);
    } else if key == names.attr || key == names.xattr {
        if let Some((k, v)) = value.split_once('=')
            && !k.is_empty()
        {
            into.attrs
                .push((k.to_owned(), v.to_owned(), key == names.xattr));
        }
    } else {
        return false;
    }
    true
}

/// The span of `sel` (its trace id and scope only with it).
fn write_span(parts: &mut Vec<String>, sel: &Selection, names: &SelectionKeys) {
    if let Some(span) = &sel.span {
        parts.push(format!("{}={}", names.span, hex(span)));
        if let Some(trace) = &sel.trace {
            parts.push(format!("{}={}", names.trace, hex(trace)));
        }
        parts.push(format!("{}={}", names.scope, sel.scope().name()));
    }
}

/// The range and attribute conditions of `sel`.
fn write_range_attrs(parts: &mut Vec<String>, sel: &Selection, names: &SelectionKeys) {
    if let Some((from, to)) = sel.range.filter(|(f, t)| f < t) {
        parts.push(format!("{}={from}-{to}", names.range));
    }
    for (key, value, exclude) in &sel.attrs {
        let name = if *exclude { names.xattr } else { names.attr };
        parts.push(format!(
            "{name}={}",
            percent_encode(&format!("{key}={value}"))
        ));
    }
}

fn parse_range(value: &str) -> Option<(u64, u64)> {
    let (from, to) = value.split_once('-')?;
    let (from, to) = (from.parse().ok()?, to.parse().ok()?);
    (from < to).then_some((from, to))
}

/// `name` or `name@file`, each part URI-encoded.
fn format_key((name, file): &FunctionKey) -> String {
    if file.is_empty() {
        percent_encode(name)
    } else {
        format!("{}@{}", percent_encode(name), percent_encode(file))
    }
}

fn parse_zoom(raw: &str) -> Vec<FunctionKey> {
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(',')
        .map(|entry| {
            let (name, file) = entry.split_once('@').unwrap_or((entry, ""));
            (percent_decode(name, false), percent_decode(file, false))
        })
        .collect()
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as UTF-8 `%XX`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undo `%XX` escapes (and `+` as a space when `plus_is_space`, as in query strings). A `%`
/// not followed by two hex digits stays as typed; bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `key=value` pairs of a query string or hash (without `?`/`#`), decoded.
pub fn query_pairs(text: &str, plus_is_space: bool) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(k, plus_is_space),
                percent_decode(v, plus_is_space),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        let h = ViewHash::parse(
            "#profileURL=profiles%2Fcheckout.binpb&traceURL=traces.json&sampleType=1&span=adec6d49f47ac7bb&scope=children&search=fib&zoom=%3Cmodule%3E@app.py,handle_request@app.py",
        );
        assert_eq!(h.profile_url.as_deref(), Some("profiles/checkout.binpb"));
        assert_eq!(h.trace_url.as_deref(), Some("traces.json"));
        assert_eq!(h.sample_type, Some(1));
        assert_eq!(
            h.selection.span.map(|s| hex(&s)).as_deref(),
            Some("adec6d49f47ac7bb")
        );
        assert_eq!(h.selection.scope, Some(Scope::WithChildren));
        assert_eq!(h.search.as_deref(), Some("fib"));
        assert!(!h.regex);
        assert_eq!(
            h.zoom,
            [
                ("<module>".to_owned(), "app.py".to_owned()),
                ("handle_request".to_owned(), "app.py".to_owned())
            ]
        );
    }

    #[test]
    fn format_and_parse_round_trip() {
        let h = ViewHash {
            profile_url: Some("https://example.com/a b.binpb?x=1&y=2#z".into()),
            trace_url: None,
            sample_type: Some(2),
            selection: Selection {
                span: Some([1, 2, 3, 4, 5, 6, 7, 8]),
                trace: Some([0xab; 16]),
                scope: Some(Scope::TimeWindow),
                range: Some((1_700_000_000_000_000_000, 1_700_000_000_500_000_000)),
                attrs: vec![
                    ("thread.name".into(), "Main Thread=1&x".into(), false),
                    ("process.pid".into(), "42".into(), true),
                ],
            },
            search: Some("a&b=c, d#%".into()),
            regex: true,
            inverted: true,
            zoom: vec![
                ("weird,name@x".into(), "/src/a@b,c.py".into()),
                ("plain".into(), String::new()),
                ("ünïcode <script>".into(), "".into()),
            ],
            transforms: "mf:wait@threading.py;ff:a%26b@x.py".into(),
            baseline_url: Some("before/a&b.binpb".into()),
            same_name: true,
            sandwich: Some(("a,b@c&d=e".into(), "/src/x@y,z.py".into())),
            baseline: Selection {
                span: Some([9; 8]),
                trace: Some([0xcd; 16]),
                scope: Some(Scope::Only),
                range: Some((5, 6)),
                attrs: vec![("a".into(), "b=c&d é".into(), true)],
            },
        };
        let text = h.format();
        assert!(!text.contains(' ') && !text.contains('#'), "{text}");
        assert_eq!(ViewHash::parse(&text), h);
        assert_eq!(ViewHash::parse(&format!("#{text}")), h);
        assert_eq!(ViewHash::default().format(), "");
        assert_eq!(ViewHash::parse(""), ViewHash::default());
        // A function without a file.
        let h = ViewHash {
            sandwich: Some(("hash_loop".into(), String::new())),
            ..ViewHash::default()
        };
        assert_eq!(h.format(), "sandwich=hash_loop");
        assert_eq!(ViewHash::parse("#sandwich=hash_loop"), h);
    }

    #[test]
    fn junk_is_left_out() {
        let h = ViewHash::parse(
            "#span=nothex&sampleType=-1&scope=all&profileURL=&foo=bar&&=x&range=5-5&range=x-1&sandwich=&sandwich=@f.py",
        );
        assert_eq!(h, ViewHash::default());
        // A stray % is kept as typed.
        assert_eq!(
            ViewHash::parse("#traceURL=50%").trace_url.as_deref(),
            Some("50%")
        );
        // Scope (or a same-name compare) without span is not written.
        let h = ViewHash {
            selection: Selection {
                scope: Some(Scope::Only),
                ..Selection::default()
            },
            baseline: Selection {
                trace: Some([1; 16]),
                scope: Some(Scope::Trace),
                range: Some((9, 3)),
                ..Selection::default()
            },
            same_name: true,
            regex: true,
            ..ViewHash::default()
        };
        assert_eq!(h.format(), "");
    }

    #[test]
    fn a_pinned_baseline_round_trips_beside_the_view() {
        // Span against span: the view's span and the baseline's, each with its scope.
        let text = "span=00000000000000aa&scope=children&baseSpan=00000000000000bb&baseScope=only";
        let h = ViewHash::parse(text);
        assert_eq!(h.selection.span, Some([0, 0, 0, 0, 0, 0, 0, 0xaa]));
        assert_eq!(h.baseline.span, Some([0, 0, 0, 0, 0, 0, 0, 0xbb]));
        assert_eq!(h.baseline.scope, Some(Scope::Only));
        assert_eq!(h.baseline.range, None);
        assert_eq!(h.format(), text);
        // Range against range, and attributes against attributes.
        let text = "range=10-20&attr=thread.name%3Dworker-2&baseRange=1-5&baseAttr=thread.name%3Dworker-1&baseXattr=pid%3D7";
        let h = ViewHash::parse(text);
        assert_eq!(h.selection.range, Some((10, 20)));
        assert_eq!(h.baseline.range, Some((1, 5)));
        assert_eq!(
            h.baseline.attrs,
            [
                ("thread.name".to_owned(), "worker-1".to_owned(), false),
                ("pid".to_owned(), "7".to_owned(), true)
            ]
        );
        assert_eq!(h.format(), text);
        // A baseline alone (the view selecting everything) is written too.
        let h = ViewHash {
            baseline: Selection {
                range: Some((1, 2)),
                ..Selection::default()
            },
            ..ViewHash::default()
        };
        assert_eq!(h.format(), "baseRange=1-2");
        assert_eq!(ViewHash::parse("#baseRange=1-2"), h);
    }

    #[test]
    fn junk_baseline_keys_are_left_out() {
        let h = ViewHash::parse(
            "#baseSpan=xyz&baseSpan=00aa&baseTrace=12&baseScope=everything&baseRange=9-3&baseRange=-&baseRange=a-b&baseAttr=novalue&baseAttr=%3Dv&baseXattr=&basespan=00000000000000aa&baseFoo=1",
        );
        assert_eq!(h, ViewHash::default());
        // A baseline trace or scope without its span is not written.
        let h = ViewHash {
            baseline: Selection {
                trace: Some([1; 16]),
                scope: Some(Scope::Only),
                ..Selection::default()
            },
            ..ViewHash::default()
        };
        assert_eq!(h.format(), "");
        // Keys of one side never leak into the other.
        let h = ViewHash::parse("#baseRange=1-2&range=3-4");
        assert_eq!(h.selection.range, Some((3, 4)));
        assert_eq!(h.baseline.range, Some((1, 2)));
    }

    #[test]
    fn percent_coding_matches_encode_uri_component() {
        assert_eq!(percent_encode("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(percent_encode("-_.!~*'()"), "-_.!~*'()");
        assert_eq!(percent_decode("a%20b%2Fc%3Fd%3D%C3%A9", false), "a b/c?d=é");
        assert_eq!(percent_decode("a+b", true), "a b");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
        assert_eq!(
            query_pairs("embed&origin=http%3A%2F%2Fx", true),
            [
                ("embed".to_owned(), String::new()),
                ("origin".to_owned(), "http://x".to_owned())
            ]
        );
    }
}
