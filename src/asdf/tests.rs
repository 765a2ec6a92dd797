//! Whole files through the reader over bytes in memory: request counts,
//! bytes read, big trees, trees that never end, lying indexes.

use futures::executor::block_on;

use super::blocks::INDEX_MARKER;
use super::read::{Outcome, ReadError, ReadLimits, read_asdf};
use super::*;
use crate::fits::tests::Memory;

/// A small ASDF file: a tree padded to `tree_bytes`, three blocks, an index.
pub(crate) fn sample(tree_bytes: usize, index: bool) -> Vec<u8> {
    sample_with(tree_bytes, index, 4096)
}

/// [`sample`] with blocks of `block_len` bytes of data.
pub(crate) fn sample_with(tree_bytes: usize, index: bool, block_len: usize) -> Vec<u8> {
    let mut yaml = String::from(
        "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n\
         data: !core/ndarray-1.0.0 {source: 0, datatype: float32, byteorder: little, shape: [8, 8]}\n\
         dq: !core/ndarray-1.0.0 {source: 1, datatype: uint32, byteorder: little, shape: [8, 8]}\n\
         err: !core/ndarray-1.0.0 {source: 2, datatype: float32, byteorder: little, shape: [8, 8]}\nhistory:\n",
    );
    while yaml.len() < tree_bytes {
        yaml.push_str("- a line of history to make the tree larger than it would be\n");
    }
    yaml.push_str("...\n");
    let mut file = yaml.into_bytes();
    let mut offsets = Vec::new();
    for n in 0..3u8 {
        offsets.push(file.len());
        file.extend(blocks::tests::block(&vec![n; block_len]));
    }
    if index {
        file.extend(INDEX_MARKER);
        file.extend(b"\n%YAML 1.1\n---\n");
        for offset in offsets {
            file.extend(format!("- {offset}\n").bytes());
        }
        file.extend(b"...\n");
    }
    file
}

fn read(file: Vec<u8>, limits: ReadLimits) -> (Result<Outcome, ReadError>, Memory) {
    let mut memory = Memory::new(file);
    let outcome = block_on(read_asdf(&mut memory, Vec::new(), limits));
    (outcome, memory)
}

fn asdf(outcome: Result<Outcome, ReadError>) -> AsdfFile {
    match outcome {
        Ok(Outcome::Asdf(file)) => file,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_small_tree_costs_two_reads_and_little() {
    let file = sample(3000, true);
    let (outcome, memory) = read(file.clone(), ReadLimits { tail: 1024, ..ReadLimits::default() });
    let found = asdf(outcome);
    assert_eq!(memory.round_trips, 1, "head and tail at once");
    assert!(memory.bytes_read() < file.len() as u64 / 2, "{} of {}", memory.bytes_read(), file.len());
    assert_eq!(found.versions.standard.as_deref(), Some("1.5.0"));
    assert_eq!(found.blocks.len(), 3);
    assert!(found.blocks.iter().all(|b| b.size == 6 + 48 + 4096), "{:?}", found.blocks);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let data = found.tree.as_ref().unwrap().get("data").unwrap();
    assert_eq!(summary::summary(data).unwrap(), "ndarray 8x8 float32, block 0");
}

#[test]
fn a_big_tree_is_read_in_growing_steps() {
    let file = sample(300_000, true);
    let limits = ReadLimits { first: 64 << 10, ..ReadLimits::default() };
    let (outcome, memory) = read(file, limits);
    let found = asdf(outcome);
    assert_eq!(memory.reads.len(), 4, "64 KiB, then 256 KiB, then to 1 MiB, and the tail: {:?}", memory.reads);
    assert_eq!(found.blocks.len(), 3);
    assert!(memory.bytes_read() <= found.tree_end + 8192 + 1000, "{}", memory.bytes_read());
}

#[test]
fn a_tree_that_never_ends_is_an_error() {
    let mut endless = sample(3000, false);
    let cut = find(&endless, b"\n...\n").unwrap();
    endless.truncate(cut + 1);
    endless.extend(b"more: 1\n".repeat(100));
    let (outcome, _) = read(endless.clone(), ReadLimits::default());
    let error = outcome.unwrap_err().to_string();
    assert!(error.contains("no '...' line before the end of the file"), "{error}");
    // Longer than the cap: stops there.
    let limits = ReadLimits { first: 1024, cap: 2048, tail: 512, ..ReadLimits::default() };
    let (outcome, memory) = read(endless, limits);
    assert!(outcome.unwrap_err().to_string().contains("in the first 2048 bytes"));
    assert!(memory.bytes_read() <= 2048 + 16384);
}

#[test]
fn other_files_and_bad_trees() {
    let (outcome, memory) = read(vec![b'x'; 100_000], ReadLimits::default());
    let Ok(Outcome::NotAsdf(head)) = outcome else { panic!() };
    assert!(head.len() <= 5000 && memory.round_trips == 1);
    assert!(matches!(read(Vec::new(), ReadLimits::default()).0, Ok(Outcome::NotAsdf(_))));
    let bad = b"#ASDF 1.0.0\n%YAML 1.1\n---\na: [1, 2\nb: }\n...\n".to_vec();
    assert!(matches!(read(bad, ReadLimits::default()).0, Err(ReadError::Asdf(AsdfError::Malformed(_)))));
    let binary = b"#ASDF 1.0.0\n---\na: \xff\xfe\n...\n".to_vec();
    assert!(read(binary, ReadLimits::default()).0.unwrap_err().to_string().contains("UTF-8"));
}

#[test]
fn without_an_index_blocks_are_walked() {
    let (outcome, memory) = read(sample_with(3000, false, 100), ReadLimits::default());
    let found = asdf(outcome);
    assert_eq!(found.blocks.len(), 3, "a small file is read whole");
    assert_eq!(memory.round_trips, 1);
    // A larger one: the first block's header came with the head, then the walk stops.
    let found = asdf(read(sample(3000, false), ReadLimits::default()).0);
    assert_eq!(found.blocks.len(), 1, "{:?}", found.blocks);
    assert!(found.warnings[0].contains("more blocks may follow"), "{:?}", found.warnings);
}

#[test]
fn a_lying_index_is_a_warning() {
    let file = sample(3000, true);
    let at = file.windows(3).rposition(|w| w == b"\n- ").unwrap() + 1;
    let mut lying = file[..at].to_vec();
    lying.extend(b"- 17\n...\n");
    let found = asdf(read(lying, ReadLimits { tail: 1024, ..ReadLimits::default() }).0);
    assert!(found.warnings.iter().any(|w| w.contains("the block index is wrong")), "{:?}", found.warnings);
}

#[test]
fn assemble_never_panics_on_cut_files() {
    let file = sample_with(1000, true, 10);
    for cut in 0..file.len() {
        let _ = assemble(&file[..cut], true, Some((0, &file[..cut])), cut as u64);
        let _ = assemble(&file[..cut], false, None, file.len() as u64);
    }
}
