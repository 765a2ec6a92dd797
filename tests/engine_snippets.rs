//! The copy menu's engine snippets for the demo's HATS catalog, hive dataset
//! and a Parquet file, checked by tests/engine_snippets.py in Python: parsed,
//! the SQL parsed by sqlglot (DuckDB), the pyarrow ones run against the demo
//! server. Needs Python with pyarrow and sqlglot: `.ci/run` sets
//! `S3SCOPE_PYTHON` to its venv and runs it with `--ignored`.

mod common;

use std::process::Command;

use common::*;
use s3scope::testing::catalog::Catalog;
use s3scope::testing::copy_format::{Access, Tabular, formats_with};
use s3scope::testing::demo::generate::TRUTH_CATALOG_KEY;
use s3scope::testing::demo::generate::hats::{EUCLID_BUCKET, EUCLID_CATALOG, EUCLID_HATS, EUCLID_PARTITIONS};
use s3scope::testing::demo::store::Content;
use s3scope::testing::s3::{ConnectOptions, Route, S3Uri};
use serde_json::{Value, json};

const WISE: &str = "nasa-irsa-wise";
const NEOWISE: &str = "wise/neowiser/catalogs/p1bs_psd/healpix_k5/2019/neowiser-healpix_k5-2019.parquet/";

/// How the bucket is reached on AWS (the catalog's region, anonymous), or through the demo server.
fn access(bucket: &str, endpoint: Option<&str>) -> Access {
    let connect = ConnectOptions {
        endpoint_url: endpoint.map(str::to_string),
        no_sign_request: true,
        ..ConnectOptions::default()
    };
    let catalog = Catalog::builtin();
    Access::new(bucket, &Route::for_bucket(bucket, &connect, &catalog, None), &catalog)
}

/// Rows in the Parquet files below `prefix`, from their footers.
fn rows_below(bucket: &str, prefix: &str) -> i64 {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    keys_below(bucket, prefix)
        .iter()
        .filter(|k| k.ends_with(".parquet"))
        .map(|key| {
            let Content::File(path) = &fixture().store.get(bucket, key).unwrap().content else { panic!("on disk") };
            let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
            reader.metadata().file_metadata().num_rows()
        })
        .sum()
}

/// The engine snippets of the menu for one target, as cases for the Python checker.
fn cases(name: &str, target: &S3Uri, access: &Access, tabular: Tabular, run: Option<(i64, &[&str])>) -> Vec<Value> {
    let menu = formats_with(std::slice::from_ref(target), &|_| access.clone(), Some(tabular));
    let patch = access.endpoint.is_none();
    let mut out = Vec::new();
    for format in menu {
        let case = match format.label.as_str() {
            "Python (lsdb)" => json!({"kind": "python"}),
            "Python (pyarrow)" => match run {
                Some((rows, columns)) => {
                    json!({"kind": "python", "run": true, "patch_endpoint": patch, "rows": rows, "columns": columns})
                }
                None => json!({"kind": "python"}),
            },
            "DuckDB SQL" => {
                let glob = format.text.split("read_parquet('").nth(1).and_then(|r| r.split('\'').next()).unwrap();
                json!({"kind": "sql", "glob": glob})
            }
            _ => continue,
        };
        let mut case = case;
        case["name"] = json!(format!("{name}: {}", format.label));
        case["text"] = json!(format.text);
        out.push(case);
    }
    out
}

#[test]
#[ignore = "needs Python with pyarrow and sqlglot (.ci/run sets S3SCOPE_PYTHON)"]
fn engine_snippets_parse_and_read_the_demo_rows() {
    let fixture = fixture();
    let catalog_rows: usize = EUCLID_PARTITIONS.iter().map(|p| p.2).sum();
    let euclid = access(EUCLID_BUCKET, None);
    let wise = access(WISE, None);
    assert_eq!(wise.region, "us-west-2", "the WISE bucket's own region");
    let catalog = S3Uri::new(EUCLID_BUCKET, format!("{EUCLID_HATS}{EUCLID_CATALOG}/"));
    let collection = S3Uri::new(EUCLID_BUCKET, EUCLID_HATS);
    let catalog_columns: &[&str] = &["object_id", "right_ascension", "flux_vis_psf", "Norder", "Dir"];
    let neowise_columns: &[&str] = &["source_id", "ra", "w1mpro", "healpix_k0", "healpix_k5"];
    let mut all = Vec::new();
    all.extend(cases("catalog", &catalog, &euclid, Tabular::Hats, Some((catalog_rows as i64, catalog_columns))));
    let primary = Tabular::Collection(Some(EUCLID_CATALOG.into()));
    all.extend(cases("collection", &collection, &euclid, primary, Some((catalog_rows as i64, catalog_columns))));
    let neowise_rows = rows_below(WISE, NEOWISE);
    assert!(neowise_rows > 0);
    let dataset = S3Uri::new(WISE, NEOWISE);
    all.extend(cases("hive dataset", &dataset, &wise, Tabular::Dataset, Some((neowise_rows, neowise_columns))));
    // On the demo server the menu's own snippet names the endpoint: it runs as copied.
    let demo = access("nasa-irsa-simulations", Some(&fixture.endpoint));
    let file = S3Uri::new("nasa-irsa-simulations", TRUTH_CATALOG_KEY);
    all.extend(cases("file via the demo endpoint", &file, &demo, Tabular::ParquetFile, Some((2000, &["galaxy_id"]))));
    assert_eq!(all.len(), 10, "lsdb for the two HATS targets, pyarrow and DuckDB for all four");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.json");
    std::fs::write(&path, serde_json::to_vec(&all).unwrap()).unwrap();
    let python = std::env::var("S3SCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/engine_snippets.py");
    let output = Command::new(python).arg(script).arg(&path).arg(&fixture.endpoint).output().expect("run Python");
    let text = String::from_utf8_lossy(&output.stdout);
    println!("{text}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{text}");
    assert!(text.contains("snippets: 10 passed, 0 failed"), "{text}");
}
