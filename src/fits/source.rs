//! A range source that streams: one GET whose body is handed over piece by
//! piece as it arrives and dropped (the connection closed, never drained)
//! once the caller has enough; a second small read can run at the same
//! time. Used by the gzip header reader, the inflated data reads and ASDF.

use std::future::Future;

use super::reader::{RangeSource, SourceError};

/// Called with each piece of a body as it arrives: true once that is enough.
pub type Each<'a> = &'a mut (dyn FnMut(&[u8]) -> bool + Send);

/// Called with all the bytes a read has taken so far: true once that is enough.
pub type Enough<'a> = &'a mut (dyn FnMut(&[u8]) -> bool + Send);

/// A read made at the same time as a streamed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Also {
    /// `len` bytes at `start`.
    Range(u64, u64),
    /// The last `len` bytes (a suffix read when the size is not known yet).
    Tail(u64),
}

/// The second read of [`StreamSource::read_stream`]: where its bytes start, and them.
pub type AlsoRead = Option<Result<(u64, Vec<u8>), SourceError>>;

/// What [`StreamSource::read_until`] read: the range taken until enough, and the other range if asked.
pub type UntilReads = (Result<Vec<u8>, SourceError>, Option<Result<Vec<u8>, SourceError>>);

/// A range source that can stop taking a body early.
pub trait StreamSource: RangeSource + Send {
    /// Reads from `start` up to `len` bytes (`None`: to the end of the
    /// object), giving each piece to `each` until it returns true; the rest
    /// of the body is never taken. Returns the bytes taken (the only ones
    /// counted). With `also`, that read runs at the same time.
    fn read_stream(
        &mut self,
        start: u64,
        len: Option<u64>,
        each: Each<'_>,
        also: Option<Also>,
    ) -> impl Future<Output = (Result<u64, SourceError>, AlsoRead)> + Send;

    /// Reads up to `len` bytes at `start`, taken only until `enough` says
    /// so (what was taken is returned). With `also`, that range is read at
    /// the same time.
    fn read_until(
        &mut self,
        start: u64,
        len: u64,
        enough: Enough<'_>,
        also: Option<(u64, u64)>,
    ) -> impl Future<Output = UntilReads> + Send {
        async move {
            let mut got = Vec::new();
            let mut each = |piece: &[u8]| {
                got.extend_from_slice(piece);
                enough(&got)
            };
            let also = also.map(|(at, n)| Also::Range(at, n));
            let (taken, second) = self.read_stream(start, Some(len), &mut each, also).await;
            (taken.map(|_| got), second.map(|read| read.map(|(_, bytes)| bytes)))
        }
    }
}
