//! HEASARC (Chandra, Swift, XRISM, ASCA) and LAMBDA.

use std::io;

use super::super::archive::ArchiveWriter;
use super::super::fits_writer::{Column, bintable_header, image_header, primary_header, push_hdu};
use super::*;
use crate::format::epoch_secs;

use super::tables::{ascii_sources, events as chandra_events, response_matrix};

pub(super) fn heasarc(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    const B: &str = "nasa-heasarc";
    w.bucket(B, true)?;
    let objects = ["Crab Nebula", "Cas A", "Sgr A*", "M87", "Tycho SNR", "3C 273", "Vela Pulsar", "NGC 4151"];
    for i in 0..40u32 {
        let obsid = 3003 + i * 7;
        let base = format!("chandra/data/byobsid/{}/{obsid}/", obsid % 10);
        let stem = format!("acisf{obsid:05}N004");
        let mtime = epoch_secs(2002 + i64::from(i % 20), 1 + i % 12, 1 + i % 28, 12, 0, 0);
        let object = objects[i as usize % objects.len()];
        let readme = format!(
            "Chandra observation {obsid}\nTarget: {object}\n\nprimary/    analysis products (evt2, images)\nsecondary/  intermediate products\n"
        );
        w.put(B, &format!("{base}00README"), readme.as_bytes(), mtime)?;
        let oif_cols =
            [Column { name: "MEMBER_URI", form: "40A", unit: "" }, Column { name: "SIZE", form: "1J", unit: "" }];
        let mut oif = Vec::new();
        push_hdu(&mut oif, &primary_header(8, &[]), &[]);
        let mut rows = Vec::new();
        for name in ["evt2", "cntr_img2"] {
            rows.extend(format!("{:<40}", format!("primary/{stem}_{name}.fits")).bytes());
            rows.extend(4096i32.to_be_bytes());
        }
        push_hdu(&mut oif, &bintable_header(&oif_cols, 2, "GROUPING"), &rows);
        w.put(B, &format!("{base}oif.fits"), &oif, mtime)?;
        let events = chandra_events(rng, obsid, 2000 + (i as usize * 53) % 2000, object, "2002-01-13T09:21:33");
        w.put(B, &format!("{base}primary/{stem}_evt2.fits.gz"), &gzip(&events), mtime)?;
        w.put(
            B,
            &format!("{base}primary/{stem}_cntr_img2.fits.gz"),
            &gzip(&small_image(rng, "CHANDRA", object, 64)),
            mtime,
        )?;
        if i == 0 {
            let sources = ascii_sources(rng, 60);
            w.put(B, &format!("{base}primary/{stem}_src2.fits"), &sources, mtime)?;
        }
        let bpix = chandra_events(rng, obsid, 50, object, "2002-01-13T09:21:33");
        w.put(B, &format!("{base}secondary/acisf{obsid:05}_000N004_bpix1.fits.gz"), &gzip(&bpix), mtime)?;
    }
    for month in 1..=3u32 {
        for n in 0..5u32 {
            let obsid = format!("000300{:02}{:03}", month * 10 + n, 1);
            let base = format!("swift/data/obs/2005_{month:02}/{obsid}/");
            let mtime = epoch_secs(2005, month, 5 + n, 3, 0, 0);
            let events = chandra_events(rng, n, 800, "GRB 050117", "2005-01-17T12:52:36");
            w.put(B, &format!("{base}xrt/event/sw{obsid}xpcw3po_cl.evt.gz"), &gzip(&events), mtime)?;
            w.put(
                B,
                &format!("{base}uvot/image/sw{obsid}uvv_sk.img.gz"),
                &gzip(&small_image(rng, "SWIFT", "GRB 050117", 48)),
                mtime,
            )?;
            w.put(
                B,
                &format!("{base}auxil/sw{obsid}sat.fits.gz"),
                &gzip(&chandra_events(rng, n, 100, "GRB 050117", "2005-01-17")),
                mtime,
            )?;
        }
    }
    let xrism = chandra_events(rng, 49010, 1500, "Perseus cluster", "2023-11-02T01:00:00");
    w.put(
        B,
        "xrism/data/obs/3/300049010/resolve/event_cl/xa300049010rsl_p0px5000_cl.evt.gz",
        &gzip(&xrism),
        epoch_secs(2024, 2, 1, 0, 0, 0),
    )?;
    w.put(
        B,
        "caldb/data/swift/xrt/cpf/rmf/swxpc0to12s6_20130101v014.rmf",
        &response_matrix(rng, 240, 1024),
        epoch_secs(2013, 1, 1, 0, 0, 0),
    )?;
    // ROSAT products are Unix-compressed (`.fits.Z`); a plain twin for comparison.
    let rosat = "rosat/data/pspc/processed_data/900000/rp900001n00/";
    let events = chandra_events(rng, 900001, 3000, "LMC X-1", "1992-04-20T11:05:00");
    w.put(
        B,
        &format!("{rosat}rp900001n00_bas.fits.Z"),
        &crate::fits::unlzw::compress(&events, 16),
        epoch_secs(1999, 6, 1, 0, 0, 0),
    )?;
    w.put(B, &format!("{rosat}rp900001n00_bas.fits"), &events, epoch_secs(1999, 6, 1, 0, 0, 0))?;
    let image = small_image(rng, "ROSAT", "LMC X-1", 64);
    w.put(
        B,
        &format!("{rosat}rp900001n00_im1.fits.Z"),
        &crate::fits::unlzw::compress(&image, 16),
        epoch_secs(1999, 6, 1, 0, 0, 0),
    )?;
    // A long event list, uncompressed: rows are read by range from the middle of 7 MB.
    let unfiltered = chandra_events(rng, 49010, BIG_EVENT_ROWS, "Perseus cluster", "2023-11-02T01:00:00");
    w.put(B, BIG_EVENT_KEY, &unfiltered, epoch_secs(2024, 2, 1, 0, 0, 0))?;
    w.put(B, GZIP_DATA_LAST_KEY, &gzip(&data_last_image()), epoch_secs(2024, 2, 1, 0, 0, 0))?;
    let html = "<html><body><h1>ASCA source info 97006000</h1><p>No FITS here.</p></body></html>\n";
    w.put(
        B,
        "asca/data/rev2/97006000/aux/ad97006000_002_source_info.html.gz",
        &gzip(html.as_bytes()),
        epoch_secs(2001, 6, 1, 0, 0, 0),
    )?;
    Ok(())
}

/// An empty primary, a small GTI table, then a 4 MiB image of noise (it
/// compresses poorly): every header is in the first kilobytes of the gzip
/// stream, the data runs to its end.
fn data_last_image() -> Vec<u8> {
    // A generator of its own, so that the other demo files stay as they were.
    let mut rng = Rng(0xDA7A_1A57);
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "XRISM", "").string("INSTRUME", "XTEND", "").string("OBJECT", "Perseus cluster", "");
    push_hdu(&mut out, &primary, &[]);
    let gti = [Column { name: "START", form: "1D", unit: "s" }, Column { name: "STOP", form: "1D", unit: "s" }];
    let rows: Vec<u8> = [1.0e8f64, 1.0e8 + 5000.0].iter().flat_map(|t| t.to_be_bytes()).collect();
    push_hdu(&mut out, &bintable_header(&gti, 1, "GTI"), &rows);
    let (width, height) = (1024, 2048);
    let pixels: Vec<u8> = (0..width * height).flat_map(|_| (rng.next() as i16).to_be_bytes()).collect();
    push_hdu(&mut out, &image_header(16, &[width, height], "SKY"), &pixels);
    out
}

// ---------------------------------------------------------------- LAMBDA

pub(super) fn lambda(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    const B: &str = "nasa-lambda";
    w.bucket(B, true)?;
    let nside = 16usize;
    let pixels = 12 * nside * nside;
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "PLANCK", "").string("DATE", "2018-07-17", "");
    push_hdu(&mut out, &primary, &[]);
    let columns = [
        Column { name: "I_STOKES", form: "1E", unit: "K_CMB" },
        Column { name: "Q_STOKES", form: "1E", unit: "K_CMB" },
        Column { name: "U_STOKES", form: "1E", unit: "K_CMB" },
    ];
    let mut h = bintable_header(&columns, pixels, "FREQ-MAP");
    h.string("PIXTYPE", "HEALPIX", "HEALPIX pixelisation").string("ORDERING", "NESTED", "pixel ordering scheme");
    h.int("NSIDE", nside as i64, "resolution parameter").int("FIRSTPIX", 0, "").int("LASTPIX", pixels as i64 - 1, "");
    h.string("INDXSCHM", "IMPLICIT", "indexing").string("COORDSYS", "GALACTIC", "").real("FREQ", 30.0, "[GHz]");
    let data = be_f32((0..pixels * 3).map(|_| (rng.unit() as f32 - 0.5) * 1e-4));
    push_hdu(&mut out, &h, &data);
    let mtime = epoch_secs(2018, 7, 17, 0, 0, 0);
    w.put(B, "data/planck/maps/LFI_SkyMap_030_16_R3.00_full.fits", &out, mtime)?;
    w.put(B, "data/planck/maps/README.txt", b"Planck LFI 30 GHz frequency map, HEALPix NSIDE 16 (demo)\n", mtime)?;
    w.put(B, "data/map/dr5/skymaps/9yr/raw/wmap_band_imap_r9_9yr_K_v5.fits", &out, epoch_secs(2012, 12, 20, 0, 0, 0))?;
    Ok(())
}
