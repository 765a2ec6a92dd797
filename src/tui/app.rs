//! The explorer's state and its pure update function.
//!
//! `update(&mut State, Action) -> Vec<Effect>`: every key press and every
//! network result comes in as an [`Action`]; the state changes and the
//! effects to run (requests to start or cancel) come out. Nothing here
//! awaits, touches the network or draws.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::keymap::Keymap;
use super::layout;
use super::theme::Theme;
use super::tree::{Filter, LoadState, NodeId, NodeKind, RequestId, Row, RowKind, SortKey, TreeModel};
use crate::catalog::Catalog;
use crate::copy_format::CopyFormat;
use crate::s3::{ConnectOptions, Page, Route, S3Uri};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Tree,
    Preview,
    Queue,
}

/// What keys currently mean.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing a filter for the prefix under the cursor.
    Filter(String),
    /// Typing an `s3://` path to jump to.
    Jump(String),
    /// Typing a text to find among the previewed header cards.
    Search(String),
    /// Asking before downloading a whole prefix.
    ConfirmDownload(PendingDownload),
    /// Asking before quitting while downloads run.
    ConfirmQuit,
    Help,
    /// The copy menu (`Y`) is open.
    CopyMenu(CopyMenu),
}

/// The formats offered for the selection (or the marked rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyMenu {
    pub formats: Vec<CopyFormat>,
    pub selected: usize,
    /// How many rows the texts cover.
    pub targets: usize,
}

/// A prefix counted and waiting for the user's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDownload {
    pub bucket: String,
    pub prefix: String,
    pub objects: Vec<(String, u64)>,
}

pub use super::preview_state::{Preview, PreviewContent};
pub use super::queue_state::{QueueEffect, QueueState};
pub use crate::preview::ObjectDetails;
use crate::preview::cache::PreviewCache;
use crate::preview::{DEFAULT_GZIP_BUDGET, PreviewBody, PreviewData};

/// The status bar's message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
}

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

/// Work for the effect runner.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    Queue(QueueEffect),
    Cancel(RequestId),
    /// Put `text` on the clipboard; `what` names it in the status bar.
    Copy {
        text: String,
        what: String,
    },
}

/// Everything that can happen to the explorer.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    /// Expand, load more, retry, or step into (l, →).
    Open,
    /// Expand or collapse (Enter).
    Toggle,
    /// Collapse, or go to the parent (h, ←).
    Close,
    NextPane,
    StartFilter,
    StartJump,
    Input(char),
    Backspace,
    /// Empty the input line.
    ClearInput,
    Submit,
    Escape,
    NextMatch,
    PreviousMatch,
    Refresh,
    CycleSort,
    Help,
    Quit,
    Resize {
        width: u16,
        height: u16,
    },
    Tick,
    /// A page of a listing arrived; `more` is false on the last page this request sends.
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
    /// Show the next / previous HDU of a FITS preview.
    NextHdu,
    PreviousHdu,
    /// Read on past the byte budget of a gzip preview.
    ReadOn,
    BucketsListed {
        request: RequestId,
        result: Result<Vec<String>, String>,
    },
    /// Something went wrong off screen (saving the queue, say).
    Problem(String),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// S3 named the region a bucket lives in; its requests go there from now on.
    RegionFound {
        bucket: String,
        region: String,
    },
    /// Download the selected object, or (after asking) the selected prefix.
    Download,
    TogglePause,
    CancelJob,
    RetryJob,
    ClearFinished,
    PrefixCounted {
        request: RequestId,
        result: Result<Vec<(String, u64)>, String>,
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
    /// Copy the selection's (or the marked rows') s3 URIs.
    Copy,
    /// Open the copy menu.
    CopyMenu,
    /// Mark or unmark the selected row (for copying several).
    Mark,
    /// The clipboard's answer: how the text went (`OSC 52`…), or why it did not.
    Copied {
        what: String,
        result: Result<String, String>,
    },
}

/// Fixed facts of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Rows loaded per prefix before asking to load more.
    pub row_bound: usize,
    /// Compressed bytes a gzip preview reads before asking to read on.
    pub preview_budget: u64,
    /// The archive catalog and the user's buckets (mirror URLs, regions, signing).
    pub catalog: Catalog,
    /// How the session connects (endpoint, region, profile, signing), for copied URLs and snippets.
    pub connect: ConnectOptions,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            row_bound: 5000,
            preview_budget: DEFAULT_GZIP_BUDGET,
            catalog: Catalog::builtin(),
            connect: ConnectOptions::default(),
        }
    }
}

/// A jump in progress: the ancestors are opened one by one as they load.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PendingJump {
    uri: S3Uri,
    /// The node reached so far.
    at: NodeId,
    /// Relative names still to descend through.
    rest: Vec<String>,
    /// A lookup listing was already tried at `at`.
    looked_up: bool,
}

#[derive(Debug, Clone, Default)]
pub struct State {
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
    pub settings: Settings,
    pub width: u16,
    pub height: u16,
    pub tick: u64,
    pub quit: bool,
    pub cache: PreviewCache,
    pub queue: QueueState,
    pub theme: Theme,
    pub keys: Keymap,
    /// Rows marked for copying, in the order they were marked.
    pub marks: Vec<S3Uri>,
    /// First line of the help overlay shown.
    pub help_scroll: usize,
    /// Regions S3 named for buckets in this run (the clients follow them too).
    pub regions: HashMap<String, String>,
    /// What `:` put on the jump line before anything was typed.
    jump_prefill: String,
    /// The prefix count being waited for.
    counting: Option<(RequestId, String, String)>,
    jump: Option<PendingJump>,
    lookups: HashSet<RequestId>,
    next_request: RequestId,
}

/// The jump line after a keystroke: a location typed or pasted after the
/// `prefill` (`s3://a/b/` + `s3://c/d`) replaces it; a name typed after it
/// extends it. Keys holding `s3://` stay whole.
fn typed_over_prefill(text: String, prefill: &str) -> (String, bool) {
    let typed = text.strip_prefix(prefill).filter(|_| !prefill.is_empty());
    match typed {
        Some(typed) if ["s3://", "S3://", "https://", "http://"].iter().any(|s| typed.starts_with(s)) => {
            (typed.to_string(), true)
        }
        _ => (text, false),
    }
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
    pub fn new(settings: Settings, width: u16, height: u16) -> Self {
        Self { settings, width, height, next_request: 1, ..Self::default() }
    }

    /// How `bucket` is reached: the rule the clients follow, with the regions found so far.
    pub fn route(&self, bucket: &str) -> Route {
        let found = self.regions.get(bucket).map(String::as_str);
        Route::for_bucket(bucket, &self.settings.connect, &self.settings.catalog, found)
    }

    fn request_id(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    /// Listings of prefixes in progress (for tests and the status bar).
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
        spinner_row || previewed_loading || self.preview.content == PreviewContent::Loading
    }

    pub fn set_status(&mut self, text: impl Into<String>) {
        self.status = Status { text: text.into(), is_error: false };
    }

    pub fn set_error(&mut self, text: impl Into<String>) {
        self.status = Status { text: text.into(), is_error: true };
    }

    /// Rebuilds the rows after the model changed, keeping the cursor on the same row.
    fn refresh_rows(&mut self) {
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

    fn scroll_into_view(&mut self) {
        let viewport = self.viewport();
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + viewport {
            self.offset = self.selected + 1 - viewport;
        }
        let max_offset = self.rows.len().saturating_sub(viewport);
        self.offset = self.offset.min(max_offset);
    }

    fn select_index(&mut self, index: usize) {
        self.selected = index.min(self.rows.len().saturating_sub(1));
        self.scroll_into_view();
    }

    fn select_node(&mut self, node: NodeId) {
        if let Some(index) = self.rows.iter().position(|r| r.node == node && r.kind == RowKind::Node) {
            self.select_index(index);
        }
    }

    /// Starts (or resumes) loading a bucket's or prefix's children.
    fn start_loading(&mut self, node: NodeId, token: Option<String>) -> Vec<Effect> {
        let request = self.request_id();
        let loaded = self.tree.node(node).children.len();
        let bound = self.settings.row_bound.max(1);
        // Load up to the next multiple of the bound.
        let budget = bound - loaded % bound;
        let uri = self.tree.uri_of(node);
        self.tree.node_mut(node).load = LoadState::Loading { request, pages: 0, next: token.clone() };
        vec![Effect::List(ListJob {
            request,
            node,
            purpose: ListPurpose::Load,
            bucket: uri.bucket,
            prefix: uri.key,
            token,
            budget,
        })]
    }

    fn expand(&mut self, node: NodeId) -> Vec<Effect> {
        let n = self.tree.node_mut(node);
        if !n.is_container() {
            return Vec::new();
        }
        n.expanded = true;
        match n.load.clone() {
            LoadState::NotLoaded | LoadState::Failed(_) => {
                if matches!(n.load, LoadState::Failed(_)) {
                    self.tree.clear_children(node);
                }
                self.start_loading(node, None)
            }
            LoadState::Partial { token, at_bound: false } => self.start_loading(node, Some(token)),
            _ => Vec::new(),
        }
    }

    /// Collapses a node, cancelling its listing (kept resumable).
    fn collapse(&mut self, node: NodeId) -> Vec<Effect> {
        let mut effects = Vec::new();
        let n = self.tree.node_mut(node);
        n.expanded = false;
        if let LoadState::Loading { request, next, .. } = n.load.clone() {
            effects.push(Effect::Cancel(request));
            n.load = match next {
                Some(token) if !n.children.is_empty() => LoadState::Partial { token, at_bound: false },
                _ if !n.children.is_empty() => LoadState::Loaded,
                _ => LoadState::NotLoaded,
            };
            if matches!(n.load, LoadState::NotLoaded) {
                self.tree.clear_children(node);
            }
        }
        if self.filter.as_ref().is_some_and(|f| f.node == node) {
            self.filter = None;
        }
        effects
    }

    /// The prefix the cursor is in: the parent of the selected node, or the
    /// selected node itself when it is an expanded container.
    fn current_prefix(&self) -> Option<NodeId> {
        let row = self.selected_row()?;
        let node = self.tree.node(row.node);
        if row.kind != RowKind::Node || (node.is_container() && node.expanded) {
            return Some(row.node);
        }
        node.parent
    }

    /// Starts the preview of the selected row if it changed (from the cache
    /// when the listing's ETag matches a preview already read).
    fn update_preview(&mut self) -> Vec<Effect> {
        let selected = self.selected_row().filter(|r| r.kind == RowKind::Node).map(|r| r.node);
        if selected == self.preview.node {
            return Vec::new();
        }
        let mut effects = Vec::new();
        if let Some(request) = self.preview.request.take() {
            effects.push(Effect::Cancel(request));
        }
        self.preview = Preview { node: selected, ..Preview::default() };
        let Some(node) = selected else { return effects };
        let Some(meta) = self.tree.node(node).object() else { return effects };
        let uri = self.tree.uri_of(node);
        if let Some(etag) = meta.etag.to_header()
            && let Some(cached) = self.cache.get(&(uri.bucket.clone(), uri.key.clone(), etag))
        {
            self.preview.content = PreviewContent::Ready(cached);
            return effects;
        }
        let request = self.request_id();
        self.preview.request = Some(request);
        self.preview.content = PreviewContent::Loading;
        let gzip_budget = self.settings.preview_budget;
        effects.push(Effect::Preview { request, node, bucket: uri.bucket, key: uri.key, gzip_budget });
        effects
    }

    /// Reads a gzip preview that stopped at its budget on, with eight times the budget.
    fn read_on(&mut self) -> Vec<Effect> {
        let (Some(node), Some(data)) = (self.preview.node, self.preview.data()) else { return Vec::new() };
        let PreviewBody::Fits(headers) = &data.body else { return Vec::new() };
        if headers.stopped.is_none() {
            self.set_status("this preview is complete");
            return Vec::new();
        }
        let budget = self.preview.gzip_budget.max(self.settings.preview_budget).saturating_mul(8);
        let request = self.request_id();
        let uri = self.tree.uri_of(node);
        self.set_status(format!("reading on, up to {} compressed", crate::format::human_size(budget)));
        self.preview.request = Some(request);
        self.preview.gzip_budget = budget;
        self.preview.content = PreviewContent::Loading;
        vec![Effect::Preview { request, node, bucket: uri.bucket, key: uri.key, gzip_budget: budget }]
    }

    fn on_previewed(&mut self, request: RequestId, node: NodeId, result: Result<Arc<PreviewData>, String>) {
        if self.preview.request != Some(request) || self.preview.node != Some(node) {
            return;
        }
        self.preview.request = None;
        self.preview.content = match result {
            Ok(data) => {
                let uri = self.tree.uri_of(node);
                if let Some(etag) = data.details.etag.clone() {
                    self.cache.insert((uri.bucket, uri.key, etag), data.clone());
                }
                PreviewContent::Ready(data)
            }
            Err(error) => {
                self.set_error(format!("reading {}: {error}", self.tree.uri_of(node)));
                PreviewContent::Failed(error)
            }
        };
    }

    pub(crate) fn move_by(&mut self, delta: isize) {
        let index = self.selected as isize + delta;
        self.select_index(index.max(0) as usize);
    }

    /// Rows of the filtered prefix that match, for n / N.
    fn step_match(&mut self, forward: bool) {
        let Some(filter) = self.filter.clone() else { return };
        let matches = |r: &Row| {
            r.kind == RowKind::Node
                && self.tree.node(r.node).parent == Some(filter.node)
                && filter.matches(&self.tree.node(r.node).name)
        };
        let found = if forward {
            self.rows.iter().enumerate().skip(self.selected + 1).find(|(_, r)| matches(r)).map(|(i, _)| i)
        } else {
            self.rows.iter().enumerate().take(self.selected).rev().find(|(_, r)| matches(r)).map(|(i, _)| i)
        };
        match found {
            Some(index) => self.select_index(index),
            None => self.set_status(format!("no further match for '{}'", filter.text)),
        }
    }

    fn open(&mut self, toggle: bool) -> Vec<Effect> {
        let Some(row) = self.selected_row() else { return Vec::new() };
        match row.kind {
            RowKind::More => {
                let LoadState::Partial { token, .. } = self.tree.node(row.node).load.clone() else { return Vec::new() };
                self.start_loading(row.node, Some(token))
            }
            RowKind::Failed => self.expand(row.node),
            RowKind::Loading | RowKind::Empty => Vec::new(),
            RowKind::Node => {
                let node = self.tree.node(row.node);
                if !node.is_container() {
                    self.focus = Pane::Preview;
                    return Vec::new();
                }
                if node.expanded {
                    if toggle {
                        return self.collapse(row.node);
                    }
                    if self.rows.get(self.selected + 1).is_some_and(|r| r.depth > row.depth) {
                        self.move_by(1);
                    }
                    return Vec::new();
                }
                self.expand(row.node)
            }
        }
    }

    fn close(&mut self) -> Vec<Effect> {
        let Some(row) = self.selected_row() else { return Vec::new() };
        let node = self.tree.node(row.node);
        if row.kind == RowKind::Node && node.is_container() && node.expanded {
            return self.collapse(row.node);
        }
        let parent = if row.kind == RowKind::Node { node.parent } else { Some(row.node) };
        if let Some(parent) = parent {
            self.refresh_rows();
            self.select_node(parent);
        }
        Vec::new()
    }

    fn refresh(&mut self) -> Vec<Effect> {
        let Some(row) = self.selected_row() else { return Vec::new() };
        let node = self.tree.node(row.node);
        if row.kind == RowKind::Node && !node.is_container() {
            // Refresh the preview of an object.
            self.preview.node = None;
            return Vec::new();
        }
        // A prefix row, or a status row of its prefix: reload that prefix.
        let target = row.node;
        let mut effects = Vec::new();
        if let LoadState::Loading { request, .. } = self.tree.node(target).load {
            effects.push(Effect::Cancel(request));
        }
        self.tree.clear_children(target);
        self.tree.node_mut(target).load = LoadState::NotLoaded;
        self.tree.node_mut(target).expanded = true;
        effects.extend(self.start_loading(target, None));
        self.set_status(format!("refreshing {}", self.tree.uri_of(target)));
        effects
    }

    fn submit_filter(&mut self, text: String) -> Vec<Effect> {
        self.mode = Mode::Normal;
        let Some(filter) = self.filter.clone() else { return Vec::new() };
        if text.is_empty() {
            self.filter = None;
            return Vec::new();
        }
        let node = self.tree.node(filter.node);
        let complete = matches!(node.load, LoadState::Loaded);
        if complete {
            self.set_status(format!("filter '{text}' (Esc clears, n/N next/previous)"));
            return Vec::new();
        }
        // Not all children are loaded: ask the server for the names starting with the text.
        let request = self.request_id();
        self.lookups.insert(request);
        let uri = self.tree.uri_of(filter.node);
        self.set_status(format!("searching {}{text}… on the server", uri));
        vec![Effect::List(ListJob {
            request,
            node: filter.node,
            purpose: ListPurpose::Lookup,
            bucket: uri.bucket,
            prefix: format!("{}{text}", uri.key),
            token: None,
            budget: self.settings.row_bound,
        })]
    }

    /// Where a typed or pasted location points: an `s3://` URI, an S3 https
    /// URL or an archive's web URL, or `bucket/key` alone.
    fn location(&self, text: &str) -> Result<S3Uri, String> {
        let text = text.trim();
        if text.starts_with("http://") || text.starts_with("https://") {
            let mirrors: Vec<(&str, &str)> = (self.settings.catalog.entries.iter())
                .filter(|e| !e.mirror.is_empty())
                .map(|e| (e.mirror.as_str(), e.name.as_str()))
                .collect();
            return S3Uri::from_https(text, &mirrors).ok_or_else(|| format!("not an S3 or archive URL: {text}"));
        }
        let target =
            if text.starts_with("s3://") || text.starts_with("S3://") { text.into() } else { format!("s3://{text}") };
        S3Uri::parse(&target).map_err(|e| e.to_string())
    }

    /// A paste: into the line being typed, or, when none is, a location to jump to.
    fn paste(&mut self, text: &str) -> Vec<Effect> {
        // The first line (terminals send CR or LF); control characters never reach the state.
        let first = text.trim_start_matches(['\r', '\n']).split(['\r', '\n']).next().unwrap_or("");
        let line: String = first.chars().filter(|c| !c.is_control()).collect();
        match self.mode {
            Mode::Jump(_) | Mode::Filter(_) | Mode::Search(_) => {
                line.chars().flat_map(|c| update(self, Action::Input(c))).collect()
            }
            Mode::Normal => match self.location(&line) {
                Ok(uri) if !line.trim().is_empty() => self.jump_to(uri),
                _ => {
                    let shown: String = line.chars().take(60).collect();
                    self.set_error(format!("not a location to jump to: {shown}"));
                    Vec::new()
                }
            },
            _ => Vec::new(),
        }
    }

    /// Opens the path of `uri` from the root, loading each ancestor as needed.
    pub fn jump_to(&mut self, uri: S3Uri) -> Vec<Effect> {
        let bucket = self.tree.add_bucket(&uri.bucket, None);
        self.jump = Some(PendingJump { rest: path_names(&uri.key), uri, at: bucket, looked_up: false });
        self.advance_jump()
    }

    fn advance_jump(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        loop {
            let Some(jump) = self.jump.clone() else { return effects };
            let Some(name) = jump.rest.first() else {
                // Arrived: select it, and open it if it is a prefix; an old error is moot.
                self.jump = None;
                self.refresh_rows();
                self.select_node(jump.at);
                if self.status.is_error {
                    self.set_status(format!("at {}", jump.uri));
                }
                if self.tree.node(jump.at).is_container() && !self.tree.node(jump.at).expanded {
                    effects.extend(self.expand(jump.at));
                    self.refresh_rows();
                }
                return effects;
            };
            if let Some(child) = self.tree.child_named(jump.at, name) {
                self.tree.node_mut(jump.at).expanded = true;
                if matches!(self.tree.node(jump.at).load, LoadState::NotLoaded) {
                    // Found through a lookup: load the rest of the level too.
                    effects.extend(self.start_loading(jump.at, None));
                }
                let mut next = jump;
                next.at = child;
                next.rest.remove(0);
                next.looked_up = false;
                self.jump = Some(next);
                continue;
            }
            let load = self.tree.node(jump.at).load.clone();
            match load {
                LoadState::NotLoaded => {
                    effects.extend(self.expand(jump.at));
                    return effects;
                }
                LoadState::Loading { .. } => return effects,
                LoadState::Failed(error) => {
                    self.jump = None;
                    self.set_error(format!("cannot open {}: {error}", jump.uri));
                    return effects;
                }
                LoadState::Partial { .. } | LoadState::Loaded if !jump.looked_up => {
                    let request = self.request_id();
                    self.lookups.insert(request);
                    let uri = self.tree.uri_of(jump.at);
                    let lookup_name = name.trim_end_matches('/').to_string();
                    effects.push(Effect::List(ListJob {
                        request,
                        node: jump.at,
                        purpose: ListPurpose::Lookup,
                        bucket: uri.bucket,
                        prefix: format!("{}{lookup_name}", uri.key),
                        token: None,
                        budget: 1000,
                    }));
                    if let Some(j) = self.jump.as_mut() {
                        j.looked_up = true;
                    }
                    return effects;
                }
                LoadState::Partial { .. } | LoadState::Loaded => {
                    self.jump = None;
                    self.refresh_rows();
                    self.select_node(jump.at);
                    self.set_error(format!("not found: {}", jump.uri));
                    return effects;
                }
            }
        }
    }

    fn on_listed(
        &mut self,
        request: RequestId,
        node: NodeId,
        purpose: ListPurpose,
        page: Page,
        more: bool,
    ) -> Vec<Effect> {
        match purpose {
            ListPurpose::Lookup => {
                if !self.lookups.contains(&request) {
                    return Vec::new();
                }
                self.tree.merge_entries(node, &page.entries);
                if !more {
                    self.lookups.remove(&request);
                }
            }
            ListPurpose::Load => {
                let LoadState::Loading { request: current, pages, .. } = self.tree.node(node).load else {
                    return Vec::new();
                };
                if current != request {
                    return Vec::new();
                }
                self.tree.merge_entries(node, &page.entries);
                let next = page.next_token.clone();
                self.tree.node_mut(node).load = match (more, next) {
                    (true, next) => LoadState::Loading { request, pages: pages + 1, next },
                    (false, Some(token)) => LoadState::Partial { token, at_bound: true },
                    (false, None) => LoadState::Loaded,
                };
            }
        }
        self.refresh_rows();
        let mut effects = self.advance_jump();
        effects.extend(self.update_preview());
        effects
    }

    fn on_list_failed(&mut self, request: RequestId, node: NodeId, purpose: ListPurpose, error: String) -> Vec<Effect> {
        let uri = self.tree.uri_of(node);
        match purpose {
            ListPurpose::Lookup => {
                if !self.lookups.remove(&request) {
                    return Vec::new();
                }
            }
            ListPurpose::Load => {
                if !matches!(self.tree.node(node).load, LoadState::Loading { request: r, .. } if r == request) {
                    return Vec::new();
                }
                self.tree.node_mut(node).load = LoadState::Failed(error.clone());
            }
        }
        self.set_error(format!("listing {uri}: {error}"));
        self.refresh_rows();
        self.advance_jump()
    }
}

/// Results and ticks: applied whatever the mode.
/// Results (and resizes, ticks) apply in every mode; other actions are dropped.
pub(crate) fn apply_result(state: &mut State, action: Action) -> Vec<Effect> {
    if is_result(&action) { apply(state, action) } else { Vec::new() }
}

fn is_result(action: &Action) -> bool {
    matches!(
        action,
        Action::Resize { .. }
            | Action::Tick
            | Action::Listed { .. }
            | Action::ListFailed { .. }
            | Action::Previewed { .. }
            | Action::BucketsListed { .. }
            | Action::PrefixCounted { .. }
            | Action::DownloadProgress { .. }
            | Action::DownloadFinished { .. }
            | Action::Copied { .. }
            | Action::Problem(_)
            | Action::RegionFound { .. }
    )
}

fn queue_effects(effects: Vec<QueueEffect>) -> Vec<Effect> {
    effects.into_iter().map(Effect::Queue).collect()
}

impl State {
    /// `d`: one object is queued at once; a prefix is counted first.
    fn download(&mut self) -> Vec<Effect> {
        let Some(row) = self.selected_row().filter(|r| r.kind == RowKind::Node) else { return Vec::new() };
        let uri = self.tree.uri_of(row.node);
        match self.tree.node(row.node).object() {
            Some(meta) => {
                let (effects, refused) = self.queue.enqueue(&uri.bucket, &[(uri.key.clone(), meta.size)], None);
                match refused.first() {
                    Some((_, why)) => self.set_error(format!("not downloading {uri}: {why}")),
                    None => self.set_status(format!("queued {uri}")),
                }
                queue_effects(effects)
            }
            None => {
                let request = self.request_id();
                self.counting = Some((request, uri.bucket.clone(), uri.key.clone()));
                self.set_status(format!("counting the objects below {uri}…"));
                vec![Effect::CountPrefix { request, bucket: uri.bucket, prefix: uri.key }]
            }
        }
    }

    fn on_counted(&mut self, request: RequestId, result: Result<Vec<(String, u64)>, String>) {
        let Some((expected, bucket, prefix)) = self.counting.clone() else { return };
        if expected != request {
            return;
        }
        self.counting = None;
        match result {
            Ok(objects) if objects.is_empty() => {
                self.set_status(format!("nothing to download below s3://{bucket}/{prefix}"))
            }
            Ok(objects) => self.mode = Mode::ConfirmDownload(PendingDownload { bucket, prefix, objects }),
            Err(error) => self.set_error(format!("listing s3://{bucket}/{prefix}: {error}")),
        }
    }

    fn confirm_download(&mut self, pending: PendingDownload) -> Vec<Effect> {
        let (effects, refused) = self.queue.enqueue(&pending.bucket, &pending.objects, Some(&pending.prefix));
        let queued = pending.objects.len() - refused.len();
        match refused.first() {
            Some((key, why)) => {
                self.set_error(format!("queued {queued}; refused {} (e.g. {key}: {why})", refused.len()))
            }
            None => self.set_status(format!("queued {queued} downloads into {}", self.queue.download_dir.display())),
        }
        queue_effects(effects)
    }
}

/// Applies one action; returns the effects to run.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut effects = match action {
        Action::Paste(text) => state.paste(&text),
        action => update_in_mode(state, action),
    };
    effects.extend(state.update_preview());
    effects
}

/// Applies an action as the current mode reads it.
fn update_in_mode(state: &mut State, action: Action) -> Vec<Effect> {
    match state.mode.clone() {
        Mode::ConfirmDownload(pending) => match action {
            Action::Submit => {
                state.mode = Mode::Normal;
                state.confirm_download(pending)
            }
            Action::Escape => {
                state.mode = Mode::Normal;
                state.set_status("download not started");
                Vec::new()
            }
            action if is_result(&action) => apply(state, action),
            _ => Vec::new(),
        },
        Mode::ConfirmQuit => match action {
            Action::Submit | Action::Quit => {
                state.quit = true;
                Vec::new()
            }
            Action::Escape => {
                state.mode = Mode::Normal;
                Vec::new()
            }
            action if is_result(&action) => apply(state, action),
            _ => Vec::new(),
        },
        Mode::Help => match action {
            Action::Quit => {
                state.quit = true;
                Vec::new()
            }
            Action::Down | Action::Up => {
                state.help_scroll = if action == Action::Down {
                    state.help_scroll.saturating_add(1).min(state.keys.help().len().saturating_sub(1))
                } else {
                    state.help_scroll.saturating_sub(1)
                };
                Vec::new()
            }
            action if is_result(&action) => apply(state, action),
            _ => {
                state.mode = Mode::Normal;
                Vec::new()
            }
        },
        Mode::CopyMenu(menu) => state.on_copy_menu(menu, action),
        Mode::Filter(text) => match action {
            Action::Input(c) => {
                let text = format!("{text}{c}");
                set_filter_text(state, &text);
                state.mode = Mode::Filter(text);
                Vec::new()
            }
            Action::Backspace | Action::ClearInput => {
                let mut text = text;
                if action == Action::ClearInput {
                    text.clear();
                } else {
                    text.pop();
                }
                set_filter_text(state, &text);
                state.mode = Mode::Filter(text);
                Vec::new()
            }
            Action::Submit => state.submit_filter(text),
            Action::Escape => {
                state.mode = Mode::Normal;
                state.filter = None;
                state.refresh_rows();
                Vec::new()
            }
            other => apply(state, other),
        },
        Mode::Jump(text) => match action {
            Action::Input(c) => {
                let (text, replaced) = typed_over_prefill(format!("{text}{c}"), &state.jump_prefill);
                if replaced {
                    state.jump_prefill.clear();
                }
                state.mode = Mode::Jump(text);
                Vec::new()
            }
            Action::Backspace => {
                let mut text = text;
                text.pop();
                state.mode = Mode::Jump(text);
                Vec::new()
            }
            Action::ClearInput => {
                state.mode = Mode::Jump(String::new());
                Vec::new()
            }
            Action::Submit => {
                state.mode = Mode::Normal;
                match state.location(&text) {
                    Ok(uri) => state.jump_to(uri),
                    Err(e) => {
                        state.set_error(e);
                        Vec::new()
                    }
                }
            }
            Action::Escape => {
                state.mode = Mode::Normal;
                Vec::new()
            }
            other => apply(state, other),
        },
        Mode::Search(text) => match action {
            Action::Input(_) | Action::Backspace | Action::ClearInput => {
                let text = edit(text, &action);
                state.preview.search = Some(text.clone());
                state.preview.find(true, true);
                state.mode = Mode::Search(text);
                Vec::new()
            }
            Action::Submit => {
                state.mode = Mode::Normal;
                if !text.is_empty() {
                    state.set_status(format!("search '{text}' (n/N next/previous)"));
                }
                Vec::new()
            }
            Action::Escape => {
                state.mode = Mode::Normal;
                state.preview.search = None;
                Vec::new()
            }
            other => apply(state, other),
        },
        Mode::Normal => apply(state, action),
    }
}

/// Applies a line-editing action to input text.
fn edit(mut text: String, action: &Action) -> String {
    match action {
        Action::Input(c) => text.push(*c),
        Action::Backspace => {
            text.pop();
        }
        Action::ClearInput => text.clear(),
        _ => {}
    }
    text
}

fn set_filter_text(state: &mut State, text: &str) {
    if let Some(filter) = state.filter.as_mut() {
        filter.text = text.to_string();
    }
    state.refresh_rows();
    // Keep the cursor on a match.
    if let Some(filter) = state.filter.clone()
        && let Some(index) = state
            .rows
            .iter()
            .position(|r| r.kind == RowKind::Node && state.tree.node(r.node).parent == Some(filter.node))
        && state.selected_row().is_none_or(|r| state.tree.node(r.node).parent != Some(filter.node))
    {
        state.select_index(index);
    }
}

/// Actions with the same meaning in every mode.
fn apply(state: &mut State, action: Action) -> Vec<Effect> {
    let page = state.viewport().saturating_sub(1).max(1) as isize;
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::First | Action::Last
            if state.focus == Pane::Preview =>
        {
            let page = state.viewport().saturating_sub(4).max(1) as isize;
            match action {
                Action::Up => state.preview.scroll_by(-1),
                Action::Down => state.preview.scroll_by(1),
                Action::PageUp => state.preview.scroll_by(-page),
                Action::PageDown => state.preview.scroll_by(page),
                Action::First => state.preview.scroll = 0,
                _ => state.preview.scroll_to_end(),
            }
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::First | Action::Last
            if state.focus == Pane::Queue =>
        {
            match action {
                Action::Up => state.queue.move_selection(-1),
                Action::Down => state.queue.move_selection(1),
                Action::PageUp => state.queue.move_selection(-10),
                Action::PageDown => state.queue.move_selection(10),
                Action::First => state.queue.selected = 0,
                _ => state.queue.move_selection(isize::MAX / 2),
            }
        }
        Action::Up => state.move_by(-1),
        Action::Down => state.move_by(1),
        Action::PageUp => state.move_by(-page),
        Action::PageDown => state.move_by(page),
        Action::First => state.select_index(0),
        Action::Last => state.select_index(state.rows.len().saturating_sub(1)),
        Action::StartFilter if state.focus == Pane::Preview => {
            state.mode = Mode::Search(String::new());
        }
        Action::NextMatch | Action::PreviousMatch if state.focus == Pane::Preview => {
            if !state.preview.find(action == Action::NextMatch, false) {
                state.set_status("no further match");
            }
        }
        Action::Open => {
            let effects = state.open(false);
            state.refresh_rows();
            return effects;
        }
        Action::Toggle => {
            let effects = state.open(true);
            state.refresh_rows();
            return effects;
        }
        Action::Close => {
            let effects = state.close();
            state.refresh_rows();
            return effects;
        }
        Action::NextPane => {
            state.focus = match state.focus {
                Pane::Tree => Pane::Preview,
                Pane::Preview if !state.queue.jobs.is_empty() => Pane::Queue,
                Pane::Preview | Pane::Queue => Pane::Tree,
            };
            state.scroll_into_view();
        }
        Action::Refresh if state.focus == Pane::Queue => return queue_effects(state.queue.retry()),
        Action::Problem(text) => state.set_error(text),
        Action::Paste(text) => return state.paste(&text),
        Action::RegionFound { bucket, region } => {
            state.regions.insert(bucket, region);
        }
        Action::Download => return state.download(),
        Action::TogglePause | Action::CancelJob | Action::RetryJob | Action::ClearFinished
            if state.focus != Pane::Queue =>
        {
            state.set_status("Tab to the queue to manage downloads");
        }
        Action::TogglePause => return queue_effects(state.queue.toggle_pause()),
        Action::CancelJob => return queue_effects(state.queue.cancel()),
        Action::RetryJob => return queue_effects(state.queue.retry()),
        Action::ClearFinished => return queue_effects(state.queue.clear_finished()),
        Action::PrefixCounted { request, result } => state.on_counted(request, result),
        Action::DownloadProgress { job, done, size, rate } => state.queue.progress(job, done, size, rate),
        Action::DownloadFinished { job, result } => {
            if let Err(why) = &result
                && state.queue.jobs.iter().any(|j| j.id == job && j.state == crate::queue::job::JobState::Running)
            {
                state.set_error(format!("download failed: {why}"));
            }
            return queue_effects(state.queue.finished(job, result));
        }
        Action::StartFilter => {
            if let Some(node) = state.current_prefix() {
                state.filter = Some(Filter { node, text: String::new() });
                state.mode = Mode::Filter(String::new());
            }
        }
        Action::StartJump => {
            let start =
                state.selected_node().map(|n| state.tree.uri_of(n).to_string()).unwrap_or_else(|| "s3://".into());
            state.jump_prefill = start.clone();
            state.mode = Mode::Jump(start);
        }
        Action::Escape => {
            if state.filter.take().is_some() {
                state.refresh_rows();
                state.set_status("filter cleared");
            } else if !state.marks.is_empty() {
                state.marks.clear();
                state.set_status("marks cleared");
            }
        }
        Action::Copy => return state.copy_uris(),
        Action::CopyMenu => state.open_copy_menu(),
        Action::Mark => state.toggle_mark(),
        Action::Copied { what, result } => state.on_copied(&what, result),
        Action::NextMatch => state.step_match(true),
        Action::PreviousMatch => state.step_match(false),
        Action::Refresh => {
            let effects = state.refresh();
            state.refresh_rows();
            return effects;
        }
        Action::CycleSort => {
            state.sort = state.sort.next();
            state.refresh_rows();
            state.set_status(format!("sorted by {}", state.sort.label()));
        }
        Action::Help => {
            state.help_scroll = 0;
            state.mode = Mode::Help;
        }
        Action::Quit if state.queue.running() > 0 => {
            state.mode = Mode::ConfirmQuit;
            state.set_status(format!(
                "{} downloads are running: q or y quits (they resume next time), Esc stays",
                state.queue.running()
            ));
        }
        Action::Quit => state.quit = true,
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            state.scroll_into_view();
        }
        Action::Tick => state.tick = state.tick.wrapping_add(1),
        Action::Listed { request, node, purpose, page, more } => {
            return state.on_listed(request, node, purpose, page, more);
        }
        Action::ListFailed { request, node, purpose, error } => {
            return state.on_list_failed(request, node, purpose, error);
        }
        Action::Previewed { request, node, result } => state.on_previewed(request, node, result),
        Action::NextHdu => state.preview.step_hdu(1),
        Action::PreviousHdu => state.preview.step_hdu(-1),
        Action::ReadOn => return state.read_on(),
        Action::BucketsListed { result, .. } => {
            if let Ok(names) = result {
                for name in names {
                    state.tree.add_bucket(&name, None);
                }
                state.refresh_rows();
            }
        }
        Action::Input(_) | Action::Backspace | Action::ClearInput | Action::Submit => {}
    }
    Vec::new()
}

/// The initial state: the catalog (and extra buckets) at the root.
pub fn initial_state(settings: Settings, buckets: &[(String, Option<String>)], width: u16, height: u16) -> State {
    let mut state = State::new(settings, width, height);
    for (name, archive) in buckets {
        state.tree.add_bucket(name, archive.as_deref());
    }
    state.refresh_rows();
    // The first row is a bucket: its preview needs no request.
    let _ = state.update_preview();
    state
}

impl NodeKind {
    /// True for buckets.
    pub fn is_bucket(&self) -> bool {
        matches!(self, NodeKind::Bucket { .. })
    }
}
