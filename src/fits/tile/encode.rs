//! Writing a tile-compressed image (for the demo archive and the tests): the
//! table's keywords, rows and heap, for the caller to wrap in a BINTABLE.

use super::geometry::tile_box;
use super::quantize::{Dither, NULL_VALUE, quantize};
use super::{Algorithm, TileError, gzip, hcompress, plio, rice};
use crate::fits::card::Value;

/// How to compress.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub algorithm: Algorithm,
    /// ZTILEn.
    pub tile: Vec<u64>,
    /// For float images: the dithering and the quantization level q (steps
    /// per noise sigma); None stores the floats losslessly (GZIP, NOCOMPRESS).
    pub quantize: Option<(Dither, f64)>,
    /// ZDITHER0.
    pub dither_seed: i64,
}

/// A compressed image's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Compressed {
    /// (TTYPE, TFORM) of each column.
    pub columns: Vec<(String, String)>,
    /// The compression keywords, in order (ZIMAGE, ZBITPIX, ...).
    pub keywords: Vec<(String, Value)>,
    pub row_width: usize,
    pub rows: usize,
    /// The rows, then the heap.
    pub table: Vec<u8>,
    pub heap: Vec<u8>,
}

/// The pixels of the tile at `origin` with `shape`, first axis fastest.
fn gather(values: &[f64], axes: &[u64], origin: &[u64], shape: &[u64]) -> Vec<f64> {
    let count: u64 = shape.iter().product();
    let mut out = Vec::with_capacity(count as usize);
    for k in 0..count {
        let (mut rest, mut index, mut stride) = (k, 0u64, 1u64);
        for ((&o, &s), &a) in origin.iter().zip(shape).zip(axes) {
            index += (o + rest % s) * stride;
            rest /= s;
            stride *= a;
        }
        out.push(values[index as usize]);
    }
    out
}

fn be_bytes(ints: &[i64], width: usize) -> Vec<u8> {
    ints.iter().flat_map(|&v| v.to_be_bytes()[8 - width..].to_vec()).collect()
}

/// Compresses integer pixels of `width` bytes with the algorithm.
fn compress_ints(ints: &[i64], width: usize, shape: &[u64], algorithm: Algorithm) -> Result<Vec<u8>, TileError> {
    match algorithm {
        Algorithm::Rice { blocksize, bytepix } => rice::encode(ints, bytepix, blocksize),
        Algorithm::Gzip1 => Ok(gzip::deflate(&be_bytes(ints, width))),
        Algorithm::Gzip2 => Ok(gzip::deflate(&gzip::shuffle(&be_bytes(ints, width), width))),
        Algorithm::NoCompress => Ok(be_bytes(ints, width)),
        Algorithm::Hcompress { .. } => {
            let (cols, rows) = (shape[0] as usize, shape.get(1).map_or(1, |&r| r as usize));
            let narrow: Vec<i32> = ints.iter().map(|&v| v as i32).collect();
            hcompress::encode(&narrow, rows, cols)
        }
        Algorithm::Plio => Ok(plio::encode(ints)?.iter().flat_map(|w| w.to_be_bytes()).collect()),
    }
}

/// The TFORM letter of the data column's elements.
fn element_code(algorithm: Algorithm) -> &'static str {
    if algorithm == Algorithm::Plio { "I" } else { "B" }
}

/// Compresses an image of `axes` (first fastest) whose pixels are given as
/// f64 (integers for integer BITPIX; NaN marks blank floats).
pub fn compress(values: &[f64], axes: &[u64], bitpix: i64, options: &Options) -> Result<Compressed, TileError> {
    if values.len() as u64 != axes.iter().product::<u64>() || options.tile.len() != axes.len() {
        return Err(TileError::new("the image does not match its axes or tiles"));
    }
    let quantize_with = if bitpix < 0 { options.quantize } else { None };
    let width = (bitpix.unsigned_abs() / 8) as usize;
    let tiles: u64 = axes.iter().zip(&options.tile).map(|(&a, &t)| a.div_ceil(t)).product();
    let (mut heap, mut table) = (Vec::new(), Vec::new());
    let mut any_blank = false;
    for index in 0..tiles {
        let (origin, shape) = tile_box(axes, &options.tile, index);
        let pixels = gather(values, axes, &origin, &shape);
        let mut data = Vec::new();
        let mut fallback = Vec::new();
        let mut scaling = (1.0f64, 0.0f64);
        if let Some((dither, levels)) = quantize_with {
            let floats: Vec<f32> = pixels.iter().map(|&v| v as f32).collect();
            match quantize(&floats, levels, dither, index as i64 + options.dither_seed) {
                Some(q) => {
                    any_blank |= q.ints.contains(&(NULL_VALUE as i32));
                    let ints: Vec<i64> = q.ints.iter().map(|&i| i64::from(i)).collect();
                    data = compress_ints(&ints, 4, &shape, options.algorithm)?;
                    scaling = (q.scale, q.zero);
                }
                None => {
                    let raw: Vec<u8> = if bitpix == -32 {
                        floats.iter().flat_map(|f| f.to_be_bytes()).collect()
                    } else {
                        pixels.iter().flat_map(|f| f.to_be_bytes()).collect()
                    };
                    fallback = gzip::deflate(&raw);
                }
            }
        } else if bitpix < 0 {
            let raw: Vec<u8> = if bitpix == -32 {
                pixels.iter().flat_map(|&f| (f as f32).to_be_bytes()).collect()
            } else {
                pixels.iter().flat_map(|f| f.to_be_bytes()).collect()
            };
            data = match options.algorithm {
                Algorithm::Gzip1 => gzip::deflate(&raw),
                Algorithm::Gzip2 => gzip::deflate(&gzip::shuffle(&raw, width)),
                Algorithm::NoCompress => raw,
                _ => return Err(TileError::new("unquantized floats need GZIP_1, GZIP_2 or NOCOMPRESS")),
            };
        } else {
            let ints: Vec<i64> = pixels.iter().map(|&v| v as i64).collect();
            data = compress_ints(&ints, width, &shape, options.algorithm)?;
        }
        let element = if options.algorithm == Algorithm::Plio { 2 } else { 1 };
        for column in [&data, &fallback].into_iter().take(if quantize_with.is_some() { 2 } else { 1 }) {
            let count = if column.is_empty() { 0 } else { column.len() / element };
            let offset = if column.is_empty() { 0 } else { heap.len() };
            table.extend((count as i32).to_be_bytes());
            table.extend((offset as i32).to_be_bytes());
            heap.extend_from_slice(column);
        }
        if quantize_with.is_some() {
            table.extend(scaling.0.to_be_bytes());
            table.extend(scaling.1.to_be_bytes());
        }
    }
    let mut columns = vec![("COMPRESSED_DATA".to_string(), format!("1P{}", element_code(options.algorithm)))];
    if quantize_with.is_some() {
        columns.push(("GZIP_COMPRESSED_DATA".into(), "1PB".into()));
        columns.push(("ZSCALE".into(), "1D".into()));
        columns.push(("ZZERO".into(), "1D".into()));
    }
    let row_width = if quantize_with.is_some() { 32 } else { 8 };
    let keywords = keywords(axes, bitpix, options, quantize_with.map(|(d, _)| d), any_blank);
    Ok(Compressed { columns, keywords, row_width, rows: tiles as usize, table, heap })
}

fn keywords(axes: &[u64], bitpix: i64, options: &Options, dither: Option<Dither>, blank: bool) -> Vec<(String, Value)> {
    let int = |k: &str, v: i64| (k.to_string(), Value::Integer(v));
    let text = |k: &str, v: &str| (k.to_string(), Value::String(v.to_string()));
    let mut out = vec![("ZIMAGE".to_string(), Value::Logical(true)), int("ZBITPIX", bitpix)];
    out.push(int("ZNAXIS", axes.len() as i64));
    for (n, &a) in axes.iter().enumerate() {
        out.push(int(&format!("ZNAXIS{}", n + 1), a as i64));
    }
    for (n, &t) in options.tile.iter().enumerate() {
        out.push(int(&format!("ZTILE{}", n + 1), t as i64));
    }
    let (name, parameters): (&str, Vec<(&str, i64)>) = match options.algorithm {
        Algorithm::Rice { blocksize, bytepix } => {
            ("RICE_1", vec![("BLOCKSIZE", blocksize as i64), ("BYTEPIX", bytepix as i64)])
        }
        Algorithm::Gzip1 => ("GZIP_1", vec![]),
        Algorithm::Gzip2 => ("GZIP_2", vec![]),
        Algorithm::Hcompress { scale, smooth } => ("HCOMPRESS_1", vec![("SCALE", scale), ("SMOOTH", smooth)]),
        Algorithm::Plio => ("PLIO_1", vec![]),
        Algorithm::NoCompress => ("NOCOMPRESS", vec![]),
    };
    out.push(text("ZCMPTYPE", name));
    for (i, (key, value)) in parameters.into_iter().enumerate() {
        out.push(text(&format!("ZNAME{}", i + 1), key));
        out.push(int(&format!("ZVAL{}", i + 1), value));
    }
    if let Some(dither) = dither {
        let method = match dither {
            Dither::None => "NO_DITHER",
            Dither::SubtractiveDither1 => "SUBTRACTIVE_DITHER_1",
            Dither::SubtractiveDither2 => "SUBTRACTIVE_DITHER_2",
        };
        out.push(text("ZQUANTIZ", method));
        if dither != Dither::None {
            out.push(int("ZDITHER0", options.dither_seed));
        }
        if blank {
            out.push(int("ZBLANK", NULL_VALUE));
        }
    }
    out
}
