//! OTLP traces as a span table with per-trace span trees.

use std::collections::HashMap;

use crate::error::{Diagnostics, Format};
use crate::model::{Attribute, NONE, SpanIdx, SpanKey};

/// One span.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Trace and span id.
    pub key: SpanKey,
    /// Index of the parent span in [`TraceSet::spans`], or [`NONE`] for a root: raw, as the
    /// model's columns are (see [`Span::parent_span`]).
    pub parent: u32,
    /// Span name.
    pub name: String,
    /// `service.name` of the span's resource.
    pub service: String,
    /// What the span is: a server, a client, ...
    pub kind: SpanKind,
    /// Start, UTC ns.
    pub start: u64,
    /// End, UTC ns.
    pub end: u64,
    /// Whether it failed.
    pub status: SpanStatus,
    /// Status message.
    pub status_message: String,
    /// Span attributes.
    pub attributes: Vec<Attribute>,
    /// Depth in its trace: 0 for a root.
    pub depth: u32,
}

impl Span {
    /// The parent span, `None` for a root.
    pub fn parent_span(&self) -> Option<SpanIdx> {
        SpanIdx::from_raw(self.parent)
    }
}

/// OTLP `SpanKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpanKind {
    /// 0, or a number OTLP does not define.
    #[default]
    Unspecified,
    /// 1: an operation inside the application.
    Internal,
    /// 2: handles a remote request.
    Server,
    /// 3: makes a remote request.
    Client,
    /// 4: sends a message.
    Producer,
    /// 5: receives a message.
    Consumer,
}

impl SpanKind {
    /// The kind of an OTLP `SpanKind` number.
    pub fn from_code(code: i32) -> SpanKind {
        match code {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// The OTLP `SpanKind` number.
    pub fn code(self) -> i32 {
        match self {
            SpanKind::Unspecified => 0,
            SpanKind::Internal => 1,
            SpanKind::Server => 2,
            SpanKind::Client => 3,
            SpanKind::Producer => 4,
            SpanKind::Consumer => 5,
        }
    }

    /// `internal`, `server`, ... as people read it.
    pub fn name(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
}

/// OTLP `Status.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpanStatus {
    /// 0, or a number OTLP does not define.
    #[default]
    Unset,
    /// 1: marked as succeeded.
    Ok,
    /// 2: failed.
    Error,
}

impl SpanStatus {
    /// The status of an OTLP `Status.code` number.
    pub fn from_code(code: i32) -> SpanStatus {
        match code {
            1 => SpanStatus::Ok,
            2 => SpanStatus::Error,
            _ => SpanStatus::Unset,
        }
    }

    /// The OTLP `Status.code` number.
    pub fn code(self) -> i32 {
        match self {
            SpanStatus::Unset => 0,
            SpanStatus::Ok => 1,
            SpanStatus::Error => 2,
        }
    }
}

/// The spans of one or more traces.
#[derive(Debug, Clone, Default)]
pub struct TraceSet {
    /// The format the spans were read from.
    pub format: Option<Format>,
    /// Whether the file was gzip-compressed.
    pub gzipped: bool,
    /// Spans in input order.
    pub spans: Vec<Span>,
    /// Children of each span, by start time.
    pub children: Vec<Vec<SpanIdx>>,
    /// Root spans, by start time.
    pub roots: Vec<SpanIdx>,
    by_key: HashMap<SpanKey, SpanIdx>,
    /// The first span with each span id.
    by_span_id: HashMap<[u8; 8], SpanIdx>,
    /// Recoverable oddities met while reading.
    pub diagnostics: Diagnostics,
}

impl TraceSet {
    /// Rebuild from spans whose `parent` indices are already resolved (as
    /// [`crate::transfer::unpack`] does); cycles are broken again and depths recomputed.
    /// Every parent must be [`NONE`] or below `spans.len()`.
    pub fn from_spans(
        format: Option<Format>,
        gzipped: bool,
        spans: Vec<Span>,
        diagnostics: Diagnostics,
    ) -> TraceSet {
        let mut set = TraceSet {
            format,
            gzipped,
            diagnostics,
            ..TraceSet::default()
        };
        for (i, s) in spans.iter().enumerate() {
            set.by_key.entry(s.key).or_insert(SpanIdx::from_index(i));
            set.by_span_id
                .entry(s.key.span_id)
                .or_insert(SpanIdx::from_index(i));
        }
        set.spans = spans;
        set.break_cycles(format.unwrap_or(Format::OtlpTracesBinary));
        set.link_children();
        set
    }

    /// Walk up from every span; a walk that meets itself is a cycle, broken at that span.
    fn break_cycles(&mut self, format: Format) {
        let n = self.spans.len();
        // 0 = unvisited, 1 = on the current walk, 2 = known to reach a root.
        let mut state = vec![0u8; n];
        for start in 0..n {
            let mut walk = Vec::new();
            let mut s = start as u32;
            while s != NONE && state[s as usize] == 0 {
                state[s as usize] = 1;
                walk.push(s);
                s = self.spans[s as usize].parent;
            }
            if s != NONE && state[s as usize] == 1 {
                self.spans[s as usize].parent = NONE;
                self.diagnostics.push(
                    format,
                    "span parent links form a cycle; the cycle was broken and the span made a root",
                );
            }
            for w in walk {
                state[w as usize] = 2;
            }
        }
    }

    fn link_children(&mut self) {
        let n = self.spans.len();
        self.children = vec![Vec::new(); n];
        self.roots.clear();
        for i in 0..n {
            match self.spans[i].parent {
                NONE => self.roots.push(SpanIdx::from_index(i)),
                p => self.children[p as usize].push(SpanIdx::from_index(i)),
            }
        }
        let spans = &self.spans;
        let by_start =
            |a: &SpanIdx, b: &SpanIdx| spans[a.index()].start.cmp(&spans[b.index()].start);
        self.roots.sort_by(by_start);
        for c in &mut self.children {
            c.sort_by(by_start);
        }
        // Depths, top-down from the roots (the parent graph is now a forest).
        let mut work: Vec<(SpanIdx, u32)> = self.roots.iter().map(|&r| (r, 0)).collect();
        while let Some((s, d)) = work.pop() {
            self.spans[s.index()].depth = d;
            work.extend(self.children[s.index()].iter().map(|&c| (c, d + 1)));
        }
    }

    /// Span `idx`, if there is one: an index from outside this set (a stale row, an
    /// address, a host page) may not be.
    pub fn span(&self, idx: SpanIdx) -> Option<&Span> {
        self.spans.get(idx.index())
    }

    /// The children of span `idx`, by start time; none for an index outside the set.
    pub fn children_of(&self, idx: SpanIdx) -> &[SpanIdx] {
        self.children.get(idx.index()).map_or(&[], Vec::as_slice)
    }

    /// The span with this trace and span id.
    pub fn find(&self, key: &SpanKey) -> Option<SpanIdx> {
        self.by_key.get(key).copied()
    }

    /// The first span whose span id matches (for links known only by span id).
    pub fn find_span_id(&self, span_id: &[u8; 8]) -> Option<SpanIdx> {
        self.by_span_id.get(span_id).copied()
    }

    /// The span a sample link points to: the exact (trace, span) pair, or, for a link with an
    /// all-zero trace id (pprof labels that give only a span id), the first span with that
    /// span id. The same rule as [`crate::ProfileSet::links_of`].
    pub fn resolve_link(&self, link: &SpanKey) -> Option<SpanIdx> {
        self.find(link).or_else(|| {
            (link.trace_id == [0; 16])
                .then(|| self.find_span_id(&link.span_id))
                .flatten()
        })
    }

    /// `span` and all its descendants, depth first.
    pub fn descendants(&self, span: SpanIdx) -> Vec<SpanIdx> {
        let mut out = Vec::new();
        let mut work = vec![span];
        while let Some(s) = work.pop() {
            out.push(s);
            work.extend(self.children[s.index()].iter().rev());
        }
        out
    }
}
