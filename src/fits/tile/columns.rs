//! The columns of a compressed image's table: where each sits in a row, and
//! reading its cell (heap descriptors, scale factors, blank values).

use super::TileError;
use crate::fits::header::Header;

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// A variable-length array: `P` (two 4-byte) or `Q` (two 8-byte)
    /// descriptors of elements of `element` bytes (`float` for E and D).
    Array { long: bool, element: usize, float: bool },
    /// A scalar: `code` is the TFORM letter (B, I, J, K, E, D).
    Scalar { code: char },
}

/// One column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Byte offset of the cell in a row.
    pub offset: usize,
    pub cell: Cell,
}

/// Bytes of one element of a TFORM letter.
fn element_size(code: char) -> Option<usize> {
    match code {
        'L' | 'B' | 'A' | 'X' => Some(1),
        'I' => Some(2),
        'J' | 'E' => Some(4),
        'K' | 'D' | 'C' => Some(8),
        'M' => Some(16),
        _ => None,
    }
}

/// Parses a TFORM: the cell and its width in the row.
fn parse_form(form: &str) -> Result<(Cell, usize), TileError> {
    let form = form.trim().to_ascii_uppercase();
    let digits: String = form.chars().take_while(|c| c.is_ascii_digit()).collect();
    let repeat: usize = if digits.is_empty() { 1 } else { digits.parse().map_err(|_| bad_form(&form))? };
    let mut rest = form[digits.len()..].chars();
    let code = rest.next().ok_or_else(|| bad_form(&form))?;
    match code {
        'P' | 'Q' => {
            let element_code = rest.next().ok_or_else(|| bad_form(&form))?;
            let element = element_size(element_code).ok_or_else(|| bad_form(&form))?;
            let long = code == 'Q';
            let float = matches!(element_code, 'E' | 'D');
            let width = repeat.min(1) * if long { 16 } else { 8 };
            Ok((Cell::Array { long, element, float }, width))
        }
        'X' => Ok((Cell::Scalar { code }, repeat.div_ceil(8))),
        _ => {
            let size = element_size(code).ok_or_else(|| bad_form(&form))?;
            let width = repeat.checked_mul(size).ok_or_else(|| bad_form(&form))?;
            Ok((Cell::Scalar { code }, width))
        }
    }
}

fn bad_form(form: &str) -> TileError {
    TileError::new(format!("TFORM '{form}' is not understood"))
}

/// The columns named in `names` (TTYPE, case-insensitive), where present.
pub fn find(header: &Header, names: &[&str]) -> Result<Vec<Option<Column>>, TileError> {
    let fields = header.int("TFIELDS").unwrap_or(0).clamp(0, 999);
    let mut found = vec![None; names.len()];
    let mut offset = 0usize;
    for n in 1..=fields {
        let form = header.string(&format!("TFORM{n}")).ok_or_else(|| TileError::new(format!("TFORM{n} is missing")))?;
        let (cell, width) = parse_form(form)?;
        let name = header.string(&format!("TTYPE{n}")).unwrap_or("").trim().to_ascii_uppercase();
        if let Some(i) = names.iter().position(|&wanted| wanted == name) {
            found[i].get_or_insert(Column { offset, cell });
        }
        offset = offset.saturating_add(width);
    }
    Ok(found)
}

impl Column {
    /// The cell's bytes in `row`, `len` of them.
    fn bytes<'a>(&self, row: &'a [u8], len: usize) -> Result<&'a [u8], TileError> {
        row.get(self.offset..self.offset.saturating_add(len))
            .ok_or_else(|| TileError::new("the table row is shorter than its columns"))
    }

    /// A descriptor: (element count, heap offset).
    pub fn descriptor(&self, row: &[u8]) -> Result<(u64, u64), TileError> {
        let Cell::Array { long, .. } = self.cell else {
            return Err(TileError::new("a data column is not a variable-length array"));
        };
        let (count, offset) = if long {
            let b = self.bytes(row, 16)?;
            (
                i64::from_be_bytes(b[..8].try_into().unwrap_or_default()),
                i64::from_be_bytes(b[8..].try_into().unwrap_or_default()),
            )
        } else {
            let b = self.bytes(row, 8)?;
            let count = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            (i64::from(count), i64::from(i32::from_be_bytes([b[4], b[5], b[6], b[7]])))
        };
        if count < 0 || offset < 0 {
            return Err(TileError::new(format!("negative heap descriptor ({count}, {offset})")));
        }
        Ok((count as u64, offset as u64))
    }

    /// The element size of an array column (1 for scalars).
    pub fn element(&self) -> usize {
        match self.cell {
            Cell::Array { element, .. } => element,
            Cell::Scalar { .. } => 1,
        }
    }

    /// A numeric scalar cell as f64 (integers exactly up to 2^53).
    pub fn real(&self, row: &[u8]) -> Result<f64, TileError> {
        let Cell::Scalar { code } = self.cell else {
            return Err(TileError::new("a scale column is not a scalar"));
        };
        let size = element_size(code).unwrap_or(1);
        let b = self.bytes(row, size)?;
        Ok(match code {
            'B' => f64::from(b[0]),
            'I' => f64::from(i16::from_be_bytes([b[0], b[1]])),
            'J' => f64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            'K' => i64::from_be_bytes(b.try_into().unwrap_or_default()) as f64,
            'E' => f64::from(f32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            'D' => f64::from_be_bytes(b.try_into().unwrap_or_default()),
            _ => return Err(TileError::new(format!("column type {code} is not numeric"))),
        })
    }

    /// An integer scalar cell (ZBLANK).
    pub fn int(&self, row: &[u8]) -> Result<i64, TileError> {
        match self.cell {
            Cell::Scalar { code: 'K' } => Ok(i64::from_be_bytes(self.bytes(row, 8)?.try_into().unwrap_or_default())),
            _ => self.real(row).map(|v| v as i64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_give_cells_and_widths() {
        let array = |long, element, float| Cell::Array { long, element, float };
        assert_eq!(parse_form("1PB(2880)").unwrap(), (array(false, 1, false), 8));
        assert_eq!(parse_form("1QI").unwrap(), (array(true, 2, false), 16));
        assert_eq!(parse_form("PE(10)").unwrap(), (array(false, 4, true), 8));
        assert_eq!(parse_form("1D").unwrap(), (Cell::Scalar { code: 'D' }, 8));
        assert_eq!(parse_form("20A").unwrap().1, 20);
        assert_eq!(parse_form("12X").unwrap().1, 2);
        assert!(parse_form("1PZ").is_err() && parse_form("").is_err() && parse_form("99999999999999999999J").is_err());
    }

    #[test]
    fn cells_read_big_endian() {
        let p = Column { offset: 2, cell: Cell::Array { long: false, element: 1, float: false } };
        let row = [9, 9, 0, 0, 1, 0, 0, 0, 0, 16];
        assert_eq!(p.descriptor(&row).unwrap(), (256, 16));
        assert!(p.descriptor(&row[..9]).is_err());
        let negative = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0];
        assert!(Column { offset: 0, ..p }.descriptor(&negative).is_err());
        let d = Column { offset: 0, cell: Cell::Scalar { code: 'D' } };
        assert_eq!(d.real(&0.25f64.to_be_bytes()).unwrap(), 0.25);
        let j = Column { offset: 0, cell: Cell::Scalar { code: 'J' } };
        assert_eq!(j.int(&(-7i32).to_be_bytes()).unwrap(), -7);
    }
}
