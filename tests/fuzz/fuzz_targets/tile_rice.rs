//! RICE_1 decoding of any bytes: an error or exactly the pixels asked for,
//! which encode and decode back to themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3scope::testing::fits::tile::rice::{decode, encode};

fuzz_target!(|data: &[u8]| {
    let [selector, block, hi, lo, stream @ ..] = data else { return };
    let bytepix = [1, 2, 4][usize::from(*selector) % 3];
    let blocksize = usize::from(*block % 64) + 1;
    let count = usize::from(u16::from_be_bytes([*hi, *lo]));
    if let Ok(values) = decode(stream, bytepix, blocksize, count) {
        assert_eq!(values.len(), count);
        let again = encode(&values, bytepix, blocksize).unwrap();
        assert_eq!(decode(&again, bytepix, blocksize, count).unwrap(), values);
    }
});
