//! The HTML export: one self-contained page that opens a profile (and its traces) in
//! Spanflame with no server and no network, e.g. from `file://` after a double-click.
//!
//! The page holds everything as base64 text in `<script type="application/octet-stream">`
//! elements, which the browser never runs: the app's wasm-bindgen glue, its wasm module and
//! the files, named by `data-name`. One small inline module ([`BOOT`]) starts the app from
//! them: it imports the glue from a `blob:` URL and hands it the wasm bytes. The app finds the
//! files ([`FILE_CLASS`]) and the view to show ([`VIEW_META`], the address's hash) and opens
//! them as it opens dropped files.
//!
//! The page's Content-Security-Policy allows exactly that: the boot module and the style by
//! their SHA-256 hashes, `blob:` modules (the glue), wasm, `data:` images, and no connection
//! at all (`connect-src 'none'`).
//!
//! [`page`] writes the page around its payloads, so that the big base64 texts never have to
//! pass through this crate (in the app they stay JavaScript strings, out of wasm memory).

use super::escape;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The largest file set (profile plus traces, in bytes before base64) the app embeds: the
/// page is a third bigger, and is parsed and decoded whole on opening.
pub const MAX_EMBEDDED_BYTES: u64 = 64 * 1024 * 1024;

/// Whether files of `bytes` in all fit in one page; the message for the user if not.
pub fn check_size(bytes: u64) -> Result<(), String> {
    if bytes <= MAX_EMBEDDED_BYTES {
        return Ok(());
    }
    let size = |b: u64| crate::units::format_value(i64::try_from(b).unwrap_or(i64::MAX), "bytes");
    Err(format!(
        "the files are too big to embed in one page ({}; at most {})",
        size(bytes),
        size(MAX_EMBEDDED_BYTES)
    ))
}

/// The `id` of the element holding the wasm-bindgen glue (JavaScript), base64.
pub const GLUE_ID: &str = "spanflame-glue";
/// The `id` of the element holding the wasm module, base64.
pub const WASM_ID: &str = "spanflame-wasm";
/// The class of the elements holding the files (profile first), base64, each with its
/// name in `data-name`.
pub const FILE_CLASS: &str = "spanflame-file";
/// The `name` of the `<meta>` whose `content` is the view (a hash, without `#`).
pub const VIEW_META: &str = "spanflame-view";

/// The page's one script: decode the glue and the wasm, start the app. `Uint8Array.fromBase64`
/// is recent (2025); `atob` does the same where it is missing.
pub const BOOT: &str = "
const bytes = (id) => {
  const text = document.getElementById(id).textContent;
  return Uint8Array.fromBase64 ? Uint8Array.fromBase64(text) : Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
};
const glue = URL.createObjectURL(new Blob([bytes('spanflame-glue')], { type: 'text/javascript' }));
const { default: init } = await import(glue);
URL.revokeObjectURL(glue);
const wasm = await init({ module_or_path: bytes('spanflame-wasm') });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
";

/// What the page says besides its payloads.
#[derive(Debug, Clone, Default)]
pub struct Page<'a> {
    /// The page's title.
    pub title: &'a str,
    /// The app's style sheets, concatenated.
    pub style: &'a str,
    /// The view to open with: the address's hash, without `#` and without URLs to fetch.
    pub view: &'a str,
    /// The names of the embedded files, profile first.
    pub files: &'a [&'a str],
}

/// The page's text around its payloads: `parts[0]`, the glue, `parts[1]`, the wasm,
/// `parts[2]`, then each file followed by the next part. So `parts.len()` is
/// `files.len() + 3`, and each payload is base64 text (which needs no escaping).
pub fn page(page: &Page<'_>) -> Vec<String> {
    // A style sheet cannot end its element early: `<\/` means `</` in CSS.
    let style = page.style.replace("</", "<\\/");
    let csp = format!(
        "default-src 'none'; script-src {} blob: 'wasm-unsafe-eval'; style-src {}; \
         img-src data:; connect-src 'none'; object-src 'none'; base-uri 'none'; \
         form-action 'none'",
        csp_hash(BOOT),
        csp_hash(&style)
    );
    let head = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <meta name=\"color-scheme\" content=\"light dark\" />\n\
         <meta name=\"generator\" content=\"Spanflame {version}\" />\n\
         <meta name=\"{VIEW_META}\" content=\"{view}\" />\n\
         <title>{title}</title>\n<link rel=\"icon\" href=\"data:,\" />\n\
         <style>{style}</style>\n<script type=\"module\">{BOOT}</script>\n</head>\n<body>\n\
         <noscript>Spanflame needs JavaScript and WebAssembly.</noscript>\n",
        version = env!("CARGO_PKG_VERSION"),
        view = escape(page.view),
        title = escape(page.title),
    );
    let open = |attrs: &str| format!("<script type=\"application/octet-stream\" {attrs}>");
    let close = "</script>\n";
    let mut parts = vec![
        format!("{head}{}", open(&format!("id=\"{GLUE_ID}\""))),
        format!("{close}{}", open(&format!("id=\"{WASM_ID}\""))),
    ];
    for name in page.files {
        parts.push(format!(
            "{close}{}",
            open(&format!(
                "class=\"{FILE_CLASS}\" data-name=\"{}\"",
                escape(name)
            ))
        ));
    }
    parts.push(format!("{close}</body>\n</html>\n"));
    parts
}

/// A CSP source for `text`: `'sha256-<base64 of its SHA-256>'`.
pub fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(parts: &[String], payloads: &[&str]) -> String {
        assert_eq!(parts.len(), payloads.len() + 1);
        let mut out = parts[0].clone();
        for (payload, part) in payloads.iter().zip(&parts[1..]) {
            out.push_str(payload);
            out.push_str(part);
        }
        out
    }

    #[test]
    fn files_over_the_limit_are_refused_with_their_size() {
        assert_eq!(check_size(MAX_EMBEDDED_BYTES), Ok(()));
        let message = check_size(100 * 1024 * 1024).unwrap_err();
        assert!(message.contains("too big"), "{message}");
        assert!(message.contains("100"), "{message}");
    }

    #[test]
    fn csp_hash_is_the_sha256_of_the_text() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1, in base64.
        assert_eq!(
            csp_hash("abc"),
            "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"
        );
    }

    #[test]
    fn the_page_holds_its_payloads_in_order_and_names_no_other_file() {
        let parts = page(&Page {
            title: "demo <1>",
            style: "body { color: red }",
            view: "transforms=m:a&zoom=1",
            files: &["profile.binpb", "tr\"aces\".json"],
        });
        let html = join(&parts, &["R0xVRQ==", "V0FTTQ==", "UFJPRg==", "VFJBQw=="]);
        let glue = html
            .find("id=\"spanflame-glue\">R0xVRQ==</script>")
            .unwrap();
        let wasm = html
            .find("id=\"spanflame-wasm\">V0FTTQ==</script>")
            .unwrap();
        let profile = html
            .find("class=\"spanflame-file\" data-name=\"profile.binpb\">UFJPRg==</script>")
            .unwrap();
        let traces = html
            .find("data-name=\"tr&quot;aces&quot;.json\">VFJBQw==</script>")
            .unwrap();
        assert!(glue < wasm && wasm < profile && profile < traces);
        assert!(html.contains("<title>demo &lt;1&gt;</title>"));
        assert!(
            html.contains("<meta name=\"spanflame-view\" content=\"transforms=m:a&amp;zoom=1\"")
        );
        assert!(html.ends_with("</html>\n"));
        // One file: nothing it loads comes from elsewhere.
        for reference in [" src=", "href=\"http", "href=\"./", "url("] {
            assert!(!html.contains(reference), "{reference} in the page");
        }
    }

    #[test]
    fn the_policy_allows_the_boot_script_and_the_style_and_no_connection() {
        let style = "a { color: blue }";
        let html = page(&Page {
            style,
            ..Page::default()
        })
        .concat();
        let csp_start = html.find("Content-Security-Policy\" content=\"").unwrap();
        let csp = &html[csp_start..];
        let csp = &csp[..csp.find("\" />").unwrap()];
        assert!(csp.contains(&format!("script-src {} blob:", csp_hash(BOOT))));
        assert!(csp.contains(&format!("style-src {};", csp_hash(style))));
        assert!(csp.contains("connect-src 'none'"));
        assert!(csp.contains("default-src 'none'"));
        // The hashes are of the texts exactly as the page holds them.
        assert!(html.contains(&format!("<script type=\"module\">{BOOT}</script>")));
        assert!(html.contains(&format!("<style>{style}</style>")));
    }

    #[test]
    fn a_style_sheet_cannot_close_its_element() {
        let html = page(&Page {
            style: "a::after { content: \"</style><script>\" }",
            ..Page::default()
        })
        .concat();
        assert_eq!(html.matches("</style>").count(), 1);
        assert!(html.contains(&csp_hash("a::after { content: \"<\\/style><script>\" }")));
    }
}
