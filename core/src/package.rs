//! Which package, module, crate or namespace a function belongs to: one rule, below both
//! the palette (colour by package) and the transforms (collapse a package, only my code).

use crate::model::FrameKind;

/// The file given to the one frame a collapsed package becomes, so that colouring and a
/// second collapse recognise it.
pub const COLLAPSED_PACKAGE_FILE: &str = "(package)";

/// The package, module, crate or namespace a function belongs to (colour by package and
/// the collapse-package transform both use it, so the two agree):
///
/// * Rust and C++ paths: the crate or outer namespace (`core::ptr::drop_in_place` → `core`);
/// * Go: the import path (`github.com/x/y.(*T).F` → `github.com/x/y`, `runtime.mallocgc` →
///   `runtime`);
/// * Java, .NET and other dotted names: the package, up to three parts
///   (`java.util.HashMap.get` → `java.util`, `org.apache.tomcat.util.net.X.run` →
///   `org.apache.tomcat`);
/// * unsymbolised frames (`libc.so.6+0x9a8b`): the binary;
/// * bare names (Python, C): the module from the file (`.../site-packages/requests/api.py`
///   → `requests`, `/usr/lib/python3.11/threading.py` → `threading`), else the name itself;
/// * kernel frames: `kernel`;
/// * a package collapsed into one frame (the collapse-package transform; file
///   [`COLLAPSED_PACKAGE_FILE`]): its name, the package.
pub fn package_of<'a>(name: &'a str, file: &'a str, kind: FrameKind) -> &'a str {
    if file == COLLAPSED_PACKAGE_FILE {
        return name;
    }
    if kind == FrameKind::Kernel {
        return "kernel";
    }
    if let Some(plus) = name.find("+0x") {
        return &name[..plus];
    }
    if let Some(sep) = name.find("::") {
        let start = name[..sep]
            .rfind(['<', '&', ' ', '*', '('])
            .map_or(0, |i| i + 1);
        return &name[start..sep];
    }
    if let Some(slash) = name.rfind('/') {
        return match name[slash..].find('.') {
            Some(dot) => &name[..slash + dot],
            None => &name[..slash],
        };
    }
    if let Some(last_dot) = name.rfind('.').filter(|&d| d > 0) {
        // Leading lower-case parts are the package; a capitalised part is a class.
        let mut end = 0;
        for (count, part) in name[..last_dot].split('.').enumerate() {
            let lower = part.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            if !lower || count == 3 {
                break;
            }
            end += part.len() + usize::from(end > 0);
        }
        return if end > 0 {
            &name[..end]
        } else {
            &name[..name.find('.').unwrap_or(last_dot)]
        };
    }
    module_of_file(file).unwrap_or(name)
}

/// A Python-style module name from a source path.
fn module_of_file(file: &str) -> Option<&str> {
    if file.is_empty() {
        return None;
    }
    for marker in ["site-packages/", "dist-packages/"] {
        if let Some(i) = file.rfind(marker) {
            let rest = &file[i + marker.len()..];
            let end = rest.find(['/', '.']).unwrap_or(rest.len());
            if end > 0 {
                return Some(&rest[..end]);
            }
        }
    }
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = base.split('.').next().unwrap_or(base);
    (!stem.is_empty()).then_some(stem)
}
