//! The objects of the download benchmarks (bench/downloads.py): a `bench-get`
//! bucket with `small/` (1,000 x 64 KiB), `medium/` (100 x 1 MiB) and
//! `large/` (4 x 256 MiB) of distinct pseudo-random bytes, and a 64 MB
//! `.fits.gz` whose big image HDU comes last, for the header benchmark.
//!
//! Small and medium objects live in memory; the large ones and the `.fits.gz`
//! are written once into a cache directory (with their MD5 beside them) and
//! served from disk on later runs.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use s3scope::testing::checksum::{crc64nvme_of_file, md5_of_file};
use s3scope::testing::demo::fits_writer::{Column, bintable_header, image_header, primary_header, push_hdu};
use s3scope::testing::demo::store::{Content, Store, StoredObject};

pub const GET_BUCKET: &str = "bench-get";
/// Its key in the `bench-fits` bucket.
pub const DATA_LAST_KEY: &str = "gz/data-last-64mb.fits.gz";
/// Bump when the generated contents change, so old caches are not reused.
const VERSION: u32 = 1;
const MODIFIED: i64 = 1_700_000_000;

/// xorshift64*: fast, distinct streams by seed.
struct Noise(u64);

impl Noise {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn fill(&mut self, out: &mut [u8]) {
        for word in out.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            word.copy_from_slice(&bytes[..word.len()]);
        }
    }
}

fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    Noise::new(seed).fill(&mut out);
    out
}

/// A file made by `write` at `path`, unless it (and its MD5 beside it) is
/// already there; returns the object that serves it, with the CRC-64/NVME
/// S3 keeps for a new upload.
fn cached_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<StoredObject> {
    let etag_path = path.with_extension("md5");
    if let (Ok(meta), Ok(etag)) = (std::fs::metadata(path), std::fs::read_to_string(&etag_path)) {
        let etag = etag.trim().to_string();
        if etag.len() == 32 {
            return new_upload(path, meta.len(), etag);
        }
    }
    let partial = path.with_extension("partial");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&partial)?);
    write(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, path)?;
    let etag = md5_of_file(path)?;
    std::fs::write(&etag_path, &etag)?;
    let size = std::fs::metadata(path)?.len();
    new_upload(path, size, etag)
}

/// The object a file serves, as S3 keeps a new upload: with its CRC-64/NVME.
fn new_upload(path: &Path, size: u64, etag: String) -> std::io::Result<StoredObject> {
    let crc64nvme = Some(crc64nvme_of_file(path)?);
    Ok(StoredObject { size, etag, last_modified: MODIFIED, content: Content::File(path.to_path_buf()), crc64nvme })
}

/// 256 MiB of noise, written 1 MiB at a time.
fn write_large(out: &mut impl Write, seed: u64) -> std::io::Result<()> {
    let mut noise = Noise::new(seed);
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..256 {
        noise.fill(&mut buf);
        out.write_all(&buf)?;
    }
    Ok(())
}

/// Primary header, a small table, a header-only extension, then a
/// 4400 x 4400 float32 image of noise (about 64 MB gzipped at level 1).
fn write_data_last(out: &mut BufWriter<std::fs::File>) -> std::io::Result<()> {
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "BENCH", "").string("OBJECT", "data-last", "");
    while primary.card_count() < 60 {
        primary.history("the big image HDU is the last one in this file");
    }
    let mut head = Vec::new();
    push_hdu(&mut head, &primary, &[]);
    let columns = [Column { name: "TIME", form: "1D", unit: "s" }, Column { name: "RATE", form: "1E", unit: "ct/s" }];
    let mut rows = Vec::new();
    for i in 0..200u32 {
        rows.extend((5.0e8 + f64::from(i) * 2.0).to_be_bytes());
        rows.extend((100.0 + (i % 17) as f32).to_be_bytes());
    }
    push_hdu(&mut head, &bintable_header(&columns, 200, "RATE"), &rows);
    let mut notes = image_header(8, &[], "NOTES");
    notes.string("ORIGIN", "s3scope bench", "");
    push_hdu(&mut head, &notes, &[]);
    let (width, height) = (4400usize, 4400usize);
    let mut image = image_header(-32, &[width, height], "SCI");
    image.string("BUNIT", "electrons/s", "");
    gz.write_all(&head)?;
    gz.write_all(&image.to_bytes())?;
    // Sky of ~1000 with noise in every mantissa bit: gzip saves little.
    let mut noise = Noise::new(0xf175);
    let mut row = Vec::with_capacity(width * 4);
    for _ in 0..height {
        row.clear();
        for _ in 0..width {
            let r = noise.next();
            let value = 1000.0 + ((r >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 200.0;
            row.extend(value.to_be_bytes());
        }
        gz.write_all(&row)?;
    }
    let data = width * height * 4;
    gz.write_all(&vec![0u8; data.div_ceil(2880) * 2880 - data])?;
    gz.finish()?;
    Ok(())
}

/// Adds the `bench-get` bucket, and the data-last `.fits.gz` to `fits_bucket`.
pub fn add(store: &mut Store, fits_bucket: &str, cache: &Path) -> std::io::Result<()> {
    let cache: PathBuf = cache.join(format!("bench-get-v{VERSION}"));
    std::fs::create_dir_all(&cache)?;
    store.add_bucket(GET_BUCKET, true);
    for n in 0..1000u64 {
        let object = StoredObject::in_memory(random_bytes(1_000_000 + n, 64 << 10), MODIFIED);
        store.put(GET_BUCKET, &format!("small/part-{n:04}.bin"), object);
    }
    for n in 0..100u64 {
        let object = StoredObject::in_memory(random_bytes(2_000_000 + n, 1 << 20), MODIFIED);
        store.put(GET_BUCKET, &format!("medium/part-{n:03}.bin"), object);
    }
    for n in 0..4u64 {
        let object = cached_file(&cache.join(format!("large-{n}.bin")), |out| write_large(out, 3_000_000 + n))?;
        store.put(GET_BUCKET, &format!("large/part-{n}.bin"), object);
    }
    let object = cached_file(&cache.join("data-last-64mb.fits.gz"), write_data_last)?;
    store.put(fits_bucket, DATA_LAST_KEY, object);
    Ok(())
}
