//! Headers of a compressed stream (gzip or Unix compress), inflated from
//! its start. The first read of a gzip file runs with a read of its last 8
//! bytes (the [`Trailer`]); when the headers read so far end in an HDU
//! whose padded data ends exactly at the inflated size the trailer gives,
//! nothing more is read. Otherwise the rest comes in one streamed GET,
//! inflated as it arrives and dropped as soon as the walk is done.
//!
//! The trailer is the last member's: once the inflater has passed the end
//! of a member it is ignored. What remains possible is a coincidence the
//! trailer cannot tell apart: a multi-member file whose first member has
//! not ended in the bytes read so far (or ends exactly where they end),
//! whose last member's size mod 2^32 equals the end of an HDU of the
//! first, within the plausible bounds for the compressed size; or a
//! trailer that lies in just that way. Later HDUs are then missed.

use std::io::Write;

use super::{FitsHeaders, ReadError, ReadOptions};
use crate::fits::inflate::{Compression, Inflater, Trailer};
use crate::fits::scanner::{ScanError, Scanner, Want};
use crate::fits::source::StreamSource;

/// Inflated bytes go straight into the scanner, which keeps only headers.
#[derive(Default)]
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

/// The smallest budget that a read of the trailer (8 bytes) may come out of.
pub(super) const TRAILER_MIN_BUDGET: u64 = 4096;

/// What is known of a gzip file's trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tail {
    /// Not read yet.
    Unread,
    /// Read: the trailer, if the object had one.
    Read(Option<Trailer>),
}

/// Compressed bytes fed to the inflater, and where that left the walk.
struct Walk {
    decoder: Inflater<ScanSink>,
    trailer: Option<Trailer>,
    /// Compressed bytes fed.
    fed: u64,
    /// The inflater refused the stream: why.
    broken: Option<String>,
}

impl Walk {
    /// Feeds the next compressed bytes: true once nothing more is needed.
    fn feed(&mut self, piece: &[u8]) -> bool {
        if self.over() {
            return true;
        }
        self.fed += piece.len() as u64;
        // Flushed: the decoder would otherwise hold the last output until the next piece.
        if let Err(e) = self.decoder.write_all(piece).and_then(|()| self.decoder.flush()) {
            self.broken = Some(e.to_string());
        }
        self.over() || self.ends_by_trailer()
    }

    /// Broken, refused, or every HDU wanted found.
    fn over(&self) -> bool {
        let sink = self.decoder.get_ref();
        self.broken.is_some() || sink.error.is_some() || sink.scanner.is_done()
    }

    /// When the next HDU would start exactly where the trailer says the
    /// stream ends (and no member has ended yet), the walk is finished there.
    fn ends_by_trailer(&mut self) -> bool {
        let Some(trailer) = self.trailer else { return false };
        if self.decoder.members_ended() > 0 {
            return false;
        }
        let sink = self.decoder.get_mut();
        let scanner = &sink.scanner;
        let end = match scanner.want() {
            _ if scanner.hdus.is_empty() => return false,
            Want::Skip { to } => to,
            Want::Bytes { from, .. } if scanner.buffered_header() == 0 => from,
            _ => return false,
        };
        if !trailer.ends_at(end) {
            return false;
        }
        if let Err(e) = sink.scanner.finish_at(end) {
            sink.error = Some(e);
        }
        true
    }
}

/// Reads the headers of a compressed stream whose first bytes are `first`.
pub(super) async fn read_compressed<S: StreamSource>(
    source: &mut S,
    first: Vec<u8>,
    options: ReadOptions,
    compression: Compression,
    tail: Tail,
) -> Result<FitsHeaders, ReadError> {
    let sink = ScanSink { scanner: Scanner::new(options.stop.clone()), error: None };
    let Some(decoder) = Inflater::new(compression, sink) else {
        return super::read_plain(source, first, options).await;
    };
    let name = decoder.name();
    let trailer = match tail {
        Tail::Read(trailer) => trailer,
        Tail::Unread => None,
    };
    let mut walk = Walk { decoder, trailer, fed: 0, broken: None };
    let mut done = walk.feed(&first);
    let mut budget = options.gzip_budget;
    let affordable = budget.is_none_or(|budget| budget >= walk.fed + TRAILER_MIN_BUDGET);
    if !done && compression == Compression::Gzip && tail == Tail::Unread && affordable {
        walk.trailer = read_trailer(source).await;
        budget = budget.map(|budget| budget - 8);
        done = walk.ends_by_trailer();
    }
    let mut stopped = None;
    let mut at_end = false;
    if !done {
        let offset = walk.fed;
        let size = source.size();
        let budget_left = budget.map(|budget| budget.saturating_sub(offset));
        if size.is_some_and(|size| offset >= size) {
            at_end = true;
        } else if budget_left == Some(0) {
            stopped = Some(over_budget(offset, size));
        } else {
            let mut each = |piece: &[u8]| walk.feed(piece);
            let (taken, _) = source.read_stream(offset, budget_left, &mut each, None).await;
            let taken = taken?;
            // Not over: the body ended, or the budget did.
            if !walk.over() {
                let size = source.size();
                let short = budget_left.is_none_or(|left| taken < left);
                if short || size.is_some_and(|size| offset + taken >= size) {
                    at_end = true;
                } else {
                    stopped = Some(over_budget(offset + taken, size));
                }
            }
        }
    }
    let sink = walk.decoder.get_ref();
    if let Some(e) = sink.error.clone() {
        return Err(e.into());
    }
    let mut warnings = Vec::new();
    if let Some(e) = walk.broken {
        if sink.scanner.hdus.is_empty() {
            return Err(ScanError::NotFits(format!("the {name} stream is broken: {e}")).into());
        }
        stopped = Some(format!("the {name} stream is broken after {} compressed bytes: {e}", walk.fed));
    } else if at_end {
        if let Err(e) = walk.decoder.finish() {
            if walk.decoder.get_ref().scanner.hdus.is_empty() {
                return Err(ScanError::NotFits(format!("the {name} stream is broken: {e}")).into());
            }
            warnings
                .push(format!("the {name} stream does not end cleanly ({e}): the file may be truncated or corrupt"));
        }
        walk.decoder.get_mut().scanner.finish()?;
    }
    let scanner = std::mem::take(&mut walk.decoder.get_mut().scanner);
    let truncated_header = scanner.truncated_header;
    warnings.splice(0..0, scanner.warnings);
    Ok(FitsHeaders { hdus: scanner.hdus, compression, warnings, stopped, truncated_header })
}

/// The last 8 bytes, as a trailer (none when the read fails: the stream is inflated instead).
async fn read_trailer<S: StreamSource>(source: &mut S) -> Option<Trailer> {
    let (at, bytes) = source.read_tail(8).await.ok()?;
    trailer_of(at, &bytes, source.size())
}

/// The trailer in `bytes` read at `at`, when they are the object's last.
pub(super) fn trailer_of(at: u64, bytes: &[u8], size: Option<u64>) -> Option<Trailer> {
    let end = at + bytes.len() as u64;
    if size.is_some_and(|size| size != end) {
        return None;
    }
    Trailer::parse(bytes, end)
}

fn over_budget(offset: u64, size: Option<u64>) -> String {
    let size = size.map_or_else(|| "?".to_string(), |s| s.to_string());
    format!("stopped after {offset} of {size} compressed bytes (the budget): later HDUs need all earlier data inflated")
}
