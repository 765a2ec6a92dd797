//! IRSA: WISE Parquet partitions, Euclid frames, the other IRSA buckets.

use std::io;

use super::super::archive::ArchiveWriter;
use super::super::fits_writer::{Header, primary_header, push_hdu};
use super::catalogs;
use super::*;
use crate::format::epoch_secs;

fn euclid_frame(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "EUCLID", "").string("INSTRUME", "VIS", "").string("OBJECT", "EDF-N", "");
    primary.string("DATE-OBS", "2024-10-17T04:28:39.727", "").real("EXPTIME", 566.0, "[s]");
    primary.hierarch("ESO DET CHIP NAME", "'CCD-44'", "detector chip");
    primary.hierarch("ESO DET OUT1 GAIN", "3.48", "[e-/ADU] conversion");
    primary.hierarch("ESO TEL AIRM START", "1.000", "space: no air");
    push_hdu(&mut out, &primary, &[]);

    // A GZIP_1 tile-compressed 128 x 128 int16 image: one tile per row, each
    // tile gzip-compressed into the heap, addressed by 1PB descriptors.
    let (side_x, side_y) = (128usize, 128usize);
    let mut heap = Vec::new();
    let mut descriptors = Vec::new();
    let mut longest = 0;
    for _ in 0..side_y {
        let row = be_i16((0..side_x).map(|_| 1000 + rng.below(64) as i16));
        let tile = gzip(&row);
        descriptors.extend((tile.len() as i32).to_be_bytes());
        descriptors.extend((heap.len() as i32).to_be_bytes());
        longest = longest.max(tile.len());
        heap.extend(tile);
    }
    let mut h = Header::new();
    h.string("XTENSION", "BINTABLE", "binary table extension").int("BITPIX", 8, "").int("NAXIS", 2, "");
    h.int("NAXIS1", 8, "width of table in bytes").int("NAXIS2", side_y as i64, "number of tiles");
    h.int("PCOUNT", heap.len() as i64, "size of the heap").int("GCOUNT", 1, "").int("TFIELDS", 1, "");
    h.string("TTYPE1", "COMPRESSED_DATA", "").string("TFORM1", &format!("1PB({longest})"), "");
    h.logical("ZIMAGE", true, "extension contains compressed image").int("ZBITPIX", 16, "").int("ZNAXIS", 2, "");
    h.int("ZNAXIS1", side_x as i64, "").int("ZNAXIS2", side_y as i64, "").int("ZTILE1", side_x as i64, "");
    h.int("ZTILE2", 1, "").string("ZCMPTYPE", "GZIP_1", "compression algorithm");
    h.string("EXTNAME", "3-4.SCI", "").hierarch("ESO DET CHIP ID", "'CCD 3-4'", "");
    let mut data = descriptors;
    data.extend(heap);
    push_hdu(&mut out, &h, &data);
    out
}

pub(super) fn irsa(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    const WISE: &str = "nasa-irsa-wise";
    w.bucket(WISE, true)?;
    let base = "wise/neowiser/catalogs/p1bs_psd/healpix_k5/2019/neowiser-healpix_k5-2019.parquet/";
    let mtime = epoch_secs(2024, 4, 2, 0, 0, 0);
    w.put(WISE, &format!("{base}_common_metadata"), &catalogs::common_metadata(catalogs::neowise_schema()), mtime)?;
    for k0 in 0..12u32 {
        for j in 0..4u32 {
            let k5 = k0 * 1024 + j * 97;
            let key = format!("{base}healpix_k0={k0}/healpix_k5={k5}/part0.snappy.parquet");
            let rows = 150 + (k5 as usize * 37) % 200;
            w.put(WISE, &key, &catalogs::neowise_partition(rng, k5, rows), mtime)?;
        }
    }
    let csv = "source_id,ra,dec,w1mpro,w2mpro\n1000001,10.6847,41.2690,12.304,12.101\n1000002,10.7001,41.2801,14.550,14.402\n";
    w.put(WISE, "wise/neowiser/catalogs/p1bs_psd/neowiser_sample.csv", csv.as_bytes(), mtime)?;
    let json = "{\"catalog\": \"neowiser_p1bs_psd\", \"partitioning\": \"healpix_k5\", \"years\": [2014, 2024]}\n";
    w.put(WISE, "wise/neowiser/catalogs/p1bs_psd/README.json", json.as_bytes(), mtime)?;
    let coadd = small_image(rng, "WISE", "unWISE 0837p000", 16);
    w.put(WISE, "unwise/demo/unwise-0837p000-w1-img-m.fits", &coadd, mtime)?;

    const EUCLID: &str = "nasa-irsa-euclid-q1";
    w.bucket(EUCLID, true)?;
    // A mosaic of 100 MiB (5120 x 5120 float32), stored sparse: a quick-look reads a few per cent of it.
    let mut head = Vec::new();
    push_hdu(&mut head, &primary_header(8, &[]), &[]);
    let mut sci = super::super::fits_writer::image_header(-32, &[MOSAIC_SIDE, MOSAIC_SIDE], "SCI");
    sci.string("BUNIT", "MJy/sr", "").string("TELESCOP", "EUCLID", "").string("FILTER", "VIS", "");
    head.extend(sci.to_bytes());
    let mosaic = w.sparse_blob(&head, (MOSAIC_SIDE * MOSAIC_SIDE * 4) as u64, &[])?;
    w.put_blob(EUCLID, MOSAIC_KEY, &mosaic, epoch_secs(2025, 3, 19, 0, 0, 0))?;
    let wide = catalogs::wide_catalogue(rng);
    w.put(EUCLID, WIDE_CATALOGUE_KEY, &wide, epoch_secs(2025, 3, 19, 0, 0, 0))?;
    let frame = euclid_frame(rng);
    let mtime = epoch_secs(2025, 3, 19, 0, 0, 0);
    w.put(EUCLID, "q1/VIS/2681/EUC_VIS_SWL-DET-002681-00-1-0000000__20241017T042839.727728Z.fits", &frame, mtime)?;
    w.put(
        EUCLID,
        "q1/NIR/2681/EUC_NIR_W-CAL-IMAGE_H-002681-00-1-0000000__20241017T042909.000000Z.fits",
        &small_image(rng, "EUCLID", "EDF-N", 32),
        mtime,
    )?;
    w.put(
        EUCLID,
        "q1/MER/102018211/VIS/EUC_MER_BGSUB-MOSAIC-VIS_TILE102018211-3B4AEA_20241024T170814.000000Z.fits",
        &small_image(rng, "EUCLID", "EDF-N", 32),
        mtime,
    )?;
    other_irsa(w, rng)
}

/// The other IRSA buckets of the catalog, a few objects each (their real
/// layouts are not verified here: keys under `demo/` say so).
fn other_irsa(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    let mtime = epoch_secs(2025, 6, 1, 0, 0, 0);
    const SPHEREX: &str = "nasa-irsa-spherex";
    w.bucket(SPHEREX, true)?;
    w.put(SPHEREX, "qr2/level2/demo/spherex_l2b_demo_image.fits", &small_image(rng, "SPHEREX", "NEP", 16), mtime)?;
    const SIMULATIONS: &str = "nasa-irsa-simulations";
    w.bucket(SIMULATIONS, true)?;
    let roman = small_image(rng, "ROMAN", "OpenUniverse", 16);
    w.put(SIMULATIONS, "openuniverse2024/roman/full/demo/roman_simple_model_F184_demo.fits", &roman, mtime)?;
    w.put(SIMULATIONS, TRUTH_CATALOG_KEY, &catalogs::truth_galaxies(rng), mtime)?;
    const SPITZER: &str = "nasa-irsa-spitzer";
    w.bucket(SPITZER, true)?;
    w.put(SPITZER, "demo/spitzer_irac_ch1_mosaic_demo.fits", &small_image(rng, "SPITZER", "M81", 16), mtime)?;
    const ZTF: &str = "ipac-irsa-ztf";
    w.bucket(ZTF, true)?;
    let science = small_image(rng, "P48", "ZTF field 600", 16);
    w.put(ZTF, "ztf/products/sci/demo/ztf_20240101123456_000600_zg_c01_o_q1_sciimg.fits", &science, mtime)?;
    Ok(())
}
