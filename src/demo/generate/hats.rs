//! HATS catalogs for the demo: a Euclid Q1-like collection (catalog, margin,
//! index) in `nasa-irsa-euclid-q1` and an older-style (`properties`) Gaia-like
//! catalog in `stpubdata`. Real Parquet partition files, a `_common_metadata`
//! and a `_metadata` whose row groups point at the partitions, as hats-import
//! writes them. Pixels are real HEALPix numbers; the rows' positions are only
//! near the fields, not inside their pixels.

use std::io;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Schema, SchemaRef};
use parquet::basic::Compression;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataWriter, RowGroupMetaData};

use super::super::archive::ArchiveWriter;
use super::Rng;
use super::catalogs::{common_metadata, field, write};
use crate::format::epoch_secs;

pub const EUCLID_BUCKET: &str = "nasa-irsa-euclid-q1";
/// The collection's prefix.
pub const EUCLID_HATS: &str = "contributed/q1/merged_objects/hats/";
/// The primary catalog's directory in the collection.
pub const EUCLID_CATALOG: &str = "euclid_q1_merged_objects";
/// (order, pixel, rows) of the Euclid catalog's partitions.
pub const EUCLID_PARTITIONS: [(u8, u64, usize); 7] =
    [(2, 50, 180), (2, 51, 150), (3, 166, 120), (3, 167, 140), (3, 445, 200), (3, 446, 90), (3, 447, 110)];
pub const GAIA_BUCKET: &str = "stpubdata";
/// An older-style HATS catalog (`properties`, `partition_info.csv` with `Dir` and `num_rows`).
pub const GAIA_HATS: &str = "gaia/gaia_dr3/public/hats/";
pub const GAIA_PARTITIONS: [(u8, u64, usize); 3] = [(0, 4, 100), (0, 5, 80), (1, 44, 60)];
/// In `demo-edge`: properties that name no catalog (header: exit 2).
pub const BROKEN_HATS: &str = "hats/broken-properties/";
/// In `demo-edge`: good properties, garbage in `partition_info.csv` and `_common_metadata` (warnings).
pub const GARBLED_HATS: &str = "hats/garbled/";

pub(super) fn hats(w: &mut ArchiveWriter) -> io::Result<()> {
    let mut rng = Rng(0x4A75_0001);
    let mtime = epoch_secs(2025, 3, 19, 0, 0, 0);
    let base = format!("{EUCLID_HATS}{EUCLID_CATALOG}/");
    let schema = euclid_schema();
    let total = catalog(w, EUCLID_BUCKET, &base, &schema, &EUCLID_PARTITIONS, &mut rng, mtime)?;
    let properties = format!(
        "#HATS catalog\nobs_collection={EUCLID_CATALOG}\ndataproduct_type=object\nhats_nrows={total}\n\
         hats_col_ra=right_ascension\nhats_col_dec=declination\nhats_npix_suffix=.parquet\nhats_max_rows=1000000\n\
         hats_order=3\nmoc_sky_fraction=0.00163\nhats_builder=hats-import v0.6.6, hats v0.6.6\n\
         hats_creation_date=2025-03-18T21:10UTC\nhats_estsize=612\nhats_release_date=2025-03-19\nhats_version=v1.0\n\
         obs_regime=Optical\n"
    );
    w.put(EUCLID_BUCKET, &format!("{base}hats.properties"), properties.as_bytes(), mtime)?;
    w.put(
        EUCLID_BUCKET,
        &format!("{base}partition_info.csv"),
        partition_csv(&EUCLID_PARTITIONS, false).as_bytes(),
        mtime,
    )?;

    // A margin cache: the rows within 10" of each partition's neighbours.
    let margin = format!("{EUCLID_HATS}{EUCLID_CATALOG}_10arcs/");
    let margin_partitions = [(2, 50, 12), (3, 166, 9), (3, 446, 7)];
    let rows = catalog(w, EUCLID_BUCKET, &margin, &schema, &margin_partitions, &mut rng, mtime)?;
    let properties = format!(
        "#HATS catalog\nobs_collection={EUCLID_CATALOG}_10arcs\ndataproduct_type=margin\nhats_nrows={rows}\n\
         hats_col_ra=right_ascension\nhats_col_dec=declination\nhats_primary_table_url={EUCLID_CATALOG}\n\
         hats_margin_threshold=10.0\nhats_order=3\nhats_version=v1.0\n"
    );
    w.put(EUCLID_BUCKET, &format!("{margin}hats.properties"), properties.as_bytes(), mtime)?;
    w.put(
        EUCLID_BUCKET,
        &format!("{margin}partition_info.csv"),
        partition_csv(&margin_partitions, false).as_bytes(),
        mtime,
    )?;

    // An index on object_id: where each object's partition is.
    let index = format!("{EUCLID_HATS}{EUCLID_CATALOG}_object_id_index/");
    let index_schema = Arc::new(Schema::new(vec![
        field("object_id", DataType::Int64, false, "", "Euclid MER object identifier"),
        field("Norder", DataType::Int64, false, "", "HEALPix order of the object's partition"),
        field("Npix", DataType::Int64, false, "", "HEALPix pixel of the object's partition"),
    ]));
    let properties = format!(
        "#HATS catalog\nobs_collection={EUCLID_CATALOG}_object_id_index\ndataproduct_type=index\nhats_nrows={total}\n\
         hats_primary_table_url={EUCLID_CATALOG}\nhats_index_column=object_id\nhats_version=v1.0\n"
    );
    w.put(EUCLID_BUCKET, &format!("{index}hats.properties"), properties.as_bytes(), mtime)?;
    w.put(EUCLID_BUCKET, &format!("{index}dataset/_common_metadata"), &common_metadata(index_schema), mtime)?;

    let collection = format!(
        "#HATS Collection\nobs_collection=euclid_q1_merged_objects_collection\nhats_primary_table_url={EUCLID_CATALOG}\n\
         all_margins={EUCLID_CATALOG}_10arcs\ndefault_margin={EUCLID_CATALOG}_10arcs\n\
         all_indexes=object_id {EUCLID_CATALOG}_object_id_index\ndefault_index=object_id\n\
         hats_builder=hats-import v0.6.6, hats v0.6.6\nhats_creation_date=2025-03-18T21:10UTC\nhats_version=v1.0\n"
    );
    w.put(EUCLID_BUCKET, &format!("{EUCLID_HATS}collection.properties"), collection.as_bytes(), mtime)?;

    // The older layout: `properties` with the first keys' names, `Dir` and `num_rows` in the CSV.
    let gaia_schema = gaia_schema();
    let rows = catalog(w, GAIA_BUCKET, GAIA_HATS, &gaia_schema, &GAIA_PARTITIONS, &mut rng, mtime)?;
    let properties = format!(
        "#HATS catalog\ncatalog_name=gaia_dr3\ncatalog_type=object\ntotal_rows={rows}\nra_column=ra\ndec_column=dec\n"
    );
    w.put(GAIA_BUCKET, &format!("{GAIA_HATS}properties"), properties.as_bytes(), mtime)?;
    w.put(
        GAIA_BUCKET,
        &format!("{GAIA_HATS}partition_info.csv"),
        partition_csv(&GAIA_PARTITIONS, true).as_bytes(),
        mtime,
    )?;
    broken(w, mtime)
}

/// In the edge bucket: a catalog whose properties name nothing, and one
/// whose partition list and schema file are garbled.
fn broken(w: &mut ArchiveWriter, mtime: i64) -> io::Result<()> {
    let edge = super::EDGE_BUCKET;
    let properties = "this is not\na properties file \u{1b}[31m\n";
    w.put(edge, &format!("{BROKEN_HATS}hats.properties"), properties.as_bytes(), mtime)?;
    w.put(edge, &format!("{BROKEN_HATS}partition_info.csv"), b"Norder,Npix\n1,44\n", mtime)?;
    let properties = "obs_collection=garbled\ndataproduct_type=object\nhats_nrows=\u{1b}[2Jmany\n";
    w.put(edge, &format!("{GARBLED_HATS}hats.properties"), properties.as_bytes(), mtime)?;
    let csv = "Norder,Npix\n1,44\n1,45\n\u{1b}]0;title\u{7}\n2,x\n";
    w.put(edge, &format!("{GARBLED_HATS}partition_info.csv"), csv.as_bytes(), mtime)?;
    w.put(edge, &format!("{GARBLED_HATS}dataset/_common_metadata"), b"PAR1 not a footer PAR1", mtime)
}

fn euclid_schema() -> SchemaRef {
    let mut fields = vec![
        field("object_id", DataType::Int64, false, "", "Euclid MER object identifier"),
        field("right_ascension", DataType::Float64, false, "deg", "Right ascension (ICRS) of the MER detection"),
        field("declination", DataType::Float64, false, "deg", "Declination (ICRS) of the MER detection"),
    ];
    for (band, what) in [("vis", "psf"), ("y", "templfit"), ("j", "templfit"), ("h", "templfit")] {
        let description = format!("{} flux ({what} fit)", band.to_uppercase());
        fields.push(field(&format!("flux_{band}_{what}"), DataType::Float32, true, "uJy", &description));
    }
    fields.push(field("phz_median", DataType::Float32, true, "", "Median of the photometric redshift PDF"));
    Arc::new(Schema::new(fields))
}

fn gaia_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        field("source_id", DataType::Int64, false, "", "Unique source identifier"),
        field("ra", DataType::Float64, false, "deg", "Right ascension (ICRS, epoch 2016.0)"),
        field("dec", DataType::Float64, false, "deg", "Declination (ICRS, epoch 2016.0)"),
        field("phot_g_mean_mag", DataType::Float32, true, "mag", "G-band mean magnitude"),
    ]))
}

/// `partition_info.csv` as hats writes it (`older`: with `Dir` and `num_rows`, as before hats v0.4).
fn partition_csv(partitions: &[(u8, u64, usize)], older: bool) -> String {
    let mut out = String::from(if older { "Norder,Dir,Npix,num_rows\n" } else { "Norder,Npix\n" });
    for (order, pixel, rows) in partitions {
        if older {
            out.push_str(&format!("{order},{},{pixel},{rows}\n", pixel / 10_000 * 10_000));
        } else {
            out.push_str(&format!("{order},{pixel}\n"));
        }
    }
    out
}

/// Writes the partitions, `_common_metadata` and `_metadata` of a catalog at `base`; returns its rows.
fn catalog(
    w: &mut ArchiveWriter,
    bucket: &str,
    base: &str,
    schema: &SchemaRef,
    partitions: &[(u8, u64, usize)],
    rng: &mut Rng,
    mtime: i64,
) -> io::Result<usize> {
    let mut row_groups: Vec<RowGroupMetaData> = Vec::new();
    let mut footer: Option<ParquetMetaData> = None;
    let mut next_id = 2_690_000_000_000_000_000i64 / 1000;
    for &(order, pixel, rows) in partitions {
        let path = format!("Norder={order}/Dir={}/Npix={pixel}.parquet", pixel / 10_000 * 10_000);
        let data = partition(schema, rng, pixel, rows, &mut next_id);
        let metadata = decode_footer(&data)?;
        for group in metadata.row_groups() {
            let columns = group
                .columns()
                .iter()
                .map(|c| c.clone().into_builder().set_file_path(path.clone()).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(io::Error::other)?;
            row_groups
                .push(group.clone().into_builder().set_column_metadata(columns).build().map_err(io::Error::other)?);
        }
        footer.get_or_insert(metadata);
        w.put(bucket, &format!("{base}dataset/{path}"), &data, mtime)?;
    }
    w.put(bucket, &format!("{base}dataset/_common_metadata"), &common_metadata(Arc::clone(schema)), mtime)?;
    if let Some(first) = footer {
        let all = first.into_builder().set_row_groups(row_groups).build();
        let mut out = b"PAR1".to_vec();
        ParquetMetaDataWriter::new(&mut out, &all)
            .with_preserve_page_index_locations(false)
            .finish()
            .map_err(io::Error::other)?;
        w.put(bucket, &format!("{base}dataset/_metadata"), &out, mtime)?;
    }
    Ok(partitions.iter().map(|p| p.2).sum())
}

fn decode_footer(data: &[u8]) -> io::Result<ParquetMetaData> {
    let invalid = |e: crate::columnar::ColumnarError| io::Error::new(io::ErrorKind::InvalidData, e.to_string());
    let length = crate::columnar::footer::footer_length(data, data.len() as u64).map_err(invalid)? as usize;
    crate::columnar::footer::decode(&data[data.len() - 8 - length..data.len() - 8]).map_err(invalid)
}

/// One partition's rows: ids counting up, positions near the Euclid deep fields, fluxes.
fn partition(schema: &SchemaRef, rng: &mut Rng, pixel: u64, rows: usize, next_id: &mut i64) -> Vec<u8> {
    let (ra0, dec0) = [(269.7, 66.0), (52.9, -28.1), (61.2, -48.4)][(pixel % 3) as usize];
    let ids: Vec<i64> = (0..rows as i64).map(|i| *next_id + i).collect();
    *next_id += rows as i64;
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids)),
        Arc::new(Float64Array::from_iter_values((0..rows).map(|_| ra0 + rng.unit() * 0.8))),
        Arc::new(Float64Array::from_iter_values((0..rows).map(|_| dec0 + rng.unit() * 0.8))),
    ];
    for field in schema.fields().iter().skip(3) {
        columns.push(match field.data_type() {
            DataType::Float32 => Arc::new(Float32Array::from(
                (0..rows).map(|i| (i % 19 != 4).then(|| (rng.unit() * 40.0) as f32)).collect::<Vec<_>>(),
            )),
            _ => Arc::new(Float64Array::from_iter_values((0..rows).map(|_| rng.unit()))),
        });
    }
    let batch = RecordBatch::try_new(Arc::clone(schema), columns).expect("columns match the schema");
    write(Arc::clone(schema), &[batch], 100, Compression::SNAPPY)
}
