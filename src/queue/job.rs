//! A download job and its state machine. Pure: no IO.
//!
//! ```text
//! Queued ──start──▶ Running ──complete──▶ Done
//!   │  ▲              │ │ └──fail──▶ Failed ──retry──▶ Queued
//!   │  └──resume── Paused ◀──pause──┘ │
//!   └──────────cancel───────────────▶ Cancelled ──retry──▶ Queued
//! ```

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where a job is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Paused,
    Done,
    Failed(String),
    Cancelled,
}

/// What can happen to a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEvent {
    Start,
    Pause,
    Resume,
    Complete,
    Fail(String),
    Cancel,
    Retry,
}

/// An event that makes no sense in the current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTransition {
    pub from: JobState,
    pub event: JobEvent,
}

impl fmt::Display for BadTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {:?} a job that is {}", self.event, self.from.label())
    }
}

impl JobState {
    /// The state after `event`, or why it cannot happen.
    pub fn apply(&self, event: JobEvent) -> Result<JobState, BadTransition> {
        use JobEvent as E;
        use JobState as S;
        let next = match (self, &event) {
            (S::Queued, E::Start) => S::Running,
            (S::Queued | S::Running, E::Pause) => S::Paused,
            (S::Paused, E::Resume) => S::Queued,
            (S::Running, E::Complete) => S::Done,
            (S::Running, E::Fail(reason)) => S::Failed(reason.clone()),
            (S::Queued | S::Running | S::Paused | S::Failed(_), E::Cancel) => S::Cancelled,
            (S::Failed(_) | S::Cancelled, E::Retry) => S::Queued,
            _ => return Err(BadTransition { from: self.clone(), event }),
        };
        Ok(next)
    }

    /// Finished, one way or another: nothing runs until a retry.
    pub fn is_final(&self) -> bool {
        matches!(self, JobState::Done | JobState::Failed(_) | JobState::Cancelled)
    }

    pub fn label(&self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Done => "done",
            JobState::Failed(_) => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// An object as a listing showed it: enough to download it without a HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub key: String,
    pub size: u64,
    /// As the server sent it, quotes included.
    pub etag: Option<String>,
}

impl Listed {
    pub fn new(key: impl Into<String>, size: u64, etag: Option<String>) -> Self {
        Self { key: key.into(), size, etag }
    }
}

/// One object to download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    pub bucket: String,
    pub key: String,
    /// The final file.
    pub destination: PathBuf,
    /// Known once the object was first seen.
    pub size: Option<u64>,
    pub etag: Option<String>,
    pub state: JobState,
    /// Bytes on disk in the part file.
    pub done_bytes: u64,
}

impl Job {
    pub fn new(id: u64, bucket: &str, key: &str, destination: PathBuf) -> Self {
        Self {
            id,
            bucket: bucket.into(),
            key: key.into(),
            destination,
            size: None,
            etag: None,
            state: JobState::Queued,
            done_bytes: 0,
        }
    }

    /// Applies an event; the state is unchanged if it cannot happen.
    pub fn handle(&mut self, event: JobEvent) -> Result<(), BadTransition> {
        self.state = self.state.apply(event)?;
        Ok(())
    }

    /// Fraction done, when the size is known.
    pub fn progress(&self) -> Option<f64> {
        match self.size {
            Some(0) => Some(1.0),
            Some(size) => Some(self.done_bytes as f64 / size as f64),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        Job::new(1, "b", "k.fits", PathBuf::from("/tmp/k.fits"))
    }

    #[test]
    fn a_job_runs_to_done() {
        let mut j = job();
        j.handle(JobEvent::Start).unwrap();
        assert_eq!(j.state, JobState::Running);
        j.handle(JobEvent::Complete).unwrap();
        assert_eq!(j.state, JobState::Done);
        assert!(j.state.is_final());
        assert!(j.handle(JobEvent::Retry).is_err(), "a done job is not retried");
        assert!(j.handle(JobEvent::Cancel).is_err());
        assert_eq!(j.state, JobState::Done, "a refused event changes nothing");
    }

    #[test]
    fn pause_resume_cancel_and_retry() {
        let mut j = job();
        j.handle(JobEvent::Start).unwrap();
        j.handle(JobEvent::Pause).unwrap();
        assert_eq!(j.state, JobState::Paused);
        assert!(j.handle(JobEvent::Complete).is_err());
        j.handle(JobEvent::Resume).unwrap();
        assert_eq!(j.state, JobState::Queued, "a resumed job waits for its turn");
        j.handle(JobEvent::Start).unwrap();
        j.handle(JobEvent::Fail("access denied".into())).unwrap();
        assert_eq!(j.state, JobState::Failed("access denied".into()));
        j.handle(JobEvent::Retry).unwrap();
        assert_eq!(j.state, JobState::Queued);
        j.handle(JobEvent::Cancel).unwrap();
        assert_eq!(j.state, JobState::Cancelled);
        j.handle(JobEvent::Retry).unwrap();
        assert_eq!(j.state, JobState::Queued);
    }

    #[test]
    fn impossible_events_are_refused_with_a_reason() {
        let err = JobState::Queued.apply(JobEvent::Complete).unwrap_err();
        assert_eq!(err.to_string(), "cannot Complete a job that is queued");
        assert!(JobState::Paused.apply(JobEvent::Start).is_err());
        assert!(JobState::Running.apply(JobEvent::Start).is_err());
        assert!(JobState::Queued.apply(JobEvent::Retry).is_err());
    }

    #[test]
    fn states_serialize_for_the_queue_file() {
        let json = serde_json::to_string(&JobState::Failed("HTTP 500".into())).unwrap();
        assert_eq!(json, r#"{"state":"failed","reason":"HTTP 500"}"#);
        assert_eq!(serde_json::from_str::<JobState>(r#"{"state":"paused"}"#).unwrap(), JobState::Paused);
    }

    #[test]
    fn progress_needs_a_size() {
        let mut j = job();
        assert_eq!(j.progress(), None);
        j.size = Some(200);
        j.done_bytes = 50;
        assert_eq!(j.progress(), Some(0.25));
        j.size = Some(0);
        assert_eq!(j.progress(), Some(1.0));
    }
}
