//! Benchmark helper: the embedded S3 server over the demo archive plus a
//! synthetic `bench-tree` bucket (3 levels: 10 x 20 prefixes x 100 objects)
//! and a `bench-fits` bucket (a 168 MB multi-HDU HST-like file, sparse on
//! disk, an 8 MB gzip event list, a 1 GiB download and a 2-million-row
//! Parquet catalog, and a 64 MB `.fits.gz` whose big HDU is last) and a
//! `bench-get` bucket of objects to download (bench_get.rs), with two latency
//! proxies in front of it: one without a cap, one capped at 4 MB/s per
//! connection. Prints one line:
//! `direct=http://127.0.0.1:A proxy=http://127.0.0.1:B capped=http://127.0.0.1:C`,
//! then serves until killed.
//!
//! With `--million`, also a `bench-million` bucket whose `flat/` prefix holds
//! 1,000,000 objects, and `flat-10k/` and `flat-100k/` beside it (the load
//! benchmark, bench/load.py).
//!
//! Usage: bench-server [--rtt-ms 30] [--archive-dir DIR] [--million]

#[allow(dead_code)]
#[path = "../tests/common/proxy.rs"]
mod proxy;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use std::io::{Seek, SeekFrom, Write};

use s3scope::testing::checksum::{crc64nvme_of_file, md5_of_file};
use s3scope::testing::demo::archive::load_store;
use s3scope::testing::demo::fits_writer::{Column, bintable_header, image_header, primary_header, push_hdu};
use s3scope::testing::demo::store::{Content, Store, StoredObject};
use s3scope::testing::demo::{default_archive_dir, ensure_archive, start};

/// The bucket of the FITS header benchmarks.
#[path = "bench_catalog.rs"]
mod bench_catalog;
/// The objects of the download benchmarks.
#[path = "bench_get.rs"]
mod bench_get;

const FITS_BUCKET: &str = "bench-fits";

/// A WFC3/UVIS-like `_flt`: a 6-block primary header, then SCI / ERR / DQ
/// for two chips of 4096 x 2051 (168 MB). The data are sparse holes.
fn write_big_flt(path: &std::path::Path) -> std::io::Result<u64> {
    let mut file = std::fs::File::create(path)?;
    let mut primary = primary_header(16, &[]);
    primary.string("TELESCOP", "HST", "").string("INSTRUME", "WFC3", "").string("DETECTOR", "UVIS", "");
    while primary.card_count() < 190 {
        primary.history("calibration step of the HST pipeline");
    }
    file.write_all(&primary.to_bytes())?;
    for chip in 1..=2 {
        for (name, bitpix) in [("SCI", -32i64), ("ERR", -32), ("DQ", 16)] {
            let mut h = image_header(bitpix, &[4096, 2051], name);
            h.int("EXTVER", chip, "");
            file.write_all(&h.to_bytes())?;
            let data = 4096u64 * 2051 * (bitpix.unsigned_abs() / 8);
            let padded = data.div_ceil(2880) * 2880;
            file.seek(SeekFrom::Current(padded as i64))?;
        }
    }
    let size = file.stream_position()?;
    file.set_len(size)?;
    Ok(size)
}

/// A Chandra-like event list of 400,000 rows, gzip-compressed (about 8 MB).
fn big_events() -> Vec<u8> {
    let mut out = Vec::new();
    push_hdu(&mut out, &primary_header(8, &[]), &[]);
    let columns = [
        Column { name: "TIME", form: "1D", unit: "s" },
        Column { name: "X", form: "1E", unit: "pixel" },
        Column { name: "Y", form: "1E", unit: "pixel" },
        Column { name: "ENERGY", form: "1E", unit: "eV" },
    ];
    let rows = 400_000usize;
    let mut seed = 0x5eedu64;
    let mut data = Vec::with_capacity(rows * 20);
    for i in 0..rows {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        data.extend((2.1e8 + i as f64 * 0.07).to_be_bytes());
        data.extend(((seed >> 40) as f32 / 4096.0).to_be_bytes());
        data.extend(((seed >> 20 & 0xfffff) as f32 / 256.0).to_be_bytes());
        data.extend(((seed & 0xfffff) as f32).to_be_bytes());
    }
    push_hdu(&mut out, &bintable_header(&columns, rows, "EVENTS"), &data);
    push_hdu(&mut out, &bintable_header(&[Column { name: "START", form: "1D", unit: "s" }], 1, "GTI"), &[0; 8]);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&out).expect("memory");
    encoder.finish().expect("memory")
}

fn add_fits_bucket(store: &mut Store, dir: &std::path::Path) -> std::io::Result<()> {
    store.add_bucket(FITS_BUCKET, true);
    let catalog = dir.join("bench-catalog.parquet");
    let size = bench_catalog::write(&catalog)?;
    let etag = md5_of_file(&catalog)?;
    let object =
        StoredObject { size, etag, last_modified: 1_700_000_000, content: Content::File(catalog), crc64nvme: None };
    store.put(FITS_BUCKET, "catalogs/neowise-like-2M.parquet", object);
    let flt = dir.join("bench-flt.fits");
    let size = write_big_flt(&flt)?;
    let etag = md5_of_file(&flt)?;
    let object =
        StoredObject { size, etag, last_modified: 1_700_000_000, content: Content::File(flt), crc64nvme: None };
    store.put(FITS_BUCKET, "hst/iexo01a1q_flt.fits", object);
    store.put(FITS_BUCKET, "chandra/acisf99999N004_evt2.fits.gz", StoredObject::in_memory(big_events(), 1_700_000_000));
    // 1 GiB for the download benchmarks: a sparse file with a few marked blocks.
    let gib = dir.join("one-gib.bin");
    {
        let mut file = std::fs::File::create(&gib)?;
        for n in 0..16u64 {
            file.seek(SeekFrom::Start(n * (64 << 20)))?;
            file.write_all(format!("block {n}").as_bytes())?;
        }
        file.set_len(1 << 30)?;
    }
    // A new upload: S3 keeps its CRC-64/NVME beside the MD5 ETag.
    let (etag, crc64nvme) = (md5_of_file(&gib)?, Some(crc64nvme_of_file(&gib)?));
    let object =
        StoredObject { size: 1 << 30, etag, last_modified: 1_700_000_000, content: Content::File(gib), crc64nvme };
    store.put(FITS_BUCKET, "big/one-gib.bin", object);
    Ok(())
}

/// The per-connection cap of the `capped=` proxy: 4 MB/s.
const CAPPED_BYTES_PER_SECOND: u64 = 4_000_000;

/// The bucket of the recursive-listing benchmark.
const BENCH_BUCKET: &str = "bench-tree";

fn argument(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let rtt_ms: u64 = argument(&args, "--rtt-ms").map_or(Ok(30), |v| v.parse())?;
    let dir = argument(&args, "--archive-dir").map_or_else(default_archive_dir, PathBuf::from);
    ensure_archive(&dir)?;
    let mut store = load_store(&dir)?;
    store.add_bucket(BENCH_BUCKET, true);
    let payload = StoredObject::in_memory(vec![b'x'; 256], 1_700_000_000);
    for top in 0..10 {
        for mid in 0..20 {
            for n in 0..100 {
                let key = format!("survey-{top:02}/field-{mid:03}/obs-{n:04}.fits");
                store.put(BENCH_BUCKET, &key, payload.clone());
            }
        }
    }
    if args.iter().any(|a| a == "--million") {
        store.add_bucket("bench-million", true);
        let tiny = StoredObject::in_memory(vec![b'x'; 16], 1_700_000_000);
        for (prefix, count) in [("flat-10k", 10_000), ("flat-100k", 100_000), ("flat", 1_000_000)] {
            for n in 0..count {
                store.put("bench-million", &format!("{prefix}/tess2019199-s0014-{n:07}-s_lc.fits"), tiny.clone());
            }
        }
    }
    let scratch = std::env::temp_dir().join(format!("s3scope-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    add_fits_bucket(&mut store, &scratch)?;
    bench_get::add(&mut store, FITS_BUCKET, dir.parent().unwrap_or(&dir))?;
    let server = start(Arc::new(store), 0).await?;
    let rtt = Duration::from_millis(rtt_ms);
    let (proxy, _stats) = proxy::start_proxy(server.addr, rtt).await?;
    let (capped, _stats) = proxy::start_throttled_proxy(server.addr, rtt, Some(CAPPED_BYTES_PER_SECOND)).await?;
    println!("direct={} proxy=http://{proxy} capped=http://{capped}", server.endpoint());
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
