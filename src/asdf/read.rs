//! Reads an ASDF file's tree and block map through a range source: a head
//! read taken only until the tree's `...` line appears, and one read of the
//! file's tail for the block index, at the same time when the size is
//! known. A tree under [`ReadLimits::first`] costs at most 2 requests; a
//! larger one is read on in growing steps up to [`ReadLimits::cap`].

use super::head::find;
use super::{AsdfError, AsdfFile, assemble};
use crate::fits::reader::SourceError;
use crate::fits::source::StreamSource;

/// How far to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Bytes the first head read may take.
    pub first: u64,
    /// Bytes of head read before giving up on finding the tree's end.
    pub cap: u64,
    /// Bytes read from the end for the block index.
    pub tail: u64,
    /// A head that does not start with `#ASDF` stops after this many bytes.
    pub not_asdf: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self { first: 1 << 20, cap: 64 << 20, tail: 8 << 10, not_asdf: 4096 }
    }
}

/// What reading found.
#[derive(Debug)]
pub enum Outcome {
    Asdf(AsdfFile),
    /// The file is not ASDF: its first bytes, for another reader.
    NotAsdf(Vec<u8>),
}

/// Why reading failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Source(SourceError),
    Asdf(AsdfError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Source(e) => f.write_str(&e.0),
            ReadError::Asdf(e) => write!(f, "{e}"),
        }
    }
}

/// Reads the tree and block map. `head` holds the file's first bytes when
/// already read (else empty).
pub async fn read_asdf<S: StreamSource>(
    source: &mut S,
    head: Vec<u8>,
    limits: ReadLimits,
) -> Result<Outcome, ReadError> {
    let mut bytes = head;
    let mut tail: Option<(u64, Vec<u8>)> = None;
    let mut at_eof = source.size().is_some_and(|size| bytes.len() as u64 >= size);
    let mut target = limits.first.max(bytes.len() as u64 + 1);
    // A small file is read whole, in one request.
    if let Some(size) = source.size().filter(|&size| size <= limits.tail && !at_eof) {
        let start = bytes.len() as u64;
        let rest = source.read(start, size - start).await.map_err(ReadError::Source)?;
        bytes.extend_from_slice(&rest);
        at_eof = true;
    }
    while !at_eof && !head_done(&bytes) {
        if bytes.len() as u64 >= limits.cap {
            let why = format!("the YAML tree does not end (no '...' line) in the first {} bytes", limits.cap);
            return Err(ReadError::Asdf(AsdfError::Unfinished(why)));
        }
        let start = bytes.len() as u64;
        let len = target.min(limits.cap) - start;
        // The tail at the same time, where the size is known (the head read may stop before it).
        let also = match (source.size(), &tail) {
            (Some(size), None) if size > start + limits.tail => Some((size - limits.tail, limits.tail)),
            _ => None,
        };
        let prefix: Vec<u8> = bytes[bytes.len().saturating_sub(8)..].to_vec();
        let not_asdf = limits.not_asdf.max(6) as usize;
        let mut seen = 0usize;
        let mut enough = |got: &[u8]| {
            if start == 0 && got.len() >= not_asdf && !got.starts_with(b"#ASDF") {
                return true;
            }
            // Look for the marker in what is new, with a few bytes of overlap.
            let found = if seen == 0 {
                has_end_marker(&[prefix.as_slice(), got].concat())
            } else {
                has_end_marker(&got[seen.saturating_sub(8)..])
            };
            seen = got.len();
            found
        };
        let (head_read, tail_read) = source.read_until(start, len, &mut enough, also).await;
        let got = head_read.map_err(ReadError::Source)?;
        if let (Some(read), Some((at, _))) = (tail_read, also) {
            tail = Some((at, read.map_err(ReadError::Source)?));
        }
        at_eof = got.is_empty() || source.size().is_some_and(|size| start + got.len() as u64 >= size);
        bytes.extend_from_slice(&got);
        if bytes.len() >= 5 && !bytes.starts_with(b"#ASDF") {
            return Ok(Outcome::NotAsdf(bytes));
        }
        target = target.saturating_mul(4);
    }
    if super::head::versions(&bytes).is_none() {
        return Ok(Outcome::NotAsdf(bytes));
    }
    let size = source.size().unwrap_or(bytes.len() as u64);
    if tail.is_none() && size > bytes.len() as u64 {
        let len = limits.tail.min(size);
        tail = Some((size - len, source.read(size - len, len).await.map_err(ReadError::Source)?));
    }
    let tail_ref = tail.as_ref().map(|(at, b)| (*at, b.as_slice())).or(Some((0, bytes.as_slice())));
    assemble(&bytes, at_eof, tail_ref, size).map(Outcome::Asdf).map_err(|e| match e {
        AsdfError::Unfinished(_) if at_eof => ReadError::Asdf(AsdfError::Unfinished(format!(
            "the YAML tree does not end: no '...' line before the end of the file ({} bytes)",
            bytes.len()
        ))),
        other => ReadError::Asdf(other),
    })
}

/// The head is complete enough to stop: not ASDF, or the tree (or its absence) is settled.
fn head_done(bytes: &[u8]) -> bool {
    if bytes.len() >= 5 && !bytes.starts_with(b"#ASDF") {
        return true;
    }
    !bytes.is_empty() && super::head::tree_span(bytes, false) != super::head::TreeSpan::Incomplete
}

/// A `...` line in `window` (a quick test; the whole head is checked after).
fn has_end_marker(window: &[u8]) -> bool {
    find(window, b"\n...\n").is_some() || find(window, b"\n...\r\n").is_some() || find(window, b"\n... ").is_some()
}
