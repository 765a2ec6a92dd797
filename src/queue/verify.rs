//! What the object is, and whether the bytes on disk are it: the version a
//! download pins (size and ETag, and the CRC a HEAD tells), the part file
//! hashed while a download goes on, an existing destination compared.

use std::io::Read;
use std::path::{Path, PathBuf};

use aws_sdk_s3::types::ChecksumMode;
use md5::{Digest, Md5};
use tokio::sync::watch;

use super::blocking::off_runtime;
use super::check::full_object_crc;
use crate::checksum::md5_of_file;
use crate::s3::{BucketClient, S3Error};

/// One version of an object: what a listing or a HEAD said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectVersion {
    pub size: u64,
    /// As the server sent it, quotes included.
    pub etag: Option<String>,
}

impl ObjectVersion {
    /// The MD5 its ETag names (a multipart ETag, or none, names none).
    pub fn md5(&self) -> Option<String> {
        self.etag.as_deref().and_then(crate::checksum::etag_md5)
    }

    /// Asks the server (a HEAD, checksums included): when no listing told
    /// the size and ETag, or a large download wants the object's CRC.
    /// `etag` pins the version asked about.
    pub async fn head(bucket: &BucketClient, key: &str, etag: Option<&str>) -> Result<Head, S3Error> {
        let out = bucket
            .send(|client| {
                let request = client.head_object().bucket(bucket.name()).key(key).checksum_mode(ChecksumMode::Enabled);
                request.set_if_match(etag.map(str::to_string)).send()
            })
            .await?;
        let crc64nvme = full_object_crc(out.checksum_crc64_nvme(), out.checksum_type());
        let version =
            Self { size: out.content_length().unwrap_or(0).max(0) as u64, etag: out.e_tag().map(str::to_string) };
        Ok(Head { version, crc64nvme })
    }
}

/// What a HEAD said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub version: ObjectVersion,
    /// The object's full-object CRC-64/NVME, when it carries one.
    pub crc64nvme: Option<u64>,
}

/// How an existing destination compares with the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// Nothing there.
    Absent,
    /// The same bytes as the object: nothing to download.
    Same,
    /// A different file.
    Differs,
    /// Something that is not a file.
    NotAFile,
}

/// Compares `destination` with the object: the same size, and the same MD5
/// when the ETag names one.
pub async fn existing(destination: &Path, object: &ObjectVersion) -> Existing {
    let Ok(meta) = tokio::fs::metadata(destination).await else { return Existing::Absent };
    if !meta.is_file() {
        return Existing::NotAFile;
    }
    let same = match object.md5() {
        _ if meta.len() != object.size => false,
        Some(md5) => {
            let path = destination.to_path_buf();
            let local = tokio::task::spawn_blocking(move || md5_of_file(&path)).await;
            local.is_ok_and(|local| local.is_ok_and(|local| local == md5))
        }
        None => true,
    };
    if same { Existing::Same } else { Existing::Differs }
}

/// Bytes hashed per read of the part file (one buffer, reused).
const HASH_READ: usize = 256 << 10;

/// Hashes the part file from its start as far as `complete` says the bytes
/// are there, until `size` bytes are hashed. Reads and hashing run off the
/// runtime's threads, through one reused buffer.
pub async fn hash_prefix(part: PathBuf, size: u64, mut complete: watch::Receiver<u64>) -> std::io::Result<String> {
    let file = std::fs::File::open(&part)?;
    let mut state = Some((file, Md5::new(), vec![0u8; HASH_READ]));
    let mut hashed = 0u64;
    loop {
        let target = (*complete.borrow_and_update()).min(size);
        if hashed < target {
            let (mut file, mut hasher, mut buf) = state.take().expect("returned after each step");
            let step = off_runtime(move || {
                let mut done = 0u64;
                while done < target - hashed {
                    let want = ((target - hashed - done) as usize).min(buf.len());
                    let n = file.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the part file is shorter than recorded",
                        ));
                    }
                    hasher.update(&buf[..n]);
                    done += n as u64;
                }
                Ok((file, hasher, buf, done))
            });
            let (file, hasher, buf, done) = step.await?;
            hashed += done;
            state = Some((file, hasher, buf));
            continue;
        }
        if hashed >= size {
            let (_, hasher, _) = state.take().expect("kept");
            return Ok(crate::checksum::hex(&hasher.finalize()));
        }
        if complete.changed().await.is_err() {
            // The download stopped; whatever was complete has been hashed.
            let target = *complete.borrow();
            if hashed >= target.min(size) {
                return Err(std::io::Error::other("the download stopped before the file was complete"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_etag_names_a_digest() {
        assert_eq!(ObjectVersion { size: 0, etag: None }.md5(), None);
        let multipart = ObjectVersion { size: 0, etag: Some("\"7b5fbc177371f4c14107a882843b7014-3\"".into()) };
        assert_eq!(multipart.md5(), None);
        let plain = ObjectVersion { size: 0, etag: Some("\"7b5fbc177371f4c14107a882843b7014\"".into()) };
        assert_eq!(plain.md5().as_deref(), Some("7b5fbc177371f4c14107a882843b7014"));
    }

    #[tokio::test]
    async fn existing_files_are_compared_by_size_and_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let object =
            ObjectVersion { size: 5, etag: Some(format!("\"{}\"", crate::checksum::hex(&Md5::digest(b"hello")))) };
        assert_eq!(existing(&path, &object).await, Existing::Absent);
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(existing(&path, &object).await, Existing::Same);
        std::fs::write(&path, b"hellO").unwrap();
        assert_eq!(existing(&path, &object).await, Existing::Differs, "same size, other bytes");
        let no_digest = ObjectVersion { size: 5, etag: None };
        assert_eq!(existing(&path, &no_digest).await, Existing::Same, "without a digest the size decides");
        assert_eq!(existing(dir.path(), &object).await, Existing::NotAFile);
    }
}
