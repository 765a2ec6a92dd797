//! Generates the demo archive: buckets and keys shaped like the real NASA
//! archive buckets (see shared ARCHIVES.md), with real FITS files written by
//! our own writer. Deterministic: the same version always yields the same bytes.

use std::io::{self, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::archive::ArchiveWriter;
use super::fits_writer::{BLOCK, Column, Header, bintable_header, image_header, primary_header, push_hdu};
use crate::format::epoch_secs;

/// Bump when the generated content changes, so cached archives are rebuilt.
pub const ARCHIVE_VERSION: u32 = 5;

/// Keys in the large flat TESS prefix.
pub const TESS_FFI_COUNT: usize = 20_480;
/// The large flat prefix, in `stpubdata`.
pub const TESS_FFI_PREFIX: &str = "tess/public/ffi/s0014/2019/199/2-3/";
/// The object with a small header and ~100 MB of data.
pub const TESS_CUBE_KEY: &str = "tess/public/mast/tess-s0014-2-3-cube.fits";
/// Bucket that only signed requests may read.
pub const PRIVATE_BUCKET: &str = "demo-private";
/// Bucket of keys and files that break tools.
pub const EDGE_BUCKET: &str = "demo-edge";
/// A binary object of the private bucket, downloaded in parts by the tests.
pub const PRIVATE_FRAMES_KEY: &str = "observations/run-042/frames.bin";
pub const PRIVATE_FRAMES_SIZE: usize = 1536 * 1024;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn be_i16(values: impl Iterator<Item = i16>) -> Vec<u8> {
    values.flat_map(i16::to_be_bytes).collect()
}

fn be_f32(values: impl Iterator<Item = f32>) -> Vec<u8> {
    values.flat_map(f32::to_be_bytes).collect()
}

/// Writes the whole archive into `root` (which must not exist yet or be empty).
pub fn generate(root: &Path) -> io::Result<()> {
    let mut w = ArchiveWriter::create(root)?;
    let mut rng = Rng(0x5335_C0BE);
    heasarc(&mut w, &mut rng)?;
    lambda(&mut w, &mut rng)?;
    mast(&mut w, &mut rng)?;
    irsa(&mut w, &mut rng)?;
    edge(&mut w, &mut rng)?;
    w.bucket(PRIVATE_BUCKET, false)?;
    w.put(
        PRIVATE_BUCKET,
        "proposals/cycle-27/draft.txt",
        b"Not for anonymous eyes.\n",
        epoch_secs(2025, 3, 1, 9, 0, 0),
    )?;
    // Large enough to come in several parts: a download in parallel ranges.
    let frames: Vec<u8> = (0..PRIVATE_FRAMES_SIZE).map(|_| rng.below(256) as u8).collect();
    w.put(PRIVATE_BUCKET, PRIVATE_FRAMES_KEY, &frames, epoch_secs(2025, 3, 2, 9, 0, 0))?;
    w.finish()
}

// ---------------------------------------------------------------- HEASARC

fn observation_cards(h: &mut Header, telescope: &str, instrument: &str, object: &str, date: &str, exposure: f64) {
    h.string("TELESCOP", telescope, "mission name")
        .string("INSTRUME", instrument, "instrument")
        .string("OBJECT", object, "source name")
        .string("DATE-OBS", date, "start of observation (UTC)")
        .real("EXPOSURE", exposure, "[s] effective exposure");
}

fn chandra_events(rng: &mut Rng, obsid: u32, rows: usize, object: &str, date: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    observation_cards(&mut primary, "CHANDRA", "ACIS", object, date, 29_000.0 + obsid as f64);
    primary.int("OBS_ID", obsid as i64, "observation id");
    push_hdu(&mut out, &primary, &[]);
    let columns = [
        Column { name: "TIME", form: "1D", unit: "s" },
        Column { name: "CCD_ID", form: "1I", unit: "" },
        Column { name: "X", form: "1E", unit: "pixel" },
        Column { name: "Y", form: "1E", unit: "pixel" },
        Column { name: "ENERGY", form: "1E", unit: "eV" },
    ];
    let mut header = bintable_header(&columns, rows, "EVENTS");
    header.string("HDUCLASS", "OGIP", "").string("HDUCLAS1", "EVENTS", "");
    header.real("TSTART", 2.1e8, "[s]").real("TSTOP", 2.1e8 + 3.0e4, "[s]");
    header.string("CTYPE1", "RA---TAN", "").real("CRVAL1", 83.633, "[deg]").string("CTYPE2", "DEC--TAN", "");
    header.real("CRVAL2", 22.0145, "[deg]");
    let mut data = Vec::with_capacity(rows * 22);
    let mut time = 2.1e8;
    for _ in 0..rows {
        time += rng.unit() * 10.0;
        data.extend(time.to_be_bytes());
        data.extend((rng.below(4) as i16 + 4).to_be_bytes());
        data.extend((4096.0 + rng.unit() as f32 * 200.0).to_be_bytes());
        data.extend((4096.0 + rng.unit() as f32 * 200.0).to_be_bytes());
        data.extend((300.0 + rng.unit() as f32 * 9000.0).to_be_bytes());
    }
    push_hdu(&mut out, &header, &data);
    let gti_cols = [Column { name: "START", form: "1D", unit: "s" }, Column { name: "STOP", form: "1D", unit: "s" }];
    let gti: Vec<u8> = [2.1e8f64, 2.1e8 + 3.0e4].iter().flat_map(|v| v.to_be_bytes()).collect();
    push_hdu(&mut out, &bintable_header(&gti_cols, 1, "GTI7"), &gti);
    out
}

fn small_image(rng: &mut Rng, telescope: &str, object: &str, side: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut h = primary_header(16, &[side, side]);
    observation_cards(&mut h, telescope, "ACIS", object, "2002-01-13T09:21:33", 12_000.0);
    h.string("CTYPE1", "RA---TAN", "").real("CRPIX1", side as f64 / 2.0, "").real("CRVAL1", 83.633, "");
    h.real("CDELT1", -1.366e-4, "").string("CTYPE2", "DEC--TAN", "").real("CRPIX2", side as f64 / 2.0, "");
    h.real("CRVAL2", 22.0145, "").real("CDELT2", 1.366e-4, "").string("BUNIT", "counts", "");
    let pixels = be_i16((0..side * side).map(|_| rng.below(50) as i16));
    push_hdu(&mut out, &h, &pixels);
    out
}

fn heasarc(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
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
    let html = "<html><body><h1>ASCA source info 97006000</h1><p>No FITS here.</p></body></html>\n";
    w.put(
        B,
        "asca/data/rev2/97006000/aux/ad97006000_002_source_info.html.gz",
        &gzip(html.as_bytes()),
        epoch_secs(2001, 6, 1, 0, 0, 0),
    )?;
    Ok(())
}

// ---------------------------------------------------------------- LAMBDA

fn lambda(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
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

// ---------------------------------------------------------------- MAST

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

fn mast(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
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

// ---------------------------------------------------------------- IRSA

fn fake_parquet(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut data = b"PAR1".to_vec();
    data.extend((0..len).map(|_| rng.below(256) as u8));
    data.extend(b"PAR1");
    data
}

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

fn irsa(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    const WISE: &str = "nasa-irsa-wise";
    w.bucket(WISE, true)?;
    let base = "wise/neowiser/catalogs/p1bs_psd/healpix_k5/2019/neowiser-healpix_k5-2019.parquet/";
    let mtime = epoch_secs(2024, 4, 2, 0, 0, 0);
    w.put(WISE, &format!("{base}_metadata"), &fake_parquet(rng, 512), mtime)?;
    for k0 in 0..12u32 {
        for j in 0..4u32 {
            let k5 = k0 * 1024 + j * 97;
            let key = format!("{base}healpix_k0={k0}/healpix_k5={k5}/part0.snappy.parquet");
            w.put(WISE, &key, &fake_parquet(rng, 2048), mtime)?;
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
    let truth = fake_parquet(rng, 1024);
    w.put(SIMULATIONS, "openuniverse2024/roman/full/demo/truth_galaxies_demo.parquet", &truth, mtime)?;
    const SPITZER: &str = "nasa-irsa-spitzer";
    w.bucket(SPITZER, true)?;
    w.put(SPITZER, "demo/spitzer_irac_ch1_mosaic_demo.fits", &small_image(rng, "SPITZER", "M81", 16), mtime)?;
    const ZTF: &str = "ipac-irsa-ztf";
    w.bucket(ZTF, true)?;
    let science = small_image(rng, "P48", "ZTF field 600", 16);
    w.put(ZTF, "ztf/products/sci/demo/ztf_20240101123456_000600_zg_c01_o_q1_sciimg.fits", &science, mtime)?;
    Ok(())
}

// ---------------------------------------------------------------- edge cases

/// A header with every legal-but-unusual card form, and some real-world flaws.
fn odd_header(rng: &mut Rng) -> Vec<u8> {
    let mut h = Header::new();
    for card in [
        "SIMPLE  =                    T / conforms to FITS standard",
        "BITPIX  =                    8",
        "NAXIS   =                    0",
        "EXTEND  = T / free-format logical",
        "DEXP    =             1.25D+03 / D exponent",
        "CPLX    = (1.5, -2.0) / complex value",
        "UNDEF   =                      / no value at all",
        "QUOTE   = 'it''s fine'",
        "LEADSP  = '  leading blanks kept'",
        "          a card with a blank keyword",
        "COMMENT   a comment card",
        "date-obs= '2019-08-14' / lowercase keyword",
        "LONG    = 'part one &' / first comment",
        "CONTINUE  'part two&' / second comment",
        "CONTINUE  'part three'",
        "HIERARCH ESO INS FILT1 NAME = 'g_SDSS' / filter name",
        "BIGINT  =       12345678901234 / beyond 32 bits",
        "NEGREAL =               -0.5E-3",
    ] {
        h.verbatim(card);
    }
    let mut out = Vec::new();
    push_hdu(&mut out, &h, &[]);
    let data: Vec<u8> = (0..100).map(|_| rng.below(256) as u8).collect();
    push_hdu(&mut out, &image_header(8, &[100], "BYTES"), &data);
    out
}

/// A FITS file whose header values and comments hold escape sequences: a
/// title change, red text, a clipboard write, and an 8-bit CSI byte.
fn hostile_header() -> Vec<u8> {
    let mut h = primary_header(8, &[]);
    h.string("OBJECT", "\x1b]0;pwned\x07", "sets the window title");
    h.string("OBSERVER", "\x1b[31mred\x1b[0m", "\x1b[41mred background");
    h.history("\x1b]52;c;cHduZWQ=\x07 asks for the clipboard");
    let mut out = Vec::new();
    push_hdu(&mut out, &h, &[]);
    // An 8-bit CSI byte in the OBJECT value (0x9b is not ASCII).
    if let Some(at) = out.windows(4).position(|w| w == b"]0;p") {
        out[at + 1] = 0x9b;
    }
    out
}

fn edge(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    const B: &str = EDGE_BUCKET;
    w.bucket(B, true)?;
    let mtime = epoch_secs(2024, 1, 1, 0, 0, 0);
    let fits = small_image(rng, "DEMO", "edge", 8);
    let text = b"plain text\n";
    let entries: Vec<(String, Vec<u8>)> = vec![
        ("with space/file one.txt".into(), text.to_vec()),
        ("plus+sign/a+b.txt".into(), text.to_vec()),
        ("percent%/100%25 sure.txt".into(), text.to_vec()),
        ("unicode/café-☃-星.fits".into(), fits.clone()),
        ("a//b.txt".into(), text.to_vec()),
        ("dir/".into(), Vec::new()),
        ("dir/inside.txt".into(), text.to_vec()),
        ("escape/\x1b[31mred\x1b[0m.txt".into(), b"\x1b[31mred text\x1b[0m\n".to_vec()),
        ("escape/\x1b]0;pwned\x07title.txt".into(), text.to_vec()),
        ("escape/bell\x07.txt".into(), text.to_vec()),
        // A key that asks the terminal to set the clipboard (OSC 52, "pwned").
        ("escape/clip\x1b]52;c;cHduZWQ=\x07board.txt".into(), text.to_vec()),
        // The 8-bit CSI (clear screen) and other control characters.
        ("escape/c1-\u{9b}2J-clear.txt".into(), text.to_vec()),
        ("escape/tab\there-newline\nthere-del\x7f.txt".into(), text.to_vec()),
        ("escape/hostile-header.fits".into(), hostile_header()),
        ("bidi/\u{202e}txt.exe".into(), text.to_vec()),
        ("../x".into(), b"a key that climbs out of the download directory\n".to_vec()),
        ("/absolute.txt".into(), text.to_vec()),
        (format!("long/{}.txt", "k".repeat(1000)), text.to_vec()),
        ("files/readme.txt".into(), b"The demo-edge bucket holds keys and files that break tools.\n".to_vec()),
        ("files/empty.dat".into(), Vec::new()),
        ("files/truncated.fits".into(), fits[..1000].to_vec()),
        ("files/truncated-data.fits".into(), fits[..fits.len() - 100].to_vec()),
        ("files/not-fits.fits".into(), b"<html><body>404 Not Found</body></html>\n".to_vec()),
        ("files/binary.bin".into(), (0..4096).map(|_| rng.below(256) as u8).collect()),
        ("files/odd-header.fits".into(), odd_header(rng)),
    ];
    for (key, data) in entries {
        w.put(B, &key, &data, mtime)?;
    }
    Ok(())
}
