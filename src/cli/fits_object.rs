//! Opening one HDU of a FITS object for the data commands (`table`, `image`):
//! the headers up to the HDU wanted, read with small range requests.

use crate::error::AppError;
use crate::fits::hdu::{BLOCK, Hdu};
use crate::fits::inflate::compressed_by_name;
use crate::fits::reader::{ReadError, ReadOptions, read_headers};
use crate::fits::scanner::{ScanError, Stop};
use crate::fits::stream::{DataError, StreamOptions};
use crate::preview::sniff::{Format, sniff};
use crate::s3::range::S3RangeSource;
use crate::s3::{Clients, S3Uri};

/// `--hdu N|NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HduArg {
    Index(usize),
    Name(String),
}

impl std::str::FromStr for HduArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an HDU is a number or an EXTNAME".into());
        }
        Ok(text.parse().map_or_else(|_| HduArg::Name(text.to_string()), HduArg::Index))
    }
}

/// One HDU of an object, and the source its data is read through.
pub struct FitsObject {
    pub uri: S3Uri,
    pub source: S3RangeSource,
    pub hdu: Hdu,
    /// Compressed (gzip or compress): data is inflated from the start.
    pub compressed: bool,
}

/// An object opened as FITS, or found by its first bytes to be something else.
pub enum Opened {
    Fits(FitsObject),
    /// Not FITS: the format its first bytes show, and the source they came through.
    Other {
        source: S3RangeSource,
        format: Format,
    },
}

impl FitsObject {
    /// Reads headers up to the HDU `pick` names, or up to the first HDU `fallback` stops at.
    pub async fn open(uri: &S3Uri, clients: &Clients, pick: Option<&HduArg>, fallback: Stop) -> Result<Self, AppError> {
        match Self::open_or_other(uri, clients, pick, fallback).await? {
            Opened::Fits(object) => Ok(object),
            Opened::Other { format, .. } => {
                Err(AppError::input(format!("reading {uri}"), format!("not a FITS file: it is {}", format.name())))
            }
        }
    }

    /// Like [`FitsObject::open`], but an object whose first bytes show
    /// another known format (Parquet, ASDF, HDF5) is handed back as such.
    pub async fn open_or_other(
        uri: &S3Uri,
        clients: &Clients,
        pick: Option<&HduArg>,
        fallback: Stop,
    ) -> Result<Opened, AppError> {
        if uri.is_prefix() {
            return Err(AppError::input(format!("reading {uri}"), "that is a prefix, not an object"));
        }
        let stop = match pick {
            Some(HduArg::Index(n)) => Stop::After(*n),
            Some(HduArg::Name(name)) => Stop::AtName(name.clone()),
            None => fallback.clone(),
        };
        let mut source = S3RangeSource::new(clients.bucket(&uri.bucket), &uri.key, None, None);
        // Small first reads: the data commands promise to read little more than the header.
        let options =
            ReadOptions { stop: stop.clone(), first_read: 2 * BLOCK, speculate: false, ..ReadOptions::default() };
        let context = format!("reading the headers of {uri}");
        let headers = match read_headers(&mut source, compressed_by_name(&uri.key), options).await {
            Err(ReadError::Fits(ScanError::NotFits(why))) => {
                return match sniff(source.head()) {
                    format @ (Format::Parquet | Format::Asdf { .. } | Format::Hdf5 { .. }) => {
                        Ok(Opened::Other { source, format })
                    }
                    _ => Err(super::header::read_error(&context, ReadError::Fits(ScanError::NotFits(why)))),
                };
            }
            read => read.map_err(|e| super::header::read_error(&context, e))?,
        };
        if let Some(why) = &headers.truncated_header {
            return Err(AppError::input(context, why.clone()));
        }
        let found = headers.hdus.last().filter(|h| stop.is_last(h)).cloned();
        let Some(hdu) = found else {
            let count = headers.hdus.len();
            let why = match (pick, &stop) {
                (Some(HduArg::Index(n)), _) => format!("there is no HDU {n}: the file has {count}"),
                (Some(HduArg::Name(name)), _) => format!("no HDU is named {name:?} (of {count})"),
                (None, _) => format!("none of its {count} HDUs is what was asked for"),
            };
            return Err(AppError::input(format!("reading {uri}"), why));
        };
        Ok(Opened::Fits(Self { uri: uri.clone(), source, hdu, compressed: headers.compression.is_compressed() }))
    }

    pub fn stream_options(&self) -> StreamOptions {
        StreamOptions::new(self.compressed)
    }

    /// A data error as the command's error: the source failing is a runtime error, bad data bad input.
    pub fn data_error(&self, what: &str, error: DataError) -> AppError {
        let context = format!("{what} of HDU {} of {}", self.hdu.index, self.uri);
        match error {
            DataError::Source(why) => AppError::runtime(context, why),
            DataError::Invalid(why) | DataError::Budget(why) => AppError::input(context, why),
        }
    }
}
