//! Folded (collapsed) stacks, as flamegraph.pl, inferno and `spanflame fold` write them:
//! one `root;caller;leaf value` line per stack.

use rustc_hash::FxHashMap;

use super::{Detect, Loaded, Options};
use crate::builder::{Builder, Row};
use crate::error::{At, Error, Format, Result};
use crate::model::{FrameId, FrameKind, Layout, ProfileInfo, SampleType, StackId};

/// Whether `bytes` look like folded stacks: UTF-8 text whose first non-empty lines end in
/// a space and an integer. NeedMore while there is no whole non-empty line to judge.
pub fn sniff(bytes: &[u8]) -> Detect {
    let Some((head, text)) = super::text_head(bytes) else {
        return Detect::No;
    };
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
    // The last line of the head may be cut; judge the complete ones.
    let complete: Vec<&str> = if head.len() < bytes.len() {
        let mut v: Vec<&str> = lines.collect();
        v.pop();
        v
    } else {
        lines.by_ref().collect()
    };
    let first: Vec<_> = complete.iter().take(20).map(|l| split_line(l)).collect();
    if complete.is_empty() {
        Detect::NeedMore
    } else if first.iter().all(Option::is_some)
        // Lines of empty stacks alone (` 2`) are numbers, not stacks.
        && first.iter().flatten().any(|(stack, _)| !stack.is_empty())
    {
        Detect::Yes
    } else {
        Detect::No
    }
}

fn split_line(line: &str) -> Option<(&str, i64)> {
    let line = line.trim_end();
    let (stack, value) = line.rsplit_once(' ')?;
    let value = value.parse().ok()?;
    let stack = stack.trim_end();
    // An empty stack (` 2`) is samples with no frames: they count toward the total.
    (!stack.starts_with('{')).then_some((stack, value))
}

/// Frames by name: each name is interned once.
#[derive(Default)]
struct Frames<'a>(FxHashMap<&'a str, FrameId>);

impl<'a> Frames<'a> {
    fn get(&mut self, b: &mut Builder<'_>, name: &'a str) -> FrameId {
        *self.0.entry(name).or_insert_with(|| {
            let function = b.function(name, "");
            b.frame(function, 0, FrameKind::Unknown)
        })
    }
}

/// The stack of the line before, a frame at a time, so that a line's stack is built from
/// where it parts from that one: flamegraph.pl and `spanflame fold` sort their lines, and
/// in the benchmark's M file a line repeats 87% of the bytes of the one before.
#[derive(Default)]
struct PreviousLine<'a> {
    text: &'a str,
    /// Where each frame's name ends in `text`.
    ends: Vec<usize>,
    /// The stack up to each frame.
    stacks: Vec<StackId>,
}

impl<'a> PreviousLine<'a> {
    /// The stack of `text` (`root;...;leaf`), root first; `None` when empty.
    fn stack_of(
        &mut self,
        b: &mut Builder<'_>,
        frames: &mut Frames<'a>,
        text: &'a str,
    ) -> Option<StackId> {
        if text.is_empty() {
            *self = PreviousLine::default();
            return None;
        }
        let common = common_prefix(text.as_bytes(), self.text.as_bytes());
        // The frames of the line before that this one shares: a name that ends before the
        // first difference is followed by `;` in both lines, and one that ends at it must
        // end this line's name too.
        let mut shared = self.ends.partition_point(|&end| end < common);
        if self.ends.get(shared) == Some(&common)
            && (common == text.len() || text.as_bytes()[common] == b';')
        {
            shared += 1;
        }
        self.ends.truncate(shared);
        self.stacks.truncate(shared);
        self.text = text;
        let start = match self.ends.last() {
            Some(&end) if end == text.len() => return self.stacks.last().copied(),
            Some(&end) => end + 1,
            None => 0,
        };
        let max = b.max_depth();
        if self.stacks.len() + text[start..].matches(';').count() + 1 > max {
            // Deeper than the limit: the builder cuts it at the root side, and says so.
            return self.whole(b, frames, text);
        }
        let mut at = start;
        for name in text[start..].split(';') {
            let frame = frames.get(b, name);
            let stack = b.child_stack(self.stacks.last().copied(), frame);
            at += name.len();
            self.ends.push(at);
            self.stacks.push(stack);
            at += 1;
        }
        self.stacks.last().copied()
    }

    /// The stack of `text` built whole (one too deep to share frames with), after which
    /// the next line shares none.
    fn whole(
        &mut self,
        b: &mut Builder<'_>,
        frames: &mut Frames<'a>,
        text: &'a str,
    ) -> Option<StackId> {
        *self = PreviousLine::default();
        let ids: Vec<FrameId> = text.split(';').map(|name| frames.get(b, name)).collect();
        b.stack(&ids)
    }
}

/// How many bytes `a` and `b` start with alike, compared eight at a time (lines share
/// kilobytes).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let words = (a.as_chunks::<8>().0.iter())
        .zip(b.as_chunks::<8>().0)
        .take_while(|(x, y)| u64::from_ne_bytes(**x) == u64::from_ne_bytes(**y))
        .count();
    let at = words * 8;
    at + a[at..]
        .iter()
        .zip(&b[at..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Read folded stacks into a one-profile set of `samples/count`.
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::malformed(
            Format::Folded,
            At::Byte(e.valid_up_to() as u64),
            "not UTF-8 text",
        )
    })?;
    let mut b = Builder::new(Format::Folded, &options.limits);
    b.begin_profile(
        ProfileInfo::default(),
        SampleType {
            name: "samples".into(),
            unit: "count".into(),
        },
    );
    b.resource(Default::default());
    let mut frames = Frames::default();
    let mut previous = PreviousLine::default();
    let mut no_attrs = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (stack, value) = split_line(line).ok_or_else(|| {
            Error::malformed(
                Format::Folded,
                At::Line(n + 1),
                "expected `frame;frame;... value` with an integer value",
            )
        })?;
        let stack = previous.stack_of(&mut b, &mut frames, stack);
        let attrs = *no_attrs.get_or_insert_with(|| b.attr_set(Vec::new()));
        b.row(Row {
            stack,
            value,
            time: 0,
            link: None,
            attrs,
        })?;
    }
    Ok(Loaded::Profiles(b.finish(Layout::NotOtlp)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Filter;

    fn load(bytes: &[u8]) -> Result<crate::ProfileSet> {
        match parse(bytes, &Options::default())? {
            Loaded::Profiles(set) => Ok(set),
            Loaded::Traces(_) => panic!("folded stacks read as traces"),
        }
    }

    #[test]
    fn reads_what_fold_writes() {
        let text = "main;a;b 3\nmain;c 1\n\nmain;a 2\n";
        assert_eq!(sniff(text.as_bytes()), Detect::Yes);
        let set = load(text.as_bytes()).unwrap();
        let folded = set.folded(&Filter::default());
        assert_eq!(
            folded,
            vec![
                ("main;a".to_owned(), 2),
                ("main;a;b".to_owned(), 3),
                ("main;c".to_owned(), 1)
            ]
        );
        assert_eq!(set.call_tree(&Filter::default()).total(), 6);
    }

    /// Each line's stack is built from where it parts from the line before: names that
    /// only start alike, repeated and shorter lines, empty stacks and names all give the
    /// stacks the lines say.
    #[test]
    fn lines_share_only_whole_frames_with_the_line_before() {
        let text = "main;a;b 1\nmain;a;bc 2\nmain;a 3\nmain;ab;c 4\nmain;a;b 5\n\
                    main;a;b;c 6\nmain 7\n 8\nx;;y 9\nx; 10\nmain;a;b 11\n;a 12\n 13\n";
        let set = load(text.as_bytes()).unwrap();
        let mut folded = set.folded(&Filter::default());
        folded.sort();
        let expected = [
            ("(no stack)", 21),
            (";a", 12),
            ("main", 7),
            ("main;a", 3),
            ("main;a;b", 17),
            ("main;a;b;c", 6),
            ("main;a;bc", 2),
            ("main;ab;c", 4),
            ("x;", 10),
            ("x;;y", 9),
        ];
        let expected: Vec<(String, i64)> =
            expected.iter().map(|&(s, v)| (s.to_owned(), v)).collect();
        assert_eq!(folded, expected);
        assert_eq!(set.call_tree(&Filter::default()).total(), 91);
        // Each distinct path once: main, main;a, main;a;b, main;a;bc, main;ab,
        // main;ab;c, main;a;b;c, x, x;, x;;y, (empty), ;a.
        assert_eq!(set.stacks.len(), 12);
    }

    proptest::proptest! {
        /// Whatever the lines, sorted or not, each stack is the line's own: the graph
        /// holds per stack what the lines say, summed.
        #[test]
        fn shared_prefixes_never_change_a_stack(
            lines in proptest::collection::vec(
                (proptest::collection::vec("|a|b|ab|ba", 0..6), 1i64..100),
                0..40,
            ),
            sorted in proptest::bool::ANY,
        ) {
            let mut lines: Vec<(String, i64)> =
                lines.into_iter().map(|(names, v)| (names.join(";"), v)).collect();
            if sorted {
                lines.sort();
            }
            let text: String = lines.iter().map(|(s, v)| format!("{s} {v}\n")).collect();
            let mut expected = std::collections::BTreeMap::<String, i64>::new();
            for (stack, v) in &lines {
                let name = if stack.is_empty() { "(no stack)" } else { stack };
                *expected.entry(name.to_owned()).or_default() += v;
            }
            let set = load(text.as_bytes()).unwrap();
            let got: std::collections::BTreeMap<String, i64> =
                set.folded(&Filter::default()).into_iter().collect();
            proptest::prop_assert_eq!(got, expected);
        }
    }

    /// A line deeper than the limit is cut at the root side, and the lines after it still
    /// read right.
    #[test]
    fn a_line_over_the_depth_limit_is_cut_at_the_root() {
        let options = Options::new(crate::Limits {
            max_stack_depth: 3,
            ..crate::Limits::default()
        });
        let text = "a;b 1\na;b;c;d;e 2\na;b;c 3\n";
        let Ok(Loaded::Profiles(set)) = parse(text.as_bytes(), &options) else {
            panic!("folded stacks");
        };
        let mut folded = set.folded(&Filter::default());
        folded.sort();
        assert_eq!(
            folded,
            [
                ("(truncated);d;e".to_owned(), 2),
                ("a;b".to_owned(), 1),
                ("a;b;c".to_owned(), 3)
            ]
        );
        assert!(
            set.diagnostics
                .iter()
                .any(|d| d.message.contains("truncated"))
        );
    }

    #[test]
    fn rejects_what_is_not_folded() {
        assert_eq!(sniff(b"{\"a\": 1}"), Detect::No);
        assert_eq!(sniff(b"hello world"), Detect::No);
        // A first line longer than a small sniffing window is still recognised.
        let deep = format!("{} 7\nmain 1\n", vec!["frame"; 3000].join(";"));
        assert_eq!(sniff(deep.as_bytes()), Detect::Yes);
        assert_eq!(sniff(b"\x00\x01\x02 3"), Detect::No);
        // Blank lines alone prove nothing either way.
        assert_eq!(sniff(b"\n  \n"), Detect::NeedMore);
        let e = load(b"main;a 1\nbroken line\n").unwrap_err();
        assert_eq!(e.at, At::Line(2));
    }
}
