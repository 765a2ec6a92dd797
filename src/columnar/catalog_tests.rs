//! Catalog summaries over an in-memory store: what is found, and what it costs.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arrow_schema::{DataType, Field, Schema};
use futures::executor::block_on;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::ParquetMetaData;

use super::ColumnarError;
use super::catalog_read::{Listing, MAX_REQUESTS, Store, SummaryError, footer_with_tail, summarise};
use crate::fits::tests::Memory;
use crate::s3::list::{Entry, ObjectInfo, Page};

/// Keys in memory; every call counts as one request (a footer as the reads it takes).
#[derive(Default)]
struct MemoryStore {
    objects: BTreeMap<String, Vec<u8>>,
    requests: AtomicU64,
    bytes: AtomicU64,
    asked: Mutex<Vec<String>>,
}

impl MemoryStore {
    fn with(files: &[(&str, Vec<u8>)]) -> Self {
        let mut store = Self::default();
        for (key, data) in files {
            store.objects.insert(key.to_string(), data.clone());
        }
        store
    }

    fn asked(&self, what: String) {
        self.asked.lock().unwrap().push(what);
    }
}

impl Store for MemoryStore {
    async fn list(&self, prefix: &str) -> Result<Page, String> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.asked(format!("list {prefix}"));
        let mut entries: Vec<Entry> = Vec::new();
        for (key, data) in self.objects.range(prefix.to_string()..).take_while(|(k, _)| k.starts_with(prefix)) {
            let rest = &key[prefix.len()..];
            let entry = match rest.find('/') {
                Some(at) => Entry::Prefix(format!("{prefix}{}", &rest[..=at])),
                None => Entry::Object(ObjectInfo {
                    key: key.clone(),
                    size: data.len() as u64,
                    last_modified: None,
                    etag: None,
                    storage_class: None,
                }),
            };
            if entries.last() != Some(&entry) {
                entries.push(entry);
            }
        }
        Ok(Page { entries, next_token: None })
    }

    async fn get(&self, key: &str, max: u64) -> Result<Vec<u8>, String> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.asked(format!("get {key}"));
        let data = self.objects.get(key).ok_or("NoSuchKey")?;
        let data = data[..data.len().min(max as usize)].to_vec();
        self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        Ok(data)
    }

    async fn footer(&self, key: &str, tail: u64) -> Result<Arc<ParquetMetaData>, ColumnarError> {
        self.asked(format!("footer {key}"));
        let Some(data) = self.objects.get(key) else {
            self.requests.fetch_add(1, Ordering::Relaxed);
            return Err(ColumnarError::Source("NoSuchKey".into()));
        };
        let mut source = Memory::new(data.clone());
        let footer = footer_with_tail(&mut source, tail).await;
        self.requests.fetch_add(source.round_trips as u64, Ordering::Relaxed);
        self.bytes.fetch_add(source.bytes_read(), Ordering::Relaxed);
        footer.map(Arc::new)
    }

    fn cost(&self) -> (u64, u64) {
        (self.requests.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }
}

/// A footer-only Parquet file of ra, dec (deg) and a magnitude.
fn common_metadata(extra_columns: usize) -> Vec<u8> {
    let field = |name: &str, unit: &str, what: &str| {
        let metadata = HashMap::from([("unit".to_string(), unit.to_string()), ("description".into(), what.into())]);
        Field::new(name, DataType::Float64, false).with_metadata(metadata)
    };
    let mut fields = vec![field("ra", "deg", "Right ascension"), field("dec", "deg", "Declination")];
    fields.extend((0..extra_columns).map(|i| field(&format!("flux_{i:04}"), "uJy", "A flux with a long description")));
    let mut out = Vec::new();
    let writer = ArrowWriter::try_new(&mut out, Arc::new(Schema::new(fields)), None).unwrap();
    writer.close().unwrap();
    out
}

const PROPERTIES: &str = "#HATS catalog\nobs_collection=objects\ndataproduct_type=object\nhats_nrows=5000\n\
                          hats_col_ra=ra\nhats_col_dec=dec\nhats_order=2\n";

fn catalog_files(base: &str, partitions: usize) -> Vec<(String, Vec<u8>)> {
    let mut csv = String::from("Norder,Npix\n");
    for i in 0..partitions {
        csv.push_str(&format!("{},{}\n", 8 + i % 2, i));
    }
    let mut files = vec![
        (format!("{base}hats.properties"), PROPERTIES.as_bytes().to_vec()),
        (format!("{base}partition_info.csv"), csv.into_bytes()),
        (format!("{base}dataset/_common_metadata"), common_metadata(3)),
    ];
    for i in 0..partitions.min(50) {
        files.push((format!("{base}dataset/Norder={}/Dir=0/Npix={i}.parquet", 1 + i % 2), b"PAR1".to_vec()));
    }
    files
}

fn store_of(files: Vec<(String, Vec<u8>)>) -> MemoryStore {
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    MemoryStore::with(&refs)
}

#[test]
fn a_catalog_in_four_requests_whatever_its_partitions() {
    for partitions in [3, 40_000] {
        let store = store_of(catalog_files("cat/", partitions));
        let summary = block_on(summarise(&store, "s3://b/cat/", "cat/", None)).unwrap();
        assert_eq!(summary.format, "hats");
        assert_eq!(summary.requests, 4, "{:?}", store.asked.lock().unwrap());
        assert_eq!(summary.partitions, Some(partitions as u64));
        assert_eq!(summary.orders.iter().map(|o| o.partitions).sum::<u64>(), partitions as u64);
        assert_eq!(summary.rows, Some(5000));
        assert_eq!(summary.ra_column.as_deref(), Some("ra"));
        let names: Vec<&str> = summary.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ra", "dec", "flux_0000", "flux_0001", "flux_0002"]);
        assert_eq!(summary.columns[0].unit.as_deref(), Some("deg"));
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        // The partitions' own keys are never listed.
        assert!(store.asked.lock().unwrap().iter().all(|a| !a.contains("Norder=")));
    }
}

#[test]
fn a_known_listing_saves_a_request_and_a_large_footer_still_takes_one() {
    let store = store_of(catalog_files("cat/", 10));
    let listing = block_on(store.list("cat/")).unwrap();
    store.requests.store(0, Ordering::Relaxed);
    let known = Listing { entries: listing.entries, truncated: false };
    let summary = block_on(summarise(&store, "s3://b/cat/", "cat/", Some(known))).unwrap();
    assert_eq!(summary.requests, 3);
    // A `_common_metadata` over 64 KiB is read whole in one request.
    let mut files = catalog_files("big/", 4);
    files[2].1 = common_metadata(2000);
    assert!(files[2].1.len() > 64 << 10);
    let store = store_of(files);
    let summary = block_on(summarise(&store, "s3://b/big/", "big/", None)).unwrap();
    assert_eq!((summary.requests, summary.columns.len()), (4, 2002));
}

#[test]
fn a_collection_lists_its_members_within_the_budget() {
    let mut files = catalog_files("col/objects/", 6);
    files.push((
        "col/collection.properties".into(),
        b"obs_collection=q1\nhats_primary_table_url=objects\nall_margins=objects_5arcs\n\
          default_margin=objects_5arcs\nall_indexes=object_id objects_id_index\n"
            .to_vec(),
    ));
    files.push(("col/objects_5arcs/hats.properties".into(), b"obs_collection=m\ndataproduct_type=margin\n".to_vec()));
    let store = store_of(files);
    let summary = block_on(summarise(&store, "s3://b/col/", "col/", None)).unwrap();
    assert_eq!(summary.format, "hats-collection");
    assert!(summary.requests <= MAX_REQUESTS);
    assert_eq!(summary.name.as_deref(), Some("q1"));
    assert_eq!((summary.rows, summary.partitions), (Some(5000), Some(6)));
    let collection = summary.collection.unwrap();
    assert_eq!(collection.primary, "objects");
    assert_eq!(collection.margins, ["objects_5arcs"]);
    assert_eq!(collection.indexes.get("object_id").map(String::as_str), Some("objects_id_index"));
    assert!(summary.columns.is_empty() && summary.warnings.iter().any(|w| w.contains("columns: see the catalog")));
}

#[test]
fn a_primary_catalog_outside_the_collection_is_named_not_read() {
    for primary in ["s3://elsewhere/objects", "/abs/objects", "../objects"] {
        let properties = format!("obs_collection=q1\nhats_primary_table_url={primary}\n");
        let store = MemoryStore::with(&[("col/collection.properties", properties.into_bytes())]);
        let summary = block_on(summarise(&store, "s3://b/col/", "col/", None)).unwrap();
        assert_eq!(summary.requests, 2, "{primary}: the listing and the properties only");
        assert!(summary.warnings[0].contains("is not in the collection"), "{:?}", summary.warnings);
        assert_eq!(summary.collection.unwrap().primary, primary);
    }
}

#[test]
fn a_hive_dataset_from_its_common_metadata_and_first_level() {
    let mut files: Vec<(String, Vec<u8>)> = vec![("ds/_common_metadata".into(), common_metadata(1))];
    for k in 0..12 {
        files.push((format!("ds/healpix_k0={k}/healpix_k5={}/part0.parquet", k * 1024), b"PAR1".to_vec()));
    }
    let store = store_of(files.clone());
    let summary = block_on(summarise(&store, "s3://b/ds/", "ds/", None)).unwrap();
    assert_eq!(summary.format, "parquet-dataset");
    assert_eq!((summary.requests, summary.partitions), (2, Some(12)));
    assert_eq!(summary.partitioning, ["healpix_k0"]);
    assert_eq!(summary.columns.len(), 3);
    // Without side files, the columns come from the first data file found down the first partition.
    files[0] = ("ds/healpix_k0=0/healpix_k5=0/part0.parquet".into(), common_metadata(0));
    files.remove(1);
    let store = store_of(files);
    let summary = block_on(summarise(&store, "s3://b/ds/", "ds/", None)).unwrap();
    assert!(summary.requests <= MAX_REQUESTS, "{:?}", store.asked.lock().unwrap());
    assert_eq!(summary.columns_from.as_deref(), Some("healpix_k0=0/healpix_k5=0/part0.parquet"));
}

#[test]
fn neither_and_broken_catalogs() {
    let store = MemoryStore::with(&[("p/a.fits", vec![1]), ("p/sub/b.fits", vec![2])]);
    let err = block_on(summarise(&store, "s3://b/p/", "p/", None)).unwrap_err();
    assert!(matches!(&err, SummaryError::Neither(why) if why.contains("neither a HATS catalog")), "{err}");
    let store = MemoryStore::with(&[("c/hats.properties", b"hello\n".to_vec()), ("c/partition_info.csv", vec![])]);
    let err = block_on(summarise(&store, "s3://b/c/", "c/", None)).unwrap_err();
    assert!(matches!(&err, SummaryError::Invalid(why) if why.contains("names no catalog")), "{err}");
    // Garbage beside good properties: warnings, not failures.
    let mut files = catalog_files("g/", 2);
    files[1].1 = b"Norder,Npix\n1,0\nnot a line\n".to_vec();
    files[2].1 = b"PAR1 garbage PAR1".to_vec();
    let summary = block_on(summarise(&store_of(files), "s3://b/g/", "g/", None)).unwrap();
    assert_eq!(summary.partitions, Some(1));
    assert!(summary.warnings.iter().any(|w| w.contains("1 line without a valid order")), "{:?}", summary.warnings);
    assert!(summary.warnings.iter().any(|w| w.starts_with("reading dataset/_common_metadata")));
}
