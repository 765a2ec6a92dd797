//! `s3scope table`: rows of a FITS table, read with range requests.

use std::io::{self, Write};

use clap::Args;
use serde_json::json;
use unicode_width::UnicodeWidthStr;

use super::Session;
use super::fits_object::{FitsObject, HduArg, Opened};
use super::output::write_stdout;
use super::parquet_object::{ParquetObject, parquet_by_name};
use super::parquet_table;
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::fits::scanner::Stop;
use crate::fits::table::cell::Cell;
use crate::fits::table::display::{Style, csv_quote, to_csv, to_json};
use crate::fits::table::read::read_rows;
use crate::fits::table::{Table, parse_rows};
use crate::preview::sniff::Format;
use crate::s3::{Clients, S3Uri};

#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// The table HDU: its number or EXTNAME [default: the first table]
    #[arg(long, value_name = "N|NAME")]
    pub hdu: Option<HduArg>,
    /// Rows A:B (half-open; A: runs to the end)
    #[arg(long, value_name = "A:B", default_value = "0:20", value_parser = parse_rows)]
    pub rows: std::ops::Range<u64>,
    /// Only these columns, in this order (names, case-insensitive)
    #[arg(long, value_name = "C1,C2", value_delimiter = ',')]
    pub columns: Vec<String>,
    /// NDJSON: a line describing the table, then one JSON array per row
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a heading line; vectors as JSON arrays in the cell
    #[arg(long)]
    pub csv: bool,
    /// s3://bucket/key of a FITS or Parquet file
    pub uri: String,
}

/// Rows are read and written in batches of about this many bytes.
const BATCH_BYTES: u64 = 8 << 20;

pub async fn run(args: &TableArgs, session: &Session) -> Result<(), AppError> {
    let uri = S3Uri::parse(&args.uri)?;
    let clients = Clients::new(&session.connect, session.catalog().clone()).await?;
    if parquet_by_name(&uri.key) {
        return parquet_table::run(args, ParquetObject::open(&uri, &clients).await?).await;
    }
    let mut object = match FitsObject::open_or_other(&uri, &clients, args.hdu.as_ref(), Stop::AtFirstTable).await? {
        Opened::Fits(object) => object,
        Opened::Other { source, format: Format::Parquet } => {
            return parquet_table::run(args, ParquetObject::from_source(&uri, source).await?).await;
        }
        Opened::Other { format, .. } => {
            let why = format!("not a FITS or Parquet file: it is {}", format.name());
            return Err(AppError::input(format!("reading {uri}"), why));
        }
    };
    let table = Table::from_hdu(&object.hdu)
        .map_err(|e| AppError::input(format!("reading HDU {} of {uri} as a table", object.hdu.index), e.to_string()))?;
    let columns = if args.columns.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        table.pick_columns(&args.columns).map_err(|e| AppError::input(format!("reading {uri}"), e.to_string()))?
    };
    let range = table.clip(args.rows.clone());
    let batch = (BATCH_BYTES / table.row_len.max(1)).max(1);
    let mut lines = Vec::new();
    let mut text_rows = Vec::new();
    let styles: Vec<Style> = columns.iter().map(|&c| Style::of(&table.columns[c])).collect();
    let options = object.stream_options();
    let mut start = range.start;
    while start < range.end {
        let end = range.end.min(start + batch);
        let rows = read_rows(&mut object.source, &object.hdu, &table, start..end, &columns, options)
            .await
            .map_err(|e| object.data_error("reading rows", e))?;
        for row in &rows.cells {
            if args.json {
                lines.push(serde_json::Value::Array(row.iter().map(to_json).collect()).to_string());
            } else if args.csv {
                lines.push(row.iter().map(to_csv).collect::<Vec<_>>().join(","));
            } else {
                text_rows.push(row.iter().zip(&styles).map(|(cell, style)| text_cell(cell, style)).collect());
            }
        }
        start = end;
    }
    write_stdout(|out| {
        if args.json {
            write_json(out, &object, &table, &columns, &lines)
        } else if args.csv {
            write_csv(out, &table, &columns, &lines)
        } else {
            write_text(out, &object, &table, &columns, range, text_rows)
        }
    })
}

fn text_cell(cell: &Cell, style: &Style) -> String {
    escape_for_terminal(&style.format(cell, 8)).into_owned()
}

fn write_json(
    out: &mut impl Write,
    object: &FitsObject,
    table: &Table,
    columns: &[usize],
    lines: &[String],
) -> io::Result<()> {
    let described: Vec<serde_json::Value> = columns
        .iter()
        .map(|&c| {
            let column = &table.columns[c];
            json!({"name": column.name, "format": column.format, "unit": column.unit, "dim": column.dim})
        })
        .collect();
    let first = json!({
        "hdu": object.hdu.index,
        "rows": table.rows,
        "columns": described,
        "requests": object.source.requests,
        "bytes_read": object.source.bytes_read,
    });
    writeln!(out, "{first}")?;
    lines.iter().try_for_each(|line| writeln!(out, "{line}"))
}

fn write_csv(out: &mut impl Write, table: &Table, columns: &[usize], lines: &[String]) -> io::Result<()> {
    let names: Vec<String> = columns.iter().map(|&c| csv_quote(&table.columns[c].name)).collect();
    writeln!(out, "{}", names.join(","))?;
    lines.iter().try_for_each(|line| writeln!(out, "{line}"))
}

/// An aligned text table: headings (with units), then the rows; a closing line with the cost.
fn write_text(
    out: &mut impl Write,
    object: &FitsObject,
    table: &Table,
    columns: &[usize],
    range: std::ops::Range<u64>,
    rows: Vec<Vec<String>>,
) -> io::Result<()> {
    let headings: Vec<String> =
        columns.iter().map(|&c| escape_for_terminal(&table.columns[c].heading()).into_owned()).collect();
    let name = if object.hdu.name.is_empty() { String::new() } else { format!(" ({})", object.hdu.name) };
    let closing = format!(
        "# HDU {}{}: rows {}-{} of {}, {} requests, {} bytes read",
        object.hdu.index,
        escape_for_terminal(&name),
        range.start,
        range.end,
        table.rows,
        object.source.requests,
        object.source.bytes_read
    );
    write_aligned(out, &headings, &rows, &closing)
}

/// Headings, a rule, the rows padded to the widest cell of each column, and a closing line.
pub fn write_aligned(out: &mut impl Write, headings: &[String], rows: &[Vec<String>], closing: &str) -> io::Result<()> {
    let mut widths: Vec<usize> = headings.iter().map(|h| h.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.width()))))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(headings))?;
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    writeln!(out, "{}", rule.join("  "))?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    writeln!(out, "{closing}")
}
