//! The demo archive and `s3scope demo --serve`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use s3scope::testing::demo::generate::{EDGE_BUCKET, PRIVATE_BUCKET, TESS_CUBE_KEY, TESS_FFI_COUNT, TESS_FFI_PREFIX};
use s3scope::testing::demo::store::{Content, StoredObject};

fn content(object: &StoredObject) -> Vec<u8> {
    match &object.content {
        Content::File(path) => std::fs::read(path).unwrap(),
        Content::Memory(bytes) => bytes.to_vec(),
    }
}

fn object(bucket: &str, key: &str) -> &'static StoredObject {
    fixture().store.get(bucket, key).unwrap_or_else(|| panic!("{bucket}/{key} missing"))
}

/// Byte offset just past the END card of the header starting at `start`.
fn header_end(data: &[u8], start: usize) -> Option<usize> {
    data[start..]
        .chunks(80)
        .position(|card| card.starts_with(b"END     ") || card == b"END")
        .map(|i| start + (i + 1) * 80)
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn archive_has_the_buckets_of_the_catalog_and_the_edge_cases() {
    let store = &fixture().store;
    for bucket in ["nasa-heasarc", "nasa-lambda", "stpubdata", "nasa-irsa-wise", "nasa-irsa-euclid-q1", EDGE_BUCKET] {
        assert!(store.buckets[bucket].public, "{bucket}");
        assert!(!store.buckets[bucket].objects.is_empty(), "{bucket}");
    }
    assert!(!store.buckets[PRIVATE_BUCKET].public);
    let chandra: Vec<String> = keys_below("nasa-heasarc", "chandra/data/byobsid/")
        .into_iter()
        .filter(|k| k.ends_with("_evt2.fits.gz"))
        .collect();
    assert_eq!(chandra.len(), 40);
    assert!(chandra.iter().any(|k| k == "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz"));
    assert_eq!(keys_below("stpubdata", TESS_FFI_PREFIX).len(), TESS_FFI_COUNT);
    const { assert!(TESS_FFI_COUNT >= 20_000) };
    let hst = keys_below("stpubdata", "hst/public/");
    assert_eq!(hst.iter().filter(|k| k.ends_with("_raw.fits")).count(), 20);
}

#[test]
fn fits_files_are_real_fits() {
    let raw_key = keys_below("stpubdata", "hst/public/").into_iter().find(|k| k.ends_with("_raw.fits")).unwrap();
    let raw = content(object("stpubdata", &raw_key));
    assert!(raw.starts_with(b"SIMPLE  =                    T"));
    assert_eq!(raw.len() % 2880, 0);
    let end = header_end(&raw, 0).unwrap();
    assert_eq!(end.div_ceil(2880), 6, "HST raw primary header spans six blocks");
    let text = String::from_utf8_lossy(&raw[..end]);
    for keyword in ["TELESCOP= 'HST", "INSTRUME", "DATE-OBS", "EXPTIME", "RA_TARG", "DEC_TARG", "CONTINUE  '"] {
        assert!(text.contains(keyword), "{keyword}");
    }
    let next = end.div_ceil(2880) * 2880;
    assert!(raw[next..].starts_with(b"XTENSION= 'IMAGE   '"));
    assert!(String::from_utf8_lossy(&raw[next..next + 2880]).contains("EXTNAME = 'SCI"));

    let evt =
        gunzip(&content(object("nasa-heasarc", "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz")));
    assert!(evt.starts_with(b"SIMPLE  ="));
    let second = header_end(&evt, 0).unwrap().div_ceil(2880) * 2880;
    let events = String::from_utf8_lossy(&evt[second..second + 2880]).into_owned();
    assert!(events.starts_with("XTENSION= 'BINTABLE'"));
    for column in ["'TIME", "'X ", "'Y ", "'ENERGY"] {
        assert!(events.contains(column), "{column}");
    }

    let euclid_key = keys_below("nasa-irsa-euclid-q1", "q1/VIS/")[0].clone();
    let euclid = String::from_utf8_lossy(&content(object("nasa-irsa-euclid-q1", &euclid_key))).into_owned();
    assert!(euclid.contains("HIERARCH ESO DET CHIP NAME = 'CCD-44'"));
    assert!(euclid.contains("ZIMAGE  =                    T") && euclid.contains("ZCMPTYPE= 'GZIP_1"));

    let lambda_keys = keys_below("nasa-lambda", "data/");
    let map_key = lambda_keys.iter().find(|k| k.ends_with(".fits")).unwrap();
    let map = String::from_utf8_lossy(&content(object("nasa-lambda", map_key))).into_owned();
    assert!(map.contains("PIXTYPE = 'HEALPIX") && map.contains("ORDERING= 'NESTED") && map.contains("NSIDE   ="));
}

#[test]
fn tess_cube_has_a_small_header_and_100_mb_of_sparse_data() {
    let cube = object("stpubdata", TESS_CUBE_KEY);
    assert!(cube.size > 100_000_000, "{}", cube.size);
    let Content::File(path) = &cube.content else { panic!("cube is on disk") };
    let mut head = vec![0u8; 3 * 2880];
    std::fs::File::open(path).unwrap().read_exact(&mut head).unwrap();
    let primary_end = header_end(&head, 0).unwrap().div_ceil(2880) * 2880;
    assert!(header_end(&head, primary_end).unwrap() <= 3 * 2880, "both headers in the first three blocks");
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let allocated = std::fs::metadata(path).unwrap().blocks() * 512;
        assert!(allocated < 10_000_000, "the data is a sparse hole, {allocated} bytes allocated");
    }
}

#[test]
fn edge_bucket_holds_the_keys_that_break_tools() {
    let keys = keys_below(EDGE_BUCKET, "");
    for wanted in
        ["../x", "a//b.txt", "dir/", "dir/inside.txt", "files/empty.dat", "files/truncated.fits", "files/not-fits.fits"]
    {
        assert!(keys.iter().any(|k| k == wanted), "{wanted}");
    }
    assert!(keys.iter().any(|k| k.contains('\x1b')));
    assert!(keys.iter().any(|k| k.contains('\u{202e}')));
    assert!(
        keys.iter().any(|k| k.contains(' '))
            && keys.iter().any(|k| k.contains('+'))
            && keys.iter().any(|k| k.contains('%'))
    );
    assert!(keys.iter().any(|k| k.len() > 1000 && k.len() <= 1024));
    assert_eq!(object(EDGE_BUCKET, "files/empty.dat").size, 0);
}

#[test]
fn generation_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("again");
    s3scope::testing::demo::ensure_archive(&again).unwrap();
    let regenerated = s3scope::testing::demo::archive::load_store(&again).unwrap();
    let original = &fixture().store;
    for (name, bucket) in &original.buckets {
        let other = &regenerated.buckets[name];
        assert_eq!(bucket.objects.len(), other.objects.len(), "{name}");
        for (key, object) in &bucket.objects {
            assert_eq!(object.etag, other.objects[key].etag, "{name}/{key}");
        }
    }
    assert!(!s3scope::testing::demo::ensure_archive(&again).unwrap(), "an existing archive is reused");
}

struct Serving {
    child: Child,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(archive: &std::path::Path) -> (Serving, String, String) {
    let mut child = s3scope()
        .args(["demo", "--serve", "--port", "0", "--archive-dir"])
        .arg(archive)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut endpoint = String::new();
    stdout.read_line(&mut endpoint).unwrap();
    let mut banner = String::new();
    for _ in 0..4 {
        stdout.read_line(&mut banner).unwrap();
    }
    (Serving { child }, endpoint.trim().to_string(), banner)
}

#[test]
fn demo_serve_prints_the_endpoint_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("demo");
    let (mut serving, endpoint, banner) = serve(&archive);
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    assert!(
        banner.contains(&format!("s3scope ls --endpoint-url {endpoint} --no-sign-request s3://nasa-heasarc/")),
        "{banner}"
    );
    assert!(banner.contains("just generated"));

    let output = s3scope().args(["--endpoint-url", &endpoint, "ls", "s3://nasa-heasarc/"]).output().unwrap();
    assert!(output.status.success(), "catalog buckets are read anonymously: {}", stderr(&output));
    assert!(stdout(&output).contains("PRE chandra/"));

    let pid = serving.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = serving.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "demo server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());

    // A second start reuses the archive.
    let (_serving, _endpoint, banner) = serve(&archive);
    assert!(!banner.contains("just generated"), "{banner}");
}
