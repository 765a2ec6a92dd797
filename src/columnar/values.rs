//! Arrow values as table cells, as pyarrow's `to_pylist()` gives them, with
//! what JSON cannot hold spelled out: timestamps and dates as ISO 8601,
//! binary as base64, decimals as their exact text. Pure.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::{DataType, TimeUnit};
use base64::Engine;
use chrono::{DateTime, NaiveDate};

pub use crate::fits::table::cell::Cell;
pub use crate::fits::table::display::float_json;

/// The cell at `row` of `array`.
pub fn cell(array: &dyn Array, row: usize) -> Cell {
    if array.is_null(row) {
        return Cell::Null;
    }
    match array.data_type() {
        DataType::Null => Cell::Null,
        DataType::Boolean => Cell::Bool(array.as_boolean().value(row)),
        DataType::Int8 => int::<Int8Type>(array, row),
        DataType::Int16 => int::<Int16Type>(array, row),
        DataType::Int32 => int::<Int32Type>(array, row),
        DataType::Int64 => int::<Int64Type>(array, row),
        DataType::UInt8 => int::<UInt8Type>(array, row),
        DataType::UInt16 => int::<UInt16Type>(array, row),
        DataType::UInt32 => int::<UInt32Type>(array, row),
        DataType::UInt64 => int::<UInt64Type>(array, row),
        DataType::Float16 => Cell::Float(f64::from(array.as_primitive::<Float16Type>().value(row))),
        DataType::Float32 => Cell::Float(array.as_primitive::<Float32Type>().value(row) as f64),
        DataType::Float64 => Cell::Float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => Cell::Text(array.as_string::<i32>().value(row).into()),
        DataType::LargeUtf8 => Cell::Text(array.as_string::<i64>().value(row).into()),
        DataType::Utf8View => Cell::Text(array.as_string_view().value(row).into()),
        DataType::Binary => Cell::Text(base64_text(array.as_binary::<i32>().value(row))),
        DataType::LargeBinary => Cell::Text(base64_text(array.as_binary::<i64>().value(row))),
        DataType::BinaryView => Cell::Text(base64_text(array.as_binary_view().value(row))),
        DataType::FixedSizeBinary(_) => Cell::Text(base64_text(array.as_fixed_size_binary().value(row))),
        DataType::Date32 => text_or_null(date_text(array.as_primitive::<Date32Type>().value(row))),
        DataType::Date64 => {
            let millis = array.as_primitive::<Date64Type>().value(row);
            text_or_null(date_text(millis.div_euclid(86_400_000) as i32))
        }
        DataType::Timestamp(unit, zone) => {
            let value = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row) as i128 * 1_000_000_000,
                TimeUnit::Millisecond => {
                    array.as_primitive::<TimestampMillisecondType>().value(row) as i128 * 1_000_000
                }
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(row) as i128 * 1_000,
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row) as i128,
            };
            text_or_null(timestamp_text(value, zone.is_some()))
        }
        DataType::Time32(TimeUnit::Second) => {
            time_cell(array.as_primitive::<Time32SecondType>().value(row) as i64 * 1_000_000_000)
        }
        DataType::Time32(_) => time_cell(array.as_primitive::<Time32MillisecondType>().value(row) as i64 * 1_000_000),
        DataType::Time64(TimeUnit::Nanosecond) => time_cell(array.as_primitive::<Time64NanosecondType>().value(row)),
        DataType::Time64(_) => time_cell(array.as_primitive::<Time64MicrosecondType>().value(row) * 1_000),
        DataType::Decimal128(_, scale) => {
            Cell::Text(decimal_text(array.as_primitive::<Decimal128Type>().value(row), *scale))
        }
        DataType::List(_) => items(array.as_list::<i32>().value(row).as_ref()),
        DataType::LargeList(_) => items(array.as_list::<i64>().value(row).as_ref()),
        DataType::FixedSizeList(..) => items(array.as_fixed_size_list().value(row).as_ref()),
        DataType::Struct(fields) => {
            let parts = array.as_struct();
            Cell::Object(fields.iter().zip(parts.columns()).map(|(f, c)| (f.name().clone(), cell(c, row))).collect())
        }
        DataType::Map(..) => {
            // As pyarrow: a list of (key, value) pairs.
            let entries = array.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            Cell::Array((0..entries.len()).map(|i| Cell::Array(vec![cell(keys, i), cell(values, i)])).collect())
        }
        DataType::Dictionary(..) => {
            let dictionary = array.as_any_dictionary();
            let key = dictionary.normalized_keys()[row];
            cell(dictionary.values().as_ref(), key)
        }
        other => Cell::Text(format!("<{other}>")),
    }
}

fn int<T: ArrowPrimitiveType>(array: &dyn Array, row: usize) -> Cell
where
    T::Native: Into<i128>,
{
    Cell::Int(array.as_primitive::<T>().value(row).into())
}

fn items(array: &dyn Array) -> Cell {
    Cell::Array((0..array.len()).map(|i| cell(array, i)).collect())
}

fn text_or_null(text: Option<String>) -> Cell {
    text.map_or(Cell::Null, Cell::Text)
}

fn time_cell(nanos: i64) -> Cell {
    let (seconds, fraction) = (nanos.div_euclid(1_000_000_000), nanos.rem_euclid(1_000_000_000));
    let clock = format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
    Cell::Text(if fraction == 0 { clock } else { format!("{clock}.{}", fraction_text(fraction as u32)) })
}

/// Python's `isoformat()` fraction: microseconds, or nanoseconds when they are not whole.
fn fraction_text(nanos: u32) -> String {
    if nanos.is_multiple_of(1000) { format!("{:06}", nanos / 1000) } else { format!("{nanos:09}") }
}

pub fn base64_text(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub fn date_text(days: i32) -> Option<String> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let date = epoch.checked_add_signed(chrono::TimeDelta::try_days(days as i64)?)?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// Nanoseconds since the epoch as Python's `datetime.isoformat()` writes
/// them (`+00:00` when the time is UTC-adjusted).
pub fn timestamp_text(nanos: i128, utc: bool) -> Option<String> {
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).ok()?;
    let fraction = nanos.rem_euclid(1_000_000_000) as u32;
    let time = DateTime::from_timestamp(seconds, 0)?.naive_utc();
    let mut text = time.format("%Y-%m-%dT%H:%M:%S").to_string();
    if fraction != 0 {
        text.push('.');
        text.push_str(&fraction_text(fraction));
    }
    if utc {
        text.push_str("+00:00");
    }
    Some(text)
}

/// An unscaled decimal as its exact text (`12345` at scale 2 is `123.45`).
fn decimal_text(unscaled: i128, scale: i8) -> String {
    if scale <= 0 {
        return (unscaled * 10i128.pow(scale.unsigned_abs() as u32)).to_string();
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{}{whole}.{fraction}", if unscaled < 0 { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, BinaryArray, Float32Array, Int32Array, ListArray, StringArray, StructArray, TimestampMicrosecondArray,
    };
    use arrow_schema::Field;

    #[test]
    fn scalars_as_pyarrow_gives_them() {
        let floats = Float32Array::from(vec![Some(0.1), None, Some(f32::NAN)]);
        assert_eq!(cell(&floats, 0), Cell::Float(0.1f32 as f64));
        assert_eq!(cell(&floats, 1), Cell::Null);
        assert!(matches!(cell(&floats, 2), Cell::Float(f) if f.is_nan()));
        let binary = BinaryArray::from(vec![&b"\x00\xffab"[..]]);
        assert_eq!(cell(&binary, 0), Cell::Text("AP9hYg==".into()));
        let stamps = TimestampMicrosecondArray::from(vec![1_700_000_000_123_456, -1]).with_timezone("UTC");
        assert_eq!(cell(&stamps, 0), Cell::Text("2023-11-14T22:13:20.123456+00:00".into()));
        assert_eq!(cell(&stamps, 1), Cell::Text("1969-12-31T23:59:59.999999+00:00".into()));
        let naive = TimestampMicrosecondArray::from(vec![0]);
        assert_eq!(cell(&naive, 0), Cell::Text("1970-01-01T00:00:00".into()));
        assert_eq!(date_text(19_723).as_deref(), Some("2024-01-01"));
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(7, -2), "700");
    }

    #[test]
    fn lists_and_structs_nest() {
        let list =
            ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), None]), None, Some(vec![])]);
        assert_eq!(cell(&list, 0), Cell::Array(vec![Cell::Int(1), Cell::Null]));
        assert_eq!(cell(&list, 1), Cell::Null);
        assert_eq!(cell(&list, 2), Cell::Array(vec![]));
        let names: ArrayRef = Arc::new(StringArray::from(vec!["a", "b"]));
        let counts: ArrayRef = Arc::new(Int32Array::from(vec![3, 4]));
        let parts = StructArray::from(vec![
            (Arc::new(Field::new("name", DataType::Utf8, false)), names),
            (Arc::new(Field::new("count", DataType::Int32, false)), counts),
        ]);
        assert_eq!(
            cell(&parts, 1),
            Cell::Object(vec![("name".into(), Cell::Text("b".into())), ("count".into(), Cell::Int(4))])
        );
    }
}
