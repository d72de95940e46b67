//! What the user sees, written out as files: an SVG picture of the flame graph
//! ([`svg`]), a gzip'd pprof `profile.proto` ([`pprof`]), and the page of the HTML export
//! ([`html`]), which opens the file itself offline in Spanflame. Folded stacks are
//! [`crate::ProfileSet::folded_with`]'s. Everything works on the view's own tree and
//! layout (filters, transforms and zoom applied), so what is exported is what is shown.

pub mod html;
pub mod pprof;
pub mod svg;

/// `text` safe as element content and in a double-quoted attribute, in the SVG (XML) and
/// HTML exports alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
