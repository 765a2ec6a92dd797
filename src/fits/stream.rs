//! Reads byte ranges of a FITS stream through a [`RangeSource`]: directly
//! for a plain file (ranges close together merged into one request), or by
//! inflating a compressed file (gzip or Unix compress) from its start only
//! as far as the last range asked, in one streamed GET dropped once there.

use std::io::Write;

use super::inflate::{Compression, Inflater};
use super::source::StreamSource;

/// Why data could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataError {
    /// The source failed (network, access): a runtime error.
    Source(String),
    /// The bytes contradict the header (truncated, broken, bad pointers): bad input.
    Invalid(String),
    /// Reading on would cost more than allowed.
    Budget(String),
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataError::Source(why) | DataError::Invalid(why) | DataError::Budget(why) => f.write_str(why),
        }
    }
}

/// Ranges closer than this are read as one request: a round trip costs more than the bytes between them.
pub const MERGE_GAP: u64 = 4 * 1024;

/// How a stream is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// The stream is compressed (gzip or compress: its first bytes say which).
    pub compressed: bool,
    /// Merge plain ranges separated by at most this many bytes.
    pub merge_gap: u64,
    /// Compressed bytes a gzip read may cost (`None`: as many as it takes).
    pub gzip_budget: Option<u64>,
}

impl StreamOptions {
    pub fn new(compressed: bool) -> Self {
        Self { compressed, merge_gap: MERGE_GAP, gzip_budget: None }
    }
}

/// Reads each of `ranges` (stream offset, length) of the stream. A range past
/// the end comes back short (or empty): callers check what they got.
pub async fn read_ranges<S: StreamSource>(
    source: &mut S,
    ranges: &[(u64, u64)],
    options: StreamOptions,
) -> Result<Vec<Vec<u8>>, DataError> {
    if ranges.iter().all(|&(_, len)| len == 0) {
        return Ok(vec![Vec::new(); ranges.len()]);
    }
    if options.compressed {
        read_inflated(source, ranges, options).await
    } else {
        read_plain(source, ranges, options).await
    }
}

async fn read_plain<S: StreamSource>(
    source: &mut S,
    ranges: &[(u64, u64)],
    options: StreamOptions,
) -> Result<Vec<Vec<u8>>, DataError> {
    let mut merged = merge_ranges(ranges.to_vec(), options.merge_gap);
    if let Some(size) = source.size() {
        merged.retain(|&(start, _)| start < size);
        for (start, len) in &mut merged {
            *len = (*len).min(size - *start);
        }
    }
    let mut parts = Vec::with_capacity(merged.len());
    for (range, result) in merged.iter().zip(source.read_many(&merged).await) {
        parts.push((range.0, result.map_err(|e| DataError::Source(e.0))?));
    }
    Ok(ranges.iter().map(|&(start, len)| cut(&parts, start, len)).collect())
}

/// The bytes of `start..start+len` out of the merged parts read.
fn cut(parts: &[(u64, Vec<u8>)], start: u64, len: u64) -> Vec<u8> {
    let Some((from, bytes)) = parts.iter().rev().find(|(from, _)| *from <= start) else {
        return Vec::new();
    };
    let begin = ((start - from) as usize).min(bytes.len());
    let end = (begin as u64 + len).min(bytes.len() as u64) as usize;
    bytes[begin..end].to_vec()
}

/// Inflated bytes are copied into the windows asked for; the rest is dropped.
#[derive(Default)]
struct WindowSink {
    pos: u64,
    windows: Vec<(u64, u64)>,
    out: Vec<Vec<u8>>,
}

impl Write for WindowSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (from, to) = (self.pos, self.pos + buf.len() as u64);
        for (&(start, len), out) in self.windows.iter().zip(&mut self.out) {
            let (lo, hi) = (start.max(from), (start + len).min(to));
            if lo < hi {
                out.extend_from_slice(&buf[(lo - from) as usize..(hi - from) as usize]);
            }
        }
        self.pos = to;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Compressed bytes fed to an inflater chosen by the first two of them.
struct Inflating {
    /// The first bytes, until there are enough to tell the compression.
    start: Vec<u8>,
    sink: Option<WindowSink>,
    decoder: Option<Inflater<WindowSink>>,
    wanted_end: u64,
    fed: u64,
    error: Option<DataError>,
}

impl Inflating {
    /// Feeds the next compressed bytes: true once the last window is filled (or on an error).
    fn feed(&mut self, piece: &[u8]) -> bool {
        self.fed += piece.len() as u64;
        if self.decoder.is_some() {
            return self.inflate(piece);
        }
        self.start.extend_from_slice(piece);
        if self.start.len() < 2 {
            return false;
        }
        let compression = Compression::of(&self.start);
        let Some(made) = self.sink.take().and_then(|s| Inflater::new(compression, s)) else {
            self.error = Some(DataError::Invalid("the stream is neither gzip nor compress".into()));
            return true;
        };
        self.decoder = Some(made);
        let start = std::mem::take(&mut self.start);
        self.inflate(&start)
    }

    fn inflate(&mut self, bytes: &[u8]) -> bool {
        let Some(decoder) = self.decoder.as_mut() else { return true };
        // Flushed: the decoder would otherwise hold the last output until the next piece.
        if let Err(e) = decoder.write_all(bytes).and_then(|()| decoder.flush()) {
            let (name, fed) = (decoder.name(), self.fed);
            self.error =
                Some(DataError::Invalid(format!("the {name} stream is broken after {fed} compressed bytes: {e}")));
            return true;
        }
        decoder.get_ref().pos >= self.wanted_end
    }
}

async fn read_inflated<S: StreamSource>(
    source: &mut S,
    ranges: &[(u64, u64)],
    options: StreamOptions,
) -> Result<Vec<Vec<u8>>, DataError> {
    let wanted_end = ranges.iter().map(|&(s, l)| s.saturating_add(l)).max().unwrap_or(0);
    let sink = WindowSink { pos: 0, windows: ranges.to_vec(), out: vec![Vec::new(); ranges.len()] };
    let mut inflating =
        Inflating { start: Vec::new(), sink: Some(sink), decoder: None, wanted_end, fed: 0, error: None };
    let len = options.gzip_budget.map(|budget| budget.max(1));
    let mut each = |piece: &[u8]| inflating.feed(piece);
    let (taken, _) = source.read_stream(0, len, &mut each, None).await;
    taken.map_err(|e| DataError::Source(e.0))?;
    if let Some(error) = inflating.error {
        return Err(error);
    }
    match inflating.decoder {
        Some(mut decoder) => {
            let reached = decoder.get_ref().pos >= wanted_end;
            if let (false, Some(budget)) = (reached, options.gzip_budget)
                && inflating.fed >= budget
                && source.size().is_none_or(|size| inflating.fed < size)
            {
                return Err(DataError::Budget(format!(
                    "reaching byte {wanted_end} of the inflated stream takes more than {budget} compressed bytes"
                )));
            }
            // A stream that ends early leaves the windows short: callers check.
            let _ = decoder.finish();
            Ok(std::mem::take(&mut decoder.get_mut().out))
        }
        None if inflating.start.len() == 1 => Err(DataError::Invalid("the stream is neither gzip nor compress".into())),
        None => Ok(inflating.sink.map(|s| s.out).unwrap_or_default()),
    }
}

/// Ranges `(offset, len)` sorted and merged where they overlap or lie within `gap` bytes.
pub fn merge_ranges(mut ranges: Vec<(u64, u64)>, gap: u64) -> Vec<(u64, u64)> {
    ranges.retain(|&(_, len)| len > 0);
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (start, len) in ranges {
        match merged.last_mut() {
            Some((s, l)) if start <= (*s + *l).saturating_add(gap) => *l = (*l).max(start + len - *s),
            _ => merged.push((start, len)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fits::tests::{Memory, gzip};
    use futures::executor::block_on;

    #[test]
    fn ranges_merge_when_close() {
        assert_eq!(merge_ranges(vec![(10, 5), (0, 5), (17, 3), (100, 1)], 2), vec![(0, 5), (10, 10), (100, 1)]);
        assert_eq!(merge_ranges(vec![(0, 10), (2, 3), (0, 0)], 0), vec![(0, 10)]);
    }

    #[test]
    fn plain_ranges_are_merged_into_few_requests() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut source = Memory::new(data.clone());
        let ranges = [(10, 5), (30, 10), (90_000, 20), (99_990, 50)];
        let options = StreamOptions { merge_gap: 100, ..StreamOptions::new(false) };
        let got = block_on(read_ranges(&mut source, &ranges, options)).unwrap();
        assert_eq!(got[0], data[10..15]);
        assert_eq!(got[1], data[30..40]);
        assert_eq!(got[2], data[90_000..90_020]);
        assert_eq!(got[3], data[99_990..], "a range past the end comes back short");
        assert_eq!(source.reads.len(), 3, "neighbours within 100 bytes share a request");
    }

    #[test]
    fn gzip_ranges_inflate_only_as_far_as_the_last_one() {
        let data: Vec<u8> = (0..2_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let mut source = Memory::new(gzip(&data));
        let options = StreamOptions::new(true);
        let got = block_on(read_ranges(&mut source, &[(5000, 10), (100_000, 3)], options)).unwrap();
        assert_eq!((got[0].as_slice(), got[1].as_slice()), (&data[5000..5010], &data[100_000..100_003]));
        assert!(source.bytes_read() < 1_000_000, "read {}", source.bytes_read());
        assert_eq!(source.reads.len(), 1, "one streamed read, dropped once there");
    }

    #[test]
    fn a_gzip_budget_stops_the_read() {
        let data = vec![7u8; 3_000_000];
        let mut source = Memory::new(gzip(&data));
        let options = StreamOptions { gzip_budget: Some(256), ..StreamOptions::new(true) };
        let err = block_on(read_ranges(&mut source, &[(2_900_000, 10)], options)).unwrap_err();
        assert!(err.to_string().contains("more than 256 compressed bytes"), "{err}");
    }

    #[test]
    fn a_broken_gzip_stream_is_an_error() {
        let mut bytes = gzip(&vec![1u8; 100_000]);
        let mid = bytes.len() / 2;
        bytes[mid..].iter_mut().for_each(|b| *b = 0xff);
        let mut source = Memory::new(bytes);
        let err = block_on(read_ranges(&mut source, &[(99_000, 10)], StreamOptions::new(true))).unwrap_err();
        assert!(err.to_string().contains("gzip stream is broken"), "{err}");
    }
}
