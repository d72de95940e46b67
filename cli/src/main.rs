//! `spanflame`: inspect OTLP profiles and print folded stacks from the command line, and the
//! folded stacks of two profiles side by side for a differential flame graph (`diff`) or a
//! flame graph as an SVG file (`svg`).

use std::process::ExitCode;

use spanflame_core::diff::{Diff, diff_folded};
use spanflame_core::export::svg::{SvgOptions, diff_svg, flame_svg};
use spanflame_core::model::{SampleTypeId, parse_hex};
use spanflame_core::scope::{Scope, SpanRef, find_span, select};
use spanflame_core::{
    AttrCondition, Filter, FlameLayout, Limits, Loaded, ProfileSet, SampleType, Side, SpanKey,
    TraceSet, Transformed, Transforms, load,
};

const USAGE: &str = "\
usage:
  spanflame info FILE [FILTER...]
  spanflame fold FILE [--trace TRACEFILE] [--span HEX] [--span-scope only|children|trace|time]
                      [--same-name] [--sample-type NAME] [FILTER...]
  spanflame svg FILE [--trace TRACEFILE] [--span HEX] [--span-scope only|children|trace|time]
                     [--sample-type NAME] [FILTER...] [--width PX] [--inverted] [--dark]
                     [--baseline BASEFILE]
  spanflame diff A B [--normalize] [--sample-type NAME] [FILTER...]
  FILTER: --from TIME --to TIME --attr KEY=VALUE --exclude-attr KEY=VALUE --transform TEXT
  spanflame gen --size S|M|L [--seed N] --out DIR

FILE is a profile: OTLP (protobuf, JSON, JSON Lines, length-prefixed), pprof, JFR,
cProfile/profile .pstats, perf script text, speedscope JSON, V8 .cpuprofile, Chrome trace
events or folded stacks, gzipped or not (the content decides, not the name); TRACEFILE is
OTLP traces (protobuf, JSON, JSON Lines).
fold prints one `root;...;leaf value` line per distinct stack, sorted, as flamegraph.pl
and inferno read them; with --same-name, of the other spans with --span's name and service
(the app's 'Compare with other <name> spans' baseline; needs --trace). TIME is UNIX
nanoseconds, or relative to the first sample with a unit (`1.5s`, `200ms`, `30us`, `10ns`). --transform takes the text form of a transform stack
(`mf:NAME@FILE;ff:NAME`, see spanflame_core::transform); --attr, --exclude-attr and
--transform repeat. info with a FILTER adds what the filter keeps.
diff prints one `root;...;leaf before after` line per stack of either file, sorted, as
flamegraph.pl's difffolded.pl does (A is before, B after; 0 where a file lacks the stack);
--normalize scales A's counts so their total is B's (difffolded.pl -n). --sample-type and
FILTER apply to each file, a relative TIME from that file's first sample.
svg writes the flame graph of what fold would print as an SVG to stdout, root row on top,
1200 px wide unless --width, a <title> tooltip on each frame; --inverted draws the bottom-up
tree (the functions samples end in on the top row, their callers below), --dark the dark
theme; --baseline draws FILE as a differential flame graph against BASEFILE (the app's
'Compare with…'): frames red where their share of the total grew, blue where it shrank,
--sample-type, --attr, --exclude-attr and --transform applied to both files.";

/// `println!` that ends the program quietly when the reader has gone (`spanflame fold | head`),
/// instead of panicking on the closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        emit(format_args!($($arg)*))?
    };
}

fn emit(line: std::fmt::Arguments<'_>) -> Result<(), String> {
    use std::io::Write as _;
    written(writeln!(std::io::stdout().lock(), "{line}"))
}

/// Write `text` to stdout as it is (no newline added), as [`emit`] does.
fn emit_raw(text: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// The outcome of writing to stdout: a closed pipe ends the program quietly.
fn written(result: std::io::Result<()>) -> Result<(), String> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(format!("writing the output: {e}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("spanflame: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("info") => {
            let mut options = FilterArgs::default();
            let files = parse_args("info", &args[1..], &["FILE"], |arg, rest| {
                options.take(arg, rest)
            })?;
            info(&files[0], &options)
        }
        Some("fold") => fold(&args[1..]),
        Some("diff") => diff(&args[1..]),
        Some("svg") => svg(&args[1..]),
        Some("gen") => gen_synthetic(&args[1..]),
        Some("-h" | "--help" | "help") => {
            out!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}

fn read(path: &str) -> Result<Loaded, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    load(&bytes, &Limits::default()).map_err(|e| format!("{path}: {e}"))
}

fn read_profiles(path: &str) -> Result<ProfileSet, String> {
    match read(path)? {
        Loaded::Profiles(set) => Ok(set),
        Loaded::Traces(_) => Err(format!("{path}: this is a trace file, not a profile")),
    }
}

fn read_traces(path: &str) -> Result<TraceSet, String> {
    match read(path)? {
        Loaded::Traces(set) => Ok(set),
        Loaded::Profiles(_) => Err(format!("{path}: this is a profile, not a trace file")),
    }
}

fn time(ns: u64) -> String {
    format!("{ns} ns")
}

fn info(path: &str, options: &FilterArgs) -> Result<(), String> {
    let set = match read(path)? {
        Loaded::Profiles(set) => set,
        Loaded::Traces(traces) => {
            let n = traces.spans.len();
            let trace_ids: std::collections::HashSet<_> =
                traces.spans.iter().map(|s| s.key.trace_id).collect();
            let format = traces.format.map_or("OTLP traces", |f| f.name());
            let gz = if traces.gzipped {
                ", gzip-compressed"
            } else {
                ""
            };
            out!("format: {format}{gz}");
            out!("spans: {n} in {} traces", trace_ids.len());
            for d in traces.diagnostics.items() {
                out!("diagnostic: {d}");
            }
            return Ok(());
        }
    };
    let gz = if set.gzipped { ", gzip-compressed" } else { "" };
    out!("format: {}{gz}", set.format());
    out!("layout: {}", set.layout);
    out!("resources: {}", set.resources.len());
    for (i, r) in set.resources.iter().enumerate() {
        let attrs: Vec<String> = r
            .attributes
            .iter()
            .map(|a| format!("{}={}", a.key, a.value))
            .collect();
        out!("  [{i}] {}", attrs.join(" "));
    }
    out!("profiles: {}", set.profiles.len());
    for (i, p) in set.profiles.iter().enumerate() {
        let st = &set.sample_types[p.sample_type.index()];
        let rows = p.samples.clone();
        let total = set
            .samples
            .values()
            .sum(rows.start as usize..rows.end as usize);
        let period = p
            .period_type
            .as_ref()
            .map(|pt| format!(", period {} {pt}", p.period))
            .unwrap_or_default();
        out!(
            "  [{i}] resource {} scope {:?}: {st}, {} samples, total {total}{period}",
            p.resource,
            p.scope,
            rows.len()
        );
    }
    let types: Vec<String> = set.sample_types.iter().map(ToString::to_string).collect();
    out!("sample types: {}", types.join(", "));
    out!("samples: {}", set.samples.len());
    let linked = set.linked_sample_count();
    out!("linked samples: {linked}");
    out!("links: {}", set.links.len());
    match set.time_range() {
        Some((lo, hi)) => out!(
            "time range: {} .. {} ({:.3} s)",
            time(lo),
            time(hi),
            (hi - lo) as f64 / 1e9
        ),
        None => out!("time range: none (no sample timestamps)"),
    }
    if options.any() && !set.sample_types.is_empty() {
        let mut filter = Filter::default();
        let transforms = options.apply(&set, &mut filter)?;
        let mut kept = 0usize;
        set.for_each_sample(&filter, |_| kept += 1);
        let t = set.transform(&transforms);
        let total = set.call_tree_with(&filter, &t).total();
        out!(
            "filter keeps: {kept} samples of {}, total {total} after transforms",
            set.sample_types[0]
        );
    }
    if set.diagnostics.is_empty() {
        out!("diagnostics: none");
    }
    for d in &set.diagnostics {
        out!("diagnostic: {d}");
    }
    Ok(())
}

fn fold(args: &[String]) -> Result<(), String> {
    let mut options = ViewArgs::default();
    let files = parse_args("fold", args, &["FILE"], |arg, rest| options.take(arg, rest))?;
    let view = view(&files[0], &options)?;
    for (stack, value) in view.side().folded() {
        out!("{stack} {value}");
    }
    Ok(())
}

/// `spanflame svg`: the flame graph of what `fold` would print, as a standalone SVG.
fn svg(args: &[String]) -> Result<(), String> {
    let mut options = ViewArgs::default();
    let mut picture = SvgOptions::default();
    let mut inverted = false;
    let mut baseline = None;
    let files = parse_args("svg", args, &["FILE"], |arg, rest| {
        match arg {
            "--width" => {
                let text = option_value(arg, rest)?;
                picture.width = text
                    .parse::<f64>()
                    .ok()
                    .filter(|w| w.is_finite() && *w >= 1.0)
                    .ok_or_else(|| {
                        format!("--width wants a number of pixels, at least 1, got {text:?}")
                    })?;
            }
            "--inverted" => inverted = true,
            "--dark" => picture.dark = true,
            "--baseline" => baseline = Some(option_value(arg, rest)?),
            _ => return options.take(arg, rest),
        }
        Ok(true)
    })?;
    let file = &files[0];
    let tree_of = |view: &View| {
        if inverted {
            view.set
                .inverted_call_tree_with(&view.filter, &view.transformed)
        } else {
            view.side().call_tree()
        }
    };
    let view = view(file, &options)?;
    let tree = tree_of(&view);
    let name = |file: &str| {
        std::path::Path::new(file)
            .file_name()
            .map_or_else(|| file.to_owned(), |n| n.to_string_lossy().into_owned())
    };
    let how = if inverted { ", inverted" } else { "" };
    picture.title = format!("{}: {}{how}", name(file), view.sample_type());
    let Some(baseline) = baseline else {
        return emit_raw(&flame_svg(&tree, &FlameLayout::new(&tree), &picture));
    };
    // Span ids and times are the other file's own: as the app's file baseline, the
    // baseline takes the sample type, attribute conditions and transforms only.
    let base_options = ViewArgs {
        sample_type: options.sample_type.clone(),
        filter: FilterArgs {
            attributes: options.filter.attributes.clone(),
            excluded: options.filter.excluded.clone(),
            transforms: options.filter.transforms.clone(),
            ..FilterArgs::default()
        },
        ..ViewArgs::default()
    };
    let base = self::view(&baseline, &base_options)?;
    let diff = Diff::new(tree_of(&base), tree);
    picture.title = format!("{}, compared with {}", picture.title, name(&baseline));
    emit_raw(&diff_svg(
        &diff,
        &FlameLayout::new(diff.comparison()),
        &picture,
    ))
}

/// `spanflame diff`: the folded stacks of two profiles side by side, as `difffolded.pl`
/// prints them for `flamegraph.pl` (and inferno) to draw a differential flame graph.
fn diff(args: &[String]) -> Result<(), String> {
    let mut options = ViewArgs::default();
    let mut normalize = false;
    let files = parse_args("diff", args, &["A", "B"], |arg, rest| {
        if arg == "--normalize" {
            normalize = true;
            return Ok(true);
        }
        options.take_filter(arg, rest)
    })?;
    let baseline = view(&files[0], &options)?;
    let comparison = view(&files[1], &options)?;
    let (tb, tc) = (baseline.sample_type(), comparison.sample_type());
    if tb != tc {
        eprintln!(
            "spanflame: comparing {tb} in {} with {tc} in {}",
            files[0], files[1]
        );
    }
    let lines = diff_folded(
        &baseline.side().folded(),
        &comparison.side().folded(),
        normalize,
    );
    for (stack, before, after) in lines {
        out!("{stack} {before} {after}");
    }
    Ok(())
}

/// Read the arguments of command `command`: each option `take` knows (it returns whether
/// it did, reading an option's value from the rest), and then as many operands as `operands`
/// names, no more and no fewer.
fn parse_args<'a>(
    command: &str,
    args: &'a [String],
    operands: &[&str],
    mut take: impl FnMut(&'a str, &mut std::slice::Iter<'a, String>) -> Result<bool, String>,
) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if take(arg, &mut it)? {
            continue;
        }
        if arg.starts_with("--") {
            return Err(format!("{command}: unknown option {arg}\n{USAGE}"));
        }
        if found.len() == operands.len() {
            return Err(format!("{command}: unexpected argument {arg:?}\n{USAGE}"));
        }
        found.push(arg.clone());
    }
    if found.len() < operands.len() {
        return Err(format!(
            "{command} needs {}\n{USAGE}",
            operands.join(" and ")
        ));
    }
    Ok(found)
}

/// The value of option `name`: the next argument.
fn option_value<'a>(
    name: &str,
    rest: &mut impl Iterator<Item = &'a String>,
) -> Result<String, String> {
    rest.next()
        .cloned()
        .ok_or_else(|| format!("{name} needs a value"))
}

/// The options that pick what of a profile `fold`, `svg` and `diff` show: a sample type,
/// the FILTER options and (not for `diff`, whose two files have their own span ids) a span.
#[derive(Debug, Default)]
struct ViewArgs {
    sample_type: Option<String>,
    filter: FilterArgs,
    trace_file: Option<String>,
    span: Option<String>,
    scope: Option<Scope>,
    /// The other spans with the span's name instead of the span (a diff's baseline).
    same_name: bool,
}

impl ViewArgs {
    /// Read `arg` (and its value from `rest`) if it is `--sample-type` or a FILTER option.
    fn take_filter<'a>(
        &mut self,
        arg: &str,
        rest: &mut impl Iterator<Item = &'a String>,
    ) -> Result<bool, String> {
        if arg == "--sample-type" {
            self.sample_type = Some(option_value(arg, rest)?);
            return Ok(true);
        }
        self.filter.take(arg, rest)
    }

    /// Read `arg` if it is one of [`ViewArgs::take_filter`]'s or `--trace`, `--span` or
    /// `--span-scope`.
    fn take<'a>(
        &mut self,
        arg: &str,
        rest: &mut impl Iterator<Item = &'a String>,
    ) -> Result<bool, String> {
        match arg {
            "--trace" => self.trace_file = Some(option_value(arg, rest)?),
            "--span" => self.span = Some(option_value(arg, rest)?),
            "--same-name" => self.same_name = true,
            "--span-scope" => {
                let name = option_value(arg, rest)?;
                self.scope = Some(Scope::parse(&name).ok_or_else(|| {
                    format!(
                        "--span-scope: unknown scope {name:?}; use only, children, trace or time"
                    )
                })?);
            }
            _ => return self.take_filter(arg, rest),
        }
        Ok(true)
    }
}

/// A profile and what a command's [`ViewArgs`] picked of it.
struct View {
    set: ProfileSet,
    filter: Filter,
    transformed: Transformed,
}

impl View {
    fn side(&self) -> Side<'_> {
        Side {
            set: &self.set,
            filter: &self.filter,
            transformed: &self.transformed,
        }
    }

    /// The sample type shown.
    fn sample_type(&self) -> &SampleType {
        &self.set.sample_types[self.filter.sample_type.index()]
    }
}

/// Read the profile `file` and pick of it what `options` say.
fn view(file: &str, options: &ViewArgs) -> Result<View, String> {
    let set = read_profiles(file)?;
    if set.sample_types.is_empty() {
        return Err(format!("{file}: the file holds no profiles"));
    }
    let sample_type = match &options.sample_type {
        None => SampleTypeId::default(),
        Some(name) => set
            .sample_types
            .iter()
            .position(|t| &t.name == name || t.to_string() == *name)
            .map(SampleTypeId::from_index)
            .ok_or_else(|| {
                let have: Vec<String> = set.sample_types.iter().map(ToString::to_string).collect();
                format!(
                    "{file}: no sample type {name:?}; the file has {}",
                    have.join(", ")
                )
            })?,
    };
    if options.sample_type.is_none() {
        eprintln!(
            "spanflame: {file}: sample type {} (use --sample-type to pick another)",
            set.sample_types[0]
        );
    }
    let mut filter = Filter {
        sample_type,
        ..Filter::default()
    };
    let transforms = options.filter.apply(&set, &mut filter)?;
    let traces = options.trace_file.as_deref().map(read_traces).transpose()?;
    if let Some(span_hex) = &options.span {
        let span_id = parse_hex::<8>(span_hex)
            .ok_or_else(|| format!("--span wants 16 hex digits, got {span_hex:?}"))?;
        let scope = options.scope.unwrap_or(Scope::Only);
        if options.same_name {
            same_name_filter(&mut filter, traces.as_ref(), span_id, scope)?;
        } else {
            span_filter(&mut filter, &set, traces.as_ref(), span_id, scope);
        }
    } else if options.scope.is_some() {
        return Err("--span-scope needs --span".into());
    } else if options.same_name {
        return Err("--same-name needs --span".into());
    }
    let transformed = set.transform(&transforms);
    Ok(View {
        set,
        filter,
        transformed,
    })
}

/// Narrow `filter` to a span, by the rule of [`spanflame_core::scope`]: a span missing
/// from the trace file (or with none given) keeps what its ids can say, with a warning.
fn span_filter(
    filter: &mut Filter,
    set: &ProfileSet,
    traces: Option<&TraceSet>,
    span_id: [u8; 8],
    scope: Scope,
) {
    let id = hex8(&span_id);
    // Found nowhere, it is still a span id: the same rule keeps its (no) samples.
    let span = find_span(span_id, None, traces, &set.links).unwrap_or_else(|| {
        eprintln!("spanflame: no sample links to span {id}");
        SpanRef::Key(SpanKey {
            trace_id: [0; 16],
            span_id,
        })
    });
    let selection = select(traces, span, scope);
    if selection.narrowed(scope) {
        let why = match traces {
            Some(_) => "the trace file does not have it",
            None => "that needs --trace TRACEFILE",
        };
        eprintln!(
            "spanflame: span {id}: --span-scope {} is unknown as {why}; using {}",
            scope.name(),
            selection.applied.name()
        );
    }
    selection.apply(filter);
}

/// Narrow `filter` to the other spans with the name (and service) of span `span_id`, by
/// [`TraceSet::select_same_name`]: the app's same-name baseline.
fn same_name_filter(
    filter: &mut Filter,
    traces: Option<&TraceSet>,
    span_id: [u8; 8],
    scope: Scope,
) -> Result<(), String> {
    let traces = traces.ok_or("--same-name needs --trace TRACEFILE")?;
    let span = traces
        .find_span_id(&span_id)
        .ok_or_else(|| format!("--same-name: the trace file has no span {}", hex8(&span_id)))?;
    traces.select_same_name(span, scope).apply(filter);
    Ok(())
}

fn hex8(id: &[u8; 8]) -> String {
    spanflame_core::model::hex(id)
}

/// A `--from`/`--to` time: UNIX ns, or ns after the first sample.
#[derive(Debug, Clone, Copy)]
enum TimeArg {
    Absolute(u64),
    Relative(u64),
}

fn parse_time(text: &str) -> Result<TimeArg, String> {
    if let Ok(ns) = text.parse() {
        return Ok(TimeArg::Absolute(ns));
    }
    let bad = || {
        format!(
            "expected UNIX nanoseconds or a time after the start such as 1.5s or 200ms, got {text:?}"
        )
    };
    let (number, scale) = [("ns", 1.0), ("us", 1e3), ("ms", 1e6), ("s", 1e9)]
        .iter()
        .find_map(|(unit, scale)| text.strip_suffix(unit).map(|n| (n, *scale)))
        .ok_or_else(bad)?;
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value < 0.0 {
        return Err(bad());
    }
    Ok(TimeArg::Relative((value * scale).round() as u64))
}

/// The filter and transform options of `info`, `fold`, `svg` and `diff`.
#[derive(Debug, Default)]
struct FilterArgs {
    from: Option<TimeArg>,
    to: Option<TimeArg>,
    attributes: Vec<(String, String)>,
    excluded: Vec<(String, String)>,
    transforms: Vec<String>,
}

impl FilterArgs {
    /// Read `arg` (and its value from `rest`) if it is one of these options.
    fn take<'a>(
        &mut self,
        arg: &str,
        rest: &mut impl Iterator<Item = &'a String>,
    ) -> Result<bool, String> {
        let mut value = || option_value(arg, rest);
        let pair = |kv: String| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("{arg} wants KEY=VALUE, got {kv:?}"))
        };
        match arg {
            "--from" => self.from = Some(parse_time(&value()?)?),
            "--to" => self.to = Some(parse_time(&value()?)?),
            "--attr" => self.attributes.push(pair(value()?)?),
            "--exclude-attr" => self.excluded.push(pair(value()?)?),
            "--transform" => self.transforms.push(value()?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn any(&self) -> bool {
        self.from.is_some()
            || self.to.is_some()
            || !self.attributes.is_empty()
            || !self.excluded.is_empty()
            || !self.transforms.is_empty()
    }

    /// Put the conditions into `filter`; the transform stack.
    fn apply(&self, set: &ProfileSet, filter: &mut Filter) -> Result<Transforms, String> {
        let start = || {
            set.time_range().map(|(lo, _)| lo).ok_or_else(|| {
                "a relative --from/--to needs sample timestamps, and this file has none".to_owned()
            })
        };
        let resolve = |t: Option<TimeArg>, default: u64| -> Result<u64, String> {
            Ok(match t {
                None => default,
                Some(TimeArg::Absolute(ns)) => ns,
                Some(TimeArg::Relative(ns)) => start()?.saturating_add(ns),
            })
        };
        if self.from.is_some() || self.to.is_some() {
            filter.time = Some((resolve(self.from, 0)?, resolve(self.to, u64::MAX)?));
        }
        filter.attributes.extend(self.attributes.iter().cloned());
        filter
            .conditions
            .extend(self.excluded.iter().map(|(k, v)| AttrCondition {
                key: k.clone(),
                values: vec![v.clone()],
                exclude: true,
            }));
        let mut transforms = Transforms::default();
        for text in &self.transforms {
            transforms.0.extend(
                Transforms::parse(text)
                    .map_err(|e| format!("--transform: {e}"))?
                    .0,
            );
        }
        Ok(transforms)
    }
}

// ------------------------------------------------------------------------------------------
// `spanflame gen`: write a seeded synthetic data set (spanflame_synth).

fn gen_synthetic(args: &[String]) -> Result<(), String> {
    use spanflame_synth::{Size, SynthOptions, generate};
    use std::io::{BufWriter, Write};

    let mut size = None;
    let mut seed = None;
    let mut out = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || option_value(arg, &mut it);
        match arg.as_str() {
            "--size" => size = Some(value()?.parse::<Size>()?),
            "--seed" => {
                let v = value()?;
                seed = Some(
                    v.parse::<u64>()
                        .map_err(|_| format!("--seed wants a number, got {v:?}"))?,
                );
            }
            "--out" => out = Some(std::path::PathBuf::from(value()?)),
            other => return Err(format!("gen: unexpected argument {other:?}\n{USAGE}")),
        }
    }
    let (Some(size), Some(dir)) = (size, out) else {
        return Err(format!("gen needs --size and --out\n{USAGE}"));
    };
    let mut opts = SynthOptions::size(size);
    if let Some(seed) = seed {
        opts.seed = seed;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let started = std::time::Instant::now();
    let synth = generate(&opts);
    let stats = synth.stats();
    eprintln!(
        "spanflame: generated {:?} in {:.1} s: {} observations per sample type ({}), {} Sample messages, {} stacks (deepest {}), {} spans",
        size,
        started.elapsed().as_secs_f64(),
        stats
            .observations
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("/"),
        synth
            .sample_types()
            .iter()
            .map(|(t, u)| format!("{t}/{u}"))
            .collect::<Vec<_>>()
            .join(", "),
        stats.sample_messages,
        stats.stacks,
        stats.max_stack_depth,
        stats.spans,
    );
    let write =
        |name: &str, f: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| -> Result<(), String> {
            let path = dir.join(name);
            let fail = |e: std::io::Error| format!("{}: {e}", path.display());
            let file = std::fs::File::create(&path).map_err(fail)?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            f(&mut w).map_err(fail)?;
            w.flush().map_err(fail)?;
            let len = std::fs::metadata(&path).map_err(fail)?.len();
            eprintln!("spanflame: wrote {} ({len} bytes)", path.display());
            Ok(())
        };
    write("profile.binpb", &|w| {
        synth.write_profiles_binary(w).map(drop)
    })?;
    write("profile.json", &|w| synth.write_profiles_json(w))?;
    write("profile.folded", &|w| {
        w.write_all(synth.folded(0).as_bytes())
    })?;
    write("traces.binpb", &|w| w.write_all(&synth.traces_binary()))?;
    write("traces.json", &|w| {
        w.write_all(synth.traces_json().as_bytes())
    })?;
    // The CPU samples as a gzip'd pprof profile too (what Go and many agents write, and what
    // speedscope also reads), made by reading the protobuf back. Not for L: that read alone
    // holds several GB.
    if size != Size::L {
        drop(synth);
        let binpb = dir.join("profile.binpb");
        let set = read_profiles(&binpb.to_string_lossy())?;
        let bytes = spanflame_core::export::pprof::pprof_gz(&set, &Filter::default(), None);
        write("profile.pb.gz", &|w| w.write_all(&bytes))?;
    }
    Ok(())
}
