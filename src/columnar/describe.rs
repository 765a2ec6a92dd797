//! What a Parquet footer says, in the shape of the `header --json`
//! contract: rows, row groups with per-column statistics, the leaf columns
//! with units and descriptions, the key–value metadata. Pure.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use parquet::basic::{
    Compression, DecimalType, IntType, LogicalType, Repetition, TimeType, TimeUnit, TimestampType, Type as PhysicalType,
};
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData};
use parquet::file::statistics::Statistics;
use parquet::schema::types::{ColumnDescriptor, Type};
use serde::Serialize;
use serde_json::{Value as Json, json};

use super::values::{base64_text, date_text, float_json, timestamp_text};

/// The footer key pyarrow writes its schema (with field metadata) under.
pub const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Description {
    pub rows: i64,
    pub created_by: Option<String>,
    pub row_groups: Vec<RowGroup>,
    pub columns: Vec<Column>,
    /// The key–value metadata, `ARROW:schema` left out (it is decoded into
    /// the columns' units and descriptions).
    pub metadata: serde_json::Map<String, Json>,
    /// The schema as an indented tree, nested groups included.
    #[serde(skip)]
    pub schema_lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowGroup {
    pub rows: i64,
    /// Compressed bytes of its column chunks in the file.
    pub bytes: i64,
    pub columns: Vec<ChunkStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChunkStats {
    pub name: String,
    pub compression: String,
    pub min: Json,
    pub max: Json,
    pub nulls: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// The dotted path of the leaf (`flux.list.element` for a list).
    pub name: String,
    pub physical: String,
    pub logical: Option<String>,
    pub nullable: bool,
    pub unit: Option<String>,
    pub description: Option<String>,
}

impl Description {
    /// Column `i`'s min, max and null count over every row group, as text
    /// (blank where a row group has no statistics).
    pub fn overall_text(&self, i: usize) -> (String, String, String) {
        let stats: Vec<&ChunkStats> = self.row_groups.iter().filter_map(|g| g.columns.get(i)).collect();
        let mut min: Option<&Json> = None;
        let mut max: Option<&Json> = None;
        for s in &stats {
            if !s.min.is_null() && min.is_none_or(|m| less(&s.min, m)) {
                min = Some(&s.min);
            }
            if !s.max.is_null() && max.is_none_or(|m| less(m, &s.max)) {
                max = Some(&s.max);
            }
        }
        let nulls = stats.iter().map(|s| s.nulls).sum::<Option<u64>>();
        let text = |v: Option<&Json>| match v {
            Some(Json::String(s)) => s.chars().take(32).collect(),
            // Seven significant digits are enough to see a range.
            Some(Json::Number(n)) if !n.is_i64() && !n.is_u64() => {
                let value = n.as_f64().unwrap_or(f64::NAN);
                let shown = format!("{value:.6e}").parse::<f64>().unwrap_or(value);
                shown.to_string()
            }
            Some(other) => other.to_string(),
            None => String::new(),
        };
        (text(min), text(max), nulls.map(|n| n.to_string()).unwrap_or_default())
    }
}

/// Orders two statistics of one column (numbers by value, text by its bytes).
fn less(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x < y,
            _ => x.as_f64().unwrap_or(f64::NAN) < y.as_f64().unwrap_or(f64::NAN),
        },
        (Json::String(x), Json::String(y)) => x < y,
        (Json::Bool(x), Json::Bool(y)) => x < y,
        _ => false,
    }
}

/// Describes a file from its decoded footer. `common` is the dataset's
/// `_common_metadata`, when known: units and descriptions missing from the
/// file's own field metadata come from there.
pub fn describe(metadata: &ParquetMetaData, common: Option<&Schema>) -> Description {
    let file = metadata.file_metadata();
    let schema = file.schema_descr();
    let arrow = arrow_schema_of(metadata);
    let columns = schema
        .columns()
        .iter()
        .map(|descriptor| {
            let path = descriptor.path().parts();
            let own = arrow.as_ref().map(|s| field_notes(s, path)).unwrap_or_default();
            let common = common.map(|s| field_notes(s, path)).unwrap_or_default();
            Column {
                name: descriptor.path().string(),
                physical: descriptor.physical_type().to_string(),
                logical: logical_name(descriptor),
                nullable: descriptor.self_type().get_basic_info().repetition() == Repetition::OPTIONAL,
                unit: own.unit.or(common.unit),
                description: own.description.or(common.description),
            }
        })
        .collect();
    let row_groups = metadata
        .row_groups()
        .iter()
        .map(|group| RowGroup {
            rows: group.num_rows(),
            bytes: group.compressed_size(),
            columns: group.columns().iter().map(chunk_stats).collect(),
        })
        .collect();
    let metadata_map = file
        .key_value_metadata()
        .into_iter()
        .flatten()
        .filter(|kv| kv.key != ARROW_SCHEMA_KEY)
        .map(|kv| (kv.key.clone(), kv.value.clone().map_or(Json::Null, Json::String)))
        .collect();
    let mut schema_lines = Vec::new();
    for field in schema.root_schema().get_fields() {
        schema_lines_of(field, 0, &mut schema_lines);
    }
    Description {
        rows: file.num_rows(),
        created_by: file.created_by().map(str::to_string),
        row_groups,
        columns,
        metadata: metadata_map,
        schema_lines,
    }
}

/// Whether no column of the file has a unit or a description of its own
/// (then the dataset's `_common_metadata` may have them).
pub fn lacks_notes(metadata: &ParquetMetaData) -> bool {
    let Some(schema) = arrow_schema_of(metadata) else { return true };
    let path: Vec<Vec<String>> =
        metadata.file_metadata().schema_descr().columns().iter().map(|c| c.path().parts().to_vec()).collect();
    path.iter().all(|p| {
        let notes = field_notes(&schema, p);
        notes.unit.is_none() && notes.description.is_none()
    })
}

/// The Arrow schema of a dataset's `_common_metadata`, read through `source`
/// (`None` when it is not there or not Parquet: it is only a help).
pub async fn common_schema<S: crate::fits::reader::RangeSource>(source: &mut S) -> Option<Schema> {
    let footer = super::footer::read_footer(source).await.ok()?;
    arrow_schema_of(&footer.metadata)
}

/// A short name of an Arrow type: `Float64`, `List(Float64)`, `Struct(F158: Float32, F184: Float32)`.
pub fn type_name(kind: &DataType) -> String {
    match kind {
        DataType::List(item) | DataType::LargeList(item) => format!("List({})", type_name(item.data_type())),
        DataType::FixedSizeList(item, n) => format!("List({}, {n})", type_name(item.data_type())),
        DataType::Struct(fields) => {
            let parts: Vec<String> =
                fields.iter().map(|f| format!("{}: {}", f.name(), type_name(f.data_type()))).collect();
            format!("Struct({})", parts.join(", "))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!("Map({}, {})", type_name(kv[0].data_type()), type_name(kv[1].data_type()))
            }
            other => format!("Map({})", type_name(other)),
        },
        DataType::Dictionary(_, values) => type_name(values),
        other => other.to_string(),
    }
}

/// The Arrow schema pyarrow stored in the footer (field metadata included), if any.
pub fn arrow_schema_of(metadata: &ParquetMetaData) -> Option<Schema> {
    let file = metadata.file_metadata();
    let has_arrow = file.key_value_metadata()?.iter().any(|kv| kv.key == ARROW_SCHEMA_KEY);
    if !has_arrow {
        return None;
    }
    parquet::arrow::parquet_to_arrow_schema(file.schema_descr(), file.key_value_metadata()).ok()
}

#[derive(Debug, Default)]
struct Notes {
    unit: Option<String>,
    description: Option<String>,
}

/// A field's unit from its metadata (keys `unit`, `units`, any case; an empty value is none).
pub fn field_unit(field: &Field) -> Option<String> {
    field_note(field, &["unit", "units"])
}

/// A field's description from its metadata (keys `description`, `desc`, `comment`, `doc`).
pub fn field_description(field: &Field) -> Option<String> {
    field_note(field, &["description", "desc", "comment", "doc"])
}

fn field_note(field: &Field, keys: &[&str]) -> Option<String> {
    let metadata = field.metadata();
    let (_, value) = metadata.iter().find(|(k, v)| keys.contains(&k.to_ascii_lowercase().as_str()) && !v.is_empty())?;
    Some(value.clone())
}

/// The unit and description of the field at `path`: the deepest field on
/// the path that has them (a list's unit usually sits on the list itself).
fn field_notes(schema: &Schema, path: &[String]) -> Notes {
    let mut notes = Notes::default();
    let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    let mut parts = path.iter();
    while let Some(part) = parts.next() {
        let Some(field) = fields.iter().find(|f| f.name() == part).cloned() else { break };
        if let Some(unit) = field_unit(&field) {
            notes.unit = Some(unit);
        }
        if let Some(text) = field_description(&field) {
            notes.description = Some(text);
        }
        fields = match field.data_type() {
            DataType::Struct(children) => children.iter().cloned().collect(),
            DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
                // Parquet's path spells the list's middle level (`list`); Arrow has none.
                if parts.clone().next().is_some_and(|p| p == "list" || p == "bag" || p == "array") {
                    parts.next();
                }
                vec![Arc::clone(item)]
            }
            DataType::Map(entries, _) => vec![Arc::clone(entries)],
            _ => Vec::new(),
        };
    }
    notes
}

fn chunk_stats(chunk: &ColumnChunkMetaData) -> ChunkStats {
    let descriptor = chunk.column_descr();
    let (min, max) = chunk.statistics().map_or((Json::Null, Json::Null), |s| min_max(s, descriptor));
    ChunkStats {
        name: chunk.column_path().string(),
        compression: compression_name(chunk.compression()).into(),
        min,
        max,
        nulls: chunk.statistics().and_then(Statistics::null_count_opt),
    }
}

pub fn compression_name(compression: Compression) -> &'static str {
    match compression {
        Compression::UNCOMPRESSED => "UNCOMPRESSED",
        Compression::SNAPPY => "SNAPPY",
        Compression::GZIP(_) => "GZIP",
        Compression::LZO => "LZO",
        Compression::BROTLI(_) => "BROTLI",
        Compression::LZ4 => "LZ4",
        Compression::ZSTD(_) => "ZSTD",
        Compression::LZ4_RAW => "LZ4_RAW",
    }
}

/// A statistic's min and max as typed JSON, read through the logical type
/// (dates and timestamps as ISO 8601, strings as text, other bytes base64).
fn min_max(stats: &Statistics, descriptor: &ColumnDescriptor) -> (Json, Json) {
    let logical = descriptor.logical_type_ref();
    let unsigned = matches!(logical, Some(LogicalType::Integer(IntType { is_signed: false, .. })));
    let int = |v: i64| -> Json {
        match logical {
            Some(LogicalType::Date) => date_text(v as i32).map_or(Json::Null, Json::String),
            Some(LogicalType::Timestamp(TimestampType { unit, is_adjusted_to_u_t_c })) => {
                let nanos = match unit {
                    TimeUnit::MILLIS => 1_000_000,
                    TimeUnit::MICROS => 1_000,
                    TimeUnit::NANOS => 1,
                };
                timestamp_text(v as i128 * nanos, *is_adjusted_to_u_t_c).map_or(Json::Null, Json::String)
            }
            _ => json!(v),
        }
    };
    let bytes = |b: &[u8]| -> Json {
        match logical {
            Some(LogicalType::String | LogicalType::Json | LogicalType::Enum) => {
                Json::String(String::from_utf8_lossy(b).into_owned())
            }
            _ if descriptor.converted_type() == parquet::basic::ConvertedType::UTF8 => {
                Json::String(String::from_utf8_lossy(b).into_owned())
            }
            _ => Json::String(base64_text(b)),
        }
    };
    let pair = |min: Option<Json>, max: Option<Json>| (min.unwrap_or(Json::Null), max.unwrap_or(Json::Null));
    match stats {
        Statistics::Boolean(s) => pair(s.min_opt().map(|v| json!(v)), s.max_opt().map(|v| json!(v))),
        Statistics::Int32(s) if unsigned => {
            pair(s.min_opt().map(|&v| json!(v as u32)), s.max_opt().map(|&v| json!(v as u32)))
        }
        Statistics::Int32(s) => pair(s.min_opt().map(|&v| int(v as i64)), s.max_opt().map(|&v| int(v as i64))),
        Statistics::Int64(s) if unsigned => {
            pair(s.min_opt().map(|&v| json!(v as u64)), s.max_opt().map(|&v| json!(v as u64)))
        }
        Statistics::Int64(s) => pair(s.min_opt().map(|&v| int(v)), s.max_opt().map(|&v| int(v))),
        Statistics::Int96(_) => (Json::Null, Json::Null),
        Statistics::Float(s) => {
            pair(s.min_opt().map(|&v| float_json(v as f64)), s.max_opt().map(|&v| float_json(v as f64)))
        }
        Statistics::Double(s) => pair(s.min_opt().map(|&v| float_json(v)), s.max_opt().map(|&v| float_json(v))),
        Statistics::ByteArray(s) => pair(s.min_opt().map(|v| bytes(v.data())), s.max_opt().map(|v| bytes(v.data()))),
        Statistics::FixedLenByteArray(s) => {
            pair(s.min_opt().map(|v| bytes(v.data())), s.max_opt().map(|v| bytes(v.data())))
        }
    }
}

/// A short name of a column's logical type (`STRING`, `TIMESTAMP(MICROS,UTC)`, `INT(8,unsigned)`).
fn logical_name(descriptor: &ColumnDescriptor) -> Option<String> {
    descriptor.logical_type_ref().map(logical_label)
}

fn unit_name(unit: &TimeUnit) -> &'static str {
    match unit {
        TimeUnit::MILLIS => "MILLIS",
        TimeUnit::MICROS => "MICROS",
        TimeUnit::NANOS => "NANOS",
    }
}

/// One line per schema node, indented by depth: `name  TYPE logical  optional`.
fn schema_lines_of(node: &Type, depth: usize, lines: &mut Vec<String>) {
    let info = node.get_basic_info();
    let repetition = if info.has_repetition() {
        match info.repetition() {
            Repetition::REQUIRED => "",
            Repetition::OPTIONAL => " optional",
            Repetition::REPEATED => " repeated",
        }
    } else {
        ""
    };
    let logical = info.logical_type_ref().map(|l| format!(" {}", logical_label(l))).unwrap_or_default();
    let indent = "  ".repeat(depth);
    if node.is_group() {
        lines.push(format!("{indent}{}/{logical}{repetition}", info.name()));
        for child in node.get_fields() {
            schema_lines_of(child, depth + 1, lines);
        }
    } else {
        let physical: PhysicalType = node.get_physical_type();
        lines.push(format!("{indent}{}  {physical}{logical}{repetition}", info.name()));
    }
}

fn logical_label(logical: &LogicalType) -> String {
    match logical {
        LogicalType::Integer(IntType { bit_width, is_signed }) => {
            format!("INT({bit_width},{})", if *is_signed { "signed" } else { "unsigned" })
        }
        LogicalType::Decimal(DecimalType { scale, precision }) => format!("DECIMAL({precision},{scale})"),
        LogicalType::Timestamp(TimestampType { unit, is_adjusted_to_u_t_c }) => {
            format!("TIMESTAMP({}{})", unit_name(unit), if *is_adjusted_to_u_t_c { ",UTC" } else { "" })
        }
        LogicalType::Time(TimeType { unit, .. }) => format!("TIME({})", unit_name(unit)),
        other => format!("{other:?}").to_ascii_uppercase(),
    }
}
