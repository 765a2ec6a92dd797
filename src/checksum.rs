//! MD5 digests as S3 writes them in plain ETags (lower-case hex), and the
//! CRC-64/NVME full-object checksum S3 stores for new objects
//! (`x-amz-checksum-crc64nvme`: base64 of the 8 big-endian bytes). Unlike
//! MD5, a CRC is computed part by part, in parallel, and combined.

use std::io::Read;
use std::path::Path;

use md5::{Digest, Md5};

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn md5_hex(data: &[u8]) -> String {
    hex(&Md5::digest(data))
}

/// The MD5 a plain ETag (`"9b2c…"`, not a multipart `"…-3"`) stands for,
/// as lower-case hex.
pub fn etag_md5(etag: &str) -> Option<String> {
    let inner = etag.trim_matches('"');
    (inner.len() == 32 && inner.bytes().all(|b| b.is_ascii_hexdigit())).then(|| inner.to_ascii_lowercase())
}

/// A running CRC-64/NVME.
pub fn crc64nvme_digest() -> crc_fast::Digest {
    crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Nvme)
}

/// The CRC-64/NVME of `data`.
pub fn crc64nvme(data: &[u8]) -> u64 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Nvme, data)
}

/// The CRC of `a` followed by `b`, from their CRCs and `b`'s length.
pub fn crc64nvme_combine(a: u64, b: u64, b_len: u64) -> u64 {
    crc_fast::checksum_combine(crc_fast::CrcAlgorithm::Crc64Nvme, a, b, b_len)
}

/// The header form of a CRC-64/NVME.
pub fn crc64nvme_base64(crc: u64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes())
}

/// A CRC-64/NVME from its header form.
pub fn parse_crc64nvme(text: &str) -> Option<u64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// The hex MD5 of a file (blocking).
pub fn md5_of_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Md5::new();
    read_file(path, |bytes| hasher.update(bytes))?;
    Ok(hex(&hasher.finalize()))
}

/// The CRC-64/NVME of a file (blocking).
pub fn crc64nvme_of_file(path: &Path) -> std::io::Result<u64> {
    let mut digest = crc64nvme_digest();
    read_file(path, |bytes| digest.update(bytes))?;
    Ok(digest.finalize())
}

/// Feeds a file to `take` in 1 MiB pieces.
fn read_file(path: &Path, mut take: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        take(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_md5_etags_name_a_digest() {
        assert_eq!(
            etag_md5("\"7B5FBC177371F4C14107A882843B7014\"").as_deref(),
            Some("7b5fbc177371f4c14107a882843b7014")
        );
        assert_eq!(etag_md5("\"7b5fbc177371f4c14107a882843b7014-3\""), None);
        assert_eq!(etag_md5("W/\"x\""), None);
    }

    #[test]
    fn crc64nvme_has_its_check_value_and_combines_part_by_part() {
        assert_eq!(crc64nvme(b"123456789"), 0xae8b_1486_0a79_9888, "the catalogued check value");
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let (a, b) = data.split_at(37_001);
        assert_eq!(crc64nvme_combine(crc64nvme(a), crc64nvme(b), b.len() as u64), crc64nvme(&data));
        let mut digest = crc64nvme_digest();
        digest.update(a);
        digest.update(b);
        assert_eq!(digest.finalize(), crc64nvme(&data));
    }

    #[test]
    fn crc64nvme_headers_round_trip_and_bad_ones_are_refused() {
        let crc = crc64nvme(b"s3scope");
        assert_eq!(parse_crc64nvme(&crc64nvme_base64(crc)), Some(crc));
        assert_eq!(crc64nvme_base64(0x0102_0304_0506_0708), "AQIDBAUGBwg=");
        assert_eq!(parse_crc64nvme("AQID"), None, "three bytes");
        assert_eq!(parse_crc64nvme("not base64!"), None);
    }

    #[test]
    fn digests_of_bytes_and_files_agree() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"s3scope").unwrap();
        assert_eq!(md5_of_file(&path).unwrap(), md5_hex(b"s3scope"));
        assert_eq!(crc64nvme_of_file(&path).unwrap(), crc64nvme(b"s3scope"));
    }
}
