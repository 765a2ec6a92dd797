//! `s3scope image` against the embedded S3 server: the JSON contract, the
//! PNG and character quick-looks, the cost of a quick-look, bad input.

mod common;

use common::*;
use s3scope::testing::demo::generate::{MOSAIC_KEY, MOSAIC_SIDE};
use serde_json::Value;

const COUNTS: &str = "s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_cntr_img2.fits.gz";
const CUBE: &str = "s3://stpubdata/jwst/public/jw02736/jw02736-o007_t001_nirspec_g395h-f290lp/jw02736-o007_t001_nirspec_g395h-f290lp_s3d.fits";

fn image_json(uri: &str, extra: &[&str]) -> Value {
    let mut args = vec!["image", "--json"];
    args.extend_from_slice(extra);
    args.push(uri);
    let output = run(&args);
    assert!(output.status.success(), "{uri}: {}", stderr(&output));
    serde_json::from_str(stdout(&output).trim()).expect("one JSON object")
}

fn rows(json: &Value) -> Vec<Vec<Value>> {
    json["data"].as_array().unwrap().iter().map(|r| r.as_array().unwrap().clone()).collect()
}

#[test]
fn the_grid_follows_max_and_integers_stay_integers() {
    let json = image_json(COUNTS, &[]);
    assert_eq!(json["hdu"], 0, "the primary array is the first image");
    assert_eq!(json["shape"], serde_json::json!([64, 64]));
    assert_eq!(json["stride"], serde_json::json!([1, 1]));
    let data = rows(&json);
    assert_eq!((data.len(), data[0].len()), (64, 64));
    assert!(data.iter().flatten().all(|v| v.is_i64()), "int16 counts stay integers");
    let zscale = json["zscale"].as_array().unwrap();
    assert!(zscale[0].as_f64().unwrap() < zscale[1].as_f64().unwrap());

    let coarse = image_json(COUNTS, &["--max", "10x7"]);
    assert_eq!(coarse["stride"], serde_json::json!([10, 7]), "sy = ceil(64/7), sx = ceil(64/10)");
    let coarse_rows = rows(&coarse);
    assert_eq!((coarse_rows.len(), coarse_rows[0].len()), (7, 10));
    assert_eq!(coarse_rows[2][3], data[20][21], "data[i][j] is pixel [i*sy, j*sx]");
}

#[test]
fn planes_of_a_cube_differ_and_the_last_one_exists() {
    let first = image_json(CUBE, &["--max", "16x16"]);
    assert_eq!((first["hdu"].as_u64(), first["plane"].as_u64()), (Some(1), Some(0)));
    let last = image_json(CUBE, &["--max", "16x16", "--plane", "11"]);
    assert_ne!(first["data"], last["data"]);
    assert!(rows(&first).iter().flatten().all(Value::is_f64), "float data");
    let output = run(&["image", "--plane", "12", CUBE]);
    assert_one_line_error(&output, 2, "no plane 12");
}

#[test]
fn a_quick_look_of_a_100_mib_image_reads_a_few_per_cent() {
    let uri = format!("s3://nasa-irsa-euclid-q1/{MOSAIC_KEY}");
    let json = image_json(&uri, &[]);
    assert_eq!(json["shape"], serde_json::json!([MOSAIC_SIDE, MOSAIC_SIDE]));
    let image_bytes = (MOSAIC_SIDE * MOSAIC_SIDE * 4) as u64;
    let read = json["bytes_read"].as_u64().unwrap();
    assert!(read * 10 <= image_bytes, "read {read} of {image_bytes} bytes");
    assert!(json["requests"].as_u64().unwrap() <= 2 + 64, "one request per sampled row at most");
}

#[test]
fn tile_compressed_images_read_only_the_tiles_of_sampled_rows() {
    let base = "s3://nasa-irsa-euclid-q1/q1/compressed/";
    let all = image_json(&format!("{base}rice-int16.fits"), &["--max", "256x192"]);
    assert!(rows(&all).iter().flatten().all(Value::is_i64), "RICE int16 stays integer");
    let few = image_json(&format!("{base}rice-int16.fits"), &["--max", "256x4"]);
    assert_eq!(few["stride"], serde_json::json!([48, 1]));
    assert_eq!(rows(&few)[1], rows(&all)[48], "the same pixels through fewer tiles");
    let (few_bytes, all_bytes) = (few["bytes_read"].as_u64().unwrap(), all["bytes_read"].as_u64().unwrap());
    assert!(few_bytes * 2 < all_bytes, "4 of 192 tiles cost {few_bytes} bytes, all of them {all_bytes}");
    let gzip = image_json(&format!("{base}gzip1-int16.fits"), &["--max", "256x192"]);
    assert_eq!(gzip["data"], all["data"], "GZIP_1 and RICE_1 of the same field agree");
    let floats = image_json(&format!("{base}rice-float32-blank.fits"), &[]);
    let values: Vec<Value> = rows(&floats).into_iter().flatten().collect();
    assert!(values.iter().any(Value::is_null), "ZBLANK is null");
    assert!(values.iter().filter(|v| !v.is_null()).all(Value::is_f64), "quantized floats");
    let cube = image_json(&format!("{base}rice-cube-int16.fits"), &["--plane", "3"]);
    assert_eq!(cube["shape"], serde_json::json!([48, 64]));
}

#[test]
fn png_and_character_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("look.png");
    let output = run(&["image", "--png", png.to_str().unwrap(), "--max", "40x30", "--stretch", "asinh", COUNTS]);
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (width, height) =
        (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()));
    assert_eq!((width, height), (32, 22), "strides 3 down and 2 across: 32 x 22 samples");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 11 + 1, "two sample rows a line, then the summary");
    assert!(lines[11].contains("zscale asinh"), "{}", lines[11]);
    assert!(text.chars().any(|c| "%@#".contains(c)), "stars show as dense characters:\n{text}");
}

#[test]
fn bad_input_is_one_line() {
    let output = run(&[
        "image",
        "--hdu",
        "1",
        "s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz",
    ]);
    assert_one_line_error(&output, 2, "not an image");
    let output = run(&["image", "--max", "0x5", COUNTS]);
    assert_one_line_error(&output, 2, "1 to 10000");
    let output = run(&["image", "--interval", "loud", COUNTS]);
    assert_one_line_error(&output, 2, "zscale, minmax or 99.5");
    let output = run(&["image", "s3://demo-edge/files/truncated-image.fits"]);
    assert_one_line_error(&output, 2, "truncated");
    let output = run(&["image", "s3://demo-edge/files/truncated.fits"]);
    assert_one_line_error(&output, 2, "END");
    let output = run(&["image", "s3://demo-edge/files/broken-tile.fits"]);
    assert_one_line_error(&output, 2, "tile 2");
    let output = run(&["image", "s3://demo-edge/files/not-fits.fits"]);
    assert_one_line_error(&output, 2, "not a FITS file");
}
