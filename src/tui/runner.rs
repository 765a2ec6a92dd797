//! Runs the effects of `update` as cancellable tokio tasks and sends their
//! results back to the event loop as actions.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinHandle};
use tokio_util::sync::CancellationToken;

use super::action::{Action, Report};
use super::effect::{Effect, HduSource, ImageJob, ListJob, QueueEffect, RowsJob, RowsSource};
use super::tree::{NodeId, RequestId};
use crate::clipboard::Clipboard;
use crate::fits::image::read::{ImageData, read_samples};
use crate::fits::image::sample::Grid;
use crate::fits::stream::StreamOptions;
use crate::fits::table::display::Style;
use crate::queue::engine::{Download, DownloadError, DownloadOptions, part_paths};
use crate::queue::job::{Job, Listed};
use crate::queue::transfers::{Limits, Transfers};
use crate::queue::verify::ObjectVersion;
use crate::s3::list::{ListRequest, fetch_page};
use crate::s3::range::S3RangeSource;
use crate::s3::walk::{WalkLimits, walk};
use crate::s3::{Clients, S3Error};

/// Progress of a download reaches the screen at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// How long the cursor must rest on an object before its preview is fetched.
pub const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(120);

pub struct Runner {
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    tasks: HashMap<RequestId, AbortHandle>,
    downloads: HashMap<u64, (CancellationToken, JoinHandle<()>)>,
    /// The latest queue to save, for the one saver task (`None`: in memory only).
    saver: Option<watch::Sender<Vec<Job>>>,
    clipboard: Option<Clipboard>,
    download_options: DownloadOptions,
    /// The limits every download of the queue shares.
    transfers: Arc<Transfers>,
}

impl Runner {
    pub fn new(clients: Clients, sender: UnboundedSender<Action>) -> Self {
        Self {
            clients: Arc::new(clients),
            sender,
            tasks: HashMap::new(),
            downloads: HashMap::new(),
            saver: None,
            clipboard: None,
            download_options: DownloadOptions::default(),
            transfers: Transfers::new(Limits::default()),
        }
    }

    /// Copies go to `clipboard` (without one, a copy reports that it has nowhere to go).
    pub fn with_clipboard(mut self, clipboard: Clipboard) -> Self {
        self.clipboard = Some(clipboard);
        self
    }

    /// Part size and parts in flight of each download.
    pub fn with_download_options(mut self, options: DownloadOptions, limits: Limits) -> Self {
        self.download_options = options;
        self.transfers = Transfers::new(limits);
        self
    }

    /// Hands the system clipboard's text to a clipboard manager before exit.
    pub fn shutdown(&mut self) {
        if let Some(clipboard) = &mut self.clipboard {
            clipboard.shutdown();
        }
    }

    /// Saves the queue to `path` on every change.
    ///
    /// One task writes, one snapshot at a time, always the latest: saves can
    /// never interleave, and a burst of changes costs one or two writes.
    pub fn with_queue_path(mut self, path: PathBuf) -> Self {
        let (latest, mut changes) = watch::channel(Vec::new());
        let sender = self.sender.clone();
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                let jobs = changes.borrow_and_update().clone();
                let target = path.clone();
                let saved = tokio::task::spawn_blocking(move || crate::queue::store::save(&target, &jobs)).await;
                if let Ok(Err(e)) = saved {
                    let _ = sender
                        .send(Action::from(Report::Problem(format!("saving the queue to {}: {e}", path.display()))));
                }
            }
        });
        self.saver = Some(latest);
        self
    }

    fn run_queue(&mut self, effect: QueueEffect) {
        self.downloads.retain(|_, (_, handle)| !handle.is_finished());
        match effect {
            QueueEffect::Start(job) => {
                let cancel = CancellationToken::new();
                let task = download(
                    self.clients.clone(),
                    self.sender.clone(),
                    job.clone(),
                    (self.transfers.clone(), self.download_options),
                    cancel.clone(),
                );
                self.downloads.insert(job.id, (cancel, tokio::spawn(task)));
            }
            QueueEffect::Stop { job, destination, discard } => {
                let running = self.downloads.remove(&job);
                if let Some((cancel, _)) = &running {
                    cancel.cancel();
                }
                if discard {
                    tokio::spawn(async move {
                        if let Some((_, handle)) = running {
                            let _ = handle.await;
                        }
                        let (part, record) = part_paths(&destination);
                        let _ = tokio::fs::remove_file(part).await;
                        let _ = tokio::fs::remove_file(record).await;
                    });
                }
            }
            QueueEffect::Save(jobs) => {
                if let Some(saver) = &self.saver {
                    saver.send_replace(jobs);
                }
            }
        }
    }

    pub fn run_all(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    pub fn run(&mut self, effect: Effect) {
        self.tasks.retain(|_, handle| !handle.is_finished());
        let clients = self.clients.clone();
        let sender = self.sender.clone();
        let (request, handle) = match effect {
            Effect::Cancel(request) => {
                if let Some(handle) = self.tasks.remove(&request) {
                    handle.abort();
                }
                return;
            }
            Effect::List(job) => (job.request, tokio::spawn(list(clients, sender, job)).abort_handle()),
            Effect::Preview { request, node, bucket, key, gzip_budget } => {
                let task = preview(clients, sender, request, node, bucket, key, gzip_budget);
                (request, tokio::spawn(task).abort_handle())
            }
            Effect::SummarisePrefix { request, node, bucket, prefix, listing } => {
                let task = super::catalog_preview::summarise(clients, sender, request, node, bucket, prefix, listing);
                (request, tokio::spawn(task).abort_handle())
            }
            Effect::ReadRows(job) => (job.request, tokio::spawn(read_rows(clients, sender, job)).abort_handle()),
            Effect::ReadImage(job) => (job.request, tokio::spawn(read_image(clients, sender, job)).abort_handle()),
            Effect::Queue(effect) => {
                self.run_queue(effect);
                return;
            }
            Effect::CountPrefix { request, bucket, prefix } => {
                (request, tokio::spawn(count_prefix(clients, sender, request, bucket, prefix)).abort_handle())
            }
            Effect::ListBuckets { request } => {
                (request, tokio::spawn(list_buckets(clients, sender, request)).abort_handle())
            }
            Effect::Copy { text, what } => {
                let Some(clipboard) = &mut self.clipboard else {
                    let _ = sender.send(Action::from(Report::Copied {
                        what,
                        result: Err("no clipboard in this session".into()),
                    }));
                    return;
                };
                // OSC 52 is written here, on the event loop's thread; only the
                // system clipboard's answer is awaited in a task.
                let copied = clipboard.copy(&text);
                tokio::spawn(async move {
                    let result = copied.await;
                    tracing::info!("copy of {what}: {result:?}");
                    let _ = sender.send(Action::from(Report::Copied { what, result }));
                });
                return;
            }
        };
        self.tasks.insert(request, handle);
    }
}

async fn list(clients: Arc<Clients>, sender: UnboundedSender<Action>, job: ListJob) {
    let ListJob { request, node, purpose, bucket, prefix, token, budget } = job;
    let client = clients.bucket(&bucket);
    let mut list_request = ListRequest::level(prefix);
    list_request.continuation = token;
    let mut sent = 0;
    loop {
        // Never list past the budget: the row bound is exact.
        list_request.max_keys = Some(budget.saturating_sub(sent).clamp(1, 1000) as i32);
        match fetch_page(&client, &list_request).await {
            Ok(page) => {
                sent += page.entries.len();
                let next = page.next_token.clone();
                let more = next.is_some() && sent < budget;
                if sender.send(Action::from(Report::Listed { request, node, purpose, page, more })).is_err() || !more {
                    return;
                }
                list_request.continuation = next;
            }
            Err(S3Error { message, .. }) => {
                tracing::info!("listing s3://{bucket}/{}: {message}", list_request.prefix);
                let _ = sender.send(Action::from(Report::ListFailed { request, node, purpose, error: message }));
                return;
            }
        }
    }
}

async fn preview(
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    request: RequestId,
    node: NodeId,
    bucket: String,
    key: String,
    gzip_budget: u64,
) {
    tokio::time::sleep(PREVIEW_DEBOUNCE).await;
    let source = S3RangeSource::new(clients.bucket(&bucket), &key, None, None);
    let result = crate::preview::fetch(source, &key, gzip_budget).await.map(Arc::new);
    if let Err(why) = &result {
        tracing::info!("preview of s3://{bucket}/{key}: {why}");
    }
    let _ = sender.send(Action::from(Report::Previewed { request, node, result }));
}

/// A page of rows for the table view, formatted as the view shows them.
async fn read_rows(clients: Arc<Clients>, sender: UnboundedSender<Action>, job: RowsJob) {
    let RowsJob { request, node, hdu, source, page, rows, columns } = job;
    let (result, what) = match source {
        RowsSource::Fits { hdu: HduSource { bucket, key, etag, size, compressed, hdu }, table } => {
            let mut source = S3RangeSource::new(clients.bucket(&bucket), &key, etag, Some(size));
            let options = StreamOptions::new(compressed);
            let read = crate::fits::table::read::read_rows(&mut source, &hdu, &table, rows, &columns, options);
            let result = read.await.map_err(|e| e.to_string()).map(|rows| {
                let styles: Vec<Style> = columns.iter().map(|&c| Style::of(&table.columns[c])).collect();
                rows.cells
                    .iter()
                    .map(|row| row.iter().zip(&styles).map(|(cell, style)| style.format(cell, 6)).collect())
                    .collect()
            });
            (result, format!("HDU {} of s3://{bucket}/{key}", hdu.index))
        }
        RowsSource::Parquet { bucket, key, etag, footer } => {
            let mut source = S3RangeSource::new(clients.bucket(&bucket), &key, etag, Some(footer.size));
            let read = crate::columnar::rows::read_rows(&mut source, &footer, rows, &columns).await;
            let styles = crate::columnar::rows::styles(&footer.metadata, &columns);
            let result = read.map_err(|e| e.to_string()).map(|rows| {
                rows.iter().map(|row| row.iter().zip(&styles).map(|(cell, s)| s.format(cell, 6)).collect()).collect()
            });
            (result, format!("s3://{bucket}/{key}"))
        }
    };
    if let Err(why) = &result {
        tracing::info!("rows of {what}: {why}");
    }
    let _ = sender.send(Action::from(Report::RowsRead { request, node, hdu, page, result }));
}

/// A plane sampled for the image view, one stride both ways.
async fn read_image(clients: Arc<Clients>, sender: UnboundedSender<Action>, job: ImageJob) {
    let ImageJob { request, node, source, plane, max } = job;
    let HduSource { bucket, key, etag, size, compressed, hdu } = source;
    let mut source = S3RangeSource::new(clients.bucket(&bucket), &key, etag, Some(size));
    let result = async {
        let data = ImageData::from_hdu(&hdu)?;
        let grid = Grid::square(data.axes(), max.0, max.1, plane)?;
        read_samples(&mut source, &hdu, &data, &grid, StreamOptions::new(compressed)).await.map_err(|e| e.to_string())
    }
    .await
    .map(Arc::new);
    if let Err(why) = &result {
        tracing::info!("pixels of HDU {} of s3://{bucket}/{key}: {why}", hdu.index);
    }
    let _ = sender.send(Action::from(Report::ImageRead { request, node, hdu: hdu.index, plane, result }));
}

/// Every object below a prefix, for the download question.
async fn count_prefix(
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    request: RequestId,
    bucket: String,
    prefix: String,
) {
    let objects = walk(clients.bucket(&bucket), prefix, WalkLimits::default());
    let result = objects
        .try_filter(|o| futures::future::ready(!(o.key.ends_with('/') && o.size == 0)))
        .map_ok(|o| Listed::new(o.key, o.size, o.etag))
        .try_collect::<Vec<_>>()
        .await
        .map_err(|e| e.message);
    let _ = sender.send(Action::from(Report::PrefixCounted { request, result }));
}

/// Runs one download, reporting progress at most four times a second.
async fn download(
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    job: Job,
    (transfers, options): (Arc<Transfers>, DownloadOptions),
    cancel: CancellationToken,
) {
    let bucket = clients.bucket(&job.bucket);
    let started = Instant::now();
    let first: Mutex<Option<u64>> = Mutex::new(None);
    let last: Mutex<Option<Instant>> = Mutex::new(None);
    let id = job.id;
    let progress_sender = sender.clone();
    let progress = move |done: u64, size: u64| {
        let baseline = *first.lock().expect("not poisoned").get_or_insert(done);
        let mut last = last.lock().expect("not poisoned");
        if last.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) && done < size {
            return;
        }
        *last = Some(Instant::now());
        let rate = done.saturating_sub(baseline) as f64 / started.elapsed().as_secs_f64().max(0.001);
        let _ = progress_sender.send(Action::from(Report::DownloadProgress { job: id, done, size, rate }));
    };
    let known = job.size.zip(job.etag.clone()).map(|(size, etag)| ObjectVersion { size, etag: Some(etag) });
    let download = Download { bucket: &bucket, key: &job.key, destination: &job.destination, known };
    let slot = tokio::select! {
        () = cancel.cancelled() => None,
        slot = transfers.object_slot() => Some(slot),
    };
    let result = match slot {
        None => Err(DownloadError::Cancelled),
        Some(slot) => download.run(&transfers, slot, options, &cancel, &progress).await,
    };
    let result = match result {
        Ok(_) => Ok(()),
        Err(DownloadError::Cancelled) => Err("stopped".to_string()),
        Err(DownloadError::Failed(why)) => Err(why),
    };
    tracing::info!("download of s3://{}/{} to {}: {result:?}", job.bucket, job.key, job.destination.display());
    let _ = sender.send(Action::from(Report::DownloadFinished { job: id, result }));
}

async fn list_buckets(clients: Arc<Clients>, sender: UnboundedSender<Action>, request: RequestId) {
    if !clients.can_sign() {
        return;
    }
    let result = clients.list_buckets().await.map_err(|e| e.message);
    let _ = sender.send(Action::from(Report::BucketsListed { request, result }));
}
