//! ASDF files (Roman's products; JWST's `ASDF` FITS extension holds the
//! same tree): the `#ASDF` lines, the YAML tree with its tags, and the map
//! of binary blocks, read from the file's head and tail. Everything here but
//! [`read`] is pure.

pub mod blocks;
pub mod head;
pub mod json;
pub mod outline;
pub mod read;
pub mod summary;
pub mod tree;

use self::blocks::{Block, Known, block_map, find_index};
use self::head::{BLOCK_MAGIC, TreeSpan, Versions, find, tree_span, versions};
use self::tree::{Node, parse_tree};

/// What was learnt of one ASDF file.
#[derive(Debug, Clone, PartialEq)]
pub struct AsdfFile {
    pub versions: Versions,
    /// `None` for a file without a tree.
    pub tree: Option<Node>,
    /// Bytes from the file's start to the end of the tree's `...` line.
    pub tree_end: u64,
    pub blocks: Vec<Block>,
    pub warnings: Vec<String>,
}

/// Why a head is not a readable ASDF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsdfError {
    /// It does not start with `#ASDF `.
    NotAsdf,
    /// The tree's `...` line was not found (within the bytes allowed, or before the end).
    Unfinished(String),
    /// The tree is not valid YAML, or not text.
    Malformed(String),
}

impl std::fmt::Display for AsdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsdfError::NotAsdf => f.write_str("not an ASDF file (it does not start with #ASDF)"),
            AsdfError::Unfinished(why) | AsdfError::Malformed(why) => f.write_str(why),
        }
    }
}

/// Whether a key's name suggests ASDF (it only sizes the first read; the bytes decide).
pub fn named_like_asdf(key: &str) -> bool {
    key.to_ascii_lowercase().ends_with(".asdf")
}

/// Builds the file's description from its first bytes (`head`, ending at
/// the file's end when `head_at_eof`) and, where read, its last bytes
/// (`tail` starting at byte `tail_start`). `size` is the file's size.
pub fn assemble(head: &[u8], head_at_eof: bool, tail: Option<(u64, &[u8])>, size: u64) -> Result<AsdfFile, AsdfError> {
    let versions = versions(head).ok_or(AsdfError::NotAsdf)?;
    let (tree, tree_end) = match tree_span(head, head_at_eof) {
        TreeSpan::Complete { start, end } => {
            let yaml = std::str::from_utf8(&head[start..end]).map_err(|e| {
                AsdfError::Malformed(format!("the YAML tree is not UTF-8 text (byte {})", start + e.valid_up_to()))
            })?;
            let tree = parse_tree(yaml).map_err(|e| AsdfError::Malformed(e.0))?;
            (tree, end)
        }
        TreeSpan::Absent { blocks_at } => (None, blocks_at),
        TreeSpan::Incomplete => {
            return Err(AsdfError::Unfinished(format!(
                "the YAML tree does not end (no '...' line) in the {} bytes read",
                head.len()
            )));
        }
    };
    let mut warnings = Vec::new();
    // Blocks begin after the tree, perhaps after some padding.
    let first = find(&head[tree_end..], BLOCK_MAGIC).map_or(tree_end, |n| tree_end + n) as u64;
    let mut end = size.max(head.len() as u64);
    let mut index = None;
    if let Some((tail_start, bytes)) = tail {
        match find_index(bytes) {
            Some((at, offsets)) if tail_start + at as u64 >= first => {
                end = tail_start + at as u64;
                match offsets {
                    Ok(offsets) => index = Some(offsets),
                    Err(why) => warnings.push(why),
                }
            }
            Some(_) => warnings.push("a block index inside the tree was ignored".into()),
            None => {}
        }
    }
    let mut pieces = vec![(0, head)];
    pieces.extend(tail);
    let map = if first >= end { Default::default() } else { block_map(&Known { pieces }, first, end, index) };
    warnings.extend(map.warnings);
    Ok(AsdfFile { versions, tree, tree_end: tree_end as u64, blocks: map.blocks, warnings })
}

#[cfg(test)]
pub(crate) mod tests;
