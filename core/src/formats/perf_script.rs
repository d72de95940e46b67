//! `perf script` text output: one header line per sample, then its stack, leaf first.
//!
//! ```text
//! seq 16861/16861 [003]   379.638313:    1001001 cpu-clock:ppp:
//!         ffffffff813ae453 finish_task_switch.isra.0+0x93 ([kernel.kallsyms])
//!                    d4ad7 __GI___execve+0x7 (/usr/lib/x86_64-linux-gnu/libc.so.6)
//!
//! ```
//!
//! ## Header
//!
//! `comm pid[/tid] [cpu] time: [period] event: [ip sym+off (dso)]`, every field optional as
//! `perf script -F` selects them, but a header needs a time or an event to be told from
//! other text. `comm` may hold spaces, so the header is split where the rest of it reads.
//! A lone number is the thread id (perf's default fields are `comm,tid,...`).
//!
//! * Each event (`cpu-clock`, `cycles`, `sched:sched_switch`; modifiers such as `:ppp` or
//!   `:u` dropped) becomes one profile. Its weight is the period when the header shows one
//!   (nanoseconds for `cpu-clock` and `task-clock`, events otherwise, as `perf report`
//!   weighs them), else 1 per sample.
//! * `comm`, pid, tid and cpu become the sample attributes `thread.name`, `process.pid`,
//!   `thread.id` and `cpu.logical_number`.
//! * The time (seconds since boot, `379.638313`) becomes the sample time in nanoseconds.
//!   **It is not UTC**: perf's clock starts at boot, so the times only order samples and
//!   measure the distance between them.
//! * `PERF_RECORD_*` lines (`--show-mmap-events` and the like) are not samples and are
//!   skipped with a diagnostic.
//!
//! ## Stack lines
//!
//! `<tab> addr sym+off (dso)`, leaf first, frame-pointer or `--call-graph dwarf` alike:
//!
//! * `+0x…` offsets are dropped, so a function is one node however many addresses in it
//!   were hit. Inlined frames are named `sym (inlined)`, as `perf report` names them.
//! * A symbol perf could not resolve (`[unknown]`, or none printed) is named `dso+0xaddr`
//!   from the dso's file name, or `[unknown]` when the dso is unknown too.
//! * Kernel frames (`[kernel.kallsyms]`, `[kernel.*]`, a bracketed module, or an unknown dso
//!   at a kernel-half address) are [`FrameKind::Kernel`]; `perf-PID.map` and `jitted-*.so`
//!   frames are JIT code ([`FrameKind::Interpreted`]); other files and `[vdso]` are native.
//!   `(inlined)` frames are kernel or native by their address.
//! * A sample without stack lines gets the frame of its header's own `ip sym (dso)`, or
//!   an empty stack when the header has none.
//!
//! Indented lines that are not frames (`-F +srcline`, tracepoint arguments on their own
//! lines) are skipped with a diagnostic; any other line that is not a header is an error
//! at that line. A last line without its newline was cut short: it is dropped with a
//! diagnostic.

use std::collections::HashMap;

use super::{Detect, Loaded, Options};
use crate::builder::{Builder, Row};
use crate::error::{At, Error, Format, Result};
use crate::limits::Limits;
use crate::model::{
    AttrSetId, Attribute, FrameId, FrameKind, Layout, ProfileInfo, ProfileSet, SampleType,
};

const FORMAT: Format = Format::PerfScript;

/// Whether `bytes` look like `perf script` output: UTF-8 text whose first lines (past
/// `#` comments) are a sample header, then headers and indented frames only. NeedMore
/// while there is no whole line to judge.
pub fn sniff(bytes: &[u8]) -> Detect {
    let Some((head, text)) = super::text_head(bytes) else {
        return Detect::No;
    };
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .take(64)
        .collect();
    // The last line may be cut (the head is not the whole input, or the file itself was
    // cut); judge the complete ones. A lone line is judged as it is, so that one line of
    // JSON is a No rather than a NeedMore.
    let cut = head.len() < bytes.len() || text.len() < head.len() || !text.ends_with('\n');
    if cut && lines.len() > 1 {
        lines.pop();
    }
    let Some(first) = lines.first() else {
        return Detect::NeedMore;
    };
    if header(first).is_some()
        && lines
            .iter()
            .all(|l| header(l).is_some() || (is_indented(l) && frame(l).is_some()))
    {
        Detect::Yes
    } else {
        Detect::No
    }
}

/// One sample's header line, split into its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header<'a> {
    comm: &'a str,
    pid: Option<u32>,
    tid: Option<u32>,
    cpu: Option<u32>,
    time: Option<u64>,
    period: Option<i64>,
    event: Option<&'a str>,
    /// What follows the event: the sample's own `ip sym (dso)`, or tracepoint arguments.
    rest: &'a str,
}

fn is_indented(line: &str) -> bool {
    line.starts_with(['\t', ' '])
}

/// Whitespace-separated tokens with their byte offsets.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn header(line: &str) -> Option<Header<'_>> {
    if line.starts_with('\t') {
        return None;
    }
    let toks = tokens(line);
    // `comm` may hold spaces: try each place the pid could be, leftmost first, and keep
    // the first split whose rest reads as a header.
    for i in 0..toks.len().min(8) {
        let comm = line[..toks[i].0].trim();
        let (_, tok) = toks[i];
        let ids = match tok.split_once('/') {
            Some((p, t)) if digits(p) && digits(t) => Some((p.parse().ok(), t.parse().ok())),
            None if digits(tok) => Some((None, tok.parse().ok())),
            _ => None,
        };
        if let Some((pid, tid)) = ids
            && let Some(h) = after_ids(line, &toks, i + 1, comm, pid, tid)
        {
            return Some(h);
        }
        // No pid printed: the time or cpu comes straight after the comm.
        if (cpu_token(tok).is_some() || time_token(tok).is_some())
            && let Some(h) = after_ids(line, &toks, i, comm, None, None)
        {
            return Some(h);
        }
    }
    None
}

fn cpu_token(tok: &str) -> Option<u32> {
    let inner = tok.strip_prefix('[')?.strip_suffix(']')?;
    digits(inner).then(|| inner.parse().ok())?
}

/// `379.638313:` (microseconds, or nanoseconds with `--ns`) in nanoseconds.
fn time_token(tok: &str) -> Option<u64> {
    let (secs, frac) = tok.strip_suffix(':')?.split_once('.')?;
    if !digits(secs) || !digits(frac) || frac.len() > 9 {
        return None;
    }
    let scale = 10u64.pow(9 - frac.len() as u32);
    let secs: u64 = secs.parse().ok()?;
    let frac: u64 = frac.parse().ok()?;
    secs.checked_mul(1_000_000_000)?
        .checked_add(frac.checked_mul(scale)?)
}

/// `cpu-clock:ppp:` -> `cpu-clock`; `sched:sched_switch:` stays `sched:sched_switch`.
fn event_token(tok: &str) -> Option<&str> {
    let name = tok.strip_suffix(':')?;
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    Some(match name.rsplit_once(':') {
        Some((base, mods))
            if !base.is_empty()
                && !mods.is_empty()
                && mods.bytes().all(|b| b"ukhIGHpPSDWe".contains(&b)) =>
        {
            base
        }
        _ => name,
    })
}

fn after_ids<'a>(
    line: &'a str,
    toks: &[(usize, &'a str)],
    mut j: usize,
    comm: &'a str,
    pid: Option<u32>,
    tid: Option<u32>,
) -> Option<Header<'a>> {
    let tok = |j: usize| toks.get(j).map(|t| t.1);
    let cpu = tok(j).and_then(cpu_token);
    j += cpu.is_some() as usize;
    let time = tok(j).and_then(time_token);
    j += time.is_some() as usize;
    // A bare number is the period only when an event follows it; otherwise it may be an ip.
    let mut period = None;
    if let (Some(p), Some(next)) = (tok(j), tok(j + 1))
        && digits(p)
        && event_token(next).is_some()
    {
        period = p.parse().ok();
        j += 1;
    }
    let event = tok(j).and_then(event_token);
    j += event.is_some() as usize;
    if time.is_none() && event.is_none() {
        return None;
    }
    let rest = toks.get(j).map_or("", |&(at, _)| line[at..].trim_end());
    Some(Header {
        comm,
        pid,
        tid,
        cpu,
        time,
        period,
        event,
        rest,
    })
}

/// One stack line (or a header's own ip part): address, symbol, dso.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FrameLine<'a> {
    addr: u64,
    sym: &'a str,
    dso: &'a str,
}

fn frame(line: &str) -> Option<FrameLine<'_>> {
    let line = line.trim();
    let (addr, rest) = line.split_once([' ', '\t']).unwrap_or((line, ""));
    if addr.is_empty() || addr.len() > 16 || !addr.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let addr = u64::from_str_radix(addr, 16).ok()?;
    let rest = rest.trim();
    // The dso is the last `(...)` group that starts the rest or follows a space: a C++
    // symbol's own parentheses (`f(int)`) follow a name.
    let (sym, dso) = match rest.strip_suffix(')').and_then(|r| {
        let open = r.rfind('(')?;
        (open == 0 || r[..open].ends_with(' ')).then(|| (&r[..open], &r[open + 1..]))
    }) {
        Some((sym, dso)) => (sym.trim_end(), dso),
        None => (rest, ""),
    };
    Some(FrameLine { addr, sym, dso })
}

/// Kernel text lives in the top half of the address space (x86-64, arm64, riscv64).
fn kernel_address(addr: u64) -> bool {
    addr >= 0xffff_0000_0000_0000
}

fn kind(f: &FrameLine) -> FrameKind {
    let dso = f.dso;
    let base = dso.rsplit('/').next().unwrap_or(dso);
    if dso.starts_with("[kernel.") {
        FrameKind::Kernel
    } else if dso.starts_with('[') {
        match dso {
            "[vdso]" | "[vsyscall]" | "[heap]" | "[stack]" | "[uprobes]" => FrameKind::Native,
            _ if kernel_address(f.addr) => FrameKind::Kernel,
            _ => FrameKind::Unknown,
        }
    } else if (base.starts_with("perf-") && base.ends_with(".map"))
        || (base.starts_with("jitted-") && base.ends_with(".so"))
    {
        FrameKind::Interpreted
    } else if dso.is_empty() || dso == "inlined" {
        if kernel_address(f.addr) {
            FrameKind::Kernel
        } else if dso == "inlined" {
            FrameKind::Native
        } else {
            FrameKind::Unknown
        }
    } else {
        FrameKind::Native
    }
}

/// Strip a `+0x1f` offset off a symbol.
fn without_offset(sym: &str) -> &str {
    match sym.rsplit_once("+0x") {
        Some((name, off)) if !name.is_empty() && off.bytes().all(|b| b.is_ascii_hexdigit()) => name,
        _ => sym,
    }
}

/// The function name to show for a frame, into `buf` when it has to be made up.
fn frame_name<'a>(f: &FrameLine<'a>, buf: &'a mut String) -> &'a str {
    let sym = without_offset(f.sym);
    if !sym.is_empty() && sym != "[unknown]" {
        if f.dso == "inlined" {
            // As `perf report` names them: the same function inlined and called apart.
            buf.clear();
            buf.push_str(sym);
            buf.push_str(" (inlined)");
            return buf;
        }
        return sym;
    }
    if f.dso.is_empty() || f.dso == "[unknown]" || f.dso == "inlined" {
        return "[unknown]";
    }
    let base = f.dso.rsplit('/').next().unwrap_or(f.dso);
    buf.clear();
    use std::fmt::Write;
    let _ = write!(buf, "{base}+0x{:x}", f.addr);
    buf
}

/// Sample attributes by `(comm, pid, tid, cpu)`, so each thread's set is built once.
type AttrIds<'a> = HashMap<(&'a str, Option<u32>, Option<u32>, Option<u32>), AttrSetId>;

/// A sample being read: its header and frames so far, leaf first.
struct Pending<'a> {
    header: Header<'a>,
    frames: Vec<FrameId>,
}

/// One profile per event (and whether it weighs by period).
struct Profiles<'a> {
    keys: HashMap<(&'a str, bool), usize>,
    rows: Vec<(SampleType, Vec<Row>)>,
    count: u64,
}

/// Read `perf script` text into one profile per event.
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    read(bytes, &options.limits).map(Loaded::Profiles)
}

fn read(bytes: &[u8], limits: &Limits) -> Result<ProfileSet> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::malformed(FORMAT, At::Byte(e.valid_up_to() as u64), "not UTF-8 text")
    })?;
    let mut b = Builder::new(FORMAT, limits);
    b.resource(Default::default());
    let mut profiles = Profiles {
        keys: HashMap::new(),
        rows: Vec::new(),
        count: 0,
    };
    let mut attr_ids: AttrIds = HashMap::new();
    let mut pending: Option<Pending> = None;
    let mut name_buf = String::new();
    let line_count = text.lines().count();
    let cut = !text.is_empty() && !text.ends_with('\n');
    let mut skipped_records = 0u64;
    let mut skipped_lines = 0u64;
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        // perf ends every line; a last line without its newline was cut, and a cut header
        // or address would be read as something it is not.
        if cut && n + 1 == line_count {
            b.diags
                .push(FORMAT, "the last line was cut short and was dropped");
            continue;
        }
        if is_indented(line)
            && let Some(f) = frame(line)
        {
            let Some(p) = pending.as_mut() else {
                return Err(Error::malformed(
                    FORMAT,
                    At::Line(n + 1),
                    "a stack frame before any sample header",
                ));
            };
            let name = frame_name(&f, &mut name_buf);
            let func = b.function(name, "");
            p.frames.push(b.frame(func, 0, kind(&f)));
            continue;
        }
        if let Some(h) = header(line) {
            if let Some(p) = pending.take() {
                finish(&mut b, &mut profiles, &mut attr_ids, p, &mut name_buf)?;
            }
            if h.event.is_some_and(|e| e.starts_with("PERF_RECORD_")) {
                skipped_records += 1;
                continue;
            }
            pending = Some(Pending {
                header: h,
                frames: Vec::new(),
            });
            continue;
        }
        if is_indented(line) && pending.is_some() {
            skipped_lines += 1;
            continue;
        }
        return Err(Error::malformed(
            FORMAT,
            At::Line(n + 1),
            "expected a sample header (`comm pid time: period event:`) or an indented stack frame",
        ));
    }
    if let Some(p) = pending.take() {
        finish(&mut b, &mut profiles, &mut attr_ids, p, &mut name_buf)?;
    }
    if skipped_records > 0 {
        b.diags.push_n(
            FORMAT,
            "PERF_RECORD_* lines are not samples and were skipped",
            skipped_records,
        );
    }
    if skipped_lines > 0 {
        b.diags.push_n(
            FORMAT,
            "indented lines that are not stack frames were skipped",
            skipped_lines,
        );
    }
    if profiles.rows.is_empty() {
        return Err(Error::malformed(FORMAT, At::Input, "no samples"));
    }
    for (sample_type, rows) in profiles.rows {
        b.begin_profile(
            // perf's clock counts from boot; there is no UTC start to give.
            ProfileInfo::default(),
            sample_type,
        );
        b.reserve_rows(rows.len() as u64);
        for row in rows {
            b.row(row)?;
        }
    }
    Ok(b.finish(Layout::NotOtlp))
}

fn finish<'a>(
    b: &mut Builder,
    profiles: &mut Profiles<'a>,
    attr_ids: &mut AttrIds<'a>,
    mut p: Pending<'a>,
    name_buf: &mut String,
) -> Result<()> {
    let h = p.header;
    if p.frames.is_empty()
        && let Some(f) = frame(h.rest)
    {
        let name = frame_name(&f, name_buf);
        let func = b.function(name, "");
        p.frames.push(b.frame(func, 0, kind(&f)));
    }
    p.frames.reverse();
    let stack = if p.frames.is_empty() {
        None
    } else {
        b.stack(&p.frames)
    };
    let key = (h.comm, h.pid, h.tid, h.cpu);
    let attrs = match attr_ids.get(&key) {
        Some(&id) => id,
        None => {
            let mut attrs = Vec::new();
            let mut add = |key: &str, value: String| {
                attrs.push(Attribute {
                    key: key.into(),
                    value,
                })
            };
            if !h.comm.is_empty() {
                add("thread.name", h.comm.to_owned());
            }
            if let Some(pid) = h.pid {
                add("process.pid", pid.to_string());
            }
            if let Some(tid) = h.tid {
                add("thread.id", tid.to_string());
            }
            if let Some(cpu) = h.cpu {
                add("cpu.logical_number", cpu.to_string());
            }
            let id = b.attr_set(attrs);
            attr_ids.insert(key, id);
            id
        }
    };
    if profiles.count >= b.limits().max_samples {
        return Err(Error::limit(
            FORMAT,
            At::Input,
            format!(
                "more than {} sample observations, the limit",
                b.limits().max_samples
            ),
        ));
    }
    profiles.count += 1;
    let event = h.event.unwrap_or("samples");
    let weighted = h.period.is_some();
    let index = *profiles.keys.entry((event, weighted)).or_insert_with(|| {
        let unit = match (weighted, event) {
            (false, _) => "count",
            (true, "cpu-clock" | "task-clock") => "nanoseconds",
            (true, _) => "events",
        };
        profiles.rows.push((
            SampleType {
                name: event.to_owned(),
                unit: unit.to_owned(),
            },
            Vec::new(),
        ));
        profiles.rows.len() - 1
    });
    profiles.rows[index].1.push(Row {
        stack,
        value: h.period.unwrap_or(1),
        time: h.time.unwrap_or(0),
        link: None,
        attrs,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_every_field_choice() {
        let h = header("seq 16861   379.638313:    1001001 cpu-clock:ppp: ").unwrap();
        assert_eq!(
            (h.comm, h.pid, h.tid, h.cpu),
            ("seq", None, Some(16861), None)
        );
        assert_eq!(h.time, Some(379_638_313_000));
        assert_eq!(
            (h.period, h.event, h.rest),
            (Some(1001001), Some("cpu-clock"), "")
        );

        let h = header("Web Content 12/34 [003] 1.000000001: cycles:u:  7f00 main+0x4 (/bin/x)")
            .unwrap();
        assert_eq!(
            (h.comm, h.pid, h.tid, h.cpu),
            ("Web Content", Some(12), Some(34), Some(3))
        );
        assert_eq!(
            (h.time, h.period, h.event),
            (Some(1_000_000_001), None, Some("cycles"))
        );
        assert_eq!(h.rest, "7f00 main+0x4 (/bin/x)");

        // No event: the number after the time is the ip, not a period.
        let h = header("  sh 17128/17128   386.613529:  ffffffff8162b21f __mmap_region").unwrap();
        assert_eq!((h.period, h.event), (None, None));
        assert_eq!(h.rest, "ffffffff8162b21f __mmap_region");

        // A comm ending in a number; a tracepoint keeps its group.
        let h = header("worker 2 99 5.5: sched:sched_switch: prev_comm=a").unwrap();
        assert_eq!(
            (h.comm, h.tid, h.event),
            ("worker 2", Some(99), Some("sched:sched_switch"))
        );

        // No time and no event: not a header.
        assert_eq!(header("sh 17128"), None);
        assert_eq!(header("main;a;b 3"), None);
        assert_eq!(header("\tffb1 x (y)"), None);
    }

    #[test]
    fn frames_name_and_kind() {
        let mut buf = String::new();
        let f = frame("\t ffffffff813ae453 finish_task_switch.isra.0+0x93 ([kernel.kallsyms])")
            .unwrap();
        assert_eq!(frame_name(&f, &mut buf), "finish_task_switch.isra.0");
        assert_eq!(kind(&f), FrameKind::Kernel);

        let f = frame("\t    ffb1 [unknown] (/usr/bin/dash)").unwrap();
        assert_eq!(frame_name(&f, &mut buf), "dash+0xffb1");
        assert_eq!(kind(&f), FrameKind::Native);

        let f = frame("\t 465400313d444552 [unknown] ([unknown])").unwrap();
        assert_eq!(frame_name(&f, &mut buf), "[unknown]");

        let f = frame("\t 27304 __libc_start_main_impl+0x84 (inlined)").unwrap();
        assert_eq!(frame_name(&f, &mut buf), "__libc_start_main_impl (inlined)");
        assert_eq!(kind(&f), FrameKind::Native);

        let f = frame("\t 1a2b std::vector<int>::push_back(int const&)+0x12 (/bin/app)").unwrap();
        assert_eq!(
            frame_name(&f, &mut buf),
            "std::vector<int>::push_back(int const&)"
        );

        let f = frame("\t 1a2b f(int)").unwrap();
        assert_eq!((f.sym, f.dso), ("f(int)", ""));

        let f = frame("\t 7f01 [unknown] (/tmp/perf-4242.map)").unwrap();
        assert_eq!(kind(&f), FrameKind::Interpreted);

        let f = frame("\t ffffffffc0a01234 nft_do_chain+0x10 ([nf_tables])").unwrap();
        assert_eq!(kind(&f), FrameKind::Kernel);

        // No symbol printed at all (`-F ip,dso` or `-F ip`).
        let f = frame("\t 4010 (/bin/app)").unwrap();
        assert_eq!(frame_name(&f, &mut buf), "app+0x4010");
        let f = frame("\t ffffffff81000130").unwrap();
        assert_eq!(frame_name(&f, &mut buf), "[unknown]");
        assert_eq!(kind(&f), FrameKind::Kernel);

        assert_eq!(frame("\t file.c:12"), None);
    }
}
