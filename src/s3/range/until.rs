//! A ranged GET that stops taking the body once the caller has enough (the
//! ASDF tree's end marker seen), for [`crate::asdf::read::UntilSource`].
//! Only the bytes taken are counted; the rest of the body is never read
//! (the connection is dropped instead of drained).

use super::{Answer, Object, S3RangeSource, content_range_of, get_range};
use crate::asdf::read::{Enough, UntilReads, UntilSource};
use crate::fits::reader::SourceError;
use crate::s3::error::{S3Error, S3ErrorKind};

impl UntilSource for S3RangeSource {
    async fn read_until(&mut self, start: u64, len: u64, enough: Enough<'_>, also: Option<(u64, u64)>) -> UntilReads {
        if len == 0 {
            return (Ok(Vec::new()), None);
        }
        let etag = self.etag.clone();
        let this: &Self = self;
        let object = this.object();
        let first = until_within(&object, this.time_limit, etag.as_deref(), start, len, enough);
        let second = async {
            match also {
                Some((at, n)) => Some(this.fetch_range(etag.as_deref(), at, n).await),
                None => None,
            }
        };
        let (first, second) = futures::join!(first, second);
        let first = self.take(start, first).map_err(|e| SourceError(e.message));
        let second =
            second.zip(also).map(|(answer, (at, _))| self.take(at, answer).map_err(|e| SourceError(e.message)));
        (first, second)
    }
}

/// [`until`], given up after the reader's time limit and a second for every 64 KiB.
async fn until_within(
    object: &Object<'_>,
    limit: std::time::Duration,
    etag: Option<&str>,
    start: u64,
    len: u64,
    enough: Enough<'_>,
) -> Result<Answer, S3Error> {
    let limit = limit + std::time::Duration::from_secs(len.min(16 << 20) / (64 << 10));
    object.bucket.wait_for_region().await;
    match tokio::time::timeout(limit, until(object, etag, start, len, enough)).await {
        Ok(answer) => answer,
        Err(_) => Err(S3Error::new(
            S3ErrorKind::TimedOut,
            format!("timed out reading from {} ({} s)", object.bucket.server(), limit.as_secs()),
        )),
    }
}

/// One GET of `len` bytes at `start` whose body is taken chunk by chunk until `enough` says so.
async fn until(
    object: &Object<'_>,
    etag: Option<&str>,
    start: u64,
    len: u64,
    enough: Enough<'_>,
) -> Result<Answer, S3Error> {
    let endpoint = object.bucket.server();
    let mut output = get_range(object, etag, start, len).await?;
    let (content_range, total, from) = content_range_of(&output);
    if from.unwrap_or(0) != start {
        return Err(S3Error::new(
            S3ErrorKind::Unreachable,
            format!("reading from {endpoint}: asked for bytes from {start}, got {content_range:?}"),
        ));
    }
    let mut bytes = Vec::new();
    while (bytes.len() as u64) < len && !enough(&bytes) {
        let chunk = output
            .body
            .try_next()
            .await
            .map_err(|e| S3Error::new(S3ErrorKind::Unreachable, format!("reading from {endpoint}: {e}")))?;
        let Some(chunk) = chunk else { break };
        let keep = (len - bytes.len() as u64).min(chunk.len() as u64) as usize;
        bytes.extend_from_slice(&chunk[..keep]);
    }
    Ok(Answer { requests: 1, ..Answer::begin(&output, start, total, bytes) })
}
