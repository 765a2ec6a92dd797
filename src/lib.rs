//! s3scope: a terminal explorer for S3 buckets, made for the NASA archives.
//! The program is `cli`; tests, fuzz targets and benchmarks come in through `testing`.

pub(crate) mod asdf;
pub(crate) mod bucket;
pub(crate) mod catalog;
pub(crate) mod checksum;
pub mod cli;
pub(crate) mod clipboard;
pub(crate) mod columnar;
pub(crate) mod config;
pub(crate) mod copy_format;
pub(crate) mod demo;
pub(crate) mod dirs;
pub(crate) mod error;
pub(crate) mod escape;
pub(crate) mod fits;
pub(crate) mod format;
pub(crate) mod log;
pub(crate) mod preview;
pub(crate) mod queue;
pub(crate) mod s3;
pub(crate) mod signals;
#[cfg(test)]
pub(crate) mod test_rng;
#[doc(hidden)]
pub mod testing;
pub(crate) mod tui;
