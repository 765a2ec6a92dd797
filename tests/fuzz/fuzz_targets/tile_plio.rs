//! PLIO_1 line lists of any words: an error or the pixels asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3scope::testing::fits::tile::plio::{decode, encode};

fuzz_target!(|data: &[u8]| {
    let [hi, lo, stream @ ..] = data else { return };
    let count = usize::from(u16::from_be_bytes([*hi, *lo]));
    let words: Vec<i16> = stream.chunks_exact(2).map(|w| i16::from_be_bytes([w[0], w[1]])).collect();
    if let Ok(values) = decode(&words, count) {
        assert_eq!(values.len(), count);
        if let Ok(list) = encode(&values) {
            assert_eq!(decode(&list, count).unwrap(), values);
        }
    }
});
