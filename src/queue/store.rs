//! The download queue on disk: saved atomically (temp file, fsync, rename)
//! after every change, restored at start-up. A file that cannot be read is
//! moved aside, never a reason to crash.

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
/// new one, never a mix: write a temp file beside it, fsync, rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!("{name}.tmp"));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temp, path)
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
        assert!(!path.with_extension("json.tmp").exists());
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
