//! The headers of gzip files over the in-memory source: the trailer ends
//! the walk early, one streamed read otherwise, several members, broken,
//! lying and short files. Requests and bytes are counted.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use futures::executor::block_on;

use super::reader::{FitsHeaders, ReadError, ReadOptions, read_headers};
use super::scanner::{ScanError, Scanner};
use super::tests::{Memory, gzip};
use crate::demo::fits_writer::{Column, bintable_header, image_header, primary_header, push_hdu};

/// A primary, a small table, then an image of `data_len` bytes of noise.
fn big_data_last(data_len: usize) -> Vec<u8> {
    let mut file = Vec::new();
    push_hdu(&mut file, &primary_header(8, &[]), &[]);
    let columns = [Column { name: "TIME", form: "1D", unit: "s" }];
    push_hdu(&mut file, &bintable_header(&columns, 10, "EVENTS"), &[0u8; 80]);
    push_hdu(&mut file, &image_header(8, &[data_len], "SCI"), &noise(data_len, 3));
    file
}

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = crate::test_rng::Rng::new(seed);
    (0..len).map(|_| rng.next() as u8).collect()
}

/// `data` gzipped with stored blocks only: as large as the data, and fast.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::none());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn all_hdus(file: &[u8]) -> Vec<super::hdu::Hdu> {
    let mut scanner = Scanner::default();
    scanner.feed(file).unwrap();
    scanner.finish().unwrap();
    scanner.hdus
}

fn read(source: &mut Memory, gzip_hint: bool) -> Result<FitsHeaders, ReadError> {
    block_on(read_headers(source, gzip_hint, ReadOptions::default()))
}

#[test]
fn big_data_last_ends_at_the_trailer_in_one_round_trip() {
    // 24 MB stored, and 3 MB of noise deflated.
    for (file, compressed) in [big_data_last(24 << 20), big_data_last(3 << 20)]
        .into_iter()
        .enumerate()
        .map(|(i, file)| if i == 0 { (file.clone(), gzip_stored(&file)) } else { (file.clone(), gzip(&file)) })
    {
        let mut source = Memory::new(compressed.clone());
        let headers = read(&mut source, true).unwrap();
        assert_eq!(headers.hdus, all_hdus(&file));
        assert!(headers.stopped.is_none() && headers.warnings.is_empty(), "{headers:?}");
        assert_eq!(source.round_trips, 1, "the first bytes and the trailer at once: {:?}", source.reads);
        assert_eq!(source.reads.len(), 2, "{:?}", source.reads);
        assert!(source.bytes_read() <= 64 * 1024 + 8, "{} of {}", source.bytes_read(), compressed.len());
        // Without the name's hint, the trailer costs a round trip of its own.
        let compressed_len = compressed.len();
        let mut unhinted = Memory::new(compressed);
        assert_eq!(read(&mut unhinted, false).unwrap().hdus, all_hdus(&file));
        assert!(unhinted.reads.len() <= 3 && unhinted.bytes_read() <= 1 << 20, "{:?}", unhinted.reads);
        eprintln!("{} compressed bytes: {:?}, unhinted {:?}", compressed_len, source.reads, unhinted.reads);
    }
}

#[test]
fn data_between_headers_is_inflated_in_one_streamed_read() {
    let mut file = big_data_last(2 << 20);
    push_hdu(&mut file, &image_header(8, &[100], "AFTER"), &[5; 100]);
    let compressed = gzip(&file);
    let mut source = Memory::new(compressed.clone());
    let headers = read(&mut source, true).unwrap();
    assert_eq!(headers.hdus, all_hdus(&file));
    assert!(headers.warnings.is_empty(), "{:?}", headers.warnings);
    assert_eq!(source.reads.len(), 3, "first + trailer, then one stream: {:?}", source.reads);
    assert_eq!(source.round_trips, 2);
    assert!(source.bytes_read() <= compressed.len() as u64 + 8);
    eprintln!("{} compressed bytes: {:?}", compressed.len(), source.reads);
}

#[test]
fn several_members_give_every_hdu_even_when_the_last_size_matches_an_earlier_end() {
    // a: primary + A (ends at 5760 + 28800); b: B whose whole size is the same.
    let mut a = Vec::new();
    push_hdu(&mut a, &primary_header(8, &[]), &[]);
    push_hdu(&mut a, &image_header(8, &[28_800], "A"), &noise(28_800, 1));
    let mut b = Vec::new();
    push_hdu(&mut b, &image_header(8, &[28_800 + 2880], "B"), &noise(28_800 + 2880, 2));
    assert_eq!(a.len(), b.len(), "the coincidence: b's ISIZE is where A's data ends");
    let mut c = Vec::new();
    push_hdu(&mut c, &image_header(8, &[10], "C"), &[3; 10]);
    let whole = [a.clone(), b.clone(), c.clone()].concat();
    for members in [vec![&a, &b], vec![&a, &b, &c], vec![&a, &c]] {
        let file: Vec<u8> = members.iter().flat_map(|m| m.to_vec()).collect();
        let cat: Vec<u8> = members.iter().flat_map(|m| gzip(m)).collect();
        let mut source = Memory::new(cat);
        let headers = read(&mut source, true).unwrap();
        assert_eq!(headers.hdus, all_hdus(&file), "{} members", members.len());
        assert!(headers.warnings.is_empty(), "{:?}", headers.warnings);
        assert!(source.reads.len() <= 3);
    }
    assert_eq!(all_hdus(&whole).len(), 4);
    // Members split inside an HDU (as bgzip does): the first has ended when
    // A's end, which the last member's size matches, is reached; so the
    // trailer is not believed.
    let file = [a.clone(), c.clone()].concat();
    let split = file.len() - a.len();
    let cat = [gzip(&file[..split]), gzip(&file[split..])].concat();
    let options = ReadOptions { gzip_chunk: 8192, ..ReadOptions::default() };
    let mut source = Memory::new(cat);
    let headers = block_on(read_headers(&mut source, true, options)).unwrap();
    assert_eq!(headers.hdus, all_hdus(&file), "C is found");
    assert_eq!(source.reads.len(), 3, "{:?}", source.reads);
    // The coincidence the reader cannot see (documented in
    // `reader::compressed`): a first read that ends inside member a, so no
    // member has ended yet when A's end matches b's ISIZE; B is missed.
    let cat = [gzip(&a), gzip(&b)].concat();
    let options = ReadOptions { gzip_chunk: 4096, ..ReadOptions::default() };
    let headers = block_on(read_headers(&mut Memory::new(cat), true, options)).unwrap();
    assert_eq!(headers.hdus.len(), 2, "the known blind spot");
}

#[test]
fn a_truncated_gzip_warns_and_keeps_what_it_read() {
    let file = big_data_last(200_000);
    let compressed = gzip(&file);
    let mut source = Memory::new(compressed[..compressed.len() * 2 / 3].to_vec());
    let headers = read(&mut source, true).unwrap();
    assert_eq!(headers.hdus.len(), 3);
    assert!(headers.warnings.iter().any(|w| w.contains("does not end cleanly")), "{:?}", headers.warnings);
}

#[test]
fn a_lying_trailer_is_inflated_through_and_said() {
    let mut file = big_data_last(100_000);
    push_hdu(&mut file, &image_header(8, &[100], "AFTER"), &[5; 100]);
    let mut compressed = gzip(&file);
    let at = compressed.len() - 4;
    compressed[at..].copy_from_slice(&123_456u32.to_le_bytes());
    let mut source = Memory::new(compressed.clone());
    let headers = read(&mut source, true).unwrap();
    assert_eq!(headers.hdus, all_hdus(&file), "a size no HDU ends at stops nothing");
    assert!(headers.warnings.iter().any(|w| w.contains("does not end cleanly")), "{:?}", headers.warnings);
    // A trailer that lies exactly where an HDU ends is believed (documented).
    let sci_end = all_hdus(&file)[2].next_start() as u32;
    compressed[at..].copy_from_slice(&sci_end.to_le_bytes());
    let headers = read(&mut Memory::new(compressed), true).unwrap();
    assert_eq!(headers.hdus.len(), 3, "AFTER is missed");
}

#[test]
fn empty_and_short_objects_are_clear_errors() {
    let gz = gzip(&big_data_last(1000));
    for (bytes, hint) in [(vec![], true), (vec![0x1f], true), (gz[..10].to_vec(), true), (gz[..10].to_vec(), false)] {
        let err = read(&mut Memory::new(bytes.clone()), hint).unwrap_err();
        assert!(matches!(err, ReadError::Fits(ScanError::NotFits(_))), "{} bytes: {err}", bytes.len());
    }
    let err = read(&mut Memory::new(gz[..30].to_vec()), true).unwrap_err();
    assert!(err.to_string().contains("gzip stream is broken"), "{err}");
}
