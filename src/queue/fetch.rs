//! One ranged GET streamed into the part file at its offset: the body's
//! chunks, as the HTTP client hands them over (no copy), are gathered into
//! batches of 256 KiB written off the runtime's threads (the next batch
//! gathers while one is written), retried with backoff from the byte where
//! a dropped connection left off, under the run's bytes-in-flight limit.
//! Throttling answers are reported to the limits.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::check::{WholeCheck, full_object_crc};
use super::durable::PartFile;
use super::transfers::Transfers;
use crate::s3::{BucketClient, S3ErrorKind};

/// Bytes gathered before one trip to the blocking pool. Each trip costs two
/// thread wake-ups, which at 64 KiB cost more CPU than the writes on a
/// fast link; at most two batches per GET are held.
const WRITE_BATCH: usize = 256 << 10;
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
    pub file: &'a Arc<F>,
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
        room = sink.engine.bytes(end - start) => room,
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
    let mut writer = OffsetWriter::new(sink.file.clone(), *at, WRITE_BATCH);
    let written = async {
        while *at < end {
            let chunk = match output.body.try_next().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => return Err(Attempt::Transient(format!("the connection dropped: {e}"))),
            };
            let keep = chunk.slice(..((end - *at) as usize).min(chunk.len()));
            let len = keep.len() as u64;
            if let Some(check) = sink.whole.as_deref_mut() {
                check.update(&keep);
            }
            if let Some(crc) = sink.crc.as_deref_mut() {
                crc.update(&keep);
            }
            writer.push(keep).await.map_err(|e| Attempt::Permanent(format!("writing the part file: {e}")))?;
            *at += len;
            sink.fetched.fetch_add(len, Ordering::Relaxed);
            sink.engine.received(len);
        }
        Ok(())
    };
    let result = written.await;
    // Whatever came is written before a retry goes on from `at`.
    writer.finish().await.map_err(|e| Attempt::Permanent(format!("writing the part file: {e}")))?;
    result?;
    if *at < end {
        return Err(Attempt::Transient(format!("the answer ended {} bytes early", end - *at)));
    }
    Ok(())
}

/// Writes a stream of chunks at consecutive offsets, a batch at a time,
/// one batch written while the next gathers.
struct OffsetWriter<F: PartFile> {
    file: Arc<F>,
    /// Where the batch's first byte goes.
    at: u64,
    batch: Vec<Bytes>,
    batched: usize,
    limit: usize,
    writing: Option<JoinHandle<io::Result<()>>>,
}

impl<F: PartFile> OffsetWriter<F> {
    fn new(file: Arc<F>, at: u64, limit: usize) -> Self {
        Self { file, at, batch: Vec::new(), batched: 0, limit, writing: None }
    }

    async fn push(&mut self, chunk: Bytes) -> io::Result<()> {
        self.batched += chunk.len();
        self.batch.push(chunk);
        if self.batched >= self.limit {
            self.submit().await?;
        }
        Ok(())
    }

    /// Hands the batch to a blocking write, after the previous one.
    async fn submit(&mut self) -> io::Result<()> {
        self.wait().await?;
        let batch = std::mem::take(&mut self.batch);
        let (file, mut at) = (self.file.clone(), self.at);
        self.at += std::mem::take(&mut self.batched) as u64;
        self.writing = Some(tokio::task::spawn_blocking(move || {
            for chunk in batch {
                file.write_all_at(&chunk, at)?;
                at += chunk.len() as u64;
            }
            Ok(())
        }));
        Ok(())
    }

    /// Waits for the write in flight.
    async fn wait(&mut self) -> io::Result<()> {
        match self.writing.take() {
            None => Ok(()),
            Some(task) => task.await.map_err(io::Error::other)?,
        }
    }

    /// Writes what is left and waits until it is written.
    async fn finish(mut self) -> io::Result<()> {
        if !self.batch.is_empty() {
            self.submit().await?;
        }
        self.wait().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct MemoryFile(Mutex<Vec<u8>>, AtomicU64);

    impl PartFile for MemoryFile {
        fn write_all_at(&self, bytes: &[u8], at: u64) -> io::Result<()> {
            let mut data = self.0.lock().unwrap();
            let end = at as usize + bytes.len();
            if data.len() < end {
                data.resize(end, 0);
            }
            data[at as usize..end].copy_from_slice(bytes);
            self.1.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }

        fn sync(&self) -> io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn chunks_land_at_their_offsets_in_batches() {
        let file = Arc::new(MemoryFile::default());
        let mut writer = OffsetWriter::new(file.clone(), 100, WRITE_BATCH);
        let data = Bytes::from((0..1_000_000u32).map(|i| (i % 253) as u8).collect::<Vec<u8>>());
        let chunk = 16 * 1024 + 3;
        for start in (0..data.len()).step_by(chunk) {
            writer.push(data.slice(start..(start + chunk).min(data.len()))).await.unwrap();
            assert!(writer.batched < WRITE_BATCH, "a full batch is handed over at once");
        }
        writer.finish().await.unwrap();
        let written = file.0.lock().unwrap();
        assert_eq!(&written[100..], &data[..]);
        assert_eq!(file.1.load(Ordering::Relaxed), 1_000_000usize.div_ceil(chunk) as u64, "one write per chunk");
    }
}
