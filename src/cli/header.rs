//! `s3scope header`: the FITS headers of one object, read with range requests.

use std::io::{self, Write};

use clap::Args;
use serde::Serialize;
use serde::ser::{Error as _, Serializer};
use serde_json::value::RawValue;

use super::Session;
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::fits::card::Value;
use crate::fits::hdu::Hdu;
use crate::fits::inflate::{Compression, compressed_by_name};
use crate::fits::reader::{FitsHeaders, ReadError, ReadOptions, read_headers};
use crate::fits::scanner::{ScanError, Stop};
use crate::fits::summary;
use crate::preview::sniff::Format;
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
    /// s3://bucket/key of a FITS file (.fits, .fits.gz, .fz, ...)
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
    if uri.is_prefix() {
        return Err(AppError::input(format!("reading the header of {uri}"), "that is a prefix, not an object"));
    }
    let clients = Clients::new(&session.connect, session.catalog().clone()).await?;
    let report = match read_any(&uri, &clients, args.hdu, args.max_bytes).await? {
        Object::Fits(report) => report,
        Object::Asdf(report) => return super::asdf_header::print(&report, args.json),
    };
    if let Some(n) = args.hdu
        && report.headers.hdus.len() <= n
    {
        let found = report.headers.hdus.len();
        return Err(AppError::input(format!("reading HDU {n} of {uri}"), format!("the file has {found} HDUs")));
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written =
        if args.json { write_json(&mut out, &report, args.hdu) } else { write_text(&mut out, &report, args.hdu) };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            return Err(AppError::runtime("writing output", e.to_string()));
        }
        _ => {}
    }
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

/// An object `header` can describe, by its first bytes.
enum Object {
    Fits(Report),
    Asdf(super::asdf_header::Report),
}

/// Reads what the object is: FITS is tried first (its reader takes the
/// first bytes), unless the name says ASDF; then the first bytes decide.
async fn read_any(
    uri: &S3Uri,
    clients: &Clients,
    last_hdu: Option<usize>,
    max_bytes: Option<u64>,
) -> Result<Object, AppError> {
    let mut source = S3RangeSource::new(clients.bucket(&uri.bucket), &uri.key, None, None);
    let (head, not_fits) = if crate::asdf::named_like_asdf(&uri.key) {
        match super::asdf_header::read(uri, &mut source, Vec::new()).await? {
            Ok(report) => return Ok(Object::Asdf(report)),
            Err(head) => (head, None),
        }
    } else {
        match Box::pin(read(uri, last_hdu, max_bytes, &mut source)).await {
            Ok(report) => return Ok(Object::Fits(report)),
            Err(NotRead::NotFits(error)) => (source.head().to_vec(), Some(error)),
            Err(NotRead::Failed(error)) => return Err(error),
        }
    };
    match crate::preview::sniff::sniff(&head) {
        Format::Asdf { .. } => match super::asdf_header::read(uri, &mut source, head).await? {
            Ok(report) => Ok(Object::Asdf(report)),
            Err(_) => Err(not_fits.unwrap_or_else(|| AppError::input(format!("reading {uri}"), "not an ASDF file"))),
        },
        Format::Fits | Format::Gzip | Format::Compress { .. } if not_fits.is_none() => {
            let mut source = S3RangeSource::new(clients.bucket(&uri.bucket), &uri.key, None, None);
            match Box::pin(read(uri, last_hdu, max_bytes, &mut source)).await {
                Ok(report) => Ok(Object::Fits(report)),
                Err(NotRead::NotFits(error) | NotRead::Failed(error)) => Err(error),
            }
        }
        _ => Err(not_fits.unwrap_or_else(|| {
            read_error(&format!("reading the header of {uri}"), ReadError::Fits(ScanError::NotFits(sniffed(&head))))
        })),
    }
}

/// What the first bytes look like, for the error about a file that is not FITS.
fn sniffed(head: &[u8]) -> String {
    let shown: String =
        head.iter().take(16).map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }).collect();
    format!("it starts with '{}'", shown.trim_end())
}

/// Why a FITS read gave nothing: the object is not FITS, or reading failed.
enum NotRead {
    NotFits(AppError),
    Failed(AppError),
}

/// Reads the FITS headers of `uri` over range requests.
async fn read(
    uri: &S3Uri,
    last_hdu: Option<usize>,
    max_bytes: Option<u64>,
    source: &mut S3RangeSource,
) -> Result<Report, NotRead> {
    let stop = last_hdu.map_or(Stop::AtEnd, Stop::After);
    let options = ReadOptions { stop, gzip_budget: max_bytes, ..ReadOptions::default() };
    let context = format!("reading the header of {uri}");
    match read_headers(source, compressed_by_name(&uri.key), options).await {
        Ok(headers) => {
            let asdf = super::asdf_header::fits_extension(source, &headers).await;
            Ok(Report {
                uri: uri.clone(),
                size: source.size_known().unwrap_or(0),
                requests: source.requests,
                bytes_read: source.bytes_read,
                headers,
                asdf,
            })
        }
        Err(error @ ReadError::Fits(ScanError::NotFits(_))) => Err(NotRead::NotFits(read_error(&context, error))),
        Err(error) => Err(NotRead::Failed(read_error(&context, error))),
    }
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
