//! The demo archive on disk: content blobs plus a manifest (NDJSON) mapping
//! bucket and key to blob, size, ETag and date. Many keys may share one blob.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::store::{Content, Store, StoredObject, md5_hex};
use crate::checksum::md5_of_file;

/// Name of the manifest file inside an archive directory.
pub const MANIFEST: &str = "manifest.ndjson";

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum ManifestLine {
    Bucket { name: String, public: bool },
    Object { bucket: String, key: String, blob: String, size: u64, etag: String, mtime: i64 },
}

/// Content written once, referenced by any number of keys.
#[derive(Debug, Clone)]
pub struct Blob {
    /// Path relative to the archive root.
    name: String,
    size: u64,
    etag: String,
}

/// Writes blobs and the manifest of a new archive directory.
pub struct ArchiveWriter {
    root: PathBuf,
    manifest: BufWriter<File>,
    blobs: usize,
}

impl ArchiveWriter {
    pub fn create(root: &Path) -> io::Result<Self> {
        fs::create_dir_all(root.join("blobs"))?;
        let manifest = BufWriter::new(File::create(root.join(MANIFEST))?);
        Ok(Self { root: root.to_path_buf(), manifest, blobs: 0 })
    }

    fn line(&mut self, line: &ManifestLine) -> io::Result<()> {
        serde_json::to_writer(&mut self.manifest, line)?;
        self.manifest.write_all(b"\n")
    }

    pub fn bucket(&mut self, name: &str, public: bool) -> io::Result<()> {
        self.line(&ManifestLine::Bucket { name: name.to_string(), public })
    }

    fn next_blob_path(&mut self) -> (String, PathBuf) {
        self.blobs += 1;
        let name = format!("blobs/{:06}", self.blobs);
        let path = self.root.join(&name);
        (name, path)
    }

    /// Stores `data` as a new blob.
    pub fn blob(&mut self, data: &[u8]) -> io::Result<Blob> {
        let (name, path) = self.next_blob_path();
        fs::write(path, data)?;
        Ok(Blob { name, size: data.len() as u64, etag: md5_hex(data) })
    }

    /// Stores a large blob cheaply: `head`, then `hole` zero bytes left as a
    /// sparse hole, then `tail`.
    pub fn sparse_blob(&mut self, head: &[u8], hole: u64, tail: &[u8]) -> io::Result<Blob> {
        let (name, path) = self.next_blob_path();
        let mut file = File::create(&path)?;
        file.write_all(head)?;
        file.seek(SeekFrom::Current(hole as i64))?;
        file.write_all(tail)?;
        let size = head.len() as u64 + hole + tail.len() as u64;
        file.set_len(size)?;
        drop(file);
        Ok(Blob { name, size, etag: md5_of_file(&path)? })
    }

    /// Adds `key` to `bucket` with the content of `blob`.
    pub fn put_blob(&mut self, bucket: &str, key: &str, blob: &Blob, mtime: i64) -> io::Result<()> {
        self.line(&ManifestLine::Object {
            bucket: bucket.to_string(),
            key: key.to_string(),
            blob: blob.name.clone(),
            size: blob.size,
            etag: blob.etag.clone(),
            mtime,
        })
    }

    /// Adds `key` with new content `data`.
    pub fn put(&mut self, bucket: &str, key: &str, data: &[u8], mtime: i64) -> io::Result<()> {
        let blob = self.blob(data)?;
        self.put_blob(bucket, key, &blob, mtime)
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.manifest.flush()?;
        self.manifest.get_ref().sync_all()
    }
}

/// Reads an archive directory into a [`Store`] whose objects point at its blobs.
pub fn load_store(root: &Path) -> io::Result<Store> {
    let file = File::open(root.join(MANIFEST))?;
    let mut store = Store::default();
    let mut blobs: std::collections::HashMap<String, PathBuf> = std::collections::HashMap::new();
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        let bad = |e: serde_json::Error| {
            io::Error::new(io::ErrorKind::InvalidData, format!("manifest line {}: {e}", number + 1))
        };
        match serde_json::from_str::<ManifestLine>(&line).map_err(bad)? {
            ManifestLine::Bucket { name, public } => {
                store.add_bucket(&name, public);
            }
            ManifestLine::Object { bucket, key, blob, size, etag, mtime } => {
                let path = blobs.entry(blob.clone()).or_insert_with(|| root.join(&blob)).clone();
                let object =
                    StoredObject { size, etag, last_modified: mtime, content: Content::File(path), crc64nvme: None };
                store.put(&bucket, &key, object);
            }
        }
    }
    Ok(store)
}

/// Loads a store and wraps it for sharing with the server.
pub fn load_shared(root: &Path) -> io::Result<Arc<Store>> {
    load_store(root).map(Arc::new)
}
