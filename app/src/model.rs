//! What the app shows, computed once from a loaded file with `spanflame_core`.
//!
//! The view model is plain owned data (`Send + Sync`), so it can live in signals and be
//! shared between the canvas, the DOM mirror and the table.

use std::collections::HashMap;
use std::sync::Arc;

use spanflame_core::{CallTree, Filter, FlameLayout, Limits, Loaded, ProfileSet};

/// The header line: what was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Where the bytes came from (a URL or a file name).
    pub source: String,
    /// The detected input format, e.g. "OTLP profiles (protobuf)".
    pub format: String,
    /// Name of the sample type shown, e.g. "samples".
    pub sample_type: String,
    /// Its unit, e.g. "count".
    pub unit: String,
    /// Total weight of the call tree, in `unit`.
    pub total: i64,
}

/// One frame of the flame graph: a call-tree node with its place in the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Function name.
    pub name: Arc<str>,
    /// Row; root frames are at depth 0.
    pub depth: u32,
    /// Left edge, as a share of the total (0..=1).
    pub x0: f64,
    /// Right edge, as a share of the total (0..=1).
    pub x1: f64,
    /// Weight of samples whose leaf is this node.
    pub self_weight: i64,
    /// Weight of this node and everything below it.
    pub total_weight: i64,
}

/// A row of the "top functions" table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRow {
    /// Function name.
    pub name: Arc<str>,
    /// Source file (may be empty).
    pub file: Arc<str>,
    /// Weight of the samples where the function is the leaf.
    pub self_weight: i64,
    /// Weight of the samples with this function anywhere on the stack (recursion counted once).
    pub total_weight: i64,
}

/// Everything the profile view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileModel {
    /// Header summary.
    pub summary: Summary,
    /// Flame graph frames, in layout order.
    pub frames: Vec<Frame>,
    /// Number of rows (max depth + 1; 0 when there are no samples).
    pub rows: u32,
    /// Functions sorted by self weight (descending), then total weight (descending).
    pub functions: Vec<FunctionRow>,
}

impl ProfileModel {
    /// Loads a file's bytes with the core and builds the model of its first sample type.
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Self, String> {
        match spanflame_core::load(bytes, &Limits::default()) {
            Ok(Loaded::Profiles(set)) => Ok(Self::from_profiles(&set, source)),
            Ok(_) => Err(format!(
                "{source} holds traces, not profiles: open a profile file to see a flame graph."
            )),
            Err(error) => Err(format!("Could not read {source}: {error}")),
        }
    }

    /// Builds the model of the first sample type of `set`, unfiltered.
    pub fn from_profiles(set: &ProfileSet, source: &str) -> Self {
        let filter = Filter::default();
        let tree = set.call_tree(&filter);
        let (sample_type, unit) = set
            .sample_types()
            .get(filter.sample_type)
            .map(|t| (t.name.clone(), t.unit.clone()))
            .unwrap_or_default();
        let summary = Summary {
            source: source.to_owned(),
            format: set.format().to_string(),
            sample_type,
            unit,
            total: tree.total(),
        };
        let layout = FlameLayout::new(&tree);
        let frames = frames(&tree, &layout);
        let functions = tree
            .function_stats()
            .into_iter()
            .map(|f| FunctionRow {
                name: f.name.into(),
                file: f.file.into(),
                self_weight: f.self_weight,
                total_weight: f.total_weight,
            })
            .collect();
        ProfileModel {
            summary,
            frames,
            rows: layout.depth_count(),
            functions,
        }
    }
}

/// The laid-out frames of `tree`, names interned once.
fn frames(tree: &CallTree, layout: &FlameLayout) -> Vec<Frame> {
    let mut names: HashMap<&str, Arc<str>> = HashMap::new();
    layout
        .rects()
        .iter()
        .map(|r| {
            let name = tree.name(r.node);
            let name = names.entry(name).or_insert_with(|| Arc::from(name)).clone();
            Frame {
                name,
                depth: r.depth,
                x0: r.x0,
                x1: r.x1,
                self_weight: tree.self_weight(r.node),
                total_weight: tree.total_weight(r.node),
            }
        })
        .collect()
}
