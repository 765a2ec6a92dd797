//! `s3scope header`: the FITS headers of one object, read with range requests.

use std::io::{self, Write};

use clap::Args;
use serde::Serialize;
use serde::ser::{Error as _, Serializer};
use serde_json::value::RawValue;

use super::Session;
use super::output::write_stdout;
use super::parquet_header;
use super::parquet_object::{ParquetObject, parquet_by_name};
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::fits::card::Value;
use crate::fits::hdu::Hdu;
use crate::fits::inflate::{Compression, compressed_by_name};
use crate::fits::reader::{FitsHeaders, ReadError, ReadOptions, read_headers};
use crate::fits::scanner::{ScanError, Stop};
use crate::fits::summary;
use crate::preview::sniff::{Format, sniff};
use crate::s3::range::S3RangeSource;
use crate::s3::{Clients, S3Uri};

#[derive(Debug, Clone, Args)]
pub struct HeaderArgs {
    /// One JSON object (the CLI contract's shape)
    #[arg(long)]
    pub json: bool,
    /// Only this HDU (0 is the primary); reading stops after it
    #[arg(long, value_name = "N")]
    pub hdu: Option<usize>,
    /// Read at most this many compressed bytes of a gzip file
    #[arg(long, value_name = "BYTES")]
    pub max_bytes: Option<u64>,
    /// s3://bucket/key of a FITS or Parquet file, or s3://bucket/prefix/ of a HATS catalog or Parquet dataset
    pub uri: String,
}

/// What one reading cost and found.
pub struct Report {
    pub uri: S3Uri,
    pub size: u64,
    pub requests: u64,
    pub bytes_read: u64,
    pub headers: FitsHeaders,
    /// The tree of an `ASDF` extension (JWST), with its HDU index.
    pub asdf: Option<(usize, Result<crate::asdf::AsdfFile, String>)>,
}

pub async fn run(args: &HeaderArgs, session: &Session) -> Result<(), AppError> {
    let uri = S3Uri::parse(&args.uri)?;
    let clients = Clients::new(&session.connect, session.catalog().clone()).await?;
    if uri.is_prefix() {
        // A HATS catalog or a Parquet dataset, else an error.
        return super::catalog_header::run(&uri, &clients, args.json).await;
    }
    match Box::pin(run_object(args, &uri, &clients)).await {
        // No such object: a catalog's prefix given without its `/` (IRSA names
        // its datasets' directories `….parquet`)?
        Err(error) if error.reason.contains("no such key") => {
            let prefix = S3Uri { bucket: uri.bucket.clone(), key: format!("{}/", uri.key) };
            match super::catalog_header::run(&prefix, &clients, args.json).await {
                Err(_) => Err(error),
                done => done,
            }
        }
        done => done,
    }
}

/// `header` on one object: FITS, Parquet or ASDF, by its name and first bytes.
async fn run_object(args: &HeaderArgs, uri: &S3Uri, clients: &Clients) -> Result<(), AppError> {
    if parquet_by_name(&uri.key) {
        return write_parquet(&ParquetObject::open(uri, clients).await?, args.json);
    }
    // A name like ASDF sizes the first read for its tree; the bytes still decide.
    if crate::asdf::named_like_asdf(&uri.key) {
        let mut source = S3RangeSource::new(clients.bucket(&uri.bucket), &uri.key, None, None);
        if let Ok(report) = super::asdf_header::read(uri, &mut source, Vec::new()).await? {
            return super::asdf_header::print(&report, args.json);
        }
    }
    let report = match Box::pin(read(uri, clients, args.hdu, args.max_bytes)).await? {
        Read::Fits(report) => report,
        Read::Other { mut source, format: Format::Asdf { .. } } => {
            let head = source.head().to_vec();
            return match super::asdf_header::read(uri, &mut source, head).await? {
                Ok(report) => super::asdf_header::print(&report, args.json),
                Err(_) => Err(AppError::input(format!("reading the header of {uri}"), "not a readable ASDF file")),
            };
        }
        Read::Other { source, format: Format::Parquet } => {
            return write_parquet(&ParquetObject::from_source(uri, source).await?, args.json);
        }
        Read::Other { format, .. } => {
            let why = format!("not a FITS file: it is {}", format.name());
            return Err(AppError::input(format!("reading the header of {uri}"), why));
        }
    };
    if let Some(n) = args.hdu
        && report.headers.hdus.len() <= n
    {
        let found = report.headers.hdus.len();
        return Err(AppError::input(format!("reading HDU {n} of {uri}"), format!("the file has {found} HDUs")));
    }
    write_stdout(
        |out| {
            if args.json { write_json(out, &report, args.hdu) } else { write_text(out, &report, args.hdu) }
        },
    )?;
    let truncated = report.headers.truncated_header.as_ref();
    if !args.json {
        // The cut header is the error below, not a warning too.
        for warning in warnings(&report.headers).iter().filter(|&w| Some(w) != truncated) {
            eprintln!("s3scope: warning: {}", escape_for_terminal(warning));
        }
    }
    // What was read is out; a header without its END is still bad input (astropy refuses it).
    match truncated {
        Some(why) => Err(AppError::input(format!("reading the header of {uri}"), why.clone())),
        None => Ok(()),
    }
}

/// What a header read found: FITS headers, or another format known by its first bytes.
pub enum Read {
    Fits(Report),
    Other { source: S3RangeSource, format: Format },
}

/// Reads the headers of `uri` over range requests.
pub async fn read(
    uri: &S3Uri,
    clients: &Clients,
    last_hdu: Option<usize>,
    max_bytes: Option<u64>,
) -> Result<Read, AppError> {
    let mut source = S3RangeSource::new(clients.bucket(&uri.bucket), &uri.key, None, None);
    let stop = last_hdu.map_or(Stop::AtEnd, Stop::After);
    let options = ReadOptions { stop, gzip_budget: max_bytes, ..ReadOptions::default() };
    let context = format!("reading the header of {uri}");
    let headers = match read_headers(&mut source, compressed_by_name(&uri.key), options).await {
        Err(ReadError::Fits(ScanError::NotFits(why))) => {
            return match sniff(source.head()) {
                format @ (Format::Parquet | Format::Asdf { .. } | Format::Hdf5 { .. }) => {
                    Ok(Read::Other { source, format })
                }
                _ => Err(read_error(&context, ReadError::Fits(ScanError::NotFits(why)))),
            };
        }
        read => read.map_err(|e| read_error(&context, e))?,
    };
    let asdf = super::asdf_header::fits_extension(&mut source, &headers).await;
    Ok(Read::Fits(Report {
        uri: uri.clone(),
        size: source.size_known().unwrap_or(0),
        requests: source.requests,
        bytes_read: source.bytes_read,
        headers,
        asdf,
    }))
}

fn write_parquet(object: &ParquetObject, json: bool) -> Result<(), AppError> {
    write_stdout(|out| parquet_header::write(out, object, json))
}

/// A failed header read as the command's error: the source failing is a
/// runtime error, input that is not (good) FITS is bad input.
pub fn read_error(context: &str, error: ReadError) -> AppError {
    match error {
        ReadError::Source(why) => AppError::runtime(context, why.0),
        ReadError::Fits(why) => AppError::input(context, why.to_string()),
    }
}

fn warnings(headers: &FitsHeaders) -> Vec<String> {
    let mut all: Vec<String> =
        headers.hdus.iter().flat_map(|h| h.warnings.iter().map(move |w| format!("HDU {}: {w}", h.index))).collect();
    all.extend(headers.warnings.iter().cloned());
    all.extend(headers.stopped.iter().cloned());
    all
}

fn selected(report: &Report, only: Option<usize>) -> impl Iterator<Item = &Hdu> {
    report.headers.hdus.iter().filter(move |h| only.is_none_or(|n| h.index == n))
}

/// Like astropy's `fitsheader`: each HDU's cards as 80-column lines.
fn write_text(out: &mut impl Write, report: &Report, only: Option<usize>) -> io::Result<()> {
    let uri = escape_for_terminal(&report.uri.to_string()).into_owned();
    for (n, hdu) in selected(report, only).enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(out, "# HDU {} in {uri}:", hdu.index)?;
        for card in &hdu.header.raw {
            writeln!(out, "{}", escape_for_terminal(card.trim_end()))?;
        }
        if let Some((_, tree)) = report.asdf.as_ref().filter(|(at, _)| *at == hdu.index) {
            super::asdf_header::write_extension_text(out, tree)?;
        }
    }
    let count = report.headers.hdus.len();
    writeln!(
        out,
        "# {count} HDU{}, {} requests, {} bytes read of {}{}",
        if count == 1 { "" } else { "s" },
        report.requests,
        report.bytes_read,
        report.size,
        report.headers.compression.name().map(|name| format!(" ({name})")).unwrap_or_default()
    )
}

/// A card value as the CLI contract writes it; an integer beyond 64 bits
/// is written with every digit.
pub struct ValueJson<'a>(pub &'a Value);

#[derive(Serialize)]
struct ComplexJson {
    re: f64,
    im: f64,
}

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Logical(b) => serializer.serialize_bool(*b),
            Value::Integer(i) => serializer.serialize_i64(*i),
            Value::BigInteger(digits) => {
                // The digits were checked when the card was parsed: a valid JSON number.
                RawValue::from_string(digits.clone()).map_err(S::Error::custom)?.serialize(serializer)
            }
            Value::Real(r) => serializer.serialize_f64(*r),
            Value::Complex(re, im) => ComplexJson { re: *re, im: *im }.serialize(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Undefined => serializer.serialize_unit(),
        }
    }
}

#[derive(Serialize)]
struct CardJson<'a> {
    keyword: &'a str,
    value: ValueJson<'a>,
    comment: Option<&'a str>,
}

#[derive(Serialize)]
pub struct HduJson<'a> {
    index: usize,
    kind: &'a str,
    name: &'a str,
    header_start: u64,
    data_start: u64,
    data_size: u64,
    summary: String,
    warnings: &'a [String],
    cards: Vec<CardJson<'a>>,
    /// An `ASDF` extension's tree (see `asdf_header`).
    #[serde(skip_serializing_if = "Option::is_none")]
    asdf: Option<Box<RawValue>>,
}

pub fn hdu_json(hdu: &Hdu) -> HduJson<'_> {
    let cards = hdu
        .header
        .cards
        .iter()
        .map(|c| CardJson { keyword: &c.keyword, value: ValueJson(&c.value), comment: c.comment.as_deref() })
        .collect();
    HduJson {
        index: hdu.index,
        kind: &hdu.kind,
        name: &hdu.name,
        header_start: hdu.header_start,
        data_start: hdu.data_start,
        data_size: hdu.data_size,
        summary: summary::describe(hdu),
        warnings: &hdu.warnings,
        cards,
        asdf: None,
    }
}

#[derive(Serialize)]
struct DocumentJson<'a> {
    uri: String,
    size: u64,
    requests: u64,
    bytes_read: u64,
    gzip: bool,
    /// `gzip`, `compress` or null.
    compression: Option<&'static str>,
    stopped: Option<&'a str>,
    truncated_header: Option<&'a str>,
    warnings: &'a [String],
    hdus: Vec<HduJson<'a>>,
}

fn write_json(out: &mut impl Write, report: &Report, only: Option<usize>) -> io::Result<()> {
    let headers = &report.headers;
    let document = DocumentJson {
        uri: report.uri.to_string(),
        size: report.size,
        requests: report.requests,
        bytes_read: report.bytes_read,
        gzip: headers.compression == Compression::Gzip,
        compression: headers.compression.name(),
        stopped: headers.stopped.as_deref(),
        truncated_header: headers.truncated_header.as_deref(),
        warnings: &headers.warnings,
        hdus: selected(report, only)
            .map(|hdu| {
                let asdf = report.asdf.as_ref().filter(|(at, _)| *at == hdu.index);
                HduJson { asdf: asdf.and_then(|(_, tree)| super::asdf_header::extension_json(tree)), ..hdu_json(hdu) }
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &document)?;
    writeln!(out)
}
