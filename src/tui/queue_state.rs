//! The download queue as the explorer sees it: jobs, which run, rates, the
//! selection in the queue pane. Pure: it decides, the runner downloads.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::queue::job::{Job, JobEvent, JobState, Listed};
use crate::queue::path::destination;

/// Work for the runner that concerns downloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueEffect {
    Start(Job),
    /// Stop a running download; `discard` removes its part file (cancel),
    /// otherwise it is kept for resuming (pause).
    Stop {
        job: u64,
        destination: PathBuf,
        discard: bool,
    },
    Save(Vec<Job>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueState {
    pub jobs: Vec<Job>,
    pub selected: usize,
    pub max_running: usize,
    pub download_dir: PathBuf,
    /// Bytes a second of running jobs, as last measured.
    pub rates: HashMap<u64, f64>,
    next_id: u64,
}

impl QueueState {
    /// An empty queue running `max_running` downloads at once into `download_dir`.
    pub fn new(max_running: usize, download_dir: PathBuf) -> Self {
        Self { jobs: Vec::new(), selected: 0, max_running, download_dir, rates: HashMap::new(), next_id: 1 }
    }
}

impl Default for QueueState {
    fn default() -> Self {
        let downloads = crate::config::Downloads::default();
        Self::new(downloads.jobs as usize, downloads.dir_path())
    }
}

impl QueueState {
    /// Takes over jobs saved by an earlier run: those that were running wait
    /// again, or are paused when `paused`.
    pub fn restore(&mut self, jobs: Vec<Job>, paused: bool) -> usize {
        let mut unfinished = 0;
        for mut job in jobs {
            if matches!(job.state, JobState::Running | JobState::Queued) {
                job.state = if paused { JobState::Paused } else { JobState::Queued };
            }
            if !job.state.is_final() {
                unfinished += 1;
            }
            self.next_id = self.next_id.max(job.id + 1);
            self.jobs.push(job);
        }
        unfinished
    }

    pub fn running(&self) -> usize {
        self.jobs.iter().filter(|j| j.state == JobState::Running).count()
    }

    fn save(&self) -> QueueEffect {
        QueueEffect::Save(self.jobs.clone())
    }

    /// Starts queued jobs while fewer than `max_running` run.
    fn schedule(&mut self) -> Vec<QueueEffect> {
        let mut effects = Vec::new();
        while self.running() < self.max_running {
            let Some(job) = self.jobs.iter_mut().find(|j| j.state == JobState::Queued) else { break };
            if job.handle(JobEvent::Start).is_err() {
                break; // cannot be: the job was queued
            }
            effects.push(QueueEffect::Start(job.clone()));
        }
        effects
    }

    /// Adds downloads of `objects` of `bucket`; `below_prefix` for a
    /// prefix download. Returns the effects and the keys refused, with why.
    pub fn enqueue(
        &mut self,
        bucket: &str,
        objects: &[Listed],
        below_prefix: Option<&str>,
    ) -> (Vec<QueueEffect>, Vec<(String, String)>) {
        let mut refused = Vec::new();
        for Listed { key, size, etag } in objects {
            match destination(&self.download_dir, key, below_prefix) {
                Ok(path) => {
                    let mut job = Job::new(self.next_id, bucket, key, path);
                    job.size = Some(*size);
                    job.etag = etag.clone();
                    self.next_id += 1;
                    self.jobs.push(job);
                }
                Err(why) => refused.push((key.clone(), why)),
            }
        }
        let mut effects = self.schedule();
        effects.push(self.save());
        (effects, refused)
    }

    fn job_mut(&mut self, id: u64) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    pub fn progress(&mut self, id: u64, done: u64, size: u64, rate: f64) {
        if let Some(job) = self.job_mut(id) {
            job.done_bytes = done;
            job.size = Some(size);
            self.rates.insert(id, rate);
        }
    }

    /// A running job ended: done, failed, or stopped (paused or cancelled).
    pub fn finished(&mut self, id: u64, result: Result<(), String>) -> Vec<QueueEffect> {
        self.rates.remove(&id);
        if let Some(job) = self.job_mut(id)
            && job.state == JobState::Running
        {
            let event = match result {
                Ok(()) => JobEvent::Complete,
                Err(why) => JobEvent::Fail(why),
            };
            let _ = job.handle(event);
            if job.state == JobState::Done {
                job.done_bytes = job.size.unwrap_or(job.done_bytes);
            }
        }
        let mut effects = self.schedule();
        effects.push(self.save());
        effects
    }

    fn selected_job(&mut self) -> Option<&mut Job> {
        self.jobs.get_mut(self.selected)
    }

    /// Pauses a queued or running job, or resumes a paused one.
    pub fn toggle_pause(&mut self) -> Vec<QueueEffect> {
        let Some(job) = self.selected_job() else { return Vec::new() };
        let was_running = job.state == JobState::Running;
        let event = if job.state == JobState::Paused { JobEvent::Resume } else { JobEvent::Pause };
        if job.handle(event).is_err() {
            return Vec::new();
        }
        let (id, destination) = (job.id, job.destination.clone());
        let mut effects = Vec::new();
        if was_running {
            effects.push(QueueEffect::Stop { job: id, destination, discard: false });
        }
        effects.extend(self.schedule());
        effects.push(self.save());
        effects
    }

    /// Cancels the selected job; its part file is removed.
    pub fn cancel(&mut self) -> Vec<QueueEffect> {
        let Some(job) = self.selected_job() else { return Vec::new() };
        if job.handle(JobEvent::Cancel).is_err() {
            return Vec::new();
        }
        let (id, destination) = (job.id, job.destination.clone());
        self.rates.remove(&id);
        // Running or not (a paused job has a part file too), what is on disk goes.
        let mut effects = vec![QueueEffect::Stop { job: id, destination, discard: true }];
        effects.extend(self.schedule());
        effects.push(self.save());
        effects
    }

    pub fn retry(&mut self) -> Vec<QueueEffect> {
        let Some(job) = self.selected_job() else { return Vec::new() };
        if job.handle(JobEvent::Retry).is_err() {
            return Vec::new();
        }
        let mut effects = self.schedule();
        effects.push(self.save());
        effects
    }

    /// Removes done and cancelled jobs from the list.
    pub fn clear_finished(&mut self) -> Vec<QueueEffect> {
        self.jobs.retain(|j| !matches!(j.state, JobState::Done | JobState::Cancelled));
        self.selected = self.selected.min(self.jobs.len().saturating_sub(1));
        vec![self.save()]
    }

    /// Starts whatever may run (at start-up, after a restore).
    pub fn start(&mut self) -> Vec<QueueEffect> {
        self.schedule()
    }

    pub fn move_selection(&mut self, delta: isize) {
        let last = self.jobs.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Total rate and the time left for what runs, in seconds.
    pub fn totals(&self) -> (f64, Option<f64>) {
        let rate: f64 = self.rates.values().sum();
        let left: u64 = self
            .jobs
            .iter()
            .filter(|j| !j.state.is_final())
            .map(|j| j.size.unwrap_or(0).saturating_sub(j.done_bytes))
            .sum();
        (rate, (rate > 0.0).then(|| left as f64 / rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue() -> QueueState {
        QueueState { max_running: 2, download_dir: PathBuf::from("/dl"), ..QueueState::default() }
    }

    fn keys(n: usize) -> Vec<Listed> {
        (0..n).map(|i| Listed::new(format!("data/f{i}.fits"), 100, None)).collect()
    }

    fn started(effects: &[QueueEffect]) -> Vec<u64> {
        effects.iter().filter_map(|e| if let QueueEffect::Start(job) = e { Some(job.id) } else { None }).collect()
    }

    #[test]
    fn at_most_max_running_start_and_the_next_follows_a_finish() {
        let mut q = queue();
        let (effects, refused) = q.enqueue("b", &keys(3), Some("data/"));
        assert!(refused.is_empty());
        assert_eq!(started(&effects), [1, 2]);
        assert!(matches!(effects.last(), Some(QueueEffect::Save(jobs)) if jobs.len() == 3));
        assert_eq!(q.jobs[0].destination, PathBuf::from("/dl/f0.fits"));
        let effects = q.finished(1, Ok(()));
        assert_eq!(started(&effects), [3]);
        assert_eq!(q.jobs[0].state, JobState::Done);
        let effects = q.finished(2, Err("access denied".into()));
        assert!(started(&effects).is_empty());
        assert_eq!(q.jobs[1].state, JobState::Failed("access denied".into()));
    }

    #[test]
    fn refused_keys_are_reported_and_not_queued() {
        let mut q = queue();
        let (_, refused) = q.enqueue("b", &[Listed::new("../x", 1, None), Listed::new("ok.txt", 1, None)], Some(""));
        assert_eq!(refused.len(), 1);
        assert_eq!(q.jobs.len(), 1);
    }

    #[test]
    fn pause_keeps_the_part_cancel_discards_it_retry_requeues() {
        let mut q = queue();
        q.enqueue("b", &keys(1), Some("data/"));
        let effects = q.toggle_pause();
        let destination = PathBuf::from("/dl/f0.fits");
        assert!(effects.contains(&QueueEffect::Stop { job: 1, destination: destination.clone(), discard: false }));
        assert_eq!(q.jobs[0].state, JobState::Paused);
        // A late end of the stopped task does not change a paused job.
        q.finished(1, Err("cancelled".into()));
        assert_eq!(q.jobs[0].state, JobState::Paused);
        let effects = q.toggle_pause();
        assert_eq!(started(&effects), [1]);
        let effects = q.cancel();
        assert!(effects.contains(&QueueEffect::Stop { job: 1, destination, discard: true }));
        assert_eq!(q.jobs[0].state, JobState::Cancelled);
        let effects = q.retry();
        assert_eq!(started(&effects), [1]);
        q.finished(1, Ok(()));
        q.clear_finished();
        assert!(q.jobs.is_empty());
    }

    #[test]
    fn restored_running_jobs_wait_again_and_ids_go_on() {
        let mut q = queue();
        let mut running = Job::new(7, "b", "k", PathBuf::from("/dl/k"));
        running.state = JobState::Running;
        let done = Job { state: JobState::Done, ..Job::new(3, "b", "d", PathBuf::from("/dl/d")) };
        assert_eq!(q.restore(vec![running.clone(), done.clone()], false), 1);
        assert_eq!(q.jobs[0].state, JobState::Queued);
        assert_eq!(started(&q.start()), [7]);
        q.enqueue("b", &keys(1), Some("data/"));
        assert_eq!(q.jobs[2].id, 8);

        // on_start = "pause": nothing starts until the user resumes it.
        let mut q = queue();
        assert_eq!(q.restore(vec![running, done], true), 1);
        assert_eq!(q.jobs[0].state, JobState::Paused);
        assert_eq!(q.jobs[1].state, JobState::Done);
        assert!(started(&q.start()).is_empty());
    }

    #[test]
    fn totals_sum_rates_and_estimate_time_left() {
        let mut q = queue();
        q.enqueue("b", &keys(2), Some("data/"));
        q.progress(1, 50, 100, 10.0);
        q.progress(2, 0, 100, 15.0);
        let (rate, eta) = q.totals();
        assert_eq!(rate, 25.0);
        assert_eq!(eta, Some(150.0 / 25.0));
    }
}
