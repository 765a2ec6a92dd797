//! ASDF's binary blocks: each block's header, the block index at the end of
//! the file, and the block map made from whatever of both was read. Pure.
//!
//! A block's `size` is the bytes it occupies in the file, header included:
//! from its magic to where the next block (or the block index, or the end of
//! the file) begins. Where its header was read that is
//! `4 + 2 + header_size + allocated_size`; otherwise it is the distance to
//! the next offset the index names.

use super::head::BLOCK_MAGIC;

/// The smallest header the standard allows (the fields below).
pub const MIN_HEADER: usize = 48;
/// Bytes from a block's magic to the end of its fields.
pub const HEADER_BYTES: usize = 6 + MIN_HEADER;
/// The line that starts the block index.
pub const INDEX_MARKER: &[u8] = b"#ASDF BLOCK INDEX";

/// One block's header (big-endian fields after the magic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    pub header_size: u16,
    pub flags: u32,
    /// Four bytes: empty (none), `zlib`, `bzp2`, `lz4\0`.
    pub compression: [u8; 4],
    pub allocated_size: u64,
    pub used_size: u64,
    /// Size of the data once decompressed.
    pub data_size: u64,
    pub checksum: [u8; 16],
}

impl BlockHeader {
    /// Reads the header at the start of `bytes` (which begin with the magic).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        if !bytes.starts_with(BLOCK_MAGIC) {
            return Err("no block magic".into());
        }
        let fields = bytes.get(4..HEADER_BYTES).ok_or("the block header is cut short")?;
        let u64_at = |at: usize| u64::from_be_bytes(fields[at..at + 8].try_into().unwrap_or_default());
        let header_size = u16::from_be_bytes([fields[0], fields[1]]);
        if (header_size as usize) < MIN_HEADER {
            return Err(format!("a block header of {header_size} bytes (at least {MIN_HEADER})"));
        }
        let mut compression = [0; 4];
        compression.copy_from_slice(&fields[6..10]);
        let mut checksum = [0; 16];
        checksum.copy_from_slice(&fields[34..50]);
        let header = Self {
            header_size,
            flags: u32::from_be_bytes([fields[2], fields[3], fields[4], fields[5]]),
            compression,
            allocated_size: u64_at(10),
            used_size: u64_at(18),
            data_size: u64_at(26),
            checksum,
        };
        if header.used_size > header.allocated_size {
            return Err(format!("a block uses {} bytes of {} allocated", header.used_size, header.allocated_size));
        }
        Ok(header)
    }

    /// Bytes from the magic to the end of the allocated space.
    pub fn total_size(&self) -> u64 {
        6 + self.header_size as u64 + self.allocated_size
    }

    /// A streamed block runs to the end of the file.
    pub fn streamed(&self) -> bool {
        self.flags & 1 != 0
    }

    /// `zlib`, `bzp2`, `lz4`, or `None` when not compressed.
    pub fn compression_name(&self) -> Option<String> {
        let name: String = self.compression.iter().filter(|&&b| b != 0).map(|&b| char::from(b)).collect();
        (!name.is_empty()).then_some(name)
    }
}

/// One block as the map shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub offset: u64,
    /// See the module's comment.
    pub size: u64,
    /// Its header, where the bytes read held it.
    pub header: Option<BlockHeader>,
}

/// Finds the block index in the file's last bytes: its offset in `tail`
/// and what it lists (or why it could not be read).
pub fn find_index(tail: &[u8]) -> Option<(usize, Result<Vec<u64>, String>)> {
    // The last one: it follows the last block directly, with no newline before it.
    let at = tail.windows(INDEX_MARKER.len()).rposition(|w| w == INDEX_MARKER)?;
    Some((at, parse_index(&tail[at..])))
}

/// Parses `#ASDF BLOCK INDEX\n%YAML 1.1\n---\n- 1234\n...\n`.
fn parse_index(text: &[u8]) -> Result<Vec<u64>, String> {
    use saphyr_parser::{Event, Parser};
    let text = std::str::from_utf8(text).map_err(|_| "the block index is not text")?;
    let mut offsets = Vec::new();
    let mut in_list = false;
    for event in Parser::new_from_str(text) {
        let (event, _) = event.map_err(|e| format!("the block index is malformed: {e}"))?;
        match event {
            Event::SequenceStart(..) if !in_list => in_list = true,
            Event::Scalar(value, ..) if in_list => {
                offsets.push(value.parse().map_err(|_| format!("the block index lists {value:?}, not an offset"))?)
            }
            Event::SequenceEnd => return Ok(offsets),
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            _ => return Err("the block index is not a list of offsets".into()),
        }
    }
    Err("the block index is not a list of offsets".into())
}

/// Bytes of the file known from reads: `(offset, bytes)` pieces.
pub struct Known<'a> {
    pub pieces: Vec<(u64, &'a [u8])>,
}

impl Known<'_> {
    /// The bytes from `offset` on, as far as one piece holds them.
    fn at(&self, offset: u64) -> Option<&[u8]> {
        self.pieces.iter().find_map(|&(start, bytes)| {
            let end = start + bytes.len() as u64;
            (start <= offset && offset < end).then(|| &bytes[(offset - start) as usize..])
        })
    }

    /// The header of a block at `offset`: `None` if not read, an error if the bytes there are no block.
    fn header(&self, offset: u64) -> Option<Result<BlockHeader, String>> {
        let bytes = self.at(offset)?;
        if bytes.len() < HEADER_BYTES && bytes.len() < 4 {
            return None;
        }
        match BlockHeader::parse(bytes) {
            Err(why) if why.contains("cut short") => None,
            other => Some(other),
        }
    }
}

/// What is known of the blocks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockMap {
    pub blocks: Vec<Block>,
    pub warnings: Vec<String>,
}

/// Builds the block map. `first` is where the blocks begin (just after the
/// tree); `end` where they end (the block index, or the file's size); `index`
/// the offsets the index lists, trusted only as far as the bytes read agree.
pub fn block_map(known: &Known<'_>, first: u64, end: u64, index: Option<Vec<u64>>) -> BlockMap {
    let mut map = BlockMap::default();
    if let Some(offsets) = index {
        match from_index(known, first, end, &offsets) {
            Ok(blocks) => {
                map.blocks = blocks;
                return map;
            }
            Err(why) => map.warnings.push(format!("the block index is wrong ({why}); blocks found by walking instead")),
        }
    }
    walk(known, first, end, &mut map);
    map
}

fn from_index(known: &Known<'_>, first: u64, end: u64, offsets: &[u64]) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::with_capacity(offsets.len());
    for (n, &offset) in offsets.iter().enumerate() {
        let next = offsets.get(n + 1).copied().unwrap_or(end);
        if offset < first || offset >= end || next <= offset {
            return Err(format!("block {n} at byte {offset} is outside {first}..{end} or out of order"));
        }
        let header = match known.header(offset) {
            Some(Ok(header)) if !header.streamed() && offset + header.total_size() > next => {
                return Err(format!("block {n} at byte {offset} runs past byte {next}"));
            }
            Some(Ok(header)) => Some(header),
            Some(Err(why)) => return Err(format!("no block at byte {offset}: {why}")),
            None => None,
        };
        let size = header.as_ref().filter(|h| !h.streamed()).map_or(next - offset, BlockHeader::total_size);
        blocks.push(Block { offset, size, header });
    }
    Ok(blocks)
}

/// Follows the blocks' headers from `first` as far as the bytes read hold them.
fn walk(known: &Known<'_>, first: u64, end: u64, map: &mut BlockMap) {
    let mut offset = first;
    while offset < end {
        match known.header(offset) {
            Some(Ok(header)) => {
                let size = if header.streamed() { end - offset } else { header.total_size() };
                map.blocks.push(Block { offset, size, header: Some(header) });
                offset = offset.saturating_add(size.max(1));
            }
            Some(Err(why)) => {
                map.warnings.push(format!("no block at byte {offset}: {why}"));
                return;
            }
            None => {
                map.warnings
                    .push(format!("more blocks may follow from byte {offset} (no usable block index; not read)"));
                return;
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn block(data: &[u8]) -> Vec<u8> {
        let mut out = BLOCK_MAGIC.to_vec();
        out.extend(48u16.to_be_bytes());
        out.extend(0u32.to_be_bytes());
        out.extend([0; 4]);
        for _ in 0..3 {
            out.extend((data.len() as u64).to_be_bytes());
        }
        out.extend([0; 16]);
        out.extend(data);
        out
    }

    #[test]
    fn headers_are_read_and_checked() {
        let bytes = block(&[1, 2, 3]);
        let header = BlockHeader::parse(&bytes).unwrap();
        assert_eq!((header.header_size, header.allocated_size, header.total_size()), (48, 3, 57));
        assert_eq!(header.compression_name(), None);
        assert!(BlockHeader::parse(&bytes[..20]).unwrap_err().contains("cut short"));
        let mut small = bytes.clone();
        small[5] = 8;
        assert!(BlockHeader::parse(&small).unwrap_err().contains("at least"));
        let mut zlib = bytes;
        zlib[10..14].copy_from_slice(b"zlib");
        assert_eq!(BlockHeader::parse(&zlib).unwrap().compression_name().as_deref(), Some("zlib"));
    }

    #[test]
    fn the_index_at_the_end() {
        let tail = b"\x00\x01...\n#ASDF BLOCK INDEX\n%YAML 1.1\n---\n- 100\n- 257\n...\n";
        let (at, offsets) = find_index(tail).unwrap();
        assert!(tail[at..].starts_with(INDEX_MARKER));
        assert_eq!(offsets, Ok(vec![100, 257]));
        assert!(find_index(b"no index here").is_none());
        let bad = find_index(b"\n#ASDF BLOCK INDEX\n%YAML 1.1\n---\n- abc\n...\n").unwrap().1;
        assert!(bad.unwrap_err().contains("not an offset"));
        assert!(find_index(b"\n#ASDF BLOCK INDEX\n--- {a: 1}\n").unwrap().1.is_err());
        assert!(find_index(b"\n#ASDF BLOCK INDEX\n---\n- 1\n- [").unwrap().1.is_err());
    }

    fn file() -> (Vec<u8>, u64, u64) {
        let mut file = vec![b'#'; 100];
        file.extend(block(&[7; 10]));
        let second = file.len() as u64;
        file.extend(block(&[8; 20]));
        (file, 100, second)
    }

    #[test]
    fn sizes_from_headers_or_offsets() {
        let (file, first, second) = file();
        let end = file.len() as u64;
        let all = Known { pieces: vec![(0, &file[..])] };
        let map = block_map(&all, first, end, Some(vec![first, second]));
        assert_eq!(map.warnings, Vec::<String>::new());
        assert_eq!(map.blocks.iter().map(|b| (b.offset, b.size)).collect::<Vec<_>>(), [(100, 64), (164, 74)]);
        // Only the tail was read: the first block's size comes from the offsets.
        let tail = Known { pieces: vec![(second, &file[second as usize..])] };
        let map = block_map(&tail, first, end, Some(vec![first, second]));
        assert_eq!(map.blocks[0], Block { offset: 100, size: 64, header: None });
        assert!(map.blocks[1].header.is_some());
        // No index: walked from the first block.
        let map = block_map(&all, first, end, None);
        assert_eq!(map.blocks.len(), 2);
        assert!(map.warnings.is_empty());
        let head = Known { pieces: vec![(0, &file[..170])] };
        let map = block_map(&head, first, end, None);
        assert_eq!(map.blocks.len(), 1);
        assert!(map.warnings[0].contains("more blocks may follow from byte 164"));
    }

    #[test]
    fn a_lying_index_is_not_trusted() {
        let (file, first, second) = file();
        let end = file.len() as u64;
        let all = Known { pieces: vec![(0, &file[..])] };
        for lie in [vec![first, second + 3], vec![first, end + 5], vec![second, first], vec![0]] {
            let map = block_map(&all, first, end, Some(lie.clone()));
            assert!(map.warnings[0].contains("the block index is wrong"), "{lie:?}");
            assert_eq!(map.blocks.len(), 2, "{lie:?}: walked instead");
        }
    }
}
