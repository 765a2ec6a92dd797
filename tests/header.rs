//! `s3scope header` against the embedded S3 server.

mod common;

use std::io::Read;

use common::proxy;
use common::*;
use s3scope::testing::demo::generate::{EDGE_BUCKET, GZIP_DATA_LAST_KEY, TESS_CUBE_KEY};
use s3scope::testing::demo::store::Content;
use s3scope::testing::fits::scanner::Scanner;
use serde_json::Value;

fn header_json(uri: &str, extra: &[&str]) -> Value {
    let mut args = vec!["header", "--json"];
    args.extend_from_slice(extra);
    args.push(uri);
    let output = run(&args);
    assert!(output.status.success(), "{uri}: {}", stderr(&output));
    serde_json::from_str(stdout(&output).trim()).expect("one JSON document")
}

/// The HDUs found by scanning the whole stored object (inflated if gzip).
fn reference_hdus(bucket: &str, key: &str) -> Vec<s3scope::testing::fits::hdu::Hdu> {
    let object = fixture().store.get(bucket, key).unwrap();
    let Content::File(path) = &object.content else { panic!("on disk") };
    let mut data = std::fs::read(path).unwrap();
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut inflated = Vec::new();
        flate2::read::MultiGzDecoder::new(&data[..]).read_to_end(&mut inflated).unwrap();
        data = inflated;
    }
    let mut scanner = Scanner::new(s3scope::testing::fits::scanner::Stop::AtEnd);
    scanner.feed(&data).unwrap();
    scanner.finish().unwrap();
    scanner.hdus
}

fn assert_geometry_matches(json: &Value, bucket: &str, key: &str) {
    let reference = reference_hdus(bucket, key);
    let hdus = json["hdus"].as_array().unwrap();
    assert_eq!(hdus.len(), reference.len(), "{key}");
    for (got, want) in hdus.iter().zip(&reference) {
        assert_eq!(got["index"], want.index);
        assert_eq!(got["kind"], want.kind.as_str());
        assert_eq!(got["name"], want.name.as_str());
        assert_eq!(got["header_start"], want.header_start);
        assert_eq!(got["data_start"], want.data_start);
        assert_eq!(got["data_size"], want.data_size);
        assert_eq!(got["cards"].as_array().unwrap().len(), want.header.cards.len());
    }
}

fn card<'a>(hdu: &'a Value, keyword: &str) -> &'a Value {
    hdu["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["keyword"] == keyword)
        .unwrap_or_else(|| panic!("{keyword} missing"))
}

fn hst_key(suffix: &str) -> String {
    keys_below("stpubdata", "hst/public/").into_iter().find(|k| k.ends_with(suffix)).unwrap()
}

#[test]
fn multi_hdu_file_with_long_strings() {
    let key = hst_key("_raw.fits");
    let json = header_json(&format!("s3://stpubdata/{key}"), &[]);
    assert_geometry_matches(&json, "stpubdata", &key);
    let names: Vec<&str> = json["hdus"].as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["PRIMARY", "SCI", "ERR", "DQ"]);
    let primary = &json["hdus"][0];
    assert_eq!(primary["kind"], "PRIMARY");
    assert_eq!(primary["data_start"], 6 * 2880, "a six-block primary header");
    let description = card(primary, "TARGDESC")["value"].as_str().unwrap();
    assert!(description.starts_with("Globular cluster NGC 6397") && description.ends_with("of the programme"));
    assert!(!description.contains('&'));
    assert_eq!(card(primary, "TARGDESC")["comment"], "target description");
    assert_eq!(card(primary, "EXPTIME")["value"], 402.93);
    assert_eq!(card(primary, "SIMPLE")["value"], true);
    assert_eq!(card(primary, "PROPOSID")["value"], 15146);
    let history = card(primary, "HISTORY");
    assert!(history["value"].is_string() && history["comment"].is_null());
    let hdus = json["hdus"].as_array().unwrap().len() as u64;
    assert!(json["requests"].as_u64().unwrap() <= hdus + 1, "{}", json["requests"]);
    assert_eq!(json["size"], fixture().store.get("stpubdata", &key).unwrap().size);
}

#[test]
fn hierarch_and_tile_compressed_image() {
    let key = keys_below("nasa-irsa-euclid-q1", "q1/VIS/")[0].clone();
    let json = header_json(&format!("s3://nasa-irsa-euclid-q1/{key}"), &[]);
    assert_geometry_matches(&json, "nasa-irsa-euclid-q1", &key);
    assert_eq!(card(&json["hdus"][0], "ESO DET CHIP NAME")["value"], "CCD-44");
    assert_eq!(card(&json["hdus"][0], "ESO TEL AIRM START")["value"], 1.0);
    let compressed = &json["hdus"][1];
    assert_eq!(compressed["kind"], "BINTABLE");
    assert_eq!(compressed["summary"], "COMPRESSED IMAGE 128x128 int16 (GZIP_1, tiles 128x1)");
}

#[test]
fn gzip_file_offsets_are_in_the_inflated_stream() {
    let key = "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz";
    let json = header_json(&format!("s3://nasa-heasarc/{key}"), &[]);
    assert_eq!(json["gzip"], true);
    assert!(json["stopped"].is_null());
    assert_geometry_matches(&json, "nasa-heasarc", key);
    let kinds: Vec<&str> = json["hdus"].as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["PRIMARY", "EVENTS", "GTI7"]);
    assert!(json["hdus"][1]["summary"].as_str().unwrap().contains("TIME(1D, s)"));
}

#[test]
fn gzip_budget_reports_what_was_not_reached() {
    let key = "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz";
    let json = header_json(&format!("s3://nasa-heasarc/{key}"), &["--max-bytes", "6000"]);
    assert!(json["bytes_read"].as_u64().unwrap() <= 6000);
    assert!(json["stopped"].as_str().unwrap().contains("budget"), "{}", json["stopped"]);
    assert!(json["hdus"].as_array().unwrap().len() < 3);
}

#[test]
fn a_gzip_file_with_its_data_last_ends_at_its_trailer() {
    let json = header_json(&format!("s3://nasa-heasarc/{GZIP_DATA_LAST_KEY}"), &[]);
    assert_eq!(json["gzip"], true);
    assert!(json["stopped"].is_null(), "{}", json["stopped"]);
    assert_geometry_matches(&json, "nasa-heasarc", GZIP_DATA_LAST_KEY);
    let names: Vec<&str> = json["hdus"].as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["PRIMARY", "GTI", "SKY"]);
    let (requests, bytes) = (json["requests"].as_u64().unwrap(), json["bytes_read"].as_u64().unwrap());
    let size = json["size"].as_u64().unwrap();
    assert!(size > 4_000_000, "{size}");
    assert!(requests <= 3, "{requests} requests");
    assert!(bytes <= 1 << 20, "{bytes} of {size} bytes");
    eprintln!("data last: {requests} requests, {bytes} of {size} bytes");
    // What went over the wire, counted by a proxy, says the same.
    let fixture = fixture();
    let (addr, stats) =
        fixture.runtime.block_on(proxy::start_proxy(fixture.addr, std::time::Duration::from_millis(10))).unwrap();
    let endpoint = format!("http://{addr}");
    let uri = format!("s3://nasa-heasarc/{GZIP_DATA_LAST_KEY}");
    let output = s3scope()
        .args(["--endpoint-url", &endpoint, "--no-sign-request", "header", "--json", &uri])
        .output()
        .expect("run s3scope");
    assert!(output.status.success(), "{}", stderr(&output));
    let wire = stats.bytes_to_client.load(std::sync::atomic::Ordering::SeqCst);
    assert!(stats.requests() <= 3 && wire <= 1 << 20, "{}", stats.to_json());
    eprintln!("data last, through the proxy: {}", stats.to_json());
}

#[test]
fn a_100_mb_file_costs_a_few_kilobytes() {
    let json = header_json(&format!("s3://stpubdata/{TESS_CUBE_KEY}"), &[]);
    assert_geometry_matches(&json, "stpubdata", TESS_CUBE_KEY);
    assert_eq!(json["hdus"][1]["data_size"], 2u64 * 50 * 512 * 512 * 4);
    assert!(json["bytes_read"].as_u64().unwrap() < 64 * 1024, "{} bytes read", json["bytes_read"]);
    assert!(json["requests"].as_u64().unwrap() <= 4);
    assert!(json["size"].as_u64().unwrap() > 100_000_000);
}

#[test]
fn one_hdu_only() {
    let key = hst_key("_flt.fits");
    let json = header_json(&format!("s3://stpubdata/{key}"), &["--hdu", "2"]);
    let hdus = json["hdus"].as_array().unwrap();
    assert_eq!(hdus.len(), 1);
    assert_eq!(hdus[0]["index"], 2);
    assert_eq!(hdus[0]["name"], "ERR");
    let output = run(&["header", "--hdu", "9", &format!("s3://stpubdata/{key}")]);
    assert_one_line_error(&output, 2, "the file has 4 HDUs");
}

#[test]
fn human_output_is_80_column_cards_per_hdu() {
    let key = hst_key("_drz.fits");
    let output = run(&["header", &format!("s3://stpubdata/{key}")]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.starts_with(&format!("# HDU 0 in s3://stpubdata/{key}:\nSIMPLE  =                    T")));
    assert!(text.contains(&format!("\n\n# HDU 1 in s3://stpubdata/{key}:\nXTENSION= 'IMAGE   '")));
    assert!(text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).all(|l| l.len() <= 80));
    assert!(text.trim_end().lines().last().unwrap().starts_with("# 4 HDUs, "));
    assert!(output.stderr.is_empty());
}

#[test]
fn not_fits_and_empty_objects_exit_2() {
    for key in ["files/not-fits.fits", "files/empty.dat", "files/readme.txt"] {
        let output = run(&["header", &format!("s3://{EDGE_BUCKET}/{key}")]);
        assert_one_line_error(&output, 2, "not a FITS file");
    }
    let gz_html = "asca/data/rev2/97006000/aux/ad97006000_002_source_info.html.gz";
    assert_one_line_error(&run(&["header", &format!("s3://nasa-heasarc/{gz_html}")]), 2, "not a FITS file");
}

#[test]
fn a_file_cut_in_its_header_prints_what_was_read_and_exits_2() {
    let uri = format!("s3://{EDGE_BUCKET}/files/truncated.fits");
    let output = run(&["header", &uri]);
    let why = format!("s3scope: reading the header of {uri}: HDU 0: the file ends in the header: no END card\n");
    assert_one_line_error(&output, 2, "no END card");
    assert_eq!(stderr(&output), why);
    assert!(stdout(&output).contains("SIMPLE  ="));
    let output = run(&["header", "--json", &uri]);
    assert_eq!(stderr(&output), why);
    assert_eq!(output.status.code(), Some(2));
    let json: Value = serde_json::from_str(stdout(&output).trim()).expect("the JSON of what was read");
    assert_eq!(json["truncated_header"], "HDU 0: the file ends in the header: no END card");
    assert_eq!(json["hdus"][0]["cards"][0]["keyword"], "SIMPLE");
    assert!(json["hdus"][0]["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("no END")));
}

#[test]
fn a_file_cut_after_its_headers_is_no_error() {
    let uri = format!("s3://{EDGE_BUCKET}/files/truncated-data.fits");
    let output = run(&["header", &uri]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("SIMPLE  ="));
    let json = header_json(&uri, &[]);
    assert_eq!(json["truncated_header"], Value::Null);
}

#[test]
fn record_valued_cards_and_integers_beyond_64_bits() {
    let uri = format!("s3://{EDGE_BUCKET}/files/odd-header.fits");
    let output = run(&["header", "--json", &uri]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // Exact integers in the JSON text, not reals.
    assert!(text.contains(r#""keyword":"HUGEINT","value":123456789012345678901234567890,"#), "{text}");
    assert!(text.contains(r#""keyword":"HUGENEG","value":-9223372036854775809,"#), "{text}");
    // A record value is a real, as astropy gives it.
    assert!(text.contains(r#""keyword":"DP1.HUGE","value":-1.2345678901234568e+29,"#), "{text}");
    let json: Value = serde_json::from_str(text.trim()).unwrap();
    let primary = &json["hdus"][0];
    assert_eq!(card(primary, "DP1.NAXES")["value"].as_f64(), Some(2.0));
    assert!(card(primary, "DP1.NAXES")["value"].is_f64());
    assert_eq!(card(primary, "DP1.NAXES")["comment"], "a record-valued card");
    assert_eq!(card(primary, "DP1.AXIS.1")["value"], 1.0);
    assert_eq!(card(primary, "DP1.LOOKUP.2.SCALE")["value"], -1.5e-2);
    assert_eq!(card(primary, "NOTREC")["value"], "AXIS.1:1");
    assert_eq!(card(primary, "NOTREC2")["value"], "TIME: 12:00");
    // The text output keeps the file's lines.
    let output = run(&["header", &uri]);
    assert!(stdout(&output).contains("\nDP1     = 'AXIS.1: 1'\n"));
    assert!(stdout(&output).contains("\nHUGEINT = 123456789012345678901234567890 / 30 digits"));
    // HST distortion cards.
    let key = hst_key("_flt.fits");
    let json = header_json(&format!("s3://stpubdata/{key}"), &["--hdu", "1"]);
    let sci = &json["hdus"][0];
    assert_eq!(card(sci, "DP1.EXTVER")["value"], 1.0);
    assert_eq!(card(sci, "DP1.NPOL.SCALE")["value"], 0.05);
    assert_eq!(card(sci, "D2IM1.AXIS.1")["value"], 1.0);
    assert_eq!(card(sci, "D2IM1.EXTVER")["comment"], "version of the D2IMARR extension");
}

#[test]
fn missing_objects_and_prefixes_are_runtime_and_usage_errors() {
    assert_one_line_error(&run(&["header", "s3://stpubdata/no/such/key.fits"]), 1, "no such key");
    assert_one_line_error(&run(&["header", "s3://stpubdata/hst/"]), 2, "prefix");
    assert_one_line_error(&run(&["header", "s3://demo-private/proposals/cycle-27/draft.txt"]), 1, "access denied");
}

#[test]
fn header_values_with_escape_codes_stay_escaped_in_text_and_valid_in_json() {
    let key = "unicode/café-☃-星.fits";
    let output = run(&["header", &format!("s3://{EDGE_BUCKET}/{key}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("café-☃-星.fits"));
    let json = header_json(&format!("s3://{EDGE_BUCKET}/{key}"), &[]);
    assert_eq!(json["uri"], format!("s3://{EDGE_BUCKET}/{key}"));
}

#[test]
fn hostile_header_values_are_escaped_in_text_and_exact_in_json() {
    let uri = format!("s3://{EDGE_BUCKET}/escape/hostile-header.fits");
    let output = run(&["header", &uri]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let unsafe_chars = unsafe_chars(&text);
    assert!(unsafe_chars.is_empty(), "{unsafe_chars:?} reached stdout");
    assert!(text.contains("\\e]?;pwned\\x07") && text.contains("\\e[31mred\\e[0m"), "{text}");
    assert!(text.contains("\\e]52;c;cHduZWQ=\\x07"), "{text}");
    let json = header_json(&uri, &[]);
    let cards = json["hdus"][0]["cards"].as_array().unwrap();
    let value = |keyword: &str| cards.iter().find(|c| c["keyword"] == keyword).unwrap()["value"].clone();
    assert_eq!(value("OBJECT"), "\u{1b}]?;pwned\u{7}");
    assert_eq!(value("OBSERVER"), "\u{1b}[31mred\u{1b}[0m");
}

#[test]
fn unix_compressed_fits_reads_like_its_plain_twin() {
    let base = "s3://nasa-heasarc/rosat/data/pspc/processed_data/900000/rp900001n00/rp900001n00_bas.fits";
    let plain = header_json(base, &[]);
    let compressed = header_json(&format!("{base}.Z"), &[]);
    assert_eq!(compressed["compression"], "compress");
    assert_eq!(plain["compression"], Value::Null);
    assert_eq!(compressed["hdus"], plain["hdus"], "the same HDUs, offsets in the inflated stream");
    // Rows and pixels come out of the inflated stream too.
    let rows = |uri: &str| stdout(&run(&["table", "--json", "--rows", "100:110", uri]));
    let (from_plain, from_z) = (rows(base), rows(&format!("{base}.Z")));
    assert_eq!(from_plain.lines().skip(1).collect::<Vec<_>>(), from_z.lines().skip(1).collect::<Vec<_>>());
    let image = run(&[
        "image",
        "--json",
        "s3://nasa-heasarc/rosat/data/pspc/processed_data/900000/rp900001n00/rp900001n00_im1.fits.Z",
    ]);
    assert!(image.status.success(), "{}", stderr(&image));
    let json: Value = serde_json::from_str(stdout(&image).trim()).unwrap();
    assert_eq!(json["shape"], serde_json::json!([64, 64]));
}
