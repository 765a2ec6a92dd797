//! How downloads run: part sizes, attempts, checks, syncs.

/// How a download runs.
#[derive(Debug, Clone, Copy)]
pub struct DownloadOptions {
    /// Bytes per part (`None`: grows with the object, see [`PartPlan`](super::plan::PartPlan)).
    pub part_size: Option<u64>,
    /// Parts of one object fetched at once (`None`: grows with the object).
    pub parts_in_flight: Option<usize>,
    /// Attempts per part for transient failures.
    pub attempts: u32,
    /// Replace an existing different file.
    pub force: bool,
    /// Check the file's content: against the object's CRC-64/NVME when it
    /// has one (computed part by part), else the MD5 its ETag names. MD5
    /// is serial, about 600 MB/s a core: on a link faster than that the
    /// check, not the network, sets the pace of a large object without a CRC.
    pub verify: bool,
    /// Sync the file before a resume record claims its bytes and before the
    /// rename, so a power cut never leaves a corrupt file or a record that
    /// lies. Off (`--no-sync`, as s5cmd and the aws CLI do), a download is
    /// bound by the network rather than a slow disk's flush, and its record
    /// is trusted only until the machine restarts.
    pub sync: bool,
}

/// Attempts per part for transient failures, the first included.
const PART_ATTEMPTS: u32 = 5;

impl From<&crate::config::Downloads> for DownloadOptions {
    /// The part size and parts in flight of the config's `[downloads]`.
    fn from(downloads: &crate::config::Downloads) -> Self {
        Self {
            part_size: downloads.part_size.map(|size| size.0),
            parts_in_flight: downloads.parts_in_flight.map(|n| (n as usize).max(1)),
            attempts: PART_ATTEMPTS,
            force: false,
            verify: true,
            sync: downloads.sync,
        }
    }
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self::from(&crate::config::Downloads::default())
    }
}
