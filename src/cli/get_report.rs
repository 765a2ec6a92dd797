//! What `s3scope get` shows: a line per file as it lands, progress bars on
//! a terminal (one for the whole run, one per large object), and the
//! closing count with the failures.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::get::Planned;
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::format::human_size;
use crate::queue::engine::{DownloadError, Outcome};
use crate::queue::plan::MIN_PART;

/// A download that ended.
pub struct Finished {
    pub planned: Planned,
    pub result: Result<Outcome, DownloadError>,
}

/// The run so far.
#[derive(Debug, Default)]
pub struct Tally {
    /// Objects asked for, refused ones included.
    pub planned: usize,
    files: usize,
    skipped: usize,
    bytes: u64,
    /// Downloads stopped by an interrupt, their part files kept.
    kept: usize,
    failures: Vec<(String, String)>,
}

impl Tally {
    /// Prints the line of a finished download and counts it.
    pub fn add(&mut self, finished: Finished) {
        let Finished { planned, result } = finished;
        let uri = escape_for_terminal(&planned.uri.to_string()).into_owned();
        let path = escape_for_terminal(&planned.destination.display().to_string()).into_owned();
        match result {
            Ok(Outcome::Downloaded { size, fetched, resumed, restarted }) => {
                self.files += 1;
                self.bytes += fetched;
                let how = match (resumed, restarted) {
                    (_, true) => " (the object had changed: started over)".to_string(),
                    (true, _) => format!(" (resumed: {} fetched)", human_size(fetched)),
                    _ => String::new(),
                };
                println!("download: {uri} to {path} ({}){how}", human_size(size));
            }
            Ok(Outcome::AlreadyThere) => {
                self.skipped += 1;
                println!("skipped: {uri}: {path} is already there");
            }
            Err(DownloadError::Cancelled) => self.kept += 1,
            Err(DownloadError::Failed(why)) => self.failures.push((planned.uri.to_string(), why)),
        }
    }

    /// A key refused before any download (or a listing that failed).
    pub fn refused(&mut self, uri: String, why: String) {
        self.failures.push((uri, why));
    }

    /// The closing line; the failures, one line each; the exit status.
    pub fn report(self, elapsed: Duration, interrupted: bool) -> Result<(), AppError> {
        let Tally { planned, files, skipped, bytes, kept, failures } = self;
        let seconds = elapsed.as_secs_f64().max(0.001);
        let already = if skipped > 0 { format!(", {skipped} already there") } else { String::new() };
        println!(
            "{files} of {planned} files downloaded{already}, {} in {seconds:.1} s ({}/s){}",
            human_size(bytes),
            human_size((bytes as f64 / seconds) as u64),
            if failures.is_empty() { String::new() } else { format!(", {} failed", failures.len()) }
        );
        if interrupted {
            return Err(AppError::runtime(
                "downloading",
                format!("interrupted; {kept} partial files kept for resuming"),
            ));
        }
        // One object: its failure is the one line. Several: a line each, then the count.
        if let [(uri, why)] = failures.as_slice()
            && planned == 1
        {
            return Err(AppError::runtime(format!("downloading {uri}"), why.clone()));
        }
        for (uri, why) in &failures {
            eprintln!("s3scope: failed {}: {}", escape_for_terminal(uri), escape_for_terminal(why));
        }
        if !failures.is_empty() {
            return Err(AppError::runtime("downloading", format!("{} of {planned} failed", failures.len())));
        }
        Ok(())
    }
}

/// Progress bars on a terminal (none when stderr is not one).
#[derive(Clone)]
pub struct Bars(Option<Arc<(MultiProgress, ProgressBar)>>);

const OBJECT_BAR: &str = "{bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>4} {msg}";
const TOTAL_BAR: &str = "{bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {msg} (all files)";

impl Bars {
    pub fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let multi = MultiProgress::new();
        let total = multi.add(ProgressBar::new(0));
        total.set_style(ProgressStyle::with_template(TOTAL_BAR).expect("a valid template"));
        Self(Some(Arc::new((multi, total))))
    }

    /// The progress of one object: the whole run's bar, and a bar of its
    /// own when it is large (or its size is not known yet).
    pub fn for_object(&self, planned: &Planned) -> ObjectProgress {
        let Some(bars) = &self.0 else { return ObjectProgress { own: None, total: None, last: AtomicU64::new(0) } };
        let (multi, total) = &**bars;
        let size = planned.known.as_ref().map(|known| known.size);
        if let Some(size) = size {
            total.inc_length(size);
        }
        let own = (size.is_none_or(|size| size > MIN_PART)).then(|| {
            let bar = multi.add(ProgressBar::new(size.unwrap_or(0)));
            bar.set_style(ProgressStyle::with_template(OBJECT_BAR).expect("a valid template"));
            bar.set_message(escape_for_terminal(&planned.uri.key).into_owned());
            bar
        });
        ObjectProgress { own, total: Some(total.clone()), last: AtomicU64::new(0) }
    }

    pub fn clear(&self) {
        if let Some(bars) = &self.0 {
            bars.1.finish_and_clear();
        }
    }
}

/// Where one download's progress goes.
pub struct ObjectProgress {
    own: Option<ProgressBar>,
    total: Option<ProgressBar>,
    /// Bytes already counted in the whole run's bar.
    last: AtomicU64,
}

impl ObjectProgress {
    pub fn report(&self, done: u64, size: u64) {
        if let Some(bar) = &self.own {
            bar.set_length(size);
            bar.set_position(done);
        }
        if let Some(total) = &self.total {
            let before = self.last.swap(done, Ordering::Relaxed);
            total.inc(done.saturating_sub(before));
        }
    }

    pub fn done(&self) {
        if let Some(bar) = &self.own {
            bar.finish_and_clear();
        }
    }
}
