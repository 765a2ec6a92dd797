//! Parquet files against the embedded S3 server: `header` from the footer
//! (one or two reads from the end, never the data), `table` from the column
//! chunks it needs, values by the JSON contract, and broken files.

mod common;

use common::*;
use s3scope::testing::demo::generate::{TRUTH_CATALOG_KEY, WIDE_CATALOGUE_KEY};
use serde_json::{Value, json};

fn truth() -> String {
    format!("s3://nasa-irsa-simulations/{TRUTH_CATALOG_KEY}")
}

fn wide() -> String {
    format!("s3://nasa-irsa-euclid-q1/{WIDE_CATALOGUE_KEY}")
}

const PARTITION: &str = "s3://nasa-irsa-wise/wise/neowiser/catalogs/p1bs_psd/healpix_k5/2019/neowiser-healpix_k5-2019.parquet/healpix_k0=2/healpix_k5=2145/part0.snappy.parquet";

fn header_json(uri: &str) -> Value {
    let output = run(&["header", "--json", uri]);
    assert!(output.status.success(), "{uri}: {}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn the_footer_is_read_from_the_end_in_one_request() {
    let uri = truth();
    let d = header_json(&uri);
    let size = d["size"].as_u64().unwrap();
    assert_eq!(d["format"], "parquet");
    assert_eq!(d["requests"], 1, "one suffix read holds a small footer");
    assert_eq!(d["bytes_read"].as_u64().unwrap(), (64 << 10).min(size));
    assert_eq!(d["rows"], 2000);
    assert!(d["created_by"].as_str().unwrap().starts_with("parquet-rs"));
    let groups = d["row_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 5);
    assert!(groups.iter().all(|g| g["rows"] == 400 && g["bytes"].as_u64().unwrap() > 0));
    let columns = d["columns"].as_array().unwrap();
    let names: Vec<&str> = columns.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names[4..7], ["photometry.F158", "photometry.F184", "sed.list.item"], "nested leaves by dotted path");
    assert_eq!(
        columns[1],
        json!({"name": "ra", "physical": "DOUBLE", "logical": null, "nullable": false, "unit": "deg",
               "description": "Right ascension"})
    );
    assert_eq!(columns[4]["unit"], "nJy", "units of struct fields");
    assert_eq!(columns[8]["logical"], "TIMESTAMP(MICROS,UTC)");
    assert_eq!(columns[9]["logical"], "STRING");
    let first = &groups[0]["columns"];
    assert_eq!(first[0]["compression"], "ZSTD");
    assert_eq!(first[0]["min"], 9_000_000_000u64, "the first galaxy id");
    assert!(first[8]["min"].as_str().unwrap().starts_with("2024-06-01T00:00:00"), "timestamps as ISO 8601");
    assert!(first[3]["nulls"].as_u64().unwrap() > 0, "redshift has nulls");
    assert!(d["metadata"].get("ARROW:schema").is_none(), "the Arrow schema is decoded, not shown");
}

#[test]
fn a_footer_over_64_kib_takes_a_second_read_of_just_the_rest() {
    let d = header_json(&wide());
    assert_eq!(d["requests"], 2);
    let footer = d["footer_bytes"].as_u64().unwrap();
    assert!(footer > 64 << 10, "{footer}");
    assert_eq!(d["bytes_read"].as_u64().unwrap(), footer + 8, "the footer, its length and magic: nothing more");
    assert_eq!(d["columns"].as_array().unwrap().len(), 600);
    assert!(d["bytes_read"].as_u64().unwrap() < d["size"].as_u64().unwrap() / 2);
}

#[test]
fn rows_come_from_the_chunks_of_the_columns_and_row_groups_asked_for() {
    let uri = truth();
    let lines = table_json(&uri, &["--rows", "398:402", "--columns", "galaxy_id,sed,photometry,simulated_at"]);
    let first = &lines[0];
    assert_eq!(first["format"], "parquet");
    assert_eq!(first["rows"], 2000);
    assert_eq!(
        first["columns"][1],
        json!({"name": "sed", "type": "List(Float64)", "unit": "nJy",
        "description": "Fluxes on the SED wavelength grid"})
    );
    let rows = &lines[1..];
    assert_eq!(rows.len(), 4, "two rows at the end of row group 0, two at the start of row group 1");
    let ids: Vec<u64> = rows.iter().map(|r| r[0].as_u64().unwrap()).collect();
    assert_eq!(ids, [9_000_002_786, 9_000_002_793, 9_000_002_800, 9_000_002_807]);
    assert!(rows.iter().all(|r| r[1].is_array() || r[1].is_null()), "lists as arrays");
    assert!(rows.iter().all(|r| r[2].get("F158").is_some() || r[2].is_null()), "structs as objects");
    assert_eq!(rows[0][3], "2024-06-01T00:08:17.500000+00:00", "timestamps as ISO 8601");
    // Reading four rows of four columns costs the footer read and the chunks of two row groups.
    let size = header_json(&uri)["size"].as_u64().unwrap();
    let read = first["bytes_read"].as_u64().unwrap();
    assert!(first["requests"].as_u64().unwrap() <= 5, "{first}");
    assert!(read < size, "{read} of {size}");
}

#[test]
fn a_few_rows_of_two_columns_of_a_wide_file_read_a_small_part_of_it() {
    let uri = wide();
    let lines = table_json(&uri, &["--rows", "0:20", "--columns", "object_id,flux_H_aper_3"]);
    assert_eq!(lines.len(), 21);
    assert_eq!(lines[1][0], -600_000_000i64);
    let size = header_json(&uri)["size"].as_u64().unwrap();
    let footer = header_json(&uri)["footer_bytes"].as_u64().unwrap();
    let read = lines[0]["bytes_read"].as_u64().unwrap();
    assert!(read < footer + 8 + 4096, "the footer and two small chunks: {read} bytes of {size}");
}

#[test]
fn a_hive_partition_reads_nulls_text_and_small_integers() {
    let lines = table_json(PARTITION, &["--rows", "0:20", "--columns", "source_id,w1mpro,cc_flags,nb"]);
    let rows = &lines[1..];
    assert!(rows.iter().any(|r| r[1].is_null()), "null magnitudes");
    assert!(rows.iter().all(|r| r[0].is_string() && r[3].as_u64().is_some_and(|n| (1..=3).contains(&n))));
    let text = run(&["table", "--rows", "0:3", PARTITION]);
    assert!(text.status.success());
    let out = stdout(&text);
    assert!(out.contains("ra [deg]") && out.contains("# rows 0-3 of"), "{out}");
}

#[test]
fn a_partition_without_notes_takes_them_from_its_dataset() {
    let d = header_json(PARTITION);
    assert_eq!(d["requests"], 2, "its own footer, then the dataset's _common_metadata");
    assert_eq!(d["columns"][1]["unit"], "deg");
    assert_eq!(d["columns"][1]["description"], "Right ascension (J2000)");
    let lines = table_json(PARTITION, &["--rows", "0:1", "--columns", "ra"]);
    assert_eq!(lines[0]["columns"][0]["unit"], "deg");
    // A file outside any dataset makes no such request.
    assert_eq!(header_json(&truth())["requests"], 1);
}

#[test]
fn bad_parquet_is_one_line_and_exit_2() {
    for (name, needle) in [
        ("cut-footer", "does not end with PAR1"),
        ("cut-in-the-footer", "does not end with PAR1"),
        ("footer-length-lies", "more than the"),
        ("footer-garbled", "does not decode"),
    ] {
        let uri = format!("s3://demo-edge/formats/{name}.parquet");
        assert_one_line_error(&run(&["header", &uri]), 2, needle);
        assert_one_line_error(&run(&["table", &uri]), 2, needle);
    }
    assert_one_line_error(&run(&["table", "--columns", "nope", &truth()]), 2, "no column named \"nope\"");
    assert_one_line_error(&run(&["image", &truth()]), 2, "not a FITS file: it is Parquet");
}
