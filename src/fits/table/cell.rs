//! Decoding one table cell into its physical value, as astropy's
//! `hdu.data[...]` gives it (see the `table --json` contract).

use super::TableError;
use super::column::{AsciiForm, BinaryForm, BinaryType, Column, Descriptor, Layout};
use super::heap::Heap;
use crate::fits::card::Value;

/// A physical value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// TNULL, an undefined logical, a blank ASCII field.
    Null,
    Bool(bool),
    /// Integers after TZERO (the unsigned conventions need more than i64).
    Int(i128),
    /// Floats as stored (NaN and infinities kept; the outputs decide).
    Float(f64),
    Text(String),
    Complex(f64, f64),
    Array(Vec<Cell>),
    /// A Parquet struct: its fields in order.
    Object(Vec<(String, Cell)>),
}

/// Decodes `column` from one row's bytes (and the heap for arrays stored there).
pub fn decode(column: &Column, row: &[u8], heap: &Heap) -> Result<Cell, TableError> {
    match &column.layout {
        Layout::Binary(form) => decode_binary(column, form, row, heap),
        Layout::Ascii { start, form } => {
            let field = row.get(*start as usize..(start + form.width()) as usize).unwrap_or(&[]);
            decode_ascii(column, *form, field)
        }
    }
}

fn decode_binary(column: &Column, form: &BinaryForm, row: &[u8], heap: &Heap) -> Result<Cell, TableError> {
    let start = column.offset as usize;
    let field = row.get(start..start + form.width() as usize).ok_or_else(|| {
        TableError::Data(format!("column {} runs past the end of its {}-byte row", column.name, row.len()))
    })?;
    let Some(descriptor) = form.heap else {
        return Ok(decode_elements(column, form.element, form.repeat, field, &column.shape));
    };
    let (count, offset) = match descriptor {
        Descriptor::P => (be_u32(&field[0..4]) as u64, be_u32(&field[4..8]) as u64),
        Descriptor::Q => (be_u64(&field[0..8]), be_u64(&field[8..16])),
    };
    let len = element_bytes(form.element, count)
        .ok_or_else(|| TableError::Data(format!("column {}: an array of {count} elements overflows", column.name)))?;
    let bytes = heap.slice(offset, len).map_err(|why| TableError::Data(format!("column {}: {why}", column.name)))?;
    if form.element == BinaryType::Char {
        return Ok(Cell::Text(text(bytes)));
    }
    match decode_elements(column, form.element, count, bytes, &[]) {
        array @ Cell::Array(_) => Ok(array),
        single => Ok(Cell::Array(vec![single])),
    }
}

/// Heap bytes an array of `count` elements takes.
pub fn element_bytes(element: BinaryType, count: u64) -> Option<u64> {
    match element {
        BinaryType::Bit => Some(count.div_ceil(8)),
        other => count.checked_mul(other.size()),
    }
}

/// `count` elements from `bytes`: a scalar for one, an array (shaped by TDIM) for more.
fn decode_elements(column: &Column, element: BinaryType, count: u64, bytes: &[u8], shape: &[u64]) -> Cell {
    match element {
        BinaryType::Char => {
            let width = shape.first().copied().unwrap_or(count).max(1) as usize;
            let strings: Vec<Cell> = bytes.chunks(width).map(|c| Cell::Text(text(c))).collect();
            if shape.len() <= 1 {
                return strings.into_iter().next().unwrap_or(Cell::Text(String::new()));
            }
            nest(strings, &shape[1..])
        }
        BinaryType::Bit => {
            Cell::Array((0..count).map(|i| Cell::Bool(bytes[(i / 8) as usize] & (0x80 >> (i % 8)) != 0)).collect())
        }
        _ => {
            let size = element.size() as usize;
            let values: Vec<Cell> =
                bytes.chunks_exact(size).take(count as usize).map(|b| scalar(column, element, b)).collect();
            if count == 1 && shape.is_empty() {
                return values.into_iter().next().unwrap_or(Cell::Null);
            }
            if shape.is_empty() { Cell::Array(values) } else { nest(values, shape) }
        }
    }
}

/// Flat values in FITS order, shaped as numpy shapes TDIM `(a,b,…)`: the
/// first axis varies fastest, so `(a,b)` is `b` arrays of `a`.
fn nest(flat: Vec<Cell>, dims: &[u64]) -> Cell {
    let Some((&outer, inner)) = dims.split_last() else {
        return flat.into_iter().next().unwrap_or(Cell::Null);
    };
    if inner.is_empty() {
        return Cell::Array(flat.into_iter().take(outer as usize).collect());
    }
    let chunk = inner.iter().product::<u64>().max(1) as usize;
    let mut rest = flat.into_iter();
    let mut groups = Vec::with_capacity(outer as usize);
    for _ in 0..outer {
        let part: Vec<Cell> = rest.by_ref().take(chunk).collect();
        groups.push(nest(part, inner));
    }
    Cell::Array(groups)
}

fn scalar(column: &Column, element: BinaryType, b: &[u8]) -> Cell {
    match element {
        BinaryType::Logical => match b[0] {
            b'T' => Cell::Bool(true),
            0 => Cell::Null,
            _ => Cell::Bool(false),
        },
        BinaryType::Byte => integer(column, b[0] as i64),
        BinaryType::Int16 => integer(column, i16::from_be_bytes([b[0], b[1]]) as i64),
        BinaryType::Int32 => integer(column, be_u32(b) as i32 as i64),
        BinaryType::Int64 => integer(column, be_u64(b) as i64),
        BinaryType::Float32 => Cell::Float(physical(column, f32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f64)),
        BinaryType::Float64 => Cell::Float(physical(column, f64::from_bits(be_u64(b)))),
        BinaryType::Complex64 => Cell::Complex(
            f32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f64,
            f32::from_be_bytes([b[4], b[5], b[6], b[7]]) as f64,
        ),
        BinaryType::Complex128 => Cell::Complex(f64::from_bits(be_u64(&b[0..8])), f64::from_bits(be_u64(&b[8..16]))),
        BinaryType::Char | BinaryType::Bit => Cell::Null,
    }
}

/// A stored integer: TNULL first, then TSCAL/TZERO.
fn integer(column: &Column, raw: i64) -> Cell {
    if matches!(column.null, Some(Value::Integer(null)) if null == raw) {
        return Cell::Null;
    }
    if column.keeps_integers() {
        Cell::Int(raw as i128 + column.zero as i128)
    } else {
        Cell::Float(raw as f64 * column.scale + column.zero)
    }
}

fn physical(column: &Column, raw: f64) -> f64 {
    if column.is_scaled() { raw * column.scale + column.zero } else { raw }
}

/// An ASCII-table field: blank or TNULL is null; a number that does not parse is an error.
fn decode_ascii(column: &Column, form: AsciiForm, field: &[u8]) -> Result<Cell, TableError> {
    let raw = String::from_utf8_lossy(field);
    let trimmed = raw.trim();
    if let AsciiForm::Text(_) = form {
        return Ok(Cell::Text(raw.trim_end().to_string()));
    }
    let is_null = matches!(&column.null, Some(Value::String(null)) if null.trim() == trimmed);
    if trimmed.is_empty() || is_null {
        return Ok(Cell::Null);
    }
    let bad = || TableError::Data(format!("column {}: {trimmed:?} is not a number (and not TNULL)", column.name));
    Ok(match form {
        AsciiForm::Integer(_) => {
            let raw = trimmed.trim_start_matches('+').parse::<i64>().map_err(|_| bad())?;
            if column.keeps_integers() {
                Cell::Int(raw as i128 + column.zero as i128)
            } else {
                Cell::Float(raw as f64 * column.scale + column.zero)
            }
        }
        _ => Cell::Float(physical(column, trimmed.replace(['D', 'd'], "E").parse::<f64>().map_err(|_| bad())?)),
    })
}

/// Characters up to the trailing NULs and blanks.
fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().rposition(|&b| b != 0 && b != b' ').map_or(0, |p| p + 1);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_u64(b: &[u8]) -> u64 {
    u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}
