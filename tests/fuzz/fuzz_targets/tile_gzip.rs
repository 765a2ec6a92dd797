//! GZIP_1/GZIP_2 tiles: inflating any bytes under a limit, and the byte
//! shuffle undone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3scope::testing::fits::tile::gzip::{inflate, shuffle, unshuffle};

fuzz_target!(|data: &[u8]| {
    let [selector, stream @ ..] = data else { return };
    let width = [1, 2, 4, 8][usize::from(*selector) % 4];
    if let Ok(raw) = inflate(stream, 1 << 16) {
        assert!(raw.len() <= 1 << 16);
        assert_eq!(shuffle(&unshuffle(&raw, width), width), raw);
    }
    assert_eq!(unshuffle(&shuffle(stream, width), width), stream);
});
