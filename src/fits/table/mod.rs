//! FITS tables (BINTABLE and ASCII TABLE): their geometry from the header and
//! the decoding of rows into physical values. Pure: the bytes are read
//! elsewhere (`read.rs` over a range source).

pub mod cell;
pub mod column;
pub mod display;
pub mod heap;
pub mod read;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

use self::cell::{Cell, element_bytes};
use self::column::{BinaryForm, Column, Descriptor, Layout};
use self::heap::Heap;
use super::hdu::Hdu;

/// Why a table cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// The header does not describe a table we can read.
    Header(String),
    /// The data does not match the header (truncated, bad pointers).
    Data(String),
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableError::Header(why) | TableError::Data(why) => f.write_str(why),
        }
    }
}

/// A table HDU's layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub ascii: bool,
    /// NAXIS1: bytes a row.
    pub row_len: u64,
    /// NAXIS2.
    pub rows: u64,
    pub columns: Vec<Column>,
    /// Where the heap starts, from the data start (THEAP, default the end of the rows).
    pub heap_start: u64,
    pub heap_size: u64,
}

impl Table {
    /// The table an HDU holds; an error if it is not a table.
    pub fn from_hdu(hdu: &Hdu) -> Result<Self, TableError> {
        let h = &hdu.header;
        let ascii = match hdu.kind.as_str() {
            "BINTABLE" => false,
            "TABLE" => true,
            other => {
                let kind = if other.is_empty() { "an extension without XTENSION" } else { other };
                return Err(TableError::Header(format!("HDU {} is {kind}, not a table", hdu.index)));
            }
        };
        let axis = |n: u32| {
            h.int(&format!("NAXIS{n}"))
                .filter(|&v| v >= 0)
                .map(|v| v as u64)
                .ok_or_else(|| TableError::Header(format!("no valid NAXIS{n}")))
        };
        let (row_len, rows) = (axis(1)?, axis(2)?);
        let table_bytes =
            row_len.checked_mul(rows).ok_or_else(|| TableError::Header("NAXIS1 x NAXIS2 overflows".into()))?;
        let pcount = h.int("PCOUNT").unwrap_or(0).max(0) as u64;
        let heap_start = match h.int("THEAP") {
            Some(theap) if theap < 0 || (theap as u64) < table_bytes => {
                return Err(TableError::Header(format!("THEAP {theap} points inside the rows")));
            }
            Some(theap) => theap as u64,
            None => table_bytes,
        };
        let gap = heap_start - table_bytes;
        if gap > pcount {
            return Err(TableError::Header(format!("THEAP {heap_start} is beyond the heap (PCOUNT {pcount})")));
        }
        let columns = column::columns(h, ascii, row_len)?;
        Ok(Self { ascii, row_len, rows, columns, heap_start, heap_size: pcount - gap })
    }

    /// `rows` clipped to the table.
    pub fn clip(&self, rows: Range<u64>) -> Range<u64> {
        rows.start.min(self.rows)..rows.end.min(self.rows).max(rows.start.min(self.rows))
    }

    /// The byte range of `rows` from the data start: (offset, length).
    pub fn byte_range(&self, rows: &Range<u64>) -> (u64, u64) {
        (rows.start * self.row_len, (rows.end - rows.start) * self.row_len)
    }

    /// Heap ranges (from the heap's start) the variable-length arrays of these rows need.
    pub fn heap_ranges(&self, rows: &[u8], columns: &[usize]) -> Result<Vec<(u64, u64)>, TableError> {
        let heap = Heap::new(self.heap_size);
        let mut ranges = Vec::new();
        for row in rows.chunks_exact(self.row_len.max(1) as usize) {
            for &c in columns {
                let column = &self.columns[c];
                let Layout::Binary(BinaryForm { heap: Some(descriptor), element, .. }) = column.layout else {
                    continue;
                };
                let at = column.offset as usize;
                let (count, offset) = match descriptor {
                    Descriptor::P => (be(&row[at..at + 4]), be(&row[at + 4..at + 8])),
                    Descriptor::Q => (be(&row[at..at + 8]), be(&row[at + 8..at + 16])),
                };
                let len = element_bytes(element, count).unwrap_or(u64::MAX);
                heap.check(offset, len).map_err(|why| TableError::Data(format!("column {}: {why}", column.name)))?;
                ranges.push((offset, len));
            }
        }
        Ok(ranges)
    }

    /// Decodes whole rows (`bytes` is a multiple of the row length) for the given columns.
    pub fn decode_rows(&self, bytes: &[u8], columns: &[usize], heap: &Heap) -> Result<Vec<Vec<Cell>>, TableError> {
        if self.row_len == 0 {
            return Ok(Vec::new());
        }
        bytes
            .chunks_exact(self.row_len as usize)
            .map(|row| columns.iter().map(|&c| cell::decode(&self.columns[c], row, heap)).collect())
            .collect()
    }

    /// Column indices for names (case-insensitive, as astropy matches them), in the order given.
    pub fn pick_columns(&self, names: &[String]) -> Result<Vec<usize>, TableError> {
        names
            .iter()
            .map(|name| {
                self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
                    TableError::Header(format!("no column named {name:?} (the table has {})", self.column_names()))
                })
            })
            .collect()
    }

    fn column_names(&self) -> String {
        let names: Vec<&str> = self.columns.iter().take(12).map(|c| c.name.as_str()).collect();
        let more = self.columns.len().saturating_sub(names.len());
        if more > 0 { format!("{}, … {more} more", names.join(", ")) } else { names.join(", ") }
    }
}

/// A big-endian unsigned integer of 4 or 8 bytes.
fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64)
}

/// Parses `A:B` (half-open), `A:` (to the end) or `A` (one row).
pub fn parse_rows(text: &str) -> Result<Range<u64>, String> {
    let bad = || format!("{text:?} is not a row range (A:B, A: or A)");
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
    match text.split_once(':') {
        Some((a, b)) => {
            let start = if a.trim().is_empty() { 0 } else { number(a)? };
            let end = if b.trim().is_empty() { u64::MAX } else { number(b)? };
            if end < start {
                return Err(format!("row range {text:?} ends before it starts"));
            }
            Ok(start..end)
        }
        None => {
            let row = number(text)?;
            Ok(row..row.saturating_add(1))
        }
    }
}
