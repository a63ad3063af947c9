//! lib0 variable-length encoding, as Yjs writes it.
//!
//! An unsigned integer is written 7 bits per byte, least significant group first, with the high
//! bit set on every byte but the last. A buffer is its length as such an integer, then the bytes.
//! The reader is written here rather than borrowed from yrs because the hub needs the *offsets* of
//! a payload inside the frame (to relay the frame untouched and apply a borrowed slice), and
//! because every read must be bounds-checked against hostile input.

use crate::message::ProtoError;

/// Appends `value` as a lib0 varUint.
pub fn write_var_u64(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends `bytes` as a lib0 varUint8Array (length prefix, then the bytes).
pub fn write_buf(out: &mut Vec<u8>, bytes: &[u8]) {
    write_var_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A bounds-checked cursor over one frame.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// Current offset into the frame.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left to read.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Reads a varUint of at most 64 bits; longer encodings are refused, not wrapped.
    pub fn read_var_u64(&mut self) -> Result<u64, ProtoError> {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let byte = *self.data.get(self.pos).ok_or(ProtoError::Truncated)?;
            self.pos += 1;
            if shift == 63 && byte > 1 {
                return Err(ProtoError::VarIntOverflow);
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err(ProtoError::VarIntOverflow);
            }
        }
    }

    /// Reads a length-prefixed buffer and returns its byte range within the frame.
    /// The length is checked against what is actually left, so a length bomb costs nothing.
    pub fn read_buf_range(&mut self) -> Result<std::ops::Range<usize>, ProtoError> {
        let len = self.read_var_u64()?;
        if len > self.remaining() as u64 {
            return Err(ProtoError::Truncated);
        }
        let start = self.pos;
        self.pos += len as usize;
        Ok(start..self.pos)
    }

    /// Consumes exactly `n` bytes and returns their range.
    pub fn read_fixed_range(&mut self, n: usize) -> Result<std::ops::Range<usize>, ProtoError> {
        if n > self.remaining() {
            return Err(ProtoError::Truncated);
        }
        let start = self.pos;
        self.pos += n;
        Ok(start..self.pos)
    }

    /// The byte at `index` of the frame (an index returned by a read).
    pub fn byte_at(&self, index: usize) -> u8 {
        self.data[index]
    }

    /// Reads a length-prefixed buffer.
    pub fn read_buf(&mut self) -> Result<&'a [u8], ProtoError> {
        let range = self.read_buf_range()?;
        Ok(&self.data[range])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_boundaries() {
        for v in [
            0u64,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            write_var_u64(&mut out, v);
            let mut r = Reader::new(&out);
            assert_eq!(r.read_var_u64().unwrap(), v);
            assert_eq!(r.remaining(), 0);
        }
    }

    #[test]
    fn known_encodings_match_lib0() {
        let mut out = Vec::new();
        write_var_u64(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
    }

    #[test]
    fn refuses_overlong_and_truncated() {
        let overlong = [0xffu8; 11];
        assert_eq!(
            Reader::new(&overlong).read_var_u64(),
            Err(ProtoError::VarIntOverflow)
        );
        assert_eq!(
            Reader::new(&[0x80]).read_var_u64(),
            Err(ProtoError::Truncated)
        );
        // A buffer that claims 2^40 bytes but carries three.
        let mut bomb = Vec::new();
        write_var_u64(&mut bomb, 1 << 40);
        bomb.extend_from_slice(b"abc");
        assert_eq!(
            Reader::new(&bomb).read_buf_range(),
            Err(ProtoError::Truncated)
        );
    }
}
