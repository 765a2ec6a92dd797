//! Most-significant-bit-first bit streams, as Rice and H-compress write them.

use super::TileError;

/// Reads bits from a byte slice; reading past the end is an error.
pub(crate) struct BitReader<'a> {
    bytes: &'a [u8],
    /// The position in bits from the start.
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn truncated() -> TileError {
        TileError::new("the compressed stream ends too early")
    }

    /// The next `n` bits (at most 57) as an unsigned number.
    pub(crate) fn bits(&mut self, n: u32) -> Result<u64, TileError> {
        let end = self.pos + n as usize;
        if end > self.bytes.len() * 8 {
            return Err(Self::truncated());
        }
        let mut value = 0u64;
        let mut left = n;
        while left > 0 {
            let byte = self.bytes[self.pos / 8];
            let avail = 8 - (self.pos % 8) as u32;
            let take = avail.min(left);
            let chunk = (u32::from(byte) >> (avail - take)) & ((1u32 << take) - 1);
            value = (value << take) | u64::from(chunk);
            self.pos += take as usize;
            left -= take;
        }
        Ok(value)
    }

    /// Counts zero bits up to and including the next one bit; returns the zeros.
    pub(crate) fn zeros_then_one(&mut self) -> Result<u64, TileError> {
        let mut zeros = 0u64;
        loop {
            if self.pos.is_multiple_of(8) {
                match self.bytes.get(self.pos / 8) {
                    Some(0) => {
                        zeros += 8;
                        self.pos += 8;
                        continue;
                    }
                    Some(_) => {}
                    None => return Err(Self::truncated()),
                }
            }
            if self.bits(1)? == 1 {
                return Ok(zeros);
            }
            zeros += 1;
        }
    }

    /// Skips to the next byte boundary.
    pub(crate) fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }
}

/// Collects bits into bytes; the last byte is padded with zeros.
#[derive(Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    held: u32,
}

impl BitWriter {
    /// Appends the low `n` bits (at most 32) of `value`.
    pub(crate) fn put(&mut self, value: u64, n: u32) {
        if n == 0 {
            return;
        }
        self.acc = (self.acc << n) | (value & ((1u64 << n) - 1));
        self.held += n;
        while self.held >= 8 {
            self.held -= 8;
            self.bytes.push((self.acc >> self.held) as u8);
        }
        self.acc &= (1u64 << self.held) - 1;
    }

    /// Appends `n` zero bits.
    pub(crate) fn zeros(&mut self, mut n: u64) {
        while n > 0 {
            let take = n.min(32) as u32;
            self.put(0, take);
            n -= u64::from(take);
        }
    }

    /// Pads to a byte boundary with zeros.
    pub(crate) fn align(&mut self) {
        if self.held > 0 {
            self.put(0, 8 - self.held);
        }
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.align();
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_across_byte_boundaries() {
        let mut w = BitWriter::default();
        w.put(0b101, 3);
        w.put(0xABCD, 16);
        w.zeros(13);
        w.put(1, 1);
        w.put(0xFFFF_FFFF, 32);
        let bytes = w.finish();
        let mut r = BitReader::new(&bytes);
        assert_eq!(r.bits(3).unwrap(), 0b101);
        assert_eq!(r.bits(16).unwrap(), 0xABCD);
        assert_eq!(r.zeros_then_one().unwrap(), 13);
        assert_eq!(r.bits(32).unwrap(), 0xFFFF_FFFF);
        r.align();
        assert!(r.bits(1).is_err(), "reading past the end is an error");
    }
}
