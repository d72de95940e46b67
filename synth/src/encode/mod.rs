//! Encodings of a [`Synth`]: OTLP protobuf in the v1.10, v1.9 and v1.8 wire layouts, and
//! OTLP/JSON.

mod json;
mod old_layouts;

use std::io::{self, Write};

use prost::Message;

use opentelemetry_proto::tonic::profiles::v1development::ProfilesData;

use crate::dataset::Synth;
use old_layouts::{to_legacy_v1_8, to_legacy_v1_9};

impl Synth {
    /// The profiles as v1.10/v1.11 protobuf (`ProfilesData`), streamed window by window;
    /// byte-identical to encoding [`Synth::profiles`]. Returns the bytes written.
    pub fn write_profiles_binary(&self, out: &mut dyn Write) -> io::Result<u64> {
        let mut written = 0u64;
        let mut buf = Vec::new();
        for w in 0..self.window_count() {
            for rp in self.window(w, None) {
                buf.clear();
                prost::encoding::message::encode(1, &rp, &mut buf);
                out.write_all(&buf)?;
                written += buf.len() as u64;
            }
        }
        buf.clear();
        prost::encoding::message::encode(2, &self.dictionary, &mut buf);
        out.write_all(&buf)?;
        Ok(written + buf.len() as u64)
    }

    /// The profiles as v1.10/v1.11 protobuf.
    pub fn profiles_binary(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_profiles_binary(&mut out)
            .expect("writing to a Vec cannot fail");
        out
    }

    /// The profiles in the v1.9 wire layout (`Sample.values` = 2, `attribute_indices` = 3,
    /// `link_index` = 4), as the Python profiling extension still writes them.
    pub fn profiles_binary_v1_9(&self) -> Vec<u8> {
        to_legacy_v1_9(self.profiles()).encode_to_vec()
    }

    /// The profiles in the v1.8 wire layout (v1.9 samples, and `Profile` fields 7..11 one
    /// number higher for `comment_strindices`).
    pub fn profiles_binary_v1_8(&self) -> Vec<u8> {
        to_legacy_v1_8(self.profiles()).encode_to_vec()
    }

    /// The profiles as OTLP/JSON: lowerCamelCase keys, 64-bit integers as strings, trace,
    /// span and profile ids in hex, default values left out. One table entry or sample per
    /// line, so the text is not mistaken for JSON Lines.
    pub fn write_profiles_json(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut buf = String::from("{\"resourceProfiles\":[");
        let mut first = true;
        for w in 0..self.window_count() {
            for rp in self.window(w, None) {
                if !first {
                    buf.push(',');
                }
                first = false;
                buf.push('\n');
                json::resource_profiles(&mut buf, &rp, "\n");
                out.write_all(buf.as_bytes())?;
                buf.clear();
            }
        }
        buf.push_str("],\n\"dictionary\":");
        json::dictionary(&mut buf, &self.dictionary, "\n");
        buf.push_str("}\n");
        out.write_all(buf.as_bytes())
    }

    /// [`Synth::write_profiles_json`] into a string.
    pub fn profiles_json(&self) -> String {
        let mut out = Vec::new();
        self.write_profiles_json(&mut out)
            .expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("the JSON writer writes UTF-8")
    }

    /// The profiles as JSON Lines: one compact [`Synth::window_message`] per line, as the
    /// collector's file exporter writes them.
    pub fn profiles_json_lines(&self) -> String {
        let mut out = String::new();
        for w in 0..self.window_count() {
            json::profiles_data(&mut out, &self.window_message(w), "");
            out.push('\n');
        }
        out
    }

    /// The traces as protobuf (`TracesData`).
    pub fn traces_binary(&self) -> Vec<u8> {
        self.traces.encode_to_vec()
    }

    /// The traces as OTLP/JSON (enums as numbers, ids in hex).
    pub fn traces_json(&self) -> String {
        let mut out = String::new();
        json::traces_data(&mut out, &self.traces, "\n");
        out.push('\n');
        out
    }
}

/// Any `ProfilesData` as OTLP/JSON, one table entry or sample per line.
pub fn profiles_data_json(data: &ProfilesData) -> String {
    let mut out = String::new();
    json::profiles_data(&mut out, data, "\n");
    out.push('\n');
    out
}
