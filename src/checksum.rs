//! MD5 digests as S3 writes them in plain ETags: lower-case hex.

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

/// The hex MD5 of a file, read in 1 MiB pieces (blocking).
pub fn md5_of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
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
    fn digests_of_bytes_and_files_agree() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"s3scope").unwrap();
        assert_eq!(md5_of_file(&path).unwrap(), md5_hex(b"s3scope"));
    }
}
