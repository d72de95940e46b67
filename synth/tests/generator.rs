//! The generator's own guarantees: the same seed gives the same bytes, the streamed
//! encoding equals prost's, the counts asked for are the counts made, and the names look
//! like the runtimes they imitate.

use std::collections::HashSet;

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::profiles::v1development::{
    Function, KeyValueAndUnit, Location, Mapping, Stack,
};
use prost::Message as _;
use spanflame_synth::{Size, SynthOptions, generate};

fn small(seed: u64) -> SynthOptions {
    SynthOptions {
        seed,
        samples: 3_000,
        wall_samples: 800,
        alloc_samples: 400,
        distinct_stacks: 300,
        spans: 60,
        ..SynthOptions::size(Size::S)
    }
}

#[test]
fn same_seed_same_bytes() {
    let a = generate(&small(7));
    let b = generate(&small(7));
    assert_eq!(a.profiles_binary(), b.profiles_binary());
    assert_eq!(a.traces_binary(), b.traces_binary());
    assert_ne!(a.profiles_binary(), generate(&small(8)).profiles_binary());
}

#[test]
fn streamed_binary_equals_prost_encoding() {
    let s = generate(&SynthOptions {
        windows: 3,
        ..small(3)
    });
    assert_eq!(s.profiles_binary(), s.profiles().encode_to_vec());
}

#[test]
fn counts_and_zero_entries() {
    let s = generate(&small(11));
    let stats = s.stats();
    assert_eq!(stats.observations, vec![3_000, 800, 400]);
    assert_eq!(stats.spans, 60);
    let d = s.dictionary();
    assert_eq!(d.string_table[0], "");
    assert_eq!(d.function_table[0], Function::default());
    assert_eq!(d.location_table[0], Location::default());
    assert_eq!(d.mapping_table[0], Mapping::default());
    assert_eq!(d.stack_table[0], Stack::default());
    assert_eq!(d.attribute_table[0], KeyValueAndUnit::default());
    assert!(d.link_table[0].trace_id.iter().all(|&b| b == 0));
    let weight: i64 = s.folded_pairs(0).iter().map(|(_, w)| w).sum();
    assert_eq!(weight, 3_000);
    assert!(stats.max_stack_depth <= 120);
}

#[test]
fn names_and_kinds_are_realistic() {
    let s = generate(&small(5));
    let folded = s.folded(0);
    for name in [
        "com.acme.checkout.CartService.addItem",
        "myapp.handlers.orders:create_order",
        "do_syscall_64",
        "libcrypto.so.3+0x",
    ] {
        assert!(folded.contains(name), "{name} missing");
    }
    assert!(s.folded(2).contains("runtime.mallocgc"));
    let types: HashSet<String> = s
        .dictionary()
        .attribute_table
        .iter()
        .filter_map(|a| match a.value.as_ref()?.value.as_ref()? {
            Value::StringValue(v)
                if s.dictionary().string_table[a.key_strindex as usize] == "profile.frame.type" =>
            {
                Some(v.clone())
            }
            _ => None,
        })
        .collect();
    for t in ["jvm", "cpython", "native", "kernel"] {
        assert!(types.contains(t), "{t}");
    }
}
