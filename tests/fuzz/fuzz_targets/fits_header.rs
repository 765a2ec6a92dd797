//! The header reader over any bytes: plain FITS, or gzip (inflated with a
//! budget), through an in-memory range source.
#![no_main]

#[path = "memory.rs"]
mod memory;

use libfuzzer_sys::fuzz_target;
use memory::Memory;
use s3scope::testing::fits::reader::{ReadOptions, read_headers};
use s3scope::testing::fits::scanner::Scanner;

fuzz_target!(|data: &[u8]| {
    // The whole stream at once, as the scanner sees it.
    let mut scanner = Scanner::new(s3scope::testing::fits::scanner::Stop::AtEnd);
    if scanner.feed(data).is_ok() {
        let _ = scanner.finish_at(data.len() as u64);
    }
    // Through the reader, with small reads so that every path is taken.
    let options =
        ReadOptions { gzip_budget: Some(1 << 20), first_read: 2880, gzip_chunk: 4096, ..ReadOptions::default() };
    let gzip_hint = data.first().is_some_and(|b| b & 1 == 1);
    let mut source = Memory(data.to_vec());
    if let Ok(headers) = futures::executor::block_on(read_headers(&mut source, gzip_hint, options)) {
        for hdu in &headers.hdus {
            let _ = s3scope::testing::fits::summary::describe(hdu);
        }
    }
});
