//! Ranged GETs of one object, as a [`RangeSource`] for the FITS reader.
//!
//! The ETag of the first answer is pinned: every later read sends
//! `If-Match`, so an object that changes between reads is noticed instead of
//! mixing two versions. Reads never take more than they asked for, even from
//! a server that ignores `Range`.

use std::time::Duration;

use aws_sdk_s3::operation::get_object::GetObjectOutput;

use super::clients::BucketClient;
use super::error::{S3Error, S3ErrorKind};
use super::object::ObjectDetails;
use crate::fits::reader::{RangeSource, SourceError};

/// Reads streamed piece by piece until the caller has enough (gzip, ASDF).
mod until;

/// Ranged GETs one reader keeps in flight at once (a quick-look's sampled rows).
pub const IN_FLIGHT: usize = 32;

/// Bytes at the start of the object kept for a text preview.
const HEAD_KEPT: usize = 8192;

pub struct S3RangeSource {
    bucket: BucketClient,
    key: String,
    etag: Option<String>,
    size: Option<u64>,
    /// GET requests made.
    pub requests: u64,
    /// Body bytes received.
    pub bytes_read: u64,
    details: ObjectDetails,
    /// An answer has come (its metadata is in `details`).
    answered: bool,
    /// How long one read may take, body included (plus time for its size).
    time_limit: Duration,
    head: Vec<u8>,
}

impl S3RangeSource {
    /// `etag` and `size`, when already known (from a listing or HEAD), pin the reads from the start.
    pub fn new(bucket: BucketClient, key: &str, etag: Option<String>, size: Option<u64>) -> Self {
        // The SDK's timeouts end when the headers arrive; a body can trickle.
        let time_limit = bucket.timeouts().operation;
        Self {
            bucket,
            key: key.into(),
            etag,
            size,
            requests: 0,
            bytes_read: 0,
            details: ObjectDetails::default(),
            answered: false,
            time_limit,
            head: Vec::new(),
        }
    }

    /// A source for another object of the same bucket.
    pub fn sibling(&self, key: &str) -> Self {
        Self::new(self.bucket.clone(), key, None, None)
    }

    /// Metadata from the first answer.
    pub fn details(&self) -> ObjectDetails {
        ObjectDetails { size: self.size.unwrap_or(0), etag: self.etag.clone(), ..self.details.clone() }
    }

    /// The first bytes of the object, if a read started at 0.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The object's size, once a read has told it.
    pub fn size_known(&self) -> Option<u64> {
        self.size
    }

    /// One range of a multi-range read (an empty one is refused).
    async fn fetch_range(&self, etag: Option<&str>, start: u64, len: u64) -> Result<Answer, S3Error> {
        if len == 0 {
            return Err(S3Error::new(S3ErrorKind::InvalidRange, "empty range"));
        }
        fetch_within(&self.object(), self.time_limit, etag, Some(start), len).await
    }

    fn object(&self) -> Object<'_> {
        Object { bucket: &self.bucket, key: &self.key }
    }

    async fn get(&mut self, start: u64, len: u64) -> Result<Vec<u8>, S3Error> {
        let answer = fetch_within(&self.object(), self.time_limit, self.etag.as_deref(), Some(start), len).await;
        self.take(start, answer)
    }

    /// Records what one answer said (ETag, size, metadata) and counts it.
    fn take(&mut self, start: u64, answer: Result<Answer, S3Error>) -> Result<Vec<u8>, S3Error> {
        let answer = match answer {
            Ok(answer) => {
                self.requests += answer.requests;
                answer
            }
            Err(error) if error.kind == S3ErrorKind::InvalidRange => {
                self.requests += 1;
                // Reading at or past the end (an empty object answers so too).
                self.size.get_or_insert(start);
                return Ok(Vec::new());
            }
            Err(error) => {
                self.requests += 1;
                return Err(error);
            }
        };
        if self.etag.is_none() {
            self.etag = answer.etag;
        }
        if !self.answered {
            self.answered = true;
            self.details = answer.details;
        }
        if let Some(total) = answer.total.or(if self.size.is_none() { answer.whole } else { None }) {
            self.size = Some(total);
        }
        self.bytes_read += answer.bytes.len() as u64 + answer.streamed;
        if start == 0 && self.head.is_empty() {
            self.head = answer.bytes[..answer.bytes.len().min(HEAD_KEPT)].to_vec();
        }
        Ok(answer.bytes)
    }
}

/// One ranged GET's body and what its headers said.
struct Answer {
    /// Where the bytes start in the object.
    start: u64,
    bytes: Vec<u8>,
    etag: Option<String>,
    /// From Content-Range.
    total: Option<u64>,
    /// Content-Length, for a server that ignored the range.
    whole: Option<u64>,
    details: ObjectDetails,
    /// HTTP requests it took (more than one when the body broke off).
    requests: u64,
    /// Body bytes taken and handed on, not kept in `bytes` (a streamed read).
    streamed: u64,
}

impl Answer {
    /// An answer starting at `start`, from the headers of its first response (no request counted yet).
    fn begin(output: &GetObjectOutput, start: u64, total: Option<u64>, bytes: Vec<u8>) -> Self {
        Answer {
            start,
            bytes,
            etag: output.e_tag().map(str::to_string),
            total,
            whole: output.content_length().map(|l| l.max(0) as u64),
            details: ObjectDetails {
                size: 0,
                last_modified: output.last_modified().map(|t| t.secs()),
                content_type: output.content_type().map(str::to_string),
                etag: None,
                storage_class: Some(output.storage_class().map_or("STANDARD", |c| c.as_str()).to_string()),
            },
            requests: 0,
            streamed: 0,
        }
    }
}

/// A response's Content-Range as given, the object size it names, and the first byte it holds.
fn content_range_of(output: &GetObjectOutput) -> (Option<String>, Option<u64>, Option<u64>) {
    let content_range = output.content_range().map(str::to_string);
    let total = content_range.as_deref().and_then(|r| r.rsplit('/').next()).and_then(|t| t.parse().ok());
    let from = content_range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes "))
        .and_then(|r| r.split('-').next())
        .and_then(|s| s.parse::<u64>().ok());
    (content_range, total, from)
}

/// The object a read is for.
struct Object<'a> {
    bucket: &'a BucketClient,
    key: &'a str,
}

/// `fetch`, given up after `limit` and a second for every 64 KiB.
async fn fetch_within(
    object: &Object<'_>,
    limit: Duration,
    etag: Option<&str>,
    start: Option<u64>,
    len: u64,
) -> Result<Answer, S3Error> {
    let limit = limit + Duration::from_secs(len / (64 << 10));
    // Not while the bucket's first request is still finding its region.
    object.bucket.wait_for_region().await;
    match tokio::time::timeout(limit, fetch(object, etag, start, len)).await {
        Ok(answer) => answer,
        Err(_) => Err(S3Error::new(
            S3ErrorKind::TimedOut,
            format!("timed out reading from {} ({} s)", object.bucket.server(), limit.as_secs()),
        )),
    }
}

/// Times a body cut off mid-stream is asked for again (the SDK retries only
/// until the headers arrive).
const BODY_ATTEMPTS: u32 = 3;

/// One ranged read, pinned to `etag`; takes at most `len` bytes of the body.
/// Without `start`, the last `len` bytes (a suffix range; the answer says
/// where they start). A body that breaks off is resumed where it stopped,
/// pinned to the ETag of the first answer, so the pieces always come from one version.
async fn fetch(object: &Object<'_>, etag: Option<&str>, start: Option<u64>, len: u64) -> Result<Answer, S3Error> {
    let endpoint = object.bucket.server();
    let mut answer: Option<Answer> = None;
    let mut broken = 0;
    let mut len = len;
    loop {
        let done = answer.as_ref().map_or(0, |a| a.bytes.len() as u64);
        let pinned = answer.as_ref().and_then(|a| a.etag.as_deref()).or(etag);
        if done > 0 && pinned.is_none() {
            // Without an ETag the rest could come from another version.
            return Err(S3Error::new(S3ErrorKind::Unreachable, format!("reading from {endpoint}: the body broke off")));
        }
        let from = answer.as_ref().map(|a| a.start).or(start);
        let mut output = match from {
            Some(from) => get_range(object, pinned, from + done, len - done).await?,
            None => object.bucket.get_tail(object.key, len, pinned).await?,
        };
        let (content_range, total, answered_from) = content_range_of(&output);
        let from = match (from, answered_from, total) {
            (Some(from), ..) => from,
            // A suffix of a smaller object is all of it; its length is the range's.
            (None, Some(answered), Some(total)) => {
                len = total - answered;
                answered
            }
            (None, ..) => {
                return Err(S3Error::new(
                    S3ErrorKind::Unreachable,
                    format!("reading from {endpoint}: asked for the last {len} bytes, got {content_range:?}"),
                ));
            }
        };
        // A server that ignores Range sends the object from its first byte.
        if answered_from.unwrap_or(0) != from + done {
            return Err(S3Error::new(
                S3ErrorKind::Unreachable,
                format!("reading from {endpoint}: asked for bytes from {}, got {content_range:?}", from + done),
            ));
        }
        if let (Some(first), Some(now)) = (answer.as_ref().and_then(|a| a.etag.as_deref()), output.e_tag())
            && first != now
        {
            return Err(S3Error::new(S3ErrorKind::Unreachable, format!("{endpoint}: the object changed while read")));
        }
        let first = answer
            .get_or_insert_with(|| Answer::begin(&output, from, total, Vec::with_capacity(len.min(1 << 24) as usize)));
        first.requests += 1;
        match read_body(&mut output, &mut first.bytes, len).await {
            Ok(()) => break,
            Err(e) => {
                broken += 1;
                if broken >= BODY_ATTEMPTS {
                    return Err(S3Error::new(S3ErrorKind::Unreachable, format!("reading from {endpoint}: {e}")));
                }
            }
        }
    }
    Ok(answer.expect("set by the first answer"))
}

async fn get_range(object: &Object<'_>, etag: Option<&str>, start: u64, len: u64) -> Result<GetObjectOutput, S3Error> {
    object.bucket.get_range(object.key, start, start + len, etag).await
}

/// Appends the body to `bytes` until it ends or `bytes` holds `len`.
async fn read_body(output: &mut GetObjectOutput, bytes: &mut Vec<u8>, len: u64) -> Result<(), String> {
    while (bytes.len() as u64) < len {
        let Some(chunk) = output.body.try_next().await.map_err(|e| e.to_string())? else { break };
        let keep = (len - bytes.len() as u64).min(chunk.len() as u64) as usize;
        bytes.extend_from_slice(&chunk[..keep]);
    }
    Ok(())
}

impl RangeSource for S3RangeSource {
    async fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, SourceError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        self.get(start, len).await.map_err(|e| SourceError(e.message))
    }

    /// The ranges are fetched concurrently, at most [`IN_FLIGHT`] at once,
    /// each pinned to the ETag already seen; answers come back in order.
    async fn read_many(&mut self, ranges: &[(u64, u64)]) -> Vec<Result<Vec<u8>, SourceError>> {
        use futures::StreamExt;
        let etag = self.etag.clone();
        let this: &Self = self;
        let mut pending = Vec::with_capacity(ranges.len());
        for &(start, len) in ranges {
            pending.push(this.fetch_range(etag.as_deref(), start, len));
        }
        let answers: Vec<_> = futures::stream::iter(pending).buffered(IN_FLIGHT).collect().await;
        ranges
            .iter()
            .zip(answers)
            .map(|(&(start, _), answer)| self.take(start, answer).map_err(|e| SourceError(e.message)))
            .collect()
    }

    /// The last `len` bytes (all of a smaller object) and where they start:
    /// one suffix GET when the size is not known yet, a plain range when it is.
    async fn read_tail(&mut self, len: u64) -> Result<(u64, Vec<u8>), SourceError> {
        if let Some(size) = self.size {
            let start = size.saturating_sub(len);
            return Ok((start, self.read(start, size - start).await?));
        }
        let answer = fetch_within(&self.object(), self.time_limit, self.etag.as_deref(), None, len).await;
        let start = answer.as_ref().map_or(0, |a| a.start);
        let bytes = self.take(start, answer).map_err(|e| SourceError(e.message))?;
        Ok((start, bytes))
    }

    fn size(&self) -> Option<u64> {
        self.size
    }
}
