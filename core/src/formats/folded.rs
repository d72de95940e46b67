//! Folded (collapsed) stacks, as flamegraph.pl, inferno and `spanflame fold` write them:
//! one `root;caller;leaf value` line per stack.

use super::{Detect, Loaded, Options};
use crate::builder::{Builder, Row};
use crate::error::{At, Error, Format, Result};
use crate::model::{FrameKind, Layout, ProfileInfo, SampleType};

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
    let mut frames = Vec::new();
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
        frames.clear();
        for name in stack.split(';').filter(|_| !stack.is_empty()) {
            let f = b.function(name, "");
            frames.push(b.frame(f, 0, FrameKind::Unknown));
        }
        let stack = if frames.is_empty() {
            None
        } else {
            b.stack(&frames)
        };
        let attrs = b.attr_set(Vec::new());
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
