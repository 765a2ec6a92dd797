//! Tile-compressed images in the Euclid bucket, one per algorithm and
//! quantization of the tiled image compression convention: a synthetic star
//! field (Gaussian stars on a noisy sky), a mask, a cube.

use std::io;

use super::super::archive::ArchiveWriter;
use super::super::fits_writer::{Header, primary_header, push_hdu};
use super::Rng;
use super::sky::gaussian;
use crate::fits::card::Value;
use crate::fits::tile::Algorithm;
use crate::fits::tile::encode::{Compressed, Options, compress};
use crate::fits::tile::quantize::Dither;
use crate::format::epoch_secs;

const BUCKET: &str = "nasa-irsa-euclid-q1";
const PREFIX: &str = "q1/compressed/";

/// A `width` x `height` star field: sky + noise + Gaussian stars whose peak
/// fluxes run from a few sigma to `peak`.
fn star_field(rng: &mut Rng, width: usize, height: usize, sky: f64, noise: f64, peak: f64) -> Vec<f64> {
    let mut image: Vec<f64> = (0..width * height).map(|_| sky + noise * gaussian(rng)).collect();
    for _ in 0..(width * height / 300).max(3) {
        let (x0, y0) = (rng.unit() * width as f64, rng.unit() * height as f64);
        let sigma = 0.9 + 1.6 * rng.unit();
        let flux = 5.0 * noise * (peak / (5.0 * noise)).powf(rng.unit().powi(2));
        let reach = (4.0 * sigma).ceil() as i64;
        for y in (y0 as i64 - reach).max(0)..(y0 as i64 + reach).min(height as i64) {
            for x in (x0 as i64 - reach).max(0)..(x0 as i64 + reach).min(width as i64) {
                let r2 = (x as f64 + 0.5 - x0).powi(2) + (y as f64 + 0.5 - y0).powi(2);
                image[y as usize * width + x as usize] += flux * (-r2 / (2.0 * sigma * sigma)).exp();
            }
        }
    }
    image
}

/// Rounds to integers within `lo..=hi`.
fn integers(values: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    values.iter().map(|v| v.round().clamp(lo, hi)).collect()
}

/// A primary HDU and the compressed image's BINTABLE, with `extra` cards.
fn fits_file(c: &Compressed, object: &str, extra: &[(&str, f64)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "EUCLID", "").string("INSTRUME", "VIS", "").string("OBJECT", object, "");
    push_hdu(&mut out, &primary, &[]);
    let mut h = Header::new();
    h.string("XTENSION", "BINTABLE", "binary table extension").int("BITPIX", 8, "").int("NAXIS", 2, "");
    h.int("NAXIS1", c.row_width as i64, "width of table in bytes").int("NAXIS2", c.rows as i64, "number of tiles");
    h.int("PCOUNT", c.heap.len() as i64, "size of the heap").int("GCOUNT", 1, "");
    h.int("TFIELDS", c.columns.len() as i64, "");
    for (n, (name, form)) in c.columns.iter().enumerate() {
        h.string(&format!("TTYPE{}", n + 1), name, "").string(&format!("TFORM{}", n + 1), form, "");
    }
    for (key, value) in &c.keywords {
        match value {
            Value::Logical(b) => h.logical(key, *b, ""),
            Value::Integer(i) => h.int(key, *i, ""),
            Value::Real(r) => h.real(key, *r, ""),
            Value::String(s) => h.string(key, s, ""),
            _ => &mut h,
        };
    }
    for (key, value) in extra {
        h.real(key, *value, "");
    }
    h.string("EXTNAME", "SCI", "");
    let mut data = c.table.clone();
    data.extend(&c.heap);
    push_hdu(&mut out, &h, &data);
    out
}

pub(super) fn compressed(w: &mut ArchiveWriter) -> io::Result<()> {
    // A generator of its own, so that the other demo files stay as they were.
    let mut rng = Rng(0xF175_C0DE);
    let mtime = epoch_secs(2025, 3, 20, 0, 0, 0);
    let rice = |bytepix| Algorithm::Rice { blocksize: 32, bytepix };
    let hcompress = Algorithm::Hcompress { scale: 0, smooth: 0 };
    let plain = |algorithm, tile: &[u64]| Options { algorithm, tile: tile.to_vec(), quantize: None, dither_seed: 1 };
    let quantized =
        |dither, seed| Options { quantize: Some((dither, 4.0)), dither_seed: seed, ..plain(rice(4), &[200, 1]) };
    let mut put = |key: &str, values: &[f64], axes: &[u64], bitpix, options: &Options, extra: &[(&str, f64)]| {
        let c = compress(values, axes, bitpix, options).map_err(io::Error::other)?;
        w.put(BUCKET, &format!("{PREFIX}{key}"), &fits_file(&c, "EDF-N", extra), mtime)
    };

    let field16 = integers(&star_field(&mut rng, 256, 192, 300.0, 12.0, 30_000.0), -32768.0, 32767.0);
    put("rice-int16.fits", &field16, &[256, 192], 16, &plain(rice(2), &[256, 1]), &[])?;
    put("gzip1-int16.fits", &field16, &[256, 192], 16, &plain(Algorithm::Gzip1, &[256, 1]), &[])?;
    put("nocompress-int16.fits", &field16, &[256, 192], 16, &plain(Algorithm::NoCompress, &[256, 16]), &[])?;
    let field32 = integers(&star_field(&mut rng, 200, 150, 5_000.0, 40.0, 2.0e6), -2.0e9, 2.0e9);
    put("rice-int32.fits", &field32, &[200, 150], 32, &plain(rice(4), &[64, 64]), &[])?;
    put("gzip2-int32.fits", &field32, &[200, 150], 32, &plain(Algorithm::Gzip2, &[200, 10]), &[])?;
    put("hcompress-int32.fits", &field32, &[200, 150], 32, &plain(hcompress, &[100, 50]), &[])?;

    // A segmentation mask: each bright star's footprint labelled 1..~100.
    let mask: Vec<f64> = {
        let mut label = 0.0;
        let mut inside = false;
        field16
            .iter()
            .map(|&v| {
                let bright = v > 600.0;
                if bright && !inside {
                    label = label % 100.0 + 1.0;
                }
                inside = bright;
                if bright { label } else { 0.0 }
            })
            .collect()
    };
    put("plio-mask.fits", &mask, &[256, 192], 16, &plain(Algorithm::Plio, &[256, 1]), &[])?;

    let floats: Vec<f64> =
        star_field(&mut rng, 200, 120, 0.05, 0.01, 40.0).iter().map(|&v| f64::from(v as f32)).collect();
    put("rice-float32-dither1.fits", &floats, &[200, 120], -32, &quantized(Dither::SubtractiveDither1, 42), &[])?;
    put("rice-float32-nodither.fits", &floats, &[200, 120], -32, &quantized(Dither::None, 1), &[])?;
    // Exact zeros (a masked border) survive SUBTRACTIVE_DITHER_2.
    let mut zeroed = floats.clone();
    for (i, v) in zeroed.iter_mut().enumerate() {
        if i % 200 < 8 || i / 200 < 4 {
            *v = 0.0;
        }
    }
    put("rice-float32-dither2.fits", &zeroed, &[200, 120], -32, &quantized(Dither::SubtractiveDither2, 7), &[])?;
    // Blank pixels: a bad column and a saturated blob, ZBLANK'd; a dead row
    // and a flat row cannot be quantized, so they are stored gzipped as
    // they are (GZIP_COMPRESSED_DATA).
    let mut holes = floats.clone();
    for (i, v) in holes.iter_mut().enumerate() {
        let (x, y) = ((i % 200) as f64, (i / 200) as f64);
        if i % 200 == 77 || (x - 140.0).powi(2) + (y - 60.0).powi(2) < 36.0 || i / 200 == 100 {
            *v = f64::NAN;
        } else if i / 200 == 101 {
            *v = 0.25;
        }
    }
    put("rice-float32-blank.fits", &holes, &[200, 120], -32, &quantized(Dither::SubtractiveDither1, 3), &[])?;

    // Scaled integers: physical = 0.01 * stored + 20.
    put(
        "rice-int16-bscale.fits",
        &field16,
        &[256, 192],
        16,
        &plain(rice(2), &[256, 4]),
        &[("BSCALE", 0.01), ("BZERO", 20.0)],
    )?;

    let mut cube = Vec::new();
    for _ in 0..4 {
        cube.extend(integers(&star_field(&mut rng, 64, 48, 200.0, 10.0, 20_000.0), -32768.0, 32767.0));
    }
    put("rice-cube-int16.fits", &cube, &[64, 48, 4], 16, &plain(rice(2), &[64, 48, 1]), &[])
}

/// A GZIP_1 image whose third tile's gzip stream is broken: the tile does not decompress.
pub(super) fn broken_tile(rng: &mut Rng) -> io::Result<Vec<u8>> {
    let field = integers(&star_field(rng, 64, 32, 300.0, 12.0, 30_000.0), -32768.0, 32767.0);
    let options = Options { algorithm: Algorithm::Gzip1, tile: vec![64, 8], quantize: None, dither_seed: 1 };
    let mut c = compress(&field, &[64, 32], 16, &options).map_err(io::Error::other)?;
    // The tiles sit in the heap in order; overwrite the start of the third.
    let third = c.heap.windows(2).enumerate().filter(|(_, w)| w == &[0x1f, 0x8b]).nth(2).map(|(i, _)| i);
    if let Some(at) = third {
        c.heap[at..at + 12].fill(0x55);
    }
    Ok(fits_file(&c, "broken", &[]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fits::hdu::{data_size, padded};
    use crate::fits::header::{find_end, parse_header};
    use crate::fits::tile::CompressedImage;

    /// Every tile of every compressed HDU in a FITS file, decoded: (pixels, NaNs).
    fn decode_file(bytes: &[u8]) -> (usize, usize) {
        let (mut offset, mut index, mut pixels, mut blanks) = (0usize, 0, 0, 0);
        while offset < bytes.len() {
            let end = find_end(&bytes[offset..]).unwrap();
            let header = parse_header(&bytes[offset..], end);
            let start = offset + padded(((end + 1) * 80) as u64) as usize;
            let size = data_size(&header, index == 0).unwrap() as usize;
            if header.logical("ZIMAGE") == Some(true) {
                let image = CompressedImage::from_header(&header).unwrap();
                let data = &bytes[start..start + size];
                for tile in 0..image.rows {
                    let (at, len) = image.tile_row_range(tile);
                    let row = &data[at as usize..(at + len) as usize];
                    let heap: Vec<Vec<u8>> = image
                        .heap_ranges(row)
                        .unwrap()
                        .iter()
                        .map(|&(s, l)| data[s as usize..(s + l) as usize].to_vec())
                        .collect();
                    let decoded = image.decode_tile(tile, row, &heap).unwrap();
                    pixels += decoded.values.len();
                    blanks += decoded.values.iter().filter(|v| v.is_nan()).count();
                }
            }
            offset = start + padded(size as u64) as usize;
            index += 1;
        }
        (pixels, blanks)
    }

    #[test]
    fn every_compressed_demo_image_decodes() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ArchiveWriter::create(dir.path()).unwrap();
        w.bucket(BUCKET, true).unwrap();
        compressed(&mut w).unwrap();
        w.finish().unwrap();
        let manifest = std::fs::read_to_string(dir.path().join(super::super::super::archive::MANIFEST)).unwrap();
        let mut files = 0;
        for line in manifest.lines().filter(|l| l.contains(PREFIX)) {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let bytes = std::fs::read(dir.path().join(value["blob"].as_str().unwrap())).unwrap();
            let (pixels, blanks) = decode_file(&bytes);
            let key = value["key"].as_str().unwrap();
            assert!(pixels >= 64 * 48 * 4, "{key}");
            assert_eq!(blanks > 0, key.contains("blank"), "{key}");
            files += 1;
        }
        assert_eq!(files, 13);
    }
}
