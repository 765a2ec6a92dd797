//! HCOMPRESS_1: the H-transform coefficients, coded by bit plane in four
//! quadrants (each plane as a quadtree or as a direct bitmap of nybbles),
//! then their sign bits. Stream layout (cfitsio's encode64): magic DD 99,
//! rows, columns and SCALE as 4-byte integers, the sum of all pixels as an
//! 8-byte integer, the bit-plane counts of the three quadrant kinds.

use super::TileError;
use super::bits::{BitReader, BitWriter};
use super::htransform::{ceil_log2, forward, inverse};

const MAGIC: [u8; 2] = [0xDD, 0x99];

/// The fixed Huffman codes of the 4-bit quadtree values, and their lengths.
const CODE: [u8; 16] = [0x3e, 0x00, 0x01, 0x08, 0x02, 0x09, 0x1a, 0x1b, 0x03, 0x1c, 0x0a, 0x1d, 0x0b, 0x1e, 0x3f, 0x0c];
const CODE_BITS: [u8; 16] = [6, 3, 3, 4, 3, 4, 5, 5, 3, 5, 4, 5, 4, 5, 6, 4];

/// Reads one code of the fixed Huffman table for 4-bit quadtree values.
fn huffman(r: &mut BitReader<'_>) -> Result<u8, TileError> {
    let c = r.bits(3)?;
    if c < 4 {
        return Ok(1 << c);
    }
    let c = (c << 1) | r.bits(1)?;
    match c {
        8 => return Ok(3),
        9 => return Ok(5),
        10 => return Ok(10),
        11 => return Ok(12),
        12 => return Ok(15),
        _ => {}
    }
    let c = (c << 1) | r.bits(1)?;
    match c {
        26 => return Ok(6),
        27 => return Ok(7),
        28 => return Ok(9),
        29 => return Ok(11),
        30 => return Ok(13),
        _ => {}
    }
    let c = (c << 1) | r.bits(1)?;
    Ok(if c == 62 { 0 } else { 14 })
}

/// One quadrant: `rows` x `cols` values from `start`, rows `stride` apart.
#[derive(Clone, Copy)]
struct Quadrant {
    start: usize,
    stride: usize,
    rows: usize,
    cols: usize,
}

impl Quadrant {
    /// The four quadrants of a `rows` x `cols` array and their plane-count index.
    fn split(rows: usize, cols: usize) -> [(Quadrant, usize); 4] {
        let (r2, c2) = (rows.div_ceil(2), cols.div_ceil(2));
        let q = |start, rows, width| Quadrant { start, stride: cols, rows, cols: width };
        [
            (q(0, r2, c2), 0),
            (q(c2, r2, cols / 2), 1),
            (q(cols * r2, rows / 2, c2), 1),
            (q(cols * r2 + c2, rows / 2, cols / 2), 2),
        ]
    }

    /// Sets bit `bit` of the values from 4-bit codes, one per 2 x 2 block.
    fn insert(&self, a: &mut [i64], codes: &[u8], bit: u32) {
        let per_row = self.cols.div_ceil(2);
        for i in 0..self.rows {
            for j in 0..self.cols {
                let code = codes[(i / 2) * per_row + j / 2];
                let shift = 3 - (2 * (i % 2) + j % 2);
                if (code >> shift) & 1 == 1 {
                    a[self.start + i * self.stride + j] |= 1i64 << bit;
                }
            }
        }
    }

    /// The 4-bit codes of bit `bit`, one per 2 x 2 block.
    fn codes(&self, a: &[i64], bit: u32) -> Vec<u8> {
        let per_row = self.cols.div_ceil(2);
        let mut codes = vec![0u8; self.rows.div_ceil(2) * per_row];
        for i in 0..self.rows {
            for j in 0..self.cols {
                if (a[self.start + i * self.stride + j] >> bit) & 1 == 1 {
                    codes[(i / 2) * per_row + j / 2] |= 1 << (3 - (2 * (i % 2) + j % 2));
                }
            }
        }
        codes
    }
}

/// Expands one quadtree level of `prev` (half size, rounded up) to
/// `rows` x `cols`, reading a code for every non-zero value, last first.
fn expand(r: &mut BitReader<'_>, prev: &[u8], rows: usize, cols: usize) -> Result<Vec<u8>, TileError> {
    let prev_cols = cols.div_ceil(2);
    let mut level = vec![0u8; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            let code = prev.get((i / 2) * prev_cols + j / 2).copied().unwrap_or(0);
            level[i * cols + j] = (code >> (3 - (2 * (i % 2) + j % 2))) & 1;
        }
    }
    for value in level.iter_mut().rev() {
        if *value != 0 {
            *value = huffman(r)?;
        }
    }
    Ok(level)
}

/// Decodes the bit planes of one quadrant into `a` (cfitsio's qtree_decode64).
fn decode_quadrant(r: &mut BitReader<'_>, a: &mut [i64], q: Quadrant, planes: u8) -> Result<(), TileError> {
    if planes > 62 {
        return Err(TileError::new(format!("HCOMPRESS_1 claims {planes} bit planes")));
    }
    let log2n = ceil_log2(q.rows.max(q.cols));
    let wanted = (q.rows.div_ceil(2), q.cols.div_ceil(2));
    for bit in (0..u32::from(planes)).rev() {
        let codes = match r.bits(4)? {
            0 => (0..wanted.0 * wanted.1).map(|_| r.bits(4).map(|c| c as u8)).collect::<Result<Vec<_>, _>>()?,
            0xF => {
                let mut level = vec![huffman(r)?];
                let (mut rows, mut cols, mut rows_left, mut cols_left) = (1usize, 1usize, q.rows, q.cols);
                let mut c = 1usize << log2n;
                for _ in 1..log2n {
                    c >>= 1;
                    rows <<= 1;
                    cols <<= 1;
                    if rows_left <= c {
                        rows -= 1
                    } else {
                        rows_left -= c
                    }
                    if cols_left <= c {
                        cols -= 1
                    } else {
                        cols_left -= c
                    }
                    level = expand(r, &level, rows, cols)?;
                }
                if q.rows > 0 && q.cols > 0 && (rows, cols) != wanted {
                    return Err(TileError::new("HCOMPRESS_1 quadtree does not match the quadrant"));
                }
                level
            }
            code => return Err(TileError::new(format!("HCOMPRESS_1 bit-plane code {code} is neither 0 nor 15"))),
        };
        if q.rows > 0 && q.cols > 0 {
            q.insert(a, &codes, bit);
        }
    }
    Ok(())
}

fn read_i32(r: &mut BitReader<'_>) -> Result<i64, TileError> {
    Ok(i64::from(r.bits(32)? as u32 as i32))
}

/// Decodes a tile of `count` pixels; returns the pixels and the stream's
/// (rows, columns). SCALE > 1 multiplies back (lossy streams), and `smooth`
/// then smooths (SMOOTH = 1).
pub fn decode(bytes: &[u8], count: usize, smooth: bool) -> Result<(Vec<i64>, usize, usize), TileError> {
    if bytes.len() < 23 || bytes[..2] != MAGIC {
        return Err(TileError::new("not an HCOMPRESS_1 stream (bad magic or too short)"));
    }
    let mut r = BitReader::new(&bytes[2..]);
    let (rows, cols, scale) = (read_i32(&mut r)?, read_i32(&mut r)?, read_i32(&mut r)?);
    let sum = r.bits(32)? << 32 | r.bits(32)?;
    if rows < 0 || cols < 0 || (rows as u64).checked_mul(cols as u64) != Some(count as u64) {
        return Err(TileError::new(format!("HCOMPRESS_1 stream is {rows} x {cols}, the tile has {count} pixels")));
    }
    let (rows, cols) = (rows as usize, cols as usize);
    let planes = [r.bits(8)? as u8, r.bits(8)? as u8, r.bits(8)? as u8];
    let mut a = vec![0i64; count];
    for (quadrant, kind) in Quadrant::split(rows, cols) {
        decode_quadrant(&mut r, &mut a, quadrant, planes[kind])?;
    }
    if r.bits(4)? != 0 {
        return Err(TileError::new("HCOMPRESS_1 stream lacks its end code"));
    }
    r.align();
    for v in a.iter_mut().filter(|v| **v != 0) {
        if r.bits(1)? == 1 {
            *v = -*v;
        }
    }
    if let Some(first) = a.first_mut() {
        *first = sum as i64;
    }
    if scale > 1 {
        a.iter_mut().for_each(|v| *v = v.wrapping_mul(scale));
    }
    inverse(&mut a, rows, cols, if smooth { scale } else { 0 });
    Ok((a, rows, cols))
}

/// Halves a level of 4-bit codes (`rows` x `cols`): each 2 x 2 block becomes
/// the 4-bit code of which of its values are non-zero.
fn reduce(level: &[u8], rows: usize, cols: usize) -> Vec<u8> {
    let per_row = cols.div_ceil(2);
    let mut out = vec![0u8; rows.div_ceil(2) * per_row];
    for i in 0..rows {
        for j in 0..cols {
            if level[i * cols + j] != 0 {
                out[(i / 2) * per_row + j / 2] |= 1 << (3 - (2 * (i % 2) + j % 2));
            }
        }
    }
    out
}

/// Writes one bit plane of a quadrant as cfitsio's qtree_encode64 does: as
/// a quadtree (the non-zero codes of every level, coarsest first, each level
/// last value first), or as a direct bitmap when the quadtree is no smaller.
fn encode_plane(w: &mut BitWriter, q: Quadrant, codes: Vec<u8>) {
    let (mut rows, mut cols) = (q.rows.div_ceil(2), q.cols.div_ceil(2));
    let mut nonzero: Vec<u8> = codes.iter().copied().filter(|&c| c != 0).collect();
    let mut level = codes.clone();
    for _ in 1..ceil_log2(q.rows.max(q.cols)) {
        level = reduce(&level, rows, cols);
        (rows, cols) = (rows.div_ceil(2), cols.div_ceil(2));
        nonzero.extend(level.iter().copied().filter(|&c| c != 0));
    }
    let bits: usize = nonzero.iter().map(|&c| usize::from(CODE_BITS[usize::from(c)])).sum();
    let direct_bytes = (q.rows.div_ceil(2) * q.cols.div_ceil(2)).div_ceil(2);
    if bits / 8 >= direct_bytes.max(1) {
        w.put(0, 4);
        for code in codes {
            w.put(u64::from(code), 4);
        }
        return;
    }
    w.put(0xF, 4);
    if nonzero.is_empty() {
        w.put(u64::from(CODE[0]), u32::from(CODE_BITS[0]));
    }
    for &c in nonzero.iter().rev() {
        w.put(u64::from(CODE[usize::from(c)]), u32::from(CODE_BITS[usize::from(c)]));
    }
}

/// Encodes `rows` x `cols` pixels losslessly (SCALE 0), bit planes coded as
/// quadtrees like cfitsio's fits_hcompress64.
pub fn encode(values: &[i32], rows: usize, cols: usize) -> Result<Vec<u8>, TileError> {
    if values.len() != rows * cols || rows > i32::MAX as usize || cols > i32::MAX as usize {
        return Err(TileError::new("HCOMPRESS_1 encode: the values do not fill rows x cols"));
    }
    let mut a: Vec<i64> = values.iter().map(|&v| i64::from(v)).collect();
    forward(&mut a, rows, cols);
    let mut out = MAGIC.to_vec();
    out.extend((rows as i32).to_be_bytes());
    out.extend((cols as i32).to_be_bytes());
    out.extend(0i32.to_be_bytes());
    out.extend(a.first().copied().unwrap_or(0).to_be_bytes());
    if let Some(first) = a.first_mut() {
        *first = 0;
    }
    let mut signs = BitWriter::default();
    for v in a.iter_mut().filter(|v| **v != 0) {
        signs.put(u64::from(*v < 0), 1);
        *v = v.abs();
    }
    let quadrants = Quadrant::split(rows, cols);
    let mut planes = [0u8; 3];
    for (q, kind) in quadrants {
        for i in 0..q.rows {
            for j in 0..q.cols {
                let bits = 64 - a[q.start + i * q.stride + j].leading_zeros() as u8;
                planes[kind] = planes[kind].max(bits);
            }
        }
    }
    out.extend(planes);
    let mut w = BitWriter::default();
    for (q, kind) in quadrants {
        for bit in (0..u32::from(planes[kind])).rev() {
            encode_plane(&mut w, q, q.codes(&a, bit));
        }
    }
    w.put(0, 4);
    out.extend(w.finish());
    out.extend(signs.finish());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    /// astropy 8.0.2's HCOMPRESS_1 of a 4 x 6 int32 tile, `(i * 37) % 101 - 50`
    /// for i = 0..24: bit planes coded as quadtrees.
    const ASTROPY_4X6: [u8; 70] = [
        0xDD, 0x99, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xC0, 0x07, 0x08, 0x07, 0xF4, 0x40, 0xC8, 0x18, 0x00, 0xEB, 0xD9, 0xFF, 0xBF, 0xEF, 0x68,
        0x2C, 0x3F, 0xEF, 0x54, 0x17, 0x5E, 0xA8, 0x2C, 0x3F, 0xEF, 0xFB, 0xFE, 0x0F, 0xAF, 0x54, 0x1F, 0x5E, 0xAB,
        0xD5, 0x7F, 0xDE, 0xAB, 0xD5, 0x7F, 0xDF, 0xF7, 0xAA, 0xFF, 0xBD, 0x50, 0x00, 0xDB, 0x26, 0x40,
    ];

    /// astropy 8.0.2's HCOMPRESS_1 of an 8 x 8 int32 tile with SCALE 4 and
    /// SMOOTH 1, and the values astropy decodes from it (smoothed).
    const ASTROPY_SMOOTHED: [u8; 71] = [
        0xDD, 0x99, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x02, 0xF4, 0x08, 0x05, 0x01, 0xF6, 0x7E, 0xA1, 0x7B, 0x20, 0x9F, 0x81, 0xEC, 0xFA, 0xCF, 0x38,
        0x01, 0x7A, 0xDF, 0xF7, 0xFC, 0x1F, 0xFF, 0xA0, 0x41, 0x46, 0x1A, 0xA9, 0xDF, 0x11, 0x00, 0x41, 0x98, 0x02,
        0x7D, 0xA1, 0xBE, 0x24, 0x0A, 0x63, 0x40, 0x33, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x82, 0x10, 0x80,
    ];
    const ASTROPY_SMOOTHED_VALUES: [i64; 64] = [
        100, 110, 120, 130, 140, 151, 160, 170, 104, 114, 126, 136, 146, 153, 164, 174, 112, 124, 135, 144, 153, 163,
        173, 185, 128, 140, 149, 160, 169, 177, 190, 198, 148, 162, 170, 180, 188, 198, 210, 220, 175, 185, 195, 205,
        215, 225, 235, 245, 207, 219, 230, 241, 251, 258, 269, 281, 247, 259, 270, 277, 289, 296, 309, 321,
    ];

    #[test]
    fn a_stream_claiming_an_empty_shape_is_not_inverted() {
        // Found by the fuzzer: a 0 x 16384 shape in the header once reached the inverse H-transform.
        let stream = [
            0xdd, 0x99, 0, 9, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 4, 0xfe,
            0xff, 0xff, 0, 0x40,
        ];
        for smooth in [false, true] {
            if let Ok((values, rows, cols)) = decode(&stream, 0, smooth) {
                assert_eq!((values.len(), rows * cols), (0, 0));
            }
        }
    }

    #[test]
    fn smooths_lossy_tiles_as_astropy_does() {
        let (smoothed, _, _) = decode(&ASTROPY_SMOOTHED, 64, true).unwrap();
        assert_eq!(smoothed, ASTROPY_SMOOTHED_VALUES);
        let (plain, _, _) = decode(&ASTROPY_SMOOTHED, 64, false).unwrap();
        assert_ne!(plain, smoothed, "smoothing changes this tile");
    }

    #[test]
    fn round_trips_shapes_and_ranges() {
        let mut rng = Rng::new(5);
        for (rows, cols) in [(1, 1), (1, 9), (9, 1), (2, 3), (4, 4), (17, 31), (32, 32), (5, 100)] {
            for range in [1u64, 2, 1000, 1 << 31] {
                let values: Vec<i32> =
                    (0..rows * cols).map(|_| (rng.below(range) as i64 - (range / 2) as i64) as i32).collect();
                let bytes = encode(&values, rows, cols).unwrap();
                let (back, r, c) = decode(&bytes, rows * cols, false).unwrap();
                assert_eq!((r, c), (rows, cols));
                let back: Vec<i32> = back.iter().map(|&v| v as i32).collect();
                assert_eq!(back, values, "{rows} x {cols} range {range}");
            }
        }
        let extremes = [i32::MIN, i32::MAX, 0, -1, i32::MAX, i32::MIN, 7, 8, 9];
        let (back, _, _) = decode(&encode(&extremes, 3, 3).unwrap(), 9, true).unwrap();
        assert_eq!(back.iter().map(|&v| v as i32).collect::<Vec<_>>(), extremes);
    }

    #[test]
    fn matches_astropys_quadtree_stream_both_ways() {
        let (values, rows, cols) = decode(&ASTROPY_4X6, 24, false).unwrap();
        assert_eq!((rows, cols), (4, 6));
        assert_eq!(values, (0..24).map(|i| i * 37 % 101 - 50).collect::<Vec<i64>>());
        let narrow: Vec<i32> = values.iter().map(|&v| v as i32).collect();
        assert_eq!(encode(&narrow, 4, 6).unwrap(), ASTROPY_4X6, "the same bytes as cfitsio");
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let values: Vec<i32> = (0..12 * 10).map(|i| (i * 31 % 97) - 40).collect();
        let bytes = encode(&values, 12, 10).unwrap();
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], 120, false).is_err(), "cut at {cut}");
        }
        assert!(decode(&bytes, 121, false).is_err(), "pixel count must match");
        let mut rng = Rng::new(8);
        for _ in 0..300 {
            let mut junk = bytes.clone();
            for _ in 0..4 {
                let at = rng.below(junk.len() as u64) as usize;
                junk[at] = rng.next() as u8;
            }
            let _ = decode(&junk, 120, true);
        }
    }
}
