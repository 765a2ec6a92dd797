//! `s3scope table` against the embedded S3 server: the JSON contract, CSV and
//! text output, the cost of reading a few rows, and broken tables.

mod common;

use common::*;
use s3scope::testing::demo::generate::{BIG_EVENT_KEY, BIG_EVENT_ROWS};
use serde_json::{Value, json};

const EVENTS: &str = "s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz";
const SOURCES: &str = "s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_src2.fits";
const EVERY_TYPE: &str = "s3://demo-edge/tables/every-type.fits";

#[test]
fn the_first_table_is_the_default_and_rows_follow_the_description() {
    let lines = table_json(EVENTS, &[]);
    let first = &lines[0];
    assert_eq!(first["hdu"], 1, "the EVENTS table, after the empty primary");
    let names: Vec<&str> = first["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(&names[..4], ["TIME", "CCD_ID", "CHIPX", "CHIPY"]);
    assert_eq!(first["columns"][0], json!({"name": "TIME", "format": "1D", "unit": "s", "dim": null}));
    assert_eq!(lines.len(), 1 + 20, "rows 0:20 by default");
    let rows = &lines[1..];
    let times: Vec<f64> = rows.iter().map(|r| r[0].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "events in time order: {times:?}");
    // ENERGY is stored as scaled 16-bit integers (TSCAL 0.5, TZERO 16384): physical eV.
    let energy = names.iter().position(|&n| n == "ENERGY").unwrap();
    for row in rows.iter().filter(|r| !r[energy].is_null()) {
        let ev = row[energy].as_f64().unwrap();
        assert!((300.0..9400.0).contains(&ev) && (ev * 2.0).fract() == 0.0, "{ev}");
    }
    // FLTGRADE is unsigned 16-bit (TZERO 32768): an integer, never negative.
    let grade = names.iter().position(|&n| n == "FLTGRADE").unwrap();
    assert!(rows.iter().all(|r| r[grade].as_u64().is_some_and(|g| g < 65536)));
    let status = names.iter().position(|&n| n == "STATUS").unwrap();
    assert_eq!(rows[0][status].as_array().unwrap().len(), 32, "32X is 32 booleans");
    assert!(first["requests"].as_u64().unwrap() >= 1 && first["bytes_read"].as_u64().unwrap() > 0);
}

#[test]
fn rows_columns_and_hdu_by_name_select_what_is_printed() {
    let lines = table_json(EVENTS, &["--hdu", "gti7", "--rows", "0:", "--columns", "stop,START"]);
    assert_eq!(lines[0]["hdu"], 2);
    assert_eq!(lines[0]["columns"].as_array().unwrap().len(), 2);
    assert_eq!(lines[0]["columns"][0]["name"], "STOP");
    assert_eq!(lines.len(), 2, "one GTI row");
    assert!(lines[1][0].as_f64().unwrap() > lines[1][1].as_f64().unwrap());

    let lines = table_json(EVERY_TYPE, &["--rows", "5:8", "--columns", "NAME"]);
    assert_eq!(lines[1..], [json!(["src 5"]), json!(["src 6"]), json!(["src 7"])]);
    let past_the_end = table_json(EVERY_TYPE, &["--rows", "38:1000"]);
    assert_eq!(past_the_end.len(), 1 + 2, "clipped to the 40 rows");
}

#[test]
fn every_column_type_follows_the_contract() {
    let lines = table_json(EVERY_TYPE, &["--rows", "0:4"]);
    let names: Vec<&str> =
        lines[0]["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    let at = |row: usize, name: &str| lines[1 + row][names.iter().position(|&n| n == name).unwrap()].clone();
    assert_eq!((at(0, "FLAG"), at(1, "FLAG"), at(2, "FLAG")), (json!(true), json!(false), Value::Null));
    assert_eq!(at(3, "SHORT"), Value::Null, "TNULL4 = -99 on row 3");
    assert_eq!(at(2, "FLUX"), Value::Null, "NaN is null");
    assert_eq!(at(0, "MATRIX").as_array().unwrap().len(), 2, "TDIM (3,2): 2 arrays of 3");
    assert_eq!(at(0, "MATRIX")[1], json!([3.0, 4.0, 5.0]));
    assert_eq!(at(0, "WORDS"), json!(["ab c", "defg", "hij"]), "TDIM (4,3) on 12A: 3 strings of 4");
    assert_eq!(at(0, "Z").as_array().unwrap().len(), 2, "complex as [re, im]");
    assert_eq!(at(1, "SPECTRUM"), json!([-1.0, 0.5, 2.0]), "Q descriptors into the heap");
    assert_eq!((at(0, "LABEL"), at(1, "LABEL")), (json!(""), json!("alpha")));
    assert!(at(0, "USHORT").as_u64().is_some() && at(0, "SBYTE").as_i64().is_some_and(|b| (-128..128).contains(&b)));
    assert!(at(0, "SCALED").is_f64(), "TSCAL 0.001 makes floats");
    assert_eq!(at(0, "BITS").as_array().unwrap().len(), 11);
}

#[test]
fn ascii_tables_give_numbers_strings_and_nulls() {
    let lines = table_json(SOURCES, &["--rows", "0:14"]);
    assert_eq!(lines[0]["columns"][4], json!({"name": "FLUX", "format": "E12.4", "unit": "erg/cm**2/s", "dim": null}));
    let rows = &lines[1..];
    assert!(rows[0][0].as_str().unwrap().starts_with("CXO J0534"));
    assert!(rows[0][1].as_f64().is_some_and(|ra| (83.5..83.8).contains(&ra)));
    assert_eq!(rows[5][3], Value::Null, "TNULL4 '-999'");
    assert_eq!(rows[4][4], Value::Null, "a blank field");
    assert!(rows[0][3].is_i64());
}

#[test]
fn csv_and_text_output() {
    let output = run(&["table", "--csv", "--rows", "0:3", "--columns", "NAME,MATRIX,FLAG", EVERY_TYPE]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "NAME,MATRIX,FLAG");
    assert!(lines[1].starts_with("src 0,\"[[0.0,1.0,2.0],[3.0,4.0,5.0]]\",true"), "{}", lines[1]);
    assert!(lines[3].ends_with(','), "a null logical is an empty field: {}", lines[3]);

    let output = run(&["table", "--rows", "0:3", EVENTS]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("TIME [s]") && lines[0].contains("ENERGY [eV]"), "{}", lines[0]);
    assert!(lines[1].starts_with("--------"));
    // TDISP1 = F16.4: four decimals.
    let time = lines[2].split_whitespace().next().unwrap();
    assert_eq!(time.split('.').nth(1).map(str::len), Some(4), "{time}");
    assert!(lines[5].starts_with("# HDU 1 (EVENTS): rows 0-3 of "), "{}", lines[5]);
}

#[test]
fn twenty_rows_of_a_long_table_cost_the_header_and_the_rows() {
    let uri = format!("s3://nasa-heasarc/{BIG_EVENT_KEY}");
    let lines = table_json(&uri, &["--rows", "100000:100020"]);
    assert_eq!(lines[0]["rows"], BIG_EVENT_ROWS);
    assert_eq!(lines.len(), 21);
    let header = run(&["header", "--json", "--hdu", "1", &uri]);
    let hdus = serde_json::from_str::<Value>(&stdout(&header)).unwrap()["hdus"].clone();
    let data_start = hdus[0]["data_start"].as_u64().unwrap();
    let row_len = 36;
    let bound = data_start + 20 * row_len + 2880;
    let read = lines[0]["bytes_read"].as_u64().unwrap();
    assert!(read <= bound, "read {read} bytes, bound {bound} (headers {data_start} + 20 rows + a block)");
    assert!(lines[0]["requests"].as_u64().unwrap() <= 3);
}

#[test]
fn broken_tables_are_one_line_errors() {
    let output = run(&["table", "--rows", "0:", "s3://demo-edge/tables/naxis2-lies.fits"]);
    assert_one_line_error(&output, 2, "NAXIS2");
    let output = run(&["table", "s3://demo-edge/tables/heap-pointer-past-the-end.fits"]);
    assert_one_line_error(&output, 2, "past the");
    let output = run(&["table", "s3://demo-edge/files/truncated.fits"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = run(&["table", "--hdu", "0", EVENTS]);
    assert_one_line_error(&output, 2, "not a table");
    let output = run(&["table", "--columns", "NOPE", EVENTS]);
    assert_one_line_error(&output, 2, "no column named");
    let output = run(&["table", "--hdu", "7", EVENTS]);
    assert_one_line_error(&output, 2, "no HDU 7");
    let output = run(&["table", "--rows", "9:2", EVENTS]);
    assert_one_line_error(&output, 2, "ends before it starts");
    let output = run(&["table", "s3://demo-edge/files/not-fits.fits"]);
    assert_one_line_error(&output, 2, "not a FITS file");
}
