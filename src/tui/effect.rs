//! The work `update` hands to the runner, as data.

use std::ops::Range;
use std::sync::Arc;

use super::tree::{NodeId, RequestId};
use crate::columnar::footer::Footer;
use crate::fits::hdu::Hdu;
use crate::fits::table::Table;
use crate::s3::S3Uri;
pub use crate::tui::queue_state::QueueEffect;

/// Why a listing runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListPurpose {
    /// Load a prefix's children page by page (its load state follows).
    Load,
    /// Fetch the entries starting with a name (jump, server-side filter):
    /// merged into the children, the load state untouched.
    Lookup,
}

/// List `prefix` one level deep from `token`, sending each page back, until
/// the end or until `budget` entries were sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListJob {
    pub request: RequestId,
    pub node: NodeId,
    pub purpose: ListPurpose,
    pub bucket: String,
    pub prefix: String,
    pub token: Option<String>,
    pub budget: usize,
}

impl ListJob {
    /// The entries of the prefix `at` whose names start with `name`.
    pub fn lookup(request: RequestId, node: NodeId, at: &S3Uri, name: &str, budget: usize) -> Self {
        Self {
            request,
            node,
            purpose: ListPurpose::Lookup,
            bucket: at.bucket.clone(),
            prefix: format!("{}{name}", at.key),
            token: None,
            budget,
        }
    }
}

/// The previewed HDU a data view reads from: which object, as the preview found it.
#[derive(Debug, Clone, PartialEq)]
pub struct HduSource {
    pub bucket: String,
    pub key: String,
    /// Pinned from the preview: a changed object is an error, not a mix.
    pub etag: Option<String>,
    pub size: u64,
    /// gzip or compress: inflated from the start.
    pub compressed: bool,
    pub hdu: Arc<Hdu>,
}

/// Where a table view's rows are read from.
#[derive(Debug, Clone, PartialEq)]
pub enum RowsSource {
    Fits {
        hdu: HduSource,
        table: Arc<Table>,
    },
    /// A Parquet file, pinned to the ETag its footer was read at.
    Parquet {
        bucket: String,
        key: String,
        etag: Option<String>,
        footer: Footer,
    },
}

/// Read rows of a table by range requests, for a page of the table view.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsJob {
    pub request: RequestId,
    pub node: NodeId,
    /// The HDU the view shows (0 for a Parquet file).
    pub hdu: usize,
    pub source: RowsSource,
    pub page: u64,
    pub rows: Range<u64>,
    pub columns: Vec<usize>,
}

/// Sample a plane of an image HDU by range requests, for the image view.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageJob {
    pub request: RequestId,
    pub node: NodeId,
    pub source: HduSource,
    pub plane: u64,
    /// At most this many samples across and down (one stride both ways).
    pub max: (u64, u64),
}

/// Work for the effect runner.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    List(ListJob),
    /// Read an object's preview: FITS headers, or its first bytes (after a short debounce).
    Preview {
        request: RequestId,
        node: NodeId,
        bucket: String,
        key: String,
        gzip_budget: u64,
    },
    /// Ask for the user's own buckets.
    ListBuckets {
        request: RequestId,
    },
    /// Count every object below a prefix (before asking to download it).
    CountPrefix {
        request: RequestId,
        bucket: String,
        prefix: String,
    },
    /// Read the summary of a prefix holding a catalog or dataset, its listed children given.
    SummarisePrefix {
        request: RequestId,
        node: NodeId,
        bucket: String,
        prefix: String,
        listing: crate::columnar::catalog_read::Listing,
    },
    ReadRows(RowsJob),
    ReadImage(ImageJob),
    Queue(QueueEffect),
    Cancel(RequestId),
    /// Put `text` on the clipboard; `what` names it in the status bar.
    Copy {
        text: String,
        what: String,
    },
}

/// Queue effects as runner effects.
pub fn queue_effects(effects: Vec<QueueEffect>) -> Vec<Effect> {
    effects.into_iter().map(Effect::Queue).collect()
}
