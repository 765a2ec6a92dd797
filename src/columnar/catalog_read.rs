//! Reading a catalog prefix's summary from its small files, never by listing
//! its keys: one level of listing (unless the caller has it), then the
//! properties, `partition_info.csv` and a `_common_metadata` footer, read
//! concurrently. At most [`MAX_REQUESTS`] requests whatever the number of
//! partitions. IO goes through [`Store`].

use std::future::Future;
use std::sync::Arc;

use parquet::file::metadata::ParquetMetaData;

use super::ColumnarError;
use super::dataset::{CollectionSummary, DatasetFiles, Layout, OrderCount, Summary, detect};
use super::describe::describe;
use super::footer::{decode, footer_length};
use super::hats::{Partitions, Properties, catalog_info, collection_info, partition_info};
use crate::fits::reader::RangeSource;
use crate::s3::list::{Entry, Page};

/// Requests a summary may cost.
pub const MAX_REQUESTS: u64 = 4;
/// A properties file is read up to this size.
const PROPERTIES_MAX: u64 = 1 << 20;
/// `partition_info.csv` is read up to this size (about a million partitions).
const PARTITION_INFO_MAX: u64 = 16 << 20;
/// A `_common_metadata` file is all footer: read whole, in one request, up to this size.
const COMMON_TAIL: u64 = 8 << 20;
/// The first read of other footers (`_metadata`, a data file).
const FOOTER_TAIL: u64 = 64 << 10;

/// Where the summary's bytes come from: a bucket, or memory in tests.
pub trait Store: Sync {
    /// The first page of a delimiter listing of `prefix`.
    fn list(&self, prefix: &str) -> impl Future<Output = Result<Page, String>> + Send;
    /// The first `max` bytes of `key`.
    fn get(&self, key: &str, max: u64) -> impl Future<Output = Result<Vec<u8>, String>> + Send;
    /// The decoded footer of the Parquet file `key`, its last `tail` bytes read first.
    fn footer(&self, key: &str, tail: u64) -> impl Future<Output = Result<Arc<ParquetMetaData>, ColumnarError>> + Send;
    /// Requests made and body bytes received so far.
    fn cost(&self) -> (u64, u64);
}

/// Why a prefix has no summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryError {
    /// Neither a HATS catalog nor a dataset.
    Neither(String),
    /// The network or the server failed.
    Source(String),
    /// Its files are not what they should be.
    Invalid(String),
}

impl std::fmt::Display for SummaryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SummaryError::Neither(why) | SummaryError::Source(why) | SummaryError::Invalid(why) => f.write_str(why),
        }
    }
}

/// One level of a prefix, as listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub entries: Vec<Entry>,
    pub truncated: bool,
}

/// Reads the footer of a Parquet file over `source`: the last `tail` bytes,
/// then the rest of the footer only when it is longer.
pub async fn footer_with_tail<S: RangeSource>(source: &mut S, tail: u64) -> Result<ParquetMetaData, ColumnarError> {
    let (start, bytes) = source.read_tail(tail).await.map_err(|e| ColumnarError::Source(e.0))?;
    let size = start + bytes.len() as u64;
    let length = footer_length(&bytes, size)?;
    let needed = (length + 8) as usize;
    let footer = if needed <= bytes.len() {
        bytes[bytes.len() - needed..bytes.len() - 8].to_vec()
    } else {
        let missing = (needed - bytes.len()) as u64;
        let mut front = source.read(size - needed as u64, missing).await.map_err(|e| ColumnarError::Source(e.0))?;
        if front.len() as u64 != missing {
            return Err(ColumnarError::Source(format!("the file ended early: {} of {missing} bytes", front.len())));
        }
        front.extend_from_slice(&bytes[..bytes.len() - 8]);
        front
    };
    decode(&footer)
}

/// What `prefix` (a key ending in `/`, or "" for a bucket's root) holds, summarised.
/// `known`: its listing when the caller already has it (saves a request).
pub async fn summarise<S: Store>(
    store: &S,
    uri: &str,
    prefix: &str,
    known: Option<Listing>,
) -> Result<Summary, SummaryError> {
    let listing = match known {
        Some(listing) => listing,
        None => {
            let page = store.list(prefix).await.map_err(SummaryError::Source)?;
            Listing { truncated: page.next_token.is_some(), entries: page.entries }
        }
    };
    let layout = detect(prefix, &listing.entries, listing.truncated);
    let mut summary = match &layout {
        Layout::Neither => {
            return Err(SummaryError::Neither(
                "neither a HATS catalog nor a hive-partitioned Parquet dataset (no hats.properties, \
                 collection.properties, _common_metadata, _metadata or key=value/ partitions in it)"
                    .into(),
            ));
        }
        Layout::Collection => collection(store, prefix).await?,
        Layout::Hats { properties, partition_info, dataset } => {
            let parts = Parts { properties, partition_info: *partition_info, columns: *dataset };
            catalog(store, prefix, parts).await?
        }
        Layout::Dataset(files) => dataset(store, prefix, files).await,
    };
    summary.uri = uri.to_string();
    summary.format = layout.format().unwrap_or_default();
    (summary.requests, summary.bytes_read) = store.cost();
    Ok(summary)
}

/// Which of a catalog's files to read.
struct Parts<'a> {
    properties: &'a str,
    partition_info: bool,
    columns: bool,
}

/// A HATS catalog at `base`: its properties, partitions and columns, read concurrently.
async fn catalog<S: Store>(store: &S, base: &str, parts: Parts<'_>) -> Result<Summary, SummaryError> {
    let properties_key = format!("{base}{}", parts.properties);
    let csv_key = format!("{base}partition_info.csv");
    let common_key = format!("{base}dataset/_common_metadata");
    let (properties, csv, footer) = futures::join!(
        store.get(&properties_key, PROPERTIES_MAX),
        async { if parts.partition_info { Some(store.get(&csv_key, PARTITION_INFO_MAX).await) } else { None } },
        async { if parts.columns { Some(store.footer(&common_key, COMMON_TAIL).await) } else { None } },
    );
    let properties = properties.map_err(|why| SummaryError::Source(format!("reading {}: {why}", parts.properties)))?;
    let properties = Properties::parse(&String::from_utf8_lossy(&properties));
    let info =
        catalog_info(&properties).map_err(|why| SummaryError::Invalid(format!("{}: {why}", parts.properties)))?;
    let mut summary = Summary {
        name: info.name,
        kind: info.kind,
        rows: info.rows,
        ra_column: info.ra_column,
        dec_column: info.dec_column,
        primary: info.primary,
        index_column: info.index_column,
        properties: properties.map(),
        warnings: info.warnings,
        ..Summary::default()
    };
    match csv {
        Some(Ok(bytes)) => match partition_info(&String::from_utf8_lossy(&bytes)) {
            Ok(partitions) => add_partitions(&mut summary, partitions, bytes.len() as u64 >= PARTITION_INFO_MAX),
            Err(why) => summary.warnings.push(why),
        },
        Some(Err(why)) => summary.warnings.push(format!("reading partition_info.csv: {why}")),
        None if summary.kind.as_deref() != Some("index") => summary.warnings.push("no partition_info.csv".into()),
        None => {}
    }
    match footer {
        Some(Ok(metadata)) => {
            summary.columns = describe(&metadata, None).columns;
            summary.columns_from = Some("dataset/_common_metadata".into());
        }
        Some(Err(why)) => summary.warnings.push(format!("reading dataset/_common_metadata: {why}")),
        None => {}
    }
    Ok(summary)
}

fn add_partitions(summary: &mut Summary, partitions: Partitions, cut: bool) {
    summary.orders = partitions.orders.iter().map(|(&order, &count)| OrderCount { order, partitions: count }).collect();
    summary.partitions = Some(partitions.total);
    summary.partitions_truncated = cut;
    if summary.rows.is_none() {
        summary.rows = partitions.rows;
    }
    summary.warnings.extend(partitions.warnings);
}

/// A collection: its properties, then its primary catalog's files, within the budget.
async fn collection<S: Store>(store: &S, base: &str) -> Result<Summary, SummaryError> {
    let bytes = store
        .get(&format!("{base}collection.properties"), PROPERTIES_MAX)
        .await
        .map_err(|why| SummaryError::Source(format!("reading collection.properties: {why}")))?;
    let properties = Properties::parse(&String::from_utf8_lossy(&bytes));
    let info =
        collection_info(&properties).map_err(|why| SummaryError::Invalid(format!("collection.properties: {why}")))?;
    // A primary elsewhere (a URL, an absolute or upward path) is named, not read.
    let inside = !info.primary.contains("://") && !info.primary.starts_with('/');
    let mut summary = if inside && !info.primary.split('/').any(|part| part == "..") {
        primary_catalog(store, base, &info.primary).await
    } else {
        let why = format!("the primary catalog {} is not in the collection: not read", info.primary);
        Summary { warnings: vec![why], ..Summary::default() }
    };
    summary.name = info.name.clone().or(summary.name);
    summary.kind = Some("collection".into());
    summary.properties = properties.map();
    summary.warnings.extend(info.warnings.iter().cloned());
    summary.collection = Some(CollectionSummary {
        primary: info.primary,
        margins: info.margins,
        default_margin: info.default_margin,
        indexes: info.indexes.into_iter().collect(),
        default_index: info.default_index,
    });
    Ok(summary)
}

/// A collection's primary catalog: its columns only when the budget allows three more requests.
async fn primary_catalog<S: Store>(store: &S, base: &str, primary: &str) -> Summary {
    let left = MAX_REQUESTS.saturating_sub(store.cost().0);
    let parts = Parts { properties: "hats.properties", partition_info: left >= 2, columns: left >= 3 };
    let primary = primary.trim_end_matches('/');
    match catalog(store, &format!("{base}{primary}/"), parts).await {
        Ok(mut catalog) => {
            catalog.warnings = catalog.warnings.into_iter().map(|w| format!("{primary}: {w}")).collect();
            if left < 3 {
                catalog.warnings.push(format!("columns: see the catalog {primary}/"));
            }
            catalog
        }
        Err(why) => Summary { warnings: vec![format!("catalog {primary}: {why}")], ..Summary::default() },
    }
}

/// A hive dataset: its first level of partitions (from the listing) and the
/// columns of its `_common_metadata`, else `_metadata`, else one data file.
async fn dataset<S: Store>(store: &S, base: &str, files: &DatasetFiles) -> Summary {
    let mut summary = Summary {
        partitions: Some(files.partitions.len() as u64),
        partitions_truncated: files.truncated,
        ..Summary::default()
    };
    let mut keys: Vec<String> =
        files.partitions.iter().filter_map(|p| p.split_once('=')).map(|(k, _)| k.into()).collect();
    keys.dedup();
    summary.partitioning = keys;
    let (key, tail) = match (&files.common, &files.metadata, &files.file) {
        (Some(common), ..) => (Some(common.key.clone()), COMMON_TAIL),
        (None, Some(metadata), _) => (Some(metadata.key.clone()), FOOTER_TAIL),
        (None, None, Some(file)) => (Some(file.key.clone()), FOOTER_TAIL),
        (None, None, None) => (first_file(store, base, files).await, FOOTER_TAIL * 4),
    };
    let Some(key) = key else {
        summary.warnings.push("no _common_metadata, _metadata or Parquet file found for the columns".into());
        return summary;
    };
    let relative = key.strip_prefix(base).unwrap_or(&key).to_string();
    match store.footer(&key, tail).await {
        Ok(metadata) => {
            let description = describe(&metadata, None);
            summary.columns = description.columns;
            // `_metadata` holds every file's row groups: its rows are the dataset's.
            if files.common.is_none() && files.metadata.is_some() {
                summary.rows = u64::try_from(description.rows).ok();
            }
            summary.columns_from = Some(relative);
        }
        Err(why) => summary.warnings.push(format!("reading {relative}: {why}")),
    }
    summary
}

/// The first Parquet file down the first partitions, listing one level at a
/// time while the budget leaves a request for its footer.
async fn first_file<S: Store>(store: &S, base: &str, files: &DatasetFiles) -> Option<String> {
    let mut prefix = format!("{base}{}/", files.partitions.first()?);
    while store.cost().0 + 1 < MAX_REQUESTS {
        let page = store.list(&prefix).await.ok()?;
        let parquet = page.entries.iter().find_map(|e| match e {
            Entry::Object(o) if o.key.ends_with(".parquet") => Some(o.key.clone()),
            _ => None,
        });
        if parquet.is_some() {
            return parquet;
        }
        prefix = page.entries.iter().find_map(|e| match e {
            Entry::Prefix(p) => Some(p.clone()),
            _ => None,
        })?;
    }
    None
}
