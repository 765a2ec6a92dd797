//! The embedded demo archive: generated once into the cache directory, served
//! by an in-process S3 server on 127.0.0.1.

pub mod archive;
pub mod asdf_writer;
pub mod fits_writer;
pub mod generate;
pub mod server;
pub mod store;

use std::io;
use std::path::{Path, PathBuf};

pub use server::start;

/// Where the demo archive of this version lives: `<cache>/s3scope/demo-v<N>`.
pub fn default_archive_dir() -> PathBuf {
    crate::dirs::cache_dir().join(format!("demo-v{}", generate::ARCHIVE_VERSION))
}

/// Generates the archive into `dir` unless it is already there. Returns true
/// if it had to be generated. Safe against concurrent callers: each
/// generates into its own temporary directory and renames it into place.
pub fn ensure_archive(dir: &Path) -> io::Result<bool> {
    if dir.join(archive::MANIFEST).is_file() {
        return Ok(false);
    }
    let parent = dir.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "demo".into());
    let temp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if temp.exists() {
        std::fs::remove_dir_all(&temp)?;
    }
    generate::generate(&temp)?;
    if dir.exists() && !dir.join(archive::MANIFEST).is_file() {
        // A broken leftover (no manifest): replace it.
        std::fs::remove_dir_all(dir)?;
    }
    match std::fs::rename(&temp, dir) {
        Ok(()) => Ok(true),
        Err(_) if dir.join(archive::MANIFEST).is_file() => {
            // Another process finished first; use its copy.
            std::fs::remove_dir_all(&temp)?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
