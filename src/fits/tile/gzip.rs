//! GZIP_1 and GZIP_2: gzip streams of big-endian pixels; GZIP_2 first
//! shuffles the bytes (all most significant bytes, then the next ...).

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use super::TileError;

/// Inflates a gzip stream, refusing output longer than `limit` bytes.
pub fn inflate(bytes: &[u8], limit: usize) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    let mut reader = MultiGzDecoder::new(bytes).take(limit as u64 + 1);
    reader.read_to_end(&mut out).map_err(|e| TileError::new(format!("the tile does not inflate: {e}")))?;
    if out.len() > limit {
        return Err(TileError::new(format!("the tile inflates to more than {limit} bytes")));
    }
    Ok(out)
}

/// Gzips bytes (for the demo archive and the tests).
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Puts byte `k` of every `width`-byte value together, most significant first.
pub fn shuffle(bytes: &[u8], width: usize) -> Vec<u8> {
    if width <= 1 || !bytes.len().is_multiple_of(width) {
        return bytes.to_vec();
    }
    let n = bytes.len() / width;
    let mut out = vec![0; bytes.len()];
    for (i, value) in bytes.chunks_exact(width).enumerate() {
        for (k, &b) in value.iter().enumerate() {
            out[k * n + i] = b;
        }
    }
    out
}

/// Undoes [`shuffle`].
pub fn unshuffle(bytes: &[u8], width: usize) -> Vec<u8> {
    if width <= 1 || !bytes.len().is_multiple_of(width) {
        return bytes.to_vec();
    }
    let n = bytes.len() / width;
    let mut out = vec![0; bytes.len()];
    for (i, value) in out.chunks_exact_mut(width).enumerate() {
        for (k, b) in value.iter_mut().enumerate() {
            *b = bytes[k * n + i];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_groups_bytes_by_significance() {
        let values: Vec<u8> = [0x0102i16, 0x0304, -2].iter().flat_map(|v| v.to_be_bytes()).collect();
        assert_eq!(shuffle(&values, 2), vec![0x01, 0x03, 0xFF, 0x02, 0x04, 0xFE]);
        for width in [1, 2, 4, 8] {
            let bytes: Vec<u8> = (0..width * 37).map(|i| (i * 7 % 251) as u8).collect();
            assert_eq!(unshuffle(&shuffle(&bytes, width), width), bytes);
        }
    }

    #[test]
    fn inflate_round_trips_and_limits() {
        let data: Vec<u8> = (0..5000u32).flat_map(|i| (i % 300).to_be_bytes()).collect();
        let packed = deflate(&data);
        assert_eq!(inflate(&packed, data.len()).unwrap(), data);
        assert!(inflate(&packed, data.len() - 1).unwrap_err().to_string().contains("more than"));
        assert!(inflate(&packed[..packed.len() / 2], data.len()).is_err());
        assert!(inflate(b"not gzip at all", 100).is_err());
        assert_eq!(inflate(&deflate(&[]), 0).unwrap(), Vec::<u8>::new());
    }
}
