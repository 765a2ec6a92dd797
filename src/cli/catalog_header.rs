//! `s3scope header` on a prefix: a HATS catalog or collection, or a
//! hive-partitioned Parquet dataset, summarised from its small files.

use std::io::{self, Write};

use super::output::write_stdout;
use crate::columnar::catalog_read::{SummaryError, summarise};
use crate::columnar::dataset::Summary;
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::s3::prefix_store::BucketStore;
use crate::s3::{Clients, S3Uri};

pub async fn run(uri: &S3Uri, clients: &Clients, json: bool) -> Result<(), AppError> {
    let store = BucketStore::new(clients.bucket(&uri.bucket));
    let context = format!("reading the header of {uri}");
    let summary = Box::pin(summarise(&store, &uri.to_string(), &uri.key, None)).await.map_err(|e| match e {
        SummaryError::Neither(why) => AppError::input(&context, format!("that is a prefix, {why}")),
        SummaryError::Invalid(why) => AppError::input(&context, why),
        SummaryError::Source(why) => AppError::runtime(&context, why),
    })?;
    write_stdout(|out| write(out, &summary, json))
}

/// The contract's JSON (one object), or the summary's lines escaped for the terminal.
pub fn write(out: &mut impl Write, summary: &Summary, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, summary)?;
        return writeln!(out);
    }
    writeln!(out, "# {}", escape_for_terminal(&summary.uri))?;
    for line in summary.lines() {
        writeln!(out, "{}", escape_for_terminal(&line))?;
    }
    Ok(())
}
