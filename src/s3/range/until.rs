//! A GET whose body is handed over piece by piece until the caller has
//! enough (an inflated gzip header walk done, the ASDF tree's end marker
//! seen), for [`StreamSource`]. Only the bytes taken are counted; the rest
//! of the body is never read (the connection is dropped instead of drained).
//! Open-ended reads ask for `bytes=N-`. A body that breaks off is resumed.

use aws_sdk_s3::operation::get_object::GetObjectOutput;

use super::{Answer, BODY_ATTEMPTS, HEAD_KEPT, Object, S3RangeSource, content_range_of, fetch_within, get_range};
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
        let (first, mut second) = futures::join!(first, second);
        // Two reads at once are not pinned to each other: different ETags
        // mean the object changed between them, and the second is dropped.
        let first_etag = first.as_ref().ok().and_then(|a| a.etag.clone());
        if let Some((at, Ok(answer))) = &second
            && let (Some(one), Some(two)) = (first_etag.as_deref(), answer.etag.as_deref())
            && one != two
        {
            let changed = S3Error::new(S3ErrorKind::Unreachable, "the object changed while read");
            second = Some((*at, Err(changed)));
        }
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
/// object are kept (for a text preview); the rest only counted. A body that
/// breaks off is asked for again from where it stopped, pinned to the ETag
/// of the first answer (like [`super::fetch`]).
async fn stream(
    object: &Object<'_>,
    etag: Option<&str>,
    start: u64,
    len: Option<u64>,
    each: Each<'_>,
) -> Result<Answer, S3Error> {
    let endpoint = object.bucket.server();
    let mut answer: Option<Answer> = None;
    let mut body = Body { start, limit: len.unwrap_or(u64::MAX), taken: 0, kept: Vec::new() };
    let mut broken = 0;
    loop {
        let pinned = answer.as_ref().and_then(|a| a.etag.clone()).or(etag.map(str::to_string));
        if body.taken > 0 && pinned.is_none() {
            // Without an ETag the rest could come from another version.
            return Err(S3Error::new(S3ErrorKind::Unreachable, format!("reading from {endpoint}: the body broke off")));
        }
        let at = start + body.taken;
        let mut output = match len {
            Some(len) => get_range(object, pinned.as_deref(), at, len - body.taken).await?,
            None => object.bucket.get_from(object.key, at, pinned.as_deref()).await?,
        };
        let (content_range, total, from) = content_range_of(&output);
        if from.unwrap_or(0) != at {
            return Err(S3Error::new(
                S3ErrorKind::Unreachable,
                format!("reading from {endpoint}: asked for bytes from {at}, got {content_range:?}"),
            ));
        }
        if let (Some(first), Some(now)) = (answer.as_ref().and_then(|a| a.etag.as_deref()), output.e_tag())
            && first != now
        {
            return Err(S3Error::new(S3ErrorKind::Unreachable, format!("{endpoint}: the object changed while read")));
        }
        answer.get_or_insert_with(|| Answer::begin(&output, start, total, Vec::new())).requests += 1;
        match body.take(&mut output, &mut *each).await {
            Ok(()) => break,
            Err(e) => {
                broken += 1;
                if broken >= BODY_ATTEMPTS {
                    return Err(S3Error::new(S3ErrorKind::Unreachable, format!("reading from {endpoint}: {e}")));
                }
            }
        }
    }
    let mut answer = answer.expect("set by the first answer");
    answer.streamed = body.taken - body.kept.len() as u64;
    answer.bytes = body.kept;
    Ok(answer)
}

/// What a streamed read has taken so far.
struct Body {
    start: u64,
    limit: u64,
    taken: u64,
    kept: Vec<u8>,
}

impl Body {
    /// Hands the body's pieces to `each` until it ends, the limit is reached or `each` has enough.
    async fn take(&mut self, output: &mut GetObjectOutput, each: Each<'_>) -> Result<(), String> {
        while self.taken < self.limit {
            let Some(piece) = output.body.try_next().await.map_err(|e| e.to_string())? else { break };
            let piece = &piece[..(self.limit - self.taken).min(piece.len() as u64) as usize];
            self.taken += piece.len() as u64;
            if self.start == 0 && self.kept.len() < HEAD_KEPT {
                self.kept.extend_from_slice(&piece[..piece.len().min(HEAD_KEPT - self.kept.len())]);
            }
            if each(piece) {
                break;
            }
        }
        Ok(())
    }
}
