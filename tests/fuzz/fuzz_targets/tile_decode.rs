//! A compressed image from any header and bytes: the first two bytes count
//! the header's cards, then come the cards, then the table and heap. Every
//! tile is an error or its shape's worth of values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3scope::testing::fits::header::parse_header;
use s3scope::testing::fits::tile::CompressedImage;

fuzz_target!(|data: &[u8]| {
    let [hi, lo, rest @ ..] = data else { return };
    let cards = usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len() / 80);
    let (header, body) = rest.split_at(cards * 80);
    let Ok(image) = CompressedImage::from_header(&parse_header(header, cards)) else { return };
    let slice = |start: u64, len: u64| {
        let start = usize::try_from(start).ok()?;
        body.get(start..start.checked_add(usize::try_from(len).ok()?)?)
    };
    for tile in 0..image.rows.min(64) {
        let (at, len) = image.tile_row_range(tile);
        let Some(row) = slice(at, len) else { continue };
        let Ok(ranges) = image.heap_ranges(row) else { continue };
        let Some(heap) = ranges.iter().map(|&(s, l)| slice(s, l).map(<[u8]>::to_vec)).collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        if let Ok(decoded) = image.decode_tile(tile, row, &heap) {
            assert_eq!(decoded.values.len() as u64, decoded.shape.iter().product::<u64>());
        }
    }
    let _ = image.tiles_for_rows(&[0, 1, u64::MAX], &[0, 3]);
});
