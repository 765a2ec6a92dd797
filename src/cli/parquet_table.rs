//! `s3scope table` on a Parquet file: rows read from the column chunks of
//! the row groups that hold them, one row group at a time.

use std::io::{self, Write};
use std::ops::Range;

use arrow_schema::Field;
use serde_json::json;

use super::output::write_stdout;
use super::parquet_object::{ParquetObject, columnar_error};
use super::table::{TableArgs, write_aligned};
use crate::columnar::describe::{arrow_schema_of, describe, field_description, field_unit, type_name};
use crate::columnar::rows::{column_names, pick_columns, read_rows, styles};
use crate::error::AppError;
use crate::escape::escape_for_terminal;
use crate::fits::table::cell::Cell;
use crate::fits::table::display::{csv_quote, to_csv, to_json};

/// A top-level column as the table's first JSON line and headings describe it.
struct Heading {
    name: String,
    kind: String,
    unit: Option<String>,
    description: Option<String>,
}

pub async fn run(args: &TableArgs, mut object: ParquetObject) -> Result<(), AppError> {
    let metadata = object.footer.metadata.clone();
    let headings = headings(&object);
    let names = column_names(&metadata);
    let columns = if args.columns.is_empty() {
        (0..names.len()).collect()
    } else {
        pick_columns(&names, &args.columns).map_err(|e| columnar_error(format!("reading {}", object.uri), e))?
    };
    let total = metadata.file_metadata().num_rows().max(0) as u64;
    let range = args.rows.start.min(total)..args.rows.end.min(total);
    let mut rows = Vec::new();
    for part in row_group_parts(&metadata, &range) {
        let read = read_rows(&mut object.source, &object.footer, part, &columns).await;
        rows.extend(read.map_err(|e| columnar_error(format!("reading rows of {}", object.uri), e))?);
    }
    let picked: Vec<&Heading> = columns.iter().map(|&c| &headings[c]).collect();
    write_stdout(|out| {
        if args.json {
            write_json(out, &object, total, &picked, &rows)
        } else if args.csv {
            write_csv(out, &picked, &rows)
        } else {
            write_text(out, &object, total, range, (&picked, &columns), &rows)
        }
    })
}

/// `range` cut at row-group boundaries, so each read holds one row group's chunks.
fn row_group_parts(metadata: &parquet::file::metadata::ParquetMetaData, range: &Range<u64>) -> Vec<Range<u64>> {
    let mut parts = Vec::new();
    let mut start = 0u64;
    for group in metadata.row_groups() {
        let end = start + group.num_rows().max(0) as u64;
        let (from, to) = (range.start.max(start), range.end.min(end));
        if from < to {
            parts.push(from..to);
        }
        start = end;
    }
    parts
}

fn headings(object: &ParquetObject) -> Vec<Heading> {
    let metadata = &object.footer.metadata;
    let described = describe(metadata, object.common.as_ref());
    let schema = arrow_schema_of(metadata).or_else(|| {
        let file = metadata.file_metadata();
        parquet::arrow::parquet_to_arrow_schema(file.schema_descr(), file.key_value_metadata()).ok()
    });
    let kinds: Vec<String> = match &schema {
        Some(schema) => schema.fields().iter().map(|f| type_name(f.data_type())).collect(),
        None => Vec::new(),
    };
    // The file's own top field first, then the dataset's.
    let note = |name: &str, read: fn(&Field) -> Option<String>| {
        [schema.as_ref(), object.common.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|s| read(s.field_with_name(name).ok()?))
    };
    column_names(metadata)
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            // A flat column is its own leaf; a nested one has its notes on its top field.
            let leaf = described.columns.iter().find(|c| c.name == name);
            Heading {
                kind: kinds.get(i).cloned().unwrap_or_default(),
                unit: leaf.map_or_else(|| note(&name, field_unit), |c| c.unit.clone()),
                description: leaf.map_or_else(|| note(&name, field_description), |c| c.description.clone()),
                name,
            }
        })
        .collect()
}

fn write_json(
    out: &mut impl Write,
    object: &ParquetObject,
    total: u64,
    columns: &[&Heading],
    rows: &[Vec<Cell>],
) -> io::Result<()> {
    let described: Vec<serde_json::Value> = columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.kind, "unit": c.unit, "description": c.description}))
        .collect();
    let first = json!({
        "format": "parquet",
        "rows": total,
        "columns": described,
        "requests": object.requests(),
        "bytes_read": object.bytes_read(),
    });
    writeln!(out, "{first}")?;
    for row in rows {
        writeln!(out, "{}", serde_json::Value::Array(row.iter().map(to_json).collect()))?;
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, columns: &[&Heading], rows: &[Vec<Cell>]) -> io::Result<()> {
    let names: Vec<String> = columns.iter().map(|c| csv_quote(&c.name)).collect();
    writeln!(out, "{}", names.join(","))?;
    for row in rows {
        writeln!(out, "{}", row.iter().map(to_csv).collect::<Vec<_>>().join(","))?;
    }
    Ok(())
}

fn write_text(
    out: &mut impl Write,
    object: &ParquetObject,
    total: u64,
    range: Range<u64>,
    (columns, columns_picked): (&[&Heading], &[usize]),
    rows: &[Vec<Cell>],
) -> io::Result<()> {
    let headings: Vec<String> = columns
        .iter()
        .map(|c| match &c.unit {
            Some(unit) => escape_for_terminal(&format!("{} [{unit}]", c.name)).into_owned(),
            None => escape_for_terminal(&c.name).into_owned(),
        })
        .collect();
    let styles = styles(&object.footer.metadata, columns_picked);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter().zip(&styles).map(|(cell, s)| escape_for_terminal(&s.format(cell, 8)).into_owned()).collect()
        })
        .collect();
    let closing = format!(
        "# rows {}-{} of {total}, {} requests, {} bytes read",
        range.start,
        range.end,
        object.requests(),
        object.bytes_read()
    );
    write_aligned(out, &headings, &cells, &closing)
}
