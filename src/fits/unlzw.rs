//! Unix `compress` (`.Z`, LZW) decoding as a stream: compressed bytes are
//! written in, decoded bytes go to the writer inside, so a header reader can
//! inflate only as far as it needs (HEASARC's ROSAT products are `.fits.Z`).
//!
//! The format: `1F 9D`, a flags byte (max code width, block mode), then
//! codes packed LSB first, 9 bits wide and growing to the max. Codes come in
//! groups of eight: when the width grows or a CLEAR (256) arrives, the rest
//! of the current group is padding, as `compress` writes it.

use std::io::{self, Write};

const CLEAR: u16 = 256;

/// Decodes a `.Z` stream into `inner`.
pub struct UnlzwWriter<W: Write> {
    inner: W,
    header: Vec<u8>,
    max_bits: u32,
    block_mode: bool,
    n_bits: u32,
    max_code: u32,
    free_ent: u32,
    prefix: Vec<u16>,
    suffix: Vec<u8>,
    old_code: Option<u16>,
    fin_char: u8,
    /// Bits received but not yet used, LSB first.
    acc: u64,
    acc_bits: u32,
    /// Codes read since the width last changed (for the group padding).
    in_segment: u64,
    /// Padding bits still to drop.
    skip_bits: u64,
    stack: Vec<u8>,
}

fn corrupt(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

impl<W: Write> UnlzwWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            header: Vec::with_capacity(3),
            max_bits: 16,
            block_mode: true,
            n_bits: 9,
            max_code: 511,
            free_ent: 257,
            prefix: vec![0; 1 << 16],
            suffix: vec![0; 1 << 16],
            old_code: None,
            fin_char: 0,
            acc: 0,
            acc_bits: 0,
            in_segment: 0,
            skip_bits: 0,
            stack: Vec::with_capacity(1 << 16),
        }
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    fn start(&mut self) -> io::Result<()> {
        if self.header[..2] != [0x1f, 0x9d] {
            return Err(corrupt("not a Unix compress (.Z) stream"));
        }
        self.max_bits = u32::from(self.header[2] & 0x1f);
        self.block_mode = self.header[2] & 0x80 != 0;
        if !(9..=16).contains(&self.max_bits) {
            return Err(corrupt(format!("compress codes of {} bits are not possible", self.max_bits)));
        }
        self.free_ent = if self.block_mode { 257 } else { 256 };
        Ok(())
    }

    /// Drops the rest of the current group of eight codes.
    fn pad_group(&mut self) {
        let remaining = (8 - self.in_segment % 8) % 8;
        self.skip_bits = remaining * u64::from(self.n_bits);
        self.in_segment = 0;
    }

    fn decode_codes(&mut self) -> io::Result<()> {
        let max_max = 1u32 << self.max_bits;
        loop {
            if self.skip_bits > 0 {
                let drop = self.skip_bits.min(u64::from(self.acc_bits)) as u32;
                self.acc = if drop >= 64 { 0 } else { self.acc >> drop };
                self.acc_bits -= drop;
                self.skip_bits -= u64::from(drop);
                if self.skip_bits > 0 {
                    return Ok(());
                }
            }
            if self.free_ent > self.max_code {
                self.pad_group();
                self.n_bits += 1;
                self.max_code = if self.n_bits == self.max_bits { max_max } else { (1 << self.n_bits) - 1 };
                continue;
            }
            if self.acc_bits < self.n_bits {
                return Ok(());
            }
            let code = (self.acc & ((1u64 << self.n_bits) - 1)) as u32;
            self.acc >>= self.n_bits;
            self.acc_bits -= self.n_bits;
            self.in_segment += 1;
            if code == u32::from(CLEAR) && self.block_mode {
                self.pad_group();
                self.n_bits = 9;
                self.max_code = 511;
                self.free_ent = 256;
                continue;
            }
            self.decode_one(code, max_max)?;
        }
    }

    fn decode_one(&mut self, code: u32, max_max: u32) -> io::Result<()> {
        let Some(old) = self.old_code else {
            if code > 255 {
                return Err(corrupt("the first code of a compress stream is not a byte"));
            }
            self.fin_char = code as u8;
            self.old_code = Some(code as u16);
            return self.inner.write_all(&[code as u8]);
        };
        self.stack.clear();
        let mut current = code;
        if current >= self.free_ent {
            if current > self.free_ent {
                return Err(corrupt(format!("code {current} is ahead of the table ({})", self.free_ent)));
            }
            self.stack.push(self.fin_char);
            current = u32::from(old);
        }
        while current >= 256 {
            self.stack.push(self.suffix[current as usize]);
            current = u32::from(self.prefix[current as usize]);
            if self.stack.len() > 1 << 16 {
                return Err(corrupt("a code's string loops"));
            }
        }
        self.fin_char = current as u8;
        self.stack.push(self.fin_char);
        self.stack.reverse();
        self.inner.write_all(&self.stack)?;
        if self.free_ent < max_max {
            self.prefix[self.free_ent as usize] = old;
            self.suffix[self.free_ent as usize] = self.fin_char;
            self.free_ent += 1;
        }
        self.old_code = Some(code as u16);
        Ok(())
    }
}

impl<W: Write> Write for UnlzwWriter<W> {
    fn write(&mut self, mut buf: &[u8]) -> io::Result<usize> {
        let len = buf.len();
        while self.header.len() < 3 && !buf.is_empty() {
            self.header.push(buf[0]);
            buf = &buf[1..];
            if self.header.len() == 3 {
                self.start()?;
            }
        }
        for &byte in buf {
            self.acc |= u64::from(byte) << self.acc_bits;
            self.acc_bits += 8;
            if self.acc_bits >= 32 {
                self.decode_codes()?;
            }
        }
        if self.header.len() == 3 {
            self.decode_codes()?;
        }
        Ok(len)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Compresses `data` as `compress -b max_bits` would (block mode, no CLEAR:
/// the table stops growing when full). For the demo archive and the tests.
pub fn compress(data: &[u8], max_bits: u32) -> Vec<u8> {
    let max_bits = max_bits.clamp(9, 16);
    let mut out = vec![0x1f, 0x9d, 0x80 | max_bits as u8];
    let mut writer = BitWriter::default();
    let Some((&first, rest)) = data.split_first() else { return out };
    let mut table: std::collections::HashMap<(u16, u8), u16> = std::collections::HashMap::new();
    let (mut next, max_max) = (257u32, 1u32 << max_bits);
    let (mut n_bits, mut in_segment) = (9u32, 0u64);
    let mut current = u16::from(first);
    let mut emit = |code: u16, next: u32, writer: &mut BitWriter| {
        // The decoder widens once its table (one entry behind ours) outgrows the width.
        if next - 1 > (1 << n_bits) - 1 && n_bits < max_bits {
            writer.pad(((8 - in_segment % 8) % 8) * u64::from(n_bits));
            in_segment = 0;
            n_bits += 1;
        }
        writer.push(u32::from(code), n_bits);
        in_segment += 1;
    };
    for &byte in rest {
        if let Some(&code) = table.get(&(current, byte)) {
            current = code;
            continue;
        }
        emit(current, next, &mut writer);
        if next < max_max {
            table.insert((current, byte), next as u16);
            next += 1;
        }
        current = u16::from(byte);
    }
    emit(current, next, &mut writer);
    out.extend(writer.finish());
    out
}

/// Bits packed LSB first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    bits: u32,
}

impl BitWriter {
    fn push(&mut self, value: u32, width: u32) {
        self.acc |= u64::from(value) << self.bits;
        self.bits += width;
        while self.bits >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.bits -= 8;
        }
    }

    fn pad(&mut self, bits: u64) {
        for _ in 0..bits / 16 {
            self.push(0, 16);
        }
        self.push(0, (bits % 16) as u32);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.bits > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(stream: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
        let mut writer = UnlzwWriter::new(Vec::new());
        for piece in stream.chunks(chunk.max(1)) {
            writer.write_all(piece)?;
        }
        Ok(writer.inner)
    }

    fn sample(len: usize) -> Vec<u8> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..len)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if i % 3000 < 1500 { b"SIMPLE  =                    T / FITS "[i % 38] } else { (state >> 56) as u8 }
            })
            .collect()
    }

    #[test]
    fn round_trips_through_every_width_in_any_chunking() {
        for (len, bits) in [(0, 16), (1, 16), (1000, 9), (70_000, 12), (300_000, 16)] {
            let data = sample(len);
            let stream = compress(&data, bits);
            for chunk in [1, 7, 4096] {
                assert_eq!(decode(&stream, chunk).unwrap(), data, "{len} bytes, {bits} bits, chunks of {chunk}");
            }
        }
    }

    #[test]
    fn a_stream_from_ncompress_decodes() {
        // `ncompress.compress(b"TOBEORNOTTOBEORTOBEORNOT" * 40)` from PyPI's ncompress (compress 4.2.4).
        let stream = [
            0x1f, 0x9d, 0x90, 0x54, 0x9e, 0x08, 0x29, 0xf2, 0x44, 0x8a, 0x93, 0x27, 0x54, 0x02, 0x0e, 0x2c, 0xa8, 0x90,
            0xa0, 0x41, 0x84, 0x0d, 0x0b, 0x1e, 0x4c, 0x28, 0xd0, 0x61, 0xc4, 0x87, 0x14, 0x17, 0x62, 0xbc, 0x78, 0x71,
            0x62, 0x47, 0x88, 0x15, 0x19, 0x86, 0xdc, 0x38, 0xd2, 0xe3, 0xc8, 0x8f, 0x19, 0x1d, 0x9a, 0xd4, 0x88, 0xb2,
            0xe5, 0xc9, 0x92, 0x20, 0x35, 0xae, 0xb4, 0x08, 0x33, 0xa5, 0xc4, 0x98, 0x34, 0x65, 0xe2, 0xbc, 0x69, 0x53,
            0x8a, 0x4b, 0x9d, 0x3d, 0x7f, 0xaa, 0xdc, 0xe9, 0xb3, 0xa6, 0x50, 0x91, 0x40, 0x8f, 0x16, 0x4d, 0x6a, 0xf4,
            0x25, 0xd3, 0xa7, 0x39, 0x87, 0xf6, 0x9c, 0x89, 0x54, 0xaa, 0x52, 0xa5, 0x54, 0x97, 0x5a, 0x6d, 0xca, 0x92,
            0xeb, 0xd6, 0xae, 0x50, 0x79, 0x72, 0xf4, 0x2a, 0xd6, 0xe9, 0xd7, 0xb3, 0x55, 0xcb, 0x86, 0xd5, 0xaa, 0x16,
            0x2d, 0x5b, 0x92, 0x6b, 0xb1, 0x12, 0x95, 0x1b, 0x94, 0x2c, 0xdc, 0xa8, 0x6d, 0xf3, 0xbe, 0xcd, 0x9a, 0x95,
            0xee, 0xd8, 0xb5, 0x7d, 0xed, 0x06, 0x06, 0x3c, 0x57, 0x70, 0x61, 0xc2, 0x75, 0x11, 0xff, 0x75, 0x3b, 0x58,
            0x2a,
        ];
        let decoded = decode(&stream, 5).unwrap();
        assert_eq!(decoded, b"TOBEORNOTTOBEORTOBEORNOT".repeat(40));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"\x1f\x8b\x08", 3).is_err(), "gzip is not compress");
        assert!(decode(&[0x1f, 0x9d, 0x97], 3).is_err(), "23-bit codes");
        let mut stream = compress(&sample(5000), 16);
        for byte in stream.iter_mut().skip(40).step_by(7) {
            *byte ^= 0xa5;
        }
        let _ = decode(&stream, 64);
        assert!(decode(&[0x1f, 0x9d, 0x90, 0xff, 0xff, 0xff, 0xff], 1).is_err(), "a first code past 255");
    }
}
