//! Rows of a Parquet file from the column chunks they need: the row groups
//! that hold the rows asked for, only the columns asked for, fetched with
//! concurrent range reads and decoded by the `parquet` crate's Arrow reader.

use std::ops::Range;
use std::sync::Arc;

use arrow_schema::DataType;
use bytes::{Buf, Bytes};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection, RowSelector,
};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::{ChunkReader, Length};

use super::ColumnarError;
use super::footer::{Footer, check_chunks};
use super::values::{Cell, cell};
use crate::fits::reader::RangeSource;
use crate::fits::table::display::Style;

/// Ranges closer than this are fetched as one.
const MERGE_GAP: u64 = 4096;

/// The top-level columns of a file, by name.
pub fn column_names(metadata: &ParquetMetaData) -> Vec<String> {
    metadata.file_metadata().schema_descr().root_schema().get_fields().iter().map(|f| f.name().to_string()).collect()
}

/// How the top-level columns `roots` are shown: single-precision floats
/// (alone or in lists and structs) shortest as such.
pub fn styles(metadata: &ParquetMetaData, roots: &[usize]) -> Vec<Style> {
    let schema = super::describe::arrow_schema_of(metadata);
    let single = |root: usize| {
        let Some(field) = schema.as_ref().and_then(|s| s.fields().get(root).cloned()) else { return false };
        let mut kind = field.data_type().clone();
        loop {
            match kind {
                DataType::Float32 | DataType::Float16 => return true,
                DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
                    kind = item.data_type().clone()
                }
                DataType::Struct(fields) => return fields.iter().all(|f| f.data_type() == &DataType::Float32),
                _ => return false,
            }
        }
    };
    roots.iter().map(|&root| Style::plain(single(root))).collect()
}

/// Picks top-level columns by name (an exact match first, then case-insensitive).
pub fn pick_columns(names: &[String], wanted: &[String]) -> Result<Vec<usize>, ColumnarError> {
    wanted
        .iter()
        .map(|want| {
            let want = want.trim();
            names
                .iter()
                .position(|n| n == want)
                .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(want)))
                .ok_or_else(|| {
                    let shown: Vec<&str> = names.iter().take(12).map(String::as_str).collect();
                    let more = names.len().saturating_sub(shown.len());
                    let more = if more > 0 { format!(", … {more} more") } else { String::new() };
                    ColumnarError::Invalid(format!(
                        "no column named {want:?} (the file has {}{more})",
                        shown.join(", ")
                    ))
                })
        })
        .collect()
}

/// What reading some rows takes: the row groups, where their first row
/// is, and the byte ranges of the column chunks (merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsPlan {
    pub row_groups: Vec<usize>,
    /// The file row of the first selected row group's first row.
    pub first_row: u64,
    pub ranges: Vec<(u64, u64)>,
}

/// Plans reading `rows` of the top-level columns `roots`.
pub fn plan(metadata: &ParquetMetaData, rows: &Range<u64>, roots: &[usize]) -> RowsPlan {
    let schema = metadata.file_metadata().schema_descr();
    let leaves: Vec<usize> =
        (0..schema.num_columns()).filter(|&leaf| roots.contains(&schema.get_column_root_idx(leaf))).collect();
    let mut row_groups = Vec::new();
    let mut first_row = None;
    let mut ranges = Vec::new();
    let mut start = 0u64;
    for (index, group) in metadata.row_groups().iter().enumerate() {
        let end = start + group.num_rows().max(0) as u64;
        if start < rows.end && rows.start < end {
            row_groups.push(index);
            first_row.get_or_insert(start);
            ranges.extend(leaves.iter().map(|&leaf| group.column(leaf).byte_range()));
        }
        start = end;
    }
    RowsPlan { row_groups, first_row: first_row.unwrap_or(0), ranges: merge(ranges) }
}

fn merge(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (start, len) in ranges.into_iter().filter(|r| r.1 > 0) {
        match merged.last_mut() {
            Some((s, l)) if start <= *s + *l + MERGE_GAP => *l = (*l).max(start + len - *s),
            _ => merged.push((start, len)),
        }
    }
    merged
}

/// Reads `rows` (clipped to the file) of the top-level columns `roots`, in that order.
pub async fn read_rows<S: RangeSource>(
    source: &mut S,
    footer: &Footer,
    rows: Range<u64>,
    roots: &[usize],
) -> Result<Vec<Vec<Cell>>, ColumnarError> {
    let metadata = &footer.metadata;
    let total = metadata.file_metadata().num_rows().max(0) as u64;
    let rows = rows.start.min(total)..rows.end.min(total);
    if rows.is_empty() || roots.is_empty() {
        return Ok(Vec::new());
    }
    check_chunks(metadata, footer.size, footer.length)?;
    let plan = plan(metadata, &rows, roots);
    let answers = source.read_many(&plan.ranges).await;
    let mut pieces = Vec::with_capacity(answers.len());
    for (&(start, len), answer) in plan.ranges.iter().zip(answers) {
        let bytes = answer.map_err(|e| ColumnarError::Source(e.0))?;
        if bytes.len() as u64 != len {
            return Err(ColumnarError::Source(format!("the file ended early: {} of {len} bytes", bytes.len())));
        }
        pieces.push((start, Bytes::from(bytes)));
    }
    decode_rows(Fetched { size: footer.size, pieces }, Arc::clone(metadata), &plan, rows, roots)
}

/// Decodes the fetched chunks into rows of cells.
fn decode_rows(
    fetched: Fetched,
    metadata: Arc<ParquetMetaData>,
    plan: &RowsPlan,
    rows: Range<u64>,
    roots: &[usize],
) -> Result<Vec<Vec<Cell>>, ColumnarError> {
    let invalid = |e: ParquetError| ColumnarError::Invalid(format!("decoding rows: {e}"));
    let selected_rows: u64 =
        plan.row_groups.iter().map(|&g| metadata.row_group(g).num_rows().max(0) as u64).sum::<u64>();
    let skip = (rows.start - plan.first_row) as usize;
    let take = (rows.end - rows.start) as usize;
    let after = (selected_rows as usize).saturating_sub(skip + take);
    let selection =
        RowSelection::from(vec![RowSelector::skip(skip), RowSelector::select(take), RowSelector::skip(after)]);
    let schema = metadata.file_metadata().schema_descr_ptr();
    let reader_metadata = ArrowReaderMetadata::try_new(metadata, ArrowReaderOptions::new()).map_err(invalid)?;
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(fetched, reader_metadata)
        .with_row_groups(plan.row_groups.clone())
        .with_projection(ProjectionMask::roots(&schema, roots.iter().copied()))
        .with_row_selection(selection)
        .with_batch_size(take.clamp(1, 8192))
        .build()
        .map_err(invalid)?;
    // The projection keeps the file's order; the caller asked for its own.
    let mut sorted = roots.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let order: Vec<usize> = roots.iter().map(|r| sorted.binary_search(r).unwrap_or(0)).collect();
    let mut out = Vec::with_capacity(take);
    for batch in reader {
        let batch = batch.map_err(|e| ColumnarError::Invalid(format!("decoding rows: {e}")))?;
        for row in 0..batch.num_rows() {
            out.push(order.iter().map(|&c| cell(batch.column(c).as_ref(), row)).collect());
        }
    }
    Ok(out)
}

/// The byte ranges read so far, as a `ChunkReader`: asking for bytes
/// outside them is an error (the plan missed them), never a read.
struct Fetched {
    size: u64,
    /// (start, bytes), sorted by start.
    pieces: Vec<(u64, Bytes)>,
}

impl Fetched {
    fn slice(&self, start: u64, len: Option<u64>) -> parquet::errors::Result<Bytes> {
        let piece = self.pieces.iter().rev().find(|(s, _)| *s <= start);
        let missing = || ParquetError::General(format!("bytes at {start} were not fetched"));
        let (piece_start, bytes) = piece.ok_or_else(missing)?;
        let from = (start - piece_start) as usize;
        let to = match len {
            Some(len) => from + len as usize,
            None => bytes.len(),
        };
        if to > bytes.len() || from > bytes.len() {
            return Err(missing());
        }
        Ok(bytes.slice(from..to))
    }
}

impl Length for Fetched {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for Fetched {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(self.slice(start, None)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.slice(start, Some(length as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearby_ranges_merge() {
        assert_eq!(merge(vec![(100, 50), (0, 100), (5000, 10), (10_000, 0)]), [(0, 150), (5000, 10)]);
        assert_eq!(merge(vec![(0, 10), (4106, 4)]), [(0, 4110)]);
        assert_eq!(merge(vec![(0, 10), (4107, 4)]), [(0, 10), (4107, 4)]);
    }

    #[test]
    fn columns_picked_by_name() {
        let names: Vec<String> = ["ra", "dec", "RA"].iter().map(|s| s.to_string()).collect();
        assert_eq!(pick_columns(&names, &["RA".into(), "Dec".into()]).unwrap(), [2, 1]);
        let err = pick_columns(&names, &["flux".into()]).unwrap_err();
        assert!(err.to_string().contains("no column named \"flux\""), "{err}");
    }
}
