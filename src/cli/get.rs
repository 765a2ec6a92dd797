//! `s3scope get`: downloads with progress, resumable, `aws s3 cp` layout.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use futures::{StreamExt, TryStreamExt};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use super::Session;
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::format::human_size;
use crate::queue::engine::{Download, DownloadError, DownloadOptions, Outcome};
use crate::queue::path::destination;
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
    /// Objects downloaded at once [default: 4, or the config's downloads.jobs]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: Option<u64>,
    /// Replace existing files that differ
    #[arg(long)]
    pub force: bool,
    /// Bytes per ranged part of a large object [default: 8 MiB, or the config's downloads.part_size]
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(4096..))]
    pub part_size: Option<u64>,
    /// s3://bucket/key objects, or prefixes with --recursive
    #[arg(required = true)]
    pub uris: Vec<String>,
}

/// One object to fetch.
struct Planned {
    uri: S3Uri,
    destination: PathBuf,
    size: Option<u64>,
}

/// Lists what each URI stands for; refused keys become failures.
async fn plan(
    args: &GetArgs,
    clients: &Clients,
    failures: &mut Vec<(String, String)>,
) -> Result<Vec<Planned>, AppError> {
    let mut planned = Vec::new();
    for text in &args.uris {
        let uri = S3Uri::parse(text)?;
        if !(args.recursive || uri.is_prefix()) {
            match destination(&args.output, &uri.key, None) {
                Ok(path) => planned.push(Planned { uri, destination: path, size: None }),
                Err(why) => failures.push((uri.to_string(), format!("refused: {why}"))),
            }
            continue;
        }
        if !args.recursive {
            return Err(AppError::input(format!("downloading {uri}"), "that is a prefix: add --recursive"));
        }
        let objects = walk(clients.bucket(&uri.bucket), uri.key.clone(), WalkLimits::default());
        let mut objects = std::pin::pin!(objects);
        loop {
            match objects.try_next().await {
                Ok(Some(object)) => {
                    if object.key.ends_with('/') && object.size == 0 {
                        continue; // a directory marker
                    }
                    let target = S3Uri::new(&uri.bucket, &object.key);
                    match destination(&args.output, &object.key, Some(&uri.key)) {
                        Ok(path) => planned.push(Planned { uri: target, destination: path, size: Some(object.size) }),
                        Err(why) => failures.push((target.to_string(), format!("refused: {why}"))),
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    failures.push((uri.to_string(), format!("listing: {}", e.message)));
                    break;
                }
            }
        }
    }
    Ok(planned)
}

pub async fn run(args: &GetArgs, session: &Session) -> Result<(), AppError> {
    let started = Instant::now();
    let clients = Clients::new(&session.connect, session.catalog().clone()).await?;
    let mut failures = Vec::new();
    let planned = plan(args, &clients, &mut failures).await?;
    let refused = failures.len();
    let configured = session.download_options();
    let options =
        DownloadOptions { part_size: args.part_size.unwrap_or(configured.part_size), force: args.force, ..configured };
    let jobs = args.jobs.unwrap_or(session.config.config.downloads.jobs) as usize;
    let cancel = CancellationToken::new();
    let interrupt = cancel.clone();
    tokio::spawn(async move {
        crate::signals::stopped(true).await;
        interrupt.cancel();
    });
    let bars = std::io::stderr().is_terminal().then(MultiProgress::new);
    let total = planned.len();
    let results: Vec<(Planned, Result<Outcome, DownloadError>)> = futures::stream::iter(planned)
        .map(|item| {
            let bucket = clients.bucket(&item.uri.bucket);
            let cancel = cancel.clone();
            let bars = bars.clone();
            async move {
                let bar = bars.as_ref().map(|multi| {
                    let bar = multi.add(ProgressBar::new(item.size.unwrap_or(0)));
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>4} {msg}",
                        )
                        .expect("a valid template"),
                    );
                    bar.set_message(escape_for_terminal(&item.uri.key).into_owned());
                    bar
                });
                let progress = |done: u64, size: u64| {
                    if let Some(bar) = &bar {
                        bar.set_length(size);
                        bar.set_position(done);
                    }
                };
                let download = Download { bucket: &bucket, key: &item.uri.key, destination: &item.destination };
                let result = download.run(options, &cancel, &progress).await;
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                }
                (item, result)
            }
        })
        .buffer_unordered(jobs)
        .collect()
        .await;
    report(results, failures, total + refused, started.elapsed(), cancel.is_cancelled())
}

fn report(
    results: Vec<(Planned, Result<Outcome, DownloadError>)>,
    mut failures: Vec<(String, String)>,
    // Objects asked for, refused ones included.
    planned: usize,
    elapsed: Duration,
    interrupted: bool,
) -> Result<(), AppError> {
    let (mut files, mut skipped, mut bytes, mut kept) = (0usize, 0usize, 0u64, 0usize);
    for (item, result) in results {
        let uri = escape_for_terminal(&item.uri.to_string()).into_owned();
        let path = escape_for_terminal(&item.destination.display().to_string()).into_owned();
        match result {
            Ok(Outcome::Downloaded { size, fetched, resumed, restarted }) => {
                files += 1;
                bytes += fetched;
                let how = match (resumed, restarted) {
                    (_, true) => " (the object had changed: started over)".to_string(),
                    (true, _) => format!(" (resumed: {} fetched)", human_size(fetched)),
                    _ => String::new(),
                };
                println!("download: {uri} to {path} ({}){how}", human_size(size));
            }
            Ok(Outcome::AlreadyThere) => {
                skipped += 1;
                println!("skipped: {uri}: {path} is already there");
            }
            Err(DownloadError::Cancelled) => kept += 1,
            Err(DownloadError::Failed(why)) => failures.push((item.uri.to_string(), why)),
        }
    }
    let seconds = elapsed.as_secs_f64().max(0.001);
    let already = if skipped > 0 { format!(", {skipped} already there") } else { String::new() };
    println!(
        "{files} of {planned} files downloaded{already}, {} in {seconds:.1} s ({}/s){}",
        human_size(bytes),
        human_size((bytes as f64 / seconds) as u64),
        if failures.is_empty() { String::new() } else { format!(", {} failed", failures.len()) }
    );
    if interrupted {
        return Err(AppError::runtime("downloading", format!("interrupted; {kept} partial files kept for resuming")));
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
