//! The ASDF head over any bytes: the `#ASDF` lines, the tree's end, the
//! YAML tree with its tags, the block index and headers, the outline, the
//! JSON and the ndarray summaries; and the reader through small reads.
#![no_main]

#[path = "memory.rs"]
mod memory;

use libfuzzer_sys::fuzz_target;
use memory::Memory;
use s3scope::testing::asdf::read::{ReadLimits, read_asdf};
use s3scope::testing::asdf::{assemble, blocks, head, json, outline, summary};

fuzz_target!(|data: &[u8]| {
    let _ = head::tree_span(data, false);
    let _ = blocks::find_index(data);
    let _ = blocks::BlockHeader::parse(data);
    // The whole file as the head, its end as the tail.
    let cut = data.len() / 2;
    for (tail, at_eof) in [(Some((0u64, data)), true), (Some((cut as u64, &data[cut..])), false), (None, false)] {
        if let Ok(file) = assemble(data, at_eof, tail, data.len() as u64)
            && let Some(tree) = &file.tree
        {
            let lines = outline::outline(tree);
            let _ = outline::visible(&lines, |i| i % 3 == 0);
            let _ = lines.iter().map(outline::Line::text).count();
            let _ = serde_json::to_string(&json::TreeJson(tree));
            let _ = summary::summary(tree);
        }
    }
    // Through the reader, with reads small enough that every path is taken.
    let limits = ReadLimits { first: 256, cap: 4096, tail: 128, not_asdf: 64 };
    let _ = futures::executor::block_on(read_asdf(&mut Memory(data.to_vec()), Vec::new(), limits));
});
