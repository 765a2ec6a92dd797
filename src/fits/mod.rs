//! FITS headers: parsing, HDU geometry and summaries. Pure: bytes in, data
//! out; the reading over HTTP range requests lives in `crate::s3::range`.

pub mod card;
#[cfg(test)]
mod gzip_tests;
pub mod hdu;
pub mod header;
pub mod image;
pub mod inflate;
pub mod reader;
pub mod scanner;
pub mod source;
pub mod stream;
pub mod summary;
pub mod table;
#[cfg(test)]
pub(crate) mod tests;
pub mod tile;
pub mod unlzw;
