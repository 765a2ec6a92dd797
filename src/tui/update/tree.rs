//! The tree: moving, opening and closing prefixes, loading them page by
//! page, refreshing, sorting, filtering; and the listings' reports.

use crate::s3::Page;
use crate::tui::action::Intent;
use crate::tui::effect::{Effect, ListJob, ListPurpose};
use crate::tui::mode::{Line, LineKind, Mode, Pane};
use crate::tui::state::State;
use crate::tui::tree::{Filter, LoadState, NodeId, RequestId, Row, RowKind};

impl State {
    /// The tree's keys, from any pane (`None`: not a tree key).
    pub(super) fn on_tree_intent(&mut self, intent: &Intent) -> Option<Vec<Effect>> {
        let page = self.viewport().saturating_sub(1).max(1) as isize;
        match intent {
            Intent::Up => self.move_by(-1),
            Intent::Down => self.move_by(1),
            Intent::PageUp => self.move_by(-page),
            Intent::PageDown => self.move_by(page),
            Intent::First => self.select_index(0),
            Intent::Last => self.select_index(self.rows.len().saturating_sub(1)),
            Intent::Open => return Some(self.then_refresh(|s| s.open(false))),
            Intent::Toggle => return Some(self.then_refresh(|s| s.open(true))),
            Intent::Close => return Some(self.then_refresh(Self::close)),
            Intent::Refresh => return Some(self.then_refresh(Self::refresh)),
            Intent::CycleSort => {
                self.sort = self.sort.next();
                self.refresh_rows();
                self.set_status(format!("sorted by {}", self.sort.label()));
            }
            Intent::StartFilter => {
                if let Some(node) = self.current_prefix() {
                    self.filter = Some(Filter { node, text: String::new() });
                    self.mode = Mode::Line(Line::new(LineKind::Filter, ""));
                }
            }
            Intent::NextMatch => self.step_match(true),
            Intent::PreviousMatch => self.step_match(false),
            Intent::Escape => {
                if self.filter.take().is_some() {
                    self.refresh_rows();
                    self.set_status("filter cleared");
                } else if !self.marks.is_empty() {
                    self.marks.clear();
                    self.set_status("marks cleared");
                }
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Runs `change`, then rebuilds the rows.
    fn then_refresh(&mut self, change: impl FnOnce(&mut Self) -> Vec<Effect>) -> Vec<Effect> {
        let effects = change(self);
        self.refresh_rows();
        effects
    }

    /// Starts (or resumes) loading a bucket's or prefix's children.
    pub(super) fn start_loading(&mut self, node: NodeId, token: Option<String>) -> Vec<Effect> {
        let request = self.request_id();
        let loaded = self.tree.node(node).children.len();
        let bound = self.config.row_bound.max(1);
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

    pub(super) fn expand(&mut self, node: NodeId) -> Vec<Effect> {
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

    /// Expand, load more, retry, or step into; with `toggle` (Enter) an open
    /// prefix closes. An object takes the focus to its preview.
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

    /// The filter as typed so far; the cursor stays on a match.
    pub(super) fn set_filter_text(&mut self, text: &str) {
        if let Some(filter) = self.filter.as_mut() {
            filter.text = text.to_string();
        }
        self.refresh_rows();
        if let Some(filter) = self.filter.clone()
            && let Some(index) = self
                .rows
                .iter()
                .position(|r| r.kind == RowKind::Node && self.tree.node(r.node).parent == Some(filter.node))
            && self.selected_row().is_none_or(|r| self.tree.node(r.node).parent != Some(filter.node))
        {
            self.select_index(index);
        }
    }

    /// Enter on the filter line: kept; where the prefix is not fully
    /// loaded, the server is asked for the names starting with the text.
    pub(super) fn submit_filter(&mut self, text: String) -> Vec<Effect> {
        self.mode = Mode::Normal;
        let Some(filter) = self.filter.clone() else { return Vec::new() };
        if text.is_empty() {
            self.filter = None;
            return Vec::new();
        }
        let node = self.tree.node(filter.node);
        if matches!(node.load, LoadState::Loaded) {
            let keys = &self.config.keys;
            let clear = keys.hint(super::super::keymap::Layer::Normal, &Intent::Escape);
            let next = keys.hint_pair(&Intent::NextMatch, &Intent::PreviousMatch);
            self.set_status(format!("filter '{text}' ({clear} clears, {next} next/previous)"));
            return Vec::new();
        }
        let request = self.request_id();
        self.lookups.insert(request);
        let uri = self.tree.uri_of(filter.node);
        self.set_status(format!("searching {uri}{text}… on the server"));
        vec![Effect::List(ListJob::lookup(request, filter.node, &uri, &text, self.config.row_bound))]
    }

    /// Rows of the filtered prefix that match, for the next / previous match keys.
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

    /// A page of a listing: merged into the tree; a jump waiting on it goes on.
    pub(super) fn on_listed(
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
        self.advance_jump()
    }

    pub(super) fn on_list_failed(
        &mut self,
        request: RequestId,
        node: NodeId,
        purpose: ListPurpose,
        error: String,
    ) -> Vec<Effect> {
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

    /// The user's own buckets join the root.
    pub(super) fn on_buckets_listed(&mut self, result: Result<Vec<String>, String>) {
        if let Ok(names) = result {
            for name in names {
                self.tree.add_bucket(&name, None);
            }
            self.refresh_rows();
        }
    }
}
