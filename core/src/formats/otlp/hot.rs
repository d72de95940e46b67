//! The hot repeated fields of a binary message, `Profile.samples` and the dictionary's
//! `stack_table`, read straight off the wire.
//!
//! Decoding samples with prost builds a struct and three heap vectors per sample, only for the
//! normaliser to read them once and drop them; on a million-sample profile that was most of
//! the decode (and a `Vec` per stack for the stack table). Here prost decodes everything else
//! (a resource from a copy without its samples, [`without_samples`]; the dictionary into
//! [`super::legacy::ProfilesDictionaryHead`]), and this module walks the samples, one at a
//! time, into buffers reused from sample to sample, and the stacks into one flat table.
//!
//! Which bytes are valid must not change, nor what the error says, so the walk accepts exactly
//! what prost accepts: the same varint and key rules, packed and unpacked repeated fields,
//! unknown fields skipped (groups included, within prost's recursion limit). It only says
//! *that* the bytes are bad; the caller then decodes them whole with prost, whose error names
//! the message, field and cause as before. The tests below hold the two to each other.

use opentelemetry_proto::tonic::profiles::v1development::ResourceProfiles;

use super::normalize::{Normalizer, SampleRef, StackTable};
use crate::builder::Builder;
use crate::error::Error;
use crate::model::Layout;

const VARINT: u8 = 0;
const I64: u8 = 1;
const LEN: u8 = 2;
const START_GROUP: u8 = 3;
const END_GROUP: u8 = 4;
const I32: u8 = 5;

/// Prost's recursion budget (100) left for the fields of each message when a
/// `ResourceProfiles` or a `ProfilesDictionary` is decoded on its own: every nested message
/// takes one.
const DEPTH_RESOURCE: u32 = 100;
const DEPTH_SCOPE: u32 = DEPTH_RESOURCE - 1;
const DEPTH_PROFILE: u32 = DEPTH_SCOPE - 1;
const DEPTH_SAMPLE: u32 = DEPTH_PROFILE - 1;
const DEPTH_DICTIONARY: u32 = 100;
const DEPTH_STACK: u32 = DEPTH_DICTIONARY - 1;

/// Write `value` as a varint into `out`; returns its length.
fn encode_varint(mut value: u64, out: &mut [u8; 10]) -> usize {
    let mut n = 0;
    while value >= 0x80 {
        out[n] = value as u8 | 0x80;
        value >>= 7;
        n += 1;
    }
    out[n] = value as u8;
    n + 1
}

/// Sample field numbers: `stack_index` is 1 and `timestamps_unix_nano` 5 in every layout;
/// v1.10 renumbered the other three.
#[derive(Debug, Clone, Copy)]
struct SampleTags {
    attributes: u32,
    link: u32,
    values: u32,
}

impl SampleTags {
    fn of(layout: Layout) -> Self {
        match layout {
            Layout::OtlpV1_8 | Layout::OtlpV1_9 => SampleTags {
                values: 2,
                attributes: 3,
                link: 4,
            },
            _ => SampleTags {
                attributes: 2,
                link: 3,
                values: 4,
            },
        }
    }
}

/// Why [`add_resource`] stopped.
#[derive(Debug)]
pub enum Stop {
    /// Prost would refuse these bytes; decode them with prost for the error.
    Malformed,
    /// The normaliser refused a sample (the sample limit).
    Normalize(Error),
}

/// Buffers for one sample's repeated fields, reused for every sample.
#[derive(Debug, Default)]
pub struct Scratch {
    attributes: Vec<i32>,
    values: Vec<i64>,
    timestamps: Vec<u64>,
}

/// A reader over one message's bytes that accepts what prost's decoder accepts. Reading
/// within one message's slice is equivalent to prost reading on into the enclosing buffer:
/// whatever prost would read past the end, it then rejects for overrunning the length.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    #[inline(always)]
    fn varint(&mut self) -> Option<u64> {
        crate::formats::wire::read_varint(self.buf, &mut self.pos)
    }

    /// A field key: (field number, wire type).
    #[inline(always)]
    fn key(&mut self) -> Option<(u32, u8)> {
        let key = self.varint()?;
        let wire = (key & 7) as u8;
        let number = key >> 3;
        if key > u64::from(u32::MAX) || wire > I32 || number == 0 {
            return None;
        }
        Some((number as u32, wire))
    }

    #[inline(always)]
    fn bytes(&mut self, len: u64) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(usize::try_from(len).ok()?)?;
        let bytes = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(bytes)
    }

    #[inline(always)]
    fn len_delimited(&mut self) -> Option<&'a [u8]> {
        let len = self.varint()?;
        self.bytes(len)
    }

    /// Skip an unknown field as prost does; `depth` is the recursion budget left.
    fn skip(&mut self, wire: u8, number: u32, depth: u32) -> Option<()> {
        if depth == 0 {
            return None;
        }
        match wire {
            VARINT => self.varint().map(drop),
            I64 => self.bytes(8).map(drop),
            LEN => self.len_delimited().map(drop),
            I32 => self.bytes(4).map(drop),
            START_GROUP => loop {
                let (inner, inner_wire) = self.key()?;
                if inner_wire == END_GROUP {
                    return (inner == number).then_some(());
                }
                self.skip(inner_wire, inner, depth - 1)?;
            },
            // An end-group key outside a group.
            _ => None,
        }
    }

    /// A repeated varint field, packed or not, appended to `out` (`as` casts, like prost's).
    fn repeated_varint<T: Copy + Default>(
        &mut self,
        wire: u8,
        out: &mut Vec<T>,
        cast: impl Fn(u64) -> T,
    ) -> Option<()> {
        match wire {
            VARINT => out.push(cast(self.varint()?)),
            LEN => {
                let bytes = self.len_delimited()?;
                // One element per byte without the continuation bit: room for all at once,
                // then filled in place. Any bad varint (or a last one cut short) fails.
                let count = bytes.iter().filter(|&&b| b < 0x80).count();
                let start = out.len();
                out.resize(start + count, T::default());
                let mut packed = Cursor::new(bytes);
                for slot in &mut out[start..] {
                    *slot = cast(packed.varint()?);
                }
                if !packed.done() {
                    return None;
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// A repeated fixed64 field, packed or not.
    fn repeated_fixed64(&mut self, wire: u8, out: &mut Vec<u64>) -> Option<()> {
        let bytes = match wire {
            I64 => self.bytes(8)?,
            LEN => self.len_delimited()?,
            _ => return None,
        };
        let (words, rest) = bytes.as_chunks::<8>();
        if !rest.is_empty() {
            return None;
        }
        out.extend(words.iter().map(|w| u64::from_le_bytes(*w)));
        Some(())
    }

    /// A singular int32 field (prost keeps the last and truncates to 32 bits).
    #[inline(always)]
    fn int32(&mut self, wire: u8) -> Option<i32> {
        if wire != VARINT {
            return None;
        }
        self.varint().map(|v| v as i32)
    }
}

/// Read one `Sample` message as prost would merge it.
fn sample<'s>(bytes: &[u8], tags: SampleTags, s: &'s mut Scratch) -> Option<SampleRef<'s>> {
    s.attributes.clear();
    s.values.clear();
    s.timestamps.clear();
    let (mut stack_index, mut link_index) = (0, 0);
    let mut c = Cursor::new(bytes);
    while !c.done() {
        let (number, wire) = c.key()?;
        if number == 1 {
            stack_index = c.int32(wire)?;
        } else if number == tags.attributes {
            c.repeated_varint(wire, &mut s.attributes, |v| v as i32)?;
        } else if number == tags.link {
            link_index = c.int32(wire)?;
        } else if number == tags.values {
            c.repeated_varint(wire, &mut s.values, |v| v as i64)?;
        } else if number == 5 {
            c.repeated_fixed64(wire, &mut s.timestamps)?;
        } else {
            c.skip(wire, number, DEPTH_SAMPLE)?;
        }
    }
    Some(SampleRef {
        stack_index,
        link_index,
        attribute_indices: &s.attributes,
        values: &s.values,
        timestamps_unix_nano: &s.timestamps,
    })
}

/// The payloads of one message-typed field of a message, skipping the other fields. `Err` if
/// the message is malformed or the field is not length-delimited, both of which prost refuses.
fn each_message<'a>(
    bytes: &'a [u8],
    field: u32,
    depth: u32,
    mut f: impl FnMut(&'a [u8]) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let mut c = Cursor::new(bytes);
    while !c.done() {
        let (number, wire) = c.key().ok_or(Stop::Malformed)?;
        if number != field {
            c.skip(wire, number, depth).ok_or(Stop::Malformed)?;
        } else if wire != LEN {
            return Err(Stop::Malformed);
        } else {
            f(c.len_delimited().ok_or(Stop::Malformed)?)?;
        }
    }
    Ok(())
}

/// A copy of one `ResourceProfiles` message without the samples, for prost to decode the
/// rest. Only the lengths of the enclosing scope and
/// profile messages change; every other field is copied byte for byte and nests as deep, so
/// prost accepts the copy exactly when it accepts those fields of the original. `None` if the
/// message (but for the samples' contents) is malformed: prost would refuse it.
pub fn without_samples(resource: &[u8]) -> Option<Vec<u8>> {
    // A scope or profile is copied first, then its length put in front of it.
    fn level(bytes: &[u8], depth: u32, out: &mut Vec<u8>) -> Option<()> {
        let mut c = Cursor::new(bytes);
        while !c.done() {
            let start = c.pos;
            let (number, wire) = c.key()?;
            if number != 2 {
                c.skip(wire, number, depth)?;
                out.extend_from_slice(&bytes[start..c.pos]);
                continue;
            }
            if wire != LEN {
                return None;
            }
            let inner = c.len_delimited()?;
            if depth == DEPTH_PROFILE {
                continue; // a sample
            }
            out.push(2 << 3 | LEN);
            let gap = out.len();
            level(inner, depth - 1, out)?;
            let mut len = [0; 10];
            let n = encode_varint((out.len() - gap) as u64, &mut len);
            out.splice(gap..gap, len[..n].iter().copied());
        }
        Some(())
    }
    let mut out = Vec::new();
    level(resource, DEPTH_RESOURCE, &mut out)?;
    Some(out)
}

/// Add one `ResourceProfiles` to the normaliser: `head` is `bytes` decoded by prost without the
/// samples (in wire order, so the n-th profile on the wire is the n-th in `head`), and the
/// samples are read from `bytes`. On [`Stop::Malformed`] some of its rows may have been added.
pub fn add_resource(
    n: &mut Normalizer<'_>,
    b: &mut Builder<'_>,
    bytes: &[u8],
    head: &ResourceProfiles,
    layout: Layout,
    scratch: &mut Scratch,
) -> Result<(), Stop> {
    let tags = SampleTags::of(layout);
    let resource = n.resource(b, head);
    let mut scopes = head.scope_profiles.iter();
    // `scope_profiles`, `profiles` and `samples` are field 2 of their messages.
    each_message(bytes, 2, DEPTH_RESOURCE, |scope_bytes| {
        let sp = scopes.next().ok_or(Stop::Malformed)?;
        let scope = n.begin_scope(b, sp);
        let mut profiles = sp.profiles.iter();
        each_message(scope_bytes, 2, DEPTH_SCOPE, |profile_bytes| {
            let profile = profiles.next().ok_or(Stop::Malformed)?;
            n.begin_profile(b, resource, &scope, profile);
            each_message(profile_bytes, 2, DEPTH_PROFILE, |sample_bytes| {
                let s = sample(sample_bytes, tags, scratch).ok_or(Stop::Malformed)?;
                n.add_sample(b, s).map_err(Stop::Normalize)
            })
        })
    })
}

/// Append the stacks of one `ProfilesDictionary` message (field 7) to `table`. `false` if
/// prost would refuse the message; `table` is then not to be used.
pub fn read_stacks(dictionary: &[u8], table: &mut StackTable) -> bool {
    each_message(dictionary, 7, DEPTH_DICTIONARY, |stack| {
        let mut c = Cursor::new(stack);
        while !c.done() {
            let (number, wire) = c.key().ok_or(Stop::Malformed)?;
            if number == 1 {
                c.repeated_varint(wire, &mut table.locations, |v| v as i32)
            } else {
                c.skip(wire, number, DEPTH_STACK)
            }
            .ok_or(Stop::Malformed)?;
        }
        table.end_stack();
        Ok(())
    })
    .is_ok()
}

#[cfg(test)]
mod tests {
    //! The reader against prost: for any bytes, `add_binary` must give what it gave when prost
    //! decoded every resource whole (same rows, diagnostics and errors).

    use opentelemetry_proto::tonic::profiles::v1development::ProfilesDictionary;
    use prost::Message as _;

    use super::super::{add_binary, decode_resource, normalize::Normalizer, sniff_within_limits};
    use crate::builder::Builder;
    use crate::error::{At, Error, Format, Result};
    use crate::formats::wire::Fields;
    use crate::limits::Limits;
    use crate::model::Layout;

    /// `add_binary` before the sample reader: each resource decoded whole by prost.
    fn add_binary_prost(b: &mut Builder<'_>, buf: &[u8]) -> Result<Layout> {
        let format = b.format;
        let layout = sniff_within_limits(b, buf)?;
        let bad = |offset: usize, what: &str, e: prost::DecodeError| {
            Error::malformed(format, At::Byte(offset as u64), format!("{what}: {e}"))
        };
        let mut dictionary = ProfilesDictionary::default();
        let mut fields = Fields::new(buf);
        for f in fields.by_ref().filter(|f| f.number == 2) {
            dictionary
                .merge(f.payload)
                .map_err(|e| bad(f.offset, "the dictionary is not valid", e))?;
        }
        if let Some((offset, what)) = fields.error {
            return Err(Error::malformed(format, At::Byte(offset as u64), what));
        }
        let mut n = Normalizer::new(b, &dictionary)?;
        for f in Fields::new(buf).filter(|f| f.number == 1) {
            let what = "a ResourceProfiles message is not valid";
            let rp = decode_resource(f.payload, layout).map_err(|e| bad(f.offset, what, e))?;
            n.add_resource(b, &rp)?;
        }
        Ok(layout)
    }

    type Add = fn(&mut Builder<'_>, &[u8]) -> Result<Layout>;

    /// Everything a load yields, as text: the profile set or the error.
    fn outcome(add: Add, messages: &[&[u8]], limits: &Limits) -> String {
        let mut b = Builder::new(Format::OtlpProfilesBinary, limits);
        let mut layout = Ok(Layout::OtlpV1_10);
        for m in messages {
            layout = add(&mut b, m);
            if layout.is_err() {
                break;
            }
        }
        format!("{:?}", layout.map(|l| b.finish(l)))
    }

    /// Compare both ways of loading; `Ok` tells whether the bytes loaded.
    fn same(messages: &[&[u8]], limits: &Limits) -> bool {
        let ours = outcome(add_binary, messages, limits);
        let prost = outcome(add_binary_prost, messages, limits);
        assert_eq!(ours, prost, "input: {messages:02x?}");
        ours.starts_with("Ok")
    }

    const PY_V19: &[u8] =
        include_bytes!("../../../tests/fixtures/otlp/python-ext-0.63b4-file/profiles.v1_9.binpb");
    const PY_V110: &[u8] =
        include_bytes!("../../../tests/fixtures/otlp/python-ext-0.63b4-file/profiles.v1_10.binpb");
    const SYNTHETIC: &[u8] =
        include_bytes!("../../../tests/fixtures/otlp/synthetic-v1_10/profiles.binpb");

    /// xorshift64: repeatable without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn one_in(&mut self, n: u64) -> bool {
            self.below(n) == 0
        }
    }

    fn inputs() -> Vec<Vec<u8>> {
        let mut out = vec![PY_V19.to_vec(), PY_V110.to_vec(), SYNTHETIC.to_vec()];
        // The generator (a dev-dependency) links a second copy of this crate into the test
        // binary; only bytes cross over, so its types never meet ours.
        use spanflame_synth::{Size, SynthOptions, generate};
        let s = generate(&SynthOptions {
            samples: 300,
            wall_samples: 100,
            alloc_samples: 50,
            distinct_stacks: 40,
            spans: 20,
            max_depth: 12,
            ..SynthOptions::size(Size::S)
        });
        out.push(s.profiles_binary_v1_8());
        out.push(s.profiles_binary_v1_9());
        out.push(s.profiles_binary());
        out
    }

    #[test]
    fn fixtures_cut_at_every_byte_and_bit_flipped() {
        let limits = Limits::default();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for input in inputs() {
            assert!(same(&[&input], &limits));
            // Every byte of the small fixtures; a spread of the generated ones.
            let step = (input.len() / 1500).max(1);
            for cut in (0..input.len()).step_by(step) {
                same(&[&input[..cut]], &limits);
            }
            for _ in 0..600 {
                let mut flipped = input.clone();
                let pos = rng.below(input.len() as u64) as usize;
                flipped[pos] ^= 1 << rng.below(8);
                same(&[&flipped], &limits);
            }
        }
    }

    fn put_varint(out: &mut Vec<u8>, v: u64) {
        let mut bytes = [0; 10];
        let n = super::encode_varint(v, &mut bytes);
        out.extend_from_slice(&bytes[..n]);
    }

    fn put_key(out: &mut Vec<u8>, number: u64, wire: u64) {
        put_varint(out, (number << 3) | wire);
    }

    fn put_len(out: &mut Vec<u8>, number: u64, payload: &[u8]) {
        put_key(out, number, 2);
        put_varint(out, payload.len() as u64);
        out.extend_from_slice(payload);
    }

    /// A varint, sometimes negative (10 bytes), overlong or invalid.
    fn random_varint(rng: &mut Rng, out: &mut Vec<u8>) {
        match rng.below(13) {
            0 => put_varint(out, rng.next()),
            1 => put_varint(out, rng.below(1000).wrapping_neg()),
            2 => {
                // Ten bytes whose last may overflow (2 and 3 do).
                for _ in 0..9 {
                    out.push(0x80 | rng.below(128) as u8);
                }
                out.push(rng.below(4) as u8);
            }
            3 => {
                // Zero padded with continuation bytes, past ten sometimes.
                for _ in 0..rng.below(12) {
                    out.push(0x80);
                }
                out.push(0);
            }
            4 => {
                // Three to nine bytes.
                let bits = 7 * (2 + rng.below(7));
                put_varint(out, rng.below(1 << bits));
            }
            _ => put_varint(out, rng.below(300)),
        }
    }

    /// A field of a sample or stack (or of a group in one): mostly numbers up to `fields`, with
    /// any wire type, valid or not.
    fn random_field(rng: &mut Rng, out: &mut Vec<u8>, fields: u64, depth: u32) {
        let number = match rng.below(14) {
            0..=8 => 1 + rng.below(fields),
            9 => rng.below(8),
            10 => 6 + rng.below(100),
            11 => rng.below(1 << 29),
            12 => (1 << 29) + rng.below(1000),
            _ => 2,
        };
        let wire = match rng.below(24) {
            0..=6 => 0,
            7..=14 => 2,
            15..=16 => 1,
            17 => 5,
            18..=20 => 3,
            21 => 4,
            _ => 6 + rng.below(2),
        };
        put_key(out, number, wire);
        match wire {
            0 => random_varint(rng, out),
            1 | 5 => {
                for _ in 0..(if wire == 1 { 8 } else { 4 }) {
                    out.push(rng.next() as u8);
                }
            }
            2 => {
                let mut payload = Vec::new();
                if rng.one_in(2) {
                    for _ in 0..rng.below(6) {
                        random_varint(rng, &mut payload);
                    }
                } else {
                    let len = 8 * rng.below(4) + if rng.one_in(8) { rng.below(8) } else { 0 };
                    payload.extend((0..len).map(|_| rng.next() as u8));
                }
                let len = payload.len() as u64;
                let len = match rng.below(20) {
                    0 => len + 1,
                    1 => len.saturating_sub(1),
                    _ => len,
                };
                put_varint(out, len);
                out.extend_from_slice(&payload);
            }
            3 => {
                if depth < 8 {
                    for _ in 0..rng.below(3) {
                        random_field(rng, out, fields, depth + 1);
                    }
                }
                let end = if rng.one_in(10) { number + 1 } else { number };
                put_key(out, end, 4);
            }
            _ => {}
        }
    }

    /// Groups nested `depth` deep around one varint: prost gives up at 97 inside a sample, 99
    /// inside a stack.
    fn deep_groups(out: &mut Vec<u8>, depth: u64) {
        for _ in 0..depth {
            put_key(out, 9, 3);
        }
        put_key(out, 10, 0);
        out.push(1);
        for _ in 0..depth {
            put_key(out, 9, 4);
        }
    }

    /// A profiles message over `dictionary`, plus random stacks, whose one profile holds
    /// random samples.
    fn random_message(rng: &mut Rng, dictionary: &[u8]) -> Vec<u8> {
        let mut dictionary = dictionary.to_vec();
        for _ in 0..rng.below(4) {
            let mut stack = Vec::new();
            if rng.one_in(2) {
                // Usually valid: location indices, packed or not.
                for _ in 0..rng.below(3) {
                    let indices: Vec<u8> = (0..rng.below(5)).map(|_| rng.below(20) as u8).collect();
                    if rng.one_in(2) {
                        put_len(&mut stack, 1, &indices);
                    } else {
                        for i in indices {
                            stack.extend_from_slice(&[0x08, i]);
                        }
                    }
                }
            } else {
                for _ in 0..rng.below(4) {
                    random_field(rng, &mut stack, 2, 0);
                }
            }
            if rng.one_in(15) {
                deep_groups(&mut stack, 96 + rng.below(6));
            }
            if rng.one_in(30) {
                put_key(&mut dictionary, 7, rng.below(2));
                dictionary.push(0);
            } else {
                put_len(&mut dictionary, 7, &stack);
            }
        }
        let mut profile = Vec::new();
        put_len(&mut profile, 1, &[0x08, 0x01, 0x10, 0x02]);
        if rng.one_in(5) {
            // v1.8's attribute_indices, which makes the message v1.8.
            put_len(&mut profile, 12, &[0x01]);
        }
        for _ in 0..rng.below(5) {
            let mut sample = Vec::new();
            for _ in 0..rng.below(6) {
                random_field(rng, &mut sample, 5, 0);
            }
            if rng.one_in(15) {
                deep_groups(&mut sample, 94 + rng.below(6));
            }
            if rng.one_in(30) {
                // Samples are messages: any other wire type is refused.
                put_key(&mut profile, 2, rng.below(2));
                profile.push(0);
            } else {
                put_len(&mut profile, 2, &sample);
            }
        }
        if rng.one_in(4) {
            put_key(&mut profile, 3, 1);
            profile.extend_from_slice(&[7; 8]);
        }
        // Other fields around the samples, scopes and profiles, valid or not, some nested as
        // deep as prost allows there.
        let extras = |rng: &mut Rng, out: &mut Vec<u8>, limit: u64| {
            if rng.one_in(12) {
                random_field(rng, out, 12, 0);
            }
            if rng.one_in(30) {
                deep_groups(out, limit - 3 + rng.below(5));
            }
        };
        extras(rng, &mut profile, 98);
        let mut scope = Vec::new();
        extras(rng, &mut scope, 99);
        put_len(&mut scope, 2, &profile);
        extras(rng, &mut scope, 99);
        let mut resource = Vec::new();
        extras(rng, &mut resource, 100);
        put_len(&mut resource, 2, &scope);
        extras(rng, &mut resource, 100);
        let mut message = Vec::new();
        put_len(&mut message, 1, &resource);
        put_len(&mut message, 2, &dictionary);
        match rng.below(10) {
            0 => {
                let pos = rng.below(message.len() as u64) as usize;
                message[pos] ^= 1 << rng.below(8);
            }
            1 => message.truncate(rng.below(message.len() as u64) as usize),
            _ => {}
        }
        message
    }

    #[test]
    fn random_samples_and_stacks_read_as_prost_reads_them() {
        let dictionary = Fields::new(PY_V110)
            .find(|f| f.number == 2)
            .unwrap()
            .payload;
        let limits = Limits::default();
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut loaded, mut refused) = (0, 0);
        for _ in 0..40_000 {
            let message = random_message(&mut rng, dictionary);
            if same(&[&message], &limits) {
                loaded += 1;
            } else {
                refused += 1;
            }
        }
        // Both outcomes must be common, or the comparison says little.
        assert!(loaded > 3_000 && refused > 3_000, "{loaded} {refused}");
    }

    #[test]
    fn a_malformed_resource_is_reported_before_the_sample_limit() {
        // Two messages in one builder, as records of a length-prefixed file: the second goes
        // over the sample limit part way through its one resource.
        let limits = Limits {
            max_samples: 187 + 100,
            ..Limits::default()
        };
        for input in [PY_V19, PY_V110] {
            assert!(!same(&[input, input], &limits));
            // The same, with the last sample broken: prost refuses the resource before
            // adding any of its rows, so that error comes first.
            let field_2 = |bytes| Fields::new(bytes).filter(|f| f.number == 2).last().unwrap();
            let resource = Fields::new(input).find(|f| f.number == 1).unwrap();
            let last_sample = field_2(field_2(field_2(resource.payload).payload).payload).payload;
            let at = last_sample.as_ptr() as usize - input.as_ptr() as usize;
            let mut broken = input.to_vec();
            broken[at] = 0x07; // a key with wire type 7
            assert!(!same(&[input, &broken], &limits));
            let ours = outcome(add_binary, &[input, &broken], &limits);
            assert!(ours.contains("invalid wire type value: 7"), "{ours}");
        }
    }
}
