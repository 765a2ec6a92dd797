//! Durable progress without a sync per part: parts are written as they
//! come; once a second (per file), or sooner once 64 MiB more were
//! written, the part file is synced and only then is the resume record
//! saved, claiming just the parts written before that sync began. A killed
//! or power-cut download therefore never resumes from bytes that were not
//! on disk. The last sync comes before the rename. (The 64 MiB rule keeps
//! the disk writing while the network delivers on a fast link, so that
//! last sync has little left to write; on a slow link the second rules.)
//! With `--no-sync` the syncs do nothing and the record says so: it is
//! trusted until the machine restarts ([`Claims`]).
//!
//! [`Journal`] is the bookkeeping (pure); [`persist`] runs it over a stream
//! of finished parts, with the file and the record behind two small traits
//! so the order of operations is tested under a fault-injecting writer.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};

use super::blocking::{joined, off_runtime};
use super::parts::{Claims, Ranges, ResumeRecord};

/// How often a file's progress is made durable, at most...
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// ...unless this many bytes more were written since the last checkpoint.
pub const CHECKPOINT_BYTES: u64 = 64 << 20;

/// A part file that can be written at offsets and synced.
pub trait PartFile: Send + Sync + 'static {
    fn write_all_at(&self, bytes: &[u8], at: u64) -> io::Result<()>;
    /// Makes every write that returned before this call durable.
    fn sync(&self) -> io::Result<()>;
}

/// Where the resume record is kept.
pub trait RecordSink: Send + Sync + 'static {
    fn save(&self, record: &ResumeRecord) -> io::Result<()>;
}

impl PartFile for std::fs::File {
    fn write_all_at(&self, bytes: &[u8], at: u64) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::write_all_at(self, bytes, at)
        }
        #[cfg(windows)]
        {
            let (mut bytes, mut at) = (bytes, at);
            while !bytes.is_empty() {
                let n = std::os::windows::fs::FileExt::seek_write(self, bytes, at)?;
                if n == 0 {
                    return Err(io::ErrorKind::WriteZero.into());
                }
                bytes = &bytes[n..];
                at += n as u64;
            }
            Ok(())
        }
    }

    fn sync(&self) -> io::Result<()> {
        self.sync_data()
    }
}

/// The record saved atomically at a path (temp file, rename), with the
/// syncs that make it survive a power cut unless `sync` is off.
pub struct RecordFile {
    pub path: std::path::PathBuf,
    pub sync: bool,
}

impl RecordSink for RecordFile {
    fn save(&self, record: &ResumeRecord) -> io::Result<()> {
        let text = serde_json::to_vec(record).map_err(io::Error::other)?;
        super::store::replace(&self.path, &text, self.sync)
    }
}

/// What a record of bytes written now claims: synced ones, or unsynced
/// ones of this boot.
pub fn claims_now(sync: bool) -> Claims {
    if sync { Claims::Synced } else { Claims::Unsynced { boot: this_boot() } }
}

/// The id of the machine's current boot (Linux; `None` elsewhere), which
/// tells whether a record of unsynced bytes was saved before a restart.
pub fn this_boot() -> Option<String> {
    static BOOT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    BOOT.get_or_init(|| {
        let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        Some(id.trim().to_owned()).filter(|id| !id.is_empty())
    })
    .clone()
}

/// What is written, and what the record on disk claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    written: Ranges,
    claimed: Ranges,
    last_checkpoint: Option<Instant>,
    /// Bytes written since the last checkpoint began.
    since_checkpoint: u64,
    /// One checkpoint per this long ([`CHECKPOINT_EVERY`]) at most, unless
    /// [`CHECKPOINT_BYTES`] more were written.
    every: Duration,
}

impl Journal {
    /// Starts from what an earlier run's record claimed (on disk already).
    pub fn new(claimed: Ranges) -> Self {
        Self::every(claimed, CHECKPOINT_EVERY)
    }

    /// The same with another period (tests).
    pub fn every(claimed: Ranges, every: Duration) -> Self {
        Self { written: claimed.clone(), claimed, last_checkpoint: None, since_checkpoint: 0, every }
    }

    /// Bytes `[start, end)` are written to the file (not yet synced).
    pub fn wrote(&mut self, start: u64, end: u64) {
        self.written.insert(start, end);
        self.since_checkpoint += end.saturating_sub(start);
    }

    pub fn written(&self) -> &Ranges {
        &self.written
    }

    pub fn claimed(&self) -> &Ranges {
        &self.claimed
    }

    /// Whether a checkpoint is worth its sync now: something unclaimed, and
    /// the last one at least a period ago or [`CHECKPOINT_BYTES`] behind.
    pub fn due(&self, now: Instant) -> bool {
        self.written != self.claimed
            && (self.since_checkpoint >= CHECKPOINT_BYTES
                || self.last_checkpoint.is_none_or(|last| now.duration_since(last) >= self.every))
    }

    /// A checkpoint begins: what the record may claim once the sync that
    /// starts now has returned (everything written before it).
    pub fn begin(&mut self, now: Instant) -> Ranges {
        self.last_checkpoint = Some(now);
        self.since_checkpoint = 0;
        self.written.clone()
    }

    /// The sync returned and the record claiming `ranges` was saved.
    pub fn saved(&mut self, ranges: Ranges) {
        self.claimed = ranges;
    }
}

/// Syncs the file, then saves the record claiming `claim`: never the other
/// way round, and no record when the sync failed.
pub fn checkpoint<F: PartFile, R: RecordSink>(
    file: &F,
    sink: &R,
    record: &ResumeRecord,
    claim: &Ranges,
) -> io::Result<()> {
    file.sync()?;
    sink.save(&ResumeRecord { done: claim.clone(), ..record.clone() })
}

/// How a run of [`persist`] ended.
#[derive(Debug)]
pub enum Persisted<E> {
    /// Every part came and the file is synced: ready for the rename.
    Complete,
    /// A part failed (or the download stopped); what was written is claimed.
    Stopped(E),
    /// The file or the record could not be written.
    Io(io::Error),
}

/// Takes finished parts (`Ok((start, end))`, written to `file` already) as
/// they come, checkpointing at most once per [`CHECKPOINT_EVERY`] while the
/// parts go on. At the end the file is synced once (complete), or what was
/// written is checkpointed (stopped). `on_part` sees the written ranges.
pub async fn persist<F, R, E, S>(
    parts: S,
    file: Arc<F>,
    sink: Arc<R>,
    record: &ResumeRecord,
    journal: &mut Journal,
    mut on_part: impl FnMut(&Ranges),
) -> Persisted<E>
where
    F: PartFile,
    R: RecordSink,
    S: Stream<Item = Result<(u64, u64), E>>,
{
    let mut parts = std::pin::pin!(parts);
    let mut pending: Option<tokio::task::JoinHandle<io::Result<Ranges>>> = None;
    let stopped = loop {
        tokio::select! {
            part = parts.next() => match part {
                None => break None,
                Some(Err(error)) => break Some(error),
                Some(Ok((start, end))) => {
                    journal.wrote(start, end);
                    on_part(journal.written());
                    if pending.is_none() && journal.due(Instant::now()) {
                        let claim = journal.begin(Instant::now());
                        pending = Some(spawn_checkpoint(&file, &sink, record, claim));
                    }
                }
            },
            done = async { pending.as_mut().expect("guarded").await }, if pending.is_some() => {
                pending = None;
                match joined(done) {
                    Ok(claim) => journal.saved(claim),
                    Err(e) => return Persisted::Io(e),
                }
            }
        }
    };
    if let Some(task) = pending.take() {
        match joined(task.await) {
            Ok(claim) => journal.saved(claim),
            Err(e) => return Persisted::Io(e),
        }
    }
    match stopped {
        None => {
            let file = file.clone();
            match off_runtime(move || file.sync()).await {
                Ok(()) => Persisted::Complete,
                Err(e) => Persisted::Io(e),
            }
        }
        Some(error) => {
            if journal.written() != journal.claimed() {
                let claim = journal.begin(Instant::now());
                let task = spawn_checkpoint(&file, &sink, record, claim);
                match joined(task.await) {
                    Ok(claim) => journal.saved(claim),
                    Err(e) => return Persisted::Io(e),
                }
            }
            Persisted::Stopped(error)
        }
    }
}

fn spawn_checkpoint<F: PartFile, R: RecordSink>(
    file: &Arc<F>,
    sink: &Arc<R>,
    record: &ResumeRecord,
    claim: Ranges,
) -> tokio::task::JoinHandle<io::Result<Ranges>> {
    let (file, sink, record) = (file.clone(), sink.clone(), record.clone());
    tokio::task::spawn_blocking(move || checkpoint(&*file, &*sink, &record, &claim).map(|()| claim))
}

#[cfg(test)]
#[path = "durable_tests.rs"]
mod tests;
