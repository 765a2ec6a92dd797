//! The data readers over any bytes: the rows of every table HDU (the row
//! decoder, heap arrays included) and a sampled plane of every image HDU
//! (tile-compressed ones included), through an in-memory range source.
#![no_main]

#[path = "memory.rs"]
mod memory;

use futures::executor::block_on;
use libfuzzer_sys::fuzz_target;
use memory::Memory;
use s3scope::testing::fits::image::read::{ImageData, read_samples};
use s3scope::testing::fits::image::sample::Grid;
use s3scope::testing::fits::reader::{ReadOptions, read_headers};
use s3scope::testing::fits::stream::StreamOptions;
use s3scope::testing::fits::table::Table;
use s3scope::testing::fits::table::read::read_rows;

fuzz_target!(|data: &[u8]| {
    let mut source = Memory(data.to_vec());
    let options = ReadOptions { first_read: 2880, speculate: false, ..ReadOptions::default() };
    let Ok(headers) = block_on(read_headers(&mut source, false, options)) else { return };
    for hdu in headers.hdus.iter().take(8) {
        if let Ok(table) = Table::from_hdu(hdu) {
            let columns: Vec<usize> = (0..table.columns.len()).collect();
            let _ = block_on(read_rows(&mut source, hdu, &table, 0..64, &columns, StreamOptions::new(false)));
        }
        if let Ok(image) = ImageData::from_hdu(hdu)
            && let Ok(grid) = Grid::new(image.axes(), 16, 16, 0)
        {
            let _ = block_on(read_samples(&mut source, hdu, &image, &grid, StreamOptions::new(false)));
        }
    }
});
