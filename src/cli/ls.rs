//! `s3scope ls`: one delimiter level, every key with `--recursive`, or the
//! catalog. Output streams: each page is printed and flushed as it arrives.

use std::io::{self, Write};

use clap::Args;
use futures::{Stream, StreamExt, pin_mut};
use serde::Serialize;

use super::Session;
use crate::catalog::Catalog;
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::format::{date_time, rfc3339};
use crate::s3::list::{ListRequest, pages};
use crate::s3::walk::{WalkLimits, walk};
use crate::s3::{Clients, Entry, ObjectInfo, S3Error, S3Uri};

#[derive(Debug, Clone, Args)]
pub struct LsArgs {
    /// Every key below the prefix, not just one level
    #[arg(long, short = 'r')]
    pub recursive: bool,
    /// One JSON object per line (NDJSON)
    #[arg(long)]
    pub json: bool,
    /// s3://bucket/prefix (none: the catalog of archive buckets)
    pub uri: Option<String>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum JsonLine<'a> {
    Bucket {
        name: &'a str,
        title: &'a str,
        description: &'a str,
        region: &'a str,
    },
    Prefix {
        key: &'a str,
    },
    Object {
        key: &'a str,
        size: u64,
        last_modified: Option<String>,
        etag: Option<&'a str>,
        storage_class: Option<&'a str>,
    },
}

/// How rows are printed.
struct Printer<W: Write> {
    out: W,
    json: bool,
    /// Human output shows names relative to this (the prefix up to its last `/`).
    relative_to: String,
}

impl<W: Write> Printer<W> {
    fn json_line(&mut self, line: &JsonLine<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, line)?;
        self.out.write_all(b"\n")
    }

    fn name<'k>(&self, key: &'k str) -> &'k str {
        key.strip_prefix(self.relative_to.as_str()).unwrap_or(key)
    }

    fn prefix(&mut self, key: &str) -> io::Result<()> {
        if self.json {
            return self.json_line(&JsonLine::Prefix { key });
        }
        let name = escape_for_terminal(self.name(key));
        writeln!(self.out, "{:>30} {name}", "PRE")
    }

    fn object(&mut self, object: &ObjectInfo) -> io::Result<()> {
        if self.json {
            return self.json_line(&JsonLine::Object {
                key: &object.key,
                size: object.size,
                last_modified: object.last_modified.map(rfc3339),
                etag: object.etag.as_deref(),
                storage_class: object.storage_class.as_deref(),
            });
        }
        let date = object.last_modified.map(date_time).unwrap_or_else(|| " ".repeat(19));
        let name = escape_for_terminal(self.name(&object.key));
        writeln!(self.out, "{date} {:>10} {name}", object.size)
    }
}

/// Treats a closed stdout (`| head`) as a normal end, not an error.
fn output_result(result: io::Result<()>) -> Result<bool, AppError> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(AppError::runtime("writing output", e.to_string())),
    }
}

pub async fn run(args: &LsArgs, session: &Session) -> Result<(), AppError> {
    let stdout = io::stdout();
    let out = io::BufWriter::new(stdout.lock());
    let Some(uri_text) = &args.uri else {
        let mut printer = Printer { out, json: args.json, relative_to: String::new() };
        output_result(print_catalog(&mut printer, session.catalog()))?;
        return Ok(());
    };
    let uri = S3Uri::parse(uri_text)?;
    let relative_to =
        if args.recursive { String::new() } else { uri.key[..uri.key.rfind('/').map_or(0, |i| i + 1)].to_string() };
    let mut printer = Printer { out, json: args.json, relative_to };
    let bucket = Clients::new(&session.connect, session.catalog().clone()).await?.bucket(&uri.bucket);
    let context = || format!("listing {uri}");
    if args.recursive {
        let objects = walk(bucket, uri.key.clone(), WalkLimits::default());
        print_objects(&mut printer, objects).await.map_err(|e| e.with_context(context()))
    } else {
        let request = ListRequest::level(uri.key.clone());
        print_pages(&mut printer, pages(bucket, request)).await.map_err(|e| e.with_context(context()))
    }
}

fn print_catalog<W: Write>(printer: &mut Printer<W>, catalog: &Catalog) -> io::Result<()> {
    let width = catalog.entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
    for entry in &catalog.entries {
        if printer.json {
            printer.json_line(&JsonLine::Bucket {
                name: &entry.name,
                title: &entry.archive,
                description: &entry.title,
                region: &entry.region,
            })?;
        } else {
            writeln!(printer.out, "{:<width$}  {:<8} {}", entry.name, entry.archive, entry.title)?;
        }
    }
    printer.out.flush()
}

/// Why a listing stopped early.
enum ListFailure {
    S3(S3Error),
    Output(AppError),
}

impl ListFailure {
    fn with_context(self, context: String) -> AppError {
        match self {
            ListFailure::S3(e) => AppError::runtime(context, e.message),
            ListFailure::Output(e) => e,
        }
    }
}

async fn print_pages<W: Write>(
    printer: &mut Printer<W>,
    pages: impl Stream<Item = Result<crate::s3::Page, S3Error>>,
) -> Result<(), ListFailure> {
    pin_mut!(pages);
    while let Some(page) = pages.next().await {
        let page = page.map_err(ListFailure::S3)?;
        let written = page.entries.iter().try_for_each(|entry| match entry {
            Entry::Prefix(key) => printer.prefix(key),
            Entry::Object(object) => printer.object(object),
        });
        if !output_result(written.and_then(|()| printer.out.flush())).map_err(ListFailure::Output)? {
            return Ok(());
        }
    }
    Ok(())
}

async fn print_objects<W: Write>(
    printer: &mut Printer<W>,
    objects: impl Stream<Item = Result<ObjectInfo, S3Error>>,
) -> Result<(), ListFailure> {
    // Group what is ready into chunks so output is flushed often but not per line.
    let chunks = objects.ready_chunks(1000);
    pin_mut!(chunks);
    while let Some(chunk) = chunks.next().await {
        let mut failure = None;
        let mut written = Ok(());
        for item in chunk {
            match item {
                Ok(object) => written = written.and_then(|()| printer.object(&object)),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if !output_result(written.and_then(|()| printer.out.flush())).map_err(ListFailure::Output)? {
            return Ok(());
        }
        if let Some(e) = failure {
            return Err(ListFailure::S3(e));
        }
    }
    Ok(())
}
