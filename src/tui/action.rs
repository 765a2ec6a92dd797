//! What can happen to the explorer: what a key (or a paste) asks for, what
//! a task reports back, and the terminal's own news. `update` takes each as
//! one [`Action`]; reports apply in every mode, intents as the mode reads them.

use std::sync::Arc;

use super::effect::ListPurpose;
use super::tree::{NodeId, RequestId};
use crate::preview::PreviewData;
use crate::s3::Page;

/// What the user asks for, by key or by pasting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Intent {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    /// Expand, load more, retry, or step into (l, →).
    Open,
    /// Expand or collapse; preview an object (Enter).
    Toggle,
    /// Collapse, or go to the parent (h, ←).
    Close,
    NextPane,
    StartFilter,
    StartJump,
    NextMatch,
    PreviousMatch,
    Refresh,
    CycleSort,
    /// Show the next / previous HDU of a FITS preview.
    NextHdu,
    PreviousHdu,
    /// Read on past the byte budget of a gzip preview.
    ReadOn,
    /// Switch the shown HDU between its cards and its table.
    CycleView,
    /// Pick the columns of the table view by words of their names.
    PickColumns,
    /// The image view: the next stretch (linear, sqrt, asinh), the next interval (zscale, min-max, 99.5 %).
    CycleStretch,
    CycleInterval,
    /// The image view of a cube: the next / previous plane.
    NextPlane,
    PreviousPlane,
    /// Download the selected object, or (after asking) the selected prefix.
    Download,
    TogglePause,
    CancelJob,
    RetryJob,
    ClearFinished,
    /// Copy the selection's (or the marked rows') s3 URIs.
    Copy,
    /// Open the copy menu.
    CopyMenu,
    /// Mark or unmark the selected row (for copying several).
    Mark,
    Help,
    Quit,
    /// A character typed into a line or a menu.
    Input(char),
    Backspace,
    /// Empty the input line.
    ClearInput,
    /// Enter in a line, yes to a question, the chosen menu entry.
    Submit,
    /// Esc: leave a line, say no, close; in the tree, clear the filter or the marks.
    Escape,
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
}

/// What a task reports back: each is handled where its request was made.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A page of a listing; `more` is false on the last page this request sends.
    Listed {
        request: RequestId,
        node: NodeId,
        purpose: ListPurpose,
        page: Page,
        more: bool,
    },
    ListFailed {
        request: RequestId,
        node: NodeId,
        purpose: ListPurpose,
        error: String,
    },
    Previewed {
        request: RequestId,
        node: NodeId,
        result: Result<Arc<PreviewData>, String>,
    },
    /// A page of rows of the table view, formatted for display.
    RowsRead {
        request: RequestId,
        node: NodeId,
        hdu: usize,
        page: u64,
        result: Result<Vec<Vec<String>>, String>,
    },
    /// The sampled pixels of a plane, for the image view.
    ImageRead {
        request: RequestId,
        node: NodeId,
        hdu: usize,
        plane: u64,
        result: Result<Arc<crate::fits::image::read::Samples>, String>,
    },
    BucketsListed {
        request: RequestId,
        result: Result<Vec<String>, String>,
    },
    PrefixCounted {
        request: RequestId,
        result: Result<Vec<crate::queue::job::Listed>, String>,
    },
    DownloadProgress {
        job: u64,
        done: u64,
        size: u64,
        rate: f64,
    },
    DownloadFinished {
        job: u64,
        result: Result<(), String>,
    },
    /// The clipboard's answer: how the text went (`OSC 52`…), or why it did not.
    Copied {
        what: String,
        result: Result<String, String>,
    },
    /// Something went wrong off screen (saving the queue, say).
    Problem(String),
    /// S3 named the region a bucket lives in; its requests go there from now on.
    RegionFound {
        bucket: String,
        region: String,
    },
}

/// Everything that can happen to the explorer.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Intent(Intent),
    Report(Report),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passes (spinners turn).
    Tick,
}

impl From<Intent> for Action {
    fn from(intent: Intent) -> Self {
        Action::Intent(intent)
    }
}

impl From<Report> for Action {
    fn from(report: Report) -> Self {
        Action::Report(report)
    }
}
