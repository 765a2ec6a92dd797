//! One ranged GET streamed into the part file at its offset: bodies are
//! gathered into 64 KiB writes done off the runtime's threads (the next
//! buffer fills while one is written), retried with backoff from the byte
//! where a dropped connection left off, under the run's bytes-in-flight
//! limit. Throttling answers are reported to the limits.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use md5::{Digest, Md5};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::durable::PartFile;
use super::transfers::Transfers;
use crate::s3::{BucketClient, S3ErrorKind};

/// Bytes gathered before one write to the file (two such buffers per GET
/// in flight: the memory of hundreds of GETs stays a few MiB).
const WRITE_BUFFER: usize = 64 << 10;
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
}

/// Where the bytes go and what is counted.
pub struct Sink<'a, F: PartFile> {
    pub file: &'a Arc<F>,
    pub engine: &'a Transfers,
    /// Bytes that came over the network for this download.
    pub fetched: &'a AtomicU64,
    /// Hashes the bytes in order (a part that is the whole object).
    pub hasher: Option<&'a mut Md5>,
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
    let mut output =
        source.bucket.get_range(source.key, *at, end, source.etag).await.map_err(|error| match error.kind {
            S3ErrorKind::Changed => Attempt::Changed,
            S3ErrorKind::Throttled => {
                sink.engine.throttled();
                Attempt::Transient(error.message)
            }
            _ if error.is_transient() => Attempt::Transient(error.message),
            _ => Attempt::Permanent(error.message),
        })?;
    let capacity = WRITE_BUFFER.min((end - *at) as usize);
    let mut writer = OffsetWriter::new(sink.file.clone(), *at, capacity);
    let written = async {
        while *at < end {
            let chunk = match output.body.try_next().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => return Err(Attempt::Transient(format!("the connection dropped: {e}"))),
            };
            let keep = &chunk[..((end - *at) as usize).min(chunk.len())];
            writer.push(keep).await.map_err(|e| Attempt::Permanent(format!("writing the part file: {e}")))?;
            if let Some(hasher) = sink.hasher.as_deref_mut() {
                hasher.update(keep);
            }
            *at += keep.len() as u64;
            sink.fetched.fetch_add(keep.len() as u64, Ordering::Relaxed);
            sink.engine.received(keep.len() as u64);
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

/// Writes a stream of bytes at consecutive offsets, a buffer at a time,
/// one write in flight while the next buffer fills.
struct OffsetWriter<F: PartFile> {
    file: Arc<F>,
    /// Where the buffer's bytes go.
    at: u64,
    buf: Vec<u8>,
    capacity: usize,
    writing: Option<JoinHandle<(io::Result<()>, Vec<u8>)>>,
}

impl<F: PartFile> OffsetWriter<F> {
    fn new(file: Arc<F>, at: u64, capacity: usize) -> Self {
        Self { file, at, buf: Vec::with_capacity(capacity), capacity, writing: None }
    }

    async fn push(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let take = (self.capacity - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() >= self.capacity {
                self.submit().await?;
            }
        }
        Ok(())
    }

    /// Hands the full buffer to a blocking write, after the previous one.
    async fn submit(&mut self) -> io::Result<()> {
        let spare = self.wait().await?;
        let full = std::mem::replace(&mut self.buf, spare);
        let (file, at) = (self.file.clone(), self.at);
        self.at += full.len() as u64;
        self.writing = Some(tokio::task::spawn_blocking(move || {
            let written = file.write_all_at(&full, at);
            (written, full)
        }));
        Ok(())
    }

    /// Waits for the write in flight; returns its buffer, emptied.
    async fn wait(&mut self) -> io::Result<Vec<u8>> {
        match self.writing.take() {
            None => Ok(Vec::with_capacity(self.capacity)),
            Some(task) => {
                let (written, mut buf) = task.await.map_err(io::Error::other)?;
                written?;
                buf.clear();
                Ok(buf)
            }
        }
    }

    /// Writes what is left and waits until it is written.
    async fn finish(mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.submit().await?;
        }
        self.wait().await.map(drop)
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
    async fn bytes_land_at_their_offsets_in_few_writes() {
        let file = Arc::new(MemoryFile::default());
        let mut writer = OffsetWriter::new(file.clone(), 100, WRITE_BUFFER);
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
        for chunk in data.chunks(16 * 1024 + 3) {
            writer.push(chunk).await.unwrap();
        }
        writer.finish().await.unwrap();
        let written = file.0.lock().unwrap();
        assert_eq!(&written[100..], &data[..]);
        assert_eq!(file.1.load(Ordering::Relaxed), 16, "1,000,000 bytes in 64 KiB writes");
    }
}
