//! Reading a Parquet footer over range requests: one read of the last
//! 64 KiB, a second only when the footer is larger. The data is never read.

use std::sync::Arc;

use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};

use super::ColumnarError;
use crate::fits::reader::RangeSource;

/// Bytes the first read takes from the end of the file.
pub const TAIL_READ: u64 = 64 << 10;

/// A decoded footer and where it sat.
#[derive(Debug, Clone)]
pub struct Footer {
    pub metadata: Arc<ParquetMetaData>,
    /// The file's size.
    pub size: u64,
    /// The footer's length (without its 8-byte length and magic).
    pub length: u64,
}

/// Footers are equal when they are the same decoded footer.
impl PartialEq for Footer {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.metadata, &other.metadata) && self.size == other.size && self.length == other.length
    }
}

/// Whether a key names a Parquet file, or a dataset's footer-only side file.
pub fn parquet_by_name(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    [".parquet", ".parq", ".pq"].iter().any(|e| base.ends_with(e)) || base == "_metadata" || base == "_common_metadata"
}

/// Where the `_common_metadata` of the dataset a file belongs to would be:
/// up past the `key=value/` partition directories (hive's `healpix_k0=3/`,
/// HATS's `Norder=1/Dir=0/`) to the dataset's root. `None` for a file not
/// inside a partition directory, or for a side file itself.
pub fn common_metadata_key(key: &str) -> Option<String> {
    let (mut dir, name) = key.rsplit_once('/')?;
    if name.starts_with('_') {
        return None;
    }
    let mut climbed = false;
    while let Some((parent, last)) = dir.rsplit_once('/') {
        if !last.contains('=') {
            break;
        }
        dir = parent;
        climbed = true;
    }
    climbed.then(|| format!("{dir}/_common_metadata"))
}

/// Reads and decodes the footer of a Parquet file.
pub async fn read_footer<S: RangeSource>(source: &mut S) -> Result<Footer, ColumnarError> {
    let (start, tail) = source.read_tail(TAIL_READ).await.map_err(|e| ColumnarError::Source(e.0))?;
    let size = start + tail.len() as u64;
    let length = footer_length(&tail, size)?;
    let needed = length + 8;
    let mut footer = if needed <= tail.len() as u64 {
        tail[tail.len() - needed as usize..].to_vec()
    } else {
        let missing = needed - tail.len() as u64;
        let mut front = source.read(size - needed, missing).await.map_err(|e| ColumnarError::Source(e.0))?;
        if front.len() as u64 != missing {
            return Err(ColumnarError::Source(format!("the file ended early: {} of {missing} bytes", front.len())));
        }
        front.extend_from_slice(&tail);
        front
    };
    footer.truncate(length as usize);
    let metadata = decode(&footer)?;
    Ok(Footer { metadata: Arc::new(metadata), size, length })
}

/// The footer's length from the file's last bytes (`length` u32 LE, `PAR1`), checked against its size.
pub fn footer_length(tail: &[u8], size: u64) -> Result<u64, ColumnarError> {
    let [.., a, b, c, d, m0, m1, m2, m3] = tail else {
        return Err(ColumnarError::Invalid(format!("{size} bytes are too few for a Parquet file")));
    };
    if [*m0, *m1, *m2, *m3] == *b"PARE" {
        return Err(ColumnarError::Invalid("the footer is encrypted (PARE)".into()));
    }
    if [*m0, *m1, *m2, *m3] != *b"PAR1" {
        return Err(ColumnarError::Invalid("not a Parquet file: it does not end with PAR1 (cut short?)".into()));
    }
    let length = u32::from_le_bytes([*a, *b, *c, *d]) as u64;
    if length + 12 > size {
        return Err(ColumnarError::Invalid(format!(
            "its footer length ({length} bytes) is more than the {size}-byte file holds"
        )));
    }
    Ok(length)
}

/// Decodes footer bytes (the Thrift `FileMetaData`), checking that the row
/// groups it describes lie inside the file.
pub fn decode(footer: &[u8]) -> Result<ParquetMetaData, ColumnarError> {
    ParquetMetaDataReader::decode_metadata(footer)
        .map_err(|e| ColumnarError::Invalid(format!("the footer does not decode: {e}")))
}

/// Where a column chunk's bytes are (its dictionary page first), or `None`
/// when the footer gives a negative offset or size (the `parquet` crate's
/// own `byte_range` panics on those: found by the `parquet_footer` fuzz target).
pub fn chunk_range(chunk: &parquet::file::metadata::ColumnChunkMetaData) -> Option<(u64, u64)> {
    let start = chunk.dictionary_page_offset().unwrap_or_else(|| chunk.data_page_offset());
    Some((u64::try_from(start).ok()?, u64::try_from(chunk.compressed_size()).ok()?))
}

/// Checks that every column chunk lies within the data part of the file.
pub fn check_chunks(metadata: &ParquetMetaData, size: u64, footer_length: u64) -> Result<(), ColumnarError> {
    let data_end = size.saturating_sub(footer_length + 8);
    for (g, group) in metadata.row_groups().iter().enumerate() {
        for chunk in group.columns() {
            let Some((start, len)) = chunk_range(chunk) else {
                return Err(ColumnarError::Invalid(format!(
                    "row group {g}: column {} has a negative offset or size",
                    chunk.column_path().string()
                )));
            };
            if start.checked_add(len).is_none_or(|end| end > data_end) {
                return Err(ColumnarError::Invalid(format!(
                    "row group {g}: column {} claims bytes {start}..{} of a {size}-byte file",
                    chunk.column_path().string(),
                    start.saturating_add(len)
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    use crate::fits::tests::Memory;

    #[test]
    fn a_partition_finds_its_dataset_root() {
        let hive = "wise/x.parquet/healpix_k0=2/healpix_k5=2145/part0.snappy.parquet";
        assert_eq!(common_metadata_key(hive).as_deref(), Some("wise/x.parquet/_common_metadata"));
        let hats = "hats/cat/dataset/Norder=1/Dir=0/Npix=33.parquet";
        assert_eq!(common_metadata_key(hats).as_deref(), Some("hats/cat/dataset/_common_metadata"));
        assert_eq!(common_metadata_key("catalogs/plain.parquet"), None);
        assert_eq!(common_metadata_key("d/k=1/_metadata"), None);
        assert_eq!(common_metadata_key("lonely.parquet"), None);
    }

    #[test]
    fn footer_lengths_are_checked() {
        let mut file = b"PAR1".to_vec();
        file.extend([7u8; 100]);
        file.extend(100u32.to_le_bytes());
        file.extend(b"PAR1");
        assert_eq!(footer_length(&file[file.len() - 8..], file.len() as u64), Ok(100));
        let lying = [0xff, 0xff, 0, 0, b'P', b'A', b'R', b'1'];
        assert!(footer_length(&lying, 200).unwrap_err().to_string().contains("more than the 200-byte file"));
        assert!(footer_length(b"\0\0\0\0PAR0", 200).unwrap_err().to_string().contains("does not end with PAR1"));
        assert!(footer_length(b"PAR1", 4).unwrap_err().to_string().contains("too few"));
        assert!(footer_length(b"\0\0\0\0PARE", 200).unwrap_err().to_string().contains("encrypted"));
    }

    fn demo_file(columns: usize) -> Vec<u8> {
        let mut rng = crate::demo::generate::test_rng();
        if columns > 100 {
            crate::demo::generate::catalogs::wide_catalogue(&mut rng)
        } else {
            crate::demo::generate::catalogs::neowise_partition(&mut rng, 7, 250)
        }
    }

    #[test]
    fn a_small_footer_takes_one_read_a_large_one_two() {
        let small = demo_file(10);
        let mut source = Memory::new(small.clone());
        let footer = block_on(read_footer(&mut source)).unwrap();
        assert_eq!(source.round_trips, 1);
        assert_eq!(footer.size, small.len() as u64);
        assert_eq!(footer.metadata.file_metadata().num_rows(), 250);
        assert_eq!(footer.metadata.num_row_groups(), 3);
        let wide = demo_file(600);
        let mut source = Memory::new(wide);
        let footer = block_on(read_footer(&mut source)).unwrap();
        assert!(footer.length > TAIL_READ, "the demo's wide file has a footer over 64 KiB");
        assert_eq!(source.round_trips, 2);
        assert_eq!(source.bytes_read(), footer.length + 8, "the footer and nothing more");
        assert_eq!(footer.metadata.file_metadata().schema_descr().num_columns(), 600);
    }

    #[test]
    fn a_negative_chunk_offset_is_an_error_not_a_panic() {
        // Found by the parquet_footer fuzz target: the crate's byte_range() asserts on it.
        let file = include_bytes!("../../tests/fuzz/corpus/parquet_footer/negative-chunk-offset").to_vec();
        let mut source = Memory::new(file);
        let footer = block_on(read_footer(&mut source)).unwrap();
        let roots: Vec<usize> = (0..crate::columnar::rows::column_names(&footer.metadata).len()).collect();
        let rows = block_on(crate::columnar::rows::read_rows(&mut source, &footer, 0..50, &roots));
        assert!(matches!(&rows, Err(ColumnarError::Invalid(why)) if why.contains("negative")), "{rows:?}");
    }

    #[test]
    fn bad_footers_are_errors_not_panics() {
        let good = demo_file(10);
        let at = good.len() - 8;
        let mut lying = good.clone();
        lying[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut garbled = good.clone();
        for byte in &mut garbled[at - 200..at] {
            *byte = byte.wrapping_mul(31).wrapping_add(7);
        }
        for (name, bytes) in [("lying", lying), ("garbled", garbled), ("cut", good[..good.len() / 2].to_vec())] {
            let result = block_on(read_footer(&mut Memory::new(bytes)));
            assert!(matches!(result, Err(ColumnarError::Invalid(_))), "{name}: {result:?}");
        }
    }
}
