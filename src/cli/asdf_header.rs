//! `s3scope header` on an ASDF file: its tree and block map, read from the
//! file's head (up to the tree's `...` line) and its tail (the block index).
//!
//! `--json` prints one object:
//! `{"uri","size","format":"asdf","requests","bytes_read","version","standard",
//! "tree","blocks":[{"offset","size","compression","data_size"}],"warnings"}`.
//! `tree` is the YAML tree, each tagged node written as
//! `{"tag": "<full tag>", "value": …}` (see [`crate::asdf::json`]); `null`
//! for a file without a tree. A block's `size` is the bytes it occupies
//! in the file, header included; `compression` (`null` when none) and
//! `data_size` are `null` where the block's header was not read.
//!
//! A FITS file's `ASDF` extension (JWST: a one-row BINTABLE whose
//! `ASDF_METADATA` bytes are an ASDF file) adds to that HDU's object in
//! `header --json` the key `"asdf": {"version","standard","tree","warnings"}`,
//! or `"asdf": {"error": "<why>"}` when it cannot be read; the text output
//! prints the tree after that HDU's cards. Compressed FITS files are not
//! searched for it.

use std::io::{self, Write};

use serde::Serialize;

use super::output::write_stdout;
use crate::asdf::json::TreeJson;
use crate::asdf::outline::{outline, visible};
use crate::asdf::read::{Outcome, ReadError, ReadLimits, read_asdf};
use crate::asdf::{AsdfError, AsdfFile};
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::s3::S3Uri;
use crate::s3::range::S3RangeSource;

/// What one reading cost and found.
pub struct Report {
    pub uri: S3Uri,
    pub size: u64,
    pub requests: u64,
    pub bytes_read: u64,
    pub file: AsdfFile,
}

/// Reads the tree through `source`, given the first bytes already read
/// (or none): `Ok(Err(head))` when the object is not ASDF after all.
pub async fn read(uri: &S3Uri, source: &mut S3RangeSource, head: Vec<u8>) -> Result<Result<Report, Vec<u8>>, AppError> {
    let context = format!("reading the ASDF tree of {uri}");
    let file = match Box::pin(read_asdf(source, head, ReadLimits::default())).await {
        Ok(Outcome::Asdf(file)) => file,
        Ok(Outcome::NotAsdf(head)) => return Ok(Err(head)),
        Err(ReadError::Source(why)) => return Err(AppError::runtime(context, why.0)),
        Err(ReadError::Asdf(AsdfError::NotAsdf)) => return Ok(Err(source.head().to_vec())),
        Err(ReadError::Asdf(why)) => return Err(AppError::input(context, why.to_string())),
    };
    Ok(Ok(Report {
        uri: uri.clone(),
        size: source.size_known().unwrap_or(0),
        requests: source.requests,
        bytes_read: source.bytes_read,
        file,
    }))
}

/// The tree of a FITS file's `ASDF` extension, if it has one: its HDU index and the tree.
pub async fn fits_extension(
    source: &mut S3RangeSource,
    headers: &crate::fits::reader::FitsHeaders,
) -> Option<(usize, Result<AsdfFile, String>)> {
    let hdu = crate::preview::asdf::asdf_hdu(headers)?;
    if headers.compression.is_compressed() {
        return None;
    }
    Some((hdu.index, Box::pin(crate::preview::asdf::read_extension(source, hdu, false)).await))
}

/// An `ASDF` extension's tree as the `"asdf"` key of its HDU (document order kept).
pub fn extension_json(tree: &Result<AsdfFile, String>) -> Option<Box<serde_json::value::RawValue>> {
    #[derive(Serialize)]
    struct Extension<'a> {
        version: &'a str,
        standard: Option<&'a str>,
        tree: Option<TreeJson<'a>>,
        warnings: &'a [String],
    }
    let text = match tree {
        Ok(file) => serde_json::to_string(&Extension {
            version: &file.versions.version,
            standard: file.versions.standard.as_deref(),
            tree: file.tree.as_ref().map(TreeJson),
            warnings: &file.warnings,
        }),
        Err(why) => serde_json::to_string(&serde_json::json!({ "error": why })),
    };
    serde_json::value::RawValue::from_string(text.ok()?).ok()
}

/// An `ASDF` extension's tree after its HDU's cards, as `header` prints ASDF files.
pub fn write_extension_text(out: &mut impl Write, tree: &Result<AsdfFile, String>) -> io::Result<()> {
    match tree {
        Ok(file) => {
            writeln!(out, "# ASDF tree ({}):", escape_for_terminal(&file.versions.version))?;
            write_tree(out, file)
        }
        Err(why) => writeln!(out, "# ASDF tree: {}", escape_for_terminal(why)),
    }
}

/// Prints the report, as text or JSON; warnings go to stderr with text.
pub fn print(report: &Report, json: bool) -> Result<(), AppError> {
    write_stdout(|out| if json { write_json(out, report) } else { write_text(out, report) })?;
    if !json {
        for warning in &report.file.warnings {
            eprintln!("s3scope: warning: {}", escape_for_terminal(warning));
        }
    }
    Ok(())
}

/// The tree indented, one node a line, ndarrays as their one-line summary.
pub fn write_text(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let file = &report.file;
    let uri = escape_for_terminal(&report.uri.to_string()).into_owned();
    let standard = file.versions.standard.as_deref().map(|s| format!(" (standard {s})")).unwrap_or_default();
    writeln!(out, "# ASDF {}{standard} in {uri}:", escape_for_terminal(&file.versions.version))?;
    write_tree(out, file)?;
    let count = file.blocks.len();
    writeln!(out, "# {count} block{}{}", if count == 1 { "" } else { "s" }, if count > 0 { ":" } else { "" })?;
    for (n, block) in file.blocks.iter().enumerate() {
        let compression =
            block.header.as_ref().and_then(|h| h.compression_name()).map(|c| format!(", {c}")).unwrap_or_default();
        writeln!(out, "#   {n} at byte {} ({} bytes{compression})", block.offset, block.size)?;
    }
    writeln!(out, "# {} requests, {} bytes read of {}", report.requests, report.bytes_read, report.size)
}

/// The tree, one node a line, ndarrays as their summary.
fn write_tree(out: &mut impl Write, file: &AsdfFile) -> io::Result<()> {
    let Some(tree) = &file.tree else { return writeln!(out, "(no tree)") };
    let lines = outline(tree);
    for at in visible(&lines, |i| lines[i].summarized) {
        let line = &lines[at];
        writeln!(out, "{}{}", "  ".repeat(line.depth as usize), line.text())?;
    }
    Ok(())
}

#[derive(Serialize)]
struct BlockJson {
    offset: u64,
    size: u64,
    compression: Option<String>,
    data_size: Option<u64>,
}

#[derive(Serialize)]
struct DocumentJson<'a> {
    uri: String,
    size: u64,
    format: &'static str,
    requests: u64,
    bytes_read: u64,
    version: &'a str,
    standard: Option<&'a str>,
    tree: Option<TreeJson<'a>>,
    blocks: Vec<BlockJson>,
    warnings: &'a [String],
}

pub fn write_json(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let file = &report.file;
    let blocks = file
        .blocks
        .iter()
        .map(|b| BlockJson {
            offset: b.offset,
            size: b.size,
            compression: b.header.as_ref().and_then(|h| h.compression_name()),
            data_size: b.header.as_ref().map(|h| h.data_size),
        })
        .collect();
    let document = DocumentJson {
        uri: report.uri.to_string(),
        size: report.size,
        format: "asdf",
        requests: report.requests,
        bytes_read: report.bytes_read,
        version: &file.versions.version,
        standard: file.versions.standard.as_deref(),
        tree: file.tree.as_ref().map(TreeJson),
        blocks,
        warnings: &file.warnings,
    };
    serde_json::to_writer(&mut *out, &document)?;
    writeln!(out)
}
