//! Tile-compressed images (the FITS tiled image compression convention, as
//! fpack, cfitsio and astropy write them): a BINTABLE with ZIMAGE = T whose
//! rows are the image's tiles, each compressed into the heap. Pure: the
//! caller reads the rows and heap ranges named here and passes the bytes.

pub mod columns;
mod decode;
pub mod encode;
mod geometry;
pub mod gzip;
pub mod hcompress;
mod hsmooth;
pub mod htransform;
pub mod plio;
pub mod quantize;
pub mod rice;

mod bits;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::fits::header::Header;
use columns::Column;
pub use decode::Tile;
use quantize::Dither;

/// The largest tile decoded, in pixels: a header cannot make us allocate more.
pub const MAX_TILE_PIXELS: u64 = 1 << 24;

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

/// ZCMPTYPE with its parameters (ZNAMEi / ZVALi).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Algorithm {
    Rice {
        blocksize: usize,
        bytepix: usize,
    },
    Gzip1,
    Gzip2,
    /// SMOOTH = 1 smooths lossy (SCALE > 1) tiles as they are decoded.
    Hcompress {
        scale: i64,
        smooth: i64,
    },
    Plio,
    NoCompress,
}

/// Where a per-tile value comes from: a column, a keyword, or nowhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source<T> {
    Column(Column),
    Keyword(T),
    Absent,
}

/// A compressed image HDU, from its header.
#[derive(Debug, Clone, PartialEq)]
pub struct CompressedImage {
    /// ZBITPIX: the image's BITPIX.
    pub bitpix: i64,
    /// ZNAXISn.
    pub axes: Vec<u64>,
    /// ZTILEn.
    pub tile: Vec<u64>,
    pub algorithm: Algorithm,
    /// How floats were quantized; None for integer images and lossless floats.
    pub quantize: Option<Dither>,
    /// ZDITHER0: the random sequence's offset (1 when absent, as cfitsio).
    pub dither_seed: i64,
    /// BSCALE and BZERO of the image (plain keywords of the compressed HDU).
    pub bscale: f64,
    pub bzero: f64,
    /// NAXIS1: bytes in a table row; NAXIS2: rows, one per tile.
    pub row_width: u64,
    pub rows: u64,
    /// The heap, in bytes from the start of the data: THEAP .. NAXIS1*NAXIS2 + PCOUNT.
    pub heap_start: u64,
    pub heap_end: u64,
    pub(crate) compressed: Column,
    pub(crate) uncompressed: Option<Column>,
    pub(crate) gzip_data: Option<Column>,
    pub(crate) zscale: Source<f64>,
    pub(crate) zzero: Source<f64>,
    pub(crate) zblank: Source<i64>,
}

/// The value of ZVALi whose ZNAMEi is `name`, or ZVAL`position` when no
/// ZNAMEi is there at all.
fn parameter(header: &Header, name: &str, position: usize) -> Option<f64> {
    // A number, or a logical (astropy writes SMOOTH as T or F).
    let number = |key: &str| header.real(key).or_else(|| header.logical(key).map(|b| f64::from(u8::from(b))));
    let names = (1..=999).map_while(|i| header.string(&format!("ZNAME{i}")).map(|n| (i, n.trim().to_string())));
    let mut any = false;
    for (i, n) in names {
        any = true;
        if n.eq_ignore_ascii_case(name) {
            return number(&format!("ZVAL{i}"));
        }
    }
    if any { None } else { number(&format!("ZVAL{position}")) }
}

fn algorithm(header: &Header, bitpix: i64) -> Result<Algorithm, TileError> {
    let name = header.string("ZCMPTYPE").ok_or_else(|| TileError::new("ZCMPTYPE is missing"))?;
    let int = |name, position, default: i64| parameter(header, name, position).map_or(default, |v| v as i64);
    Ok(match name.trim().to_ascii_uppercase().as_str() {
        "RICE_1" | "RICE_ONE" => {
            let bytepix = int("BYTEPIX", 2, 4);
            let blocksize = int("BLOCKSIZE", 1, 32);
            if ![1, 2, 4].contains(&bytepix) || !(1..=1 << 16).contains(&blocksize) {
                return Err(TileError::new(format!("RICE_1 BYTEPIX {bytepix} / BLOCKSIZE {blocksize} not supported")));
            }
            Algorithm::Rice { blocksize: blocksize as usize, bytepix: bytepix as usize }
        }
        "GZIP_1" => Algorithm::Gzip1,
        "GZIP_2" => Algorithm::Gzip2,
        "HCOMPRESS_1" => Algorithm::Hcompress { scale: int("SCALE", 1, 0), smooth: int("SMOOTH", 2, 0) },
        "PLIO_1" if bitpix > 0 => Algorithm::Plio,
        "NOCOMPRESS" => Algorithm::NoCompress,
        other => return Err(TileError::new(format!("compression '{other}' is not supported"))),
    })
}

fn positive(header: &Header, key: &str) -> Result<u64, TileError> {
    let value = header.int(key).ok_or_else(|| TileError::new(format!("{key} is missing")))?;
    u64::try_from(value).map_err(|_| TileError::new(format!("{key} = {value} is negative")))
}

impl CompressedImage {
    /// Reads the compression keywords and table columns of a ZIMAGE HDU.
    pub fn from_header(header: &Header) -> Result<Self, TileError> {
        if header.logical("ZIMAGE") != Some(true) {
            return Err(TileError::new("not a compressed image (ZIMAGE is not T)"));
        }
        let bitpix = header.int("ZBITPIX").ok_or_else(|| TileError::new("ZBITPIX is missing"))?;
        if ![8, 16, 32, 64, -32, -64].contains(&bitpix) {
            return Err(TileError::new(format!("ZBITPIX {bitpix} is not a FITS data type")));
        }
        let naxis = positive(header, "ZNAXIS")?;
        if !(1..=999).contains(&naxis) {
            return Err(TileError::new(format!("ZNAXIS {naxis} is out of range")));
        }
        let axes = (1..=naxis).map(|n| positive(header, &format!("ZNAXIS{n}"))).collect::<Result<Vec<_>, _>>()?;
        let tile = (1..=naxis)
            .map(|n| match header.int(&format!("ZTILE{n}")) {
                None => Ok(if n == 1 { axes[0].max(1) } else { 1 }),
                Some(t) if t >= 1 => Ok(t as u64),
                Some(t) => Err(TileError::new(format!("ZTILE{n} = {t} is not positive"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pixels = axes.iter().zip(&tile).try_fold(1u64, |acc, (&a, &t)| acc.checked_mul(a.min(t)));
        if pixels.is_none_or(|p| p > MAX_TILE_PIXELS) {
            return Err(TileError::new(format!("tiles of more than {MAX_TILE_PIXELS} pixels are not supported")));
        }
        let tiles = axes.iter().zip(&tile).try_fold(1u64, |acc, (&a, &t)| acc.checked_mul(a.div_ceil(t)));
        let (row_width, rows) = (positive(header, "NAXIS1")?, positive(header, "NAXIS2")?);
        if tiles != Some(rows) {
            return Err(TileError::new(format!("the table has {rows} rows for {} tiles", tiles.unwrap_or(0))));
        }
        let table = row_width.checked_mul(rows).ok_or_else(|| TileError::new("the table size overflows"))?;
        let heap_start =
            header.int("THEAP").map_or(Ok(table), u64::try_from).map_err(|_| TileError::new("THEAP is negative"))?;
        let heap_end = table.saturating_add(header.int("PCOUNT").unwrap_or(0).max(0) as u64);
        let names = ["COMPRESSED_DATA", "UNCOMPRESSED_DATA", "GZIP_COMPRESSED_DATA", "ZSCALE", "ZZERO", "ZBLANK"];
        let found = columns::find(header, &names)?;
        let compressed = found[0].ok_or_else(|| TileError::new("the COMPRESSED_DATA column is missing"))?;
        let source = |column: Option<Column>, key: &str| match (column, header.real(key)) {
            (Some(c), _) => Source::Column(c),
            (None, Some(v)) => Source::Keyword(v),
            (None, None) => Source::Absent,
        };
        let (zscale, zzero) = (source(found[3], "ZSCALE"), source(found[4], "ZZERO"));
        let zblank = match (found[5], header.int("ZBLANK").or_else(|| header.int("BLANK"))) {
            (Some(c), _) => Source::Column(c),
            (None, Some(v)) => Source::Keyword(v),
            (None, None) => Source::Absent,
        };
        let quantized = bitpix < 0
            && !matches!((zscale, zzero), (Source::Absent, Source::Absent))
            && header.string("ZQUANTIZ").map(str::trim) != Some("NONE");
        let quantize = quantized.then(|| match header.string("ZQUANTIZ").map(str::trim) {
            Some("SUBTRACTIVE_DITHER_1") => Dither::SubtractiveDither1,
            Some("SUBTRACTIVE_DITHER_2") => Dither::SubtractiveDither2,
            _ => Dither::None,
        });
        Ok(Self {
            bitpix,
            axes,
            tile,
            algorithm: algorithm(header, bitpix)?,
            quantize,
            dither_seed: header.int("ZDITHER0").unwrap_or(1),
            bscale: header.real("BSCALE").unwrap_or(1.0),
            bzero: header.real("BZERO").unwrap_or(0.0),
            row_width,
            rows,
            heap_start,
            heap_end,
            compressed,
            uncompressed: found[1],
            gzip_data: found[2],
            zscale,
            zzero,
            zblank,
        })
    }
}
