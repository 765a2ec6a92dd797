//! Parquet files, datasets and HATS catalogs, read from their footers and
//! small side files with range requests; rows from the column chunks they
//! need. IO goes through [`crate::fits::reader::RangeSource`].

pub mod catalog_read;
#[cfg(test)]
mod catalog_tests;
pub mod dataset;
pub mod describe;
pub mod footer;
pub mod hats;
pub mod rows;
pub mod summary;
pub mod values;

/// A failed Parquet read, already phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnarError {
    /// The network or the server failed.
    Source(String),
    /// The bytes are not (good) Parquet.
    Invalid(String),
}

impl std::fmt::Display for ColumnarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnarError::Source(why) | ColumnarError::Invalid(why) => f.write_str(why),
        }
    }
}
