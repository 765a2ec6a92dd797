//! A GET whose body is handed over piece by piece until the caller has
//! enough (an inflated gzip header walk done, the ASDF tree's end marker
//! seen), for [`StreamSource`]. Only the bytes taken are counted; the rest
//! of the body is never read (the connection is dropped instead of drained).
//! Open-ended reads ask for `bytes=N-`.

use super::{Answer, HEAD_KEPT, Object, S3RangeSource, content_range_of, fetch_within, get_range};
use crate::fits::reader::SourceError;
use crate::fits::source::{Also, AlsoRead, Each, StreamSource};
use crate::s3::error::{S3Error, S3ErrorKind};

impl StreamSource for S3RangeSource {
    async fn read_stream(
        &mut self,
        start: u64,
        len: Option<u64>,
        each: Each<'_>,
        also: Option<Also>,
    ) -> (Result<u64, SourceError>, AlsoRead) {
        if len == Some(0) {
            return (Ok(0), None);
        }
        let etag = self.etag.clone();
        let this: &Self = self;
        let object = this.object();
        // Boxed: two SDK requests in flight make a large future.
        let first = Box::pin(stream_within(&object, this.time_limit, etag.as_deref(), start, len, each));
        let second = Box::pin(async {
            match also {
                Some(Also::Range(at, n)) => Some((at, this.fetch_range(etag.as_deref(), at, n).await)),
                Some(Also::Tail(n)) => match this.size {
                    Some(size) if size > 0 => {
                        let at = size.saturating_sub(n);
                        Some((at, this.fetch_range(etag.as_deref(), at, size - at).await))
                    }
                    _ => {
                        let answer = fetch_within(&object, this.time_limit, etag.as_deref(), None, n).await;
                        Some((answer.as_ref().map_or(0, |a| a.start), answer))
                    }
                },
                None => None,
            }
        });
        let (first, second) = futures::join!(first, second);
        // `take` returns only the bytes kept; the count is of all taken.
        let taken = first.as_ref().map_or(0, |a| a.bytes.len() as u64 + a.streamed);
        let first = self.take(start, first).map(|_| taken).map_err(|e| SourceError(e.message));
        let second = second.map(|(at, answer)| {
            let at = answer.as_ref().map_or(at, |a| a.start);
            self.take(at, answer).map(|bytes| (at, bytes)).map_err(|e| SourceError(e.message))
        });
        (first, second)
    }
}

/// [`stream`], given up after the reader's time limit and a second for every 64 KiB.
async fn stream_within(
    object: &Object<'_>,
    limit: std::time::Duration,
    etag: Option<&str>,
    start: u64,
    len: Option<u64>,
    each: Each<'_>,
) -> Result<Answer, S3Error> {
    let limit = limit + std::time::Duration::from_secs(len.unwrap_or(u64::MAX).min(16 << 20) / (64 << 10));
    object.bucket.wait_for_region().await;
    match tokio::time::timeout(limit, stream(object, etag, start, len, each)).await {
        Ok(answer) => answer,
        Err(_) => Err(S3Error::new(
            S3ErrorKind::TimedOut,
            format!("timed out reading from {} ({} s)", object.bucket.server(), limit.as_secs()),
        )),
    }
}

/// One GET from `start` (of `len` bytes, or to the end) whose body is given
/// to `each` piece by piece until it says enough. The first bytes of the
/// object are kept (for a text preview); the rest only counted.
async fn stream(
    object: &Object<'_>,
    etag: Option<&str>,
    start: u64,
    len: Option<u64>,
    each: Each<'_>,
) -> Result<Answer, S3Error> {
    let endpoint = object.bucket.server();
    let mut output = match len {
        Some(len) => get_range(object, etag, start, len).await?,
        None => object.bucket.get_from(object.key, start, etag).await?,
    };
    let (content_range, total, from) = content_range_of(&output);
    if from.unwrap_or(0) != start {
        return Err(S3Error::new(
            S3ErrorKind::Unreachable,
            format!("reading from {endpoint}: asked for bytes from {start}, got {content_range:?}"),
        ));
    }
    let len = len.unwrap_or(u64::MAX);
    let mut kept = Vec::new();
    let mut taken = 0u64;
    while taken < len {
        let piece = output
            .body
            .try_next()
            .await
            .map_err(|e| S3Error::new(S3ErrorKind::Unreachable, format!("reading from {endpoint}: {e}")))?;
        let Some(piece) = piece else { break };
        let piece = &piece[..(len - taken).min(piece.len() as u64) as usize];
        taken += piece.len() as u64;
        if start == 0 && kept.len() < HEAD_KEPT {
            kept.extend_from_slice(&piece[..piece.len().min(HEAD_KEPT - kept.len())]);
        }
        if each(piece) {
            break;
        }
    }
    let streamed = taken - kept.len() as u64;
    Ok(Answer { requests: 1, streamed, ..Answer::begin(&output, start, total, kept) })
}
