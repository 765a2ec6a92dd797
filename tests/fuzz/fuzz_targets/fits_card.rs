//! One card, and a header of cards, from any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3scope::testing::fits::card::{card_text, parse_card};
use s3scope::testing::fits::header::{find_end, parse_header};

fuzz_target!(|data: &[u8]| {
    let card = parse_card(data);
    let _ = format!("{card:?}");
    let _ = card_text(data);
    let end = find_end(data);
    if let Some(end) = end {
        assert!(end <= data.len());
    }
    let header = parse_header(data, data.len() / 80);
    let _ = header.get("NAXIS");
    let _ = header.int("BITPIX");
    let _ = header.string("XTENSION");
});
