//! The CRC-64/NVME of a part file: the CRCs of the parts fetched in this
//! run (computed as their bytes arrived) combined in order, and for the
//! spans an earlier run wrote, the bytes read back from disk.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Mutex;

use crate::checksum::{crc64nvme, crc64nvme_combine, crc64nvme_digest};

/// A span `[start, end)` and the CRC of its bytes.
pub type SpanCrc = (u64, u64, u64);

/// The CRCs of the parts fetched so far, gathered as they finish.
#[derive(Debug, Default)]
pub struct SpanCrcs(Mutex<Vec<SpanCrc>>);

impl SpanCrcs {
    pub fn add(&self, (start, end): (u64, u64), crc: u64) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push((start, end, crc));
    }

    /// The spans in file order.
    pub fn into_sorted(self) -> Vec<SpanCrc> {
        let mut spans = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        spans.sort_unstable();
        spans
    }
}

/// The CRC of `size` bytes from the CRCs of `spans` (in order, not
/// overlapping); `read(start, end)` gives the CRC of a span between them.
pub fn combine(size: u64, spans: &[SpanCrc], mut read: impl FnMut(u64, u64) -> io::Result<u64>) -> io::Result<u64> {
    let mut total: Option<u64> = None;
    let mut append = |crc: u64, len: u64| {
        total = Some(total.map_or(crc, |before| crc64nvme_combine(before, crc, len)));
    };
    let mut at = 0;
    for &(start, end, crc) in spans {
        if start < at || end < start || end > size {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("span {start}-{end} overlaps or overruns")));
        }
        if start > at {
            append(read(at, start)?, start - at);
        }
        append(crc, end - start);
        at = end;
    }
    if at < size {
        append(read(at, size)?, size - at);
    }
    Ok(total.unwrap_or_else(|| crc64nvme(&[])))
}

/// The CRC of `[start, end)` of `file`, read through `buf` (blocking).
pub fn crc_of_span(mut file: &std::fs::File, start: u64, end: u64, buf: &mut [u8]) -> io::Result<u64> {
    file.seek(SeekFrom::Start(start))?;
    let mut digest = crc64nvme_digest();
    let mut left = end - start;
    while left > 0 {
        let want = (left as usize).min(buf.len());
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the part file is shorter than recorded"));
        }
        digest.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(digest.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Vec<u8> {
        (0..50_000u32).map(|i| (i * 31 % 253) as u8).collect()
    }

    fn span(data: &[u8], start: u64, end: u64) -> SpanCrc {
        (start, end, crc64nvme(&data[start as usize..end as usize]))
    }

    #[test]
    fn parts_in_any_order_with_gaps_read_back_give_the_whole_crc() {
        let data = data();
        let crcs = SpanCrcs::default();
        for (start, end) in [(30_000, 40_000), (0, 10_000), (10_000, 20_000)] {
            crcs.add((start, end), span(&data, start, end).2);
        }
        let mut read_back = Vec::new();
        let crc = combine(data.len() as u64, &crcs.into_sorted(), |start, end| {
            read_back.push((start, end));
            Ok(crc64nvme(&data[start as usize..end as usize]))
        })
        .unwrap();
        assert_eq!(crc, crc64nvme(&data));
        assert_eq!(read_back, [(20_000, 30_000), (40_000, 50_000)], "only what this run did not fetch");
    }

    #[test]
    fn a_wrong_part_crc_or_overlapping_spans_do_not_pass() {
        let data = data();
        let size = data.len() as u64;
        let read = |start: u64, end: u64| Ok(crc64nvme(&data[start as usize..end as usize]));
        let good = [span(&data, 0, 25_000), span(&data, 25_000, size)];
        assert_eq!(combine(size, &good, read).unwrap(), crc64nvme(&data));
        let flipped = [span(&data, 0, 25_000), (25_000, size, good[1].2 ^ 1)];
        assert_ne!(combine(size, &flipped, read).unwrap(), crc64nvme(&data));
        let overlapping = [span(&data, 0, 25_000), span(&data, 20_000, size)];
        assert!(combine(size, &overlapping, read).is_err());
    }

    #[test]
    fn spans_are_read_back_from_the_file() {
        let data = data();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.part");
        std::fs::write(&path, &data).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut buf = vec![0u8; 4096];
        assert_eq!(crc_of_span(&file, 1_000, 45_000, &mut buf).unwrap(), crc64nvme(&data[1_000..45_000]));
        let past_the_end = crc_of_span(&file, 40_000, 60_000, &mut buf).unwrap_err();
        assert_eq!(past_the_end.kind(), io::ErrorKind::UnexpectedEof);
    }
}
