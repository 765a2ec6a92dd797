//! Reading whole files: the scanner fed in pieces, the reader over an
//! in-memory range source, gzip, flawed and hostile input.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use futures::executor::block_on;

use super::card::Value;
use super::hdu::BLOCK;
use super::reader::{RangeSource, ReadError, ReadOptions, SourceError, read_headers};
use super::scanner::{ScanError, Scanner};
use super::source::{Also, AlsoRead, Each, StreamSource};
use crate::demo::fits_writer::{Column, Header, bintable_header, image_header, primary_header, push_hdu};

/// Bytes in memory, counting what is read.
pub(crate) struct Memory {
    data: Vec<u8>,
    pub(crate) reads: Vec<(u64, u64)>,
    /// Calls made: each would be one round trip over a network.
    pub(crate) round_trips: usize,
}

impl Memory {
    pub(crate) fn new(data: Vec<u8>) -> Self {
        Self { data, reads: Vec::new(), round_trips: 0 }
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.reads.iter().map(|r| r.1).sum()
    }
}

impl RangeSource for Memory {
    async fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, SourceError> {
        self.round_trips += 1;
        let start = (start as usize).min(self.data.len());
        let end = (start + len as usize).min(self.data.len());
        self.reads.push((start as u64, (end - start) as u64));
        Ok(self.data[start..end].to_vec())
    }

    async fn read_many(&mut self, ranges: &[(u64, u64)]) -> Vec<Result<Vec<u8>, SourceError>> {
        let mut out = Vec::new();
        for &(start, len) in ranges {
            out.push(self.read(start, len).await);
        }
        self.round_trips -= ranges.len().saturating_sub(1);
        out
    }

    async fn read_tail(&mut self, len: u64) -> Result<(u64, Vec<u8>), SourceError> {
        let start = (self.data.len() as u64).saturating_sub(len);
        Ok((start, self.read(start, len).await?))
    }

    fn size(&self) -> Option<u64> {
        Some(self.data.len() as u64)
    }
}

/// Bodies arrive in pieces of this many bytes.
const PIECE: usize = 1000;

impl StreamSource for Memory {
    async fn read_stream(
        &mut self,
        start: u64,
        len: Option<u64>,
        each: Each<'_>,
        also: Option<Also>,
    ) -> (Result<u64, SourceError>, AlsoRead) {
        self.round_trips += 1;
        let from = (start as usize).min(self.data.len());
        let end =
            len.map_or(self.data.len(), |len| (from as u64).saturating_add(len).min(self.data.len() as u64) as usize);
        let mut taken = from;
        while taken < end {
            let next = (taken + PIECE).min(end);
            let enough = each(&self.data[taken..next]);
            taken = next;
            if enough {
                break;
            }
        }
        self.reads.push((from as u64, (taken - from) as u64));
        // The second read shares the round trip.
        let second = match also {
            Some(Also::Range(at, n)) => Some(self.read(at, n).await.map(|bytes| (at, bytes))),
            Some(Also::Tail(n)) => Some(self.read_tail(n).await),
            None => None,
        };
        if second.is_some() {
            self.round_trips -= 1;
        }
        (Ok((taken - from) as u64), second)
    }
}

/// Primary with a 6-block header, then SCI / ERR / DQ images of `side`².
fn hst_like(side: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(16, &[]);
    primary.string("TELESCOP", "HST", "").string("INSTRUME", "WFC3", "");
    primary.string("TARGDESC", &"a long description ".repeat(10), "long string");
    primary.hierarch("ESO DET CHIP NAME", "'CCD-44'", "chip");
    while primary.card_count() < 200 {
        primary.history("calibration step");
    }
    push_hdu(&mut out, &primary, &[]);
    for (name, bitpix) in [("SCI", -32i64), ("ERR", -32), ("DQ", 16)] {
        let data = vec![7u8; side * side * (bitpix.unsigned_abs() as usize / 8)];
        push_hdu(&mut out, &image_header(bitpix, &[side, side], name), &data);
    }
    let columns = [Column { name: "TIME", form: "1D", unit: "s" }, Column { name: "FLUX", form: "1E", unit: "e-/s" }];
    push_hdu(&mut out, &bintable_header(&columns, 10, "RATE"), &[0u8; 120]);
    out
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn scan_all(data: &[u8], chunk: usize) -> Result<Scanner, ScanError> {
    let mut scanner = Scanner::new(super::scanner::Stop::AtEnd);
    for piece in data.chunks(chunk.max(1)) {
        scanner.feed(piece)?;
    }
    scanner.finish()?;
    Ok(scanner)
}

#[test]
fn walks_every_hdu_with_offsets() {
    let file = hst_like(64);
    let scanner = scan_all(&file, file.len()).unwrap();
    let hdus = &scanner.hdus;
    let kinds: Vec<(&str, &str)> = hdus.iter().map(|h| (h.kind.as_str(), h.name.as_str())).collect();
    assert_eq!(
        kinds,
        [("PRIMARY", "PRIMARY"), ("IMAGE", "SCI"), ("IMAGE", "ERR"), ("IMAGE", "DQ"), ("BINTABLE", "RATE")]
    );
    assert_eq!(hdus[0].header_start, 0);
    assert_eq!(hdus[0].data_start, 6 * BLOCK);
    assert_eq!(hdus[1].header_start, 6 * BLOCK);
    assert_eq!(hdus[1].data_size, 64 * 64 * 4);
    assert_eq!(hdus[2].header_start, hdus[1].next_start());
    assert_eq!(hdus[4].data_size, 120);
    assert_eq!(hdus[4].next_start(), file.len() as u64);
    assert!(scanner.warnings.is_empty(), "{:?}", scanner.warnings);
    let primary = &hdus[0].header;
    // Trailing blanks of a string are not significant.
    assert_eq!(primary.string("TARGDESC"), Some("a long description ".repeat(10).trim_end()));
    assert_eq!(primary.string("ESO DET CHIP NAME"), Some("CCD-44"));
}

#[test]
fn any_chunking_gives_the_same_hdus() {
    let file = hst_like(20);
    let whole = scan_all(&file, file.len()).unwrap().hdus;
    for chunk in [1, 79, 80, 81, 2879, 2880, 2881, 10_000] {
        assert_eq!(scan_all(&file, chunk).unwrap().hdus, whole, "chunk {chunk}");
    }
}

#[test]
fn range_reads_skip_the_data_and_cost_about_one_request_per_hdu() {
    let file = hst_like(512); // 1 MiB of data per float image
    let mut source = Memory::new(file.clone());
    let headers = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap();
    assert_eq!(headers.hdus.len(), 5);
    assert_eq!(headers.hdus, scan_all(&file, file.len()).unwrap().hdus);
    assert!(source.reads.len() <= headers.hdus.len() + 1, "{} reads: {:?}", source.reads.len(), source.reads);
    assert!(source.bytes_read() < 100_000, "{} bytes read of {}", source.bytes_read(), file.len());
}

#[test]
fn small_data_between_headers_is_read_through_in_one_request() {
    let file = hst_like(8);
    let mut source = Memory::new(file);
    let headers = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap();
    assert_eq!(headers.hdus.len(), 5);
    assert!(source.reads.len() <= 2, "{:?}", source.reads);
}

#[test]
fn last_hdu_stops_early() {
    let file = hst_like(512);
    let mut source = Memory::new(file);
    let options = ReadOptions { stop: super::scanner::Stop::After(1), ..ReadOptions::default() };
    let headers = block_on(read_headers(&mut source, false, options)).unwrap();
    assert_eq!(headers.hdus.len(), 2);
}

#[test]
fn gzip_files_are_inflated_as_far_as_needed() {
    let file = hst_like(64);
    let compressed = gzip(&file);
    let mut source = Memory::new(compressed);
    let options = ReadOptions { gzip_chunk: 4096, ..ReadOptions::default() };
    let headers = block_on(read_headers(&mut source, true, options)).unwrap();
    assert_eq!(headers.compression, super::inflate::Compression::Gzip);
    assert_eq!(headers.hdus, scan_all(&file, file.len()).unwrap().hdus, "offsets are in the inflated stream");
    assert!(headers.stopped.is_none());
}

#[test]
fn gzip_budget_stops_and_says_why() {
    // Incompressible data between the headers.
    let mut file = Vec::new();
    push_hdu(&mut file, &primary_header(8, &[]), &[]);
    let mut seed = crate::test_rng::Rng::new(7);
    let noise: Vec<u8> = (0..400_000).map(|_| rng(&mut seed) as u8).collect();
    push_hdu(&mut file, &image_header(8, &[400_000], "NOISE"), &noise);
    push_hdu(&mut file, &image_header(8, &[10], "AFTER"), &[1; 10]);
    let mut source = Memory::new(gzip(&file));
    let options = ReadOptions { gzip_budget: Some(100_000), gzip_chunk: 16_384, ..ReadOptions::default() };
    let headers = block_on(read_headers(&mut source, true, options)).unwrap();
    assert_eq!(headers.hdus.len(), 2, "the HDU after the noise was not reached");
    assert!(headers.stopped.unwrap().contains("budget"));
    assert!(source.bytes_read() <= 100_000, "the trailer's 8 bytes count in the budget");
}

#[test]
fn not_fits_is_a_clear_error() {
    let html = b"<html><body>404 Not Found</body></html>\n".repeat(100);
    let mut source = Memory::new(html.clone());
    let err = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap_err();
    assert!(matches!(&err, ReadError::Fits(ScanError::NotFits(why)) if why.contains("<html>")), "{err}");
    let mut gz = Memory::new(gzip(&html));
    assert!(matches!(
        block_on(read_headers(&mut gz, true, ReadOptions::default())),
        Err(ReadError::Fits(ScanError::NotFits(_)))
    ));
    let mut empty = Memory::new(Vec::new());
    let err = block_on(read_headers(&mut empty, false, ReadOptions::default())).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn truncated_files_read_with_warnings() {
    let file = hst_like(64);
    // Cut inside the data of the SCI extension.
    let scanner = scan_all(&file[..6 * 2880 + 2880 + 100], 1000).unwrap();
    assert_eq!(scanner.hdus.len(), 2);
    assert!(scanner.hdus[1].warnings.iter().any(|w| w.contains("truncated")), "{:?}", scanner.hdus[1].warnings);
    assert_eq!(scanner.truncated_header, None, "missing data is not a cut header");
    // Cut inside the primary header: the cards so far, and a warning.
    let scanner = scan_all(&file[..1000], 333).unwrap();
    assert_eq!(scanner.hdus.len(), 1);
    assert!(scanner.hdus[0].warnings.iter().any(|w| w.contains("no END")));
    assert_eq!(scanner.truncated_header.as_deref(), Some("HDU 0: the file ends in the header: no END card"));
    // Over range reads too.
    let mut source = Memory::new(file[..6 * 2880 + 2880 + 100].to_vec());
    let headers = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap();
    assert!(headers.hdus[1].warnings.iter().any(|w| w.contains("truncated")));
    assert_eq!(headers.truncated_header, None);
}

#[test]
fn a_file_that_ends_in_a_header_says_which() {
    let file = hst_like(64);
    assert_eq!(scan_all(&file, 4096).unwrap().truncated_header, None);
    let err_header = scan_all(&file, 4096).unwrap().hdus[2].header_start as usize;
    // Inside the ERR extension's cards.
    let cut = &file[..err_header + 500];
    let scanner = scan_all(cut, 700).unwrap();
    assert_eq!(scanner.hdus.len(), 3);
    assert_eq!(scanner.hdus[2].kind, "IMAGE");
    assert_eq!(scanner.truncated_header.as_deref(), Some("HDU 2: the file ends in the header: no END card"));
    let mut source = Memory::new(cut.to_vec());
    let headers = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap();
    assert_eq!(headers.truncated_header, scanner.truncated_header);
    // Inside its first card: no HDU, but still a cut header.
    let scanner = scan_all(&file[..err_header + 40], 4096).unwrap();
    assert_eq!(scanner.hdus.len(), 2);
    assert_eq!(scanner.truncated_header.as_deref(), Some("the file ends 40 bytes into the header of HDU 2"));
    assert!(scanner.warnings.contains(scanner.truncated_header.as_ref().unwrap()));
    let scanner = scan_all(&file[..40], 4096).unwrap();
    assert_eq!(scanner.truncated_header.as_deref(), Some("the file ends 40 bytes into the header of HDU 0"));
    // Bytes after the last HDU that start no extension are not a header.
    let mut trailing = file.clone();
    trailing.extend(b"garbage");
    assert_eq!(scan_all(&trailing, 4096).unwrap().truncated_header, None);
    // A gzip stream cut in a header.
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(cut).unwrap();
    let mut source = Memory::new(gz.finish().unwrap());
    let headers = block_on(read_headers(&mut source, true, ReadOptions::default())).unwrap();
    assert_eq!(headers.truncated_header.as_deref(), Some("HDU 2: the file ends in the header: no END card"));
}

#[test]
fn trailing_zeros_after_the_last_hdu_are_a_warning() {
    let mut file = hst_like(8);
    file.extend(vec![0u8; 2 * 2880]);
    let scanner = scan_all(&file, 4096).unwrap();
    assert_eq!(scanner.hdus.len(), 5);
    assert!(scanner.warnings.iter().any(|w| w.contains("after the last HDU")));
}

#[test]
fn corrupt_geometry_is_an_error() {
    let mut header = Header::new();
    header.logical("SIMPLE", true, "").int("NAXIS", 0, "");
    let mut file = Vec::new();
    push_hdu(&mut file, &header, &[]);
    assert!(matches!(scan_all(&file, 2880), Err(ScanError::Corrupt(why)) if why.contains("BITPIX")));
}

#[test]
fn values_survive_the_walk() {
    let scanner = scan_all(&hst_like(8), 1 << 20).unwrap();
    assert_eq!(scanner.hdus[1].header.get("NAXIS1"), Some(&Value::Integer(8)));
    assert_eq!(scanner.hdus[1].header.string("EXTNAME"), Some("SCI"));
}

/// The next number of the shared reproducible generator.
fn rng(seed: &mut crate::test_rng::Rng) -> u64 {
    seed.next()
}

#[test]
fn random_and_mutated_bytes_never_panic() {
    let valid = hst_like(8);
    let compressed = gzip(&valid);
    let mut seed = crate::test_rng::Rng::new(42);
    for round in 0..600 {
        let base = if round % 3 == 0 { &compressed } else { &valid };
        let mut data = base.clone();
        match round % 4 {
            0 => {
                let len = (rng(&mut seed) % 20_000) as usize;
                data = (0..len).map(|_| rng(&mut seed) as u8).collect();
                if round % 8 == 0 && data.len() > 10 {
                    data[..10].copy_from_slice(b"SIMPLE  = ");
                }
            }
            1 => data.truncate((rng(&mut seed) % data.len() as u64) as usize),
            _ => {
                for _ in 0..1 + rng(&mut seed) % 20 {
                    let at = (rng(&mut seed) % data.len() as u64) as usize;
                    data[at] = match rng(&mut seed) % 4 {
                        0 => b'=',
                        1 => b'\'',
                        2 => b'9',
                        _ => rng(&mut seed) as u8,
                    };
                }
            }
        }
        let chunk = 1 + (rng(&mut seed) % 5000) as usize;
        let _ = scan_all(&data, chunk);
        let mut source = Memory::new(data);
        let options = ReadOptions { gzip_chunk: 1024, gzip_budget: Some(200_000), ..ReadOptions::default() };
        let _ = block_on(read_headers(&mut source, round % 2 == 0, options));
    }
}

/// A WFC3-like file: a primary, then SCI / ERR / DQ for two chips with
/// large data between the headers.
fn two_chips() -> Vec<u8> {
    let mut out = Vec::new();
    push_hdu(&mut out, &primary_header(16, &[]), &[]);
    for _ in 0..2 {
        for (name, bitpix) in [("SCI", -32i64), ("ERR", -32), ("DQ", 16)] {
            let data = vec![1u8; 300 * 300 * (bitpix.unsigned_abs() as usize / 8)];
            push_hdu(&mut out, &image_header(bitpix, &[300, 300], name), &data);
        }
    }
    out
}

#[test]
fn repeating_extensions_are_read_ahead_in_fewer_round_trips() {
    let file = two_chips();
    let reference = scan_all(&file, file.len()).unwrap().hdus;
    let mut plain = Memory::new(file.clone());
    let options = ReadOptions { speculate: false, ..ReadOptions::default() };
    assert_eq!(block_on(read_headers(&mut plain, false, options)).unwrap().hdus, reference);
    let mut ahead = Memory::new(file);
    let headers = block_on(read_headers(&mut ahead, false, ReadOptions::default())).unwrap();
    assert_eq!(headers.hdus, reference, "reading ahead changes nothing in the result");
    assert_eq!(plain.round_trips, 6);
    assert!(ahead.round_trips <= 3, "{} round trips: {:?}", ahead.round_trips, ahead.reads);
    assert!(ahead.reads.len() <= reference.len() + 1, "{} requests", ahead.reads.len());
    assert!(ahead.bytes_read() < 150_000, "{} bytes", ahead.bytes_read());
}
