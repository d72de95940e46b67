//! Frame colours: by package (a stable hash of the namespace), by frame kind, or by self
//! weight, in palettes that stay readable for colour-blind people and on dark backgrounds.
//!
//! Colours are plain [`Rgb`] values; the app turns them into CSS strings. A package's colour
//! depends only on its name, so `java.util` keeps its colour across files and sessions.

use rustc_hash::FxHashMap;

use crate::model::{FrameKind, StringId};
pub use crate::package::package_of;
use crate::tree::CallTree;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Rgb {
    /// From `0xrrggbb`.
    pub const fn hex(v: u32) -> Rgb {
        Rgb {
            r: (v >> 16) as u8,
            g: (v >> 8) as u8,
            b: v as u8,
        }
    }

    /// CSS `#rrggbb`.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// `self` moved `t` (0..=1) of the way towards `other`.
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb {
            r: m(self.r, other.r),
            g: m(self.g, other.g),
            b: m(self.b, other.b),
        }
    }

    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.r) + 0.7152 * lin(self.g) + 0.0722 * lin(self.b)
    }

    /// Dark or light label colour, whichever contrasts more with this fill.
    pub fn text(self) -> Rgb {
        // The luminance where black and white text have equal contrast.
        if self.luminance() > 0.179 {
            DARK_TEXT
        } else {
            LIGHT_TEXT
        }
    }
}

/// Label colour on light fills.
pub const DARK_TEXT: Rgb = Rgb::hex(0x15181c);
/// Label colour on dark fills.
pub const LIGHT_TEXT: Rgb = Rgb::hex(0xf3f4f6);

/// What decides a frame's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourMode {
    /// A stable hash of the package, module, crate or namespace.
    #[default]
    Package,
    /// Kernel, native, interpreted/JIT, JIT compiled, inlined or unknown, each runtime
    /// (`cpython`, `jvm`, `go`, ...) a shade of its kind's colour.
    Kind,
    /// How much of its own time the frame spends (not in callees): hot frames stand out.
    SelfWeight,
}

/// The hues used for packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    /// Classic flame-graph reds, oranges and yellows.
    #[default]
    Warm,
    /// Paul Tol's "light" qualitative scheme, told apart under all common colour-vision
    /// deficiencies.
    ColourBlind,
}

/// Paul Tol's "light" scheme without its pale grey (kept for merged frames).
const TOL_LIGHT: [Rgb; 8] = [
    Rgb::hex(0x77aadd),
    Rgb::hex(0x99ddff),
    Rgb::hex(0x44bb99),
    Rgb::hex(0xbbcc33),
    Rgb::hex(0xaaaa00),
    Rgb::hex(0xeedd88),
    Rgb::hex(0xee8866),
    Rgb::hex(0xffaabb),
];

/// Paul Tol's "muted" scheme, for dark backgrounds.
const TOL_MUTED: [Rgb; 9] = [
    Rgb::hex(0xcc6677),
    Rgb::hex(0x332288),
    Rgb::hex(0xddcc77),
    Rgb::hex(0x117733),
    Rgb::hex(0x88ccee),
    Rgb::hex(0x882255),
    Rgb::hex(0x44aa99),
    Rgb::hex(0x999933),
    Rgb::hex(0xaa4499),
];

/// Okabe–Ito colours for frame kinds: safe for colour-blind readers, with dark labels in
/// both themes.
pub fn kind_colour(kind: FrameKind, _dark: bool) -> Rgb {
    match kind {
        FrameKind::Kernel => Rgb::hex(0xe69f00),
        FrameKind::Native => Rgb::hex(0x56b4e9),
        FrameKind::Interpreted => Rgb::hex(0x009e73),
        FrameKind::Jit => Rgb::hex(0xf0e442),
        FrameKind::Inlined => Rgb::hex(0xcc79a7),
        FrameKind::Unknown => Rgb::hex(0xbbbbbb),
    }
}

/// The colour of a frame of kind `kind` whose `profile.frame.type` is `frame_type`: the
/// kind's colour, its hue turned a few steps for each runtime so that `cpython` and `jvm`,
/// or `native` and `go`, tell apart while each stays in its kind's family. Without a frame
/// type, or for the one the kind is named after, it is [`kind_colour`].
pub fn runtime_colour(kind: FrameKind, frame_type: &str, dark: bool) -> Rgb {
    let base = kind_colour(kind, dark);
    // Fixed steps for the well-known values, so none of them share a shade.
    let step: i32 = match frame_type {
        "" | "kernel" | "native" | "cpython" => 0,
        "go" | "jvm" => 2,
        "rust" | "v8js" => -2,
        "perl" => 1,
        "dotnet" => -1,
        "php" => 3,
        "ruby" => -3,
        "beam" => 4,
        "luajit" => -4,
        other => (fnv1a(other) % 9) as i32 - 4,
    };
    if step == 0 {
        return base;
    }
    let (h, s, l) = to_hsl(base);
    readable(
        hsl((h + 9.0 * f64::from(step)).rem_euclid(360.0), s, l),
        false,
    )
}

/// The colour for frames merged because each is narrower than a pixel.
pub fn merged_colour(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0x3b4048)
    } else {
        Rgb::hex(0xd3d6da)
    }
}

/// Sequential ColorBrewer YlOrBr (colour-blind safe): `t` = 0 is cool, 1 is hot. The same
/// light ramp in both themes: a ramp into dark colours would pass through shades no label
/// colour reads well on.
pub fn heat_colour(t: f64, _dark: bool) -> Rgb {
    // Stops past orange would make labels hard to read on either text colour.
    const STOPS: [Rgb; 4] = [
        Rgb::hex(0xfff7bc),
        Rgb::hex(0xfee391),
        Rgb::hex(0xfec44f),
        Rgb::hex(0xec7014),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    STOPS[i].mix(STOPS[i + 1], t - i as f64)
}

/// A change of share at which the diff colours are fully saturated: 5 percentage points.
pub const DIFF_FULL: f64 = 0.05;

/// The colour of a frame in a differential flame graph, by `delta`, the change of its share
/// of the total ([`crate::diff::NodeDiff::delta`]): red where it grew, blue where it shrank
/// (ColorBrewer RdBu, readable with red-green colour blindness), grey inside the neutral
/// band ([`crate::diff::NEUTRAL_BAND`]). Past the band the tint starts visible and deepens
/// up to [`DIFF_FULL`]. The ramps are the same in both themes; only the grey follows it.
pub fn diff_colour(delta: f64, dark: bool) -> Rgb {
    use crate::diff::NEUTRAL_BAND;
    if !delta.is_finite() || delta.abs() < NEUTRAL_BAND {
        return diff_neutral(dark);
    }
    let t = ((delta.abs() - NEUTRAL_BAND) / (DIFF_FULL - NEUTRAL_BAND)).clamp(0.0, 1.0);
    let t = 0.25 + 0.75 * t;
    let stops = if delta > 0.0 {
        [Rgb::hex(0xfddbc7), Rgb::hex(0xef8a62), Rgb::hex(0xb2182b)]
    } else {
        [Rgb::hex(0xd1e5f0), Rgb::hex(0x67a9cf), Rgb::hex(0x2166ac)]
    };
    if t <= 0.5 {
        stops[0].mix(stops[1], t * 2.0)
    } else {
        stops[1].mix(stops[2], t * 2.0 - 1.0)
    }
}

/// The grey of frames whose share did not change (inside the neutral band).
pub fn diff_neutral(dark: bool) -> Rgb {
    if dark {
        Rgb::hex(0x5b6068)
    } else {
        Rgb::hex(0xd9d9d9)
    }
}

/// The diff legend: swatches and what they mean, shrank to grew.
pub fn diff_legend(dark: bool) -> Vec<(Rgb, String)> {
    let band = crate::diff::NEUTRAL_BAND * 100.0;
    let full = DIFF_FULL * 100.0;
    vec![
        (
            diff_colour(-DIFF_FULL, dark),
            format!("share shrank ≥ {full} pp"),
        ),
        (
            diff_colour(-2.0 * crate::diff::NEUTRAL_BAND, dark),
            "shrank".to_owned(),
        ),
        (diff_neutral(dark), format!("unchanged (within ±{band} pp)")),
        (
            diff_colour(2.0 * crate::diff::NEUTRAL_BAND, dark),
            "grew".to_owned(),
        ),
        (
            diff_colour(DIFF_FULL, dark),
            format!("share grew ≥ {full} pp"),
        ),
    ]
}

/// Colours of every node of a diff's comparison tree, by [`diff_colour`].
pub fn diff_node_colours(diff: &crate::diff::Diff, dark: bool) -> Vec<Rgb> {
    diff.comparison()
        .nodes()
        .map(|n| diff_colour(diff.node(n).delta(), dark))
        .collect()
}

/// The colour of a package name (what the legend shows).
pub fn package_colour(package: &str, palette: Palette, dark: bool) -> Rgb {
    function_colour(package, None, palette, dark)
}

/// The colour of a function: its package picks the hue, and its own name a small shift in
/// hue and lightness, so neighbouring frames of one package stay apart while the package
/// still reads as one colour. Dark themes get deep fills with light labels.
pub fn function_colour(package: &str, name: Option<&str>, palette: Palette, dark: bool) -> Rgb {
    let hash = fnv1a(package);
    // Two independent -2..=2 steps from the name; 0 for the package itself.
    let (shade, tint) = name.map_or((0.0, 0.0), |n| {
        let h = fnv1a(n);
        (f64::from(h % 5) - 2.0, f64::from((h >> 8) % 5) - 2.0)
    });
    match palette {
        Palette::Warm => {
            // Red .. amber; dark themes stop at orange, as deep yellows turn olive.
            let span = if dark { 32 } else { 44 };
            let hue = 4.0 + f64::from(hash % span) + tint * 2.0;
            let sat = 0.62 + f64::from((hash >> 8) % 24) / 100.0;
            let base = if dark { 0.33 } else { 0.70 };
            let light = base + f64::from((hash >> 16) % 5) / 100.0 + shade * 0.022;
            readable(hsl(hue, sat, light), dark)
        }
        Palette::ColourBlind => {
            let scheme: &[Rgb] = if dark { &TOL_MUTED } else { &TOL_LIGHT };
            let base = scheme[(hash % scheme.len() as u32) as usize];
            // Lighter for light fills, darker for dark ones: the label keeps its contrast.
            let dark_fill = base.luminance() < 0.2;
            let towards = if dark_fill { 0x000000 } else { 0xffffff };
            readable(base.mix(Rgb::hex(towards), (shade + 2.0) * 0.05), dark_fill)
        }
    }
}

/// `c` moved out of the middle luminances, where neither label colour reads well: down to
/// a dark fill (light label) or up to a light one (dark label).
fn readable(c: Rgb, dark_fill: bool) -> Rgb {
    // Luminances giving a WCAG contrast of 5 or more with LIGHT_TEXT and DARK_TEXT.
    const DARK_MAX: f64 = 0.13;
    const LIGHT_MIN: f64 = 0.28;
    let (towards, ok): (Rgb, fn(f64) -> bool) = if dark_fill {
        (Rgb::hex(0x000000), |l| l <= DARK_MAX)
    } else {
        (Rgb::hex(0xffffff), |l| l >= LIGHT_MIN)
    };
    (0..=20)
        .map(|step| c.mix(towards, f64::from(step) * 0.05))
        .find(|m| ok(m.luminance()))
        .unwrap_or(towards)
}

/// Hue (degrees), saturation and lightness of a colour; the inverse of [`hsl`].
fn to_hsl(c: Rgb) -> (f64, f64, f64) {
    let [r, g, b] = [c.r, c.g, c.b].map(|v| f64::from(v) / 255.0);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let l = (max + min) / 2.0;
    let d = max - min;
    if d == 0.0 {
        return (0.0, 0.0, l);
    }
    let s = d / (1.0 - (2.0 * l - 1.0).abs());
    let h = if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (h, s, l)
}

fn hsl(h: f64, s: f64, l: f64) -> Rgb {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb {
        r: to(r),
        g: to(g),
        b: to(b),
    }
}

/// 32-bit FNV-1a: small, and stable across runs and platforms.
pub fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Colours of every node of `tree` (the root's is unused).
pub fn node_colours(tree: &CallTree, mode: ColourMode, palette: Palette, dark: bool) -> Vec<Rgb> {
    match mode {
        ColourMode::Package => {
            // Each distinct function once: cached by name id (and file, which rarely differs).
            // Ids, not strings, are compared per node: this loop runs over every node.
            let mut cache: Vec<Option<(StringId, FrameKind, Rgb)>> = Vec::new();
            tree.nodes()
                .map(|node| {
                    let (file, kind) = (tree.file_id(node), tree.kind(node));
                    let id = tree.name_id(node).index();
                    if cache.len() <= id {
                        cache.resize(id + 1, None);
                    }
                    match cache[id] {
                        Some((f, k, c)) if f == file && k == kind => c,
                        _ => {
                            let name = tree.name(node);
                            let c = function_colour(
                                package_of(name, tree.file(node), kind),
                                Some(name),
                                palette,
                                dark,
                            );
                            cache[id] = Some((file, kind, c));
                            c
                        }
                    }
                })
                .collect()
        }
        ColourMode::Kind => {
            // One colour per (frame type, kind), cached by the frame type's string id.
            let mut cache: Vec<Option<(FrameKind, Rgb)>> = Vec::new();
            tree.nodes()
                .map(|node| {
                    let (id, kind) = (tree.frame_type_id(node).index(), tree.kind(node));
                    if cache.len() <= id {
                        cache.resize(id + 1, None);
                    }
                    match cache[id] {
                        Some((k, c)) if k == kind => c,
                        _ => {
                            let c = runtime_colour(kind, tree.frame_type(node), dark);
                            cache[id] = Some((kind, c));
                            c
                        }
                    }
                })
                .collect()
        }
        ColourMode::SelfWeight => {
            let max = (tree.nodes().skip(1))
                .map(|node| tree.self_weight(node))
                .max()
                .unwrap_or(0);
            tree.nodes()
                .map(|node| {
                    let t = if max > 0 {
                        (tree.self_weight(node).max(0) as f64 / max as f64).sqrt()
                    } else {
                        0.0
                    };
                    heat_colour(t, dark)
                })
                .collect()
        }
    }
}

/// The (kind, frame type) pairs of the tree's frames, heaviest self weight first: the legend
/// of [`ColourMode::Kind`]. Empty when no frame says its frame type (the legend then lists
/// the four kinds).
pub fn runtimes(tree: &CallTree) -> Vec<(FrameKind, String, i64)> {
    // Per node a lookup by frame type id (not a hash of its string): this loop runs over
    // every node of the tree, a brush's hundreds of thousands.
    let mut slot_of: Vec<Option<(FrameKind, u32)>> = Vec::new();
    let mut slots: Vec<((FrameKind, &str), i64)> = Vec::new();
    let mut index: FxHashMap<(FrameKind, &str), u32> = FxHashMap::default();
    for node in tree.nodes().skip(1) {
        let (id, kind) = (tree.frame_type_id(node).index(), tree.kind(node));
        if slot_of.len() <= id {
            slot_of.resize(id + 1, None);
        }
        let slot = match slot_of[id] {
            Some((k, slot)) if k == kind => slot,
            _ => {
                let key = (kind, tree.frame_type(node));
                let next = slots.len() as u32;
                let slot = *index.entry(key).or_insert_with(|| {
                    slots.push((key, 0));
                    next
                });
                slot_of[id] = Some((kind, slot));
                slot
            }
        };
        let w = &mut slots[slot as usize].1;
        *w = w.saturating_add(tree.self_weight(node));
    }
    if slots.iter().all(|((_, t), _)| t.is_empty()) {
        return Vec::new();
    }
    let mut out: Vec<(FrameKind, String, i64)> = slots
        .into_iter()
        .map(|((k, t), w)| (k, t.to_owned(), w))
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    out
}

/// The packages carrying the most self weight, heaviest first, with their weight: the
/// legend of [`ColourMode::Package`].
pub fn top_packages(tree: &CallTree, limit: usize) -> Vec<(String, i64)> {
    // A function's package once, cached by name id (and file and kind, which rarely differ
    // for one name), not worked out and hashed per node: this loop runs over every node.
    let mut slot_of: Vec<Option<(StringId, FrameKind, u32)>> = Vec::new();
    let mut slots: Vec<(&str, i64)> = Vec::new();
    let mut index: FxHashMap<&str, u32> = FxHashMap::default();
    for node in tree.nodes().skip(1) {
        let weight = tree.self_weight(node);
        if weight == 0 {
            continue;
        }
        let (file, kind) = (tree.file_id(node), tree.kind(node));
        let id = tree.name_id(node).index();
        if slot_of.len() <= id {
            slot_of.resize(id + 1, None);
        }
        let slot = match slot_of[id] {
            Some((f, k, slot)) if f == file && k == kind => slot,
            _ => {
                let pkg = package_of(tree.name(node), tree.file(node), kind);
                let next = slots.len() as u32;
                let slot = *index.entry(pkg).or_insert_with(|| {
                    slots.push((pkg, 0));
                    next
                });
                slot_of[id] = Some((file, kind, slot));
                slot
            }
        };
        slots[slot as usize].1 += weight;
    }
    let mut out: Vec<(String, i64)> = slots.into_iter().map(|(p, w)| (p.to_owned(), w)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str) -> &str {
        package_of(name, "", FrameKind::Unknown)
    }

    #[test]
    fn packages_by_language() {
        assert_eq!(pkg("java.util.HashMap.get"), "java.util");
        assert_eq!(
            pkg("java.util.concurrent.ThreadPoolExecutor.runWorker"),
            "java.util.concurrent"
        );
        assert_eq!(
            pkg("com.acme.shop.CheckoutService.checkout"),
            "com.acme.shop"
        );
        assert_eq!(
            pkg("org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun"),
            "org.apache.tomcat"
        );
        assert_eq!(pkg("core::ptr::drop_in_place<alloc::vec::Vec<u8>>"), "core");
        assert_eq!(
            pkg("<alloc::vec::Vec<T> as core::ops::Drop>::drop"),
            "alloc"
        );
        assert_eq!(pkg("tokio::runtime::task::harness::poll"), "tokio");
        assert_eq!(pkg("std::__1::vector<int>::push_back"), "std");
        assert_eq!(
            pkg("github.com/acme/shop/cart.(*Cart).Add"),
            "github.com/acme/shop/cart"
        );
        assert_eq!(pkg("net/http.(*conn).serve"), "net/http");
        assert_eq!(pkg("runtime.mallocgc"), "runtime");
        assert_eq!(pkg("runtime.(*mheap).alloc"), "runtime");
        assert_eq!(pkg("libc.so.6+0x9a8b"), "libc.so.6");
        assert_eq!(pkg("Module._compile"), "Module");
        assert_eq!(pkg("memcpy"), "memcpy");
        assert_eq!(pkg("<module>"), "<module>");
        assert_eq!(
            package_of(
                "get",
                "/venv/lib/python3.12/site-packages/requests/api.py",
                FrameKind::Interpreted
            ),
            "requests"
        );
        assert_eq!(
            package_of(
                "_bootstrap",
                "/usr/lib/python3.11/threading.py",
                FrameKind::Interpreted
            ),
            "threading"
        );
        assert_eq!(package_of("do_syscall_64", "", FrameKind::Kernel), "kernel");
    }

    #[test]
    fn colours_are_stable_and_grouped_by_package() {
        let a = package_colour(pkg("java.util.HashMap.get"), Palette::Warm, false);
        let b = package_colour(pkg("java.util.ArrayList.add"), Palette::Warm, false);
        let c = package_colour(pkg("com.acme.Shop.run"), Palette::Warm, false);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        // Pinned: a colour must not change between releases.
        assert_eq!(
            package_colour("java.util", Palette::Warm, false),
            package_colour("java.util", Palette::Warm, false)
        );
        for p in [Palette::Warm, Palette::ColourBlind] {
            for dark in [false, true] {
                let fill = package_colour("x", p, dark);
                assert_ne!(fill.text(), fill, "labels contrast with fills");
            }
        }
    }

    #[test]
    fn labels_contrast_with_fills() {
        // WCAG contrast ratio of the chosen label colour is at least 4.5 for every palette colour.
        let ratio = |a: Rgb, b: Rgb| {
            let (x, y) = (a.luminance() + 0.05, b.luminance() + 0.05);
            x.max(y) / x.min(y)
        };
        let mut fills: Vec<Rgb> = Vec::new();
        for dark in [false, true] {
            for i in 0..200 {
                fills.push(package_colour(&format!("pkg{i}"), Palette::Warm, dark));
                fills.push(package_colour(
                    &format!("pkg{i}"),
                    Palette::ColourBlind,
                    dark,
                ));
                for palette in [Palette::Warm, Palette::ColourBlind] {
                    fills.push(function_colour(
                        &format!("pkg{i}"),
                        Some(&format!("f{i}")),
                        palette,
                        dark,
                    ));
                }
                fills.push(heat_colour(f64::from(i) / 199.0, dark));
            }
            for k in FrameKind::ALL {
                fills.push(kind_colour(k, dark));
                for t in [
                    "cpython", "jvm", "go", "v8js", "php", "ruby", "perl", "dotnet", "beam",
                    "luajit", "rust", "custom",
                ] {
                    fills.push(runtime_colour(k, t, dark));
                }
            }
            fills.push(merged_colour(dark));
        }
        for fill in fills {
            assert!(
                ratio(fill, fill.text()) >= 4.5,
                "{fill:?} with {:?}",
                fill.text()
            );
        }
    }

    #[test]
    fn runtimes_tell_apart_within_their_kind() {
        let shade = |k, t| runtime_colour(k, t, false);
        assert_eq!(
            shade(FrameKind::Native, "native"),
            kind_colour(FrameKind::Native, false)
        );
        assert_eq!(
            shade(FrameKind::Kernel, ""),
            kind_colour(FrameKind::Kernel, false)
        );
        let interpreted = [
            "cpython", "jvm", "v8js", "php", "ruby", "perl", "dotnet", "beam", "luajit",
        ];
        for (i, a) in interpreted.iter().enumerate() {
            for b in &interpreted[i + 1..] {
                let (ca, cb) = (
                    shade(FrameKind::Interpreted, a),
                    shade(FrameKind::Interpreted, b),
                );
                assert_ne!(ca, cb, "{a} and {b}");
            }
        }
        assert_ne!(
            shade(FrameKind::Native, "go"),
            shade(FrameKind::Native, "native")
        );
        // Still in the family: nearer its kind's hue than any other kind's.
        let hue = |c| to_hsl(c).0;
        let go = hue(shade(FrameKind::Native, "go"));
        assert!((go - hue(kind_colour(FrameKind::Native, false))).abs() < 30.0);
        let (h, s, l) = to_hsl(Rgb::hex(0x56b4e9));
        assert_eq!(hsl(h, s, l), Rgb::hex(0x56b4e9));
    }

    #[test]
    fn heat_runs_from_pale_to_deep() {
        assert_eq!(heat_colour(0.0, false), Rgb::hex(0xfff7bc));
        assert_eq!(heat_colour(1.0, false), Rgb::hex(0xec7014));
        assert!(heat_colour(0.2, false).luminance() > heat_colour(0.8, false).luminance());
    }

    #[test]
    fn hsl_corners() {
        assert_eq!(hsl(0.0, 1.0, 0.5), Rgb::hex(0xff0000));
        assert_eq!(hsl(120.0, 1.0, 0.5), Rgb::hex(0x00ff00));
        assert_eq!(hsl(0.0, 0.0, 1.0), Rgb::hex(0xffffff));
    }
}
