//! `s3scope header` on a prefix: HATS collections and catalogs, hive
//! datasets, against the embedded S3 server; what they cost.

mod common;

use common::*;
use s3scope::testing::demo::generate::EDGE_BUCKET;
use s3scope::testing::demo::generate::hats::{
    BROKEN_HATS, EUCLID_BUCKET, EUCLID_CATALOG, EUCLID_HATS, EUCLID_PARTITIONS, GAIA_BUCKET, GAIA_HATS,
    GAIA_PARTITIONS, GARBLED_HATS,
};
use serde_json::Value;

const NEOWISE: &str =
    "s3://nasa-irsa-wise/wise/neowiser/catalogs/p1bs_psd/healpix_k5/2019/neowiser-healpix_k5-2019.parquet/";

fn header_json(uri: &str) -> Value {
    let output = run(&["header", "--json", uri]);
    assert!(output.status.success(), "{uri}: {}", stderr(&output));
    serde_json::from_str(stdout(&output).trim()).expect("one JSON document")
}

fn column<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["columns"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name}"))
}

#[test]
fn a_hats_catalog_from_three_small_files() {
    let uri = format!("s3://{EUCLID_BUCKET}/{EUCLID_HATS}{EUCLID_CATALOG}/");
    let json = header_json(&uri);
    assert_eq!(json["uri"], uri.as_str());
    assert_eq!(json["format"], "hats");
    assert_eq!(json["requests"], 4, "listing, properties, partition_info.csv, _common_metadata");
    assert_eq!(json["name"], EUCLID_CATALOG);
    assert_eq!(json["type"], "object");
    let rows: usize = EUCLID_PARTITIONS.iter().map(|p| p.2).sum();
    assert_eq!(json["rows"], rows);
    assert_eq!(json["partitions"], EUCLID_PARTITIONS.len());
    assert_eq!(json["orders"], serde_json::json!([{"order": 2, "partitions": 2}, {"order": 3, "partitions": 5}]));
    assert_eq!((&json["ra_column"], &json["dec_column"]), (&"right_ascension".into(), &"declination".into()));
    let ra = column(&json, "right_ascension");
    assert_eq!((&ra["physical"], &ra["unit"], &ra["nullable"]), (&"DOUBLE".into(), &"deg".into(), &false.into()));
    assert_eq!(column(&json, "flux_vis_psf")["unit"], "uJy");
    assert_eq!(json["properties"]["hats_order"], "3");
    assert_eq!(json["warnings"], serde_json::json!([]));
    // The bytes are the small files, far less than the partitions hold.
    let read = json["bytes_read"].as_u64().unwrap();
    let common = object_bytes(EUCLID_BUCKET, &format!("{EUCLID_HATS}{EUCLID_CATALOG}/dataset/_common_metadata"));
    assert!(read >= common.len() as u64 && read < 8 * 1024, "{read}");
}

#[test]
fn a_collection_lists_its_catalog_margins_and_index() {
    let json = header_json(&format!("s3://{EUCLID_BUCKET}/{EUCLID_HATS}"));
    assert_eq!(json["format"], "hats-collection");
    assert!(json["requests"].as_u64().unwrap() <= 4, "{}", json["requests"]);
    assert_eq!(json["name"], "euclid_q1_merged_objects_collection");
    let collection = &json["collection"];
    assert_eq!(collection["primary"], EUCLID_CATALOG);
    assert_eq!(collection["margins"], serde_json::json!([format!("{EUCLID_CATALOG}_10arcs")]));
    assert_eq!(collection["default_margin"], format!("{EUCLID_CATALOG}_10arcs"));
    assert_eq!(collection["indexes"]["object_id"], format!("{EUCLID_CATALOG}_object_id_index"));
    // The primary catalog's rows and partitions come along.
    assert_eq!(json["rows"], EUCLID_PARTITIONS.iter().map(|p| p.2).sum::<usize>());
    assert_eq!(json["partitions"], EUCLID_PARTITIONS.len());
    assert_eq!(json["ra_column"], "right_ascension");
}

#[test]
fn margin_index_and_older_catalogs() {
    let margin = header_json(&format!("s3://{EUCLID_BUCKET}/{EUCLID_HATS}{EUCLID_CATALOG}_10arcs/"));
    assert_eq!((&margin["type"], &margin["primary"]), (&"margin".into(), &EUCLID_CATALOG.into()));
    assert_eq!(margin["properties"]["hats_margin_threshold"], "10.0");
    let index = header_json(&format!("s3://{EUCLID_BUCKET}/{EUCLID_HATS}{EUCLID_CATALOG}_object_id_index/"));
    assert_eq!((&index["type"], &index["index_column"]), (&"index".into(), &"object_id".into()));
    assert_eq!(index["requests"], 3, "no partition_info.csv to read");
    assert_eq!(index["warnings"], serde_json::json!([]));
    let gaia = header_json(&format!("s3://{GAIA_BUCKET}/{GAIA_HATS}"));
    assert_eq!((&gaia["format"], &gaia["name"]), (&"hats".into(), &"gaia_dr3".into()));
    assert_eq!(gaia["rows"], GAIA_PARTITIONS.iter().map(|p| p.2).sum::<usize>());
    assert_eq!(gaia["orders"], serde_json::json!([{"order": 0, "partitions": 2}, {"order": 1, "partitions": 1}]));
    assert_eq!((&gaia["ra_column"], &gaia["dec_column"]), (&"ra".into(), &"dec".into()));
    assert_eq!(column(&gaia, "phot_g_mean_mag")["unit"], "mag");
    assert!(gaia["requests"].as_u64().unwrap() <= 4);
}

#[test]
fn a_hive_dataset_from_its_common_metadata_and_partitions() {
    let json = header_json(NEOWISE);
    assert_eq!(json["format"], "parquet-dataset");
    assert_eq!(json["requests"], 2, "one listing, one read of _common_metadata");
    assert_eq!(json["partitions"], 12);
    assert_eq!(json["partitioning"], serde_json::json!(["healpix_k0"]));
    assert_eq!(json["columns_from"], "_common_metadata");
    assert_eq!(column(&json, "mjd")["unit"], "d");
    assert_eq!(json["columns"].as_array().unwrap().len(), 10);
    // The dataset in a HATS catalog (`Norder=k/` partitions) with `_metadata`'s row count.
    let dataset = header_json(&format!("s3://{EUCLID_BUCKET}/{EUCLID_HATS}{EUCLID_CATALOG}/dataset/"));
    assert_eq!(dataset["format"], "parquet-dataset");
    assert_eq!(dataset["partitioning"], serde_json::json!(["Norder"]));
    assert_eq!(dataset["partitions"], 2);
}

#[test]
fn text_output_names_what_it_found() {
    let output = run(&["header", &format!("s3://{EUCLID_BUCKET}/{EUCLID_HATS}{EUCLID_CATALOG}/")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("HATS catalog euclid_q1_merged_objects (object)"), "{text}");
    assert!(text.contains("partitions: 7 at HEALPix order 2 (2), 3 (5)"), "{text}");
    assert!(text.lines().any(|l| l.contains("right_ascension") && l.contains("deg")), "{text}");
    assert!(text.trim_end().ends_with("bytes read"), "{text}");
}

#[test]
fn a_prefix_that_is_neither_is_bad_input() {
    let output = run(&["header", "--json", "s3://nasa-heasarc/chandra/"]);
    assert_one_line_error(&output, 2, "neither a HATS catalog nor a hive-partitioned Parquet dataset");
    assert!(stdout(&output).is_empty());
}

#[test]
fn broken_catalogs_are_bad_input_and_garbled_files_warnings() {
    let output = run(&["header", "--json", &format!("s3://{EDGE_BUCKET}/{BROKEN_HATS}")]);
    assert_one_line_error(&output, 2, "hats.properties: it names no catalog");
    let json = header_json(&format!("s3://{EDGE_BUCKET}/{GARBLED_HATS}"));
    assert_eq!((&json["name"], &json["rows"], &json["partitions"]), (&"garbled".into(), &Value::Null, &2.into()));
    let warnings: Vec<&str> = json["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(warnings.iter().any(|w| w.contains("hats_nrows is not a count")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("2 lines without a valid order and pixel")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.starts_with("reading dataset/_common_metadata")), "{warnings:?}");
    // As text, the garbage is escaped.
    let output = run(&["header", &format!("s3://{EDGE_BUCKET}/{GARBLED_HATS}")]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("hats_nrows is not a count: '\\e[2Jmany'"), "{text}");
    assert!(unsafe_chars(&text).is_empty(), "{text:?}");
}

#[test]
fn a_catalog_prefix_given_without_its_slash_is_found() {
    // IRSA names its datasets' directories `….parquet`: no such object, so the prefix is tried.
    let without = NEOWISE.trim_end_matches('/');
    let json = header_json(without);
    assert_eq!(json["format"], "parquet-dataset");
    assert_eq!(json["uri"], format!("{without}/"));
    // A key that is neither an object nor a catalog keeps its own error.
    assert_one_line_error(&run(&["header", "s3://nasa-heasarc/no/such/file.fits"]), 1, "no such key");
}
