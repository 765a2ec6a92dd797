//! Reads every HDU header of a FITS object through a [`RangeSource`]: ranged
//! reads that skip the data of uncompressed files, or a compressed stream
//! inflated as it comes (see [`compressed`]: a gzip file's trailer can end
//! the walk early, else one streamed GET). Generic over the source, so it
//! is tested on bytes in memory and used over S3.

use std::collections::BTreeMap;
use std::future::Future;

use super::hdu::{BLOCK, Hdu};
use super::inflate::Compression;
use super::scanner::{ScanError, Scanner, Stop, Want};
use super::source::{Also, StreamSource};

/// Headers of gzip and compress streams.
mod compressed;

/// A source of byte ranges of one object.
pub trait RangeSource {
    /// Reads up to `len` bytes at `start` (fewer at the end of the object).
    fn read(&mut self, start: u64, len: u64) -> impl Future<Output = Result<Vec<u8>, SourceError>> + Send;
    /// Reads several ranges, at once where the source can.
    fn read_many(&mut self, ranges: &[(u64, u64)]) -> impl Future<Output = Vec<Result<Vec<u8>, SourceError>>> + Send;
    /// The last `len` bytes (all of a smaller object) and where they start.
    fn read_tail(&mut self, len: u64) -> impl Future<Output = Result<(u64, Vec<u8>), SourceError>> + Send;
    /// The object's size, once known (after the first read at the latest).
    fn size(&self) -> Option<u64>;
}

/// A failed read, already phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError(pub String);

/// How much to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Where to stop.
    pub stop: Stop,
    /// Compressed bytes a gzip file may cost before the reader stops.
    pub gzip_budget: Option<u64>,
    /// First read of an uncompressed file.
    pub first_read: u64,
    /// Size of the first read of a compressed stream (the rest, if needed,
    /// comes in one streamed read).
    pub gzip_chunk: u64,
    /// Read the next headers ahead where the extensions seem to repeat.
    pub speculate: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self { stop: Stop::AtEnd, gzip_budget: None, first_read: 8 * BLOCK, gzip_chunk: 64 * 1024, speculate: true }
    }
}

/// What was read.
#[derive(Debug, Clone, PartialEq)]
pub struct FitsHeaders {
    pub hdus: Vec<Hdu>,
    /// How the stream was compressed (it was inflated from its start).
    pub compression: Compression,
    pub warnings: Vec<String>,
    /// Why the walk stopped before the end of the file, if it did.
    pub stopped: Option<String>,
    /// The file ends inside a header, before its END card (see
    /// [`Scanner::truncated_header`]).
    pub truncated_header: Option<String>,
}

/// Why reading failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Source(SourceError),
    Fits(ScanError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Source(SourceError(why)) => f.write_str(why),
            ReadError::Fits(e) => write!(f, "{e}"),
        }
    }
}

impl From<ScanError> for ReadError {
    fn from(e: ScanError) -> Self {
        ReadError::Fits(e)
    }
}

impl From<SourceError> for ReadError {
    fn from(e: SourceError) -> Self {
        ReadError::Source(e)
    }
}

/// Reads the headers of the object behind `source`. `gzip_hint` (from the
/// key's extension) only picks the size of the first read; the gzip magic
/// decides how the bytes are read.
pub async fn read_headers<S: StreamSource>(
    source: &mut S,
    gzip_hint: bool,
    options: ReadOptions,
) -> Result<FitsHeaders, ReadError> {
    // The trailer's 8 bytes count in the budget; a tiny budget goes without.
    let with_trailer = gzip_hint && options.gzip_budget.is_none_or(|budget| budget >= compressed::TRAILER_MIN_BUDGET);
    let mut options = options;
    if with_trailer {
        options.gzip_budget = options.gzip_budget.map(|budget| budget - 8);
    }
    let first_len = match (gzip_hint, options.gzip_budget) {
        (true, Some(budget)) => options.gzip_chunk.min(budget.max(1)),
        (true, None) => options.gzip_chunk,
        (false, _) => options.first_read,
    };
    let (first, tail) = if with_trailer {
        // The gzip trailer comes in the same round trip as the first bytes.
        let mut first = Vec::new();
        let mut each = |piece: &[u8]| {
            first.extend_from_slice(piece);
            false
        };
        let (taken, tail) = source.read_stream(0, Some(first_len), &mut each, Some(Also::Tail(8))).await;
        taken?;
        let size = source.size();
        let trailer = tail.and_then(Result::ok).and_then(|(at, bytes)| compressed::trailer_of(at, &bytes, size));
        (first, compressed::Tail::Read(trailer))
    } else {
        (source.read(0, first_len).await?, compressed::Tail::Unread)
    };
    if first.is_empty() {
        return Err(ScanError::NotFits("the object is empty".into()).into());
    }
    match Compression::of(&first) {
        Compression::None => read_plain(source, first, options).await,
        compression => compressed::read_compressed(source, first, options, compression, tail).await,
    }
}

async fn read_plain<S: RangeSource>(
    source: &mut S,
    first: Vec<u8>,
    options: ReadOptions,
) -> Result<FitsHeaders, ReadError> {
    let size = source.size().unwrap_or(first.len() as u64);
    let mut scanner = Scanner::new(options.stop.clone());
    scanner.feed(&first)?;
    // The size of the last header read guides the next read.
    let mut guess = options.first_read;
    // Header-sized reads made ahead, at offsets where later headers are guessed to start.
    let mut ahead: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    loop {
        match scanner.want() {
            Want::Done => break,
            Want::Skip { to } if to >= size => {
                scanner.finish_at(size)?;
                break;
            }
            Want::Skip { to } => scanner.skip_to(to),
            Want::Bytes { from, .. } if from >= size => {
                scanner.finish_at(size)?;
                break;
            }
            Want::Bytes { from, at_least } => {
                let hdus_before = scanner.hdus.len();
                // Part of this header is in: the next read doubles it.
                let buffered = scanner.buffered_header();
                let growing = buffered > 0;
                let bytes = match ahead.remove(&from) {
                    Some(bytes) if !growing => bytes,
                    _ => {
                        let len = if growing { buffered.max(at_least) } else { guess.max(at_least) };
                        let len = len.min(size - from);
                        let mut ranges = vec![(from, len)];
                        if !growing && options.speculate {
                            // Guesses inside this read would be read twice.
                            let guesses = guess_next_headers(&scanner.hdus, from, size, guess);
                            ranges.extend(guesses.into_iter().filter(|&(at, _)| at >= from + len));
                        }
                        let mut results = source.read_many(&ranges).await.into_iter();
                        let bytes = results.next().unwrap_or_else(|| Ok(Vec::new()))?;
                        for (&(start, _), result) in ranges.iter().skip(1).zip(results) {
                            if let Ok(extra) = result {
                                ahead.insert(start, extra);
                            }
                        }
                        bytes
                    }
                };
                if bytes.is_empty() {
                    scanner.finish_at(from)?;
                    break;
                }
                scanner.feed(&bytes)?;
                if let Some(last) = scanner.hdus.get(hdus_before) {
                    guess = (last.data_start - last.header_start).max(BLOCK);
                }
            }
        }
    }
    let truncated_header = scanner.truncated_header;
    Ok(FitsHeaders {
        hdus: scanner.hdus,
        compression: Compression::None,
        warnings: scanner.warnings,
        stopped: None,
        truncated_header,
    })
}

/// Where the next two headers would start if the extensions repeat: the
/// last three sizes as a cycle (SCI, ERR, DQ), else the last size again.
/// Each guess costs one header-sized read; a wrong one reads a few blocks
/// of data, a right one saves a round trip.
fn guess_next_headers(hdus: &[Hdu], from: u64, size: u64, len: u64) -> Vec<(u64, u64)> {
    let sizes: Vec<u64> = hdus.iter().skip(1).map(|h| h.next_start() - h.header_start).collect();
    if sizes.is_empty() {
        return Vec::new();
    }
    let cycle = if sizes.len() >= 3 { &sizes[sizes.len() - 3..] } else { &sizes[sizes.len() - 1..] };
    let mut at = from;
    let mut guesses = Vec::new();
    for step in cycle.iter().cycle().take(2) {
        at = at.saturating_add(*step);
        if at >= size {
            break;
        }
        guesses.push((at, len.min(size - at)));
    }
    guesses
}
