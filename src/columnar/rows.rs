//! Rows of a Parquet file from the column chunks they need: the row groups
//! that hold the rows asked for, only the columns asked for, fetched with
//! concurrent range reads and decoded by the `parquet` crate's Arrow reader.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
use super::footer::{Footer, check_chunks, chunk_range};
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
/// is, and the byte ranges of the column chunks (merged): `ranges` the
/// chunks whole, `prefixes` only as far into each chunk as the rows asked
/// for are likely to reach (pages are read in order from a chunk's start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsPlan {
    pub row_groups: Vec<usize>,
    /// The file row of the first selected row group's first row.
    pub first_row: u64,
    pub ranges: Vec<(u64, u64)>,
    pub prefixes: Vec<(u64, u64)>,
}

/// Bytes added to a chunk's estimated prefix (page headers, a dictionary page, uneven pages).
const PREFIX_SLACK: u64 = 64 << 10;
/// A dictionary page and a data page of the size most writers aim at
/// (pyarrow, parquet-rs, parquet-mr: 1 MiB each).
const USUAL_PAGE: u64 = 2 << 20;

/// Plans reading `rows` of the top-level columns `roots`.
pub fn plan(metadata: &ParquetMetaData, rows: &Range<u64>, roots: &[usize]) -> RowsPlan {
    let schema = metadata.file_metadata().schema_descr();
    let leaves: Vec<usize> =
        (0..schema.num_columns()).filter(|&leaf| roots.contains(&schema.get_column_root_idx(leaf))).collect();
    let mut row_groups = Vec::new();
    let mut first_row = None;
    let mut ranges = Vec::new();
    let mut prefixes = Vec::new();
    let mut start = 0u64;
    for (index, group) in metadata.row_groups().iter().enumerate() {
        let group_rows = group.num_rows().max(0) as u64;
        let end = start + group_rows;
        if start < rows.end && rows.start < end {
            row_groups.push(index);
            first_row.get_or_insert(start);
            // The share of the row group up to the last row wanted, with room to spare.
            let reach = rows.end.min(end) - start;
            for &leaf in &leaves {
                let (offset, len) = chunk_range(group.column(leaf)).unwrap_or((0, 0));
                ranges.push((offset, len));
                let share = (len as u128 * reach as u128 * 5 / 4 / group_rows.max(1) as u128) as u64;
                // Pages are read whole: at least a dictionary page and a data page of the usual size.
                let prefix = share.max(USUAL_PAGE).saturating_add(PREFIX_SLACK);
                prefixes.push((offset, len.min(prefix)));
            }
        }
        start = end;
    }
    RowsPlan { row_groups, first_row: first_row.unwrap_or(0), ranges: merge(ranges), prefixes: merge(prefixes) }
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
    if let Some(path) = metadata.row_groups().iter().flat_map(|g| g.columns()).find_map(|c| c.file_path()) {
        return Err(ColumnarError::Invalid(format!(
            "its row groups are in the dataset's other files (such as {path:?}): a _metadata file holds no rows"
        )));
    }
    check_chunks(metadata, footer.size, footer.length)?;
    let plan = plan(metadata, &rows, roots);
    // The chunks' beginnings first, when that is less; whole chunks if the rows reach further.
    if plan.prefixes != plan.ranges {
        let fetched = fetch(source, footer.size, &plan.prefixes).await?;
        match decode_rows(&fetched, Arc::clone(metadata), &plan, rows.clone(), roots) {
            Err(_) if fetched.missed.load(Ordering::Relaxed) => {}
            decoded => return decoded,
        }
    }
    let fetched = fetch(source, footer.size, &plan.ranges).await?;
    decode_rows(&fetched, Arc::clone(metadata), &plan, rows, roots)
}

/// Reads `ranges`, all of each.
async fn fetch<S: RangeSource>(source: &mut S, size: u64, ranges: &[(u64, u64)]) -> Result<Fetched, ColumnarError> {
    let answers = source.read_many(ranges).await;
    let mut pieces = Vec::with_capacity(answers.len());
    for (&(start, len), answer) in ranges.iter().zip(answers) {
        let bytes = answer.map_err(|e| ColumnarError::Source(e.0))?;
        if bytes.len() as u64 != len {
            return Err(ColumnarError::Source(format!("the file ended early: {} of {len} bytes", bytes.len())));
        }
        pieces.push((start, Bytes::from(bytes)));
    }
    Ok(Fetched { size, pieces, missed: Arc::new(AtomicBool::new(false)) })
}

/// Decodes the fetched chunks into rows of cells.
fn decode_rows(
    fetched: &Fetched,
    metadata: Arc<ParquetMetaData>,
    plan: &RowsPlan,
    rows: Range<u64>,
    roots: &[usize],
) -> Result<Vec<Vec<Cell>>, ColumnarError> {
    let invalid = |e: ParquetError| ColumnarError::Invalid(format!("decoding rows: {e}"));
    let skip = (rows.start - plan.first_row) as usize;
    let take = (rows.end - rows.start) as usize;
    // Nothing after the rows wanted: the reader stops there, reading no further pages.
    let selection = RowSelection::from(vec![RowSelector::skip(skip), RowSelector::select(take)]);
    let schema = metadata.file_metadata().schema_descr_ptr();
    let reader_metadata = ArrowReaderMetadata::try_new(metadata, ArrowReaderOptions::new()).map_err(invalid)?;
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(fetched.clone(), reader_metadata)
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
/// outside them is an error (and noted: the plan fell short), never a read.
#[derive(Clone)]
struct Fetched {
    size: u64,
    /// (start, bytes), sorted by start.
    pieces: Vec<(u64, Bytes)>,
    /// Shared by the clones handed to the reader.
    missed: Arc<AtomicBool>,
}

impl Fetched {
    fn slice(&self, start: u64, len: Option<u64>) -> parquet::errors::Result<Bytes> {
        let piece = self.pieces.iter().rev().find(|(s, _)| *s <= start);
        let missing = || ParquetError::General(format!("bytes at {start} were not fetched"));
        let Some((piece_start, bytes)) = piece else {
            self.missed.store(true, Ordering::Relaxed);
            return Err(missing());
        };
        let from = (start - piece_start) as usize;
        let to = match len {
            Some(len) => from + len as usize,
            None => bytes.len(),
        };
        if to > bytes.len() || from > bytes.len() {
            self.missed.store(true, Ordering::Relaxed);
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

    /// One row group of 800,000 rows in pages of 100 rows: (id, value = id / 2).
    fn paged_file() -> Vec<u8> {
        use arrow_array::{Float64Array, Int64Array, RecordBatch};
        use arrow_schema::{Field, Schema};
        use parquet::arrow::ArrowWriter;
        use parquet::file::properties::WriterProperties;
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("value", DataType::Float64, false),
        ]));
        let ids = Int64Array::from_iter_values(0..800_000);
        let values = Float64Array::from_iter_values((0..800_000).map(|i| i as f64 / 2.0));
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(ids), Arc::new(values)]).unwrap();
        let properties = WriterProperties::builder()
            .set_data_page_row_count_limit(100)
            .set_write_batch_size(100)
            .set_dictionary_enabled(false)
            .build();
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut out, schema, Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        out
    }

    #[test]
    fn the_first_rows_of_a_large_chunk_read_its_beginning_only() {
        use futures::executor::block_on;

        use crate::columnar::footer::read_footer;
        use crate::fits::tests::Memory;
        let file = paged_file();
        let mut source = Memory::new(file);
        let footer = block_on(read_footer(&mut source)).unwrap();
        let chunk = footer.metadata.row_group(0).column(1).byte_range().1;
        assert!(chunk > 6_000_000, "a chunk of many pages: {chunk}");
        let before = source.bytes_read();
        let rows = block_on(read_rows(&mut source, &footer, 0..20, &[1])).unwrap();
        assert_eq!(rows[19], [Cell::Float(9.5)]);
        let read = source.bytes_read() - before;
        assert!(read < chunk / 2, "{read} bytes of a {chunk}-byte chunk");
        // Rows further in: the estimate reaches them, or whole chunks follow.
        for (range, first) in [(5000..5010, 5000), (799_990..800_000, 799_990)] {
            let rows = block_on(read_rows(&mut source, &footer, range.clone(), &[1, 0])).unwrap();
            assert_eq!(rows.len(), 10);
            assert_eq!(rows[0], [Cell::Float(first as f64 / 2.0), Cell::Int(first)], "{range:?}");
        }
    }

    #[test]
    fn rows_past_a_short_estimate_are_read_from_whole_chunks() {
        use arrow_array::{RecordBatch, StringArray};
        use arrow_schema::{Field, Schema};
        use futures::executor::block_on;
        use parquet::arrow::ArrowWriter;
        use parquet::file::properties::WriterProperties;

        use crate::columnar::footer::read_footer;
        use crate::fits::tests::Memory;
        // The first 400 rows hold nearly all the bytes: an estimate by row share falls short.
        let text = (0..5000).map(|i| if i < 400 { format!("{i:05}{}", "x".repeat(8000)) } else { format!("{i:05}") });
        let schema = Arc::new(Schema::new(vec![Field::new("text", DataType::Utf8, false)]));
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from_iter_values(text))]).unwrap();
        let properties = WriterProperties::builder().set_data_page_row_count_limit(50).set_write_batch_size(50).build();
        let mut file = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut file, schema, Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let mut source = Memory::new(file);
        let footer = block_on(read_footer(&mut source)).unwrap();
        let rounds = source.round_trips;
        let rows = block_on(read_rows(&mut source, &footer, 600..602, &[0])).unwrap();
        assert_eq!(rows, [[Cell::Text("00600".into())], [Cell::Text("00601".into())]]);
        assert_eq!(source.round_trips - rounds, 2, "the beginning, then the whole chunk");
    }

    #[test]
    fn columns_picked_by_name() {
        let names: Vec<String> = ["ra", "dec", "RA"].iter().map(|s| s.to_string()).collect();
        assert_eq!(pick_columns(&names, &["RA".into(), "Dec".into()]).unwrap(), [2, 1]);
        let err = pick_columns(&names, &["flux".into()]).unwrap_err();
        assert!(err.to_string().contains("no column named \"flux\""), "{err}");
    }
}
