//! Real Parquet files for the demo, written with the `parquet` crate's
//! Arrow writer: several row groups, statistics, field metadata with units
//! and descriptions (IRSA's convention), nested columns, a footer over
//! 64 KiB, a hive-partitioned dataset with its `_common_metadata`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, ListBuilder};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Float32Array, Float64Array, Int16Array, Int64Array, RecordBatch, StringArray,
    StructArray, TimestampMicrosecondArray, UInt8Array,
};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::Rng;

/// A field with IRSA-style metadata: `unit` and `description`.
pub(super) fn field(name: &str, kind: DataType, nullable: bool, unit: &str, description: &str) -> Field {
    let mut metadata = HashMap::new();
    if !unit.is_empty() {
        metadata.insert("unit".to_string(), unit.to_string());
    }
    metadata.insert("description".to_string(), description.to_string());
    Field::new(name, kind, nullable).with_metadata(metadata)
}

pub(super) fn write(
    schema: SchemaRef,
    batches: &[RecordBatch],
    rows_per_group: usize,
    compression: Compression,
) -> Vec<u8> {
    let properties = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(rows_per_group))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, Some(properties)).expect("a valid schema");
    for batch in batches {
        writer.write(batch).expect("batches match the schema");
    }
    writer.close().expect("writing to memory");
    out
}

/// The schema of the demo's NEOWISE single-exposure source table.
pub fn neowise_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("source_id", DataType::Utf8, false, "", "Unique source identifier: scan, frame, source number"),
        field("ra", DataType::Float64, false, "deg", "Right ascension (J2000)"),
        field("dec", DataType::Float64, false, "deg", "Declination (J2000)"),
        field("mjd", DataType::Float64, false, "d", "Modified Julian Date of the frame mid-exposure"),
        field("w1mpro", DataType::Float32, true, "mag", "W1 profile-fit magnitude"),
        field("w1sigmpro", DataType::Float32, true, "mag", "W1 profile-fit magnitude uncertainty"),
        field("w2mpro", DataType::Float32, true, "mag", "W2 profile-fit magnitude"),
        field("qual_frame", DataType::Int16, false, "", "Frame quality score (0 worst, 10 best)"),
        field("cc_flags", DataType::Utf8, true, "", "Contamination and confusion flags, W1 W2"),
        field("nb", DataType::UInt8, false, "", "Number of blend components"),
    ]))
}

/// One NEOWISE partition: `rows` sources around HEALPix pixel `pixel`, in
/// row groups of 100. Its fields carry no units or descriptions: those are
/// in the dataset's `_common_metadata`.
pub fn neowise_partition(rng: &mut Rng, pixel: u32, rows: usize) -> Vec<u8> {
    let bare: Vec<Field> =
        neowise_schema().fields().iter().map(|f| f.as_ref().clone().with_metadata(HashMap::new())).collect();
    let schema = Arc::new(Schema::new(bare));
    let (ra0, dec0) = ((pixel as f64 * 0.0879) % 360.0, ((pixel % 180) as f64) - 89.5);
    let mags: Vec<Option<f32>> = (0..rows).map(|i| (i % 17 != 5).then(|| 8.0 + rng.unit() as f32 * 8.0)).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values((0..rows).map(|i| format!("{pixel:05}b{:03}-{i:04}", i % 100)))),
        Arc::new(Float64Array::from_iter_values((0..rows).map(|_| ra0 + rng.unit() * 0.5))),
        Arc::new(Float64Array::from_iter_values((0..rows).map(|_| (dec0 + rng.unit() * 0.5).clamp(-90.0, 90.0)))),
        Arc::new(Float64Array::from_iter_values((0..rows).map(|i| 58_484.0 + i as f64 * 0.0127))),
        Arc::new(Float32Array::from(mags.clone())),
        Arc::new(Float32Array::from(mags.iter().map(|m| m.map(|m| 0.01 + (m - 8.0) * 0.02)).collect::<Vec<_>>())),
        Arc::new(Float32Array::from(mags.iter().map(|m| m.map(|m| m - 0.3)).collect::<Vec<_>>())),
        Arc::new(Int16Array::from_iter_values((0..rows).map(|i| (i % 11) as i16))),
        Arc::new(StringArray::from(
            (0..rows).map(|i| (i % 9 != 3).then_some(["00", "0d", "h0"][i % 3])).collect::<Vec<_>>(),
        )),
        Arc::new(UInt8Array::from_iter_values((0..rows).map(|i| 1 + (i % 3) as u8))),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("columns match the schema");
    write(schema, &[batch], 100, Compression::SNAPPY)
}

/// A footer-only file of `schema`, as pyarrow's `write_metadata` writes `_common_metadata`.
pub fn common_metadata(schema: SchemaRef) -> Vec<u8> {
    write(schema, &[], 1024, Compression::SNAPPY)
}

/// A truth catalog of nested, typed columns: structs, lists, timestamps,
/// booleans, binary; 5 row groups of 400 rows, zstd.
pub fn truth_galaxies(rng: &mut Rng) -> Vec<u8> {
    const ROWS: usize = 2000;
    let photometry = Fields::from(vec![
        field("F158", DataType::Float32, true, "nJy", "Flux in the F158 band"),
        field("F184", DataType::Float32, true, "nJy", "Flux in the F184 band"),
    ]);
    let item = Arc::new(Field::new("item", DataType::Float64, true));
    let schema = Arc::new(Schema::new(vec![
        field("galaxy_id", DataType::Int64, false, "", "Unique galaxy identifier"),
        field("ra", DataType::Float64, false, "deg", "Right ascension"),
        field("dec", DataType::Float64, false, "deg", "Declination"),
        field("redshift", DataType::Float64, true, "", "True redshift"),
        field("photometry", DataType::Struct(photometry.clone()), true, "", "True fluxes by band"),
        field("sed", DataType::List(Arc::clone(&item)), true, "nJy", "Fluxes on the SED wavelength grid"),
        field("is_agn", DataType::Boolean, false, "", "Whether the galaxy hosts an AGN"),
        field(
            "simulated_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
            "",
            "When the galaxy was drawn",
        ),
        field("morphology", DataType::Utf8, true, "", "Morphological class"),
        field("stamp_id", DataType::Binary, true, "", "Identifier of the postage stamp (16 bytes)"),
    ]));
    let mut sed = ListBuilder::new(Float64Builder::new()).with_field(item);
    for i in 0..ROWS {
        if i % 50 == 7 {
            sed.append(false);
            continue;
        }
        for k in 0..(i % 4 + 1) {
            sed.values().append_value(100.0 * (1.0 + k as f64) + rng.unit());
        }
        sed.append(true);
    }
    let f158: ArrayRef = Arc::new(Float32Array::from_iter_values((0..ROWS).map(|_| rng.unit() as f32 * 500.0)));
    let f184: ArrayRef = Arc::new(Float32Array::from(
        (0..ROWS).map(|i| (i % 13 != 0).then(|| rng.unit() as f32 * 600.0)).collect::<Vec<_>>(),
    ));
    let struct_nulls = (0..ROWS).map(|i| i % 97 != 11).collect::<Vec<bool>>();
    let photometry = StructArray::new(photometry, vec![f158, f184], Some(struct_nulls.into()));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values((0..ROWS as i64).map(|i| 9_000_000_000 + i * 7))),
        Arc::new(Float64Array::from_iter_values((0..ROWS).map(|_| 9.5 + rng.unit()))),
        Arc::new(Float64Array::from_iter_values((0..ROWS).map(|_| -44.0 - rng.unit()))),
        Arc::new(Float64Array::from((0..ROWS).map(|i| (i % 31 != 2).then(|| rng.unit() * 3.0)).collect::<Vec<_>>())),
        Arc::new(photometry),
        Arc::new(sed.finish()),
        Arc::new(BooleanArray::from((0..ROWS).map(|i| i % 23 == 0).collect::<Vec<_>>())),
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(
                (0..ROWS as i64).map(|i| 1_717_200_000_000_000 + i * 1_250_000),
            )
            .with_timezone("UTC"),
        ),
        Arc::new(StringArray::from(
            (0..ROWS)
                .map(|i| (i % 41 != 9).then_some(["spiral", "elliptical", "irregular"][i % 3]))
                .collect::<Vec<_>>(),
        )),
        Arc::new(BinaryArray::from(
            (0..ROWS)
                .map(|i| (i % 5 != 4).then(|| (i as u128 * 0x9e37_79b9).to_le_bytes().to_vec()))
                .collect::<Vec<_>>()
                .iter()
                .map(|b| b.as_deref())
                .collect::<Vec<_>>(),
        )),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("columns match the schema");
    write(schema, &[batch], 400, Compression::ZSTD(ZstdLevel::default()))
}

/// A wide catalogue: 600 float columns and 3 row groups, so its footer
/// (a chunk description per column per row group) is over 64 KiB.
pub fn wide_catalogue(rng: &mut Rng) -> Vec<u8> {
    const ROWS: usize = 300;
    const COLUMNS: usize = 600;
    let bands = ["VIS", "Y", "J", "H", "u", "g", "r", "i", "z"];
    let mut fields = vec![field("object_id", DataType::Int64, false, "", "Euclid MER object identifier")];
    let mut columns: Vec<ArrayRef> =
        vec![Arc::new(Int64Array::from_iter_values((0..ROWS as i64).map(|i| -600_000_000 - i)))];
    for c in 1..COLUMNS {
        let band = bands[c % bands.len()];
        let (name, unit, what) = match c % 3 {
            0 => (format!("flux_{band}_aper_{c}"), "uJy", "Aperture flux"),
            1 => (format!("fluxerr_{band}_aper_{c}"), "uJy", "Aperture flux error"),
            _ => (format!("mag_{band}_templfit_{c}"), "mag", "Template-fit magnitude"),
        };
        fields.push(field(&name, DataType::Float32, true, unit, &format!("{what} in {band}")));
        columns.push(Arc::new(Float32Array::from_iter_values((0..ROWS).map(|_| rng.unit() as f32 * 100.0))));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("columns match the schema");
    write(schema, &[batch], 100, Compression::SNAPPY)
}
