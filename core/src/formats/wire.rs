//! A minimal protobuf wire reader, used to tell formats and layouts apart before decoding.
//!
//! It never allocates and never panics; malformed input ends iteration with an error.

/// Protobuf wire types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireType {
    /// 0: varint.
    Varint,
    /// 1: 8 bytes.
    I64,
    /// 2: length-delimited.
    Len,
    /// 5: 4 bytes.
    I32,
}

/// One field read off the wire.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// Field number.
    pub number: u32,
    /// Wire type.
    pub wire: WireType,
    /// For `Len`, the payload; empty otherwise.
    pub payload: &'a [u8],
    /// For `Varint`, the value.
    pub varint: u64,
    /// Offset of the field's tag from the start of the buffer given to [`Fields::new`].
    pub offset: usize,
}

/// Iterates over the fields of one message.
pub struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
    lenient: bool,
    /// Set when the message was malformed: the byte offset and what was wrong.
    pub error: Option<(usize, &'static str)>,
    /// Whether that error is the data ending inside a field (so more bytes could mend it),
    /// rather than bytes no protobuf has.
    pub cut: bool,
}

impl<'a> Fields<'a> {
    /// Read the fields of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Fields {
            buf,
            pos: 0,
            lenient: false,
            error: None,
            cut: false,
        }
    }

    /// Like [`Fields::new`], but a length-delimited field that runs past the end is still
    /// yielded, with what remains of it, before iteration stops with the error. For telling
    /// what a truncated file was meant to be.
    pub fn lenient(buf: &'a [u8]) -> Self {
        Fields {
            lenient: true,
            ..Fields::new(buf)
        }
    }

    #[inline(always)]
    fn varint(&mut self) -> Option<u64> {
        read_varint(self.buf, &mut self.pos)
    }

    /// Whether the bytes from `pos` on are a varint the data cut short (fewer than 10
    /// bytes, each with the continuation bit), not an overlong one.
    fn varint_cut(&self) -> bool {
        let rest = &self.buf[self.pos..];
        rest.len() < 10 && rest.iter().all(|b| b & 0x80 != 0)
    }

    /// [`Fields::fail`] for data that ends inside a field.
    fn fail_cut(&mut self, at: usize, what: &'static str) -> Option<Field<'a>> {
        self.cut = true;
        self.fail(at, what)
    }

    fn fail(&mut self, at: usize, what: &'static str) -> Option<Field<'a>> {
        self.error = Some((at, what));
        self.pos = self.buf.len();
        None
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        self.read()
    }
}

impl<'a> Fields<'a> {
    /// [`Iterator::next`], always inlined: for the loops that walk every sample of a file.
    #[inline(always)]
    pub fn read(&mut self) -> Option<Field<'a>> {
        if self.pos >= self.buf.len() || self.error.is_some() {
            return None;
        }
        let offset = self.pos;
        let Some(tag) = self.varint() else {
            self.cut = self.varint_cut();
            return self.fail(offset, "truncated field tag");
        };
        let number = (tag >> 3) as u32;
        if number == 0 || tag >> 3 > u64::from(u32::MAX >> 3) {
            return self.fail(offset, "invalid field number");
        }
        let mut field = Field {
            number,
            wire: WireType::Varint,
            payload: &[],
            varint: 0,
            offset,
        };
        match tag & 7 {
            0 => match self.varint() {
                Some(v) => field.varint = v,
                None => {
                    self.cut = self.varint_cut();
                    return self.fail(offset, "truncated varint");
                }
            },
            1 | 5 => {
                let width = if tag & 7 == 1 { 8 } else { 4 };
                field.wire = if width == 8 {
                    WireType::I64
                } else {
                    WireType::I32
                };
                if self.buf.len() - self.pos < width {
                    return self.fail_cut(offset, "truncated fixed-width field");
                }
                self.pos += width;
            }
            2 => {
                field.wire = WireType::Len;
                let Some(len) = self.varint() else {
                    self.cut = self.varint_cut();
                    return self.fail(offset, "truncated length");
                };
                if len > (self.buf.len() - self.pos) as u64 {
                    let rest = &self.buf[self.pos..];
                    self.fail_cut(
                        offset,
                        "a field's declared length runs past the end of the data (is the file truncated?)",
                    );
                    if self.lenient {
                        field.payload = rest;
                        return Some(field);
                    }
                    return None;
                }
                let len = len as usize;
                field.payload = &self.buf[self.pos..self.pos + len];
                self.pos += len;
            }
            _ => return self.fail(offset, "unknown or group wire type"),
        }
        Some(field)
    }
}

/// Whether `buf` reads as a well-formed protobuf message at its top level.
pub fn is_message(buf: &[u8]) -> bool {
    let mut fields = Fields::new(buf);
    fields.by_ref().for_each(drop);
    fields.error.is_none()
}

/// The varint at `buf[*pos..]`, moving `pos` past it: at most 10 bytes, the tenth 0 or 1 (a
/// u64 has one bit left for it), as prost and protobuf require. `None` leaves `pos` alone.
// Most varints on the wire (tags, lengths, small values and indices) are one to three bytes;
// those take the short way, inlined, and the loop is for the rest.
#[inline(always)]
pub(crate) fn read_varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let &byte = buf.get(*pos)?;
    if byte < 0x80 {
        *pos += 1;
        return Some(u64::from(byte));
    }
    if let Some(&next) = buf.get(*pos + 1)
        && next < 0x80
    {
        *pos += 2;
        return Some(u64::from(byte & 0x7f) | u64::from(next) << 7);
    }
    read_varint_long(buf, pos)
}

fn read_varint_long(buf: &[u8], pos: &mut usize) -> Option<u64> {
    if let Some(&[a, b, c]) = buf.get(*pos..*pos + 3)
        && c < 0x80
    {
        *pos += 3;
        return Some(u64::from(a & 0x7f) | u64::from(b & 0x7f) << 7 | u64::from(c) << 14);
    }
    let mut value = 0u64;
    for i in 0..10 {
        let &byte = buf.get(*pos + i)?;
        if i == 9 && byte > 1 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            *pos += i + 1;
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Varints as read before the short cases were added: the rule the reader must keep.
    fn varint_reference(buf: &[u8]) -> Option<(u64, usize)> {
        let mut value = 0u64;
        for (i, shift) in (0..70).step_by(7).enumerate() {
            let byte = *buf.get(i)?;
            if shift == 63 && byte > 1 {
                return None;
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some((value, i + 1));
            }
        }
        None
    }

    #[test]
    fn varints_read_as_before() {
        // Every length up to 11 bytes with every last byte, then random ones.
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for len in 1..=11 {
            for last in 0..=255u8 {
                let mut bytes = vec![0xff; len - 1];
                bytes.push(last);
                inputs.push(bytes);
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Up to 12 bytes, mostly with the continuation bit, the last of any value.
            let len = (x % 13) as usize;
            let mut bytes: Vec<u8> = (0..len)
                .map(|i| ((x >> (i * 5)) as u8) | if (x >> (i + 40)) & 3 != 0 { 0x80 } else { 0 })
                .collect();
            if let Some(last) = bytes.last_mut()
                && x & (1 << 63) != 0
            {
                *last &= 0x7f;
            }
            inputs.push(bytes);
        }
        for bytes in inputs {
            // As the value of field 1, and as the length of field 2 over what follows.
            for key in [0x08, 0x12] {
                let mut message = vec![key];
                message.extend_from_slice(&bytes);
                message.extend_from_slice(&[0; 4]);
                let mut fields = Fields::new(&message);
                let field = fields.next();
                match varint_reference(&message[1..]) {
                    Some((value, n)) if key == 0x08 => {
                        let f = field.unwrap();
                        assert_eq!((f.varint, fields.pos), (value, 1 + n), "{message:02x?}");
                    }
                    Some((len, n)) if len <= (message.len() - 1 - n) as u64 => {
                        let f = field.unwrap();
                        assert_eq!(f.payload.len() as u64, len, "{message:02x?}");
                    }
                    _ => assert!(field.is_none() && fields.error.is_some(), "{message:02x?}"),
                }
            }
        }
    }
}
