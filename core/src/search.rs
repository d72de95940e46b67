//! Searching a call tree by function name.
//!
//! The predicate is the caller's: [`substring`] gives the usual case-insensitive match, and
//! the browser app passes a JavaScript `RegExp` for regular expressions (the engine users
//! already know, and no regex engine in the `.wasm`). It runs once per distinct name.

use crate::tree::{CallTree, NodeId};

/// Which nodes of a tree match a search, and how much weight they cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchHits {
    matched: Vec<bool>,
    /// Matching nodes (frames of the flame graph).
    pub frames: usize,
    /// Distinct matching function names.
    pub functions: usize,
    /// Weight of the samples under a matching frame. A sample under several matching frames
    /// (recursion, or `a` calling `ab`) counts once, so this never exceeds the total.
    pub weight: i64,
}

impl SearchHits {
    /// Whether `node` matches.
    pub fn is_match(&self, node: NodeId) -> bool {
        self.matched.get(node.index()).copied().unwrap_or(false)
    }

    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.frames == 0
    }
}

/// Match every node of `tree` (but the root) whose function name satisfies `is_match`.
pub fn search(tree: &CallTree, mut is_match: impl FnMut(&str) -> bool) -> SearchHits {
    let n = tree.len();
    let mut matched = vec![false; n];
    // Under a matching node (itself included): its weight is already counted.
    let mut covered = vec![false; n];
    // Per name id: None = not tried yet.
    let mut by_name: Vec<Option<bool>> = Vec::new();
    let mut hits = SearchHits::default();
    for node in tree.nodes().skip(1) {
        let id = tree.name_id(node).index();
        if by_name.len() <= id {
            by_name.resize(id + 1, None);
        }
        let hit = match by_name[id] {
            Some(hit) => hit,
            None => {
                let hit = is_match(tree.name(node));
                by_name[id] = Some(hit);
                hits.functions += usize::from(hit);
                hit
            }
        };
        // Parents have smaller ids than children, so the parent is already done.
        let parent_covered = tree.parent(node).is_some_and(|p| covered[p.index()]);
        matched[node.index()] = hit;
        covered[node.index()] = hit || parent_covered;
        if hit {
            hits.frames += 1;
            if !parent_covered {
                hits.weight += tree.total_weight(node);
            }
        }
    }
    hits.matched = matched;
    hits
}

/// A case-insensitive substring predicate. An empty needle matches nothing (an empty
/// search box means "no search", not "everything").
pub fn substring(needle: &str) -> impl Fn(&str) -> bool + use<> {
    let ascii = needle.is_ascii();
    let needle = needle.to_lowercase();
    move |haystack: &str| {
        if needle.is_empty() {
            return false;
        }
        if ascii && haystack.is_ascii() {
            let (h, n) = (haystack.as_bytes(), needle.as_bytes());
            h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
        } else {
            haystack.to_lowercase().contains(&needle)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Filter, Limits, Loaded, load};

    fn demo_tree() -> CallTree {
        let bytes = include_bytes!("../../public/demo/profile.binpb");
        let Ok(Loaded::Profiles(set)) = load(bytes, &Limits::default()) else {
            panic!("the demo loads")
        };
        set.call_tree(&Filter::default())
    }

    #[test]
    fn substring_is_case_insensitive_and_empty_matches_nothing() {
        let m = substring("Hash");
        assert!(m("hash_loop"));
        assert!(m("HASH"));
        assert!(!m("has"));
        assert!(!substring("")("anything"));
        assert!(substring("ÄB")("xäbx"));
    }

    #[test]
    fn recursive_matches_count_once() {
        let tree = demo_tree();
        // fib recurses up to 20 deep; its weight is its 12 samples, once.
        let hits = search(&tree, substring("fib"));
        assert_eq!(hits.weight, 12);
        assert_eq!(hits.functions, 1);
        assert!(hits.frames > 20, "{} fib frames", hits.frames);
        let node = (tree.nodes().skip(1))
            .find(|&n| tree.name(n) == "fib")
            .unwrap();
        assert!(hits.is_match(node));
        assert!(!hits.is_match(CallTree::ROOT));
    }

    #[test]
    fn nested_different_functions_count_once() {
        let tree = demo_tree();
        // handle_request (165 samples) contains fib and hash_loop: still 165 + the rest.
        let hits = search(&tree, |name| name == "handle_request" || name == "fib");
        let handle = search(&tree, |name| name == "handle_request").weight;
        let worker_fib = 8;
        assert_eq!(hits.weight, handle + worker_fib);
        assert_eq!(hits.functions, 2);
        assert!(hits.weight <= tree.total());
        assert!(search(&tree, substring("no such function")).is_empty());
    }
}
