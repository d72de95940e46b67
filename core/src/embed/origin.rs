//! Who may talk to the viewer ([`OriginPolicy`]) and the page's query string
//! ([`EmbedConfig`]).

use super::Theme;
use crate::view_hash::query_pairs;

/// An origin as browsers write `MessageEvent.origin`: `scheme://host[:port]`, lower case,
/// without a default port or a trailing slash. `None` for anything else (`*`, `null`,
/// paths, queries).
pub fn normalize_origin(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_suffix('/').unwrap_or(text);
    let (scheme, rest) = text.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.is_empty()
        || rest
            .chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '@' | '*' | ' ' | '\\'))
    {
        return None;
    }
    let rest = rest.to_ascii_lowercase();
    let (host, port) = match rest.rsplit_once(':') {
        // An IPv6 literal's colons are inside brackets.
        Some((host, port)) if !port.contains(']') => (host.to_owned(), Some(port.to_owned())),
        _ => (rest.clone(), None),
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) => {
            let n: u16 = p.parse().ok()?;
            let default = if scheme == "http" { 80 } else { 443 };
            (n != default).then_some(n)
        }
    };
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The origin of a URL (`https://host:port/path?q` → `https://host:port`), as
/// [`normalize_origin`] writes it; `None` for a URL without one (empty, `about:blank`, ...).
pub fn origin_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    normalize_origin(&format!("{scheme}://{}", &rest[..end]))
}

/// Which origins may send messages to the viewer, and to which it posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPolicy {
    allowed: Vec<String>,
}

impl OriginPolicy {
    /// The viewer's own origin, plus the `requested` ones (from `?origin=`) that the
    /// deployment's `configured` list allows (an empty list allows any). Returns the policy
    /// and the requested origins that were refused (malformed or not configured).
    pub fn new(own: &str, requested: &[String], configured: &[String]) -> (Self, Vec<String>) {
        let configured: Vec<String> = configured
            .iter()
            .filter_map(|o| normalize_origin(o))
            .collect();
        let mut allowed: Vec<String> = normalize_origin(own).into_iter().collect();
        let mut refused = Vec::new();
        for origin in requested {
            match normalize_origin(origin) {
                Some(o) if configured.is_empty() || configured.contains(&o) => {
                    if !allowed.contains(&o) {
                        allowed.push(o);
                    }
                }
                _ => refused.push(origin.clone()),
            }
        }
        (OriginPolicy { allowed }, refused)
    }

    /// Whether a message from `origin` (as `MessageEvent.origin` gives it) is accepted.
    pub fn allows(&self, origin: &str) -> bool {
        normalize_origin(origin).is_some_and(|o| self.allowed.contains(&o))
    }

    /// The allowed origins, the viewer's own first.
    pub fn origins(&self) -> &[String] {
        &self.allowed
    }
}

/// What the page's query string says about embedding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedConfig {
    /// `embed=1` (or `true`): only the graph and the waterfall, filling the frame.
    pub embed: bool,
    /// `origin=` values (repeated, or comma-separated).
    pub origins: Vec<String>,
    /// `theme=light|dark|system`.
    pub theme: Option<Theme>,
}

impl EmbedConfig {
    /// Read `?embed=1&origin=...&theme=...` (`location.search`, with or without `?`).
    pub fn from_query(query: &str) -> EmbedConfig {
        let mut config = EmbedConfig::default();
        for (key, value) in query_pairs(query.trim_start_matches('?'), true) {
            match key.as_str() {
                "embed" => config.embed = matches!(value.as_str(), "1" | "true" | "yes" | ""),
                "origin" => config.origins.extend(
                    value
                        .split([',', ' '])
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned),
                ),
                "theme" => config.theme = Theme::parse(&value),
                _ => {}
            }
        }
        config
    }
}
