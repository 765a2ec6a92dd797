//! Reads every HDU header of a FITS object through a [`RangeSource`]: ranged
//! reads that skip the data of uncompressed files, or growing reads of a
//! gzip stream inflated as it comes. Generic over the source, so it is
//! tested on bytes in memory and used over S3.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;

use super::hdu::{BLOCK, Hdu};
use super::inflate::{Compression, Inflater};
use super::scanner::{ScanError, Scanner, Stop, Want};

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
    /// Size of each read of a gzip stream (the first one; later reads double).
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
pub async fn read_headers<S: RangeSource>(
    source: &mut S,
    gzip_hint: bool,
    options: ReadOptions,
) -> Result<FitsHeaders, ReadError> {
    let first_len = match (gzip_hint, options.gzip_budget) {
        (true, Some(budget)) => options.gzip_chunk.min(budget.max(1)),
        (true, None) => options.gzip_chunk,
        (false, _) => options.first_read,
    };
    let first = source.read(0, first_len).await?;
    if first.is_empty() {
        return Err(ScanError::NotFits("the object is empty".into()).into());
    }
    match Compression::of(&first) {
        Compression::None => read_plain(source, first, options).await,
        compression => read_compressed(source, first, options, compression).await,
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

/// Inflated bytes go straight into the scanner, which keeps only headers.
struct ScanSink {
    scanner: Scanner,
    error: Option<ScanError>,
}

impl Write for ScanSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_none()
            && !self.scanner.is_done()
            && let Err(e) = self.scanner.feed(buf)
        {
            self.error = Some(e);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn read_compressed<S: RangeSource>(
    source: &mut S,
    first: Vec<u8>,
    options: ReadOptions,
    compression: Compression,
) -> Result<FitsHeaders, ReadError> {
    let sink = ScanSink { scanner: Scanner::new(options.stop.clone()), error: None };
    let Some(mut decoder) = Inflater::new(compression, sink) else { return read_plain(source, first, options).await };
    let name = decoder.name();
    let mut offset = 0u64;
    let mut chunk = options.gzip_chunk;
    let mut bytes = first;
    let mut stopped = None;
    loop {
        offset += bytes.len() as u64;
        let inflated = decoder.write_all(&bytes);
        let sink = decoder.get_ref();
        if let Some(e) = sink.error.clone() {
            return Err(e.into());
        }
        if let Err(e) = inflated {
            if sink.scanner.hdus.is_empty() {
                return Err(ScanError::NotFits(format!("the {name} stream is broken: {e}")).into());
            }
            stopped = Some(format!("the {name} stream is broken after {offset} compressed bytes: {e}"));
            break;
        }
        if sink.scanner.is_done() {
            break;
        }
        let size = source.size().unwrap_or(offset);
        if offset >= size {
            decoder.finish();
            let sink = decoder.get_mut();
            sink.scanner.finish()?;
            break;
        }
        if let Some(budget) = options.gzip_budget
            && offset >= budget
        {
            stopped = Some(format!(
                "stopped after {offset} of {size} compressed bytes (the budget): later HDUs need all earlier data inflated"
            ));
            break;
        }
        chunk = (chunk * 2).min(8 << 20);
        let mut len = chunk.min(size - offset);
        if let Some(budget) = options.gzip_budget {
            len = len.min(budget.saturating_sub(offset)).max(1);
        }
        bytes = source.read(offset, len).await?;
        if bytes.is_empty() {
            let sink = decoder.get_mut();
            sink.scanner.finish()?;
            break;
        }
    }
    let sink = decoder.get_mut();
    let scanner = std::mem::take(&mut sink.scanner);
    let truncated_header = scanner.truncated_header;
    Ok(FitsHeaders { hdus: scanner.hdus, compression, warnings: scanner.warnings, stopped, truncated_header })
}
