//! MAST: HST datasets, the flat TESS prefix, the TESS cube, light curves and the other missions.

use std::io;

use super::super::archive::ArchiveWriter;
use super::super::fits_writer::{BLOCK, Column, Header, bintable_header, image_header, primary_header, push_hdu};
use super::*;
use crate::format::epoch_secs;

fn hst_primary(dataset: &str, suffix: &str, rng: &mut Rng) -> Header {
    let mut h = primary_header(16, &[]);
    h.int("NEXTEND", 3, "number of extensions").string("DATE", "2019-08-14", "date this file was written");
    h.string("FILENAME", &format!("{dataset}_{suffix}.fits"), "name of file").string("FILETYPE", "SCI", "");
    h.string("TELESCOP", "HST", "telescope used to acquire data").string("INSTRUME", "WFC3", "instrument");
    h.string("EQUINOX", "2000.0", "").string("ROOTNAME", dataset, "rootname of the observation set");
    h.string("IMAGETYP", "EXT", "type of exposure identifier").real("PRIMESI", 0.0, "");
    h.string("TARGNAME", "NGC-6397", "proposer's target name").real("RA_TARG", 265.1754166667, "[deg] right ascension");
    h.real("DEC_TARG", -53.67433333333, "[deg] declination").int("PROPOSID", 15_146, "PEP proposal identifier");
    h.string("DATE-OBS", "2019-08-14", "UT date of start of observation").string(
        "TIME-OBS",
        "03:12:47",
        "UT time of start",
    );
    h.real("EXPTIME", 402.93, "[s] exposure duration").string("DETECTOR", "UVIS", "").string("FILTER", "F606W", "");
    h.string("OBSTYPE", "IMAGING", "").string("OBSMODE", "ACCUM", "").string("APERTURE", "UVIS-CENTER", "");
    let description = "Globular cluster NGC 6397 deep field for white dwarf cooling sequence; parallel \
        observations with ACS/WFC; see proposal 15146 for the full science justification and the \
        observing strategy of the programme";
    h.string("TARGDESC", description, "target description");
    for step in [
        "DQICORR", "ATODCORR", "BLEVCORR", "BIASCORR", "FLSHCORR", "CRCORR", "DARKCORR", "FLATCORR", "SHADCORR",
        "PHOTCORR",
    ] {
        h.string(step, if suffix == "raw" { "PERFORM" } else { "COMPLETE" }, "calibration switch");
    }
    for file in ["BPIXTAB", "CCDTAB", "OSCNTAB", "BIASFILE", "DARKFILE", "PFLTFILE", "IMPHTTAB", "DRKCFILE"] {
        h.string(file, &format!("iref${}_{}.fits", dataset, file.to_ascii_lowercase()), "reference file");
    }
    // Real raw headers run to hundreds of cards: fill to six blocks.
    let mut n = 0;
    while h.card_count() < 5 * 36 + 4 {
        n += 1;
        match n % 3 {
            0 => h.history(&format!("Calibration step {n} of the HST pipeline, CALWF3 version 3.5.{}", rng.below(9))),
            1 => h.real(&format!("PAR{n:04}"), rng.unit() * 100.0, "engineering parameter"),
            _ => h.string(&format!("MEM{n:04}"), &format!("W{:05}", rng.below(99_999)), "association member"),
        };
    }
    h
}

fn hst_file(rng: &mut Rng, dataset: &str, suffix: &str) -> Vec<u8> {
    let side = 64;
    let mut out = Vec::new();
    push_hdu(&mut out, &hst_primary(dataset, suffix, rng), &[]);
    let extensions: &[(&str, i64)] = if suffix == "drz" {
        &[("SCI", -32), ("WHT", -32), ("CTX", 32)]
    } else {
        &[("SCI", if suffix == "raw" { 16 } else { -32 }), ("ERR", -32), ("DQ", 16)]
    };
    for (extname, bitpix) in extensions {
        let mut h = image_header(*bitpix, &[side, side], extname);
        h.int("EXTVER", 1, "extension version").string("BUNIT", "ELECTRONS", "");
        h.string("CTYPE1", "RA---TAN", "").real("CRVAL1", 265.1754, "").real("CRPIX1", 32.0, "");
        h.string("CTYPE2", "DEC--TAN", "").real("CRVAL2", -53.6743, "").real("CRPIX2", 32.0, "");
        if suffix == "flt" && *extname == "SCI" {
            // Distortion corrections as record-valued cards (the FITS distortion paper's convention).
            h.string("D2IMEXT", "iref$02c1450oi_d2i.fits", "detector to image correction file");
            h.real("D2IMERR1", 0.0, "maximum error of the correction");
            for card in [
                "DP1     = 'EXTVER: 1'          / version of the NPOL extension",
                "DP1     = 'NAXES: 2'           / number of independent variables",
                "DP1     = 'AXIS.1: 1'          / axis mapping",
                "DP1     = 'AXIS.2: 2'          / axis mapping",
                "DP1     = 'NPOL.SCALE: 0.05'   / scale of the lookup table",
                "D2IM1   = 'EXTVER: 1'          / version of the D2IMARR extension",
                "D2IM1   = 'AXIS.1: 1'          / axis mapping",
            ] {
                h.verbatim(card);
            }
        }
        let data: Vec<u8> = match bitpix {
            16 => be_i16((0..side * side).map(|_| rng.below(2000) as i16)),
            32 => (0..side * side).flat_map(|_| (rng.below(8) as i32).to_be_bytes()).collect(),
            _ => be_f32((0..side * side).map(|_| rng.unit() as f32 * 1000.0)),
        };
        push_hdu(&mut out, &h, &data);
    }
    out
}

fn tess_ffi(rng: &mut Rng, variant: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut h = primary_header(8, &[]);
    h.string("TELESCOP", "TESS", "").string("INSTRUME", "TESS Photometer", "").int("SECTOR", 14, "");
    h.int("CAMERA", 2, "").int("CCD", 3, "").string("DATE-OBS", &format!("2019-07-18T{:02}:29:29", variant % 24), "");
    push_hdu(&mut out, &h, &[]);
    let side = 32;
    let mut img = image_header(-32, &[side, side], "CAMERA.CCD 2.3 cal");
    img.string("CTYPE1", "RA---TAN-SIP", "").real("CRVAL1", 270.6 + variant as f64 * 0.01, "").real("CRPIX1", 16.0, "");
    img.string("CTYPE2", "DEC--TAN-SIP", "")
        .real("CRVAL2", 66.2, "")
        .real("CRPIX2", 16.0, "")
        .string("BUNIT", "e-/s", "");
    push_hdu(&mut out, &img, &be_f32((0..side * side).map(|_| rng.unit() as f32 * 500.0)));
    out
}

fn tess_cube_parts() -> (Vec<u8>, u64, Vec<u8>) {
    // Primary (no data), then a 2 x 50 x 512 x 512 float32 cube (100 MiB) left
    // as a sparse hole, then a small BINTABLE of frame times.
    let mut head = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "TESS", "").int("SECTOR", 14, "").int("CAMERA", 2, "").int("CCD", 3, "");
    push_hdu(&mut head, &primary, &[]);
    let axes = [2usize, 50, 512, 512];
    let mut cube = image_header(-32, &axes, "CUBE");
    cube.string("BUNIT", "e-/s", "");
    head.extend(cube.to_bytes());
    let data: u64 = axes.iter().product::<usize>() as u64 * 4;
    let padded = data.div_ceil(BLOCK as u64) * BLOCK as u64;
    let mut tail = Vec::new();
    let columns = [Column { name: "TSTART", form: "1D", unit: "d" }, Column { name: "TSTOP", form: "1D", unit: "d" }];
    let rows: Vec<u8> = (0..50)
        .flat_map(|i| [1683.35 + i as f64 / 48.0, 1683.37 + i as f64 / 48.0])
        .flat_map(f64::to_be_bytes)
        .collect();
    push_hdu(&mut tail, &bintable_header(&columns, 50, "FRAMES"), &rows);
    (head, padded, tail)
}

/// A NIRSpec IFU cube: primary header, then a 48 x 48 x 12 float32 SCI cube.
fn ifu_cube(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "JWST", "").string("INSTRUME", "NIRSPEC", "").string("TARGNAME", "SMACS-0723", "");
    push_hdu(&mut out, &primary, &[]);
    let (side, planes) = (48, 12);
    let mut sci = image_header(-32, &[side, side, planes], "SCI");
    sci.string("BUNIT", "MJy/sr", "").string("CTYPE3", "WAVE", "").real("CRVAL3", 2.87, "[um]");
    sci.real("CDELT3", 0.000665, "[um]");
    push_hdu(&mut out, &sci, &be_f32(sky::cube(rng, side, planes).into_iter()));
    roman::push_asdf_hdu(&mut out);
    out
}

pub(super) fn mast(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    const B: &str = "stpubdata";
    w.bucket(B, true)?;
    let prefixes = ["icde", "ibcd", "jdan", "od7q"];
    for i in 0..20 {
        let first4 = prefixes[i % prefixes.len()];
        let dataset = format!("{first4}{:02}{}{}q", 40 + i, (b'a' + (i % 26) as u8) as char, i % 10);
        let mtime = epoch_secs(2019, 8, 14, 3, i as u32, 0);
        for suffix in ["raw", "flt", "drz"] {
            let key = format!("hst/public/{first4}/{dataset}/{dataset}_{suffix}.fits");
            w.put(B, &key, &hst_file(rng, &dataset, suffix), mtime)?;
        }
    }
    let ffi_blobs: Vec<_> = (0..8).map(|v| w.blob(&tess_ffi(rng, v))).collect::<io::Result<_>>()?;
    let start = epoch_secs(2019, 7, 18, 0, 0, 0);
    for n in 0..TESS_FFI_COUNT {
        let t = start + n as i64 * 4;
        let (y, mo, d, h, mi, s) = crate::format::utc_parts(t);
        let day_of_year = (epoch_secs(y, mo, d, 0, 0, 0) - epoch_secs(y, 1, 1, 0, 0, 0)) / 86_400 + 1;
        let key = format!("{TESS_FFI_PREFIX}tess{y}{day_of_year:03}{h:02}{mi:02}{s:02}-s0014-2-3-0150-s_ffic.fits");
        w.put_blob(B, &key, &ffi_blobs[n % ffi_blobs.len()], t + 86_400)?;
    }
    let (head, hole, tail) = tess_cube_parts();
    let cube = w.sparse_blob(&head, hole, &tail)?;
    w.put_blob(B, TESS_CUBE_KEY, &cube, epoch_secs(2019, 9, 1, 0, 0, 0))?;
    let lc_columns = [
        Column { name: "TIME", form: "D", unit: "BJD - 2457000, days" },
        Column { name: "SAP_FLUX", form: "E", unit: "e-/s" },
        Column { name: "PDCSAP_FLUX", form: "E", unit: "e-/s" },
        Column { name: "QUALITY", form: "J", unit: "" },
    ];
    for tic in ["0000/0003/7542/2201", "0000/0003/7542/2207", "0000/0001/2345/6789"] {
        let tic_id: String = tic.replace('/', "");
        let mut lc = Vec::new();
        let mut h = primary_header(8, &[]);
        h.string("TELESCOP", "TESS", "").string("OBJECT", &format!("TIC {}", tic_id.trim_start_matches('0')), "");
        h.int("TICID", tic_id.parse().unwrap_or(0), "").int("SECTOR", 15, "");
        push_hdu(&mut lc, &h, &[]);
        let rows = 500;
        let data: Vec<u8> = (0..rows)
            .flat_map(|r| {
                let mut row = (1711.36 + r as f64 / 720.0).to_be_bytes().to_vec();
                row.extend((1000.0 + rng.unit() as f32).to_be_bytes());
                row.extend((1000.0 + rng.unit() as f32).to_be_bytes());
                row.extend(0i32.to_be_bytes());
                row
            })
            .collect();
        push_hdu(&mut lc, &bintable_header(&lc_columns, rows, "LIGHTCURVE"), &data);
        let key = format!("tess/public/tid/s0015/{tic}/tess2019226182529-s0015-{tic_id}-0151-s_lc.fits");
        w.put(B, &key, &lc, epoch_secs(2019, 9, 12, 0, 0, 0))?;
    }
    w.put(
        B,
        "jwst/public/jw02736/jw02736-o007_t001_nirspec_g395h-f290lp/jw02736-o007_t001_nirspec_g395h-f290lp_s3d.fits",
        &ifu_cube(rng),
        epoch_secs(2022, 7, 12, 14, 0, 0),
    )?;
    roman::roman(w)?;
    let tiny = w.blob(&small_image(rng, "KEPLER", "KIC 8462852", 16))?;
    for key in [
        "kepler/lightcurves/0084/008462852/kplr008462852-2013131215648_llc.fits",
        "k2/lightcurves/c5/211800000/11000/ktwo211811000-c05_llc.fits",
        "galex/GR6/pipe/01-vsn/06381-AIS_381/d/01-main/0001-img/07-try/AIS_381_sg12-nd-int.fits.gz",
        "panstarrs/ps1/public/rings.v3.skycell/1234/056/rings.v3.skycell.1234.056.stk.g.unconv.fits",
        "jwst/public/jw02736/jw02736-o001_t001_nircam_clear-f090w/jw02736-o001_t001_nircam_clear-f090w_i2d.fits",
    ] {
        w.put_blob(B, key, &tiny, epoch_secs(2022, 7, 12, 14, 0, 0))?;
    }
    Ok(())
}
