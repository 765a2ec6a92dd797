//! s3scope: a terminal explorer for S3 buckets, made for the NASA archives.

pub mod bucket;
pub mod catalog;
pub mod checksum;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod copy_format;
pub mod demo;
pub mod error;
pub mod escape;
pub mod fits;
pub mod format;
pub mod log;
pub mod preview;
pub mod queue;
pub mod s3;
#[cfg(test)]
pub(crate) mod test_rng;
pub mod tui;
