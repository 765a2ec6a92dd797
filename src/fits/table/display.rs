//! Cells as text: by TDISPn where the header gives it (Fortran edit
//! descriptors), else by type; and as JSON and CSV values.

use serde_json::{Value as Json, json};

use super::cell::Cell;
use super::column::{BinaryType, Column, Layout};

/// A TDISPn edit descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disp {
    Text,
    Logical,
    /// `Iw.m`, `Bw.m`, `Ow.m`, `Zw.m`: at least `digits` digits in `radix`.
    Integer {
        radix: u32,
        digits: usize,
    },
    /// `Fw.d`.
    Fixed(usize),
    /// `Ew.d`, `ESw.d`, `ENw.d`, `Dw.d`.
    Exponent(usize),
    /// `Gw.d`: fixed or exponent, whichever fits `d` significant digits.
    General(usize),
}

impl Disp {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_uppercase();
        let code: String = text.chars().take_while(char::is_ascii_alphabetic).collect();
        let numbers = &text[code.len()..];
        let mut parts = numbers.split(['.', 'E']);
        let _width = parts.next();
        let after_dot = parts.next().and_then(|d| d.parse::<usize>().ok());
        let decimals = after_dot.unwrap_or(0).min(30);
        Some(match code.as_str() {
            "A" => Self::Text,
            "L" => Self::Logical,
            "I" => Self::Integer { radix: 10, digits: decimals },
            "B" => Self::Integer { radix: 2, digits: decimals },
            "O" => Self::Integer { radix: 8, digits: decimals },
            "Z" => Self::Integer { radix: 16, digits: decimals },
            "F" => Self::Fixed(decimals),
            "E" | "ES" | "EN" | "D" => Self::Exponent(decimals),
            "G" => Self::General(if after_dot.is_some() { decimals.max(1) } else { 6 }),
            _ => return None,
        })
    }
}

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Style {
    disp: Option<Disp>,
    /// Floats read from 32 bits are shown at their own precision.
    single: bool,
}

impl Style {
    /// Plain values; floats of single precision shortest as such.
    pub fn plain(single: bool) -> Self {
        Self { disp: None, single }
    }

    pub fn of(column: &Column) -> Self {
        let single = matches!(&column.layout, Layout::Binary(f) if matches!(f.element, BinaryType::Float32 | BinaryType::Complex64))
            && !column.is_scaled();
        Self { disp: column.display.as_deref().and_then(Disp::parse), single }
    }

    /// A cell as text for a table view (arrays shortened to `limit` elements).
    pub fn format(&self, cell: &Cell, limit: usize) -> String {
        match cell {
            Cell::Null => "--".into(),
            Cell::Bool(b) => (if *b { "T" } else { "F" }).into(),
            Cell::Int(i) => self.integer(*i),
            Cell::Float(f) => self.float(*f),
            Cell::Text(s) => s.clone(),
            Cell::Complex(re, im) => format!("({}, {})", self.float(*re), self.float(*im)),
            Cell::Array(items) => {
                let mut shown: Vec<String> = items.iter().take(limit).map(|c| self.format(c, limit)).collect();
                if items.len() > limit {
                    shown.push(format!("… {} more", items.len() - limit));
                }
                format!("[{}]", shown.join(", "))
            }
            Cell::Object(fields) => {
                let shown: Vec<String> =
                    fields.iter().map(|(name, value)| format!("{name}: {}", self.format(value, limit))).collect();
                format!("{{{}}}", shown.join(", "))
            }
        }
    }

    fn integer(&self, value: i128) -> String {
        match self.disp {
            Some(Disp::Integer { radix, digits }) => {
                let body = match radix {
                    2 => format!("{:b}", value.unsigned_abs()),
                    8 => format!("{:o}", value.unsigned_abs()),
                    16 => format!("{:X}", value.unsigned_abs()),
                    _ => value.unsigned_abs().to_string(),
                };
                format!("{}{body:0>digits$}", if value < 0 { "-" } else { "" })
            }
            Some(Disp::Fixed(_) | Disp::Exponent(_) | Disp::General(_)) => self.float(value as f64),
            _ => value.to_string(),
        }
    }

    fn float(&self, value: f64) -> String {
        if !value.is_finite() {
            return if value.is_nan() {
                "nan".into()
            } else if value > 0.0 {
                "inf".into()
            } else {
                "-inf".into()
            };
        }
        match self.disp {
            Some(Disp::Fixed(d)) => format!("{value:.d$}"),
            Some(Disp::Exponent(d)) => exponent(value, d),
            Some(Disp::General(d)) => general(value, d),
            Some(Disp::Integer { .. }) => format!("{}", value.round()),
            _ if self.single => format!("{}", value as f32),
            _ => format!("{value}"),
        }
    }
}

/// `1.500E+03`, as Fortran writes `E10.3`.
fn exponent(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$E}");
    match text.split_once('E') {
        Some((mantissa, exp)) => {
            let exp: i32 = exp.parse().unwrap_or(0);
            format!("{mantissa}E{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
        }
        None => text,
    }
}

/// `%g` with `digits` significant digits.
fn general(value: f64, digits: usize) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let exp = value.abs().log10().floor() as i32;
    if exp < -4 || exp >= digits as i32 {
        return exponent(value, digits.saturating_sub(1));
    }
    let decimals = (digits as i32 - 1 - exp).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// A cell as JSON by the `table --json` contract: NaN and infinities are null.
pub fn to_json(cell: &Cell) -> Json {
    match cell {
        Cell::Null => Json::Null,
        Cell::Bool(b) => json!(b),
        Cell::Int(i) => {
            if let Ok(v) = i64::try_from(*i) {
                json!(v)
            } else if let Ok(v) = u64::try_from(*i) {
                json!(v)
            } else {
                json!(*i as f64)
            }
        }
        Cell::Float(f) => float_json(*f),
        Cell::Text(s) => json!(s),
        Cell::Complex(re, im) => json!([float_json(*re), float_json(*im)]),
        Cell::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Cell::Object(fields) => Json::Object(fields.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

pub fn float_json(value: f64) -> Json {
    serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number)
}

/// A cell as a CSV field: scalars as their JSON text (strings bare), vectors as JSON arrays; quoted where needed.
pub fn to_csv(cell: &Cell) -> String {
    let text = match cell {
        Cell::Null => String::new(),
        Cell::Text(s) => s.clone(),
        other => to_json(other).to_string(),
    };
    csv_quote(&text)
}

pub fn csv_quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(disp: &str) -> Style {
        Style { disp: Disp::parse(disp), single: false }
    }

    #[test]
    fn tdisp_formats() {
        assert_eq!(style("F8.3").format(&Cell::Float(12.34567), 4), "12.346");
        assert_eq!(style("E10.3").format(&Cell::Float(1500.0), 4), "1.500E+03");
        assert_eq!(style("D12.4").format(&Cell::Float(-0.00012345), 4), "-1.2345E-04");
        assert_eq!(style("G10.4").format(&Cell::Float(12.5), 4), "12.5");
        assert_eq!(style("G10.4").format(&Cell::Float(1.25e7), 4), "1.250E+07");
        assert_eq!(style("I6.4").format(&Cell::Int(-42), 4), "-0042");
        assert_eq!(style("Z4").format(&Cell::Int(255), 4), "FF");
        assert_eq!(style("B8.8").format(&Cell::Int(5), 4), "00000101");
        assert_eq!(style("I4").format(&Cell::Float(2.6), 4), "3");
        assert_eq!(style("Q4").format(&Cell::Int(7), 4), "7");
    }

    #[test]
    fn defaults_by_type() {
        let single = Style { disp: None, single: true };
        assert_eq!(single.format(&Cell::Float(0.1f32 as f64), 4), "0.1");
        assert_eq!(style("").format(&Cell::Float(f64::NAN), 4), "nan");
        assert_eq!(style("").format(&Cell::Null, 4), "--");
        let array = Cell::Array((0..6).map(Cell::Int).collect());
        assert_eq!(style("").format(&array, 3), "[0, 1, 2, … 3 more]");
    }

    #[test]
    fn json_and_csv() {
        assert_eq!(to_json(&Cell::Float(f64::INFINITY)), Json::Null);
        assert_eq!(to_json(&Cell::Int(u64::MAX as i128)), json!(u64::MAX));
        assert_eq!(to_json(&Cell::Complex(1.0, f64::NAN)), json!([1.0, null]));
        assert_eq!(to_csv(&Cell::Text("a,b".into())), "\"a,b\"");
        assert_eq!(to_csv(&Cell::Array(vec![Cell::Int(1), Cell::Null])), "\"[1,null]\"");
        assert_eq!(to_csv(&Cell::Null), "");
    }
}
