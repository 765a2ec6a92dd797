//! The Parquet footer reader over any bytes: as a whole file (the footer
//! found from the end, described, and the first rows of every column
//! decoded through an in-memory range source) and as footer bytes alone.
#![no_main]

#[path = "memory.rs"]
mod memory;

use futures::executor::block_on;
use libfuzzer_sys::fuzz_target;
use memory::Memory;
use s3scope::testing::columnar::describe::describe;
use s3scope::testing::columnar::footer::{decode, read_footer};
use s3scope::testing::columnar::rows::{column_names, read_rows};

fuzz_target!(|data: &[u8]| {
    let mut source = Memory(data.to_vec());
    if let Ok(footer) = block_on(read_footer(&mut source)) {
        let _ = describe(&footer.metadata, None);
        let roots: Vec<usize> = (0..column_names(&footer.metadata).len()).collect();
        let _ = block_on(read_rows(&mut source, &footer, 0..50, &roots));
    }
    if let Ok(metadata) = decode(data) {
        let _ = describe(&metadata, None);
    }
});
