//! Writes `core/tests/fixtures/otlp/ebpf-shape/`: `profiles.binpb` (v1.10/v1.11 protobuf),
//! `profiles.json` (the same as OTLP/JSON) and `expected.txt` (what was emitted).
//!
//! `cargo run -p spanflame-synth --example ebpf_fixture`; `core/tests/ebpf.rs` checks that
//! the files match what this writes.

use std::path::Path;

use prost::Message;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/otlp/ebpf-shape");
    std::fs::create_dir_all(&dir)?;
    let fixture = spanflame_synth::ebpf_fixture();
    std::fs::write(dir.join("profiles.binpb"), fixture.data.encode_to_vec())?;
    std::fs::write(
        dir.join("profiles.json"),
        spanflame_synth::profiles_data_json(&fixture.data),
    )?;
    std::fs::write(dir.join("expected.txt"), &fixture.expected)?;
    println!("wrote {}", dir.display());
    Ok(())
}
