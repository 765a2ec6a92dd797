//! One ranged GET streamed into the part file at its offset, retried with
//! backoff from the byte where a dropped connection left off, under the
//! run's limits of bytes in flight and read buffers. Throttling answers
//! are reported to the limits.
//!
//! Each chunk is written (`pwrite`, into the page cache) on the runtime
//! thread that received it, the moment it arrives, as s5cmd does. Handing
//! batches to the blocking pool cost two to three times the CPU on a fast
//! link (1 GiB on loopback; see BENCHMARKS.md): the bytes were cold by the
//! time another thread copied them, and chunks held for a batch kept the
//! HTTP client from reusing its read buffer, so each read faulted in fresh
//! pages. Such a write takes microseconds; only a disk far behind the
//! network makes the kernel hold a writer back, and then the download
//! should wait anyway. (The explorer's event loop runs on
//! its own thread, not among the runtime's workers.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::check::{WholeCheck, full_object_crc};
use super::durable::PartFile;
use super::transfers::Transfers;
use crate::s3::{BucketClient, S3ErrorKind};

const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Why a part could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    Cancelled,
    /// The object is not the version asked for (`If-Match` failed).
    Changed,
    Failed(String),
}

/// The object a part belongs to.
pub struct Source<'a> {
    pub bucket: &'a BucketClient,
    pub key: &'a str,
    /// Pins every GET to this version (`If-Match`).
    pub etag: Option<&'a str>,
    pub size: u64,
}

/// Where the bytes go and what is counted.
pub struct Sink<'a, F: PartFile> {
    pub file: &'a F,
    pub engine: &'a Transfers,
    /// Bytes that came over the network for this download.
    pub fetched: &'a AtomicU64,
    /// Checks the bytes in order (a part that is the whole object).
    pub whole: Option<&'a mut WholeCheck>,
    /// The part's CRC-64/NVME, computed as its bytes arrive.
    pub crc: Option<&'a mut crc_fast::Digest>,
}

enum Attempt {
    Changed,
    Transient(String),
    Permanent(String),
}

/// Fetches `[start, end)` into the file, retrying transient failures up to
/// `attempts` times in all, each from where the last one stopped.
pub async fn fetch_part<F: PartFile>(
    source: &Source<'_>,
    sink: &mut Sink<'_, F>,
    (start, end): (u64, u64),
    attempts: u32,
    cancel: &CancellationToken,
) -> Result<(), FetchError> {
    let _room = tokio::select! {
        () = cancel.cancelled() => return Err(FetchError::Cancelled),
        room = sink.engine.room_for_body(end - start) => room,
    };
    let mut at = start;
    let mut delay = FIRST_BACKOFF;
    for attempt in 1..=attempts.max(1) {
        let result = tokio::select! {
            () = cancel.cancelled() => return Err(FetchError::Cancelled),
            r = fetch_once(source, sink, &mut at, end) => r,
        };
        let why = match result {
            Ok(()) => return Ok(()),
            Err(Attempt::Changed) => return Err(FetchError::Changed),
            Err(Attempt::Permanent(why)) => return Err(FetchError::Failed(why)),
            Err(Attempt::Transient(why)) => why,
        };
        if attempt == attempts.max(1) {
            return Err(FetchError::Failed(why));
        }
        tracing::debug!(
            "s3://{}/{} bytes {at}-{end}: {why}; attempt {attempt} of {attempts}, again in {delay:?}",
            source.bucket.name(),
            source.key
        );
        tokio::select! {
            () = cancel.cancelled() => return Err(FetchError::Cancelled),
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(MAX_BACKOFF);
    }
    unreachable!("the last attempt returns")
}

async fn fetch_once<F: PartFile>(
    source: &Source<'_>,
    sink: &mut Sink<'_, F>,
    at: &mut u64,
    end: u64,
) -> Result<(), Attempt> {
    // The whole object in one answer: no range, so that S3 sends its checksum.
    let whole = *at == 0 && end == source.size;
    let answer = if whole {
        source.bucket.get_whole(source.key, source.etag).await
    } else {
        source.bucket.get_range(source.key, *at, end, source.etag).await
    };
    let mut output = answer.map_err(|error| match error.kind {
        S3ErrorKind::Changed => Attempt::Changed,
        S3ErrorKind::Throttled => {
            sink.engine.throttled();
            Attempt::Transient(error.message)
        }
        _ if error.is_transient() => Attempt::Transient(error.message),
        _ => Attempt::Permanent(error.message),
    })?;
    if let Some(check) = sink.whole.as_deref_mut().filter(|_| whole) {
        check.answered(full_object_crc(output.checksum_crc64_nvme(), output.checksum_type()));
    }
    while *at < end {
        let chunk = match output.body.try_next().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(Attempt::Transient(format!("the connection dropped: {e}"))),
        };
        let keep = &chunk[..((end - *at) as usize).min(chunk.len())];
        if let Some(check) = sink.whole.as_deref_mut() {
            check.update(keep);
        }
        if let Some(crc) = sink.crc.as_deref_mut() {
            crc.update(keep);
        }
        // Written here, on the thread that received it (see the module's doc).
        sink.file.write_all_at(keep, *at).map_err(|e| Attempt::Permanent(format!("writing the part file: {e}")))?;
        let len = keep.len() as u64;
        *at += len;
        sink.fetched.fetch_add(len, Ordering::Relaxed);
        sink.engine.received(len);
    }
    if *at < end {
        return Err(Attempt::Transient(format!("the answer ended {} bytes early", end - *at)));
    }
    Ok(())
}
