//! A bucket as the [`Store`] a catalog summary reads from: listings and
//! ranged GETs, counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parquet::file::metadata::ParquetMetaData;

use super::clients::BucketClient;
use super::list::{ListRequest, Page, fetch_page};
use super::range::S3RangeSource;
use crate::columnar::ColumnarError;
use crate::columnar::catalog_read::{Store, footer_with_tail};
use crate::fits::reader::RangeSource;

pub struct BucketStore {
    bucket: BucketClient,
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl BucketStore {
    pub fn new(bucket: BucketClient) -> Self {
        Self { bucket, requests: AtomicU64::new(0), bytes: AtomicU64::new(0) }
    }

    fn count(&self, source: &S3RangeSource) {
        self.requests.fetch_add(source.requests, Ordering::Relaxed);
        self.bytes.fetch_add(source.bytes_read, Ordering::Relaxed);
    }
}

impl Store for BucketStore {
    async fn list(&self, prefix: &str) -> Result<Page, String> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        fetch_page(&self.bucket, &ListRequest::level(prefix)).await.map_err(|e| e.message)
    }

    async fn get(&self, key: &str, max: u64) -> Result<Vec<u8>, String> {
        let mut source = S3RangeSource::new(self.bucket.clone(), key, None, None);
        let read = source.read(0, max).await;
        self.count(&source);
        read.map_err(|e| e.0)
    }

    async fn footer(&self, key: &str, tail: u64) -> Result<Arc<ParquetMetaData>, ColumnarError> {
        let mut source = S3RangeSource::new(self.bucket.clone(), key, None, None);
        let footer = footer_with_tail(&mut source, tail).await;
        self.count(&source);
        footer.map(Arc::new)
    }

    fn cost(&self) -> (u64, u64) {
        (self.requests.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }
}
