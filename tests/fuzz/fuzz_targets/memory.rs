//! Bytes in memory as a range source, for the fuzz targets that read FITS.

use s3scope::testing::fits::reader::{RangeSource, SourceError};
use s3scope::testing::fits::source::{Also, AlsoRead, Each, StreamSource};

pub struct Memory(pub Vec<u8>);

impl RangeSource for Memory {
    async fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, SourceError> {
        let start = (start.min(self.0.len() as u64)) as usize;
        let end = (start as u64).saturating_add(len).min(self.0.len() as u64) as usize;
        Ok(self.0[start..end].to_vec())
    }

    async fn read_many(&mut self, ranges: &[(u64, u64)]) -> Vec<Result<Vec<u8>, SourceError>> {
        let mut out = Vec::new();
        for &(start, len) in ranges {
            out.push(self.read(start, len).await);
        }
        out
    }

    async fn read_tail(&mut self, len: u64) -> Result<(u64, Vec<u8>), SourceError> {
        let start = (self.0.len() as u64).saturating_sub(len);
        Ok((start, self.read(start, len).await?))
    }

    fn size(&self) -> Option<u64> {
        Some(self.0.len() as u64)
    }
}

impl StreamSource for Memory {
    async fn read_stream(
        &mut self,
        start: u64,
        len: Option<u64>,
        each: Each<'_>,
        also: Option<Also>,
    ) -> (Result<u64, SourceError>, AlsoRead) {
        let from = start.min(self.0.len() as u64) as usize;
        let end = len.map_or(self.0.len(), |len| (from as u64).saturating_add(len).min(self.0.len() as u64) as usize);
        // Given in 64-byte pieces until enough.
        let mut taken = from;
        while taken < end {
            let next = (taken + 64).min(end);
            let enough = each(&self.0[taken..next]);
            taken = next;
            if enough {
                break;
            }
        }
        let second = match also {
            Some(Also::Range(at, n)) => Some(self.read(at, n).await.map(|bytes| (at, bytes))),
            Some(Also::Tail(n)) => Some(self.read_tail(n).await),
            None => None,
        };
        (Ok((taken - from) as u64), second)
    }
}
