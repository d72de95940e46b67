//! OTLP profiles as one protobuf message (`ExportProfilesServiceRequest` or `ProfilesData`),
//! in any of the three wire layouts (v1.8, v1.9, v1.10/v1.11; see [`super::otlp`]).

use super::otlp::{self, BinaryKind};
use super::{Detect, Loaded, Options};
use crate::builder::Builder;
use crate::error::{Format, Result};

/// Yes when the top level has only fields 1 and 2 and looks like profiles rather than
/// traces ([`otlp::sniff_binary`]). Truncated files are still recognised, so that their
/// parse can say where they end.
pub fn sniff(bytes: &[u8]) -> Detect {
    match otlp::sniff_binary(bytes) {
        _ if bytes.is_empty() => Detect::NeedMore,
        Some(BinaryKind::Profiles) => Detect::Yes,
        _ => Detect::No,
    }
}

/// Read one binary profiles message.
pub fn parse(bytes: &[u8], options: &Options) -> Result<Loaded> {
    otlp::at_once(parse_from(&mut otlp::Whole::new(bytes), options))
}

/// Read one binary profiles message a top-level field at a time ([`otlp::TopLevel`]).
pub async fn parse_from(message: &mut impl otlp::TopLevel, options: &Options) -> Result<Loaded> {
    let mut b = Builder::new(Format::OtlpProfilesBinary, &options.limits);
    let layout = otlp::add_binary_from(&mut b, message).await?;
    Ok(Loaded::Profiles(b.finish(layout)))
}
