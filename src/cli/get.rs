//! `s3scope get`: downloads with progress, resumable, `aws s3 cp` layout.
//!
//! The walk of a prefix and the downloads overlap: each listed object
//! starts as soon as the run's limits ([`Transfers`]) have room for it,
//! with the size and ETag the listing gave (no HEAD per object).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use futures::TryStreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::Session;
use super::get_report::{Bars, Finished, Tally};
use crate::config::values::parse_size;
use crate::error::AppError;
use crate::queue::engine::{Download, DownloadOptions};
use crate::queue::path::destination;
use crate::queue::transfers::{Limits, Transfers};
use crate::queue::verify::ObjectVersion;
use crate::s3::walk::{WalkLimits, walk};
use crate::s3::{Clients, S3Uri};

#[derive(Debug, Clone, Args)]
pub struct GetArgs {
    /// Everything below each prefix, keeping the layout below it
    #[arg(long, short = 'r')]
    pub recursive: bool,
    /// Directory to download into
    #[arg(long, short = 'o', value_name = "DIR", default_value = ".")]
    pub output: PathBuf,
    /// Objects downloaded at once, at most; fewer while the link gives no more [default: 256, or the config's downloads.jobs]
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub jobs: Option<u64>,
    /// Bytes requested and not yet arrived, at most ("1 GiB") [default: 512 MiB, or the config's downloads.bytes_in_flight]
    #[arg(long, value_name = "BYTES", value_parser = parse_in_flight)]
    pub bytes_in_flight: Option<u64>,
    /// Replace existing files that differ
    #[arg(long)]
    pub force: bool,
    /// Skip the content check (the object's CRC-64/NVME, else the MD5 of a plain ETag; the size is still checked)
    #[arg(long)]
    pub no_verify: bool,
    /// Don't sync files to disk (as s5cmd and the aws CLI): faster when the disk flushes slower than the network delivers, but a power cut soon after may leave files empty, and unfinished downloads resume only until the machine restarts [or the config's downloads.sync = false]
    #[arg(long)]
    pub no_sync: bool,
    /// Bytes per ranged part of a large object ("16 MiB") [default: 8 to 64 MiB, growing with the object; or the config's downloads.part_size]
    #[arg(long, value_name = "BYTES", value_parser = parse_part_size)]
    pub part_size: Option<u64>,
    /// s3://bucket/key objects, or prefixes with --recursive
    #[arg(required = true)]
    pub uris: Vec<String>,
}

fn parse_in_flight(text: &str) -> Result<u64, String> {
    let bytes = parse_size(text)?;
    if bytes < 1 << 20 { Err("at least 1 MiB".into()) } else { Ok(bytes) }
}

fn parse_part_size(text: &str) -> Result<u64, String> {
    let bytes = parse_size(text)?;
    if bytes < 4096 { Err("at least 4 KiB".into()) } else { Ok(bytes) }
}

/// One object to fetch.
pub struct Planned {
    pub uri: S3Uri,
    pub destination: PathBuf,
    /// What the listing said (none for an object named on the command line).
    pub known: Option<ObjectVersion>,
}

/// What the lister hands on.
enum Listed {
    Object(Planned),
    /// A key refused (its destination would leave the directory), or a listing that failed.
    Refused(String, String),
}

/// Checks every URI before anything is listed or fetched.
fn parse_uris(args: &GetArgs) -> Result<Vec<S3Uri>, AppError> {
    let uris = args.uris.iter().map(|text| S3Uri::parse(text)).collect::<Result<Vec<_>, _>>()?;
    if let Some(uri) = uris.iter().find(|uri| uri.is_prefix() && !args.recursive) {
        return Err(AppError::input(format!("downloading {uri}"), "that is a prefix: add --recursive"));
    }
    Ok(uris)
}

/// Lists what each URI stands for into `sender`, as the listing goes.
async fn list(uris: Vec<S3Uri>, recursive: bool, output: PathBuf, clients: Arc<Clients>, sender: mpsc::Sender<Listed>) {
    for uri in uris {
        if !recursive {
            let listed = match destination(&output, &uri.key, None) {
                Ok(path) => Listed::Object(Planned { uri, destination: path, known: None }),
                Err(why) => Listed::Refused(uri.to_string(), format!("refused: {why}")),
            };
            if sender.send(listed).await.is_err() {
                return;
            }
            continue;
        }
        let objects = walk(clients.bucket(&uri.bucket), uri.key.clone(), WalkLimits::default());
        let mut objects = std::pin::pin!(objects);
        loop {
            let listed = match objects.try_next().await {
                Ok(Some(object)) if object.key.ends_with('/') && object.size == 0 => continue, // a directory marker
                Ok(Some(object)) => {
                    let target = S3Uri::new(&uri.bucket, &object.key);
                    match destination(&output, &object.key, Some(&uri.key)) {
                        Ok(path) => {
                            let known = object.etag.map(|etag| ObjectVersion { size: object.size, etag: Some(etag) });
                            Listed::Object(Planned { uri: target, destination: path, known })
                        }
                        Err(why) => Listed::Refused(target.to_string(), format!("refused: {why}")),
                    }
                }
                Ok(None) => break,
                Err(e) => Listed::Refused(uri.to_string(), format!("listing: {}", e.message)),
            };
            let failed = matches!(listed, Listed::Refused(_, ref why) if why.starts_with("listing: "));
            if sender.send(listed).await.is_err() || failed {
                break;
            }
        }
    }
}

pub async fn run(args: &GetArgs, session: &Session) -> Result<(), AppError> {
    let started = Instant::now();
    let uris = parse_uris(args)?;
    let clients = Arc::new(Clients::new(&session.connect, session.catalog().clone()).await?);
    let downloads = &session.config.config.downloads;
    let configured = session.download_options();
    let options = DownloadOptions {
        part_size: args.part_size.or(configured.part_size),
        force: args.force,
        verify: !args.no_verify,
        sync: configured.sync && !args.no_sync,
        ..configured
    };
    let limits = Limits {
        objects: args.jobs.unwrap_or(downloads.jobs),
        bytes: args.bytes_in_flight.unwrap_or(downloads.bytes_in_flight.0),
    };
    let engine = Transfers::new(limits);
    let cancel = CancellationToken::new();
    let interrupt = cancel.clone();
    tokio::spawn(async move {
        crate::signals::stopped(true).await;
        interrupt.cancel();
    });
    // Enough listed ahead to keep every slot busy, without holding a whole huge prefix.
    let (sender, mut listed) = mpsc::channel(4096);
    let lister = tokio::spawn(list(uris, args.recursive, args.output.clone(), clients.clone(), sender));
    let bars = Bars::new();
    let mut tally = Tally::default();
    let mut running: JoinSet<Finished> = JoinSet::new();
    let mut listing = true;
    loop {
        tokio::select! {
            () = cancel.cancelled(), if listing => listing = false,
            Some(joined) = running.join_next() => match joined {
                Ok(finished) => tally.add(finished),
                Err(e) => tally.refused("a download".into(), format!("stopped unexpectedly: {e}")),
            },
            slot = engine.object_slot(), if listing && !cancel.is_cancelled() => match listed.recv().await {
                Some(Listed::Object(planned)) => {
                    tally.planned += 1;
                    let (clients, engine, cancel, bars) = (clients.clone(), engine.clone(), cancel.clone(), bars.clone());
                    running.spawn(async move {
                        let bucket = clients.bucket(&planned.uri.bucket);
                        let progress = bars.for_object(&planned);
                        let report = |done, size| progress.report(done, size);
                        let download = Download {
                            bucket: &bucket,
                            key: &planned.uri.key,
                            destination: &planned.destination,
                            known: planned.known.clone(),
                        };
                        let result = download.run(&engine, slot, options, &cancel, &report).await;
                        progress.done();
                        Finished { planned, result }
                    });
                }
                Some(Listed::Refused(uri, why)) => {
                    tally.planned += 1;
                    tally.refused(uri, why);
                }
                None => listing = false,
            },
            else => break,
        }
    }
    lister.abort();
    bars.clear();
    let (objects, bytes) = engine.limits_now();
    let batches = engine.group_sync.batches();
    tracing::info!("in flight at the end: {objects} objects, {bytes} bytes; small files landed in {batches} batches");
    tally.report(started.elapsed(), cancel.is_cancelled())
}
