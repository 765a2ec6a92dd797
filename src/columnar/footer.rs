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

/// Checks that every column chunk lies within the data part of the file.
pub fn check_chunks(metadata: &ParquetMetaData, size: u64, footer_length: u64) -> Result<(), ColumnarError> {
    let data_end = size.saturating_sub(footer_length + 8);
    for (g, group) in metadata.row_groups().iter().enumerate() {
        for chunk in group.columns() {
            let (start, len) = chunk.byte_range();
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
