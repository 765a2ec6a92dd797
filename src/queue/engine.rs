//! Downloads one object: ranged parts fetched concurrently into
//! `<file>.part`, a resume record beside it after every part, retries with
//! backoff for transient failures, size and MD5 checked, then an atomic
//! rename. Memory stays bounded: bodies stream to disk chunk by chunk.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::parts::{Ranges, ResumeRecord};
use super::store::write_atomically;
use crate::checksum::md5_of_file;
use crate::s3::{BucketClient, S3Error, S3ErrorKind};

/// How a download runs.
#[derive(Debug, Clone, Copy)]
pub struct DownloadOptions {
    pub part_size: u64,
    /// Parts of one object fetched at once.
    pub parts_in_flight: usize,
    /// Attempts per part for transient failures.
    pub attempts: u32,
    /// Replace an existing different file.
    pub force: bool,
}

/// Attempts per part for transient failures, the first included.
const PART_ATTEMPTS: u32 = 5;

impl From<&crate::config::Downloads> for DownloadOptions {
    /// The part size and parts in flight of the config's `[downloads]`.
    fn from(downloads: &crate::config::Downloads) -> Self {
        Self {
            part_size: downloads.part_size.0,
            parts_in_flight: (downloads.parts_in_flight as usize).max(1),
            attempts: PART_ATTEMPTS,
            force: false,
        }
    }
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self::from(&crate::config::Downloads::default())
    }
}

/// How a download ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `fetched` bytes came over the network (less than the size when resumed).
    Downloaded { size: u64, fetched: u64, resumed: bool, restarted: bool },
    /// The file is already there, identical.
    AlreadyThere,
}

/// Why a download stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadError {
    /// Stopped on request; the part file is kept for resuming.
    Cancelled,
    Failed(String),
}

impl std::fmt::Display for DownloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DownloadError::Cancelled => f.write_str("cancelled"),
            DownloadError::Failed(why) => f.write_str(why),
        }
    }
}

fn failed(why: impl Into<String>) -> DownloadError {
    DownloadError::Failed(why.into())
}

fn io_failed(what: &str, path: &Path, e: std::io::Error) -> DownloadError {
    failed(format!("{what} {}: {e}", path.display()))
}

/// The part file and its resume record for a destination.
pub fn part_paths(destination: &Path) -> (PathBuf, PathBuf) {
    let name = destination.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    (destination.with_file_name(format!("{name}.part")), destination.with_file_name(format!("{name}.part.json")))
}

/// Hashes the part file from its start as far as `complete` says the bytes
/// are there, until `size` bytes are hashed.
async fn hash_prefix(part: PathBuf, size: u64, mut complete: watch::Receiver<u64>) -> std::io::Result<String> {
    let mut hasher = Md5::new();
    let mut hashed = 0u64;
    let mut file = tokio::fs::File::open(&part).await?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let target = (*complete.borrow_and_update()).min(size);
        while hashed < target {
            let want = ((target - hashed) as usize).min(buf.len());
            let n = file.read(&mut buf[..want]).await?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the part file is shorter than recorded",
                ));
            }
            hasher.update(&buf[..n]);
            hashed += n as u64;
        }
        if hashed >= size {
            return Ok(crate::checksum::hex(&hasher.finalize()));
        }
        if complete.changed().await.is_err() {
            // The download stopped; whatever was complete has been hashed.
            let target = *complete.borrow();
            if hashed >= target.min(size) {
                return Err(std::io::Error::other("the download stopped before the file was complete"));
            }
        }
    }
}

/// Writes the resume record atomically (temp file, fsync, rename).
async fn save_record(path: &Path, record: &ResumeRecord) -> std::io::Result<()> {
    let text = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || write_atomically(&path, &text)).await.map_err(std::io::Error::other)?
}

async fn load_record(path: &Path) -> Option<ResumeRecord> {
    let text = tokio::fs::read(path).await.ok()?;
    serde_json::from_slice(&text).ok()
}

/// What the object is now.
struct Head {
    size: u64,
    etag: Option<String>,
}

impl Head {
    /// The MD5 its ETag names (a multipart ETag, or none, names none).
    fn md5(&self) -> Option<String> {
        self.etag.as_deref().and_then(crate::checksum::etag_md5)
    }
}

async fn head(bucket: &BucketClient, key: &str) -> Result<Head, S3Error> {
    let out = bucket.send(|client| client.head_object().bucket(bucket.name()).key(key).send()).await?;
    Ok(Head { size: out.content_length().unwrap_or(0).max(0) as u64, etag: out.e_tag().map(str::to_string) })
}

/// One object to fetch.
pub struct Download<'a> {
    pub bucket: &'a BucketClient,
    pub key: &'a str,
    pub destination: &'a Path,
}

/// Why an attempt at a download stopped short of the file.
enum Halt {
    /// The object changed under it (its part file is gone): start over, once.
    ObjectChanged,
    Error(DownloadError),
}

impl From<DownloadError> for Halt {
    fn from(error: DownloadError) -> Self {
        Halt::Error(error)
    }
}

/// The part file and its record, ready for the missing parts.
struct Prepared {
    part: PathBuf,
    record_path: PathBuf,
    record: ResumeRecord,
    /// A record of an earlier run matched the object: only the missing parts come.
    resumed: bool,
    /// A part file of another version of the object was there (and is gone).
    changed: bool,
}

impl Download<'_> {
    /// Runs the download. `progress` is called with the bytes on disk and the size.
    pub async fn run(
        &self,
        options: DownloadOptions,
        cancel: &CancellationToken,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Outcome, DownloadError> {
        let mut restarted = false;
        loop {
            match self.attempt(options, cancel, progress, restarted).await {
                Ok(outcome) => return Ok(outcome),
                Err(Halt::ObjectChanged) if !restarted => restarted = true,
                Err(Halt::ObjectChanged) => return Err(failed("the object keeps changing while it is downloaded")),
                Err(Halt::Error(error)) => return Err(error),
            }
        }
    }

    async fn attempt(
        &self,
        options: DownloadOptions,
        cancel: &CancellationToken,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
        restarted: bool,
    ) -> Result<Outcome, Halt> {
        let now = head(self.bucket, self.key).await.map_err(|e| failed(e.message))?;
        if let Some(outcome) = self.check_existing(&now, options.force).await? {
            return Ok(outcome);
        }
        let mut prepared = self.prepare(&now, restarted).await?;
        progress(prepared.record.done.covered(), now.size);
        let fetched = Arc::new(AtomicU64::new(0));
        let (part, record_path) = (prepared.part.clone(), prepared.record_path.clone());
        // The MD5 is computed while the download goes on, over the part of
        // the file that is complete from its start.
        let (hashable, hashable_rx) = watch::channel(prepared.record.done.complete_from_start());
        let hasher = now.md5().map(|_| tokio::spawn(hash_prefix(part.clone(), now.size, hashable_rx)));
        let missing = prepared.record.done.missing_parts(now.size, options.part_size);
        let results = futures::stream::iter(missing)
            .map(|(start, end)| {
                let (fetched, etag, part) = (fetched.clone(), now.etag.clone(), part.clone());
                async move {
                    let fetch = self.fetch_part(&part, start, end, etag.as_deref(), options.attempts, cancel, &fetched);
                    fetch.await.map(|()| (start, end))
                }
            })
            .buffer_unordered(options.parts_in_flight.max(1));
        let mut results = std::pin::pin!(results);
        while let Some(done) = results.next().await {
            let (start, end) = match done {
                Ok(done) => done,
                Err(Halt::ObjectChanged) => {
                    let _ = tokio::fs::remove_file(&part).await;
                    let _ = tokio::fs::remove_file(&record_path).await;
                    return Err(Halt::ObjectChanged);
                }
                Err(halt) => return Err(halt),
            };
            prepared.record.done.insert(start, end);
            save_record(&record_path, &prepared.record).await.map_err(|e| io_failed("writing", &record_path, e))?;
            progress(prepared.record.done.covered(), now.size);
            hashable.send_replace(prepared.record.done.complete_from_start());
        }
        if !prepared.record.done.is_complete(now.size) {
            return Err(failed("some parts are missing after the download").into());
        }
        drop(hashable);
        let md5 = match hasher {
            Some(task) => Some(
                task.await
                    .map_err(|e| failed(format!("hashing {}: {e}", part.display())))?
                    .map_err(|e| io_failed("reading", &part, e))?,
            ),
            None => None,
        };
        let fetched = fetched.load(Ordering::Relaxed);
        Ok(self.finish(&prepared, &now, md5, fetched, restarted).await?)
    }

    /// The part file sized for the object, and its record: an earlier run's
    /// if it recorded this very object, else a new one.
    async fn prepare(&self, now: &Head, restarted: bool) -> Result<Prepared, DownloadError> {
        let (part, record_path) = part_paths(self.destination);
        if let Some(parent) = self.destination.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(|e| io_failed("creating", parent, e))?;
        }
        let had_part = part.exists();
        let previous = load_record(&record_path).await.filter(|_| had_part);
        let resumed_record =
            previous.filter(|r| r.matches(self.bucket.name(), self.key, now.size, now.etag.as_deref()));
        let changed = !restarted && resumed_record.is_none() && had_part;
        let resumed = resumed_record.is_some();
        let record = resumed_record.unwrap_or_else(|| ResumeRecord {
            bucket: self.bucket.name().into(),
            key: self.key.into(),
            size: now.size,
            etag: now.etag.clone(),
            done: Ranges::default(),
        });
        if !resumed {
            let _ = tokio::fs::remove_file(&part).await;
        }
        let file = tokio::fs::OpenOptions::new().create(true).write(true).truncate(false).open(&part).await;
        let file = file.map_err(|e| io_failed("creating", &part, e))?;
        file.set_len(now.size).await.map_err(|e| io_failed("sizing", &part, e))?;
        save_record(&record_path, &record).await.map_err(|e| io_failed("writing", &record_path, e))?;
        Ok(Prepared { part, record_path, record, resumed, changed })
    }

    /// An existing destination: the same object (skip), or refused without `force`.
    async fn check_existing(&self, now: &Head, force: bool) -> Result<Option<Outcome>, DownloadError> {
        let Ok(meta) = tokio::fs::metadata(self.destination).await else { return Ok(None) };
        if !meta.is_file() {
            return Err(failed(format!("{} exists and is not a file", self.destination.display())));
        }
        let same_size = meta.len() == now.size;
        let same_content = match now.md5() {
            Some(md5) if same_size => {
                let path = self.destination.to_path_buf();
                let local = tokio::task::spawn_blocking(move || md5_of_file(&path)).await;
                local.is_ok_and(|local| local.is_ok_and(|local| local == md5))
            }
            _ => same_size,
        };
        if same_content {
            return Ok(Some(Outcome::AlreadyThere));
        }
        if force {
            return Ok(None);
        }
        Err(failed(format!("{} exists and differs (use --force to replace it)", self.destination.display())))
    }

    /// Checks the part file (length, MD5) and moves it into place.
    async fn finish(
        &self,
        prepared: &Prepared,
        now: &Head,
        md5: Option<String>,
        fetched: u64,
        restarted: bool,
    ) -> Result<Outcome, DownloadError> {
        let (part, record_path) = (prepared.part.as_path(), prepared.record_path.as_path());
        let length = tokio::fs::metadata(part).await.map_err(|e| io_failed("reading", part, e))?.len();
        if length != now.size {
            return Err(failed(format!("{} has {length} bytes, expected {}", part.display(), now.size)));
        }
        if let (Some(expected), Some(actual)) = (now.md5(), md5)
            && actual != expected
        {
            let _ = tokio::fs::remove_file(part).await;
            let _ = tokio::fs::remove_file(record_path).await;
            return Err(failed(format!("MD5 mismatch (got {actual}, ETag {expected}); the part file was removed")));
        }
        tokio::fs::rename(part, self.destination).await.map_err(|e| io_failed("renaming into", self.destination, e))?;
        let _ = tokio::fs::remove_file(record_path).await;
        let restarted = prepared.changed || restarted;
        Ok(Outcome::Downloaded { size: now.size, fetched, resumed: prepared.resumed, restarted })
    }

    /// Fetches `[start, end)` into the part file, retrying transient failures.
    #[allow(clippy::too_many_arguments)]
    async fn fetch_part(
        &self,
        part: &Path,
        start: u64,
        end: u64,
        etag: Option<&str>,
        attempts: u32,
        cancel: &CancellationToken,
        fetched: &AtomicU64,
    ) -> Result<(), Halt> {
        let mut delay = Duration::from_millis(200);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = tokio::select! {
                () = cancel.cancelled() => return Err(DownloadError::Cancelled.into()),
                r = self.fetch_once(part, start, end, etag, fetched) => r,
            };
            match result {
                Ok(()) => return Ok(()),
                Err(PartFailure::Changed) => return Err(Halt::ObjectChanged),
                Err(PartFailure::Transient(why)) if attempt < attempts => {
                    tracing::debug!(
                        "s3://{}/{} bytes {start}-{end}: {why}; attempt {attempt} of {attempts}, again in {delay:?}",
                        self.bucket.name(),
                        self.key
                    );
                    tokio::select! {
                        () = cancel.cancelled() => return Err(DownloadError::Cancelled.into()),
                        () = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(PartFailure::Transient(why) | PartFailure::Permanent(why)) => return Err(failed(why).into()),
            }
        }
    }

    async fn fetch_once(
        &self,
        part: &Path,
        start: u64,
        end: u64,
        etag: Option<&str>,
        fetched: &AtomicU64,
    ) -> Result<(), PartFailure> {
        let mut output = self.bucket.get_range(self.key, start, end, etag).await.map_err(|error| match error.kind {
            S3ErrorKind::Changed => PartFailure::Changed,
            _ if error.is_transient() => PartFailure::Transient(error.message),
            _ => PartFailure::Permanent(error.message),
        })?;
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(part)
            .await
            .map_err(|e| PartFailure::Permanent(format!("opening {}: {e}", part.display())))?;
        file.seek(std::io::SeekFrom::Start(start)).await.map_err(|e| PartFailure::Permanent(e.to_string()))?;
        let mut at = start;
        while let Some(chunk) =
            output.body.try_next().await.map_err(|e| PartFailure::Transient(format!("the connection dropped: {e}")))?
        {
            let keep = ((end - at) as usize).min(chunk.len());
            file.write_all(&chunk[..keep])
                .await
                .map_err(|e| PartFailure::Permanent(format!("writing {}: {e}", part.display())))?;
            at += keep as u64;
            fetched.fetch_add(keep as u64, Ordering::Relaxed);
            if at == end {
                break;
            }
        }
        if at < end {
            return Err(PartFailure::Transient(format!("the answer ended {} bytes early", end - at)));
        }
        file.flush().await.map_err(|e| PartFailure::Permanent(e.to_string()))?;
        file.sync_data().await.map_err(|e| PartFailure::Permanent(format!("writing {}: {e}", part.display())))?;
        Ok(())
    }
}

enum PartFailure {
    Changed,
    Transient(String),
    Permanent(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_sit_beside_the_destination() {
        let (part, record) = part_paths(Path::new("/dl/x/evt2.fits.gz"));
        assert_eq!(part, Path::new("/dl/x/evt2.fits.gz.part"));
        assert_eq!(record, Path::new("/dl/x/evt2.fits.gz.part.json"));
    }

    #[test]
    fn no_etag_names_no_digest() {
        assert_eq!(Head { size: 0, etag: None }.md5(), None);
        let multipart = Head { size: 0, etag: Some("\"7b5fbc177371f4c14107a882843b7014-3\"".into()) };
        assert_eq!(multipart.md5(), None);
    }
}
