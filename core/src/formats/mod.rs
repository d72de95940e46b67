//! Format detection and the single entry point, [`load`] (or [`load_with`]).
//!
//! Detection is by content, never by file name. gzip is undone first, by its magic bytes;
//! then the importers of [`IMPORTERS`] are asked in order, and the first whose `sniff` says
//! [`Detect::Yes`] parses the file. JSON (the first non-space byte is `{`) is offered only
//! to importers marked `json`, anything else only to the others, so that no binary sniff
//! ever has to rule JSON out. Every set an importer returns is checked by
//! [`ProfileSet::validate`] or [`TraceSet::validate`] before it is handed out.
//!
//! ## Adding a format
//!
//! 1. Add a [`Format`] variant (and its `name`, and its code in `transfer::FORMATS`).
//! 2. Write a module here, `formats/<name>.rs`, with the two functions every importer has:
//!    `pub fn sniff(bytes: &[u8]) -> Detect`, which is cheap (one scan at most, no decoding),
//!    never fails, and says [`Detect::NeedMore`] when the bytes are too short to tell; and
//!    `pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded>`, which feeds a
//!    [`crate::builder::Builder`] (profiles) or builds a [`TraceSet`] (traces), checks every
//!    size against `options.limits`, and never panics on bad input. Its errors name its
//!    `Format` and where ([`At`]); what it can step over becomes a diagnostic.
//! 3. Add an [`Importer`] to [`IMPORTERS`]. Order matters: the first `Yes` wins, so put a
//!    format before any looser one that could also claim its files.
//! 4. Add a small real fixture under `core/tests/fixtures/<name>/` with a README (producer,
//!    version, command, and totals read by an independent tool), and tests against it; add
//!    it to the `sniff` table test in this module, which checks that every importer claims
//!    its own fixtures and no one else's.
//! 5. Add a fuzz target aimed at `parse` (`fuzz/fuzz_targets/`, and its `[[bin]]` in
//!    `fuzz/Cargo.toml`); the `load` target covers detection already.

pub mod chrome;
pub mod folded;
pub mod jfr;
pub mod jsonx;
pub mod otlp;
pub mod otlp_json;
pub mod otlp_length_prefixed;
pub mod otlp_profiles_binary;
pub mod otlp_traces_binary;
pub mod perf_data;
pub mod perf_script;
pub mod pprof;
pub mod pstats;
pub mod speedscope;
pub mod wire;

use std::io::Read;

use crate::error::{At, Error, Format, Result};
use crate::limits::Limits;
use crate::model::ProfileSet;
use crate::trace::TraceSet;
/// What a file held.
#[derive(Debug, Clone)]
// Boxing would only move one allocation around: a Loaded is made once per file.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    /// Profiles.
    Profiles(ProfileSet),
    /// Traces.
    Traces(TraceSet),
}

/// Whether a file of `len` bytes may be read at all: no more than
/// [`Limits::max_decompressed_bytes`]. A caller that must copy the bytes before [`load`]
/// (the browser app's decode worker) asks first, so that a huge file is refused without
/// the copy.
pub fn check_input_size(len: u64, limits: &Limits) -> Result<()> {
    let max = limits.max_decompressed_bytes;
    if len > max {
        return Err(Error::limit(
            Format::Unknown,
            At::Input,
            format!("the file is {len} bytes, over the limit of {max}"),
        ));
    }
    Ok(())
}

/// What a `sniff` can tell from the bytes it is shown (a whole file, or its start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detect {
    /// The bytes are this format (as far as a sniff can tell; `parse` may still fail).
    Yes,
    /// The bytes are not this format, whatever follows them.
    No,
    /// The bytes are too short to tell: read as the start of a file they fit the format,
    /// and more of it could decide. [`load`] always has the whole file, so there this
    /// counts as [`Detect::No`].
    NeedMore,
}

/// How to read a file. New options will come as fields with defaults, so the struct is
/// `#[non_exhaustive]`: make one with [`Options::new`] or [`Options::default`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Bounds on everything the input controls. Default [`Limits::default`]: 2 GiB after
    /// decompression, 100 million sample observations, 20 million entries in any one
    /// table, stacks of 4096 frames.
    pub limits: Limits,
}

impl Options {
    /// Options with these limits, everything else at its default.
    pub fn new(limits: Limits) -> Self {
        Options { limits }
    }
}

/// One importer: a format (or a family of formats read by one parser) [`load`] can read.
#[derive(Debug, Clone, Copy)]
pub struct Importer {
    /// What it reads, for a person: listed in the error for a file nothing reads.
    pub name: &'static str,
    /// Whether it reads JSON: it is offered JSON input only, and the others never are.
    pub json: bool,
    /// Whether `bytes` are its format; cheap (one scan at most), never fails.
    pub sniff: fn(&[u8]) -> Detect,
    /// Read the whole (already gunzipped) file.
    pub parse: fn(&[u8], &Options) -> Result<Loaded>,
}

/// Every importer, in the order they are asked; the first to say [`Detect::Yes`] reads the
/// file. The order keeps the tie-breaks: length-prefixed records before one plain message
/// (their first byte, 0, is no valid protobuf tag, so the plain sniffs refuse them anyway);
/// OTLP before pprof (pprof refuses what OTLP claims, but says so itself); `perf.data` by
/// its magic before any protobuf sniff could misread it; `perf script` text before folded
/// stacks, the loosest, which a header-only `perf script -F comm,tid` line would pass for.
pub static IMPORTERS: &[Importer] = &[
    Importer {
        name: "OTLP profiles or traces as JSON or JSON Lines (resourceProfiles, resourceSpans)",
        json: true,
        sniff: otlp_json::sniff,
        parse: otlp_json::parse,
    },
    Importer {
        name: "speedscope JSON ($schema)",
        json: true,
        sniff: speedscope::sniff,
        parse: speedscope::parse_loaded,
    },
    Importer {
        name: "V8 CPU profile, .cpuprofile (nodes, samples)",
        json: true,
        sniff: chrome::sniff_cpuprofile,
        parse: chrome::parse_cpuprofile_loaded,
    },
    Importer {
        name: "Chrome trace events (traceEvents, or an array of events)",
        json: true,
        sniff: chrome::sniff_trace,
        parse: chrome::parse_trace_loaded,
    },
    Importer {
        name: "perf.data (refused: open `perf script` output instead)",
        json: false,
        sniff: perf_data::sniff,
        parse: perf_data::parse,
    },
    Importer {
        name: "OTLP profiles as length-prefixed protobuf (the collector file exporter's proto)",
        json: false,
        sniff: otlp_length_prefixed::sniff,
        parse: otlp_length_prefixed::parse,
    },
    Importer {
        name: "OTLP profiles as protobuf",
        json: false,
        sniff: otlp_profiles_binary::sniff,
        parse: otlp_profiles_binary::parse,
    },
    Importer {
        name: "OTLP traces as protobuf",
        json: false,
        sniff: otlp_traces_binary::sniff,
        parse: otlp_traces_binary::parse,
    },
    Importer {
        name: "Java Flight Recorder (.jfr)",
        json: false,
        sniff: jfr::sniff,
        parse: jfr::parse,
    },
    Importer {
        name: "pprof",
        json: false,
        sniff: pprof::sniff,
        parse: pprof::parse,
    },
    Importer {
        name: "Python cProfile/profile stats (.pstats)",
        json: false,
        sniff: pstats::sniff,
        parse: pstats::parse,
    },
    Importer {
        name: "perf script text",
        json: false,
        sniff: perf_script::sniff,
        parse: perf_script::parse,
    },
    Importer {
        name: "folded stacks",
        json: false,
        sniff: folded::sniff,
        parse: folded::parse,
    },
];

/// Read a profile or trace file in any supported format and encoding.
pub fn load(bytes: &[u8], limits: &Limits) -> Result<Loaded> {
    load_with(bytes, &Options::new(*limits))
}

/// [`load`], with every option.
pub fn load_with(bytes: &[u8], options: &Options) -> Result<Loaded> {
    check_input_size(bytes.len() as u64, &options.limits)?;
    let plain = gunzip_all(bytes, &options.limits)?;
    let gzipped = matches!(plain, std::borrow::Cow::Owned(_));
    let mut loaded = load_plain(plain.as_ref(), options)?;
    match &mut loaded {
        Loaded::Profiles(set) => set.gzipped = gzipped,
        Loaded::Traces(set) => set.gzipped = gzipped,
    }
    Ok(loaded)
}

/// An uncompressed binary OTLP profiles message read a top-level field at a time, so that the
/// whole file is never held beside what is decoded from it (the app's decode worker reads a
/// big file from its Blob this way). The caller has told it is one: a top level of fields 1
/// and 2 only, with a dictionary. Checked as [`load`] checks. The future waits only as long
/// as `message`'s reads do.
pub async fn load_otlp_profiles_from(
    message: &mut impl otlp::TopLevel,
    limits: &Limits,
) -> Result<Loaded> {
    let loaded = otlp_profiles_binary::parse_from(message, &Options::new(*limits)).await?;
    if let Loaded::Profiles(set) = &loaded {
        set.validate()?;
    }
    Ok(loaded)
}

fn load_plain(bytes: &[u8], options: &Options) -> Result<Loaded> {
    if bytes.is_empty() {
        return Err(Error::unrecognized("the file is empty"));
    }
    let json = looks_like_json(bytes);
    let importer = IMPORTERS
        .iter()
        .filter(|i| i.json == json)
        // The whole file is here: a sniff that wants more bytes than there are says no.
        .find(|i| (i.sniff)(bytes) == Detect::Yes)
        .ok_or_else(|| unrecognized(bytes, json))?;
    let loaded = (importer.parse)(bytes, options)?;
    // An importer's bug must not become a panic in a filter later; one pass over the ids.
    match &loaded {
        Loaded::Profiles(set) => set.validate()?,
        Loaded::Traces(set) => set.validate()?,
    }
    Ok(loaded)
}

/// Whether `bytes` are to be read as JSON: their first non-space byte is `{`, or `[` with
/// trace events inside (folded stacks may start with `[unknown]`, so `[` alone is not enough).
fn looks_like_json(bytes: &[u8]) -> bool {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => true,
        Some(b'[') => jsonx::sniff(bytes).0 == Some(jsonx::JsonShape::TraceEvents),
        _ => false,
    }
}

/// The error for a file no importer claims: what is read (from [`IMPORTERS`]) and how the
/// file starts.
fn unrecognized(bytes: &[u8], json: bool) -> Error {
    let read: Vec<&str> = IMPORTERS
        .iter()
        .filter(|i| i.json == json || !json)
        .map(|i| i.name)
        .collect();
    let start = crate::model::hex(&bytes[..bytes.len().min(8)]);
    let (lead, tail) = if json {
        ("JSON, but not a format Spanflame reads", "")
    } else {
        ("not a format Spanflame reads", "; any of them gzipped")
    };
    Error::unrecognized(format!(
        "{lead} ({}{tail}); it starts with bytes {start}",
        read.join(", ")
    ))
}

/// The head a text format's `sniff` judges: the first MiB (deep stacks make long lines),
/// as the head and its valid UTF-8 prefix (a cut inside a UTF-8 sequence is fine), or
/// `None` when it is not text: invalid UTF-8, or control characters other than line breaks
/// and tabs.
pub(crate) fn text_head(bytes: &[u8]) -> Option<(&[u8], &str)> {
    let head = &bytes[..bytes.len().min(1 << 20)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let binary = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    (!binary).then_some((head, text))
}

/// Undo gzip (possibly nested twice, as some pipelines do), never producing more than
/// `limits.max_decompressed_bytes`.
pub fn gunzip_all<'a>(bytes: &'a [u8], limits: &Limits) -> Result<std::borrow::Cow<'a, [u8]>> {
    let mut data = std::borrow::Cow::Borrowed(bytes);
    for _ in 0..3 {
        if !data.starts_with(&[0x1f, 0x8b]) {
            break;
        }
        data = std::borrow::Cow::Owned(gunzip(&data, limits)?);
    }
    Ok(data)
}

fn gunzip(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let cap = limits.max_decompressed_bytes;
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(cap as usize));
    let mut reader = flate2::read::MultiGzDecoder::new(bytes).take(cap.saturating_add(1));
    reader.read_to_end(&mut out).map_err(|e| {
        Error::malformed(
            Format::Gzip,
            At::Byte(out.len() as u64),
            format!("bad gzip data after {} decompressed bytes: {e}", out.len()),
        )
    })?;
    if out.len() as u64 > cap {
        return Err(Error::limit(
            Format::Gzip,
            At::Input,
            format!("decompresses to more than {cap} bytes, the limit"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input fixture, and the importer (by the start of its name) that must claim it.
    /// (`synthetic-v1_10/profiles.folded` is a golden output with `#` headers, no input.)
    const FIXTURES: &[(&str, &str)] = &[
        (
            "otlp/python-ext-0.63b4-file/profiles.json",
            "OTLP profiles or traces as JSON",
        ),
        (
            "otlp/python-ext-0.63b4-file/profiles.otlp.jsonl",
            "OTLP profiles or traces as JSON",
        ),
        (
            "otlp/python-ext-0.63b4-file/traces.json",
            "OTLP profiles or traces as JSON",
        ),
        (
            "otlp/python-ext-0.63b4-file/traces.otlp.jsonl",
            "OTLP profiles or traces as JSON",
        ),
        (
            "otlp/synthetic-v1_10/profiles.json",
            "OTLP profiles or traces as JSON",
        ),
        (
            "otlp/synthetic-v1_10/profiles.otlp.jsonl",
            "OTLP profiles or traces as JSON",
        ),
        (
            "otlp/synthetic-v1_10/traces.json",
            "OTLP profiles or traces as JSON",
        ),
        (
            "pprof-span-labels/traces.json",
            "OTLP profiles or traces as JSON",
        ),
        (
            "otlp/python-ext-0.63b4-file/profiles.v1_10.fileexporter-proto.bin",
            "OTLP profiles as length-prefixed",
        ),
        (
            "otlp/synthetic-v1_10/profiles.fileexporter-proto.bin",
            "OTLP profiles as length-prefixed",
        ),
        (
            "otlp/python-ext-0.63b4-file/profiles.v1_9.binpb",
            "OTLP profiles as protobuf",
        ),
        (
            "otlp/python-ext-0.63b4-file/profiles.v1_10.binpb",
            "OTLP profiles as protobuf",
        ),
        (
            "otlp/python-ext-0.63b4-file/profiles.v1_10.binpb.gz",
            "OTLP profiles as protobuf",
        ),
        (
            "otlp/synthetic-v1_10/profiles.binpb",
            "OTLP profiles as protobuf",
        ),
        (
            "otlp/python-ext-0.63b4-file/traces.binpb",
            "OTLP traces as protobuf",
        ),
        (
            "otlp/synthetic-v1_10/traces.binpb",
            "OTLP traces as protobuf",
        ),
        ("pprof-span-labels/profile.pprof", "pprof"),
        ("jfr/workload.jfr", "Java Flight Recorder (.jfr)"),
        ("cprofile/cprofile.pstats", "Python cProfile"),
        ("cprofile/profile.pstats", "Python cProfile"),
        (
            "otlp/python-ext-0.63b4-file/profiles.folded",
            "folded stacks",
        ),
        ("pprof-span-labels/profile.folded", "folded stacks"),
        ("speedscope/profile.speedscope.json", "speedscope JSON"),
        ("chrome/main.cpuprofile", "V8 CPU profile"),
        ("chrome/worker.cpuprofile", "V8 CPU profile"),
        ("chrome/pyspy.chrometrace.json", "Chrome trace events"),
        ("chrome/node-trace-events.json", "Chrome trace events"),
        ("perf/perf.data", "perf.data"),
        ("perf/fp.perf-script.txt", "perf script text"),
        ("perf/fp.perf-script-fields.txt", "perf script text"),
        ("perf/dwarf.perf-script.txt.gz", "perf script text"),
        ("perf/dwarf.perf-script-fields.txt.gz", "perf script text"),
    ];

    fn fixture(rel: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        // Importers see what the gzip layer leaves.
        gunzip_all(&bytes, &Limits::default()).unwrap().into_owned()
    }

    #[test]
    fn each_importer_claims_its_fixtures_and_no_others() {
        for importer in IMPORTERS {
            let own = FIXTURES
                .iter()
                .filter(|(_, owner)| importer.name.starts_with(owner))
                .count();
            assert!(own > 0, "{}: no fixture", importer.name);
        }
        for (rel, owner) in FIXTURES {
            let bytes = fixture(rel);
            for importer in IMPORTERS {
                let mine = importer.name.starts_with(owner);
                let want = if mine { Detect::Yes } else { Detect::No };
                assert_eq!((importer.sniff)(&bytes), want, "{} on {rel}", importer.name);
            }
            // And `load` reads it without error (its sets validate), or refuses it as a
            // format it recognises but does not read.
            match load(&bytes, &Limits::default()) {
                Err(e) if e.kind == crate::ErrorKind::Unsupported && *owner == "perf.data" => {}
                other => {
                    other.unwrap_or_else(|e| panic!("{rel}: {e}"));
                }
            }
        }
    }

    #[test]
    fn a_prefix_too_short_to_tell_needs_more() {
        let v1_10 = fixture("otlp/python-ext-0.63b4-file/profiles.v1_10.fileexporter-proto.bin");
        // The first record cut in half: its header is whole, its message is not.
        assert_eq!(otlp_length_prefixed::sniff(&v1_10[..40]), Detect::NeedMore);
        let json = fixture("otlp/synthetic-v1_10/traces.json");
        assert_eq!(otlp_json::sniff(&json[..1]), Detect::NeedMore);
        assert_eq!(otlp_json::sniff(b"{\"resourceSp"), Detect::NeedMore);
        let pprof = fixture("pprof-span-labels/profile.pprof");
        assert_eq!(pprof::sniff(&pprof[..pprof.len() / 2]), Detect::NeedMore);
        for importer in IMPORTERS {
            assert_eq!((importer.sniff)(b""), Detect::NeedMore, "{}", importer.name);
        }
        // `load` has the whole file: too short to tell is not a format.
        let e = load(b"{\"resourceSp", &Limits::default()).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Unrecognized);
    }

    #[test]
    fn what_nothing_reads_is_named_with_what_is_read() {
        let e = load(b"this is not a profile\n", &Limits::default()).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Unrecognized);
        assert!(
            e.message.starts_with("not a format Spanflame reads ("),
            "{e}"
        );
        for importer in IMPORTERS {
            assert!(e.message.contains(importer.name), "{e}");
        }
        assert!(
            e.message.ends_with("it starts with bytes 7468697320697320"),
            "{e}"
        );
        // JSON that no JSON importer reads names the JSON formats only.
        let e = load(b" {\"someOtherTool\": []}", &Limits::default()).unwrap_err();
        assert!(
            e.message
                .starts_with("JSON, but not a format Spanflame reads ("),
            "{e}"
        );
        assert!(!e.message.contains("pprof"), "{e}");
        assert!(e.message.contains(IMPORTERS[0].name), "{e}");
    }

    #[test]
    fn options_carry_the_limits() {
        let bytes = fixture("pprof-span-labels/profile.folded");
        let limits = Limits {
            max_samples: 2,
            ..Limits::default()
        };
        let e = load_with(&bytes, &Options::new(limits)).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::LimitExceeded);
        assert!(load_with(&bytes, &Options::default()).is_ok());
    }
}
