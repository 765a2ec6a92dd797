//! Downloads one object into `<file>.part`, then renames it into place.
//!
//! A small object is one GET (no resume record: there is nothing to
//! resume); a large one comes in ranged parts whose size and number in
//! flight grow with it ([`PartPlan`]), with a resume record beside the part
//! file made durable at most once a second ([`persist`]). Every GET is
//! pinned to the version first seen (`If-Match`); no HEAD is sent for a
//! small object when a listing gave the size and ETag. All downloads of a
//! run share one set of limits ([`Transfers`]). Before the rename the size
//! is checked, and the content, as it arrives: a one-GET object against
//! the CRC-64/NVME its answer carries, else the MD5 its ETag names; a large
//! one against its CRC (one HEAD asks), combined from its parts' CRCs, else
//! the MD5 ([`Check`]). Memory stays bounded: bodies stream to disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::blocking::off_runtime;
use super::check::{Check, WholeCheck, check_crc, check_md5, settle};
use super::crc::SpanCrcs;
use super::durable::{Journal, Persisted, RecordFile, RecordSink, claims_now, persist, this_boot};
use super::fetch::{FetchError, Sink, Source, fetch_part};
use super::gate::Permit;
use super::part_file::{Arrival, DiskFile, Opening, arrive, open_off_runtime};
use super::parts::{Ranges, ResumeRecord};
use super::plan::PartPlan;
use super::transfers::Transfers;
use super::verify::{Existing, ObjectVersion, existing, hash_prefix};
use crate::s3::{BucketClient, S3ErrorKind};

pub use super::options::DownloadOptions;

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

async fn load_record(path: &Path) -> Option<ResumeRecord> {
    let text = tokio::fs::read(path).await.ok()?;
    serde_json::from_slice(&text).ok()
}

/// One object to fetch.
pub struct Download<'a> {
    pub bucket: &'a BucketClient,
    pub key: &'a str,
    pub destination: &'a Path,
    /// The size and ETag a listing gave: no HEAD is needed.
    pub known: Option<ObjectVersion>,
}

/// Why an attempt at a download stopped short of the file.
enum Halt {
    /// The file is there already, identical.
    AlreadyThere,
    /// The object changed under it (its part file is gone): start over, once.
    ObjectChanged,
    Error(DownloadError),
}

impl From<DownloadError> for Halt {
    fn from(error: DownloadError) -> Self {
        Halt::Error(error)
    }
}

impl From<FetchError> for Halt {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::Cancelled => Halt::Error(DownloadError::Cancelled),
            FetchError::Changed => Halt::ObjectChanged,
            FetchError::Failed(why) => Halt::Error(failed(why)),
        }
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

/// What one attempt is run with.
struct Run<'r> {
    engine: &'r Transfers,
    /// The download's object slot, until its bytes are in.
    slot: &'r std::sync::Mutex<Option<Permit>>,
    options: DownloadOptions,
    cancel: &'r CancellationToken,
    progress: &'r (dyn Fn(u64, u64) + Send + Sync),
    fetched: AtomicU64,
}

impl Download<'_> {
    /// Runs the download within `engine`'s limits, in the object slot the
    /// caller took from it (given back once the bytes are in, while the
    /// file is synced). `progress` is called with the bytes on disk and the size.
    pub async fn run(
        &self,
        engine: &Transfers,
        slot: Permit,
        options: DownloadOptions,
        cancel: &CancellationToken,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Outcome, DownloadError> {
        let mut restarted = false;
        let mut known = self.known.clone();
        let slot = std::sync::Mutex::new(Some(slot));
        loop {
            let run = Run { engine, slot: &slot, options, cancel, progress, fetched: AtomicU64::new(0) };
            match self.attempt(&run, known.take(), restarted).await {
                Ok(outcome) => return Ok(outcome),
                Err(Halt::AlreadyThere) => return Ok(Outcome::AlreadyThere),
                // What the listing said is stale: ask the server this time.
                Err(Halt::ObjectChanged) if !restarted => restarted = true,
                Err(Halt::ObjectChanged) => return Err(failed("the object keeps changing while it is downloaded")),
                Err(Halt::Error(error)) => return Err(error),
            }
        }
    }

    async fn attempt(&self, run: &Run<'_>, known: Option<ObjectVersion>, restarted: bool) -> Result<Outcome, Halt> {
        // `None`: not asked yet (a listing told the version).
        let (now, crc64nvme) = match known {
            Some(known) => (known, None),
            None => {
                let head = tokio::select! {
                    () = run.cancel.cancelled() => return Err(DownloadError::Cancelled.into()),
                    head = ObjectVersion::head(self.bucket, self.key, None) => head.map_err(|e| failed(e.message))?,
                };
                (head.version, Some(head.crc64nvme))
            }
        };
        let plan = PartPlan::for_object(now.size, run.options.part_size, run.options.parts_in_flight);
        let single = plan.is_single(now.size);
        let (part, record_path) = part_paths(self.destination);
        // A record left by an earlier plan is of no use to one GET.
        let fresh = || Opening::Fresh { stale_record: record_path.clone() };
        let opening = single.then(|| (part.clone(), now.size, fresh(), run.options.sync));
        let opened = match arrive(self.destination, opening).await {
            Ok(Arrival::Absent(opened)) => opened,
            // Its directory is there, since it is.
            Ok(Arrival::There) => self.replaceable(run, &now).await.map(|()| None)?,
            Err(e) => return Err(io_failed(e.doing, &e.path, e.error).into()),
        };
        if single {
            let file = match opened {
                Some(file) => file,
                None => open_off_runtime(&part, now.size, fresh(), run.options.sync)
                    .await
                    .map_err(|e| io_failed("creating", &part, e))?,
            };
            self.fetch_whole(run, &now, restarted, Arc::new(file)).await
        } else {
            let check = self.check_for_parts(run, &now, crc64nvme).await?;
            self.fetch_in_parts(run, &now, plan, restarted, check).await
        }
    }

    /// Whether what is at the destination may be replaced: not when it is
    /// the object already, nor a directory, nor a different file without `--force`.
    async fn replaceable(&self, run: &Run<'_>, now: &ObjectVersion) -> Result<(), Halt> {
        match existing(self.destination, now).await {
            Existing::Absent => Ok(()),
            Existing::Same => Err(Halt::AlreadyThere),
            Existing::NotAFile => {
                Err(failed(format!("{} exists and is not a file", self.destination.display())).into())
            }
            Existing::Differs if run.options.force => Ok(()),
            Existing::Differs => {
                let why = format!("{} exists and differs (use --force to replace it)", self.destination.display());
                Err(failed(why).into())
            }
        }
    }

    /// What a download in parts is checked against: its CRC when it has
    /// one (a HEAD asks, unless the download began with one), else the MD5.
    async fn check_for_parts(
        &self,
        run: &Run<'_>,
        now: &ObjectVersion,
        crc64nvme: Option<Option<u64>>,
    ) -> Result<Check, Halt> {
        if !run.options.verify {
            return Ok(Check::Nothing);
        }
        let crc = match crc64nvme {
            Some(asked) => asked,
            None => {
                let head = tokio::select! {
                    () = run.cancel.cancelled() => return Err(DownloadError::Cancelled.into()),
                    head = ObjectVersion::head(self.bucket, self.key, now.etag.as_deref()) => head,
                };
                match head {
                    Ok(head) if head.version.size != now.size => return Err(Halt::ObjectChanged),
                    Ok(head) => head.crc64nvme,
                    Err(e) if e.kind == S3ErrorKind::Changed => return Err(Halt::ObjectChanged),
                    // The GETs may still work: the MD5, if any, checks instead.
                    Err(e) => {
                        tracing::debug!("s3://{}/{}: no checksum ({})", self.bucket.name(), self.key, e.message);
                        None
                    }
                }
            }
        };
        Ok(Check::choose(true, crc, now.md5()))
    }

    /// One GET into the part file (opened), checked as it comes; one sync; the rename.
    async fn fetch_whole(
        &self,
        run: &Run<'_>,
        now: &ObjectVersion,
        restarted: bool,
        file: Arc<DiskFile>,
    ) -> Result<Outcome, Halt> {
        let (part, record_path) = part_paths(self.destination);
        (run.progress)(0, now.size);
        let mut check = run.options.verify.then(|| WholeCheck::new(now.md5()));
        if now.size > 0 {
            let source = self.source(now);
            let mut sink =
                Sink { file: &*file, engine: run.engine, fetched: &run.fetched, whole: check.as_mut(), crc: None };
            if let Err(error) = fetch_part(&source, &mut sink, (0, now.size), run.options.attempts, run.cancel).await {
                if error != FetchError::Cancelled {
                    let _ = tokio::fs::remove_file(&part).await;
                }
                return Err(error.into());
            }
        }
        if let Some(check) = check {
            settle(check.verdict(), &part, &record_path).await.map_err(failed)?;
        }
        let _finishing = run.leave_the_network().await?;
        // Sized when opened and written to its end: synced (unless off), with
        // the other small files of the moment if small, then renamed.
        run.engine.group_sync.land(file, now.size, &part, self.destination).await.map_err(|e| failed(e.to_string()))?;
        (run.progress)(now.size, now.size);
        let fetched = run.fetched.load(Ordering::Relaxed);
        Ok(Outcome::Downloaded { size: now.size, fetched, resumed: false, restarted })
    }

    /// Ranged parts in flight, progress made durable as they come.
    async fn fetch_in_parts(
        &self,
        run: &Run<'_>,
        now: &ObjectVersion,
        plan: PartPlan,
        restarted: bool,
        check: Check,
    ) -> Result<Outcome, Halt> {
        let sync = run.options.sync;
        let prepared = self.prepare(now, restarted, sync).await?;
        let (part, record_path) = (&prepared.part, &prepared.record_path);
        let file = open_off_runtime(part, now.size, Opening::Resumable, sync).await;
        let file = Arc::new(file.map_err(|e| io_failed("creating", part, e))?);
        if !prepared.resumed {
            // A part file without a record would look like another version's.
            let (path, record) = (record_path.clone(), prepared.record.clone());
            let saved = off_runtime(move || RecordFile { path, sync }.save(&record)).await;
            saved.map_err(|e| io_failed("writing", record_path, e))?;
        }
        (run.progress)(prepared.record.done.covered(), now.size);
        // The MD5 is computed while the download goes on, over the part of
        // the file that is complete from its start.
        let (hashable, hashable_rx) = watch::channel(prepared.record.done.complete_from_start());
        let hasher =
            matches!(check, Check::Md5(_)).then(|| tokio::spawn(hash_prefix(part.clone(), now.size, hashable_rx)));
        let with_crc = matches!(check, Check::Crc64Nvme(_));
        let crcs = SpanCrcs::default();
        let source = self.source(now);
        let missing = prepared.record.done.missing_parts(now.size, plan.part_size);
        let parts = futures::stream::iter(missing)
            .map(|range| {
                let (source, file, crcs) = (&source, &*file, &crcs);
                async move {
                    let mut crc = with_crc.then(crate::checksum::crc64nvme_digest);
                    let mut sink =
                        Sink { file, engine: run.engine, fetched: &run.fetched, whole: None, crc: crc.as_mut() };
                    fetch_part(source, &mut sink, range, run.options.attempts, run.cancel).await?;
                    if let Some(crc) = crc {
                        crcs.add(range, crc.finalize());
                    }
                    Ok(range)
                }
            })
            .buffer_unordered(plan.parts_in_flight);
        let mut journal = Journal::new(prepared.record.done.clone());
        let sink = Arc::new(RecordFile { path: record_path.clone(), sync });
        let on_part = |written: &Ranges| {
            (run.progress)(written.covered(), now.size);
            hashable.send_replace(written.complete_from_start());
        };
        match persist(parts, file.clone(), sink, &prepared.record, &mut journal, on_part).await {
            Persisted::Complete => {}
            Persisted::Io(e) => return Err(io_failed("writing", part, e).into()),
            Persisted::Stopped(FetchError::Changed) => {
                let _ = tokio::fs::remove_file(part).await;
                let _ = tokio::fs::remove_file(record_path).await;
                return Err(Halt::ObjectChanged);
            }
            Persisted::Stopped(error) => return Err(error.into()),
        }
        if !journal.written().is_complete(now.size) {
            return Err(failed("some parts are missing after the download").into());
        }
        drop(hashable);
        let md5 = match hasher {
            Some(task) => Some(
                task.await
                    .map_err(|e| failed(format!("hashing {}: {e}", part.display())))?
                    .map_err(|e| io_failed("reading", part, e))?,
            ),
            None => None,
        };
        if let Check::Crc64Nvme(expected) = check {
            check_crc(part, record_path, now.size, crcs, expected).await.map_err(failed)?;
        }
        self.finish(part, record_path, now, md5).await?;
        let fetched = run.fetched.load(Ordering::Relaxed);
        let restarted = prepared.changed || restarted;
        Ok(Outcome::Downloaded { size: now.size, fetched, resumed: prepared.resumed, restarted })
    }

    /// The object's version, as every GET of this download asks for it.
    fn source<'a>(&'a self, now: &'a ObjectVersion) -> Source<'a> {
        Source { bucket: self.bucket, key: self.key, etag: now.etag.as_deref(), size: now.size }
    }

    /// The part file's record: an earlier run's if it recorded this very
    /// object (its part file still there) and its claims still hold, else a
    /// new one. What this run saves claims as `sync` says.
    async fn prepare(&self, now: &ObjectVersion, restarted: bool, sync: bool) -> Result<Prepared, DownloadError> {
        let (part, record_path) = part_paths(self.destination);
        let had_part = tokio::fs::try_exists(&part).await.unwrap_or(false);
        let previous = load_record(&record_path).await.filter(|_| had_part);
        let (previous, lapsed): (Option<ResumeRecord>, bool) = match previous {
            Some(record) if !record.claims.trusted_in(this_boot().as_deref()) => (None, true),
            previous => (previous, false),
        };
        if lapsed {
            tracing::info!("{}: unsynced progress from before a restart: starting over", self.destination.display());
        }
        let resumed_record =
            previous.filter(|r| r.matches(self.bucket.name(), self.key, now.size, now.etag.as_deref()));
        let changed = !restarted && !lapsed && resumed_record.is_none() && had_part;
        let resumed = resumed_record.is_some();
        // An earlier run's record stands on disk until this run's first
        // checkpoint (whose sync covers its bytes too); what this run saves
        // claims as this run writes.
        let claims = claims_now(sync);
        let record = match resumed_record {
            Some(record) => ResumeRecord { claims, ..record },
            None => ResumeRecord {
                bucket: self.bucket.name().into(),
                key: self.key.into(),
                size: now.size,
                etag: now.etag.clone(),
                done: Ranges::default(),
                claims,
            },
        };
        if !resumed {
            let _ = tokio::fs::remove_file(&part).await;
        }
        Ok(Prepared { part, record_path, record, resumed, changed })
    }

    /// Checks the part file (length, MD5) and moves it into place.
    async fn finish(
        &self,
        part: &Path,
        record_path: &Path,
        now: &ObjectVersion,
        md5: Option<String>,
    ) -> Result<(), DownloadError> {
        let length = tokio::fs::metadata(part).await.map_err(|e| io_failed("reading", part, e))?.len();
        if length != now.size {
            return Err(failed(format!("{} has {length} bytes, expected {}", part.display(), now.size)));
        }
        check_md5(part, record_path, now.md5(), md5).await.map_err(failed)?;
        tokio::fs::rename(part, self.destination).await.map_err(|e| io_failed("renaming into", self.destination, e))?;
        let _ = tokio::fs::remove_file(record_path).await;
        Ok(())
    }
}

impl Run<'_> {
    /// The bytes are in: the object slot goes to the next object while
    /// this file waits for the disk (thousands of small files each wait
    /// for a journal commit), in a finishing slot instead.
    async fn leave_the_network(&self) -> Result<Permit, DownloadError> {
        let finishing = tokio::select! {
            () = self.cancel.cancelled() => return Err(DownloadError::Cancelled),
            finishing = self.engine.finishing_slot() => finishing,
        };
        drop(self.slot.lock().unwrap_or_else(|e| e.into_inner()).take());
        Ok(finishing)
    }
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
}
