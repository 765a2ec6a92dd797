//! Bytes in memory as a range source, for the fuzz targets that read FITS.

use s3scope::testing::fits::reader::{RangeSource, SourceError};

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
