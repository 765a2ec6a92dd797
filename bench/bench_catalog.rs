//! A large Parquet catalog for the benchmarks: NEOWISE-like sources, 2
//! million rows of 12 columns in 2 row groups of pyarrow's default 1 Mi rows
//! (about 100 MB, snappy),
//! written to a file with the `parquet` crate's Arrow writer.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Float64Array, Int16Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

pub const ROWS: usize = 2_000_000;
/// pyarrow's default row group.
const ROWS_PER_GROUP: usize = 1 << 20;

fn field(name: &str, kind: DataType, unit: &str, description: &str) -> Field {
    let metadata = HashMap::from([("unit".to_string(), unit.to_string()), ("description".into(), description.into())]);
    Field::new(name, kind, true).with_metadata(metadata)
}

/// A small generator (SplitMix64) so the file is the same every run.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn write(path: &std::path::Path) -> std::io::Result<u64> {
    let mut fields = vec![
        field("source_id", DataType::Int64, "", "Source identifier"),
        field("ra", DataType::Float64, "deg", "Right ascension (J2000)"),
        field("dec", DataType::Float64, "deg", "Declination (J2000)"),
        field("mjd", DataType::Float64, "d", "Modified Julian Date"),
    ];
    for band in ["w1", "w2", "w3", "w4"] {
        fields.push(field(&format!("{band}mpro"), DataType::Float32, "mag", "Profile-fit magnitude"));
    }
    fields.push(field("w1sigmpro", DataType::Float32, "mag", "W1 magnitude uncertainty"));
    fields.push(field("w2sigmpro", DataType::Float32, "mag", "W2 magnitude uncertainty"));
    fields.push(field("qual_frame", DataType::Int16, "", "Frame quality score"));
    fields.push(field("nb", DataType::Int16, "", "Number of blend components"));
    let schema = Arc::new(Schema::new(fields));
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
        .build();
    let file = std::fs::File::create(path)?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties)).map_err(std::io::Error::other)?;
    let mut rng = Rng(7);
    for group in 0..ROWS.div_ceil(ROWS_PER_GROUP) {
        let first = (group * ROWS_PER_GROUP) as i64;
        let n = ROWS_PER_GROUP.min(ROWS - group * ROWS_PER_GROUP);
        let mut f64s = |scale: f64, offset: f64| -> ArrayRef {
            Arc::new(Float64Array::from_iter_values((0..n).map(|_| offset + rng.unit() * scale)))
        };
        let (ra, dec, mjd) = (f64s(360.0, 0.0), f64s(180.0, -90.0), f64s(3650.0, 56_000.0));
        let mut f32s = |scale: f32, offset: f32| -> ArrayRef {
            Arc::new(Float32Array::from_iter_values((0..n).map(|_| offset + rng.unit() as f32 * scale)))
        };
        let mut columns: Vec<ArrayRef> =
            vec![Arc::new(Int64Array::from_iter_values(first..first + n as i64)), ra, dec, mjd];
        for _ in 0..4 {
            columns.push(f32s(10.0, 6.0));
        }
        columns.push(f32s(0.3, 0.01));
        columns.push(f32s(0.3, 0.01));
        columns.push(Arc::new(Int16Array::from_iter_values((0..n).map(|i| (i % 11) as i16))));
        columns.push(Arc::new(Int16Array::from_iter_values((0..n).map(|i| 1 + (i % 3) as i16))));
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(std::io::Error::other)?;
        writer.write(&batch).map_err(std::io::Error::other)?;
    }
    writer.close().map_err(std::io::Error::other)?;
    Ok(std::fs::metadata(path)?.len())
}
