//! Tile-compressed images (the FITS tiled image compression convention, as
//! fpack, cfitsio and astropy write them): the per-tile codecs.

pub mod gzip;
pub mod hcompress;
pub mod htransform;
pub mod plio;
pub mod quantize;
pub mod rice;

mod bits;

use std::fmt;

/// Why a compressed image or tile cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileError(String);

impl TileError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for TileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TileError {}
