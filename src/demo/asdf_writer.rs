//! A small ASDF writer for the demo archive: the `#ASDF` lines, a YAML tree
//! given as text, uncompressed blocks (with their MD5 checksums) and the
//! block index at the end, as the ASDF standard 1.5.0 lays a file out.

use md5::{Digest, Md5};

use crate::asdf::blocks::INDEX_MARKER;
use crate::asdf::head::BLOCK_MAGIC;

/// The lines before the tree; the tree's own lines follow `--- !core/asdf-1.1.0`.
pub const PREAMBLE: &str =
    "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n";

/// One block: magic, a 48-byte header, the data.
pub fn block(data: &[u8]) -> Vec<u8> {
    let mut out = BLOCK_MAGIC.to_vec();
    out.extend(48u16.to_be_bytes());
    out.extend(0u32.to_be_bytes()); // flags
    out.extend([0u8; 4]); // no compression
    let len = data.len() as u64;
    for size in [len, len, len] {
        out.extend(size.to_be_bytes()); // allocated, used, data
    }
    out.extend(Md5::digest(data));
    out.extend(data);
    out
}

/// A whole file: `tree` (the mapping below the root tag, as YAML lines),
/// then `blocks`, then the block index when `index` is set.
pub fn asdf_file(tree: &str, blocks: &[Vec<u8>], index: bool) -> Vec<u8> {
    let mut out = PREAMBLE.as_bytes().to_vec();
    out.extend(tree.as_bytes());
    if !tree.ends_with('\n') {
        out.push(b'\n');
    }
    out.extend(b"...\n");
    let mut offsets = Vec::new();
    for data in blocks {
        offsets.push(out.len());
        out.extend(block(data));
    }
    if index && !offsets.is_empty() {
        out.extend(INDEX_MARKER);
        out.extend(b"\n%YAML 1.1\n---\n");
        for offset in offsets {
            out.extend(format!("- {offset}\n").bytes());
        }
        out.extend(b"...\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asdf::assemble;

    #[test]
    fn our_files_read_back() {
        let tree = "data: !core/ndarray-1.0.0 {source: 0, datatype: uint8, byteorder: little, shape: [3]}\n";
        let file = asdf_file(tree, &[vec![1, 2, 3], vec![4; 10]], true);
        let found = assemble(&file, true, Some((0, &file)), file.len() as u64).unwrap();
        assert_eq!(found.blocks.len(), 2);
        assert_eq!(found.blocks[0].size, 4 + 2 + 48 + 3);
        let header = found.blocks[1].header.as_ref().unwrap();
        assert_eq!(header.checksum[..], Md5::digest([4u8; 10])[..]);
        assert!(found.warnings.is_empty());
    }
}
