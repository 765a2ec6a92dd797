//! The download queue on disk: saved atomically (a temp file of its own,
//! fsync, rename, fsync of the directory) after every change, restored at
//! start-up, and held by one s3scope at a time (a lock beside it). A file
//! that cannot be read is moved aside, never a reason to crash.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::job::Job;

#[derive(Debug, Serialize, Deserialize)]
struct QueueFile {
    version: u32,
    jobs: Vec<Job>,
}

const VERSION: u32 = 1;

/// `<state dir>/s3scope/queue.json` (`~/.local/state/s3scope/queue.json`).
pub fn default_queue_path() -> PathBuf {
    crate::dirs::state_dir().join("queue.json")
}

/// Replaces `path` with `bytes` so that a crash leaves the old file or the
/// new one, never a mix: a temp file of its own beside it (two writers never
/// share one), fsync, rename, and an fsync of the directory so the rename
/// itself survives a power cut.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, bytes, true)
}

/// [`write_atomically`] with the syncs (`sync`) or without them: without,
/// a crash of the program still leaves the old file or the new one, a
/// crash of the machine may leave neither.
pub fn replace(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".s3scope-").suffix(".tmp").tempfile_in(dir)?;
    temp.write_all(bytes)?;
    if sync {
        temp.as_file().sync_all()?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    if sync { sync_dir(dir) } else { Ok(()) }
}

/// Makes a rename in `dir` durable (Unix; elsewhere the rename is enough).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The queue file held by this process; released when dropped (or when the
/// process ends, however it ends).
#[derive(Debug)]
pub struct QueueLock {
    _file: std::fs::File,
}

impl QueueLock {
    /// Holds the queue at `path`, unless another s3scope does (`None`).
    pub fn try_acquire(path: &Path) -> std::io::Result<Option<Self>> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path.with_file_name(format!("{name}.lock")))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// Writes the jobs atomically.
pub fn save(path: &Path, jobs: &[Job]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = serde_json::to_vec_pretty(&QueueFile { version: VERSION, jobs: jobs.to_vec() })
        .map_err(std::io::Error::other)?;
    write_atomically(path, &text)
}

/// What was found at start-up.
#[derive(Debug, Default)]
pub struct Loaded {
    pub jobs: Vec<Job>,
    /// Set when the file was unreadable and moved aside: where, and why.
    pub moved_aside: Option<(PathBuf, String)>,
}

/// Reads the queue; a missing file is an empty queue, a corrupt one is moved
/// to `queue.json.corrupt-<seconds>`.
pub fn load(path: &Path) -> Loaded {
    let Ok(text) = std::fs::read(path) else { return Loaded::default() };
    match serde_json::from_slice::<QueueFile>(&text) {
        Ok(file) if file.version == VERSION => Loaded { jobs: file.jobs, moved_aside: None },
        result => {
            let why = match result {
                Ok(file) => format!("unknown version {}", file.version),
                Err(e) => e.to_string(),
            };
            let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let aside = path.with_extension(format!("json.corrupt-{stamp}"));
            let _ = std::fs::rename(path, &aside);
            Loaded { jobs: Vec::new(), moved_aside: Some((aside, why)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::job::{JobEvent, JobState};

    #[test]
    fn jobs_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/queue.json");
        let mut failed = Job::new(2, "b", "k2", PathBuf::from("/dl/k2"));
        failed.handle(JobEvent::Start).unwrap();
        failed.handle(JobEvent::Fail("HTTP 500".into())).unwrap();
        let jobs = vec![Job::new(1, "b", "k\u{1b}", PathBuf::from("/dl/k")), failed];
        save(&path, &jobs).unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.jobs, jobs);
        assert!(loaded.moved_aside.is_none());
        assert_eq!(loaded.jobs[1].state, JobState::Failed("HTTP 500".into()));
        let names: Vec<_> =
            std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("queue.json")], "no temp file is left");
    }

    #[test]
    fn one_process_holds_the_queue_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/queue.json");
        let first = QueueLock::try_acquire(&path).unwrap();
        assert!(first.is_some());
        // Another holder (a lock is per open file, as for another process).
        assert!(QueueLock::try_acquire(&path).unwrap().is_none(), "held elsewhere");
        drop(first);
        assert!(QueueLock::try_acquire(&path).unwrap().is_some(), "free again once released");
    }

    #[test]
    fn writers_at_once_never_interleave_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.json");
        let writers: Vec<_> = (0..4u8)
            .map(|n| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for round in 0..50u32 {
                        let job = Job::new(u64::from(n), "b", &format!("writer-{n}-{round}"), PathBuf::from("/dl/x"));
                        save(&path, &vec![job; 20 + n as usize]).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let loaded = load(&path);
        assert!(loaded.moved_aside.is_none(), "the file is one writer's whole");
        let first = loaded.jobs[0].key.clone();
        assert!(loaded.jobs.iter().all(|j| j.key == first));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("queue.json")], "{left:?}");
    }

    #[test]
    fn a_missing_file_is_an_empty_queue() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&dir.path().join("none.json"));
        assert!(loaded.jobs.is_empty() && loaded.moved_aside.is_none());
    }

    #[test]
    fn a_corrupt_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.json");
        std::fs::write(&path, b"{\"version\": 1, \"jobs\": [trunc").unwrap();
        let loaded = load(&path);
        assert!(loaded.jobs.is_empty());
        let (aside, why) = loaded.moved_aside.unwrap();
        assert!(aside.exists() && !path.exists());
        assert!(!why.is_empty());
    }
}
