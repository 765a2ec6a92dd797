//! The part file a download writes into, and the look at its destination
//! that comes first: both in one trip off the runtime's threads for a
//! small object (thousands of small files each make it, and every trip is
//! two thread switches).

use std::io;
use std::path::{Path, PathBuf};

use super::blocking::off_runtime;
use super::durable::PartFile;

/// A part file on disk, synced as the download asks: with `--no-sync` its
/// syncs do nothing and the kernel writes its bytes back in its own time
/// (they survive the program's death, not the machine's).
pub struct DiskFile {
    pub file: std::fs::File,
    pub sync: bool,
}

impl PartFile for DiskFile {
    fn write_all_at(&self, bytes: &[u8], at: u64) -> io::Result<()> {
        self.file.write_all_at(bytes, at)
    }

    fn sync(&self) -> io::Result<()> {
        if self.sync { self.file.sync_data() } else { Ok(()) }
    }
}

/// How a part file is opened.
pub enum Opening {
    /// Emptied, for one GET; a resume record of an earlier plan is removed.
    Fresh { stale_record: PathBuf },
    /// Kept as it is, for the parts a record says are missing.
    Resumable,
}

/// Opens (creating, or emptying) the part file, sized for the object. The
/// stale record is looked up before it is removed: an `unlink` takes the
/// directory's lock even when there is nothing to remove, and thousands of
/// small files contend for it.
pub fn open(part: &Path, size: u64, opening: Opening, sync: bool) -> io::Result<DiskFile> {
    let fresh = matches!(opening, Opening::Fresh { .. });
    if let Opening::Fresh { stale_record } = opening
        && stale_record.symlink_metadata().is_ok()
    {
        let _ = std::fs::remove_file(stale_record);
    }
    let file = std::fs::OpenOptions::new().create(true).write(true).truncate(fresh).open(part)?;
    if !fresh {
        allocate(&file, size)?;
    }
    file.set_len(size)?;
    Ok(DiskFile { file, sync })
}

/// [`open`] off the runtime's threads.
pub async fn open_off_runtime(part: &Path, size: u64, opening: Opening, sync: bool) -> io::Result<DiskFile> {
    let part = part.to_path_buf();
    off_runtime(move || open(&part, size, opening, sync)).await
}

/// What [`arrive`] found at the destination.
pub enum Arrival {
    /// Nothing: its directory is made, and the part file opened if asked.
    Absent(Option<DiskFile>),
    /// Something is there, to be compared with the object.
    There,
}

/// Why [`arrive`] failed: what it was doing, where.
pub struct ArrivalError {
    pub doing: &'static str,
    pub path: PathBuf,
    pub error: io::Error,
}

/// Turns an I/O error into an [`ArrivalError`] of `doing` at `path`.
fn fail(doing: &'static str, path: &Path) -> impl FnOnce(io::Error) -> ArrivalError {
    let path = path.to_path_buf();
    move |error| ArrivalError { doing, path, error }
}

/// Looks at `destination`; when nothing is there, makes its directory and
/// opens its part file (`part`: path, size, opening, sync), all in one trip.
pub async fn arrive(destination: &Path, part: Option<(PathBuf, u64, Opening, bool)>) -> Result<Arrival, ArrivalError> {
    let path = destination.to_path_buf();
    let trip = off_runtime(move || Ok(arrive_now(&path, part))).await;
    trip.unwrap_or_else(|error| Err(fail("looking at", destination)(error)))
}

/// [`arrive`] on this thread.
fn arrive_now(destination: &Path, part: Option<(PathBuf, u64, Opening, bool)>) -> Result<Arrival, ArrivalError> {
    if destination.symlink_metadata().is_ok() {
        return Ok(Arrival::There);
    }
    if let Some(parent) = destination.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail("creating", parent))?;
    }
    let Some((path, size, opening, sync)) = part else { return Ok(Arrival::Absent(None)) };
    let file = open(&path, size, opening, sync).map_err(fail("creating", &path))?;
    Ok(Arrival::Absent(Some(file)))
}

/// Allocates the disk space of an object that comes in parts before they
/// come (Linux): a full disk fails the download at once rather than part
/// way, and the writes skip the page-by-page bookkeeping of delayed
/// allocation (a tenth of the CPU of a 1 GiB download on ext4). Where the
/// filesystem cannot, the file is only sized. (Not for one-GET objects:
/// for thousands of small files the early allocation is one more metadata
/// update each.)
fn allocate(file: &std::fs::File, size: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if size > 0 {
        use rustix::io::Errno;
        match rustix::fs::fallocate(file, rustix::fs::FallocateFlags::empty(), 0, size) {
            Ok(()) | Err(Errno::OPNOTSUPP | Errno::NOSYS) => {}
            Err(e) => return Err(e.into()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, size);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_file_for_parts_is_allocated_and_keeps_what_an_earlier_run_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("big.part");
        std::fs::write(&part, b"earlier").unwrap();
        let size = 3 << 20;
        drop(open(&part, size, Opening::Resumable, true).unwrap());
        let bytes = std::fs::read(&part).unwrap();
        assert_eq!(bytes.len() as u64, size);
        assert_eq!(&bytes[..7], b"earlier", "a resumable part file is not emptied");
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt;
            let blocks = std::fs::metadata(&part).unwrap().blocks() * 512;
            // tmpfs and ext4 allocate; a filesystem that cannot is only sized.
            let probe = std::fs::File::create(dir.path().join("probe")).unwrap();
            let can = rustix::fs::fallocate(probe, rustix::fs::FallocateFlags::empty(), 0, 4096).is_ok();
            assert!(!can || blocks >= size, "{blocks} bytes allocated of {size}");
        }
        let stale_record = dir.path().join("big.part.json");
        std::fs::write(&stale_record, b"{}").unwrap();
        drop(open(&part, 10, Opening::Fresh { stale_record: stale_record.clone() }, false).unwrap());
        assert_eq!(std::fs::read(&part).unwrap(), [0; 10], "a fresh one is emptied");
        assert!(!stale_record.exists(), "and an earlier plan's record is gone");
    }

    #[tokio::test]
    async fn an_absent_destination_gets_its_directory_and_part_file_in_one_trip() {
        let dir = tempfile::tempdir().unwrap();
        let destination = dir.path().join("a/b/file.fits");
        let part = dir.path().join("a/b/file.fits.part");
        let opening = Opening::Fresh { stale_record: dir.path().join("a/b/file.fits.part.json") };
        let arrival = arrive(&destination, Some((part.clone(), 5, opening, true))).await;
        assert!(matches!(arrival, Ok(Arrival::Absent(Some(_)))));
        assert_eq!(std::fs::metadata(&part).unwrap().len(), 5);

        std::fs::write(&destination, b"there").unwrap();
        assert!(matches!(arrive(&destination, None).await, Ok(Arrival::There)));

        std::fs::write(dir.path().join("plain"), b"x").unwrap();
        let under_a_file = dir.path().join("plain/inside");
        let Err(error) = arrive(&under_a_file, None).await else { panic!("a file is not a directory") };
        assert_eq!((error.doing, error.path.as_path()), ("creating", dir.path().join("plain").as_path()));
    }
}
