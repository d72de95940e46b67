//! The view in the address's hash, so that a reload or a shared link shows the same thing:
//!
//! ```text
//! #profileURL=<url>&traceURL=<url>&baselineURL=<url>&sampleType=1&span=<16 hex>
//!  &trace=<32 hex>&scope=children&compare=same-name
//!  &search=fib&regex=1&zoom=<function>[@<file>],<function>[@<file>],...
//!  &range=<from ns>-<to ns>&attr=<key>=<value>&xattr=<key>=<value>&transforms=<text>
//!  &sandwich=<function>[@<file>]
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
//! Values are URI-encoded (`encodeURIComponent`); in `zoom` each function name and file is
//! encoded on its own, so `,` and `@` in them do not split the path (`sandwich` too). Every key is optional.
//! [`ViewHash::parse`] never fails: what it does not understand it leaves out.

use crate::model::{hex, parse_hex};
use crate::navigate::FunctionKey;

pub use crate::scope::Scope;

/// Everything the hash can hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewHash {
    /// `profileURL`: the profile to fetch.
    pub profile_url: Option<String>,
    /// `traceURL`: the traces to fetch.
    pub trace_url: Option<String>,
    /// `sampleType`: index into the profile's sample types.
    pub sample_type: Option<usize>,
    /// `span`: the span filter's span id.
    pub span: Option<[u8; 8]>,
    /// `trace`: its trace id, when given.
    pub trace: Option<[u8; 16]>,
    /// `scope`: how much around the span (default: with children).
    pub scope: Option<Scope>,
    /// `search`: the search box's text.
    pub search: Option<String>,
    /// `regex=1`: the search is a regular expression.
    pub regex: bool,
    /// `inverted=1`: the graph is the bottom-up tree (functions samples end in at the root).
    pub inverted: bool,
    /// `zoom`: the zoomed frame, as the functions from the root.
    pub zoom: Vec<FunctionKey>,
    /// `range`: the brushed time range `[from, to)`, UTC ns (`from < to`).
    pub range: Option<(u64, u64)>,
    /// `attr` / `xattr`: attribute conditions in order, `(key, value, exclude)`.
    pub attrs: Vec<(String, String, bool)>,
    /// `transforms`: the stack transforms, as [`crate::Transforms::to_hash_string`] writes
    /// them (not decoded here: their names are encoded one by one).
    pub transforms: String,
    /// `baselineURL`: a profile to fetch as the diff's baseline (the loaded one is the
    /// comparison).
    pub baseline_url: Option<String>,
    /// `compare=same-name`: the diff's baseline is the other spans with the span's name.
    pub same_name: bool,
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
                "span" => out.span = parse_hex::<8>(&value),
                "trace" => out.trace = parse_hex::<16>(&value),
                "scope" => out.scope = Scope::parse(&value),
                "search" => out.search = text(),
                "regex" => out.regex = matches!(value.as_str(), "1" | "true"),
                "inverted" => out.inverted = matches!(value.as_str(), "1" | "true"),
                "range" => out.range = parse_range(&value),
                "attr" | "xattr" => {
                    if let Some((k, v)) = value.split_once('=')
                        && !k.is_empty()
                    {
                        out.attrs.push((k.to_owned(), v.to_owned(), key == "xattr"));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The hash for this view, without `#`; empty when there is nothing to say.
    pub fn format(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut push = |key: &str, value: &str| {
            parts.push(format!("{key}={}", percent_encode(value)));
        };
        if let Some(url) = &self.profile_url {
            push("profileURL", url);
        }
        if let Some(url) = &self.trace_url {
            push("traceURL", url);
        }
        if let Some(url) = &self.baseline_url {
            push("baselineURL", url);
        }
        if let Some(index) = self.sample_type {
            push("sampleType", &index.to_string());
        }
        if let Some(span) = &self.span {
            push("span", &hex(span));
            if let Some(trace) = &self.trace {
                push("trace", &hex(trace));
            }
            push("scope", self.scope.unwrap_or(Scope::WithChildren).name());
            // Only a span has others of its name.
            if self.same_name {
                push("compare", "same-name");
            }
        }
        if let Some(search) = self.search.as_deref().filter(|s| !s.is_empty()) {
            push("search", search);
            if self.regex {
                push("regex", "1");
            }
        }
        if self.inverted {
            push("inverted", "1");
        }
        if !self.zoom.is_empty() {
            let path: Vec<String> = self.zoom.iter().map(format_key).collect();
            parts.push(format!("zoom={}", path.join(",")));
        }
        if let Some((from, to)) = self.range.filter(|(f, t)| f < t) {
            parts.push(format!("range={from}-{to}"));
        }
        for (key, value, exclude) in &self.attrs {
            let name = if *exclude { "xattr" } else { "attr" };
            parts.push(format!(
                "{name}={}",
                percent_encode(&format!("{key}={value}"))
            ));
        }
        if !self.transforms.is_empty() {
            parts.push(format!("transforms={}", self.transforms));
        }
        if let Some(key) = self.sandwich.as_ref().filter(|(name, _)| !name.is_empty()) {
            parts.push(format!("sandwich={}", format_key(key)));
        }
        parts.join("&")
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
        assert_eq!(h.span.map(|s| hex(&s)).as_deref(), Some("adec6d49f47ac7bb"));
        assert_eq!(h.scope, Some(Scope::WithChildren));
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
            span: Some([1, 2, 3, 4, 5, 6, 7, 8]),
            trace: Some([0xab; 16]),
            scope: Some(Scope::TimeWindow),
            search: Some("a&b=c, d#%".into()),
            regex: true,
            inverted: true,
            zoom: vec![
                ("weird,name@x".into(), "/src/a@b,c.py".into()),
                ("plain".into(), String::new()),
                ("ünïcode <script>".into(), "".into()),
            ],
            range: Some((1_700_000_000_000_000_000, 1_700_000_000_500_000_000)),
            attrs: vec![
                ("thread.name".into(), "Main Thread=1&x".into(), false),
                ("process.pid".into(), "42".into(), true),
            ],
            transforms: "mf:wait@threading.py;ff:a%26b@x.py".into(),
            baseline_url: Some("before/a&b.binpb".into()),
            same_name: true,
            sandwich: Some(("a,b@c&d=e".into(), "/src/x@y,z.py".into())),
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
            scope: Some(Scope::Only),
            same_name: true,
            regex: true,
            ..ViewHash::default()
        };
        assert_eq!(h.format(), "");
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
