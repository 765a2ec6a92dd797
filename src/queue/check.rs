//! What a download is checked against before its rename, and the checks:
//! the object's full-object CRC-64/NVME when it has one (computed as the
//! bytes arrive, at memory speed), else the MD5 a plain ETag names (serial,
//! about 600 MB/s a core). A mismatch removes the part file and its record.

use std::path::Path;

use aws_sdk_s3::types::ChecksumType;
use md5::{Digest, Md5};

use super::blocking::off_runtime;
use super::crc::{SpanCrcs, combine, crc_of_span};
use crate::checksum::{crc64nvme_base64, crc64nvme_digest, hex, parse_crc64nvme};

/// What a download in parts is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The object's CRC-64/NVME: each part's CRC is computed as it arrives
    /// and the CRCs are combined in order, so the check keeps pace with
    /// any link.
    Crc64Nvme(u64),
    /// The MD5 a plain ETag names: the part file read back in order as its
    /// start completes.
    Md5(String),
    /// Nothing to check against (a multipart ETag without a CRC), or told not to.
    Nothing,
}

impl Check {
    /// The strongest check that keeps pace: the CRC when there is one.
    /// `md5`: the one a plain ETag names.
    pub fn choose(verify: bool, crc64nvme: Option<u64>, md5: Option<String>) -> Self {
        match (verify, crc64nvme, md5) {
            (false, _, _) => Check::Nothing,
            (true, Some(crc), _) => Check::Crc64Nvme(crc),
            (true, None, Some(md5)) => Check::Md5(md5),
            (true, None, None) => Check::Nothing,
        }
    }
}

/// The object's CRC-64/NVME from an answer's checksum headers, when it is
/// a full-object one (a composite, per-part checksum is not).
pub fn full_object_crc(crc64nvme: Option<&str>, kind: Option<&ChecksumType>) -> Option<u64> {
    let full_object = kind.is_none_or(|kind| *kind == ChecksumType::FullObject);
    crc64nvme.filter(|_| full_object).and_then(parse_crc64nvme)
}

/// The check of an object fetched in one GET, decided when the answer
/// comes: the CRC it carries (S3 sends it on a GET without a range), else
/// the MD5 of the ETag. Bytes are fed in order, retries included.
pub struct WholeCheck {
    md5: Option<String>,
    running: Running,
}

enum Running {
    Crc64Nvme { expected: u64, digest: crc_fast::Digest },
    Md5 { expected: String, hasher: Md5 },
    Nothing,
}

impl WholeCheck {
    /// `md5`: the ETag's MD5, checked when the answer carries no CRC.
    pub fn new(md5: Option<String>) -> Self {
        Self { md5, running: Running::Nothing }
    }

    /// Decides on the answer to a GET from the object's first byte.
    pub fn answered(&mut self, crc64nvme: Option<u64>) {
        self.running = match Check::choose(true, crc64nvme, self.md5.clone()) {
            Check::Crc64Nvme(expected) => Running::Crc64Nvme { expected, digest: crc64nvme_digest() },
            Check::Md5(expected) => Running::Md5 { expected, hasher: Md5::new() },
            Check::Nothing => Running::Nothing,
        };
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.running {
            Running::Crc64Nvme { digest, .. } => digest.update(bytes),
            Running::Md5 { hasher, .. } => hasher.update(bytes),
            Running::Nothing => {}
        }
    }

    /// Whether the bytes fed are the object; the reason when not.
    pub fn verdict(self) -> Result<(), String> {
        match self.running {
            Running::Crc64Nvme { expected, digest } => crc_verdict(digest.finalize(), expected),
            Running::Md5 { expected, hasher } => md5_verdict(&hex(&hasher.finalize()), &expected),
            Running::Nothing => Ok(()),
        }
    }
}

fn crc_verdict(actual: u64, expected: u64) -> Result<(), String> {
    if actual == expected {
        return Ok(());
    }
    let (actual, expected) = (crc64nvme_base64(actual), crc64nvme_base64(expected));
    Err(format!("CRC-64/NVME mismatch (got {actual}, the object's is {expected}); the part file was removed"))
}

fn md5_verdict(actual: &str, expected: &str) -> Result<(), String> {
    if actual == expected {
        return Ok(());
    }
    Err(format!("MD5 mismatch (got {actual}, ETag {expected}); the part file was removed"))
}

/// Removes the part file and its record when `verdict` is a mismatch.
pub async fn settle(verdict: Result<(), String>, part: &Path, record_path: &Path) -> Result<(), String> {
    if verdict.is_err() {
        let _ = tokio::fs::remove_file(part).await;
        let _ = tokio::fs::remove_file(record_path).await;
    }
    verdict
}

/// The MD5 computed over the part file against the ETag's, when both are known.
pub async fn check_md5(
    part: &Path,
    record_path: &Path,
    expected: Option<String>,
    actual: Option<String>,
) -> Result<(), String> {
    match (expected, actual) {
        (Some(expected), Some(actual)) => settle(md5_verdict(&actual, &expected), part, record_path).await,
        _ => Ok(()),
    }
}

/// The part file against the object's CRC-64/NVME: the CRCs of the parts
/// fetched now, combined with those of the spans an earlier run wrote
/// (read back).
pub async fn check_crc(
    part: &Path,
    record_path: &Path,
    size: u64,
    crcs: SpanCrcs,
    expected: u64,
) -> Result<(), String> {
    let (path, spans) = (part.to_path_buf(), crcs.into_sorted());
    let actual = off_runtime(move || {
        let file = std::fs::File::open(&path)?;
        // Allocated only when a span an earlier run wrote is read back.
        let mut buf = Vec::new();
        combine(size, &spans, |start, end| {
            buf.resize(256 << 10, 0);
            crc_of_span(&file, start, end, &mut buf)
        })
    })
    .await
    .map_err(|e| format!("reading {}: {e}", part.display()))?;
    settle(crc_verdict(actual, expected), part, record_path).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::{crc64nvme, md5_hex};
    use crate::queue::verify::ObjectVersion;

    #[test]
    fn a_crc_is_preferred_to_an_md5_and_nothing_is_checked_when_told_not_to() {
        let plain = ObjectVersion { size: 9, etag: Some("\"7b5fbc177371f4c14107a882843b7014\"".into()) };
        assert_eq!(Check::choose(true, Some(7), plain.md5()), Check::Crc64Nvme(7));
        assert_eq!(Check::choose(true, None, plain.md5()), Check::Md5("7b5fbc177371f4c14107a882843b7014".into()));
        assert_eq!(Check::choose(false, Some(7), plain.md5()), Check::Nothing);
        let multipart = ObjectVersion { size: 9, etag: Some("\"7b5fbc177371f4c14107a882843b7014-3\"".into()) };
        assert_eq!(Check::choose(true, None, multipart.md5()), Check::Nothing);
        assert_eq!(Check::choose(true, Some(7), multipart.md5()), Check::Crc64Nvme(7));
    }

    #[test]
    fn only_a_full_object_crc_is_the_objects() {
        let crc = Some("AQIDBAUGBwg=");
        assert_eq!(full_object_crc(crc, Some(&ChecksumType::FullObject)), Some(0x0102_0304_0506_0708));
        assert_eq!(full_object_crc(crc, None), Some(0x0102_0304_0506_0708));
        assert_eq!(full_object_crc(crc, Some(&ChecksumType::Composite)), None);
        assert_eq!(full_object_crc(Some("not base64"), None), None);
    }

    #[test]
    fn a_one_get_check_follows_what_the_answer_carries() {
        let data = b"one object, fed in two pieces";
        let feed = |check: &mut WholeCheck| {
            check.update(&data[..10]);
            check.update(&data[10..]);
        };
        let mut by_crc = WholeCheck::new(Some("0".repeat(32)));
        by_crc.answered(Some(crc64nvme(data)));
        feed(&mut by_crc);
        assert_eq!(by_crc.verdict(), Ok(()), "the CRC decides, not the (wrong) MD5");

        let mut wrong_crc = WholeCheck::new(None);
        wrong_crc.answered(Some(crc64nvme(data) ^ 1));
        feed(&mut wrong_crc);
        assert!(wrong_crc.verdict().unwrap_err().starts_with("CRC-64/NVME mismatch"));

        let mut by_md5 = WholeCheck::new(Some(md5_hex(data)));
        by_md5.answered(None);
        feed(&mut by_md5);
        assert_eq!(by_md5.verdict(), Ok(()));

        let mut wrong_md5 = WholeCheck::new(Some(md5_hex(b"another")));
        wrong_md5.answered(None);
        feed(&mut wrong_md5);
        assert!(wrong_md5.verdict().unwrap_err().starts_with("MD5 mismatch"));

        // An answer from the first byte again (a retry) starts the check over.
        let mut retried = WholeCheck::new(None);
        retried.answered(Some(crc64nvme(data)));
        retried.update(b"bytes of an attempt that dropped");
        retried.answered(Some(crc64nvme(data)));
        feed(&mut retried);
        assert_eq!(retried.verdict(), Ok(()));
    }
}
