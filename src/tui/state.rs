//! The explorer's state: the tree and its rows, the selection, the preview,
//! the queue, the mode, the status line. Small helpers that keep it
//! consistent live here; what actions do lives in `update/`.

use std::collections::{HashMap, HashSet};

use super::config::ExplorerConfig;
use super::effect::Effect;
use super::layout;
use super::mode::{Mode, Pane};
use super::preview_state::{Preview, PreviewContent};
use super::queue_state::QueueState;
use super::tree::{Filter, NodeId, RequestId, Row, RowKind, SortKey, TreeModel};
use crate::preview::cache::PreviewCache;
use crate::s3::{Route, S3Uri};

/// The status bar's message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
}

/// A jump in progress: the ancestors are opened one by one as they load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PendingJump {
    pub uri: S3Uri,
    /// The node reached so far.
    pub at: NodeId,
    /// Relative names still to descend through.
    pub rest: Vec<String>,
    /// A lookup listing was already tried at `at`.
    pub looked_up: bool,
}

#[derive(Debug, Clone)]
pub struct State {
    pub config: ExplorerConfig,
    pub tree: TreeModel,
    /// The flattened tree, rebuilt after every change of the model.
    pub rows: Vec<Row>,
    pub selected: usize,
    /// First row shown.
    pub offset: usize,
    pub focus: Pane,
    pub mode: Mode,
    pub status: Status,
    pub preview: Preview,
    pub sort: SortKey,
    pub filter: Option<Filter>,
    pub width: u16,
    pub height: u16,
    pub tick: u64,
    pub quit: bool,
    pub cache: PreviewCache,
    pub queue: QueueState,
    /// Rows marked for copying, in the order they were marked.
    pub marks: Vec<S3Uri>,
    /// First line of the help overlay shown.
    pub help_scroll: usize,
    /// Regions S3 named for buckets in this run (the clients follow them too).
    pub regions: HashMap<String, String>,
    /// The prefix count being waited for.
    pub(super) counting: Option<(RequestId, String, String)>,
    pub(super) jump: Option<PendingJump>,
    pub(super) lookups: HashSet<RequestId>,
    next_request: RequestId,
}

/// Splits a key into the relative names of the nodes on its path:
/// `a/b/c.fits` → `a/`, `b/`, `c.fits`; `a//b/` → `a/`, `/`, `b/`.
pub fn path_names(key: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = key;
    while !rest.is_empty() {
        let end = rest.find('/').map_or(rest.len(), |i| i + 1);
        names.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    names
}

impl State {
    /// The explorer at start: the root buckets of `config`, the first selected.
    pub fn new(config: ExplorerConfig, width: u16, height: u16) -> Self {
        let queue = QueueState::new(config.jobs, config.download_dir.clone());
        let mut state = Self {
            tree: TreeModel::default(),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            focus: Pane::default(),
            mode: Mode::default(),
            status: Status::default(),
            preview: Preview::default(),
            sort: SortKey::default(),
            filter: None,
            width,
            height,
            tick: 0,
            quit: false,
            cache: PreviewCache::default(),
            queue,
            marks: Vec::new(),
            help_scroll: 0,
            regions: HashMap::new(),
            counting: None,
            jump: None,
            lookups: HashSet::new(),
            next_request: 1,
            config,
        };
        for (name, archive) in state.config.buckets.clone() {
            state.tree.add_bucket(&name, archive.as_deref());
        }
        state.refresh_rows();
        // The first row is a bucket: its preview needs no request.
        let _ = state.update_preview();
        state
    }

    /// How `bucket` is reached: the rule the clients follow, with the regions found so far.
    pub fn route(&self, bucket: &str) -> Route {
        let found = self.regions.get(bucket).map(String::as_str);
        Route::for_bucket(bucket, &self.config.connect, &self.config.catalog, found)
    }

    pub(super) fn request_id(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    /// Listings of prefixes in progress.
    #[cfg(test)]
    pub fn pending_list_count(&self) -> usize {
        self.rows.iter().filter(|r| r.kind == RowKind::Loading).count()
    }

    pub fn selected_row(&self) -> Option<Row> {
        self.rows.get(self.selected).copied()
    }

    pub fn selected_node(&self) -> Option<NodeId> {
        self.selected_row().map(|r| r.node)
    }

    /// Rows that fit in the tree pane.
    pub fn viewport(&self) -> usize {
        layout::tree_rows(self.width, self.height, self.focus).max(1)
    }

    /// True while something on screen animates (a spinner).
    pub fn animating(&self) -> bool {
        let spinner_row = self.rows.iter().skip(self.offset).take(self.viewport()).any(|r| r.kind == RowKind::Loading);
        let previewed_loading = self.preview.node.is_some_and(|n| self.tree.node(n).is_loading());
        spinner_row || previewed_loading || *self.preview.content() == PreviewContent::Loading
    }

    pub fn set_status(&mut self, text: impl Into<String>) {
        self.status = Status { text: text.into(), is_error: false };
    }

    pub fn set_error(&mut self, text: impl Into<String>) {
        self.status = Status { text: text.into(), is_error: true };
    }

    /// Rebuilds the rows after the model changed, keeping the cursor on the same row.
    pub(super) fn refresh_rows(&mut self) {
        let previous = self.selected_row();
        self.rows = self.tree.flatten(self.sort, self.filter.as_ref());
        if let Some(previous) = previous {
            let same = |r: &Row| r.node == previous.node && r.kind == previous.kind;
            let found = self.rows.iter().position(same).or_else(|| {
                // A status row that went away: stay on its prefix's last row.
                self.rows.iter().position(|r| r.node == previous.node && r.kind == RowKind::Node)
            });
            if let Some(index) = found {
                self.selected = index;
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.scroll_into_view();
    }

    pub(super) fn scroll_into_view(&mut self) {
        let viewport = self.viewport();
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + viewport {
            self.offset = self.selected + 1 - viewport;
        }
        let max_offset = self.rows.len().saturating_sub(viewport);
        self.offset = self.offset.min(max_offset);
    }

    pub(super) fn select_index(&mut self, index: usize) {
        self.selected = index.min(self.rows.len().saturating_sub(1));
        self.scroll_into_view();
    }

    pub(super) fn select_node(&mut self, node: NodeId) {
        if let Some(index) = self.rows.iter().position(|r| r.node == node && r.kind == RowKind::Node) {
            self.select_index(index);
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        let index = self.selected as isize + delta;
        self.select_index(index.max(0) as usize);
    }

    /// The prefix the cursor is in: the parent of the selected node, or the
    /// selected node itself when it is an expanded container.
    pub(super) fn current_prefix(&self) -> Option<NodeId> {
        let row = self.selected_row()?;
        let node = self.tree.node(row.node);
        if row.kind != RowKind::Node || (node.is_container() && node.expanded) {
            return Some(row.node);
        }
        node.parent
    }

    /// The effects that start a queue's work, for the runner.
    pub fn start_queue(&mut self) -> Vec<Effect> {
        super::effect::queue_effects(self.queue.start())
    }
}
