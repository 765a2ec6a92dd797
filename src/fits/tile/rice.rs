//! RICE_1: the Rice coding of pixel differences used by fpack and cfitsio.
//!
//! The stream starts with the first pixel (BYTEPIX bytes, big-endian); then
//! come blocks of BLOCKSIZE pixels, each led by a split code of FSBITS bits:
//! 0 means every difference in the block is zero, FSMAX + 1 means the
//! differences follow uncoded, and anything else is FS + 1 for Rice codes
//! with FS low bits. Differences are zigzag-mapped and wrap at the width.

use super::TileError;
use super::bits::{BitReader, BitWriter};

/// FSBITS, FSMAX and the pixel width in bits, for 1, 2 or 4 bytes a pixel.
fn parameters(bytepix: usize) -> Result<(u32, u64, u32), TileError> {
    match bytepix {
        1 => Ok((3, 6, 8)),
        2 => Ok((4, 14, 16)),
        4 => Ok((5, 25, 32)),
        _ => Err(TileError::new(format!("RICE_1 BYTEPIX {bytepix} is not 1, 2 or 4"))),
    }
}

/// A value of the pixel width as the image holds it: unsigned bytes,
/// signed 16- and 32-bit integers.
fn widen(value: u32, bytepix: usize) -> i64 {
    match bytepix {
        1 => i64::from(value as u8),
        2 => i64::from(value as u16 as i16),
        _ => i64::from(value as i32),
    }
}

/// Decodes `count` pixels.
pub fn decode(bytes: &[u8], bytepix: usize, blocksize: usize, count: usize) -> Result<Vec<i64>, TileError> {
    let (fsbits, fsmax, width) = parameters(bytepix)?;
    if blocksize == 0 {
        return Err(TileError::new("RICE_1 BLOCKSIZE is 0"));
    }
    if bytes.len() < bytepix {
        return Err(TileError::new("the RICE_1 stream is shorter than its first pixel"));
    }
    // Every block costs at least its split code: refuse before allocating.
    let blocks = count.div_ceil(blocksize);
    if blocks.saturating_mul(fsbits as usize) > (bytes.len() - bytepix) * 8 {
        return Err(TileError::new("the RICE_1 stream is too short for the tile"));
    }
    let mask = if width == 32 { u32::MAX } else { (1u32 << width) - 1 };
    let mut reader = BitReader::new(bytes);
    let mut last = reader.bits(width)? as u32;
    let mut out = Vec::with_capacity(count);
    let undo = |diff: u32, last: u32| {
        let delta = if diff & 1 == 0 { diff >> 1 } else { !(diff >> 1) };
        delta.wrapping_add(last) & mask
    };
    while out.len() < count {
        let n = blocksize.min(count - out.len());
        let code = reader.bits(fsbits)?;
        if code == 0 {
            out.extend(std::iter::repeat_n(widen(last, bytepix), n));
        } else if code == fsmax + 1 {
            for _ in 0..n {
                last = undo(reader.bits(width)? as u32, last);
                out.push(widen(last, bytepix));
            }
        } else if code <= fsmax {
            let fs = (code - 1) as u32;
            for _ in 0..n {
                let top = reader.zeros_then_one()?;
                let diff = (top << fs) | reader.bits(fs)?;
                last = undo(diff as u32, last);
                out.push(widen(last, bytepix));
            }
        } else {
            return Err(TileError::new(format!("RICE_1 split code {code} is out of range")));
        }
    }
    Ok(out)
}

/// Encodes pixels (each taken modulo the width), as cfitsio's fits_rcomp does.
pub fn encode(values: &[i64], bytepix: usize, blocksize: usize) -> Result<Vec<u8>, TileError> {
    let (fsbits, fsmax, width) = parameters(bytepix)?;
    if blocksize == 0 {
        return Err(TileError::new("RICE_1 BLOCKSIZE is 0"));
    }
    let mask = (1u64 << width) - 1;
    let mut w = BitWriter::default();
    let first = values.first().copied().unwrap_or(0);
    w.put(first as u64 & mask, width);
    let mut last = first;
    let mut diffs = Vec::with_capacity(blocksize);
    for block in values.chunks(blocksize) {
        diffs.clear();
        let mut sum = 0.0f64;
        for &v in block {
            // The difference wrapped to the width, as a signed number.
            let shift = 64 - width;
            let d = ((v.wrapping_sub(last) as u64) << shift) as i64 >> shift;
            let mapped = (if d < 0 { !(d << 1) } else { d << 1 }) as u64 & mask;
            sum += mapped as f64;
            diffs.push(mapped);
            last = v;
        }
        let n = block.len();
        let mean = ((sum - (n / 2) as f64 - 1.0) / n as f64).max(0.0);
        let mut psum = (mean as u64) >> 1;
        let mut fs = 0u64;
        while psum > 0 {
            psum >>= 1;
            fs += 1;
        }
        if fs >= fsmax {
            w.put(fsmax + 1, fsbits);
            for &d in &diffs {
                w.put(d, width);
            }
        } else if fs == 0 && sum == 0.0 {
            w.put(0, fsbits);
        } else {
            w.put(fs + 1, fsbits);
            for &d in &diffs {
                w.zeros(d >> fs);
                w.put(1, 1);
                w.put(d, fs as u32);
            }
        }
    }
    Ok(w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    fn samples(bytepix: usize) -> Vec<Vec<i64>> {
        let (lo, hi) = match bytepix {
            1 => (0i64, 255i64),
            2 => (i64::from(i16::MIN), i64::from(i16::MAX)),
            _ => (i64::from(i32::MIN), i64::from(i32::MAX)),
        };
        let mut rng = Rng::new(7 + bytepix as u64);
        let noisy: Vec<i64> = (0..1001).map(|_| lo + (rng.next() % (hi - lo + 1) as u64) as i64).collect();
        let smooth: Vec<i64> = (0..517).map(|i| lo.max(-40) + (i % 50) + (rng.next() % 3) as i64).collect();
        let extremes: Vec<i64> = (0..77).map(|i| if i % 3 == 0 { lo } else { hi }).collect();
        vec![vec![], vec![hi], vec![lo + 5; 100], noisy, smooth, extremes]
    }

    #[test]
    fn round_trips_every_width_and_block_size() {
        for bytepix in [1, 2, 4] {
            for blocksize in [16, 32, 7] {
                for values in samples(bytepix) {
                    let bytes = encode(&values, bytepix, blocksize).unwrap();
                    let back = decode(&bytes, bytepix, blocksize, values.len()).unwrap();
                    assert_eq!(back, values, "bytepix {bytepix} blocksize {blocksize}");
                }
            }
        }
    }

    /// astropy 8.0.2 (cfitsio's coder) on the int16 tile `(i * 113) % 257 - 128`,
    /// i = 0..40, BLOCKSIZE 32, BYTEPIX 2.
    const ASTROPY_40: [u8; 50] = [
        0xFF, 0x80, 0x88, 0x07, 0x13, 0x88, 0x9F, 0x71, 0x13, 0xEE, 0x22, 0x7D, 0xC4, 0xE2, 0x27, 0xDC, 0x44, 0xFB,
        0x88, 0x9F, 0x71, 0x13, 0xEE, 0x27, 0x11, 0x3E, 0xE2, 0x27, 0xDC, 0x44, 0xFB, 0x89, 0xC4, 0x4F, 0xB8, 0x89,
        0xF7, 0x11, 0x3E, 0xE2, 0x82, 0x7D, 0xC4, 0xE2, 0x27, 0xDC, 0x44, 0xFB, 0x88, 0x9F,
    ];

    #[test]
    fn matches_cfitsio_both_ways() {
        let values: Vec<i64> = (0..40).map(|i| i * 113 % 257 - 128).collect();
        assert_eq!(decode(&ASTROPY_40, 2, 32, 40).unwrap(), values);
        assert_eq!(encode(&values, 2, 32).unwrap(), ASTROPY_40);
    }

    #[test]
    fn constant_blocks_are_one_code_each() {
        let bytes = encode(&[9i64; 64], 4, 32).unwrap();
        // 4 bytes of first pixel, then two 5-bit zero codes.
        assert_eq!(bytes.len(), 6);
        assert_eq!(decode(&bytes, 4, 32, 64).unwrap(), vec![9; 64]);
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let values: Vec<i64> = (0..300).map(|i| (i * 37 % 1000) - 500).collect();
        let bytes = encode(&values, 2, 32).unwrap();
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], 2, 32, values.len()).is_err(), "cut at {cut}");
        }
        assert!(decode(&bytes, 3, 32, 10).is_err());
        assert!(decode(&bytes, 2, 0, 10).is_err());
        assert!(decode(&[0xFF; 8], 4, 32, 1_000_000).is_err(), "far too short for the tile");
        let mut rng = Rng::new(99);
        for _ in 0..200 {
            let junk: Vec<u8> = (0..rng.next() % 64).map(|_| rng.next() as u8).collect();
            for bytepix in [1, 2, 4] {
                let _ = decode(&junk, bytepix, 32, 100);
            }
        }
    }
}
