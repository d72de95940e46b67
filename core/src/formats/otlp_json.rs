//! OTLP profiles or traces as OTLP/JSON (one object) or JSON Lines (one object per line),
//! decoded by [`super::otlp::json`].

use super::otlp::json::{self, JsonKind, Sniffed};
use super::otlp::{self as otlp_mod, normalize};
use super::{Detect, Loaded, Options};
use crate::builder::Builder;
use crate::error::{Diagnostics, Error, Format, Result};
use crate::model::Layout;

/// Yes when the first object has a top-level `resourceProfiles` or `resourceSpans` key
/// (or their snake_case forms), found by a byte scan without parsing.
pub fn sniff(bytes: &[u8]) -> Detect {
    match json::sniff_keys(bytes) {
        Sniffed::Kind(_) => Detect::Yes,
        Sniffed::No => Detect::No,
        Sniffed::NeedMore => Detect::NeedMore,
    }
}

/// Read profiles or traces, as the first object's keys say.
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    let limits = &options.limits;
    let mut diags = Diagnostics::default();
    match json::sniff(bytes) {
        Some(JsonKind::Profiles) => {
            let decoded = json::decode_profiles(bytes, limits, &mut diags)?;
            let format = if decoded.lines {
                Format::OtlpProfilesJsonLines
            } else {
                Format::OtlpProfilesJson
            };
            let mut b = Builder::new(format, limits);
            b.diags.extend(diags);
            for data in &decoded.messages {
                normalize::add_message(&mut b, data)?;
            }
            Ok(Loaded::Profiles(b.finish(Layout::OtlpJson)))
        }
        Some(JsonKind::Traces) => {
            let decoded = json::decode_traces(bytes, limits, &mut diags)?;
            otlp_mod::check_span_count(Format::OtlpTracesJson, &decoded.messages, limits)?;
            let mut set = super::otlp::traces::trace_set(Format::OtlpTracesJson, &decoded.messages);
            diags.extend(std::mem::take(&mut set.diagnostics));
            set.diagnostics = diags;
            Ok(Loaded::Traces(set))
        }
        None => Err(Error::unrecognized(
            "JSON, but neither OTLP profiles (resourceProfiles) nor OTLP traces (resourceSpans)",
        )),
    }
}
