//! The whole path: compress an image, parse the table's header, find the
//! tiles of rows, read their heap ranges and decode them.

use super::encode::{Compressed, Options, compress};
use super::quantize::Dither;
use super::{Algorithm, CompressedImage, MAX_TILE_PIXELS};
use crate::fits::card::Value;
use crate::fits::header::{Header, find_end, parse_header};
use crate::test_rng::Rng;

fn card(key: &str, value: &Value) -> String {
    let text = match value {
        Value::Logical(b) => format!("{:>20}", if *b { "T" } else { "F" }),
        Value::Integer(i) => format!("{i:>20}"),
        Value::Real(r) => format!("{r:>20E}"),
        Value::String(s) => format!("'{s:<8}'"),
        _ => String::new(),
    };
    format!("{key:<8}= {text}")
}

/// The header of the BINTABLE holding `c`, plus `extra` cards.
pub(super) fn header_of(c: &Compressed, extra: &[(&str, Value)]) -> Header {
    let mut cards = vec![
        card("XTENSION", &Value::String("BINTABLE".into())),
        card("BITPIX", &Value::Integer(8)),
        card("NAXIS", &Value::Integer(2)),
        card("NAXIS1", &Value::Integer(c.row_width as i64)),
        card("NAXIS2", &Value::Integer(c.rows as i64)),
        card("PCOUNT", &Value::Integer(c.heap.len() as i64)),
        card("GCOUNT", &Value::Integer(1)),
        card("TFIELDS", &Value::Integer(c.columns.len() as i64)),
    ];
    for (n, (name, form)) in c.columns.iter().enumerate() {
        cards.push(card(&format!("TTYPE{}", n + 1), &Value::String(name.clone())));
        cards.push(card(&format!("TFORM{}", n + 1), &Value::String(form.clone())));
    }
    cards.extend(c.keywords.iter().map(|(k, v)| card(k, v)));
    cards.extend(extra.iter().map(|(k, v)| card(k, v)));
    cards.push("END".into());
    let bytes: Vec<u8> = cards.iter().flat_map(|c| format!("{c:<80}").into_bytes()).collect();
    parse_header(&bytes, find_end(&bytes).unwrap())
}

/// Decodes every tile into a full image (NaN where no tile wrote).
pub(super) fn decode_all(image: &CompressedImage, c: &Compressed) -> Vec<f64> {
    let data: Vec<u8> = c.table.iter().chain(&c.heap).copied().collect();
    let total: u64 = image.axes.iter().product();
    let mut out = vec![f64::NAN; total as usize];
    for tile in 0..image.rows {
        let (offset, len) = image.tile_row_range(tile);
        let row = &data[offset as usize..(offset + len) as usize];
        let heap: Vec<Vec<u8>> = image
            .heap_ranges(row)
            .unwrap()
            .iter()
            .map(|&(start, len)| data[start as usize..(start + len) as usize].to_vec())
            .collect();
        let decoded = image.decode_tile(tile, row, &heap).unwrap();
        for (k, v) in decoded.values.iter().enumerate() {
            let (mut rest, mut index, mut stride) = (k as u64, 0u64, 1u64);
            for ((&o, &s), &a) in decoded.origin.iter().zip(&decoded.shape).zip(&image.axes) {
                index += (o + rest % s) * stride;
                rest /= s;
                stride *= a;
            }
            out[index as usize] = *v;
        }
    }
    out
}

fn options(algorithm: Algorithm, tile: &[u64]) -> Options {
    Options { algorithm, tile: tile.to_vec(), quantize: None, dither_seed: 1 }
}

fn star_field(rng: &mut Rng, axes: &[u64], lo: i64, hi: i64) -> Vec<f64> {
    let n: u64 = axes.iter().product();
    (0..n).map(|i| (lo + rng.below((hi - lo + 1) as u64) as i64 + (i % 13) as i64).clamp(lo, hi) as f64).collect()
}

#[test]
fn integer_images_round_trip_through_every_algorithm() {
    let mut rng = Rng::new(1);
    let algorithms = [
        (Algorithm::Rice { blocksize: 32, bytepix: 2 }, 16),
        (Algorithm::Rice { blocksize: 32, bytepix: 4 }, 32),
        (Algorithm::Rice { blocksize: 16, bytepix: 1 }, 8),
        (Algorithm::Gzip1, 16),
        (Algorithm::Gzip2, 32),
        (Algorithm::Gzip1, 64),
        (Algorithm::Hcompress { scale: 0, smooth: 0 }, 32),
        (Algorithm::Hcompress { scale: 0, smooth: 0 }, 16),
        (Algorithm::Plio, 16),
        (Algorithm::NoCompress, 16),
    ];
    for (algorithm, bitpix) in algorithms {
        let (lo, hi) = match (algorithm, bitpix) {
            (Algorithm::Plio, _) => (0, 100),
            (_, 8) => (0, 255),
            (_, 16) => (-32768, 32767),
            _ => (-2_000_000_000, 2_000_000_000),
        };
        for (axes, tile) in [(vec![37u64, 23], vec![10u64, 7]), (vec![50, 4, 3], vec![50, 1, 1]), (vec![64], vec![64])]
        {
            let values = star_field(&mut rng, &axes, lo, hi);
            let c = compress(&values, &axes, bitpix, &options(algorithm, &tile)).unwrap();
            let image = CompressedImage::from_header(&header_of(&c, &[])).unwrap();
            assert_eq!(decode_all(&image, &c), values, "{algorithm:?} {bitpix} {axes:?}");
        }
    }
}

#[test]
fn quantized_floats_round_trip_within_a_step_and_keep_blanks() {
    let mut rng = Rng::new(2);
    let axes = [40u64, 30];
    let mut values: Vec<f64> = (0..1200).map(|i| 1000.0 + (i % 40) as f64 + rng.below(1000) as f64 / 37.0).collect();
    values[7] = f64::NAN;
    values[8] = 0.0;
    // A flat tile cannot be quantized: it goes to GZIP_COMPRESSED_DATA.
    values[1160..1200].iter_mut().for_each(|v| *v = 5.5);
    for dither in [Dither::None, Dither::SubtractiveDither1, Dither::SubtractiveDither2] {
        for algorithm in [Algorithm::Rice { blocksize: 32, bytepix: 4 }, Algorithm::Gzip2] {
            let opts = Options { quantize: Some((dither, 4.0)), dither_seed: 77, ..options(algorithm, &[40, 1]) };
            let c = compress(&values, &axes, -32, &opts).unwrap();
            let image = CompressedImage::from_header(&header_of(&c, &[])).unwrap();
            assert_eq!(image.quantize, Some(dither));
            let back = decode_all(&image, &c);
            assert!(back[7].is_nan());
            if dither == Dither::SubtractiveDither2 {
                assert_eq!(back[8], 0.0);
            }
            assert!(back[1160..].iter().all(|&v| v == 5.5));
            for (v, b) in values.iter().zip(&back).filter(|(v, _)| !v.is_nan()) {
                assert!((v - b).abs() < 1.5, "{v} {b} {dither:?}"); // half a step of noise / 4
            }
        }
    }
}

#[test]
fn lossless_floats_and_scaled_integers() {
    let values: Vec<f64> = (0..300).map(|i| f64::from((i as f32 * 0.37).sin() * 1e5)).collect();
    for algorithm in [Algorithm::Gzip1, Algorithm::Gzip2, Algorithm::NoCompress] {
        for bitpix in [-32, -64] {
            let c = compress(&values, &[30, 10], bitpix, &options(algorithm, &[30, 3])).unwrap();
            let image = CompressedImage::from_header(&header_of(&c, &[])).unwrap();
            assert_eq!(decode_all(&image, &c), values);
        }
    }
    let ints: Vec<f64> = (0..100).map(|i| f64::from(i * 7 - 300)).collect();
    let c = compress(&ints, &[10, 10], 16, &options(Algorithm::Rice { blocksize: 32, bytepix: 2 }, &[10, 1])).unwrap();
    let extra = [("BSCALE", Value::Real(0.5)), ("BZERO", Value::Real(100.0)), ("BLANK", Value::Integer(-300))];
    let image = CompressedImage::from_header(&header_of(&c, &extra)).unwrap();
    let back = decode_all(&image, &c);
    assert!(back[0].is_nan(), "BLANK marks blank pixels");
    assert_eq!(back[1], -293.0 * 0.5 + 100.0);
    let (offset, len) = image.tile_row_range(0);
    let data: Vec<u8> = c.table.iter().chain(&c.heap).copied().collect();
    let row = &data[offset as usize..(offset + len) as usize];
    let range = image.heap_ranges(row).unwrap()[0];
    let tile = image.decode_tile(0, row, &[data[range.0 as usize..(range.0 + range.1) as usize].to_vec()]).unwrap();
    assert!(!tile.integer);
}

#[test]
fn geometry_of_tiles_and_rows() {
    let values = vec![0.0; 10 * 7 * 3];
    let c = compress(&values, &[10, 7, 3], 16, &options(Algorithm::Gzip1, &[4, 3, 1])).unwrap();
    let image = CompressedImage::from_header(&header_of(&c, &[])).unwrap();
    assert_eq!(image.tiles_per_axis(), vec![3, 3, 3]);
    assert_eq!(image.tile_bounds(0), Some((vec![0, 0, 0], vec![4, 3, 1])));
    assert_eq!(image.tile_bounds(8), Some((vec![8, 6, 0], vec![2, 1, 1])));
    assert_eq!(image.tile_bounds(26), Some((vec![8, 6, 2], vec![2, 1, 1])));
    assert_eq!(image.tile_bounds(27), None);
    assert_eq!(image.tiles_for_rows(&[0, 2], &[0]), vec![0, 1, 2]);
    assert_eq!(image.tiles_for_rows(&[6, 3], &[2]), vec![21, 22, 23, 24, 25, 26]);
    assert_eq!(image.tiles_for_rows(&[7], &[0]), Vec::<u64>::new());
    assert_eq!(image.tiles_for_rows(&[0], &[3]), Vec::<u64>::new());
    assert_eq!(image.tile_row_range(5), (40, 8));
}

#[test]
fn lying_headers_and_bytes_are_errors() {
    let values: Vec<f64> = (0..100).map(f64::from).collect();
    let c =
        compress(&values, &[10, 10], 32, &options(Algorithm::Rice { blocksize: 32, bytepix: 4 }, &[10, 2])).unwrap();
    let ok = header_of(&c, &[]);
    assert!(CompressedImage::from_header(&ok).is_ok());
    let with = |key: &str, value: Value| {
        let mut h = ok.clone();
        h.cards.retain(|card| card.keyword != key);
        h.cards.insert(
            0,
            crate::fits::header::HeaderCard { keyword: key.into(), value, comment: None, commentary: false },
        );
        CompressedImage::from_header(&h)
    };
    assert!(with("ZIMAGE", Value::Logical(false)).is_err());
    assert!(with("ZBITPIX", Value::Integer(12)).is_err());
    assert!(with("ZTILE1", Value::Integer(0)).is_err());
    assert!(with("NAXIS2", Value::Integer(6)).unwrap_err().to_string().contains("rows"));
    assert!(with("ZCMPTYPE", Value::String("BZIP2_1".into())).is_err());
    assert!(with("ZNAXIS1", Value::Integer(-1)).is_err());
    let huge = with("ZNAXIS1", Value::Integer(1 << 40));
    assert!(huge.is_err());
    let mut big = ok.clone();
    for card in big.cards.iter_mut() {
        match card.keyword.as_str() {
            "ZNAXIS1" | "ZTILE1" => card.value = Value::Integer(MAX_TILE_PIXELS as i64 + 1),
            "ZNAXIS2" | "ZTILE2" => card.value = Value::Integer(1),
            "NAXIS2" => card.value = Value::Integer(1),
            _ => {}
        }
    }
    assert!(CompressedImage::from_header(&big).unwrap_err().to_string().contains("pixels"));

    let image = CompressedImage::from_header(&ok).unwrap();
    let data: Vec<u8> = c.table.iter().chain(&c.heap).copied().collect();
    let mut row = data[..8].to_vec();
    row[4..8].copy_from_slice(&(c.heap.len() as i32).to_be_bytes());
    assert!(image.heap_ranges(&row).unwrap_err().to_string().contains("past"));
    row[..4].copy_from_slice(&(-5i32).to_be_bytes());
    assert!(image.heap_ranges(&row).is_err());
    assert!(image.heap_ranges(&data[..4]).is_err());
    let row = &data[..8];
    let (start, len) = image.heap_ranges(row).unwrap()[0];
    let heap = data[start as usize..(start + len) as usize].to_vec();
    assert!(image.decode_tile(0, row, &[heap[..heap.len() - 1].to_vec()]).is_err());
    assert!(image.decode_tile(0, row, &[]).is_err());
    assert!(image.decode_tile(99, row, std::slice::from_ref(&heap)).is_err());
    let mut rng = Rng::new(6);
    for _ in 0..300 {
        let mut junk = heap.clone();
        let at = rng.below(junk.len() as u64) as usize;
        junk[at] ^= 1 << rng.below(8);
        let _ = image.decode_tile(0, row, &[junk]);
    }
}

#[test]
fn tiles_in_the_uncompressed_data_column_are_read_as_they_are() {
    let values = [1.5f32, -2.25, f32::NAN, 1e30];
    let mut table = vec![0u8; 8];
    table.extend(4i32.to_be_bytes());
    table.extend(0i32.to_be_bytes());
    let c = Compressed {
        columns: vec![("COMPRESSED_DATA".into(), "1PB".into()), ("UNCOMPRESSED_DATA".into(), "1PE".into())],
        keywords: vec![
            ("ZIMAGE".into(), Value::Logical(true)),
            ("ZBITPIX".into(), Value::Integer(-32)),
            ("ZNAXIS".into(), Value::Integer(1)),
            ("ZNAXIS1".into(), Value::Integer(4)),
            ("ZCMPTYPE".into(), Value::String("RICE_1".into())),
            ("ZSCALE".into(), Value::Real(0.5)),
            ("ZZERO".into(), Value::Real(3.0)),
        ],
        row_width: 16,
        rows: 1,
        table,
        heap: values.iter().flat_map(|v| v.to_be_bytes()).collect(),
    };
    let image = CompressedImage::from_header(&header_of(&c, &[])).unwrap();
    assert_eq!(image.heap_ranges(&c.table).unwrap(), vec![(16, 16)]);
    let tile = image.decode_tile(0, &c.table, std::slice::from_ref(&c.heap)).unwrap();
    assert_eq!((tile.origin, tile.shape), (vec![0], vec![4]));
    assert_eq!(&tile.values[..2], &[1.5, -2.25]);
    assert!(tile.values[2].is_nan() && tile.values[3] == f64::from(1e30f32) && !tile.integer);
}
