//! Opening a Parquet object for `header` and `table`: its footer, read from
//! the end of the file with at most two range requests.

use crate::columnar::ColumnarError;
pub use crate::columnar::footer::parquet_by_name;
use arrow_schema::Schema;

use crate::columnar::footer::{Footer, read_footer};
use crate::error::AppError;
use crate::preview::dataset_notes;
use crate::s3::range::S3RangeSource;
use crate::s3::{Clients, S3Uri};

pub struct ParquetObject {
    pub uri: S3Uri,
    pub source: S3RangeSource,
    pub footer: Footer,
    /// The dataset's `_common_metadata` schema, read when the file's own
    /// fields have no units or descriptions.
    pub common: Option<Schema>,
    /// Requests and bytes of that read.
    extra: (u64, u64),
}

impl ParquetObject {
    pub async fn open(uri: &S3Uri, clients: &Clients) -> Result<Self, AppError> {
        let source = S3RangeSource::new(clients.bucket(&uri.bucket), &uri.key, None, None);
        Self::from_source(uri, source).await
    }

    /// Reads the footer through a source that may already have read the head.
    pub async fn from_source(uri: &S3Uri, mut source: S3RangeSource) -> Result<Self, AppError> {
        let footer = read_footer(&mut source).await.map_err(|e| footer_error(uri, e))?;
        let (common, extra) = dataset_notes(&source, &uri.key, &footer).await;
        Ok(Self { uri: uri.clone(), source, footer, common, extra })
    }

    /// GET requests made, the dataset's `_common_metadata` included.
    pub fn requests(&self) -> u64 {
        self.source.requests + self.extra.0
    }

    /// Body bytes received, the dataset's `_common_metadata` included.
    pub fn bytes_read(&self) -> u64 {
        self.source.bytes_read + self.extra.1
    }
}

/// A failed Parquet read as the command's error (1 for the network, 2 for bad bytes).
pub fn columnar_error(context: String, error: ColumnarError) -> AppError {
    match error {
        ColumnarError::Source(why) => AppError::runtime(context, why),
        ColumnarError::Invalid(why) => AppError::input(context, why),
    }
}

fn footer_error(uri: &S3Uri, error: ColumnarError) -> AppError {
    columnar_error(format!("reading the Parquet footer of {uri}"), error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_names() {
        for key in ["a/part0.snappy.parquet", "x.PARQUET", "d/_metadata", "d/_common_metadata", "f.parq"] {
            assert!(parquet_by_name(key), "{key}");
        }
        for key in ["a.fits", "parquet/readme.txt", "x_metadata.json"] {
            assert!(!parquet_by_name(key), "{key}");
        }
    }
}
