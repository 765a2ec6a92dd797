//! Table columns as their header describes them: TFORMn (binary and ASCII),
//! TDIMn, TSCALn/TZEROn, TNULLn, TUNITn, TDISPn, TBCOLn.

use super::TableError;
use crate::fits::card::Value;
use crate::fits::header::Header;

/// The element type of a binary-table column (the TFORM letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryType {
    /// `L`: one byte, `T`, `F` or 0 (undefined).
    Logical,
    /// `X`: bits, packed eight to a byte.
    Bit,
    /// `B`: unsigned byte.
    Byte,
    /// `I`, `J`, `K`: big-endian signed integers of 2, 4, 8 bytes.
    Int16,
    Int32,
    Int64,
    /// `A`: characters.
    Char,
    /// `E`, `D`: IEEE floats.
    Float32,
    Float64,
    /// `C`, `M`: pairs of floats.
    Complex64,
    Complex128,
}

impl BinaryType {
    fn from_letter(letter: char) -> Option<Self> {
        Some(match letter {
            'L' => Self::Logical,
            'X' => Self::Bit,
            'B' => Self::Byte,
            'I' => Self::Int16,
            'J' => Self::Int32,
            'K' => Self::Int64,
            'A' => Self::Char,
            'E' => Self::Float32,
            'D' => Self::Float64,
            'C' => Self::Complex64,
            'M' => Self::Complex128,
            _ => return None,
        })
    }

    /// Bytes of one element (bits count as one byte per eight, see [`BinaryForm::width`]).
    pub fn size(self) -> u64 {
        match self {
            Self::Logical | Self::Bit | Self::Byte | Self::Char => 1,
            Self::Int16 => 2,
            Self::Int32 | Self::Float32 => 4,
            Self::Int64 | Self::Float64 | Self::Complex64 => 8,
            Self::Complex128 => 16,
        }
    }
}

/// A binary column's TFORM: `rT`, or `rPT(max)` / `rQT(max)` for arrays in the heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinaryForm {
    pub repeat: u64,
    pub element: BinaryType,
    /// `P` (32-bit descriptors) or `Q` (64-bit): the values live in the heap.
    pub heap: Option<Descriptor>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Descriptor {
    P,
    Q,
}

impl BinaryForm {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim().to_ascii_uppercase();
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        let repeat = if digits == 0 { 1 } else { text[..digits].parse().map_err(|_| format!("TFORM {text:?}"))? };
        let mut rest = text[digits..].chars();
        let letter = rest.next().ok_or_else(|| format!("TFORM {text:?} has no type"))?;
        let (heap, letter) = match letter {
            'P' => (Some(Descriptor::P), rest.next()),
            'Q' => (Some(Descriptor::Q), rest.next()),
            other => (None, Some(other)),
        };
        let element = letter
            .and_then(BinaryType::from_letter)
            .ok_or_else(|| format!("TFORM {text:?} is not a binary-table type"))?;
        if heap.is_some() && repeat > 1 {
            return Err(format!("TFORM {text:?}: an array descriptor repeats at most once"));
        }
        Ok(Self { repeat, element, heap })
    }

    /// Bytes this column takes in a row.
    pub fn width(&self) -> u64 {
        match (self.heap, self.element) {
            (Some(Descriptor::P), _) => 8 * self.repeat,
            (Some(Descriptor::Q), _) => 16 * self.repeat,
            (None, BinaryType::Bit) => self.repeat.div_ceil(8),
            (None, element) => self.repeat.saturating_mul(element.size()),
        }
    }
}

/// An ASCII-table column's TFORM: `Aw`, `Iw`, `Fw.d`, `Ew.d`, `Dw.d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsciiForm {
    Text(u64),
    Integer(u64),
    Real { width: u64, decimals: u64 },
}

impl AsciiForm {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim().to_ascii_uppercase();
        let bad = || format!("TFORM {text:?} is not an ASCII-table format");
        let letter = text.chars().next().ok_or_else(bad)?;
        let (width, decimals) = match text[1..].split_once('.') {
            Some((w, d)) => (w.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?),
            None => (text[1..].parse().map_err(|_| bad())?, 0),
        };
        match letter {
            'A' => Ok(Self::Text(width)),
            'I' => Ok(Self::Integer(width)),
            'F' | 'E' | 'D' => Ok(Self::Real { width, decimals }),
            _ => Err(bad()),
        }
    }

    pub fn width(&self) -> u64 {
        match *self {
            Self::Text(w) | Self::Integer(w) => w,
            Self::Real { width, .. } => width,
        }
    }
}

/// Where a column's values are and how they are stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Layout {
    Binary(BinaryForm),
    /// `TBCOLn - 1` (a byte offset in the row) and the format.
    Ascii {
        start: u64,
        form: AsciiForm,
    },
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// 1-based, as in TTYPEn.
    pub number: usize,
    pub name: String,
    /// TFORMn as written.
    pub format: String,
    pub unit: Option<String>,
    /// TDIMn as written, and the shape it gives, fastest axis first.
    pub dim: Option<String>,
    pub shape: Vec<u64>,
    pub display: Option<String>,
    pub scale: f64,
    pub zero: f64,
    /// TNULLn: an integer for binary tables; a string for ASCII tables.
    pub null: Option<Value>,
    pub layout: Layout,
    /// Byte offset in the row (binary tables; ASCII columns carry their own).
    pub offset: u64,
}

impl Column {
    /// TSCAL 1 and an integral TZERO: integers stay integers.
    pub fn keeps_integers(&self) -> bool {
        self.scale == 1.0 && self.zero.fract() == 0.0 && self.zero.abs() < 1.9e19
    }

    pub fn is_scaled(&self) -> bool {
        self.scale != 1.0 || self.zero != 0.0
    }

    /// `NAME [unit]`, for column headings.
    pub fn heading(&self) -> String {
        match &self.unit {
            Some(unit) => format!("{} [{unit}]", self.name),
            None => self.name.clone(),
        }
    }
}

fn keyword_string(header: &Header, keyword: &str) -> Option<String> {
    header.string(keyword).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// TDIM `(a,b,c)` → `[a, b, c]`.
fn parse_dim(text: &str) -> Option<Vec<u64>> {
    let inner = text.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner.split(',').map(|n| n.trim().parse::<u64>().ok().filter(|&n| n > 0)).collect()
}

/// The columns of a binary (`ascii = false`) or ASCII table header.
pub fn columns(header: &Header, ascii: bool, row_len: u64) -> Result<Vec<Column>, TableError> {
    let count = header.int("TFIELDS").unwrap_or(0);
    if !(0..=999).contains(&count) {
        return Err(TableError::Header(format!("TFIELDS {count} is out of range")));
    }
    let mut columns = Vec::with_capacity(count as usize);
    let mut offset = 0u64;
    for n in 1..=count as usize {
        let format = keyword_string(header, &format!("TFORM{n}"))
            .ok_or_else(|| TableError::Header(format!("column {n} has no TFORM{n}")))?;
        let name = keyword_string(header, &format!("TTYPE{n}")).unwrap_or_else(|| format!("col{n}"));
        let bad = |why: String| TableError::Header(format!("column {n} ({name}): {why}"));
        let layout = if ascii {
            let form = AsciiForm::parse(&format).map_err(bad)?;
            let start = header.int(&format!("TBCOL{n}")).ok_or_else(|| bad(format!("no valid TBCOL{n}")))?;
            if start < 1 || (start as u64 - 1).saturating_add(form.width()) > row_len {
                return Err(bad(format!("TBCOL{n} = {start} puts it outside the {row_len}-byte row")));
            }
            Layout::Ascii { start: start as u64 - 1, form }
        } else {
            Layout::Binary(BinaryForm::parse(&format).map_err(bad)?)
        };
        let dim = keyword_string(header, &format!("TDIM{n}"));
        let mut shape = Vec::new();
        if let (Some(text), Layout::Binary(form)) = (&dim, &layout)
            && form.heap.is_none()
        {
            let parsed = parse_dim(text).ok_or_else(|| bad(format!("TDIM{n} {text:?} is not a shape")))?;
            let product = parsed.iter().try_fold(1u64, |a, &b| a.checked_mul(b));
            if product.is_none_or(|p| p > form.repeat) {
                return Err(bad(format!("TDIM{n} {text} holds more than the {} elements of TFORM", form.repeat)));
            }
            shape = parsed;
        }
        let null = match header.get(&format!("TNULL{n}")) {
            Some(Value::Integer(i)) if !ascii => Some(Value::Integer(*i)),
            Some(Value::String(s)) if ascii => Some(Value::String(s.clone())),
            _ => None,
        };
        let column = Column {
            number: n,
            unit: keyword_string(header, &format!("TUNIT{n}")),
            dim,
            shape,
            display: keyword_string(header, &format!("TDISP{n}")),
            scale: header.real(&format!("TSCAL{n}")).unwrap_or(1.0),
            zero: header.real(&format!("TZERO{n}")).unwrap_or(0.0),
            null,
            offset,
            format,
            name,
            layout,
        };
        if let Layout::Binary(form) = &column.layout {
            offset = offset.saturating_add(form.width());
        }
        columns.push(column);
    }
    if !ascii && offset > row_len {
        return Err(TableError::Header(format!("the columns need {offset} bytes a row, NAXIS1 says {row_len}")));
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_forms() {
        let f = BinaryForm::parse("20A").unwrap();
        assert_eq!((f.repeat, f.element, f.width()), (20, BinaryType::Char, 20));
        assert_eq!(BinaryForm::parse("D").unwrap().width(), 8);
        assert_eq!(BinaryForm::parse("13X").unwrap().width(), 2);
        assert_eq!(BinaryForm::parse("0J").unwrap().width(), 0);
        let vla = BinaryForm::parse("1PE(12)").unwrap();
        assert_eq!((vla.heap, vla.element, vla.width()), (Some(Descriptor::P), BinaryType::Float32, 8));
        assert_eq!(BinaryForm::parse("QD(3)").unwrap().width(), 16);
        assert_eq!(BinaryForm::parse("2M").unwrap().width(), 32);
        assert!(BinaryForm::parse("3Z").is_err());
        assert!(BinaryForm::parse("").is_err());
        assert!(BinaryForm::parse("2PJ").is_err());
        assert!(BinaryForm::parse("99999999999999999999J").is_err());
    }

    #[test]
    fn ascii_forms() {
        assert_eq!(AsciiForm::parse("I8").unwrap(), AsciiForm::Integer(8));
        assert_eq!(AsciiForm::parse("E15.7").unwrap(), AsciiForm::Real { width: 15, decimals: 7 });
        assert_eq!(AsciiForm::parse("A12").unwrap().width(), 12);
        assert!(AsciiForm::parse("J4").is_err());
        assert!(AsciiForm::parse("F").is_err());
    }

    #[test]
    fn dims_parse() {
        assert_eq!(parse_dim("(3, 2)"), Some(vec![3, 2]));
        assert_eq!(parse_dim("(0,2)"), None);
        assert_eq!(parse_dim("3,2"), None);
    }
}
