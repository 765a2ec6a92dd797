//! HCOMPRESS_1 decoding of any bytes: an error or the pixels asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3scope::testing::fits::tile::hcompress::decode;

fuzz_target!(|data: &[u8]| {
    let [hi, lo, stream @ ..] = data else { return };
    let count = usize::from(u16::from_be_bytes([*hi, *lo]) & 0x7FFF);
    let smooth = *hi & 0x80 != 0;
    if let Ok((values, rows, cols)) = decode(stream, count, smooth) {
        assert_eq!(values.len(), count);
        assert_eq!(rows * cols, count);
    }
});
