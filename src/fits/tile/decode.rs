//! Decoding one tile: its row names the heap bytes; the algorithm turns them
//! into integers (or floats); scaling, dithering and blanks give the values.

use super::columns::{Cell, Column};
use super::quantize::unquantize;
use super::{Algorithm, CompressedImage, Source, TileError, gzip, hcompress, plio, rice};

/// A decoded tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub index: u64,
    /// The tile's first pixel, 0-based, one coordinate per axis.
    pub origin: Vec<u64>,
    /// Its size along each axis (edge tiles are clipped to the image).
    pub shape: Vec<u64>,
    /// Physical values, first axis fastest; blank pixels are NaN.
    pub values: Vec<f64>,
    /// Whether every value is an integer (integer images without a
    /// fractional scaling), so that callers may print them as integers.
    pub integer: bool,
}

/// Which column holds a tile's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    Compressed,
    /// UNCOMPRESSED_DATA: raw values of the column's type.
    Raw,
    /// GZIP_COMPRESSED_DATA: gzipped raw floats.
    Gzipped,
}

/// A tile's pixels before scaling.
enum Pixels {
    Ints(Vec<i64>),
    Floats(Vec<f64>),
}

/// Big-endian values of `width` bytes: integers (unsigned bytes, signed
/// wider) or IEEE floats of 4 or 8 bytes.
fn values_of(bytes: &[u8], width: usize, float: bool) -> Pixels {
    let chunks = bytes.chunks_exact(width.max(1));
    match (width, float) {
        (4, true) => Pixels::Floats(chunks.map(|c| f64::from(f32::from_be_bytes([c[0], c[1], c[2], c[3]]))).collect()),
        (8, true) => Pixels::Floats(chunks.map(|c| f64::from_be_bytes(c.try_into().unwrap_or_default())).collect()),
        (2, _) => Pixels::Ints(chunks.map(|c| i64::from(i16::from_be_bytes([c[0], c[1]]))).collect()),
        (4, _) => Pixels::Ints(chunks.map(|c| i64::from(i32::from_be_bytes([c[0], c[1], c[2], c[3]]))).collect()),
        (8, _) => Pixels::Ints(chunks.map(|c| i64::from_be_bytes(c.try_into().unwrap_or_default())).collect()),
        _ => Pixels::Ints(bytes.iter().map(|&b| i64::from(b)).collect()),
    }
}

/// The pixel width of `len` bytes holding `count` pixels, if 1, 2, 4 or 8.
fn width_of(len: usize, count: usize) -> Result<usize, TileError> {
    [1, 2, 4, 8].into_iter().find(|&w| count.checked_mul(w) == Some(len)).ok_or_else(|| {
        TileError::new(format!("the tile holds {len} bytes, not 1, 2, 4 or 8 for each of {count} pixels"))
    })
}

impl CompressedImage {
    /// The column holding the tile of this row and its descriptor.
    fn stored(&self, row: &[u8]) -> Result<(Column, Stored, u64, u64), TileError> {
        if (row.len() as u64) < self.row_width {
            return Err(TileError::new("the table row is shorter than NAXIS1"));
        }
        let (count, offset) = self.compressed.descriptor(row)?;
        if count > 0 {
            return Ok((self.compressed, Stored::Compressed, count, offset));
        }
        for (column, kind) in [(self.uncompressed, Stored::Raw), (self.gzip_data, Stored::Gzipped)] {
            if let Some(column) = column {
                let (count, offset) = column.descriptor(row)?;
                if count > 0 {
                    return Ok((column, kind, count, offset));
                }
            }
        }
        Err(TileError::new("the tile has no data in any column"))
    }

    /// The heap bytes the tile of this row needs: (offset from the start of
    /// the data, length), in the order [`decode_tile`](Self::decode_tile) takes them.
    pub fn heap_ranges(&self, row_bytes: &[u8]) -> Result<Vec<(u64, u64)>, TileError> {
        let (column, _, count, offset) = self.stored(row_bytes)?;
        let len = count.checked_mul(column.element() as u64);
        let start = self.heap_start.checked_add(offset);
        match (start, len) {
            (Some(start), Some(len)) if start.checked_add(len).is_some_and(|end| end <= self.heap_end) => {
                Ok(vec![(start, len)])
            }
            _ => Err(TileError::new(format!(
                "the heap pointer ({count} elements at {offset}) runs past the heap's {} bytes",
                self.heap_end.saturating_sub(self.heap_start)
            ))),
        }
    }

    /// Decodes tile `tile` from its table row and the bytes of its
    /// [`heap_ranges`](Self::heap_ranges).
    pub fn decode_tile(&self, tile: u64, row_bytes: &[u8], heap: &[Vec<u8>]) -> Result<Tile, TileError> {
        let (origin, shape) =
            self.tile_bounds(tile).ok_or_else(|| TileError::new(format!("there is no tile {tile}")))?;
        let count = shape.iter().product::<u64>() as usize;
        let (column, stored, _, _) = self.stored(row_bytes)?;
        let wanted = self.heap_ranges(row_bytes)?[0].1;
        let bytes = heap.first().filter(|b| b.len() as u64 == wanted).ok_or_else(|| {
            TileError::new(format!(
                "tile {tile} needs {wanted} heap bytes, {} were given",
                heap.first().map_or(0, Vec::len)
            ))
        })?;
        let pixels = match stored {
            Stored::Compressed => self.decompress(bytes, count, &shape)?,
            Stored::Gzipped => {
                let raw = gzip::inflate(bytes, count.saturating_mul(8))?;
                match width_of(raw.len(), count)? {
                    w @ (4 | 8) => values_of(&raw, w, true),
                    _ => return Err(TileError::new("GZIP_COMPRESSED_DATA does not hold 4- or 8-byte floats")),
                }
            }
            Stored::Raw => {
                let Cell::Array { element, float, .. } = column.cell else {
                    return Err(TileError::new("UNCOMPRESSED_DATA is not a variable-length array"));
                };
                if bytes.len() != count.saturating_mul(element) {
                    return Err(TileError::new("UNCOMPRESSED_DATA does not hold one value per pixel"));
                }
                values_of(bytes, element, float)
            }
        };
        let (values, integer) = self.physical(pixels, stored, tile, row_bytes)?;
        if values.len() != count {
            return Err(TileError::new(format!("tile {tile} decoded to {} pixels, not {count}", values.len())));
        }
        Ok(Tile { index: tile, origin, shape, values, integer })
    }

    /// The tile's pixels as the algorithm stores them.
    fn decompress(&self, bytes: &[u8], count: usize, shape: &[u64]) -> Result<Pixels, TileError> {
        let lossless_floats = self.bitpix < 0 && self.quantize.is_none();
        let plain = |raw: Vec<u8>, shuffled: bool| -> Result<Pixels, TileError> {
            let width = width_of(raw.len(), count)?;
            let raw = if shuffled { gzip::unshuffle(&raw, width) } else { raw };
            Ok(values_of(&raw, width, lossless_floats && width >= 4))
        };
        match self.algorithm {
            Algorithm::Rice { blocksize, bytepix } => Ok(Pixels::Ints(rice::decode(bytes, bytepix, blocksize, count)?)),
            Algorithm::Gzip1 => plain(gzip::inflate(bytes, count.saturating_mul(8))?, false),
            Algorithm::Gzip2 => plain(gzip::inflate(bytes, count.saturating_mul(8))?, true),
            Algorithm::NoCompress => plain(bytes.to_vec(), false),
            Algorithm::Hcompress { smooth, .. } => {
                let (values, rows, cols) = hcompress::decode(bytes, count, smooth != 0)?;
                let expected = (shape.get(1).copied().unwrap_or(1), shape.first().copied().unwrap_or(1));
                if (rows as u64, cols as u64) != expected && (cols as u64, rows as u64) != expected {
                    return Err(TileError::new(format!("HCOMPRESS_1 tile is {rows} x {cols}, not the tile's shape")));
                }
                // cfitsio hands the tile on as 32-bit integers.
                Ok(Pixels::Ints(values.into_iter().map(|v| i64::from(v as i32)).collect()))
            }
            Algorithm::Plio => {
                let words: Vec<i16> = bytes.chunks_exact(2).map(|w| i16::from_be_bytes([w[0], w[1]])).collect();
                Ok(Pixels::Ints(plio::decode(&words, count)?))
            }
        }
    }

    /// The linear scaling of a tile: ZSCALE/ZZERO if given, else BSCALE/BZERO.
    fn scaling(&self, row: &[u8]) -> Result<(f64, f64), TileError> {
        let (mut scale, mut zero) = match (self.zscale, self.zzero) {
            (Source::Column(s), z) => {
                let zero = if let Source::Column(z) = z { z.real(row)? } else { 0.0 };
                let (mut scale, mut zero) = (s.real(row)?, zero);
                if self.bitpix < 0 && (self.bscale != 1.0 || self.bzero != 0.0) {
                    (scale, zero) = (scale * self.bscale, zero * self.bscale + self.bzero);
                }
                (scale, zero)
            }
            (Source::Keyword(s), Source::Keyword(z)) => (s, z),
            (Source::Keyword(s), _) => (s, 0.0),
            _ => (1.0, 0.0),
        };
        if scale == 1.0 && zero == 0.0 {
            (scale, zero) = (self.bscale, self.bzero);
        }
        // PLIO stores unsigned 16-bit images unshifted.
        if self.algorithm == Algorithm::Plio && self.bzero == 32768.0 {
            zero -= 32768.0;
        }
        Ok((scale, zero))
    }

    /// Physical values and whether they are all integers.
    fn physical(&self, pixels: Pixels, stored: Stored, tile: u64, row: &[u8]) -> Result<(Vec<f64>, bool), TileError> {
        let single = |v: f64| if self.bitpix == -32 { f64::from(v as f32) } else { v };
        if stored != Stored::Compressed {
            // The fallback columns hold the values themselves.
            return Ok(match pixels {
                Pixels::Floats(v) => (v.into_iter().map(single).collect(), false),
                Pixels::Ints(v) => (v.into_iter().map(|i| single(i as f64)).collect(), self.bitpix > 0),
            });
        }
        let (scale, zero) = self.scaling(row)?;
        let blank = match self.zblank {
            Source::Column(c) => Some(c.int(row)?),
            Source::Keyword(v) => Some(v),
            Source::Absent => None,
        };
        Ok(match (pixels, self.quantize) {
            (Pixels::Floats(v), _) => {
                let scaled = (scale, zero) != (1.0, 0.0);
                (v.into_iter().map(|f| single(if scaled { f * scale + zero } else { f })).collect(), false)
            }
            (Pixels::Ints(v), Some(dither)) => {
                let row = (tile as i64).wrapping_add(self.dither_seed);
                let values = unquantize(&v, scale, zero, dither, row, blank);
                (values.into_iter().map(single).collect(), false)
            }
            (Pixels::Ints(v), None) => {
                let values = v
                    .into_iter()
                    .map(|i| match blank {
                        Some(b) if b == i => f64::NAN,
                        _ => single(crate::fits::image::sample::scaled(self.bitpix, i, scale, zero)),
                    })
                    .collect();
                (values, self.bitpix > 0 && scale == 1.0 && zero.fract() == 0.0)
            }
        })
    }
}
