//! A prefix holding a HATS catalog or a hive dataset: the preview reads its
//! summary (known from the listed children, nothing more listed), draws it at
//! 80x24, and the copy menu offers the engines' snippets.

use super::action::{Intent, Report};
use super::catalog_preview::as_preview;
use super::effect::Effect;
use super::mode::Mode;
use super::test_support::{Harness, screen_text};
use crate::columnar::dataset::{OrderCount, Summary};
use crate::columnar::describe::Column;
use crate::demo::store::StoredObject;
use crate::s3::S3Uri;

const BUCKET: &str = "nasa-irsa-euclid-q1";
const CATALOG: &str = "hats/objects/";

fn harness(width: u16, height: u16) -> Harness {
    let mut h = Harness::with_buckets(width, height, vec![(BUCKET.to_string(), Some("IRSA".to_string()))]);
    let store = &mut h.server.store;
    store.add_bucket(BUCKET, true);
    for key in [
        "hats/objects/hats.properties",
        "hats/objects/partition_info.csv",
        "hats/objects/dataset/_common_metadata",
        "hats/objects/dataset/Norder=2/Dir=0/Npix=50.parquet",
        "wise/ds.parquet/_common_metadata",
        "wise/ds.parquet/healpix_k0=0/part0.parquet",
        "plain/readme.txt",
        "plain/sub/a.fits",
    ] {
        store.put(BUCKET, key, StoredObject::in_memory(vec![1u8; 10], 0));
    }
    h
}

fn open(h: &mut Harness, key: &str) {
    let effects = h.state.jump_to(S3Uri::new(BUCKET, key));
    h.pending.extend(effects);
    h.settle();
}

fn summary_request(h: &Harness) -> Option<(u64, String, usize)> {
    h.pending.iter().rev().find_map(|e| match e {
        Effect::SummarisePrefix { request, prefix, listing, .. } => {
            Some((*request, prefix.clone(), listing.entries.len()))
        }
        _ => None,
    })
}

fn summary() -> Summary {
    Summary {
        uri: format!("s3://{BUCKET}/{CATALOG}"),
        format: "hats",
        requests: 3,
        bytes_read: 2100,
        name: Some("objects\x1b[31m".into()),
        kind: Some("object".into()),
        rows: Some(30_000_000),
        orders: vec![OrderCount { order: 5, partitions: 1200 }, OrderCount { order: 6, partitions: 400 }],
        partitions: Some(1600),
        ra_column: Some("right_ascension".into()),
        dec_column: Some("declination".into()),
        columns: (0..40)
            .map(|i| Column {
                name: format!("flux_{i}"),
                physical: "FLOAT".into(),
                logical: None,
                nullable: true,
                unit: Some("uJy".into()),
                description: Some("A flux\x07".into()),
            })
            .collect(),
        columns_from: Some("dataset/_common_metadata".into()),
        ..Summary::default()
    }
}

#[test]
fn a_catalog_prefix_is_summarised_from_its_listed_children() {
    let mut h = harness(80, 24);
    open(&mut h, CATALOG);
    assert_eq!(h.selected_uri(), format!("s3://{BUCKET}/{CATALOG}"));
    let (request, prefix, entries) = summary_request(&h).expect("a summary is read");
    assert_eq!((prefix.as_str(), entries), (CATALOG, 3), "the children as listed: no listing of its own");
    let node = h.state.selected_node().unwrap();
    h.keys(&[Intent::NextPane]);
    assert!(screen_text(&h).contains("reading the catalog's small files"), "{}", screen_text(&h));
    h.act(Report::Previewed { request, node, result: Ok(std::sync::Arc::new(as_preview(&summary()))) });
    let screen = screen_text(&h);
    assert!(screen.contains("HATS catalog objects\\e[31m (object)"), "{screen}");
    assert!(screen.contains("rows: 30,000,000"));
    assert!(screen.contains("partitions: 1600 at HEALPix order 5 (1200), 6 (400)"), "{screen}");
    assert!(screen.contains("RA, Dec: right_ascension, declination"));
    assert!(screen.contains("flux_0") && screen.contains("uJy"));
    assert!(screen.contains("3 requests, 2100 bytes read"), "the cost line stays on screen: {screen}");
    assert!(screen.contains("more lines"));
    assert!(!screen.contains('\x1b') && !screen.contains('\x07'));
    // The preview scrolls through the columns.
    h.keys(&[Intent::Last]);
    assert!(screen_text(&h).contains("flux_39"));
}

#[test]
fn a_hive_dataset_is_a_catalog_too_and_other_prefixes_are_not() {
    let mut h = harness(120, 40);
    open(&mut h, "wise/ds.parquet/");
    assert_eq!(summary_request(&h).map(|s| s.1), Some("wise/ds.parquet/".to_string()));
    h.pending.clear();
    open(&mut h, "plain/");
    assert_eq!(summary_request(&h), None);
    assert!(screen_text(&h).contains("Listing"), "the usual prefix facts");
}

#[test]
fn moving_away_cancels_the_summary() {
    let mut h = harness(120, 40);
    open(&mut h, CATALOG);
    let (request, ..) = summary_request(&h).unwrap();
    h.keys(&[Intent::Down]);
    assert!(h.cancelled.contains(&request));
    assert_eq!(summary_request(&h), None);
}

#[test]
fn the_copy_menu_offers_the_engines_on_a_catalog_in_its_region() {
    let mut h = harness(120, 40);
    open(&mut h, CATALOG);
    h.keys(&[Intent::CopyMenu]);
    let Mode::CopyMenu(menu) = &h.state.mode else { panic!("menu open: {:?}", h.state.mode) };
    let labels: Vec<&str> = menu.formats.iter().map(|f| f.label.as_str()).collect();
    assert!(labels.contains(&"Python (lsdb)") && labels.contains(&"DuckDB SQL"), "{labels:?}");
    let pyarrow = &menu.formats.iter().find(|f| f.label == "Python (pyarrow)").unwrap().text;
    assert!(pyarrow.contains(&format!("\"{BUCKET}/hats/objects/dataset\"")), "{pyarrow}");
    // The catalog knows the Euclid bucket is in us-east-1.
    assert!(pyarrow.contains("region=\"us-east-1\""), "{pyarrow}");
    h.keys(&[Intent::Escape]);
    // A dataset directory named so, not listed yet.
    open(&mut h, "wise/");
    assert_eq!(h.selected_uri(), format!("s3://{BUCKET}/wise/"));
    h.keys(&[Intent::Down, Intent::CopyMenu]);
    assert_eq!(h.selected_uri(), format!("s3://{BUCKET}/wise/ds.parquet/"));
    let Mode::CopyMenu(menu) = &h.state.mode else { panic!("menu open") };
    let sql = &menu.formats.iter().find(|f| f.label == "DuckDB SQL").expect("DuckDB on a .parquet/ prefix").text;
    assert!(sql.contains("read_parquet('s3://nasa-irsa-euclid-q1/wise/ds.parquet/**/*.parquet', hive_partitioning"));
    h.keys(&[Intent::Escape]);
    open(&mut h, "plain/");
    h.keys(&[Intent::CopyMenu]);
    let Mode::CopyMenu(menu) = &h.state.mode else { panic!("menu open") };
    assert!(menu.formats.iter().all(|f| f.label != "DuckDB SQL"));
}
