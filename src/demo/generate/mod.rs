//! Generates the demo archive: buckets and keys shaped like the real NASA
//! archive buckets (see shared ARCHIVES.md), with real FITS files written by
//! our own writer. Deterministic: the same version always yields the same bytes.

use std::io::{self, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

pub(crate) mod catalogs;
mod compressed;
mod edge;
pub mod hats;
mod heasarc;
mod irsa;
mod mast;
pub(crate) mod roman;
mod sky;
mod tables;

use super::archive::ArchiveWriter;
use super::fits_writer::{Header, primary_header, push_hdu};
use crate::format::epoch_secs;

/// Bump when the generated content changes, so cached archives are rebuilt.
pub const ARCHIVE_VERSION: u32 = 23;

/// Keys in the large flat TESS prefix.
pub const TESS_FFI_COUNT: usize = 20_480;
/// An uncompressed event list of [`BIG_EVENT_ROWS`] rows, in `nasa-heasarc`.
pub const BIG_EVENT_KEY: &str = "xrism/data/obs/3/300049010/resolve/event_uf/xa300049010rsl_p0px1000_uf.evt";
pub const BIG_EVENT_ROWS: usize = 200_000;
/// A `.fits.gz` whose headers come first and whose 4 MiB image (noise,
/// compressing poorly) runs to the end of the stream, in `nasa-heasarc`.
pub const GZIP_DATA_LAST_KEY: &str = "xrism/data/obs/3/300049010/xtend/products/xa300049010xtd_p0300000a_sk.img.gz";
/// A 100 MiB uncompressed mosaic of [`MOSAIC_SIDE`]² float32 pixels, in `nasa-irsa-euclid-q1`.
pub const MOSAIC_KEY: &str = "q1/MER/102018211/EUC_MER_BGSUB-MOSAIC-VIS_TILE102018211-B1D3FC_20241018T122404.fits";
pub const MOSAIC_SIDE: usize = 5120;
/// A Parquet file of nested, typed columns, in `nasa-irsa-simulations`.
pub const TRUTH_CATALOG_KEY: &str = "openuniverse2024/roman/full/demo/truth_galaxies_demo.parquet";
/// A Parquet file of 600 columns whose footer is over 64 KiB, in `nasa-irsa-euclid-q1`.
pub const WIDE_CATALOGUE_KEY: &str = "q1/catalogs/demo/mer_final_catalogue_wide.parquet";
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
pub(crate) struct Rng(u64);

/// A generator for tests of code that reads the demo's files.
#[cfg(test)]
pub(crate) fn test_rng() -> Rng {
    Rng(42)
}

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
    heasarc::heasarc(&mut w, &mut rng)?;
    heasarc::lambda(&mut w, &mut rng)?;
    mast::mast(&mut w, &mut rng)?;
    irsa::irsa(&mut w, &mut rng)?;
    compressed::compressed(&mut w)?;
    edge::edge(&mut w, &mut rng)?;
    hats::hats(&mut w)?;
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

// ---------------------------------------------------------------- shared by the archives

fn observation_cards(h: &mut Header, telescope: &str, instrument: &str, object: &str, date: &str, exposure: f64) {
    h.string("TELESCOP", telescope, "mission name")
        .string("INSTRUME", instrument, "instrument")
        .string("OBJECT", object, "source name")
        .string("DATE-OBS", date, "start of observation (UTC)")
        .real("EXPOSURE", exposure, "[s] effective exposure");
}

fn small_image(rng: &mut Rng, telescope: &str, object: &str, side: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut h = primary_header(16, &[side, side]);
    observation_cards(&mut h, telescope, "ACIS", object, "2002-01-13T09:21:33", 12_000.0);
    h.string("CTYPE1", "RA---TAN", "").real("CRPIX1", side as f64 / 2.0, "").real("CRVAL1", 83.633, "");
    h.real("CDELT1", -1.366e-4, "").string("CTYPE2", "DEC--TAN", "").real("CRPIX2", side as f64 / 2.0, "");
    h.real("CRVAL2", 22.0145, "").real("CDELT2", 1.366e-4, "").string("BUNIT", "counts", "");
    let field = sky::star_field(rng, side, side, side / 4, 20.0, 4.0);
    let pixels = be_i16(field.into_iter().map(|v| v.round().clamp(0.0, 32767.0) as i16));
    push_hdu(&mut out, &h, &pixels);
    out
}
