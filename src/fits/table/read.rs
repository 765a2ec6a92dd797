//! Reading rows of a table through a range source: one read for the rows,
//! one more (merged ranges) for the heap arrays they point to.

use std::ops::Range;

use super::Table;
use super::cell::Cell;
use super::heap::Heap;
use crate::fits::hdu::Hdu;
use crate::fits::source::StreamSource;
use crate::fits::stream::{DataError, StreamOptions, merge_ranges, read_ranges};

/// Rows read, with the columns asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// The rows these are (clipped to the table).
    pub range: Range<u64>,
    /// One vector of cells per row, in the order of the columns asked for.
    pub cells: Vec<Vec<Cell>>,
}

/// Reads `rows` (clipped to the table) of `columns` (indices into `table.columns`).
pub async fn read_rows<S: StreamSource>(
    source: &mut S,
    hdu: &Hdu,
    table: &Table,
    rows: Range<u64>,
    columns: &[usize],
    options: StreamOptions,
) -> Result<Rows, DataError> {
    let range = table.clip(rows);
    if range.is_empty() || table.row_len == 0 {
        return Ok(Rows { range, cells: Vec::new() });
    }
    let (offset, len) = table.byte_range(&range);
    let bytes = read_ranges(source, &[(hdu.data_start + offset, len)], options).await?.pop().unwrap_or_default();
    let whole_rows = bytes.len() as u64 / table.row_len;
    if whole_rows < range.end - range.start {
        let ends = range.start + whole_rows;
        return Err(DataError::Invalid(format!(
            "the file ends in row {ends} of the {} rows NAXIS2 promises (truncated, or NAXIS2 is wrong)",
            table.rows
        )));
    }
    let wanted = table.heap_ranges(&bytes, columns).map_err(|e| DataError::Invalid(e.to_string()))?;
    let mut heap = Heap::new(table.heap_size);
    if !wanted.is_empty() {
        let merged = merge_ranges(wanted, options.merge_gap);
        let heap_at = hdu.data_start + table.heap_start;
        let stream_ranges: Vec<(u64, u64)> = merged.iter().map(|&(o, l)| (heap_at + o, l)).collect();
        let parts = read_ranges(source, &stream_ranges, options).await?;
        for ((start, _), part) in merged.into_iter().zip(parts) {
            heap.insert(start, part);
        }
    }
    let cells = table.decode_rows(&bytes, columns, &heap).map_err(|e| DataError::Invalid(e.to_string()))?;
    Ok(Rows { range, cells })
}
